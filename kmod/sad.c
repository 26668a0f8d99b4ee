// SPDX-License-Identifier: GPL-2.0
/*
 * The security association database: SAs by (SPI, destination, protocol) in an
 * rhashtable, each owning one AEAD transform. See struct nfsec_sa for lifetimes.
 */

#include <crypto/aead.h>
#include <crypto/authenc.h>
#include <linux/err.h>
#include <linux/llist.h>
#include <linux/rhashtable.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include "nfsec.h"
#include "acquire.h"
#include "lifetime.h"
#include "sad.h"
#include "secpath.h"

static const struct rhashtable_params sad_params = {
	.key_len = sizeof(struct nfsec_sa_id),
	.key_offset = offsetof(struct nfsec_sa, cfg.id),
	.head_offset = offsetof(struct nfsec_sa, node),
	.automatic_shrinking = true,
};

static const struct rhashtable_params out_params = {
	.key_len = sizeof(struct nfsec_sa_okey),
	.key_offset = offsetof(struct nfsec_sa, okey),
	.head_offset = offsetof(struct nfsec_sa, out_node),
	.automatic_shrinking = true,
};

/* What we accept: key lengths in bytes (salt included for AEADs), ICV lengths. */
struct aead_desc {
	const char *name;
	u8 key_lens[3];
	u8 icv_lens[3];
};

static const struct aead_desc aead_descs[] = {
	{ "rfc4106(gcm(aes))", { 16 + 4, 24 + 4, 32 + 4 }, { 8, 12, 16 } },
	{ "rfc7539esp(chacha20,poly1305)", { 32 + 4 }, { 16 } },
};

static const struct aead_desc enc_descs[] = {
	{ "cbc(aes)", { 16, 24, 32 } },
	{ "ecb(cipher_null)", { 0 } },
};

/* RFC 4868 (and RFC 2404 for SHA-1): the key as long as the hash, the ICV half of it. */
static const struct aead_desc auth_descs[] = {
	{ "hmac(sha256)", { 32 }, { 16 } },
	{ "hmac(sha384)", { 48 }, { 24 } },
	{ "hmac(sha512)", { 64 }, { 32 } },
	{ "hmac(sha1)", { 20 }, { 12 } },
};

/* Each part's table, by enum nfsec_sa_alg_part. */
static const struct {
	const struct aead_desc *descs;
	size_t n;
} alg_tables[NFSEC_SA_ALG_PARTS] = {
	{ aead_descs, ARRAY_SIZE(aead_descs) },
	{ enc_descs, ARRAY_SIZE(enc_descs) },
	{ auth_descs, ARRAY_SIZE(auth_descs) },
};

/* @name's entry in @part's table, its index + 1 into @alg[part]; NULL when unknown. */
static const struct aead_desc *desc_find(int part, const char *name, u8 *alg)
{
	const struct aead_desc *descs = alg_tables[part].descs;
	size_t i;

	for (i = 0; i < alg_tables[part].n; i++) {
		if (!strcmp(descs[i].name, name)) {
			alg[part] = i + 1;
			return &descs[i];
		}
	}
	return NULL;
}

/* The crypto API's name of @sa's @part (the table's), NULL when it has none. */
const char *nfsec_sa_alg_name(const struct nfsec_sa *sa, enum nfsec_sa_alg_part part)
{
	u8 i = sa->alg[part];

	return i ? alg_tables[part].descs[i - 1].name : NULL;
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_sa_alg_name);

static bool len_ok(const u8 *lens, unsigned int len)
{
	int i;

	for (i = 0; i < 3; i++)
		if (lens[i] == len && (len || i == 0))
			return true;
	return false;
}

/* Without a length asked for, the longest ICV the algorithm has (RFC 4106, 4868, 2404). */
static unsigned int icv_default(const struct aead_desc *d)
{
	return max3(d->icv_lens[0], d->icv_lens[1], d->icv_lens[2]);
}

/*
 * Checks @alg against the tables; on success @sa_alg gets each part's entry (as struct
 * nfsec_sa's alg) and @icv_len the ICV length, the default when @alg leaves it 0.
 */
