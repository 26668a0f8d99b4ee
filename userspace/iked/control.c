// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's server. Each client is a small state machine driven by the loop:
 *
 * 1. accepted: its credentials taken (SO_PEERCRED), a timeout armed, EPOLLIN;
 * 2. reading: bytes appended to its request buffer until a newline; CONTROL_REQUEST_MAX
 *    bytes without one, or the end of its stream, is an error reply;
 * 3. replying: the whole reply built at once, then written as the socket takes it
 *    (EPOLLOUT), never blocking;
 * 4. closed: after the reply, on an error, or when the timeout fires.
 *
 * A request to add carries the secret in hex: its buffer is wiped once handled and when
 * the client goes. Replies never hold a secret (tunnel_format() hides it).
 */
#define _GNU_SOURCE	/* accept4(), struct ucred */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <nfsec.h>

#include "control.h"
#include "drops_json.h"
#include "json.h"
#include "log.h"
#include "loop.h"
#include "registry.h"
#include "reload.h"
#include "words.h"

enum {
	CONTROL_BACKLOG = 16,
	CONTROL_ERROR_MAX = 512,	/* bytes of an error message */
	CONTROL_DRAIN_MAX = 65536,	/* unread bytes thrown away before closing */
	CONTROL_ACCEPT_PAUSE_MS = 100,	/* out of descriptors: wait, do not spin */
};

struct client {
	int fd;
	uid_t uid;
	pid_t pid;
	bool admin;			/* may change things: see client_admin() */
	struct timer timeout;
	size_t req_len;
	char *reply;
	size_t reply_len, reply_off;
	struct client *prev, *next;
	char req[CONTROL_REQUEST_MAX];
};

static struct {
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev;			/* of the socket file we made, to remove only ours */
	ino_t ino;
	struct timer resume;		/* accepting again after running out of descriptors */
	struct client *clients;
	unsigned int count;
	control_reload_fn reload;
} ctl = { .fd = -1 };

void control_set_reload(control_reload_fn fn)
{
	ctl.reload = fn;
}

/* --- what a request does ----------------------------------------------------------------- */

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

