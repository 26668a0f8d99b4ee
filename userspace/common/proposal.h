/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKE (phase 1) and ESP (phase 2) proposals, written as strongSwan writes them:
 *
 *   ike  aes128-sha256-modp2048,aes256-sha512-ecp384       ENC-HASH-GROUP, each needed
 *   esp  aes128gcm16,aes256-sha256-modp2048-esn             AEAD, or ENC-INTEG; [GROUP] [esn]
 *
 * A comma-separated list is several proposals, most preferred first. Several words of one
 * kind in a proposal stand for every combination, in order: aes128-aes256-sha256-modp2048
 * is aes128-sha256-modp2048,aes256-sha256-modp2048; the words of a proposal come kind by
 * kind in that order. The numbers are those IKEv1 sends (RFC 2409 appendix A, RFC 2407 4.5,
 * IANA "IPSEC" registry).
 *
 * PFS: a group in an ESP proposal is its PFS group. The tunnel's "pfs GROUP" fills it into
 * each ESP proposal that has none; "pfs no" refuses a proposal with one. In the end every
 * ESP proposal must carry the same group or none at all, since Quick Mode sends one KE
 * payload for the whole offer.
 *
 * Parsers never print: they return -EINVAL and name the bad word in err.
 */
#ifndef NFSEC_COMMON_PROPOSAL_H
#define NFSEC_COMMON_PROPOSAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "utils.h"

enum {
	PROPOSALS_MAX = 16,		/* per list, after expansion */
	PROPOSAL_TEXT_MAX = 128,	/* bytes of one proposal, between commas */
};

/* Phase 1 encryption (attribute 1). */
enum ike_enc {
	IKE_ENC_AES_CBC = 7,
};

/* Phase 1 hash (attribute 2): RFC 2409 appendix A, IANA "IPSEC" registry. */
enum ike_hash_alg {
	IKE_HASH_SHA1 = 2,
	IKE_HASH_SHA2_256 = 4,
	IKE_HASH_SHA2_384 = 5,
	IKE_HASH_SHA2_512 = 6,
};


/* ESP transform ids, and IPsec DOI authentication algorithms (phase 2 attribute 5). */
enum esp_transform {
	ESP_NULL = 11,
	ESP_AES_CBC = 12,
	ESP_AES_GCM_16 = 20,
	ESP_CHACHA20_POLY1305 = 28,
};

enum esp_auth {
	ESP_AUTH_NONE = 0,		/* AEAD */
	ESP_AUTH_HMAC_SHA1 = 2,
	ESP_AUTH_HMAC_SHA2_256 = 5,	/* ICV truncated to 128 bits (RFC 4868) */
	ESP_AUTH_HMAC_SHA2_384 = 6,	/* 192 */
	ESP_AUTH_HMAC_SHA2_512 = 7,	/* 256 */
};

/* Group description (phase 1 attribute 4, phase 2 attribute 3): 14 is modp2048, ... */
struct ike_proposal {
	uint16_t enc;			/* enum ike_enc */
	uint16_t enc_bits;		/* key length attribute: 128, 192, 256 */
	uint16_t hash;			/* enum ike_hash_alg */
	uint16_t group;
};

struct esp_proposal {
	uint16_t transform;		/* enum esp_transform */
	/* key length without salt; 256 for ChaCha20 (which sends no key length), 0 for NULL */
	uint16_t enc_bits;
	uint16_t auth;			/* enum esp_auth */
	uint16_t group;			/* PFS, 0 for none */
	bool esn;
};

struct ike_proposals {
	unsigned int count;
	struct ike_proposal p[PROPOSALS_MAX];
};

struct esp_proposals {
	unsigned int count;
	struct esp_proposal p[PROPOSALS_MAX];
};

/* What a proposal may use beyond the default: the tunnel's weak-groups and allow-sha1. */
enum proposal_flags {
	PROPOSAL_WEAK_GROUPS = 1 << 0,	/* modp768, modp1024, modp1536 */
	PROPOSAL_SHA1 = 1 << 1,		/* sha1, IKE and ESP */
};

/* The tunnel's pfs word for proposal_esp_parse(): not given, "no", or a group. */
enum {
	PROPOSAL_PFS_UNSET = -1,
	PROPOSAL_PFS_NO = 0,
};

/*
 * The list text into *list (flags: enum proposal_flags). 0, or -EINVAL with err set, as
 * 'ike proposal "aes128-md5-modp2048": unknown hash "md5"'; *list is untouched then.
 */
int proposal_ike_parse(const char *text, unsigned int flags, struct ike_proposals *list,
		       struct errmsg *err);

/*
 * proposal_ike_parse() for ESP; pfs is PROPOSAL_PFS_UNSET, PROPOSAL_PFS_NO or a group
 * (checked already by proposal_group_parse()), applied as the rule at the top says.
 */
int proposal_esp_parse(const char *text, unsigned int flags, int pfs,
		       struct esp_proposals *list, struct errmsg *err);

/* A group's name ("modp2048") into *group, for the pfs word; what names it in messages. */
int proposal_group_parse(const char *what, const char *word, unsigned int flags,
			 uint16_t *group, struct errmsg *err);

/* The canonical name of a group ("curve25519"), NULL for one we do not know. */
const char *proposal_group_name(uint16_t group);

/*
 * The list as text in canonical spelling, one proposal per combination, into buf: the
 * length written, or -ENOSPC when it does not fit in len (buf holds a truncated string),
 * -EINVAL for a value no name stands for.
 */
int proposal_ike_format(const struct ike_proposals *list, char *buf, size_t len);
int proposal_esp_format(const struct esp_proposals *list, char *buf, size_t len);

/* The words of "nfsec sa add" (cli/sa.c, lib/sa.c) for the SAs of one ESP proposal. */
struct esp_kernel_algs {
	bool aead;
	const char *enc;		/* "gcm-aes", "chacha20-poly1305"; or "aes-cbc", "null" */
	const char *auth;		/* "sha1", "sha256", "sha384", "sha512"; NULL with aead */
	unsigned int enc_key_bytes;	/* an AEAD's key ends with its 4 salt bytes */
	unsigned int auth_key_bytes;
	unsigned int icv_bits;		/* aead's, or auth's truncation */
};

/* The kernel's algorithms for p into *k: 0, or -EINVAL for one we do not know. */
int proposal_esp_kernel(const struct esp_proposal *p, struct esp_kernel_algs *k);

#endif /* NFSEC_COMMON_PROPOSAL_H */
