/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libnfsec internals, shared by the library's files and its unit tests; not installed.
 *
 * Every command is one request built with nfsec_msg_new() and handed to nfsec_request(),
 * which sends it, feeds each reply message to the command's parse function and finishes on
 * the kernel's ack (a "do" request) or NLMSG_DONE (a dump), reporting errno and extack.
 */
#ifndef NFSEC_LIB_INTERNAL_H
#define NFSEC_LIB_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "nfsec.h"
#include "put.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum { NFSEC_ERRMSG_LEN = 512 };

struct nfsec_policy_queue;

struct nfsec_handle {
	struct nl_sock *sk;
	struct nl_sock *mon;		/* the event socket, from nfsec_monitor_open() */
	int family;			/* resolved id of NFSEC_GENL_NAME */
	struct nfsec_policy_queue *queue;	/* policy_queue.c's, NULL until used */
	uint32_t err_offs;		/* NLMSGERR_ATTR_OFFS of the last kernel error, or 0 */
	char errmsg[NFSEC_ERRMSG_LEN];
};

/*
 * Called for each reply message of a request: returns 0, or a negative errno after setting
 * the handle's message. The remaining replies are still drained after an error.
 */
typedef int (*nfsec_parse_fn)(struct nfsec_handle *h, struct nlmsghdr *nlh, void *arg);

/* libnl reports its own error numbers (NLE_*, either sign); callers get -errno values. */
int nfsec_nlerr_to_errno(int nlerr);

