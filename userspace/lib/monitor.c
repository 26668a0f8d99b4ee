// SPDX-License-Identifier: GPL-2.0
/*
 * libnfsec: events, from the multicast group NFSEC_MCGRP_EVENTS, on a socket of their own
 * (h->mon) so they never meet the replies nfsec_request() waits for on h->sk.
 *
 * The event socket is read with recv() here, not through libnl: libnl turns ENOBUFS (the
 * kernel dropped events) into NLE_NOMEM, the same as running out of memory, and its
 * receive loop would want sequence checking turned off for messages that nobody asked
 * for. Every message is still decoded by the strict parsers replies go through.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include "internal.h"

static const char monitor_op[] = "monitor";

/* The events this version knows, and what messages call them. */
static const char *const event_ops[NFSEC_CMD_MAX + 1] = {
	[NFSEC_CMD_POLICY_NEW]	 = "policy add event",
	[NFSEC_CMD_POLICY_DEL]	 = "policy delete event",
	[NFSEC_CMD_POLICY_FLUSH] = "policy flush event",
	[NFSEC_CMD_SA_NEW]	 = "SA add event",
	[NFSEC_CMD_SA_DEL]	 = "SA delete event",
	[NFSEC_CMD_SA_FLUSH]	 = "SA flush event",
	[NFSEC_CMD_ACQUIRE]	 = "acquire event",
	[NFSEC_CMD_EXPIRE]	 = "expire event",
	[NFSEC_CMD_SA_SET]	 = "SA set event",
	[NFSEC_CMD_MAPPING]	 = "mapping event",
};

enum {
	/*
	 * Asked for the event socket's receive buffer, so a burst of changes (a script adding
	 * policies) is queued rather than dropped; the kernel caps it at net.core.rmem_max.
	 */
	MONITOR_RCVBUF = 1 << 20,
	/* Datagrams one nfsec_monitor_read() takes, so a flood cannot keep it from returning. */
	MONITOR_BATCH = 64,
	/* An event is a few hundred bytes; the kernel builds none above NLMSG_GOODSIZE (8k). */
	MONITOR_BUFSIZE = 16384,
};

int nfsec_monitor_join(struct nfsec_handle *h, const char *family, const char *group)
{
	struct nl_sock *mon;
	int grp, ret;

	if (h->family <= 0)
		return nfsec_seterr(h, -ENOTCONN, "%s: the handle is not open", monitor_op);
	if (h->mon)
		return 0;

	/* the controller is asked on the request socket: its replies are acked like ours */
	grp = genl_ctrl_resolve_grp(h->sk, family, group);
	if (grp == -NLE_OBJ_NOTFOUND)
		return nfsec_seterr(h, -ENOENT, "%s: the generic netlink family \"%s\" has no "
				    "multicast group \"%s\"", monitor_op, family, group);
	if (grp < 0)
		return nfsec_seterr(h, nfsec_nlerr_to_errno(grp),
				    "%s: cannot look up the multicast group \"%s\": %s", monitor_op,
				    group, nl_geterror(grp));

	mon = nl_socket_alloc();
	if (!mon)
		return nfsec_seterr(h, -ENOMEM, "%s: cannot allocate a netlink socket: out of "
				    "memory", monitor_op);
	ret = genl_connect(mon);
	if (ret < 0) {
		nl_socket_free(mon);
		return nfsec_seterr(h, nfsec_nlerr_to_errno(ret),
				    "%s: cannot open a generic netlink socket: %s", monitor_op,
				    nl_geterror(ret));
	}
	/* best effort: a smaller buffer only makes ENOBUFS likelier */
	nl_socket_set_buffer_size(mon, MONITOR_RCVBUF, 0);
	ret = nl_socket_add_membership(mon, grp);
	if (ret < 0) {
		nl_socket_free(mon);
		return nfsec_seterr(h, nfsec_nlerr_to_errno(ret),
				    "%s: cannot join the multicast group \"%s\": %s%s", monitor_op,
				    group, nl_geterror(ret), ret == -NLE_PERM ?
				    " (its events need CAP_NET_ADMIN)" : "");
	}
	h->mon = mon;
	return 0;
}

int nfsec_monitor_open(struct nfsec_handle *h)
{
	return nfsec_monitor_join(h, NFSEC_GENL_NAME, NFSEC_MCGRP_EVENTS);
}

static int not_monitoring(struct nfsec_handle *h)
{
	return nfsec_seterr(h, -ENOTCONN, "%s: not subscribed to events (call "
			    "nfsec_monitor_open() first)", monitor_op);
}

int nfsec_monitor_fd(struct nfsec_handle *h)
{
	if (!h->mon)
		return not_monitoring(h);
	return nl_socket_get_fd(h->mon);
}

static const struct nla_policy event_policy[NFSEC_A_MAX + 1] = {
	[NFSEC_A_POLICY]      = { .type = NLA_NESTED },
	[NFSEC_A_SA]	      = { .type = NLA_NESTED },
	[NFSEC_A_FLOW]	      = { .type = NLA_NESTED },
	[NFSEC_A_EXPIRE_HARD] = { .type = NLA_FLAG },
	[NFSEC_A_MAPPING]     = { .type = NLA_NESTED },
};

