// SPDX-License-Identifier: GPL-2.0
/*
 * nfsec policy without a kernel: the words of "policy add/delete/get/show/flush" into the
 * plain model (templates included), the text and JSON printers, the CLI's refusals before
 * any netlink, then libnfsec's side: the exact requests built for the kernel (NLA_F_NESTED
 * included) and the strict parse of the replies, fed hand-built netlink messages.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "capture.h"
#include "samples.h"
#include "commands.h"
#include "internal.h"
#include "json.h"
#include "nlwalk.h"
#include "policy.h"

enum { FAMILY = TEST_FAMILY, SENTINEL = 0xa5 };

/* --- the words of "policy add" ------------------------------------------------------- */

static struct nfsec_policy add_ok(int argc, char **argv)
{
	struct errmsg err = { "" };
	struct nfsec_policy p;

	memset(&p, SENTINEL, sizeof(p));
	if (policy_parse_add(argc, argv, &p, &err) < 0)
		fail_msg("policy add refused: %s", err.text);
	return p;
}

/* Expects errno and the exact message, and *out left alone. */
static void add_fails(int errno_want, const char *want, int argc, char **argv)
{
	struct errmsg err = { "" };
	struct nfsec_policy p, untouched;

	memset(&p, SENTINEL, sizeof(p));
	memset(&untouched, SENTINEL, sizeof(untouched));
	assert_int_equal(policy_parse_add(argc, argv, &p, &err), errno_want);
	assert_string_equal(err.text, want);
	assert_memory_equal(&p, &untouched, sizeof(p));
}

#define ADD_OK(...) add_ok(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))
#define ADD_FAILS(want, ...) add_fails(-EINVAL, want, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

/* The 16 bytes of addr must be text's address, zero-filled beyond an IPv4 one. */
static void expect_addr(const uint8_t *addr, const char *text)
{
	uint8_t want[16] = { 0 };

	if (inet_pton(AF_INET, text, want) != 1)
		assert_int_equal(inet_pton(AF_INET6, text, want), 1);
	assert_memory_equal(addr, want, sizeof(want));
}

static void expect_ports(const struct nfsec_selector *sel, uint16_t smin, uint16_t smax,
			 uint16_t dmin, uint16_t dmax)
{
	assert_int_equal(sel->sport_min, smin);
	assert_int_equal(sel->sport_max, smax);
	assert_int_equal(sel->dport_min, dmin);
	assert_int_equal(sel->dport_max, dmax);
}

static void test_add_defaults(void **state)
{
	struct nfsec_policy p = ADD_OK("dir", "out");

	(void)state;
	assert_int_equal(p.index, 0);
	assert_int_equal(p.dir, NFSEC_POLICY_DIR_OUT);
	assert_int_equal(p.action, NFSEC_POLICY_PROTECT);
	assert_int_equal(p.priority, 0);
	assert_int_equal(p.sel.family, AF_INET);
	expect_addr(p.sel.src, "0.0.0.0");
	expect_addr(p.sel.dst, "0.0.0.0");
	assert_int_equal(p.sel.src_prefix, 0);
	assert_int_equal(p.sel.dst_prefix, 0);
	assert_int_equal(p.sel.proto, 0);
	expect_ports(&p.sel, 0, 65535, 0, 65535);
}

static void test_add_every_word(void **state)
{
	struct nfsec_policy p;

	(void)state;
	p = ADD_OK("dport", "443", "dir", "fwd", "action", "bypass", "priority", "10",
		   "src", "10.0.0.0/24", "dst", "192.168.1.7", "proto", "tcp",
		   "sport", "1024-65535", "family", "inet");
	assert_int_equal(p.dir, NFSEC_POLICY_DIR_FWD);
	assert_int_equal(p.action, NFSEC_POLICY_BYPASS);
	assert_int_equal(p.priority, 10);
	assert_int_equal(p.sel.family, AF_INET);
	expect_addr(p.sel.src, "10.0.0.0");
	assert_int_equal(p.sel.src_prefix, 24);
	expect_addr(p.sel.dst, "192.168.1.7");
	assert_int_equal(p.sel.dst_prefix, 32);
	assert_int_equal(p.sel.proto, 6);
	expect_ports(&p.sel, 1024, 65535, 443, 443);

	p = ADD_OK("dir", "in", "action", "discard", "priority", "4294967295");
	assert_int_equal(p.dir, NFSEC_POLICY_DIR_IN);
	assert_int_equal(p.action, NFSEC_POLICY_DISCARD);
	assert_int_equal(p.priority, UINT32_MAX);
	p = ADD_OK("dir", "out", "action", "protect", "priority", "0x10");
	assert_int_equal(p.action, NFSEC_POLICY_PROTECT);
	assert_int_equal(p.priority, 16);
}

static void test_add_ipv6(void **state)
{
	struct nfsec_policy p;

	(void)state;
	p = ADD_OK("dir", "out", "src", "2001:db8::/32", "dst", "::1");
	assert_int_equal(p.sel.family, AF_INET6);
	expect_addr(p.sel.src, "2001:db8::");
	assert_int_equal(p.sel.src_prefix, 32);
	expect_addr(p.sel.dst, "::1");
	assert_int_equal(p.sel.dst_prefix, 128);

	/* an IPv4-mapped address is IPv6 */
	p = ADD_OK("dir", "out", "dst", "::ffff:10.0.0.1/120");
	assert_int_equal(p.sel.family, AF_INET6);
	expect_addr(p.sel.dst, "::ffff:10.0.0.0");
	assert_int_equal(p.sel.dst_prefix, 120);
}

/* Bits beyond the prefix are cleared, as the kernel would. */
static void test_add_masks(void **state)
{
	struct nfsec_policy p;

	(void)state;
	p = ADD_OK("dir", "out", "src", "10.1.2.3/20", "dst", "10.255.255.255/9");
	expect_addr(p.sel.src, "10.1.0.0");
	expect_addr(p.sel.dst, "10.128.0.0");
	assert_int_equal(p.sel.dst_prefix, 9);

	p = ADD_OK("dir", "out", "src", "10.1.2.3/0", "dst", "10.1.2.3/32");
	expect_addr(p.sel.src, "0.0.0.0");
	assert_int_equal(p.sel.src_prefix, 0);
	expect_addr(p.sel.dst, "10.1.2.3");

	p = ADD_OK("dir", "out", "src", "2001:db8:ffff:ffff::1/33", "dst", "2001:db8::ff/127");
	expect_addr(p.sel.src, "2001:db8:8000::");
	expect_addr(p.sel.dst, "2001:db8::fe");
	assert_int_equal(p.sel.dst_prefix, 127);

	/* leading zeros are decimal */
	p = ADD_OK("dir", "out", "src", "10.1.2.3/008");
	expect_addr(p.sel.src, "10.0.0.0");
	assert_int_equal(p.sel.src_prefix, 8);
}

static void test_add_any_and_family(void **state)
{
	struct nfsec_policy p;

	(void)state;
	p = ADD_OK("dir", "out", "src", "any", "dst", "2001:db8::/32");
	assert_int_equal(p.sel.family, AF_INET6);
	expect_addr(p.sel.src, "::");
	assert_int_equal(p.sel.src_prefix, 0);

	p = ADD_OK("dir", "out", "src", "any", "dst", "any");
	assert_int_equal(p.sel.family, AF_INET);

	p = ADD_OK("dir", "out", "family", "inet6");
	assert_int_equal(p.sel.family, AF_INET6);
	expect_addr(p.sel.src, "::");

	p = ADD_OK("dir", "out", "src", "::/0");
	assert_int_equal(p.sel.family, AF_INET6);
	assert_int_equal(p.sel.src_prefix, 0);

	p = ADD_OK("dir", "out", "dst", "0.0.0.0/0", "family", "inet");
	assert_int_equal(p.sel.family, AF_INET);

	/* the family may come after the addresses it must agree with */
	p = ADD_OK("dir", "out", "src", "2001:db8::1", "family", "inet6");
	assert_int_equal(p.sel.family, AF_INET6);
}

static void test_add_family_mismatch(void **state)
{
	(void)state;
	ADD_FAILS("dst \"2001:db8::1\" is IPv6 but src \"10.0.0.0/8\" is IPv4",
		  "dir", "out", "src", "10.0.0.0/8", "dst", "2001:db8::1");
	ADD_FAILS("dst \"10.0.0.1\" is IPv4 but src \"::/0\" is IPv6",
		  "dir", "out", "src", "::/0", "dst", "10.0.0.1");
	ADD_FAILS("src \"10.0.0.1\" is IPv4 but family is inet6",
		  "dir", "out", "src", "10.0.0.1", "family", "inet6");
	ADD_FAILS("dst \"2001:db8::1\" is IPv6 but family is inet",
		  "family", "inet", "dir", "out", "src", "any", "dst", "2001:db8::1");
	ADD_FAILS("dst \"0.0.0.0/0\" is IPv4 but family is inet6",
		  "family", "inet6", "dir", "out", "dst", "0.0.0.0/0");
}

