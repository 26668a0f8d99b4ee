// SPDX-License-Identifier: GPL-2.0
/*
 * IKE and ESP proposals from strongSwan-style strings, and back. A proposal is read word
 * by word into the words of each kind (encryption, hash or integrity, group, ESN), then
 * expanded into every combination; proposal.h says what is accepted.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proposal.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The kinds of word in a proposal, in the order they are written. */
enum kind { K_ENC, K_HASH, K_GROUP, K_ESN, K_COUNT };

enum alg_flags {
	A_ALIAS = 1 << 0,	/* another spelling: never printed */
	A_AEAD = 1 << 1,
	A_WEAK = 1 << 2,	/* needs PROPOSAL_WEAK_GROUPS */
	A_SHA1 = 1 << 3,	/* needs PROPOSAL_SHA1 */
};

struct alg {
	const char *name;
	uint8_t kind;
	uint8_t flags;
	uint16_t id;		/* transform, hash, auth or group number; 1 for esn */
	uint16_t bits;		/* key length */
};

static const struct alg groups[] = {
	{ "modp2048", K_GROUP, 0, 14, 0 },
	{ "modp3072", K_GROUP, 0, 15, 0 },
	{ "modp4096", K_GROUP, 0, 16, 0 },
	{ "ecp256", K_GROUP, 0, 19, 0 },
	{ "ecp384", K_GROUP, 0, 20, 0 },
	{ "ecp521", K_GROUP, 0, 21, 0 },
	{ "curve25519", K_GROUP, 0, 31, 0 },
	{ "x25519", K_GROUP, A_ALIAS, 31, 0 },
	{ "modp768", K_GROUP, A_WEAK, 1, 0 },
	{ "modp1024", K_GROUP, A_WEAK, 2, 0 },
	{ "modp1536", K_GROUP, A_WEAK, 5, 0 },
};

static const struct alg ike_algs[] = {
	{ "aes128", K_ENC, 0, IKE_ENC_AES_CBC, 128 },
	{ "aes192", K_ENC, 0, IKE_ENC_AES_CBC, 192 },
	{ "aes256", K_ENC, 0, IKE_ENC_AES_CBC, 256 },
	{ "sha256", K_HASH, 0, IKE_HASH_SHA2_256, 0 },
	{ "sha384", K_HASH, 0, IKE_HASH_SHA2_384, 0 },
	{ "sha512", K_HASH, 0, IKE_HASH_SHA2_512, 0 },
	{ "sha1", K_HASH, A_SHA1, IKE_HASH_SHA1, 0 },
};

static const struct alg esp_algs[] = {
	{ "aes128gcm16", K_ENC, A_AEAD, ESP_AES_GCM_16, 128 },
	{ "aes192gcm16", K_ENC, A_AEAD, ESP_AES_GCM_16, 192 },
	{ "aes256gcm16", K_ENC, A_AEAD, ESP_AES_GCM_16, 256 },
	{ "aes128gcm", K_ENC, A_AEAD | A_ALIAS, ESP_AES_GCM_16, 128 },
	{ "aes192gcm", K_ENC, A_AEAD | A_ALIAS, ESP_AES_GCM_16, 192 },
	{ "aes256gcm", K_ENC, A_AEAD | A_ALIAS, ESP_AES_GCM_16, 256 },
	{ "chacha20poly1305", K_ENC, A_AEAD, ESP_CHACHA20_POLY1305, 256 },
	{ "aes128", K_ENC, 0, ESP_AES_CBC, 128 },
	{ "aes192", K_ENC, 0, ESP_AES_CBC, 192 },
	{ "aes256", K_ENC, 0, ESP_AES_CBC, 256 },
	{ "null", K_ENC, 0, ESP_NULL, 0 },
	{ "sha256", K_HASH, 0, ESP_AUTH_HMAC_SHA2_256, 0 },
	{ "sha384", K_HASH, 0, ESP_AUTH_HMAC_SHA2_384, 0 },
	{ "sha512", K_HASH, 0, ESP_AUTH_HMAC_SHA2_512, 0 },
	{ "sha1", K_HASH, A_SHA1, ESP_AUTH_HMAC_SHA1, 0 },
	{ "esn", K_ESN, 0, 1, 0 },
	{ "noesn", K_ESN, 0, 0, 0 },
};

