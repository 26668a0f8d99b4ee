// SPDX-License-Identifier: GPL-2.0
/*
 * libnfsec: the selector nest (NFSEC_SEL_A_*), which policies and SAs send and get back and
 * which ACQUIRE events carry as the flow of a packet; and the addresses of every nest, whose
 * length is that of their family.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include "internal.h"

static unsigned int addr_bits(uint16_t family)
{
	return nfsec_addr_len(family) * 8;
}

const char *nfsec_family_name(uint16_t family)
{
	return family == AF_INET ? "AF_INET" : "AF_INET6";
}

int nfsec_selector_check(struct nfsec_handle *h, const char *op,
			 const struct nfsec_selector *sel)
{
	if (sel->family != AF_INET && sel->family != AF_INET6)
		return nfsec_seterr(h, -EINVAL,
				    "%s: selector family %u is neither AF_INET nor AF_INET6",
				    op, sel->family);
	if (sel->src_prefix > addr_bits(sel->family))
		return nfsec_seterr(h, -EINVAL, "%s: source prefix length %u is above %u",
				    op, sel->src_prefix, addr_bits(sel->family));
	if (sel->dst_prefix > addr_bits(sel->family))
		return nfsec_seterr(h, -EINVAL, "%s: destination prefix length %u is above %u",
				    op, sel->dst_prefix, addr_bits(sel->family));
	return 0;
}

void nfsec_selector_put(struct nfsec_put *w, uint16_t type, const struct nfsec_selector *sel)
{
	unsigned int len = nfsec_addr_len(sel->family);
	uint32_t nest = nfsec_put_nest_start(w, type);

	nfsec_put_u16(w, NFSEC_SEL_A_FAMILY, sel->family);
	nfsec_put(w, NFSEC_SEL_A_SRC, sel->src, len);
	nfsec_put_u8(w, NFSEC_SEL_A_SRC_PREFIX, sel->src_prefix);
	nfsec_put(w, NFSEC_SEL_A_DST, sel->dst, len);
	nfsec_put_u8(w, NFSEC_SEL_A_DST_PREFIX, sel->dst_prefix);
	nfsec_put_u8(w, NFSEC_SEL_A_PROTO, sel->proto);
	nfsec_put_u16(w, NFSEC_SEL_A_SPORT_MIN, sel->sport_min);
	nfsec_put_u16(w, NFSEC_SEL_A_SPORT_MAX, sel->sport_max);
	nfsec_put_u16(w, NFSEC_SEL_A_DPORT_MIN, sel->dport_min);
	nfsec_put_u16(w, NFSEC_SEL_A_DPORT_MAX, sel->dport_max);
	nfsec_put_nest_end(w, nest);
}

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

/* What a selector must carry; a flow may leave the prefix lengths out. */
static const int sel_required[] = {
	NFSEC_SEL_A_FAMILY, NFSEC_SEL_A_SRC, NFSEC_SEL_A_SRC_PREFIX, NFSEC_SEL_A_DST,
	NFSEC_SEL_A_DST_PREFIX, NFSEC_SEL_A_PROTO, NFSEC_SEL_A_SPORT_MIN, NFSEC_SEL_A_SPORT_MAX,
	NFSEC_SEL_A_DPORT_MIN, NFSEC_SEL_A_DPORT_MAX,
};

static const int flow_required[] = {
	NFSEC_SEL_A_FAMILY, NFSEC_SEL_A_SRC, NFSEC_SEL_A_DST, NFSEC_SEL_A_PROTO,
	NFSEC_SEL_A_SPORT_MIN, NFSEC_SEL_A_SPORT_MAX, NFSEC_SEL_A_DPORT_MIN,
	NFSEC_SEL_A_DPORT_MAX,
};

int nfsec_addr_get(struct nfsec_handle *h, const char *op, const struct nlattr *nla,
		   const char *name, uint16_t family, uint8_t *addr)
{
	if ((unsigned int)nla_len(nla) != nfsec_addr_len(family))
		return nfsec_seterr(h, -EBADMSG, "%s: reply has a %d-byte %s for %s", op,
				    nla_len(nla), name, nfsec_family_name(family));
	memset(addr, 0, 16);
	memcpy(addr, nla_data(nla), nfsec_addr_len(family));
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

/* A prefix length, or the full address when a flow leaves it out. */
static uint8_t get_prefix(const struct nlattr *nla, uint16_t family)
{
	return nla ? nla_get_u8(nla) : (uint8_t)addr_bits(family);
}

static int decode(struct nfsec_handle *h, const char *op, const char *name,
		  struct nlattr *nest, struct nfsec_selector *out, bool flow)
{
	struct nlattr *tb[NFSEC_SEL_A_MAX + 1];
	struct nfsec_selector sel;
	int ret;

	ret = nfsec_nest_parse(h, op, name, nest, tb, NFSEC_SEL_A_MAX, sel_policy);
	if (!ret && flow)
		ret = nfsec_need(h, op, tb, flow_required, ARRAY_SIZE(flow_required),
				 sel_names);
	else if (!ret)
		ret = nfsec_need(h, op, tb, sel_required, ARRAY_SIZE(sel_required),
				 sel_names);
	if (ret < 0)
		return ret;

	memset(&sel, 0, sizeof(sel));
	sel.family = nla_get_u16(tb[NFSEC_SEL_A_FAMILY]);
	if (sel.family != AF_INET && sel.family != AF_INET6)
		return nfsec_seterr(h, -EBADMSG, "%s: reply has address family %u", op,
				    sel.family);
	sel.src_prefix = get_prefix(tb[NFSEC_SEL_A_SRC_PREFIX], sel.family);
	sel.dst_prefix = get_prefix(tb[NFSEC_SEL_A_DST_PREFIX], sel.family);
	if (sel.src_prefix > addr_bits(sel.family) || sel.dst_prefix > addr_bits(sel.family))
		return nfsec_seterr(h, -EBADMSG, "%s: reply has prefix lengths %u and %u for %s",
				    op, sel.src_prefix, sel.dst_prefix,
				    nfsec_family_name(sel.family));
	sel.proto = nla_get_u8(tb[NFSEC_SEL_A_PROTO]);

	ret = nfsec_addr_get(h, op, tb[NFSEC_SEL_A_SRC], sel_names[NFSEC_SEL_A_SRC], sel.family,
			     sel.src);
	if (!ret)
		ret = nfsec_addr_get(h, op, tb[NFSEC_SEL_A_DST], sel_names[NFSEC_SEL_A_DST],
				     sel.family, sel.dst);
	if (!ret)
		ret = get_ports(h, op, tb, NFSEC_SEL_A_SPORT_MIN, &sel.sport_min, &sel.sport_max);
	if (!ret)
		ret = get_ports(h, op, tb, NFSEC_SEL_A_DPORT_MIN, &sel.dport_min, &sel.dport_max);
	if (ret < 0)
		return ret;
	*out = sel;
	return 0;
}

int nfsec_selector_decode(struct nfsec_handle *h, const char *op, const char *name,
			  struct nlattr *nest, struct nfsec_selector *sel)
{
	return decode(h, op, name, nest, sel, false);
}

int nfsec_flow_decode(struct nfsec_handle *h, const char *op, const char *name,
		      struct nlattr *nest, struct nfsec_selector *sel)
{
	return decode(h, op, name, nest, sel, true);
}
