// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration file into the registry, at start and again: reload.h says what a
 * reload does. The file is read whole, secrets and certificates too (struct conf_file);
 * a reload then gives each of its tunnels a fate, checks that what it would add fits
 * what stays, and only then removes and adds:
 *
 * 1. read: a parse error, a file missing, a secret or certificate refused: nothing done;
 * 2. plan: each tunnel of the file added, kept or replaced; a name or explicit reqid
 *    held by a tunnel that stays (one added over the control socket, one kept): nothing
 *    done;
 * 3. out: the file's tunnels gone from it, and those replaced (registry_del(), which
 *    deletes their SAs and tells the peer, and takes their policies out);
 * 4. in: those replaced and the new ones, in the file's order (registry_add(), which
 *    starts what their auto word says); then the settings.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "control.h"
#include "daemon.h"
#include "log.h"
#include "loop.h"
#include "registry.h"
#include "reload.h"

enum { ERR_MAX = 512 };

/* What a reload does with a tunnel of the file. */
enum fate { FATE_ADD, FATE_KEEP, FATE_REPLACE };

/* A file read: its tunnels (secrets of psk files in), each one's first line, settings. */
struct conf_file {
	const char *path;
	int count;
	struct iked_settings settings;
	struct tunnel t[CONF_TUNNELS_MAX];
	unsigned long line[CONF_TUNNELS_MAX];
	struct auth_creds *creds[CONF_TUNNELS_MAX];	/* auth cert: loaded, to compare */
	enum fate fate[CONF_TUNNELS_MAX];		/* a reload's plan */
};

static const char *conf_path;		/* conf_reload_init()'s */

static void conf_file_free(struct conf_file *cf)
{
	if (!cf)
		return;
	for (int i = 0; i < cf->count; i++) {
		auth_creds_free(cf->creds[i]);
		tunnel_wipe(&cf->t[i]);
	}
	free(cf);
}

/* The file's tunnel of that name: its index, or -1. */
static int conf_file_find(const struct conf_file *cf, const char *name)
{
	for (int i = 0; i < cf->count; i++)
		if (!strcmp(cf->t[i].name, name))
			return i;
	return -1;
}

/* An explicit reqid twice in the file: registry_add() would refuse the second. */
static int reqids_check(const struct conf_file *cf, char *err, size_t errlen)
{
	for (int i = 1; i < cf->count; i++) {
		for (int j = 0; cf->t[i].reqid && j < i; j++) {
			if (cf->t[j].reqid != cf->t[i].reqid)
				continue;
			snprintf(err, errlen, "%s:%lu: tunnel %s: reqid %u is tunnel \"%s\"'s "
				 "already, on line %lu", cf->path, cf->line[i], cf->t[i].name,
				 cf->t[i].reqid, cf->t[j].name, cf->line[j]);
			return -EEXIST;
		}
	}
	return 0;
}

/* Tunnel i's secret and certificates, as a start reads them; warn: log their warnings. */
static int secrets_read(struct conf_file *cf, int i, bool warn, char *err, size_t errlen)
{
	struct tunnel *t = &cf->t[i];
	char why[ERR_MAX] = "";
	int ret;

	ret = tunnel_psk_load(t, why, sizeof(why));
	if (!ret && t->auth == TUNNEL_AUTH_CERT) {
		cf->creds[i] = auth_creds_load(t, why, sizeof(why));
		if (!cf->creds[i])
			ret = -EINVAL;
		else if (why[0] && warn)
			log_ctx_warn(t->name, "%s", why);	/* e.g. our cert expires */
	}
	if (ret)
		snprintf(err, errlen, "%s:%lu: tunnel %s: %s", cf->path, cf->line[i], t->name, why);
	explicit_bzero(why, sizeof(why));
	return ret;
}

/* path read whole into *out (conf_file_free() it): 0, or a negative errno with err set. */
static int conf_file_read(const char *path, bool warn, struct conf_file **out, char *err,
			  size_t errlen)
{
	struct conf_file *cf = calloc(1, sizeof(*cf));
	FILE *f;
	int ret;

	*out = NULL;
	if (!cf) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	cf->path = path;
	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto err_free;
	}
	ret = tunnel_conf_parse_settings(f, path, cf->t, CONF_TUNNELS_MAX, &cf->count,
					 &cf->settings, cf->line, err, errlen);
	fclose(f);
	if (!ret)
		ret = reqids_check(cf, err, errlen);
	for (int i = 0; !ret && i < cf->count; i++)
		ret = secrets_read(cf, i, warn, err, errlen);
	if (ret)
		goto err_free;
	*out = cf;
	return 0;

