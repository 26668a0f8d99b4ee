/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * nfsec: IPsec as a loadable module, driven over the generic netlink family "nfsec".
 *
 * The family is per network namespace: every request is answered by the state of the
 * namespace of the socket that sent it. Every command, reads included, needs CAP_NET_ADMIN
 * in that namespace's user namespace, and so does joining the events group. Requests are
 * validated strictly: an unknown attribute, a wrong length or an out-of-range value is
 * refused with an extack message naming it.
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
 *   Or, in place of NFSEC_A_POLICY, a list: NFSEC_A_POLICIES { NFSEC_A_POLICY {...}, ... },
 *   1 to NFSEC_POLICIES_MAX nests of type NFSEC_A_POLICY, each as above. They are added in
 *   order, each announced as if sent alone, up to the first that fails: that one and those
 *   after it are not added; the error's extack message is that entry's own and its offset
 *   (NLMSGERR_ATTR_OFFS) points into the entry, which is how the sender tells which failed.
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
 * A protect policy (NFSEC_POLICY_PROTECT) takes a template saying how (default: transport
 * mode, request id 0):
 *   NFSEC_POLICY_A_TMPL {
 *     NFSEC_TMPL_A_MODE:   u8, enum nfsec_mode (required)
 *     NFSEC_TMPL_A_FAMILY: u16, the outer family; tunnel mode only (default: the selector's)
 *     NFSEC_TMPL_A_SRC, NFSEC_TMPL_A_DST: the tunnel endpoints (tunnel mode: required)
 *     NFSEC_TMPL_A_REQID:  u32, which SAs may serve the policy (default 0)
 *   }
 *   An outbound packet the policy selects goes out through the newest outbound SA with the
 *   template's request id, mode and destination (tunnel: NFSEC_TMPL_A_DST; transport: the
 *   packet's own destination). Other actions take no template. Policies are given back
 *   (get, dump, events) with the template when they are protect policies.
 *
 * NFSEC_CMD_SA_NEW (CAP_NET_ADMIN): add an SA.
 *   NFSEC_A_SA {
 *     NFSEC_SA_A_SPI:       u32, host order, 256 or more (required)
 *     NFSEC_SA_A_DIR:       u8, enum nfsec_sa_dir (required)
 *     NFSEC_SA_A_FAMILY:    u16, the outer family (required)
 *     NFSEC_SA_A_SRC, NFSEC_SA_A_DST: the outer addresses, 4 or 16 bytes (both required)
 *     NFSEC_SA_A_PROTO:     u8, IPPROTO_ESP, the only one (default)
 *     NFSEC_SA_A_MODE:      u8, enum nfsec_mode (required)
 *     NFSEC_SA_A_REQID:     u32 (default 0)
 *     NFSEC_SA_A_AEAD { NFSEC_ALG_A_NAME, NFSEC_ALG_A_KEY, NFSEC_ALG_A_ICV_BITS }, or both
 *     NFSEC_SA_A_ENC  { NFSEC_ALG_A_NAME, NFSEC_ALG_A_KEY } and
 *     NFSEC_SA_A_AUTH { NFSEC_ALG_A_NAME, NFSEC_ALG_A_KEY, NFSEC_ALG_A_ICV_BITS }
 *       NFSEC_ALG_A_NAME:     string, the crypto API's name, as XFRM takes it
 *       NFSEC_ALG_A_KEY:      binary; an AEAD's key ends with its 4-byte salt
 *       NFSEC_ALG_A_ICV_BITS: u32 (default: the algorithm's full ICV, 128 bits for the
 *                             AEADs, half the hash for HMACs)
 *     NFSEC_SA_A_REPLAY_WINDOW: u32, 0 (no replay check) to 4096 packets (default 64);
 *                           inbound SAs only
 *     NFSEC_SA_A_ESN:       flag, 64-bit extended sequence numbers
 *     NFSEC_SA_A_SELECTOR:  nest as NFSEC_POLICY_A_SELECTOR: the inner traffic the SA may
 *                           carry; an inbound packet outside it is dropped (default: any)
 *     NFSEC_SA_A_LIFETIME { NFSEC_LT_A_SOFT_*, NFSEC_LT_A_HARD_*: u64 each, 0 = none }
 *     NFSEC_SA_A_ENCAP {    ESP in UDP (NAT traversal); IPv4 SAs only, for now
 *       NFSEC_ENCAP_A_TYPE:  u8, enum nfsec_encap_type: NFSEC_ENCAP_ESPINUDP (required)
 *       NFSEC_ENCAP_A_SPORT, NFSEC_ENCAP_A_DPORT: u16, host order, not 0 (both
 *                           required): the UDP ports of the SA's packets, as XFRM's
 *                           encap (outbound: ours, then the peer's; inbound: the peer's,
 *                           then ours)
 *     }
 *   }
 *   The (SPI, destination, protocol) of an SA is unique in a namespace: EEXIST otherwise.
 *   An SA with NFSEC_SA_A_ENCAP sends its ESP inside UDP (checksum 0, RFC 3948 3.1.2) and,
 *   inbound, accepts it only that way: it arrives through a socket the daemon marked
 *   (NFSEC_CMD_IKE_SOCKET) on any port but 500. ESP in UDP for an SA without it, and plain
 *   ESP for an SA with it, are dropped as malformed.
 * NFSEC_CMD_SA_DEL (CAP_NET_ADMIN): NFSEC_A_SA { SPI, FAMILY, DST, PROTO (default ESP) }.
 * NFSEC_CMD_SA_SET (CAP_NET_ADMIN): NFSEC_A_SA { SPI, FAMILY, DST, PROTO, ENCAP }: an SA
 *   with UDP encapsulation takes new ports in place (its sequence numbers, replay window
 *   and counters go on), as the daemon does when the peer's NAT mapping moved
 *   (NFSEC_CMD_MAPPING). An SA without encapsulation cannot gain it (EINVAL).
 * NFSEC_CMD_SA_GET: "do" with the same attributes as DEL, or a dump of every SA. An SA is
 *   given with every attribute of NEW (defaults filled in) except the keys, which are never
 *   sent back, plus what it has done:
 *     NFSEC_SA_A_SEQ:       u64, outbound: the last number sent; inbound: the highest
 *                           accepted
 *     NFSEC_SA_A_LIFETIME { NFSEC_LT_A_BYTES, NFSEC_LT_A_PACKETS: so far;
 *                           NFSEC_LT_A_AGE_SECONDS: since it was added }
 *     NFSEC_SA_A_DROPS { one u64 per enum nfsec_sa_drop_attr }: the packets it dropped,
 *                           by reason (each also counted in the namespace's stats)
 * NFSEC_CMD_SA_FLUSH (CAP_NET_ADMIN): remove every SA.
 * NFSEC_CMD_STATS_GET: NFSEC_A_STATS { one u64 per enum nfsec_stat_attr }, the namespace's
 *   counters (packets and bytes through nfsec, and every reason a packet was dropped).
 * NFSEC_CMD_IKE_SOCKET: NFSEC_A_SOCKET_FD: u32, a descriptor of the sending process: a UDP
 *   socket of the namespace that the IKE daemon speaks on. What it sends, and cleartext
 *   that arrives for it, passes every policy; nothing else does for its port. The mark
 *   lasts as long as the socket, and the module stays loaded while a marked socket is open.
 *
 * More events:
 *   NFSEC_CMD_SA_NEW, NFSEC_CMD_SA_DEL with NFSEC_A_SA (as a dump gives it)
 *   NFSEC_CMD_SA_FLUSH, no attribute
 *   NFSEC_CMD_ACQUIRE with NFSEC_A_POLICY (the protect policy that found no SA) and
 *     NFSEC_A_FLOW (nest as a selector: the packet's family, addresses at full length,
 *     protocol, and ports as one-port ranges: the first packet's); once per policy,
 *     source and destination (whatever the protocol and ports), at most every
 *     NFSEC_ACQUIRE_RETRY_SECONDS while no SA serves it. Packets wait up to
 *     NFSEC_ACQUIRE_HOLD_MS for an SA, a few per namespace; then they are dropped.
 *   NFSEC_CMD_EXPIRE with NFSEC_A_SA: a soft lifetime ran out (the SA still works), or with
 *     NFSEC_A_EXPIRE_HARD too, a hard one did and the SA is gone (keys wiped).
 *   NFSEC_CMD_SA_SET with NFSEC_A_SA: an SA's encapsulation ports changed.
 *   NFSEC_CMD_MAPPING with NFSEC_A_SA (an inbound SA with encapsulation) and
 *     NFSEC_A_MAPPING { NFSEC_MAPPING_A_ADDR, NFSEC_MAPPING_A_PORT }: an authenticated,
 *     not replayed packet of the SA came from this address and port, which are not the
 *     SA's peer address (NFSEC_SA_A_SRC) and port (NFSEC_ENCAP_A_SPORT): the peer's NAT
 *     mapping moved (RFC 3948 5.2, XFRM's XFRM_MSG_MAPPING). At most one a second per SA
 *     while it lasts; the daemon moves the SAs (NFSEC_CMD_SA_SET) to stop it.
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
	NFSEC_CMD_SA_NEW,
	NFSEC_CMD_SA_DEL,
	NFSEC_CMD_SA_GET,
	NFSEC_CMD_SA_FLUSH,
	NFSEC_CMD_STATS_GET,
	NFSEC_CMD_ACQUIRE,	/* event only */
	NFSEC_CMD_EXPIRE,	/* event only */
	NFSEC_CMD_IKE_SOCKET,
	NFSEC_CMD_SA_SET,
	NFSEC_CMD_MAPPING,	/* event only */
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
	NFSEC_A_SA,
	NFSEC_A_FLOW,
	NFSEC_A_STATS,
	NFSEC_A_EXPIRE_HARD,
	NFSEC_A_SOCKET_FD,
	NFSEC_A_MAPPING,
	NFSEC_A_POLICIES,
	__NFSEC_A_LAST
};

#define NFSEC_A_MAX (__NFSEC_A_LAST - 1)

/* The most NFSEC_A_POLICY nests one NFSEC_A_POLICIES list may hold. */
#define NFSEC_POLICIES_MAX 256

enum nfsec_policy_attr {
	NFSEC_POLICY_A_UNSPEC,
	NFSEC_POLICY_A_INDEX,
	NFSEC_POLICY_A_DIR,
	NFSEC_POLICY_A_ACTION,
	NFSEC_POLICY_A_PRIORITY,
	NFSEC_POLICY_A_SELECTOR,
	NFSEC_POLICY_A_TMPL,
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

enum nfsec_tmpl_attr {
	NFSEC_TMPL_A_UNSPEC,
	NFSEC_TMPL_A_MODE,
	NFSEC_TMPL_A_FAMILY,
	NFSEC_TMPL_A_SRC,
	NFSEC_TMPL_A_DST,
	NFSEC_TMPL_A_REQID,
	__NFSEC_TMPL_A_LAST
};

#define NFSEC_TMPL_A_MAX (__NFSEC_TMPL_A_LAST - 1)

enum nfsec_mode {
	NFSEC_MODE_TRANSPORT,
	NFSEC_MODE_TUNNEL,
	__NFSEC_MODE_LAST
};

#define NFSEC_MODE_MAX (__NFSEC_MODE_LAST - 1)

enum nfsec_sa_dir {
	NFSEC_SA_DIR_OUT,
	NFSEC_SA_DIR_IN,
	__NFSEC_SA_DIR_LAST
};

#define NFSEC_SA_DIR_MAX (__NFSEC_SA_DIR_LAST - 1)

enum nfsec_sa_attr {
	NFSEC_SA_A_UNSPEC,
	NFSEC_SA_A_PAD,
	NFSEC_SA_A_SPI,
	NFSEC_SA_A_DIR,
	NFSEC_SA_A_FAMILY,
	NFSEC_SA_A_SRC,
	NFSEC_SA_A_DST,
	NFSEC_SA_A_PROTO,
	NFSEC_SA_A_MODE,
	NFSEC_SA_A_REQID,
	NFSEC_SA_A_AEAD,
	NFSEC_SA_A_ENC,
	NFSEC_SA_A_AUTH,
	NFSEC_SA_A_REPLAY_WINDOW,
	NFSEC_SA_A_ESN,
	NFSEC_SA_A_SELECTOR,
	NFSEC_SA_A_LIFETIME,
	NFSEC_SA_A_SEQ,
	NFSEC_SA_A_DROPS,
	NFSEC_SA_A_ENCAP,
	__NFSEC_SA_A_LAST
};

#define NFSEC_SA_A_MAX (__NFSEC_SA_A_LAST - 1)

/* How an SA's ESP travels inside UDP (NFSEC_SA_A_ENCAP). */
enum nfsec_encap_attr {
	NFSEC_ENCAP_A_UNSPEC,
	NFSEC_ENCAP_A_TYPE,
	NFSEC_ENCAP_A_SPORT,
	NFSEC_ENCAP_A_DPORT,
	__NFSEC_ENCAP_A_LAST
};

#define NFSEC_ENCAP_A_MAX (__NFSEC_ENCAP_A_LAST - 1)

enum nfsec_encap_type {
	NFSEC_ENCAP_UNSPEC,
	NFSEC_ENCAP_ESPINUDP,	/* RFC 3948: ESP right after UDP, IKE behind a zero marker */
	__NFSEC_ENCAP_LAST
};

#define NFSEC_ENCAP_MAX (__NFSEC_ENCAP_LAST - 1)

/* Where an SA's ESP in UDP came from (NFSEC_A_MAPPING, with NFSEC_CMD_MAPPING). */
enum nfsec_mapping_attr {
	NFSEC_MAPPING_A_UNSPEC,
	NFSEC_MAPPING_A_ADDR,	/* 4 or 16 bytes, the SA's family */
	NFSEC_MAPPING_A_PORT,	/* u16, host order */
	__NFSEC_MAPPING_A_LAST
};

#define NFSEC_MAPPING_A_MAX (__NFSEC_MAPPING_A_LAST - 1)

enum nfsec_alg_attr {
	NFSEC_ALG_A_UNSPEC,
	NFSEC_ALG_A_NAME,
	NFSEC_ALG_A_KEY,
	NFSEC_ALG_A_ICV_BITS,
	__NFSEC_ALG_A_LAST
};

#define NFSEC_ALG_A_MAX (__NFSEC_ALG_A_LAST - 1)

enum nfsec_lifetime_attr {
	NFSEC_LT_A_UNSPEC,
	NFSEC_LT_A_PAD,
	NFSEC_LT_A_SOFT_BYTES,
	NFSEC_LT_A_HARD_BYTES,
	NFSEC_LT_A_SOFT_PACKETS,
	NFSEC_LT_A_HARD_PACKETS,
	NFSEC_LT_A_SOFT_SECONDS,
	NFSEC_LT_A_HARD_SECONDS,
	NFSEC_LT_A_BYTES,		/* get only */
	NFSEC_LT_A_PACKETS,		/* get only */
	NFSEC_LT_A_AGE_SECONDS,		/* get only */
	__NFSEC_LT_A_LAST
};

#define NFSEC_LT_A_MAX (__NFSEC_LT_A_LAST - 1)

/* Packets one SA dropped, by reason: each a u64 in NFSEC_SA_A_DROPS (get only). */
enum nfsec_sa_drop_attr {
	NFSEC_SA_DROP_A_UNSPEC,
	NFSEC_SA_DROP_A_PAD,
	NFSEC_SA_DROP_A_REPLAY,		/* in: replayed or behind the window */
	NFSEC_SA_DROP_A_AUTH_FAIL,	/* in: ICV check failed */
	NFSEC_SA_DROP_A_MALFORMED,	/* in: too short, bad padding or inner header */
	NFSEC_SA_DROP_A_SELECTOR,	/* in: outside the SA's selector */
	NFSEC_SA_DROP_A_DUMMY,		/* in: dummy packets (next header 59), discarded */
	NFSEC_SA_DROP_A_EXPIRED,	/* hard lifetime reached */
	NFSEC_SA_DROP_A_SEQ_OVERFLOW,	/* out: sequence numbers used up */
	NFSEC_SA_DROP_A_NO_ROUTE,	/* out: no route to the tunnel endpoint */
	NFSEC_SA_DROP_A_TOO_BIG,	/* out: over the path MTU, ICMP sent */
	NFSEC_SA_DROP_A_ERROR,		/* out of memory, GSO or crypto failure */
	__NFSEC_SA_DROP_A_LAST
};

#define NFSEC_SA_DROP_A_MAX (__NFSEC_SA_DROP_A_LAST - 1)

/* The namespace's counters, each a u64 in NFSEC_A_STATS. */
enum nfsec_stat_attr {
	NFSEC_STAT_A_UNSPEC,
	NFSEC_STAT_A_PAD,
	NFSEC_STAT_A_OUT_PACKETS,	/* protected and sent */
	NFSEC_STAT_A_OUT_BYTES,		/* their inner bytes */
	NFSEC_STAT_A_IN_PACKETS,	/* accepted and passed on */
	NFSEC_STAT_A_IN_BYTES,
	NFSEC_STAT_A_OUT_NO_SA,		/* protect policy, no SA in time: dropped */
	NFSEC_STAT_A_OUT_HOLD_FULL,	/* no SA and no room to wait: dropped */
	NFSEC_STAT_A_OUT_DISCARD,	/* a discard policy */
	NFSEC_STAT_A_OUT_SEQ_OVERFLOW,	/* sequence numbers used up */
	NFSEC_STAT_A_OUT_EXPIRED,	/* hard lifetime reached */
	NFSEC_STAT_A_OUT_NO_ROUTE,	/* no route to the tunnel endpoint */
	NFSEC_STAT_A_OUT_TOO_BIG,	/* DF or IPv6 over the path MTU: ICMP sent */
	NFSEC_STAT_A_OUT_ERROR,		/* out of memory, GSO or crypto failure */
	NFSEC_STAT_A_IN_NO_SA,		/* ESP with an unknown SPI */
	NFSEC_STAT_A_IN_MALFORMED,	/* too short, bad padding or next header */
	NFSEC_STAT_A_IN_REPLAY,		/* replayed or behind the window */
	NFSEC_STAT_A_IN_AUTH_FAIL,	/* ICV check failed */
	NFSEC_STAT_A_IN_SELECTOR,	/* decrypted, but outside the SA's selector */
	NFSEC_STAT_A_IN_NOT_PROTECTED,	/* cleartext an in/fwd protect policy refuses */
	NFSEC_STAT_A_IN_DISCARD,	/* an in/fwd discard policy */
	NFSEC_STAT_A_IN_EXPIRED,	/* hard lifetime reached */
	NFSEC_STAT_A_IN_ERROR,		/* out of memory or crypto failure */
	NFSEC_STAT_A_ACQUIRES,		/* ACQUIRE events raised */
	NFSEC_STAT_A_OUT_HDR_ERROR,	/* headers unreadable (a policy might cover it) */
	NFSEC_STAT_A_IN_HDR_ERROR,	/* likewise, against the in or fwd policies */
	NFSEC_STAT_A_IN_DUMMY,		/* dummy packets (next header 59): discarded */
	NFSEC_STAT_A_IN_KEEPALIVE,	/* NAT keepalives (RFC 3948 2.3): discarded */
	__NFSEC_STAT_A_LAST
};

#define NFSEC_STAT_A_MAX (__NFSEC_STAT_A_LAST - 1)

/* Longest NFSEC_A_MODULE_VERSION, NUL included. */
#define NFSEC_MODULE_VERSION_LEN 32

#endif /* _UAPI_LINUX_NFSEC_H */
