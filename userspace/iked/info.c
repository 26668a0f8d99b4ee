// SPDX-License-Identifier: GPL-2.0
/* Informational exchanges: see info.h. */

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/crypto.h>

#include "info.h"

static int msgid_make(uint32_t *msgid)
{
	if (getrandom(msgid, sizeof(*msgid), 0) != sizeof(*msgid))
		return -EIO;
	*msgid |= 1;
	return 0;
}

/*
 * Ends a message whose HASH(1) (zeros) is at offset h: the hash over M-ID and what follows
 * it, then padding and encryption with the exchange's own IV.
 */
static int seal(const struct ike_sa *p1, struct isakmp_buf *b, size_t h, uint32_t msgid,
		size_t *len)
{
	uint8_t iv[IKE_CBC_BLOCK_LEN];
	int ret = ike_iv_phase2(p1->chosen.hash, p1->iv, msgid, iv);

	return ret ? ret : ike_p2_seal(p1, b, h, msgid, NULL, 0, iv, len);
}

static size_t begin(const struct ike_sa *p1, struct isakmp_buf *b, uint8_t *out,
		    uint32_t msgid)
{
	struct isakmp_hdr hdr = {
		.exchange = ISAKMP_EXCH_INFO, .flags = ISAKMP_FLAG_ENC, .msgid = msgid,
	};

	memcpy(hdr.icookie, p1->cky_i, ISAKMP_COOKIE_LEN);
	memcpy(hdr.rcookie, p1->cky_r, ISAKMP_COOKIE_LEN);
	isakmp_buf_init(b, out, ISAKMP_MSG_MAX);
	isakmp_msg_begin(b, &hdr);
	return isakmp_put_hash(b, NULL, ike_hash_len(p1->chosen.hash));
}

int info_delete_build(const struct ike_sa *p1, const uint32_t *spis, unsigned int count,
		      uint8_t *out, size_t *len)
{
	uint8_t data[INFO_SPIS_MAX * 4 > 2 * ISAKMP_COOKIE_LEN ? INFO_SPIS_MAX * 4 :
		     2 * ISAKMP_COOKIE_LEN];
	struct isakmp_delete d = { .doi = ISAKMP_DOI_IPSEC, .spis = data };
	struct isakmp_buf b;
	uint32_t msgid;
	unsigned int i;
	size_t h;

	if (count > INFO_SPIS_MAX || msgid_make(&msgid))
		return -EINVAL;
	if (spis) {
		d.proto = ISAKMP_PROTO_ESP;
		d.spi_size = 4;
		d.count = (uint16_t)count;
		for (i = 0; i < count; i++) {
			uint32_t be = htonl(spis[i]);

			memcpy(data + 4 * i, &be, 4);
		}
	} else {
		d.proto = ISAKMP_PROTO_ISAKMP;
		d.spi_size = 2 * ISAKMP_COOKIE_LEN;
		d.count = 1;
		memcpy(data, p1->cky_i, ISAKMP_COOKIE_LEN);
		memcpy(data + ISAKMP_COOKIE_LEN, p1->cky_r, ISAKMP_COOKIE_LEN);
	}
	h = begin(p1, &b, out, msgid);
	isakmp_put_delete(&b, &d);
	return seal(p1, &b, h, msgid, len);
}

/* A notify for p1, n as it is, in a message of its own. */
static int notify_build(const struct ike_sa *p1, const struct isakmp_notify *n, uint8_t *out,
			size_t *len)
{
	struct isakmp_buf b;
	uint32_t msgid;
	size_t h;

	if (msgid_make(&msgid))
		return -EIO;
	h = begin(p1, &b, out, msgid);
	isakmp_put_notify(&b, n);
	return seal(p1, &b, h, msgid, len);
}

/* RFC 2408 3.14: the ISAKMP SA's cookies as its SPI. */
static void cookies_of(const struct ike_sa *p1, uint8_t *cookies)
{
	memcpy(cookies, p1->cky_i, ISAKMP_COOKIE_LEN);
	memcpy(cookies + ISAKMP_COOKIE_LEN, p1->cky_r, ISAKMP_COOKIE_LEN);
}

int info_dpd_build(const struct ike_sa *p1, uint16_t type, uint32_t seq, uint8_t *out,
		   size_t *len)
{
	uint8_t cookies[2 * ISAKMP_COOKIE_LEN];
	uint32_t be = htonl(seq);
	struct isakmp_notify n = {
		.doi = ISAKMP_DOI_IPSEC, .proto = ISAKMP_PROTO_ISAKMP, .type = type,
		.spi_size = sizeof(cookies), .spi = cookies,
		.data = (const uint8_t *)&be, .len = sizeof(be),
	};

	cookies_of(p1, cookies);
	return notify_build(p1, &n, out, len);
}

int info_notify_build(const struct ike_sa *p1, uint16_t type, uint8_t proto, uint32_t spi,
		      uint8_t *out, size_t *len)
{
	uint8_t cookies[2 * ISAKMP_COOKIE_LEN];
	uint32_t be = htonl(spi);
	struct isakmp_notify n = {
		.doi = ISAKMP_DOI_IPSEC, .proto = proto, .type = type,
	};

	if (spi) {
		n.spi_size = 4;
		n.spi = (const uint8_t *)&be;
	} else if (proto == ISAKMP_PROTO_ISAKMP) {
		cookies_of(p1, cookies);
		n.spi_size = sizeof(cookies);
		n.spi = cookies;
	}
	return notify_build(p1, &n, out, len);
}

