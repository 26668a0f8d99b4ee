// SPDX-License-Identifier: GPL-2.0
/*
 * UDP for IKE. Each socket is non-blocking, SO_REUSEADDR (so a wildcard socket and
 * sockets bound to single addresses can share port 500) and IPV6_V6ONLY for IPv6 (an IPv4
 * peer arrives on the IPv4 socket, never as a mapped address). IP_RECVERR is left off: an
 * ICMP error must not fail the next recvmsg(); IKE has its own retransmissions.
 *
 * The datagram buffer is one static 64 KiB block: the loop runs one callback at a time.
 */
#define _GNU_SOURCE	/* struct in6_pktinfo, IPV6_RECVPKTINFO (RFC 3542) */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "net.h"

struct sock {
	int fd;
	bool wildcard;
	struct sockaddr_storage local;	/* as bound, the port the kernel's */
};

static struct {
	net_recv_fn cb;
	void *arg;
	struct sock *socks[NET_SOCKETS_MAX];
	unsigned int count;
	struct net_stats stats;
	uint8_t buf[NET_DATAGRAM_MAX + 1];
} net;

void net_init(net_recv_fn cb, void *arg)
{
	net.cb = cb;
	net.arg = arg;
}

static uint16_t port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

static bool is_wildcard(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ((const struct sockaddr_in *)sa)->sin_addr.s_addr == htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)sa)->sin6_addr);
}

/* Same family and address (the port is not compared). */
static bool same_addr(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return IN6_ARE_ADDR_EQUAL(&((const struct sockaddr_in6 *)a)->sin6_addr,
				  &((const struct sockaddr_in6 *)b)->sin6_addr);
}

static socklen_t sockaddr_len(int family)
{
	return family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

static struct sock *sock_find(int fd)
{
	for (unsigned int i = 0; i < net.count; i++)
		if (net.socks[i]->fd == fd)
			return net.socks[i];
	return NULL;
}

/* --- receiving -------------------------------------------------------------------------- */

/* The datagram's local address from its IP_PKTINFO or IPV6_PKTINFO: false without one. */
static bool pktinfo_local(struct msghdr *msg, const struct sock *s,
			  struct sockaddr_storage *local)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct sockaddr_in *sin = (struct sockaddr_in *)local;
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			memset(local, 0, sizeof(*local));
			sin->sin_family = AF_INET;
			sin->sin_addr = pi.ipi_addr;
			sin->sin_port = htons(port_of(&s->local));
			return true;
		}
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)local;
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			memset(local, 0, sizeof(*local));
			sin6->sin6_family = AF_INET6;
			sin6->sin6_addr = pi.ipi6_addr;
			sin6->sin6_port = htons(port_of(&s->local));
			if (IN6_IS_ADDR_LINKLOCAL(&pi.ipi6_addr))
				sin6->sin6_scope_id = pi.ipi6_ifindex;
			return true;
		}
	}
	return false;
}

/* One datagram: 1 when one was read (delivered or dropped), 0 when none was waiting. */
static int sock_read_one(struct sock *s)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} control;
	struct sockaddr_storage remote, local;
	struct iovec iov = { net.buf, sizeof(net.buf) };
	struct msghdr msg = {
		.msg_name = &remote,
		.msg_namelen = sizeof(remote),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	ssize_t n = recvmsg(s->fd, &msg, MSG_DONTWAIT);

	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		net.stats.rx_errors++;
		log_debug("recvmsg: %s", strerror(errno));
		return 0;
	}
	if ((msg.msg_flags & MSG_TRUNC) || (size_t)n > NET_DATAGRAM_MAX) {
		net.stats.rx_truncated++;
		log_debug("dropped a datagram larger than %d bytes", NET_DATAGRAM_MAX);
		return 1;
	}
	if (!pktinfo_local(&msg, s, &local)) {
		if (s->wildcard) {
			net.stats.rx_no_pktinfo++;
			log_debug("dropped a datagram without its local address");
			return 1;
		}
		local = s->local;
	}
	net.stats.rx_packets++;
	net.stats.rx_bytes += (uint64_t)n;
	if (port_of(&s->local) == NATT_PORT) {
		static const uint8_t marker[NATT_MARKER_LEN];

		/* the module took ESP and keepalives: anything else must be marked IKE */
		if (n < NATT_MARKER_LEN || memcmp(net.buf, marker, NATT_MARKER_LEN)) {
			net.stats.rx_no_marker++;
			log_debug("dropped a datagram on port %d without the non-ESP marker",
				  NATT_PORT);
			return 1;
		}
		if (net.cb)
			net.cb(&local, &remote, net.buf + NATT_MARKER_LEN,
			       (size_t)n - NATT_MARKER_LEN, net.arg);
		return 1;
	}
	if (net.cb)
		net.cb(&local, &remote, net.buf, (size_t)n, net.arg);
	return 1;
}