static const struct nla_policy mapping_policy[NFSEC_MAPPING_A_MAX + 1] = {
	[NFSEC_MAPPING_A_ADDR] = { .type = NLA_UNSPEC, .minlen = 4, .maxlen = 16 },
	[NFSEC_MAPPING_A_PORT] = { .type = NLA_U16, .maxlen = sizeof(uint16_t) },
};

static int reply_lacks(struct nfsec_handle *h, const char *op, const char *name)
{
	return nfsec_seterr(h, -EBADMSG, "%s: reply lacks %s", op, name);
}

/* A policy, in full: the one added, deleted, or that found no SA. */
static int policy_event(struct nfsec_handle *h, const char *op, struct nlattr **tb,
			struct nfsec_event *ev)
{
	int ret;

	if (!tb[NFSEC_A_POLICY])
		return reply_lacks(h, op, "NFSEC_A_POLICY");
	ret = nfsec_policy_decode(h, op, tb[NFSEC_A_POLICY], &ev->policy);
	if (ret < 0)
		return ret;
	ev->has_policy = true;
	ev->dir = ev->policy.dir;
	return 0;
}

/* An SA, in full but for keys: the one added, deleted or expired. */
static int sa_event(struct nfsec_handle *h, const char *op, struct nlattr **tb,
		    struct nfsec_event *ev)
{
	int ret;

	if (!tb[NFSEC_A_SA])
		return reply_lacks(h, op, "NFSEC_A_SA");
	ret = nfsec_sa_decode(h, op, tb[NFSEC_A_SA], &ev->sa);
	if (ret < 0)
		return ret;
	ev->has_sa = true;
	return 0;
}

static int acquire_event(struct nfsec_handle *h, const char *op, struct nlattr **tb,
			 struct nfsec_event *ev)
{
	int ret;

	if (!tb[NFSEC_A_FLOW])
		return reply_lacks(h, op, "NFSEC_A_FLOW");
	ret = policy_event(h, op, tb, ev);
	if (ret < 0)
		return ret;
	return nfsec_flow_decode(h, op, "NFSEC_A_FLOW", tb[NFSEC_A_FLOW], &ev->flow);
}

/* The inbound SA and where its packet came from: both required, the port not 0. */
static int mapping_event(struct nfsec_handle *h, const char *op, struct nlattr **tb,
			 struct nfsec_event *ev)
{
	static const int required[] = { NFSEC_MAPPING_A_ADDR, NFSEC_MAPPING_A_PORT };
	static const char *const names[NFSEC_MAPPING_A_MAX + 1] = {
		[NFSEC_MAPPING_A_ADDR] = "NFSEC_MAPPING_A_ADDR",
		[NFSEC_MAPPING_A_PORT] = "NFSEC_MAPPING_A_PORT",
	};
	struct nlattr *mtb[NFSEC_MAPPING_A_MAX + 1];
	int ret;

	if (!tb[NFSEC_A_MAPPING])
		return reply_lacks(h, op, "NFSEC_A_MAPPING");
	ret = sa_event(h, op, tb, ev);
	if (!ret)
		ret = nfsec_nest_parse(h, op, "NFSEC_A_MAPPING", tb[NFSEC_A_MAPPING], mtb,
				       NFSEC_MAPPING_A_MAX, mapping_policy);
	if (!ret)
		ret = nfsec_need(h, op, mtb, required, 2, names);
	if (!ret)
		ret = nfsec_addr_get(h, op, mtb[NFSEC_MAPPING_A_ADDR], names[NFSEC_MAPPING_A_ADDR],
				     ev->sa.family, ev->mapping_addr);
	if (ret < 0)
		return ret;
	ev->mapping_port = nla_get_u16(mtb[NFSEC_MAPPING_A_PORT]);
	if (!ev->mapping_port)
		return nfsec_seterr(h, -EBADMSG, "%s: %s is 0", op, names[NFSEC_MAPPING_A_PORT]);
	return 0;
}

/* Each event's attributes into *ev. */
static int event_decode(struct nfsec_handle *h, const char *op, struct nlattr **tb,
			struct nfsec_event *ev)
{
	switch (ev->cmd) {
	case NFSEC_CMD_POLICY_NEW:
	case NFSEC_CMD_POLICY_DEL:
		return policy_event(h, op, tb, ev);
	case NFSEC_CMD_POLICY_FLUSH:
		/* without the attribute, every direction was flushed */
		if (!tb[NFSEC_A_POLICY])
			return 0;
		return nfsec_policy_dir_decode(h, op, tb[NFSEC_A_POLICY], &ev->dir);
	case NFSEC_CMD_SA_NEW:
	case NFSEC_CMD_SA_DEL:
	case NFSEC_CMD_SA_SET:
		return sa_event(h, op, tb, ev);
	case NFSEC_CMD_MAPPING:
		return mapping_event(h, op, tb, ev);
	case NFSEC_CMD_ACQUIRE:
		return acquire_event(h, op, tb, ev);
	case NFSEC_CMD_EXPIRE:
		ev->hard = tb[NFSEC_A_EXPIRE_HARD] != NULL;
		return sa_event(h, op, tb, ev);
	default:		/* NFSEC_CMD_SA_FLUSH: nothing more */
		return 0;
	}
}

