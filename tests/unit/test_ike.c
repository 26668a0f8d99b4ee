// SPDX-License-Identifier: GPL-2.0
/*
 * Phase 1 (iked/ike.c) end to end in one process: an initiator and a responder, each with
 * its own tunnel, exchange their messages through memory. Main and aggressive mode reach
 * ESTABLISHED with the same keys on both sides; a proposal mismatch and a wrong
 * pre-shared key leave both sides DEAD saying why, and the responder's notify tells the
 * initiator; retransmissions are answered with the last reply; broken messages change
 * nothing.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ike.h"
#include "tunnel.h"

/* A tunnel from words. */
static void conf(struct tunnel *t, const char *text)
{
	char buf[1024], *words[64], *save = NULL, *w;
	char err[256] = "";
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", text);
	for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	if (tunnel_parse(words, n, t, err, sizeof(err)))
		fail_msg("tunnel_parse: %s", err);
}

#define A_SIDE "ab local 192.168.1.1 remote 192.168.1.2 local-ts 10.0.1.0/24 " \
	       "remote-ts 10.0.2.0/24 auth psk "
#define B_SIDE "ba local 192.168.1.2 remote 192.168.1.1 local-ts 10.0.2.0/24 " \
	       "remote-ts 10.0.1.0/24 auth psk "

static void msg_of(const struct ike_sa *sa, struct ike_msg *msg)
{
	struct isakmp_err err;

	assert_true(sa->out_len > 0);
	msg->buf = sa->out;
	msg->len = sa->out_len;
	assert_int_equal(isakmp_hdr_parse(msg->buf, msg->len, &msg->hdr, &err), 0);
}

/* Runs the exchange to its end; returns the responder. */
static struct ike_sa *run(const struct tunnel *a, const struct tunnel *b, struct ike_sa **ip)
{
	char why[IKE_WHY_MAX];
	struct ike_sa *i = ike_sa_initiate(a, why, sizeof(why));
	struct ike_sa *r;
	struct ike_msg msg;
	int turn;

	assert_non_null(i);
	msg_of(i, &msg);
	r = ike_sa_respond(b, &msg);
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
	struct ike_msg msg, cut;
	char why[IKE_WHY_MAX];
	uint8_t reply[ISAKMP_MSG_MAX];
	size_t reply_len;
	struct isakmp_err err;

	(void)state;
	conf(&a, A_SIDE "psk sesame");
	conf(&b, B_SIDE "psk sesame");
	i = ike_sa_initiate(&a, why, sizeof(why));
	assert_non_null(i);
	msg_of(i, &msg);
	r = ike_sa_respond(&b, &msg);
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
	struct ike_msg msg;
	char why[IKE_WHY_MAX];
	int turn, ret;

	(void)state;
	conf(&a, A_SIDE "psk sesame");
	conf(&b, B_SIDE "psk sesame");
	i = ike_sa_initiate(&a, why, sizeof(why));
	msg_of(i, &msg);
	r = ike_sa_respond(&b, &msg);
	for (turn = 0; turn < 3; turn++) {
		msg_of(turn % 2 ? i : r, &msg);
		assert_int_equal(ike_sa_input(turn % 2 ? r : i, &msg), 0);
	}
	assert_int_equal(i->state, IKE_MM_I3);
	i->out[ISAKMP_HDR_LEN + 5] ^= 0x40;
	msg_of(i, &msg);
	ret = ike_sa_input(r, &msg);
	assert_true(ret == -EBADMSG || ret == -EACCES);
	assert_int_not_equal(r->state, IKE_ESTABLISHED);
	ike_sa_free(i);
	ike_sa_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_main_mode),
		cmocka_unit_test(test_aggressive_mode),
		cmocka_unit_test(test_no_proposal),
		cmocka_unit_test(test_wrong_psk),
		cmocka_unit_test(test_wrong_id),
		cmocka_unit_test(test_retransmit_and_garbage),
		cmocka_unit_test(test_tampered_auth),
	};

	return cmocka_run_group_tests_name("ike", tests, NULL, NULL);
}
