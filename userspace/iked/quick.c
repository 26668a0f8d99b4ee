// SPDX-License-Identifier: GPL-2.0
/*
 * Quick mode (RFC 2409 5.5): see quick.h. A received message goes: duplicate check ->
 * decrypt with this exchange's IV -> HASH first, checked over exactly the bytes after it
 * (the padding excluded) -> SA, nonce, KE, IDs -> proposal and selectors -> KEYMAT.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <linux/nfsec.h>
#include <openssl/crypto.h>

#include "info.h"
#include "log.h"
#include "quick.h"

static const char *const state_names[] = {
	[QM_NEW] = "NEW", [QM_I1] = "QM_I1", [QM_R1] = "QM_R1", [QM_DONE] = "DONE",
	[QM_DEAD] = "DEAD",
};

const char *qm_state_name(enum qm_state state)
{
	return state <= QM_DEAD ? state_names[state] : "?";
}

unsigned long qm_moves_refused;

/* The moves a quick mode makes; anything else is a bug. */
static bool legal(enum qm_state from, enum qm_state to)
{
	if (to == QM_DEAD)
		return from != QM_DEAD;
	if (from == QM_NEW)
		return to == QM_I1 || to == QM_R1;
	return (from == QM_I1 || from == QM_R1) && to == QM_DONE;
}

/* As ike_state_set(): an illegal move is refused, logged and counted. */
bool qm_state_set(struct qm *qm, enum qm_state to)
{
	if (!legal(qm->state, to)) {
		log_ctx_err(qm->p1->conf->name, "quick mode %08x: illegal move %s -> %s "
			    "refused (a bug)", qm->msgid, qm_state_name(qm->state),
			    qm_state_name(to));
		qm_moves_refused++;
		return false;
	}
	log_ctx_debug(qm->p1->conf->name, "quick mode %08x %s -> %s", qm->msgid,
		      qm_state_name(qm->state), qm_state_name(to));
	qm->state = to;
	return true;
}

static int fail(struct qm *qm, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct qm *qm, int err, const char *fmt, ...)
{
	char why[IKE_WHY_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	memcpy(qm->why, why, sizeof(why));
	if (qm->state != QM_DEAD)
		qm_state_set(qm, QM_DEAD);
	qm->out_len = 0;
	dh_free(qm->dh);
	qm->dh = NULL;
	ike_secret_free(qm->keys_in);
	ike_secret_free(qm->keys_out);
	qm->keys_in = qm->keys_out = NULL;
	return err;
}

static uint16_t hash_alg(const struct qm *qm)
{
	return qm->p1->chosen.hash;
}

/* --- Proposals ------------------------------------------------------------------------ */

enum {
	P2_ATTRS_MAX = 9,
	P2_ENC_KEY_SALT = 4,		/* AES-GCM and ChaCha20-Poly1305 (RFC 4106, 7634) */
};

static bool is_aead(const struct esp_proposal *p)
{
	return p->auth == ESP_AUTH_NONE;
}

size_t qm_keymat_len(const struct esp_proposal *p)
{
	struct esp_kernel_algs k;

	if (proposal_esp_kernel(p, &k))
		return 0;
	return k.enc_key_bytes + k.auth_key_bytes;
}

/* Our offer: one proposal per ESP proposal of the tunnel, each with one transform. */
struct offer {
	struct isakmp_proposal prop[PROPOSALS_MAX];
	struct isakmp_transform t[PROPOSALS_MAX];
	struct isakmp_attr a[PROPOSALS_MAX][P2_ATTRS_MAX];
};

static unsigned int attrs_build(const struct tunnel *conf, const struct esp_proposal *p,
				uint16_t encap, struct isakmp_attr *a)
{
	unsigned int n = 0;

	a[n++] = ISAKMP_ATTR(ISAKMP_P2_LIFE_TYPE, ISAKMP_LIFE_SECONDS);
	a[n++] = ISAKMP_ATTR(ISAKMP_P2_LIFE_DURATION, conf->lifetime);
	if (conf->lifebytes) {
		uint64_t kb = tunnel_lifebytes_kb(conf);

		a[n++] = ISAKMP_ATTR(ISAKMP_P2_LIFE_TYPE, ISAKMP_LIFE_KILOBYTES);
		a[n++] = ISAKMP_ATTR(ISAKMP_P2_LIFE_DURATION,
				     kb > UINT32_MAX ? UINT32_MAX : (uint32_t)kb);
	}
	if (p->group)
		a[n++] = ISAKMP_ATTR(ISAKMP_P2_GROUP_DESC, p->group);
	a[n++] = ISAKMP_ATTR(ISAKMP_P2_ENCAP, encap);
	if (!is_aead(p))
		a[n++] = ISAKMP_ATTR(ISAKMP_P2_AUTH, p->auth);
	if (p->enc_bits && p->transform != ESP_CHACHA20_POLY1305)
		a[n++] = ISAKMP_ATTR(ISAKMP_P2_KEY_LENGTH, p->enc_bits);
	if (p->esn)
		a[n++] = ISAKMP_ATTR(ISAKMP_P2_ESN, ISAKMP_ESN_ON);
	return n;
}

static void offer_build(const struct qm *qm, struct offer *o)
{
	const struct tunnel *conf = qm->p1->conf;
	/* in UDP behind a NAT: RFC 3947's numbers, a draft's if the peer spoke only that */
	uint16_t encap = natt_encap_mode(conf->encap == NFSEC_MODE_TRANSPORT,
					 ike_sa_udp(qm->p1), qm->p1->natt);
	uint32_t spi = htonl(qm->spi_in);
	unsigned int i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < conf->esp.count; i++) {
		o->t[i] = (struct isakmp_transform){
			.number = 1, .id = (uint8_t)conf->esp.p[i].transform,
			.nattrs = attrs_build(conf, &conf->esp.p[i], encap, o->a[i]),
			.attrs = o->a[i],
		};
		o->prop[i] = (struct isakmp_proposal){
			.number = (uint8_t)(i + 1), .proto = ISAKMP_PROTO_ESP, .spi_size = 4,
			.ntransforms = 1, .transforms = &o->t[i],
		};
		memcpy(o->prop[i].spi, &spi, 4);
	}
}

