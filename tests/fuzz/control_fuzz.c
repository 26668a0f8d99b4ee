// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the control protocol nfsec-iked serves on its unix socket
 * (iked/control.c): the request reader, parser and dispatcher and the replies, through the
 * server's own per-client state machine. control.c is included here, to hand its
 * client_new() one end of a socketpair per connection (no listening socket, no file);
 * the fuzzer writes the other end and reads the reply.
 *
 * The input:
 *   byte 0  bit 0: the clients are neither root nor the daemon's user (add, del, up and
 *           down must be refused); bits 1-3: the bytes are written in pieces of
 *           4 ^ value bytes (1 to 16384), the server reading after each; bits 4-7 vary
 *           what the fake IKE layer reports for "show" (phase-2 SAs, lifetimes, counts)
 *   then the connections, CONNECTIONS_MAX at most: each line, its newline included, is
 *   what one client sends, and the bytes after the last newline one more client's (a
 *   request without its newline). Tunnels added stay for the next requests; all go at
 *   the end.
 *
 * The IKE layer is a fake (registry ops below): a tunnel named "fail..." is refused with
 * a message of several lines, and status fills in every field, down reasons with quotes
 * and backslashes among them.
 *
 * Checks beyond the sanitizers: every reply is "ok\n" and a body, or one line "error
 * MESSAGE\n" without a control character; a client that may not change things never gets
 * "ok" for add, del, up or down; a show-json body is one valid JSON array in UTF-8 (the small
 * checker below) and a show body lines of printable text; every client is gone after its
 * reply, and every tunnel after the last request. FUZZ_LOG=1 in the environment shows
 * each request and its reply.
 *
 * fuzz-sources: userspace/iked/registry.c userspace/iked/log.c userspace/iked/loop.c
 * fuzz-sources: userspace/common/control_proto.c
 * fuzz-sources: userspace/common/proposal.c userspace/common/tunnel.c userspace/common/words.c
 * fuzz-sources: userspace/common/encoding.c userspace/common/utils.c userspace/common/json.c
 * fuzz-sources: userspace/common/drops_json.c
 * fuzz-flags: -dict=tests/fuzz/tunnel.dict
 */
#include "../../userspace/iked/control.c"	/* first: it defines _GNU_SOURCE */

#include <iconv.h>
#include <syslog.h>

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: check failed: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

enum {
	FLAG_NOT_ADMIN = 1 << 0,
	CONNECTIONS_MAX = 24,
	REPLY_MAX = 1 << 20,	/* read of a reply; more is drained, not kept */
	STEPS_MAX = 1 << 16,	/* rounds of write, serve, read for one connection */
};

static uint8_t status_seed;
static bool shown;		/* FUZZ_LOG set: each request and its reply to stderr */
static char *reply;		/* REPLY_MAX + 1 */
static size_t reply_len;

/* --- the fake IKE layer ----------------------------------------------------------------- */

/*
 * lib/sa.c's names of the drop reasons, without netlink under it: one word each, with a
 * quote and a backslash so the JSON must escape them.
 */
const char *nfsec_sa_drop_name(int attr)
{
	static char names[NFSEC_SA_DROP_A_MAX + 1][16];

	if (attr <= NFSEC_SA_DROP_A_PAD || attr > NFSEC_SA_DROP_A_MAX)
		return NULL;
	snprintf(names[attr], sizeof(names[attr]), "r\"%d\\", attr);
	return names[attr];
}

static int fake_added(struct iked_tunnel *t, char *err, size_t errlen)
{
	if (strncmp(t->conf.name, "fail", 4))
		return 0;
	snprintf(err, errlen, "refused by the fake:\nsecond line\twith a tab");
	return -EIO;
}

static int fake_up(struct iked_tunnel *t, char *err, size_t errlen)
{
	if (!t->conf.remote_any)
		return 0;
	snprintf(err, errlen, "a tunnel to %%any only answers");
	return -EINVAL;
}

static int fake_down(struct iked_tunnel *t, char *err, size_t errlen)
{
	(void)t;
	(void)err;
	(void)errlen;
	return 0;
}

