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
#include <string.h>
#include <sys/eventfd.h>

#include <cmocka.h>

#include "daemon.h"
#include "ike.h"
#include "info.h"
#include "log.h"
#include "loop.h"
#include "net.h"
#include "quick.h"
#include "registry.h"

/* --- Fakes: the UDP sockets --------------------------------------------------------- */

enum { SENT_MAX = 64 };

struct sent {
	struct sockaddr_storage to;
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

	(void)from;
	memcpy(&s->to, to, to->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
		sizeof(struct sockaddr_in6));
	s->len = len;
	memcpy(s->buf, buf, len);
	return 0;
}

/* --- Fakes: the kernel ---------------------------------------------------------------- */

static struct {
	unsigned int policies;		/* installed */
	unsigned int policies_del_calls;
	unsigned int sas_in, sas_out;	/* added */
	bool fail_out;			/* kernel_sa_add() refuses outbound SAs */
	uint32_t next_spi;
	unsigned int spis;		/* allocated, not released */
} k;

int kernel_tunnel_policies_add(struct kernel *kk, const struct kernel_tunnel *kt,
			       struct kernel_policies *out, char *err, size_t errlen)
{
	(void)kk;
	(void)err;
	(void)errlen;
	out->count = 2 * kt->pair_count;
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
	return 0;
}

int kernel_sa_del(struct kernel *kk, uint32_t spi, const struct tunnel_addr *dst, char *err,
		  size_t errlen)
{
	(void)kk;
	(void)spi;
	(void)dst;
	(void)err;
	(void)errlen;
	return 0;
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
	return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

int kernel_events_read(struct kernel *kk, const struct kernel_event_ops *ops, void *arg,
		       char *err, size_t errlen)
{
	(void)kk;
	(void)ops;
	(void)arg;
	(void)err;
	(void)errlen;
	return 0;
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
	char buf[1024], *words[64], *save = NULL, *w;
	char err[256] = "";
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", text);
	for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	if (tunnel_parse(words, n, t, err, sizeof(err)))
		fail_msg("tunnel_parse: %s", err);
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

static void sockaddr4(struct sockaddr_storage *ss, const char *addr)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(IKE_PORT);
	assert_int_equal(inet_pton(AF_INET, addr, &sin->sin_addr), 1);
}

/* A datagram to the daemon (192.168.1.1) from addr. */
static void deliver_from(const char *addr, const uint8_t *buf, size_t len)
{
	struct sockaddr_storage local, remote;

	sockaddr4(&local, "192.168.1.1");
	sockaddr4(&remote, addr);
	recv_cb(&local, &remote, buf, len, NULL);
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

/* sun initiates phase 1 with the daemon's moon, main mode, to the end. */
static struct ike_sa *peer_phase1(void)
{
	char why[IKE_WHY_MAX];
	struct ike_sa *p = ike_sa_initiate(&sun, NULL, why, sizeof(why));
	struct ike_msg msg;
	int turn;

	assert_non_null(p);
	for (turn = 0; turn < 3; turn++) {
		unsigned int before = nsent;

		deliver(p->out, p->out_len);
		assert_int_equal(nsent, before + 1);
		last_sent(&msg);
		assert_int_equal(ike_sa_input(p, &msg), 0);
	}
	assert_int_equal(p->state, IKE_ESTABLISHED);
	return p;
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
	struct ike_msg msg;

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

/* sun's quick mode with moon: message 1 (kept in m1), 2 and 3. */
static struct qm *peer_quick(struct ike_sa *p, uint8_t *m1, size_t *m1_len)
{
	char why[IKE_WHY_MAX];
	struct qm *q = qm_initiate(p, &sun.local_ts[0], &sun.remote_ts[0], 0x5001, why,
				   sizeof(why));
	struct ike_msg msg;

	assert_non_null(q);
	memcpy(m1, q->out, q->out_len);
	*m1_len = q->out_len;
	deliver(q->out, q->out_len);
	/* nothing in the kernel before HASH(3) */
	assert_int_equal(k.sas_in + k.sas_out, 0);
	last_sent(&msg);
	assert_int_equal(qm_input(q, &msg), 0);
	assert_int_equal(q->state, QM_DONE);
	deliver(q->out, q->out_len);
	return q;
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

/* The outbound SA refused: the SPI goes back, the pair is free to negotiate again. */
static void test_quick_mode_out_refused(void **state)
{
	struct iked_tunnel *t = add(MOON " auto none");
	struct ike_sa *p = peer_phase1();
	uint8_t m1[ISAKMP_MSG_MAX];
	struct tunnel_status st;
	struct ike_msg msg;
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
	for (int i = 0; i < 3 && k.spis; i++)
		assert_true(loop_run_once(2 * DAEMON_OUT_SWITCH_MS) >= 0);
	assert_int_equal(k.spis, 0);
	status(t, &st);
	assert_string_equal(st.sa[0].state, "DOWN");
	qm_free(q);
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

/* Stopping leaves the policies in place (traffic waits, never in clear). */
static void test_stop_keeps_policies(void **state)
{
	(void)state;
	add(MOON " auto none");
	assert_int_equal(k.policies, 2);
	daemon_fini(false);
	assert_int_equal(k.policies_del_calls, 0);
	assert_int_equal(k.policies, 2);
	assert_non_null(strstr(logged, "its 2 policies stay"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_spoofed_m1_does_not_block, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_repeated_m1, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_half_open_caps, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_forged_undecryptable, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_quick_mode_replay, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_quick_mode_out_refused, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_delete_other_cookies, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_aggressive_psk_warns_at_load, test_setup,
						test_teardown),
		/* last: it stops the daemon */
		cmocka_unit_test_setup_teardown(test_stop_keeps_policies, test_setup,
						test_teardown),
	};

	return cmocka_run_group_tests_name("daemon", tests, group_setup, group_teardown);
}
