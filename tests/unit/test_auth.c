// SPDX-License-Identifier: GPL-2.0
/*
 * iked/auth.c: RSA-signature authentication for IKEv1 phase 1. The group setup makes a
 * small PKI with the OpenSSL API (RSA-2048 throughout) in a temporary directory:
 *
 *   CA "C=CH, O=nfsec, CN=nfsec CA"        (ca.pem; other CA in ca2.pem with it)
 *    +- moon  "C=CH, O=nfsec, CN=moon"     SAN moon.nfsec.test, moon@nfsec.test, 192.0.2.1
 *    +- sun   "C=CH, O=nfsec, CN=sun"      SAN sun.nfsec.test
 *    +- old   expired yesterday;  young: valid from tomorrow
 *    +- nosig keyUsage keyEncipherment only
 *    +- wild  "C=CH, O=nfsec, CN=wild.nfsec.test"  SAN *.nfsec.test
 *    +- cnonly "C=CH, O=nfsec, CN=cnonly.nfsec.test"  SAN cnonly@nfsec.test only
 *   rogue CA "C=CH, O=rogue, CN=rogue CA"
 *    +- evil  "C=CH, O=nfsec, CN=evil"
 *   forged: issuer name of our CA, signed with the rogue key
 *
 * moon signs, sun verifies, as the two ends of a main mode would.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "auth.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char moon_dn[] = "C=CH, O=nfsec, CN=moon";
static const char sun_dn[] = "C=CH, O=nfsec, CN=sun";

static char dir[64] = "/tmp/nfsec-test-auth-XXXXXX";

/* Keys and certificates, made once. */
static EVP_PKEY *ca_key, *rogue_key, *moon_key;
static X509 *ca, *moon;
/* DER of the certificates only a peer sends */
static struct {
	uint8_t *der;
	size_t len;
} evil, forged, old, young, nosig, wild, cnonly, small;

/* The two ends: moon signs, sun checks. */
static struct tunnel moon_conf, sun_conf;
static struct auth_creds *moon_creds, *sun_creds;

/* --- Making the PKI ----------------------------------------------------------------- */

static char *path(const char *name)
{
	static char buf[8][128];
	static unsigned int next;
	char *p = buf[next++ % ARRAY_SIZE(buf)];

	snprintf(p, sizeof(buf[0]), "%s/%s", dir, name);
	return p;
}

static X509_NAME *name_make(const char *o, const char *cn)
{
	X509_NAME *name = X509_NAME_new();

	assert_non_null(name);
	assert_true(X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC,
					       (const unsigned char *)"CH", -1, -1, 0));
	assert_true(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
					       (const unsigned char *)o, -1, -1, 0));
	assert_true(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					       (const unsigned char *)cn, -1, -1, 0));
	return name;
}

static void ext_add(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(ext);
	assert_true(X509_add_ext(x, ext, -1));
	X509_EXTENSION_free(ext);
}

struct cert_spec {
	const char *o, *cn;
	EVP_PKEY *key;
	X509 *issuer;			/* NULL: self-signed */
	const char *issuer_o, *issuer_cn;	/* instead of issuer's subject (forged) */
	EVP_PKEY *issuer_key;
	long from_days, to_days;	/* validity, relative to now */
	const char *san, *usage;
	bool is_ca;
};

