// SPDX-License-Identifier: GPL-2.0
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include <netinet/in.h>
#include <netlink/attr.h>

#include "samples.h"

struct nfsec_policy sample_v4(void)
{
	struct nfsec_policy p = {
		.index = 3, .dir = NFSEC_POLICY_DIR_OUT, .action = NFSEC_POLICY_BYPASS,
		.priority = 10,
		.sel = { .family = AF_INET, .src = { 10, 0, 0, 0 }, .src_prefix = 24,
			 .proto = 6, .sport_min = 0, .sport_max = 65535,
			 .dport_min = 443, .dport_max = 443 },
	};

	return p;
}

struct nfsec_policy sample_v6(void)
{
	struct nfsec_policy p = {
		.index = 4294967295u, .dir = NFSEC_POLICY_DIR_FWD,
		.action = NFSEC_POLICY_DISCARD, .priority = 0,
		.sel = { .family = AF_INET6, .src_prefix = 0, .dst_prefix = 32,
			 .dst = { 0x20, 0x01, 0x0d, 0xb8 }, .proto = 0,
			 .sport_min = 0, .sport_max = 65535, .dport_min = 0, .dport_max = 65535 },
	};

	return p;
}

struct nfsec_policy sample_tunnel(void)
{
	struct nfsec_policy p = {
		.index = 4, .dir = NFSEC_POLICY_DIR_OUT, .action = NFSEC_POLICY_PROTECT,
		.priority = 20,
		.sel = { .family = AF_INET6, .src = { 0x20, 0x01, 0x0d, 0xb8, 0, 1 },
			 .src_prefix = 48, .dst = { 0x20, 0x01, 0x0d, 0xb8, 0, 2 },
			 .dst_prefix = 48, .proto = 0, .sport_min = 0, .sport_max = 65535,
			 .dport_min = 0, .dport_max = 65535 },
		.has_tmpl = true,
		.tmpl = { .mode = NFSEC_MODE_TUNNEL, .family = AF_INET,
			  .src = { 192, 0, 2, 1 }, .dst = { 192, 0, 2, 2 }, .reqid = 7 },
	};

	return p;
}

/* Fails the running cmocka test unless every field of @got equals @want's. */
void expect_policy(const struct nfsec_policy *got, const struct nfsec_policy *want)
{
	assert_int_equal(got->index, want->index);
	assert_int_equal(got->dir, want->dir);
	assert_int_equal(got->action, want->action);
	assert_int_equal(got->priority, want->priority);
	assert_int_equal(got->sel.family, want->sel.family);
	assert_memory_equal(got->sel.src, want->sel.src, sizeof(got->sel.src));
	assert_memory_equal(got->sel.dst, want->sel.dst, sizeof(got->sel.dst));
	assert_int_equal(got->sel.src_prefix, want->sel.src_prefix);
	assert_int_equal(got->sel.dst_prefix, want->sel.dst_prefix);
	assert_int_equal(got->sel.proto, want->sel.proto);
	assert_int_equal(got->sel.sport_min, want->sel.sport_min);
	assert_int_equal(got->sel.sport_max, want->sel.sport_max);
	assert_int_equal(got->sel.dport_min, want->sel.dport_min);
	assert_int_equal(got->sel.dport_max, want->sel.dport_max);
	assert_int_equal(got->has_tmpl, want->has_tmpl);
	if (!want->has_tmpl)
		return;
	assert_int_equal(got->tmpl.mode, want->tmpl.mode);
	assert_int_equal(got->tmpl.family, want->tmpl.family);
	assert_memory_equal(got->tmpl.src, want->tmpl.src, sizeof(got->tmpl.src));
	assert_memory_equal(got->tmpl.dst, want->tmpl.dst, sizeof(got->tmpl.dst));
	assert_int_equal(got->tmpl.reqid, want->tmpl.reqid);
}

struct nfsec_sa sample_sa_out(void)
{
	struct nfsec_sa sa = {
		.spi = 0x1000, .dir = NFSEC_SA_DIR_OUT, .family = AF_INET,
		.src = { 10, 0, 0, 1 }, .dst = { 10, 0, 0, 2 }, .proto = IPPROTO_ESP,
		.mode = NFSEC_MODE_TUNNEL, .reqid = 1,
		.aead = { .name = "rfc4106(gcm(aes))", .icv_bits = 128 },
		.replay_window = 64, .seq = 12, .bytes = 3400, .packets = 12, .age_seconds = 5,
		.drops = { [NFSEC_SA_DROP_A_REPLAY] = 3, [NFSEC_SA_DROP_A_AUTH_FAIL] = 1 },
	};

