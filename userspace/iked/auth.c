// SPDX-License-Identifier: GPL-2.0
/*
 * RSA-signature authentication for IKEv1 phase 1 (RFC 2409 5.1): credentials, our ID,
 * signing, and the check of the peer's certificate, ID and signature. See auth.h.
 *
 * Errors from libcrypto are turned into our own messages and its error queue cleared,
 * so nothing left there confuses the next caller.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "auth.h"
#include "encoding.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum {
	PEM_FILE_MAX = 1 << 20,		/* bytes of a cert, key or ca file */
	PKCS1_PAD_MIN = 11,		/* PKCS#1 type 1 padding: 00 01 FF*8 00 at least */
	TEXT_MAX = 256,			/* a DN or an ID in a message */
};

struct ca_dn {
	uint8_t *der;			/* OPENSSL_malloc'ed by i2d_X509_NAME() */
	size_t len;
};

struct auth_creds {
	X509 *cert;
	EVP_PKEY *key;
	X509_STORE *store;		/* the ca file, every certificate a trust anchor */
	uint8_t *cert_der;		/* OPENSSL_malloc'ed by i2d_X509() */
	size_t cert_len;
	unsigned int nca;
	struct ca_dn *ca_dn;		/* subjects of the ca file's certificates, for CR */
	uint8_t ca_digest[32];		/* SHA-256 of the ca file: auth_creds_same() */
	uint8_t id_type;		/* our ID payload */
	size_t id_len;
	uint8_t id[AUTH_ID_MAX];
};

