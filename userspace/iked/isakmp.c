// SPDX-License-Identifier: GPL-2.0
/*
 * The ISAKMP codec: registries and their names, the header and payload-chain parsers,
 * the payload decoders and the builder. See isakmp.h for what each refuses.
 *
 * Every parser validates a structure's bounds (fixed part present, length field within
 * what is left) in a *_validate() function before the matching *_read() touches a field.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "isakmp.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Offsets in the header and in the fixed parts of payloads (after the generic header). */
enum {
	HDR_RCOOKIE = 8,
	HDR_NEXT = 16,
	HDR_VERSION = 17,
	HDR_EXCHANGE = 18,
	HDR_FLAGS = 19,
	HDR_MSGID = 20,
	HDR_LENGTH = 24,
	GEN_NEXT = 0,
	GEN_RESERVED = 1,
	GEN_LENGTH = 2,
	SA_FIXED = 8,		/* DOI, situation */
	PROP_FIXED = 8,		/* generic header, number, protocol, SPI size, #transforms */
	XF_FIXED = 8,		/* generic header, number, ID, 2 reserved */
	ATTR_HDR = 4,
	ID_FIXED = 4,		/* type, protocol, port */
	NOTIFY_FIXED = 8,	/* DOI, protocol, SPI size, type */
	DELETE_FIXED = 8,	/* DOI, protocol, SPI size, count */
	NATOA_FIXED = 4,	/* type, 3 reserved */
	IPV4_LEN = 4,
	IPV6_LEN = 16,
	ISAKMP_SA_SPI_LEN = 8,	/* one cookie, as some send it */
	VERSION_MAJOR_SHIFT = 4,
	VERSION_MINOR_MASK = 0x0f,
	U16_MAX = 0xffff,
	U8_MAX = 0xff,
	ATTR_U64_MAX = 8,
};

/* --- Bytes ------------------------------------------------------------------------------ */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void set16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void set32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* --- Names ------------------------------------------------------------------------------ */

struct name {
	uint32_t value;
	const char *name;
};

static const char *lookup(const struct name *table, size_t n, uint32_t value)
{
	for (size_t i = 0; i < n; i++)
		if (table[i].value == value)
			return table[i].name;
	return "unknown";
}

#define NAME_FN(fn, type, table)					\
	const char *fn(type value)					\
	{								\
		return lookup(table, ARRAY_SIZE(table), value);		\
	}

static const struct name exchange_names[] = {
	{ ISAKMP_EXCH_BASE, "Base" },
	{ ISAKMP_EXCH_IDPROT, "Main Mode" },
	{ ISAKMP_EXCH_AUTH_ONLY, "Authentication Only" },
	{ ISAKMP_EXCH_AGGRESSIVE, "Aggressive Mode" },
	{ ISAKMP_EXCH_INFO, "Informational" },
	{ ISAKMP_EXCH_QUICK, "Quick Mode" },
	{ ISAKMP_EXCH_NEW_GROUP, "New Group Mode" },
};

static const struct name payload_names[] = {
	{ ISAKMP_PL_NONE, "NONE" },
	{ ISAKMP_PL_SA, "SA" },
	{ ISAKMP_PL_P, "P" },
	{ ISAKMP_PL_T, "T" },
	{ ISAKMP_PL_KE, "KE" },
	{ ISAKMP_PL_ID, "ID" },
	{ ISAKMP_PL_CERT, "CERT" },
	{ ISAKMP_PL_CR, "CR" },
	{ ISAKMP_PL_HASH, "HASH" },
	{ ISAKMP_PL_SIG, "SIG" },
	{ ISAKMP_PL_NONCE, "NONCE" },
	{ ISAKMP_PL_N, "N" },
	{ ISAKMP_PL_D, "D" },
	{ ISAKMP_PL_VID, "VID" },
	{ ISAKMP_PL_NATD, "NAT-D" },
	{ ISAKMP_PL_NATOA, "NAT-OA" },
	{ ISAKMP_PL_NATD_DRAFT, "NAT-D (draft)" },
	{ ISAKMP_PL_NATOA_DRAFT, "NAT-OA (draft)" },
};

static const struct name doi_names[] = {
	{ ISAKMP_DOI_ISAKMP, "ISAKMP" },
	{ ISAKMP_DOI_IPSEC, "IPSEC" },
};

static const struct name proto_names[] = {
	{ ISAKMP_PROTO_ISAKMP, "ISAKMP" },
	{ ISAKMP_PROTO_AH, "AH" },
	{ ISAKMP_PROTO_ESP, "ESP" },
	{ ISAKMP_PROTO_IPCOMP, "IPCOMP" },
};

static const struct name ike_transform_names[] = {
	{ ISAKMP_KEY_IKE, "KEY_IKE" },
};

static const struct name ah_names[] = {
	{ ISAKMP_AH_MD5, "AH_MD5" },
	{ ISAKMP_AH_SHA, "AH_SHA" },
	{ ISAKMP_AH_DES, "AH_DES" },
	{ ISAKMP_AH_SHA2_256, "AH_SHA2-256" },
	{ ISAKMP_AH_SHA2_384, "AH_SHA2-384" },
	{ ISAKMP_AH_SHA2_512, "AH_SHA2-512" },
};

static const struct name esp_names[] = {
	{ ISAKMP_ESP_DES_IV64, "ESP_DES_IV64" },
	{ ISAKMP_ESP_DES, "ESP_DES" },
	{ ISAKMP_ESP_3DES, "ESP_3DES" },
	{ ISAKMP_ESP_RC5, "ESP_RC5" },
	{ ISAKMP_ESP_IDEA, "ESP_IDEA" },
	{ ISAKMP_ESP_CAST, "ESP_CAST" },
	{ ISAKMP_ESP_BLOWFISH, "ESP_BLOWFISH" },
	{ ISAKMP_ESP_3IDEA, "ESP_3IDEA" },
	{ ISAKMP_ESP_DES_IV32, "ESP_DES_IV32" },
	{ ISAKMP_ESP_RC4, "ESP_RC4" },
	{ ISAKMP_ESP_NULL, "ESP_NULL" },
	{ ISAKMP_ESP_AES_CBC, "ESP_AES-CBC" },
	{ ISAKMP_ESP_AES_CTR, "ESP_AES-CTR" },
	{ ISAKMP_ESP_AES_CCM_8, "ESP_AES-CCM_8" },
	{ ISAKMP_ESP_AES_CCM_12, "ESP_AES-CCM_12" },
	{ ISAKMP_ESP_AES_CCM_16, "ESP_AES-CCM_16" },
	{ ISAKMP_ESP_AES_GCM_8, "ESP_AES-GCM_8" },
	{ ISAKMP_ESP_AES_GCM_12, "ESP_AES-GCM_12" },
	{ ISAKMP_ESP_AES_GCM_16, "ESP_AES-GCM_16" },
	{ ISAKMP_ESP_SEED_CBC, "ESP_SEED_CBC" },
	{ ISAKMP_ESP_CAMELLIA, "ESP_CAMELLIA" },
	{ ISAKMP_ESP_NULL_AUTH_AES_GMAC, "ESP_NULL_AUTH_AES-GMAC" },
};

static const struct name ipcomp_names[] = {
	{ ISAKMP_IPCOMP_OUI, "IPCOMP_OUI" },
	{ ISAKMP_IPCOMP_DEFLATE, "IPCOMP_DEFLATE" },
	{ ISAKMP_IPCOMP_LZS, "IPCOMP_LZS" },
	{ ISAKMP_IPCOMP_LZJH, "IPCOMP_LZJH" },
};

static const struct name p1_attr_names[] = {
	{ ISAKMP_P1_ENC, "Encryption Algorithm" },
	{ ISAKMP_P1_HASH, "Hash Algorithm" },
	{ ISAKMP_P1_AUTH, "Authentication Method" },
	{ ISAKMP_P1_GROUP_DESC, "Group Description" },
	{ ISAKMP_P1_GROUP_TYPE, "Group Type" },
	{ ISAKMP_P1_GROUP_PRIME, "Group Prime/Irreducible Polynomial" },
	{ ISAKMP_P1_GROUP_GEN_ONE, "Group Generator One" },
	{ ISAKMP_P1_GROUP_GEN_TWO, "Group Generator Two" },
	{ ISAKMP_P1_GROUP_CURVE_A, "Group Curve A" },
	{ ISAKMP_P1_GROUP_CURVE_B, "Group Curve B" },
	{ ISAKMP_P1_LIFE_TYPE, "Life Type" },
	{ ISAKMP_P1_LIFE_DURATION, "Life Duration" },
	{ ISAKMP_P1_PRF, "PRF" },
	{ ISAKMP_P1_KEY_LENGTH, "Key Length" },
	{ ISAKMP_P1_FIELD_SIZE, "Field Size" },
	{ ISAKMP_P1_GROUP_ORDER, "Group Order" },
};

