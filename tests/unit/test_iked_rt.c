// SPDX-License-Identifier: GPL-2.0
/*
 * nfsec-iked's runtime: the log, the event loop, the UDP sockets, the tunnel registry and
 * the control socket, and "nfsec tunnel" against a real control socket served from a
 * forked child. Sockets are real: UDP on 127.0.0.1 (and ::1 when the host has it) and
 * unix sockets in a temporary directory.
 */
#define _GNU_SOURCE	/* pipe2() */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture.h"
#include "control.h"
#include "log.h"
#include "loop.h"
#include "net.h"
#include "registry.h"
#include "reload.h"
#include "tunnel.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* --- the log, captured ----------------------------------------------------------------- */

static char logged[16384];

static void log_capture(int level, const char *line, void *arg)
{
	size_t used = strlen(logged);

	(void)arg;
	snprintf(logged + used, sizeof(logged) - used, "%s %s\n", log_level_name(level), line);
}

static void test_log(void **state)
{
	(void)state;
	logged[0] = '\0';
	log_set_level(LOG_INFO);
	log_ctx_info("moon-sun", "phase 1 %s -> %s", "MM_I1", "MM_I2");
	log_debug("not at level info");
	log_warn("a peer's id \"%s\"", "evil\nwarning: forged");
	log_err("%d", 42);
	assert_string_equal(logged, "info moon-sun: phase 1 MM_I1 -> MM_I2\n"
				    "warning a peer's id \"evil?warning: forged\"\n"
				    "err 42\n");
	log_set_level(LOG_DEBUG);
	logged[0] = '\0';
	log_ctx_debug(NULL, "no context");
	assert_string_equal(logged, "debug no context\n");
	assert_int_equal(log_level_parse("warning"), LOG_WARNING);
	assert_int_equal(log_level_parse("loud"), -1);
}

/* --- the loop ---------------------------------------------------------------------------- */

static int loop_setup(void **state)
{
	(void)state;
	return loop_init();
}

static int loop_teardown(void **state)
{
	(void)state;
	loop_fini();
	return 0;
}

/* Runs rounds until cond holds or about 2 s went by. */
#define RUN_UNTIL(cond)							\
	do {								\
		uint64_t until_ = loop_now_ms() + 2000;			\
		while (!(cond) && loop_now_ms() < until_)		\
			assert_true(loop_run_once(10) >= 0);		\
		assert_true(cond);					\
	} while (0)

static int fired[16], fired_n;

static void record_fire(struct timer *t, void *arg)
{
	(void)t;
	fired[fired_n++] = (int)(intptr_t)arg;
}

static void test_timers_in_order(void **state)
{
	struct timer t[4];

	(void)state;
	fired_n = 0;
	timer_init(&t[0], record_fire, (void *)3);
	timer_init(&t[1], record_fire, (void *)1);
	timer_init(&t[2], record_fire, (void *)2);
	timer_init(&t[3], record_fire, (void *)4);
	timer_arm(&t[0], 30);
	timer_arm(&t[1], 10);
	timer_arm(&t[2], 20);
	timer_arm(&t[3], 30);		/* the same expiry as t[0], armed later: after it */
	assert_true(timer_armed(&t[0]));
	RUN_UNTIL(fired_n == 4);
	assert_int_equal(fired[0], 1);
	assert_int_equal(fired[1], 2);
	assert_int_equal(fired[2], 3);
	assert_int_equal(fired[3], 4);
	for (int i = 0; i < 4; i++)
		assert_false(timer_armed(&t[i]));
}

static void test_timer_cancel(void **state)
{
	struct timer a, b;
	uint64_t start = loop_now_ms();

	(void)state;
	fired_n = 0;
	timer_init(&a, record_fire, (void *)1);
	timer_init(&b, record_fire, (void *)2);
	timer_arm(&a, 10);
	timer_arm(&b, 20);
	timer_cancel(&a);
	timer_cancel(&a);		/* twice is harmless */
	assert_false(timer_armed(&a));
	RUN_UNTIL(fired_n == 1);
	assert_int_equal(fired[0], 2);
	assert_true(loop_now_ms() - start >= 20);
	/* re-arming an armed timer moves it */
	timer_arm(&a, 10000);
	timer_arm(&a, 5);
	RUN_UNTIL(fired_n == 2);
	assert_int_equal(fired[1], 1);
}

struct rearm {
	struct timer t, *victim;
	int count, limit;
};

static void rearm_fire(struct timer *t, void *arg)
{
	struct rearm *r = arg;

	if (r->victim)
		timer_cancel(r->victim);
	if (++r->count < r->limit)
		timer_arm(t, 0);
}

/* A timer that re-arms itself with 0 ms fires once a round, not forever in one. */
static void test_timer_rearm_from_callback(void **state)
{
	struct rearm r = { .limit = 3 };

	(void)state;
	timer_init(&r.t, rearm_fire, &r);
	timer_arm(&r.t, 0);
	assert_int_equal(loop_run_once(100), 1);
	assert_int_equal(r.count, 1);
	assert_true(timer_armed(&r.t));
	assert_int_equal(loop_run_once(100), 1);
	assert_int_equal(loop_run_once(100), 1);
	assert_int_equal(r.count, 3);
	assert_false(timer_armed(&r.t));
}

/* A timer cancelled by another's callback in the same round does not fire. */
static void test_timer_cancel_from_callback(void **state)
{
	struct rearm r = { .limit = 1 };
	struct timer victim;

	(void)state;
	fired_n = 0;
	timer_init(&r.t, rearm_fire, &r);
	timer_init(&victim, record_fire, (void *)9);
	r.victim = &victim;
	timer_arm(&r.t, 0);
	timer_arm(&victim, 0);
	usleep(2000);
	assert_int_equal(loop_run_once(0), 1);
	assert_int_equal(r.count, 1);
	assert_int_equal(fired_n, 0);
	assert_false(timer_armed(&victim));
}

struct pipe_watch {
	int fds[2];
	int calls;
	uint32_t events;
	char got[16];
	struct pipe_watch *other;	/* deleted and closed too, by the first to run */
};

static void pipe_read(int fd, uint32_t events, void *arg)
{
	struct pipe_watch *p = arg;
	ssize_t n;

	p->calls++;
	p->events = events;
	n = read(fd, p->got, sizeof(p->got) - 1);
	if (n > 0)
		p->got[n] = '\0';
}

static void pipe_open(struct pipe_watch *p, loop_fd_fn cb)
{
	memset(p, 0, sizeof(*p));
	assert_int_equal(pipe2(p->fds, O_NONBLOCK | O_CLOEXEC), 0);
	assert_int_equal(loop_add_fd(p->fds[0], EPOLLIN, cb, p), 0);
}

static void pipe_close(struct pipe_watch *p)
{
	if (p->fds[0] >= 0) {
		loop_del_fd(p->fds[0]);
		close(p->fds[0]);
	}
	close(p->fds[1]);
}

