/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's only door to the nfsec module: a thin facade over libnfsec, so that no other
 * file of nfsec-iked speaks netlink or knows the module's structures (OpenBSD iked's
 * ipsec.c plays this part there). What it does:
 *
 *   policies  one "out" and one "in" protect policy per traffic selector pair of a tunnel,
 *             removed again by the indices the kernel gave them
 *   SAs       one per direction, from the negotiated ESP proposal and its KEYMAT
 *   SPIs      random inbound SPIs no SA in the kernel has and none handed out yet
 *   events    ACQUIRE, EXPIRE, SAs and policies removed behind our back, lost events
 *
 * Every call returns 0 or a negative errno and, on error, a message in err (errlen bytes,
 * always NUL-terminated) that names what failed, with libnfsec's text (nfsec_error()) when
 * the request reached it. Nothing here logs or keeps tunnel state beyond outstanding SPIs.
 *
 * Request ids: the module sends a packet out through the newest outbound SA with the
 * policy template's request id, mode and destination. In IKEv1 every selector pair is a
 * phase-2 SA of its own, and all pairs of a tunnel share the destination, so each pair
 * needs a request id of its own, or the traffic of one pair would leave through the SA of
 * another and be dropped by the peer. An ACQUIRE's request id thus names the pair.
 */
#ifndef NFSEC_IKED_KERNEL_H
#define NFSEC_IKED_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/nfsec.h>

#include "proposal.h"
#include "tunnel.h"

struct kernel;

/*
 * Opens libnfsec and subscribes to the module's events (one handle: libnfsec keeps its
 * event socket apart from its request socket). NULL with err set when the module is not
 * loaded, a socket cannot be opened, or memory ran out.
 */
struct kernel *kernel_open(char *err, size_t errlen);

/* Closes the sockets, forgets the outstanding SPIs; NULL is fine. Policies and SAs stay. */
void kernel_close(struct kernel *k);

/*
 * fd, one of our UDP sockets, speaks IKE: the module lets what it sends and receives pass
 * every policy (only sockets handed over this way do: a port is no exemption).
 */
int kernel_ike_socket(struct kernel *k, int fd, char *err, size_t errlen);

/*
 * Policies for a tunnel.
 *
 * One pair of traffic selectors: a phase-2 SA of its own, with its own request id (see
 * the top). local and remote must be of one family. With encap transport the addresses
 * of the selectors are the endpoints themselves (at full length); only the protocol and
 * port of local and remote count.
 */
struct kernel_ts_pair {
	struct tunnel_ts local, remote;
	uint32_t reqid;
};

enum {
	KERNEL_PAIRS_MAX = TUNNEL_TS_MAX * TUNNEL_TS_MAX,
	KERNEL_PAIR_POLICIES_MAX = 3,	/* out, in and (tunnel mode) fwd */
	KERNEL_POLICIES_MAX = KERNEL_PAIR_POLICIES_MAX * KERNEL_PAIRS_MAX,
};

/* What the daemon knows of a tunnel once the remote address is known. */
struct kernel_tunnel {
	struct tunnel_addr local, remote;	/* the endpoints, of one family */
	uint8_t mode;				/* NFSEC_MODE_TUNNEL or NFSEC_MODE_TRANSPORT */
	unsigned int pair_count;		/* 1..KERNEL_PAIRS_MAX */
	const struct kernel_ts_pair *pairs;
	/*
	 * The policies of a peer of a remote %any tunnel carry a request id of one run of the
	 * daemon: those a run stopped without --flush-on-exit left are in the way of the next
	 * run's for the same selectors. With stale set, a policy in the way (its direction,
	 * selector and priority) that protects in our mode from our local address (tunnel
	 * mode: its template's source going out, destination coming in), under a request id
	 * stale(reqid, stale_arg) says no policy of ours has now, is such a leftover: it is
	 * removed and ours added. NULL: never.
	 */
	bool (*stale)(uint32_t reqid, void *arg);
	void *stale_arg;
};