static int alg_check(const struct nfsec_sa_alg *alg, u8 *sa_alg, unsigned int *icv_len,
		     struct netlink_ext_ack *extack)
{
	const struct aead_desc *d;

	if (alg->aead) {
		d = desc_find(NFSEC_SA_ALG_AEAD, alg->aead, sa_alg);
		if (!d)
			goto err_alg;
		if (alg->enc || alg->auth) {
			NL_SET_ERR_MSG(extack,
				       "an AEAD takes no separate encryption or authentication");
			return -EINVAL;
		}
		if (!len_ok(d->key_lens, alg->key_len))
			goto err_key;
		goto icv;
	}
	if (!alg->enc || !alg->auth) {
		NL_SET_ERR_MSG(extack,
			       "an SA needs an AEAD, or both encryption and authentication");
		return -EINVAL;
	}
	d = desc_find(NFSEC_SA_ALG_ENC, alg->enc, sa_alg);
	if (!d)
		goto err_alg;
	if (!len_ok(d->key_lens, alg->key_len))
		goto err_key;
	d = desc_find(NFSEC_SA_ALG_AUTH, alg->auth, sa_alg);
	if (!d)
		goto err_alg;
	if (!len_ok(d->key_lens, alg->auth_key_len)) {
		NL_SET_ERR_MSG(extack, "authentication key length does not fit the algorithm");
		return -EINVAL;
	}
icv:
	*icv_len = alg->icv_len ?: icv_default(d);
	if (!len_ok(d->icv_lens, *icv_len)) {
		NL_SET_ERR_MSG(extack, "ICV length does not fit the algorithm");
		return -EINVAL;
	}
	return 0;

err_alg:
	NL_SET_ERR_MSG(extack, "unknown or unsupported algorithm");
	return -ENOENT;
err_key:
	NL_SET_ERR_MSG(extack, "key length does not fit the algorithm");
	return -EINVAL;
}

/* authenc()'s key: an rtattr with the encryption key's length, the auth key, the enc key. */
static int authenc_setkey(struct crypto_aead *aead, const struct nfsec_sa_alg *alg)
{
	unsigned int len = RTA_SPACE(sizeof(struct crypto_authenc_key_param)) +
			   alg->auth_key_len + alg->key_len;
	struct crypto_authenc_key_param *param;
	struct rtattr *rta;
	u8 *key, *p;
	int ret;

	key = kmalloc(len, GFP_KERNEL);
	if (!key)
		return -ENOMEM;
	rta = (struct rtattr *)key;
	rta->rta_type = CRYPTO_AUTHENC_KEYA_PARAM;
	rta->rta_len = RTA_LENGTH(sizeof(*param));
	param = RTA_DATA(rta);
	param->enckeylen = cpu_to_be32(alg->key_len);
	p = key + RTA_SPACE(sizeof(*param));
	memcpy(p, alg->auth_key, alg->auth_key_len);
	memcpy(p + alg->auth_key_len, alg->key, alg->key_len);
	ret = crypto_aead_setkey(aead, key, len);
	kfree_sensitive(key);
	return ret;
}

static struct crypto_aead *aead_new(const struct nfsec_sa_alg *alg, unsigned int icv_len,
				    struct netlink_ext_ack *extack)
{
	char name[CRYPTO_MAX_ALG_NAME];
	struct crypto_aead *aead;
	int ret;

	if (alg->aead)
		strscpy(name, alg->aead, sizeof(name));
	else if (snprintf(name, sizeof(name), "%s(%s,%s)",
			  alg->esn ? "authencesn" : "authenc", alg->auth,
			  alg->enc) >= sizeof(name))
		return ERR_PTR(-ENAMETOOLONG);

	aead = crypto_alloc_aead(name, 0, 0);
	if (IS_ERR(aead)) {
		NL_SET_ERR_MSG(extack, "the kernel cannot provide this algorithm");
		return aead;
	}
	ret = alg->aead ? crypto_aead_setkey(aead, alg->key, alg->key_len) :
			  authenc_setkey(aead, alg);
	if (!ret)
		ret = crypto_aead_setauthsize(aead, icv_len);
	if (ret) {
		NL_SET_ERR_MSG(extack, "the kernel refused the key or ICV length");
		crypto_free_aead(aead);
		return ERR_PTR(ret);
	}
	return aead;
}

