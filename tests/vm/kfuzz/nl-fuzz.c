// SPDX-License-Identifier: GPL-2.0
/*
 * nl-fuzz: random and mutated requests to the "nfsec" generic netlink family, for the
 * kernel input fuzz test (tests/vm/76-kernel-fuzz.sh). Runs as root in the namespace
 * whose nfsec it fuzzes.
 *
 *   nl-fuzz [--seed N] [--count N] [--check-every N]
 *
 * Each request starts from a valid one of a command, as userspace/lib builds them (every
 * command of include/uapi/linux/nfsec.h, the event-only ones and unknown numbers too),
 * and most take mutations: an attribute's type (its flags too), length, contents or
 * declared length changed; attributes dropped, doubled, added, moved into another nest
 * or out of theirs, nests made leaves and leaves nests; the header's command, version,
 * flags (NLM_F_DUMP on anything, NLM_F_ACK, NLM_F_REQUEST off, ...), type or length; the
 * datagram cut short, bits flipped, a second request behind the first. Every answer is
 * read, and must parse; so must the events of the family's group, which a second socket
 * has joined.
 *
 * The invariant: a request that could change state (SA or policy NEW, DEL or FLUSH)
 * and was refused with an error changed nothing. The SA and policy dumps, read on a
 * socket of their own, hash the same before and after. Left out of the hash is what
 * changes by itself: sequence numbers, counters and ages, and SAs with a hard lifetime
 * (which may expire in between). A dump pair costs about 3 ms on the test kernel, as
 * much as two requests, and most refusals would need two (before and after: an "after"
 * serves as the next "before" only when the next request is checked too), so one such
 * refusal in 4 is checked, chosen at random (--check-every N: one in N; 1: each). At the
 * end the family must still answer GET_VERSION.
 *
 * Prints one JSON line; on a violation names the request (in hex), and exits 1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/nfsec.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum {
	NODES = 128,		/* attributes of one request */
	KIDS = 24,		/* of one nest */
	DATA_MAX = 256,		/* bytes of one attribute */
	DEPTH_MAX = 8,		/* a mutation may make a nest its own descendant */
	REQ_MAX = 64 << 10,
	ANSWER_MAX = 1 << 20,
	KNOWN_MAX = 64,		/* policy indices and SA names remembered for DEL and GET */
	STATE_MAX = 200,	/* SAs or policies beyond which the table is flushed */
	ANSWER_SECONDS = 60,	/* for a clean request's answer, however slow the guest */
	RECV_BATCH = 16,	/* answers per recvmmsg() */
	RECV_MAX = 64 << 10,
	EVENTS_EVERY = 32,	/* requests between reads of the events socket */
};

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("nl-fuzz: ", stderr);
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

/* --- requests: a tree of attributes, then bytes ------------------------------------- */

struct node {
	uint16_t type;		/* as written: NLA_F_NESTED and all */
	bool nest;
	int16_t lie;		/* added to the length the header declares */
	uint16_t len;		/* a leaf's bytes */
	uint8_t nkids;
	uint8_t kids[KIDS];	/* a nest's attributes, by node number (one may come twice) */
	uint8_t data[DATA_MAX];
};

struct req {
	uint16_t type, flags;
	uint8_t cmd, version;
	uint16_t reserved;
	unsigned int n;		/* nodes; node 0 is the top level */
	struct node node[NODES];
};

enum { ROOT = 0 };

static uint16_t family_id, events_group;

static void req_init(struct req *r, uint8_t cmd)
{
	r->type = family_id;
	r->flags = NLM_F_REQUEST | NLM_F_ACK;
	r->cmd = cmd;
	r->version = NFSEC_GENL_VERSION;
	r->reserved = 0;
	r->n = 1;
	memset(&r->node[ROOT], 0, offsetof(struct node, data));
	r->node[ROOT].nest = true;
}

/* A new attribute in nest @parent; -1 when there is no room (or no parent). */
static int add(struct req *r, int parent, uint16_t type, bool nest, const void *data,
	       size_t len)
{
	struct node *p, *c;

	if (parent < 0 || r->n >= NODES || len > DATA_MAX)
		return -1;
	p = &r->node[parent];
	if (!p->nest || p->nkids >= KIDS)
		return -1;
	c = &r->node[r->n];
	memset(c, 0, offsetof(struct node, data));
	c->type = (uint16_t)(type | (nest ? NLA_F_NESTED : 0));
	c->nest = nest;
	c->len = (uint16_t)len;
	if (len)
		memcpy(c->data, data, len);
	p->kids[p->nkids++] = (uint8_t)r->n;
	return (int)r->n++;
}

static int add_nest(struct req *r, int parent, uint16_t type)
{
	return add(r, parent, type, true, NULL, 0);
}

static void add_u8(struct req *r, int parent, uint16_t type, uint8_t v)
{
	add(r, parent, type, false, &v, 1);
}

static void add_u16(struct req *r, int parent, uint16_t type, uint16_t v)
{
	add(r, parent, type, false, &v, 2);
}

static void add_u32(struct req *r, int parent, uint16_t type, uint32_t v)
{
	add(r, parent, type, false, &v, 4);
}

static void add_u64(struct req *r, int parent, uint16_t type, uint64_t v)
{
	add(r, parent, type, false, &v, 8);
}

static void add_str(struct req *r, int parent, uint16_t type, const char *s)
{
	add(r, parent, type, false, s, strlen(s) + 1);
}

/* Writes @n's attributes at @p (at most @room bytes); returns how many bytes. */
static size_t put_attrs(const struct req *r, const struct node *n, uint8_t *p, size_t room,
			int depth)
{
	size_t off = 0, len, pad;
	struct nlattr h;
	long declared;

	for (unsigned int i = 0; i < n->nkids && depth < DEPTH_MAX; i++) {
		const struct node *k = &r->node[n->kids[i]];

		if (off + NLA_HDRLEN > room)
			break;
		if (k->nest) {
			len = put_attrs(r, k, p + off + NLA_HDRLEN, room - off - NLA_HDRLEN,
					depth + 1);
		} else {
			len = k->len < room - off - NLA_HDRLEN ? k->len : room - off - NLA_HDRLEN;
			memcpy(p + off + NLA_HDRLEN, k->data, len);
		}
		declared = NLA_HDRLEN + (long)len + k->lie;
		h.nla_len = (uint16_t)(declared < 0 ? 0 : declared > 0xffff ? 0xffff : declared);
		h.nla_type = k->type;
		memcpy(p + off, &h, sizeof(h));
		off += NLA_HDRLEN + len;
		pad = NLA_ALIGN(off) - off;
		if (off + pad > room)
			break;
		memset(p + off, 0, pad);
		off += pad;
	}
	return off;
}