static void errf(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void errf(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	ERR_clear_error();
	if (!len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/* --- Names and identities as text ------------------------------------------------- */

static const struct {
	const char *key;
	int nid;
} dn_keys[] = {
	{ "C", NID_countryName },
	{ "ST", NID_stateOrProvinceName },
	{ "L", NID_localityName },
	{ "O", NID_organizationName },
	{ "OU", NID_organizationalUnitName },
	{ "CN", NID_commonName },
	{ "emailAddress", NID_pkcs9_emailAddress },
	{ "E", NID_pkcs9_emailAddress },
	{ "DC", NID_domainComponent },
	{ "serialNumber", NID_serialNumber },
	{ "UID", NID_userId },
};

static int dn_key_nid(const char *key, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(dn_keys); i++)
		if (strlen(dn_keys[i].key) == len && !strncasecmp(dn_keys[i].key, key, len))
			return dn_keys[i].nid;
	return NID_undef;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * One "KEY=VALUE" of text at *p, up to the next unescaped comma, added to name; *p moves
 * to that comma or the end. value has room for the whole text.
 */
static int rdn_parse(const char **p, X509_NAME *name, char *value, char *err, size_t len)
{
	const char *s = *p, *key;
	size_t klen, n = 0, keep = 0;
	int nid;

	while (blank(*s))
		s++;
	key = s;
	while (*s && *s != '=' && *s != ',')
		s++;
	if (*s != '=') {
		errf(err, len, "\"%.*s\" in the DN has no '='", (int)(s - key), key);
		return -EINVAL;
	}
	for (klen = (size_t)(s - key); klen && blank(key[klen - 1]); klen--)
		;
	nid = dn_key_nid(key, klen);
	if (nid == NID_undef) {
		errf(err, len, "unknown key \"%.*s\" in the DN (C, ST, L, O, OU, CN, emailAddress, "
		     "DC, serialNumber, UID)", (int)klen, key);
		return -EINVAL;
	}
	for (s++; blank(*s); s++)
		;
	/* keep: the length up to the last character that is not a trailing blank */
	while (*s && *s != ',') {
		if (*s == '\\' && s[1]) {
			value[n++] = s[1];
			s += 2;
			keep = n;
			continue;
		}
		value[n++] = *s;
		if (!blank(*s++))
			keep = n;
	}
	value[keep] = '\0';
	*p = s;
	if (!keep) {
		errf(err, len, "%.*s has an empty value in the DN", (int)klen, key);
		return -EINVAL;
	}
	if (!X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8, (unsigned char *)value,
					(int)keep, -1, 0)) {
		errf(err, len, "\"%s\" is not a valid %.*s", value, (int)klen, key);
		return -EINVAL;
	}
	return 0;
}

/* "C=CH, O=strongSwan, CN=moon" to a name; NULL with a message in err. */
static X509_NAME *dn_parse(const char *text, char *err, size_t len)
{
	X509_NAME *name;
	char *value;
	const char *p = text;

	if (!text[strspn(text, " \t")]) {
		errf(err, len, "the DN is empty");
		return NULL;
	}
	name = X509_NAME_new();
	value = malloc(strlen(text) + 1);
	if (!name || !value) {
		errf(err, len, "out of memory");
		goto err_free;
	}
	for (;;) {
		if (rdn_parse(&p, name, value, err, len))
			goto err_free;
		if (!*p++)
			break;
	}
	free(value);
	return name;

err_free:
	free(value);
	X509_NAME_free(name);
	return NULL;
}

/* name as "C=CH, O=strongSwan, CN=moon": the length, or -ENOSPC when cut short. */
static int name_text(const X509_NAME *name, char *buf, size_t len)
{
	/* RFC 2253 escaping (the "\," dn_parse() reads), UTF-8 printed as it is */
	const unsigned long flags = XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN |
				    (ASN1_STRFLGS_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long n;

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	if (!bio || X509_NAME_print_ex(bio, name, 0, flags) < 0) {
		BIO_free(bio);
		errf(buf, len, "(DN not printable)");
		return -ENOMEM;
	}
	n = BIO_get_mem_data(bio, &data);
	snprintf(buf, len, "%.*s", (int)n, data);
	BIO_free(bio);
	return (size_t)n < len ? (int)n : -ENOSPC;
}

int auth_dn_from_text(const char *text, uint8_t *der, size_t *len, char *err, size_t errlen)
{
	X509_NAME *name = dn_parse(text, err, errlen);
	unsigned char *p = der;
	int n;

	if (!name)
		return -EINVAL;
	n = i2d_X509_NAME(name, NULL);
	if (n <= 0 || (size_t)n > *len) {
		X509_NAME_free(name);
		errf(err, errlen, "the DN does not fit %zu bytes", *len);
		return -ENOSPC;
	}
	*len = (size_t)i2d_X509_NAME(name, &p);
	X509_NAME_free(name);
	return 0;
}

/* A whole DER DN; NULL if it is none or has bytes after it. */
static X509_NAME *dn_decode(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509_NAME *name;

	if (len > LONG_MAX)
		return NULL;
	name = d2i_X509_NAME(NULL, &p, (long)len);
	if (name && p != der + len) {
		X509_NAME_free(name);
		name = NULL;
	}
	ERR_clear_error();
	return name;
}

int auth_dn_to_text(const uint8_t *der, size_t len, char *buf, size_t buflen)
{
	X509_NAME *name = dn_decode(der, len);
	int ret;

	if (!name) {
		snprintf(buf, buflen, "(not a DN)");
		return -EBADMSG;
	}
	ret = name_text(name, buf, buflen);
	X509_NAME_free(name);
	return ret;
}

/* An identity for a message: type and data as an ID payload has them (a DN in DER). */
static void id_text(uint8_t type, const uint8_t *data, size_t len, char *buf, size_t buflen)
{
	char addr[INET6_ADDRSTRLEN];
	size_t i, n;

	switch (type) {
	case ISAKMP_ID_DER_ASN1_DN:
		auth_dn_to_text(data, len, buf, buflen);
		return;
	case ISAKMP_ID_IPV4_ADDR:
	case ISAKMP_ID_IPV6_ADDR:
		if (len == (type == ISAKMP_ID_IPV4_ADDR ? 4u : 16u) &&
		    inet_ntop(type == ISAKMP_ID_IPV4_ADDR ? AF_INET : AF_INET6, data, addr,
			      sizeof(addr))) {
			snprintf(buf, buflen, "%s", addr);
			return;
		}
		break;
	case ISAKMP_ID_FQDN:
	case ISAKMP_ID_USER_FQDN:
		/* the peer's bytes: printable ASCII only */
		for (i = 0, n = 0; i < len && n + 1 < buflen; i++)
			buf[n++] = data[i] >= 0x20 && data[i] < 0x7f ? (char)data[i] : '?';
		if (buflen)
			buf[n] = '\0';
		return;
	case ISAKMP_ID_KEY_ID:
		keyid_format(buf, buflen, data, len);
		return;
	}
	snprintf(buf, buflen, "(%s, %zu bytes)", isakmp_id_name(type), len);
}

/* A tunnel's id for a message: its DN is text already. */
static void tunnel_id_text(const struct tunnel_id *id, char *buf, size_t buflen)
{
	if (id->type == TUNNEL_ID_DER_ASN1_DN)
		snprintf(buf, buflen, "%s", (const char *)id->data);
	else
		id_text(id->type, id->data, id->len, buf, buflen);
}

static void subject_text(const X509 *x, char *buf, size_t len)
{
	name_text(X509_get_subject_name(x), buf, len);
}

static void time_text(const ASN1_TIME *t, char *buf, size_t len)
{
	struct tm tm;

	if (!t || !ASN1_TIME_to_tm(t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, len, "(unknown time)");
}

/* --- Certificates --------------------------------------------------------------------- */

/* RFC 4945 5.1.3.2: a keyUsage, when present, allows signatures. */
static bool usage_ok(X509 *x)
{
	if (!(X509_get_extension_flags(x) & EXFLAG_KUSAGE))
		return true;
	return X509_get_key_usage(x) & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION);
}

/*
 * Whether x holds an identity of an ID payload (type, data, len; a DN in DER): 1 yes,
 * 0 no, -EBADMSG for a DN that does not parse, -EOPNOTSUPP for a type no certificate
 * holds. Names and addresses only from the subjectAltName, exactly.
 */
static int id_in_cert(X509 *x, uint8_t type, const uint8_t *data, size_t len)
{
	const unsigned int host_flags = X509_CHECK_FLAG_NO_WILDCARDS |
					X509_CHECK_FLAG_NEVER_CHECK_SUBJECT;
	const ASN1_OCTET_STRING *skid;
	X509_NAME *dn;
	int ret;

	if (!len)
		return 0;
	switch (type) {
	case ISAKMP_ID_DER_ASN1_DN:
		dn = dn_decode(data, len);
		if (!dn)
			return -EBADMSG;
		ret = !X509_NAME_cmp(dn, X509_get_subject_name(x));
		X509_NAME_free(dn);
		return ret;
	case ISAKMP_ID_FQDN:
		ret = X509_check_host(x, (const char *)data, len, host_flags, NULL) == 1;
		break;
	case ISAKMP_ID_USER_FQDN:
		ret = X509_check_email(x, (const char *)data, len,
				       X509_CHECK_FLAG_NEVER_CHECK_SUBJECT) == 1;
		break;
	case ISAKMP_ID_IPV4_ADDR:
	case ISAKMP_ID_IPV6_ADDR:
		ret = X509_check_ip(x, data, len, 0) == 1;
		break;
	case ISAKMP_ID_KEY_ID:
		skid = X509_get0_subject_key_id(x);
		ret = skid && (size_t)ASN1_STRING_length(skid) == len &&
		      !memcmp(ASN1_STRING_get0_data(skid), data, len);
		break;
	default:
		return -EOPNOTSUPP;
	}
	ERR_clear_error();
	return ret;
}

/*
 * The whole of a file, in a buffer the caller wipes and frees (it may hold a key). A
 * secret one (a private key) must not be readable by group or others.
 */
static int file_read(const char *what, const char *path, bool secret, char **buf,
		     size_t *len, char *err, size_t errlen)
{
	struct stat st;
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f) {
		ret = -errno;
		errf(err, errlen, "%s %s: %s", what, path, strerror(errno));
		return ret;
	}
	setvbuf(f, NULL, _IONBF, 0);	/* no copy of a key in a stdio buffer */
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode) || st.st_size > PEM_FILE_MAX) {
		errf(err, errlen, "%s %s: not a regular file of at most %d bytes", what, path,
		     PEM_FILE_MAX);
		fclose(f);
		return -EINVAL;
	}
	if (secret && (st.st_mode & (S_IRGRP | S_IROTH))) {
		errf(err, errlen, "%s %s: readable by group or others (mode %04o): chmod 600 it",
		     what, path, (unsigned int)(st.st_mode & 07777));
		fclose(f);
		return -EACCES;
	}
	*len = (size_t)st.st_size;
	*buf = malloc(*len + 1);
	if (!*buf) {
		errf(err, errlen, "%s %s: out of memory", what, path);
		ret = -ENOMEM;
	} else if (fread(*buf, 1, *len, f) != *len) {
		errf(err, errlen, "%s %s: read error", what, path);
		OPENSSL_clear_free(*buf, *len + 1);
		ret = -EIO;
	}
	fclose(f);
	return ret;
}