static void duration_text(char *buf, size_t len, uint32_t s)
{
	if (s >= 86400)
		snprintf(buf, len, "%" PRIu32 "d%" PRIu32 "h", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(buf, len, "%" PRIu32 "h%" PRIu32 "m", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, len, "%" PRIu32 "m", s / 60);
	else
		snprintf(buf, len, "%" PRIu32 "s", s);
}

/* Bytes in units of 1024, as the size words of a tunnel count: "1.2 MB". */
static void bytes_text(char *buf, size_t len, uint64_t bytes)
{
	static const char *const units[] = { "kB", "MB", "GB", "TB", "PB", "EB" };
	double v = (double)bytes;
	size_t i = 0;

	if (bytes < 1024) {
		snprintf(buf, len, "%" PRIu64 " B", bytes);
		return;
	}
	v /= 1024;
	while (v >= 1024 && i + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		i++;
	}
	snprintf(buf, len, "%.1f %s", v, units[i]);
}

static void endpoints_text(const struct tunnel *t, char *local, char *remote)
{
	addr_format(local, t->local.family, t->local.addr);
	if (t->remote_any)
		strcpy(remote, "%any");
	else
		addr_format(remote, t->remote.family, t->remote.addr);
}

static const char *auth_text(const struct tunnel *t)
{
	return t->auth == TUNNEL_AUTH_CERT ? "cert" : "psk";
}

/* ind: what each line starts with, "  " for a tunnel's, "    " for a peer's */
static void phase1_print(FILE *f, const char *ind, const struct tunnel_status *st)
{
	char left[32];

	fprintf(f, "%sphase 1: %s", ind, st->phase1.state[0] ? st->phase1.state : "none");
	if (st->phase1.algs[0])
		fprintf(f, " %s", st->phase1.algs);
	if (st->phase1.established) {
		duration_text(left, sizeof(left), st->phase1.seconds_left);
		fprintf(f, ", %s left", left);
	}
	if (st->phase1.why_down[0])
		fprintf(f, ": %s", st->phase1.why_down);
	fputc('\n', f);
	if (st->phase1.nat[0])
		fprintf(f, "%snat: %s (UDP %u -> %u)\n", ind, st->phase1.nat,
			st->phase1.local_port, st->phase1.remote_port);
}

/*
 * One way of an SA's counters (show -s), on a line of its own below the phase 2 line:
 * "in: 176 packets, 19272 bytes, 1953 KB left; dropped: 2 replay, 1 auth-fail".
 */
static void traffic_print(FILE *f, const char *ind, const char *way,
			  const struct tunnel_sa_traffic *tr)
{
	const char *sep = "";

	fprintf(f, "%s  %s: %" PRIu64 " packets, %" PRIu64 " bytes", ind, way, tr->packets,
		tr->bytes);
	if (tr->kb_limited)
		fprintf(f, ", %" PRIu64 " KB left", tr->kb_left);
	fputs("; dropped:", f);
	for (int attr = 0; attr <= NFSEC_SA_DROP_A_MAX; attr++) {
		if (!nfsec_sa_drop_name(attr) || !tr->drops[attr])
			continue;
		fprintf(f, "%s %" PRIu64 " %s", sep, tr->drops[attr], nfsec_sa_drop_name(attr));
		sep = ",";
	}
	fputs(*sep ? "\n" : " none\n", f);
}

static void sa_print(FILE *f, const char *ind, const struct tunnel_sa_status *sa,
		     bool counters)
{
	char local[PREFIX_TEXT_LEN + 16], remote[PREFIX_TEXT_LEN + 16];
	char left[32], in[32], out[32];

	tunnel_ts_format(local, sizeof(local), &sa->local_ts);
	tunnel_ts_format(remote, sizeof(remote), &sa->remote_ts);
	fprintf(f, "%sphase 2: %s === %s %s", ind, local, remote,
		sa->state[0] ? sa->state : "none");
	if (sa->spi_in || sa->spi_out)
		fprintf(f, " spi in 0x%08" PRIx32 " out 0x%08" PRIx32, sa->spi_in, sa->spi_out);
	if (sa->algs[0])
		fprintf(f, " %s", sa->algs);
	if (sa->established) {
		duration_text(left, sizeof(left), sa->seconds_left);
		bytes_text(in, sizeof(in), sa->in.bytes);
		bytes_text(out, sizeof(out), sa->out.bytes);
		fprintf(f, ", %s left, %s in, %s out", left, in, out);
	}
	fputc('\n', f);
	if (counters && sa->established) {
		traffic_print(f, ind, "in", &sa->in);
		traffic_print(f, ind, "out", &sa->out);
	}
}

/* Half-open responder phase 1s and the messages dropped, when there are any. */
static void drops_print(FILE *f, const char *ind, const struct tunnel_status *st)
{
	const struct tunnel_drops *dr = &st->drops;

	if (!st->half_open && !dr->undecryptable && !dr->replayed && !dr->half_open_refused &&
	    !dr->refused && !dr->qm_refused)
		return;
	fprintf(f, "%shalf-open: %u; dropped: %" PRIu64 " undecryptable, %" PRIu64
		" replayed, %" PRIu64 " over the half-open caps, %" PRIu64 " quick modes over "
		"the cap; refused: %" PRIu64 "\n", ind, st->half_open, dr->undecryptable,
		dr->replayed, dr->half_open_refused, dr->qm_refused, dr->refused);
}

/* A tunnel's SAs, or a peer's: phase 1, each phase 2 (with its counters), why down, drops. */
static void sas_print(FILE *f, const char *ind, const struct tunnel_status *st, bool counters)
{
	phase1_print(f, ind, st);
	for (unsigned int i = 0; i < st->sa_count; i++)
		sa_print(f, ind, &st->sa[i], counters);
	if (st->down_reason[0])
		fprintf(f, "%sdown: %s\n", ind, st->down_reason);
	drops_print(f, ind, st);
}

/*
 * remote %any: how many peers are up, then each (pst: room for one's status):
 *
 *   peers: 1 of 2 up
 *   peer 192.168.1.2: up
 *     phase 1: ESTABLISHED ...
 *     phase 2: 10.0.1.0/24 === 10.0.2.0/24 ESTABLISHED ...
 */
static void peers_print(FILE *f, const struct iked_tunnel *t, const struct tunnel_status *st,
			struct tunnel_status *pst, bool counters)
{
	char addr[ADDR_TEXT_LEN];

	if (!st->peer_count)
		fprintf(f, "  peers: none\n");
	else
		fprintf(f, "  peers: %u of %u up\n", st->peers_up, st->peer_count);
	for (unsigned int i = 0; !registry_peer_status(t, i, pst); i++) {
		addr_format(addr, pst->peer.family, pst->peer.addr);
		if (pst->peer_port)
			fprintf(f, "  peer %s port %u: %s\n", addr, pst->peer_port,
				pst->up ? "up" : "down");
		else
			fprintf(f, "  peer %s: %s\n", addr, pst->up ? "up" : "down");
		sas_print(f, "    ", pst, counters);
	}
}

/*
 * moon-sun: 192.168.1.1 -> 192.168.1.2, main mode, psk
 *   phase 1: ESTABLISHED aes128-sha256-modp2048, 7h59m left
 *   phase 2: 10.0.1.0/24 === 10.0.2.0/24 ESTABLISHED spi in 0x... out 0x... aes128gcm16, ...
 *   down: NO-PROPOSAL-CHOSEN from 192.168.1.2: ...
 *   half-open: 0; dropped: 3 undecryptable, 0 replayed, 0 over the half-open caps
 */
static void tunnel_print(FILE *f, const struct iked_tunnel *t, const struct tunnel_status *st,
			 struct tunnel_status *pst, bool counters)
{
	char local[ADDR_TEXT_LEN], remote[ADDR_TEXT_LEN];

	endpoints_text(&t->conf, local, remote);
	fprintf(f, "%s: %s -> %s, %s mode, %s%s\n", t->conf.name, local, remote,
		t->conf.aggressive ? "aggressive" : "main",
		t->conf.encap == NFSEC_MODE_TRANSPORT ? "transport, " : "", auth_text(&t->conf));
	if (!t->conf.remote_any) {
		sas_print(f, "  ", st, counters);
		return;
	}
	peers_print(f, t, st, pst, counters);
	if (st->down_reason[0])
		fprintf(f, "  down: %s\n", st->down_reason);
	drops_print(f, "  ", st);
}

static void opt_string(struct json *j, const char *key, const char *s)
{
	json_string(j, key, s[0] ? s : NULL);
}

/* "in" or "out": {"packets","bytes","kilobytes_left" (null: no limit),"drops":{...}}. */
static void traffic_json(struct json *j, const char *way, const struct tunnel_sa_traffic *tr)
{
	json_object_begin(j, way);
	json_u64(j, "packets", tr->packets);
	json_u64(j, "bytes", tr->bytes);
	if (tr->kb_limited)
		json_u64(j, "kilobytes_left", tr->kb_left);
	else
		json_string(j, "kilobytes_left", NULL);
	drops_json(j, tr->drops);
	json_object_end(j);
}

static void sa_json(struct json *j, const struct tunnel_sa_status *sa)
{
	char local[PREFIX_TEXT_LEN + 16], remote[PREFIX_TEXT_LEN + 16];

	tunnel_ts_format(local, sizeof(local), &sa->local_ts);
	tunnel_ts_format(remote, sizeof(remote), &sa->remote_ts);
	json_object_begin(j, NULL);
	json_string(j, "local_ts", local);
	json_string(j, "remote_ts", remote);
	opt_string(j, "state", sa->state);
	json_bool(j, "established", sa->established);
	json_u64(j, "spi_in", sa->spi_in);
	json_u64(j, "spi_out", sa->spi_out);
	opt_string(j, "algorithms", sa->algs);
	json_u64(j, "seconds_left", sa->seconds_left);
	json_u64(j, "bytes_in", sa->in.bytes);
	json_u64(j, "bytes_out", sa->out.bytes);
	traffic_json(j, "in", &sa->in);
	traffic_json(j, "out", &sa->out);
	json_object_end(j);
}

/* phase1, phase2, down_reason, half_open and drops: a tunnel's, or a peer's. */
static void sas_json(struct json *j, const struct tunnel_status *st)
{
	json_object_begin(j, "phase1");
	opt_string(j, "state", st->phase1.state);
	json_bool(j, "established", st->phase1.established);
	opt_string(j, "algorithms", st->phase1.algs);
	json_u64(j, "seconds_left", st->phase1.seconds_left);
	opt_string(j, "why_down", st->phase1.why_down);
	if (st->phase1.nat[0]) {
		json_object_begin(j, "nat");
		json_string(j, "state", st->phase1.nat);
		json_u64(j, "local_port", st->phase1.local_port);
		json_u64(j, "remote_port", st->phase1.remote_port);
		json_object_end(j);
	}
	json_object_end(j);
	json_array_begin(j, "phase2");
	for (unsigned int i = 0; i < st->sa_count; i++)
		sa_json(j, &st->sa[i]);
	json_array_end(j);
	opt_string(j, "down_reason", st->down_reason);
	json_u64(j, "half_open", st->half_open);
	json_object_begin(j, "drops");
	json_u64(j, "undecryptable", st->drops.undecryptable);
	json_u64(j, "replayed", st->drops.replayed);
	json_u64(j, "half_open_refused", st->drops.half_open_refused);
	json_u64(j, "refused", st->drops.refused);
	json_u64(j, "qm_refused", st->drops.qm_refused);
	json_object_end(j);
}

/*
 * remote %any: "peers_up" and "peers", each {"address", "port" (a peer behind a NAT),
 * "up", and sas_json()'s}.
 */
static void peers_json(struct json *j, const struct iked_tunnel *t,
		       const struct tunnel_status *st, struct tunnel_status *pst)
{
	char addr[ADDR_TEXT_LEN];

	json_u64(j, "peers_up", st->peers_up);
	json_array_begin(j, "peers");
	for (unsigned int i = 0; !registry_peer_status(t, i, pst); i++) {
		addr_format(addr, pst->peer.family, pst->peer.addr);
		json_object_begin(j, NULL);
		json_string(j, "address", addr);
		if (pst->peer_port)
			json_u64(j, "port", pst->peer_port);
		json_bool(j, "up", pst->up);
		sas_json(j, pst);
		json_object_end(j);
	}
	json_array_end(j);
}

static void tunnel_json(struct json *j, const struct iked_tunnel *t,
			const struct tunnel_status *st, struct tunnel_status *pst)
{
	char local[ADDR_TEXT_LEN], remote[ADDR_TEXT_LEN], config[TUNNEL_TEXT_MAX];

	endpoints_text(&t->conf, local, remote);
	if (tunnel_format(&t->conf, config, sizeof(config)) < 0)
		config[0] = '\0';
	json_object_begin(j, NULL);
	json_string(j, "name", t->conf.name);
	json_string(j, "local", local);
	json_string(j, "remote", remote);
	json_string(j, "mode", t->conf.aggressive ? "aggressive" : "main");
	json_string(j, "encap", mode_name(t->conf.encap));
	json_string(j, "auth", auth_text(&t->conf));
	json_u64(j, "reqid", t->reqid);
	opt_string(j, "config", config);
	sas_json(j, st);
	if (t->conf.remote_any)
		peers_json(j, t, st, pst);
	json_object_end(j);
}

/* Every tunnel, or the one named, as text (with the SAs' counters) or JSON into f. */
static int do_show(FILE *f, const char *name, bool json, bool counters, char *err,
		   size_t errlen)
{
	struct tunnel_status *st, *pst;
	struct iked_tunnel *one = NULL;
	struct json j;
	int ret = 0;

	if (name && !(one = registry_find(name)))
		return fail(err, errlen, -ENOENT, "no tunnel \"%s\"", name);
	st = malloc(2 * sizeof(*st));
	if (!st)
		return fail(err, errlen, -ENOMEM, "out of memory");
	pst = st + 1;			/* a peer's */
	json_init(&j, f);
	if (json)
		json_array_begin(&j, NULL);
	for (struct iked_tunnel *t = one ? one : registry_first(); t;
	     t = one ? NULL : registry_next(t)) {
		registry_status(t, st);
		if (json)
			tunnel_json(&j, t, st, pst);
		else
			tunnel_print(f, t, st, pst, counters);
	}
	if (json) {
		json_array_end(&j);
		if (json_finish(&j) < 0)
			ret = fail(err, errlen, -EIO, "cannot write the JSON");
	}
	free(st);
	return ret;
}

static int do_add(const char *text, char *err, size_t errlen)
{
	struct tunnel t;
	int ret;

	ret = tunnel_deserialize(text, &t, err, errlen);
	if (ret < 0)
		return ret;
	ret = registry_add(&t, NULL, err, errlen);
	tunnel_wipe(&t);
	return ret;
}

static int do_del(const char *name, FILE *f, char *err, size_t errlen)
{
	(void)f;
	if (registry_del(name) < 0)
		return fail(err, errlen, -ENOENT, "no tunnel \"%s\"", name);
	return 0;
}

static int do_up(const char *name, FILE *f, char *err, size_t errlen)
{
	(void)f;
	return registry_up(name, err, errlen);
}

static int do_down(const char *name, FILE *f, char *err, size_t errlen)
{
	(void)f;
	return registry_down(name, err, errlen);
}

/* "reloaded: 1 added, ..." or {"added":1,...} into f. */
static int do_reload(FILE *f, bool json, char *err, size_t errlen)
{
	struct conf_reload_result r;
	struct json j;
	int ret;

	if (!ctl.reload)
		return fail(err, errlen, -EOPNOTSUPP, "this nfsec-iked cannot reload");
	ret = ctl.reload(&r, err, errlen);
	if (ret)
		return ret;
	if (!json) {
		fprintf(f, "reloaded: %u added, %u changed, %u removed, %u unchanged\n", r.added,
			r.changed, r.removed, r.unchanged);
		return 0;
	}
	json_init(&j, f);
	json_object_begin(&j, NULL);
	json_u64(&j, "added", r.added);
	json_u64(&j, "changed", r.changed);
	json_u64(&j, "removed", r.removed);
	json_u64(&j, "unchanged", r.unchanged);
	json_object_end(&j);
	if (json_finish(&j) < 0)
		return fail(err, errlen, -EIO, "cannot write the JSON");
	return 0;
}

static int do_reload_text(const char *name, FILE *f, char *err, size_t errlen)
{
	(void)name;
	return do_reload(f, false, err, errlen);
}

static int do_reload_json(const char *name, FILE *f, char *err, size_t errlen)
{
	(void)name;
	return do_reload(f, true, err, errlen);
}

static int do_show_text(const char *name, FILE *f, char *err, size_t errlen)
{
	return do_show(f, name, false, false, err, errlen);
}

static int do_show_stats(const char *name, FILE *f, char *err, size_t errlen)
{
	return do_show(f, name, false, true, err, errlen);
}

static int do_show_json(const char *name, FILE *f, char *err, size_t errlen)
{
	return do_show(f, name, true, true, err, errlen);
}

/* The requests but add, whose one argument is a whole tunnel. */
struct request {
	const char *verb;
	bool admin;			/* changes things */
	enum { NAME_NONE, NAME_OPTIONAL, NAME_NEEDED } name;	/* one NAME at most */
	int (*run)(const char *name, FILE *f, char *err, size_t errlen);
};

static const struct request requests[] = {
	{ "del", true, NAME_NEEDED, do_del },
	{ "up", true, NAME_NEEDED, do_up },
	{ "down", true, NAME_NEEDED, do_down },
	{ "show", false, NAME_OPTIONAL, do_show_text },
	{ "show-stats", false, NAME_OPTIONAL, do_show_stats },
	{ "show-json", false, NAME_OPTIONAL, do_show_json },
	{ "reload", true, NAME_NONE, do_reload_text },
	{ "reload-json", true, NAME_NONE, do_reload_json },
};

static const char *const name_words[] = {
	[NAME_NONE] = "no NAME",
	[NAME_OPTIONAL] = "one NAME at most",
	[NAME_NEEDED] = "one NAME",
};

static const struct request *request_find(const char *verb)
{
	for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++)
		if (!strcmp(verb, requests[i].verb))
			return &requests[i];
	return NULL;
}