/* The request as one netlink message at @buf; returns its length. */
static size_t req_put(const struct req *r, uint8_t *buf, size_t room, uint32_t seq)
{
	struct nlmsghdr nh = { .nlmsg_type = r->type, .nlmsg_flags = r->flags, .nlmsg_seq = seq };
	struct genlmsghdr gh = { .cmd = r->cmd, .version = r->version, .reserved = r->reserved };
	size_t len = NLMSG_HDRLEN + GENL_HDRLEN;

	len += put_attrs(r, &r->node[ROOT], buf + len, room - len, 0);
	nh.nlmsg_len = (uint32_t)len;
	memcpy(buf, &nh, sizeof(nh));
	memcpy(buf + NLMSG_HDRLEN, &gh, sizeof(gh));
	return len;
}

/* --- sockets -------------------------------------------------------------------------- */

static int nl_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	struct timeval tv = { .tv_sec = ANSWER_SECONDS };
	int one = 1, size = 8 << 20;

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("generic netlink socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* Error messages with their extack: the kernel builds those too. */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	return fd;
}

/* Sends @buf to the kernel; 0, or the error sendto() gave (some byte strings earn one). */
static int nl_send(int fd, const uint8_t *buf, size_t len)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	if (sendto(fd, buf, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) >= 0)
		return 0;
	if (errno == EBADF || errno == ENOTSOCK || errno == EFAULT)
		die("sendto: %s", strerror(errno));
	return errno;
}

static uint8_t answer[ANSWER_MAX];

/* One datagram of answers, waited for; its length, 0 when none came in time. */
static size_t nl_recv(int fd, bool *overrun)
{
	ssize_t n;

	for (;;) {
		n = recv(fd, answer, sizeof(answer), MSG_TRUNC);
		if (n >= 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno == ENOBUFS) {	/* we read too slowly: answers were lost */
			*overrun = true;
			continue;
		}
		if (errno == EAGAIN)
			return 0;
		die("recv: %s", strerror(errno));
	}
	if ((size_t)n > sizeof(answer))
		die("an answer of %zd bytes", n);
	return (size_t)n;
}

/* --- reading answers ------------------------------------------------------------------ */

/*
 * The next attribute of [*@p, *@p + *@left) into *@a (its header in *@h), stepping past
 * it; false at the end, or where one does not fit.
 */
static bool attr_next(const uint8_t **p, size_t *left, const uint8_t **a, struct nlattr *h)
{
	size_t step;

	if (*left < NLA_HDRLEN)
		return false;
	memcpy(h, *p, sizeof(*h));
	if (h->nla_len < NLA_HDRLEN || h->nla_len > *left)
		return false;
	*a = *p;
	step = NLA_ALIGN((size_t)h->nla_len);
	if (step > *left)
		step = *left;
	*p += step;
	*left -= step;
	return true;
}

/* Attributes of [p, p + len): well-formed, nested ones (NLA_F_NESTED) to the bottom. */
static bool attrs_parse(const uint8_t *p, size_t len, int depth)
{
	const uint8_t *a;
	struct nlattr h;

	while (attr_next(&p, &len, &a, &h))
		if ((h.nla_type & NLA_F_NESTED) &&
		    (depth > DEPTH_MAX ||
		     !attrs_parse(a + NLA_HDRLEN, h.nla_len - NLA_HDRLEN, depth + 1)))
			return false;
	return !len;
}

/* Calls @fn for each message of an answer datagram; false if one does not parse. */
static bool answer_walk(const uint8_t *p, size_t len,
			void (*fn)(const struct nlmsghdr *, void *), void *arg)
{
	struct nlmsghdr nh;

	while (len >= NLMSG_HDRLEN) {
		memcpy(&nh, p, sizeof(nh));
		if (nh.nlmsg_len < NLMSG_HDRLEN || nh.nlmsg_len > len)
			return false;
		if (nh.nlmsg_type == NLMSG_ERROR && nh.nlmsg_len < NLMSG_HDRLEN + 4)
			return false;
		if (nh.nlmsg_type >= NLMSG_MIN_TYPE &&
		    (nh.nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN ||
		     !attrs_parse(p + NLMSG_HDRLEN + GENL_HDRLEN,
				  nh.nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, 0)))
			return false;
		fn((const struct nlmsghdr *)p, arg);
		if (NLMSG_ALIGN(nh.nlmsg_len) >= len)
			return true;
		p += NLMSG_ALIGN(nh.nlmsg_len);
		len -= NLMSG_ALIGN(nh.nlmsg_len);
	}
	return !len;
}

static int nlmsg_error(const struct nlmsghdr *nh)
{
	int err;

	memcpy(&err, (const uint8_t *)nh + NLMSG_HDRLEN, sizeof(err));
	return err;
}

/* The attribute of @type in [p, p + len), or NULL. */
static const struct nlattr *attr_find(const uint8_t *p, size_t len, uint16_t type)
{
	const uint8_t *a;
	struct nlattr h;

	while (attr_next(&p, &len, &a, &h))
		if ((h.nla_type & NLA_TYPE_MASK) == type)
			return (const struct nlattr *)a;
	return NULL;
}

static const uint8_t *attr_data(const struct nlattr *a)
{
	return (const uint8_t *)a + NLA_HDRLEN;
}

static size_t attr_len(const struct nlattr *a)
{
	uint16_t l;

	memcpy(&l, a, sizeof(l));
	return l - NLA_HDRLEN;
}

static const uint8_t *genl_attrs(const struct nlmsghdr *nh, size_t *len)
{
	*len = nh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	return (const uint8_t *)nh + NLMSG_HDRLEN + GENL_HDRLEN;
}

/*
 * A clean exchange on @fd: @r sent, every answer to the end (DONE, or the ack) handed to
 * @fn. Returns the error the kernel answered with, 0 when none; *@intr: a dump part came
 * flagged NLM_F_DUMP_INTR.
 */
struct talk {
	void (*fn)(const struct nlmsghdr *, void *);
	void *arg;
	uint32_t seq;
	int err;
	bool done, intr;
};

