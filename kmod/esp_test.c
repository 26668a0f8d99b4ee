// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: ESP decryption against the published ESP test vectors of draft-mcgrew-gcm-test-01
 * (AES-GCM, with and without extended sequence numbers) and RFC 7634 appendix A
 * (ChaCha20-Poly1305), a flipped bit refused, and a round trip through encapsulation and
 * decapsulation for every algorithm nfsec offers, checking the wire format (SPI, sequence
 * number, IV, padding, length) on the way.
 */

#include <asm/unaligned.h>
#include <crypto/aead.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/ip.h>
#include <linux/skbuff.h>
#include <net/esp.h>

#include "esp.h"

#define OUTER 20	/* a stand-in outer IPv4 header in front of ESP */

/* Asynchronous completions (cryptd) land here. */
static DECLARE_COMPLETION(crypt_done);
static int crypt_err;

static void test_done(struct sk_buff *skb, int err)
{
	crypt_err = err;
	complete(&crypt_done);
}

static int wait_crypt(int ret)
{
	if (ret != -EINPROGRESS)
		return ret;
	wait_for_completion(&crypt_done);
	return crypt_err;
}

static struct nfsec_sa *test_sa(struct kunit *test, const struct nfsec_sa_alg *alg, u32 spi,
				u8 dir, bool esn)
{
	struct nfsec_sa_config cfg = {
		.id = { .spi = htonl(spi), .family = AF_INET, .proto = IPPROTO_ESP },
		.dir = dir, .mode = NFSEC_MODE_TUNNEL, .esn = esn, .replay_window = 64,
	};
	struct nfsec_sa_alg a = *alg;
	struct nfsec_sa *sa;

	a.esn = esn;
	sa = nfsec_sa_new(&cfg, &a, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sa);
	return sa;
}

static struct sk_buff *test_skb(struct kunit *test, unsigned int len)
{
	struct sk_buff *skb = alloc_skb(len + 256, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, 128);
	return skb;
}

#define GCM "rfc4106(gcm(aes))"
#define CHACHA "rfc7539esp(chacha20,poly1305)"

struct esp_vector {
	const char *name;
	const char *aead;
	const u8 *key;
	unsigned int key_len;
	u32 spi;
	u64 seq;		/* with ESN, both halves */
	bool esn;
	const u8 *iv;
	const u8 *ptext;
	unsigned int plen;
	const u8 *ctext;	/* with the ICV */
	unsigned int clen;
};

/* draft-mcgrew-gcm-test-01, packet 6: AES-128, 64-bit sequence number. */
static const u8 v6_key[] = "\x4c\x80\xcd\xef\xbb\x5d\x10\xda\x90\x6a\xc7\x3c\x36\x13\xa6\x34"
			   "\x2e\x44\x3b\x68";
static const u8 v6_iv[] = "\x49\x56\xed\x7e\x3b\x24\x4c\xfe";
static const u8 v6_ptext[] =
	"\x45\x00\x00\x48\x69\x9a\x00\x00\x80\x11\x4d\xb7\xc0\xa8\x01\x02"
	"\xc0\xa8\x01\x01\x0a\x9b\xf1\x56\x38\xd3\x01\x00\x00\x01\x00\x00"
	"\x00\x00\x00\x00\x04\x5f\x73\x69\x70\x04\x5f\x75\x64\x70\x03\x73"
	"\x69\x70\x09\x63\x79\x62\x65\x72\x63\x69\x74\x79\x02\x64\x6b\x00"
	"\x00\x21\x00\x01\x01\x02\x02\x01";
static const u8 v6_ctext[] =
	"\xfe\xcf\x53\x7e\x72\x9d\x5b\x07\xdc\x30\xdf\x52\x8d\xd2\x2b\x76"
	"\x8d\x1b\x98\x73\x66\x96\xa6\xfd\x34\x85\x09\xfa\x13\xce\xac\x34"
	"\xcf\xa2\x43\x6f\x14\xa3\xf3\xcf\x65\x92\x5b\xf1\xf4\xa1\x3c\x5d"
	"\x15\xb2\x1e\x18\x84\xf5\xff\x62\x47\xae\xab\xb7\x86\xb9\x3b\xce"
	"\x61\xbc\x17\xd7\x68\xfd\x97\x32\x45\x90\x18\x14\x8f\x6c\xbe\x72"
	"\x2f\xd0\x47\x96\x56\x2d\xfd\xb4";