static void test_add_bad_prefix(void **state)
{
	static const char *const bad[] = {
		"10.0.0.0/33", "2001:db8::/129", "10.0.0.0/", "10.0.0/8", "10.0.0.0/a",
		"10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/8/8", "10.0.0.0/0032", "/8", "",
		"10.0.0.256", "fe80::1%eth0", "ANY", "10.0.0.0 /8", "host.example",
		"1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb:cccc/64",
	};
	char want[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want), "invalid prefix \"%s\"", bad[i]);
		ADD_FAILS(want, "dir", "out", "src", (char *)bad[i]);
		ADD_FAILS(want, "dir", "out", "dst", (char *)bad[i]);
	}
}

static void test_add_bad_names(void **state)
{
	(void)state;
	ADD_FAILS("\"dir\" needs one of out, in, fwd", "dir");
	ADD_FAILS("\"dir\" needs one of out, in, fwd, not \"up\"", "dir", "up");
	ADD_FAILS("\"dir\" needs one of out, in, fwd, not \"OUT\"", "dir", "OUT");
	ADD_FAILS("\"dir\" needs one of out, in, fwd, not \"o\"", "dir", "o");
	ADD_FAILS("\"action\" needs one of protect, bypass, discard",
		  "dir", "out", "action");
	ADD_FAILS("\"action\" needs one of protect, bypass, discard, not \"allow\"",
		  "dir", "out", "action", "allow");
	ADD_FAILS("\"family\" needs one of inet, inet6, not \"ipv4\"",
		  "dir", "out", "family", "ipv4");
	ADD_FAILS("\"src\" needs a prefix, ADDR[/LEN] or any", "dir", "out", "src");
	ADD_FAILS("\"dst\" needs a prefix, ADDR[/LEN] or any", "dir", "out", "dst");
	ADD_FAILS("\"sport\" needs a port or a range PORT-PORT", "dir", "out", "sport");
	ADD_FAILS("\"priority\" needs a number", "dir", "out", "priority");
	ADD_FAILS("invalid priority \"high\": not a decimal or 0x-prefixed hex number",
		  "dir", "out", "priority", "high");
	add_fails(-ERANGE, "invalid priority \"4294967296\": out of range 0..4294967295",
		  ARGC("dir", "out", "priority", "4294967296"),
		  ARGV("dir", "out", "priority", "4294967296"));
}

static void test_add_proto(void **state)
{
	static const struct { const char *word; uint8_t number; } ok[] = {
		{ "tcp", 6 }, { "udp", 17 }, { "sctp", 132 }, { "icmp", 1 }, { "icmpv6", 58 },
		{ "esp", 50 }, { "ah", 51 }, { "any", 0 }, { "0", 0 }, { "47", 47 },
		{ "255", 255 }, { "0x84", 132 },
	};
	const char *needs = "\"proto\" needs one of tcp, udp, sctp, icmp, icmpv6, esp, ah, "
			    "any or a number 0..255";
	char want[256];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct nfsec_policy p = ADD_OK("dir", "out", "proto", (char *)ok[i].word);

		assert_int_equal(p.sel.proto, ok[i].number);
	}
	ADD_FAILS(needs, "dir", "out", "proto");
	snprintf(want, sizeof(want), "%s, not \"256\"", needs);
	ADD_FAILS(want, "dir", "out", "proto", "256");
	snprintf(want, sizeof(want), "%s, not \"TCP\"", needs);
	ADD_FAILS(want, "dir", "out", "proto", "TCP");
	snprintf(want, sizeof(want), "%s, not \"-1\"", needs);
	ADD_FAILS(want, "dir", "out", "proto", "-1");
}

static void test_add_ports(void **state)
{
	struct nfsec_policy p;

	(void)state;
	p = ADD_OK("dir", "out", "proto", "udp", "sport", "500", "dport", "0-65535");
	expect_ports(&p.sel, 500, 500, 0, 65535);
	p = ADD_OK("dir", "out", "proto", "tcp", "dport", "1-1", "sport", "0");
	expect_ports(&p.sel, 0, 0, 1, 1);
	p = ADD_OK("dir", "out", "proto", "sctp", "sport", "0x1bb-65535");
	expect_ports(&p.sel, 443, 65535, 0, 65535);

	ADD_FAILS("invalid sport \"80-20\": 80 is above 20",
		  "dir", "out", "proto", "tcp", "sport", "80-20");
	ADD_FAILS("invalid dport \"65536\": not a port 0..65535 or a range PORT-PORT",
		  "dir", "out", "proto", "tcp", "dport", "65536");
	ADD_FAILS("invalid dport \"1-65536\": not a port 0..65535 or a range PORT-PORT",
		  "dir", "out", "proto", "tcp", "dport", "1-65536");
	ADD_FAILS("invalid dport \"80-\": not a port 0..65535 or a range PORT-PORT",
		  "dir", "out", "proto", "tcp", "dport", "80-");
	ADD_FAILS("invalid dport \"-80\": not a port 0..65535 or a range PORT-PORT",
		  "dir", "out", "proto", "tcp", "dport", "-80");
	ADD_FAILS("invalid dport \"1-2-3\": not a port 0..65535 or a range PORT-PORT",
		  "dir", "out", "proto", "tcp", "dport", "1-2-3");
	ADD_FAILS("invalid sport \"https\": not a port 0..65535 or a range PORT-PORT",
		  "dir", "out", "proto", "tcp", "sport", "https");
	ADD_FAILS("invalid sport \"00000000000000000080\": not a port 0..65535 or a range "
		  "PORT-PORT", "dir", "out", "proto", "tcp", "sport", "00000000000000000080");
}

/* Ports need a protocol that has them; the first port word is the one named. */
static void test_add_ports_need_proto(void **state)
{
	struct nfsec_policy p;

	(void)state;
	ADD_FAILS("\"dport\" needs proto tcp, udp, sctp or another protocol with ports "
		  "(proto is any)", "dir", "out", "dport", "80");
	ADD_FAILS("\"dport\" needs proto tcp, udp, sctp or another protocol with ports "
		  "(proto is any)", "dir", "out", "dport", "80", "sport", "1", "proto", "any");
	ADD_FAILS("\"sport\" needs proto tcp, udp, sctp or another protocol with ports "
		  "(proto is icmp)", "dir", "out", "proto", "icmp", "sport", "1-2");
	ADD_FAILS("\"sport\" needs proto tcp, udp, sctp or another protocol with ports "
		  "(proto is icmp)", "dir", "out", "proto", "1", "sport", "1-2");
	ADD_FAILS("\"dport\" needs proto tcp, udp, sctp or another protocol with ports "
		  "(proto is icmpv6)", "dir", "out", "dport", "80", "proto", "icmpv6");
	ADD_FAILS("\"dport\" needs proto tcp, udp, sctp or another protocol with ports "
		  "(proto is esp)", "dir", "out", "dport", "80", "proto", "esp");
	ADD_FAILS("\"dport\" needs proto tcp, udp, sctp or another protocol with ports "
		  "(proto is ah)", "dir", "out", "dport", "80", "proto", "ah");

	/* the proto may follow the ports; a number without a name is the user's call */
	p = ADD_OK("dir", "out", "dport", "80", "proto", "6");
	assert_int_equal(p.sel.proto, 6);
	p = ADD_OK("dir", "out", "dport", "5000", "proto", "33");
	assert_int_equal(p.sel.proto, 33);
	expect_ports(&p.sel, 0, 65535, 5000, 5000);
}

static void test_add_word_errors(void **state)
{
	(void)state;
	add_fails(-EINVAL, "policy add needs \"dir\"", 0, ARGV(NULL));
	ADD_FAILS("policy add needs \"dir\"", "src", "10.0.0.1");
	ADD_FAILS("unknown word \"foo\" in policy add", "dir", "out", "foo", "bar");
	ADD_FAILS("unknown word \"foo\" in policy add", "dir", "out", "foo");
	ADD_FAILS("unknown word \"out\" in policy add", "out");
	ADD_FAILS("unknown word \"index\" in policy add", "index", "3", "dir", "out");
	ADD_FAILS("unknown word \"Dir\" in policy add", "Dir", "out");
	/* no abbreviations: "d" could be dir, dst or dport */
	ADD_FAILS("unknown word \"d\" in policy add", "d", "out");
	ADD_FAILS("\"dir\" given twice", "dir", "out", "dir", "in");
	ADD_FAILS("\"src\" given twice", "dir", "out", "src", "any", "src", "any");
	/* the first bad word is reported, not a later one */
	ADD_FAILS("invalid prefix \"x\"", "dir", "out", "src", "x", "dst", "y");
}