/* What one offered transform asks for. */
struct p2_offer {
	struct esp_proposal p;
	uint16_t encap;
	uint32_t lifetime;
	uint64_t lifekb;
};

static int p2_read(const struct isakmp_transform *t, struct p2_offer *o, char *why, size_t len)
{
	uint16_t life_type = 0;
	struct isakmp_err err;
	unsigned int i;
	uint64_t v;

	memset(o, 0, sizeof(*o));
	o->p.transform = t->id;
	o->p.auth = ESP_AUTH_NONE;
	for (i = 0; i < t->nattrs; i++) {
		if (isakmp_attr_u64(&t->attrs[i], &v, &err)) {
			snprintf(why, len, "%s", err.msg);
			return -EBADMSG;
		}
		switch (t->attrs[i].type) {
		case ISAKMP_P2_LIFE_TYPE: life_type = (uint16_t)v; break;
		case ISAKMP_P2_LIFE_DURATION:
			if (life_type == ISAKMP_LIFE_SECONDS)
				o->lifetime = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
			else if (life_type == ISAKMP_LIFE_KILOBYTES)
				o->lifekb = v;
			break;
		case ISAKMP_P2_GROUP_DESC: o->p.group = (uint16_t)v; break;
		case ISAKMP_P2_ENCAP: o->encap = (uint16_t)v; break;
		case ISAKMP_P2_AUTH: o->p.auth = (uint16_t)v; break;
		case ISAKMP_P2_KEY_LENGTH: o->p.enc_bits = (uint16_t)v; break;
		case ISAKMP_P2_ESN: o->p.esn = v == ISAKMP_ESN_ON; break;
		default:
			snprintf(why, len, "attribute %s (%u) is not supported",
				 isakmp_p2_attr_name(t->attrs[i].type), t->attrs[i].type);
			return -EOPNOTSUPP;
		}
	}
	if (o->p.transform == ESP_CHACHA20_POLY1305 && !o->p.enc_bits)
		o->p.enc_bits = 256;
	return 0;
}

/*
 * Whether offer o is our proposal p in this tunnel (udp: over a phase 1 that found a NAT,
 * where the encapsulation must be in UDP, numbered as the RFC or a draft does); if not,
 * the first thing that differs.
 */
static bool p2_matches(const struct tunnel *conf, bool udp, const struct p2_offer *o,
		       const struct esp_proposal *p, char *why, size_t len)
{
	bool transport = conf->encap == NFSEC_MODE_TRANSPORT, o_transport, o_udp;

	if (o->p.transform != p->transform)
		snprintf(why, len, "transform %s, we want %s", isakmp_esp_name(o->p.transform),
			 isakmp_esp_name(p->transform));
	else if (o->p.enc_bits != p->enc_bits)
		snprintf(why, len, "key length %u, we want %u", o->p.enc_bits, p->enc_bits);
	else if (o->p.auth != p->auth)
		snprintf(why, len, "integrity %s, we want %s", isakmp_auth_alg_name(o->p.auth),
			 isakmp_auth_alg_name(p->auth));
	else if (o->p.group != p->group)
		snprintf(why, len, "PFS group %s, we want %s", isakmp_group_name(o->p.group),
			 isakmp_group_name(p->group));
	else if (o->p.esn != p->esn)
		snprintf(why, len, "ESN %s, we want it %s", o->p.esn ? "on" : "off",
			 p->esn ? "on" : "off");
	else if (natt_encap_read(o->encap, &o_transport, &o_udp) || o_transport != transport ||
		 o_udp != udp)
		snprintf(why, len, "encapsulation %s, we want %s", isakmp_encap_name(o->encap),
			 isakmp_encap_name(natt_encap_mode(transport, udp, NATT_RFC)));
	else
		return true;
	return false;
}

static void note_first(char *first, size_t len, bool *have, const char *why)
{
	if (!*have)
		snprintf(first, len, "%s", why);
	*have = true;
}

/*
 * The first offered ESP proposal (and transform) that is one of ours: its index into
 * sa->proposals and transform, and what it holds. -1 with why if none, naming what the
 * first offered transform lacks against our first proposal.
 */
