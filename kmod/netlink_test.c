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
	u32 offs;			/* NLMSGERR_ATTR_OFFS, 0 when none */
	bool have_reply;
	unsigned int events;		/* multicast POLICY_NEW/DEL/FLUSH seen */
	u8 last_event;
	unsigned int policies;		/* NFSEC_CMD_POLICY_GET replies */
	unsigned int sas;		/* NFSEC_CMD_SA_GET replies */
	unsigned int keys;		/* ... with a key in them: must stay 0 */
	u16 encap_ports[2];		/* the last SA's UDP encapsulation, 0 without */
	u32 last_index;
	u32 family_version;
	char module_version[NFSEC_MODULE_VERSION_LEN];
	u64 netns_cookie;
};

static int nl_setsockopt(struct socket *sock, int opt, int val)
{
	return sock->ops->setsockopt(sock, SOL_NETLINK, opt, KERNEL_SOCKPTR(&val),
				     sizeof(val));
}

static struct socket *nl_open(struct kunit *test)
{
	struct socket *sock;

	KUNIT_ASSERT_EQ(test, 0, sock_create_kern(&init_net, AF_NETLINK, SOCK_RAW,
						  NETLINK_GENERIC, &sock));
	KUNIT_ASSERT_EQ(test, 0, nl_setsockopt(sock, NETLINK_EXT_ACK, 1));
	KUNIT_ASSERT_EQ(test, 0, nl_setsockopt(sock, NETLINK_CAP_ACK, 1));
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
	if (tb[NLMSGERR_ATTR_OFFS])
		res->offs = nla_get_u32(tb[NLMSGERR_ATTR_OFFS]);
}

static void parse_policy_reply(struct kunit *test, const struct nlmsghdr *nlh,
			       struct nl_result *res)
{
	struct nlattr *tb[NFSEC_A_MAX + 1], *ptb[NFSEC_POLICY_A_MAX + 1];

	KUNIT_ASSERT_EQ(test, 0, genlmsg_parse(nlh, &nfsec_genl_family, tb, NFSEC_A_MAX,
					       NULL, NULL));
	KUNIT_ASSERT_NOT_NULL(test, tb[NFSEC_A_POLICY]);
	KUNIT_ASSERT_EQ(test, 0, nla_parse_nested(ptb, NFSEC_POLICY_A_MAX, tb[NFSEC_A_POLICY],
						  NULL, NULL));
	KUNIT_ASSERT_NOT_NULL(test, ptb[NFSEC_POLICY_A_INDEX]);
	KUNIT_ASSERT_NOT_NULL(test, ptb[NFSEC_POLICY_A_SELECTOR]);
	res->policies++;
	res->last_index = nla_get_u32(ptb[NFSEC_POLICY_A_INDEX]);
}

static void parse_sa_reply(struct kunit *test, const struct nlmsghdr *nlh,
			   struct nl_result *res)
{
	struct nlattr *tb[NFSEC_A_MAX + 1], *stb[NFSEC_SA_A_MAX + 1];
	struct nlattr *atb[NFSEC_ALG_A_MAX + 1], *dtb[NFSEC_SA_DROP_A_MAX + 1];
	int alg, drop;

	KUNIT_ASSERT_EQ(test, 0, genlmsg_parse(nlh, &nfsec_genl_family, tb, NFSEC_A_MAX,
					       NULL, NULL));
	KUNIT_ASSERT_NOT_NULL(test, tb[NFSEC_A_SA]);
	KUNIT_ASSERT_EQ(test, 0, nla_parse_nested(stb, NFSEC_SA_A_MAX, tb[NFSEC_A_SA],
						  NULL, NULL));
	KUNIT_ASSERT_NOT_NULL(test, stb[NFSEC_SA_A_SPI]);
	/* Every reason an SA drops for, each there, none yet on a new SA. */
	KUNIT_ASSERT_NOT_NULL(test, stb[NFSEC_SA_A_DROPS]);
	KUNIT_ASSERT_EQ(test, 0, nla_parse_nested(dtb, NFSEC_SA_DROP_A_MAX, stb[NFSEC_SA_A_DROPS],
						  NULL, NULL));
	for (drop = NFSEC_SA_DROP_A_PAD + 1; drop <= NFSEC_SA_DROP_A_MAX; drop++) {
		KUNIT_ASSERT_NOT_NULL(test, dtb[drop]);
		KUNIT_EXPECT_EQ(test, nla_get_u64(dtb[drop]), 0ULL);
	}
	res->sas++;
	memset(res->encap_ports, 0, sizeof(res->encap_ports));
	if (stb[NFSEC_SA_A_ENCAP]) {
		struct nlattr *etb[NFSEC_ENCAP_A_MAX + 1];

		KUNIT_ASSERT_EQ(test, 0, nla_parse_nested(etb, NFSEC_ENCAP_A_MAX,
							  stb[NFSEC_SA_A_ENCAP], NULL, NULL));
		KUNIT_ASSERT_NOT_NULL(test, etb[NFSEC_ENCAP_A_TYPE]);
		KUNIT_ASSERT_NOT_NULL(test, etb[NFSEC_ENCAP_A_SPORT]);
		KUNIT_ASSERT_NOT_NULL(test, etb[NFSEC_ENCAP_A_DPORT]);
		KUNIT_EXPECT_EQ(test, nla_get_u8(etb[NFSEC_ENCAP_A_TYPE]), NFSEC_ENCAP_ESPINUDP);
		res->encap_ports[0] = nla_get_u16(etb[NFSEC_ENCAP_A_SPORT]);
		res->encap_ports[1] = nla_get_u16(etb[NFSEC_ENCAP_A_DPORT]);
	}
	for (alg = NFSEC_SA_A_AEAD; alg <= NFSEC_SA_A_AUTH; alg++) {
		if (!stb[alg])
			continue;
		KUNIT_ASSERT_EQ(test, 0, nla_parse_nested(atb, NFSEC_ALG_A_MAX, stb[alg],
							  NULL, NULL));
		KUNIT_EXPECT_NOT_NULL(test, atb[NFSEC_ALG_A_NAME]);
		if (atb[NFSEC_ALG_A_KEY])
			res->keys++;
	}
}

static void parse_reply(struct kunit *test, const struct nlmsghdr *nlh,
			struct nl_result *res)
{
	static const struct nla_policy reply_policy[NFSEC_A_MAX + 1] = {
		[NFSEC_A_FAMILY_VERSION] = { .type = NLA_U32 },
		[NFSEC_A_MODULE_VERSION] = { .type = NLA_NUL_STRING },
		[NFSEC_A_NETNS_COOKIE] = { .type = NLA_U64 },
	};
	struct genlmsghdr *gnlh = nlmsg_data(nlh);
	struct nlattr *tb[NFSEC_A_MAX + 1];

