// SPDX-License-Identifier: GPL-2.0
/*
 * esp-fuzz: a bounded, seeded stream of crafted ESP for nfsec's inbound SAs (the kernel
 * input fuzz test, tests/vm/76-kernel-fuzz.sh), and the receiver that checks what of it
 * got through.
 *
 *   esp-fuzz --sa-commands
 *       the SAs and "in" policies the stream is made for, as `nfsec -batch` lines
 *   esp-fuzz --dev DEV --dst-mac MAC [--seed N] [--count N] [--cpu N]
 *       sends N datagrams (default 100000) as Ethernet frames of its own making on DEV,
 *       through an AF_PACKET socket, to MAC, from CPU N (default: where it starts);
 *       prints one JSON line of what nfsec must have counted
 *   esp-fuzz --receive [--cpu N]
 *       reads the UDP datagrams the stream carries (to port 7999) until SIGTERM and a
 *       second of quiet; prints one JSON line, and exits 1 if one came that nfsec should
 *       have dropped, came twice, or came damaged
 *
 * The keys are those of the other ESP tests (esp-lib.sh alg_words); OpenSSL libcrypto
 * seals every packet, so that authentic ones authenticate: rfc4106 AES-GCM and rfc7539esp
 * ChaCha20-Poly1305 (8-byte IV after the 4-byte salt, AAD SPI | seq, or SPI | seq_hi |
 * seq_lo with ESN), AES-CBC and NULL with HMAC-SHA256 truncated to 16 bytes (RFC 4868;
 * with ESN, seq_hi follows the ciphertext into the HMAC, RFC 4303 2.2.1).
 *
 * Each datagram: an SA, a sequence number (fresh, at the window's edges, across 2^32 on
 * an ESN SA), a body (UDP for the receiver, in tunnel mode inside an IPv4 or IPv6 header, or a
 * malformed one: dummy, random next header, a garbage, truncated or lying inner header),
 * a trailer (padding 1, 2, 3, ... or not, pad length right or wrong, lengths off the
 * cipher's block), sealed; then perhaps broken (truncated, lengthened, a bit flipped in the
 * ICV, the ciphertext or the sequence number, another SPI), or a recent datagram sent
 * again. It goes out in IPv4 (with options or not) or IPv6 (with a hop-by-hop header or
 * not), whole or in fragments: the first carrying the 8-byte ESP header alone, or 8 bytes
 * more, or a split inside the ICV, or several, in order or not; always a complete set
 * without overlaps, so reassembly hands nfsec the whole datagram.
 *
 * The accounting. For every datagram the program runs the checks of nfsec's input path in
 * their order (input.c, esp.c) against its own copy of each SA's replay window: ESP
 * header, SPI, IV, window, length and block, ICV, window again (advanced), padding, next
 * header, inner header, the SA's selector. It knows what it authenticated and how, so the
 * ICV needs no decryption. "sent" counts datagrams (a fragmented one once), and each
 * counter's key (in_packets, in_malformed, ... as `nfsec -j stats` names them) how many
 * nfsec must have put there; they add up to "sent". The sender pins itself to one CPU:
 * the veth then queues every frame on one backlog (that CPU's, or the one CPU the
 * receiving device's RPS names), nfsec sees them in the order sent (crypto that goes
 * asynchronous completes in order too), and the prediction is exact ("exact": true).
 * What is not knowable without that order is the fate of a number
 * inside the window, at or below its top (a duplicate, top - 63, ...): it rests on which
 * earlier ones were accepted. "edge" counts those verdicts; each counter's _min and _max
 * allow every one of them to have gone the other way.
 *
 * "valid" is in_packets: authentic, well-formed, fresh. "deliver" is how many of those
 * carry an intact UDP datagram for the receiver: each datagram's payload says whether nfsec must
 * drop it ('M'), may pass it to an IP layer that might drop it ('I': an inner header
 * that lies), or must deliver it ('V'), and the receiver counts the 'V's, each once.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum {
	WINDOW = 64,		/* the SAs' replay window (nfsec's default) */
	ICV_LEN = 16,
	ESP_MAX = 3200,		/* header, IV, plaintext up to 2900, ICV, and what a mutation adds */
	ETH_MTU = 1500,
	FRAME_MAX = ETH_HLEN + ETH_MTU,
	BATCH = 64,		/* frames per sendmmsg() */
	RING = 64,		/* recent datagrams, to send again */
	TAG_LEN = 16,		/* the receiver's header in every UDP payload */
	PORT = 7999,
};

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("esp-fuzz: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* --- randomness: splitmix64, one stream per seed ------------------------------------ */

static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t below(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

static bool chance(unsigned int percent)
{
	return below(100) < percent;
}

static void fill_random(uint8_t *p, size_t n)
{
	while (n--)
		*p++ = (uint8_t)rnd();
}

/* --- bytes --------------------------------------------------------------------------- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t n)
{
	for (; n > 1; p += 2, n -= 2)
		sum += get16(p);
	if (n)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* FNV-1a: the receiver's check that a payload arrived as it was made. */
static uint32_t fnv(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

/* --- addresses: esp-lib.sh's topology ------------------------------------------------ */

static const uint8_t a4[4] = { 192, 168, 1, 1 }, b4[4] = { 192, 168, 1, 2 };
static const uint8_t a6[16] = { 0xfd, 0x01, [15] = 1 }, b6[16] = { 0xfd, 0x01, [15] = 2 };
static const uint8_t inner_a4[4] = { 10, 0, 1, 1 };
static const uint8_t inner_a6[16] = { 0xfd, 0x10, 0, 1, [15] = 1 };

/* --- the SAs ------------------------------------------------------------------------- */

enum alg { GCM128, CHACHA, CBC_SHA256, NULL_SHA256 };

static const uint8_t key16[16] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
};
static const uint8_t salt[4] = { 1, 2, 3, 4 };
#define K16 "00112233445566778899aabbccddeeff"

static const struct alg_info {
	const char *words;	/* nfsec's */
	unsigned int iv_len, align;
} algs[] = {
	[GCM128] = { "aead gcm-aes 0x" K16 "01020304 128", 8, 4 },
	[CHACHA] = { "aead chacha20-poly1305 0x" K16 K16 "01020304 128", 8, 4 },
	[CBC_SHA256] = { "enc aes-cbc 0x" K16 " auth sha256 0x" K16 K16, 16, 16 },
	[NULL_SHA256] = { "enc null \"\" auth sha256 0x" K16 K16, 0, 4 },
};

/* The replay window as replay.c keeps it; bit i of @bits: top - i was accepted. */
struct window {
	uint64_t top, bits;
	bool esn;
};

struct sa {
	uint32_t spi;
	int family;		/* outer */
	bool tunnel, esn;
	bool selector;		/* nfsec's: inner 10.0.2.0/24 -> 10.0.1.0/24 (tunnel, IPv4) */
	enum alg alg;
	int inner;		/* tunnel: the inner family of most packets */

	uint32_t reqid;		/* also the inner source's last byte (10.0.2.R, fd10:2::R) */
	uint8_t in4[4], in6[16];
	unsigned int iv_len, align;
	EVP_CIPHER_CTX *cipher;
	EVP_MAC_CTX *mac;
	struct window win;
	uint64_t next;		/* above every number sent in this SA */
};

static struct sa sas[] = {
	{ .spi = 0x3001, .family = AF_INET, .tunnel = true, .esn = true, .selector = true,
	  .alg = GCM128, .inner = AF_INET },
	{ .spi = 0x3002, .family = AF_INET6, .esn = true, .alg = CBC_SHA256 },
	{ .spi = 0x3003, .family = AF_INET, .alg = CHACHA },
	{ .spi = 0x3004, .family = AF_INET6, .tunnel = true, .alg = NULL_SHA256,
	  .inner = AF_INET6 },
	{ .spi = 0x3005, .family = AF_INET, .tunnel = true, .alg = CBC_SHA256,
	  .inner = AF_INET6 },
	{ .spi = 0x3006, .family = AF_INET6, .tunnel = true, .esn = true, .alg = CHACHA,
	  .inner = AF_INET },
};

static struct sa *sa_find(uint32_t spi, int family)
{
	for (size_t i = 0; i < ARRAY_SIZE(sas); i++)
		if (sas[i].spi == spi && sas[i].family == family)
			return &sas[i];
	return NULL;
}

static const char *ntop(int family, const void *addr)
{
	static char buf[8][INET6_ADDRSTRLEN];
	static unsigned int n;

	return inet_ntop(family, addr, buf[n++ % 8], INET6_ADDRSTRLEN);
}

/*
 * The SAs and, for each, "in" policies that take what it decrypts: the tunnels' inner
 * sources of both families, the transport pairs' UDP (only UDP: the peers' neighbour
 * discovery and ICMP stay out of it).
 */
static void print_sa_commands(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(sas); i++) {
		const struct sa *sa = &sas[i];
		const void *src = sa->family == AF_INET ? (const void *)b4 : b6;
		const void *dst = sa->family == AF_INET ? (const void *)a4 : a6;
		const char *s = ntop(sa->family, src), *d = ntop(sa->family, dst);

		printf("sa add spi 0x%x dir in src %s dst %s mode %s reqid %u %s%s%s\n", sa->spi,
		       s, d, sa->tunnel ? "tunnel" : "transport", sa->reqid, algs[sa->alg].words,
		       sa->esn ? " esn" : "",
		       sa->selector ? " sel-src 10.0.2.0/24 sel-dst 10.0.1.0/24" : "");
		if (!sa->tunnel) {
			printf("policy add dir in priority 100 src %s dst %s proto udp "
			       "mode transport reqid %u\n", s, d, sa->reqid);
			continue;
		}
		printf("policy add dir in priority 100 src %s/32 dst %s/32 mode tunnel "
		       "tmpl-src %s tmpl-dst %s reqid %u\n", ntop(AF_INET, sa->in4),
		       ntop(AF_INET, inner_a4), s, d, sa->reqid);
		printf("policy add dir in priority 100 src %s/128 dst %s/128 mode tunnel "
		       "tmpl-src %s tmpl-dst %s reqid %u\n", ntop(AF_INET6, sa->in6),
		       ntop(AF_INET6, inner_a6), s, d, sa->reqid);
	}
}

static void sa_setup(struct sa *sa, size_t i)
{
	static const uint8_t in4[4] = { 10, 0, 2 }, in6[16] = { 0xfd, 0x10, 0, 2 };

	sa->reqid = 31 + (uint32_t)i;
	memcpy(sa->in4, in4, 4);
	memcpy(sa->in6, in6, 16);
	sa->in4[3] = (uint8_t)sa->reqid;
	sa->in6[15] = (uint8_t)sa->reqid;
	sa->iv_len = algs[sa->alg].iv_len;
	sa->align = algs[sa->alg].align;
	sa->win.esn = sa->esn;
	sa->next = 1;
}

static void sa_crypto(struct sa *sa)
{
	uint8_t key32[32];
	const EVP_CIPHER *c = NULL;
	const uint8_t *key = key16;
	OSSL_PARAM params[2];
	EVP_MAC *mac;

	memcpy(key32, key16, 16);
	memcpy(key32 + 16, key16, 16);
	switch (sa->alg) {
	case GCM128: c = EVP_aes_128_gcm(); break;
	case CHACHA: c = EVP_chacha20_poly1305(); key = key32; break;
	case CBC_SHA256: c = EVP_aes_128_cbc(); break;
	case NULL_SHA256: break;
	}
	if (c) {
		sa->cipher = EVP_CIPHER_CTX_new();
		if (!sa->cipher || !EVP_EncryptInit_ex(sa->cipher, c, NULL, NULL, NULL) ||
		    (sa->alg != CBC_SHA256 &&
		     !EVP_CIPHER_CTX_ctrl(sa->cipher, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL)) ||
		    !EVP_EncryptInit_ex(sa->cipher, NULL, NULL, key, NULL) ||
		    !EVP_CIPHER_CTX_set_padding(sa->cipher, 0))
			die("OpenSSL: cannot set up the cipher of SA 0x%x", sa->spi);
	}
	if (sa->alg != CBC_SHA256 && sa->alg != NULL_SHA256)
		return;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	sa->mac = mac ? EVP_MAC_CTX_new(mac) : NULL;
	if (!sa->mac || !EVP_MAC_init(sa->mac, key32, sizeof(key32), params))
		die("OpenSSL: cannot set up HMAC-SHA256");
	EVP_MAC_free(mac);
}

/*
 * Seals the ESP packet at @esp: its SPI is there, its IV and @pt_len bytes of plaintext
 * behind it; writes the low half of @seq, encrypts in place (CBC only a whole number of
 * blocks: other lengths are left as they are, for nfsec refuses them before decrypting)
 * and appends the ICV. Returns the packet's length.
 */
static size_t seal(struct sa *sa, uint8_t *esp, size_t pt_len, uint64_t seq)
{
	uint8_t *iv = esp + 8, *pt = iv + sa->iv_len, *icv = pt + pt_len;
	uint8_t aad[12], nonce[12], hi[4], md[32];
	size_t aad_len = 8, mdlen;
	int n;

	put32(esp + 4, (uint32_t)seq);
	put32(hi, (uint32_t)(seq >> 32));
	if (sa->alg == GCM128 || sa->alg == CHACHA) {
		memcpy(aad, esp, 8);
		if (sa->esn) {
			memcpy(aad + 4, hi, 4);
			memcpy(aad + 8, esp + 4, 4);
			aad_len = 12;
		}
		memcpy(nonce, salt, 4);
		memcpy(nonce + 4, iv, 8);
		if (!EVP_EncryptInit_ex(sa->cipher, NULL, NULL, NULL, nonce) ||
		    !EVP_EncryptUpdate(sa->cipher, NULL, &n, aad, (int)aad_len) ||
		    (pt_len && !EVP_EncryptUpdate(sa->cipher, pt, &n, pt, (int)pt_len)) ||
		    !EVP_EncryptFinal_ex(sa->cipher, pt + pt_len, &n) ||
		    !EVP_CIPHER_CTX_ctrl(sa->cipher, EVP_CTRL_AEAD_GET_TAG, ICV_LEN, icv))
			die("OpenSSL: AEAD encryption failed");
		return 8 + sa->iv_len + pt_len + ICV_LEN;
	}
	if (sa->alg == CBC_SHA256 && pt_len && pt_len % 16 == 0 &&
	    (!EVP_EncryptInit_ex(sa->cipher, NULL, NULL, NULL, iv) ||
	     !EVP_EncryptUpdate(sa->cipher, pt, &n, pt, (int)pt_len) ||
	     !EVP_EncryptFinal_ex(sa->cipher, pt + pt_len, &n)))
		die("OpenSSL: CBC encryption failed");
	if (!EVP_MAC_init(sa->mac, NULL, 0, NULL) ||
	    !EVP_MAC_update(sa->mac, esp, 8 + sa->iv_len + pt_len) ||
	    (sa->esn && !EVP_MAC_update(sa->mac, hi, 4)) ||
	    !EVP_MAC_final(sa->mac, md, &mdlen, sizeof(md)))
		die("OpenSSL: HMAC failed");
	memcpy(icv, md, ICV_LEN);
	return 8 + sa->iv_len + pt_len + ICV_LEN;
}

/* --- the replay window, as replay.c ------------------------------------------------ */

/* RFC 4303 appendix A2.2, as nfsec_replay_infer(): 0 is "before sequence space 0". */
static uint64_t window_infer(const struct window *w, uint32_t lo)
{
	uint32_t top_lo = (uint32_t)w->top, top_hi = (uint32_t)(w->top >> 32);
	uint32_t bottom = top_lo - WINDOW + 1;

	if (!w->esn)
		return lo;
	if (top_lo >= WINDOW - 1) {
		if (lo < bottom)
			top_hi++;
	} else if (lo >= bottom) {
		if (!top_hi)
			return 0;
		top_hi--;
	}
	return (uint64_t)top_hi << 32 | lo;
}

static bool window_fresh(const struct window *w, uint64_t seq)
{
	if (!seq)
		return false;
	if (seq > w->top)
		return true;
	if (w->top - seq >= WINDOW)
		return false;
	return !(w->bits >> (w->top - seq) & 1);
}

/* Whether @seq's verdict rests on the bits (which earlier numbers were accepted). */
static bool window_edge(const struct window *w, uint64_t seq)
{
	return seq && seq <= w->top && w->top - seq < WINDOW;
}

static void window_advance(struct window *w, uint64_t seq)
{
	if (seq > w->top) {
		uint64_t ahead = seq - w->top;

		w->bits = ahead >= 64 ? 0 : w->bits << ahead;
		w->top = seq;
	}
	w->bits |= 1ull << (w->top - seq);
}

/* --- verdicts: nfsec's input path, in its order --------------------------------------- */

enum verdict { PACKETS, NO_SA, MALFORMED, REPLAY, AUTH_FAIL, DUMMY, SELECTOR, VERDICTS };

static const char *const verdict_names[VERDICTS] = {
	"in_packets", "in_no_sa", "in_malformed", "in_replay", "in_auth_fail", "in_dummy",
	"in_selector",
};

/* What a datagram's ESP is, as far as predicting its verdict goes. */
struct esp_meta {
	int family;		/* outer */
	size_t len;		/* ESP bytes */
	uint32_t spi, seq_lo;	/* on the wire, when len has them */
	int sa;			/* sealed by (index), -1 none */
	uint64_t seq;		/* authenticated with */
	bool authentic;		/* nothing changed since sealing */
	enum verdict plain;	/* what its plaintext earns once authenticated */
};

/*
 * The trailer, next header and inner packet of an authentic plaintext, as
 * nfsec_esp_strip(), in_deliver() and decap_tunnel() judge them.
 */
static enum verdict plain_verdict(const struct sa *sa, const uint8_t *pt, size_t len)
{
	size_t pad, inner;
	uint8_t nh;

	if (len < 2)
		return MALFORMED;
	pad = pt[len - 2];
	nh = pt[len - 1];
	if (pad + 2 > len)
		return MALFORMED;
	for (size_t i = 0; i < pad; i++)
		if (pt[len - 2 - pad + i] != i + 1)
			return MALFORMED;
	if (nh == 59)
		return DUMMY;
	if (!sa->tunnel)
		return PACKETS;
	inner = len - 2 - pad;
	if (nh == IPPROTO_IPIP) {
		unsigned int ihl = pt[0] & 15, tot;

		if (inner < 20)
			return MALFORMED;
		tot = get16(pt + 2);
		if (pt[0] >> 4 != 4 || ihl < 5 || tot < ihl * 4 || tot > inner)
			return MALFORMED;
		if (sa->selector && (memcmp(pt + 12, (uint8_t[]){ 10, 0, 2 }, 3) ||
				     memcmp(pt + 16, (uint8_t[]){ 10, 0, 1 }, 3)))
			return SELECTOR;
		return PACKETS;
	}
	if (nh == IPPROTO_IPV6) {
		if (inner < 40 || pt[0] >> 4 != 6 || 40u + get16(pt + 4) > inner)
			return MALFORMED;
		/* The selector is IPv4's: its family never matches. */
		return sa->selector ? SELECTOR : PACKETS;
	}
	return MALFORMED;
}

/*
 * The verdict nfsec gives @m now, advancing the SA's window as nfsec would. *@edge: it
 * rested on the window's bits; *@other is then the verdict had they said otherwise.
 */
static enum verdict predict(const struct esp_meta *m, bool *edge, enum verdict *other)
{
	struct sa *sa;
	enum verdict rest;
	bool fresh, authentic = false;
	uint64_t seq;
	long elen;

	*edge = false;
	if (m->len < 8)
		return MALFORMED;
	sa = sa_find(m->spi, m->family);
	if (!sa)
		return NO_SA;
	if (m->len < 8 + sa->iv_len)
		return MALFORMED;
	seq = window_infer(&sa->win, m->seq_lo);
	fresh = window_fresh(&sa->win, seq);
	/* what follows the window's first look */
	elen = (long)m->len - 8 - (long)sa->iv_len - ICV_LEN;
	if (elen < 2 || elen % sa->align) {
		rest = MALFORMED;
	} else if (!m->authentic || m->sa != sa - sas || m->seq != seq) {
		rest = AUTH_FAIL;
	} else {
		rest = m->plain;
		authentic = true;
	}
	if (window_edge(&sa->win, seq)) {
		*edge = true;
		*other = fresh ? REPLAY : rest;
	}
	if (!fresh)
		return REPLAY;
	/* The second look (the same, in order) and the advance come before the trailer's. */
	if (authentic)
		window_advance(&sa->win, seq);
	return rest;
}

/* --- bodies: what ESP carries ------------------------------------------------------- */

/* A UDP datagram in a plaintext: where, and its pseudo-header's addresses. */
struct udp_ref {
	size_t off, len;
	int family;
	const uint8_t *src, *dst;
};

static size_t udp_put(uint8_t *p, size_t payload, uint32_t index)
{
	put16(p, (uint16_t)(1024 + below(60000)));
	put16(p + 2, PORT);
	put16(p + 4, (uint16_t)(8 + payload));
	put16(p + 6, 0);
	memcpy(p + 8, "kfz1", 4);
	put32(p + 12, index);
	p[16] = 'M';
	p[17] = 0;
	put16(p + 18, (uint16_t)payload);
	fill_random(p + 8 + TAG_LEN, payload - TAG_LEN);
	return 8 + payload;
}

/* Sets the payload's kind, then its check value and the UDP checksum. */
static void udp_finish(uint8_t *pt, const struct udp_ref *u, char kind)
{
	uint8_t *p = pt + u->off, *tag = p + 8;
	size_t alen = u->family == AF_INET ? 4 : 16;
	uint32_t sum;
	uint16_t c;

	tag[8] = (uint8_t)kind;
	put32(tag + 12, 0);
	put32(tag + 12, fnv(tag, u->len - 8));
	put16(p + 6, 0);
	sum = sum16(0, u->src, alen);
	sum = sum16(sum, u->dst, alen);
	sum += IPPROTO_UDP + (uint32_t)u->len;
	c = fold(sum16(sum, p, u->len));
	put16(p + 6, c ? c : 0xffff);
}

static size_t ip4_put(uint8_t *p, const uint8_t *src, const uint8_t *dst, uint8_t proto,
		      size_t payload)
{
	p[0] = 0x45;
	p[1] = 0;
	put16(p + 2, (uint16_t)(20 + payload));
	put16(p + 4, (uint16_t)rnd());
	put16(p + 6, 0);
	p[8] = 64;
	p[9] = proto;
	put16(p + 10, 0);
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
	put16(p + 10, fold(sum16(0, p, 20)));
	return 20;
}

static size_t ip6_put(uint8_t *p, const uint8_t *src, const uint8_t *dst, uint8_t nh,
		      size_t payload)
{
	put32(p, 6u << 28);
	put16(p + 4, (uint16_t)payload);
	p[6] = nh;
	p[7] = 64;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
	return 40;
}

static size_t payload_len(void)
{
	if (chance(4))
		return 1000 + below(1600);	/* fragments a reassembly chains */
	return TAG_LEN + below(chance(80) ? 120 : 900);
}

/*
 * A valid body: the UDP datagram for PORT, in tunnel mode inside an inner header of
 * @family from the SA's inner source (the selector's network for SA 0, unless
 * @off_selector). Returns its length, sets *@nh and *@u.
 */
static size_t body_udp(const struct sa *sa, uint8_t *pt, uint32_t index, int family,
		       bool off_selector, uint8_t *nh, struct udp_ref *u)
{
	size_t n = payload_len(), hl;

	if (!sa->tunnel) {
		*u = (struct udp_ref){ 0, 8 + n, sa->family,
				       sa->family == AF_INET ? b4 : b6,
				       sa->family == AF_INET ? a4 : a6 };
		*nh = IPPROTO_UDP;
		return udp_put(pt, n, index);
	}
	if (family == AF_INET) {
		static uint8_t outside[4] = { 10, 0, 3, 1 };

		*u = (struct udp_ref){ 20, 8 + n, AF_INET, off_selector ? outside : sa->in4,
				       inner_a4 };
		hl = ip4_put(pt, u->src, inner_a4, IPPROTO_UDP, 8 + n);
		*nh = IPPROTO_IPIP;
	} else {
		*u = (struct udp_ref){ 40, 8 + n, AF_INET6, sa->in6, inner_a6 };
		hl = ip6_put(pt, sa->in6, inner_a6, IPPROTO_UDP, 8 + n);
		*nh = IPPROTO_IPV6;
	}
	return hl + udp_put(pt + hl, n, index);
}

/*
 * No byte of a garbage inner header may name ESP or an IPv6 extension header where the IP
 * layer would look: the decrypted packet would come to nfsec a second time (or hide ESP
 * behind an extension chain) and be counted twice.
 */
static bool reenters(uint8_t proto)
{
	return proto == IPPROTO_ESP || proto == IPPROTO_AH || proto == 0 || proto == 43 ||
	       proto == 44 || proto == 59 || proto == 60;
}

static void sanitize(uint8_t *pt, size_t len, uint8_t nh)
{
	if (nh == IPPROTO_IPIP && len > 9 && reenters(pt[9]))
		pt[9] = IPPROTO_UDP;
	if (nh == IPPROTO_IPV6 && len > 6 && reenters(pt[6]))
		pt[6] = IPPROTO_UDP;
}

static uint8_t random_nexthdr(void)
{
	uint8_t nh;

	do
		nh = (uint8_t)rnd();
	while (reenters(nh) || nh == IPPROTO_IPIP || nh == IPPROTO_IPV6 || nh == 47);
	return nh;
}

enum body_kind {
	BODY_UDP,		/* valid */
	BODY_TFC,		/* tunnel: valid, with TFC padding behind the inner packet */
	BODY_OTHER_FAMILY,	/* tunnel: valid, of the SA's less usual inner family */
	BODY_DUMMY,		/* next header 59 */
	BODY_NEXTHDR,		/* a random next header, random bytes */
	BODY_GARBAGE,		/* next header 4 or 41, random bytes */
	BODY_TRUNCATED,		/* valid, cut inside its first header */
	BODY_LIES,		/* valid but a length, version or header length lies */
	BODY_SELECTOR,		/* tunnel: valid, outside SA 0's selector */
	BODY_EMPTY,		/* nothing but the trailer */
	BODY_KINDS
};

/* A lie in the body's first header; the inner packet no longer is what it was. */
static void body_lie(const struct sa *sa, uint8_t *pt, size_t len)
{
	size_t l4 = sa->tunnel ? (pt[0] >> 4 == 4 ? 20 : 40) : 0;
	uint16_t v;

	switch (below(4)) {
	case 0:		/* the inner length over what there is */
	case 1:		/* under it */
		if (!sa->tunnel) {
			v = get16(pt + 4);
			put16(pt + 4, below(2) ? (uint16_t)(v + 1 + below(100)) : (uint16_t)below(v));
			return;
		}
		if (l4 == 20) {
			v = get16(pt + 2);
			put16(pt + 2, below(2) ? (uint16_t)(v + 1 + below(2000)) : (uint16_t)below(v));
			put16(pt + 10, 0);
			put16(pt + 10, fold(sum16(0, pt, 20)));
		} else {
			v = get16(pt + 4);
			put16(pt + 4, below(2) ? (uint16_t)(v + 1 + below(2000)) : (uint16_t)below(v));
		}
		return;
	case 2:		/* the version */
		pt[0] = (uint8_t)((below(16) << 4) | (pt[0] & 15));
		return;
	default:	/* IPv4's header length (tunnel), or a random header byte */
		if (l4 == 20)
			pt[0] = (uint8_t)(0x40 | below(16));
		else
			pt[below((uint32_t)(len < 8 ? len : 8))] ^= (uint8_t)(1 + below(255));
		return;
	}
}

/*
 * Writes a body of @kind for @sa at @pt. Returns its length, sets *@nh, *@u (u->len 0:
 * no UDP datagram for PORT) and *@intact (a valid inner packet: delivered if accepted).
 */
static size_t body_make(const struct sa *sa, enum body_kind kind, uint8_t *pt,
			uint32_t index, uint8_t *nh, struct udp_ref *u, bool *intact)
{
	int family = sa->inner;
	size_t len, n;

	*intact = false;
	u->len = 0;
	if (sa->tunnel && chance(15))
		family = family == AF_INET ? AF_INET6 : AF_INET;
	switch (kind) {
	case BODY_OTHER_FAMILY:
		family = sa->inner == AF_INET ? AF_INET6 : AF_INET;
		/* fall through */
	case BODY_UDP:
	case BODY_TFC:
		len = body_udp(sa, pt, index, family, false, nh, u);
		*intact = true;
		if (kind == BODY_TFC && sa->tunnel) {
			n = 1 + below(64);
			fill_random(pt + len, n);
			len += n;
		}
		return len;
	case BODY_SELECTOR:
		len = body_udp(sa, pt, index, sa->selector ? AF_INET : family, sa->selector, nh,
			       u);
		*intact = true;
		return len;
	case BODY_DUMMY:
		*nh = 59;
		len = below(4) ? below(200) : 0;
		fill_random(pt, len);
		return len;
	case BODY_NEXTHDR:
		*nh = random_nexthdr();
		len = below(200);
		fill_random(pt, len);
		return len;
	case BODY_GARBAGE:
		*nh = below(2) ? IPPROTO_IPIP : IPPROTO_IPV6;
		len = below(120);
		fill_random(pt, len);
		if (len && below(2))
			pt[0] = (uint8_t)((*nh == IPPROTO_IPIP ? 0x40 : 0x60) | (pt[0] & 15));
		sanitize(pt, len, *nh);
		return len;
	case BODY_TRUNCATED:
		len = body_udp(sa, pt, index, family, false, nh, u);
		u->len = 0;
		return below(sa->tunnel ? (family == AF_INET ? 20 : 40) : 8);
	case BODY_LIES:
		len = body_udp(sa, pt, index, family, false, nh, u);
		body_lie(sa, pt, len);
		return len;
	case BODY_EMPTY:
	case BODY_KINDS:
		break;
	}
	*nh = sa->tunnel ? (below(2) ? IPPROTO_IPIP : IPPROTO_IPV6) : IPPROTO_UDP;
	return 0;
}

/* --- trailers ------------------------------------------------------------------------ */

enum trailer_kind {
	TRAILER_OK,		/* 1, 2, 3, ... to the block, sometimes a few blocks more */
	TRAILER_PAD_BYTE,	/* one padding byte wrong */
	TRAILER_PAD_LONG,	/* a pad length past the start of the plaintext */
	TRAILER_PAD_OFF,	/* a pad length that does not match the padding */
	TRAILER_UNALIGNED,	/* a plaintext off the cipher's block */
	TRAILER_KINDS
};

/* Appends padding, pad length and @nh to the @len-byte body; returns the plaintext's length. */
static size_t trailer_make(const struct sa *sa, enum trailer_kind kind, uint8_t *pt,
			   size_t len, uint8_t nh)
{
	size_t pad = (sa->align - (len + 2) % sa->align) % sa->align;

	if (chance(10))
		pad += sa->align * below((uint32_t)((255 - pad) / sa->align + 1));
	if (kind == TRAILER_PAD_BYTE && !pad)
		pad = sa->align;
	if (kind == TRAILER_UNALIGNED)
		pad += 1 + below(sa->align - 1);
	for (size_t i = 0; i < pad; i++)
		pt[len + i] = (uint8_t)(i + 1);
	pt[len + pad] = (uint8_t)pad;
	pt[len + pad + 1] = nh;
	len += pad + 2;
	switch (kind) {
	case TRAILER_PAD_BYTE:
		pt[len - 3 - below((uint32_t)pad)] ^= (uint8_t)(1 + below(255));
		break;
	case TRAILER_PAD_LONG:
		pt[len - 2] = (uint8_t)(len - 1 + below((uint32_t)(len < 256 ? 256 - len + 1 : 1)));
		break;
	case TRAILER_PAD_OFF:
		pt[len - 2] = (uint8_t)below((uint32_t)(len - 1));
		break;
	default:
		break;
	}
	return len;
}

/* --- datagrams ----------------------------------------------------------------------- */

struct dgram {
	struct esp_meta m;
	bool again;		/* may be sent again: not if sealed with a wrong ESN half */
	uint8_t esp[ESP_MAX];
};

enum scenario {
	VALID,			/* authentic, fresh, well-formed */
	EDGE,			/* the same at the window's edges */
	AGAIN,			/* a recent datagram once more */
	PLAIN_BAD,		/* authentic, fresh, its plaintext malformed */
	LENGTH_BAD,		/* off the cipher's block, truncated or lengthened */
	ICV_BAD,		/* a bit flipped after sealing */
	SEQ_BAD,		/* a bit of the sequence number flipped after sealing */
	SPI_BAD,		/* no SA's SPI, another SA's, or over the other family */
	ESN_HI,			/* sealed with the wrong high half of the number */
	SCENARIOS
};

static const unsigned int scenario_weight[SCENARIOS] = {
	[VALID] = 38, [EDGE] = 10, [AGAIN] = 5, [PLAIN_BAD] = 20, [LENGTH_BAD] = 11,
	[ICV_BAD] = 7, [SEQ_BAD] = 2, [SPI_BAD] = 4, [ESN_HI] = 3,
};

static enum scenario pick_scenario(void)
{
	unsigned int total = 0, r;
	int i;

	for (i = 0; i < SCENARIOS; i++)
		total += scenario_weight[i];
	r = below(total);
	for (i = 0; r >= scenario_weight[i]; i++)
		r -= scenario_weight[i];
	return (enum scenario)i;
}

/*
 * A number above any the SA has seen: the next, sometimes a little or far beyond it, and
 * on an ESN SA now and then one of the last of its 2^32 block, so that the stream
 * crosses into the next. Sealed as nfsec infers it from the low half (the same number:
 * no jump is near 2^32).
 */
static uint64_t seq_fresh(struct sa *sa)
{
	uint64_t seq = sa->next > sa->win.top ? sa->next : sa->win.top + 1, last;

	if (chance(3))
		seq += 1 + below(chance(20) ? 50000 : 10);
	if (sa->esn && chance(1)) {
		last = (seq | 0xffffffffull) - below(48);
		if (last > seq)
			seq = last;
	}
	return window_infer(&sa->win, (uint32_t)seq);
}

/*
 * A number at the window's edges: its top, inside it, its last slot (top - 63), just and
 * far behind it, 0, or one past the top. On an ESN SA sealed either with that number or
 * with the one nfsec infers from its low half (behind the window, that is the next block
 * of 2^32).
 */
static uint64_t seq_edge(struct sa *sa)
{
	static const uint32_t back[] = { 0, 1, 63, 64, 65 };
	uint64_t top = sa->win.top, k, seq;

	switch (below(8)) {
	case 0: case 1: case 2:
		k = back[below(ARRAY_SIZE(back))];
		break;
	case 3: case 4:
		k = 2 + below(61);
		break;
	case 5:
		k = 66 + below(3000);
		break;
	case 6:
		return 0;
	default:
		return top + 1;
	}
	seq = top > k ? top - k : 0;
	if (sa->esn && below(2))
		seq = window_infer(&sa->win, (uint32_t)seq);
	return seq;
}

static struct tally {
	uint64_t sent, deliver, edge, fragmented, frames, retries, tunnel, ipv6;
	uint64_t verdict[VERDICTS], low[VERDICTS], high[VERDICTS];
	bool exact;
} tally = { .exact = true };

static void record(const struct dgram *d, enum verdict v, bool edge, enum verdict other)
{
	const struct sa *sa = sa_find(d->m.spi, d->m.family);

	tally.sent++;
	tally.verdict[v]++;
	tally.tunnel += sa && sa->tunnel;
	tally.ipv6 += d->m.family == AF_INET6;
	if (edge && other != v) {
		tally.edge++;
		tally.low[v]++;
		tally.high[other]++;
	}
}

/* How a sealed packet gets broken: chosen before sealing (its verdict needs it), done after. */
struct breakage {
	size_t len;		/* the packet's length after */
	size_t flip;		/* a byte to flip bits of (0: none) */
	uint8_t mask;
};

static void break_plan(struct dgram *d, enum scenario scen, bool unaligned,
		       struct breakage *b)
{
	struct esp_meta *m = &d->m;
	size_t n = m->len;

	b->flip = 0;
	b->mask = 0;
	switch (scen) {
	case LENGTH_BAD:
		if (unaligned)
			break;		/* authentic, but nfsec counts the block before the ICV */
		if (below(3))	/* truncated, often to next to nothing or by a few bytes */
			n = below(2) ? below((uint32_t)(n < 40 ? n : 40))
				     : n - 1 - below((uint32_t)(n < 24 ? n : 24));
		else
			n += 1 + below(24);
		m->authentic = false;
		break;
	case ICV_BAD:		/* in the ICV, or in the IV and ciphertext before it */
		b->flip = below(2) ? n - 1 - below(ICV_LEN) : 8 + below((uint32_t)(n - 8));
		b->mask = (uint8_t)(1 << below(8));
		m->authentic = false;
		break;
	case SEQ_BAD:
		m->seq_lo ^= 1u << below(32);
		break;
	case SPI_BAD:
		switch (below(3)) {
		case 0:
			m->spi = 0x4000 + below(0x10000);
			break;
		case 1:		/* another SA's, or by chance its own */
			m->spi = sas[below(ARRAY_SIZE(sas))].spi;
			break;
		default:
			m->family = m->family == AF_INET ? AF_INET6 : AF_INET;
			break;
		}
		break;
	default:
		break;
	}
	b->len = n;
	m->len = n;
}

static void break_apply(struct dgram *d, size_t sealed, const struct breakage *b)
{
	put32(d->esp, d->m.spi);
	put32(d->esp + 4, d->m.seq_lo);
	if (b->len > sealed)
		fill_random(d->esp + sealed, b->len - sealed);
	if (b->flip)
		d->esp[b->flip] ^= b->mask;
}

static const enum body_kind bad_bodies[] = {
	BODY_DUMMY, BODY_NEXTHDR, BODY_GARBAGE, BODY_TRUNCATED, BODY_LIES, BODY_SELECTOR,
	BODY_EMPTY,
};

/*
 * Makes datagram @index into @d: an SA, a number, a body and a trailer; the verdict
 * predicted (the window advanced), the payload's kind set from it; sealed, broken.
 */
static void make(struct dgram *d, uint32_t index, enum scenario scen)
{
	struct sa *sa = &sas[below(ARRAY_SIZE(sas))];
	enum trailer_kind trailer = TRAILER_OK;
	enum body_kind body = BODY_UDP;
	struct esp_meta *m = &d->m;
	enum verdict v, other;
	struct breakage b;
	struct udp_ref u;
	bool intact, edge;
	uint8_t *pt, nh;
	size_t len;

	if (scen == ESN_HI && !sa->esn)
		scen = VALID;
	if (scen == VALID && chance(20))
		body = below(2) ? BODY_TFC : BODY_OTHER_FAMILY;
	if (scen == PLAIN_BAD && below(5) < 2)
		trailer = TRAILER_PAD_BYTE + below(3);	/* a valid body, a bad trailer */
	else if (scen == PLAIN_BAD)
		body = bad_bodies[below(ARRAY_SIZE(bad_bodies))];
	if (scen == LENGTH_BAD && below(2))
		trailer = TRAILER_UNALIGNED;

	*m = (struct esp_meta){ .family = sa->family, .spi = sa->spi, .sa = (int)(sa - sas),
				.authentic = true };
	m->seq = scen == EDGE ? seq_edge(sa) : seq_fresh(sa);
	if (m->seq >= sa->next)
		sa->next = m->seq + 1;
	m->seq_lo = (uint32_t)m->seq;
	d->again = scen != ESN_HI;
	if (scen == ESN_HI)
		m->seq += below(2) || m->seq < (1ull << 32) ? 1ull << 32 : -(1ull << 32);

	put32(d->esp, sa->spi);
	fill_random(d->esp + 8, sa->iv_len);
	pt = d->esp + 8 + sa->iv_len;
	len = body_make(sa, body, pt, index, &nh, &u, &intact);
	len = trailer_make(sa, trailer, pt, len, nh);
	m->plain = plain_verdict(sa, pt, len);
	m->len = 8 + sa->iv_len + len + ICV_LEN;
	break_plan(d, scen, trailer == TRAILER_UNALIGNED, &b);

	v = predict(m, &edge, &other);
	record(d, v, edge, other);
	if (u.len)
		udp_finish(pt, &u, v != PACKETS ? 'M' : intact ? 'V' : 'I');
	tally.deliver += v == PACKETS && u.len && intact;
	break_apply(d, seal(sa, d->esp, len, m->seq), &b);
}

/* --- the wire: IPv4 and IPv6, whole or in fragments, through AF_PACKET -------------- */

struct sender {
	int fd;
	uint8_t src_mac[ETH_ALEN], dst_mac[ETH_ALEN];
	unsigned int n;			/* frames in the batch */
	uint16_t ip4_id;
	uint32_t ip6_id;
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	uint8_t frame[BATCH][FRAME_MAX];
};

/*
 * Sends the batch. A frame the veth could not queue (ENOBUFS: the backlog full, when
 * another CPU does the receiving) never reached nfsec: it goes again, in its place in the
 * order, once the receiver has had a moment.
 */
static void flush(struct sender *s)
{
	unsigned int done = 0, tries = 0;
	int r;

	while (done < s->n) {
		r = sendmmsg(s->fd, s->msg + done, s->n - done, 0);
		if (r > 0) {
			done += (unsigned int)r;
			tries = 0;
			continue;
		}
		if (r < 0 && errno != ENOBUFS && errno != EAGAIN && errno != EINTR)
			die("sendmmsg: %s", strerror(errno));
		if (++tries > 20000)
			die("sendmmsg: the peer takes nothing (%s)", strerror(errno));
		tally.retries++;
		usleep(500);
	}
	tally.frames += s->n;
	s->n = 0;
}

static uint8_t *frame_start(struct sender *s, uint16_t ethertype)
{
	uint8_t *f = s->frame[s->n];

	memcpy(f, s->dst_mac, ETH_ALEN);
	memcpy(f + ETH_ALEN, s->src_mac, ETH_ALEN);
	put16(f + 12, ethertype);
	return f + ETH_HLEN;
}

static void frame_end(struct sender *s, size_t ip_len)
{
	s->iov[s->n].iov_len = ETH_HLEN + ip_len;
	s->n++;
}

enum { CUTS_MAX = 8 };

/*
 * Where to cut @len bytes of ESP into fragments, at multiples of 8 (RFC 791, RFC 8200):
 * the number of cuts, 0 for none. What does not fit @whole is cut in pieces of @piece;
 * the rest now and then: after the ESP header alone, after 8 more bytes or 16, inside the
 * ICV, or in several places.
 */
static unsigned int frag_plan(size_t len, size_t whole, size_t piece, size_t *cut)
{
	unsigned int n = 0, k;
	size_t c;

	if (len > whole) {
		c = below(4) ? piece : 8;
		for (; c < len && n < CUTS_MAX; c += piece)
			cut[n++] = c;
		return n;
	}
	if (len <= 8 || !chance(12))
		return 0;
	switch (below(4)) {
	case 0:
		cut[n++] = 8;
		break;
	case 1:
		c = 16 + 8 * below(2);
		cut[n++] = c < len ? c : 8;
		break;
	case 2:
		c = len > ICV_LEN + 8 ? (len - ICV_LEN + 1 + 7) & ~(size_t)7 : 8;
		cut[n++] = c < len ? c : 8;
		break;
	default:
		for (k = 2 + below(3), c = 0; n < k; n++) {
			c += 8 * (1 + below((uint32_t)((len - c - 1) / 8 / (k - n) + 1)));
			if (c >= len)
				break;
			cut[n] = c;
		}
		break;
	}
	return n;
}

/* One frame of @d: its ESP bytes [@from, @to), IPv4, options in the first fragment. */
static void emit4(struct sender *s, const struct dgram *d, size_t opt, size_t from, size_t to,
		  bool frag)
{
	uint8_t *p = frame_start(s, ETH_P_IP);
	size_t hl = 20 + (from ? 0 : opt);

	p[0] = (uint8_t)(0x40 | hl / 4);
	p[1] = 0;
	put16(p + 2, (uint16_t)(hl + to - from));
	put16(p + 4, s->ip4_id);
	put16(p + 6, frag ? (uint16_t)(from / 8 | (to < d->m.len ? 0x2000 : 0)) : 0);
	p[8] = 64;
	p[9] = IPPROTO_ESP;
	put16(p + 10, 0);
	memcpy(p + 12, b4, 4);
	memcpy(p + 16, a4, 4);
	memset(p + 20, 1, hl - 20);		/* no-operation options */
	put16(p + 10, fold(sum16(0, p, hl)));
	memcpy(p + hl, d->esp + from, to - from);
	frame_end(s, hl + to - from);
}

/* One frame of @d in IPv6: a hop-by-hop header (@hbh) and a fragment header (@frag) first. */
static void emit6(struct sender *s, const struct dgram *d, bool hbh, size_t from, size_t to,
		  bool frag)
{
	uint8_t *p = frame_start(s, ETH_P_IPV6), *h = p + 40;
	uint8_t after = frag ? 44 : IPPROTO_ESP;

	ip6_put(p, b6, a6, hbh ? 0 : after, (hbh ? 8 : 0) + (frag ? 8 : 0) + to - from);
	if (hbh) {
		memcpy(h, (uint8_t[]){ after, 0, 1, 4, 0, 0, 0, 0 }, 8);	/* PadN */
		h += 8;
	}
	if (frag) {
		h[0] = IPPROTO_ESP;
		h[1] = 0;
		put16(h + 2, (uint16_t)(from | (to < d->m.len ? 1 : 0)));
		put32(h + 4, s->ip6_id);
		h += 8;
	}
	memcpy(h, d->esp + from, to - from);
	frame_end(s, (size_t)(h - p) + to - from);
}

/* Puts @d on the wire: whole, or as a complete set of fragments in some order. */
static void emit(struct sender *s, const struct dgram *d)
{
	bool v6 = d->m.family == AF_INET6, hbh = v6 && chance(10);
	size_t opt = !v6 && chance(10) ? 4 * (1 + below(2)) : 0;
	size_t whole = v6 ? ETH_MTU - 40 - (hbh ? 8 : 0) : ETH_MTU - 20 - opt;
	size_t piece = (v6 ? ETH_MTU - 40 - 8 - 8 : ETH_MTU - 20 - 8) & ~(size_t)7;
	size_t cut[CUTS_MAX + 2], from, to;
	unsigned int n, order[CUTS_MAX + 1], i, j, t;

	n = frag_plan(d->m.len, whole, piece, cut + 1);
	if (s->n + n + 1 > BATCH)
		flush(s);
	s->ip4_id++;
	s->ip6_id++;
	if (!n) {
		if (v6)
			emit6(s, d, hbh, 0, d->m.len, false);
		else
			emit4(s, d, opt, 0, d->m.len, false);
		return;
	}
	tally.fragmented++;
	cut[0] = 0;
	cut[n + 1] = d->m.len;
	for (i = 0; i <= n; i++)
		order[i] = i;
	if (chance(25)) {		/* reversed, or shuffled */
		for (i = 0; i <= n; i++) {
			j = below(2) ? n - i : below(n + 1);
			if (j < i && below(2))
				continue;
			t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
	}
	for (i = 0; i <= n; i++) {
		from = cut[order[i]];
		to = cut[order[i] + 1];
		if (v6)
			emit6(s, d, hbh, from, to, true);
		else
			emit4(s, d, opt, from, to, true);
	}
}

static void sender_open(struct sender *s, const char *dev, const char *mac)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct ifreq ifr = { 0 };
	int one = 1;

	if (sscanf(mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &s->dst_mac[0], &s->dst_mac[1],
		   &s->dst_mac[2], &s->dst_mac[3], &s->dst_mac[4], &s->dst_mac[5]) != 6)
		die("--dst-mac: not a MAC address: %s", mac);
	/* Protocol 0: the socket sends and never receives. */
	s->fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (s->fd < 0)
		die("AF_PACKET socket: %s", strerror(errno));
	sll.sll_ifindex = (int)if_nametoindex(dev);
	if (!sll.sll_ifindex)
		die("no device %s", dev);
	if (bind(s->fd, (struct sockaddr *)&sll, sizeof(sll)))
		die("bind to %s: %s", dev, strerror(errno));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (ioctl(s->fd, SIOCGIFHWADDR, &ifr))
		die("%s's address: %s", dev, strerror(errno));
	memcpy(s->src_mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	/* The veth has no queue to bypass, but the qdisc layer's work is skipped too. */
	setsockopt(s->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	for (unsigned int i = 0; i < BATCH; i++) {
		s->iov[i].iov_base = s->frame[i];
		s->msg[i].msg_hdr.msg_iov = &s->iov[i];
		s->msg[i].msg_hdr.msg_iovlen = 1;
	}
}

/*
 * One CPU (@cpu, or the current one if < 0): without RPS the veth queues what this
 * process sends on the backlog of the CPU it runs on, so a process that never moves has
 * nfsec see the frames in the order sent.
 */
static bool pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		cpu = sched_getcpu();
	if (cpu < 0)
		return false;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return !sched_setaffinity(0, sizeof(set), &set);
}

static void print_tally(void)
{
	printf("{\"sent\":%" PRIu64 ",\"valid\":%" PRIu64 ",\"deliver\":%" PRIu64
	       ",\"exact\":%s,\"edge\":%" PRIu64 ",\"fragmented\":%" PRIu64
	       ",\"frames\":%" PRIu64 ",\"retries\":%" PRIu64 ",\"tunnel\":%" PRIu64
	       ",\"ipv6\":%" PRIu64, tally.sent, tally.verdict[PACKETS], tally.deliver,
	       tally.exact ? "true" : "false", tally.edge, tally.fragmented, tally.frames,
	       tally.retries, tally.tunnel, tally.ipv6);
	for (int v = 0; v < VERDICTS; v++)
		printf(",\"%s\":%" PRIu64 ",\"%s_min\":%" PRIu64 ",\"%s_max\":%" PRIu64,
		       verdict_names[v], tally.verdict[v], verdict_names[v],
		       tally.verdict[v] - tally.low[v], verdict_names[v],
		       tally.verdict[v] + tally.high[v]);
	printf("}\n");
}

static void generate(const char *dev, const char *mac, uint64_t count, int cpu)
{
	static struct dgram ring[RING];
	static struct sender s;
	unsigned int filled = 0, at = 0;
	enum verdict v, other;
	enum scenario scen;
	struct dgram *d, *old;
	bool edge;

	sender_open(&s, dev, mac);
	tally.exact = pin(cpu);
	for (size_t i = 0; i < ARRAY_SIZE(sas); i++)
		sa_crypto(&sas[i]);
	for (uint64_t i = 0; i < count; i++) {
		d = &ring[at];
		scen = pick_scenario();
		old = filled > 1 ? &ring[(at + RING - 1 - below(filled - 1)) % RING] : NULL;
		if (scen == AGAIN && old && old->again) {
			memcpy(d, old, sizeof(*d));
			v = predict(&d->m, &edge, &other);
			record(d, v, edge, other);
		} else {
			make(d, (uint32_t)i, scen == AGAIN ? VALID : scen);
		}
		emit(&s, d);
		at = (at + 1) % RING;
		if (filled < RING)
			filled++;
	}
	flush(&s);
	print_tally();
}

/* --- the receiver -------------------------------------------------------------------- */

enum { SEEN_MAX = 1 << 24 };

static volatile sig_atomic_t stopping;

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

static struct {
	uint64_t valid, tolerated, bad;
	uint8_t *seen;
} rx;

static void rx_check(const uint8_t *p, size_t len)
{
	uint8_t copy[ETH_MTU * 2];
	const char *why = "not the stream's";
	uint32_t index;

	if (len >= TAG_LEN && len <= sizeof(copy) && !memcmp(p, "kfz1", 4)) {
		index = get32(p + 4);
		memcpy(copy, p, len);
		put32(copy + 12, 0);
		switch (p[8]) {
		case 'I':
			rx.tolerated++;
			return;
		case 'V':
			if (get16(p + 10) != len)
				why = "cut or lengthened";
			else if (fnv(copy, len) != get32(p + 12))
				why = "damaged";
			else if (index >= SEEN_MAX)
				why = "numbered out of range";
			else if (rx.seen[index / 8] & 1 << index % 8)
				why = "delivered twice";
			else {
				rx.seen[index / 8] |= (uint8_t)(1 << index % 8);
				rx.valid++;
				return;
			}
			break;
		case 'M':
			why = "one nfsec should have dropped";
			break;
		default:
			why = "of no kind";
			break;
		}
	}
	if (++rx.bad > 10)
		return;
	fprintf(stderr, "esp-fuzz: received a datagram %s (%zu bytes):", why, len);
	for (size_t i = 0; i < len && i < 32; i++)
		fprintf(stderr, " %02x", p[i]);
	fputc('\n', stderr);
}

static int rx_socket(int family)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(PORT) };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK, 0), one = 1, size = 64 << 20;

	if (fd < 0)
		die("UDP socket: %s", strerror(errno));
	/* The stream comes faster than a reader under emulation keeps up with at times. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (family == AF_INET6 ? bind(fd, (struct sockaddr *)&a6, sizeof(a6))
			       : bind(fd, (struct sockaddr *)&a4, sizeof(a4)))
		die("bind to port %d: %s", PORT, strerror(errno));
	return fd;
}

/* Reads what is there on @fd; returns how many datagrams. */
static unsigned int rx_drain(int fd)
{
	static uint8_t buf[BATCH][4096];
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	unsigned int total = 0;
	int n;

	for (;;) {
		for (int i = 0; i < BATCH; i++) {
			iov[i] = (struct iovec){ buf[i], sizeof(buf[i]) };
			msg[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
		}
		n = recvmmsg(fd, msg, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return total;
		for (int i = 0; i < n; i++)
			rx_check(buf[i], msg[i].msg_len);
		total += (unsigned int)n;
	}
}

static int receive(void)
{
	struct sigaction sa = { .sa_handler = on_term };
	struct pollfd pfd[2];
	unsigned int got;

	rx.seen = calloc(SEEN_MAX / 8, 1);
	if (!rx.seen)
		die("out of memory");
	pfd[0] = (struct pollfd){ rx_socket(AF_INET), POLLIN, 0 };
	pfd[1] = (struct pollfd){ rx_socket(AF_INET6), POLLIN, 0 };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* Once told to stop, it reads on until a second passes without a datagram. */
	for (;;) {
		bool last = stopping;
		int ready = poll(pfd, 2, last ? 1000 : 200);

		got = rx_drain(pfd[0].fd) + rx_drain(pfd[1].fd);
		if (last && !ready && !got)
			break;
	}
	printf("{\"valid\":%" PRIu64 ",\"tolerated\":%" PRIu64 ",\"bad\":%" PRIu64 "}\n",
	       rx.valid, rx.tolerated, rx.bad);
	return rx.bad ? 1 : 0;
}

/* ------------------------------------------------------------------------------------ */

static const char usage[] =
	"usage: esp-fuzz --sa-commands\n"
	"       esp-fuzz --dev DEV --dst-mac MAC [--seed N] [--count N] [--cpu N]\n"
	"       esp-fuzz --receive [--cpu N]\n";

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sa-commands", no_argument, NULL, 'c' },
		{ "dev", required_argument, NULL, 'd' },
		{ "dst-mac", required_argument, NULL, 'm' },
		{ "seed", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "receive", no_argument, NULL, 'r' },
		{ "cpu", required_argument, NULL, 'p' },
		{ 0 },
	};
	const char *dev = NULL, *mac = NULL;
	uint64_t seed = 1, count = 100000;
	bool commands = false, receiving = false;
	int c, cpu = -1;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': commands = true; break;
		case 'd': dev = optarg; break;
		case 'm': mac = optarg; break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'n': count = strtoull(optarg, NULL, 0); break;
		case 'r': receiving = true; break;
		case 'p': cpu = atoi(optarg); break;
		default: fputs(usage, stderr); return 2;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(sas); i++)
		sa_setup(&sas[i], i);
	if (commands) {
		print_sa_commands();
		return 0;
	}
	if (receiving) {
		if (cpu >= 0)
			pin(cpu);
		return receive();
	}
	if (!dev || !mac || optind != argc || count >= SEEN_MAX) {
		fputs(usage, stderr);
		return 2;
	}
	rng = seed;
	generate(dev, mac, count, cpu);
	return 0;
}
