// SPDX-License-Identifier: GPL-2.0
/*
 * nfsec sa without a kernel: the words of "sa add/delete/get" into the plain model (short
 * algorithm names, keys from words and files), the text and JSON printers, the CLI's
 * refusals before any netlink, then libnfsec's side: the exact requests built for the
 * kernel and the strict parse of the replies (padding, keys refused), fed hand-built
 * netlink messages.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/netlink.h>
#include <netinet/in.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "capture.h"
#include "commands.h"
#include "internal.h"
#include "json.h"
#include "nlwalk.h"
#include "sa.h"
#include "samples.h"

enum { FAMILY = TEST_FAMILY, SENTINEL = 0xa5 };

#define GCM_KEY "0x000102030405060708090a0b0c0d0e0f10111213"

/* --- the words of "sa add" ------------------------------------------------------------ */

static struct nfsec_sa add_ok(int argc, char **argv)
{
	struct errmsg err = { "" };
	struct nfsec_sa sa;

	memset(&sa, SENTINEL, sizeof(sa));
	if (sa_parse_add(argc, argv, &sa, &err) < 0)
		fail_msg("sa add refused: %s", err.text);
	return sa;
}

/* Expects errno and the exact message, and *out left alone. */
static void add_fails(int errno_want, const char *want, int argc, char **argv)
{
	struct errmsg err = { "" };
	struct nfsec_sa sa, untouched;

	memset(&sa, SENTINEL, sizeof(sa));
	memset(&untouched, SENTINEL, sizeof(untouched));
	assert_int_equal(sa_parse_add(argc, argv, &sa, &err), errno_want);
	assert_string_equal(err.text, want);
	assert_memory_equal(&sa, &untouched, sizeof(sa));
}

#define ADD_OK(...) add_ok(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))
#define ADD_FAILS(want, ...) add_fails(-EINVAL, want, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))
#define ADD_RANGE(want, ...) add_fails(-ERANGE, want, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

/* The words every "sa add" below needs, before the algorithms. */
#define OUT4 "spi", "0x1000", "dir", "out", "src", "10.0.0.1", "dst", "10.0.0.2", \
	"mode", "tunnel"
#define IN6 "spi", "4096", "dir", "in", "src", "2001:db8::1", "dst", "2001:db8::2", \
	"mode", "transport"
#define AEAD "aead", "gcm-aes", GCM_KEY, "128"

static void expect_addr(const uint8_t *addr, const char *text)
{
	uint8_t want[16] = { 0 };

	if (inet_pton(AF_INET, text, want) != 1)
		assert_int_equal(inet_pton(AF_INET6, text, want), 1);
	assert_memory_equal(addr, want, sizeof(want));
}

static void expect_no_alg(const struct nfsec_alg *alg)
{
	assert_string_equal(alg->name, "");
	assert_int_equal(alg->key_len, 0);
	assert_int_equal(alg->icv_bits, 0);
}

static void test_add_aead(void **state)
{
	static const uint8_t key[20] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
					 16, 17, 18, 19 };
	struct nfsec_sa sa = ADD_OK(OUT4, AEAD);

	(void)state;
	assert_int_equal(sa.spi, 0x1000);
	assert_int_equal(sa.dir, NFSEC_SA_DIR_OUT);
	assert_int_equal(sa.family, AF_INET);
	expect_addr(sa.src, "10.0.0.1");
	expect_addr(sa.dst, "10.0.0.2");
	assert_int_equal(sa.proto, IPPROTO_ESP);
	assert_int_equal(sa.mode, NFSEC_MODE_TUNNEL);
	assert_int_equal(sa.reqid, 0);
	assert_string_equal(sa.aead.name, "rfc4106(gcm(aes))");
	assert_int_equal(sa.aead.key_len, 20);
	assert_memory_equal(sa.aead.key, key, 20);
	assert_int_equal(sa.aead.icv_bits, 128);
	expect_no_alg(&sa.enc);
	expect_no_alg(&sa.auth);
	/* an outbound SA has no replay window */
	assert_int_equal(sa.replay_window, 0);
	assert_false(sa.esn);
	assert_false(sa.has_selector);
	assert_int_equal(sa.lifetime.soft_bytes, 0);
	assert_int_equal(sa.lifetime.hard_seconds, 0);
	assert_int_equal(sa.seq, 0);
	assert_int_equal(sa.bytes, 0);
}

static void test_add_enc_auth(void **state)
{
	struct nfsec_sa sa;

	(void)state;
	sa = ADD_OK(IN6, "enc", "aes-cbc", "00112233445566778899aabbccddeeff", "auth", "sha256",
		    "0x" "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f");
	assert_int_equal(sa.dir, NFSEC_SA_DIR_IN);
	assert_int_equal(sa.family, AF_INET6);
	expect_addr(sa.src, "2001:db8::1");
	expect_addr(sa.dst, "2001:db8::2");
	assert_int_equal(sa.mode, NFSEC_MODE_TRANSPORT);
	expect_no_alg(&sa.aead);
	assert_string_equal(sa.enc.name, "cbc(aes)");
	assert_int_equal(sa.enc.key_len, 16);
	assert_int_equal(sa.enc.key[15], 0xff);
	assert_string_equal(sa.auth.name, "hmac(sha256)");
	assert_int_equal(sa.auth.key_len, 32);
	/* left to the kernel: half the hash */
	assert_int_equal(sa.auth.icv_bits, 0);
	/* an inbound SA's default window */
	assert_int_equal(sa.replay_window, 64);

	/* the optional ICV_BITS of auth, before another keyword and at the end */
	sa = ADD_OK(IN6, "enc", "null", "", "auth", "sha512", "0x01", "256", "esn");
	assert_string_equal(sa.enc.name, "ecb(cipher_null)");
	assert_int_equal(sa.enc.key_len, 0);
	assert_string_equal(sa.auth.name, "hmac(sha512)");
	assert_int_equal(sa.auth.icv_bits, 256);
	assert_true(sa.esn);
	sa = ADD_OK(IN6, "auth", "sha1", "0x01", "esn", "enc", "null", "0x");
	assert_int_equal(sa.auth.icv_bits, 0);
	assert_true(sa.esn);
	assert_int_equal(sa.enc.key_len, 0);
	sa = ADD_OK(IN6, "enc", "null", "", "auth", "sha384", "01", "0xc0");
	assert_string_equal(sa.auth.name, "hmac(sha384)");
	assert_int_equal(sa.auth.icv_bits, 192);
}