static X509 *cert_load(const char *path, char *err, size_t len)
{
	X509 *x = NULL;
	BIO *bio;
	size_t n;
	char *buf;

	if (file_read("cert", path, false, &buf, &n, err, len))
		return NULL;
	bio = BIO_new_mem_buf(buf, (int)n);
	if (bio)
		x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	if (!x)
		errf(err, len, "cert %s: not a PEM certificate", path);
	BIO_free(bio);
	OPENSSL_clear_free(buf, n + 1);
	return x;
}

static int no_passphrase(char *buf, int size, int rwflag, void *asked)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	*(bool *)asked = true;
	return -1;
}

static EVP_PKEY *key_load(const char *path, char *err, size_t len)
{
	EVP_PKEY *key = NULL;
	bool encrypted = false;
	BIO *bio;
	size_t n;
	char *buf;

	if (file_read("key", path, true, &buf, &n, err, len))
		return NULL;
	bio = BIO_new_mem_buf(buf, (int)n);
	if (bio)
		key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, &encrypted);
	BIO_free(bio);
	OPENSSL_clear_free(buf, n + 1);
	if (!key) {
		errf(err, len, encrypted ? "key %s: encrypted keys are not supported" :
		     "key %s: not a PEM private key", path);
		return NULL;
	}
	if (!EVP_PKEY_is_a(key, "RSA")) {
		errf(err, len, "key %s: an %s key; IKEv1 RSA signatures need an RSA key", path,
		     EVP_PKEY_get0_type_name(key));
		EVP_PKEY_free(key);
		return NULL;
	}
	if (EVP_PKEY_get_bits(key) < AUTH_RSA_MIN_BITS) {
		errf(err, len, "key %s: RSA of %d bits, fewer than the %d we accept", path,
		     EVP_PKEY_get_bits(key), AUTH_RSA_MIN_BITS);
		EVP_PKEY_free(key);
		return NULL;
	}
	return key;
}

