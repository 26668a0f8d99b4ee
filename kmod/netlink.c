// SPDX-License-Identifier: GPL-2.0
/*
 * The "nfsec" generic netlink family: one policy table per op, next to the op.
 * The attribute trees are drawn in include/uapi/linux/nfsec.h.
 */

#include <linux/module.h>
#include <net/sock.h>
#include <uapi/linux/nfsec.h>

#include "nfsec.h"
#include "netlink.h"

static const struct nla_policy get_version_policy[NFSEC_A_MAX + 1] = {
	[NFSEC_A_FAMILY_VERSION] = NLA_POLICY_MIN(NLA_U32, 1),
};

static int put_version(struct sk_buff *skb, const struct net *net)
{
	if (nla_put_u32(skb, NFSEC_A_FAMILY_VERSION, NFSEC_GENL_VERSION) ||
	    nla_put_string(skb, NFSEC_A_MODULE_VERSION, NFSEC_VERSION) ||
	    nla_put_u64_64bit(skb, NFSEC_A_NETNS_COOKIE, net->net_cookie,
			      NFSEC_A_PAD))
		return -EMSGSIZE;
	return 0;
}

static int nfsec_nl_get_version(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *want = info->attrs[NFSEC_A_FAMILY_VERSION];
	struct sk_buff *msg;
	void *hdr;
	int ret;

	if (want && nla_get_u32(want) > NFSEC_GENL_VERSION) {
		NL_SET_ERR_MSG_ATTR(info->extack, want,
				    "sender speaks a newer family version than this module");
		return -EOPNOTSUPP;
	}

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &nfsec_genl_family, 0,
				NFSEC_CMD_GET_VERSION);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto err_free;
	}
	ret = put_version(msg, genl_info_net(info));
	if (ret)
		goto err_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return ret;
}

/* Policies */

static const struct nla_policy selector_policy[NFSEC_SEL_A_MAX + 1] = {
	[NFSEC_SEL_A_FAMILY] = { .type = NLA_U16 },
	[NFSEC_SEL_A_SRC] = { .type = NLA_BINARY, .len = sizeof(struct in6_addr) },
	[NFSEC_SEL_A_SRC_PREFIX] = NLA_POLICY_MAX(NLA_U8, 128),
	[NFSEC_SEL_A_DST] = { .type = NLA_BINARY, .len = sizeof(struct in6_addr) },
	[NFSEC_SEL_A_DST_PREFIX] = NLA_POLICY_MAX(NLA_U8, 128),
	[NFSEC_SEL_A_PROTO] = { .type = NLA_U8 },
	[NFSEC_SEL_A_SPORT_MIN] = { .type = NLA_U16 },
	[NFSEC_SEL_A_SPORT_MAX] = { .type = NLA_U16 },
	[NFSEC_SEL_A_DPORT_MIN] = { .type = NLA_U16 },
	[NFSEC_SEL_A_DPORT_MAX] = { .type = NLA_U16 },
};

static const struct nla_policy policy_attr_policy[NFSEC_POLICY_A_MAX + 1] = {
	[NFSEC_POLICY_A_INDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[NFSEC_POLICY_A_DIR] = NLA_POLICY_MAX(NLA_U8, NFSEC_POLICY_DIR_MAX),
	[NFSEC_POLICY_A_ACTION] = NLA_POLICY_MAX(NLA_U8, NFSEC_POLICY_ACTION_MAX),
	[NFSEC_POLICY_A_PRIORITY] = { .type = NLA_U32 },
	[NFSEC_POLICY_A_SELECTOR] = NLA_POLICY_NESTED(selector_policy),
};

static const struct nla_policy policy_cmd_policy[NFSEC_A_MAX + 1] = {
	[NFSEC_A_POLICY] = NLA_POLICY_NESTED(policy_attr_policy),
};

/*
 * Sets the extack for a missing @type inside @nest (NULL: top level); true if missing.
 * @msg must be a string literal: the extack keeps the pointer.
 */
static bool attr_missing(struct netlink_ext_ack *extack, const struct nlattr *nest,
			 struct nlattr **tb, unsigned int type, const char *msg)
{
	if (tb[type])
		return false;
	if (extack)
		extack->_msg = msg;
	NL_SET_ERR_ATTR_MISS(extack, nest, type);
	return true;
}

static int parse_addr(struct nlattr *attr, u8 family, union nfsec_addr *addr,
		      struct netlink_ext_ack *extack)
{
	int len = family == AF_INET ? sizeof(addr->a4) : sizeof(addr->a6);

	memset(addr, 0, sizeof(*addr));
	if (!attr)
		return 0;
	if (nla_len(attr) != len) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "address length does not match the family");
		return -EINVAL;
	}
	nla_memcpy(addr, attr, len);
	return 0;
}