struct protocol {
	const char *name;		/* "ike", "esp" */
	const struct alg *algs;
	size_t count;
	const char *kinds[K_COUNT];	/* for messages */
	const char *order;
};

static const struct protocol ike = {
	"ike", ike_algs, ARRAY_SIZE(ike_algs),
	{ "encryption algorithm", "hash", "DH group", "ESN word" },
	"ENC-HASH-GROUP",
};

static const struct protocol esp = {
	"esp", esp_algs, ARRAY_SIZE(esp_algs),
	{ "encryption algorithm", "integrity algorithm", "DH group", "ESN word" },
	"ENC[-INTEG][-GROUP][-esn]",
};

/* The words of one proposal, kind by kind, before they are combined. */
struct words {
	const struct protocol *proto;
	const char *text;		/* the proposal, for messages */
	unsigned int n[K_COUNT];
	const struct alg *w[K_COUNT][PROPOSALS_MAX];
};

static int fail(struct errmsg *err, const struct words *w, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "esp proposal \"TEXT\": " and what fmt says; -EINVAL. */
static int fail(struct errmsg *err, const struct words *w, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	errmsg_set(err, "%s proposal \"%s\": %s", w->proto->name, w->text, what);
	return -EINVAL;
}

static const struct alg *alg_find(const struct protocol *proto, const char *word)
{
	for (size_t i = 0; i < proto->count; i++)
		if (!strcmp(word, proto->algs[i].name))
			return &proto->algs[i];
	for (size_t i = 0; i < ARRAY_SIZE(groups); i++)
		if (!strcmp(word, groups[i].name))
			return &groups[i];
	return NULL;
}

/* The canonical word of that kind, id and key length; NULL if none. */
static const char *alg_name(const struct protocol *proto, enum kind kind, uint16_t id,
			    uint16_t bits)
{
	const struct alg *tables[] = { proto->algs, groups };
	size_t counts[] = { proto->count, ARRAY_SIZE(groups) };

	for (size_t t = 0; t < ARRAY_SIZE(tables); t++) {
		for (size_t i = 0; i < counts[t]; i++) {
			const struct alg *a = &tables[t][i];

			if (a->kind == kind && a->id == id && a->bits == bits &&
			    !(a->flags & A_ALIAS))
				return a->name;
		}
	}
	return NULL;
}

/* Whether the words so far need a word of kind k. */
static bool kind_needed(const struct words *w, enum kind k)
{
	if (w->n[k])
		return false;
	if (w->proto == &ike)
		return k != K_ESN;
	if (k == K_ENC)
		return true;
	return k == K_HASH && w->n[K_ENC] && !(w->w[K_ENC][0]->flags & A_AEAD);
}

/* An unknown word: named as the first kind still needed from where we are on. */
static int unknown_word(const struct words *w, enum kind at, const char *word,
			struct errmsg *err)
{
	for (unsigned int k = at; k < K_COUNT; k++)
		if (kind_needed(w, k))
			return fail(err, w, "unknown %s \"%s\"", w->proto->kinds[k], word);
	return fail(err, w, "unknown algorithm \"%s\"", word);
}

/* What the tunnel must allow for a: 0, or the message. */
static int alg_allowed(const struct words *w, const struct alg *a, unsigned int flags,
		       struct errmsg *err)
{
	if ((a->flags & A_WEAK) && !(flags & PROPOSAL_WEAK_GROUPS))
		return fail(err, w, "\"%s\" is a weak group: add \"weak-groups yes\" to allow it",
			    a->name);
	if ((a->flags & A_SHA1) && !(flags & PROPOSAL_SHA1))
		return fail(err, w, "\"%s\" is weak: add \"allow-sha1 yes\" to allow it", a->name);
	return 0;
}

/* a after the words of its kind so far. */
static int word_add(struct words *w, const struct alg *a, struct errmsg *err)
{
	unsigned int *n = &w->n[a->kind];
	const struct alg *first = w->w[a->kind][0];

	for (unsigned int i = 0; i < *n; i++) {
		const struct alg *b = w->w[a->kind][i];

		if (b->id == a->id && b->bits == a->bits)
			return fail(err, w, "\"%s\" given twice", a->name);
	}
	if (a->kind == K_ENC && *n && (first->flags & A_AEAD) != (a->flags & A_AEAD))
		return fail(err, w, "\"%s\" and \"%s\" cannot be combined: one is an AEAD",
			    first->name, a->name);
	if (*n == PROPOSALS_MAX)
		return fail(err, w, "more than %d %ss", PROPOSALS_MAX, w->proto->kinds[a->kind]);
	w->w[a->kind][(*n)++] = a;
	return 0;
}

/* The words are all there and fit together. */
static int words_check(const struct words *w, struct errmsg *err)
{
	const struct alg *enc = w->w[K_ENC][0];

	if (!w->n[K_ENC])
		return fail(err, w, "no encryption algorithm");
	if (w->proto == &ike) {
		if (!w->n[K_HASH])
			return fail(err, w, "no hash");
		if (!w->n[K_GROUP])
			return fail(err, w, "no DH group (IKE proposals need one)");
		return 0;
	}
	if ((enc->flags & A_AEAD) && w->n[K_HASH])
		return fail(err, w, "AEAD \"%s\" takes no integrity algorithm, not \"%s\"",
			    enc->name, w->w[K_HASH][0]->name);
	if (!(enc->flags & A_AEAD) && !w->n[K_HASH])
		return fail(err, w, "\"%s\" needs an integrity algorithm (sha256, sha384 or sha512)",
			    enc->name);
	return 0;
}

/* One proposal, text, into *w. */
static int words_parse(const struct protocol *proto, const char *text, unsigned int flags,
		       struct words *w, struct errmsg *err)
{
	char buf[PROPOSAL_TEXT_MAX + 1];
	unsigned int at = K_ENC;
	char *word, *next;
	int ret;

	memset(w, 0, sizeof(*w));
	w->proto = proto;
	w->text = text;
	if (strlen(text) > PROPOSAL_TEXT_MAX)
		return fail(err, w, "longer than %d bytes", PROPOSAL_TEXT_MAX);
	strcpy(buf, text);

	for (word = buf; word; word = next) {
		const struct alg *a;

		next = strchr(word, '-');
		if (next)
			*next++ = '\0';
		if (!*word)
			return fail(err, w, "an empty algorithm");
		a = alg_find(proto, word);
		if (!a)
			return unknown_word(w, at, word, err);
		if (a->kind < at)
			return fail(err, w, "\"%s\" out of place: the order is %s", a->name,
				    proto->order);
		at = a->kind;
		ret = alg_allowed(w, a, flags, err);
		if (!ret)
			ret = word_add(w, a, err);
		if (ret < 0)
			return ret;
	}
	return words_check(w, err);
}

/* How many proposals w stands for: every combination, a kind without words once. */
static unsigned int words_combinations(const struct words *w)
{
	unsigned int n = 1;

	for (unsigned int k = 0; k < K_COUNT; k++)
		n *= w->n[k] ? w->n[k] : 1;
	return n;
}

/* The alg of kind k in combination i (mixed radix, the last kind fastest); NULL if none. */
static const struct alg *combination_alg(const struct words *w, unsigned int i, enum kind k)
{
	for (unsigned int j = K_COUNT - 1; j > k; j--)
		i /= w->n[j] ? w->n[j] : 1;
	return w->n[k] ? w->w[k][i % w->n[k]] : NULL;
}

static void ike_expand(const struct words *w, struct ike_proposals *list)
{
	for (unsigned int i = 0; i < words_combinations(w); i++) {
		struct ike_proposal *p = &list->p[list->count++];
		const struct alg *enc = combination_alg(w, i, K_ENC);

		p->enc = enc->id;
		p->enc_bits = enc->bits;
		p->hash = combination_alg(w, i, K_HASH)->id;
		p->group = combination_alg(w, i, K_GROUP)->id;
	}
}

static void esp_expand(const struct words *w, struct esp_proposals *list)
{
	for (unsigned int i = 0; i < words_combinations(w); i++) {
		struct esp_proposal *p = &list->p[list->count++];
		const struct alg *enc = combination_alg(w, i, K_ENC);
		const struct alg *auth = combination_alg(w, i, K_HASH);
		const struct alg *group = combination_alg(w, i, K_GROUP);
		const struct alg *esn = combination_alg(w, i, K_ESN);

		p->transform = enc->id;
		p->enc_bits = enc->bits;
		p->auth = auth ? auth->id : ESP_AUTH_NONE;
		p->group = group ? group->id : 0;
		p->esn = esn && esn->id;
	}
}

/*
 * Each proposal of the comma-separated text through words_parse(), then add() with its
 * words; -EINVAL at the first that fails, or at the one that makes too many.
 */
static int list_parse(const struct protocol *proto, const char *text, unsigned int flags,
		      int (*add)(const struct words *w, void *list, struct errmsg *err),
		      void *list, struct errmsg *err)
{
	const char *start = text;
	unsigned int total = 0;

	if (!*text) {
		errmsg_set(err, "%s proposals: none given", proto->name);
		return -EINVAL;
	}
	for (;;) {
		const char *comma = strchr(start, ',');
		size_t n = comma ? (size_t)(comma - start) : strlen(start);
		char one[PROPOSAL_TEXT_MAX + 2];
		struct words w;
		int ret;

		if (n == 0) {
			errmsg_set(err, "%s proposals \"%s\": an empty proposal", proto->name, text);
			return -EINVAL;
		}
		/* one byte more than allowed is enough for words_parse() to say it is too long */
		if (n > PROPOSAL_TEXT_MAX + 1)
			n = PROPOSAL_TEXT_MAX + 1;
		memcpy(one, start, n);
		one[n] = '\0';
		ret = words_parse(proto, one, flags, &w, err);
		if (ret < 0)
			return ret;
		total += words_combinations(&w);
		if (total > PROPOSALS_MAX) {
			errmsg_set(err, "%s proposals: more than %d with \"%s\"", proto->name,
				   PROPOSALS_MAX, one);
			return -EINVAL;
		}
		ret = add(&w, list, err);
		if (ret < 0)
			return ret;
		if (!comma)
			return 0;
		start = comma + 1;
	}
}

static int ike_add(const struct words *w, void *list, struct errmsg *err)
{
	(void)err;
	ike_expand(w, list);
	return 0;
}

int proposal_ike_parse(const char *text, unsigned int flags, struct ike_proposals *list,
		       struct errmsg *err)
{
	struct ike_proposals l;
	int ret;

	memset(&l, 0, sizeof(l));	/* padding too: lists are compared with memcmp() */
	ret = list_parse(&ike, text, flags, ike_add, &l, err);
	if (ret == 0)
		memcpy(list, &l, sizeof(l));
	return ret;
}

struct esp_pfs {
	struct esp_proposals list;
	int pfs;
};

static int esp_add(const struct words *w, void *list, struct errmsg *err)
{
	struct esp_pfs *e = list;

	if (e->pfs == PROPOSAL_PFS_NO && w->n[K_GROUP])
		return fail(err, w, "PFS group \"%s\", but \"pfs no\"", w->w[K_GROUP][0]->name);
	esp_expand(w, &e->list);
	return 0;
}

static const char *group_or_none(uint16_t group)
{
	const char *name = proposal_group_name(group);

	return group ? (name ? name : "?") : "none";
}

/* "pfs GROUP" filled in; then one group for every proposal, or none for all. */
static int esp_pfs_apply(struct esp_proposals *list, int pfs, struct errmsg *err)
{
	for (unsigned int i = 0; i < list->count; i++)
		if (pfs > 0 && !list->p[i].group)
			list->p[i].group = (uint16_t)pfs;
	for (unsigned int i = 1; i < list->count; i++) {
		if (list->p[i].group != list->p[0].group) {
			errmsg_set(err, "esp proposals differ in PFS group (%s, %s): Quick Mode sends "
				   "one key exchange for all of them", group_or_none(list->p[0].group),
				   group_or_none(list->p[i].group));
			return -EINVAL;
		}
	}
	return 0;
}

int proposal_esp_parse(const char *text, unsigned int flags, int pfs,
		       struct esp_proposals *list, struct errmsg *err)
{
	struct esp_pfs e;
	int ret;

	memset(&e, 0, sizeof(e));
	e.pfs = pfs;
	ret = list_parse(&esp, text, flags, esp_add, &e, err);
	if (ret == 0)
		ret = esp_pfs_apply(&e.list, pfs, err);
	if (ret == 0)
		memcpy(list, &e.list, sizeof(e.list));
	return ret;
}

int proposal_group_parse(const char *what, const char *word, unsigned int flags,
			 uint16_t *group, struct errmsg *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(groups); i++) {
		if (strcmp(word, groups[i].name))
			continue;
		if ((groups[i].flags & A_WEAK) && !(flags & PROPOSAL_WEAK_GROUPS)) {
			errmsg_set(err, "%s: \"%s\" is a weak group: add \"weak-groups yes\" to "
				   "allow it", what, word);
			return -EINVAL;
		}
		*group = groups[i].id;
		return 0;
	}
	errmsg_set(err, "%s: unknown DH group \"%s\"", what, word);
	return -EINVAL;
}

