// SPDX-License-Identifier: GPL-2.0
/*
 * Phase 1 (iked/ike.c) end to end in one process: an initiator and a responder, each with
 * its own tunnel, exchange their messages through memory. Main and aggressive mode reach
 * ESTABLISHED with the same keys on both sides; a proposal mismatch and a wrong
 * pre-shared key leave both sides DEAD saying why, and the responder's notify tells the
 * initiator; retransmissions are answered with the last reply; broken messages change
 * nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth.h"
#include "dh.h"
#include "endpoint.h"
#include "ike.h"
#include "info.h"
#include "quick.h"
#include "tunnel.h"

/* A tunnel from words. */
static void conf(struct tunnel *t, const char *text)
{
	char err[256] = "";

	if (tunnel_deserialize(text, t, err, sizeof(err)))
		fail_msg("tunnel_deserialize: %s", err);
}

#define A_EP "ab local 192.168.1.1 remote 192.168.1.2 auth psk "
#define B_EP "ba local 192.168.1.2 remote 192.168.1.1 auth psk "
#define A_SIDE A_EP "local-ts 10.0.1.0/24 remote-ts 10.0.2.0/24 "
#define B_SIDE B_EP "local-ts 10.0.2.0/24 remote-ts 10.0.1.0/24 "

static void msg_of(const struct ike_sa *sa, struct ike_msg *msg)
{
	struct isakmp_err err;

	assert_true(sa->out_len > 0);
	msg->buf = sa->out;
	msg->len = sa->out_len;
	assert_int_equal(isakmp_hdr_parse(msg->buf, msg->len, &msg->hdr, &err), 0);
}

/* Whether run()'s initiators announce INITIAL-CONTACT. */
static bool announce;

/* Runs the exchange to its end; returns the responder. */
static struct ike_sa *run(const struct tunnel *a, const struct tunnel *b, struct ike_sa **ip)
{
	char why[IKE_WHY_MAX];
	struct ike_sa *i = ike_sa_initiate(a, NULL, why, sizeof(why));
	struct ike_sa *r;
	struct ike_msg msg = { 0 };
	int turn;

	assert_non_null(i);
	i->initial_contact = announce;
	msg_of(i, &msg);
	r = ike_sa_respond(b, NULL, &msg);
	assert_non_null(r);
	/* Each side's reply goes to the other until one has nothing more to say. */
	for (turn = 0; turn < 8; turn++) {
		struct ike_sa *from = turn % 2 ? i : r;
		struct ike_sa *to = turn % 2 ? r : i;

		if (!from->out_len)
			break;
		msg_of(from, &msg);
		ike_sa_input(to, &msg);
		if (to->state == IKE_DEAD || to->state == IKE_ESTABLISHED) {
			if (!to->out_len)
				break;
		}
	}
	*ip = i;
	return r;
}

/* Main mode from a to b, stopped after TURNS replies (3: responder waits for message 5). */
static void mm_turns(const struct tunnel *a, const struct tunnel *b, int turns,
		     struct ike_sa **ip, struct ike_sa **rp)
{
	char why[IKE_WHY_MAX];
	struct ike_sa *i = ike_sa_initiate(a, NULL, why, sizeof(why));
	struct ike_sa *r;
	struct ike_msg msg = { 0 };
	int turn;

	assert_non_null(i);
	msg_of(i, &msg);
	r = ike_sa_respond(b, NULL, &msg);
	assert_non_null(r);
	for (turn = 0; turn < turns; turn++) {
		msg_of(turn % 2 ? i : r, &msg);
		assert_int_equal(ike_sa_input(turn % 2 ? r : i, &msg), 0);
	}
	*ip = i;
	*rp = r;
}

static void same_secret(const struct ike_secret *x, const struct ike_secret *y)
{
	assert_non_null(x);
	assert_non_null(y);
	assert_int_equal(x->len, y->len);
	assert_memory_equal(x->data, y->data, x->len);
}

static void established(const char *a_words, const char *b_words, uint16_t group)
{
	struct tunnel a, b;
	struct ike_sa *i, *r;

	conf(&a, a_words);
	conf(&b, b_words);
	r = run(&a, &b, &i);
	assert_int_equal(i->state, IKE_ESTABLISHED);
	assert_int_equal(r->state, IKE_ESTABLISHED);
	assert_int_equal(i->chosen.group, group);
	assert_int_equal(r->chosen.group, group);
	same_secret(i->keys.skeyid_d, r->keys.skeyid_d);
	same_secret(i->keys.skeyid_a, r->keys.skeyid_a);
	same_secret(i->enc_key, r->enc_key);
	/* The last CBC block of phase 1, where quick mode's IVs start. */
	assert_memory_equal(i->iv, r->iv, IKE_CBC_BLOCK_LEN);
	assert_memory_equal(i->cky_r, r->cky_r, ISAKMP_COOKIE_LEN);
	/* Each side names the other by the ID it proved (here its address). */
	assert_string_equal(i->peer, "192.168.1.2");
	assert_string_equal(r->peer, "192.168.1.1");
	ike_sa_free(i);
	ike_sa_free(r);
}

static void test_main_mode(void **state)
{
	(void)state;
	established(A_SIDE "psk sesame", B_SIDE "psk sesame", DH_MODP_2048);
	/* The responder takes the initiator's first acceptable transform. */
	established(A_SIDE "psk sesame ike aes256-sha512-ecp384,aes128-sha256-modp2048",
		    B_SIDE "psk sesame ike aes128-sha256-modp2048,aes256-sha512-ecp384",
		    DH_ECP_384);
	established(A_SIDE "psk sesame ike aes256-sha384-curve25519",
		    B_SIDE "psk sesame ike aes256-sha384-curve25519", DH_CURVE25519);
}

static void test_aggressive_mode(void **state)
{
	(void)state;
	established(A_SIDE "psk sesame mode aggressive ike aes256-sha256-ecp256",
		    B_SIDE "psk sesame mode aggressive ike aes256-sha256-ecp256", DH_ECP_256);
}

/*
 * INITIAL-CONTACT goes with the initiator's proof when it is asked for, in both modes, and
 * only then; the responder sees it once the proof verifies.
 */
static void test_initial_contact(void **state)
{
	static const char *const modes[] = { "main", "aggressive" };
	struct tunnel a, b;
	struct ike_sa *i, *r;
	char words[512];
	unsigned int m;

	(void)state;
	for (m = 0; m < 2; m++) {
		snprintf(words, sizeof(words), A_SIDE "psk sesame mode %s", modes[m]);
		conf(&a, words);
		snprintf(words, sizeof(words), B_SIDE "psk sesame mode %s", modes[m]);
		conf(&b, words);
		for (announce = false;; announce = true) {
			r = run(&a, &b, &i);
			assert_int_equal(i->state, IKE_ESTABLISHED);
			assert_int_equal(r->state, IKE_ESTABLISHED);
			assert_int_equal(r->peer_initial_contact, announce);
			assert_false(i->peer_initial_contact);
			ike_sa_free(i);
			ike_sa_free(r);
			if (announce)
				break;
		}
	}
	announce = false;
}

/* The responder's notify, and what each side says. */
static void refused(const char *a_words, const char *b_words, const char *r_why,
		    const char *i_why)
{
	struct tunnel a, b;
	struct ike_sa *i, *r;

	conf(&a, a_words);
	conf(&b, b_words);
	r = run(&a, &b, &i);
	assert_int_equal(r->state, IKE_DEAD);
	if (!strstr(r->why, r_why))
		fail_msg("responder says \"%s\", want \"%s\"", r->why, r_why);
	assert_int_equal(i->state, IKE_DEAD);
	if (!strstr(i->why, i_why))
		fail_msg("initiator says \"%s\", want \"%s\"", i->why, i_why);
	assert_null(i->keys.skeyid);
	ike_sa_free(i);
	ike_sa_free(r);
}

static void test_no_proposal(void **state)
{
	(void)state;
	refused(A_SIDE "psk sesame ike aes128-sha256-modp2048",
		B_SIDE "psk sesame ike aes128-sha256-ecp256",
		"DH group", "NO-PROPOSAL-CHOSEN");
	refused(A_SIDE "psk sesame ike aes128-sha256-modp2048",
		B_SIDE "psk sesame ike aes256-sha256-modp2048", "key length 128, we want 256",
		"NO-PROPOSAL-CHOSEN");
	refused(A_SIDE "psk sesame ike aes128-sha256-modp2048",
		B_SIDE "psk sesame ike aes128-sha512-modp2048", "hash", "NO-PROPOSAL-CHOSEN");
}

