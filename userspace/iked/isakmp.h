/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ISAKMP wire format (RFC 2408) as IKEv1 (RFC 2409) and the IPsec DOI (RFC 2407) use
 * it, with the NAT-T payloads of RFC 3947: the registries, a parser, one decoder per
 * payload and a message builder. Bytes only: no crypto, no I/O, no allocation, no global
 * state, so a fuzzer can drive every entry point.
 *
 * Receiving is three steps, each checking bounds before it reads a field:
 *   1. isakmp_hdr_parse(): the 28-byte header against the datagram.
 *   2. isakmp_chain_parse(): the generic payload headers of the body (decrypted first when
 *      the E flag is set), giving each payload's type and bytes.
 *   3. isakmp_<payload>_decode(): one payload's fields.
 * A refusal returns -EBADMSG and fills a struct isakmp_err (which may be NULL): the notify
 * type a responder would send and a message naming the field. In SA messages "proposal N"
 * and "transform N" count positions from 1; "attribute N" is the attribute's type.
 *
 * Decoded payloads point into the parsed buffer: keep it while they are used.
 */
#ifndef NFSEC_IKED_ISAKMP_H
#define NFSEC_IKED_ISAKMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Sizes and the limits the parser enforces. */
enum {
	ISAKMP_HDR_LEN = 28,		/* the body starts here */
	ISAKMP_COOKIE_LEN = 8,
	ISAKMP_GEN_HDR_LEN = 4,		/* next payload, reserved, payload length */
	ISAKMP_VERSION = 0x10,		/* major 1, minor 0 */
	ISAKMP_MSG_MAX = 65536,		/* longest message parsed */
	ISAKMP_PAYLOAD_MAX = 65535,	/* the generic length field is 16 bits */
	ISAKMP_CHAIN_MAX = 32,		/* payloads in one message */
	ISAKMP_PROPOSALS_MAX = 16,	/* P payloads in one SA */
	ISAKMP_TRANSFORMS_MAX = 64,	/* T payloads in one SA, over all its proposals */
	ISAKMP_ATTRS_MAX = 24,		/* attributes in one transform */
	ISAKMP_SA_ATTRS_MAX = 768,	/* attributes in one SA */
	ISAKMP_SPI_MAX = 16,		/* an ISAKMP SPI is both cookies */
	ISAKMP_NONCE_MIN = 8,		/* RFC 2409 5: 8 to 256 bytes */
	ISAKMP_NONCE_MAX = 256,
	ISAKMP_ESP_SPI_LEN = 4,		/* AH and ESP */
	ISAKMP_CPI_LEN = 2,		/* IPComp, RFC 2407 4.4.3 */
	ISAKMP_ATTR_AF_TV = 0x8000,	/* attribute format bit: 2-byte value in the header */
	ISAKMP_ATTR_TYPE_MASK = 0x7fff,
};

/* RFC 2408 3.1, RFC 2409 A. */
enum isakmp_exchange {
	ISAKMP_EXCH_BASE = 1,
	ISAKMP_EXCH_IDPROT = 2,		/* main mode */
	ISAKMP_EXCH_AUTH_ONLY = 3,
	ISAKMP_EXCH_AGGRESSIVE = 4,
	ISAKMP_EXCH_INFO = 5,
	ISAKMP_EXCH_QUICK = 32,
	ISAKMP_EXCH_NEW_GROUP = 33,
};

enum isakmp_flag {
	ISAKMP_FLAG_ENC = 0x01,
	ISAKMP_FLAG_COMMIT = 0x02,
	ISAKMP_FLAG_AUTH_ONLY = 0x04,
	ISAKMP_FLAGS_ALL = 0x07,
};

/* RFC 2408 3.1, RFC 3947 and its drafts (130, 131 in the private range). */
enum isakmp_payload_type {
	ISAKMP_PL_NONE = 0,
	ISAKMP_PL_SA = 1,
	ISAKMP_PL_P = 2,
	ISAKMP_PL_T = 3,
	ISAKMP_PL_KE = 4,
	ISAKMP_PL_ID = 5,
	ISAKMP_PL_CERT = 6,
	ISAKMP_PL_CR = 7,
	ISAKMP_PL_HASH = 8,
	ISAKMP_PL_SIG = 9,
	ISAKMP_PL_NONCE = 10,
	ISAKMP_PL_N = 11,
	ISAKMP_PL_D = 12,
	ISAKMP_PL_VID = 13,
	ISAKMP_PL_NATD = 20,
	ISAKMP_PL_NATOA = 21,
	ISAKMP_PL_NATD_DRAFT = 130,
	ISAKMP_PL_NATOA_DRAFT = 131,
};