/* draft-mcgrew-gcm-test-01, packet 2: AES-128, 32-bit sequence number. */
static const u8 v2_key[] = "\xfe\xff\xe9\x92\x86\x65\x73\x1c\x6d\x6a\x8f\x94\x67\x30\x83\x08"
			   "\xca\xfe\xba\xbe";
static const u8 v2_iv[] = "\xfa\xce\xdb\xad\xde\xca\xf8\x88";
static const u8 v2_ptext[] =
	"\x45\x00\x00\x3e\x69\x8f\x00\x00\x80\x11\x4d\xcc\xc0\xa8\x01\x02"
	"\xc0\xa8\x01\x01\x0a\x98\x00\x35\x00\x2a\x23\x43\xb2\xd0\x01\x00"
	"\x00\x01\x00\x00\x00\x00\x00\x00\x03\x73\x69\x70\x09\x63\x79\x62"
	"\x65\x72\x63\x69\x74\x79\x02\x64\x6b\x00\x00\x01\x00\x01\x00\x01";
static const u8 v2_ctext[] =
	"\xde\xb2\x2c\xd9\xb0\x7c\x72\xc1\x6e\x3a\x65\xbe\xeb\x8d\xf3\x04"
	"\xa5\xa5\x89\x7d\x33\xae\x53\x0f\x1b\xa7\x6d\x5d\x11\x4d\x2a\x5c"
	"\x3d\xe8\x18\x27\xc1\x0e\x9a\x4f\x51\x33\x0d\x0e\xec\x41\x66\x42"
	"\xcf\xbb\x85\xa5\xb4\x7e\x48\xa4\xec\x3b\x9b\xa9\x5d\x91\x8b\xd1"
	"\x83\xb7\x0d\x3a\xa8\xbc\x6e\xe4\xc3\x09\xe9\xd8\x5a\x41\xad\x4a";

/*
 * RFC 7634 appendix A: ChaCha20-Poly1305, a tunnel-mode ICMP echo request. The key is
 * KEYMAT 0x80..0x9f followed by the salt a0 a1 a2 a3.
 */
static const u8 c_key[] =
	"\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f"
	"\x90\x91\x92\x93\x94\x95\x96\x97\x98\x99\x9a\x9b\x9c\x9d\x9e\x9f"
	"\xa0\xa1\xa2\xa3";
static const u8 c_iv[] = "\x10\x11\x12\x13\x14\x15\x16\x17";
static const u8 c_ptext[] =
	"\x45\x00\x00\x54\xa6\xf2\x00\x00\x40\x01\xe7\x78\xc6\x33\x64\x05"
	"\xc0\x00\x02\x05\x08\x00\x5b\x7a\x3a\x08\x00\x00\x55\x3b\xec\x10"
	"\x00\x07\x36\x27\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13"
	"\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x20\x21\x22\x23"
	"\x24\x25\x26\x27\x28\x29\x2a\x2b\x2c\x2d\x2e\x2f\x30\x31\x32\x33"
	"\x34\x35\x36\x37\x01\x02\x02\x04";
static const u8 c_ctext[] =
	"\x24\x03\x94\x28\xb9\x7f\x41\x7e\x3c\x13\x75\x3a\x4f\x05\x08\x7b"
	"\x67\xc3\x52\xe6\xa7\xfa\xb1\xb9\x82\xd4\x66\xef\x40\x7a\xe5\xc6"
	"\x14\xee\x80\x99\xd5\x28\x44\xeb\x61\xaa\x95\xdf\xab\x4c\x02\xf7"
	"\x2a\xa7\x1e\x7c\x4c\x4f\x64\xc9\xbe\xfe\x2f\xac\xc6\x38\xe8\xf3"
	"\xcb\xec\x16\x3f\xac\x46\x9b\x50\x27\x73\xf6\xfb\x94\xe6\x64\xda"
	"\x91\x65\xb8\x28\x29\xf6\x41\xe0\x76\xaa\xa8\x26\x6b\x7f\xb0\xf7"
	"\xb1\x1b\x36\x99\x07\xe1\xad\x43";

