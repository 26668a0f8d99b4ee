// SPDX-License-Identifier: GPL-2.0
/*
 * Netfilter glue: where packets meet the SPD and the SAD.
 *
 *  - POST_ROUTING (last): an outbound packet an "out" protect policy selects is taken,
 *    segmented if it is GSO, encapsulated with the newest outbound SA the policy's
 *    template names, and sent again with ip_local_out()/ip6_local_out(), marked as
 *    transformed so this hook lets it pass. With no SA it is held and ACQUIRE raised.
 *  - LOCAL_IN (last): ESP for an inbound SA is replay-checked, authenticated, decrypted
 *    and re-injected with netif_rx(), carrying its SA's mark in a secpath (secpath.c);
 *    ESP for an SA of XFRM's is left to XFRM. Any other packet meets the "in" policies:
 *    a protect policy lets through only what an SA its template names decrypted.
 *  - FORWARD (last): the "fwd" policies, as for "in".
 *
 * IKE bypasses every policy by its socket, not its port (ike_socket.c). A packet whose
 * headers cannot be read is dropped when the direction has policies. Every drop is counted
 * (nfsec_stats).
 * The hooks run under RCU in BH context; crypto may complete asynchronously, from
 * another context with BH off, and then the same finish functions run.
 */

#include <linux/icmpv6.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/wait_bit.h>
#include <net/dst.h>
#include <net/icmp.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/l3mdev.h>
#include <net/route.h>
#include <net/xfrm.h>

#include "conntrack.h"
#include "esp.h"
#include "hooks.h"
#include "ike_socket.h"
#include "lifetime.h"
#include "nfsec.h"
#include "secpath.h"

