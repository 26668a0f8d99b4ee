// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon (iked/daemon.c) against a peer in the same process: the kernel facade and
 * the UDP sockets are fakes here (what was sent, what was installed), the peer is an
 * ike.c/quick.c SA of its own tunnel, and the datagrams go through the daemon's receive
 * callback as they would from the socket. What a spoofed, repeated, replayed or forged
 * message does to a tunnel is checked where it matters: what the daemon sends, installs
 * and shows in "nfsec tunnel show".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon.h"
#include "endpoint.h"
#include "ike.h"
#include "info.h"
#include "log.h"
#include "loop.h"
#include "net.h"
#include "quick.h"
#include "registry.h"
#include "reload.h"

/* --- Fakes: the UDP sockets --------------------------------------------------------- */

enum { SENT_MAX = 64 };

struct sent {
	struct sockaddr_storage from, to;
	size_t len;
	uint8_t buf[ISAKMP_MSG_MAX];
};

static net_recv_fn recv_cb;
static struct sent *sent;		/* the last SENT_MAX, by nsent % SENT_MAX */
static unsigned int nsent;

void net_init(net_recv_fn cb, void *arg)
{
	(void)arg;
	recv_cb = cb;
}

int net_listen(const struct sockaddr *local)
{
	(void)local;
	return 100;
}

void net_unlisten(int sock)
{
	(void)sock;
}

void net_fini(void)
{
}

int net_send(const struct sockaddr *from, const struct sockaddr *to, const void *buf,
	     size_t len)
{
	struct sent *s = &sent[nsent++ % SENT_MAX];

	memcpy(&s->from, from, from->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
		sizeof(struct sockaddr_in6));
	memcpy(&s->to, to, to->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
		sizeof(struct sockaddr_in6));
	s->len = len;
	memcpy(s->buf, buf, len);
	return 0;
}

/* NAT keepalives sent, and the last one's destination. */
static unsigned int nkeepalives;
static struct sockaddr_storage keepalive_to;

int net_keepalive(const struct sockaddr *from, const struct sockaddr *to)
{
	(void)from;
	nkeepalives++;
	memcpy(&keepalive_to, to, sizeof(struct sockaddr_in));
	return 0;
}

/* --- Fakes: the kernel ---------------------------------------------------------------- */

enum { FAKE_SAS_MAX = 32, FAKE_POLICIES_MAX = 64 };

/* An SA as the daemon installed it; live until kernel_sa_del() names it. */
struct fake_sa {
	bool live;
	uint32_t spi;
	uint8_t dir;
	struct tunnel_addr src, dst;
	uint32_t reqid;
	uint8_t mode;
	uint16_t encap_sport, encap_dport;
};

/* A protect policy as kernel.h says kernel_tunnel_policies_add() makes it. */
struct fake_policy {
	bool live;
	uint32_t index;
	uint8_t dir;			/* NFSEC_POLICY_DIR_OUT or _IN */
	struct tunnel_ts src, dst;	/* the selector */
	struct tunnel_addr tmpl_src, tmpl_dst;
	uint8_t mode;
	uint32_t reqid;
};

static struct {
	unsigned int policies;		/* installed */
	unsigned int policies_del_calls;
	unsigned int sas_in, sas_out;	/* added */
	bool fail_out;			/* kernel_sa_add() refuses outbound SAs */
	uint32_t next_spi;
	unsigned int spis;		/* allocated, not released */
	unsigned int nsa, npol;
	struct fake_sa sa[FAKE_SAS_MAX];
	struct fake_policy pol[FAKE_POLICIES_MAX];
	/* an event kernel_events_read() hands the daemon: see kernel_expire() */
	bool expire_pending, expire_hard;
	struct kernel_sa_ref expire;
	/* an ACQUIRE kernel_events_read() hands the daemon: see kernel_acquire() */
	bool acquire_pending;
	struct kernel_acquire acquire;
	/* a MAPPING kernel_events_read() hands the daemon: see kernel_mapping() */
	bool mapping_pending;
	struct kernel_sa_ref mapping;
	struct tunnel_addr mapping_addr;
	uint16_t mapping_port;
	/* the leftover test of the last policies added with one, and its answer then */
	bool (*stale)(uint32_t reqid, void *arg);
	void *stale_arg;
	bool stale_own;			/* for the request id of their first pair */
} k;

static int event_fd = -1;

static void policy_put(const struct kernel_tunnel *kt, const struct kernel_ts_pair *pair,
		       bool in, struct kernel_policies *out)
{
	struct fake_policy *p = &k.pol[k.npol];

	assert_true(k.npol < FAKE_POLICIES_MAX);
	*p = (struct fake_policy){
		.live = true, .index = 1000 + k.npol, .mode = kt->mode, .reqid = pair->reqid,
		.dir = in ? NFSEC_POLICY_DIR_IN : NFSEC_POLICY_DIR_OUT,
		.src = in ? pair->remote : pair->local, .dst = in ? pair->local : pair->remote,
		.tmpl_src = in ? kt->remote : kt->local, .tmpl_dst = in ? kt->local : kt->remote,
	};
	out->index[out->count++] = p->index;
	k.npol++;
}

int kernel_tunnel_policies_add(struct kernel *kk, const struct kernel_tunnel *kt,
			       struct kernel_policies *out, char *err, size_t errlen)
{
	(void)kk;
	(void)err;
	(void)errlen;
	if (kt->stale) {
		k.stale = kt->stale;
		k.stale_arg = kt->stale_arg;
		k.stale_own = kt->stale(kt->pairs[0].reqid, kt->stale_arg);
	}
	out->count = 0;
	for (unsigned int i = 0; i < kt->pair_count; i++) {
		policy_put(kt, &kt->pairs[i], false, out);
		policy_put(kt, &kt->pairs[i], true, out);
	}
	k.policies += out->count;
	return 0;
}

int kernel_tunnel_policies_del(struct kernel *kk, struct kernel_policies *pol, char *err,
			       size_t errlen)
{
	(void)kk;
	(void)err;
	(void)errlen;
	k.policies_del_calls++;
	k.policies -= pol->count;
	for (unsigned int i = 0; i < pol->count; i++)
		for (unsigned int j = 0; j < k.npol; j++)
			if (k.pol[j].index == pol->index[i])
				k.pol[j].live = false;
	pol->count = 0;
	return 0;
}

int kernel_sa_add(struct kernel *kk, const struct kernel_sa *ksa, char *err, size_t errlen)
{
	(void)kk;
	if (ksa->dir == NFSEC_SA_DIR_OUT && k.fail_out) {
		snprintf(err, errlen, "refused by the test");
		errno = EIO;
		return -EIO;
	}
	if (ksa->dir == NFSEC_SA_DIR_IN)
		k.sas_in++;
	else
		k.sas_out++;
	assert_true(k.nsa < FAKE_SAS_MAX);
	k.sa[k.nsa++] = (struct fake_sa){
		.live = true, .spi = ksa->spi, .dir = ksa->dir, .src = ksa->src, .dst = ksa->dst,
		.reqid = ksa->reqid, .mode = ksa->mode, .encap_sport = ksa->encap_sport,
		.encap_dport = ksa->encap_dport,
	};
	return 0;
}

int kernel_sa_del(struct kernel *kk, uint32_t spi, const struct tunnel_addr *dst, char *err,
		  size_t errlen)
{
	(void)kk;
	(void)err;
	(void)errlen;
	for (unsigned int i = 0; i < k.nsa; i++)
		if (k.sa[i].live && k.sa[i].spi == spi &&
		    !memcmp(&k.sa[i].dst, dst, sizeof(*dst))) {
			k.sa[i].live = false;
			return 0;
		}
	errno = ENOENT;
	return -ENOENT;
}

int kernel_sa_set_encap(struct kernel *kk, uint32_t spi, const struct tunnel_addr *dst,
			uint16_t sport, uint16_t dport, char *err, size_t errlen)
{
	(void)kk;
	(void)err;
	(void)errlen;
	for (unsigned int i = 0; i < k.nsa; i++)
		if (k.sa[i].live && k.sa[i].spi == spi &&
		    !memcmp(&k.sa[i].dst, dst, sizeof(*dst)) && k.sa[i].encap_sport) {
			k.sa[i].encap_sport = sport;
			k.sa[i].encap_dport = dport;
			return 0;
		}
	errno = ENOENT;
	return -ENOENT;
}

int kernel_sa_stats(struct kernel *kk, uint32_t spi, const struct tunnel_addr *dst,
		    struct kernel_sa_stats *st, char *err, size_t errlen)
{
	(void)kk;
	(void)spi;
	(void)dst;
	(void)st;
	(void)err;
	(void)errlen;
	return -ENOENT;
}

int kernel_spi_alloc(struct kernel *kk, const struct tunnel_addr *dst, uint32_t *spi,
		     char *err, size_t errlen)
{
	(void)kk;
	(void)dst;
	(void)err;
	(void)errlen;
	*spi = k.next_spi++;
	k.spis++;
	return 0;
}

void kernel_spi_release(struct kernel *kk, uint32_t spi)
{
	(void)kk;
	(void)spi;
	k.spis--;
}

int kernel_ike_socket(struct kernel *kk, int fd, char *err, size_t errlen)
{
	(void)kk;
	(void)fd;
	(void)err;
	(void)errlen;
	return 0;
}

int kernel_event_fd(const struct kernel *kk)
{
	(void)kk;
	event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return event_fd;
}

int kernel_events_read(struct kernel *kk, const struct kernel_event_ops *ops, void *arg,
		       char *err, size_t errlen)
{
	uint64_t n;

	(void)kk;
	(void)err;
	(void)errlen;
	if (read(event_fd, &n, sizeof(n)) != sizeof(n))
		return 0;
	if (k.acquire_pending) {
		k.acquire_pending = false;
		ops->acquire(&k.acquire, arg);
	}
	if (k.expire_pending) {
		k.expire_pending = false;
		ops->expire(&k.expire, k.expire_hard, arg);
	}
	if (k.mapping_pending) {
		k.mapping_pending = false;
		ops->mapping(&k.mapping, &k.mapping_addr, k.mapping_port, arg);
	}
	return 0;
}

/* The module's EXPIRE for the SA sa (hard or soft), through the daemon's event loop. */
static void kernel_expire(const struct fake_sa *sa, bool hard)
{
	uint64_t one = 1;

	k.expire = (struct kernel_sa_ref){
		.spi = sa->spi, .dir = sa->dir, .src = sa->src, .dst = sa->dst, .reqid = sa->reqid,
	};
	k.expire_hard = hard;
	k.expire_pending = true;
	assert_int_equal(write(event_fd, &one, sizeof(one)), sizeof(one));
	assert_true(loop_run_once(0) > 0);
	assert_false(k.expire_pending);
}

/* The module's ACQUIRE for a packet its policy of request id reqid held. */
static void kernel_acquire(uint32_t reqid)
{
	uint64_t one = 1;

	k.acquire = (struct kernel_acquire){ .reqid = reqid, .proto = IPPROTO_ICMP };
	k.acquire_pending = true;
	assert_int_equal(write(event_fd, &one, sizeof(one)), sizeof(one));
	assert_true(loop_run_once(0) > 0);
	assert_false(k.acquire_pending);
}

/* The module's MAPPING for the inbound SA sa: its packet came from addr, port. */
static void kernel_mapping(const struct fake_sa *sa, const char *addr, uint16_t port)
{
	uint64_t one = 1;

	k.mapping = (struct kernel_sa_ref){
		.spi = sa->spi, .dir = sa->dir, .src = sa->src, .dst = sa->dst, .reqid = sa->reqid,
	};
	k.mapping_addr = (struct tunnel_addr){ .family = AF_INET };
	assert_int_equal(inet_pton(AF_INET, addr, k.mapping_addr.addr), 1);
	k.mapping_port = port;
	k.mapping_pending = true;
	assert_int_equal(write(event_fd, &one, sizeof(one)), sizeof(one));
	assert_true(loop_run_once(0) > 0);
	assert_false(k.mapping_pending);
}