int nfsec_event_parse(struct nfsec_handle *h, struct nlmsghdr *nlh, struct nfsec_event *out)
{
	struct nfsec_event ev = { .dir = -1 };
	struct nlattr *tb[NFSEC_A_MAX + 1];
	const char *op;
	int ret;

	if (!genlmsg_valid_hdr(nlh, 0))
		return nfsec_seterr(h, -EBADMSG, "%s: event shorter than its genl header",
				    monitor_op);
	ev.cmd = ((struct genlmsghdr *)nlmsg_data(nlh))->cmd;
	op = ev.cmd <= NFSEC_CMD_MAX ? event_ops[ev.cmd] : NULL;
	if (!op)
		return 0;	/* no event, or from a newer module: may mean anything */

	ret = nfsec_attrs_parse(h, op, nlh, tb, NFSEC_A_MAX, event_policy);
	if (!ret)
		ret = event_decode(h, op, tb, &ev);
	if (ret < 0)
		return ret;
	*out = ev;
	return 1;
}

int nfsec_events_feed(struct nfsec_handle *h, void *buf, size_t len, nfsec_event_fn cb,
		      void *arg)
{
	struct nlmsghdr *nlh = buf;
	int rem = (int)len;
	int ret;

	for (; nlmsg_ok(nlh, rem); nlh = nlmsg_next(nlh, &rem)) {
		struct nfsec_event ev;

		if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
			continue;	/* NOOP, DONE, ERROR or OVERRUN: nothing was asked here */
		if (nlh->nlmsg_type != h->family)
			return nfsec_seterr(h, -EBADMSG, "%s: message of netlink type %u, "
					    "expected %d", monitor_op, nlh->nlmsg_type, h->family);
		ret = nfsec_event_parse(h, nlh, &ev);
		if (ret <= 0) {
			if (ret < 0)
				return ret;
			continue;
		}
		ret = cb(&ev, arg);
		if (ret < 0)
			return nfsec_seterr(h, ret, "%s: stopped by the caller: %s", monitor_op,
					    strerror(-ret));
	}
	if (rem > 0)
		return nfsec_seterr(h, -EBADMSG, "%s: %d stray bytes after the last message",
				    monitor_op, rem);
	return 0;
}

/*
 * One datagram into buf without waiting: its length, or -EAGAIN when none is queued, or
 * another negative errno with the handle's message set. *from_kernel says who sent it.
 */
static int recv_datagram(struct nfsec_handle *h, void *buf, size_t size, bool *from_kernel)
{
	struct sockaddr_nl from;
	socklen_t fromlen;
	ssize_t n;

	do {
		fromlen = sizeof(from);
		memset(&from, 0, sizeof(from));
		n = recvfrom(nl_socket_get_fd(h->mon), buf, size, MSG_DONTWAIT | MSG_TRUNC,
			     (struct sockaddr *)&from, &fromlen);
	} while (n < 0 && errno == EINTR);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return -EAGAIN;
	if (n < 0 && errno == ENOBUFS)
		return nfsec_seterr(h, -ENOBUFS, "%s: events were lost: the receive buffer "
				    "overflowed", monitor_op);
	if (n < 0)
		return nfsec_seterr(h, -errno, "%s: receiving events: %s", monitor_op,
				    strerror(errno));
	if ((size_t)n > size)
		return nfsec_seterr(h, -EMSGSIZE, "%s: a %zd-byte message did not fit the "
				    "%zu-byte buffer", monitor_op, n, size);
	*from_kernel = fromlen == sizeof(from) && from.nl_family == AF_NETLINK &&
		       from.nl_pid == 0;
	return (int)n;
}

int nfsec_monitor_read(struct nfsec_handle *h, nfsec_event_fn cb, void *arg)
{
	union {
		struct nlmsghdr nlh;	/* for the alignment */
		char bytes[MONITOR_BUFSIZE];
	} buf;

	if (!h->mon)
		return not_monitoring(h);
	for (int i = 0; i < MONITOR_BATCH; i++) {
		bool from_kernel = false;
		int ret = recv_datagram(h, &buf, sizeof(buf), &from_kernel);

		if (ret == -EAGAIN)
			return 0;
		if (ret < 0)
			return ret;
		/* a privileged process may send to the group too: only the kernel is heard */
		if (!from_kernel)
			continue;
		ret = nfsec_events_feed(h, &buf, (size_t)ret, cb, arg);
		if (ret < 0)
			return ret;
	}
	return 0;
}
