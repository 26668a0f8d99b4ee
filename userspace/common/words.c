// SPDX-License-Identifier: GPL-2.0
/*
 * The words and the printing that policies, SAs and tunnels share. Addresses are parsed
 * with inet_pton() alone: no names, no scope ids.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "words.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

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

const char proto_needs[] = "one of tcp, udp, sctp, icmp, icmpv6, esp, ah, any or a number "
			   "0..255";
const char prefix_needs[] = "a prefix, ADDR[/LEN] or any";
const char ports_needs[] = "a port or a range PORT-PORT";
const char addr_needs[] = "an address";

const struct proto *proto_find(uint8_t number)
{
	for (size_t i = 0; i < ARRAY_SIZE(protos); i++)
		if (protos[i].number == number)
			return &protos[i];
	return NULL;
}

int proto_parse(const char *word, uint8_t *number)
{
	struct errmsg ignored;
	uint32_t n;

	for (size_t i = 0; i < ARRAY_SIZE(protos); i++) {
		if (word_is(word, protos[i].name)) {
			*number = protos[i].number;
			return 0;
		}
	}
	if (parse_u32("proto", word, 0, UINT8_MAX, &n, &ignored) < 0)
		return -EINVAL;
	*number = (uint8_t)n;
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
	unsigned int n = 0, value = 0;

	for (; word[n] >= '0' && word[n] <= '9'; n++) {
		if (n == 3)
			return false;
		value = value * 10 + (unsigned int)(word[n] - '0');
	}
	if (n == 0 || word[n])
		return false;
	*len = value;
	return value <= bits;
}

/*
 * The n characters at word as an IPv4 address in dotted decimal, four numbers 0..255
 * without leading zeros, into addr: what inet_pton(AF_INET) takes, read without copying
 * the word and without the call, as most addresses given are IPv4. false for anything
 * else, which inet_pton() then reads.
 */
static bool addr_pton4(const char *word, size_t n, uint8_t *addr)
{
	unsigned int parts = 0, value = 0, digits = 0;

	for (size_t i = 0; i < n; i++) {
		char c = word[i];

		if (c >= '0' && c <= '9') {
			if (digits == 1 && value == 0)
				return false;
			value = value * 10 + (unsigned int)(c - '0');
			if (value > 255)
				return false;
			digits++;
		} else if (c == '.' && digits && parts < 3) {
			addr[parts++] = (uint8_t)value;
			value = 0;
			digits = 0;
		} else {
			return false;
		}
	}
	if (parts != 3 || !digits)
		return false;
	addr[3] = (uint8_t)value;
	return true;
}

/* The first n characters of word as an address: its family, or 0. */
static uint16_t addr_pton(const char *word, size_t n, uint8_t *addr)
{
	char text[INET6_ADDRSTRLEN];

	memset(addr, 0, 16);
	if (addr_pton4(word, n, addr))
		return AF_INET;
	memset(addr, 0, 16);
	if (n >= sizeof(text))
		return 0;
	memcpy(text, word, n);
	text[n] = '\0';
	if (inet_pton(AF_INET, text, addr) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, text, addr) == 1)
		return AF_INET6;
	return 0;
}

int prefix_parse(const char *word, struct prefix *p, struct errmsg *err)
{
	const char *slash;
	unsigned int bits, len;
	size_t n = 0;

	while (word[n] && word[n] != '/')
		n++;
	slash = word[n] ? word + n : NULL;
	memset(p, 0, sizeof(*p));
	p->word = word;
	if (word_is(word, "any"))
		return 0;
	p->family = addr_pton(word, n, p->addr);
	if (!p->family)
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

int addr_parse(const char *what, const char *word, uint16_t *family, uint8_t *addr,
	       struct errmsg *err)
{
	uint8_t bytes[16];
	uint16_t f = addr_pton(word, strlen(word), bytes);

	if (!f) {
		errmsg_set(err, "invalid %s \"%s\": not an IPv4 or IPv6 address", what, word);
		return -EINVAL;
	}
	*family = f;
	memcpy(addr, bytes, sizeof(bytes));
	return 0;
}

int endpoint_parse(const char *what, const char *word, struct endpoint *e,
		   struct errmsg *err)
{
	e->word = word;
	return addr_parse(what, word, &e->family, e->addr, err);
}

/* "PORT" or "PORT-PORT" (inclusive) into range[0..1]; what names it in messages. */
static int port_range_parse(const char *what, const char *word, uint16_t *range,
			    struct errmsg *err)
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
	if (parse_u32(what, first, 0, UINT16_MAX, &lo, &ignored) < 0)
		goto err_invalid;
	hi = lo;
	if (dash && parse_u32(what, dash + 1, 0, UINT16_MAX, &hi, &ignored) < 0)
		goto err_invalid;
	if (lo > hi) {
		errmsg_set(err, "invalid %s \"%s\": %u is above %u", what, word, lo, hi);
		return -EINVAL;
	}
	range[0] = (uint16_t)lo;
	range[1] = (uint16_t)hi;
	return 0;

err_invalid:
	errmsg_set(err, "invalid %s \"%s\": not a port 0..65535 or a range PORT-PORT", what,
		   word);
	return -EINVAL;
}