enum isakmp_doi {
	ISAKMP_DOI_ISAKMP = 0,
	ISAKMP_DOI_IPSEC = 1,
};

/* RFC 2407 4.2: secrecy and integrity add labels we do not parse. */
enum isakmp_situation {
	ISAKMP_SIT_IDENTITY_ONLY = 1,
	ISAKMP_SIT_SECRECY = 2,
	ISAKMP_SIT_INTEGRITY = 4,
};

/* RFC 2407 4.4.1 */
enum isakmp_proto {
	ISAKMP_PROTO_ISAKMP = 1,
	ISAKMP_PROTO_AH = 2,
	ISAKMP_PROTO_ESP = 3,
	ISAKMP_PROTO_IPCOMP = 4,
};

/* RFC 2407 4.4.2 */
enum isakmp_ike_transform {
	ISAKMP_KEY_IKE = 1,
};

/* RFC 2407 4.4.3, RFC 4868 */
enum isakmp_ah_transform {
	ISAKMP_AH_MD5 = 2,
	ISAKMP_AH_SHA = 3,
	ISAKMP_AH_DES = 4,
	ISAKMP_AH_SHA2_256 = 5,
	ISAKMP_AH_SHA2_384 = 6,
	ISAKMP_AH_SHA2_512 = 7,
};

/*
 * IANA "IPSEC ESP Transform Identifiers". It ends at 23: ChaCha20-Poly1305 has an IKEv2
 * number (28) but none in this IKEv1 registry.
 */
enum isakmp_esp_transform {
	ISAKMP_ESP_DES_IV64 = 1,
	ISAKMP_ESP_DES = 2,
	ISAKMP_ESP_3DES = 3,
	ISAKMP_ESP_RC5 = 4,
	ISAKMP_ESP_IDEA = 5,
	ISAKMP_ESP_CAST = 6,
	ISAKMP_ESP_BLOWFISH = 7,
	ISAKMP_ESP_3IDEA = 8,
	ISAKMP_ESP_DES_IV32 = 9,
	ISAKMP_ESP_RC4 = 10,
	ISAKMP_ESP_NULL = 11,
	ISAKMP_ESP_AES_CBC = 12,
	ISAKMP_ESP_AES_CTR = 13,
	ISAKMP_ESP_AES_CCM_8 = 14,
	ISAKMP_ESP_AES_CCM_12 = 15,
	ISAKMP_ESP_AES_CCM_16 = 16,
	ISAKMP_ESP_AES_GCM_8 = 18,
	ISAKMP_ESP_AES_GCM_12 = 19,
	ISAKMP_ESP_AES_GCM_16 = 20,
	ISAKMP_ESP_SEED_CBC = 21,
	ISAKMP_ESP_CAMELLIA = 22,
	ISAKMP_ESP_NULL_AUTH_AES_GMAC = 23,
};

enum isakmp_ipcomp_transform {
	ISAKMP_IPCOMP_OUI = 1,
	ISAKMP_IPCOMP_DEFLATE = 2,
	ISAKMP_IPCOMP_LZS = 3,
	ISAKMP_IPCOMP_LZJH = 4,
};

/* Phase 1 (KEY_IKE) attribute classes, RFC 2409 A. */
enum isakmp_p1_attr {
	ISAKMP_P1_ENC = 1,
	ISAKMP_P1_HASH = 2,
	ISAKMP_P1_AUTH = 3,
	ISAKMP_P1_GROUP_DESC = 4,
	ISAKMP_P1_GROUP_TYPE = 5,
	ISAKMP_P1_GROUP_PRIME = 6,
	ISAKMP_P1_GROUP_GEN_ONE = 7,
	ISAKMP_P1_GROUP_GEN_TWO = 8,
	ISAKMP_P1_GROUP_CURVE_A = 9,
	ISAKMP_P1_GROUP_CURVE_B = 10,
	ISAKMP_P1_LIFE_TYPE = 11,
	ISAKMP_P1_LIFE_DURATION = 12,
	ISAKMP_P1_PRF = 13,
	ISAKMP_P1_KEY_LENGTH = 14,
	ISAKMP_P1_FIELD_SIZE = 15,
	ISAKMP_P1_GROUP_ORDER = 16,
};

