// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: ESP in UDP (encap.c) on init_net.
 *
 * nfsec_encap_push: the UDP header an SA with encapsulation puts between the IP header
 * and ESP. nfsec_encap_rcv: datagrams as UDP hands them to the daemon's marked socket (at
 * the UDP header, the IP header pulled), sorted per RFC 3948 2.2: keepalives, IKE behind
 * the non-ESP marker, short ones, unknown SPIs, a socket on port 500; and genuine ESP in
 * UDP, decrypted and delivered through an SA with encapsulation only, while such an SA
 * refuses plain ESP. nfsec_encap_check_mapping: a moved NAT mapping is noticed from
 * authenticated packets only, at most once a second.
 */

#include <crypto/aead.h>
#include <kunit/test.h>
#include <linux/icmp.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/net.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/esp.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/sock.h>

#include "encap.h"
#include "esp.h"
#include "input.h"
#include "nfsec.h"

#define SPI 0x4e415454		/* "NATT": no other suite's */
#define INNER_LEN 64		/* an ICMP echo reply 127.0.0.1 -> 127.0.0.1, nobody's */
#define PEER_PORT 4500
#define OUR_PORT 4501

static const u8 key[20] = "0123456789abcdefsalt";
static const struct nfsec_sa_alg gcm = {
	.aead = "rfc4106(gcm(aes))", .key = key, .key_len = sizeof(key), .icv_len = 16,
};

static DECLARE_COMPLETION(encap_done);
static int encap_err;

static void encap_complete(struct sk_buff *skb, int err)
{
	encap_err = err;
	complete(&encap_done);
}

/* A tunnel SA 127.0.0.2 -> 127.0.0.1, with UDP encapsulation when @udp; not added. */
static struct nfsec_sa *sa_make(struct kunit *test, u8 dir, bool udp)
{
	struct nfsec_sa_config cfg = {
		.id = { .spi = htonl(SPI), .family = AF_INET, .proto = IPPROTO_ESP,
			.daddr.a4 = htonl(INADDR_LOOPBACK) },
		.saddr.a4 = htonl(INADDR_LOOPBACK + 1),
		.dir = dir, .mode = NFSEC_MODE_TUNNEL, .replay_window = 64,
	};
	struct nfsec_sa *sa;

	if (udp)
		cfg.encap = (struct nfsec_sa_encap){ .type = NFSEC_ENCAP_ESPINUDP,
						     .sport = htons(PEER_PORT),
						     .dport = htons(OUR_PORT) };
	sa = nfsec_sa_new(&cfg, &gcm, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sa);
	return sa;
}

static bool sa_add(struct kunit *test, struct nfsec_net *nn, struct nfsec_sa *sa)
{
	int ret;

	mutex_lock(&nn->lock);
	ret = nfsec_sa_add(nn, sa);
	mutex_unlock(&nn->lock);
	if (ret) {
		nfsec_sa_put(sa);
		KUNIT_FAIL(test, "SA add: %d", ret);
		return false;
	}
	return true;
}

static void sa_del(struct nfsec_net *nn, struct nfsec_sa *sa)
{
	mutex_lock(&nn->lock);
	nfsec_sa_remove(&nn->sad, sa);
	mutex_unlock(&nn->lock);
}

static u64 stat_sum(struct nfsec_net *nn, int stat)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(nn->stats, cpu)->v[stat];
	return sum;
}

static void crypto_drained(struct nfsec_net *nn)
{
	wait_var_event(&nn->in_crypto, !atomic_read(&nn->in_crypto));
}

/* An outer IPv4 header 127.0.0.2 -> 127.0.0.1 at skb->data (the network header). */
static void outer_header(struct sk_buff *skb, u8 proto)
{
	struct iphdr *iph = ip_hdr(skb);

	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = proto;
	iph->saddr = htonl(INADDR_LOOPBACK + 1);
	iph->daddr = htonl(INADDR_LOOPBACK);
	iph->tot_len = htons(skb->len);
	ip_send_check(iph);
	skb->protocol = htons(ETH_P_IP);
	skb->dev = init_net.loopback_dev;
}

