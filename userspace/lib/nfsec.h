/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libnfsec: the one place that speaks the "nfsec" generic netlink family.
 *
 * Every call returns 0 or a negative errno. After an error, nfsec_error() on the same
 * handle gives a human message saying what failed and why, with the kernel's extack
 * message passed through when it sent one. A handle is not thread-safe; use one per
 * thread.
 */
#ifndef NFSEC_LIB_H
#define NFSEC_LIB_H

#include <stdint.h>

#include <linux/nfsec.h>

struct nfsec_handle;

struct nfsec_version {
	uint32_t family_version;			/* NFSEC_GENL_VERSION of the module */
	char module_version[NFSEC_MODULE_VERSION_LEN];	/* the module's release */
	uint64_t netns_cookie;				/* namespace that answered */
};

/*
 * Opens a generic netlink socket and resolves the family. *hp is set even when this fails
 * (so nfsec_error(*hp) can say why), except on -ENOMEM for the handle itself, where it is
 * NULL; pass it to nfsec_close() in every case. -ENOENT means the module is not loaded.
 */
int nfsec_open(struct nfsec_handle **hp);

/* Closes the socket and frees the handle; NULL is fine. */
void nfsec_close(struct nfsec_handle *h);

/* The message of the last failed call on h; never NULL (h == NULL means out of memory). */
const char *nfsec_error(const struct nfsec_handle *h);

/* NFSEC_CMD_GET_VERSION: what the module in the caller's network namespace runs. */
int nfsec_get_version(struct nfsec_handle *h, struct nfsec_version *ver);

#endif /* NFSEC_LIB_H */
