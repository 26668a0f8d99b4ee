// SPDX-License-Identifier: GPL-2.0
/*
 * nfsec-iked's facade over libnfsec: tunnels into policies, proposals and KEYMAT into SAs,
 * SPIs, and the module's events into callbacks. kernel.h says what each call promises.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <nfsec.h>

#include "kernel.h"
#include "words.h"

struct kernel {
	struct nfsec_handle *h;
	unsigned int spi_count;
	uint32_t spi_pending[KERNEL_SPI_PENDING_MAX];
	/* The SA being added: the only copy of its keys we make, wiped after every add. */
	struct nfsec_sa sa;
};

enum {
	SPI_MIN = 0x100,		/* 1..255 are reserved (RFC 4303) */
	SPI_TRIES = 32,
	REPLAY_WINDOW_DEFAULT = 64,
	PRIO_BASE = 768,
};

static int seterr(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int seterr(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static unsigned int addr_len(uint16_t family)
{
	return family == AF_INET ? 4 : 16;
}

static bool family_ok(uint16_t family)
{
	return family == AF_INET || family == AF_INET6;
}

/* addr masked to its first bits bits, the rest of the 16 bytes zero. */
static void addr_mask(uint8_t out[16], const uint8_t *addr, unsigned int bits)
{
	memset(out, 0, 16);
	memcpy(out, addr, bits / 8);
	if (bits % 8)
		out[bits / 8] = addr[bits / 8] & (uint8_t)(0xff << (8 - bits % 8));
}

static void addr_from(struct tunnel_addr *out, uint16_t family, const uint8_t *addr)
{
	memset(out, 0, sizeof(*out));
	out->family = family;
	memcpy(out->addr, addr, addr_len(family));
}

/* --- the handle ---------------------------------------------------------------------- */

struct kernel *kernel_open(char *err, size_t errlen)
{
	struct kernel *k = calloc(1, sizeof(*k));
	int ret;

	if (!k) {
		seterr(err, errlen, -ENOMEM, "kernel: out of memory");
		return NULL;
	}
	ret = nfsec_open(&k->h);
	if (!ret)
		ret = nfsec_monitor_open(k->h);
	if (ret < 0) {
		seterr(err, errlen, ret, "kernel: %s", nfsec_error(k->h));
		kernel_close(k);
		return NULL;
	}
	return k;
}

void kernel_close(struct kernel *k)
{
	if (!k)
		return;
	nfsec_close(k->h);
	explicit_bzero(k, sizeof(*k));
	free(k);
}

int kernel_ike_socket(struct kernel *k, int fd, char *err, size_t errlen)
{
	int ret = nfsec_ike_socket(k->h, fd);

	if (ret < 0)
		seterr(err, errlen, ret, "%s", nfsec_error(k->h));
	return ret;
}

int kernel_event_fd(const struct kernel *k)
{
	return nfsec_monitor_fd(k->h);
}

/* --- selectors and policies ---------------------------------------------------------- */

/* One side of a selector: the ts, or in transport mode the endpoint at full length. */
static void sel_side(const struct kernel_tunnel *kt, const struct tunnel_addr *ep,
		     const struct tunnel_ts *ts, uint8_t addr[16], uint8_t *prefix)
{
	if (kt->mode == NFSEC_MODE_TRANSPORT) {
		*prefix = (uint8_t)(addr_len(ep->family) * 8);
		addr_mask(addr, ep->addr, *prefix);
	} else {
		*prefix = ts->len;
		addr_mask(addr, ts->addr, ts->len);
	}
}

static void port_range(uint16_t port, uint16_t *min, uint16_t *max)
{
	*min = port;
	*max = port ? port : 65535;
}

int kernel_pair_selector(const struct kernel_tunnel *kt, const struct kernel_ts_pair *pair,
			 bool inbound, struct nfsec_selector *sel, char *err, size_t errlen)
{
	const struct tunnel_ts *src = inbound ? &pair->remote : &pair->local;
	const struct tunnel_ts *dst = inbound ? &pair->local : &pair->remote;
	const struct tunnel_addr *src_ep = inbound ? &kt->remote : &kt->local;
	const struct tunnel_addr *dst_ep = inbound ? &kt->local : &kt->remote;
	uint16_t family = kt->mode == NFSEC_MODE_TRANSPORT ? kt->local.family : src->family;

	if (!family_ok(src->family) || src->family != dst->family)
		return seterr(err, errlen, -EINVAL, "selector pair of families %u and %u",
			      pair->local.family, pair->remote.family);
	if (src->family != family)
		return seterr(err, errlen, -EINVAL, "transport selector pair of family %u, the "
			      "endpoints' is %u", src->family, family);
	if (src->proto && dst->proto && src->proto != dst->proto)
		return seterr(err, errlen, -EINVAL, "selector pair of protocols %u and %u "
			      "matches nothing", pair->local.proto, pair->remote.proto);
	if (src->len > addr_len(src->family) * 8 || dst->len > addr_len(dst->family) * 8)
		return seterr(err, errlen, -EINVAL, "selector prefix length above %u",
			      addr_len(src->family) * 8);

	memset(sel, 0, sizeof(*sel));
	sel->family = family;
	sel_side(kt, src_ep, src, sel->src, &sel->src_prefix);
	sel_side(kt, dst_ep, dst, sel->dst, &sel->dst_prefix);
	/* a protocol on one side only narrows both: the wider one matches it anyway */
	sel->proto = src->proto ? src->proto : dst->proto;
	port_range(src->port, &sel->sport_min, &sel->sport_max);
	port_range(dst->port, &sel->dport_min, &sel->dport_max);
	return 0;
}

static bool has_ports(const struct nfsec_selector *sel)
{
	return sel->sport_min || sel->sport_max != 65535 || sel->dport_min ||
	       sel->dport_max != 65535;
}

uint32_t kernel_policy_priority(const struct nfsec_selector *sel)
{
	uint32_t prio = PRIO_BASE - sel->src_prefix - sel->dst_prefix;

	prio <<= 2;
	prio += has_ports(sel) ? 0 : 2;
	prio += sel->proto ? 0 : 1;
	return prio;
}

unsigned int kernel_pair_policies(uint8_t mode)
{
	return mode == NFSEC_MODE_TUNNEL ? 3 : 2;
}

/* Policy i of the tunnel: pair i / n, then out, in and fwd (n = kernel_pair_policies()). */
static int policy_build(const struct kernel_tunnel *kt, unsigned int i, struct nfsec_policy *p,
			char *err, size_t errlen)
{
	static const uint8_t dirs[] = {
		NFSEC_POLICY_DIR_OUT, NFSEC_POLICY_DIR_IN, NFSEC_POLICY_DIR_FWD,
	};
	unsigned int n = kernel_pair_policies(kt->mode);
	const struct kernel_ts_pair *pair = &kt->pairs[i / n];
	bool inbound = i % n;
	int ret;

	memset(p, 0, sizeof(*p));
	p->dir = dirs[i % n];
	p->action = NFSEC_POLICY_PROTECT;
	ret = kernel_pair_selector(kt, pair, inbound, &p->sel, err, errlen);
	if (ret < 0)
		return ret;
	p->priority = kernel_policy_priority(&p->sel);
	p->has_tmpl = true;
	p->tmpl.mode = kt->mode;
	p->tmpl.reqid = pair->reqid;
	if (kt->mode == NFSEC_MODE_TUNNEL) {
		const struct tunnel_addr *src = inbound ? &kt->remote : &kt->local;
		const struct tunnel_addr *dst = inbound ? &kt->local : &kt->remote;

		p->tmpl.family = kt->local.family;
		memcpy(p->tmpl.src, src->addr, addr_len(src->family));
		memcpy(p->tmpl.dst, dst->addr, addr_len(dst->family));
	}
	return 0;
}

/* "out 10.1.0.0/16 -> 10.3.0.0/16 proto 6 reqid 11", for messages. */
static void policy_name(const struct nfsec_policy *p, char *buf, size_t len)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], proto[16] = "";

	inet_ntop(p->sel.family, p->sel.src, src, sizeof(src));
	inet_ntop(p->sel.family, p->sel.dst, dst, sizeof(dst));
	if (p->sel.proto)
		snprintf(proto, sizeof(proto), " proto %u", p->sel.proto);
	snprintf(buf, len, "%s %s/%u -> %s/%u%s reqid %u",
		 policy_dir_name(p->dir), src, p->sel.src_prefix, dst,
		 p->sel.dst_prefix, proto, p->tmpl.reqid);
}