static bool is_v4(const struct sk_buff *skb)
{
	return skb->protocol == htons(ETH_P_IP);
}

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
static int flow_parse(struct sk_buff *skb, struct nfsec_flow *fl)
{
	unsigned int noff = skb_network_offset(skb);

	memset(fl, 0, sizeof(*fl));
	if (is_v4(skb)) {
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
static unsigned int esp_offset(const struct sk_buff *skb, int *nhoff)
{
	int noff = skb_network_offset(skb), nh, off;
	__be16 frag_off;
	u8 nexthdr;

	if (is_v4(skb)) {
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
static unsigned int hdr_error(struct nfsec_net *nn, struct sk_buff *skb, int stat)
{
	nfsec_stat_inc(nn, stat);
	net_dbg_ratelimited("nfsec: dropped a packet with unreadable headers (%s)\n",
			    stat == NFSEC_STAT_A_OUT_HDR_ERROR ? "out" : "in");
	kfree_skb_reason(skb, SKB_DROP_REASON_HDR_TRUNC);
	return NF_STOLEN;
}

/* Output */

static bool transformed(const struct sk_buff *skb)
{
	if (is_v4(skb))
		return IPCB(skb)->flags & IPSKB_XFRM_TRANSFORMED;
	return IP6CB(skb)->flags & IP6SKB_XFRM_TRANSFORMED;
}

/*
 * The route of a tunnel's outer packet, looked up as XFRM does: with the inner packet's
 * mark (policy routing by fwmark applies to the tunnel as to the packet it carries), and
 * in the VRF the inner packet was routed in (the L3 master of its output device).
 */
static struct dst_entry *outer_route(struct net *net, const struct nfsec_sa *sa,
				     const struct sk_buff *skb)
{
	int l3mdev = skb_dst(skb) ? l3mdev_master_ifindex_rcu(skb_dst(skb)->dev) : 0;
	struct dst_entry *dst;
	int err;

	if (sa->id.family == AF_INET) {
		struct flowi4 fl4 = {
			.daddr = sa->id.daddr.a4,
			.saddr = sa->cfg.saddr.a4,
			.flowi4_mark = skb->mark,
			.flowi4_l3mdev = l3mdev,
		};
		struct rtable *rt = ip_route_output_key(net, &fl4);

		return IS_ERR(rt) ? ERR_CAST(rt) : &rt->dst;
	}
	{
		struct flowi6 fl6 = {
			.daddr = sa->id.daddr.a6,
			.saddr = sa->cfg.saddr.a6,
			.flowi6_mark = skb->mark,
			.flowi6_l3mdev = l3mdev,
		};

		dst = ip6_route_output(net, NULL, &fl6);
		err = dst->error;
		if (err) {
			dst_release(dst);
			return ERR_PTR(err);
		}
		return dst;
	}
}

/* @skb goes to the address @sa's outer packets go to (host to host). */
static bool same_daddr(const struct sk_buff *skb, const struct nfsec_sa *sa)
{
	if (is_v4(skb))
		return sa->id.family == AF_INET && ip_hdr(skb)->daddr == sa->id.daddr.a4;
	return sa->id.family == AF_INET6 && ipv6_addr_equal(&ipv6_hdr(skb)->daddr,
							    &sa->id.daddr.a6);
}

/* The largest inner packet (of @off header bytes kept in front) that fits @mtu. */
static unsigned int inner_mtu(const struct nfsec_sa *sa, unsigned int mtu, unsigned int outer,
			      unsigned int off)
{
	int room = mtu - outer - off - nfsec_esp_head_len(sa) - sa->icv_len;

	room = round_down(max(room, 0), sa->align) - 2;
	return max(room, 0) + off;
}

/*
 * The packet will not fit the path once encapsulated (@mtu is what fits). Our own packets
 * and those without DF are fragmented after encapsulation; a forwarded DF (or IPv6)
 * packet is answered with ICMP and dropped: returns true then.
 *
 * With @feedback, our own DF (or IPv6) packet also lowers its route's path MTU to @mtu, as
 * an ICMP error from the path would: its socket sends the next ones small enough (TCP
 * segments, or EMSGSIZE to a datagram socket doing path MTU discovery), as through XFRM's
 * smaller route. Only when the inner route is not the outer one (tunnel mode to another
 * address): a route shared with the ESP packets would be lowered again by each of them.
 */
static bool too_big(struct nfsec_net *nn, struct sk_buff *skb, unsigned int mtu,
		    bool feedback)
{
	if (is_v4(skb)) {
		bool df = ip_hdr(skb)->frag_off & htons(IP_DF);

		if (!(IPCB(skb)->flags & IPSKB_FORWARDED) || !df) {
			if (df && feedback)
				skb_dst_update_pmtu_no_confirm(skb, mtu);
			skb->ignore_df = 1;
			return false;
		}
		icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, htonl(mtu));
	} else {
		/*
		 * IPv6 marks no unicast packet as forwarded (IP6SKB_FORWARDED is multicast's):
		 * one that came in on an interface did not start here.
		 */
		if (!skb->skb_iif) {
			if (feedback)
				skb_dst_update_pmtu_no_confirm(skb, max_t(unsigned int, mtu,
									  IPV6_MIN_MTU));
			skb->ignore_df = 1;
			return false;
		}
		icmpv6_send(skb, ICMPV6_PKT_TOOBIG, 0, max_t(unsigned int, mtu, IPV6_MIN_MTU));
	}
	nfsec_stat_inc(nn, NFSEC_STAT_A_OUT_TOO_BIG);
	return true;
}

/* Tunnel mode: puts the outer header in front of the inner packet. */
static int push_outer(struct net *net, struct sk_buff *skb, const struct nfsec_sa *sa,
		      struct dst_entry *dst)
{
	u8 dsfield = is_v4(skb) ? ip_hdr(skb)->tos : ipv6_get_dsfield(ipv6_hdr(skb));
	u8 tos = INET_ECN_encapsulate(dsfield, dsfield);
	unsigned int hdr = sa->id.family == AF_INET ? sizeof(struct iphdr) :
			   sizeof(struct ipv6hdr);

	if (skb_cow_head(skb, hdr + LL_RESERVED_SPACE(dst->dev)))
		return -ENOMEM;
	skb_push(skb, hdr);
	skb_reset_network_header(skb);
	memset(&NFSEC_SKB_CB(skb)->header, 0, sizeof(NFSEC_SKB_CB(skb)->header));
	if (sa->id.family == AF_INET) {
		struct iphdr *iph = ip_hdr(skb);

		iph->version = 4;
		iph->ihl = 5;
		iph->tos = tos;
		iph->tot_len = htons(skb->len);
		iph->frag_off = 0;
		iph->ttl = ip4_dst_hoplimit(dst);
		iph->protocol = IPPROTO_ESP;
		iph->saddr = sa->cfg.saddr.a4;
		iph->daddr = sa->id.daddr.a4;
		ip_select_ident(net, skb, NULL);
		skb->protocol = htons(ETH_P_IP);
	} else {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);

		ip6_flow_hdr(ip6h, tos, 0);
		ip6h->payload_len = 0;
		ip6h->nexthdr = IPPROTO_ESP;
		ip6h->hop_limit = ip6_dst_hoplimit(dst);
		ip6h->saddr = sa->cfg.saddr.a6;
		ip6h->daddr = sa->id.daddr.a6;
		skb->protocol = htons(ETH_P_IPV6);
	}
	return 0;
}

static void out_drop(struct nfsec_net *nn, struct sk_buff *skb, struct nfsec_sa *sa, int err)
{
	int stat;

	switch (err) {
	case -EOVERFLOW:
		stat = NFSEC_STAT_A_OUT_SEQ_OVERFLOW;
		nfsec_lifetime_kill(sa);
		break;
	case -EKEYEXPIRED:
		stat = NFSEC_STAT_A_OUT_EXPIRED;
		break;
	case -EHOSTUNREACH:
		stat = NFSEC_STAT_A_OUT_NO_ROUTE;
		break;
	case -EMSGSIZE:
		stat = 0;		/* counted by too_big() */
		break;
	default:
		stat = NFSEC_STAT_A_OUT_ERROR;
	}
	if (stat)
		nfsec_stat_inc(nn, stat);
	nfsec_sa_put(sa);
	kfree_skb(skb);
}

/*
 * A packet in crypto may complete in a crypto thread (cryptd), after the hook that sent it
 * there has returned: the namespace's state must stay until it has. crypto_begin() comes
 * before the request, crypto_end() last in its completion; nfsec_hooks_unregister() waits
 * for the count to fall to zero.
 */
static void crypto_begin(struct nfsec_net *nn)
{
	atomic_inc(&nn->in_crypto);
}

static void crypto_end(struct nfsec_net *nn)
{
	if (atomic_dec_and_test(&nn->in_crypto))
		wake_up_var(&nn->in_crypto);
}

/* Encrypted (@err 0) or failed: sends the ESP packet on, or drops it. */
static void out_send(struct nfsec_net *nn, struct sk_buff *skb, int err)
{
	struct nfsec_sa *sa = NFSEC_SKB_CB(skb)->sa;
	unsigned int len = skb->len;

	if (err) {
		out_drop(nn, skb, sa, err);
		return;
	}
	nf_reset_ct(skb);
	skb_reset_network_header(skb);
	nfsec_stat_inc(nn, NFSEC_STAT_A_OUT_PACKETS);
	nfsec_stat_add(nn, NFSEC_STAT_A_OUT_BYTES, len);
	nfsec_sa_put(sa);
	if (is_v4(skb)) {
		ip_hdr(skb)->protocol = IPPROTO_ESP;
		IPCB(skb)->flags |= IPSKB_XFRM_TRANSFORMED;
		ip_local_out(nn->net, skb->sk, skb);
	} else {
		u8 *prevhdr;

		/*
		 * ESP went in behind the headers ip6_find_1stfragopt() found in xmit_one(),
		 * left as they were: it finds the same ones again, the last naming ESP now.
		 */
		if (WARN_ON_ONCE(ip6_find_1stfragopt(skb, &prevhdr) < 0)) {
			kfree_skb(skb);
			return;
		}
		*prevhdr = IPPROTO_ESP;
		IP6CB(skb)->flags |= IP6SKB_XFRM_TRANSFORMED;
		ip6_local_out(nn->net, skb->sk, skb);
	}
}

static void out_finish(struct sk_buff *skb, int err)
{
	struct nfsec_net *nn = NFSEC_SKB_CB(skb)->sa->nn;

	out_send(nn, skb, err);
	crypto_end(nn);
}

static void out_done(struct sk_buff *skb, int err)
{
	rcu_read_lock();
	out_finish(skb, err);
	rcu_read_unlock();
}

/* Protects one (non-GSO) packet with @sa; takes @skb and the reference on @sa. */
static void xmit_one(struct nfsec_net *nn, struct nfsec_sa *sa, struct sk_buff *skb)
{
	bool tunnel = sa->cfg.mode == NFSEC_MODE_TUNNEL;
	unsigned int off, outer = 0, mtu;
	struct dst_entry *dst;
	u8 nexthdr;
	int err;

	NFSEC_SKB_CB(skb)->sa = sa;
	if (!nfsec_lifetime_account(sa, skb->len)) {
		err = -EKEYEXPIRED;
		goto err;
	}
	if (tunnel) {
		dst = outer_route(nn->net, sa, skb);
		if (IS_ERR(dst)) {
			err = -EHOSTUNREACH;
			goto err;
		}
		off = 0;
		outer = sa->id.family == AF_INET ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);
		nexthdr = is_v4(skb) ? IPPROTO_IPIP : IPPROTO_IPV6;
	} else if (is_v4(skb)) {
		dst = dst_clone(skb_dst(skb));
		off = ip_hdrlen(skb);
		nexthdr = ip_hdr(skb)->protocol;
	} else {
		u8 *prevhdr;
		int hoff;

		/* RFC 4303 3.1.1: behind hop-by-hop, routing and fragment headers, as XFRM. */
		hoff = ip6_find_1stfragopt(skb, &prevhdr);
		if (hoff < 0) {
			err = hoff;
			goto err;
		}
		dst = dst_clone(skb_dst(skb));
		off = hoff;
		nexthdr = *prevhdr;
	}
	mtu = dst_mtu(dst);
	if (outer + off + nfsec_esp_len(sa, skb->len - off) > mtu &&
	    too_big(nn, skb, inner_mtu(sa, mtu, outer, off), tunnel && !same_daddr(skb, sa))) {
		dst_release(dst);
		err = -EMSGSIZE;
		goto err;
	}
	if (tunnel) {
		skb_dst_drop(skb);
		skb_dst_set(skb, dst);
		err = push_outer(nn->net, skb, sa, dst);
		if (err)
			goto err;
		off = outer;
	} else {
		dst_release(dst);
	}
	/*
	 * The route a socket's packet carries may be borrowed (noref, valid under RCU):
	 * asynchronous crypto completes outside this RCU section, so take a reference, or
	 * drop the packet when the route is already going.
	 */
	skb_dst_force(skb);
	if (!skb_dst(skb)) {
		err = -EHOSTUNREACH;
		goto err;
	}
	crypto_begin(nn);
	err = nfsec_esp_encap(skb, off, nexthdr, LL_RESERVED_SPACE(skb_dst(skb)->dev),
			      out_done);
	if (err == -EINPROGRESS)
		return;
	out_finish(skb, err);
	return;

err:
	out_drop(nn, skb, sa, err);
}

/* Takes @skb and the reference on @sa; GSO packets are segmented first. */
static void xmit(struct nfsec_net *nn, struct nfsec_sa *sa, struct sk_buff *skb)
{
	struct sk_buff *segs, *next;

	if (!skb_is_gso(skb)) {
		xmit_one(nn, sa, skb);
		return;
	}
	segs = skb_gso_segment(skb, 0);
	if (IS_ERR_OR_NULL(segs)) {
		nfsec_stat_inc(nn, NFSEC_STAT_A_OUT_ERROR);
		nfsec_sa_put(sa);
		kfree_skb(skb);
		return;
	}
	consume_skb(skb);
	skb_list_walk_safe(segs, skb, next) {
		skb_mark_not_on_list(skb);
		nfsec_sa_hold(sa);
		xmit_one(nn, sa, skb);
	}
	nfsec_sa_put(sa);
}

/*
 * The outbound decision for @skb (at the network header, routed): NF_ACCEPT to let it go
 * as it is, NF_DROP, or NF_STOLEN when nfsec took it (sent protected, or held for an SA;
 * @deadline is when a held packet gives up, 0 for a new one). Caller holds RCU, BH off.
 */
unsigned int nfsec_output(struct nfsec_net *nn, struct sk_buff *skb, unsigned long deadline)
{
	struct nfsec_sa_okey key = {};
	struct nfsec_policy *pol;
	struct nfsec_flow fl;
	struct nfsec_sa *sa;
	unsigned int gen;

	if (nfsec_ike_socket(skb->sk))
		return NF_ACCEPT;
	if (flow_parse(skb, &fl) < 0)
		return hdr_error(nn, skb, NFSEC_STAT_A_OUT_HDR_ERROR);
	pol = nfsec_spd_lookup(&nn->spd[NFSEC_POLICY_DIR_OUT], &fl);
	if (!pol || pol->action == NFSEC_POLICY_BYPASS)
		return NF_ACCEPT;
	if (pol->action == NFSEC_POLICY_DISCARD) {
		nfsec_stat_inc(nn, NFSEC_STAT_A_OUT_DISCARD);
		return NF_DROP;
	}
	/* nfsec takes the packet: conntrack's entry for it first (conntrack.c). */
	if (nfsec_ct_confirm(skb) != NF_ACCEPT) {
		nfsec_stat_inc(nn, NFSEC_STAT_A_OUT_ERROR);
		return NF_DROP;
	}
	key.reqid = pol->tmpl.reqid;
	key.mode = pol->tmpl.mode;
	if (key.mode == NFSEC_MODE_TUNNEL) {
		key.family = pol->tmpl.family;
		key.daddr = pol->tmpl.daddr;
	} else {
		key.family = fl.family;
		key.daddr = fl.daddr;
	}
	gen = nfsec_acquire_gen(nn);
	sa = nfsec_sa_lookup_out(&nn->sad, &key);
	if (!sa) {
		nfsec_acquire_hold(nn, skb, pol, &fl, deadline, gen);
		return NF_STOLEN;
	}
	xmit(nn, sa, skb);
	return NF_STOLEN;
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_output);

static unsigned int out_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	struct nfsec_net *nn = nfsec_net(state->net);

	if (!READ_ONCE(nn->spd[NFSEC_POLICY_DIR_OUT].count) || transformed(skb))
		return NF_ACCEPT;
	return nfsec_output(nn, skb, 0);
}

