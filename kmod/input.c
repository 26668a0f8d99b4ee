// SPDX-License-Identifier: GPL-2.0
/*
 * The inbound data path, from the LOCAL_IN and FORWARD hooks (hooks.c), and ESP in UDP
 * from the daemon's socket (encap.c). ESP for an inbound SA is replay-checked,
 * authenticated, decrypted and re-injected through GRO, carrying its SA's mark in a
 * secpath (secpath.c); ESP for an SA of XFRM's is left to XFRM. Any other packet meets
 * the "in" or "fwd" policies: a protect policy lets through only what an SA its template
 * names decrypted, and IKE to the daemon's own socket (ike_socket.c).
 */

#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <net/gro_cells.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/xfrm.h>

#include "encap.h"
#include "esp.h"
#include "flow.h"
#include "ike_socket.h"
#include "input.h"
#include "lifetime.h"
#include "nfsec.h"
#include "parallel.h"
#include "secpath.h"

/* Whether @sa's window, as it is, has seen @seq or left it behind. */
static bool replay_seen(struct nfsec_sa *sa, u64 seq)
{
	lockdep_assert_held(&sa->lock);
	return sa->cfg.replay_window && nfsec_replay_check(sa->replay, seq) != NFSEC_REPLAY_OK;
}

/*
 * The replay window's first look, before authentication, at the packet whose control
 * block holds its SA and the low 32 bits of its number: -EALREADY for a replay, else 0
 * and its full number there. @ahead: nfsec_replay_infer_ahead()'s, for packets before it
 * still in crypto; -EAGAIN when they decide the number.
 */
static int replay_look(struct sk_buff *skb, u64 *ahead)
{
	struct nfsec_skb_cb *cb = NFSEC_SKB_CB(skb);
	struct nfsec_sa *sa = cb->sa;
	int err = 0;
	u64 seq;

	spin_lock_bh(&sa->lock);
	if (!nfsec_replay_infer_ahead(sa->replay, lower_32_bits(cb->seq), ahead, &seq))
		err = -EAGAIN;
	else if (replay_seen(sa, seq))
		err = -EALREADY;
	else
		cb->seq = seq;
	spin_unlock_bh(&sa->lock);
	return err;
}

/* The replay window's second look, after authentication; advances it. */
static bool replay_accept(struct nfsec_sa *sa, u64 seq)
{
	bool ok;

	spin_lock_bh(&sa->lock);
	ok = !replay_seen(sa, seq);
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
	u8 outer_ds = nfsec_is_v4(skb) ? ip_hdr(skb)->tos : ipv6_get_dsfield(ipv6_hdr(skb));
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
	if (nfsec_is_v4(skb)) {
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
	case -EALREADY:		/* replay_look() */
		return NFSEC_STAT_A_IN_REPLAY;
	default:
		return NFSEC_STAT_A_IN_ERROR;
	}
}

/*
 * The drop counter of a packet its crypto refused: a replay when the window, as the
 * packets before it left it, says so. Its first look came before they had left (the
 * parallel path's, or with asynchronous crypto), and the serial path looks at the
 * window before the packet's length and its ICV.
 */
static int in_stat_failed(struct nfsec_sa *sa, u64 seq, int err)
{
	bool seen;

	if (err != -EBADMSG && err != -EINVAL)
		return in_stat(err);
	spin_lock_bh(&sa->lock);
	seen = replay_seen(sa, seq);
	spin_unlock_bh(&sa->lock);
	return seen ? NFSEC_STAT_A_IN_REPLAY : in_stat(err);
}

/*
 * Decrypted packets go back into the stack through GRO, so a TCP stream's segments are
 * merged before the stack sees them, as XFRM does for its own (xfrm_input.c): per-CPU
 * cells with a NAPI context each, on a dummy device of the module's. A clone, or a cell
 * whose queue is full, falls back to (or is dropped as by) netif_rx().
 */
static struct net_device nfsec_napi_dev;
static struct gro_cells nfsec_gro_cells;

int nfsec_input_init(void)
{
	init_dummy_netdev(&nfsec_napi_dev);
	return gro_cells_init(&nfsec_gro_cells, &nfsec_napi_dev);
}

/* No packet is in crypto or on its way in any more (every namespace is gone). */
void nfsec_input_exit(void)
{
	gro_cells_destroy(&nfsec_gro_cells);
}