static int p2_choose(const struct tunnel *conf, bool udp, const struct isakmp_sa *sa,
		     unsigned int *transform, struct p2_offer *chosen, char *why, size_t len)
{
	char first[IKE_WHY_MAX] = "nothing we can use", tmp[IKE_WHY_MAX];
	bool have_first = false;
	unsigned int i, t, j;

	for (i = 0; i < sa->nproposals; i++) {
		const struct isakmp_proposal *prop = &sa->proposals[i];

		/*
		 * Proposals ANDed with a neighbour of the same number (ESP with AH or IPComp,
		 * in either order) are not for us: ESP alone is not what was offered.
		 */
		if (prop->proto != ISAKMP_PROTO_ESP ||
		    (i + 1 < sa->nproposals && sa->proposals[i + 1].number == prop->number) ||
		    (i > 0 && sa->proposals[i - 1].number == prop->number))
			continue;
		for (t = 0; t < prop->ntransforms; t++) {
			struct p2_offer o;

			if (p2_read(&prop->transforms[t], &o, tmp, sizeof(tmp))) {
				note_first(first, sizeof(first), &have_first, tmp);
				continue;
			}
			for (j = 0; j < conf->esp.count; j++) {
				if (p2_matches(conf, udp, &o, &conf->esp.p[j], tmp,
					       sizeof(tmp))) {
					*transform = t;
					*chosen = o;
					return (int)i;
				}
				if (j == 0)
					note_first(first, sizeof(first), &have_first, tmp);
			}
		}
	}
	snprintf(why, len, "no acceptable ESP proposal (the first offered has %s)", first);
	return -1;
}

/* The smaller lifetime of ours and the peer's; kilobytes kept below what wraps in bytes. */
static void lifetimes_take(struct qm *qm, const struct p2_offer *o)
{
	if (o->lifetime && o->lifetime < qm->lifetime)
		qm->lifetime = o->lifetime;
	if (o->lifekb && (!qm->lifekb || o->lifekb < qm->lifekb))
		qm->lifekb = o->lifekb;
	if (qm->lifekb > UINT64_MAX / 1024)
		qm->lifekb = UINT64_MAX / 1024;
}

/* The peer's SPI, from a proposal: 1..255 are reserved (RFC 4303 2.1), 0 too. */
static int spi_take(struct qm *qm, const struct isakmp_proposal *prop)
{
	uint32_t spi;

	memcpy(&spi, prop->spi, 4);
	spi = ntohl(spi);
	if (prop->spi_size != 4 || spi < 256)
		return fail(qm, -EBADMSG, "the peer's SPI 0x%08x is reserved (below 256)", spi);
	qm->spi_out = spi;
	return 0;
}

/* --- Traffic selectors as ID payloads ---------------------------------------------------- */

static void ts_to_id(const struct tunnel_ts *ts, struct isakmp_id *id, uint8_t *data)
{
	size_t alen = ts->family == AF_INET ? 4 : 16;
	unsigned int i;

	memset(data, 0, 32);
	memcpy(data, ts->addr, alen);
	if (ts->len == alen * 8) {
		id->type = ts->family == AF_INET ? ISAKMP_ID_IPV4_ADDR : ISAKMP_ID_IPV6_ADDR;
		id->len = alen;
	} else {
		id->type = ts->family == AF_INET ? ISAKMP_ID_IPV4_ADDR_SUBNET :
						   ISAKMP_ID_IPV6_ADDR_SUBNET;
		for (i = 0; i < ts->len; i++)
			data[alen + i / 8] |= (uint8_t)(0x80 >> (i % 8));
		id->len = 2 * alen;
	}
	id->data = data;
	id->proto = ts->proto;
	id->port = ts->port;
}

/* The prefix length of a contiguous mask; -1 if not. */
static int mask_len(const uint8_t *mask, size_t n)
{
	unsigned int i, len = 0;
	bool zero = false;

	for (i = 0; i < n * 8; i++) {
		bool bit = mask[i / 8] & (0x80 >> (i % 8));

		if (bit && zero)
			return -1;
		if (bit)
			len++;
		else
			zero = true;
	}
	return (int)len;
}

static int id_to_ts(const struct isakmp_id *id, struct tunnel_ts *ts)
{
	size_t alen;
	int len;

	memset(ts, 0, sizeof(*ts));
	switch (id->type) {
	case ISAKMP_ID_IPV4_ADDR:
	case ISAKMP_ID_IPV4_ADDR_SUBNET:
		ts->family = AF_INET;
		alen = 4;
		break;
	case ISAKMP_ID_IPV6_ADDR:
	case ISAKMP_ID_IPV6_ADDR_SUBNET:
		ts->family = AF_INET6;
		alen = 16;
		break;
	default:
		return -EINVAL;
	}
	memcpy(ts->addr, id->data, alen);
	len = id->len == alen ? (int)alen * 8 : mask_len(id->data + alen, alen);
	if (len < 0)
		return -EINVAL;
	ts->len = (uint8_t)len;
	ts->proto = id->proto;
	ts->port = id->port;
	return 0;
}

static bool ts_equal(const struct tunnel_ts *a, const struct tunnel_ts *b)
{
	return a->family == b->family && a->len == b->len && a->proto == b->proto &&
	       a->port == b->port && !memcmp(a->addr, b->addr, sizeof(a->addr));
}

