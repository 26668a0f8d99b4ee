// SPDX-License-Identifier: GPL-2.0
/*
 * libnfsec without a kernel: the GET_VERSION reply parser and the decoding of the
 * kernel's error and extack messages, fed hand-built netlink messages.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "internal.h"

enum { FAMILY = 0x42 };

static struct nl_msg *reply_new(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	assert_non_null(msg);
	assert_non_null(genlmsg_put(msg, 0, 1, FAMILY, 0, 0, cmd, NFSEC_GENL_VERSION));
	return msg;
}

static struct nl_msg *version_reply(void)
{
	struct nl_msg *msg = reply_new(NFSEC_CMD_GET_VERSION);

	assert_int_equal(nla_put_u32(msg, NFSEC_A_FAMILY_VERSION, 1), 0);
	assert_int_equal(nla_put_string(msg, NFSEC_A_MODULE_VERSION, "0.1.0"), 0);
	assert_int_equal(nla_put_u64(msg, NFSEC_A_NETNS_COOKIE, 0x0123456789abcdefULL), 0);
	return msg;
}

/* Parses msg as a GET_VERSION reply; returns the result, with h's message and ver filled. */
static int parse_version(struct nl_msg *msg, struct nfsec_handle *h, struct nfsec_version *ver,
			 unsigned int *count)
{
	struct nfsec_version_reply reply = { .ver = ver };
	int ret;

	memset(ver, 0, sizeof(*ver));
	ret = nfsec_version_parse(h, nlmsg_hdr(msg), &reply);
	*count = reply.count;
	nlmsg_free(msg);
	return ret;
}

static void test_version_reply(void **state)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct nfsec_version ver;
	unsigned int count;

	(void)state;
	assert_int_equal(parse_version(version_reply(), &h, &ver, &count), 0);
	assert_int_equal(count, 1);
	assert_int_equal(ver.family_version, 1);
	assert_string_equal(ver.module_version, "0.1.0");
	assert_true(ver.netns_cookie == 0x0123456789abcdefULL);
}

/* A newer module may append attributes: they are ignored, not refused. */
static void test_version_unknown_attr(void **state)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct nl_msg *msg = version_reply();
	struct nfsec_version ver;
	unsigned int count;

	(void)state;
	assert_int_equal(nla_put_u32(msg, NFSEC_A_MAX + 1, 7), 0);
	assert_int_equal(parse_version(msg, &h, &ver, &count), 0);
	assert_int_equal(count, 1);
	assert_string_equal(ver.module_version, "0.1.0");
}

static void version_fails(struct nl_msg *msg, const char *want)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct nfsec_version ver;
	unsigned int count;

	assert_int_equal(parse_version(msg, &h, &ver, &count), -EBADMSG);
	assert_int_equal(count, 0);
	assert_string_equal(h.errmsg, want);
}

static void test_version_missing(void **state)
{
	struct nl_msg *msg;

	(void)state;
	msg = reply_new(NFSEC_CMD_GET_VERSION);
	nla_put_u32(msg, NFSEC_A_FAMILY_VERSION, 1);
	nla_put_string(msg, NFSEC_A_MODULE_VERSION, "0.1.0");
	version_fails(msg, "get version: reply lacks NFSEC_A_NETNS_COOKIE");

	msg = reply_new(NFSEC_CMD_GET_VERSION);
	nla_put_u32(msg, NFSEC_A_FAMILY_VERSION, 1);
	nla_put_u64(msg, NFSEC_A_NETNS_COOKIE, 1);
	version_fails(msg, "get version: reply lacks NFSEC_A_MODULE_VERSION");

	msg = reply_new(NFSEC_CMD_GET_VERSION);
	version_fails(msg, "get version: reply lacks NFSEC_A_FAMILY_VERSION");
}

static void test_version_wrong_lengths(void **state)
{
	static const char unterminated[] = { '0', '.', '1' };
	char too_long[NFSEC_MODULE_VERSION_LEN + 1];
	struct nl_msg *msg;

	(void)state;
	/* u32 sent as u16, then as u64: exact length is required */
	msg = reply_new(NFSEC_CMD_GET_VERSION);
	nla_put_u16(msg, NFSEC_A_FAMILY_VERSION, 1);
	version_fails(msg, "get version: malformed reply: attribute 1: Input data out of range");

	msg = reply_new(NFSEC_CMD_GET_VERSION);
	nla_put_u64(msg, NFSEC_A_FAMILY_VERSION, 1);
	version_fails(msg, "get version: malformed reply: attribute 1: Input data out of range");

	msg = reply_new(NFSEC_CMD_GET_VERSION);
	nla_put_u32(msg, NFSEC_A_NETNS_COOKIE, 1);
	version_fails(msg, "get version: malformed reply: attribute 3: Input data out of range");

	msg = reply_new(NFSEC_CMD_GET_VERSION);
	nla_put(msg, NFSEC_A_MODULE_VERSION, sizeof(unterminated), unterminated);
	version_fails(msg, "get version: malformed reply: attribute 2: "
			   "Invalid input data or parameter");

	/* NFSEC_MODULE_VERSION_LEN counts the NUL: one character more is refused */
	memset(too_long, 'x', sizeof(too_long) - 1);
	too_long[sizeof(too_long) - 1] = '\0';
	msg = reply_new(NFSEC_CMD_GET_VERSION);
	nla_put_string(msg, NFSEC_A_MODULE_VERSION, too_long);
	version_fails(msg, "get version: malformed reply: attribute 2: Input data out of range");
}