static void expect_tmpl(const struct nfsec_policy *p, uint8_t mode, const char *src,
			const char *dst, uint32_t reqid)
{
	assert_true(p->has_tmpl);
	assert_int_equal(p->tmpl.mode, mode);
	if (!src) {
		assert_int_equal(p->tmpl.family, 0);
		expect_addr(p->tmpl.src, "0.0.0.0");
		expect_addr(p->tmpl.dst, "0.0.0.0");
	} else {
		assert_int_equal(p->tmpl.family, strchr(src, ':') ? AF_INET6 : AF_INET);
		expect_addr(p->tmpl.src, src);
		expect_addr(p->tmpl.dst, dst);
	}
	assert_int_equal(p->tmpl.reqid, reqid);
}

static void test_add_tmpl(void **state)
{
	struct nfsec_policy p;

	(void)state;
	/* no template word: none, the kernel's default applies */
	p = ADD_OK("dir", "out");
	assert_false(p.has_tmpl);
	p = ADD_OK("dir", "out", "action", "bypass");
	assert_false(p.has_tmpl);

	/* a tunnel's family may differ from the selector's */
	p = ADD_OK("reqid", "7", "tmpl-dst", "192.0.2.2", "src", "2001:db8:1::/48",
		   "mode", "tunnel", "dir", "out", "tmpl-src", "192.0.2.1");
	assert_int_equal(p.action, NFSEC_POLICY_PROTECT);
	assert_int_equal(p.sel.family, AF_INET6);
	expect_tmpl(&p, NFSEC_MODE_TUNNEL, "192.0.2.1", "192.0.2.2", 7);
	p = ADD_OK("dir", "in", "action", "protect", "mode", "tunnel", "tmpl-src", "2001:db8::1",
		   "tmpl-dst", "2001:db8::2");
	expect_tmpl(&p, NFSEC_MODE_TUNNEL, "2001:db8::1", "2001:db8::2", 0);

	/* transport, named or implied by reqid alone */
	p = ADD_OK("dir", "out", "mode", "transport");
	expect_tmpl(&p, NFSEC_MODE_TRANSPORT, NULL, NULL, 0);
	p = ADD_OK("dir", "out", "reqid", "0xffffffff");
	expect_tmpl(&p, NFSEC_MODE_TRANSPORT, NULL, NULL, UINT32_MAX);
}

static void test_add_tmpl_refused(void **state)
{
	(void)state;
	ADD_FAILS("\"mode\" needs action protect (action is bypass)",
		  "dir", "out", "action", "bypass", "mode", "tunnel");
	ADD_FAILS("\"reqid\" needs action protect (action is discard)",
		  "dir", "out", "reqid", "1", "action", "discard");
	ADD_FAILS("\"tmpl-src\" needs action protect (action is bypass)",
		  "dir", "out", "tmpl-dst", "192.0.2.2", "tmpl-src", "192.0.2.1",
		  "action", "bypass");
	ADD_FAILS("\"tmpl-src\" needs mode tunnel", "dir", "out", "tmpl-src", "192.0.2.1");
	ADD_FAILS("\"tmpl-dst\" needs mode tunnel (mode is transport)",
		  "dir", "out", "mode", "transport", "tmpl-dst", "192.0.2.2");
	ADD_FAILS("mode tunnel needs \"tmpl-src\" and \"tmpl-dst\"",
		  "dir", "out", "mode", "tunnel");
	ADD_FAILS("mode tunnel needs \"tmpl-src\" and \"tmpl-dst\"",
		  "dir", "out", "mode", "tunnel", "tmpl-src", "192.0.2.1");
	ADD_FAILS("tmpl-dst \"2001:db8::2\" is IPv6 but tmpl-src \"192.0.2.1\" is IPv4",
		  "dir", "out", "mode", "tunnel", "tmpl-src", "192.0.2.1", "tmpl-dst",
		  "2001:db8::2");
	ADD_FAILS("\"mode\" needs one of transport, tunnel, not \"beet\"",
		  "dir", "out", "mode", "beet");
	ADD_FAILS("\"mode\" needs one of transport, tunnel", "dir", "out", "mode");
	ADD_FAILS("invalid tmpl-src \"192.0.2.0/24\": not an IPv4 or IPv6 address",
		  "dir", "out", "mode", "tunnel", "tmpl-src", "192.0.2.0/24");
	ADD_FAILS("invalid tmpl-dst \"any\": not an IPv4 or IPv6 address",
		  "dir", "out", "tmpl-dst", "any");
	add_fails(-ERANGE, "invalid reqid \"4294967296\": out of range 0..4294967295",
		  ARGC("dir", "out", "reqid", "4294967296"),
		  ARGV("dir", "out", "reqid", "4294967296"));
	ADD_FAILS("\"reqid\" given twice", "dir", "out", "reqid", "1", "reqid", "1");
	ADD_FAILS("unknown word \"tmpl\" in policy add", "dir", "out", "tmpl", "x");
}

static void test_parse_index(void **state)
{
	struct errmsg err = { "" };
	uint32_t index = 0;

	(void)state;
	assert_int_equal(policy_parse_index("policy delete", ARGC("index", "7"),
					    ARGV("index", "7"), &index, &err), 0);
	assert_int_equal(index, 7);
	assert_int_equal(policy_parse_index("policy get", ARGC("index", "4294967295"),
					    ARGV("index", "4294967295"), &index, &err), 0);
	assert_int_equal(index, UINT32_MAX);

	index = 99;
	assert_int_equal(policy_parse_index("policy delete", 0, ARGV(NULL), &index, &err),
			 -EINVAL);
	assert_string_equal(err.text, "policy delete needs \"index\"");
	assert_int_equal(policy_parse_index("policy get", ARGC("index"), ARGV("index"), &index,
					    &err), -EINVAL);
	assert_string_equal(err.text, "\"index\" needs a number");
	assert_int_equal(policy_parse_index("policy get", ARGC("index", "x"),
					    ARGV("index", "x"), &index, &err), -EINVAL);
	assert_string_equal(err.text,
			    "invalid index \"x\": not a decimal or 0x-prefixed hex number");
	assert_int_equal(policy_parse_index("policy delete", ARGC("dir", "out"),
					    ARGV("dir", "out"), &index, &err), -EINVAL);
	assert_string_equal(err.text, "unknown word \"dir\" in policy delete");
	assert_int_equal(policy_parse_index("policy delete", ARGC("index", "1", "index", "2"),
					    ARGV("index", "1", "index", "2"), &index, &err),
			 -EINVAL);
	assert_string_equal(err.text, "\"index\" given twice");
	assert_int_equal(policy_parse_index("policy delete", ARGC("3"), ARGV("3"), &index,
					    &err), -EINVAL);
	assert_string_equal(err.text, "unknown word \"3\" in policy delete");
	assert_int_equal(index, 99);
}

static void test_parse_dir(void **state)
{
	struct errmsg err = { "" };
	int dir = 99;

	(void)state;
	assert_int_equal(policy_parse_dir("policy show", 0, ARGV(NULL), &dir, &err), 0);
	assert_int_equal(dir, -1);
	assert_int_equal(policy_parse_dir("policy show", ARGC("dir", "fwd"), ARGV("dir", "fwd"),
					  &dir, &err), 0);
	assert_int_equal(dir, NFSEC_POLICY_DIR_FWD);
	assert_int_equal(policy_parse_dir("policy flush", ARGC("dir", "in"), ARGV("dir", "in"),
					  &dir, &err), 0);
	assert_int_equal(dir, NFSEC_POLICY_DIR_IN);

	assert_int_equal(policy_parse_dir("policy flush", ARGC("dir", "all"),
					  ARGV("dir", "all"), &dir, &err), -EINVAL);
	assert_string_equal(err.text, "\"dir\" needs one of out, in, fwd, not \"all\"");
	assert_int_equal(policy_parse_dir("policy flush", ARGC("dir"), ARGV("dir"), &dir, &err),
			 -EINVAL);
	assert_string_equal(err.text, "\"dir\" needs one of out, in, fwd");
	assert_int_equal(policy_parse_dir("policy show", ARGC("out"), ARGV("out"), &dir, &err),
			 -EINVAL);
	assert_string_equal(err.text, "unknown word \"out\" in policy show");
	assert_int_equal(policy_parse_dir("policy show", ARGC("index", "1"),
					  ARGV("index", "1"), &dir, &err), -EINVAL);
	assert_string_equal(err.text, "unknown word \"index\" in policy show");
}

/* --- show: text and JSON ------------------------------------------------------------- */