/* RFC 2409 A, RFC 3602 (AES), RFC 4312 (Camellia) */
enum isakmp_p1_enc {
	ISAKMP_ENC_DES_CBC = 1,
	ISAKMP_ENC_IDEA_CBC = 2,
	ISAKMP_ENC_BLOWFISH_CBC = 3,
	ISAKMP_ENC_RC5_CBC = 4,
	ISAKMP_ENC_3DES_CBC = 5,
	ISAKMP_ENC_CAST_CBC = 6,
	ISAKMP_ENC_AES_CBC = 7,
	ISAKMP_ENC_CAMELLIA_CBC = 8,
};

/* RFC 2409 A, RFC 4868 */
enum isakmp_p1_hash {
	ISAKMP_HASH_MD5 = 1,
	ISAKMP_HASH_SHA = 2,
	ISAKMP_HASH_TIGER = 3,
	ISAKMP_HASH_SHA2_256 = 4,
	ISAKMP_HASH_SHA2_384 = 5,
	ISAKMP_HASH_SHA2_512 = 6,
};

/* RFC 2409 A, RFC 4754 */
enum isakmp_p1_auth {
	ISAKMP_AUTH_PSK = 1,
	ISAKMP_AUTH_DSS = 2,
	ISAKMP_AUTH_RSA_SIG = 3,
	ISAKMP_AUTH_RSA_ENC = 4,
	ISAKMP_AUTH_RSA_ENC_REV = 5,
	ISAKMP_AUTH_ECDSA_256 = 9,
	ISAKMP_AUTH_ECDSA_384 = 10,
	ISAKMP_AUTH_ECDSA_521 = 11,
};

/* Group description, phase 1 and phase 2 alike: RFC 2409, 3526, 5903, 5114, 6932. */
enum isakmp_group {
	ISAKMP_GROUP_MODP768 = 1,
	ISAKMP_GROUP_MODP1024 = 2,
	ISAKMP_GROUP_EC2N155 = 3,
	ISAKMP_GROUP_EC2N185 = 4,
	ISAKMP_GROUP_MODP1536 = 5,
	ISAKMP_GROUP_MODP2048 = 14,
	ISAKMP_GROUP_MODP3072 = 15,
	ISAKMP_GROUP_MODP4096 = 16,
	ISAKMP_GROUP_MODP6144 = 17,
	ISAKMP_GROUP_MODP8192 = 18,
	ISAKMP_GROUP_ECP256 = 19,
	ISAKMP_GROUP_ECP384 = 20,
	ISAKMP_GROUP_ECP521 = 21,
	ISAKMP_GROUP_MODP1024_S160 = 22,
	ISAKMP_GROUP_MODP2048_S224 = 23,
	ISAKMP_GROUP_MODP2048_S256 = 24,
	ISAKMP_GROUP_ECP192 = 25,
	ISAKMP_GROUP_ECP224 = 26,
	ISAKMP_GROUP_BRAINPOOL224 = 27,
	ISAKMP_GROUP_BRAINPOOL256 = 28,
	ISAKMP_GROUP_BRAINPOOL384 = 29,
	ISAKMP_GROUP_BRAINPOOL512 = 30,
};

enum isakmp_group_type {
	ISAKMP_GROUP_TYPE_MODP = 1,
	ISAKMP_GROUP_TYPE_ECP = 2,
	ISAKMP_GROUP_TYPE_EC2N = 3,
};

/* Life type, phase 1 (class 11) and phase 2 (class 1) alike. */
enum isakmp_life_type {
	ISAKMP_LIFE_SECONDS = 1,
	ISAKMP_LIFE_KILOBYTES = 2,
};

/* Phase 2 (IPsec SA) attribute classes, RFC 2407 4.5, RFC 3168, RFC 4304. */
enum isakmp_p2_attr {
	ISAKMP_P2_LIFE_TYPE = 1,
	ISAKMP_P2_LIFE_DURATION = 2,
	ISAKMP_P2_GROUP_DESC = 3,
	ISAKMP_P2_ENCAP = 4,
	ISAKMP_P2_AUTH = 5,
	ISAKMP_P2_KEY_LENGTH = 6,
	ISAKMP_P2_KEY_ROUNDS = 7,
	ISAKMP_P2_COMP_DICT_SIZE = 8,
	ISAKMP_P2_COMP_PRIV_ALG = 9,
	ISAKMP_P2_ECN_TUNNEL = 10,
	ISAKMP_P2_ESN = 11,
};