static const struct esp_vector vectors[] = {
	{ "mcgrew-6-esn", GCM, v6_key, 20, 0x00004321, 0x8765432100000000ULL, true, v6_iv,
	  v6_ptext, 72, v6_ctext, 88 },
	{ "mcgrew-2", GCM, v2_key, 20, 0x0000a5f8, 0x0a, false, v2_iv, v2_ptext, 64, v2_ctext, 80 },
	{ "rfc7634-a", CHACHA, c_key, 36, 0x01020304, 0x05, false, c_iv, c_ptext, 88, c_ctext,
	  104 },
};

static void vector_desc(const struct esp_vector *v, char *desc)
{
	strscpy(desc, v->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vector, vectors, vector_desc);

/* The vector's packet: outer header, SPI, low sequence half, IV, ciphertext and ICV. */
static struct sk_buff *vector_skb(struct kunit *test, const struct esp_vector *v)
{
	struct sk_buff *skb = test_skb(test, OUTER + 16 + v->clen);
	__be32 hdr[2] = { htonl(v->spi), htonl(lower_32_bits(v->seq)) };

	memset(skb_put(skb, OUTER), 0, OUTER);
	skb_put_data(skb, hdr, sizeof(hdr));
	skb_put_data(skb, v->iv, 8);
	skb_put_data(skb, v->ctext, v->clen);
	return skb;
}

static void esp_decrypt_vectors(struct kunit *test)
{
	const struct esp_vector *v = test->param_value;
	struct nfsec_sa_alg alg = {
		.aead = v->aead, .key = v->key, .key_len = v->key_len,
		.icv_len = 16,
	};
	struct nfsec_sa *sa = test_sa(test, &alg, v->spi, NFSEC_SA_DIR_IN, v->esn);
	struct sk_buff *skb = vector_skb(test, v);

	NFSEC_SKB_CB(skb)->sa = sa;
	NFSEC_SKB_CB(skb)->seq = v->seq;
	KUNIT_ASSERT_EQ(test, wait_crypt(nfsec_esp_decrypt(skb, OUTER, test_done)), 0);
	KUNIT_EXPECT_EQ(test, skb->len, OUTER + 16 + v->clen);
	KUNIT_EXPECT_EQ(test, memcmp(skb->data + OUTER + 16, v->ptext, v->plen), 0);
	kfree_skb(skb);

	/* One bit flipped anywhere the ICV covers: refused. */
	skb = vector_skb(test, v);
	skb->data[OUTER + 16 + v->clen / 2] ^= 0x10;
	NFSEC_SKB_CB(skb)->sa = sa;
	NFSEC_SKB_CB(skb)->seq = v->seq;
	KUNIT_EXPECT_EQ(test, wait_crypt(nfsec_esp_decrypt(skb, OUTER, test_done)), -EBADMSG);
	kfree_skb(skb);

	/* The sequence number is authenticated too (the high half with ESN). */
	skb = vector_skb(test, v);
	NFSEC_SKB_CB(skb)->sa = sa;
	NFSEC_SKB_CB(skb)->seq = v->esn ? v->seq + (1ULL << 32) : v->seq + 1;
	KUNIT_EXPECT_EQ(test, wait_crypt(nfsec_esp_decrypt(skb, OUTER, test_done)), -EBADMSG);
	kfree_skb(skb);
	nfsec_sa_put(sa);
}

static const u8 key64[64] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

struct trip_case {
	const char *name;
	struct nfsec_sa_alg alg;
	bool esn;
};

static const struct trip_case trips[] = {
	{ "gcm-128", { .aead = GCM, .key = key64, .key_len = 20, .icv_len = 16 } },
	{ "gcm-256-esn", { .aead = GCM, .key = key64, .key_len = 36, .icv_len = 16 }, true },
	{ "chacha20-poly1305", { .aead = CHACHA, .key = key64, .key_len = 36, .icv_len = 16 } },
	{ "cbc-sha256", { .enc = "cbc(aes)", .key = key64, .key_len = 16,
			  .auth = "hmac(sha256)", .auth_key = key64, .auth_key_len = 32,
			  .icv_len = 16 } },
	{ "cbc-sha512-esn", { .enc = "cbc(aes)", .key = key64, .key_len = 32,
			      .auth = "hmac(sha512)", .auth_key = key64, .auth_key_len = 64,
			      .icv_len = 32 }, true },
	{ "null-sha384", { .enc = "ecb(cipher_null)", .key = key64, .key_len = 0,
			   .auth = "hmac(sha384)", .auth_key = key64, .auth_key_len = 48,
			   .icv_len = 24 } },
};

static void trip_desc(const struct trip_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(trip, trips, trip_desc);

/* Encapsulate payloads of every length 0..70, check the wire format, decapsulate. */
static void esp_round_trip(struct kunit *test)
{
	const struct trip_case *c = test->param_value;
	struct nfsec_sa *out = test_sa(test, &c->alg, 0x1234, NFSEC_SA_DIR_OUT, c->esn);
	struct nfsec_sa *in = test_sa(test, &c->alg, 0x1234, NFSEC_SA_DIR_IN, c->esn);
	u8 payload[70], outer[OUTER], nexthdr;
	unsigned int len, i;

	for (i = 0; i < sizeof(payload); i++)
		payload[i] = i * 7;
	for (i = 0; i < OUTER; i++)
		outer[i] = 0xa0 + i;
	if (c->esn)
		atomic64_set(&out->seq_out, U32_MAX - 5);	/* across the 2^32 boundary */

	for (len = 0; len <= sizeof(payload); len++) {
		struct sk_buff *skb = test_skb(test, OUTER + len);
		struct ip_esp_hdr *esph;
		u64 seq;

		skb_put_data(skb, outer, OUTER);
		skb_put_data(skb, payload, len);
		NFSEC_SKB_CB(skb)->sa = out;
		KUNIT_ASSERT_EQ(test, nfsec_esp_seq_take(skb), 0);
		KUNIT_ASSERT_EQ(test, wait_crypt(nfsec_esp_encap(skb, OUTER, IPPROTO_IPIP, 0,
								 test_done)), 0);
		seq = NFSEC_SKB_CB(skb)->seq;
		KUNIT_EXPECT_EQ(test, skb->len, OUTER + nfsec_esp_len(out, len));
		KUNIT_EXPECT_EQ(test, (skb->len - OUTER - nfsec_esp_head_len(out) -
				       out->icv_len) % out->align, 0U);
		KUNIT_EXPECT_EQ(test, memcmp(skb->data, outer, OUTER), 0);
		esph = (struct ip_esp_hdr *)(skb->data + OUTER);
		KUNIT_EXPECT_EQ(test, ntohl(esph->spi), 0x1234U);
		KUNIT_EXPECT_EQ(test, ntohl(esph->seq_no), lower_32_bits(seq));
		if (out->iv_from_seq)
			KUNIT_EXPECT_EQ(test, get_unaligned_be64(esph->enc_data), seq);

		NFSEC_SKB_CB(skb)->sa = in;
		NFSEC_SKB_CB(skb)->seq = seq;
		KUNIT_ASSERT_EQ(test, wait_crypt(nfsec_esp_decrypt(skb, OUTER, test_done)), 0);
		KUNIT_ASSERT_EQ(test, nfsec_esp_strip(skb, OUTER, &nexthdr), 0);
		KUNIT_EXPECT_EQ(test, nexthdr, IPPROTO_IPIP);
		KUNIT_ASSERT_EQ(test, skb->len, OUTER + len);
		KUNIT_EXPECT_EQ(test, memcmp(skb->data, outer, OUTER), 0);
		KUNIT_EXPECT_EQ(test, memcmp(skb->data + OUTER, payload, len), 0);
		kfree_skb(skb);
	}
	nfsec_sa_put(out);
	nfsec_sa_put(in);
}

/* Padding that is not 1, 2, 3, ... is refused after decryption. */
static void esp_bad_padding(struct kunit *test)
{
	struct nfsec_sa_alg alg = trips[3].alg;		/* CBC: 16-byte blocks, real padding */
	struct nfsec_sa *out = test_sa(test, &alg, 0x99, NFSEC_SA_DIR_OUT, false);
	struct nfsec_sa *in = test_sa(test, &alg, 0x99, NFSEC_SA_DIR_IN, false);
	struct sk_buff *skb = test_skb(test, OUTER + 8);
	u8 nexthdr;

	memset(skb_put(skb, OUTER + 8), 0, OUTER + 8);
	NFSEC_SKB_CB(skb)->sa = out;
	KUNIT_ASSERT_EQ(test, nfsec_esp_seq_take(skb), 0);
	KUNIT_ASSERT_EQ(test, wait_crypt(nfsec_esp_encap(skb, OUTER, 4, 0, test_done)), 0);
	NFSEC_SKB_CB(skb)->sa = in;
	KUNIT_ASSERT_EQ(test, wait_crypt(nfsec_esp_decrypt(skb, OUTER, test_done)), 0);
	/* 8 bytes of payload: 6 of padding, then pad length and next header. */
	KUNIT_ASSERT_EQ(test, skb->data[skb->len - in->icv_len - 2], 6);
	skb->data[skb->len - in->icv_len - 4] ^= 1;
	KUNIT_EXPECT_EQ(test, nfsec_esp_strip(skb, OUTER, &nexthdr), -EINVAL);
	kfree_skb(skb);
	nfsec_sa_put(out);
	nfsec_sa_put(in);
}

/* Without ESN, sequence number 2^32 is never sent: the SA must be rekeyed. */
static void esp_seq_overflow(struct kunit *test)
{
	struct nfsec_sa *out = test_sa(test, &trips[0].alg, 0x77, NFSEC_SA_DIR_OUT, false);
	struct sk_buff *skb = test_skb(test, OUTER + 8);

	memset(skb_put(skb, OUTER + 8), 0, OUTER + 8);
	atomic64_set(&out->seq_out, U32_MAX);
	NFSEC_SKB_CB(skb)->sa = out;
	KUNIT_EXPECT_EQ(test, nfsec_esp_seq_take(skb), -EOVERFLOW);
	kfree_skb(skb);
	nfsec_sa_put(out);
}

/*
 * In place, and not where it must not be. How a packet is laid out decides where ESP
 * writes: its head when it is its own (the trailer in the tailroom or, with none, in a
 * page of its own), and on the way in its pages too; never pages it brings out (another
 * skb may share them unmarked), pages marked shared, or a clone's bytes; a frag_list is
 * copied first. Each layout for each algorithm, round trip checked.
 */
enum layout { HEAD, NO_TAILROOM, PAGED, SHARED_PAGE, FRAG_LIST };

#define PLEN 200

/* @len bytes of @data as an skb of @layout, the first @lin in its head (PAGED and on). */
static struct sk_buff *layout_skb(struct kunit *test, const u8 *data, unsigned int len,
				  unsigned int lin, enum layout layout)
{
	struct sk_buff *skb = test_skb(test, len), *frag;
	struct page *page;

	if (layout == HEAD || layout == NO_TAILROOM) {
		if (layout == NO_TAILROOM)
			skb_reserve(skb, skb_tailroom(skb) - len);
		skb_put_data(skb, data, len);
		return skb;
	}
	skb_put_data(skb, data, lin);
	if (layout == FRAG_LIST) {
		frag = alloc_skb(len - lin, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, frag);
		skb_put_data(frag, data + lin, len - lin);
		skb_shinfo(skb)->frag_list = frag;
		skb->truesize += frag->truesize;
	} else {
		page = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, page);
		memcpy(page_address(page), data + lin, len - lin);
		skb_fill_page_desc(skb, 0, page, 0, len - lin);
		skb->truesize += PAGE_SIZE;
		if (layout == SHARED_PAGE)
			skb_shinfo(skb)->flags |= SKBFL_SHARED_FRAG;
	}
	skb->len += len - lin;
	skb->data_len = len - lin;
	return skb;
}

/* All of @skb's bytes, into a buffer the test frees. */
static u8 *skb_bytes(struct kunit *test, const struct sk_buff *skb)
{
	u8 *buf = kunit_kmalloc(test, skb->len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, 0, buf, skb->len), 0);
	return buf;
}

