// SPDX-License-Identifier: GPL-2.0
/*
 * nfsec monitor: the events of the namespace, one line each, until SIGINT or SIGTERM. The
 * signals are taken through a signalfd polled beside the event socket, so one that comes
 * between two polls is not lost, and no handler runs in the middle of a print.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <nfsec.h>

#include "commands.h"
#include "json.h"
#include "monitor.h"
#include "policy.h"
#include "sa.h"
#include "words.h"

const char monitor_usage[] =
	"Usage: nfsec [-j] monitor\n"
	"\n"
	"Print each change to the policies and SAs of the network namespace as it happens, and\n"
	"each acquire and expire, one line each, until interrupted (SIGINT, SIGTERM):\n"
	"\n"
	"    policy add index 3 dir out priority 10 action bypass src 10.0.0.0/24 "
	"dst 0.0.0.0/0 proto tcp dport 443\n"
	"    policy del index 3 dir out priority 10 action bypass src 10.0.0.0/24 "
	"dst 0.0.0.0/0 proto tcp dport 443\n"
	"    policy flush dir in\n"
	"    policy flush\n"
	"    sa add spi 0x1000 dir out src 10.0.0.1 dst 10.0.0.2 proto esp mode tunnel ...\n"
	"    sa del spi 0x1000 dir out src 10.0.0.1 dst 10.0.0.2 proto esp mode tunnel ...\n"
	"    sa flush\n"
	"    acquire policy 4 flow 10.0.1.1 -> 10.0.2.1 proto tcp sport 40000 dport 443\n"
	"    expire soft spi 0x1000 dst 10.0.0.2\n"
	"    expire hard spi 0x1000 dst 10.0.0.2\n"
	"    sa set spi 0x1000 dir out src 10.0.0.1 dst 10.0.0.2 ... encap udp sport 4500 ...\n"
	"    mapping spi 0x2000 dst 10.0.0.1 from 203.0.113.9 port 1025, was 203.0.113.9 port\n"
	"      4500 (one line)\n"
	"\n"
	"A policy or SA added or deleted is shown as \"nfsec policy show\" or \"nfsec sa show\"\n"
	"shows it; a policy flush names its direction when it had one. An acquire says that a\n"
	"packet of the flow found no SA for the protect policy of that index (ports are shown\n"
	"for protocols that have them); an expire, that an SA's soft lifetime ran out (it still\n"
	"works) or its hard one did (it is gone); an sa set, that an SA took new encapsulation\n"
	"ports. A mapping says that an authenticated packet of an inbound SA with UDP\n"
	"encapsulation came from another address or port than the SA's peer's: the peer's NAT\n"
	"mapping moved (at most one a second per SA, until nfsec-iked moves the SAs).\n"
	"With -j, one JSON object a line, policies,\n"
	"SAs and flows as \"nfsec -j policy show\" and \"nfsec -j sa show\" give them:\n"
	"\n"
	"    {\"event\":\"policy-add\",\"policy\":{\"index\":3,\"dir\":\"out\",...}}\n"
	"    {\"event\":\"policy-del\",\"policy\":{\"index\":3,\"dir\":\"out\",...}}\n"
	"    {\"event\":\"policy-flush\",\"dir\":\"in\"}\n"
	"    {\"event\":\"policy-flush\"}\n"
	"    {\"event\":\"sa-add\",\"sa\":{\"spi\":4096,\"dir\":\"out\",...}}\n"
	"    {\"event\":\"sa-del\",\"sa\":{\"spi\":4096,\"dir\":\"out\",...}}\n"
	"    {\"event\":\"sa-flush\"}\n"
	"    {\"event\":\"acquire\",\"policy\":{\"index\":4,...},"
	"\"flow\":{\"src\":\"10.0.1.1/32\",...}}\n"
	"    {\"event\":\"expire\",\"hard\":false,\"sa\":{\"spi\":4096,...}}\n"
	"    {\"event\":\"sa-set\",\"sa\":{\"spi\":4096,...}}\n"
	"    {\"event\":\"mapping\",\"sa\":{\"spi\":8192,...},"
	"\"mapping\":{\"addr\":\"203.0.113.9\",\"port\":1025}}\n"
	"\n"
	"Each line is written out as soon as it is printed, so a pipe sees it at once. If the\n"
	"kernel had to drop events because they came faster than they were read, nfsec says so\n"
	"and stops: the lines no longer tell the whole story.\n"
	"\n"
	"Exit status: 0 when ended by SIGINT or SIGTERM, 1 on any error; the reason goes to\n"
	"standard error.\n";

struct event_name {
	uint8_t cmd;
	const char *text;	/* the line's first words */
	const char *json;	/* the "event" value */
};