static void talk_msg(const struct nlmsghdr *nh, void *arg)
{
	struct talk *t = arg;

	if (nh->nlmsg_seq != t->seq)
		return;
	if (nh->nlmsg_flags & NLM_F_DUMP_INTR)
		t->intr = true;
	if (nh->nlmsg_type == NLMSG_ERROR) {
		t->err = nlmsg_error(nh);
		t->done = true;
	} else if (nh->nlmsg_type == NLMSG_DONE) {
		t->done = true;
	} else if (t->fn) {
		t->fn(nh, t->arg);
	}
}

static int talk(int fd, struct req *r, void (*fn)(const struct nlmsghdr *, void *), void *arg,
		bool *intr)
{
	static uint8_t buf[REQ_MAX];
	static uint32_t seq = 1u << 31;
	struct talk t = { fn, arg, ++seq, 0, false, false };
	bool overrun = false;
	size_t len;

	if (nl_send(fd, buf, req_put(r, buf, sizeof(buf), t.seq)))
		die("sending a clean request: %s", strerror(errno));
	while (!t.done) {
		len = nl_recv(fd, &overrun);
		if (!len)
			die("no answer to a clean request within %d s", ANSWER_SECONDS);
		if (overrun)
			die("a clean exchange overran its socket");
		if (!answer_walk(answer, len, talk_msg, &t))
			die("an answer to a clean request does not parse");
	}
	if (intr)
		*intr = t.intr;
	return t.err;
}

/* --- the family ----------------------------------------------------------------------- */

static void family_msg(const struct nlmsghdr *nh, void *arg)
{
	const struct nlattr *id, *name, *groups;
	const uint8_t *p, *g;
	struct nlattr h;
	size_t len;

	(void)arg;
	p = genl_attrs(nh, &len);
	id = attr_find(p, len, CTRL_ATTR_FAMILY_ID);
	if (id && attr_len(id) >= 2)
		memcpy(&family_id, attr_data(id), 2);
	groups = attr_find(p, len, CTRL_ATTR_MCAST_GROUPS);
	if (!groups)
		return;
	p = attr_data(groups);
	len = attr_len(groups);
	while (attr_next(&p, &len, &g, &h)) {
		name = attr_find(g + NLA_HDRLEN, h.nla_len - NLA_HDRLEN, CTRL_ATTR_MCAST_GRP_NAME);
		id = attr_find(g + NLA_HDRLEN, h.nla_len - NLA_HDRLEN, CTRL_ATTR_MCAST_GRP_ID);
		if (name && id && attr_len(id) == 4 &&
		    !strncmp((const char *)attr_data(name), NFSEC_MCGRP_EVENTS, attr_len(name))) {
			uint32_t v;

			memcpy(&v, attr_data(id), 4);
			events_group = (uint16_t)v;
		}
	}
}

static void family_resolve(int fd)
{
	static struct req r;

	req_init(&r, CTRL_CMD_GETFAMILY);
	r.type = GENL_ID_CTRL;
	r.version = 2;
	add_str(&r, ROOT, CTRL_ATTR_FAMILY_NAME, NFSEC_GENL_NAME);
	if (talk(fd, &r, family_msg, NULL, NULL) || !family_id)
		die("no generic netlink family \"%s\": is nfsec loaded?", NFSEC_GENL_NAME);
}

/* --- the state: SA and policy dumps, hashed ------------------------------------------- */

/* What DEL and GET templates name: policies by index, SAs by SPI, family and destination. */
static struct {
	uint32_t index[KNOWN_MAX];
	unsigned int nindex;
	struct sa_name {
		uint32_t spi;
		uint16_t family;
		uint8_t dst[16];
		size_t dst_len;
	} sa[KNOWN_MAX];
	unsigned int nsa;
	unsigned int policies, sas;	/* in the last dumps */
} known;

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ull;
	return h;
}

/* An attribute's bytes (header too) into the hash, unless it changes by itself. */
static uint64_t hash_attr(uint64_t h, const uint8_t *a)
{
	uint16_t len;

	memcpy(&len, a, sizeof(len));
	return fnv(h, a, len);
}

static void policy_msg(const struct nlmsghdr *nh, void *arg)
{
	uint64_t *h = arg;
	const struct nlattr *pol, *idx;
	const uint8_t *p;
	size_t len;

	p = genl_attrs(nh, &len);
	pol = attr_find(p, len, NFSEC_A_POLICY);
	if (!pol)
		return;
	/* A policy changes only when someone changes it: all of it counts. */
	*h = hash_attr(*h, (const uint8_t *)pol);
	known.policies++;
	idx = attr_find(attr_data(pol), attr_len(pol), NFSEC_POLICY_A_INDEX);
	if (idx && attr_len(idx) == 4 && known.nindex < KNOWN_MAX)
		memcpy(&known.index[known.nindex++], attr_data(idx), 4);
}

/* An SA's lifetime limits; its counters and age move on their own. */
static uint64_t hash_lifetime(uint64_t h, const struct nlattr *lt, bool *hard)
{
	const uint8_t *p = attr_data(lt), *a;
	size_t left = attr_len(lt);
	struct nlattr ah;
	uint64_t v;

	while (attr_next(&p, &left, &a, &ah)) {
		switch (ah.nla_type & NLA_TYPE_MASK) {
		case NFSEC_LT_A_HARD_BYTES:
		case NFSEC_LT_A_HARD_PACKETS:
		case NFSEC_LT_A_HARD_SECONDS:
			if (ah.nla_len == NLA_HDRLEN + 8) {
				memcpy(&v, a + NLA_HDRLEN, 8);
				*hard |= v != 0;
			}
			/* fall through */
		case NFSEC_LT_A_SOFT_BYTES:
		case NFSEC_LT_A_SOFT_PACKETS:
		case NFSEC_LT_A_SOFT_SECONDS:
			h = hash_attr(h, a);
			break;
		default:
			break;
		}
	}
	return h;
}