/* @skb into the stack again, from any context (asynchronous crypto completes in any). */
static void reinject(struct sk_buff *skb)
{
	local_bh_disable();
	gro_cells_receive(&nfsec_gro_cells, skb);
	local_bh_enable();
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
		stat = in_stat_failed(sa, NFSEC_SKB_CB(skb)->seq, err);
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
	/* Authentic and new: where it came from may tell of a moved NAT mapping. */
	if (sa->cfg.encap.type)
		nfsec_encap_check_mapping(sa, NFSEC_SKB_CB(skb)->encap_saddr,
					  NFSEC_SKB_CB(skb)->encap_sport);
	stat = NFSEC_STAT_A_IN_MALFORMED;
	/* Decryption left the headers in front of ESP, and ESP's own, as they came. */
	off = nfsec_esp_offset(skb, &nhoff);
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
	    (nfsec_flow_parse(skb, &fl) || !nfsec_selector_match(&sa->cfg.sel, &fl))) {
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
	/*
	 * Transport mode through a NAT: the TCP or UDP checksum covers addresses the NAT
	 * rewrote in the outer header, and ESP authenticated the packet, so it is not checked
	 * again (RFC 3948 3.1.2 leaves this to the receiver; XFRM does the same).
	 */
	if (sa->cfg.encap.type && sa->cfg.mode == NFSEC_MODE_TRANSPORT)
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	else
		skb->ip_summed = CHECKSUM_NONE;
	nfsec_stat_inc(nn, NFSEC_STAT_A_IN_PACKETS);
	nfsec_stat_add(nn, NFSEC_STAT_A_IN_BYTES, skb->len);
	nfsec_sa_put(sa);
	reinject(skb);
	return;

drop:
	nfsec_sa_drop(nn, sa, stat);
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
	nfsec_crypto_end(nn);
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
 * ESP to this host, at @off (nfsec_esp_offset()): ours if an inbound SA has its SPI. @udp:
 * it came inside UDP (encap.c), which only an SA with encapsulation takes; such an SA
 * takes nothing else. Either way a packet in the wrong carriage is malformed for the SA
 * (dropped; XFRM's states are not asked about ESP in UDP, which came through our socket).
 */
static unsigned int esp_input(struct nfsec_net *nn, struct sk_buff *skb, unsigned int off,
			      bool udp, __be16 sport)
{
	struct nfsec_sa_id id = {};
	struct ip_esp_hdr *esph;
	struct nfsec_sa *sa;
	int err;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "outside RCU");

	if (!pskb_may_pull(skb, off + sizeof(*esph))) {
		nfsec_stat_inc(nn, NFSEC_STAT_A_IN_MALFORMED);
		return NF_DROP;
	}
	esph = (struct ip_esp_hdr *)(skb_network_header(skb) + off);
	id.spi = esph->spi;
	id.proto = IPPROTO_ESP;
	if (nfsec_is_v4(skb)) {
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
		else if (!udp && xfrm_has_sa(nn, skb, &id))
			return NF_ACCEPT;
		nfsec_stat_inc(nn, NFSEC_STAT_A_IN_NO_SA);
		return NF_DROP;
	}
	if (!!sa->cfg.encap.type != udp) {
		net_dbg_ratelimited("nfsec: ESP %s UDP for SPI 0x%x, which has %s\n",
				    udp ? "in" : "outside", ntohl(id.spi),
				    udp ? "no encapsulation" : "UDP encapsulation");
		nfsec_sa_drop(nn, sa, NFSEC_STAT_A_IN_MALFORMED);
		nfsec_sa_put(sa);
		return NF_DROP;
	}
	/*
	 * The ESP header and IV into the linear area: a packet reassembled from fragments
	 * (a frag_list) or one in pages may hold no more than the IP header there, and
	 * decryption and decapsulation move and pull these bytes in place.
	 */
	if (!pskb_may_pull(skb, off + nfsec_esp_head_len(sa))) {
		nfsec_sa_drop(nn, sa, NFSEC_STAT_A_IN_MALFORMED);
		nfsec_sa_put(sa);
		return NF_DROP;
	}
	esph = (struct ip_esp_hdr *)(skb_network_header(skb) + off);
	NFSEC_SKB_CB(skb)->sa = sa;
	NFSEC_SKB_CB(skb)->seq = ntohl(esph->seq_no);	/* replay_look() infers the rest */
	if (udp) {
		NFSEC_SKB_CB(skb)->encap_saddr = ip_hdr(skb)->saddr;
		NFSEC_SKB_CB(skb)->encap_sport = sport;
	}
	/*
	 * Asynchronous crypto completes outside this RCU section: the input route (borrowed)
	 * is not needed past here, and the device the packet came in on, which it is
	 * delivered on again, must outlive the crypto (unregistering waits for it).
	 */
	skb_dst_drop(skb);
	dev_hold(skb->dev);
	nfsec_crypto_begin(nn);
	if (nfsec_parallel_active(&sa->par)) {
		/* the first look in the queue's order, behind the packets in its crypto */
		err = nfsec_parallel_decrypt(skb, off, replay_look, in_finish);
	} else {
		u64 ahead = 0;	/* none queued; asynchronous crypto in flight, as XFRM, aside */

		err = replay_look(skb, &ahead) ?: nfsec_esp_decrypt(skb, off, in_done);
	}
	if (err != -EINPROGRESS)
		in_finish(skb, err);
	return NF_STOLEN;
}

/* Plain ESP, from the LOCAL_IN hook. */
unsigned int nfsec_input(struct nfsec_net *nn, struct sk_buff *skb, unsigned int off)
{
	return esp_input(nn, skb, off, false, 0);
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_input);

/*
 * ESP that came inside UDP from port @sport, the UDP header taken out (encap.c); never
 * NF_ACCEPT.
 */
unsigned int nfsec_input_udp(struct nfsec_net *nn, struct sk_buff *skb, unsigned int off,
			     __be16 sport)
{
	return esp_input(nn, skb, off, true, sport);
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_input_udp);

/* Cleartext against the "in" or "fwd" policies. */
unsigned int nfsec_check_policy(struct nfsec_net *nn, struct sk_buff *skb, int dir)
{
	struct nfsec_policy *pol;
	struct nfsec_flow fl;

	if (!READ_ONCE(nn->spd[dir].count))
		return NF_ACCEPT;
	if (nfsec_flow_parse(skb, &fl) < 0)
		return nfsec_hdr_error(nn, skb, NFSEC_STAT_A_IN_HDR_ERROR);
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
