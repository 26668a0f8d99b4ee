// SPDX-License-Identifier: GPL-2.0
/*
 * Events without the nfsec module: libnfsec's decoding of each event message and of a
 * datagram of them, fed hand-built netlink messages; the event socket's reading, driven
 * through a NETLINK_USERSOCK group any process may send to (messages that are not the
 * kernel's ignored, an overrun reported); joining nlctrl's group in place of nfsec's; and
 * the lines of "nfsec monitor", text and JSON, for each kind of event: policies, SAs,
 * acquires and expires.
 */
#include <errno.h>
#include <poll.h>
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

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include "capture.h"
#include "samples.h"
#include "commands.h"
#include "internal.h"
#include "monitor.h"

enum { FAMILY = 0x42, SENTINEL = 0xa5 };

/* --- building events ------------------------------------------------------------------ */

/* An event as the kernel multicasts it: sequence 0, no flags. */
static struct nl_msg *event_new(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	assert_non_null(msg);
	assert_non_null(genlmsg_put(msg, 0, 0, FAMILY, 0, 0, cmd, NFSEC_GENL_VERSION));
	return msg;
}

/* How to spoil the policy of an event. */
struct spoil {
	int drop;		/* an NFSEC_POLICY_A_* to leave out, 0: none */
	bool newer;		/* an attribute from a newer module in each nest */
};

static void put_selector(struct nl_msg *msg, const struct nfsec_selector *sel, bool newer)
{
	int len = sel->family == AF_INET ? 4 : 16;
	struct nlattr *nest = nla_nest_start(msg, NFSEC_POLICY_A_SELECTOR | NLA_F_NESTED);

	assert_non_null(nest);
	assert_int_equal(nla_put_u16(msg, NFSEC_SEL_A_FAMILY, sel->family), 0);
	assert_int_equal(nla_put(msg, NFSEC_SEL_A_SRC, len, sel->src), 0);
	assert_int_equal(nla_put_u8(msg, NFSEC_SEL_A_SRC_PREFIX, sel->src_prefix), 0);
	assert_int_equal(nla_put(msg, NFSEC_SEL_A_DST, len, sel->dst), 0);
	assert_int_equal(nla_put_u8(msg, NFSEC_SEL_A_DST_PREFIX, sel->dst_prefix), 0);
	assert_int_equal(nla_put_u8(msg, NFSEC_SEL_A_PROTO, sel->proto), 0);
	assert_int_equal(nla_put_u16(msg, NFSEC_SEL_A_SPORT_MIN, sel->sport_min), 0);
	assert_int_equal(nla_put_u16(msg, NFSEC_SEL_A_SPORT_MAX, sel->sport_max), 0);
	assert_int_equal(nla_put_u16(msg, NFSEC_SEL_A_DPORT_MIN, sel->dport_min), 0);
	assert_int_equal(nla_put_u16(msg, NFSEC_SEL_A_DPORT_MAX, sel->dport_max), 0);
	if (newer)
		assert_int_equal(nla_put_u32(msg, NFSEC_SEL_A_MAX + 1, 1), 0);
	assert_int_equal(nla_nest_end(msg, nest), 0);
}

static void put_tmpl(struct nl_msg *msg, const struct nfsec_tmpl *t)
{
	int len = t->family == AF_INET ? 4 : 16;
	struct nlattr *nest = nla_nest_start(msg, NFSEC_POLICY_A_TMPL | NLA_F_NESTED);

	assert_non_null(nest);
	assert_int_equal(nla_put_u8(msg, NFSEC_TMPL_A_MODE, t->mode), 0);
	if (t->mode == NFSEC_MODE_TUNNEL) {
		assert_int_equal(nla_put_u16(msg, NFSEC_TMPL_A_FAMILY, t->family), 0);
		assert_int_equal(nla_put(msg, NFSEC_TMPL_A_SRC, len, t->src), 0);
		assert_int_equal(nla_put(msg, NFSEC_TMPL_A_DST, len, t->dst), 0);
	}
	assert_int_equal(nla_put_u32(msg, NFSEC_TMPL_A_REQID, t->reqid), 0);
	assert_int_equal(nla_nest_end(msg, nest), 0);
}

/* NFSEC_A_POLICY with every attribute, as a dump gives it, unless spoilt. */
static void put_policy(struct nl_msg *msg, const struct nfsec_policy *p, struct spoil s)
{
	struct nlattr *nest = nla_nest_start(msg, NFSEC_A_POLICY | NLA_F_NESTED);

	assert_non_null(nest);
	if (s.drop != NFSEC_POLICY_A_INDEX)
		assert_int_equal(nla_put_u32(msg, NFSEC_POLICY_A_INDEX, p->index), 0);
	if (s.drop != NFSEC_POLICY_A_DIR)
		assert_int_equal(nla_put_u8(msg, NFSEC_POLICY_A_DIR, p->dir), 0);
	if (s.drop != NFSEC_POLICY_A_ACTION)
		assert_int_equal(nla_put_u8(msg, NFSEC_POLICY_A_ACTION, p->action), 0);
	if (s.drop != NFSEC_POLICY_A_PRIORITY)
		assert_int_equal(nla_put_u32(msg, NFSEC_POLICY_A_PRIORITY, p->priority), 0);
	if (s.drop != NFSEC_POLICY_A_SELECTOR)
		put_selector(msg, &p->sel, s.newer);
	if (p->has_tmpl && s.drop != NFSEC_POLICY_A_TMPL)
		put_tmpl(msg, &p->tmpl);
	if (s.newer)
		assert_int_equal(nla_put_string(msg, NFSEC_POLICY_A_MAX + 1, "later"), 0);
	assert_int_equal(nla_nest_end(msg, nest), 0);
}

/* NEW or DEL for p. */
static struct nl_msg *policy_event(uint8_t cmd, struct nfsec_policy p, struct spoil s)
{
	struct nl_msg *msg = event_new(cmd);

	if (s.newer)
		assert_int_equal(nla_put_u64(msg, NFSEC_A_MAX + 1, 1), 0);
	put_policy(msg, &p, s);
	return msg;
}

/* FLUSH of dir, or of every direction when dir < 0. */
static struct nl_msg *flush_event(int dir)
{
	struct nl_msg *msg = event_new(NFSEC_CMD_POLICY_FLUSH);
	struct nlattr *nest;

	if (dir < 0)
		return msg;
	nest = nla_nest_start(msg, NFSEC_A_POLICY | NLA_F_NESTED);
	assert_non_null(nest);
	assert_int_equal(nla_put_u8(msg, NFSEC_POLICY_A_DIR, (uint8_t)dir), 0);
	assert_int_equal(nla_nest_end(msg, nest), 0);
	return msg;
}

/* SA_NEW, SA_DEL or EXPIRE for sa; hard adds NFSEC_A_EXPIRE_HARD. */
static struct nl_msg *sa_event(uint8_t cmd, struct nfsec_sa sa, struct sa_spoil s, bool hard)
{
	struct nl_msg *msg = event_new(cmd);

