/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKEv1 phase 1 (RFC 2409 5): one struct ike_sa per ISAKMP SA, driven by messages in and
 * producing messages out, with no I/O of its own: the daemon moves the bytes, arms the
 * retransmission timer and installs what phase 2 derives. That keeps every exchange
 * testable in one process, an initiator talking to a responder through memory.
 *
 * States, by role and mode (main mode: 6 messages, aggressive: 3):
 *
 *   initiator main        MM_I1 -> MM_I2 -> MM_I3 -> ESTABLISHED
 *     (sent: SA)            (got SA, sent KE Ni)  (got KE Nr, sent ID HASH_I)  (got ID HASH_R)
 *   responder main        MM_R1 -> MM_R2 -> ESTABLISHED
 *     (got SA, sent SA)     (got KE Ni, sent KE Nr)  (got ID HASH_I, sent ID HASH_R)
 *   initiator aggressive  AM_I1 -> ESTABLISHED  (sent SA KE Ni ID; got SA KE Nr ID HASH_R,
 *                                                 sent HASH_I)
 *   responder aggressive  AM_R1 -> ESTABLISHED  (got SA KE Ni ID, sent SA KE Nr ID HASH_R;
 *                                                 got HASH_I)
 *
 * Any state may go to DEAD (a refusal, a failed authentication, a notify from the peer):
 * the reason is in sa->why. ike_state_set() is the one place states change: it checks
 * the move is legal, logs "old -> new" and counts.
 */
#ifndef NFSEC_IKED_IKE_H
#define NFSEC_IKED_IKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dh.h"
#include "ikecrypto.h"
#include "isakmp.h"
#include "natt.h"
#include "tunnel.h"

enum ike_state {
	IKE_NEW,
	IKE_MM_I1,
	IKE_MM_I2,
	IKE_MM_I3,
	IKE_MM_R1,
	IKE_MM_R2,
	IKE_AM_I1,
	IKE_AM_R1,
	IKE_ESTABLISHED,
	IKE_DEAD,
	IKE_STATE_COUNT,
};

enum {
	IKE_NONCE_LEN = 32,		/* ours; the peer's may be ISAKMP_NONCE_MIN..MAX */
	IKE_WHY_MAX = 256,
	IKE_PEER_TEXT_MAX = 256,
	IKE_ID_BODY_MAX = 4 + 1024,	/* a certificate's subject DN (AUTH_ID_MAX) */
	IKE_SA_BODY_MAX = 2048,		/* the initiator's SA payload body, kept for HASH_I/R */
	/* phase-2 message IDs remembered per phase 1: a replay must wait for this many
	 * newer exchanges on the same phase 1 to be taken for a new one */
	IKE_MSGIDS_SEEN = 512,
};

/* The phase-1 transform both ends agreed on. */
struct ike_chosen {
	uint16_t enc_bits;		/* AES-CBC key length */
	uint16_t hash;			/* enum ike_hash_alg: hash, and the PRF as its HMAC */
	uint16_t group;			/* enum dh_group */
	uint16_t auth;			/* ISAKMP_AUTH_PSK or ISAKMP_AUTH_RSA_SIG */
	uint32_t lifetime;		/* seconds */
};

/* A byte string the SA owns (nonces, public values, payload bodies). */
struct ike_bytes {
	size_t len;
	uint8_t data[DH_MAX_PUBLIC_LEN];	/* >= ISAKMP_NONCE_MAX */
};

struct auth_creds;

struct ike_sa {
	const struct tunnel *conf;
	const struct auth_creds *creds;	/* auth cert: ours and the CA (auth.c); else NULL */
	bool initiator;
	bool aggressive;
	bool initial_contact;		/* initiator: announce INITIAL-CONTACT with our proof
					 * (the caller sets it: we hold no SA with the peer) */
	bool peer_initial_contact;	/* the peer announced it: it holds none with us */
	bool peer_dpd;			/* the peer's vendor ID says it does RFC 3706 DPD */
	/*
	 * NAT traversal (RFC 3947, natt.h). Where our messages go from and to: the daemon
	 * sets both (a responder's from its first message) and moves them when the peer's
	 * authenticated messages come from elsewhere; the initiator's ports float to
	 * NATT_PORT here, once a NAT is found, so the message that follows goes there.
	 */
	struct sockaddr_storage local, remote;
	uint8_t natt;			/* enum natt_version both spoke; NATT_NONE: off */
	bool natd_seen;			/* the peer's NAT-D payloads came and were checked */
	struct natt_found nat;		/* what they showed */
	bool floated;			/* initiator: moved to NATT_PORT */
	enum ike_state state;
	char why[IKE_WHY_MAX];		/* why DEAD, for logs and "nfsec tunnel show" */
	char peer[IKE_PEER_TEXT_MAX];	/* the peer's ID once it proved it, as text */

	uint8_t cky_i[ISAKMP_COOKIE_LEN], cky_r[ISAKMP_COOKIE_LEN];
	struct ike_chosen chosen;