const char *proposal_group_name(uint16_t group)
{
	return alg_name(&ike, K_GROUP, group, 0);
}

/* Text appended to a buffer; full once it does not fit. */

int proposal_ike_format(const struct ike_proposals *list, char *buf, size_t len)
{
	struct strbuf o = STRBUF(buf, len);

	if (len)
		buf[0] = '\0';
	for (unsigned int i = 0; i < list->count; i++) {
		const struct ike_proposal *p = &list->p[i];
		const char *enc = alg_name(&ike, K_ENC, p->enc, p->enc_bits);
		const char *hash = alg_name(&ike, K_HASH, p->hash, 0);
		const char *group = alg_name(&ike, K_GROUP, p->group, 0);

		if (!enc || !hash || !group)
			return -EINVAL;
		strbuf_put(&o, "%s%s-%s-%s", i ? "," : "", enc, hash, group);
	}
	return strbuf_end(&o);
}

int proposal_esp_format(const struct esp_proposals *list, char *buf, size_t len)
{
	struct strbuf o = STRBUF(buf, len);

	if (len)
		buf[0] = '\0';
	for (unsigned int i = 0; i < list->count; i++) {
		const struct esp_proposal *p = &list->p[i];
		const char *enc = alg_name(&esp, K_ENC, p->transform, p->enc_bits);
		const char *auth = alg_name(&esp, K_HASH, p->auth, 0);
		const char *group = alg_name(&esp, K_GROUP, p->group, 0);

		if (!enc || (p->auth && !auth) || (p->group && !group))
			return -EINVAL;
		strbuf_put(&o, "%s%s", i ? "," : "", enc);
		if (p->auth)
			strbuf_put(&o, "-%s", auth);
		if (p->group)
			strbuf_put(&o, "-%s", group);
		if (p->esn)
			strbuf_put(&o, "-esn");
	}
	return strbuf_end(&o);
}

