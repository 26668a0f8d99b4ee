// SPDX-License-Identifier: GPL-2.0
/*
 * libnfsec: the handle, the one request/reply loop every command goes through, the strict
 * attribute parser every reply goes through, the one collector of the replies that carry
 * policies and SAs, and the version command. Each object's commands live in their own file
 * (policy.c, sa.c, stats.c), the selector nest they share in selector.c, the events in
 * monitor.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "internal.h"

static const char not_loaded_msg[] =
	"the nfsec kernel module is not loaded (no generic netlink family \"nfsec\"); "
	"load it with: modprobe nfsec (or insmod nfsec.ko)";

int nfsec_nlerr_to_errno(int nlerr)
{
	static const int map[][2] = {
		{ NLE_INTR, EINTR },		{ NLE_BAD_SOCK, EBADF },
		{ NLE_AGAIN, EAGAIN },		{ NLE_NOMEM, ENOMEM },
		{ NLE_EXIST, EEXIST },		{ NLE_INVAL, EINVAL },
		{ NLE_RANGE, ERANGE },		{ NLE_MSGSIZE, EMSGSIZE },
		{ NLE_OPNOTSUPP, EOPNOTSUPP },	{ NLE_AF_NOSUPPORT, EAFNOSUPPORT },
		{ NLE_OBJ_NOTFOUND, ENOENT },	{ NLE_SEQ_MISMATCH, EPROTO },
		{ NLE_MSG_OVERFLOW, ENOBUFS },	{ NLE_MSG_TRUNC, EMSGSIZE },
		{ NLE_NOADDR, EADDRNOTAVAIL },	{ NLE_BUSY, EBUSY },
		{ NLE_PROTO_MISMATCH, EPROTONOSUPPORT },
		{ NLE_NOACCESS, EACCES },	{ NLE_PERM, EPERM },
		{ NLE_NODEV, ENODEV },		{ NLE_DUMP_INTR, EAGAIN },
	};
	int code = nlerr < 0 ? -nlerr : nlerr;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i][0] == code)
			return -map[i][1];
	return -EIO;
}

int nfsec_seterr(struct nfsec_handle *h, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(h->errmsg, sizeof(h->errmsg), fmt, ap);
	va_end(ap);
	return err;
}

static int seterr_nl(struct nfsec_handle *h, const char *what, int nlerr)
{
	return nfsec_seterr(h, nfsec_nlerr_to_errno(nlerr), "%s: %s", what, nl_geterror(nlerr));
}

static void set_socket_options(struct nl_sock *sk)
{
	int fd = nl_socket_get_fd(sk);
	int one = 1;

	/*
	 * Both are best effort: kernels before 4.12 refuse them, and then errors simply come
	 * without the extack text. CAP_ACK keeps the kernel from echoing our request back.
	 */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));

	/*
	 * Replies of any size are read whole. collect_replies() relies on every request being
	 * acked (libnl then sets NLM_F_ACK, and checks sequence numbers) to see a "do" end.
	 */
	nl_socket_enable_msg_peek(sk);
	nl_socket_enable_auto_ack(sk);
}

int nfsec_open(struct nfsec_handle **hp)
{
	struct nfsec_handle *h;
	int ret;

	h = calloc(1, sizeof(*h));
	*hp = h;
	if (!h)
		return -ENOMEM;

	h->sk = nl_socket_alloc();
	if (!h->sk)
		return nfsec_seterr(h, -ENOMEM, "cannot allocate a netlink socket: out of memory");

	ret = genl_connect(h->sk);
	if (ret < 0)
		return seterr_nl(h, "cannot open a generic netlink socket", ret);
	set_socket_options(h->sk);

	ret = genl_ctrl_resolve(h->sk, NFSEC_GENL_NAME);
	if (ret == -NLE_OBJ_NOTFOUND)
		return nfsec_seterr(h, -ENOENT, "%s", not_loaded_msg);
	if (ret < 0)
		return seterr_nl(h, "cannot look up the generic netlink family \"nfsec\"", ret);
	h->family = ret;
	return 0;
}

