// SPDX-License-Identifier: GPL-2.0
/* Fakes of the daemon's kernel facade, UDP sockets and event loop: see stubs.h. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <linux/nfsec.h>

#include "harness.h"
#include "kernel.h"
#include "loop.h"
#include "quick.h"
#include "stubs.h"

/* --- the UDP sockets --------------------------------------------------------------------- */

net_recv_fn stub_recv;
unsigned long stub_nsent;
static struct stub_dgram sent[STUB_SENT_MAX];

void net_init(net_recv_fn cb, void *arg)
{
	(void)arg;
	stub_recv = cb;
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

static size_t sockaddr_len(const struct sockaddr *sa)
{
	return sa->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
					  sizeof(struct sockaddr_in6);
}

int net_send(const struct sockaddr *from, const struct sockaddr *to, const void *buf,
	     size_t len)
{
	struct stub_dgram *d = &sent[stub_nsent++ % STUB_SENT_MAX];

	CHECK(len <= sizeof(d->buf));
	CHECK(to->sa_family == AF_INET || to->sa_family == AF_INET6);
	memset(d, 0, offsetof(struct stub_dgram, buf));
	memcpy(&d->from, from, sockaddr_len(from));
	memcpy(&d->to, to, sockaddr_len(to));
	d->len = len;
	memcpy(d->buf, buf, len);
	return 0;
}

int net_keepalive(const struct sockaddr *from, const struct sockaddr *to)
{
	CHECK(from->sa_family == AF_INET && to->sa_family == AF_INET);
	return 0;
}

const struct stub_dgram *stub_sent(unsigned long nth)
{
	if (nth >= stub_nsent || stub_nsent - nth > STUB_SENT_MAX)
		return NULL;
	return &sent[nth % STUB_SENT_MAX];
}

/* --- the loop ---------------------------------------------------------------------------------- */

enum { WATCHES_MAX = 4 };

static struct {
	uint64_t now;
	struct timer armed;		/* a ring, earliest first */
	struct {
		int fd;
		loop_fd_fn cb;
		void *arg;
	} watches[WATCHES_MAX];
	unsigned int nwatches;
} loop = {
	.now = 1000000,
	.armed = { .prev = &loop.armed, .next = &loop.armed },
};

int loop_init(void)
{
	return 0;
}

int loop_add_fd(int fd, uint32_t events, loop_fd_fn cb, void *arg)
{
	(void)events;
	if (loop.nwatches == WATCHES_MAX)
		return -ENOMEM;
	loop.watches[loop.nwatches].fd = fd;
	loop.watches[loop.nwatches].cb = cb;
	loop.watches[loop.nwatches].arg = arg;
	loop.nwatches++;
	return 0;
}

uint64_t loop_now_ms(void)
{
	return loop.now;
}

void timer_init(struct timer *t, timer_fn cb, void *arg)
{
	*t = (struct timer){ .cb = cb, .arg = arg };
}

bool timer_armed(const struct timer *t)
{
	return t->next != NULL;
}

void timer_cancel(struct timer *t)
{
	if (!timer_armed(t))
		return;
	t->prev->next = t->next;
	t->next->prev = t->prev;
	t->prev = t->next = NULL;
}

/* After every timer due no later: equal ones fire in the order armed, as loop.c has it. */
void timer_arm(struct timer *t, uint64_t ms)
{
	struct timer *pos;

	timer_cancel(t);
	t->expires_ms = loop.now + ms;
	for (pos = loop.armed.prev; pos != &loop.armed; pos = pos->prev)
		if (pos->expires_ms <= t->expires_ms)
			break;
	t->prev = pos;
	t->next = pos->next;
	pos->next->prev = t;
	pos->next = t;
}

bool stub_timer_next(uint64_t ms)
{
	struct timer *t = loop.armed.next;

	if (t == &loop.armed || t->expires_ms > loop.now + ms) {
		loop.now += ms;
		return false;
	}
	if (t->expires_ms > loop.now)
		loop.now = t->expires_ms;
	timer_cancel(t);
	t->cb(t, t->arg);
	return true;
}

unsigned int stub_timers(void)
{
	unsigned int n = 0;

	for (const struct timer *t = loop.armed.next; t != &loop.armed; t = t->next)
		n++;
	return n;
}

/* A round: the watched descriptors that are readable, then the timers due now. */
int loop_run_once(int timeout_ms)
{
	int calls = 0;
	unsigned int i;

	(void)timeout_ms;
	for (i = 0; i < loop.nwatches; i++) {
		struct pollfd p = { .fd = loop.watches[i].fd, .events = POLLIN };

		if (poll(&p, 1, 0) == 1) {
			loop.watches[i].cb(p.fd, EPOLLIN, loop.watches[i].arg);
			calls++;
		}
	}
	while (stub_timer_next(0))
		calls++;
	return calls;
}

/* --- the kernel ------------------------------------------------------------------------------ */

/* An event for kernel_events_read(): an ACQUIRE, or an EXPIRE of ref. */
struct event {
	bool acquire, hard;
	uint32_t reqid;
	struct kernel_sa_ref ref;
};

static struct {
	unsigned int nsas, nspis, npolicies, nevents;
	struct kernel_sa_ref sas[STUB_SAS_MAX];
	uint32_t spis[STUB_SPIS_MAX];
	uint32_t policies[4 * KERNEL_POLICIES_MAX];
	uint32_t next_spi, next_policy;
	struct event events[STUB_EVENTS_MAX];
} k;

static int event_fd = -1;		/* the loop watches it from daemon_init() on */

void stub_reset(void)
{
	uint64_t v;

	memset(&k, 0, sizeof(k));
	k.next_spi = 0x10000;
	k.next_policy = 1;
	stub_nsent = 0;
	if (event_fd >= 0 && read(event_fd, &v, sizeof(v)) < 0)
		v = 0;
}

static void event_queue(const struct event *e)
{
	uint64_t one = 1;

	if (k.nevents == STUB_EVENTS_MAX || event_fd < 0)
		return;
	k.events[k.nevents++] = *e;
	CHECK(write(event_fd, &one, sizeof(one)) == sizeof(one));
}

void stub_acquire(uint32_t reqid)
{
	struct event e = { .acquire = true, .reqid = reqid };

	event_queue(&e);
}

bool stub_expire(unsigned int nth, bool hard)
{
	struct event e = { .hard = hard };

	if (nth >= k.nsas)
		return false;
	e.ref = k.sas[nth];
	event_queue(&e);
	return true;
}

unsigned int stub_sas(void)
{
	return k.nsas;
}

unsigned int stub_spis(void)
{
	return k.nspis;
}

unsigned int stub_policies(void)
{
	return k.npolicies;
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
	if (event_fd < 0)
		event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return event_fd;
}

/* The events queued, as the module's would come: the callbacks may act on the kernel. */
int kernel_events_read(struct kernel *kk, const struct kernel_event_ops *ops, void *arg,
		       char *err, size_t errlen)
{
	struct event events[STUB_EVENTS_MAX];
	unsigned int i, n = k.nevents;
	uint64_t v;

	(void)kk;
	(void)err;
	(void)errlen;
	if (read(event_fd, &v, sizeof(v)) < 0)
		v = 0;
	memcpy(events, k.events, n * sizeof(events[0]));
	k.nevents = 0;
	for (i = 0; i < n; i++) {
		struct kernel_acquire acq = { .reqid = events[i].reqid };

		if (events[i].acquire && ops->acquire)
			ops->acquire(&acq, arg);
		else if (!events[i].acquire && ops->expire)
			ops->expire(&events[i].ref, events[i].hard, arg);
	}
	return 0;
}

int kernel_tunnel_policies_add(struct kernel *kk, const struct kernel_tunnel *kt,
			       struct kernel_policies *out, char *err, size_t errlen)
{
	unsigned int i;

	(void)kk;
	(void)err;
	(void)errlen;
	CHECK(kt->pair_count >= 1 && kt->pair_count <= KERNEL_PAIRS_MAX);
	if (k.npolicies + 2 * kt->pair_count > sizeof(k.policies) / sizeof(k.policies[0])) {
		snprintf(err, errlen, "the fake kernel is full");
		return -ENOSPC;
	}
	out->count = 2 * kt->pair_count;
	for (i = 0; i < out->count; i++) {
		out->index[i] = k.next_policy++;
		k.policies[k.npolicies++] = out->index[i];
	}
	return 0;
}

/* Every index must be one the daemon holds: a second delete would be another's policy. */
int kernel_tunnel_policies_del(struct kernel *kk, struct kernel_policies *pol, char *err,
			       size_t errlen)
{
	unsigned int i, j;

	(void)kk;
	(void)err;
	(void)errlen;
	CHECK(pol->count <= KERNEL_POLICIES_MAX);
	for (i = 0; i < pol->count; i++) {
		for (j = 0; j < k.npolicies && k.policies[j] != pol->index[i]; j++)
			;
		CHECK(j < k.npolicies);
		k.policies[j] = k.policies[--k.npolicies];
	}
	pol->count = 0;
	return 0;
}

static int sa_find(uint32_t spi, const struct tunnel_addr *dst)
{
	unsigned int i;

	for (i = 0; i < k.nsas; i++)
		if (k.sas[i].spi == spi && !memcmp(&k.sas[i].dst, dst, sizeof(*dst)))
			return (int)i;
	return -1;
}

int kernel_sa_add(struct kernel *kk, const struct kernel_sa *ksa, char *err, size_t errlen)
{
	(void)kk;
	CHECK(ksa->spi >= 256);
	CHECK(ksa->dir == NFSEC_SA_DIR_IN || ksa->dir == NFSEC_SA_DIR_OUT);
	CHECK(ksa->keymat_len == qm_keymat_len(ksa->proposal) && ksa->keymat);
	CHECK(ksa->lifetime.margin_seconds < ksa->lifetime.hard_seconds ||
	      !ksa->lifetime.hard_seconds);
	CHECK((ksa->dir == NFSEC_SA_DIR_IN) == (ksa->pair != NULL));
	if (sa_find(ksa->spi, &ksa->dst) >= 0) {
		snprintf(err, errlen, "SA 0x%08x exists", ksa->spi);
		errno = EEXIST;
		return -EEXIST;
	}
	if (k.nsas == STUB_SAS_MAX) {
		snprintf(err, errlen, "the fake kernel is full");
		errno = ENOSPC;
		return -ENOSPC;
	}
	k.sas[k.nsas] = (struct kernel_sa_ref){
		.spi = ksa->spi, .dir = ksa->dir, .src = ksa->src, .dst = ksa->dst,
		.reqid = ksa->reqid,
	};
	k.nsas++;
	return 0;
}

int kernel_sa_del(struct kernel *kk, uint32_t spi, const struct tunnel_addr *dst, char *err,
		  size_t errlen)
{
	int i = sa_find(spi, dst);

	(void)kk;
	if (i < 0) {
		if (err)
			snprintf(err, errlen, "no SA 0x%08x", spi);
		errno = ENOENT;
		return -ENOENT;
	}
	k.sas[i] = k.sas[--k.nsas];
	return 0;
}

int kernel_sa_set_encap(struct kernel *kk, uint32_t spi, const struct tunnel_addr *dst,
			uint16_t sport, uint16_t dport, char *err, size_t errlen)
{
	(void)kk;
	(void)err;
	(void)errlen;
	CHECK(sport && dport);
	return sa_find(spi, dst) < 0 ? -ENOENT : 0;
}

int kernel_sa_stats(struct kernel *kk, uint32_t spi, const struct tunnel_addr *dst,
		    struct kernel_sa_stats *st, char *err, size_t errlen)
{
	(void)kk;
	(void)err;
	(void)errlen;
	if (sa_find(spi, dst) < 0)
		return -ENOENT;
	memset(st, 0, sizeof(*st));
	st->bytes = spi;
	return 0;
}

int kernel_spi_alloc(struct kernel *kk, const struct tunnel_addr *dst, uint32_t *spi,
		     char *err, size_t errlen)
{
	(void)kk;
	(void)dst;
	if (k.nspis == STUB_SPIS_MAX) {
		snprintf(err, errlen, "too many SPIs outstanding");
		return -EBUSY;
	}
	*spi = k.next_spi++;
	k.spis[k.nspis++] = *spi;
	return 0;
}

/* An SPI released must be outstanding: a second release could free another's. */
void kernel_spi_release(struct kernel *kk, uint32_t spi)
{
	unsigned int i;

	(void)kk;
	for (i = 0; i < k.nspis && k.spis[i] != spi; i++)
		;
	CHECK(i < k.nspis);
	k.spis[i] = k.spis[--k.nspis];
}