static char *print_text(const struct nfsec_policy *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	policy_print(f, p);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void prints(const struct nfsec_policy *p, const char *want)
{
	char *got = print_text(p);

	assert_string_equal(got, want);
	free(got);
}

static void test_print_text(void **state)
{
	struct nfsec_policy p = sample_v4();

	(void)state;
	prints(&p, "index 3 dir out priority 10 action bypass src 10.0.0.0/24 dst 0.0.0.0/0 "
		   "proto tcp dport 443\n");

	/* ranges, a protocol without a name, a source port alone */
	p.sel.proto = 47;
	p.sel.sport_min = 1024;
	p.sel.dport_min = 0;
	p.sel.dport_max = 65535;
	p.action = NFSEC_POLICY_PROTECT;
	p.dir = NFSEC_POLICY_DIR_IN;
	prints(&p, "index 3 dir in priority 10 action protect src 10.0.0.0/24 dst 0.0.0.0/0 "
		   "proto 47 sport 1024-65535\n");

	/* ports shown even without a protocol: the kernel is what says what matches */
	p.sel.proto = 0;
	p.sel.sport_min = p.sel.sport_max = 0;
	prints(&p, "index 3 dir in priority 10 action protect src 10.0.0.0/24 dst 0.0.0.0/0 "
		   "sport 0\n");

	p = sample_v6();
	prints(&p, "index 4294967295 dir fwd priority 0 action discard src ::/0 "
		   "dst 2001:db8::/32\n");
	p.sel.proto = 58;
	p.sel.src[15] = 1;
	p.sel.src_prefix = 128;
	prints(&p, "index 4294967295 dir fwd priority 0 action discard src ::1/128 "
		   "dst 2001:db8::/32 proto icmpv6\n");
}

static void test_print_json(void **state)
{
	struct nfsec_policy v4 = sample_v4(), v6 = sample_v6();
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	(void)state;
	assert_non_null(f);
	json_init(&j, f);
	json_array_begin(&j, NULL);
	policy_json(&j, NULL, &v4);
	policy_json(&j, NULL, &v6);
	json_array_end(&j);
	assert_int_equal(json_finish(&j), 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(buf,
		"[{\"index\":3,\"dir\":\"out\",\"priority\":10,\"action\":\"bypass\","
		"\"family\":\"inet\",\"src\":\"10.0.0.0/24\",\"dst\":\"0.0.0.0/0\",\"proto\":6,"
		"\"sport\":[0,65535],\"dport\":[443,443]},"
		"{\"index\":4294967295,\"dir\":\"fwd\",\"priority\":0,\"action\":\"discard\","
		"\"family\":\"inet6\",\"src\":\"::/0\",\"dst\":\"2001:db8::/32\",\"proto\":0,"
		"\"sport\":[0,65535],\"dport\":[0,65535]}]\n");
	free(buf);
}

static const char tunnel_line[] =
	"index 4 dir out priority 20 action protect src 2001:db8:1::/48 dst 2001:db8:2::/48 "
	"mode tunnel tmpl-src 192.0.2.1 tmpl-dst 192.0.2.2 reqid 7\n";

static const char tunnel_json[] =
	"{\"index\":4,\"dir\":\"out\",\"priority\":20,\"action\":\"protect\","
	"\"family\":\"inet6\",\"src\":\"2001:db8:1::/48\",\"dst\":\"2001:db8:2::/48\","
	"\"proto\":0,\"sport\":[0,65535],\"dport\":[0,65535],\"mode\":\"tunnel\","
	"\"tmpl_src\":\"192.0.2.1\",\"tmpl_dst\":\"192.0.2.2\",\"reqid\":7}";

static char *print_json(const struct nfsec_policy *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	assert_non_null(f);
	json_init(&j, f);
	policy_json(&j, NULL, p);
	assert_int_equal(json_finish(&j), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_print_tmpl(void **state)
{
	struct nfsec_policy p = sample_tunnel();
	char *json;

	(void)state;
	prints(&p, tunnel_line);
	json = print_json(&p);
	assert_true(strncmp(json, tunnel_json, strlen(tunnel_json)) == 0);
	assert_string_equal(json + strlen(tunnel_json), "\n");
	free(json);

	p.tmpl = (struct nfsec_tmpl){ .mode = NFSEC_MODE_TRANSPORT, .reqid = 0 };
	prints(&p, "index 4 dir out priority 20 action protect src 2001:db8:1::/48 "
		   "dst 2001:db8:2::/48 mode transport reqid 0\n");
	json = print_json(&p);
	assert_non_null(strstr(json, "\"dport\":[0,65535],\"mode\":\"transport\","
				     "\"reqid\":0}\n"));
	free(json);
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
	run_fails(RUN("nfsec", "policy", "add", "dir", "out", "src", "10.0.0.0/33"),
		  "nfsec: invalid prefix \"10.0.0.0/33\"\n");
	run_fails(RUN("nfsec", "policy", "add", "dir"),
		  "nfsec: \"dir\" needs one of out, in, fwd\n");
	run_fails(RUN("nfsec", "pol", "a", "dir", "out", "foo"),
		  "nfsec: unknown word \"foo\" in policy add\n");
	run_fails(RUN("nfsec", "policy", "add"), "nfsec: policy add needs \"dir\"\n");
	run_fails(RUN("nfsec", "policy", "del"), "nfsec: policy delete needs \"index\"\n");
	run_fails(RUN("nfsec", "policy", "get", "index", "-1"),
		  "nfsec: invalid index \"-1\": not a decimal or 0x-prefixed hex number\n");
	run_fails(RUN("nfsec", "-j", "policy", "show", "dir", "up"),
		  "nfsec: \"dir\" needs one of out, in, fwd, not \"up\"\n");
	run_fails(RUN("nfsec", "policy", "flush", "all"),
		  "nfsec: unknown word \"all\" in policy flush\n");
	run_fails(RUN("nfsec", "policy", "frob"),
		  "nfsec: policy: unknown command \"frob\", try \"nfsec help policy\"\n");
}

static void test_run_help(void **state)
{
	struct run a = RUN("nfsec", "help", "policy");
	struct run b = RUN("nfsec", "policy", "help");
	struct run c = RUN("nfsec", "-h", "pol");

	(void)state;
	assert_int_equal(a.status, 0);
	assert_string_equal(a.out, policy_usage);
	assert_string_equal(a.err, "");
	assert_int_equal(b.status, 0);
	assert_string_equal(b.out, policy_usage);
	assert_int_equal(c.status, 0);
	assert_string_equal(c.out, policy_usage);
	/* the usage names every form the parser takes */
	assert_non_null(strstr(policy_usage, "nfsec policy add dir DIR [action ACTION]"));
	assert_non_null(strstr(policy_usage, "[mode MODE] [tmpl-src ADDR] [tmpl-dst ADDR] "
					     "[reqid N]"));
	assert_non_null(strstr(policy_usage, "MODE   := transport | tunnel"));
	assert_non_null(strstr(policy_usage, "nfsec policy delete index N"));
	assert_non_null(strstr(policy_usage, "nfsec [-j] policy show [dir DIR]"));
	assert_non_null(strstr(policy_usage, "nfsec policy flush [dir DIR]"));
	run_free(&a);
	run_free(&b);
	run_free(&c);
}

/* --- libnfsec: the requests ----------------------------------------------------------- */

static struct nl_msg *new_msg(const struct nfsec_policy *p)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct nl_msg *msg;

	assert_int_equal(nfsec_policy_new_msg(&h, p, &msg), 0);
	assert_non_null(msg);
	return msg;
}

/* Every selector attribute is sent, in order, with the exact length, inside two nests. */
static void test_new_request_ipv4(void **state)
{
	struct nfsec_policy p = sample_v4();
	struct walk top, pol, sel;
	struct nl_msg *msg;

	(void)state;
	p.index = 77;	/* ignored */
	p.sel.dst[0] = 192;
	p.sel.dst[1] = 168;
	p.sel.dst_prefix = 16;
	p.sel.sport_min = 1;
	p.sel.sport_max = 2;
	msg = new_msg(&p);
	expect_header(msg, NFSEC_CMD_POLICY_NEW, 0);

	top = walk_msg(msg);
	pol = walk_nest(next_attr(&top, NFSEC_A_POLICY | NLA_F_NESTED, -1));
	walk_end(&top);
	next_u8(&pol, NFSEC_POLICY_A_DIR, NFSEC_POLICY_DIR_OUT);
	next_u8(&pol, NFSEC_POLICY_A_ACTION, NFSEC_POLICY_BYPASS);
	next_u32(&pol, NFSEC_POLICY_A_PRIORITY, 10);
	sel = walk_nest(next_attr(&pol, NFSEC_POLICY_A_SELECTOR | NLA_F_NESTED, -1));
	walk_end(&pol);
	next_u16(&sel, NFSEC_SEL_A_FAMILY, AF_INET);
	next_addr(&sel, NFSEC_SEL_A_SRC, "10.0.0.0", 4);
	next_u8(&sel, NFSEC_SEL_A_SRC_PREFIX, 24);
	next_addr(&sel, NFSEC_SEL_A_DST, "192.168.0.0", 4);
	next_u8(&sel, NFSEC_SEL_A_DST_PREFIX, 16);
	next_u8(&sel, NFSEC_SEL_A_PROTO, 6);
	next_u16(&sel, NFSEC_SEL_A_SPORT_MIN, 1);
	next_u16(&sel, NFSEC_SEL_A_SPORT_MAX, 2);
	next_u16(&sel, NFSEC_SEL_A_DPORT_MIN, 443);
	next_u16(&sel, NFSEC_SEL_A_DPORT_MAX, 443);
	walk_end(&sel);
	nlmsg_free(msg);
}

/* "any" is stated too: zero addresses, prefix 0, proto 0, full port ranges. */
static void test_new_request_ipv6(void **state)
{
	struct nfsec_policy p = sample_v6();
	struct walk top, pol, sel;
	struct nl_msg *msg = new_msg(&p);

	(void)state;
	top = walk_msg(msg);
	pol = walk_nest(next_attr(&top, NFSEC_A_POLICY | NLA_F_NESTED, -1));
	next_u8(&pol, NFSEC_POLICY_A_DIR, NFSEC_POLICY_DIR_FWD);
	next_u8(&pol, NFSEC_POLICY_A_ACTION, NFSEC_POLICY_DISCARD);
	next_u32(&pol, NFSEC_POLICY_A_PRIORITY, 0);
	sel = walk_nest(next_attr(&pol, NFSEC_POLICY_A_SELECTOR | NLA_F_NESTED, -1));
	next_u16(&sel, NFSEC_SEL_A_FAMILY, AF_INET6);
	next_addr(&sel, NFSEC_SEL_A_SRC, "::", 16);
	next_u8(&sel, NFSEC_SEL_A_SRC_PREFIX, 0);
	next_addr(&sel, NFSEC_SEL_A_DST, "2001:db8::", 16);
	next_u8(&sel, NFSEC_SEL_A_DST_PREFIX, 32);
	next_u8(&sel, NFSEC_SEL_A_PROTO, 0);
	next_u16(&sel, NFSEC_SEL_A_SPORT_MIN, 0);
	next_u16(&sel, NFSEC_SEL_A_SPORT_MAX, 65535);
	next_u16(&sel, NFSEC_SEL_A_DPORT_MIN, 0);
	next_u16(&sel, NFSEC_SEL_A_DPORT_MAX, 65535);
	walk_end(&sel);
	walk_end(&pol);
	walk_end(&top);
	nlmsg_free(msg);
}

static void new_refused(const struct nfsec_policy *p, const char *want)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct nl_msg *msg = (struct nl_msg *)&h;

	assert_int_equal(nfsec_policy_new_msg(&h, p, &msg), -EINVAL);
	assert_null(msg);
	assert_string_equal(nfsec_error(&h), want);
	/* the public call refuses it the same way, before any socket is touched */
	h.errmsg[0] = '\0';
	assert_int_equal(nfsec_policy_add(&h, p), -EINVAL);
	assert_string_equal(nfsec_error(&h), want);
}

static void test_new_request_refused(void **state)
{
	struct nfsec_policy p = sample_v4();

	(void)state;
	p.sel.family = 0;
	new_refused(&p, "add policy: selector family 0 is neither AF_INET nor AF_INET6");
	p.sel.family = AF_UNIX;
	new_refused(&p, "add policy: selector family 1 is neither AF_INET nor AF_INET6");
	p.sel.family = AF_INET;
	p.sel.src_prefix = 33;
	new_refused(&p, "add policy: source prefix length 33 is above 32");
	p.sel.src_prefix = 32;
	p.sel.dst_prefix = 33;
	new_refused(&p, "add policy: destination prefix length 33 is above 32");

	/* the longest IPv6 prefix is fine, one more is not */
	p = sample_v6();
	p.sel.src_prefix = p.sel.dst_prefix = 128;
	nlmsg_free(new_msg(&p));
	p.sel.dst_prefix = 129;
	new_refused(&p, "add policy: destination prefix length 129 is above 128");
}

/* The template after the selector: a tunnel's endpoints, a transport's mode and reqid. */
static void test_new_request_tmpl(void **state)
{
	struct nfsec_policy p = sample_tunnel();
	struct walk top, pol, tmpl;
	struct nl_msg *msg = new_msg(&p);

	(void)state;
	top = walk_msg(msg);
	pol = walk_nest(next_attr(&top, NFSEC_A_POLICY | NLA_F_NESTED, -1));
	next_u8(&pol, NFSEC_POLICY_A_DIR, NFSEC_POLICY_DIR_OUT);
	next_u8(&pol, NFSEC_POLICY_A_ACTION, NFSEC_POLICY_PROTECT);
	next_u32(&pol, NFSEC_POLICY_A_PRIORITY, 20);
	next_attr(&pol, NFSEC_POLICY_A_SELECTOR | NLA_F_NESTED, -1);
	tmpl = walk_nest(next_attr(&pol, NFSEC_POLICY_A_TMPL | NLA_F_NESTED, -1));
	walk_end(&pol);
	next_u8(&tmpl, NFSEC_TMPL_A_MODE, NFSEC_MODE_TUNNEL);
	next_u16(&tmpl, NFSEC_TMPL_A_FAMILY, AF_INET);
	next_addr(&tmpl, NFSEC_TMPL_A_SRC, "192.0.2.1", 4);
	next_addr(&tmpl, NFSEC_TMPL_A_DST, "192.0.2.2", 4);
	next_u32(&tmpl, NFSEC_TMPL_A_REQID, 7);
	walk_end(&tmpl);
	nlmsg_free(msg);

	p.tmpl = (struct nfsec_tmpl){ .mode = NFSEC_MODE_TRANSPORT, .reqid = 5 };
	msg = new_msg(&p);
	top = walk_msg(msg);
	pol = walk_nest(next_attr(&top, NFSEC_A_POLICY | NLA_F_NESTED, -1));
	for (int type = NFSEC_POLICY_A_DIR; type < NFSEC_POLICY_A_TMPL; type++)
		next_attr(&pol, (uint16_t)(type | (type == NFSEC_POLICY_A_SELECTOR ?
						   NLA_F_NESTED : 0)), -1);
	tmpl = walk_nest(next_attr(&pol, NFSEC_POLICY_A_TMPL | NLA_F_NESTED, -1));
	next_u8(&tmpl, NFSEC_TMPL_A_MODE, NFSEC_MODE_TRANSPORT);
	next_u32(&tmpl, NFSEC_TMPL_A_REQID, 5);
	walk_end(&tmpl);
	nlmsg_free(msg);

	/* none asked for, none sent: the kernel's default */
	p.has_tmpl = false;
	msg = new_msg(&p);
	top = walk_msg(msg);
	pol = walk_nest(next_attr(&top, NFSEC_A_POLICY | NLA_F_NESTED, -1));
	for (int type = NFSEC_POLICY_A_DIR; type < NFSEC_POLICY_A_TMPL; type++)
		next_attr(&pol, (uint16_t)(type | (type == NFSEC_POLICY_A_SELECTOR ?
						   NLA_F_NESTED : 0)), -1);
	walk_end(&pol);
	nlmsg_free(msg);
}

static void test_new_request_tmpl_refused(void **state)
{
	struct nfsec_policy p;

	(void)state;
	p = sample_tunnel();
	p.action = NFSEC_POLICY_BYPASS;
	new_refused(&p, "add policy: only a protect policy takes a template (action is 1)");
	p = sample_tunnel();
	p.tmpl.mode = NFSEC_MODE_MAX + 1;
	new_refused(&p, "add policy: template mode 2 is out of range 0..1");
	p = sample_tunnel();
	p.tmpl.family = 0;
	new_refused(&p, "add policy: tunnel template family 0 is neither AF_INET nor AF_INET6");
	p = sample_tunnel();
	p.tmpl.mode = NFSEC_MODE_TRANSPORT;
	new_refused(&p, "add policy: a transport template has no endpoints (family 2)");
}

static void test_index_requests(void **state)
{
	static const uint8_t cmds[] = { NFSEC_CMD_POLICY_DEL, NFSEC_CMD_POLICY_GET };
	struct nfsec_handle h = { .family = FAMILY };

	(void)state;
	for (size_t i = 0; i < sizeof(cmds); i++) {
		struct nl_msg *msg;
		struct walk top, pol;

		assert_int_equal(nfsec_policy_index_msg(&h, cmds[i], 0xfedcba98, &msg), 0);
		expect_header(msg, cmds[i], 0);
		top = walk_msg(msg);
		pol = walk_nest(next_attr(&top, NFSEC_A_POLICY | NLA_F_NESTED, -1));
		walk_end(&top);
		next_u32(&pol, NFSEC_POLICY_A_INDEX, 0xfedcba98);
		walk_end(&pol);
		nlmsg_free(msg);
	}
}

static void test_flush_requests(void **state)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct nl_msg *msg;
	struct walk top, pol;

	(void)state;
	/* every direction: no attribute at all */
	assert_int_equal(nfsec_policy_flush_msg(&h, -1, &msg), 0);
	expect_header(msg, NFSEC_CMD_POLICY_FLUSH, 0);
	top = walk_msg(msg);
	walk_end(&top);
	nlmsg_free(msg);

	assert_int_equal(nfsec_policy_flush_msg(&h, NFSEC_POLICY_DIR_FWD, &msg), 0);
	expect_header(msg, NFSEC_CMD_POLICY_FLUSH, 0);
	top = walk_msg(msg);
	pol = walk_nest(next_attr(&top, NFSEC_A_POLICY | NLA_F_NESTED, -1));
	walk_end(&top);
	next_u8(&pol, NFSEC_POLICY_A_DIR, NFSEC_POLICY_DIR_FWD);
	walk_end(&pol);
	nlmsg_free(msg);

	msg = (struct nl_msg *)&h;
	assert_int_equal(nfsec_policy_flush_msg(&h, NFSEC_POLICY_DIR_MAX + 1, &msg), -EINVAL);
	assert_null(msg);
	assert_string_equal(nfsec_error(&h), "flush policies: direction 3 is out of range 0..2");
	assert_int_equal(nfsec_policy_flush(&h, 255), -EINVAL);
	assert_string_equal(nfsec_error(&h), "flush policies: direction 255 is out of range 0..2");
}

/* A handle whose open failed refuses every policy call instead of sending to family 0. */
static void test_handle_not_open(void **state)
{
	struct nfsec_handle h = { .family = 0 };
	struct nfsec_policy p = sample_v4();

	(void)state;
	assert_int_equal(nfsec_policy_add(&h, &p), -ENOTCONN);
	assert_string_equal(nfsec_error(&h), "add policy: the handle is not open");
	assert_int_equal(nfsec_policy_del(&h, 1), -ENOTCONN);
	assert_string_equal(nfsec_error(&h), "delete policy: the handle is not open");
	assert_int_equal(nfsec_policy_get(&h, 1, &p), -ENOTCONN);
	assert_string_equal(nfsec_error(&h), "get policy: the handle is not open");
	assert_int_equal(nfsec_policy_dump(&h, NULL, NULL), -ENOTCONN);
	assert_string_equal(nfsec_error(&h), "list policies: the handle is not open");
	assert_int_equal(nfsec_policy_flush(&h, -1), -ENOTCONN);
	assert_string_equal(nfsec_error(&h), "flush policies: the handle is not open");
}

/* --- libnfsec: the replies ------------------------------------------------------------ */

/* What a POLICY_GET reply should be, and how to spoil it. */
struct reply_spec {
	struct nfsec_policy p;
	uint8_t cmd;
	bool no_policy;		/* leave NFSEC_A_POLICY out */
	int drop_policy;	/* an NFSEC_POLICY_A_* to leave out, 0: none */
	int drop_sel;		/* an NFSEC_SEL_A_* to leave out */
	int twice_sel;		/* an NFSEC_SEL_A_* to send twice */
	int long_policy;	/* an NFSEC_POLICY_A_* one byte too long */
	int long_sel;		/* an NFSEC_SEL_A_* one byte too long */
	int src_len, dst_len;	/* address lengths sent */
	bool newer;		/* an attribute from a newer module at each level */
	int drop_tmpl;		/* an NFSEC_TMPL_A_* to leave out */
	bool endpoints;		/* a tunnel's family and addresses, whatever the mode */
	int tmpl_len;		/* the template's address lengths, 0: the family's */
};

static struct reply_spec spec_of(struct nfsec_policy p)
{
	int len = p.sel.family == AF_INET ? 4 : 16;

	return (struct reply_spec){ .p = p, .cmd = NFSEC_CMD_POLICY_GET,
				    .src_len = len, .dst_len = len };
}

static void put(struct nl_msg *msg, int type, int extra, const void *value, int len)
{
	uint8_t buf[32] = { 0 };

	memcpy(buf, value, len);
	assert_int_equal(nla_put(msg, type, len + extra, buf), 0);
}

static void put_selector(struct nl_msg *msg, const struct reply_spec *s)
{
	const struct nfsec_selector *sel = &s->p.sel;
	struct nlattr *nest = nla_nest_start(msg, NFSEC_POLICY_A_SELECTOR | NLA_F_NESTED);

	assert_non_null(nest);
	for (int type = 1; type <= NFSEC_SEL_A_MAX; type++) {
		int extra = type == s->long_sel;

		if (type == s->drop_sel)
			continue;
		for (int n = type == s->twice_sel ? 2 : 1; n > 0; n--) {
			switch (type) {
			case NFSEC_SEL_A_FAMILY:
				put(msg, type, extra, &sel->family, 2);
				break;
			case NFSEC_SEL_A_SRC:
				put(msg, type, extra, sel->src, s->src_len);
				break;
			case NFSEC_SEL_A_SRC_PREFIX:
				put(msg, type, extra, &sel->src_prefix, 1);
				break;
			case NFSEC_SEL_A_DST:
				put(msg, type, extra, sel->dst, s->dst_len);
				break;
			case NFSEC_SEL_A_DST_PREFIX:
				put(msg, type, extra, &sel->dst_prefix, 1);
				break;
			case NFSEC_SEL_A_PROTO:
				put(msg, type, extra, &sel->proto, 1);
				break;
			case NFSEC_SEL_A_SPORT_MIN:
				put(msg, type, extra, &sel->sport_min, 2);
				break;
			case NFSEC_SEL_A_SPORT_MAX:
				put(msg, type, extra, &sel->sport_max, 2);
				break;
			case NFSEC_SEL_A_DPORT_MIN:
				put(msg, type, extra, &sel->dport_min, 2);
				break;
			case NFSEC_SEL_A_DPORT_MAX:
				put(msg, type, extra, &sel->dport_max, 2);
				break;
			}
		}
	}
	if (s->newer)
		assert_int_equal(nla_put_u32(msg, NFSEC_SEL_A_MAX + 1, 1), 0);
	assert_int_equal(nla_nest_end(msg, nest), 0);
}

/* The template as the kernel gives it: the endpoints in tunnel mode alone. */
static void put_tmpl(struct nl_msg *msg, const struct reply_spec *s)
{
	const struct nfsec_tmpl *t = &s->p.tmpl;
	bool endpoints = t->mode == NFSEC_MODE_TUNNEL || s->endpoints;
	int len = s->tmpl_len ? s->tmpl_len : t->family == AF_INET ? 4 : 16;
	struct nlattr *nest = nla_nest_start(msg, NFSEC_POLICY_A_TMPL | NLA_F_NESTED);

	assert_non_null(nest);
	if (s->drop_tmpl != NFSEC_TMPL_A_MODE)
		assert_int_equal(nla_put_u8(msg, NFSEC_TMPL_A_MODE, t->mode), 0);
	if (endpoints && s->drop_tmpl != NFSEC_TMPL_A_FAMILY)
		assert_int_equal(nla_put_u16(msg, NFSEC_TMPL_A_FAMILY, t->family), 0);
	if (endpoints && s->drop_tmpl != NFSEC_TMPL_A_SRC)
		assert_int_equal(nla_put(msg, NFSEC_TMPL_A_SRC, len, t->src), 0);
	if (endpoints && s->drop_tmpl != NFSEC_TMPL_A_DST)
		assert_int_equal(nla_put(msg, NFSEC_TMPL_A_DST, len, t->dst), 0);
	if (s->drop_tmpl != NFSEC_TMPL_A_REQID)
		assert_int_equal(nla_put_u32(msg, NFSEC_TMPL_A_REQID, t->reqid), 0);
	if (s->newer)
		assert_int_equal(nla_put_u32(msg, NFSEC_TMPL_A_MAX + 1, 1), 0);
	assert_int_equal(nla_nest_end(msg, nest), 0);
}

static void put_policy(struct nl_msg *msg, const struct reply_spec *s)
{
	struct nlattr *nest = nla_nest_start(msg, NFSEC_A_POLICY | NLA_F_NESTED);

	assert_non_null(nest);
	for (int type = 1; type <= NFSEC_POLICY_A_MAX; type++) {
		int extra = type == s->long_policy;

		if (type == s->drop_policy)
			continue;
		switch (type) {
		case NFSEC_POLICY_A_INDEX:
			put(msg, type, extra, &s->p.index, 4);
			break;
		case NFSEC_POLICY_A_DIR:
			put(msg, type, extra, &s->p.dir, 1);
			break;
		case NFSEC_POLICY_A_ACTION:
			put(msg, type, extra, &s->p.action, 1);
			break;
		case NFSEC_POLICY_A_PRIORITY:
			put(msg, type, extra, &s->p.priority, 4);
			break;
		case NFSEC_POLICY_A_SELECTOR:
			put_selector(msg, s);
			break;
		case NFSEC_POLICY_A_TMPL:
			if (s->p.has_tmpl)
				put_tmpl(msg, s);
			break;
		}
	}
	if (s->newer)
		assert_int_equal(nla_put_string(msg, NFSEC_POLICY_A_MAX + 1, "later"), 0);
	assert_int_equal(nla_nest_end(msg, nest), 0);
}

static struct nl_msg *reply_build(const struct reply_spec *s)
{
	struct nl_msg *msg = reply_new(s->cmd);

	if (s->newer)
		assert_int_equal(nla_put_u64(msg, NFSEC_A_MAX + 1, 1), 0);
	if (!s->no_policy)
		put_policy(msg, s);
	return msg;
}

/* Parses msg (freed) as a "get policy" reply into *out; returns the result. */
static int parse_one(struct nfsec_handle *h, struct nl_msg *msg, struct nfsec_policy *out,
		     unsigned int *count)
{
	struct nfsec_reply reply = {
		.op = "get policy", .object = NFSEC_REPLY_POLICY, .one = out,
	};
	int ret;

	memset(out, SENTINEL, sizeof(*out));
	ret = nfsec_reply_parse(h, nlmsg_hdr(msg), &reply);
	*count = reply.count;
	nlmsg_free(msg);
	return ret;
}

static void reply_ok(const struct reply_spec *s)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct nfsec_policy got;
	unsigned int count;

	assert_int_equal(parse_one(&h, reply_build(s), &got, &count), 0);
	assert_int_equal(count, 1);
	expect_policy(&got, &s->p);
}

