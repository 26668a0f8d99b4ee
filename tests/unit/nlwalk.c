// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <cmocka.h>

#include <linux/netlink.h>
#include <netlink/genl/genl.h>

#include <nfsec.h>

#include "nlwalk.h"

void expect_header(struct nl_msg *msg, uint8_t cmd, int flags)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gnlh = nlmsg_data(nlh);

	assert_int_equal(nlh->nlmsg_type, TEST_FAMILY);
	assert_int_equal(nlh->nlmsg_flags, flags);
	assert_int_equal(gnlh->cmd, cmd);
	assert_int_equal(gnlh->version, NFSEC_GENL_VERSION);
}

struct walk walk_msg(struct nl_msg *msg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	return (struct walk){ genlmsg_attrdata(nlmsg_data(nlh), 0),
			      genlmsg_attrlen(nlmsg_data(nlh), 0) };
}

struct walk walk_nest(struct nlattr *nest)
{
	return (struct walk){ nla_data(nest), nla_len(nest) };
}

struct nlattr *next_attr(struct walk *w, uint16_t type, int len)
{
	struct nlattr *nla = w->pos;

	assert_true(nla_ok(nla, w->rem));
	assert_int_equal(nla->nla_type, type);
	if (len >= 0)
		assert_int_equal(nla_len(nla), len);
	w->pos = nla_next(nla, &w->rem);
	return nla;
}

void walk_end(const struct walk *w)
{
	assert_int_equal(w->rem, 0);
}

void next_u8(struct walk *w, uint16_t type, uint8_t value)
{
	assert_int_equal(nla_get_u8(next_attr(w, type, 1)), value);
}

void next_u16(struct walk *w, uint16_t type, uint16_t value)
{
	assert_int_equal(nla_get_u16(next_attr(w, type, 2)), value);
}

void next_u32(struct walk *w, uint16_t type, uint32_t value)
{
	assert_int_equal(nla_get_u32(next_attr(w, type, 4)), value);
}

void next_u64(struct walk *w, uint16_t type, uint64_t value)
{
	assert_int_equal(nla_get_u64(next_attr(w, type, 8)), value);
}

void next_addr(struct walk *w, uint16_t type, const char *text, int len)
{
	uint8_t want[16] = { 0 };

	assert_int_equal(inet_pton(len == 4 ? AF_INET : AF_INET6, text, want), 1);
	assert_memory_equal(nla_data(next_attr(w, type, len)), want, len);
}

struct nl_msg *reply_new(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	assert_non_null(msg);
	assert_non_null(genlmsg_put(msg, 0, 1, TEST_FAMILY, 0, NLM_F_MULTI, cmd,
				    NFSEC_GENL_VERSION));
	return msg;
}