static void test_wrong_psk(void **state)
{
	(void)state;
	/* The exchange's first encrypted message does not decrypt: it ends there, saying why. */
	refused(A_SIDE "psk sesame", B_SIDE "psk open-sesame", "pre-shared keys differ",
		"AUTHENTICATION-FAILED");
	refused(A_SIDE "psk sesame mode aggressive ike aes128-sha256-modp2048",
		B_SIDE "psk open-sesame mode aggressive ike aes128-sha256-modp2048",
		"AUTHENTICATION-FAILED", "pre-shared keys differ");
}

static void test_wrong_id(void **state)
{
	(void)state;
	refused(A_SIDE "psk sesame local-id fqdn:moon.example",
		B_SIDE "psk sesame remote-id fqdn:sun.example", "not the remote-id",
		"AUTHENTICATION-FAILED");
}

/* A retransmitted message gets the same reply again; a truncated one changes nothing. */
static void test_retransmit_and_garbage(void **state)
{
	struct tunnel a, b;
	struct ike_sa *i, *r;
	struct ike_msg msg = { 0 }, cut = { 0 };
	char why[IKE_WHY_MAX];
	uint8_t reply[ISAKMP_MSG_MAX];
	size_t reply_len;
	struct isakmp_err err;

	(void)state;
	conf(&a, A_SIDE "psk sesame");
	conf(&b, B_SIDE "psk sesame");
	i = ike_sa_initiate(&a, NULL, why, sizeof(why));
	assert_non_null(i);
	msg_of(i, &msg);
	r = ike_sa_respond(&b, NULL, &msg);
	assert_int_equal(r->state, IKE_MM_R1);
	msg_of(r, &msg);
	assert_int_equal(ike_sa_input(i, &msg), 0);
	assert_int_equal(i->state, IKE_MM_I2);

	/* Message 3 (KE, Ni) reaches the responder twice. */
	msg_of(i, &msg);
	assert_int_equal(ike_sa_input(r, &msg), 0);
	assert_int_equal(r->state, IKE_MM_R2);
	reply_len = r->out_len;
	memcpy(reply, r->out, reply_len);
	assert_int_equal(ike_sa_input(r, &msg), 1);
	assert_int_equal(r->state, IKE_MM_R2);
	assert_int_equal(r->out_len, reply_len);
	assert_memory_equal(r->out, reply, reply_len);

	/* Message 4 cut short: refused, the initiator still waits for it. */
	msg_of(r, &msg);
	cut = msg;
	cut.len = msg.len - 10;
	memcpy(reply, msg.buf, cut.len);
	cut.buf = reply;
	isakmp_hdr_set_length(reply, (uint32_t)cut.len);
	assert_int_equal(isakmp_hdr_parse(cut.buf, cut.len, &cut.hdr, &err), 0);
	assert_int_equal(ike_sa_input(i, &cut), -EBADMSG);
	assert_int_equal(i->state, IKE_MM_I2);
	/* The genuine one still works, and the rest of the exchange too. */
	assert_int_equal(ike_sa_input(i, &msg), 0);
	assert_int_equal(i->state, IKE_MM_I3);
	msg_of(i, &msg);
	assert_int_equal(ike_sa_input(r, &msg), 0);
	msg_of(r, &msg);
	assert_int_equal(ike_sa_input(i, &msg), 0);
	assert_int_equal(i->state, IKE_ESTABLISHED);
	assert_int_equal(r->state, IKE_ESTABLISHED);
	ike_sa_free(i);
	ike_sa_free(r);
}

/* A flipped bit in the encrypted message 5: refused as garbage or as a bad hash. */
static void test_tampered_auth(void **state)
{
	struct tunnel a, b;
	struct ike_sa *i, *r;
	struct ike_msg msg = { 0 };
	int ret;

	(void)state;
	conf(&a, A_SIDE "psk sesame");
	conf(&b, B_SIDE "psk sesame");
	mm_turns(&a, &b, 3, &i, &r);
	assert_int_equal(i->state, IKE_MM_I3);
	i->out[ISAKMP_HDR_LEN + 5] ^= 0x40;
	msg_of(i, &msg);
	ret = ike_sa_input(r, &msg);
	assert_true(ret == -EBADMSG || ret == -EACCES);
	assert_int_not_equal(r->state, IKE_ESTABLISHED);
	ike_sa_free(i);
	ike_sa_free(r);
}

/* Phase 1 up between a and b: the initiator's and responder's SAs. */
static void phase1_up(const struct tunnel *a, const struct tunnel *b, struct ike_sa **i,
		      struct ike_sa **r)
{
	*r = run(a, b, i);
	assert_int_equal((*i)->state, IKE_ESTABLISHED);
	assert_int_equal((*r)->state, IKE_ESTABLISHED);
}

/* --- An attacker with no certificate ------------------------------------------------- */

/*
 * Aggressive mode against a certificate responder, tried as someone with no certificate
 * would: message 1 offers RSA signatures with KE, Ni and the ID the responder expects;
 * message 3 is HASH_I alone, which with signatures needs no secret: SKEYID = prf(Ni | Nr,
 * g^xy), and all of it is the attacker's or on the wire.
 */
struct forger {
	uint8_t cky_i[ISAKMP_COOKIE_LEN];
	struct dh *dh;
	struct ike_bytes gxi, ni;
	size_t sai_len, id_len;
	uint8_t sai_b[IKE_SA_BODY_MAX], id_b[IKE_ID_BODY_MAX];
	uint8_t buf[ISAKMP_MSG_MAX];
	struct ike_msg msg;
};

static void forger_end(struct forger *f, struct isakmp_buf *b)
{
	struct isakmp_err err;

	assert_int_equal(isakmp_msg_end(b), 0);
	f->msg.buf = f->buf;
	f->msg.len = b->len;
	f->msg.local = f->msg.remote = NULL;
	assert_int_equal(isakmp_hdr_parse(f->buf, b->len, &f->msg.hdr, &err), 0);
}

static void forger_m1(struct forger *f, uint16_t auth, uint8_t id_type, const void *id,
		      size_t id_len)
{
	struct isakmp_attr a[] = {
		ISAKMP_ATTR(ISAKMP_P1_ENC, IKE_ENC_AES_CBC),
		ISAKMP_ATTR(ISAKMP_P1_KEY_LENGTH, 128),
		ISAKMP_ATTR(ISAKMP_P1_HASH, IKE_HASH_SHA2_256),
		ISAKMP_ATTR(ISAKMP_P1_AUTH, auth),
		ISAKMP_ATTR(ISAKMP_P1_GROUP_DESC, DH_MODP_2048),
	};
	struct isakmp_transform t = {
		.number = 1, .id = ISAKMP_KEY_IKE, .nattrs = 5, .attrs = a,
	};
	struct isakmp_proposal p = {
		.number = 1, .proto = ISAKMP_PROTO_ISAKMP, .ntransforms = 1, .transforms = &t,
	};
	struct isakmp_hdr hdr = { .exchange = ISAKMP_EXCH_AGGRESSIVE };
	struct isakmp_id idp = { .type = id_type, .data = id, .len = id_len };
	struct isakmp_buf b;
	const uint8_t *pub;
	size_t h;

	memset(f, 0, sizeof(*f));
	memset(f->cky_i, 0x5a, sizeof(f->cky_i));
	memcpy(hdr.icookie, f->cky_i, ISAKMP_COOKIE_LEN);
	f->dh = dh_new(DH_MODP_2048, false);
	assert_non_null(f->dh);
	pub = dh_public(f->dh, &f->gxi.len);
	memcpy(f->gxi.data, pub, f->gxi.len);
	f->ni.len = IKE_NONCE_LEN;
	memset(f->ni.data, 0x11, f->ni.len);
	isakmp_buf_init(&b, f->buf, sizeof(f->buf));
	isakmp_msg_begin(&b, &hdr);
	h = isakmp_put_sa(&b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY, &p, 1);
	f->sai_len = ((size_t)b.p[h + 2] << 8 | b.p[h + 3]) - 4;
	memcpy(f->sai_b, b.p + h + 4, f->sai_len);
	isakmp_put_ke(&b, f->gxi.data, f->gxi.len);
	isakmp_put_nonce(&b, f->ni.data, f->ni.len);
	isakmp_put_id(&b, &idp);
	f->id_b[0] = id_type;
	if (id_len <= sizeof(f->id_b) - 4)	/* a longer one is never hashed */
		memcpy(f->id_b + 4, id, id_len);
	f->id_len = 4 + id_len;
	forger_end(f, &b);
}