static const struct name p1_enc_names[] = {
	{ ISAKMP_ENC_DES_CBC, "DES-CBC" },
	{ ISAKMP_ENC_IDEA_CBC, "IDEA-CBC" },
	{ ISAKMP_ENC_BLOWFISH_CBC, "Blowfish-CBC" },
	{ ISAKMP_ENC_RC5_CBC, "RC5-R16-B64-CBC" },
	{ ISAKMP_ENC_3DES_CBC, "3DES-CBC" },
	{ ISAKMP_ENC_CAST_CBC, "CAST-CBC" },
	{ ISAKMP_ENC_AES_CBC, "AES-CBC" },
	{ ISAKMP_ENC_CAMELLIA_CBC, "CAMELLIA-CBC" },
};

static const struct name p1_hash_names[] = {
	{ ISAKMP_HASH_MD5, "MD5" },
	{ ISAKMP_HASH_SHA, "SHA" },
	{ ISAKMP_HASH_TIGER, "Tiger" },
	{ ISAKMP_HASH_SHA2_256, "SHA2-256" },
	{ ISAKMP_HASH_SHA2_384, "SHA2-384" },
	{ ISAKMP_HASH_SHA2_512, "SHA2-512" },
};

static const struct name p1_auth_names[] = {
	{ ISAKMP_AUTH_PSK, "pre-shared key" },
	{ ISAKMP_AUTH_DSS, "DSS signatures" },
	{ ISAKMP_AUTH_RSA_SIG, "RSA signatures" },
	{ ISAKMP_AUTH_RSA_ENC, "RSA encryption" },
	{ ISAKMP_AUTH_RSA_ENC_REV, "revised RSA encryption" },
	{ ISAKMP_AUTH_ECDSA_256, "ECDSA-256" },
	{ ISAKMP_AUTH_ECDSA_384, "ECDSA-384" },
	{ ISAKMP_AUTH_ECDSA_521, "ECDSA-521" },
};

static const struct name group_names[] = {
	{ ISAKMP_GROUP_MODP768, "MODP-768" },
	{ ISAKMP_GROUP_MODP1024, "MODP-1024" },
	{ ISAKMP_GROUP_EC2N155, "EC2N-155" },
	{ ISAKMP_GROUP_EC2N185, "EC2N-185" },
	{ ISAKMP_GROUP_MODP1536, "MODP-1536" },
	{ ISAKMP_GROUP_MODP2048, "MODP-2048" },
	{ ISAKMP_GROUP_MODP3072, "MODP-3072" },
	{ ISAKMP_GROUP_MODP4096, "MODP-4096" },
	{ ISAKMP_GROUP_MODP6144, "MODP-6144" },
	{ ISAKMP_GROUP_MODP8192, "MODP-8192" },
	{ ISAKMP_GROUP_ECP256, "ECP-256" },
	{ ISAKMP_GROUP_ECP384, "ECP-384" },
	{ ISAKMP_GROUP_ECP521, "ECP-521" },
	{ ISAKMP_GROUP_MODP1024_S160, "MODP-1024-S160" },
	{ ISAKMP_GROUP_MODP2048_S224, "MODP-2048-S224" },
	{ ISAKMP_GROUP_MODP2048_S256, "MODP-2048-S256" },
	{ ISAKMP_GROUP_ECP192, "ECP-192" },
	{ ISAKMP_GROUP_ECP224, "ECP-224" },
	{ ISAKMP_GROUP_BRAINPOOL224, "ECP-224-BP" },
	{ ISAKMP_GROUP_BRAINPOOL256, "ECP-256-BP" },
	{ ISAKMP_GROUP_BRAINPOOL384, "ECP-384-BP" },
	{ ISAKMP_GROUP_BRAINPOOL512, "ECP-512-BP" },
};

static const struct name group_type_names[] = {
	{ ISAKMP_GROUP_TYPE_MODP, "MODP" },
	{ ISAKMP_GROUP_TYPE_ECP, "ECP" },
	{ ISAKMP_GROUP_TYPE_EC2N, "EC2N" },
};

static const struct name life_type_names[] = {
	{ ISAKMP_LIFE_SECONDS, "seconds" },
	{ ISAKMP_LIFE_KILOBYTES, "kilobytes" },
};

static const struct name p2_attr_names[] = {
	{ ISAKMP_P2_LIFE_TYPE, "SA Life Type" },
	{ ISAKMP_P2_LIFE_DURATION, "SA Life Duration" },
	{ ISAKMP_P2_GROUP_DESC, "Group Description" },
	{ ISAKMP_P2_ENCAP, "Encapsulation Mode" },
	{ ISAKMP_P2_AUTH, "Authentication Algorithm" },
	{ ISAKMP_P2_KEY_LENGTH, "Key Length" },
	{ ISAKMP_P2_KEY_ROUNDS, "Key Rounds" },
	{ ISAKMP_P2_COMP_DICT_SIZE, "Compress Dictionary Size" },
	{ ISAKMP_P2_COMP_PRIV_ALG, "Compress Private Algorithm" },
	{ ISAKMP_P2_ECN_TUNNEL, "ECN Tunnel" },
	{ ISAKMP_P2_ESN, "Extended Sequence Number" },
};

static const struct name encap_names[] = {
	{ ISAKMP_ENCAP_TUNNEL, "Tunnel" },
	{ ISAKMP_ENCAP_TRANSPORT, "Transport" },
	{ ISAKMP_ENCAP_UDP_TUNNEL, "UDP-Encapsulated-Tunnel" },
	{ ISAKMP_ENCAP_UDP_TRANSPORT, "UDP-Encapsulated-Transport" },
	{ ISAKMP_ENCAP_UDP_TUNNEL_DRAFT, "UDP-Encapsulated-Tunnel (draft)" },
	{ ISAKMP_ENCAP_UDP_TRANSPORT_DRAFT, "UDP-Encapsulated-Transport (draft)" },
};

static const struct name auth_alg_names[] = {
	{ ISAKMP_AUTH_HMAC_MD5, "HMAC-MD5" },
	{ ISAKMP_AUTH_HMAC_SHA, "HMAC-SHA" },
	{ ISAKMP_AUTH_DES_MAC, "DES-MAC" },
	{ ISAKMP_AUTH_KPDK, "KPDK" },
	{ ISAKMP_AUTH_HMAC_SHA2_256, "HMAC-SHA2-256" },
	{ ISAKMP_AUTH_HMAC_SHA2_384, "HMAC-SHA2-384" },
	{ ISAKMP_AUTH_HMAC_SHA2_512, "HMAC-SHA2-512" },
	{ ISAKMP_AUTH_HMAC_RIPEMD, "HMAC-RIPEMD" },
	{ ISAKMP_AUTH_AES_XCBC_MAC, "AES-XCBC-MAC" },
	{ ISAKMP_AUTH_SIG_RSA, "SIG-RSA" },
	{ ISAKMP_AUTH_AES_128_GMAC, "AES-128-GMAC" },
	{ ISAKMP_AUTH_AES_192_GMAC, "AES-192-GMAC" },
	{ ISAKMP_AUTH_AES_256_GMAC, "AES-256-GMAC" },
};

static const struct name esn_names[] = {
	{ ISAKMP_ESN_ON, "on" },
};

static const struct name id_names[] = {
	{ ISAKMP_ID_IPV4_ADDR, "ID_IPV4_ADDR" },
	{ ISAKMP_ID_FQDN, "ID_FQDN" },
	{ ISAKMP_ID_USER_FQDN, "ID_USER_FQDN" },
	{ ISAKMP_ID_IPV4_ADDR_SUBNET, "ID_IPV4_ADDR_SUBNET" },
	{ ISAKMP_ID_IPV6_ADDR, "ID_IPV6_ADDR" },
	{ ISAKMP_ID_IPV6_ADDR_SUBNET, "ID_IPV6_ADDR_SUBNET" },
	{ ISAKMP_ID_IPV4_ADDR_RANGE, "ID_IPV4_ADDR_RANGE" },
	{ ISAKMP_ID_IPV6_ADDR_RANGE, "ID_IPV6_ADDR_RANGE" },
	{ ISAKMP_ID_DER_ASN1_DN, "ID_DER_ASN1_DN" },
	{ ISAKMP_ID_DER_ASN1_GN, "ID_DER_ASN1_GN" },
	{ ISAKMP_ID_KEY_ID, "ID_KEY_ID" },
};