/* IPv4 127.0.0.2 -> 127.0.0.1 carrying @out's ESP of an ICMP echo reply, linear. */
static struct sk_buff *esp_packet(struct kunit *test, struct nfsec_sa *out)
{
	struct sk_buff *skb = alloc_skb(256, GFP_KERNEL);
	struct icmphdr *icmp;
	struct iphdr *iph;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, 64);
	skb_reset_network_header(skb);
	skb_put_zero(skb, sizeof(*iph));
	iph = skb_put_zero(skb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = IPPROTO_ICMP;
	iph->saddr = htonl(INADDR_LOOPBACK);
	iph->daddr = htonl(INADDR_LOOPBACK);
	iph->tot_len = htons(INNER_LEN);
	ip_send_check(iph);
	icmp = skb_put_zero(skb, INNER_LEN - sizeof(*iph));
	icmp->type = ICMP_ECHOREPLY;

	NFSEC_SKB_CB(skb)->sa = out;
	KUNIT_ASSERT_EQ(test, nfsec_esp_seq_take(skb), 0);
	ret = nfsec_esp_encap(skb, sizeof(*iph), IPPROTO_IPIP, sizeof(struct udphdr),
			      encap_complete);
	if (ret == -EINPROGRESS) {
		wait_for_completion(&encap_done);
		ret = encap_err;
	}
	KUNIT_ASSERT_EQ(test, ret, 0);
	skb_reset_network_header(skb);
	outer_header(skb, IPPROTO_ESP);
	return skb;
}

/* @skb (IPv4 at skb->data) as UDP hands it to encap_rcv: at the UDP header. */
static void as_udp_delivers(struct sk_buff *skb)
{
	skb_set_transport_header(skb, ip_hdrlen(skb));
	__skb_pull(skb, ip_hdrlen(skb));
}

/* A datagram 127.0.0.2:4500 -> 127.0.0.1:4501 with @len bytes of @payload, as delivered. */
static struct sk_buff *datagram(struct kunit *test, const void *payload, unsigned int len)
{
	struct sk_buff *skb = alloc_skb(128 + len, GFP_KERNEL);
	struct udphdr *uh;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, 32);
	skb_reset_network_header(skb);
	skb_put_zero(skb, sizeof(struct iphdr));
	uh = skb_put_zero(skb, sizeof(*uh));
	uh->source = htons(PEER_PORT);
	uh->dest = htons(OUR_PORT);
	uh->len = htons(sizeof(*uh) + len);
	skb_put_data(skb, payload, len);
	outer_header(skb, IPPROTO_UDP);
	as_udp_delivers(skb);
	return skb;
}

/* A kernel UDP socket of init_net on 127.0.0.1:@port, which stands for the daemon's. */
static struct socket *udp_socket(struct kunit *test, u16 port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET, .sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	struct socket *sock;
	int ret;

	ret = sock_create_kern(&init_net, AF_INET, SOCK_DGRAM, IPPROTO_UDP, &sock);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kernel_bind(sock, (struct sockaddr *)&sin, sizeof(sin));
	if (ret)
		sock_release(sock);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return sock;
}

/* @skb through nfsec_encap_rcv() as UDP's softirq calls it; returns its verdict. */
static int rcv(struct nfsec_net *nn, struct socket *sock, struct sk_buff *skb)
{
	int ret;

	local_bh_disable();
	rcu_read_lock();
	ret = nfsec_encap_rcv(sock->sk, skb);
	rcu_read_unlock();
	local_bh_enable();
	crypto_drained(nn);
	return ret;
}

