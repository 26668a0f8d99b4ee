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
#include <sys/signalfd.h>
#include <unistd.h>

#include <nfsec.h>

#include "commands.h"
#include "json.h"
#include "monitor.h"
#include "policy.h"

const char monitor_usage[] =
	"Usage: nfsec [-j] monitor\n"
	"\n"
	"Print each change to the security policies of the network namespace as it happens,\n"
	"one line each, until interrupted (SIGINT, SIGTERM):\n"
	"\n"
	"    policy add index 3 dir out priority 10 action bypass src 10.0.0.0/24 "
	"dst 0.0.0.0/0 proto tcp dport 443\n"
	"    policy del index 3 dir out priority 10 action bypass src 10.0.0.0/24 "
	"dst 0.0.0.0/0 proto tcp dport 443\n"
	"    policy flush dir in\n"
	"    policy flush\n"
	"\n"
	"A policy added or deleted is shown as \"nfsec policy show\" shows it; a flush names its\n"
	"direction when it had one. With -j, one JSON object a line, the policy as\n"
	"\"nfsec -j policy show\" gives it:\n"
	"\n"
	"    {\"event\":\"policy-add\",\"policy\":{\"index\":3,\"dir\":\"out\",...}}\n"
	"    {\"event\":\"policy-del\",\"policy\":{\"index\":3,\"dir\":\"out\",...}}\n"
	"    {\"event\":\"policy-flush\",\"dir\":\"in\"}\n"
	"    {\"event\":\"policy-flush\"}\n"
	"\n"
	"Each line is written out as soon as it is printed, so a pipe sees it at once. If the\n"
	"kernel had to drop events because they came faster than they were read, nfsec says so\n"
	"and stops: the lines no longer tell the whole story.\n"
	"\n"
	"Exit status: 0 when ended by SIGINT or SIGTERM, 1 on any error; the reason goes to\n"
	"standard error.\n";

struct event_name {
	uint8_t cmd;
	const char *text;	/* behind "policy " */
	const char *json;	/* the "event" value */
};

static const struct event_name event_names[] = {
	{ NFSEC_CMD_POLICY_NEW, "add", "policy-add" },
	{ NFSEC_CMD_POLICY_DEL, "del", "policy-del" },
	{ NFSEC_CMD_POLICY_FLUSH, "flush", "policy-flush" },
};

static const struct event_name *event_name_find(uint8_t cmd)
{
	for (size_t i = 0; i < sizeof(event_names) / sizeof(event_names[0]); i++)
		if (event_names[i].cmd == cmd)
			return &event_names[i];
	return NULL;
}

int monitor_print(FILE *out, bool json, const struct nfsec_event *ev)
{
	const struct event_name *name = event_name_find(ev->cmd);
	struct json j;

	if (!name)
		return 0;
	if (!json) {
		if (ev->has_policy) {
			fprintf(out, "policy %s ", name->text);
			policy_print(out, &ev->policy);
		} else if (ev->dir >= 0) {
			fprintf(out, "policy %s dir %s\n", name->text,
				policy_dir_name((unsigned int)ev->dir));
		} else {
			fprintf(out, "policy %s\n", name->text);
		}
		return 0;
	}

	json_init(&j, out);
	json_object_begin(&j, NULL);
	json_string(&j, "event", name->json);
	if (ev->has_policy)
		policy_json(&j, "policy", &ev->policy);
	else if (ev->dir >= 0)
		json_string(&j, "dir", policy_dir_name((unsigned int)ev->dir));
	json_object_end(&j);
	return json_finish(&j);
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

	if (argc == 2 && matches(argv[1], "help")) {
		fputs(monitor_usage, stdout);
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "nfsec: monitor takes no arguments (got \"%s\"), "
			"try \"nfsec help monitor\"\n", argv[1]);
		return 1;
	}

	h = cli_handle_open();
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
