// SPDX-License-Identifier: GPL-2.0
/*
 * iked/ikecrypto.c and iked/dh.c against published vectors where they exist (NIST CAVP
 * IKEv1 KDF, RFC 2202/4231 HMAC, FIPS 180 hashes, SP 800-38A AES-CBC, RFC 5903 ECP,
 * RFC 7748 X25519), NSS's appendix B vectors, strongSwan's MODP-2048 vector, and
 * vectors/gen_ikev1.py (an independent Python reference) for the rest of RFC 2409.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/bn.h>

#include "dh.h"
#include "encoding.h"
#include "ikecrypto.h"
#include "vectors/cavp_ikev1.h"
#include "vectors/ikev1_ref.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Decoded hex lives here until the next test starts. */
static uint8_t pool[1 << 16];
static size_t pool_used;

static int pool_reset(void **state)
{
	(void)state;
	pool_used = 0;
	return 0;
}

static struct ike_chunk hex(const char *s)
{
	uint8_t *p = pool + pool_used;
	struct errmsg err;
	size_t len = 0;

	if (*s && parse_hex("test vector", s, p, sizeof(pool) - pool_used, &len, &err) < 0)
		fail_msg("%s", err.text);
	pool_used += len;
	return IKE_CHUNK(p, len);
}

static void assert_hex(const uint8_t *got, size_t len, const char *want)
{
	struct ike_chunk w = hex(want);

	assert_int_equal(len, w.len);
	assert_memory_equal(got, w.ptr, len);
}

static struct ike_secret *secret_hex(const char *s)
{
	struct ike_chunk c = hex(s);
	struct ike_secret *secret = ike_secret_dup(c.ptr, c.len);

	assert_non_null(secret);
	return secret;
}

static const enum ike_hash_alg all_algs[] = {
	IKE_HASH_SHA1, IKE_HASH_SHA2_256, IKE_HASH_SHA2_384, IKE_HASH_SHA2_512,
};

/* FIPS 180-4 "abc" examples. */
static const char *const hash_abc[] = {
	"a9993e364706816aba3e25717850c26c9cd0d89d",
	"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	"cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
	"8086072ba1e7cc2358baeca134c825a7",
	"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	"2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
};

/* RFC 2202 / RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?". */
static const char *const hmac_jefe[] = {
	"effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
	"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	"af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
	"8e2240ca5e69e2c78b3239ecfab21649",
	"164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	"9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
};

static void test_hash_published(void **state)
{
	/* split unevenly, with an empty part, to check the parts are concatenated */
	struct ike_chunk abc[] = { IKE_CHUNK("a", 1), IKE_CHUNK("", 0), IKE_CHUNK("bc", 2) };
	uint8_t out[IKE_HASH_MAX_LEN];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(all_algs); i++) {
		memset(out, 0, sizeof(out));
		assert_int_equal(ike_hash(all_algs[i], abc, ARRAY_SIZE(abc), out), 0);
		assert_hex(out, ike_hash_len(all_algs[i]), hash_abc[i]);
	}
}

static void test_prf_published(void **state)
{
	struct ike_chunk data[] = {
		IKE_CHUNK("what do ya", 10), IKE_CHUNK(" want ", 6), IKE_CHUNK(NULL, 0),
		IKE_CHUNK("for nothing?", 12),
	};
	uint8_t out[IKE_HASH_MAX_LEN];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(all_algs); i++) {
		memset(out, 0, sizeof(out));
		assert_int_equal(ike_prf(all_algs[i], (const uint8_t *)"Jefe", 4, data,
					 ARRAY_SIZE(data), out), 0);
		assert_hex(out, ike_hash_len(all_algs[i]), hmac_jefe[i]);
	}
}

static void test_unknown_hash_refused(void **state)
{
	/* 1 is MD5 and 3 Tiger in the IKEv1 registry: neither is offered */
	static const int bad[] = { 0, 1, 3, 7 };
	struct ike_chunk part = IKE_CHUNK("x", 1);
	uint8_t out[IKE_HASH_MAX_LEN] = { 0 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(ike_hash_len(bad[i]), 0);
		assert_int_equal(ike_hash(bad[i], &part, 1, out), -EINVAL);
		assert_int_equal(ike_prf(bad[i], (const uint8_t *)"k", 1, &part, 1, out),
				 -EINVAL);
	}
}

static void check_cavp(const struct cavp_ikev1 *v)
{
	struct ike_phase1_input in = {
		.alg = v->alg,
		.ni_b = hex(v->ni),
		.nr_b = hex(v->nr),
		.gxy = hex(v->gxy),
		.cky_i = hex(v->cky_i).ptr,
		.cky_r = hex(v->cky_r).ptr,
	};
	struct ike_chunk psk = v->psk ? hex(v->psk) : IKE_CHUNK(NULL, 0);
	struct ike_phase1_keys keys;

	print_message("# %s\n", v->source);
	assert_int_equal(ike_phase1_derive(&in, v->psk ? &psk : NULL, &keys), 0);
	assert_hex(keys.skeyid->data, keys.skeyid->len, v->skeyid);
	assert_hex(keys.skeyid_d->data, keys.skeyid_d->len, v->skeyid_d);
	assert_hex(keys.skeyid_a->data, keys.skeyid_a->len, v->skeyid_a);
	assert_hex(keys.skeyid_e->data, keys.skeyid_e->len, v->skeyid_e);
	ike_phase1_keys_free(&keys);
	assert_null(keys.skeyid);
}