/* The UDP header goes between the IP header and ESP, the lengths and protocol fixed. */
static void push_layout(struct kunit *test)
{
	struct nfsec_sa *sa = sa_make(test, NFSEC_SA_DIR_OUT, true);
	struct sk_buff *skb = alloc_skb(256, GFP_KERNEL);
	u8 esp[40], *at;
	struct udphdr *uh;
	struct iphdr *iph;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	for (i = 0; i < sizeof(esp); i++)
		esp[i] = i + 1;
	skb_reserve(skb, 64);
	skb_reset_network_header(skb);
	skb_put_zero(skb, sizeof(*iph));
	skb_put_data(skb, esp, sizeof(esp));
	outer_header(skb, IPPROTO_ESP);
	KUNIT_EXPECT_EQ(test, nfsec_encap_len(sa), sizeof(*uh));

	KUNIT_ASSERT_EQ(test, nfsec_encap_push(skb, sa), 0);
	KUNIT_EXPECT_EQ(test, skb->len, sizeof(*iph) + sizeof(*uh) + sizeof(esp));
	KUNIT_EXPECT_PTR_EQ(test, (u8 *)ip_hdr(skb), skb->data);
	iph = ip_hdr(skb);
	KUNIT_EXPECT_EQ(test, iph->protocol, IPPROTO_UDP);
	KUNIT_EXPECT_EQ(test, iph->saddr, htonl(INADDR_LOOPBACK + 1));
	KUNIT_EXPECT_EQ(test, iph->daddr, htonl(INADDR_LOOPBACK));
	KUNIT_EXPECT_EQ(test, skb_transport_offset(skb), (int)sizeof(*iph));
	uh = udp_hdr(skb);
	KUNIT_EXPECT_EQ(test, ntohs(uh->source), PEER_PORT);
	KUNIT_EXPECT_EQ(test, ntohs(uh->dest), OUR_PORT);
	KUNIT_EXPECT_EQ(test, ntohs(uh->len), sizeof(*uh) + sizeof(esp));
	KUNIT_EXPECT_EQ(test, uh->check, 0);
	at = (u8 *)(uh + 1);
	KUNIT_EXPECT_EQ(test, memcmp(at, esp, sizeof(esp)), 0);
	kfree_skb(skb);
	nfsec_sa_put(sa);

	/* Plain ESP adds nothing. */
	sa = sa_make(test, NFSEC_SA_DIR_OUT, false);
	KUNIT_EXPECT_EQ(test, nfsec_encap_len(sa), 0U);
	nfsec_sa_put(sa);
}

/* RFC 3948 2.2: keepalives counted and gone, IKE to the socket, short ESP dropped. */
static void rcv_sorts(struct kunit *test)
{
	static const u8 keepalive[1] = { 0xff }, ike[32] = {}, short_esp[7] = { 1, 2, 3, 4 };
	static const u8 unknown[24] = { 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1 };
	struct nfsec_net *nn = nfsec_net(&init_net);
	struct socket *sock = udp_socket(test, OUR_PORT);
	u64 kept = stat_sum(nn, NFSEC_STAT_A_IN_KEEPALIVE);
	u64 malformed = stat_sum(nn, NFSEC_STAT_A_IN_MALFORMED);
	u64 no_sa = stat_sum(nn, NFSEC_STAT_A_IN_NO_SA);
	struct sk_buff *skb;

	KUNIT_EXPECT_EQ(test, rcv(nn, sock, datagram(test, keepalive, 1)), 0);
	KUNIT_EXPECT_EQ(test, stat_sum(nn, NFSEC_STAT_A_IN_KEEPALIVE), kept + 1);

	/* The marker: for the socket, untouched. */
	skb = datagram(test, ike, sizeof(ike));
	KUNIT_EXPECT_EQ(test, rcv(nn, sock, skb), 1);
	KUNIT_EXPECT_EQ(test, skb->len, sizeof(struct udphdr) + sizeof(ike));
	KUNIT_EXPECT_EQ(test, ip_hdr(skb)->protocol, IPPROTO_UDP);
	kfree_skb(skb);

	/* One byte that is no keepalive, and seven: too short for ESP. */
	KUNIT_EXPECT_EQ(test, rcv(nn, sock, datagram(test, short_esp, 1)), 0);
	KUNIT_EXPECT_EQ(test, rcv(nn, sock, datagram(test, short_esp, sizeof(short_esp))), 0);
	KUNIT_EXPECT_EQ(test, stat_sum(nn, NFSEC_STAT_A_IN_MALFORMED), malformed + 2);

	/* ESP for no SA. */
	KUNIT_EXPECT_EQ(test, rcv(nn, sock, datagram(test, unknown, sizeof(unknown))), 0);
	KUNIT_EXPECT_EQ(test, stat_sum(nn, NFSEC_STAT_A_IN_NO_SA), no_sa + 1);
	KUNIT_EXPECT_EQ(test, stat_sum(nn, NFSEC_STAT_A_IN_KEEPALIVE), kept + 1);
	sock_release(sock);
}