/* Message 3 in answer to the responder's message 2 (its KE, Nr and cookie). */
static void forger_m3(struct forger *f, const struct ike_sa *r)
{
	uint8_t gxy[DH_MAX_SECRET_LEN], hash[IKE_HASH_MAX_LEN];
	struct ike_phase1_keys keys = { 0 };
	struct isakmp_hdr hdr = { .exchange = ISAKMP_EXCH_AGGRESSIVE };
	struct ike_phase1_input in;
	struct ike_auth_input ai;
	size_t gxy_len = sizeof(gxy);
	struct isakmp_buf b;

	assert_int_equal(dh_compute(f->dh, r->gxr.data, r->gxr.len, gxy, &gxy_len), 0);
	in = (struct ike_phase1_input){
		.alg = IKE_HASH_SHA2_256, .ni_b = IKE_CHUNK(f->ni.data, f->ni.len),
		.nr_b = IKE_CHUNK(r->nr.data, r->nr.len), .gxy = IKE_CHUNK(gxy, gxy_len),
		.cky_i = f->cky_i, .cky_r = r->cky_r,
	};
	assert_int_equal(ike_phase1_derive(&in, NULL, &keys), 0);
	ai = (struct ike_auth_input){
		.gxi = IKE_CHUNK(f->gxi.data, f->gxi.len), .gxr = IKE_CHUNK(r->gxr.data, r->gxr.len),
		.cky_i = f->cky_i, .cky_r = r->cky_r, .sai_b = IKE_CHUNK(f->sai_b, f->sai_len),
		.idii_b = IKE_CHUNK(f->id_b, f->id_len), .idir_b = IKE_CHUNK(f->id_b, f->id_len),
	};
	assert_int_equal(ike_auth_hash_i(IKE_HASH_SHA2_256, keys.skeyid, &ai, hash), 0);
	ike_phase1_keys_free(&keys);
	memcpy(hdr.icookie, f->cky_i, ISAKMP_COOKIE_LEN);
	memcpy(hdr.rcookie, r->cky_r, ISAKMP_COOKIE_LEN);
	isakmp_buf_init(&b, f->buf, sizeof(f->buf));
	isakmp_msg_begin(&b, &hdr);
	isakmp_put_hash(&b, hash, ike_hash_len(IKE_HASH_SHA2_256));
	forger_end(f, &b);
}

/* A datagram with sa's cookies, encrypted (flag E), of 64 bytes no key decrypts. */
static void forged_encrypted(const struct ike_sa *sa, uint8_t *buf, struct ike_msg *msg)
{
	struct isakmp_hdr hdr = {
		.exchange = sa->aggressive ? ISAKMP_EXCH_AGGRESSIVE : ISAKMP_EXCH_IDPROT,
		.flags = ISAKMP_FLAG_ENC,
	};
	uint8_t junk[64];
	struct isakmp_err err;
	struct isakmp_buf b;

	memset(junk, 0xc3, sizeof(junk));
	memcpy(hdr.icookie, sa->cky_i, ISAKMP_COOKIE_LEN);
	memcpy(hdr.rcookie, sa->cky_r, ISAKMP_COOKIE_LEN);
	isakmp_buf_init(&b, buf, ISAKMP_MSG_MAX);
	isakmp_msg_begin(&b, &hdr);
	isakmp_put_raw(&b, junk, sizeof(junk));
	msg->buf = buf;
	msg->len = b.len;
	buf[16] = ISAKMP_PL_ID;		/* the next payload: isakmp_put_raw() wrote none */
	isakmp_hdr_set_length(buf, (uint32_t)b.len);
	assert_int_equal(isakmp_hdr_parse(buf, msg->len, &msg->hdr, &err), 0);
}

/*
 * A forged datagram with the right cookies and a body that does not decrypt, to an
 * ESTABLISHED phase 1: dropped and counted; the SA and its keys stay.
 */
static void test_forged_undecryptable(void **state)
{
	uint8_t buf[ISAKMP_MSG_MAX];
	struct tunnel a, b;
	struct ike_sa *i, *r;
	struct ike_msg msg = { 0 };

	(void)state;
	conf(&a, A_SIDE "psk sesame");
	conf(&b, B_SIDE "psk sesame");
	phase1_up(&a, &b, &i, &r);
	forged_encrypted(r, buf, &msg);
	if (ike_sa_input(r, &msg) != -EBADMSG)
		fail_msg("responder says \"%s\"", r->why);
	if (ike_sa_input(i, &msg) != -EBADMSG)
		fail_msg("initiator says \"%s\"", i->why);
	assert_int_equal(r->state, IKE_ESTABLISHED);
	assert_int_equal(i->state, IKE_ESTABLISHED);
	assert_int_equal(r->undecryptable, 1);
	assert_int_equal(i->undecryptable, 1);
	assert_non_null(r->keys.skeyid_a);
	assert_non_null(i->enc_key);
	ike_sa_free(i);
	ike_sa_free(r);

	/* Before ESTABLISHED it ends the exchange instead: test_wrong_psk. */
}

/*
 * Main mode message 6 in clear (its payloads as the responder encrypted them): refused,
 * so phase 2's IVs never start from bytes nothing decrypted; the SA waits for the real one.
 */
static void test_plain_message_6(void **state)
{
	uint8_t plain[ISAKMP_MSG_MAX], iv[IKE_CBC_BLOCK_LEN], next[IKE_CBC_BLOCK_LEN];
	struct isakmp_chain chain;
	struct isakmp_err err;
	struct tunnel a, b;
	struct ike_sa *i, *r;
	struct ike_msg msg = { 0 }, m6 = { 0 };

	(void)state;
	conf(&a, A_SIDE "psk sesame");
	conf(&b, B_SIDE "psk sesame");
	mm_turns(&a, &b, 4, &i, &r);
	assert_int_equal(r->state, IKE_ESTABLISHED);
	/* message 6 decrypted: its IV was message 5's last block */
	memcpy(iv, i->out + i->out_len - IKE_CBC_BLOCK_LEN, sizeof(iv));
	memcpy(plain, r->out, ISAKMP_HDR_LEN);
	assert_int_equal(ike_cbc_decrypt(r->enc_key, iv, r->out + ISAKMP_HDR_LEN,
					 r->out_len - ISAKMP_HDR_LEN, plain + ISAKMP_HDR_LEN,
					 next), 0);
	assert_int_equal(isakmp_chain_parse(r->out[16], plain + ISAKMP_HDR_LEN,
					    r->out_len - ISAKMP_HDR_LEN, ISAKMP_CHAIN_PADDED,
					    &chain, &err), 0);
	plain[19] &= (uint8_t)~ISAKMP_FLAG_ENC;
	m6.buf = plain;
	m6.len = ISAKMP_HDR_LEN + chain.end;
	isakmp_hdr_set_length(plain, (uint32_t)m6.len);
	assert_int_equal(isakmp_hdr_parse(plain, m6.len, &m6.hdr, &err), 0);
	assert_int_equal(ike_sa_input(i, &m6), -EPROTO);
	assert_int_equal(i->state, IKE_MM_I3);
	if (!strstr(i->why, "not encrypted"))
		fail_msg("initiator says \"%s\"", i->why);
	/* the encrypted one is taken */
	msg_of(r, &msg);
	assert_int_equal(ike_sa_input(i, &msg), 0);
	assert_int_equal(i->state, IKE_ESTABLISHED);
	ike_sa_free(i);
	ike_sa_free(r);
}

/* An aggressive-mode ID longer than we keep: refused, saying so. */
static void test_long_peer_id(void **state)
{
	struct forger *f = malloc(sizeof(*f));
	char name[1500];
	struct tunnel b;
	struct ike_sa *r;

	(void)state;
	assert_non_null(f);
	memset(name, 'a', sizeof(name));
	conf(&b, B_SIDE "psk sesame mode aggressive ike aes128-sha256-modp2048");
	forger_m1(f, ISAKMP_AUTH_PSK, ISAKMP_ID_FQDN, name, sizeof(name));
	r = ike_sa_respond(&b, NULL, &f->msg);
	assert_non_null(r);
	assert_int_equal(r->state, IKE_DEAD);
	if (!strstr(r->why, "ID of 1504 bytes, more than 1028"))
		fail_msg("responder says \"%s\"", r->why);
	ike_sa_free(r);
	dh_free(f->dh);
	free(f);
}

/* --- Quick mode --------------------------------------------------------------------- */

static void qmsg_of(const struct qm *qm, struct ike_msg *msg)
{
	struct isakmp_err err;

	assert_true(qm->out_len > 0);
	msg->buf = qm->out;
	msg->len = qm->out_len;
	assert_int_equal(isakmp_hdr_parse(msg->buf, msg->len, &msg->hdr, &err), 0);
}