static void test_phase1_cavp(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cavp_ikev1); i++)
		check_cavp(&cavp_ikev1[i]);
}

static void test_phase1_unknown_hash(void **state)
{
	uint8_t cky[IKE_COOKIE_LEN] = { 0 };
	struct ike_phase1_input in = {
		.alg = 1, .ni_b = IKE_CHUNK("n", 1), .nr_b = IKE_CHUNK("n", 1),
		.gxy = IKE_CHUNK("g", 1), .cky_i = cky, .cky_r = cky,
	};
	struct ike_phase1_keys keys = { NULL };

	(void)state;
	assert_int_equal(ike_phase1_derive(&in, NULL, &keys), -EINVAL);
	assert_null(keys.skeyid);
	assert_null(keys.skeyid_e);
}

static void check_enc_key(enum ike_hash_alg alg, const char *skeyid_e, size_t key_len,
			  const char *want)
{
	struct ike_secret *e = secret_hex(skeyid_e);
	struct ike_secret *key = NULL;

	assert_int_equal(ike_phase1_enc_key(alg, e, key_len, &key), 0);
	assert_hex(key->data, key->len, want);
	ike_secret_free(key);
	ike_secret_free(e);
}

static void test_enc_key_ref(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ref_enc_keys); i++)
		check_enc_key(ref_enc_keys[i].alg, ref_enc_keys[i].skeyid_e,
			      ref_enc_keys[i].key_len, ref_enc_keys[i].key);
}

/*
 * NSS gtests/common/testvectors/ike-sha1-vectors.h and ike-sha256-vectors.h, entries
 * 11-13 (ikeV1AppB, marked self-generated by NSS): another implementation's appendix B.
 */
static const char nss_sha1_key[] = "63e81194946ebd05df7df5ebf5d8750056bf1f1d";
static const char nss_sha256_key[] =
	"5f00d1bd2c58ec224b1e6b71fa0f19a1faa7a193952c444411b47c1a9d8ba6fe";

static void test_enc_key_nss(void **state)
{
	(void)state;
	check_enc_key(IKE_HASH_SHA1, nss_sha1_key, 132,
		      "933347a07de5782247dd36d1562ffe0eecade1eb4134165257e3af1000af8ae3"
		      "f165063828cbb60d910b7db38fa3c7f62c4afaaf3203da065c841729853edb23"
		      "e9e7ac8286ae65c8cb6c667d79268c0bd6705abb9131698eb822b1c1f9dd142f"
		      "c7be2c1010ee0152e10195add98999c6b6d42c8fe9c1b134d56ad5f2c6f20e81"
		      "5bd25c52");
	check_enc_key(IKE_HASH_SHA1, nss_sha1_key, 15, "63e81194946ebd05df7df5ebf5d875");
	check_enc_key(IKE_HASH_SHA2_256, nss_sha256_key, 132,
		      "b10fff32cbeaa1e7afe6ab0b191e0bd63cd524849a4b56019146d232a24cf9af"
		      "6b89494d2a360b06825db8bb0324c15cecf47fc0bc99e39bf1171a7f4bf1733d"
		      "c49ef64c642e73b054b2e82456e34fa3c822da475e27e403b3da3929da50e6aa"
		      "9e7f9252c68fa069b4b0edd374e80d35378c4f5e8ec285a1b169c92bbb5353d0"
		      "5ba94165");
	check_enc_key(IKE_HASH_SHA2_256, nss_sha256_key, 32, nss_sha256_key);
}

/* NSS entries 14 (ikeV1AppBQuick, extra data 00): the KEYMAT-style chain, seed = 0. */
static void test_prf_expand_nss(void **state)
{
	struct ike_chunk seed = IKE_CHUNK("\0", 1);
	struct ike_secret *key;
	uint8_t out[132];

	(void)state;
	key = secret_hex(nss_sha1_key);
	assert_int_equal(ike_prf_expand(IKE_HASH_SHA1, key, &seed, 1, out, sizeof(out)), 0);
	assert_hex(out, sizeof(out),
		   "933347a07de5782247dd36d1562ffe0eecade1ebaeaa476a5f578c34a9b2b710"
		   "1a621202f61db924c5ef9efa3bb2698095841603b7ac8a880329a927ecd4ad53"
		   "a944b607a5ac2f3d154e2748c188d7370d76be83fc204fdacf0f66b99dd760ba"
		   "619ffac65eda1420c8a936dac5a599afaf4043b29ef2b65dc042724355b55087"
		   "5316c6fd");
	ike_secret_free(key);
	key = secret_hex(nss_sha256_key);
	assert_int_equal(ike_prf_expand(IKE_HASH_SHA2_256, key, &seed, 1, out, sizeof(out)),
			 0);
	assert_hex(out, sizeof(out),
		   "b10fff32cbeaa1e7afe6ab0b191e0bd63cd524849a4b56019146d232a24cf9af"
		   "59f18ed9aabbb2dbbafecf48d72a34a8f72fab2ff4f37e5c917288a78ce00933"
		   "612e9531a7469995c7f7cc33c7627cac3efbc819330c4fe3bfa3788799630f37"
		   "bcb74800d82bbebd17b1906e304a786f4f810c266c15be1a30576039c2932727"
		   "48d65966");
	ike_secret_free(key);
}

