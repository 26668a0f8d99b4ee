/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Informational exchanges under an established phase 1 (RFC 2409 5.7): one message,
 * HDR*, HASH(1), N or D, with HASH(1) = prf(SKEYID_a, M-ID | N/D) and a CBC IV of its
 * own from phase 1's last block and the message ID. Deletes (of phase-2 SAs by SPI, of
 * the ISAKMP SA by cookies) and notifies (INITIAL-CONTACT, errors, DPD) travel this way.
 */
#ifndef NFSEC_IKED_INFO_H
#define NFSEC_IKED_INFO_H

#include "ike.h"

enum {
	INFO_SPIS_MAX = 16,
	INFO_ITEMS_MAX = 8,
};

struct info_delete {
	uint8_t proto;			/* ISAKMP_PROTO_ESP or ISAKMP_PROTO_ISAKMP */
	unsigned int count;
	uint32_t spis[INFO_SPIS_MAX];	/* ESP, host order */
	uint8_t cookies[2 * ISAKMP_COOKIE_LEN];	/* ISAKMP: CKY-I | CKY-R */
};

struct info_notify {
	uint16_t type;
	uint8_t proto;
	uint32_t spi;			/* ESP's, host order; 0 otherwise */
	/* R-U-THERE and its ACK: for p1's cookies, with a 4-byte sequence number */
	bool dpd_ok;
	uint32_t dpd_seq;
};

/* What a received informational said. */
struct info {
	unsigned int ndeletes, nnotifies;
	struct info_delete deletes[INFO_ITEMS_MAX];
	struct info_notify notifies[INFO_ITEMS_MAX];
};

/*
 * An informational for p1 in out (ISAKMP_MSG_MAX bytes): a delete of our inbound ESP SPIs
 * (count of them), of p1 itself (spis NULL), or a notify. *len is set; 0 or -errno.
 */
int info_delete_build(const struct ike_sa *p1, const uint32_t *spis, unsigned int count,
		      uint8_t *out, size_t *len);
int info_notify_build(const struct ike_sa *p1, uint16_t type, uint8_t proto, uint32_t spi,
		      uint8_t *out, size_t *len);

/*
 * RFC 3706: an R-U-THERE (ISAKMP_N_R_U_THERE) or its ACK (ISAKMP_N_R_U_THERE_ACK) for p1,
 * the ISAKMP SA's cookies as SPI and seq as the notification data.
 */
int info_dpd_build(const struct ike_sa *p1, uint16_t type, uint32_t seq, uint8_t *out,
		   size_t *len);

/*
 * A received informational on p1: decrypted, HASH(1) checked, its N and D payloads
 * decoded into *info. -EBADMSG (malformed), -EACCES (HASH(1) wrong), why says which.
 */
int info_parse(const struct ike_sa *p1, const struct ike_msg *msg, struct info *info,
	       char *why, size_t len);

#endif /* NFSEC_IKED_INFO_H */