static int parse_prefix(struct nlattr *prefix, struct nlattr *addr, u8 family, u8 *out,
			struct netlink_ext_ack *extack)
{
	u8 max = family == AF_INET ? 32 : 128;

	*out = prefix ? nla_get_u8(prefix) : addr ? max : 0;
	if (*out > max) {
		NL_SET_ERR_MSG_ATTR(extack, prefix, "prefix longer than the address");
		return -EINVAL;
	}
	return 0;
}

static u16 get_u16_or(struct nlattr *attr, u16 dflt)
{
	return attr ? nla_get_u16(attr) : dflt;
}

static int parse_selector(struct nlattr *nest, struct nfsec_selector *sel,
			  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NFSEC_SEL_A_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, NFSEC_SEL_A_MAX, nest, selector_policy, extack);
	if (ret)
		return ret;
	if (attr_missing(extack, nest, tb, NFSEC_SEL_A_FAMILY, "selector needs a family"))
		return -EINVAL;
	memset(sel, 0, sizeof(*sel));
	sel->family = nla_get_u16(tb[NFSEC_SEL_A_FAMILY]);
	if (sel->family != AF_INET && sel->family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NFSEC_SEL_A_FAMILY],
				    "family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	ret = parse_addr(tb[NFSEC_SEL_A_SRC], sel->family, &sel->saddr, extack) ?:
	      parse_addr(tb[NFSEC_SEL_A_DST], sel->family, &sel->daddr, extack) ?:
	      parse_prefix(tb[NFSEC_SEL_A_SRC_PREFIX], tb[NFSEC_SEL_A_SRC], sel->family,
			   &sel->sprefix, extack) ?:
	      parse_prefix(tb[NFSEC_SEL_A_DST_PREFIX], tb[NFSEC_SEL_A_DST], sel->family,
			   &sel->dprefix, extack);
	if (ret)
		return ret;
	sel->proto = tb[NFSEC_SEL_A_PROTO] ? nla_get_u8(tb[NFSEC_SEL_A_PROTO]) : 0;
	sel->sport_lo = get_u16_or(tb[NFSEC_SEL_A_SPORT_MIN], 0);
	sel->sport_hi = get_u16_or(tb[NFSEC_SEL_A_SPORT_MAX], U16_MAX);
	sel->dport_lo = get_u16_or(tb[NFSEC_SEL_A_DPORT_MIN], 0);
	sel->dport_hi = get_u16_or(tb[NFSEC_SEL_A_DPORT_MAX], U16_MAX);
	if (sel->sport_lo > sel->sport_hi || sel->dport_lo > sel->dport_hi) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "port range with its minimum above its maximum");
		return -EINVAL;
	}
	return 0;
}

/* The NFSEC_A_POLICY nest of a request, parsed into @tb; it must be there. */
static int parse_policy_nest(struct genl_info *info, struct nlattr **tb)
{
	if (attr_missing(info->extack, NULL, info->attrs, NFSEC_A_POLICY,
			 "request needs a policy"))
		return -EINVAL;
	return nla_parse_nested(tb, NFSEC_POLICY_A_MAX, info->attrs[NFSEC_A_POLICY],
				policy_attr_policy, info->extack);
}