static const struct event_name event_names[] = {
	{ NFSEC_CMD_POLICY_NEW, "policy add", "policy-add" },
	{ NFSEC_CMD_POLICY_DEL, "policy del", "policy-del" },
	{ NFSEC_CMD_POLICY_FLUSH, "policy flush", "policy-flush" },
	{ NFSEC_CMD_SA_NEW, "sa add", "sa-add" },
	{ NFSEC_CMD_SA_DEL, "sa del", "sa-del" },
	{ NFSEC_CMD_SA_FLUSH, "sa flush", "sa-flush" },
	{ NFSEC_CMD_ACQUIRE, "acquire", "acquire" },
	{ NFSEC_CMD_EXPIRE, "expire", "expire" },
	{ NFSEC_CMD_SA_SET, "sa set", "sa-set" },
	{ NFSEC_CMD_MAPPING, "mapping", "mapping" },
};

static const struct event_name *event_name_find(uint8_t cmd)
{
	for (size_t i = 0; i < sizeof(event_names) / sizeof(event_names[0]); i++)
		if (event_names[i].cmd == cmd)
			return &event_names[i];
	return NULL;
}

/* An address of the flow: whole, or with its prefix if the kernel sent a shorter one. */
static void flow_addr_format(char *buf, uint16_t family, const uint8_t *addr, uint8_t len)
{
	if (len == (family == AF_INET ? 32 : 128))
		addr_format(buf, family, addr);
	else
		prefix_format(buf, family, addr, len);
}

static void flow_ports_print(FILE *out, const char *name, uint16_t min, uint16_t max)
{
	if (min == max)
		fprintf(out, " %s %u", name, min);
	else
		fprintf(out, " %s %u-%u", name, min, max);
}

/* "flow SRC -> DST proto P [sport N dport N]": ports for protocols that have them. */
static void flow_print(FILE *out, const struct nfsec_selector *flow)
{
	char src[PREFIX_TEXT_LEN], dst[PREFIX_TEXT_LEN];
	const struct proto *proto = proto_find(flow->proto);

	flow_addr_format(src, flow->family, flow->src, flow->src_prefix);
	flow_addr_format(dst, flow->family, flow->dst, flow->dst_prefix);
	fprintf(out, " flow %s -> %s", src, dst);
	if (proto)
		fprintf(out, " proto %s", proto->name);
	else
		fprintf(out, " proto %u", flow->proto);
	if (proto && !proto->ports)
		return;
	flow_ports_print(out, "sport", flow->sport_min, flow->sport_max);
	flow_ports_print(out, "dport", flow->dport_min, flow->dport_max);
}

/* " from ADDR port N, was ADDR port N": where the peer's packet came from, and before. */
static void mapping_print(FILE *out, const struct nfsec_event *ev)
{
	char now[ADDR_TEXT_LEN], was[ADDR_TEXT_LEN];

	addr_format(now, ev->sa.family, ev->mapping_addr);
	addr_format(was, ev->sa.family, ev->sa.src);
	fprintf(out, " from %s port %u, was %s port %u", now, ev->mapping_port, was,
		ev->sa.encap_sport);
}

static void text_print(FILE *out, const struct event_name *name, const struct nfsec_event *ev)
{
	fputs(name->text, out);
	switch (ev->cmd) {
	case NFSEC_CMD_ACQUIRE:
		fprintf(out, " policy %u", ev->policy.index);
		flow_print(out, &ev->flow);
		break;
	case NFSEC_CMD_EXPIRE:
		fprintf(out, " %s ", ev->hard ? "hard" : "soft");
		sa_id_print(out, &ev->sa);
		break;
	case NFSEC_CMD_MAPPING:
		fputc(' ', out);
		sa_id_print(out, &ev->sa);
		mapping_print(out, ev);
		break;
	default:
		if (ev->has_policy) {
			fputc(' ', out);
			policy_print(out, &ev->policy);
			return;
		}
		if (ev->has_sa) {
			fputc(' ', out);
			sa_print(out, &ev->sa);
			return;
		}
		if (ev->dir >= 0)
			fprintf(out, " dir %s", policy_dir_name((unsigned int)ev->dir));
	}
	fputc('\n', out);
}