/* --- What the fake kernel holds ----------------------------------------------------------- */

static struct tunnel_addr addr4(const char *text)
{
	struct tunnel_addr a = { .family = AF_INET };

	assert_int_equal(inet_pton(AF_INET, text, a.addr), 1);
	return a;
}

static struct tunnel_ts ts4(const char *text, uint8_t len)
{
	struct tunnel_addr a = addr4(text);
	struct tunnel_ts t = { .family = AF_INET, .len = len };

	memcpy(t.addr, a.addr, sizeof(t.addr));
	return t;
}

static bool addr_eq(const struct tunnel_addr *a, const char *text)
{
	struct tunnel_addr b = addr4(text);

	return !memcmp(a, &b, sizeof(b));
}

static unsigned int sas_live(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < k.nsa; i++)
		n += k.sa[i].live;
	return n;
}

static unsigned int policies_live(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < k.npol; i++)
		n += k.pol[i].live;
	return n;
}

/* The live SA of dir from src to dst: there must be one. */
static const struct fake_sa *sa_live(uint8_t dir, const char *src, const char *dst)
{
	for (unsigned int i = 0; i < k.nsa; i++)
		if (k.sa[i].live && k.sa[i].dir == dir && addr_eq(&k.sa[i].src, src) &&
		    addr_eq(&k.sa[i].dst, dst))
			return &k.sa[i];
	fail_msg("no live %s SA %s -> %s", dir == NFSEC_SA_DIR_IN ? "in" : "out", src, dst);
	return NULL;
}

/*
 * The live tunnel-mode policy of dir for selector src -> dst, template tsrc -> tdst: there
 * must be one.
 */
static const struct fake_policy *policy_live(uint8_t dir, struct tunnel_ts src,
					     struct tunnel_ts dst, const char *tsrc,
					     const char *tdst)
{
	for (unsigned int i = 0; i < k.npol; i++) {
		const struct fake_policy *p = &k.pol[i];

		if (p->live && p->dir == dir && p->mode == NFSEC_MODE_TUNNEL &&
		    !memcmp(&p->src, &src, sizeof(src)) && !memcmp(&p->dst, &dst, sizeof(dst)) &&
		    addr_eq(&p->tmpl_src, tsrc) && addr_eq(&p->tmpl_dst, tdst))
			return p;
	}
	fail_msg("no live %s policy with template %s -> %s",
		 dir == NFSEC_POLICY_DIR_IN ? "in" : "out", tsrc, tdst);
	return NULL;
}

/* --- Log lines, kept ---------------------------------------------------------------------- */

static char logged[16384];

static void log_keep(int level, const char *line, void *arg)
{
	size_t n = strlen(logged);

	(void)level;
	(void)arg;
	snprintf(logged + n, sizeof(logged) - n, "%s\n", line);
}

/* --- The peer --------------------------------------------------------------------------- */

#define MOON "moon local 192.168.1.1 remote 192.168.1.2 local-ts 10.0.1.0/24 " \
	     "remote-ts 10.0.2.0/24 auth psk psk sesame"
#define SUN "sun local 192.168.1.2 remote 192.168.1.1 local-ts 10.0.2.0/24 " \
	    "remote-ts 10.0.1.0/24 auth psk psk sesame"

static void conf(struct tunnel *t, const char *text)
{
	char err[256] = "";

	if (tunnel_deserialize(text, t, err, sizeof(err)))
		fail_msg("tunnel_deserialize: %s", err);
}

/* The daemon's tunnel, from words. */
static struct iked_tunnel *add(const char *words)
{
	struct iked_tunnel *t;
	struct tunnel c;
	char err[256] = "";

	conf(&c, words);
	if (registry_add(&c, &t, err, sizeof(err)))
		fail_msg("registry_add: %s", err);
	return t;
}

/* A datagram to the daemon (192.168.1.1, port lport) from addr, port rport. */
static void deliver_ports(const char *addr, uint16_t rport, uint16_t lport, const uint8_t *buf,
			  size_t len)
{
	struct sockaddr_storage local, remote;

	local = endpoint4("192.168.1.1", IKE_PORT);
	remote = endpoint4(addr, IKE_PORT);
	endpoint_port_set(&local, lport);
	endpoint_port_set(&remote, rport);
	recv_cb(&local, &remote, buf, len, NULL);
}

/* A datagram to the daemon (192.168.1.1) from addr. */
static void deliver_from(const char *addr, const uint8_t *buf, size_t len)
{
	deliver_ports(addr, IKE_PORT, IKE_PORT, buf, len);
}

static void deliver(const uint8_t *buf, size_t len)
{
	deliver_from("192.168.1.2", buf, len);
}

/* The daemon's last datagram, as a message. */
static void last_sent(struct ike_msg *msg)
{
	struct isakmp_err err;
	const struct sent *s;

	assert_true(nsent > 0);
	s = &sent[(nsent - 1) % SENT_MAX];
	msg->buf = s->buf;
	msg->len = s->len;
	assert_int_equal(isakmp_hdr_parse(msg->buf, msg->len, &msg->hdr, &err), 0);
}

static struct tunnel sun;

/* The peer of words conf at addr initiates phase 1 with the daemon, main mode, to the end. */
static struct ike_sa *phase1_from(const struct tunnel *conf, const char *addr,
				  bool initial_contact)
{
	char why[IKE_WHY_MAX];
	struct ike_sa *p = ike_sa_initiate(conf, NULL, why, sizeof(why));
	struct ike_msg msg = { 0 };
	int turn;

	assert_non_null(p);
	p->initial_contact = initial_contact;
	for (turn = 0; turn < 3; turn++) {
		unsigned int before = nsent;

		deliver_from(addr, p->out, p->out_len);
		assert_int_equal(nsent, before + 1);
		last_sent(&msg);
		assert_int_equal(ike_sa_input(p, &msg), 0);
	}
	assert_int_equal(p->state, IKE_ESTABLISHED);
	return p;
}

/* sun initiates phase 1 with the daemon's moon, main mode, to the end. */
static struct ike_sa *peer_phase1(void)
{
	return phase1_from(&sun, "192.168.1.2", false);
}

static void status(struct iked_tunnel *t, struct tunnel_status *st)
{
	registry_status(t, st);
}

/* --- Setup -------------------------------------------------------------------------------- */

static int group_setup(void **state)
{
	char err[256];

	(void)state;
	sent = calloc(SENT_MAX, sizeof(*sent));
	if (!sent || loop_init())
		return -1;
	log_init("test", LOG_DEBUG, true);
	log_set_sink(log_keep, NULL);
	if (daemon_init((struct kernel *)&k, err, sizeof(err)))
		return -1;
	conf(&sun, SUN);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	registry_flush();
	loop_fini();
	free(sent);
	return 0;
}

static int test_setup(void **state)
{
	struct iked_settings s;

	(void)state;
	iked_settings_default(&s);
	daemon_settings_set(&s);
	memset(&k, 0, sizeof(k));
	k.next_spi = 0x10000;
	nsent = 0;
	logged[0] = '\0';
	return 0;
}

static int test_teardown(void **state)
{
	(void)state;
	registry_flush();
	return 0;
}

/* --- Tests ---------------------------------------------------------------------------------- */

/*
 * A spoofed message 1 from the peer's address (no answer ever comes) must not stand in
 * for our own phase 1: "tunnel up" still initiates.
 */
static void test_spoofed_m1_does_not_block(void **state)
{
	char why[IKE_WHY_MAX];
	struct ike_sa *spoof = ike_sa_initiate(&sun, NULL, why, sizeof(why));
	struct iked_tunnel *t = add(MOON " auto none");
	struct ike_msg msg = { 0 };

	(void)state;
	deliver(spoof->out, spoof->out_len);
	assert_int_equal(nsent, 1);	/* message 2, to the spoofed source */
	assert_int_equal(registry_up("moon", why, sizeof(why)), 0);
	assert_int_equal(nsent, 2);
	last_sent(&msg);
	assert_int_equal(msg.hdr.exchange, ISAKMP_EXCH_IDPROT);
	assert_memory_not_equal(msg.hdr.icookie, spoof->cky_i, ISAKMP_COOKIE_LEN);
	assert_memory_equal(msg.hdr.rcookie, "\0\0\0\0\0\0\0\0", ISAKMP_COOKIE_LEN);
	(void)t;
	ike_sa_free(spoof);
}

/*
 * auto none: the tunnel's policies are in (its traffic is held, never sent in clear), but
 * an ACQUIRE starts nothing until "tunnel up"; auto trap: the first one starts phase 1.
 */
static void test_auto_none_waits_for_up(void **state)
{
	struct iked_tunnel *t = add(MOON " auto none");
	char why[IKE_WHY_MAX];
	struct ike_msg msg = { 0 };

	(void)state;
	assert_true(k.policies > 0);
	kernel_acquire(t->reqid << 8);
	assert_int_equal(nsent, 0);
	assert_int_equal(registry_up("moon", why, sizeof(why)), 0);
	assert_int_equal(nsent, 1);
	last_sent(&msg);
	assert_int_equal(msg.hdr.exchange, ISAKMP_EXCH_IDPROT);
	registry_flush();
	nsent = 0;
	t = add(MOON " auto trap");
	assert_int_equal(nsent, 0);
	kernel_acquire(t->reqid << 8);
	assert_int_equal(nsent, 1);
}

/* A message 1 again (its answer was lost) gets the same answer, from the same SA. */
static void test_repeated_m1(void **state)
{
	char why[IKE_WHY_MAX];
	struct ike_sa *p = ike_sa_initiate(&sun, NULL, why, sizeof(why));
	struct iked_tunnel *t = add(MOON " auto none");
	struct tunnel_status st;
	struct sent first;

	(void)state;
	deliver(p->out, p->out_len);
	assert_int_equal(nsent, 1);
	first = sent[0];
	deliver(p->out, p->out_len);
	assert_int_equal(nsent, 2);
	assert_int_equal(sent[1].len, first.len);
	assert_memory_equal(sent[1].buf, first.buf, first.len);
	status(t, &st);
	assert_int_equal(st.half_open, 1);
	ike_sa_free(p);
}

/* Half-open responder phase 1s: capped per address and in all, and counted. */
static void test_half_open_caps(void **state)
{
	static const char *const from[] = {
		"192.0.2.1", "192.0.2.1", "192.0.2.1", "192.0.2.2", "192.0.2.2", "192.0.2.3",
	};
	struct iked_settings s = { .half_open_max = 4, .half_open_per_peer = 2 };
	struct iked_tunnel *t;
	struct tunnel_status st;
	char why[IKE_WHY_MAX];
	unsigned int i;

	(void)state;
	daemon_settings_set(&s);
	t = add("any local 192.168.1.1 remote %any local-ts 10.0.1.0/24 remote-ts "
		"10.0.2.0/24 auth psk psk sesame");
	for (i = 0; i < 6; i++) {
		struct ike_sa *p = ike_sa_initiate(&sun, NULL, why, sizeof(why));

		deliver_from(from[i], p->out, p->out_len);
		ike_sa_free(p);
	}
	/* 192.0.2.1: 2 of 3; 192.0.2.2: 2 of 2; 192.0.2.3: none, the 4 in all are taken */
	assert_int_equal(nsent, 4);
	status(t, &st);
	assert_int_equal(st.half_open, 4);
	assert_int_equal(st.drops.half_open_refused, 2);
	assert_non_null(strstr(logged, "half-open phase 1s"));
}

/*
 * The cap per address is each named tunnel's own: a peer (192.168.1.2) bringing up four
 * tunnels to four of our addresses at once has every message 1 answered, not two (the
 * cap) while the others wait for retransmissions; a tunnel's own cap still holds.
 */
