/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFSEC_SPD_H
#define _NFSEC_SPD_H

#include <linux/in6.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rhashtable-types.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <uapi/linux/nfsec.h>

/* An IPv4 address sits in the first 4 bytes, the rest zero. */
union nfsec_addr {
	__be32 a4;
	struct in6_addr a6;
};

/* What a policy matches; a packet matches when every part does. */
struct nfsec_selector {
	union nfsec_addr saddr, daddr;	/* zero beyond the prefix */
	u8 family;			/* AF_INET or AF_INET6 */
	u8 sprefix, dprefix;		/* 0..32 or 0..128 */
	u8 proto;			/* 0: any */
	u16 sport_lo, sport_hi;		/* inclusive, host order; 0..65535: any */
	u16 dport_lo, dport_hi;
};

/* What a packet presents to the SPD (ports 0 for protocols without them). */
struct nfsec_flow {
	union nfsec_addr saddr, daddr;
	u8 family;
	u8 proto;
	u16 sport, dport;		/* host order */
};

/* The hash key of a policy in its group: both addresses, masked to the group's prefixes. */
struct nfsec_spd_key {
	union nfsec_addr saddr, daddr;
};

/* How a protect policy protects: which SAs may serve it. */
struct nfsec_tmpl {
	union nfsec_addr saddr, daddr;	/* tunnel endpoints; transport: unused */
	u32 reqid;
	u8 mode;			/* enum nfsec_mode */
	u8 family;			/* of the endpoints */
};

struct nfsec_spd_group;

struct nfsec_policy {
	struct rhlist_head node;	/* in its group's table */
	struct list_head list;		/* in nfsec_spd.all, writers only */
	struct nfsec_spd_group *group;
	struct nfsec_spd_key key;
	struct nfsec_selector sel;
	u32 priority;			/* lower wins */
	u64 seq;			/* insertion order: the older wins a tie */
	u32 index;			/* userspace's handle, unique in the namespace */
	u8 dir;				/* enum nfsec_policy_dir */
	u8 action;			/* enum nfsec_policy_action */
	struct nfsec_tmpl tmpl;		/* protect only */
	struct rcu_head rcu;
};

/*
 * The policies of one direction of one namespace, as a tuple space: one group per
 * (family, source prefix length, destination prefix length), each a hash table on the
 * masked addresses. A lookup probes every group once, so its cost follows the number of
 * distinct prefix-length pairs, not the number of policies.
 *
 * Locking: lookups run under rcu_read_lock() and take no lock; writers hold *@lock (the
 * namespace's writer lock). Groups and policies are freed after an RCU grace period.
 */
struct nfsec_spd {
	struct list_head groups;	/* RCU list of struct nfsec_spd_group */
	struct xarray group_index;	/* the same groups by group_key(); writers only */
	/* moves on after each change is visible (release; lookups acquire): spd_cache.c */
	unsigned long gen;
	struct nfsec_spd_cache __percpu *cache;
	struct list_head all;		/* every policy, oldest first; writers only */
	struct mutex *lock;
	u64 next_seq;
	unsigned int count;
};

int nfsec_spd_init(struct nfsec_spd *spd, struct mutex *lock);
void nfsec_spd_destroy(struct nfsec_spd *spd);
void nfsec_spd_flush(struct nfsec_spd *spd);
struct nfsec_policy *nfsec_policy_new(const struct nfsec_selector *sel, u32 priority,
				      u8 action, gfp_t gfp);
int nfsec_policy_insert(struct nfsec_spd *spd, struct nfsec_policy *pol);
void nfsec_policy_remove(struct nfsec_spd *spd, struct nfsec_policy *pol);
struct nfsec_policy *nfsec_spd_lookup(struct nfsec_spd *spd, const struct nfsec_flow *fl);
struct nfsec_policy *nfsec_spd_find_exact(struct nfsec_spd *spd, const struct nfsec_policy *pol);
int nfsec_selector_check(const struct nfsec_selector *sel);
bool nfsec_selector_match(const struct nfsec_selector *sel, const struct nfsec_flow *fl);

/* A namespace's policies, under its lock: in its SPDs and by index. */
struct nfsec_net;
int nfsec_policy_add(struct nfsec_net *nn, struct nfsec_policy *pol);
void nfsec_policy_del(struct nfsec_net *nn, struct nfsec_policy *pol);
void nfsec_policies_flush(struct nfsec_net *nn, int dir);

#endif /* _NFSEC_SPD_H */