void nfsec_close(struct nfsec_handle *h)
{
	if (!h)
		return;
	nfsec_policy_queue_free(h->queue);
	nl_socket_free(h->mon);
	nl_socket_free(h->sk);
	free(h);
}

void nfsec_error_clear(struct nfsec_handle *h)
{
	if (h)
		h->errmsg[0] = '\0';
}

const char *nfsec_error(const struct nfsec_handle *h)
{
	if (!h)
		return "out of memory";
	return h->errmsg[0] ? h->errmsg : "no error";
}

int nfsec_msg_new(struct nfsec_handle *h, const char *op, uint8_t cmd, int flags,
		  struct nl_msg **msgp)
{
	return nfsec_msg_new_size(h, op, cmd, flags, 0, msgp);
}

int nfsec_msg_new_size(struct nfsec_handle *h, const char *op, uint8_t cmd, int flags,
		       size_t size, struct nl_msg **msgp)
{
	struct nl_msg *msg;

	*msgp = NULL;
	if (h->family <= 0)
		return nfsec_seterr(h, -ENOTCONN, "%s: the handle is not open", op);

	msg = size ? nlmsg_alloc_size(size) : nlmsg_alloc();
	if (!msg)
		goto err_nomem;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, h->family, 0, flags, cmd,
			 NFSEC_GENL_VERSION))
		goto err_free_msg;
	*msgp = msg;
	return 0;

err_free_msg:
	nlmsg_free(msg);
err_nomem:
	return nfsec_seterr(h, -ENOMEM, "%s: cannot build the request: out of memory", op);
}

void nfsec_msg_free(struct nl_msg *msg)
{
	if (!msg)
		return;
	/* libnl never reallocates a message: this buffer is the only copy it made */
	explicit_bzero(nlmsg_hdr(msg), nlmsg_get_max_size(msg));
	nlmsg_free(msg);
}

struct nlattr *nfsec_nest_start(struct nl_msg *msg, int type)
{
	return nla_nest_start(msg, type | NLA_F_NESTED);
}

int nfsec_too_large(struct nfsec_handle *h, const char *op, struct nl_msg **msgp)
{
	nfsec_msg_free(*msgp);
	*msgp = NULL;
	return nfsec_seterr(h, -EMSGSIZE, "%s: request too large", op);
}

int nfsec_need(struct nfsec_handle *h, const char *op, struct nlattr **tb, const int *types,
	       size_t n, const char *const *names)
{
	for (size_t i = 0; i < n; i++)
		if (!tb[types[i]])
			return nfsec_seterr(h, -EBADMSG, "%s: reply lacks %s", op,
					    names[types[i]]);
	return 0;
}

static const struct nla_policy extack_policy[NLMSGERR_ATTR_MAX + 1] = {
	[NLMSGERR_ATTR_MSG]	  = { .type = NLA_STRING },
	[NLMSGERR_ATTR_MISS_TYPE] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NLMSGERR_ATTR_OFFS]	  = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
};

/*
 * The extack TLVs sit after the first off bytes of the payload (rounded up to netlink
 * alignment). A malformed TLV area leaves tb empty: the errno alone is still reported.
 */
static void extack_parse(const struct nlmsghdr *nlh, size_t off, struct nlattr **tb)
{
	size_t len = nlh->nlmsg_len - NLMSG_HDRLEN;
	char *payload = (char *)nlh + NLMSG_HDRLEN;

	off = NLMSG_ALIGN(off);
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off >= len)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)(payload + off),
		      (int)(len - off), extack_policy) < 0)
		memset(tb, 0, sizeof(*tb) * (NLMSGERR_ATTR_MAX + 1));
}