static int put_addr(struct sk_buff *skb, int type, const union nfsec_addr *a, u8 family)
{
	return nla_put(skb, type, family == AF_INET ? sizeof(a->a4) : sizeof(a->a6), a);
}

static int put_selector(struct sk_buff *skb, const struct nfsec_selector *sel)
{
	struct nlattr *nest = nla_nest_start(skb, NFSEC_POLICY_A_SELECTOR);

	if (!nest ||
	    nla_put_u16(skb, NFSEC_SEL_A_FAMILY, sel->family) ||
	    put_addr(skb, NFSEC_SEL_A_SRC, &sel->saddr, sel->family) ||
	    nla_put_u8(skb, NFSEC_SEL_A_SRC_PREFIX, sel->sprefix) ||
	    put_addr(skb, NFSEC_SEL_A_DST, &sel->daddr, sel->family) ||
	    nla_put_u8(skb, NFSEC_SEL_A_DST_PREFIX, sel->dprefix) ||
	    nla_put_u8(skb, NFSEC_SEL_A_PROTO, sel->proto) ||
	    nla_put_u16(skb, NFSEC_SEL_A_SPORT_MIN, sel->sport_lo) ||
	    nla_put_u16(skb, NFSEC_SEL_A_SPORT_MAX, sel->sport_hi) ||
	    nla_put_u16(skb, NFSEC_SEL_A_DPORT_MIN, sel->dport_lo) ||
	    nla_put_u16(skb, NFSEC_SEL_A_DPORT_MAX, sel->dport_hi))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int put_policy(struct sk_buff *skb, const struct nfsec_policy *pol, u32 portid,
		      u32 seq, int flags, u8 cmd)
{
	void *hdr = genlmsg_put(skb, portid, seq, &nfsec_genl_family, flags, cmd);
	struct nlattr *nest;

	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, NFSEC_A_POLICY);
	if (!nest ||
	    nla_put_u32(skb, NFSEC_POLICY_A_INDEX, pol->index) ||
	    nla_put_u8(skb, NFSEC_POLICY_A_DIR, pol->dir) ||
	    nla_put_u8(skb, NFSEC_POLICY_A_ACTION, pol->action) ||
	    nla_put_u32(skb, NFSEC_POLICY_A_PRIORITY, pol->priority) ||
	    put_selector(skb, &pol->sel)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
}

/* Events: best effort, as for XFRM; a listener that misses one sees ENOBUFS. */
static void event_send(struct net *net, struct sk_buff *msg)
{
	genlmsg_multicast_netns(&nfsec_genl_family, net, msg, 0, 0, GFP_KERNEL);
}

/* Announces @pol being added or deleted (@cmd); caller holds nn->lock. */
static void policy_event(struct nfsec_net *nn, const struct nfsec_policy *pol, u8 cmd)
{
	struct sk_buff *msg;

	if (!genl_has_listeners(&nfsec_genl_family, nn->net, 0))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	if (put_policy(msg, pol, 0, 0, 0, cmd)) {
		nlmsg_free(msg);
		return;
	}
	event_send(nn->net, msg);
}

static void flush_event(struct nfsec_net *nn, int dir)
{
	struct sk_buff *msg;
	struct nlattr *nest;
	void *hdr;

	if (!genl_has_listeners(&nfsec_genl_family, nn->net, 0))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &nfsec_genl_family, 0, NFSEC_CMD_POLICY_FLUSH);
	if (!hdr)
		goto err_free;
	if (dir >= 0) {
		nest = nla_nest_start(msg, NFSEC_A_POLICY);
		if (!nest || nla_put_u8(msg, NFSEC_POLICY_A_DIR, dir))
			goto err_free;
		nla_nest_end(msg, nest);
	}
	genlmsg_end(msg, hdr);
	event_send(nn->net, msg);
	return;

err_free:
	nlmsg_free(msg);
}