static bool sel_equal(const struct nfsec_selector *a, const struct nfsec_selector *b)
{
	unsigned int len = addr_len(a->family);

	return a->family == b->family && !memcmp(a->src, b->src, len) &&
	       !memcmp(a->dst, b->dst, len) && a->src_prefix == b->src_prefix &&
	       a->dst_prefix == b->dst_prefix && a->proto == b->proto &&
	       a->sport_min == b->sport_min && a->sport_max == b->sport_max &&
	       a->dport_min == b->dport_min && a->dport_max == b->dport_max;
}

static bool tmpl_equal(const struct nfsec_tmpl *a, const struct nfsec_tmpl *b)
{
	unsigned int len = addr_len(a->family);

	if (a->mode != b->mode || a->reqid != b->reqid)
		return false;
	return a->mode != NFSEC_MODE_TUNNEL ||
	       (a->family == b->family && !memcmp(a->src, b->src, len) &&
		!memcmp(a->dst, b->dst, len));
}

static bool policy_same(const struct nfsec_policy *a, const struct nfsec_policy *b)
{
	return a->dir == b->dir && a->action == b->action && a->priority == b->priority &&
	       sel_equal(&a->sel, &b->sel) && a->has_tmpl == b->has_tmpl &&
	       (!a->has_tmpl || tmpl_equal(&a->tmpl, &b->tmpl));
}

