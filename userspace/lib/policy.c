// SPDX-License-Identifier: GPL-2.0
/*
 * libnfsec: the security policy commands, NFSEC_CMD_POLICY_*. Requests state every
 * selector and template attribute; replies must carry every attribute (the template: a
 * protect policy's, and in tunnel mode only its endpoints), with exact lengths and values
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

/* Only a protect policy has a template; a tunnel has endpoints, a transport none. */
static int tmpl_check(struct nfsec_handle *h, const struct nfsec_policy *p)
{
	const struct nfsec_tmpl *t = &p->tmpl;

	if (!p->has_tmpl)
		return 0;
	if (p->action != NFSEC_POLICY_PROTECT)
		return nfsec_seterr(h, -EINVAL, "%s: only a protect policy takes a template "
				    "(action is %u)", add_op, p->action);
	if (t->mode > NFSEC_MODE_MAX)
		return nfsec_seterr(h, -EINVAL, "%s: template mode %u is out of range 0..%d",
				    add_op, t->mode, NFSEC_MODE_MAX);
	if (t->mode == NFSEC_MODE_TUNNEL && t->family != AF_INET && t->family != AF_INET6)
		return nfsec_seterr(h, -EINVAL, "%s: tunnel template family %u is neither "
				    "AF_INET nor AF_INET6", add_op, t->family);
	if (t->mode == NFSEC_MODE_TRANSPORT && t->family)
		return nfsec_seterr(h, -EINVAL, "%s: a transport template has no endpoints "
				    "(family %u)", add_op, t->family);
	return 0;
}

/* The tunnel's endpoints only in tunnel mode; the request id always. */
static void put_tmpl(struct nfsec_put *w, const struct nfsec_tmpl *t)
{
	unsigned int len = nfsec_addr_len(t->family);
	uint32_t nest = nfsec_put_nest_start(w, NFSEC_POLICY_A_TMPL);

	nfsec_put_u8(w, NFSEC_TMPL_A_MODE, t->mode);
	if (t->mode == NFSEC_MODE_TUNNEL) {
		nfsec_put_u16(w, NFSEC_TMPL_A_FAMILY, t->family);
		nfsec_put(w, NFSEC_TMPL_A_SRC, t->src, len);
		nfsec_put(w, NFSEC_TMPL_A_DST, t->dst, len);
	}
	nfsec_put_u32(w, NFSEC_TMPL_A_REQID, t->reqid);
	nfsec_put_nest_end(w, nest);
}

int nfsec_policy_check(struct nfsec_handle *h, const struct nfsec_policy *p)
{
	int ret = nfsec_selector_check(h, add_op, &p->sel);

	return ret < 0 ? ret : tmpl_check(h, p);
}

int nfsec_policy_put(struct nfsec_put *w, const struct nfsec_policy *p)
{
	uint32_t before = w->nlh->nlmsg_len, nest = nfsec_put_nest_start(w, NFSEC_A_POLICY);

	nfsec_put_u8(w, NFSEC_POLICY_A_DIR, p->dir);
	nfsec_put_u8(w, NFSEC_POLICY_A_ACTION, p->action);
	nfsec_put_u32(w, NFSEC_POLICY_A_PRIORITY, p->priority);
	nfsec_selector_put(w, NFSEC_POLICY_A_SELECTOR, &p->sel);
	if (p->has_tmpl)
		put_tmpl(w, &p->tmpl);
	nfsec_put_nest_end(w, nest);
	if (!w->full)
		return 0;
	w->nlh->nlmsg_len = before;
	w->full = false;
	return -EMSGSIZE;
}

int nfsec_policy_new_msg(struct nfsec_handle *h, const struct nfsec_policy *p,
			 struct nl_msg **msgp)
{
	struct nfsec_put w;
	int ret;

	*msgp = NULL;
	ret = nfsec_policy_check(h, p);
	if (ret < 0)
		return ret;
	ret = nfsec_msg_new(h, add_op, NFSEC_CMD_POLICY_NEW, 0, msgp);
	if (ret < 0)
		return ret;
	w = nfsec_put_begin(*msgp);
	if (nfsec_policy_put(&w, p) < 0)
		return nfsec_too_large(h, add_op, msgp);
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
	nest = nfsec_nest_start(*msgp, NFSEC_A_POLICY);
	if (!nest || nla_put_u32(*msgp, NFSEC_POLICY_A_INDEX, index) < 0 ||
	    nla_nest_end(*msgp, nest) < 0)
		return nfsec_too_large(h, op, msgp);
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
	nest = nfsec_nest_start(*msgp, NFSEC_A_POLICY);
	if (!nest || nla_put_u8(*msgp, NFSEC_POLICY_A_DIR, (uint8_t)dir) < 0 ||
	    nla_nest_end(*msgp, nest) < 0)
		return nfsec_too_large(h, flush_op, msgp);
	return 0;
}

