// SPDX-License-Identifier: GPL-2.0
/*
 * iked/isakmp.c: the header, the payload chain and every payload decoder against messages
 * written out byte by byte from the RFC 2408/2407/3947 layouts, each malformed variant
 * refused with the notify a responder would send, and the builder (round trips, overflow).
 *
 * With ISAKMP_SEED_DIR=DIR set, the tests that build a main mode, aggressive mode, quick
 * mode and informational message also write them to DIR (tests/fuzz/corpus/isakmp came
 * from there).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "isakmp.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum { GUARD = 0xa5, MSG_BUF = 4096 };

static void write_seed(const char *name, const uint8_t *msg, size_t len)
{
	const char *dir = getenv("ISAKMP_SEED_DIR");
	char path[512];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(msg, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void check_err(int ret, const struct isakmp_err *err, int notify, const char *msg)
{
	assert_int_equal(ret, -EBADMSG);
	assert_string_equal(isakmp_notify_name((uint16_t)err->notify),
			    isakmp_notify_name((uint16_t)notify));
	if (msg)
		assert_string_equal(err->msg, msg);
}

static struct isakmp_payload pld_of(uint8_t type, const uint8_t *body, size_t len)
{
	return (struct isakmp_payload){ .type = type, .data = body, .len = len };
}

/* --- Header ----------------------------------------------------------------------------- */

/* RFC 2408 3.1: main mode message 1 header, then one VID payload (RFC 3706 DPD). */
static const uint8_t mm_vid[] = {
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,	/* initiator cookie */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* responder cookie: none yet */
	0x0d,				/* next payload: VID */
	0x10,				/* version 1.0 */
	0x02,				/* exchange: identity protection */
	0x00,				/* flags */
	0x00, 0x00, 0x00, 0x00,		/* message ID */
	0x00, 0x00, 0x00, 0x30,		/* length: 48 */
	0x00, 0x00, 0x00, 0x14,		/* VID: last payload, 20 bytes */
	0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
	0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00,
};

static void test_hdr_good(void **state)
{
	struct isakmp_hdr hdr;
	struct isakmp_err err = { 0 };
	struct isakmp_chain chain;
	struct isakmp_bytes vid;

	(void)state;
	assert_int_equal(isakmp_hdr_parse(mm_vid, sizeof(mm_vid), &hdr, &err), 0);
	assert_memory_equal(hdr.icookie, mm_vid, 8);
	assert_memory_equal(hdr.rcookie, (uint8_t[8]){ 0 }, 8);
	assert_int_equal(hdr.next, ISAKMP_PL_VID);
	assert_int_equal(hdr.version, 0x10);
	assert_int_equal(hdr.exchange, ISAKMP_EXCH_IDPROT);
	assert_int_equal(hdr.flags, 0);
	assert_int_equal(hdr.msgid, 0);
	assert_int_equal(hdr.length, 48);

	assert_int_equal(isakmp_chain_parse(hdr.next, mm_vid + ISAKMP_HDR_LEN,
					    sizeof(mm_vid) - ISAKMP_HDR_LEN, 0, &chain, &err), 0);
	assert_int_equal(chain.count, 1);
	assert_int_equal(isakmp_vid_decode(&chain.pld[0], &vid, &err), 0);
	assert_int_equal(vid.len, 16);
	assert_memory_equal(vid.data, mm_vid + 32, 16);
}

/* Parses mm_vid with byte at changed to v (and the length field to match len). */
static int hdr_variant(size_t at, uint8_t v, struct isakmp_err *err)
{
	uint8_t buf[sizeof(mm_vid)];
	struct isakmp_hdr hdr;

	memcpy(buf, mm_vid, sizeof(buf));
	buf[at] = v;
	return isakmp_hdr_parse(buf, sizeof(buf), &hdr, err);
}

static void test_hdr_short(void **state)
{
	struct isakmp_hdr hdr;
	struct isakmp_err err;

	(void)state;
	for (size_t len = 0; len < ISAKMP_HDR_LEN; len++)
		check_err(isakmp_hdr_parse(mm_vid, len, &hdr, &err), &err,
			  ISAKMP_N_PAYLOAD_MALFORMED, NULL);
	isakmp_hdr_parse(mm_vid, 27, &hdr, &err);
	assert_string_equal(err.msg,
			    "header: message is 27 bytes, shorter than the 28-byte header");
	/* a NULL err is allowed */
	assert_int_equal(isakmp_hdr_parse(mm_vid, 3, &hdr, NULL), -EBADMSG);
}

static void test_hdr_length(void **state)
{
	struct isakmp_err err;

	(void)state;
	/* the length field says more than the datagram has */
	check_err(hdr_variant(27, 0x31, &err), &err, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS,
		  "header: length 49, but the message is 48 bytes");
	/* and less: trailing bytes after the message are refused too */
	check_err(hdr_variant(27, 0x2f, &err), &err, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS,
		  "header: length 47, but the message is 48 bytes");
	check_err(hdr_variant(24, 0x01, &err), &err, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS, NULL);
}

static void test_hdr_version(void **state)
{
	struct isakmp_err err;

	(void)state;
	check_err(hdr_variant(17, 0x20, &err), &err, ISAKMP_N_INVALID_MAJOR_VERSION,
		  "header: version 2.0, not 1.0");
	check_err(hdr_variant(17, 0x00, &err), &err, ISAKMP_N_INVALID_MAJOR_VERSION, NULL);
	check_err(hdr_variant(17, 0x11, &err), &err, ISAKMP_N_INVALID_MINOR_VERSION,
		  "header: version 1.1, not 1.0");
}

static void test_hdr_exchange(void **state)
{
	static const uint8_t known[] = { 1, 2, 3, 4, 5, 32, 33 };
	struct isakmp_err err;

	(void)state;
	check_err(hdr_variant(18, 0, &err), &err, ISAKMP_N_INVALID_EXCHANGE_TYPE,
		  "header: unknown exchange type 0");
	check_err(hdr_variant(18, 6, &err), &err, ISAKMP_N_INVALID_EXCHANGE_TYPE, NULL);
	check_err(hdr_variant(18, 34, &err), &err, ISAKMP_N_INVALID_EXCHANGE_TYPE, NULL);
	check_err(hdr_variant(18, 255, &err), &err, ISAKMP_N_INVALID_EXCHANGE_TYPE, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(known); i++) {
		uint8_t buf[sizeof(mm_vid)];
		struct isakmp_hdr hdr;

		memcpy(buf, mm_vid, sizeof(buf));
		buf[18] = known[i];
		buf[23] = known[i] == ISAKMP_EXCH_QUICK;	/* quick mode needs a message ID */
		assert_int_equal(isakmp_hdr_parse(buf, sizeof(buf), &hdr, &err), 0);
	}
}

static void test_hdr_flags(void **state)
{
	struct isakmp_err err;

	(void)state;
	assert_int_equal(hdr_variant(19, 0x07, &err), 0);
	check_err(hdr_variant(19, 0x08, &err), &err, ISAKMP_N_INVALID_FLAGS,
		  "header: unknown flags 0x08");
	check_err(hdr_variant(19, 0x81, &err), &err, ISAKMP_N_INVALID_FLAGS,
		  "header: unknown flags 0x80");
}

static void test_hdr_oversize(void **state)
{
	static uint8_t big[ISAKMP_MSG_MAX + 1];
	struct isakmp_hdr hdr;
	struct isakmp_err err;

	(void)state;
	memcpy(big, mm_vid, ISAKMP_HDR_LEN);
	isakmp_hdr_set_length(big, sizeof(big));
	check_err(isakmp_hdr_parse(big, sizeof(big), &hdr, &err), &err,
		  ISAKMP_N_PAYLOAD_MALFORMED,
		  "header: message is 65537 bytes, over the 65536-byte limit");
	/* the largest one allowed passes the header */
	isakmp_hdr_set_length(big, ISAKMP_MSG_MAX);
	assert_int_equal(isakmp_hdr_parse(big, ISAKMP_MSG_MAX, &hdr, &err), 0);
}

static void test_hdr_cookie_msgid(void **state)
{
	uint8_t buf[sizeof(mm_vid)];
	struct isakmp_hdr hdr;
	struct isakmp_err err;

	(void)state;
	memcpy(buf, mm_vid, sizeof(buf));
	memset(buf, 0, ISAKMP_COOKIE_LEN);
	check_err(isakmp_hdr_parse(buf, sizeof(buf), &hdr, &err), &err,
		  ISAKMP_N_INVALID_COOKIE, "header: initiator cookie is zero");

	check_err(hdr_variant(23, 1, &err), &err, ISAKMP_N_INVALID_MESSAGE_ID,
		  "header: Main Mode with message ID 0x00000001, not 0");
	memcpy(buf, mm_vid, sizeof(buf));
	buf[18] = ISAKMP_EXCH_QUICK;
	check_err(isakmp_hdr_parse(buf, sizeof(buf), &hdr, &err), &err,
		  ISAKMP_N_INVALID_MESSAGE_ID, "header: Quick Mode with message ID 0");
	/* what the header said is there for a notify in reply */
	assert_int_equal(hdr.exchange, ISAKMP_EXCH_QUICK);
	assert_memory_equal(hdr.icookie, mm_vid, 8);
}

/* --- Chain ------------------------------------------------------------------------------ */

/* A quick mode body as decrypted: HASH(1), SA, Ni, IDci, IDcr. 112 bytes. */
static const uint8_t qm_body[] = {
	/* HASH: next SA, 24 bytes */
	0x01, 0x00, 0x00, 0x18,
	0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
	0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
	/* SA: next NONCE, 36 bytes */
	0x0a, 0x00, 0x00, 0x24,
	0x00, 0x00, 0x00, 0x01,		/* DOI IPsec */
	0x00, 0x00, 0x00, 0x01,		/* SIT_IDENTITY_ONLY */
	0x00, 0x00, 0x00, 0x18,		/* P: last, 24 bytes */
	0x01, 0x03, 0x04, 0x01,		/* #1, ESP, SPI size 4, 1 transform */
	0x12, 0x34, 0x56, 0x78,		/* SPI */
	0x00, 0x00, 0x00, 0x0c,		/* T: last, 12 bytes */
	0x01, 0x0c, 0x00, 0x00,		/* #1, ESP_AES-CBC */
	0x80, 0x04, 0x00, 0x01,		/* encapsulation: tunnel */
	/* NONCE: next ID, 20 bytes */
	0x05, 0x00, 0x00, 0x14,
	0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb,
	0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb,
	/* ID (IDci): next ID, 16 bytes: 10.0.0.0/24, any protocol and port */
	0x05, 0x00, 0x00, 0x10,
	0x04, 0x00, 0x00, 0x00,
	0x0a, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x00,
	/* ID (IDcr): last, 16 bytes: 10.0.1.0/24 */
	0x00, 0x00, 0x00, 0x10,
	0x04, 0x00, 0x00, 0x00,
	0x0a, 0x00, 0x01, 0x00, 0xff, 0xff, 0xff, 0x00,
};