static void test_add_alg_names(void **state)
{
	static const struct { const char *kind, *word, *name; } names[] = {
		{ "aead", "gcm-aes", "rfc4106(gcm(aes))" },
		{ "aead", "chacha20-poly1305", "rfc7539esp(chacha20,poly1305)" },
		{ "aead", "rfc4309(ccm(aes))", "rfc4309(ccm(aes))" },
		{ "enc", "aes-cbc", "cbc(aes)" },
		{ "enc", "null", "ecb(cipher_null)" },
		{ "enc", "cbc(des3_ede)", "cbc(des3_ede)" },
		{ "auth", "sha1", "hmac(sha1)" },
		{ "auth", "sha256", "hmac(sha256)" },
		{ "auth", "sha384", "hmac(sha384)" },
		{ "auth", "sha512", "hmac(sha512)" },
		{ "auth", "hmac(md5)", "hmac(md5)" },
	};
	char longest[NFSEC_ALG_NAME_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct nfsec_sa sa;

		if (!strcmp(names[i].kind, "aead")) {
			sa = ADD_OK(OUT4, "aead", (char *)names[i].word, "0x01020304", "64");
			assert_string_equal(sa.aead.name, names[i].name);
		} else if (!strcmp(names[i].kind, "enc")) {
			sa = ADD_OK(OUT4, "enc", (char *)names[i].word, "0x01", "auth", "sha1",
				    "0x01");
			assert_string_equal(sa.enc.name, names[i].name);
		} else {
			sa = ADD_OK(OUT4, "enc", "null", "", "auth", (char *)names[i].word,
				    "0x01");
			assert_string_equal(sa.auth.name, names[i].name);
		}
	}
	memset(longest, 'a', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	assert_string_equal(ADD_OK(OUT4, "aead", longest, "0x01", "64").aead.name, longest);
}

static void test_add_alg_names_bad(void **state)
{
	char toolong[NFSEC_ALG_NAME_LEN + 1], want[200];

	(void)state;
	ADD_FAILS("invalid aead NAME \"sha256\": an auth algorithm", OUT4, "aead", "sha256",
		  "0x01", "128");
	ADD_FAILS("invalid enc NAME \"gcm-aes\": an aead algorithm", OUT4, "enc", "gcm-aes",
		  "0x01", "auth", "sha1", "0x01");
	ADD_FAILS("invalid auth NAME \"aes-cbc\": an enc algorithm", OUT4, "enc", "null", "",
		  "auth", "aes-cbc", "0x01");
	ADD_FAILS("invalid aead NAME \"\": not a name of at most 63 characters without spaces",
		  OUT4, "aead", "", "0x01", "128");
	ADD_FAILS("invalid aead NAME \"gcm aes\": not a name of at most 63 characters without "
		  "spaces", OUT4, "aead", "gcm aes", "0x01", "128");
	memset(toolong, 'a', sizeof(toolong) - 1);
	toolong[sizeof(toolong) - 1] = '\0';
	snprintf(want, sizeof(want), "invalid aead NAME \"%s\": not a name of at most 63 "
		 "characters without spaces", toolong);
	ADD_FAILS(want, OUT4, "aead", toolong, "0x01", "128");
}

static void test_add_icv(void **state)
{
	(void)state;
	ADD_FAILS("\"aead\" needs NAME KEY ICV_BITS", OUT4, "aead", "gcm-aes", GCM_KEY);
	ADD_FAILS("\"aead\" needs NAME KEY ICV_BITS", OUT4, "aead");
	/* ICV_BITS is no keyword's place: the word found there is named */
	ADD_FAILS("invalid aead ICV_BITS \"esn\": not a decimal or 0x-prefixed hex number",
		  OUT4, "aead", "gcm-aes", GCM_KEY, "esn");
	ADD_RANGE("invalid aead ICV_BITS \"0\": out of range 1..4294967295",
		  OUT4, "aead", "gcm-aes", GCM_KEY, "0");
	ADD_FAILS("\"enc\" needs NAME KEY", OUT4, "enc", "null");
	ADD_FAILS("\"auth\" needs NAME KEY [ICV_BITS]", OUT4, "enc", "null", "", "auth",
		  "sha1");
	ADD_FAILS("invalid auth ICV_BITS \"ninety-six\": not a decimal or 0x-prefixed hex "
		  "number", OUT4, "enc", "null", "", "auth", "sha1", "0x01", "ninety-six");
	/* enc takes no ICV_BITS: the number is an unknown word */
	ADD_FAILS("unknown word \"96\" in sa add", OUT4, "enc", "null", "", "96", "auth",
		  "sha1", "0x01");
}

static void test_add_every_word(void **state)
{
	struct nfsec_sa sa;

	(void)state;
	sa = ADD_OK("hard-seconds", "7200", "soft-seconds", "3600", "hard-packets", "0x100",
		    "soft-packets", "128", "hard-bytes", "18446744073709551615",
		    "soft-bytes", "1000000", "sel-dport", "1-1024", "sel-sport", "500",
		    "sel-proto", "udp", "sel-dst", "10.0.2.0/24", "sel-src", "10.0.1.7/24",
		    "esn", "replay-window", "4096", "aead", "chacha20-poly1305",
		    "0x" "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f0a0b0c0d",
		    "96", "reqid", "4294967295", "mode", "tunnel", "proto", "esp",
		    "dst", "192.0.2.2", "src", "192.0.2.1", "dir", "in", "spi", "4294967295");
	assert_int_equal(sa.spi, UINT32_MAX);
	assert_int_equal(sa.dir, NFSEC_SA_DIR_IN);
	expect_addr(sa.src, "192.0.2.1");
	expect_addr(sa.dst, "192.0.2.2");
	assert_int_equal(sa.proto, IPPROTO_ESP);
	assert_int_equal(sa.mode, NFSEC_MODE_TUNNEL);
	assert_int_equal(sa.reqid, UINT32_MAX);
	assert_string_equal(sa.aead.name, "rfc7539esp(chacha20,poly1305)");
	assert_int_equal(sa.aead.key_len, 36);
	assert_int_equal(sa.aead.icv_bits, 96);
	assert_int_equal(sa.replay_window, 4096);
	assert_true(sa.esn);
	assert_true(sa.has_selector);
	assert_int_equal(sa.sel.family, AF_INET);
	expect_addr(sa.sel.src, "10.0.1.0");
	assert_int_equal(sa.sel.src_prefix, 24);
	expect_addr(sa.sel.dst, "10.0.2.0");
	assert_int_equal(sa.sel.dst_prefix, 24);
	assert_int_equal(sa.sel.proto, IPPROTO_UDP);
	assert_int_equal(sa.sel.sport_min, 500);
	assert_int_equal(sa.sel.sport_max, 500);
	assert_int_equal(sa.sel.dport_min, 1);
	assert_int_equal(sa.sel.dport_max, 1024);
	assert_int_equal(sa.lifetime.soft_bytes, 1000000);
	assert_int_equal(sa.lifetime.hard_bytes, UINT64_MAX);
	assert_int_equal(sa.lifetime.soft_packets, 128);
	assert_int_equal(sa.lifetime.hard_packets, 256);
	assert_int_equal(sa.lifetime.soft_seconds, 3600);
	assert_int_equal(sa.lifetime.hard_seconds, 7200);

	sa = ADD_OK(IN6, AEAD, "replay-window", "0");
	assert_int_equal(sa.replay_window, 0);
}

/* "encap udp sport N dport M": IPv4 only, ports 1..65535, the words in their order. */
static void test_add_encap(void **state)
{
	struct nfsec_sa sa;

	(void)state;
	sa = ADD_OK(OUT4, AEAD, "encap", "udp", "sport", "4500", "dport", "0x1194");
	assert_true(sa.encap);
	assert_int_equal(sa.encap_sport, 4500);
	assert_int_equal(sa.encap_dport, 4500);
	sa = ADD_OK(OUT4, AEAD);
	assert_false(sa.encap);
	ADD_FAILS("\"encap\" is IPv4 only for now (src \"2001:db8::1\" is IPv6)", IN6, AEAD,
		  "encap", "udp", "sport", "4500", "dport", "4500");
	ADD_FAILS("invalid encap \"tcp sport 1 dport 2\": expected udp sport PORT dport PORT "
		  "(ports 1..65535)", OUT4, AEAD, "encap", "tcp", "sport", "1", "dport", "2");
	ADD_FAILS("invalid encap \"udp dport 1 sport 2\": expected udp sport PORT dport PORT "
		  "(ports 1..65535)", OUT4, AEAD, "encap", "udp", "dport", "1", "sport", "2");
	ADD_RANGE("invalid encap sport \"0\": out of range 1..65535", OUT4, AEAD,
		  "encap", "udp", "sport", "0", "dport", "4500");
	ADD_RANGE("invalid encap dport \"65536\": out of range 1..65535", OUT4, AEAD,
		  "encap", "udp", "sport", "4500", "dport", "65536");
}

static void test_add_required(void **state)
{
	(void)state;
	add_fails(-EINVAL, "sa add needs \"spi\"", 0, ARGV(NULL));
	ADD_FAILS("sa add needs \"spi\"", "dir", "out", "src", "10.0.0.1", "dst", "10.0.0.2",
		  "mode", "tunnel", AEAD);
	ADD_FAILS("sa add needs \"dir\"", "spi", "256", "src", "10.0.0.1", "dst", "10.0.0.2",
		  "mode", "tunnel", AEAD);
	ADD_FAILS("sa add needs \"src\"", "spi", "256", "dir", "in", "dst", "10.0.0.2",
		  "mode", "tunnel", AEAD);
	ADD_FAILS("sa add needs \"dst\"", "spi", "256", "dir", "in", "src", "10.0.0.1",
		  "mode", "tunnel", AEAD);
	ADD_FAILS("sa add needs \"mode\"", "spi", "256", "dir", "in", "src", "10.0.0.1",
		  "dst", "10.0.0.2", AEAD);
	ADD_FAILS("sa add needs \"aead\", or \"enc\" and \"auth\"", OUT4);
	ADD_FAILS("\"aead\" and \"enc\" exclude each other", OUT4, AEAD, "enc", "null", "");
	ADD_FAILS("\"aead\" and \"auth\" exclude each other", OUT4, "auth", "sha1", "01", AEAD);
	ADD_FAILS("\"enc\" needs \"auth\"", OUT4, "enc", "null", "");
	ADD_FAILS("\"auth\" needs \"enc\"", OUT4, "auth", "sha1", "01");
}

static void test_add_bad_values(void **state)
{
	(void)state;
	ADD_RANGE("invalid spi \"255\": out of range 256..4294967295", "spi", "255");
	ADD_RANGE("invalid spi \"0x100000000\": out of range 256..4294967295",
		  "spi", "0x100000000");
	ADD_FAILS("invalid spi \"x\": not a decimal or 0x-prefixed hex number", "spi", "x");
	ADD_FAILS("\"dir\" needs one of out, in, not \"fwd\"", "dir", "fwd");
	ADD_FAILS("\"mode\" needs one of transport, tunnel, not \"beet\"", "mode", "beet");
	ADD_FAILS("\"proto\" needs esp, not \"ah\"", "proto", "ah");
	ADD_FAILS("\"proto\" needs esp, not \"50\"", "proto", "50");
	ADD_FAILS("invalid src \"10.0.0.0/24\": not an IPv4 or IPv6 address",
		  "src", "10.0.0.0/24");
	ADD_FAILS("invalid dst \"any\": not an IPv4 or IPv6 address", "dst", "any");
	ADD_FAILS("invalid reqid \"-1\": not a decimal or 0x-prefixed hex number",
		  "reqid", "-1");
	ADD_RANGE("invalid replay-window \"4097\": out of range 0..4096",
		  "replay-window", "4097");
	ADD_RANGE("invalid soft-bytes \"18446744073709551616\": out of range "
		  "0..18446744073709551615", "soft-bytes", "18446744073709551616");
	ADD_FAILS("\"hard-seconds\" needs a number", OUT4, AEAD, "hard-seconds");
	ADD_FAILS("\"esn\" given twice", "esn", "esn");
	ADD_FAILS("unknown word \"foo\" in sa add", OUT4, AEAD, "foo");
	ADD_FAILS("unknown word \"index\" in sa add", "index", "3");
	ADD_FAILS("unknown word \"sel-family\" in sa add", "sel-family", "inet");
	ADD_FAILS("\"spi\" given twice", "spi", "256", "spi", "257");
}

static void test_add_checked_together(void **state)
{
	(void)state;
	ADD_FAILS("dst \"2001:db8::2\" is IPv6 but src \"10.0.0.1\" is IPv4",
		  "spi", "256", "dir", "out", "src", "10.0.0.1", "dst", "2001:db8::2",
		  "mode", "tunnel", AEAD);
	ADD_FAILS("\"replay-window\" needs dir in (dir is out)", OUT4, AEAD,
		  "replay-window", "64");
	ADD_FAILS("soft-bytes 100 is above hard-bytes 50", OUT4, AEAD, "soft-bytes", "100",
		  "hard-bytes", "50");
	ADD_FAILS("soft-packets 2 is above hard-packets 1", OUT4, AEAD, "hard-packets", "1",
		  "soft-packets", "2");
	ADD_FAILS("soft-seconds 61 is above hard-seconds 60", OUT4, AEAD,
		  "soft-seconds", "61", "hard-seconds", "60");
	/* a hard limit of 0 is none; equal limits are the user's call */
	assert_int_equal(ADD_OK(OUT4, AEAD, "soft-bytes", "100", "hard-bytes", "0")
			 .lifetime.soft_bytes, 100);
	assert_int_equal(ADD_OK(OUT4, AEAD, "soft-bytes", "100", "hard-bytes", "100")
			 .lifetime.hard_bytes, 100);
}

static void test_add_selector(void **state)
{
	struct nfsec_sa sa;

	(void)state;
	/* a tunnel may carry another family; without addresses, the SA's */
	sa = ADD_OK(OUT4, AEAD, "sel-src", "2001:db8::/32", "sel-dst", "any");
	assert_true(sa.has_selector);
	assert_int_equal(sa.sel.family, AF_INET6);
	assert_int_equal(sa.sel.src_prefix, 32);
	assert_int_equal(sa.sel.dst_prefix, 0);
	assert_int_equal(sa.sel.sport_max, 65535);
	sa = ADD_OK(IN6, AEAD, "sel-proto", "icmpv6");
	assert_true(sa.has_selector);
	assert_int_equal(sa.sel.family, AF_INET6);
	assert_int_equal(sa.sel.proto, IPPROTO_ICMPV6);
	expect_addr(sa.sel.src, "::");
	assert_int_equal(sa.sel.dport_min, 0);
	assert_int_equal(sa.sel.dport_max, 65535);
	sa = ADD_OK(IN6, AEAD, "sel-dst", "any");
	assert_int_equal(sa.sel.family, AF_INET6);

	ADD_FAILS("sel-dst \"2001:db8::/32\" is IPv6 but sel-src \"10.0.0.0/8\" is IPv4",
		  OUT4, AEAD, "sel-src", "10.0.0.0/8", "sel-dst", "2001:db8::/32");
	ADD_FAILS("sel-src \"10.0.0.0/8\" is IPv4 but the SA is IPv6 (mode transport)",
		  IN6, AEAD, "sel-src", "10.0.0.0/8");
	ADD_FAILS("sel-dst \"10.0.0.1\" is IPv4 but the SA is IPv6 (mode transport)",
		  IN6, AEAD, "sel-dst", "10.0.0.1");
	ADD_FAILS("\"sel-dport\" needs sel-proto tcp, udp, sctp or another protocol with "
		  "ports (sel-proto is any)", OUT4, AEAD, "sel-dport", "80");
	ADD_FAILS("\"sel-sport\" needs sel-proto tcp, udp, sctp or another protocol with "
		  "ports (sel-proto is icmp)", OUT4, AEAD, "sel-sport", "1", "sel-proto", "icmp");
	ADD_FAILS("invalid prefix \"10.0.0.0/33\"", OUT4, AEAD, "sel-src", "10.0.0.0/33");
	ADD_FAILS("invalid sel-dport \"2-1\": 2 is above 1", OUT4, AEAD, "sel-proto", "tcp",
		  "sel-dport", "2-1");
	ADD_FAILS("\"sel-proto\" needs one of tcp, udp, sctp, icmp, icmpv6, esp, ah, any or a "
		  "number 0..255, not \"256\"", OUT4, AEAD, "sel-proto", "256");
}

/* --- keys ----------------------------------------------------------------------------- */

struct keydir {
	char path[64];
	char file[128];
};

/* A file named name in a directory of its own, holding len bytes of data; its path. */
static const char *key_file(struct keydir *d, const char *name, const void *data, size_t len)
{
	int fd;

	if (!d->path[0]) {
		snprintf(d->path, sizeof(d->path), "/tmp/nfsec-test-XXXXXX");
		assert_non_null(mkdtemp(d->path));
	}
	snprintf(d->file, sizeof(d->file), "%s/%s", d->path, name);
	fd = open(d->file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return d->file;
}

static void keydir_remove(struct keydir *d, const char *const *names, size_t n)
{
	char path[128];

	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", d->path, names[i]);
		unlink(path);
	}
	rmdir(d->path);
}

static void key_ok(const char *word, const void *want, uint32_t want_len)
{
	uint8_t key[NFSEC_KEY_MAX + 1];
	struct errmsg err = { "" };
	uint32_t len = 999;

	memset(key, SENTINEL, sizeof(key));
	if (sa_key_parse("aead key", word, key, &len, &err) < 0)
		fail_msg("key \"%s\" refused: %s", word, err.text);
	assert_int_equal(len, want_len);
	assert_memory_equal(key, want, want_len);
	assert_int_equal(key[want_len], SENTINEL);
}

static void key_fails(const char *word, const char *want)
{
	uint8_t key[NFSEC_KEY_MAX], untouched[NFSEC_KEY_MAX];
	struct errmsg err = { "" };
	uint32_t len = 999;

	memset(key, SENTINEL, sizeof(key));
	memset(untouched, SENTINEL, sizeof(untouched));
	assert_true(sa_key_parse("aead key", word, key, &len, &err) < 0);
	assert_string_equal(err.text, want);
	assert_int_equal(len, 999);
	assert_memory_equal(key, untouched, sizeof(key));
}

static void test_key_words(void **state)
{
	char longest[2 + 2 * NFSEC_KEY_MAX + 1], toolong[2 * NFSEC_KEY_MAX + 3];
	uint8_t ones[NFSEC_KEY_MAX];

	(void)state;
	key_ok("0x0102", (const uint8_t[]){ 1, 2 }, 2);
	key_ok("0102", (const uint8_t[]){ 1, 2 }, 2);
	key_ok("DEADbeef", (const uint8_t[]){ 0xde, 0xad, 0xbe, 0xef }, 4);
	key_ok("", "", 0);
	key_ok("0x", "", 0);

	memset(ones, 0x11, sizeof(ones));
	snprintf(longest, sizeof(longest), "0x");
	memset(longest + 2, '1', 2 * NFSEC_KEY_MAX);
	longest[sizeof(longest) - 1] = '\0';
	key_ok(longest, ones, NFSEC_KEY_MAX);
	memset(toolong, '1', sizeof(toolong) - 1);
	toolong[sizeof(toolong) - 1] = '\0';
	{
		uint8_t key[NFSEC_KEY_MAX];
		struct errmsg err = { "" };
		uint32_t len = 999;

		/* the message is cut short at its length, the word being that long */
		assert_int_equal(sa_key_parse("aead key", toolong, key, &len, &err), -EINVAL);
		assert_true(strncmp(err.text, "invalid aead key \"1111", 22) == 0);
		assert_int_equal(len, 999);
	}
	key_fails("abc", "invalid aead key \"abc\": odd number of hex digits (3)");
	key_fails("0xzz", "invalid aead key \"0xzz\": character 3 is not a hex digit");
	key_fails("key:0102", "invalid aead key \"key:0102\": character 1 is not a hex digit");
	key_fails("File:x", "invalid aead key \"File:x\": character 2 is not a hex digit");
}

static void test_key_files(void **state)
{
	static const char *const names[] = {
		"raw", "empty", "max", "big", "hex", "hexbad", "hexodd", "hexbig", "hexnul",
		"hexblank",
	};
	static const uint8_t raw[] = { 0, '\n', 0xff, ' ', 'x', 0 };
	uint8_t max[NFSEC_KEY_MAX + 1], text[4 * NFSEC_KEY_MAX];
	struct keydir d = { .path = "" };
	char word[200], want[400];
	const char *path;

	(void)state;
	path = key_file(&d, "raw", raw, sizeof(raw));
	snprintf(word, sizeof(word), "file:%s", path);
	key_ok(word, raw, sizeof(raw));
	path = key_file(&d, "empty", "", 0);
	snprintf(word, sizeof(word), "file:%s", path);
	key_ok(word, "", 0);
	memset(max, 0x5a, sizeof(max));
	path = key_file(&d, "max", max, NFSEC_KEY_MAX);
	snprintf(word, sizeof(word), "file:%s", path);
	key_ok(word, max, NFSEC_KEY_MAX);
	path = key_file(&d, "big", max, NFSEC_KEY_MAX + 1);
	snprintf(word, sizeof(word), "file:%s", path);
	snprintf(want, sizeof(want), "invalid aead key \"%s\": more than 128 bytes", word);
	key_fails(word, want);
	snprintf(word, sizeof(word), "file:%s/none", d.path);
	snprintf(want, sizeof(want), "invalid aead key \"%s\": No such file or directory",
		 word);
	key_fails(word, want);

	/* hex text: whitespace anywhere, 0x first */
	path = key_file(&d, "hex", " 0x0102 03\n\t04\r\n", 16);
	snprintf(word, sizeof(word), "hexfile:%s", path);
	key_ok(word, (const uint8_t[]){ 1, 2, 3, 4 }, 4);
	path = key_file(&d, "hexblank", "\n \n", 3);
	snprintf(word, sizeof(word), "hexfile:%s", path);
	key_ok(word, "", 0);
	/* faults by position: the text is never quoted */
	path = key_file(&d, "hexbad", "01 0g", 5);
	snprintf(word, sizeof(word), "hexfile:%s", path);
	snprintf(want, sizeof(want), "invalid aead key \"%s\": character 5 is not a hex digit",
		 word);
	key_fails(word, want);
	path = key_file(&d, "hexnul", "01\0" "02", 5);
	snprintf(word, sizeof(word), "hexfile:%s", path);
	snprintf(want, sizeof(want), "invalid aead key \"%s\": character 3 is not a hex digit",
		 word);
	key_fails(word, want);
	path = key_file(&d, "hexodd", "0x010\n", 6);
	snprintf(word, sizeof(word), "hexfile:%s", path);
	snprintf(want, sizeof(want), "invalid aead key \"%s\": odd number of hex digits (3)",
		 word);
	key_fails(word, want);
	memset(text, 'a', sizeof(text));
	for (size_t i = 2; i < sizeof(text); i += 3)
		text[i] = '\n';
	path = key_file(&d, "hexbig", text, 3 * (NFSEC_KEY_MAX + 1));
	snprintf(word, sizeof(word), "hexfile:%s", path);
	snprintf(want, sizeof(want), "invalid aead key \"%s\": more than 128 bytes", word);
	key_fails(word, want);
	path = key_file(&d, "hexbig", text, 3 * NFSEC_KEY_MAX);
	memset(max, 0xaa, sizeof(max));
	key_ok(word, max, NFSEC_KEY_MAX);

	/* through sa add, naming the transform */
	snprintf(word, sizeof(word), "file:%s/none", d.path);
	snprintf(want, sizeof(want), "invalid enc key \"%s\": No such file or directory", word);
	ADD_FAILS(want, OUT4, "enc", "aes-cbc", word, "auth", "sha1", "0x01");
	snprintf(word, sizeof(word), "hexfile:%s/hex", d.path);
	assert_int_equal(ADD_OK(OUT4, "enc", "null", "", "auth", "sha1", word).auth.key_len, 4);
	keydir_remove(&d, names, sizeof(names) / sizeof(names[0]));
}

/* --- delete and get ------------------------------------------------------------------- */

static void test_parse_id(void **state)
{
	struct errmsg err = { "" };
	struct sa_id id, untouched;

	(void)state;
	assert_int_equal(sa_parse_id("sa delete", ARGC("dst", "10.0.0.2", "spi", "0x1000"),
				     ARGV("dst", "10.0.0.2", "spi", "0x1000"), &id, &err), 0);
	assert_int_equal(id.spi, 0x1000);
	assert_int_equal(id.family, AF_INET);
	expect_addr(id.dst, "10.0.0.2");
	assert_int_equal(id.proto, IPPROTO_ESP);
	assert_int_equal(sa_parse_id("sa get", ARGC("spi", "256", "dst", "::1", "proto", "esp"),
				     ARGV("spi", "256", "dst", "::1", "proto", "esp"), &id, &err),
			 0);
	assert_int_equal(id.family, AF_INET6);
	expect_addr(id.dst, "::1");

	memset(&id, SENTINEL, sizeof(id));
	memset(&untouched, SENTINEL, sizeof(untouched));
	assert_int_equal(sa_parse_id("sa delete", ARGC("dst", "10.0.0.2"), ARGV("dst", "10.0.0.2"),
				     &id, &err), -EINVAL);
	assert_string_equal(err.text, "sa delete needs \"spi\"");
	assert_int_equal(sa_parse_id("sa get", ARGC("spi", "256"), ARGV("spi", "256"), &id,
				     &err), -EINVAL);
	assert_string_equal(err.text, "sa get needs \"dst\"");
	assert_int_equal(sa_parse_id("sa delete", ARGC("src", "10.0.0.1"),
				     ARGV("src", "10.0.0.1"), &id, &err), -EINVAL);
	assert_string_equal(err.text, "unknown word \"src\" in sa delete");
	assert_int_equal(sa_parse_id("sa get", ARGC("proto", "ah"), ARGV("proto", "ah"), &id,
				     &err), -EINVAL);
	assert_string_equal(err.text, "\"proto\" needs esp, not \"ah\"");
	assert_int_equal(sa_parse_id("sa get", ARGC("spi", "1"), ARGV("spi", "1"), &id, &err),
			 -ERANGE);
	assert_string_equal(err.text, "invalid spi \"1\": out of range 256..4294967295");
	assert_memory_equal(&id, &untouched, sizeof(id));
}

static void test_parse_set(void **state)
{
	struct errmsg err = { "" };
	struct nfsec_sa sa;

	(void)state;
	assert_int_equal(sa_parse_set(ARGC("spi", "0x1000", "dst", "10.0.0.2", "encap", "udp",
					   "sport", "4500", "dport", "1025"),
				      ARGV("spi", "0x1000", "dst", "10.0.0.2", "encap", "udp",
					   "sport", "4500", "dport", "1025"), &sa, &err), 0);
	assert_int_equal(sa.spi, 0x1000);
	assert_int_equal(sa.family, AF_INET);
	expect_addr(sa.dst, "10.0.0.2");
	assert_int_equal(sa.proto, IPPROTO_ESP);
	assert_true(sa.encap);
	assert_int_equal(sa.encap_sport, 4500);
	assert_int_equal(sa.encap_dport, 1025);

	assert_int_equal(sa_parse_set(ARGC("spi", "0x1000", "dst", "10.0.0.2"),
				      ARGV("spi", "0x1000", "dst", "10.0.0.2"), &sa, &err),
			 -EINVAL);
	assert_string_equal(err.text, "sa set needs \"encap\"");
	assert_int_equal(sa_parse_set(ARGC("spi", "0x1000", "dst", "10.0.0.2", "mode", "tunnel"),
				      ARGV("spi", "0x1000", "dst", "10.0.0.2", "mode", "tunnel"),
				      &sa, &err), -EINVAL);
	assert_string_equal(err.text, "unknown word \"mode\" in sa set");
	assert_int_equal(sa_parse_set(ARGC("dst", "10.0.0.2", "encap", "udp", "sport", "1",
					   "dport", "0"),
				      ARGV("dst", "10.0.0.2", "encap", "udp", "sport", "1",
					   "dport", "0"), &sa, &err), -ERANGE);
	assert_string_equal(err.text, "invalid encap dport \"0\": out of range 1..65535");
}

/* --- show: text and JSON -------------------------------------------------------------- */

static char *print_text(const struct nfsec_sa *sa)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	sa_print(f, sa);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void prints(const struct nfsec_sa *sa, const char *want)
{
	char *got = print_text(sa);

	assert_string_equal(got, want);
	free(got);
}

static const char out_line[] =
	"spi 0x1000 dir out src 10.0.0.1 dst 10.0.0.2 proto esp mode tunnel reqid 1 "
	"aead rfc4106(gcm(aes)) icv 128 replay-window 64 seq 12 bytes 3400 packets 12 age 5s "
	"drop-replay 3 drop-auth-fail 1\n";

static const char in_line[] =
	"spi 0xfffffffe dir in src 2001:db8::1 dst 2001:db8::2 proto esp mode transport "
	"reqid 4294967295 enc cbc(aes) auth hmac(sha256) icv 128 replay-window 4096 esn "
	"sel-src 2001:db8::1/128 sel-dst 2001:db8::2/128 sel-proto udp sel-sport 500 "
	"soft-bytes 1000000 hard-bytes 2000000 soft-packets 10 hard-packets 20 "
	"soft-seconds 3600 hard-seconds 18446744073709551615 seq 1099511627776 "
	"bytes 18446744073709551615 packets 0 age 0s seconds-left 18446744073709551615 "
	"kilobytes-left 0 drop-malformed 7 drop-error 18446744073709551615\n";

static void test_print_text(void **state)
{
	struct nfsec_sa sa = sample_sa_out();

	(void)state;
	prints(&sa, out_line);
	sa = sample_sa_in();
	prints(&sa, in_line);

	/* keys are never printed, whatever the struct holds */
	sa = sample_sa_out();
	sa.aead.key_len = 4;
	memcpy(sa.aead.key, "\xde\xad\xbe\xef", 4);
	prints(&sa, out_line);

	/* an outbound SA without a window, one lifetime, a selector with all ports */
	sa.replay_window = 0;
	sa.lifetime.hard_packets = 5;
	sa.has_selector = true;
	sa.sel = (struct nfsec_selector){ .family = AF_INET, .src = { 10, 1 }, .src_prefix = 16,
					  .sport_max = 65535, .dport_max = 65535 };
	prints(&sa, "spi 0x1000 dir out src 10.0.0.1 dst 10.0.0.2 proto esp mode tunnel reqid 1 "
		    "aead rfc4106(gcm(aes)) icv 128 sel-src 10.1.0.0/16 sel-dst 0.0.0.0/0 "
		    "hard-packets 5 seq 12 bytes 3400 packets 12 age 5s drop-replay 3 "
		    "drop-auth-fail 1\n");

	/* what the hard limits leave: none left once reached; no drops, no words */
	sa = sample_sa_out();
	memset(sa.drops, 0, sizeof(sa.drops));
	sa.lifetime.hard_seconds = 60;
	sa.lifetime.hard_bytes = 3400 + 2047;
	prints(&sa, "spi 0x1000 dir out src 10.0.0.1 dst 10.0.0.2 proto esp mode tunnel reqid 1 "
		    "aead rfc4106(gcm(aes)) icv 128 replay-window 64 hard-bytes 5447 "
		    "hard-seconds 60 seq 12 bytes 3400 packets 12 age 5s seconds-left 55 "
		    "kilobytes-left 1\n");
	sa.age_seconds = 61;
	sa.bytes = 5447;
	prints(&sa, "spi 0x1000 dir out src 10.0.0.1 dst 10.0.0.2 proto esp mode tunnel reqid 1 "
		    "aead rfc4106(gcm(aes)) icv 128 replay-window 64 hard-bytes 5447 "
		    "hard-seconds 60 seq 12 bytes 5447 packets 12 age 61s seconds-left 0 "
		    "kilobytes-left 0\n");
}

static void test_drop_names(void **state)
{
	(void)state;
	assert_null(nfsec_sa_drop_name(NFSEC_SA_DROP_A_UNSPEC));
	assert_null(nfsec_sa_drop_name(NFSEC_SA_DROP_A_PAD));
	assert_null(nfsec_sa_drop_name(NFSEC_SA_DROP_A_MAX + 1));
	assert_null(nfsec_sa_drop_name(-1));
	assert_string_equal(nfsec_sa_drop_name(NFSEC_SA_DROP_A_REPLAY), "replay");
	assert_string_equal(nfsec_sa_drop_name(NFSEC_SA_DROP_A_AUTH_FAIL), "auth-fail");
	assert_string_equal(nfsec_sa_drop_name(NFSEC_SA_DROP_A_ERROR), "error");
	for (int attr = NFSEC_SA_DROP_A_PAD + 1; attr <= NFSEC_SA_DROP_A_MAX; attr++)
		assert_non_null(nfsec_sa_drop_name(attr));
}

static const char out_json[] =
	"{\"spi\":4096,\"dir\":\"out\",\"family\":\"inet\",\"src\":\"10.0.0.1\","
	"\"dst\":\"10.0.0.2\",\"proto\":50,\"mode\":\"tunnel\",\"reqid\":1,"
	"\"aead\":{\"name\":\"rfc4106(gcm(aes))\",\"icv_bits\":128},\"replay_window\":64,"
	"\"esn\":false,\"encap\":null,\"lifetime\":{\"soft_bytes\":0,\"hard_bytes\":0,\"soft_packets\":0,"
	"\"hard_packets\":0,\"soft_seconds\":0,\"hard_seconds\":0},\"seq\":12,\"bytes\":3400,"
	"\"packets\":12,\"age_seconds\":5,\"seconds_left\":null,\"kilobytes_left\":null,"
	"\"drops\":{\"replay\":3,\"auth_fail\":1,\"malformed\":0,\"selector\":0,\"dummy\":0,"
	"\"expired\":0,\"seq_overflow\":0,\"no_route\":0,\"too_big\":0,\"error\":0}}";

static const char in_json[] =
	"{\"spi\":4294967294,\"dir\":\"in\",\"family\":\"inet6\",\"src\":\"2001:db8::1\","
	"\"dst\":\"2001:db8::2\",\"proto\":50,\"mode\":\"transport\",\"reqid\":4294967295,"
	"\"enc\":{\"name\":\"cbc(aes)\"},\"auth\":{\"name\":\"hmac(sha256)\",\"icv_bits\":128},"
	"\"replay_window\":4096,\"esn\":true,\"selector\":{\"family\":\"inet6\","
	"\"src\":\"2001:db8::1/128\",\"dst\":\"2001:db8::2/128\",\"proto\":17,"
	"\"sport\":[500,500],\"dport\":[0,65535]},\"encap\":null,"
	"\"lifetime\":{\"soft_bytes\":1000000,"
	"\"hard_bytes\":2000000,\"soft_packets\":10,\"hard_packets\":20,\"soft_seconds\":3600,"
	"\"hard_seconds\":18446744073709551615},\"seq\":1099511627776,"
	"\"bytes\":18446744073709551615,\"packets\":0,\"age_seconds\":0,"
	"\"seconds_left\":18446744073709551615,\"kilobytes_left\":0,"
	"\"drops\":{\"replay\":0,\"auth_fail\":0,\"malformed\":7,\"selector\":0,\"dummy\":0,"
	"\"expired\":0,\"seq_overflow\":0,\"no_route\":0,\"too_big\":0,"
	"\"error\":18446744073709551615}}";

static void test_print_encap(void **state)
{
	struct nfsec_sa sa = sample_sa_out();
	char *buf = NULL, *got;
	size_t len = 0;
	FILE *f;
	struct json j;

	(void)state;
	sa.encap = true;
	sa.encap_sport = 4500;
	sa.encap_dport = 4501;
	got = print_text(&sa);
	assert_non_null(strstr(got, " replay-window 64 encap udp sport 4500 dport 4501 seq 12 "));
	free(got);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	json_init(&j, f);
	sa_json(&j, NULL, &sa);
	assert_int_equal(json_finish(&j), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(buf, ",\"esn\":false,\"encap\":{\"type\":\"udp\",\"sport\":4500,"
				    "\"dport\":4501},\"lifetime\":{"));
	free(buf);
}

static void test_print_json(void **state)
{
	struct nfsec_sa out = sample_sa_out(), in = sample_sa_in();
	char *buf = NULL, want[2048];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	(void)state;
	assert_non_null(f);
	json_init(&j, f);
	json_array_begin(&j, NULL);
	sa_json(&j, NULL, &out);
	sa_json(&j, NULL, &in);
	json_array_end(&j);
	assert_int_equal(json_finish(&j), 0);
	assert_int_equal(fclose(f), 0);
	snprintf(want, sizeof(want), "[%s,%s]\n", out_json, in_json);
	assert_string_equal(buf, want);
	free(buf);
}

/* --- the command, refusing before any netlink is opened ------------------------------- */

static void run_fails(struct run r, const char *want_err)
{
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, want_err);
	run_free(&r);
}

