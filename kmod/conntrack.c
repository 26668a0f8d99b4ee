// SPDX-License-Identifier: GPL-2.0
/*
 * Conntrack's confirmation of a packet nfsec takes.
 *
 * nfsec's hooks run last (priority INT_MAX) at POST_ROUTING and LOCAL_IN, the priority
 * conntrack confirms its entries at. Hooks of one priority run newest first, so whether
 * conntrack confirmed a packet's entry before nfsec took the packet (encrypted it, held it
 * for an SA, decrypted it) would depend on which registered last in the namespace: nfsec
 * loaded after conntrack was in use there means no entry is ever confirmed, and NAT through
 * the tunnel (SNAT of a LAN behind the gateway) loses every reply. So before nfsec takes a
 * packet whose entry is unconfirmed, it confirms it as conntrack's hook would: nf_confirm()
 * (helpers, sequence adjustment, then the entry into the table).
 *
 * nfsec does not depend on nf_conntrack (it may be a module nobody loaded): a packet with an
 * entry shows it is there, and nf_confirm() is looked up then, once, holding nf_conntrack
 * until nfsec goes.
 */

#include <linux/ip.h>
#include <linux/module.h>
#include <linux/netfilter.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>

#include "conntrack.h"

#if IS_ENABLED(CONFIG_NF_CONNTRACK)

typedef unsigned int (*confirm_fn)(struct sk_buff *skb, unsigned int protoff,
				   struct nf_conn *ct, enum ip_conntrack_info ctinfo);

static confirm_fn confirm;

static confirm_fn confirm_get(void)
{
	confirm_fn fn = READ_ONCE(confirm);

	if (fn)
		return fn;
	fn = symbol_get(nf_confirm);
	if (!fn)
		return NULL;
	if (cmpxchg(&confirm, NULL, fn))
		symbol_put(nf_confirm);	/* another CPU was first: one reference is enough */
	return READ_ONCE(confirm);
}

/* The transport header's offset, as conntrack's confirm hooks find it; < 0 if none. */
static int transport_offset(struct sk_buff *skb)
{
	__be16 frag_off;
	u8 nexthdr;
	int off;

	if (ip_hdr(skb)->version == 4)
		return skb_network_offset(skb) + ip_hdrlen(skb);
	nexthdr = ipv6_hdr(skb)->nexthdr;
	off = ipv6_skip_exthdr(skb, skb_network_offset(skb) + sizeof(struct ipv6hdr), &nexthdr,
			       &frag_off);
	return off < 0 || (frag_off & htons(~0x7)) ? -1 : off;
}

/*
 * NF_ACCEPT (confirmed, or nothing to confirm) or NF_DROP (conntrack refused it, or is
 * going away, or the packet has no transport header to confirm with): the caller drops
 * the packet then.
 */
unsigned int nfsec_ct_confirm(struct sk_buff *skb)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;
	confirm_fn fn;
	int protoff;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || nf_ct_is_confirmed(ct) || ctinfo == IP_CT_RELATED_REPLY)
		return NF_ACCEPT;
	protoff = transport_offset(skb);
	fn = confirm_get();
	if (!fn || protoff < 0)
		return NF_DROP;
	return fn(skb, protoff, ct, ctinfo);
}

void nfsec_ct_exit(void)
{
	if (confirm)
		symbol_put(nf_confirm);
}

#else

unsigned int nfsec_ct_confirm(struct sk_buff *skb)
{
	return NF_ACCEPT;
}

void nfsec_ct_exit(void)
{
}

#endif
