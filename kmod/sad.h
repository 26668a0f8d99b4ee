/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFSEC_SAD_H
#define _NFSEC_SAD_H

#include <linux/list.h>
#include <linux/llist.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/refcount.h>
#include <linux/rhashtable-types.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <linux/crypto.h>

#include "parallel.h"
#include "replay.h"
#include "spd.h"

/* What finds an inbound SA: the hash key, padding included (zero it). */
struct nfsec_sa_id {
	union nfsec_addr daddr;
	__be32 spi;
	u8 family;
	u8 proto;		/* IPPROTO_ESP */
	u8 pad[2];
};

/* The hash key of outbound SAs: what a protect policy's template asks for. */
struct nfsec_sa_okey {
	union nfsec_addr daddr;		/* the outer destination */
	u32 reqid;
	u8 family;
	u8 mode;			/* enum nfsec_mode */
	u8 pad[2];
};

/*
 * How an SA protects: one AEAD (aead set), or encryption plus authentication composed
 * into authenc(auth,enc) (authencesn with extended sequence numbers). Names are the
 * crypto API's, as XFRM takes them.
 */
struct nfsec_sa_alg {
	const char *aead;		/* rfc4106(gcm(aes)), rfc7539esp(chacha20,poly1305) */
	const char *enc;		/* cbc(aes), ecb(cipher_null) */
	const char *auth;		/* hmac(sha256), hmac(sha384), hmac(sha512), hmac(sha1) */
	const u8 *key;			/* the AEAD's key with its salt last, or enc's key */
	unsigned int key_len;
	const u8 *auth_key;
	unsigned int auth_key_len;
	unsigned int icv_len;		/* bytes (0: the algorithm's default) */
	bool esn;
};

/* Soft and hard limits, 0 for none. */
struct nfsec_lifetime {
	u64 soft_bytes, hard_bytes;
	u64 soft_packets, hard_packets;
	u64 soft_seconds, hard_seconds;
};

/*
 * ESP in UDP (RFC 3948): the UDP ports of the SA's packets, network order. The ports
 * change in place (NFSEC_CMD_SA_SET, under the namespace's lock): packets read each with
 * READ_ONCE().
 */
struct nfsec_sa_encap {
	u8 type;			/* enum nfsec_encap_type; NFSEC_ENCAP_UNSPEC: plain ESP */
	__be16 sport, dport;
};

/* Everything about an SA but its keys; what netlink gives and takes. */
struct nfsec_sa_config {
	struct nfsec_sa_id id;
	union nfsec_addr saddr;		/* the outer source */
	u32 reqid;
	u8 dir;				/* enum nfsec_sa_dir */
	u8 mode;			/* enum nfsec_mode */
	bool esn;
	bool has_sel;
	u32 replay_window;		/* inbound: 0 means no replay check */
	struct nfsec_selector sel;	/* inner traffic allowed, when has_sel */
	struct nfsec_lifetime lt;
	struct nfsec_sa_encap encap;
};

/* The parts of an SA's algorithm, which nfsec_sa_alg_name() names. */
enum nfsec_sa_alg_part {
	NFSEC_SA_ALG_AEAD,
	NFSEC_SA_ALG_ENC,
	NFSEC_SA_ALG_AUTH,
	NFSEC_SA_ALG_PARTS
};

enum nfsec_sa_flags {
	NFSEC_SA_SOFT_DUE,		/* a soft limit was reached */
	NFSEC_SA_SOFT_SENT,		/* ... and its EXPIRE sent */
	NFSEC_SA_DEAD,			/* a hard limit was reached: no more packets */
	NFSEC_SA_REMOVED,		/* out of the SAD */
};

struct nfsec_net;

