// SPDX-License-Identifier: GPL-2.0
/*
 * ESP in UDP (RFC 3948), for NAT traversal; IPv4 SAs only for now.
 *
 * Out: once ESP is built (output.c), an SA with encapsulation puts a UDP header between
 * the IP header and ESP, with the SA's ports and checksum 0 (RFC 3948 3.1.2 allows it
 * for IPv4: ESP authenticates what it carries).
 *
 * In: ESP in UDP arrives at the IKE daemon's NAT traversal socket (4500), which the
 * daemon gave the module (ike_socket.c); its encap_rcv calls nfsec_encap_rcv() for each
 * datagram, in softirq under RCU. RFC 3948 2.2 tells them apart by their first bytes:
 *  - one byte 0xff: a NAT keepalive, counted (in-keepalive) and discarded;
 *  - four zero bytes (the non-ESP marker; no SPI is 0): IKE, for the socket, which
 *    strips the marker;
 *  - shorter than an ESP header otherwise: dropped as malformed;
 *  - anything else: ESP. The UDP header goes (the IP header moves up over it and says
 *    ESP, as XFRM's xfrm4_udp_encap_rcv() does) and the packet takes the plain ESP path,
 *    nfsec_input_udp(), which lets only an SA with encapsulation have it.
 * A socket on port 500 carries IKE without a marker (RFC 3947 4), whose first bytes (the
 * initiator's cookie) would look like ESP: everything it receives goes to it as before.
 *
 * A peer whose NAT mapping moved (RFC 3948 5.2) sends from a new address or port: an
 * authenticated, not replayed packet from elsewhere than the inbound SA says raises a
 * MAPPING event (as XFRM's km_new_mapping()), at most one a second per SA, and the daemon
 * moves the SAs' ports (NFSEC_CMD_SA_SET). Only authenticated packets count, so a forged
 * one cannot redirect a tunnel.
 */

#include <asm/unaligned.h>
#include <linux/ip.h>
#include <linux/netfilter.h>
#include <linux/udp.h>
#include <net/esp.h>
#include <net/inet_sock.h>
#include <net/ip.h>

#include "encap.h"
#include "flow.h"
#include "input.h"
#include "netlink.h"
#include "nfsec.h"

/*
 * ESP at the network header (IPv4, the IP header at skb->data) gets @sa's UDP header
 * in front of it; the IP header then says UDP. -ENOMEM without room.
 */
int nfsec_encap_push(struct sk_buff *skb, const struct nfsec_sa *sa)
{
	unsigned int iphlen = ip_hdrlen(skb);
	struct udphdr *uh;

	if (WARN_ON_ONCE(!nfsec_is_v4(skb)))
		return -EINVAL;
	if (skb_cow_head(skb, sizeof(*uh)))
		return -ENOMEM;
	skb_push(skb, sizeof(*uh));
	memmove(skb->data, skb->data + sizeof(*uh), iphlen);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, iphlen);
	uh = udp_hdr(skb);
	uh->source = READ_ONCE(sa->cfg.encap.sport);
	uh->dest = READ_ONCE(sa->cfg.encap.dport);
	uh->len = htons(skb->len - iphlen);
	uh->check = 0;
	ip_hdr(skb)->protocol = IPPROTO_UDP;
	return 0;
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_encap_push);

/*
 * The UDP header out of ESP in UDP (at skb->data, as UDP hands it over): the IP header
 * moves up over it and says ESP, and skb->data is at the IP header again, as the
 * LOCAL_IN hook sees plain ESP.
 */
static int strip_udp(struct sk_buff *skb)
{
	unsigned int iphlen = skb_network_header_len(skb);
	struct iphdr *iph;

	if (skb_unclone(skb, GFP_ATOMIC))
		return -ENOMEM;
	__skb_pull(skb, sizeof(struct udphdr));
	memmove(skb->data - iphlen, skb_network_header(skb), iphlen);
	skb_set_network_header(skb, -(int)iphlen);
	skb_reset_transport_header(skb);
	iph = ip_hdr(skb);
	iph->protocol = IPPROTO_ESP;
	iph->tot_len = htons(ntohs(iph->tot_len) - sizeof(struct udphdr));
	ip_send_check(iph);
	__skb_push(skb, iphlen);
	/* A checksum the device gave covered the UDP header; decryption needs none. */
	skb->ip_summed = CHECKSUM_NONE;
	return 0;
}

/* ESP in UDP for nfsec_input_udp(); takes @skb. */
static void esp_rcv(struct nfsec_net *nn, struct sk_buff *skb)
{
	__be16 sport = udp_hdr(skb)->source;
	unsigned int verdict;

	if (!nfsec_is_v4(skb)) {
		/* No IPv6 SA has encapsulation (netlink.c refuses it). */
		nfsec_stat_inc(nn, NFSEC_STAT_A_IN_NO_SA);
		goto drop;
	}
	if (strip_udp(skb)) {
		nfsec_stat_inc(nn, NFSEC_STAT_A_IN_ERROR);
		goto drop;
	}
	rcu_read_lock();
	verdict = nfsec_input_udp(nn, skb, ip_hdrlen(skb), sport);
	rcu_read_unlock();
	if (verdict == NF_STOLEN)
		return;
	/* NF_DROP, counted: ESP in UDP is never passed on. */
drop:
	kfree_skb(skb);
}

/*
 * An authenticated packet of inbound @sa came from @saddr and UDP port @sport: when they
 * are not the SA's peer's, userspace hears of it (at most once a second). Any context.
 */
void nfsec_encap_check_mapping(struct nfsec_sa *sa, __be32 saddr, __be16 sport)
{
	unsigned long next = READ_ONCE(sa->mapping_next);

	if (saddr == sa->cfg.saddr.a4 && sport == READ_ONCE(sa->cfg.encap.sport))
		return;
	if (next && time_before(jiffies, next))
		return;
	/* Two CPUs may both get here; one event more is harmless. */
	WRITE_ONCE(sa->mapping_next, jiffies + HZ ?: 1);
	nfsec_mapping_event(sa->nn, sa, saddr, sport);
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_encap_check_mapping);

/*
 * A datagram for a marked socket @sk, at its UDP header: 1 gives it to the socket, 0
 * means it was taken (consumed, or dropped and counted).
 */
int nfsec_encap_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct nfsec_net *nn = nfsec_net(sock_net(sk));
	unsigned int len = skb->len - sizeof(struct udphdr);
	const u8 *data;

	if (inet_sk(sk)->inet_sport == htons(NFSEC_IKE_PORT))
		return 1;
	/* UDP calls encap_rcv only with a payload: len is 1 or more. */
	if (!pskb_may_pull(skb, sizeof(struct udphdr) + min_t(unsigned int, len,
							      sizeof(struct ip_esp_hdr)))) {
		nfsec_stat_inc(nn, NFSEC_STAT_A_IN_ERROR);
		goto drop;
	}
	data = skb->data + sizeof(struct udphdr);
	if (len == 1 && data[0] == 0xff) {
		nfsec_stat_inc(nn, NFSEC_STAT_A_IN_KEEPALIVE);
		consume_skb(skb);
		return 0;
	}
	if (len >= 4 && !get_unaligned((const u32 *)data))
		return 1;
	if (len < sizeof(struct ip_esp_hdr)) {
		nfsec_stat_inc(nn, NFSEC_STAT_A_IN_MALFORMED);
		net_dbg_ratelimited("nfsec: dropped %u bytes of ESP in UDP, too short\n", len);
		goto drop;
	}
	esp_rcv(nn, skb);
	return 0;

drop:
	kfree_skb(skb);
	return 0;
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_encap_rcv);