static void sa_msg(const struct nlmsghdr *nh, void *arg)
{
	const struct nlattr *sa, *spi, *fam, *dst;
	uint64_t *h = arg, mine = 0xcbf29ce484222325ull;
	const uint8_t *p, *a;
	size_t len, left;
	struct nlattr ah;
	bool hard = false;

	p = genl_attrs(nh, &len);
	sa = attr_find(p, len, NFSEC_A_SA);
	if (!sa)
		return;
	known.sas++;
	p = attr_data(sa);
	left = attr_len(sa);
	while (attr_next(&p, &left, &a, &ah)) {
		switch (ah.nla_type & NLA_TYPE_MASK) {
		case NFSEC_SA_A_SEQ:
		case NFSEC_SA_A_PAD:
			break;
		case NFSEC_SA_A_LIFETIME:
			mine = hash_lifetime(mine, (const struct nlattr *)a, &hard);
			break;
		default:
			mine = hash_attr(mine, a);
			break;
		}
	}
	/* One with a hard lifetime may be gone any moment, refusal or not. */
	if (!hard)
		*h = fnv(*h, &mine, sizeof(mine));
	spi = attr_find(attr_data(sa), attr_len(sa), NFSEC_SA_A_SPI);
	fam = attr_find(attr_data(sa), attr_len(sa), NFSEC_SA_A_FAMILY);
	dst = attr_find(attr_data(sa), attr_len(sa), NFSEC_SA_A_DST);
	if (spi && fam && dst && attr_len(spi) == 4 && attr_len(fam) == 2 &&
	    attr_len(dst) <= 16 && known.nsa < KNOWN_MAX) {
		struct sa_name *n = &known.sa[known.nsa++];

		memcpy(&n->spi, attr_data(spi), 4);
		memcpy(&n->family, attr_data(fam), 2);
		n->dst_len = attr_len(dst);
		memcpy(n->dst, attr_data(dst), n->dst_len);
	}
}

static int clean_fd;
static uint64_t dumps;

/* Both dumps, hashed; read again while a part says the table changed under it. */
static uint64_t state_hash(void)
{
	static struct req r;
	uint64_t h;
	bool intr;
	int err;

	for (int tries = 0; tries < 20; tries++) {
		h = 0xcbf29ce484222325ull;
		known.nindex = known.nsa = known.policies = known.sas = 0;
		req_init(&r, NFSEC_CMD_POLICY_GET);
		r.flags = NLM_F_REQUEST | NLM_F_DUMP;
		err = talk(clean_fd, &r, policy_msg, &h, &intr);
		if (err)
			die("the policy dump failed: %s", strerror(-err));
		if (intr)
			continue;
		h = fnv(h, "|", 1);
		req_init(&r, NFSEC_CMD_SA_GET);
		r.flags = NLM_F_REQUEST | NLM_F_DUMP;
		err = talk(clean_fd, &r, sa_msg, &h, &intr);
		if (err)
			die("the SA dump failed: %s", strerror(-err));
		dumps += 2;
		if (!intr)
			return h;
	}
	die("the dumps kept being interrupted");
	return 0;
}

/* Housekeeping, not fuzzing: a table that grew large is emptied, on the clean socket. */
static void state_trim(void)
{
	static struct req r;

	if (known.sas > STATE_MAX) {
		req_init(&r, NFSEC_CMD_SA_FLUSH);
		if (talk(clean_fd, &r, NULL, NULL, NULL))
			die("SA flush refused");
	}
	if (known.policies > STATE_MAX) {
		req_init(&r, NFSEC_CMD_POLICY_FLUSH);
		if (talk(clean_fd, &r, NULL, NULL, NULL))
			die("policy flush refused");
	}
}

/* --- templates: a valid request of each command -------------------------------------- */

static const uint8_t addrs4[][4] = {
	{ 192, 0, 2, 1 }, { 192, 0, 2, 2 }, { 198, 51, 100, 7 }, { 10, 0, 1, 1 },
	{ 0, 0, 0, 0 }, { 255, 255, 255, 255 },
};
static const uint8_t addrs6[][16] = {
	{ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
	{ 0xfd, 0x01, [15] = 1 }, { 0 }, { 0xff, 0x02, [15] = 1 },
};

static int udp_fd, fuzz_fd, events_fd;

static void add_addr(struct req *r, int parent, uint16_t type, bool v6)
{
	if (v6)
		add(r, parent, type, false, addrs6[below(ARRAY_SIZE(addrs6))], 16);
	else
		add(r, parent, type, false, addrs4[below(ARRAY_SIZE(addrs4))], 4);
}

static void tmpl_selector(struct req *r, int parent, uint16_t type, bool v6)
{
	static const uint8_t protos[] = { 0, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP,
					  IPPROTO_ICMPV6, IPPROTO_ESP, IPPROTO_SCTP };
	int sel = add_nest(r, parent, type);
	uint16_t lo;
	uint8_t proto;

	add_u16(r, sel, NFSEC_SEL_A_FAMILY, v6 ? AF_INET6 : AF_INET);
	for (int dst = 0; dst < 2; dst++) {
		if (!chance(70))
			continue;
		add_addr(r, sel, dst ? NFSEC_SEL_A_DST : NFSEC_SEL_A_SRC, v6);
		if (chance(50))
			add_u8(r, sel, dst ? NFSEC_SEL_A_DST_PREFIX : NFSEC_SEL_A_SRC_PREFIX,
			       (uint8_t)below(v6 ? 129 : 33));
	}
	if (!chance(40))
		return;
	proto = protos[below(ARRAY_SIZE(protos))];
	add_u8(r, sel, NFSEC_SEL_A_PROTO, proto);
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP && proto != IPPROTO_SCTP)
		return;
	for (int d = 0; d < 2; d++) {
		if (!chance(50))
			continue;
		lo = (uint16_t)below(65536);
		add_u16(r, sel, d ? NFSEC_SEL_A_DPORT_MIN : NFSEC_SEL_A_SPORT_MIN, lo);
		add_u16(r, sel, d ? NFSEC_SEL_A_DPORT_MAX : NFSEC_SEL_A_SPORT_MAX,
			(uint16_t)(lo + below(65536 - lo)));
	}
}

