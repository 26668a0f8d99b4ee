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
#include "words.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const char policy_usage[] =
	"Usage: nfsec [-j] policy { add | delete | get | show | flush } ...\n"
	"\n"
	"  nfsec policy add dir DIR [action ACTION] [priority N] [family FAMILY]\n"
	"                   [src PREFIX] [dst PREFIX] [proto PROTO]\n"
	"                   [sport PORT[-PORT]] [dport PORT[-PORT]]\n"
	"                   [mode MODE] [tmpl-src ADDR] [tmpl-dst ADDR] [reqid N]\n"
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
	"  MODE   := transport | tunnel\n"
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
	"A protect policy's template says how: mode (transport unless given), the tunnel's\n"
	"endpoints tmpl-src and tmpl-dst (mode tunnel: both, of one family, which may differ\n"
	"from the selector's; mode transport: none), and reqid, the request id of the SAs that\n"
	"may serve it (0 unless given). Outbound packets go out through the newest outbound SA\n"
	"with that mode, reqid and destination (tunnel: tmpl-dst; transport: their own). Other\n"
	"actions take no template.\n"
	"\n"
	"delete (or del), get: N is the kernel's index of the policy, as show prints it.\n"
	"\n"
	"show (or list): every policy, or those of one direction, in index order, one a line:\n"
	"\n"
	"    index 3 dir out priority 10 action bypass src 10.0.0.0/24 dst 0.0.0.0/0 "
	"proto tcp dport 443\n"
	"    index 4 dir out priority 20 action protect src 10.0.1.0/24 dst 10.0.2.0/24 "
	"mode tunnel\n"
	"      tmpl-src 192.0.2.1 tmpl-dst 192.0.2.2 reqid 1\n"
	"\n"
	"(the second is one line). proto and the ports are left out when they match everything;\n"
	"a protect policy ends with its template. With -j, a JSON array of objects (get prints\n"
	"one object):\n"
	"\n"
	"    [{\"index\":3,\"dir\":\"out\",\"priority\":10,\"action\":\"bypass\","
	"\"family\":\"inet\",\n"
	"      \"src\":\"10.0.0.0/24\",\"dst\":\"0.0.0.0/0\",\"proto\":6,"
	"\"sport\":[0,65535],\"dport\":[443,443]}]\n"
	"\n"
	"and for a protect policy \"mode\", \"tmpl_src\" and \"tmpl_dst\" (tunnel), \"reqid\".\n"
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
	KW_MODE,
	KW_TMPL_SRC,
	KW_TMPL_DST,
	KW_REQID,
	KW_INDEX,
	KW_COUNT
};

#define TMPL_WORDS (KW(KW_MODE) | KW(KW_TMPL_SRC) | KW(KW_TMPL_DST) | KW(KW_REQID))
#define ADD_WORDS (KW(KW_DIR) | KW(KW_ACTION) | KW(KW_PRIORITY) | KW(KW_FAMILY) | \
		   KW(KW_SRC) | KW(KW_DST) | KW(KW_PROTO) | KW(KW_SPORT) | KW(KW_DPORT) | \
		   TMPL_WORDS)

/* A tunnel endpoint: a whole address. */
/* What the words of one subcommand say, before they are checked against each other. */
struct words {
	unsigned int seen;		/* KW() of each keyword given */
	const char *first_port;		/* "sport" or "dport", whichever came first */
	uint8_t dir, action, proto, mode;
	uint32_t priority, index, reqid;
	uint16_t family;		/* given by "family", else 0 */
	struct prefix src, dst;
	uint16_t sport[2], dport[2];
	struct endpoint tmpl_src, tmpl_dst;
};

static const char *const action_names[] = {
	[NFSEC_POLICY_PROTECT] = "protect",
	[NFSEC_POLICY_BYPASS]  = "bypass",
	[NFSEC_POLICY_DISCARD] = "discard",
};

static const char *action_name(unsigned int action)
{
	return name_of(action_names, ARRAY_SIZE(action_names), action);
}

static int parse_family(const struct keyword *kw, char **args, int count, void *model,
			struct errmsg *err)
{
	struct words *w = model;

	(void)count;
	if (!strcmp(args[0], "inet"))
		w->family = AF_INET;
	else if (!strcmp(args[0], "inet6"))
		w->family = AF_INET6;
	else
		return keyword_bad_value(kw, args[0], err);
	return 0;
}