/* One CA certificate into the store, its subject kept for CR payloads. */
static int ca_add(struct auth_creds *c, X509 *x)
{
	struct ca_dn *more = realloc(c->ca_dn, (c->nca + 1) * sizeof(*more));
	uint8_t *der = NULL;
	int n;

	if (!more)
		return -ENOMEM;
	c->ca_dn = more;
	n = i2d_X509_NAME(X509_get_subject_name(x), &der);
	if (n <= 0 || !X509_STORE_add_cert(c->store, x)) {
		OPENSSL_free(der);
		return -ENOMEM;
	}
	c->ca_dn[c->nca++] = (struct ca_dn){ .der = der, .len = (size_t)n };
	return 0;
}

/* Every certificate of the ca file, at least one. */
static int ca_load(struct auth_creds *c, const char *path, char *err, size_t len)
{
	unsigned long e;
	X509 *x;
	BIO *bio;
	size_t n;
	char *buf;
	int ret = 0;

	if (file_read("ca", path, false, &buf, &n, err, len))
		return -EINVAL;
	bio = BIO_new_mem_buf(buf, (int)n);
	if (!bio || !EVP_Digest(buf, n, c->ca_digest, NULL, EVP_sha256(), NULL))
		ret = -ENOMEM;
	while (!ret && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		ret = ca_add(c, x);
		X509_free(x);
	}
	BIO_free(bio);
	OPENSSL_clear_free(buf, n + 1);
	/* the loop ends at the end of the file, or at a certificate that does not parse */
	e = ERR_peek_last_error();
	if (ret) {
		errf(err, len, "ca %s: out of memory", path);
	} else if (!c->nca) {
		errf(err, len, "ca %s: no PEM certificate", path);
		ret = -EINVAL;
	} else if (ERR_GET_LIB(e) != ERR_LIB_PEM || ERR_GET_REASON(e) != PEM_R_NO_START_LINE) {
		errf(err, len, "ca %s: certificate %u is not a valid PEM certificate", path,
		     c->nca + 1);
		ret = -EINVAL;
	}
	ERR_clear_error();
	return ret;
}

