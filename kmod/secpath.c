// SPDX-License-Identifier: GPL-2.0
/*
 * The mark of a packet nfsec decrypted, and what binds it to the policy that let it in.
 *
 * Each inbound SA has a stand-in xfrm_state, never in XFRM's SAD, that its decrypted
 * packets carry in their secpath, as XFRM's own carry theirs. It records which SA it was
 * (SPI, request id, endpoints, and our mode in outer_mode.encap), so that the "in" and
 * "fwd" checks let a packet through a protect policy only when that SA fits the policy's
 * template, as XFRM's template resolution does: a peer cannot send as another's network.
 *
 * For XFRM in the same namespace, the stand-in is a transport-mode state of protocol 0:
 *  - with no inbound XFRM policy, XFRM lets it pass (it refuses only non-transport states);
 *  - no XFRM template names protocol 0 (they name AH, ESP, IPComp or "any" = 255), so no
 *    XFRM protect policy is ever satisfied by an nfsec SA;
 *  - its selector is empty: it matches every flow XFRM checks it against.
 * XFRM frees the stand-in after the last packet holding it; the SA drops its own reference
 * when it is freed.
 */

#include <net/xfrm.h>

#include "nfsec.h"
#include "secpath.h"

#if !IS_ENABLED(CONFIG_XFRM)
#error "nfsec marks decrypted packets with a secpath: it needs CONFIG_XFRM"
#endif

/* The stand-in for inbound @sa in namespace @net. */
int nfsec_secpath_state_new(struct nfsec_sa *sa, struct net *net)
{
	struct xfrm_state *x = xfrm_state_alloc(net);

	if (!x)
		return -ENOMEM;
	x->id.proto = 0;
	x->id.spi = sa->cfg.id.spi;
	memcpy(&x->id.daddr, &sa->cfg.id.daddr, sizeof(sa->cfg.id.daddr));
	memcpy(&x->props.saddr, &sa->cfg.saddr, sizeof(sa->cfg.saddr));
	x->props.family = sa->cfg.id.family;
	x->props.reqid = sa->cfg.reqid;
	x->props.mode = XFRM_MODE_TRANSPORT;
	x->outer_mode.encap = sa->cfg.mode;
	x->km.state = XFRM_STATE_VALID;
	sa->xs = x;
	return 0;
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_secpath_state_new);

void nfsec_secpath_state_put(struct nfsec_sa *sa)
{
	if (!sa->xs)
		return;
	sa->xs->km.state = XFRM_STATE_DEAD;
	xfrm_state_put(sa->xs);
	sa->xs = NULL;
}

/* @skb, decrypted by @sa, carries its stand-in; false when no secpath can be had. */
bool nfsec_secpath_set(struct sk_buff *skb, struct nfsec_sa *sa)
{
	struct sec_path *sp = secpath_set(skb);

	if (!sp || sp->len >= XFRM_MAX_DEPTH || !sa->xs)
		return false;
	xfrm_state_hold(sa->xs);
	sp->xvec[sp->len++] = sa->xs;
	return true;
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_secpath_set);

static bool is_ours(const struct xfrm_state *x)
{
	return !x->type && !x->id.proto;
}

/*
 * @skb was decrypted last by an nfsec SA that fits @tmpl, a protect policy's template:
 * the same request id and mode and, in tunnel mode, the same endpoints (an inbound
 * policy's template names the peer as source and us as destination).
 */
bool nfsec_secpath_fits(const struct sk_buff *skb, const struct nfsec_tmpl *tmpl)
{
	const struct sec_path *sp = skb_sec_path(skb);
	const struct xfrm_state *x;

	if (!sp || !sp->len)
		return false;
	x = sp->xvec[sp->len - 1];
	if (!is_ours(x) || x->props.reqid != tmpl->reqid || x->outer_mode.encap != tmpl->mode)
		return false;
	if (tmpl->mode != NFSEC_MODE_TUNNEL)
		return true;
	return x->props.family == tmpl->family &&
	       !memcmp(&x->props.saddr, &tmpl->saddr, sizeof(tmpl->saddr)) &&
	       !memcmp(&x->id.daddr, &tmpl->daddr, sizeof(tmpl->daddr));
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_secpath_fits);