static void sock_readable(int fd, uint32_t events, void *arg)
{
	(void)events;
	(void)arg;
	/* by fd each time: the callback may have closed this socket */
	for (int i = 0; i < NET_RECV_BURST; i++) {
		struct sock *s = sock_find(fd);

		if (!s || sock_read_one(s) == 0)
			return;
	}
}

/* --- sockets ---------------------------------------------------------------------------- */

static int sock_options(int fd, int family)
{
	int on = 1;

	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0)
		return -errno;
	if (family == AF_INET)
		return setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) < 0 ? -errno : 0;
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on)) < 0)
		return -errno;
	return 0;
}

static int sock_open(struct sock *s, const struct sockaddr_storage *local)
{
	socklen_t len = sockaddr_len(local->ss_family);
	int ret;

	s->fd = socket(local->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (s->fd < 0)
		return -errno;
	ret = sock_options(s->fd, local->ss_family);
	if (ret < 0)
		goto err_close;
	if (bind(s->fd, (const struct sockaddr *)local, len) < 0) {
		ret = -errno;
		goto err_close;
	}
	len = sizeof(s->local);
	if (getsockname(s->fd, (struct sockaddr *)&s->local, &len) < 0) {
		ret = -errno;
		goto err_close;
	}
	ret = loop_add_fd(s->fd, EPOLLIN, sock_readable, NULL);
	if (ret < 0)
		goto err_close;
	return 0;

err_close:
	close(s->fd);
	return ret;
}

int net_listen(const struct sockaddr *addr)
{
	struct sockaddr_storage local = { 0 };
	struct sock *s;
	int ret;

	if (addr->sa_family != AF_INET && addr->sa_family != AF_INET6)
		return -EAFNOSUPPORT;
	memcpy(&local, addr, sockaddr_len(addr->sa_family));
	if (port_of(&local) == 0) {
		if (local.ss_family == AF_INET)
			((struct sockaddr_in *)&local)->sin_port = htons(IKE_PORT);
		else
			((struct sockaddr_in6 *)&local)->sin6_port = htons(IKE_PORT);
	}
	for (unsigned int i = 0; i < net.count; i++)
		if (same_addr((struct sockaddr *)&net.socks[i]->local, (struct sockaddr *)&local) &&
		    port_of(&net.socks[i]->local) == port_of(&local))
			return -EEXIST;
	if (net.count == NET_SOCKETS_MAX)
		return -ENOSPC;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->wildcard = is_wildcard((struct sockaddr *)&local);
	ret = sock_open(s, &local);
	if (ret < 0) {
		free(s);
		return ret;
	}
	net.socks[net.count++] = s;
	return s->fd;
}

int net_local(int fd, struct sockaddr_storage *out)
{
	struct sock *s = sock_find(fd);

	if (!s)
		return -ENOENT;
	*out = s->local;
	return 0;
}

void net_unlisten(int fd)
{
	for (unsigned int i = 0; i < net.count; i++) {
		struct sock *s = net.socks[i];

		if (s->fd != fd)
			continue;
		loop_del_fd(s->fd);
		close(s->fd);
		free(s);
		net.socks[i] = net.socks[--net.count];
		return;
	}
}

void net_fini(void)
{
	while (net.count)
		net_unlisten(net.socks[0]->fd);
	memset(&net.stats, 0, sizeof(net.stats));
	net.cb = NULL;
	net.arg = NULL;
}

void net_get_stats(struct net_stats *out)
{
	*out = net.stats;
}

/* --- sending ---------------------------------------------------------------------------- */

/* The socket bound to from itself, else a wildcard one of its family: the port must fit. */
static struct sock *sock_for(const struct sockaddr *from)
{
	uint16_t port = port_of((const struct sockaddr_storage *)from);
	struct sock *wild = NULL;

	for (unsigned int i = 0; i < net.count; i++) {
		struct sock *s = net.socks[i];

		if (s->local.ss_family != from->sa_family ||
		    (port ? port_of(&s->local) != port : port_of(&s->local) == NATT_PORT))
			continue;
		if (same_addr((struct sockaddr *)&s->local, from))
			return s;
		if (s->wildcard && !wild)
			wild = s;
	}
	return wild;
}

/* The source address for a wildcard socket, as IP_PKTINFO or IPV6_PKTINFO. */
static void pktinfo_source(struct msghdr *msg, const struct sockaddr *from)
{
	struct cmsghdr *c = CMSG_FIRSTHDR(msg);

	if (from->sa_family == AF_INET) {
		struct in_pktinfo pi = {
			.ipi_spec_dst = ((const struct sockaddr_in *)from)->sin_addr,
		};

		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		msg->msg_controllen = CMSG_SPACE(sizeof(pi));
	} else {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)from;
		struct in6_pktinfo pi = {
			.ipi6_addr = sin6->sin6_addr,
			.ipi6_ifindex = sin6->sin6_scope_id,	/* link-local: which link */
		};

		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		msg->msg_controllen = CMSG_SPACE(sizeof(pi));
	}
}

