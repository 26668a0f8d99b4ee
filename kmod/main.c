// SPDX-License-Identifier: GPL-2.0
/*
 * nfsec: IPsec (ESP, SA and policy databases) as a loadable module.
 *
 * Init order: per-netns state first, so that the netlink family, once visible, always finds
 * a namespace's state; exit is init read backwards.
 */

#include <linux/module.h>
#include <uapi/linux/nfsec.h>

#include "conntrack.h"
#include "defrag.h"
#include "hooks.h"
#include "input.h"
#include "nfsec.h"
#include "netlink.h"
#include "parallel.h"

unsigned int nfsec_net_id __read_mostly;
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_net_id);

/* Where SA lifetimes and the hold queue do their work; flushed before a namespace goes. */
struct workqueue_struct *nfsec_wq;

static int __net_init nfsec_net_init(struct net *net)
{
	struct nfsec_net *nn = nfsec_net(net);
	int dir;

	int ret;

	nn->net = net;
	nn->policy_gen = 1;		/* a dump takes 0 for "not started" */
	mutex_init(&nn->lock);
	for (dir = 0; dir < NFSEC_DIR_COUNT; dir++) {
		ret = nfsec_spd_init(&nn->spd[dir], &nn->lock);
		if (ret)
			goto err_spd;
	}
	xa_init_flags(&nn->policies, XA_FLAGS_ALLOC1);
	nfsec_acquire_init(nn);
	nn->stats = alloc_percpu(struct nfsec_stats);
	if (!nn->stats) {
		ret = -ENOMEM;
		goto err_spd;
	}
	ret = nfsec_sad_init(&nn->sad, &nn->lock);
	if (ret)
		goto err_stats;
	ret = nfsec_defrag_enable(net);
	if (ret)
		goto err_sad;
	ret = nfsec_hooks_register(nn);
	if (ret)
		goto err_defrag;
	return 0;

err_defrag:
	nfsec_defrag_disable(net);
err_sad:
	nfsec_sad_destroy(&nn->sad);
err_stats:
	free_percpu(nn->stats);
err_spd:
	while (dir--)
		nfsec_spd_destroy(&nn->spd[dir]);
	return ret;
}

static void __net_exit nfsec_net_exit(struct net *net)
{
	struct nfsec_net *nn = nfsec_net(net);
	int dir;

	/*
	 * No packet reaches nfsec after this (it waits for the hooks' readers); then the held
	 * ones go, and those still in asynchronous crypto complete.
	 */
	nfsec_hooks_unregister(nn);
	nfsec_defrag_disable(net);
	nfsec_acquire_destroy(nn);
	nfsec_hooks_drain(nn);
	mutex_lock(&nn->lock);
	nfsec_policies_flush(nn, -1);
	mutex_unlock(&nn->lock);
	nfsec_sad_destroy(&nn->sad);
	/* Expire works that were waiting for the lock finish before it goes. */
	flush_workqueue(nfsec_wq);
	xa_destroy(&nn->policies);
	for (dir = 0; dir < NFSEC_DIR_COUNT; dir++)
		nfsec_spd_destroy(&nn->spd[dir]);
	free_percpu(nn->stats);
	mutex_destroy(&nn->lock);
}

static struct pernet_operations nfsec_net_ops = {
	.init = nfsec_net_init,
	.exit = nfsec_net_exit,
	.id = &nfsec_net_id,
	.size = sizeof(struct nfsec_net),
};

static int __init nfsec_init(void)
{
	int ret;

	/* Frees SAs after their grace period; see nfsec_sa_put(). */
	nfsec_wq = alloc_workqueue("nfsec", 0, 0);
	if (!nfsec_wq)
		return -ENOMEM;
	ret = nfsec_sa_cache_init();
	if (ret)
		goto err_sa_cache;

	nfsec_defrag_init();
	ret = nfsec_input_init();
	if (ret)
		goto err_input;
	ret = nfsec_parallel_init();
	if (ret)
		goto err_parallel;
	ret = register_pernet_subsys(&nfsec_net_ops);
	if (ret)
		goto err_pernet;

	ret = nfsec_genl_init();
	if (ret)
		goto err_genl;

	pr_info("nfsec " NFSEC_VERSION " loaded\n");
	return 0;

err_genl:
	unregister_pernet_subsys(&nfsec_net_ops);
err_pernet:
	nfsec_parallel_exit();
err_parallel:
	nfsec_input_exit();
err_input:
	nfsec_defrag_exit();
	nfsec_sa_cache_destroy();
err_sa_cache:
	destroy_workqueue(nfsec_wq);
	return ret;
}

static void __exit nfsec_exit(void)
{
	nfsec_genl_uninit();
	unregister_pernet_subsys(&nfsec_net_ops);
	/*
	 * The last asynchronous completions (see nfsec_hooks_unregister()), and the last
	 * senders of parallel.c's queues, have left our code once a grace period has
	 * passed; then the crypto workers' queue goes, its last send works putting their
	 * SAs; the SAs' RCU callbacks queue their frees, and then the queue drains: no SA
	 * is left in their cache.
	 */
	synchronize_rcu();
	nfsec_parallel_exit();
	rcu_barrier();
	nfsec_input_exit();
	destroy_workqueue(nfsec_wq);
	nfsec_defrag_exit();
	nfsec_sa_cache_destroy();
	nfsec_ct_exit();
}

module_init(nfsec_init);
module_exit(nfsec_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("IPsec (ESP) with its own SA and policy databases");
MODULE_AUTHOR("The nfsec authors");
MODULE_VERSION(NFSEC_VERSION);
MODULE_ALIAS_GENL_FAMILY(NFSEC_GENL_NAME);