static void test_run_refusals(void **state)
{
	(void)state;
	run_fails(RUN("nfsec", "sa", "add"), "nfsec: sa add needs \"spi\"\n");
	run_fails(RUN("nfsec", "sa", "add", OUT4, "aead", "gcm-aes", "0xzz", "128"),
		  "nfsec: invalid aead key \"0xzz\": character 3 is not a hex digit\n");
	run_fails(RUN("nfsec", "sa", "del", "spi", "1", "dst", "10.0.0.1"),
		  "nfsec: invalid spi \"1\": out of range 256..4294967295\n");
	run_fails(RUN("nfsec", "-j", "sa", "get", "spi", "256"),
		  "nfsec: sa get needs \"dst\"\n");
	run_fails(RUN("nfsec", "sa", "show", "dir", "in"),
		  "nfsec: unknown word \"dir\" in sa show\n");
	run_fails(RUN("nfsec", "sa", "flush", "all"), "nfsec: unknown word \"all\" in sa flush\n");
	run_fails(RUN("nfsec", "sa", "frob"),
		  "nfsec: sa: unknown command \"frob\", try \"nfsec help sa\"\n");
}

static void test_run_help(void **state)
{
	struct run a = RUN("nfsec", "help", "sa");
	struct run b = RUN("nfsec", "sa", "help");
	struct run c = RUN("nfsec", "-h", "sa");

	(void)state;
	assert_int_equal(a.status, 0);
	assert_string_equal(a.out, sa_usage);
	assert_string_equal(a.err, "");
	assert_int_equal(b.status, 0);
	assert_string_equal(b.out, sa_usage);
	assert_int_equal(c.status, 0);
	assert_string_equal(c.out, sa_usage);
	/* the usage names every form the parser takes */
	assert_non_null(strstr(sa_usage, "nfsec sa add spi SPI dir DIR src ADDR dst ADDR "
					 "[proto esp] mode MODE [reqid N]"));
	assert_non_null(strstr(sa_usage, "{ aead NAME KEY ICV_BITS | enc NAME KEY auth NAME KEY "
					 "[ICV_BITS] }"));
	assert_non_null(strstr(sa_usage, "nfsec sa delete spi SPI dst ADDR [proto esp]"));
	assert_non_null(strstr(sa_usage, "nfsec [-j] sa show"));
	assert_non_null(strstr(sa_usage, "nfsec sa flush"));
	run_free(&a);
	run_free(&b);
	run_free(&c);
}

