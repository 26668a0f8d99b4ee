// SPDX-License-Identifier: GPL-2.0
/*
 * libnfsec: the namespace's counters, NFSEC_CMD_STATS_GET, and their names. The reply must
 * carry every counter this version knows; those of a newer module are skipped.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "internal.h"

static const char stats_op[] = "get stats";

/* Lower case with dashes: the words "nfsec stats" prints. */
static const char *const stat_names[NFSEC_STAT_A_MAX + 1] = {
	[NFSEC_STAT_A_OUT_PACKETS]	= "out-packets",
	[NFSEC_STAT_A_OUT_BYTES]	= "out-bytes",
	[NFSEC_STAT_A_IN_PACKETS]	= "in-packets",
	[NFSEC_STAT_A_IN_BYTES]		= "in-bytes",
	[NFSEC_STAT_A_OUT_NO_SA]	= "out-no-sa",
	[NFSEC_STAT_A_OUT_HOLD_FULL]	= "out-hold-full",
	[NFSEC_STAT_A_OUT_DISCARD]	= "out-discard",
	[NFSEC_STAT_A_OUT_SEQ_OVERFLOW]	= "out-seq-overflow",
	[NFSEC_STAT_A_OUT_EXPIRED]	= "out-expired",
	[NFSEC_STAT_A_OUT_NO_ROUTE]	= "out-no-route",
	[NFSEC_STAT_A_OUT_TOO_BIG]	= "out-too-big",
	[NFSEC_STAT_A_OUT_ERROR]	= "out-error",
	[NFSEC_STAT_A_IN_NO_SA]		= "in-no-sa",
	[NFSEC_STAT_A_IN_MALFORMED]	= "in-malformed",
	[NFSEC_STAT_A_IN_REPLAY]	= "in-replay",
	[NFSEC_STAT_A_IN_AUTH_FAIL]	= "in-auth-fail",
	[NFSEC_STAT_A_IN_SELECTOR]	= "in-selector",
	[NFSEC_STAT_A_IN_NOT_PROTECTED]	= "in-not-protected",
	[NFSEC_STAT_A_IN_DISCARD]	= "in-discard",
	[NFSEC_STAT_A_IN_EXPIRED]	= "in-expired",
	[NFSEC_STAT_A_IN_ERROR]		= "in-error",
	[NFSEC_STAT_A_ACQUIRES]		= "acquires",
	[NFSEC_STAT_A_OUT_HDR_ERROR]	= "out-hdr-error",
	[NFSEC_STAT_A_IN_HDR_ERROR]	= "in-hdr-error",
	[NFSEC_STAT_A_IN_DUMMY]		= "in-dummy",
	[NFSEC_STAT_A_IN_KEEPALIVE]	= "in-keepalive",
};

/* The first counter: UNSPEC and PAD come before it. */
enum { STAT_FIRST = NFSEC_STAT_A_PAD + 1 };

const char *nfsec_stat_name(int attr)
{
	if (attr < STAT_FIRST || attr > NFSEC_STAT_A_MAX)
		return NULL;
	return stat_names[attr];
}

static const struct nla_policy reply_policy[NFSEC_A_MAX + 1] = {
	[NFSEC_A_STATS] = { .type = NLA_NESTED },
};

#define COUNTER { .type = NLA_U64, .maxlen = sizeof(uint64_t) }

