/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFSEC_FLOW_H
#define _NFSEC_FLOW_H

#include <linux/if_ether.h>
#include <linux/skbuff.h>

#include "spd.h"

struct nfsec_net;

static inline bool nfsec_is_v4(const struct sk_buff *skb)
{
	return skb->protocol == htons(ETH_P_IP);
}

int nfsec_flow_parse(struct sk_buff *skb, struct nfsec_flow *fl);
unsigned int nfsec_esp_offset(const struct sk_buff *skb, int *nhoff);
unsigned int nfsec_hdr_error(struct nfsec_net *nn, struct sk_buff *skb, int stat);

#endif /* _NFSEC_FLOW_H */