/*
 * An SA. Lifetime: nfsec_sa_new() returns it with one reference, which nfsec_sa_insert()
 * hands to the SAD; lookups take their own with refcount_inc_not_zero() under RCU, and so
 * does @expire_work while it is pending or running. Removal unhashes it and drops the
 * SAD's reference; the last put frees it after a grace period, in process context, keys
 * wiped (the transform's by the crypto API).
 *
 * Locking: @lock guards @replay (the input path), @par has its own; @seq_out, the counters
 * and @flags are atomic; everything else is set before insertion and never changes.
 */
struct nfsec_sa {
	struct rhash_head node;		/* in nfsec_sad.table */
	struct rhlist_head out_node;	/* in nfsec_sad.out, outbound SAs only */
	struct nfsec_sa_okey okey;
	struct nfsec_sa_config cfg;	/* cfg.id, the hash key, with its padding zeroed */
	struct crypto_aead *aead;
	u8 alg[NFSEC_SA_ALG_PARTS];	/* sad.c's table entries + 1 (0: unused) */
	u8 icv_len;
	u8 iv_len;
	u8 align;			/* ESP payload alignment: cipher block, at least 4 */
	bool iv_from_seq;		/* counter-mode IV: the sequence number */
	u64 add_seq;			/* insertion order: the newest outbound SA is used */
	time64_t add_time;		/* ktime_get_seconds() at insertion */
	atomic64_t seq_out;		/* the last sequence number sent */
	atomic64_t bytes, packets;
	atomic64_t drops[NFSEC_SA_DROP_A_MAX + 1];	/* by enum nfsec_sa_drop_attr */
	unsigned long flags;		/* enum nfsec_sa_flags */
	spinlock_t lock;
	refcount_t refcnt;
	struct nfsec_parallel par;	/* packets in crypto on the workers (parallel.c) */
	struct nfsec_replay *replay;	/* inbound */
	struct xfrm_state *xs;		/* inbound: what its packets carry (secpath.c) */
	unsigned long mapping_next;	/* inbound, encapsulated: jiffies of the next MAPPING */
	struct nfsec_net *nn;		/* set by nfsec_sa_add() */
	struct delayed_work expire_work;
	union {
		struct rcu_head rcu;		/* the last reference's put */
		struct llist_node free_node;	/* then, after the grace period */
	};
};

/* Locking: lookups under RCU; writers hold *@lock. */
struct nfsec_sad {
	struct rhashtable table;
	struct rhltable out;
	struct xarray by_seq;		/* every SA by add_seq: where a dump resumes, flush */
	struct mutex *lock;		/* the namespace's writer lock */
	unsigned int count;
	unsigned int gen;		/* moves on every insertion and removal (dumps) */
	u64 next_seq;
};

int nfsec_sa_cache_init(void);
void nfsec_sa_cache_destroy(void);
int nfsec_sad_init(struct nfsec_sad *sad, struct mutex *lock);
void nfsec_sad_destroy(struct nfsec_sad *sad);
void nfsec_sad_flush(struct nfsec_sad *sad);
struct nfsec_sa *nfsec_sa_new(const struct nfsec_sa_config *cfg,
			      const struct nfsec_sa_alg *alg, struct netlink_ext_ack *extack);
void nfsec_sa_put(struct nfsec_sa *sa);
const char *nfsec_sa_alg_name(const struct nfsec_sa *sa, enum nfsec_sa_alg_part part);
int nfsec_sa_insert(struct nfsec_sad *sad, struct nfsec_sa *sa);
int nfsec_sa_add(struct nfsec_net *nn, struct nfsec_sa *sa);
void nfsec_sa_remove(struct nfsec_sad *sad, struct nfsec_sa *sa);
void nfsec_sa_count_drop(struct nfsec_sa *sa, int stat);
struct nfsec_sa *nfsec_sa_lookup(struct nfsec_sad *sad, const struct nfsec_sa_id *id);
struct nfsec_sa *nfsec_sa_lookup_out(struct nfsec_sad *sad, const struct nfsec_sa_okey *key);

static inline void nfsec_sa_hold(struct nfsec_sa *sa)
{
	refcount_inc(&sa->refcnt);
}

#endif /* _NFSEC_SAD_H */