/* Input */

/* The replay window's second look, after authentication; advances it. */
static bool replay_accept(struct nfsec_sa *sa, u64 seq)
{
	bool ok = true;

	spin_lock_bh(&sa->lock);
	if (sa->cfg.replay_window)
		ok = nfsec_replay_check(sa->replay, seq) == NFSEC_REPLAY_OK;
	if (ok)
		nfsec_replay_advance(sa->replay, seq);
	spin_unlock_bh(&sa->lock);
	return ok;
}

/*
 * Tunnel mode: the inner packet, checked, in place of the outer one (@off bytes).
 * Congestion the path marked on the outer header (CE) carries over to an inner one that
 * can take it (ECT), as XFRM and RFC 6040 do; the inner header's other bits stay the
 * sender's.
 */
static int decap_tunnel(struct sk_buff *skb, unsigned int off, u8 nexthdr)
{
	u8 outer_ds = is_v4(skb) ? ip_hdr(skb)->tos : ipv6_get_dsfield(ipv6_hdr(skb));
	unsigned int len;

	skb_pull(skb, off);
	skb_reset_network_header(skb);
	if (nexthdr == IPPROTO_IPIP) {
		const struct iphdr *iph;

		if (!pskb_may_pull(skb, sizeof(*iph)))
			return -EINVAL;
		iph = ip_hdr(skb);
		len = ntohs(iph->tot_len);
		if (iph->version != 4 || iph->ihl < 5 || len < iph->ihl * 4 || len > skb->len)
			return -EINVAL;
		if (INET_ECN_is_ce(outer_ds))
			IP_ECN_set_ce(ip_hdr(skb));
		skb->protocol = htons(ETH_P_IP);
	} else if (nexthdr == IPPROTO_IPV6) {
		const struct ipv6hdr *ip6h;

		if (!pskb_may_pull(skb, sizeof(*ip6h)))
			return -EINVAL;
		ip6h = ipv6_hdr(skb);
		len = ntohs(ip6h->payload_len) + sizeof(*ip6h);
		if (ip6h->version != 6 || len > skb->len)
			return -EINVAL;
		if (INET_ECN_is_ce(outer_ds))
			IP6_ECN_set_ce(skb, ipv6_hdr(skb));
		skb->protocol = htons(ETH_P_IPV6);
	} else {
		return -EINVAL;
	}
	/* RFC 4303 section 2.4: TFC padding may follow the inner packet. */
	return pskb_trim(skb, len);
}

