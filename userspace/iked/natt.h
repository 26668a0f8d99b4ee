/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NAT traversal in IKEv1 (RFC 3947) without I/O: the vendor IDs that announce it (RFC
 * 3947's and those of the drafts older Cisco and Libreswan peers still send), the NAT-D
 * hashes and what they reveal, and the payload types and encapsulation modes each
 * version numbers differently. ike.c and quick.c use it; the daemon moves the ports.
 *
 * How phase 1 finds a NAT (RFC 3947 3): both ends announce NAT-T in their first message;
 * then each sends, with its key exchange (main mode 3 and 4, aggressive 2 and 3), the hash
 * of the address and port it sends to, then of the one it sends from. The receiver hashes
 * the same from what it sees: its own address differing says a NAT rewrote our side
 * ("local behind NAT"), the sender's differing says one rewrote the peer's.
 */
#ifndef NFSEC_IKED_NATT_H
#define NFSEC_IKED_NATT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ikecrypto.h"
#include "isakmp.h"

/* The NAT-T a vendor ID announces, worst to best: a peer's best is the one spoken. */
enum natt_version {
	NATT_NONE,
	NATT_DRAFT_02,			/* draft-ietf-ipsec-nat-t-ike-02 */
	NATT_DRAFT_02N,			/* the same with a newline, as some sent it */
	NATT_DRAFT_03,
	NATT_RFC,			/* RFC 3947 */
};

enum {
	NATT_VID_LEN = 16,		/* each an MD5 of its name */
};

/* The vendor ID of a version (not NATT_NONE): NATT_VID_LEN bytes. */
const uint8_t *natt_vid(enum natt_version v);

/* The version a vendor ID announces; NATT_NONE for any other. */
enum natt_version natt_vid_version(const uint8_t *vid, size_t len);

const char *natt_version_name(enum natt_version v);

/* The NAT-D and NAT-OA payload types of a version: RFC 3947's 20 and 21, the drafts' 130, 131. */
uint8_t natt_natd_type(enum natt_version v);
uint8_t natt_natoa_type(enum natt_version v);

/*
 * A NAT-D hash (RFC 3947 3.2): HASH(CKY-I | CKY-R | IP | port) with the phase-1 hash,
 * of an AF_INET or AF_INET6 address; ike_hash_len(alg) bytes into out. 0, or -EINVAL for
 * another family, or the hash's error.
 */
int natt_hash(enum ike_hash_alg alg, const uint8_t *cky_i, const uint8_t *cky_r,
	      const struct sockaddr_storage *addr, uint8_t *out);

/* What the peer's NAT-D payloads say. */
struct natt_found {
	bool local;			/* a NAT rewrote our address or port */
	bool peer;			/* one rewrote the peer's */
};

/*
 * The peer's NAT-D hashes (natd[0] of the address it sent to: ours; the rest of those it
 * may send from), against ours of what we see: local, the address the message reached,
 * and remote, the one it came from, each hash_len bytes. -EBADMSG for fewer than two
 * hashes or one of another length.
 */
int natt_detect(const struct isakmp_bytes *natd, unsigned int n, const uint8_t *local,
		const uint8_t *remote, size_t hash_len, struct natt_found *found);

/* The port of an AF_INET or AF_INET6 address (host order), and setting it. */
uint16_t natt_port(const struct sockaddr_storage *ss);
void natt_port_set(struct sockaddr_storage *ss, uint16_t port);

/* "local behind NAT, peer not", "both behind NAT", ... "no NAT" for logs. */
const char *natt_found_text(const struct natt_found *found);

/*
 * Phase 2's encapsulation mode attribute: tunnel or transport, in UDP or not, numbered as
 * version v does (RFC 3947 5.1: 3 and 4; the drafts 61443 and 61444).
 */
uint16_t natt_encap_mode(bool transport, bool udp, enum natt_version v);

/* An encapsulation mode attribute read: 0, or -EINVAL for a value of none of them. */
int natt_encap_read(uint16_t value, bool *transport, bool *udp);

#endif /* NFSEC_IKED_NATT_H */
