// SPDX-License-Identifier: GPL-2.0
/*
 * The outbound data path, from the POST_ROUTING hook (hooks.c) and the hold queue
 * (acquire.c): an outbound packet an "out" protect policy selects is taken, segmented if
 * it is GSO, encapsulated with the newest outbound SA the policy's template names, and
 * sent again with ip_local_out()/ip6_local_out(), marked as transformed so that the hook
 * lets it pass. With no SA it is held and ACQUIRE raised. IKE's own sockets pass
 * (ike_socket.c). Tunnel mode routes the outer packet as XFRM does; a packet too big once
 * encapsulated is fragmented after ESP or, forwarded with DF, answered with ICMP. An SA
 * with UDP encapsulation puts its UDP header in front of ESP last (encap.c), and counts
 * it in the MTU.
 */

#include <linux/icmpv6.h>
#include <linux/netfilter.h>
#include <net/dst.h>
#include <net/icmp.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/l3mdev.h>
#include <net/route.h>

#include "acquire.h"
#include "conntrack.h"
#include "encap.h"
#include "esp.h"
#include "flow.h"
#include "ike_socket.h"
#include "lifetime.h"
#include "nfsec.h"
#include "output.h"
#include "parallel.h"

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

	if (sa->cfg.id.family == AF_INET) {
		struct flowi4 fl4 = {
			.daddr = sa->cfg.id.daddr.a4,
			.saddr = sa->cfg.saddr.a4,
			.flowi4_mark = skb->mark,
			.flowi4_l3mdev = l3mdev,
		};
		struct rtable *rt = ip_route_output_key(net, &fl4);

		return IS_ERR(rt) ? ERR_CAST(rt) : &rt->dst;
	}
	{
		struct flowi6 fl6 = {
			.daddr = sa->cfg.id.daddr.a6,
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
	const struct nfsec_sa_id *id = &sa->cfg.id;

	if (nfsec_is_v4(skb))
		return id->family == AF_INET && ip_hdr(skb)->daddr == id->daddr.a4;
	return id->family == AF_INET6 && ipv6_addr_equal(&ipv6_hdr(skb)->daddr, &id->daddr.a6);
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
static bool too_big(struct sk_buff *skb, unsigned int mtu, bool feedback)
{
	if (nfsec_is_v4(skb)) {
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
	return true;
}

/* Tunnel mode: puts the outer header in front of the inner packet. */
static int push_outer(struct net *net, struct sk_buff *skb, const struct nfsec_sa *sa,
		      struct dst_entry *dst)
{
	u8 dsfield = nfsec_is_v4(skb) ? ip_hdr(skb)->tos : ipv6_get_dsfield(ipv6_hdr(skb));
	u8 tos = INET_ECN_encapsulate(dsfield, dsfield);
	unsigned int hdr = sa->cfg.id.family == AF_INET ? sizeof(struct iphdr) :
			   sizeof(struct ipv6hdr);

	if (skb_cow_head(skb, hdr + LL_RESERVED_SPACE(dst->dev)))
		return -ENOMEM;
	skb_push(skb, hdr);
	skb_reset_network_header(skb);
	memset(&NFSEC_SKB_CB(skb)->header, 0, sizeof(NFSEC_SKB_CB(skb)->header));
	if (sa->cfg.id.family == AF_INET) {
		struct iphdr *iph = ip_hdr(skb);

		iph->version = 4;
		iph->ihl = 5;
		iph->tos = tos;
		iph->tot_len = htons(skb->len);
		iph->frag_off = 0;
		iph->ttl = ip4_dst_hoplimit(dst);
		iph->protocol = IPPROTO_ESP;
		iph->saddr = sa->cfg.saddr.a4;
		iph->daddr = sa->cfg.id.daddr.a4;
		ip_select_ident(net, skb, NULL);
		skb->protocol = htons(ETH_P_IP);
	} else {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);

		ip6_flow_hdr(ip6h, tos, 0);
		ip6h->payload_len = 0;
		ip6h->nexthdr = IPPROTO_ESP;
		ip6h->hop_limit = ip6_dst_hoplimit(dst);
		ip6h->saddr = sa->cfg.saddr.a6;
		ip6h->daddr = sa->cfg.id.daddr.a6;
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
		stat = NFSEC_STAT_A_OUT_TOO_BIG;	/* too_big(): ICMP sent */
		break;
	default:
		stat = NFSEC_STAT_A_OUT_ERROR;
	}
	nfsec_sa_drop(nn, sa, stat);
	nfsec_sa_put(sa);
	kfree_skb(skb);
}

/* Encrypted (@err 0) or failed: sends the ESP packet on, or drops it. */
static void out_send(struct nfsec_net *nn, struct sk_buff *skb, int err)
{
	struct nfsec_sa *sa = NFSEC_SKB_CB(skb)->sa;
	bool udp = sa->cfg.encap.type;
	unsigned int len = skb->len;

	if (err) {
		out_drop(nn, skb, sa, err);
		return;
	}
	nf_reset_ct(skb);
	skb_reset_network_header(skb);
	if (udp) {
		err = nfsec_encap_push(skb, sa);
		if (err) {
			out_drop(nn, skb, sa, err);
			return;
		}
	}
	nfsec_stat_inc(nn, NFSEC_STAT_A_OUT_PACKETS);
	nfsec_stat_add(nn, NFSEC_STAT_A_OUT_BYTES, len);
	nfsec_sa_put(sa);
	if (nfsec_is_v4(skb)) {
		if (!udp)
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
	nfsec_crypto_end(nn);
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
	unsigned int off, outer = 0, udp, mtu, headroom;
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
		outer = sa->cfg.id.family == AF_INET ? sizeof(struct iphdr) :
						       sizeof(struct ipv6hdr);
		nexthdr = nfsec_is_v4(skb) ? IPPROTO_IPIP : IPPROTO_IPV6;
	} else if (nfsec_is_v4(skb)) {
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
	udp = nfsec_encap_len(sa);
	if (outer + udp + off + nfsec_esp_len(sa, skb->len - off) > mtu &&
	    too_big(skb, inner_mtu(sa, mtu, outer + udp, off),
		    tunnel && !same_daddr(skb, sa))) {
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
	headroom = LL_RESERVED_SPACE(skb_dst(skb)->dev) + udp;
	nfsec_crypto_begin(nn);
	if (nfsec_parallel_active(&sa->par))
		err = nfsec_parallel_encrypt(skb, off, nexthdr, headroom, out_finish);
	else
		err = nfsec_esp_seq_take(skb) ?:
		      nfsec_esp_encap(skb, off, nexthdr, headroom, out_done);
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
		nfsec_sa_drop(nn, sa, NFSEC_STAT_A_OUT_ERROR);
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
 * @deadline is when a held packet gives up, 0 for a new one). Under RCU.
 */
unsigned int nfsec_output(struct nfsec_net *nn, struct sk_buff *skb, unsigned long deadline)
{
	struct nfsec_sa_okey key = {};
	struct nfsec_policy *pol;
	struct nfsec_flow fl;
	struct nfsec_sa *sa;
	unsigned int gen;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "outside RCU");

	if (nfsec_ike_socket(skb->sk))
		return NF_ACCEPT;
	if (nfsec_flow_parse(skb, &fl) < 0)
		return nfsec_hdr_error(nn, skb, NFSEC_STAT_A_OUT_HDR_ERROR);
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
