// SPDX-License-Identifier: GPL-2.0
/*
 * IPv6 reassembled before nfsec's input hook.
 *
 * IPv4 reassembles as LOCAL_IN begins (ip_local_deliver()), before its hooks, so nfsec sees
 * fragmented ESP whole. IPv6 reassembles later, in the fragment header's protocol handler:
 * nfsec's LOCAL_IN hook would see only fragments, and the packet, whole at last, would go
 * to XFRM's esp6 and be lost. Full-size IPv6 traffic between two nfsec hosts (nfsec
 * fragments ESP that does not fit the path) would never arrive. So each namespace has
 * netfilter's IPv6 defragmentation (nf_defrag_ipv6, as conntrack uses it) reassemble at
 * PRE_ROUTING and LOCAL_OUT, and nfsec's policies see whole packets, ports included.
 *
 * nfsec does not depend on that module: it is looked up at load (loaded first if need be)
 * and held until nfsec goes. Without it (a kernel built without IPv6 netfilter) fragmented
 * IPv6 stays as it was, and the load says so.
 */

#include <linux/kmod.h>
#include <linux/module.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>

#include "defrag.h"

#if IS_ENABLED(CONFIG_NF_DEFRAG_IPV6)

static int (*enable)(struct net *net);
static void (*disable)(struct net *net);

void nfsec_defrag_init(void)
{
	enable = symbol_get(nf_defrag_ipv6_enable);
	if (!enable) {
		request_module("nf_defrag_ipv6");
		enable = symbol_get(nf_defrag_ipv6_enable);
	}
	if (enable)
		disable = symbol_get(nf_defrag_ipv6_disable);
	if (enable && !disable) {
		symbol_put(nf_defrag_ipv6_enable);
		enable = NULL;
	}
	if (!enable)
		pr_warn("nfsec: no nf_defrag_ipv6: fragmented IPv6 ESP is not received\n");
}

void nfsec_defrag_exit(void)
{
	if (!enable)
		return;
	symbol_put(nf_defrag_ipv6_disable);
	symbol_put(nf_defrag_ipv6_enable);
}

int nfsec_defrag_enable(struct net *net)
{
	return enable ? enable(net) : 0;
}

void nfsec_defrag_disable(struct net *net)
{
	if (enable)
		disable(net);
}

#else

void nfsec_defrag_init(void)
{
	pr_warn("nfsec: no nf_defrag_ipv6: fragmented IPv6 ESP is not received\n");
}

void nfsec_defrag_exit(void)
{
}

int nfsec_defrag_enable(struct net *net)
{
	return 0;
}

void nfsec_defrag_disable(struct net *net)
{
}

#endif