static X509 *cert_make(const struct cert_spec *s)
{
	static long serial = 1;
	X509 *x = X509_new();
	X509_NAME *subject = name_make(s->o, s->cn), *issuer;

	assert_non_null(x);
	assert_true(X509_set_version(x, X509_VERSION_3));
	assert_true(ASN1_INTEGER_set(X509_get_serialNumber(x), serial++));
	assert_true(X509_set_subject_name(x, subject));
	if (s->issuer_o)
		issuer = name_make(s->issuer_o, s->issuer_cn);
	else
		issuer = X509_NAME_dup(s->issuer ? X509_get_subject_name(s->issuer) : subject);
	assert_true(X509_set_issuer_name(x, issuer));
	X509_NAME_free(subject);
	X509_NAME_free(issuer);
	assert_non_null(X509_time_adj_ex(X509_getm_notBefore(x), (int)s->from_days, 0, NULL));
	assert_non_null(X509_time_adj_ex(X509_getm_notAfter(x), (int)s->to_days, 0, NULL));
	assert_true(X509_set_pubkey(x, s->key));
	ext_add(x, s->issuer ? s->issuer : x, NID_subject_key_identifier, "hash");
	if (s->is_ca) {
		ext_add(x, x, NID_basic_constraints, "critical,CA:TRUE");
		ext_add(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else {
		ext_add(x, x, NID_key_usage, s->usage ? s->usage : "critical,digitalSignature");
	}
	if (s->san)
		ext_add(x, x, NID_subject_alt_name, s->san);
	assert_true(X509_sign(x, s->issuer_key ? s->issuer_key : s->key, EVP_sha256()) > 0);
	return x;
}

static X509 *leaf_make(const char *cn, EVP_PKEY *key, const char *san)
{
	struct cert_spec s = {
		.o = "nfsec", .cn = cn, .key = key, .issuer = ca, .issuer_key = ca_key,
		.from_days = -1, .to_days = 365, .san = san,
	};

	return cert_make(&s);
}

static EVP_PKEY *rsa_make(void)
{
	EVP_PKEY *key = EVP_RSA_gen(2048);

	assert_non_null(key);
	return key;
}

static void keep_der(X509 *x, uint8_t **der, size_t *len)
{
	int n = i2d_X509(x, der);

	assert_true(n > 0);
	*len = (size_t)n;
}

static void pem_write_certs(const char *name, X509 *const *certs, size_t n)
{
	BIO *bio = BIO_new_file(path(name), "w");

	assert_non_null(bio);
	for (size_t i = 0; i < n; i++)
		assert_true(PEM_write_bio_X509(bio, certs[i]));
	BIO_free(bio);
}

static void pem_write_cert(const char *name, X509 *x)
{
	pem_write_certs(name, &x, 1);
}

static void pem_write_key(const char *name, EVP_PKEY *key)
{
	BIO *bio = BIO_new_file(path(name), "w");

	assert_non_null(bio);
	assert_true(PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL));
	BIO_free(bio);
	assert_int_equal(chmod(path(name), 0600), 0);	/* keys are refused otherwise */
}

static void text_write(const char *name, const char *text)
{
	FILE *f = fopen(path(name), "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void id_set(struct tunnel_id *id, uint8_t type, const void *data, size_t len)
{
	memset(id, 0, sizeof(*id));
	id->type = type;
	id->len = (uint16_t)len;
	memcpy(id->data, data, len);
}

static void id_dn(struct tunnel_id *id, const char *text)
{
	id_set(id, TUNNEL_ID_DER_ASN1_DN, text, strlen(text));
}

static void conf_init(struct tunnel *t, const char *cert, const char *key, const char *ca_file)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "test");
	t->auth = TUNNEL_AUTH_CERT;
	snprintf(t->cert, sizeof(t->cert), "%s", path(cert));
	snprintf(t->key, sizeof(t->key), "%s", path(key));
	snprintf(t->ca, sizeof(t->ca), "%s", path(ca_file));
}

static struct auth_creds *creds_load(const struct tunnel *t)
{
	char err[512];
	struct auth_creds *c = auth_creds_load(t, err, sizeof(err));

	if (!c)
		fail_msg("auth_creds_load: %s", err);
	assert_string_equal(err, "");
	return c;
}

static void pki_peers(void)
{
	struct cert_spec s = {
		.o = "rogue", .cn = "rogue CA", .key = rogue_key, .from_days = -1,
		.to_days = 3650, .is_ca = true,
	};
	EVP_PKEY *key = rsa_make();
	X509 *rogue = cert_make(&s), *x;

	s = (struct cert_spec){ .o = "nfsec", .cn = "evil", .key = key, .issuer = rogue,
				.issuer_key = rogue_key, .from_days = -1, .to_days = 365 };
	x = cert_make(&s);
	keep_der(x, &evil.der, &evil.len);
	X509_free(x);
	s.issuer = NULL;
	s.issuer_o = "nfsec";
	s.issuer_cn = "nfsec CA";
	s.cn = "forged";
	x = cert_make(&s);
	keep_der(x, &forged.der, &forged.len);
	X509_free(x);
	s = (struct cert_spec){ .o = "nfsec", .cn = "old", .key = key, .issuer = ca,
				.issuer_key = ca_key, .from_days = -30, .to_days = -1 };
	x = cert_make(&s);
	keep_der(x, &old.der, &old.len);
	pem_write_cert("old.pem", x);
	pem_write_key("old.key", key);
	X509_free(x);
	s.cn = "young";
	s.from_days = 1;
	s.to_days = 30;
	x = cert_make(&s);
	keep_der(x, &young.der, &young.len);
	X509_free(x);
	s.cn = "nosig";
	s.from_days = -1;
	s.usage = "critical,keyEncipherment";
	x = cert_make(&s);
	keep_der(x, &nosig.der, &nosig.len);
	X509_free(x);
	s.cn = "wild.nfsec.test";
	s.usage = NULL;
	s.san = "DNS:*.nfsec.test";
	x = cert_make(&s);
	keep_der(x, &wild.der, &wild.len);
	X509_free(x);
	s.cn = "cnonly.nfsec.test";
	s.san = "email:cnonly@nfsec.test";
	x = cert_make(&s);
	keep_der(x, &cnonly.der, &cnonly.len);
	X509_free(x);
	X509_free(rogue);
	EVP_PKEY_free(key);
}

static void pki_odd_files(void)
{
	struct cert_spec s = {
		.o = "nfsec", .cn = "other CA", .key = rogue_key, .from_days = -1,
		.to_days = 3650, .is_ca = true,
	};
	X509 *other = cert_make(&s), *both[2] = { ca, other }, *x;
	EVP_PKEY *ec = EVP_EC_gen("P-256");
	BIO *bio;

	pem_write_certs("ca2.pem", both, 2);
	X509_free(other);
	text_write("garbage.pem", "this is not PEM\n");
	assert_int_equal(chmod(path("garbage.pem"), 0600), 0);	/* read as a key too */
	/* a second certificate that is PEM but not a certificate inside */
	pem_write_cert("broken.pem", ca);
	bio = BIO_new_file(path("broken.pem"), "a");
	assert_non_null(bio);
	BIO_puts(bio, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
	BIO_free(bio);
	assert_non_null(ec);
	x = leaf_make("ec", ec, "DNS:ec.nfsec.test");
	pem_write_cert("ec.pem", x);
	pem_write_key("ec.key", ec);
	X509_free(x);
	EVP_PKEY_free(ec);
	bio = BIO_new_file(path("moon-enc.key"), "w");
	assert_non_null(bio);
	assert_true(PEM_write_bio_PKCS8PrivateKey(bio, moon_key, EVP_aes_128_cbc(), "secret", 6,
						  NULL, NULL));
	BIO_free(bio);
	assert_int_equal(chmod(path("moon-enc.key"), 0600), 0);
	/* moon's key as others can read it, and an RSA key of 1024 bits */
	pem_write_key("moon-open.key", moon_key);
	assert_int_equal(chmod(path("moon-open.key"), 0644), 0);
	{
		EVP_PKEY *key = EVP_RSA_gen(1024);

		assert_non_null(key);
		x = leaf_make("small", key, "DNS:small.nfsec.test");
		keep_der(x, &small.der, &small.len);
		pem_write_cert("small.pem", x);
		pem_write_key("small.key", key);
		X509_free(x);
		EVP_PKEY_free(key);
	}
}

static int group_setup(void **state)
{
	struct cert_spec s = {
		.o = "nfsec", .cn = "nfsec CA", .from_days = -1, .to_days = 3650, .is_ca = true,
	};
	EVP_PKEY *sun_key;
	X509 *sun;

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	ca_key = rsa_make();
	rogue_key = rsa_make();
	moon_key = rsa_make();
	sun_key = rsa_make();
	s.key = ca_key;
	ca = cert_make(&s);
	moon = leaf_make("moon", moon_key,
			 "DNS:moon.nfsec.test, email:moon@nfsec.test, IP:192.0.2.1");
	sun = leaf_make("sun", sun_key, "DNS:sun.nfsec.test");
	pem_write_cert("ca.pem", ca);
	pem_write_cert("moon.pem", moon);
	pem_write_key("moon.key", moon_key);
	pem_write_cert("sun.pem", sun);
	pem_write_key("sun.key", sun_key);
	X509_free(sun);
	EVP_PKEY_free(sun_key);
	pki_peers();
	pki_odd_files();

	conf_init(&moon_conf, "moon.pem", "moon.key", "ca.pem");
	id_dn(&moon_conf.remote_id, sun_dn);
	conf_init(&sun_conf, "sun.pem", "sun.key", "ca.pem");
	id_dn(&sun_conf.remote_id, moon_dn);
	moon_creds = creds_load(&moon_conf);
	sun_creds = creds_load(&sun_conf);
	return 0;
}

static int group_teardown(void **state)
{
	static const char *const files[] = {
		"ca.pem", "ca2.pem", "moon.pem", "moon.key", "sun.pem", "sun.key", "old.pem",
		"old.key", "garbage.pem", "broken.pem", "ec.pem", "ec.key", "moon-enc.key",
		"moon-open.key", "small.pem", "small.key",
	};

	(void)state;
	auth_creds_free(moon_creds);
	auth_creds_free(sun_creds);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(rogue_key);
	EVP_PKEY_free(moon_key);
	X509_free(ca);
	X509_free(moon);
	OPENSSL_free(evil.der);
	OPENSSL_free(forged.der);
	OPENSSL_free(old.der);
	OPENSSL_free(young.der);
	OPENSSL_free(nosig.der);
	OPENSSL_free(wild.der);
	OPENSSL_free(cnonly.der);
	OPENSSL_free(small.der);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		unlink(path(files[i]));
	rmdir(dir);
	return 0;
}

/* --- Helpers for the checks ---------------------------------------------------------- */

static const uint8_t hash32[32] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d,
	0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b,
	0x1c, 0x1d, 0x1e, 0x1f,
};

static size_t moon_sign(const uint8_t *hash, size_t hash_len, uint8_t *sig)
{
	size_t len = AUTH_SIG_MAX;

	assert_int_equal(auth_sign(moon_creds, hash, hash_len, sig, &len), 0);
	assert_int_equal(len, 256);
	return len;
}

static struct isakmp_id moon_id(void)
{
	struct isakmp_id id = { 0 };

	auth_our_id(moon_creds, &id.type, &id.data, &id.len);
	return id;
}

/* sun checks a message of moon's: moon's certificate unless der is given. */
static int sun_verify(const uint8_t *der, size_t der_len, const struct isakmp_id *id,
		      const struct tunnel_id *expected, const uint8_t *hash,
		      const uint8_t *sig, size_t sig_len, char *why, size_t len)
{
	if (!der)
		auth_our_cert_der(moon_creds, &der, &der_len);
	return auth_verify(sun_creds, der, der_len, id, expected ? expected : &sun_conf.remote_id,
			   hash, sizeof(hash32), sig, sig_len, why, len);
}

/* A certificate of one of the peers above, signed over hash32 with a key we do not
 * have: the chain checks come before the signature, so the signature does not matter. */
static void assert_cert_refused(const uint8_t *der, size_t len, const char *dn,
				const char *want)
{
	uint8_t sig[AUTH_SIG_MAX], id_der[256];
	size_t id_len = sizeof(id_der), sig_len = moon_sign(hash32, sizeof(hash32), sig);
	char err[128], why[512];
	struct isakmp_id id = { .type = ISAKMP_ID_DER_ASN1_DN };
	struct tunnel_id any = { 0 };

	assert_int_equal(auth_dn_from_text(dn, id_der, &id_len, err, sizeof(err)), 0);
	id.data = id_der;
	id.len = id_len;
	assert_int_equal(sun_verify(der, len, &id, &any, hash32, sig, sig_len, why, sizeof(why)),
			 -EACCES);
	if (!strstr(why, want))
		fail_msg("why \"%s\" does not say \"%s\"", why, want);
}

static void assert_load_fails(const struct tunnel *t, const char *want1, const char *want2)
{
	char err[512];
	struct auth_creds *c = auth_creds_load(t, err, sizeof(err));

	if (c) {
		auth_creds_free(c);
		fail_msg("loaded, expected \"%s\"", want1);
	}
	if (!strstr(err, want1) || (want2 && !strstr(err, want2)))
		fail_msg("err \"%s\" does not say \"%s\" and \"%s\"", err, want1,
			 want2 ? want2 : "");
}

/* --- Loading ---------------------------------------------------------------------------- */

static void test_load_good(void **state)
{
	const uint8_t *der, *id;
	uint8_t *want = NULL;
	size_t len, id_len;
	uint8_t type;
	int n;

	(void)state;
	auth_our_cert_der(moon_creds, &der, &len);
	n = i2d_X509(moon, &want);
	assert_int_equal(len, n);
	assert_memory_equal(der, want, len);
	OPENSSL_free(want);
	/* no local-id: the subject, byte for byte */
	auth_our_id(moon_creds, &type, &id, &id_len);
	assert_int_equal(type, ISAKMP_ID_DER_ASN1_DN);
	want = NULL;
	n = i2d_X509_NAME(X509_get_subject_name(moon), &want);
	assert_int_equal(id_len, n);
	assert_memory_equal(id, want, id_len);
	OPENSSL_free(want);
	assert_int_equal(auth_sig_len(moon_creds), 256);
	/* CR payloads: the CA's subject */
	assert_int_equal(auth_ca_dn(moon_creds, 0, &der, &len), 0);
	want = NULL;
	n = i2d_X509_NAME(X509_get_subject_name(ca), &want);
	assert_int_equal(len, n);
	assert_memory_equal(der, want, len);
	OPENSSL_free(want);
	assert_int_equal(auth_ca_dn(moon_creds, 1, &der, &len), -ENOENT);
}

static void test_load_ca_file_of_two(void **state)
{
	struct tunnel t = moon_conf;
	struct auth_creds *c;
	const uint8_t *der;
	char text[256];
	size_t len;

	(void)state;
	snprintf(t.ca, sizeof(t.ca), "%s", path("ca2.pem"));
	c = creds_load(&t);
	assert_int_equal(auth_ca_dn(c, 0, &der, &len), 0);
	assert_true(auth_dn_to_text(der, len, text, sizeof(text)) > 0);
	assert_string_equal(text, "C=CH, O=nfsec, CN=nfsec CA");
	assert_int_equal(auth_ca_dn(c, 1, &der, &len), 0);
	assert_true(auth_dn_to_text(der, len, text, sizeof(text)) > 0);
	assert_string_equal(text, "C=CH, O=nfsec, CN=other CA");
	assert_int_equal(auth_ca_dn(c, 2, &der, &len), -ENOENT);
	auth_creds_free(c);
}

/*
 * What a reload compares: the same files read again are the same; another ca file, or
 * another certificate, is not.
 */
static void test_creds_same(void **state)
{
	struct tunnel t = moon_conf;
	struct auth_creds *again = creds_load(&moon_conf), *other_ca;

	(void)state;
	assert_true(auth_creds_same(moon_creds, again));
	assert_true(auth_creds_same(NULL, NULL));
	assert_false(auth_creds_same(moon_creds, NULL));
	assert_false(auth_creds_same(moon_creds, sun_creds));
	snprintf(t.ca, sizeof(t.ca), "%s", path("ca2.pem"));
	other_ca = creds_load(&t);
	assert_false(auth_creds_same(moon_creds, other_ca));
	auth_creds_free(other_ca);
	auth_creds_free(again);
}

static void test_load_wrong_key(void **state)
{
	struct tunnel t = moon_conf;

	(void)state;
	snprintf(t.key, sizeof(t.key), "%s", path("sun.key"));
	assert_load_fails(&t, "does not match cert", path("sun.key"));
}

static void test_load_missing_file(void **state)
{
	struct tunnel t = moon_conf;

	(void)state;
	snprintf(t.cert, sizeof(t.cert), "%s", path("nothere.pem"));
	assert_load_fails(&t, "No such file or directory", "cert /tmp/nfsec-test-auth-");
	t = moon_conf;
	snprintf(t.ca, sizeof(t.ca), "%s", path("nothere.pem"));
	assert_load_fails(&t, "ca /tmp/", "No such file or directory");
}

static void test_load_not_pem(void **state)
{
	struct tunnel t = moon_conf;

	(void)state;
	snprintf(t.cert, sizeof(t.cert), "%s", path("garbage.pem"));
	assert_load_fails(&t, "not a PEM certificate", path("garbage.pem"));
	t = moon_conf;
	snprintf(t.key, sizeof(t.key), "%s", path("garbage.pem"));
	assert_load_fails(&t, "not a PEM private key", "key /tmp/");
	t = moon_conf;
	snprintf(t.key, sizeof(t.key), "%s", path("moon.pem"));	/* a cert, no key */
	assert_int_equal(chmod(path("moon.pem"), 0600), 0);	/* as a key file would be */
	assert_load_fails(&t, "not a PEM private key", NULL);
	t = moon_conf;
	snprintf(t.ca, sizeof(t.ca), "%s", path("garbage.pem"));
	assert_load_fails(&t, "no PEM certificate", "ca /tmp/");
	t = moon_conf;
	snprintf(t.ca, sizeof(t.ca), "%s", path("broken.pem"));
	assert_load_fails(&t, "certificate 2 is not a valid PEM certificate", NULL);
	t = moon_conf;
	snprintf(t.ca, sizeof(t.ca), "%s", dir);
	assert_load_fails(&t, "not a regular file", NULL);
}

static void test_load_refused_keys(void **state)
{
	struct tunnel t = moon_conf;

	(void)state;
	snprintf(t.key, sizeof(t.key), "%s", path("moon-enc.key"));
	assert_load_fails(&t, "encrypted keys are not supported", NULL);
	conf_init(&t, "ec.pem", "ec.key", "ca.pem");
	assert_load_fails(&t, "an EC key; IKEv1 RSA signatures need an RSA key", NULL);
	t = moon_conf;
	t.auth = TUNNEL_AUTH_PSK;
	assert_load_fails(&t, "does not use \"auth cert\"", NULL);
}

/* A private key others can read, and one too short: refused, the file named. */
static void test_load_key_hardening(void **state)
{
	struct tunnel t = moon_conf;

	(void)state;
	snprintf(t.key, sizeof(t.key), "%s", path("moon-open.key"));
	assert_load_fails(&t, "readable by group or others (mode 0644): chmod 600 it",
			  path("moon-open.key"));
	conf_init(&t, "small.pem", "small.key", "ca.pem");
	assert_load_fails(&t, "RSA of 1024 bits, fewer than the 2048 we accept",
			  path("small.key"));
	/* the peer's too: a certificate our CA signed, of a 1024-bit key */
	assert_cert_refused(small.der, small.len, "C=CH, O=nfsec, CN=small",
			    "RSA of 1024 bits, fewer than the 2048 we accept");
}

static void test_load_expired_warns(void **state)
{
	struct tunnel t;
	struct auth_creds *c;
	char err[512];

	(void)state;
	conf_init(&t, "old.pem", "old.key", "ca.pem");
	c = auth_creds_load(&t, err, sizeof(err));
	assert_non_null(c);
	if (!strstr(err, "expired on ") || !strstr(err, "old.pem"))
		fail_msg("no warning: \"%s\"", err);
	auth_creds_free(c);
}

static void assert_local_id(uint8_t type, const void *data, size_t len)
{
	struct tunnel t = moon_conf;
	struct auth_creds *c;
	const uint8_t *id;
	size_t id_len;
	uint8_t id_type;

	id_set(&t.local_id, type, data, len);
	c = creds_load(&t);
	auth_our_id(c, &id_type, &id, &id_len);
	assert_int_equal(id_type, type);
	assert_int_equal(id_len, len);
	assert_memory_equal(id, data, len);
	auth_creds_free(c);
}

static void test_load_local_id(void **state)
{
	static const uint8_t ip[4] = { 192, 0, 2, 1 }, other_ip[4] = { 192, 0, 2, 2 };
	struct tunnel t = moon_conf;
	struct auth_creds *c;
	const uint8_t *id, *subject;
	size_t id_len, subject_len;
	uint8_t type;

	(void)state;
	assert_local_id(TUNNEL_ID_FQDN, "moon.nfsec.test", 15);
	assert_local_id(TUNNEL_ID_USER_FQDN, "moon@nfsec.test", 15);
	assert_local_id(TUNNEL_ID_IPV4_ADDR, ip, 4);
	/* a DN as text: sent as the certificate encodes it, however it was written */
	auth_our_id(moon_creds, &type, &subject, &subject_len);
	id_dn(&t.local_id, "c=ch,o=NFSEC,  cn = moon");
	c = creds_load(&t);
	auth_our_id(c, &type, &id, &id_len);
	assert_int_equal(type, ISAKMP_ID_DER_ASN1_DN);
	assert_int_equal(id_len, subject_len);
	assert_memory_equal(id, subject, id_len);
	auth_creds_free(c);

	id_dn(&t.local_id, sun_dn);
	assert_load_fails(&t, "is not the subject of cert", "(C=CH, O=nfsec, CN=moon)");
	id_dn(&t.local_id, "C=CH, CN");
	assert_load_fails(&t, "local-id \"C=CH, CN\": \"CN\" in the DN has no '='", NULL);
	id_set(&t.local_id, TUNNEL_ID_FQDN, "sun.nfsec.test", 14);
	assert_load_fails(&t, "local-id sun.nfsec.test is not in cert",
			  "\"C=CH, O=nfsec, CN=moon\"");
	id_set(&t.local_id, TUNNEL_ID_IPV4_ADDR, other_ip, 4);
	assert_load_fails(&t, "local-id 192.0.2.2 is not in cert", NULL);
	/* the CN is no DNS name */
	id_set(&t.local_id, TUNNEL_ID_FQDN, "moon", 4);
	assert_load_fails(&t, "local-id moon is not in cert", NULL);
	t = moon_conf;
	id_dn(&t.remote_id, "C=CH, XX=sun");
	assert_load_fails(&t, "remote-id \"C=CH, XX=sun\": unknown key \"XX\"", NULL);
}

/* --- Signatures ---------------------------------------------------------------------- */

static void test_sign_verify(void **state)
{
	static const size_t lens[] = { 20, 32, 48, 64 };	/* SHA-1 .. SHA2-512 */
	uint8_t hash[64], sig[AUTH_SIG_MAX];
	struct isakmp_id id = moon_id();
	const uint8_t *der;
	size_t der_len, sig_len;
	char why[512];

	(void)state;
	auth_our_cert_der(moon_creds, &der, &der_len);
	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		for (size_t j = 0; j < lens[i]; j++)
			hash[j] = (uint8_t)(i * 64 + j);
		sig_len = moon_sign(hash, lens[i], sig);
		assert_int_equal(auth_verify(sun_creds, der, der_len, &id, &sun_conf.remote_id,
					     hash, lens[i], sig, sig_len, why, sizeof(why)), 0);
		assert_string_equal(why, "");
		/* the same signature over a hash one byte shorter */
		assert_int_equal(auth_verify(sun_creds, der, der_len, &id, &sun_conf.remote_id,
					     hash, lens[i] - 1, sig, sig_len, why, sizeof(why)),
				 -EACCES);
	}
}

