// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "dh.h"

enum dh_kind {
	DH_KIND_MODP,
	DH_KIND_ECP,
	DH_KIND_X25519,
};

enum {
	MODP_GENERATOR = 2,		/* every RFC 2409/3526 group */
	EC_POINT_UNCOMPRESSED = 0x04,	/* SEC1 prefix, absent on the IKE wire */
	EC_MAX_FIELD_LEN = 66,		/* P-521 */
	X25519_LEN = 32,
};

struct dh_desc {
	int group;
	enum dh_kind kind;
	bool weak;
	size_t len;			/* prime, field or key length in bytes */
	const char *curve;		/* ECP: OpenSSL's name */
	BIGNUM *(*prime)(BIGNUM *bn);	/* MODP */
};

static const struct dh_desc groups[] = {
	{ DH_MODP_768, DH_KIND_MODP, true, 96, NULL, BN_get_rfc2409_prime_768 },
	{ DH_MODP_1024, DH_KIND_MODP, true, 128, NULL, BN_get_rfc2409_prime_1024 },
	{ DH_MODP_1536, DH_KIND_MODP, true, 192, NULL, BN_get_rfc3526_prime_1536 },
	{ DH_MODP_2048, DH_KIND_MODP, false, 256, NULL, BN_get_rfc3526_prime_2048 },
	{ DH_MODP_3072, DH_KIND_MODP, false, 384, NULL, BN_get_rfc3526_prime_3072 },
	{ DH_MODP_4096, DH_KIND_MODP, false, 512, NULL, BN_get_rfc3526_prime_4096 },
	{ DH_ECP_256, DH_KIND_ECP, false, 32, "P-256", NULL },
	{ DH_ECP_384, DH_KIND_ECP, false, 48, "P-384", NULL },
	{ DH_ECP_521, DH_KIND_ECP, false, 66, "P-521", NULL },
	{ DH_CURVE25519, DH_KIND_X25519, false, X25519_LEN, NULL, NULL },
};

struct dh {
	const struct dh_desc *desc;
	EVP_PKEY *key;
	size_t pub_len;
	uint8_t pub[DH_MAX_PUBLIC_LEN];
};

static const struct dh_desc *find_group(int group)
{
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (groups[i].group == group)
			return &groups[i];
	return NULL;
}

static size_t public_len(const struct dh_desc *desc)
{
	return desc->kind == DH_KIND_ECP ? 2 * desc->len : desc->len;
}

size_t dh_public_len(int group)
{
	const struct dh_desc *desc = find_group(group);

	return desc ? public_len(desc) : 0;
}

size_t dh_secret_len(int group)
{
	const struct dh_desc *desc = find_group(group);

	return desc ? desc->len : 0;
}

static EVP_PKEY *key_fromdata(const char *type, int selection, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = params ? EVP_PKEY_CTX_new_from_name(NULL, type, NULL) : NULL;
	EVP_PKEY *key = NULL;

	if (ctx && EVP_PKEY_fromdata_init(ctx) > 0 &&
	    EVP_PKEY_fromdata(ctx, &key, selection, params) <= 0)
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	/* a private key from BN_secure_new() sits in the part this wipes */
	OSSL_PARAM_free(params);
	return key;
}

/* The group's parameters, plus the private and/or public value when given. */
static EVP_PKEY *modp_key(const struct dh_desc *desc, int selection, const BIGNUM *priv,
			  const BIGNUM *pub)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *p = desc->prime(NULL);
	BIGNUM *g = BN_new();
	EVP_PKEY *key = NULL;

	if (bld && p && g && BN_set_word(g, MODP_GENERATOR) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, g) &&
	    (!priv || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv)) &&
	    (!pub || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, pub)))
		key = key_fromdata("DH", selection, bld);
	OSSL_PARAM_BLD_free(bld);
	BN_free(p);
	BN_free(g);
	return key;
}

static EVP_PKEY *ecp_key(const struct dh_desc *desc, int selection, const BIGNUM *priv,
			 const uint8_t *pub, size_t pub_len)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY *key = NULL;

	if (bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
						   desc->curve, 0) &&
	    (!priv || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv)) &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, pub_len))
		key = key_fromdata("EC", selection, bld);
	OSSL_PARAM_BLD_free(bld);
	return key;
}