static void test_chain_good(void **state)
{
	static const uint8_t types[] = { ISAKMP_PL_HASH, ISAKMP_PL_SA, ISAKMP_PL_NONCE,
					 ISAKMP_PL_ID, ISAKMP_PL_ID };
	static const size_t offsets[] = { 0, 24, 60, 80, 96 };
	struct isakmp_chain chain;
	struct isakmp_err err;
	struct isakmp_id idcr;

	(void)state;
	assert_int_equal(isakmp_chain_parse(ISAKMP_PL_HASH, qm_body, sizeof(qm_body), 0, &chain,
					    &err), 0);
	assert_int_equal(chain.count, 5);
	assert_int_equal(chain.end, sizeof(qm_body));
	for (unsigned int i = 0; i < chain.count; i++) {
		assert_int_equal(chain.pld[i].type, types[i]);
		assert_int_equal(chain.pld[i].offset, offsets[i]);
		assert_ptr_equal(chain.pld[i].data, qm_body + offsets[i] + 4);
	}
	assert_int_equal(chain.pld[0].len, 20);
	assert_int_equal(chain.pld[1].len, 32);
	assert_int_equal(chain.pld[2].len, 16);

	assert_int_equal(isakmp_chain_count(&chain, ISAKMP_PL_ID), 2);
	assert_int_equal(isakmp_chain_count(&chain, ISAKMP_PL_KE), 0);
	assert_ptr_equal(isakmp_chain_find(&chain, ISAKMP_PL_ID, 0), &chain.pld[3]);
	assert_ptr_equal(isakmp_chain_find(&chain, ISAKMP_PL_ID, 1), &chain.pld[4]);
	assert_null(isakmp_chain_find(&chain, ISAKMP_PL_ID, 2));
	assert_null(isakmp_chain_find(&chain, ISAKMP_PL_KE, 0));
	assert_int_equal(isakmp_id_decode(isakmp_chain_find(&chain, ISAKMP_PL_ID, 1), &idcr,
					  &err), 0);
	assert_memory_equal(idcr.data, ((uint8_t[]){ 10, 0, 1, 0 }), 4);

	/* an empty chain */
	assert_int_equal(isakmp_chain_parse(ISAKMP_PL_NONE, qm_body, 0, 0, &chain, &err), 0);
	assert_int_equal(chain.count, 0);
}

/* Every cut of a valid body fails cleanly, padded or not; only the whole one parses. */
static void test_chain_every_cut(void **state)
{
	struct isakmp_chain chain;
	struct isakmp_err err;

	(void)state;
	for (size_t cut = 0; cut <= sizeof(qm_body); cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);	/* exact size: ASan sees overreads */
		int ret;

		memcpy(copy, qm_body, cut);
		for (unsigned int flags = 0; flags <= ISAKMP_CHAIN_PADDED; flags++) {
			ret = isakmp_chain_parse(ISAKMP_PL_HASH, copy, cut, flags, &chain, &err);
			if (cut < sizeof(qm_body)) {
				check_err(ret, &err, ISAKMP_N_PAYLOAD_MALFORMED, NULL);
			} else {
				assert_int_equal(ret, 0);
				assert_int_equal(chain.end, cut);
			}
		}
		free(copy);
	}
}

static int chain_variant(size_t at, uint8_t v, unsigned int flags, struct isakmp_err *err)
{
	uint8_t buf[sizeof(qm_body)];
	struct isakmp_chain chain;

	memcpy(buf, qm_body, sizeof(buf));
	buf[at] = v;
	return isakmp_chain_parse(ISAKMP_PL_HASH, buf, sizeof(buf), flags, &chain, err);
}

static void test_chain_lengths(void **state)
{
	struct isakmp_err err;

	(void)state;
	check_err(chain_variant(3, 0x03, 0, &err), &err, ISAKMP_N_PAYLOAD_MALFORMED,
		  "payload 1 (HASH): length 3, shorter than its header");
	check_err(chain_variant(3, 0x00, 0, &err), &err, ISAKMP_N_PAYLOAD_MALFORMED, NULL);
	check_err(chain_variant(83, 0x21, 0, &err), &err, ISAKMP_N_PAYLOAD_MALFORMED,
		  "payload 4 (ID): length 33, but 32 bytes left");
	check_err(chain_variant(2, 0x01, 0, &err), &err, ISAKMP_N_PAYLOAD_MALFORMED,
		  "payload 1 (HASH): length 280, but 112 bytes left");
	check_err(chain_variant(1, 0x80, 0, &err), &err, ISAKMP_N_PAYLOAD_MALFORMED,
		  "payload 1 (HASH): reserved byte is 0x80, not 0");
	/* the last payload names a next one, and nothing is left for it */
	check_err(chain_variant(96, ISAKMP_PL_VID, 0, &err), &err, ISAKMP_N_PAYLOAD_MALFORMED,
		  "payload 6 (VID): truncated header, 0 bytes left");
	check_err(chain_variant(96, ISAKMP_PL_VID, ISAKMP_CHAIN_PADDED, &err), &err,
		  ISAKMP_N_PAYLOAD_MALFORMED, NULL);
}

static void test_chain_types(void **state)
{
	struct isakmp_err err;

	(void)state;
	check_err(chain_variant(0, ISAKMP_PL_P, 0, &err), &err, ISAKMP_N_INVALID_PAYLOAD_TYPE,
		  "payload 2: P outside an SA");
	check_err(chain_variant(0, ISAKMP_PL_T, 0, &err), &err, ISAKMP_N_INVALID_PAYLOAD_TYPE,
		  "payload 2: T outside an SA");
	check_err(chain_variant(24, 14, 0, &err), &err, ISAKMP_N_INVALID_PAYLOAD_TYPE,
		  "payload 3: unknown type 14");
	check_err(chain_variant(24, 200, 0, &err), &err, ISAKMP_N_INVALID_PAYLOAD_TYPE, NULL);
	check_err(chain_variant(24, 22, 0, &err), &err, ISAKMP_N_INVALID_PAYLOAD_TYPE, NULL);
	/* any payload type works as a first one too, and the NAT-T drafts' are known */
	assert_int_equal(chain_variant(24, ISAKMP_PL_NATD_DRAFT, 0, &err), 0);
	assert_int_equal(chain_variant(24, ISAKMP_PL_NATOA, 0, &err), 0);
}

/* The "looping" chain: a thousand 4-byte VIDs each naming another. */
static void test_chain_too_many(void **state)
{
	enum { N = 1000 };
	static uint8_t body[N * 4];
	struct isakmp_chain chain;
	struct isakmp_err err;

	(void)state;
	for (size_t i = 0; i < N; i++) {
		body[4 * i] = i + 1 < N ? ISAKMP_PL_VID : ISAKMP_PL_NONE;
		body[4 * i + 3] = 4;
	}
	check_err(isakmp_chain_parse(ISAKMP_PL_VID, body, sizeof(body), 0, &chain, &err), &err,
		  ISAKMP_N_PAYLOAD_MALFORMED, "more than 32 payloads");
	/* exactly the limit parses */
	body[4 * (ISAKMP_CHAIN_MAX - 1)] = ISAKMP_PL_NONE;
	assert_int_equal(isakmp_chain_parse(ISAKMP_PL_VID, body, 4 * ISAKMP_CHAIN_MAX, 0,
					    &chain, &err), 0);
	assert_int_equal(chain.count, ISAKMP_CHAIN_MAX);
}

static void test_chain_trailing(void **state)
{
	uint8_t buf[sizeof(qm_body) + 12];
	struct isakmp_chain chain;
	struct isakmp_err err;

	(void)state;
	memcpy(buf, qm_body, sizeof(qm_body));
	memset(buf + sizeof(qm_body), 0, 11);
	buf[sizeof(buf) - 1] = 11;	/* RFC 2409 B padding: last byte counts the others */
	check_err(isakmp_chain_parse(ISAKMP_PL_HASH, buf, sizeof(buf), 0, &chain, &err), &err,
		  ISAKMP_N_PAYLOAD_MALFORMED, "12 bytes after the last payload");
	assert_int_equal(isakmp_chain_parse(ISAKMP_PL_HASH, buf, sizeof(buf),
					    ISAKMP_CHAIN_PADDED, &chain, &err), 0);
	assert_int_equal(chain.count, 5);
	assert_int_equal(chain.end, sizeof(qm_body));
}

/* --- SA --------------------------------------------------------------------------------- */

/*
 * Quick mode SA offering ESP AES-GCM-16 with a 256-bit key, or ESP AES-CBC-128 with
 * HMAC-SHA2-256; both tunnel mode, 3600 s or 4608000 KB, PFS with MODP-2048.
 */
static const uint8_t p2_sa[] = {
	0x00, 0x00, 0x00, 0x78,		/* SA: last payload, 120 bytes */
	0x00, 0x00, 0x00, 0x01,		/* DOI: IPsec */
	0x00, 0x00, 0x00, 0x01,		/* situation: SIT_IDENTITY_ONLY */
	/* @12 proposal 1: another follows, 52 bytes */
	0x02, 0x00, 0x00, 0x34,
	0x01, 0x03, 0x04, 0x01,		/* number 1, ESP, SPI size 4, 1 transform */
	0xc0, 0xff, 0xee, 0x01,		/* SPI */
	/* @24 transform 1: last, 40 bytes */
	0x00, 0x00, 0x00, 0x28,
	0x01, 0x14, 0x00, 0x00,		/* number 1, ESP_AES-GCM_16, reserved */
	0x80, 0x01, 0x00, 0x01,		/* @32 TV life type: seconds */
	0x80, 0x02, 0x0e, 0x10,		/* TV life duration: 3600 */
	0x80, 0x01, 0x00, 0x02,		/* TV life type: kilobytes */
	0x00, 0x02, 0x00, 0x04,		/* @44 TLV life duration, 4 bytes: 4608000 */
	0x00, 0x46, 0x50, 0x00,
	0x80, 0x03, 0x00, 0x0e,		/* TV group: MODP-2048 */
	0x80, 0x04, 0x00, 0x01,		/* TV encapsulation: tunnel */
	0x80, 0x06, 0x01, 0x00,		/* TV key length: 256 */
	/* @64 proposal 2: last, 56 bytes */
	0x00, 0x00, 0x00, 0x38,
	0x02, 0x03, 0x04, 0x01,		/* number 2, ESP, SPI size 4, 1 transform */
	0xc0, 0xff, 0xee, 0x02,
	/* @76 transform 1: last, 44 bytes */
	0x00, 0x00, 0x00, 0x2c,
	0x01, 0x0c, 0x00, 0x00,		/* number 1, ESP_AES-CBC */
	0x80, 0x01, 0x00, 0x01,
	0x80, 0x02, 0x0e, 0x10,
	0x80, 0x01, 0x00, 0x02,
	0x00, 0x02, 0x00, 0x04,
	0x00, 0x46, 0x50, 0x00,
	0x80, 0x03, 0x00, 0x0e,
	0x80, 0x04, 0x00, 0x01,
	0x80, 0x05, 0x00, 0x05,		/* TV authentication: HMAC-SHA2-256 */
	0x80, 0x06, 0x00, 0x80,		/* TV key length: 128 */
};

static struct isakmp_sa sa;	/* 20 KB: not on the stack */

/* Decodes an SA payload given with its generic header. */
static int sa_bytes(const uint8_t *p, size_t len, struct isakmp_err *err)
{
	struct isakmp_payload pld = pld_of(ISAKMP_PL_SA, p + 4, len - 4);

	return isakmp_sa_decode(&pld, &sa, err);
}

static int sa_variant(size_t at, uint8_t v, struct isakmp_err *err)
{
	uint8_t buf[sizeof(p2_sa)];

	memcpy(buf, p2_sa, sizeof(buf));
	buf[at] = v;
	return sa_bytes(buf, sizeof(buf), err);
}