static void test_fd_callback(void **state)
{
	struct pipe_watch p;

	(void)state;
	pipe_open(&p, pipe_read);
	assert_int_equal(loop_add_fd(p.fds[0], EPOLLIN, pipe_read, &p), -EEXIST);
	assert_int_equal(loop_run_once(0), 0);
	assert_int_equal(write(p.fds[1], "ping", 4), 4);
	assert_int_equal(loop_run_once(1000), 1);
	assert_int_equal(p.calls, 1);
	assert_true(p.events & EPOLLIN);
	assert_string_equal(p.got, "ping");
	/* not watched for EPOLLIN any more: data waits */
	assert_int_equal(loop_mod_fd(p.fds[0], 0), 0);
	assert_int_equal(write(p.fds[1], "pong", 4), 4);
	assert_int_equal(loop_run_once(0), 0);
	assert_int_equal(loop_mod_fd(p.fds[0], EPOLLIN), 0);
	assert_int_equal(loop_run_once(1000), 1);
	assert_string_equal(p.got, "pong");
	pipe_close(&p);
	assert_int_equal(loop_del_fd(p.fds[0]), -ENOENT);
	assert_int_equal(loop_mod_fd(p.fds[0], EPOLLIN), -ENOENT);
}

/* Deletes and closes its own descriptor and the other one, whose event is pending too. */
static void pipe_delete_both(int fd, uint32_t events, void *arg)
{
	struct pipe_watch *p = arg;

	(void)events;
	p->calls++;
	assert_int_equal(loop_del_fd(fd), 0);
	close(fd);
	p->fds[0] = -1;
	assert_int_equal(loop_del_fd(p->other->fds[0]), 0);
	close(p->other->fds[0]);
	p->other->fds[0] = -1;
}

static void test_fd_delete_from_callback(void **state)
{
	struct pipe_watch a, b;

	(void)state;
	pipe_open(&a, pipe_delete_both);
	pipe_open(&b, pipe_delete_both);
	a.other = &b;
	b.other = &a;
	assert_int_equal(write(a.fds[1], "x", 1), 1);
	assert_int_equal(write(b.fds[1], "x", 1), 1);
	/* both are ready in this one round; whichever runs first removes the other */
	assert_int_equal(loop_run_once(1000), 1);
	assert_int_equal(a.calls + b.calls, 1);
	assert_int_equal(loop_run_once(0), 0);
	pipe_close(&a);
	pipe_close(&b);
}

static void test_run_once_timeout(void **state)
{
	uint64_t start = loop_now_ms();
	struct timer t;

	(void)state;
	assert_int_equal(loop_run_once(50), 0);
	assert_true(loop_now_ms() - start >= 49);
	start = loop_now_ms();
	assert_int_equal(loop_run_once(0), 0);
	assert_true(loop_now_ms() - start < 40);
	/* a timer cuts a long wait short */
	fired_n = 0;
	timer_init(&t, record_fire, (void *)1);
	timer_arm(&t, 20);
	start = loop_now_ms();
	assert_int_equal(loop_run_once(5000), 1);
	assert_int_equal(fired_n, 1);
	assert_true(loop_now_ms() - start >= 20);
	assert_true(loop_now_ms() - start < 1000);
}

static void stop_fire(struct timer *t, void *arg)
{
	(void)t;
	(void)arg;
	loop_stop();
}

static void test_run_until_stop(void **state)
{
	struct timer t;

	(void)state;
	timer_init(&t, stop_fire, NULL);
	timer_arm(&t, 5);
	assert_false(loop_stopped());
	assert_int_equal(loop_run(), 0);
	assert_true(loop_stopped());
}

static int hups;

static void on_hup(void *arg)
{
	(void)arg;
	hups++;
}

static void test_signals(void **state)
{
	(void)state;
	hups = 0;
	assert_int_equal(loop_signals(on_hup, NULL), 0);
	assert_int_equal(kill(getpid(), SIGHUP), 0);
	RUN_UNTIL(hups == 1);
	assert_false(loop_stopped());
	assert_int_equal(kill(getpid(), SIGTERM), 0);
	RUN_UNTIL(loop_stopped());
}

/* --- UDP ----------------------------------------------------------------------------------- */

struct datagram {
	int count;
	struct sockaddr_storage local, remote;
	char data[64];
};

static void on_datagram(const struct sockaddr_storage *local,
			const struct sockaddr_storage *remote, const uint8_t *buf, size_t len,
			void *arg)
{
	struct datagram *d = arg;

	d->count++;
	d->local = *local;
	d->remote = *remote;
	snprintf(d->data, sizeof(d->data), "%.*s", (int)len, (const char *)buf);
}

/* "ADDR port" of a sockaddr, for comparing. */
static const char *addr_text(const struct sockaddr_storage *ss)
{
	static char buf[2][INET6_ADDRSTRLEN + 16];
	static int which;
	char addr[INET6_ADDRSTRLEN];
	uint16_t port;

	which ^= 1;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr));
		port = ntohs(sin->sin_port);
	} else {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr));
		port = ntohs(sin6->sin6_port);
	}
	snprintf(buf[which], sizeof(buf[which]), "%s %u", addr, port);
	return buf[which];
}

/* addr:port as a sockaddr; port 0 picks one that is free now. */
static struct sockaddr_storage sockaddr_of(int family, const char *addr, uint16_t port)
{
	struct sockaddr_storage ss = { .ss_family = (sa_family_t)family };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t len = family == AF_INET ? sizeof(*sin) : sizeof(*sin6);

	if (family == AF_INET)
		assert_int_equal(inet_pton(AF_INET, addr, &sin->sin_addr), 1);
	else
		assert_int_equal(inet_pton(AF_INET6, addr, &sin6->sin6_addr), 1);
	if (port == 0) {
		int fd = socket(family, SOCK_DGRAM, 0);

		assert_true(fd >= 0);
		assert_int_equal(bind(fd, (struct sockaddr *)&ss, len), 0);
		assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
		close(fd);
		return ss;
	}
	if (family == AF_INET)
		sin->sin_port = htons(port);
	else
		sin6->sin6_port = htons(port);
	return ss;
}

static uint16_t port_of(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET ? ((const struct sockaddr_in *)ss)->sin_port :
		     ((const struct sockaddr_in6 *)ss)->sin6_port);
}

static int net_teardown(void **state)
{
	net_fini();
	return loop_teardown(state);
}

/*
 * a bound to loopback:pa, b to the wildcard at pb; a datagram from a to loopback2:pb and
 * b's answer. b learns its local address from pktinfo, and answers from it through the
 * wildcard (with IPv4, 127.0.0.2: not the source the route to a would pick).
 */
static void exchange(int family, const char *loopback, const char *loopback2, const char *any)
{
	struct sockaddr_storage a = sockaddr_of(family, loopback, 0);
	struct sockaddr_storage free_port = sockaddr_of(family, loopback2, 0);
	struct sockaddr_storage b_any = sockaddr_of(family, any, port_of(&free_port));
	struct sockaddr_storage b = sockaddr_of(family, loopback2, port_of(&b_any));
	struct datagram d = { 0 };
	struct net_stats st;
	char want[INET6_ADDRSTRLEN + 16];
	int fa, fb;

	net_init(on_datagram, &d);
	fa = net_listen((struct sockaddr *)&a);
	assert_true(fa >= 0);
	fb = net_listen((struct sockaddr *)&b_any);
	assert_true(fb >= 0);

	assert_int_equal(net_send((struct sockaddr *)&a, (struct sockaddr *)&b, "hello", 5), 0);
	RUN_UNTIL(d.count == 1);
	assert_string_equal(d.data, "hello");
	assert_string_equal(addr_text(&d.local), addr_text(&b));	/* not the wildcard */
	assert_string_equal(addr_text(&d.remote), addr_text(&a));

	/* the answer goes out from the address it came to, through the wildcard socket */
	assert_int_equal(net_send((struct sockaddr *)&d.local, (struct sockaddr *)&d.remote,
				  "world", 5), 0);
	RUN_UNTIL(d.count == 2);
	assert_string_equal(d.data, "world");
	snprintf(want, sizeof(want), "%s", addr_text(&b));
	assert_string_equal(addr_text(&d.remote), want);
	assert_string_equal(addr_text(&d.local), addr_text(&a));

	net_get_stats(&st);
	assert_int_equal(st.rx_packets, 2);
	assert_int_equal(st.tx_packets, 2);
	assert_int_equal(st.rx_bytes, 10);
	net_unlisten(fa);
	net_unlisten(fb);
}

