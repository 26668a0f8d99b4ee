// SPDX-License-Identifier: GPL-2.0
/*
 * IKEv1 phase 1 with pre-shared keys: main mode and aggressive mode, initiator and
 * responder (RFC 2409 5, 5.4). See ike.h for the states.
 *
 * Every received message goes: duplicate check -> header/exchange check -> decrypt (into
 * a scratch copy) -> payload chain -> payload decode -> meaning (proposal, keys, hash) ->
 * state change -> reply. The CBC IV and the SA's state change only after the whole
 * message was accepted, so a forged or broken message changes nothing.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/crypto.h>

#include "auth.h"
#include "ike.h"
#include "info.h"
#include "log.h"
#include "net.h"

unsigned long ike_transitions[IKE_STATE_COUNT][IKE_STATE_COUNT];

_Static_assert((int)DH_MAX_PUBLIC_LEN >= (int)ISAKMP_NONCE_MAX, "ike_bytes holds nonces");

static const char *const state_names[IKE_STATE_COUNT] = {
	[IKE_NEW] = "NEW",
	[IKE_MM_I1] = "MM_I1",
	[IKE_MM_I2] = "MM_I2",
	[IKE_MM_I3] = "MM_I3",
	[IKE_MM_R1] = "MM_R1",
	[IKE_MM_R2] = "MM_R2",
	[IKE_AM_I1] = "AM_I1",
	[IKE_AM_R1] = "AM_R1",
	[IKE_ESTABLISHED] = "ESTABLISHED",
	[IKE_DEAD] = "DEAD",
};

const char *ike_state_name(enum ike_state state)
{
	return state < IKE_STATE_COUNT ? state_names[state] : "?";
}

/* The moves the exchanges make; anything else is a bug. */
static bool legal(enum ike_state from, enum ike_state to)
{
	if (to == IKE_DEAD)
		return from != IKE_DEAD;
	switch (from) {
	case IKE_NEW:
		return to == IKE_MM_I1 || to == IKE_MM_R1 || to == IKE_AM_I1 || to == IKE_AM_R1;
	case IKE_MM_I1:
		return to == IKE_MM_I2;
	case IKE_MM_I2:
		return to == IKE_MM_I3;
	case IKE_MM_R1:
		return to == IKE_MM_R2;
	case IKE_MM_I3:
	case IKE_MM_R2:
	case IKE_AM_I1:
	case IKE_AM_R1:
		return to == IKE_ESTABLISHED;
	default:
		return false;
	}
}

unsigned long ike_moves_refused;

/*
 * The one way an SA's state changes. A move the exchanges never make is a bug: refused,
 * logged and counted, the SA left as it was (a daemon serving other peers goes on).
 */
bool ike_state_set(struct ike_sa *sa, enum ike_state to)
{
	if (!legal(sa->state, to)) {
		log_ctx_err(sa->conf->name, "phase 1: illegal move %s -> %s refused (a bug)",
			    ike_state_name(sa->state), ike_state_name(to));
		ike_moves_refused++;
		return false;
	}
	log_ctx_debug(sa->conf->name, "phase 1 %s -> %s", ike_state_name(sa->state),
		      ike_state_name(to));
	ike_transitions[sa->state][to]++;
	sa->state = to;
	return true;
}

static int fail(struct ike_sa *sa, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Ends the SA: DEAD, with the reason. Returns err for the caller to pass on. */
static int fail(struct ike_sa *sa, int err, const char *fmt, ...)
{
	char why[IKE_WHY_MAX];		/* the arguments may be sa->why itself */
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	memcpy(sa->why, why, sizeof(why));
	if (sa->state != IKE_DEAD)
		ike_state_set(sa, IKE_DEAD);
	sa->out_len = 0;
	/* A dead SA needs no keys: wipe them now rather than when it is freed. */
	dh_free(sa->dh);
	sa->dh = NULL;
	ike_phase1_keys_free(&sa->keys);
	ike_secret_free(sa->enc_key);
	sa->enc_key = NULL;
	return err;
}

/* --- Proposals ------------------------------------------------------------------------ */

enum {
	ATTRS_PER_TRANSFORM = 7,
};

/* The phase-1 authentication method attribute of the tunnel's auth. */
static uint16_t auth_method(const struct tunnel *conf)
{
	return conf->auth == TUNNEL_AUTH_CERT ? ISAKMP_AUTH_RSA_SIG : ISAKMP_AUTH_PSK;
}

/* Our transforms, one per IKE proposal of the tunnel, in its order (RFC 2409 5: phase 1
 * offers one proposal whose transforms are the alternatives). */
struct offer {
	struct isakmp_proposal prop;
	struct isakmp_transform t[PROPOSALS_MAX];
	struct isakmp_attr a[PROPOSALS_MAX][ATTRS_PER_TRANSFORM];
};

static void offer_build(const struct tunnel *conf, struct offer *o)
{
	unsigned int i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < conf->ike.count; i++) {
		const struct ike_proposal *p = &conf->ike.p[i];
		struct isakmp_attr *a = o->a[i];

		a[0] = ISAKMP_ATTR(ISAKMP_P1_ENC, p->enc);
		a[1] = ISAKMP_ATTR(ISAKMP_P1_KEY_LENGTH, p->enc_bits);
		a[2] = ISAKMP_ATTR(ISAKMP_P1_HASH, p->hash);
		a[3] = ISAKMP_ATTR(ISAKMP_P1_AUTH, auth_method(conf));
		a[4] = ISAKMP_ATTR(ISAKMP_P1_GROUP_DESC, p->group);
		a[5] = ISAKMP_ATTR(ISAKMP_P1_LIFE_TYPE, ISAKMP_LIFE_SECONDS);
		a[6] = ISAKMP_ATTR(ISAKMP_P1_LIFE_DURATION, conf->ike_lifetime);
		o->t[i] = (struct isakmp_transform){
			.number = (uint8_t)(i + 1), .id = ISAKMP_KEY_IKE,
			.nattrs = ATTRS_PER_TRANSFORM, .attrs = a,
		};
	}
	o->prop = (struct isakmp_proposal){
		.number = 1, .proto = ISAKMP_PROTO_ISAKMP, .ntransforms = conf->ike.count,
		.transforms = o->t,
	};
}

