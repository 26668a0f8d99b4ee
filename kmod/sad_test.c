// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: SAs are made for every algorithm nfsec offers and refused, with the reason, for
 * anything else; the SAD finds them by (SPI, destination, protocol) with a reference.
 */

#include <crypto/aead.h>
#include <kunit/test.h>
#include <linux/in.h>
#include <linux/socket.h>
#include <net/netlink.h>

#include "sad.h"

static const u8 key64[64] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d,
	0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b,
	0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29,
	0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
	0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
};

struct alg_case {
	const char *name;
	const char *aead, *enc, *auth;
	unsigned int key_len, auth_key_len, icv_len;
	int error;		/* 0: made */
	const char *extack;
	unsigned int icv_made;	/* made with icv_len 0: the algorithm's default */
};

static const struct alg_case alg_cases[] = {
	{ "aes-gcm-128", "rfc4106(gcm(aes))", NULL, NULL, 20, 0, 16 },
	{ "aes-gcm-192-icv12", "rfc4106(gcm(aes))", NULL, NULL, 28, 0, 12 },
	{ "aes-gcm-256-icv8", "rfc4106(gcm(aes))", NULL, NULL, 36, 0, 8 },
	{ "chacha20-poly1305", "rfc7539esp(chacha20,poly1305)", NULL, NULL, 36, 0, 16 },
	{ "aes-cbc-128-sha256", NULL, "cbc(aes)", "hmac(sha256)", 16, 32, 16 },
	{ "aes-cbc-256-sha384", NULL, "cbc(aes)", "hmac(sha384)", 32, 48, 24 },
	{ "aes-cbc-192-sha512", NULL, "cbc(aes)", "hmac(sha512)", 24, 64, 32 },
	{ "aes-cbc-128-sha1", NULL, "cbc(aes)", "hmac(sha1)", 16, 20, 12 },
	{ "null-sha256", NULL, "ecb(cipher_null)", "hmac(sha256)", 0, 32, 16 },
	{ .name = "gcm default icv", .aead = "rfc4106(gcm(aes))", .key_len = 20, .icv_made = 16 },
	{ .name = "sha384 default icv", .enc = "cbc(aes)", .auth = "hmac(sha384)", .key_len = 16,
	  .auth_key_len = 48, .icv_made = 24 },
	{ .name = "sha1 default icv", .enc = "cbc(aes)", .auth = "hmac(sha1)", .key_len = 16,
	  .auth_key_len = 20, .icv_made = 12 },
	{ "unknown aead", "gcm(des)", NULL, NULL, 20, 0, 16, -ENOENT,
	  "unknown or unsupported algorithm" },
	{ "gcm without salt", "rfc4106(gcm(aes))", NULL, NULL, 16, 0, 16, -EINVAL,
	  "key length does not fit the algorithm" },
	{ "gcm icv 10", "rfc4106(gcm(aes))", NULL, NULL, 20, 0, 10, -EINVAL,
	  "ICV length does not fit the algorithm" },
	{ "aead and enc", "rfc4106(gcm(aes))", "cbc(aes)", NULL, 20, 0, 16, -EINVAL,
	  "an AEAD takes no separate encryption or authentication" },
	{ "enc alone", NULL, "cbc(aes)", NULL, 16, 0, 16, -EINVAL,
	  "an SA needs an AEAD, or both encryption and authentication" },
	{ "cbc key 20", NULL, "cbc(aes)", "hmac(sha256)", 20, 32, 16, -EINVAL,
	  "key length does not fit the algorithm" },
	{ "sha256 key 16", NULL, "cbc(aes)", "hmac(sha256)", 16, 16, 16, -EINVAL,
	  "authentication key length does not fit the algorithm" },
	{ "sha256 icv 12", NULL, "cbc(aes)", "hmac(sha256)", 16, 32, 12, -EINVAL,
	  "ICV length does not fit the algorithm" },
	{ "unknown auth", NULL, "cbc(aes)", "hmac(md5)", 16, 16, 12, -ENOENT,
	  "unknown or unsupported algorithm" },
};