static int seterr_kernel(struct nfsec_handle *h, const char *op, int err, struct nlattr **tb)
{
	const char *why = strerror(-err);

	/* Every command, reads included, needs CAP_NET_ADMIN in the namespace: say so. */
	if (err == -EPERM)
		why = "Operation not permitted: nfsec needs CAP_NET_ADMIN, to read as to change";
	if (tb[NLMSGERR_ATTR_MSG] && tb[NLMSGERR_ATTR_MISS_TYPE])
		return nfsec_seterr(h, err, "%s: %s (%s; missing attribute %u)", op,
				    nla_get_string(tb[NLMSGERR_ATTR_MSG]), why,
				    nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]));
	if (tb[NLMSGERR_ATTR_MSG])
		return nfsec_seterr(h, err, "%s: %s (%s)", op,
				    nla_get_string(tb[NLMSGERR_ATTR_MSG]), why);
	if (tb[NLMSGERR_ATTR_MISS_TYPE])
		return nfsec_seterr(h, err, "%s: %s (missing attribute %u)", op, why,
				    nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]));
	return nfsec_seterr(h, err, "%s: %s", op, why);
}

int nfsec_kernel_error(struct nfsec_handle *h, const char *op, const struct nlmsghdr *nlh)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { NULL };
	const char *payload = (const char *)nlh + NLMSG_HDRLEN;
	size_t len, off;
	int err;

	h->err_offs = 0;
	if (nlh->nlmsg_len < NLMSG_HDRLEN)
		goto err_truncated;
	len = nlh->nlmsg_len - NLMSG_HDRLEN;

	if (nlh->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr e;

		if (len < sizeof(e))
			goto err_truncated;
		memcpy(&e, payload, sizeof(e));
		err = e.error;
		off = sizeof(e);
		/* Uncapped, the request we sent follows, then the TLVs. */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e.msg.nlmsg_len >= NLMSG_HDRLEN)
			off += e.msg.nlmsg_len - NLMSG_HDRLEN;
	} else if (nlh->nlmsg_type == NLMSG_DONE) {
		/* A dump's end carries its errno; very old kernels sent nothing. */
		if (len < sizeof(err))
			return 0;
		memcpy(&err, payload, sizeof(err));
		off = sizeof(err);
	} else {
		return 0;
	}

	if (err >= 0)
		return 0;
	extack_parse(nlh, off, tb);
	if (tb[NLMSGERR_ATTR_OFFS])
		h->err_offs = nla_get_u32(tb[NLMSGERR_ATTR_OFFS]);
	return seterr_kernel(h, op, err, tb);

err_truncated:
	return nfsec_seterr(h, -EBADMSG, "%s: truncated error message from the kernel", op);
}

struct request {
	struct nfsec_handle *h;
	const char *op;
	nfsec_parse_fn parse;
	void *arg;
	int err;	/* the first error: later replies are drained, not parsed */
	bool done;	/* ack, error or NLMSG_DONE seen */
};

/*
 * Never NL_STOP here: libnl would drop the rest of the datagram, ack or NLMSG_DONE
 * included, and collect_replies() would wait for it forever.
 */
static int on_valid(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	if (req->err)
		return NL_OK;
	if (nlh->nlmsg_type != req->h->family)
		req->err = nfsec_seterr(req->h, -EBADMSG,
					"%s: reply of netlink type %u, expected %d", req->op,
					nlh->nlmsg_type, req->h->family);
	else if (req->parse)
		req->err = req->parse(req->h, nlh, req->arg);
	return NL_OK;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;

	(void)msg;
	req->done = true;
	return NL_STOP;
}

static int on_finish(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;

	if (!req->err)
		req->err = nfsec_kernel_error(req->h, req->op, nlmsg_hdr(msg));
	req->done = true;
	return NL_STOP;
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct request *req = arg;
	/* libnl hands us the payload of the NLMSG_ERROR message; its header precedes it. */
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);

	(void)who;
	if (!req->err)
		req->err = nfsec_kernel_error(req->h, req->op, nlh);
	req->done = true;
	return NL_STOP;
}