/* --- libnfsec: the requests ----------------------------------------------------------- */

static struct nfsec_sa with_keys(struct nfsec_sa sa)
{
	if (sa.aead.name[0]) {
		sa.aead.key_len = 20;
		memset(sa.aead.key, 0xa1, 20);
	} else {
		sa.enc.key_len = 16;
		memset(sa.enc.key, 0xe1, 16);
		sa.auth.key_len = 32;
		memset(sa.auth.key, 0xa2, 32);
	}
	return sa;
}

static struct nl_msg *new_msg(const struct nfsec_sa *sa)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct nl_msg *msg;

	assert_int_equal(nfsec_sa_new_msg(&h, sa, &msg), 0);
	assert_non_null(msg);
	return msg;
}

static void next_key(struct walk *w, uint8_t byte, int len)
{
	uint8_t want[NFSEC_KEY_MAX];

	memset(want, byte, sizeof(want));
	assert_memory_equal(nla_data(next_attr(w, NFSEC_ALG_A_KEY, len)), want, len);
}

static void next_string(struct walk *w, uint16_t type, const char *value)
{
	struct nlattr *nla = next_attr(w, type, (int)strlen(value) + 1);

	assert_string_equal(nla_data(nla), value);
}

static void next_lifetime(struct walk *sa, const struct nfsec_lifetime *lt)
{
	struct walk w = walk_nest(next_attr(sa, NFSEC_SA_A_LIFETIME | NLA_F_NESTED, -1));

	next_u64(&w, NFSEC_LT_A_SOFT_BYTES, lt->soft_bytes);
	next_u64(&w, NFSEC_LT_A_HARD_BYTES, lt->hard_bytes);
	next_u64(&w, NFSEC_LT_A_SOFT_PACKETS, lt->soft_packets);
	next_u64(&w, NFSEC_LT_A_HARD_PACKETS, lt->hard_packets);
	next_u64(&w, NFSEC_LT_A_SOFT_SECONDS, lt->soft_seconds);
	next_u64(&w, NFSEC_LT_A_HARD_SECONDS, lt->hard_seconds);
	walk_end(&w);
}

