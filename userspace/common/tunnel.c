// SPDX-License-Identifier: GPL-2.0
/*
 * Tunnels from words, from the control socket's line, and back to words (the daemon's
 * configuration file is iked/conf.c's). keywords_parse() (words.c) hands each keyword's
 * value to its parse function here, which reads it into the model alone; tunnel_finish()
 * then fills in the defaults and checks the words against each other. The proposals
 * are read last, once weak-groups, allow-sha1 and pfs are known, wherever they stood.
 *
 * The secret: parse errors never quote it, tunnel_format() never shows it, and every
 * buffer it passed through is wiped.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <nfsec.h>

#include "tunnel.h"
#include "words.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum keyword_id {
	KW_LOCAL,
	KW_REMOTE,
	KW_LOCAL_TS,
	KW_REMOTE_TS,
	KW_AUTH,
	KW_PSK,
	KW_CERT,
	KW_KEY,
	KW_CA,
	KW_LOCAL_ID,
	KW_REMOTE_ID,
	KW_IKE,
	KW_ESP,
	KW_PFS,
	KW_MODE,
	KW_ENCAP,
	KW_IKE_LIFETIME,
	KW_LIFETIME,
	KW_LIFEBYTES,
	KW_REKEY_MARGIN,
	KW_AUTO,
	KW_WEAK_GROUPS,
	KW_ALLOW_SHA1,
	KW_REQID,
	KW_DPD,
	KW_DPD_TIMEOUT,
	KW_DPD_MODE,
	KW_DPD_ACTION,
	KW_NAT_T,
	KW_NAT_KEEPALIVE,
	KW_COUNT
};

static const char default_ike[] = "aes128-sha256-modp2048,aes256-sha256-modp2048";
static const char default_esp[] = "aes128gcm16,aes128-sha256";

enum {
	DEFAULT_IKE_LIFETIME = 8 * 3600,
	DEFAULT_LIFETIME = 3600,
	DEFAULT_REKEY_MARGIN = 9 * 60,
	DEFAULT_DPD_TIMEOUT = 30,
	DEFAULT_NAT_KEEPALIVE = 20,	/* RFC 3948 4: "every 20 seconds" */
};

static const char hidden[] = "<hidden>";

/* What the words say, before they are checked against each other. */
struct words {
	struct tunnel t;
	unsigned int seen;		/* KW() of each keyword given */
	const char *ike, *esp, *pfs;	/* read last */
};

static const struct keyword keywords[KW_COUNT];

static bool has(const struct words *w, enum keyword_id id)
{
	return w->seen & KW(id);
}

static const char *const auth_names[] = {
	[TUNNEL_AUTH_PSK]  = "psk",
	[TUNNEL_AUTH_CERT] = "cert",
};

static const char *const auto_names[] = {
	[TUNNEL_AUTO_TRAP]  = "trap",
	[TUNNEL_AUTO_START] = "start",
	[TUNNEL_AUTO_NONE]  = "none",
};

static const char *const dpd_action_names[] = {
	[TUNNEL_DPD_CLEAR]   = "clear",
	[TUNNEL_DPD_HOLD]    = "hold",
	[TUNNEL_DPD_RESTART] = "restart",
};

static const char *const nat_t_names[] = {
	[TUNNEL_NAT_T_YES]   = "yes",
	[TUNNEL_NAT_T_NO]    = "no",
	[TUNNEL_NAT_T_FORCE] = "force",
};

static const char *const dpd_mode_names[] = { "on-demand", "periodic" };
static const char *const exchange_names[] = { "main", "aggressive" };
static const char *const yes_no_names[] = { "no", "yes" };

