// SPDX-License-Identifier: GPL-2.0
/* The IKE fuzz targets' shared parts: see harness.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "harness.h"

static int report_fd = 2;

void fuzz_check_failed(const char *file, int line, const char *what)
{
	dprintf(report_fd, "%s:%d: check failed: %s\n", file, line, what);
	abort();
}

void fuzz_init(void)
{
	int fd = dup(2);

	if (fd >= 0)
		report_fd = fd;
}

/* --- getrandom() that repeats ----------------------------------------------------------- */

static uint64_t rng_state;

void fuzz_random_reset(void)
{
	rng_state = 0x6e66736563667a7aULL;
}

/* splitmix64: good enough for cookies and nonces nobody attacks. */
static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Takes the place of libc's (and of the sanitizers' interceptor, a weak alias). */
ssize_t getrandom(void *buf, size_t len, unsigned int flags);

ssize_t getrandom(void *buf, size_t len, unsigned int flags)
{
	uint8_t *p = buf;
	size_t i;

	(void)flags;
	for (i = 0; i < len; i += 8) {
		uint64_t v = rng_next();
		size_t n = len - i < 8 ? len - i : 8;

		memcpy(p + i, &v, n);
	}
	return (ssize_t)len;
}

/* --- the input ---------------------------------------------------------------------------- */

uint8_t fuzz_u8(struct fuzz_in *in)
{
	uint8_t v;

	if (!in->n)
		return 0;
	v = in->p[0];
	in->p++;
	in->n--;
	return v;
}

uint16_t fuzz_u16(struct fuzz_in *in)
{
	uint16_t hi = fuzz_u8(in);

	return (uint16_t)(hi << 8 | fuzz_u8(in));
}

const uint8_t *fuzz_take(struct fuzz_in *in, size_t *len)
{
	const uint8_t *p = in->p;

	if (*len > in->n)
		*len = in->n;
	in->p += *len;
	in->n -= *len;
	return p;
}

/* --- tunnels and messages ------------------------------------------------------------------ */

void fuzz_tunnel(struct tunnel *t, const char *words)
{
	char err[256] = "";

	if (tunnel_deserialize(words, t, err, sizeof(err))) {
		dprintf(report_fd, "tunnel_deserialize: %s: %s\n", err, words);
		abort();
	}
}

void fuzz_phase1(const struct tunnel *a, const struct tunnel *b, struct ike_sa **i,
		 struct ike_sa **r)
{
	char why[IKE_WHY_MAX];
	struct ike_msg msg = { 0 };
	int turn;

	*i = ike_sa_initiate(a, NULL, why, sizeof(why));
	CHECK(*i && fuzz_msg(&msg, (*i)->out, (*i)->out_len));
	*r = ike_sa_respond(b, NULL, &msg);
	CHECK(*r);
	for (turn = 0; turn < 8 && ((*i)->state != IKE_ESTABLISHED ||
				    (*r)->state != IKE_ESTABLISHED); turn++) {
		struct ike_sa *from = turn % 2 ? *i : *r, *to = turn % 2 ? *r : *i;

		CHECK(fuzz_msg(&msg, from->out, from->out_len) && ike_sa_input(to, &msg) == 0);
	}
	CHECK((*i)->state == IKE_ESTABLISHED && (*r)->state == IKE_ESTABLISHED);
}

bool fuzz_msg(struct ike_msg *msg, const uint8_t *buf, size_t len)
{
	struct isakmp_err err;

	msg->buf = buf;
	msg->len = len;
	return isakmp_hdr_parse(buf, len, &msg->hdr, &err) == 0;
}

void fuzz_put_chain(struct isakmp_buf *b, uint8_t first, const uint8_t *p, size_t len)
{
	if (b->link != SIZE_MAX && b->link < b->len)
		b->p[b->link] = first;
	else if (b->link == SIZE_MAX)
		b->first = first;
	isakmp_put_raw(b, p, len);
}

void fuzz_put_kept(struct isakmp_buf *b, const struct isakmp_chain *chain, uint32_t keep,
		   bool skip_first)
{
	unsigned int i;

	for (i = skip_first; i < chain->count && i < 32; i++) {
		const struct isakmp_payload *p = &chain->pld[i];
		size_t h;

		if (!(keep & (1U << i)))
			continue;
		h = isakmp_payload_begin(b, p->type);
		isakmp_put_raw(b, p->data, p->len);
		isakmp_payload_end(b, h);
	}
}

bool fuzz_open(const struct ike_msg *msg, const struct ike_secret *key, const uint8_t *iv,
	       uint8_t *plain, struct isakmp_chain *chain)
{
	size_t len = msg->len - ISAKMP_HDR_LEN;
	uint8_t next[IKE_CBC_BLOCK_LEN];
	struct isakmp_err err;

	if (key) {
		if (ike_cbc_decrypt(key, iv, msg->buf + ISAKMP_HDR_LEN, len, plain, next))
			return false;
	} else {
		memcpy(plain, msg->buf + ISAKMP_HDR_LEN, len);
	}
	return isakmp_chain_parse(msg->hdr.next, plain, len, key ? ISAKMP_CHAIN_PADDED : 0,
				  chain, &err) == 0;
}

size_t fuzz_seal(struct isakmp_buf *b, const struct ike_secret *key, const uint8_t *iv)
{
	uint8_t next[IKE_CBC_BLOCK_LEN];
	size_t body, padded;

	if (isakmp_msg_end(b))
		return 0;
	if (!key)
		return b->len;
	body = b->len - ISAKMP_HDR_LEN;
	padded = ike_cbc_padded_len(body);
	if (ISAKMP_HDR_LEN + padded > b->cap ||
	    ike_cbc_encrypt(key, iv, b->p + ISAKMP_HDR_LEN, body, b->p + ISAKMP_HDR_LEN, next))
		return 0;
	isakmp_hdr_set_length(b->p, (uint32_t)(ISAKMP_HDR_LEN + padded));
	return ISAKMP_HDR_LEN + padded;
}

size_t fuzz_seal_p2(const struct ike_sa *p1, struct isakmp_buf *b, size_t h,
		    const struct ike_chunk *pre, unsigned int npre, bool rest, const uint8_t *iv)
{
	size_t after = h + ISAKMP_GEN_HDR_LEN + ike_hash_len(p1->chosen.hash);
	struct ike_chunk parts[8];
	unsigned int i, n = 0;

	if (isakmp_msg_end(b) || npre > 7 || after > b->len)
		return 0;
	for (i = 0; i < npre; i++)
		parts[n++] = pre[i];
	if (rest)
		parts[n++] = IKE_CHUNK(b->p + after, b->len - after);
	if (ike_prf(p1->chosen.hash, p1->keys.skeyid_a->data, p1->keys.skeyid_a->len, parts, n,
		    b->p + h + ISAKMP_GEN_HDR_LEN))
		return 0;
	return fuzz_seal(b, p1->enc_key, iv);
}
