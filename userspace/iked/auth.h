/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Phase-1 authentication with RSA signatures and X.509 certificates (RFC 2409 5.1,
 * RFC 4945), on OpenSSL 3 libcrypto. What "auth cert cert PATH key PATH ca PATH" of a
 * tunnel loads, and the three things phase 1 does with it: our ID and CERT payloads, the
 * SIG payload over HASH_I or HASH_R, and the check of the peer's CERT, ID and SIG.
 *
 * The signature is RFC 2409's "RSA private-key operation on HASH_I/HASH_R with PKCS#1
 * type 1 padding": the hash bytes padded as they are, with no DigestInfo around them
 * (strongSwan's SIGN_RSA_EMSA_PKCS1_NULL, pubkey_v1_authenticator.c).
 *
 * Identities (the ID payload) and what a certificate must hold for each:
 *   DER_ASN1_DN       the certificate's subject (compared as X509_NAME_cmp() does:
 *                     string types, case and runs of blanks aside)
 *   FQDN, USER_FQDN   a dNSName, an rfc822Name of the subjectAltName, exactly (no
 *                     wildcards, and never the subject's CN)
 *   IPV4/IPV6_ADDR    an iPAddress of the subjectAltName
 *   KEY_ID            the subjectKeyIdentifier
 * A tunnel's remote-id must have the same type as the ID the peer sends, and the same
 * value (a DN given as text is parsed first); remote-id %any takes whatever the
 * certificate holds.
 *
 * Trust: every certificate in the ca file is a trust anchor (an intermediate too). No
 * revocation checks, no extended key usage required; a keyUsage extension, when there
 * is one, must allow digitalSignature or nonRepudiation (RFC 4945 5.1.3.2, which
 * strongSwan enforces on us too).
 */
#ifndef NFSEC_IKED_AUTH_H
#define NFSEC_IKED_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isakmp.h"
#include "tunnel.h"

enum {
	AUTH_ID_MAX = 1024,		/* bytes of our ID data (a subject DN's DER) */
	AUTH_SIG_MAX = 1024,		/* bytes of a signature: RSA-8192 */
	AUTH_DN_TEXT_MAX = 1024,	/* auth_dn_to_text() of any DN we accept fits */
	AUTH_RSA_MIN_BITS = 2048,	/* our key's and the peer's (NIST SP 800-131A) */
};

struct auth_creds;

/*
 * Loads conf's cert (the first PEM certificate of the file), key (a PEM private key,
 * RSA of AUTH_RSA_MIN_BITS or more, not encrypted, not readable by group or others) and ca (PEM certificates, at least one), and works out our ID
 * from conf->local_id: DER_ASN1_DN (or ANY) gives the certificate's subject, exactly as
 * encoded there (a DN given as text must equal it); the other types must be in the
 * certificate (see above). Also parses conf->remote_id when it is a DN, so a bad one
 * shows now.
 *
 * NULL on failure, with a message in err naming the file and what is wrong ("cert
 * /etc/nfsec/moon.pem: not a PEM certificate", "key ... does not match cert ...").
 * On success err is "" or a warning to log: our certificate expired or is not valid yet
 * (the peer will refuse it, but the clock may be what is wrong).
 */
struct auth_creds *auth_creds_load(const struct tunnel *conf, char *err, size_t len);

/* Frees, the private key with it (EVP_PKEY_free() wipes it); NULL is fine. */
void auth_creds_free(struct auth_creds *creds);

/*
 * Whether a and b were loaded from files that hold the same: our certificate (and so
 * our key), the same ca file, and the same ID. Two NULLs are the same.
 */
bool auth_creds_same(const struct auth_creds *a, const struct auth_creds *b);

/* Our certificate in DER, for a CERT payload of encoding ISAKMP_CERT_X509_SIG. */
void auth_our_cert_der(const struct auth_creds *creds, const uint8_t **der, size_t *len);

/* Our ID payload: its type (enum isakmp_id_type) and data, as auth_creds_load() set it. */
void auth_our_id(const struct auth_creds *creds, uint8_t *type, const uint8_t **data,
		 size_t *len);

/*
 * The subject DN (DER) of the nth (from 0) certificate of the ca file, for a CR payload
 * of type ISAKMP_CERT_X509_SIG; -ENOENT past the last one.
 */
int auth_ca_dn(const struct auth_creds *creds, unsigned int nth, const uint8_t **der,
	       size_t *len);

/* Bytes of our signatures: the RSA modulus. */
size_t auth_sig_len(const struct auth_creds *creds);

/*
 * The SIG payload body over hash[0..hash_len-1] (HASH_I or HASH_R), into sig, whose size
 * *sig_len gives: 0 with the length in *sig_len, -ENOSPC if sig is shorter than
 * auth_sig_len(), -EINVAL for a hash too long for the key, -EIO if libcrypto fails.
 */
int auth_sign(const struct auth_creds *creds, const uint8_t *hash, size_t hash_len,
	      uint8_t *sig, size_t *sig_len);

/*
 * The peer's authentication: cert_der is its certificate (the CERT payload body after
 * the encoding byte), peer_id its ID payload, expected the tunnel's remote-id, sig the
 * SIG payload body over hash (the HASH_I or HASH_R we computed). Checks, in this order:
 * the certificate parses; it chains to our ca file now; its keyUsage; its key is RSA;
 * the ID is in the certificate; the ID is the expected one; the signature.
 *
 * 0; -EACCES when authentication fails, -EBADMSG for a certificate or DN that does not
 * parse (both with why: "certificate of C=CH, O=nfsec, CN=sun is not signed by our CA
 * (issuer C=CH, O=rogue, CN=rogue CA)", "... expired on 2024-01-01 00:00:00 UTC"); -ENOMEM.
 */
int auth_verify(const struct auth_creds *creds, const uint8_t *cert_der, size_t cert_len,
		const struct isakmp_id *peer_id, const struct tunnel_id *expected,
		const uint8_t *hash, size_t hash_len, const uint8_t *sig, size_t sig_len,
		char *why, size_t len);

/*
 * Whether the value of ID payload id is the value of want (of the same type, not ANY):
 * DNs as X509_NAME_cmp() compares them, want's text parsed first (a DN is never compared
 * as text bytes); FQDN and USER_FQDN in any case; the rest byte for byte.
 */
bool auth_id_equal(const struct isakmp_id *id, const struct tunnel_id *want);

/*
 * A DN as text, "C=CH, O=strongSwan, CN=moon" (RDNs in the order they are encoded,
 * separated by commas; "\," and "\\" escape a comma and a backslash in a value; blanks
 * around keys and values dropped), to its DER into der, whose size *len gives. Keys, in
 * any case: C, ST, L, O, OU, CN, emailAddress (or E), DC, serialNumber, UID. 0 with the
 * length in *len; -EINVAL with a message in err; -ENOSPC if der is too short.
 */
int auth_dn_from_text(const char *text, uint8_t *der, size_t *len, char *err,
		      size_t errlen);

/*
 * A DN's DER as text in the form auth_dn_from_text() reads, for logs: the length, or
 * -EBADMSG when der is no DN (buf then says so), -ENOSPC when it was cut short.
 */
int auth_dn_to_text(const uint8_t *der, size_t len, char *buf, size_t buflen);

#endif /* NFSEC_IKED_AUTH_H */