/* Text that a file line can carry back: no double quote, no control character. */
static bool text_ok(const char *s)
{
	for (; *s; s++)
		if (*s == '"' || (unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* --- the words, one by one ------------------------------------------------------------ */

static int addr_set(const char *what, const char *word, struct tunnel_addr *a,
		    struct errmsg *err)
{
	struct endpoint e;

	if (endpoint_parse(what, word, &e, err) < 0)
		return -EINVAL;
	a->family = e.family;
	memcpy(a->addr, e.addr, sizeof(a->addr));
	return 0;
}

static int parse_local(const struct keyword *kw, char **args, int count, void *model,
		       struct errmsg *err)
{
	struct words *w = model;

	(void)count;
	return addr_set(kw->name, args[0], &w->t.local, err);
}

static int parse_remote(const struct keyword *kw, char **args, int count, void *model,
			struct errmsg *err)
{
	struct words *w = model;

	(void)count;
	if (!strcmp(args[0], "%any")) {
		w->t.remote_any = true;
		return 0;
	}
	return addr_set(kw->name, args[0], &w->t.remote, err);
}

static int ts_invalid(const char *what, const char *word, const char *why,
		      struct errmsg *err)
{
	errmsg_set(err, "invalid %s \"%s\": %s", what, word, why);
	return -EINVAL;
}

/* "PROTO[/PORT]]" of "PREFIX[PROTO[/PORT]]" into ts. */
static int ts_proto_parse(const char *what, const char *word, const char *spec,
			  struct tunnel_ts *ts, struct errmsg *err)
{
	size_t n = strlen(spec);
	const struct proto *proto;
	struct errmsg ignored;
	char buf[32], *port;
	uint32_t number;

	if (n < 2 || spec[n - 1] != ']' || n > sizeof(buf))
		return ts_invalid(what, word, "not PREFIX[PROTO/PORT]", err);
	memcpy(buf, spec, n - 1);
	buf[n - 1] = '\0';
	port = strchr(buf, '/');
	if (port)
		*port++ = '\0';
	if (proto_parse(buf, &ts->proto) < 0) {
		errmsg_set(err, "invalid %s \"%s\": protocol \"%s\" is not %s", what, word, buf,
			   proto_needs);
		return -EINVAL;
	}
	if (!port || !strcmp(port, "%any"))
		return 0;
	proto = proto_find(ts->proto);
	if (!ts->proto || (proto && !proto->ports)) {
		errmsg_set(err, "invalid %s \"%s\": protocol \"%s\" has no ports", what, word, buf);
		return -EINVAL;
	}
	if (parse_u32("port", port, 0, UINT16_MAX, &number, &ignored) < 0) {
		errmsg_set(err, "invalid %s \"%s\": port \"%s\" is not 0..65535 or %%any", what,
			   word, port);
		return -EINVAL;
	}
	ts->port = (uint16_t)number;
	return 0;
}

/* One "PREFIX[PROTO[/PORT]]" of a list. */
static int ts_parse(const char *what, const char *word, struct tunnel_ts *ts,
		    struct errmsg *err)
{
	const char *open = strchr(word, '[');
	size_t n = open ? (size_t)(open - word) : strlen(word);
	char buf[PREFIX_TEXT_LEN];
	struct errmsg ignored;
	struct prefix p;

	memset(ts, 0, sizeof(*ts));
	if (n >= sizeof(buf))
		return ts_invalid(what, word, "not an IPv4 or IPv6 prefix", err);
	memcpy(buf, word, n);
	buf[n] = '\0';
	if (prefix_parse(buf, &p, &ignored) < 0)
		return ts_invalid(what, word, "not an IPv4 or IPv6 prefix", err);
	if (!p.family)
		return ts_invalid(what, word, "\"any\" has no family: write 0.0.0.0/0 or ::/0", err);
	ts->family = p.family;
	memcpy(ts->addr, p.addr, sizeof(ts->addr));
	ts->len = p.len;
	return open ? ts_proto_parse(what, word, open + 1, ts, err) : 0;
}

/* "TS[,TS...]" into ts[], *count of them. */
static int ts_list_parse(const char *what, const char *list, struct tunnel_ts *ts,
			 unsigned int *count, struct errmsg *err)
{
	const char *start = list;

	*count = 0;
	for (;;) {
		const char *comma = strchr(start, ',');
		size_t n = comma ? (size_t)(comma - start) : strlen(start);
		char one[128];
		int ret;

		if (n == 0)
			return ts_invalid(what, list, "an empty selector", err);
		if (*count == TUNNEL_TS_MAX) {
			errmsg_set(err, "invalid %s \"%s\": more than %d selectors", what, list,
				   TUNNEL_TS_MAX);
			return -EINVAL;
		}
		if (n >= sizeof(one))
			n = sizeof(one) - 1;	/* too long for a prefix all the same */
		memcpy(one, start, n);
		one[n] = '\0';
		ret = ts_parse(what, one, &ts[(*count)++], err);
		if (ret < 0)
			return ret;
		if (!comma)
			return 0;
		start = comma + 1;
	}
}

static int parse_ts(const struct keyword *kw, char **args, int count, void *model,
		    struct errmsg *err)
{
	struct words *w = model;
	bool local = kw == &keywords[KW_LOCAL_TS];

	(void)count;
	return ts_list_parse(kw->name, args[0], local ? w->t.local_ts : w->t.remote_ts,
			     local ? &w->t.local_ts_count : &w->t.remote_ts_count, err);
}

/* An absolute path into buf (TUNNEL_PATH_MAX + 1 bytes). */
static int path_parse(const char *what, const char *word, char *buf, struct errmsg *err)
{
	const char *why = NULL;

	if (word[0] != '/')
		why = "not an absolute path";
	else if (strlen(word) > TUNNEL_PATH_MAX)
		why = "longer than 255 bytes";
	else if (!text_ok(word))
		why = "a double quote or a control character in it";
	if (why) {
		errmsg_set(err, "invalid %s \"%s\": %s", what, word, why);
		return -EINVAL;
	}
	strcpy(buf, word);
	return 0;
}

static int psk_invalid(const char *why, struct errmsg *err)
{
	errmsg_set(err, "invalid psk: %s", why);
	return -EINVAL;
}

/* Messages name what is wrong with the secret, never the secret. */
static int parse_psk(const struct keyword *kw, char **args, int count, void *model,
		     struct errmsg *err)
{
	struct tunnel *t = &((struct words *)model)->t;
	const char *word = args[0];
	struct errmsg ignored;
	size_t len;

	(void)kw;
	(void)count;
	if (has_prefix(word, "file:"))
		return path_parse("psk file", word + strlen("file:"), t->psk_file, err);
	if (!strcmp(word, hidden))
		return psk_invalid("\"<hidden>\" stands for the secret in \"tunnel show\"; give "
				   "the secret itself", err);
	if (!strncmp(word, "0x", 2) || !strncmp(word, "0X", 2)) {
		if (parse_hex("psk", word, t->psk, TUNNEL_PSK_MAX, &len, &ignored) < 0)
			return psk_invalid("0x must be followed by an even number of hex digits, "
					   "at most 256", err);
		t->psk_len = (uint16_t)len;
		return 0;
	}
	len = strlen(word);
	if (len == 0)
		return psk_invalid("empty", err);
	if (len > TUNNEL_PSK_MAX)
		return psk_invalid("longer than 128 bytes", err);
	memcpy(t->psk, word, len);
	t->psk_len = (uint16_t)len;
	return 0;
}

static int parse_path(const struct keyword *kw, char **args, int count, void *model,
		      struct errmsg *err)
{
	(void)count;
	return path_parse(kw->name, args[0], keyword_field(kw, model), err);
}

static int id_text(const char *what, const char *word, uint8_t type, const char *text,
		   bool blanks, struct tunnel_id *id, struct errmsg *err)
{
	size_t n = strlen(text);
	const char *why = NULL;

	if (n == 0)
		why = "empty";
	else if (n > TUNNEL_ID_MAX)
		why = "longer than 255 bytes";
	else if (!text_ok(text))
		why = "a double quote or a control character in it";
	else if (!blanks && strpbrk(text, " \t"))
		why = "a blank in it";
	if (why) {
		errmsg_set(err, "invalid %s \"%s\": %s", what, word, why);
		return -EINVAL;
	}
	id->type = type;
	id->len = (uint16_t)n;
	memcpy(id->data, text, n);
	return 0;
}

static bool fqdn_like(const char *word)
{
	if (!strchr(word, '.'))
		return false;
	for (; *word; word++)
		if (isalpha((unsigned char)*word))
			return true;
	return false;
}

static int id_parse(const char *what, const char *word, bool any_ok, struct tunnel_id *id,
		    struct errmsg *err)
{
	struct errmsg ignored;
	uint16_t family;
	uint8_t addr[16];
	size_t len;

	memset(id, 0, sizeof(*id));
	if (!strcmp(word, "%any")) {
		if (any_ok)
			return 0;
		errmsg_set(err, "invalid %s \"%%any\": only remote-id may be %%any", what);
		return -EINVAL;
	}
	if (has_prefix(word, "keyid:")) {
		if (parse_hex(what, word + strlen("keyid:"), id->data, TUNNEL_ID_MAX, &len, err))
			return -EINVAL;
		id->type = TUNNEL_ID_KEY_ID;
		id->len = (uint16_t)len;
		return 0;
	}
	if (has_prefix(word, "fqdn:"))
		return id_text(what, word, TUNNEL_ID_FQDN, word + 5, false, id, err);
	if (has_prefix(word, "email:"))
		return id_text(what, word, TUNNEL_ID_USER_FQDN, word + 6, false, id, err);
	if (has_prefix(word, "dn:"))
		return id_text(what, word, TUNNEL_ID_DER_ASN1_DN, word + 3, true, id, err);
	if (addr_parse(what, word, &family, addr, &ignored) == 0) {
		id->type = family == AF_INET ? TUNNEL_ID_IPV4_ADDR : TUNNEL_ID_IPV6_ADDR;
		id->len = family == AF_INET ? 4 : 16;
		memcpy(id->data, addr, id->len);
		return 0;
	}
	if (strchr(word, '='))
		return id_text(what, word, TUNNEL_ID_DER_ASN1_DN, word, true, id, err);
	if (word[0] == '@')
		return id_text(what, word, TUNNEL_ID_FQDN, word + 1, false, id, err);
	if (strchr(word, '@'))
		return id_text(what, word, TUNNEL_ID_USER_FQDN, word, false, id, err);
	if (fqdn_like(word))
		return id_text(what, word, TUNNEL_ID_FQDN, word, false, id, err);
	errmsg_set(err, "invalid %s \"%s\": not an address, a name (fqdn:NAME), user@host, "
		   "a DN (C=CH, CN=moon) or keyid:HEX", what, word);
	return -EINVAL;
}

static int parse_id(const struct keyword *kw, char **args, int count, void *model,
		    struct errmsg *err)
{
	struct words *w = model;
	bool local = kw == &keywords[KW_LOCAL_ID];

	(void)count;
	return id_parse(kw->name, args[0], !local, local ? &w->t.local_id : &w->t.remote_id,
			err);
}

struct unit {
	char suffix;
	uint64_t factor;
};

static const struct unit duration_units[] = {
	{ 'd', 86400 }, { 'h', 3600 }, { 'm', 60 }, { 's', 1 },
};

static const struct unit size_units[] = {
	{ 'G', 1u << 30 }, { 'M', 1u << 20 }, { 'k', 1u << 10 }, { 'K', 1u << 10 },
};

/* Decimal N with an optional suffix of units[] into *out, in min..max. */
static int amount_parse(const char *what, const char *word, const struct unit *units,
			size_t n_units, const char *needs, const char *unit_name,
			uint64_t min, uint64_t max, uint64_t *out, struct errmsg *err)
{
	size_t n = strlen(word);
	uint64_t factor = 1, value = 0;
	bool overflow = false;

	for (size_t i = 0; n && i < n_units; i++) {
		if (word[n - 1] == units[i].suffix) {
			factor = units[i].factor;
			n--;
			break;
		}
	}
	if (n == 0 || strspn(word, "0123456789") < n) {
		errmsg_set(err, "invalid %s \"%s\": not %s", what, word, needs);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned int d = (unsigned int)(word[i] - '0');

		if (value > (UINT64_MAX - d) / 10)
			overflow = true;
		value = value * 10 + d;
	}
	if (overflow || value > max / factor) {
		errmsg_set(err, "invalid %s \"%s\": more than %" PRIu64 " %s", what, word, max,
			   unit_name);
		return -ERANGE;
	}
	if (value * factor < min) {
		errmsg_set(err, "invalid %s \"%s\": must be more than 0", what, word);
		return -EINVAL;
	}
	*out = value * factor;
	return 0;
}

/* A duration of at least kw->min seconds. */
static int parse_duration(const struct keyword *kw, char **args, int count, void *model,
			  struct errmsg *err)
{
	uint32_t *field = keyword_field(kw, model);
	uint64_t value;
	int ret;

	(void)count;
	ret = amount_parse(kw->name, args[0], duration_units, ARRAY_SIZE(duration_units),
			   "a duration (N, Ns, Nm, Nh or Nd)", "seconds", kw->min, UINT32_MAX,
			   &value, err);
	if (ret == 0)
		*field = (uint32_t)value;
	return ret < 0 ? -EINVAL : 0;
}

static int parse_lifebytes(const struct keyword *kw, char **args, int count, void *model,
			   struct errmsg *err)
{
	struct words *w = model;
	int ret;

	(void)count;
	ret = amount_parse(kw->name, args[0], size_units, ARRAY_SIZE(size_units),
			   "a size (N, Nk, NM or NG bytes)", "bytes", 1, UINT64_MAX,
			   &w->t.lifebytes, err);
	return ret < 0 ? -EINVAL : 0;
}

#define PATH(f)		KEYWORD_FIELD(struct words, t.f, char[TUNNEL_PATH_MAX + 1]), \
			.parse = parse_path
#define DURATION(f, lo)	KEYWORD_FIELD(struct words, t.f, uint32_t), .min = (lo), \
			.parse = parse_duration

static const struct keyword keywords[KW_COUNT] = {
	[KW_LOCAL]	  = { "local", "ADDR", 1, .parse = parse_local },
	[KW_REMOTE]	  = { "remote", "ADDR or %any", 1, .parse = parse_remote },
	[KW_LOCAL_TS]	  = { "local-ts", "PREFIX[,PREFIX...]", 1, .parse = parse_ts },
	[KW_REMOTE_TS]	  = { "remote-ts", "PREFIX[,PREFIX...]", 1, .parse = parse_ts },
	[KW_AUTH]	  = { "auth", "psk or cert", 1,
			      INTO_NAME(struct words, t.auth, auth_names) },
	[KW_PSK]	  = { "psk", "SECRET", 1, .parse = parse_psk },
	[KW_CERT]	  = { "cert", "PATH", 1, PATH(cert) },
	[KW_KEY]	  = { "key", "PATH", 1, PATH(key) },
	[KW_CA]		  = { "ca", "PATH", 1, PATH(ca) },
	[KW_LOCAL_ID]	  = { "local-id", "ID", 1, .parse = parse_id },
	[KW_REMOTE_ID]	  = { "remote-id", "ID", 1, .parse = parse_id },
	/* ike, esp and pfs: read in tunnel_finish() */
	[KW_IKE]	  = { "ike", "PROPOSALS", 1, INTO_WORD(struct words, ike) },
	[KW_ESP]	  = { "esp", "PROPOSALS", 1, INTO_WORD(struct words, esp) },
	[KW_PFS]	  = { "pfs", "GROUP or no", 1, INTO_WORD(struct words, pfs) },
	[KW_MODE]	  = { "mode", "main or aggressive", 1,
			      INTO_BOOL(struct words, t.aggressive, exchange_names) },
	[KW_ENCAP]	  = { "encap", "tunnel or transport", 1,
			      INTO_NAME(struct words, t.encap, mode_names) },
	[KW_IKE_LIFETIME] = { "ike-lifetime", "DURATION", 1, DURATION(ike_lifetime, 1) },
	[KW_LIFETIME]	  = { "lifetime", "DURATION", 1, DURATION(lifetime, 1) },
	[KW_LIFEBYTES]	  = { "lifebytes", "SIZE", 1, .parse = parse_lifebytes },
	[KW_REKEY_MARGIN] = { "rekey-margin", "DURATION", 1, DURATION(rekey_margin, 0) },
	[KW_AUTO]	  = { "auto", "trap, start or none", 1,
			      INTO_NAME(struct words, t.auto_mode, auto_names) },
	[KW_WEAK_GROUPS]  = { "weak-groups", "yes or no", 1,
			      INTO_BOOL(struct words, t.weak_groups, yes_no_names) },
	[KW_ALLOW_SHA1]	  = { "allow-sha1", "yes or no", 1,
			      INTO_BOOL(struct words, t.allow_sha1, yes_no_names) },
	[KW_REQID]	  = { "reqid", "a number", 1,
			      INTO_U32(struct words, t.reqid, 0, TUNNEL_REQID_MAX) },
	[KW_DPD]	  = { "dpd", "DURATION", 1, DURATION(dpd, 0) },
	[KW_DPD_TIMEOUT]  = { "dpd-timeout", "DURATION", 1, DURATION(dpd_timeout, 1) },
	[KW_DPD_MODE]	  = { "dpd-mode", "on-demand or periodic", 1,
			      INTO_BOOL(struct words, t.dpd_periodic, dpd_mode_names) },
	[KW_DPD_ACTION]	  = { "dpd-action", "clear, hold or restart", 1,
			      INTO_NAME(struct words, t.dpd_action, dpd_action_names) },
	[KW_NAT_T]	  = { "nat-t", "yes, no or force", 1,
			      INTO_NAME(struct words, t.nat_t, nat_t_names) },
	[KW_NAT_KEEPALIVE] = { "nat-keepalive", "DURATION", 1, DURATION(nat_keepalive, 0) },
};

/* --- the words together --------------------------------------------------------------- */

static int need(const char *what, struct errmsg *err)
{
	errmsg_set(err, "tunnel needs %s", what);
	return -EINVAL;
}

static int endpoints_check(struct words *w, struct errmsg *err)
{
	struct tunnel *t = &w->t;
	char local[ADDR_TEXT_LEN], remote[ADDR_TEXT_LEN];

	if (!has(w, KW_LOCAL))
		return need("\"local ADDR\"", err);
	if (!has(w, KW_REMOTE))
		return need("\"remote ADDR\"", err);
	if (t->remote_any) {
		t->remote.family = t->local.family;
		return 0;
	}
	if (t->local.family == t->remote.family)
		return 0;
	addr_format(local, t->local.family, t->local.addr);
	addr_format(remote, t->remote.family, t->remote.addr);
	errmsg_set(err, "local %s is %s, remote %s %s: both must be of one family", local,
		   family_version(t->local.family), remote, family_version(t->remote.family));
	return -EINVAL;
}

static void ts_of_addr(struct tunnel_ts *ts, const struct tunnel_addr *a)
{
	memset(ts, 0, sizeof(*ts));
	ts->family = a->family;
	memcpy(ts->addr, a->addr, sizeof(ts->addr));
	ts->len = a->family == AF_INET ? 32 : 128;
}

void tunnel_ts_format(char *buf, size_t len, const struct tunnel_ts *ts)
{
	const struct proto *proto = proto_find(ts->proto);
	char prefix[PREFIX_TEXT_LEN], name[8];

	prefix_format(prefix, ts->family, ts->addr, ts->len);
	if (proto)
		snprintf(name, sizeof(name), "%s", proto->name);
	else
		snprintf(name, sizeof(name), "%u", ts->proto);
	if (!ts->proto)
		snprintf(buf, len, "%s", prefix);
	else if (!ts->port)
		snprintf(buf, len, "%s[%s]", prefix, name);
	else
		snprintf(buf, len, "%s[%s/%u]", prefix, name, ts->port);
}

/* encap transport: the selectors are the endpoints (with a protocol and port at most). */
static int ts_transport_check(const char *what, const struct tunnel_ts *ts,
			      unsigned int count, const struct tunnel_addr *a,
			      struct errmsg *err)
{
	char text[PREFIX_TEXT_LEN + 16], addr[ADDR_TEXT_LEN];

	for (unsigned int i = 0; i < count; i++) {
		struct tunnel_ts host;

		ts_of_addr(&host, a);
		if (ts[i].family == host.family && ts[i].len == host.len &&
		    !memcmp(ts[i].addr, host.addr, sizeof(host.addr)))
			continue;
		tunnel_ts_format(text, sizeof(text), &ts[i]);
		addr_format(addr, a->family, a->addr);
		errmsg_set(err, "with \"encap transport\", %s %s must be the %s address %s", what,
			   text, what[0] == 'l' ? "local" : "remote", addr);
		return -EINVAL;
	}
	return 0;
}

/* Each selector of one side has a partner of its family on the other. */
static int ts_pairs_check(const char *what, const struct tunnel_ts *ts, unsigned int count,
			  const char *other_what, const struct tunnel_ts *other,
			  unsigned int other_count, struct errmsg *err)
{
	char text[PREFIX_TEXT_LEN + 16];

	for (unsigned int i = 0; i < count; i++) {
		bool paired = false;

		for (unsigned int j = 0; j < other_count; j++)
			paired |= ts[i].family == other[j].family;
		if (paired)
			continue;
		tunnel_ts_format(text, sizeof(text), &ts[i]);
		errmsg_set(err, "%s %s has no %s %s to pair with", what, text,
			   family_version(ts[i].family), other_what);
		return -EINVAL;
	}
	return 0;
}

static int ts_check(struct words *w, struct errmsg *err)
{
	struct tunnel *t = &w->t;
	int ret;

	if (t->encap == NFSEC_MODE_TRANSPORT) {
		if (t->remote_any && has(w, KW_REMOTE_TS)) {
			errmsg_set(err, "with \"remote %%any\" and \"encap transport\", the "
				   "remote-ts is each peer's address: leave it out");
			return -EINVAL;
		}
		if (!has(w, KW_LOCAL_TS)) {
			ts_of_addr(&t->local_ts[0], &t->local);
			t->local_ts_count = 1;
		}
		if (!has(w, KW_REMOTE_TS)) {
			/* remote %any: each peer's own address, which the daemon fills in */
			ts_of_addr(&t->remote_ts[0], &t->remote);
			t->remote_ts_count = 1;
			t->remote_ts_peer = t->remote_any;
		}
		ret = ts_transport_check("local-ts", t->local_ts, t->local_ts_count, &t->local,
					 err);
		if (!ret && !t->remote_any)
			ret = ts_transport_check("remote-ts", t->remote_ts, t->remote_ts_count,
						 &t->remote, err);
		if (ret)
			return ret;
	}
	if (!has(w, KW_LOCAL_TS) && t->encap == NFSEC_MODE_TUNNEL)
		return need("\"local-ts PREFIX[,PREFIX...]\" (with \"encap tunnel\")", err);
	if (!has(w, KW_REMOTE_TS) && t->encap == NFSEC_MODE_TUNNEL && t->remote_any) {
		/* each peer's own address, which the daemon fills in per peer */
		ts_of_addr(&t->remote_ts[0], &t->remote);
		t->remote_ts_count = 1;
		t->remote_ts_peer = true;
	}
	if (!has(w, KW_REMOTE_TS) && t->encap == NFSEC_MODE_TUNNEL && !t->remote_any)
		return need("\"remote-ts PREFIX[,PREFIX...]\" (with \"encap tunnel\")", err);
	ret = ts_pairs_check("local-ts", t->local_ts, t->local_ts_count, "remote-ts",
			     t->remote_ts, t->remote_ts_count, err);
	if (!ret)
		ret = ts_pairs_check("remote-ts", t->remote_ts, t->remote_ts_count, "local-ts",
				     t->local_ts, t->local_ts_count, err);
	return ret;
}

static int auth_check(const struct words *w, struct errmsg *err)
{
	static const enum keyword_id cert_words[] = { KW_CERT, KW_KEY, KW_CA };

	if (!has(w, KW_AUTH))
		return need("\"auth psk\" or \"auth cert\"", err);
	if (w->t.auth == TUNNEL_AUTH_PSK) {
		for (size_t i = 0; i < ARRAY_SIZE(cert_words); i++) {
			if (has(w, cert_words[i])) {
				errmsg_set(err, "\"%s\" is for \"auth cert\", not \"auth psk\"",
					   keywords[cert_words[i]].name);
				return -EINVAL;
			}
		}
		if (!has(w, KW_PSK)) {
			errmsg_set(err, "\"auth psk\" needs \"psk SECRET\"");
			return -EINVAL;
		}
		return 0;
	}
	if (has(w, KW_PSK)) {
		errmsg_set(err, "\"psk\" is for \"auth psk\", not \"auth cert\"");
		return -EINVAL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(cert_words); i++) {
		if (!has(w, cert_words[i])) {
			errmsg_set(err, "\"auth cert\" needs \"%s PATH\"", keywords[cert_words[i]].name);
			return -EINVAL;
		}
	}
	/* Without a remote-id, any certificate the CA ever signed would do: say which. */
	if (!has(w, KW_REMOTE_ID)) {
		errmsg_set(err, "\"auth cert\" needs \"remote-id ID\", the identity the peer's "
			   "certificate must hold (\"remote-id %%any\" takes any the ca signed)");
		return -EINVAL;
	}
	/*
	 * With signatures SKEYID is prf(Ni | Nr, g^xy): anyone can compute an aggressive-mode
	 * HASH_I, so only CERT and SIG prove anything, and aggressive mode does not do them.
	 */
	if (w->t.aggressive) {
		errmsg_set(err, "\"auth cert\" cannot use \"mode aggressive\": certificates "
			   "are authenticated in main mode only");
		return -EINVAL;
	}
	return 0;
}

static void id_of_addr(struct tunnel_id *id, const struct tunnel_addr *a)
{
	memset(id, 0, sizeof(*id));
	id->type = a->family == AF_INET ? TUNNEL_ID_IPV4_ADDR : TUNNEL_ID_IPV6_ADDR;
	id->len = a->family == AF_INET ? 4 : 16;
	memcpy(id->data, a->addr, id->len);
}

/* The ids the endpoints stand for when none is given. */
/*
 * The IDs a tunnel has without local-id/remote-id: the endpoint addresses with a
 * pre-shared key; with certificates (as swanctl does) our certificate's subject and any
 * peer our CA vouches for (both ANY here; auth.c fills ours from the certificate).
 */
static void ids_default(const struct tunnel *t, struct tunnel_id *local,
			struct tunnel_id *remote)
{
	if (t->auth == TUNNEL_AUTH_CERT) {
		memset(local, 0, sizeof(*local));
		memset(remote, 0, sizeof(*remote));
		return;
	}
	id_of_addr(local, &t->local);
	if (t->remote_any)
		memset(remote, 0, sizeof(*remote));
	else
		id_of_addr(remote, &t->remote);
}

static int auto_check(struct words *w, struct errmsg *err)
{
	struct tunnel *t = &w->t;

	if (!t->remote_any)
		return 0;
	if (!has(w, KW_AUTO)) {
		t->auto_mode = TUNNEL_AUTO_NONE;
		return 0;
	}
	if (t->auto_mode == TUNNEL_AUTO_NONE)
		return 0;
	errmsg_set(err, "\"remote %%any\" cannot \"auto %s\": with no peer to reach, it only "
		   "answers (\"auto none\")", auto_names[t->auto_mode]);
	return -EINVAL;
}

static void duration_format(char *buf, size_t len, uint64_t seconds)
{
	for (size_t i = 0; i < ARRAY_SIZE(duration_units); i++) {
		if (seconds && seconds % duration_units[i].factor == 0) {
			snprintf(buf, len, "%" PRIu64 "%c", seconds / duration_units[i].factor,
				 duration_units[i].suffix);
			return;
		}
	}
	snprintf(buf, len, "0s");
}

static void size_format(char *buf, size_t len, uint64_t bytes)
{
	/* K is the spare spelling of k: never printed */
	for (size_t i = 0; i < ARRAY_SIZE(size_units) - 1; i++) {
		if (bytes && bytes % size_units[i].factor == 0) {
			snprintf(buf, len, "%" PRIu64 "%c", bytes / size_units[i].factor,
				 size_units[i].suffix);
			return;
		}
	}
	snprintf(buf, len, "%" PRIu64, bytes);
}

static int lifetimes_check(const struct tunnel *t, struct errmsg *err)
{
	char margin[24], life[24];
	const char *what = NULL;
	uint32_t limit = 0;

	if (t->rekey_margin >= t->lifetime) {
		what = "lifetime";
		limit = t->lifetime;
	} else if (t->rekey_margin >= t->ike_lifetime) {
		what = "ike-lifetime";
		limit = t->ike_lifetime;
	}
	if (!what)
		return 0;
	duration_format(margin, sizeof(margin), t->rekey_margin);
	duration_format(life, sizeof(life), limit);
	errmsg_set(err, "\"rekey-margin\" %s must be below \"%s\" %s", margin, what, life);
	return -EINVAL;
}

static int proposals_check(struct words *w, struct errmsg *err)
{
	struct tunnel *t = &w->t;
	unsigned int flags = (t->weak_groups ? PROPOSAL_WEAK_GROUPS : 0) |
			     (t->allow_sha1 ? PROPOSAL_SHA1 : 0);
	int pfs = PROPOSAL_PFS_UNSET;
	uint16_t group;
	int ret;

	if (w->pfs && !strcmp(w->pfs, "no")) {
		pfs = PROPOSAL_PFS_NO;
	} else if (w->pfs) {
		ret = proposal_group_parse("pfs", w->pfs, flags, &group, err);
		if (ret < 0)
			return ret;
		pfs = group;
	}
	ret = proposal_ike_parse(w->ike ? w->ike : default_ike, flags, &t->ike, err);
	if (ret < 0)
		return ret;
	ret = proposal_esp_parse(w->esp ? w->esp : default_esp, flags, pfs, &t->esp, err);
	if (ret < 0)
		return ret;
	t->pfs = t->esp.p[0].group;
	if (!t->aggressive)
		return 0;
	for (unsigned int i = 1; i < t->ike.count; i++) {
		if (t->ike.p[i].group != t->ike.p[0].group) {
			errmsg_set(err, "\"mode aggressive\" sends one key exchange: the ike "
				   "proposals must share one DH group, not %s and %s",
				   proposal_group_name(t->ike.p[0].group),
				   proposal_group_name(t->ike.p[i].group));
			return -EINVAL;
		}
	}
	return 0;
}

/* The defaults of the words not given, and the words checked against each other. */
/* The other dpd words need dpd; a tunnel that only answers cannot restart. */
static int dpd_check(const struct words *w, struct errmsg *err)
{
	static const enum keyword_id others[] = { KW_DPD_TIMEOUT, KW_DPD_MODE, KW_DPD_ACTION };

	for (size_t i = 0; i < ARRAY_SIZE(others); i++) {
		if (has(w, others[i]) && !w->t.dpd) {
			errmsg_set(err, "\"%s\" needs \"dpd\" (a delay above 0)",
				   keywords[others[i]].name);
			return -EINVAL;
		}
	}
	if (w->t.dpd && w->t.remote_any && w->t.dpd_action == TUNNEL_DPD_RESTART) {
		errmsg_set(err, "\"dpd-action restart\" needs a remote address: a tunnel to "
			   "%%any only answers");
		return -EINVAL;
	}
	return 0;
}

/* ESP in UDP is IPv4's only (the module's): forcing it on IPv6 could never work. */
static int nat_check(const struct words *w, struct errmsg *err)
{
	if (w->t.nat_t == TUNNEL_NAT_T_FORCE && w->t.local.family != AF_INET) {
		errmsg_set(err, "\"nat-t force\" needs IPv4 addresses: ESP in UDP is IPv4 only");
		return -EINVAL;
	}
	return 0;
}

static int tunnel_finish(struct words *w, struct errmsg *err)
{
	struct tunnel *t = &w->t;
	struct tunnel_id local_id, remote_id;
	int ret;

	ret = endpoints_check(w, err);
	if (!ret)
		ret = ts_check(w, err);
	if (!ret)
		ret = auth_check(w, err);
	if (!ret)
		ret = auto_check(w, err);
	if (!ret)
		ret = lifetimes_check(t, err);
	if (!ret)
		ret = dpd_check(w, err);
	if (!ret)
		ret = nat_check(w, err);
	if (!ret)
		ret = proposals_check(w, err);
	if (ret)
		return ret;
	ids_default(t, &local_id, &remote_id);
	/* memcpy, not =: the padding stays as memset left it, for memcmp() */
	if (!has(w, KW_LOCAL_ID))
		memcpy(&t->local_id, &local_id, sizeof(local_id));
	if (!has(w, KW_REMOTE_ID))
		memcpy(&t->remote_id, &remote_id, sizeof(remote_id));
	return 0;
}

int tunnel_name_check(const char *name, struct errmsg *err)
{
	static const char name_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					 "0123456789_.-";
	size_t n = strlen(name);

	if (n > 0 && n <= TUNNEL_NAME_MAX && strspn(name, name_chars) == n)
		return 0;
	errmsg_set(err, "invalid tunnel name \"%s\": 1 to %d of A-Z a-z 0-9 _ . -", name,
		   TUNNEL_NAME_MAX);
	return -EINVAL;
}

static int name_parse(char **words, int count, char *name, struct errmsg *err)
{
	if (count < 1)
		return need("a NAME", err);
	for (unsigned int i = 0; i < KW_COUNT; i++) {
		if (!strcmp(words[0], keywords[i].name)) {
			errmsg_set(err, "tunnel needs a NAME first, not the keyword \"%s\"", words[0]);
			return -EINVAL;
		}
	}
	if (tunnel_name_check(words[0], err) < 0)
		return -EINVAL;
	strcpy(name, words[0]);
	return 0;
}

static int words_parse(char **words, int count, struct words *w, struct errmsg *err)
{
	struct tunnel *t = &w->t;
	int ret;

	memset(w, 0, sizeof(*w));
	t->encap = NFSEC_MODE_TUNNEL;
	t->auto_mode = TUNNEL_AUTO_TRAP;
	t->ike_lifetime = DEFAULT_IKE_LIFETIME;
	t->lifetime = DEFAULT_LIFETIME;
	t->rekey_margin = DEFAULT_REKEY_MARGIN;
	t->dpd_timeout = DEFAULT_DPD_TIMEOUT;
	t->nat_keepalive = DEFAULT_NAT_KEEPALIVE;

	ret = name_parse(words, count, t->name, err);
	if (!ret)
		ret = keywords_parse("tunnel", keywords, KW_COUNT, KW(KW_COUNT) - 1, count - 1,
				     words + 1, w, &w->seen, err);
	if (!ret)
		ret = tunnel_finish(w, err);
	return ret;
}

int tunnel_parse(char **words, int count, struct tunnel *t, char *err, size_t errlen)
{
	struct errmsg e = { "" };
	struct words w;
	int ret = words_parse(words, count, &w, &e);

	if (ret == 0)
		memcpy(t, &w.t, sizeof(*t));
	else if (errlen)
		snprintf(err, errlen, "%s", e.text);
	explicit_bzero(&w, sizeof(w));
	return ret < 0 ? -EINVAL : 0;
}

/* --- lines into words ----------------------------------------------------------------- */

static const char blanks[] = TUNNEL_BLANKS;

int tunnel_words_split(struct tunnel_words *s, const char *line, bool *continued,
		       struct errmsg *err)
{
	const char *p = line;

	*continued = false;
	for (;;) {
		bool quoted = false;

		p += strspn(p, blanks);
		if (!*p || *p == '#')
			return 0;
		if (p[0] == '\\' && !p[1]) {
			*continued = true;
			return 0;
		}
		if (s->n == TUNNEL_WORDS_MAX) {
			errmsg_set(err, "more than %d words", TUNNEL_WORDS_MAX);
			return -EINVAL;
		}
		s->words[s->n++] = s->text + s->used;
		for (; *p && (quoted || !strchr(blanks, *p)); p++) {
			if (*p == '"') {
				quoted = !quoted;
				continue;
			}
			if (!quoted && p[0] == '\\' && !p[1]) {
				*continued = true;
				continue;
			}
			if (s->used + 1 >= sizeof(s->text)) {
				errmsg_set(err, "a tunnel longer than %d bytes", TUNNEL_LINE_MAX);
				return -EINVAL;
			}
			s->text[s->used++] = *p;
		}
		if (quoted) {
			errmsg_set(err, "a double quote left open");
			return -EINVAL;
		}
		if (s->used >= sizeof(s->text)) {
			errmsg_set(err, "a tunnel longer than %d bytes", TUNNEL_LINE_MAX);
			return -EINVAL;
		}
		s->text[s->used++] = '\0';
	}
}

int tunnel_deserialize(const char *text, struct tunnel *t, char *err, size_t errlen)
{
	struct tunnel_words *s = calloc(1, sizeof(*s));
	struct errmsg e = { "" };
	bool continued = false;
	int ret;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (strchr(text, '\n') || strchr(text, '\r')) {
		errmsg_set(&e, "a line break in the text");
		ret = -EINVAL;
	} else {
		ret = tunnel_words_split(s, text, &continued, &e);
		if (!ret && continued) {
			errmsg_set(&e, "a backslash ends the text");
			ret = -EINVAL;
		}
	}
	if (ret < 0)
		snprintf(err, errlen, "%s", e.text);
	else
		ret = tunnel_parse(s->words, s->n, t, err, errlen);
	explicit_bzero(s, sizeof(*s));
	free(s);
	return ret;
}

/* --- the words back --------------------------------------------------------------------- */


/* " KEY VALUE", the value quoted if tunnel_words_split() would not keep it one word else. */
static void put_kv(struct strbuf *o, const char *key, const char *value)
{
	size_t n = strlen(value);
	bool quote = n == 0 || strpbrk(value, blanks) || value[0] == '#' ||
		     value[n - 1] == '\\';

	strbuf_put(o, quote ? " %s \"%s\"" : " %s %s", key, value);
}

static void id_format(char *buf, size_t len, const struct tunnel_id *id)
{
	switch (id->type) {
	case TUNNEL_ID_IPV4_ADDR:
		addr_format(buf, AF_INET, id->data);
		return;
	case TUNNEL_ID_IPV6_ADDR:
		addr_format(buf, AF_INET6, id->data);
		return;
	case TUNNEL_ID_FQDN:
		snprintf(buf, len, "fqdn:%s", (const char *)id->data);
		return;
	case TUNNEL_ID_USER_FQDN:
		snprintf(buf, len, "email:%s", (const char *)id->data);
		return;
	case TUNNEL_ID_DER_ASN1_DN:
		snprintf(buf, len, "dn:%s", (const char *)id->data);
		return;
	case TUNNEL_ID_KEY_ID:
		keyid_format(buf, len, id->data, id->len);
		return;
	default:
		snprintf(buf, len, "%%any");
	}
}

static void ts_list_put(struct strbuf *o, const char *key, const struct tunnel_ts *ts,
			unsigned int count)
{
	char text[PREFIX_TEXT_LEN + 16];

	strbuf_put(o, " %s ", key);
	for (unsigned int i = 0; i < count; i++) {
		tunnel_ts_format(text, sizeof(text), &ts[i]);
		strbuf_put(o, "%s%s", i ? "," : "", text);
	}
}

static void secret_put(struct strbuf *o, const struct tunnel *t, bool secret)
{
	char path[TUNNEL_PATH_MAX + 8];

	if (t->psk_file[0]) {
		snprintf(path, sizeof(path), "file:%s", t->psk_file);
		put_kv(o, "psk", path);
	} else if (!secret) {
		strbuf_put(o, " psk %s", hidden);
	} else {
		strbuf_put(o, " psk 0x");
		strbuf_put_hex(o, t->psk, t->psk_len);
	}
}

static void auth_put(struct strbuf *o, const struct tunnel *t, bool secret)
{
	strbuf_put(o, " auth %s", auth_names[t->auth == TUNNEL_AUTH_CERT ? t->auth : TUNNEL_AUTH_PSK]);
	if (t->auth == TUNNEL_AUTH_CERT) {
		put_kv(o, "cert", t->cert);
		put_kv(o, "key", t->key);
		put_kv(o, "ca", t->ca);
	} else {
		secret_put(o, t, secret);
	}
}

static void ids_put(struct strbuf *o, const struct tunnel *t)
{
	char text[TUNNEL_ID_MAX * 2 + 16];
	struct tunnel_id local, remote;

	ids_default(t, &local, &remote);
	if (memcmp(&local, &t->local_id, sizeof(local))) {
		id_format(text, sizeof(text), &t->local_id);
		put_kv(o, "local-id", text);
	}
	if (memcmp(&remote, &t->remote_id, sizeof(remote))) {
		id_format(text, sizeof(text), &t->remote_id);
		put_kv(o, "remote-id", text);
	}
}

/* ike, esp and pfs: the PFS group once, not in each esp proposal. */
static int proposals_put(struct strbuf *o, const struct tunnel *t)
{
	char text[PROPOSALS_MAX * (PROPOSAL_TEXT_MAX + 1)];
	struct esp_proposals esp = t->esp;

	if (proposal_ike_format(&t->ike, text, sizeof(text)) < 0)
		return -EINVAL;
	strbuf_put(o, " ike %s", text);
	for (unsigned int i = 0; i < esp.count; i++)
		esp.p[i].group = 0;
	if (proposal_esp_format(&esp, text, sizeof(text)) < 0)
		return -EINVAL;
	strbuf_put(o, " esp %s", text);
	if (t->pfs)
		strbuf_put(o, " pfs %s", proposal_group_name(t->pfs));
	return 0;
}

static void lifetimes_put(struct strbuf *o, const struct tunnel *t)
{
	char text[24];

	duration_format(text, sizeof(text), t->ike_lifetime);
	strbuf_put(o, " ike-lifetime %s", text);
	duration_format(text, sizeof(text), t->lifetime);
	strbuf_put(o, " lifetime %s", text);
	if (t->lifebytes) {
		size_format(text, sizeof(text), t->lifebytes);
		strbuf_put(o, " lifebytes %s", text);
	}
	duration_format(text, sizeof(text), t->rekey_margin);
	strbuf_put(o, " rekey-margin %s", text);
}

/* Dead peer detection, when it is on. */
static void dpd_put(struct strbuf *o, const struct tunnel *t)
{
	char text[24];

	if (!t->dpd)
		return;
	duration_format(text, sizeof(text), t->dpd);
	strbuf_put(o, " dpd %s", text);
	duration_format(text, sizeof(text), t->dpd_timeout);
	strbuf_put(o, " dpd-timeout %s dpd-mode %s dpd-action %s", text,
		   dpd_mode_names[t->dpd_periodic], tunnel_dpd_action_name(t->dpd_action));
}

const char *tunnel_dpd_action_name(unsigned int action)
{
	return action < ARRAY_SIZE(dpd_action_names) ? dpd_action_names[action] : "?";
}

/* NAT traversal, when it differs from the defaults. */
static void nat_put(struct strbuf *o, const struct tunnel *t)
{
	char text[24];

	if (t->nat_t != TUNNEL_NAT_T_YES)
		strbuf_put(o, " nat-t %s", t->nat_t < ARRAY_SIZE(nat_t_names) ?
			   nat_t_names[t->nat_t] : "?");
	if (t->nat_keepalive == DEFAULT_NAT_KEEPALIVE)
		return;
	duration_format(text, sizeof(text), t->nat_keepalive);
	strbuf_put(o, " nat-keepalive %s", text);
}

static int format(const struct tunnel *t, bool secret, char *buf, size_t len)
{
	struct strbuf o = STRBUF(buf, len);
	char local[ADDR_TEXT_LEN], remote[ADDR_TEXT_LEN];

	if (len)
		buf[0] = '\0';
	addr_format(local, t->local.family, t->local.addr);
	if (t->remote_any)
		strcpy(remote, "%any");
	else
		addr_format(remote, t->remote.family, t->remote.addr);
	strbuf_put(&o, "%s local %s remote %s", t->name, local, remote);
	ts_list_put(&o, "local-ts", t->local_ts, t->local_ts_count);
	if (!t->remote_ts_peer)
		ts_list_put(&o, "remote-ts", t->remote_ts, t->remote_ts_count);
	auth_put(&o, t, secret);
	ids_put(&o, t);
	if (proposals_put(&o, t) < 0)
		return -EINVAL;
	strbuf_put(&o, " mode %s encap %s", exchange_names[t->aggressive], mode_name(t->encap));
	lifetimes_put(&o, t);
	strbuf_put(&o, " auto %s", t->auto_mode < ARRAY_SIZE(auto_names) ? auto_names[t->auto_mode] :
		"?");
	if (t->weak_groups)
		strbuf_put(&o, " weak-groups yes");
	if (t->allow_sha1)
		strbuf_put(&o, " allow-sha1 yes");
	if (t->reqid)
		strbuf_put(&o, " reqid %" PRIu32, t->reqid);
	dpd_put(&o, t);
	nat_put(&o, t);
	return strbuf_end(&o);
}

int tunnel_format(const struct tunnel *t, char *buf, size_t len)
{
	return format(t, false, buf, len);
}

int tunnel_serialize(const struct tunnel *t, char *buf, size_t len)
{
	return format(t, true, buf, len);
}

uint64_t tunnel_lifebytes_kb(const struct tunnel *t)
{
	return t->lifebytes / 1024 + (t->lifebytes % 1024 != 0);
}

void tunnel_wipe(struct tunnel *t)
{
	explicit_bzero(t, sizeof(*t));
}
