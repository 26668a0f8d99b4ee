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
 * NFSEC_CMD_POLICY_NEW (CAP_NET_ADMIN): add a policy.
 *   NFSEC_A_POLICY {
 *     NFSEC_POLICY_A_DIR:      u8, enum nfsec_policy_dir (required)
 *     NFSEC_POLICY_A_ACTION:   u8, enum nfsec_policy_action (required)
 *     NFSEC_POLICY_A_PRIORITY: u32, lower wins; the older policy wins a tie (default 0)
 *     NFSEC_POLICY_A_SELECTOR {
 *       NFSEC_SEL_A_FAMILY:     u16, AF_INET or AF_INET6 (required)
 *       NFSEC_SEL_A_SRC:        4 or 16 bytes, network order (default: any)
 *       NFSEC_SEL_A_SRC_PREFIX: u8 (default: the full address, or 0 without one)
 *       NFSEC_SEL_A_DST, NFSEC_SEL_A_DST_PREFIX: likewise
 *       NFSEC_SEL_A_PROTO:      u8, IPPROTO_*, 0 for any (default 0)
 *       NFSEC_SEL_A_SPORT_MIN, NFSEC_SEL_A_SPORT_MAX: u16, host order, inclusive
 *       NFSEC_SEL_A_DPORT_MIN, NFSEC_SEL_A_DPORT_MAX: likewise (default 0..65535)
 *     } (required)
 *   }
 *   Addresses are masked to their prefix. A policy equal to an existing one of the same
 *   direction (selector and priority) is refused with EEXIST.
 *
 * NFSEC_CMD_POLICY_DEL (CAP_NET_ADMIN): NFSEC_A_POLICY { NFSEC_POLICY_A_INDEX }
 *   NFSEC_POLICY_A_INDEX: u32 >= 1, the kernel's handle for a policy, unique in the
 *   namespace.
 * NFSEC_CMD_POLICY_GET: a dump gives every policy in index order, each as NFSEC_A_POLICY
 *   with every attribute of NEW (defaults filled in) plus NFSEC_POLICY_A_INDEX; a "do"
 *   request with NFSEC_A_POLICY { NFSEC_POLICY_A_INDEX } gives that one.
 * NFSEC_CMD_POLICY_FLUSH (CAP_NET_ADMIN): remove every policy, or with
 *   NFSEC_A_POLICY { NFSEC_POLICY_A_DIR } those of one direction.
 *
 * Multicast group NFSEC_MCGRP_EVENTS: events, sent to listeners in the namespace of the
 * change:
 *   NFSEC_CMD_POLICY_NEW   with NFSEC_A_POLICY (as a dump gives it): a policy was added
 *   NFSEC_CMD_POLICY_DEL   with NFSEC_A_POLICY: a policy was deleted
 *   NFSEC_CMD_POLICY_FLUSH with NFSEC_A_POLICY { NFSEC_POLICY_A_DIR } when one direction
 *                          was flushed, no attribute when all were
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
	NFSEC_CMD_POLICY_NEW,
	NFSEC_CMD_POLICY_DEL,
	NFSEC_CMD_POLICY_GET,
	NFSEC_CMD_POLICY_FLUSH,
	__NFSEC_CMD_MAX
};

#define NFSEC_CMD_MAX (__NFSEC_CMD_MAX - 1)

enum nfsec_attr {
	NFSEC_A_UNSPEC,
	NFSEC_A_FAMILY_VERSION,
	NFSEC_A_MODULE_VERSION,
	NFSEC_A_NETNS_COOKIE,
	NFSEC_A_PAD,
	NFSEC_A_POLICY,
	__NFSEC_A_LAST
};

#define NFSEC_A_MAX (__NFSEC_A_LAST - 1)

enum nfsec_policy_attr {
	NFSEC_POLICY_A_UNSPEC,
	NFSEC_POLICY_A_INDEX,
	NFSEC_POLICY_A_DIR,
	NFSEC_POLICY_A_ACTION,
	NFSEC_POLICY_A_PRIORITY,
	NFSEC_POLICY_A_SELECTOR,
	__NFSEC_POLICY_A_LAST
};

#define NFSEC_POLICY_A_MAX (__NFSEC_POLICY_A_LAST - 1)

enum nfsec_sel_attr {
	NFSEC_SEL_A_UNSPEC,
	NFSEC_SEL_A_FAMILY,
	NFSEC_SEL_A_SRC,
	NFSEC_SEL_A_SRC_PREFIX,
	NFSEC_SEL_A_DST,
	NFSEC_SEL_A_DST_PREFIX,
	NFSEC_SEL_A_PROTO,
	NFSEC_SEL_A_SPORT_MIN,
	NFSEC_SEL_A_SPORT_MAX,
	NFSEC_SEL_A_DPORT_MIN,
	NFSEC_SEL_A_DPORT_MAX,
	__NFSEC_SEL_A_LAST
};

#define NFSEC_SEL_A_MAX (__NFSEC_SEL_A_LAST - 1)

enum nfsec_policy_dir {
	NFSEC_POLICY_DIR_OUT,
	NFSEC_POLICY_DIR_IN,
	NFSEC_POLICY_DIR_FWD,
	__NFSEC_POLICY_DIR_LAST
};

#define NFSEC_POLICY_DIR_MAX (__NFSEC_POLICY_DIR_LAST - 1)

enum nfsec_policy_action {
	NFSEC_POLICY_PROTECT,
	NFSEC_POLICY_BYPASS,
	NFSEC_POLICY_DISCARD,
	__NFSEC_POLICY_ACTION_LAST
};

#define NFSEC_POLICY_ACTION_MAX (__NFSEC_POLICY_ACTION_LAST - 1)

/* Longest NFSEC_A_MODULE_VERSION, NUL included. */
#define NFSEC_MODULE_VERSION_LEN 32

#endif /* _UAPI_LINUX_NFSEC_H */
