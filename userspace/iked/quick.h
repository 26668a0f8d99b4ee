/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKEv1 phase 2: quick mode (RFC 2409 5.5), three messages under an established phase 1:
 *
 *   initiator  QM_I1 (sent HASH(1) SA Ni [KE] IDci IDcr)
 *              -> DONE (got HASH(2) SA Nr [KE] IDci IDcr, sent HASH(3))
 *   responder  QM_R1 (got message 1, sent HASH(2) SA Nr [KE] IDci IDcr)
 *              -> DONE (got HASH(3))
 *
 * One struct qm per exchange (per message ID), for one pair of traffic selectors; several
 * may run over one phase 1. Like ike.c it does no I/O: the daemon sends qm->out and, once
 * DONE, installs the two SAs from qm->keys_in/keys_out with the SPIs and the proposal
 * chosen. Every refusal leaves the exchange DEAD with qm->why, and for the responder an
 * encrypted notify for the peer in qm->out when one helps (NO-PROPOSAL-CHOSEN,
 * INVALID-ID-INFORMATION).
 */
#ifndef NFSEC_IKED_QUICK_H
#define NFSEC_IKED_QUICK_H

#include "ike.h"

enum qm_state {
	QM_NEW,
	QM_I1,
	QM_R1,
	QM_DONE,
	QM_DEAD,
};

struct qm {
	struct ike_sa *p1;		/* established; outlives the exchange */
	bool initiator;
	enum qm_state state;
	char why[IKE_WHY_MAX];
	uint32_t msgid;
	uint8_t iv[IKE_CBC_BLOCK_LEN];

	/* this exchange's traffic selectors, from the initiator's side: IDci, IDcr */
	struct tunnel_ts ts_i, ts_r;
	/*
	 * IDci and IDcr as they go on the wire. The same but in transport mode through a
	 * NAT, where an end behind it names its own address, not the one the other end
	 * sees: ts_i and ts_r then hold the address as seen (see ts_as_seen()).
	 */
	struct tunnel_ts id_i, id_r;

	struct esp_proposal chosen;
	uint32_t lifetime;		/* seconds, the smaller of both offers */
	uint64_t lifekb;		/* kilobytes, 0 for none; at most UINT64_MAX / 1024 */
	uint32_t spi_in;		/* ours: the peer sends with it */
	uint32_t spi_out;		/* the peer's: we send with it */

	struct dh *dh;			/* PFS */
	struct ike_bytes gi, gr;	/* PFS public values */
	struct ike_bytes ni, nr;
	struct ike_secret *keys_in;	/* KEYMAT for spi_in: enc key (+ salt), then auth key */
	struct ike_secret *keys_out;	/* for spi_out */

	size_t out_len;
	uint8_t out[ISAKMP_MSG_MAX];
	uint8_t last_in_hash[IKE_HASH_MAX_LEN];
	bool have_last_in;
};

/*
 * Starts quick mode over p1 for the selector pair (ours, theirs) with our inbound SPI:
 * message 1 in qm->out. NULL with why when it cannot start.
 */
struct qm *qm_initiate(struct ike_sa *p1, const struct tunnel_ts *ours,
		       const struct tunnel_ts *theirs, uint32_t spi_in, char *why, size_t len);

/*
 * A responder's exchange for message 1 (msg->hdr.msgid new on p1), with our inbound SPI.
 * NULL with errno: ENOMEM, EPROTO (p1 not established), EALREADY (the message ID was
 * used over p1 already: a replay, or a message of a finished exchange). Otherwise the
 * exchange is QM_R1; or QM_DEAD (see qm->why); or still QM_NEW when the message did not
 * decrypt to payloads (forged, or keys not ours). Only a message whose HASH(1) verified
 * has its ID remembered.
 */
struct qm *qm_respond(struct ike_sa *p1, const struct ike_msg *msg, uint32_t spi_in);

/* As ike_sa_input(): 0 moved on, 1 retransmission (qm->out again), negative refused. */
int qm_input(struct qm *qm, const struct ike_msg *msg);

/* Bytes of KEYMAT an SA of proposal p needs (enc key, salt, auth key). */
size_t qm_keymat_len(const struct esp_proposal *p);

void qm_free(struct qm *qm);

const char *qm_state_name(enum qm_state state);
/* Moves @qm to @to, or refuses a move quick mode never makes (logged, counted): false. */
bool qm_state_set(struct qm *qm, enum qm_state to);
/* Illegal moves refused (bugs). */
extern unsigned long qm_moves_refused;

#endif /* NFSEC_IKED_QUICK_H */