static const struct keyword keywords[KW_COUNT] = {
	[KW_DIR]      = { "dir", "one of out, in, fwd", 1,
			  INTO_NAME(struct words, dir, policy_dir_names) },
	[KW_ACTION]   = { "action", "one of protect, bypass, discard", 1,
			  INTO_NAME(struct words, action, action_names) },
	[KW_PRIORITY] = { "priority", "a number", 1,
			  INTO_U32(struct words, priority, 0, UINT32_MAX) },
	[KW_FAMILY]   = { "family", "one of inet, inet6", 1, .parse = parse_family },
	[KW_SRC]      = { "src", prefix_needs, 1, INTO_PREFIX(struct words, src) },
	[KW_DST]      = { "dst", prefix_needs, 1, INTO_PREFIX(struct words, dst) },
	[KW_PROTO]    = { "proto", proto_needs, 1, INTO_PROTO(struct words, proto) },
	[KW_SPORT]    = { "sport", ports_needs, 1, INTO_PORTS(struct words, sport, first_port) },
	[KW_DPORT]    = { "dport", ports_needs, 1, INTO_PORTS(struct words, dport, first_port) },
	[KW_MODE]     = { "mode", mode_needs, 1, INTO_NAME(struct words, mode, mode_names) },
	[KW_TMPL_SRC] = { "tmpl-src", addr_needs, 1, INTO_ENDPOINT(struct words, tmpl_src) },
	[KW_TMPL_DST] = { "tmpl-dst", addr_needs, 1, INTO_ENDPOINT(struct words, tmpl_dst) },
	[KW_REQID]    = { "reqid", "a number", 1, INTO_U32(struct words, reqid, 0, UINT32_MAX) },
	[KW_INDEX]    = { "index", "a number", 1, INTO_U32(struct words, index, 0, UINT32_MAX) },
};