/* RFC 2407 4.5, RFC 3947 5.1, and the values of the NAT-T drafts before it. */
enum isakmp_encap {
	ISAKMP_ENCAP_TUNNEL = 1,
	ISAKMP_ENCAP_TRANSPORT = 2,
	ISAKMP_ENCAP_UDP_TUNNEL = 3,
	ISAKMP_ENCAP_UDP_TRANSPORT = 4,
	ISAKMP_ENCAP_UDP_TUNNEL_DRAFT = 61443,
	ISAKMP_ENCAP_UDP_TRANSPORT_DRAFT = 61444,
};

/* Phase 2 authentication algorithm, RFC 2407 4.5, RFC 4868, RFC 4543. */
enum isakmp_auth_alg {
	ISAKMP_AUTH_HMAC_MD5 = 1,
	ISAKMP_AUTH_HMAC_SHA = 2,
	ISAKMP_AUTH_DES_MAC = 3,
	ISAKMP_AUTH_KPDK = 4,
	ISAKMP_AUTH_HMAC_SHA2_256 = 5,
	ISAKMP_AUTH_HMAC_SHA2_384 = 6,
	ISAKMP_AUTH_HMAC_SHA2_512 = 7,
	ISAKMP_AUTH_HMAC_RIPEMD = 8,
	ISAKMP_AUTH_AES_XCBC_MAC = 9,
	ISAKMP_AUTH_SIG_RSA = 10,
	ISAKMP_AUTH_AES_128_GMAC = 11,
	ISAKMP_AUTH_AES_192_GMAC = 12,
	ISAKMP_AUTH_AES_256_GMAC = 13,
};

/* RFC 4304 */
enum isakmp_esn {
	ISAKMP_ESN_ON = 1,
};

/* RFC 2407 4.6.2.1 */
enum isakmp_id_type {
	ISAKMP_ID_IPV4_ADDR = 1,
	ISAKMP_ID_FQDN = 2,
	ISAKMP_ID_USER_FQDN = 3,
	ISAKMP_ID_IPV4_ADDR_SUBNET = 4,
	ISAKMP_ID_IPV6_ADDR = 5,
	ISAKMP_ID_IPV6_ADDR_SUBNET = 6,
	ISAKMP_ID_IPV4_ADDR_RANGE = 7,
	ISAKMP_ID_IPV6_ADDR_RANGE = 8,
	ISAKMP_ID_DER_ASN1_DN = 9,
	ISAKMP_ID_DER_ASN1_GN = 10,
	ISAKMP_ID_KEY_ID = 11,
};

/* RFC 2408 3.9 */
enum isakmp_cert_encoding {
	ISAKMP_CERT_PKCS7 = 1,
	ISAKMP_CERT_PGP = 2,
	ISAKMP_CERT_DNS_KEY = 3,
	ISAKMP_CERT_X509_SIG = 4,
	ISAKMP_CERT_X509_KE = 5,
	ISAKMP_CERT_KERBEROS = 6,
	ISAKMP_CERT_CRL = 7,
	ISAKMP_CERT_ARL = 8,
	ISAKMP_CERT_SPKI = 9,
	ISAKMP_CERT_X509_ATTR = 10,
};