static void tmpl_policy_new(struct req *r)
{
	int pol = add_nest(r, ROOT, NFSEC_A_POLICY), t;
	uint8_t action = below(10) < 6 ? NFSEC_POLICY_PROTECT : (uint8_t)(1 + below(2));
	bool v6 = below(2), o6;

	add_u8(r, pol, NFSEC_POLICY_A_DIR, (uint8_t)below(3));
	add_u8(r, pol, NFSEC_POLICY_A_ACTION, action);
	if (chance(70))
		add_u32(r, pol, NFSEC_POLICY_A_PRIORITY, below(4) ? below(300) : (uint32_t)rnd());
	tmpl_selector(r, pol, NFSEC_POLICY_A_SELECTOR, v6);
	if (action != NFSEC_POLICY_PROTECT || !chance(80))
		return;
	t = add_nest(r, pol, NFSEC_POLICY_A_TMPL);
	if (below(2)) {
		add_u8(r, t, NFSEC_TMPL_A_MODE, NFSEC_MODE_TUNNEL);
		o6 = chance(70) ? v6 : !v6;
		if (o6 != v6 || chance(50))
			add_u16(r, t, NFSEC_TMPL_A_FAMILY, o6 ? AF_INET6 : AF_INET);
		add_addr(r, t, NFSEC_TMPL_A_SRC, o6);
		add_addr(r, t, NFSEC_TMPL_A_DST, o6);
	} else {
		add_u8(r, t, NFSEC_TMPL_A_MODE, NFSEC_MODE_TRANSPORT);
	}
	if (chance(70))
		add_u32(r, t, NFSEC_TMPL_A_REQID, below(8));
}

/* DEL and GET: a policy that is there, mostly. */
static void tmpl_policy_index(struct req *r)
{
	int pol = add_nest(r, ROOT, NFSEC_A_POLICY);

	add_u32(r, pol, NFSEC_POLICY_A_INDEX,
		known.nindex && chance(80) ? known.index[below(known.nindex)] :
		below(4) ? 1 + below(1000) : (uint32_t)rnd());
}

static void tmpl_policy_flush(struct req *r)
{
	if (chance(50))
		add_u8(r, add_nest(r, ROOT, NFSEC_A_POLICY), NFSEC_POLICY_A_DIR, (uint8_t)below(3));
}

/* What names an SA: one that is there, mostly. */
static void tmpl_sa_id(struct req *r, int sa)
{
	const struct sa_name *n;
	bool v6 = below(2);

	if (known.nsa && chance(80)) {
		n = &known.sa[below(known.nsa)];
		add_u32(r, sa, NFSEC_SA_A_SPI, n->spi);
		add_u16(r, sa, NFSEC_SA_A_FAMILY, n->family);
		add(r, sa, NFSEC_SA_A_DST, false, n->dst, n->dst_len);
	} else {
		add_u32(r, sa, NFSEC_SA_A_SPI, below(10) ? 256 + below(100000) : below(256));
		add_u16(r, sa, NFSEC_SA_A_FAMILY, v6 ? AF_INET6 : AF_INET);
		add_addr(r, sa, NFSEC_SA_A_DST, v6);
	}
	if (chance(30))
		add_u8(r, sa, NFSEC_SA_A_PROTO, IPPROTO_ESP);
}

static void tmpl_alg(struct req *r, int sa, uint16_t type, const char *name, size_t key_len,
		     uint32_t icv_bits)
{
	int alg = add_nest(r, sa, type);
	uint8_t key[64];

	fill_random(key, key_len);
	add_str(r, alg, NFSEC_ALG_A_NAME, name);
	add(r, alg, NFSEC_ALG_A_KEY, false, key, key_len);
	if (icv_bits && chance(50))
		add_u32(r, alg, NFSEC_ALG_A_ICV_BITS, icv_bits);
}

/*
 * The algorithms nfsec takes (sad.c), now and then with a key or ICV that does not fit.
 * The hashes other than SHA-256 always get a key of the wrong length: each new
 * combination costs the crypto API's self-tests (about a second each on the test kernel)
 * and nfsec nothing new; they are refused before any allocation.
 */
static void tmpl_sa_algs(struct req *r, int sa)
{
	static const struct { const char *name; uint8_t key, icv; } auths[] = {
		{ "hmac(sha256)", 32, 16 }, { "hmac(sha384)", 47, 24 },
		{ "hmac(sha512)", 65, 32 }, { "hmac(sha1)", 21, 12 },
	};
	unsigned int a = below(4) ? 0 : below(ARRAY_SIZE(auths)), gcm = below(3);
	int off = chance(10) ? (int)below(9) - 4 : 0;

	switch (below(5)) {
	case 0:
		tmpl_alg(r, sa, NFSEC_SA_A_AEAD, "rfc4106(gcm(aes))", 20 + 8 * gcm + off,
			 (uint32_t)(64 + 32 * below(3)));
		break;
	case 1:
		tmpl_alg(r, sa, NFSEC_SA_A_AEAD, "rfc7539esp(chacha20,poly1305)", 36 + off, 128);
		break;
	case 2:
	case 3:
		tmpl_alg(r, sa, NFSEC_SA_A_ENC, "cbc(aes)", 16 + 8 * gcm + off, 0);
		tmpl_alg(r, sa, NFSEC_SA_A_AUTH, auths[a].name, auths[a].key, auths[a].icv * 8u);
		break;
	default:
		tmpl_alg(r, sa, NFSEC_SA_A_ENC, "ecb(cipher_null)", 0, 0);
		tmpl_alg(r, sa, NFSEC_SA_A_AUTH, auths[a].name, auths[a].key + off,
			 auths[a].icv * 8u);
		break;
	}
}

static void tmpl_sa_new(struct req *r)
{
	static const uint16_t lifetimes[] = {
		NFSEC_LT_A_SOFT_BYTES, NFSEC_LT_A_HARD_BYTES, NFSEC_LT_A_SOFT_PACKETS,
		NFSEC_LT_A_HARD_PACKETS, NFSEC_LT_A_SOFT_SECONDS, NFSEC_LT_A_HARD_SECONDS,
	};
	int sa = add_nest(r, ROOT, NFSEC_A_SA), lt;
	uint8_t dir = (uint8_t)below(2);
	bool v6 = below(2);

	if (known.nsa && chance(15)) {
		tmpl_sa_id(r, sa);	/* one that is there: EEXIST */
	} else {
		add_u32(r, sa, NFSEC_SA_A_SPI, below(10) ? 256 + (uint32_t)below(1u << 31) :
							   below(256));
		add_u16(r, sa, NFSEC_SA_A_FAMILY, v6 ? AF_INET6 : AF_INET);
		add_addr(r, sa, NFSEC_SA_A_DST, v6);
	}
	add_u8(r, sa, NFSEC_SA_A_DIR, dir);
	add_addr(r, sa, NFSEC_SA_A_SRC, v6);
	add_u8(r, sa, NFSEC_SA_A_MODE, (uint8_t)below(2));
	if (chance(60))
		add_u32(r, sa, NFSEC_SA_A_REQID, below(8));
	tmpl_sa_algs(r, sa);
	if (dir == NFSEC_SA_DIR_IN && chance(50))
		add_u32(r, sa, NFSEC_SA_A_REPLAY_WINDOW, below(4) ? below(4097) : (uint32_t)rnd());
	if (chance(30))
		add(r, sa, NFSEC_SA_A_ESN, false, NULL, 0);
	if (chance(25))
		tmpl_selector(r, sa, NFSEC_SA_A_SELECTOR, chance(80) ? v6 : !v6);
	if (!chance(25))
		return;
	lt = add_nest(r, sa, NFSEC_SA_A_LIFETIME);
	for (size_t i = 0; i < ARRAY_SIZE(lifetimes); i++)
		if (chance(40))
			add_u64(r, lt, lifetimes[i], below(3) ? 1 + below(5) : rnd() >> below(64));
}

