/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFSEC_SAD_H
#define _NFSEC_SAD_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/refcount.h>
#include <linux/rhashtable-types.h>
#include <linux/workqueue.h>

#include "spd.h"

/* What finds an inbound SA: the hash key, padding included (zero it). */
struct nfsec_sa_id {
	union nfsec_addr daddr;
	__be32 spi;
	u8 family;
	u8 proto;		/* IPPROTO_ESP */
	u8 pad[2];
};

/*
 * How an SA protects: one AEAD (aead set), or encryption plus authentication composed
 * into authenc(auth,enc). Names are the crypto API's, as XFRM takes them.
 */
struct nfsec_sa_alg {
	const char *aead;		/* rfc4106(gcm(aes)), rfc7539esp(chacha20,poly1305) */
	const char *enc;		/* cbc(aes), ecb(cipher_null) */
	const char *auth;		/* hmac(sha256), hmac(sha384), hmac(sha512), hmac(sha1) */
	const u8 *key;			/* the AEAD's key with its salt last, or enc's key */
	unsigned int key_len;
	const u8 *auth_key;
	unsigned int auth_key_len;
	unsigned int icv_len;		/* bytes; for auth, the RFC 4868 truncation */
};

/*
 * An SA. Lifetime: nfsec_sa_new() returns it with one reference, which nfsec_sa_insert()
 * hands to the SAD; lookups take their own with refcount_inc_not_zero() under RCU.
 * Removal unhashes it and drops the SAD's reference; the last put frees it after a grace
 * period, in process context, keys wiped (the transform's by the crypto API).
 */
struct nfsec_sa {
	struct rhash_head node;		/* in nfsec_sad.table */
	struct list_head list;		/* in nfsec_sad.all, writers only */
	struct nfsec_sa_id id;
	struct crypto_aead *aead;
	unsigned int icv_len;
	unsigned int iv_len;
	refcount_t refcnt;
	struct rcu_work free_work;
};

/* Locking: lookups under RCU; writers hold *@lock. */
struct nfsec_sad {
	struct rhashtable table;
	struct list_head all;
	struct mutex *lock;		/* the namespace's writer lock */
	unsigned int count;
};

int nfsec_sad_init(struct nfsec_sad *sad, struct mutex *lock);
void nfsec_sad_destroy(struct nfsec_sad *sad);
void nfsec_sad_flush(struct nfsec_sad *sad);
struct nfsec_sa *nfsec_sa_new(const struct nfsec_sa_id *id, const struct nfsec_sa_alg *alg,
			      struct netlink_ext_ack *extack);
void nfsec_sa_put(struct nfsec_sa *sa);
int nfsec_sa_insert(struct nfsec_sad *sad, struct nfsec_sa *sa);
void nfsec_sa_remove(struct nfsec_sad *sad, struct nfsec_sa *sa);
struct nfsec_sa *nfsec_sa_lookup(struct nfsec_sad *sad, const struct nfsec_sa_id *id);

extern struct workqueue_struct *nfsec_wq;

#endif /* _NFSEC_SAD_H */
