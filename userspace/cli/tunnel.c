// SPDX-License-Identifier: GPL-2.0
/*
 * nfsec tunnel: a client of nfsec-iked's control socket (control_proto.h has the
 * protocol). Every subcommand checks its words here ("add" with tunnel_parse(), so a bad
 * word is reported before anything is sent), sends one request line and prints the body
 * of the reply as it came: the daemon formats "show" (text or JSON), since it alone knows
 * the state.
 *
 * The secret: "add" carries it in hex (tunnel_serialize()); the model and the request
 * buffer are wiped once sent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "commands.h"
#include "control_proto.h"
#include "tunnel.h"

enum {
	REPLY_TIMEOUT_S = 15,		/* longer than the daemon's CONTROL_TIMEOUT_MS */
	NAME_REQUEST_MAX = 16 + TUNNEL_NAME_MAX,
};

const char tunnel_usage[] =
	"Usage: nfsec [-j] tunnel { add | delete | up | down | show | reload } ...\n"
	"\n"
	"  nfsec tunnel add NAME local ADDR remote { ADDR | %any }\n"
	"                   [local-ts TS[,TS...]] [remote-ts TS[,TS...]]\n"
	"                   { auth psk psk SECRET | auth cert cert PATH key PATH ca PATH }\n"
	"                   [local-id ID] [remote-id ID] [ike PROPOSALS] [esp PROPOSALS]\n"
	"                   [pfs { GROUP | no }] [mode { main | aggressive }]\n"
	"                   [encap { tunnel | transport }] [ike-lifetime DURATION]\n"
	"                   [lifetime DURATION] [lifebytes SIZE] [rekey-margin DURATION]\n"
	"                   [auto { trap | start | none }] [weak-groups { yes | no }]\n"
	"                   [allow-sha1 { yes | no }] [reqid N]\n"
	"                   [dpd DURATION [dpd-timeout DURATION]\n"
	"                    [dpd-mode { on-demand | periodic }]\n"
	"                    [dpd-action { clear | hold | restart }]]\n"
	"                   [nat-t { yes | no | force }] [nat-keepalive DURATION]\n"
	"  nfsec tunnel delete NAME\n"
	"  nfsec tunnel up NAME\n"
	"  nfsec tunnel down NAME\n"
	"  nfsec [-j] tunnel show [-s] [NAME]\n"
	"  nfsec [-j] tunnel reload\n"
	"\n"
	"  NAME      := 1 to 32 of A-Z a-z 0-9 _ . -\n"
	"  TS        := PREFIX[[PROTO[/PORT]]], as 10.0.1.0/24 or 10.0.1.0/24[tcp/80];\n"
	"               PORT a number or %any\n"
	"  SECRET    := 0xHEX | file:PATH | TEXT (write TEXT that starts with 0x or file:\n"
	"               in hex)\n"
	"  ID        := ADDR | fqdn:NAME | @NAME | NAME (with a dot and a letter) |\n"
	"               email:USER@HOST | USER@HOST | dn:DN | DN (with a '=') | keyid:HEX |\n"
	"               %any (remote-id only)\n"
	"  PROPOSALS := PROPOSAL[,PROPOSAL...], the most preferred first:\n"
	"               ike ENC-HASH-GROUP, as aes256-sha256-modp2048;\n"
	"               esp AEAD[-GROUP][-esn] or ENC-INTEG[-GROUP][-esn], as aes128gcm16 or\n"
	"               aes256-sha256-modp2048-esn\n"
	"  ENC       := aes128 | aes192 | aes256 (esp also: null)\n"
	"  AEAD      := aes128gcm16 | aes192gcm16 | aes256gcm16 | chacha20poly1305\n"
	"  HASH, INTEG := sha256 | sha384 | sha512 | sha1 (with allow-sha1 yes)\n"
	"  GROUP     := modp2048 | modp3072 | modp4096 | ecp256 | ecp384 | ecp521 |\n"
	"               curve25519 | modp768 | modp1024 | modp1536 (with weak-groups yes)\n"
	"  DURATION  := N[s|m|h|d], seconds without a suffix\n"
	"  SIZE      := N[k|M|G] bytes, k = 1024\n"
	"\n"
	"A tunnel is what nfsec-iked negotiates with one peer over IKEv1: a phase-1 (ISAKMP)\n"
	"SA between local and remote, and for every pair of a local-ts and a remote-ts of one\n"
	"family a phase-2 (ESP) SA, through which the kernel's policies send the traffic those\n"
	"selectors match. nfsec tunnel talks to nfsec-iked over its control socket,\n"
	CONTROL_SOCKET_DEFAULT " unless the environment variable " CONTROL_SOCKET_ENV "\n"
	"names another. The daemon's configuration file takes the same words, one\n"
	"\"tunnel NAME WORDS...\" a line.\n"
	"\n"
	"add: the words are checked here, before anything is sent; keywords may come in any\n"
	"order, each once. local and remote are needed, and one auth with its words. Left out:\n"
	"  local-ts, remote-ts  needed with encap tunnel; with encap transport, the endpoints;\n"
	"                       with remote %any, remote-ts is each peer's own address\n"
	"  local-id, remote-id  the endpoint addresses (remote %any: any id)\n"
	"  ike                  aes128-sha256-modp2048,aes256-sha256-modp2048\n"
	"  esp                  aes128gcm16,aes128-sha256\n"
	"  pfs                  no; a GROUP is added to each esp proposal without one, and\n"
	"                       all esp proposals must then carry the same group\n"
	"  mode                 main (aggressive: one DH group for every ike proposal)\n"
	"  encap                tunnel\n"
	"  ike-lifetime         8h (phase 1)\n"
	"  lifetime             1h (phase 2)\n"
	"  lifebytes            none (phase 2)\n"
	"  rekey-margin         9m, for both phases; below both lifetimes\n"
	"  auto                 trap: the policies go in at once and the first packet starts\n"
	"                       the negotiation; start: negotiate at once; none: only on\n"
	"                       \"nfsec tunnel up\" or when the peer starts. With remote %any,\n"
	"                       none, the only one allowed\n"
	"  weak-groups          no: modp768, modp1024 and modp1536 are refused\n"
	"  allow-sha1           no: sha1 is refused, for IKE and ESP\n"
	"  reqid                0: the daemon picks the lowest one free from 1 up\n"
	"Every local-ts needs a remote-ts of its family and the other way round. PATHs are\n"
	"absolute, and read by the daemon. A SECRET on the command line can be seen by\n"
	"other users in the process list: prefer psk file:PATH. Nothing shows the secret.\n"
	"\n"
	"delete (or del): removes the tunnel, its SAs and its policies.\n"
	"up: starts phase 1 and phase 2 now; down: tears them down (an auto trap tunnel keeps\n"
	"its policies and comes up again with the next packet; a remote %any tunnel's peers\n"
	"lose theirs, until they negotiate again). Both return at once; show tells how it\n"
	"went. A remote %any tunnel only answers: up is refused.\n"
	"\n"
	"show (or list) [-s] [NAME]: every tunnel, or the one named:\n"
	"\n"
	"    moon-sun: 192.168.1.1 -> 192.168.1.2, main mode, psk\n"
	"      phase 1: ESTABLISHED aes128-sha256-modp2048, 7h59m left\n"
	"      phase 2: 10.0.1.0/24 === 10.0.2.0/24 ESTABLISHED spi in 0xc1a2b3c4\n"
	"        out 0x01020304 aes128gcm16, 59m left, 1.2 MB in, 3.4 MB out\n"
	"\n"
	"(the phase 2 line is one line, one per SA). With -s, each established SA's counters\n"
	"as the module keeps them follow its phase 2 line, one line each way, what its hard\n"
	"byte lifetime leaves when it has one, and the packets dropped by reason (those of\n"
	"nfsec sa show):\n"
	"\n"
	"        in: 176 packets, 19272 bytes, 1953 KB left; dropped: 2 replay, 1 auth-fail\n"
	"        out: 396 packets, 545144 bytes, 1432 KB left; dropped: none\n"
	"\n"
	"Then \"  down: REASON\" when the last\n"
	"attempt failed, and when there are any, the responder phase 1s waiting for the\n"
	"peer, the messages dropped (the peer's quick modes over the cap: two waiting\n"
	"for their SAs per selector pair) and the first messages refused (no proposal\n"
	"taken, an exchange the tunnel does not do): \"  half-open: 1; dropped: 3\n"
	"undecryptable, 0 replayed, 0 over the half-open caps, 0 quick modes over the cap;\n"
	"refused: 0\". Sizes count in units of 1024. A tunnel to remote %any has no SA of\n"
	"its own: each peer that came has its own SAs and policies, and is up when the\n"
	"kernel sends its traffic through them:\n"
	"\n"
	"    rw: 192.168.1.1 -> %any, main mode, psk\n"
	"      peers: 1 of 1 up\n"
	"      peer 192.168.1.2: up\n"
	"        phase 1: ESTABLISHED aes128-sha256-modp2048, 7h59m left\n"
	"        phase 2: 10.0.1.0/24 === 10.0.2.0/24 ESTABLISHED spi in ...\n"
	"\n"
	"A peer behind a NAT shows its port too (\"peer 203.0.113.254 port 20001: up\"):\n"
	"hosts behind one NAT share its address.\n"
	"\n"
	"With -j, a JSON array of objects, each phase 2 with its counters (\"in\" and \"out\":\n"
	"{\"packets\",\"bytes\",\"kilobytes_left\",\"drops\":{\"replay\",...}}, beside\n"
	"\"bytes_in\" and \"bytes_out\"), and for remote %any also \"peers_up\" and \"peers\", each\n"
	"{\"address\",\"port\" (behind a NAT),\"up\",\"phase1\",\"phase2\",\"down_reason\",\"half_open\",\"drops\"}):\n"
	"\n"
	"    [{\"name\":\"moon-sun\",\"local\":\"192.168.1.1\",\"remote\":\"192.168.1.2\",\n"
	"      \"mode\":\"main\",\"encap\":\"tunnel\",\"auth\":\"psk\",\"reqid\":1,\n"
	"      \"config\":\"moon-sun local ... psk <hidden> ...\",\n"
	"      \"phase1\":{\"state\":\"ESTABLISHED\",\"established\":true,\n"
	"        \"algorithms\":\"aes128-sha256-modp2048\",\"seconds_left\":28740,\n"
	"        \"why_down\":null},\n"
	"      \"phase2\":[{\"local_ts\":\"10.0.1.0/24\",\"remote_ts\":\"10.0.2.0/24\",\n"
	"        \"state\":\"ESTABLISHED\",\"established\":true,\"spi_in\":3248665540,\n"
	"        \"spi_out\":16909060,\"algorithms\":\"aes128gcm16\",\"seconds_left\":3540,\n"
	"        \"bytes_in\":1258291,\"bytes_out\":3565158}],\n"
	"      \"down_reason\":null,\"half_open\":0,\"drops\":{\"undecryptable\":0,\n"
	"        \"replayed\":0,\"half_open_refused\":0,\"refused\":0,\"qm_refused\":0}}]\n"
	"\n"
	"reload: nfsec-iked reads its configuration file again (-c FILE), as SIGHUP makes\n"
	"it: the whole file and every PSK, certificate and key file it names first; on any\n"
	"error nothing changes, and the error names FILE:LINE. Else the file's tunnels gone\n"
	"from it are removed as delete removes them, those whose words or files changed are\n"
	"removed and added again, new ones added (each as at start: auto start negotiates),\n"
	"and those unchanged keep their SAs. Tunnels added with \"nfsec tunnel add\" are\n"
	"left alone. Prints\n"
	"\n"
	"    reloaded: 1 added, 1 changed, 0 removed, 3 unchanged\n"
	"\n"
	"or with -j {\"added\":1,\"changed\":1,\"removed\":0,\"unchanged\":3}.\n"
	"\n"
	"\"nfsec tunnel\" alone is \"nfsec tunnel show\". add, delete, up, down and reload need\n"
	"root (or the daemon's user); show needs access to the socket.\n"
	"\n"
	"Exit status: 0 on success, 1 on any error; the reason goes to standard error.\n";