static int nfsec_nl_policy_new(struct sk_buff *skb, struct genl_info *info)
{
	struct nfsec_net *nn = nfsec_net(genl_info_net(info));
	struct nlattr *tb[NFSEC_POLICY_A_MAX + 1], *nest;
	struct nfsec_selector sel;
	struct nfsec_policy *pol;
	int ret;

	ret = parse_policy_nest(info, tb);
	if (ret)
		return ret;
	nest = info->attrs[NFSEC_A_POLICY];
	if (attr_missing(info->extack, nest, tb, NFSEC_POLICY_A_DIR,
			 "policy needs a direction") ||
	    attr_missing(info->extack, nest, tb, NFSEC_POLICY_A_ACTION,
			 "policy needs an action") ||
	    attr_missing(info->extack, nest, tb, NFSEC_POLICY_A_SELECTOR,
			 "policy needs a selector"))
		return -EINVAL;
	if (tb[NFSEC_POLICY_A_INDEX]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[NFSEC_POLICY_A_INDEX],
				    "the kernel chooses the index");
		return -EINVAL;
	}
	ret = parse_selector(tb[NFSEC_POLICY_A_SELECTOR], &sel, info->extack);
	if (ret)
		return ret;

	pol = nfsec_policy_new(&sel, tb[NFSEC_POLICY_A_PRIORITY] ?
			       nla_get_u32(tb[NFSEC_POLICY_A_PRIORITY]) : 0,
			       nla_get_u8(tb[NFSEC_POLICY_A_ACTION]), GFP_KERNEL);
	if (IS_ERR(pol))
		return PTR_ERR(pol);
	pol->dir = nla_get_u8(tb[NFSEC_POLICY_A_DIR]);

	mutex_lock(&nn->lock);
	ret = nfsec_policy_add(nn, pol);
	if (!ret)
		policy_event(nn, pol, NFSEC_CMD_POLICY_NEW);
	mutex_unlock(&nn->lock);
	if (ret) {
		if (ret == -EEXIST)
			NL_SET_ERR_MSG(info->extack,
				       "a policy with this direction, selector and priority exists");
		kfree(pol);
	}
	return ret;
}

/* The policy named by NFSEC_POLICY_A_INDEX; caller holds nn->lock. */
static struct nfsec_policy *policy_by_index(struct nfsec_net *nn, struct genl_info *info,
					    struct nlattr **tb)
{
	struct nfsec_policy *pol;

	if (attr_missing(info->extack, info->attrs[NFSEC_A_POLICY], tb, NFSEC_POLICY_A_INDEX,
			 "policy needs an index"))
		return ERR_PTR(-EINVAL);
	pol = xa_load(&nn->policies, nla_get_u32(tb[NFSEC_POLICY_A_INDEX]));
	if (!pol) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[NFSEC_POLICY_A_INDEX],
				    "no policy has this index");
		return ERR_PTR(-ENOENT);
	}
	return pol;
}

static int nfsec_nl_policy_del(struct sk_buff *skb, struct genl_info *info)
{
	struct nfsec_net *nn = nfsec_net(genl_info_net(info));
	struct nlattr *tb[NFSEC_POLICY_A_MAX + 1];
	struct nfsec_policy *pol;
	int ret;

	ret = parse_policy_nest(info, tb);
	if (ret)
		return ret;
	mutex_lock(&nn->lock);
	pol = policy_by_index(nn, info, tb);
	if (!IS_ERR(pol)) {
		policy_event(nn, pol, NFSEC_CMD_POLICY_DEL);
		nfsec_policy_del(nn, pol);
	}
	mutex_unlock(&nn->lock);
	return PTR_ERR_OR_ZERO(pol);
}