static int collect_replies(struct request *req, struct nl_cb *cb)
{
	int ret;

	while (!req->done) {
		ret = nl_recvmsgs(req->h->sk, cb);
		if (ret == -NLE_DUMP_INTR && !req->err)
			return nfsec_seterr(req->h, -EAGAIN, "%s: the list changed while it was "
					    "read (read it again)", req->op);
		if (ret < 0 && !req->err)
			return nfsec_seterr(req->h, nfsec_nlerr_to_errno(ret),
					    "%s: receiving the reply: %s", req->op,
					    nl_geterror(ret));
		if (ret < 0)
			break;
	}
	return req->err;
}

int nfsec_request_keep(struct nfsec_handle *h, const char *op, struct nl_msg *msg,
		       nfsec_parse_fn parse, void *arg)
{
	struct request req = { .h = h, .op = op, .parse = parse, .arg = arg };
	struct nl_cb *cb;
	int ret;

	cb = nl_cb_alloc(NL_CB_CUSTOM);
	if (!cb)
		return nfsec_seterr(h, -ENOMEM, "%s: out of memory", op);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &req);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &req);

	ret = nl_send_auto(h->sk, msg);
	if (ret < 0) {
		ret = nfsec_seterr(h, nfsec_nlerr_to_errno(ret), "%s: sending the request: %s",
				   op, nl_geterror(ret));
		goto out_put_cb;
	}
	ret = collect_replies(&req, cb);

out_put_cb:
	nl_cb_put(cb);
	return ret;
}

int nfsec_request(struct nfsec_handle *h, const char *op, struct nl_msg *msg,
		  nfsec_parse_fn parse, void *arg)
{
	int ret = nfsec_request_keep(h, op, msg, parse, arg);

	nfsec_msg_free(msg);
	return ret;
}

/* What the replies of each object are. */
struct reply_kind {
	uint8_t cmd;
	int attr;
	const char *attr_name;
	size_t size;
};

static const struct reply_kind reply_kinds[] = {
	[NFSEC_REPLY_POLICY] = { NFSEC_CMD_POLICY_GET, NFSEC_A_POLICY, "NFSEC_A_POLICY",
				 sizeof(struct nfsec_policy) },
	[NFSEC_REPLY_SA]     = { NFSEC_CMD_SA_GET, NFSEC_A_SA, "NFSEC_A_SA",
				 sizeof(struct nfsec_sa) },
};

union reply_object {
	struct nfsec_policy policy;
	struct nfsec_sa sa;
};

static int reply_decode(struct nfsec_handle *h, const struct nfsec_reply *reply,
			struct nlattr *nest, union reply_object *obj)
{
	if (reply->object == NFSEC_REPLY_SA)
		return nfsec_sa_decode(h, reply->op, nest, &obj->sa);
	return nfsec_policy_decode(h, reply->op, nest, &obj->policy);
}

/* obj to the reply's callback, if it has one. */
static int reply_call(const struct nfsec_reply *reply, const union reply_object *obj)
{
	if (reply->object == NFSEC_REPLY_SA)
		return reply->cb.sa ? reply->cb.sa(&obj->sa, reply->arg) : 0;
	return reply->cb.policy ? reply->cb.policy(&obj->policy, reply->arg) : 0;
}

int nfsec_reply_parse(struct nfsec_handle *h, struct nlmsghdr *nlh, void *arg)
{
	struct nfsec_reply *reply = arg;
	const struct reply_kind *o = &reply_kinds[reply->object];
	struct nla_policy policy[NFSEC_A_MAX + 1];
	struct nlattr *tb[NFSEC_A_MAX + 1];
	const struct genlmsghdr *gnlh;
	union reply_object obj;
	int ret;

	memset(policy, 0, sizeof(policy));
	policy[o->attr].type = NLA_NESTED;
	ret = nfsec_attrs_parse(h, reply->op, nlh, tb, NFSEC_A_MAX, policy);
	if (ret < 0)
		return ret;
	gnlh = nlmsg_data(nlh);
	if (gnlh->cmd != o->cmd)
		return nfsec_seterr(h, -EBADMSG, "%s: reply to command %u, expected %u",
				    reply->op, gnlh->cmd, o->cmd);
	if (!tb[o->attr])
		return nfsec_seterr(h, -EBADMSG, "%s: reply lacks %s", reply->op, o->attr_name);
	ret = reply_decode(h, reply, tb[o->attr], &obj);
	if (ret < 0)
		return ret;

	reply->count++;
	if (reply->one) {
		if (reply->count == 1)
			memcpy(reply->one, &obj, o->size);
		return 0;
	}
	ret = reply_call(reply, &obj);
	if (ret < 0)
		return nfsec_seterr(h, ret, "%s: stopped by the caller: %s", reply->op,
				    strerror(-ret));
	return 0;
}