static void fake_status(const struct iked_tunnel *t, struct tunnel_status *st)
{
	unsigned int v = status_seed, i, n = 0;

	snprintf(st->phase1.state, sizeof(st->phase1.state), "%s",
		 v & 1 ? "ESTABLISHED" : "MM_I2");
	st->phase1.established = v & 1;
	if (v & 1)
		snprintf(st->phase1.algs, sizeof(st->phase1.algs), "aes256-sha512-ecp521");
	st->phase1.seconds_left = v & 2 ? UINT32_MAX : 59;
	snprintf(st->phase1.why_down, sizeof(st->phase1.why_down), "the peer says \"%s\\\"",
		 t->conf.name);
	for (i = 0; i < t->conf.local_ts_count; i++)
		for (unsigned int r = 0; r < t->conf.remote_ts_count; r++) {
			struct tunnel_sa_status *s = &st->sa[n++];

			s->local_ts = t->conf.local_ts[i];
			s->remote_ts = t->conf.remote_ts[r];
			s->established = (v + n) & 1;
			snprintf(s->state, sizeof(s->state), "%s",
				 s->established ? "ESTABLISHED" : "NEGOTIATING");
			s->spi_in = v & 4 ? UINT32_MAX : n;
			s->spi_out = 0x100 + n;
			snprintf(s->algs, sizeof(s->algs), "aes128-sha256-modp2048-esn");
			s->seconds_left = v & 8 ? 86400 * 3 + n : n;
			s->in.bytes = v & 2 ? UINT64_MAX : (uint64_t)n << 20;
			s->out.bytes = (uint64_t)1 << (10 * (n % 7));
			s->in.packets = v;
			s->in.drops[NFSEC_SA_DROP_A_REPLAY] = v & 16 ? UINT64_MAX : n;
			s->out.kb_limited = v & 32;
			s->out.kb_left = v;
		}
	st->sa_count = n;
	snprintf(st->down_reason, sizeof(st->down_reason), "NO-PROPOSAL-CHOSEN from \\%u\\",
		 v);
	st->half_open = v & 4;
	st->drops.undecryptable = v & 8 ? UINT64_MAX : 0;
	st->drops.replayed = v;
}

static const struct registry_ops fake_ops = {
	.added = fake_added,
	.up = fake_up,
	.down = fake_down,
	.status = fake_status,
};

/* --- a small JSON checker ------------------------------------------------------------------ */

struct cursor {
	const char *p, *end;
	unsigned int depth;
};

static void ws(struct cursor *c)
{
	while (c->p < c->end && strchr(" \t\r\n", *c->p) && *c->p)
		c->p++;
}

static bool lit(struct cursor *c, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n))
		return false;
	c->p += n;
	return true;
}

static bool string(struct cursor *c)
{
	if (!lit(c, "\""))
		return false;
	while (c->p < c->end && *c->p != '"') {
		unsigned char ch = (unsigned char)*c->p++;

		if (ch < 0x20)
			return false;
		if (ch != '\\')
			continue;
		if (c->p == c->end)
			return false;
		ch = (unsigned char)*c->p++;
		if (ch == 'u') {
			for (int i = 0; i < 4; i++, c->p++)
				if (c->p == c->end || !strchr("0123456789abcdefABCDEF", *c->p) ||
				    !*c->p)
					return false;
		} else if (!strchr("\"\\/bfnrt", ch) || !ch) {
			return false;
		}
	}
	return lit(c, "\"");
}

static bool number(struct cursor *c)
{
	const char *start = c->p;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	/* json.c writes unsigned integers alone, without leading zeros */
	return c->p > start && (c->p - start == 1 || *start != '0');
}

static bool value(struct cursor *c);

static bool members(struct cursor *c, char close, bool keys)
{
	ws(c);
	if (lit(c, (char[]){ close, '\0' }))
		return true;
	for (;;) {
		ws(c);
		if (keys) {
			if (!string(c))
				return false;
			ws(c);
			if (!lit(c, ":"))
				return false;
		}
		if (!value(c))
			return false;
		ws(c);
		if (lit(c, (char[]){ close, '\0' }))
			return true;
		if (!lit(c, ","))
			return false;
	}
}

static bool value(struct cursor *c)
{
	bool object, ok;

	ws(c);
	if (c->p == c->end)
		return false;
	switch (*c->p) {
	case '"':
		return string(c);
	case '{':
	case '[':
		if (++c->depth > 64)
			return false;
		object = *c->p++ == '{';
		ok = members(c, object ? '}' : ']', object);
		c->depth--;
		return ok;
	case 't':
		return lit(c, "true");
	case 'f':
		return lit(c, "false");
	case 'n':
		return lit(c, "null");
	default:
		return number(c);
	}
}

/* Whether p is UTF-8 (RFC 8259 8.1): glibc's iconv refuses what RFC 3629 does. */
static bool utf8_ok(const char *p, size_t len)
{
	iconv_t cd = iconv_open("UTF-8", "UTF-8");
	char *in = (char *)p, out[512], *o;
	size_t left = len, room;
	bool ok = true;

	CHECK(cd != (iconv_t)-1);
	while (left && ok) {
		o = out;
		room = sizeof(out);
		ok = iconv(cd, &in, &left, &o, &room) != (size_t)-1 || errno == E2BIG;
	}
	iconv_close(cd);
	return ok;
}

/* One JSON array in UTF-8, then the newline json_finish() writes, and nothing else. */
static bool json_array_ok(const char *p, size_t len)
{
	struct cursor c = { p, p + len, 0 };

	if (!utf8_ok(p, len))
		return false;
	ws(&c);
	if (c.p == c.end || *c.p != '[' || !value(&c))
		return false;
	return lit(&c, "\n") && c.p == c.end;
}