static void check_attr(const struct isakmp_attr *a, uint16_t type, bool tv, uint32_t value)
{
	assert_int_equal(a->type, type);
	assert_int_equal(a->is_tv, tv);
	assert_int_equal(a->value, value);
}

static void test_sa_phase2(void **state)
{
	const struct isakmp_proposal *p;
	const struct isakmp_transform *t;
	struct isakmp_err err;
	uint64_t v;

	(void)state;
	assert_int_equal(sa_bytes(p2_sa, sizeof(p2_sa), &err), 0);
	assert_int_equal(sa.doi, ISAKMP_DOI_IPSEC);
	assert_int_equal(sa.situation, ISAKMP_SIT_IDENTITY_ONLY);
	assert_int_equal(sa.nproposals, 2);

	p = &sa.proposals[0];
	assert_int_equal(p->number, 1);
	assert_int_equal(p->proto, ISAKMP_PROTO_ESP);
	assert_int_equal(p->spi_size, 4);
	assert_memory_equal(p->spi, ((uint8_t[]){ 0xc0, 0xff, 0xee, 0x01 }), 4);
	assert_int_equal(p->ntransforms, 1);
	t = &p->transforms[0];
	assert_int_equal(t->number, 1);
	assert_int_equal(t->id, ISAKMP_ESP_AES_GCM_16);
	assert_int_equal(t->nattrs, 7);
	check_attr(&t->attrs[0], ISAKMP_P2_LIFE_TYPE, true, ISAKMP_LIFE_SECONDS);
	check_attr(&t->attrs[1], ISAKMP_P2_LIFE_DURATION, true, 3600);
	check_attr(&t->attrs[2], ISAKMP_P2_LIFE_TYPE, true, ISAKMP_LIFE_KILOBYTES);
	check_attr(&t->attrs[3], ISAKMP_P2_LIFE_DURATION, false, 4608000);
	assert_int_equal(t->attrs[3].len, 4);
	assert_ptr_equal(t->attrs[3].data, p2_sa + 48);
	assert_int_equal(isakmp_attr_u64(&t->attrs[3], &v, &err), 0);
	assert_int_equal(v, 4608000);
	check_attr(&t->attrs[4], ISAKMP_P2_GROUP_DESC, true, ISAKMP_GROUP_MODP2048);
	check_attr(&t->attrs[5], ISAKMP_P2_ENCAP, true, ISAKMP_ENCAP_TUNNEL);
	check_attr(&t->attrs[6], ISAKMP_P2_KEY_LENGTH, true, 256);

	p = &sa.proposals[1];
	assert_int_equal(p->number, 2);
	assert_memory_equal(p->spi, ((uint8_t[]){ 0xc0, 0xff, 0xee, 0x02 }), 4);
	t = &p->transforms[0];
	assert_int_equal(t->id, ISAKMP_ESP_AES_CBC);
	assert_int_equal(t->nattrs, 8);
	check_attr(&t->attrs[6], ISAKMP_P2_AUTH, true, ISAKMP_AUTH_HMAC_SHA2_256);
	check_attr(&t->attrs[7], ISAKMP_P2_KEY_LENGTH, true, 128);
	assert_int_equal(isakmp_attr_u64(&t->attrs[7], &v, &err), 0);
	assert_int_equal(v, 128);
	assert_string_equal(isakmp_transform_name(p->proto, t->id), "ESP_AES-CBC");
	assert_string_equal(isakmp_p2_value_name(t->attrs[6].type, t->attrs[6].value),
			    "HMAC-SHA2-256");

	/* proposals with the same number (an AND, as AH with ESP) are fine */
	assert_int_equal(sa_variant(68, 1, &err), 0);
	assert_int_equal(sa.proposals[1].number, 1);
}

static void test_sa_malformed(void **state)
{
	struct isakmp_err err;

	(void)state;
	check_err(sa_variant(19, 2, &err), &err, ISAKMP_N_BAD_PROPOSAL_SYNTAX,
		  "SA: proposal 1: 1 transforms, but the proposal says 2");
	check_err(sa_variant(19, 0, &err), &err, ISAKMP_N_BAD_PROPOSAL_SYNTAX,
		  "SA: proposal 1: no transforms");
	/* the transform says another follows; the proposal has no room for it */
	check_err(sa_variant(24, ISAKMP_PL_T, &err), &err, ISAKMP_N_PAYLOAD_MALFORMED,
		  "SA: proposal 1: transform 2: 0 bytes left, transform needs 8");
	check_err(sa_variant(47, 0x20, &err), &err, ISAKMP_N_PAYLOAD_MALFORMED,
		  "SA: proposal 1: transform 1: attribute 2 is 32 bytes long, "
		  "past the transform's end");
	check_err(sa_variant(12, ISAKMP_PL_ID, &err), &err, ISAKMP_N_BAD_PROPOSAL_SYNTAX,
		  "SA: proposal 1: next payload 5, not 2 or 0");
	check_err(sa_variant(13, 1, &err), &err, ISAKMP_N_PAYLOAD_MALFORMED,
		  "SA: proposal 1: reserved byte is 0x01, not 0");
	check_err(sa_variant(31, 1, &err), &err, ISAKMP_N_PAYLOAD_MALFORMED,
		  "SA: proposal 1: transform 1: reserved field is 0x0001, not 0");
	check_err(sa_variant(15, 0x6d, &err), &err, ISAKMP_N_PAYLOAD_MALFORMED,
		  "SA: proposal 1: length 109, not within 8..108");
	/* a transform a byte short cuts its last attribute */
	check_err(sa_variant(27, 0x27, &err), &err, ISAKMP_N_PAYLOAD_MALFORMED,
		  "SA: proposal 1: transform 1: 3 bytes after the last attribute");
	check_err(sa_variant(16, 3, &err), &err, ISAKMP_N_BAD_PROPOSAL_SYNTAX,
		  "SA: proposal 2: number 2 after 3: numbers must not decrease");
	check_err(sa_variant(17, 9, &err), &err, ISAKMP_N_INVALID_PROTOCOL_ID,
		  "SA: proposal 1: unknown protocol 9");
	check_err(sa_variant(18, 3, &err), &err, ISAKMP_N_INVALID_SPI,
		  "SA: proposal 1: SPI size 3 is wrong for ESP");
	check_err(sa_variant(18, 0, &err), &err, ISAKMP_N_INVALID_SPI, NULL);
	check_err(sa_variant(7, 2, &err), &err, ISAKMP_N_DOI_NOT_SUPPORTED,
		  "SA: DOI 2, not IPsec (1)");
	check_err(sa_variant(11, 2, &err), &err, ISAKMP_N_SITUATION_NOT_SUPPORTED,
		  "SA: situation 0x2, not SIT_IDENTITY_ONLY");
	check_err(sa_bytes(p2_sa, 11, &err), &err, ISAKMP_N_PAYLOAD_MALFORMED,
		  "SA: 7 bytes, shorter than DOI and situation");
	check_err(sa_bytes(p2_sa, 12, &err), &err, ISAKMP_N_PAYLOAD_MALFORMED,
		  "SA: proposal 1: 0 bytes left, proposal needs 8");
}

/* Bytes after the last transform of a proposal, and after the last proposal. */
static void test_sa_trailing(void **state)
{
	uint8_t buf[sizeof(p2_sa) + 4];
	struct isakmp_err err;

	(void)state;
	memcpy(buf, p2_sa, sizeof(p2_sa));
	memset(buf + sizeof(p2_sa), 0, 4);
	buf[67] += 4;		/* proposal 2 grows by the 4 bytes */
	check_err(sa_bytes(buf, sizeof(buf), &err), &err, ISAKMP_N_PAYLOAD_MALFORMED,
		  "SA: proposal 2: 4 bytes after the last transform");
	buf[67] -= 4;
	check_err(sa_bytes(buf, sizeof(buf), &err), &err, ISAKMP_N_PAYLOAD_MALFORMED,
		  "SA: 4 bytes after the last proposal");
}

static void test_sa_every_cut(void **state)
{
	struct isakmp_err err;

	(void)state;
	for (size_t cut = 4; cut < sizeof(p2_sa); cut++) {
		uint8_t *copy = malloc(cut);

		memcpy(copy, p2_sa, cut);
		assert_int_equal(sa_bytes(copy, cut, &err), -EBADMSG);
		free(copy);
	}
}

/*
 * Main mode SA with a TLV life duration of 8 bytes (2^32 seconds), then the same with 9
 * bytes: a valid attribute, but no 64-bit number.
 */
static const uint8_t p1_sa_long_life[] = {
	0x00, 0x00, 0x00, 0x34,		/* SA: last, 52 bytes */
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x28,		/* P: last, 40 bytes */
	0x01, 0x01, 0x00, 0x01,		/* #1, ISAKMP, no SPI, 1 transform */
	0x00, 0x00, 0x00, 0x20,		/* T: last, 32 bytes */
	0x01, 0x01, 0x00, 0x00,		/* #1, KEY_IKE */
	0x80, 0x01, 0x00, 0x07,		/* encryption: AES-CBC */
	0x80, 0x0e, 0x01, 0x00,		/* key length: 256 */
	0x80, 0x0b, 0x00, 0x01,		/* life type: seconds */
	0x00, 0x0c, 0x00, 0x08,		/* life duration, 8 bytes */
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
};

static void test_sa_long_attr(void **state)
{
	uint8_t nine[sizeof(p1_sa_long_life) + 1];
	const struct isakmp_attr *a;
	struct isakmp_err err;
	uint64_t v = 0;

	(void)state;
	assert_int_equal(sa_bytes(p1_sa_long_life, sizeof(p1_sa_long_life), &err), 0);
	assert_int_equal(sa.proposals[0].proto, ISAKMP_PROTO_ISAKMP);
	assert_int_equal(sa.proposals[0].transforms[0].id, ISAKMP_KEY_IKE);
	a = &sa.proposals[0].transforms[0].attrs[3];
	check_attr(a, ISAKMP_P1_LIFE_DURATION, false, 0);	/* too long for value */
	assert_int_equal(a->len, 8);
	assert_int_equal(isakmp_attr_u64(a, &v, &err), 0);
	assert_int_equal(v, 1ULL << 32);
	assert_string_equal(isakmp_p1_value_name(ISAKMP_P1_ENC, 7), "AES-CBC");

	memcpy(nine, p1_sa_long_life, sizeof(p1_sa_long_life));
	nine[sizeof(nine) - 1] = 0;
	nine[3]++;		/* SA, P, T and the attribute each a byte longer */
	nine[15]++;
	nine[23]++;
	nine[43]++;
	assert_int_equal(sa_bytes(nine, sizeof(nine), &err), 0);
	a = &sa.proposals[0].transforms[0].attrs[3];
	assert_int_equal(a->len, 9);
	check_err(isakmp_attr_u64(a, &v, &err), &err, ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED,
		  "attribute 12: 9-byte value, not 1 to 8");
	assert_int_equal(v, 1ULL << 32);	/* untouched */
}