static void test_half_open_named_tunnels(void **state)
{
	struct iked_settings s = { .half_open_max = 4, .half_open_per_peer = 2 };
	struct iked_tunnel *t[4];
	struct tunnel_status st;
	char why[IKE_WHY_MAX], words[256], local[INET_ADDRSTRLEN];
	struct sockaddr_storage l, r;
	unsigned int i, j;

	(void)state;
	daemon_settings_set(&s);
	for (i = 0; i < 4; i++) {
		snprintf(words, sizeof(words), "m%u local 192.168.1.%u remote 192.168.1.2 "
			 "local-ts 10.1.%u.0/24 remote-ts 10.2.%u.0/24 auth psk psk sesame "
			 "auto none", i, 10 + i, i, i);
		t[i] = add(words);
	}
	r = endpoint4("192.168.1.2", IKE_PORT);
	for (j = 0; j < 3; j++)
		for (i = 0; i < 4; i++) {
			struct ike_sa *p = ike_sa_initiate(&sun, NULL, why, sizeof(why));

			assert_non_null(p);
			snprintf(local, sizeof(local), "192.168.1.%u", 10 + i);
			l = endpoint4(local, IKE_PORT);
			recv_cb(&l, &r, p->out, p->out_len, NULL);
			ike_sa_free(p);
		}
	/* two each (the third over each tunnel's cap), the cap in all being %any's alone */
	assert_int_equal(nsent, 8);
	for (i = 0; i < 4; i++) {
		status(t[i], &st);
		assert_int_equal(st.half_open, 2);
		assert_int_equal(st.drops.half_open_refused, 1);
	}
}

/*
 * Tunnels with auto start all initiate as they are added, none waiting for another: four
 * message 1s out at once, each from its tunnel's address to its peer.
 */
static void test_auto_start_all_at_once(void **state)
{
	char words[256], want[INET_ADDRSTRLEN], got[INET_ADDRSTRLEN];
	unsigned int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		snprintf(words, sizeof(words), "s%u local 192.168.1.1 remote 192.168.1.%u "
			 "local-ts 10.1.%u.0/24 remote-ts 10.2.%u.0/24 auth psk psk sesame "
			 "auto start", i, 10 + i, i, i);
		add(words);
	}
	assert_int_equal(nsent, 4);
	for (i = 0; i < 4; i++) {
		struct ike_msg msg = { .buf = sent[i].buf, .len = sent[i].len };
		struct isakmp_err err;

		assert_int_equal(isakmp_hdr_parse(msg.buf, msg.len, &msg.hdr, &err), 0);
		assert_int_equal(msg.hdr.exchange, ISAKMP_EXCH_IDPROT);
		snprintf(want, sizeof(want), "192.168.1.%u", 10 + i);
		inet_ntop(AF_INET, &((struct sockaddr_in *)&sent[i].to)->sin_addr, got,
			  sizeof(got));
		assert_string_equal(got, want);
	}
}

/*
 * Message 1s refused at once (aggressive mode to a main-mode tunnel, each answered with a
 * notify to a source nothing proves) hold slots under the same caps as half-open SAs; a
 * remote %any tunnel keeps no reason of theirs, and the log gets one line.
 */
static void test_refusals_capped(void **state)
{
	static const char *const from[] = {
		"192.0.2.1", "192.0.2.1", "192.0.2.1", "192.0.2.2", "192.0.2.2", "192.0.2.3",
	};
	struct iked_settings s = { .half_open_max = 4, .half_open_per_peer = 2 };
	struct iked_tunnel *t;
	struct tunnel_status st;
	char why[IKE_WHY_MAX];
	struct tunnel am;
	unsigned int i;

	(void)state;
	daemon_settings_set(&s);
	t = add("any local 192.168.1.1 remote %any local-ts 10.0.1.0/24 remote-ts "
		"10.0.2.0/24 auth psk psk sesame");
	conf(&am, SUN " mode aggressive");
	for (i = 0; i < 6; i++) {
		struct ike_sa *p = ike_sa_initiate(&am, NULL, why, sizeof(why));

		assert_non_null(p);
		deliver_from(from[i], p->out, p->out_len);
		ike_sa_free(p);
	}
	assert_int_equal(nsent, 4);
	status(t, &st);
	assert_int_equal(st.half_open, 0);
	assert_int_equal(st.drops.refused, 4);
	assert_int_equal(st.drops.half_open_refused, 2);
	assert_string_equal(st.down_reason, "");
	assert_non_null(strstr(logged, "phase 1 from the peer refused: "));
	assert_null(strstr(logged, "(2 so far)"));
	/* The refusals keep the slots: a good message 1 from a fresh address finds none. */
	{
		struct ike_sa *p = ike_sa_initiate(&sun, NULL, why, sizeof(why));

		deliver_from("192.0.2.4", p->out, p->out_len);
		ike_sa_free(p);
	}
	assert_int_equal(nsent, 4);
	tunnel_wipe(&am);
}

/*
 * The cap in all holds for remote %any tunnels only: with it full of spoofed message 1s,
 * the peer a tunnel names (added after the %any one) still gets its phase 1 up, with
 * that tunnel, and a refusal of its message 1 is that tunnel's reason.
 */
static void test_named_peer_reserve(void **state)
{
	static const char *const from[] = { "192.0.2.1", "192.0.2.2", "192.0.2.3" };
	struct iked_settings s = { .half_open_max = 2, .half_open_per_peer = 2 };
	struct iked_tunnel *any, *moon;
	struct tunnel_status st;
	char why[IKE_WHY_MAX];
	struct tunnel am;
	struct ike_sa *p;
	unsigned int i;

	(void)state;
	daemon_settings_set(&s);
	any = add("any local 192.168.1.1 remote %any local-ts 10.0.1.0/24 remote-ts "
		  "10.0.9.0/24 auth psk psk sesame");
	moon = add(MOON " auto none");
	for (i = 0; i < 3; i++) {
		p = ike_sa_initiate(&sun, NULL, why, sizeof(why));
		deliver_from(from[i], p->out, p->out_len);
		ike_sa_free(p);
	}
	status(any, &st);
	assert_int_equal(st.half_open, 2);
	assert_int_equal(st.drops.half_open_refused, 1);
	/* the named peer, refused for its exchange: the reason is its tunnel's */
	conf(&am, SUN " mode aggressive");
	p = ike_sa_initiate(&am, NULL, why, sizeof(why));
	deliver(p->out, p->out_len);
	ike_sa_free(p);
	status(moon, &st);
	assert_int_equal(st.drops.refused, 1);
	assert_non_null(strstr(st.down_reason, "the peer wants aggressive mode"));
	/* and in main mode, up */
	p = peer_phase1();
	status(moon, &st);
	assert_string_equal(st.phase1.state, "ESTABLISHED");
	status(any, &st);
	assert_int_equal(st.half_open, 2);
	ike_sa_free(p);
	tunnel_wipe(&am);
}

/* A forged datagram with the cookies of an established phase 1: dropped, counted. */
static void test_forged_undecryptable(void **state)
{
	struct iked_tunnel *t = add(MOON " auto none");
	struct ike_sa *p = peer_phase1();
	struct tunnel_status st;
	uint8_t forged[ISAKMP_HDR_LEN + 64];

	(void)state;
	memset(forged, 0xc3, sizeof(forged));
	{
		struct isakmp_hdr hdr = {
			.next = ISAKMP_PL_ID, .exchange = ISAKMP_EXCH_IDPROT,
			.flags = ISAKMP_FLAG_ENC,
		};
		struct isakmp_buf b;

		memcpy(hdr.icookie, p->cky_i, ISAKMP_COOKIE_LEN);
		memcpy(hdr.rcookie, p->cky_r, ISAKMP_COOKIE_LEN);
		isakmp_buf_init(&b, forged, sizeof(forged));
		isakmp_msg_begin(&b, &hdr);
		forged[16] = ISAKMP_PL_ID;
		isakmp_hdr_set_length(forged, sizeof(forged));
	}
	deliver(forged, sizeof(forged));
	deliver(forged, sizeof(forged));
	status(t, &st);
	assert_string_equal(st.phase1.state, "ESTABLISHED");
	assert_int_equal(st.drops.undecryptable, 2);
	/* one line for both */
	assert_non_null(strstr(logged, "does not decrypt dropped (1 so far)"));
	assert_null(strstr(logged, "(2 so far)"));
	ike_sa_free(p);
}

/*
 * A quick mode of the peer of words conf at addr over its phase 1 p, for its first
 * selectors, its inbound SPI spi: messages 1 (kept in m1 unless NULL), 2 and 3.
 */
static struct qm *quick_from(struct ike_sa *p, const struct tunnel *conf, const char *addr,
			     uint32_t spi, uint8_t *m1, size_t *m1_len)
{
	char why[IKE_WHY_MAX];
	struct qm *q = qm_initiate(p, &conf->local_ts[0], &conf->remote_ts[0], spi, why,
				   sizeof(why));
	unsigned int sas = k.sas_in + k.sas_out;
	struct ike_msg msg = { 0 };

	assert_non_null(q);
	if (m1) {
		memcpy(m1, q->out, q->out_len);
		*m1_len = q->out_len;
	}
	deliver_from(addr, q->out, q->out_len);
	/* nothing in the kernel before HASH(3) */
	assert_int_equal(k.sas_in + k.sas_out, sas);
	last_sent(&msg);
	assert_int_equal(qm_input(q, &msg), 0);
	assert_int_equal(q->state, QM_DONE);
	deliver_from(addr, q->out, q->out_len);
	return q;
}

/* The peer's informational: a delete of its inbound SPI spi, or (spi 0) of phase 1. */
static void peer_deletes(struct ike_sa *p, const char *addr, uint32_t spi)
{
	uint8_t buf[ISAKMP_MSG_MAX];
	size_t len;

	assert_int_equal(info_delete_build(p, spi ? &spi : NULL, spi ? 1 : 0, buf, &len), 0);
	deliver_from(addr, buf, len);
}

/* sun's quick mode with moon: message 1 (kept in m1), 2 and 3. */
static struct qm *peer_quick(struct ike_sa *p, uint8_t *m1, size_t *m1_len)
{
	return quick_from(p, &sun, "192.168.1.2", 0x5001, m1, m1_len);
}

/* A replayed quick mode message 1 starts nothing: no answer, no SA, counted. */
static void test_quick_mode_replay(void **state)
{
	struct iked_tunnel *t = add(MOON " auto none");
	struct ike_sa *p = peer_phase1();
	uint8_t m1[ISAKMP_MSG_MAX];
	struct tunnel_status st;
	unsigned int before;
	size_t m1_len;
	struct qm *q;

	(void)state;
	q = peer_quick(p, m1, &m1_len);
	assert_int_equal(k.sas_in, 1);
	assert_int_equal(k.sas_out, 1);
	assert_int_equal(k.spis, 0);
	before = nsent;
	deliver(m1, m1_len);
	assert_int_equal(nsent, before);
	assert_int_equal(k.sas_in, 1);
	assert_int_equal(k.spis, 0);
	status(t, &st);
	assert_int_equal(st.drops.replayed, 1);
	assert_string_equal(st.sa[0].state, "ESTABLISHED");
	qm_free(q);
	ike_sa_free(p);
}

/*
 * An authenticated peer that opens quick modes and never finishes them holds two SPIs per
 * selector pair at most: the third waits for nothing, gets no answer, and is counted.
 */
static void test_quick_mode_cap(void **state)
{
	struct iked_tunnel *t = add(MOON " auto none");
	struct ike_sa *p = peer_phase1();
	struct tunnel_status st;
	char why[IKE_WHY_MAX];
	struct qm *q[3];
	unsigned int i, before;

	(void)state;
	for (i = 0; i < 3; i++) {
		q[i] = qm_initiate(p, &sun.local_ts[0], &sun.remote_ts[0], 0x5001 + i, why,
				   sizeof(why));
		assert_non_null(q[i]);
		before = nsent;
		deliver(q[i]->out, q[i]->out_len);
		assert_int_equal(nsent, before + (i < 2));
	}
	assert_int_equal(k.spis, 2);
	status(t, &st);
	assert_int_equal(st.drops.qm_refused, 1);
	assert_non_null(strstr(logged, "2 exchanges wait for their SAs already"));
	for (i = 0; i < 3; i++)
		qm_free(q[i]);
	ike_sa_free(p);
}