/* Decrypts and strips @skb (ESP from @in at OUTER, sequence @seq): @plain comes out. */
static void decap_check(struct kunit *test, struct sk_buff *skb, struct nfsec_sa *in, u64 seq,
			const u8 *plain, unsigned int len)
{
	u8 nexthdr;

	NFSEC_SKB_CB(skb)->sa = in;
	NFSEC_SKB_CB(skb)->seq = seq;
	KUNIT_ASSERT_EQ(test, wait_crypt(nfsec_esp_decrypt(skb, OUTER, test_done)), 0);
	KUNIT_ASSERT_EQ(test, nfsec_esp_strip(skb, OUTER, &nexthdr), 0);
	KUNIT_EXPECT_EQ(test, nexthdr, IPPROTO_IPIP);
	KUNIT_ASSERT_EQ(test, skb->len, len);
	KUNIT_EXPECT_EQ(test, memcmp(skb_bytes(test, skb), plain, len), 0);
}

static void encap_ok(struct kunit *test, struct sk_buff *skb, struct nfsec_sa *out)
{
	NFSEC_SKB_CB(skb)->sa = out;
	KUNIT_ASSERT_EQ(test, nfsec_esp_seq_take(skb), 0);
	KUNIT_ASSERT_EQ(test, wait_crypt(nfsec_esp_encap(skb, OUTER, IPPROTO_IPIP, 0,
							 test_done)), 0);
}

