/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * nfsec: IPsec as a loadable module, driven over the generic netlink family "nfsec".
 *
 * The family is per network namespace: every request is answered by the state of the
 * namespace of the socket that sent it. Commands that change state need CAP_NET_ADMIN in
 * that namespace's user namespace. Requests are validated strictly: an unknown attribute,
 * a wrong length or an out-of-range value is refused with an extack message naming it.
 *
 * NFSEC_CMD_GET_VERSION
 *   Request (all optional):
 *     NFSEC_A_FAMILY_VERSION: u32, the family version the sender speaks; a sender newer
 *                             than the module is refused (EOPNOTSUPP) with a message.
 *   Reply:
 *     NFSEC_A_FAMILY_VERSION: u32, NFSEC_GENL_VERSION of the module
 *     NFSEC_A_MODULE_VERSION: NUL-terminated string, the module's release
 *     NFSEC_A_NETNS_COOKIE:   u64, the cookie of the namespace that answered (the same
 *                             value SO_NETNS_COOKIE gives for a socket in it)
 *
 * Multicast group NFSEC_MCGRP_EVENTS carries events (ACQUIRE, EXPIRE, changes); none is
 * defined by this version of the family yet.
 *
 * Attributes are only ever appended; numbers never change meaning.
 */
#ifndef _UAPI_LINUX_NFSEC_H
#define _UAPI_LINUX_NFSEC_H

#define NFSEC_GENL_NAME		"nfsec"
#define NFSEC_GENL_VERSION	1
#define NFSEC_MCGRP_EVENTS	"events"

enum nfsec_cmd {
	NFSEC_CMD_UNSPEC,
	NFSEC_CMD_GET_VERSION,
	__NFSEC_CMD_MAX
};

#define NFSEC_CMD_MAX (__NFSEC_CMD_MAX - 1)

enum nfsec_attr {
	NFSEC_A_UNSPEC,
	NFSEC_A_FAMILY_VERSION,
	NFSEC_A_MODULE_VERSION,
	NFSEC_A_NETNS_COOKIE,
	NFSEC_A_PAD,
	__NFSEC_A_LAST
};

#define NFSEC_A_MAX (__NFSEC_A_LAST - 1)

/* Longest NFSEC_A_MODULE_VERSION, NUL included. */
#define NFSEC_MODULE_VERSION_LEN 32

#endif /* _UAPI_LINUX_NFSEC_H */