/* What one offered transform says; values we do not know stay 0. */
static int transform_read(const struct isakmp_transform *t, struct ike_chosen *c,
			  uint16_t *enc, char *why, size_t len)
{
	struct isakmp_err err;
	unsigned int i;
	uint64_t v;
	uint16_t life_type = 0;

	memset(c, 0, sizeof(*c));
	*enc = 0;
	for (i = 0; i < t->nattrs; i++) {
		const struct isakmp_attr *a = &t->attrs[i];

		if (isakmp_attr_u64(a, &v, &err)) {
			snprintf(why, len, "%s", err.msg);
			return -EBADMSG;
		}
		switch (a->type) {
		case ISAKMP_P1_ENC: *enc = (uint16_t)v; break;
		case ISAKMP_P1_KEY_LENGTH: c->enc_bits = (uint16_t)v; break;
		case ISAKMP_P1_HASH: c->hash = (uint16_t)v; break;
		case ISAKMP_P1_AUTH: c->auth = (uint16_t)v; break;
		case ISAKMP_P1_GROUP_DESC: c->group = (uint16_t)v; break;
		case ISAKMP_P1_LIFE_TYPE: life_type = (uint16_t)v; break;
		case ISAKMP_P1_LIFE_DURATION:
			/* Kilobyte lifetimes are not kept: we expire phase 1 by time only. */
			if (life_type == ISAKMP_LIFE_SECONDS)
				c->lifetime = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
			break;
		default:
			snprintf(why, len, "attribute %s (%u) is not supported",
				 isakmp_p1_attr_name(a->type), a->type);
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

/*
 * Whether offered transform c (with encryption enc) is our proposal p; if not, why, named
 * by the first attribute that differs.
 */
static bool transform_matches(const struct tunnel *conf, const struct ike_chosen *c,
			      uint16_t enc, const struct ike_proposal *p, char *why, size_t len)
{
	if (enc != p->enc)
		snprintf(why, len, "encryption %s, we want %s", isakmp_p1_enc_name(enc),
			 isakmp_p1_enc_name(p->enc));
	else if (c->enc_bits != p->enc_bits)
		snprintf(why, len, "key length %u, we want %u", c->enc_bits, p->enc_bits);
	else if (c->hash != p->hash)
		snprintf(why, len, "hash %s, we want %s", isakmp_p1_hash_name(c->hash),
			 isakmp_p1_hash_name(p->hash));
	else if (c->auth != auth_method(conf))
		snprintf(why, len, "authentication %s, we want %s", isakmp_p1_auth_name(c->auth),
			 isakmp_p1_auth_name(auth_method(conf)));
	else if (c->group != p->group)
		snprintf(why, len, "DH group %s, we want %s", isakmp_group_name(c->group),
			 isakmp_group_name(p->group));
	else
		return true;
	return false;
}

/*
 * The first offered transform (the peer's preference) that is one of our proposals; -1
 * if none, with why naming what failed in the first transform against our first proposal.
 */
static int transform_choose(const struct tunnel *conf, const struct isakmp_proposal *prop,
			    struct ike_chosen *chosen, char *why, size_t len)
{
	char first[IKE_WHY_MAX] = "none offered", tmp[IKE_WHY_MAX];
	unsigned int i, j;

	for (i = 0; i < prop->ntransforms; i++) {
		struct ike_chosen c;
		uint16_t enc;

		if (prop->transforms[i].id != ISAKMP_KEY_IKE)
			snprintf(tmp, sizeof(tmp), "transform id %u is not KEY_IKE",
				 prop->transforms[i].id);
		else if (transform_read(&prop->transforms[i], &c, &enc, tmp, sizeof(tmp)) == 0)
			for (j = 0; j < conf->ike.count; j++) {
				if (transform_matches(conf, &c, enc, &conf->ike.p[j], tmp,
						      sizeof(tmp))) {
					if (!c.lifetime || c.lifetime > conf->ike_lifetime)
						c.lifetime = conf->ike_lifetime;
					*chosen = c;
					return (int)i;
				}
				if (j == 0 && i == 0)
					snprintf(first, sizeof(first), "%s", tmp);
			}
		if (i == 0 && prop->transforms[i].id != ISAKMP_KEY_IKE)
			snprintf(first, sizeof(first), "%s", tmp);
	}
	snprintf(why, len, "no acceptable transform among %u offered (the first has %s)",
		 prop->ntransforms, first);
	return -1;
}

/* The SA payload of a phase-1 offer: one ISAKMP proposal. */
static const struct isakmp_proposal *offer_proposal(const struct isakmp_sa *sa, char *why,
						    size_t len)
{
	if (sa->nproposals != 1 || sa->proposals[0].proto != ISAKMP_PROTO_ISAKMP) {
		snprintf(why, len, "phase 1 needs one ISAKMP proposal, got %u (protocol %s)",
			 sa->nproposals, isakmp_proto_name(sa->proposals[0].proto));
		return NULL;
	}
	return &sa->proposals[0];
}

/* --- Messages out ------------------------------------------------------------------- */

static void hdr_init(const struct ike_sa *sa, struct isakmp_hdr *hdr, uint8_t exchange,
		     uint8_t flags, uint32_t msgid)
{
	memset(hdr, 0, sizeof(*hdr));
	memcpy(hdr->icookie, sa->cky_i, ISAKMP_COOKIE_LEN);
	memcpy(hdr->rcookie, sa->cky_r, ISAKMP_COOKIE_LEN);
	hdr->exchange = exchange;
	hdr->flags = flags;
	hdr->msgid = msgid;
}

static uint8_t exchange_of(const struct ike_sa *sa)
{
	return sa->aggressive ? ISAKMP_EXCH_AGGRESSIVE : ISAKMP_EXCH_IDPROT;
}

static void msg_begin(struct ike_sa *sa, struct isakmp_buf *b, bool encrypted)
{
	struct isakmp_hdr hdr;

	hdr_init(sa, &hdr, exchange_of(sa), encrypted ? ISAKMP_FLAG_ENC : 0, 0);
	isakmp_buf_init(b, sa->out, sizeof(sa->out));
	isakmp_msg_begin(b, &hdr);
}

/* Ends the message in sa->out; encrypted ones are padded and encrypted with sa->iv. */
static int msg_end(struct ike_sa *sa, struct isakmp_buf *b, bool encrypted)
{
	size_t body, padded;
	int ret;

	ret = isakmp_msg_end(b);
	if (ret)	/* a payload that could not be built says why */
		return fail(sa, ret, "%s", sa->why[0] ? sa->why : "our message does not fit");
	sa->out_len = b->len;
	if (!encrypted)
		return 0;
	body = b->len - ISAKMP_HDR_LEN;
	padded = ike_cbc_padded_len(body);
	if (ISAKMP_HDR_LEN + padded > sizeof(sa->out))
		return fail(sa, -ENOBUFS, "our message does not fit");
	ret = ike_cbc_encrypt(sa->enc_key, sa->iv, sa->out + ISAKMP_HDR_LEN, body,
			      sa->out + ISAKMP_HDR_LEN, sa->iv);
	if (ret)
		return fail(sa, ret, "encryption failed");
	sa->out_len = ISAKMP_HDR_LEN + padded;
	isakmp_hdr_set_length(sa->out, (uint32_t)sa->out_len);
	return 0;
}

/* An unencrypted notify to the peer (before keys exist): an informational exchange. */
static void notify_plain(struct ike_sa *sa, uint16_t type)
{
	struct isakmp_notify n = {
		.doi = ISAKMP_DOI_IPSEC, .proto = ISAKMP_PROTO_ISAKMP, .type = type,
	};
	struct isakmp_hdr hdr;
	struct isakmp_buf b;
	uint32_t msgid;

	if (getrandom(&msgid, sizeof(msgid), 0) != sizeof(msgid))
		msgid = 1;
	hdr_init(sa, &hdr, ISAKMP_EXCH_INFO, 0, msgid | 1);
	isakmp_buf_init(&b, sa->out, sizeof(sa->out));
	isakmp_msg_begin(&b, &hdr);
	isakmp_put_notify(&b, &n);
	sa->out_len = isakmp_msg_end(&b) ? 0 : b.len;
}

static int put_sa_offer(struct ike_sa *sa, struct isakmp_buf *b)
{
	struct offer o;
	size_t h, plen;

	offer_build(sa->conf, &o);
	h = isakmp_put_sa(b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY, &o.prop, 1);
	if (b->overflow || b->invalid)
		return -ENOBUFS;
	plen = ((size_t)b->p[h + 2] << 8 | b->p[h + 3]) - 4;
	if (plen > sizeof(sa->sai_b))
		return -ENOBUFS;
	memcpy(sa->sai_b, b->p + h + 4, plen);
	sa->sai_len = plen;
	return 0;
}

/* The responder's answer: the offer's proposal with the one transform chosen. */
static void put_sa_choice(struct isakmp_buf *b, const struct isakmp_proposal *offered,
			  unsigned int choice)
{
	struct isakmp_proposal p = *offered;

	p.ntransforms = 1;
	p.transforms = &offered->transforms[choice];
	isakmp_put_sa(b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY, &p, 1);
}

/*
 * Our ID body as the ID payload carries it and HASH_I/R take it: type, protocol and port
 * (zero in phase 1, RFC 2407 4.6.2), data. With certificates the ID comes from them
 * (auth.c: the subject, or what the cert confirms); a DN given as text goes out in DER.
 * Its length, 0 if the DN does not encode (with why).
 */
static size_t id_body(struct ike_sa *sa, uint8_t *out)
{
	const uint8_t *data = sa->conf->local_id.data;
	size_t len = sa->conf->local_id.len;
	uint8_t type = sa->conf->local_id.type;
	char err[128];

	out[0] = type;
	out[1] = 0;
	out[2] = 0;
	out[3] = 0;
	if (sa->creds) {
		auth_our_id(sa->creds, &type, &data, &len);
		out[0] = type;
	} else if (type == TUNNEL_ID_DER_ASN1_DN) {
		len = IKE_ID_BODY_MAX - 4;
		if (auth_dn_from_text((const char *)data, out + 4, &len, err, sizeof(err))) {
			snprintf(sa->why, sizeof(sa->why), "local-id: %s", err);
			return 0;
		}
		return 4 + len;
	}
	memcpy(out + 4, data, len);
	return 4 + len;
}

/* The ID payload of a body id_body() made. */
static void put_id_body(struct isakmp_buf *b, const uint8_t *id_b, size_t id_len)
{
	struct isakmp_id id = { .type = id_b[0], .data = id_b + 4, .len = id_len - 4 };

	isakmp_put_id(b, &id);
}

static int ke_nonce_make(struct ike_sa *sa, struct ike_bytes *ke, struct ike_bytes *nonce)
{
	const uint8_t *pub;
	size_t len;

	sa->dh = dh_new(sa->chosen.group, sa->conf->weak_groups);
	if (!sa->dh)
		return -errno;
	pub = dh_public(sa->dh, &len);
	memcpy(ke->data, pub, len);
	ke->len = len;
	nonce->len = IKE_NONCE_LEN;
	if (getrandom(nonce->data, nonce->len, 0) != (ssize_t)nonce->len)
		return -EIO;
	return 0;
}

static void put_ke_nonce(struct isakmp_buf *b, const struct ike_bytes *ke,
			 const struct ike_bytes *nonce)
{
	isakmp_put_ke(b, ke->data, ke->len);
	isakmp_put_nonce(b, nonce->data, nonce->len);
}

/* --- Keys --------------------------------------------------------------------------- */

/* g^xy from the peer's KE, then SKEYID..., the encryption key and the first IV. */
static int keys_derive(struct ike_sa *sa, const struct ike_bytes *peer_ke)
{
	uint8_t gxy[DH_MAX_SECRET_LEN];
	size_t gxy_len = sizeof(gxy);
	struct ike_chunk psk = IKE_CHUNK(sa->conf->psk, sa->conf->psk_len);
	bool sig = sa->conf->auth == TUNNEL_AUTH_CERT;
	struct ike_phase1_input in;
	int ret;

	ret = dh_compute(sa->dh, peer_ke->data, peer_ke->len, gxy, &gxy_len);
	if (ret)
		return ret;
	in = (struct ike_phase1_input){
		.alg = sa->chosen.hash,
		.ni_b = IKE_CHUNK(sa->ni.data, sa->ni.len),
		.nr_b = IKE_CHUNK(sa->nr.data, sa->nr.len),
		.gxy = IKE_CHUNK(gxy, gxy_len),
		.cky_i = sa->cky_i, .cky_r = sa->cky_r,
	};
	ret = ike_phase1_derive(&in, sig ? NULL : &psk, &sa->keys);
	OPENSSL_cleanse(gxy, sizeof(gxy));
	if (!ret)
		ret = ike_phase1_enc_key(sa->chosen.hash, sa->keys.skeyid_e,
					 sa->chosen.enc_bits / 8, &sa->enc_key);
	if (!ret)
		ret = ike_iv_phase1(sa->chosen.hash, IKE_CHUNK(sa->gxi.data, sa->gxi.len),
				    IKE_CHUNK(sa->gxr.data, sa->gxr.len), sa->iv);
	dh_free(sa->dh);
	sa->dh = NULL;
	return ret;
}

/* HASH_I (initiator's, of its ID) or HASH_R. */
static int auth_hash(const struct ike_sa *sa, bool of_initiator, const uint8_t *id_b,
		     size_t id_len, uint8_t *out)
{
	struct ike_auth_input in = {
		.gxi = IKE_CHUNK(sa->gxi.data, sa->gxi.len),
		.gxr = IKE_CHUNK(sa->gxr.data, sa->gxr.len),
		.cky_i = sa->cky_i, .cky_r = sa->cky_r,
		.sai_b = IKE_CHUNK(sa->sai_b, sa->sai_len),
		.idii_b = IKE_CHUNK(id_b, id_len),
		.idir_b = IKE_CHUNK(id_b, id_len),
	};

	return of_initiator ? ike_auth_hash_i(sa->chosen.hash, sa->keys.skeyid, &in, out) :
			      ike_auth_hash_r(sa->chosen.hash, sa->keys.skeyid, &in, out);
}

/* Our ID and its proof: HASH with a pre-shared key; CERT and SIG with certificates. */
static void put_auth(struct ike_sa *sa, struct isakmp_buf *b)
{
	uint8_t id_b[IKE_ID_BODY_MAX], hash[IKE_HASH_MAX_LEN], sig[AUTH_SIG_MAX];
	size_t id_len = id_body(sa, id_b), sig_len = sizeof(sig);
	struct isakmp_cert cert = { .encoding = ISAKMP_CERT_X509_SIG };

	if (!id_len) {
		b->invalid = true;
		return;
	}
	put_id_body(b, id_b, id_len);
	if (auth_hash(sa, sa->initiator, id_b, id_len, hash)) {
		b->invalid = true;
		return;
	}
	if (!sa->creds) {
		isakmp_put_hash(b, hash, ike_hash_len(sa->chosen.hash));
		return;
	}
	auth_our_cert_der(sa->creds, &cert.data, &cert.len);
	isakmp_put_cert(b, ISAKMP_PL_CERT, &cert);
	if (auth_sign(sa->creds, hash, ike_hash_len(sa->chosen.hash), sig, &sig_len))
		b->invalid = true;
	else
		isakmp_put_sig(b, sig, sig_len);
}

/* Certificate requests, one per CA we trust (strongSwan sends its cert only if asked). */
static void put_cert_requests(const struct ike_sa *sa, struct isakmp_buf *b)
{
	struct isakmp_cert cr = { .encoding = ISAKMP_CERT_X509_SIG };
	unsigned int i;

	if (!sa->creds)
		return;
	for (i = 0; !auth_ca_dn(sa->creds, i, &cr.data, &cr.len); i++)
		isakmp_put_cert(b, ISAKMP_PL_CR, &cr);
}

/*
 * RFC 3706's vendor ID (version 1.0): we answer R-U-THERE, and send it when the tunnel
 * has dpd on. Every phase 1 carries it in its first message each way, as strongSwan's and
 * Cisco's do: a peer sends R-U-THERE only to one that announced it.
 */
static const uint8_t dpd_vid[] = {
	0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
	0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00,
};

static void put_dpd_vid(struct isakmp_buf *b)
{
	isakmp_put_vid(b, dpd_vid, sizeof(dpd_vid));
}

/* NAT-T for this tunnel: not turned off, and IPv4 (ESP in UDP is the module's for IPv4). */
static bool natt_wanted(const struct tunnel *conf)
{
	return conf->nat_t != TUNNEL_NAT_T_NO && conf->local.family == AF_INET;
}

/*
 * NAT-T's vendor ID: an initiator announces RFC 3947; a responder answers in the version
 * it took from the peer's, so a peer that spoke only a draft hears its own.
 */
static void put_natt_vid(const struct ike_sa *sa, struct isakmp_buf *b)
{
	enum natt_version v = sa->initiator || !sa->natt ? NATT_RFC : sa->natt;

	if (natt_wanted(sa->conf))
		isakmp_put_vid(b, natt_vid(v), NATT_VID_LEN);
}

/*
 * NAT-D (RFC 3947 3.2): the hash of where the message goes, then of where it comes from.
 * With nat-t force the second is random: the peer sees us behind a NAT and encapsulates
 * too (as strongSwan's forceencaps does).
 */
static void put_natd(struct ike_sa *sa, struct isakmp_buf *b)
{
	enum ike_hash_alg alg = sa->chosen.hash;
	size_t len = ike_hash_len(alg);
	uint8_t type = natt_natd_type(sa->natt);
	uint8_t h[IKE_HASH_MAX_LEN];

	if (!sa->natt || !sa->local.ss_family)
		return;
	if (natt_hash(alg, sa->cky_i, sa->cky_r, &sa->remote, h)) {
		b->invalid = true;
		return;
	}
	isakmp_put_bytes(b, type, h, len);
	if (sa->conf->nat_t == TUNNEL_NAT_T_FORCE) {
		if (getrandom(h, len, 0) != (ssize_t)len)
			b->invalid = true;
	} else if (natt_hash(alg, sa->cky_i, sa->cky_r, &sa->local, h)) {
		b->invalid = true;
	}
	isakmp_put_bytes(b, type, h, len);
}

/*
 * INITIAL-CONTACT (RFC 2407 4.6.3.3) after an initiator's proof, protected with it: we
 * hold no other SA with the peer, so whatever it holds with us is stale.
 */
static void put_initial_contact(const struct ike_sa *sa, struct isakmp_buf *b)
{
	uint8_t spi[2 * ISAKMP_COOKIE_LEN];
	struct isakmp_notify n = {
		.doi = ISAKMP_DOI_IPSEC, .proto = ISAKMP_PROTO_ISAKMP,
		.type = ISAKMP_N_INITIAL_CONTACT, .spi = spi, .spi_size = sizeof(spi),
	};

	if (!sa->initiator || !sa->initial_contact)
		return;
	memcpy(spi, sa->cky_i, ISAKMP_COOKIE_LEN);
	memcpy(spi + ISAKMP_COOKIE_LEN, sa->cky_r, ISAKMP_COOKIE_LEN);
	isakmp_put_notify(b, &n);
}

/* --- Messages in -------------------------------------------------------------------- */

/* A received message taken apart: the chain, over a decrypted copy when encrypted. */
struct in {
	struct isakmp_chain chain;
	uint8_t plain[ISAKMP_MSG_MAX];
	uint8_t next_iv[IKE_CBC_BLOCK_LEN];
	bool encrypted;
};

static int in_parse(struct ike_sa *sa, const struct ike_msg *msg, struct in *in)
{
	const uint8_t *body = msg->buf + ISAKMP_HDR_LEN;
	size_t len = msg->len - ISAKMP_HDR_LEN;
	struct isakmp_err err;
	unsigned int flags = 0;

	in->encrypted = msg->hdr.flags & ISAKMP_FLAG_ENC;
	if (in->encrypted) {
		if (!sa->enc_key) {
			snprintf(sa->why, sizeof(sa->why), "encrypted message before the keys");
			return -EPROTO;
		}
		if (ike_cbc_decrypt(sa->enc_key, sa->iv, body, len, in->plain, in->next_iv)) {
			snprintf(sa->why, sizeof(sa->why), "cannot decrypt %zu bytes", len);
			return -EBADMSG;
		}
		body = in->plain;
		flags = ISAKMP_CHAIN_PADDED;
	}
	if (isakmp_chain_parse(msg->hdr.next, body, len, flags, &in->chain, &err)) {
		snprintf(sa->why, sizeof(sa->why), "%s", err.msg);
		return -EBADMSG;
	}
	return 0;
}

/* The one payload of a type a message must have. */
static const struct isakmp_payload *need(struct ike_sa *sa, const struct in *in, uint8_t type)
{
	const struct isakmp_payload *p = isakmp_chain_find(&in->chain, type, 0);

	if (!p)
		snprintf(sa->why, sizeof(sa->why), "no %s payload", isakmp_payload_name(type));
	return p;
}

static int bytes_take(struct ike_sa *sa, const struct in *in, uint8_t type,
		      struct ike_bytes *out)
{
	const struct isakmp_payload *p = need(sa, in, type);
	struct isakmp_bytes v;
	struct isakmp_err err;
	int ret;

	if (!p)
		return -EBADMSG;
	ret = type == ISAKMP_PL_NONCE ? isakmp_nonce_decode(p, &v, &err) :
					isakmp_ke_decode(p, &v, &err);
	if (ret || v.len > sizeof(out->data)) {
		snprintf(sa->why, sizeof(sa->why), "%s", ret ? err.msg : "KE too long");
		return -EBADMSG;
	}
	memcpy(out->data, v.data, v.len);
	out->len = v.len;
	return 0;
}

/* The peer's KE: of the length its group needs. */
static int ke_take(struct ike_sa *sa, const struct in *in, struct ike_bytes *ke)
{
	int ret = bytes_take(sa, in, ISAKMP_PL_KE, ke);

	if (!ret && ke->len != dh_public_len(sa->chosen.group)) {
		snprintf(sa->why, sizeof(sa->why), "KE of %zu bytes for %s (%zu expected)",
			 ke->len, isakmp_group_name(sa->chosen.group),
			 dh_public_len(sa->chosen.group));
		return -EBADMSG;
	}
	return ret;
}

/* A DN as auth.c compares them (the remote-id's text parsed), never as text bytes. */
static bool id_equal(const struct isakmp_id *id, const struct tunnel_id *want)
{
	return want->type == TUNNEL_ID_ANY ||
	       (id->type == want->type && auth_id_equal(id, want));
}

/* The peer's ID as text for logs: "192.0.2.1", "moon.example", "C=CH, O=nfsec, CN=sun". */
static void peer_text(struct ike_sa *sa, const struct isakmp_id *id)
{
	char *out = sa->peer;
	size_t n = sizeof(sa->peer);

	switch (id->type) {
	case ISAKMP_ID_IPV4_ADDR:
	case ISAKMP_ID_IPV6_ADDR:
		if (id->len == 4 || id->len == 16) {
			inet_ntop(id->len == 4 ? AF_INET : AF_INET6, id->data, out, (socklen_t)n);
			return;
		}
		break;
	case ISAKMP_ID_FQDN:
	case ISAKMP_ID_USER_FQDN:
		snprintf(out, n, "%.*s", (int)(id->len < n ? id->len : n - 1), id->data);
		for (; *out; out++)
			if (*out < 0x20 || *out > 0x7e)
				*out = '?';
		return;
	case ISAKMP_ID_DER_ASN1_DN:
		if (auth_dn_to_text(id->data, id->len, out, n) >= 0)
			return;
		break;
	}
	snprintf(out, n, "%s of %zu bytes", isakmp_id_name(id->type), id->len);
}

/* The peer's ID, CERT and SIG: auth.c checks the chain, the ID and the signature. */
static int auth_check_cert(struct ike_sa *sa, const struct in *in)
{
	const struct isakmp_payload *idp = need(sa, in, ISAKMP_PL_ID);
	const struct isakmp_payload *cp = need(sa, in, ISAKMP_PL_CERT);
	const struct isakmp_payload *sp = need(sa, in, ISAKMP_PL_SIG);
	uint8_t want[IKE_HASH_MAX_LEN];
	struct isakmp_bytes sig;
	struct isakmp_cert cert;
	struct isakmp_err err;
	struct isakmp_id id;
	int ret;

	if (!idp || !cp || !sp) {
		if (idp && !cp)
			snprintf(sa->why, sizeof(sa->why), "the peer sent no certificate");
		return idp && !cp ? -EACCES : -EBADMSG;
	}
	if (isakmp_id_decode(idp, &id, &err) || isakmp_cert_decode(cp, &cert, &err) ||
	    isakmp_sig_decode(sp, &sig, &err)) {
		snprintf(sa->why, sizeof(sa->why), "%s", err.msg);
		return -EBADMSG;
	}
	if (cert.encoding != ISAKMP_CERT_X509_SIG) {
		snprintf(sa->why, sizeof(sa->why), "certificate encoding %s is not X.509",
			 isakmp_cert_name(cert.encoding));
		return -EACCES;
	}
	if (auth_hash(sa, !sa->initiator, idp->data, idp->len, want))
		return -EIO;
	ret = auth_verify(sa->creds, cert.data, cert.len, &id, &sa->conf->remote_id, want,
			  ike_hash_len(sa->chosen.hash), sig.data, sig.len, sa->why,
			  sizeof(sa->why));
	if (!ret)
		peer_text(sa, &id);
	return ret;
}

/* The peer's KE and nonce, into gxr/nr (we initiated) or gxi/ni (we respond). */
static int peer_ke_nonce_take(struct ike_sa *sa, const struct in *in)
{
	int ret = ke_take(sa, in, sa->initiator ? &sa->gxr : &sa->gxi);

	return ret ? ret : bytes_take(sa, in, ISAKMP_PL_NONCE, sa->initiator ? &sa->nr : &sa->ni);
}

/* The peer's ID and HASH: the ID must be who the tunnel says, the hash must verify. */
static int auth_check(struct ike_sa *sa, const struct in *in)
{
	const struct isakmp_payload *idp, *hp;
	uint8_t want[IKE_HASH_MAX_LEN];
	struct isakmp_bytes hash;
	struct isakmp_err err;
	struct isakmp_id id;

	if (sa->creds)
		return auth_check_cert(sa, in);
	idp = need(sa, in, ISAKMP_PL_ID);
	hp = need(sa, in, ISAKMP_PL_HASH);
	if (!idp || !hp)
		return -EBADMSG;
	if (isakmp_id_decode(idp, &id, &err) || isakmp_hash_decode(hp, &hash, &err)) {
		snprintf(sa->why, sizeof(sa->why), "%s", err.msg);
		return -EBADMSG;
	}
	if (!id_equal(&id, &sa->conf->remote_id)) {
		snprintf(sa->why, sizeof(sa->why), "the peer says it is %s of %zu bytes, not "
			 "the remote-id of the tunnel", isakmp_id_name(id.type), id.len);
		return -EACCES;
	}
	if (auth_hash(sa, !sa->initiator, idp->data, idp->len, want) ||
	    hash.len != ike_hash_len(sa->chosen.hash) ||
	    CRYPTO_memcmp(hash.data, want, hash.len)) {
		snprintf(sa->why, sizeof(sa->why), "HASH_%c does not verify: the pre-shared keys "
			 "differ", sa->initiator ? 'R' : 'I');
		return -EACCES;
	}
	peer_text(sa, &id);
	return 0;
}

/*
 * The peer's first message: whether it announced DPD among its vendor IDs, and the best
 * NAT-T it speaks (kept only when we speak it too).
 */
static void vids_take(struct ike_sa *sa, const struct in *in)
{
	const struct isakmp_payload *p;
	struct isakmp_bytes vid;
	struct isakmp_err err;
	enum natt_version v;

	for (unsigned int i = 0; (p = isakmp_chain_find(&in->chain, ISAKMP_PL_VID, i)); i++) {
		if (isakmp_vid_decode(p, &vid, &err))
			continue;
		if (vid.len == sizeof(dpd_vid) && !memcmp(vid.data, dpd_vid, sizeof(dpd_vid)))
			sa->peer_dpd = true;
		v = natt_vid_version(vid.data, vid.len);
		if (natt_wanted(sa->conf) && v > sa->natt)
			sa->natt = (uint8_t)v;
	}
}

enum {
	NATD_MAX = 8,			/* the peer's NAT-D payloads looked at */
};

/*
 * The peer's NAT-D payloads, against the addresses msg reached and came from. NAT-T
 * spoken but no NAT-D sent shows nothing: no NAT is assumed, as strongSwan does.
 */
static int natd_take(struct ike_sa *sa, const struct ike_msg *msg, const struct in *in)
{
	uint8_t type = natt_natd_type(sa->natt), local[IKE_HASH_MAX_LEN];
	uint8_t remote[IKE_HASH_MAX_LEN];
	struct isakmp_bytes natd[NATD_MAX];
	const struct isakmp_payload *p;
	struct isakmp_err err;
	unsigned int n;

	if (!sa->natt || !msg->local || !msg->remote)
		return 0;
	for (n = 0; n < NATD_MAX && (p = isakmp_chain_find(&in->chain, type, n)); n++)
		if (isakmp_natd_decode(p, &natd[n], &err)) {
			snprintf(sa->why, sizeof(sa->why), "NAT-D: %s", err.msg);
			return -EBADMSG;
		}
	if (!n)
		return 0;
	if (natt_hash(sa->chosen.hash, sa->cky_i, sa->cky_r, msg->local, local) ||
	    natt_hash(sa->chosen.hash, sa->cky_i, sa->cky_r, msg->remote, remote))
		return -EIO;
	if (natt_detect(natd, n, local, remote, ike_hash_len(sa->chosen.hash), &sa->nat)) {
		snprintf(sa->why, sizeof(sa->why), "%u NAT-D payload(s), not two or more of "
			 "the hash's length", n);
		return -EBADMSG;
	}
	sa->natd_seen = true;
	if (sa->nat.local || sa->nat.peer)
		log_ctx_info(sa->conf->name, "NAT detected: %s", natt_found_text(&sa->nat));
	else
		log_ctx_debug(sa->conf->name, "no NAT between us and the peer");
	return 0;
}

bool ike_sa_udp(const struct ike_sa *sa)
{
	return sa->natt && (sa->nat.local || sa->nat.peer ||
			    sa->conf->nat_t == TUNNEL_NAT_T_FORCE);
}

/*
 * RFC 3947 4: an initiator that found a NAT (or forces NAT-T) sends its next message, and
 * every one after, from and to NATT_PORT; the responder follows it there.
 */
static void natt_float(struct ike_sa *sa)
{
	if (!sa->initiator || sa->floated || !sa->local.ss_family || !ike_sa_udp(sa))
		return;
	natt_port_set(&sa->local, NATT_PORT);
	natt_port_set(&sa->remote, NATT_PORT);
	sa->floated = true;
}

/* An INITIAL-CONTACT among the notifies that came with the peer's (verified) proof. */
static void initial_contact_take(struct ike_sa *sa, const struct in *in)
{
	const struct isakmp_payload *p;
	struct isakmp_notify n;
	struct isakmp_err err;
	unsigned int i;

	for (i = 0; (p = isakmp_chain_find(&in->chain, ISAKMP_PL_N, i)); i++)
		if (!isakmp_notify_decode(p, &n, &err) && n.type == ISAKMP_N_INITIAL_CONTACT &&
		    n.proto == ISAKMP_PROTO_ISAKMP)
			sa->peer_initial_contact = true;
}

/* Aggressive mode's first message: the initiator's ID, kept for HASH_I, must be the
 * tunnel's remote-id. */
static int peer_id_take(struct ike_sa *sa, const struct in *in)
{
	const struct isakmp_payload *idp = need(sa, in, ISAKMP_PL_ID);
	struct isakmp_err err;
	struct isakmp_id id;

	if (!idp)
		return -EBADMSG;
	if (isakmp_id_decode(idp, &id, &err)) {
		snprintf(sa->why, sizeof(sa->why), "ID: %s", err.msg);
		return -EBADMSG;
	}
	if (idp->len > sizeof(sa->peer_id_b)) {
		snprintf(sa->why, sizeof(sa->why), "ID of %zu bytes, more than %zu", idp->len,
			 sizeof(sa->peer_id_b));
		return -EBADMSG;
	}
	if (!id_equal(&id, &sa->conf->remote_id)) {
		snprintf(sa->why, sizeof(sa->why), "the peer says it is %s of %zu bytes, not "
			 "the remote-id of the tunnel", isakmp_id_name(id.type), id.len);
		return -EACCES;
	}
	memcpy(sa->peer_id_b, idp->data, idp->len);
	sa->peer_id_len = idp->len;
	return 0;
}

/* The offered SA of a first message: parsed, one of our proposals chosen. */
static int offer_take(struct ike_sa *sa, const struct in *in, struct isakmp_sa *offer,
		      int *choice)
{
	const struct isakmp_payload *p = need(sa, in, ISAKMP_PL_SA);
	const struct isakmp_proposal *prop;
	struct isakmp_err err;

	if (!p)
		return -EBADMSG;
	if (isakmp_sa_decode(p, offer, &err)) {
		snprintf(sa->why, sizeof(sa->why), "SA: %s", err.msg);
		return -EBADMSG;
	}
	if (p->len > sizeof(sa->sai_b))
		return -EBADMSG;
	memcpy(sa->sai_b, p->data, p->len);
	sa->sai_len = p->len;
	prop = offer_proposal(offer, sa->why, sizeof(sa->why));
	if (!prop)
		return -ENOENT;
	*choice = transform_choose(sa->conf, prop, &sa->chosen, sa->why, sizeof(sa->why));
	return *choice < 0 ? -ENOENT : 0;
}

/* The responder's SA: one transform, one we offered. */
static int choice_take(struct ike_sa *sa, const struct in *in)
{
	const struct isakmp_payload *p = need(sa, in, ISAKMP_PL_SA);
	const struct isakmp_proposal *prop;
	struct isakmp_sa *got;
	struct isakmp_err err;
	int ret = -EBADMSG;
	int i;

	got = malloc(sizeof(*got));
	if (!got)
		return -ENOMEM;
	if (!p || isakmp_sa_decode(p, got, &err)) {
		if (p)
			snprintf(sa->why, sizeof(sa->why), "SA: %s", err.msg);
		goto out;
	}
	prop = offer_proposal(got, sa->why, sizeof(sa->why));
	if (!prop)
		goto out;
	if (prop->ntransforms != 1) {
		snprintf(sa->why, sizeof(sa->why), "the responder chose %u transforms",
			 prop->ntransforms);
		goto out;
	}
	i = transform_choose(sa->conf, prop, &sa->chosen, sa->why, sizeof(sa->why));
	ret = i < 0 ? -ENOENT : 0;
	if (ret)
		snprintf(sa->why, sizeof(sa->why), "the responder chose a transform we did "
			 "not offer");
out:
	free(got);
	return ret;
}

/*
 * The offer of a first message with one transform chosen: the decoded SA, which the
 * caller frees; or NULL with *err, the SA dead and NO-PROPOSAL-CHOSEN for the peer.
 */
static struct isakmp_sa *offer_choose(struct ike_sa *sa, const struct in *in, int *choice,
				      int *err)
{
	struct isakmp_sa *offer = malloc(sizeof(*offer));

	if (!offer) {
		*err = -ENOMEM;
		return NULL;
	}
	*err = offer_take(sa, in, offer, choice);
	if (!*err)
		return offer;
	free(offer);
	fail(sa, *err, "NO-PROPOSAL-CHOSEN: %s", sa->why);
	notify_plain(sa, ISAKMP_N_NO_PROPOSAL_CHOSEN);
	return NULL;
}

/* --- Main mode ---------------------------------------------------------------------- */

/* MM_I1: the offer. */
static int mm_i1(struct ike_sa *sa)
{
	struct isakmp_buf b;

	msg_begin(sa, &b, false);
	if (put_sa_offer(sa, &b))
		return fail(sa, -ENOBUFS, "our offer does not fit");
	put_dpd_vid(&b);
	put_natt_vid(sa, &b);
	ike_state_set(sa, IKE_MM_I1);
	return msg_end(sa, &b, false);
}

/* MM_I1 -> MM_I2: got the responder's choice; KE and Ni go out. */
static int mm_i2(struct ike_sa *sa, const struct ike_msg *msg, const struct in *in)
{
	struct isakmp_buf b;
	int ret;

	memcpy(sa->cky_r, msg->hdr.rcookie, ISAKMP_COOKIE_LEN);
	ret = choice_take(sa, in);
	if (ret)
		return fail(sa, ret, "%s", sa->why);
	vids_take(sa, in);
	ret = ke_nonce_make(sa, &sa->gxi, &sa->ni);
	if (ret)
		return fail(sa, ret, "no DH key for %s", isakmp_group_name(sa->chosen.group));
	msg_begin(sa, &b, false);
	put_ke_nonce(&b, &sa->gxi, &sa->ni);
	put_cert_requests(sa, &b);
	put_natd(sa, &b);
	ike_state_set(sa, IKE_MM_I2);
	return msg_end(sa, &b, false);
}

/*
 * MM_I2 -> MM_I3: got KE, Nr (and NAT-D); keys; ID and HASH_I go out encrypted, from
 * NATT_PORT if a NAT showed.
 */
static int mm_i3(struct ike_sa *sa, const struct ike_msg *msg, const struct in *in)
{
	struct isakmp_buf b;
	int ret;

	ret = peer_ke_nonce_take(sa, in);
	if (!ret)
		ret = natd_take(sa, msg, in);
	if (ret)
		return ret;
	natt_float(sa);
	ret = keys_derive(sa, &sa->gxr);
	if (ret)
		return fail(sa, ret, "key derivation failed (the peer's KE was refused)");
	msg_begin(sa, &b, true);
	put_auth(sa, &b);
	put_initial_contact(sa, &b);
	ike_state_set(sa, IKE_MM_I3);
	return msg_end(sa, &b, true);
}

/* MM_I3 -> ESTABLISHED: the responder proved it knows the key. */
static int mm_i4(struct ike_sa *sa, const struct in *in)
{
	int ret;

	/*
	 * In clear it would leave sa->iv, where phase 2's IVs start, as nothing decrypted
	 * it; and anyone who saw the cookies can send one: dropped, the SA kept.
	 */
	if (!in->encrypted) {
		snprintf(sa->why, sizeof(sa->why), "main mode message 6 was not encrypted");
		return -EPROTO;
	}
	ret = auth_check(sa, in);

	if (ret == -EACCES)
		return fail(sa, ret, "%s", sa->why);
	if (ret)
		return ret;
	initial_contact_take(sa, in);
	memcpy(sa->iv, in->next_iv, sizeof(sa->iv));
	ike_state_set(sa, IKE_ESTABLISHED);
	sa->out_len = 0;
	return 0;
}

/* NEW -> MM_R1: the initiator's offer; our choice goes back. */
static int mm_r1(struct ike_sa *sa, const struct in *in)
{
	struct isakmp_buf b;
	struct isakmp_sa *offer;
	int choice, ret;

	offer = offer_choose(sa, in, &choice, &ret);
	if (!offer)
		return ret;
	vids_take(sa, in);
	msg_begin(sa, &b, false);
	put_sa_choice(&b, &offer->proposals[0], (unsigned int)choice);
	free(offer);
	put_dpd_vid(&b);
	put_natt_vid(sa, &b);
	ike_state_set(sa, IKE_MM_R1);
	return msg_end(sa, &b, false);
}

/* MM_R1 -> MM_R2: KE and Ni (and NAT-D) in; KE and Nr (and NAT-D) out; keys. */
static int mm_r2(struct ike_sa *sa, const struct ike_msg *msg, const struct in *in)
{
	struct isakmp_buf b;
	int ret;

	ret = peer_ke_nonce_take(sa, in);
	if (!ret)
		ret = natd_take(sa, msg, in);
	if (ret)
		return ret;
	ret = ke_nonce_make(sa, &sa->gxr, &sa->nr);
	if (!ret)
		ret = keys_derive(sa, &sa->gxi);
	if (ret)
		return fail(sa, ret, "key derivation failed (the peer's KE was refused)");
	msg_begin(sa, &b, false);
	put_ke_nonce(&b, &sa->gxr, &sa->nr);
	put_cert_requests(sa, &b);
	put_natd(sa, &b);
	ike_state_set(sa, IKE_MM_R2);
	return msg_end(sa, &b, false);
}

/* MM_R2 -> ESTABLISHED: ID and HASH_I verified; ID and HASH_R out. */
static int mm_r3(struct ike_sa *sa, const struct in *in)
{
	struct isakmp_buf b;
	int ret;

	if (!in->encrypted) {	/* as in mm_i4(): dropped */
		snprintf(sa->why, sizeof(sa->why), "main mode message 5 was not encrypted");
		return -EPROTO;
	}
	ret = auth_check(sa, in);
	if (ret == -EACCES) {
		fail(sa, ret, "%s", sa->why);
		notify_plain(sa, ISAKMP_N_AUTHENTICATION_FAILED);
		return ret;
	}
	if (ret)
		return ret;
	initial_contact_take(sa, in);
	memcpy(sa->iv, in->next_iv, sizeof(sa->iv));
	msg_begin(sa, &b, true);
	put_auth(sa, &b);
	ike_state_set(sa, IKE_ESTABLISHED);
	return msg_end(sa, &b, true);
}

/* --- Aggressive mode ---------------------------------------------------------------- */

/*
 * AM_I1: offer, KE, Ni and our ID at once. The group must be known before the answer:
 * every proposal of an aggressive tunnel has the same one (tunnel.c checks).
 */
static int am_i1(struct ike_sa *sa)
{
	uint8_t id_b[IKE_ID_BODY_MAX];
	struct isakmp_buf b;
	size_t id_len;
	int ret;

	sa->chosen.group = sa->conf->ike.p[0].group;
	ret = ke_nonce_make(sa, &sa->gxi, &sa->ni);
	if (ret)
		return fail(sa, ret, "no DH key for %s", isakmp_group_name(sa->chosen.group));
	id_len = id_body(sa, id_b);
	if (!id_len)
		return fail(sa, -EINVAL, "%s", sa->why);
	msg_begin(sa, &b, false);
	if (put_sa_offer(sa, &b))
		return fail(sa, -ENOBUFS, "our offer does not fit");
	put_ke_nonce(&b, &sa->gxi, &sa->ni);
	put_id_body(&b, id_b, id_len);
	put_dpd_vid(&b);
	put_natt_vid(sa, &b);
	ike_state_set(sa, IKE_AM_I1);
	return msg_end(sa, &b, false);
}

/* AM_I1 -> ESTABLISHED: choice, KE, Nr, IDir, HASH_R in; HASH_I out (encrypted). */
static int am_i2(struct ike_sa *sa, const struct ike_msg *msg, const struct in *in)
{
	uint8_t id_b[IKE_ID_BODY_MAX], hash[IKE_HASH_MAX_LEN];
	size_t id_len = id_body(sa, id_b);
	struct isakmp_buf b;
	int ret;

	memcpy(sa->cky_r, msg->hdr.rcookie, ISAKMP_COOKIE_LEN);
	ret = choice_take(sa, in);
	if (ret)
		return fail(sa, ret, "%s", sa->why);
	vids_take(sa, in);
	ret = peer_ke_nonce_take(sa, in);
	if (ret)
		return ret;
	ret = keys_derive(sa, &sa->gxr);
	if (ret)
		return fail(sa, ret, "key derivation failed (the peer's KE was refused)");
	ret = auth_check(sa, in);
	if (!ret)
		ret = natd_take(sa, msg, in);
	if (ret) {
		fail(sa, ret, "%s", sa->why);
		if (ret == -EACCES)
			notify_plain(sa, ISAKMP_N_AUTHENTICATION_FAILED);
		return ret;
	}
	natt_float(sa);		/* message 3 from NATT_PORT, its NAT-D of those ports */
	msg_begin(sa, &b, true);
	if (auth_hash(sa, true, id_b, id_len, hash))
		return fail(sa, -EIO, "HASH_I failed");
	isakmp_put_hash(&b, hash, ike_hash_len(sa->chosen.hash));
	put_natd(sa, &b);
	put_initial_contact(sa, &b);
	ike_state_set(sa, IKE_ESTABLISHED);
	return msg_end(sa, &b, true);
}

/* NEW -> AM_R1: everything of the initiator's but its proof; ours goes back. */
static int am_r1(struct ike_sa *sa, const struct in *in)
{
	struct isakmp_buf b;
	struct isakmp_sa *offer;
	int choice, ret;

	offer = offer_choose(sa, in, &choice, &ret);
	if (!offer)
		return ret;
	vids_take(sa, in);
	ret = peer_ke_nonce_take(sa, in);
	if (!ret)
		ret = peer_id_take(sa, in);
	if (!ret)
		ret = ke_nonce_make(sa, &sa->gxr, &sa->nr);
	if (!ret)
		ret = keys_derive(sa, &sa->gxi);
	if (ret) {
		free(offer);
		return fail(sa, ret, "%s", sa->why[0] ? sa->why : "key derivation failed");
	}
	msg_begin(sa, &b, false);
	put_sa_choice(&b, &offer->proposals[0], (unsigned int)choice);
	free(offer);
	put_ke_nonce(&b, &sa->gxr, &sa->nr);
	put_auth(sa, &b);
	put_dpd_vid(&b);
	put_natt_vid(sa, &b);
	put_natd(sa, &b);
	ike_state_set(sa, IKE_AM_R1);
	return msg_end(sa, &b, false);
}

/*
 * AM_R1 -> ESTABLISHED: HASH_I, over the ID the initiator sent in the first message (and
 * NAT-D, of the ports message 3 travelled).
 */
static int am_r2(struct ike_sa *sa, const struct ike_msg *msg, const struct in *in)
{
	const struct isakmp_payload *hp = need(sa, in, ISAKMP_PL_HASH);
	uint8_t want[IKE_HASH_MAX_LEN];
	struct isakmp_bytes hash;
	struct isakmp_err err;

	/* ike_sa_respond() refuses these; a HASH_I would prove nothing with signatures. */
	if (sa->conf->auth == TUNNEL_AUTH_CERT)
		return fail(sa, -EACCES, "aggressive mode with certificates is refused");
	if (!hp)
		return -EBADMSG;
	if (isakmp_hash_decode(hp, &hash, &err))
		return -EBADMSG;
	if (auth_hash(sa, true, sa->peer_id_b, sa->peer_id_len, want) ||
	    hash.len != ike_hash_len(sa->chosen.hash) ||
	    CRYPTO_memcmp(hash.data, want, hash.len)) {
		fail(sa, -EACCES, "HASH_I does not verify: the pre-shared keys differ");
		notify_plain(sa, ISAKMP_N_AUTHENTICATION_FAILED);
		return -EACCES;
	}
	if (natd_take(sa, msg, in))
		return fail(sa, -EBADMSG, "%s", sa->why);
	initial_contact_take(sa, in);
	peer_text(sa, &(struct isakmp_id){ .type = sa->peer_id_b[0], .data = sa->peer_id_b + 4,
					   .len = sa->peer_id_len - 4 });
	if (in->encrypted)
		memcpy(sa->iv, in->next_iv, sizeof(sa->iv));
	ike_state_set(sa, IKE_ESTABLISHED);
	sa->out_len = 0;
	return 0;
}

/* --- Phase 2 messages --------------------------------------------------------------- */

int ike_p2_seal(const struct ike_sa *p1, struct isakmp_buf *b, size_t h, uint32_t msgid,
		const struct ike_chunk *pre, unsigned int npre, uint8_t *iv, size_t *len)
{
	size_t rest = h + 4 + ike_hash_len(p1->chosen.hash), body, padded;
	uint32_t mid = htonl(msgid);
	struct ike_chunk parts[4];
	unsigned int i, n = 0;
	int ret;

	if (npre > 2)
		return -EINVAL;
	ret = isakmp_msg_end(b);
	if (ret)
		return ret;
	parts[n++] = IKE_CHUNK(&mid, 4);
	for (i = 0; i < npre; i++)
		parts[n++] = pre[i];
	parts[n++] = IKE_CHUNK(b->p + rest, b->len - rest);
	ret = ike_prf(p1->chosen.hash, p1->keys.skeyid_a->data, p1->keys.skeyid_a->len, parts, n,
		      b->p + h + 4);
	if (ret)
		return ret;
	body = b->len - ISAKMP_HDR_LEN;
	padded = ike_cbc_padded_len(body);
	if (ISAKMP_HDR_LEN + padded > b->cap)
		return -ENOBUFS;
	ret = ike_cbc_encrypt(p1->enc_key, iv, b->p + ISAKMP_HDR_LEN, body,
			      b->p + ISAKMP_HDR_LEN, iv);
	if (ret)
		return ret;
	*len = ISAKMP_HDR_LEN + padded;
	isakmp_hdr_set_length(b->p, (uint32_t)*len);
	return 0;
}

/* --- Dispatch ----------------------------------------------------------------------- */

static struct ike_sa *sa_new(const struct tunnel *conf, const struct auth_creds *creds,
			     bool initiator)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));

	if (!sa)
		return NULL;
	sa->conf = conf;
	sa->creds = conf->auth == TUNNEL_AUTH_CERT ? creds : NULL;
	sa->initiator = initiator;
	sa->aggressive = conf->aggressive;
	return sa;
}