/* The policies we added, and the indices the dump finds for them (0: not found). */
struct added {
	const struct kernel_tunnel *kt;
	unsigned int count;
	struct nfsec_policy p[KERNEL_POLICIES_MAX];
	uint32_t index[KERNEL_POLICIES_MAX];
	bool existed[KERNEL_POLICIES_MAX];	/* EEXIST: there already, maybe ours of before */
	uint32_t way[KERNEL_POLICIES_MAX];	/* the leftover in the way (kt->stale) */
};

/* p is in the way of our policy i, and a peer's policy an earlier run left (kernel.h). */
static bool leftover(const struct added *a, unsigned int i, const struct nfsec_policy *p)
{
	const struct kernel_tunnel *kt = a->kt;
	const struct nfsec_policy *ours = &a->p[i];
	bool in = ours->dir != NFSEC_POLICY_DIR_OUT;

	if (!kt->stale || p->dir != ours->dir || p->priority != ours->priority ||
	    !sel_equal(&p->sel, &ours->sel) || p->action != NFSEC_POLICY_PROTECT ||
	    !p->has_tmpl || p->tmpl.mode != ours->tmpl.mode)
		return false;
	if (ours->tmpl.mode == NFSEC_MODE_TUNNEL &&
	    (p->tmpl.family != ours->tmpl.family ||
	     memcmp(in ? p->tmpl.dst : p->tmpl.src, kt->local.addr, addr_len(kt->local.family))))
		return false;
	return kt->stale(p->tmpl.reqid, kt->stale_arg);
}

static int find_added(const struct nfsec_policy *p, void *arg)
{
	struct added *a = arg;

	for (unsigned int i = 0; i < a->count; i++) {
		if (a->index[i])
			continue;
		if (policy_same(p, &a->p[i]))
			a->index[i] = p->index;
		else if (a->existed[i] && leftover(a, i, p))
			a->way[i] = p->index;
	}
	return 0;
}

