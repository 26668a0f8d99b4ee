/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Diffie-Hellman for IKEv1 KE payloads, on OpenSSL 3 libcrypto. One struct dh per
 * exchange: an ephemeral private key and our public value in wire form.
 *
 * Wire forms (the KE payload body) and shared secrets (g^xy), all fixed length:
 *   MODP (RFC 2409 6, RFC 3526)  public and secret left-padded with zeros to the prime
 *                                length, as strongSwan does (key_exchange.c wants the
 *                                exact length; openssl_compute_shared_key pads g^xy)
 *   ECP  (RFC 5903)              public x | y, each coordinate padded to the field
 *                                length, no 0x04 prefix; secret is x alone
 *   Curve25519 (RFC 8031)        32-byte public and secret
 */
#ifndef NFSEC_IKED_DH_H
#define NFSEC_IKED_DH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* IKEv1 group description attribute values (IANA "IPSEC" registry). */
enum dh_group {
	DH_MODP_768 = 1,	/* weak: only with allow_weak */
	DH_MODP_1024 = 2,	/* weak */
	DH_MODP_1536 = 5,	/* weak */
	DH_MODP_2048 = 14,
	DH_MODP_3072 = 15,
	DH_MODP_4096 = 16,
	DH_ECP_256 = 19,
	DH_ECP_384 = 20,
	DH_ECP_521 = 21,
	DH_CURVE25519 = 31,
};

enum {
	DH_MAX_PUBLIC_LEN = 512,	/* MODP 4096 */
	DH_MAX_SECRET_LEN = 512,
};

struct dh;

/* Wire lengths of a group's public value and shared secret; 0 for an unknown group. */
size_t dh_public_len(int group);
size_t dh_secret_len(int group);

/*
 * A fresh key pair in group. NULL with errno EINVAL for a group we do not know, EPERM
 * for a weak group without allow_weak, ENOMEM or EIO otherwise.
 */
struct dh *dh_new(int group, bool allow_weak);

/*
 * For tests against published vectors: the key pair of a known private key (big-endian
 * integer for MODP and ECP, the RFC 7748 scalar bytes for Curve25519). Weak groups are
 * allowed. NULL with errno as dh_new, EINVAL also for an unusable private key.
 */
struct dh *dh_new_with_private(int group, const uint8_t *priv, size_t len);

int dh_group(const struct dh *dh);

/* Our public value in wire form, *len bytes; valid until dh_free(). */
const uint8_t *dh_public(const struct dh *dh, size_t *len);

/*
 * g^xy from the peer's wire-form public value into secret, which holds *secret_len
 * bytes; *secret_len is set to dh_secret_len(). The caller wipes secret.
 *
 * The peer value is checked first (RFC 6989): the exact wire length, for MODP
 * 1 < y < p-1 (enough for these safe-prime groups), for ECP a point on the curve with
 * coordinates below the field prime, for Curve25519 a secret that is not all zeros.
 * -EINVAL for a refused value, -ENOSPC when secret is too small, -ENOMEM, -EIO.
 */
int dh_compute(struct dh *dh, const uint8_t *peer, size_t peer_len, uint8_t *secret,
	       size_t *secret_len);

/* Wipes the private key; NULL is fine. */
void dh_free(struct dh *dh);

#endif /* NFSEC_IKED_DH_H */
