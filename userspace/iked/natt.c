// SPDX-License-Identifier: GPL-2.0
/*
 * NAT traversal's vendor IDs, NAT-D hashes and numbers (RFC 3947): see natt.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <openssl/crypto.h>

#include "natt.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* MD5 of each name (the drafts' -02 twice: with and without a trailing newline). */
static const struct {
	const char *name;
	uint8_t vid[NATT_VID_LEN];
} versions[] = {
	[NATT_DRAFT_02] = { "draft-ietf-ipsec-nat-t-ike-02", {
		0xcd, 0x60, 0x46, 0x43, 0x35, 0xdf, 0x21, 0xf8,
		0x7c, 0xfd, 0xb2, 0xfc, 0x68, 0xb6, 0xa4, 0x48 } },
	[NATT_DRAFT_02N] = { "draft-ietf-ipsec-nat-t-ike-02\\n", {
		0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e,
		0x08, 0x63, 0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f } },
	[NATT_DRAFT_03] = { "draft-ietf-ipsec-nat-t-ike-03", {
		0x7d, 0x94, 0x19, 0xa6, 0x53, 0x10, 0xca, 0x6f,
		0x2c, 0x17, 0x9d, 0x92, 0x15, 0x52, 0x9d, 0x56 } },
	[NATT_RFC] = { "RFC 3947", {
		0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
		0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f } },
};

const uint8_t *natt_vid(enum natt_version v)
{
	return v > NATT_NONE && v < ARRAY_SIZE(versions) ? versions[v].vid : NULL;
}

enum natt_version natt_vid_version(const uint8_t *vid, size_t len)
{
	unsigned int v;

	if (len != NATT_VID_LEN)
		return NATT_NONE;
	for (v = NATT_NONE + 1; v < ARRAY_SIZE(versions); v++)
		if (!memcmp(vid, versions[v].vid, NATT_VID_LEN))
			return (enum natt_version)v;
	return NATT_NONE;
}

const char *natt_version_name(enum natt_version v)
{
	if (v == NATT_NONE)
		return "none";
	return v < ARRAY_SIZE(versions) ? versions[v].name : "?";
}

uint8_t natt_natd_type(enum natt_version v)
{
	return v == NATT_RFC ? ISAKMP_PL_NATD : ISAKMP_PL_NATD_DRAFT;
}

uint8_t natt_natoa_type(enum natt_version v)
{
	return v == NATT_RFC ? ISAKMP_PL_NATOA : ISAKMP_PL_NATOA_DRAFT;
}

int natt_hash(enum ike_hash_alg alg, const uint8_t *cky_i, const uint8_t *cky_r,
	      const struct sockaddr_storage *addr, uint8_t *out)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)addr;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)addr;
	struct ike_chunk parts[4] = {
		IKE_CHUNK(cky_i, ISAKMP_COOKIE_LEN), IKE_CHUNK(cky_r, ISAKMP_COOKIE_LEN),
	};

	/* the address and the port as they travel: network order */
	if (addr->ss_family == AF_INET) {
		parts[2] = IKE_CHUNK(&sin->sin_addr, 4);
		parts[3] = IKE_CHUNK(&sin->sin_port, 2);
	} else if (addr->ss_family == AF_INET6) {
		parts[2] = IKE_CHUNK(&sin6->sin6_addr, 16);
		parts[3] = IKE_CHUNK(&sin6->sin6_port, 2);
	} else {
		return -EINVAL;
	}
	return ike_hash(alg, parts, ARRAY_SIZE(parts), out);
}

int natt_detect(const struct isakmp_bytes *natd, unsigned int n, const uint8_t *local,
		const uint8_t *remote, size_t hash_len, struct natt_found *found)
{
	unsigned int i;

	if (n < 2)
		return -EBADMSG;
	for (i = 0; i < n; i++)
		if (natd[i].len != hash_len)
			return -EBADMSG;
	found->local = CRYPTO_memcmp(natd[0].data, local, hash_len) != 0;
	/* RFC 3947 3.2: the sender may list several source addresses; one must be it */
	found->peer = true;
	for (i = 1; i < n; i++)
		if (!CRYPTO_memcmp(natd[i].data, remote, hash_len))
			found->peer = false;
	return 0;
}

uint16_t natt_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return 0;
}

void natt_port_set(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

const char *natt_found_text(const struct natt_found *found)
{
	if (found->local && found->peer)
		return "both behind NAT";
	if (found->local)
		return "local behind NAT, peer not";
	if (found->peer)
		return "peer behind NAT, local not";
	return "no NAT";
}

uint16_t natt_encap_mode(bool transport, bool udp, enum natt_version v)
{
	if (!udp)
		return transport ? ISAKMP_ENCAP_TRANSPORT : ISAKMP_ENCAP_TUNNEL;
	if (v == NATT_RFC)
		return transport ? ISAKMP_ENCAP_UDP_TRANSPORT : ISAKMP_ENCAP_UDP_TUNNEL;
	return transport ? ISAKMP_ENCAP_UDP_TRANSPORT_DRAFT : ISAKMP_ENCAP_UDP_TUNNEL_DRAFT;
}

int natt_encap_read(uint16_t value, bool *transport, bool *udp)
{
	switch (value) {
	case ISAKMP_ENCAP_TUNNEL:
	case ISAKMP_ENCAP_TRANSPORT:
		*udp = false;
		break;
	case ISAKMP_ENCAP_UDP_TUNNEL:
	case ISAKMP_ENCAP_UDP_TRANSPORT:
	case ISAKMP_ENCAP_UDP_TUNNEL_DRAFT:
	case ISAKMP_ENCAP_UDP_TRANSPORT_DRAFT:
		*udp = true;
		break;
	default:
		return -EINVAL;
	}
	*transport = value == ISAKMP_ENCAP_TRANSPORT || value == ISAKMP_ENCAP_UDP_TRANSPORT ||
		     value == ISAKMP_ENCAP_UDP_TRANSPORT_DRAFT;
	return 0;
}
