// SPDX-License-Identifier: GPL-2.0
/*
 * nfsec_request(), the loop every libnfsec command goes through, driven against the
 * kernel's own generic netlink controller ("nlctrl", always there) instead of nfsec: a
 * "do" request and its ack, errors with and without extack, a dump, and a parse error
 * in the middle of a dump that must leave the socket usable. Skipped where no generic
 * netlink socket can be opened.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cmocka.h>

#include <linux/genetlink.h>
#include <netinet/in.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include "internal.h"

static int setup(void **state)
{
	struct nfsec_handle *h;
	int ret = nfsec_open(&h);

	/* -ENOENT: no nfsec module, but the socket is connected, which is all we need */
	if (ret && ret != -ENOENT) {
		nfsec_close(h);
		h = NULL;
	} else {
		struct timeval timeout = { .tv_sec = 5 };

		h->family = GENL_ID_CTRL;
		/* a reply loop that loses its ack must fail here, not hang "make check" */
		setsockopt(nl_socket_get_fd(h->sk), SOL_SOCKET, SO_RCVTIMEO, &timeout,
			   sizeof(timeout));
	}
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	nfsec_close(*state);
	return 0;
}

struct families {
	unsigned int count;
	bool saw_nlctrl;
	int fail_at;		/* return -EPROTO at this reply (1-based), 0: never */
};

static int family_parse(struct nfsec_handle *h, struct nlmsghdr *nlh, void *arg)
{
	static const struct nla_policy policy[CTRL_ATTR_MAX + 1] = {
		[CTRL_ATTR_FAMILY_ID] = { .type = NLA_U16, .maxlen = sizeof(uint16_t) },
		[CTRL_ATTR_FAMILY_NAME] = { .type = NLA_STRING },
	};
	struct families *f = arg;
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	int ret;

	ret = nfsec_attrs_parse(h, "getfamily", nlh, tb, CTRL_ATTR_MAX, policy);
	if (ret < 0)
		return ret;
	f->count++;
	if (f->count == (unsigned int)f->fail_at)
		return nfsec_seterr(h, -EPROTO, "getfamily: failing reply %u on purpose", f->count);
	if (tb[CTRL_ATTR_FAMILY_NAME] && tb[CTRL_ATTR_FAMILY_ID] &&
	    !strcmp(nla_get_string(tb[CTRL_ATTR_FAMILY_NAME]), "nlctrl") &&
	    nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]) == GENL_ID_CTRL)
		f->saw_nlctrl = true;
	return 0;
}

static struct nl_msg *getfamily(struct nfsec_handle *h, int flags)
{
	struct nl_msg *msg;

	assert_int_equal(nfsec_msg_new(h, "getfamily", CTRL_CMD_GETFAMILY, flags, &msg), 0);
	assert_non_null(msg);
	return msg;
}

static int getfamily_by_name(struct nfsec_handle *h, const char *name, struct families *f)
{
	struct nl_msg *msg = getfamily(h, 0);

	assert_int_equal(nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, name), 0);
	return nfsec_request(h, "getfamily", msg, family_parse, f);
}

#define NEED_HANDLE(h) do { if (!(h)) skip(); } while (0)

static void test_do_request(void **state)
{
	struct nfsec_handle *h = *state;
	struct families f = { 0 };

	NEED_HANDLE(h);
	assert_int_equal(getfamily_by_name(h, "nlctrl", &f), 0);
	assert_int_equal(f.count, 1);
	assert_true(f.saw_nlctrl);
}

static void test_error_with_extack(void **state)
{
	struct nfsec_handle *h = *state;
	struct families f = { 0 };
	struct nl_msg *msg;
	char tail[128];
	const char *msgtext;
	size_t len;
	int ret;

	NEED_HANDLE(h);
	/* CTRL_ATTR_FAMILY_ID is a u16: one byte fails the kernel's policy, with extack */
	msg = getfamily(h, 0);
	assert_int_equal(nla_put_u8(msg, CTRL_ATTR_FAMILY_ID, 1), 0);
	ret = nfsec_request(h, "getfamily", msg, family_parse, &f);
	assert_true(ret < 0);
	assert_int_equal(f.count, 0);

	/* "getfamily: <extack text> (<strerror>)" */
	msgtext = nfsec_error(h);
	snprintf(tail, sizeof(tail), " (%s)", strerror(-ret));
	len = strlen(msgtext);
	assert_true(strncmp(msgtext, "getfamily: ", 11) == 0);
	assert_true(len > 11 + strlen(tail));
	assert_string_equal(msgtext + len - strlen(tail), tail);
}

static void test_error_errno(void **state)
{
	struct nfsec_handle *h = *state;
	struct families f = { 0 };

	NEED_HANDLE(h);
	assert_int_equal(getfamily_by_name(h, "nosuchfamily", &f), -ENOENT);
	assert_int_equal(f.count, 0);
	assert_true(strncmp(nfsec_error(h), "getfamily: ", 11) == 0);
}

static void test_dump(void **state)
{
	struct nfsec_handle *h = *state;
	struct families f = { 0 };

	NEED_HANDLE(h);
	assert_int_equal(nfsec_request(h, "getfamily", getfamily(h, NLM_F_DUMP), family_parse,
				       &f), 0);
	assert_true(f.count >= 1);
	assert_true(f.saw_nlctrl);
}

