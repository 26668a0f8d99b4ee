// SPDX-License-Identifier: GPL-2.0
/*
 * libnfsec: policy adds queued on a handle and sent as one NFSEC_CMD_POLICY_NEW holding
 * NFSEC_A_POLICIES, a list the kernel applies in order up to the first entry it refuses.
 * The kernel's error points into that entry (NLMSGERR_ATTR_OFFS); the offset of each
 * entry, kept as it is put, turns it back into the caller's tag.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "internal.h"

static const char add_op[] = "add policy";

enum {
	QUEUE_MSG_SIZE = 32768,	/* bytes; libnl's socket buffers take twice that */
	QUEUE_ENTRY_MAX = 384,	/* bytes, above the largest policy put (IPv6 tunnel) */
};

struct nfsec_policy_queue {
	/*
	 * The request, kept from one list to the next: a list is some 28 KiB, which
	 * calloc() and the wipe of nfsec_msg_free() would each clear again. Only the
	 * headers stay; the policies, no secret, are written over. NULL until first used.
	 */
	struct nl_msg *msg;
	struct nfsec_put w;		/* the writer into msg */
	uint32_t head;			/* nlmsg_len of the headers alone */
	uint32_t list;			/* NFSEC_A_POLICIES in msg, while count > 0 */
	unsigned int count;
	uint32_t starts[NFSEC_POLICIES_MAX];	/* offset of each entry from the nlmsghdr */
	unsigned long tags[NFSEC_POLICIES_MAX];
};

void nfsec_policy_queue_free(struct nfsec_policy_queue *q)
{
	if (!q)
		return;
	nfsec_msg_free(q->msg);
	free(q);
}

static size_t queue_used(const struct nfsec_policy_queue *q)
{
	return q->w.nlh->nlmsg_len;
}

bool nfsec_policy_queue_full(const struct nfsec_handle *h)
{
	const struct nfsec_policy_queue *q = h->queue;

	if (!q || !q->count)
		return false;
	return q->count == NFSEC_POLICIES_MAX ||
	       queue_used(q) + QUEUE_ENTRY_MAX > QUEUE_MSG_SIZE;
}

unsigned int nfsec_policy_queued(const struct nfsec_handle *h)
{
	return h->queue ? h->queue->count : 0;
}

/* The queue's request, made the first time; its list opened, empty, when nothing is queued. */
static int queue_start(struct nfsec_handle *h)
{
	struct nfsec_policy_queue *q = h->queue;
	struct nlmsghdr *nlh;
	int ret;

	if (!q) {
		q = calloc(1, sizeof(*q));
		if (!q)
			return nfsec_seterr(h, -ENOMEM, "%s: out of memory", add_op);
		h->queue = q;
	}
	if (!q->msg) {
		ret = nfsec_msg_new_size(h, add_op, NFSEC_CMD_POLICY_NEW, 0, QUEUE_MSG_SIZE,
					 &q->msg);
		if (ret < 0)
			return ret;
		q->w = nfsec_put_begin(q->msg);
		q->head = q->w.nlh->nlmsg_len;
	}
	if (q->count)
		return 0;
	nlh = q->w.nlh;
	nlh->nlmsg_len = q->head;
	nlh->nlmsg_pid = NL_AUTO_PORT;
	nlh->nlmsg_seq = NL_AUTO_SEQ;
	q->w.full = false;
	q->list = nfsec_put_nest_start(&q->w, NFSEC_A_POLICIES);
	return 0;
}

int nfsec_policy_queue(struct nfsec_handle *h, const struct nfsec_policy *p,
		       unsigned long tag)
{
	struct nfsec_policy_queue *q;
	uint32_t start;
	int ret;

	if (nfsec_policy_queue_full(h))
		return nfsec_seterr(h, -ENOBUFS, "%s: the queue is full: send it first", add_op);
	ret = nfsec_policy_check(h, p);
	if (!ret)
		ret = queue_start(h);
	if (ret < 0)
		return ret;
	q = h->queue;
	start = (uint32_t)queue_used(q);
	/* QUEUE_ENTRY_MAX bytes were free: a policy that does not fit is a bug here */
	if (nfsec_policy_put(&q->w, p) < 0)
		return nfsec_seterr(h, -EMSGSIZE, "%s: a policy larger than %d bytes", add_op,
				    QUEUE_ENTRY_MAX);
	q->starts[q->count] = start;
	q->tags[q->count] = tag;
	q->count++;
	return 0;
}

/* Of the n entries sent, the one the kernel's error points into; the first when none. */
static unsigned int failed_entry(const struct nfsec_policy_queue *q, unsigned int n,
				 uint32_t offs)
{
	unsigned int i = n;

	while (i > 0 && q->starts[i - 1] > offs)
		i--;
	return i > 0 ? i - 1 : 0;
}

int nfsec_policy_queue_send(struct nfsec_handle *h, unsigned long *failed)
{
	struct nfsec_policy_queue *q = h->queue;
	unsigned int n;
	int ret;

	if (!q || !q->count)
		return 0;
	n = q->count;
	nfsec_put_nest_end(&q->w, q->list);
	q->count = 0;
	h->err_offs = 0;
	ret = nfsec_request_keep(h, add_op, q->msg, NULL, NULL);
	if (ret < 0 && failed) {
		/* q->starts and q->tags are still those of the entries sent */
		*failed = q->tags[failed_entry(q, n, h->err_offs)];
	}
	return ret;
}