/*
 * SAs come from a cache of their own, objects of their size: kmalloc() rounds up to a
 * power of two, which doubled an SA when it was a little over 512 bytes.
 */
static struct kmem_cache *sa_cache __ro_after_init;

int __init nfsec_sa_cache_init(void)
{
	sa_cache = KMEM_CACHE(nfsec_sa, 0);
	return sa_cache ? 0 : -ENOMEM;
}

/* After the last SA's free (rcu_barrier(), then the work queue drained). */
void nfsec_sa_cache_destroy(void)
{
	kmem_cache_destroy(sa_cache);
}

/* A new SA with one reference, not in any SAD. */
struct nfsec_sa *nfsec_sa_new(const struct nfsec_sa_config *cfg,
			      const struct nfsec_sa_alg *alg, struct netlink_ext_ack *extack)
{
	u8 sa_alg[NFSEC_SA_ALG_PARTS] = {};
	unsigned int icv_len;
	struct nfsec_sa *sa;
	int ret;

	ret = alg_check(alg, sa_alg, &icv_len, extack);
	if (ret)
		return ERR_PTR(ret);
	sa = kmem_cache_zalloc(sa_cache, GFP_KERNEL);
	if (!sa)
		return ERR_PTR(-ENOMEM);
	if (cfg->dir == NFSEC_SA_DIR_IN) {
		/* Without a window, the replay state still infers the ESN high half. */
		sa->replay = nfsec_replay_new(cfg->replay_window ?: 1, cfg->esn, GFP_KERNEL);
		if (IS_ERR(sa->replay)) {
			ret = PTR_ERR(sa->replay);
			sa->replay = NULL;
			goto err_free;
		}
	}
	sa->aead = aead_new(alg, icv_len, extack);
	if (IS_ERR(sa->aead)) {
		ret = PTR_ERR(sa->aead);
		goto err_replay;
	}
	sa->cfg = *cfg;
	memset(sa->cfg.id.pad, 0, sizeof(sa->cfg.id.pad));
	sa->okey.daddr = cfg->id.daddr;
	sa->okey.reqid = cfg->reqid;
	sa->okey.family = cfg->id.family;
	sa->okey.mode = cfg->mode;
	memcpy(sa->alg, sa_alg, sizeof(sa->alg));
	sa->icv_len = icv_len;
	sa->iv_len = crypto_aead_ivsize(sa->aead);
	sa->align = max(crypto_aead_blocksize(sa->aead), 4U);
	sa->iv_from_seq = alg->aead;
	spin_lock_init(&sa->lock);
	nfsec_parallel_sa_init(&sa->par);
	nfsec_lifetime_init(sa);
	refcount_set(&sa->refcnt, 1);
	return sa;

err_replay:
	nfsec_replay_free(sa->replay);
err_free:
	kmem_cache_free(sa_cache, sa);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_sa_new);

static void sa_free(struct nfsec_sa *sa)
{
	crypto_free_aead(sa->aead);
	nfsec_replay_free(sa->replay);
	nfsec_secpath_state_put(sa);
	memzero_explicit(sa, sizeof(*sa));
	kmem_cache_free(sa_cache, sa);
}

/*
 * SAs past their grace period wait here for sa_free_work, which frees them in process
 * context (freeing a transform may sleep). One work for all, not one per SA: a work item
 * in every SA would cost more than the rest of its bookkeeping.
 */
static LLIST_HEAD(sa_free_list);

static void sa_free_all(struct work_struct *work)
{
	struct llist_node *list = llist_del_all(&sa_free_list);
	struct nfsec_sa *sa, *tmp;

	llist_for_each_entry_safe(sa, tmp, list, free_node)
		sa_free(sa);
}

static DECLARE_WORK(sa_free_work, sa_free_all);