	if (hard)
		assert_int_equal(nla_put_flag(msg, NFSEC_A_EXPIRE_HARD), 0);
	put_sa(msg, &sa, s);
	return msg;
}

/* A TCP packet from 2001:db8:1::5 port 40000 to 2001:db8:2::7 port 443. */
static struct nfsec_selector sample_flow(void)
{
	struct nfsec_selector flow = {
		.family = AF_INET6, .src = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 5 },
		.src_prefix = 128, .dst = { 0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 7 },
		.dst_prefix = 128, .proto = 6, .sport_min = 40000, .sport_max = 40000,
		.dport_min = 443, .dport_max = 443,
	};

	return flow;
}

/* ACQUIRE for the policy p and flow; without_prefixes leaves their lengths out. */
static struct nl_msg *acquire_event(struct nfsec_policy p, struct nfsec_selector flow,
				    bool without_prefixes)
{
	struct nl_msg *msg = event_new(NFSEC_CMD_ACQUIRE);
	int len = flow.family == AF_INET ? 4 : 16;
	struct nlattr *nest;

	put_policy(msg, &p, (struct spoil){ 0 });
	if (!without_prefixes) {
		put_selector_nest(msg, NFSEC_A_FLOW, &flow);
		return msg;
	}
	nest = nla_nest_start(msg, NFSEC_A_FLOW | NLA_F_NESTED);
	assert_int_equal(nla_put_u16(msg, NFSEC_SEL_A_FAMILY, flow.family), 0);
	assert_int_equal(nla_put(msg, NFSEC_SEL_A_SRC, len, flow.src), 0);
	assert_int_equal(nla_put(msg, NFSEC_SEL_A_DST, len, flow.dst), 0);
	assert_int_equal(nla_put_u8(msg, NFSEC_SEL_A_PROTO, flow.proto), 0);
	assert_int_equal(nla_put_u16(msg, NFSEC_SEL_A_SPORT_MIN, flow.sport_min), 0);
	assert_int_equal(nla_put_u16(msg, NFSEC_SEL_A_SPORT_MAX, flow.sport_max), 0);
	assert_int_equal(nla_put_u16(msg, NFSEC_SEL_A_DPORT_MIN, flow.dport_min), 0);
	assert_int_equal(nla_put_u16(msg, NFSEC_SEL_A_DPORT_MAX, flow.dport_max), 0);
	assert_int_equal(nla_nest_end(msg, nest), 0);
	return msg;
}

/* --- one event message ---------------------------------------------------------------- */

/* Parses msg (freed) into *ev, filled with SENTINEL first; returns the result. */
static int parse_event(struct nfsec_handle *h, struct nl_msg *msg, struct nfsec_event *ev)
{
	int ret;

	memset(ev, SENTINEL, sizeof(*ev));
	ret = nfsec_event_parse(h, nlmsg_hdr(msg), ev);
	nlmsg_free(msg);
	return ret;
}

static void test_event_policy(void **state)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct nfsec_policy v4 = sample_v4(), v6 = sample_v6();
	struct nfsec_event ev;

	(void)state;
	assert_int_equal(parse_event(&h, policy_event(NFSEC_CMD_POLICY_NEW, v4,
						      (struct spoil){ 0 }), &ev), 1);
	assert_int_equal(ev.cmd, NFSEC_CMD_POLICY_NEW);
	assert_true(ev.has_policy);
	expect_policy(&ev.policy, &v4);
	assert_int_equal(ev.dir, NFSEC_POLICY_DIR_OUT);

	assert_int_equal(parse_event(&h, policy_event(NFSEC_CMD_POLICY_DEL, v6,
						      (struct spoil){ 0 }), &ev), 1);
	assert_int_equal(ev.cmd, NFSEC_CMD_POLICY_DEL);
	assert_true(ev.has_policy);
	expect_policy(&ev.policy, &v6);
	assert_int_equal(ev.dir, NFSEC_POLICY_DIR_FWD);
}

static void test_event_flush(void **state)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct nfsec_event ev;

	(void)state;
	assert_int_equal(parse_event(&h, flush_event(-1), &ev), 1);
	assert_int_equal(ev.cmd, NFSEC_CMD_POLICY_FLUSH);
	assert_false(ev.has_policy);
	assert_int_equal(ev.dir, -1);

	for (int dir = 0; dir <= NFSEC_POLICY_DIR_MAX; dir++) {
		assert_int_equal(parse_event(&h, flush_event(dir), &ev), 1);
		assert_int_equal(ev.cmd, NFSEC_CMD_POLICY_FLUSH);
		assert_false(ev.has_policy);
		assert_int_equal(ev.dir, dir);
	}
}

static void test_event_sa(void **state)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct nfsec_sa out = sample_sa_out(), in = sample_sa_in();
	struct nfsec_event ev;

	(void)state;
	assert_int_equal(parse_event(&h, sa_event(NFSEC_CMD_SA_NEW, out, (struct sa_spoil){ 0 },
						  false), &ev), 1);
	assert_int_equal(ev.cmd, NFSEC_CMD_SA_NEW);
	assert_true(ev.has_sa);
	assert_false(ev.has_policy);
	assert_int_equal(ev.dir, -1);
	expect_sa(&ev.sa, &out);

	assert_int_equal(parse_event(&h, sa_event(NFSEC_CMD_SA_DEL, in,
						  (struct sa_spoil){ .pad = true, .newer = true },
						  false), &ev), 1);
	assert_int_equal(ev.cmd, NFSEC_CMD_SA_DEL);
	assert_true(ev.has_sa);
	expect_sa(&ev.sa, &in);

	assert_int_equal(parse_event(&h, event_new(NFSEC_CMD_SA_FLUSH), &ev), 1);
	assert_int_equal(ev.cmd, NFSEC_CMD_SA_FLUSH);
	assert_false(ev.has_sa);
	assert_false(ev.has_policy);
	assert_int_equal(ev.dir, -1);
}

static void test_event_acquire(void **state)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct nfsec_policy p = sample_tunnel();
	struct nfsec_selector flow = sample_flow();
	struct nfsec_event ev;

	(void)state;
	assert_int_equal(parse_event(&h, acquire_event(p, flow, false), &ev), 1);
	assert_int_equal(ev.cmd, NFSEC_CMD_ACQUIRE);
	assert_true(ev.has_policy);
	assert_false(ev.has_sa);
	expect_policy(&ev.policy, &p);
	assert_int_equal(ev.dir, NFSEC_POLICY_DIR_OUT);
	{
		struct nfsec_policy got = { .sel = ev.flow }, want = { .sel = flow };

		expect_policy(&got, &want);
	}

	/* without the prefix lengths, the addresses are whole */
	flow.family = AF_INET;
	memset(flow.src, 0, sizeof(flow.src));
	memset(flow.dst, 0, sizeof(flow.dst));
	memcpy(flow.src, (uint8_t[]){ 10, 0, 1, 1 }, 4);
	memcpy(flow.dst, (uint8_t[]){ 10, 0, 2, 1 }, 4);
	assert_int_equal(parse_event(&h, acquire_event(p, flow, true), &ev), 1);
	assert_int_equal(ev.flow.family, AF_INET);
	assert_int_equal(ev.flow.src_prefix, 32);
	assert_int_equal(ev.flow.dst_prefix, 32);
	assert_memory_equal(ev.flow.dst, flow.dst, 16);
	assert_int_equal(ev.flow.dport_min, 443);
}

