// SPDX-License-Identifier: GPL-2.0
/*
 * nfsec policy: the security policies of the namespace. The words are parsed into a struct
 * nfsec_policy first (policy_parse_*), then handed to libnfsec; "show" collects the whole
 * dump before printing, so a failed dump prints nothing but the reason.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <nfsec.h>

#include "commands.h"
#include "json.h"
#include "policy.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const char policy_usage[] =
	"Usage: nfsec [-j] policy { add | delete | get | show | flush } ...\n"
	"\n"
	"  nfsec policy add dir DIR [action ACTION] [priority N] [family FAMILY]\n"
	"                   [src PREFIX] [dst PREFIX] [proto PROTO]\n"
	"                   [sport PORT[-PORT]] [dport PORT[-PORT]]\n"
	"  nfsec policy delete index N\n"
	"  nfsec [-j] policy get index N\n"
	"  nfsec [-j] policy show [dir DIR]\n"
	"  nfsec policy flush [dir DIR]\n"
	"\n"
	"  DIR    := out | in | fwd\n"
	"  ACTION := protect | bypass | discard\n"
	"  FAMILY := inet | inet6\n"
	"  PREFIX := ADDR[/LEN] | any\n"
	"  PROTO  := tcp | udp | sctp | icmp | icmpv6 | esp | ah | NUMBER | any\n"
	"\n"
	"A policy says what to do with the packets of one direction that its selector matches:\n"
	"protect them with IPsec, let them bypass IPsec, or discard them. Of the policies that\n"
	"match a packet, the lowest priority wins, and the older of two equal ones.\n"
	"\n"
	"add: left out, the action is protect, the priority 0, and src, dst, proto and the\n"
	"ports match everything. ADDR is an IPv4 or IPv6 address; without /LEN the prefix is\n"
	"the whole address, and its bits beyond LEN are cleared. src and dst must be of one\n"
	"family, which is the selector's; with neither, it is inet unless \"family inet6\" is\n"
	"given. Ports (0..65535, a range inclusive) need a protocol that has them: tcp, udp,\n"
	"sctp or another's NUMBER. Keywords may come in any order, each once.\n"
	"\n"
	"delete (or del), get: N is the kernel's index of the policy, as show prints it.\n"
	"\n"
	"show (or list): every policy, or those of one direction, in index order, one a line:\n"
	"\n"
	"    index 3 dir out priority 10 action bypass src 10.0.0.0/24 dst 0.0.0.0/0 "
	"proto tcp dport 443\n"
	"\n"
	"proto and the ports are left out when they match everything. With -j, a JSON array\n"
	"of objects (get prints one object):\n"
	"\n"
	"    [{\"index\":3,\"dir\":\"out\",\"priority\":10,\"action\":\"bypass\","
	"\"family\":\"inet\",\n"
	"      \"src\":\"10.0.0.0/24\",\"dst\":\"0.0.0.0/0\",\"proto\":6,"
	"\"sport\":[0,65535],\"dport\":[443,443]}]\n"
	"\n"
	"flush: removes every policy, or those of one direction.\n"
	"\n"
	"\"nfsec policy\" alone is \"nfsec policy show\". add, delete and flush need\n"
	"CAP_NET_ADMIN.\n"
	"\n"
	"Exit status: 0 on success, 1 on any error; the reason goes to standard error.\n";

enum keyword_id {
	KW_DIR,
	KW_ACTION,
	KW_PRIORITY,
	KW_FAMILY,
	KW_SRC,
	KW_DST,
	KW_PROTO,
	KW_SPORT,
	KW_DPORT,
	KW_INDEX,
	KW_COUNT
};

#define KW(id) (1u << (id))
#define ADD_WORDS (KW(KW_DIR) | KW(KW_ACTION) | KW(KW_PRIORITY) | KW(KW_FAMILY) | \
		   KW(KW_SRC) | KW(KW_DST) | KW(KW_PROTO) | KW(KW_SPORT) | KW(KW_DPORT))

struct prefix {
	const char *word;	/* as given, for messages; NULL when not given */
	uint16_t family;	/* AF_INET, AF_INET6, or 0 for "any" */
	uint8_t addr[16];	/* masked to len */
	uint8_t len;
};

