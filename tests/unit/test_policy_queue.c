// SPDX-License-Identifier: GPL-2.0
/*
 * libnfsec's policy queue (lib/policy_queue.c): the lists it builds, one request kept from
 * one list to the next, and the tag of the entry the kernel refused. The request goes to
 * a fake of nfsec_request_keep() (ld --wrap), which keeps a copy and answers as told.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "internal.h"
#include "nlwalk.h"
#include "samples.h"

/* What the fake was sent, and what it answers. */
static struct {
	unsigned int calls;
	struct nl_msg *sent;	/* a copy of the last request */
	int ret;		/* 0, or the kernel's errno */
	uint32_t offs;		/* the offset the kernel's error points at */
} fake;

int __wrap_nfsec_request_keep(struct nfsec_handle *h, const char *op, struct nl_msg *msg,
			      nfsec_parse_fn parse, void *arg);

int __wrap_nfsec_request_keep(struct nfsec_handle *h, const char *op, struct nl_msg *msg,
			      nfsec_parse_fn parse, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	(void)parse;
	(void)arg;
	fake.calls++;
	nlmsg_free(fake.sent);
	fake.sent = nlmsg_convert(nlh);
	assert_non_null(fake.sent);
	/* as nl_send_auto() does: the request goes out with a port and a sequence number */
	nlh->nlmsg_pid = 4321;
	nlh->nlmsg_seq = 77 + fake.calls;
	if (!fake.ret)
		return 0;
	h->err_offs = fake.offs;
	return nfsec_seterr(h, fake.ret, "%s: refused", op);
}

static int setup(void **state)
{
	struct nfsec_handle *h = calloc(1, sizeof(*h));

	assert_non_null(h);
	h->family = TEST_FAMILY;
	memset(&fake, 0, sizeof(fake));
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	nfsec_close(*state);
	nlmsg_free(fake.sent);
	fake.sent = NULL;
	return 0;
}

/* sample_v4() with its priority set to n, to tell the entries apart. */
static struct nfsec_policy numbered(uint32_t n)
{
	struct nfsec_policy p = sample_v4();

	p.priority = n;
	return p;
}

/* The list of the last request: its entries' priorities must be want[0..n-1]. */
static void expect_list(const uint32_t *want, unsigned int n)
{
	struct nlmsghdr *nlh = nlmsg_hdr(fake.sent);
	struct walk top, list, pol;

	expect_header(fake.sent, NFSEC_CMD_POLICY_NEW, 0);
	assert_int_equal(nlh->nlmsg_pid, NL_AUTO_PORT);
	assert_int_equal(nlh->nlmsg_seq, NL_AUTO_SEQ);
	top = walk_msg(fake.sent);
	list = walk_nest(next_attr(&top, NFSEC_A_POLICIES | NLA_F_NESTED, -1));
	walk_end(&top);
	for (unsigned int i = 0; i < n; i++) {
		pol = walk_nest(next_attr(&list, NFSEC_A_POLICY | NLA_F_NESTED, -1));
		next_u8(&pol, NFSEC_POLICY_A_DIR, NFSEC_POLICY_DIR_OUT);
		next_u8(&pol, NFSEC_POLICY_A_ACTION, NFSEC_POLICY_BYPASS);
		next_u32(&pol, NFSEC_POLICY_A_PRIORITY, want[i]);
		next_attr(&pol, NFSEC_POLICY_A_SELECTOR | NLA_F_NESTED, -1);
		walk_end(&pol);
	}
	walk_end(&list);
}

static void queue(struct nfsec_handle *h, uint32_t n, unsigned long tag)
{
	struct nfsec_policy p = numbered(n);

	assert_int_equal(nfsec_policy_queue(h, &p, tag), 0);
}

/* One list a send; the next list is written over the last in the same request. */
static void test_lists(void **state)
{
	static const uint32_t first[] = { 1, 2, 3 }, second[] = { 4, 5 };
	struct nfsec_handle *h = *state;
	unsigned long failed = 0;

	assert_int_equal(nfsec_policy_queue_send(h, &failed), 0);
	assert_int_equal(fake.calls, 0);
	for (unsigned int i = 0; i < 3; i++)
		queue(h, first[i], 10 + i);
	assert_int_equal(nfsec_policy_queued(h), 3);
	assert_int_equal(nfsec_policy_queue_send(h, &failed), 0);
	assert_int_equal(fake.calls, 1);
	assert_int_equal(nfsec_policy_queued(h), 0);
	expect_list(first, 3);

	/* nothing queued: nothing sent */
	assert_int_equal(nfsec_policy_queue_send(h, &failed), 0);
	assert_int_equal(fake.calls, 1);

	for (unsigned int i = 0; i < 2; i++)
		queue(h, second[i], 20 + i);
	assert_int_equal(nfsec_policy_queue_send(h, &failed), 0);
	assert_int_equal(fake.calls, 2);
	expect_list(second, 2);
	assert_int_equal(failed, 0);
}

