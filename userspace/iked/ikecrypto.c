// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "ikecrypto.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum {
	MID_LEN = 4,
	SPI_LEN = 4,
	EXPAND_MAX_SEED = 5,	/* g(qm)^xy, protocol, SPI, Ni_b, Nr_b */
};

static const uint8_t octet_0[] = { 0 };
static const uint8_t octet_1[] = { 1 };
static const uint8_t octet_2[] = { 2 };

struct ike_secret *ike_secret_new(size_t len)
{
	struct ike_secret *secret = OPENSSL_zalloc(sizeof(*secret) + len);

	if (secret)
		secret->len = len;
	return secret;
}

struct ike_secret *ike_secret_dup(const void *p, size_t len)
{
	struct ike_secret *secret = ike_secret_new(len);

	if (secret && len)
		memcpy(secret->data, p, len);
	return secret;
}

void ike_secret_free(struct ike_secret *secret)
{
	if (secret)
		OPENSSL_clear_free(secret, sizeof(*secret) + secret->len);
}

static const char *digest_name(enum ike_hash_alg alg)
{
	switch (alg) {
	case IKE_HASH_SHA1:
		return "SHA1";
	case IKE_HASH_SHA2_256:
		return "SHA2-256";
	case IKE_HASH_SHA2_384:
		return "SHA2-384";
	case IKE_HASH_SHA2_512:
		return "SHA2-512";
	}
	return NULL;
}

size_t ike_hash_len(enum ike_hash_alg alg)
{
	switch (alg) {
	case IKE_HASH_SHA1:
		return 20;
	case IKE_HASH_SHA2_256:
		return 32;
	case IKE_HASH_SHA2_384:
		return 48;
	case IKE_HASH_SHA2_512:
		return 64;
	}
	return 0;
}

int ike_hash(enum ike_hash_alg alg, const struct ike_chunk *parts, size_t nparts,
	     uint8_t *out)
{
	const char *name = digest_name(alg);
	EVP_MD_CTX *ctx;
	EVP_MD *md;
	int ok;

	if (!name)
		return -EINVAL;
	md = EVP_MD_fetch(NULL, name, NULL);
	ctx = EVP_MD_CTX_new();
	ok = md && ctx && EVP_DigestInit_ex2(ctx, md, NULL);
	for (size_t i = 0; ok && i < nparts; i++)
		ok = EVP_DigestUpdate(ctx, parts[i].ptr, parts[i].len);
	ok = ok && EVP_DigestFinal_ex(ctx, out, NULL);
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
	return ok ? 0 : -EIO;
}

static EVP_MAC_CTX *hmac_new(const char *digest)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0),
		OSSL_PARAM_construct_end(),
	};

	/* the context holds its own reference to the fetched MAC */
	EVP_MAC_free(mac);
	if (ctx && !EVP_MAC_CTX_set_params(ctx, params)) {
		EVP_MAC_CTX_free(ctx);
		ctx = NULL;
	}
	return ctx;
}

int ike_prf(enum ike_hash_alg alg, const uint8_t *key, size_t key_len,
	    const struct ike_chunk *parts, size_t nparts, uint8_t *out)
{
	const char *name = digest_name(alg);
	size_t out_len = ike_hash_len(alg);
	EVP_MAC_CTX *ctx;
	int ok;

	if (!name)
		return -EINVAL;
	ctx = hmac_new(name);
	/* HMAC takes an empty key, but OpenSSL wants a pointer for it */
	ok = ctx && EVP_MAC_init(ctx, key_len ? key : octet_0, key_len, NULL);
	for (size_t i = 0; ok && i < nparts; i++)
		ok = parts[i].len == 0 || EVP_MAC_update(ctx, parts[i].ptr, parts[i].len);
	ok = ok && EVP_MAC_final(ctx, out, &out_len, out_len);
	EVP_MAC_CTX_free(ctx);
	return ok ? 0 : -EIO;
}

static int prf_secret(enum ike_hash_alg alg, const struct ike_secret *key,
		      const struct ike_chunk *parts, size_t nparts, uint8_t *out)
{
	return ike_prf(alg, key->data, key->len, parts, nparts, out);
}

/* *out = a fresh secret holding prf(key, parts) */
static int prf_new(enum ike_hash_alg alg, const uint8_t *key, size_t key_len,
		   const struct ike_chunk *parts, size_t nparts, struct ike_secret **out)
{
	struct ike_secret *s = ike_secret_new(ike_hash_len(alg));
	int err = s ? ike_prf(alg, key, key_len, parts, nparts, s->data) : -ENOMEM;

	if (err) {
		ike_secret_free(s);
		return err;
	}
	*out = s;
	return 0;
}