static int cookie_make(uint8_t *cky)
{
	do {
		if (getrandom(cky, ISAKMP_COOKIE_LEN, 0) != ISAKMP_COOKIE_LEN)
			return -EIO;
	} while (!memcmp(cky, "\0\0\0\0\0\0\0\0", ISAKMP_COOKIE_LEN));
	return 0;
}

struct ike_sa *ike_sa_initiate(const struct tunnel *conf, const struct auth_creds *creds,
			       char *why, size_t len)
{
	struct ike_sa *sa;
	int ret;

	if (conf->auth == TUNNEL_AUTH_CERT && (!creds || conf->aggressive)) {
		snprintf(why, len, "%s", creds ? "aggressive mode with certificates is not "
			 "supported yet" : "no certificate loaded");
		return NULL;
	}
	sa = sa_new(conf, creds, true);
	if (!sa) {
		snprintf(why, len, "out of memory");
		return NULL;
	}
	ret = cookie_make(sa->cky_i);
	if (!ret)
		ret = sa->aggressive ? am_i1(sa) : mm_i1(sa);
	if (ret) {
		snprintf(why, len, "%s", sa->why[0] ? sa->why : strerror(-ret));
		ike_sa_free(sa);
		return NULL;
	}
	return sa;
}

/* Hash of a whole datagram, to know a retransmission of the last one. */
static void msg_digest(const struct ike_msg *msg, uint8_t *out)
{
	struct ike_chunk part = IKE_CHUNK(msg->buf, msg->len);

	if (ike_hash(IKE_HASH_SHA2_256, &part, 1, out))
		memset(out, 0, IKE_HASH_MAX_LEN);
}