static void test_sig_flipped_bit(void **state)
{
	uint8_t sig[AUTH_SIG_MAX];
	size_t len = moon_sign(hash32, sizeof(hash32), sig);
	struct isakmp_id id = moon_id();
	char why[512];

	(void)state;
	for (size_t bit = 0; bit < len * 8; bit += 509) {
		sig[bit / 8] ^= 1 << (bit % 8);
		assert_int_equal(sun_verify(NULL, 0, &id, NULL, hash32, sig, len, why, sizeof(why)),
				 -EACCES);
		assert_string_equal(why, "the signature does not verify");
		sig[bit / 8] ^= 1 << (bit % 8);
	}
	assert_int_equal(sun_verify(NULL, 0, &id, NULL, hash32, sig, len, why, sizeof(why)), 0);
	/* cut short, or a byte more that is not a leading zero */
	assert_int_equal(sun_verify(NULL, 0, &id, NULL, hash32, sig, len - 1, why, sizeof(why)),
			 -EACCES);
	sig[len] = 0;
	assert_int_equal(sun_verify(NULL, 0, &id, NULL, hash32, sig, len + 1, why, sizeof(why)),
			 -EACCES);
}

static void test_sig_leading_zero(void **state)
{
	uint8_t sig[AUTH_SIG_MAX + 1];
	size_t len;
	struct isakmp_id id = moon_id();
	char why[512];

	(void)state;
	/* one zero byte in front, as strongSwan accepts it */
	sig[0] = 0;
	len = moon_sign(hash32, sizeof(hash32), sig + 1);
	assert_int_equal(sun_verify(NULL, 0, &id, NULL, hash32, sig, len + 1, why, sizeof(why)),
			 0);
}