/* The offset of the i-th entry of the last request's list, from its nlmsghdr. */
static uint32_t entry_offset(unsigned int i)
{
	struct nlmsghdr *nlh = nlmsg_hdr(fake.sent);
	struct walk top = walk_msg(fake.sent);
	struct walk list = walk_nest(next_attr(&top, NFSEC_A_POLICIES | NLA_F_NESTED, -1));
	struct nlattr *nla = NULL;

	for (unsigned int k = 0; k <= i; k++)
		nla = next_attr(&list, NFSEC_A_POLICY | NLA_F_NESTED, -1);
	return (uint32_t)((char *)nla - (char *)nlh);
}

/*
 * A refused list names the tag of the entry the kernel's error points into (at its
 * start or within it), the first entry's when the error points nowhere; the queue is
 * empty after it.
 */
static void test_refused(void **state)
{
	struct nfsec_handle *h = *state;
	unsigned long failed = 0;
	uint32_t second, third;

	for (unsigned int i = 0; i < 3; i++)
		queue(h, 1 + i, 100 + i);
	assert_int_equal(nfsec_policy_queue_send(h, &failed), 0);
	second = entry_offset(1);
	third = entry_offset(2);

	fake.ret = -EEXIST;
	for (unsigned int i = 0; i < 3; i++)
		queue(h, 1 + i, 100 + i);
	fake.offs = second;
	assert_int_equal(nfsec_policy_queue_send(h, &failed), -EEXIST);
	assert_int_equal(failed, 101);
	assert_string_equal(nfsec_error(h), "add policy: refused");
	assert_int_equal(nfsec_policy_queued(h), 0);

	for (unsigned int i = 0; i < 3; i++)
		queue(h, 1 + i, 100 + i);
	fake.offs = third + 20;	/* within the third entry's selector */
	assert_int_equal(nfsec_policy_queue_send(h, &failed), -EEXIST);
	assert_int_equal(failed, 102);

	for (unsigned int i = 0; i < 3; i++)
		queue(h, 1 + i, 100 + i);
	fake.offs = 0;
	assert_int_equal(nfsec_policy_queue_send(h, &failed), -EEXIST);
	assert_int_equal(failed, 100);
}

/* NFSEC_POLICIES_MAX entries fill the queue; one more is refused until it is sent. */
static void test_full(void **state)
{
	struct nfsec_handle *h = *state;
	struct nfsec_policy p = numbered(0);
	uint32_t want[NFSEC_POLICIES_MAX];

	for (unsigned int i = 0; i < NFSEC_POLICIES_MAX; i++) {
		assert_false(nfsec_policy_queue_full(h));
		queue(h, i, i + 1);
		want[i] = i;
	}
	assert_true(nfsec_policy_queue_full(h));
	assert_int_equal(nfsec_policy_queue(h, &p, 999), -ENOBUFS);
	assert_string_equal(nfsec_error(h), "add policy: the queue is full: send it first");
	assert_int_equal(nfsec_policy_queue_send(h, NULL), 0);
	expect_list(want, NFSEC_POLICIES_MAX);
	assert_false(nfsec_policy_queue_full(h));
	queue(h, 7, 1);
	assert_int_equal(nfsec_policy_queue_send(h, NULL), 0);
	expect_list(want + 7, 1);
}

/* A policy libnfsec can tell is wrong is refused before it is queued. */
static void test_bad_policy(void **state)
{
	struct nfsec_handle *h = *state;
	struct nfsec_policy p = numbered(1);

	p.sel.family = 0;
	assert_int_equal(nfsec_policy_queue(h, &p, 1), -EINVAL);
	assert_int_equal(nfsec_policy_queued(h), 0);
	assert_int_equal(nfsec_policy_queue_send(h, NULL), 0);
	assert_int_equal(fake.calls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_policy, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