/*
 * Transport mode through a NAT (RFC 3947 5.2): an end behind it names its own address in
 * its ID (and its NAT-OA), not the address the other end sees. The selectors, and so the
 * policies and SAs, take the address as seen, as strongSwan does for a road warrior in
 * transport mode; ESP's authentication covers what the NAT rewrote, and the module takes
 * such SAs' TCP and UDP checksums as checked. ts, the ID of the end at end (its address
 * as seen; behind: NAT-D found it behind a NAT), a host selector, becomes end's address.
 */
static void ts_as_seen(const struct ike_sa *p1, bool behind, const struct sockaddr_storage *end,
		       struct tunnel_ts *ts)
{
	struct tunnel_ts host = { .family = end->ss_family, .proto = ts->proto, .port = ts->port };

	if (p1->conf->encap != NFSEC_MODE_TRANSPORT || !behind || !ike_sa_udp(p1) ||
	    ts->family != end->ss_family)
		return;
	if (end->ss_family == AF_INET) {
		host.len = 32;
		memcpy(host.addr, &((const struct sockaddr_in *)end)->sin_addr, 4);
	} else {
		host.len = 128;
		memcpy(host.addr, &((const struct sockaddr_in6 *)end)->sin6_addr, 16);
	}
	if (ts->len == host.len)
		*ts = host;
}

/* IDci and IDcr of an exchange over p1 (ts_i ours when we initiate), as seen. */
static void ids_as_seen(const struct ike_sa *p1, bool initiator, struct tunnel_ts *ts_i,
			struct tunnel_ts *ts_r)
{
	const struct sockaddr_storage *end_i = initiator ? &p1->local : &p1->remote;
	const struct sockaddr_storage *end_r = initiator ? &p1->remote : &p1->local;

	ts_as_seen(p1, initiator ? p1->nat.local : p1->nat.peer, end_i, ts_i);
	ts_as_seen(p1, initiator ? p1->nat.peer : p1->nat.local, end_r, ts_r);
}

/* Whether (ts_i, ts_r) seen from the initiator is one of the tunnel's pairs, reversed. */
static bool ts_pair_ours(const struct tunnel *conf, const struct tunnel_ts *ts_i,
			 const struct tunnel_ts *ts_r)
{
	unsigned int l, r;

	for (l = 0; l < conf->local_ts_count; l++)
		for (r = 0; r < conf->remote_ts_count; r++)
			if (ts_equal(&conf->remote_ts[r], ts_i) &&
			    ts_equal(&conf->local_ts[l], ts_r))
				return true;
	return false;
}

/* --- Messages ------------------------------------------------------------------------- */

static void msg_begin(struct qm *qm, struct isakmp_buf *b, uint8_t exchange)
{
	struct isakmp_hdr hdr = {
		.exchange = exchange, .flags = ISAKMP_FLAG_ENC, .msgid = qm->msgid,
	};

	memcpy(hdr.icookie, qm->p1->cky_i, ISAKMP_COOKIE_LEN);
	memcpy(hdr.rcookie, qm->p1->cky_r, ISAKMP_COOKIE_LEN);
	isakmp_buf_init(b, qm->out, sizeof(qm->out));
	isakmp_msg_begin(b, &hdr);
}

/*
 * Ends the message whose HASH payload (written as zeros) is at offset h: the hash over
 * M-ID, the prefix parts and the payloads after it, then padding and encryption.
 */
static int msg_end(struct qm *qm, struct isakmp_buf *b, size_t h, const struct ike_chunk *pre,
		   unsigned int npre)
{
	int ret = ike_p2_seal(qm->p1, b, h, qm->msgid, pre, npre, qm->iv, &qm->out_len);

	if (ret == -ENOBUFS)
		return fail(qm, ret, "our message does not fit");
	if (ret == -EINVAL)
		return fail(qm, ret, "our message has a payload that cannot be built");
	if (ret)
		return fail(qm, ret, "HASH or encryption failed");
	return 0;
}

static void put_ids(struct isakmp_buf *b, const struct qm *qm)
{
	uint8_t di[32], dr[32];
	struct isakmp_id idi, idr;

	ts_to_id(&qm->id_i, &idi, di);
	ts_to_id(&qm->id_r, &idr, dr);
	isakmp_put_id(b, &idi);
	isakmp_put_id(b, &idr);
}

/*
 * NAT-OAi and NAT-OAr (RFC 3947 5.2), transport mode in UDP only: the initiator's address
 * and the responder's as this end knows them, for a peer that fixes up the checksums of
 * what the NAT rewrote. Tunnel mode needs none: its inner header is untouched.
 */
static void put_natoa(struct isakmp_buf *b, const struct qm *qm)
{
	const struct ike_sa *p1 = qm->p1;
	const struct sockaddr_storage *ends[2] = {
		qm->initiator ? &p1->local : &p1->remote, qm->initiator ? &p1->remote : &p1->local,
	};
	unsigned int i;

	if (p1->conf->encap != NFSEC_MODE_TRANSPORT || !ike_sa_udp(p1))
		return;
	for (i = 0; i < 2; i++) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ends[i];
		struct isakmp_natoa oa = {
			.id_type = ISAKMP_ID_IPV4_ADDR, .addr = (const uint8_t *)&sin->sin_addr,
			.len = 4,
		};

		if (ends[i]->ss_family == AF_INET)
			isakmp_put_natoa(b, natt_natoa_type(p1->natt), &oa);
	}
}