/* Which step a message in this state is, for this role and mode; NULL: none. */
static int step(struct ike_sa *sa, const struct ike_msg *msg, const struct in *in)
{
	switch (sa->state) {
	case IKE_NEW:
		return sa->aggressive ? am_r1(sa, in) : mm_r1(sa, in);
	case IKE_MM_I1:
		return mm_i2(sa, msg, in);
	case IKE_MM_I2:
		return mm_i3(sa, msg, in);
	case IKE_MM_I3:
		return mm_i4(sa, in);
	case IKE_MM_R1:
		return mm_r2(sa, msg, in);
	case IKE_MM_R2:
		return mm_r3(sa, in);
	case IKE_AM_I1:
		return am_i2(sa, msg, in);
	case IKE_AM_R1:
		return am_r2(sa, msg, in);
	default:
		snprintf(sa->why, sizeof(sa->why), "no message expected in %s",
			 ike_state_name(sa->state));
		return -EPROTO;
	}
}

/* Whether the header belongs to this SA's exchange at this point. */
static int hdr_check(struct ike_sa *sa, const struct isakmp_hdr *hdr)
{
	if (hdr->exchange != exchange_of(sa)) {
		snprintf(sa->why, sizeof(sa->why), "%s exchange during %s",
			 isakmp_exchange_name(hdr->exchange),
			 isakmp_exchange_name(exchange_of(sa)));
		return -EPROTO;
	}
	if (memcmp(hdr->icookie, sa->cky_i, ISAKMP_COOKIE_LEN) ||
	    (sa->state != IKE_MM_I1 && sa->state != IKE_AM_I1 && sa->state != IKE_NEW &&
	     memcmp(hdr->rcookie, sa->cky_r, ISAKMP_COOKIE_LEN))) {
		snprintf(sa->why, sizeof(sa->why), "cookies of another SA");
		return -EPROTO;
	}
	return 0;
}