/* A reply the parser refuses fails the request, but the rest of the dump is drained. */
static void test_parse_error_drains(void **state)
{
	struct nfsec_handle *h = *state;
	struct families dump = { .fail_at = 1 };
	struct families after = { 0 };

	NEED_HANDLE(h);
	assert_int_equal(nfsec_request(h, "getfamily", getfamily(h, NLM_F_DUMP), family_parse,
				       &dump), -EPROTO);
	assert_int_equal(dump.count, 1);
	assert_string_equal(nfsec_error(h), "getfamily: failing reply 1 on purpose");

	assert_int_equal(getfamily_by_name(h, "nlctrl", &after), 0);
	assert_int_equal(after.count, 1);
	assert_true(after.saw_nlctrl);
}

/*
 * nfsec_get_version() builds and sends its request through the same loop: nlctrl has no
 * command 1 (NFSEC_CMD_GET_VERSION) to run, so the kernel's refusal must come back.
 */
static void test_get_version_reaches_kernel(void **state)
{
	struct nfsec_handle *h = *state;
	struct nfsec_version ver;

	NEED_HANDLE(h);
	assert_int_equal(nfsec_get_version(h, &ver), -EOPNOTSUPP);
	assert_true(strncmp(nfsec_error(h), "get version: ", 13) == 0);
	assert_non_null(strstr(nfsec_error(h), strerror(EOPNOTSUPP)));
}

/*
 * Likewise the policy calls: nlctrl has no commands 2, 4 or 5 (NFSEC_CMD_POLICY_NEW, GET and
 * FLUSH), so each request, "do" or dump, must come back refused under its own name.
 * (POLICY_DEL is 3, nlctrl's GETFAMILY, which would answer it.)
 */
static void policy_refused(struct nfsec_handle *h, int ret, const char *op)
{
	assert_int_equal(ret, -EOPNOTSUPP);
	assert_true(strncmp(nfsec_error(h), op, strlen(op)) == 0);
	assert_non_null(strstr(nfsec_error(h), strerror(EOPNOTSUPP)));
}

static int never_called(const struct nfsec_policy *p, void *arg)
{
	(void)p;
	(void)arg;
	fail_msg("a refused dump produced a policy");
	return 0;
}

static void test_policy_calls_reach_kernel(void **state)
{
	struct nfsec_handle *h = *state;
	struct nfsec_policy p = { .sel = { .family = AF_INET, .sport_max = 65535,
					   .dport_max = 65535 } };

	NEED_HANDLE(h);
	policy_refused(h, nfsec_policy_add(h, &p), "add policy: ");
	policy_refused(h, nfsec_policy_get(h, 1, &p), "get policy: ");
	policy_refused(h, nfsec_policy_dump(h, never_called, NULL), "list policies: ");
	policy_refused(h, nfsec_policy_flush(h, -1), "flush policies: ");
	policy_refused(h, nfsec_policy_flush(h, NFSEC_POLICY_DIR_IN), "flush policies: ");
}

static int no_sa(const struct nfsec_sa *sa, void *arg)
{
	(void)sa;
	(void)arg;
	fail_msg("a refused dump produced an SA");
	return 0;
}

/*
 * The SA and stats calls likewise: nlctrl has no "do" for commands 6 to 10 (NFSEC_CMD_SA_NEW
 * to NFSEC_CMD_STATS_GET) and no dump for 8 (SA_GET); GETPOLICY, 10, is a dump alone.
 */
static void test_sa_and_stats_calls_reach_kernel(void **state)
{
	struct nfsec_handle *h = *state;
	struct nfsec_sa sa = {
		.spi = 256, .dir = NFSEC_SA_DIR_IN, .family = AF_INET, .proto = IPPROTO_ESP,
		.aead = { .name = "rfc4106(gcm(aes))", .key_len = 20 }, .replay_window = 64,
	};
	uint64_t stats[NFSEC_STAT_A_MAX + 1];

	NEED_HANDLE(h);
	policy_refused(h, nfsec_sa_add(h, &sa), "add SA: ");
	policy_refused(h, nfsec_sa_del(h, 256, AF_INET, sa.dst, IPPROTO_ESP), "delete SA: ");
	policy_refused(h, nfsec_sa_get(h, 256, AF_INET, sa.dst, IPPROTO_ESP, &sa), "get SA: ");
	policy_refused(h, nfsec_sa_dump(h, no_sa, NULL), "list SAs: ");
	policy_refused(h, nfsec_sa_flush(h), "flush SAs: ");
	policy_refused(h, nfsec_stats_get(h, stats), "get stats: ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_do_request),
		cmocka_unit_test(test_error_with_extack),
		cmocka_unit_test(test_error_errno),
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_parse_error_drains),
		cmocka_unit_test(test_get_version_reaches_kernel),
		cmocka_unit_test(test_policy_calls_reach_kernel),
		cmocka_unit_test(test_sa_and_stats_calls_reach_kernel),
	};

	return cmocka_run_group_tests_name("request", tests, setup, teardown);
}