static void test_sa_isakmp_spi(void **state)
{
	uint8_t buf[sizeof(p1_sa_long_life) + 16];
	struct isakmp_err err;

	(void)state;
	/* RFC 2408 2.4 lets phase 1 proposals carry the cookies as SPI: 16 (or 8) bytes */
	for (unsigned int size = 0; size <= 16; size++) {
		memcpy(buf, p1_sa_long_life, 20);
		memset(buf + 20, 0x77, size);
		memcpy(buf + 20 + size, p1_sa_long_life + 20, sizeof(p1_sa_long_life) - 20);
		buf[3] = (uint8_t)(sizeof(p1_sa_long_life) + size);
		buf[15] = (uint8_t)(0x28 + size);
		buf[18] = (uint8_t)size;
		if (size == 0 || size == 8 || size == 16) {
			assert_int_equal(sa_bytes(buf, sizeof(p1_sa_long_life) + size, &err), 0);
			assert_int_equal(sa.proposals[0].spi_size, size);
			assert_int_equal(sa.proposals[0].spi[0], size ? 0x77 : 0);
		} else {
			check_err(sa_bytes(buf, sizeof(p1_sa_long_life) + size, &err), &err,
				  ISAKMP_N_INVALID_SPI, NULL);
		}
	}
}

/* Builds an SA of nprops proposals of nxf transforms of nattrs attributes each. */
static size_t build_sa(uint8_t *out, size_t cap, unsigned int nprops, unsigned int nxf,
		       unsigned int nattrs)
{
	static struct isakmp_attr attrs[40];
	static struct isakmp_transform xfs[80];
	static struct isakmp_proposal props[20];
	struct isakmp_buf b;

	for (unsigned int i = 0; i < nattrs; i++)
		attrs[i] = ISAKMP_ATTR(ISAKMP_P2_KEY_ROUNDS, i);
	for (unsigned int i = 0; i < nxf; i++)
		xfs[i] = (struct isakmp_transform){ .number = (uint8_t)(i + 1),
						    .id = ISAKMP_ESP_AES_CBC,
						    .nattrs = nattrs, .attrs = attrs };
	for (unsigned int i = 0; i < nprops; i++)
		props[i] = (struct isakmp_proposal){ .number = (uint8_t)(i + 1),
						     .proto = ISAKMP_PROTO_ESP, .spi_size = 4,
						     .ntransforms = nxf, .transforms = xfs };
	isakmp_buf_init(&b, out, cap);
	isakmp_put_sa(&b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY, props, nprops);
	assert_int_equal(isakmp_msg_end(&b), 0);
	return b.len;
}

static void test_sa_limits(void **state)
{
	static uint8_t buf[16384];
	struct isakmp_err err;
	size_t len;

	(void)state;
	len = build_sa(buf, sizeof(buf), ISAKMP_PROPOSALS_MAX, 1, 1);
	assert_int_equal(sa_bytes(buf, len, &err), 0);
	assert_int_equal(sa.nproposals, ISAKMP_PROPOSALS_MAX);
	len = build_sa(buf, sizeof(buf), ISAKMP_PROPOSALS_MAX + 1, 1, 1);
	check_err(sa_bytes(buf, len, &err), &err, ISAKMP_N_BAD_PROPOSAL_SYNTAX,
		  "SA: proposal 17: more than 16 proposals");

	len = build_sa(buf, sizeof(buf), 1, 1, ISAKMP_ATTRS_MAX);
	assert_int_equal(sa_bytes(buf, len, &err), 0);
	assert_int_equal(sa.proposals[0].transforms[0].nattrs, ISAKMP_ATTRS_MAX);
	len = build_sa(buf, sizeof(buf), 1, 1, ISAKMP_ATTRS_MAX + 1);
	check_err(sa_bytes(buf, len, &err), &err, ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED,
		  "SA: proposal 1: transform 1: more than 24 attributes");

	len = build_sa(buf, sizeof(buf), 2, ISAKMP_TRANSFORMS_MAX / 2, 2);
	assert_int_equal(sa_bytes(buf, len, &err), 0);
	len = build_sa(buf, sizeof(buf), 2, ISAKMP_TRANSFORMS_MAX / 2 + 1, 2);
	check_err(sa_bytes(buf, len, &err), &err, ISAKMP_N_BAD_PROPOSAL_SYNTAX,
		  "SA: proposal 2: transform 32: more than 64 transforms in the SA");

	/* the SA-wide attribute pool: 16 x 2 x 24 = 768 fit, one more does not */
	len = build_sa(buf, sizeof(buf), 16, 2, ISAKMP_ATTRS_MAX);
	assert_int_equal(sa_bytes(buf, len, &err), 0);
	len = build_sa(buf, sizeof(buf), 16, 3, 17);
	check_err(sa_bytes(buf, len, &err), &err, ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED,
		  "SA: proposal 16: transform 1: more than 768 attributes in the SA");
}

/* --- ID, N, D, NONCE, KE and the other simple payloads ------------------------------------- */

static int id_bytes(const uint8_t *p, size_t len, struct isakmp_id *id, struct isakmp_err *err)
{
	struct isakmp_payload pld = pld_of(ISAKMP_PL_ID, p, len);

	return isakmp_id_decode(&pld, id, err);
}

static void test_id(void **state)
{
	static const struct { uint8_t type; size_t len; } fixed[] = {
		{ ISAKMP_ID_IPV4_ADDR, 4 }, { ISAKMP_ID_IPV4_ADDR_SUBNET, 8 },
		{ ISAKMP_ID_IPV6_ADDR, 16 }, { ISAKMP_ID_IPV6_ADDR_SUBNET, 32 },
		{ ISAKMP_ID_IPV4_ADDR_RANGE, 8 }, { ISAKMP_ID_IPV6_ADDR_RANGE, 32 },
	};
	static const uint8_t variable[] = { ISAKMP_ID_FQDN, ISAKMP_ID_USER_FQDN,
					    ISAKMP_ID_DER_ASN1_DN, ISAKMP_ID_DER_ASN1_GN,
					    ISAKMP_ID_KEY_ID };
	/* phase 1 ID: 192.0.2.1, UDP port 500 (RFC 2407 4.6.2) */
	static const uint8_t ipv4[] = { 0x01, 0x11, 0x01, 0xf4, 192, 0, 2, 1 };
	uint8_t buf[4 + 33] = { 0 };
	struct isakmp_err err;
	struct isakmp_id id;

	(void)state;
	assert_int_equal(id_bytes(ipv4, sizeof(ipv4), &id, &err), 0);
	assert_int_equal(id.type, ISAKMP_ID_IPV4_ADDR);
	assert_int_equal(id.proto, 17);
	assert_int_equal(id.port, 500);
	assert_int_equal(id.len, 4);
	assert_memory_equal(id.data, ((uint8_t[]){ 192, 0, 2, 1 }), 4);

	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++) {
		buf[0] = fixed[i].type;
		assert_int_equal(id_bytes(buf, 4 + fixed[i].len, &id, &err), 0);
		check_err(id_bytes(buf, 4 + fixed[i].len - 1, &id, &err), &err,
			  ISAKMP_N_INVALID_ID_INFORMATION, NULL);
		check_err(id_bytes(buf, 4 + fixed[i].len + 1, &id, &err), &err,
			  ISAKMP_N_INVALID_ID_INFORMATION, NULL);
	}
	buf[0] = ISAKMP_ID_IPV4_ADDR;
	check_err(id_bytes(buf, 9, &id, &err), &err, ISAKMP_N_INVALID_ID_INFORMATION,
		  "ID: ID_IPV4_ADDR needs 4 bytes, has 5");
	for (size_t i = 0; i < ARRAY_SIZE(variable); i++) {
		buf[0] = variable[i];
		assert_int_equal(id_bytes(buf, 5, &id, &err), 0);
		assert_int_equal(id.len, 1);
		check_err(id_bytes(buf, 4, &id, &err), &err, ISAKMP_N_INVALID_ID_INFORMATION,
			  NULL);
	}
	buf[0] = ISAKMP_ID_FQDN;
	check_err(id_bytes(buf, 4, &id, &err), &err, ISAKMP_N_INVALID_ID_INFORMATION,
		  "ID: ID_FQDN is empty");
	check_err(id_bytes(ipv4, 3, &id, &err), &err, ISAKMP_N_PAYLOAD_MALFORMED,
		  "ID: 3 bytes, shorter than its 4-byte header");
	buf[0] = 12;		/* ID_LIST, RFC 3554: not supported */
	check_err(id_bytes(buf, 8, &id, &err), &err, ISAKMP_N_INVALID_ID_INFORMATION,
		  "ID: unknown type 12");
	buf[0] = 0;
	check_err(id_bytes(buf, 8, &id, &err), &err, ISAKMP_N_INVALID_ID_INFORMATION, NULL);
}

/* RFC 2407 4.6.3 INITIAL-CONTACT with both cookies as SPI, then RFC 3706 R-U-THERE. */
static const uint8_t n_initial_contact[] = {
	0x00, 0x00, 0x00, 0x01,		/* DOI: IPsec */
	0x01, 0x10,			/* protocol ISAKMP, SPI size 16 */
	0x60, 0x02,			/* INITIAL-CONTACT (24578) */
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00,
};

static const uint8_t n_r_u_there[] = {
	0x00, 0x00, 0x00, 0x01, 0x01, 0x10,
	0x8d, 0x28,			/* R-U-THERE (36136) */
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00,
	0x00, 0x00, 0x30, 0x39,		/* sequence number 12345 */
};

static int notify_bytes(const uint8_t *p, size_t len, struct isakmp_notify *n,
			struct isakmp_err *err)
{
	struct isakmp_payload pld = pld_of(ISAKMP_PL_N, p, len);

	return isakmp_notify_decode(&pld, n, err);
}

static int notify_variant(size_t at, uint8_t v, struct isakmp_err *err)
{
	uint8_t buf[sizeof(n_r_u_there)];
	struct isakmp_notify n;

	memcpy(buf, n_r_u_there, sizeof(buf));
	buf[at] = v;
	return notify_bytes(buf, sizeof(buf), &n, err);
}

static void test_notify(void **state)
{
	struct isakmp_notify n;
	struct isakmp_err err;

	(void)state;
	assert_int_equal(notify_bytes(n_initial_contact, sizeof(n_initial_contact), &n, &err),
			 0);
	assert_int_equal(n.doi, ISAKMP_DOI_IPSEC);
	assert_int_equal(n.proto, ISAKMP_PROTO_ISAKMP);
	assert_int_equal(n.spi_size, 16);
	assert_int_equal(n.type, ISAKMP_N_INITIAL_CONTACT);
	assert_ptr_equal(n.spi, n_initial_contact + 8);
	assert_int_equal(n.len, 0);
	assert_string_equal(isakmp_notify_name(n.type), "INITIAL-CONTACT");

	assert_int_equal(notify_bytes(n_r_u_there, sizeof(n_r_u_there), &n, &err), 0);
	assert_int_equal(n.type, ISAKMP_N_R_U_THERE);
	assert_int_equal(n.len, 4);
	assert_memory_equal(n.data, ((uint8_t[]){ 0, 0, 0x30, 0x39 }), 4);
	/* an error notify without SPI, DOI 0 as phase 1 ones may say */
	assert_int_equal(notify_bytes((const uint8_t[]){ 0, 0, 0, 0, 1, 0, 0, 14 }, 8, &n, &err),
			 0);
	assert_string_equal(isakmp_notify_name(n.type), "NO-PROPOSAL-CHOSEN");

	check_err(notify_bytes(n_r_u_there, 7, &n, &err), &err, ISAKMP_N_PAYLOAD_MALFORMED,
		  "N: 7 bytes, shorter than its 8-byte header");
	check_err(notify_bytes(n_r_u_there, 23, &n, &err), &err, ISAKMP_N_PAYLOAD_MALFORMED,
		  "N: 16-byte SPI past the payload's end");
	check_err(notify_variant(5, 17, &err), &err, ISAKMP_N_INVALID_SPI,
		  "N: SPI size 17, over 16");
	check_err(notify_variant(3, 2, &err), &err, ISAKMP_N_DOI_NOT_SUPPORTED,
		  "N: DOI 2, not ISAKMP or IPsec");
	check_err(notify_variant(4, 5, &err), &err, ISAKMP_N_INVALID_PROTOCOL_ID,
		  "N: unknown protocol 5");
	check_err(notify_bytes((const uint8_t[]){ 0, 0, 0, 1, 1, 0, 0, 0 }, 8, &n, &err), &err,
		  ISAKMP_N_PAYLOAD_MALFORMED, "N: type 0");
}

