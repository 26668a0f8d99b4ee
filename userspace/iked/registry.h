/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's tunnels, by name, in the order they were added. The registry owns each
 * struct iked_tunnel (the configuration copied in, wiped on removal); the IKE layer hangs
 * its state on ->ike and learns of each tunnel's coming and going through the ops it
 * registers, which is also how the control socket brings tunnels up and down and asks
 * for their status without knowing IKE.
 *
 * A tunnel to remote %any has an instance per peer, which the IKE layer makes when a
 * peer's phase 1 is up: a copy of the tunnel with the peer's address for remote, and a
 * request id of its own from the same space as the tunnels' (no tunnel added later gets
 * it), so its kernel SAs and policies are apart from every other peer's. Instances are
 * found by request id and listed under their tunnel, never by name or in the walk.
 */
#ifndef NFSEC_IKED_REGISTRY_H
#define NFSEC_IKED_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/nfsec.h>

#include "tunnel.h"

struct iked_tunnel {
	struct tunnel conf;
	uint32_t reqid;			/* conf.reqid, or the lowest one free from 1 up */
	void *ike;			/* the IKE layer's, set in ops->added */
	struct iked_tunnel *parent;	/* an instance's tunnel; NULL for a tunnel */
	bool from_conf;			/* the configuration file's: reload.h */
	struct iked_tunnel *prev, *next;	/* the registry's */
};

enum {
	REGISTRY_TUNNELS_MAX = 4096,
	REGISTRY_INSTANCES_MAX = 4096,	/* peers of remote %any tunnels, in all */
	TUNNEL_STATUS_SA_MAX = TUNNEL_TS_MAX * TUNNEL_TS_MAX,
	TUNNEL_STATUS_STATE_MAX = 32,
	TUNNEL_STATUS_ALGS_MAX = 96,
	TUNNEL_STATUS_REASON_MAX = 256,
};

/* One phase-2 SA (or one being negotiated) of a tunnel. */
/* One way of an established phase-2 SA, as the module counts it. */
struct tunnel_sa_traffic {
	uint64_t packets, bytes;
	uint64_t drops[NFSEC_SA_DROP_A_MAX + 1];	/* by enum nfsec_sa_drop_attr */
	bool kb_limited;			/* the SA has a hard byte lifetime, */
	uint64_t kb_left;			/* which leaves this many KiB */
};

struct tunnel_sa_status {
	struct tunnel_ts local_ts, remote_ts;
	char state[TUNNEL_STATUS_STATE_MAX];	/* "ESTABLISHED", "QM_I1", ... */
	bool established;
	uint32_t spi_in, spi_out;		/* 0 until known */
	char algs[TUNNEL_STATUS_ALGS_MAX];	/* "aes128gcm16", as esp proposals say */
	uint32_t seconds_left;			/* until it expires */
	struct tunnel_sa_traffic in, out;
};

/* Messages of a tunnel's peer (or of someone posing as it) dropped, by reason. */
struct tunnel_drops {
	uint64_t undecryptable;		/* with our cookies, not decrypting: forged, or keys differ */
	uint64_t replayed;		/* a quick mode message of a finished exchange */
	uint64_t half_open_refused;	/* a message 1 over a half-open cap */
	uint64_t refused;		/* a message 1 refused: no proposal, wrong exchange */
	uint64_t qm_refused;		/* a peer's quick mode over the cap of waiting ones */
};

/*
 * What "nfsec tunnel show" prints of a tunnel: filled in by ops->status on a zeroed
 * struct. Strings are NUL-terminated; empty ones are left out.
 */
