// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the nfsec family seen from a netlink socket, as userspace sees it. Each case opens
 * a kernel NETLINK_GENERIC socket in init_net, sends a request through the real genetlink
 * path (policy validation included) and reads back the reply, the ack and the extack
 * message.
 */

#include <kunit/test.h>
#include <linux/net.h>
#include <linux/netlink.h>
#include <linux/socket.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <uapi/linux/nfsec.h>

#include "nfsec.h"
#include "netlink.h"

#define RX_BUF_LEN 4096

struct nl_result {
	int error;			/* from the ack: 0 or -errno */
	bool acked;
	char extack[128];		/* NLMSGERR_ATTR_MSG, empty when none */
	bool have_reply;
	u32 family_version;
	char module_version[NFSEC_MODULE_VERSION_LEN];
	u64 netns_cookie;
};

static int nl_setsockopt(struct socket *sock, int opt)
{
	int one = 1;

	return sock->ops->setsockopt(sock, SOL_NETLINK, opt, KERNEL_SOCKPTR(&one),
				     sizeof(one));
}

static struct socket *nl_open(struct kunit *test)
{
	struct socket *sock;

	KUNIT_ASSERT_EQ(test, 0, sock_create_kern(&init_net, AF_NETLINK, SOCK_RAW,
						  NETLINK_GENERIC, &sock));
	KUNIT_ASSERT_EQ(test, 0, nl_setsockopt(sock, NETLINK_EXT_ACK));
	KUNIT_ASSERT_EQ(test, 0, nl_setsockopt(sock, NETLINK_CAP_ACK));
	return sock;
}

static struct sk_buff *nl_request_new(struct kunit *test, u8 cmd)
{
	struct sk_buff *skb = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_NOT_NULL(test, genlmsg_put(skb, 0, 1, &nfsec_genl_family,
						NLM_F_REQUEST | NLM_F_ACK, cmd));
	return skb;
}

static void parse_ack(struct kunit *test, const struct nlmsghdr *nlh,
		      struct nl_result *res)
{
	const struct nlmsgerr *err = nlmsg_data(nlh);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	int tlv_len = nlh->nlmsg_len - nlmsg_msg_size(sizeof(*err));

	KUNIT_ASSERT_GE(test, tlv_len, 0);
	res->acked = true;
	res->error = err->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	KUNIT_ASSERT_TRUE(test, nlh->nlmsg_flags & NLM_F_CAPPED);
	KUNIT_ASSERT_EQ(test, 0, nla_parse(tb, NLMSGERR_ATTR_MAX,
					   (struct nlattr *)(err + 1), tlv_len,
					   NULL, NULL));
	if (tb[NLMSGERR_ATTR_MSG])
		nla_strscpy(res->extack, tb[NLMSGERR_ATTR_MSG], sizeof(res->extack));
}

static void parse_reply(struct kunit *test, const struct nlmsghdr *nlh,
			struct nl_result *res)
{
	static const struct nla_policy reply_policy[NFSEC_A_MAX + 1] = {
		[NFSEC_A_FAMILY_VERSION] = { .type = NLA_U32 },
		[NFSEC_A_MODULE_VERSION] = { .type = NLA_NUL_STRING },
		[NFSEC_A_NETNS_COOKIE] = { .type = NLA_U64 },
	};
	struct nlattr *tb[NFSEC_A_MAX + 1];

	KUNIT_ASSERT_EQ(test, 0, genlmsg_parse(nlh, &nfsec_genl_family, tb,
					       NFSEC_A_MAX, reply_policy, NULL));
	KUNIT_ASSERT_NOT_NULL(test, tb[NFSEC_A_FAMILY_VERSION]);
	KUNIT_ASSERT_NOT_NULL(test, tb[NFSEC_A_MODULE_VERSION]);
	KUNIT_ASSERT_NOT_NULL(test, tb[NFSEC_A_NETNS_COOKIE]);
	res->have_reply = true;
	res->family_version = nla_get_u32(tb[NFSEC_A_FAMILY_VERSION]);
	nla_strscpy(res->module_version, tb[NFSEC_A_MODULE_VERSION],
		    sizeof(res->module_version));
	res->netns_cookie = nla_get_u64(tb[NFSEC_A_NETNS_COOKIE]);
}

/* Sends @skb (consumed) and collects every message the kernel queued in answer. */
static void nl_transact(struct kunit *test, struct sk_buff *skb,
			struct nl_result *res)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct msghdr msg = { .msg_name = &kernel, .msg_namelen = sizeof(kernel) };
	struct socket *sock = nl_open(test);
	struct kvec iov;
	void *buf;
	int len;

	memset(res, 0, sizeof(*res));
	nlmsg_end(skb, nlmsg_hdr(skb));
	iov.iov_base = skb->data;
	iov.iov_len = skb->len;
	len = kernel_sendmsg(sock, &msg, &iov, 1, skb->len);
	KUNIT_EXPECT_EQ(test, len, (int)skb->len);
	kfree_skb(skb);

	buf = kunit_kzalloc(test, RX_BUF_LEN, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	/* genetlink runs in the sender's context: the answer is queued by now. */
	for (;;) {
		struct msghdr rx = {};
		struct nlmsghdr *nlh;

		iov.iov_base = buf;
		iov.iov_len = RX_BUF_LEN;
		len = kernel_recvmsg(sock, &rx, &iov, 1, RX_BUF_LEN, MSG_DONTWAIT);
		if (len == -EAGAIN)
			break;
		KUNIT_ASSERT_GT(test, len, 0);
		nlh = buf;
		KUNIT_ASSERT_TRUE(test, nlmsg_ok(nlh, len));
		if (nlh->nlmsg_type == NLMSG_ERROR)
			parse_ack(test, nlh, res);
		else if (nlh->nlmsg_type == nfsec_genl_family.id)
			parse_reply(test, nlh, res);
		else
			KUNIT_FAIL(test, "unexpected message type %u", nlh->nlmsg_type);
	}
	sock_release(sock);
}