/* Every attribute in order, with its exact length; no replay window out, no ESN flag. */
static void test_new_request_out(void **state)
{
	struct nfsec_sa sa = with_keys(sample_sa_out());
	struct walk top, w, alg;
	struct nl_msg *msg;

	(void)state;
	sa.replay_window = 0;
	sa.lifetime.soft_seconds = 60;
	msg = new_msg(&sa);
	expect_header(msg, NFSEC_CMD_SA_NEW, 0);
	top = walk_msg(msg);
	w = walk_nest(next_attr(&top, NFSEC_A_SA | NLA_F_NESTED, -1));
	walk_end(&top);
	next_u32(&w, NFSEC_SA_A_SPI, 0x1000);
	next_u8(&w, NFSEC_SA_A_DIR, NFSEC_SA_DIR_OUT);
	next_u16(&w, NFSEC_SA_A_FAMILY, AF_INET);
	next_addr(&w, NFSEC_SA_A_SRC, "10.0.0.1", 4);
	next_addr(&w, NFSEC_SA_A_DST, "10.0.0.2", 4);
	next_u8(&w, NFSEC_SA_A_PROTO, IPPROTO_ESP);
	next_u8(&w, NFSEC_SA_A_MODE, NFSEC_MODE_TUNNEL);
	next_u32(&w, NFSEC_SA_A_REQID, 1);
	alg = walk_nest(next_attr(&w, NFSEC_SA_A_AEAD | NLA_F_NESTED, -1));
	next_string(&alg, NFSEC_ALG_A_NAME, "rfc4106(gcm(aes))");
	next_key(&alg, 0xa1, 20);
	next_u32(&alg, NFSEC_ALG_A_ICV_BITS, 128);
	walk_end(&alg);
	next_lifetime(&w, &sa.lifetime);
	walk_end(&w);
	nlmsg_free(msg);
}

