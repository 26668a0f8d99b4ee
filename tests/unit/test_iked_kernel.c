// SPDX-License-Identifier: GPL-2.0
/*
 * nfsec-iked's kernel facade (iked/kernel.c) without the module: its libnfsec calls and
 * getrandom() are linked to the fakes below (ld --wrap, see the Makefile). The fakes build
 * the very netlink requests libnfsec would send (nfsec_policy_new_msg, nfsec_sa_new_msg),
 * keep a fake SPD whose dump goes through libnfsec's own reply parser, and feed events
 * through libnfsec's event decoder. Checked: the exact requests for SAs and policies, the
 * split of KEYMAT for every ESP proposal kind, selectors and priorities, soft lifetimes,
 * the rollback of a tunnel's policies, SPI allocation, events to callbacks, wiped keys.
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
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <cmocka.h>

#include <linux/netlink.h>
#include <netinet/in.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "internal.h"
#include "kernel.h"
#include "nlwalk.h"
#include "samples.h"

enum { FAKE_FD = 42, SPD_MAX = 64, MSGS_MAX = 16, READS_MAX = 4 };

/* --- the fakes ------------------------------------------------------------------------ */

struct datagram {
	union {
		struct nlmsghdr nlh;
		uint8_t bytes[8192];
	} buf;
	size_t len;
};

struct fake_read {
	int err;			/* returned instead of reading, 0: feed d */
	struct datagram d;
};

static struct {
	int open_ret, monitor_ret;
	unsigned int opened, closed;

	/* the SPD: policies with the indices the fake kernel gave them */
	struct nfsec_policy spd[SPD_MAX];
	unsigned int spd_count;
	const uint32_t *next_index;	/* the indices handed out, in order */
	unsigned int policy_adds;	/* calls, failed ones too */
	unsigned int fail_add_at;	/* this call (1-based) fails with EEXIST */
	bool all_exist;			/* every add fails with EEXIST */
	bool spd_exact;			/* as the module: an add of a direction, selector
					 * and priority the SPD has fails with EEXIST */
	struct nl_msg *policy_msg[MSGS_MAX];	/* the request of each call */
	uint32_t deleted[SPD_MAX];
	unsigned int del_count;
	uint32_t fail_del_index;	/* deleting it fails with EPERM */
	int dump_err;

	/* SAs */
	unsigned int sa_adds;
	const struct nfsec_sa *sa_buf;	/* what nfsec_sa_add() was given */
	struct nfsec_sa sa_copy;	/* and its contents then */
	struct nl_msg *sa_msg;		/* the request libnfsec built from it */
	int sa_add_err;
	uint32_t kernel_spi[4];		/* SAs the fake kernel has */
	unsigned int kernel_spi_count;
	struct nfsec_sa sa_reply;	/* what get gives for them */
	int sa_get_err;
	unsigned int sa_gets;
	uint32_t get_spi;
	uint16_t get_family;
	uint8_t get_dst[16];
	uint32_t del_spi;
	uint16_t del_family;
	uint8_t del_dst[16];
	uint8_t del_proto;
	int sa_del_err;

	/* getrandom: these bytes, then zeros */
	uint8_t random[1100 * 4];
	size_t random_len, random_pos;

	/* events */
	struct fake_read reads[READS_MAX];
	unsigned int read_count, read_pos;
} fake;

int __wrap_nfsec_open(struct nfsec_handle **hp);
void __wrap_nfsec_close(struct nfsec_handle *h);
int __wrap_nfsec_monitor_open(struct nfsec_handle *h);
int __wrap_nfsec_monitor_fd(struct nfsec_handle *h);
int __wrap_nfsec_monitor_read(struct nfsec_handle *h, nfsec_event_fn cb, void *arg);
int __wrap_nfsec_policy_add(struct nfsec_handle *h, const struct nfsec_policy *p);
int __wrap_nfsec_policy_del(struct nfsec_handle *h, uint32_t index);
int __wrap_nfsec_policy_dump(struct nfsec_handle *h, nfsec_policy_fn cb, void *arg);
int __wrap_nfsec_sa_add(struct nfsec_handle *h, const struct nfsec_sa *sa);
int __wrap_nfsec_sa_del(struct nfsec_handle *h, uint32_t spi, uint16_t family,
			const uint8_t *dst, uint8_t proto);
int __wrap_nfsec_sa_get(struct nfsec_handle *h, uint32_t spi, uint16_t family,
			const uint8_t *dst, uint8_t proto, struct nfsec_sa *out);
ssize_t __wrap_getrandom(void *buf, size_t len, unsigned int flags);

int __wrap_nfsec_open(struct nfsec_handle **hp)
{
	struct nfsec_handle *h = calloc(1, sizeof(*h));

	assert_non_null(h);
	*hp = h;
	fake.opened++;
	if (fake.open_ret < 0)
		return nfsec_seterr(h, fake.open_ret, "the nfsec kernel module is not loaded");
	h->family = TEST_FAMILY;
	return 0;
}

void __wrap_nfsec_close(struct nfsec_handle *h)
{
	if (h)
		fake.closed++;
	free(h);
}

int __wrap_nfsec_monitor_open(struct nfsec_handle *h)
{
	if (fake.monitor_ret < 0)
		return nfsec_seterr(h, fake.monitor_ret, "monitor: cannot join the multicast "
				    "group \"events\": Operation not permitted");
	return 0;
}

int __wrap_nfsec_monitor_fd(struct nfsec_handle *h)
{
	(void)h;
	return FAKE_FD;
}

int __wrap_nfsec_monitor_read(struct nfsec_handle *h, nfsec_event_fn cb, void *arg)
{
	struct fake_read *r;

	if (fake.read_pos == fake.read_count)
		return 0;
	r = &fake.reads[fake.read_pos++];
	if (r->err)
		return nfsec_seterr(h, r->err, "monitor: events were lost: the receive buffer "
				    "overflowed");
	return nfsec_events_feed(h, &r->d.buf, r->d.len, cb, arg);
}

/* The request libnfsec would send, kept; the policy into the fake SPD unless told to fail. */
int __wrap_nfsec_policy_add(struct nfsec_handle *h, const struct nfsec_policy *p)
{
	struct nl_msg *msg;
	int ret = nfsec_policy_new_msg(h, p, &msg);

	if (ret < 0)
		return ret;
	fake.policy_adds++;
	if (fake.policy_adds <= MSGS_MAX)
		fake.policy_msg[fake.policy_adds - 1] = msg;
	else
		nlmsg_free(msg);
	for (unsigned int i = 0; fake.spd_exact && i < fake.spd_count; i++)
		if (fake.spd[i].dir == p->dir && fake.spd[i].priority == p->priority &&
		    !memcmp(&fake.spd[i].sel, &p->sel, sizeof(p->sel)))
			return nfsec_seterr(h, -EEXIST, "add policy: a policy with this "
					    "direction, selector and priority exists (File exists)");
	if (fake.policy_adds == fake.fail_add_at || fake.all_exist)
		return nfsec_seterr(h, -EEXIST, "add policy: a policy with this direction, "
				    "selector and priority exists (File exists)");
	assert_true(fake.spd_count < SPD_MAX);
	fake.spd[fake.spd_count] = *p;
	fake.spd[fake.spd_count++].index = *fake.next_index++;
	return 0;
}

