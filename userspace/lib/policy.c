// SPDX-License-Identifier: GPL-2.0
/*
 * libnfsec: the security policy commands, NFSEC_CMD_POLICY_*. Requests state every
 * selector attribute; replies must carry every attribute, with exact lengths and values
 * this version of the family defines.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "internal.h"

static const char add_op[] = "add policy";
static const char del_op[] = "delete policy";
static const char get_op[] = "get policy";
static const char dump_op[] = "list policies";
static const char flush_op[] = "flush policies";

static unsigned int addr_len(uint16_t family)
{
	return family == AF_INET ? 4 : 16;
}

static unsigned int addr_bits(uint16_t family)
{
	return addr_len(family) * 8;
}

static int selector_check(struct nfsec_handle *h, const struct nfsec_selector *sel)
{
	if (sel->family != AF_INET && sel->family != AF_INET6)
		return nfsec_seterr(h, -EINVAL,
				    "%s: selector family %u is neither AF_INET nor AF_INET6",
				    add_op, sel->family);
	if (sel->src_prefix > addr_bits(sel->family))
		return nfsec_seterr(h, -EINVAL, "%s: source prefix length %u is above %u",
				    add_op, sel->src_prefix, addr_bits(sel->family));
	if (sel->dst_prefix > addr_bits(sel->family))
		return nfsec_seterr(h, -EINVAL, "%s: destination prefix length %u is above %u",
				    add_op, sel->dst_prefix, addr_bits(sel->family));
	return 0;
}

/*
 * The kernel validates nests strictly and refuses one without NLA_F_NESTED. libnl 3.7's
 * nla_nest_start() sets the flag itself, older releases do not; asking for it here works
 * with both.
 */
static struct nlattr *nest_start(struct nl_msg *msg, int type)
{
	return nla_nest_start(msg, type | NLA_F_NESTED);
}

static int put_selector(struct nl_msg *msg, const struct nfsec_selector *sel)
{
	unsigned int len = addr_len(sel->family);
	struct nlattr *nest = nest_start(msg, NFSEC_POLICY_A_SELECTOR);

	if (!nest ||
	    nla_put_u16(msg, NFSEC_SEL_A_FAMILY, sel->family) < 0 ||
	    nla_put(msg, NFSEC_SEL_A_SRC, len, sel->src) < 0 ||
	    nla_put_u8(msg, NFSEC_SEL_A_SRC_PREFIX, sel->src_prefix) < 0 ||
	    nla_put(msg, NFSEC_SEL_A_DST, len, sel->dst) < 0 ||
	    nla_put_u8(msg, NFSEC_SEL_A_DST_PREFIX, sel->dst_prefix) < 0 ||
	    nla_put_u8(msg, NFSEC_SEL_A_PROTO, sel->proto) < 0 ||
	    nla_put_u16(msg, NFSEC_SEL_A_SPORT_MIN, sel->sport_min) < 0 ||
	    nla_put_u16(msg, NFSEC_SEL_A_SPORT_MAX, sel->sport_max) < 0 ||
	    nla_put_u16(msg, NFSEC_SEL_A_DPORT_MIN, sel->dport_min) < 0 ||
	    nla_put_u16(msg, NFSEC_SEL_A_DPORT_MAX, sel->dport_max) < 0)
		return -EMSGSIZE;
	return nla_nest_end(msg, nest) < 0 ? -EMSGSIZE : 0;
}

static int put_policy(struct nl_msg *msg, const struct nfsec_policy *p)
{
	struct nlattr *nest = nest_start(msg, NFSEC_A_POLICY);

	if (!nest ||
	    nla_put_u8(msg, NFSEC_POLICY_A_DIR, p->dir) < 0 ||
	    nla_put_u8(msg, NFSEC_POLICY_A_ACTION, p->action) < 0 ||
	    nla_put_u32(msg, NFSEC_POLICY_A_PRIORITY, p->priority) < 0 ||
	    put_selector(msg, &p->sel) < 0)
		return -EMSGSIZE;
	return nla_nest_end(msg, nest) < 0 ? -EMSGSIZE : 0;
}