static void new_refused(const struct nfsec_sa *sa, const char *want);

/* The encapsulation after the transforms, every attribute of it. */
static void test_new_request_encap(void **state)
{
	struct nfsec_sa sa = with_keys(sample_sa_out());
	struct walk top, w, enc;
	struct nl_msg *msg;

	(void)state;
	sa.replay_window = 0;
	sa.encap = true;
	sa.encap_sport = 4500;
	sa.encap_dport = 1;
	msg = new_msg(&sa);
	top = walk_msg(msg);
	w = walk_nest(next_attr(&top, NFSEC_A_SA | NLA_F_NESTED, -1));
	for (int i = 0; i < 8; i++)
		next_attr(&w, (uint16_t)(NFSEC_SA_A_SPI + i), -1);
	next_attr(&w, NFSEC_SA_A_AEAD | NLA_F_NESTED, -1);
	enc = walk_nest(next_attr(&w, NFSEC_SA_A_ENCAP | NLA_F_NESTED, -1));
	next_u8(&enc, NFSEC_ENCAP_A_TYPE, NFSEC_ENCAP_ESPINUDP);
	next_u16(&enc, NFSEC_ENCAP_A_SPORT, 4500);
	next_u16(&enc, NFSEC_ENCAP_A_DPORT, 1);
	walk_end(&enc);
	next_lifetime(&w, &sa.lifetime);
	walk_end(&w);
	walk_end(&top);
	nlmsg_free(msg);

	sa.encap_dport = 0;
	new_refused(&sa, "add SA: UDP encapsulation needs both ports, not 0");
	sa = sample_sa_in();
	sa.encap = true;
	sa.encap_sport = sa.encap_dport = 4500;
	new_refused(&sa, "add SA: UDP encapsulation is IPv4 only for now");
}

/* The replay window in, ESN, the selector; enc without an ICV, auth's left to the kernel. */
static void test_new_request_in(void **state)
{
	struct nfsec_sa sa = with_keys(sample_sa_in());
	struct walk top, w, alg, sel;
	struct nl_msg *msg;

	(void)state;
	sa.auth.icv_bits = 0;
	msg = new_msg(&sa);
	top = walk_msg(msg);
	w = walk_nest(next_attr(&top, NFSEC_A_SA | NLA_F_NESTED, -1));
	next_u32(&w, NFSEC_SA_A_SPI, 0xfffffffe);
	next_u8(&w, NFSEC_SA_A_DIR, NFSEC_SA_DIR_IN);
	next_u16(&w, NFSEC_SA_A_FAMILY, AF_INET6);
	next_addr(&w, NFSEC_SA_A_SRC, "2001:db8::1", 16);
	next_addr(&w, NFSEC_SA_A_DST, "2001:db8::2", 16);
	next_u8(&w, NFSEC_SA_A_PROTO, IPPROTO_ESP);
	next_u8(&w, NFSEC_SA_A_MODE, NFSEC_MODE_TRANSPORT);
	next_u32(&w, NFSEC_SA_A_REQID, UINT32_MAX);
	alg = walk_nest(next_attr(&w, NFSEC_SA_A_ENC | NLA_F_NESTED, -1));
	next_string(&alg, NFSEC_ALG_A_NAME, "cbc(aes)");
	next_key(&alg, 0xe1, 16);
	walk_end(&alg);
	alg = walk_nest(next_attr(&w, NFSEC_SA_A_AUTH | NLA_F_NESTED, -1));
	next_string(&alg, NFSEC_ALG_A_NAME, "hmac(sha256)");
	next_key(&alg, 0xa2, 32);
	walk_end(&alg);
	next_u32(&w, NFSEC_SA_A_REPLAY_WINDOW, 4096);
	next_attr(&w, NFSEC_SA_A_ESN, 0);
	sel = walk_nest(next_attr(&w, NFSEC_SA_A_SELECTOR | NLA_F_NESTED, -1));
	next_u16(&sel, NFSEC_SEL_A_FAMILY, AF_INET6);
	next_addr(&sel, NFSEC_SEL_A_SRC, "2001:db8::1", 16);
	next_u8(&sel, NFSEC_SEL_A_SRC_PREFIX, 128);
	next_addr(&sel, NFSEC_SEL_A_DST, "2001:db8::2", 16);
	next_u8(&sel, NFSEC_SEL_A_DST_PREFIX, 128);
	next_u8(&sel, NFSEC_SEL_A_PROTO, IPPROTO_UDP);
	next_u16(&sel, NFSEC_SEL_A_SPORT_MIN, 500);
	next_u16(&sel, NFSEC_SEL_A_SPORT_MAX, 500);
	next_u16(&sel, NFSEC_SEL_A_DPORT_MIN, 0);
	next_u16(&sel, NFSEC_SEL_A_DPORT_MAX, 65535);
	walk_end(&sel);
	next_lifetime(&w, &sa.lifetime);
	walk_end(&w);
	walk_end(&top);
	nlmsg_free(msg);

	/* the null cipher's empty key is still sent, as an empty attribute */
	sa = sample_sa_in();
	strcpy(sa.enc.name, "ecb(cipher_null)");
	msg = new_msg(&sa);
	top = walk_msg(msg);
	w = walk_nest(next_attr(&top, NFSEC_A_SA | NLA_F_NESTED, -1));
	for (int i = 0; i < 8; i++)
		next_attr(&w, (uint16_t)(NFSEC_SA_A_SPI + i), -1);
	alg = walk_nest(next_attr(&w, NFSEC_SA_A_ENC | NLA_F_NESTED, -1));
	next_string(&alg, NFSEC_ALG_A_NAME, "ecb(cipher_null)");
	next_attr(&alg, NFSEC_ALG_A_KEY, 0);
	walk_end(&alg);
	nlmsg_free(msg);
}

static void new_refused(const struct nfsec_sa *sa, const char *want)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct nl_msg *msg = (struct nl_msg *)&h;

	assert_int_equal(nfsec_sa_new_msg(&h, sa, &msg), -EINVAL);
	assert_null(msg);
	assert_string_equal(nfsec_error(&h), want);
	/* the public call refuses it the same way, before any socket is touched */
	h.errmsg[0] = '\0';
	assert_int_equal(nfsec_sa_add(&h, sa), -EINVAL);
	assert_string_equal(nfsec_error(&h), want);
}

static void test_new_request_refused(void **state)
{
	struct nfsec_sa sa;

	(void)state;
	sa = sample_sa_out();
	sa.spi = 255;
	new_refused(&sa, "add SA: SPI 255 is below 256");
	sa = sample_sa_out();
	sa.family = 0;
	new_refused(&sa, "add SA: family 0 is neither AF_INET nor AF_INET6");
	sa = sample_sa_out();
	sa.dir = 2;
	new_refused(&sa, "add SA: direction 2 is out of range 0..1");
	sa = sample_sa_out();
	sa.mode = 2;
	new_refused(&sa, "add SA: mode 2 is out of range 0..1");
	sa = sample_sa_out();
	new_refused(&sa, "add SA: an outbound SA has no replay window (64)");
	sa = sample_sa_in();
	sa.replay_window = 4097;
	new_refused(&sa, "add SA: replay window 4097 is above 4096");
	sa = sample_sa_in();
	strcpy(sa.aead.name, "rfc4106(gcm(aes))");
	new_refused(&sa, "add SA: an AEAD excludes enc and auth");
	sa = sample_sa_in();
	sa.auth.name[0] = '\0';
	new_refused(&sa, "add SA: an SA needs an AEAD, or both enc and auth");
	sa = sample_sa_in();
	sa.enc.name[0] = sa.auth.name[0] = '\0';
	new_refused(&sa, "add SA: an SA needs an AEAD, or both enc and auth");
	sa = sample_sa_in();
	sa.enc.icv_bits = 96;
	new_refused(&sa, "add SA: enc takes no ICV length (icv_bits 96)");
	sa = sample_sa_in();
	sa.auth.key_len = NFSEC_KEY_MAX + 1;
	new_refused(&sa, "add SA: auth key of 129 bytes, at most 128");
	sa = sample_sa_out();
	sa.replay_window = 0;
	memset(sa.aead.name, 'a', sizeof(sa.aead.name));
	new_refused(&sa, "add SA: the aead algorithm's name is longer than 63 bytes");
	sa = sample_sa_in();
	sa.sel.dst_prefix = 129;
	new_refused(&sa, "add SA: destination prefix length 129 is above 128");

	/* the bounds themselves are fine */
	sa = sample_sa_in();
	sa.spi = 256;
	sa.auth.key_len = NFSEC_KEY_MAX;
	nlmsg_free(new_msg(&sa));
}

