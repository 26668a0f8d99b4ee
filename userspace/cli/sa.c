// SPDX-License-Identifier: GPL-2.0
/*
 * nfsec sa: the security associations of the namespace. The words are parsed into a struct
 * nfsec_sa first (sa_parse_*), then handed to libnfsec; "show" collects the whole dump
 * before printing, so a failed dump prints nothing but the reason.
 *
 * Keys: read from the words or from files into the struct nfsec_sa alone; every other
 * buffer that held one (a file's contents, the words' model) is wiped before it goes, and
 * the struct itself once libnfsec has sent it. Nothing here prints a key.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nfsec.h>

#include "commands.h"
#include "drops_json.h"
#include "encoding.h"
#include "json.h"
#include "sa.h"
#include "words.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const char sa_usage[] =
	"Usage: nfsec [-j] sa { add | delete | set | get | show | flush } ...\n"
	"\n"
	"  nfsec sa add spi SPI dir DIR src ADDR dst ADDR [proto esp] mode MODE [reqid N]\n"
	"               { aead NAME KEY ICV_BITS | enc NAME KEY auth NAME KEY [ICV_BITS] }\n"
	"               [replay-window N] [esn]\n"
	"               [sel-src PREFIX] [sel-dst PREFIX] [sel-proto PROTO]\n"
	"               [sel-sport PORT[-PORT]] [sel-dport PORT[-PORT]]\n"
	"               [soft-bytes N] [hard-bytes N] [soft-packets N] [hard-packets N]\n"
	"               [soft-seconds N] [hard-seconds N]\n"
	"               [encap udp sport PORT dport PORT]\n"
	"  nfsec sa delete spi SPI dst ADDR [proto esp]\n"
	"  nfsec sa set spi SPI dst ADDR [proto esp] encap udp sport PORT dport PORT\n"
	"  nfsec [-j] sa get spi SPI dst ADDR [proto esp]\n"
	"  nfsec [-j] sa show\n"
	"  nfsec sa flush\n"
	"\n"
	"  SPI    := 256..4294967295, decimal or 0x hex\n"
	"  DIR    := out | in\n"
	"  MODE   := transport | tunnel\n"
	"  NAME   := gcm-aes | chacha20-poly1305 (aead), aes-cbc | null (enc),\n"
	"            sha1 | sha256 | sha384 | sha512 (auth), or the crypto API's name\n"
	"  KEY    := HEX | 0xHEX | file:PATH | hexfile:PATH\n"
	"  PREFIX := ADDR[/LEN] | any\n"
	"  PROTO  := tcp | udp | sctp | icmp | icmpv6 | esp | ah | NUMBER | any\n"
	"\n"
	"An SA protects the packets of one direction between two addresses with ESP; it is\n"
	"found by its SPI, destination and protocol, which no other SA of the namespace has.\n"
	"\n"
	"add: src and dst are the outer addresses, both of one family, which is the SA's.\n"
	"Either an AEAD (its key ends with the 4-byte salt; ICV_BITS is its ICV length) or\n"
	"both enc and auth (ICV_BITS: the truncation, half the hash unless given). The short\n"
	"names stand for rfc4106(gcm(aes)), rfc7539esp(chacha20,poly1305), cbc(aes),\n"
	"ecb(cipher_null) and hmac(sha1), hmac(sha256), hmac(sha384), hmac(sha512); any other\n"
	"NAME goes to the kernel as it is. A KEY is hex digits, the bytes of a file\n"
	"(file:PATH), or hex text in a file (hexfile:PATH, whitespace allowed); \"\" is no key,\n"
	"for null. Keys are never shown, and never given back by the kernel.\n"
	"Left out: proto esp, reqid 0, replay-window 64 (0..4096, inbound SAs only; 0 turns\n"
	"the replay check off), no esn, no selector (the SA carries any inner traffic), no\n"
	"lifetimes. A selector limits what an inbound SA accepts: its family is that of\n"
	"sel-src and sel-dst, else the SA's, which it must be in transport mode. A soft\n"
	"lifetime reports the SA as about to expire, a hard one removes it; a soft one may not\n"
	"be above its hard one. encap udp puts the SA's ESP inside UDP (RFC 3948, NAT\n"
	"traversal; IPv4 only): sport and dport (1..65535) are the UDP ports of its packets,\n"
	"ours then the peer's for dir out, the peer's then ours for dir in; inbound, such an\n"
	"SA takes ESP only through the IKE daemon's NAT-T socket, and never plain.\n"
	"Keywords may come in any order, each once.\n"
	"\n"
	"delete (or del), get: the SA of that SPI, destination and protocol.\n"
	"\n"
	"set: new UDP encapsulation ports for an SA that has encapsulation, in place: its\n"
	"sequence numbers, replay window and counters go on. nfsec-iked does this when the\n"
	"peer's NAT mapping moved (\"nfsec monitor\" shows the mapping event).\n"
	"\n"
	"show (or list): every SA, one a line:\n"
	"\n"
	"    spi 0x1000 dir out src 10.0.0.1 dst 10.0.0.2 proto esp mode tunnel reqid 1\n"
	"      aead rfc4106(gcm(aes)) icv 128 replay-window 64 seq 12 bytes 3400 packets 12\n"
	"      age 5s\n"
	"\n"
	"(one line), with esn, the selector (sel-*), encap udp sport N dport N and the\n"
	"lifetimes set before seq. seq is\n"
	"the last sequence number sent (out) or the highest accepted (in); bytes, packets and\n"
	"age what the SA has done since it was added. Then seconds-left and kilobytes-left\n"
	"when a hard lifetime limits them (0 once reached), and drop-REASON N for each reason\n"
	"the SA dropped packets for: replay, auth-fail, malformed, selector, dummy, expired,\n"
	"seq-overflow, no-route, too-big, error (as nfsec stats, which counts them too).\n"
	"With -j, a JSON array of objects (get prints one object) with the same fields; the\n"
	"lifetimes always, 0 for none; seconds_left and kilobytes_left null without that\n"
	"limit; \"drops\" every reason; \"encap\" null, or\n"
	"{\"type\":\"udp\",\"sport\":4500,\"dport\":4500}:\n"
	"\n"
	"    [{\"spi\":4096,\"dir\":\"out\",\"family\":\"inet\",\"src\":\"10.0.0.1\","
	"\"dst\":\"10.0.0.2\",\n"
	"      \"proto\":50,\"mode\":\"tunnel\",\"reqid\":1,\n"
	"      \"aead\":{\"name\":\"rfc4106(gcm(aes))\",\"icv_bits\":128},"
	"\"replay_window\":64,\"esn\":false,\n"
	"      \"encap\":null,\n"
	"      \"lifetime\":{\"soft_bytes\":0,...},\"seq\":12,\"bytes\":3400,\"packets\":12,"
	"\"age_seconds\":5,\n"
	"      \"seconds_left\":null,\"kilobytes_left\":null,\"drops\":{\"replay\":0,...}}]\n"
	"\n"
	"flush: removes every SA.\n"
	"\n"
	"\"nfsec sa\" alone is \"nfsec sa show\". add, delete, set and flush need\n"
	"CAP_NET_ADMIN.\n"
	"\n"
	"Exit status: 0 on success, 1 on any error; the reason goes to standard error.\n";

enum keyword_id {
	KW_SPI,
	KW_DIR,
	KW_SRC,
	KW_DST,
	KW_PROTO,
	KW_MODE,
	KW_REQID,
	KW_AEAD,
	KW_ENC,
	KW_AUTH,
	KW_REPLAY_WINDOW,
	KW_ESN,
	KW_SEL_SRC,
	KW_SEL_DST,
	KW_SEL_PROTO,
	KW_SEL_SPORT,
	KW_SEL_DPORT,
	KW_SOFT_BYTES,
	KW_HARD_BYTES,
	KW_SOFT_PACKETS,
	KW_HARD_PACKETS,
	KW_SOFT_SECONDS,
	KW_HARD_SECONDS,
	KW_ENCAP,
	KW_COUNT
};

#define SEL_WORDS (KW(KW_SEL_SRC) | KW(KW_SEL_DST) | KW(KW_SEL_PROTO) | KW(KW_SEL_SPORT) | \
		   KW(KW_SEL_DPORT))
#define ID_WORDS (KW(KW_SPI) | KW(KW_DST) | KW(KW_PROTO))
#define ADD_WORDS (KW(KW_COUNT) - 1)

enum {
	SPI_MIN = 256,
	REPLAY_WINDOW_DEFAULT = 64,
	REPLAY_WINDOW_MAX = 4096,
	/* a hex key file: 256 digits and room for line breaks, spaces and a 0x */
	HEXFILE_MAX = 4096,
};