/* Frees *msgp and says so: every request here is a few dozen bytes. */
static int too_large(struct nfsec_handle *h, const char *op, struct nl_msg **msgp)
{
	nlmsg_free(*msgp);
	*msgp = NULL;
	return nfsec_seterr(h, -EMSGSIZE, "%s: request too large", op);
}

int nfsec_policy_new_msg(struct nfsec_handle *h, const struct nfsec_policy *p,
			 struct nl_msg **msgp)
{
	int ret;

	*msgp = NULL;
	ret = selector_check(h, &p->sel);
	if (ret < 0)
		return ret;
	ret = nfsec_msg_new(h, add_op, NFSEC_CMD_POLICY_NEW, 0, msgp);
	if (ret < 0)
		return ret;
	if (put_policy(*msgp, p) < 0)
		return too_large(h, add_op, msgp);
	return 0;
}

int nfsec_policy_index_msg(struct nfsec_handle *h, uint8_t cmd, uint32_t index,
			   struct nl_msg **msgp)
{
	const char *op = cmd == NFSEC_CMD_POLICY_DEL ? del_op : get_op;
	struct nlattr *nest;
	int ret;

	ret = nfsec_msg_new(h, op, cmd, 0, msgp);
	if (ret < 0)
		return ret;
	nest = nest_start(*msgp, NFSEC_A_POLICY);
	if (!nest || nla_put_u32(*msgp, NFSEC_POLICY_A_INDEX, index) < 0 ||
	    nla_nest_end(*msgp, nest) < 0)
		return too_large(h, op, msgp);
	return 0;
}

int nfsec_policy_flush_msg(struct nfsec_handle *h, int dir, struct nl_msg **msgp)
{
	struct nlattr *nest;
	int ret;

	*msgp = NULL;
	if (dir > NFSEC_POLICY_DIR_MAX)
		return nfsec_seterr(h, -EINVAL, "%s: direction %d is out of range 0..%d",
				    flush_op, dir, NFSEC_POLICY_DIR_MAX);
	ret = nfsec_msg_new(h, flush_op, NFSEC_CMD_POLICY_FLUSH, 0, msgp);
	if (ret < 0 || dir < 0)
		return ret;
	nest = nest_start(*msgp, NFSEC_A_POLICY);
	if (!nest || nla_put_u8(*msgp, NFSEC_POLICY_A_DIR, (uint8_t)dir) < 0 ||
	    nla_nest_end(*msgp, nest) < 0)
		return too_large(h, flush_op, msgp);
	return 0;
}

static const struct nla_policy reply_policy[NFSEC_A_MAX + 1] = {
	[NFSEC_A_POLICY] = { .type = NLA_NESTED },
};

static const struct nla_policy policy_policy[NFSEC_POLICY_A_MAX + 1] = {
	[NFSEC_POLICY_A_INDEX]	  = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NFSEC_POLICY_A_DIR]	  = { .type = NLA_U8, .maxlen = sizeof(uint8_t) },
	[NFSEC_POLICY_A_ACTION]	  = { .type = NLA_U8, .maxlen = sizeof(uint8_t) },
	[NFSEC_POLICY_A_PRIORITY] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NFSEC_POLICY_A_SELECTOR] = { .type = NLA_NESTED },
};

/* Addresses are 4 or 16 bytes here; which of the two is checked against the family. */
static const struct nla_policy sel_policy[NFSEC_SEL_A_MAX + 1] = {
	[NFSEC_SEL_A_FAMILY]	 = { .type = NLA_U16, .maxlen = sizeof(uint16_t) },
	[NFSEC_SEL_A_SRC]	 = { .type = NLA_UNSPEC, .minlen = 4, .maxlen = 16 },
	[NFSEC_SEL_A_SRC_PREFIX] = { .type = NLA_U8, .maxlen = sizeof(uint8_t) },
	[NFSEC_SEL_A_DST]	 = { .type = NLA_UNSPEC, .minlen = 4, .maxlen = 16 },
	[NFSEC_SEL_A_DST_PREFIX] = { .type = NLA_U8, .maxlen = sizeof(uint8_t) },
	[NFSEC_SEL_A_PROTO]	 = { .type = NLA_U8, .maxlen = sizeof(uint8_t) },
	[NFSEC_SEL_A_SPORT_MIN]	 = { .type = NLA_U16, .maxlen = sizeof(uint16_t) },
	[NFSEC_SEL_A_SPORT_MAX]	 = { .type = NLA_U16, .maxlen = sizeof(uint16_t) },
	[NFSEC_SEL_A_DPORT_MIN]	 = { .type = NLA_U16, .maxlen = sizeof(uint16_t) },
	[NFSEC_SEL_A_DPORT_MAX]	 = { .type = NLA_U16, .maxlen = sizeof(uint16_t) },
};