enum { ARGS_MAX = 3 };

/* The words of line, split at spaces, into args: how many, or ARGS_MAX + 1 for too many. */
static int split(char *line, char **args)
{
	char *save = NULL;
	int n = 0;

	for (char *w = strtok_r(line, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (n == ARGS_MAX)
			return ARGS_MAX + 1;
		args[n++] = w;
	}
	return n;
}

static int denied(const struct client *c, const char *verb, char *err, size_t errlen)
{
	log_warn("control: uid %u (pid %d) may not \"%s\"", (unsigned int)c->uid, (int)c->pid,
		 verb);
	return fail(err, errlen, -EPERM, "permission denied: \"%s\" needs root or uid %u",
		    verb, (unsigned int)geteuid());
}

/* One request line (NUL-terminated, no newline): the body into f, or err. */
static int request_run(const struct client *c, char *line, FILE *f, char *err,
		       size_t errlen)
{
	const struct request *r;
	char *args[ARGS_MAX];
	int n;

	if (!strncmp(line, "add ", 4)) {
		if (!c->admin)
			return denied(c, "add", err, errlen);
		log_debug("control: uid %u (pid %d): add", (unsigned int)c->uid, (int)c->pid);
		return do_add(line + 4, err, errlen);
	}
	n = split(line, args);
	if (n == 0)
		return fail(err, errlen, -EINVAL, "empty request");
	if (!strcmp(args[0], "add"))
		return fail(err, errlen, -EINVAL, "\"add\" takes a TUNNEL");
	r = request_find(args[0]);
	if (!r)
		return fail(err, errlen, -EINVAL, "unknown request \"%.32s\"", args[0]);
	if (n > (r->name == NAME_NONE ? 1 : 2) || (r->name == NAME_NEEDED && n < 2))
		return fail(err, errlen, -EINVAL, "\"%s\" takes %s", r->verb,
			    name_words[r->name]);
	if (r->admin && !c->admin)
		return denied(c, r->verb, err, errlen);
	log_debug("control: uid %u (pid %d): %s%s%s", (unsigned int)c->uid, (int)c->pid,
		  r->verb, n > 1 ? " " : "", n > 1 ? args[1] : "");
	return r->run(n > 1 ? args[1] : NULL, f, err, errlen);
}

/* --- clients ------------------------------------------------------------------------------ */

static void client_close(struct client *c)
{
	char sink[4096];
	size_t drained = 0;
	ssize_t n;

	/* unread input makes close() reset the connection, and the reply could be lost */
	while (drained < CONTROL_DRAIN_MAX &&
	       (n = recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT)) > 0)
		drained += (size_t)n;
	timer_cancel(&c->timeout);
	loop_del_fd(c->fd);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		ctl.clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	ctl.count--;
	explicit_bzero(c->req, sizeof(c->req));
	free(c->reply);
	free(c);
}

