// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for informational exchanges (iked/info.c) and what the daemon
 * (iked/daemon.c) does with them: DELETE of phase-2 SAs and of phase 1, notifications,
 * INITIAL-CONTACT, on an established phase 1, in between the other events that make and
 * end SAs. The daemon runs in this process, as in test_daemon.c, with fakes of the kernel
 * and the UDP sockets (stubs.c); its peer is made of ike.c and quick.c SAs of the peer's
 * tunnel, which answer whatever the daemon sends (the peer below), so exchanges run to
 * their end on their own.
 *
 * The input:
 *   byte 0  the setup: bits 0-1 the tunnels (setups[]: one selector pair; two; PFS and
 *           SHA-512; the daemon's tunnel to remote %any, a peer instance once phase 1 is
 *           up; the second and fourth with dead peer detection, which the peer never
 *           answers: time moving on kills it, restarts the second); bit 2: the daemon starts phase 1 ("nfsec tunnel up"), else the peer does;
 *           bits 3-4: how many quick modes the peer then runs (its pairs in turn, the
 *           third a rekey of the first)
 *   then events, [kind][length][that many bytes] each, EVENTS_MAX at most; kind bit 7:
 *   what the daemon sends during the event is lost (the peer hears nothing); bits 0-2:
 *     0 INFO    an informational from the peer over its newest phase 1 (bits 5-6: an
 *               older one): HASH(1), computed (bit 3: left zeros), then the bytes as a
 *               payload chain (its first type, then the rest); encrypted (bit 4: in
 *               clear and without HASH)
 *     1 BUILT   an informational info.c makes over the newest phase 1: bytes[0] bit 0 a
 *               DELETE of that phase 1; bit 1 a notify of type bytes[1..2], protocol
 *               bytes[3]; else a DELETE of the peer's ESP SPIs, bytes[1..] each an index
 *               among those it has (past the last: an SPI nobody has)
 *     2 PHASE1  a new phase 1 from the peer (bit 3: announcing INITIAL-CONTACT), its
 *               message 5 carrying the bytes (a chain) after its own payloads; it, and
 *               all the peer sends after it, from 192.168.1.3 with bit 4 (else .2): for
 *               remote %any a second peer, or the first one back from elsewhere
 *     3 QUICK   a quick mode from the peer, for its selector pair bytes[0]
 *     4 HALF    the peer's message 1 alone (the daemon answers), then the bytes as a chain
 *               in a plain informational with the cookies of that half-open exchange
 *     5 RAW     the bytes as a datagram from the peer; its cookies the newest phase 1's
 *               (bit 3: as given), its length field the true one
 *     6 UPDOWN  "nfsec tunnel up", or "down" with bit 3
 *     7 KERNEL  bytes[0] & 3: 0 an ACQUIRE for pair bytes[1], 1 a soft EXPIRE of the SA
 *               bytes[1] among those in the kernel, 2 a hard one; 3 the time: the loop's
 *               clock (the stubs') moves on by bytes[1..2] tenths of a second, the timers
 *               due firing in turn (retransmissions, the outbound switch, retired SAs,
 *               phase-1 expiry: setups[1] has a phase-1 lifetime of 10 minutes)
 * After each, the peer answers what the daemon sent until neither has more to say, the
 * loop runs a round (timers due now, kernel events), and the tunnel's status is taken
 * as "nfsec tunnel show" takes it. At the end every tunnel is removed: the fake kernel
 * must have every SA and policy back, and no timer may be left armed. Log lines never
 * carry a control character. Every SPI reservation must be released once, never twice
 * (corpus/info/spi-leak-crossed-qm: quick modes for one pair crossed, and ours ended
 * before its outbound switch). FUZZ_LOG=1 shows the daemon's log and what the kernel holds after
 * each event.
 *
 * fuzz-sources: tests/fuzz/harness.c tests/fuzz/stubs.c userspace/iked/daemon.c
 * fuzz-sources: userspace/iked/ike.c userspace/iked/quick.c userspace/iked/info.c
 * fuzz-sources: userspace/iked/auth.c userspace/iked/isakmp.c userspace/iked/ikecrypto.c
 * fuzz-sources: userspace/iked/dh.c userspace/iked/log.c userspace/iked/registry.c
 * fuzz-sources: userspace/iked/conf.c userspace/iked/dpd.c userspace/iked/natt.c
 * fuzz-sources: userspace/common/proposal.c userspace/common/tunnel.c userspace/common/words.c
 * fuzz-sources: userspace/common/encoding.c userspace/common/utils.c userspace/common/json.c
 * fuzz-libs: -lcrypto
 * fuzz-flags: -close_fd_mask=2
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "daemon.h"
#include "harness.h"
#include "info.h"
#include "log.h"
#include "loop.h"
#include "quick.h"
#include "registry.h"
#include "stubs.h"

enum {
	SETUPS = 4,
	EVENTS_MAX = 12,
	PEER_P1_MAX = 4,
	PEER_QM_MAX = 8,
	PEER_SPIS_MAX = 16,
	PUMP_MAX = 48,		/* datagrams a round of answers takes, at most */
	HOW_OLDER = 3 << 5,
	HOW_NO_HASH = 1 << 3,
	HOW_CLEAR = 1 << 4,
	HOW_AS_GIVEN = 1 << 3,
	HOW_DOWN = 1 << 3,
	HOW_IC = 1 << 3,
	HOW_MOVED = 1 << 4,
};

enum kind { INFO, BUILT, PHASE1, QUICK, HALF, RAW, UPDOWN, KERNEL };

#define PSK "auth psk psk sesame ike aes128-sha256-curve25519 "
#define MOON_EP "moon local 192.168.1.1 remote 192.168.1.2 "
#define SUN_EP "sun local 192.168.1.2 remote 192.168.1.1 "

/* The daemon's tunnel and the peer's. */
static const char *const setups[SETUPS][2] = {
	{ MOON_EP "local-ts 10.0.1.0/24 remote-ts 10.0.2.0/24 auto none " PSK,
	  SUN_EP "local-ts 10.0.2.0/24 remote-ts 10.0.1.0/24 " PSK },
	{ MOON_EP "local-ts 10.0.1.0/24,10.0.3.0/24 remote-ts 10.0.2.0/24 auto none "
	  "ike-lifetime 10m rekey-margin 1m lifetime 5m dpd 20s dpd-timeout 30s "
	  "dpd-mode periodic dpd-action restart " PSK,
	  SUN_EP "local-ts 10.0.2.0/24 remote-ts 10.0.1.0/24,10.0.3.0/24 " PSK },
	{ MOON_EP "local-ts 10.0.1.0/24 remote-ts 10.0.2.0/24 auto none auth psk psk sesame "
	  "ike aes256-sha512-curve25519 esp aes256-sha512 pfs curve25519",
	  SUN_EP "local-ts 10.0.2.0/24 remote-ts 10.0.1.0/24 auth psk psk sesame "
	  "ike aes256-sha512-curve25519 esp aes256-sha512 pfs curve25519" },
	{ "moon local 192.168.1.1 remote %any local-ts 10.0.1.0/24 remote-ts 10.0.2.0/24 "
	  "remote-id %any dpd 30s " PSK,
	  SUN_EP "local-ts 10.0.2.0/24 remote-ts 10.0.1.0/24 " PSK },
};

static struct tunnel moon[SETUPS], sun[SETUPS];

/* --- the peer ------------------------------------------------------------------------------ */

static struct {
	const struct tunnel *conf;
	struct ike_sa *p1[PEER_P1_MAX];		/* oldest first */
	unsigned int np1;
	struct qm *qm[PEER_QM_MAX];
	unsigned int nqm;
	uint32_t spis[PEER_SPIS_MAX];		/* its inbound SPIs, the daemon's outbound */
	unsigned int nspis;
	uint32_t next_spi;
	unsigned long read;			/* datagrams of the daemon's taken so far */
	bool deaf;				/* they are lost, not taken */
	bool moved;				/* it sends from 192.168.1.3 */
	/* the phase 1 whose message 5 gets the fuzzer's payloads too */
	struct ike_sa *tail_sa;
	uint8_t tail_first;
	const uint8_t *tail;
	size_t tail_len;
} peer;

static uint8_t buf[ISAKMP_MSG_MAX], plain[ISAKMP_MSG_MAX], in_buf[ISAKMP_MSG_MAX];
static uint32_t msgid_next;
static bool log_shown;		/* FUZZ_LOG set: the daemon's log to stderr */
static struct tunnel_status *status;

static void sockaddr4(struct sockaddr_storage *ss, const char *addr)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(IKE_PORT);
	CHECK(inet_pton(AF_INET, addr, &sin->sin_addr) == 1);
}