static void tmpl_sa_name(struct req *r)
{
	tmpl_sa_id(r, add_nest(r, ROOT, NFSEC_A_SA));
}

static void tmpl_ike_socket(struct req *r)
{
	int fds[] = { udp_fd, udp_fd, fuzz_fd, events_fd, (int)below(1000), -1 };

	add_u32(r, ROOT, NFSEC_A_SOCKET_FD, (uint32_t)fds[below(ARRAY_SIZE(fds))]);
}

static void tmpl_version(struct req *r)
{
	if (chance(50))
		add_u32(r, ROOT, NFSEC_A_FAMILY_VERSION, below(3));
}

/* Event-only and unknown commands: a few attributes of any kind. */
static void tmpl_other(struct req *r)
{
	uint8_t data[16];

	for (unsigned int i = below(4); i; i--) {
		fill_random(data, sizeof(data));
		add(r, ROOT, (uint16_t)below(NFSEC_A_MAX + 3), false, data, below(17));
	}
}

static const struct {
	uint8_t cmd;
	unsigned int weight;
	void (*fill)(struct req *r);
	bool dump;		/* the command has a dump */
} templates[] = {
	{ NFSEC_CMD_GET_VERSION, 4, tmpl_version, false },
	{ NFSEC_CMD_POLICY_NEW, 16, tmpl_policy_new, false },
	{ NFSEC_CMD_POLICY_DEL, 8, tmpl_policy_index, false },
	{ NFSEC_CMD_POLICY_GET, 8, tmpl_policy_index, true },
	{ NFSEC_CMD_POLICY_FLUSH, 3, tmpl_policy_flush, false },
	/* An SA added costs its crypto (some 15 ms on the test kernel): fewer of those. */
	{ NFSEC_CMD_SA_NEW, 14, tmpl_sa_new, false },
	{ NFSEC_CMD_SA_DEL, 8, tmpl_sa_name, false },
	{ NFSEC_CMD_SA_GET, 8, tmpl_sa_name, true },
	{ NFSEC_CMD_SA_FLUSH, 3, NULL, false },
	{ NFSEC_CMD_STATS_GET, 4, NULL, false },
	{ NFSEC_CMD_IKE_SOCKET, 4, tmpl_ike_socket, false },
	{ NFSEC_CMD_ACQUIRE, 1, tmpl_other, false },
	{ NFSEC_CMD_EXPIRE, 1, tmpl_other, false },
	{ NFSEC_CMD_UNSPEC, 1, tmpl_other, false },
	{ __NFSEC_CMD_MAX, 2, tmpl_other, false },	/* and beyond: see template() */
};

static void template(struct req *r)
{
	unsigned int total = 0, w;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(templates); i++)
		total += templates[i].weight;
	w = below(total);
	for (i = 0; w >= templates[i].weight; i++)
		w -= templates[i].weight;
	req_init(r, templates[i].cmd);
	if (templates[i].cmd == __NFSEC_CMD_MAX)
		r->cmd = (uint8_t)(__NFSEC_CMD_MAX + below(4) ? below(8) : below(256));
	/* A get: a dump, or a "do" with what names one. */
	if (templates[i].dump && below(2)) {
		r->flags = NLM_F_REQUEST | NLM_F_DUMP;
		return;
	}
	if (templates[i].fill)
		templates[i].fill(r);
}

/* --- mutations ------------------------------------------------------------------------ */

/* A node that is not the top level, or 0 when there is none. */
static unsigned int some_node(const struct req *r)
{
	return r->n > 1 ? 1 + below(r->n - 1) : ROOT;
}

/* A nest (the top level included). */
static unsigned int some_nest(const struct req *r)
{
	for (int tries = 0; tries < 8; tries++) {
		unsigned int i = below(r->n);

		if (r->node[i].nest)
			return i;
	}
	return ROOT;
}

static uint16_t some_type(uint16_t was)
{
	switch (below(6)) {
	case 0: return was ^ NLA_F_NESTED;
	case 1: return was ^ NLA_F_NET_BYTEORDER;
	case 2: return (uint16_t)(was + 1);
	case 3: return (uint16_t)(was - 1);
	case 4: return (uint16_t)((was & ~NLA_TYPE_MASK) | below(24));
	default: return (uint16_t)rnd();
	}
}