/* What the words of one subcommand say, before they are checked against each other. */
struct words {
	unsigned int seen;		/* KW() of each keyword given */
	const char *first_port;		/* "sport" or "dport", whichever came first */
	uint8_t dir, action, proto;
	uint32_t priority, index;
	uint16_t family;		/* given by "family", else 0 */
	struct prefix src, dst;
	uint16_t sport[2], dport[2];
};

struct keyword {
	const char *name;
	const char *needs;	/* what its value must be, for messages */
	int (*parse)(const struct keyword *kw, const char *word, struct words *w,
		     struct errmsg *err);
};

static const char *const dir_names[] = {
	[NFSEC_POLICY_DIR_OUT] = "out",
	[NFSEC_POLICY_DIR_IN]  = "in",
	[NFSEC_POLICY_DIR_FWD] = "fwd",
};

static const char *const action_names[] = {
	[NFSEC_POLICY_PROTECT] = "protect",
	[NFSEC_POLICY_BYPASS]  = "bypass",
	[NFSEC_POLICY_DISCARD] = "discard",
};

struct proto {
	const char *name;
	uint8_t number;
	bool ports;
};

static const struct proto protos[] = {
	{ "tcp", IPPROTO_TCP, true },
	{ "udp", IPPROTO_UDP, true },
	{ "sctp", IPPROTO_SCTP, true },
	{ "icmp", IPPROTO_ICMP, false },
	{ "icmpv6", IPPROTO_ICMPV6, false },
	{ "esp", IPPROTO_ESP, false },
	{ "ah", IPPROTO_AH, false },
	{ "any", 0, false },
};

static const struct proto *proto_find(uint8_t number)
{
	for (size_t i = 0; i < ARRAY_SIZE(protos); i++)
		if (protos[i].number == number)
			return &protos[i];
	return NULL;
}

static const char *name_of(const char *const *names, size_t n, unsigned int value)
{
	return value < n ? names[value] : "unknown";
}

const char *policy_dir_name(unsigned int dir)
{
	return name_of(dir_names, ARRAY_SIZE(dir_names), dir);
}

static int bad_value(const struct keyword *kw, const char *word, struct errmsg *err)
{
	errmsg_set(err, "\"%s\" needs %s, not \"%s\"", kw->name, kw->needs, word);
	return -EINVAL;
}

static int name_parse(const struct keyword *kw, const char *word, const char *const *names,
		      size_t n, uint8_t *out, struct errmsg *err)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(word, names[i])) {
			*out = (uint8_t)i;
			return 0;
		}
	}
	return bad_value(kw, word, err);
}

static int parse_dir(const struct keyword *kw, const char *word, struct words *w,
		     struct errmsg *err)
{
	return name_parse(kw, word, dir_names, ARRAY_SIZE(dir_names), &w->dir, err);
}

static int parse_action(const struct keyword *kw, const char *word, struct words *w,
			struct errmsg *err)
{
	return name_parse(kw, word, action_names, ARRAY_SIZE(action_names), &w->action, err);
}

static int parse_family(const struct keyword *kw, const char *word, struct words *w,
			struct errmsg *err)
{
	if (!strcmp(word, "inet"))
		w->family = AF_INET;
	else if (!strcmp(word, "inet6"))
		w->family = AF_INET6;
	else
		return bad_value(kw, word, err);
	return 0;
}

static int parse_priority(const struct keyword *kw, const char *word, struct words *w,
			  struct errmsg *err)
{
	return parse_u32(kw->name, word, 0, UINT32_MAX, &w->priority, err);
}

static int parse_index(const struct keyword *kw, const char *word, struct words *w,
		       struct errmsg *err)
{
	return parse_u32(kw->name, word, 0, UINT32_MAX, &w->index, err);
}

static int parse_proto(const struct keyword *kw, const char *word, struct words *w,
		       struct errmsg *err)
{
	struct errmsg ignored;
	uint32_t number;

	for (size_t i = 0; i < ARRAY_SIZE(protos); i++) {
		if (!strcmp(word, protos[i].name)) {
			w->proto = protos[i].number;
			return 0;
		}
	}
	if (parse_u32(kw->name, word, 0, UINT8_MAX, &number, &ignored) < 0)
		return bad_value(kw, word, err);
	w->proto = (uint8_t)number;
	return 0;
}

/* Clears the bits of addr (bytes long) beyond the first len. */
static void addr_mask(uint8_t *addr, unsigned int bytes, unsigned int len)
{
	for (unsigned int i = 0; i < bytes; i++) {
		unsigned int keep = len > 8 * i ? len - 8 * i : 0;

		if (keep < 8)
			addr[i] &= (uint8_t)(0xff00 >> keep);
	}
}