static void get_version_replies(struct kunit *test)
{
	struct sk_buff *skb = nl_request_new(test, NFSEC_CMD_GET_VERSION);
	struct nl_result res;

	nl_transact(test, skb, &res);
	KUNIT_EXPECT_TRUE(test, res.acked);
	KUNIT_EXPECT_EQ(test, res.error, 0);
	KUNIT_ASSERT_TRUE(test, res.have_reply);
	KUNIT_EXPECT_EQ(test, res.family_version, NFSEC_GENL_VERSION);
	KUNIT_EXPECT_STREQ(test, res.module_version, NFSEC_VERSION);
	KUNIT_EXPECT_EQ(test, res.netns_cookie, init_net.net_cookie);
}

static void get_version_accepts_own_version(struct kunit *test)
{
	struct sk_buff *skb = nl_request_new(test, NFSEC_CMD_GET_VERSION);
	struct nl_result res;

	KUNIT_ASSERT_EQ(test, 0, nla_put_u32(skb, NFSEC_A_FAMILY_VERSION,
					     NFSEC_GENL_VERSION));
	nl_transact(test, skb, &res);
	KUNIT_EXPECT_EQ(test, res.error, 0);
	KUNIT_EXPECT_TRUE(test, res.have_reply);
}

/* Requests the family must refuse, each with the errno and an extack message. */
struct bad_request {
	const char *name;
	int (*fill)(struct sk_buff *skb);
	int error;
	const char *extack;	/* exact message, or NULL for "any non-empty" */
};

static int fill_unknown_attr(struct sk_buff *skb)
{
	return nla_put_u32(skb, NFSEC_A_MAX + 7, 1);
}

static int fill_short_version(struct sk_buff *skb)
{
	return nla_put_u16(skb, NFSEC_A_FAMILY_VERSION, 1);
}

static int fill_zero_version(struct sk_buff *skb)
{
	return nla_put_u32(skb, NFSEC_A_FAMILY_VERSION, 0);
}

static int fill_newer_version(struct sk_buff *skb)
{
	return nla_put_u32(skb, NFSEC_A_FAMILY_VERSION, NFSEC_GENL_VERSION + 1);
}

static int fill_reply_only_attr(struct sk_buff *skb)
{
	return nla_put_string(skb, NFSEC_A_MODULE_VERSION, "9.9.9");
}

static const struct bad_request bad_requests[] = {
	{ "unknown attribute", fill_unknown_attr, -EINVAL, "Unknown attribute type" },
	{ "u16 where u32", fill_short_version, -EINVAL, "invalid attribute length" },
	{ "version zero", fill_zero_version, -ERANGE, NULL },
	{ "newer version", fill_newer_version, -EOPNOTSUPP,
	  "sender speaks a newer family version than this module" },
	{ "reply-only attribute", fill_reply_only_attr, -EINVAL, "Unsupported attribute" },
};

static void bad_request_desc(const struct bad_request *r, char *desc)
{
	strscpy(desc, r->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bad_request, bad_requests, bad_request_desc);

static void get_version_refuses(struct kunit *test)
{
	const struct bad_request *r = test->param_value;
	struct sk_buff *skb = nl_request_new(test, NFSEC_CMD_GET_VERSION);
	struct nl_result res;

	KUNIT_ASSERT_EQ(test, 0, r->fill(skb));
	nl_transact(test, skb, &res);
	KUNIT_EXPECT_TRUE(test, res.acked);
	KUNIT_EXPECT_EQ(test, res.error, r->error);
	KUNIT_EXPECT_FALSE(test, res.have_reply);
	if (r->extack)
		KUNIT_EXPECT_STREQ(test, res.extack, r->extack);
	else
		KUNIT_EXPECT_NE(test, res.extack[0], '\0');
}

static void unknown_command_refused(struct kunit *test)
{
	struct sk_buff *skb = nl_request_new(test, NFSEC_CMD_MAX + 1);
	struct nl_result res;

	nl_transact(test, skb, &res);
	KUNIT_EXPECT_EQ(test, res.error, -EOPNOTSUPP);
	KUNIT_EXPECT_FALSE(test, res.have_reply);
}

static struct kunit_case netlink_cases[] = {
	KUNIT_CASE(get_version_replies),
	KUNIT_CASE(get_version_accepts_own_version),
	KUNIT_CASE_PARAM(get_version_refuses, bad_request_gen_params),
	KUNIT_CASE(unknown_command_refused),
	{}
};

static struct kunit_suite netlink_suite = {
	.name = "nfsec_netlink",
	.test_cases = netlink_cases,
};

kunit_test_suite(netlink_suite);