static void test_version_duplicate(void **state)
{
	struct nl_msg *msg = version_reply();

	(void)state;
	nla_put_u32(msg, NFSEC_A_FAMILY_VERSION, 2);
	version_fails(msg, "get version: malformed reply: attribute 1 appears twice");
}

static void test_version_longest_module_version(void **state)
{
	struct nfsec_handle h = { .family = FAMILY };
	char longest[NFSEC_MODULE_VERSION_LEN];
	struct nfsec_version ver;
	struct nl_msg *msg;
	unsigned int count;

	(void)state;
	memset(longest, 'x', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	msg = reply_new(NFSEC_CMD_GET_VERSION);
	nla_put_u32(msg, NFSEC_A_FAMILY_VERSION, 1);
	nla_put_string(msg, NFSEC_A_MODULE_VERSION, longest);
	nla_put_u64(msg, NFSEC_A_NETNS_COOKIE, 1);
	assert_int_equal(parse_version(msg, &h, &ver, &count), 0);
	assert_string_equal(ver.module_version, longest);
}

static void test_version_wrong_command(void **state)
{
	struct nl_msg *msg;

	(void)state;
	msg = reply_new(NFSEC_CMD_GET_VERSION + 1);
	nla_put_u32(msg, NFSEC_A_FAMILY_VERSION, 1);
	version_fails(msg, "get version: reply to command 2, expected 1");
}

/*
 * Builds what the kernel sends for an error: NLMSG_ERROR (or NLMSG_DONE with an int), the
 * echoed request unless capped, then the extack TLVs.
 */
static struct nl_msg *error_new(int err, int flags, const void *echo, size_t echo_len)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nlmsgerr *e;
	struct nlmsghdr *nlh;

	assert_non_null(msg);
	nlh = nlmsg_put(msg, 0, 1, NLMSG_ERROR, sizeof(*e), flags);
	assert_non_null(nlh);
	e = nlmsg_data(nlh);
	e->error = err;
	e->msg.nlmsg_len = NLMSG_HDRLEN + echo_len;
	e->msg.nlmsg_type = FAMILY;
	if (echo_len)
		assert_int_equal(nlmsg_append(msg, (void *)echo, echo_len, NLMSG_ALIGNTO), 0);
	return msg;
}

static struct nl_msg *done_new(int err, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nlmsghdr *nlh;

	assert_non_null(msg);
	nlh = nlmsg_put(msg, 0, 1, NLMSG_DONE, sizeof(err), NLM_F_MULTI | flags);
	assert_non_null(nlh);
	memcpy(nlmsg_data(nlh), &err, sizeof(err));
	return msg;
}

/* Decodes msg as the kernel's answer to "op"; returns the errno, h has the message. */
static int decode(struct nl_msg *msg, struct nfsec_handle *h)
{
	int ret = nfsec_kernel_error(h, "add sa", nlmsg_hdr(msg));

	nlmsg_free(msg);
	return ret;
}

static void test_error_capped_extack(void **state)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct nl_msg *msg = error_new(-EINVAL, NLM_F_CAPPED | NLM_F_ACK_TLVS, NULL, 0);

	(void)state;
	nla_put_string(msg, NLMSGERR_ATTR_MSG, "SPI 0 is reserved");
	nla_put_u32(msg, NLMSGERR_ATTR_OFFS, 20);
	assert_int_equal(decode(msg, &h), -EINVAL);
	assert_string_equal(h.errmsg, "add sa: SPI 0 is reserved (Invalid argument)");
}

/* Uncapped: the TLVs follow our request, whose odd length the kernel pads to 4. */
static void test_error_uncapped_extack(void **state)
{
	static const uint8_t request[] = { 1, 1, 0, 0, 5, 0, 1, 0, 9 };
	struct nfsec_handle h = { .family = FAMILY };
	struct nl_msg *msg = error_new(-EOPNOTSUPP, NLM_F_ACK_TLVS, request, sizeof(request));

	(void)state;
	nla_put_string(msg, NLMSGERR_ATTR_MSG, "family version 2 is newer than 1");
	assert_int_equal(decode(msg, &h), -EOPNOTSUPP);
	assert_string_equal(h.errmsg,
			    "add sa: family version 2 is newer than 1 (Operation not supported)");
}

