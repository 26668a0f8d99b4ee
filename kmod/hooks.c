// SPDX-License-Identifier: GPL-2.0
/*
 * Netfilter glue: where packets enter nfsec, each hook last at its point.
 *
 *  - POST_ROUTING: the "out" policies (output.c), unless nfsec transformed the packet.
 *  - LOCAL_IN: ESP for an SA of ours is decrypted (input.c); anything else meets the "in"
 *    policies.
 *  - FORWARD: the "fwd" policies.
 *
 * The hooks run under RCU, in softirq or in a sending process; crypto may complete
 * asynchronously, in another context with BH off (nfsec_crypto_begin()). Every drop is
 * counted (nfsec_stats).
 */

#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/wait_bit.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "conntrack.h"
#include "flow.h"
#include "hooks.h"
#include "input.h"
#include "nfsec.h"
#include "output.h"

static bool transformed(const struct sk_buff *skb)
{
	if (nfsec_is_v4(skb))
		return IPCB(skb)->flags & IPSKB_XFRM_TRANSFORMED;
	return IP6CB(skb)->flags & IP6SKB_XFRM_TRANSFORMED;
}

static unsigned int out_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	struct nfsec_net *nn = nfsec_net(state->net);

	if (!READ_ONCE(nn->spd[NFSEC_POLICY_DIR_OUT].count) || transformed(skb))
		return NF_ACCEPT;
	return nfsec_output(nn, skb, 0);
}

static unsigned int in_hook(void *priv, struct sk_buff *skb,
			    const struct nf_hook_state *state)
{
	struct nfsec_net *nn = nfsec_net(state->net);
	unsigned int off;

	off = READ_ONCE(nn->sad.count) ? nfsec_esp_offset(skb, NULL) : 0;
	if (off) {
		/* nfsec may take the packet: conntrack's entry for it first (conntrack.c). */
		if (nfsec_ct_confirm(skb) != NF_ACCEPT) {
			nfsec_stat_inc(nn, NFSEC_STAT_A_IN_ERROR);
			return NF_DROP;
		}
		return nfsec_input(nn, skb, off);
	}
	return nfsec_check_policy(nn, skb, NFSEC_POLICY_DIR_IN);
}

static unsigned int fwd_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	return nfsec_check_policy(nfsec_net(state->net), skb, NFSEC_POLICY_DIR_FWD);
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
