/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKEv1 cryptography (RFC 2409) on OpenSSL 3 libcrypto: the PRF and hash named by the
 * negotiated hash attribute, phase-1 keys (SKEYID and its children, the appendix B
 * encryption key, HASH_I/HASH_R), CBC IVs and payload encryption, quick-mode hashes and
 * KEYMAT. Stateless primitives: which IV belongs to which message is the state
 * machine's business.
 *
 * Every function returns 0 or a negative errno: -EINVAL for an unknown algorithm or a
 * bad length, -ENOMEM, -EIO when libcrypto fails. Outputs are untouched on error unless
 * said otherwise. Nothing here logs.
 *
 * Notation as in RFC 2409: "x_b" is the body of payload x (no generic header), "|" is
 * concatenation, M-ID is the ISAKMP message ID in network byte order.
 */
#ifndef NFSEC_IKED_IKECRYPTO_H
#define NFSEC_IKED_IKECRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "proposal.h"		/* enum ike_hash_alg, the hash attribute's values */

enum {
	IKE_HASH_MAX_LEN = 64,		/* SHA2-512 */
	IKE_COOKIE_LEN = 8,
	IKE_CBC_BLOCK_LEN = 16,		/* AES, the only phase-1 cipher we offer */
	IKE_KEYMAT_MAX_LEN = 1024,	/* far above any SA's enc + integ keys */
};

/* IPsec DOI protocol IDs (RFC 2407 4.4.1), the "protocol" octet of KEYMAT. */
enum ike_protocol {
	IKE_PROTO_AH = 2,
	IKE_PROTO_ESP = 3,
};

/* A borrowed byte range; one part of a concatenation. */
struct ike_chunk {
	const uint8_t *ptr;
	size_t len;
};

#define IKE_CHUNK(p, l) ((struct ike_chunk){ (const uint8_t *)(p), (l) })

/*
 * A secret owned by whoever holds the pointer (PSK copies, SKEYIDs, keys, KEYMAT):
 * ike_secret_free() wipes it. Callers may write data[] of a fresh one.
 */
struct ike_secret {
	size_t len;
	uint8_t data[];
};

/* Zero-filled, len bytes; NULL when out of memory. */
struct ike_secret *ike_secret_new(size_t len);
/* A copy of len bytes at p; NULL when out of memory. */
struct ike_secret *ike_secret_dup(const void *p, size_t len);
/* Wipes and frees; NULL is fine. */
void ike_secret_free(struct ike_secret *secret);

/* Output length of the hash and of its HMAC; 0 for an unknown algorithm. */
size_t ike_hash_len(enum ike_hash_alg alg);

/* out = hash(parts[0] | ... | parts[n-1]); out holds ike_hash_len(alg) bytes. */
int ike_hash(enum ike_hash_alg alg, const struct ike_chunk *parts, size_t nparts,
	     uint8_t *out);

/* out = prf(key, parts[0] | ... ): HMAC with the hash; out holds ike_hash_len(alg). */
int ike_prf(enum ike_hash_alg alg, const uint8_t *key, size_t key_len,
	    const struct ike_chunk *parts, size_t nparts, uint8_t *out);

/*
 * The KEYMAT expansion of RFC 2409 5.5, to any length up to IKE_KEYMAT_MAX_LEN:
 * out = K1 | K2 | ... truncated to len, K1 = prf(key, seed), K(n+1) = prf(key, Kn | seed),
 * seed being the concatenated parts (at most 5).
 */
int ike_prf_expand(enum ike_hash_alg alg, const struct ike_secret *key,
		   const struct ike_chunk *seed, size_t nseed, uint8_t *out, size_t len);

/* Phase 1 (RFC 2409 section 5): what both ends know once the KE/nonce payloads are in. */
struct ike_phase1_input {
	enum ike_hash_alg alg;
	struct ike_chunk ni_b, nr_b;	/* nonce payload bodies */
	struct ike_chunk gxy;		/* the DH shared secret, fixed length (see dh.h) */
	const uint8_t *cky_i;		/* IKE_COOKIE_LEN bytes each */
	const uint8_t *cky_r;
};

struct ike_phase1_keys {
	struct ike_secret *skeyid;
	struct ike_secret *skeyid_d;	/* derives phase-2 KEYMAT */
	struct ike_secret *skeyid_a;	/* authenticates phase-2 messages */
	struct ike_secret *skeyid_e;	/* source of the phase-1 encryption key */
};

/*
 * SKEYID = prf(psk, Ni_b | Nr_b) with a pre-shared key, or prf(Ni_b | Nr_b, g^xy) with
 * signatures (psk NULL); then
 *   SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
 *   SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
 *   SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2)
 * keys is all set or all NULL; free it with ike_phase1_keys_free().
 */
int ike_phase1_derive(const struct ike_phase1_input *in, const struct ike_chunk *psk,
		      struct ike_phase1_keys *keys);
void ike_phase1_keys_free(struct ike_phase1_keys *keys);

/*
 * The phase-1 encryption key of key_len bytes (16/24/32 for AES): the first key_len
 * bytes of SKEYID_e when it is long enough, else the RFC 2409 appendix B expansion
 * Ka = K1 | K2 | ..., K1 = prf(SKEYID_e, 0), K(n+1) = prf(SKEYID_e, Kn), truncated.
 */
int ike_phase1_enc_key(enum ike_hash_alg alg, const struct ike_secret *skeyid_e,
		       size_t key_len, struct ike_secret **key);