/*
 * The kernel's indices of a tunnel's policies: out of pair 0, in of pair 0 (fwd of pair 0),
 * out of pair 1...
 */
struct kernel_policies {
	unsigned int count;
	uint32_t index[KERNEL_POLICIES_MAX];
};

/*
 * For each pair, in order: an "out" protect policy local-ts -> remote-ts, template local ->
 * remote, and an "in" protect policy remote-ts -> local-ts, template remote -> local (tunnel
 * mode; transport templates have no endpoints), both with the pair's request id; in tunnel
 * mode also a "fwd" policy as the "in" one (kernel_pair_policies()). Ports: the local one
 * is the source port going out and the destination port coming in.
 *
 * The fwd policy is what keeps a gateway closed: the module checks forwarded packets
 * against "fwd" policies alone, so without it cleartext from outside that names the
 * remote-ts as its source would be forwarded into local-ts like the decrypted traffic
 * (XFRM and strongSwan alike install one).
 *
 * Priority (lower wins in the module; after strongSwan's kernel-netlink get_priority):
 *
 *   priority = ((768 - src_prefix - dst_prefix) << 2) + (no port ? 2 : 0) + (no proto ? 1 : 0)
 *
 * so a longer prefix, then a port, then a protocol wins. 768 is strongSwan's base of
 * installed policies (twice its pass-policy base 384, which exceeds 128 + 128): ours run
 * from 2048 to 3075, and a bypass policy an administrator adds below 2048 beats them all.
 *
 * The module's POLICY_NEW does not answer with the new index: one dump after the adds finds
 * each policy by direction, selector and priority (unique in the module: an equal one is
 * refused with EEXIST) and template. A policy refused with EEXIST is taken as it is when
 * the dump finds it the same in every field (what a daemon stopping without
 * --flush-on-exit leaves), and is never removed here; one that differs fails the add
 * (-EEXIST, "... is in the way"), unless kt->stale calls it a leftover (replaced, see
 * struct kernel_tunnel). On success *out holds kernel_pair_policies() * pair_count
 * indices. When an
 * add fails, the policies added before it are removed and *out is empty; err names the
 * policy ("policy 5 of 8 (out 10.1.0.0/16 -> 10.3.0.0/16 reqid 11)") and libnfsec's text.
 */
int kernel_tunnel_policies_add(struct kernel *k, const struct kernel_tunnel *kt,
			       struct kernel_policies *out, char *err, size_t errlen);

/* How many policies a pair of a tunnel in mode (NFSEC_MODE_*) has: 3 in tunnel mode, else 2. */
unsigned int kernel_pair_policies(uint8_t mode);

/*
 * Removes the policies of *pol. One already gone (flushed by hand) counts as removed. The
 * others are all tried; those that could not be removed stay in *pol (count and order),
 * and the first failure is returned.
 */
int kernel_tunnel_policies_del(struct kernel *k, struct kernel_policies *pol, char *err,
			       size_t errlen);

/*
 * SAs.
 *
 * Lifetimes, as negotiated. 0 means none (margin 0: soft = hard). The soft limit, which
 * raises a soft EXPIRE (rekey now), is derived per SA like strongSwan's rekey fuzz (its
 * default rekeyfuzz of 100 %):
 *
 *   m    = min(margin, hard - 1)
 *   j    = min(m, hard - m - 1)
 *   soft = hard - m - r,  r uniform in 0..j, drawn per SA with getrandom()
 *
 * so hard - 2 * margin <= soft <= hard - margin, and always 1 <= soft <= hard. The same
 * for seconds (whole seconds) and bytes; a byte margin of a tenth of hard_bytes is a good
 * choice (strongSwan's swanctl makes life_bytes rekey_bytes + 10 %). The two SAs of a pair
 * draw apart: the daemon rekeys on the first soft EXPIRE and ignores the other's.
 */
struct kernel_lifetime {
	uint64_t hard_seconds, margin_seconds;
	uint64_t hard_bytes, margin_bytes;
};

