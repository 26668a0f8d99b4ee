// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the ISAKMP codec. An input that passes isakmp_hdr_parse() is a
 * message: its body is walked (as decrypted and padded when the E flag is set). Any other
 * input is a bare chain: the first byte is the first payload's type, the rest the body.
 * Then every payload is decoded as its type and, for coverage, as every other type; a
 * message whose payloads all decoded is built again and must come out byte for byte the
 * same (the codec refuses every non-zero reserved field, so decoding loses nothing), and
 * once more into a buffer too small, which must report overflow and write nothing past it.
 *
 * fuzz-sources: userspace/iked/isakmp.c
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isakmp.h"

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: check failed: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

enum { GUARD = 0xa5, GUARD_LEN = 64 };

static struct isakmp_sa sa;			/* 20 KB: not on the stack */
static uint8_t out[ISAKMP_MSG_MAX + GUARD_LEN];

static void check_name(const char *name)
{
	CHECK(name && name[0]);
}

/* A refusal says why: -EBADMSG, an error notify type and a message. */
static void check_refusal(int ret, const struct isakmp_err *err)
{
	if (ret == 0)
		return;
	CHECK(ret == -EBADMSG);
	CHECK(err->notify >= ISAKMP_N_INVALID_PAYLOAD_TYPE &&
	      err->notify <= ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS);
	CHECK(memchr(err->msg, '\0', sizeof(err->msg)) && err->msg[0]);
	CHECK(strcmp(isakmp_notify_name((uint16_t)err->notify), "unknown") != 0);
}

static bool within(const uint8_t *p, size_t n, const struct isakmp_payload *pld)
{
	return p >= pld->data && n <= pld->len && (size_t)(p - pld->data) <= pld->len - n;
}

static void check_attr(const struct isakmp_attr *a, const struct isakmp_payload *pld)
{
	struct isakmp_err err;
	uint64_t v;
	int ret;

	CHECK(a->type <= ISAKMP_ATTR_TYPE_MASK);
	CHECK(a->is_tv ? !a->data : within(a->data, a->len, pld));
	ret = isakmp_attr_u64(a, &v, &err);
	check_refusal(ret, &err);
	CHECK(ret == 0 || (!a->is_tv && (a->len == 0 || a->len > 8)));
	check_name(isakmp_p1_attr_name(a->type));
	check_name(isakmp_p1_value_name(a->type, a->value));
	check_name(isakmp_p2_attr_name(a->type));
	check_name(isakmp_p2_value_name(a->type, a->value));
}

/* The decoded SA points into its own pools and its attributes into the payload. */
static void check_sa(const struct isakmp_sa *s, const struct isakmp_payload *pld)
{
	CHECK(s->nproposals >= 1 && s->nproposals <= ISAKMP_PROPOSALS_MAX);
	for (unsigned int i = 0; i < s->nproposals; i++) {
		const struct isakmp_proposal *p = &s->proposals[i];

		CHECK(p->spi_size <= ISAKMP_SPI_MAX && p->ntransforms >= 1);
		CHECK(p->transforms >= s->transform_pool &&
		      p->transforms + p->ntransforms <= s->transform_pool + ISAKMP_TRANSFORMS_MAX);
		CHECK(i == 0 || p->number >= s->proposals[i - 1].number);
		check_name(isakmp_proto_name(p->proto));
		for (unsigned int j = 0; j < p->ntransforms; j++) {
			const struct isakmp_transform *t = &p->transforms[j];

			CHECK(t->nattrs <= ISAKMP_ATTRS_MAX);
			CHECK(!t->nattrs || (t->attrs >= s->attr_pool &&
			      t->attrs + t->nattrs <= s->attr_pool + ISAKMP_SA_ATTRS_MAX));
			check_name(isakmp_transform_name(p->proto, t->id));
			for (unsigned int k = 0; k < t->nattrs; k++)
				check_attr(&t->attrs[k], pld);
		}
	}
}