/* Quick mode for the pair (l, r) of a; both ends DONE with crossed keys and SPIs. */
static void qm_done(struct ike_sa *i, struct ike_sa *r, unsigned int l, unsigned int rr,
		    uint32_t spi_i, uint32_t spi_r, struct qm **qi_out, struct qm **qr_out)
{
	char why[IKE_WHY_MAX];
	struct qm *qi = qm_initiate(i, &i->conf->local_ts[l], &i->conf->remote_ts[rr], spi_i,
				    why, sizeof(why));
	struct qm *qr;
	struct ike_msg msg = { 0 };

	if (!qi)
		fail_msg("qm_initiate: %s", why);
	qmsg_of(qi, &msg);
	qr = qm_respond(r, &msg, spi_r);
	assert_non_null(qr);
	if (qr->state != QM_R1)
		fail_msg("responder: %s", qr->why);
	qmsg_of(qr, &msg);
	assert_int_equal(qm_input(qi, &msg), 0);
	assert_int_equal(qi->state, QM_DONE);
	qmsg_of(qi, &msg);
	assert_int_equal(qm_input(qr, &msg), 0);
	assert_int_equal(qr->state, QM_DONE);
	assert_int_equal(qi->spi_in, spi_i);
	assert_int_equal(qi->spi_out, spi_r);
	assert_int_equal(qr->spi_in, spi_r);
	assert_int_equal(qr->spi_out, spi_i);
	assert_memory_equal(&qi->chosen, &qr->chosen, sizeof(qi->chosen));
	same_secret(qi->keys_in, qr->keys_out);
	same_secret(qi->keys_out, qr->keys_in);
	assert_int_equal(qi->keys_in->len, qm_keymat_len(&qi->chosen));
	/* Different SPIs, different keys. */
	assert_memory_not_equal(qi->keys_in->data, qi->keys_out->data, qi->keys_in->len);
	*qi_out = qi;
	*qr_out = qr;
}

static void test_quick_mode(void **state)
{
	struct tunnel a, b;
	struct ike_sa *i, *r;
	struct qm *qi, *qr, *qi2, *qr2;

	(void)state;
	conf(&a, A_EP "psk sesame local-ts 10.0.1.0/24 remote-ts 10.0.2.0/24,10.0.3.0/24 "
		 "esp aes256gcm16");
	conf(&b, B_EP "psk sesame remote-ts 10.0.1.0/24 local-ts 10.0.2.0/24,10.0.3.0/24 "
		 "esp aes128-sha256,aes256gcm16");
	phase1_up(&a, &b, &i, &r);
	qm_done(i, r, 0, 0, 0x1001, 0x2001, &qi, &qr);
	assert_int_equal(qi->chosen.transform, ESP_AES_GCM_16);
	assert_int_equal(qi->chosen.enc_bits, 256);
	assert_int_equal(qi->keys_in->len, 36);	/* key and salt */
	/* A second phase-2 SA over the same phase 1, for the other pair. */
	qm_done(i, r, 0, 1, 0x1002, 0x2002, &qi2, &qr2);
	assert_int_not_equal(qi->msgid, qi2->msgid);
	assert_memory_not_equal(qi->keys_in->data, qi2->keys_in->data, 36);
	assert_int_equal(qr2->ts_r.addr[2], 3);
	qm_free(qi);
	qm_free(qr);
	qm_free(qi2);
	qm_free(qr2);
	ike_sa_free(i);
	ike_sa_free(r);
}

static void test_quick_mode_pfs(void **state)
{
	struct tunnel a, b;
	struct ike_sa *i, *r;
	struct qm *qi, *qr;

	(void)state;
	conf(&a, A_SIDE "psk sesame esp aes128-sha256 pfs modp2048 lifetime 20m");
	conf(&b, B_SIDE "psk sesame esp aes128-sha256 pfs modp2048 lifetime 30m");
	phase1_up(&a, &b, &i, &r);
	qm_done(i, r, 0, 0, 0x1001, 0x2001, &qi, &qr);
	assert_int_equal(qi->chosen.group, DH_MODP_2048);
	assert_int_equal(qi->chosen.auth, ESP_AUTH_HMAC_SHA2_256);
	assert_int_equal(qi->keys_in->len, 16 + 32);
	/* Both take the shorter lifetime. */
	assert_int_equal(qi->lifetime, 1200);
	assert_int_equal(qr->lifetime, 1200);
	qm_free(qi);
	qm_free(qr);
	ike_sa_free(i);
	ike_sa_free(r);
}

/* Refused at the responder: it says why, and answers with an encrypted notify. */
static void qm_refused(const char *a_words, const char *b_words, const char *why)
{
	char buf[IKE_WHY_MAX];
	struct tunnel a, b;
	struct ike_sa *i, *r;
	struct qm *qi, *qr;
	struct ike_msg msg = { 0 };

	conf(&a, a_words);
	conf(&b, b_words);
	phase1_up(&a, &b, &i, &r);
	qi = qm_initiate(i, &a.local_ts[0], &a.remote_ts[0], 0x1001, buf, sizeof(buf));
	assert_non_null(qi);
	qmsg_of(qi, &msg);
	qr = qm_respond(r, &msg, 0x2001);
	assert_non_null(qr);
	assert_int_equal(qr->state, QM_DEAD);
	if (!strstr(qr->why, why))
		fail_msg("responder says \"%s\", want \"%s\"", qr->why, why);
	assert_null(qr->keys_in);
	/* The notify: an informational exchange, encrypted. */
	qmsg_of(qr, &msg);
	assert_int_equal(msg.hdr.exchange, ISAKMP_EXCH_INFO);
	assert_true(msg.hdr.flags & ISAKMP_FLAG_ENC);
	qm_free(qi);
	qm_free(qr);
	ike_sa_free(i);
	ike_sa_free(r);
}

static void test_quick_mode_refused(void **state)
{
	(void)state;
	qm_refused(A_SIDE "psk sesame esp aes128gcm16", B_SIDE "psk sesame esp aes256gcm16",
		   "NO-PROPOSAL-CHOSEN: no acceptable ESP proposal (the first offered has key "
		   "length 128, we want 256)");
	qm_refused(A_SIDE "psk sesame esp aes128-sha256 pfs ecp256",
		   B_SIDE "psk sesame esp aes128-sha256", "PFS group");
	qm_refused(A_EP "psk sesame encap transport", B_EP "psk sesame local-ts 192.168.1.2/32 "
		   "remote-ts 192.168.1.1/32", "encapsulation");
	qm_refused(A_EP "psk sesame local-ts 10.0.1.0/24 remote-ts 10.0.9.0/24",
		   B_SIDE "psk sesame", "INVALID-ID-INFORMATION");
}

/* Message 1 twice: the same message 2 again; message 2 broken: nothing changes. */
static void test_quick_mode_retransmit(void **state)
{
	char why[IKE_WHY_MAX];
	struct tunnel a, b;
	struct ike_sa *i, *r;
	struct qm *qi, *qr;
	struct ike_msg msg = { 0 }, m2 = { 0 };
	uint8_t copy[ISAKMP_MSG_MAX];
	size_t len;

	(void)state;
	conf(&a, A_SIDE "psk sesame");
	conf(&b, B_SIDE "psk sesame");
	phase1_up(&a, &b, &i, &r);
	qi = qm_initiate(i, &a.local_ts[0], &a.remote_ts[0], 0x1001, why, sizeof(why));
	qmsg_of(qi, &msg);
	qr = qm_respond(r, &msg, 0x2001);
	assert_int_equal(qr->state, QM_R1);
	len = qr->out_len;
	memcpy(copy, qr->out, len);
	assert_int_equal(qm_input(qr, &msg), 1);
	assert_int_equal(qr->out_len, len);
	assert_memory_equal(qr->out, copy, len);
	/* A flipped bit in message 2: refused, the initiator still waits. */
	qmsg_of(qr, &m2);
	copy[len - 20] ^= 1;
	m2.buf = copy;
	assert_int_not_equal(qm_input(qi, &m2), 0);
	assert_int_equal(qi->state, QM_I1);
	qmsg_of(qr, &m2);
	assert_int_equal(qm_input(qi, &m2), 0);
	assert_int_equal(qi->state, QM_DONE);
	qm_free(qi);
	qm_free(qr);
	ike_sa_free(i);
	ike_sa_free(r);
}