	if (gnlh->cmd == NFSEC_CMD_POLICY_GET) {
		parse_policy_reply(test, nlh, res);
		return;
	}
	if (gnlh->cmd == NFSEC_CMD_SA_GET) {
		parse_sa_reply(test, nlh, res);
		return;
	}
	if (gnlh->cmd == NFSEC_CMD_POLICY_NEW || gnlh->cmd == NFSEC_CMD_POLICY_DEL ||
	    gnlh->cmd == NFSEC_CMD_POLICY_FLUSH) {
		KUNIT_EXPECT_EQ(test, nlh->nlmsg_pid, 0U);
		res->events++;
		res->last_event = gnlh->cmd;
		return;
	}
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

static void parse_one(struct kunit *test, const struct nlmsghdr *nlh, struct nl_result *res)
{
	if (nlh->nlmsg_type == NLMSG_ERROR)
		parse_ack(test, nlh, res);
	else if (nlh->nlmsg_type == NLMSG_DONE)
		res->acked = true;
	else if (nlh->nlmsg_type == nfsec_genl_family.id)
		parse_reply(test, nlh, res);
	else
		KUNIT_FAIL(test, "unexpected message type %u", nlh->nlmsg_type);
}

/*
 * Sends @skb (consumed) and collects every message the kernel queued in answer; with
 * @listen, from a socket in the events group, so the events it caused come too.
 */
static void nl_transact_listen(struct kunit *test, struct sk_buff *skb,
			       struct nl_result *res, bool listen)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct msghdr msg = { .msg_name = &kernel, .msg_namelen = sizeof(kernel) };
	struct socket *sock = nl_open(test);

	if (listen)
		KUNIT_ASSERT_EQ(test, 0, nl_setsockopt(sock, NETLINK_ADD_MEMBERSHIP,
						       nfsec_genl_family.mcgrp_offset));
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
		/* a dump packs as many messages in one datagram as fit */
		for (; nlmsg_ok(nlh, len); nlh = nlmsg_next(nlh, &len))
			parse_one(test, nlh, res);
	}
	sock_release(sock);
}