static const struct name cert_names[] = {
	{ ISAKMP_CERT_PKCS7, "PKCS #7 wrapped X.509" },
	{ ISAKMP_CERT_PGP, "PGP" },
	{ ISAKMP_CERT_DNS_KEY, "DNS signed key" },
	{ ISAKMP_CERT_X509_SIG, "X.509 signature" },
	{ ISAKMP_CERT_X509_KE, "X.509 key exchange" },
	{ ISAKMP_CERT_KERBEROS, "Kerberos tokens" },
	{ ISAKMP_CERT_CRL, "CRL" },
	{ ISAKMP_CERT_ARL, "ARL" },
	{ ISAKMP_CERT_SPKI, "SPKI" },
	{ ISAKMP_CERT_X509_ATTR, "X.509 attribute" },
};

static const struct name notify_names[] = {
	{ ISAKMP_N_INVALID_PAYLOAD_TYPE, "INVALID-PAYLOAD-TYPE" },
	{ ISAKMP_N_DOI_NOT_SUPPORTED, "DOI-NOT-SUPPORTED" },
	{ ISAKMP_N_SITUATION_NOT_SUPPORTED, "SITUATION-NOT-SUPPORTED" },
	{ ISAKMP_N_INVALID_COOKIE, "INVALID-COOKIE" },
	{ ISAKMP_N_INVALID_MAJOR_VERSION, "INVALID-MAJOR-VERSION" },
	{ ISAKMP_N_INVALID_MINOR_VERSION, "INVALID-MINOR-VERSION" },
	{ ISAKMP_N_INVALID_EXCHANGE_TYPE, "INVALID-EXCHANGE-TYPE" },
	{ ISAKMP_N_INVALID_FLAGS, "INVALID-FLAGS" },
	{ ISAKMP_N_INVALID_MESSAGE_ID, "INVALID-MESSAGE-ID" },
	{ ISAKMP_N_INVALID_PROTOCOL_ID, "INVALID-PROTOCOL-ID" },
	{ ISAKMP_N_INVALID_SPI, "INVALID-SPI" },
	{ ISAKMP_N_INVALID_TRANSFORM_ID, "INVALID-TRANSFORM-ID" },
	{ ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED, "ATTRIBUTES-NOT-SUPPORTED" },
	{ ISAKMP_N_NO_PROPOSAL_CHOSEN, "NO-PROPOSAL-CHOSEN" },
	{ ISAKMP_N_BAD_PROPOSAL_SYNTAX, "BAD-PROPOSAL-SYNTAX" },
	{ ISAKMP_N_PAYLOAD_MALFORMED, "PAYLOAD-MALFORMED" },
	{ ISAKMP_N_INVALID_KEY_INFORMATION, "INVALID-KEY-INFORMATION" },
	{ ISAKMP_N_INVALID_ID_INFORMATION, "INVALID-ID-INFORMATION" },
	{ ISAKMP_N_INVALID_CERT_ENCODING, "INVALID-CERT-ENCODING" },
	{ ISAKMP_N_INVALID_CERTIFICATE, "INVALID-CERTIFICATE" },
	{ ISAKMP_N_CERT_TYPE_UNSUPPORTED, "CERT-TYPE-UNSUPPORTED" },
	{ ISAKMP_N_INVALID_CERT_AUTHORITY, "INVALID-CERT-AUTHORITY" },
	{ ISAKMP_N_INVALID_HASH_INFORMATION, "INVALID-HASH-INFORMATION" },
	{ ISAKMP_N_AUTHENTICATION_FAILED, "AUTHENTICATION-FAILED" },
	{ ISAKMP_N_INVALID_SIGNATURE, "INVALID-SIGNATURE" },
	{ ISAKMP_N_ADDRESS_NOTIFICATION, "ADDRESS-NOTIFICATION" },
	{ ISAKMP_N_NOTIFY_SA_LIFETIME, "NOTIFY-SA-LIFETIME" },
	{ ISAKMP_N_CERTIFICATE_UNAVAILABLE, "CERTIFICATE-UNAVAILABLE" },
	{ ISAKMP_N_UNSUPPORTED_EXCHANGE_TYPE, "UNSUPPORTED-EXCHANGE-TYPE" },
	{ ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS, "UNEQUAL-PAYLOAD-LENGTHS" },
	{ ISAKMP_N_CONNECTED, "CONNECTED" },
	{ ISAKMP_N_RESPONDER_LIFETIME, "RESPONDER-LIFETIME" },
	{ ISAKMP_N_REPLAY_STATUS, "REPLAY-STATUS" },
	{ ISAKMP_N_INITIAL_CONTACT, "INITIAL-CONTACT" },
	{ ISAKMP_N_R_U_THERE, "R-U-THERE" },
	{ ISAKMP_N_R_U_THERE_ACK, "R-U-THERE-ACK" },
};

NAME_FN(isakmp_exchange_name, uint8_t, exchange_names)
NAME_FN(isakmp_payload_name, uint8_t, payload_names)
NAME_FN(isakmp_doi_name, uint32_t, doi_names)
NAME_FN(isakmp_proto_name, uint8_t, proto_names)
NAME_FN(isakmp_ah_name, uint8_t, ah_names)
NAME_FN(isakmp_esp_name, uint8_t, esp_names)
NAME_FN(isakmp_ipcomp_name, uint8_t, ipcomp_names)
NAME_FN(isakmp_p1_attr_name, uint16_t, p1_attr_names)
NAME_FN(isakmp_p1_enc_name, uint32_t, p1_enc_names)
NAME_FN(isakmp_p1_hash_name, uint32_t, p1_hash_names)
NAME_FN(isakmp_p1_auth_name, uint32_t, p1_auth_names)
NAME_FN(isakmp_group_name, uint32_t, group_names)
NAME_FN(isakmp_group_type_name, uint32_t, group_type_names)
NAME_FN(isakmp_life_type_name, uint32_t, life_type_names)
NAME_FN(isakmp_p2_attr_name, uint16_t, p2_attr_names)
NAME_FN(isakmp_encap_name, uint32_t, encap_names)
NAME_FN(isakmp_auth_alg_name, uint32_t, auth_alg_names)
NAME_FN(isakmp_id_name, uint8_t, id_names)
NAME_FN(isakmp_cert_name, uint8_t, cert_names)
NAME_FN(isakmp_notify_name, uint16_t, notify_names)

const char *isakmp_transform_name(uint8_t proto, uint8_t id)
{
	switch (proto) {
	case ISAKMP_PROTO_ISAKMP:
		return lookup(ike_transform_names, ARRAY_SIZE(ike_transform_names), id);
	case ISAKMP_PROTO_AH:
		return isakmp_ah_name(id);
	case ISAKMP_PROTO_ESP:
		return isakmp_esp_name(id);
	case ISAKMP_PROTO_IPCOMP:
		return isakmp_ipcomp_name(id);
	}
	return "unknown";
}

/* Names of the values of the attribute classes that have a registry; numbers have none. */
const char *isakmp_p1_value_name(uint16_t type, uint32_t value)
{
	switch (type) {
	case ISAKMP_P1_ENC:
		return isakmp_p1_enc_name(value);
	case ISAKMP_P1_HASH:
	case ISAKMP_P1_PRF:	/* no PRF is registered: RFC 2409 uses the HMAC of the hash */
		return isakmp_p1_hash_name(value);
	case ISAKMP_P1_AUTH:
		return isakmp_p1_auth_name(value);
	case ISAKMP_P1_GROUP_DESC:
		return isakmp_group_name(value);
	case ISAKMP_P1_GROUP_TYPE:
		return isakmp_group_type_name(value);
	case ISAKMP_P1_LIFE_TYPE:
		return isakmp_life_type_name(value);
	}
	return "unknown";
}

const char *isakmp_p2_value_name(uint16_t type, uint32_t value)
{
	switch (type) {
	case ISAKMP_P2_LIFE_TYPE:
		return isakmp_life_type_name(value);
	case ISAKMP_P2_GROUP_DESC:
		return isakmp_group_name(value);
	case ISAKMP_P2_ENCAP:
		return isakmp_encap_name(value);
	case ISAKMP_P2_AUTH:
		return isakmp_auth_alg_name(value);
	case ISAKMP_P2_ESN:
		return lookup(esn_names, ARRAY_SIZE(esn_names), value);
	}
	return "unknown";
}

