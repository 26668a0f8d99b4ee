// SPDX-License-Identifier: GPL-2.0
/*
 * The event loop. Two hazards shape it:
 *
 * 1. A callback may delete a descriptor whose event is still pending in this round's
 *    batch (its own, or another's). epoll_event.data.ptr points at a struct watch; a
 *    deleted watch is marked dead and kept on a graveyard until the round ends, so the
 *    pointers in the batch stay valid, and dead ones are skipped.
 * 2. A timer callback may re-arm itself with 0 ms. The due timers are first moved off
 *    the armed list onto a list of this round, then fired one by one; a re-armed timer
 *    goes back on the armed list and waits for the next round, so a round always ends.
 *    timer_cancel() unlinks a timer from whichever list holds it.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"

enum {
	LOOP_EVENTS_MAX = 64,		/* per epoll_wait() */
};

struct watch {
	int fd;
	bool dead;
	loop_fd_fn cb;
	void *arg;
	struct watch *next_dead;
};

static struct {
	bool ready;
	bool stop;
	int epfd;
	struct watch **watches;		/* by fd */
	size_t cap;
	struct watch *graveyard;
	struct timer armed;		/* sentinel of the sorted circular list */

	int sigfd;
	loop_hup_fn hup;
	void *hup_arg;
	sigset_t old_mask;
	struct sigaction old_pipe;
} loop = {
	.epfd = -1,
	.armed = { .prev = &loop.armed, .next = &loop.armed },	/* timers before loop_init() */
	.sigfd = -1,
};

/* --- timers ---------------------------------------------------------------------------- */

uint64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void list_init(struct timer *head)
{
	head->prev = head;
	head->next = head;
}

static bool list_empty(const struct timer *head)
{
	return head->next == head;
}

static void list_insert_after(struct timer *pos, struct timer *t)
{
	t->prev = pos;
	t->next = pos->next;
	pos->next->prev = t;
	pos->next = t;
}

static void list_unlink(struct timer *t)
{
	t->prev->next = t->next;
	t->next->prev = t->prev;
	t->prev = NULL;
	t->next = NULL;
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
	if (timer_armed(t))
		list_unlink(t);
}

void timer_arm(struct timer *t, uint64_t ms)
{
	struct timer *pos;

	timer_cancel(t);
	t->expires_ms = loop_now_ms() + ms;
	/* from the back: after every timer that expires no later, so equal ones keep order */
	for (pos = loop.armed.prev; pos != &loop.armed; pos = pos->prev)
		if (pos->expires_ms <= t->expires_ms)
			break;
	list_insert_after(pos, t);
}

/* How long epoll_wait() may sleep: timeout_ms, cut short by the first timer. */
static int wait_ms(int timeout_ms)
{
	uint64_t now, due;

	if (list_empty(&loop.armed))
		return timeout_ms;
	now = loop_now_ms();
	due = loop.armed.next->expires_ms > now ? loop.armed.next->expires_ms - now : 0;
	if (due > INT_MAX)
		due = INT_MAX;
	if (timeout_ms < 0 || (uint64_t)timeout_ms > due)
		return (int)due;
	return timeout_ms;
}

static int timers_fire(void)
{
	struct timer due;
	uint64_t now = loop_now_ms();
	int n = 0;

	list_init(&due);
	while (!list_empty(&loop.armed) && loop.armed.next->expires_ms <= now) {
		struct timer *t = loop.armed.next;

		list_unlink(t);
		list_insert_after(due.prev, t);
	}
	while (!list_empty(&due)) {
		struct timer *t = due.next;

		list_unlink(t);
		t->cb(t, t->arg);
		n++;
	}
	return n;
}

/* --- descriptors ------------------------------------------------------------------------ */

static struct watch *watch_of(int fd)
{
	if (fd < 0 || (size_t)fd >= loop.cap)
		return NULL;
	return loop.watches[fd];
}

static int watches_grow(int fd)
{
	size_t cap = loop.cap ? loop.cap : 64;
	struct watch **w;

	while (cap <= (size_t)fd)
		cap *= 2;
	if (cap == loop.cap)
		return 0;
	w = reallocarray(loop.watches, cap, sizeof(*w));
	if (!w)
		return -ENOMEM;
	memset(w + loop.cap, 0, (cap - loop.cap) * sizeof(*w));
	loop.watches = w;
	loop.cap = cap;
	return 0;
}