/* A datagram from the peer (192.168.1.2, or .3) to the daemon (192.168.1.1). */
static void peer_send(const uint8_t *p, size_t len)
{
	struct sockaddr_storage local, remote;

	sockaddr4(&local, "192.168.1.1");
	sockaddr4(&remote, peer.moved ? "192.168.1.3" : "192.168.1.2");
	stub_recv(&local, &remote, p, len, NULL);
}

static void peer_qm_drop(unsigned int i)
{
	qm_free(peer.qm[i]);
	memmove(&peer.qm[i], &peer.qm[i + 1], (peer.nqm - i - 1) * sizeof(peer.qm[0]));
	peer.nqm--;
}

static void peer_qm_add(struct qm *qm)
{
	if (peer.nqm == PEER_QM_MAX)
		peer_qm_drop(0);
	peer.qm[peer.nqm++] = qm;
}

static void peer_p1_add(struct ike_sa *sa)
{
	unsigned int i;

	if (peer.np1 == PEER_P1_MAX) {
		for (i = peer.nqm; i-- > 0;)
			if (peer.qm[i]->p1 == peer.p1[0])
				peer_qm_drop(i);
		if (peer.tail_sa == peer.p1[0])
			peer.tail_sa = NULL;
		ike_sa_free(peer.p1[0]);
		memmove(&peer.p1[0], &peer.p1[1], (PEER_P1_MAX - 1) * sizeof(peer.p1[0]));
		peer.np1--;
	}
	peer.p1[peer.np1++] = sa;
}