static int nonce_ke_make(struct qm *qm, struct ike_bytes *nonce, struct ike_bytes *ke,
			 uint16_t group)
{
	const uint8_t *pub;

	nonce->len = IKE_NONCE_LEN;
	if (getrandom(nonce->data, nonce->len, 0) != (ssize_t)nonce->len)
		return -EIO;
	if (!group)
		return 0;
	qm->dh = dh_new(group, qm->p1->conf->weak_groups);
	if (!qm->dh)
		return -errno;
	pub = dh_public(qm->dh, &ke->len);
	memcpy(ke->data, pub, ke->len);
	return 0;
}

/* KEYMAT for both SAs, with g(qm)^xy under PFS. */
static int keys_derive(struct qm *qm, const struct ike_bytes *peer_ke)
{
	size_t len = qm_keymat_len(&qm->chosen), glen = 0;
	uint8_t gxy[DH_MAX_SECRET_LEN];
	struct ike_keymat_input in;
	int ret = 0;

	if (!len)
		return -EINVAL;
	if (qm->dh) {
		glen = sizeof(gxy);
		ret = dh_compute(qm->dh, peer_ke->data, peer_ke->len, gxy, &glen);
		dh_free(qm->dh);
		qm->dh = NULL;
		if (ret)
			return ret;
	}
	in = (struct ike_keymat_input){
		.gqm_xy = IKE_CHUNK(gxy, glen), .protocol = IKE_PROTO_ESP,
		.ni_b = IKE_CHUNK(qm->ni.data, qm->ni.len),
		.nr_b = IKE_CHUNK(qm->nr.data, qm->nr.len),
	};
	in.spi = qm->spi_in;
	ret = ike_keymat(hash_alg(qm), qm->p1->keys.skeyid_d, &in, len, &qm->keys_in);
	in.spi = qm->spi_out;
	if (!ret)
		ret = ike_keymat(hash_alg(qm), qm->p1->keys.skeyid_d, &in, len, &qm->keys_out);
	OPENSSL_cleanse(gxy, sizeof(gxy));
	return ret;
}

/* A received message, decrypted; its HASH payload first, the rest after. */
struct in {
	struct isakmp_chain chain;
	uint8_t plain[ISAKMP_MSG_MAX];
	uint8_t next_iv[IKE_CBC_BLOCK_LEN];
	struct isakmp_bytes hash;
	struct ike_chunk rest;		/* the payloads after HASH, without the padding */
};

static int in_parse(struct qm *qm, const struct ike_msg *msg, struct in *in)
{
	size_t len = msg->len - ISAKMP_HDR_LEN;
	const struct isakmp_payload *h;
	struct isakmp_err err;

	if (!(msg->hdr.flags & ISAKMP_FLAG_ENC)) {
		snprintf(qm->why, sizeof(qm->why), "quick mode message not encrypted");
		return -EPROTO;
	}
	if (ike_cbc_decrypt(qm->p1->enc_key, qm->iv, msg->buf + ISAKMP_HDR_LEN, len, in->plain,
			    in->next_iv) ||
	    isakmp_chain_parse(msg->hdr.next, in->plain, len, ISAKMP_CHAIN_PADDED, &in->chain,
			       &err)) {
		snprintf(qm->why, sizeof(qm->why), "message does not decrypt to payloads");
		return -EBADMSG;
	}
	h = &in->chain.pld[0];
	if (in->chain.count == 0 || h->type != ISAKMP_PL_HASH ||
	    isakmp_hash_decode(h, &in->hash, &err)) {
		snprintf(qm->why, sizeof(qm->why), "message does not start with HASH");
		return -EBADMSG;
	}
	in->rest = IKE_CHUNK(in->plain + h->offset + 4 + h->len,
			     in->chain.end - (h->offset + 4 + h->len));
	return 0;
}

static int hash_check(struct qm *qm, const struct in *in, const struct ike_chunk *parts,
		      unsigned int n)
{
	uint8_t want[IKE_HASH_MAX_LEN];

	if (ike_prf(hash_alg(qm), qm->p1->keys.skeyid_a->data, qm->p1->keys.skeyid_a->len,
		    parts, n, want) ||
	    in->hash.len != ike_hash_len(hash_alg(qm)) ||
	    CRYPTO_memcmp(want, in->hash.data, in->hash.len)) {
		snprintf(qm->why, sizeof(qm->why), "HASH does not verify");
		return -EACCES;
	}
	return 0;
}

static int bytes_take(struct qm *qm, const struct in *in, uint8_t type, struct ike_bytes *out)
{
	const struct isakmp_payload *p = isakmp_chain_find(&in->chain, type, 0);
	struct isakmp_bytes v;
	struct isakmp_err err;
	int ret;

	if (!p) {
		snprintf(qm->why, sizeof(qm->why), "no %s payload", isakmp_payload_name(type));
		return -EBADMSG;
	}
	ret = type == ISAKMP_PL_NONCE ? isakmp_nonce_decode(p, &v, &err) :
					isakmp_ke_decode(p, &v, &err);
	if (ret || v.len > sizeof(out->data)) {
		snprintf(qm->why, sizeof(qm->why), "%s", ret ? err.msg : "KE too long");
		return -EBADMSG;
	}
	memcpy(out->data, v.data, v.len);
	out->len = v.len;
	return 0;
}

