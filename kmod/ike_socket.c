// SPDX-License-Identifier: GPL-2.0
/*
 * The IKE daemon's sockets: the only traffic that passes every policy.
 *
 * A port is no exemption: any process may send from or to 500 and 4500, and any host may
 * send from them. So the daemon hands each UDP socket it speaks IKE on to the module
 * (NFSEC_CMD_IKE_SOCKET, by descriptor, CAP_NET_ADMIN), and the module marks it as an
 * encapsulation socket of its own: udp_sk(sk)->encap_rcv is ike_encap_rcv(), which only
 * this module can set. Then
 *  - on output, a packet whose socket is marked passes the "out" policies;
 *  - on input, cleartext UDP that a policy would refuse passes when the socket it is for
 *    is marked (a lookup, made only then).
 * On every port but 500 a marked socket also hands the module ESP in UDP (RFC 3948) for
 * the SAs with encapsulation, and NAT keepalives (encap.c): a socket of the daemon's, so
 * per namespace. Forwarded packets get no exemption. The mark lasts as long as the socket,
 * and each marked socket holds the module (its encap_destroy lets go; a socket the daemon
 * then turns into XFRM's with UDP_ENCAP loses the mark, and one turned to 0 holds the
 * module until it is marked again and closed). XFRM exempts sockets the same way
 * (per-socket bypass policies; OpenBSD iked's socket_bypass()).
 */

#include <linux/file.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/udp.h>
#include <net/sock.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>

#include "encap.h"
#include "ike_socket.h"
#include "nfsec.h"

/*
 * A datagram for a marked socket: IKE is delivered to it as any other datagram; ESP in
 * UDP and NAT keepalives are the module's (encap.c).
 */
static int ike_encap_rcv(struct sock *sk, struct sk_buff *skb)
{
	return nfsec_encap_rcv(sk, skb);
}

/* The socket is going: it no longer holds the module. */
static void ike_encap_destroy(struct sock *sk)
{
	module_put(THIS_MODULE);
}

int nfsec_ike_socket_add(struct net *net, int fd, struct netlink_ext_ack *extack)
{
	struct socket *sock;
	struct udp_sock *up;
	struct sock *sk;
	int err;

	sock = sockfd_lookup(fd, &err);
	if (!sock) {
		NL_SET_ERR_MSG(extack, "no socket has this descriptor in the sending process");
		return err;
	}
	sk = sock->sk;
	err = -EINVAL;
	if ((sk->sk_family != AF_INET && sk->sk_family != AF_INET6) ||
	    sk->sk_type != SOCK_DGRAM || sk->sk_protocol != IPPROTO_UDP) {
		NL_SET_ERR_MSG(extack, "not a UDP socket");
		goto out;
	}
	if (!net_eq(sock_net(sk), net)) {
		NL_SET_ERR_MSG(extack, "the socket is in another network namespace");
		goto out;
	}
	up = udp_sk(sk);
	lock_sock(sk);
	/* Marked before (perhaps unmarked since by UDP_ENCAP): it holds the module already. */
	if (READ_ONCE(up->encap_destroy) != ike_encap_destroy) {
		if (READ_ONCE(up->encap_type) || READ_ONCE(up->encap_destroy)) {
			NL_SET_ERR_MSG(extack, "the socket already carries an encapsulation");
			err = -EBUSY;
			goto unlock;
		}
		__module_get(THIS_MODULE);
		WRITE_ONCE(up->encap_destroy, ike_encap_destroy);
	}
	WRITE_ONCE(up->encap_rcv, ike_encap_rcv);
	WRITE_ONCE(up->encap_type, UDP_ENCAP_ESPINUDP);
	udp_tunnel_encap_enable(sk);
	err = 0;
unlock:
	release_sock(sk);
out:
	sockfd_put(sock);
	return err;
}

/* @sk (a packet's socket, or NULL) is one the daemon marked. */
bool nfsec_ike_socket(const struct sock *sk)
{
	return sk && sk_fullsock(sk) && sk->sk_type == SOCK_DGRAM &&
	       sk->sk_protocol == IPPROTO_UDP &&
	       READ_ONCE(udp_sk(sk)->encap_rcv) == ike_encap_rcv;
}

/* Cleartext @skb, of flow @fl, is UDP for a socket the daemon marked. Under RCU. */
bool nfsec_ike_socket_for(struct net *net, struct sk_buff *skb, const struct nfsec_flow *fl)
{
	struct sock *sk;
	bool ours;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "socket lookup without RCU");
	if (fl->proto != IPPROTO_UDP)
		return false;
	if (fl->family == AF_INET)
		sk = udp4_lib_lookup(net, fl->saddr.a4, htons(fl->sport), fl->daddr.a4,
				     htons(fl->dport), inet_iif(skb));
	else
		sk = udp6_lib_lookup(net, &fl->saddr.a6, htons(fl->sport), &fl->daddr.a6,
				     htons(fl->dport), inet6_iif(skb));
	if (!sk)
		return false;
	ours = nfsec_ike_socket(sk);
	sock_put(sk);
	return ours;
}