static void test_enc_key_limits(void **state)
{
	struct ike_secret *e = secret_hex(nss_sha1_key);
	struct ike_secret *key = NULL;

	(void)state;
	assert_int_equal(ike_phase1_enc_key(IKE_HASH_SHA1, e, 0, &key), -EINVAL);
	assert_int_equal(ike_phase1_enc_key(IKE_HASH_SHA1, e, IKE_KEYMAT_MAX_LEN + 1, &key),
			 -EINVAL);
	assert_int_equal(ike_phase1_enc_key(1, e, 16, &key), -EINVAL);
	assert_null(key);
	ike_secret_free(e);
}

static void check_keymat(const struct ref_keymat *v)
{
	struct ike_keymat_input in = {
		.gqm_xy = hex(v->gqm_xy),
		.protocol = v->protocol,
		.spi = v->spi,
		.ni_b = hex(v->ni_b),
		.nr_b = hex(v->nr_b),
	};
	struct ike_secret *d = secret_hex(v->skeyid_d);
	struct ike_secret *keymat = NULL;

	assert_int_equal(ike_keymat(v->alg, d, &in, v->len, &keymat), 0);
	assert_hex(keymat->data, keymat->len, v->keymat);
	ike_secret_free(keymat);
	ike_secret_free(d);
}

static void test_keymat_ref(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ref_keymats); i++)
		check_keymat(&ref_keymats[i]);
}

static void test_keymat_limits(void **state)
{
	struct ike_keymat_input in = {
		.protocol = IKE_PROTO_ESP, .spi = 1,
		.ni_b = IKE_CHUNK("ni", 2), .nr_b = IKE_CHUNK("nr", 2),
	};
	struct ike_secret *d = secret_hex(nss_sha1_key);
	struct ike_secret *keymat = NULL;

	(void)state;
	assert_int_equal(ike_keymat(IKE_HASH_SHA1, d, &in, 0, &keymat), -EINVAL);
	assert_int_equal(ike_keymat(IKE_HASH_SHA1, d, &in, IKE_KEYMAT_MAX_LEN + 1, &keymat),
			 -EINVAL);
	assert_int_equal(ike_keymat(0, d, &in, 16, &keymat), -EINVAL);
	assert_null(keymat);
	assert_int_equal(ike_keymat(IKE_HASH_SHA1, d, &in, IKE_KEYMAT_MAX_LEN, &keymat), 0);
	assert_int_equal(keymat->len, IKE_KEYMAT_MAX_LEN);
	ike_secret_free(keymat);
	ike_secret_free(d);
}

static void test_qm_hashes_ref(void **state)
{
	uint8_t out[IKE_HASH_MAX_LEN];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ref_qm_hashes); i++) {
		const struct ref_qm_hash *v = &ref_qm_hashes[i];
		struct ike_secret *a = secret_hex(v->skeyid_a);
		size_t len = ike_hash_len(v->alg);

		assert_int_equal(ike_hash_msg(v->alg, a, v->mid, hex(v->rest), out), 0);
		assert_hex(out, len, v->hash1);
		assert_int_equal(ike_qm_hash2(v->alg, a, v->mid, hex(v->ni_b), hex(v->rest),
					      out), 0);
		assert_hex(out, len, v->hash2);
		assert_int_equal(ike_qm_hash3(v->alg, a, v->mid, hex(v->ni_b), hex(v->nr_b),
					      out), 0);
		assert_hex(out, len, v->hash3);
		ike_secret_free(a);
	}
}

static void test_auth_hashes_ref(void **state)
{
	uint8_t out[IKE_HASH_MAX_LEN];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ref_auth_hashes); i++) {
		const struct ref_auth_hash *v = &ref_auth_hashes[i];
		struct ike_auth_input in = {
			.gxi = hex(v->gxi), .gxr = hex(v->gxr),
			.cky_i = hex(v->cky_i).ptr, .cky_r = hex(v->cky_r).ptr,
			.sai_b = hex(v->sai_b), .idii_b = hex(v->idii_b),
			.idir_b = hex(v->idir_b),
		};
		struct ike_secret *skeyid = secret_hex(v->skeyid);

		assert_int_equal(ike_auth_hash_i(v->alg, skeyid, &in, out), 0);
		assert_hex(out, ike_hash_len(v->alg), v->hash_i);
		assert_int_equal(ike_auth_hash_r(v->alg, skeyid, &in, out), 0);
		assert_hex(out, ike_hash_len(v->alg), v->hash_r);
		ike_secret_free(skeyid);
	}
}

static void test_ivs_ref(void **state)
{
	uint8_t iv[IKE_CBC_BLOCK_LEN];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ref_ivs); i++) {
		const struct ref_iv *v = &ref_ivs[i];

		assert_int_equal(ike_iv_phase1(v->alg, hex(v->gxi), hex(v->gxr), iv), 0);
		assert_hex(iv, sizeof(iv), v->iv1);
		assert_int_equal(ike_iv_phase2(v->alg, hex(v->last_block).ptr, v->mid, iv), 0);
		assert_hex(iv, sizeof(iv), v->iv2);
	}
}