/* IDci and IDcr: both or neither (then the phase-1 endpoints, which we do not do). */
static int ids_take(struct qm *qm, const struct in *in, struct tunnel_ts *ts_i,
		    struct tunnel_ts *ts_r)
{
	const struct isakmp_payload *pi = isakmp_chain_find(&in->chain, ISAKMP_PL_ID, 0);
	const struct isakmp_payload *pr = isakmp_chain_find(&in->chain, ISAKMP_PL_ID, 1);
	struct isakmp_id idi, idr;
	struct isakmp_err err;

	if (!pi || !pr || isakmp_id_decode(pi, &idi, &err) || isakmp_id_decode(pr, &idr, &err) ||
	    id_to_ts(&idi, ts_i) || id_to_ts(&idr, ts_r)) {
		snprintf(qm->why, sizeof(qm->why), "IDci and IDcr missing or not subnets");
		return -EBADMSG;
	}
	return 0;
}

/* An encrypted informational notify for the peer (protected by HASH(1)). */
static void notify(struct qm *qm, uint16_t type)
{
	size_t len;

	if (info_notify_build(qm->p1, type, ISAKMP_PROTO_ESP, 0, qm->out, &len))
		len = 0;
	qm->out_len = len;
}

/* --- The exchange ----------------------------------------------------------------------- */

static struct qm *qm_new(struct ike_sa *p1, bool initiator, uint32_t msgid, uint32_t spi_in)
{
	struct qm *qm = calloc(1, sizeof(*qm));

	if (!qm)
		return NULL;
	qm->p1 = p1;
	qm->initiator = initiator;
	qm->msgid = msgid;
	qm->spi_in = spi_in;
	qm->lifetime = p1->conf->lifetime;
	qm->lifekb = tunnel_lifebytes_kb(p1->conf);
	if (ike_iv_phase2(p1->chosen.hash, p1->iv, msgid, qm->iv)) {
		free(qm);
		return NULL;
	}
	return qm;
}

struct qm *qm_initiate(struct ike_sa *p1, const struct tunnel_ts *ours,
		       const struct tunnel_ts *theirs, uint32_t spi_in, char *why, size_t len)
{
	const struct tunnel *conf = p1->conf;
	uint16_t group = conf->esp.count ? conf->esp.p[0].group : 0;
	struct isakmp_buf b;
	struct offer *o;
	struct qm *qm;
	uint32_t msgid;
	size_t h;

	if (p1->state != IKE_ESTABLISHED) {
		snprintf(why, len, "phase 1 is not established");
		return NULL;
	}
	do {
		if (getrandom(&msgid, sizeof(msgid), 0) != sizeof(msgid)) {
			snprintf(why, len, "no random message ID");
			return NULL;
		}
		msgid |= 1;
	} while (ike_msgid_seen(p1, msgid));
	qm = qm_new(p1, true, msgid, spi_in);
	if (!qm) {
		snprintf(why, len, "out of memory");
		return NULL;
	}
	ike_msgid_note(p1, msgid);
	qm->ts_i = qm->id_i = *ours;
	qm->ts_r = qm->id_r = *theirs;
	o = malloc(sizeof(*o));
	if (!o || nonce_ke_make(qm, &qm->ni, &qm->gi, group)) {
		free(o);
		snprintf(why, len, "no nonce or PFS key");
		qm_free(qm);
		return NULL;
	}
	offer_build(qm, o);
	msg_begin(qm, &b, ISAKMP_EXCH_QUICK);
	h = isakmp_put_hash(&b, NULL, ike_hash_len(hash_alg(qm)));
	isakmp_put_sa(&b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY, o->prop, conf->esp.count);
	free(o);
	isakmp_put_nonce(&b, qm->ni.data, qm->ni.len);
	if (group)
		isakmp_put_ke(&b, qm->gi.data, qm->gi.len);
	put_ids(&b, qm);
	put_natoa(&b, qm);
	if (msg_end(qm, &b, h, NULL, 0)) {
		snprintf(why, len, "%s", qm->why);
		qm_free(qm);
		return NULL;
	}
	qm_state_set(qm, QM_I1);
	return qm;
}