/* Removes what the dump found of the added policies; says in err what stayed behind. */
static void rollback(struct kernel *k, const struct added *a, unsigned int total, char *err,
		     size_t errlen)
{
	size_t used = errlen ? strnlen(err, errlen) : 0;

	for (unsigned int i = 0; i < a->count; i++) {
		int ret = a->index[i] && !a->existed[i] ? nfsec_policy_del(k->h, a->index[i]) : 0;
		int n = 0;

		if (a->existed[i])
			continue;	/* not ours to remove */
		if (used >= errlen)
			continue;	/* removed all the same, untold */
		if (!a->index[i])
			n = snprintf(err + used, errlen - used, "; policy %u of %u may stay: its "
				     "index was not found", i + 1, total);
		else if (ret < 0 && ret != -ENOENT)
			n = snprintf(err + used, errlen - used, "; policy %u of %u stays (index "
				     "%u): %s", i + 1, total, a->index[i], nfsec_error(k->h));
		used += n > 0 ? (size_t)n : 0;
	}
}

/* Every policy of the tunnel into a->p, before the first is added: a bad pair adds none. */
static int policies_build(const struct kernel_tunnel *kt, struct added *a, unsigned int total,
			  char *err, size_t errlen)
{
	for (unsigned int i = 0; i < total; i++) {
		char why[128];
		int ret = policy_build(kt, i, &a->p[i], why, sizeof(why));

		if (ret < 0)
			return seterr(err, errlen, ret, "policy %u of %u (pair %u): %s", i + 1,
				      total, i / kernel_pair_policies(kt->mode) + 1, why);
	}
	return 0;
}

/* Adds them in order up to the first failure; a->count says how many are in. */
static int policies_insert(struct kernel *k, struct added *a, unsigned int total, char *err,
			   size_t errlen)
{
	char name[160];
	int ret;

	for (a->count = 0; a->count < total; a->count++) {
		ret = nfsec_policy_add(k->h, &a->p[a->count]);
		/*
		 * One with its direction, selector and priority is there: the policy a daemon
		 * stopping without --flush-on-exit left, if the dump finds it the same in
		 * every field (template and request id too); anything else is in the way.
		 */
		if (ret == -EEXIST) {
			a->existed[a->count] = true;
			continue;
		}
		if (ret < 0) {
			policy_name(&a->p[a->count], name, sizeof(name));
			return seterr(err, errlen, ret, "policy %u of %u (%s): %s", a->count + 1,
				      total, name, nfsec_error(k->h));
		}
	}
	return 0;
}

/*
 * The indices of the a->count policies added, from one dump: 0, a negative errno, or 1
 * when all are found but leftovers in the way of some (a->way) are to be replaced.
 */
static int policies_find(struct kernel *k, struct added *a, unsigned int total, char *err,
			 size_t errlen)
{
	unsigned int leftovers = 0;
	char name[160];
	int ret;

	/* Policies that came or went while the list was read: read it again, a few times. */
	for (int tries = 0; tries < 3; tries++) {
		memset(a->index, 0, sizeof(a->index));
		memset(a->way, 0, sizeof(a->way));
		ret = nfsec_policy_dump(k->h, find_added, a);
		if (ret != -EAGAIN)
			break;
	}
	if (ret < 0)
		return seterr(err, errlen, ret, "tunnel policies: reading their indices: %s",
			      nfsec_error(k->h));
	for (unsigned int i = 0; i < a->count; i++) {
		if (a->index[i])
			continue;
		if (a->existed[i] && a->way[i]) {
			leftovers++;
			continue;
		}
		policy_name(&a->p[i], name, sizeof(name));
		if (a->existed[i])
			return seterr(err, errlen, -EEXIST, "policy %u of %u (%s): another policy "
				      "with its direction, selector and priority is in the way",
				      i + 1, total, name);
		return seterr(err, errlen, -ENOENT, "policy %u of %u (%s) was removed before its "
			      "index could be read", i + 1, total, name);
	}
	return leftovers ? 1 : 0;
}