static int usage_error(const char *why)
{
	fprintf(stderr, "nfsec: %s\n", why);
	return 1;
}

/* The control socket: $NFSEC_IKED_SOCKET if set and not empty, else the default. */
static const char *socket_path(void)
{
	const char *path = getenv(CONTROL_SOCKET_ENV);

	return path && path[0] ? path : CONTROL_SOCKET_DEFAULT;
}

static int connect_to(const char *path, struct errmsg *err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = REPLY_TIMEOUT_S };
	int fd, e;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errmsg_set(err, "cannot reach nfsec-iked at %s: the path is longer than %zu bytes",
			   path, sizeof(sun.sun_path) - 1);
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		errmsg_set(err, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		return fd;
	}
	e = errno;
	close(fd);
	errmsg_set(err, "cannot reach nfsec-iked at %s: %s%s", path, strerror(e),
		   e == EACCES || e == EPERM ? " (are you root?)" : " (is nfsec-iked running?)");
	return -1;
}

static int send_all(int fd, const char *path, const char *buf, size_t len,
		    struct errmsg *err)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			errmsg_set(err, "cannot send to nfsec-iked at %s: %s", path,
				   errno == EAGAIN ? "timed out" : strerror(errno));
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The whole reply into *out (NUL-terminated), *len bytes. */
static int read_all(int fd, const char *path, char **out, size_t *len, struct errmsg *err)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);

	while (buf) {
		ssize_t r;

		if (n + 1 == cap) {
			char *bigger = cap > CONTROL_REPLY_MAX ? NULL : realloc(buf, 2 * cap);

			if (!bigger) {
				errmsg_set(err, "the reply of nfsec-iked at %s is too large", path);
				free(buf);
				return -1;
			}
			buf = bigger;
			cap *= 2;
		}
		r = recv(fd, buf + n, cap - 1 - n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		/* the daemon closes as soon as it has replied, possibly with a reset */
		if (r == 0 || (r < 0 && errno == ECONNRESET && memchr(buf, '\n', n)))
			break;
		if (r < 0) {
			errmsg_set(err, "no reply from nfsec-iked at %s: %s", path,
				   errno == EAGAIN ? "timed out" : strerror(errno));
			free(buf);
			return -1;
		}
		n += (size_t)r;
	}
	if (!buf) {
		errmsg_set(err, "out of memory");
		return -1;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/*
 * Sends request (one line, its newline included) to nfsec-iked at path and reads the
 * reply to the end. 0 with the body after "ok\n" in *body (malloc'd, NUL-terminated,
 * *len bytes), or -1 with err set: the daemon's "error" message as it is, or why it could
 * not be asked ("cannot reach nfsec-iked at PATH: ... (is nfsec-iked running?)").
 */
static int tunnel_request(const char *path, const char *request, size_t request_len,
			  char **body, size_t *len, struct errmsg *err)
{
	char *reply = NULL;
	int fd, ret;

	fd = connect_to(path, err);
	if (fd < 0)
		return -1;
	ret = send_all(fd, path, request, request_len, err);
	if (!ret)
		shutdown(fd, SHUT_WR);
	if (!ret)
		ret = read_all(fd, path, &reply, len, err);
	close(fd);
	if (!ret)
		ret = control_reply_parse(path, reply, len, err);
	if (ret) {
		free(reply);
		return -1;
	}
	*body = reply;
	return 0;
}

/* Sends request and prints the body of the reply: the exit status. */
static int run_request(const char *request, size_t len)
{
	struct errmsg err;
	size_t body_len;
	char *body;

	if (tunnel_request(socket_path(), request, len, &body, &body_len, &err) < 0)
		return usage_error(err.text);
	fwrite(body, 1, body_len, stdout);
	free(body);
	return 0;
}

/* "VERB NAME\n" (or "VERB\n" when the name is optional and not there) for argv. */
static int name_request(const char *cmd, const char *verb, bool optional, int argc,
			char **argv)
{
	char request[NAME_REQUEST_MAX];
	struct errmsg err;
	int n;

	if (argc > 2) {
		fprintf(stderr, "nfsec: tunnel %s takes %s NAME (got \"%s\" too), try \"nfsec "
			"help tunnel\"\n", cmd, optional ? "at most one" : "one", argv[2]);
		return 1;
	}
	if (argc < 2 && !optional) {
		fprintf(stderr, "nfsec: tunnel %s needs a NAME, try \"nfsec help tunnel\"\n", cmd);
		return 1;
	}
	if (argc == 2 && tunnel_name_check(argv[1], &err) < 0)
		return usage_error(err.text);
	n = snprintf(request, sizeof(request), "%s%s%s\n", verb, argc == 2 ? " " : "",
		     argc == 2 ? argv[1] : "");
	return run_request(request, (size_t)n);
}

static int tunnel_add(const struct cli_opts *opts, int argc, char **argv)
{
	char err[sizeof(((struct errmsg *)0)->text)];
	char *request;
	struct tunnel t;
	int n, status;

	(void)opts;
	if (tunnel_parse(argv + 1, argc - 1, &t, err, sizeof(err)) < 0)
		return usage_error(err);
	request = malloc(CONTROL_REQUEST_MAX);
	if (!request) {
		tunnel_wipe(&t);
		return usage_error("out of memory");
	}
	memcpy(request, "add ", 4);
	n = tunnel_serialize(&t, request + 4, CONTROL_REQUEST_MAX - 5);
	tunnel_wipe(&t);
	if (n < 0) {
		status = usage_error("the tunnel is too long to send");
	} else {
		request[4 + n] = '\n';
		status = run_request(request, 4 + (size_t)n + 1);
	}
	explicit_bzero(request, CONTROL_REQUEST_MAX);
	free(request);
	return status;
}

static int tunnel_delete(const struct cli_opts *opts, int argc, char **argv)
{
	(void)opts;
	return name_request("delete", "del", false, argc, argv);
}

static int tunnel_up(const struct cli_opts *opts, int argc, char **argv)
{
	(void)opts;
	return name_request("up", "up", false, argc, argv);
}

static int tunnel_down(const struct cli_opts *opts, int argc, char **argv)
{
	(void)opts;
	return name_request("down", "down", false, argc, argv);
}

/* show [-s] [NAME]: -s (or -stats) adds each SA's counters; JSON always has them. */
static int tunnel_show(const struct cli_opts *opts, int argc, char **argv)
{
	char *args[3] = { argv[0] };	/* a third word: name_request() refuses it */
	bool counters = false;
	int n = 1;

	for (int i = 1; i < argc; i++) {
		if (!counters && (!strcmp(argv[i], "-s") || !strcmp(argv[i], "-stats")))
			counters = true;
		else if (n < 3)
			args[n++] = argv[i];
	}
	return name_request("show", opts->json ? "show-json" : counters ? "show-stats" : "show",
			    true, n, args);
}

static int tunnel_reload(const struct cli_opts *opts, int argc, char **argv)
{
	static const char text[] = "reload\n", json[] = "reload-json\n";

	if (argc > 1) {
		fprintf(stderr, "nfsec: tunnel reload takes no argument (got \"%s\"), try \"nfsec "
			"help tunnel\"\n", argv[1]);
		return 1;
	}
	return opts->json ? run_request(json, sizeof(json) - 1) :
			    run_request(text, sizeof(text) - 1);
}

static const struct command tunnel_commands[] = {
	{ "add", tunnel_add, "add a tunnel to nfsec-iked", tunnel_usage },
	{ "delete", tunnel_delete, "remove a tunnel", tunnel_usage },
	{ "up", tunnel_up, "negotiate a tunnel now", tunnel_usage },
	{ "down", tunnel_down, "tear a tunnel's SAs down", tunnel_usage },
	{ "show", tunnel_show, "show the tunnels and their state", tunnel_usage },
	{ "list", tunnel_show, "show the tunnels and their state", tunnel_usage },
	{ "reload", tunnel_reload, "read nfsec-iked's configuration file again", tunnel_usage },
	{ "help", NULL, "show how to use nfsec tunnel", tunnel_usage },
	{ NULL, NULL, NULL, NULL },
};

int tunnel_main(const struct cli_opts *opts, int argc, char **argv)
{
	return subcommand_run("tunnel", tunnel_commands, "show", opts, argc, argv);
}