static void delete_take(const struct isakmp_delete *d, struct info *info)
{
	struct info_delete *out;
	unsigned int i;

	if (info->ndeletes == INFO_ITEMS_MAX)
		return;
	out = &info->deletes[info->ndeletes++];
	out->proto = d->proto;
	if (d->proto == ISAKMP_PROTO_ISAKMP) {
		out->count = 1;
		memcpy(out->cookies, d->spis, sizeof(out->cookies));
		return;
	}
	for (i = 0; i < d->count && i < INFO_SPIS_MAX; i++) {
		uint32_t be;

		memcpy(&be, d->spis + 4 * i, 4);
		out->spis[i] = ntohl(be);
	}
	out->count = i;
}

static void notify_take(const struct isakmp_notify *n, const struct ike_sa *p1,
			struct info *info)
{
	struct info_notify *out;

	if (info->nnotifies == INFO_ITEMS_MAX)
		return;
	out = &info->notifies[info->nnotifies++];
	out->type = n->type;
	out->proto = n->proto;
	out->spi = 0;
	if (n->spi_size == 4) {
		uint32_t be;

		memcpy(&be, n->spi, 4);
		out->spi = ntohl(be);
	}
	/* DPD: only for this ISAKMP SA (its cookies), with a sequence number */
	out->dpd_ok = false;
	if ((n->type == ISAKMP_N_R_U_THERE || n->type == ISAKMP_N_R_U_THERE_ACK) &&
	    n->proto == ISAKMP_PROTO_ISAKMP && n->spi_size == 2 * ISAKMP_COOKIE_LEN &&
	    !memcmp(n->spi, p1->cky_i, ISAKMP_COOKIE_LEN) &&
	    !memcmp(n->spi + ISAKMP_COOKIE_LEN, p1->cky_r, ISAKMP_COOKIE_LEN) && n->len == 4) {
		uint32_t be;

		memcpy(&be, n->data, 4);
		out->dpd_seq = ntohl(be);
		out->dpd_ok = true;
	}
}

/* The N and D payloads after HASH(1). */
static int payloads_take(const struct isakmp_chain *chain, const struct ike_sa *p1,
			 struct info *info, char *why, size_t len)
{
	struct isakmp_err err;
	unsigned int i;

	for (i = 1; i < chain->count; i++) {
		const struct isakmp_payload *p = &chain->pld[i];
		struct isakmp_delete d;
		struct isakmp_notify n;

		if (p->type == ISAKMP_PL_D) {
			if (isakmp_delete_decode(p, &d, &err))
				goto bad;
			if (d.proto == ISAKMP_PROTO_ESP || d.proto == ISAKMP_PROTO_ISAKMP)
				delete_take(&d, info);
		} else if (p->type == ISAKMP_PL_N) {
			if (isakmp_notify_decode(p, &n, &err))
				goto bad;
			notify_take(&n, p1, info);
		}
	}
	return 0;
bad:
	snprintf(why, len, "%s", err.msg);
	return -EBADMSG;
}

int info_parse(const struct ike_sa *p1, const struct ike_msg *msg, struct info *info,
	       char *why, size_t len)
{
	uint16_t alg = p1->chosen.hash;
	size_t body = msg->len - ISAKMP_HDR_LEN, hlen = ike_hash_len(alg);
	uint8_t iv[IKE_CBC_BLOCK_LEN], next[IKE_CBC_BLOCK_LEN], want[IKE_HASH_MAX_LEN];
	uint32_t mid = htonl(msg->hdr.msgid);
	struct ike_chunk parts[2];
	const struct isakmp_payload *h;
	struct isakmp_chain chain;
	struct isakmp_err err;
	uint8_t *plain;
	int ret = -EBADMSG;

	memset(info, 0, sizeof(*info));
	if (!(msg->hdr.flags & ISAKMP_FLAG_ENC) || !p1->enc_key) {
		snprintf(why, len, "informational not encrypted");
		return -EBADMSG;
	}
	plain = malloc(body ? body : 1);
	if (!plain)
		return -ENOMEM;
	if (ike_iv_phase2(alg, p1->iv, msg->hdr.msgid, iv) ||
	    ike_cbc_decrypt(p1->enc_key, iv, msg->buf + ISAKMP_HDR_LEN, body, plain, next) ||
	    isakmp_chain_parse(msg->hdr.next, plain, body, ISAKMP_CHAIN_PADDED, &chain, &err)) {
		snprintf(why, len, "informational does not decrypt to payloads");
		goto out;
	}
	h = &chain.pld[0];
	if (!chain.count || h->type != ISAKMP_PL_HASH || h->len != hlen) {
		snprintf(why, len, "informational without HASH(1)");
		goto out;
	}
	parts[0] = IKE_CHUNK(&mid, 4);
	parts[1] = IKE_CHUNK(plain + h->offset + 4 + h->len, chain.end - (h->offset + 4 + h->len));
	if (ike_prf(alg, p1->keys.skeyid_a->data, p1->keys.skeyid_a->len, parts, 2, want) ||
	    CRYPTO_memcmp(want, h->data, hlen)) {
		snprintf(why, len, "informational HASH(1) does not verify");
		ret = -EACCES;
		goto out;
	}
	ret = payloads_take(&chain, p1, info, why, len);
out:
	OPENSSL_cleanse(plain, body);
	free(plain);
	return ret;
}