/* Out of a packet of @layout, in as it came: written only where it may be. */
static void layout_out(struct kunit *test, struct nfsec_sa *out, struct nfsec_sa *in,
		       const u8 *plain, enum layout layout)
{
	struct sk_buff *skb = layout_skb(test, plain, OUTER + PLEN, OUTER, layout);
	unsigned char *head = skb->head;
	struct page *page = NULL;

	if (layout == PAGED || layout == SHARED_PAGE) {
		page = skb_frag_page(&skb_shinfo(skb)->frags[0]);
		get_page(page);
	}
	encap_ok(test, skb, out);
	KUNIT_EXPECT_EQ(test, skb->len, OUTER + nfsec_esp_len(out, PLEN));
	if (layout == HEAD || layout == NO_TAILROOM) {
		/* In place: the head never moved; with no tailroom, the trailer in a page. */
		KUNIT_EXPECT_PTR_EQ(test, skb->head, head);
		KUNIT_EXPECT_EQ(test, skb_shinfo(skb)->nr_frags, layout == HEAD ? 0 : 1);
		KUNIT_EXPECT_FALSE(test, skb_has_frag_list(skb));
	}
	if (page) {
		/* The page it came with still holds the plaintext. */
		KUNIT_EXPECT_EQ(test, memcmp(page_address(page), plain + OUTER, PLEN), 0);
		put_page(page);
	}
	decap_check(test, skb, in, NFSEC_SKB_CB(skb)->seq, plain, OUTER + PLEN);
	kfree_skb(skb);
}

