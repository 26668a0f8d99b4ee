/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NFSEC_COMMON_DROPS_JSON_H
#define NFSEC_COMMON_DROPS_JSON_H

#include <stdint.h>

#include "json.h"

/*
 * "drops": an SA's dropped packets by reason (drops indexed by enum nfsec_sa_drop_attr),
 * one member per reason libnfsec names, as nfsec's "sa show -j" and nfsec-iked's "tunnel
 * show -j" both give them.
 */
void drops_json(struct json *j, const uint64_t *drops);

#endif /* NFSEC_COMMON_DROPS_JSON_H */