static void test_event_expire(void **state)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct nfsec_sa sa = sample_sa_out();
	struct nfsec_event ev;

	(void)state;
	assert_int_equal(parse_event(&h, sa_event(NFSEC_CMD_EXPIRE, sa, (struct sa_spoil){ 0 },
						  false), &ev), 1);
	assert_int_equal(ev.cmd, NFSEC_CMD_EXPIRE);
	assert_true(ev.has_sa);
	assert_false(ev.hard);
	expect_sa(&ev.sa, &sa);
	assert_int_equal(parse_event(&h, sa_event(NFSEC_CMD_EXPIRE, sa, (struct sa_spoil){ 0 },
						  true), &ev), 1);
	assert_true(ev.hard);
	expect_sa(&ev.sa, &sa);
	/* the flag means nothing on other events */
	assert_int_equal(parse_event(&h, sa_event(NFSEC_CMD_SA_DEL, sa, (struct sa_spoil){ 0 },
						  true), &ev), 1);
	assert_false(ev.hard);
}

/* An inbound IPv4 SA with encapsulation, 203.0.113.9 port 4500 -> 192.0.2.1 port 4500. */
static struct nfsec_sa sample_sa_natt(void)
{
	struct nfsec_sa sa = sample_sa_out();

	sa.spi = 0x2000;
	sa.dir = NFSEC_SA_DIR_IN;
	memcpy(sa.src, (uint8_t[]){ 203, 0, 113, 9 }, 4);
	memcpy(sa.dst, (uint8_t[]){ 192, 0, 2, 1 }, 4);
	sa.encap = true;
	sa.encap_sport = 4500;
	sa.encap_dport = 4500;
	return sa;
}

/* MAPPING for sa from addr (4 bytes) and port; without_nest leaves NFSEC_A_MAPPING out. */
static struct nl_msg *mapping_event(struct nfsec_sa sa, const uint8_t *addr, int addr_len,
				    uint16_t port, bool without_nest)
{
	struct nl_msg *msg = event_new(NFSEC_CMD_MAPPING);
	struct nlattr *nest;

	put_sa(msg, &sa, (struct sa_spoil){ 0 });
	if (without_nest)
		return msg;
	nest = nla_nest_start(msg, NFSEC_A_MAPPING | NLA_F_NESTED);
	assert_non_null(nest);
	if (addr_len)
		assert_int_equal(nla_put(msg, NFSEC_MAPPING_A_ADDR, addr_len, addr), 0);
	assert_int_equal(nla_put_u16(msg, NFSEC_MAPPING_A_PORT, port), 0);
	assert_int_equal(nla_nest_end(msg, nest), 0);
	return msg;
}

/* A newer module may append attributes at any level: they are skipped. */
static void test_event_newer_attributes(void **state)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct nfsec_policy v6 = sample_v6();
	struct nfsec_event ev;
	struct nl_msg *msg;
	struct nlattr *nest;

	(void)state;
	assert_int_equal(parse_event(&h, policy_event(NFSEC_CMD_POLICY_NEW, v6,
						      (struct spoil){ .newer = true }), &ev), 1);
	expect_policy(&ev.policy, &v6);

	msg = event_new(NFSEC_CMD_POLICY_FLUSH);
	assert_int_equal(nla_put_u32(msg, NFSEC_A_MAX + 1, 1), 0);
	nest = nla_nest_start(msg, NFSEC_A_POLICY | NLA_F_NESTED);
	assert_int_equal(nla_put_u8(msg, NFSEC_POLICY_A_DIR, NFSEC_POLICY_DIR_IN), 0);
	assert_int_equal(nla_put_u32(msg, NFSEC_POLICY_A_MAX + 1, 1), 0);
	assert_int_equal(nla_nest_end(msg, nest), 0);
	assert_int_equal(parse_event(&h, msg, &ev), 1);
	assert_int_equal(ev.dir, NFSEC_POLICY_DIR_IN);
}

/*
 * Commands this version defines no event for, from a newer module, are skipped whatever
 * they carry; so are the request-only commands, which are no events.
 */
static void test_event_unknown_command(void **state)
{
	static const uint8_t cmds[] = {
		NFSEC_CMD_UNSPEC, NFSEC_CMD_GET_VERSION, NFSEC_CMD_POLICY_GET,
		NFSEC_CMD_SA_GET, NFSEC_CMD_STATS_GET, NFSEC_CMD_MAX + 1, 200, 255,
	};
	struct nfsec_handle h = { .family = FAMILY };
	struct nfsec_event ev, untouched;

	(void)state;
	memset(&untouched, SENTINEL, sizeof(untouched));
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		struct nl_msg *msg = event_new(cmds[i]);

		/* an NFSEC_A_POLICY no policy decoder would take */
		assert_int_equal(nla_put_u8(msg, NFSEC_A_POLICY, 1), 0);
		assert_int_equal(parse_event(&h, msg, &ev), 0);
		assert_memory_equal(&ev, &untouched, sizeof(ev));
	}
}

/* Refused with the handle's message naming the event and the fault; *ev untouched. */
static void event_fails(struct nl_msg *msg, const char *want)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct nfsec_event ev, untouched;

	memset(&untouched, SENTINEL, sizeof(untouched));
	assert_int_equal(parse_event(&h, msg, &ev), -EBADMSG);
	assert_memory_equal(&ev, &untouched, sizeof(ev));
	assert_string_equal(nfsec_error(&h), want);
}

static void test_event_malformed_policy(void **state)
{
	struct nfsec_policy p = sample_v4();
	struct nl_msg *msg;

	(void)state;
	event_fails(event_new(NFSEC_CMD_POLICY_NEW),
		    "policy add event: reply lacks NFSEC_A_POLICY");
	event_fails(event_new(NFSEC_CMD_POLICY_DEL),
		    "policy delete event: reply lacks NFSEC_A_POLICY");
	/* a deleted policy is stated in full too, not by its index alone */
	event_fails(policy_event(NFSEC_CMD_POLICY_DEL, p,
				 (struct spoil){ .drop = NFSEC_POLICY_A_SELECTOR }),
		    "policy delete event: reply lacks NFSEC_POLICY_A_SELECTOR");
	event_fails(policy_event(NFSEC_CMD_POLICY_NEW, p,
				 (struct spoil){ .drop = NFSEC_POLICY_A_INDEX }),
		    "policy add event: reply lacks NFSEC_POLICY_A_INDEX");
	p.dir = NFSEC_POLICY_DIR_MAX + 1;
	event_fails(policy_event(NFSEC_CMD_POLICY_NEW, p, (struct spoil){ 0 }),
		    "policy add event: reply has direction 3, unknown here");
	p = sample_v4();
	p.sel.dport_min = 444;
	event_fails(policy_event(NFSEC_CMD_POLICY_DEL, p, (struct spoil){ 0 }),
		    "policy delete event: reply has NFSEC_SEL_A_DPORT_MIN 444 above "
		    "NFSEC_SEL_A_DPORT_MAX 443");

	/* NFSEC_A_POLICY twice */
	msg = policy_event(NFSEC_CMD_POLICY_NEW, sample_v4(), (struct spoil){ 0 });
	put_policy(msg, &p, (struct spoil){ 0 });
	event_fails(msg, "policy add event: malformed reply: attribute 5 appears twice");

	/* shorter than a genl header */
	msg = nlmsg_alloc_simple(FAMILY, 0);
	assert_non_null(msg);
	assert_non_null(nlmsg_reserve(msg, 2, 1));
	event_fails(msg, "monitor: event shorter than its genl header");
}