static void reply_fails(const struct reply_spec *s, const char *want)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct nfsec_policy got, untouched;
	unsigned int count;

	memset(&untouched, SENTINEL, sizeof(untouched));
	assert_int_equal(parse_one(&h, reply_build(s), &got, &count), -EBADMSG);
	assert_int_equal(count, 0);
	assert_memory_equal(&got, &untouched, sizeof(got));
	assert_string_equal(nfsec_error(&h), want);
}

static void test_reply(void **state)
{
	struct reply_spec s = spec_of(sample_v4());

	(void)state;
	reply_ok(&s);
	s = spec_of(sample_v6());
	reply_ok(&s);
	/* an IPv4 address leaves the rest of the 16 bytes zero, not stale */
	s = spec_of(sample_v4());
	s.p.sel.dst[0] = 172;
	s.p.sel.dst_prefix = 8;
	reply_ok(&s);
}

/* A newer module may append attributes at any level: they are skipped. */
static void test_reply_newer_attributes(void **state)
{
	struct reply_spec s = spec_of(sample_v6());

	(void)state;
	s.newer = true;
	reply_ok(&s);
}

static void test_reply_missing(void **state)
{
	static const char *const policy_names[] = {
		NULL, "NFSEC_POLICY_A_INDEX", "NFSEC_POLICY_A_DIR", "NFSEC_POLICY_A_ACTION",
		"NFSEC_POLICY_A_PRIORITY", "NFSEC_POLICY_A_SELECTOR", "NFSEC_POLICY_A_TMPL",
	};
	static const char *const sel_names[] = {
		NULL, "NFSEC_SEL_A_FAMILY", "NFSEC_SEL_A_SRC", "NFSEC_SEL_A_SRC_PREFIX",
		"NFSEC_SEL_A_DST", "NFSEC_SEL_A_DST_PREFIX", "NFSEC_SEL_A_PROTO",
		"NFSEC_SEL_A_SPORT_MIN", "NFSEC_SEL_A_SPORT_MAX", "NFSEC_SEL_A_DPORT_MIN",
		"NFSEC_SEL_A_DPORT_MAX",
	};
	struct reply_spec s = spec_of(sample_v4());
	char want[128];

	(void)state;
	assert_int_equal(sizeof(policy_names) / sizeof(policy_names[0]), NFSEC_POLICY_A_MAX + 1);
	assert_int_equal(sizeof(sel_names) / sizeof(sel_names[0]), NFSEC_SEL_A_MAX + 1);

	s.no_policy = true;
	reply_fails(&s, "get policy: reply lacks NFSEC_A_POLICY");
	/* the template is checked apart: only protect policies have one */
	for (int type = 1; type <= NFSEC_POLICY_A_SELECTOR; type++) {
		s = spec_of(sample_v4());
		s.drop_policy = type;
		snprintf(want, sizeof(want), "get policy: reply lacks %s", policy_names[type]);
		reply_fails(&s, want);
	}
	for (int type = 1; type <= NFSEC_SEL_A_MAX; type++) {
		s = spec_of(sample_v6());
		s.drop_sel = type;
		snprintf(want, sizeof(want), "get policy: reply lacks %s", sel_names[type]);
		reply_fails(&s, want);
	}
}