/* The outbound SA refused: the SPI goes back, the pair is free to negotiate again. */
static void test_quick_mode_out_refused(void **state)
{
	struct iked_tunnel *t = add(MOON " auto none");
	struct ike_sa *p = peer_phase1();
	uint8_t m1[ISAKMP_MSG_MAX];
	struct tunnel_status st;
	struct ike_msg msg = { 0 };
	struct qm *q;
	size_t m1_len;

	(void)state;
	/* moon responds */
	k.fail_out = true;
	q = peer_quick(p, m1, &m1_len);
	qm_free(q);
	assert_int_equal(k.spis, 0);
	status(t, &st);
	assert_string_equal(st.sa[0].state, "DOWN");

	/* moon initiates: its outbound half goes in DAEMON_OUT_SWITCH_MS after message 3 */
	assert_int_equal(registry_up("moon", (char[64]){ 0 }, 64), 0);
	last_sent(&msg);
	q = qm_respond(p, &msg, 0x6001);
	assert_non_null(q);
	assert_int_equal(q->state, QM_R1);
	deliver(q->out, q->out_len);
	assert_int_equal(k.spis, 1);
	for (uint64_t end = loop_now_ms() + 10000; k.spis && loop_now_ms() < end;)
		assert_true(loop_run_once(100) >= 0);
	assert_int_equal(k.spis, 0);
	status(t, &st);
	assert_string_equal(st.sa[0].state, "DOWN");
	qm_free(q);
	ike_sa_free(p);
}

/* Whether the fake kernel holds a live SA of spi. */
static bool spi_live(uint32_t spi)
{
	for (unsigned int i = 0; i < k.nsa; i++)
		if (k.sa[i].live && k.sa[i].spi == spi)
			return true;
	return false;
}

/*
 * Rekeys that crossed where only the peer saw it: moon's own rekey A was done when the
 * peer's B (held up on the way) came, so moon took B for a plain rekey; the peer, which
 * had B running when A came, kept A and deletes B. Moon's traffic goes back to A, whose
 * SAs it still has, rather than to no SA at all.
 */
static void test_crossed_seen_by_peer_only(void **state)
{
	struct iked_tunnel *t = add(MOON " auto none");
	struct ike_sa *p = peer_phase1();
	struct tunnel_status st;
	struct qm *q0, *a, *b;
	struct ike_msg msg = { 0 };

	(void)state;
	q0 = peer_quick(p, NULL, NULL);
	/* moon's rekey A: the peer's inbound SPI 0x6001 */
	assert_int_equal(registry_up("moon", (char[64]){ 0 }, 64), 0);
	last_sent(&msg);
	a = qm_respond(p, &msg, 0x6001);
	assert_non_null(a);
	deliver(a->out, a->out_len);
	last_sent(&msg);
	assert_int_equal(qm_input(a, &msg), 0);
	/* the outbound switch, DAEMON_OUT_SWITCH_MS on: up to 10 s on a loaded machine */
	for (uint64_t end = loop_now_ms() + 10000; !spi_live(0x6001) && loop_now_ms() < end;)
		assert_true(loop_run_once(100) >= 0);
	assert_true(spi_live(0x6001));
	/* the peer's B, after it */
	b = quick_from(p, &sun, "192.168.1.2", 0x7001, NULL, NULL);
	status(t, &st);
	assert_int_equal(st.sa[0].spi_out, 0x7001);
	peer_deletes(p, "192.168.1.2", 0x7001);
	assert_false(spi_live(0x7001));
	assert_true(spi_live(0x6001));
	assert_true(spi_live(a->spi_out));
	status(t, &st);
	assert_string_equal(st.sa[0].state, "ESTABLISHED");
	assert_int_equal(st.sa[0].spi_out, 0x6001);
	assert_non_null(strstr(logged, "carries the traffic again"));
	qm_free(b);
	qm_free(a);
	qm_free(q0);
	ike_sa_free(p);
}

/* A DELETE naming another ISAKMP SA's cookies deletes nothing of ours. */
static void test_delete_other_cookies(void **state)
{
	struct iked_tunnel *t = add(MOON " auto none");
	struct ike_sa *p = peer_phase1();
	uint8_t buf[ISAKMP_MSG_MAX], saved[ISAKMP_COOKIE_LEN];
	struct tunnel_status st;
	size_t len;

	(void)state;
	/* p's own DELETE, its payload naming other cookies (the header stays p's) */
	memcpy(saved, p->cky_r, sizeof(saved));
	memset(p->cky_r, 0x77, sizeof(saved));
	assert_int_equal(info_delete_build(p, NULL, 0, buf, &len), 0);
	memcpy(p->cky_r, saved, sizeof(saved));
	memcpy(buf + ISAKMP_COOKIE_LEN, saved, sizeof(saved));
	deliver(buf, len);
	status(t, &st);
	assert_string_equal(st.phase1.state, "ESTABLISHED");
	/* the real one does */
	assert_int_equal(info_delete_build(p, NULL, 0, buf, &len), 0);
	deliver(buf, len);
	status(t, &st);
	assert_false(st.phase1.established);
	ike_sa_free(p);
}

/* Aggressive mode with a pre-shared key: the warning comes when the tunnel is loaded. */
static void test_aggressive_psk_warns_at_load(void **state)
{
	(void)state;
	add("any local 192.168.1.1 remote %any local-ts 10.0.1.0/24 remote-ts 10.0.2.0/24 "
	    "auth psk psk sesame mode aggressive ike aes128-sha256-modp2048");
	assert_non_null(strstr(logged, "any: aggressive mode with a pre-shared key"));
	assert_non_null(strstr(logged, "any host that asks gets that hash"));
}

/* --- remote %any: a kernel instance per peer ------------------------------------------- */

#define RW "rw local 192.168.1.1 remote %any local-ts 10.0.1.0/24 remote-ts 10.0.2.0/24 " \
	   "auth psk psk sesame"
/* host to host: each peer's own address is its remote-ts */
#define RW_HOST "rw local 192.168.1.1 remote %any local-ts 192.168.1.1/32 auth psk psk sesame"

/*
 * A peer at a private address (10.0.0.2) behind a NAT (198.51.100.1; its port 500 shows
 * as 1500, 4500 as 14500, unless said otherwise) to a remote %any tunnel. The peer's
 * datagrams go through the NAT; the daemon's reach the peer with the addresses as the
 * peer sees them, for its NAT-D.
 */
struct natted {
	struct ike_sa *p;
	struct sockaddr_storage local, remote;	/* what the peer's message saw */
	const char *addr;		/* the peer's own, behind the NAT: 10.0.0.2 if NULL */
	uint16_t port500, port4500;	/* what the NAT shows its 500, 4500 as: 1500, 14500 */
	bool initial_contact;		/* its next phase 1 announces it */
};

static void nat_ports(struct natted *n)
{
	if (!n->port500) {
		n->port500 = 1500;
		n->port4500 = 14500;
	}
	if (!n->addr)
		n->addr = "10.0.0.2";
}

static void nat_to_daemon(struct natted *n, const uint8_t *buf, size_t len)
{
	uint16_t port = endpoint_port(&n->p->local);

	nat_ports(n);
	deliver_ports("198.51.100.1", port == IKE_PORT ? n->port500 : n->port4500,
		      endpoint_port(&n->p->remote), buf, len);
}

/* The daemon's last datagram, to the peer: it must have gone to the NAT's port for it. */
static void nat_from_daemon(struct natted *n, struct ike_msg *msg)
{
	const struct sent *s = &sent[(nsent - 1) % SENT_MAX];
	uint16_t to = endpoint_port(&s->to);

	nat_ports(n);
	assert_true(to == n->port500 || to == n->port4500);
	last_sent(msg);
	n->local = endpoint4(n->addr, IKE_PORT);
	endpoint_port_set(&n->local, to == n->port500 ? IKE_PORT : NATT_PORT);
	n->remote = endpoint4("192.168.1.1", IKE_PORT);
	endpoint_port_set(&n->remote, to == n->port500 ? IKE_PORT : NATT_PORT);
	msg->local = &n->local;
	msg->remote = &n->remote;
}

/* n's peer of words conf, behind the NAT, brings phase 1 up with the daemon, main mode. */
static void nat_phase1(struct natted *n, const struct tunnel *conf)
{
	struct ike_msg msg = { 0 };
	char why[IKE_WHY_MAX];
	int turn;

	nat_ports(n);
	n->p = ike_sa_initiate(conf, NULL, why, sizeof(why));
	assert_non_null(n->p);
	n->p->initial_contact = n->initial_contact;
	n->p->local = endpoint4(n->addr, IKE_PORT);
	n->p->remote = endpoint4("192.168.1.1", IKE_PORT);
	for (turn = 0; turn < 3; turn++) {
		nat_to_daemon(n, n->p->out, n->p->out_len);
		nat_from_daemon(n, &msg);
		assert_int_equal(ike_sa_input(n->p, &msg), 0);
	}
	assert_int_equal(n->p->state, IKE_ESTABLISHED);
	assert_true(n->p->nat.local);
}

/* n's peer of words conf starts a quick mode for its first selectors, inbound SPI spi. */
static struct qm *nat_quick(struct natted *n, const struct tunnel *conf, uint32_t spi)
{
	struct ike_msg msg = { 0 };
	char why[IKE_WHY_MAX];
	struct qm *q;

	q = qm_initiate(n->p, &conf->local_ts[0], &conf->remote_ts[0], spi, why, sizeof(why));
	assert_non_null(q);
	nat_to_daemon(n, q->out, q->out_len);
	nat_from_daemon(n, &msg);
	assert_int_equal(qm_input(q, &msg), 0);
	assert_int_equal(q->state, QM_DONE);
	nat_to_daemon(n, q->out, q->out_len);
	return q;
}

/*
 * Phase 1 and quick mode from behind the NAT: both ends find it, the daemon follows the
 * peer to 4500 (through the NAT, 14500) and answers there, its SAs carry ESP in UDP
 * between 4500 and 14500, "show" says so; no keepalives (it is not the one behind). The
 * module's MAPPING (the NAT gave the peer another port) moves the SAs and phase 1.
 */
static void test_nat_peer_behind_nat(void **state)
{
	struct iked_tunnel *t = add(RW);
	struct natted n = { 0 };
	struct tunnel behind;
	const struct fake_sa *in, *out;
	struct tunnel_status st;
	struct qm *q;

	(void)state;
	conf(&behind, "sun local 10.0.0.2 remote 192.168.1.1 local-ts 10.0.2.0/24 "
	     "remote-ts 10.0.1.0/24 auth psk psk sesame");
	nkeepalives = 0;
	nat_phase1(&n, &behind);
	assert_true(n.p->floated);
	/* main mode 6 went to where 5 came from */
	assert_int_equal(endpoint_port(&sent[(nsent - 1) % SENT_MAX].to), 14500);
	assert_non_null(strstr(logged, "NAT detected: peer behind NAT, local not"));

	q = nat_quick(&n, &behind, 0x5001);
	in = sa_live(NFSEC_SA_DIR_IN, "198.51.100.1", "192.168.1.1");
	out = sa_live(NFSEC_SA_DIR_OUT, "192.168.1.1", "198.51.100.1");
	assert_int_equal(in->encap_sport, 14500);
	assert_int_equal(in->encap_dport, 4500);
	assert_int_equal(out->encap_sport, 4500);
	assert_int_equal(out->encap_dport, 14500);
	assert_int_equal(out->spi, 0x5001);

	assert_int_equal(registry_peer_status(t, 0, &st), 0);
	assert_string_equal(st.phase1.nat, "peer behind NAT, local not");
	assert_int_equal(st.phase1.local_port, 4500);
	assert_int_equal(st.phase1.remote_port, 14500);
	assert_int_equal(nkeepalives, 0);

	/* the NAT moves the peer to 14600: the SAs both ways and phase 1 follow */
	kernel_mapping(in, "198.51.100.1", 14600);
	assert_int_equal(in->encap_sport, 14600);
	assert_int_equal(in->encap_dport, 4500);
	assert_int_equal(out->encap_sport, 4500);
	assert_int_equal(out->encap_dport, 14600);
	assert_int_equal(registry_peer_status(t, 0, &st), 0);
	assert_int_equal(st.phase1.remote_port, 14600);
	assert_non_null(strstr(logged, "the peer's NAT mapping moved: 198.51.100.1 port 14600"));
	/* another address is not followed */
	kernel_mapping(in, "198.51.100.9", 14700);
	assert_int_equal(out->encap_dport, 14600);
	qm_free(q);
	ike_sa_free(n.p);
}