/* Message 1 at the responder: choose, answer with message 2. */
static int qm_r1(struct qm *qm, const struct in *in)
{
	const struct tunnel *conf = qm->p1->conf;
	struct ike_chunk parts[] = { IKE_CHUNK(NULL, 0), in->rest };
	const struct isakmp_payload *sap;
	struct isakmp_proposal reply;
	struct isakmp_sa *offer;
	struct p2_offer chosen;
	struct isakmp_buf b;
	unsigned int t;
	uint32_t mid = htonl(qm->msgid);
	int i, ret;
	size_t h;

	parts[0] = IKE_CHUNK(&mid, 4);
	ret = hash_check(qm, in, parts, 2);
	if (ret)
		return fail(qm, ret, "HASH(1) does not verify");
	/* the peer's, authentic: a copy of this message later is a replay */
	ike_msgid_note(qm->p1, qm->msgid);
	ret = bytes_take(qm, in, ISAKMP_PL_NONCE, &qm->ni);
	if (!ret)
		ret = ids_take(qm, in, &qm->id_i, &qm->id_r);
	if (ret)
		return fail(qm, ret, "%s", qm->why);
	qm->ts_i = qm->id_i;
	qm->ts_r = qm->id_r;
	ids_as_seen(qm->p1, false, &qm->ts_i, &qm->ts_r);
	if (!ts_pair_ours(conf, &qm->ts_i, &qm->ts_r)) {
		fail(qm, -ENOENT, "INVALID-ID-INFORMATION: the peer's traffic selectors are not "
		     "a pair of the tunnel's");
		notify(qm, ISAKMP_N_INVALID_ID_INFORMATION);
		return -ENOENT;
	}
	sap = isakmp_chain_find(&in->chain, ISAKMP_PL_SA, 0);
	offer = malloc(sizeof(*offer));
	if (!offer)
		return fail(qm, -ENOMEM, "out of memory");
	{
		struct isakmp_err err;

		if (!sap || isakmp_sa_decode(sap, offer, &err)) {
			free(offer);
			return fail(qm, -EBADMSG, "SA missing or malformed");
		}
	}
	i = p2_choose(conf, ike_sa_udp(qm->p1), offer, &t, &chosen, qm->why, sizeof(qm->why));
	if (i < 0) {
		free(offer);
		fail(qm, -ENOENT, "NO-PROPOSAL-CHOSEN: %s", qm->why);
		notify(qm, ISAKMP_N_NO_PROPOSAL_CHOSEN);
		return -ENOENT;
	}
	qm->chosen = chosen.p;
	lifetimes_take(qm, &chosen);
	ret = spi_take(qm, &offer->proposals[i]);
	if (ret) {
		free(offer);
		return ret;
	}
	if (qm->chosen.group && (bytes_take(qm, in, ISAKMP_PL_KE, &qm->gi) ||
				 qm->gi.len != dh_public_len(qm->chosen.group))) {
		free(offer);
		return fail(qm, -EBADMSG, "no KE of %s for PFS",
			    isakmp_group_name(qm->chosen.group));
	}
	ret = nonce_ke_make(qm, &qm->nr, &qm->gr, qm->chosen.group);
	if (!ret)
		ret = keys_derive(qm, &qm->gi);
	if (ret) {
		free(offer);
		return fail(qm, ret, "KEYMAT failed (PFS KE refused?)");
	}
	memcpy(qm->iv, in->next_iv, sizeof(qm->iv));
	reply = offer->proposals[i];
	reply.ntransforms = 1;
	reply.transforms = &offer->proposals[i].transforms[t];
	mid = htonl(qm->spi_in);
	memcpy(reply.spi, &mid, 4);
	msg_begin(qm, &b, ISAKMP_EXCH_QUICK);
	h = isakmp_put_hash(&b, NULL, ike_hash_len(hash_alg(qm)));
	isakmp_put_sa(&b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY, &reply, 1);
	free(offer);
	isakmp_put_nonce(&b, qm->nr.data, qm->nr.len);
	if (qm->chosen.group)
		isakmp_put_ke(&b, qm->gr.data, qm->gr.len);
	put_ids(&b, qm);
	put_natoa(&b, qm);
	parts[0] = IKE_CHUNK(qm->ni.data, qm->ni.len);
	ret = msg_end(qm, &b, h, parts, 1);
	if (ret)
		return ret;
	qm_state_set(qm, QM_R1);
	return 0;
}