static uint32_t peer_spi(void)
{
	uint32_t spi = peer.next_spi++;

	if (peer.nspis < PEER_SPIS_MAX)
		peer.spis[peer.nspis++] = spi;
	return spi;
}

static struct ike_sa *peer_p1_find(const struct isakmp_hdr *hdr)
{
	static const uint8_t zero[ISAKMP_COOKIE_LEN];
	unsigned int i;

	for (i = peer.np1; i-- > 0;) {
		const struct ike_sa *sa = peer.p1[i];

		if (!memcmp(sa->cky_i, hdr->icookie, ISAKMP_COOKIE_LEN) &&
		    (!memcmp(sa->cky_r, hdr->rcookie, ISAKMP_COOKIE_LEN) ||
		     (sa->initiator && !memcmp(sa->cky_r, zero, ISAKMP_COOKIE_LEN))))
			return peer.p1[i];
	}
	return NULL;
}

/* The newest of the peer's established phase 1s, skipping older ones first. */
static struct ike_sa *peer_p1_up(unsigned int older)
{
	unsigned int i;

	for (i = peer.np1; i-- > 0;)
		if (peer.p1[i]->state == IKE_ESTABLISHED && !older--)
			return peer.p1[i];
	return NULL;
}

/* The peer's message 5 in sa->out again, with the fuzzer's payloads after its own. */
static void peer_tail(struct ike_sa *sa)
{
	uint8_t iv[IKE_CBC_BLOCK_LEN];
	struct isakmp_chain chain;
	struct isakmp_buf b;
	struct ike_msg m5 = { 0 };
	size_t len;

	CHECK(fuzz_msg(&m5, sa->out, sa->out_len));
	CHECK(ike_iv_phase1(sa->chosen.hash, IKE_CHUNK(sa->gxi.data, sa->gxi.len),
			    IKE_CHUNK(sa->gxr.data, sa->gxr.len), iv) == 0);
	CHECK(fuzz_open(&m5, sa->enc_key, iv, plain, &chain));
	isakmp_buf_init(&b, buf, sizeof(buf));
	isakmp_msg_begin(&b, &m5.hdr);
	fuzz_put_kept(&b, &chain, ~0U, false);
	fuzz_put_chain(&b, peer.tail_first, peer.tail, peer.tail_len);
	len = fuzz_seal(&b, sa->enc_key, iv);
	if (!len)
		return;
	memcpy(sa->out, buf, len);
	sa->out_len = len;
	/* what the peer decrypts message 6 with: the last block it sent */
	memcpy(sa->iv, sa->out + len - IKE_CBC_BLOCK_LEN, IKE_CBC_BLOCK_LEN);
}

