/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFSEC_IKE_SOCKET_H
#define _NFSEC_IKE_SOCKET_H

#include <linux/netlink.h>
#include <linux/skbuff.h>
#include <net/net_namespace.h>

#include "spd.h"

int nfsec_ike_socket_add(struct net *net, int fd, struct netlink_ext_ack *extack);
bool nfsec_ike_socket(const struct sock *sk);
bool nfsec_ike_socket_for(struct net *net, struct sk_buff *skb, const struct nfsec_flow *fl);

#endif /* _NFSEC_IKE_SOCKET_H */
