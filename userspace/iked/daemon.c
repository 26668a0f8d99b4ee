// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's IKE side: see daemon.h.
 *
 * Lifetimes: a struct tun lives from registry "added" to "removing" (a peer of a remote
 * %any tunnel: see "Peers" below); a struct p1 from its first message to its death
 * (failure, delete, replacement), and owns the quick modes (struct xchg) running over it.
 * Every timer is embedded in what it serves and cancelled before that is freed.
 * Everything runs on the one event loop thread.
 */

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <linux/nfsec.h>
#include <openssl/crypto.h>

#include "auth.h"
#include "daemon.h"
#include "dpd.h"
#include "ike.h"
#include "info.h"
#include "log.h"
#include "loop.h"
#include "net.h"
#include "quick.h"

struct tun;
struct p1;

enum {
	TIE_MAX = 32,
	PAIR_BITS = 8,		/* a request id: the tunnel's, then the pair's index */
};

/* One phase-2 SA pair in the kernel. */
struct child {
	bool used;
	uint32_t spi_in, spi_out;
	struct esp_proposal prop;
	uint64_t added_ms;
	uint64_t added_seq;		/* d.seq when it went in: ordered as no clock is */
	uint32_t lifetime;
	/* the lower of its quick mode's two nonces (a prefix): decides crossed rekeys */
	size_t tie_len;
	uint8_t tie[TIE_MAX];
};

struct pair;

/* An SA pair replaced by a newer one, deleted DAEMON_OLD_SA_DELAY_MS later. */
struct retired {
	struct pair *pair;
	struct child c;
	struct timer timer;
	bool told;			/* the peer was told to delete it when it was retired */
	struct retired *next;		/* older */
};

struct pair {
	struct tun *tun;
	unsigned int idx;
	struct kernel_ts_pair kp;
	struct child cur;		/* carries the traffic */
	struct retired *retired;	/* replaced ones, on their way out */
	bool pending;			/* wants a quick mode once phase 1 is up */
	bool negotiating;
	/* a peer's (remote %any): its own policies (kernel.h), while it has an SA; 0: none */
	unsigned int pol_count;
	uint32_t pol_index[KERNEL_PAIR_POLICIES_MAX];
};

/* A quick mode in flight. */
struct xchg {
	struct qm *qm;
	struct p1 *p1;
	struct pair *pair;
	uint64_t started_seq;		/* d.seq when it began */
	bool in_installed;		/* its inbound SA is in, the outbound not yet */
	bool finished;			/* initiator, both SAs in: kept to answer a repeat */
	bool spi_held;			/* qm->spi_in reserved (kernel_spi_alloc()), no SA yet */
	struct timer retx;
	struct timer out_switch;	/* initiator: installs the outbound SA */
	unsigned int tries;
	struct xchg *next;
};

struct p1 {
	struct ike_sa *sa;		/* its local and remote: where its messages go */
	struct tun *tun;
	struct timer retx;
	unsigned int tries;
	struct timer life;		/* rekey (initiator) or expiry */
	uint64_t established_ms;
	struct xchg *qms;
	struct timer dpd_timer;		/* dead peer detection, when the tunnel and peer do it */
	struct dpd dpd;
	struct timer keepalive;		/* NAT keepalives, while it found us behind a NAT */
	struct p1 *next;
};

/*
 * A message 1 refused at once (no proposal we take, an exchange the tunnel does not do)
 * is answered with a notify, to a source nothing proves: each such answer holds a slot
 * under the half-open caps for DAEMON_HALF_OPEN_MS, as an SA waiting for the peer does.
 */
struct refusal {
	struct sockaddr_storage remote;
	uint64_t ms;			/* when it was answered */
	struct refusal *next;		/* newer */
};

struct tun {
	struct iked_tunnel *t;
	struct auth_creds *creds;	/* auth cert: loaded when the tunnel is added */
	struct kernel_policies pol;
	unsigned int npairs;
	struct pair pairs[KERNEL_PAIRS_MAX];
	struct p1 *p1;			/* established, or one we initiate; never half-open */
	char why[IKE_WHY_MAX];		/* why it is down */
	struct tunnel_drops drops;	/* what "nfsec tunnel show" counts */
	uint64_t drop_log_ms;		/* when a drop was last logged */
	/* remote %any: each peer an instance of the tunnel (t->parent set), see "Peers" */
	struct tun *peers;		/* the tunnel's, in the order they came */
	struct tun *peer_next;
	struct timer reap;		/* a peer's: ends it once no phase 1 holds it */
	/*
	 * A peer's found behind a NAT: its port, which tells it from others behind the same
	 * address (RFC 3947); 0: the peer is its address. Moves with the peer's mapping.
	 */
	uint16_t nat_port;
	char label[TUNNEL_NAME_MAX + INET6_ADDRSTRLEN + 9];	/* "NAME[ADDR]", "NAME[ADDR:PORT]" */
	struct refusal *refusals;	/* oldest first; a tunnel's, never a peer's */
	struct refusal **refusals_tail;
	/*
	 * Traffic starts no negotiation until "tunnel up" or the peer's phase 1: the policies
	 * hold it (fail closed). auto none, until first up; dpd-action clear, after a death.
	 */
	bool waits_up;
	bool dpd_cleared;		/* why it waits: its peer was declared dead */
	bool restarting;		/* dpd-action restart: phase 1 again until it is up */
	struct timer restart;
};

static struct {
	struct kernel *k;
	struct p1 *p1s;
	struct iked_settings settings;
	bool settings_set;
	bool keep_policies;		/* stopping without --flush-on-exit */
	uint64_t seq;			/* orders exchanges and SAs (qm_crossed()) */
} d;

void daemon_settings_set(const struct iked_settings *s)
{
	d.settings = *s;
	d.settings_set = true;
}

/* Whether to log a drop of tun's now: one line per DAEMON_DROP_LOG_MS at most. */
static bool drop_log_due(struct tun *tun)
{
	uint64_t now = loop_now_ms();

	if (tun->drop_log_ms && now - tun->drop_log_ms < DAEMON_DROP_LOG_MS)
		return false;
	tun->drop_log_ms = now ? now : 1;
	return true;
}

/* What the log lines of tun start with: its name, and a peer's address. */
static const char *name_of(const struct tun *tun)
{
	return tun->label[0] ? tun->label : tun->t->conf.name;
}

/* A peer's remote %any tunnel; NULL for a tunnel. */
static struct tun *parent_of(const struct tun *tun)
{
	return tun->t->parent ? tun->t->parent->ike : NULL;
}

static void sockaddr_of(const struct tunnel_addr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(IKE_PORT);
		memcpy(&sin->sin_addr, a->addr, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(IKE_PORT);
		memcpy(&sin6->sin6_addr, a->addr, 16);
	}
}