/* Formats the handle's message and returns err, so callers can "return nfsec_seterr(...)". */
int nfsec_seterr(struct nfsec_handle *h, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* *msgp = a request for cmd with the genl header filled in; flags are NLM_F_DUMP or 0. */
int nfsec_msg_new(struct nfsec_handle *h, const char *op, uint8_t cmd, int flags,
		  struct nl_msg **msgp);

/* The same in a buffer of size bytes (0: libnl's default, a page). */
int nfsec_msg_new_size(struct nfsec_handle *h, const char *op, uint8_t cmd, int flags,
		       size_t size, struct nl_msg **msgp);

/*
 * Wipes the whole buffer of msg, then frees it: requests may carry keys. NULL is fine.
 * Every request is freed this way, by nfsec_request(), after a failed build or (the
 * policy queue's) with the handle.
 */
void nfsec_msg_free(struct nl_msg *msg);

/*
 * The kernel validates nests strictly and refuses one without NLA_F_NESTED. libnl 3.7's
 * nla_nest_start() sets the flag itself, older releases do not; this asks for it with both.
 */
struct nlattr *nfsec_nest_start(struct nl_msg *msg, int type);

/* Frees *msgp (wiped), sets it to NULL and says the request grew too large for op. */
int nfsec_too_large(struct nfsec_handle *h, const char *op, struct nl_msg **msgp);

/* Sends msg (always freed) and collects its replies; op names the request in messages. */
int nfsec_request(struct nfsec_handle *h, const char *op, struct nl_msg *msg,
		  nfsec_parse_fn parse, void *arg);

/*
 * The same, msg kept for the caller to build again (the policy queue): nl_send_auto()
 * gave its header a port and a sequence number, which the next build sets back to
 * NL_AUTO_PORT and NL_AUTO_SEQ.
 */
int nfsec_request_keep(struct nfsec_handle *h, const char *op, struct nl_msg *msg,
		       nfsec_parse_fn parse, void *arg);

/*
 * The replies of the commands that give objects back, one object a message, to a "do"
 * GET or a dump: nfsec_reply_parse() is the one collector of them, the parse function of
 * nfsec_request() with a struct nfsec_reply. Each reply must be of the object's GET
 * command and hold its nest, which the object's strict decoder reads.
 */
enum nfsec_reply_object {
	NFSEC_REPLY_POLICY,		/* NFSEC_CMD_POLICY_GET: NFSEC_A_POLICY, nfsec_policy */
	NFSEC_REPLY_SA,			/* NFSEC_CMD_SA_GET: NFSEC_A_SA, nfsec_sa */
};

/*
 * One request's replies: the first object into *one when one is set (a "do" GET), else
 * each object to the callback of its type (a dump), with arg; count, the objects seen.
 * A callback's negative errno stops the request.
 */
struct nfsec_reply {
	const char *op;
	enum nfsec_reply_object object;
	void *one;
	union {
		nfsec_policy_fn policy;
		nfsec_sa_fn sa;
	} cb;
	void *arg;
	unsigned int count;
};

int nfsec_reply_parse(struct nfsec_handle *h, struct nlmsghdr *nlh, void *arg);

/*
 * nfsec_request() of a "do" GET: its one object into out, or -EBADMSG when the kernel
 * gave back no object or more than one.
 */
int nfsec_request_one(struct nfsec_handle *h, const char *op, struct nl_msg *msg,
		      enum nfsec_reply_object object, void *out);

/*
 * Reads the errno of an NLMSG_ERROR or NLMSG_DONE message. When it is an error, sets the
 * handle's message from it (extack text, missing attribute) and err_offs from the offset
 * the kernel pointed at (0 without one), and returns it; returns 0 for
 * an ack or a clean end of dump, -EBADMSG when the message is truncated.
 */
int nfsec_kernel_error(struct nfsec_handle *h, const char *op, const struct nlmsghdr *nlh);

/*
 * The attributes of a genl reply into tb[0..max], each checked against policy (libnl
 * checks lengths: set .maxlen for an exact one). Unlike nla_parse(), a bad or repeated
 * attribute is named in the message; types above max, from a newer module, are skipped.
 */
int nfsec_attrs_parse(struct nfsec_handle *h, const char *op, struct nlmsghdr *nlh,
		      struct nlattr **tb, int max, const struct nla_policy *policy);

/*
 * The same for the attributes nested in nest, which messages call name
 * ("NFSEC_A_POLICY"). The nest itself must have been validated (NLA_NESTED) by the parse
 * of its parent.
 */
int nfsec_nest_parse(struct nfsec_handle *h, const char *op, const char *name,
		     struct nlattr *nest, struct nlattr **tb, int max,
		     const struct nla_policy *policy);

/*
 * nfsec_nest_parse() for a nest whose u64 attributes the kernel puts with
 * nla_put_u64_64bit(): the attributes of type pad it adds before them for alignment, as
 * many as it needs, are skipped.
 */
int nfsec_nest_parse_padded(struct nfsec_handle *h, const char *op, const char *name,
			    struct nlattr *nest, struct nlattr **tb, int max,
			    const struct nla_policy *policy, int pad);

/* Each of tb[types[0..n-1]] must be set, or the reply "lacks" names[type]. */
int nfsec_need(struct nfsec_handle *h, const char *op, struct nlattr **tb, const int *types,
	       size_t n, const char *const *names);

/*
 * selector.c: the selector nest (NFSEC_SEL_A_*), sent in policies and SAs, given back in
 * those and as ACQUIRE's flow; and the addresses of every nest.
 */

/* 4 for AF_INET, else 16. */
static inline unsigned int nfsec_addr_len(uint16_t family)
{
	return family == AF_INET ? 4 : 16;
}

/* "AF_INET" or "AF_INET6", for messages. */
const char *nfsec_family_name(uint16_t family);

/* -EINVAL naming the fault when sel is no selector the kernel could take. */
int nfsec_selector_check(struct nfsec_handle *h, const char *op,
			 const struct nfsec_selector *sel);

/* sel as the nest type, every attribute stated; w full when it does not fit. */
void nfsec_selector_put(struct nfsec_put *w, uint16_t type, const struct nfsec_selector *sel);

/*
 * The selector nest, which messages call name ("NFSEC_POLICY_A_SELECTOR"), into *sel: every
 * attribute required (a flow may leave out the prefix lengths, meaning the full address).
 * *sel is only written on success.
 */
int nfsec_selector_decode(struct nfsec_handle *h, const char *op, const char *name,
			  struct nlattr *nest, struct nfsec_selector *sel);
int nfsec_flow_decode(struct nfsec_handle *h, const char *op, const char *name,
		      struct nlattr *nest, struct nfsec_selector *sel);

/* An address attribute, which messages call name, into addr: exactly family's length. */
int nfsec_addr_get(struct nfsec_handle *h, const char *op, const struct nlattr *nla,
		   const char *name, uint16_t family, uint8_t *addr);

/* The parse function of NFSEC_CMD_GET_VERSION; arg is a struct nfsec_version_reply. */
struct nfsec_version_reply {
	struct nfsec_version *ver;
	unsigned int count;		/* replies seen; a "do" request must give exactly one */
};
int nfsec_version_parse(struct nfsec_handle *h, struct nlmsghdr *nlh, void *arg);

/* policy_queue.c: frees the handle's queue, wiped; NULL is fine. */
void nfsec_policy_queue_free(struct nfsec_policy_queue *q);

/*
 * The requests of policy.c, built but not sent (nfsec_request() sends them): NEW for p,
 * DEL or a "do" GET (cmd) for one index, FLUSH for dir or every direction (dir < 0).
 * Arguments libnfsec can tell are wrong fail with -EINVAL before anything is built.
 */
int nfsec_policy_new_msg(struct nfsec_handle *h, const struct nfsec_policy *p,
			 struct nl_msg **msgp);

/*
 * What nfsec_policy_new_msg() checks and puts: p's faults, -EINVAL; p as NFSEC_A_POLICY
 * through w, or -EMSGSIZE and the message as it was when it does not fit.
 */
int nfsec_policy_check(struct nfsec_handle *h, const struct nfsec_policy *p);
int nfsec_policy_put(struct nfsec_put *w, const struct nfsec_policy *p);
int nfsec_policy_index_msg(struct nfsec_handle *h, uint8_t cmd, uint32_t index,
			   struct nl_msg **msgp);
int nfsec_policy_flush_msg(struct nfsec_handle *h, int dir, struct nl_msg **msgp);

/*
 * The strict decoders of policies (for nfsec_reply_parse() and the events): a
 * policy nest with every attribute, as a dump gives it, into *p; or a flush's nest, which
 * must name a direction, into *dir. *p and *dir are only written on success.
 */
int nfsec_policy_decode(struct nfsec_handle *h, const char *op, struct nlattr *nest,
			struct nfsec_policy *p);
int nfsec_policy_dir_decode(struct nfsec_handle *h, const char *op, struct nlattr *nest,
			    int *dir);

/*
 * sa.c: the requests, built but not sent: NEW for sa; DEL or a "do" GET (cmd) for one
 * (spi, family, dst, proto). Arguments libnfsec can tell are wrong fail with -EINVAL before
 * anything is built. The keys in a NEW request are wiped when it is freed.
 */
int nfsec_sa_new_msg(struct nfsec_handle *h, const struct nfsec_sa *sa, struct nl_msg **msgp);
int nfsec_sa_id_msg(struct nfsec_handle *h, uint8_t cmd, uint32_t spi, uint16_t family,
		    const uint8_t *dst, uint8_t proto, struct nl_msg **msgp);

/*
 * The strict decoder of SAs (for nfsec_reply_parse() and the events): an SA nest as a
 * dump gives it into *sa, only written on success. A key in it is refused: the kernel
 * never sends one.
 */
int nfsec_sa_decode(struct nfsec_handle *h, const char *op, struct nlattr *nest,
		    struct nfsec_sa *sa);

/*
 * stats.c: the parse function of the NFSEC_CMD_STATS_GET reply; arg is a struct
 * nfsec_stats_reply. Every counter this version knows is required.
 */
struct nfsec_stats_reply {
	uint64_t *out;			/* NFSEC_STAT_A_MAX + 1 of them */
	unsigned int count;		/* replies seen; exactly one is right */
};
int nfsec_stats_parse(struct nfsec_handle *h, struct nlmsghdr *nlh, void *arg);

/*
 * monitor.c. nfsec_monitor_open() is nfsec_monitor_join(h, NFSEC_GENL_NAME,
 * NFSEC_MCGRP_EVENTS); the tests join nlctrl's group instead, which is always there.
 */
int nfsec_monitor_join(struct nfsec_handle *h, const char *family, const char *group);

/*
 * One event message into *ev: 1, or 0 when its command is no event this version knows
 * (skipped, *ev untouched), or a negative errno after setting the handle's message.
 */
int nfsec_event_parse(struct nfsec_handle *h, struct nlmsghdr *nlh, struct nfsec_event *ev);

/*
 * The messages of one datagram from the kernel, len bytes at buf: each event to cb,
 * netlink control messages and unknown commands skipped. Stops at the first error.
 */
int nfsec_events_feed(struct nfsec_handle *h, void *buf, size_t len, nfsec_event_fn cb,
		      void *arg);

#endif /* NFSEC_LIB_INTERNAL_H */