/* A quick mode message 1 made by hand under p1 (10.0.1.0/24 -> 10.0.2.0/24), with props. */
static void qm1_craft(const struct ike_sa *p1, const struct isakmp_proposal *props,
		      unsigned int n, uint32_t msgid, uint8_t *buf, struct ike_msg *msg)
{
	static const uint8_t di[] = { 10, 0, 1, 0, 255, 255, 255, 0 };
	static const uint8_t dr[] = { 10, 0, 2, 0, 255, 255, 255, 0 };
	struct isakmp_hdr hdr = {
		.exchange = ISAKMP_EXCH_QUICK, .flags = ISAKMP_FLAG_ENC, .msgid = msgid,
	};
	struct isakmp_id idi = { .type = ISAKMP_ID_IPV4_ADDR_SUBNET, .data = di, .len = 8 };
	struct isakmp_id idr = { .type = ISAKMP_ID_IPV4_ADDR_SUBNET, .data = dr, .len = 8 };
	uint8_t iv[IKE_CBC_BLOCK_LEN], nonce[IKE_NONCE_LEN];
	struct isakmp_err err;
	struct isakmp_buf b;
	size_t h;

	memset(nonce, 0x33, sizeof(nonce));
	memcpy(hdr.icookie, p1->cky_i, ISAKMP_COOKIE_LEN);
	memcpy(hdr.rcookie, p1->cky_r, ISAKMP_COOKIE_LEN);
	isakmp_buf_init(&b, buf, ISAKMP_MSG_MAX);
	isakmp_msg_begin(&b, &hdr);
	h = isakmp_put_hash(&b, NULL, ike_hash_len(p1->chosen.hash));
	isakmp_put_sa(&b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY, props, n);
	isakmp_put_nonce(&b, nonce, sizeof(nonce));
	isakmp_put_id(&b, &idi);
	isakmp_put_id(&b, &idr);
	assert_int_equal(ike_iv_phase2(p1->chosen.hash, p1->iv, msgid, iv), 0);
	assert_int_equal(ike_p2_seal(p1, &b, h, msgid, NULL, 0, iv, &msg->len), 0);
	msg->buf = buf;
	assert_int_equal(isakmp_hdr_parse(buf, msg->len, &msg->hdr, &err), 0);
}

/* One ESP proposal (number, SPI) of aes128gcm16 for 1 h, and lifekb when not 0. */
struct esp_offer {
	uint8_t kb[8];
	struct isakmp_attr a[6];
	struct isakmp_transform t;
};

static void esp_offer(struct esp_offer *o, struct isakmp_proposal *p, uint8_t number,
		      uint8_t proto, uint32_t spi, uint64_t lifekb)
{
	unsigned int n = 0, i;

	o->a[n++] = ISAKMP_ATTR(ISAKMP_P2_LIFE_TYPE, ISAKMP_LIFE_SECONDS);
	o->a[n++] = ISAKMP_ATTR(ISAKMP_P2_LIFE_DURATION, 3600);
	if (lifekb) {
		for (i = 0; i < 8; i++)
			o->kb[i] = (uint8_t)(lifekb >> (56 - 8 * i));
		o->a[n++] = ISAKMP_ATTR(ISAKMP_P2_LIFE_TYPE, ISAKMP_LIFE_KILOBYTES);
		o->a[n++] = (struct isakmp_attr){
			.type = ISAKMP_P2_LIFE_DURATION, .data = o->kb, .len = 8,
		};
	}
	o->a[n++] = ISAKMP_ATTR(ISAKMP_P2_ENCAP, ISAKMP_ENCAP_TUNNEL);
	o->a[n++] = ISAKMP_ATTR(ISAKMP_P2_KEY_LENGTH, 128);
	o->t = (struct isakmp_transform){
		.number = 1, .id = ISAKMP_ESP_AES_GCM_16, .nattrs = n, .attrs = o->a,
	};
	*p = (struct isakmp_proposal){
		.number = number, .proto = proto, .spi_size = 4, .ntransforms = 1,
		.transforms = &o->t,
	};
	spi = htonl(spi);
	memcpy(p->spi, &spi, 4);
}

/* A replayed message 1 starts nothing: its message ID was used over this phase 1. */
static void test_quick_mode_replay(void **state)
{
	uint8_t m1[ISAKMP_MSG_MAX];
	char why[IKE_WHY_MAX];
	struct tunnel a, b;
	struct ike_sa *i, *r;
	struct qm *qi, *qr, *again;
	struct ike_msg msg = { 0 }, m1_msg = { 0 };

	(void)state;
	conf(&a, A_SIDE "psk sesame");
	conf(&b, B_SIDE "psk sesame");
	phase1_up(&a, &b, &i, &r);
	qi = qm_initiate(i, &a.local_ts[0], &a.remote_ts[0], 0x1001, why, sizeof(why));
	assert_non_null(qi);
	qmsg_of(qi, &m1_msg);
	memcpy(m1, m1_msg.buf, m1_msg.len);
	m1_msg.buf = m1;
	qr = qm_respond(r, &m1_msg, 0x2001);
	assert_int_equal(qr->state, QM_R1);
	qmsg_of(qr, &msg);
	assert_int_equal(qm_input(qi, &msg), 0);
	qmsg_of(qi, &msg);
	assert_int_equal(qm_input(qr, &msg), 0);
	assert_int_equal(qr->state, QM_DONE);
	/* the exchange is over: message 1 again is a replay */
	errno = 0;
	again = qm_respond(r, &m1_msg, 0x2002);
	assert_null(again);
	assert_int_equal(errno, EALREADY);
	qm_free(qi);
	qm_free(qr);
	ike_sa_free(i);
	ike_sa_free(r);
}

/* SPIs 0..255 are reserved: refused from the peer, either way. */
static void test_quick_mode_low_spi(void **state)
{
	char why[IKE_WHY_MAX];
	struct tunnel a, b;
	struct ike_sa *i, *r;
	struct qm *qi, *qr;
	struct ike_msg msg = { 0 };

	(void)state;
	conf(&a, A_SIDE "psk sesame");
	conf(&b, B_SIDE "psk sesame");
	phase1_up(&a, &b, &i, &r);
	/* the initiator offers SPI 5 */
	qi = qm_initiate(i, &a.local_ts[0], &a.remote_ts[0], 5, why, sizeof(why));
	assert_non_null(qi);
	qmsg_of(qi, &msg);
	qr = qm_respond(r, &msg, 0x2001);
	assert_non_null(qr);
	assert_int_equal(qr->state, QM_DEAD);
	if (!strstr(qr->why, "SPI 0x00000005 is reserved"))
		fail_msg("responder says \"%s\"", qr->why);
	qm_free(qi);
	qm_free(qr);
	/* the responder answers with SPI 255 */
	qi = qm_initiate(i, &a.local_ts[0], &a.remote_ts[0], 0x1001, why, sizeof(why));
	qmsg_of(qi, &msg);
	qr = qm_respond(r, &msg, 255);
	assert_int_equal(qr->state, QM_R1);
	qmsg_of(qr, &msg);
	assert_int_not_equal(qm_input(qi, &msg), 0);
	assert_int_equal(qi->state, QM_DEAD);
	if (!strstr(qi->why, "SPI 0x000000ff is reserved"))
		fail_msg("initiator says \"%s\"", qi->why);
	assert_null(qi->keys_in);
	qm_free(qi);
	qm_free(qr);
	ike_sa_free(i);
	ike_sa_free(r);
}

/* ESP that is half of an AH+ESP bundle is not ESP alone, in either order. */
static void test_quick_mode_bundle(void **state)
{
	static const uint8_t orders[2][2] = {
		{ ISAKMP_PROTO_AH, ISAKMP_PROTO_ESP }, { ISAKMP_PROTO_ESP, ISAKMP_PROTO_AH },
	};
	uint8_t *buf = malloc(ISAKMP_MSG_MAX);
	struct isakmp_proposal p[2];
	struct esp_offer o[2];
	struct tunnel a, b;
	struct ike_sa *i, *r;
	struct ike_msg msg = { 0 };
	struct qm *qr;
	unsigned int k;

	(void)state;
	assert_non_null(buf);
	conf(&a, A_SIDE "psk sesame");
	conf(&b, B_SIDE "psk sesame esp aes128gcm16");
	phase1_up(&a, &b, &i, &r);
	for (k = 0; k < 2; k++) {
		esp_offer(&o[0], &p[0], 1, orders[k][0], 0x1001, 0);
		esp_offer(&o[1], &p[1], 1, orders[k][1], 0x1002, 0);
		qm1_craft(i, p, 2, 0x101 + k, buf, &msg);
		qr = qm_respond(r, &msg, 0x2001);
		assert_non_null(qr);
		assert_int_equal(qr->state, QM_DEAD);
		if (!strstr(qr->why, "NO-PROPOSAL-CHOSEN"))
			fail_msg("responder says \"%s\"", qr->why);
		qm_free(qr);
	}
	/* the same ESP proposal alone is taken */
	esp_offer(&o[0], &p[0], 1, ISAKMP_PROTO_ESP, 0x1001, 0);
	qm1_craft(i, p, 1, 0x201, buf, &msg);
	qr = qm_respond(r, &msg, 0x2001);
	assert_int_equal(qr->state, QM_R1);
	qm_free(qr);
	free(buf);
	ike_sa_free(i);
	ike_sa_free(r);
}