err_free:
	conf_file_free(cf);
	return ret;
}

/* The file's tunnel i into the registry, as the file's: 0, or a negative errno with err. */
static int conf_file_add(const struct conf_file *cf, int i, char *err, size_t errlen)
{
	struct iked_tunnel *t;
	char why[ERR_MAX] = "";
	int ret;

	ret = registry_add(&cf->t[i], &t, why, sizeof(why));
	if (ret)
		snprintf(err, errlen, "%s:%lu: tunnel %s: %s", cf->path, cf->line[i],
			 cf->t[i].name, why);
	else
		t->from_conf = true;
	return ret;
}

/* conf_load() and conf_check(): how many tunnels, or a negative errno, logged. */
static int load(const char *path, bool warn, struct iked_settings *settings)
{
	struct conf_file *cf;
	char err[ERR_MAX];
	int ret;

	ret = conf_file_read(path, warn, &cf, err, sizeof(err));
	for (int i = 0; !ret && i < cf->count; i++)
		ret = conf_file_add(cf, i, err, sizeof(err));
	if (ret) {
		log_err("%s", err);
	} else {
		*settings = cf->settings;
		ret = cf->count;
	}
	conf_file_free(cf);
	return ret;
}

int conf_load(const char *path, struct iked_settings *settings)
{
	return load(path, false, settings);
}

int conf_check(const char *path)
{
	struct iked_settings settings;
	int count = load(path, true, &settings);

	registry_flush();
	if (count < 0)
		return count;
	printf("%s: %d tunnel(s), settings half-open-max %u half-open-per-peer %u: OK\n",
	       path, count, settings.half_open_max, settings.half_open_per_peer);
	return 0;
}

/* --- reload ------------------------------------------------------------------------------ */

/*
 * Whether tunnel old of the registry is the file's tunnel i: the same words (with the
 * secret in hex), the same secret read from its psk file, the same certificates.
 */
static bool definition_same(const struct iked_tunnel *old, const struct conf_file *cf, int i)
{
	const struct tunnel *t = &cf->t[i];
	char a[TUNNEL_TEXT_MAX], b[TUNNEL_TEXT_MAX];
	bool same;

	same = tunnel_serialize(&old->conf, a, sizeof(a)) >= 0 &&
	       tunnel_serialize(t, b, sizeof(b)) >= 0 && !strcmp(a, b) &&
	       old->conf.psk_len == t->psk_len && !memcmp(old->conf.psk, t->psk, t->psk_len) &&
	       auth_creds_same(daemon_tunnel_creds(old), cf->creds[i]);
	explicit_bzero(a, sizeof(a));
	explicit_bzero(b, sizeof(b));
	return same;
}

/* Whether the plan takes tunnel t of the registry out: the file's, and gone or replaced. */
static bool plan_takes_out(const struct conf_file *cf, const struct iked_tunnel *t)
{
	int i;

	if (!t->from_conf)
		return false;
	i = conf_file_find(cf, t->conf.name);
	return i < 0 || cf->fate[i] == FATE_REPLACE;
}

