/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IKE's UDP sockets: one per local address (or wildcard) and port, each watched by the
 * loop. A wildcard socket learns each datagram's local address from IP_PKTINFO or
 * IPV6_PKTINFO and sends from the address it is told to, so one socket serves every
 * address of the host; a socket bound to one address serves that one.
 *
 * No policy of the module applies to them: the daemon hands each to the module
 * (NFSEC_CMD_IKE_SOCKET), which lets what they send and receive bypass IPsec.
 *
 * A socket on NATT_PORT (4500, RFC 3948) carries IKE behind a 4-byte non-ESP marker of
 * zeros, and ESP for the module, which takes it (and NAT keepalives) before they reach
 * the socket: here the marker is taken off what arrives (a datagram without it is
 * dropped) and put in front of what is sent, so the rest of the daemon sees plain IKE.
 */
#ifndef NFSEC_IKED_NET_H
#define NFSEC_IKED_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

enum {
	NET_SOCKETS_MAX = 32,
	NET_DATAGRAM_MAX = 65535,	/* bytes a UDP datagram can carry, and more */
	NET_RECV_BURST = 64,		/* datagrams read per wakeup, then the loop moves on */
	IKE_PORT = 500,
	NATT_PORT = 4500,		/* IKE behind the non-ESP marker, ESP in UDP */
	NATT_MARKER_LEN = 4,
};

/*
 * One datagram: the local address it was sent to (port included) and the peer's. Called
 * from the loop; buf is only valid during the call.
 */
typedef void (*net_recv_fn)(const struct sockaddr_storage *local,
			    const struct sockaddr_storage *remote, const uint8_t *buf,
			    size_t len, void *arg);

/* What was received, sent and dropped, each drop by its reason. */
struct net_stats {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
	uint64_t rx_truncated;		/* larger than NET_DATAGRAM_MAX */
	uint64_t rx_no_pktinfo;		/* no IP_PKTINFO on a wildcard socket */
	uint64_t rx_no_marker;		/* on NATT_PORT without the non-ESP marker */
	uint64_t rx_errors;		/* recvmsg() failed */
	uint64_t tx_no_socket;		/* no socket for the source address and port */
	uint64_t tx_would_block;	/* the socket buffer was full: the peer retransmits */
	uint64_t tx_errors;		/* sendmsg() failed otherwise */
};

/* The one receive callback, before the first net_listen(). */
void net_init(net_recv_fn cb, void *arg);

/*
 * A socket bound to local (AF_INET or AF_INET6; port 0 is IKE_PORT, and an address may be
 * the wildcard), watched by the loop. The socket's descriptor, the handle for
 * net_unlisten(), or a negative errno: -EEXIST for an address and port listened on
 * already, -ENOSPC beyond NET_SOCKETS_MAX, -EAFNOSUPPORT, or bind()'s.
 */
int net_listen(const struct sockaddr *local);

/* The address and port a socket is bound to (the port the kernel gave, if 0). */
int net_local(int sock, struct sockaddr_storage *out);

void net_unlisten(int sock);
/* Every socket closed and the statistics zeroed. */
void net_fini(void);

/*
 * len bytes from the local address from (its port picks the socket; 0 any but NATT_PORT's,
 * to which the marker is added) to to: a
 * socket bound to exactly that address, else a wildcard one of its family, which sends
 * from it. 0, or a negative errno: -EADDRNOTAVAIL when no socket fits, -EMSGSIZE, or
 * sendmsg()'s (-EAGAIN when the socket buffer is full). Never blocks.
 */
int net_send(const struct sockaddr *from, const struct sockaddr *to, const void *buf,
	     size_t len);

/*
 * A NAT keepalive (RFC 3948 2.3: the one byte 0xff) from NATT_PORT's socket for from's
 * address to to, without the non-ESP marker. 0 or as net_send().
 */
int net_keepalive(const struct sockaddr *from, const struct sockaddr *to);

void net_get_stats(struct net_stats *out);

#endif /* NFSEC_IKED_NET_H */
