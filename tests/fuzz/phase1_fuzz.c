// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for phase 1 (iked/ike.c): one message of the fuzzer's fed to an SA of
 * either role, at any point of a main- or aggressive-mode exchange, as test_ike.c drives
 * it: an initiator and a responder in memory, each with its tunnel, exchange genuine
 * messages up to that point, then the fuzzer's message arrives in place of the next one.
 *
 * The input:
 *   byte 0  the scenario: bits 0-2 the pair of tunnels (pairs[] below: PSK main and
 *           aggressive mode, several proposals, other ID types, certificates, a %any
 *           responder, IPv6); bits 3-5 the message replaced, modulo the exchange's count
 *           plus two: 1..6 in main mode, 1..3 in aggressive mode (odd ones go to the
 *           responder, even ones to the initiator), then one to the responder and one to
 *           the initiator once ESTABLISHED
 *   byte 1  how the message is made: bits 0-1 the form,
 *             0  RAW: the rest is the datagram, header and all; its cookies are made the
 *                SA's (bit 5: kept as given) and its length field the true one
 *             1  BODY: the rest is a payload chain (its first type, then the bytes of
 *                its payloads) after a header the harness writes with the SA's cookies;
 *                encrypted with the receiver's key and IV when it has keys (bit 2: the
 *                other way round); bit 3: an informational exchange instead, with
 *                HASH(1) when encrypted
 *             2, 3  GENUINE: byte 2 keeps the genuine message's payloads by bit (bit i,
 *                payload i), then the rest is a chain as in BODY, appended; encrypted as
 *                the genuine one was (so it gets past authentication with extra payloads,
 *                INITIAL-CONTACT among them); BODY when there is no genuine message
 *           bit 4: the message arrives twice; bit 6: the exchange then goes on, each
 *           side's reply to the other, to its end
 *
 * Besides the sanitizers it checks what ike.h promises: a refused message that does not
 * end the SA leaves its state as it was, and the genuine message is still taken after
 * it; a message of the exchange that moved the SA on (or ended it) is a retransmission
 * the second time; a dead SA holds no keys; what we send parses; two ends that both
 * reached ESTABLISHED hold the same keys.
 *
 * fuzz-sources: tests/fuzz/harness.c userspace/iked/ike.c userspace/iked/info.c
 * fuzz-sources: userspace/iked/log.c userspace/iked/natt.c
 * fuzz-sources: userspace/iked/auth.c userspace/iked/isakmp.c userspace/iked/ikecrypto.c
 * fuzz-sources: userspace/iked/dh.c
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

#include "auth.h"
#include "harness.h"
#include "ike.h"

enum {
	FORM_RAW,
	FORM_BODY,
	FORM_MASK = 3,
	HOW_INVERT_ENC = 1 << 2,
	HOW_INFO = 1 << 3,
	HOW_TWICE = 1 << 4,
	HOW_OWN_COOKIES = 1 << 5,
	HOW_GO_ON = 1 << 6,
	INFO_MSGID = 0x2f3e4d5d,
	PAIRS = 8,
};

#define A_EP "ab local 192.168.1.1 remote 192.168.1.2 local-ts 10.0.1.0/24 remote-ts " \
	     "10.0.2.0/24 "
#define B_EP "ba local 192.168.1.2 remote 192.168.1.1 local-ts 10.0.2.0/24 remote-ts " \
	     "10.0.1.0/24 "
#define PSK "auth psk psk sesame "
#define FAST "ike aes128-sha256-curve25519 "

/* The initiator's and the responder's tunnels; with certificates, filled in at start. */
static const char *const words[PAIRS][2] = {
	{ A_EP PSK FAST, B_EP PSK FAST },
	{ A_EP PSK FAST "mode aggressive", B_EP PSK FAST "mode aggressive" },
	{ A_EP PSK "ike aes256-sha512-ecp256,aes128-sha1-curve25519 allow-sha1 yes",
	  B_EP PSK "ike aes128-sha1-curve25519,aes256-sha512-ecp256 allow-sha1 yes" },
	{ A_EP PSK FAST "local-id fqdn:moon.example remote-id fqdn:sun.example",
	  B_EP PSK FAST "local-id fqdn:sun.example remote-id fqdn:moon.example" },
	{ A_EP PSK FAST "mode aggressive local-id dn:C=CH,O=nfsec,CN=moon "
	  "remote-id sun@example.org",
	  B_EP PSK FAST "mode aggressive local-id email:sun@example.org "
	  "remote-id dn:c=ch,o=NFSEC,cn=moon" },
	{ NULL, NULL },		/* certificates */
	{ A_EP PSK FAST, "ba local 192.168.1.2 remote %any local-ts 10.0.2.0/24 remote-ts "
	  "10.0.1.0/24 " PSK FAST "remote-id %any" },
	{ "ab local 2001:db8::1 remote 2001:db8::2 local-ts 2001:db8:1::/64 remote-ts "
	  "2001:db8:2::/64 auth psk psk 0x00112233445566778899 ike aes256-sha384-ecp384",
	  "ba local 2001:db8::2 remote 2001:db8::1 local-ts 2001:db8:2::/64 remote-ts "
	  "2001:db8:1::/64 auth psk psk 0x00112233445566778899 ike aes256-sha384-ecp384" },
};