/*
 * The daemon (moon, 192.168.1.1) behind a NAT that shows it as 198.51.100.1 (its port 500
 * as 1500, 4500 as 14500), initiating to sun at 192.168.1.2, main or aggressive mode: it
 * finds itself behind the NAT, sends its last phase-1 message from 4500 and stays there
 * (aggressive mode's message 2, which came to 500, does not take it back), and keeps the
 * mapping with keepalives to the peer's 4500.
 */
static void nat_initiator(const char *mode)
{
	char words[512], why[64];
	struct sockaddr_storage r_local, r_remote;
	struct iked_tunnel *t;
	struct tunnel peer;
	struct tunnel_status st;
	struct ike_msg msg = { 0 };
	struct ike_sa *r = NULL;
	unsigned int seen = 0, turn;
	uint16_t from = 0;

	snprintf(words, sizeof(words), MOON " auto none nat-keepalive 1 local-id fqdn:moon.example "
		 "remote-id fqdn:sun.example mode %s", mode);
	t = add(words);
	snprintf(words, sizeof(words), "sun local 192.168.1.2 remote 198.51.100.1 "
		 "local-ts 10.0.2.0/24 remote-ts 10.0.1.0/24 auth psk psk sesame "
		 "local-id fqdn:sun.example remote-id fqdn:moon.example mode %s", mode);
	conf(&peer, words);
	nkeepalives = 0;
	assert_int_equal(registry_up("moon", why, sizeof(why)), 0);
	/* each phase-1 datagram the daemon sent (not the quick mode that follows) */
	for (turn = 0; turn < 8 && seen < nsent; turn++) {
		const struct sent *s = &sent[seen++ % SENT_MAX];
		struct isakmp_err err;

		msg.buf = s->buf;
		msg.len = s->len;
		assert_int_equal(isakmp_hdr_parse(msg.buf, msg.len, &msg.hdr, &err), 0);
		if (msg.hdr.exchange != ISAKMP_EXCH_IDPROT &&
		    msg.hdr.exchange != ISAKMP_EXCH_AGGRESSIVE)
			continue;
		/* through the NAT to sun */
		from = endpoint_port(&s->from);
		r_local = endpoint4("192.168.1.2", IKE_PORT);
		endpoint_port_set(&r_local, endpoint_port(&s->to));
		r_remote = endpoint4("198.51.100.1", IKE_PORT);
		endpoint_port_set(&r_remote, from == IKE_PORT ? 1500 : 14500);
		msg.local = &r_local;
		msg.remote = &r_remote;
		if (!r) {
			r = ike_sa_respond(&peer, NULL, &msg);
			assert_non_null(r);
		} else {
			assert_int_equal(ike_sa_input(r, &msg), 0);
			if (msg.hdr.flags & ISAKMP_FLAG_ENC) {
				r->local = r_local;
				r->remote = r_remote;
			}
		}
		if (r->out_len)		/* and back, to what the NAT maps its port to */
			deliver_ports("192.168.1.2", endpoint_port(&r->local),
				      endpoint_port(&r->remote) == 1500 ? IKE_PORT : NATT_PORT,
				      r->out, r->out_len);
	}
	assert_non_null(r);
	assert_int_equal(r->state, IKE_ESTABLISHED);
	assert_true(r->nat.peer);
	assert_false(r->nat.local);
	assert_int_equal(from, NATT_PORT);	/* its last message: main 5, aggressive 3 */
	assert_int_equal(endpoint_port(&r->remote), 14500);
	status(t, &st);
	assert_true(st.phase1.established);
	assert_string_equal(st.phase1.nat, "local behind NAT, peer not");
	assert_int_equal(st.phase1.local_port, 4500);
	assert_int_equal(st.phase1.remote_port, 4500);
	for (uint64_t end = loop_now_ms() + 3000; !nkeepalives && loop_now_ms() < end;)
		loop_run_once(100);
	assert_true(nkeepalives > 0);
	assert_int_equal(endpoint_port(&keepalive_to), NATT_PORT);
	ike_sa_free(r);
}

/* n's peer deletes its phase 1. */
static void nat_deletes(struct natted *n)
{
	uint8_t buf[ISAKMP_MSG_MAX];
	size_t len;

	assert_int_equal(info_delete_build(n->p, NULL, 0, buf, &len), 0);
	nat_to_daemon(n, buf, len);
}

/* The live SA of spi: there must be one. */
static struct fake_sa *sa_of_spi(uint32_t spi)
{
	for (unsigned int i = 0; i < k.nsa; i++)
		if (k.sa[i].live && k.sa[i].spi == spi)
			return &k.sa[i];
	fail_msg("no live SA 0x%08x", spi);
	return NULL;
}

/* The remote %any tunnel's peer i: its port, and whether it is up. */
static void peer_is(const struct iked_tunnel *t, unsigned int i, uint16_t port, bool up)
{
	struct tunnel_status st;

	assert_int_equal(registry_peer_status(t, i, &st), 0);
	assert_true(addr_eq(&st.peer, "198.51.100.1"));
	assert_int_equal(st.peer_port, port);
	assert_int_equal(st.up, up);
}

/*
 * Two road warriors behind one NAT (10.0.0.2 and 10.0.0.3, both 198.51.100.1 to us,
 * their 4500 seen as 14500 and 14501), each with its own subnet, to one remote %any
 * tunnel: the port tells them apart (RFC 3947), so each is a peer of its own, with its
 * own request id, SAs to its own port and policies. One's NAT mapping moving, or its
 * phase 1 again with INITIAL-CONTACT, or its delete, leaves the other alone.
 */
static void test_nat_two_peers_behind_one_nat(void **state)
{
	struct iked_tunnel *t = add("rw local 192.168.1.1 remote %any local-ts 10.0.1.0/24 "
				    "remote-ts 10.0.2.0/24,10.0.3.0/24 auth psk psk sesame");
	struct natted a = { .addr = "10.0.0.2", .port500 = 1500, .port4500 = 14500 };
	struct natted b = { .addr = "10.0.0.3", .port500 = 1501, .port4500 = 14501 };
	struct fake_sa *a_in, *a_out, *b_in, *b_out;
	struct tunnel ca, cb;
	struct tunnel_status st;
	struct ike_sa *old;
	struct qm *qa, *qb;

	(void)state;
	conf(&ca, "ra local 10.0.0.2 remote 192.168.1.1 local-ts 10.0.2.0/24 "
	     "remote-ts 10.0.1.0/24 auth psk psk sesame");
	conf(&cb, "rb local 10.0.0.3 remote 192.168.1.1 local-ts 10.0.3.0/24 "
	     "remote-ts 10.0.1.0/24 auth psk psk sesame");
	nat_phase1(&a, &ca);
	qa = nat_quick(&a, &ca, 0x5001);
	nat_phase1(&b, &cb);
	qb = nat_quick(&b, &cb, 0x5002);

	assert_int_equal(sas_live(), 4);
	a_out = sa_of_spi(0x5001);
	b_out = sa_of_spi(0x5002);
	a_in = sa_of_spi(qa->spi_out);
	b_in = sa_of_spi(qb->spi_out);
	assert_true(addr_eq(&a_out->dst, "198.51.100.1") && addr_eq(&b_out->dst, "198.51.100.1"));
	assert_int_equal(a_out->encap_sport, 4500);
	assert_int_equal(a_out->encap_dport, 14500);
	assert_int_equal(b_out->encap_dport, 14501);
	assert_int_equal(a_in->encap_sport, 14500);
	assert_int_equal(b_in->encap_sport, 14501);
	assert_int_equal(a_in->reqid, a_out->reqid);
	assert_int_equal(b_in->reqid, b_out->reqid);
	assert_int_not_equal(a_out->reqid >> 8, b_out->reqid >> 8);
	assert_int_equal(policies_live(), 4);
	assert_int_equal(policy_live(NFSEC_POLICY_DIR_OUT, ts4("10.0.1.0", 24), ts4("10.0.2.0", 24),
				     "192.168.1.1", "198.51.100.1")->reqid, a_out->reqid);
	assert_int_equal(policy_live(NFSEC_POLICY_DIR_OUT, ts4("10.0.1.0", 24), ts4("10.0.3.0", 24),
				     "192.168.1.1", "198.51.100.1")->reqid, b_out->reqid);
	status(t, &st);
	assert_int_equal(st.peer_count, 2);
	assert_int_equal(st.peers_up, 2);
	peer_is(t, 0, 14500, true);
	peer_is(t, 1, 14501, true);
	assert_non_null(strstr(logged, "rw[198.51.100.1:14500]: phase 2 SA up"));
	assert_non_null(strstr(logged, "rw[198.51.100.1:14501]: phase 2 SA up"));

	/* b's NAT moves it to 14601: b's SAs and key follow, a's stay */
	kernel_mapping(b_in, "198.51.100.1", 14601);
	assert_int_equal(b_out->encap_dport, 14601);
	assert_int_equal(b_in->encap_sport, 14601);
	assert_int_equal(a_out->encap_dport, 14500);
	assert_int_equal(a_in->encap_sport, 14500);
	peer_is(t, 1, 14601, true);
	b.port4500 = 14601;

	/* b again through the mapping, restarted (INITIAL-CONTACT): its own SAs go, not a's */
	old = b.p;
	b.initial_contact = true;
	nat_phase1(&b, &cb);
	assert_non_null(strstr(logged, "rw[198.51.100.1:14601]: the peer announced "
			       "INITIAL-CONTACT: 1 phase-1 and 1 phase-2 SAs of before deleted"));
	assert_int_equal(sas_live(), 2);
	assert_true(a_in->live && a_out->live);
	assert_true(loop_run_once(0) > 0);
	status(t, &st);
	assert_int_equal(st.peer_count, 2);
	peer_is(t, 0, 14500, true);
	peer_is(t, 1, 14601, false);
	qm_free(qb);
	ike_sa_free(old);
	qb = nat_quick(&b, &cb, 0x5003);
	assert_int_equal(sas_live(), 4);
	assert_int_equal(sa_of_spi(0x5003)->encap_dport, 14601);
	peer_is(t, 1, 14601, true);

	/* a deletes its phase 1: a ends, b's SAs and policies stay */
	nat_deletes(&a);
	assert_true(loop_run_once(0) > 0);
	assert_int_equal(sas_live(), 2);
	assert_false(a_in->live || a_out->live);
	assert_int_equal(sa_of_spi(0x5003)->encap_dport, 14601);
	assert_int_equal(policies_live(), 2);
	policy_live(NFSEC_POLICY_DIR_OUT, ts4("10.0.1.0", 24), ts4("10.0.3.0", 24), "192.168.1.1",
		    "198.51.100.1");
	status(t, &st);
	assert_int_equal(st.peer_count, 1);
	assert_int_equal(st.peers_up, 1);
	peer_is(t, 0, 14601, true);
	qm_free(qa);
	qm_free(qb);
	ike_sa_free(a.p);
	ike_sa_free(b.p);
}

/* The live policy of dir for selector src -> dst in transport mode: there must be one. */
static const struct fake_policy *transport_policy(uint8_t dir, struct tunnel_ts src,
						  struct tunnel_ts dst)
{
	for (unsigned int i = 0; i < k.npol; i++) {
		const struct fake_policy *p = &k.pol[i];

		if (p->live && p->dir == dir && p->mode == NFSEC_MODE_TRANSPORT &&
		    !memcmp(&p->src, &src, sizeof(src)) && !memcmp(&p->dst, &dst, sizeof(dst)))
			return p;
	}
	fail_msg("no live transport-mode policy");
	return NULL;
}