/* RFC 2408 3.15: delete two ESP SAs. */
static const uint8_t d_esp[] = {
	0x00, 0x00, 0x00, 0x01,		/* DOI: IPsec */
	0x03, 0x04,			/* ESP, SPI size 4 */
	0x00, 0x02,			/* 2 SPIs */
	0xc0, 0xff, 0xee, 0x01,
	0xc0, 0xff, 0xee, 0x02,
};

static int delete_bytes(const uint8_t *p, size_t len, struct isakmp_delete *d,
			struct isakmp_err *err)
{
	struct isakmp_payload pld = pld_of(ISAKMP_PL_D, p, len);

	return isakmp_delete_decode(&pld, d, err);
}

static int delete_variant(size_t at, uint8_t v, struct isakmp_err *err)
{
	uint8_t buf[sizeof(d_esp)];
	struct isakmp_delete d;

	memcpy(buf, d_esp, sizeof(buf));
	buf[at] = v;
	return delete_bytes(buf, sizeof(buf), &d, err);
}

static void test_delete(void **state)
{
	uint8_t isakmp_del[8 + 16] = { 0, 0, 0, 1, ISAKMP_PROTO_ISAKMP, 16, 0, 1 };
	struct isakmp_delete d;
	struct isakmp_err err;

	(void)state;
	assert_int_equal(delete_bytes(d_esp, sizeof(d_esp), &d, &err), 0);
	assert_int_equal(d.doi, ISAKMP_DOI_IPSEC);
	assert_int_equal(d.proto, ISAKMP_PROTO_ESP);
	assert_int_equal(d.spi_size, 4);
	assert_int_equal(d.count, 2);
	assert_memory_equal(d.spis + 4, ((uint8_t[]){ 0xc0, 0xff, 0xee, 0x02 }), 4);
	assert_int_equal(delete_bytes(isakmp_del, sizeof(isakmp_del), &d, &err), 0);
	assert_int_equal(d.spi_size, 16);

	check_err(delete_variant(7, 0, &err), &err, ISAKMP_N_PAYLOAD_MALFORMED, "D: no SPIs");
	check_err(delete_variant(7, 3, &err), &err, ISAKMP_N_PAYLOAD_MALFORMED,
		  "D: 3 SPIs of 4 bytes need 12 bytes, the payload has 8");
	check_err(delete_variant(7, 1, &err), &err, ISAKMP_N_PAYLOAD_MALFORMED, NULL);
	check_err(delete_variant(5, 8, &err), &err, ISAKMP_N_INVALID_SPI,
		  "D: SPI size 8 is wrong for ESP");
	check_err(delete_variant(5, 0, &err), &err, ISAKMP_N_INVALID_SPI, NULL);
	check_err(delete_variant(4, 0, &err), &err, ISAKMP_N_INVALID_PROTOCOL_ID,
		  "D: unknown protocol 0");
	check_err(delete_variant(0, 1, &err), &err, ISAKMP_N_DOI_NOT_SUPPORTED, NULL);
	check_err(delete_bytes(d_esp, 7, &d, &err), &err, ISAKMP_N_PAYLOAD_MALFORMED,
		  "D: 7 bytes, shorter than its 8-byte header");
	/* an ISAKMP SA is named by both cookies */
	isakmp_del[5] = 8;
	check_err(delete_bytes(isakmp_del, 16, &d, &err), &err, ISAKMP_N_INVALID_SPI, NULL);
}

static void test_nonce_ke(void **state)
{
	static const uint8_t bytes[300];
	struct isakmp_payload pld;
	struct isakmp_bytes out;
	struct isakmp_err err;

	(void)state;
	pld = pld_of(ISAKMP_PL_NONCE, bytes, 7);
	check_err(isakmp_nonce_decode(&pld, &out, &err), &err, ISAKMP_N_PAYLOAD_MALFORMED,
		  "NONCE: 7 bytes, not 8 to 256");
	pld.len = 8;
	assert_int_equal(isakmp_nonce_decode(&pld, &out, &err), 0);
	assert_int_equal(out.len, 8);
	assert_ptr_equal(out.data, bytes);
	pld.len = 256;
	assert_int_equal(isakmp_nonce_decode(&pld, &out, &err), 0);
	pld.len = 257;
	check_err(isakmp_nonce_decode(&pld, &out, &err), &err, ISAKMP_N_PAYLOAD_MALFORMED,
		  "NONCE: 257 bytes, not 8 to 256");

	pld = pld_of(ISAKMP_PL_KE, bytes, 0);
	check_err(isakmp_ke_decode(&pld, &out, &err), &err, ISAKMP_N_INVALID_KEY_INFORMATION,
		  "KE: 0 bytes, fewer than 1");
	pld.len = 256;		/* MODP-2048 */
	assert_int_equal(isakmp_ke_decode(&pld, &out, &err), 0);
	assert_int_equal(out.len, 256);
}

static void test_opaque_payloads(void **state)
{
	static const uint8_t bytes[20] = { 1, 2, 3 };
	struct isakmp_payload empty = pld_of(ISAKMP_PL_HASH, bytes, 0);
	struct isakmp_payload some = pld_of(ISAKMP_PL_HASH, bytes, 20);
	struct isakmp_bytes out;
	struct isakmp_err err;

	(void)state;
	check_err(isakmp_hash_decode(&empty, &out, &err), &err,
		  ISAKMP_N_INVALID_HASH_INFORMATION, "HASH: 0 bytes, fewer than 1");
	check_err(isakmp_sig_decode(&empty, &out, &err), &err, ISAKMP_N_INVALID_SIGNATURE,
		  "SIG: 0 bytes, fewer than 1");
	check_err(isakmp_natd_decode(&empty, &out, &err), &err, ISAKMP_N_PAYLOAD_MALFORMED,
		  "NAT-D: 0 bytes, fewer than 1");
	assert_int_equal(isakmp_vid_decode(&empty, &out, &err), 0);
	assert_int_equal(out.len, 0);
	assert_int_equal(isakmp_hash_decode(&some, &out, &err), 0);
	assert_int_equal(isakmp_sig_decode(&some, &out, &err), 0);
	assert_int_equal(isakmp_natd_decode(&some, &out, &err), 0);
	assert_int_equal(out.len, 20);
	assert_ptr_equal(out.data, bytes);
}

static void test_cert_cr(void **state)
{
	static const uint8_t cert[] = { ISAKMP_CERT_X509_SIG, 0x30, 0x82, 0x01, 0x0a };
	struct isakmp_payload pld = pld_of(ISAKMP_PL_CERT, cert, sizeof(cert));
	uint8_t bad[sizeof(cert)];
	struct isakmp_cert out;
	struct isakmp_err err;

	(void)state;
	assert_int_equal(isakmp_cert_decode(&pld, &out, &err), 0);
	assert_int_equal(out.encoding, ISAKMP_CERT_X509_SIG);
	assert_int_equal(out.len, 4);
	assert_ptr_equal(out.data, cert + 1);
	assert_string_equal(isakmp_cert_name(out.encoding), "X.509 signature");

	pld.len = 1;
	check_err(isakmp_cert_decode(&pld, &out, &err), &err, ISAKMP_N_INVALID_CERTIFICATE,
		  "CERT: no certificate data");
	/* a CR without authority asks for any certificate of that type */
	assert_int_equal(isakmp_cr_decode(&pld, &out, &err), 0);
	assert_int_equal(out.len, 0);
	pld.len = 0;
	check_err(isakmp_cert_decode(&pld, &out, &err), &err, ISAKMP_N_PAYLOAD_MALFORMED,
		  "CERT: empty");
	check_err(isakmp_cr_decode(&pld, &out, &err), &err, ISAKMP_N_PAYLOAD_MALFORMED,
		  "CR: empty");

	memcpy(bad, cert, sizeof(bad));
	pld = pld_of(ISAKMP_PL_CR, bad, sizeof(bad));
	bad[0] = 0;
	check_err(isakmp_cr_decode(&pld, &out, &err), &err, ISAKMP_N_INVALID_CERT_ENCODING,
		  "CR: unknown encoding 0");
	bad[0] = 11;
	check_err(isakmp_cert_decode(&pld, &out, &err), &err, ISAKMP_N_INVALID_CERT_ENCODING,
		  "CERT: unknown encoding 11");
}

static void test_natoa(void **state)
{
	/* RFC 3947 5.2: ID type, 3 reserved bytes, the address */
	static const uint8_t v4[] = { 0x01, 0x00, 0x00, 0x00, 192, 168, 1, 10 };
	uint8_t v6[4 + 16] = { ISAKMP_ID_IPV6_ADDR, 0, 0, 0, 0x20, 0x01, 0x0d, 0xb8 };
	struct isakmp_payload pld = pld_of(ISAKMP_PL_NATOA, v4, sizeof(v4));
	uint8_t bad[sizeof(v4)];
	struct isakmp_natoa oa;
	struct isakmp_err err;

	(void)state;
	assert_int_equal(isakmp_natoa_decode(&pld, &oa, &err), 0);
	assert_int_equal(oa.id_type, ISAKMP_ID_IPV4_ADDR);
	assert_int_equal(oa.len, 4);
	assert_memory_equal(oa.addr, v4 + 4, 4);
	pld = pld_of(ISAKMP_PL_NATOA_DRAFT, v6, sizeof(v6));
	assert_int_equal(isakmp_natoa_decode(&pld, &oa, &err), 0);
	assert_int_equal(oa.len, 16);
	pld.len = 19;
	check_err(isakmp_natoa_decode(&pld, &oa, &err), &err, ISAKMP_N_PAYLOAD_MALFORMED,
		  "NAT-OA: ID_IPV6_ADDR needs 16 bytes, has 15");
	pld.len = 3;
	check_err(isakmp_natoa_decode(&pld, &oa, &err), &err, ISAKMP_N_PAYLOAD_MALFORMED,
		  "NAT-OA: 3 bytes, shorter than its 4-byte header");

	memcpy(bad, v4, sizeof(bad));
	pld = pld_of(ISAKMP_PL_NATOA, bad, sizeof(bad));
	bad[2] = 1;
	check_err(isakmp_natoa_decode(&pld, &oa, &err), &err, ISAKMP_N_PAYLOAD_MALFORMED,
		  "NAT-OA: reserved bytes not 0");
	bad[2] = 0;
	bad[0] = ISAKMP_ID_FQDN;
	check_err(isakmp_natoa_decode(&pld, &oa, &err), &err, ISAKMP_N_INVALID_ID_INFORMATION,
		  "NAT-OA: type 2, not an IPv4 or IPv6 address");
}

/* --- Builder ---------------------------------------------------------------------------- */