enum { CERT_PAIR = 5 };

/* Pairs 3 and 4 announce INITIAL-CONTACT. */
static const bool announce[PAIRS] = { [3] = true, [4] = true };

static struct tunnel tunnels[PAIRS][2];
static struct auth_creds *creds[2];		/* of the certificate pair */
static uint8_t buf[ISAKMP_MSG_MAX];

/* A CA, moon and sun by strongSwan's pki, as test_ike.c makes them; false without pki. */
static bool certs_make(char *dir)
{
	char cmd[1024], a[1024], b[1024];

	if (!mkdtemp(dir))
		return false;
	snprintf(cmd, sizeof(cmd),
		 "exec > /dev/null 2>&1; umask 077; cd %s && "
		 "pki --gen --type rsa --size 2048 --outform pem > ca.key && "
		 "pki --self --ca --lifetime 30 --in ca.key --dn 'C=CH, O=nfsec, CN=CA' "
		 "--outform pem > ca.pem && for h in moon sun; do "
		 "pki --gen --type rsa --size 2048 --outform pem > $h.key && "
		 "pki --pub --in $h.key | pki --issue --lifetime 30 --cacert ca.pem "
		 "--cakey ca.key --dn \"C=CH, O=nfsec, CN=$h\" --outform pem > $h.pem; done",
		 dir);
	if (system(cmd))
		return false;
	snprintf(a, sizeof(a), A_EP "auth cert cert %s/moon.pem key %s/moon.key ca %s/ca.pem "
		 "remote-id dn:C=CH,O=nfsec,CN=sun " FAST, dir, dir, dir);
	snprintf(b, sizeof(b), B_EP "auth cert cert %s/sun.pem key %s/sun.key ca %s/ca.pem "
		 "remote-id dn:C=CH,O=nfsec,CN=moon " FAST, dir, dir, dir);
	fuzz_tunnel(&tunnels[CERT_PAIR][0], a);
	fuzz_tunnel(&tunnels[CERT_PAIR][1], b);
	creds[0] = auth_creds_load(&tunnels[CERT_PAIR][0], a, sizeof(a));
	creds[1] = auth_creds_load(&tunnels[CERT_PAIR][1], b, sizeof(b));
	return creds[0] && creds[1];
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[] = "/tmp/nfsec-fuzz-phase1-XXXXXX", cmd[128];
	unsigned int i;

	(void)argc;
	(void)argv;
	fuzz_init();
	for (i = 0; i < PAIRS; i++) {
		if (!words[i][0])
			continue;
		fuzz_tunnel(&tunnels[i][0], words[i][0]);
		fuzz_tunnel(&tunnels[i][1], words[i][1]);
	}
	if (!certs_make(dir)) {
		/* no pki: the certificate pair is the first one again */
		auth_creds_free(creds[0]);
		auth_creds_free(creds[1]);
		creds[0] = creds[1] = NULL;
		tunnels[CERT_PAIR][0] = tunnels[0][0];
		tunnels[CERT_PAIR][1] = tunnels[0][1];
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", dir);
	return 0;
}

/* One run: the pair, its two SAs, and the message the fuzzer replaces. */
struct run {
	unsigned int pair;
	unsigned int count;		/* messages of the exchange */
	struct ike_sa *i, *r;
	struct ike_sa *to;		/* the receiver; NULL: the responder, not made yet */
	const uint8_t *genuine;		/* the message that would have come, or NULL */
	size_t genuine_len;
};

static struct ike_sa *respond(const struct run *run, const struct ike_msg *msg)
{
	struct ike_sa *r = ike_sa_respond(&tunnels[run->pair][1], creds[1], msg);

	CHECK(r);
	return r;
}

/* Genuine messages 1..m-1. */
static void genuine_run(struct run *run, unsigned int m)
{
	char why[IKE_WHY_MAX];
	struct ike_msg msg = { 0 };
	unsigned int k;

	run->i = ike_sa_initiate(&tunnels[run->pair][0], creds[0], why, sizeof(why));
	CHECK(run->i);
	run->i->initial_contact = announce[run->pair];
	for (k = 1; k < m && k <= run->count; k++) {
		struct ike_sa *from = k % 2 ? run->i : run->r;

		CHECK(from->out_len && fuzz_msg(&msg, from->out, from->out_len));
		if (k == 1)
			run->r = respond(run, &msg);
		else
			CHECK(ike_sa_input(k % 2 ? run->r : run->i, &msg) == 0);
	}
	if (m > run->count) {
		CHECK(run->i->state == IKE_ESTABLISHED && run->r->state == IKE_ESTABLISHED);
		run->to = m == run->count + 1 ? run->r : run->i;
		return;
	}
	run->to = m % 2 ? run->r : run->i;
	run->genuine = m % 2 ? run->i->out : run->r->out;
	run->genuine_len = m % 2 ? run->i->out_len : run->r->out_len;
}

/* The exchange's cookies: the initiator's, and the responder's once it has one. */
static void cookies(const struct run *run, uint8_t *icookie, uint8_t *rcookie)
{
	memcpy(icookie, run->i->cky_i, ISAKMP_COOKIE_LEN);
	memset(rcookie, 0, ISAKMP_COOKIE_LEN);
	if (run->r)
		memcpy(rcookie, run->r->cky_r, ISAKMP_COOKIE_LEN);
}

/* The fuzzer's chain after the header (and HASH(1)) the harness writes: BODY. */
static size_t make_body(const struct run *run, uint8_t how, struct fuzz_in *in)
{
	const struct ike_sa *to = run->to;
	bool enc = (to && to->enc_key) != !!(how & HOW_INVERT_ENC);
	bool info = how & HOW_INFO;
	struct isakmp_hdr hdr = {
		.exchange = info ? ISAKMP_EXCH_INFO : run->i->aggressive ?
			    ISAKMP_EXCH_AGGRESSIVE : ISAKMP_EXCH_IDPROT,
		.flags = enc ? ISAKMP_FLAG_ENC : 0,
		.msgid = info ? INFO_MSGID : 0,
	};
	uint8_t iv[IKE_CBC_BLOCK_LEN];
	uint8_t first = fuzz_u8(in);
	struct isakmp_buf b;
	size_t h = 0;

	cookies(run, hdr.icookie, hdr.rcookie);
	isakmp_buf_init(&b, buf, sizeof(buf));
	isakmp_msg_begin(&b, &hdr);
	/* flag E before the keys: the bytes go as they are */
	enc = enc && to && to->enc_key;
	if (info && enc)
		h = isakmp_put_hash(&b, NULL, ike_hash_len(to->chosen.hash));
	fuzz_put_chain(&b, first, in->p, in->n);
	if (!enc)
		return fuzz_seal(&b, NULL, NULL);
	if (!info)
		return fuzz_seal(&b, to->enc_key, to->iv);
	{
		uint32_t mid = htonl(INFO_MSGID);
		struct ike_chunk pre = IKE_CHUNK(&mid, 4);

		if (ike_iv_phase2(to->chosen.hash, to->iv, INFO_MSGID, iv))
			return 0;
		return fuzz_seal_p2(to, &b, h, &pre, 1, true, iv);
	}
}

/* The genuine message, payloads kept by the mask, the fuzzer's chain after: GENUINE. */
static size_t make_genuine(struct run *run, struct fuzz_in *in)
{
	static uint8_t plain[ISAKMP_MSG_MAX];
	const struct ike_sa *to = run->to;
	struct ike_sa *from = to == run->i ? run->r : run->i;
	struct isakmp_chain chain;
	struct isakmp_buf b;
	struct ike_msg g = { 0 };
	uint8_t keep, first;
	size_t len;
	bool enc;

	CHECK(fuzz_msg(&g, run->genuine, run->genuine_len));
	enc = g.hdr.flags & ISAKMP_FLAG_ENC;
	CHECK(!enc || (to && to->enc_key));
	CHECK(fuzz_open(&g, enc ? to->enc_key : NULL, enc ? to->iv : NULL, plain, &chain));
	keep = fuzz_u8(in);
	first = fuzz_u8(in);
	isakmp_buf_init(&b, buf, sizeof(buf));
	isakmp_msg_begin(&b, &g.hdr);
	fuzz_put_kept(&b, &chain, keep | 0xffffff00U, false);
	fuzz_put_chain(&b, first, in->p, in->n);
	len = fuzz_seal(&b, enc ? to->enc_key : NULL, enc ? to->iv : NULL);
	/* the sender's next IV is the last block of what it sent: this one now */
	if (enc && len)
		memcpy(from->iv, buf + len - IKE_CBC_BLOCK_LEN, IKE_CBC_BLOCK_LEN);
	return len;
}

/* The datagram as given, cookies and length made right: RAW. */
static size_t make_raw(const struct run *run, uint8_t how, struct fuzz_in *in)
{
	size_t len = in->n < sizeof(buf) ? in->n : sizeof(buf);

	memcpy(buf, in->p, len);
	if (len < ISAKMP_HDR_LEN)
		return len;
	if (!(how & HOW_OWN_COOKIES))
		cookies(run, buf, buf + ISAKMP_COOKIE_LEN);
	isakmp_hdr_set_length(buf, (uint32_t)len);
	return len;
}

/* What every SA must look like after any message. */
static void check_sa(const struct ike_sa *sa)
{
	struct ike_msg out = { 0 };

	CHECK(sa->state < IKE_STATE_COUNT);
	CHECK(memchr(sa->why, '\0', sizeof(sa->why)) && memchr(sa->peer, '\0', sizeof(sa->peer)));
	CHECK(sa->out_len <= sizeof(sa->out));
	if (sa->out_len)
		CHECK(fuzz_msg(&out, sa->out, sa->out_len));
	if (sa->state == IKE_DEAD) {
		CHECK(sa->why[0]);
		CHECK(!sa->dh && !sa->enc_key && !sa->keys.skeyid && !sa->keys.skeyid_a);
	}
	if (sa->state == IKE_ESTABLISHED)
		CHECK(sa->enc_key && sa->keys.skeyid_a && sa->keys.skeyid_d && sa->peer[0]);
}

/* Each side's reply to the other, until neither has anything more to say. */
static void go_on(struct run *run)
{
	struct ike_msg msg = { 0 };
	int turn;

	for (turn = 0; turn < 8; turn++) {
		struct ike_sa *from = run->to, *to = run->to == run->i ? run->r : run->i;

		if (!from->out_len || !fuzz_msg(&msg, from->out, from->out_len))
			break;
		ike_sa_input(to, &msg);
		check_sa(to);
		run->to = to;
	}
	/* the same keys (the IVs may differ: the harness encrypted what it changed) */
	if (run->i->state == IKE_ESTABLISHED && run->r->state == IKE_ESTABLISHED &&
	    !memcmp(run->i->cky_r, run->r->cky_r, ISAKMP_COOKIE_LEN)) {
		CHECK(run->i->keys.skeyid_d->len == run->r->keys.skeyid_d->len);
		CHECK(!memcmp(run->i->keys.skeyid_d->data, run->r->keys.skeyid_d->data,
			      run->i->keys.skeyid_d->len));
	}
}

static void deliver(struct run *run, uint8_t how, const struct ike_msg *msg)
{
	struct ike_sa *to = run->to;
	enum ike_state before;
	struct ike_msg g = { 0 };
	int ret;

	if (!to) {
		/* the daemon makes a responder for message 1 of main or aggressive mode alone */
		if ((msg->hdr.exchange != ISAKMP_EXCH_IDPROT &&
		     msg->hdr.exchange != ISAKMP_EXCH_AGGRESSIVE) ||
		    memcmp(msg->hdr.rcookie, "\0\0\0\0\0\0\0\0", ISAKMP_COOKIE_LEN))
			return;
		run->r = run->to = to = respond(run, msg);
		check_sa(to);
		if (how & HOW_TWICE)
			ike_sa_input(to, msg);
	} else {
		before = to->state;
		ret = ike_sa_input(to, msg);
		check_sa(to);
		if (ret < 0 && to->state != IKE_DEAD) {
			/* refused, and nothing changed: the genuine message still goes through */
			CHECK(to->state == before);
			if (run->genuine && fuzz_msg(&g, run->genuine, run->genuine_len)) {
				CHECK(ike_sa_input(to, &g) == 0);
				check_sa(to);
			}
		} else if (how & HOW_TWICE) {
			/* answered again (informationals get no answer: nothing to repeat) */
			ret = ike_sa_input(to, msg);
			CHECK(ret == 1 || msg->hdr.exchange == ISAKMP_EXCH_INFO);
		}
	}
	check_sa(to);
	if (how & HOW_GO_ON && run->r)
		go_on(run);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t scenario = fuzz_u8(&in), how = fuzz_u8(&in);
	struct run run = { .pair = scenario % PAIRS };
	unsigned int form = how & FORM_MASK, m;
	struct ike_msg msg = { 0 };
	size_t len;

	fuzz_random_reset();
	run.count = tunnels[run.pair][0].aggressive ? 3 : 6;
	m = 1 + (unsigned int)(scenario >> 3 & 7) % (run.count + 2);
	genuine_run(&run, m);
	if (form == FORM_RAW)
		len = make_raw(&run, how, &in);
	else if (form == FORM_BODY || !run.genuine)
		len = make_body(&run, how, &in);
	else
		len = make_genuine(&run, &in);
	if (len && fuzz_msg(&msg, buf, len))
		deliver(&run, how, &msg);
	ike_sa_free(run.i);
	ike_sa_free(run.r);
	/* Whatever arrived, no exchange tried a move it never makes. */
	CHECK(!ike_moves_refused);
	return 0;
}
