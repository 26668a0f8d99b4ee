// SPDX-License-Identifier: GPL-2.0
/*
 * The tunnel registry: a doubly linked list in the order of adding. Lookups walk it,
 * which is fine for the few hundred tunnels one host has; a hash by name and by reqid
 * can replace the walks without changing the interface.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "registry.h"

static struct {
	struct iked_tunnel *head, *tail;
	unsigned int count;
	/* instances: apart from the tunnels, in the order made */
	struct iked_tunnel *inst_head, *inst_tail;
	unsigned int inst_count;
	const struct registry_ops *ops;
} reg;

void registry_set_ops(const struct registry_ops *ops)
{
	reg.ops = ops;
}

struct iked_tunnel *registry_first(void)
{
	return reg.head;
}

struct iked_tunnel *registry_next(const struct iked_tunnel *t)
{
	return t->next;
}

unsigned int registry_count(void)
{
	return reg.count;
}

struct iked_tunnel *registry_find(const char *name)
{
	for (struct iked_tunnel *t = reg.head; t; t = t->next)
		if (!strcmp(t->conf.name, name))
			return t;
	return NULL;
}

struct iked_tunnel *registry_find_reqid(uint32_t reqid)
{
	for (struct iked_tunnel *t = reg.head; t; t = t->next)
		if (t->reqid == reqid)
			return t;
	for (struct iked_tunnel *t = reg.inst_head; t; t = t->next)
		if (t->reqid == reqid)
			return t;
	return NULL;
}

/* The lowest reqid from 1 up that no tunnel has: at most count + 1 tries. */
static uint32_t reqid_free(void)
{
	uint32_t reqid = 1;

	while (registry_find_reqid(reqid))
		reqid++;
	return reqid;
}

/* The list t belongs to: the tunnels', or the instances'. */
static void list_of(const struct iked_tunnel *t, struct iked_tunnel ***head,
		    struct iked_tunnel ***tail, unsigned int **count)
{
	*head = t->parent ? &reg.inst_head : &reg.head;
	*tail = t->parent ? &reg.inst_tail : &reg.tail;
	*count = t->parent ? &reg.inst_count : &reg.count;
}

static void link_tail(struct iked_tunnel *t)
{
	struct iked_tunnel **head, **tail;
	unsigned int *count;

	list_of(t, &head, &tail, &count);
	t->prev = *tail;
	t->next = NULL;
	if (*tail)
		(*tail)->next = t;
	else
		*head = t;
	*tail = t;
	(*count)++;
}

static void unlink_one(struct iked_tunnel *t)
{
	struct iked_tunnel **head, **tail;
	unsigned int *count;

	list_of(t, &head, &tail, &count);
	if (t->prev)
		t->prev->next = t->next;
	else
		*head = t->next;
	if (t->next)
		t->next->prev = t->prev;
	else
		*tail = t->prev;
	(*count)--;
}

static void tunnel_free(struct iked_tunnel *t)
{
	explicit_bzero(t, sizeof(*t));
	free(t);
}

static int add_check(const struct tunnel *conf, char *err, size_t errlen)
{
	const struct iked_tunnel *other;

	if (registry_find(conf->name)) {
		snprintf(err, errlen, "tunnel \"%s\" exists already", conf->name);
		return -EEXIST;
	}
	other = conf->reqid ? registry_find_reqid(conf->reqid) : NULL;
	if (other) {
		snprintf(err, errlen, "reqid %u is %stunnel \"%s\"'s already", conf->reqid,
			 other->parent ? "a peer of " : "", other->conf.name);
		return -EEXIST;
	}
	if (reg.count >= REGISTRY_TUNNELS_MAX) {
		snprintf(err, errlen, "%d tunnels already, no more", REGISTRY_TUNNELS_MAX);
		return -ENOSPC;
	}
	return 0;
}

int registry_add(const struct tunnel *conf, struct iked_tunnel **out, char *err,
		 size_t errlen)
{
	struct iked_tunnel *t;
	int ret;

	ret = add_check(conf, err, errlen);
	if (ret < 0)
		return ret;
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(&t->conf, conf, sizeof(*conf));
	t->reqid = conf->reqid ? conf->reqid : reqid_free();
	link_tail(t);
	if (reg.ops && reg.ops->added) {
		ret = reg.ops->added(t, err, errlen);
		if (ret < 0) {
			unlink_one(t);
			tunnel_free(t);
			return ret;
		}
	}
	log_ctx_info(t->conf.name, "added, reqid %u", t->reqid);
	if (out)
		*out = t;
	return 0;
}