/* --- Errors ----------------------------------------------------------------------------- */

static int vfail(struct isakmp_err *err, int notify, const char *prefix, const char *fmt,
		 va_list ap)
{
	int n;

	if (!err)
		return -EBADMSG;
	err->notify = notify;
	n = snprintf(err->msg, sizeof(err->msg), "%s", prefix);
	if (n >= 0 && (size_t)n < sizeof(err->msg))
		vsnprintf(err->msg + n, sizeof(err->msg) - (size_t)n, fmt, ap);
	return -EBADMSG;
}

__attribute__((format(printf, 3, 4)))
static int fail(struct isakmp_err *err, int notify, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vfail(err, notify, "", fmt, ap);
	va_end(ap);
	return ret;
}

/* --- Header ----------------------------------------------------------------------------- */

static bool exchange_known(uint8_t exchange)
{
	switch (exchange) {
	case ISAKMP_EXCH_BASE:
	case ISAKMP_EXCH_IDPROT:
	case ISAKMP_EXCH_AUTH_ONLY:
	case ISAKMP_EXCH_AGGRESSIVE:
	case ISAKMP_EXCH_INFO:
	case ISAKMP_EXCH_QUICK:
	case ISAKMP_EXCH_NEW_GROUP:
		return true;
	}
	return false;
}

static int hdr_validate(size_t len, struct isakmp_err *err)
{
	if (len < ISAKMP_HDR_LEN)
		return fail(err, ISAKMP_N_PAYLOAD_MALFORMED,
			    "header: message is %zu bytes, shorter than the %d-byte header",
			    len, ISAKMP_HDR_LEN);
	if (len > ISAKMP_MSG_MAX)
		return fail(err, ISAKMP_N_PAYLOAD_MALFORMED,
			    "header: message is %zu bytes, over the %d-byte limit",
			    len, ISAKMP_MSG_MAX);
	return 0;
}

static void hdr_read(const uint8_t *buf, struct isakmp_hdr *hdr)
{
	memcpy(hdr->icookie, buf, ISAKMP_COOKIE_LEN);
	memcpy(hdr->rcookie, buf + HDR_RCOOKIE, ISAKMP_COOKIE_LEN);
	hdr->next = buf[HDR_NEXT];
	hdr->version = buf[HDR_VERSION];
	hdr->exchange = buf[HDR_EXCHANGE];
	hdr->flags = buf[HDR_FLAGS];
	hdr->msgid = get32(buf + HDR_MSGID);
	hdr->length = get32(buf + HDR_LENGTH);
}

/* Phase 1 exchanges run under message ID 0, quick mode under one the initiator picked. */
static int hdr_check_msgid(const struct isakmp_hdr *hdr, struct isakmp_err *err)
{
	bool phase1 = hdr->exchange == ISAKMP_EXCH_IDPROT ||
		      hdr->exchange == ISAKMP_EXCH_AGGRESSIVE;

	if (phase1 && hdr->msgid != 0)
		return fail(err, ISAKMP_N_INVALID_MESSAGE_ID,
			    "header: %s with message ID 0x%08x, not 0",
			    isakmp_exchange_name(hdr->exchange), hdr->msgid);
	if (hdr->exchange == ISAKMP_EXCH_QUICK && hdr->msgid == 0)
		return fail(err, ISAKMP_N_INVALID_MESSAGE_ID,
			    "header: Quick Mode with message ID 0");
	return 0;
}

int isakmp_hdr_parse(const uint8_t *buf, size_t len, struct isakmp_hdr *hdr,
		     struct isakmp_err *err)
{
	if (hdr_validate(len, err))
		return -EBADMSG;
	hdr_read(buf, hdr);

	if (hdr->version >> VERSION_MAJOR_SHIFT != 1)
		return fail(err, ISAKMP_N_INVALID_MAJOR_VERSION, "header: version %u.%u, not 1.0",
			    hdr->version >> VERSION_MAJOR_SHIFT,
			    hdr->version & VERSION_MINOR_MASK);
	if ((hdr->version & VERSION_MINOR_MASK) != 0)
		return fail(err, ISAKMP_N_INVALID_MINOR_VERSION, "header: version 1.%u, not 1.0",
			    hdr->version & VERSION_MINOR_MASK);
	if (hdr->length != len)
		return fail(err, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS,
			    "header: length %u, but the message is %zu bytes", hdr->length, len);
	if (!exchange_known(hdr->exchange))
		return fail(err, ISAKMP_N_INVALID_EXCHANGE_TYPE, "header: unknown exchange type %u",
			    hdr->exchange);
	if (hdr->flags & ~ISAKMP_FLAGS_ALL)
		return fail(err, ISAKMP_N_INVALID_FLAGS, "header: unknown flags 0x%02x",
			    hdr->flags & ~ISAKMP_FLAGS_ALL);
	if (all_zero(hdr->icookie, ISAKMP_COOKIE_LEN))
		return fail(err, ISAKMP_N_INVALID_COOKIE, "header: initiator cookie is zero");
	return hdr_check_msgid(hdr, err);
}

/* --- Payload chain ---------------------------------------------------------------------- */

static bool top_level_type(uint8_t type)
{
	switch (type) {
	case ISAKMP_PL_SA:
	case ISAKMP_PL_KE:
	case ISAKMP_PL_ID:
	case ISAKMP_PL_CERT:
	case ISAKMP_PL_CR:
	case ISAKMP_PL_HASH:
	case ISAKMP_PL_SIG:
	case ISAKMP_PL_NONCE:
	case ISAKMP_PL_N:
	case ISAKMP_PL_D:
	case ISAKMP_PL_VID:
	case ISAKMP_PL_NATD:
	case ISAKMP_PL_NATOA:
	case ISAKMP_PL_NATD_DRAFT:
	case ISAKMP_PL_NATOA_DRAFT:
		return true;
	}
	return false;
}

/* The payload of type at g, number n in the chain, with left bytes from g to the end. */
static int gen_validate(const uint8_t *g, size_t left, unsigned int n, uint8_t type,
			struct isakmp_err *err)
{
	const char *name = isakmp_payload_name(type);
	uint16_t len;

	if (type == ISAKMP_PL_P || type == ISAKMP_PL_T)
		return fail(err, ISAKMP_N_INVALID_PAYLOAD_TYPE,
			    "payload %u: %s outside an SA", n, name);
	if (!top_level_type(type))
		return fail(err, ISAKMP_N_INVALID_PAYLOAD_TYPE,
			    "payload %u: unknown type %u", n, type);
	if (left < ISAKMP_GEN_HDR_LEN)
		return fail(err, ISAKMP_N_PAYLOAD_MALFORMED,
			    "payload %u (%s): truncated header, %zu bytes left", n, name, left);
	if (g[GEN_RESERVED])
		return fail(err, ISAKMP_N_PAYLOAD_MALFORMED,
			    "payload %u (%s): reserved byte is 0x%02x, not 0", n, name,
			    g[GEN_RESERVED]);
	len = get16(g + GEN_LENGTH);
	if (len < ISAKMP_GEN_HDR_LEN)
		return fail(err, ISAKMP_N_PAYLOAD_MALFORMED,
			    "payload %u (%s): length %u, shorter than its header", n, name, len);
	if (len > left)
		return fail(err, ISAKMP_N_PAYLOAD_MALFORMED,
			    "payload %u (%s): length %u, but %zu bytes left", n, name, len, left);
	return 0;
}

int isakmp_chain_parse(uint8_t first, const uint8_t *body, size_t len, unsigned int flags,
		       struct isakmp_chain *chain, struct isakmp_err *err)
{
	uint8_t type = first;
	size_t off = 0;

	chain->count = 0;
	chain->end = 0;
	while (type != ISAKMP_PL_NONE) {
		const uint8_t *g = body + off;
		struct isakmp_payload *pld;

		if (chain->count == ISAKMP_CHAIN_MAX)
			return fail(err, ISAKMP_N_PAYLOAD_MALFORMED,
				    "more than %d payloads", ISAKMP_CHAIN_MAX);
		if (gen_validate(g, len - off, chain->count + 1, type, err))
			return -EBADMSG;

		pld = &chain->pld[chain->count++];
		pld->type = type;
		pld->offset = off;
		pld->data = g + ISAKMP_GEN_HDR_LEN;
		pld->len = get16(g + GEN_LENGTH) - ISAKMP_GEN_HDR_LEN;
		type = g[GEN_NEXT];
		off += ISAKMP_GEN_HDR_LEN + pld->len;
	}
	chain->end = off;
	if (off < len && !(flags & ISAKMP_CHAIN_PADDED))
		return fail(err, ISAKMP_N_PAYLOAD_MALFORMED,
			    "%zu bytes after the last payload", len - off);
	return 0;
}