static const uint8_t icookie[8] = { 0x5e, 0xed, 0xc0, 0x0c, 0x1e, 0x00, 0x00, 0x01 };
static const uint8_t rcookie[8] = { 0x5e, 0xed, 0xc0, 0x0c, 0x1e, 0x00, 0x00, 0x02 };
static const uint8_t vid_dpd[16] = { 0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
				     0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00 };
static const uint8_t vid_rfc3947[16] = { 0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
					 0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f };

static const struct isakmp_attr mm_aes256[] = {
	ISAKMP_ATTR(ISAKMP_P1_ENC, ISAKMP_ENC_AES_CBC),
	ISAKMP_ATTR(ISAKMP_P1_KEY_LENGTH, 256),
	ISAKMP_ATTR(ISAKMP_P1_HASH, ISAKMP_HASH_SHA2_256),
	ISAKMP_ATTR(ISAKMP_P1_AUTH, ISAKMP_AUTH_PSK),
	ISAKMP_ATTR(ISAKMP_P1_GROUP_DESC, ISAKMP_GROUP_MODP2048),
	ISAKMP_ATTR(ISAKMP_P1_LIFE_TYPE, ISAKMP_LIFE_SECONDS),
	ISAKMP_ATTR(ISAKMP_P1_LIFE_DURATION, 86400),	/* over 16 bits: a 4-byte TLV */
};

static const struct isakmp_attr mm_aes128[] = {
	ISAKMP_ATTR(ISAKMP_P1_ENC, ISAKMP_ENC_AES_CBC),
	ISAKMP_ATTR(ISAKMP_P1_KEY_LENGTH, 128),
	ISAKMP_ATTR(ISAKMP_P1_HASH, ISAKMP_HASH_SHA2_384),
	ISAKMP_ATTR(ISAKMP_P1_AUTH, ISAKMP_AUTH_RSA_SIG),
	ISAKMP_ATTR(ISAKMP_P1_GROUP_DESC, ISAKMP_GROUP_ECP256),
	ISAKMP_ATTR(ISAKMP_P1_LIFE_TYPE, ISAKMP_LIFE_SECONDS),
	ISAKMP_ATTR(ISAKMP_P1_LIFE_DURATION, 28800),
};

static const struct isakmp_attr mm_3des[] = {
	ISAKMP_ATTR(ISAKMP_P1_ENC, ISAKMP_ENC_3DES_CBC),
	ISAKMP_ATTR(ISAKMP_P1_HASH, ISAKMP_HASH_SHA),
	ISAKMP_ATTR(ISAKMP_P1_AUTH, ISAKMP_AUTH_PSK),
	ISAKMP_ATTR(ISAKMP_P1_GROUP_DESC, ISAKMP_GROUP_MODP1024),
};

static const uint8_t life_8[8] = { 0, 0, 0, 0, 0, 0x01, 0x51, 0x80 };	/* 86400 */

static const struct isakmp_attr mm_aes512[] = {
	ISAKMP_ATTR(ISAKMP_P1_ENC, ISAKMP_ENC_AES_CBC),
	ISAKMP_ATTR(ISAKMP_P1_KEY_LENGTH, 256),
	ISAKMP_ATTR(ISAKMP_P1_HASH, ISAKMP_HASH_SHA2_512),
	ISAKMP_ATTR(ISAKMP_P1_AUTH, ISAKMP_AUTH_PSK),
	ISAKMP_ATTR(ISAKMP_P1_GROUP_DESC, ISAKMP_GROUP_MODP4096),
	ISAKMP_ATTR(ISAKMP_P1_LIFE_TYPE, ISAKMP_LIFE_KILOBYTES),
	{ .type = ISAKMP_P1_LIFE_DURATION, .data = life_8, .len = sizeof(life_8) },
};

#define XF(n, a) { .number = (n), .id = ISAKMP_KEY_IKE, .nattrs = ARRAY_SIZE(a), .attrs = (a) }

static const struct isakmp_transform mm_transforms[] = {
	XF(1, mm_aes256), XF(2, mm_aes128), XF(3, mm_3des), XF(4, mm_aes512),
};

static const struct isakmp_proposal mm_proposal = {
	.number = 1, .proto = ISAKMP_PROTO_ISAKMP, .ntransforms = ARRAY_SIZE(mm_transforms),
	.transforms = mm_transforms,
};

static size_t build_mm1(uint8_t *buf, size_t cap, int *ret)
{
	struct isakmp_hdr hdr = { .exchange = ISAKMP_EXCH_IDPROT };
	struct isakmp_buf b;

	memcpy(hdr.icookie, icookie, 8);
	isakmp_buf_init(&b, buf, cap);
	isakmp_msg_begin(&b, &hdr);
	isakmp_put_sa(&b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY, &mm_proposal, 1);
	isakmp_put_vid(&b, vid_rfc3947, sizeof(vid_rfc3947));
	isakmp_put_vid(&b, vid_dpd, sizeof(vid_dpd));
	*ret = isakmp_msg_end(&b);
	return b.len;
}

static void check_attrs_equal(const struct isakmp_transform *got,
			      const struct isakmp_transform *want)
{
	assert_int_equal(got->number, want->number);
	assert_int_equal(got->id, want->id);
	assert_int_equal(got->nattrs, want->nattrs);
	for (unsigned int i = 0; i < got->nattrs; i++) {
		uint64_t g, w;

		assert_int_equal(got->attrs[i].type, want->attrs[i].type);
		assert_int_equal(isakmp_attr_u64(&got->attrs[i], &g, NULL), 0);
		assert_int_equal(isakmp_attr_u64(&want->attrs[i], &w, NULL), 0);
		assert_int_equal(g, w);
	}
}

static void check_sa_equal(const struct isakmp_sa *got, const struct isakmp_proposal *want,
			   unsigned int n)
{
	assert_int_equal(got->nproposals, n);
	for (unsigned int i = 0; i < n; i++) {
		const struct isakmp_proposal *p = &got->proposals[i];

		assert_int_equal(p->number, want[i].number);
		assert_int_equal(p->proto, want[i].proto);
		assert_int_equal(p->spi_size, want[i].spi_size);
		assert_memory_equal(p->spi, want[i].spi, p->spi_size);
		assert_int_equal(p->ntransforms, want[i].ntransforms);
		for (unsigned int j = 0; j < p->ntransforms; j++)
			check_attrs_equal(&p->transforms[j], &want[i].transforms[j]);
	}
}

static void test_build_main_mode_1(void **state)
{
	uint8_t buf[MSG_BUF];
	struct isakmp_hdr hdr;
	struct isakmp_chain chain;
	struct isakmp_bytes vid;
	struct isakmp_err err;
	const struct isakmp_attr *a;
	size_t len;
	int ret;

	(void)state;
	len = build_mm1(buf, sizeof(buf), &ret);
	assert_int_equal(ret, 0);
	write_seed("main-mode-1", buf, len);

	assert_int_equal(isakmp_hdr_parse(buf, len, &hdr, &err), 0);
	assert_memory_equal(hdr.icookie, icookie, 8);
	assert_int_equal(hdr.exchange, ISAKMP_EXCH_IDPROT);
	assert_int_equal(hdr.length, len);
	assert_int_equal(hdr.next, ISAKMP_PL_SA);
	assert_int_equal(isakmp_chain_parse(hdr.next, buf + ISAKMP_HDR_LEN, len - ISAKMP_HDR_LEN,
					    0, &chain, &err), 0);
	assert_int_equal(chain.count, 3);
	assert_int_equal(isakmp_sa_decode(&chain.pld[0], &sa, &err), 0);
	check_sa_equal(&sa, &mm_proposal, 1);
	assert_int_equal(isakmp_vid_decode(&chain.pld[2], &vid, &err), 0);
	assert_memory_equal(vid.data, vid_dpd, 16);

	/* how each attribute went on the wire */
	a = sa.proposals[0].transforms[0].attrs;
	assert_true(a[5].is_tv);
	assert_false(a[6].is_tv);
	assert_int_equal(a[6].len, 4);
	assert_int_equal(a[6].value, 86400);
	a = sa.proposals[0].transforms[3].attrs;
	assert_false(a[6].is_tv);
	assert_int_equal(a[6].len, 8);
	assert_memory_equal(a[6].data, life_8, 8);

	/* the first transform's bytes, from RFC 2408 3.6 and 3.3 */
	assert_memory_equal(buf + ISAKMP_HDR_LEN + 20, ((const uint8_t[]){
		0x03, 0x00, 0x00, 0x28,		/* T: another follows, 40 bytes */
		0x01, 0x01, 0x00, 0x00,		/* #1, KEY_IKE */
		0x80, 0x01, 0x00, 0x07, 0x80, 0x0e, 0x01, 0x00,
		0x80, 0x02, 0x00, 0x04, 0x80, 0x03, 0x00, 0x01,
		0x80, 0x04, 0x00, 0x0e, 0x80, 0x0b, 0x00, 0x01,
		0x00, 0x0c, 0x00, 0x04, 0x00, 0x01, 0x51, 0x80,
	}), 40);
}

/* Every buffer size short of the message: refused, and not a byte written past it. */
static void test_build_overflow(void **state)
{
	uint8_t full[MSG_BUF], buf[MSG_BUF];
	size_t len;
	int ret;

	(void)state;
	len = build_mm1(full, sizeof(full), &ret);
	assert_int_equal(ret, 0);
	for (size_t cap = 0; cap < len; cap++) {
		memset(buf, GUARD, sizeof(buf));
		assert_true(build_mm1(buf, cap, &ret) <= cap);
		assert_int_equal(ret, -ENOBUFS);
		for (size_t i = cap; i < sizeof(buf); i++)
			assert_int_equal(buf[i], GUARD);
	}
	memset(buf, GUARD, sizeof(buf));
	assert_int_equal(build_mm1(buf, len, &ret), len);
	assert_int_equal(ret, 0);
	assert_memory_equal(buf, full, len);
}

static void test_build_invalid(void **state)
{
	static uint8_t big[70000];
	struct isakmp_proposal prop = mm_proposal;
	struct isakmp_attr attr = ISAKMP_ATTR(0x8000, 1);
	struct isakmp_transform xf = { .id = ISAKMP_KEY_IKE, .nattrs = 1, .attrs = &attr };
	struct isakmp_buf b;

	(void)state;
	isakmp_buf_init(&b, big, sizeof(big));
	isakmp_put_vid(&b, NULL, ISAKMP_PAYLOAD_MAX - 4);	/* just fits */
	assert_int_equal(isakmp_msg_end(&b), 0);
	isakmp_buf_init(&b, big, sizeof(big));
	isakmp_put_vid(&b, NULL, ISAKMP_PAYLOAD_MAX - 3);	/* one byte too many */
	assert_int_equal(isakmp_msg_end(&b), -EINVAL);

	isakmp_buf_init(&b, big, sizeof(big));
	prop.spi_size = 17;
	isakmp_put_sa(&b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY, &prop, 1);
	assert_int_equal(isakmp_msg_end(&b), -EINVAL);

	isakmp_buf_init(&b, big, sizeof(big));
	prop = mm_proposal;
	prop.ntransforms = 1;
	prop.transforms = &xf;
	isakmp_put_sa(&b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY, &prop, 1);
	assert_int_equal(isakmp_msg_end(&b), -EINVAL);
}