/* Our ID payload from the tunnel's local-id: the subject's DER for a DN or none. */
static int our_id_set(struct auth_creds *c, const struct tunnel *conf, char *err, size_t len)
{
	const struct tunnel_id *id = &conf->local_id;
	const X509_NAME *subject = X509_get_subject_name(c->cert);
	char want[TEXT_MAX], have[TEXT_MAX];
	unsigned char *p = c->id;
	X509_NAME *dn;
	int n, ret;

	subject_text(c->cert, have, sizeof(have));
	if (id->type == TUNNEL_ID_ANY || id->type == TUNNEL_ID_DER_ASN1_DN) {
		if (id->type == TUNNEL_ID_DER_ASN1_DN) {
			dn = dn_parse((const char *)id->data, want, sizeof(want));
			if (!dn) {
				errf(err, len, "local-id \"%s\": %s", (const char *)id->data, want);
				return -EINVAL;
			}
			ret = X509_NAME_cmp(dn, subject);
			X509_NAME_free(dn);
			if (ret) {
				errf(err, len, "local-id \"%s\" is not the subject of cert %s (%s)",
				     (const char *)id->data, conf->cert, have);
				return -EINVAL;
			}
		}
		/* the subject exactly as the certificate encodes it, which the peer compares */
		n = i2d_X509_NAME(subject, NULL);
		if (n <= 0 || n > AUTH_ID_MAX) {
			errf(err, len, "cert %s: its subject takes more than %d bytes", conf->cert,
			     AUTH_ID_MAX);
			return -EINVAL;
		}
		c->id_len = (size_t)i2d_X509_NAME(subject, &p);
		c->id_type = ISAKMP_ID_DER_ASN1_DN;
		return 0;
	}
	tunnel_id_text(id, want, sizeof(want));
	if (id_in_cert(c->cert, id->type, id->data, id->len) != 1) {
		errf(err, len, "local-id %s is not in cert %s, which the peer checks: set local-id "
		     "to its subject \"%s\" or to a name of its subjectAltName", want, conf->cert,
		     have);
		return -EINVAL;
	}
	memcpy(c->id, id->data, id->len);
	c->id_len = id->len;
	c->id_type = id->type;
	return 0;
}

/* A warning for our certificate outside its validity, "" when it is fine. */
static void validity_warn(const struct auth_creds *c, const char *path, char *err,
			  size_t len)
{
	const ASN1_TIME *before = X509_get0_notBefore(c->cert);
	const ASN1_TIME *after = X509_get0_notAfter(c->cert);
	char when[64];

	if (X509_cmp_current_time(before) > 0) {
		time_text(before, when, sizeof(when));
		errf(err, len, "cert %s is not valid before %s: the peer will refuse it", path,
		     when);
	} else if (X509_cmp_current_time(after) < 0) {
		time_text(after, when, sizeof(when));
		errf(err, len, "cert %s expired on %s: the peer will refuse it", path, when);
	}
	ERR_clear_error();
}

/* The checks of the loaded files against each other and the tunnel's ids. */
static int creds_check(struct auth_creds *c, const struct tunnel *conf, char *err,
		       size_t len)
{
	X509_NAME *dn;
	char why[TEXT_MAX];
	int n;

	if (EVP_PKEY_eq(X509_get0_pubkey(c->cert), c->key) != 1) {
		errf(err, len, "key %s does not match cert %s", conf->key, conf->cert);
		return -EINVAL;
	}
	if (!usage_ok(c->cert)) {
		errf(err, len, "cert %s: its keyUsage allows neither digitalSignature nor "
		     "nonRepudiation, so peers refuse it (RFC 4945 5.1.3.2)", conf->cert);
		return -EINVAL;
	}
	if (conf->remote_id.type == TUNNEL_ID_DER_ASN1_DN) {
		dn = dn_parse((const char *)conf->remote_id.data, why, sizeof(why));
		if (!dn) {
			errf(err, len, "remote-id \"%s\": %s", (const char *)conf->remote_id.data,
			     why);
			return -EINVAL;
		}
		X509_NAME_free(dn);
	}
	n = i2d_X509(c->cert, &c->cert_der);
	if (n <= 0) {
		errf(err, len, "cert %s: cannot encode it", conf->cert);
		return -ENOMEM;
	}
	c->cert_len = (size_t)n;
	return our_id_set(c, conf, err, len);
}