static const char *const policy_names[NFSEC_POLICY_A_MAX + 1] = {
	[NFSEC_POLICY_A_INDEX]	  = "NFSEC_POLICY_A_INDEX",
	[NFSEC_POLICY_A_DIR]	  = "NFSEC_POLICY_A_DIR",
	[NFSEC_POLICY_A_ACTION]	  = "NFSEC_POLICY_A_ACTION",
	[NFSEC_POLICY_A_PRIORITY] = "NFSEC_POLICY_A_PRIORITY",
	[NFSEC_POLICY_A_SELECTOR] = "NFSEC_POLICY_A_SELECTOR",
};

static const char *const sel_names[NFSEC_SEL_A_MAX + 1] = {
	[NFSEC_SEL_A_FAMILY]	 = "NFSEC_SEL_A_FAMILY",
	[NFSEC_SEL_A_SRC]	 = "NFSEC_SEL_A_SRC",
	[NFSEC_SEL_A_SRC_PREFIX] = "NFSEC_SEL_A_SRC_PREFIX",
	[NFSEC_SEL_A_DST]	 = "NFSEC_SEL_A_DST",
	[NFSEC_SEL_A_DST_PREFIX] = "NFSEC_SEL_A_DST_PREFIX",
	[NFSEC_SEL_A_PROTO]	 = "NFSEC_SEL_A_PROTO",
	[NFSEC_SEL_A_SPORT_MIN]	 = "NFSEC_SEL_A_SPORT_MIN",
	[NFSEC_SEL_A_SPORT_MAX]	 = "NFSEC_SEL_A_SPORT_MAX",
	[NFSEC_SEL_A_DPORT_MIN]	 = "NFSEC_SEL_A_DPORT_MIN",
	[NFSEC_SEL_A_DPORT_MAX]	 = "NFSEC_SEL_A_DPORT_MAX",
};

/* Every one of names[1..max] must be in tb: a dump states each policy in full. */
static int need_all(struct nfsec_handle *h, const char *op, struct nlattr **tb, int max,
		    const char *const *names)
{
	for (int type = 1; type <= max; type++)
		if (!tb[type])
			return nfsec_seterr(h, -EBADMSG, "%s: reply lacks %s", op, names[type]);
	return 0;
}

static int get_addr(struct nfsec_handle *h, const char *op, const struct nlattr *nla,
		    int type, uint16_t family, uint8_t *addr)
{
	if ((unsigned int)nla_len(nla) != addr_len(family))
		return nfsec_seterr(h, -EBADMSG, "%s: reply has a %d-byte %s for %s", op,
				    nla_len(nla), sel_names[type],
				    family == AF_INET ? "AF_INET" : "AF_INET6");
	memcpy(addr, nla_data(nla), addr_len(family));
	return 0;
}

static int get_ports(struct nfsec_handle *h, const char *op, struct nlattr **tb, int type,
		     uint16_t *min, uint16_t *max)
{
	*min = nla_get_u16(tb[type]);
	*max = nla_get_u16(tb[type + 1]);
	if (*min > *max)
		return nfsec_seterr(h, -EBADMSG, "%s: reply has %s %u above %s %u", op,
				    sel_names[type], *min, sel_names[type + 1], *max);
	return 0;
}

static int selector_decode(struct nfsec_handle *h, const char *op, struct nlattr *nest,
			   struct nfsec_selector *sel)
{
	struct nlattr *tb[NFSEC_SEL_A_MAX + 1];
	int ret;

	ret = nfsec_nest_parse(h, op, "NFSEC_POLICY_A_SELECTOR", nest, tb, NFSEC_SEL_A_MAX,
			       sel_policy);
	if (!ret)
		ret = need_all(h, op, tb, NFSEC_SEL_A_MAX, sel_names);
	if (ret < 0)
		return ret;