/* RFC 2408 3.14.1 (errors, status), RFC 2407 4.6.3, RFC 3706 (DPD). */
enum isakmp_notify_type {
	ISAKMP_N_INVALID_PAYLOAD_TYPE = 1,
	ISAKMP_N_DOI_NOT_SUPPORTED = 2,
	ISAKMP_N_SITUATION_NOT_SUPPORTED = 3,
	ISAKMP_N_INVALID_COOKIE = 4,
	ISAKMP_N_INVALID_MAJOR_VERSION = 5,
	ISAKMP_N_INVALID_MINOR_VERSION = 6,
	ISAKMP_N_INVALID_EXCHANGE_TYPE = 7,
	ISAKMP_N_INVALID_FLAGS = 8,
	ISAKMP_N_INVALID_MESSAGE_ID = 9,
	ISAKMP_N_INVALID_PROTOCOL_ID = 10,
	ISAKMP_N_INVALID_SPI = 11,
	ISAKMP_N_INVALID_TRANSFORM_ID = 12,
	ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED = 13,
	ISAKMP_N_NO_PROPOSAL_CHOSEN = 14,
	ISAKMP_N_BAD_PROPOSAL_SYNTAX = 15,
	ISAKMP_N_PAYLOAD_MALFORMED = 16,
	ISAKMP_N_INVALID_KEY_INFORMATION = 17,
	ISAKMP_N_INVALID_ID_INFORMATION = 18,
	ISAKMP_N_INVALID_CERT_ENCODING = 19,
	ISAKMP_N_INVALID_CERTIFICATE = 20,
	ISAKMP_N_CERT_TYPE_UNSUPPORTED = 21,
	ISAKMP_N_INVALID_CERT_AUTHORITY = 22,
	ISAKMP_N_INVALID_HASH_INFORMATION = 23,
	ISAKMP_N_AUTHENTICATION_FAILED = 24,
	ISAKMP_N_INVALID_SIGNATURE = 25,
	ISAKMP_N_ADDRESS_NOTIFICATION = 26,
	ISAKMP_N_NOTIFY_SA_LIFETIME = 27,
	ISAKMP_N_CERTIFICATE_UNAVAILABLE = 28,
	ISAKMP_N_UNSUPPORTED_EXCHANGE_TYPE = 29,
	ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS = 30,
	ISAKMP_N_ERROR_MAX = 16383,	/* above are status types */
	ISAKMP_N_CONNECTED = 16384,
	ISAKMP_N_RESPONDER_LIFETIME = 24576,
	ISAKMP_N_REPLAY_STATUS = 24577,
	ISAKMP_N_INITIAL_CONTACT = 24578,
	ISAKMP_N_R_U_THERE = 36136,
	ISAKMP_N_R_U_THERE_ACK = 36137,
};

/* Names for logs ("NO-PROPOSAL-CHOSEN", "AES-CBC"); "unknown" for values not listed. */
const char *isakmp_exchange_name(uint8_t exchange);
const char *isakmp_payload_name(uint8_t type);
const char *isakmp_doi_name(uint32_t doi);
const char *isakmp_proto_name(uint8_t proto);
const char *isakmp_ah_name(uint8_t id);
const char *isakmp_esp_name(uint8_t id);
const char *isakmp_ipcomp_name(uint8_t id);
const char *isakmp_transform_name(uint8_t proto, uint8_t id);	/* by protocol */
const char *isakmp_p1_attr_name(uint16_t type);
const char *isakmp_p1_enc_name(uint32_t value);
const char *isakmp_p1_hash_name(uint32_t value);
const char *isakmp_p1_auth_name(uint32_t value);
const char *isakmp_group_name(uint32_t value);
const char *isakmp_group_type_name(uint32_t value);
const char *isakmp_life_type_name(uint32_t value);
const char *isakmp_p1_value_name(uint16_t type, uint32_t value);	/* by class */
const char *isakmp_p2_attr_name(uint16_t type);
const char *isakmp_encap_name(uint32_t value);
const char *isakmp_auth_alg_name(uint32_t value);
const char *isakmp_p2_value_name(uint16_t type, uint32_t value);	/* by class */
const char *isakmp_id_name(uint8_t type);
const char *isakmp_cert_name(uint8_t encoding);
const char *isakmp_notify_name(uint16_t type);

struct isakmp_err {
	int notify;		/* enum isakmp_notify_type */
	char msg[128];
};

/* --- Parsing ----------------------------------------------------------------------- */

struct isakmp_hdr {
	uint8_t icookie[ISAKMP_COOKIE_LEN];
	uint8_t rcookie[ISAKMP_COOKIE_LEN];
	uint8_t next;		/* type of the first payload */
	uint8_t version;
	uint8_t exchange;
	uint8_t flags;
	uint32_t msgid;
	uint32_t length;
};

/*
 * The header of the datagram buf[0..len-1] (after the caller took off the 4-byte non-ESP
 * marker on port 4500). Refuses: less than 28 bytes or more than ISAKMP_MSG_MAX; a major
 * version other than 1 or a minor other than 0; a length field that differs from len, in
 * either direction (UNEQUAL-PAYLOAD-LENGTHS: the encryption padding is inside the length);
 * an exchange not listed in enum isakmp_exchange; flag bits outside ISAKMP_FLAGS_ALL; a
 * zero initiator cookie; a non-zero message ID in main or aggressive mode, a zero one in
 * quick mode. Once 28 bytes were there, *hdr holds what they say even on a refusal: the
 * cookies and message ID a notify in reply needs.
 */