struct auth_creds *auth_creds_load(const struct tunnel *conf, char *err, size_t len)
{
	struct auth_creds *c;

	if (len)
		err[0] = '\0';
	if (conf->auth != TUNNEL_AUTH_CERT) {
		errf(err, len, "tunnel %s does not use \"auth cert\"", conf->name);
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c || !(c->store = X509_STORE_new())) {
		errf(err, len, "out of memory");
		goto err_free;
	}
	/* anything in the ca file is trusted, an intermediate too (see auth.h) */
	X509_STORE_set_flags(c->store, X509_V_FLAG_PARTIAL_CHAIN);
	c->cert = cert_load(conf->cert, err, len);
	if (!c->cert)
		goto err_free;
	c->key = key_load(conf->key, err, len);
	if (!c->key)
		goto err_free;
	if (ca_load(c, conf->ca, err, len) || creds_check(c, conf, err, len))
		goto err_free;
	validity_warn(c, conf->cert, err, len);
	return c;

err_free:
	auth_creds_free(c);
	return NULL;
}

void auth_creds_free(struct auth_creds *c)
{
	if (!c)
		return;
	EVP_PKEY_free(c->key);
	X509_free(c->cert);
	X509_STORE_free(c->store);
	OPENSSL_free(c->cert_der);
	for (unsigned int i = 0; i < c->nca; i++)
		OPENSSL_free(c->ca_dn[i].der);
	free(c->ca_dn);
	free(c);
}

bool auth_creds_same(const struct auth_creds *a, const struct auth_creds *b)
{
	if (!a || !b)
		return a == b;
	/* the key matches the certificate (creds_check()), so the certificate stands for it */
	return a->cert_len == b->cert_len && !memcmp(a->cert_der, b->cert_der, a->cert_len) &&
	       !memcmp(a->ca_digest, b->ca_digest, sizeof(a->ca_digest)) &&
	       a->id_type == b->id_type && a->id_len == b->id_len &&
	       !memcmp(a->id, b->id, a->id_len);
}

void auth_our_cert_der(const struct auth_creds *c, const uint8_t **der, size_t *len)
{
	*der = c->cert_der;
	*len = c->cert_len;
}

void auth_our_id(const struct auth_creds *c, uint8_t *type, const uint8_t **data,
		 size_t *len)
{
	*type = c->id_type;
	*data = c->id;
	*len = c->id_len;
}

int auth_ca_dn(const struct auth_creds *c, unsigned int nth, const uint8_t **der,
	       size_t *len)
{
	if (nth >= c->nca)
		return -ENOENT;
	*der = c->ca_dn[nth].der;
	*len = c->ca_dn[nth].len;
	return 0;
}

/* --- Signatures ------------------------------------------------------------------------ */

size_t auth_sig_len(const struct auth_creds *c)
{
	return (size_t)EVP_PKEY_get_size(c->key);
}

int auth_sign(const struct auth_creds *c, const uint8_t *hash, size_t hash_len,
	      uint8_t *sig, size_t *sig_len)
{
	size_t k = auth_sig_len(c);
	EVP_PKEY_CTX *ctx;
	int ret = 0;

	if (*sig_len < k)
		return -ENOSPC;
	if (!hash_len || hash_len + PKCS1_PAD_MIN > k)
		return -EINVAL;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, c->key, NULL);
	if (!ctx)
		return -ENOMEM;
	/* RFC 2409 5.1: PKCS#1 type 1 padding of the hash itself, no DigestInfo: no md */
	if (EVP_PKEY_sign_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0 ||
	    EVP_PKEY_sign(ctx, sig, sig_len, hash, hash_len) <= 0)
		ret = -EIO;
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return ret;
}