/*
 * Transport mode through a NAT: the peer (10.0.0.2 behind 198.51.100.1) names its own
 * address in its quick mode's IDci, the daemon knows it as 198.51.100.1 (its remote, its
 * remote-ts). The selectors take the address as seen, the answer echoes the peer's IDs
 * (its quick mode checks them), the SAs are transport mode in UDP to the NAT's port, and
 * the tunnel's policies, between the addresses as seen, are what they protect.
 */
static void test_nat_transport(void **state)
{
	struct iked_tunnel *t = add("tp local 192.168.1.1 remote 198.51.100.1 encap transport "
				    "auth psk psk sesame auto none remote-id fqdn:sun.example");
	struct natted n = { 0 };
	const struct fake_sa *in, *out;
	const struct fake_policy *po;
	struct tunnel_status st;
	struct tunnel behind;
	struct qm *q;

	(void)state;
	conf(&behind, "sun local 10.0.0.2 remote 192.168.1.1 encap transport auth psk "
	     "psk sesame local-id fqdn:sun.example");
	nat_phase1(&n, &behind);
	q = nat_quick(&n, &behind, 0x5001);
	/* the peer's own, as it sent them */
	assert_true(!memcmp(&q->ts_i, &behind.local_ts[0], sizeof(q->ts_i)));
	in = sa_live(NFSEC_SA_DIR_IN, "198.51.100.1", "192.168.1.1");
	out = sa_live(NFSEC_SA_DIR_OUT, "192.168.1.1", "198.51.100.1");
	assert_int_equal(in->mode, NFSEC_MODE_TRANSPORT);
	assert_int_equal(out->mode, NFSEC_MODE_TRANSPORT);
	assert_int_equal(out->spi, 0x5001);
	assert_int_equal(in->encap_sport, 14500);
	assert_int_equal(out->encap_dport, 14500);
	po = transport_policy(NFSEC_POLICY_DIR_OUT, ts4("192.168.1.1", 32),
			      ts4("198.51.100.1", 32));
	assert_int_equal(po->reqid, out->reqid);
	transport_policy(NFSEC_POLICY_DIR_IN, ts4("198.51.100.1", 32), ts4("192.168.1.1", 32));
	status(t, &st);
	assert_string_equal(st.sa[0].state, "ESTABLISHED");
	assert_string_equal(st.phase1.nat, "peer behind NAT, local not");
	qm_free(q);
	ike_sa_free(n.p);
}

/*
 * A road warrior in transport mode behind a NAT, to a remote %any tunnel: its peer's
 * remote-ts is its address as seen, the NAT's; its SAs and its own policies are between
 * the addresses as seen, in transport mode, ESP in UDP to its port.
 */
static void test_nat_transport_any(void **state)
{
	struct iked_tunnel *t = add("rwt local 192.168.1.1 remote %any encap transport auth psk "
				    "psk sesame");
	struct natted n = { 0 };
	const struct fake_sa *out;
	struct tunnel_status st;
	struct tunnel behind;
	struct qm *q;

	(void)state;
	conf(&behind, "sun local 10.0.0.2 remote 192.168.1.1 encap transport auth psk psk "
	     "sesame");
	nat_phase1(&n, &behind);
	q = nat_quick(&n, &behind, 0x5001);
	out = sa_live(NFSEC_SA_DIR_OUT, "192.168.1.1", "198.51.100.1");
	assert_int_equal(out->mode, NFSEC_MODE_TRANSPORT);
	assert_int_equal(out->encap_dport, 14500);
	assert_int_equal(sa_live(NFSEC_SA_DIR_IN, "198.51.100.1", "192.168.1.1")->mode,
			 NFSEC_MODE_TRANSPORT);
	assert_int_equal(policies_live(), 2);
	assert_int_equal(transport_policy(NFSEC_POLICY_DIR_OUT, ts4("192.168.1.1", 32),
					  ts4("198.51.100.1", 32))->reqid, out->reqid);
	transport_policy(NFSEC_POLICY_DIR_IN, ts4("198.51.100.1", 32), ts4("192.168.1.1", 32));
	status(t, &st);
	assert_int_equal(st.peers_up, 1);
	peer_is(t, 0, 14500, true);
	qm_free(q);
	ike_sa_free(n.p);
}

/*
 * Without a NAT, transport mode's IDs are the addresses themselves: a peer naming another
 * is refused (INVALID-ID-INFORMATION), as before.
 */
static void test_transport_ids_without_nat(void **state)
{
	struct tunnel_ts own = ts4("10.0.0.2", 32);
	struct ike_sa *p;
	struct tunnel peer;
	struct ike_msg msg = { 0 };
	char why[IKE_WHY_MAX];
	struct qm *q;

	(void)state;
	add("tp local 192.168.1.1 remote 192.168.1.2 encap transport auth psk psk sesame "
	    "auto none");
	conf(&peer, "sun local 192.168.1.2 remote 192.168.1.1 encap transport auth psk psk "
	     "sesame");
	p = phase1_from(&peer, "192.168.1.2", false);
	q = qm_initiate(p, &own, &peer.remote_ts[0], 0x5001, why, sizeof(why));
	assert_non_null(q);
	deliver(q->out, q->out_len);
	last_sent(&msg);
	assert_int_equal(msg.hdr.exchange, ISAKMP_EXCH_INFO);
	assert_int_equal(sas_live(), 0);
	qm_free(q);
	ike_sa_free(p);
}

static void test_nat_initiator_main(void **state)
{
	(void)state;
	nat_initiator("main");
}

static void test_nat_initiator_aggressive(void **state)
{
	(void)state;
	nat_initiator("aggressive");
}

/*
 * A road warrior's phase 2 with a remote %any tunnel: its SAs in the kernel are keyed to
 * its real address, not 0.0.0.0, and out and in protect policies for the tunnel's
 * selectors, with the real endpoints in their templates and the SAs' request id, send the
 * traffic through them; "nfsec tunnel show" lists the peer as up, the tunnel with no SA
 * of its own.
 */
static void test_any_peer_keyed_to_its_address(void **state)
{
	struct iked_tunnel *t = add(RW);
	struct ike_sa *p = peer_phase1();
	const struct fake_policy *po, *pi;
	const struct fake_sa *in, *out;
	struct tunnel_status st;
	struct qm *q;

	(void)state;
	assert_int_equal(policies_live(), 0);
	q = peer_quick(p, NULL, NULL);
	assert_int_equal(sas_live(), 2);
	in = sa_live(NFSEC_SA_DIR_IN, "192.168.1.2", "192.168.1.1");
	out = sa_live(NFSEC_SA_DIR_OUT, "192.168.1.1", "192.168.1.2");
	assert_int_equal(out->spi, 0x5001);
	assert_int_equal(policies_live(), 2);
	po = policy_live(NFSEC_POLICY_DIR_OUT, ts4("10.0.1.0", 24), ts4("10.0.2.0", 24),
			 "192.168.1.1", "192.168.1.2");
	pi = policy_live(NFSEC_POLICY_DIR_IN, ts4("10.0.2.0", 24), ts4("10.0.1.0", 24),
			 "192.168.1.2", "192.168.1.1");
	assert_int_equal(po->reqid, out->reqid);
	assert_int_equal(pi->reqid, in->reqid);
	assert_int_equal(in->reqid, out->reqid);
	/* the peer's request id, not the tunnel's */
	assert_int_not_equal(out->reqid >> 8, t->reqid);

	status(t, &st);
	assert_false(st.phase1.established);
	assert_int_equal(st.sa_count, 0);
	assert_int_equal(st.peer_count, 1);
	assert_int_equal(st.peers_up, 1);
	assert_int_equal(registry_peer_status(t, 0, &st), 0);
	assert_true(addr_eq(&st.peer, "192.168.1.2"));
	assert_true(st.up);
	assert_true(st.phase1.established);
	assert_int_equal(st.sa_count, 1);
	assert_string_equal(st.sa[0].state, "ESTABLISHED");
	assert_int_equal(registry_peer_status(t, 1, &st), -ENOENT);
	assert_non_null(strstr(logged, "rw[192.168.1.2]: phase 2 SA up"));
	qm_free(q);
	ike_sa_free(p);
}

/*
 * The peer deletes its phase 2: its SAs and policies go, its phase 1 stays (the peer is
 * listed, down). A new phase 2 brings both back. It deletes phase 1: the peer ends, its
 * SAs and policies with it.
 */
static void test_any_peer_delete(void **state)
{
	struct iked_tunnel *t = add(RW);
	struct ike_sa *p = peer_phase1();
	struct qm *q = peer_quick(p, NULL, NULL);
	struct tunnel_status st;

	(void)state;
	assert_int_equal(sas_live(), 2);
	assert_int_equal(policies_live(), 2);
	peer_deletes(p, "192.168.1.2", q->spi_in);
	assert_int_equal(sas_live(), 0);
	assert_int_equal(policies_live(), 0);
	status(t, &st);
	assert_int_equal(st.peer_count, 1);
	assert_int_equal(st.peers_up, 0);
	assert_int_equal(registry_peer_status(t, 0, &st), 0);
	assert_false(st.up);
	assert_true(st.phase1.established);
	assert_string_equal(st.sa[0].state, "DOWN");
	qm_free(q);

	q = quick_from(p, &sun, "192.168.1.2", 0x5002, NULL, NULL);
	assert_int_equal(sas_live(), 2);
	assert_int_equal(policies_live(), 2);
	sa_live(NFSEC_SA_DIR_OUT, "192.168.1.1", "192.168.1.2");

	peer_deletes(p, "192.168.1.2", 0);
	assert_true(loop_run_once(0) > 0);
	assert_int_equal(sas_live(), 0);
	assert_int_equal(policies_live(), 0);
	status(t, &st);
	assert_int_equal(st.peer_count, 0);
	assert_int_equal(registry_peer_status(t, 0, &st), -ENOENT);
	qm_free(q);
	ike_sa_free(p);
}

/* A hard EXPIRE of a peer's SA: the pair's SAs and policies go, the peer is told. */
static void test_any_peer_expired(void **state)
{
	struct ike_msg msg = { 0 };
	struct ike_sa *p;
	struct qm *q;

	(void)state;
	add(RW);
	p = peer_phase1();
	q = peer_quick(p, NULL, NULL);
	kernel_expire(sa_live(NFSEC_SA_DIR_OUT, "192.168.1.1", "192.168.1.2"), true);
	assert_int_equal(sas_live(), 0);
	assert_int_equal(policies_live(), 0);
	last_sent(&msg);
	assert_int_equal(msg.hdr.exchange, ISAKMP_EXCH_INFO);
	qm_free(q);
	ike_sa_free(p);
}

/* INITIAL-CONTACT from the peer's address: what it had goes, its new phase 2 comes. */
static void test_any_peer_initial_contact(void **state)
{
	struct iked_tunnel *t = add(RW);
	struct ike_sa *p = peer_phase1(), *again;
	struct qm *q = peer_quick(p, NULL, NULL), *q2;
	struct tunnel_status st;

	(void)state;
	again = phase1_from(&sun, "192.168.1.2", true);
	assert_int_equal(sas_live(), 0);
	assert_int_equal(policies_live(), 0);
	assert_non_null(strstr(logged, "INITIAL-CONTACT: 1 phase-1 and 1 phase-2 SAs of before "
			       "deleted"));
	assert_true(loop_run_once(0) > 0);
	status(t, &st);
	assert_int_equal(st.peer_count, 1);
	q2 = quick_from(again, &sun, "192.168.1.2", 0x5002, NULL, NULL);
	assert_int_equal(sas_live(), 2);
	assert_int_equal(policies_live(), 2);
	qm_free(q2);
	qm_free(q);
	ike_sa_free(again);
	ike_sa_free(p);
}

/*
 * Two road warriors on one host-to-host remote %any tunnel: each gets SAs keyed to its
 * address and its own policies (its address the remote selector, its own request id);
 * one going takes only its own.
 */