	return sa;
}

struct nfsec_sa sample_sa_in(void)
{
	struct nfsec_sa sa = {
		.spi = 0xfffffffe, .dir = NFSEC_SA_DIR_IN, .family = AF_INET6,
		.src = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
		.dst = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 }, .proto = IPPROTO_ESP,
		.mode = NFSEC_MODE_TRANSPORT, .reqid = 4294967295u,
		.enc = { .name = "cbc(aes)" },
		.auth = { .name = "hmac(sha256)", .icv_bits = 128 },
		.replay_window = 4096, .esn = true, .has_selector = true,
		.sel = { .family = AF_INET6, .src = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
			 .src_prefix = 128, .dst = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
			 .dst_prefix = 128, .proto = IPPROTO_UDP, .sport_min = 500,
			 .sport_max = 500, .dport_min = 0, .dport_max = 65535 },
		.lifetime = { .soft_bytes = 1000000, .hard_bytes = 2000000, .soft_packets = 10,
			      .hard_packets = 20, .soft_seconds = 3600,
			      .hard_seconds = UINT64_MAX },
		.seq = (uint64_t)1 << 40, .bytes = UINT64_MAX, .packets = 0, .age_seconds = 0,
		.drops = { [NFSEC_SA_DROP_A_MALFORMED] = 7, [NFSEC_SA_DROP_A_ERROR] = UINT64_MAX },
	};

	return sa;
}

static void expect_alg(const struct nfsec_alg *got, const struct nfsec_alg *want)
{
	assert_string_equal(got->name, want->name);
	assert_int_equal(got->key_len, want->key_len);
	assert_memory_equal(got->key, want->key, want->key_len);
	assert_int_equal(got->icv_bits, want->icv_bits);
}

void expect_sa(const struct nfsec_sa *got, const struct nfsec_sa *want)
{
	const struct nfsec_lifetime *g = &got->lifetime, *w = &want->lifetime;

	assert_int_equal(got->spi, want->spi);
	assert_int_equal(got->dir, want->dir);
	assert_int_equal(got->family, want->family);
	assert_memory_equal(got->src, want->src, sizeof(got->src));
	assert_memory_equal(got->dst, want->dst, sizeof(got->dst));
	assert_int_equal(got->proto, want->proto);
	assert_int_equal(got->mode, want->mode);
	assert_int_equal(got->reqid, want->reqid);
	expect_alg(&got->aead, &want->aead);
	expect_alg(&got->enc, &want->enc);
	expect_alg(&got->auth, &want->auth);
	assert_int_equal(got->replay_window, want->replay_window);
	assert_int_equal(got->esn, want->esn);
	assert_int_equal(got->has_selector, want->has_selector);
	if (want->has_selector) {
		struct nfsec_policy gp = { .sel = got->sel }, wp = { .sel = want->sel };

		expect_policy(&gp, &wp);
	}
	assert_int_equal(got->encap, want->encap);
	assert_int_equal(got->encap_sport, want->encap_sport);
	assert_int_equal(got->encap_dport, want->encap_dport);
	assert_int_equal(g->soft_bytes, w->soft_bytes);
	assert_int_equal(g->hard_bytes, w->hard_bytes);
	assert_int_equal(g->soft_packets, w->soft_packets);
	assert_int_equal(g->hard_packets, w->hard_packets);
	assert_int_equal(g->soft_seconds, w->soft_seconds);
	assert_int_equal(g->hard_seconds, w->hard_seconds);
	assert_int_equal(got->seq, want->seq);
	assert_int_equal(got->bytes, want->bytes);
	assert_int_equal(got->packets, want->packets);
	assert_int_equal(got->age_seconds, want->age_seconds);
	assert_memory_equal(got->drops, want->drops, sizeof(got->drops));
}

void put_selector_nest(struct nl_msg *msg, int type, const struct nfsec_selector *sel)
{
	int len = sel->family == AF_INET ? 4 : 16;
	struct nlattr *nest = nla_nest_start(msg, type | NLA_F_NESTED);

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
	assert_int_equal(nla_nest_end(msg, nest), 0);
}