/* 0 when sig is key's RFC 2409 signature of hash, -EACCES when not. */
static int sig_check(EVP_PKEY *key, const uint8_t *hash, size_t hash_len, const uint8_t *sig,
		     size_t sig_len, char *why, size_t len)
{
	size_t k = (size_t)EVP_PKEY_get_size(key);
	EVP_PKEY_CTX *ctx;
	int ret;

	/* longer than the modulus with leading zeros: strongSwan takes it, so do we */
	while (sig_len > k && !*sig) {
		sig++;
		sig_len--;
	}
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	if (!ctx) {
		errf(why, len, "out of memory");
		return -ENOMEM;
	}
	ret = -EACCES;
	if (sig_len <= k && EVP_PKEY_verify_init(ctx) > 0 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
	    EVP_PKEY_verify(ctx, sig, sig_len, hash, hash_len) == 1)
		ret = 0;
	EVP_PKEY_CTX_free(ctx);
	if (ret)
		errf(why, len, "the signature does not verify");
	ERR_clear_error();
	return ret;
}

/* --- The peer ---------------------------------------------------------------------------- */

static X509 *cert_decode(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509 *x;

	if (!len || len > LONG_MAX)
		return NULL;
	x = d2i_X509(NULL, &p, (long)len);
	if (x && p != der + len) {
		X509_free(x);
		x = NULL;
	}
	ERR_clear_error();
	return x;
}

static void chain_why(X509_STORE_CTX *ctx, X509 *leaf, char *why, size_t len)
{
	int e = X509_STORE_CTX_get_error(ctx);
	X509 *bad = X509_STORE_CTX_get_current_cert(ctx);
	char subject[TEXT_MAX], issuer[TEXT_MAX], when[64];

	if (!bad)
		bad = leaf;
	subject_text(bad, subject, sizeof(subject));
	name_text(X509_get_issuer_name(bad), issuer, sizeof(issuer));
	switch (e) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		errf(why, len, "certificate of %s is not signed by our CA (issuer %s)", subject,
		     issuer);
		break;
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
		errf(why, len, "certificate of %s is not signed by our CA (a signature in the "
		     "name of %s that does not verify)", subject, issuer);
		break;
	case X509_V_ERR_CERT_HAS_EXPIRED:
		time_text(X509_get0_notAfter(bad), when, sizeof(when));
		errf(why, len, "certificate of %s expired on %s", subject, when);
		break;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		time_text(X509_get0_notBefore(bad), when, sizeof(when));
		errf(why, len, "certificate of %s is not valid before %s", subject, when);
		break;
	default:
		errf(why, len, "certificate of %s: %s", subject, X509_verify_cert_error_string(e));
		break;
	}
}

/* The peer's certificate: a chain to our ca file now, keyUsage, an RSA key. */
static int cert_check(const struct auth_creds *c, X509 *x, char *why, size_t len)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	char subject[TEXT_MAX];
	int ret = 0;

	if (!ctx || !X509_STORE_CTX_init(ctx, c->store, x, NULL)) {
		X509_STORE_CTX_free(ctx);
		errf(why, len, "out of memory");
		return -ENOMEM;
	}
	if (X509_verify_cert(ctx) != 1) {
		chain_why(ctx, x, why, len);
		ret = -EACCES;
	}
	X509_STORE_CTX_free(ctx);
	if (ret)
		return ret;
	subject_text(x, subject, sizeof(subject));
	if (!usage_ok(x)) {
		errf(why, len, "certificate of %s: its keyUsage allows neither digitalSignature "
		     "nor nonRepudiation", subject);
		return -EACCES;
	}
	if (!EVP_PKEY_is_a(X509_get0_pubkey(x), "RSA")) {
		errf(why, len, "certificate of %s: not an RSA key", subject);
		return -EACCES;
	}
	if (EVP_PKEY_get_bits(X509_get0_pubkey(x)) < AUTH_RSA_MIN_BITS) {
		errf(why, len, "certificate of %s: RSA of %d bits, fewer than the %d we accept",
		     subject, EVP_PKEY_get_bits(X509_get0_pubkey(x)), AUTH_RSA_MIN_BITS);
		return -EACCES;
	}
	return 0;
}