/*
 * An encrypted notify instead of the answer to our authentication (main mode message 5):
 * the peer has keys, but refuses. If we can read it, it says why; if we cannot, its keys
 * are not ours, which with pre-shared keys means the secrets differ.
 */
static int info_encrypted(struct ike_sa *sa, const struct ike_msg *msg)
{
	char why[IKE_WHY_MAX];
	struct info info;

	if (sa->state != IKE_MM_I3 || !sa->enc_key)
		return -EPROTO;
	if (info_parse(sa, msg, &info, why, sizeof(why)))
		return fail(sa, -EACCES, "the peer answered our authentication with a notify we "
			    "cannot decrypt: the pre-shared keys differ");
	if (!info.nnotifies)
		return -EBADMSG;
	return fail(sa, -ECONNREFUSED, "the peer refused our authentication: %s",
		    isakmp_notify_name(info.notifies[0].type));
}

/*
 * An unencrypted informational before phase 1 is up: the peer refusing the exchange
 * (NO-PROPOSAL-CHOSEN, AUTHENTICATION-FAILED, ...). Unauthenticated, so it is believed
 * only while we wait for the peer's next message, as strongSwan does.
 */
static int info_plain(struct ike_sa *sa, const struct ike_msg *msg)
{
	const struct isakmp_payload *p;
	struct isakmp_chain chain;
	struct isakmp_notify n;
	struct isakmp_err err;

	if (sa->state == IKE_ESTABLISHED)
		return -EPROTO;
	if (msg->hdr.flags & ISAKMP_FLAG_ENC)
		return info_encrypted(sa, msg);
	if (isakmp_chain_parse(msg->hdr.next, msg->buf + ISAKMP_HDR_LEN,
			       msg->len - ISAKMP_HDR_LEN, 0, &chain, &err))
		return -EBADMSG;
	p = isakmp_chain_find(&chain, ISAKMP_PL_N, 0);
	if (!p || isakmp_notify_decode(p, &n, &err) || n.type > ISAKMP_N_ERROR_MAX)
		return -EBADMSG;
	if (sa->state == IKE_MM_I3)
		return fail(sa, -ECONNREFUSED, "the peer refused our authentication (%s): the "
			    "pre-shared keys probably differ", isakmp_notify_name(n.type));
	return fail(sa, -ECONNREFUSED, "the peer refused: %s", isakmp_notify_name(n.type));
}