struct tunnel_status {
	struct {
		char state[TUNNEL_STATUS_STATE_MAX];	/* "ESTABLISHED", "MM_I2", ... */
		bool established;
		char algs[TUNNEL_STATUS_ALGS_MAX];	/* "aes128-sha256-modp2048" */
		uint32_t seconds_left;			/* until it expires */
		char why_down[TUNNEL_STATUS_REASON_MAX];	/* why the last one failed */
		/* established: what NAT-D showed ("local behind NAT, peer not", "none"),
		 * and the ports IKE (and ESP in UDP, behind a NAT) uses, ours and the peer's */
		char nat[TUNNEL_STATUS_STATE_MAX];
		uint16_t local_port, remote_port;
	} phase1;
	unsigned int sa_count;
	struct tunnel_sa_status sa[TUNNEL_STATUS_SA_MAX];
	/* why the tunnel is down, shown to the user as it is: "NO-PROPOSAL-CHOSEN from ..." */
	char down_reason[TUNNEL_STATUS_REASON_MAX];
	unsigned int half_open;		/* responder phase 1s waiting for the peer */
	struct tunnel_drops drops;
	/*
	 * remote %any: the tunnel's own phase 1 and SAs stay empty; its peers are listed
	 * apart (registry_peer_status()). A peer is up when one of its phase-2 SAs is
	 * established, which includes its policies: then the kernel sends that traffic to
	 * it in ESP, never in clear.
	 */
	unsigned int peer_count, peers_up;
	/*
	 * an instance's: the peer's address (and port, which tells it from the others
	 * behind the same NAT; 0 for a peer not behind one), and whether it is up
	 */
	struct tunnel_addr peer;
	uint16_t peer_port;
	bool up;
};

/*
 * The IKE layer's hooks; any may be NULL. Messages go to err (one line, no secret).
 * added: a tunnel was added (its reqid set): start what its auto word says; failing, it
 *        is not added. removing: it is about to go (and be wiped): tear down its SAs.
 * up, down: "nfsec tunnel up|down". status: fill in *st for "show".
 */
struct registry_ops {
	int (*added)(struct iked_tunnel *t, char *err, size_t errlen);
	void (*removing)(struct iked_tunnel *t);
	int (*up)(struct iked_tunnel *t, char *err, size_t errlen);
	int (*down)(struct iked_tunnel *t, char *err, size_t errlen);
	void (*status)(const struct iked_tunnel *t, struct tunnel_status *st);
};

/* ops is kept, not copied; NULL for none. */
void registry_set_ops(const struct registry_ops *ops);

/*
 * A copy of *conf: 0, or a negative errno with err set: -EEXIST for a name or an explicit
 * reqid taken already, -ENOSPC at REGISTRY_TUNNELS_MAX, -ENOMEM, or what ops->added said.
 * *out (may be NULL) is the new tunnel.
 */
int registry_add(const struct tunnel *conf, struct iked_tunnel **out, char *err,
		 size_t errlen);

/* ops->removing, then the tunnel unlinked, wiped and freed: 0, or -ENOENT. */
int registry_del(const char *name);
/* Every tunnel, as registry_del() would remove it. */
void registry_flush(void);

struct iked_tunnel *registry_find(const char *name);
struct iked_tunnel *registry_find_reqid(uint32_t reqid);
unsigned int registry_count(void);

/*
 * In the order added: for (t = registry_first(); t; t = registry_next(t)). To remove
 * while walking, take registry_next(t) before registry_del(t->conf.name).
 */
struct iked_tunnel *registry_first(void);
struct iked_tunnel *registry_next(const struct iked_tunnel *t);

/* ops->up and ops->down by name: 0, or a negative errno with err set (-ENOENT: no such). */
int registry_up(const char *name, char *err, size_t errlen);
int registry_down(const char *name, char *err, size_t errlen);

/* *st zeroed, then filled in by ops->status. */
void registry_status(const struct iked_tunnel *t, struct tunnel_status *st);

/*
 * Instances (see the top). An instance of parent for conf (the peer's copy): 0, or a
 * negative errno with err set (-ENOSPC at REGISTRY_INSTANCES_MAX, -ENOMEM). Its reqid is
 * the lowest one free; ops->added is not called: the IKE layer sets ->ike itself, and
 * deletes its instances (registry_instance_del) before ops->removing of parent returns.
 */
int registry_instance_add(struct iked_tunnel *parent, const struct tunnel *conf,
			  struct iked_tunnel **out, char *err, size_t errlen);
/* Unlinked, wiped and freed; its reqid free again. */
void registry_instance_del(struct iked_tunnel *inst);

/*
 * The status of parent's instance number i (0 up, in the order made), as
 * registry_status() fills it in: 0, or -ENOENT past the last.
 */
int registry_peer_status(const struct iked_tunnel *parent, unsigned int i,
			 struct tunnel_status *st);

#endif /* NFSEC_IKED_REGISTRY_H */