struct kernel_sa {
	uint32_t spi;				/* host order, 256 or more */
	uint8_t dir;				/* NFSEC_SA_DIR_IN or NFSEC_SA_DIR_OUT */
	struct tunnel_addr src, dst;		/* outer: out local -> remote, in remote -> local */
	uint8_t mode;				/* NFSEC_MODE_TUNNEL or NFSEC_MODE_TRANSPORT */
	uint32_t reqid;				/* the pair's */
	const struct esp_proposal *proposal;	/* the chosen one; its esn too */
	/*
	 * This SA's KEYMAT, exactly kernel_keymat_len(proposal) bytes, split in strongSwan's
	 * order: the encryption key (for an AEAD the key, then its 4-byte salt), then the
	 * integrity key. Only read: the caller wipes it.
	 */
	const uint8_t *keymat;
	size_t keymat_len;
	struct kernel_lifetime lifetime;
	uint32_t replay_window;			/* inbound: 0 gives 64; ignored outbound */
	/*
	 * Inbound: the pair whose traffic alone the SA may carry, remote-ts -> local-ts (the
	 * module drops decrypted packets outside it); NULL: any. Ignored outbound.
	 */
	const struct kernel_ts_pair *pair;
	/*
	 * ESP in UDP (RFC 3948) behind a NAT, IPv4: the UDP ports, host order, outbound
	 * ours then the peer's, inbound the peer's then ours; 0 and 0 for plain ESP.
	 */
	uint16_t encap_sport, encap_dport;
};

/* The KEYMAT bytes an SA of proposal p needs: enc key (+ salt) + integrity key; or -EINVAL. */
int kernel_keymat_len(const struct esp_proposal *p);

/*
 * Adds the SA. The keys exist in one buffer of ours while the request is built; it and
 * libnfsec's request are wiped (explicit_bzero) before this returns, whatever happened.
 * -EEXIST when (spi, dst) is taken: see kernel_spi_alloc().
 */
int kernel_sa_add(struct kernel *k, const struct kernel_sa *ksa, char *err, size_t errlen);

/* Removes the SA (spi, dst); -ENOENT when it is not there (expired, or flushed by hand). */
int kernel_sa_del(struct kernel *k, uint32_t spi, const struct tunnel_addr *dst, char *err,
		  size_t errlen);

/*
 * The SA (spi, dst), which has ESP in UDP, takes the ports sport and dport in place (its
 * sequence numbers and replay window go on): a NAT mapping that moved.
 */
int kernel_sa_set_encap(struct kernel *k, uint32_t spi, const struct tunnel_addr *dst,
			uint16_t sport, uint16_t dport, char *err, size_t errlen);

/* What the module says an SA has done, for "nfsec tunnel show". */
struct kernel_sa_stats {
	uint64_t bytes, packets;	/* inner bytes and packets so far */
	uint64_t age_seconds;		/* since it was added (the module keeps no add time) */
	uint64_t seq;			/* out: the last number sent; in: the highest accepted */
	uint64_t drops[NFSEC_SA_DROP_A_MAX + 1];	/* by enum nfsec_sa_drop_attr */
	bool kb_limited;		/* a hard byte lifetime, which leaves kb_left KiB */
	uint64_t kb_left;
};

int kernel_sa_stats(struct kernel *k, uint32_t spi, const struct tunnel_addr *dst,
		    struct kernel_sa_stats *st, char *err, size_t errlen);

/*
 * SPIs. The module has no "reserve an SPI" request (XFRM's ALLOCSPI): this draws a random
 * SPI in 0x100..0xffffffff (getrandom) that the module has no SA for at dst and that is not
 * outstanding here, and keeps it outstanding until kernel_spi_release() (after the SA is
 * added, or when the negotiation fails). Up to KERNEL_SPI_PENDING_MAX may be outstanding
 * (-EBUSY beyond).
 *
 * The race this leaves: another manager (nfsec sa add, a second daemon) may add an SA with
 * the same SPI between this and kernel_sa_add(), which then fails with -EEXIST; the daemon
 * gives the negotiation up and starts it again with a new SPI.
 */