static const struct nla_policy policy_policy[NFSEC_POLICY_A_MAX + 1] = {
	[NFSEC_POLICY_A_INDEX]	  = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NFSEC_POLICY_A_DIR]	  = { .type = NLA_U8, .maxlen = sizeof(uint8_t) },
	[NFSEC_POLICY_A_ACTION]	  = { .type = NLA_U8, .maxlen = sizeof(uint8_t) },
	[NFSEC_POLICY_A_PRIORITY] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NFSEC_POLICY_A_SELECTOR] = { .type = NLA_NESTED },
	[NFSEC_POLICY_A_TMPL]	  = { .type = NLA_NESTED },
};

static const char *const policy_names[NFSEC_POLICY_A_MAX + 1] = {
	[NFSEC_POLICY_A_INDEX]	  = "NFSEC_POLICY_A_INDEX",
	[NFSEC_POLICY_A_DIR]	  = "NFSEC_POLICY_A_DIR",
	[NFSEC_POLICY_A_ACTION]	  = "NFSEC_POLICY_A_ACTION",
	[NFSEC_POLICY_A_PRIORITY] = "NFSEC_POLICY_A_PRIORITY",
	[NFSEC_POLICY_A_SELECTOR] = "NFSEC_POLICY_A_SELECTOR",
	[NFSEC_POLICY_A_TMPL]	  = "NFSEC_POLICY_A_TMPL",
};

/* A dump states each policy in full; the template is the protect policies' alone. */
static const int policy_required[] = {
	NFSEC_POLICY_A_INDEX, NFSEC_POLICY_A_DIR, NFSEC_POLICY_A_ACTION,
	NFSEC_POLICY_A_PRIORITY, NFSEC_POLICY_A_SELECTOR,
};

static const struct nla_policy tmpl_policy[NFSEC_TMPL_A_MAX + 1] = {
	[NFSEC_TMPL_A_MODE]   = { .type = NLA_U8, .maxlen = sizeof(uint8_t) },
	[NFSEC_TMPL_A_FAMILY] = { .type = NLA_U16, .maxlen = sizeof(uint16_t) },
	[NFSEC_TMPL_A_SRC]    = { .type = NLA_UNSPEC, .minlen = 4, .maxlen = 16 },
	[NFSEC_TMPL_A_DST]    = { .type = NLA_UNSPEC, .minlen = 4, .maxlen = 16 },
	[NFSEC_TMPL_A_REQID]  = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
};

static const char *const tmpl_names[NFSEC_TMPL_A_MAX + 1] = {
	[NFSEC_TMPL_A_MODE]   = "NFSEC_TMPL_A_MODE",
	[NFSEC_TMPL_A_FAMILY] = "NFSEC_TMPL_A_FAMILY",
	[NFSEC_TMPL_A_SRC]    = "NFSEC_TMPL_A_SRC",
	[NFSEC_TMPL_A_DST]    = "NFSEC_TMPL_A_DST",
	[NFSEC_TMPL_A_REQID]  = "NFSEC_TMPL_A_REQID",
};

static const int tmpl_required[] = { NFSEC_TMPL_A_MODE, NFSEC_TMPL_A_REQID };
static const int tunnel_required[] = {
	NFSEC_TMPL_A_FAMILY, NFSEC_TMPL_A_SRC, NFSEC_TMPL_A_DST,
};

/* A tunnel's endpoints, which a transport template must not have. */
static int tmpl_endpoints(struct nfsec_handle *h, const char *op, struct nlattr **tb,
			  struct nfsec_tmpl *t)
{
	int ret;