	memset(sel, 0, sizeof(*sel));
	sel->family = nla_get_u16(tb[NFSEC_SEL_A_FAMILY]);
	if (sel->family != AF_INET && sel->family != AF_INET6)
		return nfsec_seterr(h, -EBADMSG, "%s: reply has address family %u", op,
				    sel->family);
	sel->src_prefix = nla_get_u8(tb[NFSEC_SEL_A_SRC_PREFIX]);
	sel->dst_prefix = nla_get_u8(tb[NFSEC_SEL_A_DST_PREFIX]);
	if (sel->src_prefix > addr_bits(sel->family) || sel->dst_prefix > addr_bits(sel->family))
		return nfsec_seterr(h, -EBADMSG, "%s: reply has prefix lengths %u and %u for %s",
				    op, sel->src_prefix, sel->dst_prefix,
				    sel->family == AF_INET ? "AF_INET" : "AF_INET6");
	sel->proto = nla_get_u8(tb[NFSEC_SEL_A_PROTO]);

	ret = get_addr(h, op, tb[NFSEC_SEL_A_SRC], NFSEC_SEL_A_SRC, sel->family, sel->src);
	if (!ret)
		ret = get_addr(h, op, tb[NFSEC_SEL_A_DST], NFSEC_SEL_A_DST, sel->family, sel->dst);
	if (!ret)
		ret = get_ports(h, op, tb, NFSEC_SEL_A_SPORT_MIN, &sel->sport_min, &sel->sport_max);
	if (!ret)
		ret = get_ports(h, op, tb, NFSEC_SEL_A_DPORT_MIN, &sel->dport_min, &sel->dport_max);
	return ret;
}

static int dir_check(struct nfsec_handle *h, const char *op, uint8_t dir)
{
	if (dir > NFSEC_POLICY_DIR_MAX)
		return nfsec_seterr(h, -EBADMSG, "%s: reply has direction %u, unknown here",
				    op, dir);
	return 0;
}

int nfsec_policy_decode(struct nfsec_handle *h, const char *op, struct nlattr *nest,
			struct nfsec_policy *out)
{
	struct nlattr *tb[NFSEC_POLICY_A_MAX + 1];
	struct nfsec_policy p;
	int ret;

	ret = nfsec_nest_parse(h, op, "NFSEC_A_POLICY", nest, tb, NFSEC_POLICY_A_MAX,
			       policy_policy);
	if (!ret)
		ret = need_all(h, op, tb, NFSEC_POLICY_A_MAX, policy_names);
	if (ret < 0)
		return ret;

	p.index = nla_get_u32(tb[NFSEC_POLICY_A_INDEX]);
	p.dir = nla_get_u8(tb[NFSEC_POLICY_A_DIR]);
	p.action = nla_get_u8(tb[NFSEC_POLICY_A_ACTION]);
	p.priority = nla_get_u32(tb[NFSEC_POLICY_A_PRIORITY]);
	ret = dir_check(h, op, p.dir);
	if (ret < 0)
		return ret;
	if (p.action > NFSEC_POLICY_ACTION_MAX)
		return nfsec_seterr(h, -EBADMSG, "%s: reply has action %u, unknown here",
				    op, p.action);
	ret = selector_decode(h, op, tb[NFSEC_POLICY_A_SELECTOR], &p.sel);
	if (ret < 0)
		return ret;
	*out = p;
	return 0;
}

/* Only the direction is read: a flush names nothing else. */
int nfsec_policy_dir_decode(struct nfsec_handle *h, const char *op, struct nlattr *nest,
			    int *dir)
{
	struct nlattr *tb[NFSEC_POLICY_A_MAX + 1];
	uint8_t d;
	int ret;

	ret = nfsec_nest_parse(h, op, "NFSEC_A_POLICY", nest, tb, NFSEC_POLICY_A_MAX,
			       policy_policy);
	if (ret < 0)
		return ret;
	if (!tb[NFSEC_POLICY_A_DIR])
		return nfsec_seterr(h, -EBADMSG, "%s: reply lacks %s", op,
				    policy_names[NFSEC_POLICY_A_DIR]);
	d = nla_get_u8(tb[NFSEC_POLICY_A_DIR]);
	ret = dir_check(h, op, d);
	if (ret < 0)
		return ret;
	*dir = d;
	return 0;
}