/*
 * Transport mode: the header ESP followed (its next-header byte at @nhoff) now says what
 * ESP carried.
 */
static void decap_transport(struct sk_buff *skb, u8 nexthdr, int nhoff)
{
	skb_network_header(skb)[nhoff] = nexthdr;
	if (is_v4(skb)) {
		struct iphdr *iph = ip_hdr(skb);

		iph->tot_len = htons(skb->len);
		ip_send_check(iph);
	} else {
		ipv6_hdr(skb)->payload_len = htons(skb->len - sizeof(struct ipv6hdr));
	}
}

static int in_stat(int err)
{
	switch (err) {
	case -EBADMSG:
		return NFSEC_STAT_A_IN_AUTH_FAIL;
	case -EINVAL:
		return NFSEC_STAT_A_IN_MALFORMED;
	default:
		return NFSEC_STAT_A_IN_ERROR;
	}
}

/* Decrypted (@err 0) or failed: re-injects the inner packet, or drops it. */
static void in_deliver(struct nfsec_net *nn, struct sk_buff *skb, int err)
{
	struct nfsec_sa *sa = NFSEC_SKB_CB(skb)->sa;
	struct nfsec_flow fl;
	unsigned int off;
	int stat, nhoff;
	u8 nexthdr;

	if (err) {
		stat = in_stat(err);
		goto drop;
	}
	if (!replay_accept(sa, NFSEC_SKB_CB(skb)->seq)) {
		stat = NFSEC_STAT_A_IN_REPLAY;
		goto drop;
	}
	if (!nfsec_lifetime_account(sa, skb->len)) {
		stat = NFSEC_STAT_A_IN_EXPIRED;
		goto drop;
	}
	stat = NFSEC_STAT_A_IN_MALFORMED;
	/* Decryption left the headers in front of ESP, and ESP's own, as they came. */
	off = esp_offset(skb, &nhoff);
	if (!off || nfsec_esp_strip(skb, off, &nexthdr))
		goto drop;
	/* RFC 4303 2.6: traffic flow confidentiality's dummy packets are discarded. */
	if (nexthdr == IPPROTO_NONE) {
		stat = NFSEC_STAT_A_IN_DUMMY;
		goto drop;
	}
	skb_reset_network_header(skb);
	if (sa->cfg.mode == NFSEC_MODE_TUNNEL) {
		if (decap_tunnel(skb, off, nexthdr))
			goto drop;
	} else {
		decap_transport(skb, nexthdr, nhoff);
	}
	if (sa->cfg.has_sel &&
	    (flow_parse(skb, &fl) || !nfsec_selector_match(&sa->cfg.sel, &fl))) {
		stat = NFSEC_STAT_A_IN_SELECTOR;
		goto drop;
	}
	if (!nfsec_secpath_set(skb, sa)) {
		stat = NFSEC_STAT_A_IN_ERROR;
		goto drop;
	}
	skb_dst_drop(skb);
	nf_reset_ct(skb);
	skb_reset_mac_header(skb);
	skb_reset_transport_header(skb);
	skb->ip_summed = CHECKSUM_NONE;
	nfsec_stat_inc(nn, NFSEC_STAT_A_IN_PACKETS);
	nfsec_stat_add(nn, NFSEC_STAT_A_IN_BYTES, skb->len);
	nfsec_sa_put(sa);
	netif_rx(skb);
	return;

drop:
	nfsec_stat_inc(nn, stat);
	nfsec_sa_put(sa);
	kfree_skb(skb);
}

