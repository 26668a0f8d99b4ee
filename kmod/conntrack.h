/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFSEC_CONNTRACK_H
#define _NFSEC_CONNTRACK_H

#include <linux/skbuff.h>

unsigned int nfsec_ct_confirm(struct sk_buff *skb);
void nfsec_ct_exit(void);

#endif /* _NFSEC_CONNTRACK_H */