/* "LEN" of "ADDR/LEN": 1 to 3 decimal digits, at most bits. */
static bool prefix_len_parse(const char *word, unsigned int bits, unsigned int *len)
{
	size_t n = strlen(word);

	if (n == 0 || n > 3 || strspn(word, "0123456789") != n)
		return false;
	*len = (unsigned int)atoi(word);
	return *len <= bits;
}

static int prefix_parse(const char *word, struct prefix *p, struct errmsg *err)
{
	const char *slash = strchr(word, '/');
	size_t n = slash ? (size_t)(slash - word) : strlen(word);
	char addr[INET6_ADDRSTRLEN];
	unsigned int bits, len;

	memset(p, 0, sizeof(*p));
	p->word = word;
	if (!strcmp(word, "any"))
		return 0;
	if (n >= sizeof(addr))
		goto err_invalid;
	memcpy(addr, word, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, p->addr) == 1)
		p->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, p->addr) == 1)
		p->family = AF_INET6;
	else
		goto err_invalid;

	bits = p->family == AF_INET ? 32 : 128;
	len = bits;
	if (slash && !prefix_len_parse(slash + 1, bits, &len))
		goto err_invalid;
	p->len = (uint8_t)len;
	addr_mask(p->addr, bits / 8, len);
	return 0;

err_invalid:
	errmsg_set(err, "invalid prefix \"%s\"", word);
	return -EINVAL;
}

static int parse_src(const struct keyword *kw, const char *word, struct words *w,
		     struct errmsg *err)
{
	(void)kw;
	return prefix_parse(word, &w->src, err);
}

static int parse_dst(const struct keyword *kw, const char *word, struct words *w,
		     struct errmsg *err)
{
	(void)kw;
	return prefix_parse(word, &w->dst, err);
}

/* "PORT" or "PORT-PORT" into range[0..1]. */
static int port_range_parse(const struct keyword *kw, const char *word, struct words *w,
			    uint16_t *range, struct errmsg *err)
{
	const char *dash = strchr(word, '-');
	size_t n = dash ? (size_t)(dash - word) : strlen(word);
	struct errmsg ignored;
	uint32_t lo, hi;
	char first[16];

	if (n >= sizeof(first))
		goto err_invalid;
	memcpy(first, word, n);
	first[n] = '\0';
	if (parse_u32(kw->name, first, 0, UINT16_MAX, &lo, &ignored) < 0)
		goto err_invalid;
	hi = lo;
	if (dash && parse_u32(kw->name, dash + 1, 0, UINT16_MAX, &hi, &ignored) < 0)
		goto err_invalid;
	if (lo > hi) {
		errmsg_set(err, "invalid %s \"%s\": %u is above %u", kw->name, word, lo, hi);
		return -EINVAL;
	}
	range[0] = (uint16_t)lo;
	range[1] = (uint16_t)hi;
	if (!w->first_port)
		w->first_port = kw->name;
	return 0;

err_invalid:
	errmsg_set(err, "invalid %s \"%s\": not a port 0..65535 or a range PORT-PORT", kw->name,
		   word);
	return -EINVAL;
}

static int parse_sport(const struct keyword *kw, const char *word, struct words *w,
		       struct errmsg *err)
{
	return port_range_parse(kw, word, w, w->sport, err);
}

static int parse_dport(const struct keyword *kw, const char *word, struct words *w,
		       struct errmsg *err)
{
	return port_range_parse(kw, word, w, w->dport, err);
}

static const struct keyword keywords[KW_COUNT] = {
	[KW_DIR]      = { "dir", "one of out, in, fwd", parse_dir },
	[KW_ACTION]   = { "action", "one of protect, bypass, discard", parse_action },
	[KW_PRIORITY] = { "priority", "a number", parse_priority },
	[KW_FAMILY]   = { "family", "one of inet, inet6", parse_family },
	[KW_SRC]      = { "src", "a prefix, ADDR[/LEN] or any", parse_src },
	[KW_DST]      = { "dst", "a prefix, ADDR[/LEN] or any", parse_dst },
	[KW_PROTO]    = { "proto", "one of tcp, udp, sctp, icmp, icmpv6, esp, ah, any "
				   "or a number 0..255", parse_proto },
	[KW_SPORT]    = { "sport", "a port or a range PORT-PORT", parse_sport },
	[KW_DPORT]    = { "dport", "a port or a range PORT-PORT", parse_dport },
	[KW_INDEX]    = { "index", "a number", parse_index },
};