static void test_sig_wrong_hash(void **state)
{
	uint8_t sig[AUTH_SIG_MAX], other[32];
	size_t len = moon_sign(hash32, sizeof(hash32), sig);
	struct isakmp_id id = moon_id();
	char why[512];

	(void)state;
	memcpy(other, hash32, sizeof(other));
	other[31] ^= 0x80;
	assert_int_equal(sun_verify(NULL, 0, &id, NULL, other, sig, len, why, sizeof(why)),
			 -EACCES);
	assert_string_equal(why, "the signature does not verify");
}

/*
 * The scheme, pinned: RFC 2409 5.1's PKCS#1 type 1 padding of the hash itself. Raw RSA
 * with the public key gives 00 01 FF..FF 00 HASH, no DigestInfo; a PKCS#1 v1.5 signature
 * with SHA-256's DigestInfo (what EVP_PKEY_sign() makes with an md) is refused.
 */
static void test_sig_scheme(void **state)
{
	uint8_t sig[AUTH_SIG_MAX], em[AUTH_SIG_MAX];
	size_t len = moon_sign(hash32, sizeof(hash32), sig), em_len = sizeof(em), pad;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, moon_key, NULL);
	struct isakmp_id id = moon_id();
	char why[512];

	(void)state;
	assert_non_null(ctx);
	assert_int_equal(EVP_PKEY_verify_recover_init(ctx), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), 1);
	assert_int_equal(EVP_PKEY_verify_recover(ctx, em, &em_len, sig, len), 1);
	assert_int_equal(em_len, sizeof(hash32));
	assert_memory_equal(em, hash32, sizeof(hash32));

	em_len = sizeof(em);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING), 1);
	assert_int_equal(EVP_PKEY_verify_recover(ctx, em, &em_len, sig, len), 1);
	assert_int_equal(em_len, 256);
	pad = em_len - sizeof(hash32) - 3;
	assert_int_equal(em[0], 0x00);
	assert_int_equal(em[1], 0x01);
	for (size_t i = 0; i < pad; i++)
		assert_int_equal(em[2 + i], 0xff);
	assert_int_equal(em[2 + pad], 0x00);
	assert_memory_equal(em + 3 + pad, hash32, sizeof(hash32));

	len = sizeof(sig);
	assert_int_equal(EVP_PKEY_sign_init(ctx), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), 1);
	assert_int_equal(EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()), 1);
	assert_int_equal(EVP_PKEY_sign(ctx, sig, &len, hash32, sizeof(hash32)), 1);
	assert_int_equal(sun_verify(NULL, 0, &id, NULL, hash32, sig, len, why, sizeof(why)),
			 -EACCES);
	EVP_PKEY_CTX_free(ctx);
}