/* NIST SP 800-38A F.2.1, F.2.3, F.2.5 (CBC-AES128/192/256.Encrypt). */
static const char sp800_38a_iv[] = "000102030405060708090a0b0c0d0e0f";
static const char sp800_38a_plain[] =
	"6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
	"30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
static const struct {
	const char *key, *cipher;
} sp800_38a[] = {
	{ "2b7e151628aed2a6abf7158809cf4f3c",
	  "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
	  "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7" },
	{ "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
	  "4f021db243bc633d7178183a9fa071e8b4d9ada9ad7dedf4e5e738763f69145a"
	  "571b242012fb7ae07fa9baac3df102e008b0e27988598881d920a9e64f5615cd" },
	{ "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
	  "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
	  "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b" },
};

static void test_cbc_decrypt_published(void **state)
{
	uint8_t out[64], next_iv[IKE_CBC_BLOCK_LEN];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(sp800_38a); i++) {
		struct ike_secret *key = secret_hex(sp800_38a[i].key);
		struct ike_chunk c = hex(sp800_38a[i].cipher);

		assert_int_equal(ike_cbc_decrypt(key, hex(sp800_38a_iv).ptr, c.ptr, c.len, out,
						 next_iv), 0);
		assert_hex(out, sizeof(out), sp800_38a_plain);
		assert_memory_equal(next_iv, c.ptr + c.len - IKE_CBC_BLOCK_LEN,
				    IKE_CBC_BLOCK_LEN);
		ike_secret_free(key);
	}
}

/* Aligned payloads still get a whole block of zero padding (strongSwan's rule). */
static void test_cbc_encrypt_pads_whole_block(void **state)
{
	static const uint8_t zeros[IKE_CBC_BLOCK_LEN];
	uint8_t out[80], back[80], next_iv[IKE_CBC_BLOCK_LEN], iv2[IKE_CBC_BLOCK_LEN];

	(void)state;
	assert_int_equal(ike_cbc_padded_len(64), 80);
	for (size_t i = 0; i < ARRAY_SIZE(sp800_38a); i++) {
		struct ike_secret *key = secret_hex(sp800_38a[i].key);
		const uint8_t *iv = hex(sp800_38a_iv).ptr;

		assert_int_equal(ike_cbc_encrypt(key, iv, hex(sp800_38a_plain).ptr, 64, out,
						 next_iv), 0);
		assert_hex(out, 64, sp800_38a[i].cipher);
		assert_memory_equal(next_iv, out + 64, IKE_CBC_BLOCK_LEN);
		assert_int_equal(ike_cbc_decrypt(key, iv, out, sizeof(out), back, iv2), 0);
		assert_hex(back, 64, sp800_38a_plain);
		assert_memory_equal(back + 64, zeros, sizeof(zeros));
		assert_memory_equal(iv2, next_iv, IKE_CBC_BLOCK_LEN);
		ike_secret_free(key);
	}
}

static void test_cbc_partial_block_in_place(void **state)
{
	struct ike_secret *key = secret_hex(sp800_38a[0].key);
	const uint8_t *iv = hex(sp800_38a_iv).ptr;
	uint8_t buf[64], next_iv[IKE_CBC_BLOCK_LEN], iv2[IKE_CBC_BLOCK_LEN];

	(void)state;
	assert_int_equal(ike_cbc_padded_len(60), 64);
	assert_int_equal(ike_cbc_padded_len(0), 16);
	memcpy(buf, hex(sp800_38a_plain).ptr, 60);
	memset(buf + 60, 0xee, 4);	/* must be replaced by zero padding */
	assert_int_equal(ike_cbc_encrypt(key, iv, buf, 60, buf, next_iv), 0);
	/* the first three blocks are the published ones */
	assert_memory_equal(buf, hex(sp800_38a[0].cipher).ptr, 48);
	assert_memory_equal(next_iv, buf + 48, IKE_CBC_BLOCK_LEN);
	memcpy(iv2, iv, sizeof(iv2));
	assert_int_equal(ike_cbc_decrypt(key, iv2, buf, sizeof(buf), buf, iv2), 0);
	assert_memory_equal(buf, hex(sp800_38a_plain).ptr, 60);
	assert_memory_equal(buf + 60, "\0\0\0\0", 4);
	assert_memory_equal(iv2, next_iv, IKE_CBC_BLOCK_LEN);
	ike_secret_free(key);
}

