// SPDX-License-Identifier: GPL-2.0
/*
 * common/proposal.c, common/tunnel.c and iked/conf.c: IKE and ESP proposal strings, the
 * words of a tunnel, the daemon's configuration file, and each printed back.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/socket.h>

#include <cmocka.h>

#include <nfsec.h>

#include "conf.h"
#include "proposal.h"
#include "tunnel.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)))

enum { SENTINEL = 0xa5 };

/* --- proposals --------------------------------------------------------------------------- */

static struct ike_proposals ike_ok(const char *text, unsigned int flags)
{
	struct errmsg err = { "" };
	struct ike_proposals l;

	if (proposal_ike_parse(text, flags, &l, &err) < 0)
		fail_msg("ike \"%s\" refused: %s", text, err.text);
	return l;
}

static void ike_fails(const char *text, unsigned int flags, const char *want)
{
	struct errmsg err = { "" };
	struct ike_proposals l, untouched;

	memset(&l, SENTINEL, sizeof(l));
	memset(&untouched, SENTINEL, sizeof(untouched));
	assert_int_equal(proposal_ike_parse(text, flags, &l, &err), -EINVAL);
	assert_string_equal(err.text, want);
	assert_memory_equal(&l, &untouched, sizeof(l));
}

static struct esp_proposals esp_ok(const char *text, unsigned int flags, int pfs)
{
	struct errmsg err = { "" };
	struct esp_proposals l;

	if (proposal_esp_parse(text, flags, pfs, &l, &err) < 0)
		fail_msg("esp \"%s\" refused: %s", text, err.text);
	return l;
}

static void esp_fails(const char *text, unsigned int flags, int pfs, const char *want)
{
	struct errmsg err = { "" };
	struct esp_proposals l, untouched;

	memset(&l, SENTINEL, sizeof(l));
	memset(&untouched, SENTINEL, sizeof(untouched));
	assert_int_equal(proposal_esp_parse(text, flags, pfs, &l, &err), -EINVAL);
	assert_string_equal(err.text, want);
	assert_memory_equal(&l, &untouched, sizeof(l));
}

static void expect_ike(const struct ike_proposal *p, unsigned int bits, unsigned int hash,
		       unsigned int group)
{
	assert_int_equal(p->enc, IKE_ENC_AES_CBC);
	assert_int_equal(p->enc_bits, bits);
	assert_int_equal(p->hash, hash);
	assert_int_equal(p->group, group);
}

static void expect_esp(const struct esp_proposal *p, unsigned int transform,
		       unsigned int bits, unsigned int auth, unsigned int group, bool esn)
{
	assert_int_equal(p->transform, transform);
	assert_int_equal(p->enc_bits, bits);
	assert_int_equal(p->auth, auth);
	assert_int_equal(p->group, group);
	assert_int_equal(p->esn, esn);
}

/* The one proposal text stands for. */
static struct ike_proposal ike_one(const char *text, unsigned int flags)
{
	struct ike_proposals l = ike_ok(text, flags);

	assert_int_equal(l.count, 1);
	return l.p[0];
}

static struct esp_proposal esp_one(const char *text, unsigned int flags)
{
	struct esp_proposals l = esp_ok(text, flags, PROPOSAL_PFS_UNSET);

	assert_int_equal(l.count, 1);
	return l.p[0];
}

static void test_ike_spellings(void **state)
{
	struct ike_proposal p;

	(void)state;
	p = ike_one("aes128-sha256-modp2048", 0);
	expect_ike(&p, 128, IKE_HASH_SHA2_256, 14);
	p = ike_one("aes192-sha384-modp3072", 0);
	expect_ike(&p, 192, IKE_HASH_SHA2_384, 15);
	p = ike_one("aes256-sha512-modp4096", 0);
	expect_ike(&p, 256, IKE_HASH_SHA2_512, 16);
	p = ike_one("aes128-sha256-ecp256", 0);
	expect_ike(&p, 128, IKE_HASH_SHA2_256, 19);
	p = ike_one("aes256-sha512-ecp384", 0);
	expect_ike(&p, 256, IKE_HASH_SHA2_512, 20);
	p = ike_one("aes256-sha512-ecp521", 0);
	expect_ike(&p, 256, IKE_HASH_SHA2_512, 21);
	p = ike_one("aes256-sha384-curve25519", 0);
	expect_ike(&p, 256, IKE_HASH_SHA2_384, 31);
	p = ike_one("aes256-sha384-x25519", 0);
	expect_ike(&p, 256, IKE_HASH_SHA2_384, 31);
	p = ike_one("aes128-sha1-modp2048", PROPOSAL_SHA1);
	expect_ike(&p, 128, IKE_HASH_SHA1, 14);
	p = ike_one("aes128-sha256-modp768", PROPOSAL_WEAK_GROUPS);
	expect_ike(&p, 128, IKE_HASH_SHA2_256, 1);
	p = ike_one("aes128-sha256-modp1024", PROPOSAL_WEAK_GROUPS);
	expect_ike(&p, 128, IKE_HASH_SHA2_256, 2);
	p = ike_one("aes128-sha256-modp1536", PROPOSAL_WEAK_GROUPS);
	expect_ike(&p, 128, IKE_HASH_SHA2_256, 5);
}

static void test_ike_lists(void **state)
{
	struct ike_proposals l;

	(void)state;
	l = ike_ok("aes128-sha256-modp2048,aes256-sha512-ecp384", 0);
	assert_int_equal(l.count, 2);
	expect_ike(&l.p[0], 128, IKE_HASH_SHA2_256, 14);
	expect_ike(&l.p[1], 256, IKE_HASH_SHA2_512, 20);

	/* every combination, the last kind turning fastest */
	l = ike_ok("aes128-aes256-sha256-modp2048-ecp256", 0);
	assert_int_equal(l.count, 4);
	expect_ike(&l.p[0], 128, IKE_HASH_SHA2_256, 14);
	expect_ike(&l.p[1], 128, IKE_HASH_SHA2_256, 19);
	expect_ike(&l.p[2], 256, IKE_HASH_SHA2_256, 14);
	expect_ike(&l.p[3], 256, IKE_HASH_SHA2_256, 19);

	l = ike_ok("aes128-sha256-sha512-curve25519,aes256-sha384-ecp384", 0);
	assert_int_equal(l.count, 3);
	expect_ike(&l.p[0], 128, IKE_HASH_SHA2_256, 31);
	expect_ike(&l.p[1], 128, IKE_HASH_SHA2_512, 31);
	expect_ike(&l.p[2], 256, IKE_HASH_SHA2_384, 20);
}

static void test_esp_spellings(void **state)
{
	struct esp_proposal p;

	(void)state;
	p = esp_one("aes128gcm16", 0);
	expect_esp(&p, ESP_AES_GCM_16, 128, ESP_AUTH_NONE, 0, false);
	p = esp_one("aes128gcm", 0);
	expect_esp(&p, ESP_AES_GCM_16, 128, ESP_AUTH_NONE, 0, false);
	p = esp_one("aes192gcm16", 0);
	expect_esp(&p, ESP_AES_GCM_16, 192, ESP_AUTH_NONE, 0, false);
	p = esp_one("aes256gcm16", 0);
	expect_esp(&p, ESP_AES_GCM_16, 256, ESP_AUTH_NONE, 0, false);
	p = esp_one("aes256gcm", 0);
	expect_esp(&p, ESP_AES_GCM_16, 256, ESP_AUTH_NONE, 0, false);
	p = esp_one("chacha20poly1305", 0);
	expect_esp(&p, ESP_CHACHA20_POLY1305, 256, ESP_AUTH_NONE, 0, false);
	p = esp_one("aes128-sha256", 0);
	expect_esp(&p, ESP_AES_CBC, 128, ESP_AUTH_HMAC_SHA2_256, 0, false);
	p = esp_one("aes256-sha384", 0);
	expect_esp(&p, ESP_AES_CBC, 256, ESP_AUTH_HMAC_SHA2_384, 0, false);
	p = esp_one("aes192-sha512", 0);
	expect_esp(&p, ESP_AES_CBC, 192, ESP_AUTH_HMAC_SHA2_512, 0, false);
	p = esp_one("null-sha256", 0);
	expect_esp(&p, ESP_NULL, 0, ESP_AUTH_HMAC_SHA2_256, 0, false);
	p = esp_one("aes128-sha1", PROPOSAL_SHA1);
	expect_esp(&p, ESP_AES_CBC, 128, ESP_AUTH_HMAC_SHA1, 0, false);
	p = esp_one("aes128gcm16-modp2048", 0);
	expect_esp(&p, ESP_AES_GCM_16, 128, ESP_AUTH_NONE, 14, false);
	p = esp_one("aes256-sha256-ecp384-esn", 0);
	expect_esp(&p, ESP_AES_CBC, 256, ESP_AUTH_HMAC_SHA2_256, 20, true);
	p = esp_one("aes128gcm16-noesn", 0);
	expect_esp(&p, ESP_AES_GCM_16, 128, ESP_AUTH_NONE, 0, false);
	p = esp_one("chacha20poly1305-x25519-esn", 0);
	expect_esp(&p, ESP_CHACHA20_POLY1305, 256, ESP_AUTH_NONE, 31, true);
}

static void test_esp_lists(void **state)
{
	struct esp_proposals l;

	(void)state;
	l = esp_ok("aes128gcm16,aes128-sha256", 0, PROPOSAL_PFS_UNSET);
	assert_int_equal(l.count, 2);
	expect_esp(&l.p[0], ESP_AES_GCM_16, 128, ESP_AUTH_NONE, 0, false);
	expect_esp(&l.p[1], ESP_AES_CBC, 128, ESP_AUTH_HMAC_SHA2_256, 0, false);

	/* strongSwan's way of offering both: esn and noesn */
	l = esp_ok("aes128-aes256-sha256-esn-noesn", 0, PROPOSAL_PFS_UNSET);
	assert_int_equal(l.count, 4);
	expect_esp(&l.p[0], ESP_AES_CBC, 128, ESP_AUTH_HMAC_SHA2_256, 0, true);
	expect_esp(&l.p[1], ESP_AES_CBC, 128, ESP_AUTH_HMAC_SHA2_256, 0, false);
	expect_esp(&l.p[2], ESP_AES_CBC, 256, ESP_AUTH_HMAC_SHA2_256, 0, true);
	expect_esp(&l.p[3], ESP_AES_CBC, 256, ESP_AUTH_HMAC_SHA2_256, 0, false);
}

static void ike_format_is(const char *text, unsigned int flags, const char *want)
{
	struct ike_proposals l = ike_ok(text, flags), back;
	char buf[1024];

	assert_int_equal(proposal_ike_format(&l, buf, sizeof(buf)), (int)strlen(want));
	assert_string_equal(buf, want);
	back = ike_ok(buf, flags);
	assert_memory_equal(&back, &l, sizeof(l));
}

static void esp_format_is(const char *text, unsigned int flags, const char *want)
{
	struct esp_proposals l = esp_ok(text, flags, PROPOSAL_PFS_UNSET), back;
	char buf[1024];

	assert_int_equal(proposal_esp_format(&l, buf, sizeof(buf)), (int)strlen(want));
	assert_string_equal(buf, want);
	back = esp_ok(buf, flags, PROPOSAL_PFS_UNSET);
	assert_memory_equal(&back, &l, sizeof(l));
}

static void test_proposal_format(void **state)
{
	(void)state;
	ike_format_is("aes128-sha256-modp2048", 0, "aes128-sha256-modp2048");
	ike_format_is("aes256-sha384-x25519", 0, "aes256-sha384-curve25519");
	ike_format_is("aes128-aes256-sha256-modp2048-ecp256", 0,
		      "aes128-sha256-modp2048,aes128-sha256-ecp256,aes256-sha256-modp2048,"
		      "aes256-sha256-ecp256");
	ike_format_is("aes192-sha1-modp1024,aes256-sha512-ecp521",
		      PROPOSAL_SHA1 | PROPOSAL_WEAK_GROUPS,
		      "aes192-sha1-modp1024,aes256-sha512-ecp521");
	esp_format_is("aes128gcm,aes256gcm16,chacha20poly1305", 0,
		      "aes128gcm16,aes256gcm16,chacha20poly1305");
	esp_format_is("aes128-sha256,aes256-sha512,null-sha384", 0,
		      "aes128-sha256,aes256-sha512,null-sha384");
	esp_format_is("aes128gcm-x25519-esn,aes128-sha256-curve25519-noesn", 0,
		      "aes128gcm16-curve25519-esn,aes128-sha256-curve25519");
	esp_format_is("aes128-sha1", PROPOSAL_SHA1, "aes128-sha1");
}