static void test_event_malformed_sa(void **state)
{
	struct nfsec_policy p = sample_tunnel();
	struct nfsec_selector flow = sample_flow();
	struct nfsec_sa sa = sample_sa_out();
	struct nl_msg *msg;
	struct nlattr *nest;

	(void)state;
	event_fails(event_new(NFSEC_CMD_SA_NEW), "SA add event: reply lacks NFSEC_A_SA");
	event_fails(event_new(NFSEC_CMD_EXPIRE), "expire event: reply lacks NFSEC_A_SA");
	event_fails(sa_event(NFSEC_CMD_SA_DEL, sa, (struct sa_spoil){ .key = true }, false),
		    "SA delete event: reply has NFSEC_ALG_A_KEY in NFSEC_SA_A_AEAD: keys are "
		    "never given back");
	event_fails(sa_event(NFSEC_CMD_EXPIRE, sa, (struct sa_spoil){ .drop = NFSEC_SA_A_SEQ },
			     true), "expire event: reply lacks NFSEC_SA_A_SEQ");

	msg = event_new(NFSEC_CMD_ACQUIRE);
	put_policy(msg, &p, (struct spoil){ 0 });
	event_fails(msg, "acquire event: reply lacks NFSEC_A_FLOW");
	msg = event_new(NFSEC_CMD_ACQUIRE);
	put_selector_nest(msg, NFSEC_A_FLOW, &flow);
	event_fails(msg, "acquire event: reply lacks NFSEC_A_POLICY");
	p.has_tmpl = false;
	event_fails(acquire_event(p, flow, false),
		    "acquire event: reply lacks NFSEC_POLICY_A_TMPL for a protect policy");
	p = sample_tunnel();
	flow.sport_min = 40001;
	event_fails(acquire_event(p, flow, true), "acquire event: reply has "
		    "NFSEC_SEL_A_SPORT_MIN 40001 above NFSEC_SEL_A_SPORT_MAX 40000");
	msg = event_new(NFSEC_CMD_ACQUIRE);
	put_policy(msg, &p, (struct spoil){ 0 });
	nest = nla_nest_start(msg, NFSEC_A_FLOW | NLA_F_NESTED);
	assert_int_equal(nla_put_u16(msg, NFSEC_SEL_A_FAMILY, AF_INET6), 0);
	assert_int_equal(nla_nest_end(msg, nest), 0);
	event_fails(msg, "acquire event: reply lacks NFSEC_SEL_A_SRC");
}

static void test_event_mapping(void **state)
{
	static const uint8_t moved[4] = { 203, 0, 113, 9 }, v6[16] = { 0x20, 0x01 };
	struct nfsec_handle h = { .family = FAMILY };
	struct nfsec_sa sa = sample_sa_natt();
	struct nfsec_event ev;

	(void)state;
	assert_int_equal(parse_event(&h, mapping_event(sa, moved, 4, 1025, false), &ev), 1);
	assert_int_equal(ev.cmd, NFSEC_CMD_MAPPING);
	assert_true(ev.has_sa);
	expect_sa(&ev.sa, &sa);
	assert_memory_equal(ev.mapping_addr, moved, 4);
	assert_int_equal(ev.mapping_port, 1025);
	/* SA_SET carries the SA alone */
	assert_int_equal(parse_event(&h, sa_event(NFSEC_CMD_SA_SET, sa, (struct sa_spoil){ 0 },
						  false), &ev), 1);
	assert_int_equal(ev.cmd, NFSEC_CMD_SA_SET);
	expect_sa(&ev.sa, &sa);

	event_fails(mapping_event(sa, moved, 4, 1025, true),
		    "mapping event: reply lacks NFSEC_A_MAPPING");
	event_fails(mapping_event(sa, moved, 0, 1025, false),
		    "mapping event: reply lacks NFSEC_MAPPING_A_ADDR");
	event_fails(mapping_event(sa, moved, 4, 0, false),
		    "mapping event: NFSEC_MAPPING_A_PORT is 0");
	event_fails(mapping_event(sa, v6, 16, 1025, false),
		    "mapping event: reply has a 16-byte NFSEC_MAPPING_A_ADDR for AF_INET");
}

static void test_event_malformed_flush(void **state)
{
	struct nl_msg *msg;
	struct nlattr *nest;

	(void)state;
	event_fails(flush_event(NFSEC_POLICY_DIR_MAX + 1),
		    "policy flush event: reply has direction 3, unknown here");

	/* an empty nest (nla_nest_end() would drop it) */
	msg = event_new(NFSEC_CMD_POLICY_FLUSH);
	assert_int_equal(nla_put(msg, NFSEC_A_POLICY | NLA_F_NESTED, 0, NULL), 0);
	event_fails(msg, "policy flush event: reply lacks NFSEC_POLICY_A_DIR");

	/* a nest with something else in it */
	msg = event_new(NFSEC_CMD_POLICY_FLUSH);
	nest = nla_nest_start(msg, NFSEC_A_POLICY | NLA_F_NESTED);
	assert_int_equal(nla_put_u32(msg, NFSEC_POLICY_A_INDEX, 3), 0);
	assert_int_equal(nla_nest_end(msg, nest), 0);
	event_fails(msg, "policy flush event: reply lacks NFSEC_POLICY_A_DIR");

	msg = event_new(NFSEC_CMD_POLICY_FLUSH);
	nest = nla_nest_start(msg, NFSEC_A_POLICY | NLA_F_NESTED);
	assert_int_equal(nla_put_u32(msg, NFSEC_POLICY_A_DIR, NFSEC_POLICY_DIR_IN), 0);
	assert_int_equal(nla_nest_end(msg, nest), 0);
	event_fails(msg, "policy flush event: malformed reply: attribute 2 in NFSEC_A_POLICY: "
			 "Input data out of range");

	/* a u32 where the nest should be: 4 bytes that are no attribute */
	msg = event_new(NFSEC_CMD_POLICY_FLUSH);
	assert_int_equal(nla_put_u32(msg, NFSEC_A_POLICY, 1), 0);
	event_fails(msg, "policy flush event: malformed reply: 4 stray bytes at the end of "
			 "NFSEC_A_POLICY");
}

/* --- a datagram of messages ----------------------------------------------------------- */

struct datagram {
	union {
		struct nlmsghdr nlh;
		uint8_t bytes[8192];
	} buf;
	size_t len;
};