static void test_id_requests(void **state)
{
	static const uint8_t cmds[] = { NFSEC_CMD_SA_DEL, NFSEC_CMD_SA_GET };
	static const uint8_t dst6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	struct nfsec_handle h = { .family = FAMILY };
	struct nl_msg *msg;

	(void)state;
	for (size_t i = 0; i < sizeof(cmds); i++) {
		struct walk top, w;

		assert_int_equal(nfsec_sa_id_msg(&h, cmds[i], 0xfedcba98, AF_INET6, dst6,
						 IPPROTO_ESP, &msg), 0);
		expect_header(msg, cmds[i], 0);
		top = walk_msg(msg);
		w = walk_nest(next_attr(&top, NFSEC_A_SA | NLA_F_NESTED, -1));
		walk_end(&top);
		next_u32(&w, NFSEC_SA_A_SPI, 0xfedcba98);
		next_u16(&w, NFSEC_SA_A_FAMILY, AF_INET6);
		next_addr(&w, NFSEC_SA_A_DST, "2001:db8::2", 16);
		next_u8(&w, NFSEC_SA_A_PROTO, IPPROTO_ESP);
		walk_end(&w);
		nlmsg_free(msg);
	}
	assert_int_equal(nfsec_sa_id_msg(&h, NFSEC_CMD_SA_DEL, 255, AF_INET, dst6, IPPROTO_ESP,
					 &msg), -EINVAL);
	assert_null(msg);
	assert_string_equal(nfsec_error(&h), "delete SA: SPI 255 is below 256");
	assert_int_equal(nfsec_sa_id_msg(&h, NFSEC_CMD_SA_GET, 256, 3, dst6, IPPROTO_ESP, &msg),
			 -EINVAL);
	assert_string_equal(nfsec_error(&h), "get SA: family 3 is neither AF_INET nor AF_INET6");
}

static void test_handle_not_open(void **state)
{
	struct nfsec_handle h = { .family = 0 };
	struct nfsec_sa sa = sample_sa_in();

	(void)state;
	assert_int_equal(nfsec_sa_add(&h, &sa), -ENOTCONN);
	assert_string_equal(nfsec_error(&h), "add SA: the handle is not open");
	assert_int_equal(nfsec_sa_del(&h, 256, AF_INET, sa.dst, IPPROTO_ESP), -ENOTCONN);
	assert_string_equal(nfsec_error(&h), "delete SA: the handle is not open");
	assert_int_equal(nfsec_sa_get(&h, 256, AF_INET, sa.dst, IPPROTO_ESP, &sa), -ENOTCONN);
	assert_string_equal(nfsec_error(&h), "get SA: the handle is not open");
	assert_int_equal(nfsec_sa_dump(&h, NULL, NULL), -ENOTCONN);
	assert_string_equal(nfsec_error(&h), "list SAs: the handle is not open");
	assert_int_equal(nfsec_sa_flush(&h), -ENOTCONN);
	assert_string_equal(nfsec_error(&h), "flush SAs: the handle is not open");
}

/* --- libnfsec: the replies ------------------------------------------------------------ */

static struct nl_msg *reply_build(const struct nfsec_sa *sa, struct sa_spoil s)
{
	struct nl_msg *msg = reply_new(NFSEC_CMD_SA_GET);

	if (s.newer)
		assert_int_equal(nla_put_u64(msg, NFSEC_A_MAX + 1, 1), 0);
	put_sa(msg, sa, s);
	return msg;
}

/* Parses msg (freed) as a "get SA" reply into *out; returns the result. */
static int parse_one(struct nfsec_handle *h, struct nl_msg *msg, struct nfsec_sa *out,
		     unsigned int *count)
{
	struct nfsec_reply reply = { .op = "get SA", .object = NFSEC_REPLY_SA, .one = out };
	int ret;

	memset(out, SENTINEL, sizeof(*out));
	ret = nfsec_reply_parse(h, nlmsg_hdr(msg), &reply);
	*count = reply.count;
	nlmsg_free(msg);
	return ret;
}

static void reply_ok(const struct nfsec_sa *sa, struct sa_spoil s)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct nfsec_sa got;
	unsigned int count;

	assert_int_equal(parse_one(&h, reply_build(sa, s), &got, &count), 0);
	assert_int_equal(count, 1);
	expect_sa(&got, sa);
}

static void msg_fails(struct nl_msg *msg, const char *want)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct nfsec_sa got, untouched;
	unsigned int count;

	memset(&untouched, SENTINEL, sizeof(untouched));
	assert_int_equal(parse_one(&h, msg, &got, &count), -EBADMSG);
	assert_int_equal(count, 0);
	assert_memory_equal(&got, &untouched, sizeof(got));
	assert_string_equal(nfsec_error(&h), want);
}

/* A reply whose SA nest is put_sa()'s and then one attribute more. */
static struct nl_msg *reply_plus(const struct nfsec_sa *sa, struct sa_spoil s, int type,
				 const void *data, int len)
{
	struct nl_msg *inner = reply_build(sa, s), *msg = reply_new(NFSEC_CMD_SA_GET);
	struct walk top = walk_msg(inner);
	struct nlattr *old = next_attr(&top, NFSEC_A_SA | NLA_F_NESTED, -1);
	struct nlattr *nest = nla_nest_start(msg, NFSEC_A_SA | NLA_F_NESTED);

	assert_non_null(nest);
	assert_int_equal(nlmsg_append(msg, nla_data(old), nla_len(old), 0), 0);
	assert_int_equal(nla_put(msg, type, len, data), 0);
	assert_int_equal(nla_nest_end(msg, nest), 0);
	nlmsg_free(inner);
	return msg;
}

static void reply_fails(const struct nfsec_sa *sa, struct sa_spoil s, const char *want)
{
	msg_fails(reply_build(sa, s), want);
}

static void test_reply(void **state)
{
	struct nfsec_sa out = sample_sa_out(), in = sample_sa_in();

	(void)state;
	reply_ok(&out, (struct sa_spoil){ 0 });
	reply_ok(&in, (struct sa_spoil){ 0 });
	/* an outbound SA may come without a replay window */
	out.replay_window = 0;
	reply_ok(&out, (struct sa_spoil){ .drop = NFSEC_SA_A_REPLAY_WINDOW });
	/* an inbound one without a selector */
	in.has_selector = false;
	memset(&in.sel, 0, sizeof(in.sel));
	reply_ok(&in, (struct sa_spoil){ 0 });
}

/* nla_put_u64_64bit() pads each u64 where the platform needs it: any number of pads. */
/* The encapsulation given back; strict about its type, ports and attributes. */
static void test_reply_encap(void **state)
{
	struct nfsec_sa out = sample_sa_out();

	(void)state;
	out.encap = true;
	out.encap_sport = 4500;
	out.encap_dport = 65535;
	reply_ok(&out, (struct sa_spoil){ 0 });
	reply_ok(&out, (struct sa_spoil){ .newer = true });
	reply_fails(&out, (struct sa_spoil){ .drop_encap = NFSEC_ENCAP_A_DPORT },
		    "get SA: reply lacks NFSEC_ENCAP_A_DPORT");
	reply_fails(&out, (struct sa_spoil){ .drop_encap = NFSEC_ENCAP_A_TYPE },
		    "get SA: reply lacks NFSEC_ENCAP_A_TYPE");
	reply_fails(&out, (struct sa_spoil){ .encap_type = 2 },
		    "get SA: reply has encapsulation type 2, unknown here");
	out.encap_sport = 0;
	reply_fails(&out, (struct sa_spoil){ 0 }, "get SA: reply has port 0 in NFSEC_SA_A_ENCAP");
}

static void test_reply_padding(void **state)
{
	struct nfsec_sa out = sample_sa_out(), in = sample_sa_in();

	(void)state;
	reply_ok(&out, (struct sa_spoil){ .pad = true });
	reply_ok(&in, (struct sa_spoil){ .pad = true, .newer = true });
}

static void test_reply_newer_attributes(void **state)
{
	struct nfsec_sa in = sample_sa_in();

	(void)state;
	reply_ok(&in, (struct sa_spoil){ .newer = true });
}

static void test_reply_missing(void **state)
{
	static const struct { int type; const char *name; } sa_attrs[] = {
		{ NFSEC_SA_A_SPI, "NFSEC_SA_A_SPI" }, { NFSEC_SA_A_DIR, "NFSEC_SA_A_DIR" },
		{ NFSEC_SA_A_FAMILY, "NFSEC_SA_A_FAMILY" }, { NFSEC_SA_A_SRC, "NFSEC_SA_A_SRC" },
		{ NFSEC_SA_A_DST, "NFSEC_SA_A_DST" }, { NFSEC_SA_A_PROTO, "NFSEC_SA_A_PROTO" },
		{ NFSEC_SA_A_MODE, "NFSEC_SA_A_MODE" }, { NFSEC_SA_A_REQID, "NFSEC_SA_A_REQID" },
		{ NFSEC_SA_A_LIFETIME, "NFSEC_SA_A_LIFETIME" },
		{ NFSEC_SA_A_SEQ, "NFSEC_SA_A_SEQ" }, { NFSEC_SA_A_DROPS, "NFSEC_SA_A_DROPS" },
	};
	static const char *const drop_names[] = {
		NULL, NULL, "NFSEC_SA_DROP_A_REPLAY", "NFSEC_SA_DROP_A_AUTH_FAIL",
		"NFSEC_SA_DROP_A_MALFORMED", "NFSEC_SA_DROP_A_SELECTOR", "NFSEC_SA_DROP_A_DUMMY",
		"NFSEC_SA_DROP_A_EXPIRED", "NFSEC_SA_DROP_A_SEQ_OVERFLOW",
		"NFSEC_SA_DROP_A_NO_ROUTE", "NFSEC_SA_DROP_A_TOO_BIG", "NFSEC_SA_DROP_A_ERROR",
	};
	static const char *const lt_names[] = {
		NULL, NULL, "NFSEC_LT_A_SOFT_BYTES", "NFSEC_LT_A_HARD_BYTES",
		"NFSEC_LT_A_SOFT_PACKETS", "NFSEC_LT_A_HARD_PACKETS", "NFSEC_LT_A_SOFT_SECONDS",
		"NFSEC_LT_A_HARD_SECONDS", "NFSEC_LT_A_BYTES", "NFSEC_LT_A_PACKETS",
		"NFSEC_LT_A_AGE_SECONDS",
	};
	struct nfsec_sa out = sample_sa_out(), in = sample_sa_in();
	char want[128];

	(void)state;
	assert_int_equal(sizeof(lt_names) / sizeof(lt_names[0]), NFSEC_LT_A_MAX + 1);
	msg_fails(reply_new(NFSEC_CMD_SA_GET), "get SA: reply lacks NFSEC_A_SA");
	for (size_t i = 0; i < sizeof(sa_attrs) / sizeof(sa_attrs[0]); i++) {
		snprintf(want, sizeof(want), "get SA: reply lacks %s", sa_attrs[i].name);
		reply_fails(&in, (struct sa_spoil){ .drop = sa_attrs[i].type }, want);
	}
	for (int type = NFSEC_LT_A_SOFT_BYTES; type <= NFSEC_LT_A_MAX; type++) {
		snprintf(want, sizeof(want), "get SA: reply lacks %s", lt_names[type]);
		reply_fails(&out, (struct sa_spoil){ .drop_lt = type, .pad = true }, want);
	}
	assert_int_equal(sizeof(drop_names) / sizeof(drop_names[0]), NFSEC_SA_DROP_A_MAX + 1);
	for (int type = NFSEC_SA_DROP_A_PAD + 1; type <= NFSEC_SA_DROP_A_MAX; type++) {
		snprintf(want, sizeof(want), "get SA: reply lacks %s in NFSEC_SA_A_DROPS",
			 drop_names[type]);
		reply_fails(&in, (struct sa_spoil){ .drop_reason = type, .pad = true }, want);
	}
	reply_fails(&in, (struct sa_spoil){ .drop = NFSEC_SA_A_REPLAY_WINDOW },
		    "get SA: reply lacks NFSEC_SA_A_REPLAY_WINDOW for an inbound SA");
	reply_fails(&out, (struct sa_spoil){ .drop = NFSEC_SA_A_AEAD },
		    "get SA: reply lacks NFSEC_SA_A_AEAD, or NFSEC_SA_A_ENC and NFSEC_SA_A_AUTH");
	reply_fails(&in, (struct sa_spoil){ .drop = NFSEC_SA_A_ENC },
		    "get SA: reply lacks NFSEC_SA_A_ENC");
	reply_fails(&in, (struct sa_spoil){ .drop = NFSEC_SA_A_AUTH },
		    "get SA: reply lacks NFSEC_SA_A_AUTH");
	reply_fails(&out, (struct sa_spoil){ .drop_alg = NFSEC_ALG_A_NAME },
		    "get SA: reply lacks NFSEC_ALG_A_NAME in NFSEC_SA_A_AEAD");
	reply_fails(&out, (struct sa_spoil){ .drop_alg = NFSEC_ALG_A_ICV_BITS },
		    "get SA: reply lacks NFSEC_ALG_A_ICV_BITS in NFSEC_SA_A_AEAD");
	reply_fails(&in, (struct sa_spoil){ .drop_alg = NFSEC_ALG_A_ICV_BITS },
		    "get SA: reply lacks NFSEC_ALG_A_ICV_BITS in NFSEC_SA_A_AUTH");
}