static int nfsec_nl_policy_get(struct sk_buff *skb, struct genl_info *info)
{
	struct nfsec_net *nn = nfsec_net(genl_info_net(info));
	struct nlattr *tb[NFSEC_POLICY_A_MAX + 1];
	struct nfsec_policy *pol;
	struct sk_buff *msg;
	int ret;

	ret = parse_policy_nest(info, tb);
	if (ret)
		return ret;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&nn->lock);
	pol = policy_by_index(nn, info, tb);
	ret = IS_ERR(pol) ? PTR_ERR(pol) :
	      put_policy(msg, pol, info->snd_portid, info->snd_seq, 0, NFSEC_CMD_POLICY_GET);
	mutex_unlock(&nn->lock);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

/* Resumes at index cb->args[0]; each part is consistent, the whole may not be. */
static int nfsec_nl_policy_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nfsec_net *nn = nfsec_net(sock_net(skb->sk));
	unsigned long index, next = cb->args[0];
	struct nfsec_policy *pol;
	int ret = 0;

	mutex_lock(&nn->lock);
	xa_for_each_start(&nn->policies, index, pol, next) {
		ret = put_policy(skb, pol, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				 NLM_F_MULTI, NFSEC_CMD_POLICY_GET);
		if (ret)
			break;
		next = index + 1;
	}
	mutex_unlock(&nn->lock);
	cb->args[0] = next;
	/* A policy that does not fit an empty message would stall the dump. */
	return ret && !skb->len ? ret : skb->len;
}

static int nfsec_nl_policy_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct nfsec_net *nn = nfsec_net(genl_info_net(info));
	struct nlattr *tb[NFSEC_POLICY_A_MAX + 1];
	int dir = -1, ret;

	if (info->attrs[NFSEC_A_POLICY]) {
		ret = parse_policy_nest(info, tb);
		if (ret)
			return ret;
		if (tb[NFSEC_POLICY_A_DIR])
			dir = nla_get_u8(tb[NFSEC_POLICY_A_DIR]);
	}
	mutex_lock(&nn->lock);
	nfsec_policies_flush(nn, dir);
	flush_event(nn, dir);
	mutex_unlock(&nn->lock);
	return 0;
}

static const struct genl_ops nfsec_genl_ops[] = {
	{
		.cmd = NFSEC_CMD_GET_VERSION,
		.doit = nfsec_nl_get_version,
		.policy = get_version_policy,
		.maxattr = ARRAY_SIZE(get_version_policy) - 1,
	},
	{
		.cmd = NFSEC_CMD_POLICY_NEW,
		.doit = nfsec_nl_policy_new,
		.policy = policy_cmd_policy,
		.maxattr = ARRAY_SIZE(policy_cmd_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFSEC_CMD_POLICY_DEL,
		.doit = nfsec_nl_policy_del,
		.policy = policy_cmd_policy,
		.maxattr = ARRAY_SIZE(policy_cmd_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFSEC_CMD_POLICY_GET,
		.doit = nfsec_nl_policy_get,
		.dumpit = nfsec_nl_policy_dump,
		.policy = policy_cmd_policy,
		.maxattr = ARRAY_SIZE(policy_cmd_policy) - 1,
	},
	{
		.cmd = NFSEC_CMD_POLICY_FLUSH,
		.doit = nfsec_nl_policy_flush,
		.policy = policy_cmd_policy,
		.maxattr = ARRAY_SIZE(policy_cmd_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group nfsec_genl_mcgrps[] = {
	{ .name = NFSEC_MCGRP_EVENTS },
};

struct genl_family nfsec_genl_family __ro_after_init = {
	.name = NFSEC_GENL_NAME,
	.version = NFSEC_GENL_VERSION,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = nfsec_genl_ops,
	.n_ops = ARRAY_SIZE(nfsec_genl_ops),
	.resv_start_op = NFSEC_CMD_GET_VERSION + 1,
	.mcgrps = nfsec_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(nfsec_genl_mcgrps),
};
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_genl_family);

int __init nfsec_genl_init(void)
{
	return genl_register_family(&nfsec_genl_family);
}

void nfsec_genl_uninit(void)
{
	genl_unregister_family(&nfsec_genl_family);
}