static void mutate_tree(struct req *r)
{
	unsigned int i = some_node(r), p = some_nest(r), k;
	struct node *n = &r->node[i], *parent = &r->node[p];
	static const uint16_t sizes[] = { 0, 1, 2, 3, 4, 5, 8, 16 };

	if (i == ROOT && below(12) < 11)
		return;
	switch (below(12)) {
	case 0:		/* its type, flags included */
		n->type = some_type(n->type);
		break;
	case 1:		/* a leaf cut short or lengthened with garbage, or of an integer's wrong size */
		if (n->nest)
			break;
		k = below(3) ? sizes[below(ARRAY_SIZE(sizes))] : below(DATA_MAX + 1);
		if (k > n->len)
			fill_random(n->data + n->len, k - n->len);
		n->len = (uint16_t)k;
		break;
	case 2:		/* the length its header declares */
		n->lie = (int16_t)(below(4) ? (int)below(17) - 8 : (int)(rnd() & 0xffff) - 0x8000);
		break;
	case 3:		/* dropped from a nest */
		if (parent->nkids) {
			k = below(parent->nkids);
			memmove(parent->kids + k, parent->kids + k + 1, parent->nkids - k - 1);
			parent->nkids--;
		}
		break;
	case 4:		/* twice */
		if (i != p && parent->nkids < KIDS)
			parent->kids[parent->nkids++] = (uint8_t)i;
		break;
	case 5:		/* one more, of any type */
		add(r, (int)p, (uint16_t)below(NFSEC_SA_A_MAX + 4), false, NULL, 0);
		if (r->n > 1 && !r->node[r->n - 1].nest) {
			r->node[r->n - 1].len = (uint16_t)below(20);
			fill_random(r->node[r->n - 1].data, r->node[r->n - 1].len);
		}
		break;
	case 6:		/* a leaf made a nest of garbage */
		if (!n->nest) {
			n->nest = true;
			n->nkids = 0;
			n->type |= below(4) ? NLA_F_NESTED : 0;
			for (k = 1 + below(3); k; k--)
				add(r, (int)i, (uint16_t)below(12), false, n->data, below(9));
		}
		break;
	case 7:		/* a nest made a leaf */
		if (n->nest) {
			n->nest = false;
			n->len = (uint16_t)below(24);
			fill_random(n->data, n->len);
		}
		break;
	case 8:		/* moved into another nest (into its own descendants, too) */
		if (i != p && parent->nkids < KIDS)
			parent->kids[parent->nkids++] = (uint8_t)i;
		for (k = 0; k < r->n; k++) {
			struct node *q = &r->node[k];

			for (unsigned int j = 0; j < q->nkids && k != p; j++)
				if (q->kids[j] == i) {
					memmove(q->kids + j, q->kids + j + 1, q->nkids - j - 1);
					q->nkids--;
					k = r->n;
					break;
				}
		}
		break;
	case 9:		/* wrapped in a nest of its own */
		k = (unsigned int)add_nest(r, (int)p, (uint16_t)below(NFSEC_SA_A_MAX + 2));
		if ((int)k > 0 && i != k)
			r->node[k].kids[r->node[k].nkids++] = (uint8_t)i;
		break;
	case 10:	/* a byte of it */
		if (!n->nest && n->len)
			n->data[below(n->len)] ^= (uint8_t)(1 + below(255));
		break;
	default:	/* a string without its NUL, or one too long */
		if (!n->nest) {
			n->len = (uint16_t)(below(2) ? below(8) : DATA_MAX);
			memset(n->data, 'a' + (int)below(26), n->len);
		}
		break;
	}
}

static void mutate_header(struct req *r)
{
	static const uint16_t flags[] = {
		NLM_F_REQUEST, NLM_F_ACK, NLM_F_ECHO, NLM_F_DUMP, NLM_F_ROOT, NLM_F_MATCH,
		NLM_F_ATOMIC, NLM_F_EXCL, NLM_F_CREATE, NLM_F_APPEND, NLM_F_MULTI,
		NLM_F_DUMP_INTR,
	};

	switch (below(6)) {
	case 0: case 1:
		r->flags ^= below(4) ? flags[below(ARRAY_SIZE(flags))] : (uint16_t)rnd();
		break;
	case 2:
		r->cmd = (uint8_t)(below(2) ? below(__NFSEC_CMD_MAX + 3) : rnd());
		break;
	case 3:
		r->version = (uint8_t)rnd();
		break;
	case 4:
		r->reserved = (uint16_t)rnd();
		break;
	default:
		r->type = below(3) ? (uint16_t)below(NLMSG_MIN_TYPE + 2) :
			  below(2) ? GENL_ID_CTRL : (uint16_t)(family_id + 1);
		break;
	}
}

/* --- the run -------------------------------------------------------------------------- */

static bool changes_state(uint8_t cmd)
{
	return cmd == NFSEC_CMD_POLICY_NEW || cmd == NFSEC_CMD_POLICY_DEL ||
	       cmd == NFSEC_CMD_POLICY_FLUSH || cmd == NFSEC_CMD_SA_NEW ||
	       cmd == NFSEC_CMD_SA_DEL || cmd == NFSEC_CMD_SA_FLUSH;
}

/* What came back for one datagram of requests (@msgs messages from sequence @seq). */
struct outcome {
	uint32_t seq, msgs;
	int err;		/* the first error */
	bool errored, acked, data, done;
	unsigned int unexpected;	/* answers to a sequence number it did not have */
};

static void outcome_msg(const struct nlmsghdr *nh, void *arg)
{
	struct outcome *o = arg;
	int err;

	if (nh->nlmsg_seq - o->seq >= o->msgs) {
		o->unexpected++;
		return;
	}
	if (nh->nlmsg_type == NLMSG_ERROR) {
		err = nlmsg_error(nh);
		if (err && !o->errored)
			o->err = err;
		o->errored |= err != 0;
		o->acked |= err == 0;
	} else if (nh->nlmsg_type == NLMSG_DONE) {
		o->done = true;
	} else {
		o->data = true;
	}
}

static struct {
	uint64_t requests, refused, acked, answered, silent, checked, events, overruns;
	uint64_t unexpected, mutated, send_errors;
} tally;

static void print_tally(int version)
{
	printf("{\"requests\":%" PRIu64 ",\"mutated\":%" PRIu64 ",\"refused\":%" PRIu64
	       ",\"acked\":%" PRIu64 ",\"answered\":%" PRIu64 ",\"silent\":%" PRIu64
	       ",\"checked\":%" PRIu64 ",\"state_dumps\":%" PRIu64 ",\"events\":%" PRIu64
	       ",\"overruns\":%" PRIu64 ",\"unexpected\":%" PRIu64 ",\"send_errors\":%" PRIu64
	       ",\"version\":%d}\n",
	       tally.requests, tally.mutated, tally.refused, tally.acked, tally.answered,
	       tally.silent, tally.checked, dumps, tally.events, tally.overruns,
	       tally.unexpected, tally.send_errors, version);
	fflush(stdout);
}

static void hexdump(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		fprintf(stderr, "%s%02x", i % 32 ? " " : i ? "\n  " : "  ", p[i]);
	fputc('\n', stderr);
}

static void violation(const uint8_t *req, size_t len, const char *fmt, ...)
{
	va_list ap;

	print_tally(0);
	fputs("nl-fuzz: VIOLATION: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nnl-fuzz: request #%" PRIu64 " (%zu bytes):\n", tally.requests, len);
	hexdump(req, len);
	exit(1);
}