/* Writes what the socket takes; the client is closed when all went, or on an error. */
static void client_send(struct client *c)
{
	while (c->reply_off < c->reply_len) {
		ssize_t n = send(c->fd, c->reply + c->reply_off, c->reply_len - c->reply_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (loop_mod_fd(c->fd, EPOLLOUT) < 0)
				break;
			return;
		}
		if (n <= 0)
			break;
		c->reply_off += (size_t)n;
	}
	client_close(c);
}

static void reply_error(struct client *c, char *msg)
{
	free(c->reply);
	c->reply_off = 0;
	if (control_reply_error(msg, &c->reply, &c->reply_len) < 0) {
		c->reply = NULL;
		c->reply_len = 0;
	}
}

/* The reply to the request in req[0..len-1] (its newline replaced), then sent. */
static void client_respond(struct client *c, size_t len)
{
	char err[CONTROL_ERROR_MAX] = "";
	char *body = NULL;
	size_t body_len = 0;
	FILE *f;
	int ret;

	c->req[len] = '\0';
	f = open_memstream(&body, &body_len);
	if (!f)
		ret = fail(err, sizeof(err), -ENOMEM, "out of memory");
	else if (memchr(c->req, '\0', len))
		ret = fail(err, sizeof(err), -EINVAL, "a NUL byte in the request");
	else
		ret = request_run(c, c->req, f, err, sizeof(err));
	explicit_bzero(c->req, sizeof(c->req));
	if (f && fclose(f) != 0 && ret == 0)
		ret = fail(err, sizeof(err), -ENOMEM, "out of memory");
	if (ret == 0 && body_len > CONTROL_REPLY_MAX)
		ret = fail(err, sizeof(err), -EFBIG, "a reply of %zu bytes is too large", body_len);
	if (ret == 0 && control_reply_ok(body, body_len, &c->reply, &c->reply_len) < 0)
		ret = fail(err, sizeof(err), -ENOMEM, "out of memory");
	if (ret != 0)
		reply_error(c, err);
	free(body);
	client_send(c);
}

