/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFSEC_NETLINK_H
#define _NFSEC_NETLINK_H

#include <net/genetlink.h>

extern struct genl_family nfsec_genl_family;

int nfsec_genl_init(void);
void nfsec_genl_uninit(void);

struct nfsec_net;
struct nfsec_policy;
struct nfsec_flow;
struct nfsec_sa;

void nfsec_acquire_event(struct nfsec_net *nn, const struct nfsec_policy *pol,
			 const struct nfsec_flow *fl);
void nfsec_expire_event(struct nfsec_net *nn, struct nfsec_sa *sa, bool hard);
void nfsec_mapping_event(struct nfsec_net *nn, struct nfsec_sa *sa, __be32 saddr,
			 __be16 sport);

#endif /* _NFSEC_NETLINK_H */
