/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libnfsec internals: attributes written straight into a request's buffer, the bytes
 * libnl's nla_put() and nla_nest_start()/nla_nest_end() would write (header, payload,
 * padding zeroed, nlmsg_len at the aligned end), without a call into libnl and its checks
 * for each. A list of 256 policies is some 5000 attributes; their puts through libnl were
 * a third of what "nfsec -batch" spent in userspace on a policy add line.
 *
 * The writer works on the message's own header, so libnl's puts may come before and
 * after it. A put that does not fit the buffer (nlmsg_alloc_size()'s) writes nothing and
 * marks the writer full, so a run of puts is checked once, at its end.
 */
#ifndef NFSEC_LIB_PUT_H
#define NFSEC_LIB_PUT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <linux/netlink.h>
#include <netlink/msg.h>

struct nfsec_put {
	struct nlmsghdr *nlh;
	size_t size;		/* of the buffer nlh begins */
	bool full;		/* a put did not fit */
};

static inline struct nfsec_put nfsec_put_begin(struct nl_msg *msg)
{
	return (struct nfsec_put){ .nlh = nlmsg_hdr(msg), .size = nlmsg_get_max_size(msg) };
}

/* An attribute of len bytes at the end of the message, its padding zeroed; NULL if full. */
static inline struct nlattr *nfsec_put_reserve(struct nfsec_put *w, uint16_t type,
					       size_t len)
{
	size_t at = NLMSG_ALIGN(w->nlh->nlmsg_len), end = at + NLA_ALIGN(NLA_HDRLEN + len);
	const uint32_t zero = 0;
	struct nlattr *nla;

	if (w->full || end > w->size || NLA_HDRLEN + len > UINT16_MAX) {
		w->full = true;
		return NULL;
	}
	nla = (struct nlattr *)((char *)w->nlh + at);
	nla->nla_type = type;
	nla->nla_len = (uint16_t)(NLA_HDRLEN + len);
	/* the last 4 bytes hold the padding, if any: zeroed before the payload goes in */
	if (len)
		memcpy((char *)w->nlh + end - sizeof(zero), &zero, sizeof(zero));
	w->nlh->nlmsg_len = (uint32_t)end;
	return nla;
}

static inline void nfsec_put(struct nfsec_put *w, uint16_t type, const void *data,
			     size_t len)
{
	struct nlattr *nla = nfsec_put_reserve(w, type, len);

	if (nla)
		memcpy((char *)nla + NLA_HDRLEN, data, len);
}

static inline void nfsec_put_u8(struct nfsec_put *w, uint16_t type, uint8_t value)
{
	nfsec_put(w, type, &value, sizeof(value));
}

static inline void nfsec_put_u16(struct nfsec_put *w, uint16_t type, uint16_t value)
{
	nfsec_put(w, type, &value, sizeof(value));
}

static inline void nfsec_put_u32(struct nfsec_put *w, uint16_t type, uint32_t value)
{
	nfsec_put(w, type, &value, sizeof(value));
}

/*
 * A nest (NLA_F_NESTED, which the kernel requires) of the attributes put until
 * nfsec_put_nest_end(): its offset in the message, for that.
 */
static inline uint32_t nfsec_put_nest_start(struct nfsec_put *w, uint16_t type)
{
	uint32_t at = NLMSG_ALIGN(w->nlh->nlmsg_len);

	nfsec_put_reserve(w, type | NLA_F_NESTED, 0);
	return at;
}

static inline void nfsec_put_nest_end(struct nfsec_put *w, uint32_t at)
{
	struct nlattr *nest = (struct nlattr *)((char *)w->nlh + at);
	size_t len = w->nlh->nlmsg_len - at;

	if (w->full)
		return;
	if (len > UINT16_MAX) {
		w->full = true;
		return;
	}
	nest->nla_len = (uint16_t)len;
}

#endif /* NFSEC_LIB_PUT_H */