static void client_fail(struct client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void client_fail(struct client *c, const char *fmt, ...)
{
	char msg[CONTROL_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	explicit_bzero(c->req, sizeof(c->req));
	reply_error(c, msg);
	client_send(c);
}

/* Reads what came; responds once a newline is in, or fails the request. */
static void client_read(struct client *c)
{
	for (;;) {
		size_t room = sizeof(c->req) - c->req_len;
		ssize_t n;
		char *nl;

		if (room == 0) {
			client_fail(c, "a request is %d bytes at most", CONTROL_REQUEST_MAX);
			return;
		}
		n = recv(c->fd, c->req + c->req_len, room, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			client_close(c);
			return;
		}
		if (n == 0) {
			if (c->req_len == 0)
				client_close(c);	/* connected, said nothing, left */
			else
				client_fail(c, "the request ends without a newline");
			return;
		}
		nl = memchr(c->req + c->req_len, '\n', (size_t)n);
		c->req_len += (size_t)n;
		if (nl) {
			/* the newline's place holds the NUL: the line fits with it */
			client_respond(c, (size_t)(nl - c->req));
			return;
		}
	}
}

static void client_io(int fd, uint32_t events, void *arg)
{
	struct client *c = arg;

	(void)fd;
	if (c->reply)
		client_send(c);
	else if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		client_read(c);
}

static void client_timeout(struct timer *t, void *arg)
{
	struct client *c = arg;

	(void)t;
	log_debug("control: uid %u (pid %d) took too long, dropped", (unsigned int)c->uid,
		  (int)c->pid);
	client_close(c);
}

/*
 * Only root and the daemon's own user may change things. The socket is 0600 in a 0700
 * directory, so today nobody else can even connect and this check never refuses; it is
 * the second lock, which still holds when an admin opens the socket to a monitoring
 * group so that it can "show" (which never reveals a secret).
 */
static bool client_admin(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

static void client_new(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct client *c;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		log_warn("control: SO_PEERCRED: %s", strerror(errno));
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c || loop_add_fd(fd, EPOLLIN, client_io, c) < 0) {
		log_warn("control: out of memory for a client");
		free(c);
		close(fd);
		return;
	}
	c->fd = fd;
	c->uid = cred.uid;
	c->pid = cred.pid;
	c->admin = client_admin(cred.uid);
	timer_init(&c->timeout, client_timeout, c);
	timer_arm(&c->timeout, CONTROL_TIMEOUT_MS);
	c->next = ctl.clients;
	if (c->next)
		c->next->prev = c;
	ctl.clients = c;
	ctl.count++;
}

static void busy(int fd)
{
	static const char msg[] = "error busy: try again\n";

	log_warn("control: %d clients already, one more refused", CONTROL_CLIENTS_MAX);
	if (send(fd, msg, sizeof(msg) - 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		log_debug("control: busy: %s", strerror(errno));
	close(fd);
}

static void accept_resume(struct timer *t, void *arg)
{
	(void)t;
	(void)arg;
	loop_mod_fd(ctl.fd, EPOLLIN);
}

static void accept_ready(int fd, uint32_t events, void *arg)
{
	(void)events;
	(void)arg;
	for (int i = 0; i < CONTROL_BACKLOG; i++) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd >= 0) {
			if (ctl.count >= CONTROL_CLIENTS_MAX)
				busy(cfd);
			else
				client_new(cfd);
			continue;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED ||
		    errno == EINTR)
			return;
		/* EMFILE and its kin: the connection stays queued, so level-triggered epoll
		 * would wake us again at once; look away for a moment instead */
		log_warn("control: accept: %s", strerror(errno));
		loop_mod_fd(fd, 0);
		timer_arm(&ctl.resume, CONTROL_ACCEPT_PAUSE_MS);
		return;
	}
}

/* --- the socket --------------------------------------------------------------------------- */

/* The socket's directory: made 0700, or one that only the daemon's user can write. */
static int dir_check(const char *path, char *err, size_t errlen)
{
	char copy[sizeof(ctl.path)];
	const char *dir;
	struct stat st;

	snprintf(copy, sizeof(copy), "%s", path);
	dir = dirname(copy);
	if (mkdir(dir, 0700) == 0)
		return 0;
	if (errno != EEXIST)
		return fail(err, errlen, -errno, "cannot create %s: %s", dir, strerror(errno));
	if (lstat(dir, &st) < 0)
		return fail(err, errlen, -errno, "%s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return fail(err, errlen, -ENOTDIR, "%s is not a directory", dir);
	/* else anyone who can write there could swap our socket for theirs */
	if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)))
		return fail(err, errlen, -EPERM, "%s must belong to uid %u and be writable by it "
			    "alone", dir, (unsigned int)geteuid());
	return 0;
}