/* Appends msg (freed), aligned as the kernel packs messages. */
static void append(struct datagram *d, struct nl_msg *msg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	size_t len = NLMSG_ALIGN(nlh->nlmsg_len);

	assert_true(d->len + len <= sizeof(d->buf));
	memset(d->buf.bytes + d->len, 0, len);
	memcpy(d->buf.bytes + d->len, nlh, nlh->nlmsg_len);
	d->len += len;
	nlmsg_free(msg);
}

struct recorded {
	unsigned int calls;
	struct nfsec_event ev[8];
	unsigned int fail_at;	/* return -EINTR at this call (1-based), 0: never */
};

static int record(const struct nfsec_event *ev, void *arg)
{
	struct recorded *r = arg;

	assert_true(r->calls < 8);
	r->ev[r->calls++] = *ev;
	return r->calls == r->fail_at ? -EINTR : 0;
}

static int feed(struct nfsec_handle *h, struct datagram *d, struct recorded *r)
{
	return nfsec_events_feed(h, &d->buf, d->len, record, r);
}

/* Every event in order; control messages and unknown commands between them skipped. */
static void test_feed(void **state)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct nfsec_policy v4 = sample_v4(), v6 = sample_v6();
	static struct datagram d;
	struct recorded r = { 0 };
	struct nl_msg *noop;

	(void)state;
	d.len = 0;
	append(&d, event_new(NFSEC_CMD_MAX + 1));
	append(&d, policy_event(NFSEC_CMD_POLICY_NEW, v4, (struct spoil){ 0 }));
	noop = nlmsg_alloc_simple(NLMSG_NOOP, 0);
	assert_non_null(noop);
	append(&d, noop);
	append(&d, policy_event(NFSEC_CMD_POLICY_DEL, v6, (struct spoil){ 0 }));
	append(&d, flush_event(-1));
	append(&d, event_new(99));
	append(&d, flush_event(NFSEC_POLICY_DIR_IN));
	append(&d, sa_event(NFSEC_CMD_EXPIRE, sample_sa_in(), (struct sa_spoil){ 0 }, true));
	append(&d, event_new(NFSEC_CMD_SA_FLUSH));

	assert_int_equal(feed(&h, &d, &r), 0);
	assert_int_equal(r.calls, 6);
	assert_int_equal(r.ev[4].cmd, NFSEC_CMD_EXPIRE);
	assert_true(r.ev[4].hard);
	assert_int_equal(r.ev[4].sa.spi, 0xfffffffe);
	assert_int_equal(r.ev[5].cmd, NFSEC_CMD_SA_FLUSH);
	assert_int_equal(r.ev[0].cmd, NFSEC_CMD_POLICY_NEW);
	expect_policy(&r.ev[0].policy, &v4);
	assert_int_equal(r.ev[1].cmd, NFSEC_CMD_POLICY_DEL);
	expect_policy(&r.ev[1].policy, &v6);
	assert_int_equal(r.ev[2].cmd, NFSEC_CMD_POLICY_FLUSH);
	assert_int_equal(r.ev[2].dir, -1);
	assert_int_equal(r.ev[3].cmd, NFSEC_CMD_POLICY_FLUSH);
	assert_int_equal(r.ev[3].dir, NFSEC_POLICY_DIR_IN);

	/* nothing at all is no error */
	d.len = 0;
	r.calls = 0;
	assert_int_equal(feed(&h, &d, &r), 0);
	assert_int_equal(r.calls, 0);
}

/* The events before a fault are delivered, none after it. */
static void test_feed_errors(void **state)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct nfsec_policy v4 = sample_v4();
	static struct datagram d;
	struct recorded r = { 0 };
	struct nl_msg *other;

	(void)state;
	d.len = 0;
	append(&d, flush_event(-1));
	append(&d, policy_event(NFSEC_CMD_POLICY_NEW, v4, (struct spoil){ .drop = 1 }));
	append(&d, flush_event(-1));
	assert_int_equal(feed(&h, &d, &r), -EBADMSG);
	assert_string_equal(nfsec_error(&h), "policy add event: reply lacks NFSEC_POLICY_A_INDEX");
	assert_int_equal(r.calls, 1);

	d.len = 0;
	r.calls = 0;
	append(&d, flush_event(-1));
	other = nlmsg_alloc_simple(GENL_ID_CTRL, 0);
	assert_non_null(other);
	append(&d, other);
	append(&d, flush_event(-1));
	assert_int_equal(feed(&h, &d, &r), -EBADMSG);
	assert_string_equal(nfsec_error(&h), "monitor: message of netlink type 16, expected 66");
	assert_int_equal(r.calls, 1);

	d.len = 0;
	r.calls = 0;
	append(&d, flush_event(-1));
	memset(d.buf.bytes + d.len, 0, 4);
	d.len += 4;
	assert_int_equal(feed(&h, &d, &r), -EBADMSG);
	assert_string_equal(nfsec_error(&h), "monitor: 4 stray bytes after the last message");
	assert_int_equal(r.calls, 1);

	/* the callback's errno ends the reading, and says who stopped it */
	d.len = 0;
	r = (struct recorded){ .fail_at = 2 };
	append(&d, flush_event(-1));
	append(&d, flush_event(NFSEC_POLICY_DIR_OUT));
	append(&d, flush_event(NFSEC_POLICY_DIR_IN));
	assert_int_equal(feed(&h, &d, &r), -EINTR);
	assert_string_equal(nfsec_error(&h),
			    "monitor: stopped by the caller: Interrupted system call");
	assert_int_equal(r.calls, 2);
}

/* --- the event socket ----------------------------------------------------------------- */

static int never_called(const struct nfsec_event *ev, void *arg)
{
	(void)ev;
	(void)arg;
	fail_msg("an event reached the callback");
	return 0;
}

static void test_not_subscribed(void **state)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct nfsec_handle closed = { .family = 0 };
	const char *want = "monitor: not subscribed to events (call nfsec_monitor_open() first)";

	(void)state;
	assert_int_equal(nfsec_monitor_fd(&h), -ENOTCONN);
	assert_string_equal(nfsec_error(&h), want);
	h.errmsg[0] = '\0';
	assert_int_equal(nfsec_monitor_read(&h, never_called, NULL), -ENOTCONN);
	assert_string_equal(nfsec_error(&h), want);
	assert_int_equal(nfsec_monitor_open(&closed), -ENOTCONN);
	assert_string_equal(nfsec_error(&closed), "monitor: the handle is not open");
	assert_null(closed.mon);
}

/* A handle whose request socket is connected, speaking to nlctrl; NULL: skip. */
static struct nfsec_handle *nlctrl_handle(void)
{
	struct nfsec_handle *h;
	int ret = nfsec_open(&h);

	/* -ENOENT: no nfsec module, but the socket is connected, which is all we need */
	if (ret && ret != -ENOENT) {
		nfsec_close(h);
		return NULL;
	}
	h->family = GENL_ID_CTRL;
	return h;
}

static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