/* --- connections --------------------------------------------------------------------------- */

static void reply_take(int fd)
{
	char sink[4096];
	ssize_t n;

	for (;;) {
		size_t room = REPLY_MAX - reply_len;

		n = recv(fd, room ? reply + reply_len : sink, room ? room : sizeof(sink),
			 MSG_DONTWAIT);
		if (n <= 0)
			return;
		if (room)
			reply_len += (size_t)n;
	}
}

/* The first word of a request line, as request_run() splits it. */
static void verb_of(const uint8_t *line, size_t len, char *verb, size_t size)
{
	size_t i = 0, n = 0;

	while (i < len && line[i] == ' ')
		i++;
	while (i < len && line[i] != ' ' && line[i] != '\n' && line[i] && n + 1 < size)
		verb[n++] = (char)line[i++];
	verb[n] = '\0';
}

static void reply_check(const uint8_t *line, size_t len, bool admin)
{
	char verb[16];
	size_t i;

	reply[reply_len] = '\0';
	verb_of(line, len, verb, sizeof(verb));
	if (reply_len == 0 || reply_len == REPLY_MAX)	/* said nothing, left; or too long */
		return;
	if (!strncmp(reply, "error ", 6)) {
		CHECK(reply[reply_len - 1] == '\n');
		for (i = 0; i + 1 < reply_len; i++)
			CHECK((unsigned char)reply[i] >= 0x20 && reply[i] != 0x7f);
		return;
	}
	CHECK(reply_len >= 3 && !memcmp(reply, "ok\n", 3));
	CHECK(admin || !strcmp(verb, "show") || !strcmp(verb, "show-json") ||
	      !strcmp(verb, "show-stats"));
	if (!strcmp(verb, "show-json")) {
		CHECK(json_array_ok(reply + 3, reply_len - 3));
	} else {
		for (i = 3; i < reply_len; i++)
			CHECK(reply[i] == '\n' || ((unsigned char)reply[i] >= 0x20 &&
						   reply[i] != 0x7f));
	}
}

/* One client: line[0..len-1] written in pieces, the server serving it, its reply read. */
static void connection(const uint8_t *line, size_t len, bool admin, size_t piece)
{
	struct client *c;
	size_t off = 0;
	bool shut = false;
	int sv[2], steps;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
	client_new(sv[0]);
	c = ctl.clients;
	CHECK(c && c->fd == sv[0] && ctl.count == 1);
	c->admin = admin;
	reply_len = 0;
	for (steps = 0; ctl.count; steps++) {
		CHECK(steps < STEPS_MAX);
		if (off < len) {
			size_t n = len - off < piece ? len - off : piece;
			ssize_t sent = send(sv[1], line + off, n, MSG_DONTWAIT | MSG_NOSIGNAL);

			if (sent > 0)
				off += (size_t)sent;
			else if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
				off = len;	/* the server closed: the rest is lost */
		}
		if (off == len && !shut) {
			shutdown(sv[1], SHUT_WR);
			shut = true;
		}
		/* the loop would say readable (and writable once a reply waits) */
		client_io(sv[0], EPOLLIN | EPOLLOUT, c);
		reply_take(sv[1]);
	}
	reply_take(sv[1]);
	close(sv[1]);
	/* the loop's round ends: the client's watch, kept dead until then, goes */
	CHECK(loop_run_once(0) >= 0);
	if (shown)
		fprintf(stderr, "> %.*s\n< %.*s\n", (int)len, (const char *)line, (int)reply_len,
			reply);
	reply_check(line, len, admin);
}

/* Every line the server logs: one line. */
static void log_check(int level, const char *line, void *arg)
{
	(void)level;
	(void)arg;
	for (; *line; line++)
		CHECK((unsigned char)*line >= 0x20 && *line != 0x7f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	CHECK(loop_init() == 0);
	log_init("fuzz", LOG_DEBUG, true);
	log_set_sink(log_check, NULL);
	registry_set_ops(&fake_ops);
	reply = malloc(REPLY_MAX + 1);
	CHECK(reply);
	shown = getenv("FUZZ_LOG");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t flags = size ? data[0] : 0;
	const uint8_t *p = data + !!size, *end = data + size;
	size_t piece = (size_t)1 << 2 * (flags >> 1 & 7);
	unsigned int n;

	status_seed = flags >> 4;
	for (n = 0; p < end && n < CONNECTIONS_MAX; n++) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);

		connection(p, len, !(flags & FLAG_NOT_ADMIN), piece);
		p += len;
	}
	CHECK(ctl.count == 0 && !ctl.clients);
	registry_flush();
	CHECK(registry_count() == 0);
	return 0;
}