/*
 * An encrypted message with our cookies does not decrypt to payloads: its keys differ from
 * ours. Once ESTABLISHED that proves nothing (anyone who saw our cookies, which travel in
 * clear, can send one): it is dropped and counted, and the SA goes on. While main or
 * aggressive mode is still under way it is the peer's first encrypted message, and with
 * pre-shared keys the usual cause is that the secrets differ: the exchange ends at once,
 * saying so, and the responder tells the initiator (as strongSwan does). An attacker who
 * can see the cookies of an exchange in flight is on its path and could stop it anyway.
 */
static int undecryptable(struct ike_sa *sa)
{
	char why[IKE_WHY_MAX];

	sa->undecryptable++;
	if (sa->state != IKE_ESTABLISHED) {
		fail(sa, -EACCES, "the peer's first encrypted message does not decrypt (%.100s): "
		     "the pre-shared keys differ", sa->why);
		if (!sa->initiator)
			notify_plain(sa, ISAKMP_N_AUTHENTICATION_FAILED);
		return -EACCES;
	}
	snprintf(why, sizeof(why), "%lu encrypted message(s) from the peer did not decrypt "
		 "(%.100s): forged, or the keys differ", sa->undecryptable, sa->why);
	memcpy(sa->why, why, sizeof(why));
	return -EBADMSG;
}