/* Ends what nfsec_input() began: the device it held is let go once the packet is out. */
static void in_finish(struct sk_buff *skb, int err)
{
	struct nfsec_net *nn = NFSEC_SKB_CB(skb)->sa->nn;
	struct net_device *dev = skb->dev;

	in_deliver(nn, skb, err);
	dev_put(dev);
	crypto_end(nn);
}

static void in_done(struct sk_buff *skb, int err)
{
	rcu_read_lock();
	in_finish(skb, err);
	rcu_read_unlock();
}

/*
 * XFRM in the same namespace has an SA for this ESP: it is XFRM's to decrypt, and XFRM's
 * policies judge what comes out (nfsec's protect policies never accept it: secpath.c).
 */
static bool xfrm_has_sa(struct nfsec_net *nn, struct sk_buff *skb,
			const struct nfsec_sa_id *id)
{
	struct xfrm_state *x;

	x = xfrm_state_lookup(nn->net, skb->mark, (const xfrm_address_t *)&id->daddr, id->spi,
			      IPPROTO_ESP, id->family);
	if (!x)
		return false;
	xfrm_state_put(x);
	return true;
}

/*
 * ESP to this host, at @off (esp_offset()): ours if an inbound SA has its SPI. Caller: the
 * LOCAL_IN hook.
 */