int isakmp_hdr_parse(const uint8_t *buf, size_t len, struct isakmp_hdr *hdr,
		     struct isakmp_err *err);

/* A payload found by isakmp_chain_parse(). */
struct isakmp_payload {
	uint8_t type;
	const uint8_t *data;	/* the payload body, after the generic header */
	size_t len;		/* of the body */
	size_t offset;		/* of the generic header, from the start of the body */
};

struct isakmp_chain {
	unsigned int count;
	struct isakmp_payload pld[ISAKMP_CHAIN_MAX];
	size_t end;		/* where the last payload ended and padding, if any, starts */
};

enum isakmp_chain_flags {
	/*
	 * The bytes were decrypted: the last payload may be followed by padding (RFC 2409
	 * 5.3: block-size padding the header length counts). Without it, any byte after the
	 * last payload is refused.
	 */
	ISAKMP_CHAIN_PADDED = 1 << 0,
};

/*
 * Walks the payloads of body[0..len-1], the first of type first (the header's next
 * payload). Refuses: a generic header or body past the end; a payload length under 4; a
 * non-zero reserved byte; a next payload with no bytes left for it; P or T outside an SA;
 * types not in enum isakmp_payload_type; more than ISAKMP_CHAIN_MAX payloads; bytes after
 * the last payload unless ISAKMP_CHAIN_PADDED. first == ISAKMP_PL_NONE is an empty chain.
 */
int isakmp_chain_parse(uint8_t first, const uint8_t *body, size_t len, unsigned int flags,
		       struct isakmp_chain *chain, struct isakmp_err *err);

/* The nth (from 0) payload of a type, or NULL; how many there are. */
const struct isakmp_payload *isakmp_chain_find(const struct isakmp_chain *chain, uint8_t type,
					       unsigned int nth);
unsigned int isakmp_chain_count(const struct isakmp_chain *chain, uint8_t type);

/* --- Payloads: decoded forms, also what the builder writes ------------------------------ */

/*
 * A data attribute (RFC 2408 3.3). Decoded: TV has is_tv, value and data NULL; TLV has
 * data and len, and value when len is 1..4 (big-endian; 0 otherwise). Built: data given
 * writes a TLV of those bytes; otherwise value is written as TV when it fits 16 bits, as a
 * 4-byte TLV when not (RFC 2409 A lets variable attributes travel as basic). is_tv is not
 * read by the builder, so a decoded attribute re-encodes to the same bytes.
 */
struct isakmp_attr {
	const uint8_t *data;
	uint32_t value;
	uint16_t type;		/* without the AF bit */
	uint16_t len;
	bool is_tv;
};

#define ISAKMP_ATTR(t, v)	((struct isakmp_attr){ .type = (t), .value = (v) })

/* An attribute's value as 64 bits: TV, or TLV of 1 to 8 bytes (an 8-byte life duration). */
int isakmp_attr_u64(const struct isakmp_attr *attr, uint64_t *value, struct isakmp_err *err);

struct isakmp_transform {
	uint8_t number;
	uint8_t id;
	unsigned int nattrs;
	const struct isakmp_attr *attrs;
};

/* Proposals with the same number are ANDed (AH and ESP), different numbers ORed. */
struct isakmp_proposal {
	uint8_t number;
	uint8_t proto;		/* enum isakmp_proto */
	uint8_t spi_size;
	uint8_t spi[ISAKMP_SPI_MAX];
	unsigned int ntransforms;
	const struct isakmp_transform *transforms;
};

/*
 * A decoded SA payload. The proposals point into the pools below: copying the struct
 * copies pointers into the original.
 */
struct isakmp_sa {
	uint32_t doi;
	uint32_t situation;
	unsigned int nproposals;
	struct isakmp_proposal proposals[ISAKMP_PROPOSALS_MAX];
	struct isakmp_transform transform_pool[ISAKMP_TRANSFORMS_MAX];
	struct isakmp_attr attr_pool[ISAKMP_SA_ATTRS_MAX];
};

/* KE, NONCE, HASH, SIG, VID, NAT-D: opaque bytes. */
struct isakmp_bytes {
	const uint8_t *data;
	size_t len;
};

struct isakmp_id {
	uint8_t type;		/* enum isakmp_id_type */
	uint8_t proto;		/* IP protocol, 0 for any */
	uint16_t port;
	const uint8_t *data;
	size_t len;
};