/* A peer's kilobyte lifetime of 2^62: kept below what wraps when made bytes. */
static void test_quick_mode_lifekb(void **state)
{
	uint8_t *buf = malloc(ISAKMP_MSG_MAX);
	struct isakmp_proposal p;
	struct esp_offer o;
	struct tunnel a, b;
	struct ike_sa *i, *r;
	struct ike_msg msg = { 0 };
	struct qm *qr;

	(void)state;
	assert_non_null(buf);
	conf(&a, A_SIDE "psk sesame");
	conf(&b, B_SIDE "psk sesame esp aes128gcm16");
	phase1_up(&a, &b, &i, &r);
	esp_offer(&o, &p, 1, ISAKMP_PROTO_ESP, 0x1001, (uint64_t)1 << 62);
	qm1_craft(i, &p, 1, 0x301, buf, &msg);
	qr = qm_respond(r, &msg, 0x2001);
	if (qr->state != QM_R1)
		fail_msg("responder says \"%s\"", qr->why);
	assert_true(qr->lifekb > 0);
	assert_true(qr->lifekb <= UINT64_MAX / 1024);
	qm_free(qr);
	free(buf);
	ike_sa_free(i);
	ike_sa_free(r);
}

/* --- Informational -------------------------------------------------------------------- */

static void test_informational(void **state)
{
	uint8_t buf[ISAKMP_MSG_MAX];
	uint32_t spis[] = { 0x2001, 0xc0ffee };
	char why[IKE_WHY_MAX];
	struct tunnel a, b;
	struct ike_sa *i, *r;
	struct isakmp_err err;
	struct ike_msg msg = { .buf = buf };
	struct info info;

	(void)state;
	conf(&a, A_SIDE "psk sesame");
	conf(&b, B_SIDE "psk sesame");
	phase1_up(&a, &b, &i, &r);
	/* A delete of two ESP SPIs, from the initiator to the responder. */
	assert_int_equal(info_delete_build(i, spis, 2, buf, &msg.len), 0);
	assert_int_equal(isakmp_hdr_parse(buf, msg.len, &msg.hdr, &err), 0);
	assert_int_equal(info_parse(r, &msg, &info, why, sizeof(why)), 0);
	assert_int_equal(info.ndeletes, 1);
	assert_int_equal(info.deletes[0].proto, ISAKMP_PROTO_ESP);
	assert_int_equal(info.deletes[0].count, 2);
	assert_int_equal(info.deletes[0].spis[1], 0xc0ffee);
	/* The ISAKMP SA itself, the other way. */
	assert_int_equal(info_delete_build(r, NULL, 0, buf, &msg.len), 0);
	assert_int_equal(isakmp_hdr_parse(buf, msg.len, &msg.hdr, &err), 0);
	assert_int_equal(info_parse(i, &msg, &info, why, sizeof(why)), 0);
	assert_int_equal(info.deletes[0].proto, ISAKMP_PROTO_ISAKMP);
	assert_memory_equal(info.deletes[0].cookies, i->cky_i, ISAKMP_COOKIE_LEN);
	/* A notify, then the same with a bit flipped: HASH(1) or the payloads break. */
	assert_int_equal(info_notify_build(i, ISAKMP_N_INITIAL_CONTACT, ISAKMP_PROTO_ISAKMP, 0,
					   buf, &msg.len), 0);
	assert_int_equal(isakmp_hdr_parse(buf, msg.len, &msg.hdr, &err), 0);
	assert_int_equal(info_parse(r, &msg, &info, why, sizeof(why)), 0);
	assert_int_equal(info.nnotifies, 1);
	assert_int_equal(info.notifies[0].type, ISAKMP_N_INITIAL_CONTACT);
	buf[msg.len - 17] ^= 4;
	assert_int_not_equal(info_parse(r, &msg, &info, why, sizeof(why)), 0);
	ike_sa_free(i);
	ike_sa_free(r);
}

/* --- Certificates (main mode, RSA signatures) --------------------------------------- */

static char pki_dir[] = "/tmp/nfsec-test-ike-XXXXXX";

/* A CA and moon and sun, by strongSwan's pki (scripts/deps installs it). */
static int pki_setup(void **state)
{
	char cmd[2048];

	(void)state;
	if (!mkdtemp(pki_dir))
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "exec 2> /dev/null; umask 077; cd %s && pki --gen --type rsa --size 2048 --outform pem > ca.key && "
		 "pki --self --ca --lifetime 30 --in ca.key --dn 'C=CH, O=nfsec, CN=CA' "
		 "--outform pem > ca.pem && for h in moon sun; do "
		 "pki --gen --type rsa --size 2048 --outform pem > $h.key && "
		 "pki --pub --in $h.key | pki --issue --lifetime 30 --cacert ca.pem "
		 "--cakey ca.key --dn \"C=CH, O=nfsec, CN=$h\" --outform pem > $h.pem; done",
		 pki_dir);
	return system(cmd) ? -1 : 0;
}

static int pki_teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", pki_dir);
	return system(cmd) ? -1 : 0;
}

static struct auth_creds *creds_of(const struct tunnel *t)
{
	char err[512] = "";
	struct auth_creds *c = auth_creds_load(t, err, sizeof(err));

	if (!c)
		fail_msg("auth_creds_load: %s", err);
	return c;
}

/* A cert tunnel of host me expecting peer (remote-id PEER_CN, or any). */
static void cert_conf(struct tunnel *t, const char *side, const char *me, const char *peer)
{
	char words[1024];

	snprintf(words, sizeof(words), "%s auth cert cert %s/%s.pem key %s/%s.key ca %s/ca.pem "
		 "remote-id dn:C=CH,O=nfsec,CN=%s", side, pki_dir, me, pki_dir, me, pki_dir, peer);
	conf(t, words);
}

static void cert_run(const char *peer_expected_by_sun, bool ok)
{
	struct tunnel a, b;
	struct auth_creds *ca, *cb;
	struct ike_sa *i, *r;
	char why[IKE_WHY_MAX];
	struct ike_msg msg = { 0 };
	int turn;

	cert_conf(&a, "ab local 192.168.1.1 remote 192.168.1.2 local-ts 10.0.1.0/24 "
		  "remote-ts 10.0.2.0/24", "moon", "sun");
	cert_conf(&b, "ba local 192.168.1.2 remote 192.168.1.1 local-ts 10.0.2.0/24 "
		  "remote-ts 10.0.1.0/24", "sun", peer_expected_by_sun);
	ca = creds_of(&a);
	cb = creds_of(&b);
	i = ike_sa_initiate(&a, ca, why, sizeof(why));
	if (!i)
		fail_msg("initiate: %s", why);
	msg_of(i, &msg);
	r = ike_sa_respond(&b, cb, &msg);
	for (turn = 0; turn < 8; turn++) {
		struct ike_sa *from = turn % 2 ? i : r, *to = turn % 2 ? r : i;

		if (!from->out_len)
			break;
		msg_of(from, &msg);
		ike_sa_input(to, &msg);
		if ((to->state == IKE_DEAD || to->state == IKE_ESTABLISHED) && !to->out_len)
			break;
	}
	if (ok) {
		assert_int_equal(i->state, IKE_ESTABLISHED);
		assert_int_equal(r->state, IKE_ESTABLISHED);
		assert_int_equal(i->chosen.auth, ISAKMP_AUTH_RSA_SIG);
		same_secret(i->keys.skeyid_d, r->keys.skeyid_d);
		/* Each side names the other by its certificate's subject. */
		assert_string_equal(i->peer, "C=CH, O=nfsec, CN=sun");
		assert_string_equal(r->peer, "C=CH, O=nfsec, CN=moon");
	} else {
		assert_int_equal(r->state, IKE_DEAD);
		if (!strstr(r->why, "CN=moon"))
			fail_msg("responder says \"%s\"", r->why);
		assert_int_equal(i->state, IKE_DEAD);
	}
	ike_sa_free(i);
	ike_sa_free(r);
	auth_creds_free(ca);
	auth_creds_free(cb);
}

static void test_main_mode_cert(void **state)
{
	(void)state;
	cert_run("moon", true);
	/* sun expects someone else: moon's certificate is refused, both end. */
	cert_run("mars", false);
}

/*
 * A certificate responder whose tunnel says aggressive mode (as the parser let through
 * before it refused that), expecting remote_id; the forger claims to be id.
 */
static void forged_aggressive(const char *remote_id, uint8_t id_type, const void *id,
			      size_t id_len)
{
	struct auth_creds *cb;
	struct forger *f = malloc(sizeof(*f));
	struct ike_sa *r;
	struct tunnel b;
	char words[1024];

	assert_non_null(f);
	snprintf(words, sizeof(words), "ba local 192.168.1.2 remote 192.168.1.1 local-ts "
		 "10.0.2.0/24 remote-ts 10.0.1.0/24 auth cert cert %s/sun.pem key %s/sun.key "
		 "ca %s/ca.pem remote-id %s", pki_dir, pki_dir, pki_dir, remote_id);
	conf(&b, words);
	b.aggressive = true;
	cb = creds_of(&b);
	forger_m1(f, ISAKMP_AUTH_RSA_SIG, id_type, id, id_len);
	r = ike_sa_respond(&b, cb, &f->msg);
	assert_non_null(r);
	if (r->state == IKE_AM_R1) {
		forger_m3(f, r);
		ike_sa_input(r, &f->msg);
	}
	assert_int_equal(r->state, IKE_DEAD);
	if (!strstr(r->why, "aggressive mode with certificates is refused"))
		fail_msg("responder says \"%s\"", r->why);
	assert_null(r->keys.skeyid);
	/* and tells the peer, in clear: it has no keys to encrypt with */
	msg_of(r, &f->msg);
	assert_int_equal(f->msg.hdr.exchange, ISAKMP_EXCH_INFO);
	dh_free(f->dh);
	free(f);
	ike_sa_free(r);
	auth_creds_free(cb);
}