static int esp_auth_kernel(uint16_t auth, struct esp_kernel_algs *k)
{
	static const struct {
		uint16_t auth;
		const char *name;
		unsigned int key_bytes, icv_bits;
	} auths[] = {
		{ ESP_AUTH_HMAC_SHA1, "sha1", 20, 96 },
		{ ESP_AUTH_HMAC_SHA2_256, "sha256", 32, 128 },
		{ ESP_AUTH_HMAC_SHA2_384, "sha384", 48, 192 },
		{ ESP_AUTH_HMAC_SHA2_512, "sha512", 64, 256 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(auths); i++) {
		if (auths[i].auth == auth) {
			k->auth = auths[i].name;
			k->auth_key_bytes = auths[i].key_bytes;
			k->icv_bits = auths[i].icv_bits;
			return 0;
		}
	}
	return -EINVAL;
}

static bool aes_bits(uint16_t bits)
{
	return bits == 128 || bits == 192 || bits == 256;
}

int proposal_esp_kernel(const struct esp_proposal *p, struct esp_kernel_algs *k)
{
	enum { SALT_BYTES = 4, AEAD_ICV_BITS = 128 };

	memset(k, 0, sizeof(*k));
	switch (p->transform) {
	case ESP_AES_GCM_16:
	case ESP_CHACHA20_POLY1305:
		if (p->auth != ESP_AUTH_NONE)
			return -EINVAL;
		if (p->transform == ESP_AES_GCM_16 ? !aes_bits(p->enc_bits) : p->enc_bits != 256)
			return -EINVAL;
		k->aead = true;
		k->enc = p->transform == ESP_AES_GCM_16 ? "gcm-aes" : "chacha20-poly1305";
		k->enc_key_bytes = p->enc_bits / 8 + SALT_BYTES;
		k->icv_bits = AEAD_ICV_BITS;
		return 0;
	case ESP_AES_CBC:
		if (!aes_bits(p->enc_bits))
			return -EINVAL;
		k->enc = "aes-cbc";
		k->enc_key_bytes = p->enc_bits / 8;
		return esp_auth_kernel(p->auth, k);
	case ESP_NULL:
		if (p->enc_bits)
			return -EINVAL;
		k->enc = "null";
		return esp_auth_kernel(p->auth, k);
	default:
		return -EINVAL;
	}
}