static void test_reply_transforms(void **state)
{
	struct nfsec_sa out = sample_sa_out(), in = sample_sa_in();

	(void)state;
	reply_fails(&out, (struct sa_spoil){ .key = true },
		    "get SA: reply has NFSEC_ALG_A_KEY in NFSEC_SA_A_AEAD: keys are never given "
		    "back");
	reply_fails(&in, (struct sa_spoil){ .key = true },
		    "get SA: reply has NFSEC_ALG_A_KEY in NFSEC_SA_A_ENC: keys are never given "
		    "back");
	reply_fails(&in, (struct sa_spoil){ .enc_icv = true },
		    "get SA: reply has NFSEC_ALG_A_ICV_BITS in NFSEC_SA_A_ENC");
	strcpy(in.aead.name, "rfc4106(gcm(aes))");
	reply_fails(&in, (struct sa_spoil){ 0 },
		    "get SA: reply has NFSEC_SA_A_AEAD beside NFSEC_SA_A_ENC");
	in = sample_sa_in();
	in.enc.name[0] = '\0';
	strcpy(in.aead.name, "rfc4106(gcm(aes))");
	reply_fails(&in, (struct sa_spoil){ 0 },
		    "get SA: reply has NFSEC_SA_A_AEAD beside NFSEC_SA_A_AUTH");
}

static void test_reply_bad_values(void **state)
{
	struct nfsec_sa sa;
	struct nl_msg *msg;

	(void)state;
	sa = sample_sa_out();
	sa.dir = NFSEC_SA_DIR_MAX + 1;
	reply_fails(&sa, (struct sa_spoil){ 0 }, "get SA: reply has direction 2, unknown here");
	sa = sample_sa_out();
	sa.mode = NFSEC_MODE_MAX + 1;
	reply_fails(&sa, (struct sa_spoil){ 0 }, "get SA: reply has mode 2, unknown here");
	sa = sample_sa_out();
	sa.family = AF_UNIX;
	reply_fails(&sa, (struct sa_spoil){ 0 }, "get SA: reply has address family 1");
	sa = sample_sa_in();
	sa.sel.sport_min = 501;
	reply_fails(&sa, (struct sa_spoil){ 0 }, "get SA: reply has NFSEC_SEL_A_SPORT_MIN 501 "
						 "above NFSEC_SEL_A_SPORT_MAX 500");

	/* an IPv4 SA with IPv6 addresses */
	sa = sample_sa_out();
	sa.family = AF_INET6;
	msg_fails(reply_plus(&sa, (struct sa_spoil){ .drop = NFSEC_SA_A_FAMILY },
			     NFSEC_SA_A_FAMILY, &(uint16_t){ AF_INET }, 2),
		  "get SA: reply has a 16-byte NFSEC_SA_A_SRC for AF_INET");
	/* the same u64 twice is no padding */
	sa = sample_sa_out();
	msg_fails(reply_plus(&sa, (struct sa_spoil){ .pad = true }, NFSEC_SA_A_SEQ,
			     &(uint64_t){ 1 }, 8),
		  "get SA: malformed reply: attribute 17 in NFSEC_A_SA appears twice");
	/* a u32 where a u64 goes */
	msg_fails(reply_plus(&sa, (struct sa_spoil){ .drop = NFSEC_SA_A_SEQ }, NFSEC_SA_A_SEQ,
			     &(uint32_t){ 1 }, 4),
		  "get SA: malformed reply: attribute 17 in NFSEC_A_SA: Input data out of range");

	/* not the reply of a get */
	sa = sample_sa_out();
	msg = reply_new(NFSEC_CMD_SA_NEW);
	put_sa(msg, &sa, (struct sa_spoil){ 0 });
	msg_fails(msg, "get SA: reply to command 6, expected 8");
}

struct seen {
	unsigned int calls;
	uint32_t spi[4];
	unsigned int fail_at;	/* return -EINTR at this call (1-based), 0: never */
};

static int record(const struct nfsec_sa *sa, void *arg)
{
	struct seen *seen = arg;

	seen->spi[seen->calls++ % 4] = sa->spi;
	return seen->calls == seen->fail_at ? -EINTR : 0;
}

static int parse_dump(struct nfsec_handle *h, struct nfsec_reply *reply,
		      const struct nfsec_sa *sa, struct sa_spoil s)
{
	struct nl_msg *msg = reply_build(sa, s);
	int ret = nfsec_reply_parse(h, nlmsg_hdr(msg), reply);

	nlmsg_free(msg);
	return ret;
}

/* A dump hands each SA to the callback in the order of the replies. */
static void test_dump_callback(void **state)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct seen seen = { .fail_at = 2 };
	struct nfsec_reply reply = {
		.op = "list SAs", .object = NFSEC_REPLY_SA, .cb.sa = record, .arg = &seen,
	};
	struct nfsec_sa out = sample_sa_out(), in = sample_sa_in();

	(void)state;
	assert_int_equal(parse_dump(&h, &reply, &out, (struct sa_spoil){ 0 }), 0);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(seen.spi[0], 0x1000);
	assert_int_equal(parse_dump(&h, &reply, &in, (struct sa_spoil){ 0 }), -EINTR);
	assert_int_equal(seen.calls, 2);
	assert_int_equal(seen.spi[1], 0xfffffffe);
	assert_int_equal(reply.count, 2);
	assert_string_equal(nfsec_error(&h),
			    "list SAs: stopped by the caller: Interrupted system call");
	/* a bad reply never reaches the callback */
	assert_int_equal(parse_dump(&h, &reply, &in, (struct sa_spoil){ .key = true }),
			 -EBADMSG);
	assert_int_equal(seen.calls, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_aead),
		cmocka_unit_test(test_add_enc_auth),
		cmocka_unit_test(test_add_alg_names),
		cmocka_unit_test(test_add_alg_names_bad),
		cmocka_unit_test(test_add_icv),
		cmocka_unit_test(test_add_every_word),
		cmocka_unit_test(test_add_encap),
		cmocka_unit_test(test_add_required),
		cmocka_unit_test(test_add_bad_values),
		cmocka_unit_test(test_add_checked_together),
		cmocka_unit_test(test_add_selector),
		cmocka_unit_test(test_key_words),
		cmocka_unit_test(test_key_files),
		cmocka_unit_test(test_parse_id),
		cmocka_unit_test(test_parse_set),
		cmocka_unit_test(test_print_text),
		cmocka_unit_test(test_drop_names),
		cmocka_unit_test(test_print_encap),
		cmocka_unit_test(test_print_json),
		cmocka_unit_test(test_run_refusals),
		cmocka_unit_test(test_run_help),
		cmocka_unit_test(test_new_request_out),
		cmocka_unit_test(test_new_request_encap),
		cmocka_unit_test(test_new_request_in),
		cmocka_unit_test(test_new_request_refused),
		cmocka_unit_test(test_id_requests),
		cmocka_unit_test(test_handle_not_open),
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_reply_encap),
		cmocka_unit_test(test_reply_padding),
		cmocka_unit_test(test_reply_newer_attributes),
		cmocka_unit_test(test_reply_missing),
		cmocka_unit_test(test_reply_transforms),
		cmocka_unit_test(test_reply_bad_values),
		cmocka_unit_test(test_dump_callback),
	};

	return cmocka_run_group_tests_name("sa", tests, NULL, NULL);
}