static void peer_p1_input(struct ike_sa *p, const struct ike_msg *msg)
{
	int ret;

	if (!p) {
		if (memcmp(msg->hdr.rcookie, "\0\0\0\0\0\0\0\0", ISAKMP_COOKIE_LEN))
			return;
		p = ike_sa_respond(peer.conf, NULL, msg);
		if (!p)
			return;
		peer_p1_add(p);
		ret = 0;
	} else {
		ret = ike_sa_input(p, msg);
	}
	if (p == peer.tail_sa && !ret && p->state == IKE_MM_I3) {
		peer_tail(p);
		peer.tail_sa = NULL;
	}
	if ((ret == 0 || ret == 1 || p->state == IKE_DEAD) && p->out_len)
		peer_send(p->out, p->out_len);
}

static void peer_qm_input(struct ike_sa *p, const struct ike_msg *msg)
{
	struct qm *q = NULL;
	unsigned int i;
	int ret = 0;

	if (!p || p->state != IKE_ESTABLISHED)
		return;
	for (i = 0; i < peer.nqm && !q; i++)
		if (peer.qm[i]->p1 == p && peer.qm[i]->msgid == msg->hdr.msgid)
			q = peer.qm[i];
	if (!q) {
		q = qm_respond(p, msg, peer_spi());
		if (!q)
			return;
		peer_qm_add(q);
	} else {
		ret = qm_input(q, msg);
	}
	if ((ret == 0 || ret == 1 || q->state == QM_DEAD) && q->out_len)
		peer_send(q->out, q->out_len);
}

/* A datagram of the daemon's, to the peer: it answers as nfsec-iked would. */
static void peer_input(const uint8_t *p, size_t len)
{
	char why[IKE_WHY_MAX];
	struct ike_msg msg = { 0 };
	struct info info;
	struct ike_sa *sa;

	memcpy(in_buf, p, len);
	if (!fuzz_msg(&msg, in_buf, len))
		return;
	sa = peer_p1_find(&msg.hdr);
	switch (msg.hdr.exchange) {
	case ISAKMP_EXCH_IDPROT:
	case ISAKMP_EXCH_AGGRESSIVE:
		peer_p1_input(sa, &msg);
		break;
	case ISAKMP_EXCH_QUICK:
		peer_qm_input(sa, &msg);
		break;
	case ISAKMP_EXCH_INFO:
		if (sa && sa->state == IKE_ESTABLISHED)
			CHECK(info_parse(sa, &msg, &info, why, sizeof(why)) == 0);
		else if (sa)
			ike_sa_input(sa, &msg);
		break;
	}
}