static void test_aggressive_cert_forged(void **state)
{
	static const char dn[] = "C=CH,O=nfsec,CN=moon";
	static const uint8_t moon_ip[] = { 192, 168, 1, 1 };

	(void)state;
	forged_aggressive("dn:C=CH,O=nfsec,CN=moon", ISAKMP_ID_DER_ASN1_DN, dn, strlen(dn));
	forged_aggressive("192.168.1.1", ISAKMP_ID_IPV4_ADDR, moon_ip, sizeof(moon_ip));
	forged_aggressive("%any", ISAKMP_ID_FQDN, "mallory.example", 15);
}

/*
 * A DN remote-id with a pre-shared key: our DN goes out in DER, and the peer's is
 * compared as a DN (here in other case), never as the bytes of the text.
 */
static void test_psk_dn_ids(void **state)
{
	static const char *const modes[] = { "main", "aggressive" };
	static const char text[] = "C=CH,O=nfsec,CN=moon";
	struct forger *f = malloc(sizeof(*f));
	struct tunnel a, b;
	struct ike_sa *i, *r;
	char words[512];
	unsigned int m;

	(void)state;
	assert_non_null(f);
	for (m = 0; m < 2; m++) {
		snprintf(words, sizeof(words), A_SIDE "psk sesame mode %s ike "
			 "aes128-sha256-modp2048 local-id dn:C=CH,O=nfsec,CN=moon", modes[m]);
		conf(&a, words);
		snprintf(words, sizeof(words), B_SIDE "psk sesame mode %s ike "
			 "aes128-sha256-modp2048 remote-id dn:c=ch,o=NFSEC,cn=moon", modes[m]);
		conf(&b, words);
		r = run(&a, &b, &i);
		if (r->state != IKE_ESTABLISHED)
			fail_msg("%s mode: responder says \"%s\"", modes[m], r->why);
		assert_int_equal(i->state, IKE_ESTABLISHED);
		assert_string_equal(r->peer, "C=CH, O=nfsec, CN=moon");
		ike_sa_free(i);
		ike_sa_free(r);
	}
	/* the text itself as the ID: not that DN */
	forger_m1(f, ISAKMP_AUTH_PSK, ISAKMP_ID_DER_ASN1_DN, text, strlen(text));
	r = ike_sa_respond(&b, NULL, &f->msg);
	assert_non_null(r);
	assert_int_equal(r->state, IKE_DEAD);
	if (!strstr(r->why, "not the remote-id"))
		fail_msg("responder says \"%s\"", r->why);
	ike_sa_free(r);
	dh_free(f->dh);
	free(f);
}

/*
 * A move the exchanges never make (a bug) is refused, logged and counted, the SA left as
 * it was: the daemon goes on serving its other peers instead of aborting.
 */
static void test_illegal_move_refused(void **state)
{
	char why[IKE_WHY_MAX];
	unsigned long refused = ike_moves_refused;
	struct tunnel a;
	struct ike_sa *i;

	(void)state;
	conf(&a, A_SIDE "psk sesame");
	i = ike_sa_initiate(&a, NULL, why, sizeof(why));
	assert_non_null(i);
	assert_int_equal(i->state, IKE_MM_I1);
	assert_false(ike_state_set(i, IKE_ESTABLISHED));
	assert_false(ike_state_set(i, IKE_NEW));
	assert_int_equal(i->state, IKE_MM_I1);
	assert_int_equal(ike_moves_refused, refused + 2);
	assert_true(ike_state_set(i, IKE_DEAD));
	assert_false(ike_state_set(i, IKE_DEAD));
	assert_int_equal(ike_moves_refused, refused + 3);
	ike_sa_free(i);
}

/* --- NAT traversal (RFC 3947) ----------------------------------------------------------- */

/*
 * The path between an initiator at 10.0.0.1 and a responder at 192.168.1.2: with nat, a
 * NAT in front of the initiator maps it to 198.51.100.1, port 500 to 1500 and 4500 to
 * 14500. What the responder sees of a message from the initiator, and back.
 */
struct path {
	bool nat;
	struct sockaddr_storage i_local, r_local, r_sees, i_sees;
};

static void path_carry(struct path *pa, const struct ike_sa *from, struct ike_msg *msg)
{
	uint16_t port = endpoint_port(&from->local);

	msg_of(from, msg);
	if (from->initiator) {
		pa->r_local = endpoint4("192.168.1.2", endpoint_port(&from->remote));
		pa->r_sees = pa->nat ? endpoint4("198.51.100.1", port == 500 ? 1500 : 14500) :
				       endpoint4("10.0.0.1", port);
		msg->local = &pa->r_local;
		msg->remote = &pa->r_sees;
	} else {
		pa->i_local = endpoint4("10.0.0.1", endpoint_port(&from->remote) == 1500 ? 500 :
					     endpoint_port(&from->remote) == 14500 ? 4500 :
					     endpoint_port(&from->remote));
		pa->i_sees = endpoint4("192.168.1.2", port);
		msg->local = &pa->i_local;
		msg->remote = &pa->i_sees;
	}
}

/*
 * Phase 1 across the path, as the daemon runs it: each side sends from and to its SA's
 * endpoints, and follows the peer's authenticated messages (encrypted ones here).
 */
static void nat_run(const struct tunnel *a, const struct tunnel *b, struct path *pa,
		    struct ike_sa **ip, struct ike_sa **rp)
{
	char why[IKE_WHY_MAX];
	struct ike_sa *i = ike_sa_initiate(a, NULL, why, sizeof(why)), *r;
	struct ike_msg msg = { 0 };
	int turn;

	assert_non_null(i);
	i->local = endpoint4("10.0.0.1", 500);
	i->remote = endpoint4("192.168.1.2", 500);
	path_carry(pa, i, &msg);
	r = ike_sa_respond(b, NULL, &msg);
	assert_non_null(r);
	for (turn = 0; turn < 8; turn++) {
		struct ike_sa *from = turn % 2 ? i : r;
		struct ike_sa *to = turn % 2 ? r : i;

		if (!from->out_len)
			break;
		path_carry(pa, from, &msg);
		assert_int_equal(ike_sa_input(to, &msg), 0);
		if (msg.hdr.flags & ISAKMP_FLAG_ENC) {
			to->local = *msg.local;
			to->remote = *msg.remote;
		}
		if (to->state == IKE_ESTABLISHED && !to->out_len)
			break;
	}
	assert_int_equal(i->state, IKE_ESTABLISHED);
	assert_int_equal(r->state, IKE_ESTABLISHED);
	*ip = i;
	*rp = r;
}

#define NAT_A "ab local 10.0.0.1 remote 192.168.1.2 auth psk psk sesame local-ts 10.0.1.0/24 " \
	      "remote-ts 10.0.2.0/24 local-id fqdn:sun.example remote-id fqdn:moon.example "
#define NAT_B "ba local 192.168.1.2 remote 198.51.100.1 auth psk psk sesame " \
	      "local-ts 10.0.2.0/24 remote-ts 10.0.1.0/24 local-id fqdn:moon.example " \
	      "remote-id fqdn:sun.example "

/*
 * Behind a NAT, main and aggressive mode: both ends find it (each its side of it), the
 * initiator moves to 4500 for its next message and the responder follows it to the port
 * the NAT chose; with no NAT nothing moves.
 */