static void remove_one(struct iked_tunnel *t)
{
	struct iked_tunnel *i, *next;

	if (reg.ops && reg.ops->removing)
		reg.ops->removing(t);
	/* instances the IKE layer left go with their tunnel: none points to it after */
	for (i = reg.inst_head; i; i = next) {
		next = i->next;
		if (i->parent == t)
			registry_instance_del(i);
	}
	unlink_one(t);
	log_ctx_info(t->conf.name, "removed");
	tunnel_free(t);
}

int registry_del(const char *name)
{
	struct iked_tunnel *t = registry_find(name);

	if (!t)
		return -ENOENT;
	remove_one(t);
	return 0;
}

void registry_flush(void)
{
	while (reg.head)
		remove_one(reg.head);
}

int registry_instance_add(struct iked_tunnel *parent, const struct tunnel *conf,
			  struct iked_tunnel **out, char *err, size_t errlen)
{
	struct iked_tunnel *t;

	if (reg.inst_count >= REGISTRY_INSTANCES_MAX) {
		snprintf(err, errlen, "%d peers already, no more", REGISTRY_INSTANCES_MAX);
		return -ENOSPC;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(&t->conf, conf, sizeof(*conf));
	t->reqid = reqid_free();
	t->parent = parent;
	link_tail(t);
	*out = t;
	return 0;
}

void registry_instance_del(struct iked_tunnel *inst)
{
	unlink_one(inst);
	tunnel_free(inst);
}

int registry_peer_status(const struct iked_tunnel *parent, unsigned int i,
			 struct tunnel_status *st)
{
	for (const struct iked_tunnel *t = reg.inst_head; t; t = t->next) {
		if (t->parent != parent)
			continue;
		if (i == 0) {
			registry_status(t, st);
			return 0;
		}
		i--;
	}
	return -ENOENT;
}

static struct iked_tunnel *find_or_say(const char *name, char *err, size_t errlen)
{
	struct iked_tunnel *t = registry_find(name);

	if (!t)
		snprintf(err, errlen, "no tunnel \"%s\"", name);
	return t;
}

int registry_up(const char *name, char *err, size_t errlen)
{
	struct iked_tunnel *t = find_or_say(name, err, errlen);

	if (!t)
		return -ENOENT;
	if (!reg.ops || !reg.ops->up) {
		snprintf(err, errlen, "tunnel \"%s\": nothing can bring it up", name);
		return -EOPNOTSUPP;
	}
	return reg.ops->up(t, err, errlen);
}

int registry_down(const char *name, char *err, size_t errlen)
{
	struct iked_tunnel *t = find_or_say(name, err, errlen);

	if (!t)
		return -ENOENT;
	if (!reg.ops || !reg.ops->down) {
		snprintf(err, errlen, "tunnel \"%s\": nothing can take it down", name);
		return -EOPNOTSUPP;
	}
	return reg.ops->down(t, err, errlen);
}

void registry_status(const struct iked_tunnel *t, struct tunnel_status *st)
{
	memset(st, 0, sizeof(*st));
	if (reg.ops && reg.ops->status)
		reg.ops->status(t, st);
	/* whatever the IKE layer wrote, the strings end */
	st->phase1.state[sizeof(st->phase1.state) - 1] = '\0';
	st->phase1.algs[sizeof(st->phase1.algs) - 1] = '\0';
	st->phase1.why_down[sizeof(st->phase1.why_down) - 1] = '\0';
	st->down_reason[sizeof(st->down_reason) - 1] = '\0';
	if (st->sa_count > TUNNEL_STATUS_SA_MAX)
		st->sa_count = TUNNEL_STATUS_SA_MAX;
	for (unsigned int i = 0; i < st->sa_count; i++) {
		st->sa[i].state[sizeof(st->sa[i].state) - 1] = '\0';
		st->sa[i].algs[sizeof(st->sa[i].algs) - 1] = '\0';
	}
}