/* Into a packet of @layout, the ESP header and IV in its head as input.c leaves them. */
static void layout_in(struct kunit *test, struct nfsec_sa *out, struct nfsec_sa *in,
		      const u8 *plain, enum layout layout)
{
	struct sk_buff *skb = layout_skb(test, plain, OUTER + PLEN, 0, HEAD);
	unsigned int lin = OUTER + nfsec_esp_head_len(out), esp_len;
	struct page *page = NULL;
	u8 *wire;
	u64 seq;

	encap_ok(test, skb, out);
	seq = NFSEC_SKB_CB(skb)->seq;
	esp_len = skb->len;
	wire = skb_bytes(test, skb);
	kfree_skb(skb);

	skb = layout_skb(test, wire, esp_len, lin, layout);
	if (layout == PAGED || layout == SHARED_PAGE) {
		page = skb_frag_page(&skb_shinfo(skb)->frags[0]);
		get_page(page);
	}
	decap_check(test, skb, in, seq, plain, OUTER + PLEN);
	if (layout == PAGED) {
		/*
		 * Decrypted where it was: the page holds the plaintext now (the skb may have
		 * taken it into its head since: the trim condenses).
		 */
		KUNIT_EXPECT_EQ(test, memcmp(page_address(page), plain + OUTER, PLEN), 0);
	} else if (layout == SHARED_PAGE) {
		/* Another's: the ciphertext is still there. */
		KUNIT_EXPECT_EQ(test, memcmp(page_address(page), wire + lin, esp_len - lin), 0);
	}
	if (page)
		put_page(page);
	kfree_skb(skb);
}