static void test_net_exchange_v4(void **state)
{
	(void)state;
	exchange(AF_INET, "127.0.0.1", "127.0.0.2", "0.0.0.0");
}

static void test_net_exchange_v6(void **state)
{
	struct sockaddr_in6 probe = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);

	(void)state;
	if (fd < 0 || bind(fd, (struct sockaddr *)&probe, sizeof(probe)) < 0) {
		if (fd >= 0)
			close(fd);
		skip();		/* no IPv6 here */
	}
	close(fd);
	exchange(AF_INET6, "::1", "::1", "::");
}

/*
 * From NATT_PORT: IKE goes behind the non-ESP marker, a NAT keepalive is the one byte 0xff
 * alone (a plain socket stands in for the peer).
 */
static void test_net_keepalive(void **state)
{
	struct sockaddr_storage natt = sockaddr_of(AF_INET, "127.0.0.1", NATT_PORT);
	struct sockaddr_storage peer = sockaddr_of(AF_INET, "127.0.0.1", 0);
	struct sockaddr_storage v6 = sockaddr_of(AF_INET6, "::1", 4500);
	uint8_t buf[16];
	int fa, fd;

	(void)state;
	net_init(NULL, NULL);
	fa = net_listen((struct sockaddr *)&natt);
	if (fa == -EADDRINUSE)
		skip();		/* a daemon of this host has the port */
	assert_true(fa >= 0);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&peer, sizeof(struct sockaddr_in)), 0);
	assert_int_equal(net_send((struct sockaddr *)&natt, (struct sockaddr *)&peer, "ike", 3), 0);
	assert_int_equal(recv(fd, buf, sizeof(buf), 0), 7);
	assert_memory_equal(buf, "\0\0\0\0ike", 7);
	/* from any port of the address: the keepalive leaves through NATT_PORT's socket */
	assert_int_equal(net_keepalive((struct sockaddr *)&peer, (struct sockaddr *)&peer), 0);
	assert_int_equal(recv(fd, buf, sizeof(buf), 0), 1);
	assert_int_equal(buf[0], 0xff);
	assert_int_equal(net_keepalive((struct sockaddr *)&v6, (struct sockaddr *)&peer),
			 -EAFNOSUPPORT);
	close(fd);
	net_unlisten(fa);
}

static void test_net_errors(void **state)
{
	struct sockaddr_storage a = sockaddr_of(AF_INET, "127.0.0.1", 0);
	struct sockaddr_storage other = sockaddr_of(AF_INET, "127.0.0.2", port_of(&a));
	struct sockaddr_storage v6 = sockaddr_of(AF_INET6, "::1", port_of(&a));
	struct sockaddr_in unix_like = { .sin_family = AF_UNIX };
	struct net_stats st;
	int fa;

	(void)state;
	net_init(NULL, NULL);
	fa = net_listen((struct sockaddr *)&a);
	assert_true(fa >= 0);
	assert_int_equal(net_listen((struct sockaddr *)&a), -EEXIST);
	assert_int_equal(net_listen((struct sockaddr *)&unix_like), -EAFNOSUPPORT);
	/* no socket for 127.0.0.2, nor a wildcard one */
	assert_int_equal(net_send((struct sockaddr *)&other, (struct sockaddr *)&a, "x", 1),
			 -EADDRNOTAVAIL);
	/* from and to of two families */
	assert_int_equal(net_send((struct sockaddr *)&a, (struct sockaddr *)&v6, "x", 1),
			 -EADDRNOTAVAIL);
	assert_int_equal(net_send((struct sockaddr *)&a, (struct sockaddr *)&a, "x",
				  NET_DATAGRAM_MAX + 1), -EMSGSIZE);
	net_get_stats(&st);
	assert_int_equal(st.tx_no_socket, 2);
	assert_int_equal(st.tx_packets, 0);
}

/* --- the registry ------------------------------------------------------------------------ */

static const char *const moon_words[] = {
	"moon-sun", "local", "192.168.1.1", "remote", "192.168.1.2", "local-ts", "10.0.1.0/24",
	"remote-ts", "10.0.2.0/24", "auth", "psk", "psk", "secret123",
};

static struct tunnel tunnel_of(const char *const *words, int n)
{
	char err[256] = "";
	struct tunnel t;

	if (tunnel_parse((char **)words, n, &t, err, sizeof(err)) < 0)
		fail_msg("tunnel refused: %s", err);
	return t;
}

/* moon-sun's words with another name, remote and maybe reqid. */
static struct tunnel tunnel_named(const char *name, const char *remote, const char *reqid)
{
	const char *words[ARRAY_SIZE(moon_words) + 2];
	int n = (int)ARRAY_SIZE(moon_words);

	memcpy(words, moon_words, sizeof(moon_words));
	words[0] = name;
	words[4] = remote;
	if (reqid) {
		words[n++] = "reqid";
		words[n++] = reqid;
	}
	return tunnel_of(words, n);
}

static bool addr_is_text(const struct tunnel_addr *a, const char *text)
{
	uint8_t want[16] = { 0 };

	assert_int_equal(inet_pton(AF_INET, text, want), 1);
	return a->family == AF_INET && !memcmp(a->addr, want, 16);
}

static struct {
	int added, removing, up, down;
	char last[TUNNEL_NAME_MAX + 1];
} calls;

static int fake_added(struct iked_tunnel *t, char *err, size_t errlen)
{
	if (!strcmp(t->conf.name, "refused")) {
		snprintf(err, errlen, "the IKE layer says no");
		return -EINVAL;
	}
	calls.added++;
	t->ike = &calls;
	return 0;
}

static void fake_removing(struct iked_tunnel *t)
{
	assert_ptr_equal(t->ike, &calls);
	calls.removing++;
	snprintf(calls.last, sizeof(calls.last), "%s", t->conf.name);
}

static int fake_up(struct iked_tunnel *t, char *err, size_t errlen)
{
	if (!strcmp(t->conf.name, "venus")) {
		snprintf(err, errlen, "tunnel \"venus\": no route to 192.168.1.3");
		return -EHOSTUNREACH;
	}
	calls.up++;
	snprintf(calls.last, sizeof(calls.last), "%s", t->conf.name);
	return 0;
}

static int fake_down(struct iked_tunnel *t, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	calls.down++;
	snprintf(calls.last, sizeof(calls.last), "%s", t->conf.name);
	return 0;
}