static void test_any_two_peers(void **state)
{
	struct tunnel h2, h3;
	struct iked_tunnel *t;
	const struct fake_policy *po2, *po3, *pi2, *pi3;
	const struct fake_sa *o2, *o3;
	struct tunnel_status st;
	struct ike_sa *p2, *p3;
	struct qm *q2, *q3;

	(void)state;
	conf(&h2, "h2 local 192.168.1.2 remote 192.168.1.1 local-ts 192.168.1.2/32 remote-ts "
	     "192.168.1.1/32 auth psk psk sesame");
	conf(&h3, "h3 local 192.168.1.3 remote 192.168.1.1 local-ts 192.168.1.3/32 remote-ts "
	     "192.168.1.1/32 auth psk psk sesame");
	t = add(RW_HOST);
	p2 = phase1_from(&h2, "192.168.1.2", false);
	q2 = quick_from(p2, &h2, "192.168.1.2", 0x5002, NULL, NULL);
	p3 = phase1_from(&h3, "192.168.1.3", false);
	q3 = quick_from(p3, &h3, "192.168.1.3", 0x5003, NULL, NULL);

	assert_int_equal(sas_live(), 4);
	o2 = sa_live(NFSEC_SA_DIR_OUT, "192.168.1.1", "192.168.1.2");
	o3 = sa_live(NFSEC_SA_DIR_OUT, "192.168.1.1", "192.168.1.3");
	sa_live(NFSEC_SA_DIR_IN, "192.168.1.2", "192.168.1.1");
	sa_live(NFSEC_SA_DIR_IN, "192.168.1.3", "192.168.1.1");
	assert_int_equal(policies_live(), 4);
	po2 = policy_live(NFSEC_POLICY_DIR_OUT, ts4("192.168.1.1", 32), ts4("192.168.1.2", 32),
			  "192.168.1.1", "192.168.1.2");
	pi2 = policy_live(NFSEC_POLICY_DIR_IN, ts4("192.168.1.2", 32), ts4("192.168.1.1", 32),
			  "192.168.1.2", "192.168.1.1");
	po3 = policy_live(NFSEC_POLICY_DIR_OUT, ts4("192.168.1.1", 32), ts4("192.168.1.3", 32),
			  "192.168.1.1", "192.168.1.3");
	pi3 = policy_live(NFSEC_POLICY_DIR_IN, ts4("192.168.1.3", 32), ts4("192.168.1.1", 32),
			  "192.168.1.3", "192.168.1.1");
	assert_int_equal(po2->reqid, o2->reqid);
	assert_int_equal(pi2->reqid, o2->reqid);
	assert_int_equal(po3->reqid, o3->reqid);
	assert_int_equal(pi3->reqid, o3->reqid);
	assert_int_not_equal(o2->reqid, o3->reqid);
	status(t, &st);
	assert_int_equal(st.peer_count, 2);
	assert_int_equal(st.peers_up, 2);

	/* 192.168.1.2 goes: 192.168.1.3's SAs and policies stay */
	peer_deletes(p2, "192.168.1.2", 0);
	assert_true(loop_run_once(0) > 0);
	assert_int_equal(sas_live(), 2);
	assert_int_equal(policies_live(), 2);
	sa_live(NFSEC_SA_DIR_OUT, "192.168.1.1", "192.168.1.3");
	sa_live(NFSEC_SA_DIR_IN, "192.168.1.3", "192.168.1.1");
	assert_true(po3->live && pi3->live);
	status(t, &st);
	assert_int_equal(st.peer_count, 1);
	assert_int_equal(st.peers_up, 1);
	assert_int_equal(registry_peer_status(t, 0, &st), 0);
	assert_true(addr_eq(&st.peer, "192.168.1.3"));
	qm_free(q2);
	qm_free(q3);
	ike_sa_free(p2);
	ike_sa_free(p3);
}

/*
 * Net to net, two peers asking for the same selectors: the module would send their
 * traffic to one only, so the second is refused (INVALID-ID-INFORMATION) while the first
 * holds them, and gets them once the first is gone.
 */
static void test_any_selectors_held(void **state)
{
	struct iked_tunnel *t = add(RW);
	struct ike_sa *p = peer_phase1(), *p3;
	struct qm *q = peer_quick(p, NULL, NULL), *q3;
	char why[IKE_WHY_MAX];
	struct tunnel_status st;
	struct ike_msg msg = { 0 };

	(void)state;
	p3 = phase1_from(&sun, "192.168.1.3", false);
	q3 = qm_initiate(p3, &sun.local_ts[0], &sun.remote_ts[0], 0x5003, why, sizeof(why));
	assert_non_null(q3);
	deliver_from("192.168.1.3", q3->out, q3->out_len);
	last_sent(&msg);
	assert_int_equal(msg.hdr.exchange, ISAKMP_EXCH_INFO);
	assert_int_equal(sas_live(), 2);
	assert_int_equal(policies_live(), 2);
	assert_non_null(strstr(logged, "refused: rw[192.168.1.2] holds them"));
	assert_int_equal(registry_peer_status(t, 1, &st), 0);
	assert_false(st.up);
	assert_non_null(strstr(st.down_reason, "INVALID-ID-INFORMATION"));
	qm_free(q3);

	peer_deletes(p, "192.168.1.2", 0);
	assert_true(loop_run_once(0) > 0);
	assert_int_equal(sas_live(), 0);
	q3 = quick_from(p3, &sun, "192.168.1.3", 0x5004, NULL, NULL);
	sa_live(NFSEC_SA_DIR_OUT, "192.168.1.1", "192.168.1.3");
	policy_live(NFSEC_POLICY_DIR_OUT, ts4("10.0.1.0", 24), ts4("10.0.2.0", 24),
		    "192.168.1.1", "192.168.1.3");
	assert_int_equal(policies_live(), 2);
	qm_free(q3);
	qm_free(q);
	ike_sa_free(p3);
	ike_sa_free(p);
}

/*
 * A peer's policies replace what an earlier run left in their way only under a request
 * id no policy of ours has now: not a tunnel's, nor a peer's whose policies are in; its
 * own before its policies are in (request ids come back from run to run), a remote %any
 * tunnel's own, and nobody's, yes.
 */
static void test_any_stale_reqids(void **state)
{
	struct iked_tunnel *moon, *rw;
	uint32_t peer;
	struct ike_sa *p;
	struct qm *q;

	(void)state;
	moon = add(MOON " auto none");
	rw = add(RW);
	p = phase1_from(&sun, "192.168.1.3", false);
	q = quick_from(p, &sun, "192.168.1.3", 0x5003, NULL, NULL);
	assert_non_null(k.stale);
	assert_true(k.stale_own);
	peer = sa_live(NFSEC_SA_DIR_OUT, "192.168.1.1", "192.168.1.3")->reqid;
	assert_false(k.stale(peer, k.stale_arg));
	assert_false(k.stale(moon->reqid << 8, k.stale_arg));
	assert_true(k.stale(rw->reqid << 8, k.stale_arg));
	assert_true(k.stale(moon->reqid << 8 | 1, k.stale_arg));	/* moon has one pair */
	assert_true(k.stale(99 << 8, k.stale_arg));
	peer_deletes(p, "192.168.1.3", q->spi_in);
	assert_true(k.stale(peer, k.stale_arg));
	qm_free(q);
	ike_sa_free(p);
}

/* --- The configuration file read again (reload.c) ----------------------------------------- */

static char conf_dir[64], conf_path[128], psk_path[128];

/* moon's secret from a file, which the reload reads again */
#define F_MOON "tunnel moon local 192.168.1.1 remote 192.168.1.2 local-ts 10.0.1.0/24 " \
	       "remote-ts 10.0.2.0/24 auth psk psk file:%1$s auto none\n"
#define F_GONE "tunnel gone local 192.168.1.1 remote 192.168.1.3 local-ts 10.0.1.0/24 " \
	       "remote-ts 10.0.3.0/24 auth psk psk sesame auto none\n"
#define F_CHG  "tunnel chg local 192.168.1.1 remote 192.168.1.4 local-ts 10.0.1.0/24 " \
	       "remote-ts 10.0.4.0/24 auth psk psk sesame"
#define F_NEW  "tunnel new local 192.168.1.1 remote 192.168.1.5 local-ts 10.0.1.0/24 " \
	       "remote-ts 10.0.5.0/24 auth psk psk sesame\n"
/* added over the control socket: a reload never touches it */
#define RT "rt local 192.168.1.1 remote 192.168.1.6 local-ts 10.0.1.0/24 " \
	   "remote-ts 10.0.6.0/24 auth psk psk sesame auto none"

static void file_put(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* The configuration file from fmt, in which %1$s is the psk file's path. */
static void conf_put(const char *fmt, ...)
{
	char text[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	file_put(conf_path, text, 0600);
}

static int reload_setup(void **state)
{
	strcpy(conf_dir, "/tmp/nfsec-reload.XXXXXX");
	if (!mkdtemp(conf_dir))
		return -1;
	snprintf(conf_path, sizeof(conf_path), "%s/iked.conf", conf_dir);
	snprintf(psk_path, sizeof(psk_path), "%s/moon.psk", conf_dir);
	file_put(psk_path, "sesame\n", 0600);
	return test_setup(state);
}

static int reload_teardown(void **state)
{
	unlink(conf_path);
	unlink(psk_path);
	rmdir(conf_dir);
	return test_teardown(state);
}

/* The peer at 192.168.1.N of the daemon's tunnel to it (10.0.N.0/24 behind it). */
static void peer_conf(struct tunnel *t, unsigned int n)
{
	char text[256];

	snprintf(text, sizeof(text), "p%u local 192.168.1.%u remote 192.168.1.1 local-ts "
		 "10.0.%u.0/24 remote-ts 10.0.1.0/24 auth psk psk sesame", n, n, n);
	conf(t, text);
}

/* Phase 1 and one phase 2 from the peer at 192.168.1.N, its inbound SPI 0x5000 + N. */
struct peer {
	struct tunnel conf;
	char addr[16];
	struct ike_sa *p1;
	struct qm *qm;
};

static void peer_up_with(struct peer *p, unsigned int n)
{
	peer_conf(&p->conf, n);
	snprintf(p->addr, sizeof(p->addr), "192.168.1.%u", n);
	p->p1 = phase1_from(&p->conf, p->addr, false);
	p->qm = quick_from(p->p1, &p->conf, p->addr, 0x5000 + n, NULL, NULL);
}

static void peer_free(struct peer *p)
{
	qm_free(p->qm);
	ike_sa_free(p->p1);
}

/* Live SAs, and policies, from or to addr. */
static unsigned int sas_live_with(const char *addr)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < k.nsa; i++)
		n += k.sa[i].live && (addr_eq(&k.sa[i].src, addr) || addr_eq(&k.sa[i].dst, addr));
	return n;
}

static unsigned int policies_live_with(const char *addr)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < k.npol; i++)
		n += k.pol[i].live && (addr_eq(&k.pol[i].tmpl_src, addr) ||
				       addr_eq(&k.pol[i].tmpl_dst, addr));
	return n;
}

/* Datagrams to addr among those sent since the from-th. */
static unsigned int sent_to(const char *addr, unsigned int from)
{
	struct sockaddr_storage ss;
	unsigned int n = 0;

	ss = endpoint4(addr, IKE_PORT);
	for (unsigned int i = from; i < nsent; i++)
		n += !memcmp(&sent[i % SENT_MAX].to, &ss, sizeof(struct sockaddr_in));
	return n;
}

/*
 * Unchanged, changed, gone, new, and one added at runtime: moon (unchanged) keeps its
 * phase 1 and SAs and hears nothing; gone loses its SAs (the peer told) and policies;
 * chg is taken down and added again with its new esp, auto start now, so it initiates;
 * new is added (auto trap: its policies in); rt, not the file's, is left as it was.
 */