const struct isakmp_payload *isakmp_chain_find(const struct isakmp_chain *chain, uint8_t type,
					       unsigned int nth)
{
	for (unsigned int i = 0; i < chain->count; i++)
		if (chain->pld[i].type == type && nth-- == 0)
			return &chain->pld[i];
	return NULL;
}

unsigned int isakmp_chain_count(const struct isakmp_chain *chain, uint8_t type)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < chain->count; i++)
		n += chain->pld[i].type == type;
	return n;
}

/* --- SA --------------------------------------------------------------------------------- */

/* Where the SA decoder is, for messages, and how much of the pools it used. */
struct sa_ctx {
	struct isakmp_sa *sa;
	struct isakmp_err *err;
	unsigned int prop;		/* position of the proposal being read, from 1 */
	unsigned int xf;		/* same for the transform, 0 when between them */
	unsigned int ntransforms;	/* of transform_pool */
	unsigned int nattrs;		/* of attr_pool */
};

__attribute__((format(printf, 3, 4)))
static int sa_fail(struct sa_ctx *c, int notify, const char *fmt, ...)
{
	char prefix[48];
	va_list ap;
	int n = snprintf(prefix, sizeof(prefix), "SA: ");

	if (c->prop)
		n += snprintf(prefix + n, sizeof(prefix) - (size_t)n, "proposal %u: ", c->prop);
	if (c->xf)
		snprintf(prefix + n, sizeof(prefix) - (size_t)n, "transform %u: ", c->xf);
	va_start(ap, fmt);
	vfail(c->err, notify, prefix, fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

/*
 * A P or T payload inside an SA at g, left bytes before its parent's end; next is what
 * its next-payload field may say besides 0.
 */
static int sub_validate(struct sa_ctx *c, const uint8_t *g, size_t left, size_t fixed,
			uint8_t next)
{
	const char *what = next == ISAKMP_PL_P ? "proposal" : "transform";
	uint16_t len;

	if (left < fixed)
		return sa_fail(c, ISAKMP_N_PAYLOAD_MALFORMED, "%zu bytes left, %s needs %zu",
			       left, what, fixed);
	if (g[GEN_NEXT] != next && g[GEN_NEXT] != ISAKMP_PL_NONE)
		return sa_fail(c, ISAKMP_N_BAD_PROPOSAL_SYNTAX, "next payload %u, not %u or 0",
			       g[GEN_NEXT], next);
	if (g[GEN_RESERVED])
		return sa_fail(c, ISAKMP_N_PAYLOAD_MALFORMED, "reserved byte is 0x%02x, not 0",
			       g[GEN_RESERVED]);
	len = get16(g + GEN_LENGTH);
	if (len < fixed || len > left)
		return sa_fail(c, ISAKMP_N_PAYLOAD_MALFORMED,
			       "length %u, not within %zu..%zu", len, fixed, left);
	return 0;
}

static int attr_validate(struct sa_ctx *c, const uint8_t *a, size_t left)
{
	uint16_t type, len;

	if (left < ATTR_HDR)
		return sa_fail(c, ISAKMP_N_PAYLOAD_MALFORMED,
			       "%zu bytes after the last attribute", left);
	type = get16(a) & ISAKMP_ATTR_TYPE_MASK;
	if (get16(a) & ISAKMP_ATTR_AF_TV)
		return 0;
	len = get16(a + 2);
	if (len > left - ATTR_HDR)
		return sa_fail(c, ISAKMP_N_PAYLOAD_MALFORMED,
			       "attribute %u is %u bytes long, past the transform's end",
			       type, len);
	return 0;
}

/* Returns the attribute's size on the wire. */
static size_t attr_read(const uint8_t *a, struct isakmp_attr *attr)
{
	uint16_t af_type = get16(a);

	*attr = (struct isakmp_attr){ .type = af_type & ISAKMP_ATTR_TYPE_MASK };
	if (af_type & ISAKMP_ATTR_AF_TV) {
		attr->is_tv = true;
		attr->value = get16(a + 2);
		return ATTR_HDR;
	}
	attr->len = get16(a + 2);
	attr->data = a + ATTR_HDR;
	for (unsigned int i = 0; attr->len <= sizeof(attr->value) && i < attr->len; i++)
		attr->value = attr->value << 8 | attr->data[i];
	return ATTR_HDR + attr->len;
}

static int attrs_decode(struct sa_ctx *c, struct isakmp_transform *xf, const uint8_t *p,
			size_t len)
{
	struct isakmp_attr *attrs = &c->sa->attr_pool[c->nattrs];
	size_t off = 0;

	xf->attrs = attrs;
	xf->nattrs = 0;
	while (off < len) {
		if (xf->nattrs == ISAKMP_ATTRS_MAX)
			return sa_fail(c, ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED,
				       "more than %d attributes", ISAKMP_ATTRS_MAX);
		if (c->nattrs == ISAKMP_SA_ATTRS_MAX)
			return sa_fail(c, ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED,
				       "more than %d attributes in the SA", ISAKMP_SA_ATTRS_MAX);
		if (attr_validate(c, p + off, len - off))
			return -EBADMSG;
		off += attr_read(p + off, &attrs[xf->nattrs++]);
		c->nattrs++;
	}
	return 0;
}

/* The transform at g, already validated, length len. */
static int xf_read(struct sa_ctx *c, const uint8_t *g, size_t len, struct isakmp_transform *xf)
{
	if (get16(g + 6))
		return sa_fail(c, ISAKMP_N_PAYLOAD_MALFORMED, "reserved field is 0x%04x, not 0",
			       get16(g + 6));
	xf->number = g[4];
	xf->id = g[5];
	return attrs_decode(c, xf, g + XF_FIXED, len - XF_FIXED);
}

static int transforms_decode(struct sa_ctx *c, struct isakmp_proposal *prop, const uint8_t *p,
			     size_t len)
{
	struct isakmp_transform *xfs = &c->sa->transform_pool[c->ntransforms];
	uint8_t next = ISAKMP_PL_T;
	size_t off = 0;

	prop->transforms = xfs;
	prop->ntransforms = 0;
	while (next != ISAKMP_PL_NONE) {
		uint16_t xlen;

		c->xf = prop->ntransforms + 1;
		if (c->ntransforms == ISAKMP_TRANSFORMS_MAX)
			return sa_fail(c, ISAKMP_N_BAD_PROPOSAL_SYNTAX,
				       "more than %d transforms in the SA", ISAKMP_TRANSFORMS_MAX);
		if (sub_validate(c, p + off, len - off, XF_FIXED, ISAKMP_PL_T))
			return -EBADMSG;
		next = p[off + GEN_NEXT];
		xlen = get16(p + off + GEN_LENGTH);
		if (xf_read(c, p + off, xlen, &xfs[prop->ntransforms]))
			return -EBADMSG;
		prop->ntransforms++;
		c->ntransforms++;
		off += xlen;
	}
	c->xf = 0;
	if (off != len)
		return sa_fail(c, ISAKMP_N_PAYLOAD_MALFORMED,
			       "%zu bytes after the last transform", len - off);
	return 0;
}

static bool prop_spi_size_ok(uint8_t proto, uint8_t size)
{
	switch (proto) {
	case ISAKMP_PROTO_ISAKMP:	/* RFC 2408 2.4: the cookies; most send none */
		return size == 0 || size == ISAKMP_SA_SPI_LEN || size == ISAKMP_SPI_MAX;
	case ISAKMP_PROTO_AH:
	case ISAKMP_PROTO_ESP:
		return size == ISAKMP_ESP_SPI_LEN;
	case ISAKMP_PROTO_IPCOMP:
		return size == ISAKMP_CPI_LEN || size == ISAKMP_ESP_SPI_LEN;
	}
	return false;
}

/* The fixed part of the proposal at g (validated), up to its SPI; prev, the one before. */
static int prop_check(struct sa_ctx *c, const uint8_t *g, size_t len,
		      const struct isakmp_proposal *prev)
{
	uint8_t number = g[4], proto = g[5], spi_size = g[6], ntransforms = g[7];

	if (prev && number < prev->number)
		return sa_fail(c, ISAKMP_N_BAD_PROPOSAL_SYNTAX,
			       "number %u after %u: numbers must not decrease", number,
			       prev->number);
	if (proto < ISAKMP_PROTO_ISAKMP || proto > ISAKMP_PROTO_IPCOMP)
		return sa_fail(c, ISAKMP_N_INVALID_PROTOCOL_ID, "unknown protocol %u", proto);
	if (!prop_spi_size_ok(proto, spi_size))
		return sa_fail(c, ISAKMP_N_INVALID_SPI, "SPI size %u is wrong for %s", spi_size,
			       isakmp_proto_name(proto));
	if (spi_size > len - PROP_FIXED)
		return sa_fail(c, ISAKMP_N_PAYLOAD_MALFORMED,
			       "%u-byte SPI past the proposal's end", spi_size);
	if (ntransforms == 0)
		return sa_fail(c, ISAKMP_N_BAD_PROPOSAL_SYNTAX, "no transforms");
	return 0;
}

static int prop_read(struct sa_ctx *c, const uint8_t *g, size_t len,
		     struct isakmp_proposal *prop, const struct isakmp_proposal *prev)
{
	uint8_t declared;

	if (prop_check(c, g, len, prev))
		return -EBADMSG;
	prop->number = g[4];
	prop->proto = g[5];
	prop->spi_size = g[6];
	declared = g[7];
	memset(prop->spi, 0, sizeof(prop->spi));
	memcpy(prop->spi, g + PROP_FIXED, prop->spi_size);
	if (transforms_decode(c, prop, g + PROP_FIXED + prop->spi_size,
			      len - PROP_FIXED - prop->spi_size))
		return -EBADMSG;
	if (prop->ntransforms != declared)
		return sa_fail(c, ISAKMP_N_BAD_PROPOSAL_SYNTAX,
			       "%u transforms, but the proposal says %u", prop->ntransforms,
			       declared);
	return 0;
}

static int proposals_decode(struct sa_ctx *c, const uint8_t *p, size_t len)
{
	struct isakmp_sa *sa = c->sa;
	uint8_t next = ISAKMP_PL_P;
	size_t off = 0;

	while (next != ISAKMP_PL_NONE) {
		const struct isakmp_proposal *prev =
			sa->nproposals ? &sa->proposals[sa->nproposals - 1] : NULL;
		uint16_t plen;

		c->prop = sa->nproposals + 1;
		if (sa->nproposals == ISAKMP_PROPOSALS_MAX)
			return sa_fail(c, ISAKMP_N_BAD_PROPOSAL_SYNTAX,
				       "more than %d proposals", ISAKMP_PROPOSALS_MAX);
		if (sub_validate(c, p + off, len - off, PROP_FIXED, ISAKMP_PL_P))
			return -EBADMSG;
		next = p[off + GEN_NEXT];
		plen = get16(p + off + GEN_LENGTH);
		if (prop_read(c, p + off, plen, &sa->proposals[sa->nproposals], prev))
			return -EBADMSG;
		sa->nproposals++;
		off += plen;
	}
	c->prop = 0;
	if (off != len)
		return sa_fail(c, ISAKMP_N_PAYLOAD_MALFORMED,
			       "%zu bytes after the last proposal", len - off);
	return 0;
}

int isakmp_sa_decode(const struct isakmp_payload *pld, struct isakmp_sa *sa,
		     struct isakmp_err *err)
{
	struct sa_ctx c = { .sa = sa, .err = err };

	sa->nproposals = 0;
	if (pld->len < SA_FIXED)
		return sa_fail(&c, ISAKMP_N_PAYLOAD_MALFORMED,
			       "%zu bytes, shorter than DOI and situation", pld->len);
	sa->doi = get32(pld->data);
	sa->situation = get32(pld->data + 4);
	if (sa->doi != ISAKMP_DOI_IPSEC)
		return sa_fail(&c, ISAKMP_N_DOI_NOT_SUPPORTED, "DOI %u, not IPsec (1)", sa->doi);
	if (sa->situation != ISAKMP_SIT_IDENTITY_ONLY)
		return sa_fail(&c, ISAKMP_N_SITUATION_NOT_SUPPORTED,
			       "situation 0x%x, not SIT_IDENTITY_ONLY", sa->situation);
	return proposals_decode(&c, pld->data + SA_FIXED, pld->len - SA_FIXED);
}

int isakmp_attr_u64(const struct isakmp_attr *attr, uint64_t *value, struct isakmp_err *err)
{
	uint64_t v = 0;

	if (attr->is_tv || !attr->data) {
		*value = attr->value;
		return 0;
	}
	if (attr->len == 0 || attr->len > ATTR_U64_MAX)
		return fail(err, ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED,
			    "attribute %u: %u-byte value, not 1 to %d", attr->type, attr->len,
			    ATTR_U64_MAX);
	for (unsigned int i = 0; i < attr->len; i++)
		v = v << 8 | attr->data[i];
	*value = v;
	return 0;
}

/* --- Other payloads --------------------------------------------------------------------- */

static int bytes_decode(const char *what, const struct isakmp_payload *pld, size_t min,
			size_t max, int notify, struct isakmp_bytes *out, struct isakmp_err *err)
{
	if (pld->len < min || pld->len > max) {
		if (max == SIZE_MAX)
			return fail(err, notify, "%s: %zu bytes, fewer than %zu", what, pld->len,
				    min);
		return fail(err, notify, "%s: %zu bytes, not %zu to %zu", what, pld->len, min,
			    max);
	}
	out->data = pld->data;
	out->len = pld->len;
	return 0;
}

int isakmp_ke_decode(const struct isakmp_payload *pld, struct isakmp_bytes *ke,
		     struct isakmp_err *err)
{
	return bytes_decode("KE", pld, 1, SIZE_MAX, ISAKMP_N_INVALID_KEY_INFORMATION, ke, err);
}

int isakmp_nonce_decode(const struct isakmp_payload *pld, struct isakmp_bytes *nonce,
			struct isakmp_err *err)
{
	return bytes_decode("NONCE", pld, ISAKMP_NONCE_MIN, ISAKMP_NONCE_MAX,
			    ISAKMP_N_PAYLOAD_MALFORMED, nonce, err);
}

int isakmp_hash_decode(const struct isakmp_payload *pld, struct isakmp_bytes *hash,
		       struct isakmp_err *err)
{
	return bytes_decode("HASH", pld, 1, SIZE_MAX, ISAKMP_N_INVALID_HASH_INFORMATION, hash,
			    err);
}

int isakmp_sig_decode(const struct isakmp_payload *pld, struct isakmp_bytes *sig,
		      struct isakmp_err *err)
{
	return bytes_decode("SIG", pld, 1, SIZE_MAX, ISAKMP_N_INVALID_SIGNATURE, sig, err);
}

int isakmp_vid_decode(const struct isakmp_payload *pld, struct isakmp_bytes *vid,
		      struct isakmp_err *err)
{
	return bytes_decode("VID", pld, 0, SIZE_MAX, ISAKMP_N_PAYLOAD_MALFORMED, vid, err);
}

int isakmp_natd_decode(const struct isakmp_payload *pld, struct isakmp_bytes *natd,
		       struct isakmp_err *err)
{
	return bytes_decode("NAT-D", pld, 1, SIZE_MAX, ISAKMP_N_PAYLOAD_MALFORMED, natd, err);
}

/* RFC 2407 4.6.2: the data length an ID type needs; 0 for "at least one byte", -1 unknown. */
static int id_data_len(uint8_t type)
{
	switch (type) {
	case ISAKMP_ID_IPV4_ADDR:
		return IPV4_LEN;
	case ISAKMP_ID_IPV4_ADDR_SUBNET:
	case ISAKMP_ID_IPV4_ADDR_RANGE:
		return 2 * IPV4_LEN;
	case ISAKMP_ID_IPV6_ADDR:
		return IPV6_LEN;
	case ISAKMP_ID_IPV6_ADDR_SUBNET:
	case ISAKMP_ID_IPV6_ADDR_RANGE:
		return 2 * IPV6_LEN;
	case ISAKMP_ID_FQDN:
	case ISAKMP_ID_USER_FQDN:
	case ISAKMP_ID_DER_ASN1_DN:
	case ISAKMP_ID_DER_ASN1_GN:
	case ISAKMP_ID_KEY_ID:
		return 0;
	}
	return -1;
}

int isakmp_id_decode(const struct isakmp_payload *pld, struct isakmp_id *id,
		     struct isakmp_err *err)
{
	const uint8_t *d = pld->data;
	size_t dlen;
	int need;

	if (pld->len < ID_FIXED)
		return fail(err, ISAKMP_N_PAYLOAD_MALFORMED,
			    "ID: %zu bytes, shorter than its %d-byte header", pld->len, ID_FIXED);
	dlen = pld->len - ID_FIXED;
	need = id_data_len(d[0]);
	if (need < 0)
		return fail(err, ISAKMP_N_INVALID_ID_INFORMATION, "ID: unknown type %u", d[0]);
	if (need > 0 && dlen != (size_t)need)
		return fail(err, ISAKMP_N_INVALID_ID_INFORMATION, "ID: %s needs %d bytes, has %zu",
			    isakmp_id_name(d[0]), need, dlen);
	if (need == 0 && dlen == 0)
		return fail(err, ISAKMP_N_INVALID_ID_INFORMATION, "ID: %s is empty",
			    isakmp_id_name(d[0]));
	*id = (struct isakmp_id){
		.type = d[0], .proto = d[1], .port = get16(d + 2),
		.data = d + ID_FIXED, .len = dlen,
	};
	return 0;
}

static bool cert_encoding_known(uint8_t encoding)
{
	return encoding >= ISAKMP_CERT_PKCS7 && encoding <= ISAKMP_CERT_X509_ATTR;
}

static int cert_read(const char *what, const struct isakmp_payload *pld,
		     struct isakmp_cert *cert, struct isakmp_err *err)
{
	if (pld->len < 1)
		return fail(err, ISAKMP_N_PAYLOAD_MALFORMED, "%s: empty", what);
	if (!cert_encoding_known(pld->data[0]))
		return fail(err, ISAKMP_N_INVALID_CERT_ENCODING, "%s: unknown encoding %u", what,
			    pld->data[0]);
	*cert = (struct isakmp_cert){
		.encoding = pld->data[0], .data = pld->data + 1, .len = pld->len - 1,
	};
	return 0;
}

int isakmp_cert_decode(const struct isakmp_payload *pld, struct isakmp_cert *cert,
		       struct isakmp_err *err)
{
	if (cert_read("CERT", pld, cert, err))
		return -EBADMSG;
	if (cert->len == 0)
		return fail(err, ISAKMP_N_INVALID_CERTIFICATE, "CERT: no certificate data");
	return 0;
}

/* An empty certificate authority asks for any certificate of the type. */
int isakmp_cr_decode(const struct isakmp_payload *pld, struct isakmp_cert *cr,
		     struct isakmp_err *err)
{
	return cert_read("CR", pld, cr, err);
}

static int doi_check(const char *what, uint32_t doi, struct isakmp_err *err)
{
	if (doi != ISAKMP_DOI_ISAKMP && doi != ISAKMP_DOI_IPSEC)
		return fail(err, ISAKMP_N_DOI_NOT_SUPPORTED, "%s: DOI %u, not ISAKMP or IPsec",
			    what, doi);
	return 0;
}

int isakmp_notify_decode(const struct isakmp_payload *pld, struct isakmp_notify *n,
			 struct isakmp_err *err)
{
	const uint8_t *d = pld->data;
	uint8_t spi_size;

	if (pld->len < NOTIFY_FIXED)
		return fail(err, ISAKMP_N_PAYLOAD_MALFORMED,
			    "N: %zu bytes, shorter than its %d-byte header", pld->len,
			    NOTIFY_FIXED);
	spi_size = d[5];
	if (doi_check("N", get32(d), err))
		return -EBADMSG;
	if (d[4] > ISAKMP_PROTO_IPCOMP)
		return fail(err, ISAKMP_N_INVALID_PROTOCOL_ID, "N: unknown protocol %u", d[4]);
	if (spi_size > ISAKMP_SPI_MAX)
		return fail(err, ISAKMP_N_INVALID_SPI, "N: SPI size %u, over %d", spi_size,
			    ISAKMP_SPI_MAX);
	if (spi_size > pld->len - NOTIFY_FIXED)
		return fail(err, ISAKMP_N_PAYLOAD_MALFORMED,
			    "N: %u-byte SPI past the payload's end", spi_size);
	if (get16(d + 6) == 0)
		return fail(err, ISAKMP_N_PAYLOAD_MALFORMED, "N: type 0");
	*n = (struct isakmp_notify){
		.doi = get32(d), .proto = d[4], .spi_size = spi_size, .type = get16(d + 6),
		.spi = d + NOTIFY_FIXED, .data = d + NOTIFY_FIXED + spi_size,
		.len = pld->len - NOTIFY_FIXED - spi_size,
	};
	return 0;
}

static bool delete_spi_size_ok(uint8_t proto, uint8_t size)
{
	switch (proto) {
	case ISAKMP_PROTO_ISAKMP:	/* RFC 2408 3.15: both cookies */
		return size == ISAKMP_SPI_MAX;
	case ISAKMP_PROTO_AH:
	case ISAKMP_PROTO_ESP:
		return size == ISAKMP_ESP_SPI_LEN;
	case ISAKMP_PROTO_IPCOMP:
		return size == ISAKMP_CPI_LEN || size == ISAKMP_ESP_SPI_LEN;
	}
	return false;
}

int isakmp_delete_decode(const struct isakmp_payload *pld, struct isakmp_delete *del,
			 struct isakmp_err *err)
{
	const uint8_t *d = pld->data;
	uint16_t count;
	size_t need;

	if (pld->len < DELETE_FIXED)
		return fail(err, ISAKMP_N_PAYLOAD_MALFORMED,
			    "D: %zu bytes, shorter than its %d-byte header", pld->len,
			    DELETE_FIXED);
	if (doi_check("D", get32(d), err))
		return -EBADMSG;
	if (d[4] < ISAKMP_PROTO_ISAKMP || d[4] > ISAKMP_PROTO_IPCOMP)
		return fail(err, ISAKMP_N_INVALID_PROTOCOL_ID, "D: unknown protocol %u", d[4]);
	if (!delete_spi_size_ok(d[4], d[5]))
		return fail(err, ISAKMP_N_INVALID_SPI, "D: SPI size %u is wrong for %s", d[5],
			    isakmp_proto_name(d[4]));
	count = get16(d + 6);
	if (count == 0)
		return fail(err, ISAKMP_N_PAYLOAD_MALFORMED, "D: no SPIs");
	need = (size_t)count * d[5];
	if (need != pld->len - DELETE_FIXED)
		return fail(err, ISAKMP_N_PAYLOAD_MALFORMED,
			    "D: %u SPIs of %u bytes need %zu bytes, the payload has %zu", count,
			    d[5], need, pld->len - DELETE_FIXED);
	*del = (struct isakmp_delete){
		.doi = get32(d), .proto = d[4], .spi_size = d[5], .count = count,
		.spis = d + DELETE_FIXED,
	};
	return 0;
}

int isakmp_natoa_decode(const struct isakmp_payload *pld, struct isakmp_natoa *oa,
			struct isakmp_err *err)
{
	const uint8_t *d = pld->data;
	size_t need;

	if (pld->len < NATOA_FIXED)
		return fail(err, ISAKMP_N_PAYLOAD_MALFORMED,
			    "NAT-OA: %zu bytes, shorter than its %d-byte header", pld->len,
			    NATOA_FIXED);
	if (d[0] == ISAKMP_ID_IPV4_ADDR)
		need = IPV4_LEN;
	else if (d[0] == ISAKMP_ID_IPV6_ADDR)
		need = IPV6_LEN;
	else
		return fail(err, ISAKMP_N_INVALID_ID_INFORMATION,
			    "NAT-OA: type %u, not an IPv4 or IPv6 address", d[0]);
	if (!all_zero(d + 1, NATOA_FIXED - 1))
		return fail(err, ISAKMP_N_PAYLOAD_MALFORMED, "NAT-OA: reserved bytes not 0");
	if (pld->len - NATOA_FIXED != need)
		return fail(err, ISAKMP_N_PAYLOAD_MALFORMED, "NAT-OA: %s needs %zu bytes, has %zu",
			    isakmp_id_name(d[0]), need, pld->len - NATOA_FIXED);
	*oa = (struct isakmp_natoa){ .id_type = d[0], .addr = d + NATOA_FIXED, .len = need };
	return 0;
}

/* --- Builder ---------------------------------------------------------------------------- */

void isakmp_buf_init(struct isakmp_buf *b, uint8_t *p, size_t cap)
{
	*b = (struct isakmp_buf){ .p = p, .cap = cap, .link = SIZE_MAX };
}

/* n bytes at the end of the buffer, or NULL (and overflow, for good) when they don't fit. */
static uint8_t *reserve(struct isakmp_buf *b, size_t n)
{
	uint8_t *q;

	if (b->overflow || n > b->cap - b->len) {
		b->overflow = true;
		return NULL;
	}
	q = b->p + b->len;
	b->len += n;
	return q;
}

void isakmp_put_raw(struct isakmp_buf *b, const void *data, size_t len)
{
	uint8_t *q = reserve(b, len);

	if (!q || !len)
		return;
	if (data)
		memcpy(q, data, len);
	else
		memset(q, 0, len);
}

static void put8(struct isakmp_buf *b, uint8_t v)
{
	uint8_t *q = reserve(b, 1);

	if (q)
		*q = v;
}

static void put16(struct isakmp_buf *b, uint16_t v)
{
	uint8_t *q = reserve(b, 2);

	if (q)
		set16(q, v);
}

static void put32(struct isakmp_buf *b, uint32_t v)
{
	uint8_t *q = reserve(b, 4);

	if (q)
		set32(q, v);
}

/* Patches only bytes already written, so a handle from before an overflow is harmless. */
static bool written(const struct isakmp_buf *b, size_t off, size_t n)
{
	return !b->overflow && off <= b->len && n <= b->len - off;
}

void isakmp_hdr_set_length(uint8_t *msg, uint32_t length)
{
	set32(msg + HDR_LENGTH, length);
}

void isakmp_msg_begin(struct isakmp_buf *b, const struct isakmp_hdr *hdr)
{
	isakmp_put_raw(b, hdr->icookie, ISAKMP_COOKIE_LEN);
	isakmp_put_raw(b, hdr->rcookie, ISAKMP_COOKIE_LEN);
	put8(b, ISAKMP_PL_NONE);
	put8(b, ISAKMP_VERSION);
	put8(b, hdr->exchange);
	put8(b, hdr->flags);
	put32(b, hdr->msgid);
	put32(b, 0);
	b->header = true;
	b->link = HDR_NEXT;
}

int isakmp_msg_end(struct isakmp_buf *b)
{
	if (b->overflow)
		return -ENOBUFS;
	if (b->invalid)
		return -EINVAL;
	if (b->header && written(b, HDR_LENGTH, 4))
		isakmp_hdr_set_length(b->p, (uint32_t)b->len);
	return 0;
}

/* A generic header saying next; returns its offset. */
static size_t gen_begin(struct isakmp_buf *b, uint8_t next)
{
	size_t h = b->len;

	put8(b, next);
	put8(b, 0);
	put16(b, 0);
	return h;
}

static void gen_end(struct isakmp_buf *b, size_t h)
{
	if (!written(b, h, ISAKMP_GEN_HDR_LEN))
		return;
	if (b->len - h > ISAKMP_PAYLOAD_MAX) {
		b->invalid = true;
		return;
	}
	set16(b->p + h + GEN_LENGTH, (uint16_t)(b->len - h));
}

size_t isakmp_payload_begin(struct isakmp_buf *b, uint8_t type)
{
	if (b->link == SIZE_MAX)
		b->first = type;
	else if (written(b, b->link, 1))
		b->p[b->link] = type;
	b->link = gen_begin(b, ISAKMP_PL_NONE);
	return b->link;
}

void isakmp_payload_end(struct isakmp_buf *b, size_t handle)
{
	gen_end(b, handle);
}

static void put_attr(struct isakmp_buf *b, const struct isakmp_attr *a)
{
	if (a->type > ISAKMP_ATTR_TYPE_MASK) {
		b->invalid = true;
		return;
	}
	if (a->data) {
		put16(b, a->type);
		put16(b, a->len);
		isakmp_put_raw(b, a->data, a->len);
	} else if (a->value <= U16_MAX) {
		put16(b, a->type | ISAKMP_ATTR_AF_TV);
		put16(b, (uint16_t)a->value);
	} else {
		put16(b, a->type);
		put16(b, sizeof(a->value));
		put32(b, a->value);
	}
}

static void put_transform(struct isakmp_buf *b, const struct isakmp_transform *xf,
			  uint8_t next)
{
	size_t h = gen_begin(b, next);

	put8(b, xf->number);
	put8(b, xf->id);
	put16(b, 0);
	for (unsigned int i = 0; i < xf->nattrs; i++)
		put_attr(b, &xf->attrs[i]);
	gen_end(b, h);
}

static void put_proposal(struct isakmp_buf *b, const struct isakmp_proposal *prop,
			 uint8_t next)
{
	size_t h;

	if (prop->spi_size > ISAKMP_SPI_MAX || prop->ntransforms > U8_MAX) {
		b->invalid = true;
		return;
	}
	h = gen_begin(b, next);
	put8(b, prop->number);
	put8(b, prop->proto);
	put8(b, prop->spi_size);
	put8(b, (uint8_t)prop->ntransforms);
	isakmp_put_raw(b, prop->spi, prop->spi_size);
	for (unsigned int i = 0; i < prop->ntransforms; i++)
		put_transform(b, &prop->transforms[i],
			      i + 1 < prop->ntransforms ? ISAKMP_PL_T : ISAKMP_PL_NONE);
	gen_end(b, h);
}

size_t isakmp_put_sa(struct isakmp_buf *b, uint32_t doi, uint32_t situation,
		     const struct isakmp_proposal *proposals, unsigned int nproposals)
{
	size_t h = isakmp_payload_begin(b, ISAKMP_PL_SA);

	put32(b, doi);
	put32(b, situation);
	for (unsigned int i = 0; i < nproposals; i++)
		put_proposal(b, &proposals[i], i + 1 < nproposals ? ISAKMP_PL_P : ISAKMP_PL_NONE);
	isakmp_payload_end(b, h);
	return h;
}

size_t isakmp_put_bytes(struct isakmp_buf *b, uint8_t type, const uint8_t *data, size_t len)
{
	size_t h = isakmp_payload_begin(b, type);

	isakmp_put_raw(b, data, len);
	isakmp_payload_end(b, h);
	return h;
}

size_t isakmp_put_id(struct isakmp_buf *b, const struct isakmp_id *id)
{
	size_t h = isakmp_payload_begin(b, ISAKMP_PL_ID);

	put8(b, id->type);
	put8(b, id->proto);
	put16(b, id->port);
	isakmp_put_raw(b, id->data, id->len);
	isakmp_payload_end(b, h);
	return h;
}

size_t isakmp_put_cert(struct isakmp_buf *b, uint8_t type, const struct isakmp_cert *cert)
{
	size_t h = isakmp_payload_begin(b, type);

	put8(b, cert->encoding);
	isakmp_put_raw(b, cert->data, cert->len);
	isakmp_payload_end(b, h);
	return h;
}

size_t isakmp_put_notify(struct isakmp_buf *b, const struct isakmp_notify *n)
{
	size_t h = isakmp_payload_begin(b, ISAKMP_PL_N);

	put32(b, n->doi);
	put8(b, n->proto);
	put8(b, n->spi_size);
	put16(b, n->type);
	isakmp_put_raw(b, n->spi, n->spi_size);
	isakmp_put_raw(b, n->data, n->len);
	isakmp_payload_end(b, h);
	return h;
}

size_t isakmp_put_delete(struct isakmp_buf *b, const struct isakmp_delete *d)
{
	size_t h = isakmp_payload_begin(b, ISAKMP_PL_D);

	put32(b, d->doi);
	put8(b, d->proto);
	put8(b, d->spi_size);
	put16(b, d->count);
	isakmp_put_raw(b, d->spis, (size_t)d->count * d->spi_size);
	isakmp_payload_end(b, h);
	return h;
}

size_t isakmp_put_natoa(struct isakmp_buf *b, uint8_t type, const struct isakmp_natoa *oa)
{
	size_t h = isakmp_payload_begin(b, type);

	put8(b, oa->id_type);
	isakmp_put_raw(b, NULL, NATOA_FIXED - 1);
	isakmp_put_raw(b, oa->addr, oa->len);
	isakmp_payload_end(b, h);
	return h;
}