/* Port 500 carries IKE without a marker: all of it goes to the socket. */
static void rcv_port_500_untouched(struct kunit *test)
{
	static const u8 cookie[28] = { 0x12, 0x34, 0x56, 0x78 }, keepalive[1] = { 0xff };
	struct nfsec_net *nn = nfsec_net(&init_net);
	struct socket *sock = udp_socket(test, NFSEC_IKE_PORT);
	struct sk_buff *skb;

	skb = datagram(test, cookie, sizeof(cookie));
	KUNIT_EXPECT_EQ(test, rcv(nn, sock, skb), 1);
	kfree_skb(skb);
	skb = datagram(test, keepalive, sizeof(keepalive));
	KUNIT_EXPECT_EQ(test, rcv(nn, sock, skb), 1);
	kfree_skb(skb);
	sock_release(sock);
}

/*
 * Genuine ESP in UDP: decrypted and delivered through an SA with encapsulation; the same
 * SA drops it as plain ESP, and an SA without encapsulation drops it in UDP.
 */
static void rcv_decapsulates(struct kunit *test)
{
	struct nfsec_net *nn = nfsec_net(&init_net);
	struct socket *sock = udp_socket(test, OUR_PORT);
	struct nfsec_sa *out = sa_make(test, NFSEC_SA_DIR_OUT, true);
	struct nfsec_sa *in = sa_make(test, NFSEC_SA_DIR_IN, true);
	u64 delivered, malformed;
	struct sk_buff *skb;
	unsigned int verdict;

	if (!sa_add(test, nn, in))
		goto out;
	delivered = stat_sum(nn, NFSEC_STAT_A_IN_PACKETS);
	malformed = stat_sum(nn, NFSEC_STAT_A_IN_MALFORMED);

	skb = esp_packet(test, out);
	KUNIT_ASSERT_EQ(test, nfsec_encap_push(skb, out), 0);
	outer_header(skb, IPPROTO_UDP);
	as_udp_delivers(skb);
	KUNIT_EXPECT_EQ(test, rcv(nn, sock, skb), 0);
	KUNIT_EXPECT_EQ(test, stat_sum(nn, NFSEC_STAT_A_IN_PACKETS), delivered + 1);

	/* The same SA refuses plain ESP. */
	skb = esp_packet(test, out);
	local_bh_disable();
	rcu_read_lock();
	verdict = nfsec_input(nn, skb, sizeof(struct iphdr));
	rcu_read_unlock();
	local_bh_enable();
	KUNIT_EXPECT_EQ(test, verdict, NF_DROP);
	if (verdict == NF_DROP)
		kfree_skb(skb);
	crypto_drained(nn);
	KUNIT_EXPECT_EQ(test, stat_sum(nn, NFSEC_STAT_A_IN_MALFORMED), malformed + 1);
	KUNIT_EXPECT_EQ(test, atomic64_read(&in->drops[NFSEC_SA_DROP_A_MALFORMED]), 1);
	sa_del(nn, in);

	/* An SA without encapsulation refuses ESP in UDP. */
	in = sa_make(test, NFSEC_SA_DIR_IN, false);
	if (!sa_add(test, nn, in))
		goto out;
	skb = esp_packet(test, out);
	KUNIT_ASSERT_EQ(test, nfsec_encap_push(skb, out), 0);
	outer_header(skb, IPPROTO_UDP);
	as_udp_delivers(skb);
	KUNIT_EXPECT_EQ(test, rcv(nn, sock, skb), 0);
	KUNIT_EXPECT_EQ(test, stat_sum(nn, NFSEC_STAT_A_IN_MALFORMED), malformed + 2);
	KUNIT_EXPECT_EQ(test, stat_sum(nn, NFSEC_STAT_A_IN_PACKETS), delivered + 1);
	sa_del(nn, in);
out:
	nfsec_sa_put(out);
	sock_release(sock);
}