static void test_proposal_format_nospace(void **state)
{
	struct ike_proposals ike = ike_ok("aes128-sha256-modp2048", 0);
	struct esp_proposals esp = esp_ok("aes128gcm16", 0, PROPOSAL_PFS_UNSET);
	char buf[32];

	(void)state;
	assert_int_equal(proposal_ike_format(&ike, buf, 22), -ENOSPC);
	assert_int_equal(proposal_ike_format(&ike, buf, 23), 22);
	assert_int_equal(proposal_esp_format(&esp, buf, 11), -ENOSPC);
	assert_int_equal(proposal_esp_format(&esp, buf, 12), 11);
	ike.p[0].group = 99;
	assert_int_equal(proposal_ike_format(&ike, buf, sizeof(buf)), -EINVAL);
}

static void test_ike_errors(void **state)
{
	(void)state;
	ike_fails("aes128-md5-modp2048", 0,
		  "ike proposal \"aes128-md5-modp2048\": unknown hash \"md5\"");
	ike_fails("des-sha256-modp2048", 0,
		  "ike proposal \"des-sha256-modp2048\": unknown encryption algorithm \"des\"");
	ike_fails("aes128gcm16-sha256-modp2048", 0,
		  "ike proposal \"aes128gcm16-sha256-modp2048\": unknown encryption algorithm "
		  "\"aes128gcm16\"");
	ike_fails("aes128-sha256-modp9999", 0,
		  "ike proposal \"aes128-sha256-modp9999\": unknown DH group \"modp9999\"");
	ike_fails("aes128-sha256-modp2048-foo", 0,
		  "ike proposal \"aes128-sha256-modp2048-foo\": unknown algorithm \"foo\"");
	ike_fails("aes128-sha256", 0,
		  "ike proposal \"aes128-sha256\": no DH group (IKE proposals need one)");
	ike_fails("aes128-modp2048", 0, "ike proposal \"aes128-modp2048\": no hash");
	ike_fails("sha256-modp2048", 0,
		  "ike proposal \"sha256-modp2048\": no encryption algorithm");
	ike_fails("sha256-aes128-modp2048", 0,
		  "ike proposal \"sha256-aes128-modp2048\": \"aes128\" out of place: the order "
		  "is ENC-HASH-GROUP");
	ike_fails("aes128--modp2048", 0, "ike proposal \"aes128--modp2048\": an empty algorithm");
	ike_fails("aes128-sha256-modp2048-", 0,
		  "ike proposal \"aes128-sha256-modp2048-\": an empty algorithm");
	ike_fails("aes128-sha256-modp2048,", 0,
		  "ike proposals \"aes128-sha256-modp2048,\": an empty proposal");
	ike_fails(",aes128-sha256-modp2048", 0,
		  "ike proposals \",aes128-sha256-modp2048\": an empty proposal");
	ike_fails("", 0, "ike proposals: none given");
	ike_fails("aes128-aes128-sha256-modp2048", 0,
		  "ike proposal \"aes128-aes128-sha256-modp2048\": \"aes128\" given twice");
	ike_fails("aes128-sha256-x25519-curve25519", 0,
		  "ike proposal \"aes128-sha256-x25519-curve25519\": \"curve25519\" given twice");
	/* the second proposal is the bad one, and named */
	ike_fails("aes128-sha256-modp2048,aes256-sha3-modp2048", 0,
		  "ike proposal \"aes256-sha3-modp2048\": unknown hash \"sha3\"");
}

static void test_proposal_too_long(void **state)
{
	char text[PROPOSAL_TEXT_MAX + 32], want[512];

	(void)state;
	/* 128 bytes exactly is fine as far as length goes (then it is a repeated word) */
	memset(text, 0, sizeof(text));
	strcpy(text, "aes128-sha256-modp2048");
	while (strlen(text) + strlen("-ecp256") <= PROPOSAL_TEXT_MAX + 7)
		strcat(text, "-ecp256");
	assert_true(strlen(text) > PROPOSAL_TEXT_MAX);
	snprintf(want, sizeof(want), "ike proposal \"%.*s\": longer than %d bytes",
		 PROPOSAL_TEXT_MAX + 1, text, PROPOSAL_TEXT_MAX);
	ike_fails(text, 0, want);
}

static void test_weak_groups(void **state)
{
	struct errmsg err = { "" };
	uint16_t group = 0;

	(void)state;
	ike_fails("aes128-sha256-modp1024", 0,
		  "ike proposal \"aes128-sha256-modp1024\": \"modp1024\" is a weak group: add "
		  "\"weak-groups yes\" to allow it");
	ike_fails("aes128-sha256-modp768", 0,
		  "ike proposal \"aes128-sha256-modp768\": \"modp768\" is a weak group: add "
		  "\"weak-groups yes\" to allow it");
	ike_fails("aes128-sha256-modp2048-modp1536", 0,
		  "ike proposal \"aes128-sha256-modp2048-modp1536\": \"modp1536\" is a weak "
		  "group: add \"weak-groups yes\" to allow it");
	esp_fails("aes128gcm16-modp1024", 0, PROPOSAL_PFS_UNSET,
		  "esp proposal \"aes128gcm16-modp1024\": \"modp1024\" is a weak group: add "
		  "\"weak-groups yes\" to allow it");
	assert_int_equal(esp_one("aes128gcm16-modp1024", PROPOSAL_WEAK_GROUPS).group, 2);
	/* the sha1 flag is no weak-groups flag */
	ike_fails("aes128-sha256-modp1024", PROPOSAL_SHA1,
		  "ike proposal \"aes128-sha256-modp1024\": \"modp1024\" is a weak group: add "
		  "\"weak-groups yes\" to allow it");

	assert_int_equal(proposal_group_parse("pfs", "modp1024", 0, &group, &err), -EINVAL);
	assert_string_equal(err.text, "pfs: \"modp1024\" is a weak group: add \"weak-groups "
			    "yes\" to allow it");
	assert_int_equal(group, 0);
	assert_int_equal(proposal_group_parse("pfs", "modp1024", PROPOSAL_WEAK_GROUPS, &group,
					      &err), 0);
	assert_int_equal(group, 2);
	assert_int_equal(proposal_group_parse("pfs", "x25519", 0, &group, &err), 0);
	assert_int_equal(group, 31);
	assert_int_equal(proposal_group_parse("pfs", "modp9", 0, &group, &err), -EINVAL);
	assert_string_equal(err.text, "pfs: unknown DH group \"modp9\"");
	assert_string_equal(proposal_group_name(14), "modp2048");
	assert_string_equal(proposal_group_name(31), "curve25519");
	assert_null(proposal_group_name(99));
}

static void test_sha1_gated(void **state)
{
	(void)state;
	ike_fails("aes128-sha1-modp2048", 0,
		  "ike proposal \"aes128-sha1-modp2048\": \"sha1\" is weak: add \"allow-sha1 "
		  "yes\" to allow it");
	ike_fails("aes128-sha1-modp2048", PROPOSAL_WEAK_GROUPS,
		  "ike proposal \"aes128-sha1-modp2048\": \"sha1\" is weak: add \"allow-sha1 "
		  "yes\" to allow it");
	esp_fails("aes128-sha256-sha1", 0, PROPOSAL_PFS_UNSET,
		  "esp proposal \"aes128-sha256-sha1\": \"sha1\" is weak: add \"allow-sha1 "
		  "yes\" to allow it");
	assert_int_equal(esp_ok("aes128-sha256-sha1", PROPOSAL_SHA1, PROPOSAL_PFS_UNSET).count,
			 2);
}

static void test_esp_errors(void **state)
{
	const int unset = PROPOSAL_PFS_UNSET;

	(void)state;
	esp_fails("aes128gcm16-sha256", 0, unset,
		  "esp proposal \"aes128gcm16-sha256\": AEAD \"aes128gcm16\" takes no integrity "
		  "algorithm, not \"sha256\"");
	esp_fails("aes128", 0, unset,
		  "esp proposal \"aes128\": \"aes128\" needs an integrity algorithm (sha256, "
		  "sha384 or sha512)");
	esp_fails("null", 0, unset,
		  "esp proposal \"null\": \"null\" needs an integrity algorithm (sha256, sha384 "
		  "or sha512)");
	esp_fails("aes128-aes128gcm16-sha256", 0, unset,
		  "esp proposal \"aes128-aes128gcm16-sha256\": \"aes128\" and \"aes128gcm16\" "
		  "cannot be combined: one is an AEAD");
	esp_fails("aes128-md5", 0, unset,
		  "esp proposal \"aes128-md5\": unknown integrity algorithm \"md5\"");
	esp_fails("aes128gcm8", 0, unset,
		  "esp proposal \"aes128gcm8\": unknown encryption algorithm \"aes128gcm8\"");
	esp_fails("aes128gcm16-md5", 0, unset,
		  "esp proposal \"aes128gcm16-md5\": unknown algorithm \"md5\"");
	esp_fails("aes128gcm16-esn-modp2048", 0, unset,
		  "esp proposal \"aes128gcm16-esn-modp2048\": \"modp2048\" out of place: the "
		  "order is ENC[-INTEG][-GROUP][-esn]");
	esp_fails("sha256", 0, unset, "esp proposal \"sha256\": no encryption algorithm");
	esp_fails("aes128gcm-aes128gcm16", 0, unset,
		  "esp proposal \"aes128gcm-aes128gcm16\": \"aes128gcm16\" given twice");
}

static void test_pfs_rule(void **state)
{
	struct esp_proposals l;

	(void)state;
	/* a group in the proposal is its PFS group */
	l = esp_ok("aes128gcm16-modp2048,aes128-sha256-modp2048", 0, PROPOSAL_PFS_UNSET);
	assert_int_equal(l.p[0].group, 14);
	assert_int_equal(l.p[1].group, 14);
	/* "pfs GROUP" fills the proposals that have none */
	l = esp_ok("aes128gcm16,aes128-sha256-ecp256", 0, 19);
	assert_int_equal(l.count, 2);
	assert_int_equal(l.p[0].group, 19);
	assert_int_equal(l.p[1].group, 19);
	l = esp_ok("aes128gcm16", 0, 14);
	assert_int_equal(l.p[0].group, 14);
	/* "pfs no", or no pfs word, and no group: no PFS */
	l = esp_ok("aes128gcm16,aes128-sha256", 0, PROPOSAL_PFS_NO);
	assert_int_equal(l.p[0].group, 0);
	assert_int_equal(l.p[1].group, 0);

	esp_fails("aes128gcm16,aes128-sha256-modp2048", 0, PROPOSAL_PFS_NO,
		  "esp proposal \"aes128-sha256-modp2048\": PFS group \"modp2048\", but \"pfs "
		  "no\"");
	/* one KE payload in Quick Mode: one group for every proposal */
	esp_fails("aes128gcm16-modp2048,aes128-sha256-ecp256", 0, PROPOSAL_PFS_UNSET,
		  "esp proposals differ in PFS group (modp2048, ecp256): Quick Mode sends one "
		  "key exchange for all of them");
	esp_fails("aes128gcm16-modp2048,aes128-sha256", 0, PROPOSAL_PFS_UNSET,
		  "esp proposals differ in PFS group (modp2048, none): Quick Mode sends one key "
		  "exchange for all of them");
	esp_fails("aes128gcm16-modp2048-ecp256", 0, PROPOSAL_PFS_UNSET,
		  "esp proposals differ in PFS group (modp2048, ecp256): Quick Mode sends one "
		  "key exchange for all of them");
	esp_fails("aes128gcm16-ecp256,aes128-sha256", 0, 14,
		  "esp proposals differ in PFS group (ecp256, modp2048): Quick Mode sends one "
		  "key exchange for all of them");
}

static void test_too_many_proposals(void **state)
{
	char text[1024] = "";

	(void)state;
	for (int i = 0; i < PROPOSALS_MAX; i++)
		strcat(text, i ? ",aes128-sha256-modp2048" : "aes128-sha256-modp2048");
	assert_int_equal(ike_ok(text, 0).count, PROPOSALS_MAX);
	strcat(text, ",aes256-sha256-modp2048");
	ike_fails(text, 0, "ike proposals: more than 16 with \"aes256-sha256-modp2048\"");
	/* 3 x 3 x 2 = 18 */
	ike_fails("aes128-aes192-aes256-sha256-sha384-sha512-modp2048-ecp256", 0,
		  "ike proposals: more than 16 with "
		  "\"aes128-aes192-aes256-sha256-sha384-sha512-modp2048-ecp256\"");
	/* 2 x 4 x 2 = 16 is the most */
	assert_int_equal(esp_ok("aes128-aes256-sha256-sha384-sha512-sha1-esn-noesn",
				PROPOSAL_SHA1, PROPOSAL_PFS_UNSET).count, 16);
	esp_fails("aes128gcm16,aes128-aes256-sha256-sha384-sha512-sha1-esn-noesn", PROPOSAL_SHA1,
		  PROPOSAL_PFS_UNSET, "esp proposals: more than 16 with "
		  "\"aes128-aes256-sha256-sha384-sha512-sha1-esn-noesn\"");
}

