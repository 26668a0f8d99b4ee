/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFSEC_OUTPUT_H
#define _NFSEC_OUTPUT_H

#include <linux/skbuff.h>

struct nfsec_net;

unsigned int nfsec_output(struct nfsec_net *nn, struct sk_buff *skb, unsigned long deadline);

#endif /* _NFSEC_OUTPUT_H */