	struct dh *dh;			/* freed once g^xy is known */
	struct ike_bytes gxi, gxr;	/* KE bodies */
	struct ike_bytes ni, nr;	/* nonce bodies */
	size_t sai_len;			/* the initiator's SA payload body */
	uint8_t sai_b[IKE_SA_BODY_MAX];
	size_t peer_id_len;		/* aggressive responder: the initiator's ID body */
	uint8_t peer_id_b[IKE_ID_BODY_MAX];

	struct ike_phase1_keys keys;	/* SKEYID, SKEYID_d, _a, _e */
	struct ike_secret *enc_key;
	uint8_t iv[IKE_CBC_BLOCK_LEN];	/* the CBC IV of the next phase-1 message */

	/* encrypted messages with our cookies that did not decrypt: dropped, counted, the SA
	 * kept (anyone who saw the cookies can send one) */
	unsigned long undecryptable;
	/* the phase-2 message IDs used over this SA (ring), so a replay starts nothing */
	uint32_t msgids[IKE_MSGIDS_SEEN];
	unsigned int msgids_count, msgids_next;

	/* the last datagram received, to answer a retransmission with our last reply */
	uint8_t last_in_hash[IKE_HASH_MAX_LEN];
	bool have_last_in;
	size_t out_len;			/* our last message, resent on timeout or duplicate */
	uint8_t out[ISAKMP_MSG_MAX];
};

/*
 * A message received: the datagram and its parsed header, and the addresses (with ports)
 * it reached and came from; NULL when unknown, which sends and checks no NAT-D.
 */
struct ike_msg {
	const uint8_t *buf;
	size_t len;
	struct isakmp_hdr hdr;
	const struct sockaddr_storage *local, *remote;
};

/*
 * A new SA for conf (with creds for auth cert, which the caller keeps while the SA
 * lives); the initiator's first message goes to sa->out. NULL: see why.
 */
struct ike_sa *ike_sa_initiate(const struct tunnel *conf, const struct auth_creds *creds,
			       char *why, size_t len);

/*
 * A responder's SA for the first message of an exchange (main or aggressive), for the
 * tunnel conf (the daemon found it by the peer's address); its reply goes to sa->out.
 * NULL when nothing could be set up (no memory); otherwise the SA may be DEAD already,
 * with a notify for the peer in sa->out (NO-PROPOSAL-CHOSEN and the like).
 */
struct ike_sa *ike_sa_respond(const struct tunnel *conf, const struct auth_creds *creds,
			      const struct ike_msg *msg);

/*
 * The next message of the exchange. Returns 0 when the message moved the SA on (a reply,
 * if any, is in sa->out; out_len 0 means none), 1 for a retransmission of the peer's last
 * message (sa->out holds our last reply again), or a negative errno when the message was
 * refused: -EBADMSG malformed, -EACCES failed authentication, -ENOENT no proposal
 * chosen, -EPROTO out of order; the SA is DEAD when the refusal ends it (sa->why says why;
 * sa->out may hold a notify for the peer). An encrypted message that does not decrypt is
 * counted in sa->undecryptable; once ESTABLISHED it is dropped (-EBADMSG) and never ends
 * the SA, before that it ends the exchange (-EACCES: the pre-shared keys differ).
 */
int ike_sa_input(struct ike_sa *sa, const struct ike_msg *msg);

/* Whether phase-2 message ID msgid was used over sa; ike_msgid_note() remembers one. */
bool ike_msgid_seen(const struct ike_sa *sa, uint32_t msgid);
void ike_msgid_note(struct ike_sa *sa, uint32_t msgid);

/* Wipes every key and frees; NULL is fine. */
void ike_sa_free(struct ike_sa *sa);

/*
 * Ends a message of phase 2 (quick mode, informational) under p1, built in b with a HASH
 * payload first, at offset h: the hash gets prf(SKEYID_a, M-ID | pre... | every payload
 * after it), and all after the header is padded and encrypted with iv, which ends as the
 * last ciphertext block. *len: the message's length. 0 or a negative errno (-ENOBUFS when
 * it does not fit).
 */
int ike_p2_seal(const struct ike_sa *p1, struct isakmp_buf *b, size_t h, uint32_t msgid,
		const struct ike_chunk *pre, unsigned int npre, uint8_t *iv, size_t *len);

const char *ike_state_name(enum ike_state state);

/*
 * Whether sa's ESP goes in UDP (and its IKE on NATT_PORT): both ends spoke NAT-T and the
 * NAT-D payloads showed a NAT, or the tunnel says nat-t force.
 */
bool ike_sa_udp(const struct ike_sa *sa);

/* Counts of every transition taken, by (from, to): for tests and "show". */
extern unsigned long ike_transitions[IKE_STATE_COUNT][IKE_STATE_COUNT];

/* Moves @sa to @to, or refuses a move the exchanges never make (logged, counted): false. */
bool ike_state_set(struct ike_sa *sa, enum ike_state to);
/* Illegal moves refused (bugs). */
extern unsigned long ike_moves_refused;

#endif /* NFSEC_IKED_IKE_H */