/* The peer's ID is in its certificate. */
static int id_check(X509 *x, const struct isakmp_id *id, char *why, size_t len)
{
	char subject[TEXT_MAX], text[TEXT_MAX];
	int ret = id_in_cert(x, id->type, id->data, id->len);

	if (ret == 1)
		return 0;
	subject_text(x, subject, sizeof(subject));
	id_text(id->type, id->data, id->len, text, sizeof(text));
	if (ret == -EBADMSG) {
		errf(why, len, "the peer's ID is not a valid DN");
		return -EBADMSG;
	}
	if (ret == -EOPNOTSUPP)
		errf(why, len, "the peer's ID %s cannot name a certificate", text);
	else if (id->type == ISAKMP_ID_DER_ASN1_DN)
		errf(why, len, "the peer's ID %s is not the subject of its certificate (%s)",
		     text, subject);
	else
		errf(why, len, "the peer's ID %s is not in the subjectAltName of its certificate "
		     "(%s)", text, subject);
	return -EACCES;
}

bool auth_id_equal(const struct isakmp_id *id, const struct tunnel_id *want)
{
	X509_NAME *a, *b;
	bool equal;

	switch (want->type) {
	case TUNNEL_ID_DER_ASN1_DN:
		a = dn_decode(id->data, id->len);
		b = dn_parse((const char *)want->data, NULL, 0);
		equal = a && b && !X509_NAME_cmp(a, b);
		X509_NAME_free(a);
		X509_NAME_free(b);
		ERR_clear_error();
		return equal;
	case TUNNEL_ID_FQDN:
	case TUNNEL_ID_USER_FQDN:
		return id->len == want->len &&
		       !strncasecmp((const char *)id->data, (const char *)want->data, id->len);
	default:
		return id->len == want->len && !memcmp(id->data, want->data, id->len);
	}
}

/* Whether x's (verified) subject is the DN want's text names. */
static bool subject_is(X509 *x, const struct tunnel_id *want)
{
	X509_NAME *name = dn_parse((const char *)want->data, NULL, 0);
	bool equal = name && !X509_NAME_cmp(X509_get_subject_name(x), name);

	X509_NAME_free(name);
	ERR_clear_error();
	return equal;
}

/*
 * The peer's ID is the tunnel's remote-id (any, for %any); a DN remote-id is also the
 * subject of the certificate itself, not only of the ID payload (id_check() said those
 * are one).
 */
static int id_expected(X509 *x, const struct isakmp_id *id, const struct tunnel_id *want,
		       char *why, size_t len)
{
	char have[TEXT_MAX], text[TEXT_MAX];

	if (want->type == TUNNEL_ID_ANY)
		return 0;
	if (id->type == want->type && auth_id_equal(id, want) &&
	    (want->type != TUNNEL_ID_DER_ASN1_DN || subject_is(x, want)))
		return 0;
	id_text(id->type, id->data, id->len, have, sizeof(have));
	tunnel_id_text(want, text, sizeof(text));
	errf(why, len, "the peer's ID %s (%s) is not the tunnel's remote-id %s (%s)", have,
	     isakmp_id_name(id->type), text, isakmp_id_name(want->type));
	return -EACCES;
}

int auth_verify(const struct auth_creds *c, const uint8_t *cert_der, size_t cert_len,
		const struct isakmp_id *peer_id, const struct tunnel_id *expected,
		const uint8_t *hash, size_t hash_len, const uint8_t *sig, size_t sig_len,
		char *why, size_t len)
{
	X509 *x = cert_decode(cert_der, cert_len);
	int ret;

	if (len)
		why[0] = '\0';
	if (!x) {
		errf(why, len, "the peer's certificate does not parse");
		return -EBADMSG;
	}
	ret = cert_check(c, x, why, len);
	if (!ret)
		ret = id_check(x, peer_id, why, len);
	if (!ret)
		ret = id_expected(x, peer_id, expected, why, len);
	if (!ret)
		ret = sig_check(X509_get0_pubkey(x), hash, hash_len, sig, sig_len, why, len);
	X509_free(x);
	return ret;
}