/* moon-sun is up as in the usage; any other is down with a reason. */
static void fake_status(const struct iked_tunnel *t, struct tunnel_status *st)
{
	struct tunnel_sa_status *sa = &st->sa[0];
	bool down_peer = t->parent && t->conf.remote.addr[3] == 3;

	if (t->conf.remote_any) {
		/* "rw": two peers (registry instances), 192.168.1.2 up, 192.168.1.3 down */
		st->peer_count = 2;
		st->peers_up = 1;
		return;
	}
	if (t->parent) {
		st->peer = t->conf.remote;
		st->up = !down_peer;
	}
	if (strcmp(t->conf.name, "moon-sun") && !t->parent) {
		snprintf(st->down_reason, sizeof(st->down_reason), "NO-PROPOSAL-CHOSEN from "
			 "192.168.1.3: no proposal with DH group 14");
		return;
	}
	snprintf(st->phase1.state, sizeof(st->phase1.state), "ESTABLISHED");
	st->phase1.established = true;
	snprintf(st->phase1.algs, sizeof(st->phase1.algs), "aes128-sha256-modp2048");
	st->phase1.seconds_left = 7 * 3600 + 59 * 60 + 10;
	st->sa_count = 1;
	sa->local_ts = t->conf.local_ts[0];
	sa->remote_ts = t->conf.remote_ts[0];
	if (down_peer) {
		snprintf(sa->state, sizeof(sa->state), "DOWN");
		snprintf(st->down_reason, sizeof(st->down_reason), "INVALID-ID-INFORMATION sent");
		return;
	}
	snprintf(sa->state, sizeof(sa->state), "ESTABLISHED");
	sa->established = true;
	sa->spi_in = 0xc1a2b3c4;
	sa->spi_out = 0x01020304;
	snprintf(sa->algs, sizeof(sa->algs), "aes128gcm16");
	sa->seconds_left = 59 * 60 + 30;
	sa->in.bytes = 1258291;		/* 1.2 MB */
	sa->out.bytes = 3565158;	/* 3.4 MB */
	sa->in.packets = 900;
	sa->out.packets = 2500;
	sa->in.drops[NFSEC_SA_DROP_A_REPLAY] = 2;
	sa->in.drops[NFSEC_SA_DROP_A_AUTH_FAIL] = 1;
	sa->out.kb_limited = true;
	sa->out.kb_left = 1432;
}

static const struct registry_ops fake_ops = {
	.added = fake_added,
	.removing = fake_removing,
	.up = fake_up,
	.down = fake_down,
	.status = fake_status,
};

static int registry_setup(void **state)
{
	(void)state;
	memset(&calls, 0, sizeof(calls));
	registry_set_ops(&fake_ops);
	return 0;
}

static int registry_teardown(void **state)
{
	(void)state;
	registry_flush();
	registry_set_ops(NULL);
	return 0;
}

static void test_registry(void **state)
{
	struct tunnel moon = tunnel_named("moon-sun", "192.168.1.2", NULL);
	struct tunnel venus = tunnel_named("venus", "192.168.1.3", NULL);
	struct tunnel mars = tunnel_named("mars", "192.168.1.4", "1");
	struct tunnel pluto = tunnel_named("pluto", "192.168.1.5", "7");
	struct tunnel refused = tunnel_named("refused", "192.168.1.6", NULL);
	struct iked_tunnel *t;
	char err[256] = "";

	(void)state;
	assert_int_equal(registry_add(&moon, &t, err, sizeof(err)), 0);
	assert_int_equal(t->reqid, 1);
	assert_ptr_equal(t->ike, &calls);
	assert_int_equal(registry_add(&pluto, NULL, err, sizeof(err)), 0);
	assert_int_equal(registry_add(&venus, NULL, err, sizeof(err)), 0);
	assert_int_equal(registry_find("venus")->reqid, 2);	/* the lowest free */
	assert_int_equal(registry_add(&moon, NULL, err, sizeof(err)), -EEXIST);
	assert_string_equal(err, "tunnel \"moon-sun\" exists already");
	assert_int_equal(registry_add(&mars, NULL, err, sizeof(err)), -EEXIST);
	assert_string_equal(err, "reqid 1 is tunnel \"moon-sun\"'s already");
	assert_int_equal(registry_add(&refused, NULL, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "the IKE layer says no");
	assert_null(registry_find("refused"));
	assert_int_equal(registry_count(), 3);
	assert_int_equal(calls.added, 3);

	assert_string_equal(registry_find_reqid(7)->conf.name, "pluto");
	assert_null(registry_find_reqid(3));
	t = registry_first();
	assert_string_equal(t->conf.name, "moon-sun");
	assert_string_equal((t = registry_next(t))->conf.name, "pluto");
	assert_string_equal((t = registry_next(t))->conf.name, "venus");
	assert_null(registry_next(t));

	assert_int_equal(registry_up("venus", err, sizeof(err)), -EHOSTUNREACH);
	assert_string_equal(err, "tunnel \"venus\": no route to 192.168.1.3");
	assert_int_equal(registry_up("nosuch", err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "no tunnel \"nosuch\"");

	assert_int_equal(registry_del("pluto"), 0);
	assert_int_equal(calls.removing, 1);
	assert_string_equal(calls.last, "pluto");
	assert_int_equal(registry_del("pluto"), -ENOENT);
	assert_int_equal(registry_count(), 2);
	tunnel_wipe(&moon);
}

/*
 * A remote %any tunnel's per-peer instances: request ids from the tunnels' space (a
 * tunnel added later skips theirs, and may not name one), found by request id, never by
 * name or in the walk, and gone with their tunnel.
 */
static void test_registry_instances(void **state)
{
	struct tunnel moon = tunnel_named("moon-sun", "192.168.1.2", NULL);
	struct tunnel rw = tunnel_named("rw", "%any", NULL);
	struct tunnel venus = tunnel_named("venus", "192.168.1.3", NULL);
	struct tunnel mars = tunnel_named("mars", "192.168.1.4", "3");
	struct tunnel peer = tunnel_named("rw", "192.168.1.7", NULL);
	struct iked_tunnel *t, *i1, *i2;
	struct tunnel_status st;
	char err[256] = "";

	(void)state;
	assert_int_equal(registry_add(&moon, NULL, err, sizeof(err)), 0);
	assert_int_equal(registry_add(&rw, &t, err, sizeof(err)), 0);
	assert_int_equal(t->reqid, 2);
	assert_int_equal(registry_instance_add(t, &peer, &i1, err, sizeof(err)), 0);
	assert_int_equal(i1->reqid, 3);
	assert_ptr_equal(i1->parent, t);
	assert_ptr_equal(registry_find_reqid(3), i1);
	assert_ptr_equal(registry_find("rw"), t);
	assert_int_equal(registry_count(), 2);
	assert_null(registry_next(registry_next(registry_first())));
	assert_int_equal(calls.added, 2);

	assert_int_equal(registry_add(&venus, NULL, err, sizeof(err)), 0);
	assert_int_equal(registry_find("venus")->reqid, 4);
	assert_int_equal(registry_add(&mars, NULL, err, sizeof(err)), -EEXIST);
	assert_string_equal(err, "reqid 3 is a peer of tunnel \"rw\"'s already");

	assert_int_equal(registry_instance_add(t, &peer, &i2, err, sizeof(err)), 0);
	assert_int_equal(i2->reqid, 5);
	assert_int_equal(registry_peer_status(t, 1, &st), 0);
	assert_true(addr_is_text(&st.peer, "192.168.1.7"));
	assert_int_equal(registry_peer_status(t, 2, &st), -ENOENT);
	registry_instance_del(i1);
	assert_null(registry_find_reqid(3));
	assert_int_equal(registry_instance_add(t, &peer, &i1, err, sizeof(err)), 0);
	assert_int_equal(i1->reqid, 3);

	assert_int_equal(registry_del("rw"), 0);
	assert_null(registry_find_reqid(3));
	assert_null(registry_find_reqid(5));
	assert_int_equal(registry_instance_add(registry_find("venus"), &peer, &i1, err,
					       sizeof(err)), 0);
	assert_int_equal(i1->reqid, 2);
	tunnel_wipe(&peer);
}

/* --- the control socket ------------------------------------------------------------------ */

static char sock_dir[64], sock_path[128];

static int control_setup(void **state)
{
	char err[256] = "";

	strcpy(sock_dir, "/tmp/nfsec-iked-rt.XXXXXX");
	if (!mkdtemp(sock_dir))
		return -1;
	snprintf(sock_path, sizeof(sock_path), "%s/iked.sock", sock_dir);
	registry_setup(state);
	if (loop_init() < 0)
		return -1;
	if (control_init(sock_path, err, sizeof(err)) < 0) {
		fprintf(stderr, "control_init: %s\n", err);
		return -1;
	}
	return 0;
}

static int control_teardown(void **state)
{
	control_fini();
	registry_teardown(state);
	loop_fini();
	unlink(sock_path);
	rmdir(sock_dir);
	return 0;
}

static int client_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	strcpy(sun.sun_path, sock_path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

/* Sends all of buf, running the loop while the socket is full. */
static void client_send(int fd, const char *buf, size_t len)
{
	uint64_t until = loop_now_ms() + 2000;

	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0) {
			assert_int_equal(errno, EAGAIN);
			assert_true(loop_now_ms() < until);
			assert_true(loop_run_once(10) >= 0);
			continue;
		}
		buf += n;
		len -= (size_t)n;
	}
}

/* The whole reply, read while the loop runs, until the server closes. */
static char *client_reply(int fd)
{
	uint64_t until = loop_now_ms() + 2000;
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);

	assert_non_null(buf);
	for (;;) {
		ssize_t r;

		assert_true(loop_run_once(5) >= 0);
		r = recv(fd, buf + n, cap - 1 - n, MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno == ECONNRESET))
			break;
		if (r > 0)
			n += (size_t)r;
		else
			assert_int_equal(errno, EAGAIN);
		assert_true(n < cap - 1);
		if (loop_now_ms() > until)
			fail_msg("no reply in 2 s; so far: %.*s", (int)n, buf);
	}
	close(fd);
	buf[n] = '\0';
	return buf;
}

