/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFSEC_ENCAP_H
#define _NFSEC_ENCAP_H

#include <linux/skbuff.h>
#include <linux/udp.h>

#include "sad.h"

/* IKE's own port: IKE without the non-ESP marker, never ESP (RFC 3947 4). */
#define NFSEC_IKE_PORT 500

/* Bytes UDP encapsulation adds in front of @sa's ESP. */
static inline unsigned int nfsec_encap_len(const struct nfsec_sa *sa)
{
	return sa->cfg.encap.type ? sizeof(struct udphdr) : 0;
}

int nfsec_encap_push(struct sk_buff *skb, const struct nfsec_sa *sa);
int nfsec_encap_rcv(struct sock *sk, struct sk_buff *skb);
void nfsec_encap_check_mapping(struct nfsec_sa *sa, __be32 saddr, __be16 sport);

#endif /* _NFSEC_ENCAP_H */