unsigned int nfsec_input(struct nfsec_net *nn, struct sk_buff *skb, unsigned int off)
{
	struct nfsec_sa_id id = {};
	struct ip_esp_hdr *esph;
	struct nfsec_sa *sa;
	bool replayed;
	int err;
	u64 seq;

	if (!pskb_may_pull(skb, off + sizeof(*esph))) {
		nfsec_stat_inc(nn, NFSEC_STAT_A_IN_MALFORMED);
		return NF_DROP;
	}
	esph = (struct ip_esp_hdr *)(skb_network_header(skb) + off);
	id.spi = esph->spi;
	id.proto = IPPROTO_ESP;
	if (is_v4(skb)) {
		id.family = AF_INET;
		id.daddr.a4 = ip_hdr(skb)->daddr;
	} else {
		id.family = AF_INET6;
		id.daddr.a6 = ipv6_hdr(skb)->daddr;
	}
	sa = nfsec_sa_lookup(&nn->sad, &id);
	if (!sa || sa->cfg.dir != NFSEC_SA_DIR_IN) {
		if (sa)
			nfsec_sa_put(sa);
		else if (xfrm_has_sa(nn, skb, &id))
			return NF_ACCEPT;
		nfsec_stat_inc(nn, NFSEC_STAT_A_IN_NO_SA);
		return NF_DROP;
	}
	/*
	 * The ESP header and IV into the linear area: a packet reassembled from fragments
	 * (a frag_list) or one in pages may hold no more than the IP header there, and
	 * decryption and decapsulation move and pull these bytes in place.
	 */
	if (!pskb_may_pull(skb, off + nfsec_esp_head_len(sa))) {
		nfsec_stat_inc(nn, NFSEC_STAT_A_IN_MALFORMED);
		nfsec_sa_put(sa);
		return NF_DROP;
	}
	esph = (struct ip_esp_hdr *)(skb_network_header(skb) + off);
	spin_lock_bh(&sa->lock);
	seq = sa->cfg.esn ? nfsec_replay_infer(sa->replay, ntohl(esph->seq_no)) :
			    ntohl(esph->seq_no);
	replayed = sa->cfg.replay_window &&
		   nfsec_replay_check(sa->replay, seq) != NFSEC_REPLAY_OK;
	spin_unlock_bh(&sa->lock);
	if (replayed) {
		nfsec_stat_inc(nn, NFSEC_STAT_A_IN_REPLAY);
		nfsec_sa_put(sa);
		return NF_DROP;
	}
	NFSEC_SKB_CB(skb)->sa = sa;
	NFSEC_SKB_CB(skb)->seq = seq;
	/*
	 * Asynchronous crypto completes outside this RCU section: the input route (borrowed)
	 * is not needed past here, and the device the packet came in on, which it is
	 * delivered on again, must outlive the crypto (unregistering waits for it).
	 */
	skb_dst_drop(skb);
	dev_hold(skb->dev);
	crypto_begin(nn);
	err = nfsec_esp_decrypt(skb, off, in_done);
	if (err != -EINPROGRESS)
		in_finish(skb, err);
	return NF_STOLEN;
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_input);