/* A clone shares the bytes of the packet it was cloned from: neither way written through. */
static void layout_clone(struct kunit *test, struct nfsec_sa *out, struct nfsec_sa *in,
			 const u8 *plain)
{
	struct sk_buff *skb = layout_skb(test, plain, OUTER + PLEN, 0, HEAD), *clone;
	unsigned int len;
	u8 *wire;
	u64 seq;

	clone = skb_clone(skb, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, clone);
	encap_ok(test, skb, out);
	KUNIT_EXPECT_EQ(test, clone->len, OUTER + PLEN);
	KUNIT_EXPECT_EQ(test, memcmp(clone->data, plain, OUTER + PLEN), 0);
	kfree_skb(clone);

	seq = NFSEC_SKB_CB(skb)->seq;
	len = skb->len;
	wire = skb_bytes(test, skb);
	clone = skb_clone(skb, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, clone);
	decap_check(test, skb, in, seq, plain, OUTER + PLEN);
	KUNIT_EXPECT_EQ(test, clone->len, len);
	KUNIT_EXPECT_EQ(test, memcmp(skb_bytes(test, clone), wire, len), 0);
	kfree_skb(clone);
	kfree_skb(skb);
}

static void esp_layouts(struct kunit *test)
{
	const struct trip_case *c = test->param_value;
	struct nfsec_sa *out = test_sa(test, &c->alg, 0x4321, NFSEC_SA_DIR_OUT, c->esn);
	struct nfsec_sa *in = test_sa(test, &c->alg, 0x4321, NFSEC_SA_DIR_IN, c->esn);
	enum layout layout;
	u8 plain[OUTER + PLEN];
	unsigned int i;

	for (i = 0; i < sizeof(plain); i++)
		plain[i] = i * 13 + 1;
	for (layout = HEAD; layout <= FRAG_LIST; layout++) {
		layout_out(test, out, in, plain, layout);
		layout_in(test, out, in, plain, layout);
	}
	layout_clone(test, out, in, plain);
	nfsec_sa_put(out);
	nfsec_sa_put(in);
}

static struct kunit_case esp_cases[] = {
	KUNIT_CASE_PARAM(esp_decrypt_vectors, vector_gen_params),
	KUNIT_CASE_PARAM(esp_round_trip, trip_gen_params),
	KUNIT_CASE_PARAM(esp_layouts, trip_gen_params),
	KUNIT_CASE(esp_bad_padding),
	KUNIT_CASE(esp_seq_overflow),
	{}
};

static struct kunit_suite esp_suite = {
	.name = "nfsec_esp",
	.test_cases = esp_cases,
};

kunit_test_suite(esp_suite);