/*
 * out = K1 | K2 | ... truncated to len, K1 = prf(key, first), K(n+1) = prf(key, Kn | seed).
 * KEYMAT has first = seed; appendix B has first = 0 and an empty seed.
 */
static int prf_chain(enum ike_hash_alg alg, const struct ike_secret *key,
		     const struct ike_chunk *first, size_t nfirst,
		     const struct ike_chunk *seed, size_t nseed, uint8_t *out, size_t len)
{
	size_t block = ike_hash_len(alg);
	struct ike_chunk parts[1 + EXPAND_MAX_SEED];
	uint8_t k[IKE_HASH_MAX_LEN];
	int err = 0;

	if (!block || nseed > EXPAND_MAX_SEED)
		return -EINVAL;
	for (size_t i = 0; i < nseed; i++)
		parts[1 + i] = seed[i];
	for (size_t off = 0; off < len && !err; off += block) {
		if (off == 0) {
			err = prf_secret(alg, key, first, nfirst, k);
		} else {
			parts[0] = IKE_CHUNK(k, block);
			err = prf_secret(alg, key, parts, 1 + nseed, k);
		}
		memcpy(out + off, k, len - off < block ? len - off : block);
	}
	OPENSSL_cleanse(k, sizeof(k));
	if (err)
		OPENSSL_cleanse(out, len);
	return err;
}

int ike_prf_expand(enum ike_hash_alg alg, const struct ike_secret *key,
		   const struct ike_chunk *seed, size_t nseed, uint8_t *out, size_t len)
{
	if (len == 0 || len > IKE_KEYMAT_MAX_LEN)
		return -EINVAL;
	return prf_chain(alg, key, seed, nseed, seed, nseed, out, len);
}

void ike_phase1_keys_free(struct ike_phase1_keys *keys)
{
	ike_secret_free(keys->skeyid);
	ike_secret_free(keys->skeyid_d);
	ike_secret_free(keys->skeyid_a);
	ike_secret_free(keys->skeyid_e);
	memset(keys, 0, sizeof(*keys));
}

static int skeyid(const struct ike_phase1_input *in, const struct ike_chunk *psk,
		  struct ike_secret **out)
{
	struct ike_chunk nonces[] = { in->ni_b, in->nr_b };
	struct ike_secret *key;
	int err;

	if (psk)
		return prf_new(in->alg, psk->ptr, psk->len, nonces, ARRAY_SIZE(nonces), out);
	/* signatures: the nonces are the key, so they need one buffer */
	key = ike_secret_new(in->ni_b.len + in->nr_b.len);
	if (!key)
		return -ENOMEM;
	memcpy(key->data, in->ni_b.ptr, in->ni_b.len);
	memcpy(key->data + in->ni_b.len, in->nr_b.ptr, in->nr_b.len);
	err = prf_new(in->alg, key->data, key->len, &in->gxy, 1, out);
	ike_secret_free(key);
	return err;
}

/* prf(SKEYID, [prev |] g^xy | CKY-I | CKY-R | n) for SKEYID_d (no prev), _a and _e */
static int skeyid_child(const struct ike_phase1_input *in, const struct ike_secret *skeyid,
			const struct ike_secret *prev, const uint8_t *n, struct ike_secret **out)
{
	struct ike_chunk parts[] = {
		prev ? IKE_CHUNK(prev->data, prev->len) : IKE_CHUNK(NULL, 0),
		in->gxy,
		IKE_CHUNK(in->cky_i, IKE_COOKIE_LEN),
		IKE_CHUNK(in->cky_r, IKE_COOKIE_LEN),
		IKE_CHUNK(n, 1),
	};

	return prf_new(in->alg, skeyid->data, skeyid->len, parts, ARRAY_SIZE(parts), out);
}

int ike_phase1_derive(const struct ike_phase1_input *in, const struct ike_chunk *psk,
		      struct ike_phase1_keys *keys)
{
	struct ike_phase1_keys k = { NULL };
	int err;

	if (!ike_hash_len(in->alg))
		return -EINVAL;
	err = skeyid(in, psk, &k.skeyid);
	if (!err)
		err = skeyid_child(in, k.skeyid, NULL, octet_0, &k.skeyid_d);
	if (!err)
		err = skeyid_child(in, k.skeyid, k.skeyid_d, octet_1, &k.skeyid_a);
	if (!err)
		err = skeyid_child(in, k.skeyid, k.skeyid_a, octet_2, &k.skeyid_e);
	if (err) {
		ike_phase1_keys_free(&k);
		return err;
	}
	*keys = k;
	return 0;
}