static void alg_case_desc(const struct alg_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(alg, alg_cases, alg_case_desc);

static struct nfsec_sa_id sa_id(u32 spi)
{
	struct nfsec_sa_id id = {
		.daddr.a4 = htonl(0x0a000002), .spi = htonl(spi),
		.family = AF_INET, .proto = IPPROTO_ESP,
	};

	return id;
}

static struct nfsec_sa_config sa_cfg(u32 spi, u8 dir)
{
	struct nfsec_sa_config cfg = {
		.id = sa_id(spi), .dir = dir, .mode = NFSEC_MODE_TUNNEL, .reqid = 7,
		.replay_window = 64,
	};

	return cfg;
}

static void sa_algorithms(struct kunit *test)
{
	const struct alg_case *c = test->param_value;
	struct nfsec_sa_alg alg = {
		.aead = c->aead, .enc = c->enc, .auth = c->auth,
		.key = key64, .key_len = c->key_len,
		.auth_key = key64, .auth_key_len = c->auth_key_len, .icv_len = c->icv_len,
	};
	struct nfsec_sa_config cfg = sa_cfg(0x100, NFSEC_SA_DIR_IN);
	struct netlink_ext_ack extack = {};
	struct nfsec_sa *sa = nfsec_sa_new(&cfg, &alg, &extack);
	const char *aead, *auth;

	if (c->error) {
		KUNIT_ASSERT_TRUE(test, IS_ERR(sa));
		KUNIT_EXPECT_EQ(test, PTR_ERR(sa), c->error);
		KUNIT_EXPECT_STREQ(test, extack._msg, c->extack);
		return;
	}
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sa);
	KUNIT_EXPECT_NULL(test, extack._msg);
	KUNIT_EXPECT_EQ(test, crypto_aead_authsize(sa->aead), c->icv_len ?: c->icv_made);
	KUNIT_EXPECT_EQ(test, sa->icv_len, c->icv_len ?: c->icv_made);
	/* The names are the tables', not the caller's (whose buffer goes with the request). */
	aead = nfsec_sa_alg_name(sa, NFSEC_SA_ALG_AEAD);
	auth = nfsec_sa_alg_name(sa, NFSEC_SA_ALG_AUTH);
	KUNIT_EXPECT_STREQ(test, aead ?: "", c->aead ?: "");
	KUNIT_EXPECT_PTR_NE(test, aead ?: "", c->aead ?: "-");
	KUNIT_EXPECT_STREQ(test, auth ?: "", c->auth ?: "");
	/* ESP's IV: 8 bytes for GCM and ChaCha20-Poly1305, the block for CBC, none for null. */
	KUNIT_EXPECT_EQ(test, sa->iv_len, c->aead ? 8U : c->key_len ? 16U : 0U);
	nfsec_sa_put(sa);
}

struct sad_fixture {
	struct mutex lock;	/* stands in for the namespace's writer lock */
	struct nfsec_sad sad;
};

static struct nfsec_sa *new_gcm_sa_dir(struct kunit *test, u32 spi, u8 dir)
{
	struct nfsec_sa_alg alg = {
		.aead = "rfc4106(gcm(aes))", .key = key64, .key_len = 20, .icv_len = 16,
	};
	struct nfsec_sa_config cfg = sa_cfg(spi, dir);
	struct nfsec_sa *sa = nfsec_sa_new(&cfg, &alg, NULL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sa);
	return sa;
}

static struct nfsec_sa *new_gcm_sa(struct kunit *test, u32 spi)
{
	return new_gcm_sa_dir(test, spi, NFSEC_SA_DIR_IN);
}

static struct nfsec_sa *lookup(struct sad_fixture *f, u32 spi)
{
	struct nfsec_sa_id id = sa_id(spi);
	struct nfsec_sa *sa;

	rcu_read_lock();
	sa = nfsec_sa_lookup(&f->sad, &id);
	rcu_read_unlock();
	return sa;
}