/* Every decoder on the payload's bytes whatever its type: none may read out of bounds. */
static void decode_every_way(const struct isakmp_payload *pld)
{
	struct isakmp_err err;
	struct isakmp_bytes bytes;
	struct isakmp_id id;
	struct isakmp_cert cert;
	struct isakmp_notify n;
	struct isakmp_delete d;
	struct isakmp_natoa oa;
	int ret;

	ret = isakmp_sa_decode(pld, &sa, &err);
	check_refusal(ret, &err);
	if (ret == 0)
		check_sa(&sa, pld);
	check_refusal(isakmp_ke_decode(pld, &bytes, &err), &err);
	check_refusal(isakmp_nonce_decode(pld, &bytes, &err), &err);
	check_refusal(isakmp_hash_decode(pld, &bytes, &err), &err);
	check_refusal(isakmp_sig_decode(pld, &bytes, &err), &err);
	check_refusal(isakmp_vid_decode(pld, &bytes, &err), &err);
	check_refusal(isakmp_natd_decode(pld, &bytes, &err), &err);
	ret = isakmp_id_decode(pld, &id, &err);
	check_refusal(ret, &err);
	if (ret == 0) {
		CHECK(within(id.data, id.len, pld) && id.len >= 1);
		check_name(isakmp_id_name(id.type));
	}
	check_refusal(isakmp_cert_decode(pld, &cert, &err), &err);
	check_refusal(isakmp_cr_decode(pld, &cert, &err), &err);
	ret = isakmp_notify_decode(pld, &n, &err);
	check_refusal(ret, &err);
	if (ret == 0)
		CHECK(within(n.spi, n.spi_size, pld) && within(n.data, n.len, pld));
	ret = isakmp_delete_decode(pld, &d, &err);
	check_refusal(ret, &err);
	if (ret == 0)
		CHECK(d.count >= 1 && within(d.spis, (size_t)d.count * d.spi_size, pld));
	ret = isakmp_natoa_decode(pld, &oa, &err);
	check_refusal(ret, &err);
	if (ret == 0)
		CHECK(within(oa.addr, oa.len, pld));
}

/* The decoder of the opaque payloads (KE, NONCE, ...); 1 for the other types. */
static int opaque_decode(const struct isakmp_payload *pld, struct isakmp_bytes *bytes)
{
	struct isakmp_err err;

	switch (pld->type) {
	case ISAKMP_PL_KE:
		return isakmp_ke_decode(pld, bytes, &err);
	case ISAKMP_PL_NONCE:
		return isakmp_nonce_decode(pld, bytes, &err);
	case ISAKMP_PL_HASH:
		return isakmp_hash_decode(pld, bytes, &err);
	case ISAKMP_PL_SIG:
		return isakmp_sig_decode(pld, bytes, &err);
	case ISAKMP_PL_VID:
		return isakmp_vid_decode(pld, bytes, &err);
	case ISAKMP_PL_NATD:
	case ISAKMP_PL_NATD_DRAFT:
		return isakmp_natd_decode(pld, bytes, &err);
	}
	return 1;
}

/* Decodes pld as its type and writes it again into b; false if it did not decode. */
static bool rebuild_one(const struct isakmp_payload *pld, struct isakmp_buf *b)
{
	struct isakmp_err err;
	struct isakmp_bytes bytes;
	struct isakmp_id id;
	struct isakmp_cert cert;
	struct isakmp_notify n;
	struct isakmp_delete d;
	struct isakmp_natoa oa;
	int ret = opaque_decode(pld, &bytes);

	if (ret <= 0) {
		if (ret == 0)
			isakmp_put_bytes(b, pld->type, bytes.data, bytes.len);
		return ret == 0;
	}
	switch (pld->type) {
	case ISAKMP_PL_SA:
		if (isakmp_sa_decode(pld, &sa, &err))
			return false;
		isakmp_put_sa(b, sa.doi, sa.situation, sa.proposals, sa.nproposals);
		return true;
	case ISAKMP_PL_ID:
		if (isakmp_id_decode(pld, &id, &err))
			return false;
		isakmp_put_id(b, &id);
		return true;
	case ISAKMP_PL_CERT:
		if (isakmp_cert_decode(pld, &cert, &err))
			return false;
		isakmp_put_cert(b, pld->type, &cert);
		return true;
	case ISAKMP_PL_CR:
		if (isakmp_cr_decode(pld, &cert, &err))
			return false;
		isakmp_put_cert(b, pld->type, &cert);
		return true;
	case ISAKMP_PL_N:
		if (isakmp_notify_decode(pld, &n, &err))
			return false;
		isakmp_put_notify(b, &n);
		return true;
	case ISAKMP_PL_D:
		if (isakmp_delete_decode(pld, &d, &err))
			return false;
		isakmp_put_delete(b, &d);
		return true;
	case ISAKMP_PL_NATOA:
	case ISAKMP_PL_NATOA_DRAFT:
		if (isakmp_natoa_decode(pld, &oa, &err))
			return false;
		isakmp_put_natoa(b, pld->type, &oa);
		return true;
	}
	CHECK(!"isakmp_chain_parse() let an unknown type through");
	return false;
}