/* The real thing, on nlctrl's group "notify", which no test can make speak. */
static void test_join(void **state)
{
	struct nfsec_handle *h = nlctrl_handle();
	struct nfsec_version ver;
	int fd;

	(void)state;
	if (!h)
		skip();
	assert_int_equal(nfsec_monitor_join(h, "nlctrl", "notify"), 0);
	assert_non_null(h->mon);
	fd = nfsec_monitor_fd(h);
	assert_true(fd >= 0);
	assert_true(fd != nl_socket_get_fd(h->sk));
	/* nothing queued: back at once */
	assert_int_equal(nfsec_monitor_read(h, never_called, NULL), 0);
	/* again is a no-op */
	assert_int_equal(nfsec_monitor_join(h, "nlctrl", "notify"), 0);
	assert_int_equal(nfsec_monitor_fd(h), fd);
	/* the request socket still works: nlctrl refuses command 1 (GET_VERSION) */
	assert_int_equal(nfsec_get_version(h, &ver), -EOPNOTSUPP);
	nfsec_close(h);

	h = nlctrl_handle();
	assert_non_null(h);
	assert_int_equal(nfsec_monitor_join(h, "nlctrl", "nosuch"), -ENOENT);
	assert_string_equal(nfsec_error(h), "monitor: the generic netlink family \"nlctrl\" has "
					    "no multicast group \"nosuch\"");
	assert_null(h->mon);
	assert_int_equal(nfsec_monitor_fd(h), -ENOTCONN);
	nfsec_close(h);
}

/*
 * A handle whose event socket is a NETLINK_USERSOCK member of group 1, and a socket to
 * send to that group from; false: skip (joining takes CAP_NET_ADMIN on recent kernels).
 */
struct usersock {
	struct nfsec_handle h;
	int sender;
};

static bool usersock_open(struct usersock *u)
{
	struct sockaddr_nl self = { .nl_family = AF_NETLINK };

	memset(u, 0, sizeof(*u));
	u->h.family = FAMILY;
	u->sender = -1;
	u->h.mon = nl_socket_alloc();
	if (!u->h.mon || nl_connect(u->h.mon, NETLINK_USERSOCK) < 0 ||
	    nl_socket_add_membership(u->h.mon, 1) < 0)
		goto err;
	u->sender = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_USERSOCK);
	if (u->sender < 0 || bind(u->sender, (struct sockaddr *)&self, sizeof(self)) < 0)
		goto err;
	return true;
err:
	if (u->sender >= 0)
		close(u->sender);
	nl_socket_free(u->h.mon);
	return false;
}

static void usersock_close(struct usersock *u)
{
	close(u->sender);
	nl_socket_free(u->h.mon);
}

/* msg (freed) to group 1. */
static void multicast(struct usersock *u, struct nl_msg *msg)
{
	struct sockaddr_nl group = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	/* the kernel also unicasts to port 0, where no one listens: ECONNREFUSED */
	sendto(u->sender, nlh, nlh->nlmsg_len, 0, (struct sockaddr *)&group, sizeof(group));
	nlmsg_free(msg);
}

/* Only the kernel speaks for nfsec: an event from a process is read and dropped. */
static void test_read_ignores_processes(void **state)
{
	struct usersock u;
	int fd;

	(void)state;
	if (!usersock_open(&u))
		skip();
	fd = nfsec_monitor_fd(&u.h);
	multicast(&u, policy_event(NFSEC_CMD_POLICY_NEW, sample_v4(), (struct spoil){ 0 }));
	multicast(&u, flush_event(-1));
	assert_true(readable(fd));
	assert_int_equal(nfsec_monitor_read(&u.h, never_called, NULL), 0);
	assert_false(readable(fd));
	usersock_close(&u);
}

/* Events the kernel had to drop are an error of their own, once; reading then goes on. */
static void test_read_overrun(void **state)
{
	struct usersock u;
	int fd, tiny = 1;
	uint8_t pad[1024] = { 0 };

	(void)state;
	if (!usersock_open(&u))
		skip();
	fd = nfsec_monitor_fd(&u.h);
	/* the kernel raises it to its minimum, a few kilobytes */
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &tiny, sizeof(tiny)), 0);
	for (int i = 0; i < 64; i++) {
		struct nl_msg *msg = flush_event(-1);

		assert_int_equal(nla_put(msg, NFSEC_A_MAX + 1, sizeof(pad), pad), 0);
		multicast(&u, msg);
	}
	assert_int_equal(nfsec_monitor_read(&u.h, never_called, NULL), -ENOBUFS);
	assert_string_equal(nfsec_error(&u.h),
			    "monitor: events were lost: the receive buffer overflowed");
	/* what did fit is still queued, and read */
	assert_true(readable(fd));
	assert_int_equal(nfsec_monitor_read(&u.h, never_called, NULL), 0);
	assert_false(readable(fd));
	assert_int_equal(nfsec_monitor_read(&u.h, never_called, NULL), 0);
	usersock_close(&u);
}

/* --- nfsec monitor: the lines --------------------------------------------------------- */

