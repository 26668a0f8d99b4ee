/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libnfsec: the one place that speaks the "nfsec" generic netlink family.
 *
 * Every call returns 0 or a negative errno. After an error, nfsec_error() on the same
 * handle gives a human message saying what failed and why, with the kernel's extack
 * message passed through when it sent one. A handle is not thread-safe; use one per
 * thread.
 */
#ifndef NFSEC_LIB_H
#define NFSEC_LIB_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/nfsec.h>

struct nfsec_handle;

struct nfsec_version {
	uint32_t family_version;			/* NFSEC_GENL_VERSION of the module */
	char module_version[NFSEC_MODULE_VERSION_LEN];	/* the module's release */
	uint64_t netns_cookie;				/* namespace that answered */
};

/*
 * Opens a generic netlink socket and resolves the family. *hp is set even when this fails
 * (so nfsec_error(*hp) can say why), except on -ENOMEM for the handle itself, where it is
 * NULL; pass it to nfsec_close() in every case. -ENOENT means the module is not loaded.
 */
int nfsec_open(struct nfsec_handle **hp);

/* Closes the sockets and frees the handle; NULL is fine. */
void nfsec_close(struct nfsec_handle *h);

/* The message of the last failed call on h; never NULL (h == NULL means out of memory). */
const char *nfsec_error(const struct nfsec_handle *h);

/* NFSEC_CMD_GET_VERSION: what the module in the caller's network namespace runs. */
int nfsec_get_version(struct nfsec_handle *h, struct nfsec_version *ver);

/*
 * What a policy matches (a packet matches when every part does). Addresses are in network
 * order; an AF_INET address fills the first 4 bytes of src/dst and the rest is ignored.
 * Prefix lengths run 0..32 or 0..128, 0 meaning any address. proto is an IPPROTO_*
 * number, 0 for any. Port bounds are inclusive, in host order: 0..65535 is any port.
 */
struct nfsec_selector {
	uint16_t family;		/* AF_INET or AF_INET6 */
	uint8_t src[16], dst[16];
	uint8_t src_prefix, dst_prefix;
	uint8_t proto;
	uint16_t sport_min, sport_max;
	uint16_t dport_min, dport_max;
};

struct nfsec_policy {
	uint32_t index;			/* the kernel's handle, set by get and dump */
	uint8_t dir;			/* enum nfsec_policy_dir */
	uint8_t action;			/* enum nfsec_policy_action */
	uint32_t priority;		/* lower wins; the older policy wins a tie */
	struct nfsec_selector sel;
};

/*
 * NFSEC_CMD_POLICY_NEW: adds p (p->index is ignored). Every selector field is sent, so the
 * kernel's defaults never apply; the kernel masks the addresses to their prefixes.
 * -EEXIST when an equal policy (direction, selector, priority) is already there.
 */
int nfsec_policy_add(struct nfsec_handle *h, const struct nfsec_policy *p);

/* NFSEC_CMD_POLICY_DEL: removes the policy with that index. */
int nfsec_policy_del(struct nfsec_handle *h, uint32_t index);

/* NFSEC_CMD_POLICY_GET for one index: the policy into *out. */
int nfsec_policy_get(struct nfsec_handle *h, uint32_t index, struct nfsec_policy *out);

/*
 * Called once per policy of a dump. A negative errno stops the calls (the rest of the dump
 * is read and dropped) and is what nfsec_policy_dump() returns.
 */
typedef int (*nfsec_policy_fn)(const struct nfsec_policy *p, void *arg);

/* NFSEC_CMD_POLICY_GET as a dump: cb for every policy of every direction, oldest first. */
int nfsec_policy_dump(struct nfsec_handle *h, nfsec_policy_fn cb, void *arg);

/* NFSEC_CMD_POLICY_FLUSH: removes the policies of direction dir, or all when dir < 0. */
int nfsec_policy_flush(struct nfsec_handle *h, int dir);

/*
 * Events: what changed in the caller's network namespace, from the multicast group
 * NFSEC_MCGRP_EVENTS. They arrive on a second socket of the handle, so they never mix
 * with the replies of the calls above, which can still be made in between.
 */
struct nfsec_event {
	uint8_t cmd;			/* NFSEC_CMD_POLICY_NEW, _DEL or _FLUSH */
	bool has_policy;		/* NEW and DEL: policy is the one added or deleted */
	struct nfsec_policy policy;	/* in full, as nfsec_policy_get() gives it */
	int dir;			/* the direction: of the policy, or flushed (-1: all) */
};

/*
 * Called once per event, in the order the kernel sent them. A negative errno stops
 * nfsec_monitor_read(), which returns it.
 */
typedef int (*nfsec_event_fn)(const struct nfsec_event *ev, void *arg);

/*
 * Joins the group NFSEC_MCGRP_EVENTS on a second socket, opened here; from then on the
 * kernel queues every event of the namespace on it. Calling it again does nothing.
 */
int nfsec_monitor_open(struct nfsec_handle *h);

/* The event socket, to poll() for POLLIN; -ENOTCONN before nfsec_monitor_open(). */
int nfsec_monitor_fd(struct nfsec_handle *h);

/*
 * Reads the events queued on the event socket, without waiting for more, and calls cb for
 * each; returns 0 once none is left (or after a batch of them, when they keep coming:
 * poll() says when to call again). Events of commands this version does not know, from a
 * newer module, are skipped. -ENOBUFS means the kernel dropped events because the socket's
 * receive buffer was full: whatever the caller keeps in step with them (a copy of the
 * policies) must be read anew. After any error the socket stays usable: the next call goes
 * on with the events queued behind the one that failed (the kernel sends each event in a
 * datagram of its own).
 */
int nfsec_monitor_read(struct nfsec_handle *h, nfsec_event_fn cb, void *arg);

#endif /* NFSEC_LIB_H */