/* The peer answers the daemon until neither has more to say; the loop runs a round. */
static void pump(void)
{
	unsigned int n, round;

	for (round = 0; round < 2; round++) {
		for (n = 0; n < PUMP_MAX && peer.read < stub_nsent; n++) {
			const struct stub_dgram *d = stub_sent(peer.read++);

			if (d && !peer.deaf)
				peer_input(d->buf, d->len);
		}
		peer.read = stub_nsent;
		if (!round)
			CHECK(loop_run_once(0) >= 0);
	}
}

/* --- events ------------------------------------------------------------------------------- */

static void peer_phase1(bool ic, uint8_t first, const uint8_t *tail, size_t tail_len)
{
	char why[IKE_WHY_MAX];
	struct ike_sa *sa = ike_sa_initiate(peer.conf, NULL, why, sizeof(why));

	CHECK(sa);
	sa->initial_contact = ic;
	peer_p1_add(sa);
	if (tail_len || first) {
		peer.tail_sa = sa;
		peer.tail_first = first;
		peer.tail = tail;
		peer.tail_len = tail_len;
	}
	peer_send(sa->out, sa->out_len);
}

static void peer_quick(uint8_t pair)
{
	const struct tunnel *c = peer.conf;
	struct ike_sa *p = peer_p1_up(0);
	unsigned int l = pair % c->local_ts_count, r = pair / c->local_ts_count %
		c->remote_ts_count;
	char why[IKE_WHY_MAX];
	struct qm *q;

	if (!p)
		return;
	q = qm_initiate(p, &c->local_ts[l], &c->remote_ts[r], peer_spi(), why, sizeof(why));
	if (!q)
		return;
	peer_qm_add(q);
	peer_send(q->out, q->out_len);
}

/* The fuzzer's chain in an informational over one of the peer's phase 1s. */
static void info_event(uint8_t how, const uint8_t *p, size_t len)
{
	struct ike_sa *sa = peer_p1_up((how & HOW_OLDER) >> 5);
	struct isakmp_hdr hdr = { .exchange = ISAKMP_EXCH_INFO, .msgid = msgid_next++ };
	uint8_t iv[IKE_CBC_BLOCK_LEN];
	uint32_t mid = htonl(hdr.msgid);
	struct ike_chunk pre = IKE_CHUNK(&mid, 4);
	struct isakmp_buf b;
	size_t h = 0, n;

	if (!sa || !len)
		return;
	memcpy(hdr.icookie, sa->cky_i, ISAKMP_COOKIE_LEN);
	memcpy(hdr.rcookie, sa->cky_r, ISAKMP_COOKIE_LEN);
	hdr.flags = how & HOW_CLEAR ? 0 : ISAKMP_FLAG_ENC;
	isakmp_buf_init(&b, buf, sizeof(buf));
	isakmp_msg_begin(&b, &hdr);
	if (!(how & HOW_CLEAR))
		h = isakmp_put_hash(&b, NULL, ike_hash_len(sa->chosen.hash));
	fuzz_put_chain(&b, p[0], p + 1, len - 1);
	CHECK(ike_iv_phase2(sa->chosen.hash, sa->iv, hdr.msgid, iv) == 0);
	if (how & HOW_CLEAR)
		n = fuzz_seal(&b, NULL, NULL);
	else if (how & HOW_NO_HASH)
		n = fuzz_seal(&b, sa->enc_key, iv);
	else
		n = fuzz_seal_p2(sa, &b, h, &pre, 1, true, iv);
	if (n)
		peer_send(buf, n);
}