static void test_reply_address_length(void **state)
{
	struct reply_spec s;

	(void)state;
	s = spec_of(sample_v4());
	s.src_len = 16;
	reply_fails(&s, "get policy: reply has a 16-byte NFSEC_SEL_A_SRC for AF_INET");
	s = spec_of(sample_v4());
	s.dst_len = 5;
	reply_fails(&s, "get policy: reply has a 5-byte NFSEC_SEL_A_DST for AF_INET");
	s = spec_of(sample_v6());
	s.dst_len = 4;
	reply_fails(&s, "get policy: reply has a 4-byte NFSEC_SEL_A_DST for AF_INET6");
	s = spec_of(sample_v6());
	s.src_len = 15;
	reply_fails(&s, "get policy: reply has a 15-byte NFSEC_SEL_A_SRC for AF_INET6");
	/* shorter or longer than any address: refused by the attribute policy */
	s = spec_of(sample_v4());
	s.src_len = 3;
	reply_fails(&s, "get policy: malformed reply: attribute 2 in NFSEC_POLICY_A_SELECTOR: "
			"Input data out of range");
	s = spec_of(sample_v6());
	s.dst_len = 17;
	reply_fails(&s, "get policy: malformed reply: attribute 4 in NFSEC_POLICY_A_SELECTOR: "
			"Input data out of range");
}