int nfsec_request_one(struct nfsec_handle *h, const char *op, struct nl_msg *msg,
		      enum nfsec_reply_object object, void *out)
{
	struct nfsec_reply reply = { .op = op, .object = object, .one = out };
	int ret;

	ret = nfsec_request(h, op, msg, nfsec_reply_parse, &reply);
	if (ret < 0)
		return ret;
	if (reply.count != 1)
		return nfsec_seterr(h, -EBADMSG, "%s: %u replies from the kernel, expected 1", op,
				    reply.count);
	return 0;
}

/*
 * The attributes in head..head+len into tb[]; nest names the attribute they sit in, for
 * messages, or is NULL at the top level of a reply. Attributes of type pad (-1: none) are
 * skipped however often they come.
 */
static int attrs_parse(struct nfsec_handle *h, const char *op, const char *nest,
		       struct nlattr *head, int len, struct nlattr **tb, int max,
		       const struct nla_policy *policy, int pad)
{
	const char *in = nest ? " in " : "", *of = nest ? " of " : "";
	struct nlattr *nla;
	int rem, ret;

	if (!nest)
		nest = "";
	memset(tb, 0, sizeof(*tb) * (max + 1));
	nla_for_each_attr(nla, head, len, rem) {
		int type = nla_type(nla);

		if (type > max || type == pad)
			continue;	/* appended by a newer module, or alignment */
		ret = nla_validate(nla, nla->nla_len, max, policy);
		if (ret < 0)
			return nfsec_seterr(h, -EBADMSG, "%s: malformed reply: attribute %d%s%s: %s",
					    op, type, in, nest, nl_geterror(ret));
		if (tb[type])
			return nfsec_seterr(h, -EBADMSG,
					    "%s: malformed reply: attribute %d%s%s appears twice",
					    op, type, in, nest);
		tb[type] = nla;
	}
	if (rem > 0)
		return nfsec_seterr(h, -EBADMSG,
				    "%s: malformed reply: %d stray bytes at the end%s%s",
				    op, rem, of, nest);
	return 0;
}

int nfsec_attrs_parse(struct nfsec_handle *h, const char *op, struct nlmsghdr *nlh,
		      struct nlattr **tb, int max, const struct nla_policy *policy)
{
	struct genlmsghdr *gnlh;

	if (!genlmsg_valid_hdr(nlh, 0)) {
		memset(tb, 0, sizeof(*tb) * (max + 1));
		return nfsec_seterr(h, -EBADMSG, "%s: reply shorter than its genl header", op);
	}
	gnlh = nlmsg_data(nlh);
	return attrs_parse(h, op, NULL, genlmsg_attrdata(gnlh, 0), genlmsg_attrlen(gnlh, 0),
			   tb, max, policy, -1);
}

int nfsec_nest_parse(struct nfsec_handle *h, const char *op, const char *name,
		     struct nlattr *nest, struct nlattr **tb, int max,
		     const struct nla_policy *policy)
{
	return attrs_parse(h, op, name, nla_data(nest), nla_len(nest), tb, max, policy, -1);
}