static void nl_transact(struct kunit *test, struct sk_buff *skb, struct nl_result *res)
{
	nl_transact_listen(test, skb, res, false);
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

/* Policies: a valid request, and what each bad one changes in it. */
enum {
	POL_NO_POLICY = BIT(0),
	POL_NO_DIR = BIT(1),
	POL_NO_SELECTOR = BIT(2),
	POL_NO_FAMILY = BIT(3),
	POL_WITH_INDEX = BIT(4),
	POL_NOT_NESTED = BIT(5),
};

struct pol_req {
	const char *name;
	int error;
	const char *extack;	/* exact, or NULL for any non-empty */
	u8 flags;
	u8 dir, action;
	u16 family;		/* 0: AF_INET */
	u8 addr_len;		/* 0: 4 */
	u8 sprefix;		/* 0: 24 */
	u16 sport_min, sport_max;	/* max 0: 65535 */
};

static int fill_policy(struct sk_buff *skb, const struct pol_req *r)
{
	u8 addr[17] = { 10, 1, 2, 0 };
	struct nlattr *pol, *sel;

	if (r->flags & POL_NO_POLICY)
		return 0;
	pol = nla_nest_start(skb, NFSEC_A_POLICY);
	if (!pol)
		return -EMSGSIZE;
	if ((!(r->flags & POL_NO_DIR) && nla_put_u8(skb, NFSEC_POLICY_A_DIR, r->dir)) ||
	    nla_put_u8(skb, NFSEC_POLICY_A_ACTION, r->action) ||
	    ((r->flags & POL_WITH_INDEX) && nla_put_u32(skb, NFSEC_POLICY_A_INDEX, 5)))
		return -EMSGSIZE;
	if (!(r->flags & POL_NO_SELECTOR)) {
		sel = r->flags & POL_NOT_NESTED ?
		      nla_nest_start_noflag(skb, NFSEC_POLICY_A_SELECTOR) :
		      nla_nest_start(skb, NFSEC_POLICY_A_SELECTOR);
		if (!sel ||
		    (!(r->flags & POL_NO_FAMILY) &&
		     nla_put_u16(skb, NFSEC_SEL_A_FAMILY, r->family ?: AF_INET)) ||
		    nla_put(skb, NFSEC_SEL_A_SRC, r->addr_len ?: 4, addr) ||
		    nla_put_u8(skb, NFSEC_SEL_A_SRC_PREFIX, r->sprefix ?: 24) ||
		    nla_put_u16(skb, NFSEC_SEL_A_SPORT_MIN, r->sport_min) ||
		    nla_put_u16(skb, NFSEC_SEL_A_SPORT_MAX, r->sport_max ?: U16_MAX))
			return -EMSGSIZE;
		nla_nest_end(skb, sel);
	}
	nla_nest_end(skb, pol);
	return 0;
}

static void policy_request(struct kunit *test, u8 cmd, u16 flags,
			   const struct pol_req *r, struct nl_result *res)
{
	struct sk_buff *skb = nl_request_new(test, cmd);

	nlmsg_hdr(skb)->nlmsg_flags |= flags;
	if (r)
		KUNIT_ASSERT_EQ(test, 0, fill_policy(skb, r));
	nl_transact(test, skb, res);
	KUNIT_ASSERT_TRUE(test, res->acked);
}

static void policy_events(struct kunit *test)
{
	const struct pol_req ok = { .dir = NFSEC_POLICY_DIR_IN, .action = NFSEC_POLICY_DISCARD };
	struct sk_buff *skb;
	struct nl_result res;

	skb = nl_request_new(test, NFSEC_CMD_POLICY_FLUSH);
	nl_transact_listen(test, skb, &res, true);
	KUNIT_EXPECT_EQ(test, res.error, 0);
	KUNIT_EXPECT_EQ(test, res.events, 1U);
	KUNIT_EXPECT_EQ(test, res.last_event, NFSEC_CMD_POLICY_FLUSH);

	skb = nl_request_new(test, NFSEC_CMD_POLICY_NEW);
	KUNIT_ASSERT_EQ(test, 0, fill_policy(skb, &ok));
	nl_transact_listen(test, skb, &res, true);
	KUNIT_EXPECT_EQ(test, res.error, 0);
	KUNIT_EXPECT_EQ(test, res.events, 1U);
	KUNIT_EXPECT_EQ(test, res.last_event, NFSEC_CMD_POLICY_NEW);

	/* A refused request announces nothing. */
	skb = nl_request_new(test, NFSEC_CMD_POLICY_NEW);
	KUNIT_ASSERT_EQ(test, 0, fill_policy(skb, &ok));
	nl_transact_listen(test, skb, &res, true);
	KUNIT_EXPECT_EQ(test, res.error, -EEXIST);
	KUNIT_EXPECT_EQ(test, res.events, 0U);

	skb = nl_request_new(test, NFSEC_CMD_POLICY_FLUSH);
	nl_transact_listen(test, skb, &res, true);
	KUNIT_EXPECT_EQ(test, res.events, 1U);
}

static unsigned int policy_count(struct kunit *test)
{
	struct nl_result res;

	policy_request(test, NFSEC_CMD_POLICY_GET, NLM_F_DUMP, NULL, &res);
	KUNIT_EXPECT_EQ(test, res.error, 0);
	return res.policies;
}

static void policy_flush_all(struct kunit *test)
{
	struct nl_result res;

	policy_request(test, NFSEC_CMD_POLICY_FLUSH, 0, NULL, &res);
	KUNIT_EXPECT_EQ(test, res.error, 0);
}

static void policy_new_get_del(struct kunit *test)
{
	const struct pol_req ok = { .dir = NFSEC_POLICY_DIR_OUT, .action = NFSEC_POLICY_BYPASS };
	struct pol_req by_index = { .flags = POL_NO_SELECTOR | POL_WITH_INDEX };
	struct sk_buff *skb;
	struct nl_result res;
	struct nlattr *nest;
	u32 index;

	policy_flush_all(test);
	policy_request(test, NFSEC_CMD_POLICY_NEW, 0, &ok, &res);
	KUNIT_ASSERT_EQ(test, res.error, 0);
	policy_request(test, NFSEC_CMD_POLICY_GET, NLM_F_DUMP, NULL, &res);
	KUNIT_ASSERT_EQ(test, res.policies, 1U);
	index = res.last_index;

	policy_request(test, NFSEC_CMD_POLICY_NEW, 0, &ok, &res);
	KUNIT_EXPECT_EQ(test, res.error, -EEXIST);
	KUNIT_EXPECT_STREQ(test, res.extack,
			   "a policy with this direction, selector and priority exists");
	KUNIT_EXPECT_EQ(test, policy_count(test), 1U);

	/* Deleting by index: an index of 5 that no policy has is refused first. */
	if (index != 5) {
		policy_request(test, NFSEC_CMD_POLICY_DEL, 0, &by_index, &res);
		KUNIT_EXPECT_EQ(test, res.error, -ENOENT);
		KUNIT_EXPECT_STREQ(test, res.extack, "no policy has this index");
	}
	skb = nl_request_new(test, NFSEC_CMD_POLICY_DEL);
	nest = nla_nest_start(skb, NFSEC_A_POLICY);
	KUNIT_ASSERT_NOT_NULL(test, nest);
	KUNIT_ASSERT_EQ(test, 0, nla_put_u32(skb, NFSEC_POLICY_A_INDEX, index));
	nla_nest_end(skb, nest);
	nl_transact(test, skb, &res);
	KUNIT_EXPECT_EQ(test, res.error, 0);
	KUNIT_EXPECT_EQ(test, policy_count(test), 0U);
}

static const struct pol_req bad_policies[] = {
	{ "no policy", -EINVAL, "request needs a policy", POL_NO_POLICY },
	{ "no direction", -EINVAL, "policy needs a direction", POL_NO_DIR },
	{ "direction 3", -ERANGE, NULL, 0, 3 },
	{ "action 3", -ERANGE, NULL, 0, 0, 3 },
	{ "no selector", -EINVAL, "policy needs a selector", POL_NO_SELECTOR },
	{ "no family", -EINVAL, "selector needs a family", POL_NO_FAMILY },
	{ "family AF_UNIX", -EAFNOSUPPORT, "family must be AF_INET or AF_INET6", 0, 0, 0,
	  AF_UNIX },
	{ "v4 with 16 bytes", -EINVAL, "address length does not match the family", 0, 0, 0,
	  AF_INET, 16 },
	{ "address of 17 bytes", -ERANGE, NULL, 0, 0, 0, AF_INET6, 17 },
	{ "v4 prefix 33", -EINVAL, "prefix longer than the address", 0, 0, 0, AF_INET, 4, 33 },
	{ "v6 prefix 129", -ERANGE, NULL, 0, 0, 0, AF_INET6, 16, 129 },
	{ "ports reversed", -EINVAL, "port range with its minimum above its maximum", 0, 0, 0,
	  0, 0, 0, 2000, 1000 },
	{ "index on new", -EINVAL, "the kernel chooses the index", POL_WITH_INDEX },
	{ "selector not nested", -EINVAL, "NLA_F_NESTED is missing", POL_NOT_NESTED },
};

static void bad_policy_desc(const struct pol_req *r, char *desc)
{
	strscpy(desc, r->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bad_policy, bad_policies, bad_policy_desc);

static void policy_new_refuses(struct kunit *test)
{
	const struct pol_req *r = test->param_value;
	struct nl_result res;

	policy_flush_all(test);
	policy_request(test, NFSEC_CMD_POLICY_NEW, 0, r, &res);
	KUNIT_EXPECT_EQ(test, res.error, r->error);
	if (r->extack)
		KUNIT_EXPECT_STREQ(test, res.extack, r->extack);
	else
		KUNIT_EXPECT_NE(test, res.extack[0], '\0');
	/* Nothing changed. */
	KUNIT_EXPECT_EQ(test, policy_count(test), 0U);
}

/*
 * A list of policies, NFSEC_A_POLICIES: entries of source prefix 24, 25, 26, 27 but for
 * entry @bad (-1: none), which is @r. @starts gets the offset of each entry in the message.
 */
static struct sk_buff *policy_list(struct kunit *test, int bad, const struct pol_req *r,
				   u32 *starts)
{
	struct sk_buff *skb = nl_request_new(test, NFSEC_CMD_POLICY_NEW);
	struct nlattr *list = nla_nest_start(skb, NFSEC_A_POLICIES);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, list);
	for (i = 0; i < 4; i++) {
		struct pol_req ok = { .dir = NFSEC_POLICY_DIR_IN, .action = NFSEC_POLICY_BYPASS,
				      .sprefix = 24 + i };

		starts[i] = skb_tail_pointer(skb) - skb->data;
		KUNIT_ASSERT_EQ(test, 0, fill_policy(skb, i == bad ? r : &ok));
	}
	starts[i] = skb_tail_pointer(skb) - skb->data;
	nla_nest_end(skb, list);
	return skb;
}

static void policy_list_adds_in_order(struct kunit *test)
{
	struct nl_result res;
	u32 starts[5];

	policy_flush_all(test);
	nl_transact_listen(test, policy_list(test, -1, NULL, starts), &res, true);
	KUNIT_EXPECT_EQ(test, res.error, 0);
	KUNIT_EXPECT_EQ(test, res.events, 4U);
	KUNIT_EXPECT_EQ(test, policy_count(test), 4U);
	policy_flush_all(test);
}

/* Entry 2 of 4 bad in each way: entries 0 and 1 added, the error points into entry 2. */
static const struct pol_req bad_entries[] = {
	{ "entry 2 repeats entry 0", -EEXIST,
	  "a policy with this direction, selector and priority exists", 0,
	  NFSEC_POLICY_DIR_IN, NFSEC_POLICY_BYPASS, AF_INET, 4, 24 },
	{ "entry 2 without a direction", -EINVAL, "policy needs a direction", POL_NO_DIR },
	{ "entry 2 with prefix 33", -EINVAL, "prefix longer than the address", 0,
	  NFSEC_POLICY_DIR_IN, NFSEC_POLICY_BYPASS, AF_INET, 4, 33 },
	{ "entry 2 with an index", -EINVAL, "the kernel chooses the index", POL_WITH_INDEX },
};

KUNIT_ARRAY_PARAM(bad_entry, bad_entries, bad_policy_desc);

static void policy_list_stops_at_failure(struct kunit *test)
{
	const struct pol_req *r = test->param_value;
	struct nl_result res;
	u32 starts[5];

	policy_flush_all(test);
	nl_transact_listen(test, policy_list(test, 2, r, starts), &res, true);
	KUNIT_EXPECT_EQ(test, res.error, r->error);
	KUNIT_EXPECT_STREQ(test, res.extack, r->extack);
	KUNIT_EXPECT_GE(test, res.offs, starts[2]);
	KUNIT_EXPECT_LT(test, res.offs, starts[3]);
	KUNIT_EXPECT_EQ(test, res.events, 2U);
	KUNIT_EXPECT_EQ(test, policy_count(test), 2U);
	policy_flush_all(test);
}

static void policy_list_refuses_stray(struct kunit *test)
{
	struct sk_buff *skb = nl_request_new(test, NFSEC_CMD_POLICY_NEW);
	struct nlattr *list = nla_nest_start(skb, NFSEC_A_POLICIES);
	struct nl_result res;

	KUNIT_ASSERT_NOT_NULL(test, list);
	KUNIT_ASSERT_EQ(test, 0, nla_put_u32(skb, NFSEC_A_SOCKET_FD, 1));
	nla_nest_end(skb, list);
	policy_flush_all(test);
	nl_transact(test, skb, &res);
	KUNIT_EXPECT_EQ(test, res.error, -EINVAL);
	KUNIT_EXPECT_STREQ(test, res.extack, "a policy list holds only policies");
	KUNIT_EXPECT_EQ(test, policy_count(test), 0U);
}

/* SAs: a valid request (an inbound AES-GCM tunnel SA), and what each bad one changes. */
enum {
	SA_NO_SA = BIT(0),
	SA_NO_SPI = BIT(1),
	SA_NO_DIR = BIT(2),
	SA_NO_SRC = BIT(3),
	SA_NO_MODE = BIT(4),
	SA_NO_ALG = BIT(5),
	SA_AEAD_AND_ENC = BIT(6),
	SA_ENC_ONLY = BIT(7),
	SA_NO_KEY = BIT(8),
	SA_NAME_NOT_STRING = BIT(9),
	SA_ENCAP = BIT(10),		/* UDP encapsulation, ports 4500 and 4501 */
	SA_ENCAP_NO_DPORT = BIT(11),
	SA_ENCAP_SPORT0 = BIT(12),
	SA_ENCAP_TYPE2 = BIT(13),
	SA_V6 = BIT(14),		/* family AF_INET6 (give addr_len 16) */
	SA_ENCAP_MOVED = BIT(15),	/* with SA_ENCAP: source port 4600 */
};

struct sa_req {
	const char *name;
	int error;
	const char *extack;	/* exact, or NULL for any non-empty */
	u16 flags;
	u32 spi;		/* 0: 0x1000 */
	u8 dir;			/* NFSEC_SA_DIR_IN unless SA_... */
	u8 mode;		/* 0: tunnel (1) */
	u8 addr_len;		/* 0: 4 */
	const char *alg;	/* NULL: rfc4106(gcm(aes)) */
	u8 key_len;		/* 0: 20 */
	u32 icv_bits;		/* 0: left out */
	u32 replay;		/* 0: left out */
	u8 proto;		/* 0: left out */
};

static int put_test_alg(struct sk_buff *skb, int type, const char *name, u8 key_len,
			u32 icv_bits, u16 flags)
{
	static const u8 key[200];
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest ||
	    (flags & SA_NAME_NOT_STRING ? nla_put(skb, NFSEC_ALG_A_NAME, 4, "abcd") :
	     nla_put_string(skb, NFSEC_ALG_A_NAME, name)) ||
	    (!(flags & SA_NO_KEY) && nla_put(skb, NFSEC_ALG_A_KEY, key_len, key)) ||
	    (icv_bits && nla_put_u32(skb, NFSEC_ALG_A_ICV_BITS, icv_bits)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int put_test_encap(struct sk_buff *skb, u16 flags)
{
	struct nlattr *nest;

	if (!(flags & SA_ENCAP))
		return 0;
	nest = nla_nest_start(skb, NFSEC_SA_A_ENCAP);
	if (!nest ||
	    nla_put_u8(skb, NFSEC_ENCAP_A_TYPE,
		       flags & SA_ENCAP_TYPE2 ? 2 : NFSEC_ENCAP_ESPINUDP) ||
	    nla_put_u16(skb, NFSEC_ENCAP_A_SPORT,
			flags & SA_ENCAP_SPORT0 ? 0 : flags & SA_ENCAP_MOVED ? 4600 : 4500) ||
	    (!(flags & SA_ENCAP_NO_DPORT) && nla_put_u16(skb, NFSEC_ENCAP_A_DPORT, 4501)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int fill_sa(struct sk_buff *skb, const struct sa_req *r)
{
	const u8 src[16] = { 192, 168, 1, 2 }, dst[16] = { 192, 168, 1, 1 };
	u8 len = r->addr_len ?: 4;
	struct nlattr *sa;

	if (r->flags & SA_NO_SA)
		return 0;
	sa = nla_nest_start(skb, NFSEC_A_SA);
	if (!sa ||
	    (!(r->flags & SA_NO_SPI) && nla_put_u32(skb, NFSEC_SA_A_SPI, r->spi ?: 0x1000)) ||
	    (!(r->flags & SA_NO_DIR) && nla_put_u8(skb, NFSEC_SA_A_DIR, r->dir)) ||
	    nla_put_u16(skb, NFSEC_SA_A_FAMILY, r->flags & SA_V6 ? AF_INET6 : AF_INET) ||
	    (!(r->flags & SA_NO_SRC) && nla_put(skb, NFSEC_SA_A_SRC, len, src)) ||
	    nla_put(skb, NFSEC_SA_A_DST, len, dst) ||
	    (!(r->flags & SA_NO_MODE) && nla_put_u8(skb, NFSEC_SA_A_MODE, r->mode ?: 1)) ||
	    (r->replay && nla_put_u32(skb, NFSEC_SA_A_REPLAY_WINDOW, r->replay)) ||
	    (r->proto && nla_put_u8(skb, NFSEC_SA_A_PROTO, r->proto)) ||
	    put_test_encap(skb, r->flags))
		return -EMSGSIZE;
	if (r->flags & (SA_ENC_ONLY | SA_AEAD_AND_ENC)) {
		if (put_test_alg(skb, NFSEC_SA_A_ENC, "cbc(aes)", 16, 0, 0))
			return -EMSGSIZE;
	}
	if (!(r->flags & (SA_NO_ALG | SA_ENC_ONLY)) &&
	    put_test_alg(skb, NFSEC_SA_A_AEAD, r->alg ?: "rfc4106(gcm(aes))",
			 r->key_len ?: 20, r->icv_bits, r->flags))
		return -EMSGSIZE;
	nla_nest_end(skb, sa);
	return 0;
}

static void sa_request(struct kunit *test, u8 cmd, u16 flags, const struct sa_req *r,
		       struct nl_result *res)
{
	struct sk_buff *skb = nl_request_new(test, cmd);

	nlmsg_hdr(skb)->nlmsg_flags |= flags;
	if (r)
		KUNIT_ASSERT_EQ(test, 0, fill_sa(skb, r));
	nl_transact(test, skb, res);
	KUNIT_ASSERT_TRUE(test, res->acked);
}

static unsigned int sa_count(struct kunit *test)
{
	struct nl_result res;

	sa_request(test, NFSEC_CMD_SA_GET, NLM_F_DUMP, NULL, &res);
	KUNIT_EXPECT_EQ(test, res.error, 0);
	KUNIT_EXPECT_EQ(test, res.keys, 0U);
	return res.sas;
}

static void sa_new_get_del(struct kunit *test)
{
	const struct sa_req ok = { .name = "ok" };
	struct nl_result res;

	sa_request(test, NFSEC_CMD_SA_FLUSH, 0, NULL, &res);
	KUNIT_ASSERT_EQ(test, res.error, 0);
	sa_request(test, NFSEC_CMD_SA_NEW, 0, &ok, &res);
	KUNIT_ASSERT_EQ(test, res.error, 0);
	KUNIT_EXPECT_EQ(test, sa_count(test), 1U);

	sa_request(test, NFSEC_CMD_SA_NEW, 0, &ok, &res);
	KUNIT_EXPECT_EQ(test, res.error, -EEXIST);
	KUNIT_EXPECT_STREQ(test, res.extack,
			   "an SA with this SPI, destination and protocol exists");

	/* get: the SA, without its key */
	sa_request(test, NFSEC_CMD_SA_GET, 0, &ok, &res);
	KUNIT_EXPECT_EQ(test, res.error, 0);
	KUNIT_EXPECT_EQ(test, res.sas, 1U);
	KUNIT_EXPECT_EQ(test, res.keys, 0U);

	sa_request(test, NFSEC_CMD_SA_DEL, 0, &ok, &res);
	KUNIT_EXPECT_EQ(test, res.error, 0);
	KUNIT_EXPECT_EQ(test, sa_count(test), 0U);
	sa_request(test, NFSEC_CMD_SA_DEL, 0, &ok, &res);
	KUNIT_EXPECT_EQ(test, res.error, -ENOENT);
	KUNIT_EXPECT_STREQ(test, res.extack, "no SA has this SPI, destination and protocol");
}

/* An SA's UDP encapsulation is given back as it was given; one without has none. */
static void sa_encap_given_back(struct kunit *test)
{
	const struct sa_req encap = { .name = "encap", .flags = SA_ENCAP };
	const struct sa_req plain = { .name = "plain", .spi = 0x1001 };
	struct nl_result res;

	sa_request(test, NFSEC_CMD_SA_FLUSH, 0, NULL, &res);
	sa_request(test, NFSEC_CMD_SA_NEW, 0, &encap, &res);
	KUNIT_ASSERT_EQ(test, res.error, 0);
	sa_request(test, NFSEC_CMD_SA_NEW, 0, &plain, &res);
	KUNIT_ASSERT_EQ(test, res.error, 0);
	sa_request(test, NFSEC_CMD_SA_GET, 0, &encap, &res);
	KUNIT_EXPECT_EQ(test, res.error, 0);
	KUNIT_EXPECT_EQ(test, res.sas, 1U);
	KUNIT_EXPECT_EQ(test, res.encap_ports[0], 4500);
	KUNIT_EXPECT_EQ(test, res.encap_ports[1], 4501);
	sa_request(test, NFSEC_CMD_SA_GET, 0, &plain, &res);
	KUNIT_EXPECT_EQ(test, res.error, 0);
	KUNIT_EXPECT_EQ(test, res.encap_ports[0], 0);
	sa_request(test, NFSEC_CMD_SA_FLUSH, 0, NULL, &res);
}

/*
 * SA_SET moves an SA's encapsulation ports in place; it refuses a request without them,
 * an SA without encapsulation, and an SA that does not exist.
 */
static void sa_set_moves_ports(struct kunit *test)
{
	const struct sa_req encap = { .name = "encap", .flags = SA_ENCAP };
	const struct sa_req moved = { .name = "moved", .flags = SA_ENCAP | SA_ENCAP_MOVED };
	const struct sa_req plain = { .name = "plain", .spi = 0x1001 };
	const struct sa_req plain_moved = { .name = "plain moved", .spi = 0x1001,
					    .flags = SA_ENCAP | SA_ENCAP_MOVED };
	const struct sa_req absent = { .name = "absent", .spi = 0x1002,
				       .flags = SA_ENCAP | SA_ENCAP_MOVED };
	struct nl_result res;

	sa_request(test, NFSEC_CMD_SA_FLUSH, 0, NULL, &res);
	sa_request(test, NFSEC_CMD_SA_NEW, 0, &encap, &res);
	KUNIT_ASSERT_EQ(test, res.error, 0);
	sa_request(test, NFSEC_CMD_SA_NEW, 0, &plain, &res);
	KUNIT_ASSERT_EQ(test, res.error, 0);

	sa_request(test, NFSEC_CMD_SA_SET, 0, &moved, &res);
	KUNIT_EXPECT_EQ(test, res.error, 0);
	sa_request(test, NFSEC_CMD_SA_GET, 0, &encap, &res);
	KUNIT_EXPECT_EQ(test, res.encap_ports[0], 4600);
	KUNIT_EXPECT_EQ(test, res.encap_ports[1], 4501);

	sa_request(test, NFSEC_CMD_SA_SET, 0, &encap, &res);
	KUNIT_EXPECT_EQ(test, res.error, 0);
	sa_request(test, NFSEC_CMD_SA_SET, 0, &plain, &res);
	KUNIT_EXPECT_EQ(test, res.error, -EINVAL);
	KUNIT_EXPECT_STREQ(test, res.extack,
			   "nothing to change: only the encapsulation ports can be set");
	sa_request(test, NFSEC_CMD_SA_SET, 0, &plain_moved, &res);
	KUNIT_EXPECT_EQ(test, res.error, -EINVAL);
	KUNIT_EXPECT_STREQ(test, res.extack,
			   "the SA has no UDP encapsulation of this type: add a new SA");
	sa_request(test, NFSEC_CMD_SA_GET, 0, &plain, &res);
	KUNIT_EXPECT_EQ(test, res.encap_ports[0], 0);
	sa_request(test, NFSEC_CMD_SA_SET, 0, &absent, &res);
	KUNIT_EXPECT_EQ(test, res.error, -ENOENT);
	sa_request(test, NFSEC_CMD_SA_GET, 0, &encap, &res);
	KUNIT_EXPECT_EQ(test, res.encap_ports[0], 4500);
	sa_request(test, NFSEC_CMD_SA_FLUSH, 0, NULL, &res);
}

/* One datagram of a dump: its SAs' SPIs into @spis (from *@n on), flags seen, the end. */
struct dump_read {
	u32 spis[128];
	unsigned int n, parts;
	bool intr, done;
};

static void dump_read_part(struct kunit *test, struct socket *sock, void *buf,
			   struct dump_read *d)
{
	struct kvec iov = { .iov_base = buf, .iov_len = 16384 };
	struct nlattr *tb[NFSEC_A_MAX + 1], *stb[NFSEC_SA_A_MAX + 1];
	struct msghdr rx = {};
	struct nlmsghdr *nlh;
	int len;

	len = kernel_recvmsg(sock, &rx, &iov, 1, 16384, MSG_DONTWAIT);
	KUNIT_ASSERT_GT(test, len, 0);
	d->parts++;
	for (nlh = buf; nlmsg_ok(nlh, len); nlh = nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_type == NLMSG_DONE) {
			d->done = true;
			return;
		}
		KUNIT_ASSERT_EQ(test, nlh->nlmsg_type, nfsec_genl_family.id);
		d->intr |= !!(nlh->nlmsg_flags & NLM_F_DUMP_INTR);
		KUNIT_ASSERT_EQ(test, 0, genlmsg_parse(nlh, &nfsec_genl_family, tb, NFSEC_A_MAX,
						       NULL, NULL));
		KUNIT_ASSERT_EQ(test, 0, nla_parse_nested(stb, NFSEC_SA_A_MAX, tb[NFSEC_A_SA],
							  NULL, NULL));
		KUNIT_ASSERT_LT(test, d->n, ARRAY_SIZE(d->spis));
		d->spis[d->n++] = nla_get_u32(stb[NFSEC_SA_A_SPI]);
	}
}

static struct socket *dump_start(struct kunit *test)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct msghdr msg = { .msg_name = &kernel, .msg_namelen = sizeof(kernel) };
	struct sk_buff *skb = nl_request_new(test, NFSEC_CMD_SA_GET);
	struct socket *sock = nl_open(test);
	struct kvec iov;

	nlmsg_hdr(skb)->nlmsg_flags |= NLM_F_DUMP;
	nlmsg_end(skb, nlmsg_hdr(skb));
	iov.iov_base = skb->data;
	iov.iov_len = skb->len;
	KUNIT_EXPECT_EQ(test, kernel_sendmsg(sock, &msg, &iov, 1, skb->len), (int)skb->len);
	kfree_skb(skb);
	return sock;
}

/*
 * A dump of many SAs comes in several parts, each going on where the last ended: every SA
 * once, in the order they were added, nothing flagged. An SA added between two parts
 * flags the parts after it NLM_F_DUMP_INTR (the reader may read again).
 */
static void sa_dump_parts(struct kunit *test)
{
	const struct sa_req late = { .name = "late", .spi = 0x3000 };
	void *buf = kunit_kzalloc(test, 16384, GFP_KERNEL);
	struct dump_read *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	struct nl_result res;
	struct socket *sock;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, d);
	sa_request(test, NFSEC_CMD_SA_FLUSH, 0, NULL, &res);
	for (i = 0; i < 60; i++) {
		struct sa_req r = { .name = "dump", .spi = 0x2000 + i };

		sa_request(test, NFSEC_CMD_SA_NEW, 0, &r, &res);
		KUNIT_ASSERT_EQ(test, res.error, 0);
	}

	sock = dump_start(test);
	while (!d->done)
		dump_read_part(test, sock, buf, d);
	sock_release(sock);
	KUNIT_EXPECT_GT(test, d->parts, 2U);
	KUNIT_EXPECT_FALSE(test, d->intr);
	KUNIT_ASSERT_EQ(test, d->n, 60U);
	for (i = 0; i < 60; i++)
		KUNIT_EXPECT_EQ(test, d->spis[i], 0x2000 + i);

	memset(d, 0, sizeof(*d));
	sock = dump_start(test);
	dump_read_part(test, sock, buf, d);
	KUNIT_EXPECT_FALSE(test, d->intr);
	sa_request(test, NFSEC_CMD_SA_NEW, 0, &late, &res);
	KUNIT_ASSERT_EQ(test, res.error, 0);
	while (!d->done)
		dump_read_part(test, sock, buf, d);
	sock_release(sock);
	KUNIT_EXPECT_TRUE(test, d->intr);
	sa_request(test, NFSEC_CMD_SA_FLUSH, 0, NULL, &res);
}

static const struct sa_req bad_sas[] = {
	{ "no SA", -EINVAL, "request needs an SA", SA_NO_SA },
	{ "no SPI", -EINVAL, "SA needs an SPI", SA_NO_SPI },
	{ "SPI 255", -ERANGE, NULL, 0, 255 },
	{ "no direction", -EINVAL, "SA needs a direction", SA_NO_DIR },
	{ "direction 2", -ERANGE, NULL, 0, 0, 2 },
	{ "no source", -EINVAL, "SA needs a source", SA_NO_SRC },
	{ "no mode", -EINVAL, "SA needs a mode", SA_NO_MODE },
	{ "mode 2", -ERANGE, NULL, 0, 0, NFSEC_SA_DIR_IN, 2 },
	{ "v4 with 16 bytes", -EINVAL, "address length does not match the family", 0, 0,
	  NFSEC_SA_DIR_IN, 0, 16 },
	{ "no algorithm", -EINVAL,
	  "an SA needs an AEAD, or both encryption and authentication", SA_NO_ALG },
	{ "enc without auth", -EINVAL,
	  "an SA needs an AEAD, or both encryption and authentication", SA_ENC_ONLY },
	{ "aead and enc", -EINVAL, "an AEAD takes no separate encryption or authentication",
	  SA_AEAD_AND_ENC },
	{ "unknown algorithm", -ENOENT, "unknown or unsupported algorithm", 0, 0,
	  NFSEC_SA_DIR_IN, 0, 0, "gcm(des)" },
	{ "name not a string", -EINVAL, NULL, SA_NAME_NOT_STRING },
	{ "no key", -EINVAL, "algorithm needs a key", SA_NO_KEY },
	{ "key of 17 bytes", -EINVAL, "key length does not fit the algorithm", 0, 0,
	  NFSEC_SA_DIR_IN, 0, 0, NULL, 17 },
	{ "key of 200 bytes", -ERANGE, NULL, 0, 0, NFSEC_SA_DIR_IN, 0, 0, NULL, 200 },
	{ "ICV 100 bits", -EINVAL, "ICV length must be whole bytes, not 0", 0, 0,
	  NFSEC_SA_DIR_IN, 0, 0, NULL, 0, 100 },
	{ "ICV 80 bits", -EINVAL, "ICV length does not fit the algorithm", 0, 0,
	  NFSEC_SA_DIR_IN, 0, 0, NULL, 0, 80 },
	{ "replay window 5000", -ERANGE, NULL, 0, 0, NFSEC_SA_DIR_IN, 0, 0, NULL, 0, 0,
	  5000 },
	{ "replay window outbound", -EINVAL, "only an inbound SA has a replay window", 0, 0,
	  NFSEC_SA_DIR_OUT, 0, 0, NULL, 0, 0, 32 },
	{ "protocol AH", -ERANGE, NULL, 0, 0, NFSEC_SA_DIR_IN, 0, 0, NULL, 0, 0, 0,
	  IPPROTO_AH },
	{ "encap without dport", -EINVAL, "encapsulation needs a destination port",
	  SA_ENCAP | SA_ENCAP_NO_DPORT },
	{ "encap sport 0", -ERANGE, NULL, SA_ENCAP | SA_ENCAP_SPORT0 },
	{ "encap type 2", -ERANGE, NULL, SA_ENCAP | SA_ENCAP_TYPE2 },
	{ "encap IPv6", -EOPNOTSUPP, "UDP encapsulation is IPv4 only for now", SA_ENCAP | SA_V6,
	  0, NFSEC_SA_DIR_IN, 0, 16 },
};

static void bad_sa_desc(const struct sa_req *r, char *desc)
{
	strscpy(desc, r->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bad_sa, bad_sas, bad_sa_desc);

static void sa_new_refuses(struct kunit *test)
{
	const struct sa_req *r = test->param_value;
	struct nl_result res;

	sa_request(test, NFSEC_CMD_SA_FLUSH, 0, NULL, &res);
	sa_request(test, NFSEC_CMD_SA_NEW, 0, r, &res);
	KUNIT_EXPECT_EQ(test, res.error, r->error);
	if (r->extack)
		KUNIT_EXPECT_STREQ(test, res.extack, r->extack);
	else
		KUNIT_EXPECT_NE(test, res.extack[0], '\0');
	/* Nothing changed. */
	KUNIT_EXPECT_EQ(test, sa_count(test), 0U);
}

#if IS_ENABLED(CONFIG_FAULT_INJECTION)
/*
 * Allocation failures, every one in turn: the request is sent with the task's fail-nth set
 * to n (with failslab, the nth allocation in this task from then on fails; the guest sets
 * failslab's ignore-gfp-wait to N so that GFP_KERNEL ones fail too), until a request makes
 * fewer than n allocations. Each time the kernel must answer with an error or succeed, and
 * a refused request must change nothing; the harness then checks the log for splats and
 * kmemleak for leaks.
 */
struct fault_run {
	int error;		/* the ack's, or sendmsg's own */
	bool ack_lost;		/* no room for the answer: done or not, the sender can't tell */
	bool reached;		/* the nth allocation happened (and failed) */
};

static void fault_transact(struct kunit *test, struct sk_buff *skb, unsigned int nth,
			   struct fault_run *run)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct msghdr msg = { .msg_name = &kernel, .msg_namelen = sizeof(kernel) };
	struct socket *sock = nl_open(test);
	struct kvec iov;
	void *buf;
	int len;

	buf = kunit_kzalloc(test, RX_BUF_LEN, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	nlmsg_end(skb, nlmsg_hdr(skb));
	iov.iov_base = skb->data;
	iov.iov_len = skb->len;
	run->error = 0;
	run->ack_lost = false;
	WRITE_ONCE(current->fail_nth, nth);
	len = kernel_sendmsg(sock, &msg, &iov, 1, skb->len);
	run->reached = !READ_ONCE(current->fail_nth);
	WRITE_ONCE(current->fail_nth, 0);
	kfree_skb(skb);
	if (len < 0)
		run->error = len;
	while (len >= 0) {
		struct msghdr rx = {};
		struct nlmsghdr *nlh = buf;

		iov.iov_base = buf;
		iov.iov_len = RX_BUF_LEN;
		len = kernel_recvmsg(sock, &rx, &iov, 1, RX_BUF_LEN, MSG_DONTWAIT);
		if (len == -EAGAIN)
			break;
		if (len < 0) {		/* ENOBUFS: the ack could not be allocated */
			run->ack_lost = true;
			break;
		}
		KUNIT_ASSERT_TRUE(test, nlmsg_ok(nlh, len));
		if (nlh->nlmsg_type == NLMSG_ERROR)
			run->error = run->error ?: ((struct nlmsgerr *)nlmsg_data(nlh))->error;
		else if (nlh->nlmsg_type == NLMSG_DONE && nlmsg_len(nlh) >= sizeof(int))
			run->error = run->error ?: *(int *)nlmsg_data(nlh);
	}
	sock_release(sock);
}

/* What a command changes, and how to put it back. */
struct fault_cmd {
	const char *name;
	u8 cmd;
	u16 flags;
	const struct pol_req *pol;
	const struct sa_req *sa;
	void (*prepare)(struct kunit *test);	/* before each try */
	bool sas;		/* it changes SAs, not policies */
	int delta;		/* what a success adds */
};

static const struct pol_req fault_pol = { .dir = NFSEC_POLICY_DIR_OUT,
					  .action = NFSEC_POLICY_DISCARD };
static const struct sa_req fault_sa_in = { .name = "in" };
static const struct sa_req fault_sa_out = { .name = "out", .dir = NFSEC_SA_DIR_OUT };
static const struct sa_req fault_sa_chacha = { .name = "chacha",
					       .alg = "rfc7539esp(chacha20,poly1305)",
					       .key_len = 36 };

static void fault_empty(struct kunit *test)
{
	struct nl_result res;

	sa_request(test, NFSEC_CMD_SA_FLUSH, 0, NULL, &res);
	policy_flush_all(test);
}

static void fault_one_sa(struct kunit *test)
{
	struct nl_result res;

	fault_empty(test);
	sa_request(test, NFSEC_CMD_SA_NEW, 0, &fault_sa_in, &res);
	KUNIT_ASSERT_EQ(test, res.error, 0);
}

static void fault_one_policy(struct kunit *test)
{
	struct nl_result res;

	fault_empty(test);
	policy_request(test, NFSEC_CMD_POLICY_NEW, 0, &fault_pol, &res);
	KUNIT_ASSERT_EQ(test, res.error, 0);
}

static const struct fault_cmd fault_cmds[] = {
	{ "sa new in", NFSEC_CMD_SA_NEW, 0, NULL, &fault_sa_in, fault_empty, true, 1 },
	{ "sa new out", NFSEC_CMD_SA_NEW, 0, NULL, &fault_sa_out, fault_empty, true, 1 },
	{ "sa new chacha", NFSEC_CMD_SA_NEW, 0, NULL, &fault_sa_chacha, fault_empty, true, 1 },
	{ "sa del", NFSEC_CMD_SA_DEL, 0, NULL, &fault_sa_in, fault_one_sa, true, -1 },
	{ "sa get", NFSEC_CMD_SA_GET, 0, NULL, &fault_sa_in, fault_one_sa, true, 0 },
	{ "sa dump", NFSEC_CMD_SA_GET, NLM_F_DUMP, NULL, NULL, fault_one_sa, true, 0 },
	{ "sa flush", NFSEC_CMD_SA_FLUSH, 0, NULL, NULL, fault_one_sa, true, -1 },
	{ "policy new", NFSEC_CMD_POLICY_NEW, 0, &fault_pol, NULL, fault_empty, false, 1 },
	{ "policy dump", NFSEC_CMD_POLICY_GET, NLM_F_DUMP, NULL, NULL, fault_one_policy, false,
	  0 },
	{ "policy flush", NFSEC_CMD_POLICY_FLUSH, 0, NULL, NULL, fault_one_policy, false, -1 },
	{ "stats", NFSEC_CMD_STATS_GET, 0, NULL, NULL, fault_empty, false, 0 },
	{ "version", NFSEC_CMD_GET_VERSION, 0, NULL, NULL, fault_empty, false, 0 },
};

static void fault_cmd_desc(const struct fault_cmd *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(fault_cmd, fault_cmds, fault_cmd_desc);

static void fault_every_allocation(struct kunit *test)
{
	const struct fault_cmd *c = test->param_value;
	unsigned int nth, failed = 0, before, after;
	struct fault_run run;
	struct sk_buff *skb;

	for (nth = 1; nth < 1000; nth++) {
		c->prepare(test);
		before = c->sas ? sa_count(test) : policy_count(test);
		skb = nl_request_new(test, c->cmd);
		nlmsg_hdr(skb)->nlmsg_flags |= c->flags;
		if (c->pol)
			KUNIT_ASSERT_EQ(test, 0, fill_policy(skb, c->pol));
		if (c->sa)
			KUNIT_ASSERT_EQ(test, 0, fill_sa(skb, c->sa));
		fault_transact(test, skb, nth, &run);
		after = c->sas ? sa_count(test) : policy_count(test);
		if (!run.reached) {
			/* every allocation has failed once: this try ran clean */
			KUNIT_EXPECT_EQ(test, run.error, 0);
			KUNIT_EXPECT_FALSE(test, run.ack_lost);
			break;
		}
		if (run.ack_lost && !run.error) {
			/* the request ran, or failed, before its ack could not be made */
			KUNIT_EXPECT_TRUE_MSG(test, after == before ||
					      (int)after - (int)before == c->delta,
					      "allocation %u: %u before, %u after", nth, before,
					      after);
		} else if (run.error) {
			failed++;
			KUNIT_EXPECT_EQ_MSG(test, after, before,
					    "allocation %u failed (%d) yet the state changed",
					    nth, run.error);
		} else if (c->delta) {
			/* the failed allocation was one the command may do without */
			KUNIT_EXPECT_EQ(test, (int)after - (int)before, c->delta);
		}
	}
	KUNIT_EXPECT_LT(test, nth, 1000U);
	kunit_info(test, "%u allocations, %u refused with an error", nth - 1, failed);
	fault_empty(test);
}
#endif

static struct kunit_case netlink_cases[] = {
	KUNIT_CASE(get_version_replies),
	KUNIT_CASE(get_version_accepts_own_version),
	KUNIT_CASE_PARAM(get_version_refuses, bad_request_gen_params),
	KUNIT_CASE(unknown_command_refused),
	KUNIT_CASE(policy_new_get_del),
	KUNIT_CASE(policy_events),
	KUNIT_CASE_PARAM(policy_new_refuses, bad_policy_gen_params),
	KUNIT_CASE(policy_list_adds_in_order),
	KUNIT_CASE_PARAM(policy_list_stops_at_failure, bad_entry_gen_params),
	KUNIT_CASE(policy_list_refuses_stray),
	KUNIT_CASE(sa_new_get_del),
	KUNIT_CASE(sa_dump_parts),
	KUNIT_CASE(sa_encap_given_back),
	KUNIT_CASE(sa_set_moves_ports),
	KUNIT_CASE_PARAM(sa_new_refuses, bad_sa_gen_params),
	{}
};

static struct kunit_suite netlink_suite = {
	.name = "nfsec_netlink",
	.test_cases = netlink_cases,
};

kunit_test_suite(netlink_suite);

#if IS_ENABLED(CONFIG_FAULT_INJECTION)
static struct kunit_case fault_cases[] = {
	KUNIT_CASE_PARAM(fault_every_allocation, fault_cmd_gen_params),
	{}
};

static struct kunit_suite fault_suite = {
	.name = "nfsec_fault",
	.test_cases = fault_cases,
};

kunit_test_suite(fault_suite);
#endif
