// SPDX-License-Identifier: GPL-2.0
/*
 * The "nfsec" generic netlink family: one policy table per op, next to the op.
 * The attribute trees are drawn in include/uapi/linux/nfsec.h.
 */

#include <linux/module.h>
#include <net/sock.h>
#include <uapi/linux/nfsec.h>

#include "acquire.h"
#include "ike_socket.h"
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

static const struct nla_policy tmpl_policy[NFSEC_TMPL_A_MAX + 1] = {
	[NFSEC_TMPL_A_MODE] = NLA_POLICY_MAX(NLA_U8, NFSEC_MODE_MAX),
	[NFSEC_TMPL_A_FAMILY] = { .type = NLA_U16 },
	[NFSEC_TMPL_A_SRC] = { .type = NLA_BINARY, .len = sizeof(struct in6_addr) },
	[NFSEC_TMPL_A_DST] = { .type = NLA_BINARY, .len = sizeof(struct in6_addr) },
	[NFSEC_TMPL_A_REQID] = { .type = NLA_U32 },
};

static const struct nla_policy policy_attr_policy[NFSEC_POLICY_A_MAX + 1] = {
	[NFSEC_POLICY_A_INDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[NFSEC_POLICY_A_DIR] = NLA_POLICY_MAX(NLA_U8, NFSEC_POLICY_DIR_MAX),
	[NFSEC_POLICY_A_ACTION] = NLA_POLICY_MAX(NLA_U8, NFSEC_POLICY_ACTION_MAX),
	[NFSEC_POLICY_A_PRIORITY] = { .type = NLA_U32 },
	[NFSEC_POLICY_A_SELECTOR] = NLA_POLICY_NESTED(selector_policy),
	[NFSEC_POLICY_A_TMPL] = NLA_POLICY_NESTED(tmpl_policy),
};

static const struct nla_policy policy_cmd_policy[NFSEC_A_MAX + 1] = {
	[NFSEC_A_POLICY] = NLA_POLICY_NESTED(policy_attr_policy),
};

/*
 * NFSEC_A_POLICIES is checked as a nest only: each entry is parsed when its turn comes,
 * so that a bad entry stops the list there, the entries before it added.
 */
static const struct nla_policy policy_new_policy[NFSEC_A_MAX + 1] = {
	[NFSEC_A_POLICY] = NLA_POLICY_NESTED(policy_attr_policy),
	[NFSEC_A_POLICIES] = { .type = NLA_NESTED },
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

static int parse_family(struct nlattr *attr, u8 *family, struct netlink_ext_ack *extack)
{
	u16 f = nla_get_u16(attr);

	if (f != AF_INET && f != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	*family = f;
	return 0;
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
	ret = parse_family(tb[NFSEC_SEL_A_FAMILY], &sel->family, extack);
	if (ret)
		return ret;
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

/* A protect policy's template; without one, transport mode with request id 0. */
static int parse_tmpl(struct nlattr *nest, const struct nfsec_selector *sel,
		      struct nfsec_tmpl *tmpl, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NFSEC_TMPL_A_MAX + 1];
	int ret;

	memset(tmpl, 0, sizeof(*tmpl));
	tmpl->family = sel->family;
	if (!nest)
		return 0;
	ret = nla_parse_nested(tb, NFSEC_TMPL_A_MAX, nest, tmpl_policy, extack);
	if (ret)
		return ret;
	if (attr_missing(extack, nest, tb, NFSEC_TMPL_A_MODE, "template needs a mode"))
		return -EINVAL;
	tmpl->mode = nla_get_u8(tb[NFSEC_TMPL_A_MODE]);
	tmpl->reqid = tb[NFSEC_TMPL_A_REQID] ? nla_get_u32(tb[NFSEC_TMPL_A_REQID]) : 0;
	if (tmpl->mode == NFSEC_MODE_TRANSPORT) {
		if (tb[NFSEC_TMPL_A_SRC] || tb[NFSEC_TMPL_A_DST] || tb[NFSEC_TMPL_A_FAMILY]) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "transport mode takes no tunnel endpoints");
			return -EINVAL;
		}
		return 0;
	}
	if (tb[NFSEC_TMPL_A_FAMILY]) {
		ret = parse_family(tb[NFSEC_TMPL_A_FAMILY], &tmpl->family, extack);
		if (ret)
			return ret;
	}
	if (attr_missing(extack, nest, tb, NFSEC_TMPL_A_SRC,
			 "tunnel mode needs a source endpoint") ||
	    attr_missing(extack, nest, tb, NFSEC_TMPL_A_DST,
			 "tunnel mode needs a destination endpoint"))
		return -EINVAL;
	return parse_addr(tb[NFSEC_TMPL_A_SRC], tmpl->family, &tmpl->saddr, extack) ?:
	       parse_addr(tb[NFSEC_TMPL_A_DST], tmpl->family, &tmpl->daddr, extack);
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

static int put_selector(struct sk_buff *skb, int type, const struct nfsec_selector *sel)
{
	struct nlattr *nest = nla_nest_start(skb, type);

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

static int put_tmpl(struct sk_buff *skb, const struct nfsec_tmpl *tmpl)
{
	struct nlattr *nest = nla_nest_start(skb, NFSEC_POLICY_A_TMPL);

	if (!nest ||
	    nla_put_u8(skb, NFSEC_TMPL_A_MODE, tmpl->mode) ||
	    nla_put_u32(skb, NFSEC_TMPL_A_REQID, tmpl->reqid))
		return -EMSGSIZE;
	if (tmpl->mode == NFSEC_MODE_TUNNEL &&
	    (nla_put_u16(skb, NFSEC_TMPL_A_FAMILY, tmpl->family) ||
	     put_addr(skb, NFSEC_TMPL_A_SRC, &tmpl->saddr, tmpl->family) ||
	     put_addr(skb, NFSEC_TMPL_A_DST, &tmpl->daddr, tmpl->family)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int put_policy_attrs(struct sk_buff *skb, const struct nfsec_policy *pol)
{
	struct nlattr *nest = nla_nest_start(skb, NFSEC_A_POLICY);

	if (!nest ||
	    nla_put_u32(skb, NFSEC_POLICY_A_INDEX, pol->index) ||
	    nla_put_u8(skb, NFSEC_POLICY_A_DIR, pol->dir) ||
	    nla_put_u8(skb, NFSEC_POLICY_A_ACTION, pol->action) ||
	    nla_put_u32(skb, NFSEC_POLICY_A_PRIORITY, pol->priority) ||
	    put_selector(skb, NFSEC_POLICY_A_SELECTOR, &pol->sel) ||
	    (pol->action == NFSEC_POLICY_PROTECT && put_tmpl(skb, &pol->tmpl)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* Attributes of a message, put from @arg. */
typedef int (*msg_fill_t)(struct sk_buff *msg, const void *arg);

/* One message of @cmd, its attributes put by @fill (none without it). */
static int put_msg(struct sk_buff *skb, u32 portid, u32 seq, int flags, u8 cmd,
		   msg_fill_t fill, const void *arg)
{
	void *hdr = genlmsg_put(skb, portid, seq, &nfsec_genl_family, flags, cmd);

	if (!hdr)
		return -EMSGSIZE;
	if (fill && fill(skb, arg)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int fill_policy(struct sk_buff *msg, const void *pol)
{
	return put_policy_attrs(msg, pol);
}

/* Events: best effort, as for XFRM; a listener that misses one sees ENOBUFS. */
static void event_send(struct nfsec_net *nn, u8 cmd, msg_fill_t fill, const void *arg,
		       gfp_t gfp)
{
	struct sk_buff *msg;

	if (!genl_has_listeners(&nfsec_genl_family, nn->net, 0))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, gfp);
	if (!msg)
		return;
	if (put_msg(msg, 0, 0, 0, cmd, fill, arg)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast_netns(&nfsec_genl_family, nn->net, msg, 0, 0, gfp);
}

/* Announces @pol being added or deleted (@cmd), under nn->lock. */
static void policy_event(struct nfsec_net *nn, const struct nfsec_policy *pol, u8 cmd)
{
	lockdep_assert_held(&nn->lock);
	event_send(nn, cmd, fill_policy, pol, GFP_KERNEL);
}

static int fill_flush_dir(struct sk_buff *msg, const void *arg)
{
	const int *dir = arg;
	struct nlattr *nest;

	nest = nla_nest_start(msg, NFSEC_A_POLICY);
	if (!nest || nla_put_u8(msg, NFSEC_POLICY_A_DIR, *dir))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/* Policies of direction @dir (all when < 0) were flushed, under nn->lock. */
static void flush_event(struct nfsec_net *nn, int dir)
{
	lockdep_assert_held(&nn->lock);
	event_send(nn, NFSEC_CMD_POLICY_FLUSH, dir >= 0 ? fill_flush_dir : NULL, &dir,
		   GFP_KERNEL);
}

/* The policy of the NFSEC_A_POLICY nest @nest, unindexed: returns it, or ERR_PTR. */
static struct nfsec_policy *policy_from_nest(struct nlattr *nest,
					     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NFSEC_POLICY_A_MAX + 1];
	struct nfsec_selector sel;
	struct nfsec_policy *pol;
	struct nfsec_tmpl tmpl;
	int ret;

	ret = nla_parse_nested(tb, NFSEC_POLICY_A_MAX, nest, policy_attr_policy, extack);
	if (ret)
		return ERR_PTR(ret);
	if (attr_missing(extack, nest, tb, NFSEC_POLICY_A_DIR, "policy needs a direction") ||
	    attr_missing(extack, nest, tb, NFSEC_POLICY_A_ACTION, "policy needs an action") ||
	    attr_missing(extack, nest, tb, NFSEC_POLICY_A_SELECTOR, "policy needs a selector"))
		return ERR_PTR(-EINVAL);
	if (tb[NFSEC_POLICY_A_INDEX]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NFSEC_POLICY_A_INDEX],
				    "the kernel chooses the index");
		return ERR_PTR(-EINVAL);
	}
	ret = parse_selector(tb[NFSEC_POLICY_A_SELECTOR], &sel, extack);
	if (ret)
		return ERR_PTR(ret);
	if (tb[NFSEC_POLICY_A_TMPL] &&
	    nla_get_u8(tb[NFSEC_POLICY_A_ACTION]) != NFSEC_POLICY_PROTECT) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NFSEC_POLICY_A_TMPL],
				    "only a protect policy takes a template");
		return ERR_PTR(-EINVAL);
	}
	ret = parse_tmpl(tb[NFSEC_POLICY_A_TMPL], &sel, &tmpl, extack);
	if (ret)
		return ERR_PTR(ret);

	pol = nfsec_policy_new(&sel, tb[NFSEC_POLICY_A_PRIORITY] ?
			       nla_get_u32(tb[NFSEC_POLICY_A_PRIORITY]) : 0,
			       nla_get_u8(tb[NFSEC_POLICY_A_ACTION]), GFP_KERNEL);
	if (IS_ERR(pol))
		return pol;
	pol->dir = nla_get_u8(tb[NFSEC_POLICY_A_DIR]);
	pol->tmpl = tmpl;
	return pol;
}

/* Adds and announces the policy of @nest; each entry of a list, or the one alone. */
static int policy_new_one(struct nfsec_net *nn, struct nlattr *nest,
			  struct netlink_ext_ack *extack)
{
	struct nfsec_policy *pol;
	int ret;

	pol = policy_from_nest(nest, extack);
	if (IS_ERR(pol))
		return PTR_ERR(pol);

	mutex_lock(&nn->lock);
	ret = nfsec_policy_add(nn, pol);
	if (!ret)
		policy_event(nn, pol, NFSEC_CMD_POLICY_NEW);
	mutex_unlock(&nn->lock);
	if (ret) {
		if (ret == -EEXIST)
			NL_SET_ERR_MSG(extack,
				       "a policy with this direction, selector and priority exists");
		kfree(pol);
	}
	return ret;
}

/*
 * The entries of NFSEC_A_POLICIES in order, up to the first that fails. The error then
 * points into that entry (at the entry itself when its own check named no attribute),
 * which is how the sender tells which entry failed and that those before it were added.
 */
static int policy_new_list(struct nfsec_net *nn, struct nlattr *list,
			   struct netlink_ext_ack *extack)
{
	struct nlattr *entry;
	unsigned int n = 0;
	int rem, ret;

	nla_for_each_nested(entry, list, rem) {
		if (nla_type(entry) != NFSEC_A_POLICY) {
			NL_SET_ERR_MSG_ATTR(extack, entry, "a policy list holds only policies");
			return -EINVAL;
		}
		if (++n > NFSEC_POLICIES_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, entry, "too many policies in one list");
			return -E2BIG;
		}
		ret = policy_new_one(nn, entry, extack);
		if (ret) {
			if (extack && !extack->bad_attr)
				NL_SET_BAD_ATTR(extack, entry);
			return ret;
		}
	}
	if (rem) {
		NL_SET_ERR_MSG_ATTR(extack, list, "trailing bytes after the last policy");
		return -EINVAL;
	}
	if (!n) {
		NL_SET_ERR_MSG_ATTR(extack, list, "an empty policy list");
		return -EINVAL;
	}
	return 0;
}

static int nfsec_nl_policy_new(struct sk_buff *skb, struct genl_info *info)
{
	struct nfsec_net *nn = nfsec_net(genl_info_net(info));
	struct nlattr *one = info->attrs[NFSEC_A_POLICY];
	struct nlattr *list = info->attrs[NFSEC_A_POLICIES];

	if (one && list) {
		NL_SET_ERR_MSG_ATTR(info->extack, list,
				    "a request adds one policy or a list, not both");
		return -EINVAL;
	}
	if (list)
		return policy_new_list(nn, list, info->extack);
	if (attr_missing(info->extack, NULL, info->attrs, NFSEC_A_POLICY,
			 "request needs a policy"))
		return -EINVAL;
	return policy_new_one(nn, one, info->extack);
}

/* The policy named by NFSEC_POLICY_A_INDEX, under nn->lock. */
static struct nfsec_policy *policy_by_index(struct nfsec_net *nn, struct genl_info *info,
					    struct nlattr **tb)
{
	struct nfsec_policy *pol;

	lockdep_assert_held(&nn->lock);
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
	      put_msg(msg, info->snd_portid, info->snd_seq, 0, NFSEC_CMD_POLICY_GET,
		      fill_policy, pol);
	mutex_unlock(&nn->lock);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

/*
 * Dumps resume where the last part ended (cb->args[0]) without going over what came
 * before. Each part is consistent; a part that finds the table changed since the one
 * before flags its messages NLM_F_DUMP_INTR, and the reader may read the table again.
 */
static void dump_mark(struct netlink_callback *cb, struct sk_buff *skb, unsigned int len)
{
	nl_dump_check_consistent(cb, (struct nlmsghdr *)(skb->data + len));
}

static int nfsec_nl_policy_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nfsec_net *nn = nfsec_net(sock_net(skb->sk));
	unsigned long index, next = cb->args[0];
	struct nfsec_policy *pol;
	unsigned int len;
	int ret = 0;

	mutex_lock(&nn->lock);
	cb->seq = nn->policy_gen;
	xa_for_each_start(&nn->policies, index, pol, next) {
		len = skb->len;
		ret = put_msg(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq, NLM_F_MULTI,
			      NFSEC_CMD_POLICY_GET, fill_policy, pol);
		if (ret)
			break;
		dump_mark(cb, skb, len);
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

/* SAs */

static const struct nla_policy alg_policy[NFSEC_ALG_A_MAX + 1] = {
	[NFSEC_ALG_A_NAME] = { .type = NLA_NUL_STRING, .len = CRYPTO_MAX_ALG_NAME - 1 },
	[NFSEC_ALG_A_KEY] = { .type = NLA_BINARY, .len = 128 },
	[NFSEC_ALG_A_ICV_BITS] = { .type = NLA_U32 },
};

static const struct nla_policy lifetime_policy[NFSEC_LT_A_MAX + 1] = {
	[NFSEC_LT_A_SOFT_BYTES] = { .type = NLA_U64 },
	[NFSEC_LT_A_HARD_BYTES] = { .type = NLA_U64 },
	[NFSEC_LT_A_SOFT_PACKETS] = { .type = NLA_U64 },
	[NFSEC_LT_A_HARD_PACKETS] = { .type = NLA_U64 },
	[NFSEC_LT_A_SOFT_SECONDS] = { .type = NLA_U64 },
	[NFSEC_LT_A_HARD_SECONDS] = { .type = NLA_U64 },
};

static const struct nla_policy encap_policy[NFSEC_ENCAP_A_MAX + 1] = {
	[NFSEC_ENCAP_A_TYPE] = NLA_POLICY_RANGE(NLA_U8, NFSEC_ENCAP_ESPINUDP, NFSEC_ENCAP_MAX),
	[NFSEC_ENCAP_A_SPORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[NFSEC_ENCAP_A_DPORT] = NLA_POLICY_MIN(NLA_U16, 1),
};

static const struct nla_policy sa_attr_policy[NFSEC_SA_A_MAX + 1] = {
	[NFSEC_SA_A_SPI] = NLA_POLICY_MIN(NLA_U32, 256),
	[NFSEC_SA_A_DIR] = NLA_POLICY_MAX(NLA_U8, NFSEC_SA_DIR_MAX),
	[NFSEC_SA_A_FAMILY] = { .type = NLA_U16 },
	[NFSEC_SA_A_SRC] = { .type = NLA_BINARY, .len = sizeof(struct in6_addr) },
	[NFSEC_SA_A_DST] = { .type = NLA_BINARY, .len = sizeof(struct in6_addr) },
	[NFSEC_SA_A_PROTO] = NLA_POLICY_RANGE(NLA_U8, IPPROTO_ESP, IPPROTO_ESP),
	[NFSEC_SA_A_MODE] = NLA_POLICY_MAX(NLA_U8, NFSEC_MODE_MAX),
	[NFSEC_SA_A_REQID] = { .type = NLA_U32 },
	[NFSEC_SA_A_AEAD] = NLA_POLICY_NESTED(alg_policy),
	[NFSEC_SA_A_ENC] = NLA_POLICY_NESTED(alg_policy),
	[NFSEC_SA_A_AUTH] = NLA_POLICY_NESTED(alg_policy),
	[NFSEC_SA_A_REPLAY_WINDOW] = NLA_POLICY_MAX(NLA_U32, NFSEC_REPLAY_MAX),
	[NFSEC_SA_A_ESN] = { .type = NLA_FLAG },
	[NFSEC_SA_A_SELECTOR] = NLA_POLICY_NESTED(selector_policy),
	[NFSEC_SA_A_LIFETIME] = NLA_POLICY_NESTED(lifetime_policy),
	[NFSEC_SA_A_ENCAP] = NLA_POLICY_NESTED(encap_policy),
};

static const struct nla_policy sa_cmd_policy[NFSEC_A_MAX + 1] = {
	[NFSEC_A_SA] = NLA_POLICY_NESTED(sa_attr_policy),
};

static const struct nla_policy stats_cmd_policy[NFSEC_A_MAX + 1] = {
};

static const struct nla_policy ike_socket_cmd_policy[NFSEC_A_MAX + 1] = {
	[NFSEC_A_SOCKET_FD] = { .type = NLA_U32 },
};

/* The NFSEC_A_SA nest of a request, parsed into @tb; it must be there. */
static int parse_sa_nest(struct genl_info *info, struct nlattr **tb)
{
	if (attr_missing(info->extack, NULL, info->attrs, NFSEC_A_SA, "request needs an SA"))
		return -EINVAL;
	return nla_parse_nested(tb, NFSEC_SA_A_MAX, info->attrs[NFSEC_A_SA], sa_attr_policy,
				info->extack);
}

/* SPI, family, destination and protocol: what names an SA. */
static int parse_sa_id(struct nlattr *nest, struct nlattr **tb, struct nfsec_sa_id *id,
		       struct netlink_ext_ack *extack)
{
	int ret;

	memset(id, 0, sizeof(*id));
	if (attr_missing(extack, nest, tb, NFSEC_SA_A_SPI, "SA needs an SPI") ||
	    attr_missing(extack, nest, tb, NFSEC_SA_A_FAMILY, "SA needs a family") ||
	    attr_missing(extack, nest, tb, NFSEC_SA_A_DST, "SA needs a destination"))
		return -EINVAL;
	ret = parse_family(tb[NFSEC_SA_A_FAMILY], &id->family, extack);
	if (ret)
		return ret;
	id->spi = htonl(nla_get_u32(tb[NFSEC_SA_A_SPI]));
	id->proto = IPPROTO_ESP;
	return parse_addr(tb[NFSEC_SA_A_DST], id->family, &id->daddr, extack);
}

/* One algorithm nest; @icv_len is left as it is without NFSEC_ALG_A_ICV_BITS. */
static int parse_alg(struct nlattr *nest, const char **name, const u8 **key,
		     unsigned int *key_len, unsigned int *icv_len,
		     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NFSEC_ALG_A_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, NFSEC_ALG_A_MAX, nest, alg_policy, extack);
	if (ret)
		return ret;
	if (attr_missing(extack, nest, tb, NFSEC_ALG_A_NAME, "algorithm needs a name") ||
	    attr_missing(extack, nest, tb, NFSEC_ALG_A_KEY, "algorithm needs a key"))
		return -EINVAL;
	*name = nla_data(tb[NFSEC_ALG_A_NAME]);
	*key = nla_data(tb[NFSEC_ALG_A_KEY]);
	*key_len = nla_len(tb[NFSEC_ALG_A_KEY]);
	if (tb[NFSEC_ALG_A_ICV_BITS]) {
		u32 bits = nla_get_u32(tb[NFSEC_ALG_A_ICV_BITS]);

		if (!icv_len) {
			NL_SET_ERR_MSG_ATTR(extack, tb[NFSEC_ALG_A_ICV_BITS],
					    "encryption takes no ICV length");
			return -EINVAL;
		}
		if (!bits || bits % 8) {
			NL_SET_ERR_MSG_ATTR(extack, tb[NFSEC_ALG_A_ICV_BITS],
					    "ICV length must be whole bytes, not 0");
			return -EINVAL;
		}
		*icv_len = bits / 8;
	}
	return 0;
}

/* The transforms; an ICV length left out is left 0, for sad.c's default. */
static int parse_sa_alg(struct nlattr **tb, struct nfsec_sa_alg *alg,
			struct netlink_ext_ack *extack)
{
	int ret;

	memset(alg, 0, sizeof(*alg));
	if (tb[NFSEC_SA_A_AEAD]) {
		if (tb[NFSEC_SA_A_ENC] || tb[NFSEC_SA_A_AUTH]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[NFSEC_SA_A_AEAD],
					    "an AEAD takes no separate encryption or authentication");
			return -EINVAL;
		}
		return parse_alg(tb[NFSEC_SA_A_AEAD], &alg->aead, &alg->key, &alg->key_len,
				 &alg->icv_len, extack);
	}
	if (!tb[NFSEC_SA_A_ENC] || !tb[NFSEC_SA_A_AUTH]) {
		NL_SET_ERR_MSG(extack,
			       "an SA needs an AEAD, or both encryption and authentication");
		return -EINVAL;
	}
	ret = parse_alg(tb[NFSEC_SA_A_ENC], &alg->enc, &alg->key, &alg->key_len, NULL, extack);
	if (ret)
		return ret;
	return parse_alg(tb[NFSEC_SA_A_AUTH], &alg->auth, &alg->auth_key, &alg->auth_key_len,
			 &alg->icv_len, extack);
}

static u64 get_u64_or0(struct nlattr **tb, int type)
{
	return tb[type] ? nla_get_u64(tb[type]) : 0;
}

static int parse_lifetime(struct nlattr *nest, struct nfsec_lifetime *lt,
			  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NFSEC_LT_A_MAX + 1];
	int ret;

	memset(lt, 0, sizeof(*lt));
	if (!nest)
		return 0;
	ret = nla_parse_nested(tb, NFSEC_LT_A_MAX, nest, lifetime_policy, extack);
	if (ret)
		return ret;
	lt->soft_bytes = get_u64_or0(tb, NFSEC_LT_A_SOFT_BYTES);
	lt->hard_bytes = get_u64_or0(tb, NFSEC_LT_A_HARD_BYTES);
	lt->soft_packets = get_u64_or0(tb, NFSEC_LT_A_SOFT_PACKETS);
	lt->hard_packets = get_u64_or0(tb, NFSEC_LT_A_HARD_PACKETS);
	lt->soft_seconds = get_u64_or0(tb, NFSEC_LT_A_SOFT_SECONDS);
	lt->hard_seconds = get_u64_or0(tb, NFSEC_LT_A_HARD_SECONDS);
	return 0;
}

/* UDP encapsulation: IPv4 only, for now (nothing strips it from IPv6 yet). */
static int parse_encap(struct nlattr *nest, u8 family, struct nfsec_sa_encap *encap,
		       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NFSEC_ENCAP_A_MAX + 1];
	int ret;

	memset(encap, 0, sizeof(*encap));
	if (!nest)
		return 0;
	ret = nla_parse_nested(tb, NFSEC_ENCAP_A_MAX, nest, encap_policy, extack);
	if (ret)
		return ret;
	if (attr_missing(extack, nest, tb, NFSEC_ENCAP_A_TYPE, "encapsulation needs a type") ||
	    attr_missing(extack, nest, tb, NFSEC_ENCAP_A_SPORT,
			 "encapsulation needs a source port") ||
	    attr_missing(extack, nest, tb, NFSEC_ENCAP_A_DPORT,
			 "encapsulation needs a destination port"))
		return -EINVAL;
	if (family != AF_INET) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "UDP encapsulation is IPv4 only for now");
		return -EOPNOTSUPP;
	}
	encap->type = nla_get_u8(tb[NFSEC_ENCAP_A_TYPE]);
	encap->sport = htons(nla_get_u16(tb[NFSEC_ENCAP_A_SPORT]));
	encap->dport = htons(nla_get_u16(tb[NFSEC_ENCAP_A_DPORT]));
	return 0;
}

static int parse_sa_config(struct nlattr *nest, struct nlattr **tb,
			   struct nfsec_sa_config *cfg, struct netlink_ext_ack *extack)
{
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	ret = parse_sa_id(nest, tb, &cfg->id, extack);
	if (ret)
		return ret;
	if (attr_missing(extack, nest, tb, NFSEC_SA_A_DIR, "SA needs a direction") ||
	    attr_missing(extack, nest, tb, NFSEC_SA_A_SRC, "SA needs a source") ||
	    attr_missing(extack, nest, tb, NFSEC_SA_A_MODE, "SA needs a mode"))
		return -EINVAL;
	ret = parse_addr(tb[NFSEC_SA_A_SRC], cfg->id.family, &cfg->saddr, extack);
	if (ret)
		return ret;
	cfg->dir = nla_get_u8(tb[NFSEC_SA_A_DIR]);
	cfg->mode = nla_get_u8(tb[NFSEC_SA_A_MODE]);
	cfg->reqid = tb[NFSEC_SA_A_REQID] ? nla_get_u32(tb[NFSEC_SA_A_REQID]) : 0;
	cfg->esn = nla_get_flag(tb[NFSEC_SA_A_ESN]);
	cfg->replay_window = tb[NFSEC_SA_A_REPLAY_WINDOW] ?
			     nla_get_u32(tb[NFSEC_SA_A_REPLAY_WINDOW]) : 64;
	if (cfg->dir == NFSEC_SA_DIR_OUT && tb[NFSEC_SA_A_REPLAY_WINDOW]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NFSEC_SA_A_REPLAY_WINDOW],
				    "only an inbound SA has a replay window");
		return -EINVAL;
	}
	if (cfg->dir == NFSEC_SA_DIR_OUT)
		cfg->replay_window = 0;
	if (tb[NFSEC_SA_A_SELECTOR]) {
		ret = parse_selector(tb[NFSEC_SA_A_SELECTOR], &cfg->sel, extack);
		if (ret)
			return ret;
		cfg->has_sel = true;
	}
	ret = parse_encap(tb[NFSEC_SA_A_ENCAP], cfg->id.family, &cfg->encap, extack);
	if (ret)
		return ret;
	return parse_lifetime(tb[NFSEC_SA_A_LIFETIME], &cfg->lt, extack);
}