static void count_msg(const struct nlmsghdr *nh, void *arg)
{
	(void)nh;
	(*(uint64_t *)arg)++;
}

/*
 * Reads what is there on @fd, in as few calls as it can (a system call is dear under
 * emulation): every answer must parse. A dump goes on as it is read.
 */
static void drain(int fd, void (*fn)(const struct nlmsghdr *, void *), void *arg,
		  const uint8_t *req, size_t req_len)
{
	static uint8_t bufs[RECV_BATCH][RECV_MAX];
	struct mmsghdr m[RECV_BATCH];
	struct iovec iov[RECV_BATCH];
	int n;

	for (;;) {
		for (int i = 0; i < RECV_BATCH; i++) {
			iov[i] = (struct iovec){ bufs[i], RECV_MAX };
			m[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
		}
		n = recvmmsg(fd, m, RECV_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0 && errno == ENOBUFS) {	/* read too slowly: answers were lost */
			tally.overruns++;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n < 0)
			die("recvmmsg: %s", strerror(errno));
		for (int i = 0; i < n; i++) {
			if (m[i].msg_hdr.msg_flags & MSG_TRUNC)
				die("an answer over %d bytes", RECV_MAX);
			if (!answer_walk(bufs[i], m[i].msg_len, fn, arg))
				violation(req, req_len, "an answer that does not parse (%u bytes)",
					  m[i].msg_len);
		}
		if (n < RECV_BATCH)
			return;
	}
}

/*
 * One request, mutated or not, sent and answered. Returns whether it is one whose
 * refusal is checked: one message, its lengths true, for the family, changing state.
 */
static bool fuzz_one(uint8_t *buf, size_t *len, uint32_t seq, struct outcome *o)
{
	static struct req r, second;
	bool checkable, lied = false;
	size_t n;

	template(&r);
	if (!chance(15)) {
		tally.mutated++;
		for (unsigned int k = 1 + below(4); k; k--)
			mutate_tree(&r);
		if (chance(25))
			mutate_header(&r);
	}
	n = req_put(&r, buf, REQ_MAX / 2, seq);
	*o = (struct outcome){ .seq = seq, .msgs = 1 };
	if (chance(6)) {		/* a second request in the same datagram */
		template(&second);
		if (chance(50))
			mutate_tree(&second);
		n += req_put(&second, buf + n, REQ_MAX / 2, seq + 1);
		o->msgs = 2;
	}
	if (chance(5)) {		/* the header's length lies */
		uint32_t l = below((uint32_t)n + 64);

		memcpy(buf, &l, sizeof(l));
		lied = true;
	}
	if (chance(3)) {		/* the datagram cut short */
		n = below((uint32_t)n);
		lied = true;
	}
	if (chance(3)) {		/* bits flipped anywhere */
		for (unsigned int k = 1 + below(4); k && n; k--)
			buf[below((uint32_t)n)] ^= (uint8_t)(1 << below(8));
		lied = true;
	}
	*len = n;
	checkable = o->msgs == 1 && !lied && r.type == family_id &&
		    (r.flags & NLM_F_REQUEST) && changes_state(r.cmd);
	return checkable;
}

static void version_msg(const struct nlmsghdr *nh, void *arg)
{
	const struct nlattr *a;
	const uint8_t *p;
	size_t len;

	p = genl_attrs(nh, &len);
	a = attr_find(p, len, NFSEC_A_FAMILY_VERSION);
	if (a && attr_len(a) == 4)
		memcpy(arg, attr_data(a), 4);
}

/* The family's version, as GET_VERSION answers it; 0 for no answer. */
static int final_version(void)
{
	static struct req r;
	int version = 0;

	req_init(&r, NFSEC_CMD_GET_VERSION);
	return talk(clean_fd, &r, version_msg, &version, NULL) ? 0 : version;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "check-every", required_argument, NULL, 'e' },
		{ 0 },
	};
	static uint8_t buf[REQ_MAX];
	uint64_t seed = 1, count = 20000, before = 0, after;
	unsigned int every = 4;
	bool valid = false, checkable, refused;
	struct outcome o;
	uint32_t seq = 1;
	size_t len;
	int c, group, version;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'n': count = strtoull(optarg, NULL, 0); break;
		case 'e': every = (unsigned int)strtoul(optarg, NULL, 0); break;
		default:
			fputs("usage: nl-fuzz [--seed N] [--count N] [--check-every N]\n", stderr);
			return 2;
		}
	}
	if (!every)
		every = 1;
	rng = seed;
	clean_fd = nl_open();
	family_resolve(clean_fd);
	fuzz_fd = nl_open();
	events_fd = nl_open();
	group = events_group;
	if (group && setsockopt(events_fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group,
				sizeof(group)))
		die("joining the events group: %s", strerror(errno));
	udp_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	state_hash();

	for (uint64_t i = 0; i < count; i++, seq += 2) {
		if (i % 128 == 0) {	/* fresh names for DEL and GET; a table kept small */
			before = state_hash();
			valid = known.sas <= STATE_MAX && known.policies <= STATE_MAX;
			state_trim();
		}
		checkable = fuzz_one(buf, &len, seq, &o);
		checkable &= every == 1 || !below(every);
		if (checkable && !valid) {
			before = state_hash();
			valid = true;
		}
		tally.send_errors += nl_send(fuzz_fd, buf, len) != 0;
		tally.requests++;
		drain(fuzz_fd, outcome_msg, &o, buf, len);
		if (i % EVENTS_EVERY == 0)
			drain(events_fd, count_msg, &tally.events, buf, len);
		tally.unexpected += o.unexpected;
		refused = o.errored && !o.acked && !o.data && !o.done;
		tally.refused += refused;
		tally.acked += o.acked;
		tally.answered += o.data || o.done;
		tally.silent += !o.errored && !o.acked && !o.data && !o.done;
		if (!checkable || !refused) {
			valid = false;
			continue;
		}
		after = state_hash();
		tally.checked++;
		if (after != before)
			violation(buf, len, "refused (%s) but the %s changed", strerror(-o.err),
				  "SA or policy table");
	}

	drain(events_fd, count_msg, &tally.events, buf, 0);
	version = final_version();
	print_tally(version);
	if (version != NFSEC_GENL_VERSION) {
		fprintf(stderr, "nl-fuzz: GET_VERSION after the run: %s\n",
			version ? "the wrong version" : "no answer");
		return 1;
	}
	return 0;
}