/* A u64 as the kernel puts it: after a zero-length pad attribute when asked for. */
static void put_u64(struct nl_msg *msg, int type, uint64_t value, int pad, bool padded)
{
	if (padded)
		assert_int_equal(nla_put(msg, pad, 0, NULL), 0);
	assert_int_equal(nla_put_u64(msg, type, value), 0);
}

static void put_alg(struct nl_msg *msg, int type, const struct nfsec_alg *alg, bool icv,
		    struct sa_spoil s)
{
	static const uint8_t key[20] = { 1, 2, 3 };
	struct nlattr *nest = nla_nest_start(msg, type | NLA_F_NESTED);

	assert_non_null(nest);
	if (s.drop_alg != NFSEC_ALG_A_NAME)
		assert_int_equal(nla_put_string(msg, NFSEC_ALG_A_NAME, alg->name), 0);
	if (s.key)
		assert_int_equal(nla_put(msg, NFSEC_ALG_A_KEY, sizeof(key), key), 0);
	if ((icv || s.enc_icv) && s.drop_alg != NFSEC_ALG_A_ICV_BITS)
		assert_int_equal(nla_put_u32(msg, NFSEC_ALG_A_ICV_BITS, alg->icv_bits), 0);
	if (s.newer)
		assert_int_equal(nla_put_u32(msg, NFSEC_ALG_A_MAX + 1, 1), 0);
	assert_int_equal(nla_nest_end(msg, nest), 0);
}

static void put_lifetime(struct nl_msg *msg, const struct nfsec_sa *sa, struct sa_spoil s)
{
	const struct nfsec_lifetime *lt = &sa->lifetime;
	const uint64_t values[NFSEC_LT_A_MAX + 1] = {
		[NFSEC_LT_A_SOFT_BYTES] = lt->soft_bytes,
		[NFSEC_LT_A_HARD_BYTES] = lt->hard_bytes,
		[NFSEC_LT_A_SOFT_PACKETS] = lt->soft_packets,
		[NFSEC_LT_A_HARD_PACKETS] = lt->hard_packets,
		[NFSEC_LT_A_SOFT_SECONDS] = lt->soft_seconds,
		[NFSEC_LT_A_HARD_SECONDS] = lt->hard_seconds,
		[NFSEC_LT_A_BYTES] = sa->bytes,
		[NFSEC_LT_A_PACKETS] = sa->packets,
		[NFSEC_LT_A_AGE_SECONDS] = sa->age_seconds,
	};
	struct nlattr *nest = nla_nest_start(msg, NFSEC_SA_A_LIFETIME | NLA_F_NESTED);

	assert_non_null(nest);
	for (int type = NFSEC_LT_A_SOFT_BYTES; type <= NFSEC_LT_A_MAX; type++)
		if (type != s.drop_lt)
			put_u64(msg, type, values[type], NFSEC_LT_A_PAD, s.pad);
	if (s.newer)
		put_u64(msg, NFSEC_LT_A_MAX + 1, 1, NFSEC_LT_A_PAD, s.pad);
	assert_int_equal(nla_nest_end(msg, nest), 0);
}

static void put_drops(struct nl_msg *msg, const struct nfsec_sa *sa, struct sa_spoil s)
{
	struct nlattr *nest = nla_nest_start(msg, NFSEC_SA_A_DROPS | NLA_F_NESTED);

	assert_non_null(nest);
	for (int type = NFSEC_SA_DROP_A_PAD + 1; type <= NFSEC_SA_DROP_A_MAX; type++)
		if (type != s.drop_reason)
			put_u64(msg, type, sa->drops[type], NFSEC_SA_DROP_A_PAD, s.pad);
	if (s.newer)
		put_u64(msg, NFSEC_SA_DROP_A_MAX + 1, 1, NFSEC_SA_DROP_A_PAD, s.pad);
	assert_int_equal(nla_nest_end(msg, nest), 0);
}

static void put_algs(struct nl_msg *msg, const struct nfsec_sa *sa, struct sa_spoil s)
{
	if (sa->aead.name[0] && s.drop != NFSEC_SA_A_AEAD)
		put_alg(msg, NFSEC_SA_A_AEAD, &sa->aead, true, s);
	if (sa->enc.name[0] && s.drop != NFSEC_SA_A_ENC)
		put_alg(msg, NFSEC_SA_A_ENC, &sa->enc, false, s);
	if (sa->auth.name[0] && s.drop != NFSEC_SA_A_AUTH)
		put_alg(msg, NFSEC_SA_A_AUTH, &sa->auth, true, s);
}