int ike_phase1_enc_key(enum ike_hash_alg alg, const struct ike_secret *skeyid_e,
		       size_t key_len, struct ike_secret **key)
{
	struct ike_chunk zero = IKE_CHUNK(octet_0, 1);
	struct ike_secret *ka;
	int err;

	if (!ike_hash_len(alg) || key_len == 0 || key_len > IKE_KEYMAT_MAX_LEN)
		return -EINVAL;
	if (skeyid_e->len >= key_len) {
		ka = ike_secret_dup(skeyid_e->data, key_len);
		err = ka ? 0 : -ENOMEM;
	} else {
		ka = ike_secret_new(key_len);
		err = ka ? prf_chain(alg, skeyid_e, &zero, 1, NULL, 0, ka->data, key_len)
			 : -ENOMEM;
	}
	if (err) {
		ike_secret_free(ka);
		return err;
	}
	*key = ka;
	return 0;
}

int ike_auth_hash_i(enum ike_hash_alg alg, const struct ike_secret *skeyid,
		    const struct ike_auth_input *in, uint8_t *out)
{
	struct ike_chunk parts[] = {
		in->gxi, in->gxr,
		IKE_CHUNK(in->cky_i, IKE_COOKIE_LEN), IKE_CHUNK(in->cky_r, IKE_COOKIE_LEN),
		in->sai_b, in->idii_b,
	};

	return prf_secret(alg, skeyid, parts, ARRAY_SIZE(parts), out);
}

