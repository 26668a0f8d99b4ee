// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for quick mode (iked/quick.c): one message of the fuzzer's fed to an
 * exchange over an established phase 1, to the responder (message 1, message 3) or to the
 * initiator (message 2). Phase 1 (main mode, pre-shared key) and quick mode up to that
 * point run for real between two SAs in memory, as test_ike.c runs them; the fuzzer's
 * message is encrypted with the phase-1 key and the exchange's IV, and its HASH made
 * right, so what comes after HASH is what gets fuzzed.
 *
 * The input:
 *   byte 0  the scenario: bits 0-2 the pair of tunnels (pairs[] below: AEAD, PFS, several
 *           selectors and proposals, transport mode, IPv6 selectors, ESN and lifetimes);
 *           bits 3-4 the message replaced, 1 + (value % 3); bits 5-7 which of the
 *           initiator's selector pairs quick mode is for
 *   byte 1  how the message is made: bits 0-1 the form,
 *             0  RAW: the rest is the whole plaintext body (a payload chain, its first type
 *                then its bytes: HASH first if it is to get anywhere), encrypted as is
 *             1  BODY: a HASH the harness computes, then the rest as a chain
 *             2, 3  GENUINE: a HASH the harness computes, the genuine message's other
 *                payloads kept by bit (byte 2: bit i, payload i after HASH), then the rest
 *                as a chain
 *           bit 2: message 1 reuses the message ID of an exchange that finished (a replay:
 *           must start nothing); bit 3: not encrypted; bit 4: the message arrives twice;
 *           bit 6: the exchange then goes on with the other side's genuine SA
 *
 * Checks beyond the sanitizers: a refused message that leaves the exchange alive changes
 * nothing, so the genuine one is still taken; a replayed message ID starts nothing; an
 * exchange that moved on has keys of the length its proposal needs, a peer SPI of 256 or
 * more and one of the tunnel's selector pairs; a dead one holds no keys; what we send
 * parses; a message that moved the exchange on is a retransmission the second time.
 *
 * fuzz-sources: tests/fuzz/harness.c userspace/iked/quick.c userspace/iked/ike.c
 * fuzz-sources: userspace/iked/log.c userspace/iked/natt.c
 * fuzz-sources: userspace/iked/info.c userspace/iked/auth.c userspace/iked/isakmp.c
 * fuzz-sources: userspace/iked/ikecrypto.c userspace/iked/dh.c
 * fuzz-sources: userspace/common/proposal.c userspace/common/tunnel.c userspace/common/words.c
 * fuzz-sources: userspace/common/encoding.c userspace/common/utils.c userspace/common/json.c
 * fuzz-libs: -lcrypto
 * fuzz-flags: -close_fd_mask=2
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "quick.h"

enum {
	FORM_RAW,
	FORM_BODY,
	FORM_MASK = 3,
	HOW_REPLAY = 1 << 2,
	HOW_PLAIN = 1 << 3,
	HOW_TWICE = 1 << 4,
	HOW_GO_ON = 1 << 6,
	SPI_I = 0x1001,
	SPI_R = 0x2001,
	PAIRS = 8,
};

#define A_EP "ab local 192.168.1.1 remote 192.168.1.2 auth psk psk sesame "
#define B_EP "ba local 192.168.1.2 remote 192.168.1.1 auth psk psk sesame "
#define A_TS "local-ts 10.0.1.0/24 remote-ts 10.0.2.0/24 "
#define B_TS "local-ts 10.0.2.0/24 remote-ts 10.0.1.0/24 "
#define FAST "ike aes128-sha256-curve25519 "