bool ike_msgid_seen(const struct ike_sa *sa, uint32_t msgid)
{
	unsigned int i;

	for (i = 0; i < sa->msgids_count; i++)
		if (sa->msgids[i] == msgid)
			return true;
	return false;
}

void ike_msgid_note(struct ike_sa *sa, uint32_t msgid)
{
	if (ike_msgid_seen(sa, msgid))
		return;
	sa->msgids[sa->msgids_next] = msgid;
	sa->msgids_next = (sa->msgids_next + 1) % IKE_MSGIDS_SEEN;
	if (sa->msgids_count < IKE_MSGIDS_SEEN)
		sa->msgids_count++;
}

int ike_sa_input(struct ike_sa *sa, const struct ike_msg *msg)
{
	uint8_t digest[IKE_HASH_MAX_LEN] = { 0 };
	struct in *in;
	int ret;

	msg_digest(msg, digest);
	if (sa->have_last_in && !memcmp(digest, sa->last_in_hash, sizeof(digest)))
		return 1;
	if (msg->hdr.exchange == ISAKMP_EXCH_INFO)
		return info_plain(sa, msg);
	ret = hdr_check(sa, &msg->hdr);
	if (ret)
		return ret;
	in = malloc(sizeof(*in));
	if (!in)
		return -ENOMEM;
	sa->why[0] = '\0';
	ret = in_parse(sa, msg, in);
	if (ret == -EBADMSG && in->encrypted)
		ret = undecryptable(sa);
	else if (!ret)
		ret = step(sa, msg, in);
	OPENSSL_cleanse(in->plain, sizeof(in->plain));
	free(in);
	/* A message that moved us on (or killed the SA) is answered the same way again. */
	if (!ret || sa->state == IKE_DEAD) {
		memcpy(sa->last_in_hash, digest, sizeof(digest));
		sa->have_last_in = true;
	}
	return ret;
}