static void test_sign_errors(void **state)
{
	uint8_t sig[AUTH_SIG_MAX], hash[256] = { 0 };
	size_t len = 255;

	(void)state;
	assert_int_equal(auth_sign(moon_creds, hash32, sizeof(hash32), sig, &len), -ENOSPC);
	len = sizeof(sig);
	/* PKCS#1 type 1 needs 11 bytes of the 256 */
	assert_int_equal(auth_sign(moon_creds, hash, 246, sig, &len), -EINVAL);
	assert_int_equal(auth_sign(moon_creds, hash, 0, sig, &len), -EINVAL);
	assert_int_equal(auth_sign(moon_creds, hash, 245, sig, &len), 0);
	assert_int_equal(len, 256);
}

/* --- The peer's certificate ---------------------------------------------------------- */

static void test_cert_rogue_ca(void **state)
{
	(void)state;
	assert_cert_refused(evil.der, evil.len, "C=CH, O=nfsec, CN=evil",
			    "certificate of C=CH, O=nfsec, CN=evil is not signed by our CA "
			    "(issuer C=CH, O=rogue, CN=rogue CA)");
	/* our CA's name, not its signature */
	assert_cert_refused(forged.der, forged.len, "C=CH, O=nfsec, CN=forged",
			    "certificate of C=CH, O=nfsec, CN=forged is not signed by our CA");
}