static const char *const words[PAIRS][2] = {
	{ A_EP A_TS FAST, B_EP B_TS FAST },
	{ A_EP A_TS FAST "esp aes128-sha256 pfs curve25519 lifetime 20m",
	  B_EP B_TS FAST "esp aes128-sha256 pfs curve25519 lifetime 30m" },
	{ A_EP FAST "local-ts 10.0.1.0/24,10.0.3.0/24[tcp/80] remote-ts 10.0.2.0/24,"
	  "10.0.4.1/32[udp] esp aes256gcm16,chacha20poly1305",
	  B_EP FAST "remote-ts 10.0.1.0/24,10.0.3.0/24[tcp/80] local-ts 10.0.2.0/24,"
	  "10.0.4.1/32[udp] esp chacha20poly1305,aes256gcm16,aes128gcm16" },
	{ A_EP FAST "encap transport esp aes128-sha256", B_EP FAST "encap transport" },
	{ A_EP FAST "local-ts 2001:db8:1::/48 remote-ts 2001:db8:2::/64[icmpv6]",
	  B_EP FAST "local-ts 2001:db8:2::/64[icmpv6] remote-ts 2001:db8:1::/48" },
	{ A_EP A_TS FAST "esp aes256-sha512-esn lifebytes 1G lifetime 1h",
	  B_EP B_TS FAST "esp aes256-sha512-esn,aes128-sha256 lifebytes 2G" },
	{ A_EP A_TS "ike aes256-sha512-ecp256 esp aes128-sha256,aes256-sha384 pfs ecp256",
	  B_EP B_TS "ike aes256-sha512-ecp256 esp aes256-sha384,aes128-sha256 pfs ecp256" },
	{ A_EP A_TS FAST "esp aes128gcm16 pfs ecp256",
	  B_EP B_TS FAST "esp aes256gcm16,aes128gcm16 pfs ecp256" },
};

static struct tunnel tunnels[PAIRS][2];
static uint8_t buf[ISAKMP_MSG_MAX], plain[ISAKMP_MSG_MAX];
static uint8_t m1[ISAKMP_MSG_MAX];		/* the genuine message 1 */
static size_t m1_len;

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned int i;

	(void)argc;
	(void)argv;
	fuzz_init();
	for (i = 0; i < PAIRS; i++) {
		fuzz_tunnel(&tunnels[i][0], words[i][0]);
		fuzz_tunnel(&tunnels[i][1], words[i][1]);
	}
	return 0;
}

struct run {
	const struct tunnel *a, *b;
	struct ike_sa *i, *r;		/* phase 1 */
	struct qm *qi, *qr;		/* quick mode, initiator's and responder's */
	unsigned int m;			/* the message replaced */
	uint32_t msgid;
	struct qm *to;			/* its receiver; NULL: the responder, not made yet */
	const uint8_t *genuine;		/* what would have come */
	size_t genuine_len;
	uint8_t iv[IKE_CBC_BLOCK_LEN];	/* what the receiver decrypts with */
};

static void qmsg(const struct qm *qm, struct ike_msg *msg)
{
	CHECK(qm->out_len && fuzz_msg(msg, qm->out, qm->out_len));
}

/* Quick mode for selector pair pair of a's (as far as a has it), run to message m. */
static void genuine_run(struct run *run, uint8_t pair, bool replay)
{
	const struct tunnel *a = run->a;
	char why[IKE_WHY_MAX];
	struct ike_msg msg = { 0 };
	unsigned int l = pair % a->local_ts_count;
	unsigned int rr = pair / a->local_ts_count % a->remote_ts_count;

	if (a->local_ts[l].family != a->remote_ts[rr].family)
		l = rr = 0;
	run->qi = qm_initiate(run->i, &a->local_ts[l], &a->remote_ts[rr], SPI_I, why,
			      sizeof(why));
	CHECK(run->qi);
	run->msgid = run->qi->msgid;
	memcpy(m1, run->qi->out, run->qi->out_len);
	m1_len = run->qi->out_len;
	if (run->m == 1 && replay) {
		/* the whole exchange first: its message 1 again is a replay */
		qmsg(run->qi, &msg);
		run->qr = qm_respond(run->r, &msg, SPI_R);
		CHECK(run->qr && run->qr->state == QM_R1);
		qmsg(run->qr, &msg);
		CHECK(qm_input(run->qi, &msg) == 0 && run->qi->state == QM_DONE);
		qmsg(run->qi, &msg);
		CHECK(qm_input(run->qr, &msg) == 0 && run->qr->state == QM_DONE);
		qm_free(run->qr);
		run->qr = NULL;
	}
	if (run->m >= 2) {
		qmsg(run->qi, &msg);
		run->qr = qm_respond(run->r, &msg, SPI_R);
		CHECK(run->qr && run->qr->state == QM_R1);
	}
	if (run->m == 3) {
		qmsg(run->qr, &msg);
		CHECK(qm_input(run->qi, &msg) == 0 && run->qi->state == QM_DONE);
	}
	switch (run->m) {
	case 1:
		run->to = NULL;
		run->genuine = m1;
		run->genuine_len = m1_len;
		CHECK(ike_iv_phase2(run->r->chosen.hash, run->r->iv, run->msgid, run->iv) == 0);
		break;
	case 2:
		run->to = run->qi;
		run->genuine = run->qr->out;
		run->genuine_len = run->qr->out_len;
		memcpy(run->iv, run->qi->iv, sizeof(run->iv));
		break;
	default:
		run->to = run->qr;
		run->genuine = run->qi->out;
		run->genuine_len = run->qi->out_len;
		memcpy(run->iv, run->qr->iv, sizeof(run->iv));
		break;
	}
}