/* Ours in place of the leftovers policies_find() found, then the indices of all. */
static int leftovers_replace(struct kernel *k, struct added *a, unsigned int total,
			     char *err, size_t errlen)
{
	char name[160];
	int ret;

	for (unsigned int i = 0; i < a->count; i++) {
		if (a->index[i] || !a->way[i])
			continue;
		ret = nfsec_policy_del(k->h, a->way[i]);
		if (ret >= 0 || ret == -ENOENT)
			ret = nfsec_policy_add(k->h, &a->p[i]);
		if (ret < 0) {
			policy_name(&a->p[i], name, sizeof(name));
			return seterr(err, errlen, ret, "policy %u of %u (%s): replacing the "
				      "one an earlier run left: %s", i + 1, total, name,
				      nfsec_error(k->h));
		}
		a->existed[i] = false;
		a->way[i] = 0;
	}
	ret = policies_find(k, a, total, err, errlen);
	return ret > 0 ? seterr(err, errlen, -EEXIST, "tunnel policies: left over policies "
				"came back") : ret;
}

int kernel_tunnel_policies_add(struct kernel *k, const struct kernel_tunnel *kt,
			       struct kernel_policies *out, char *err, size_t errlen)
{
	unsigned int total = kernel_pair_policies(kt->mode) * kt->pair_count;
	struct added *a;
	int ret, found;

	out->count = 0;
	if (!kt->pair_count || kt->pair_count > KERNEL_PAIRS_MAX)
		return seterr(err, errlen, -EINVAL, "tunnel policies: %u selector pairs, 1..%d "
			      "allowed", kt->pair_count, KERNEL_PAIRS_MAX);
	if (!family_ok(kt->local.family) || kt->local.family != kt->remote.family)
		return seterr(err, errlen, -EINVAL, "tunnel policies: endpoints of families %u "
			      "and %u", kt->local.family, kt->remote.family);
	a = calloc(1, sizeof(*a));
	if (!a)
		return seterr(err, errlen, -ENOMEM, "tunnel policies: out of memory");

	a->kt = kt;
	ret = policies_build(kt, a, total, err, errlen);
	if (!ret)
		ret = policies_insert(k, a, total, err, errlen);
	/* after a failed add the first error stays the message, the dump still runs */
	if (a->count) {
		found = policies_find(k, a, total, ret ? NULL : err, ret ? 0 : errlen);
		if (found > 0)
			found = ret ? 0 : leftovers_replace(k, a, total, err, errlen);
		ret = ret ? ret : found;
	}
	if (ret < 0) {
		rollback(k, a, total, err, errlen);
	} else {
		out->count = a->count;
		memcpy(out->index, a->index, sizeof(out->index[0]) * a->count);
	}
	free(a);
	return ret;
}

int kernel_tunnel_policies_del(struct kernel *k, struct kernel_policies *pol, char *err,
			       size_t errlen)
{
	unsigned int kept = 0;
	int first = 0;

	for (unsigned int i = 0; i < pol->count; i++) {
		int ret = nfsec_policy_del(k->h, pol->index[i]);

		if (ret >= 0 || ret == -ENOENT)
			continue;
		if (!first)
			first = seterr(err, errlen, ret, "policy index %u: %s", pol->index[i],
				       nfsec_error(k->h));
		pol->index[kept++] = pol->index[i];
	}
	pol->count = kept;
	return first;
}

/* --- SAs ----------------------------------------------------------------------------- */

/* proposal_esp_kernel()'s words as the crypto API names them. */
static const char *crypto_name(const char *word)
{
	const struct nfsec_alg_alias *a = nfsec_alg_alias(word);

	return a ? a->name : NULL;
}

int kernel_keymat_len(const struct esp_proposal *p)
{
	struct esp_kernel_algs ka;

	if (proposal_esp_kernel(p, &ka) < 0)
		return -EINVAL;
	return (int)(ka.enc_key_bytes + ka.auth_key_bytes);
}

static int alg_set(struct nfsec_alg *alg, const char *word, const uint8_t *key, size_t len,
		   unsigned int icv_bits)
{
	const char *name = crypto_name(word);

	if (!name || len > sizeof(alg->key))
		return -EINVAL;
	snprintf(alg->name, sizeof(alg->name), "%s", name);
	memcpy(alg->key, key, len);
	alg->key_len = (uint32_t)len;
	alg->icv_bits = icv_bits;
	return 0;
}