static void test_error_missing_attribute(void **state)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct nl_msg *msg = error_new(-EINVAL, NLM_F_CAPPED | NLM_F_ACK_TLVS, NULL, 0);
	struct nl_msg *both = error_new(-EINVAL, NLM_F_CAPPED | NLM_F_ACK_TLVS, NULL, 0);

	(void)state;
	nla_put_u32(msg, NLMSGERR_ATTR_MISS_TYPE, 3);
	assert_int_equal(decode(msg, &h), -EINVAL);
	assert_string_equal(h.errmsg, "add sa: Invalid argument (missing attribute 3)");

	nla_put_string(both, NLMSGERR_ATTR_MSG, "no SPI");
	nla_put_u32(both, NLMSGERR_ATTR_MISS_TYPE, 3);
	assert_int_equal(decode(both, &h), -EINVAL);
	assert_string_equal(h.errmsg, "add sa: no SPI (Invalid argument; missing attribute 3)");
}

static void test_error_without_extack(void **state)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct nl_msg *msg = error_new(-EPERM, NLM_F_CAPPED, NULL, 0);

	(void)state;
	/* TLVs present but the flag saying so is not: they must be ignored */
	nla_put_string(msg, NLMSGERR_ATTR_MSG, "ignored");
	assert_int_equal(decode(msg, &h), -EPERM);
	assert_string_equal(h.errmsg, "add sa: Operation not permitted: nfsec needs CAP_NET_ADMIN, "
			    "to read as to change");
}

static void test_error_bad_extack(void **state)
{
	static const char unterminated[] = { 'b', 'a', 'd' };
	struct nfsec_handle h = { .family = FAMILY };
	struct nl_msg *msg = error_new(-EEXIST, NLM_F_CAPPED | NLM_F_ACK_TLVS, NULL, 0);

	(void)state;
	nla_put(msg, NLMSGERR_ATTR_MSG, sizeof(unterminated), unterminated);
	assert_int_equal(decode(msg, &h), -EEXIST);
	assert_string_equal(h.errmsg, "add sa: File exists");
}

static void test_ack_is_not_an_error(void **state)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct nl_msg *msg = error_new(0, NLM_F_CAPPED, NULL, 0);

	(void)state;
	assert_int_equal(decode(msg, &h), 0);
	assert_string_equal(h.errmsg, "");
}

static void test_error_truncated(void **state)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct nl_msg *msg = error_new(-EINVAL, NLM_F_CAPPED, NULL, 0);

	(void)state;
	nlmsg_hdr(msg)->nlmsg_len = NLMSG_HDRLEN + sizeof(int);
	assert_int_equal(decode(msg, &h), -EBADMSG);
	assert_string_equal(h.errmsg, "add sa: truncated error message from the kernel");
}

static void test_dump_done(void **state)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct nl_msg *ok = done_new(0, 0);
	struct nl_msg *bad = done_new(-ENOBUFS, NLM_F_ACK_TLVS);

	(void)state;
	assert_int_equal(decode(ok, &h), 0);
	assert_string_equal(h.errmsg, "");

	nla_put_string(bad, NLMSGERR_ATTR_MSG, "dump too large");
	assert_int_equal(decode(bad, &h), -ENOBUFS);
	assert_string_equal(h.errmsg, "add sa: dump too large (No buffer space available)");
}

static void test_handle_errors(void **state)
{
	struct nfsec_handle h = { .family = 0 };
	struct nl_msg *msg = (struct nl_msg *)&h;

	(void)state;
	assert_string_equal(nfsec_error(NULL), "out of memory");
	assert_string_equal(nfsec_error(&h), "no error");
	/* a handle whose open failed refuses requests instead of sending to family 0 */
	assert_int_equal(nfsec_msg_new(&h, "get version", NFSEC_CMD_GET_VERSION, 0, &msg),
			 -ENOTCONN);
	assert_null(msg);
	assert_string_equal(nfsec_error(&h), "get version: the handle is not open");
	assert_int_equal(nfsec_get_version(&h, &(struct nfsec_version){ 0 }), -ENOTCONN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_reply),
		cmocka_unit_test(test_version_unknown_attr),
		cmocka_unit_test(test_version_missing),
		cmocka_unit_test(test_version_wrong_lengths),
		cmocka_unit_test(test_version_duplicate),
		cmocka_unit_test(test_version_longest_module_version),
		cmocka_unit_test(test_version_wrong_command),
		cmocka_unit_test(test_error_capped_extack),
		cmocka_unit_test(test_error_uncapped_extack),
		cmocka_unit_test(test_error_missing_attribute),
		cmocka_unit_test(test_error_without_extack),
		cmocka_unit_test(test_error_bad_extack),
		cmocka_unit_test(test_ack_is_not_an_error),
		cmocka_unit_test(test_error_truncated),
		cmocka_unit_test(test_dump_done),
		cmocka_unit_test(test_handle_errors),
	};

	return cmocka_run_group_tests_name("libnfsec", tests, NULL, NULL);
}