int loop_add_fd(int fd, uint32_t events, loop_fd_fn cb, void *arg)
{
	struct epoll_event ev = { .events = events };
	struct watch *w;
	int ret;

	if (fd < 0)
		return -EBADF;
	if (watch_of(fd))
		return -EEXIST;
	ret = watches_grow(fd);
	if (ret < 0)
		return ret;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	*w = (struct watch){ .fd = fd, .cb = cb, .arg = arg };
	ev.data.ptr = w;
	if (epoll_ctl(loop.epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		ret = -errno;
		free(w);
		return ret;
	}
	loop.watches[fd] = w;
	return 0;
}

int loop_mod_fd(int fd, uint32_t events)
{
	struct watch *w = watch_of(fd);
	struct epoll_event ev = { .events = events };

	if (!w)
		return -ENOENT;
	ev.data.ptr = w;
	return epoll_ctl(loop.epfd, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
}

int loop_del_fd(int fd)
{
	struct watch *w = watch_of(fd);

	if (!w)
		return -ENOENT;
	/* fails only if fd was closed already, which removed it from the epoll set too */
	epoll_ctl(loop.epfd, EPOLL_CTL_DEL, fd, NULL);
	loop.watches[fd] = NULL;
	w->dead = true;
	w->next_dead = loop.graveyard;
	loop.graveyard = w;
	return 0;
}

static void graveyard_empty(void)
{
	while (loop.graveyard) {
		struct watch *w = loop.graveyard;

		loop.graveyard = w->next_dead;
		free(w);
	}
}

/* --- signals ---------------------------------------------------------------------------- */

static void signals_read(int fd, uint32_t events, void *arg)
{
	struct signalfd_siginfo si;

	(void)events;
	(void)arg;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_info("signal %u: stopping", si.ssi_signo);
			loop_stop();
			break;
		case SIGHUP:
			log_info("SIGHUP");
			if (loop.hup)
				loop.hup(loop.hup_arg);
			break;
		}
	}
}

int loop_signals(loop_hup_fn hup, void *arg)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	sigset_t mask;
	int ret;

	if (loop.sigfd >= 0)
		return -EBUSY;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, &loop.old_mask) < 0)
		return -errno;
	loop.sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (loop.sigfd < 0) {
		ret = -errno;
		goto err_restore_mask;
	}
	ret = loop_add_fd(loop.sigfd, EPOLLIN, signals_read, NULL);
	if (ret < 0)
		goto err_close;
	sigaction(SIGPIPE, &ign, &loop.old_pipe);
	loop.hup = hup;
	loop.hup_arg = arg;
	return 0;

err_close:
	close(loop.sigfd);
	loop.sigfd = -1;
err_restore_mask:
	sigprocmask(SIG_SETMASK, &loop.old_mask, NULL);
	return ret;
}

static void signals_fini(void)
{
	if (loop.sigfd < 0)
		return;
	loop_del_fd(loop.sigfd);
	close(loop.sigfd);
	loop.sigfd = -1;
	sigaction(SIGPIPE, &loop.old_pipe, NULL);
	sigprocmask(SIG_SETMASK, &loop.old_mask, NULL);
	loop.hup = NULL;
}

/* --- the loop --------------------------------------------------------------------------- */

int loop_init(void)
{
	if (loop.ready)
		return -EBUSY;
	loop.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop.epfd < 0)
		return -errno;
	loop.stop = false;
	loop.ready = true;
	return 0;
}

void loop_fini(void)
{
	if (!loop.ready)
		return;
	signals_fini();
	for (size_t fd = 0; fd < loop.cap; fd++)
		if (loop.watches[fd])
			loop_del_fd((int)fd);
	graveyard_empty();
	free(loop.watches);
	loop.watches = NULL;
	loop.cap = 0;
	while (!list_empty(&loop.armed))
		list_unlink(loop.armed.next);
	close(loop.epfd);
	loop.epfd = -1;
	loop.ready = false;
}

int loop_run_once(int timeout_ms)
{
	struct epoll_event events[LOOP_EVENTS_MAX];
	int n, calls = 0;

	n = epoll_wait(loop.epfd, events, LOOP_EVENTS_MAX, wait_ms(timeout_ms));
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		struct watch *w = events[i].data.ptr;

		if (w->dead)
			continue;
		w->cb(w->fd, events[i].events, w->arg);
		calls++;
	}
	graveyard_empty();
	return calls + timers_fire();
}

int loop_run(void)
{
	while (!loop.stop) {
		int ret = loop_run_once(-1);

		if (ret < 0) {
			log_err("epoll_wait: %s", strerror(-ret));
			return ret;
		}
	}
	return 0;
}

void loop_stop(void)
{
	loop.stop = true;
}

bool loop_stopped(void)
{
	return loop.stop;
}