/*
 * port_range_parse() for the port keyword what ("sport"), and *first set to what unless
 * an earlier port keyword is there already: the one a "needs proto" message names.
 */
static int ports_parse(const char *what, const char *word, uint16_t *range,
		       const char **first, struct errmsg *err)
{
	int ret = port_range_parse(what, word, range, err);

	if (!ret && !*first)
		*first = what;
	return ret;
}

const char *family_version(uint16_t family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

const char *family_name(uint16_t family)
{
	return family == AF_INET ? "inet" : "inet6";
}

void addr_format(char *buf, uint16_t family, const uint8_t *addr)
{
	if (!inet_ntop(family, addr, buf, ADDR_TEXT_LEN))
		strcpy(buf, "?");
}

void prefix_format(char *buf, uint16_t family, const uint8_t *addr, uint8_t len)
{
	char text[ADDR_TEXT_LEN];

	addr_format(text, family, addr);
	snprintf(buf, PREFIX_TEXT_LEN, "%s/%u", text, len);
}

static void ports_print(FILE *out, const char *pfx, const char *name, uint16_t min,
			uint16_t max)
{
	if (min == 0 && max == UINT16_MAX)
		return;
	if (min == max)
		fprintf(out, " %s%s %u", pfx, name, min);
	else
		fprintf(out, " %s%s %u-%u", pfx, name, min, max);
}

void selector_print(FILE *out, const char *pfx, const struct nfsec_selector *sel)
{
	char src[PREFIX_TEXT_LEN], dst[PREFIX_TEXT_LEN];
	const struct proto *proto = proto_find(sel->proto);

	prefix_format(src, sel->family, sel->src, sel->src_prefix);
	prefix_format(dst, sel->family, sel->dst, sel->dst_prefix);
	fprintf(out, " %ssrc %s %sdst %s", pfx, src, pfx, dst);
	if (sel->proto && proto)
		fprintf(out, " %sproto %s", pfx, proto->name);
	else if (sel->proto)
		fprintf(out, " %sproto %u", pfx, sel->proto);
	ports_print(out, pfx, "sport", sel->sport_min, sel->sport_max);
	ports_print(out, pfx, "dport", sel->dport_min, sel->dport_max);
}

static void ports_json(struct json *j, const char *key, uint16_t min, uint16_t max)
{
	json_array_begin(j, key);
	json_u64(j, NULL, min);
	json_u64(j, NULL, max);
	json_array_end(j);
}

void selector_json_members(struct json *j, const struct nfsec_selector *sel)
{
	char src[PREFIX_TEXT_LEN], dst[PREFIX_TEXT_LEN];

	prefix_format(src, sel->family, sel->src, sel->src_prefix);
	prefix_format(dst, sel->family, sel->dst, sel->dst_prefix);
	json_string(j, "family", family_name(sel->family));
	json_string(j, "src", src);
	json_string(j, "dst", dst);
	json_u64(j, "proto", sel->proto);
	ports_json(j, "sport", sel->sport_min, sel->sport_max);
	ports_json(j, "dport", sel->dport_min, sel->dport_max);
}

const char *const mode_names[NFSEC_MODE_MAX + 1] = {
	[NFSEC_MODE_TRANSPORT] = "transport",
	[NFSEC_MODE_TUNNEL]    = "tunnel",
};

const char mode_needs[] = "one of transport, tunnel";

const char *mode_name(unsigned int mode)
{
	return name_of(mode_names, ARRAY_SIZE(mode_names), mode);
}

/* --- keywords ------------------------------------------------------------------------- */

int name_lookup(const char *const *names, size_t n, const char *word)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && word_is(word, names[i]))
			return (int)i;
	return -1;
}