static void sa_free_rcu(struct rcu_head *rcu)
{
	struct nfsec_sa *sa = container_of(rcu, struct nfsec_sa, rcu);

	/* The grace period is over: @rcu is free to become @free_node. */
	if (llist_add(&sa->free_node, &sa_free_list))
		queue_work(nfsec_wq, &sa_free_work);
}

/*
 * Drops a reference; the last one frees @sa after a grace period, in process context.
 * Module exit waits for the callbacks (rcu_barrier()), then for the work (the queue
 * drained), before the cache goes.
 */
void nfsec_sa_put(struct nfsec_sa *sa)
{
	if (!refcount_dec_and_test(&sa->refcnt))
		return;
	call_rcu(&sa->rcu, sa_free_rcu);
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_sa_put);

int nfsec_sad_init(struct nfsec_sad *sad, struct mutex *lock)
{
	int ret;

	xa_init(&sad->by_seq);
	sad->lock = lock;
	sad->count = 0;
	sad->gen = 1;		/* a dump takes 0 for "not started" */
	sad->next_seq = 0;
	ret = rhashtable_init(&sad->table, &sad_params);
	if (ret)
		return ret;
	ret = rhltable_init(&sad->out, &out_params);
	if (ret)
		rhashtable_destroy(&sad->table);
	return ret;
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_sad_init);

/* Takes the caller's reference to @sa into @sad; -EEXIST when its id is taken. */
int nfsec_sa_insert(struct nfsec_sad *sad, struct nfsec_sa *sa)
{
	int ret;

	lockdep_assert_held(sad->lock);
	ret = rhashtable_lookup_insert_fast(&sad->table, &sa->node, sad_params);
	if (ret)
		return ret;
	if (sa->cfg.dir == NFSEC_SA_DIR_OUT) {
		ret = rhltable_insert(&sad->out, &sa->out_node, out_params);
		if (ret)
			goto err_table;
	}
	sa->add_seq = ++sad->next_seq;
	ret = xa_insert(&sad->by_seq, sa->add_seq, sa, GFP_KERNEL);
	if (ret)
		goto err_out;
	sa->add_time = ktime_get_seconds();
	sad->count++;
	sad->gen++;
	return 0;

err_out:
	if (sa->cfg.dir == NFSEC_SA_DIR_OUT)
		rhltable_remove(&sad->out, &sa->out_node, out_params);
err_table:
	rhashtable_remove_fast(&sad->table, &sa->node, sad_params);
	return ret;
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_sa_insert);

/*
 * The namespace's view of a new SA, as nfsec_policy_add() for policies: @sa (the caller's
 * reference, taken on success) gets the stand-in state its decrypted packets carry when
 * inbound, goes into the SAD, has its time limits armed, and when outbound releases the
 * packets held for it. -EEXIST when its id is taken; @sa is then still the caller's.
 */
int nfsec_sa_add(struct nfsec_net *nn, struct nfsec_sa *sa)
{
	int ret;

	lockdep_assert_held(&nn->lock);
	if (sa->cfg.dir == NFSEC_SA_DIR_IN) {
		ret = nfsec_secpath_state_new(sa, nn->net);
		if (ret)
			return ret;
	}
	sa->nn = nn;
	ret = nfsec_sa_insert(&nn->sad, sa);
	if (ret)
		return ret;
	nfsec_lifetime_start(sa);
	if (sa->cfg.dir == NFSEC_SA_DIR_OUT)
		nfsec_acquire_sa_added(nn);
	return 0;
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_sa_add);

/* Unhashes @sa and drops the SAD's reference; lookups in flight may still hold theirs. */
void nfsec_sa_remove(struct nfsec_sad *sad, struct nfsec_sa *sa)
{
	lockdep_assert_held(sad->lock);
	set_bit(NFSEC_SA_REMOVED, &sa->flags);
	WARN_ON_ONCE(rhashtable_remove_fast(&sad->table, &sa->node, sad_params));
	if (sa->cfg.dir == NFSEC_SA_DIR_OUT)
		WARN_ON_ONCE(rhltable_remove(&sad->out, &sa->out_node, out_params));
	nfsec_lifetime_stop(sa);
	xa_erase(&sad->by_seq, sa->add_seq);
	sad->count--;
	sad->gen++;
	nfsec_sa_put(sa);
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_sa_remove);