static char *ask_len(const char *request, size_t len)
{
	int fd = client_connect();

	client_send(fd, request, len);
	shutdown(fd, SHUT_WR);		/* as nfsec does */
	return client_reply(fd);
}

static char *ask(const char *request)
{
	return ask_len(request, strlen(request));
}

#define ASKS(request, want)				\
	do {						\
		char *reply_ = ask(request);		\
		assert_string_equal(reply_, want);	\
		free(reply_);				\
	} while (0)

static void add_serialized(const struct tunnel *t, const char *want)
{
	char request[CONTROL_REQUEST_MAX];
	int n;

	strcpy(request, "add ");
	n = tunnel_serialize(t, request + 4, sizeof(request) - 5);
	assert_true(n > 0);
	strcpy(request + 4 + n, "\n");
	ASKS(request, want);
}

static const char moon_block[] =
	"moon-sun: 192.168.1.1 -> 192.168.1.2, main mode, psk\n"
	"  phase 1: ESTABLISHED aes128-sha256-modp2048, 7h59m left\n"
	"  phase 2: 10.0.1.0/24 === 10.0.2.0/24 ESTABLISHED spi in 0xc1a2b3c4 out 0x01020304 "
	"aes128gcm16, 59m left, 1.2 MB in, 3.4 MB out\n";

static const char venus_block[] =
	"venus: 192.168.1.1 -> 192.168.1.3, main mode, psk\n"
	"  phase 1: none\n"
	"  down: NO-PROPOSAL-CHOSEN from 192.168.1.3: no proposal with DH group 14\n";

static void add_both(void)
{
	struct tunnel moon = tunnel_named("moon-sun", "192.168.1.2", NULL);
	struct tunnel venus = tunnel_named("venus", "192.168.1.3", NULL);

	add_serialized(&moon, "ok\n");
	add_serialized(&venus, "ok\n");
	tunnel_wipe(&moon);
	tunnel_wipe(&venus);
}