/* A whole address, and the word it came from. */
/* What the words of one subcommand say, before they are checked against each other. */
struct words {
	unsigned int seen;		/* KW() of each keyword given */
	struct nfsec_sa sa;		/* what goes there as it is, keys included */
	struct endpoint src, dst;
	struct prefix sel_src, sel_dst;
	uint8_t sel_proto;
	uint16_t sel_sport[2], sel_dport[2];
	const char *first_port;		/* "sel-sport" or "sel-dport", whichever came first */
};

static const char *const dir_names[] = {
	[NFSEC_SA_DIR_OUT] = "out",
	[NFSEC_SA_DIR_IN]  = "in",
};

static const char *sa_dir_name(unsigned int dir)
{
	return name_of(dir_names, ARRAY_SIZE(dir_names), dir);
}

static const char *const kind_names[] = {
	[NFSEC_ALG_AEAD] = "aead",
	[NFSEC_ALG_ENC]  = "enc",
	[NFSEC_ALG_AUTH] = "auth",
};

/* ESP is the one protocol there is; the word is there for the day it is not. */
static int parse_proto(const struct keyword *kw, char **args, int count, void *model,
		       struct errmsg *err)
{
	struct words *w = model;

	(void)count;
	if (strcmp(args[0], "esp"))
		return keyword_bad_value(kw, args[0], err);
	w->sa.proto = IPPROTO_ESP;
	return 0;
}

/* A short name of this kind, or the crypto API's name as it is. */
static int alg_name_parse(enum nfsec_alg_kind kind, const char *word, char *name,
			  struct errmsg *err)
{
	const struct nfsec_alg_alias *a = nfsec_alg_alias(word);