static void test_reply_exact_lengths(void **state)
{
	struct reply_spec s;
	char want[160];

	(void)state;
	for (int type = 1; type <= NFSEC_POLICY_A_MAX; type++) {
		if (type == NFSEC_POLICY_A_SELECTOR || type == NFSEC_POLICY_A_TMPL)
			continue;
		s = spec_of(sample_v4());
		s.long_policy = type;
		snprintf(want, sizeof(want), "get policy: malformed reply: attribute %d in "
			 "NFSEC_A_POLICY: Input data out of range", type);
		reply_fails(&s, want);
	}
	for (int type = 1; type <= NFSEC_SEL_A_MAX; type++) {
		if (type == NFSEC_SEL_A_SRC || type == NFSEC_SEL_A_DST)
			continue;
		s = spec_of(sample_v4());
		s.long_sel = type;
		snprintf(want, sizeof(want), "get policy: malformed reply: attribute %d in "
			 "NFSEC_POLICY_A_SELECTOR: Input data out of range", type);
		reply_fails(&s, want);
	}
}

static void test_reply_bad_values(void **state)
{
	struct reply_spec s;

	(void)state;
	s = spec_of(sample_v4());
	s.p.sel.family = AF_UNIX;
	reply_fails(&s, "get policy: reply has address family 1");
	s = spec_of(sample_v4());
	s.p.sel.src_prefix = 33;
	reply_fails(&s, "get policy: reply has prefix lengths 33 and 0 for AF_INET");
	s = spec_of(sample_v6());
	s.p.sel.dst_prefix = 129;
	reply_fails(&s, "get policy: reply has prefix lengths 0 and 129 for AF_INET6");
	s = spec_of(sample_v4());
	s.p.dir = NFSEC_POLICY_DIR_MAX + 1;
	reply_fails(&s, "get policy: reply has direction 3, unknown here");
	s = spec_of(sample_v4());
	s.p.action = NFSEC_POLICY_ACTION_MAX + 1;
	reply_fails(&s, "get policy: reply has action 3, unknown here");
	s = spec_of(sample_v4());
	s.p.sel.sport_min = 2;
	s.p.sel.sport_max = 1;
	reply_fails(&s, "get policy: reply has NFSEC_SEL_A_SPORT_MIN 2 above "
			"NFSEC_SEL_A_SPORT_MAX 1");
	s = spec_of(sample_v4());
	s.p.sel.dport_min = 444;
	reply_fails(&s, "get policy: reply has NFSEC_SEL_A_DPORT_MIN 444 above "
			"NFSEC_SEL_A_DPORT_MAX 443");

	/* the bounds themselves are fine */
	s = spec_of(sample_v6());
	s.p.sel.src_prefix = s.p.sel.dst_prefix = 128;
	s.p.dir = NFSEC_POLICY_DIR_MAX;
	s.p.action = NFSEC_POLICY_ACTION_MAX;
	s.p.sel.sport_min = s.p.sel.sport_max = 65535;
	reply_ok(&s);
}