/* iov out through s to to, from from's address (a wildcard socket is told which). */
static int sock_send(struct sock *s, const struct sockaddr *from, const struct sockaddr *to,
		     struct iovec *iov, size_t iovlen)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} control;
	struct msghdr msg = {
		.msg_name = (void *)to,
		.msg_namelen = sockaddr_len(to->sa_family),
		.msg_iov = iov,
		.msg_iovlen = iovlen,
	};
	size_t len = 0;

	for (size_t i = 0; i < iovlen; i++)
		len += iov[i].iov_len;
	if (s->wildcard && !is_wildcard(from)) {
		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		pktinfo_source(&msg, from);
	}
	if (sendmsg(s->fd, &msg, MSG_DONTWAIT) < 0) {
		int ret = -errno;

		if (ret == -EAGAIN || ret == -EWOULDBLOCK)
			net.stats.tx_would_block++;
		else
			net.stats.tx_errors++;
		return ret;
	}
	net.stats.tx_packets++;
	net.stats.tx_bytes += len;
	return 0;
}

int net_send(const struct sockaddr *from, const struct sockaddr *to, const void *buf,
	     size_t len)
{
	static const uint8_t marker[NATT_MARKER_LEN];
	struct iovec iov[2] = { { (void *)marker, NATT_MARKER_LEN }, { (void *)buf, len } };
	struct sock *s;

	if (len > NET_DATAGRAM_MAX - NATT_MARKER_LEN)
		return -EMSGSIZE;
	s = from->sa_family == to->sa_family ? sock_for(from) : NULL;
	if (!s) {
		net.stats.tx_no_socket++;
		return -EADDRNOTAVAIL;
	}
	if (port_of(&s->local) == NATT_PORT)
		return sock_send(s, from, to, iov, 2);
	return sock_send(s, from, to, iov + 1, 1);
}

int net_keepalive(const struct sockaddr *from, const struct sockaddr *to)
{
	struct sockaddr_storage natt = { 0 };
	static const uint8_t ka = 0xff;
	struct iovec iov = { (void *)&ka, 1 };
	struct sock *s;

	if (from->sa_family != AF_INET || to->sa_family != AF_INET)
		return -EAFNOSUPPORT;
	memcpy(&natt, from, sizeof(struct sockaddr_in));
	((struct sockaddr_in *)&natt)->sin_port = htons(NATT_PORT);
	s = sock_for((struct sockaddr *)&natt);
	if (!s) {
		net.stats.tx_no_socket++;
		return -EADDRNOTAVAIL;
	}
	return sock_send(s, from, to, &iov, 1);
}