/* CERT (encoding, certificate) and CR (type, certificate authority, maybe empty). */
struct isakmp_cert {
	uint8_t encoding;	/* enum isakmp_cert_encoding */
	const uint8_t *data;
	size_t len;
};

struct isakmp_notify {
	uint32_t doi;
	uint8_t proto;
	uint8_t spi_size;
	uint16_t type;		/* enum isakmp_notify_type */
	const uint8_t *spi;
	const uint8_t *data;
	size_t len;
};

struct isakmp_delete {
	uint32_t doi;
	uint8_t proto;
	uint8_t spi_size;
	uint16_t count;
	const uint8_t *spis;	/* count SPIs of spi_size bytes, back to back */
};

struct isakmp_natoa {
	uint8_t id_type;	/* ISAKMP_ID_IPV4_ADDR or ISAKMP_ID_IPV6_ADDR */
	const uint8_t *addr;
	size_t len;		/* 4 or 16 */
};

/*
 * Decoders. Each reads pld->data[0..pld->len-1] as its payload, whatever pld->type says.
 *   SA: IPsec DOI, SIT_IDENTITY_ONLY; P and T chained by their next payloads (P or 0, T or
 *       0), each within its parent; proposal numbers never decrease; protocol ISAKMP, AH,
 *       ESP or IPComp; SPI size 0, 8 or 16 for ISAKMP, 4 for AH and ESP, 2 or 4 for
 *       IPComp; at least one transform and as many as the proposal says; attributes
 *       within their transform; the limits above. Transform IDs and attribute values are
 *       not judged here: that is the policy's job (NO-PROPOSAL-CHOSEN).
 *   KE, HASH, SIG, NAT-D: not empty. NONCE: ISAKMP_NONCE_MIN..MAX bytes. VID: any.
 *   ID: a listed type, with the data length it needs (4, 8, 16 or 32 bytes for addresses,
 *       subnets and ranges, at least 1 for the rest).
 *   CERT: a listed encoding and at least one byte. CR: a listed type.
 *   N: DOI ISAKMP or IPsec, protocol 0..4, SPI of at most 16 bytes, type not 0.
 *   D: DOI ISAKMP or IPsec, protocol 1..4, SPI size 16 for ISAKMP, 4 for AH and ESP, 2 or
 *      4 for IPComp, at least one SPI, count * size exactly the rest of the payload.
 *   NAT-OA: IPv4 or IPv6 address type, zero reserved bytes, 4 or 16 address bytes.
 */
int isakmp_sa_decode(const struct isakmp_payload *pld, struct isakmp_sa *sa,
		     struct isakmp_err *err);
int isakmp_ke_decode(const struct isakmp_payload *pld, struct isakmp_bytes *ke,
		     struct isakmp_err *err);
int isakmp_nonce_decode(const struct isakmp_payload *pld, struct isakmp_bytes *nonce,
			struct isakmp_err *err);
int isakmp_hash_decode(const struct isakmp_payload *pld, struct isakmp_bytes *hash,
		       struct isakmp_err *err);
int isakmp_sig_decode(const struct isakmp_payload *pld, struct isakmp_bytes *sig,
		      struct isakmp_err *err);
int isakmp_vid_decode(const struct isakmp_payload *pld, struct isakmp_bytes *vid,
		      struct isakmp_err *err);
int isakmp_natd_decode(const struct isakmp_payload *pld, struct isakmp_bytes *natd,
		       struct isakmp_err *err);
int isakmp_id_decode(const struct isakmp_payload *pld, struct isakmp_id *id,
		     struct isakmp_err *err);
int isakmp_cert_decode(const struct isakmp_payload *pld, struct isakmp_cert *cert,
		       struct isakmp_err *err);
int isakmp_cr_decode(const struct isakmp_payload *pld, struct isakmp_cert *cr,
		     struct isakmp_err *err);
int isakmp_notify_decode(const struct isakmp_payload *pld, struct isakmp_notify *n,
			 struct isakmp_err *err);
int isakmp_delete_decode(const struct isakmp_payload *pld, struct isakmp_delete *d,
			 struct isakmp_err *err);
int isakmp_natoa_decode(const struct isakmp_payload *pld, struct isakmp_natoa *oa,
			struct isakmp_err *err);

/* --- Building --------------------------------------------------------------------------- */