static void expect_kernel(const char *text, unsigned int flags, bool aead, const char *enc,
			  const char *auth, unsigned int enc_bytes, unsigned int auth_bytes,
			  unsigned int icv)
{
	struct esp_proposal p = esp_one(text, flags);
	struct esp_kernel_algs k;

	assert_int_equal(proposal_esp_kernel(&p, &k), 0);
	assert_int_equal(k.aead, aead);
	assert_string_equal(k.enc, enc);
	if (auth)
		assert_string_equal(k.auth, auth);
	else
		assert_null(k.auth);
	assert_int_equal(k.enc_key_bytes, enc_bytes);
	assert_int_equal(k.auth_key_bytes, auth_bytes);
	assert_int_equal(k.icv_bits, icv);
}

static void test_esp_kernel(void **state)
{
	struct esp_proposal bad = { .transform = 3 };
	struct esp_kernel_algs k;

	(void)state;
	expect_kernel("aes128gcm16", 0, true, "gcm-aes", NULL, 20, 0, 128);
	expect_kernel("aes192gcm16", 0, true, "gcm-aes", NULL, 28, 0, 128);
	expect_kernel("aes256gcm16", 0, true, "gcm-aes", NULL, 36, 0, 128);
	expect_kernel("chacha20poly1305", 0, true, "chacha20-poly1305", NULL, 36, 0, 128);
	expect_kernel("aes128-sha256", 0, false, "aes-cbc", "sha256", 16, 32, 128);
	expect_kernel("aes256-sha384", 0, false, "aes-cbc", "sha384", 32, 48, 192);
	expect_kernel("aes192-sha512", 0, false, "aes-cbc", "sha512", 24, 64, 256);
	expect_kernel("null-sha256", 0, false, "null", "sha256", 0, 32, 128);
	expect_kernel("aes128-sha1", PROPOSAL_SHA1, false, "aes-cbc", "sha1", 16, 20, 96);

	assert_int_equal(proposal_esp_kernel(&bad, &k), -EINVAL);
	bad = (struct esp_proposal){ .transform = ESP_AES_CBC, .enc_bits = 100, .auth = 5 };
	assert_int_equal(proposal_esp_kernel(&bad, &k), -EINVAL);
	bad = (struct esp_proposal){ .transform = ESP_AES_CBC, .enc_bits = 128 };
	assert_int_equal(proposal_esp_kernel(&bad, &k), -EINVAL);
	bad = (struct esp_proposal){ .transform = ESP_AES_GCM_16, .enc_bits = 128, .auth = 5 };
	assert_int_equal(proposal_esp_kernel(&bad, &k), -EINVAL);
}

/* --- tunnel words ------------------------------------------------------------------------- */

/* A PSK tunnel with nothing but the words it needs. */
#define PSK_BASE "t1", "local", "192.0.2.1", "remote", "192.0.2.2", "local-ts", "10.0.1.0/24", \
		 "remote-ts", "10.0.2.0/24", "auth", "psk", "psk", "s3cret"

static struct tunnel tunnel_ok(int argc, char **argv)
{
	char err[256] = "";
	struct tunnel t;

	memset(&t, SENTINEL, sizeof(t));
	if (tunnel_parse(argv, argc, &t, err, sizeof(err)) < 0)
		fail_msg("tunnel refused: %s", err);
	return t;
}

