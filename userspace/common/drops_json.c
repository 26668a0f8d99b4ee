// SPDX-License-Identifier: GPL-2.0
#include "drops_json.h"
#include "nfsec.h"

void drops_json(struct json *j, const uint64_t *drops)
{
	char key[32];

	json_object_begin(j, "drops");
	for (int attr = 0; attr <= NFSEC_SA_DROP_A_MAX; attr++) {
		const char *name = nfsec_sa_drop_name(attr);

		if (!name)
			continue;
		json_key(key, sizeof(key), name);
		json_u64(j, key, drops[attr]);
	}
	json_object_end(j);
}
