/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Policies and SAs the CLI, SA and monitor tests print and decode, their checks, and the
 * SA nest as the kernel would send it (for replies and events alike).
 */
#ifndef NFSEC_TEST_SAMPLES_H
#define NFSEC_TEST_SAMPLES_H

#include <stdbool.h>

#include <netlink/msg.h>

#include <nfsec.h>

struct nfsec_policy sample_v4(void);
struct nfsec_policy sample_v6(void);
/* A protect policy with a tunnel template, IPv6 inside, IPv4 outside. */
struct nfsec_policy sample_tunnel(void);
void expect_policy(const struct nfsec_policy *got, const struct nfsec_policy *want);

/* Outbound, IPv4, tunnel, AEAD: as "sa show" would print the one in its usage. */
struct nfsec_sa sample_sa_out(void);
/* Inbound, IPv6, transport, enc and auth, ESN, a selector and every lifetime. */
struct nfsec_sa sample_sa_in(void);
/* Every field, keys included (the kernel's SAs have none). */
void expect_sa(const struct nfsec_sa *got, const struct nfsec_sa *want);

/* How to spoil the SA nest put_sa() builds. */
struct sa_spoil {
	int drop;		/* an NFSEC_SA_A_* to leave out, 0: none */
	int drop_lt;		/* an NFSEC_LT_A_* to leave out of the lifetime */
	int drop_alg;		/* an NFSEC_ALG_A_* to leave out of every transform */
	bool pad;		/* zero-length pad attributes, as nla_put_u64_64bit() adds */
	bool key;		/* a key in every transform, which the kernel never sends */
	bool enc_icv;		/* an ICV length in the enc transform */
	bool newer;		/* an attribute from a newer module in each nest */
	int drop_reason;	/* an NFSEC_SA_DROP_A_* to leave out of the drops */
	int drop_encap;		/* an NFSEC_ENCAP_A_* to leave out of the encapsulation */
	uint8_t encap_type;	/* 0: NFSEC_ENCAP_ESPINUDP */
};

/*
 * NFSEC_A_SA for sa as a dump gives it: every attribute, the transforms without keys,
 * the replay window of every SA, the selector and the encapsulation when it has them,
 * unless spoilt.
 */
void put_sa(struct nl_msg *msg, const struct nfsec_sa *sa, struct sa_spoil s);

/* A selector nest of the given type, every attribute in. */
void put_selector_nest(struct nl_msg *msg, int type, const struct nfsec_selector *sel);

#endif /* NFSEC_TEST_SAMPLES_H */