	if (a) {
		if (a->kind != kind) {
			errmsg_set(err, "invalid %s NAME \"%s\": an %s algorithm", kind_names[kind],
				   word, kind_names[a->kind]);
			return -EINVAL;
		}
		strcpy(name, a->name);
		return 0;
	}
	if (!*word || strlen(word) >= NFSEC_ALG_NAME_LEN || strpbrk(word, " \t\n")) {
		errmsg_set(err, "invalid %s NAME \"%s\": not a name of at most %d characters "
			   "without spaces", kind_names[kind], word, NFSEC_ALG_NAME_LEN - 1);
		return -EINVAL;
	}
	strcpy(name, word);
	return 0;
}

/* Up to size bytes of the file at path into buf: how many, or a negative errno. */
static ssize_t read_file(const char *path, uint8_t *buf, size_t size)
{
	size_t done = 0;
	int fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (done < size) {
		ssize_t n = read(fd, buf + done, size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			saved = errno;
			close(fd);
			return -saved;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	close(fd);
	return (ssize_t)done;
}

/* "file:PATH": the bytes of the file, at most NFSEC_KEY_MAX of them. */
static int key_file(const char *what, const char *word, uint8_t *key, uint32_t *len,
		    struct errmsg *err)
{
	uint8_t buf[NFSEC_KEY_MAX + 1];
	ssize_t n = read_file(word + strlen("file:"), buf, sizeof(buf));
	int ret = 0;

	if (n < 0) {
		errmsg_set(err, "invalid %s \"%s\": %s", what, word, strerror((int)-n));
		ret = -EINVAL;
	} else if ((size_t)n > NFSEC_KEY_MAX) {
		errmsg_set(err, "invalid %s \"%s\": more than %d bytes", what, word,
			   NFSEC_KEY_MAX);
		ret = -EINVAL;
	} else {
		memcpy(key, buf, (size_t)n);
		*len = (uint32_t)n;
	}
	explicit_bzero(buf, sizeof(buf));
	return ret;
}

/* "hexfile:PATH": hex text in a file. */
static int key_hexfile(const char *what, const char *word, uint8_t *key, uint32_t *len,
		       struct errmsg *err)
{
	char *text = malloc(HEXFILE_MAX + 1);
	size_t bytes;
	ssize_t n;
	int ret;

	if (!text) {
		errmsg_set(err, "invalid %s \"%s\": out of memory", what, word);
		return -ENOMEM;
	}
	n = read_file(word + strlen("hexfile:"), (uint8_t *)text, HEXFILE_MAX + 1);
	if (n < 0) {
		errmsg_set(err, "invalid %s \"%s\": %s", what, word, strerror((int)-n));
		ret = -EINVAL;
	} else if (n > HEXFILE_MAX) {
		errmsg_set(err, "invalid %s \"%s\": more than %d bytes of text", what, word,
			   HEXFILE_MAX);
		ret = -EINVAL;
	} else {
		text[n] = '\0';
		ret = parse_hex_text(what, word, text, (size_t)n, key, NFSEC_KEY_MAX, &bytes, err);
		if (ret == 0)
			*len = (uint32_t)bytes;
	}
	explicit_bzero(text, HEXFILE_MAX + 1);
	free(text);
	return ret;
}

int sa_key_parse(const char *what, const char *word, uint8_t *key, uint32_t *len,
		 struct errmsg *err)
{
	size_t n;
	int ret;

	if (has_prefix(word, "file:"))
		return key_file(what, word, key, len, err);
	if (has_prefix(word, "hexfile:"))
		return key_hexfile(what, word, key, len, err);
	if (!strcmp(word, "") || !strcmp(word, "0x")) {
		*len = 0;
		return 0;
	}
	ret = parse_hex(what, word, key, NFSEC_KEY_MAX, &n, err);
	if (ret == 0)
		*len = (uint32_t)n;
	return ret;
}

/* "NAME KEY" of a transform into alg. */
static int alg_parse(enum nfsec_alg_kind kind, char **args, struct nfsec_alg *alg,
		     struct errmsg *err)
{
	char what[16];
	int ret;

	ret = alg_name_parse(kind, args[0], alg->name, err);
	if (ret < 0)
		return ret;
	snprintf(what, sizeof(what), "%s key", kind_names[kind]);
	return sa_key_parse(what, args[1], alg->key, &alg->key_len, err);
}

static int icv_parse(enum nfsec_alg_kind kind, const char *word, struct nfsec_alg *alg,
		     struct errmsg *err)
{
	char what[16];

	snprintf(what, sizeof(what), "%s ICV_BITS", kind_names[kind]);
	return parse_u32(what, word, 1, UINT32_MAX, &alg->icv_bits, err);
}

static int parse_aead(const struct keyword *kw, char **args, int count, void *model,
		      struct errmsg *err)
{
	struct words *w = model;
	int ret;

	(void)kw;
	(void)count;
	ret = alg_parse(NFSEC_ALG_AEAD, args, &w->sa.aead, err);
	if (!ret)
		ret = icv_parse(NFSEC_ALG_AEAD, args[2], &w->sa.aead, err);
	return ret;
}

static int parse_enc(const struct keyword *kw, char **args, int count, void *model,
		     struct errmsg *err)
{
	struct words *w = model;

	(void)kw;
	(void)count;
	return alg_parse(NFSEC_ALG_ENC, args, &w->sa.enc, err);
}

static int parse_auth(const struct keyword *kw, char **args, int count, void *model,
		      struct errmsg *err)
{
	struct words *w = model;
	int ret;

	(void)kw;
	ret = alg_parse(NFSEC_ALG_AUTH, args, &w->sa.auth, err);
	if (!ret && count == 3)
		ret = icv_parse(NFSEC_ALG_AUTH, args[2], &w->sa.auth, err);
	return ret;
}

/* "encap udp sport PORT dport PORT": the one encapsulation, its words in this order. */
static int parse_encap(const struct keyword *kw, char **args, int count, void *model,
		       struct errmsg *err)
{
	struct words *w = model;
	uint32_t sport, dport;
	int ret;

	(void)count;
	if (strcmp(args[0], "udp") || strcmp(args[1], "sport") || strcmp(args[3], "dport")) {
		errmsg_set(err, "invalid encap \"%s %s %s %s %s\": expected %s", args[0], args[1],
			   args[2], args[3], args[4], kw->needs);
		return -EINVAL;
	}
	ret = parse_u32("encap sport", args[2], 1, UINT16_MAX, &sport, err);
	if (!ret)
		ret = parse_u32("encap dport", args[4], 1, UINT16_MAX, &dport, err);
	if (ret < 0)
		return ret;
	w->sa.encap = true;
	w->sa.encap_sport = (uint16_t)sport;
	w->sa.encap_dport = (uint16_t)dport;
	return 0;
}

#define LIMIT(f) INTO_U64(struct words, sa.lifetime.f, 0, UINT64_MAX)

static const struct keyword keywords[KW_COUNT] = {
	[KW_SPI]	   = { "spi", "a number 256..4294967295", 1,
			       INTO_U32(struct words, sa.spi, SPI_MIN, UINT32_MAX) },
	[KW_DIR]	   = { "dir", "one of out, in", 1,
			       INTO_NAME(struct words, sa.dir, dir_names) },
	[KW_SRC]	   = { "src", addr_needs, 1, INTO_ENDPOINT(struct words, src) },
	[KW_DST]	   = { "dst", addr_needs, 1, INTO_ENDPOINT(struct words, dst) },
	[KW_PROTO]	   = { "proto", "esp", 1, .parse = parse_proto },
	[KW_MODE]	   = { "mode", mode_needs, 1,
			       INTO_NAME(struct words, sa.mode, mode_names) },
	[KW_REQID]	   = { "reqid", "a number", 1,
			       INTO_U32(struct words, sa.reqid, 0, UINT32_MAX) },
	[KW_AEAD]	   = { "aead", "NAME KEY ICV_BITS", 3, .parse = parse_aead },
	[KW_ENC]	   = { "enc", "NAME KEY", 2, .parse = parse_enc },
	[KW_AUTH]	   = { "auth", "NAME KEY [ICV_BITS]", 2, true, .parse = parse_auth },
	[KW_REPLAY_WINDOW] = { "replay-window", "a number 0..4096", 1,
			       INTO_U32(struct words, sa.replay_window, 0, REPLAY_WINDOW_MAX) },
	[KW_ESN]	   = { "esn", "nothing", 0, INTO_FLAG(struct words, sa.esn) },
	[KW_SEL_SRC]	   = { "sel-src", prefix_needs, 1, INTO_PREFIX(struct words, sel_src) },
	[KW_SEL_DST]	   = { "sel-dst", prefix_needs, 1, INTO_PREFIX(struct words, sel_dst) },
	[KW_SEL_PROTO]	   = { "sel-proto", proto_needs, 1, INTO_PROTO(struct words, sel_proto) },
	[KW_SEL_SPORT]	   = { "sel-sport", ports_needs, 1,
			       INTO_PORTS(struct words, sel_sport, first_port) },
	[KW_SEL_DPORT]	   = { "sel-dport", ports_needs, 1,
			       INTO_PORTS(struct words, sel_dport, first_port) },
	[KW_SOFT_BYTES]	   = { "soft-bytes", "a number", 1, LIMIT(soft_bytes) },
	[KW_HARD_BYTES]	   = { "hard-bytes", "a number", 1, LIMIT(hard_bytes) },
	[KW_SOFT_PACKETS]  = { "soft-packets", "a number", 1, LIMIT(soft_packets) },
	[KW_HARD_PACKETS]  = { "hard-packets", "a number", 1, LIMIT(hard_packets) },
	[KW_SOFT_SECONDS]  = { "soft-seconds", "a number", 1, LIMIT(soft_seconds) },
	[KW_HARD_SECONDS]  = { "hard-seconds", "a number", 1, LIMIT(hard_seconds) },
	[KW_ENCAP]	   = { "encap", "udp sport PORT dport PORT (ports 1..65535)", 5,
			       .parse = parse_encap },
};

static int words_parse(const char *cmd, unsigned int allowed, int argc, char **argv,
		       struct words *w, struct errmsg *err)
{
	return keywords_parse(cmd, keywords, KW_COUNT, allowed, argc, argv, w, &w->seen, err);
}

/* The first of the keywords in mask not given, or NULL. */
static const char *first_missing(unsigned int seen, unsigned int mask)
{
	for (unsigned int id = 0; id < KW_COUNT; id++)
		if ((mask & KW(id)) && !(seen & KW(id)))
			return keywords[id].name;
	return NULL;
}

/* An AEAD alone, or enc and auth together. */
static int algs_check(unsigned int seen, struct errmsg *err)
{
	bool aead = seen & KW(KW_AEAD), enc = seen & KW(KW_ENC), auth = seen & KW(KW_AUTH);

	if (aead && (enc || auth)) {
		errmsg_set(err, "\"aead\" and \"%s\" exclude each other", enc ? "enc" : "auth");
		return -EINVAL;
	}
	if (!aead && !enc && !auth) {
		errmsg_set(err, "sa add needs \"aead\", or \"enc\" and \"auth\"");
		return -EINVAL;
	}
	if (enc != auth) {
		errmsg_set(err, "\"%s\" needs \"%s\"", enc ? "enc" : "auth", enc ? "auth" : "enc");
		return -EINVAL;
	}
	return 0;
}

static int endpoints_check(const struct words *w, struct errmsg *err)
{
	if (w->src.family == w->dst.family)
		return 0;
	errmsg_set(err, "dst \"%s\" is %s but src \"%s\" is %s", w->dst.word,
		   family_version(w->dst.family), w->src.word, family_version(w->src.family));
	return -EINVAL;
}

static int replay_window_resolve(struct words *w, struct errmsg *err)
{
	if (w->sa.dir == NFSEC_SA_DIR_IN) {
		if (!(w->seen & KW(KW_REPLAY_WINDOW)))
			w->sa.replay_window = REPLAY_WINDOW_DEFAULT;
		return 0;
	}
	if (w->seen & KW(KW_REPLAY_WINDOW)) {
		errmsg_set(err, "\"replay-window\" needs dir in (dir is %s)",
			   sa_dir_name(w->sa.dir));
		return -EINVAL;
	}
	return 0;
}

/* The selector's family: that of sel-src and sel-dst, which must agree, else the SA's. */
static int sel_family(const struct words *w, uint16_t *family, struct errmsg *err)
{
	const struct prefix *src = &w->sel_src, *dst = &w->sel_dst;
	const struct prefix *named = src->family ? src : dst->family ? dst : NULL;

	if (src->family && dst->family && src->family != dst->family) {
		errmsg_set(err, "sel-dst \"%s\" is %s but sel-src \"%s\" is %s", dst->word,
			   family_version(dst->family), src->word, family_version(src->family));
		return -EINVAL;
	}
	*family = named ? named->family : w->src.family;
	if (w->sa.mode == NFSEC_MODE_TRANSPORT && *family != w->src.family) {
		errmsg_set(err, "%s \"%s\" is %s but the SA is %s (mode transport)",
			   named == src ? "sel-src" : "sel-dst", named->word,
			   family_version(*family), family_version(w->src.family));
		return -EINVAL;
	}
	return 0;
}

static int selector_resolve(struct words *w, struct errmsg *err)
{
	struct nfsec_selector *sel = &w->sa.sel;
	const struct proto *proto = proto_find(w->sel_proto);
	uint16_t family;
	int ret;

	if (!(w->seen & SEL_WORDS))
		return 0;
	ret = sel_family(w, &family, err);
	if (ret < 0)
		return ret;
	if (w->first_port && proto && !proto->ports) {
		errmsg_set(err, "\"%s\" needs sel-proto tcp, udp, sctp or another protocol with "
			   "ports (sel-proto is %s)", w->first_port, proto->name);
		return -EINVAL;
	}
	w->sa.has_selector = true;
	*sel = (struct nfsec_selector){
		.family = family,
		.src_prefix = w->sel_src.len,
		.dst_prefix = w->sel_dst.len,
		.proto = w->sel_proto,
		.sport_min = w->sel_sport[0],
		.sport_max = w->sel_sport[1],
		.dport_min = w->sel_dport[0],
		.dport_max = w->sel_dport[1],
	};
	memcpy(sel->src, w->sel_src.addr, sizeof(sel->src));
	memcpy(sel->dst, w->sel_dst.addr, sizeof(sel->dst));
	return 0;
}

/* A soft limit above its hard one would never be reported. */
static int limit_check(const struct words *w, unsigned int soft, unsigned int hard,
		       uint64_t soft_value, uint64_t hard_value, struct errmsg *err)
{
	if (!(w->seen & KW(soft)) || !(w->seen & KW(hard)) || !hard_value ||
	    soft_value <= hard_value)
		return 0;
	errmsg_set(err, "%s %" PRIu64 " is above %s %" PRIu64, keywords[soft].name, soft_value,
		   keywords[hard].name, hard_value);
	return -EINVAL;
}

static int lifetime_check(const struct words *w, struct errmsg *err)
{
	const struct nfsec_lifetime *lt = &w->sa.lifetime;

	if (limit_check(w, KW_SOFT_BYTES, KW_HARD_BYTES, lt->soft_bytes, lt->hard_bytes,
			err) < 0 ||
	    limit_check(w, KW_SOFT_PACKETS, KW_HARD_PACKETS, lt->soft_packets,
			lt->hard_packets, err) < 0 ||
	    limit_check(w, KW_SOFT_SECONDS, KW_HARD_SECONDS, lt->soft_seconds,
			lt->hard_seconds, err) < 0)
		return -EINVAL;
	return 0;
}

/* The words checked against each other, and w->sa completed. */
static int add_resolve(struct words *w, struct errmsg *err)
{
	const char *missing;
	int ret;

	missing = first_missing(w->seen, KW(KW_SPI) | KW(KW_DIR) | KW(KW_SRC) | KW(KW_DST) |
				KW(KW_MODE));
	if (missing) {
		errmsg_set(err, "sa add needs \"%s\"", missing);
		return -EINVAL;
	}
	ret = algs_check(w->seen, err);
	if (!ret)
		ret = endpoints_check(w, err);
	if (!ret && w->sa.encap && w->src.family != AF_INET) {
		errmsg_set(err, "\"encap\" is IPv4 only for now (src \"%s\" is %s)", w->src.word,
			   family_version(w->src.family));
		ret = -EINVAL;
	}
	if (!ret)
		ret = replay_window_resolve(w, err);
	if (!ret)
		ret = selector_resolve(w, err);
	if (!ret)
		ret = lifetime_check(w, err);
	if (ret < 0)
		return ret;
	w->sa.family = w->src.family;
	memcpy(w->sa.src, w->src.addr, sizeof(w->sa.src));
	memcpy(w->sa.dst, w->dst.addr, sizeof(w->sa.dst));
	return 0;
}

int sa_parse_add(int argc, char **argv, struct nfsec_sa *out, struct errmsg *err)
{
	struct words w = {
		.sa = { .proto = IPPROTO_ESP },
		.sel_sport = { 0, UINT16_MAX },
		.sel_dport = { 0, UINT16_MAX },
	};
	int ret;

	ret = words_parse("sa add", ADD_WORDS, argc, argv, &w, err);
	if (!ret)
		ret = add_resolve(&w, err);
	if (!ret)
		*out = w.sa;
	explicit_bzero(&w, sizeof(w));
	return ret;
}

/* SPI and dst, and the keywords of @extra, all needed; proto may be left out. */
static int id_words_parse(const char *cmd, unsigned int extra, int argc, char **argv,
			  struct words *w, struct errmsg *err)
{
	const char *missing;
	int ret;

	ret = words_parse(cmd, ID_WORDS | extra, argc, argv, w, err);
	if (ret < 0)
		return ret;
	missing = first_missing(w->seen, KW(KW_SPI) | KW(KW_DST) | extra);
	if (missing) {
		errmsg_set(err, "%s needs \"%s\"", cmd, missing);
		return -EINVAL;
	}
	return 0;
}

int sa_parse_id(const char *cmd, int argc, char **argv, struct sa_id *out,
		struct errmsg *err)
{
	struct words w = { .sa = { .proto = IPPROTO_ESP } };
	int ret;

	ret = id_words_parse(cmd, 0, argc, argv, &w, err);
	if (ret < 0)
		return ret;
	*out = (struct sa_id){ .spi = w.sa.spi, .family = w.dst.family, .proto = w.sa.proto };
	memcpy(out->dst, w.dst.addr, sizeof(out->dst));
	return 0;
}

int sa_parse_set(int argc, char **argv, struct nfsec_sa *out, struct errmsg *err)
{
	struct words w = { .sa = { .proto = IPPROTO_ESP } };
	int ret;

	ret = id_words_parse("sa set", KW(KW_ENCAP), argc, argv, &w, err);
	if (ret < 0)
		return ret;
	w.sa.family = w.dst.family;
	memcpy(w.sa.dst, w.dst.addr, sizeof(w.sa.dst));
	*out = w.sa;
	return 0;
}

static void proto_print(FILE *out, const char *word, uint8_t number)
{
	const struct proto *proto = proto_find(number);

	if (proto && number)
		fprintf(out, " %s %s", word, proto->name);
	else
		fprintf(out, " %s %u", word, number);
}

void sa_id_print(FILE *out, const struct nfsec_sa *sa)
{
	char dst[ADDR_TEXT_LEN];

	addr_format(dst, sa->family, sa->dst);
	fprintf(out, "spi 0x%x dst %s", sa->spi, dst);
}

static void algs_print(FILE *out, const struct nfsec_sa *sa)
{
	if (sa->aead.name[0])
		fprintf(out, " aead %s icv %u", sa->aead.name, sa->aead.icv_bits);
	if (sa->enc.name[0])
		fprintf(out, " enc %s", sa->enc.name);
	if (sa->auth.name[0])
		fprintf(out, " auth %s icv %u", sa->auth.name, sa->auth.icv_bits);
}

static void lifetime_print(FILE *out, const struct nfsec_lifetime *lt)
{
	const struct { const char *word; uint64_t value; } limits[] = {
		{ "soft-bytes", lt->soft_bytes },     { "hard-bytes", lt->hard_bytes },
		{ "soft-packets", lt->soft_packets }, { "hard-packets", lt->hard_packets },
		{ "soft-seconds", lt->soft_seconds }, { "hard-seconds", lt->hard_seconds },
	};

	for (size_t i = 0; i < ARRAY_SIZE(limits); i++)
		if (limits[i].value)
			fprintf(out, " %s %" PRIu64, limits[i].word, limits[i].value);
}

/* What the hard lifetime leaves, when there is one. */
static void left_print(FILE *out, const struct nfsec_sa *sa)
{
	uint64_t left;

	if (nfsec_sa_seconds_left(sa, &left))
		fprintf(out, " seconds-left %" PRIu64, left);
	if (nfsec_sa_kilobytes_left(sa, &left))
		fprintf(out, " kilobytes-left %" PRIu64, left);
}

/* The packets dropped, for each reason there are any: " drop-replay 3". */
static void drops_print(FILE *out, const struct nfsec_sa *sa)
{
	for (int attr = 0; attr <= NFSEC_SA_DROP_A_MAX; attr++)
		if (nfsec_sa_drop_name(attr) && sa->drops[attr])
			fprintf(out, " drop-%s %" PRIu64, nfsec_sa_drop_name(attr), sa->drops[attr]);
}

void sa_print(FILE *out, const struct nfsec_sa *sa)
{
	char src[ADDR_TEXT_LEN], dst[ADDR_TEXT_LEN];

	addr_format(src, sa->family, sa->src);
	addr_format(dst, sa->family, sa->dst);
	fprintf(out, "spi 0x%x dir %s src %s dst %s", sa->spi, sa_dir_name(sa->dir), src, dst);
	proto_print(out, "proto", sa->proto);
	fprintf(out, " mode %s reqid %u", mode_name(sa->mode), sa->reqid);
	algs_print(out, sa);
	if (sa->dir == NFSEC_SA_DIR_IN || sa->replay_window)
		fprintf(out, " replay-window %u", sa->replay_window);
	if (sa->esn)
		fputs(" esn", out);
	if (sa->has_selector)
		selector_print(out, "sel-", &sa->sel);
	if (sa->encap)
		fprintf(out, " encap udp sport %u dport %u", sa->encap_sport, sa->encap_dport);
	lifetime_print(out, &sa->lifetime);
	fprintf(out, " seq %" PRIu64 " bytes %" PRIu64 " packets %" PRIu64 " age %" PRIu64 "s",
		sa->seq, sa->bytes, sa->packets, sa->age_seconds);
	left_print(out, sa);
	drops_print(out, sa);
	fputc('\n', out);
}

static void alg_json(struct json *j, const char *key, const struct nfsec_alg *alg, bool icv)
{
	if (!alg->name[0])
		return;
	json_object_begin(j, key);
	json_string(j, "name", alg->name);
	if (icv)
		json_u64(j, "icv_bits", alg->icv_bits);
	json_object_end(j);
}

static void lifetime_json(struct json *j, const struct nfsec_lifetime *lt)
{
	json_object_begin(j, "lifetime");
	json_u64(j, "soft_bytes", lt->soft_bytes);
	json_u64(j, "hard_bytes", lt->hard_bytes);
	json_u64(j, "soft_packets", lt->soft_packets);
	json_u64(j, "hard_packets", lt->hard_packets);
	json_u64(j, "soft_seconds", lt->soft_seconds);
	json_u64(j, "hard_seconds", lt->hard_seconds);
	json_object_end(j);
}

/* seconds_left and kilobytes_left: null without that hard limit. */
static void left_json(struct json *j, const struct nfsec_sa *sa)
{
	uint64_t left;

	if (nfsec_sa_seconds_left(sa, &left))
		json_u64(j, "seconds_left", left);
	else
		json_string(j, "seconds_left", NULL);
	if (nfsec_sa_kilobytes_left(sa, &left))
		json_u64(j, "kilobytes_left", left);
	else
		json_string(j, "kilobytes_left", NULL);
}

/* Every reason, its name with underscores: "drops":{"replay":0,"auth_fail":0,...}. */
void sa_json(struct json *j, const char *key, const struct nfsec_sa *sa)
{
	char src[ADDR_TEXT_LEN], dst[ADDR_TEXT_LEN];

	addr_format(src, sa->family, sa->src);
	addr_format(dst, sa->family, sa->dst);
	json_object_begin(j, key);
	json_u64(j, "spi", sa->spi);
	json_string(j, "dir", sa_dir_name(sa->dir));
	json_string(j, "family", family_name(sa->family));
	json_string(j, "src", src);
	json_string(j, "dst", dst);
	json_u64(j, "proto", sa->proto);
	json_string(j, "mode", mode_name(sa->mode));
	json_u64(j, "reqid", sa->reqid);
	alg_json(j, "aead", &sa->aead, true);
	alg_json(j, "enc", &sa->enc, false);
	alg_json(j, "auth", &sa->auth, true);
	json_u64(j, "replay_window", sa->replay_window);
	json_bool(j, "esn", sa->esn);
	if (sa->has_selector) {
		json_object_begin(j, "selector");
		selector_json_members(j, &sa->sel);
		json_object_end(j);
	}
	if (sa->encap) {
		json_object_begin(j, "encap");
		json_string(j, "type", "udp");
		json_u64(j, "sport", sa->encap_sport);
		json_u64(j, "dport", sa->encap_dport);
		json_object_end(j);
	} else {
		json_string(j, "encap", NULL);
	}
	lifetime_json(j, &sa->lifetime);
	json_u64(j, "seq", sa->seq);
	json_u64(j, "bytes", sa->bytes);
	json_u64(j, "packets", sa->packets);
	json_u64(j, "age_seconds", sa->age_seconds);
	left_json(j, sa);
	drops_json(j, sa->drops);
	json_object_end(j);
}

static int usage_error(const char *why)
{
	fprintf(stderr, "nfsec: %s\n", why);
	return 1;
}

static int sa_add(const struct cli_opts *opts, int argc, char **argv)
{
	struct nfsec_handle *h;
	struct nfsec_sa sa;
	struct errmsg err;
	int ret;

	(void)opts;
	if (sa_parse_add(argc - 1, argv + 1, &sa, &err) < 0)
		return usage_error(err.text);
	h = cli_handle_open();
	if (!h) {
		explicit_bzero(&sa, sizeof(sa));
		return 1;
	}
	ret = nfsec_sa_add(h, &sa);
	explicit_bzero(&sa, sizeof(sa));
	return cli_handle_done(h, ret);
}

static int sa_delete(const struct cli_opts *opts, int argc, char **argv)
{
	struct nfsec_handle *h;
	struct errmsg err;
	struct sa_id id;

	(void)opts;
	if (sa_parse_id("sa delete", argc - 1, argv + 1, &id, &err) < 0)
		return usage_error(err.text);
	h = cli_handle_open();
	if (!h)
		return 1;
	return cli_handle_done(h, nfsec_sa_del(h, id.spi, id.family, id.dst, id.proto));
}

static int sa_set(const struct cli_opts *opts, int argc, char **argv)
{
	struct nfsec_handle *h;
	struct nfsec_sa sa;
	struct errmsg err;

	(void)opts;
	if (sa_parse_set(argc - 1, argv + 1, &sa, &err) < 0)
		return usage_error(err.text);
	h = cli_handle_open();
	if (!h)
		return 1;
	return cli_handle_done(h, nfsec_sa_set_encap(h, &sa));
}

static int sa_get(const struct cli_opts *opts, int argc, char **argv)
{
	struct nfsec_handle *h;
	struct nfsec_sa sa;
	struct errmsg err;
	struct sa_id id;
	struct json j;
	int ret;

	if (sa_parse_id("sa get", argc - 1, argv + 1, &id, &err) < 0)
		return usage_error(err.text);
	h = cli_handle_open();
	if (!h)
		return 1;
	ret = nfsec_sa_get(h, id.spi, id.family, id.dst, id.proto, &sa);
	if (ret < 0)
		return cli_handle_done(h, ret);
	nfsec_close(h);

	if (!opts->json) {
		sa_print(stdout, &sa);
		return 0;
	}
	json_init(&j, stdout);
	sa_json(&j, NULL, &sa);
	return json_finish(&j) < 0 ? 1 : 0;
}

static int sa_collect(const struct nfsec_sa *sa, void *arg)
{
	struct sa_list *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct nfsec_sa *v = reallocarray(l->v, cap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *sa;
	return 0;
}

int sa_list_read(struct nfsec_handle *h, struct sa_list *l)
{
	int ret = -EAGAIN;

	for (int tries = 0; tries < 3 && ret == -EAGAIN; tries++) {
		l->n = 0;
		ret = nfsec_sa_dump(h, sa_collect, l);
	}
	return ret;
}

static int list_print(const struct cli_opts *opts, const struct sa_list *l)
{
	struct json j;

	if (!opts->json) {
		for (size_t i = 0; i < l->n; i++)
			sa_print(stdout, &l->v[i]);
		return 0;
	}
	json_init(&j, stdout);
	json_array_begin(&j, NULL);
	for (size_t i = 0; i < l->n; i++)
		sa_json(&j, NULL, &l->v[i]);
	json_array_end(&j);
	return json_finish(&j) < 0 ? 1 : 0;
}

/* show and flush take no words: any is unknown. */
static int no_words(const char *cmd, int argc, char **argv)
{
	struct words w = { 0 };
	struct errmsg err;

	if (words_parse(cmd, 0, argc, argv, &w, &err) < 0)
		return usage_error(err.text);
	return 0;
}

static int sa_show(const struct cli_opts *opts, int argc, char **argv)
{
	struct sa_list l = { 0 };
	struct nfsec_handle *h;
	int ret, status;

	if (no_words("sa show", argc - 1, argv + 1))
		return 1;
	h = cli_handle_open();
	if (!h)
		return 1;
	ret = sa_list_read(h, &l);
	if (ret < 0) {
		free(l.v);
		return cli_handle_done(h, ret);
	}
	nfsec_close(h);
	status = list_print(opts, &l);
	free(l.v);
	return status;
}

static int sa_flush(const struct cli_opts *opts, int argc, char **argv)
{
	struct nfsec_handle *h;

	(void)opts;
	if (no_words("sa flush", argc - 1, argv + 1))
		return 1;
	h = cli_handle_open();
	if (!h)
		return 1;
	return cli_handle_done(h, nfsec_sa_flush(h));
}

static const struct command sa_commands[] = {
	{ "add", sa_add, "add an SA", sa_usage },
	{ "delete", sa_delete, "remove one SA", sa_usage },
	{ "set", sa_set, "change an SA's encapsulation ports", sa_usage },
	{ "get", sa_get, "show one SA", sa_usage },
	{ "show", sa_show, "show the SAs", sa_usage },
	{ "list", sa_show, "show the SAs", sa_usage },
	{ "flush", sa_flush, "remove every SA", sa_usage },
	{ "help", NULL, "show how to use nfsec sa", sa_usage },
	{ NULL, NULL, NULL, NULL },
};

int sa_main(const struct cli_opts *opts, int argc, char **argv)
{
	return subcommand_run("sa", sa_commands, "show", opts, argc, argv);
}