static void test_reply_duplicate(void **state)
{
	struct reply_spec s = spec_of(sample_v4());

	(void)state;
	s.twice_sel = NFSEC_SEL_A_PROTO;
	reply_fails(&s, "get policy: malformed reply: attribute 6 in NFSEC_POLICY_A_SELECTOR "
			"appears twice");
}

static void test_reply_wrong_command(void **state)
{
	struct reply_spec s = spec_of(sample_v4());

	(void)state;
	s.cmd = NFSEC_CMD_POLICY_NEW;
	reply_fails(&s, "get policy: reply to command 2, expected 4");
}

/* The nest's length covers two bytes that are no attribute. */
static void test_reply_stray_bytes(void **state)
{
	struct reply_spec s = spec_of(sample_v4());
	struct nl_msg *inner = reply_build(&s), *msg = reply_new(NFSEC_CMD_POLICY_GET);
	struct walk top = walk_msg(inner);
	struct nlattr *pol = next_attr(&top, NFSEC_A_POLICY | NLA_F_NESTED, -1);
	struct nfsec_handle h = { .family = FAMILY };
	struct nfsec_policy got;
	unsigned int count;
	uint8_t buf[512] = { 0 };

	(void)state;
	assert_true((size_t)nla_len(pol) + 2 <= sizeof(buf));
	memcpy(buf, nla_data(pol), nla_len(pol));
	assert_int_equal(nla_put(msg, NFSEC_A_POLICY | NLA_F_NESTED, nla_len(pol) + 2, buf), 0);
	nlmsg_free(inner);
	assert_int_equal(parse_one(&h, msg, &got, &count), -EBADMSG);
	assert_string_equal(nfsec_error(&h), "get policy: malformed reply: 2 stray bytes at the "
					     "end of NFSEC_A_POLICY");
}

static void test_reply_tmpl(void **state)
{
	struct reply_spec s = spec_of(sample_tunnel());

	(void)state;
	reply_ok(&s);
	s.newer = true;
	reply_ok(&s);
	s = spec_of(sample_tunnel());
	s.p.tmpl = (struct nfsec_tmpl){ .mode = NFSEC_MODE_TRANSPORT, .reqid = 9 };
	reply_ok(&s);
	s = spec_of(sample_tunnel());
	s.p.tmpl.family = AF_INET6;
	s.p.tmpl.src[15] = 1;
	reply_ok(&s);
}

static void test_reply_tmpl_bad(void **state)
{
	static const char *const tmpl_names[] = {
		NULL, "NFSEC_TMPL_A_MODE", "NFSEC_TMPL_A_FAMILY", "NFSEC_TMPL_A_SRC",
		"NFSEC_TMPL_A_DST", "NFSEC_TMPL_A_REQID",
	};
	struct reply_spec s;
	char want[128];

	(void)state;
	assert_int_equal(sizeof(tmpl_names) / sizeof(tmpl_names[0]), NFSEC_TMPL_A_MAX + 1);
	s = spec_of(sample_tunnel());
	s.p.has_tmpl = false;
	reply_fails(&s, "get policy: reply lacks NFSEC_POLICY_A_TMPL for a protect policy");
	s = spec_of(sample_v4());
	s.p.has_tmpl = true;
	reply_fails(&s, "get policy: reply has NFSEC_POLICY_A_TMPL for action 1, which takes "
			"none");
	for (int type = 1; type <= NFSEC_TMPL_A_MAX; type++) {
		s = spec_of(sample_tunnel());
		s.drop_tmpl = type;
		snprintf(want, sizeof(want), "get policy: reply lacks %s", tmpl_names[type]);
		reply_fails(&s, want);
	}
	s = spec_of(sample_tunnel());
	s.p.tmpl.mode = NFSEC_MODE_TRANSPORT;
	s.endpoints = true;
	reply_fails(&s, "get policy: reply has NFSEC_TMPL_A_FAMILY in a transport template");
	s.drop_tmpl = NFSEC_TMPL_A_FAMILY;
	reply_fails(&s, "get policy: reply has NFSEC_TMPL_A_SRC in a transport template");
	s = spec_of(sample_tunnel());
	s.p.tmpl.mode = NFSEC_MODE_MAX + 1;
	reply_fails(&s, "get policy: reply has template mode 2, unknown here");
	s = spec_of(sample_tunnel());
	s.p.tmpl.family = AF_UNIX;
	s.tmpl_len = 4;
	reply_fails(&s, "get policy: reply has tunnel family 1");
	s = spec_of(sample_tunnel());
	s.tmpl_len = 16;
	reply_fails(&s, "get policy: reply has a 16-byte NFSEC_TMPL_A_SRC for AF_INET");
	s = spec_of(sample_tunnel());
	s.tmpl_len = 3;
	reply_fails(&s, "get policy: malformed reply: attribute 3 in NFSEC_POLICY_A_TMPL: "
			"Input data out of range");
}

struct seen {
	unsigned int calls;
	uint32_t index[4];
	int fail_at;		/* return -EINTR at this call (1-based), 0: never */
};

static int record(const struct nfsec_policy *p, void *arg)
{
	struct seen *seen = arg;

	seen->index[seen->calls++ % 4] = p->index;
	return seen->calls == (unsigned int)seen->fail_at ? -EINTR : 0;
}

static int parse_dump(struct nfsec_handle *h, struct nfsec_reply *reply,
		      const struct reply_spec *s)
{
	struct nl_msg *msg = reply_build(s);
	int ret = nfsec_reply_parse(h, nlmsg_hdr(msg), reply);

	nlmsg_free(msg);
	return ret;
}

/* A dump hands each policy to the callback in the order of the replies. */
static void test_dump_callback(void **state)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct seen seen = { .fail_at = 2 };
	struct nfsec_reply reply = {
		.op = "list policies", .object = NFSEC_REPLY_POLICY, .cb.policy = record,
		.arg = &seen,
	};
	struct reply_spec a = spec_of(sample_v4()), b = spec_of(sample_v6());

	(void)state;
	b.p.index = 9;
	assert_int_equal(parse_dump(&h, &reply, &a), 0);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(seen.index[0], 3);
	/* the callback's errno ends the dump, and says who stopped it */
	assert_int_equal(parse_dump(&h, &reply, &b), -EINTR);
	assert_int_equal(seen.calls, 2);
	assert_int_equal(seen.index[1], 9);
	assert_int_equal(reply.count, 2);
	assert_string_equal(nfsec_error(&h),
			    "list policies: stopped by the caller: Interrupted system call");

	/* a bad reply never reaches the callback */
	b.src_len = 4;
	assert_int_equal(parse_dump(&h, &reply, &b), -EBADMSG);
	assert_int_equal(seen.calls, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_defaults),
		cmocka_unit_test(test_add_every_word),
		cmocka_unit_test(test_add_ipv6),
		cmocka_unit_test(test_add_masks),
		cmocka_unit_test(test_add_any_and_family),
		cmocka_unit_test(test_add_family_mismatch),
		cmocka_unit_test(test_add_bad_prefix),
		cmocka_unit_test(test_add_bad_names),
		cmocka_unit_test(test_add_proto),
		cmocka_unit_test(test_add_ports),
		cmocka_unit_test(test_add_ports_need_proto),
		cmocka_unit_test(test_add_word_errors),
		cmocka_unit_test(test_add_tmpl),
		cmocka_unit_test(test_add_tmpl_refused),
		cmocka_unit_test(test_parse_index),
		cmocka_unit_test(test_parse_dir),
		cmocka_unit_test(test_print_text),
		cmocka_unit_test(test_print_json),
		cmocka_unit_test(test_print_tmpl),
		cmocka_unit_test(test_run_refusals),
		cmocka_unit_test(test_run_help),
		cmocka_unit_test(test_new_request_ipv4),
		cmocka_unit_test(test_new_request_ipv6),
		cmocka_unit_test(test_new_request_refused),
		cmocka_unit_test(test_new_request_tmpl),
		cmocka_unit_test(test_new_request_tmpl_refused),
		cmocka_unit_test(test_index_requests),
		cmocka_unit_test(test_flush_requests),
		cmocka_unit_test(test_handle_not_open),
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_reply_newer_attributes),
		cmocka_unit_test(test_reply_missing),
		cmocka_unit_test(test_reply_address_length),
		cmocka_unit_test(test_reply_exact_lengths),
		cmocka_unit_test(test_reply_bad_values),
		cmocka_unit_test(test_reply_duplicate),
		cmocka_unit_test(test_reply_wrong_command),
		cmocka_unit_test(test_reply_stray_bytes),
		cmocka_unit_test(test_reply_tmpl),
		cmocka_unit_test(test_reply_tmpl_bad),
		cmocka_unit_test(test_dump_callback),
	};

	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