/* What HASH_I and HASH_R cover (RFC 2409 section 5). */
struct ike_auth_input {
	struct ike_chunk gxi, gxr;	/* KE payload bodies of initiator and responder */
	const uint8_t *cky_i;
	const uint8_t *cky_r;
	struct ike_chunk sai_b;		/* the initiator's SA payload body */
	struct ike_chunk idii_b;	/* ID payload bodies */
	struct ike_chunk idir_b;
};

/* HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b) */
int ike_auth_hash_i(enum ike_hash_alg alg, const struct ike_secret *skeyid,
		    const struct ike_auth_input *in, uint8_t *out);
/* HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b) */
int ike_auth_hash_r(enum ike_hash_alg alg, const struct ike_secret *skeyid,
		    const struct ike_auth_input *in, uint8_t *out);

/*
 * CBC IVs (RFC 2409 appendix B). Phase 1 starts from hash(g^xi | g^xr); each later
 * phase-1 message uses the last ciphertext block of the one before it (what
 * ike_cbc_encrypt/decrypt return as next_iv). Each phase-2 or informational exchange
 * starts from hash(last phase-1 CBC output block | M-ID) and then chains the same way.
 * The hash is the negotiated one (not the PRF), truncated to the block.
 */
int ike_iv_phase1(enum ike_hash_alg alg, struct ike_chunk gxi, struct ike_chunk gxr,
		  uint8_t iv[IKE_CBC_BLOCK_LEN]);
int ike_iv_phase2(enum ike_hash_alg alg, const uint8_t last_block[IKE_CBC_BLOCK_LEN],
		  uint32_t mid, uint8_t iv[IKE_CBC_BLOCK_LEN]);

/*
 * AES-CBC over the payloads after the ISAKMP header; the key (16, 24 or 32 bytes)
 * picks AES-128/192/256.
 *
 * Padding, as strongSwan 5.9 does it (encrypted_payload.c encrypt_v1): 1 to 16 zero
 * bytes, a whole block when the payloads already end on a block boundary. No pad-length
 * byte: RFC 2408/2409 leave the padding to the receiver's payload parser, which stops
 * at the last payload's Next Payload of 0 and ignores the rest, so decryption returns
 * the padding with the plaintext. Padding at least one byte also satisfies peers that
 * read the last byte as a pad length (racoon's exclusive_tail): it is 0.
 *
 * Encryption writes ike_cbc_padded_len(len) bytes to out (which may be plain); next_iv
 * gets the last ciphertext block. Decryption refuses a length that is zero or not a
 * multiple of the block with -EINVAL; out may be cipher; next_iv gets the last block
 * of the ciphertext, and may be iv.
 */
size_t ike_cbc_padded_len(size_t len);
int ike_cbc_encrypt(const struct ike_secret *key, const uint8_t iv[IKE_CBC_BLOCK_LEN],
		    const uint8_t *plain, size_t len, uint8_t *out,
		    uint8_t next_iv[IKE_CBC_BLOCK_LEN]);
int ike_cbc_decrypt(const struct ike_secret *key, const uint8_t iv[IKE_CBC_BLOCK_LEN],
		    const uint8_t *cipher, size_t len, uint8_t *out,
		    uint8_t next_iv[IKE_CBC_BLOCK_LEN]);

/*
 * Phase-2 hashes (RFC 2409 5.5, 5.7), keyed with SKEYID_a. "rest" is every payload
 * after the HASH payload, generic headers included, exactly as on the wire (before
 * padding), e.g. SA | Ni | [KE] | [IDci | IDcr] for quick mode's first message.
 *   HASH(1), informational and transaction HASH = prf(SKEYID_a, M-ID | rest)
 *   HASH(2) = prf(SKEYID_a, M-ID | Ni_b | rest)
 *   HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b)
 */
int ike_hash_msg(enum ike_hash_alg alg, const struct ike_secret *skeyid_a, uint32_t mid,
		 struct ike_chunk rest, uint8_t *out);
int ike_qm_hash2(enum ike_hash_alg alg, const struct ike_secret *skeyid_a, uint32_t mid,
		 struct ike_chunk ni_b, struct ike_chunk rest, uint8_t *out);
int ike_qm_hash3(enum ike_hash_alg alg, const struct ike_secret *skeyid_a, uint32_t mid,
		 struct ike_chunk ni_b, struct ike_chunk nr_b, uint8_t *out);

/* One SA's KEYMAT input (RFC 2409 5.5). */
struct ike_keymat_input {
	struct ike_chunk gqm_xy;	/* g(qm)^xy with PFS, empty without */
	uint8_t protocol;		/* enum ike_protocol */
	uint32_t spi;			/* host order; hashed in network order */
	struct ike_chunk ni_b, nr_b;
};

/*
 * KEYMAT = K1 | K2 | ... (len bytes), K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI |
 * Ni_b | Nr_b), K(n+1) = prf(SKEYID_d, Kn | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b).
 *
 * One call per SA, i.e. per direction: SPI is the SPI of the SA being keyed, the one its
 * receiver chose, so the keys we send with come from the peer's SPI and the keys we
 * receive with from ours (strongSwan keymat_v1.c derive_child_keys: the initiator's
 * outbound keys use spi_r). The caller splits the result in strongSwan's order
 * (derive_child_keymat): the encryption key first (for AES-GCM/CTR the key then its
 * 4-byte salt), then the integrity key.
 */
int ike_keymat(enum ike_hash_alg alg, const struct ike_secret *skeyid_d,
	       const struct ike_keymat_input *in, size_t len, struct ike_secret **keymat);

#endif /* NFSEC_IKED_IKECRYPTO_H */