struct ike_sa *ike_sa_respond(const struct tunnel *conf, const struct auth_creds *creds,
			      const struct ike_msg *msg)
{
	struct ike_sa *sa = sa_new(conf, creds, false);

	if (!sa)
		return NULL;
	sa->aggressive = msg->hdr.exchange == ISAKMP_EXCH_AGGRESSIVE;
	if (msg->local && msg->remote) {	/* answered where it came from */
		sa->local = *msg->local;
		sa->remote = *msg->remote;
	}
	memcpy(sa->cky_i, msg->hdr.icookie, ISAKMP_COOKIE_LEN);
	if (cookie_make(sa->cky_r)) {
		ike_sa_free(sa);
		return NULL;
	}
	if (sa->aggressive && conf->auth == TUNNEL_AUTH_CERT) {
		fail(sa, -EACCES, "aggressive mode with certificates is refused: its initiator "
		     "proves nothing without CERT and SIG (use main mode)");
		notify_plain(sa, ISAKMP_N_INVALID_EXCHANGE_TYPE);
		return sa;
	}
	if (sa->aggressive != conf->aggressive) {
		fail(sa, -EPROTO, "the peer wants %s mode, the tunnel says %s mode",
		     sa->aggressive ? "aggressive" : "main", conf->aggressive ? "aggressive" : "main");
		notify_plain(sa, ISAKMP_N_INVALID_EXCHANGE_TYPE);
		return sa;
	}
	ike_sa_input(sa, msg);
	return sa;
}

void ike_sa_free(struct ike_sa *sa)
{
	if (!sa)
		return;
	dh_free(sa->dh);
	ike_phase1_keys_free(&sa->keys);
	ike_secret_free(sa->enc_key);
	OPENSSL_cleanse(sa, sizeof(*sa));
	free(sa);
}