static void test_cert_expired(void **state)
{
	(void)state;
	assert_cert_refused(old.der, old.len, "C=CH, O=nfsec, CN=old",
			    "certificate of C=CH, O=nfsec, CN=old expired on ");
	assert_cert_refused(young.der, young.len, "C=CH, O=nfsec, CN=young",
			    "certificate of C=CH, O=nfsec, CN=young is not valid before ");
}

static void test_cert_key_usage(void **state)
{
	(void)state;
	assert_cert_refused(nosig.der, nosig.len, "C=CH, O=nfsec, CN=nosig",
			    "its keyUsage allows neither digitalSignature nor nonRepudiation");
}

static void test_cert_malformed(void **state)
{
	uint8_t sig[AUTH_SIG_MAX], der[4096];
	size_t len = moon_sign(hash32, sizeof(hash32), sig), der_len;
	const uint8_t *moon_der;
	struct isakmp_id id = moon_id();
	char why[512];

	(void)state;
	auth_our_cert_der(moon_creds, &moon_der, &der_len);
	assert_true(der_len < sizeof(der));
	memcpy(der, moon_der, der_len);
	/* a byte after it, cut short, empty */
	der[der_len] = 0;
	assert_int_equal(sun_verify(der, der_len + 1, &id, NULL, hash32, sig, len, why,
				    sizeof(why)), -EBADMSG);
	assert_string_equal(why, "the peer's certificate does not parse");
	assert_int_equal(sun_verify(der, der_len - 1, &id, NULL, hash32, sig, len, why,
				    sizeof(why)), -EBADMSG);
	assert_int_equal(sun_verify(der, 0, &id, NULL, hash32, sig, len, why, sizeof(why)),
			 -EBADMSG);
	/* an ID that claims to be a DN and is not */
	id.data = (const uint8_t *)"\x30\x05\x31";
	id.len = 3;
	assert_int_equal(sun_verify(NULL, 0, &id, NULL, hash32, sig, len, why, sizeof(why)),
			 -EBADMSG);
	assert_string_equal(why, "the peer's ID is not a valid DN");
}

/* --- Identities ------------------------------------------------------------------------ */