enum { KERNEL_SPI_PENDING_MAX = 256 };

int kernel_spi_alloc(struct kernel *k, const struct tunnel_addr *dst, uint32_t *spi,
		     char *err, size_t errlen);
void kernel_spi_release(struct kernel *k, uint32_t spi);

/*
 * Events.
 *
 * The packet that found no SA for an out policy: the policy, its template's request id
 * (the pair), and the packet's addresses, protocol and ports (0 where it has none).
 */
struct kernel_acquire {
	uint32_t policy_index;
	uint32_t reqid;
	struct tunnel_addr src, dst;
	uint8_t proto;
	uint16_t sport, dport;
};

/* The SA an event is about; (spi, dst) finds it. */
struct kernel_sa_ref {
	uint32_t spi;
	uint8_t dir;			/* NFSEC_SA_DIR_* */
	struct tunnel_addr src, dst;
	uint32_t reqid;
};

/*
 * Any callback may be NULL (the event is dropped). They may call the other functions of
 * this file. Events of the daemon's own doing come back too (its kernel_sa_del() gives an
 * sa_deleted), so each must be harmless for an SA or policy no longer known.
 */
struct kernel_event_ops {
	void (*acquire)(const struct kernel_acquire *acq, void *arg);
	/* soft: rekey now, the SA still works; hard: the SA is gone, keys wiped */
	void (*expire)(const struct kernel_sa_ref *sa, bool hard, void *arg);
	void (*sa_deleted)(const struct kernel_sa_ref *sa, void *arg);
	void (*sa_flushed)(void *arg);			/* every SA is gone */
	/*
	 * By anyone: drop the index from the tunnel's kernel_policies. (The module hands out
	 * indices cyclically in 31 bits, so a stale one comes back only after 2^31 adds.)
	 */
	void (*policy_deleted)(uint32_t index, void *arg);
	void (*policies_flushed)(int dir, void *arg);	/* NFSEC_POLICY_DIR_*, -1: all */
	/*
	 * An authenticated packet of the inbound SA sa (with ESP in UDP) came from addr and
	 * port, not the peer's address and port the SA has: the peer's NAT mapping moved.
	 */
	void (*mapping)(const struct kernel_sa_ref *sa, const struct tunnel_addr *addr,
			uint16_t port, void *arg);
	/*
	 * The module dropped events (the socket's buffer overflowed): what the daemon keeps
	 * in step with it must be read anew (nfsec sa/policy dumps, re-checked per tunnel).
	 * Events queued after the loss are delivered after this call.
	 */
	void (*resync)(void *arg);
};

/* The descriptor to poll for POLLIN (level-triggered: call kernel_events_read while set). */
int kernel_event_fd(const struct kernel *k);

/*
 * Dispatches the events queued, without waiting, up to a batch (libnfsec's): 0, or a
 * negative errno with err set (a malformed event: the ones behind it come on the next call).
 */
int kernel_events_read(struct kernel *k, const struct kernel_event_ops *ops, void *arg,
		       char *err, size_t errlen);

/*
 * The pure parts, for the tests: a pair's selector in one direction (-EINVAL with err set
 * for a pair of two families or two different protocols), its priority, and the lifetime
 * rule above with the random values r[0] (seconds) and r[1] (bytes) given.
 */
struct nfsec_selector;
struct nfsec_lifetime;

int kernel_pair_selector(const struct kernel_tunnel *kt, const struct kernel_ts_pair *pair,
			 bool inbound, struct nfsec_selector *sel, char *err, size_t errlen);
uint32_t kernel_policy_priority(const struct nfsec_selector *sel);
void kernel_lifetime_derive(const struct kernel_lifetime *in, const uint64_t r[2],
			    struct nfsec_lifetime *out);

#endif /* NFSEC_IKED_KERNEL_H */