static int json_print(FILE *out, const struct event_name *name, const struct nfsec_event *ev)
{
	struct json j;

	json_init(&j, out);
	json_object_begin(&j, NULL);
	json_string(&j, "event", name->json);
	if (ev->cmd == NFSEC_CMD_EXPIRE)
		json_bool(&j, "hard", ev->hard);
	if (ev->has_policy)
		policy_json(&j, "policy", &ev->policy);
	else if (ev->dir >= 0)
		json_string(&j, "dir", policy_dir_name((unsigned int)ev->dir));
	if (ev->cmd == NFSEC_CMD_ACQUIRE) {
		json_object_begin(&j, "flow");
		selector_json_members(&j, &ev->flow);
		json_object_end(&j);
	}
	if (ev->has_sa)
		sa_json(&j, "sa", &ev->sa);
	if (ev->cmd == NFSEC_CMD_MAPPING) {
		char addr[ADDR_TEXT_LEN];

		addr_format(addr, ev->sa.family, ev->mapping_addr);
		json_object_begin(&j, "mapping");
		json_string(&j, "addr", addr);
		json_u64(&j, "port", ev->mapping_port);
		json_object_end(&j);
	}
	json_object_end(&j);
	return json_finish(&j);
}

int monitor_print(FILE *out, bool json, const struct nfsec_event *ev)
{
	const struct event_name *name = event_name_find(ev->cmd);

	if (!name)
		return 0;
	if (json)
		return json_print(out, name, ev);
	text_print(out, name, ev);
	return 0;
}

struct monitor {
	bool json;
	bool print_failed;	/* stdout refused a line, or the JSON writer failed */
};

static int print_event(const struct nfsec_event *ev, void *arg)
{
	struct monitor *m = arg;

	if (monitor_print(stdout, m->json, ev) < 0 || fflush(stdout) == EOF || ferror(stdout)) {
		m->print_failed = true;
		return -EIO;
	}
	return 0;
}

/*
 * Takes the pending signals off sigfd: left pending, they would end the process the moment
 * monitor_main() unblocks them.
 */
static void drain_signals(int sigfd)
{
	struct signalfd_siginfo si;

	while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		;
}

/* Prints events until a signal comes in on sigfd (0) or something fails (1, said why). */
static int monitor_loop(struct nfsec_handle *h, struct monitor *m, int sigfd)
{
	struct pollfd fds[2] = {
		{ .fd = nfsec_monitor_fd(h), .events = POLLIN },
		{ .fd = sigfd, .events = POLLIN },
	};
	int ret;

	for (;;) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "nfsec: monitor: poll: %s\n", strerror(errno));
			return 1;
		}
		if (fds[1].revents) {
			drain_signals(sigfd);
			return 0;
		}
		/* POLLERR included: the read says what it is (ENOBUFS: events lost) */
		if (!fds[0].revents)
			continue;
		ret = nfsec_monitor_read(h, print_event, m);
		if (ret < 0 && m->print_failed) {
			/* main() reports a write error on stdout */
			if (!ferror(stdout))
				fprintf(stderr, "nfsec: monitor: an event could not be printed\n");
			return 1;
		}
		if (ret < 0) {
			fflush(stdout);
			fprintf(stderr, "nfsec: %s\n", nfsec_error(h));
			return 1;
		}
	}
}

int monitor_main(const struct cli_opts *opts, int argc, char **argv)
{
	struct monitor m = { .json = opts->json };
	struct nfsec_handle *h;
	sigset_t stop, saved;
	int sigfd, status;

	status = command_no_arguments("monitor", monitor_usage, argc, argv);
	if (status >= 0)
		return status;

	h = cli_handle_open_own();
	if (!h)
		return 1;
	if (nfsec_monitor_open(h) < 0)
		return cli_handle_done(h, -1);

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &stop, &saved) < 0) {
		fprintf(stderr, "nfsec: monitor: cannot block SIGINT and SIGTERM: %s\n",
			strerror(errno));
		nfsec_close(h);
		return 1;
	}
	sigfd = signalfd(-1, &stop, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sigfd < 0) {
		fprintf(stderr, "nfsec: monitor: signalfd: %s\n", strerror(errno));
		status = 1;
	} else {
		status = monitor_loop(h, &m, sigfd);
		close(sigfd);
	}
	sigprocmask(SIG_SETMASK, &saved, NULL);
	nfsec_close(h);
	return status;
}
