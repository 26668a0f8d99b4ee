/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFSEC_SPD_CACHE_H
#define _NFSEC_SPD_CACHE_H

#include <linux/types.h>

struct nfsec_flow;
struct nfsec_policy;
struct nfsec_spd_cache;

struct nfsec_spd_cache __percpu *nfsec_spd_cache_alloc(void);
void nfsec_spd_cache_free(struct nfsec_spd_cache __percpu *cache);
bool nfsec_spd_cache_get(struct nfsec_spd_cache __percpu *cache, unsigned long gen,
			 const struct nfsec_flow *fl, struct nfsec_policy **pol,
			 unsigned int *slot);
void nfsec_spd_cache_put(struct nfsec_spd_cache __percpu *cache, unsigned int slot,
			 unsigned long gen, const struct nfsec_flow *fl,
			 struct nfsec_policy *pol);

#endif /* _NFSEC_SPD_CACHE_H */