static void test_control_socket_file(void **state)
{
	struct stat st;

	(void)state;
	assert_int_equal(stat(sock_path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(sock_dir, &st), 0);
	assert_int_equal(st.st_mode & 0077, 0);
}

static void test_control_add(void **state)
{
	struct tunnel moon = tunnel_named("moon-sun", "192.168.1.2", NULL);
	struct iked_tunnel *t;

	(void)state;
	logged[0] = '\0';
	add_serialized(&moon, "ok\n");
	t = registry_find("moon-sun");
	assert_non_null(t);
	assert_int_equal(t->reqid, 1);
	assert_int_equal(calls.added, 1);
	/* the secret came through whole, and into no log line */
	assert_int_equal(t->conf.psk_len, 9);
	assert_memory_equal(t->conf.psk, "secret123", 9);
	assert_null(strstr(logged, "secret123"));
	assert_null(strstr(logged, "736563726574313233"));
	assert_non_null(strstr(logged, "moon-sun: added, reqid 1"));

	add_serialized(&moon, "error tunnel \"moon-sun\" exists already\n");
	assert_int_equal(registry_count(), 1);
	tunnel_wipe(&moon);
	ASKS("add moon local 192.168.1.1 remote 192.168.1.2 bogus x\n",
	     "error unknown word \"bogus\" in tunnel\n");
	ASKS("add\n", "error \"add\" takes a TUNNEL\n");
}

static void test_control_show(void **state)
{
	char want[2048];

	(void)state;
	ASKS("show\n", "ok\n");
	add_both();
	snprintf(want, sizeof(want), "ok\n%s%s", moon_block, venus_block);
	ASKS("show\n", want);
	snprintf(want, sizeof(want), "ok\n%s", venus_block);
	ASKS("show venus\n", want);
	ASKS("show mars\n", "error no tunnel \"mars\"\n");
	/* with the counters: a line each way below each established SA */
	snprintf(want, sizeof(want), "ok\n%s%s%s", moon_block,
		 "    in: 900 packets, 1258291 bytes; dropped: 2 replay, 1 auth-fail\n"
		 "    out: 2500 packets, 3565158 bytes, 1432 KB left; dropped: none\n",
		 venus_block);
	ASKS("show-stats\n", want);
	ASKS("show-stats mars\n", "error no tunnel \"mars\"\n");
}

/* A remote %any tunnel with two peers, one up: each listed with its own state. */
static const char rw_block[] =
	"rw: 192.168.1.1 -> %any, main mode, psk\n"
	"  peers: 1 of 2 up\n"
	"  peer 192.168.1.2: up\n"
	"    phase 1: ESTABLISHED aes128-sha256-modp2048, 7h59m left\n"
	"    phase 2: 10.0.1.0/24 === 10.0.2.0/24 ESTABLISHED spi in 0xc1a2b3c4 out 0x01020304 "
	"aes128gcm16, 59m left, 1.2 MB in, 3.4 MB out\n"
	"  peer 192.168.1.3: down\n"
	"    phase 1: ESTABLISHED aes128-sha256-modp2048, 7h59m left\n"
	"    phase 2: 10.0.1.0/24 === 10.0.2.0/24 DOWN\n"
	"    down: INVALID-ID-INFORMATION sent\n";

static void test_control_show_peers(void **state)
{
	struct tunnel rw = tunnel_named("rw", "%any", NULL);
	struct tunnel p2 = tunnel_named("rw", "192.168.1.2", NULL);
	struct tunnel p3 = tunnel_named("rw", "192.168.1.3", NULL);
	struct iked_tunnel *t, *i;
	char want[2048], err[256];
	char *reply;

	(void)state;
	add_serialized(&rw, "ok\n");
	t = registry_find("rw");
	snprintf(want, sizeof(want), "ok\nrw: 192.168.1.1 -> %%any, main mode, psk\n"
		 "  peers: 1 of 2 up\n");
	ASKS("show rw\n", want);	/* the status says 2, the registry has none yet */
	assert_int_equal(registry_instance_add(t, &p2, &i, err, sizeof(err)), 0);
	assert_int_equal(registry_instance_add(t, &p3, &i, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "ok\n%s", rw_block);
	ASKS("show rw\n", want);

	reply = ask("show-json rw\n");
	assert_non_null(strstr(reply, "\"phase2\":[],\"down_reason\":null,\"half_open\":0,"
			       "\"drops\":{\"undecryptable\":0,\"replayed\":0,"
			       "\"half_open_refused\":0,\"refused\":0,\"qm_refused\":0},"
			       "\"peers_up\":1,\"peers\":[{\"address\":"
			       "\"192.168.1.2\",\"up\":true,\"phase1\":{\"state\":\"ESTABLISHED\","));
	assert_non_null(strstr(reply, "{\"address\":\"192.168.1.3\",\"up\":false,"));
	assert_non_null(strstr(reply, "\"state\":\"DOWN\",\"established\":false,"));
	assert_non_null(strstr(reply, "\"down_reason\":\"INVALID-ID-INFORMATION sent\""));
	free(reply);
	tunnel_wipe(&rw);
	tunnel_wipe(&p2);
	tunnel_wipe(&p3);
}

static void test_control_show_json(void **state)
{
	char config[TUNNEL_TEXT_MAX], want[TUNNEL_TEXT_MAX * 2];

	(void)state;
	ASKS("show-json\n", "ok\n[]\n");
	add_both();
	assert_true(tunnel_format(&registry_find("moon-sun")->conf, config, sizeof(config)) > 0);
	snprintf(want, sizeof(want), "ok\n[{\"name\":\"moon-sun\",\"local\":\"192.168.1.1\","
		 "\"remote\":\"192.168.1.2\",\"mode\":\"main\",\"encap\":\"tunnel\","
		 "\"auth\":\"psk\",\"reqid\":1,\"config\":\"%s\","
		 "\"phase1\":{\"state\":\"ESTABLISHED\",\"established\":true,"
		 "\"algorithms\":\"aes128-sha256-modp2048\",\"seconds_left\":28750,"
		 "\"why_down\":null},"
		 "\"phase2\":[{\"local_ts\":\"10.0.1.0/24\",\"remote_ts\":\"10.0.2.0/24\","
		 "\"state\":\"ESTABLISHED\",\"established\":true,\"spi_in\":3248665540,"
		 "\"spi_out\":16909060,\"algorithms\":\"aes128gcm16\",\"seconds_left\":3570,"
		 "\"bytes_in\":1258291,\"bytes_out\":3565158,"
		 "\"in\":{\"packets\":900,\"bytes\":1258291,\"kilobytes_left\":null,"
		 "\"drops\":{\"replay\":2,\"auth_fail\":1,\"malformed\":0,\"selector\":0,"
		 "\"dummy\":0,\"expired\":0,\"seq_overflow\":0,\"no_route\":0,\"too_big\":0,"
		 "\"error\":0}},"
		 "\"out\":{\"packets\":2500,\"bytes\":3565158,\"kilobytes_left\":1432,"
		 "\"drops\":{\"replay\":0,\"auth_fail\":0,\"malformed\":0,\"selector\":0,"
		 "\"dummy\":0,\"expired\":0,\"seq_overflow\":0,\"no_route\":0,\"too_big\":0,"
		 "\"error\":0}}}],\"down_reason\":null,"
		 "\"half_open\":0,\"drops\":{\"undecryptable\":0,\"replayed\":0,"
		 "\"half_open_refused\":0,\"refused\":0,\"qm_refused\":0}}]\n", config);
	assert_non_null(strstr(config, "psk <hidden>"));
	ASKS("show-json moon-sun\n", want);
}

static void test_control_up_down_del(void **state)
{
	(void)state;
	add_both();
	ASKS("up moon-sun\n", "ok\n");
	assert_int_equal(calls.up, 1);
	assert_string_equal(calls.last, "moon-sun");
	ASKS("up venus\n", "error tunnel \"venus\": no route to 192.168.1.3\n");
	ASKS("down venus\n", "ok\n");
	assert_int_equal(calls.down, 1);
	assert_string_equal(calls.last, "venus");
	ASKS("up nosuch\n", "error no tunnel \"nosuch\"\n");
	ASKS("up\n", "error \"up\" takes one NAME\n");
	ASKS("down a b\n", "error \"down\" takes one NAME\n");
	ASKS("del moon-sun\n", "ok\n");
	assert_int_equal(calls.removing, 1);
	assert_null(registry_find("moon-sun"));
	ASKS("del moon-sun\n", "error no tunnel \"moon-sun\"\n");
	assert_int_equal(registry_count(), 1);
}

/* What "reload" runs: calls 1 and 2 do fine, 3 on fail as a bad file does. */
static int reload_calls;

static int fake_reload(struct conf_reload_result *r, char *err, size_t errlen)
{
	if (++reload_calls >= 3) {
		snprintf(err, errlen, "/etc/nfsec/iked.conf:3: unknown word \"bogus\" in tunnel; "
			 "nothing changed");
		return -EINVAL;
	}
	*r = (struct conf_reload_result){ .added = 1, .changed = 1, .removed = 1,
					  .unchanged = 3 };
	return 0;
}

static void test_control_reload(void **state)
{
	(void)state;
	reload_calls = 0;
	control_set_reload(NULL);
	ASKS("reload\n", "error this nfsec-iked cannot reload\n");
	control_set_reload(fake_reload);
	ASKS("reload\n", "ok\nreloaded: 1 added, 1 changed, 1 removed, 3 unchanged\n");
	ASKS("reload-json\n", "ok\n{\"added\":1,\"changed\":1,\"removed\":1,\"unchanged\":3}\n");
	ASKS("reload moon\n", "error \"reload\" takes no NAME\n");
	assert_int_equal(reload_calls, 2);
	ASKS("reload\n", "error /etc/nfsec/iked.conf:3: unknown word \"bogus\" in tunnel; "
	     "nothing changed\n");
	control_set_reload(NULL);
}

static void test_control_garbage(void **state)
{
	static const char nul[] = "show\0venus\n";
	char *reply;

	(void)state;
	ASKS("frobnicate all\n", "error unknown request \"frobnicate\"\n");
	ASKS("\n", "error empty request\n");
	ASKS("show a b\n", "error \"show\" takes one NAME at most\n");
	ASKS("\x01\x02\x1b[2J\n", "error unknown request \"???[2J\"\n");
	reply = ask_len(nul, sizeof(nul) - 1);
	assert_string_equal(reply, "error a NUL byte in the request\n");
	free(reply);
	ASKS("show", "error the request ends without a newline\n");
	/* connected and gone without a word: nothing to answer, nothing broken */
	close(client_connect());
	assert_true(loop_run_once(10) >= 0);
	ASKS("show\n", "ok\n");
}

static void test_control_oversize(void **state)
{
	size_t len = CONTROL_REQUEST_MAX + 4096;
	char *big = malloc(len), *reply, want[128], xs[33];

	(void)state;
	assert_non_null(big);
	memcpy(big, "add ", 4);
	memset(big + 4, 'a', len - 4);
	reply = ask_len(big, len);
	snprintf(want, sizeof(want), "error a request is %d bytes at most\n", CONTROL_REQUEST_MAX);
	assert_string_equal(reply, want);
	free(reply);
	free(big);
	/* the most a request may be is fine: a line of that many bytes, the newline its last */
	big = malloc(CONTROL_REQUEST_MAX);
	assert_non_null(big);
	memset(big, 'x', CONTROL_REQUEST_MAX - 1);
	big[CONTROL_REQUEST_MAX - 1] = '\n';
	reply = ask_len(big, CONTROL_REQUEST_MAX);
	memset(xs, 'x', 32);		/* the word, cut to 32 bytes */
	xs[32] = '\0';
	snprintf(want, sizeof(want), "error unknown request \"%s\"\n", xs);
	assert_string_equal(reply, want);
	free(reply);
	free(big);
}

/* A request in pieces; another client is served while the first dawdles. */
static void test_control_split(void **state)
{
	char want[1024];
	char *reply;
	int slow;

	(void)state;
	add_both();
	slow = client_connect();
	client_send(slow, "sh", 2);
	for (int i = 0; i < 3; i++)
		assert_true(loop_run_once(5) >= 0);
	client_send(slow, "ow ven", 6);
	assert_true(loop_run_once(5) >= 0);

	ASKS("up moon-sun\n", "ok\n");	/* meanwhile */

	client_send(slow, "us", 2);
	assert_true(loop_run_once(5) >= 0);
	client_send(slow, "\n", 1);
	reply = client_reply(slow);
	snprintf(want, sizeof(want), "ok\n%s", venus_block);
	assert_string_equal(reply, want);
	free(reply);
}

/* As uid nobody, the reply to request, blocking: what a child asks. */
static bool nobody_asks(const char *request, const char *want_prefix)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char reply[4096];
	size_t n = 0;
	ssize_t r;
	int fd;

	strcpy(sun.sun_path, sock_path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    write(fd, request, strlen(request)) != (ssize_t)strlen(request))
		return false;
	while ((r = read(fd, reply + n, sizeof(reply) - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	reply[n] = '\0';
	if (strncmp(reply, want_prefix, strlen(want_prefix))) {
		fprintf(stderr, "# %s: %s", request, reply);
		return false;
	}
	return true;
}

/*
 * An admin opened the socket to everyone: others may show, and change nothing. Needs
 * root, to become nobody.
 */
static void test_control_permission(void **state)
{
	bool reaped = false;
	int status = -1;
	pid_t pid;

	(void)state;
	if (geteuid() != 0)
		skip();
	add_both();
	assert_int_equal(chmod(sock_dir, 0711), 0);
	assert_int_equal(chmod(sock_path, 0666), 0);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		bool ok = setgid(65534) == 0 && setuid(65534) == 0 &&
			  nobody_asks("del moon-sun\n", "error permission denied: \"del\" needs "
				      "root or uid 0\n") &&
			  nobody_asks("up venus\n", "error permission denied") &&
			  nobody_asks("add venus local 1.2.3.4\n", "error permission denied") &&
			  nobody_asks("show moon-sun\n", "ok\nmoon-sun: ");
		_exit(ok ? 0 : 1);
	}
	RUN_UNTIL(reaped || (reaped = waitpid(pid, &status, WNOHANG) == pid));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_non_null(registry_find("moon-sun"));
	assert_int_equal(calls.up, 0);
}

/* A socket file left by a dead daemon is replaced; a live daemon's is not. */
static void test_control_stale(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char err[256] = "";
	int fd;

	(void)state;
	control_fini();
	assert_int_equal(access(sock_path, F_OK), -1);	/* ours, so removed */

	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(sun.sun_path, sock_path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(control_init(sock_path, err, sizeof(err)), -EADDRINUSE);
	assert_non_null(strstr(err, "another nfsec-iked listens at"));
	close(fd);			/* now the file is stale */
	assert_int_equal(control_init(sock_path, err, sizeof(err)), 0);
	ASKS("show\n", "ok\n");
	control_fini();

	fd = open(sock_path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	assert_int_equal(control_init(sock_path, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "exists and is not a socket"));
	unlink(sock_path);
	assert_int_equal(control_init(sock_path, err, sizeof(err)), 0);
}

/* --- nfsec tunnel -------------------------------------------------------------------------- */

static void test_cli_add_bad_word(void **state)
{
	struct run r;

	(void)state;
	setenv(CONTROL_SOCKET_ENV, "/nonexistent/nfsec/iked.sock", 1);
	r = RUN("nfsec", "tunnel", "add", "moon-sun", "local", "192.168.1.1", "remote",
		"192.168.1.2", "bogus", "x");
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "nfsec: unknown word \"bogus\" in tunnel\n");
	assert_string_equal(r.out, "");
	run_free(&r);
	r = RUN("nfsec", "tunnel", "add", "moon-sun", "local", "192.168.1.1", "remote",
		"192.168.1.2", "auth", "psk", "psk", "secret123", "mode", "fast");
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "nfsec: \"mode\" needs main or aggressive, not \"fast\"\n");
	run_free(&r);
	/* and the words being right, the socket is tried */
	r = RUN("nfsec", "tunnel", "up", "moon-sun");
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "nfsec: cannot reach nfsec-iked at "
			    "/nonexistent/nfsec/iked.sock: "
			    "No such file or directory (is nfsec-iked running?)\n");
	run_free(&r);
	r = RUN("nfsec", "tunnel", "up", "moon sun");
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "nfsec: invalid tunnel name \"moon sun\": 1 to 32 of "
			    "A-Z a-z 0-9 _ . -\n");
	run_free(&r);
	r = RUN("nfsec", "tunnel", "down");
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "nfsec: tunnel down needs a NAME, try \"nfsec help tunnel\"\n");
	run_free(&r);
	r = RUN("nfsec", "tunnel", "help");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "rekey-margin         9m"));
	run_free(&r);
	unsetenv(CONTROL_SOCKET_ENV);
}