static void test_nat_detected(void **state)
{
	static const char *const modes[] = { "mode main", "mode aggressive" };
	struct tunnel a, b;
	struct ike_sa *i, *r;
	unsigned int m;

	(void)state;
	for (m = 0; m < 2; m++) {
		char wa[512], wb[512];
		struct path pa = { .nat = true };

		snprintf(wa, sizeof(wa), NAT_A "%s", modes[m]);
		snprintf(wb, sizeof(wb), NAT_B "%s", modes[m]);
		conf(&a, wa);
		conf(&b, wb);
		nat_run(&a, &b, &pa, &i, &r);
		assert_int_equal(i->natt, NATT_RFC);
		assert_int_equal(r->natt, NATT_RFC);
		assert_true(i->natd_seen);
		assert_true(r->natd_seen);
		assert_true(i->nat.local);
		assert_false(i->nat.peer);
		assert_false(r->nat.local);
		assert_true(r->nat.peer);
		assert_true(ike_sa_udp(i));
		assert_true(ike_sa_udp(r));
		assert_true(i->floated);
		assert_int_equal(endpoint_port(&i->local), 4500);
		assert_int_equal(endpoint_port(&i->remote), 4500);
		assert_int_equal(endpoint_port(&r->local), 4500);
		assert_int_equal(endpoint_port(&r->remote), 14500);
		ike_sa_free(i);
		ike_sa_free(r);

		pa.nat = false;
		snprintf(wb, sizeof(wb), NAT_B "%s", modes[m]);
		nat_run(&a, &b, &pa, &i, &r);
		assert_true(i->natd_seen);
		assert_true(r->natd_seen);
		assert_false(i->nat.local || i->nat.peer || r->nat.local || r->nat.peer);
		assert_false(ike_sa_udp(i));
		assert_false(ike_sa_udp(r));
		assert_false(i->floated);
		assert_int_equal(endpoint_port(&r->remote), 500);
		ike_sa_free(i);
		ike_sa_free(r);
	}
}

/* nat-t no on either side: nothing spoken; force: UDP without a NAT, both ends agreeing. */
static void test_nat_words(void **state)
{
	struct path pa = { .nat = true };
	struct tunnel a, b;
	struct ike_sa *i, *r;

	(void)state;
	conf(&a, NAT_A "nat-t no");
	conf(&b, NAT_B);
	nat_run(&a, &b, &pa, &i, &r);
	assert_int_equal(i->natt, NATT_NONE);
	assert_int_equal(r->natt, NATT_NONE);
	assert_false(ike_sa_udp(i) || ike_sa_udp(r) || i->floated);
	ike_sa_free(i);
	ike_sa_free(r);

	pa.nat = false;
	conf(&a, NAT_A "nat-t force");
	nat_run(&a, &b, &pa, &i, &r);
	assert_true(i->floated);
	assert_true(ike_sa_udp(i));
	/* the forcing side's random source hash: the responder sees it behind a NAT */
	assert_true(r->nat.peer);
	assert_true(ike_sa_udp(r));
	assert_int_equal(endpoint_port(&r->remote), 4500);
	ike_sa_free(i);
	ike_sa_free(r);
}

/*
 * Quick mode over a phase 1 that found a NAT: UDP-Encapsulated-Tunnel (3; the drafts'
 * 61443 when only a draft was spoken), taken by a responder that found it too and refused
 * by one that did not; transport mode in UDP, with its NAT-OA payloads.
 */
static void test_nat_quick_mode(void **state)
{
	struct path pa = { .nat = true };
	struct tunnel a, b;
	struct ike_sa *i, *r;
	struct qm *qi, *qr;
	char why[IKE_WHY_MAX];
	struct ike_msg msg = { 0 };

	(void)state;
	conf(&a, NAT_A);
	conf(&b, NAT_B);
	nat_run(&a, &b, &pa, &i, &r);
	qm_done(i, r, 0, 0, 0x1001, 0x2001, &qi, &qr);
	qm_free(qi);
	qm_free(qr);
	i->natt = r->natt = NATT_DRAFT_03;
	qm_done(i, r, 0, 0, 0x1002, 0x2002, &qi, &qr);
	qm_free(qi);
	qm_free(qr);
	/* a responder that saw no NAT wants plain tunnel mode */
	r->nat.peer = false;
	i->natt = r->natt = NATT_RFC;
	qi = qm_initiate(i, &a.local_ts[0], &a.remote_ts[0], 0x1003, why, sizeof(why));
	assert_non_null(qi);
	qmsg_of(qi, &msg);
	qr = qm_respond(r, &msg, 0x2003);
	assert_non_null(qr);
	assert_int_equal(qr->state, QM_DEAD);
	assert_non_null(strstr(qr->why, "encapsulation UDP-Encapsulated-Tunnel, we want Tunnel"));
	qm_free(qi);
	qm_free(qr);
	ike_sa_free(i);
	ike_sa_free(r);

	/* transport mode in UDP without a NAT (forced), NAT-OA payloads and all */
	pa.nat = false;
	conf(&a, "ab local 10.0.0.1 remote 192.168.1.2 auth psk psk sesame encap transport "
		 "nat-t force local-id fqdn:sun.example remote-id fqdn:moon.example");
	conf(&b, "ba local 192.168.1.2 remote 10.0.0.1 auth psk psk sesame encap transport "
		 "local-id fqdn:moon.example remote-id fqdn:sun.example");
	nat_run(&a, &b, &pa, &i, &r);
	assert_true(ike_sa_udp(i) && ike_sa_udp(r));
	qm_done(i, r, 0, 0, 0x1004, 0x2004, &qi, &qr);
	qm_free(qi);
	qm_free(qr);
	ike_sa_free(i);
	ike_sa_free(r);
}

/* ts is the host selector of addr (IPv4). */
static void host_ts_is(const struct tunnel_ts *ts, const char *addr)
{
	uint8_t a[4];

	assert_int_equal(inet_pton(AF_INET, addr, a), 1);
	assert_int_equal(ts->family, AF_INET);
	assert_int_equal(ts->len, 32);
	assert_memory_equal(ts->addr, a, 4);
}

/*
 * Transport mode through a real NAT: a, behind it (10.0.0.1, seen as 198.51.100.1), names
 * its own address in its IDs; b, which knows a as 198.51.100.1, takes the address it sees
 * for its selectors and answers with a's IDs as they came. The other way, b's quick mode
 * names a as b sees it, which a takes for its own address.
 */
static void test_nat_transport_ids(void **state)
{
	struct path pa = { .nat = true };
	struct tunnel a, b;
	struct ike_sa *i, *r;
	struct qm *qi, *qr;

	(void)state;
	conf(&a, "ab local 10.0.0.1 remote 192.168.1.2 auth psk psk sesame encap transport "
		 "local-id fqdn:sun.example remote-id fqdn:moon.example");
	conf(&b, "ba local 192.168.1.2 remote 198.51.100.1 auth psk psk sesame encap transport "
		 "local-id fqdn:moon.example remote-id fqdn:sun.example");
	nat_run(&a, &b, &pa, &i, &r);
	assert_true(i->nat.local && r->nat.peer);
	qm_done(i, r, 0, 0, 0x1001, 0x2001, &qi, &qr);
	host_ts_is(&qi->ts_i, "10.0.0.1");
	host_ts_is(&qr->id_i, "10.0.0.1");
	host_ts_is(&qr->ts_i, "198.51.100.1");
	host_ts_is(&qr->ts_r, "192.168.1.2");
	qm_free(qi);
	qm_free(qr);

	qm_done(r, i, 0, 0, 0x2002, 0x1002, &qr, &qi);
	host_ts_is(&qi->id_r, "198.51.100.1");
	host_ts_is(&qi->ts_r, "10.0.0.1");
	host_ts_is(&qi->ts_i, "192.168.1.2");
	qm_free(qi);
	qm_free(qr);
	ike_sa_free(i);
	ike_sa_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_main_mode),
		cmocka_unit_test(test_aggressive_mode),
		cmocka_unit_test(test_initial_contact),
		cmocka_unit_test(test_no_proposal),
		cmocka_unit_test(test_wrong_psk),
		cmocka_unit_test(test_wrong_id),
		cmocka_unit_test(test_retransmit_and_garbage),
		cmocka_unit_test(test_tampered_auth),
		cmocka_unit_test(test_forged_undecryptable),
		cmocka_unit_test(test_plain_message_6),
		cmocka_unit_test(test_quick_mode),
		cmocka_unit_test(test_quick_mode_pfs),
		cmocka_unit_test(test_quick_mode_refused),
		cmocka_unit_test(test_quick_mode_retransmit),
		cmocka_unit_test(test_quick_mode_replay),
		cmocka_unit_test(test_quick_mode_low_spi),
		cmocka_unit_test(test_quick_mode_bundle),
		cmocka_unit_test(test_quick_mode_lifekb),
		cmocka_unit_test(test_informational),
		cmocka_unit_test(test_psk_dn_ids),
		cmocka_unit_test(test_long_peer_id),
	};

	const struct CMUnitTest cert_tests[] = {
		cmocka_unit_test(test_main_mode_cert),
		cmocka_unit_test(test_aggressive_cert_forged),
		cmocka_unit_test(test_illegal_move_refused),
		cmocka_unit_test(test_nat_detected),
		cmocka_unit_test(test_nat_words),
		cmocka_unit_test(test_nat_quick_mode),
		cmocka_unit_test(test_nat_transport_ids),
	};

	return cmocka_run_group_tests_name("ike", tests, NULL, NULL) |
	       cmocka_run_group_tests_name("ike-cert", cert_tests, pki_setup, pki_teardown);
}
