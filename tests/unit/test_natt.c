// SPDX-License-Identifier: GPL-2.0
/*
 * NAT traversal's pieces without I/O (iked/natt.c): the vendor IDs against the MD5 of
 * their names, NAT-D hashes against OpenSSL's digests of the bytes RFC 3947 3.2 lists,
 * what a set of NAT-D payloads reveals, and the encapsulation modes of the RFC and the
 * drafts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "endpoint.h"
#include "natt.h"

/* The reference: one EVP digest of the bytes laid out by hand. */
static void digest(const EVP_MD *md, const uint8_t *in, size_t len, uint8_t *out)
{
	unsigned int n;

	assert_int_equal(EVP_Digest(in, len, out, &n, md, NULL), 1);
}

/* Each vendor ID is the MD5 of its name, and only it is recognised. */
static void test_vids(void **state)
{
	static const char *const names[] = {
		[NATT_DRAFT_02] = "draft-ietf-ipsec-nat-t-ike-02",
		[NATT_DRAFT_02N] = "draft-ietf-ipsec-nat-t-ike-02\n",
		[NATT_DRAFT_03] = "draft-ietf-ipsec-nat-t-ike-03",
		[NATT_RFC] = "RFC 3947",
	};
	uint8_t md5[16], other[16];
	enum natt_version v;

	(void)state;
	for (v = NATT_DRAFT_02; v <= NATT_RFC; v++) {
		digest(EVP_md5(), (const uint8_t *)names[v], strlen(names[v]), md5);
		assert_memory_equal(natt_vid(v), md5, NATT_VID_LEN);
		assert_int_equal(natt_vid_version(md5, sizeof(md5)), v);
		assert_int_equal(natt_vid_version(md5, sizeof(md5) - 1), NATT_NONE);
		memcpy(other, md5, sizeof(other));
		other[15] ^= 1;
		assert_int_equal(natt_vid_version(other, sizeof(other)), NATT_NONE);
	}
	assert_null(natt_vid(NATT_NONE));
	assert_string_equal(natt_version_name(NATT_RFC), "RFC 3947");
	/* the payload numbers: the RFC's, then the drafts' private ones */
	assert_int_equal(natt_natd_type(NATT_RFC), 20);
	assert_int_equal(natt_natoa_type(NATT_RFC), 21);
	assert_int_equal(natt_natd_type(NATT_DRAFT_02N), 130);
	assert_int_equal(natt_natoa_type(NATT_DRAFT_03), 131);
}

/* HASH(CKY-I | CKY-R | IP | Port), network order, with the phase-1 hash. */
static void test_hash(void **state)
{
	static const uint8_t cky_i[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t cky_r[8] = { 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8 };
	struct sockaddr_storage a = endpoint4("192.0.2.1", 500), a6 = { 0 };
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a6;
	uint8_t in[8 + 8 + 16 + 2], want[64], got[64];

	(void)state;
	memcpy(in, cky_i, 8);
	memcpy(in + 8, cky_r, 8);
	memcpy(in + 16, (uint8_t[]){ 192, 0, 2, 1, 0x01, 0xf4 }, 6);
	digest(EVP_sha256(), in, 22, want);
	assert_int_equal(natt_hash(IKE_HASH_SHA2_256, cky_i, cky_r, &a, got), 0);
	assert_memory_equal(got, want, 32);
	digest(EVP_sha1(), in, 22, want);
	assert_int_equal(natt_hash(IKE_HASH_SHA1, cky_i, cky_r, &a, got), 0);
	assert_memory_equal(got, want, 20);
	/* the port counts: 4500 hashes differently */
	a = endpoint4("192.0.2.1", 4500);
	assert_int_equal(natt_hash(IKE_HASH_SHA1, cky_i, cky_r, &a, got), 0);
	assert_memory_not_equal(got, want, 20);
	/* IPv6: the 16 address bytes */
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(4500);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::7", &sin6->sin6_addr), 1);
	memcpy(in + 16, &sin6->sin6_addr, 16);
	memcpy(in + 32, (uint8_t[]){ 0x11, 0x94 }, 2);
	digest(EVP_sha512(), in, sizeof(in), want);
	assert_int_equal(natt_hash(IKE_HASH_SHA2_512, cky_i, cky_r, &a6, got), 0);
	assert_memory_equal(got, want, 64);
	a6.ss_family = AF_UNIX;
	assert_int_equal(natt_hash(IKE_HASH_SHA1, cky_i, cky_r, &a6, got), -EINVAL);
}

/* The first hash is of our address as the peer sent to it, the others of its sources. */
static void test_detect(void **state)
{
	uint8_t me[32], you[32], other[32];
	struct isakmp_bytes natd[3] = {
		{ me, sizeof(me) }, { other, sizeof(other) }, { you, sizeof(you) },
	};
	struct natt_found f;

	(void)state;
	memset(me, 1, sizeof(me));
	memset(you, 2, sizeof(you));
	memset(other, 3, sizeof(other));
	assert_int_equal(natt_detect(natd, 3, me, you, 32, &f), 0);
	assert_false(f.local);
	assert_false(f.peer);
	assert_string_equal(natt_found_text(&f), "no NAT");
	assert_int_equal(natt_detect(natd, 2, me, you, 32, &f), 0);
	assert_false(f.local);
	assert_true(f.peer);
	assert_string_equal(natt_found_text(&f), "peer behind NAT, local not");
	assert_int_equal(natt_detect(natd, 3, other, you, 32, &f), 0);
	assert_true(f.local);
	assert_false(f.peer);
	assert_string_equal(natt_found_text(&f), "local behind NAT, peer not");
	assert_int_equal(natt_detect(natd, 2, other, you, 32, &f), 0);
	assert_string_equal(natt_found_text(&f), "both behind NAT");
	/* one hash, or one of another length, proves nothing */
	assert_int_equal(natt_detect(natd, 1, me, you, 32, &f), -EBADMSG);
	natd[2].len = 20;
	assert_int_equal(natt_detect(natd, 3, me, you, 32, &f), -EBADMSG);
}

/* RFC 3947's 3 and 4 and the drafts' 61443 and 61444 read alike; the RFC's unless a draft. */
static void test_encap(void **state)
{
	static const struct {
		uint16_t value;
		bool transport, udp;
	} modes[] = {
		{ 1, false, false }, { 2, true, false }, { 3, false, true }, { 4, true, true },
		{ 61443, false, true }, { 61444, true, true },
	};
	bool transport, udp;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		assert_int_equal(natt_encap_read(modes[i].value, &transport, &udp), 0);
		assert_int_equal(transport, modes[i].transport);
		assert_int_equal(udp, modes[i].udp);
	}
	assert_int_equal(natt_encap_read(0, &transport, &udp), -EINVAL);
	assert_int_equal(natt_encap_read(5, &transport, &udp), -EINVAL);
	assert_int_equal(natt_encap_read(61445, &transport, &udp), -EINVAL);
	assert_int_equal(natt_encap_mode(false, false, NATT_RFC), 1);
	assert_int_equal(natt_encap_mode(true, false, NATT_DRAFT_03), 2);
	assert_int_equal(natt_encap_mode(false, true, NATT_RFC), 3);
	assert_int_equal(natt_encap_mode(true, true, NATT_RFC), 4);
	assert_int_equal(natt_encap_mode(false, true, NATT_DRAFT_02), 61443);
	assert_int_equal(natt_encap_mode(true, true, NATT_DRAFT_03), 61444);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vids),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_encap),
	};

	return cmocka_run_group_tests_name("natt", tests, NULL, NULL);
}