int nfsec_policy_parse(struct nfsec_handle *h, struct nlmsghdr *nlh, void *arg)
{
	struct nfsec_policy_reply *reply = arg;
	struct nlattr *tb[NFSEC_A_MAX + 1];
	const struct genlmsghdr *gnlh;
	struct nfsec_policy p;
	int ret;

	ret = nfsec_attrs_parse(h, reply->op, nlh, tb, NFSEC_A_MAX, reply_policy);
	if (ret < 0)
		return ret;
	gnlh = nlmsg_data(nlh);
	if (gnlh->cmd != NFSEC_CMD_POLICY_GET)
		return nfsec_seterr(h, -EBADMSG, "%s: reply to command %u, expected %u",
				    reply->op, gnlh->cmd, NFSEC_CMD_POLICY_GET);
	if (!tb[NFSEC_A_POLICY])
		return nfsec_seterr(h, -EBADMSG, "%s: reply lacks NFSEC_A_POLICY", reply->op);
	ret = nfsec_policy_decode(h, reply->op, tb[NFSEC_A_POLICY], &p);
	if (ret < 0)
		return ret;

	reply->count++;
	if (reply->cb) {
		ret = reply->cb(&p, reply->arg);
		if (ret < 0)
			return nfsec_seterr(h, ret, "%s: stopped by the caller: %s", reply->op,
					    strerror(-ret));
	} else if (reply->one && reply->count == 1) {
		*reply->one = p;
	}
	return 0;
}

int nfsec_policy_add(struct nfsec_handle *h, const struct nfsec_policy *p)
{
	struct nl_msg *msg;
	int ret;

	ret = nfsec_policy_new_msg(h, p, &msg);
	if (ret < 0)
		return ret;
	return nfsec_request(h, add_op, msg, NULL, NULL);
}

int nfsec_policy_del(struct nfsec_handle *h, uint32_t index)
{
	struct nl_msg *msg;
	int ret;

	ret = nfsec_policy_index_msg(h, NFSEC_CMD_POLICY_DEL, index, &msg);
	if (ret < 0)
		return ret;
	return nfsec_request(h, del_op, msg, NULL, NULL);
}

int nfsec_policy_get(struct nfsec_handle *h, uint32_t index, struct nfsec_policy *out)
{
	struct nfsec_policy p;
	struct nfsec_policy_reply reply = { .op = get_op, .one = &p };
	struct nl_msg *msg;
	int ret;

	ret = nfsec_policy_index_msg(h, NFSEC_CMD_POLICY_GET, index, &msg);
	if (ret < 0)
		return ret;
	ret = nfsec_request(h, get_op, msg, nfsec_policy_parse, &reply);
	if (ret < 0)
		return ret;
	if (reply.count != 1)
		return nfsec_seterr(h, -EBADMSG, "%s: %u replies from the kernel, expected 1",
				    get_op, reply.count);
	if (p.index != index)
		return nfsec_seterr(h, -EBADMSG, "%s: the kernel answered with index %u for %u",
				    get_op, p.index, index);
	*out = p;
	return 0;
}

int nfsec_policy_dump(struct nfsec_handle *h, nfsec_policy_fn cb, void *arg)
{
	struct nfsec_policy_reply reply = { .op = dump_op, .cb = cb, .arg = arg };
	struct nl_msg *msg;
	int ret;

	ret = nfsec_msg_new(h, dump_op, NFSEC_CMD_POLICY_GET, NLM_F_DUMP, &msg);
	if (ret < 0)
		return ret;
	return nfsec_request(h, dump_op, msg, nfsec_policy_parse, &reply);
}

int nfsec_policy_flush(struct nfsec_handle *h, int dir)
{
	struct nl_msg *msg;
	int ret;

	ret = nfsec_policy_flush_msg(h, dir, &msg);
	if (ret < 0)
		return ret;
	return nfsec_request(h, flush_op, msg, NULL, NULL);
}