/* Two chained messages decrypt as one CBC stream: next_iv is the chaining value. */
static void test_cbc_iv_chaining(void **state)
{
	struct ike_secret *key = secret_hex(sp800_38a[2].key);
	const uint8_t *iv = hex(sp800_38a_iv).ptr;
	const uint8_t *plain = hex(sp800_38a_plain).ptr;
	uint8_t stream[32 + 48], back[80], iv_a[IKE_CBC_BLOCK_LEN], iv_b[IKE_CBC_BLOCK_LEN];
	uint8_t end[IKE_CBC_BLOCK_LEN];

	(void)state;
	assert_int_equal(ike_cbc_encrypt(key, iv, plain, 20, stream, iv_a), 0);
	assert_int_equal(ike_cbc_encrypt(key, iv_a, plain + 20, 40, stream + 32, iv_b), 0);
	assert_int_equal(ike_cbc_decrypt(key, iv, stream, sizeof(stream), back, end), 0);
	assert_memory_equal(back, plain, 20);
	assert_memory_equal(back + 20, "\0\0\0\0\0\0\0\0\0\0\0\0", 12);
	assert_memory_equal(back + 32, plain + 20, 40);
	assert_memory_equal(end, iv_b, IKE_CBC_BLOCK_LEN);
	ike_secret_free(key);
}

static void test_cbc_bad_lengths(void **state)
{
	static const size_t bad[] = { 0, 1, 15, 17, 33 };
	struct ike_secret *key = secret_hex(sp800_38a[0].key);
	struct ike_secret *odd = secret_hex("00112233445566778899aabbccddeeff00112233");
	const uint8_t *iv = hex(sp800_38a_iv).ptr;
	uint8_t in[48] = { 0 }, out[48], next_iv[IKE_CBC_BLOCK_LEN];

	(void)state;
	memset(out, 0xa5, sizeof(out));
	memset(next_iv, 0xa5, sizeof(next_iv));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(ike_cbc_decrypt(key, iv, in, bad[i], out, next_iv), -EINVAL);
	assert_int_equal(ike_cbc_decrypt(odd, iv, in, 16, out, next_iv), -EINVAL);
	assert_int_equal(ike_cbc_encrypt(odd, iv, in, 16, out, next_iv), -EINVAL);
	for (size_t i = 0; i < sizeof(out); i++)
		assert_int_equal(out[i], 0xa5);
	assert_int_equal(next_iv[0], 0xa5);
	ike_secret_free(odd);
	ike_secret_free(key);
}

/* RFC 5903 section 8: i, g^i = gix | giy, r, g^r, and g^ir's x coordinate. */
static const struct {
	int group;
	const char *i, *gi, *r, *gr, *gir;
} rfc5903[] = {
	{ DH_ECP_256,
	  "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433",
	  "dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180"
	  "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3",
	  "c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53",
	  "d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63"
	  "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab",
	  "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de" },
	{ DH_ECP_384,
	  "099f3c7034d4a2c699884d73a375a67f7624ef7c6b3c0f160647b67414dce655"
	  "e35b538041e649ee3faef896783ab194",
	  "667842d7d180ac2cde6f74f37551f55755c7645c20ef73e31634fe72b4c55ee6"
	  "de3ac808acb4bdb4c88732aee95f41aa9482ed1fc0eeb9cafc4984625ccfc23f"
	  "65032149e0e144ada024181535a0f38eeb9fcff3c2c947dae69b4c634573a81c",
	  "41cb0779b4bdb85d47846725fbec3c9430fab46cc8dc5060855cc9bda0aa2942"
	  "e0308312916b8ed2960e4bd55a7448fc",
	  "e558dbef53eecde3d3fccfc1aea08a89a987475d12fd950d83cfa41732bc509d"
	  "0d1ac43a0336def96fda41d0774a3571dcfbec7aacf3196472169e838430367f"
	  "66eebe3c6e70c416dd5f0c68759dd1fff83fa40142209dff5eaad96db9e6386c",
	  "11187331c279962d93d604243fd592cb9d0a926f422e47187521287e7156c5c4"
	  "d603135569b9e9d09cf5d4a270f59746" },
	{ DH_ECP_521,
	  "0037ade9319a89f4dabdb3ef411aaccca5123c61acab57b5393dce47608172a0"
	  "95aa85a30fe1c2952c6771d937ba9777f5957b2639bab072462f68c27a57382d"
	  "4a52",
	  "0015417e84dbf28c0ad3c278713349dc7df153c897a1891bd98bab4357c9ecbe"
	  "e1e3bf42e00b8e380aeae57c2d107564941885942af5a7f4601723c4195d176c"
	  "ed3e017cae20b6641d2eeb695786d8c946146239d099e18e1d5a514c739d7cb4"
	  "a10ad8a788015ac405d7799dc75e7b7d5b6cf2261a6a7f1507438bf01beb6ca3"
	  "926f9582",
	  "0145ba99a847af43793fdd0e872e7cdfa16be30fdc780f97bccc3f078380201e"
	  "9c677d600b343757a3bdbf2a3163e4c2f869cca7458aa4a4effc311f5cb15168"
	  "5eb9",
	  "00d0b3975ac4b799f5bea16d5e13e9af971d5e9b984c9f39728b5e5739735a21"
	  "9b97c356436adc6e95bb0352f6be64a6c2912d4ef2d0433ced2b6171640012d9"
	  "460f015c68226383956e3bd066e797b623c27ce0eac2f551a10c2c724d985207"
	  "7b87220b6536c5c408a1d2aebb8e86d678ae49cb57091f4732296579ab44fcd1"
	  "7f0fc56a",
	  "01144c7d79ae6956bc8edb8e7c787c4521cb086fa64407f97894e5e6b2d79b04"
	  "d1427e73ca4baa240a34786859810c06b3c715a3a8cc3151f2bee417996d19f3"
	  "ddea" },
};