static void test_build_attr_forms(void **state)
{
	static const uint8_t two[2] = { 0x00, 0x05 };
	const struct isakmp_attr attrs[] = {
		ISAKMP_ATTR(ISAKMP_P2_LIFE_DURATION, 0xffff),
		ISAKMP_ATTR(ISAKMP_P2_LIFE_DURATION, 0x10000),
		{ .type = ISAKMP_P2_KEY_ROUNDS, .data = two, .len = 2 },
	};
	const struct isakmp_transform xf = { .number = 1, .id = ISAKMP_ESP_AES_CBC,
					     .nattrs = 3, .attrs = attrs };
	const struct isakmp_proposal prop = { .number = 1, .proto = ISAKMP_PROTO_ESP,
					      .spi_size = 4, .spi = { 1, 2, 3, 4 },
					      .ntransforms = 1, .transforms = &xf };
	uint8_t buf[128];
	struct isakmp_buf b;

	(void)state;
	isakmp_buf_init(&b, buf, sizeof(buf));
	isakmp_put_sa(&b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY, &prop, 1);
	assert_int_equal(isakmp_msg_end(&b), 0);
	assert_int_equal(b.first, ISAKMP_PL_SA);
	assert_int_equal(b.len, 4 + 8 + 12 + 8 + 4 + 8 + 6);
	assert_memory_equal(buf + 32, ((const uint8_t[]){
		0x80, 0x02, 0xff, 0xff,				/* fits 16 bits: TV */
		0x00, 0x02, 0x00, 0x04, 0x00, 0x01, 0x00, 0x00,	/* does not: 4-byte TLV */
		0x00, 0x07, 0x00, 0x02, 0x00, 0x05,		/* bytes given: TLV as is */
	}), 18);
}