const char *name_of(const char *const *names, size_t n, unsigned int value)
{
	return value < n ? names[value] : "unknown";
}

const char *const policy_dir_names[NFSEC_POLICY_DIR_MAX + 1] = {
	[NFSEC_POLICY_DIR_OUT] = "out",
	[NFSEC_POLICY_DIR_IN]  = "in",
	[NFSEC_POLICY_DIR_FWD] = "fwd",
};

const char *policy_dir_name(unsigned int dir)
{
	return name_of(policy_dir_names, ARRAY_SIZE(policy_dir_names), dir);
}

int keyword_bad_value(const struct keyword *kw, const char *word, struct errmsg *err)
{
	errmsg_set(err, "\"%s\" needs %s, not \"%s\"", kw->name, kw->needs, word);
	return -EINVAL;
}

/* args[0] into the field of kw in model, as its kind says. */
static int keyword_store(const struct keyword *kw, char **args, void *model,
			 struct errmsg *err)
{
	void *field = keyword_field(kw, model);
	int i;

	switch (kw->kind) {
	case KEYWORD_FLAG:
		*(bool *)field = true;
		return 0;
	case KEYWORD_U32:
		return parse_u32(kw->name, args[0], (uint32_t)kw->min, (uint32_t)kw->max, field,
				 err);
	case KEYWORD_U64:
		return parse_u64(kw->name, args[0], kw->min, kw->max, field, err);
	case KEYWORD_NAME:
	case KEYWORD_BOOL:
		i = name_lookup(kw->names, kw->n_names, args[0]);
		if (i < 0)
			return keyword_bad_value(kw, args[0], err);
		if (kw->kind == KEYWORD_BOOL)
			*(bool *)field = i;
		else
			*(uint8_t *)field = (uint8_t)i;
		return 0;
	case KEYWORD_PROTO:
		if (proto_parse(args[0], field) < 0)
			return keyword_bad_value(kw, args[0], err);
		return 0;
	case KEYWORD_PREFIX:
		return prefix_parse(args[0], field, err);
	case KEYWORD_ENDPOINT:
		return endpoint_parse(kw->name, args[0], field, err);
	case KEYWORD_PORTS:
		return ports_parse(kw->name, args[0], field,
				   (const char **)((char *)model + kw->aux), err);
	case KEYWORD_WORD:
		*(const char **)field = args[0];
		return 0;
	case KEYWORD_CUSTOM:
		break;
	}
	return -EINVAL;
}

static const struct keyword *keyword_find(const struct keyword *table, unsigned int n,
					  const char *word)
{
	for (unsigned int id = 0; id < n; id++)
		if (word_is(word, table[id].name))
			return &table[id];
	return NULL;
}

/* How many values kw takes at argv[i + 1..]: its own, and an optional one if it is there. */
static int keyword_values(const struct keyword *kw, const struct keyword *table,
			  unsigned int n, int i, int argc, char **argv, struct errmsg *err)
{
	int count = (int)kw->values;

	if (argc - i - 1 < count) {
		errmsg_set(err, "\"%s\" needs %s", kw->name, kw->needs);
		return -EINVAL;
	}
	if (kw->optional && i + 1 + count < argc && !keyword_find(table, n, argv[i + 1 + count]))
		count++;
	return count;
}

int keywords_parse(const char *cmd, const struct keyword *table, unsigned int n,
		   unsigned int allowed, int argc, char **argv, void *model, unsigned int *seen,
		   struct errmsg *err)
{
	for (int i = 0; i < argc;) {
		const struct keyword *kw = keyword_find(table, n, argv[i]);
		unsigned int bit;
		int count, ret;

		if (!kw || !(allowed & KW(kw - table))) {
			errmsg_set(err, "unknown word \"%s\" in %s", argv[i], cmd);
			return -EINVAL;
		}
		bit = KW(kw - table);
		if (*seen & bit) {
			errmsg_set(err, "\"%s\" given twice", kw->name);
			return -EINVAL;
		}
		count = keyword_values(kw, table, n, i, argc, argv, err);
		if (count < 0)
			return count;
		ret = kw->kind == KEYWORD_CUSTOM ? kw->parse(kw, argv + i + 1, count, model, err) :
			keyword_store(kw, argv + i + 1, model, err);
		if (ret < 0)
			return ret;
		*seen |= bit;
		i += 1 + count;
	}
	return 0;
}
