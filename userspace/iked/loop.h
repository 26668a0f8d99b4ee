/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nfsec-iked's one event loop: file descriptors through epoll (level-triggered), timers on
 * CLOCK_MONOTONIC in milliseconds, and signals through a signalfd. One per process, one
 * thread; nothing here is for other threads.
 *
 * Timers are embedded by their owners (an exchange's retransmission, an SA's lifetime)
 * and cost no descriptor: armed ones sit on one list sorted by expiry, and epoll_wait()
 * sleeps until the first. Arming is O(armed timers), cancelling and firing O(1): enough
 * for thousands of tunnels.
 *
 * Re-entrancy: any callback may add, modify or delete any descriptor (its own included,
 * and close it after deleting it), and arm or cancel any timer (its own included). A
 * descriptor deleted while its events are pending is not called again; a timer cancelled
 * before it fires does not fire; a timer re-armed from its callback fires in a later
 * round, never in the same one, even with 0 ms.
 */
#ifndef NFSEC_IKED_LOOP_H
#define NFSEC_IKED_LOOP_H

#include <stdbool.h>
#include <stdint.h>

/* events: EPOLLIN, EPOLLOUT, ... as epoll_wait() reported them (EPOLLERR, EPOLLHUP too). */
typedef void (*loop_fd_fn)(int fd, uint32_t events, void *arg);

struct timer;
typedef void (*timer_fn)(struct timer *t, void *arg);

/* Owned by the caller; the fields are the loop's. */
struct timer {
	struct timer *prev, *next;	/* on a list while armed, NULL otherwise */
	uint64_t expires_ms;		/* loop_now_ms() when it fires */
	timer_fn cb;
	void *arg;
};

/*
 * 0, or a negative errno. Timers may be armed before it. loop_fini() undoes it: descriptors
 * are left open, timers unarmed.
 */
int loop_init(void);
void loop_fini(void);

/* Watches fd for events; -EEXIST if it is watched already, -ENOMEM, or epoll's errno. */
int loop_add_fd(int fd, uint32_t events, loop_fd_fn cb, void *arg);
/* New events for a watched fd; -ENOENT if it is not watched. */
int loop_mod_fd(int fd, uint32_t events);
/* Stops watching fd (which the caller then closes); -ENOENT if it was not watched. */
int loop_del_fd(int fd);

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t loop_now_ms(void);

void timer_init(struct timer *t, timer_fn cb, void *arg);
/* Fires once, ms from now (re-arming an armed timer moves it). */
void timer_arm(struct timer *t, uint64_t ms);
/* Harmless on a timer that is not armed. */
void timer_cancel(struct timer *t);
bool timer_armed(const struct timer *t);

/*
 * Takes SIGTERM, SIGINT and SIGHUP out of normal delivery (blocked, then read from a
 * signalfd): TERM and INT stop the loop, HUP calls hup (when not NULL) from the loop.
 * SIGPIPE is ignored: a vanished control client must not kill the daemon. loop_fini()
 * restores the mask and SIGPIPE's disposition. 0 or a negative errno.
 */
typedef void (*loop_hup_fn)(void *arg);
int loop_signals(loop_hup_fn hup, void *arg);

/* Runs until loop_stop(): 0, or a negative errno if epoll failed. */
int loop_run(void);
void loop_stop(void);
bool loop_stopped(void);

/*
 * One round: waits up to timeout_ms (-1: until something happens; 0: not at all) or until
 * the first timer is due, then calls back each ready descriptor and each due timer. The
 * number of callbacks made, or a negative errno (EINTR is 0 callbacks).
 */
int loop_run_once(int timeout_ms);

#endif /* NFSEC_IKED_LOOP_H */