/* An informational made by info.c, as the peer's nfsec-iked would send it. */
static void built_event(const uint8_t *p, size_t len)
{
	struct ike_sa *sa = peer_p1_up(0);
	uint32_t spis[INFO_SPIS_MAX];
	unsigned int n = 0, i;
	size_t out_len;
	int ret;

	if (!sa || !len)
		return;
	if (p[0] & 1) {
		ret = info_delete_build(sa, NULL, 0, buf, &out_len);
	} else if (p[0] & 2) {
		uint16_t type = len > 2 ? (uint16_t)(p[1] << 8 | p[2]) : ISAKMP_N_INITIAL_CONTACT;
		uint8_t proto = len > 3 ? p[3] : ISAKMP_PROTO_ISAKMP;

		ret = info_notify_build(sa, type, proto, len > 4 && peer.nspis ?
					peer.spis[p[4] % peer.nspis] : 0, buf, &out_len);
	} else {
		for (i = 1; i < len && n < INFO_SPIS_MAX; i++)
			spis[n++] = p[i] < peer.nspis ? peer.spis[p[i]] : 0xdeadbeef;
		ret = n ? info_delete_build(sa, spis, n, buf, &out_len) : -EINVAL;
	}
	if (!ret)
		peer_send(buf, out_len);
}

/* Message 1 from a new peer SA, then a plain informational of that half-open exchange. */
static void half_event(const uint8_t *p, size_t len)
{
	struct isakmp_hdr hdr = { .exchange = ISAKMP_EXCH_INFO, .msgid = msgid_next++ };
	char why[IKE_WHY_MAX];
	struct ike_sa *sa = ike_sa_initiate(peer.conf, NULL, why, sizeof(why));
	const struct stub_dgram *d;
	struct ike_msg reply = { 0 };
	struct isakmp_buf b;
	unsigned long before = stub_nsent;
	size_t n;

	CHECK(sa);
	peer_send(sa->out, sa->out_len);
	peer.read = stub_nsent;
	memcpy(hdr.icookie, sa->cky_i, ISAKMP_COOKIE_LEN);
	d = stub_nsent > before ? stub_sent(stub_nsent - 1) : NULL;
	if (d && fuzz_msg(&reply, d->buf, d->len))
		memcpy(hdr.rcookie, reply.hdr.rcookie, ISAKMP_COOKIE_LEN);
	ike_sa_free(sa);
	if (!len)
		return;
	isakmp_buf_init(&b, buf, sizeof(buf));
	isakmp_msg_begin(&b, &hdr);
	fuzz_put_chain(&b, p[0], p + 1, len - 1);
	n = fuzz_seal(&b, NULL, NULL);
	if (n)
		peer_send(buf, n);
}

static void raw_event(uint8_t how, const uint8_t *p, size_t len)
{
	struct ike_sa *sa = peer.np1 ? peer.p1[peer.np1 - 1] : NULL;

	memcpy(buf, p, len);
	if (len >= ISAKMP_HDR_LEN) {
		if (sa && !(how & HOW_AS_GIVEN)) {
			memcpy(buf, sa->cky_i, ISAKMP_COOKIE_LEN);
			memcpy(buf + ISAKMP_COOKIE_LEN, sa->cky_r, ISAKMP_COOKIE_LEN);
		}
		isakmp_hdr_set_length(buf, (uint32_t)len);
	}
	peer_send(buf, len);
}

static void kernel_event(struct iked_tunnel *t, const uint8_t *p, size_t len)
{
	uint8_t what = len ? p[0] & 3 : 0, which = len > 1 ? p[1] : 0;
	uint64_t until;

	switch (what) {
	case 0:
		stub_acquire(t->reqid << 8 | which);
		break;
	case 3:
		/* each timer at its time, the peer answering in between */
		until = loop_now_ms() + 100 * (uint64_t)(which << 8 | (len > 2 ? p[2] : 0));
		while (stub_timer_next(until - loop_now_ms()))
			pump();
		break;
	default:
		stub_expire(which % (stub_sas() + 1), what == 2);
	}
}