/*
 * Ends the message in b with its HASH (at h) as the receiver checks it: HASH(1) over
 * M-ID and the rest, HASH(2) over M-ID, Ni and the rest, HASH(3) over 0, M-ID, Ni, Nr.
 */
static size_t seal(const struct run *run, struct isakmp_buf *b, size_t h)
{
	const struct qm *nonces = run->m == 3 ? run->qr : run->qi;
	uint32_t mid = htonl(run->msgid);
	uint8_t zero = 0;
	struct ike_chunk pre[4];
	unsigned int n = 0;

	if (run->m == 3)
		pre[n++] = IKE_CHUNK(&zero, 1);
	pre[n++] = IKE_CHUNK(&mid, 4);
	if (run->m >= 2)
		pre[n++] = IKE_CHUNK(nonces->ni.data, nonces->ni.len);
	if (run->m == 3)
		pre[n++] = IKE_CHUNK(nonces->nr.data, nonces->nr.len);
	return fuzz_seal_p2(run->r, b, h, pre, n, run->m != 3, run->iv);
}

static size_t make(struct run *run, uint8_t how, struct fuzz_in *in)
{
	struct isakmp_hdr hdr = {
		.exchange = ISAKMP_EXCH_QUICK, .flags = ISAKMP_FLAG_ENC, .msgid = run->msgid,
	};
	unsigned int form = how & FORM_MASK;
	struct isakmp_chain chain;
	struct isakmp_buf b;
	struct ike_msg g = { 0 };
	uint8_t keep = 0, first;
	size_t h, len;

	if (form >= 2) {
		CHECK(fuzz_msg(&g, run->genuine, run->genuine_len));
		CHECK(fuzz_open(&g, run->r->enc_key, run->iv, plain, &chain));
		keep = fuzz_u8(in);
	}
	first = fuzz_u8(in);
	if (how & HOW_PLAIN)
		hdr.flags = 0;
	memcpy(hdr.icookie, run->i->cky_i, ISAKMP_COOKIE_LEN);
	memcpy(hdr.rcookie, run->i->cky_r, ISAKMP_COOKIE_LEN);
	isakmp_buf_init(&b, buf, sizeof(buf));
	isakmp_msg_begin(&b, &hdr);
	if (form == FORM_RAW) {
		fuzz_put_chain(&b, first, in->p, in->n);
		return fuzz_seal(&b, how & HOW_PLAIN ? NULL : run->r->enc_key, run->iv);
	}
	h = isakmp_put_hash(&b, NULL, ike_hash_len(run->r->chosen.hash));
	if (form >= 2)
		fuzz_put_kept(&b, &chain, (uint32_t)keep << 1 | 0xfffffe00U, true);
	fuzz_put_chain(&b, first, in->p, in->n);
	if (how & HOW_PLAIN)
		return fuzz_seal(&b, NULL, NULL);
	len = seal(run, &b, h);
	/* the sender decrypts the answer with the last block of what it sent: this now */
	if (len)
		memcpy(run->m == 2 ? run->qr->iv : run->qi->iv, buf + len - IKE_CBC_BLOCK_LEN,
		       IKE_CBC_BLOCK_LEN);
	return len;
}

static bool is_ours(const struct esp_proposals *list, const struct esp_proposal *p)
{
	unsigned int i;

	for (i = 0; i < list->count; i++) {
		const struct esp_proposal *q = &list->p[i];

		if (q->transform == p->transform && q->enc_bits == p->enc_bits &&
		    q->auth == p->auth && q->group == p->group && q->esn == p->esn)
			return true;
	}
	return false;
}