/* The SA's own count of a packet it dropped, which the namespace counts as @stat. */
void nfsec_sa_count_drop(struct nfsec_sa *sa, int stat)
{
	static const u8 drop_of_stat[NFSEC_STAT_A_MAX + 1] = {
		[NFSEC_STAT_A_IN_REPLAY] = NFSEC_SA_DROP_A_REPLAY,
		[NFSEC_STAT_A_IN_AUTH_FAIL] = NFSEC_SA_DROP_A_AUTH_FAIL,
		[NFSEC_STAT_A_IN_MALFORMED] = NFSEC_SA_DROP_A_MALFORMED,
		[NFSEC_STAT_A_IN_SELECTOR] = NFSEC_SA_DROP_A_SELECTOR,
		[NFSEC_STAT_A_IN_DUMMY] = NFSEC_SA_DROP_A_DUMMY,
		[NFSEC_STAT_A_IN_EXPIRED] = NFSEC_SA_DROP_A_EXPIRED,
		[NFSEC_STAT_A_OUT_EXPIRED] = NFSEC_SA_DROP_A_EXPIRED,
		[NFSEC_STAT_A_OUT_SEQ_OVERFLOW] = NFSEC_SA_DROP_A_SEQ_OVERFLOW,
		[NFSEC_STAT_A_OUT_NO_ROUTE] = NFSEC_SA_DROP_A_NO_ROUTE,
		[NFSEC_STAT_A_OUT_TOO_BIG] = NFSEC_SA_DROP_A_TOO_BIG,
		[NFSEC_STAT_A_IN_ERROR] = NFSEC_SA_DROP_A_ERROR,
		[NFSEC_STAT_A_OUT_ERROR] = NFSEC_SA_DROP_A_ERROR,
	};

	if (WARN_ON_ONCE(stat < 0 || stat > NFSEC_STAT_A_MAX || !drop_of_stat[stat]))
		return;
	atomic64_inc(&sa->drops[drop_of_stat[stat]]);
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_sa_count_drop);

void nfsec_sad_flush(struct nfsec_sad *sad)
{
	struct nfsec_sa *sa;
	unsigned long seq;

	lockdep_assert_held(sad->lock);
	xa_for_each(&sad->by_seq, seq, sa)
		nfsec_sa_remove(sad, sa);
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_sad_flush);

void nfsec_sad_destroy(struct nfsec_sad *sad)
{
	mutex_lock(sad->lock);
	nfsec_sad_flush(sad);
	mutex_unlock(sad->lock);
	xa_destroy(&sad->by_seq);
	rhltable_destroy(&sad->out);
	rhashtable_destroy(&sad->table);
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_sad_destroy);

/* The SA with @id, with a reference the caller puts; NULL if none. Under RCU. */
struct nfsec_sa *nfsec_sa_lookup(struct nfsec_sad *sad, const struct nfsec_sa_id *id)
{
	struct nfsec_sa *sa;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "outside RCU");
	sa = rhashtable_lookup(&sad->table, id, sad_params);
	if (sa && !refcount_inc_not_zero(&sa->refcnt))
		sa = NULL;
	return sa;
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_sa_lookup);

/*
 * The newest live outbound SA for @key, with a reference the caller puts; NULL if none.
 * Under RCU.
 */
struct nfsec_sa *nfsec_sa_lookup_out(struct nfsec_sad *sad, const struct nfsec_sa_okey *key)
{
	struct nfsec_sa *sa, *best = NULL;
	struct rhlist_head *list, *pos;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "outside RCU");
	list = rhltable_lookup(&sad->out, key, out_params);
	rhl_for_each_entry_rcu(sa, pos, list, out_node) {
		if (test_bit(NFSEC_SA_DEAD, &sa->flags))
			continue;
		if (!best || sa->add_seq > best->add_seq)
			best = sa;
	}
	if (best && !refcount_inc_not_zero(&best->refcnt))
		best = NULL;
	return best;
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_sa_lookup_out);