static void test_id_dn_not_cert(void **state)
{
	uint8_t sig[AUTH_SIG_MAX], dn[256];
	size_t len = moon_sign(hash32, sizeof(hash32), sig), dn_len = sizeof(dn);
	struct isakmp_id id = { .type = ISAKMP_ID_DER_ASN1_DN };
	struct tunnel_id any = { 0 };
	char why[512];

	(void)state;
	assert_int_equal(auth_dn_from_text(sun_dn, dn, &dn_len, why, sizeof(why)), 0);
	id.data = dn;
	id.len = dn_len;
	assert_int_equal(sun_verify(NULL, 0, &id, &any, hash32, sig, len, why, sizeof(why)),
			 -EACCES);
	assert_string_equal(why, "the peer's ID C=CH, O=nfsec, CN=sun is not the subject of "
			    "its certificate (C=CH, O=nfsec, CN=moon)");
}

static void test_id_expected(void **state)
{
	uint8_t sig[AUTH_SIG_MAX];
	size_t len = moon_sign(hash32, sizeof(hash32), sig);
	struct isakmp_id id = moon_id();
	struct tunnel_id want = { 0 };
	char why[512];

	(void)state;
	assert_int_equal(sun_verify(NULL, 0, &id, &want, hash32, sig, len, why, sizeof(why)), 0);
	/* the same DN however written */
	id_dn(&want, "C=ch,O=nfsec,CN=MOON");
	assert_int_equal(sun_verify(NULL, 0, &id, &want, hash32, sig, len, why, sizeof(why)), 0);
	id_dn(&want, sun_dn);
	assert_int_equal(sun_verify(NULL, 0, &id, &want, hash32, sig, len, why, sizeof(why)),
			 -EACCES);
	assert_string_equal(why, "the peer's ID C=CH, O=nfsec, CN=moon (ID_DER_ASN1_DN) is "
			    "not the tunnel's remote-id C=CH, O=nfsec, CN=sun (ID_DER_ASN1_DN)");
	/* a prefix of the DN is not the DN */
	id_dn(&want, "C=CH, O=nfsec");
	assert_int_equal(sun_verify(NULL, 0, &id, &want, hash32, sig, len, why, sizeof(why)),
			 -EACCES);
	/* in the certificate, but not the type the peer sent */
	id_set(&want, TUNNEL_ID_FQDN, "moon.nfsec.test", 15);
	assert_int_equal(sun_verify(NULL, 0, &id, &want, hash32, sig, len, why, sizeof(why)),
			 -EACCES);
	assert_non_null(strstr(why, "remote-id moon.nfsec.test (ID_FQDN)"));
}

static void assert_peer_id(uint8_t type, const void *data, size_t len,
			   const struct tunnel_id *want, int ret, const char *why_want)
{
	uint8_t sig[AUTH_SIG_MAX];
	size_t sig_len = moon_sign(hash32, sizeof(hash32), sig);
	struct isakmp_id id = { .type = type, .data = data, .len = len };
	char why[512];

	assert_int_equal(sun_verify(NULL, 0, &id, want, hash32, sig, sig_len, why, sizeof(why)),
			 ret);
	if (why_want)
		assert_string_equal(why, why_want);
}

static void test_id_san(void **state)
{
	static const uint8_t ip[4] = { 192, 0, 2, 1 }, other_ip[4] = { 192, 0, 2, 9 };
	const ASN1_OCTET_STRING *skid = X509_get0_subject_key_id(moon);
	struct tunnel_id any = { 0 }, want;

	(void)state;
	assert_peer_id(ISAKMP_ID_FQDN, "moon.nfsec.test", 15, &any, 0, "");
	id_set(&want, TUNNEL_ID_FQDN, "MOON.nfsec.test", 15);
	assert_peer_id(ISAKMP_ID_FQDN, "moon.nfsec.test", 15, &want, 0, "");
	id_set(&want, TUNNEL_ID_FQDN, "sun.nfsec.test", 14);
	assert_peer_id(ISAKMP_ID_FQDN, "moon.nfsec.test", 15, &want, -EACCES, NULL);
	assert_peer_id(ISAKMP_ID_FQDN, "sun.nfsec.test", 14, &any, -EACCES,
		       "the peer's ID sun.nfsec.test is not in the subjectAltName of its "
		       "certificate (C=CH, O=nfsec, CN=moon)");
	/* the CN is not a name of the SAN, a suffix neither */
	assert_peer_id(ISAKMP_ID_FQDN, "moon", 4, &any, -EACCES, NULL);
	assert_peer_id(ISAKMP_ID_FQDN, "nfsec.test", 10, &any, -EACCES, NULL);
	assert_peer_id(ISAKMP_ID_USER_FQDN, "moon@nfsec.test", 15, &any, 0, "");
	assert_peer_id(ISAKMP_ID_USER_FQDN, "sun@nfsec.test", 14, &any, -EACCES, NULL);
	assert_peer_id(ISAKMP_ID_IPV4_ADDR, ip, 4, &any, 0, "");
	id_set(&want, TUNNEL_ID_IPV4_ADDR, ip, 4);
	assert_peer_id(ISAKMP_ID_IPV4_ADDR, ip, 4, &want, 0, "");
	assert_peer_id(ISAKMP_ID_IPV4_ADDR, other_ip, 4, &any, -EACCES,
		       "the peer's ID 192.0.2.9 is not in the subjectAltName of its "
		       "certificate (C=CH, O=nfsec, CN=moon)");
	assert_non_null(skid);
	assert_peer_id(ISAKMP_ID_KEY_ID, ASN1_STRING_get0_data(skid),
		       (size_t)ASN1_STRING_length(skid), &any, 0, "");
	assert_peer_id(ISAKMP_ID_KEY_ID, "\x01\x02", 2, &any, -EACCES, NULL);
	assert_peer_id(ISAKMP_ID_IPV4_ADDR_SUBNET, "\xc0\x00\x02\x00\xff\xff\xff\x00", 8, &any,
		       -EACCES, "the peer's ID (ID_IPV4_ADDR_SUBNET, 8 bytes) cannot name a "
		       "certificate");
}

