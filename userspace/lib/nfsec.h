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

/* Forgets the message of the last failed call, so a handle can serve one command after another. */
void nfsec_error_clear(struct nfsec_handle *h);

/* NFSEC_CMD_GET_VERSION: what the module in the caller's network namespace runs. */
int nfsec_get_version(struct nfsec_handle *h, struct nfsec_version *ver);

/*
 * NFSEC_CMD_IKE_SOCKET: fd, a UDP socket of this process in the handle's namespace, is the
 * IKE daemon's: what it sends, and cleartext that arrives for it, passes every policy.
 */
int nfsec_ike_socket(struct nfsec_handle *h, int fd);

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

/*
 * How a protect policy protects: through the newest outbound SA with this mode, request id
 * and destination (tunnel: dst here; transport: the packet's own). family, src and dst are
 * the tunnel's endpoints, in network order as in a selector; a transport template has none
 * (family 0, addresses zero).
 */
struct nfsec_tmpl {
	uint8_t mode;			/* enum nfsec_mode */
	uint16_t family;		/* tunnel: AF_INET or AF_INET6, the outer family */
	uint8_t src[16], dst[16];
	uint32_t reqid;			/* which SAs may serve the policy */
};

struct nfsec_policy {
	uint32_t index;			/* the kernel's handle, set by get and dump */
	uint8_t dir;			/* enum nfsec_policy_dir */
	uint8_t action;			/* enum nfsec_policy_action */
	uint32_t priority;		/* lower wins; the older policy wins a tie */
	struct nfsec_selector sel;
	/*
	 * Protect policies only. Adding one without a template gives it the kernel's default
	 * (transport mode, request id 0); get, dump and events always give a protect policy
	 * its template, and never another.
	 */
	bool has_tmpl;
	struct nfsec_tmpl tmpl;
};

/*
 * NFSEC_CMD_POLICY_NEW: adds p (p->index is ignored). Every selector field is sent, so the
 * kernel's defaults never apply; the kernel masks the addresses to their prefixes. The
 * template is sent in full when p->has_tmpl, which only a protect policy may have.
 * -EEXIST when an equal policy (direction, selector, priority) is already there.
 */
int nfsec_policy_add(struct nfsec_handle *h, const struct nfsec_policy *p);

/*
 * Adds queued on the handle, sent as one request (NFSEC_A_POLICIES) where
 * nfsec_policy_add() sends one each:
 *  - nfsec_policy_queue() checks p as nfsec_policy_add() would and queues it under the
 *    caller's tag; -ENOBUFS (p not queued) when the queue is full, which
 *    nfsec_policy_queue_full() tells before;
 *  - nfsec_policy_queue_send() sends what is queued and empties the queue. The kernel adds
 *    the policies in order up to the first it refuses: the error is that policy's as
 *    nfsec_policy_add() would give it, *failed its tag; those before it are added, it and
 *    those after are not. When the kernel does not say which failed (an error of the
 *    request as a whole), *failed is the first tag and none was added. 0 with nothing
 *    queued.
 */
int nfsec_policy_queue(struct nfsec_handle *h, const struct nfsec_policy *p,
		       unsigned long tag);