static void test_reload_applies(void **state)
{
	struct iked_tunnel *moon, *chg, *rt;
	struct conf_reload_result r;
	struct tunnel_status st;
	struct iked_settings s;
	struct peer sun2, p3, p4, p6;
	uint32_t spi_in, spi_out;
	char err[512] = "";
	unsigned int before;

	(void)state;
	conf_put(F_MOON F_GONE F_CHG " auto none\n", psk_path);
	assert_int_equal(conf_load(conf_path, &s), 3);
	rt = add(RT);
	moon = registry_find("moon");
	chg = registry_find("chg");
	assert_true(moon->from_conf);
	assert_false(rt->from_conf);
	assert_int_equal(moon->conf.psk_len, 6);
	peer_up_with(&sun2, 2);
	peer_up_with(&p3, 3);
	peer_up_with(&p4, 4);
	peer_up_with(&p6, 6);
	assert_int_equal(sas_live(), 8);
	assert_int_equal(policies_live(), 8);
	status(moon, &st);
	assert_true(st.phase1.established);
	assert_true(st.sa[0].established);
	spi_in = st.sa[0].spi_in;
	spi_out = st.sa[0].spi_out;

	conf_put("# moon as it was, chg with another esp and auto start, gone gone\n"
		 F_MOON F_CHG " esp aes256gcm16 auto start\n" F_NEW, psk_path);
	before = nsent;
	assert_int_equal(conf_reload(conf_path, &r, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(r.added, 1);
	assert_int_equal(r.changed, 1);
	assert_int_equal(r.removed, 1);
	assert_int_equal(r.unchanged, 1);
	assert_non_null(strstr(logged, "reloaded: 1 added, 1 changed, 1 removed, 1 unchanged"));

	/* moon: the same tunnel, its phase 1 and SAs as they were, not a word to the peer */
	assert_ptr_equal(registry_find("moon"), moon);
	status(moon, &st);
	assert_true(st.phase1.established);
	assert_true(st.sa[0].established);
	assert_int_equal(st.sa[0].spi_in, spi_in);
	assert_int_equal(st.sa[0].spi_out, spi_out);
	assert_true(spi_live(spi_in));
	assert_true(spi_live(spi_out));
	assert_int_equal(sas_live_with("192.168.1.2"), 2);
	assert_int_equal(policies_live_with("192.168.1.2"), 2);
	assert_int_equal(sent_to("192.168.1.2", before), 0);

	/* gone: no SA, no policy, the peer told */
	assert_null(registry_find("gone"));
	assert_int_equal(sas_live_with("192.168.1.3"), 0);
	assert_int_equal(policies_live_with("192.168.1.3"), 0);
	assert_true(sent_to("192.168.1.3", before) >= 1);

	/* chg: its old SAs deleted (the peer told), back with the new words, initiating */
	assert_non_null(registry_find("chg"));
	assert_true(registry_find("chg")->from_conf);
	assert_int_equal(registry_find("chg")->conf.esp.count, 1);
	assert_int_equal(registry_find("chg")->conf.auto_mode, TUNNEL_AUTO_START);
	assert_int_equal(sas_live_with("192.168.1.4"), 0);
	assert_int_equal(policies_live_with("192.168.1.4"), 2);
	assert_true(sent_to("192.168.1.4", before) >= 2);	/* deletes, then message 1 */
	status(registry_find("chg"), &st);
	assert_false(st.phase1.established);
	(void)chg;

	/* new: in, auto trap */
	assert_non_null(registry_find("new"));
	assert_true(registry_find("new")->from_conf);
	assert_int_equal(policies_live_with("192.168.1.5"), 2);

	/* rt: untouched */
	assert_ptr_equal(registry_find("rt"), rt);
	assert_false(rt->from_conf);
	assert_int_equal(sas_live_with("192.168.1.6"), 2);
	assert_int_equal(sent_to("192.168.1.6", before), 0);

	/* the same file again: nothing changes */
	before = nsent;
	assert_int_equal(conf_reload(conf_path, &r, err, sizeof(err)), 0);
	assert_int_equal(r.added + r.changed + r.removed, 0);
	assert_int_equal(r.unchanged, 3);
	assert_int_equal(sent_to("192.168.1.2", before), 0);
	assert_int_equal(sas_live_with("192.168.1.2"), 2);

	/* a new secret in moon's psk file is a change */
	file_put(psk_path, "open sesame\n", 0600);
	assert_int_equal(conf_reload(conf_path, &r, err, sizeof(err)), 0);
	assert_int_equal(r.changed, 1);
	assert_int_equal(r.unchanged, 2);
	assert_int_equal(sas_live_with("192.168.1.2"), 0);
	assert_int_equal(registry_find("moon")->conf.psk_len, 11);

	peer_free(&sun2);
	peer_free(&p3);
	peer_free(&p4);
	peer_free(&p6);
}

/* reload fails with want in its message, and leaves the registry, SAs and peers alone. */
static void reload_refused(const char *want)
{
	struct iked_tunnel *moon = registry_find("moon"), *gone = registry_find("gone");
	unsigned int before = nsent, sas = sas_live(), policies = policies_live();
	unsigned int count = registry_count();
	struct conf_reload_result r;
	char err[512] = "";

	assert_true(conf_reload(conf_path, &r, err, sizeof(err)) < 0);
	if (!strstr(err, want))
		fail_msg("reload said \"%s\", not \"%s\"", err, want);
	assert_non_null(strstr(err, "; nothing changed"));
	assert_non_null(strstr(logged, want));
	assert_int_equal(r.added + r.changed + r.removed + r.unchanged, 0);
	assert_int_equal(registry_count(), count);
	assert_ptr_equal(registry_find("moon"), moon);
	assert_ptr_equal(registry_find("gone"), gone);
	assert_null(registry_find("new"));
	assert_int_equal(nsent, before);
	assert_int_equal(sas_live(), sas);
	assert_int_equal(policies_live(), policies);
	logged[0] = '\0';
}

/*
 * Any error in the file, or in a file it names, or a clash with a tunnel that stays:
 * nothing changes, and the message names the file and the line.
 */
static void test_reload_error_changes_nothing(void **state)
{
	struct iked_settings s;
	struct peer sun2;
	struct iked_tunnel *rt;
	char want[512];

	(void)state;
	conf_put(F_MOON F_GONE, psk_path);
	assert_int_equal(conf_load(conf_path, &s), 2);
	rt = add(RT);
	peer_up_with(&sun2, 2);
	assert_int_equal(sas_live(), 2);

	/* a bad word on line 4, after a removal and an addition that would have been fine */
	conf_put(F_MOON "# gone's line had a typo\n\n" F_CHG " bogus x\n" F_NEW, psk_path);
	snprintf(want, sizeof(want), "%s:4: unknown word \"bogus\"", conf_path);
	reload_refused(want);

	/* moon's psk file readable by others */
	conf_put(F_NEW F_MOON, psk_path);
	assert_int_equal(chmod(psk_path, 0644), 0);
	snprintf(want, sizeof(want), "%s:2: tunnel moon: psk file %s: readable by group or "
		 "others", conf_path, psk_path);
	reload_refused(want);
	assert_int_equal(chmod(psk_path, 0600), 0);

	/* a name of a tunnel added at runtime */
	conf_put(F_MOON "tunnel rt local 192.168.1.1 remote 192.168.1.7 local-ts 10.0.1.0/24 "
		 "remote-ts 10.0.7.0/24 auth psk psk sesame\n", psk_path);
	snprintf(want, sizeof(want), "%s:2: tunnel rt: a tunnel of that name was added with "
		 "\"nfsec tunnel add\"", conf_path);
	reload_refused(want);

	/* the reqid of one that stays */
	conf_put(F_MOON "tunnel x local 192.168.1.1 remote 192.168.1.7 local-ts 10.0.1.0/24 "
		 "remote-ts 10.0.7.0/24 auth psk psk sesame reqid %2$u\n", psk_path, rt->reqid);
	snprintf(want, sizeof(want), "%s:2: tunnel x: reqid %u is tunnel \"rt\"'s, which stays",
		 conf_path, rt->reqid);
	reload_refused(want);

	/* the same reqid twice in the file */
	conf_put(F_NEW "tunnel x local 192.168.1.1 remote 192.168.1.7 local-ts 10.0.1.0/24 "
		 "remote-ts 10.0.7.0/24 auth psk psk sesame reqid 77\n"
		 "tunnel y local 192.168.1.1 remote 192.168.1.8 local-ts 10.0.1.0/24 "
		 "remote-ts 10.0.8.0/24 auth psk psk sesame reqid 77\n", psk_path);
	snprintf(want, sizeof(want), "%s:3: tunnel y: reqid 77 is tunnel \"x\"'s already, on "
		 "line 2", conf_path);
	reload_refused(want);

	/* no file */
	unlink(conf_path);
	snprintf(want, sizeof(want), "%s: No such file or directory", conf_path);
	reload_refused(want);
	peer_free(&sun2);
}

/*
 * SIGHUP reloads the file conf_reload_init() was given, from the loop (which is where
 * "nfsec tunnel reload" runs it too).
 */
static void test_reload_on_sighup(void **state)
{
	struct conf_reload_result r;
	struct iked_settings s;
	char err[256];

	(void)state;
	assert_int_equal(conf_reload(NULL, &r, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "without a configuration file"));
	conf_put(F_GONE, psk_path);
	assert_int_equal(conf_load(conf_path, &s), 1);
	conf_put(F_NEW, psk_path);
	assert_int_equal(conf_reload_init(conf_path), 0);
	assert_int_equal(kill(getpid(), SIGHUP), 0);
	for (int i = 0; i < 100 && !registry_find("new"); i++)
		assert_true(loop_run_once(10) >= 0);
	assert_non_null(registry_find("new"));
	assert_null(registry_find("gone"));
	assert_non_null(strstr(logged, "reloaded: 1 added, 0 changed, 1 removed, 0 unchanged"));
}

/*
 * Stopping leaves the policies in place (traffic waits, never in clear): a tunnel's, and
 * a remote %any tunnel's peer's; the SAs go.
 */
static void test_stop_keeps_policies(void **state)
{
	struct ike_sa *p;
	struct qm *q;

	(void)state;
	add(MOON " auto none");
	assert_int_equal(k.policies, 2);
	add(RW);
	p = phase1_from(&sun, "192.168.1.3", false);
	q = quick_from(p, &sun, "192.168.1.3", 0x5003, NULL, NULL);
	assert_int_equal(k.policies, 4);
	assert_int_equal(sas_live(), 2);
	daemon_fini(false);
	assert_int_equal(k.policies_del_calls, 0);
	assert_int_equal(k.policies, 4);
	assert_int_equal(policies_live(), 4);
	assert_int_equal(sas_live(), 0);
	assert_non_null(strstr(logged, "moon: stopping: its 2 policies stay"));
	assert_non_null(strstr(logged, "rw[192.168.1.3]: stopping: its 2 policies stay"));
	qm_free(q);
	ike_sa_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_spoofed_m1_does_not_block, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_auto_none_waits_for_up, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_repeated_m1, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_half_open_caps, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_half_open_named_tunnels, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_auto_start_all_at_once, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_refusals_capped, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_named_peer_reserve, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_forged_undecryptable, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_quick_mode_replay, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_quick_mode_cap, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_quick_mode_out_refused, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_crossed_seen_by_peer_only, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_delete_other_cookies, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_aggressive_psk_warns_at_load, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_any_peer_keyed_to_its_address, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_nat_peer_behind_nat, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_nat_two_peers_behind_one_nat, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_nat_transport, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_nat_transport_any, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_transport_ids_without_nat, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_nat_initiator_main, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_nat_initiator_aggressive, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_any_peer_delete, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_any_peer_expired, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_any_peer_initial_contact, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_any_two_peers, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_any_selectors_held, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_any_stale_reqids, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_reload_applies, reload_setup,
						reload_teardown),
		cmocka_unit_test_setup_teardown(test_reload_error_changes_nothing, reload_setup,
						reload_teardown),
		cmocka_unit_test_setup_teardown(test_reload_on_sighup, reload_setup,
						reload_teardown),
		/* last: it stops the daemon */
		cmocka_unit_test_setup_teardown(test_stop_keeps_policies, test_setup,
						test_teardown),
	};

	return cmocka_run_group_tests_name("daemon", tests, group_setup, group_teardown);
}