/* An FQDN is a dNSName of the SAN exactly: not matched by a wildcard, never the CN. */
static void test_id_fqdn_exact(void **state)
{
	static const struct {
		const char *fqdn, *cn;
	} cases[] = {
		{ "a.nfsec.test", "wild.nfsec.test" },
		{ "wild.nfsec.test", "wild.nfsec.test" },
		{ "cnonly.nfsec.test", "cnonly.nfsec.test" },
	};
	uint8_t sig[AUTH_SIG_MAX];
	size_t sig_len = moon_sign(hash32, sizeof(hash32), sig);
	struct tunnel_id any = { 0 };
	char why[512], want[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct isakmp_id id = {
			.type = ISAKMP_ID_FQDN, .data = (const uint8_t *)cases[i].fqdn,
			.len = strlen(cases[i].fqdn),
		};
		const uint8_t *der = i == 2 ? cnonly.der : wild.der;
		size_t len = i == 2 ? cnonly.len : wild.len;

		assert_int_equal(sun_verify(der, len, &id, &any, hash32, sig, sig_len, why,
					    sizeof(why)), -EACCES);
		snprintf(want, sizeof(want), "the peer's ID %s is not in the subjectAltName of its "
			 "certificate (C=CH, O=nfsec, CN=%s)", cases[i].fqdn, cases[i].cn);
		assert_string_equal(why, want);
	}
}

/* --- DN text ------------------------------------------------------------------------------ */

static void assert_dn_round_trip(const char *text, const char *want)
{
	uint8_t der[512], der2[512];
	size_t len = sizeof(der), len2 = sizeof(der2);
	char err[256], out[256];

	if (auth_dn_from_text(text, der, &len, err, sizeof(err)))
		fail_msg("\"%s\": %s", text, err);
	assert_int_equal(auth_dn_to_text(der, len, out, sizeof(out)), strlen(want));
	assert_string_equal(out, want);
	assert_int_equal(auth_dn_from_text(out, der2, &len2, err, sizeof(err)), 0);
	assert_int_equal(len2, len);
	assert_memory_equal(der2, der, len);
}

static void test_dn_text(void **state)
{
	uint8_t der[512], *subject = NULL;
	size_t len = sizeof(der);
	char err[256];
	int n;

	(void)state;
	assert_dn_round_trip(moon_dn, moon_dn);
	assert_dn_round_trip(" c = CH ,o=nfsec,CN=moon  ", moon_dn);
	assert_dn_round_trip("C=CH, ST=Zug, L=Zug, O=Foo\\, Inc., OU=IPsec, CN=moon, "
			     "E=moon@nfsec.test",
			     "C=CH, ST=Zug, L=Zug, O=Foo\\, Inc., OU=IPsec, CN=moon, "
			     "emailAddress=moon@nfsec.test");
	assert_dn_round_trip("DC=test, DC=nfsec, UID=moon, serialNumber=42, CN=Zürich",
			     "DC=test, DC=nfsec, UID=moon, serialNumber=42, CN=Zürich");
	/* the text of the test certificate's subject gives the same DER */
	assert_int_equal(auth_dn_from_text(moon_dn, der, &len, err, sizeof(err)), 0);
	n = i2d_X509_NAME(X509_get_subject_name(moon), &subject);
	assert_int_equal(len, n);
	assert_memory_equal(der, subject, len);
	OPENSSL_free(subject);
}

static void assert_dn_refused(const char *text, const char *want)
{
	uint8_t der[512];
	size_t len = sizeof(der);
	char err[256];

	assert_int_equal(auth_dn_from_text(text, der, &len, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, want);
}

static void test_dn_text_errors(void **state)
{
	uint8_t der[16];
	size_t len = sizeof(der);
	char err[256], text[64];

	(void)state;
	assert_dn_refused("", "the DN is empty");
	assert_dn_refused("  ", "the DN is empty");
	assert_dn_refused("CN", "\"CN\" in the DN has no '='");
	assert_dn_refused("CN=moon,", "\"\" in the DN has no '='");
	assert_dn_refused("C=CH, XX=1", "unknown key \"XX\" in the DN (C, ST, L, O, OU, CN, "
			  "emailAddress, DC, serialNumber, UID)");
	assert_dn_refused("C=CHE", "\"CHE\" is not a valid C");
	assert_dn_refused("C=CH, CN= ", "CN has an empty value in the DN");
	assert_int_equal(auth_dn_from_text(moon_dn, der, &len, err, sizeof(err)), -ENOSPC);
	assert_int_equal(auth_dn_to_text((const uint8_t *)"\x30\x03\x02\x01\x01", 5, text,
					 sizeof(text)), -EBADMSG);
	assert_string_equal(text, "(not a DN)");
	len = sizeof(der);
	assert_int_equal(auth_dn_from_text("CN=a", der, &len, err, sizeof(err)), 0);
	assert_int_equal(auth_dn_to_text(der, len, text, 3), -ENOSPC);
	assert_string_equal(text, "CN");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_good),
		cmocka_unit_test(test_load_ca_file_of_two),
		cmocka_unit_test(test_creds_same),
		cmocka_unit_test(test_load_wrong_key),
		cmocka_unit_test(test_load_missing_file),
		cmocka_unit_test(test_load_not_pem),
		cmocka_unit_test(test_load_refused_keys),
		cmocka_unit_test(test_load_key_hardening),
		cmocka_unit_test(test_load_expired_warns),
		cmocka_unit_test(test_load_local_id),
		cmocka_unit_test(test_sign_verify),
		cmocka_unit_test(test_sig_flipped_bit),
		cmocka_unit_test(test_sig_leading_zero),
		cmocka_unit_test(test_sig_wrong_hash),
		cmocka_unit_test(test_sig_scheme),
		cmocka_unit_test(test_sign_errors),
		cmocka_unit_test(test_cert_rogue_ca),
		cmocka_unit_test(test_cert_expired),
		cmocka_unit_test(test_cert_key_usage),
		cmocka_unit_test(test_cert_malformed),
		cmocka_unit_test(test_id_dn_not_cert),
		cmocka_unit_test(test_id_expected),
		cmocka_unit_test(test_id_san),
		cmocka_unit_test(test_id_fqdn_exact),
		cmocka_unit_test(test_dn_text),
		cmocka_unit_test(test_dn_text_errors),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