/* The control server of the fixture, run in a child until it is killed. */
static pid_t server_fork(void)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		alarm(20);		/* never outlive a test gone wrong */
		loop_run();
		_exit(0);
	}
	return pid;
}

static void server_kill(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
}

static void test_cli_against_server(void **state)
{
	struct tunnel moon = tunnel_named("moon-sun", "192.168.1.2", NULL);
	char want[1024];
	struct run r;
	pid_t pid;

	(void)state;
	assert_int_equal(registry_add(&moon, NULL, NULL, 0), 0);
	tunnel_wipe(&moon);
	pid = server_fork();
	setenv(CONTROL_SOCKET_ENV, sock_path, 1);

	r = RUN("nfsec", "tunnel", "show");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, moon_block);
	assert_string_equal(r.err, "");
	run_free(&r);

	r = RUN("nfsec", "tunnel", "add", "venus", "local", "192.168.1.1", "remote",
		"192.168.1.3", "local-ts", "10.0.1.0/24", "remote-ts", "10.0.2.0/24", "auth",
		"psk", "psk", "0x0102");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "");
	run_free(&r);

	r = RUN("nfsec", "tunnel");	/* show, by default */
	assert_int_equal(r.status, 0);
	snprintf(want, sizeof(want), "%s%s", moon_block, venus_block);
	assert_string_equal(r.out, want);
	run_free(&r);

	/* -s before or after the name: the counters below each established SA */
	snprintf(want, sizeof(want), "%s%s", moon_block,
		 "    in: 900 packets, 1258291 bytes; dropped: 2 replay, 1 auth-fail\n"
		 "    out: 2500 packets, 3565158 bytes, 1432 KB left; dropped: none\n");
	r = RUN("nfsec", "tunnel", "show", "-s", "moon-sun");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, want);
	run_free(&r);
	r = RUN("nfsec", "tunnel", "show", "moon-sun", "-stats");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, want);
	run_free(&r);
	r = RUN("nfsec", "tunnel", "show", "-s", "moon-sun", "venus");
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "nfsec: tunnel show takes at most one NAME (got \"venus\" "
				   "too), try \"nfsec help tunnel\"\n");
	run_free(&r);

	r = RUN("nfsec", "-j", "tunnel", "show", "venus");
	assert_int_equal(r.status, 0);
	assert_true(strncmp(r.out, "[{\"name\":\"venus\",", 17) == 0);
	assert_non_null(strstr(r.out, "\"down_reason\":\"NO-PROPOSAL-CHOSEN from 192.168.1.3: "
				      "no proposal with DH group 14\",\"half_open\":"));
	run_free(&r);

	r = RUN("nfsec", "tunnel", "add", "venus", "local", "192.168.1.1", "remote",
		"192.168.1.3", "local-ts", "10.0.1.0/24", "remote-ts", "10.0.2.0/24", "auth",
		"psk", "psk", "0x0102");
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "nfsec: tunnel \"venus\" exists already\n");
	run_free(&r);

	r = RUN("nfsec", "tunnel", "up", "venus");
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "nfsec: tunnel \"venus\": no route to 192.168.1.3\n");
	run_free(&r);

	r = RUN("nfsec", "tunnel", "del", "venus");
	assert_int_equal(r.status, 0);
	run_free(&r);
	r = RUN("nfsec", "tunnel", "show", "venus");
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "nfsec: no tunnel \"venus\"\n");
	run_free(&r);

	server_kill(pid);
	unsetenv(CONTROL_SOCKET_ENV);
}