/* The proposal's transforms, keyed from the KEYMAT: encryption key (+ salt), then integrity. */
static int algs_set(const struct kernel_sa *ksa, struct nfsec_sa *sa, char *err,
		    size_t errlen)
{
	struct esp_kernel_algs ka;
	size_t need;

	if (proposal_esp_kernel(ksa->proposal, &ka) < 0)
		return seterr(err, errlen, -EINVAL, "ESP transform %u (key %u bits, auth %u) "
			      "unknown to the kernel", ksa->proposal->transform,
			      ksa->proposal->enc_bits, ksa->proposal->auth);
	need = ka.enc_key_bytes + ka.auth_key_bytes;
	if (ksa->keymat_len != need)
		return seterr(err, errlen, -EINVAL, "KEYMAT of %zu bytes, the proposal needs %zu",
			      ksa->keymat_len, need);
	if (ka.aead) {
		if (alg_set(&sa->aead, ka.enc, ksa->keymat, ka.enc_key_bytes, ka.icv_bits) < 0)
			goto err_unknown;
		return 0;
	}
	if (alg_set(&sa->enc, ka.enc, ksa->keymat, ka.enc_key_bytes, 0) < 0 ||
	    alg_set(&sa->auth, ka.auth, ksa->keymat + ka.enc_key_bytes, ka.auth_key_bytes,
		    ka.icv_bits) < 0)
		goto err_unknown;
	return 0;

err_unknown:
	return seterr(err, errlen, -EINVAL, "no kernel algorithm for \"%s\"/\"%s\"", ka.enc,
		      ka.auth ? ka.auth : "-");
}

static uint64_t soft_limit(uint64_t hard, uint64_t margin, uint64_t r)
{
	uint64_t m, j;

	if (!hard)
		return 0;
	m = margin < hard ? margin : hard - 1;
	j = m < hard - m - 1 ? m : hard - m - 1;
	return hard - m - r % (j + 1);
}

void kernel_lifetime_derive(const struct kernel_lifetime *in, const uint64_t r[2],
			    struct nfsec_lifetime *out)
{
	memset(out, 0, sizeof(*out));
	out->hard_seconds = in->hard_seconds;
	out->soft_seconds = soft_limit(in->hard_seconds, in->margin_seconds, r[0]);
	out->hard_bytes = in->hard_bytes;
	out->soft_bytes = soft_limit(in->hard_bytes, in->margin_bytes, r[1]);
}

static void lifetime_set(const struct kernel_lifetime *in, struct nfsec_lifetime *out)
{
	uint64_t r[2] = { 0, 0 };

	/* getrandom() does not fail for 16 bytes once seeded; if it did: hard - margin */
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r[0] = r[1] = 0;
	kernel_lifetime_derive(in, r, out);
}

static int sa_build(const struct kernel_sa *ksa, struct nfsec_sa *sa, char *err,
		    size_t errlen)
{
	int ret;

	memset(sa, 0, sizeof(*sa));
	if (!family_ok(ksa->src.family) || ksa->src.family != ksa->dst.family)
		return seterr(err, errlen, -EINVAL, "addresses of families %u and %u",
			      ksa->src.family, ksa->dst.family);
	sa->spi = ksa->spi;
	sa->dir = ksa->dir;
	sa->family = ksa->src.family;
	memcpy(sa->src, ksa->src.addr, addr_len(sa->family));
	memcpy(sa->dst, ksa->dst.addr, addr_len(sa->family));
	sa->proto = IPPROTO_ESP;
	sa->mode = ksa->mode;
	sa->reqid = ksa->reqid;
	sa->esn = ksa->proposal->esn;
	sa->encap = ksa->encap_sport || ksa->encap_dport;
	sa->encap_sport = ksa->encap_sport;
	sa->encap_dport = ksa->encap_dport;
	if (ksa->dir == NFSEC_SA_DIR_IN) {
		sa->replay_window = ksa->replay_window ? ksa->replay_window :
				    REPLAY_WINDOW_DEFAULT;
		if (ksa->pair) {
			/* the tunnel as seen from here: the SA's destination is the local end */
			struct kernel_tunnel kt = {
				.local = ksa->dst, .remote = ksa->src, .mode = ksa->mode,
			};

			ret = kernel_pair_selector(&kt, ksa->pair, true, &sa->sel, err, errlen);
			if (ret < 0)
				return ret;
			sa->has_selector = true;
		}
	}
	lifetime_set(&ksa->lifetime, &sa->lifetime);
	return algs_set(ksa, sa, err, errlen);
}