static void sad_insert_lookup_remove(struct kunit *test)
{
	struct sad_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	struct nfsec_sa *a, *b, *dup, *got;

	KUNIT_ASSERT_NOT_NULL(test, f);
	mutex_init(&f->lock);
	KUNIT_ASSERT_EQ(test, nfsec_sad_init(&f->sad, &f->lock), 0);
	a = new_gcm_sa(test, 0x1000);
	b = new_gcm_sa(test, 0x2000);
	dup = new_gcm_sa(test, 0x1000);

	mutex_lock(&f->lock);
	KUNIT_EXPECT_EQ(test, nfsec_sa_insert(&f->sad, a), 0);
	KUNIT_EXPECT_EQ(test, nfsec_sa_insert(&f->sad, b), 0);
	KUNIT_EXPECT_EQ(test, nfsec_sa_insert(&f->sad, dup), -EEXIST);
	mutex_unlock(&f->lock);
	nfsec_sa_put(dup);
	KUNIT_EXPECT_EQ(test, f->sad.count, 2U);

	got = lookup(f, 0x1000);
	KUNIT_EXPECT_PTR_EQ(test, got, a);
	KUNIT_EXPECT_EQ(test, refcount_read(&a->refcnt), 2U);
	KUNIT_EXPECT_NULL(test, lookup(f, 0x3000));

	/* Removed while we hold a reference: gone from the SAD, alive for us. */
	mutex_lock(&f->lock);
	nfsec_sa_remove(&f->sad, a);
	mutex_unlock(&f->lock);
	KUNIT_EXPECT_NULL(test, lookup(f, 0x1000));
	KUNIT_EXPECT_EQ(test, refcount_read(&got->refcnt), 1U);
	nfsec_sa_put(got);
	got = lookup(f, 0x2000);
	KUNIT_EXPECT_PTR_EQ(test, got, b);
	if (got)
		nfsec_sa_put(got);

	nfsec_sad_destroy(&f->sad);
	KUNIT_EXPECT_EQ(test, f->sad.count, 0U);
	mutex_destroy(&f->lock);
}

static struct nfsec_sa *lookup_out(struct sad_fixture *f, u32 reqid)
{
	struct nfsec_sa_okey key = {
		.daddr.a4 = htonl(0x0a000002), .reqid = reqid, .family = AF_INET,
		.mode = NFSEC_MODE_TUNNEL,
	};
	struct nfsec_sa *sa;

	rcu_read_lock();
	sa = nfsec_sa_lookup_out(&f->sad, &key);
	rcu_read_unlock();
	return sa;
}

/* Outbound SAs by template: the newest live one wins, so a rekey takes over at once. */
static void sad_outbound_newest(struct kunit *test)
{
	struct sad_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	struct nfsec_sa *old, *new, *in, *got;

	KUNIT_ASSERT_NOT_NULL(test, f);
	mutex_init(&f->lock);
	KUNIT_ASSERT_EQ(test, nfsec_sad_init(&f->sad, &f->lock), 0);
	old = new_gcm_sa_dir(test, 0x1000, NFSEC_SA_DIR_OUT);
	new = new_gcm_sa_dir(test, 0x1001, NFSEC_SA_DIR_OUT);
	in = new_gcm_sa_dir(test, 0x1002, NFSEC_SA_DIR_IN);

	mutex_lock(&f->lock);
	KUNIT_EXPECT_EQ(test, nfsec_sa_insert(&f->sad, old), 0);
	KUNIT_EXPECT_EQ(test, nfsec_sa_insert(&f->sad, in), 0);
	mutex_unlock(&f->lock);
	got = lookup_out(f, 7);
	KUNIT_EXPECT_PTR_EQ(test, got, old);
	if (got)
		nfsec_sa_put(got);
	KUNIT_EXPECT_NULL(test, lookup_out(f, 8));

	mutex_lock(&f->lock);
	KUNIT_EXPECT_EQ(test, nfsec_sa_insert(&f->sad, new), 0);
	mutex_unlock(&f->lock);
	got = lookup_out(f, 7);
	KUNIT_EXPECT_PTR_EQ(test, got, new);
	if (got)
		nfsec_sa_put(got);

	/* A dead SA (hard limit reached) is passed over. */
	set_bit(NFSEC_SA_DEAD, &new->flags);
	got = lookup_out(f, 7);
	KUNIT_EXPECT_PTR_EQ(test, got, old);
	if (got)
		nfsec_sa_put(got);

	mutex_lock(&f->lock);
	nfsec_sa_remove(&f->sad, old);
	mutex_unlock(&f->lock);
	KUNIT_EXPECT_NULL(test, lookup_out(f, 7));
	nfsec_sad_destroy(&f->sad);
	mutex_destroy(&f->lock);
}

static struct kunit_case sad_cases[] = {
	KUNIT_CASE(sad_outbound_newest),
	KUNIT_CASE_PARAM(sa_algorithms, alg_gen_params),
	KUNIT_CASE(sad_insert_lookup_remove),
	{}
};

static struct kunit_suite sad_suite = {
	.name = "nfsec_sad",
	.test_cases = sad_cases,
};

kunit_test_suite(sad_suite);