static EVP_PKEY *generate(const struct dh_desc *desc)
{
	EVP_PKEY *params, *key = NULL;
	EVP_PKEY_CTX *ctx;

	switch (desc->kind) {
	case DH_KIND_ECP:
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", desc->curve);
	case DH_KIND_X25519:
		return EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	case DH_KIND_MODP:
		break;
	}
	params = modp_key(desc, EVP_PKEY_KEY_PARAMETERS, NULL, NULL);
	ctx = params ? EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL) : NULL;
	if (ctx && (EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_generate(ctx, &key) <= 0))
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(params);
	return key;
}

static bool export_modp(struct dh *dh)
{
	BIGNUM *y = NULL;
	bool ok = EVP_PKEY_get_bn_param(dh->key, OSSL_PKEY_PARAM_PUB_KEY, &y) &&
		  BN_bn2binpad(y, dh->pub, (int)dh->pub_len) == (int)dh->pub_len;

	BN_free(y);
	return ok;
}

static bool export_ecp(struct dh *dh)
{
	uint8_t point[1 + 2 * EC_MAX_FIELD_LEN];
	size_t len = 0;

	if (!EVP_PKEY_get_octet_string_param(dh->key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
					     point, sizeof(point), &len) ||
	    len != 1 + dh->pub_len || point[0] != EC_POINT_UNCOMPRESSED)
		return false;
	memcpy(dh->pub, point + 1, dh->pub_len);
	return true;
}

static bool export_public(struct dh *dh)
{
	size_t len = dh->pub_len;

	switch (dh->desc->kind) {
	case DH_KIND_MODP:
		return export_modp(dh);
	case DH_KIND_ECP:
		return export_ecp(dh);
	case DH_KIND_X25519:
		break;
	}
	return EVP_PKEY_get_raw_public_key(dh->key, dh->pub, &len) && len == dh->pub_len;
}

/* Takes key, freeing it on failure. */
static struct dh *dh_wrap(const struct dh_desc *desc, EVP_PKEY *key)
{
	struct dh *dh = key ? calloc(1, sizeof(*dh)) : NULL;

	if (!dh) {
		EVP_PKEY_free(key);
		errno = key ? ENOMEM : EIO;
		return NULL;
	}
	dh->desc = desc;
	dh->key = key;
	dh->pub_len = public_len(desc);
	if (!export_public(dh)) {
		dh_free(dh);
		errno = EIO;
		return NULL;
	}
	return dh;
}

struct dh *dh_new(int group, bool allow_weak)
{
	const struct dh_desc *desc = find_group(group);

	if (!desc) {
		errno = EINVAL;
		return NULL;
	}
	if (desc->weak && !allow_weak) {
		errno = EPERM;
		return NULL;
	}
	return dh_wrap(desc, generate(desc));
}

static EVP_PKEY *modp_with_private(const struct dh_desc *desc, const BIGNUM *x)
{
	BIGNUM *p = desc->prime(NULL);
	BIGNUM *g = BN_new();
	BIGNUM *y = BN_new();
	BN_CTX *bn = BN_CTX_new();
	EVP_PKEY *key = NULL;

	if (p && g && y && bn && BN_set_word(g, MODP_GENERATOR) &&
	    BN_mod_exp(y, g, x, p, bn))
		key = modp_key(desc, EVP_PKEY_KEYPAIR, x, y);
	BN_CTX_free(bn);
	BN_free(p);
	BN_free(g);
	BN_free(y);
	return key;
}

static EVP_PKEY *ecp_with_private(const struct dh_desc *desc, const BIGNUM *x)
{
	EC_GROUP *group = EC_GROUP_new_by_curve_name(EC_curve_nist2nid(desc->curve));
	EC_POINT *point = group ? EC_POINT_new(group) : NULL;
	uint8_t pub[1 + 2 * EC_MAX_FIELD_LEN];
	size_t len = 0;
	EVP_PKEY *key = NULL;

	if (point && EC_POINT_mul(group, point, x, NULL, NULL, NULL))
		len = EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED, pub,
					 sizeof(pub), NULL);
	if (len)
		key = ecp_key(desc, EVP_PKEY_KEYPAIR, x, pub, len);
	EC_POINT_free(point);
	EC_GROUP_free(group);
	return key;
}

static EVP_PKEY *key_with_private(const struct dh_desc *desc, const uint8_t *priv, size_t len)
{
	EVP_PKEY *key = NULL;
	BIGNUM *x;

	if (desc->kind == DH_KIND_X25519)
		return len == X25519_LEN ?
		       EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, len) : NULL;
	x = BN_secure_new();
	if (x && BN_bin2bn(priv, (int)len, x) && !BN_is_zero(x))
		key = desc->kind == DH_KIND_MODP ? modp_with_private(desc, x)
						 : ecp_with_private(desc, x);
	BN_clear_free(x);
	return key;
}

