// SPDX-License-Identifier: GPL-2.0
/*
 * What a packet shows the SPD: its flow (addresses, protocol, and ports past IPv6's
 * extension headers), and where its ESP begins. A packet whose headers cannot be read is
 * dropped and counted where the direction has policies.
 */

#include <linux/netfilter.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "flow.h"
#include "nfsec.h"

static void flow_ports(struct sk_buff *skb, unsigned int off, struct nfsec_flow *fl)
{
	__be16 buf[2], *p;

	switch (fl->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		p = skb_header_pointer(skb, off, sizeof(buf), buf);
		if (p) {
			fl->sport = ntohs(p[0]);
			fl->dport = ntohs(p[1]);
		}
	}
}

/*
 * Past the IPv6 extension headers from @start: the offset of the upper-layer header (or
 * ESP), with its protocol in *@nexthdr and, for a fragment, its offset field in
 * *@frag_off; *@nhoff, when given, moves to the byte that names it (it starts at the
 * fixed header's). "No next header" ends the chain as protocol 59 (XFRM takes it so too).
 * < 0 when the chain runs past the packet.
 */
static int skip_ext6(const struct sk_buff *skb, int start, u8 *nexthdr, __be16 *frag_off,
		     int *nhoff)
{
	u8 nh = *nexthdr;

	*frag_off = 0;
	while (nh != NEXTHDR_NONE && ipv6_ext_hdr(nh)) {
		struct frag_hdr _fh, *fh;
		struct ipv6_opt_hdr _hp, *hp;
		int len;

		if (nhoff)
			*nhoff = start;		/* every extension header names the next first */
		if (nh == NEXTHDR_FRAGMENT) {
			fh = skb_header_pointer(skb, start, sizeof(_fh), &_fh);
			if (!fh)
				return -EINVAL;
			*frag_off = fh->frag_off;
			nh = fh->nexthdr;
			start += sizeof(_fh);
			if (ntohs(*frag_off) & ~0x7)
				break;		/* not the first: no more headers here */
			continue;
		}
		hp = skb_header_pointer(skb, start, sizeof(_hp), &_hp);
		if (!hp)
			return -EINVAL;
		len = nh == NEXTHDR_AUTH ? ipv6_authlen(hp) : ipv6_optlen(hp);
		if (start + len > skb->len)
			return -EINVAL;
		nh = hp->nexthdr;
		start += len;
	}
	*nexthdr = nh;
	return start;
}

/* The flow of the IP packet at the network header; < 0 when it has none. */
int nfsec_flow_parse(struct sk_buff *skb, struct nfsec_flow *fl)
{
	unsigned int noff = skb_network_offset(skb);

	memset(fl, 0, sizeof(*fl));
	if (nfsec_is_v4(skb)) {
		const struct iphdr *iph = ip_hdr(skb);

		fl->family = AF_INET;
		fl->saddr.a4 = iph->saddr;
		fl->daddr.a4 = iph->daddr;
		fl->proto = iph->protocol;
		if (!(iph->frag_off & htons(IP_OFFSET)))
			flow_ports(skb, noff + iph->ihl * 4, fl);
		return 0;
	}
	if (skb->protocol == htons(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);
		u8 nexthdr = ip6h->nexthdr;
		__be16 frag_off;
		int off;

		fl->family = AF_INET6;
		fl->saddr.a6 = ip6h->saddr;
		fl->daddr.a6 = ip6h->daddr;
		off = skip_ext6(skb, noff + sizeof(*ip6h), &nexthdr, &frag_off, NULL);
		if (off < 0)
			return off;
		fl->proto = nexthdr;
		if (!(frag_off & htons(IP6_OFFSET)))
			flow_ports(skb, off, fl);
		return 0;
	}
	return -EAFNOSUPPORT;
}

/*
 * Where ESP begins in @skb, counted from its network header; 0 when it carries none. In
 * IPv6 extension headers may come first (RFC 4303 3.1.1: hop-by-hop, routing, fragment,
 * destination options); *@nhoff, when given, is the offset of the byte naming ESP.
 */
unsigned int nfsec_esp_offset(const struct sk_buff *skb, int *nhoff)
{
	int noff = skb_network_offset(skb), nh, off;
	__be16 frag_off;
	u8 nexthdr;

	if (nfsec_is_v4(skb)) {
		if (nhoff)
			*nhoff = offsetof(struct iphdr, protocol);
		return ip_hdr(skb)->protocol == IPPROTO_ESP ? ip_hdrlen(skb) : 0;
	}
	nexthdr = ipv6_hdr(skb)->nexthdr;
	nh = noff + offsetof(struct ipv6hdr, nexthdr);
	off = skip_ext6(skb, noff + sizeof(struct ipv6hdr), &nexthdr, &frag_off, &nh);
	if (off < 0 || nexthdr != IPPROTO_ESP || (frag_off & htons(IP6_OFFSET)))
		return 0;
	if (nhoff)
		*nhoff = nh - noff;
	return off - noff;
}

/*
 * A packet whose headers cannot be read (a truncated IPv6 extension chain, "no next
 * header") while the direction has policies: one might cover it, so it goes no further
 * (XFRM's XfrmInHdrError). Takes @skb.
 */
unsigned int nfsec_hdr_error(struct nfsec_net *nn, struct sk_buff *skb, int stat)
{
	nfsec_stat_inc(nn, stat);
	net_dbg_ratelimited("nfsec: dropped a packet with unreadable headers (%s)\n",
			    stat == NFSEC_STAT_A_OUT_HDR_ERROR ? "out" : "in");
	kfree_skb_reason(skb, SKB_DROP_REASON_HDR_TRUNC);
	return NF_STOLEN;
}