int kernel_sa_add(struct kernel *k, const struct kernel_sa *ksa, char *err, size_t errlen)
{
	const char *dir = ksa->dir == NFSEC_SA_DIR_IN ? "in" : "out";
	char why[160];
	int ret;

	ret = sa_build(ksa, &k->sa, why, sizeof(why));
	if (ret < 0) {
		seterr(err, errlen, ret, "SA 0x%08x %s: %s", ksa->spi, dir, why);
	} else {
		ret = nfsec_sa_add(k->h, &k->sa);
		if (ret < 0)
			seterr(err, errlen, ret, "SA 0x%08x %s: %s", ksa->spi, dir,
			       nfsec_error(k->h));
	}
	/* a half-built SA may hold keys as well */
	explicit_bzero(&k->sa, sizeof(k->sa));
	return ret;
}

int kernel_sa_del(struct kernel *k, uint32_t spi, const struct tunnel_addr *dst, char *err,
		  size_t errlen)
{
	int ret = nfsec_sa_del(k->h, spi, dst->family, dst->addr, IPPROTO_ESP);

	if (ret < 0)
		seterr(err, errlen, ret, "SA 0x%08x: %s", spi, nfsec_error(k->h));
	return ret;
}

int kernel_sa_set_encap(struct kernel *k, uint32_t spi, const struct tunnel_addr *dst,
			uint16_t sport, uint16_t dport, char *err, size_t errlen)
{
	struct nfsec_sa sa = {
		.spi = spi, .family = dst->family, .proto = IPPROTO_ESP, .encap = true,
		.encap_sport = sport, .encap_dport = dport,
	};
	int ret;

	memcpy(sa.dst, dst->addr, addr_len(sa.family));
	ret = nfsec_sa_set_encap(k->h, &sa);
	if (ret < 0)
		seterr(err, errlen, ret, "SA 0x%08x: %s", spi, nfsec_error(k->h));
	return ret;
}

int kernel_sa_stats(struct kernel *k, uint32_t spi, const struct tunnel_addr *dst,
		    struct kernel_sa_stats *st, char *err, size_t errlen)
{
	struct nfsec_sa sa;
	int ret = nfsec_sa_get(k->h, spi, dst->family, dst->addr, IPPROTO_ESP, &sa);

	if (ret < 0)
		return seterr(err, errlen, ret, "SA 0x%08x: %s", spi, nfsec_error(k->h));
	st->bytes = sa.bytes;
	st->packets = sa.packets;
	st->age_seconds = sa.age_seconds;
	st->seq = sa.seq;
	memcpy(st->drops, sa.drops, sizeof(st->drops));
	st->kb_limited = nfsec_sa_kilobytes_left(&sa, &st->kb_left);
	return 0;
}

/* --- SPIs ---------------------------------------------------------------------------- */

static bool spi_pending(const struct kernel *k, uint32_t spi)
{
	for (unsigned int i = 0; i < k->spi_count; i++)
		if (k->spi_pending[i] == spi)
			return true;
	return false;
}

int kernel_spi_alloc(struct kernel *k, const struct tunnel_addr *dst, uint32_t *spi,
		     char *err, size_t errlen)
{
	if (k->spi_count == KERNEL_SPI_PENDING_MAX)
		return seterr(err, errlen, -EBUSY, "SPI: %d negotiations hold one already",
			      KERNEL_SPI_PENDING_MAX);
	for (int i = 0; i < SPI_TRIES; i++) {
		struct nfsec_sa sa;
		uint32_t r;
		int ret;

		if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
			return seterr(err, errlen, -EIO, "SPI: getrandom: %s", strerror(errno));
		if (r < SPI_MIN || spi_pending(k, r))
			continue;
		ret = nfsec_sa_get(k->h, r, dst->family, dst->addr, IPPROTO_ESP, &sa);
		if (!ret)
			continue;	/* in use */
		if (ret != -ENOENT)
			return seterr(err, errlen, ret, "SPI: %s", nfsec_error(k->h));
		k->spi_pending[k->spi_count++] = r;
		*spi = r;
		return 0;
	}
	return seterr(err, errlen, -EAGAIN, "SPI: none free after %d tries", SPI_TRIES);
}