/*
 * A message built into the caller's buffer:
 *
 *	isakmp_buf_init(&b, buf, sizeof(buf));
 *	isakmp_msg_begin(&b, &hdr);		(header with length 0, no payload yet)
 *	isakmp_put_sa(&b, ...); isakmp_put_nonce(&b, ...);
 *	if (isakmp_msg_end(&b))			(writes the length; reports overflow)
 *
 * Each payload links itself into the previous one's next-payload field (or the header's).
 * Without isakmp_msg_begin() the buffer holds a bare chain whose first type is b.first.
 * A put returns the payload's offset in the buffer: its body is at offset + 4, to patch
 * a HASH written with data NULL (zeros) once the bytes after it are known. To encrypt,
 * the caller takes the body from ISAKMP_HDR_LEN to b.len after isakmp_msg_end(), pads and
 * encrypts it in place and calls isakmp_hdr_set_length() with the new total.
 *
 * A write that does not fit sets overflow and writes nothing then or after: nothing is
 * ever written at or past cap. A value that cannot be encoded (a payload over 65535
 * bytes, more than 255 transforms, an SPI over 16 bytes, an attribute type over 0x7fff)
 * sets invalid.
 */
struct isakmp_buf {
	uint8_t *p;
	size_t cap, len;
	bool overflow;
	bool invalid;
	bool header;		/* isakmp_msg_begin() wrote one */
	uint8_t first;		/* type of the first payload */
	size_t link;		/* offset of the next-payload byte to patch, or SIZE_MAX */
};

void isakmp_buf_init(struct isakmp_buf *b, uint8_t *p, size_t cap);
/* First in an empty buffer. Writes version 1.0 whatever hdr->version says; next and length 0. */
void isakmp_msg_begin(struct isakmp_buf *b, const struct isakmp_hdr *hdr);
/* 0; -ENOBUFS on overflow; -EINVAL on invalid. Writes the header length when there is one. */
int isakmp_msg_end(struct isakmp_buf *b);
void isakmp_hdr_set_length(uint8_t *msg, uint32_t length);

/* A payload of any type, its body written by the caller between the two. */
size_t isakmp_payload_begin(struct isakmp_buf *b, uint8_t type);
void isakmp_payload_end(struct isakmp_buf *b, size_t handle);
void isakmp_put_raw(struct isakmp_buf *b, const void *data, size_t len);

size_t isakmp_put_sa(struct isakmp_buf *b, uint32_t doi, uint32_t situation,
		     const struct isakmp_proposal *proposals, unsigned int nproposals);
/* An opaque payload; data NULL writes len zeros. */
size_t isakmp_put_bytes(struct isakmp_buf *b, uint8_t type, const uint8_t *data, size_t len);
size_t isakmp_put_id(struct isakmp_buf *b, const struct isakmp_id *id);
size_t isakmp_put_cert(struct isakmp_buf *b, uint8_t type, const struct isakmp_cert *cert);
size_t isakmp_put_notify(struct isakmp_buf *b, const struct isakmp_notify *n);
size_t isakmp_put_delete(struct isakmp_buf *b, const struct isakmp_delete *d);
size_t isakmp_put_natoa(struct isakmp_buf *b, uint8_t type, const struct isakmp_natoa *oa);

static inline size_t isakmp_put_ke(struct isakmp_buf *b, const uint8_t *ke, size_t len)
{
	return isakmp_put_bytes(b, ISAKMP_PL_KE, ke, len);
}

static inline size_t isakmp_put_nonce(struct isakmp_buf *b, const uint8_t *nonce, size_t len)
{
	return isakmp_put_bytes(b, ISAKMP_PL_NONCE, nonce, len);
}

static inline size_t isakmp_put_hash(struct isakmp_buf *b, const uint8_t *hash, size_t len)
{
	return isakmp_put_bytes(b, ISAKMP_PL_HASH, hash, len);
}

static inline size_t isakmp_put_sig(struct isakmp_buf *b, const uint8_t *sig, size_t len)
{
	return isakmp_put_bytes(b, ISAKMP_PL_SIG, sig, len);
}

static inline size_t isakmp_put_vid(struct isakmp_buf *b, const uint8_t *vid, size_t len)
{
	return isakmp_put_bytes(b, ISAKMP_PL_VID, vid, len);
}

static inline size_t isakmp_put_natd(struct isakmp_buf *b, const uint8_t *hash, size_t len)
{
	return isakmp_put_bytes(b, ISAKMP_PL_NATD, hash, len);
}

#endif /* NFSEC_IKED_ISAKMP_H */