/* Both ends from known private keys: each public value and g^ir, both ways. */
static void check_dh_pair(int group, const char *priv_a, const char *pub_a,
			  const char *priv_b, const char *pub_b, const char *shared)
{
	struct ike_chunk a_priv = hex(priv_a), b_priv = hex(priv_b);
	struct dh *a = dh_new_with_private(group, a_priv.ptr, a_priv.len);
	struct dh *b = dh_new_with_private(group, b_priv.ptr, b_priv.len);
	uint8_t secret[DH_MAX_SECRET_LEN];
	const uint8_t *pub;
	size_t len;

	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(dh_group(a), group);
	pub = dh_public(a, &len);
	assert_int_equal(len, dh_public_len(group));
	assert_hex(pub, len, pub_a);
	pub = dh_public(b, &len);
	assert_hex(pub, len, pub_b);
	len = sizeof(secret);
	assert_int_equal(dh_compute(a, hex(pub_b).ptr, hex(pub_b).len, secret, &len), 0);
	assert_int_equal(len, dh_secret_len(group));
	assert_hex(secret, len, shared);
	len = sizeof(secret);
	assert_int_equal(dh_compute(b, hex(pub_a).ptr, hex(pub_a).len, secret, &len), 0);
	assert_hex(secret, len, shared);
	dh_free(a);
	dh_free(b);
}

static void test_dh_ecp_rfc5903(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rfc5903); i++)
		check_dh_pair(rfc5903[i].group, rfc5903[i].i, rfc5903[i].gi, rfc5903[i].r,
			      rfc5903[i].gr, rfc5903[i].gir);
}