/* decode(encode(x)) == x for every payload type, built as one bare chain. */
static void test_build_roundtrip(void **state)
{
	static const uint8_t spis[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t fqdn[] = "east.example.org";
	static const uint8_t addr[4] = { 192, 0, 2, 7 };
	const struct isakmp_id id = { .type = ISAKMP_ID_FQDN, .proto = 17, .port = 500,
				      .data = fqdn, .len = sizeof(fqdn) - 1 };
	const struct isakmp_cert cert = { .encoding = ISAKMP_CERT_X509_SIG, .data = fqdn,
					  .len = 5 };
	const struct isakmp_notify n = { .doi = ISAKMP_DOI_IPSEC, .proto = ISAKMP_PROTO_ESP,
					 .spi_size = 4, .type = ISAKMP_N_RESPONDER_LIFETIME,
					 .spi = spis, .data = spis + 4, .len = 4 };
	const struct isakmp_delete d = { .doi = ISAKMP_DOI_IPSEC, .proto = ISAKMP_PROTO_ESP,
					 .spi_size = 4, .count = 2, .spis = spis };
	const struct isakmp_natoa oa = { .id_type = ISAKMP_ID_IPV4_ADDR, .addr = addr, .len = 4 };
	const uint8_t opaque_types[] = { ISAKMP_PL_KE, ISAKMP_PL_NONCE, ISAKMP_PL_HASH,
					 ISAKMP_PL_SIG, ISAKMP_PL_VID, ISAKMP_PL_NATD };
	uint8_t buf[MSG_BUF];
	struct isakmp_buf b;
	struct isakmp_chain chain;
	struct isakmp_err err;
	struct isakmp_id id2;
	struct isakmp_cert cert2;
	struct isakmp_notify n2;
	struct isakmp_delete d2;
	struct isakmp_natoa oa2;
	struct isakmp_bytes bytes;

	(void)state;
	isakmp_buf_init(&b, buf, sizeof(buf));
	isakmp_put_sa(&b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY, &mm_proposal, 1);
	for (size_t i = 0; i < ARRAY_SIZE(opaque_types); i++)
		isakmp_put_bytes(&b, opaque_types[i], fqdn, 8 + i);
	isakmp_put_id(&b, &id);
	isakmp_put_cert(&b, ISAKMP_PL_CERT, &cert);
	isakmp_put_cert(&b, ISAKMP_PL_CR, &cert);
	isakmp_put_notify(&b, &n);
	isakmp_put_delete(&b, &d);
	isakmp_put_natoa(&b, ISAKMP_PL_NATOA, &oa);
	assert_int_equal(isakmp_msg_end(&b), 0);
	assert_int_equal(b.first, ISAKMP_PL_SA);

	assert_int_equal(isakmp_chain_parse(b.first, buf, b.len, 0, &chain, &err), 0);
	assert_int_equal(chain.count, 13);
	assert_int_equal(isakmp_sa_decode(&chain.pld[0], &sa, &err), 0);
	check_sa_equal(&sa, &mm_proposal, 1);
	for (size_t i = 0; i < ARRAY_SIZE(opaque_types); i++) {
		const struct isakmp_payload *p = &chain.pld[1 + i];

		assert_int_equal(p->type, opaque_types[i]);
		assert_int_equal(p->len, 8 + i);
		assert_memory_equal(p->data, fqdn, 8 + i);
	}
	assert_int_equal(isakmp_nonce_decode(&chain.pld[2], &bytes, &err), 0);
	assert_int_equal(isakmp_id_decode(&chain.pld[7], &id2, &err), 0);
	assert_int_equal(id2.type, id.type);
	assert_int_equal(id2.proto, id.proto);
	assert_int_equal(id2.port, id.port);
	assert_int_equal(id2.len, id.len);
	assert_memory_equal(id2.data, id.data, id.len);
	assert_int_equal(isakmp_cert_decode(&chain.pld[8], &cert2, &err), 0);
	assert_int_equal(cert2.encoding, cert.encoding);
	assert_int_equal(cert2.len, cert.len);
	assert_memory_equal(cert2.data, cert.data, cert.len);
	assert_int_equal(chain.pld[9].type, ISAKMP_PL_CR);
	assert_int_equal(isakmp_cr_decode(&chain.pld[9], &cert2, &err), 0);
	assert_int_equal(cert2.len, cert.len);
	assert_int_equal(isakmp_notify_decode(&chain.pld[10], &n2, &err), 0);
	assert_int_equal(n2.doi, n.doi);
	assert_int_equal(n2.proto, n.proto);
	assert_int_equal(n2.type, n.type);
	assert_int_equal(n2.spi_size, n.spi_size);
	assert_memory_equal(n2.spi, n.spi, 4);
	assert_int_equal(n2.len, n.len);
	assert_memory_equal(n2.data, n.data, n.len);
	assert_int_equal(isakmp_delete_decode(&chain.pld[11], &d2, &err), 0);
	assert_int_equal(d2.count, d.count);
	assert_int_equal(d2.proto, d.proto);
	assert_memory_equal(d2.spis, d.spis, 8);
	assert_int_equal(isakmp_natoa_decode(&chain.pld[12], &oa2, &err), 0);
	assert_int_equal(oa2.id_type, oa.id_type);
	assert_memory_equal(oa2.addr, addr, 4);
}

/* encode(decode(bytes)) == bytes for the hand-written SA and quick mode body. */
static void test_build_reencode(void **state)
{
	struct isakmp_payload pld = pld_of(ISAKMP_PL_SA, p2_sa + 4, sizeof(p2_sa) - 4);
	uint8_t buf[MSG_BUF];
	struct isakmp_buf b;
	struct isakmp_err err;

	(void)state;
	assert_int_equal(isakmp_sa_decode(&pld, &sa, &err), 0);
	isakmp_buf_init(&b, buf, sizeof(buf));
	isakmp_put_sa(&b, sa.doi, sa.situation, sa.proposals, sa.nproposals);
	assert_int_equal(isakmp_msg_end(&b), 0);
	assert_int_equal(b.len, sizeof(p2_sa));
	assert_memory_equal(buf, p2_sa, sizeof(p2_sa));

	assert_int_equal(sa_bytes(p1_sa_long_life, sizeof(p1_sa_long_life), &err), 0);
	isakmp_buf_init(&b, buf, sizeof(buf));
	isakmp_put_sa(&b, sa.doi, sa.situation, sa.proposals, sa.nproposals);
	assert_int_equal(isakmp_msg_end(&b), 0);
	assert_memory_equal(buf, p1_sa_long_life, sizeof(p1_sa_long_life));
}

/* Known answer for the builder: an informational with N and D, byte for byte. */
static void test_build_informational(void **state)
{
	static const uint8_t want[] = {
		0x5e, 0xed, 0xc0, 0x0c, 0x1e, 0x00, 0x00, 0x01,
		0x5e, 0xed, 0xc0, 0x0c, 0x1e, 0x00, 0x00, 0x02,
		0x0b, 0x10, 0x05, 0x00,		/* next N, 1.0, informational, no flags */
		0x7a, 0x11, 0x0e, 0x01,		/* message ID */
		0x00, 0x00, 0x00, 0x4c,		/* 76 bytes */
		0x0c, 0x00, 0x00, 0x1c,		/* N: next D, 28 bytes */
		0x00, 0x00, 0x00, 0x01, 0x01, 0x10, 0x60, 0x02,
		0x5e, 0xed, 0xc0, 0x0c, 0x1e, 0x00, 0x00, 0x01,
		0x5e, 0xed, 0xc0, 0x0c, 0x1e, 0x00, 0x00, 0x02,
		0x00, 0x00, 0x00, 0x14,		/* D: last, 20 bytes */
		0x00, 0x00, 0x00, 0x01, 0x03, 0x04, 0x00, 0x02,
		0xc0, 0xff, 0xee, 0x01, 0xc0, 0xff, 0xee, 0x02,
	};
	uint8_t cookies[16], buf[MSG_BUF];
	struct isakmp_hdr hdr = { .exchange = ISAKMP_EXCH_INFO, .msgid = 0x7a110e01 };
	const struct isakmp_notify n = { .doi = ISAKMP_DOI_IPSEC, .proto = ISAKMP_PROTO_ISAKMP,
					 .spi_size = 16, .type = ISAKMP_N_INITIAL_CONTACT,
					 .spi = cookies };
	const struct isakmp_delete d = { .doi = ISAKMP_DOI_IPSEC, .proto = ISAKMP_PROTO_ESP,
					 .spi_size = 4, .count = 2, .spis = d_esp + 8 };
	struct isakmp_buf b;
	struct isakmp_chain chain;
	struct isakmp_err err;

	(void)state;
	memcpy(hdr.icookie, icookie, 8);
	memcpy(hdr.rcookie, rcookie, 8);
	memcpy(cookies, icookie, 8);
	memcpy(cookies + 8, rcookie, 8);
	isakmp_buf_init(&b, buf, sizeof(buf));
	isakmp_msg_begin(&b, &hdr);
	isakmp_put_notify(&b, &n);
	isakmp_put_delete(&b, &d);
	assert_int_equal(isakmp_msg_end(&b), 0);
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	write_seed("informational", buf, b.len);

	assert_int_equal(isakmp_hdr_parse(buf, b.len, &hdr, &err), 0);
	assert_int_equal(isakmp_chain_parse(hdr.next, buf + ISAKMP_HDR_LEN,
					    b.len - ISAKMP_HDR_LEN, 0, &chain, &err), 0);
	assert_int_equal(isakmp_chain_count(&chain, ISAKMP_PL_N), 1);
	assert_int_equal(isakmp_chain_count(&chain, ISAKMP_PL_D), 1);
}

static void test_build_aggressive_1(void **state)
{
	static uint8_t ke[256], nonce[32];
	static const uint8_t fqdn[] = "west.example.org";
	const struct isakmp_id id = { .type = ISAKMP_ID_FQDN, .proto = 17, .port = 500,
				      .data = fqdn, .len = sizeof(fqdn) - 1 };
	const struct isakmp_proposal prop = {
		.number = 1, .proto = ISAKMP_PROTO_ISAKMP, .ntransforms = 1,
		.transforms = mm_transforms,
	};
	struct isakmp_hdr hdr = { .exchange = ISAKMP_EXCH_AGGRESSIVE };
	uint8_t buf[MSG_BUF];
	struct isakmp_buf b;
	struct isakmp_chain chain;
	struct isakmp_err err;
	struct isakmp_id id2;
	struct isakmp_bytes out;

	(void)state;
	for (size_t i = 0; i < sizeof(ke); i++)
		ke[i] = (uint8_t)(i * 7 + 1);
	memset(nonce, 0x4e, sizeof(nonce));
	memcpy(hdr.icookie, icookie, 8);
	isakmp_buf_init(&b, buf, sizeof(buf));
	isakmp_msg_begin(&b, &hdr);
	isakmp_put_sa(&b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY, &prop, 1);
	isakmp_put_ke(&b, ke, sizeof(ke));
	isakmp_put_nonce(&b, nonce, sizeof(nonce));
	isakmp_put_id(&b, &id);
	isakmp_put_vid(&b, vid_dpd, sizeof(vid_dpd));
	assert_int_equal(isakmp_msg_end(&b), 0);
	write_seed("aggressive-1", buf, b.len);

	assert_int_equal(isakmp_hdr_parse(buf, b.len, &hdr, &err), 0);
	assert_int_equal(isakmp_chain_parse(hdr.next, buf + ISAKMP_HDR_LEN,
					    b.len - ISAKMP_HDR_LEN, 0, &chain, &err), 0);
	assert_int_equal(chain.count, 5);
	assert_int_equal(isakmp_ke_decode(isakmp_chain_find(&chain, ISAKMP_PL_KE, 0), &out,
					  &err), 0);
	assert_memory_equal(out.data, ke, sizeof(ke));
	assert_int_equal(isakmp_nonce_decode(isakmp_chain_find(&chain, ISAKMP_PL_NONCE, 0),
					     &out, &err), 0);
	assert_int_equal(out.len, 32);
	assert_int_equal(isakmp_id_decode(isakmp_chain_find(&chain, ISAKMP_PL_ID, 0), &id2,
					  &err), 0);
	assert_int_equal(id2.len, 16);
	assert_memory_equal(id2.data, "west.example.org", 16);
}

/*
 * Quick mode message 1 the way the daemon will send it: HASH(1) written as zeros and
 * patched once the payloads after it exist, the body padded to the cipher block and the
 * length patched after "encryption" (left out here: the seed stays parseable).
 */
static void test_build_quick_mode(void **state)
{
	enum { BLOCK = 16 };
	static const uint8_t hash[20] = { [0] = 0x48, [19] = 0x31 };
	struct isakmp_hdr hdr = { .exchange = ISAKMP_EXCH_QUICK, .flags = ISAKMP_FLAG_ENC,
				  .msgid = 0x0badcafe };
	const struct isakmp_payload body = pld_of(ISAKMP_PL_SA, p2_sa + 4, sizeof(p2_sa) - 4);
	const struct isakmp_id idci = { .type = ISAKMP_ID_IPV4_ADDR_SUBNET,
					.data = qm_body + 88, .len = 8 };
	const struct isakmp_id idcr = { .type = ISAKMP_ID_IPV4_ADDR_SUBNET,
					.data = qm_body + 104, .len = 8 };
	uint8_t buf[MSG_BUF];
	struct isakmp_buf b;
	struct isakmp_chain chain;
	struct isakmp_err err;
	size_t h, pad;

	(void)state;
	assert_int_equal(isakmp_sa_decode(&body, &sa, &err), 0);
	memcpy(hdr.icookie, icookie, 8);
	memcpy(hdr.rcookie, rcookie, 8);
	isakmp_buf_init(&b, buf, sizeof(buf));
	isakmp_msg_begin(&b, &hdr);
	h = isakmp_put_hash(&b, NULL, sizeof(hash));
	isakmp_put_sa(&b, sa.doi, sa.situation, sa.proposals, sa.nproposals);
	isakmp_put_nonce(&b, qm_body + 64, 16);
	isakmp_put_id(&b, &idci);
	isakmp_put_id(&b, &idcr);
	assert_int_equal(isakmp_msg_end(&b), 0);
	assert_int_equal(h, ISAKMP_HDR_LEN);
	memcpy(buf + h + ISAKMP_GEN_HDR_LEN, hash, sizeof(hash));

	/* padding: zeros, the last byte counting the others (RFC 2409 B) */
	pad = BLOCK - (b.len - ISAKMP_HDR_LEN) % BLOCK;
	memset(buf + b.len, 0, pad);
	buf[b.len + pad - 1] = (uint8_t)(pad - 1);
	isakmp_hdr_set_length(buf, (uint32_t)(b.len + pad));
	write_seed("quick-mode-1", buf, b.len + pad);

	assert_int_equal(isakmp_hdr_parse(buf, b.len + pad, &hdr, &err), 0);
	assert_int_equal(hdr.flags, ISAKMP_FLAG_ENC);
	assert_int_equal(hdr.next, ISAKMP_PL_HASH);
	check_err(isakmp_chain_parse(hdr.next, buf + ISAKMP_HDR_LEN,
				     b.len + pad - ISAKMP_HDR_LEN, 0, &chain, &err), &err,
		  ISAKMP_N_PAYLOAD_MALFORMED, NULL);
	assert_int_equal(isakmp_chain_parse(hdr.next, buf + ISAKMP_HDR_LEN,
					    b.len + pad - ISAKMP_HDR_LEN, ISAKMP_CHAIN_PADDED,
					    &chain, &err), 0);
	assert_int_equal(chain.end, b.len - ISAKMP_HDR_LEN);
	assert_memory_equal(chain.pld[0].data, hash, sizeof(hash));
	/* HASH(1) covers the bytes from the SA's generic header to the end of the last ID */
	assert_int_equal(chain.pld[1].offset, 24);
	assert_int_equal(buf[ISAKMP_HDR_LEN + 24], ISAKMP_PL_NONCE);
	assert_memory_equal(buf + ISAKMP_HDR_LEN + 24 + 1, p2_sa + 1, sizeof(p2_sa) - 1);
	assert_memory_equal(chain.pld[1].data, p2_sa + 4, sizeof(p2_sa) - 4);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(isakmp_notify_name(ISAKMP_N_NO_PROPOSAL_CHOSEN),
			    "NO-PROPOSAL-CHOSEN");
	assert_string_equal(isakmp_notify_name(ISAKMP_N_R_U_THERE_ACK), "R-U-THERE-ACK");
	assert_string_equal(isakmp_notify_name(31), "unknown");
	assert_string_equal(isakmp_exchange_name(ISAKMP_EXCH_QUICK), "Quick Mode");
	assert_string_equal(isakmp_payload_name(ISAKMP_PL_NATOA_DRAFT), "NAT-OA (draft)");
	assert_string_equal(isakmp_payload_name(14), "unknown");
	assert_string_equal(isakmp_doi_name(ISAKMP_DOI_IPSEC), "IPSEC");
	assert_string_equal(isakmp_proto_name(ISAKMP_PROTO_ESP), "ESP");
	assert_string_equal(isakmp_transform_name(ISAKMP_PROTO_ISAKMP, 1), "KEY_IKE");
	assert_string_equal(isakmp_transform_name(ISAKMP_PROTO_AH, ISAKMP_AH_SHA2_256),
			    "AH_SHA2-256");
	assert_string_equal(isakmp_transform_name(ISAKMP_PROTO_ESP, ISAKMP_ESP_NULL), "ESP_NULL");
	assert_string_equal(isakmp_transform_name(ISAKMP_PROTO_ESP, 17), "unknown");
	assert_string_equal(isakmp_transform_name(ISAKMP_PROTO_ESP, 28), "unknown");
	assert_string_equal(isakmp_transform_name(ISAKMP_PROTO_IPCOMP, 2), "IPCOMP_DEFLATE");
	assert_string_equal(isakmp_transform_name(9, 1), "unknown");
	assert_string_equal(isakmp_p1_attr_name(ISAKMP_P1_LIFE_DURATION), "Life Duration");
	assert_string_equal(isakmp_p1_value_name(ISAKMP_P1_HASH, 4), "SHA2-256");
	assert_string_equal(isakmp_p1_value_name(ISAKMP_P1_AUTH, 1), "pre-shared key");
	assert_string_equal(isakmp_p1_value_name(ISAKMP_P1_GROUP_DESC, 14), "MODP-2048");
	assert_string_equal(isakmp_p1_value_name(ISAKMP_P1_LIFE_TYPE, 2), "kilobytes");
	assert_string_equal(isakmp_p1_value_name(ISAKMP_P1_KEY_LENGTH, 256), "unknown");
	assert_string_equal(isakmp_p2_attr_name(ISAKMP_P2_ESN), "Extended Sequence Number");
	assert_string_equal(isakmp_p2_value_name(ISAKMP_P2_ENCAP, 61443),
			    "UDP-Encapsulated-Tunnel (draft)");
	assert_string_equal(isakmp_p2_value_name(ISAKMP_P2_ENCAP, 3), "UDP-Encapsulated-Tunnel");
	assert_string_equal(isakmp_p2_value_name(ISAKMP_P2_AUTH, 7), "HMAC-SHA2-512");
	assert_string_equal(isakmp_p2_value_name(ISAKMP_P2_ESN, 1), "on");
	assert_string_equal(isakmp_id_name(ISAKMP_ID_KEY_ID), "ID_KEY_ID");
	assert_string_equal(isakmp_group_type_name(2), "ECP");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hdr_good),
		cmocka_unit_test(test_hdr_short),
		cmocka_unit_test(test_hdr_length),
		cmocka_unit_test(test_hdr_version),
		cmocka_unit_test(test_hdr_exchange),
		cmocka_unit_test(test_hdr_flags),
		cmocka_unit_test(test_hdr_oversize),
		cmocka_unit_test(test_hdr_cookie_msgid),
		cmocka_unit_test(test_chain_good),
		cmocka_unit_test(test_chain_every_cut),
		cmocka_unit_test(test_chain_lengths),
		cmocka_unit_test(test_chain_types),
		cmocka_unit_test(test_chain_too_many),
		cmocka_unit_test(test_chain_trailing),
		cmocka_unit_test(test_sa_phase2),
		cmocka_unit_test(test_sa_malformed),
		cmocka_unit_test(test_sa_trailing),
		cmocka_unit_test(test_sa_every_cut),
		cmocka_unit_test(test_sa_long_attr),
		cmocka_unit_test(test_sa_isakmp_spi),
		cmocka_unit_test(test_sa_limits),
		cmocka_unit_test(test_id),
		cmocka_unit_test(test_notify),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_nonce_ke),
		cmocka_unit_test(test_opaque_payloads),
		cmocka_unit_test(test_cert_cr),
		cmocka_unit_test(test_natoa),
		cmocka_unit_test(test_build_main_mode_1),
		cmocka_unit_test(test_build_overflow),
		cmocka_unit_test(test_build_invalid),
		cmocka_unit_test(test_build_attr_forms),
		cmocka_unit_test(test_build_roundtrip),
		cmocka_unit_test(test_build_reencode),
		cmocka_unit_test(test_build_informational),
		cmocka_unit_test(test_build_aggressive_1),
		cmocka_unit_test(test_build_quick_mode),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("isakmp", tests, NULL, NULL);
}