static char *print(bool json, const struct nfsec_event *ev, int want_ret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(monitor_print(f, json, ev), want_ret);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void prints(bool json, const struct nfsec_event *ev, const char *want)
{
	char *got = print(json, ev, 0);

	assert_string_equal(got, want);
	free(got);
}

static struct nfsec_event policy_ev(uint8_t cmd, struct nfsec_policy p)
{
	return (struct nfsec_event){ .cmd = cmd, .has_policy = true, .policy = p, .dir = p.dir };
}

static struct nfsec_event flush_ev(int dir)
{
	return (struct nfsec_event){ .cmd = NFSEC_CMD_POLICY_FLUSH, .dir = dir };
}

static void test_print_text(void **state)
{
	struct nfsec_event ev;

	(void)state;
	ev = policy_ev(NFSEC_CMD_POLICY_NEW, sample_v4());
	prints(false, &ev, "policy add index 3 dir out priority 10 action bypass "
			   "src 10.0.0.0/24 dst 0.0.0.0/0 proto tcp dport 443\n");
	ev = policy_ev(NFSEC_CMD_POLICY_DEL, sample_v4());
	prints(false, &ev, "policy del index 3 dir out priority 10 action bypass "
			   "src 10.0.0.0/24 dst 0.0.0.0/0 proto tcp dport 443\n");
	ev = policy_ev(NFSEC_CMD_POLICY_NEW, sample_v6());
	prints(false, &ev, "policy add index 4294967295 dir fwd priority 0 action discard "
			   "src ::/0 dst 2001:db8::/32\n");
	ev = flush_ev(-1);
	prints(false, &ev, "policy flush\n");
	ev = flush_ev(NFSEC_POLICY_DIR_OUT);
	prints(false, &ev, "policy flush dir out\n");
	ev = flush_ev(NFSEC_POLICY_DIR_IN);
	prints(false, &ev, "policy flush dir in\n");
	ev = flush_ev(NFSEC_POLICY_DIR_FWD);
	prints(false, &ev, "policy flush dir fwd\n");
}

static void test_print_json(void **state)
{
	static const char v4_json[] =
		"{\"index\":3,\"dir\":\"out\",\"priority\":10,\"action\":\"bypass\","
		"\"family\":\"inet\",\"src\":\"10.0.0.0/24\",\"dst\":\"0.0.0.0/0\",\"proto\":6,"
		"\"sport\":[0,65535],\"dport\":[443,443]}";
	struct nfsec_event ev;
	char want[512];

	(void)state;
	ev = policy_ev(NFSEC_CMD_POLICY_NEW, sample_v4());
	snprintf(want, sizeof(want), "{\"event\":\"policy-add\",\"policy\":%s}\n", v4_json);
	prints(true, &ev, want);
	ev = policy_ev(NFSEC_CMD_POLICY_DEL, sample_v4());
	snprintf(want, sizeof(want), "{\"event\":\"policy-del\",\"policy\":%s}\n", v4_json);
	prints(true, &ev, want);
	ev = policy_ev(NFSEC_CMD_POLICY_DEL, sample_v6());
	prints(true, &ev, "{\"event\":\"policy-del\",\"policy\":{\"index\":4294967295,"
			  "\"dir\":\"fwd\",\"priority\":0,\"action\":\"discard\","
			  "\"family\":\"inet6\",\"src\":\"::/0\",\"dst\":\"2001:db8::/32\","
			  "\"proto\":0,\"sport\":[0,65535],\"dport\":[0,65535]}}\n");
	ev = flush_ev(-1);
	prints(true, &ev, "{\"event\":\"policy-flush\"}\n");
	ev = flush_ev(NFSEC_POLICY_DIR_IN);
	prints(true, &ev, "{\"event\":\"policy-flush\",\"dir\":\"in\"}\n");
	ev = flush_ev(NFSEC_POLICY_DIR_FWD);
	prints(true, &ev, "{\"event\":\"policy-flush\",\"dir\":\"fwd\"}\n");
}

static struct nfsec_event sa_ev(uint8_t cmd, struct nfsec_sa sa, bool hard)
{
	return (struct nfsec_event){ .cmd = cmd, .has_sa = true, .sa = sa, .dir = -1,
				     .hard = hard };
}

static struct nfsec_event acquire_ev(struct nfsec_policy p, struct nfsec_selector flow)
{
	return (struct nfsec_event){ .cmd = NFSEC_CMD_ACQUIRE, .has_policy = true, .policy = p,
				     .dir = p.dir, .flow = flow };
}

static const char sa_out_line[] =
	"spi 0x1000 dir out src 10.0.0.1 dst 10.0.0.2 proto esp mode tunnel reqid 1 "
	"aead rfc4106(gcm(aes)) icv 128 replay-window 64 seq 12 bytes 3400 packets 12 age 5s "
	"drop-replay 3 drop-auth-fail 1\n";

static void test_print_sa_text(void **state)
{
	struct nfsec_event ev;
	char want[512];

	(void)state;
	ev = sa_ev(NFSEC_CMD_SA_NEW, sample_sa_out(), false);
	snprintf(want, sizeof(want), "sa add %s", sa_out_line);
	prints(false, &ev, want);
	ev = sa_ev(NFSEC_CMD_SA_DEL, sample_sa_out(), false);
	snprintf(want, sizeof(want), "sa del %s", sa_out_line);
	prints(false, &ev, want);
	ev = (struct nfsec_event){ .cmd = NFSEC_CMD_SA_FLUSH, .dir = -1 };
	prints(false, &ev, "sa flush\n");
	ev = sa_ev(NFSEC_CMD_EXPIRE, sample_sa_out(), false);
	prints(false, &ev, "expire soft spi 0x1000 dst 10.0.0.2\n");
	ev = sa_ev(NFSEC_CMD_EXPIRE, sample_sa_in(), true);
	prints(false, &ev, "expire hard spi 0xfffffffe dst 2001:db8::2\n");
}

static void test_print_acquire_text(void **state)
{
	struct nfsec_selector flow = sample_flow();
	struct nfsec_event ev;

	(void)state;
	ev = acquire_ev(sample_tunnel(), flow);
	prints(false, &ev, "acquire policy 4 flow 2001:db8:1::5 -> 2001:db8:2::7 proto tcp "
			   "sport 40000 dport 443\n");
	flow = (struct nfsec_selector){ .family = AF_INET, .src = { 10, 0, 1, 1 },
					.src_prefix = 32, .dst = { 10, 0, 2, 1 },
					.dst_prefix = 32, .proto = 1 };
	ev = acquire_ev(sample_tunnel(), flow);
	prints(false, &ev, "acquire policy 4 flow 10.0.1.1 -> 10.0.2.1 proto icmp\n");
	/* a protocol without a name here may have ports; a shorter prefix is shown */
	flow.proto = 132 + 1;
	flow.sport_max = 65535;
	flow.dst_prefix = 24;
	flow.dst[3] = 0;
	ev = acquire_ev(sample_tunnel(), flow);
	prints(false, &ev, "acquire policy 4 flow 10.0.1.1 -> 10.0.2.0/24 proto 133 "
			   "sport 0-65535 dport 0\n");
}

static void starts_with(const char *got, const char *want)
{
	if (strncmp(got, want, strlen(want)))
		fail_msg("\"%s\" does not start with \"%s\"", got, want);
}

static void test_print_sa_json(void **state)
{
	struct nfsec_event ev;
	char *got;

	(void)state;
	ev = sa_ev(NFSEC_CMD_SA_NEW, sample_sa_out(), false);
	got = print(true, &ev, 0);
	starts_with(got, "{\"event\":\"sa-add\",\"sa\":{\"spi\":4096,\"dir\":\"out\",");
	assert_non_null(strstr(got, "\"age_seconds\":5,\"seconds_left\":null,"
				"\"kilobytes_left\":null,\"drops\":{\"replay\":3,\"auth_fail\":1,"));
	assert_non_null(strstr(got, "\"error\":0}}}\n"));
	assert_null(strstr(got, "key"));
	free(got);
	ev = sa_ev(NFSEC_CMD_SA_DEL, sample_sa_out(), false);
	got = print(true, &ev, 0);
	starts_with(got, "{\"event\":\"sa-del\",\"sa\":{\"spi\":4096,");
	free(got);
	ev = (struct nfsec_event){ .cmd = NFSEC_CMD_SA_FLUSH, .dir = -1 };
	prints(true, &ev, "{\"event\":\"sa-flush\"}\n");
	ev = sa_ev(NFSEC_CMD_EXPIRE, sample_sa_out(), true);
	got = print(true, &ev, 0);
	starts_with(got, "{\"event\":\"expire\",\"hard\":true,\"sa\":{\"spi\":4096,");
	free(got);
	ev = sa_ev(NFSEC_CMD_EXPIRE, sample_sa_out(), false);
	got = print(true, &ev, 0);
	starts_with(got, "{\"event\":\"expire\",\"hard\":false,\"sa\":{");
	free(got);
}

static void test_print_mapping(void **state)
{
	struct nfsec_event ev = sa_ev(NFSEC_CMD_MAPPING, sample_sa_natt(), false);
	char *got;

	(void)state;
	memcpy(ev.mapping_addr, (uint8_t[]){ 203, 0, 113, 9 }, 4);
	ev.mapping_port = 1025;
	prints(false, &ev, "mapping spi 0x2000 dst 192.0.2.1 from 203.0.113.9 port 1025, "
			   "was 203.0.113.9 port 4500\n");
	got = print(true, &ev, 0);
	starts_with(got, "{\"event\":\"mapping\",\"sa\":{\"spi\":8192,");
	assert_non_null(strstr(got, "}},\"mapping\":{\"addr\":\"203.0.113.9\","
				"\"port\":1025}}\n"));
	free(got);
	ev = sa_ev(NFSEC_CMD_SA_SET, sample_sa_natt(), false);
	got = print(false, &ev, 0);
	starts_with(got, "sa set spi 0x2000 dir in src 203.0.113.9 dst 192.0.2.1 ");
	assert_non_null(strstr(got, " encap udp sport 4500 dport 4500 "));
	free(got);
}

static void test_print_acquire_json(void **state)
{
	struct nfsec_event ev = acquire_ev(sample_tunnel(), sample_flow());

	(void)state;
	prints(true, &ev, "{\"event\":\"acquire\",\"policy\":{\"index\":4,\"dir\":\"out\","
			  "\"priority\":20,\"action\":\"protect\",\"family\":\"inet6\","
			  "\"src\":\"2001:db8:1::/48\",\"dst\":\"2001:db8:2::/48\",\"proto\":0,"
			  "\"sport\":[0,65535],\"dport\":[0,65535],\"mode\":\"tunnel\","
			  "\"tmpl_src\":\"192.0.2.1\",\"tmpl_dst\":\"192.0.2.2\",\"reqid\":7},"
			  "\"flow\":{\"family\":\"inet6\",\"src\":\"2001:db8:1::5/128\","
			  "\"dst\":\"2001:db8:2::7/128\",\"proto\":6,\"sport\":[40000,40000],"
			  "\"dport\":[443,443]}}\n");
}

/* libnfsec only hands over events it knows; anything else would print nothing. */
static void test_print_unknown(void **state)
{
	struct nfsec_event ev = { .cmd = NFSEC_CMD_POLICY_GET, .dir = -1 };

	(void)state;
	prints(false, &ev, "");
	prints(true, &ev, "");
}

/* What the kernel gives, decoded and printed, is the line of the same policy. */
static void test_decode_then_print(void **state)
{
	struct nfsec_handle h = { .family = FAMILY };
	struct nfsec_event ev;

	(void)state;
	assert_int_equal(parse_event(&h, policy_event(NFSEC_CMD_POLICY_DEL, sample_v4(),
						      (struct spoil){ 0 }), &ev), 1);
	prints(false, &ev, "policy del index 3 dir out priority 10 action bypass "
			   "src 10.0.0.0/24 dst 0.0.0.0/0 proto tcp dport 443\n");
	assert_int_equal(parse_event(&h, flush_event(NFSEC_POLICY_DIR_IN), &ev), 1);
	prints(false, &ev, "policy flush dir in\n");
	prints(true, &ev, "{\"event\":\"policy-flush\",\"dir\":\"in\"}\n");
	assert_int_equal(parse_event(&h, flush_event(-1), &ev), 1);
	prints(false, &ev, "policy flush\n");
	prints(true, &ev, "{\"event\":\"policy-flush\"}\n");
	assert_int_equal(parse_event(&h, acquire_event(sample_tunnel(), sample_flow(), true),
				     &ev), 1);
	prints(false, &ev, "acquire policy 4 flow 2001:db8:1::5 -> 2001:db8:2::7 proto tcp "
			   "sport 40000 dport 443\n");
	assert_int_equal(parse_event(&h, sa_event(NFSEC_CMD_EXPIRE, sample_sa_out(),
						  (struct sa_spoil){ .pad = true }, true), &ev), 1);
	prints(false, &ev, "expire hard spi 0x1000 dst 10.0.0.2\n");
	assert_int_equal(parse_event(&h, sa_event(NFSEC_CMD_SA_NEW, sample_sa_out(),
						  (struct sa_spoil){ 0 }, false), &ev), 1);
	prints(false, &ev, "sa add spi 0x1000 dir out src 10.0.0.1 dst 10.0.0.2 proto esp "
			   "mode tunnel reqid 1 aead rfc4106(gcm(aes)) icv 128 replay-window 64 "
			   "seq 12 bytes 3400 packets 12 age 5s drop-replay 3 drop-auth-fail 1\n");
}

/* --- nfsec monitor: the command, without netlink --------------------------------------- */

static void test_run_help(void **state)
{
	struct run a = RUN("nfsec", "help", "monitor");
	struct run b = RUN("nfsec", "monitor", "help");
	struct run c = RUN("nfsec", "-h", "mon");
	struct errmsg err = { "" };
	const struct command *cmd = command_find(nfsec_commands, "m", &err);

	(void)state;
	assert_non_null(cmd);
	assert_string_equal(cmd->name, "monitor");
	assert_int_equal(a.status, 0);
	assert_string_equal(a.out, monitor_usage);
	assert_string_equal(a.err, "");
	assert_int_equal(b.status, 0);
	assert_string_equal(b.out, monitor_usage);
	assert_int_equal(c.status, 0);
	assert_string_equal(c.out, monitor_usage);
	run_free(&a);
	run_free(&b);
	run_free(&c);
}

static void test_run_refusals(void **state)
{
	struct run r = RUN("nfsec", "monitor", "policy");

	(void)state;
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "nfsec: monitor takes no arguments (got \"policy\"), "
				   "try \"nfsec help monitor\"\n");
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_policy),
		cmocka_unit_test(test_event_flush),
		cmocka_unit_test(test_event_sa),
		cmocka_unit_test(test_event_acquire),
		cmocka_unit_test(test_event_expire),
		cmocka_unit_test(test_event_mapping),
		cmocka_unit_test(test_event_newer_attributes),
		cmocka_unit_test(test_event_unknown_command),
		cmocka_unit_test(test_event_malformed_policy),
		cmocka_unit_test(test_event_malformed_sa),
		cmocka_unit_test(test_event_malformed_flush),
		cmocka_unit_test(test_feed),
		cmocka_unit_test(test_feed_errors),
		cmocka_unit_test(test_not_subscribed),
		cmocka_unit_test(test_join),
		cmocka_unit_test(test_read_ignores_processes),
		cmocka_unit_test(test_read_overrun),
		cmocka_unit_test(test_print_text),
		cmocka_unit_test(test_print_json),
		cmocka_unit_test(test_print_sa_text),
		cmocka_unit_test(test_print_mapping),
		cmocka_unit_test(test_print_acquire_text),
		cmocka_unit_test(test_print_sa_json),
		cmocka_unit_test(test_print_acquire_json),
		cmocka_unit_test(test_print_unknown),
		cmocka_unit_test(test_decode_then_print),
		cmocka_unit_test(test_run_help),
		cmocka_unit_test(test_run_refusals),
	};

	return cmocka_run_group_tests_name("monitor", tests, NULL, NULL);
}