/* Each tunnel's fate into cf->fate, counted in *r: 0, or a negative errno with err set. */
static int plan_make(struct conf_file *cf, struct conf_reload_result *r, char *err,
		     size_t errlen)
{
	const struct iked_tunnel *t, *holder;
	unsigned int total;

	memset(r, 0, sizeof(*r));
	for (int i = 0; i < cf->count; i++) {
		t = registry_find(cf->t[i].name);
		if (t && !t->from_conf) {
			snprintf(err, errlen, "%s:%lu: tunnel %s: a tunnel of that name was "
				 "added with \"nfsec tunnel add\", which a reload leaves alone: "
				 "delete it or rename this one", cf->path, cf->line[i],
				 cf->t[i].name);
			return -EEXIST;
		}
		cf->fate[i] = !t ? FATE_ADD : definition_same(t, cf, i) ? FATE_KEEP : FATE_REPLACE;
		r->added += cf->fate[i] == FATE_ADD;
		r->changed += cf->fate[i] == FATE_REPLACE;
		r->unchanged += cf->fate[i] == FATE_KEEP;
	}
	for (t = registry_first(); t; t = registry_next(t))
		r->removed += t->from_conf && conf_file_find(cf, t->conf.name) < 0;
	for (int i = 0; i < cf->count; i++) {
		if (cf->fate[i] == FATE_KEEP || !cf->t[i].reqid)
			continue;
		holder = registry_find_reqid(cf->t[i].reqid);
		if (holder && !plan_takes_out(cf, holder->parent ? holder->parent : holder)) {
			snprintf(err, errlen, "%s:%lu: tunnel %s: reqid %u is %stunnel \"%s\"'s, "
				 "which stays", cf->path, cf->line[i], cf->t[i].name,
				 cf->t[i].reqid, holder->parent ? "a peer of " : "",
				 holder->conf.name);
			return -EEXIST;
		}
	}
	total = registry_count() - r->removed + r->added;
	if (total > REGISTRY_TUNNELS_MAX) {
		snprintf(err, errlen, "%s: %u tunnels would be more than the %d the daemon holds",
			 cf->path, total, REGISTRY_TUNNELS_MAX);
		return -ENOSPC;
	}
	return 0;
}

/*
 * Steps 3 and 4 (see the top). Only the kernel can refuse a tunnel now: the others are
 * added all the same, and the first refusal is the error (the counts say what was done).
 */
static int plan_apply(const struct conf_file *cf, struct conf_reload_result *r, char *err,
		      size_t errlen)
{
	struct iked_tunnel *t, *next;
	char why[ERR_MAX];
	int ret = 0;

	for (t = registry_first(); t; t = next) {
		next = registry_next(t);
		if (plan_takes_out(cf, t))
			registry_del(t->conf.name);
	}
	for (int i = 0; i < cf->count; i++) {
		if (cf->fate[i] == FATE_KEEP || !conf_file_add(cf, i, why, sizeof(why)))
			continue;
		log_err("%s", why);
		if (!ret)
			snprintf(err, errlen, "%s", why);
		ret = -EIO;
		if (cf->fate[i] == FATE_ADD) {
			r->added--;
		} else {
			r->changed--;
			r->removed++;
		}
	}
	daemon_settings_set(&cf->settings);
	return ret;
}

int conf_reload(const char *path, struct conf_reload_result *r, char *err, size_t errlen)
{
	struct conf_file *cf = NULL;
	char why[ERR_MAX];
	int ret;

	memset(r, 0, sizeof(*r));
	if (!path) {
		snprintf(err, errlen, "nfsec-iked was started without a configuration file "
			 "(-c FILE): nothing to reload");
		log_err("reload: %s", err);
		return -ENOENT;
	}
	log_info("%s: reloading", path);
	ret = conf_file_read(path, false, &cf, why, sizeof(why));
	if (!ret)
		ret = plan_make(cf, r, why, sizeof(why));
	if (ret) {
		snprintf(err, errlen, "%s; nothing changed", why);
		log_err("reload: %s", err);
		memset(r, 0, sizeof(*r));
		goto out;
	}
	ret = plan_apply(cf, r, err, errlen);
	log_msg(ret ? LOG_ERR : LOG_INFO, "%s: reloaded%s: %u added, %u changed, %u removed, "
		"%u unchanged", path, ret ? " with errors" : "", r->added, r->changed, r->removed,
		r->unchanged);
out:
	conf_file_free(cf);
	return ret;
}

static void reload_on_hup(void *arg)
{
	struct conf_reload_result r;
	char err[ERR_MAX];

	(void)arg;
	conf_reload(conf_path, &r, err, sizeof(err));	/* it logs how it went */
}

static int reload_on_request(struct conf_reload_result *r, char *err, size_t errlen)
{
	return conf_reload(conf_path, r, err, errlen);
}

int conf_reload_init(const char *path)
{
	conf_path = path;
	control_set_reload(reload_on_request);
	return loop_signals(reload_on_hup, NULL);
}