static const struct nla_policy stats_policy[NFSEC_STAT_A_MAX + 1] = {
	[NFSEC_STAT_A_OUT_PACKETS]	= COUNTER,
	[NFSEC_STAT_A_OUT_BYTES]	= COUNTER,
	[NFSEC_STAT_A_IN_PACKETS]	= COUNTER,
	[NFSEC_STAT_A_IN_BYTES]		= COUNTER,
	[NFSEC_STAT_A_OUT_NO_SA]	= COUNTER,
	[NFSEC_STAT_A_OUT_HOLD_FULL]	= COUNTER,
	[NFSEC_STAT_A_OUT_DISCARD]	= COUNTER,
	[NFSEC_STAT_A_OUT_SEQ_OVERFLOW]	= COUNTER,
	[NFSEC_STAT_A_OUT_EXPIRED]	= COUNTER,
	[NFSEC_STAT_A_OUT_NO_ROUTE]	= COUNTER,
	[NFSEC_STAT_A_OUT_TOO_BIG]	= COUNTER,
	[NFSEC_STAT_A_OUT_ERROR]	= COUNTER,
	[NFSEC_STAT_A_IN_NO_SA]		= COUNTER,
	[NFSEC_STAT_A_IN_MALFORMED]	= COUNTER,
	[NFSEC_STAT_A_IN_REPLAY]	= COUNTER,
	[NFSEC_STAT_A_IN_AUTH_FAIL]	= COUNTER,
	[NFSEC_STAT_A_IN_SELECTOR]	= COUNTER,
	[NFSEC_STAT_A_IN_NOT_PROTECTED]	= COUNTER,
	[NFSEC_STAT_A_IN_DISCARD]	= COUNTER,
	[NFSEC_STAT_A_IN_EXPIRED]	= COUNTER,
	[NFSEC_STAT_A_IN_ERROR]		= COUNTER,
	[NFSEC_STAT_A_ACQUIRES]		= COUNTER,
	[NFSEC_STAT_A_OUT_HDR_ERROR]	= COUNTER,
	[NFSEC_STAT_A_IN_HDR_ERROR]	= COUNTER,
	[NFSEC_STAT_A_IN_DUMMY]		= COUNTER,
	[NFSEC_STAT_A_IN_KEEPALIVE]	= COUNTER,
};

#undef COUNTER

int nfsec_stats_parse(struct nfsec_handle *h, struct nlmsghdr *nlh, void *arg)
{
	struct nfsec_stats_reply *reply = arg;
	struct nlattr *tb[NFSEC_A_MAX + 1], *st[NFSEC_STAT_A_MAX + 1];
	const struct genlmsghdr *gnlh;
	int ret;

	ret = nfsec_attrs_parse(h, stats_op, nlh, tb, NFSEC_A_MAX, reply_policy);
	if (ret < 0)
		return ret;
	gnlh = nlmsg_data(nlh);
	if (gnlh->cmd != NFSEC_CMD_STATS_GET)
		return nfsec_seterr(h, -EBADMSG, "%s: reply to command %u, expected %u",
				    stats_op, gnlh->cmd, NFSEC_CMD_STATS_GET);
	if (!tb[NFSEC_A_STATS])
		return nfsec_seterr(h, -EBADMSG, "%s: reply lacks NFSEC_A_STATS", stats_op);

	ret = nfsec_nest_parse_padded(h, stats_op, "NFSEC_A_STATS", tb[NFSEC_A_STATS], st,
				      NFSEC_STAT_A_MAX, stats_policy, NFSEC_STAT_A_PAD);
	if (ret < 0)
		return ret;
	for (int attr = STAT_FIRST; attr <= NFSEC_STAT_A_MAX; attr++)
		if (!st[attr])
			return nfsec_seterr(h, -EBADMSG, "%s: reply lacks the counter %s (%d)",
					    stats_op, stat_names[attr], attr);

	reply->count++;
	if (reply->count > 1)
		return 0;
	memset(reply->out, 0, sizeof(*reply->out) * (NFSEC_STAT_A_MAX + 1));
	for (int attr = STAT_FIRST; attr <= NFSEC_STAT_A_MAX; attr++)
		reply->out[attr] = nla_get_u64(st[attr]);
	return 0;
}

int nfsec_stats_get(struct nfsec_handle *h, uint64_t out[NFSEC_STAT_A_MAX + 1])
{
	uint64_t counters[NFSEC_STAT_A_MAX + 1];
	struct nfsec_stats_reply reply = { .out = counters };
	struct nl_msg *msg;
	int ret;

	ret = nfsec_msg_new(h, stats_op, NFSEC_CMD_STATS_GET, 0, &msg);
	if (ret < 0)
		return ret;
	ret = nfsec_request(h, stats_op, msg, nfsec_stats_parse, &reply);
	if (ret < 0)
		return ret;
	if (reply.count != 1)
		return nfsec_seterr(h, -EBADMSG, "%s: %u replies from the kernel, expected 1",
				    stats_op, reply.count);
	memcpy(out, counters, sizeof(counters));
	return 0;
}