void kernel_spi_release(struct kernel *k, uint32_t spi)
{
	for (unsigned int i = 0; i < k->spi_count; i++) {
		if (k->spi_pending[i] == spi) {
			k->spi_pending[i] = k->spi_pending[--k->spi_count];
			return;
		}
	}
}

/* --- events -------------------------------------------------------------------------- */

struct dispatch {
	const struct kernel_event_ops *ops;
	void *arg;
};

static void sa_ref(const struct nfsec_sa *sa, struct kernel_sa_ref *ref)
{
	memset(ref, 0, sizeof(*ref));
	ref->spi = sa->spi;
	ref->dir = sa->dir;
	addr_from(&ref->src, sa->family, sa->src);
	addr_from(&ref->dst, sa->family, sa->dst);
	ref->reqid = sa->reqid;
}

static void acquire(const struct nfsec_event *ev, struct kernel_acquire *acq)
{
	memset(acq, 0, sizeof(*acq));
	acq->policy_index = ev->policy.index;
	acq->reqid = ev->policy.has_tmpl ? ev->policy.tmpl.reqid : 0;
	addr_from(&acq->src, ev->flow.family, ev->flow.src);
	addr_from(&acq->dst, ev->flow.family, ev->flow.dst);
	acq->proto = ev->flow.proto;
	acq->sport = ev->flow.sport_min;
	acq->dport = ev->flow.dport_min;
}

static int on_event(const struct nfsec_event *ev, void *arg)
{
	const struct kernel_event_ops *ops = ((struct dispatch *)arg)->ops;
	void *cb_arg = ((struct dispatch *)arg)->arg;
	struct kernel_acquire acq;
	struct kernel_sa_ref ref;

	switch (ev->cmd) {
	case NFSEC_CMD_ACQUIRE:
		if (ops->acquire) {
			acquire(ev, &acq);
			ops->acquire(&acq, cb_arg);
		}
		break;
	case NFSEC_CMD_EXPIRE:
		if (ops->expire) {
			sa_ref(&ev->sa, &ref);
			ops->expire(&ref, ev->hard, cb_arg);
		}
		break;
	case NFSEC_CMD_SA_DEL:
		if (ops->sa_deleted) {
			sa_ref(&ev->sa, &ref);
			ops->sa_deleted(&ref, cb_arg);
		}
		break;
	case NFSEC_CMD_SA_FLUSH:
		if (ops->sa_flushed)
			ops->sa_flushed(cb_arg);
		break;
	case NFSEC_CMD_POLICY_DEL:
		if (ops->policy_deleted)
			ops->policy_deleted(ev->policy.index, cb_arg);
		break;
	case NFSEC_CMD_POLICY_FLUSH:
		if (ops->policies_flushed)
			ops->policies_flushed(ev->dir, cb_arg);
		break;
	case NFSEC_CMD_MAPPING:
		if (ops->mapping) {
			struct tunnel_addr addr;

			sa_ref(&ev->sa, &ref);
			addr_from(&addr, ev->sa.family, ev->mapping_addr);
			ops->mapping(&ref, &addr, ev->mapping_port, cb_arg);
		}
		break;
	default:		/* additions, ours or anyone's: nothing to do */
		break;
	}
	return 0;
}

int kernel_events_read(struct kernel *k, const struct kernel_event_ops *ops, void *arg,
		       char *err, size_t errlen)
{
	struct dispatch d = { ops, arg };
	int ret = nfsec_monitor_read(k->h, on_event, &d);

	if (ret == -ENOBUFS) {
		if (ops->resync)
			ops->resync(arg);
		ret = nfsec_monitor_read(k->h, on_event, &d);
	}
	if (ret < 0)
		return seterr(err, errlen, ret, "events: %s", nfsec_error(k->h));
	return 0;
}
