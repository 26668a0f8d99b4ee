/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFSEC_HOOKS_H
#define _NFSEC_HOOKS_H

struct nfsec_net;

int nfsec_hooks_register(struct nfsec_net *nn);
void nfsec_hooks_unregister(struct nfsec_net *nn);
void nfsec_hooks_drain(struct nfsec_net *nn);

#endif /* _NFSEC_HOOKS_H */