static int words_parse(const char *cmd, unsigned int allowed, int argc, char **argv,
		       struct words *w, struct errmsg *err)
{
	return keywords_parse(cmd, keywords, KW_COUNT, allowed, argc, argv, w, &w->seen, err);
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

/* The first template word given, in the order of the usage. */
static const char *first_tmpl_word(unsigned int seen)
{
	for (unsigned int id = KW_MODE; id <= KW_REQID; id++)
		if (seen & KW(id))
			return keywords[id].name;
	return NULL;
}

/* A tunnel needs both endpoints, of one family; transport takes none. */
static int tmpl_endpoints_check(const struct words *w, struct errmsg *err)
{
	bool tunnel = (w->seen & KW(KW_MODE)) && w->mode == NFSEC_MODE_TUNNEL;
	unsigned int endpoints = w->seen & (KW(KW_TMPL_SRC) | KW(KW_TMPL_DST));

	if (!tunnel && endpoints) {
		const char *name = keywords[endpoints & KW(KW_TMPL_SRC) ? KW_TMPL_SRC :
					    KW_TMPL_DST].name;

		if (w->seen & KW(KW_MODE))
			errmsg_set(err, "\"%s\" needs mode tunnel (mode is %s)", name,
				   mode_name(w->mode));
		else
			errmsg_set(err, "\"%s\" needs mode tunnel", name);
		return -EINVAL;
	}
	if (tunnel && endpoints != (KW(KW_TMPL_SRC) | KW(KW_TMPL_DST))) {
		errmsg_set(err, "mode tunnel needs \"tmpl-src\" and \"tmpl-dst\"");
		return -EINVAL;
	}
	if (tunnel && w->tmpl_src.family != w->tmpl_dst.family) {
		errmsg_set(err, "tmpl-dst \"%s\" is %s but tmpl-src \"%s\" is %s",
			   w->tmpl_dst.word, family_version(w->tmpl_dst.family), w->tmpl_src.word,
			   family_version(w->tmpl_src.family));
		return -EINVAL;
	}
	return 0;
}

/* The template, when any of its words was given: protect policies only. */
static int tmpl_resolve(const struct words *w, struct nfsec_policy *p, struct errmsg *err)
{
	const char *first = first_tmpl_word(w->seen);
	int ret;

	if (!first)
		return 0;
	if (w->action != NFSEC_POLICY_PROTECT) {
		errmsg_set(err, "\"%s\" needs action protect (action is %s)", first,
			   action_name(w->action));
		return -EINVAL;
	}
	ret = tmpl_endpoints_check(w, err);
	if (ret < 0)
		return ret;
	p->has_tmpl = true;
	p->tmpl.mode = w->mode;
	p->tmpl.reqid = w->reqid;
	if (w->mode == NFSEC_MODE_TUNNEL) {
		p->tmpl.family = w->tmpl_src.family;
		memcpy(p->tmpl.src, w->tmpl_src.addr, sizeof(p->tmpl.src));
		memcpy(p->tmpl.dst, w->tmpl_dst.addr, sizeof(p->tmpl.dst));
	}
	return 0;
}

int policy_parse_add(int argc, char **argv, struct nfsec_policy *out, struct errmsg *err)
{
	struct words w = {
		.action = NFSEC_POLICY_PROTECT,
		.mode = NFSEC_MODE_TRANSPORT,
		.sport = { 0, UINT16_MAX },
		.dport = { 0, UINT16_MAX },
	};
	const struct proto *proto;
	struct nfsec_policy p;
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

	p = (struct nfsec_policy){
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
	memcpy(p.sel.src, w.src.addr, sizeof(p.sel.src));
	memcpy(p.sel.dst, w.dst.addr, sizeof(p.sel.dst));
	ret = tmpl_resolve(&w, &p, err);
	if (ret < 0)
		return ret;
	*out = p;
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

/* " mode tunnel tmpl-src A tmpl-dst B reqid N", or " mode transport reqid N". */
static void tmpl_print(FILE *out, const struct nfsec_tmpl *t)
{
	char src[ADDR_TEXT_LEN], dst[ADDR_TEXT_LEN];

	fprintf(out, " mode %s", mode_name(t->mode));
	if (t->mode == NFSEC_MODE_TUNNEL) {
		addr_format(src, t->family, t->src);
		addr_format(dst, t->family, t->dst);
		fprintf(out, " tmpl-src %s tmpl-dst %s", src, dst);
	}
	fprintf(out, " reqid %u", t->reqid);
}

void policy_print(FILE *out, const struct nfsec_policy *p)
{
	fprintf(out, "index %u dir %s priority %u action %s", p->index, policy_dir_name(p->dir),
		p->priority, action_name(p->action));
	selector_print(out, "", &p->sel);
	if (p->has_tmpl)
		tmpl_print(out, &p->tmpl);
	fputc('\n', out);
}

static void tmpl_json(struct json *j, const struct nfsec_tmpl *t)
{
	char src[ADDR_TEXT_LEN], dst[ADDR_TEXT_LEN];

	json_string(j, "mode", mode_name(t->mode));
	if (t->mode == NFSEC_MODE_TUNNEL) {
		addr_format(src, t->family, t->src);
		addr_format(dst, t->family, t->dst);
		json_string(j, "tmpl_src", src);
		json_string(j, "tmpl_dst", dst);
	}
	json_u64(j, "reqid", t->reqid);
}

void policy_json(struct json *j, const char *key, const struct nfsec_policy *p)
{
	json_object_begin(j, key);
	json_u64(j, "index", p->index);
	json_string(j, "dir", policy_dir_name(p->dir));
	json_u64(j, "priority", p->priority);
	json_string(j, "action", action_name(p->action));
	selector_json_members(j, &p->sel);
	if (p->has_tmpl)
		tmpl_json(j, &p->tmpl);
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
	return cli_handle_done(h, cli_policy_add(h, &p));
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
	/* Policies that came or went while the list was read: read it again, a few times. */
	for (int tries = 0; tries < 3; tries++) {
		l.n = 0;
		ret = nfsec_policy_dump(h, policy_collect, &l);
		if (ret != -EAGAIN)
			break;
	}
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

static const struct command policy_commands[] = {
	{ "add", policy_add, "add a policy", policy_usage },
	{ "delete", policy_delete, "remove one policy", policy_usage },
	{ "get", policy_get, "show one policy", policy_usage },
	{ "show", policy_show, "show the policies", policy_usage },
	{ "list", policy_show, "show the policies", policy_usage },
	{ "flush", policy_flush, "remove every policy", policy_usage },
	{ "help", NULL, "show how to use nfsec policy", policy_usage },
	{ NULL, NULL, NULL, NULL },
};

bool policy_word_is_add(const char *word)
{
	struct errmsg err;
	const struct command *cmd = command_find(policy_commands, word, &err);

	return cmd && cmd->handler == policy_add;
}

int policy_main(const struct cli_opts *opts, int argc, char **argv)
{
	return subcommand_run("policy", policy_commands, "show", opts, argc, argv);
}
