/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFSEC_SECPATH_H
#define _NFSEC_SECPATH_H

#include <linux/skbuff.h>
#include <net/net_namespace.h>

#include "sad.h"

int nfsec_secpath_state_new(struct nfsec_sa *sa, struct net *net);
void nfsec_secpath_state_put(struct nfsec_sa *sa);
bool nfsec_secpath_set(struct sk_buff *skb, struct nfsec_sa *sa);
bool nfsec_secpath_fits(const struct sk_buff *skb, const struct nfsec_tmpl *tmpl);

#endif /* _NFSEC_SECPATH_H */