/* Expects the exact message, and *t left alone. */
static void tunnel_fails(const char *want, int argc, char **argv)
{
	char err[256] = "";
	struct tunnel t, untouched;

	memset(&t, SENTINEL, sizeof(t));
	memset(&untouched, SENTINEL, sizeof(untouched));
	assert_int_equal(tunnel_parse(argv, argc, &t, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, want);
	assert_memory_equal(&t, &untouched, sizeof(t));
}

#define TUNNEL_OK(...) tunnel_ok(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))
#define TUNNEL_FAILS(want, ...) tunnel_fails(want, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

static void expect_addr(uint16_t family, const uint8_t *addr, const char *text)
{
	uint8_t want[16] = { 0 };

	assert_int_equal(inet_pton(family, text, want), 1);
	assert_memory_equal(addr, want, sizeof(want));
}

static void expect_ts(const struct tunnel_ts *ts, uint16_t family, const char *addr,
		      unsigned int len, unsigned int proto, unsigned int port)
{
	assert_int_equal(ts->family, family);
	expect_addr(family, ts->addr, addr);
	assert_int_equal(ts->len, len);
	assert_int_equal(ts->proto, proto);
	assert_int_equal(ts->port, port);
}

static void expect_id(const struct tunnel_id *id, unsigned int type, const void *data,
		      size_t len)
{
	assert_int_equal(id->type, type);
	assert_int_equal(id->len, len);
	assert_memory_equal(id->data, data, len);
}

static void test_tunnel_psk_full(void **state)
{
	struct tunnel t = TUNNEL_OK("moon-sun", "local", "192.0.2.1", "remote", "198.51.100.2",
				    "local-ts", "10.0.1.0/24,10.0.3.0/24[tcp/80]",
				    "remote-ts", "10.0.2.0/24[udp]", "auth", "psk",
				    "psk", "0xdeadBEEF", "local-id", "moon.example.org",
				    "remote-id", "carol@example.org",
				    "ike", "aes256-sha384-ecp384", "esp", "aes256gcm16-esn",
				    "pfs", "ecp384", "mode", "aggressive", "encap", "tunnel",
				    "ike-lifetime", "4h", "lifetime", "30m", "lifebytes", "100M",
				    "rekey-margin", "5m", "auto", "start", "weak-groups", "no",
				    "allow-sha1", "no", "reqid", "7");
	static const uint8_t psk[] = { 0xde, 0xad, 0xbe, 0xef };

	(void)state;
	assert_string_equal(t.name, "moon-sun");
	assert_int_equal(t.local.family, AF_INET);
	expect_addr(AF_INET, t.local.addr, "192.0.2.1");
	assert_int_equal(t.remote.family, AF_INET);
	expect_addr(AF_INET, t.remote.addr, "198.51.100.2");
	assert_false(t.remote_any);
	assert_int_equal(t.local_ts_count, 2);
	expect_ts(&t.local_ts[0], AF_INET, "10.0.1.0", 24, 0, 0);
	expect_ts(&t.local_ts[1], AF_INET, "10.0.3.0", 24, IPPROTO_TCP, 80);
	assert_int_equal(t.remote_ts_count, 1);
	expect_ts(&t.remote_ts[0], AF_INET, "10.0.2.0", 24, IPPROTO_UDP, 0);
	assert_int_equal(t.auth, TUNNEL_AUTH_PSK);
	assert_int_equal(t.psk_len, sizeof(psk));
	assert_memory_equal(t.psk, psk, sizeof(psk));
	assert_string_equal(t.psk_file, "");
	assert_string_equal(t.cert, "");
	expect_id(&t.local_id, TUNNEL_ID_FQDN, "moon.example.org", 16);
	expect_id(&t.remote_id, TUNNEL_ID_USER_FQDN, "carol@example.org", 17);
	assert_int_equal(t.ike.count, 1);
	expect_ike(&t.ike.p[0], 256, IKE_HASH_SHA2_384, 20);
	assert_int_equal(t.esp.count, 1);
	expect_esp(&t.esp.p[0], ESP_AES_GCM_16, 256, ESP_AUTH_NONE, 20, true);
	assert_int_equal(t.pfs, 20);
	assert_true(t.aggressive);
	assert_int_equal(t.encap, NFSEC_MODE_TUNNEL);
	assert_int_equal(t.ike_lifetime, 4 * 3600);
	assert_int_equal(t.lifetime, 30 * 60);
	assert_int_equal(t.lifebytes, 100ull << 20);
	assert_int_equal(tunnel_lifebytes_kb(&t), 100 * 1024);
	assert_int_equal(t.rekey_margin, 300);
	assert_int_equal(t.auto_mode, TUNNEL_AUTO_START);
	assert_false(t.weak_groups);
	assert_false(t.allow_sha1);
	assert_int_equal(t.reqid, 7);
}

static void test_tunnel_cert_full(void **state)
{
	struct tunnel t = TUNNEL_OK("v6", "auth", "cert", "cert", "/etc/nfsec/moon.pem",
				    "key", "/etc/nfsec/moon.key", "ca", "/etc/nfsec/ca.pem",
				    "local", "2001:db8::1", "remote", "2001:db8::2",
				    "local-ts", "fd00:1::/64,10.0.1.0/24",
				    "remote-ts", "10.0.2.0/24,fd00:2::/64",
				    "local-id", "C=CH, O=strongSwan, CN=moon",
				    "remote-id", "keyid:0x0102a0", "encap", "tunnel",
				    "ike", "aes128-sha1-modp1024,aes256-sha512-curve25519",
				    "esp", "aes128-sha1,chacha20poly1305",
				    "weak-groups", "yes", "allow-sha1", "yes");
	static const uint8_t keyid[] = { 1, 2, 0xa0 };

	(void)state;
	assert_int_equal(t.local.family, AF_INET6);
	expect_addr(AF_INET6, t.local.addr, "2001:db8::1");
	expect_addr(AF_INET6, t.remote.addr, "2001:db8::2");
	/* IPv6 and IPv4 over an IPv6 tunnel: each paired with its family */
	assert_int_equal(t.local_ts_count, 2);
	expect_ts(&t.local_ts[0], AF_INET6, "fd00:1::", 64, 0, 0);
	expect_ts(&t.local_ts[1], AF_INET, "10.0.1.0", 24, 0, 0);
	expect_ts(&t.remote_ts[1], AF_INET6, "fd00:2::", 64, 0, 0);
	assert_int_equal(t.auth, TUNNEL_AUTH_CERT);
	assert_string_equal(t.cert, "/etc/nfsec/moon.pem");
	assert_string_equal(t.key, "/etc/nfsec/moon.key");
	assert_string_equal(t.ca, "/etc/nfsec/ca.pem");
	assert_int_equal(t.psk_len, 0);
	expect_id(&t.local_id, TUNNEL_ID_DER_ASN1_DN, "C=CH, O=strongSwan, CN=moon", 27);
	expect_id(&t.remote_id, TUNNEL_ID_KEY_ID, keyid, sizeof(keyid));
	assert_int_equal(t.ike.count, 2);
	expect_ike(&t.ike.p[0], 128, IKE_HASH_SHA1, 2);
	expect_ike(&t.ike.p[1], 256, IKE_HASH_SHA2_512, 31);
	assert_int_equal(t.esp.count, 2);
	expect_esp(&t.esp.p[0], ESP_AES_CBC, 128, ESP_AUTH_HMAC_SHA1, 0, false);
	expect_esp(&t.esp.p[1], ESP_CHACHA20_POLY1305, 256, ESP_AUTH_NONE, 0, false);
	assert_true(t.weak_groups);
	assert_true(t.allow_sha1);
}

static void test_tunnel_defaults(void **state)
{
	struct tunnel t = TUNNEL_OK(PSK_BASE);

	(void)state;
	assert_int_equal(t.psk_len, 6);
	assert_memory_equal(t.psk, "s3cret", 6);
	expect_id(&t.local_id, TUNNEL_ID_IPV4_ADDR, "\xc0\x00\x02\x01", 4);
	expect_id(&t.remote_id, TUNNEL_ID_IPV4_ADDR, "\xc0\x00\x02\x02", 4);
	assert_int_equal(t.ike.count, 2);
	expect_ike(&t.ike.p[0], 128, IKE_HASH_SHA2_256, 14);
	expect_ike(&t.ike.p[1], 256, IKE_HASH_SHA2_256, 14);
	assert_int_equal(t.esp.count, 2);
	expect_esp(&t.esp.p[0], ESP_AES_GCM_16, 128, ESP_AUTH_NONE, 0, false);
	expect_esp(&t.esp.p[1], ESP_AES_CBC, 128, ESP_AUTH_HMAC_SHA2_256, 0, false);
	assert_int_equal(t.pfs, 0);
	assert_false(t.aggressive);
	assert_int_equal(t.encap, NFSEC_MODE_TUNNEL);
	assert_int_equal(t.ike_lifetime, 8 * 3600);
	assert_int_equal(t.lifetime, 3600);
	assert_int_equal(t.lifebytes, 0);
	assert_int_equal(tunnel_lifebytes_kb(&t), 0);
	assert_int_equal(t.rekey_margin, 9 * 60);
	assert_int_equal(t.auto_mode, TUNNEL_AUTO_TRAP);
	assert_false(t.weak_groups);
	assert_false(t.allow_sha1);
	assert_int_equal(t.reqid, 0);
	assert_int_equal(t.dpd, 0);
	assert_int_equal(t.dpd_timeout, 30);
	assert_false(t.dpd_periodic);
	assert_int_equal(t.dpd_action, TUNNEL_DPD_CLEAR);
	assert_int_equal(t.nat_t, TUNNEL_NAT_T_YES);
	assert_int_equal(t.nat_keepalive, 20);
}

/* Dead peer detection's words: on with dpd, the others only with it, and written back. */
static void test_tunnel_dpd(void **state)
{
	struct tunnel t = TUNNEL_OK(PSK_BASE, "dpd", "10s", "dpd-timeout", "1m", "dpd-mode",
				    "periodic", "dpd-action", "restart");
	char buf[TUNNEL_TEXT_MAX];

	(void)state;
	assert_int_equal(t.dpd, 10);
	assert_int_equal(t.dpd_timeout, 60);
	assert_true(t.dpd_periodic);
	assert_int_equal(t.dpd_action, TUNNEL_DPD_RESTART);
	assert_true(tunnel_format(&t, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, " auto trap dpd 10s dpd-timeout 1m dpd-mode periodic "
				    "dpd-action restart"));
	assert_true(tunnel_serialize(&t, buf, sizeof(buf)) > 0);
	t = TUNNEL_OK(PSK_BASE, "dpd", "5", "dpd-action", "hold");
	assert_int_equal(t.dpd_action, TUNNEL_DPD_HOLD);
	assert_false(t.dpd_periodic);
	assert_true(tunnel_format(&t, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, " dpd 5s dpd-timeout 30s dpd-mode on-demand "
				    "dpd-action hold"));
	/* off: no dpd word written */
	t = TUNNEL_OK(PSK_BASE, "dpd", "0");
	assert_true(tunnel_format(&t, buf, sizeof(buf)) > 0);
	assert_null(strstr(buf, "dpd"));
	TUNNEL_FAILS("\"dpd-timeout\" needs \"dpd\" (a delay above 0)", PSK_BASE,
		     "dpd-timeout", "10s");
	TUNNEL_FAILS("\"dpd-action\" needs \"dpd\" (a delay above 0)", PSK_BASE, "dpd", "0",
		     "dpd-action", "restart");
	TUNNEL_FAILS("\"dpd-mode\" needs \"dpd\" (a delay above 0)", PSK_BASE,
		     "dpd-mode", "periodic");
	TUNNEL_FAILS("invalid dpd-timeout \"0\": must be more than 0", PSK_BASE,
		     "dpd", "1", "dpd-timeout", "0");
	TUNNEL_FAILS("\"dpd-action\" needs clear, hold or restart, not \"stop\"", PSK_BASE,
		     "dpd", "1", "dpd-action", "stop");
	TUNNEL_FAILS("\"dpd-action restart\" needs a remote address: a tunnel to %any only "
		     "answers", "t1", "local", "192.0.2.1", "remote", "%any", "local-ts",
		     "10.0.1.0/24", "auth", "psk", "psk", "s3cret", "dpd", "10", "dpd-action",
		     "restart");
}

/* NAT traversal's words: written back only when not the defaults (yes, 20 s). */
static void test_tunnel_nat(void **state)
{
	struct tunnel t = TUNNEL_OK(PSK_BASE, "nat-t", "force", "nat-keepalive", "2");
	char buf[TUNNEL_TEXT_MAX];

	(void)state;
	assert_int_equal(t.nat_t, TUNNEL_NAT_T_FORCE);
	assert_int_equal(t.nat_keepalive, 2);
	assert_true(tunnel_format(&t, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, " nat-t force nat-keepalive 2s"));
	t = TUNNEL_OK(PSK_BASE, "nat-t", "no", "nat-keepalive", "0");
	assert_int_equal(t.nat_t, TUNNEL_NAT_T_NO);
	assert_int_equal(t.nat_keepalive, 0);
	assert_true(tunnel_format(&t, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, " nat-t no nat-keepalive 0s"));
	t = TUNNEL_OK(PSK_BASE, "nat-t", "yes", "nat-keepalive", "20s");
	assert_true(tunnel_format(&t, buf, sizeof(buf)) > 0);
	assert_null(strstr(buf, "nat-"));
	TUNNEL_FAILS("\"nat-t\" needs yes, no or force, not \"maybe\"", PSK_BASE, "nat-t",
		     "maybe");
	TUNNEL_FAILS("\"nat-t force\" needs IPv4 addresses: ESP in UDP is IPv4 only", "t6",
		     "local", "2001:db8::1", "remote", "2001:db8::2", "encap", "transport", "auth",
		     "psk", "psk", "x", "nat-t", "force");
}

static void test_tunnel_transport(void **state)
{
	struct tunnel t = TUNNEL_OK("tr", "local", "192.0.2.1", "remote", "192.0.2.2",
				    "encap", "transport", "auth", "psk", "psk", "x");

	(void)state;
	assert_int_equal(t.encap, NFSEC_MODE_TRANSPORT);
	assert_int_equal(t.local_ts_count, 1);
	expect_ts(&t.local_ts[0], AF_INET, "192.0.2.1", 32, 0, 0);
	assert_int_equal(t.remote_ts_count, 1);
	expect_ts(&t.remote_ts[0], AF_INET, "192.0.2.2", 32, 0, 0);

	t = TUNNEL_OK("tr", "local", "2001:db8::1", "remote", "2001:db8::2", "encap",
		      "transport", "auth", "psk", "psk", "x", "remote-ts", "2001:db8::2[tcp/22]");
	expect_ts(&t.local_ts[0], AF_INET6, "2001:db8::1", 128, 0, 0);
	expect_ts(&t.remote_ts[0], AF_INET6, "2001:db8::2", 128, IPPROTO_TCP, 22);

	TUNNEL_FAILS("with \"encap transport\", local-ts 10.0.1.0/24 must be the local address "
		     "192.0.2.1", PSK_BASE, "encap", "transport");
	TUNNEL_FAILS("with \"encap transport\", remote-ts 192.0.2.3/32 must be the remote "
		     "address 192.0.2.2", "tr", "local", "192.0.2.1", "remote", "192.0.2.2",
		     "encap", "transport", "auth", "psk", "psk", "x", "remote-ts", "192.0.2.3");
	TUNNEL_FAILS("\"encap\" needs tunnel or transport, not \"beet\"", PSK_BASE, "encap",
		     "beet");
}

static void test_tunnel_missing(void **state)
{
	(void)state;
	tunnel_fails("tunnel needs a NAME", 0, ARGV(NULL));
	TUNNEL_FAILS("tunnel needs \"local ADDR\"", "t", "remote", "192.0.2.2", "local-ts",
		     "10.0.1.0/24", "remote-ts", "10.0.2.0/24", "auth", "psk", "psk", "x");
	TUNNEL_FAILS("tunnel needs \"remote ADDR\"", "t", "local", "192.0.2.1", "local-ts",
		     "10.0.1.0/24", "remote-ts", "10.0.2.0/24", "auth", "psk", "psk", "x");
	TUNNEL_FAILS("tunnel needs \"local-ts PREFIX[,PREFIX...]\" (with \"encap tunnel\")",
		     "t", "local", "192.0.2.1", "remote", "192.0.2.2", "remote-ts",
		     "10.0.2.0/24", "auth", "psk", "psk", "x");
	TUNNEL_FAILS("tunnel needs \"remote-ts PREFIX[,PREFIX...]\" (with \"encap tunnel\")",
		     "t", "local", "192.0.2.1", "remote", "192.0.2.2", "local-ts",
		     "10.0.1.0/24", "auth", "psk", "psk", "x");
	TUNNEL_FAILS("tunnel needs \"auth psk\" or \"auth cert\"", "t", "local", "192.0.2.1",
		     "remote", "192.0.2.2", "local-ts", "10.0.1.0/24", "remote-ts",
		     "10.0.2.0/24", "psk", "x");
	TUNNEL_FAILS("\"auth psk\" needs \"psk SECRET\"", "t", "local", "192.0.2.1", "remote",
		     "192.0.2.2", "local-ts", "10.0.1.0/24", "remote-ts", "10.0.2.0/24", "auth",
		     "psk");
#define CERT_BASE "t", "local", "192.0.2.1", "remote", "192.0.2.2", "local-ts", "10.0.1.0/24", \
		  "remote-ts", "10.0.2.0/24", "auth", "cert"
	TUNNEL_FAILS("\"auth cert\" needs \"cert PATH\"", CERT_BASE, "key", "/k", "ca", "/c");
	TUNNEL_FAILS("\"auth cert\" needs \"key PATH\"", CERT_BASE, "cert", "/c", "ca", "/c");
	TUNNEL_FAILS("\"auth cert\" needs \"ca PATH\"", CERT_BASE, "cert", "/c", "key", "/k");
	TUNNEL_FAILS("\"psk\" is for \"auth psk\", not \"auth cert\"", CERT_BASE, "cert", "/c",
		     "key", "/k", "ca", "/c", "psk", "x");
	TUNNEL_FAILS("\"cert\" is for \"auth cert\", not \"auth psk\"", PSK_BASE, "cert", "/c");
	TUNNEL_FAILS("\"key\" is for \"auth cert\", not \"auth psk\"", PSK_BASE, "key", "/k");
	TUNNEL_FAILS("\"ca\" is for \"auth cert\", not \"auth psk\"", PSK_BASE, "ca", "/c");
#undef CERT_BASE
}

#define CERT_WORDS "t", "local", "192.0.2.1", "remote", "192.0.2.2", "local-ts", \
		   "10.0.1.0/24", "remote-ts", "10.0.2.0/24", "auth", "cert", "cert", "/c", \
		   "key", "/k", "ca", "/c"

/* Aggressive mode would authenticate a certificate peer by a HASH_I anyone can compute. */
static void test_tunnel_cert_main_mode_only(void **state)
{
	(void)state;
	TUNNEL_FAILS("\"auth cert\" cannot use \"mode aggressive\": certificates are "
		     "authenticated in main mode only", CERT_WORDS, "remote-id", "dn:CN=sun",
		     "mode", "aggressive");
	assert_false(TUNNEL_OK(CERT_WORDS, "remote-id", "dn:CN=sun", "mode", "main").aggressive);
	assert_true(TUNNEL_OK(PSK_BASE, "mode", "aggressive").aggressive);
}

/* Without a remote-id any certificate the CA signed would be taken: it must be said. */
static void test_tunnel_cert_needs_remote_id(void **state)
{
	struct tunnel t;

	(void)state;
	TUNNEL_FAILS("\"auth cert\" needs \"remote-id ID\", the identity the peer's "
		     "certificate must hold (\"remote-id %any\" takes any the ca signed)",
		     CERT_WORDS);
	t = TUNNEL_OK(CERT_WORDS, "remote-id", "%any");
	assert_int_equal(t.remote_id.type, TUNNEL_ID_ANY);
	t = TUNNEL_OK(CERT_WORDS, "remote-id", "dn:C=CH, CN=sun");
	assert_int_equal(t.remote_id.type, TUNNEL_ID_DER_ASN1_DN);
}

/* A psk file: write it with mode, load it into t; what tunnel_psk_load() returned. */
static int psk_file_load(const char *dir, const char *text, size_t len, mode_t mode,
			 struct tunnel *t, char *err, size_t errlen)
{
	char word[300];
	FILE *f;

	snprintf(word, sizeof(word), "file:%s/psk", dir);
	*t = TUNNEL_OK("t1", "local", "192.0.2.1", "remote", "192.0.2.2", "local-ts",
		       "10.0.1.0/24", "remote-ts", "10.0.2.0/24", "auth", "psk", "psk", word);
	f = fopen(t->psk_file, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	assert_int_equal(chmod(t->psk_file, mode), 0);
	err[0] = '\0';
	return tunnel_psk_load(t, err, errlen);
}

/* A psk file others can read, or longer than the limit: refused, the file named. */
static void test_psk_file(void **state)
{
	char dir[] = "/tmp/nfsec-test-psk-XXXXXX", err[512], want[512], text[200];
	struct tunnel t;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(psk_file_load(dir, "sesame\n", 7, 0600, &t, err, sizeof(err)), 0);
	assert_int_equal(t.psk_len, 6);
	assert_memory_equal(t.psk, "sesame", 6);

	assert_int_equal(psk_file_load(dir, "sesame\n", 7, 0644, &t, err, sizeof(err)),
			 -EACCES);
	snprintf(want, sizeof(want), "psk file %s/psk: readable by group or others (mode "
		 "0644): chmod 600 it", dir);
	assert_string_equal(err, want);
	assert_int_equal(t.psk_len, 0);
	assert_int_equal(psk_file_load(dir, "sesame", 6, 0640, &t, err, sizeof(err)), -EACCES);

	/* TUNNEL_PSK_MAX bytes (and a line end) fit; one more is refused, never cut */
	memset(text, 'k', sizeof(text));
	text[TUNNEL_PSK_MAX] = '\n';
	assert_int_equal(psk_file_load(dir, text, TUNNEL_PSK_MAX + 1, 0600, &t, err,
				       sizeof(err)), 0);
	assert_int_equal(t.psk_len, TUNNEL_PSK_MAX);
	assert_int_equal(psk_file_load(dir, text, TUNNEL_PSK_MAX + 1 + 1, 0600, &t, err,
				       sizeof(err)), -EINVAL);
	text[TUNNEL_PSK_MAX] = 'k';
	assert_int_equal(psk_file_load(dir, text, sizeof(text), 0400, &t, err, sizeof(err)),
			 -EINVAL);
	snprintf(want, sizeof(want), "psk file %s/psk: longer than 128 bytes", dir);
	assert_string_equal(err, want);
	assert_int_equal(t.psk_len, 0);
	assert_int_equal(chmod(t.psk_file, 0600), 0);
	assert_int_equal(unlink(t.psk_file), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void test_tunnel_cross_checks(void **state)
{
	(void)state;
	TUNNEL_FAILS("local 192.0.2.1 is IPv4, remote 2001:db8::2 IPv6: both must be of one "
		     "family", "t", "local", "192.0.2.1", "remote", "2001:db8::2", "local-ts",
		     "10.0.1.0/24", "remote-ts", "10.0.2.0/24", "auth", "psk", "psk", "x");
	TUNNEL_FAILS("local-ts fd00::/64 has no IPv6 remote-ts to pair with", "t", "local",
		     "192.0.2.1", "remote", "192.0.2.2", "local-ts", "10.0.1.0/24,fd00::/64",
		     "remote-ts", "10.0.2.0/24", "auth", "psk", "psk", "x");
	TUNNEL_FAILS("remote-ts 10.0.2.0/24 has no IPv4 local-ts to pair with", "t", "local",
		     "192.0.2.1", "remote", "192.0.2.2", "local-ts", "fd00::/64", "remote-ts",
		     "10.0.2.0/24,fd01::/64", "auth", "psk", "psk", "x");
	TUNNEL_FAILS("\"rekey-margin\" 1h must be below \"lifetime\" 1h", PSK_BASE,
		     "rekey-margin", "60m");
	TUNNEL_FAILS("\"rekey-margin\" 10m must be below \"lifetime\" 5m", PSK_BASE,
		     "lifetime", "300", "rekey-margin", "10m");
	TUNNEL_FAILS("\"rekey-margin\" 9m must be below \"lifetime\" 9m", PSK_BASE,
		     "lifetime", "9m");
	TUNNEL_FAILS("\"rekey-margin\" 2h must be below \"ike-lifetime\" 1h", PSK_BASE,
		     "lifetime", "3h", "ike-lifetime", "1h", "rekey-margin", "2h");
	assert_int_equal(TUNNEL_OK(PSK_BASE, "rekey-margin", "0").rekey_margin, 0);
	assert_int_equal(TUNNEL_OK(PSK_BASE, "lifetime", "541").lifetime, 541);

	/* the gates reach the proposals wherever the words stand */
	TUNNEL_FAILS("ike proposal \"aes128-sha256-modp1024\": \"modp1024\" is a weak group: "
		     "add \"weak-groups yes\" to allow it", PSK_BASE, "ike",
		     "aes128-sha256-modp1024");
	assert_int_equal(TUNNEL_OK(PSK_BASE, "ike", "aes128-sha256-modp1024", "weak-groups",
				   "yes").ike.p[0].group, 2);
	assert_int_equal(TUNNEL_OK("t", "weak-groups", "yes", "local", "192.0.2.1", "remote",
				   "192.0.2.2", "local-ts", "10.0.1.0/24", "remote-ts",
				   "10.0.2.0/24", "auth", "psk", "psk", "x", "ike",
				   "aes128-sha256-modp1024").ike.p[0].group, 2);
	TUNNEL_FAILS("esp proposal \"aes128-sha1\": \"sha1\" is weak: add \"allow-sha1 yes\" to "
		     "allow it", PSK_BASE, "esp", "aes128-sha1");
	TUNNEL_FAILS("ike proposal \"aes128-sha1-modp2048\": \"sha1\" is weak: add \"allow-sha1 "
		     "yes\" to allow it", PSK_BASE, "ike", "aes128-sha1-modp2048",
		     "weak-groups", "yes");
	assert_int_equal(TUNNEL_OK(PSK_BASE, "allow-sha1", "yes", "ike",
				   "aes128-sha1-modp2048").ike.p[0].hash, IKE_HASH_SHA1);

	/* aggressive mode sends one KE: one group */
	TUNNEL_FAILS("\"mode aggressive\" sends one key exchange: the ike proposals must share "
		     "one DH group, not modp2048 and ecp256", PSK_BASE, "mode", "aggressive",
		     "ike", "aes128-sha256-modp2048-ecp256");
	assert_true(TUNNEL_OK(PSK_BASE, "mode", "aggressive").aggressive);
	TUNNEL_FAILS("\"mode\" needs main or aggressive, not \"quick\"", PSK_BASE, "mode",
		     "quick");
}

static void test_tunnel_pfs(void **state)
{
	struct tunnel t;

	(void)state;
	t = TUNNEL_OK(PSK_BASE, "pfs", "modp2048");
	assert_int_equal(t.pfs, 14);
	assert_int_equal(t.esp.p[0].group, 14);
	assert_int_equal(t.esp.p[1].group, 14);
	t = TUNNEL_OK(PSK_BASE, "esp", "aes256gcm16-ecp384");
	assert_int_equal(t.pfs, 20);
	t = TUNNEL_OK(PSK_BASE, "esp", "aes256gcm16-ecp384", "pfs", "ecp384");
	assert_int_equal(t.pfs, 20);
	t = TUNNEL_OK(PSK_BASE, "pfs", "no");
	assert_int_equal(t.pfs, 0);
	assert_int_equal(t.esp.p[0].group, 0);
	TUNNEL_FAILS("esp proposal \"aes256gcm16-ecp384\": PFS group \"ecp384\", but \"pfs no\"",
		     PSK_BASE, "pfs", "no", "esp", "aes256gcm16-ecp384");
	TUNNEL_FAILS("esp proposals differ in PFS group (ecp384, modp2048): Quick Mode sends "
		     "one key exchange for all of them", PSK_BASE, "pfs", "modp2048", "esp",
		     "aes256gcm16-ecp384,aes128gcm16");
	TUNNEL_FAILS("pfs: unknown DH group \"yes\"", PSK_BASE, "pfs", "yes");
	TUNNEL_FAILS("pfs: \"modp1536\" is a weak group: add \"weak-groups yes\" to allow it",
		     PSK_BASE, "pfs", "modp1536");
	assert_int_equal(TUNNEL_OK(PSK_BASE, "pfs", "modp1536", "weak-groups", "yes").pfs, 5);
}

static void duration_is(const char *kw, const char *word, uint32_t want)
{
	struct tunnel t = TUNNEL_OK(PSK_BASE, "rekey-margin", "0", (char *)kw, (char *)word);

	if (!strcmp(kw, "lifetime"))
		assert_int_equal(t.lifetime, want);
	else
		assert_int_equal(t.ike_lifetime, want);
}

static void test_tunnel_durations(void **state)
{
	(void)state;
	duration_is("lifetime", "90", 90);
	duration_is("lifetime", "90s", 90);
	duration_is("lifetime", "15m", 900);
	duration_is("lifetime", "2h", 7200);
	duration_is("ike-lifetime", "1d", 86400);
	duration_is("ike-lifetime", "007m", 420);
	duration_is("ike-lifetime", "4294967295", UINT32_MAX);
	duration_is("ike-lifetime", "4294967295s", UINT32_MAX);
	duration_is("ike-lifetime", "49710d", 49710u * 86400);

	TUNNEL_FAILS("invalid lifetime \"10x\": not a duration (N, Ns, Nm, Nh or Nd)", PSK_BASE,
		     "lifetime", "10x");
	TUNNEL_FAILS("invalid lifetime \"-1\": not a duration (N, Ns, Nm, Nh or Nd)", PSK_BASE,
		     "lifetime", "-1");
	TUNNEL_FAILS("invalid lifetime \"\": not a duration (N, Ns, Nm, Nh or Nd)", PSK_BASE,
		     "lifetime", "");
	TUNNEL_FAILS("invalid lifetime \"h\": not a duration (N, Ns, Nm, Nh or Nd)", PSK_BASE,
		     "lifetime", "h");
	TUNNEL_FAILS("invalid lifetime \"1hs\": not a duration (N, Ns, Nm, Nh or Nd)", PSK_BASE,
		     "lifetime", "1hs");
	TUNNEL_FAILS("invalid lifetime \"0x10\": not a duration (N, Ns, Nm, Nh or Nd)", PSK_BASE,
		     "lifetime", "0x10");
	TUNNEL_FAILS("invalid lifetime \"1H\": not a duration (N, Ns, Nm, Nh or Nd)", PSK_BASE,
		     "lifetime", "1H");
	TUNNEL_FAILS("invalid rekey-margin \"1 m\": not a duration (N, Ns, Nm, Nh or Nd)",
		     PSK_BASE, "rekey-margin", "1 m");
	TUNNEL_FAILS("invalid ike-lifetime \"4294967296\": more than 4294967295 seconds",
		     PSK_BASE, "ike-lifetime", "4294967296");
	TUNNEL_FAILS("invalid ike-lifetime \"49711d\": more than 4294967295 seconds", PSK_BASE,
		     "ike-lifetime", "49711d");
	TUNNEL_FAILS("invalid ike-lifetime \"99999999999999999999999h\": more than 4294967295 "
		     "seconds", PSK_BASE, "ike-lifetime", "99999999999999999999999h");
	TUNNEL_FAILS("invalid lifetime \"0\": must be more than 0", PSK_BASE, "lifetime", "0");
	TUNNEL_FAILS("invalid ike-lifetime \"0d\": must be more than 0", PSK_BASE,
		     "ike-lifetime", "0d");
}

static uint64_t lifebytes_of(const char *word)
{
	return TUNNEL_OK(PSK_BASE, "lifebytes", (char *)word).lifebytes;
}

static void test_tunnel_sizes(void **state)
{
	struct tunnel t;

	(void)state;
	assert_int_equal(lifebytes_of("1"), 1);
	assert_int_equal(lifebytes_of("1000"), 1000);
	assert_int_equal(lifebytes_of("4k"), 4096);
	assert_int_equal(lifebytes_of("4K"), 4096);
	assert_int_equal(lifebytes_of("3M"), 3ull << 20);
	assert_int_equal(lifebytes_of("5G"), 5ull << 30);
	assert_int_equal(lifebytes_of("18446744073709551615"), UINT64_MAX);
	assert_int_equal(lifebytes_of("17179869183G"), 17179869183ull << 30);

	/* kilobytes on the wire, rounded up */
	t = TUNNEL_OK(PSK_BASE, "lifebytes", "1");
	assert_int_equal(tunnel_lifebytes_kb(&t), 1);
	t = TUNNEL_OK(PSK_BASE, "lifebytes", "1024");
	assert_int_equal(tunnel_lifebytes_kb(&t), 1);
	t = TUNNEL_OK(PSK_BASE, "lifebytes", "1025");
	assert_int_equal(tunnel_lifebytes_kb(&t), 2);
	t = TUNNEL_OK(PSK_BASE, "lifebytes", "18446744073709551615");
	assert_int_equal(tunnel_lifebytes_kb(&t), (UINT64_MAX >> 10) + 1);

	TUNNEL_FAILS("invalid lifebytes \"10x\": not a size (N, Nk, NM or NG bytes)", PSK_BASE,
		     "lifebytes", "10x");
	TUNNEL_FAILS("invalid lifebytes \"-1\": not a size (N, Nk, NM or NG bytes)", PSK_BASE,
		     "lifebytes", "-1");
	TUNNEL_FAILS("invalid lifebytes \"1m\": not a size (N, Nk, NM or NG bytes)", PSK_BASE,
		     "lifebytes", "1m");
	TUNNEL_FAILS("invalid lifebytes \"1T\": not a size (N, Nk, NM or NG bytes)", PSK_BASE,
		     "lifebytes", "1T");
	TUNNEL_FAILS("invalid lifebytes \"0\": must be more than 0", PSK_BASE, "lifebytes", "0");
	TUNNEL_FAILS("invalid lifebytes \"18446744073709551616\": more than "
		     "18446744073709551615 bytes", PSK_BASE, "lifebytes", "18446744073709551616");
	TUNNEL_FAILS("invalid lifebytes \"17179869184G\": more than 18446744073709551615 bytes",
		     PSK_BASE, "lifebytes", "17179869184G");
}

static void test_tunnel_word_errors(void **state)
{
	(void)state;
	TUNNEL_FAILS("\"local\" given twice", PSK_BASE, "local", "192.0.2.9");
	TUNNEL_FAILS("\"esp\" given twice", PSK_BASE, "esp", "aes128gcm16", "esp",
		     "aes256gcm16");
	TUNNEL_FAILS("unknown word \"leftsubnet\" in tunnel", PSK_BASE, "leftsubnet",
		     "10.0.0.0/8");
	TUNNEL_FAILS("\"reqid\" needs a number", PSK_BASE, "reqid");
	TUNNEL_FAILS("invalid reqid \"x\": not a decimal or 0x-prefixed hex number", PSK_BASE,
		     "reqid", "x");
	/* the daemon's pairs are the tunnel's reqid times 256: a larger one would wrap */
	TUNNEL_FAILS("invalid reqid \"16777216\": out of range 0..16777215", PSK_BASE, "reqid",
		     "16777216");
	TUNNEL_FAILS("invalid local \"moon\": not an IPv4 or IPv6 address", "t", "local",
		     "moon");
	TUNNEL_FAILS("invalid remote \"10.0.0.0/8\": not an IPv4 or IPv6 address", "t",
		     "remote", "10.0.0.0/8");
	TUNNEL_FAILS("\"auth\" needs psk or cert, not \"rsa\"", "t", "auth", "rsa");
	TUNNEL_FAILS("\"auto\" needs trap, start or none, not \"add\"", PSK_BASE, "auto", "add");
	TUNNEL_FAILS("\"weak-groups\" needs yes or no, not \"1\"", PSK_BASE, "weak-groups", "1");
	TUNNEL_FAILS("\"allow-sha1\" needs yes or no, not \"true\"", PSK_BASE, "allow-sha1",
		     "true");
	TUNNEL_FAILS("invalid cert \"moon.pem\": not an absolute path", "t", "cert",
		     "moon.pem");
	TUNNEL_FAILS("invalid ca \"/a\"b\": a double quote or a control character in it", "t",
		     "ca", "/a\"b");
	assert_int_equal(TUNNEL_OK(PSK_BASE, "auto", "none").auto_mode, TUNNEL_AUTO_NONE);
	assert_int_equal(TUNNEL_OK(PSK_BASE, "reqid", "0x10").reqid, 16);
	assert_int_equal(TUNNEL_OK(PSK_BASE, "reqid", "16777215").reqid, 16777215);
}

static void test_tunnel_names(void **state)
{
	char long_name[TUNNEL_NAME_MAX + 2], want[128];

	(void)state;
	assert_string_equal(TUNNEL_OK("A-z_0.9", "local", "192.0.2.1", "remote", "192.0.2.2",
				      "local-ts", "10.0.1.0/24", "remote-ts", "10.0.2.0/24",
				      "auth", "psk", "psk", "x").name, "A-z_0.9");
	memset(long_name, 'n', sizeof(long_name));
	long_name[TUNNEL_NAME_MAX] = '\0';
	assert_string_equal(TUNNEL_OK(long_name, "local", "192.0.2.1", "remote", "192.0.2.2",
				      "local-ts", "10.0.1.0/24", "remote-ts", "10.0.2.0/24",
				      "auth", "psk", "psk", "x").name, long_name);
	long_name[TUNNEL_NAME_MAX] = 'n';
	long_name[TUNNEL_NAME_MAX + 1] = '\0';
	snprintf(want, sizeof(want), "invalid tunnel name \"%s\": 1 to 32 of A-Z a-z 0-9 _ . -",
		 long_name);
	TUNNEL_FAILS(want, long_name, "local", "192.0.2.1");
	TUNNEL_FAILS("invalid tunnel name \"a b\": 1 to 32 of A-Z a-z 0-9 _ . -", "a b");
	TUNNEL_FAILS("invalid tunnel name \"a/b\": 1 to 32 of A-Z a-z 0-9 _ . -", "a/b");
	TUNNEL_FAILS("invalid tunnel name \"\": 1 to 32 of A-Z a-z 0-9 _ . -", "");
	TUNNEL_FAILS("tunnel needs a NAME first, not the keyword \"local\"", "local",
		     "192.0.2.1", "remote", "192.0.2.2");
}

static struct tunnel_id id_of(const char *kw, const char *word)
{
	struct tunnel t = TUNNEL_OK(PSK_BASE, (char *)kw, (char *)word);

	return strcmp(kw, "local-id") ? t.remote_id : t.local_id;
}

static void test_tunnel_ids(void **state)
{
	struct tunnel_id id;

	(void)state;
	id = id_of("local-id", "192.0.2.77");
	expect_id(&id, TUNNEL_ID_IPV4_ADDR, "\xc0\x00\x02\x4d", 4);
	id = id_of("remote-id", "2001:db8::1");
	expect_id(&id, TUNNEL_ID_IPV6_ADDR,
		  "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01", 16);
	id = id_of("remote-id", "fqdn:sun");
	expect_id(&id, TUNNEL_ID_FQDN, "sun", 3);
	id = id_of("remote-id", "@sun.example.org");
	expect_id(&id, TUNNEL_ID_FQDN, "sun.example.org", 15);
	id = id_of("remote-id", "sun.example.org");
	expect_id(&id, TUNNEL_ID_FQDN, "sun.example.org", 15);
	id = id_of("remote-id", "carol@example.org");
	expect_id(&id, TUNNEL_ID_USER_FQDN, "carol@example.org", 17);
	id = id_of("remote-id", "email:carol@example.org");
	expect_id(&id, TUNNEL_ID_USER_FQDN, "carol@example.org", 17);
	id = id_of("remote-id", "C=CH, O=strongSwan, CN=sun");
	expect_id(&id, TUNNEL_ID_DER_ASN1_DN, "C=CH, O=strongSwan, CN=sun", 26);
	id = id_of("remote-id", "dn:CN=sun");
	expect_id(&id, TUNNEL_ID_DER_ASN1_DN, "CN=sun", 6);
	id = id_of("remote-id", "CN=carol@example.org");
	expect_id(&id, TUNNEL_ID_DER_ASN1_DN, "CN=carol@example.org", 20);
	id = id_of("remote-id", "keyid:00ff");
	expect_id(&id, TUNNEL_ID_KEY_ID, "\x00\xff", 2);
	id = id_of("remote-id", "%any");
	expect_id(&id, TUNNEL_ID_ANY, "", 0);

	TUNNEL_FAILS("invalid local-id \"%any\": only remote-id may be %any", PSK_BASE,
		     "local-id", "%any");
	TUNNEL_FAILS("invalid remote-id \"sun\": not an address, a name (fqdn:NAME), user@host, "
		     "a DN (C=CH, CN=moon) or keyid:HEX", PSK_BASE, "remote-id", "sun");
	TUNNEL_FAILS("invalid remote-id \"1.2.3\": not an address, a name (fqdn:NAME), "
		     "user@host, a DN (C=CH, CN=moon) or keyid:HEX", PSK_BASE, "remote-id",
		     "1.2.3");
	TUNNEL_FAILS("invalid remote-id \"fqdn:\": empty", PSK_BASE, "remote-id", "fqdn:");
	TUNNEL_FAILS("invalid remote-id \"sun example.org\": a blank in it", PSK_BASE,
		     "remote-id", "sun example.org");
	TUNNEL_FAILS("invalid remote-id \"xyz\": character 1 is not a hex digit", PSK_BASE,
		     "remote-id", "keyid:xyz");
}

static void test_tunnel_ts(void **state)
{
	struct tunnel t;

	(void)state;
	t = TUNNEL_OK("t", "local", "192.0.2.1", "remote", "192.0.2.2", "auth", "psk", "psk",
		      "x", "local-ts", "10.0.1.7/24[tcp/%any],0.0.0.0/0[icmp]",
		      "remote-ts", "10.0.2.0/24[17/53],10.0.3.0/24[sctp/0]");
	expect_ts(&t.local_ts[0], AF_INET, "10.0.1.0", 24, IPPROTO_TCP, 0);
	expect_ts(&t.local_ts[1], AF_INET, "0.0.0.0", 0, IPPROTO_ICMP, 0);
	expect_ts(&t.remote_ts[0], AF_INET, "10.0.2.0", 24, IPPROTO_UDP, 53);
	expect_ts(&t.remote_ts[1], AF_INET, "10.0.3.0", 24, IPPROTO_SCTP, 0);

	TUNNEL_FAILS("invalid local-ts \"any\": \"any\" has no family: write 0.0.0.0/0 or ::/0",
		     "t", "local-ts", "any");
	TUNNEL_FAILS("invalid local-ts \"10.0.1.0/33\": not an IPv4 or IPv6 prefix", "t",
		     "local-ts", "10.0.1.0/33");
	TUNNEL_FAILS("invalid local-ts \"10.0.1.0/24,,10.0.2.0/24\": an empty selector", "t",
		     "local-ts", "10.0.1.0/24,,10.0.2.0/24");
	TUNNEL_FAILS("invalid local-ts \"10.0.1.0/24[tcp/80\": not PREFIX[PROTO/PORT]", "t",
		     "local-ts", "10.0.1.0/24[tcp/80");
	TUNNEL_FAILS("invalid local-ts \"10.0.1.0/24[]\": not PREFIX[PROTO/PORT]", "t",
		     "local-ts", "10.0.1.0/24[]");
	TUNNEL_FAILS("invalid local-ts \"10.0.1.0/24[foo]\": protocol \"foo\" is not one of "
		     "tcp, udp, sctp, icmp, icmpv6, esp, ah, any or a number 0..255", "t",
		     "local-ts", "10.0.1.0/24[foo]");
	TUNNEL_FAILS("invalid local-ts \"10.0.1.0/24[icmp/8]\": protocol \"icmp\" has no ports",
		     "t", "local-ts", "10.0.1.0/24[icmp/8]");
	TUNNEL_FAILS("invalid local-ts \"10.0.1.0/24[any/80]\": protocol \"any\" has no ports",
		     "t", "local-ts", "10.0.1.0/24[any/80]");
	TUNNEL_FAILS("invalid local-ts \"10.0.1.0/24[tcp/65536]\": port \"65536\" is not "
		     "0..65535 or %any", "t", "local-ts", "10.0.1.0/24[tcp/65536]");
	TUNNEL_FAILS("invalid local-ts \"1.0.0.0/8,2.0.0.0/8,3.0.0.0/8,4.0.0.0/8,5.0.0.0/8,"
		     "6.0.0.0/8,7.0.0.0/8,8.0.0.0/8,9.0.0.0/8\": more than 8 selectors", "t",
		     "local-ts", "1.0.0.0/8,2.0.0.0/8,3.0.0.0/8,4.0.0.0/8,5.0.0.0/8,6.0.0.0/8,"
		     "7.0.0.0/8,8.0.0.0/8,9.0.0.0/8");
}

/* The secret, spelled three ways, and never in a message. */
static void test_tunnel_psk(void **state)
{
	char err[256];
	struct tunnel t;

	(void)state;
	t = TUNNEL_OK(PSK_BASE, "local-id", "192.0.2.1");
	assert_memory_equal(t.psk, "s3cret", 6);
	t = TUNNEL_OK("t", "local", "192.0.2.1", "remote", "192.0.2.2", "local-ts",
		      "10.0.1.0/24", "remote-ts", "10.0.2.0/24", "auth", "psk", "psk",
		      "file:/etc/nfsec/t.psk");
	assert_string_equal(t.psk_file, "/etc/nfsec/t.psk");
	assert_int_equal(t.psk_len, 0);
	t = TUNNEL_OK("t", "local", "192.0.2.1", "remote", "192.0.2.2", "local-ts",
		      "10.0.1.0/24", "remote-ts", "10.0.2.0/24", "auth", "psk", "psk",
		      "with blanks and \"quotes\"");
	assert_int_equal(t.psk_len, 24);

	TUNNEL_FAILS("invalid psk: 0x must be followed by an even number of hex digits, at "
		     "most 256", "t", "psk", "0xs3cretstuff");
	TUNNEL_FAILS("invalid psk: 0x must be followed by an even number of hex digits, at "
		     "most 256", "t", "psk", "0xabc");
	TUNNEL_FAILS("invalid psk: empty", "t", "psk", "");
	TUNNEL_FAILS("invalid psk: \"<hidden>\" stands for the secret in \"tunnel show\"; give "
		     "the secret itself", "t", "psk", "<hidden>");
	TUNNEL_FAILS("invalid psk file \"t.psk\": not an absolute path", "t", "psk",
		     "file:t.psk");
	{
		char big[TUNNEL_PSK_MAX + 2];

		memset(big, 'k', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		TUNNEL_FAILS("invalid psk: longer than 128 bytes", "t", "psk", big);
		big[TUNNEL_PSK_MAX] = '\0';
		assert_int_equal(TUNNEL_OK("t", "local", "192.0.2.1", "remote", "192.0.2.2",
					   "local-ts", "10.0.1.0/24", "remote-ts", "10.0.2.0/24",
					   "auth", "psk", "psk", big).psk_len, TUNNEL_PSK_MAX);
	}
	/* a failure elsewhere does not quote it either */
	assert_int_equal(tunnel_parse(ARGV(PSK_BASE, "auth", "cert"), ARGC(PSK_BASE, "auth",
				      "cert"), &t, err, sizeof(err)), -EINVAL);
	assert_null(strstr(err, "s3cret"));
}

static void test_tunnel_remote_any(void **state)
{
	struct tunnel t = TUNNEL_OK("road", "local", "2001:db8::1", "remote", "%any",
				    "local-ts", "fd00:1::/64", "remote-ts", "fd00:2::/64",
				    "auth", "psk", "psk", "x");

	(void)state;
	assert_true(t.remote_any);
	assert_int_equal(t.remote.family, AF_INET6);
	expect_addr(AF_INET6, t.remote.addr, "::");
	assert_int_equal(t.auto_mode, TUNNEL_AUTO_NONE);
	expect_id(&t.remote_id, TUNNEL_ID_ANY, "", 0);
	t = TUNNEL_OK("road", "local", "192.0.2.1", "remote", "%any", "local-ts", "10.0.1.0/24",
		      "remote-ts", "10.0.2.0/24", "auth", "psk", "psk", "x", "auto", "none",
		      "remote-id", "fqdn:carol.example.org");
	expect_id(&t.remote_id, TUNNEL_ID_FQDN, "carol.example.org", 17);
	assert_false(t.remote_ts_peer);
	/* no remote-ts: each peer's own address, which the daemon fills in */
	t = TUNNEL_OK("road", "local", "192.0.2.1", "remote", "%any", "local-ts",
		      "10.0.1.0/24,192.0.2.1/32", "auth", "psk", "psk", "x");
	assert_true(t.remote_ts_peer);
	assert_int_equal(t.remote_ts_count, 1);
	assert_int_equal(t.remote_ts[0].family, AF_INET);
	assert_int_equal(t.remote_ts[0].len, 32);
	expect_addr(AF_INET, t.remote_ts[0].addr, "0.0.0.0");
	assert_int_equal(t.local_ts_count, 2);

	TUNNEL_FAILS("\"remote %any\" cannot \"auto start\": with no peer to reach, it only "
		     "answers (\"auto none\")", "road", "local", "192.0.2.1", "remote", "%any",
		     "local-ts", "10.0.1.0/24", "remote-ts", "10.0.2.0/24", "auth", "psk", "psk",
		     "x", "auto", "start");
	TUNNEL_FAILS("\"remote %any\" cannot \"auto trap\": with no peer to reach, it only "
		     "answers (\"auto none\")", "road", "local", "192.0.2.1", "remote", "%any",
		     "local-ts", "10.0.1.0/24", "remote-ts", "10.0.2.0/24", "auth", "psk", "psk",
		     "x", "auto", "trap");
	TUNNEL_FAILS("with \"remote %any\" and \"encap transport\", the remote-ts is each "
		     "peer's address: leave it out", "road", "local", "192.0.2.1", "remote", "%any",
		     "remote-ts", "192.0.2.2", "encap", "transport", "auth", "psk", "psk", "x");
}

/* --- format, serialize, and back ------------------------------------------------------- */

static void expect_tunnel_equal(const struct tunnel *a, const struct tunnel *b)
{
	assert_memory_equal(a, b, sizeof(*a));
}

/* text as a file of one "tunnel" line, parsed. */
static struct tunnel conf_one(const char *words)
{
	char text[TUNNEL_TEXT_MAX + 16], err[256] = "";
	struct tunnel t;
	int count = -1;
	FILE *f;

	snprintf(text, sizeof(text), "tunnel %s\n", words);
	f = fmemopen(text, strlen(text), "r");
	assert_non_null(f);
	if (tunnel_conf_parse(f, "t.conf", &t, 1, &count, err, sizeof(err)) < 0)
		fail_msg("\"%s\" refused: %s", words, err);
	fclose(f);
	assert_int_equal(count, 1);
	return t;
}

static void test_format(void **state)
{
	struct tunnel t = TUNNEL_OK("moon-sun", "local", "192.0.2.1", "remote", "198.51.100.2",
				    "local-ts", "10.0.1.0/24,10.0.3.0/24[tcp/80]",
				    "remote-ts", "10.0.2.0/24[udp]", "auth", "psk",
				    "psk", "0xdeadBEEF", "local-id", "C=CH, CN=moon",
				    "remote-id", "carol@example.org",
				    "ike", "aes256-sha384-ecp384", "esp", "aes256gcm16-esn",
				    "pfs", "ecp384", "mode", "aggressive", "ike-lifetime", "240m",
				    "lifetime", "1800", "lifebytes", "102400k", "rekey-margin",
				    "300s", "auto", "start", "reqid", "7");
	char buf[TUNNEL_TEXT_MAX];
	struct tunnel back;
	int n;

	(void)state;
	n = tunnel_format(&t, buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(buf));
	assert_string_equal(buf,
		"moon-sun local 192.0.2.1 remote 198.51.100.2 local-ts 10.0.1.0/24,10.0.3.0/24"
		"[tcp/80] remote-ts 10.0.2.0/24[udp] auth psk psk <hidden> "
		"local-id \"dn:C=CH, CN=moon\" remote-id email:carol@example.org "
		"ike aes256-sha384-ecp384 esp aes256gcm16-esn pfs ecp384 mode aggressive "
		"encap tunnel ike-lifetime 4h lifetime 30m lifebytes 100M rekey-margin 5m "
		"auto start reqid 7");
	/* what show prints is refused as a secret; serialize writes the secret itself */
	TUNNEL_FAILS("invalid psk: \"<hidden>\" stands for the secret in \"tunnel show\"; give "
		     "the secret itself", "t", "psk", "<hidden>");
	n = tunnel_serialize(&t, buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(buf));
	assert_non_null(strstr(buf, " psk 0xdeadbeef "));
	back = conf_one(buf);
	expect_tunnel_equal(&back, &t);

	t = TUNNEL_OK(PSK_BASE);
	assert_true(tunnel_format(&t, buf, sizeof(buf)) > 0);
	assert_string_equal(buf,
		"t1 local 192.0.2.1 remote 192.0.2.2 local-ts 10.0.1.0/24 remote-ts 10.0.2.0/24 "
		"auth psk psk <hidden> ike aes128-sha256-modp2048,aes256-sha256-modp2048 "
		"esp aes128gcm16,aes128-sha256 mode main encap tunnel ike-lifetime 8h "
		"lifetime 1h rekey-margin 9m auto trap");
	assert_int_equal(tunnel_format(&t, buf, 20), -ENOSPC);

	/* a key id as the words take it, without 0x: as nfsec-iked's log names one */
	t = TUNNEL_OK(PSK_BASE, "remote-id", "keyid:0x0102A0");
	assert_true(tunnel_format(&t, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, " remote-id keyid:0102a0 "));
}

/* serialize, and format with the secret put back, each parsed back into the same tunnel. */
static void round_trip(struct tunnel t)
{
	char buf[TUNNEL_TEXT_MAX], err[256] = "";
	bool hidden = t.auth == TUNNEL_AUTH_PSK && !t.psk_file[0];
	struct tunnel back;

	assert_true(tunnel_serialize(&t, buf, sizeof(buf)) > 0);
	memset(&back, SENTINEL, sizeof(back));
	if (tunnel_deserialize(buf, &back, err, sizeof(err)) < 0)
		fail_msg("\"%s\" refused: %s", buf, err);
	expect_tunnel_equal(&back, &t);
	back = conf_one(buf);
	expect_tunnel_equal(&back, &t);

	assert_true(tunnel_format(&t, buf, sizeof(buf)) > 0);
	if (hidden) {
		assert_non_null(strstr(buf, " psk <hidden> "));
		memcpy(strstr(buf, "<hidden>"), "0x00    ", strlen("<hidden>"));
	}
	back = conf_one(buf);
	if (hidden) {
		assert_int_equal(back.psk_len, 1);
		assert_int_equal(back.psk[0], 0);
		back.psk_len = t.psk_len;
		memcpy(back.psk, t.psk, sizeof(back.psk));
	}
	expect_tunnel_equal(&back, &t);
}

static void test_round_trips(void **state)
{
	char psk[] = "p\"s k#\\";

	(void)state;
	round_trip(TUNNEL_OK(PSK_BASE));
	round_trip(TUNNEL_OK(PSK_BASE, "dpd", "15s", "dpd-timeout", "45s", "dpd-mode", "periodic",
			     "dpd-action", "hold"));
	round_trip(TUNNEL_OK("v6", "auth", "cert", "cert", "/etc/nfsec/my cert.pem",
			     "key", "/etc/nfsec/moon.key\\", "ca", "/etc/nfsec/#ca.pem",
			     "local", "2001:db8::1", "remote", "2001:db8::2",
			     "local-ts", "fd00:1::/64,10.0.1.0/24[tcp/443]",
			     "remote-ts", "10.0.2.0/24,fd00:2::/64[58]",
			     "local-id", "C=CH, O=strongSwan, CN=moon",
			     "remote-id", "keyid:0x0102a0", "ike",
			     "aes128-sha1-modp1024,aes256-sha512-curve25519",
			     "esp", "aes128-sha1,chacha20poly1305,null-sha512-esn",
			     "weak-groups", "yes", "allow-sha1", "yes", "lifebytes", "1025",
			     "lifetime", "86401", "ike-lifetime", "2d"));
	round_trip(TUNNEL_OK("road", "local", "192.0.2.1", "remote", "%any", "local-ts",
			     "10.0.1.0/24", "remote-ts", "10.0.2.0/24", "auth", "psk", "psk",
			     "file:/etc/nfsec/road psk", "remote-id", "@road.example",
			     "local-id", "moon@example.org", "pfs", "curve25519"));
	round_trip(TUNNEL_OK("host", "local", "2001:db8::1", "remote", "%any", "local-ts",
			     "2001:db8::1/128", "auth", "psk", "psk", "x"));
	round_trip(TUNNEL_OK("t", "local", "192.0.2.1", "remote", "192.0.2.2", "encap",
			     "transport", "auth", "psk", "psk", psk, "remote-id", "%any",
			     "rekey-margin", "0", "mode", "aggressive", "auto", "none",
			     "local-id", "dn:CN=a\\,b"));
}

static void test_deserialize_errors(void **state)
{
	char err[256] = "";
	struct tunnel t;

	(void)state;
	assert_int_equal(tunnel_deserialize("t1 local 192.0.2.1\nremote 192.0.2.2", &t, err,
					    sizeof(err)), -EINVAL);
	assert_string_equal(err, "a line break in the text");
	assert_int_equal(tunnel_deserialize("t1 local \\", &t, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "a backslash ends the text");
	assert_int_equal(tunnel_deserialize("t1 remote-id \"CN=x", &t, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "a double quote left open");
	assert_int_equal(tunnel_deserialize("t1 local 10.0.0.1", &t, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "tunnel needs \"remote ADDR\"");
}

/* --- the configuration file ----------------------------------------------------------- */

enum { CONF_MAX = 8 };

/* text as the file "test.conf" into out[CONF_MAX]: what tunnel_conf_parse() returned. */
static int conf_parse(const char *text, struct tunnel *out, int max, int *count, char *err)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret;

	assert_non_null(f);
	*count = -1;
	err[0] = '\0';
	ret = tunnel_conf_parse(f, "test.conf", out, max, count, err, 256);
	fclose(f);
	return ret;
}

static void conf_fails(const char *text, int max, const char *want)
{
	struct tunnel *out = calloc(CONF_MAX, sizeof(*out));
	char err[256];
	int count;

	assert_non_null(out);
	assert_int_not_equal(conf_parse(text, out, max, &count, err), 0);
	assert_string_equal(err, want);
	assert_int_equal(count, 0);
	free(out);
}

static const char conf_text[] =
	"# nfsec-iked.conf\n"
	"\n"
	"tunnel moon-sun local 192.0.2.1 remote 192.0.2.2 \\\n"
	"    local-ts 10.0.1.0/24 remote-ts 10.0.2.0/24   # the office\n"
	"\t\n"
	"   # carol, on the road\n"
	"tunnel carol local 192.0.2.1 remote %any \\\n"
	"  # a comment inside a continued tunnel, its backslash ignored \\\n"
	"  local-ts 10.0.1.0/24 remote-ts 10.0.9.0/24 \\\n"
	"  auth cert cert /etc/nfsec/moon.pem key /etc/nfsec/moon.key ca /etc/nfsec/ca.pem\\\n"
	"  remote-id \"C=CH, O=strongSwan, CN=carol\"\r\n"
	"tunnel   v6 local 2001:db8::1 remote 2001:db8::2 encap transport auth psk psk "
	"\"two words\" esp aes256gcm16\n"
	"\n";

static void test_conf_file(void **state)
{
	struct tunnel *out = calloc(CONF_MAX, sizeof(*out));
	char err[256];
	int count;

	(void)state;
	assert_non_null(out);
	/* the first one is missing its auth: add it the way the file would */
	{
		char *text = malloc(sizeof(conf_text) + 64);
		char *office = NULL;

		assert_non_null(text);
		strcpy(text, conf_text);
		office = strstr(text, "   # the office");
		memmove(office + 15, office, strlen(office) + 1);
		memcpy(office, " auth psk psk x", 15);
		if (conf_parse(text, out, CONF_MAX, &count, err) < 0)
			fail_msg("refused: %s", err);
		free(text);
	}
	assert_int_equal(count, 3);
	assert_string_equal(out[0].name, "moon-sun");
	expect_ts(&out[0].remote_ts[0], AF_INET, "10.0.2.0", 24, 0, 0);
	assert_int_equal(out[0].psk_len, 1);
	assert_string_equal(out[1].name, "carol");
	assert_true(out[1].remote_any);
	assert_int_equal(out[1].auth, TUNNEL_AUTH_CERT);
	assert_string_equal(out[1].ca, "/etc/nfsec/ca.pem");
	expect_id(&out[1].remote_id, TUNNEL_ID_DER_ASN1_DN, "C=CH, O=strongSwan, CN=carol", 28);
	assert_string_equal(out[2].name, "v6");
	assert_int_equal(out[2].encap, NFSEC_MODE_TRANSPORT);
	assert_int_equal(out[2].psk_len, 9);
	assert_memory_equal(out[2].psk, "two words", 9);

	/* as it is, line 3 starts the tunnel without an auth */
	assert_int_equal(conf_parse(conf_text, out, CONF_MAX, &count, err), -EINVAL);
	assert_string_equal(err, "test.conf:3: tunnel needs \"auth psk\" or \"auth cert\"");
	assert_int_equal(count, 0);

	/* empty, and nothing but comments */
	assert_int_equal(conf_parse("", out, CONF_MAX, &count, err), 0);
	assert_int_equal(count, 0);
	assert_int_equal(conf_parse("# x\n\n  \t\n#", out, CONF_MAX, &count, err), 0);
	assert_int_equal(count, 0);
	free(out);
}

/* A certificate tunnel in aggressive mode: refused, its line named. */
static void test_conf_cert_aggressive(void **state)
{
	struct tunnel *out = calloc(CONF_MAX, sizeof(*out));
	char err[256];
	int count;

	(void)state;
	assert_non_null(out);
	assert_int_equal(conf_parse("\n\ntunnel agg local 192.0.2.1 remote 192.0.2.2 "
				    "local-ts 10.0.1.0/24 remote-ts 10.0.2.0/24 \\\n"
				    "  auth cert cert /c key /k ca /c remote-id dn:CN=sun "
				    "mode aggressive\n", out, CONF_MAX, &count, err), -EINVAL);
	assert_string_equal(err, "test.conf:3: \"auth cert\" cannot use \"mode aggressive\": "
			    "certificates are authenticated in main mode only");
	assert_int_equal(count, 0);
	free(out);
}

/* The half-open caps, among the tunnels; defaults when not given; refused by the plain parse. */
static void test_conf_settings(void **state)
{
	static const char text[] = "half-open-max 100\n"
		"tunnel a local 192.0.2.1 remote 192.0.2.2 local-ts 10.0.1.0/24 remote-ts "
		"10.0.2.0/24 auth psk psk x\n"
		"half-open-per-peer 2\n";
	struct tunnel *out = calloc(CONF_MAX, sizeof(*out));
	struct iked_settings st;
	unsigned long lines[CONF_MAX];
	char err[256] = "";
	int count;
	FILE *f;

	(void)state;
	assert_non_null(out);
	f = fmemopen((void *)text, strlen(text), "r");
	assert_int_equal(tunnel_conf_parse_settings(f, "test.conf", out, CONF_MAX, &count, &st,
						    lines, err, sizeof(err)), 0);
	fclose(f);
	assert_int_equal(count, 1);
	assert_int_equal(lines[0], 2);
	assert_int_equal(st.half_open_max, 100);
	assert_int_equal(st.half_open_per_peer, 2);
	f = fmemopen((void *)"# none\n", 7, "r");
	assert_int_equal(tunnel_conf_parse_settings(f, "test.conf", out, CONF_MAX, &count, &st,
						    NULL, err, sizeof(err)), 0);
	fclose(f);
	assert_int_equal(st.half_open_max, IKED_HALF_OPEN_MAX_DEFAULT);
	assert_int_equal(st.half_open_per_peer, IKED_HALF_OPEN_PER_PEER_DEFAULT);
	f = fmemopen((void *)"\nhalf-open-max 0\n", 17, "r");
	assert_int_not_equal(tunnel_conf_parse_settings(f, "test.conf", out, CONF_MAX, &count,
							&st, NULL, err, sizeof(err)), 0);
	fclose(f);
	assert_non_null(strstr(err, "test.conf:2: "));
	conf_fails(text, CONF_MAX, "test.conf:1: a line starts with \"tunnel NAME\", not "
		   "\"half-open-max\"");
	free(out);
}

#define T_OK(name) "tunnel " name " local 192.0.2.1 remote 192.0.2.2 local-ts 10.0.1.0/24 " \
		   "remote-ts 10.0.2.0/24 auth psk psk x"

static void test_conf_errors(void **state)
{
	(void)state;
	conf_fails("# one\n"
		   T_OK("a") "\n"
		   "\n"
		   T_OK("b") " \\\n"
		   "   lifetime 1h \\\n"
		   "\n"
		   T_OK("c") " lifetime 10x\n",
		   CONF_MAX, "test.conf:7: invalid lifetime \"10x\": not a duration (N, Ns, Nm, Nh "
		   "or Nd)");
	conf_fails(T_OK("a") "\n"
		   "# two\n"
		   T_OK("b") "\n"
		   "\n"
		   "tunnel a \\\n"
		   "  local 192.0.2.1 remote 192.0.2.2 local-ts 10.0.1.0/24 remote-ts "
		   "10.0.2.0/24 auth psk psk y\n",
		   CONF_MAX, "test.conf:5: tunnel \"a\" is defined already, on line 1");
	conf_fails(T_OK("a") "\n" T_OK("b") "\n", 1, "test.conf:2: more than 1 tunnels");
	conf_fails("tunel a local 192.0.2.1\n", CONF_MAX,
		   "test.conf:1: a line starts with \"tunnel NAME\", not \"tunel\"");
	conf_fails("tunnel\n", CONF_MAX, "test.conf:1: tunnel needs a NAME");
	conf_fails("\n" T_OK("a") " \\\n  remote-id \"CN=x\n", CONF_MAX,
		   "test.conf:3: a double quote left open");
	/* the trailing backslash continues the first into the second */
	conf_fails(T_OK("a") " \\\n" T_OK("b") "\n", CONF_MAX,
		   "test.conf:1: unknown word \"tunnel\" in tunnel");
	/* a comment takes its backslash with it */
	conf_fails(T_OK("a") " # no more \\\n lifetime 1h\n", CONF_MAX,
		   "test.conf:2: a line starts with \"tunnel NAME\", not \"lifetime\"");
}

static void test_conf_limits(void **state)
{
	struct tunnel *out = calloc(CONF_MAX, sizeof(*out));
	char *text = malloc(TUNNEL_LINE_MAX + 64), err[256];
	static const char nul[] = "tunnel a\0 local 192.0.2.1\n";
	int count;
	FILE *f;

	(void)state;
	assert_non_null(out);
	assert_non_null(text);
	/* a backslash ending the file ends the tunnel */
	assert_int_equal(conf_parse(T_OK("a") " \\", out, CONF_MAX, &count, err), 0);
	assert_int_equal(count, 1);

	memset(text, 'x', TUNNEL_LINE_MAX + 1);
	strcpy(text + TUNNEL_LINE_MAX + 1, "\n");
	conf_fails(text, CONF_MAX, "test.conf:1: a line longer than 16384 bytes");

	strcpy(text, "tunnel a");
	for (int i = 0; i < TUNNEL_WORDS_MAX; i++)
		strcat(text, " w");
	conf_fails(text, CONF_MAX, "test.conf:1: more than 128 words");

	f = fmemopen((void *)nul, sizeof(nul) - 1, "r");
	assert_non_null(f);
	assert_int_equal(tunnel_conf_parse(f, "nul.conf", out, CONF_MAX, &count, err,
					   sizeof(err)), -EINVAL);
	assert_string_equal(err, "nul.conf:1: a NUL byte in the line");
	fclose(f);
	free(text);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ike_spellings),
		cmocka_unit_test(test_ike_lists),
		cmocka_unit_test(test_esp_spellings),
		cmocka_unit_test(test_esp_lists),
		cmocka_unit_test(test_proposal_format),
		cmocka_unit_test(test_proposal_format_nospace),
		cmocka_unit_test(test_ike_errors),
		cmocka_unit_test(test_proposal_too_long),
		cmocka_unit_test(test_weak_groups),
		cmocka_unit_test(test_sha1_gated),
		cmocka_unit_test(test_esp_errors),
		cmocka_unit_test(test_pfs_rule),
		cmocka_unit_test(test_too_many_proposals),
		cmocka_unit_test(test_esp_kernel),
		cmocka_unit_test(test_tunnel_psk_full),
		cmocka_unit_test(test_tunnel_cert_full),
		cmocka_unit_test(test_tunnel_defaults),
		cmocka_unit_test(test_tunnel_transport),
		cmocka_unit_test(test_tunnel_missing),
		cmocka_unit_test(test_tunnel_cert_main_mode_only),
		cmocka_unit_test(test_tunnel_cert_needs_remote_id),
		cmocka_unit_test(test_psk_file),
		cmocka_unit_test(test_tunnel_cross_checks),
		cmocka_unit_test(test_tunnel_pfs),
		cmocka_unit_test(test_tunnel_durations),
		cmocka_unit_test(test_tunnel_sizes),
		cmocka_unit_test(test_tunnel_dpd),
		cmocka_unit_test(test_tunnel_nat),
		cmocka_unit_test(test_tunnel_word_errors),
		cmocka_unit_test(test_tunnel_names),
		cmocka_unit_test(test_tunnel_ids),
		cmocka_unit_test(test_tunnel_ts),
		cmocka_unit_test(test_tunnel_psk),
		cmocka_unit_test(test_tunnel_remote_any),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_deserialize_errors),
		cmocka_unit_test(test_conf_file),
		cmocka_unit_test(test_conf_cert_aggressive),
		cmocka_unit_test(test_conf_settings),
		cmocka_unit_test(test_conf_errors),
		cmocka_unit_test(test_conf_limits),
	};

	return cmocka_run_group_tests_name("tunnel", tests, NULL, NULL);
}