int nfsec_nest_parse_padded(struct nfsec_handle *h, const char *op, const char *name,
			    struct nlattr *nest, struct nlattr **tb, int max,
			    const struct nla_policy *policy, int pad)
{
	return attrs_parse(h, op, name, nla_data(nest), nla_len(nest), tb, max, policy, pad);
}

static const struct nla_policy version_policy[NFSEC_A_MAX + 1] = {
	[NFSEC_A_FAMILY_VERSION] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NFSEC_A_MODULE_VERSION] = { .type = NLA_STRING, .maxlen = NFSEC_MODULE_VERSION_LEN },
	[NFSEC_A_NETNS_COOKIE]	 = { .type = NLA_U64, .maxlen = sizeof(uint64_t) },
};

static const char version_op[] = "get version";

int nfsec_version_parse(struct nfsec_handle *h, struct nlmsghdr *nlh, void *arg)
{
	struct nfsec_version_reply *reply = arg;
	struct nlattr *tb[NFSEC_A_MAX + 1];
	const struct genlmsghdr *gnlh;
	const char *missing = NULL;
	int ret;

	ret = nfsec_attrs_parse(h, version_op, nlh, tb, NFSEC_A_MAX, version_policy);
	if (ret < 0)
		return ret;
	gnlh = nlmsg_data(nlh);
	if (gnlh->cmd != NFSEC_CMD_GET_VERSION)
		return nfsec_seterr(h, -EBADMSG, "%s: reply to command %u, expected %u",
				    version_op, gnlh->cmd, NFSEC_CMD_GET_VERSION);

	if (!tb[NFSEC_A_FAMILY_VERSION])
		missing = "NFSEC_A_FAMILY_VERSION";
	else if (!tb[NFSEC_A_MODULE_VERSION])
		missing = "NFSEC_A_MODULE_VERSION";
	else if (!tb[NFSEC_A_NETNS_COOKIE])
		missing = "NFSEC_A_NETNS_COOKIE";
	if (missing)
		return nfsec_seterr(h, -EBADMSG, "%s: reply lacks %s", version_op, missing);

	reply->ver->family_version = nla_get_u32(tb[NFSEC_A_FAMILY_VERSION]);
	nla_strlcpy(reply->ver->module_version, tb[NFSEC_A_MODULE_VERSION],
		    sizeof(reply->ver->module_version));
	reply->ver->netns_cookie = nla_get_u64(tb[NFSEC_A_NETNS_COOKIE]);
	reply->count++;
	return 0;
}

int nfsec_get_version(struct nfsec_handle *h, struct nfsec_version *ver)
{
	struct nfsec_version_reply reply = { .ver = ver };
	struct nl_msg *msg;
	int ret;

	ret = nfsec_msg_new(h, version_op, NFSEC_CMD_GET_VERSION, 0, &msg);
	if (ret < 0)
		return ret;
	if (nla_put_u32(msg, NFSEC_A_FAMILY_VERSION, NFSEC_GENL_VERSION) < 0) {
		nlmsg_free(msg);
		return nfsec_seterr(h, -EMSGSIZE, "%s: request too large", version_op);
	}

	ret = nfsec_request(h, version_op, msg, nfsec_version_parse, &reply);
	if (ret < 0)
		return ret;
	if (reply.count != 1)
		return nfsec_seterr(h, -EBADMSG, "%s: %u replies from the kernel, expected 1",
				    version_op, reply.count);
	return 0;
}

int nfsec_ike_socket(struct nfsec_handle *h, int fd)
{
	static const char op[] = "exempt the IKE socket";
	struct nl_msg *msg;
	int ret;

	ret = nfsec_msg_new(h, op, NFSEC_CMD_IKE_SOCKET, 0, &msg);
	if (ret < 0)
		return ret;
	if (nla_put_u32(msg, NFSEC_A_SOCKET_FD, (uint32_t)fd) < 0) {
		nlmsg_free(msg);
		return nfsec_seterr(h, -EMSGSIZE, "%s: request too large", op);
	}
	return nfsec_request(h, op, msg, NULL, NULL);
}