int ike_auth_hash_r(enum ike_hash_alg alg, const struct ike_secret *skeyid,
		    const struct ike_auth_input *in, uint8_t *out)
{
	struct ike_chunk parts[] = {
		in->gxr, in->gxi,
		IKE_CHUNK(in->cky_r, IKE_COOKIE_LEN), IKE_CHUNK(in->cky_i, IKE_COOKIE_LEN),
		in->sai_b, in->idir_b,
	};

	return prf_secret(alg, skeyid, parts, ARRAY_SIZE(parts), out);
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* iv = hash(parts) truncated to the block; every IKEv1 hash is longer than it */
static int iv_from_hash(enum ike_hash_alg alg, const struct ike_chunk *parts, size_t nparts,
			uint8_t iv[IKE_CBC_BLOCK_LEN])
{
	uint8_t h[IKE_HASH_MAX_LEN];
	int err = ike_hash(alg, parts, nparts, h);

	if (!err)
		memcpy(iv, h, IKE_CBC_BLOCK_LEN);
	return err;
}

int ike_iv_phase1(enum ike_hash_alg alg, struct ike_chunk gxi, struct ike_chunk gxr,
		  uint8_t iv[IKE_CBC_BLOCK_LEN])
{
	struct ike_chunk parts[] = { gxi, gxr };

	return iv_from_hash(alg, parts, ARRAY_SIZE(parts), iv);
}

int ike_iv_phase2(enum ike_hash_alg alg, const uint8_t last_block[IKE_CBC_BLOCK_LEN],
		  uint32_t mid, uint8_t iv[IKE_CBC_BLOCK_LEN])
{
	uint8_t mid_n[MID_LEN];
	struct ike_chunk parts[] = {
		IKE_CHUNK(last_block, IKE_CBC_BLOCK_LEN), IKE_CHUNK(mid_n, MID_LEN),
	};

	put_be32(mid_n, mid);
	return iv_from_hash(alg, parts, ARRAY_SIZE(parts), iv);
}

size_t ike_cbc_padded_len(size_t len)
{
	return len + IKE_CBC_BLOCK_LEN - len % IKE_CBC_BLOCK_LEN;
}

static const EVP_CIPHER *aes_cbc(size_t key_len)
{
	switch (key_len) {
	case 16:
		return EVP_aes_128_cbc();
	case 24:
		return EVP_aes_192_cbc();
	case 32:
		return EVP_aes_256_cbc();
	}
	return NULL;
}

/* A context for whole blocks only: OpenSSL's PKCS#7 padding is not IKE's. */
static EVP_CIPHER_CTX *cbc_new(const struct ike_secret *key, const uint8_t *iv, int enc)
{
	const EVP_CIPHER *cipher = aes_cbc(key->len);
	EVP_CIPHER_CTX *ctx = cipher ? EVP_CIPHER_CTX_new() : NULL;

	if (ctx && (!EVP_CipherInit_ex2(ctx, cipher, key->data, iv, enc, NULL) ||
		    !EVP_CIPHER_CTX_set_padding(ctx, 0))) {
		EVP_CIPHER_CTX_free(ctx);
		ctx = NULL;
	}
	return ctx;
}

static int cbc_blocks(EVP_CIPHER_CTX *ctx, const uint8_t *in, size_t len, uint8_t *out)
{
	int n;

	if (len == 0)
		return 1;
	return len <= INT_MAX && EVP_CipherUpdate(ctx, out, &n, in, (int)len) &&
	       (size_t)n == len;
}

int ike_cbc_encrypt(const struct ike_secret *key, const uint8_t iv[IKE_CBC_BLOCK_LEN],
		    const uint8_t *plain, size_t len, uint8_t *out,
		    uint8_t next_iv[IKE_CBC_BLOCK_LEN])
{
	size_t whole = len - len % IKE_CBC_BLOCK_LEN;
	uint8_t last[IKE_CBC_BLOCK_LEN] = { 0 };
	EVP_CIPHER_CTX *ctx;
	int ok;

	if (!aes_cbc(key->len))
		return -EINVAL;
	if (len > whole)
		memcpy(last, plain + whole, len - whole);
	ctx = cbc_new(key, iv, 1);
	ok = ctx && cbc_blocks(ctx, plain, whole, out) &&
	     cbc_blocks(ctx, last, IKE_CBC_BLOCK_LEN, out + whole);
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(last, sizeof(last));
	if (!ok)
		return -EIO;
	memcpy(next_iv, out + whole, IKE_CBC_BLOCK_LEN);
	return 0;
}

int ike_cbc_decrypt(const struct ike_secret *key, const uint8_t iv[IKE_CBC_BLOCK_LEN],
		    const uint8_t *cipher, size_t len, uint8_t *out,
		    uint8_t next_iv[IKE_CBC_BLOCK_LEN])
{
	uint8_t last[IKE_CBC_BLOCK_LEN];
	EVP_CIPHER_CTX *ctx;
	int ok;

	if (!aes_cbc(key->len) || len == 0 || len % IKE_CBC_BLOCK_LEN)
		return -EINVAL;
	/* saved first: out may overwrite cipher, and next_iv may be iv */
	memcpy(last, cipher + len - IKE_CBC_BLOCK_LEN, IKE_CBC_BLOCK_LEN);
	ctx = cbc_new(key, iv, 0);
	ok = ctx && cbc_blocks(ctx, cipher, len, out);
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
		return -EIO;
	memcpy(next_iv, last, IKE_CBC_BLOCK_LEN);
	return 0;
}

int ike_hash_msg(enum ike_hash_alg alg, const struct ike_secret *skeyid_a, uint32_t mid,
		 struct ike_chunk rest, uint8_t *out)
{
	uint8_t mid_n[MID_LEN];
	struct ike_chunk parts[] = { IKE_CHUNK(mid_n, MID_LEN), rest };

	put_be32(mid_n, mid);
	return prf_secret(alg, skeyid_a, parts, ARRAY_SIZE(parts), out);
}

int ike_qm_hash2(enum ike_hash_alg alg, const struct ike_secret *skeyid_a, uint32_t mid,
		 struct ike_chunk ni_b, struct ike_chunk rest, uint8_t *out)
{
	uint8_t mid_n[MID_LEN];
	struct ike_chunk parts[] = { IKE_CHUNK(mid_n, MID_LEN), ni_b, rest };

	put_be32(mid_n, mid);
	return prf_secret(alg, skeyid_a, parts, ARRAY_SIZE(parts), out);
}

int ike_qm_hash3(enum ike_hash_alg alg, const struct ike_secret *skeyid_a, uint32_t mid,
		 struct ike_chunk ni_b, struct ike_chunk nr_b, uint8_t *out)
{
	uint8_t mid_n[MID_LEN];
	struct ike_chunk parts[] = { IKE_CHUNK(octet_0, 1), IKE_CHUNK(mid_n, MID_LEN), ni_b, nr_b };

	put_be32(mid_n, mid);
	return prf_secret(alg, skeyid_a, parts, ARRAY_SIZE(parts), out);
}

int ike_keymat(enum ike_hash_alg alg, const struct ike_secret *skeyid_d,
	       const struct ike_keymat_input *in, size_t len, struct ike_secret **keymat)
{
	uint8_t spi_n[SPI_LEN];
	struct ike_chunk seed[] = {
		in->gqm_xy, IKE_CHUNK(&in->protocol, 1), IKE_CHUNK(spi_n, SPI_LEN),
		in->ni_b, in->nr_b,
	};
	struct ike_secret *out;
	int err;

	if (!ike_hash_len(alg) || len == 0 || len > IKE_KEYMAT_MAX_LEN)
		return -EINVAL;
	out = ike_secret_new(len);
	if (!out)
		return -ENOMEM;
	put_be32(spi_n, in->spi);
	err = ike_prf_expand(alg, skeyid_d, seed, ARRAY_SIZE(seed), out->data, len);
	if (err) {
		ike_secret_free(out);
		return err;
	}
	*keymat = out;
	return 0;
}
