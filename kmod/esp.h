/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFSEC_ESP_H
#define _NFSEC_ESP_H

#include <linux/skbuff.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "sad.h"

/*
 * What a packet carries through ESP, in skb->cb after the IP layer's part (which the
 * transport-mode output path still needs).
 */
struct nfsec_skb_cb {
	union {
		struct inet_skb_parm h4;
		struct inet6_skb_parm h6;
	} header;
	struct nfsec_sa *sa;		/* the packet's reference */
	u64 seq;			/* the full (ESN) sequence number */
	/* inbound ESP in UDP: where it came from (encap.c), for the NAT mapping check */
	__be32 encap_saddr;
	__be16 encap_sport;
};

#define NFSEC_SKB_CB(skb) ((struct nfsec_skb_cb *)(skb)->cb)
static_assert(sizeof(struct nfsec_skb_cb) <= sizeof_field(struct sk_buff, cb));

/*
 * Called when asynchronous crypto completes. On error the skb is the callee's to free;
 * it still holds NFSEC_SKB_CB(skb)->sa.
 */
typedef void (*nfsec_esp_done_t)(struct sk_buff *skb, int err);

/* Bytes ESP adds in front of the payload, and at most behind it, for @sa. */
static inline unsigned int nfsec_esp_head_len(const struct nfsec_sa *sa)
{
	return sizeof(struct ip_esp_hdr) + sa->iv_len;
}

static inline unsigned int nfsec_esp_tail_max(const struct nfsec_sa *sa)
{
	return sa->align + 1 + sa->icv_len;
}

/* The ESP packet length for a payload of @len bytes (header, IV, padding, trailer, ICV). */
static inline unsigned int nfsec_esp_len(const struct nfsec_sa *sa, unsigned int len)
{
	return nfsec_esp_head_len(sa) + ALIGN(len + 2, sa->align) + sa->icv_len;
}

/*
 * The outbound SA's next sequence number for @skb (NFSEC_SKB_CB(skb)->seq); -EOVERFLOW
 * when it would be 2^32 without ESN: the SA must be rekeyed (RFC 4303 3.3.3).
 */
static inline int nfsec_esp_seq_take(struct sk_buff *skb)
{
	struct nfsec_skb_cb *cb = NFSEC_SKB_CB(skb);

	cb->seq = atomic64_inc_return(&cb->sa->seq_out);
	return !cb->sa->cfg.esn && cb->seq > U32_MAX ? -EOVERFLOW : 0;
}

int nfsec_esp_encap(struct sk_buff *skb, unsigned int off, u8 nexthdr,
		    unsigned int headroom, nfsec_esp_done_t done);
int nfsec_esp_decrypt(struct sk_buff *skb, unsigned int off, nfsec_esp_done_t done);
int nfsec_esp_strip(struct sk_buff *skb, unsigned int off, u8 *nexthdr);

#endif /* _NFSEC_ESP_H */