/* Builds the chain again into buf[0..cap-1], after hdr if given; false if one failed. */
static bool rebuild(const struct isakmp_chain *chain, const struct isakmp_hdr *hdr,
		    uint8_t *buf, size_t cap, struct isakmp_buf *b)
{
	isakmp_buf_init(b, buf, cap);
	if (hdr)
		isakmp_msg_begin(b, hdr);
	for (unsigned int i = 0; i < chain->count; i++)
		if (!rebuild_one(&chain->pld[i], b))
			return false;
	return true;
}

static void check_chain(const struct isakmp_chain *chain, const uint8_t *body, size_t len,
			unsigned int flags)
{
	size_t off = 0;

	CHECK(chain->count <= ISAKMP_CHAIN_MAX);
	for (unsigned int i = 0; i < chain->count; i++) {
		const struct isakmp_payload *p = &chain->pld[i];

		CHECK(p->offset == off && p->data == body + off + ISAKMP_GEN_HDR_LEN);
		CHECK(p->len <= ISAKMP_PAYLOAD_MAX - ISAKMP_GEN_HDR_LEN);
		CHECK(isakmp_chain_find(chain, p->type, 0) != NULL);
		CHECK(isakmp_chain_count(chain, p->type) >= 1);
		check_name(isakmp_payload_name(p->type));
		off += ISAKMP_GEN_HDR_LEN + p->len;
	}
	CHECK(chain->end == off && off <= len);
	CHECK((flags & ISAKMP_CHAIN_PADDED) || off == len);
}

/* msg is the whole message when hdr is given, else NULL. */
static void fuzz_chain(uint8_t first, const uint8_t *body, size_t len, unsigned int flags,
		       const struct isakmp_hdr *hdr, const uint8_t *msg, uint8_t cap_seed)
{
	size_t prefix = hdr ? ISAKMP_HDR_LEN : 0;
	struct isakmp_chain chain;
	struct isakmp_err err;
	struct isakmp_buf b;
	size_t full, cap;
	int ret;

	ret = isakmp_chain_parse(first, body, len, flags, &chain, &err);
	check_refusal(ret, &err);
	if (ret)
		return;
	check_chain(&chain, body, len, flags);
	for (unsigned int i = 0; i < chain.count; i++)
		decode_every_way(&chain.pld[i]);

	memset(out, GUARD, sizeof(out));
	if (!rebuild(&chain, hdr, out, ISAKMP_MSG_MAX, &b))
		return;
	CHECK(isakmp_msg_end(&b) == 0);
	full = b.len;
	CHECK(full == prefix + chain.end);
	CHECK(memcmp(out + prefix, body, chain.end) == 0);
	if (hdr)	/* all but the length, which counted the padding */
		CHECK(memcmp(out, msg, ISAKMP_HDR_LEN - 4) == 0);
	else if (chain.count)
		CHECK(b.first == first);

	/* again, cut short: overflow reported, nothing written from cap on */
	cap = full ? cap_seed % full : 0;
	memset(out, GUARD, sizeof(out));
	CHECK(rebuild(&chain, hdr, out, cap, &b));
	CHECK(isakmp_msg_end(&b) == (cap < full ? -ENOBUFS : 0));
	CHECK(b.len <= cap);
	for (size_t i = cap; i < cap + GUARD_LEN; i++)
		CHECK(out[i] == GUARD);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct isakmp_hdr hdr;
	struct isakmp_err err;
	uint8_t cap_seed = size ? data[size - 1] : 0;
	int ret;

	ret = isakmp_hdr_parse(data, size, &hdr, &err);
	check_refusal(ret, &err);
	if (ret == 0) {
		unsigned int flags = hdr.flags & ISAKMP_FLAG_ENC ? ISAKMP_CHAIN_PADDED : 0;

		CHECK(hdr.length == size && hdr.version == ISAKMP_VERSION);
		check_name(isakmp_exchange_name(hdr.exchange));
		fuzz_chain(hdr.next, data + ISAKMP_HDR_LEN, size - ISAKMP_HDR_LEN, flags, &hdr,
			   data, cap_seed);
		return 0;
	}
	if (size == 0)
		return 0;
	fuzz_chain(data[0], data + 1, size - 1, 0, NULL, NULL, cap_seed);
	fuzz_chain(data[0], data + 1, size - 1, ISAKMP_CHAIN_PADDED, NULL, NULL, cap_seed);
	return 0;
}