/* What an exchange must look like after any message. */
static void check_qm(const struct qm *qm, const struct tunnel *conf)
{
	struct ike_msg out = { 0 };

	CHECK(qm->state <= QM_DEAD);
	CHECK(memchr(qm->why, '\0', sizeof(qm->why)));
	CHECK(qm->out_len <= sizeof(qm->out));
	if (qm->out_len)
		CHECK(fuzz_msg(&out, qm->out, qm->out_len));
	if (qm->state == QM_DEAD)
		CHECK(qm->why[0] && !qm->keys_in && !qm->keys_out && !qm->dh);
	if (qm->state == QM_DONE || (qm->state == QM_R1 && !qm->initiator)) {
		CHECK(qm->keys_in && qm->keys_out);
		CHECK(qm->keys_in->len == qm_keymat_len(&qm->chosen));
		CHECK(qm->keys_out->len == qm->keys_in->len);
		CHECK(qm->spi_out >= 256 && is_ours(&conf->esp, &qm->chosen));
		CHECK(qm->lifetime && qm->lifetime <= conf->lifetime);
		CHECK(qm->lifekb <= UINT64_MAX / 1024);
	}
}

/* The receiver's own tunnel. */
static const struct tunnel *conf_of(const struct run *run, const struct qm *qm)
{
	return qm->initiator ? run->a : run->b;
}

/* The exchange goes on with the genuine SA of the other side. */
static void go_on(struct run *run, struct qm *from)
{
	struct qm *to = from == run->qi ? run->qr : run->qi;
	struct ike_msg msg = { 0 };
	int turn;

	for (turn = 0; turn < 3 && to && from->out_len; turn++) {
		if (!fuzz_msg(&msg, from->out, from->out_len) ||
		    msg.hdr.exchange != ISAKMP_EXCH_QUICK)
			break;
		qm_input(to, &msg);
		check_qm(to, conf_of(run, to));
		from = to;
		to = from == run->qi ? run->qr : run->qi;
	}
}

static void deliver(struct run *run, uint8_t how, const struct ike_msg *msg)
{
	struct qm *to = run->to;
	enum qm_state before;
	struct ike_msg g = { 0 };
	int ret;

	if (!to) {
		errno = 0;
		to = qm_respond(run->r, msg, SPI_R);
		if (how & HOW_REPLAY && msg->hdr.msgid == run->msgid) {
			CHECK(!to && errno == EALREADY);
			return;
		}
		CHECK(to);
		/* a responder's exchange for this message ID: ours from now on */
		qm_free(run->qr);
		run->qr = run->to = to;
		check_qm(to, run->b);
		if (to->state == QM_R1)
			CHECK(ike_msgid_seen(run->r, run->msgid));
		if (how & HOW_TWICE && to->state != QM_NEW)
			CHECK(qm_input(to, msg) == 1);
	} else {
		before = to->state;
		ret = qm_input(to, msg);
		check_qm(to, conf_of(run, to));
		if (ret < 0 && to->state != QM_DEAD) {
			CHECK(to->state == before);
			CHECK(fuzz_msg(&g, run->genuine, run->genuine_len));
			CHECK(qm_input(to, &g) == 0);
			check_qm(to, conf_of(run, to));
		} else if (how & HOW_TWICE) {
			CHECK(qm_input(to, msg) == 1);
		}
	}
	if (how & HOW_GO_ON)
		go_on(run, to);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t scenario = fuzz_u8(&in), how = fuzz_u8(&in);
	unsigned int pair = scenario % PAIRS;
	struct run run = {
		.a = &tunnels[pair][0], .b = &tunnels[pair][1],
		.m = 1 + (unsigned int)(scenario >> 3 & 3) % 3,
	};
	struct ike_msg msg = { 0 };
	size_t len;

	fuzz_random_reset();
	fuzz_phase1(run.a, run.b, &run.i, &run.r);
	genuine_run(&run, scenario >> 5, how & HOW_REPLAY);
	len = make(&run, how, &in);
	if (len && fuzz_msg(&msg, buf, len))
		deliver(&run, how, &msg);
	qm_free(run.qi);
	qm_free(run.qr);
	ike_sa_free(run.i);
	ike_sa_free(run.r);
	/* Whatever arrived, no exchange tried a move it never makes. */
	CHECK(!ike_moves_refused && !qm_moves_refused);
	return 0;
}