/*
 * ESP in UDP of @out, arriving at @sock from port @sport; with @forge a byte of the
 * ciphertext flipped. Returns nfsec_encap_rcv()'s verdict.
 */
static int rcv_from(struct kunit *test, struct nfsec_net *nn, struct socket *sock,
		    struct nfsec_sa *out, u16 sport, bool forge)
{
	struct sk_buff *skb = esp_packet(test, out);
	struct udphdr *uh;

	KUNIT_ASSERT_EQ(test, nfsec_encap_push(skb, out), 0);
	uh = udp_hdr(skb);
	uh->source = htons(sport);
	if (forge)
		skb->data[skb->len - 1] ^= 1;
	outer_header(skb, IPPROTO_UDP);
	as_udp_delivers(skb);
	return rcv(nn, sock, skb);
}

/*
 * The peer's NAT moved its port: its first authenticated packet from the new port marks
 * the SA (a MAPPING event went out), a second within the second does not send another, a
 * forged one from yet another port is dropped without one, and packets from the SA's own
 * port never raise one.
 */
static void rcv_mapping(struct kunit *test)
{
	struct nfsec_net *nn = nfsec_net(&init_net);
	struct socket *sock = udp_socket(test, OUR_PORT);
	struct nfsec_sa *out = sa_make(test, NFSEC_SA_DIR_OUT, true);
	struct nfsec_sa *in = sa_make(test, NFSEC_SA_DIR_IN, true);
	unsigned long next;
	u64 delivered;

	if (!sa_add(test, nn, in))
		goto out;
	delivered = stat_sum(nn, NFSEC_STAT_A_IN_PACKETS);
	KUNIT_EXPECT_EQ(test, rcv_from(test, nn, sock, out, PEER_PORT, false), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(in->mapping_next), 0UL);

	KUNIT_EXPECT_EQ(test, rcv_from(test, nn, sock, out, PEER_PORT + 7, true), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(in->mapping_next), 0UL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&in->drops[NFSEC_SA_DROP_A_AUTH_FAIL]), 1);

	KUNIT_EXPECT_EQ(test, rcv_from(test, nn, sock, out, PEER_PORT + 1, false), 0);
	next = READ_ONCE(in->mapping_next);
	KUNIT_EXPECT_NE(test, next, 0UL);
	KUNIT_EXPECT_TRUE(test, time_after(next, jiffies));
	KUNIT_EXPECT_EQ(test, rcv_from(test, nn, sock, out, PEER_PORT + 1, false), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(in->mapping_next), next);
	/* Moved or not, the authenticated packets were delivered. */
	KUNIT_EXPECT_EQ(test, stat_sum(nn, NFSEC_STAT_A_IN_PACKETS), delivered + 3);
	sa_del(nn, in);
out:
	nfsec_sa_put(out);
	sock_release(sock);
}

static struct kunit_case encap_cases[] = {
	KUNIT_CASE(push_layout),
	KUNIT_CASE(rcv_sorts),
	KUNIT_CASE(rcv_port_500_untouched),
	KUNIT_CASE(rcv_decapsulates),
	KUNIT_CASE(rcv_mapping),
	{}
};

static struct kunit_suite encap_suite = {
	.name = "nfsec_encap",
	.test_cases = encap_cases,
};

kunit_test_suite(encap_suite);