bool nfsec_policy_queue_full(const struct nfsec_handle *h);
unsigned int nfsec_policy_queued(const struct nfsec_handle *h);
int nfsec_policy_queue_send(struct nfsec_handle *h, unsigned long *failed);

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
 * Security associations. Longest NFSEC_ALG_A_NAME, NUL included (XFRM's), and longest key
 * libnfsec sends.
 */
enum {
	NFSEC_ALG_NAME_LEN = 64,
	NFSEC_KEY_MAX = 128,
};

/*
 * One transform of an SA. name is the crypto API's ("rfc4106(gcm(aes))", "cbc(aes)",
 * "hmac(sha256)"), "" for a transform the SA does not use. An AEAD's key ends with its
 * 4-byte salt. icv_bits is for AEADs and authentication only: 0 asks the kernel for the
 * algorithm's default when adding; get gives the one in use. The kernel never gives keys
 * back: key_len is 0 after get, dump and events.
 */
struct nfsec_alg {
	char name[NFSEC_ALG_NAME_LEN];
	uint8_t key[NFSEC_KEY_MAX];
	uint32_t key_len;
	uint32_t icv_bits;
};

/* Each 0 for none. */
struct nfsec_lifetime {
	uint64_t soft_bytes, hard_bytes;
	uint64_t soft_packets, hard_packets;
	uint64_t soft_seconds, hard_seconds;
};

/*
 * An SA: found by (spi, dst, proto), unique in a namespace. Addresses are in network order,
 * an AF_INET one in the first 4 bytes, as in a selector. Either aead is used, or both enc
 * and auth. The fields under "get only" are ignored by nfsec_sa_add().
 */
struct nfsec_sa {
	uint32_t spi;			/* host order, 256 or more */
	uint8_t dir;			/* enum nfsec_sa_dir */
	uint16_t family;		/* of src and dst: AF_INET or AF_INET6 */
	uint8_t src[16], dst[16];	/* the outer addresses */
	uint8_t proto;			/* IPPROTO_ESP */
	uint8_t mode;			/* enum nfsec_mode */
	uint32_t reqid;
	struct nfsec_alg aead, enc, auth;
	/* inbound: 0 (no check) to 4096; outbound: 0 to add, what the kernel says after */
	uint32_t replay_window;
	bool esn;			/* 64-bit extended sequence numbers */
	bool has_selector;		/* else the SA carries any inner traffic */
	struct nfsec_selector sel;
	struct nfsec_lifetime lifetime;
	/*
	 * ESP in UDP (RFC 3948, NFSEC_ENCAP_ESPINUDP), IPv4 only: the UDP ports, host order,
	 * not 0: outbound ours then the peer's, inbound the peer's then ours.
	 */
	bool encap;
	uint16_t encap_sport, encap_dport;

	/* get only */
	uint64_t seq;			/* out: the last number sent; in: the highest accepted */
	uint64_t bytes, packets;	/* so far */
	uint64_t age_seconds;		/* since it was added */
	/* packets dropped, by enum nfsec_sa_drop_attr (UNSPEC and PAD stay 0) */
	uint64_t drops[NFSEC_SA_DROP_A_MAX + 1];
};

/*
 * NFSEC_CMD_SA_NEW: adds sa, sending every field (the lifetime always, the selector when
 * sa->has_selector, icv_bits when not 0, replay_window for inbound SAs). sa is not
 * changed; wiping its keys is the caller's part, the copy in the request is wiped here.
 * -EEXIST when an SA with the same (spi, dst, proto) is already there.
 */
int nfsec_sa_add(struct nfsec_handle *h, const struct nfsec_sa *sa);

/* NFSEC_CMD_SA_DEL: removes the SA (spi, dst, proto); dst is 4 or 16 bytes by family. */
int nfsec_sa_del(struct nfsec_handle *h, uint32_t spi, uint16_t family, const uint8_t *dst,
		 uint8_t proto);

/*
 * NFSEC_CMD_SA_SET: the SA (sa->spi, sa->dst, sa->proto), which has UDP encapsulation,
 * takes sa->encap_sport and sa->encap_dport in place (its sequence numbers and counters go
 * on): what a NAT mapping that moved needs. sa->encap must be set; the other fields are
 * not sent. -EINVAL from the kernel for an SA without encapsulation.
 */
int nfsec_sa_set_encap(struct nfsec_handle *h, const struct nfsec_sa *sa);

/* NFSEC_CMD_SA_GET for one SA: it into *out, without keys. */
int nfsec_sa_get(struct nfsec_handle *h, uint32_t spi, uint16_t family, const uint8_t *dst,
		 uint8_t proto, struct nfsec_sa *out);

/* Called once per SA of a dump; a negative errno stops it, as for nfsec_policy_fn. */
typedef int (*nfsec_sa_fn)(const struct nfsec_sa *sa, void *arg);

/* NFSEC_CMD_SA_GET as a dump: cb for every SA, without keys. */
int nfsec_sa_dump(struct nfsec_handle *h, nfsec_sa_fn cb, void *arg);

/*
 * The name of an SA's drop reason attr, lower case with dashes ("auth-fail"), or NULL for
 * NFSEC_SA_DROP_A_UNSPEC, NFSEC_SA_DROP_A_PAD and anything above NFSEC_SA_DROP_A_MAX.
 */
const char *nfsec_sa_drop_name(int attr);

/*
 * What sa's hard lifetime leaves of its time (seconds) and of its bytes (whole kilobytes
 * of 1024 bytes), 0 once reached: false when it sets no such limit.
 */
bool nfsec_sa_seconds_left(const struct nfsec_sa *sa, uint64_t *left);
bool nfsec_sa_kilobytes_left(const struct nfsec_sa *sa, uint64_t *left);

/* NFSEC_CMD_SA_FLUSH: removes every SA. */
int nfsec_sa_flush(struct nfsec_handle *h);

/*
 * The short algorithm names nfsec's tools take ("gcm-aes", "aes-cbc", "sha256") and the
 * crypto API names they stand for, with the slot of struct nfsec_sa each goes in; NULL
 * for a word that is none of them.
 */
enum nfsec_alg_kind { NFSEC_ALG_AEAD, NFSEC_ALG_ENC, NFSEC_ALG_AUTH };

struct nfsec_alg_alias {
	const char *word;
	const char *name;
	enum nfsec_alg_kind kind;
};

const struct nfsec_alg_alias *nfsec_alg_alias(const char *word);

/*
 * NFSEC_CMD_STATS_GET: the namespace's counters, out[NFSEC_STAT_A_*] for each enum
 * nfsec_stat_attr; out[NFSEC_STAT_A_UNSPEC] and out[NFSEC_STAT_A_PAD] are set to 0.
 */
int nfsec_stats_get(struct nfsec_handle *h, uint64_t out[NFSEC_STAT_A_MAX + 1]);

/*
 * The name of counter attr, lower case with dashes ("out-no-sa"), or NULL for
 * NFSEC_STAT_A_UNSPEC, NFSEC_STAT_A_PAD and anything above NFSEC_STAT_A_MAX.
 */
const char *nfsec_stat_name(int attr);

/*
 * Events: what changed in the caller's network namespace, from the multicast group
 * NFSEC_MCGRP_EVENTS. They arrive on a second socket of the handle, so they never mix
 * with the replies of the calls above, which can still be made in between.
 *
 *   cmd                     has_policy  has_sa  also
 *   NFSEC_CMD_POLICY_NEW    yes         no      dir: the policy's
 *   NFSEC_CMD_POLICY_DEL    yes         no      dir: the policy's
 *   NFSEC_CMD_POLICY_FLUSH  no          no      dir: the one flushed, -1 for all
 *   NFSEC_CMD_SA_NEW        no          yes
 *   NFSEC_CMD_SA_DEL        no          yes
 *   NFSEC_CMD_SA_FLUSH      no          no
 *   NFSEC_CMD_ACQUIRE       yes         no      flow; dir: the policy's
 *   NFSEC_CMD_EXPIRE        no          yes     hard
 *   NFSEC_CMD_SA_SET        no          yes     (the SA's new encapsulation ports)
 *   NFSEC_CMD_MAPPING       no          yes     mapping_addr, mapping_port
 *
 * dir is -1 for the SA events, which have no policy direction.
 */
struct nfsec_event {
	uint8_t cmd;
	bool has_policy;
	struct nfsec_policy policy;	/* in full, as nfsec_policy_get() gives it */
	int dir;			/* the direction: of the policy, or flushed (-1: all) */
	bool has_sa;
	struct nfsec_sa sa;		/* in full but for keys, as nfsec_sa_get() gives it */
	/*
	 * ACQUIRE: the packet that found no SA for the protect policy: its family, addresses
	 * (prefixes at full length), protocol, and ports as one-port ranges.
	 */
	struct nfsec_selector flow;
	bool hard;			/* EXPIRE: a hard lifetime ran out, the SA is gone */
	/*
	 * MAPPING: where an authenticated packet of the inbound SA (with encapsulation) came
	 * from, which is not its peer's address and port: the peer's NAT mapping moved.
	 * The address as in an SA (sa.family's length), the port in host order.
	 */
	uint8_t mapping_addr[16];
	uint16_t mapping_port;
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