/* "KEYWORD VALUE" pairs, each keyword one of allowed, at most once; cmd names the command. */
static int words_parse(const char *cmd, unsigned int allowed, int argc, char **argv,
		       struct words *w, struct errmsg *err)
{
	for (int i = 0; i < argc; i += 2) {
		const struct keyword *kw = NULL;
		int ret;

		for (unsigned int id = 0; id < KW_COUNT && !kw; id++)
			if ((allowed & KW(id)) && !strcmp(argv[i], keywords[id].name))
				kw = &keywords[id];
		if (!kw) {
			errmsg_set(err, "unknown word \"%s\" in %s", argv[i], cmd);
			return -EINVAL;
		}
		if (w->seen & KW(kw - keywords)) {
			errmsg_set(err, "\"%s\" given twice", kw->name);
			return -EINVAL;
		}
		if (i + 1 == argc) {
			errmsg_set(err, "\"%s\" needs %s", kw->name, kw->needs);
			return -EINVAL;
		}
		ret = kw->parse(kw, argv[i + 1], w, err);
		if (ret < 0)
			return ret;
		w->seen |= KW(kw - keywords);
	}
	return 0;
}

static const char *family_version(uint16_t family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

static const char *family_name(uint16_t family)
{
	return family == AF_INET ? "inet" : "inet6";
}

static int family_check(const struct prefix *p, const char *name, uint16_t family,
			struct errmsg *err)
{
	if (!p->family || p->family == family)
		return 0;
	errmsg_set(err, "%s \"%s\" is %s but family is %s", name, p->word,
		   family_version(p->family), family_name(family));
	return -EINVAL;
}

/* The selector's family: "family", else that of the addresses, which must agree. */
static int family_resolve(const struct words *w, uint16_t *family, struct errmsg *err)
{
	if (w->family) {
		*family = w->family;
		if (family_check(&w->src, "src", w->family, err) < 0 ||
		    family_check(&w->dst, "dst", w->family, err) < 0)
			return -EINVAL;
		return 0;
	}
	if (w->src.family && w->dst.family && w->src.family != w->dst.family) {
		errmsg_set(err, "dst \"%s\" is %s but src \"%s\" is %s", w->dst.word,
			   family_version(w->dst.family), w->src.word,
			   family_version(w->src.family));
		return -EINVAL;
	}
	*family = w->src.family ? w->src.family : w->dst.family ? w->dst.family : AF_INET;
	return 0;
}

int policy_parse_add(int argc, char **argv, struct nfsec_policy *out, struct errmsg *err)
{
	struct words w = {
		.action = NFSEC_POLICY_PROTECT,
		.sport = { 0, UINT16_MAX },
		.dport = { 0, UINT16_MAX },
	};
	const struct proto *proto;
	uint16_t family;
	int ret;

	ret = words_parse("policy add", ADD_WORDS, argc, argv, &w, err);
	if (ret < 0)
		return ret;
	if (!(w.seen & KW(KW_DIR))) {
		errmsg_set(err, "policy add needs \"dir\"");
		return -EINVAL;
	}
	ret = family_resolve(&w, &family, err);
	if (ret < 0)
		return ret;
	proto = proto_find(w.proto);
	if (w.first_port && proto && !proto->ports) {
		errmsg_set(err, "\"%s\" needs proto tcp, udp, sctp or another protocol with ports "
			   "(proto is %s)", w.first_port, proto->name);
		return -EINVAL;
	}

	*out = (struct nfsec_policy){
		.dir = w.dir,
		.action = w.action,
		.priority = w.priority,
		.sel = {
			.family = family,
			.src_prefix = w.src.len,
			.dst_prefix = w.dst.len,
			.proto = w.proto,
			.sport_min = w.sport[0],
			.sport_max = w.sport[1],
			.dport_min = w.dport[0],
			.dport_max = w.dport[1],
		},
	};
	memcpy(out->sel.src, w.src.addr, sizeof(out->sel.src));
	memcpy(out->sel.dst, w.dst.addr, sizeof(out->sel.dst));
	return 0;
}

int policy_parse_index(const char *cmd, int argc, char **argv, uint32_t *index,
		       struct errmsg *err)
{
	struct words w = { 0 };
	int ret;

	ret = words_parse(cmd, KW(KW_INDEX), argc, argv, &w, err);
	if (ret < 0)
		return ret;
	if (!(w.seen & KW(KW_INDEX))) {
		errmsg_set(err, "%s needs \"index\"", cmd);
		return -EINVAL;
	}
	*index = w.index;
	return 0;
}

int policy_parse_dir(const char *cmd, int argc, char **argv, int *dir, struct errmsg *err)
{
	struct words w = { 0 };
	int ret;

	ret = words_parse(cmd, KW(KW_DIR), argc, argv, &w, err);
	if (ret < 0)
		return ret;
	*dir = w.seen & KW(KW_DIR) ? w.dir : -1;
	return 0;
}

enum { PREFIX_TEXT_LEN = INET6_ADDRSTRLEN + sizeof("/128") };

static void prefix_format(char *buf, uint16_t family, const uint8_t *addr, uint8_t len)
{
	char text[INET6_ADDRSTRLEN];

	if (!inet_ntop(family, addr, text, sizeof(text)))
		strcpy(text, "?");
	snprintf(buf, PREFIX_TEXT_LEN, "%s/%u", text, len);
}

static void ports_print(FILE *out, const char *name, uint16_t min, uint16_t max)
{
	if (min == 0 && max == UINT16_MAX)
		return;
	if (min == max)
		fprintf(out, " %s %u", name, min);
	else
		fprintf(out, " %s %u-%u", name, min, max);
}

void policy_print(FILE *out, const struct nfsec_policy *p)
{
	const struct nfsec_selector *sel = &p->sel;
	char src[PREFIX_TEXT_LEN], dst[PREFIX_TEXT_LEN];
	const struct proto *proto = proto_find(sel->proto);

	prefix_format(src, sel->family, sel->src, sel->src_prefix);
	prefix_format(dst, sel->family, sel->dst, sel->dst_prefix);
	fprintf(out, "index %u dir %s priority %u action %s src %s dst %s", p->index,
		policy_dir_name(p->dir), p->priority,
		name_of(action_names, ARRAY_SIZE(action_names), p->action), src, dst);
	if (sel->proto && proto)
		fprintf(out, " proto %s", proto->name);
	else if (sel->proto)
		fprintf(out, " proto %u", sel->proto);
	ports_print(out, "sport", sel->sport_min, sel->sport_max);
	ports_print(out, "dport", sel->dport_min, sel->dport_max);
	fputc('\n', out);
}

static void ports_json(struct json *j, const char *key, uint16_t min, uint16_t max)
{
	json_array_begin(j, key);
	json_u64(j, NULL, min);
	json_u64(j, NULL, max);
	json_array_end(j);
}

void policy_json(struct json *j, const char *key, const struct nfsec_policy *p)
{
	const struct nfsec_selector *sel = &p->sel;
	char src[PREFIX_TEXT_LEN], dst[PREFIX_TEXT_LEN];

	prefix_format(src, sel->family, sel->src, sel->src_prefix);
	prefix_format(dst, sel->family, sel->dst, sel->dst_prefix);
	json_object_begin(j, key);
	json_u64(j, "index", p->index);
	json_string(j, "dir", policy_dir_name(p->dir));
	json_u64(j, "priority", p->priority);
	json_string(j, "action", name_of(action_names, ARRAY_SIZE(action_names), p->action));
	json_string(j, "family", family_name(sel->family));
	json_string(j, "src", src);
	json_string(j, "dst", dst);
	json_u64(j, "proto", sel->proto);
	ports_json(j, "sport", sel->sport_min, sel->sport_max);
	ports_json(j, "dport", sel->dport_min, sel->dport_max);
	json_object_end(j);
}

static int usage_error(const char *why)
{
	fprintf(stderr, "nfsec: %s\n", why);
	return 1;
}

static int policy_add(const struct cli_opts *opts, int argc, char **argv)
{
	struct nfsec_handle *h;
	struct nfsec_policy p;
	struct errmsg err;

	(void)opts;
	if (policy_parse_add(argc - 1, argv + 1, &p, &err) < 0)
		return usage_error(err.text);
	h = cli_handle_open();
	if (!h)
		return 1;
	return cli_handle_done(h, nfsec_policy_add(h, &p));
}

static int policy_delete(const struct cli_opts *opts, int argc, char **argv)
{
	struct nfsec_handle *h;
	struct errmsg err;
	uint32_t index;

	(void)opts;
	if (policy_parse_index("policy delete", argc - 1, argv + 1, &index, &err) < 0)
		return usage_error(err.text);
	h = cli_handle_open();
	if (!h)
		return 1;
	return cli_handle_done(h, nfsec_policy_del(h, index));
}

static int policy_get(const struct cli_opts *opts, int argc, char **argv)
{
	struct nfsec_handle *h;
	struct nfsec_policy p;
	struct errmsg err;
	uint32_t index;
	struct json j;
	int ret;

	if (policy_parse_index("policy get", argc - 1, argv + 1, &index, &err) < 0)
		return usage_error(err.text);
	h = cli_handle_open();
	if (!h)
		return 1;
	ret = nfsec_policy_get(h, index, &p);
	if (ret < 0)
		return cli_handle_done(h, ret);
	nfsec_close(h);

	if (!opts->json) {
		policy_print(stdout, &p);
		return 0;
	}
	json_init(&j, stdout);
	policy_json(&j, NULL, &p);
	return json_finish(&j) < 0 ? 1 : 0;
}

struct policy_list {
	int dir;			/* the direction to keep, or -1 for all */
	struct nfsec_policy *v;
	size_t n, cap;
};

static int policy_collect(const struct nfsec_policy *p, void *arg)
{
	struct policy_list *l = arg;

	if (l->dir >= 0 && p->dir != l->dir)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct nfsec_policy *v = reallocarray(l->v, cap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *p;
	return 0;
}

static int list_print(const struct cli_opts *opts, const struct policy_list *l)
{
	struct json j;

	if (!opts->json) {
		for (size_t i = 0; i < l->n; i++)
			policy_print(stdout, &l->v[i]);
		return 0;
	}
	json_init(&j, stdout);
	json_array_begin(&j, NULL);
	for (size_t i = 0; i < l->n; i++)
		policy_json(&j, NULL, &l->v[i]);
	json_array_end(&j);
	return json_finish(&j) < 0 ? 1 : 0;
}

static int policy_show(const struct cli_opts *opts, int argc, char **argv)
{
	struct policy_list l = { 0 };
	struct nfsec_handle *h;
	struct errmsg err;
	int ret, status;

	if (policy_parse_dir("policy show", argc - 1, argv + 1, &l.dir, &err) < 0)
		return usage_error(err.text);
	h = cli_handle_open();
	if (!h)
		return 1;
	ret = nfsec_policy_dump(h, policy_collect, &l);
	if (ret < 0) {
		free(l.v);
		return cli_handle_done(h, ret);
	}
	nfsec_close(h);
	status = list_print(opts, &l);
	free(l.v);
	return status;
}

static int policy_flush(const struct cli_opts *opts, int argc, char **argv)
{
	struct nfsec_handle *h;
	struct errmsg err;
	int dir;

	(void)opts;
	if (policy_parse_dir("policy flush", argc - 1, argv + 1, &dir, &err) < 0)
		return usage_error(err.text);
	h = cli_handle_open();
	if (!h)
		return 1;
	return cli_handle_done(h, nfsec_policy_flush(h, dir));
}

static int policy_help(const struct cli_opts *opts, int argc, char **argv)
{
	(void)opts;
	(void)argc;
	(void)argv;
	fputs(policy_usage, stdout);
	return 0;
}

static const struct command policy_commands[] = {
	{ "add", policy_add, "add a policy", policy_usage },
	{ "delete", policy_delete, "remove one policy", policy_usage },
	{ "get", policy_get, "show one policy", policy_usage },
	{ "show", policy_show, "show the policies", policy_usage },
	{ "list", policy_show, "show the policies", policy_usage },
	{ "flush", policy_flush, "remove every policy", policy_usage },
	{ "help", policy_help, "show how to use nfsec policy", policy_usage },
	{ NULL, NULL, NULL, NULL },
};

int policy_main(const struct cli_opts *opts, int argc, char **argv)
{
	const struct command *sub;
	struct errmsg err;

	if (argc < 2)
		return policy_show(opts, 1, (char *[]){ "show", NULL });
	sub = command_find(policy_commands, argv[1], &err);
	if (!sub) {
		fprintf(stderr, "nfsec: policy: %s, try \"nfsec help policy\"\n", err.text);
		return 1;
	}
	return sub->handler(opts, argc - 1, argv + 1);
}