/* Message 2 at the initiator: check, derive, answer with HASH(3). */
static int qm_i2(struct qm *qm, const struct in *in)
{
	uint32_t mid = htonl(qm->msgid);
	struct ike_chunk parts[] = {
		IKE_CHUNK(&mid, 4), IKE_CHUNK(qm->ni.data, qm->ni.len), in->rest,
	};
	const struct isakmp_payload *sap;
	struct tunnel_ts ts_i, ts_r;
	struct isakmp_sa *got;
	struct isakmp_err err;
	struct p2_offer o;
	unsigned int j;
	struct isakmp_buf b;
	uint8_t zero = 0;
	size_t h;
	int ret;

	ret = hash_check(qm, in, parts, 3);
	if (ret)
		return ret;
	if (bytes_take(qm, in, ISAKMP_PL_NONCE, &qm->nr) || ids_take(qm, in, &ts_i, &ts_r))
		return fail(qm, -EBADMSG, "the responder's nonce or IDs are not what we sent");
	/* a responder may answer a NAT'ed end's ID with the address it sees: the same */
	ids_as_seen(qm->p1, true, &ts_i, &ts_r);
	if (!ts_equal(&ts_i, &qm->ts_i) || !ts_equal(&ts_r, &qm->ts_r))
		return fail(qm, -EBADMSG, "the responder's nonce or IDs are not what we sent");
	sap = isakmp_chain_find(&in->chain, ISAKMP_PL_SA, 0);
	got = malloc(sizeof(*got));
	if (!got)
		return fail(qm, -ENOMEM, "out of memory");
	if (!sap || isakmp_sa_decode(sap, got, &err) || got->nproposals != 1 ||
	    got->proposals[0].proto != ISAKMP_PROTO_ESP ||
	    got->proposals[0].ntransforms != 1 ||
	    p2_read(&got->proposals[0].transforms[0], &o, qm->why, sizeof(qm->why))) {
		free(got);
		return fail(qm, -EBADMSG, "the responder's SA is not one ESP transform");
	}
	ret = spi_take(qm, &got->proposals[0]);
	free(got);
	if (ret)
		return ret;
	for (j = 0; j < qm->p1->conf->esp.count; j++)
		if (p2_matches(qm->p1->conf, ike_sa_udp(qm->p1), &o, &qm->p1->conf->esp.p[j],
			       qm->why, sizeof(qm->why)))
			break;
	if (j == qm->p1->conf->esp.count)
		return fail(qm, -ENOENT, "the responder chose a proposal we did not offer");
	qm->chosen = o.p;
	lifetimes_take(qm, &o);
	if (qm->chosen.group && (bytes_take(qm, in, ISAKMP_PL_KE, &qm->gr) ||
				 qm->gr.len != dh_public_len(qm->chosen.group)))
		return fail(qm, -EBADMSG, "no KE for PFS");
	ret = keys_derive(qm, &qm->gr);
	if (ret)
		return fail(qm, ret, "KEYMAT failed (PFS KE refused?)");
	memcpy(qm->iv, in->next_iv, sizeof(qm->iv));
	msg_begin(qm, &b, ISAKMP_EXCH_QUICK);
	h = isakmp_put_hash(&b, NULL, ike_hash_len(hash_alg(qm)));
	/* HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b): nothing follows it. */
	parts[0] = IKE_CHUNK(&zero, 1);
	parts[1] = IKE_CHUNK(&mid, 4);
	parts[2] = IKE_CHUNK(qm->ni.data, qm->ni.len);
	{
		struct ike_chunk nr = IKE_CHUNK(qm->nr.data, qm->nr.len);
		struct ike_chunk all[] = { parts[0], parts[1], parts[2], nr };

		ret = isakmp_msg_end(&b);
		if (!ret)
			ret = ike_prf(hash_alg(qm), qm->p1->keys.skeyid_a->data,
				      qm->p1->keys.skeyid_a->len, all, 4, b.p + h + 4);
	}
	if (ret)
		return fail(qm, ret, "HASH(3) failed");
	ret = ike_cbc_encrypt(qm->p1->enc_key, qm->iv, b.p + ISAKMP_HDR_LEN,
			      b.len - ISAKMP_HDR_LEN, b.p + ISAKMP_HDR_LEN, qm->iv);
	if (ret)
		return fail(qm, ret, "encryption failed");
	qm->out_len = ISAKMP_HDR_LEN + ike_cbc_padded_len(b.len - ISAKMP_HDR_LEN);
	isakmp_hdr_set_length(qm->out, (uint32_t)qm->out_len);
	qm_state_set(qm, QM_DONE);
	return 0;
}

/* Message 3 at the responder. */
static int qm_r2(struct qm *qm, const struct in *in)
{
	uint32_t mid = htonl(qm->msgid);
	uint8_t zero = 0;
	struct ike_chunk parts[] = {
		IKE_CHUNK(&zero, 1), IKE_CHUNK(&mid, 4), IKE_CHUNK(qm->ni.data, qm->ni.len),
		IKE_CHUNK(qm->nr.data, qm->nr.len),
	};
	int ret = hash_check(qm, in, parts, 4);

	if (ret)
		return ret;
	memcpy(qm->iv, in->next_iv, sizeof(qm->iv));
	qm->out_len = 0;
	qm_state_set(qm, QM_DONE);
	return 0;
}

int qm_input(struct qm *qm, const struct ike_msg *msg)
{
	uint8_t digest[IKE_HASH_MAX_LEN] = { 0 };
	struct ike_chunk part = IKE_CHUNK(msg->buf, msg->len);
	struct in *in;
	int ret;

	if (ike_hash(IKE_HASH_SHA2_256, &part, 1, digest))
		return -EIO;
	if (qm->have_last_in && !memcmp(digest, qm->last_in_hash, sizeof(digest)))
		return 1;
	if (msg->hdr.exchange != ISAKMP_EXCH_QUICK || msg->hdr.msgid != qm->msgid)
		return -EPROTO;
	in = malloc(sizeof(*in));
	if (!in)
		return -ENOMEM;
	ret = in_parse(qm, msg, in);
	if (!ret) {
		switch (qm->state) {
		case QM_NEW: ret = qm_r1(qm, in); break;
		case QM_I1: ret = qm_i2(qm, in); break;
		case QM_R1: ret = qm_r2(qm, in); break;
		default: ret = -EPROTO; break;
		}
	}
	OPENSSL_cleanse(in->plain, sizeof(in->plain));
	free(in);
	if (!ret || qm->state == QM_DEAD) {
		memcpy(qm->last_in_hash, digest, sizeof(digest));
		qm->have_last_in = true;
	}
	return ret;
}

struct qm *qm_respond(struct ike_sa *p1, const struct ike_msg *msg, uint32_t spi_in)
{
	struct qm *qm;

	if (p1->state != IKE_ESTABLISHED) {
		errno = EPROTO;
		return NULL;
	}
	if (ike_msgid_seen(p1, msg->hdr.msgid)) {
		errno = EALREADY;
		return NULL;
	}
	qm = qm_new(p1, false, msg->hdr.msgid, spi_in);
	if (qm)
		qm_input(qm, msg);
	return qm;
}

void qm_free(struct qm *qm)
{
	if (!qm)
		return;
	dh_free(qm->dh);
	ike_secret_free(qm->keys_in);
	ike_secret_free(qm->keys_out);
	OPENSSL_cleanse(qm, sizeof(*qm));
	free(qm);
}