/* Cleartext against the "in" or "fwd" policies. */
static unsigned int check_policy(struct nfsec_net *nn, struct sk_buff *skb, int dir)
{
	struct nfsec_policy *pol;
	struct nfsec_flow fl;

	if (!READ_ONCE(nn->spd[dir].count))
		return NF_ACCEPT;
	if (flow_parse(skb, &fl) < 0)
		return hdr_error(nn, skb, NFSEC_STAT_A_IN_HDR_ERROR);
	pol = nfsec_spd_lookup(&nn->spd[dir], &fl);
	if (!pol || pol->action == NFSEC_POLICY_BYPASS)
		return NF_ACCEPT;
	/* Decrypted by an SA its template names (secpath.c): not just by any. */
	if (pol->action == NFSEC_POLICY_PROTECT && nfsec_secpath_fits(skb, &pol->tmpl))
		return NF_ACCEPT;
	/* IKE to the daemon's own socket (ike_socket.c); nothing forwarded. */
	if (dir == NFSEC_POLICY_DIR_IN && nfsec_ike_socket_for(nn->net, skb, &fl))
		return NF_ACCEPT;
	nfsec_stat_inc(nn, pol->action == NFSEC_POLICY_PROTECT ?
		       NFSEC_STAT_A_IN_NOT_PROTECTED : NFSEC_STAT_A_IN_DISCARD);
	return NF_DROP;
}