static int put_alg(struct sk_buff *skb, int type, const char *name, u32 icv_bits)
{
	struct nlattr *nest;

	if (!name)
		return 0;
	nest = nla_nest_start(skb, type);
	if (!nest || nla_put_string(skb, NFSEC_ALG_A_NAME, name) ||
	    (icv_bits && nla_put_u32(skb, NFSEC_ALG_A_ICV_BITS, icv_bits)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int put_lifetime(struct sk_buff *skb, const struct nfsec_sa *sa)
{
	const struct nfsec_lifetime *lt = &sa->cfg.lt;
	struct nlattr *nest = nla_nest_start(skb, NFSEC_SA_A_LIFETIME);
	const struct {
		int type;
		u64 value;
	} v[] = {
		{ NFSEC_LT_A_SOFT_BYTES, lt->soft_bytes },
		{ NFSEC_LT_A_HARD_BYTES, lt->hard_bytes },
		{ NFSEC_LT_A_SOFT_PACKETS, lt->soft_packets },
		{ NFSEC_LT_A_HARD_PACKETS, lt->hard_packets },
		{ NFSEC_LT_A_SOFT_SECONDS, lt->soft_seconds },
		{ NFSEC_LT_A_HARD_SECONDS, lt->hard_seconds },
		{ NFSEC_LT_A_BYTES, atomic64_read(&sa->bytes) },
		{ NFSEC_LT_A_PACKETS, atomic64_read(&sa->packets) },
		{ NFSEC_LT_A_AGE_SECONDS, ktime_get_seconds() - sa->add_time },
	};
	int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(v); i++)
		if (nla_put_u64_64bit(skb, v[i].type, v[i].value, NFSEC_LT_A_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int put_drops(struct sk_buff *skb, const struct nfsec_sa *sa)
{
	struct nlattr *nest = nla_nest_start(skb, NFSEC_SA_A_DROPS);
	int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = NFSEC_SA_DROP_A_PAD + 1; i <= NFSEC_SA_DROP_A_MAX; i++)
		if (nla_put_u64_64bit(skb, i, atomic64_read(&sa->drops[i]), NFSEC_SA_DROP_A_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int put_encap(struct sk_buff *skb, const struct nfsec_sa_encap *encap)
{
	struct nlattr *nest;

	if (!encap->type)
		return 0;
	nest = nla_nest_start(skb, NFSEC_SA_A_ENCAP);
	if (!nest || nla_put_u8(skb, NFSEC_ENCAP_A_TYPE, encap->type) ||
	    nla_put_u16(skb, NFSEC_ENCAP_A_SPORT, ntohs(encap->sport)) ||
	    nla_put_u16(skb, NFSEC_ENCAP_A_DPORT, ntohs(encap->dport)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static u64 sa_seq(struct nfsec_sa *sa)
{
	u64 seq;

	if (sa->cfg.dir == NFSEC_SA_DIR_OUT)
		return atomic64_read(&sa->seq_out);
	spin_lock_bh(&sa->lock);
	seq = sa->replay->top;
	spin_unlock_bh(&sa->lock);
	return seq;
}

/* The SA as get gives it: everything but the keys. */
static int put_sa_attrs(struct sk_buff *skb, struct nfsec_sa *sa)
{
	const struct nfsec_sa_config *cfg = &sa->cfg;
	const struct nfsec_sa_id *id = &cfg->id;
	struct nlattr *nest = nla_nest_start(skb, NFSEC_A_SA);
	u32 icv_bits = sa->icv_len * 8;

	if (!nest ||
	    nla_put_u32(skb, NFSEC_SA_A_SPI, ntohl(id->spi)) ||
	    nla_put_u8(skb, NFSEC_SA_A_DIR, cfg->dir) ||
	    nla_put_u16(skb, NFSEC_SA_A_FAMILY, id->family) ||
	    put_addr(skb, NFSEC_SA_A_SRC, &cfg->saddr, id->family) ||
	    put_addr(skb, NFSEC_SA_A_DST, &id->daddr, id->family) ||
	    nla_put_u8(skb, NFSEC_SA_A_PROTO, id->proto) ||
	    nla_put_u8(skb, NFSEC_SA_A_MODE, cfg->mode) ||
	    nla_put_u32(skb, NFSEC_SA_A_REQID, cfg->reqid) ||
	    put_alg(skb, NFSEC_SA_A_AEAD, nfsec_sa_alg_name(sa, NFSEC_SA_ALG_AEAD), icv_bits) ||
	    put_alg(skb, NFSEC_SA_A_ENC, nfsec_sa_alg_name(sa, NFSEC_SA_ALG_ENC), 0) ||
	    put_alg(skb, NFSEC_SA_A_AUTH, nfsec_sa_alg_name(sa, NFSEC_SA_ALG_AUTH), icv_bits) ||
	    (cfg->dir == NFSEC_SA_DIR_IN &&
	     nla_put_u32(skb, NFSEC_SA_A_REPLAY_WINDOW, cfg->replay_window)) ||
	    (cfg->esn && nla_put_flag(skb, NFSEC_SA_A_ESN)) ||
	    (cfg->has_sel && put_selector(skb, NFSEC_SA_A_SELECTOR, &cfg->sel)) ||
	    put_encap(skb, &cfg->encap) ||
	    put_lifetime(skb, sa) || put_drops(skb, sa) ||
	    nla_put_u64_64bit(skb, NFSEC_SA_A_SEQ, sa_seq(sa), NFSEC_SA_A_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* An SA in a message: get, dump and events; @hard for an EXPIRE. */
struct sa_msg {
	struct nfsec_sa *sa;
	bool hard;
};

static int fill_sa(struct sk_buff *msg, const void *arg)
{
	const struct sa_msg *e = arg;

	if (put_sa_attrs(msg, e->sa) || (e->hard && nla_put_flag(msg, NFSEC_A_EXPIRE_HARD)))
		return -EMSGSIZE;
	return 0;
}

/* Announces @sa added, deleted or expiring (@cmd), under nn->lock. */
static void sa_event(struct nfsec_net *nn, struct nfsec_sa *sa, u8 cmd, bool hard)
{
	struct sa_msg e = { .sa = sa, .hard = hard };

	lockdep_assert_held(&nn->lock);
	event_send(nn, cmd, fill_sa, &e, GFP_KERNEL);
}

/* A soft or hard lifetime of @sa ran out. */
void nfsec_expire_event(struct nfsec_net *nn, struct nfsec_sa *sa, bool hard)
{
	lockdep_assert_held(&nn->lock);
	sa_event(nn, sa, NFSEC_CMD_EXPIRE, hard);
}

struct mapping_event_arg {
	struct nfsec_sa *sa;
	union nfsec_addr addr;
	__be16 port;
};

static int fill_mapping(struct sk_buff *msg, const void *arg)
{
	const struct mapping_event_arg *e = arg;
	struct nlattr *nest;

	if (put_sa_attrs(msg, e->sa))
		return -EMSGSIZE;
	nest = nla_nest_start(msg, NFSEC_A_MAPPING);
	if (!nest || put_addr(msg, NFSEC_MAPPING_A_ADDR, &e->addr, e->sa->cfg.id.family) ||
	    nla_put_u16(msg, NFSEC_MAPPING_A_PORT, ntohs(e->port)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/*
 * Authenticated ESP in UDP of inbound @sa came from @saddr and @sport, not the SA's peer
 * address and port (encap.c). Any context; @sa is held by the caller.
 */
void nfsec_mapping_event(struct nfsec_net *nn, struct nfsec_sa *sa, __be32 saddr,
			 __be16 sport)
{
	struct mapping_event_arg e = { .sa = sa, .addr.a4 = saddr, .port = sport };

	event_send(nn, NFSEC_CMD_MAPPING, fill_mapping, &e, GFP_ATOMIC);
}

static int put_flow(struct sk_buff *skb, const struct nfsec_flow *fl)
{
	unsigned int full = fl->family == AF_INET ? 32 : 128;
	struct nfsec_selector sel = {
		.saddr = fl->saddr, .daddr = fl->daddr, .family = fl->family,
		.sprefix = full, .dprefix = full, .proto = fl->proto,
		.sport_lo = fl->sport, .sport_hi = fl->sport,
		.dport_lo = fl->dport, .dport_hi = fl->dport,
	};

	return put_selector(skb, NFSEC_A_FLOW, &sel);
}

struct acquire_event_arg {
	const struct nfsec_policy *pol;
	const struct nfsec_flow *fl;
};

static int fill_acquire(struct sk_buff *msg, const void *arg)
{
	const struct acquire_event_arg *e = arg;

	return put_policy_attrs(msg, e->pol) ?: put_flow(msg, e->fl);
}

/* No SA serves @pol for @fl. Any context, under RCU (for @pol). */
void nfsec_acquire_event(struct nfsec_net *nn, const struct nfsec_policy *pol,
			 const struct nfsec_flow *fl)
{
	struct acquire_event_arg e = { .pol = pol, .fl = fl };

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "outside RCU");
	event_send(nn, NFSEC_CMD_ACQUIRE, fill_acquire, &e, GFP_ATOMIC);
}

static int nfsec_nl_sa_new(struct sk_buff *skb, struct genl_info *info)
{
	struct nfsec_net *nn = nfsec_net(genl_info_net(info));
	struct nlattr *tb[NFSEC_SA_A_MAX + 1];
	struct nfsec_sa_config cfg;
	struct nfsec_sa_alg alg;
	struct nfsec_sa *sa;
	int ret;

	ret = parse_sa_nest(info, tb);
	if (ret)
		return ret;
	ret = parse_sa_config(info->attrs[NFSEC_A_SA], tb, &cfg, info->extack) ?:
	      parse_sa_alg(tb, &alg, info->extack);
	if (ret)
		return ret;
	alg.esn = cfg.esn;
	sa = nfsec_sa_new(&cfg, &alg, info->extack);
	if (IS_ERR(sa))
		return PTR_ERR(sa);

	mutex_lock(&nn->lock);
	ret = nfsec_sa_add(nn, sa);
	if (!ret)
		sa_event(nn, sa, NFSEC_CMD_SA_NEW, false);
	mutex_unlock(&nn->lock);
	if (ret) {
		if (ret == -EEXIST)
			NL_SET_ERR_MSG(info->extack,
				       "an SA with this SPI, destination and protocol exists");
		nfsec_sa_put(sa);
	}
	return ret;
}

/* The SA a request names, under nn->lock. */
static struct nfsec_sa *sa_by_id(struct nfsec_net *nn, struct genl_info *info,
				 struct nlattr **tb)
{
	struct nfsec_sa_id id;
	struct nfsec_sa *sa;
	int ret;

	lockdep_assert_held(&nn->lock);
	ret = parse_sa_id(info->attrs[NFSEC_A_SA], tb, &id, info->extack);
	if (ret)
		return ERR_PTR(ret);
	rcu_read_lock();
	sa = nfsec_sa_lookup(&nn->sad, &id);
	rcu_read_unlock();
	if (!sa) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[NFSEC_SA_A_SPI],
				    "no SA has this SPI, destination and protocol");
		return ERR_PTR(-ENOENT);
	}
	/* The SAD's reference keeps it while we hold the lock. */
	nfsec_sa_put(sa);
	return sa;
}

static int nfsec_nl_sa_del(struct sk_buff *skb, struct genl_info *info)
{
	struct nfsec_net *nn = nfsec_net(genl_info_net(info));
	struct nlattr *tb[NFSEC_SA_A_MAX + 1];
	struct nfsec_sa *sa;
	int ret;

	ret = parse_sa_nest(info, tb);
	if (ret)
		return ret;
	mutex_lock(&nn->lock);
	sa = sa_by_id(nn, info, tb);
	if (!IS_ERR(sa)) {
		sa_event(nn, sa, NFSEC_CMD_SA_DEL, false);
		nfsec_sa_remove(&nn->sad, sa);
	}
	mutex_unlock(&nn->lock);
	return PTR_ERR_OR_ZERO(sa);
}

/*
 * New UDP encapsulation ports for an SA that has encapsulation, in place: its sequence
 * numbers, replay window and counters go on (a NAT mapping moved).
 */
static int nfsec_nl_sa_set(struct sk_buff *skb, struct genl_info *info)
{
	struct nfsec_net *nn = nfsec_net(genl_info_net(info));
	struct nlattr *tb[NFSEC_SA_A_MAX + 1];
	struct nfsec_sa_encap encap;
	struct nfsec_sa *sa;
	int ret;

	ret = parse_sa_nest(info, tb);
	if (ret)
		return ret;
	if (attr_missing(info->extack, info->attrs[NFSEC_A_SA], tb, NFSEC_SA_A_ENCAP,
			 "nothing to change: only the encapsulation ports can be set"))
		return -EINVAL;
	mutex_lock(&nn->lock);
	sa = sa_by_id(nn, info, tb);
	if (IS_ERR(sa)) {
		ret = PTR_ERR(sa);
		goto out;
	}
	ret = parse_encap(tb[NFSEC_SA_A_ENCAP], sa->cfg.id.family, &encap, info->extack);
	if (ret)
		goto out;
	if (!sa->cfg.encap.type || encap.type != sa->cfg.encap.type) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[NFSEC_SA_A_ENCAP],
				    "the SA has no UDP encapsulation of this type: add a new SA");
		ret = -EINVAL;
		goto out;
	}
	WRITE_ONCE(sa->cfg.encap.sport, encap.sport);
	WRITE_ONCE(sa->cfg.encap.dport, encap.dport);
	sa_event(nn, sa, NFSEC_CMD_SA_SET, false);
out:
	mutex_unlock(&nn->lock);
	return ret;
}

static int nfsec_nl_sa_get(struct sk_buff *skb, struct genl_info *info)
{
	struct nfsec_net *nn = nfsec_net(genl_info_net(info));
	struct nlattr *tb[NFSEC_SA_A_MAX + 1];
	struct sk_buff *msg;
	struct nfsec_sa *sa;
	int ret;

	ret = parse_sa_nest(info, tb);
	if (ret)
		return ret;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&nn->lock);
	sa = sa_by_id(nn, info, tb);
	ret = IS_ERR(sa) ? PTR_ERR(sa) :
	      put_msg(msg, info->snd_portid, info->snd_seq, 0, NFSEC_CMD_SA_GET, fill_sa,
		      &(struct sa_msg){ .sa = sa });
	mutex_unlock(&nn->lock);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

/* In the order SAs were added: resumes after the one added as number cb->args[0]. */
static int nfsec_nl_sa_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nfsec_net *nn = nfsec_net(sock_net(skb->sk));
	unsigned long index, next = cb->args[0] + 1;
	struct nfsec_sa *sa;
	unsigned int len;
	int ret = 0;

	mutex_lock(&nn->lock);
	cb->seq = nn->sad.gen;
	xa_for_each_start(&nn->sad.by_seq, index, sa, next) {
		len = skb->len;
		ret = put_msg(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq, NLM_F_MULTI,
			      NFSEC_CMD_SA_GET, fill_sa, &(struct sa_msg){ .sa = sa });
		if (ret)
			break;
		dump_mark(cb, skb, len);
		next = index + 1;
	}
	mutex_unlock(&nn->lock);
	cb->args[0] = next - 1;
	return ret && !skb->len ? ret : skb->len;
}

static int nfsec_nl_sa_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct nfsec_net *nn = nfsec_net(genl_info_net(info));

	mutex_lock(&nn->lock);
	nfsec_sad_flush(&nn->sad);
	event_send(nn, NFSEC_CMD_SA_FLUSH, NULL, NULL, GFP_KERNEL);
	mutex_unlock(&nn->lock);
	return 0;
}

static int put_stats(struct sk_buff *skb, struct nfsec_net *nn)
{
	struct nlattr *nest = nla_nest_start(skb, NFSEC_A_STATS);
	u64 sum[NFSEC_STAT_A_MAX + 1] = {};
	int cpu, i;

	if (!nest)
		return -EMSGSIZE;
	for_each_possible_cpu(cpu) {
		const struct nfsec_stats *st = per_cpu_ptr(nn->stats, cpu);

		for (i = 0; i <= NFSEC_STAT_A_MAX; i++)
			sum[i] += READ_ONCE(st->v[i]);
	}
	for (i = NFSEC_STAT_A_PAD + 1; i <= NFSEC_STAT_A_MAX; i++)
		if (nla_put_u64_64bit(skb, i, sum[i], NFSEC_STAT_A_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int nfsec_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct nfsec_net *nn = nfsec_net(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &nfsec_genl_family, 0, NFSEC_CMD_STATS_GET);
	if (!hdr || put_stats(msg, nn)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* Runs in the sender's process: the descriptor is one of its own. */
static int nfsec_nl_ike_socket(struct sk_buff *skb, struct genl_info *info)
{
	if (attr_missing(info->extack, NULL, info->attrs, NFSEC_A_SOCKET_FD,
			 "request needs a socket descriptor"))
		return -EINVAL;
	return nfsec_ike_socket_add(genl_info_net(info),
				    nla_get_u32(info->attrs[NFSEC_A_SOCKET_FD]), info->extack);
}

static const struct genl_ops nfsec_genl_ops[] = {
	{
		.cmd = NFSEC_CMD_GET_VERSION,
		.doit = nfsec_nl_get_version,
		.policy = get_version_policy,
		.maxattr = ARRAY_SIZE(get_version_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFSEC_CMD_POLICY_NEW,
		.doit = nfsec_nl_policy_new,
		.policy = policy_new_policy,
		.maxattr = ARRAY_SIZE(policy_new_policy) - 1,
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
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFSEC_CMD_POLICY_FLUSH,
		.doit = nfsec_nl_policy_flush,
		.policy = policy_cmd_policy,
		.maxattr = ARRAY_SIZE(policy_cmd_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFSEC_CMD_SA_NEW,
		.doit = nfsec_nl_sa_new,
		.policy = sa_cmd_policy,
		.maxattr = ARRAY_SIZE(sa_cmd_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFSEC_CMD_SA_DEL,
		.doit = nfsec_nl_sa_del,
		.policy = sa_cmd_policy,
		.maxattr = ARRAY_SIZE(sa_cmd_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFSEC_CMD_SA_SET,
		.doit = nfsec_nl_sa_set,
		.policy = sa_cmd_policy,
		.maxattr = ARRAY_SIZE(sa_cmd_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFSEC_CMD_SA_GET,
		.doit = nfsec_nl_sa_get,
		.dumpit = nfsec_nl_sa_dump,
		.policy = sa_cmd_policy,
		.maxattr = ARRAY_SIZE(sa_cmd_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFSEC_CMD_SA_FLUSH,
		.doit = nfsec_nl_sa_flush,
		.policy = sa_cmd_policy,
		.maxattr = ARRAY_SIZE(sa_cmd_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFSEC_CMD_STATS_GET,
		.doit = nfsec_nl_stats_get,
		.policy = stats_cmd_policy,
		.maxattr = ARRAY_SIZE(stats_cmd_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NFSEC_CMD_IKE_SOCKET,
		.doit = nfsec_nl_ike_socket,
		.policy = ike_socket_cmd_policy,
		.maxattr = ARRAY_SIZE(ike_socket_cmd_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

/*
 * Reads need privilege as writes do (XFRM's rule): SPIs, peers, lifetimes and every
 * ACQUIRE's flow are no business of an unprivileged user. Every op has
 * GENL_UNS_ADMIN_PERM (CAP_NET_ADMIN in the namespace's user namespace), and so does
 * joining the events group.
 */
static const struct genl_multicast_group nfsec_genl_mcgrps[] = {
	{ .name = NFSEC_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

/*
 * Requests run side by side, not under genl_mutex (parallel_ops): a new SA's transform
 * may wait seconds in modprobe, and genl_mutex would hold up every family's requests in
 * every namespace meanwhile. What they share is serialised by its own lock: a
 * namespace's databases and its events by nn->lock, a dump's resume point is its own
 * (cb->args, one dump at a time per socket), an IKE socket's mark by its socket lock.
 */
struct genl_family nfsec_genl_family __ro_after_init = {
	.name = NFSEC_GENL_NAME,
	.version = NFSEC_GENL_VERSION,
	.netnsok = true,
	.parallel_ops = true,
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