/* The attributes before the transforms, in enum order. */
static void put_head(struct nl_msg *msg, const struct nfsec_sa *sa, struct sa_spoil s)
{
	int len = sa->family == AF_INET ? 4 : 16;

	if (s.drop != NFSEC_SA_A_SPI)
		assert_int_equal(nla_put_u32(msg, NFSEC_SA_A_SPI, sa->spi), 0);
	if (s.drop != NFSEC_SA_A_DIR)
		assert_int_equal(nla_put_u8(msg, NFSEC_SA_A_DIR, sa->dir), 0);
	if (s.drop != NFSEC_SA_A_FAMILY)
		assert_int_equal(nla_put_u16(msg, NFSEC_SA_A_FAMILY, sa->family), 0);
	if (s.drop != NFSEC_SA_A_SRC)
		assert_int_equal(nla_put(msg, NFSEC_SA_A_SRC, len, sa->src), 0);
	if (s.drop != NFSEC_SA_A_DST)
		assert_int_equal(nla_put(msg, NFSEC_SA_A_DST, len, sa->dst), 0);
	if (s.drop != NFSEC_SA_A_PROTO)
		assert_int_equal(nla_put_u8(msg, NFSEC_SA_A_PROTO, sa->proto), 0);
	if (s.drop != NFSEC_SA_A_MODE)
		assert_int_equal(nla_put_u8(msg, NFSEC_SA_A_MODE, sa->mode), 0);
	if (s.drop != NFSEC_SA_A_REQID)
		assert_int_equal(nla_put_u32(msg, NFSEC_SA_A_REQID, sa->reqid), 0);
}

static void put_encap(struct nl_msg *msg, const struct nfsec_sa *sa, struct sa_spoil s)
{
	struct nlattr *nest = nla_nest_start(msg, NFSEC_SA_A_ENCAP | NLA_F_NESTED);

	assert_non_null(nest);
	if (s.drop_encap != NFSEC_ENCAP_A_TYPE)
		assert_int_equal(nla_put_u8(msg, NFSEC_ENCAP_A_TYPE,
					    s.encap_type ? s.encap_type : NFSEC_ENCAP_ESPINUDP), 0);
	if (s.drop_encap != NFSEC_ENCAP_A_SPORT)
		assert_int_equal(nla_put_u16(msg, NFSEC_ENCAP_A_SPORT, sa->encap_sport), 0);
	if (s.drop_encap != NFSEC_ENCAP_A_DPORT)
		assert_int_equal(nla_put_u16(msg, NFSEC_ENCAP_A_DPORT, sa->encap_dport), 0);
	if (s.newer)
		assert_int_equal(nla_put_u32(msg, NFSEC_ENCAP_A_MAX + 1, 1), 0);
	assert_int_equal(nla_nest_end(msg, nest), 0);
}

void put_sa(struct nl_msg *msg, const struct nfsec_sa *sa, struct sa_spoil s)
{
	struct nlattr *nest = nla_nest_start(msg, NFSEC_A_SA | NLA_F_NESTED);

	assert_non_null(nest);
	put_head(msg, sa, s);
	put_algs(msg, sa, s);
	if (s.drop != NFSEC_SA_A_REPLAY_WINDOW)
		assert_int_equal(nla_put_u32(msg, NFSEC_SA_A_REPLAY_WINDOW, sa->replay_window), 0);
	if (sa->esn)
		assert_int_equal(nla_put_flag(msg, NFSEC_SA_A_ESN), 0);
	if (sa->has_selector && s.drop != NFSEC_SA_A_SELECTOR)
		put_selector_nest(msg, NFSEC_SA_A_SELECTOR, &sa->sel);
	if (sa->encap && s.drop != NFSEC_SA_A_ENCAP)
		put_encap(msg, sa, s);
	if (s.drop != NFSEC_SA_A_LIFETIME)
		put_lifetime(msg, sa, s);
	if (s.drop != NFSEC_SA_A_DROPS)
		put_drops(msg, sa, s);
	if (s.drop != NFSEC_SA_A_SEQ)
		put_u64(msg, NFSEC_SA_A_SEQ, sa->seq, NFSEC_SA_A_PAD, s.pad);
	if (s.newer)
		assert_int_equal(nla_put_string(msg, NFSEC_SA_A_MAX + 1, "later"), 0);
	assert_int_equal(nla_nest_end(msg, nest), 0);
}