static void event(struct iked_tunnel *t, uint8_t kind, const uint8_t *p, size_t len)
{
	char err[256];

	peer.deaf = kind & 0x80;
	switch ((enum kind)(kind & 7)) {
	case INFO:
		info_event(kind, p, len);
		break;
	case BUILT:
		built_event(p, len);
		break;
	case PHASE1:
		peer.moved = kind & HOW_MOVED;
		peer_phase1(kind & HOW_IC, len ? p[0] : 0, len ? p + 1 : NULL, len ? len - 1 : 0);
		break;
	case QUICK:
		peer_quick(len ? p[0] : 0);
		break;
	case HALF:
		half_event(p, len);
		break;
	case RAW:
		raw_event(kind, p, len);
		break;
	case UPDOWN:
		if (kind & HOW_DOWN)
			registry_down(t->conf.name, err, sizeof(err));
		else
			registry_up(t->conf.name, err, sizeof(err));
		break;
	case KERNEL:
		kernel_event(t, p, len);
		break;
	}
	pump();
	peer.deaf = false;
	peer.tail_sa = NULL;	/* the fuzzer's bytes are gone after this */
	registry_status(t, status);
	if (log_shown)
		fprintf(stderr, "event %u done: the kernel holds %u SAs, %u SPIs, %u policies\n",
			kind & 7, stub_sas(), stub_spis(), stub_policies());
}

/* --- the run ------------------------------------------------------------------------------- */

/* Every line the daemon logs: one line, whatever the peer said. */
static void log_check(int level, const char *line, void *arg)
{
	(void)arg;
	if (log_shown)
		fprintf(stderr, "%s: %s\n", log_level_name(level), line);
	CHECK(strlen(line) <= LOG_LINE_MAX);
	for (; *line; line++)
		CHECK((unsigned char)*line >= 0x20 && *line != 0x7f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct iked_settings s;
	char err[256];
	unsigned int i;

	(void)argc;
	(void)argv;
	fuzz_init();
	CHECK(loop_init() == 0);
	log_init("fuzz", LOG_DEBUG, true);
	log_set_sink(log_check, NULL);
	log_shown = getenv("FUZZ_LOG");
	status = malloc(sizeof(*status));
	CHECK(status);
	iked_settings_default(&s);
	daemon_settings_set(&s);
	CHECK(daemon_init(NULL, err, sizeof(err)) == 0);
	for (i = 0; i < SETUPS; i++) {
		fuzz_tunnel(&moon[i], setups[i][0]);
		fuzz_tunnel(&sun[i], setups[i][1]);
	}
	return 0;
}

static void peer_free(void)
{
	while (peer.nqm)
		peer_qm_drop(peer.nqm - 1);
	while (peer.np1)
		ike_sa_free(peer.p1[--peer.np1]);
	memset(&peer, 0, sizeof(peer));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t setup = fuzz_u8(&in);
	unsigned int i, quick = setup >> 3 & 3;
	struct iked_tunnel *t;
	char err[256];

	fuzz_random_reset();
	stub_reset();
	peer.conf = &sun[setup % SETUPS];
	peer.next_spi = 0x5000;
	msgid_next = 0x100;
	CHECK(registry_add(&moon[setup % SETUPS], &t, err, sizeof(err)) == 0);
	if (setup & 4)
		registry_up(t->conf.name, err, sizeof(err));
	else
		peer_phase1(false, 0, NULL, 0);
	pump();
	for (i = 0; i < quick; i++) {
		peer_quick((uint8_t)i);
		pump();
	}
	for (i = 0; i < EVENTS_MAX && in.n; i++) {
		uint8_t kind = fuzz_u8(&in);
		size_t len = fuzz_u8(&in);
		const uint8_t *p = fuzz_take(&in, &len);

		event(t, kind, p, len);
	}
	registry_flush();
	CHECK(loop_run_once(0) >= 0);
	if (log_shown)
		fprintf(stderr, "left in the kernel: %u SAs, %u SPIs, %u policies\n", stub_sas(),
			stub_spis(), stub_policies());
	CHECK(stub_sas() == 0 && stub_policies() == 0 && stub_timers() == 0);
	CHECK(stub_spis() == 0);
	peer_free();
	/* Whatever arrived, no exchange tried a move it never makes. */
	CHECK(!ike_moves_refused && !qm_moves_refused);
	return 0;
}