/* sockaddr_of() backwards: the address alone. */
static void addr_of(const struct sockaddr_storage *ss, struct tunnel_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = ss->ss_family;
	if (a->family == AF_INET)
		memcpy(a->addr, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	else
		memcpy(a->addr, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
}

/* The same address (the port aside). */
static bool same_host(const struct sockaddr_storage *x, const struct sockaddr_storage *y)
{
	if (x->ss_family != y->ss_family)
		return false;
	if (x->ss_family == AF_INET)
		return !memcmp(&((const struct sockaddr_in *)x)->sin_addr,
			       &((const struct sockaddr_in *)y)->sin_addr, 4);
	return !memcmp(&((const struct sockaddr_in6 *)x)->sin6_addr,
		       &((const struct sockaddr_in6 *)y)->sin6_addr, 16);
}

static bool addr_is(const struct tunnel_addr *a, const struct sockaddr_storage *ss)
{
	if (ss->ss_family != a->family)
		return false;
	if (a->family == AF_INET)
		return !memcmp(&((const struct sockaddr_in *)ss)->sin_addr, a->addr, 4);
	return !memcmp(&((const struct sockaddr_in6 *)ss)->sin6_addr, a->addr, 16);
}

/* --- Phase 1 ---------------------------------------------------------------------- */

static void p1_free(struct p1 *p1);
static void p1_follow(struct p1 *p1, const struct ike_msg *msg);
static void qm_start(struct p1 *p1, struct pair *pair);
static void p1_undecryptable(struct p1 *p1, const char *what);
static struct tun *peer_attach(struct p1 *p1);
static void peer_label(struct tun *peer);
static void peer_port_follow(struct tun *tun, const struct sockaddr_storage *remote);
static bool p1_holds(const struct tun *tun, const struct p1 *except);

/* A message to p1's peer, from and to where its messages go now. */
static int p1_net_send(const struct p1 *p1, const void *buf, size_t len)
{
	return net_send((const struct sockaddr *)&p1->sa->local,
			(const struct sockaddr *)&p1->sa->remote, buf, len);
}

static void p1_send(struct p1 *p1)
{
	if (!p1->sa->out_len)
		return;
	if (p1_net_send(p1, p1->sa->out, p1->sa->out_len))
		log_ctx_warn(name_of(p1->tun), "cannot send: %m");
}

/* A responder's phase 1 that answered message 1 and has heard nothing since. */
static bool p1_half_open(const struct p1 *p1)
{
	return !p1->sa->initiator &&
	       (p1->sa->state == IKE_MM_R1 || p1->sa->state == IKE_AM_R1);
}

/*
 * Our message out; retransmitted until the next one comes (or we are done). Not a
 * half-open responder's: it waits DAEMON_HALF_OPEN_MS for the peer, once.
 */
static void p1_send_new(struct p1 *p1)
{
	p1_send(p1);
	p1->tries = 0;
	if (p1_half_open(p1))
		timer_arm(&p1->retx, DAEMON_HALF_OPEN_MS);
	else if (p1->sa->state != IKE_ESTABLISHED && p1->sa->state != IKE_DEAD)
		timer_arm(&p1->retx, DAEMON_RETRANSMIT_MS);
	else
		timer_cancel(&p1->retx);
}

static void p1_dead(struct p1 *p1)
{
	struct tun *tun = p1->tun;

	log_ctx_err(name_of(tun), "phase 1 failed: %s", p1->sa->why);
	snprintf(tun->why, sizeof(tun->why), "%s", p1->sa->why);
	p1_free(p1);
	if (tun->restarting)
		timer_arm(&tun->restart, DAEMON_RESTART_MS);
}

static void p1_retransmit(struct timer *t, void *arg)
{
	struct p1 *p1 = arg;

	(void)t;
	if (p1_half_open(p1)) {
		/* maybe a spoofed message 1: nothing for the tunnel's status */
		log_ctx_debug(name_of(p1->tun), "half-open phase 1 (%s) forgotten: nothing came "
			      "back", ike_state_name(p1->sa->state));
		p1_free(p1);
		return;
	}
	if (++p1->tries >= DAEMON_RETRANSMIT_TRIES) {
		if (p1->sa->undecryptable)
			snprintf(p1->sa->why, sizeof(p1->sa->why), "no answer from the peer in %s "
				 "after %u tries, but %lu message(s) with our cookies that did not "
				 "decrypt: forged, or the pre-shared keys differ",
				 ike_state_name(p1->sa->state), p1->tries, p1->sa->undecryptable);
		else if (p1->sa->state == IKE_MM_I3)
			snprintf(p1->sa->why, sizeof(p1->sa->why), "no answer to our "
				 "authentication after %u tries: the pre-shared keys probably "
				 "differ", p1->tries);
		else
			snprintf(p1->sa->why, sizeof(p1->sa->why), "no answer from the peer in %s "
				 "after %u tries", ike_state_name(p1->sa->state), p1->tries);
		p1_dead(p1);
		return;
	}
	log_ctx_info(name_of(p1->tun), "retransmitting (%u)", p1->tries);
	p1_send(p1);
	timer_arm(&p1->retx, (uint64_t)DAEMON_RETRANSMIT_MS << p1->tries);
}

static void p1_expired(struct timer *t, void *arg);
static void dpd_check(struct timer *t, void *arg);
static void dpd_begin(struct p1 *p1);

/*
 * RFC 3948 2.3: the side behind a NAT keeps its mapping, through which the peer reaches
 * us, with a keepalive every nat-keepalive seconds. Only over a tunnel's newest phase 1:
 * an older one living out its time after a renewal stops.
 */
static void p1_keepalive(struct timer *t, void *arg)
{
	struct p1 *p1 = arg;
	const struct p1 *newest = p1->tun->p1;

	(void)t;
	if (newest && newest != p1 && newest->sa->state == IKE_ESTABLISHED)
		return;
	if (net_keepalive((const struct sockaddr *)&p1->sa->local,
			  (const struct sockaddr *)&p1->sa->remote))
		log_ctx_debug(name_of(p1->tun), "NAT keepalive not sent: %m");
	timer_arm(&p1->keepalive, (uint64_t)p1->tun->t->conf.nat_keepalive * 1000);
}

static struct p1 *p1_new(struct tun *tun, struct ike_sa *sa,
			 const struct sockaddr_storage *local, const struct sockaddr_storage *remote)
{
	struct p1 *p1 = calloc(1, sizeof(*p1));

	if (!p1)
		return NULL;
	p1->sa = sa;
	p1->tun = tun;
	sa->local = *local;
	sa->remote = *remote;
	timer_init(&p1->retx, p1_retransmit, p1);
	timer_init(&p1->life, p1_expired, p1);
	timer_init(&p1->dpd_timer, dpd_check, p1);
	timer_init(&p1->keepalive, p1_keepalive, p1);
	p1->next = d.p1s;
	d.p1s = p1;
	return p1;
}

static void xchg_free(struct xchg *x);
static void qm_switch(struct timer *t, void *arg);

static void p1_free(struct p1 *p1)
{
	struct p1 **pp;

	for (pp = &d.p1s; *pp; pp = &(*pp)->next)
		if (*pp == p1) {
			*pp = p1->next;
			break;
		}
	while (p1->qms)
		xchg_free(p1->qms);
	if (p1->tun->p1 == p1)
		p1->tun->p1 = NULL;
	/* a peer may have lost its last phase 1: looked at off this stack */
	if (parent_of(p1->tun))
		timer_arm(&p1->tun->reap, 0);
	timer_cancel(&p1->retx);
	timer_cancel(&p1->life);
	timer_cancel(&p1->dpd_timer);
	timer_cancel(&p1->keepalive);
	ike_sa_free(p1->sa);
	free(p1);
}

static void child_delete(struct pair *pair, struct child *c, bool tell_peer);
static unsigned int pair_flush(struct pair *pair, bool tell_peer);

/* Whether tun holds any SA with its peer, of either phase. */
static bool tun_holds_sas(const struct tun *tun)
{
	const struct p1 *o;
	unsigned int i;

	for (o = d.p1s; o; o = o->next)
		if (o->tun == tun && o->sa->state == IKE_ESTABLISHED)
			return true;
	for (i = 0; i < tun->npairs; i++)
		if (tun->pairs[i].cur.used || tun->pairs[i].retired)
			return true;
	return false;
}

/*
 * The peer announced INITIAL-CONTACT with p1: it has lost every other SA with us (a
 * restart), so ours are stale. They go, without deletes it could not read.
 */
static void tun_forget_peer(struct tun *tun, struct p1 *p1)
{
	unsigned int i, n1 = 0, n2 = 0;
	struct p1 *o, *next;

	for (o = d.p1s; o; o = next) {
		next = o->next;
		if (o != p1 && o->tun == tun) {
			p1_free(o);
			n1++;
		}
	}
	for (i = 0; i < tun->npairs; i++)
		n2 += pair_flush(&tun->pairs[i], false);
	log_ctx_info(name_of(tun), "the peer announced INITIAL-CONTACT: %u phase-1 and %u "
		     "phase-2 SAs of before deleted", n1, n2);
}

static void p1_established(struct p1 *p1)
{
	struct tun *tun = p1->tun;
	const struct ike_chosen *c = &p1->sa->chosen;
	struct p1 *old;
	unsigned int i;

	if (tun->t->conf.remote_any) {
		tun = peer_attach(p1);
		if (!tun)
			return;
	}
	log_ctx_info(name_of(tun), "phase 1 established with '%s' (%s): aes%u-%s-%s, %u s, "
		     "%s mode", p1->sa->peer, c->auth == ISAKMP_AUTH_RSA_SIG ? "RSA signature" :
		     "pre-shared key", c->enc_bits, isakmp_p1_hash_name(c->hash),
		     isakmp_group_name(c->group), c->lifetime,
		     p1->sa->aggressive ? "aggressive" : "main");
	if (p1->sa->peer_initial_contact)
		tun_forget_peer(tun, p1);
	old = tun->p1 != p1 ? tun->p1 : NULL;
	tun->p1 = p1;
	tun->why[0] = '\0';
	tun->waits_up = false;
	tun->dpd_cleared = false;
	tun->restarting = false;
	timer_cancel(&tun->restart);
	p1->established_ms = loop_now_ms();
	dpd_begin(p1);
	if (p1->sa->nat.local && tun->t->conf.nat_keepalive)
		timer_arm(&p1->keepalive, (uint64_t)tun->t->conf.nat_keepalive * 1000);
	/* Initiators renew phase 1 a margin before it ends; responders let it end. */
	if (p1->sa->initiator && c->lifetime > tun->t->conf.rekey_margin)
		timer_arm(&p1->life, (uint64_t)(c->lifetime - tun->t->conf.rekey_margin) * 1000);
	else
		timer_arm(&p1->life, (uint64_t)c->lifetime * 1000);
	if (old && old->sa->state == IKE_ESTABLISHED)
		/* The phase 1 this one replaces: kept until its own end, for its quick modes. */
		log_ctx_info(name_of(tun), "phase 1 renewed");
	for (i = 0; i < tun->npairs; i++)
		if (tun->pairs[i].pending && !tun->pairs[i].negotiating)
			qm_start(p1, &tun->pairs[i]);
}

static struct p1 *p1_initiate(struct tun *tun)
{
	struct sockaddr_storage local, remote;
	char why[IKE_WHY_MAX];
	struct ike_sa *sa;
	struct p1 *p1;

	sa = ike_sa_initiate(&tun->t->conf, tun->creds, why, sizeof(why));
	if (!sa) {
		log_ctx_err(name_of(tun), "cannot start phase 1: %s", why);
		snprintf(tun->why, sizeof(tun->why), "%s", why);
		return NULL;
	}
	sa->initial_contact = !tun_holds_sas(tun);
	sockaddr_of(&tun->t->conf.local, &local);
	sockaddr_of(&tun->t->conf.remote, &remote);
	p1 = p1_new(tun, sa, &local, &remote);
	if (!p1) {
		ike_sa_free(sa);
		return NULL;
	}
	log_ctx_info(name_of(tun), "starting phase 1 (%s mode)", sa->aggressive ? "aggressive" :
		     "main");
	p1_send_new(p1);
	return p1;
}

/* Phase 1 for tun if there is none; quick modes for its pending pairs once it is up. */
static void tun_ensure(struct tun *tun)
{
	unsigned int i;

	if (!tun->p1) {
		/* remote %any and its peers only answer: a peer's phase 1 is the peer's */
		if (!tun->t->conf.remote_any && !parent_of(tun))
			tun->p1 = p1_initiate(tun);
		return;
	}
	if (tun->p1->sa->state != IKE_ESTABLISHED)
		return;
	for (i = 0; i < tun->npairs; i++)
		if (tun->pairs[i].pending && !tun->pairs[i].negotiating)
			qm_start(tun->p1, &tun->pairs[i]);
}

static void p1_expired(struct timer *t, void *arg)
{
	struct p1 *p1 = arg;
	struct tun *tun = p1->tun;
	uint64_t age = loop_now_ms() - p1->established_ms;

	(void)t;
	if (age + 1000 < (uint64_t)p1->sa->chosen.lifetime * 1000 && tun->p1 == p1) {
		/* The initiator's renewal: a new phase 1; this one lives out its time. */
		log_ctx_info(name_of(tun), "renewing phase 1");
		tun->p1 = NULL;
		tun_ensure(tun);
		if (!tun->p1)
			tun->p1 = p1;
		timer_arm(&p1->life, (uint64_t)p1->sa->chosen.lifetime * 1000 - age);
		return;
	}
	log_ctx_info(name_of(tun), "phase 1 expired");
	if (parent_of(tun) && p1->sa->state == IKE_ESTABLISHED && !p1_holds(tun, p1)) {
		unsigned int i;

		/* a peer's last phase 1: its SAs end with it, the peer told over it first */
		tun->p1 = p1;
		for (i = 0; i < tun->npairs; i++)
			pair_flush(&tun->pairs[i], true);
	}
	if (p1->sa->state == IKE_ESTABLISHED) {
		uint8_t buf[ISAKMP_MSG_MAX];
		size_t len;

		if (!info_delete_build(p1->sa, NULL, 0, buf, &len))
			p1_net_send(p1, buf, len);
	}
	p1_free(p1);
}

/* --- Phase 2 ---------------------------------------------------------------------- */

/* x's SPI reservation, once its inbound SA holds the SPI or it ends without one. */
static void xchg_spi_release(struct xchg *x)
{
	if (x->spi_held)
		kernel_spi_release(d.k, x->qm->spi_in);
	x->spi_held = false;
}

static void xchg_free(struct xchg *x)
{
	struct xchg **pp;

	for (pp = &x->p1->qms; *pp; pp = &(*pp)->next)
		if (*pp == x) {
			*pp = x->next;
			break;
		}
	if (x->in_installed)
		/* Ended before its outbound half: its inbound SA goes too. */
		kernel_sa_del(d.k, x->qm->spi_in, &x->pair->tun->t->conf.local, NULL, 0);
	if (!x->finished && x->pair && x->pair->negotiating)
		x->pair->negotiating = false;
	xchg_spi_release(x);
	timer_cancel(&x->retx);
	timer_cancel(&x->out_switch);
	qm_free(x->qm);
	free(x);
}

static void xchg_send(struct xchg *x)
{
	if (x->qm->out_len &&
	    p1_net_send(x->p1, x->qm->out, x->qm->out_len))
		log_ctx_warn(name_of(x->p1->tun), "cannot send: %m");
}

static void xchg_retransmit(struct timer *t, void *arg)
{
	struct xchg *x = arg;

	(void)t;
	if (x->finished) {
		xchg_free(x);
		return;
	}
	if (++x->tries >= DAEMON_RETRANSMIT_TRIES) {
		log_ctx_err(name_of(x->p1->tun), "quick mode: no answer from the peer after %u "
			    "tries", x->tries);
		snprintf(x->p1->tun->why, sizeof(x->p1->tun->why), "quick mode: no answer");
		xchg_free(x);
		return;
	}
	xchg_send(x);
	timer_arm(&x->retx, (uint64_t)DAEMON_RETRANSMIT_MS << x->tries);
}

static struct xchg *xchg_new(struct p1 *p1, struct pair *pair, struct qm *qm)
{
	struct xchg *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->qm = qm;
	x->spi_held = true;	/* from here the exchange's to release */
	x->p1 = p1;
	x->pair = pair;
	x->started_seq = ++d.seq;
	timer_init(&x->retx, xchg_retransmit, x);
	timer_init(&x->out_switch, qm_switch, x);
	x->next = p1->qms;
	p1->qms = x;
	if (pair)
		pair->negotiating = true;
	return x;
}

static void pair_policies_del(struct pair *pair);

/* A DELETE for c's inbound SA to the peer, over tun's phase 1 while it is up. */
static void child_tell_deleted(struct tun *tun, const struct child *c)
{
	uint8_t buf[ISAKMP_MSG_MAX];
	size_t len;

	if (tun->p1 && tun->p1->sa->state == IKE_ESTABLISHED &&
	    !info_delete_build(tun->p1->sa, &c->spi_in, 1, buf, &len))
		p1_net_send(tun->p1, buf, len);
}

static void child_delete(struct pair *pair, struct child *c, bool tell_peer)
{
	struct tun *tun = pair->tun;
	const struct tunnel *conf = &tun->t->conf;
	char err[256];

	if (!c->used)
		return;
	c->used = false;
	if (kernel_sa_del(d.k, c->spi_in, &conf->local, err, sizeof(err)) && errno != ENOENT)
		log_ctx_debug(name_of(tun), "%s", err);
	if (kernel_sa_del(d.k, c->spi_out, &conf->remote, err, sizeof(err)) && errno != ENOENT)
		log_ctx_debug(name_of(tun), "%s", err);
	if (tell_peer)
		child_tell_deleted(tun, c);
	log_ctx_info(name_of(tun), "phase 2 SA in 0x%08x out 0x%08x deleted", c->spi_in,
		     c->spi_out);
	/* a peer's pair without an SA: its policies go (unless the daemon stops keeping them) */
	if (pair->pol_count && !pair->cur.used && !pair->retired && !d.keep_policies)
		pair_policies_del(pair);
}

static void retired_free(struct retired *r, bool tell_peer)
{
	struct retired **pp;

	for (pp = &r->pair->retired; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	timer_cancel(&r->timer);
	child_delete(r->pair, &r->c, tell_peer);
	free(r);
}

static void retired_expired(struct timer *t, void *arg)
{
	struct retired *r = arg;

	(void)t;
	retired_free(r, !r->told);
}

/*
 * c stops carrying traffic; its SAs go a moment later, when nothing can be in flight.
 * tell_now: the peer is told at once (it may use c still, as when rekeys crossed and only
 * we saw it), not when they go.
 */
static void pair_retire(struct pair *pair, const struct child *c, bool tell_now)
{
	struct retired *r = calloc(1, sizeof(*r));

	if (!r) {
		struct child now = *c;

		child_delete(pair, &now, true);
		return;
	}
	r->pair = pair;
	r->c = *c;
	r->told = tell_now;
	if (tell_now)
		child_tell_deleted(pair->tun, c);
	timer_init(&r->timer, retired_expired, r);
	timer_arm(&r->timer, DAEMON_OLD_SA_DELAY_MS);
	r->next = pair->retired;
	pair->retired = r;
}

/* Every SA pair of pair's deleted at once; how many there were. */
static unsigned int pair_flush(struct pair *pair, bool tell_peer)
{
	unsigned int n = pair->cur.used;

	while (pair->retired) {
		retired_free(pair->retired, tell_peer);
		n++;
	}
	child_delete(pair, &pair->cur, tell_peer);
	return n;
}

/* The lower of the exchange's nonces, what both ends see alike. */
static void tie_of(const struct qm *qm, struct child *c)
{
	const struct ike_bytes *lo = &qm->ni;
	size_t n = qm->ni.len < qm->nr.len ? qm->ni.len : qm->nr.len;
	int cmp = memcmp(qm->ni.data, qm->nr.data, n);

	if (cmp > 0 || (!cmp && qm->nr.len < qm->ni.len))
		lo = &qm->nr;
	c->tie_len = lo->len < TIE_MAX ? lo->len : TIE_MAX;
	memcpy(c->tie, lo->data, c->tie_len);
}

static int tie_cmp(const struct child *x, const struct child *y)
{
	size_t n = x->tie_len < y->tie_len ? x->tie_len : y->tie_len;
	int cmp = memcmp(x->tie, y->tie, n);

	return cmp ? cmp : (int)x->tie_len - (int)y->tie_len;
}

/*
 * Behind a NAT, ESP goes in UDP between our NATT_PORT and the peer's port as its IKE
 * comes (a port the NAT chose, maybe): the same ends as phase 1's, where the module
 * takes it off the daemon's socket.
 */
static void sa_encap(const struct p1 *p1, bool in, struct kernel_sa *ksa)
{
	uint16_t ours = natt_port(&p1->sa->local), theirs = natt_port(&p1->sa->remote);

	if (!ike_sa_udp(p1->sa))
		return;
	if (ours != NATT_PORT) {
		log_ctx_warn(name_of(p1->tun), "NAT found but IKE is on port %u, not %u: plain "
			     "ESP", ours, NATT_PORT);
		return;
	}
	ksa->encap_sport = in ? theirs : ours;
	ksa->encap_dport = in ? ours : theirs;
}

static int sa_install(struct xchg *x, uint8_t dir)
{
	const struct tunnel *conf = &x->p1->tun->t->conf;
	struct qm *qm = x->qm;
	bool in = dir == NFSEC_SA_DIR_IN;
	const struct ike_secret *keys = in ? qm->keys_in : qm->keys_out;
	struct kernel_sa ksa = {
		.spi = in ? qm->spi_in : qm->spi_out, .dir = dir,
		.src = in ? conf->remote : conf->local, .dst = in ? conf->local : conf->remote,
		.mode = conf->encap, .reqid = x->pair->kp.reqid, .proposal = &qm->chosen,
		.keymat = keys->data, .keymat_len = keys->len,
		.lifetime = {
			.hard_seconds = qm->lifetime, .margin_seconds = conf->rekey_margin,
			.hard_bytes = qm->lifekb * 1024, .margin_bytes = qm->lifekb * 1024 / 10,
		},
		.pair = in ? &x->pair->kp : NULL,
	};
	char err[256];
	int ret;

	if (ksa.lifetime.margin_seconds >= ksa.lifetime.hard_seconds)
		ksa.lifetime.margin_seconds = ksa.lifetime.hard_seconds / 10;
	sa_encap(x->p1, in, &ksa);
	ret = kernel_sa_add(d.k, &ksa, err, sizeof(err));
	if (ret)
		log_ctx_err(name_of(x->p1->tun), "installing the SA: %s", err);
	return ret;
}

/*
 * The two halves of installing a quick mode's SAs. Inbound first, as soon as the keys
 * exist: the peer may send on its new SA once it has our last message. Outbound when the
 * peer surely has its inbound SA: at once for a responder (the initiator installed on
 * message 2), a moment after message 3 for an initiator (the responder installs when
 * message 3 arrives), so no packet goes out on an SA the peer does not know yet.
 */
static int qm_install_in(struct xchg *x)
{
	struct pair *pair = x->pair;

	if (sa_install(x, NFSEC_SA_DIR_IN)) {
		snprintf(pair->tun->why, sizeof(pair->tun->why), "the module refused the SA");
		return -1;
	}
	x->in_installed = true;
	return 0;
}

/*
 * Rekeys that crossed (both ends started a quick mode for the pair at once) make two new
 * SA pairs where one is wanted. As in RFC 7296 2.8.1, the one whose exchange has the
 * lowest nonce is redundant; both ends see the same nonces and keep the same one. The
 * redundant one never carries our traffic when it comes second; when it came first it is
 * retired like any replaced SA.
 */
static bool qm_crossed(const struct xchg *x)
{
	return x->pair->cur.used && x->pair->cur.added_seq > x->started_seq;
}

static void crossed_log(const struct pair *pair, const struct child *gone)
{
	log_ctx_info(name_of(pair->tun), "rekeys crossed: SA in 0x%08x out 0x%08x is redundant "
		     "and goes", gone->spi_in, gone->spi_out);
}

static int pair_policies_add(struct pair *pair);

static int qm_install_out(struct xchg *x)
{
	struct pair *pair = x->pair;
	struct qm *qm = x->qm;
	bool pol_new = parent_of(pair->tun) && !pair->pol_count;
	char algs[PROPOSAL_TEXT_MAX] = "?";
	struct esp_proposals one = { .count = 1, .p = { qm->chosen } };
	struct child new = {
		.used = true, .spi_in = qm->spi_in, .spi_out = qm->spi_out, .prop = qm->chosen,
		.added_ms = loop_now_ms(), .added_seq = ++d.seq, .lifetime = qm->lifetime,
	};
	bool crossed = qm_crossed(x);

	tie_of(qm, &new);
	if (crossed && tie_cmp(&new, &pair->cur) < 0) {
		crossed_log(pair, &new);
		x->in_installed = false;	/* the retired entry owns it */
		pair->negotiating = false;
		pair->pending = false;
		xchg_spi_release(x);
		pair_retire(pair, &new, true);
		return 0;
	}
	/* a peer's pair: its traffic leaves through this peer's SA from now on, never in clear */
	if (pol_new && pair_policies_add(pair)) {
		snprintf(pair->tun->why, sizeof(pair->tun->why), "the module refused the "
			 "policies");
		return -1;
	}
	if (sa_install(x, NFSEC_SA_DIR_OUT)) {
		if (pol_new)
			pair_policies_del(pair);
		snprintf(pair->tun->why, sizeof(pair->tun->why), "the module refused the SA");
		return -1;
	}
	x->in_installed = false;	/* the pair owns both SAs from here */
	pair->negotiating = false;
	pair->pending = false;
	xchg_spi_release(x);
	if (crossed)
		crossed_log(pair, &pair->cur);
	if (pair->cur.used)
		pair_retire(pair, &pair->cur, false);
	pair->cur = new;
	proposal_esp_format(&one, algs, sizeof(algs));
	log_ctx_info(name_of(pair->tun), "phase 2 SA up: in 0x%08x out 0x%08x %s, %u s",
		     qm->spi_in, qm->spi_out, algs, qm->lifetime);
	pair->tun->why[0] = '\0';
	return 0;
}

/*
 * The initiator's delayed outbound half. The exchange stays a while after: if our message
 * 3 was lost, the responder sends message 2 again and must get message 3 again, or it
 * gives up and takes away the inbound SA we now send on. Its keys go now.
 */
static void qm_switch(struct timer *t, void *arg)
{
	struct xchg *x = arg;

	(void)t;
	if (qm_install_out(x)) {
		/* its inbound SA deleted, its SPI released, the pair free to try again */
		xchg_free(x);
		return;
	}
	ike_secret_free(x->qm->keys_in);
	ike_secret_free(x->qm->keys_out);
	x->qm->keys_in = x->qm->keys_out = NULL;
	x->finished = true;
	timer_arm(&x->retx, DAEMON_QM_LINGER_MS);
}

static void qm_start(struct p1 *p1, struct pair *pair)
{
	const struct tunnel *conf = &p1->tun->t->conf;
	char why[IKE_WHY_MAX];
	struct xchg *x;
	struct qm *qm;
	uint32_t spi;

	if (kernel_spi_alloc(d.k, &conf->local, &spi, why, sizeof(why))) {
		log_ctx_err(name_of(p1->tun), "no SPI: %s", why);
		return;
	}
	qm = qm_initiate(p1->sa, &pair->kp.local, &pair->kp.remote, spi, why, sizeof(why));
	if (!qm) {
		kernel_spi_release(d.k, spi);
		log_ctx_err(name_of(p1->tun), "cannot start quick mode: %s", why);
		return;
	}
	x = xchg_new(p1, pair, qm);
	if (!x) {
		kernel_spi_release(d.k, spi);
		qm_free(qm);
		return;
	}
	xchg_send(x);
	timer_arm(&x->retx, DAEMON_RETRANSMIT_MS);
}

static struct pair *pair_for(struct tun *tun, const struct tunnel_ts *ts_i,
			     const struct tunnel_ts *ts_r)
{
	unsigned int i;

	for (i = 0; i < tun->npairs; i++)
		if (!memcmp(&tun->pairs[i].kp.remote, ts_i, sizeof(*ts_i)) &&
		    !memcmp(&tun->pairs[i].kp.local, ts_r, sizeof(*ts_r)))
			return &tun->pairs[i];
	return NULL;
}

static bool pair_refused(struct p1 *p1, const struct pair *pair);

/*
 * Whether tun may reserve one more SPI for a quick mode the peer starts: at most two
 * exchanges per pair wait for their SAs (ours and the peer's, crossed), over all of tun's
 * phase 1s. An authenticated peer opening exchanges it never finishes holds no more, and
 * the SPIs every tunnel draws from (KERNEL_SPI_PENDING_MAX) stay for the others.
 */
static bool qm_fits(struct tun *tun)
{
	unsigned int held = 0;
	const struct xchg *x;
	const struct p1 *o;

	for (o = d.p1s; o; o = o->next)
		for (x = o->qms; x && o->tun == tun; x = x->next)
			held += x->spi_held;
	if (held < 2 * tun->npairs)
		return true;
	tun->drops.qm_refused++;
	if (drop_log_due(tun))
		log_ctx_warn(name_of(tun), "quick mode from the peer dropped: %u exchanges wait "
			     "for their SAs already (%" PRIu64 " dropped so far)", held,
			     tun->drops.qm_refused);
	return false;
}

static void quick_input(struct p1 *p1, const struct ike_msg *msg)
{
	struct xchg *x;
	uint32_t spi;
	char why[256];
	int ret;

	for (x = p1->qms; x; x = x->next)
		if (x->qm->msgid == msg->hdr.msgid)
			break;
	if (!x) {
		struct qm *qm;

		if (p1->sa->state != IKE_ESTABLISHED)
			return;
		if (ike_msgid_seen(p1->sa, msg->hdr.msgid)) {
			/* no exchange of that ID runs: a replay, or a late copy */
			p1->tun->drops.replayed++;
			if (drop_log_due(p1->tun))
				log_ctx_warn(name_of(p1->tun), "quick mode message of a finished "
					     "exchange %08x dropped (%" PRIu64 " so far): replayed?",
					     msg->hdr.msgid, p1->tun->drops.replayed);
			return;
		}
		if (!qm_fits(p1->tun) ||
		    kernel_spi_alloc(d.k, &p1->tun->t->conf.local, &spi, why, sizeof(why)))
			return;
		qm = qm_respond(p1->sa, msg, spi);
		if (!qm) {
			kernel_spi_release(d.k, spi);
			return;
		}
		if (qm->state == QM_NEW) {
			kernel_spi_release(d.k, spi);
			qm_free(qm);
			p1_undecryptable(p1, "a quick mode message");
			return;
		}
		x = xchg_new(p1, NULL, qm);
		if (!x) {
			kernel_spi_release(d.k, spi);
			qm_free(qm);
			return;
		}
		if (qm->state == QM_DEAD) {
			log_ctx_err(name_of(p1->tun), "quick mode refused: %s", qm->why);
			snprintf(p1->tun->why, sizeof(p1->tun->why), "%s", qm->why);
			xchg_send(x);
			xchg_free(x);
			return;
		}
		x->pair = pair_for(p1->tun, &qm->ts_i, &qm->ts_r);
		if (!x->pair) {
			log_ctx_err(name_of(p1->tun), "quick mode for selectors of no pair");
			xchg_free(x);
			return;
		}
		if (pair_refused(p1, x->pair)) {
			x->pair = NULL;
			xchg_free(x);
			return;
		}
		/* Both SAs go in once HASH(3) proves the peer is live (not a replay). */
		x->pair->negotiating = true;
		p1_follow(p1, msg);
		xchg_send(x);
		timer_arm(&x->retx, DAEMON_RETRANSMIT_MS);
		return;
	}
	ret = qm_input(x->qm, msg);
	if (ret == 1) {
		if (x->qm->state == QM_DONE)
			log_ctx_info(name_of(p1->tun), "quick mode message 2 again: message 3 "
				     "resent");
		xchg_send(x);
		return;
	}
	if (ret && x->qm->state != QM_DEAD) {
		log_ctx_debug(name_of(p1->tun), "quick mode message dropped: %s", x->qm->why);
		return;
	}
	if (x->qm->state == QM_DEAD) {
		log_ctx_err(name_of(p1->tun), "quick mode failed: %s", x->qm->why);
		snprintf(p1->tun->why, sizeof(p1->tun->why), "%s", x->qm->why);
		xchg_send(x);
		xchg_free(x);
		return;
	}
	p1_follow(p1, msg);
	xchg_send(x);
	if (x->qm->state != QM_DONE)
		return;
	timer_cancel(&x->retx);
	if (!x->qm->initiator) {
		/* a failure leaves the exchange to xchg_free(): SPI released, pair free again */
		if (!qm_install_in(x))
			qm_install_out(x);
		xchg_free(x);
		return;
	}
	/*
	 * The initiator: inbound now, outbound once message 3 has had time to arrive; the
	 * exchange stays until then and answers a repeated message 2 with message 3 again.
	 */
	if (qm_install_in(x)) {
		xchg_free(x);
		return;
	}
	timer_arm(&x->out_switch, DAEMON_OUT_SWITCH_MS);
}

/* --- Informational ------------------------------------------------------------------ */

/*
 * The peer deleted its inbound SA spi, our outbound one: its pair of SAs goes. When that
 * was the pair's current one, the newest one it replaced that the peer was not told to
 * delete carries the traffic again (the module sends on the newest outbound SA left):
 * rekeys crossed and the peer kept that one.
 */
static void peer_deleted(struct tun *tun, uint32_t spi)
{
	struct retired *r, **pp;
	unsigned int i;

	for (i = 0; i < tun->npairs; i++) {
		struct pair *pair = &tun->pairs[i];

		if (pair->cur.used && pair->cur.spi_out == spi) {
			child_delete(pair, &pair->cur, false);
			for (pp = &pair->retired; *pp && (*pp)->told; pp = &(*pp)->next)
				;
			r = *pp;
			if (!r)
				return;
			*pp = r->next;
			timer_cancel(&r->timer);
			pair->cur = r->c;
			free(r);
			log_ctx_info(name_of(tun), "phase 2 SA in 0x%08x out 0x%08x carries the "
				     "traffic again", pair->cur.spi_in, pair->cur.spi_out);
			return;
		}
		for (r = pair->retired; r; r = r->next)
			if (r->c.spi_out == spi) {
				retired_free(r, false);
				return;
			}
	}
}

/* tun's phase 1 of the cookies a DELETE names (CKY-I | CKY-R), or NULL. */
static struct p1 *p1_of_cookies(const struct tun *tun, const uint8_t *cookies)
{
	struct p1 *p1;

	for (p1 = d.p1s; p1; p1 = p1->next)
		if (p1->tun == tun &&
		    !memcmp(p1->sa->cky_i, cookies, ISAKMP_COOKIE_LEN) &&
		    !memcmp(p1->sa->cky_r, cookies + ISAKMP_COOKIE_LEN, ISAKMP_COOKIE_LEN))
			return p1;
	return NULL;
}

/* --- Dead peer detection (RFC 3706; the state machine is dpd.c's) -------------------- */

static void tun_down(struct tun *tun);
static void peer_end(struct tun *peer);

/* The packets the tunnel's SA pairs carried in and out, as the module counts them. */
static void tun_packets(const struct tun *tun, uint64_t *in, uint64_t *out)
{
	struct kernel_sa_stats ks;
	unsigned int i;

	*in = *out = 0;
	for (i = 0; i < tun->npairs; i++) {
		const struct child *c = &tun->pairs[i].cur;

		if (!c->used)
			continue;
		if (!kernel_sa_stats(d.k, c->spi_in, &tun->t->conf.local, &ks, NULL, 0))
			*in += ks.packets;
		if (!kernel_sa_stats(d.k, c->spi_out, &tun->t->conf.remote, &ks, NULL, 0))
			*out += ks.packets;
	}
}

/* Phase 1 is up: DPD starts when the tunnel has it and the peer announced it. */
static void dpd_begin(struct p1 *p1)
{
	const struct tunnel *conf = &p1->tun->t->conf;
	uint64_t in, out;
	uint32_t seq;

	if (!conf->dpd)
		return;
	if (!p1->sa->peer_dpd) {
		log_ctx_warn(name_of(p1->tun), "the peer does not announce dead peer detection: "
			     "it is off with this phase 1");
		return;
	}
	if (getrandom(&seq, sizeof(seq), 0) != sizeof(seq))
		seq = (uint32_t)loop_now_ms();
	seq &= 0x7fffffff;		/* RFC 3706 5.5: room before it wraps */
	tun_packets(p1->tun, &in, &out);
	dpd_start(&p1->dpd, conf, loop_now_ms(), seq, in, out);
	timer_arm(&p1->dpd_timer, dpd_next_ms(&p1->dpd));
}

static void dpd_send(struct p1 *p1, uint16_t type, uint32_t seq)
{
	uint8_t buf[ISAKMP_MSG_MAX];
	size_t len;

	if (info_dpd_build(p1->sa, type, seq, buf, &len)) {
		log_ctx_warn(name_of(p1->tun), "cannot build %s", isakmp_notify_name(type));
		return;
	}
	log_ctx_debug(name_of(p1->tun), "%s %u", isakmp_notify_name(type), seq);
	if (p1_net_send(p1, buf, len))
		log_ctx_warn(name_of(p1->tun), "cannot send: %m");
}

/* No answer within dpd-timeout: the tunnel's phase 1 and SAs go, then its dpd-action. */
static void dpd_dead(struct p1 *p1)
{
	struct tun *tun = p1->tun;
	const struct tunnel *conf = &tun->t->conf;
	char addr[INET6_ADDRSTRLEN], when[16], why[IKE_WHY_MAX - INET6_ADDRSTRLEN - 8];
	time_t now = time(NULL);
	struct tm tm;

	strftime(when, sizeof(when), "%H:%M:%S", localtime_r(&now, &tm));
	inet_ntop(conf->remote.family, conf->remote.addr, addr, sizeof(addr));
	snprintf(why, sizeof(why), "dead peer at %s: no answer to R-U-THERE in %u s", when,
		 dpd_silent_s(&p1->dpd, loop_now_ms()));
	log_ctx_warn(name_of(tun), "peer %s declared dead: no answer to R-U-THERE in %u s "
		     "(dpd-action %s)", addr, dpd_silent_s(&p1->dpd, loop_now_ms()),
		     tunnel_dpd_action_name(conf->dpd_action));
	if (parent_of(tun)) {
		/* a peer of remote %any: forgotten, its SAs and policies with it */
		snprintf(parent_of(tun)->why, sizeof(parent_of(tun)->why), "peer %s: %s", addr,
			 why);
		peer_end(tun);
		return;
	}
	tun_down(tun);			/* p1 is gone */
	snprintf(tun->why, sizeof(tun->why), "%s", why);
	if (conf->dpd_action == TUNNEL_DPD_CLEAR) {
		tun->waits_up = true;
		tun->dpd_cleared = true;
	} else if (conf->dpd_action == TUNNEL_DPD_RESTART) {
		unsigned int i;

		tun->restarting = true;
		for (i = 0; i < tun->npairs; i++)
			tun->pairs[i].pending = true;
		tun_ensure(tun);
	}
}

static void dpd_check(struct timer *t, void *arg)
{
	struct p1 *p1 = arg;
	const struct p1 *newest = p1->tun->p1;
	uint64_t in, out;

	(void)t;
	/*
	 * A phase 1 renewed: the new one asks (dpd_begin()), the old one lives out its time
	 * silently, or a peer that dropped it early would be declared dead through it.
	 */
	if (newest && newest != p1 && newest->sa->state == IKE_ESTABLISHED)
		return;
	tun_packets(p1->tun, &in, &out);
	switch (dpd_tick(&p1->dpd, loop_now_ms(), in, out)) {
	case DPD_DEAD:
		dpd_dead(p1);
		return;
	case DPD_ASK:
		dpd_send(p1, ISAKMP_N_R_U_THERE, p1->dpd.seq);
		break;
	case DPD_WAIT:
		break;
	}
	timer_arm(&p1->dpd_timer, dpd_next_ms(&p1->dpd));
}

/* dpd-action restart: phase 1 once more. */
static void tun_restart(struct timer *t, void *arg)
{
	struct tun *tun = arg;

	(void)t;
	if (tun->restarting && !tun->p1) {
		log_ctx_info(name_of(tun), "dpd-action restart: negotiating again");
		tun_ensure(tun);
	}
}

/* An R-U-THERE of the peer's is answered; its ACK to ours is proof of life. */
static void dpd_notify(struct p1 *p1, const struct info_notify *n)
{
	if (n->type == ISAKMP_N_R_U_THERE) {
		dpd_send(p1, ISAKMP_N_R_U_THERE_ACK, n->dpd_seq);
		return;
	}
	if (timer_armed(&p1->dpd_timer) && dpd_ack(&p1->dpd, n->dpd_seq, loop_now_ms()))
		log_ctx_debug(name_of(p1->tun), "R-U-THERE-ACK %u: the peer is alive",
			      n->dpd_seq);
	else
		log_ctx_debug(name_of(p1->tun), "R-U-THERE-ACK %u answers nothing we asked",
			      n->dpd_seq);
}

static void info_input(struct p1 *p1, const struct ike_msg *msg)
{
	struct tun *tun = p1->tun;
	char why[IKE_WHY_MAX];
	struct info info;
	unsigned int i, j;
	int ret;

	if (p1->sa->state != IKE_ESTABLISHED) {
		/* Before phase 1 is up: a plain notify (NO-PROPOSAL-CHOSEN and the like). */
		if (ike_sa_input(p1->sa, msg) && p1->sa->state == IKE_DEAD)
			p1_dead(p1);
		return;
	}
	ret = info_parse(p1->sa, msg, &info, why, sizeof(why));
	if (ret == -EBADMSG) {
		p1_undecryptable(p1, "an informational");
		return;
	}
	if (ret) {
		log_ctx_debug(name_of(tun), "informational dropped: %s", why);
		return;
	}
	/* authenticated by HASH(1): the peer is alive, and where it is */
	p1_follow(p1, msg);
	if (timer_armed(&p1->dpd_timer))
		dpd_heard(&p1->dpd, loop_now_ms());
	for (i = 0; i < info.nnotifies; i++) {
		if (info.notifies[i].dpd_ok) {
			dpd_notify(p1, &info.notifies[i]);
			continue;
		}
		log_ctx_info(name_of(tun), "the peer notifies %s",
			     isakmp_notify_name(info.notifies[i].type));
	}
	for (i = 0; i < info.ndeletes; i++) {
		const struct info_delete *del = &info.deletes[i];

		if (del->proto == ISAKMP_PROTO_ISAKMP) {
			struct p1 *gone = p1_of_cookies(tun, del->cookies);

			if (!gone) {
				log_ctx_debug(name_of(tun), "the peer deleted a phase 1 we do not "
					      "have");
				continue;
			}
			log_ctx_info(name_of(tun), "the peer deleted phase 1");
			p1_free(gone);
			if (gone == p1)
				return;
			continue;
		}
		for (j = 0; j < del->count; j++)
			peer_deleted(tun, del->spis[j]);
	}
}

/* --- Messages in -------------------------------------------------------------------- */

/*
 * The phase 1 of a message's cookies. A message 1 again (no responder cookie) from the
 * address of a responder SA with its initiator cookie is that SA's: it gets the same
 * answer, and no new SA.
 */
static struct p1 *p1_find(const struct isakmp_hdr *hdr, const struct sockaddr_storage *remote)
{
	static const uint8_t zero[ISAKMP_COOKIE_LEN];
	struct p1 *p1;

	for (p1 = d.p1s; p1; p1 = p1->next) {
		if (memcmp(p1->sa->cky_i, hdr->icookie, ISAKMP_COOKIE_LEN))
			continue;
		if (!memcmp(p1->sa->cky_r, hdr->rcookie, ISAKMP_COOKIE_LEN) ||
		    !memcmp(p1->sa->cky_r, zero, ISAKMP_COOKIE_LEN))
			return p1;
		if (!p1->sa->initiator && !memcmp(hdr->rcookie, zero, ISAKMP_COOKIE_LEN) &&
		    same_host(&p1->sa->remote, remote))
			return p1;
	}
	return NULL;
}

/*
 * The tunnel a message 1 from remote to local is for: the one naming remote, else the
 * first to remote %any on local (a named peer is never taken for a road warrior).
 */
static struct tun *tun_for_peer(const struct sockaddr_storage *local,
				const struct sockaddr_storage *remote)
{
	struct iked_tunnel *t, *any = NULL;

	for (t = registry_first(); t; t = registry_next(t)) {
		if (!addr_is(&t->conf.local, local))
			continue;
		if (!t->conf.remote_any && addr_is(&t->conf.remote, remote))
			return t->ike;
		if (t->conf.remote_any && !any)
			any = t;
	}
	return any ? any->ike : NULL;
}

/* tun's refusals answered DAEMON_HALF_OPEN_MS ago or more (all: every one): forgotten. */
static void refusals_expire(struct tun *tun, bool all)
{
	uint64_t now = loop_now_ms();
	struct refusal *r;

	while ((r = tun->refusals) && (all || now - r->ms >= DAEMON_HALF_OPEN_MS)) {
		tun->refusals = r->next;
		free(r);
	}
	if (!tun->refusals)
		tun->refusals_tail = &tun->refusals;
}

/*
 * Whether x's half-open phase 1s and refusals count against tun's cap per address: a
 * tunnel naming its peer counts its own alone, a remote %any tunnel those of every
 * remote %any tunnel.
 */
static bool half_open_shares(const struct tun *x, const struct tun *tun)
{
	return tun->t->conf.remote_any ? x->t->conf.remote_any : x == tun;
}

/*
 * Whether one more answer to a message 1 from remote for tun fits under the caps: each
 * costs an SA (and in aggressive mode a DH) or a notify, for an unproven source. Per
 * address, the half-open SAs and refusals from it count, a named tunnel's alone or all
 * the remote %any tunnels' together; in all, those of tunnels to remote %any, the only
 * ones anyone can reach. A tunnel to a named peer answers only that address, so the cap
 * per address bounds it, and a flood at the %any tunnels never shuts out the peers the
 * configuration names. Nor does one at a named tunnel shut out the others naming the same
 * address: a peer bringing up many tunnels to as many of our addresses at once (each its
 * own phase 1, all from its one address) is not held to a few at a time, each of the
 * others waiting for a retransmission.
 */
static bool half_open_fits(const struct sockaddr_storage *remote, struct tun *tun)
{
	bool any = tun->t->conf.remote_any;
	unsigned int all = 0, peer = 0;
	struct iked_tunnel *t;
	const struct p1 *p1;

	for (p1 = d.p1s; p1; p1 = p1->next) {
		if (!p1_half_open(p1))
			continue;
		all += p1->tun->t->conf.remote_any;
		peer += half_open_shares(p1->tun, tun) && same_host(&p1->sa->remote, remote);
	}
	for (t = registry_first(); t; t = registry_next(t)) {
		struct tun *o = t->ike;
		const struct refusal *r;

		if (!o)
			continue;
		refusals_expire(o, false);
		for (r = o->refusals; r; r = r->next) {
			all += t->conf.remote_any;
			peer += half_open_shares(o, tun) && same_host(&r->remote, remote);
		}
	}
	if ((!any || all < d.settings.half_open_max) && peer < d.settings.half_open_per_peer)
		return true;
	tun->drops.half_open_refused++;
	if (drop_log_due(tun))
		log_ctx_warn(name_of(tun), "phase 1 message 1 dropped: %s half-open phase 1s "
			     "(%u) reached (%" PRIu64 " dropped so far)",
			     peer < d.settings.half_open_per_peer ? "the most" : "this peer's most",
			     peer < d.settings.half_open_per_peer ? d.settings.half_open_max :
			     d.settings.half_open_per_peer, tun->drops.half_open_refused);
	return false;
}

/*
 * A message 1 that sa refused at once: its notify sent, a slot held (struct refusal). Its
 * reason is the tunnel's only when the tunnel names the peer (a remote %any tunnel's
 * would be anyone's to write); the log gets one line per DAEMON_DROP_LOG_MS.
 */
static void p1_refuse(struct tun *tun, const struct sockaddr_storage *local,
		      const struct sockaddr_storage *remote, struct ike_sa *sa)
{
	struct refusal *r = calloc(1, sizeof(*r));

	if (r) {
		r->remote = *remote;
		r->ms = loop_now_ms();
		*tun->refusals_tail = r;
		tun->refusals_tail = &r->next;
	}
	/* no slot to hold, no answer */
	if (r && sa->out_len && net_send((const struct sockaddr *)local,
					 (const struct sockaddr *)remote, sa->out, sa->out_len))
		log_ctx_warn(name_of(tun), "cannot send: %m");
	tun->drops.refused++;
	if (!tun->t->conf.remote_any)
		snprintf(tun->why, sizeof(tun->why), "%s", sa->why);
	if (drop_log_due(tun))
		log_ctx_err(name_of(tun), "phase 1 from the peer refused: %s (%" PRIu64 " so far)",
			    sa->why, tun->drops.refused);
	ike_sa_free(sa);
}

static void p1_respond(const struct sockaddr_storage *local,
		       const struct sockaddr_storage *remote, const struct ike_msg *msg)
{
	struct tun *tun = tun_for_peer(local, remote);
	struct ike_sa *sa;
	struct p1 *p1;

	if (!tun) {
		log_debug("phase 1 from a peer no tunnel names: dropped");
		return;
	}
	if (!half_open_fits(remote, tun))
		return;
	sa = ike_sa_respond(&tun->t->conf, tun->creds, msg);
	if (!sa)
		return;
	if (sa->state == IKE_DEAD) {
		p1_refuse(tun, local, remote, sa);
		return;
	}
	p1 = p1_new(tun, sa, local, remote);
	if (!p1) {
		ike_sa_free(sa);
		return;
	}
	log_ctx_info(name_of(tun), "phase 1 from the peer (%s mode)",
		     sa->aggressive ? "aggressive" : "main");
	/*
	 * Not tun->p1 until it is established: anyone can send a message 1 from the peer's
	 * address, and it must not stand in for our own phase 1 (tun_ensure()).
	 */
	p1_send_new(p1);
}

/*
 * A peer behind a NAT (its port its key, struct tun) seen at remote now: its key moves
 * with it, so its next phase 1, through the same mapping, finds it again. A new address
 * is not followed (its SAs are the old one's).
 */
static void peer_port_follow(struct tun *tun, const struct sockaddr_storage *remote)
{
	uint16_t port = natt_port(remote);

	if (!parent_of(tun) || !tun->nat_port || tun->nat_port == port ||
	    !addr_is(&tun->t->conf.remote, remote))
		return;
	tun->nat_port = port;
	peer_label(tun);
}

static bool same_endpoint(const struct sockaddr_storage *x, const struct sockaddr_storage *y)
{
	return same_host(x, y) && natt_port(x) == natt_port(y);
}

/* "192.0.2.1:4500" */
static void endpoint_text(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN] = "?";
	const void *a = ss->ss_family == AF_INET ?
			(const void *)&((const struct sockaddr_in *)ss)->sin_addr :
			(const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr;

	inet_ntop(ss->ss_family, a, addr, sizeof(addr));
	snprintf(buf, len, "%s:%u", addr, natt_port(ss));
}

/*
 * An authenticated message of p1's peer: our answers, and all we send over p1, go where
 * it came from, to the address and port it reached (RFC 3947 4: the responder follows the
 * initiator to NATT_PORT; a NAT may also give the peer another port mid-way). Only what
 * proves itself moves p1: anyone can send a message with its cookies from anywhere.
 */
static void p1_follow(struct p1 *p1, const struct ike_msg *msg)
{
	char was[INET6_ADDRSTRLEN + 8], now[INET6_ADDRSTRLEN + 8];
	struct ike_sa *sa = p1->sa;

	if (!msg->local || !msg->remote ||
	    (same_endpoint(&sa->local, msg->local) && same_endpoint(&sa->remote, msg->remote)))
		return;
	endpoint_text(&sa->remote, was, sizeof(was));
	endpoint_text(msg->remote, now, sizeof(now));
	log_ctx_info(name_of(p1->tun), "the peer speaks from %s (was %s), to our port %u", now,
		     was, natt_port(msg->local));
	sa->local = *msg->local;
	sa->remote = *msg->remote;
	peer_port_follow(p1->tun, &sa->remote);
}

/* A message with p1's cookies that did not decrypt: counted, logged now and then. */
static void p1_undecryptable(struct p1 *p1, const char *what)
{
	struct tun *tun = p1->tun;

	tun->drops.undecryptable++;
	if (drop_log_due(tun))
		log_ctx_warn(name_of(tun), "%s with our cookies that does not decrypt dropped "
			     "(%" PRIu64 " so far): forged, or the keys differ", what,
			     tun->drops.undecryptable);
}

static void p1_input(struct p1 *p1, const struct ike_msg *msg)
{
	unsigned long undecryptable = p1->sa->undecryptable;
	int ret = ike_sa_input(p1->sa, msg);

	/* Dropped once ESTABLISHED; before, it ended the exchange (DEAD, below). */
	if (p1->sa->undecryptable != undecryptable && p1->sa->state != IKE_DEAD) {
		p1_undecryptable(p1, "a phase 1 message");
		return;
	}
	if (ret == 1) {
		p1_send(p1);
		return;
	}
	if (p1->sa->state == IKE_DEAD) {
		p1_send(p1);
		p1_dead(p1);
		return;
	}
	if (ret) {
		log_ctx_debug(name_of(p1->tun), "phase 1 message dropped: %s", p1->sa->why);
		return;
	}
	/*
	 * Encrypted and accepted: authenticated. Not aggressive mode's message 2, which
	 * proves the responder too but came to port 500, as the initiator moves to 4500.
	 */
	if (msg->hdr.flags & ISAKMP_FLAG_ENC)
		p1_follow(p1, msg);
	p1_send_new(p1);
	if (p1->sa->state == IKE_ESTABLISHED)
		p1_established(p1);
}

static void on_recv(const struct sockaddr_storage *local, const struct sockaddr_storage *remote,
		    const uint8_t *buf, size_t len, void *arg)
{
	struct ike_msg msg = { .buf = buf, .len = len, .local = local, .remote = remote };
	struct isakmp_err err;
	struct p1 *p1;

	(void)arg;
	if (isakmp_hdr_parse(buf, len, &msg.hdr, &err)) {
		log_debug("datagram dropped: %s", err.msg);
		return;
	}
	p1 = p1_find(&msg.hdr, remote);
	if (!p1) {
		static const uint8_t zero[ISAKMP_COOKIE_LEN];

		if ((msg.hdr.exchange == ISAKMP_EXCH_IDPROT ||
		     msg.hdr.exchange == ISAKMP_EXCH_AGGRESSIVE) &&
		    !memcmp(msg.hdr.rcookie, zero, ISAKMP_COOKIE_LEN))
			p1_respond(local, remote, &msg);
		else
			log_debug("%s message for no SA we know: dropped",
				  isakmp_exchange_name(msg.hdr.exchange));
		return;
	}
	switch (msg.hdr.exchange) {
	case ISAKMP_EXCH_IDPROT:
	case ISAKMP_EXCH_AGGRESSIVE:
		p1_input(p1, &msg);
		break;
	case ISAKMP_EXCH_QUICK:
		quick_input(p1, &msg);
		break;
	case ISAKMP_EXCH_INFO:
		info_input(p1, &msg);
		break;
	default:
		log_ctx_debug(name_of(p1->tun), "%s exchange not supported: dropped",
			      isakmp_exchange_name(msg.hdr.exchange));
	}
}

/* --- Kernel events ------------------------------------------------------------------- */

/* Request ids: the tunnel's (or peer's) in the high bits, the pair's index in the low 8. */
static struct pair *pair_by_reqid(uint32_t reqid)
{
	struct iked_tunnel *t = registry_find_reqid(reqid >> PAIR_BITS);
	struct tun *tun = t ? t->ike : NULL;
	unsigned int idx = reqid & ((1U << PAIR_BITS) - 1);

	return tun && idx < tun->npairs ? &tun->pairs[idx] : NULL;
}

static void on_acquire(const struct kernel_acquire *acq, void *arg)
{
	struct pair *pair = pair_by_reqid(acq->reqid);

	(void)arg;
	if (!pair)
		return;
	if (pair->tun->waits_up) {
		log_ctx_debug(name_of(pair->tun), "traffic for pair %u held: %s: waiting for "
			      "\"nfsec tunnel up\" or the peer", pair->idx, pair->tun->dpd_cleared ?
			      "the peer was declared dead (dpd-action clear)" : "auto none");
		return;
	}
	log_ctx_info(name_of(pair->tun), "traffic for pair %u: negotiating", pair->idx);
	pair->pending = true;
	tun_ensure(pair->tun);
}

static void on_expire(const struct kernel_sa_ref *ref, bool hard, void *arg)
{
	struct pair *pair = pair_by_reqid(ref->reqid);

	(void)arg;
	if (!pair || !pair->cur.used ||
	    (ref->spi != pair->cur.spi_in && ref->spi != pair->cur.spi_out))
		return;
	if (!hard) {
		if (pair->negotiating)
			return;
		log_ctx_info(name_of(pair->tun), "phase 2 SA 0x%08x soft-expired: rekeying",
			     ref->spi);
		pair->pending = true;
		tun_ensure(pair->tun);
		return;
	}
	log_ctx_info(name_of(pair->tun), "phase 2 SA 0x%08x expired", ref->spi);
	child_delete(pair, &pair->cur, true);
}

/* The ports of c's SAs: ESP in UDP between our NATT_PORT and the peer's port. */
static void child_encap_set(struct tun *tun, const struct child *c, uint16_t port)
{
	const struct tunnel *conf = &tun->t->conf;
	char err[256];

	if (!c->used)
		return;
	if (kernel_sa_set_encap(d.k, c->spi_out, &conf->remote, NATT_PORT, port, err,
				sizeof(err)) ||
	    kernel_sa_set_encap(d.k, c->spi_in, &conf->local, port, NATT_PORT, err, sizeof(err)))
		log_ctx_warn(name_of(tun), "the SAs do not follow the peer: %s", err);
}

/*
 * The peer's NAT gave it another port (RFC 3948 5.2): the module saw an authenticated
 * packet of an inbound SA come from it. Its SAs, both ways, and its phase 1s move there;
 * another address is not followed (the SAs are the address's: a new phase 1 will be).
 */
static void on_mapping(const struct kernel_sa_ref *ref, const struct tunnel_addr *addr,
		       uint16_t port, void *arg)
{
	struct pair *pair = pair_by_reqid(ref->reqid);
	char text[INET6_ADDRSTRLEN] = "?";
	struct retired *r;
	struct tun *tun;
	struct p1 *o;
	unsigned int i;

	(void)arg;
	if (!pair || ref->dir != NFSEC_SA_DIR_IN)
		return;
	tun = pair->tun;
	inet_ntop(addr->family, addr->addr, text, sizeof(text));
	if (memcmp(addr, &tun->t->conf.remote, sizeof(*addr))) {
		log_ctx_warn(name_of(tun), "the peer's ESP comes from %s now, not its address: "
			     "not followed", text);
		return;
	}
	log_ctx_info(name_of(tun), "the peer's NAT mapping moved: %s port %u", text, port);
	for (o = d.p1s; o; o = o->next)
		if (o->tun == tun && ike_sa_udp(o->sa)) {
			natt_port_set(&o->sa->remote, port);
			peer_port_follow(tun, &o->sa->remote);
		}
	for (i = 0; i < tun->npairs; i++) {
		child_encap_set(tun, &tun->pairs[i].cur, port);
		for (r = tun->pairs[i].retired; r; r = r->next)
			child_encap_set(tun, &r->c, port);
	}
}

static const struct kernel_event_ops kernel_ops = {
	.acquire = on_acquire,
	.expire = on_expire,
	.mapping = on_mapping,
};

static void on_kernel(int fd, uint32_t events, void *arg)
{
	char err[256];

	(void)fd;
	(void)events;
	(void)arg;
	if (kernel_events_read(d.k, &kernel_ops, NULL, err, sizeof(err)))
		log_warn("kernel event: %s", err);
}

/* --- Peers of remote %any tunnels --------------------------------------------------- */

/*
 * A tunnel to remote %any answers any peer. Each peer whose phase 1 is up gets an
 * instance of the tunnel, a struct tun of its own (registry_instance_add()): the tunnel's
 * words with the peer's address for remote (and for remote-ts when that was left out),
 * its own request id, phase 1s, pairs and SAs, and per pair the two protect policies, in
 * while the pair has an SA. So its SAs are keyed to its real address, its traffic leaves
 * through its own SAs, and two peers never touch each other's state. A pair's selectors
 * are one peer's at a time: another peer asking for the very same ones is refused
 * (INVALID-ID-INFORMATION) while the first holds them, as the module would send their
 * traffic to one of the two only.
 *
 * A peer's life:
 * 1. A phase 1 of the tunnel is established: it moves to the peer of its address, made
 *    then if need be (peer_attach()). The tunnel itself never holds an established one.
 * 2. A pair's quick mode completes: its policies go in with its outbound SA
 *    (qm_install_out()). A pair left with no SA (deleted, expired, INITIAL-CONTACT) takes
 *    them out (child_delete()).
 * 3. Its last phase 1 ends (deleted, expired): on the next round of the loop, off the
 *    stack of whatever freed it, the peer ends, its SAs and policies with it (peer_reap()).
 * 4. The tunnel is taken down or removed: every peer ends (tun_down()); a daemon stopping
 *    without --flush-on-exit leaves their policies, as it does a tunnel's.
 */

static void tun_down(struct tun *tun);

/* Whether tun has an established phase 1 other than except. */
static bool p1_holds(const struct tun *tun, const struct p1 *except)
{
	const struct p1 *o;

	for (o = d.p1s; o; o = o->next)
		if (o != except && o->tun == tun && o->sa->state == IKE_ESTABLISHED)
			return true;
	return false;
}

/* Every local-ts with every remote-ts of tun's words, each pair with its request id. */
static void pairs_make(struct tun *tun)
{
	const struct iked_tunnel *t = tun->t;
	unsigned int l, r;

	for (l = 0; l < t->conf.local_ts_count; l++)
		for (r = 0; r < t->conf.remote_ts_count; r++) {
			struct pair *p = &tun->pairs[tun->npairs];

			p->tun = tun;
			p->idx = tun->npairs++;
			p->kp.local = t->conf.local_ts[l];
			p->kp.remote = t->conf.remote_ts[r];
			p->kp.reqid = t->reqid << PAIR_BITS | p->idx;
		}
}

static void peer_reap(struct timer *t, void *arg);

/* A peer's log name: "rw[192.0.2.1]", behind a NAT "rw[192.0.2.1:4500]". */
static void peer_label(struct tun *peer)
{
	const struct tunnel_addr *a = &peer->t->conf.remote;
	char addr[INET6_ADDRSTRLEN] = "?";

	inet_ntop(a->family, a->addr, addr, sizeof(addr));
	if (peer->nat_port)
		snprintf(peer->label, sizeof(peer->label), "%s[%s:%u]",
			 parent_of(peer)->t->conf.name, addr, peer->nat_port);
	else
		snprintf(peer->label, sizeof(peer->label), "%s[%s]",
			 parent_of(peer)->t->conf.name, addr);
}

/*
 * parent's instance for the peer at remote (nat_port: see struct tun), with its pairs;
 * NULL when there is none.
 */
static struct tun *peer_new(struct tun *parent, const struct sockaddr_storage *remote,
			    uint16_t nat_port)
{
	struct tunnel *conf = malloc(sizeof(*conf));
	struct tun *peer = calloc(1, sizeof(*peer)), **pp;
	char addr[INET6_ADDRSTRLEN], err[256] = "out of memory";
	struct iked_tunnel *t = NULL;
	struct tunnel_addr a;
	int ret = -ENOMEM;

	addr_of(remote, &a);
	inet_ntop(a.family, a.addr, addr, sizeof(addr));
	if (conf && peer) {
		*conf = parent->t->conf;
		conf->remote = a;
		conf->remote_any = false;
		if (conf->remote_ts_peer) {
			memcpy(conf->remote_ts[0].addr, a.addr, sizeof(a.addr));
			conf->remote_ts_peer = false;
		}
		conf->reqid = 0;
		ret = registry_instance_add(parent->t, conf, &t, err, sizeof(err));
		tunnel_wipe(conf);	/* the secret, copied */
	}
	free(conf);
	if (ret) {
		log_ctx_err(name_of(parent), "no room for peer %s: %s", addr, err);
		free(peer);
		return NULL;
	}
	peer->t = t;
	t->ike = peer;
	peer->creds = parent->creds;	/* the tunnel's, which outlives its peers */
	peer->nat_port = nat_port;
	peer_label(peer);
	timer_init(&peer->reap, peer_reap, peer);
	timer_init(&peer->restart, tun_restart, peer);
	pairs_make(peer);
	for (pp = &parent->peers; *pp; pp = &(*pp)->peer_next)
		;
	*pp = peer;
	log_ctx_info(name_of(peer), "new peer, reqid %u", t->reqid);
	return peer;
}

/*
 * The peer's end: its SAs and phase 1s deleted (and told, while a phase 1 is up), its
 * policies removed (kept when the daemon stops without --flush-on-exit), then itself.
 */
static void peer_end(struct tun *peer)
{
	struct tun *parent = parent_of(peer), **pp;
	unsigned int i, kept = 0;

	tun_down(peer);
	for (i = 0; i < peer->npairs; i++) {
		if (d.keep_policies)
			kept += peer->pairs[i].pol_count;
		else
			pair_policies_del(&peer->pairs[i]);
	}
	if (kept)
		log_ctx_info(name_of(peer), "stopping: its %u policies stay, its traffic waits "
			     "for the daemon", kept);
	timer_cancel(&peer->reap);
	timer_cancel(&peer->restart);
	for (pp = &parent->peers; *pp; pp = &(*pp)->peer_next)
		if (*pp == peer) {
			*pp = peer->peer_next;
			break;
		}
	log_ctx_info(name_of(peer), "peer gone");
	registry_instance_del(peer->t);
	OPENSSL_cleanse(peer, sizeof(*peer));
	free(peer);
}

/* The loop's round after a peer lost a phase 1: it ends if that was its last. */
static void peer_reap(struct timer *t, void *arg)
{
	struct tun *peer = arg;
	struct p1 *o;

	(void)t;
	for (o = d.p1s; o; o = o->next)
		if (o->tun == peer && o->sa->state == IKE_ESTABLISHED) {
			if (!peer->p1)
				peer->p1 = o;
			return;
		}
	log_ctx_info(name_of(peer), "no phase 1 left: its SAs and policies go");
	peer_end(peer);
}

/*
 * INITIAL-CONTACT from a peer that proved identity id: the other peers of the tunnel with
 * a phase 1 of that identity are its state of before (it came back from another address,
 * or through its NAT from another port) and end, untold.
 */
static void peers_forget_id(struct tun *parent, const struct tun *keep, const char *id)
{
	struct tun *o, *next;
	struct p1 *p1, *p1_next;
	unsigned int i;

	for (o = parent->peers; o; o = next) {
		bool same = false;

		next = o->peer_next;
		for (p1 = d.p1s; p1 && o != keep; p1 = p1->next)
			same |= p1->tun == o && p1->sa->state == IKE_ESTABLISHED &&
				!strcmp(p1->sa->peer, id);
		if (!same)
			continue;
		log_ctx_info(name_of(o), "'%s' announced INITIAL-CONTACT from another %s: this "
			     "peer's SAs of before are deleted", id, o->nat_port ? "address or port" :
			     "address");
		for (i = 0; i < o->npairs; i++)
			pair_flush(&o->pairs[i], false);
		for (p1 = d.p1s; p1; p1 = p1_next) {
			p1_next = p1->next;
			if (p1->tun == o)
				p1_free(p1);
		}
	}
}

/*
 * The port that tells p1's peer from others at its address: behind a NAT, many hosts
 * share one address and only the port the NAT gave each tells them apart (RFC 3947);
 * else none, and the peer is its address (a peer that moves its port is the same one).
 */
static uint16_t peer_port_of(const struct p1 *p1)
{
	return p1->sa->nat.peer ? natt_port(&p1->sa->remote) : 0;
}

/*
 * p1, established for a remote %any tunnel, moves to the instance of its peer's address
 * (and port, behind a NAT): the peer's from then on. NULL when there is no room for one:
 * the peer is told, p1 freed.
 */
static struct tun *peer_attach(struct p1 *p1)
{
	struct tun *parent = p1->tun, *peer;
	uint16_t port = peer_port_of(p1);

	for (peer = parent->peers; peer; peer = peer->peer_next)
		if (addr_is(&peer->t->conf.remote, &p1->sa->remote) && peer->nat_port == port)
			break;
	/* the same peer's own: tun_forget_peer(), once p1 is the peer's */
	if (p1->sa->peer_initial_contact)
		peers_forget_id(parent, peer, p1->sa->peer);
	if (!peer)
		peer = peer_new(parent, &p1->sa->remote, port);
	if (!peer) {
		uint8_t buf[ISAKMP_MSG_MAX];
		size_t len;

		snprintf(parent->why, sizeof(parent->why), "no room for another peer");
		if (!info_delete_build(p1->sa, NULL, 0, buf, &len))
			p1_net_send(p1, buf, len);
		p1_free(p1);
		return NULL;
	}
	timer_cancel(&peer->reap);
	parent->why[0] = '\0';
	p1->tun = peer;
	p1->sa->conf = &peer->t->conf;
	return peer;
}

/* Another peer of the tunnel holding pair's selectors (an SA, policies, a quick mode). */
static const struct tun *pair_holder(const struct pair *pair)
{
	const struct tun *parent = parent_of(pair->tun), *o;

	for (o = parent ? parent->peers : NULL; o; o = o->peer_next) {
		const struct pair *q = &o->pairs[pair->idx];

		if (o != pair->tun && (q->cur.used || q->retired || q->pol_count || q->negotiating) &&
		    !memcmp(&q->kp.local, &pair->kp.local, sizeof(q->kp.local)) &&
		    !memcmp(&q->kp.remote, &pair->kp.remote, sizeof(q->kp.remote)))
			return o;
	}
	return NULL;
}

/* A peer's quick mode for selectors another peer holds: refused, the peer told why. */
static bool pair_refused(struct p1 *p1, const struct pair *pair)
{
	const struct tun *holder = pair_holder(pair);
	char local[INET6_ADDRSTRLEN + 32], remote[INET6_ADDRSTRLEN + 32];	/* TS text */
	uint8_t buf[ISAKMP_MSG_MAX];
	size_t len;

	if (!holder)
		return false;
	tunnel_ts_format(local, sizeof(local), &pair->kp.local);
	tunnel_ts_format(remote, sizeof(remote), &pair->kp.remote);
	log_ctx_err(name_of(p1->tun), "quick mode for %s === %s refused: %s holds them",
		    local, remote, name_of(holder));
	snprintf(p1->tun->why, sizeof(p1->tun->why), "INVALID-ID-INFORMATION sent: %.60s === "
		 "%.60s are %.80s's", local, remote, name_of(holder));
	if (!info_notify_build(p1->sa, ISAKMP_N_INVALID_ID_INFORMATION, ISAKMP_PROTO_ESP, 0,
			       buf, &len))
		p1_net_send(p1, buf, len);
	return true;
}

/*
 * No policy of ours has the request id now, so a peer's policy with it is an earlier
 * run's: a tunnel's are in from its start, a peer's pair's while it has pol_count, and a
 * remote %any tunnel's pairs have none (request ids come back from run to run: the pair that asks may
 * have the very one).
 */
static bool reqid_stale(uint32_t reqid, void *arg)
{
	const struct pair *pair = pair_by_reqid(reqid);

	(void)arg;
	if (!pair || pair->tun->t->conf.remote_any)
		return true;
	return parent_of(pair->tun) && !pair->pol_count;
}

/* A peer's pair: its out and in policies, with the peer's address as the far end. */
static int pair_policies_add(struct pair *pair)
{
	const struct tunnel *conf = &pair->tun->t->conf;
	struct kernel_tunnel kt = {
		.local = conf->local, .remote = conf->remote, .mode = conf->encap,
		.pair_count = 1, .pairs = &pair->kp, .stale = reqid_stale,
	};
	struct kernel_policies pol;
	char err[512];

	if (kernel_tunnel_policies_add(d.k, &kt, &pol, err, sizeof(err))) {
		log_ctx_err(name_of(pair->tun), "installing the policies of pair %u: %s",
			    pair->idx, err);
		return -1;
	}
	assert(pol.count <= KERNEL_PAIR_POLICIES_MAX);
	pair->pol_count = pol.count;
	memcpy(pair->pol_index, pol.index, pol.count * sizeof(pol.index[0]));
	log_ctx_info(name_of(pair->tun), "pair %u: policies in, reqid %u", pair->idx,
		     pair->kp.reqid);
	return 0;
}

static void pair_policies_del(struct pair *pair)
{
	struct kernel_policies pol = { .count = pair->pol_count };
	char err[256];

	if (!pair->pol_count)
		return;
	pair->pol_count = 0;
	memcpy(pol.index, pair->pol_index, pol.count * sizeof(pol.index[0]));
	if (kernel_tunnel_policies_del(d.k, &pol, err, sizeof(err)))
		log_ctx_warn(name_of(pair->tun), "%s", err);
	else
		log_ctx_info(name_of(pair->tun), "pair %u: policies removed", pair->idx);
}

/* --- Tunnels (registry ops) --------------------------------------------------------- */

static int tun_added(struct iked_tunnel *t, char *err, size_t errlen)
{
	struct tun *tun = calloc(1, sizeof(*tun));
	struct kernel_tunnel kt;
	unsigned int l;
	int ret;

	if (!tun)
		return -ENOMEM;
	tun->refusals_tail = &tun->refusals;
	timer_init(&tun->restart, tun_restart, tun);
	ret = tunnel_psk_load(&t->conf, err, errlen);
	if (ret) {
		free(tun);
		return ret;
	}
	if (t->conf.auth == TUNNEL_AUTH_CERT) {
		tun->creds = auth_creds_load(&t->conf, err, errlen);
		if (!tun->creds) {
			free(tun);
			return -EINVAL;
		}
		if (err[0])
			log_ctx_warn(t->conf.name, "%s", err);	/* e.g. our cert expires */
		err[0] = '\0';
	}
	/* said at load, before any SA: the exposure comes with the configuration */
	if (t->conf.aggressive && t->conf.auth == TUNNEL_AUTH_PSK)
		log_ctx_warn(t->conf.name, "aggressive mode with a pre-shared key sends the "
			     "identity in clear and a hash an eavesdropper can crack offline%s",
			     t->conf.remote_any ? "; with \"remote %any\" any host that asks "
			     "gets that hash" : "");
	tun->t = t;
	pairs_make(tun);
	t->ike = tun;
	if (t->conf.remote_any) {
		log_ctx_info(t->conf.name, "added: %u selector pair(s); each peer gets its own SAs "
			     "and policies once its phase 2 is up", tun->npairs);
		return 0;
	}
	kt = (struct kernel_tunnel){
		.local = t->conf.local, .remote = t->conf.remote, .mode = t->conf.encap,
		.pair_count = tun->npairs, .pairs = NULL,
	};
	{
		struct kernel_ts_pair kp[KERNEL_PAIRS_MAX];
		unsigned int i;

		for (i = 0; i < tun->npairs; i++)
			kp[i] = tun->pairs[i].kp;
		kt.pairs = kp;
		ret = kernel_tunnel_policies_add(d.k, &kt, &tun->pol, err, errlen);
	}
	if (ret) {
		t->ike = NULL;
		auth_creds_free(tun->creds);
		free(tun);
		return ret;
	}
	log_ctx_info(t->conf.name, "added: %u selector pair(s), policies installed",
		     tun->npairs);
	if (t->conf.auto_mode == TUNNEL_AUTO_START) {
		for (l = 0; l < tun->npairs; l++)
			tun->pairs[l].pending = true;
		tun_ensure(tun);
	}
	tun->waits_up = t->conf.auto_mode == TUNNEL_AUTO_NONE;
	return 0;
}

/* Everything of tun's negotiated: SAs deleted (and told), phase 1 deleted (and told). */
static void tun_down(struct tun *tun)
{
	unsigned int i;
	struct p1 *p1, *next;

	while (tun->peers)
		peer_end(tun->peers);
	for (i = 0; i < tun->npairs; i++) {
		pair_flush(&tun->pairs[i], true);
		tun->pairs[i].pending = false;
	}
	for (p1 = d.p1s; p1; p1 = next) {
		next = p1->next;
		if (p1->tun != tun)
			continue;
		if (p1->sa->state == IKE_ESTABLISHED) {
			uint8_t buf[ISAKMP_MSG_MAX];
			size_t len;

			if (!info_delete_build(p1->sa, NULL, 0, buf, &len))
				p1_net_send(p1, buf, len);
		}
		p1_free(p1);
	}
}

static void tun_removing(struct iked_tunnel *t)
{
	struct tun *tun = t->ike;
	char err[256];

	if (!tun)
		return;
	tun->restarting = false;
	timer_cancel(&tun->restart);
	tun_down(tun);
	if (d.keep_policies && tun->pol.count)
		log_ctx_info(t->conf.name, "stopping: its %u policies stay, its traffic waits "
			     "for the daemon", tun->pol.count);
	else if (tun->pol.count &&
		 kernel_tunnel_policies_del(d.k, &tun->pol, err, sizeof(err)))
		log_ctx_warn(t->conf.name, "%s", err);
	auth_creds_free(tun->creds);
	refusals_expire(tun, true);
	OPENSSL_cleanse(tun, sizeof(*tun));
	free(tun);
	t->ike = NULL;
}

const struct auth_creds *daemon_tunnel_creds(const struct iked_tunnel *t)
{
	const struct tun *tun = t->ike;

	return tun ? tun->creds : NULL;
}

static int tun_up(struct iked_tunnel *t, char *err, size_t errlen)
{
	struct tun *tun = t->ike;
	unsigned int i;

	if (t->conf.remote_any) {
		snprintf(err, errlen, "a tunnel to %%any only answers");
		return -EINVAL;
	}
	tun->waits_up = false;
	tun->dpd_cleared = false;
	for (i = 0; i < tun->npairs; i++)
		tun->pairs[i].pending = true;
	tun_ensure(tun);
	return 0;
}

static int tun_down_op(struct iked_tunnel *t, char *err, size_t errlen)
{
	struct tun *tun = t->ike;

	(void)err;
	(void)errlen;
	tun->restarting = false;
	timer_cancel(&tun->restart);
	tun_down(tun);
	return 0;
}

static uint32_t left(uint64_t since_ms, uint32_t lifetime)
{
	uint64_t age = (loop_now_ms() - since_ms) / 1000;

	return age >= lifetime ? 0 : (uint32_t)(lifetime - age);
}

/* A peer's traffic of one pair at least goes out through its SA (policies and SAs in). */
static bool peer_up(const struct tun *peer)
{
	for (unsigned int i = 0; i < peer->npairs; i++)
		if (peer->pairs[i].cur.used && peer->pairs[i].pol_count)
			return true;
	return false;
}

static void traffic_set(struct tunnel_sa_traffic *tr, const struct kernel_sa_stats *ks)
{
	tr->packets = ks->packets;
	tr->bytes = ks->bytes;
	memcpy(tr->drops, ks->drops, sizeof(tr->drops));
	tr->kb_limited = ks->kb_limited;
	tr->kb_left = ks->kb_left;
}

/* What phase 1 found of NATs, for "show": "local behind NAT, peer not", "none", ... */
static void nat_status(const struct ike_sa *sa, struct tunnel_status *st)
{
	const char *nat = "none";

	if (sa->nat.local || sa->nat.peer)
		nat = natt_found_text(&sa->nat);
	else if (ike_sa_udp(sa))
		nat = "none, UDP forced";
	snprintf(st->phase1.nat, sizeof(st->phase1.nat), "%s", nat);
	st->phase1.local_port = natt_port(&sa->local);
	st->phase1.remote_port = natt_port(&sa->remote);
}

static void tun_status(const struct iked_tunnel *t, struct tunnel_status *st)
{
	const struct tun *tun = t->ike;
	const struct p1 *o;
	unsigned int i;

	if (!tun)
		return;
	if (tun->p1) {
		const struct ike_sa *sa = tun->p1->sa;
		const struct ike_chosen *c = &sa->chosen;

		snprintf(st->phase1.state, sizeof(st->phase1.state), "%s",
			 ike_state_name(sa->state));
		st->phase1.established = sa->state == IKE_ESTABLISHED;
		if (st->phase1.established) {
			struct ike_proposals one = {
				.count = 1,
				.p = { { .enc = IKE_ENC_AES_CBC, .enc_bits = c->enc_bits,
					 .hash = c->hash, .group = c->group } },
			};

			proposal_ike_format(&one, st->phase1.algs, sizeof(st->phase1.algs));
			st->phase1.seconds_left = left(tun->p1->established_ms, c->lifetime);
			nat_status(sa, st);
		}
	}
	snprintf(st->phase1.why_down, sizeof(st->phase1.why_down), "%s", tun->why);
	for (o = d.p1s; o; o = o->next)
		st->half_open += o->tun == tun && p1_half_open(o);
	st->drops = tun->drops;
	snprintf(st->down_reason, sizeof(st->down_reason), "%s", tun->why);
	if (t->conf.remote_any) {
		/* no SA of its own: its peers', listed apart (registry_peer_status()) */
		for (const struct tun *p = tun->peers; p; p = p->peer_next) {
			st->peer_count++;
			st->peers_up += peer_up(p);
		}
		return;
	}
	if (parent_of(tun)) {
		st->peer = t->conf.remote;
		st->peer_port = tun->nat_port;
		st->up = peer_up(tun);
	}
	for (i = 0; i < tun->npairs && i < TUNNEL_STATUS_SA_MAX; i++) {
		const struct pair *p = &tun->pairs[i];
		struct tunnel_sa_status *s = &st->sa[st->sa_count++];
		struct esp_proposals one = { .count = 1, .p = { p->cur.prop } };
		struct kernel_sa_stats ks;

		s->local_ts = p->kp.local;
		s->remote_ts = p->kp.remote;
		s->established = p->cur.used;
		snprintf(s->state, sizeof(s->state), "%s", p->cur.used ? "ESTABLISHED" :
			 p->negotiating ? "NEGOTIATING" : "DOWN");
		if (!p->cur.used)
			continue;
		s->spi_in = p->cur.spi_in;
		s->spi_out = p->cur.spi_out;
		proposal_esp_format(&one, s->algs, sizeof(s->algs));
		s->seconds_left = left(p->cur.added_ms, p->cur.lifetime);
		if (!kernel_sa_stats(d.k, p->cur.spi_in, &t->conf.local, &ks, NULL, 0))
			traffic_set(&s->in, &ks);
		if (!kernel_sa_stats(d.k, p->cur.spi_out, &t->conf.remote, &ks, NULL, 0))
			traffic_set(&s->out, &ks);
	}
}

static const struct registry_ops ops = {
	.added = tun_added,
	.removing = tun_removing,
	.up = tun_up,
	.down = tun_down_op,
	.status = tun_status,
};

int daemon_init(struct kernel *k, char *err, size_t errlen)
{
	struct sockaddr_in any4 = { .sin_family = AF_INET, .sin_port = htons(IKE_PORT) };
	struct sockaddr_in6 any6 = { .sin6_family = AF_INET6, .sin6_port = htons(IKE_PORT) };
	char why[256];
	int fd, ret;

	d.k = k;
	if (!d.settings_set)
		iked_settings_default(&d.settings);
	registry_set_ops(&ops);
	net_init(on_recv, NULL);
	fd = net_listen((struct sockaddr *)&any4);
	if (fd < 0) {
		snprintf(err, errlen, "cannot listen on UDP port %d: %s", IKE_PORT, strerror(-fd));
		return fd;
	}
	/* Without the exemption our own IKE would meet the tunnels' policies: no start. */
	ret = kernel_ike_socket(k, fd, why, sizeof(why));
	if (ret < 0) {
		snprintf(err, errlen, "the module does not exempt our IKE socket: %s", why);
		return ret;
	}
	fd = net_listen((struct sockaddr *)&any6);
	if (fd < 0) {
		log_warn("no IPv6 IKE socket: %s", strerror(-fd));
	} else if (kernel_ike_socket(k, fd, why, sizeof(why)) < 0) {
		log_warn("no IPv6 IKE socket: the module does not exempt it: %s", why);
		net_unlisten(fd);
	}
	/*
	 * NAT traversal's port (RFC 3948), IPv4: the module receives the ESP in UDP of SAs
	 * with encapsulation through it, and net.c speaks IKE on it behind the marker.
	 */
	any4.sin_port = htons(NATT_PORT);
	fd = net_listen((struct sockaddr *)&any4);
	if (fd < 0) {
		log_warn("no NAT traversal socket (UDP %d): %s", NATT_PORT, strerror(-fd));
	} else if (kernel_ike_socket(k, fd, why, sizeof(why)) < 0) {
		log_warn("no NAT traversal socket: the module does not take it: %s", why);
		net_unlisten(fd);
	}
	if (loop_add_fd(kernel_event_fd(k), EPOLLIN, on_kernel, NULL)) {
		snprintf(err, errlen, "cannot watch kernel events: %m");
		return -errno;
	}
	return 0;
}

void daemon_fini(bool flush_policies)
{
	d.keep_policies = !flush_policies;
	registry_flush();
	while (d.p1s)
		p1_free(d.p1s);
	net_fini();
}