/* A socket file left at path: removed if nobody answers there, refused otherwise. */
static int stale_remove(const struct sockaddr_un *sun, char *err, size_t errlen)
{
	struct stat st;
	int fd, ret;

	if (lstat(sun->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : fail(err, errlen, -errno, "%s: %s", sun->sun_path,
						  strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return fail(err, errlen, -EEXIST, "%s exists and is not a socket", sun->sun_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(err, errlen, -errno, "socket: %s", strerror(errno));
	ret = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0 ? 0 : -errno;
	close(fd);
	if (ret == 0)
		return fail(err, errlen, -EADDRINUSE, "another nfsec-iked listens at %s",
			    sun->sun_path);
	if (ret != -ECONNREFUSED)
		return fail(err, errlen, ret, "%s: %s", sun->sun_path, strerror(-ret));
	log_info("control: removing the stale socket %s", sun->sun_path);
	if (unlink(sun->sun_path) < 0 && errno != ENOENT)
		return fail(err, errlen, -errno, "cannot remove %s: %s", sun->sun_path,
			    strerror(errno));
	return 0;
}

static int socket_open(const struct sockaddr_un *sun, char *err, size_t errlen)
{
	struct stat st;
	mode_t mask;
	int ret;

	ctl.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl.fd < 0)
		return fail(err, errlen, -errno, "socket: %s", strerror(errno));
	/* made 0600 from the start: no moment when others could connect */
	mask = umask(0177);
	ret = bind(ctl.fd, (const struct sockaddr *)sun, sizeof(*sun)) < 0 ? -errno : 0;
	umask(mask);
	if (ret < 0) {
		fail(err, errlen, ret, "cannot bind %s: %s", sun->sun_path, strerror(-ret));
		goto err_close;
	}
	if (lstat(sun->sun_path, &st) < 0 || chmod(sun->sun_path, 0600) < 0 ||
	    listen(ctl.fd, CONTROL_BACKLOG) < 0) {
		ret = fail(err, errlen, -errno, "%s: %s", sun->sun_path, strerror(errno));
		goto err_unlink;
	}
	ctl.dev = st.st_dev;
	ctl.ino = st.st_ino;
	ret = loop_add_fd(ctl.fd, EPOLLIN, accept_ready, NULL);
	if (ret < 0) {
		fail(err, errlen, ret, "cannot watch %s: %s", sun->sun_path, strerror(-ret));
		goto err_unlink;
	}
	return 0;

err_unlink:
	unlink(sun->sun_path);
err_close:
	close(ctl.fd);
	ctl.fd = -1;
	return ret;
}

int control_init(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int ret;

	if (ctl.fd >= 0)
		return fail(err, errlen, -EBUSY, "the control socket is open already");
	if (path[0] == '\0' || strlen(path) >= sizeof(sun.sun_path))
		return fail(err, errlen, -ENAMETOOLONG, "control socket path \"%s\": 1 to %zu "
			    "bytes", path, sizeof(sun.sun_path) - 1);
	strcpy(sun.sun_path, path);
	ret = dir_check(path, err, errlen);
	if (!ret)
		ret = stale_remove(&sun, err, errlen);
	if (!ret)
		ret = socket_open(&sun, err, errlen);
	if (ret)
		return ret;
	strcpy(ctl.path, path);
	timer_init(&ctl.resume, accept_resume, NULL);
	log_info("control: listening at %s", path);
	return 0;
}

void control_fini(void)
{
	struct stat st;

	if (ctl.fd < 0)
		return;
	while (ctl.clients)
		client_close(ctl.clients);
	timer_cancel(&ctl.resume);
	loop_del_fd(ctl.fd);
	close(ctl.fd);
	ctl.fd = -1;
	/* a daemon started since may have replaced the file with its own: leave that */
	if (lstat(ctl.path, &st) == 0 && st.st_dev == ctl.dev && st.st_ino == ctl.ino)
		unlink(ctl.path);
}