/* RFC 7748 section 6.1 (Alice and Bob). */
static void test_dh_x25519_rfc7748(void **state)
{
	(void)state;
	check_dh_pair(DH_CURVE25519,
		      "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
		      "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
		      "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
		      "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
		      "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
}

/* strongSwan src/libstrongswan/plugins/test_vectors/test_vectors/modp.c, modp2048
 * (generated by strongSwan; no published MODP vectors exist for these groups). */
static void test_dh_modp2048_strongswan(void **state)
{
	(void)state;
	check_dh_pair(DH_MODP_2048,
		      "af3bfd3862caa11774ce2b74840807c1de5cd6a7619bb3a0c7af39eedaa6eb89"
		      "e2e9c144b3625b2731879cb58fa3766d",
		      "1a27c5a7237ae8fe0a71c0af6494faeccdd4a5031d47a1a6b7162dfcdf03bb17"
		      "b7bb089bd652a5f31b3661bb114d7c48d83d244f46db64870c9c8327f1a830ab"
		      "f531e518dd521a2e94e7061e944209ba5331012b3dff00849eaab58c7c7af152"
		      "65210fbcf0f87b9dd932f8ba4e9a9f91b63294530a1200b88b3a03e1a0c7fd34"
		      "deec6fad501ede06ce7ec9e291d47b69b3a4b61bb08763b6d46bfbdab97bdece"
		      "a0ff09a872221fb4b6ccca6b5c6faad8eb873b9a2f39b63e62cfadd47607e68e"
		      "2c290583f7268fb43fc00a7dc8810ecdac1a59bd1b477aaf41cb4b24ada3e5f7"
		      "b8cb986f1ae476afc7677aa62570a1b1838dda26be7863ee2f40b5e538a4e181",
		      "77a48e4772e23e284ce4af81399dcd589beb7cefbcc9d196f06dcfdfc3a88e3b"
		      "4c1c82befec0e64ba495ccde329936ce",
		      "667282318d65cb05cd323c25091e664cc75a3a20c014b2f6389d3b27f5c1e908"
		      "e0d40ff8552bd587752550302285b49f75f8ffaec937fb2e69c8150f88d6508b"
		      "f0fb1f16e9676f5ecf718f874f3d8de3c8688749dbcf1affd4d62ff9ea5d9e30"
		      "35b2ce4a6eae281c408fc8084ae235d998a037610a8cb48c878cd0635fa1369f"
		      "c90b864c532367384597fdeefdb6742b006adedae2015bc4ce2f9c5451c9636a"
		      "16ed7d10b4e40d825b50aa7633a0e8fb813bebc049f7ff6a71ecfb14e880f509"
		      "d38b571a809808a496b451b5b5567a3608b01a22e4998355f181b879de262304"
		      "f29de142ff5e52cc564f3a2d1e84a0c33d8f3da7bf6412b3f018e00d90fa5b94",
		      "26f9e8457cf2d7d56dd819c2a867d7c3a90aa2b944e20b8bded3a5bf91aa1ff8"
		      "1a7ea89d524c365f3823510835cd8644c4d5dacf893e610d2c1a140616d1c8c1"
		      "d35f46de2c5faad9aecec6b677acd984098142a8aa0c8542e9ac98b3bc7b577c"
		      "59b8ec53346e1567a90039ac92b224635ab216731b06353925642c330a201ba4"
		      "b31284a9515860f35e9308f5515a779984fbd9f5ce4177db78d1cb0384b63c73"
		      "9c6d744ad7a700b95a531b29f3b744ed38e69aee67072c45a91cee6b14215e04"
		      "f27c31358c86dce448d60a223bdc554edaa3e4072ef603a0f4619f8db39cec29"
		      "1c860174155d8abf9e1082931df58ed9ee9c1215dd2393de02f5c1767f070e28");
}

/* Fresh key pairs agree, values have the wire lengths, and weak groups need the flag. */
static void check_dh_random(int group, bool allow_weak)
{
	struct dh *a = dh_new(group, allow_weak), *b = dh_new(group, allow_weak);
	uint8_t sa[DH_MAX_SECRET_LEN], sb[DH_MAX_SECRET_LEN];
	size_t la = sizeof(sa), lb = sizeof(sb), pa, pb;
	const uint8_t *pub_a, *pub_b;

	print_message("# group %d\n", group);
	assert_non_null(a);
	assert_non_null(b);
	pub_a = dh_public(a, &pa);
	pub_b = dh_public(b, &pb);
	assert_int_equal(pa, dh_public_len(group));
	assert_int_equal(pb, dh_public_len(group));
	assert_memory_not_equal(pub_a, pub_b, pa);
	assert_int_equal(dh_compute(a, pub_b, pb, sa, &la), 0);
	assert_int_equal(dh_compute(b, pub_a, pa, sb, &lb), 0);
	assert_int_equal(la, dh_secret_len(group));
	assert_int_equal(lb, la);
	assert_memory_equal(sa, sb, la);
	dh_free(a);
	dh_free(b);
}

static void test_dh_groups_agree(void **state)
{
	static const int strong[] = {
		DH_MODP_2048, DH_MODP_3072, DH_MODP_4096, DH_ECP_256, DH_ECP_384, DH_ECP_521,
		DH_CURVE25519,
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(strong); i++)
		check_dh_random(strong[i], false);
	check_dh_random(DH_MODP_768, true);
	check_dh_random(DH_MODP_1024, true);
	check_dh_random(DH_MODP_1536, true);
}

static void test_dh_group_table(void **state)
{
	static const struct {
		int group;
		size_t pub, secret;
	} t[] = {
		{ DH_MODP_768, 96, 96 }, { DH_MODP_1024, 128, 128 }, { DH_MODP_1536, 192, 192 },
		{ DH_MODP_2048, 256, 256 }, { DH_MODP_3072, 384, 384 },
		{ DH_MODP_4096, 512, 512 }, { DH_ECP_256, 64, 32 }, { DH_ECP_384, 96, 48 },
		{ DH_ECP_521, 132, 66 }, { DH_CURVE25519, 32, 32 },
		{ 0, 0, 0 }, { 3, 0, 0 }, { 18, 0, 0 }, { 22, 0, 0 }, { 32, 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		assert_int_equal(dh_public_len(t[i].group), t[i].pub);
		assert_int_equal(dh_secret_len(t[i].group), t[i].secret);
	}
}

static void test_dh_refuses_groups(void **state)
{
	static const int weak[] = { DH_MODP_768, DH_MODP_1024, DH_MODP_1536 };
	static const int unknown[] = { 0, 3, 4, 18, 22, 32 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(weak); i++) {
		errno = 0;
		assert_null(dh_new(weak[i], false));
		assert_int_equal(errno, EPERM);
	}
	for (size_t i = 0; i < ARRAY_SIZE(unknown); i++) {
		errno = 0;
		assert_null(dh_new(unknown[i], true));
		assert_int_equal(errno, EINVAL);
		errno = 0;
		assert_null(dh_new_with_private(unknown[i], (const uint8_t *)"\1", 1));
		assert_int_equal(errno, EINVAL);
	}
	dh_free(NULL);
}

static void modp2048_value(BIGNUM *v, uint8_t out[256])
{
	assert_int_equal(BN_bn2binpad(v, out, 256), 256);
	BN_free(v);
}

static void expect_refused(struct dh *dh, const uint8_t *peer, size_t len)
{
	uint8_t secret[DH_MAX_SECRET_LEN];
	size_t secret_len = sizeof(secret);

	memset(secret, 0xa5, sizeof(secret));
	assert_int_equal(dh_compute(dh, peer, len, secret, &secret_len), -EINVAL);
	assert_int_equal(secret_len, sizeof(secret));
	assert_int_equal(secret[0], 0xa5);
}

/* RFC 6989 2.1: 0, 1, p-1 and p (and above) are refused, as are other lengths. */
static void test_dh_modp_peer_validation(void **state)
{
	struct dh *dh = dh_new(DH_MODP_2048, false);
	BIGNUM *p = BN_get_rfc3526_prime_2048(NULL);
	uint8_t y[257] = { 0 };
	const uint8_t *pub;
	size_t len;

	(void)state;
	assert_non_null(dh);
	assert_non_null(p);
	expect_refused(dh, y, 256);			/* 0 */
	y[255] = 1;
	expect_refused(dh, y, 256);			/* 1 */
	BN_sub_word(p, 1);
	modp2048_value(BN_dup(p), y);
	expect_refused(dh, y, 256);			/* p - 1 */
	BN_add_word(p, 1);
	modp2048_value(BN_dup(p), y);
	expect_refused(dh, y, 256);			/* p */
	memset(y, 0xff, 256);
	expect_refused(dh, y, 256);			/* 2^2048 - 1 */
	pub = dh_public(dh, &len);
	memcpy(y, pub, len);
	expect_refused(dh, y, 255);
	y[256] = 0;
	expect_refused(dh, y, 257);
	BN_free(p);
	dh_free(dh);
}

/*
 * Fixed lengths: with private key 1 our public value is g = 2, left-padded to 256
 * bytes, and g^xy is the peer's value itself, left-padded even when it is short.
 */
static void test_dh_modp_left_padding(void **state)
{
	struct dh *dh = dh_new_with_private(DH_MODP_2048, (const uint8_t *)"\1", 1);
	uint8_t want[256] = { 0 }, peer[256] = { 0 }, secret[DH_MAX_SECRET_LEN];
	size_t len;
	const uint8_t *pub;

	(void)state;
	assert_non_null(dh);
	pub = dh_public(dh, &len);
	want[255] = 2;
	assert_int_equal(len, 256);
	assert_memory_equal(pub, want, 256);
	peer[254] = 1;				/* y = 256 */
	len = sizeof(secret);
	assert_int_equal(dh_compute(dh, peer, sizeof(peer), secret, &len), 0);
	assert_int_equal(len, 256);
	assert_memory_equal(secret, peer, 256);
	len = 255;
	assert_int_equal(dh_compute(dh, peer, sizeof(peer), secret, &len), -ENOSPC);
	dh_free(dh);
}

static void test_dh_ecp_peer_validation(void **state)
{
	struct dh *dh = dh_new(DH_ECP_256, false);
	uint8_t point[64];
	const uint8_t *pub;
	size_t len;

	(void)state;
	assert_non_null(dh);
	pub = dh_public(dh, &len);
	memcpy(point, hex(rfc5903[0].gr).ptr, sizeof(point));
	point[63] ^= 1;				/* y off the curve */
	expect_refused(dh, point, sizeof(point));
	memset(point, 0, sizeof(point));	/* (0, 0) */
	expect_refused(dh, point, sizeof(point));
	memset(point, 0xff, sizeof(point));	/* coordinates above p */
	expect_refused(dh, point, sizeof(point));
	expect_refused(dh, pub, len - 1);
	expect_refused(dh, hex(rfc5903[1].gr).ptr, 96);	/* a P-384 point */
	dh_free(dh);
}

/* RFC 7748 6.1 / RFC 8031 2.3: low-order points give an all-zero secret, refused. */
static void test_dh_x25519_zero_secret(void **state)
{
	struct dh *dh = dh_new(DH_CURVE25519, false);
	uint8_t u[32] = { 0 };

	(void)state;
	assert_non_null(dh);
	expect_refused(dh, u, sizeof(u));	/* u = 0 */
	u[0] = 1;
	expect_refused(dh, u, sizeof(u));	/* u = 1 */
	expect_refused(dh, u, 31);
	dh_free(dh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_hash_published, pool_reset),
		cmocka_unit_test_setup(test_prf_published, pool_reset),
		cmocka_unit_test_setup(test_unknown_hash_refused, pool_reset),
		cmocka_unit_test_setup(test_phase1_cavp, pool_reset),
		cmocka_unit_test_setup(test_phase1_unknown_hash, pool_reset),
		cmocka_unit_test_setup(test_enc_key_ref, pool_reset),
		cmocka_unit_test_setup(test_enc_key_nss, pool_reset),
		cmocka_unit_test_setup(test_prf_expand_nss, pool_reset),
		cmocka_unit_test_setup(test_enc_key_limits, pool_reset),
		cmocka_unit_test_setup(test_keymat_ref, pool_reset),
		cmocka_unit_test_setup(test_keymat_limits, pool_reset),
		cmocka_unit_test_setup(test_qm_hashes_ref, pool_reset),
		cmocka_unit_test_setup(test_auth_hashes_ref, pool_reset),
		cmocka_unit_test_setup(test_ivs_ref, pool_reset),
		cmocka_unit_test_setup(test_cbc_decrypt_published, pool_reset),
		cmocka_unit_test_setup(test_cbc_encrypt_pads_whole_block, pool_reset),
		cmocka_unit_test_setup(test_cbc_partial_block_in_place, pool_reset),
		cmocka_unit_test_setup(test_cbc_iv_chaining, pool_reset),
		cmocka_unit_test_setup(test_cbc_bad_lengths, pool_reset),
		cmocka_unit_test_setup(test_dh_ecp_rfc5903, pool_reset),
		cmocka_unit_test_setup(test_dh_x25519_rfc7748, pool_reset),
		cmocka_unit_test_setup(test_dh_modp2048_strongswan, pool_reset),
		cmocka_unit_test_setup(test_dh_groups_agree, pool_reset),
		cmocka_unit_test_setup(test_dh_group_table, pool_reset),
		cmocka_unit_test_setup(test_dh_refuses_groups, pool_reset),
		cmocka_unit_test_setup(test_dh_modp_peer_validation, pool_reset),
		cmocka_unit_test_setup(test_dh_modp_left_padding, pool_reset),
		cmocka_unit_test_setup(test_dh_ecp_peer_validation, pool_reset),
		cmocka_unit_test_setup(test_dh_x25519_zero_secret, pool_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