	if (t->mode == NFSEC_MODE_TRANSPORT) {
		for (size_t i = 0; i < ARRAY_SIZE(tunnel_required); i++)
			if (tb[tunnel_required[i]])
				return nfsec_seterr(h, -EBADMSG, "%s: reply has %s in a transport "
						    "template", op, tmpl_names[tunnel_required[i]]);
		return 0;
	}
	ret = nfsec_need(h, op, tb, tunnel_required, ARRAY_SIZE(tunnel_required), tmpl_names);
	if (ret < 0)
		return ret;
	t->family = nla_get_u16(tb[NFSEC_TMPL_A_FAMILY]);
	if (t->family != AF_INET && t->family != AF_INET6)
		return nfsec_seterr(h, -EBADMSG, "%s: reply has tunnel family %u", op, t->family);
	ret = nfsec_addr_get(h, op, tb[NFSEC_TMPL_A_SRC], tmpl_names[NFSEC_TMPL_A_SRC],
			     t->family, t->src);
	if (!ret)
		ret = nfsec_addr_get(h, op, tb[NFSEC_TMPL_A_DST], tmpl_names[NFSEC_TMPL_A_DST],
				     t->family, t->dst);
	return ret;
}

static int tmpl_decode(struct nfsec_handle *h, const char *op, struct nlattr *nest,
		       struct nfsec_tmpl *t)
{
	struct nlattr *tb[NFSEC_TMPL_A_MAX + 1];
	int ret;

	ret = nfsec_nest_parse(h, op, "NFSEC_POLICY_A_TMPL", nest, tb, NFSEC_TMPL_A_MAX,
			       tmpl_policy);
	if (!ret)
		ret = nfsec_need(h, op, tb, tmpl_required, ARRAY_SIZE(tmpl_required), tmpl_names);
	if (ret < 0)
		return ret;
	memset(t, 0, sizeof(*t));
	t->mode = nla_get_u8(tb[NFSEC_TMPL_A_MODE]);
	t->reqid = nla_get_u32(tb[NFSEC_TMPL_A_REQID]);
	if (t->mode > NFSEC_MODE_MAX)
		return nfsec_seterr(h, -EBADMSG, "%s: reply has template mode %u, unknown here",
				    op, t->mode);
	return tmpl_endpoints(h, op, tb, t);
}

/* A protect policy's template, which no other policy has. */
static int policy_tmpl_decode(struct nfsec_handle *h, const char *op, struct nlattr **tb,
			      struct nfsec_policy *p)
{
	p->has_tmpl = p->action == NFSEC_POLICY_PROTECT;
	if (p->has_tmpl && !tb[NFSEC_POLICY_A_TMPL])
		return nfsec_seterr(h, -EBADMSG, "%s: reply lacks NFSEC_POLICY_A_TMPL for a "
				    "protect policy", op);
	if (!p->has_tmpl && tb[NFSEC_POLICY_A_TMPL])
		return nfsec_seterr(h, -EBADMSG, "%s: reply has NFSEC_POLICY_A_TMPL for action "
				    "%u, which takes none", op, p->action);
	return p->has_tmpl ? tmpl_decode(h, op, tb[NFSEC_POLICY_A_TMPL], &p->tmpl) : 0;
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
		ret = nfsec_need(h, op, tb, policy_required, ARRAY_SIZE(policy_required),
				 policy_names);
	if (ret < 0)
		return ret;

	memset(&p, 0, sizeof(p));
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
	ret = nfsec_selector_decode(h, op, "NFSEC_POLICY_A_SELECTOR", tb[NFSEC_POLICY_A_SELECTOR],
				    &p.sel);
	if (!ret)
		ret = policy_tmpl_decode(h, op, tb, &p);
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
	struct nl_msg *msg;
	int ret;

	ret = nfsec_policy_index_msg(h, NFSEC_CMD_POLICY_GET, index, &msg);
	if (ret < 0)
		return ret;
	ret = nfsec_request_one(h, get_op, msg, NFSEC_REPLY_POLICY, &p);
	if (ret < 0)
		return ret;
	if (p.index != index)
		return nfsec_seterr(h, -EBADMSG, "%s: the kernel answered with index %u for %u",
				    get_op, p.index, index);
	*out = p;
	return 0;
}

int nfsec_policy_dump(struct nfsec_handle *h, nfsec_policy_fn cb, void *arg)
{
	struct nfsec_reply reply = {
		.op = dump_op, .object = NFSEC_REPLY_POLICY, .cb.policy = cb, .arg = arg,
	};
	struct nl_msg *msg;
	int ret;

	ret = nfsec_msg_new(h, dump_op, NFSEC_CMD_POLICY_GET, NLM_F_DUMP, &msg);
	if (ret < 0)
		return ret;
	return nfsec_request(h, dump_op, msg, nfsec_reply_parse, &reply);
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
