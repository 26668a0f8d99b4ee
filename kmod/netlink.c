// SPDX-License-Identifier: GPL-2.0
/*
 * The "nfsec" generic netlink family: one policy table per op, next to the op.
 * The attribute trees are drawn in include/uapi/linux/nfsec.h.
 */

#include <linux/module.h>
#include <uapi/linux/nfsec.h>

#include "nfsec.h"
#include "netlink.h"

static const struct nla_policy get_version_policy[NFSEC_A_MAX + 1] = {
	[NFSEC_A_FAMILY_VERSION] = NLA_POLICY_MIN(NLA_U32, 1),
};

static int put_version(struct sk_buff *skb, const struct net *net)
{
	if (nla_put_u32(skb, NFSEC_A_FAMILY_VERSION, NFSEC_GENL_VERSION) ||
	    nla_put_string(skb, NFSEC_A_MODULE_VERSION, NFSEC_VERSION) ||
	    nla_put_u64_64bit(skb, NFSEC_A_NETNS_COOKIE, net->net_cookie,
			      NFSEC_A_PAD))
		return -EMSGSIZE;
	return 0;
}

static int nfsec_nl_get_version(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *want = info->attrs[NFSEC_A_FAMILY_VERSION];
	struct sk_buff *msg;
	void *hdr;
	int ret;

	if (want && nla_get_u32(want) > NFSEC_GENL_VERSION) {
		NL_SET_ERR_MSG_ATTR(info->extack, want,
				    "sender speaks a newer family version than this module");
		return -EOPNOTSUPP;
	}

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &nfsec_genl_family, 0,
				NFSEC_CMD_GET_VERSION);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto err_free;
	}
	ret = put_version(msg, genl_info_net(info));
	if (ret)
		goto err_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return ret;
}

static const struct genl_ops nfsec_genl_ops[] = {
	{
		.cmd = NFSEC_CMD_GET_VERSION,
		.doit = nfsec_nl_get_version,
		.policy = get_version_policy,
		.maxattr = ARRAY_SIZE(get_version_policy) - 1,
	},
};

static const struct genl_multicast_group nfsec_genl_mcgrps[] = {
	{ .name = NFSEC_MCGRP_EVENTS },
};

struct genl_family nfsec_genl_family __ro_after_init = {
	.name = NFSEC_GENL_NAME,
	.version = NFSEC_GENL_VERSION,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = nfsec_genl_ops,
	.n_ops = ARRAY_SIZE(nfsec_genl_ops),
	.resv_start_op = NFSEC_CMD_GET_VERSION + 1,
	.mcgrps = nfsec_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(nfsec_genl_mcgrps),
};
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_genl_family);

int __init nfsec_genl_init(void)
{
	return genl_register_family(&nfsec_genl_family);
}

void nfsec_genl_uninit(void)
{
	genl_unregister_family(&nfsec_genl_family);
}