static unsigned int in_hook(void *priv, struct sk_buff *skb,
			    const struct nf_hook_state *state)
{
	struct nfsec_net *nn = nfsec_net(state->net);
	unsigned int off;

	off = READ_ONCE(nn->sad.count) ? esp_offset(skb, NULL) : 0;
	if (off) {
		/* nfsec may take the packet: conntrack's entry for it first (conntrack.c). */
		if (nfsec_ct_confirm(skb) != NF_ACCEPT) {
			nfsec_stat_inc(nn, NFSEC_STAT_A_IN_ERROR);
			return NF_DROP;
		}
		return nfsec_input(nn, skb, off);
	}
	return check_policy(nn, skb, NFSEC_POLICY_DIR_IN);
}

static unsigned int fwd_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	return check_policy(nfsec_net(state->net), skb, NFSEC_POLICY_DIR_FWD);
}

static const struct nf_hook_ops nfsec_nf_ops[] = {
	{ .hook = out_hook, .pf = NFPROTO_IPV4, .hooknum = NF_INET_POST_ROUTING,
	  .priority = NF_IP_PRI_LAST },
	{ .hook = in_hook, .pf = NFPROTO_IPV4, .hooknum = NF_INET_LOCAL_IN,
	  .priority = NF_IP_PRI_LAST },
	{ .hook = fwd_hook, .pf = NFPROTO_IPV4, .hooknum = NF_INET_FORWARD,
	  .priority = NF_IP_PRI_LAST },
	{ .hook = out_hook, .pf = NFPROTO_IPV6, .hooknum = NF_INET_POST_ROUTING,
	  .priority = NF_IP6_PRI_LAST },
	{ .hook = in_hook, .pf = NFPROTO_IPV6, .hooknum = NF_INET_LOCAL_IN,
	  .priority = NF_IP6_PRI_LAST },
	{ .hook = fwd_hook, .pf = NFPROTO_IPV6, .hooknum = NF_INET_FORWARD,
	  .priority = NF_IP6_PRI_LAST },
};

int nfsec_hooks_register(struct nfsec_net *nn)
{
	BUILD_BUG_ON(sizeof(struct nfsec_skb_cb) > sizeof_field(struct sk_buff, cb));
	return nf_register_net_hooks(nn->net, nfsec_nf_ops, ARRAY_SIZE(nfsec_nf_ops));
}

/* After this, no packet enters nfsec; held ones (acquire.c) may still be sent. */
void nfsec_hooks_unregister(struct nfsec_net *nn)
{
	nf_unregister_net_hooks(nn->net, nfsec_nf_ops, ARRAY_SIZE(nfsec_nf_ops));
}

/* After the hooks and the held packets: waits for the packets still in crypto. */
void nfsec_hooks_drain(struct nfsec_net *nn)
{
	wait_var_event(&nn->in_crypto, !atomic_read(&nn->in_crypto));
}