int __wrap_nfsec_policy_del(struct nfsec_handle *h, uint32_t index)
{
	fake.deleted[fake.del_count++] = index;
	if (index == fake.fail_del_index)
		return nfsec_seterr(h, -EPERM, "delete policy: Operation not permitted");
	for (unsigned int i = 0; i < fake.spd_count; i++) {
		if (fake.spd[i].index == index) {
			memmove(&fake.spd[i], &fake.spd[i + 1],
				(fake.spd_count - i - 1) * sizeof(fake.spd[0]));
			fake.spd_count--;
			return 0;
		}
	}
	return nfsec_seterr(h, -ENOENT, "delete policy: no policy with index %u (No such file "
			    "or directory)", index);
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

/* NFSEC_A_POLICY as the module gives it in a dump or an event. */
static void put_policy(struct nl_msg *msg, const struct nfsec_policy *p)
{
	struct nlattr *nest = nla_nest_start(msg, NFSEC_A_POLICY | NLA_F_NESTED);

	assert_non_null(nest);
	assert_int_equal(nla_put_u32(msg, NFSEC_POLICY_A_INDEX, p->index), 0);
	assert_int_equal(nla_put_u8(msg, NFSEC_POLICY_A_DIR, p->dir), 0);
	assert_int_equal(nla_put_u8(msg, NFSEC_POLICY_A_ACTION, p->action), 0);
	assert_int_equal(nla_put_u32(msg, NFSEC_POLICY_A_PRIORITY, p->priority), 0);
	put_selector_nest(msg, NFSEC_POLICY_A_SELECTOR, &p->sel);
	if (p->has_tmpl)
		put_tmpl(msg, &p->tmpl);
	assert_int_equal(nla_nest_end(msg, nest), 0);
}

/* The fake SPD in index order, each policy through libnfsec's parser of dump replies. */
int __wrap_nfsec_policy_dump(struct nfsec_handle *h, nfsec_policy_fn cb, void *arg)
{
	struct nfsec_reply reply = {
		.op = "list policies", .object = NFSEC_REPLY_POLICY, .cb.policy = cb,
		.arg = arg,
	};
	bool done[SPD_MAX] = { false };

	if (fake.dump_err)
		return nfsec_seterr(h, fake.dump_err, "list policies: Operation not permitted");
	for (unsigned int n = 0; n < fake.spd_count; n++) {
		unsigned int min = SPD_MAX;
		struct nl_msg *msg;
		int ret;

		for (unsigned int i = 0; i < fake.spd_count; i++)
			if (!done[i] && (min == SPD_MAX || fake.spd[i].index < fake.spd[min].index))
				min = i;
		done[min] = true;
		msg = reply_new(NFSEC_CMD_POLICY_GET);
		put_policy(msg, &fake.spd[min]);
		ret = nfsec_reply_parse(h, nlmsg_hdr(msg), &reply);
		nlmsg_free(msg);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int __wrap_nfsec_sa_add(struct nfsec_handle *h, const struct nfsec_sa *sa)
{
	int ret;

	fake.sa_adds++;
	fake.sa_buf = sa;
	fake.sa_copy = *sa;
	nfsec_msg_free(fake.sa_msg);
	ret = nfsec_sa_new_msg(h, sa, &fake.sa_msg);
	if (ret < 0)
		return ret;
	if (fake.sa_add_err)
		return nfsec_seterr(h, fake.sa_add_err, "add SA: an SA with this SPI, destination "
				    "and protocol exists (File exists)");
	return 0;
}

int __wrap_nfsec_sa_del(struct nfsec_handle *h, uint32_t spi, uint16_t family,
			const uint8_t *dst, uint8_t proto)
{
	fake.del_spi = spi;
	fake.del_family = family;
	memcpy(fake.del_dst, dst, family == AF_INET ? 4 : 16);
	fake.del_proto = proto;
	if (fake.sa_del_err)
		return nfsec_seterr(h, fake.sa_del_err, "delete SA: no such SA (No such file or "
				    "directory)");
	return 0;
}

int __wrap_nfsec_sa_get(struct nfsec_handle *h, uint32_t spi, uint16_t family,
			const uint8_t *dst, uint8_t proto, struct nfsec_sa *out)
{
	fake.sa_gets++;
	fake.get_spi = spi;
	fake.get_family = family;
	memset(fake.get_dst, 0, sizeof(fake.get_dst));
	memcpy(fake.get_dst, dst, family == AF_INET ? 4 : 16);
	assert_int_equal(proto, IPPROTO_ESP);
	if (fake.sa_get_err)
		return nfsec_seterr(h, fake.sa_get_err, "get SA: Operation not permitted");
	for (unsigned int i = 0; i < fake.kernel_spi_count; i++) {
		if (fake.kernel_spi[i] == spi) {
			*out = fake.sa_reply;
			out->spi = spi;
			return 0;
		}
	}
	return nfsec_seterr(h, -ENOENT, "get SA: no such SA (No such file or directory)");
}

ssize_t __wrap_getrandom(void *buf, size_t len, unsigned int flags)
{
	size_t n = fake.random_len - fake.random_pos;

	(void)flags;
	if (n > len)
		n = len;
	memcpy(buf, fake.random + fake.random_pos, n);
	memset((uint8_t *)buf + n, 0, len - n);
	fake.random_pos += n;
	return (ssize_t)len;
}

/* getrandom() will give these values (as their bytes in host order), one after another. */
static void random_u32(const uint32_t *v, size_t n)
{
	fake.random_len = fake.random_pos = 0;
	for (size_t i = 0; i < n; i++) {
		memcpy(fake.random + fake.random_len, &v[i], 4);
		fake.random_len += 4;
	}
}

static void random_u64(uint64_t a, uint64_t b)
{
	fake.random_pos = 0;
	memcpy(fake.random, &a, 8);
	memcpy(fake.random + 8, &b, 8);
	fake.random_len = 16;
}

static const uint32_t default_indices[SPD_MAX] = {
	57, 41, 90, 43, 12, 77, 68, 35, 99, 100, 101, 102,
};

static int setup(void **state)
{
	memset(&fake, 0, sizeof(fake));
	fake.next_index = default_indices;
	*state = NULL;
	return 0;
}

/* Forgets the policy requests and the count of adds. */
static void policy_msgs_free(void)
{
	for (unsigned int i = 0; i < MSGS_MAX; i++) {
		nlmsg_free(fake.policy_msg[i]);
		fake.policy_msg[i] = NULL;
	}
	fake.policy_adds = 0;
}

static int teardown(void **state)
{
	policy_msgs_free();
	nfsec_msg_free(fake.sa_msg);
	explicit_bzero(&fake, sizeof(fake));
	kernel_close(*state);
	return 0;
}

static struct kernel *open_ok(void **state)
{
	char err[256] = "";
	struct kernel *k = kernel_open(err, sizeof(err));

	if (!k)
		fail_msg("kernel_open: %s", err);
	*state = k;
	return k;
}

/* --- helpers -------------------------------------------------------------------------- */

static struct tunnel_addr addr(const char *text)
{
	struct tunnel_addr a = { .family = AF_INET };

	if (inet_pton(AF_INET, text, a.addr) != 1) {
		a.family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, text, a.addr), 1);
	}
	return a;
}

static struct tunnel_ts ts(const char *text, uint8_t len, uint8_t proto, uint16_t port)
{
	struct tunnel_addr a = addr(text);
	struct tunnel_ts t = { .family = a.family, .len = len, .proto = proto, .port = port };

	memcpy(t.addr, a.addr, sizeof(t.addr));
	return t;
}

static void next_string(struct walk *w, uint16_t type, const char *value)
{
	struct nlattr *nla = next_attr(w, type, (int)strlen(value) + 1);

	assert_string_equal(nla_data(nla), value);
}

static void next_bytes(struct walk *w, uint16_t type, const uint8_t *want, int len)
{
	struct nlattr *nla = next_attr(w, type, len);

	if (len)
		assert_memory_equal(nla_data(nla), want, len);
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

static void next_selector(struct walk *parent, uint16_t type, int len, const char *src,
			  uint8_t src_prefix, const char *dst, uint8_t dst_prefix, uint8_t proto,
			  uint16_t sport_min, uint16_t sport_max, uint16_t dport_min,
			  uint16_t dport_max)
{
	struct walk w = walk_nest(next_attr(parent, type | NLA_F_NESTED, -1));

	next_u16(&w, NFSEC_SEL_A_FAMILY, len == 4 ? AF_INET : AF_INET6);
	next_addr(&w, NFSEC_SEL_A_SRC, src, len);
	next_u8(&w, NFSEC_SEL_A_SRC_PREFIX, src_prefix);
	next_addr(&w, NFSEC_SEL_A_DST, dst, len);
	next_u8(&w, NFSEC_SEL_A_DST_PREFIX, dst_prefix);
	next_u8(&w, NFSEC_SEL_A_PROTO, proto);
	next_u16(&w, NFSEC_SEL_A_SPORT_MIN, sport_min);
	next_u16(&w, NFSEC_SEL_A_SPORT_MAX, sport_max);
	next_u16(&w, NFSEC_SEL_A_DPORT_MIN, dport_min);
	next_u16(&w, NFSEC_SEL_A_DPORT_MAX, dport_max);
	walk_end(&w);
}

static void keymat_fill(uint8_t *keymat, size_t len)
{
	for (size_t i = 0; i < len; i++)
		keymat[i] = (uint8_t)(i + 1);
}

static bool all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

/* --- SAs: the exact requests ---------------------------------------------------------- */

static const struct esp_proposal gcm128 = { ESP_AES_GCM_16, 128, ESP_AUTH_NONE, 0, false };
static const struct esp_proposal cbc128_sha256_esn = {
	ESP_AES_CBC, 128, ESP_AUTH_HMAC_SHA2_256, 0, true
};

/* Outbound, IPv4, tunnel, AES-GCM-128: the key and its salt are the 20 KEYMAT bytes. */
static void test_sa_out_gcm_tunnel(void **state)
{
	struct kernel *k = open_ok(state);
	uint8_t keymat[20];
	struct kernel_sa ksa = {
		.spi = 0xc0ffee01, .dir = NFSEC_SA_DIR_OUT, .src = addr("192.0.2.1"),
		.dst = addr("198.51.100.2"), .mode = NFSEC_MODE_TUNNEL, .reqid = 11,
		.proposal = &gcm128, .keymat = keymat, .keymat_len = sizeof(keymat),
		.lifetime = { .hard_seconds = 3600, .margin_seconds = 540 },
		.replay_window = 128,		/* ignored outbound */
	};
	/* soft = 3600 - 540 - 100 % 541 */
	const struct nfsec_lifetime lt = { .soft_seconds = 2960, .hard_seconds = 3600 };
	char err[256] = "";
	struct walk top, w, alg;

	keymat_fill(keymat, sizeof(keymat));
	random_u64(100, 77);
	assert_int_equal(kernel_sa_add(k, &ksa, err, sizeof(err)), 0);
	assert_int_equal(fake.sa_adds, 1);

	expect_header(fake.sa_msg, NFSEC_CMD_SA_NEW, 0);
	top = walk_msg(fake.sa_msg);
	w = walk_nest(next_attr(&top, NFSEC_A_SA | NLA_F_NESTED, -1));
	walk_end(&top);
	next_u32(&w, NFSEC_SA_A_SPI, 0xc0ffee01);
	next_u8(&w, NFSEC_SA_A_DIR, NFSEC_SA_DIR_OUT);
	next_u16(&w, NFSEC_SA_A_FAMILY, AF_INET);
	next_addr(&w, NFSEC_SA_A_SRC, "192.0.2.1", 4);
	next_addr(&w, NFSEC_SA_A_DST, "198.51.100.2", 4);
	next_u8(&w, NFSEC_SA_A_PROTO, IPPROTO_ESP);
	next_u8(&w, NFSEC_SA_A_MODE, NFSEC_MODE_TUNNEL);
	next_u32(&w, NFSEC_SA_A_REQID, 11);
	alg = walk_nest(next_attr(&w, NFSEC_SA_A_AEAD | NLA_F_NESTED, -1));
	next_string(&alg, NFSEC_ALG_A_NAME, "rfc4106(gcm(aes))");
	next_bytes(&alg, NFSEC_ALG_A_KEY, keymat, 20);
	next_u32(&alg, NFSEC_ALG_A_ICV_BITS, 128);
	walk_end(&alg);
	/* outbound: no replay window; no ESN, no selector */
	next_lifetime(&w, &lt);
	walk_end(&w);
}

/* Inbound, IPv6, transport, AES-CBC-128 + HMAC-SHA-256, ESN, the pair as selector. */
static void test_sa_in_cbc_transport(void **state)
{
	struct kernel *k = open_ok(state);
	uint8_t keymat[16 + 32];
	const struct kernel_ts_pair pair = {
		.local = ts("2001:db8::1", 128, IPPROTO_TCP, 80),
		.remote = ts("2001:db8::2", 128, IPPROTO_TCP, 0), .reqid = 7,
	};
	struct kernel_sa ksa = {
		.spi = 0x1000, .dir = NFSEC_SA_DIR_IN, .src = addr("2001:db8::2"),
		.dst = addr("2001:db8::1"), .mode = NFSEC_MODE_TRANSPORT, .reqid = 7,
		.proposal = &cbc128_sha256_esn, .keymat = keymat, .keymat_len = sizeof(keymat),
		.lifetime = { .hard_seconds = 3600, .margin_seconds = 540,
			      .hard_bytes = 1000000, .margin_bytes = 100000 },
		.pair = &pair,
	};
	/* soft seconds 3600 - 540 - 7, soft bytes 1000000 - 100000 - 5 */
	const struct nfsec_lifetime lt = {
		.soft_bytes = 899995, .hard_bytes = 1000000,
		.soft_seconds = 3053, .hard_seconds = 3600,
	};
	char err[256] = "";
	struct walk top, w, alg;

	keymat_fill(keymat, sizeof(keymat));
	random_u64(541 * 3 + 7, 100001 * 2 + 5);
	assert_int_equal(kernel_sa_add(k, &ksa, err, sizeof(err)), 0);

	expect_header(fake.sa_msg, NFSEC_CMD_SA_NEW, 0);
	top = walk_msg(fake.sa_msg);
	w = walk_nest(next_attr(&top, NFSEC_A_SA | NLA_F_NESTED, -1));
	walk_end(&top);
	next_u32(&w, NFSEC_SA_A_SPI, 0x1000);
	next_u8(&w, NFSEC_SA_A_DIR, NFSEC_SA_DIR_IN);
	next_u16(&w, NFSEC_SA_A_FAMILY, AF_INET6);
	next_addr(&w, NFSEC_SA_A_SRC, "2001:db8::2", 16);
	next_addr(&w, NFSEC_SA_A_DST, "2001:db8::1", 16);
	next_u8(&w, NFSEC_SA_A_PROTO, IPPROTO_ESP);
	next_u8(&w, NFSEC_SA_A_MODE, NFSEC_MODE_TRANSPORT);
	next_u32(&w, NFSEC_SA_A_REQID, 7);
	/* the encryption key first, then the integrity key */
	alg = walk_nest(next_attr(&w, NFSEC_SA_A_ENC | NLA_F_NESTED, -1));
	next_string(&alg, NFSEC_ALG_A_NAME, "cbc(aes)");
	next_bytes(&alg, NFSEC_ALG_A_KEY, keymat, 16);
	walk_end(&alg);
	alg = walk_nest(next_attr(&w, NFSEC_SA_A_AUTH | NLA_F_NESTED, -1));
	next_string(&alg, NFSEC_ALG_A_NAME, "hmac(sha256)");
	next_bytes(&alg, NFSEC_ALG_A_KEY, keymat + 16, 32);
	next_u32(&alg, NFSEC_ALG_A_ICV_BITS, 128);
	walk_end(&alg);
	next_u32(&w, NFSEC_SA_A_REPLAY_WINDOW, 64);
	next_attr(&w, NFSEC_SA_A_ESN, 0);
	/* remote -> local: the remote's any port is the source, the local port 80 the dest */
	next_selector(&w, NFSEC_SA_A_SELECTOR, 16, "2001:db8::2", 128, "2001:db8::1", 128,
		      IPPROTO_TCP, 0, 65535, 80, 80);
	next_lifetime(&w, &lt);
	walk_end(&w);

	/* a replay window given is kept; tunnel mode takes the pair's prefixes */
	ksa.replay_window = 1024;
	ksa.mode = NFSEC_MODE_TUNNEL;
	assert_int_equal(kernel_sa_add(k, &ksa, err, sizeof(err)), 0);
	assert_int_equal(fake.sa_copy.replay_window, 1024);
	assert_true(fake.sa_copy.has_selector);
	assert_int_equal(fake.sa_copy.sel.proto, IPPROTO_TCP);
	assert_int_equal(fake.sa_copy.sel.dport_min, 80);
	/* no pair: any traffic */
	ksa.pair = NULL;
	assert_int_equal(kernel_sa_add(k, &ksa, err, sizeof(err)), 0);
	assert_false(fake.sa_copy.has_selector);
}

/* --- SAs: KEYMAT into keys, for every kind of proposal --------------------------------- */

static void test_keymat_split(void **state)
{
	static const struct {
		struct esp_proposal p;
		const char *aead, *enc, *auth;
		unsigned int enc_bytes, auth_bytes, icv;
	} kinds[] = {
		{ { ESP_AES_GCM_16, 128, 0, 0, false }, "rfc4106(gcm(aes))", "", "", 20, 0, 128 },
		{ { ESP_AES_GCM_16, 256, 0, 0, true }, "rfc4106(gcm(aes))", "", "", 36, 0, 128 },
		{ { ESP_CHACHA20_POLY1305, 256, 0, 0, false }, "rfc7539esp(chacha20,poly1305)",
		  "", "", 36, 0, 128 },
		{ { ESP_AES_CBC, 128, ESP_AUTH_HMAC_SHA2_256, 0, false }, "", "cbc(aes)",
		  "hmac(sha256)", 16, 32, 128 },
		{ { ESP_AES_CBC, 256, ESP_AUTH_HMAC_SHA2_384, 0, false }, "", "cbc(aes)",
		  "hmac(sha384)", 32, 48, 192 },
		{ { ESP_AES_CBC, 256, ESP_AUTH_HMAC_SHA2_512, 0, false }, "", "cbc(aes)",
		  "hmac(sha512)", 32, 64, 256 },
		{ { ESP_AES_CBC, 192, ESP_AUTH_HMAC_SHA1, 0, false }, "", "cbc(aes)",
		  "hmac(sha1)", 24, 20, 96 },
		{ { ESP_NULL, 0, ESP_AUTH_HMAC_SHA2_256, 0, false }, "", "ecb(cipher_null)",
		  "hmac(sha256)", 0, 32, 128 },
	};
	struct kernel *k = open_ok(state);
	uint8_t keymat[128];
	char err[256];

	keymat_fill(keymat, sizeof(keymat));
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		unsigned int len = kinds[i].enc_bytes + kinds[i].auth_bytes;
		struct kernel_sa ksa = {
			.spi = 0x4000 + (uint32_t)i, .dir = NFSEC_SA_DIR_OUT,
			.src = addr("192.0.2.1"), .dst = addr("198.51.100.2"),
			.mode = NFSEC_MODE_TUNNEL, .proposal = &kinds[i].p, .keymat = keymat,
			.keymat_len = len,
		};
		const struct nfsec_sa *sa = &fake.sa_copy;

		assert_int_equal(kernel_keymat_len(&kinds[i].p), (int)len);
		assert_int_equal(kernel_sa_add(k, &ksa, err, sizeof(err)), 0);
		assert_string_equal(sa->aead.name, kinds[i].aead);
		assert_string_equal(sa->enc.name, kinds[i].enc);
		assert_string_equal(sa->auth.name, kinds[i].auth);
		assert_int_equal(sa->esn, kinds[i].p.esn);
		if (kinds[i].aead[0]) {
			assert_int_equal(sa->aead.key_len, kinds[i].enc_bytes);
			assert_memory_equal(sa->aead.key, keymat, kinds[i].enc_bytes);
			assert_int_equal(sa->aead.icv_bits, kinds[i].icv);
			assert_int_equal(sa->enc.key_len + sa->auth.key_len, 0);
		} else {
			assert_int_equal(sa->enc.key_len, kinds[i].enc_bytes);
			if (kinds[i].enc_bytes)
				assert_memory_equal(sa->enc.key, keymat, kinds[i].enc_bytes);
			assert_int_equal(sa->enc.icv_bits, 0);
			assert_int_equal(sa->auth.key_len, kinds[i].auth_bytes);
			assert_memory_equal(sa->auth.key, keymat + kinds[i].enc_bytes,
					    kinds[i].auth_bytes);
			assert_int_equal(sa->auth.icv_bits, kinds[i].icv);
			assert_int_equal(sa->aead.key_len, 0);
		}

		/* a byte too few or too many is refused before anything is sent */
		for (int d = -1; d <= 1; d += 2) {
			char want[128];

			ksa.keymat_len = len + (size_t)d;
			if (!len && d < 0)
				continue;
			assert_int_equal(kernel_sa_add(k, &ksa, err, sizeof(err)), -EINVAL);
			snprintf(want, sizeof(want), "SA 0x%08x out: KEYMAT of %u bytes, the "
				 "proposal needs %u", ksa.spi, len + d, len);
			assert_string_equal(err, want);
		}
		assert_int_equal(fake.sa_adds, i + 1);
	}

	/* a proposal the module has no algorithm for */
	{
		const struct esp_proposal des = { 3, 0, ESP_AUTH_HMAC_SHA1, 0, false };
		struct kernel_sa ksa = {
			.spi = 0x5000, .dir = NFSEC_SA_DIR_OUT, .src = addr("192.0.2.1"),
			.dst = addr("198.51.100.2"), .proposal = &des, .keymat = keymat,
			.keymat_len = 44,
		};

		assert_int_equal(kernel_keymat_len(&des), -EINVAL);
		assert_int_equal(kernel_sa_add(k, &ksa, err, sizeof(err)), -EINVAL);
		assert_string_equal(err, "SA 0x00005000 out: ESP transform 3 (key 0 bits, auth 2) "
				    "unknown to the kernel");
	}
}

/* --- SAs: the keys do not outlive the call -------------------------------------------- */

static void test_sa_keys_wiped(void **state)
{
	struct kernel *k = open_ok(state);
	uint8_t keymat[36], copy[36];
	struct kernel_sa ksa = {
		.spi = 0x2000, .dir = NFSEC_SA_DIR_IN, .src = addr("198.51.100.2"),
		.dst = addr("192.0.2.1"), .mode = NFSEC_MODE_TUNNEL,
		.proposal = &(struct esp_proposal){ ESP_AES_GCM_16, 256, 0, 0, false },
		.keymat = keymat, .keymat_len = sizeof(keymat),
	};
	char err[256] = "";

	keymat_fill(keymat, sizeof(keymat));
	memcpy(copy, keymat, sizeof(copy));
	assert_int_equal(kernel_sa_add(k, &ksa, err, sizeof(err)), 0);
	/* the keys were in our buffer when libnfsec got it, and are gone now */
	assert_memory_equal(fake.sa_copy.aead.key, keymat, 36);
	assert_non_null(fake.sa_buf);
	assert_true(all_zero(fake.sa_buf, sizeof(*fake.sa_buf)));
	/* the caller's KEYMAT is the caller's to wipe */
	assert_memory_equal(keymat, copy, sizeof(copy));

	/* the same when the module refuses the SA; its message passed on */
	fake.sa_buf = NULL;
	fake.sa_add_err = -EEXIST;
	assert_int_equal(kernel_sa_add(k, &ksa, err, sizeof(err)), -EEXIST);
	assert_string_equal(err, "SA 0x00002000 in: add SA: an SA with this SPI, destination "
			    "and protocol exists (File exists)");
	assert_memory_equal(fake.sa_copy.aead.key, keymat, 36);
	assert_true(all_zero(fake.sa_buf, sizeof(*fake.sa_buf)));

	/* and when libnfsec refuses it before building a request (SPI below 256) */
	fake.sa_buf = NULL;
	fake.sa_add_err = 0;
	ksa.spi = 255;
	assert_int_equal(kernel_sa_add(k, &ksa, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "SA 0x000000ff in: add SA: SPI 255 is below 256");
	assert_true(all_zero(fake.sa_buf, sizeof(*fake.sa_buf)));

	/* outer addresses of two families are refused here */
	ksa.spi = 0x2001;
	ksa.src = addr("2001:db8::2");
	assert_int_equal(kernel_sa_add(k, &ksa, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "SA 0x00002001 in: addresses of families 10 and 2");
}

/* --- SAs: delete and statistics -------------------------------------------------------- */

static void test_sa_del_stats(void **state)
{
	struct kernel *k = open_ok(state);
	struct tunnel_addr dst = addr("2001:db8::1");
	struct kernel_sa_stats st;
	char err[256] = "";

	assert_int_equal(kernel_sa_del(k, 0x1234, &dst, err, sizeof(err)), 0);
	assert_int_equal(fake.del_spi, 0x1234);
	assert_int_equal(fake.del_family, AF_INET6);
	assert_memory_equal(fake.del_dst, dst.addr, 16);
	assert_int_equal(fake.del_proto, IPPROTO_ESP);
	fake.sa_del_err = -ENOENT;
	assert_int_equal(kernel_sa_del(k, 0x1234, &dst, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "SA 0x00001234: delete SA: no such SA (No such file or "
			    "directory)");

	fake.sa_reply = sample_sa_out();
	fake.kernel_spi[fake.kernel_spi_count++] = 0x1000;
	assert_int_equal(kernel_sa_stats(k, 0x1000, &dst, &st, err, sizeof(err)), 0);
	assert_int_equal(st.bytes, 3400);
	assert_int_equal(st.packets, 12);
	assert_int_equal(st.age_seconds, 5);
	assert_int_equal(st.seq, 12);
	assert_int_equal(fake.get_spi, 0x1000);
	assert_memory_equal(fake.get_dst, dst.addr, 16);
	assert_int_equal(kernel_sa_stats(k, 0x1001, &dst, &st, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "SA 0x00001001: get SA: no such SA (No such file or directory)");
}

/* --- lifetimes ------------------------------------------------------------------------- */

static uint64_t soft_of(uint64_t hard, uint64_t margin, uint64_t r)
{
	const struct kernel_lifetime in = { .hard_seconds = hard, .margin_seconds = margin };
	const uint64_t rnd[2] = { r, 0 };
	struct nfsec_lifetime out;

	kernel_lifetime_derive(&in, rnd, &out);
	assert_int_equal(out.hard_seconds, hard);
	return out.soft_seconds;
}

static void test_lifetime(void **state)
{
	const struct kernel_lifetime in = {
		.hard_seconds = 3600, .margin_seconds = 540,
		.hard_bytes = 1 << 30, .margin_bytes = 1 << 20,
	};
	const uint64_t rnd[2] = { 540, 1 << 20 };
	struct nfsec_lifetime out;

	(void)state;
	/* none stays none */
	assert_int_equal(soft_of(0, 540, 17), 0);
	/* hard - margin - r, r in 0..margin */
	assert_int_equal(soft_of(3600, 540, 0), 3060);
	assert_int_equal(soft_of(3600, 540, 540), 2520);
	assert_int_equal(soft_of(3600, 540, 541), 3060);
	/* no margin: soft is hard */
	assert_int_equal(soft_of(3600, 0, 12345), 3600);
	/* the jitter never pushes soft below 1 */
	assert_int_equal(soft_of(100, 60, 0), 40);
	assert_int_equal(soft_of(100, 60, 39), 1);
	assert_int_equal(soft_of(100, 60, 40), 40);
	/* a margin at or above hard leaves 1 second */
	assert_int_equal(soft_of(100, 100, 5), 1);
	assert_int_equal(soft_of(100, 500, UINT64_MAX), 1);
	assert_int_equal(soft_of(1, 1, 0), 1);
	assert_int_equal(soft_of(UINT64_MAX, 10, UINT64_MAX), UINT64_MAX - 10 - UINT64_MAX % 11);

	/* bytes the same way, packets never */
	kernel_lifetime_derive(&in, rnd, &out);
	assert_int_equal(out.soft_seconds, 2520);
	assert_int_equal(out.hard_bytes, 1 << 30);
	assert_int_equal(out.soft_bytes, (1 << 30) - (2 << 20));
	assert_int_equal(out.soft_packets, 0);
	assert_int_equal(out.hard_packets, 0);

	/* against the rule on random input */
	srandom(1);
	for (int i = 0; i < 100000; i++) {
		uint64_t hard = (uint64_t)random() % 100000 + 1;
		uint64_t margin = (uint64_t)random() % (hard * 2);
		uint64_t r = ((uint64_t)random() << 31) ^ (uint64_t)random();
		uint64_t soft = soft_of(hard, margin, r);

		assert_true(soft >= 1 && soft <= hard);
		if (margin < hard)
			assert_true(soft <= hard - margin);
		if (margin * 2 < hard)
			assert_true(soft >= hard - 2 * margin);
	}
}

/* --- selectors and priorities ---------------------------------------------------------- */

static void test_selectors(void **state)
{
	const struct kernel_ts_pair pair = {
		.local = ts("10.1.2.3", 32, IPPROTO_TCP, 22), .remote = ts("10.3.0.0", 16, 0, 0),
		.reqid = 13,
	};
	const struct kernel_tunnel kt = {
		.local = addr("192.0.2.1"), .remote = addr("198.51.100.2"),
		.mode = NFSEC_MODE_TUNNEL, .pair_count = 1, .pairs = &pair,
	};
	struct kernel_tunnel transport = kt;
	struct kernel_ts_pair bad = pair;
	struct nfsec_selector sel, want;
	char err[128] = "";

	(void)state;
	assert_int_equal(kernel_pair_selector(&kt, &pair, false, &sel, err, sizeof(err)), 0);
	want = (struct nfsec_selector){
		.family = AF_INET, .src = { 10, 1, 2, 3 }, .src_prefix = 32,
		.dst = { 10, 3 }, .dst_prefix = 16, .proto = IPPROTO_TCP,
		.sport_min = 22, .sport_max = 22, .dport_min = 0, .dport_max = 65535,
	};
	assert_memory_equal(&sel, &want, sizeof(sel));
	assert_int_equal(kernel_pair_selector(&kt, &pair, true, &sel, err, sizeof(err)), 0);
	want = (struct nfsec_selector){
		.family = AF_INET, .src = { 10, 3 }, .src_prefix = 16,
		.dst = { 10, 1, 2, 3 }, .dst_prefix = 32, .proto = IPPROTO_TCP,
		.sport_min = 0, .sport_max = 65535, .dport_min = 22, .dport_max = 22,
	};
	assert_memory_equal(&sel, &want, sizeof(sel));

	/* transport: the endpoints at full length, the pair's protocol and ports */
	transport.mode = NFSEC_MODE_TRANSPORT;
	assert_int_equal(kernel_pair_selector(&transport, &pair, false, &sel, err, sizeof(err)),
			 0);
	want = (struct nfsec_selector){
		.family = AF_INET, .src = { 192, 0, 2, 1 }, .src_prefix = 32,
		.dst = { 198, 51, 100, 2 }, .dst_prefix = 32, .proto = IPPROTO_TCP,
		.sport_min = 22, .sport_max = 22, .dport_min = 0, .dport_max = 65535,
	};
	assert_memory_equal(&sel, &want, sizeof(sel));
	bad.local = ts("2001:db8::1", 128, 0, 0);
	bad.remote = ts("2001:db8::2", 128, 0, 0);
	assert_int_equal(kernel_pair_selector(&transport, &bad, false, &sel, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "transport selector pair of family 10, the endpoints' is 2");

	/* IPv6 inside IPv4, the address masked to its prefix */
	bad.local = ts("2001:db8:1::77", 48, 0, 0);
	bad.remote = ts("2001:db8:2::", 64, 0, 0);
	assert_int_equal(kernel_pair_selector(&kt, &bad, false, &sel, err, sizeof(err)), 0);
	assert_int_equal(sel.family, AF_INET6);
	assert_true(all_zero(sel.src + 6, 10));
	assert_int_equal(sel.src_prefix, 48);
	assert_int_equal(sel.proto, 0);

	/* what no selector can be */
	bad.remote = ts("10.3.0.0", 16, 0, 0);
	assert_int_equal(kernel_pair_selector(&kt, &bad, false, &sel, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "selector pair of families 10 and 2");
	bad = pair;
	bad.remote.proto = IPPROTO_UDP;
	assert_int_equal(kernel_pair_selector(&kt, &bad, true, &sel, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "selector pair of protocols 6 and 17 matches nothing");
}

static struct nfsec_selector sel_of(uint8_t src_prefix, uint8_t dst_prefix, uint8_t proto,
				    uint16_t port)
{
	return (struct nfsec_selector){
		.family = AF_INET6, .src_prefix = src_prefix, .dst_prefix = dst_prefix,
		.proto = proto, .sport_min = 0, .sport_max = 65535, .dport_min = port,
		.dport_max = port ? port : 65535,
	};
}

static void test_priority(void **state)
{
	struct nfsec_selector a, b;

	(void)state;
	/* ((768 - src - dst) << 2) + (no port ? 2 : 0) + (no proto ? 1 : 0) */
	a = sel_of(0, 0, 0, 0);
	assert_int_equal(kernel_policy_priority(&a), 3075);
	a = sel_of(16, 16, 0, 0);
	assert_int_equal(kernel_policy_priority(&a), 2947);
	a = sel_of(32, 16, IPPROTO_TCP, 22);
	assert_int_equal(kernel_policy_priority(&a), 2880);
	a = sel_of(24, 24, IPPROTO_UDP, 0);
	assert_int_equal(kernel_policy_priority(&a), 2882);
	a = sel_of(128, 128, IPPROTO_TCP, 443);
	assert_int_equal(kernel_policy_priority(&a), 2048);
	a.sport_min = 1;		/* a source port alone counts too */
	a.dport_min = 0;
	a.dport_max = 65535;
	assert_int_equal(kernel_policy_priority(&a), 2048);

	/* a naive order on random selectors: longer prefixes, then ports, then proto win */
	srandom(2);
	for (int i = 0; i < 100000; i++) {
		uint8_t sa = (uint8_t)(random() % 129), da = (uint8_t)(random() % 129);
		uint8_t sb = (uint8_t)(random() % 129), db = (uint8_t)(random() % 129);
		bool pa = random() % 2, pb = random() % 2;
		uint8_t xa = random() % 2 ? IPPROTO_TCP : 0, xb = random() % 2 ? IPPROTO_TCP : 0;
		int want;

		a = sel_of(sa, da, pa || xa ? IPPROTO_TCP : 0, pa ? 80 : 0);
		b = sel_of(sb, db, pb || xb ? IPPROTO_TCP : 0, pb ? 80 : 0);
		if (sa + da != sb + db)
			want = sa + da > sb + db ? -1 : 1;
		else if (pa != pb)
			want = pa ? -1 : 1;
		else if (!!a.proto != !!b.proto)
			want = a.proto ? -1 : 1;
		else
			want = 0;
		if (want < 0)
			assert_true(kernel_policy_priority(&a) < kernel_policy_priority(&b));
		else if (want > 0)
			assert_true(kernel_policy_priority(&a) > kernel_policy_priority(&b));
		else
			assert_int_equal(kernel_policy_priority(&a), kernel_policy_priority(&b));
	}
}

/* --- a tunnel's policies --------------------------------------------------------------- */

/* 2 x 2 selectors, tunnel mode: pairs (L1,R1) (L1,R2) (L2,R1) (L2,R2), reqids 11..14. */
static const struct kernel_ts_pair *pairs_2x2(void)
{
	static struct kernel_ts_pair p[4];
	struct tunnel_ts l[2] = { ts("10.1.0.0", 16, 0, 0), ts("10.1.2.3", 32, IPPROTO_TCP, 22) };
	struct tunnel_ts r[2] = { ts("10.3.0.0", 16, 0, 0), ts("10.4.0.0", 24, 0, 0) };

	for (int i = 0; i < 4; i++)
		p[i] = (struct kernel_ts_pair){ l[i / 2], r[i % 2], 11 + (uint32_t)i };
	return p;
}

static struct kernel_tunnel tunnel_2x2(void)
{
	return (struct kernel_tunnel){
		.local = addr("192.0.2.1"), .remote = addr("198.51.100.2"),
		.mode = NFSEC_MODE_TUNNEL, .pair_count = 4, .pairs = pairs_2x2(),
	};
}

/* Two policies of someone else's, one with pair 1's out selector at another priority. */
static void spd_foreign(void)
{
	struct nfsec_policy bypass = {
		.index = 1, .dir = NFSEC_POLICY_DIR_OUT, .action = NFSEC_POLICY_BYPASS,
		.priority = 10, .sel = sel_of(0, 0, 0, 0),
	};
	struct nfsec_policy other = {
		.index = 2, .dir = NFSEC_POLICY_DIR_OUT, .action = NFSEC_POLICY_PROTECT,
		.priority = 100,
		.sel = { .family = AF_INET, .src = { 10, 1 }, .src_prefix = 16, .dst = { 10, 3 },
			 .dst_prefix = 16, .sport_max = 65535, .dport_max = 65535 },
		.has_tmpl = true,
		.tmpl = { .mode = NFSEC_MODE_TUNNEL, .family = AF_INET, .src = { 192, 0, 2, 1 },
			  .dst = { 198, 51, 100, 2 }, .reqid = 11 },
	};

	fake.spd[fake.spd_count++] = bypass;
	fake.spd[fake.spd_count++] = other;
}

/*
 * The request of policy n (0-based) of the 2 x 2 tunnel, attribute by attribute: out, in
 * and fwd (as in) of each pair.
 */
static void expect_policy_request(unsigned int n)
{
	static const uint32_t prio[4] = { 2947, 2915, 2880, 2848 };
	static const char *const l[2] = { "10.1.0.0", "10.1.2.3" };
	static const uint8_t lp[2] = { 16, 32 };
	static const char *const r[2] = { "10.3.0.0", "10.4.0.0" };
	static const uint8_t rp[2] = { 16, 24 };
	static const uint8_t dir[3] = {
		NFSEC_POLICY_DIR_OUT, NFSEC_POLICY_DIR_IN, NFSEC_POLICY_DIR_FWD,
	};
	unsigned int pair = n / 3, li = pair / 2, ri = pair % 2;
	bool in = n % 3;
	uint8_t proto = li ? IPPROTO_TCP : 0;
	uint16_t port_min = li ? 22 : 0, port_max = li ? 22 : 65535;
	struct nl_msg *msg = fake.policy_msg[n];
	struct walk top, w, t;

	assert_non_null(msg);
	expect_header(msg, NFSEC_CMD_POLICY_NEW, 0);
	top = walk_msg(msg);
	w = walk_nest(next_attr(&top, NFSEC_A_POLICY | NLA_F_NESTED, -1));
	walk_end(&top);
	next_u8(&w, NFSEC_POLICY_A_DIR, dir[n % 3]);
	next_u8(&w, NFSEC_POLICY_A_ACTION, NFSEC_POLICY_PROTECT);
	next_u32(&w, NFSEC_POLICY_A_PRIORITY, prio[pair]);
	if (!in)
		next_selector(&w, NFSEC_POLICY_A_SELECTOR, 4, l[li], lp[li], r[ri], rp[ri], proto,
			      port_min, port_max, 0, 65535);
	else
		next_selector(&w, NFSEC_POLICY_A_SELECTOR, 4, r[ri], rp[ri], l[li], lp[li], proto,
			      0, 65535, port_min, port_max);
	t = walk_nest(next_attr(&w, NFSEC_POLICY_A_TMPL | NLA_F_NESTED, -1));
	next_u8(&t, NFSEC_TMPL_A_MODE, NFSEC_MODE_TUNNEL);
	next_u16(&t, NFSEC_TMPL_A_FAMILY, AF_INET);
	next_addr(&t, NFSEC_TMPL_A_SRC, in ? "198.51.100.2" : "192.0.2.1", 4);
	next_addr(&t, NFSEC_TMPL_A_DST, in ? "192.0.2.1" : "198.51.100.2", 4);
	next_u32(&t, NFSEC_TMPL_A_REQID, 11 + pair);
	walk_end(&t);
	walk_end(&w);
}

static void test_policies_2x2(void **state)
{
	struct kernel *k = open_ok(state);
	struct kernel_tunnel kt = tunnel_2x2();
	struct kernel_policies pol;
	char err[256] = "";

	spd_foreign();
	assert_int_equal(kernel_tunnel_policies_add(k, &kt, &pol, err, sizeof(err)), 0);
	assert_int_equal(fake.policy_adds, 12);
	assert_int_equal(fake.spd_count, 14);
	for (unsigned int n = 0; n < 12; n++)
		expect_policy_request(n);
	/* the indices the module gave, in the order of the policies, found by the dump */
	assert_int_equal(pol.count, 12);
	assert_memory_equal(pol.index, default_indices, 12 * sizeof(uint32_t));

	/* removed: exactly those, the foreign ones stay */
	assert_int_equal(kernel_tunnel_policies_del(k, &pol, err, sizeof(err)), 0);
	assert_int_equal(pol.count, 0);
	assert_int_equal(fake.del_count, 12);
	assert_memory_equal(fake.deleted, default_indices, 12 * sizeof(uint32_t));
	assert_int_equal(fake.spd_count, 2);
	assert_int_equal(fake.spd[0].index, 1);
	assert_int_equal(fake.spd[1].index, 2);
}

static void test_policies_rollback(void **state)
{
	struct kernel *k = open_ok(state);
	struct kernel_tunnel kt = tunnel_2x2();
	struct kernel_policies pol = { .count = 3 };
	char err[512] = "";

	spd_foreign();
	fake.fail_add_at = 7;
	assert_int_equal(kernel_tunnel_policies_add(k, &kt, &pol, err, sizeof(err)), -EEXIST);
	/* policy 7 exists, but the dump finds none the same: another one is in the way */
	assert_string_equal(err, "policy 7 of 12 (out 10.1.2.3/32 -> 10.3.0.0/16 proto 6 reqid "
			    "13): another policy with its direction, selector and priority is "
			    "in the way");
	assert_int_equal(pol.count, 0);
	assert_int_equal(fake.policy_adds, 12);
	/* the eleven added are gone, by the indices the module gave them */
	assert_int_equal(fake.del_count, 11);
	assert_memory_equal(fake.deleted, default_indices, 11 * sizeof(uint32_t));
	assert_int_equal(fake.spd_count, 2);

	/* a rollback that cannot remove one says so */
	memset(&fake.deleted, 0, sizeof(fake.deleted));
	fake.del_count = 0;
	policy_msgs_free();
	fake.next_index = default_indices;
	fake.fail_del_index = default_indices[1];
	assert_int_equal(kernel_tunnel_policies_add(k, &kt, &pol, err, sizeof(err)), -EEXIST);
	assert_string_equal(err, "policy 7 of 12 (out 10.1.2.3/32 -> 10.3.0.0/16 proto 6 reqid "
			    "13): another policy with its direction, selector and priority is "
			    "in the way; policy 2 of 12 stays (index 41): delete policy: "
			    "Operation not permitted");
	assert_int_equal(fake.del_count, 11);
	assert_int_equal(fake.spd_count, 3);
}

/*
 * The policies a daemon stopping without --flush-on-exit left: the next one's add finds
 * them the same and takes them, removing nothing.
 */
static void test_policies_adopted(void **state)
{
	struct kernel *k = open_ok(state);
	struct kernel_tunnel kt = tunnel_2x2();
	struct kernel_policies pol, again;
	char err[512] = "";

	spd_foreign();
	assert_int_equal(kernel_tunnel_policies_add(k, &kt, &pol, err, sizeof(err)), 0);
	fake.all_exist = true;
	assert_int_equal(kernel_tunnel_policies_add(k, &kt, &again, err, sizeof(err)), 0);
	assert_int_equal(again.count, 12);
	assert_memory_equal(again.index, pol.index, 12 * sizeof(uint32_t));
	assert_int_equal(fake.del_count, 0);
	assert_int_equal(fake.spd_count, 14);
	/* a tunnel whose policies differ (another request id) is in the way, and adds none */
	kt = tunnel_2x2();
	{
		struct kernel_ts_pair pairs[KERNEL_PAIRS_MAX];

		memcpy(pairs, kt.pairs, kt.pair_count * sizeof(pairs[0]));
		pairs[0].reqid += 100;
		kt.pairs = pairs;
		assert_int_equal(kernel_tunnel_policies_add(k, &kt, &again, err, sizeof(err)),
				 -EEXIST);
	}
	assert_non_null(strstr(err, "policy 1 of 12"));
	assert_non_null(strstr(err, "is in the way"));
	assert_int_equal(again.count, 0);
	assert_int_equal(fake.del_count, 0);
	assert_int_equal(fake.spd_count, 14);
}

static bool stale_reqid(uint32_t reqid, void *arg)
{
	return reqid == *(const uint32_t *)arg;
}

/*
 * A peer's policies (remote %any) that a run stopped without --flush-on-exit left, under a
 * request id nothing has now: the next run's peer with the same selectors replaces them.
 * Not one under a live request id, nor one from another local address.
 */
static void test_policies_leftover(void **state)
{
	struct kernel *k = open_ok(state);
	struct kernel_ts_pair old = pairs_2x2()[0], now = old;
	struct kernel_tunnel kt = tunnel_2x2();
	struct kernel_policies pol, left;
	uint32_t stale = 11;
	char err[512] = "";

	fake.spd_exact = true;
	kt.pair_count = 1;
	kt.pairs = &old;
	assert_int_equal(kernel_tunnel_policies_add(k, &kt, &left, err, sizeof(err)), 0);
	assert_int_equal(fake.spd_count, 3);

	/* the next run: another peer, request id 300, the same selectors */
	now.reqid = 300;
	kt.pairs = &now;
	kt.remote = addr("198.51.100.9");
	kt.stale = stale_reqid;
	kt.stale_arg = &stale;
	assert_int_equal(kernel_tunnel_policies_add(k, &kt, &pol, err, sizeof(err)), 0);
	assert_int_equal(fake.del_count, 3);
	assert_memory_equal(fake.deleted, left.index, 3 * sizeof(uint32_t));
	assert_int_equal(pol.count, 3);
	assert_int_equal(fake.spd_count, 3);
	for (unsigned int i = 0; i < 3; i++) {
		bool in = fake.spd[i].dir != NFSEC_POLICY_DIR_OUT;

		assert_int_equal(fake.spd[i].index, pol.index[i]);
		assert_int_equal(fake.spd[i].tmpl.reqid, 300);
		assert_memory_equal(in ? fake.spd[i].tmpl.src : fake.spd[i].tmpl.dst,
				    kt.remote.addr, 4);
	}

	/* a request id in use is no leftover: in the way */
	stale = 11;
	now.reqid = 301;
	assert_int_equal(kernel_tunnel_policies_add(k, &kt, &left, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "is in the way"));
	assert_int_equal(fake.spd_count, 3);

	/* nor one from another local address, whatever its request id */
	stale = 300;
	kt.local = addr("192.0.2.99");
	assert_int_equal(kernel_tunnel_policies_add(k, &kt, &left, err, sizeof(err)), -EEXIST);
	assert_int_equal(fake.del_count, 3);
	kt.local = addr("192.0.2.1");
	assert_int_equal(kernel_tunnel_policies_add(k, &kt, &left, err, sizeof(err)), 0);
	assert_int_equal(fake.del_count, 6);
	assert_int_equal(fake.spd[0].tmpl.reqid, 301);
}

static void test_policies_refused(void **state)
{
	struct kernel *k = open_ok(state);
	struct kernel_tunnel kt = tunnel_2x2();
	struct kernel_ts_pair pairs[4];
	struct kernel_policies pol;
	char err[512] = "";

	/* a pair no selector can be made of: nothing is added */
	memcpy(pairs, kt.pairs, sizeof(pairs));
	pairs[3].remote.proto = IPPROTO_UDP;
	kt.pairs = pairs;
	assert_int_equal(kernel_tunnel_policies_add(k, &kt, &pol, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "policy 10 of 12 (pair 4): selector pair of protocols 6 and 17 "
			    "matches nothing");
	assert_int_equal(fake.policy_adds, 0);

	kt = tunnel_2x2();
	kt.remote = addr("2001:db8::2");
	assert_int_equal(kernel_tunnel_policies_add(k, &kt, &pol, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "tunnel policies: endpoints of families 2 and 10");
	kt = tunnel_2x2();
	kt.pair_count = 0;
	assert_int_equal(kernel_tunnel_policies_add(k, &kt, &pol, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "tunnel policies: 0 selector pairs, 1..64 allowed");

	/* the indices cannot be read: nothing can be removed, and the message says so */
	kt = tunnel_2x2();
	kt.pair_count = 1;
	fake.dump_err = -EPERM;
	assert_int_equal(kernel_tunnel_policies_add(k, &kt, &pol, err, sizeof(err)), -EPERM);
	assert_string_equal(err, "tunnel policies: reading their indices: list policies: "
			    "Operation not permitted; policy 1 of 3 may stay: its index was not "
			    "found; policy 2 of 3 may stay: its index was not found; policy 3 of 3 "
			    "may stay: its index was not found");
	assert_int_equal(pol.count, 0);
	assert_int_equal(fake.del_count, 0);
}

static void test_policies_transport_v6(void **state)
{
	struct kernel *k = open_ok(state);
	const struct kernel_ts_pair pair = {
		.local = ts("2001:db8::1", 128, IPPROTO_UDP, 1701),
		.remote = ts("2001:db8::2", 128, IPPROTO_UDP, 0), .reqid = 5,
	};
	const struct kernel_tunnel kt = {
		.local = addr("2001:db8::1"), .remote = addr("2001:db8::2"),
		.mode = NFSEC_MODE_TRANSPORT, .pair_count = 1, .pairs = &pair,
	};
	struct kernel_policies pol;
	char err[256] = "";
	struct walk top, w, t;

	assert_int_equal(kernel_tunnel_policies_add(k, &kt, &pol, err, sizeof(err)), 0);
	assert_int_equal(pol.count, 2);
	assert_int_equal(pol.index[0], default_indices[0]);
	assert_int_equal(pol.index[1], default_indices[1]);
	for (unsigned int n = 0; n < 2; n++) {
		top = walk_msg(fake.policy_msg[n]);
		w = walk_nest(next_attr(&top, NFSEC_A_POLICY | NLA_F_NESTED, -1));
		next_u8(&w, NFSEC_POLICY_A_DIR, n ? NFSEC_POLICY_DIR_IN : NFSEC_POLICY_DIR_OUT);
		next_u8(&w, NFSEC_POLICY_A_ACTION, NFSEC_POLICY_PROTECT);
		next_u32(&w, NFSEC_POLICY_A_PRIORITY, 2048);
		if (!n)
			next_selector(&w, NFSEC_POLICY_A_SELECTOR, 16, "2001:db8::1", 128,
				      "2001:db8::2", 128, IPPROTO_UDP, 1701, 1701, 0, 65535);
		else
			next_selector(&w, NFSEC_POLICY_A_SELECTOR, 16, "2001:db8::2", 128,
				      "2001:db8::1", 128, IPPROTO_UDP, 0, 65535, 1701, 1701);
		/* a transport template has no endpoints */
		t = walk_nest(next_attr(&w, NFSEC_POLICY_A_TMPL | NLA_F_NESTED, -1));
		next_u8(&t, NFSEC_TMPL_A_MODE, NFSEC_MODE_TRANSPORT);
		next_u32(&t, NFSEC_TMPL_A_REQID, 5);
		walk_end(&t);
		walk_end(&w);
	}
}

static void test_policies_del(void **state)
{
	struct kernel *k = open_ok(state);
	struct kernel_policies pol = { .count = 4, .index = { 7, 8, 9, 10 } };
	struct nfsec_policy p = { .dir = NFSEC_POLICY_DIR_IN, .action = NFSEC_POLICY_BYPASS,
				  .sel = sel_of(0, 0, 0, 0) };
	char err[256] = "";

	/* 7 and 10 are there, 8 was flushed by hand, 9 cannot be removed */
	p.index = 7;
	fake.spd[fake.spd_count++] = p;
	p.index = 10;
	fake.spd[fake.spd_count++] = p;
	fake.fail_del_index = 9;
	assert_int_equal(kernel_tunnel_policies_del(k, &pol, err, sizeof(err)), -EPERM);
	assert_string_equal(err, "policy index 9: delete policy: Operation not permitted");
	assert_int_equal(fake.del_count, 4);
	assert_int_equal(fake.spd_count, 0);
	assert_int_equal(pol.count, 1);
	assert_int_equal(pol.index[0], 9);

	fake.fail_del_index = 0;
	assert_int_equal(kernel_tunnel_policies_del(k, &pol, err, sizeof(err)), 0);
	assert_int_equal(pol.count, 0);
}

/* --- SPIs ------------------------------------------------------------------------------ */

static void test_spi_alloc(void **state)
{
	struct kernel *k = open_ok(state);
	struct tunnel_addr dst = addr("192.0.2.1");
	uint32_t spi = 0;
	char err[256] = "";

	/* too small, taken in the module, then free */
	fake.kernel_spi[fake.kernel_spi_count++] = 0x1234;
	random_u32((const uint32_t[]){ 0xff, 0x1234, 0xabcd0001 }, 3);
	assert_int_equal(kernel_spi_alloc(k, &dst, &spi, err, sizeof(err)), 0);
	assert_int_equal(spi, 0xabcd0001);
	assert_int_equal(fake.sa_gets, 2);
	assert_int_equal(fake.get_spi, 0xabcd0001);
	assert_int_equal(fake.get_family, AF_INET);
	assert_memory_equal(fake.get_dst, dst.addr, 4);

	/* outstanding: skipped without asking the module */
	random_u32((const uint32_t[]){ 0xabcd0001, 0x100 }, 2);
	assert_int_equal(kernel_spi_alloc(k, &dst, &spi, err, sizeof(err)), 0);
	assert_int_equal(spi, 0x100);
	assert_int_equal(fake.sa_gets, 3);

	/* released: may come again */
	kernel_spi_release(k, 0xabcd0001);
	kernel_spi_release(k, 0x77777777);	/* never handed out: nothing happens */
	random_u32((const uint32_t[]){ 0xabcd0001 }, 1);
	assert_int_equal(kernel_spi_alloc(k, &dst, &spi, err, sizeof(err)), 0);
	assert_int_equal(spi, 0xabcd0001);

	/* the module's error passes through */
	fake.sa_get_err = -EPERM;
	random_u32((const uint32_t[]){ 0x5000 }, 1);
	assert_int_equal(kernel_spi_alloc(k, &dst, &spi, err, sizeof(err)), -EPERM);
	assert_string_equal(err, "SPI: get SA: Operation not permitted");
	fake.sa_get_err = 0;

	/* nothing but reserved values (the zeros after the script) */
	random_u32(NULL, 0);
	assert_int_equal(kernel_spi_alloc(k, &dst, &spi, err, sizeof(err)), -EAGAIN);
	assert_string_equal(err, "SPI: none free after 32 tries");
}

static void test_spi_pending_full(void **state)
{
	struct kernel *k = open_ok(state);
	struct tunnel_addr dst = addr("2001:db8::1");
	uint32_t v[KERNEL_SPI_PENDING_MAX + 1], spi;
	char err[256] = "";

	for (uint32_t i = 0; i <= KERNEL_SPI_PENDING_MAX; i++)
		v[i] = 0x10000 + i;
	random_u32(v, KERNEL_SPI_PENDING_MAX + 1);
	for (int i = 0; i < KERNEL_SPI_PENDING_MAX; i++) {
		assert_int_equal(kernel_spi_alloc(k, &dst, &spi, err, sizeof(err)), 0);
		assert_int_equal(spi, v[i]);
	}
	assert_int_equal(kernel_spi_alloc(k, &dst, &spi, err, sizeof(err)), -EBUSY);
	assert_string_equal(err, "SPI: 256 negotiations hold one already");
	kernel_spi_release(k, v[3]);
	assert_int_equal(kernel_spi_alloc(k, &dst, &spi, err, sizeof(err)), 0);
	assert_int_equal(spi, v[KERNEL_SPI_PENDING_MAX]);
}

/* --- events ---------------------------------------------------------------------------- */

/* An event as the module multicasts it: sequence 0, no flags. */
static struct nl_msg *event_new(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	assert_non_null(msg);
	assert_non_null(genlmsg_put(msg, 0, 0, TEST_FAMILY, 0, 0, cmd, NFSEC_GENL_VERSION));
	return msg;
}

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

static struct nl_msg *sa_event(uint8_t cmd, struct nfsec_sa sa, bool hard)
{
	struct nl_msg *msg = event_new(cmd);

	if (hard)
		assert_int_equal(nla_put_flag(msg, NFSEC_A_EXPIRE_HARD), 0);
	put_sa(msg, &sa, (struct sa_spoil){ 0 });
	return msg;
}

/* A TCP packet 10.1.2.3:22 -> 10.3.9.9:5555 that found no SA for pair 3's out policy. */
static struct nl_msg *acquire_event(void)
{
	struct nl_msg *msg = event_new(NFSEC_CMD_ACQUIRE);
	struct nfsec_policy p = {
		.index = 57, .dir = NFSEC_POLICY_DIR_OUT, .action = NFSEC_POLICY_PROTECT,
		.priority = 2880,
		.sel = { .family = AF_INET, .src = { 10, 1, 2, 3 }, .src_prefix = 32,
			 .dst = { 10, 3 }, .dst_prefix = 16, .proto = IPPROTO_TCP,
			 .sport_min = 22, .sport_max = 22, .dport_max = 65535 },
		.has_tmpl = true,
		.tmpl = { .mode = NFSEC_MODE_TUNNEL, .family = AF_INET, .src = { 192, 0, 2, 1 },
			  .dst = { 198, 51, 100, 2 }, .reqid = 13 },
	};
	struct nfsec_selector flow = {
		.family = AF_INET, .src = { 10, 1, 2, 3 }, .src_prefix = 32,
		.dst = { 10, 3, 9, 9 }, .dst_prefix = 32, .proto = IPPROTO_TCP,
		.sport_min = 22, .sport_max = 22, .dport_min = 5555, .dport_max = 5555,
	};

	put_policy(msg, &p);
	put_selector_nest(msg, NFSEC_A_FLOW, &flow);
	return msg;
}

static struct nl_msg *policy_del_event(uint32_t index)
{
	struct nl_msg *msg = event_new(NFSEC_CMD_POLICY_DEL);
	struct nfsec_policy p = {
		.index = index, .dir = NFSEC_POLICY_DIR_IN, .action = NFSEC_POLICY_DISCARD,
		.sel = sel_of(0, 0, 0, 0),
	};

	put_policy(msg, &p);
	return msg;
}

static struct nl_msg *flush_event(int dir)
{
	struct nl_msg *msg = event_new(NFSEC_CMD_POLICY_FLUSH);
	struct nlattr *nest;

	if (dir < 0)
		return msg;
	nest = nla_nest_start(msg, NFSEC_A_POLICY | NLA_F_NESTED);
	assert_int_equal(nla_put_u8(msg, NFSEC_POLICY_A_DIR, (uint8_t)dir), 0);
	assert_int_equal(nla_nest_end(msg, nest), 0);
	return msg;
}

/* Every callback, in order. */
struct calls {
	char log[256];
	struct kernel_acquire acq;
	struct kernel_sa_ref sa[4];
	bool hard[4];
	unsigned int sa_count;
};

static void log_call(struct calls *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void log_call(struct calls *c, const char *fmt, ...)
{
	size_t used = strlen(c->log);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->log + used, sizeof(c->log) - used, fmt, ap);
	va_end(ap);
}

static void on_acquire(const struct kernel_acquire *acq, void *arg)
{
	struct calls *c = arg;

	c->acq = *acq;
	log_call(c, "acquire ");
}

static void on_expire(const struct kernel_sa_ref *sa, bool hard, void *arg)
{
	struct calls *c = arg;

	assert_true(c->sa_count < 4);
	c->hard[c->sa_count] = hard;
	c->sa[c->sa_count++] = *sa;
	log_call(c, "expire-%s ", hard ? "hard" : "soft");
}

static void on_sa_deleted(const struct kernel_sa_ref *sa, void *arg)
{
	struct calls *c = arg;

	assert_true(c->sa_count < 4);
	c->sa[c->sa_count++] = *sa;
	log_call(c, "sa-deleted ");
}

static void on_sa_flushed(void *arg)
{
	log_call(arg, "sa-flushed ");
}

static void on_policy_deleted(uint32_t index, void *arg)
{
	log_call(arg, "policy-deleted-%u ", index);
}

static void on_policies_flushed(int dir, void *arg)
{
	log_call(arg, "policies-flushed-%d ", dir);
}

static void on_resync(void *arg)
{
	log_call(arg, "resync ");
}

static const struct kernel_event_ops all_ops = {
	.acquire = on_acquire, .expire = on_expire, .sa_deleted = on_sa_deleted,
	.sa_flushed = on_sa_flushed, .policy_deleted = on_policy_deleted,
	.policies_flushed = on_policies_flushed, .resync = on_resync,
};

static void expect_ref(const struct kernel_sa_ref *ref, const struct nfsec_sa *sa)
{
	unsigned int len = sa->family == AF_INET ? 4 : 16;

	assert_int_equal(ref->spi, sa->spi);
	assert_int_equal(ref->dir, sa->dir);
	assert_int_equal(ref->reqid, sa->reqid);
	assert_int_equal(ref->src.family, sa->family);
	assert_int_equal(ref->dst.family, sa->family);
	assert_memory_equal(ref->src.addr, sa->src, len);
	assert_memory_equal(ref->dst.addr, sa->dst, len);
	assert_true(all_zero(ref->dst.addr + len, 16 - len));
}

static void test_events(void **state)
{
	struct kernel *k = open_ok(state);
	struct nfsec_sa out = sample_sa_out(), in = sample_sa_in();
	struct datagram *d = &fake.reads[0].d;
	struct calls c = { .log = "" };
	char err[256] = "";

	append(d, sa_event(NFSEC_CMD_SA_NEW, out, false));	/* ours coming back: ignored */
	append(d, acquire_event());
	append(d, sa_event(NFSEC_CMD_EXPIRE, out, false));
	append(d, sa_event(NFSEC_CMD_EXPIRE, in, true));
	append(d, sa_event(NFSEC_CMD_SA_DEL, in, false));
	append(d, event_new(NFSEC_CMD_SA_FLUSH));
	append(d, policy_del_event(9));
	append(d, flush_event(NFSEC_POLICY_DIR_IN));
	append(d, flush_event(-1));
	fake.read_count = 1;

	assert_int_equal(kernel_event_fd(k), FAKE_FD);
	assert_int_equal(kernel_events_read(k, &all_ops, &c, err, sizeof(err)), 0);
	assert_string_equal(c.log, "acquire expire-soft expire-hard sa-deleted sa-flushed "
			    "policy-deleted-9 policies-flushed-1 policies-flushed--1 ");

	assert_int_equal(c.acq.policy_index, 57);
	assert_int_equal(c.acq.reqid, 13);
	assert_int_equal(c.acq.src.family, AF_INET);
	assert_memory_equal(c.acq.src.addr, ((uint8_t[16]){ 10, 1, 2, 3 }), 16);
	assert_memory_equal(c.acq.dst.addr, ((uint8_t[16]){ 10, 3, 9, 9 }), 16);
	assert_int_equal(c.acq.proto, IPPROTO_TCP);
	assert_int_equal(c.acq.sport, 22);
	assert_int_equal(c.acq.dport, 5555);

	assert_int_equal(c.sa_count, 3);
	expect_ref(&c.sa[0], &out);
	assert_false(c.hard[0]);
	expect_ref(&c.sa[1], &in);
	assert_true(c.hard[1]);
	expect_ref(&c.sa[2], &in);

	/* nothing more queued */
	assert_int_equal(kernel_events_read(k, &all_ops, &c, err, sizeof(err)), 0);
	assert_int_equal(fake.read_pos, 1);
}

static void test_events_lost(void **state)
{
	struct kernel *k = open_ok(state);
	static const struct kernel_event_ops expire_only = { .expire = on_expire };
	struct calls c = { .log = "" };
	char err[256] = "";
	struct nl_msg *bad;

	/* overflow: resync first, then what was queued after the loss */
	fake.reads[0].err = -ENOBUFS;
	append(&fake.reads[1].d, sa_event(NFSEC_CMD_EXPIRE, sample_sa_out(), true));
	fake.read_count = 2;
	assert_int_equal(kernel_events_read(k, &all_ops, &c, err, sizeof(err)), 0);
	assert_string_equal(c.log, "resync expire-hard ");
	assert_int_equal(fake.read_pos, 2);

	/* a malformed event is an error; NULL callbacks drop their events */
	c.log[0] = '\0';
	c.sa_count = 0;
	memset(&fake.reads, 0, sizeof(fake.reads));
	fake.read_count = 2;
	fake.read_pos = 0;
	append(&fake.reads[0].d, acquire_event());
	append(&fake.reads[0].d, event_new(NFSEC_CMD_SA_FLUSH));
	append(&fake.reads[0].d, sa_event(NFSEC_CMD_EXPIRE, sample_sa_in(), false));
	bad = event_new(NFSEC_CMD_EXPIRE);
	append(&fake.reads[1].d, bad);
	assert_int_equal(kernel_events_read(k, &expire_only, &c, err, sizeof(err)), 0);
	assert_string_equal(c.log, "expire-soft ");
	assert_int_equal(kernel_events_read(k, &expire_only, &c, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "events: expire event: reply lacks NFSEC_A_SA");
}

/* --- the handle ------------------------------------------------------------------------ */

static void test_open(void **state)
{
	char err[256] = "";

	(void)state;
	fake.open_ret = -ENOENT;
	assert_null(kernel_open(err, sizeof(err)));
	assert_string_equal(err, "kernel: the nfsec kernel module is not loaded");
	assert_int_equal(fake.opened, 1);
	assert_int_equal(fake.closed, 1);

	fake.open_ret = 0;
	fake.monitor_ret = -EPERM;
	assert_null(kernel_open(err, sizeof(err)));
	assert_string_equal(err, "kernel: monitor: cannot join the multicast group \"events\": "
			    "Operation not permitted");
	assert_int_equal(fake.closed, 2);

	fake.monitor_ret = 0;
	kernel_close(open_ok(state));
	*state = NULL;
	assert_int_equal(fake.closed, 3);
	kernel_close(NULL);
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_sa_out_gcm_tunnel),
		TEST(test_sa_in_cbc_transport),
		TEST(test_keymat_split),
		TEST(test_sa_keys_wiped),
		TEST(test_sa_del_stats),
		TEST(test_lifetime),
		TEST(test_selectors),
		TEST(test_priority),
		TEST(test_policies_2x2),
		TEST(test_policies_adopted),
		TEST(test_policies_rollback),
		TEST(test_policies_leftover),
		TEST(test_policies_refused),
		TEST(test_policies_transport_v6),
		TEST(test_policies_del),
		TEST(test_spi_alloc),
		TEST(test_spi_pending_full),
		TEST(test_events),
		TEST(test_events_lost),
		TEST(test_open),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