/* A run that must end with status, out on stdout and err on stderr (NULL: any). */
static void run_check(struct run r, int status, const char *out, const char *err)
{
	assert_int_equal(r.status, status);
	if (out)
		assert_string_equal(r.out, out);
	if (err)
		assert_string_equal(r.err, err);
	run_free(&r);
}

/* nfsec tunnel reload: the daemon's one line, or JSON, or its error and exit status 1. */
static void test_cli_reload(void **state)
{
	pid_t pid;

	(void)state;
	reload_calls = 0;
	control_set_reload(fake_reload);
	pid = server_fork();
	setenv(CONTROL_SOCKET_ENV, sock_path, 1);
	run_check(RUN("nfsec", "tunnel", "reload"), 0,
		  "reloaded: 1 added, 1 changed, 1 removed, 3 unchanged\n", "");
	run_check(RUN("nfsec", "-j", "tunnel", "reload"), 0,
		  "{\"added\":1,\"changed\":1,\"removed\":1,\"unchanged\":3}\n", "");
	run_check(RUN("nfsec", "tunnel", "reload", "moon"), 1, "",
		  "nfsec: tunnel reload takes no argument (got \"moon\"), try \"nfsec help "
		  "tunnel\"\n");
	/* the daemon's third reload fails */
	run_check(RUN("nfsec", "tunnel", "reload"), 1, "",
		  "nfsec: /etc/nfsec/iked.conf:3: unknown word \"bogus\" in tunnel; nothing "
		  "changed\n");
	server_kill(pid);
	unsetenv(CONTROL_SOCKET_ENV);
	control_set_reload(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log),
		cmocka_unit_test_setup_teardown(test_timers_in_order, loop_setup, loop_teardown),
		cmocka_unit_test_setup_teardown(test_timer_cancel, loop_setup, loop_teardown),
		cmocka_unit_test_setup_teardown(test_timer_rearm_from_callback, loop_setup,
						loop_teardown),
		cmocka_unit_test_setup_teardown(test_timer_cancel_from_callback, loop_setup,
						loop_teardown),
		cmocka_unit_test_setup_teardown(test_fd_callback, loop_setup, loop_teardown),
		cmocka_unit_test_setup_teardown(test_fd_delete_from_callback, loop_setup,
						loop_teardown),
		cmocka_unit_test_setup_teardown(test_run_once_timeout, loop_setup, loop_teardown),
		cmocka_unit_test_setup_teardown(test_run_until_stop, loop_setup, loop_teardown),
		cmocka_unit_test_setup_teardown(test_signals, loop_setup, loop_teardown),
		cmocka_unit_test_setup_teardown(test_net_exchange_v4, loop_setup, net_teardown),
		cmocka_unit_test_setup_teardown(test_net_exchange_v6, loop_setup, net_teardown),
		cmocka_unit_test_setup_teardown(test_net_errors, loop_setup, net_teardown),
		cmocka_unit_test_setup_teardown(test_net_keepalive, loop_setup, net_teardown),
		cmocka_unit_test_setup_teardown(test_registry, registry_setup, registry_teardown),
		cmocka_unit_test_setup_teardown(test_registry_instances, registry_setup,
						registry_teardown),
		cmocka_unit_test_setup_teardown(test_control_socket_file, control_setup,
						control_teardown),
		cmocka_unit_test_setup_teardown(test_control_add, control_setup, control_teardown),
		cmocka_unit_test_setup_teardown(test_control_show, control_setup, control_teardown),
		cmocka_unit_test_setup_teardown(test_control_show_peers, control_setup,
						control_teardown),
		cmocka_unit_test_setup_teardown(test_control_show_json, control_setup,
						control_teardown),
		cmocka_unit_test_setup_teardown(test_control_up_down_del, control_setup,
						control_teardown),
		cmocka_unit_test_setup_teardown(test_control_reload, control_setup,
						control_teardown),
		cmocka_unit_test_setup_teardown(test_control_garbage, control_setup,
						control_teardown),
		cmocka_unit_test_setup_teardown(test_control_oversize, control_setup,
						control_teardown),
		cmocka_unit_test_setup_teardown(test_control_split, control_setup,
						control_teardown),
		cmocka_unit_test_setup_teardown(test_control_permission, control_setup,
						control_teardown),
		cmocka_unit_test_setup_teardown(test_control_stale, control_setup,
						control_teardown),
		cmocka_unit_test(test_cli_add_bad_word),
		cmocka_unit_test_setup_teardown(test_cli_reload, control_setup, control_teardown),
		cmocka_unit_test_setup_teardown(test_cli_against_server, control_setup,
						control_teardown),
	};

	log_init("test_iked_rt", LOG_DEBUG, true);
	log_set_sink(log_capture, NULL);
	return cmocka_run_group_tests_name("iked_rt", tests, NULL, NULL);
}