struct dh *dh_new_with_private(int group, const uint8_t *priv, size_t len)
{
	const struct dh_desc *desc = find_group(group);
	EVP_PKEY *key = desc && len ? key_with_private(desc, priv, len) : NULL;

	if (!key) {
		errno = EINVAL;
		return NULL;
	}
	return dh_wrap(desc, key);
}

int dh_group(const struct dh *dh)
{
	return dh->desc->group;
}

const uint8_t *dh_public(const struct dh *dh, size_t *len)
{
	*len = dh->pub_len;
	return dh->pub;
}

/* RFC 6989 2.1: for safe-prime groups 1 < y < p-1 is the whole check. */
static EVP_PKEY *peer_modp(const struct dh_desc *desc, const uint8_t *peer, size_t len)
{
	BIGNUM *y = BN_bin2bn(peer, (int)len, NULL);
	BIGNUM *p_1 = desc->prime(NULL);
	EVP_PKEY *key = NULL;

	if (y && p_1 && BN_sub_word(p_1, 1) && BN_cmp(y, BN_value_one()) > 0 &&
	    BN_cmp(y, p_1) < 0)
		key = modp_key(desc, EVP_PKEY_PUBLIC_KEY, NULL, y);
	BN_free(y);
	BN_free(p_1);
	return key;
}

/* RFC 6989 2.3: on the curve, coordinates reduced (the curves have cofactor 1). */
static EVP_PKEY *peer_ecp(const struct dh_desc *desc, const uint8_t *peer, size_t len)
{
	uint8_t point[1 + 2 * EC_MAX_FIELD_LEN];
	EVP_PKEY *key;
	EVP_PKEY_CTX *ctx;

	point[0] = EC_POINT_UNCOMPRESSED;
	memcpy(point + 1, peer, len);
	key = ecp_key(desc, EVP_PKEY_PUBLIC_KEY, NULL, point, 1 + len);
	ctx = key ? EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL) : NULL;
	if (!ctx || EVP_PKEY_public_check_quick(ctx) <= 0) {
		EVP_PKEY_free(key);
		key = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	return key;
}

static EVP_PKEY *peer_key(const struct dh_desc *desc, const uint8_t *peer, size_t len)
{
	switch (desc->kind) {
	case DH_KIND_MODP:
		return peer_modp(desc, peer, len);
	case DH_KIND_ECP:
		return peer_ecp(desc, peer, len);
	case DH_KIND_X25519:
		break;
	}
	return EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, len);
}

/* The raw derivation, at most out_len bytes; 0 when libcrypto refuses. */
static size_t derive(EVP_PKEY *key, EVP_PKEY *peer, uint8_t *out, size_t out_len)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	size_t len = out_len;

	/* validate_peer 0: peer_key() already did the checks this group needs */
	if (!ctx || EVP_PKEY_derive_init(ctx) <= 0 ||
	    EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) <= 0 ||
	    EVP_PKEY_derive(ctx, out, &len) <= 0)
		len = 0;
	EVP_PKEY_CTX_free(ctx);
	return len;
}

static bool all_zero(const uint8_t *p, size_t len)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < len; i++)
		acc |= p[i];
	return acc == 0;
}

int dh_compute(struct dh *dh, const uint8_t *peer, size_t peer_len, uint8_t *secret,
	       size_t *secret_len)
{
	size_t want = dh->desc->len;
	uint8_t raw[DH_MAX_SECRET_LEN];
	EVP_PKEY *peer_pkey;
	size_t len;

	if (peer_len != dh->pub_len)
		return -EINVAL;
	if (*secret_len < want)
		return -ENOSPC;
	peer_pkey = peer_key(dh->desc, peer, peer_len);
	if (!peer_pkey)
		return -EINVAL;
	len = derive(dh->key, peer_pkey, raw, sizeof(raw));
	EVP_PKEY_free(peer_pkey);
	/* RFC 7748 6.1 and RFC 8031 2.3: an all-zero X25519 result is refused */
	if (len == 0 || len > want || all_zero(raw, len)) {
		OPENSSL_cleanse(raw, sizeof(raw));
		return -EINVAL;
	}
	/* OpenSSL drops leading zeros of a MODP g^xy; IKE keeps the fixed length */
	memset(secret, 0, want - len);
	memcpy(secret + want - len, raw, len);
	*secret_len = want;
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

void dh_free(struct dh *dh)
{
	if (!dh)
		return;
	EVP_PKEY_free(dh->key);
	free(dh);
}
