// SPDX-License-Identifier: GPL-2.0
/*
 * libnfsec: the security association commands, NFSEC_CMD_SA_*. Requests state every
 * attribute but the defaults that depend on the algorithm (an ICV length of 0); replies must
 * carry every attribute a dump defines, with exact lengths and values this version of the
 * family knows, and never a key.
 *
 * Keys: the caller's struct nfsec_sa is only read; the request that copies its keys is
 * wiped when freed (nfsec_msg_free()), whether it was sent or not.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netinet/in.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "internal.h"

static const char add_op[] = "add SA";
static const char del_op[] = "delete SA";
static const char get_op[] = "get SA";
static const char set_op[] = "set SA encapsulation";
static const char dump_op[] = "list SAs";
static const char flush_op[] = "flush SAs";

enum {
	SPI_MIN = 256,			/* 1..255 are reserved (RFC 4303) */
	REPLAY_WINDOW_MAX = 4096,
};

static bool alg_used(const struct nfsec_alg *alg)
{
	return alg->name[0] != '\0';
}

static int alg_check(struct nfsec_handle *h, const char *what, const struct nfsec_alg *alg)
{
	if (strnlen(alg->name, sizeof(alg->name)) == sizeof(alg->name))
		return nfsec_seterr(h, -EINVAL, "%s: the %s algorithm's name is longer than %zu "
				    "bytes", add_op, what, sizeof(alg->name) - 1);
	if (alg->key_len > sizeof(alg->key))
		return nfsec_seterr(h, -EINVAL, "%s: %s key of %u bytes, at most %zu", add_op,
				    what, alg->key_len, sizeof(alg->key));
	return 0;
}

/* Either an AEAD alone, or encryption and authentication together. */
static int algs_check(struct nfsec_handle *h, const struct nfsec_sa *sa)
{
	int ret;

	if (alg_used(&sa->aead) && (alg_used(&sa->enc) || alg_used(&sa->auth)))
		return nfsec_seterr(h, -EINVAL, "%s: an AEAD excludes enc and auth", add_op);
	if (alg_used(&sa->aead))
		return alg_check(h, "aead", &sa->aead);
	if (!alg_used(&sa->enc) || !alg_used(&sa->auth))
		return nfsec_seterr(h, -EINVAL, "%s: an SA needs an AEAD, or both enc and auth",
				    add_op);
	if (sa->enc.icv_bits)
		return nfsec_seterr(h, -EINVAL, "%s: enc takes no ICV length (icv_bits %u)",
				    add_op, sa->enc.icv_bits);
	ret = alg_check(h, "enc", &sa->enc);
	if (!ret)
		ret = alg_check(h, "auth", &sa->auth);
	return ret;
}

static int family_check(struct nfsec_handle *h, const char *op, uint16_t family)
{
	if (family != AF_INET && family != AF_INET6)
		return nfsec_seterr(h, -EINVAL, "%s: family %u is neither AF_INET nor AF_INET6",
				    op, family);
	return 0;
}

static int spi_check(struct nfsec_handle *h, const char *op, uint32_t spi)
{
	if (spi < SPI_MIN)
		return nfsec_seterr(h, -EINVAL, "%s: SPI %u is below %u", op, spi, SPI_MIN);
	return 0;
}

static int sa_check(struct nfsec_handle *h, const struct nfsec_sa *sa)
{
	int ret = spi_check(h, add_op, sa->spi);

	if (!ret)
		ret = family_check(h, add_op, sa->family);
	if (ret < 0)
		return ret;
	if (sa->dir > NFSEC_SA_DIR_MAX)
		return nfsec_seterr(h, -EINVAL, "%s: direction %u is out of range 0..%d", add_op,
				    sa->dir, NFSEC_SA_DIR_MAX);
	if (sa->mode > NFSEC_MODE_MAX)
		return nfsec_seterr(h, -EINVAL, "%s: mode %u is out of range 0..%d", add_op,
				    sa->mode, NFSEC_MODE_MAX);
	if (sa->dir == NFSEC_SA_DIR_IN && sa->replay_window > REPLAY_WINDOW_MAX)
		return nfsec_seterr(h, -EINVAL, "%s: replay window %u is above %u", add_op,
				    sa->replay_window, REPLAY_WINDOW_MAX);
	if (sa->dir == NFSEC_SA_DIR_OUT && sa->replay_window)
		return nfsec_seterr(h, -EINVAL, "%s: an outbound SA has no replay window (%u)",
				    add_op, sa->replay_window);
	if (sa->encap && (!sa->encap_sport || !sa->encap_dport))
		return nfsec_seterr(h, -EINVAL, "%s: UDP encapsulation needs both ports, not 0",
				    add_op);
	if (sa->encap && sa->family != AF_INET)
		return nfsec_seterr(h, -EINVAL, "%s: UDP encapsulation is IPv4 only for now",
				    add_op);
	ret = algs_check(h, sa);
	if (!ret && sa->has_selector)
		ret = nfsec_selector_check(h, add_op, &sa->sel);
	return ret;
}

/* The ICV length only where it applies, and only when not left to the kernel. */
static int put_alg(struct nl_msg *msg, int type, const struct nfsec_alg *alg, bool icv)
{
	struct nlattr *nest = nfsec_nest_start(msg, type);

	if (!nest ||
	    nla_put_string(msg, NFSEC_ALG_A_NAME, alg->name) < 0 ||
	    nla_put(msg, NFSEC_ALG_A_KEY, (int)alg->key_len, alg->key) < 0 ||
	    (icv && alg->icv_bits && nla_put_u32(msg, NFSEC_ALG_A_ICV_BITS, alg->icv_bits) < 0))
		return -EMSGSIZE;
	return nla_nest_end(msg, nest) < 0 ? -EMSGSIZE : 0;
}

static int put_algs(struct nl_msg *msg, const struct nfsec_sa *sa)
{
	if (alg_used(&sa->aead))
		return put_alg(msg, NFSEC_SA_A_AEAD, &sa->aead, true);
	if (put_alg(msg, NFSEC_SA_A_ENC, &sa->enc, false) < 0 ||
	    put_alg(msg, NFSEC_SA_A_AUTH, &sa->auth, true) < 0)
		return -EMSGSIZE;
	return 0;
}

static int put_lifetime(struct nl_msg *msg, const struct nfsec_lifetime *lt)
{
	struct nlattr *nest = nfsec_nest_start(msg, NFSEC_SA_A_LIFETIME);

	if (!nest ||
	    nla_put_u64(msg, NFSEC_LT_A_SOFT_BYTES, lt->soft_bytes) < 0 ||
	    nla_put_u64(msg, NFSEC_LT_A_HARD_BYTES, lt->hard_bytes) < 0 ||
	    nla_put_u64(msg, NFSEC_LT_A_SOFT_PACKETS, lt->soft_packets) < 0 ||
	    nla_put_u64(msg, NFSEC_LT_A_HARD_PACKETS, lt->hard_packets) < 0 ||
	    nla_put_u64(msg, NFSEC_LT_A_SOFT_SECONDS, lt->soft_seconds) < 0 ||
	    nla_put_u64(msg, NFSEC_LT_A_HARD_SECONDS, lt->hard_seconds) < 0)
		return -EMSGSIZE;
	return nla_nest_end(msg, nest) < 0 ? -EMSGSIZE : 0;
}

static int put_encap(struct nl_msg *msg, const struct nfsec_sa *sa)
{
	struct nlattr *nest;

	if (!sa->encap)
		return 0;
	nest = nfsec_nest_start(msg, NFSEC_SA_A_ENCAP);
	if (!nest ||
	    nla_put_u8(msg, NFSEC_ENCAP_A_TYPE, NFSEC_ENCAP_ESPINUDP) < 0 ||
	    nla_put_u16(msg, NFSEC_ENCAP_A_SPORT, sa->encap_sport) < 0 ||
	    nla_put_u16(msg, NFSEC_ENCAP_A_DPORT, sa->encap_dport) < 0)
		return -EMSGSIZE;
	return nla_nest_end(msg, nest) < 0 ? -EMSGSIZE : 0;
}

static int put_sa(struct nl_msg *msg, const struct nfsec_sa *sa)
{
	unsigned int len = nfsec_addr_len(sa->family);
	struct nlattr *nest = nfsec_nest_start(msg, NFSEC_A_SA);

	if (!nest ||
	    nla_put_u32(msg, NFSEC_SA_A_SPI, sa->spi) < 0 ||
	    nla_put_u8(msg, NFSEC_SA_A_DIR, sa->dir) < 0 ||
	    nla_put_u16(msg, NFSEC_SA_A_FAMILY, sa->family) < 0 ||
	    nla_put(msg, NFSEC_SA_A_SRC, len, sa->src) < 0 ||
	    nla_put(msg, NFSEC_SA_A_DST, len, sa->dst) < 0 ||
	    nla_put_u8(msg, NFSEC_SA_A_PROTO, sa->proto) < 0 ||
	    nla_put_u8(msg, NFSEC_SA_A_MODE, sa->mode) < 0 ||
	    nla_put_u32(msg, NFSEC_SA_A_REQID, sa->reqid) < 0 ||
	    put_algs(msg, sa) < 0)
		return -EMSGSIZE;
	if (sa->dir == NFSEC_SA_DIR_IN &&
	    nla_put_u32(msg, NFSEC_SA_A_REPLAY_WINDOW, sa->replay_window) < 0)
		return -EMSGSIZE;
	if (sa->esn && nla_put_flag(msg, NFSEC_SA_A_ESN) < 0)
		return -EMSGSIZE;
	if (sa->has_selector) {
		struct nfsec_put w = nfsec_put_begin(msg);

		nfsec_selector_put(&w, NFSEC_SA_A_SELECTOR, &sa->sel);
		if (w.full)
			return -EMSGSIZE;
	}
	if (put_encap(msg, sa) < 0 || put_lifetime(msg, &sa->lifetime) < 0)
		return -EMSGSIZE;
	return nla_nest_end(msg, nest) < 0 ? -EMSGSIZE : 0;
}

int nfsec_sa_new_msg(struct nfsec_handle *h, const struct nfsec_sa *sa, struct nl_msg **msgp)
{
	int ret;

	*msgp = NULL;
	ret = sa_check(h, sa);
	if (ret < 0)
		return ret;
	ret = nfsec_msg_new(h, add_op, NFSEC_CMD_SA_NEW, 0, msgp);
	if (ret < 0)
		return ret;
	if (put_sa(*msgp, sa) < 0)
		return nfsec_too_large(h, add_op, msgp);
	return 0;
}

/*
 * A request naming the SA (spi, dst, proto), with ports's encapsulation when ports is not
 * NULL (NFSEC_CMD_SA_SET).
 */
static int id_msg(struct nfsec_handle *h, const char *op, uint8_t cmd, uint32_t spi,
		  uint16_t family, const uint8_t *dst, uint8_t proto,
		  const struct nfsec_sa *ports, struct nl_msg **msgp)
{
	struct nlattr *nest;
	int ret;

	*msgp = NULL;
	ret = spi_check(h, op, spi);
	if (!ret)
		ret = family_check(h, op, family);
	if (!ret)
		ret = nfsec_msg_new(h, op, cmd, 0, msgp);
	if (ret < 0)
		return ret;
	nest = nfsec_nest_start(*msgp, NFSEC_A_SA);
	if (!nest ||
	    nla_put_u32(*msgp, NFSEC_SA_A_SPI, spi) < 0 ||
	    nla_put_u16(*msgp, NFSEC_SA_A_FAMILY, family) < 0 ||
	    nla_put(*msgp, NFSEC_SA_A_DST, (int)nfsec_addr_len(family), dst) < 0 ||
	    nla_put_u8(*msgp, NFSEC_SA_A_PROTO, proto) < 0 ||
	    (ports && put_encap(*msgp, ports) < 0) ||
	    nla_nest_end(*msgp, nest) < 0)
		return nfsec_too_large(h, op, msgp);
	return 0;
}

int nfsec_sa_id_msg(struct nfsec_handle *h, uint8_t cmd, uint32_t spi, uint16_t family,
		    const uint8_t *dst, uint8_t proto, struct nl_msg **msgp)
{
	return id_msg(h, cmd == NFSEC_CMD_SA_DEL ? del_op : get_op, cmd, spi, family, dst,
		      proto, NULL, msgp);
}

int nfsec_sa_set_encap(struct nfsec_handle *h, const struct nfsec_sa *sa)
{
	struct nl_msg *msg;
	int ret;

	if (!sa->encap || !sa->encap_sport || !sa->encap_dport)
		return nfsec_seterr(h, -EINVAL, "%s: UDP encapsulation needs both ports, not 0",
				    set_op);
	ret = id_msg(h, set_op, NFSEC_CMD_SA_SET, sa->spi, sa->family, sa->dst, sa->proto, sa,
		     &msg);
	if (ret < 0)
		return ret;
	return nfsec_request(h, set_op, msg, NULL, NULL);
}

static const struct nla_policy sa_policy[NFSEC_SA_A_MAX + 1] = {
	[NFSEC_SA_A_SPI]	   = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NFSEC_SA_A_DIR]	   = { .type = NLA_U8, .maxlen = sizeof(uint8_t) },
	[NFSEC_SA_A_FAMILY]	   = { .type = NLA_U16, .maxlen = sizeof(uint16_t) },
	[NFSEC_SA_A_SRC]	   = { .type = NLA_UNSPEC, .minlen = 4, .maxlen = 16 },
	[NFSEC_SA_A_DST]	   = { .type = NLA_UNSPEC, .minlen = 4, .maxlen = 16 },
	[NFSEC_SA_A_PROTO]	   = { .type = NLA_U8, .maxlen = sizeof(uint8_t) },
	[NFSEC_SA_A_MODE]	   = { .type = NLA_U8, .maxlen = sizeof(uint8_t) },
	[NFSEC_SA_A_REQID]	   = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NFSEC_SA_A_AEAD]	   = { .type = NLA_NESTED },
	[NFSEC_SA_A_ENC]	   = { .type = NLA_NESTED },
	[NFSEC_SA_A_AUTH]	   = { .type = NLA_NESTED },
	[NFSEC_SA_A_REPLAY_WINDOW] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NFSEC_SA_A_ESN]	   = { .type = NLA_FLAG },
	[NFSEC_SA_A_SELECTOR]	   = { .type = NLA_NESTED },
	[NFSEC_SA_A_LIFETIME]	   = { .type = NLA_NESTED },
	[NFSEC_SA_A_SEQ]	   = { .type = NLA_U64, .maxlen = sizeof(uint64_t) },
	[NFSEC_SA_A_DROPS]	   = { .type = NLA_NESTED },
	[NFSEC_SA_A_ENCAP]	   = { .type = NLA_NESTED },
};

static const char *const sa_names[NFSEC_SA_A_MAX + 1] = {
	[NFSEC_SA_A_SPI]	   = "NFSEC_SA_A_SPI",
	[NFSEC_SA_A_DIR]	   = "NFSEC_SA_A_DIR",
	[NFSEC_SA_A_FAMILY]	   = "NFSEC_SA_A_FAMILY",
	[NFSEC_SA_A_SRC]	   = "NFSEC_SA_A_SRC",
	[NFSEC_SA_A_DST]	   = "NFSEC_SA_A_DST",
	[NFSEC_SA_A_PROTO]	   = "NFSEC_SA_A_PROTO",
	[NFSEC_SA_A_MODE]	   = "NFSEC_SA_A_MODE",
	[NFSEC_SA_A_REQID]	   = "NFSEC_SA_A_REQID",
	[NFSEC_SA_A_AEAD]	   = "NFSEC_SA_A_AEAD",
	[NFSEC_SA_A_ENC]	   = "NFSEC_SA_A_ENC",
	[NFSEC_SA_A_AUTH]	   = "NFSEC_SA_A_AUTH",
	[NFSEC_SA_A_REPLAY_WINDOW] = "NFSEC_SA_A_REPLAY_WINDOW",
	[NFSEC_SA_A_ESN]	   = "NFSEC_SA_A_ESN",
	[NFSEC_SA_A_SELECTOR]	   = "NFSEC_SA_A_SELECTOR",
	[NFSEC_SA_A_LIFETIME]	   = "NFSEC_SA_A_LIFETIME",
	[NFSEC_SA_A_SEQ]	   = "NFSEC_SA_A_SEQ",
	[NFSEC_SA_A_DROPS]	   = "NFSEC_SA_A_DROPS",
	[NFSEC_SA_A_ENCAP]	   = "NFSEC_SA_A_ENCAP",
};

/* The transforms, the replay window (inbound), ESN and the selector are checked apart. */
static const int sa_required[] = {
	NFSEC_SA_A_SPI, NFSEC_SA_A_DIR, NFSEC_SA_A_FAMILY, NFSEC_SA_A_SRC, NFSEC_SA_A_DST,
	NFSEC_SA_A_PROTO, NFSEC_SA_A_MODE, NFSEC_SA_A_REQID, NFSEC_SA_A_LIFETIME,
	NFSEC_SA_A_SEQ, NFSEC_SA_A_DROPS,
};

static const struct nla_policy alg_policy[NFSEC_ALG_A_MAX + 1] = {
	[NFSEC_ALG_A_NAME]     = { .type = NLA_STRING, .maxlen = NFSEC_ALG_NAME_LEN },
	[NFSEC_ALG_A_KEY]      = { .type = NLA_UNSPEC },
	[NFSEC_ALG_A_ICV_BITS] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
};

static const char *const alg_names[NFSEC_ALG_A_MAX + 1] = {
	[NFSEC_ALG_A_NAME]     = "NFSEC_ALG_A_NAME",
	[NFSEC_ALG_A_KEY]      = "NFSEC_ALG_A_KEY",
	[NFSEC_ALG_A_ICV_BITS] = "NFSEC_ALG_A_ICV_BITS",
};

static const struct nla_policy lt_policy[NFSEC_LT_A_MAX + 1] = {
	[NFSEC_LT_A_SOFT_BYTES]	  = { .type = NLA_U64, .maxlen = sizeof(uint64_t) },
	[NFSEC_LT_A_HARD_BYTES]	  = { .type = NLA_U64, .maxlen = sizeof(uint64_t) },
	[NFSEC_LT_A_SOFT_PACKETS] = { .type = NLA_U64, .maxlen = sizeof(uint64_t) },
	[NFSEC_LT_A_HARD_PACKETS] = { .type = NLA_U64, .maxlen = sizeof(uint64_t) },
	[NFSEC_LT_A_SOFT_SECONDS] = { .type = NLA_U64, .maxlen = sizeof(uint64_t) },
	[NFSEC_LT_A_HARD_SECONDS] = { .type = NLA_U64, .maxlen = sizeof(uint64_t) },
	[NFSEC_LT_A_BYTES]	  = { .type = NLA_U64, .maxlen = sizeof(uint64_t) },
	[NFSEC_LT_A_PACKETS]	  = { .type = NLA_U64, .maxlen = sizeof(uint64_t) },
	[NFSEC_LT_A_AGE_SECONDS]  = { .type = NLA_U64, .maxlen = sizeof(uint64_t) },
};

static const char *const lt_names[NFSEC_LT_A_MAX + 1] = {
	[NFSEC_LT_A_SOFT_BYTES]	  = "NFSEC_LT_A_SOFT_BYTES",
	[NFSEC_LT_A_HARD_BYTES]	  = "NFSEC_LT_A_HARD_BYTES",
	[NFSEC_LT_A_SOFT_PACKETS] = "NFSEC_LT_A_SOFT_PACKETS",
	[NFSEC_LT_A_HARD_PACKETS] = "NFSEC_LT_A_HARD_PACKETS",
	[NFSEC_LT_A_SOFT_SECONDS] = "NFSEC_LT_A_SOFT_SECONDS",
	[NFSEC_LT_A_HARD_SECONDS] = "NFSEC_LT_A_HARD_SECONDS",
	[NFSEC_LT_A_BYTES]	  = "NFSEC_LT_A_BYTES",
	[NFSEC_LT_A_PACKETS]	  = "NFSEC_LT_A_PACKETS",
	[NFSEC_LT_A_AGE_SECONDS]  = "NFSEC_LT_A_AGE_SECONDS",
};

/* A dump gives every limit and every count. */
static const int lt_required[] = {
	NFSEC_LT_A_SOFT_BYTES, NFSEC_LT_A_HARD_BYTES, NFSEC_LT_A_SOFT_PACKETS,
	NFSEC_LT_A_HARD_PACKETS, NFSEC_LT_A_SOFT_SECONDS, NFSEC_LT_A_HARD_SECONDS,
	NFSEC_LT_A_BYTES, NFSEC_LT_A_PACKETS, NFSEC_LT_A_AGE_SECONDS,
};

static const struct nla_policy encap_policy[NFSEC_ENCAP_A_MAX + 1] = {
	[NFSEC_ENCAP_A_TYPE]  = { .type = NLA_U8, .maxlen = sizeof(uint8_t) },
	[NFSEC_ENCAP_A_SPORT] = { .type = NLA_U16, .maxlen = sizeof(uint16_t) },
	[NFSEC_ENCAP_A_DPORT] = { .type = NLA_U16, .maxlen = sizeof(uint16_t) },
};

static const char *const encap_names[NFSEC_ENCAP_A_MAX + 1] = {
	[NFSEC_ENCAP_A_TYPE]  = "NFSEC_ENCAP_A_TYPE",
	[NFSEC_ENCAP_A_SPORT] = "NFSEC_ENCAP_A_SPORT",
	[NFSEC_ENCAP_A_DPORT] = "NFSEC_ENCAP_A_DPORT",
};

static const int encap_required[] = {
	NFSEC_ENCAP_A_TYPE, NFSEC_ENCAP_A_SPORT, NFSEC_ENCAP_A_DPORT,
};

#define COUNTER { .type = NLA_U64, .maxlen = sizeof(uint64_t) }

static const struct nla_policy drop_policy[NFSEC_SA_DROP_A_MAX + 1] = {
	[NFSEC_SA_DROP_A_REPLAY]       = COUNTER,
	[NFSEC_SA_DROP_A_AUTH_FAIL]    = COUNTER,
	[NFSEC_SA_DROP_A_MALFORMED]    = COUNTER,
	[NFSEC_SA_DROP_A_SELECTOR]     = COUNTER,
	[NFSEC_SA_DROP_A_DUMMY]	       = COUNTER,
	[NFSEC_SA_DROP_A_EXPIRED]      = COUNTER,
	[NFSEC_SA_DROP_A_SEQ_OVERFLOW] = COUNTER,
	[NFSEC_SA_DROP_A_NO_ROUTE]     = COUNTER,
	[NFSEC_SA_DROP_A_TOO_BIG]      = COUNTER,
	[NFSEC_SA_DROP_A_ERROR]	       = COUNTER,
};

#undef COUNTER

static const char *const drop_attr_names[NFSEC_SA_DROP_A_MAX + 1] = {
	[NFSEC_SA_DROP_A_REPLAY]       = "NFSEC_SA_DROP_A_REPLAY",
	[NFSEC_SA_DROP_A_AUTH_FAIL]    = "NFSEC_SA_DROP_A_AUTH_FAIL",
	[NFSEC_SA_DROP_A_MALFORMED]    = "NFSEC_SA_DROP_A_MALFORMED",
	[NFSEC_SA_DROP_A_SELECTOR]     = "NFSEC_SA_DROP_A_SELECTOR",
	[NFSEC_SA_DROP_A_DUMMY]	       = "NFSEC_SA_DROP_A_DUMMY",
	[NFSEC_SA_DROP_A_EXPIRED]      = "NFSEC_SA_DROP_A_EXPIRED",
	[NFSEC_SA_DROP_A_SEQ_OVERFLOW] = "NFSEC_SA_DROP_A_SEQ_OVERFLOW",
	[NFSEC_SA_DROP_A_NO_ROUTE]     = "NFSEC_SA_DROP_A_NO_ROUTE",
	[NFSEC_SA_DROP_A_TOO_BIG]      = "NFSEC_SA_DROP_A_TOO_BIG",
	[NFSEC_SA_DROP_A_ERROR]	       = "NFSEC_SA_DROP_A_ERROR",
};

/* Lower case with dashes: the words "nfsec sa show" prints. */
static const char *const drop_names[NFSEC_SA_DROP_A_MAX + 1] = {
	[NFSEC_SA_DROP_A_REPLAY]       = "replay",
	[NFSEC_SA_DROP_A_AUTH_FAIL]    = "auth-fail",
	[NFSEC_SA_DROP_A_MALFORMED]    = "malformed",
	[NFSEC_SA_DROP_A_SELECTOR]     = "selector",
	[NFSEC_SA_DROP_A_DUMMY]	       = "dummy",
	[NFSEC_SA_DROP_A_EXPIRED]      = "expired",
	[NFSEC_SA_DROP_A_SEQ_OVERFLOW] = "seq-overflow",
	[NFSEC_SA_DROP_A_NO_ROUTE]     = "no-route",
	[NFSEC_SA_DROP_A_TOO_BIG]      = "too-big",
	[NFSEC_SA_DROP_A_ERROR]	       = "error",
};

/* The first reason: UNSPEC and PAD come before it. */
enum { DROP_FIRST = NFSEC_SA_DROP_A_PAD + 1 };

const char *nfsec_sa_drop_name(int attr)
{
	if (attr < DROP_FIRST || attr > NFSEC_SA_DROP_A_MAX)
		return NULL;
	return drop_names[attr];
}

bool nfsec_sa_seconds_left(const struct nfsec_sa *sa, uint64_t *left)
{
	uint64_t hard = sa->lifetime.hard_seconds;

	*left = sa->age_seconds < hard ? hard - sa->age_seconds : 0;
	return hard != 0;
}

bool nfsec_sa_kilobytes_left(const struct nfsec_sa *sa, uint64_t *left)
{
	uint64_t hard = sa->lifetime.hard_bytes;

	*left = sa->bytes < hard ? (hard - sa->bytes) / 1024 : 0;
	return hard != 0;
}

/* Every reason this version knows, each a count; those of a newer module are skipped. */
static int drops_decode(struct nfsec_handle *h, const char *op, struct nlattr *nest,
			struct nfsec_sa *sa)
{
	struct nlattr *tb[NFSEC_SA_DROP_A_MAX + 1];
	int ret;

	ret = nfsec_nest_parse_padded(h, op, sa_names[NFSEC_SA_A_DROPS], nest, tb,
				      NFSEC_SA_DROP_A_MAX, drop_policy, NFSEC_SA_DROP_A_PAD);
	if (ret < 0)
		return ret;
	for (int attr = DROP_FIRST; attr <= NFSEC_SA_DROP_A_MAX; attr++) {
		if (!tb[attr])
			return nfsec_seterr(h, -EBADMSG, "%s: reply lacks %s in %s", op,
					    drop_attr_names[attr], sa_names[NFSEC_SA_A_DROPS]);
		sa->drops[attr] = nla_get_u64(tb[attr]);
	}
	return 0;
}

/*
 * One transform, nest type of the SA: a name always, the ICV length for an AEAD and for
 * authentication (defaults filled in), and never a key.
 */
static int alg_decode(struct nfsec_handle *h, const char *op, struct nlattr *nest, int type,
		      struct nfsec_alg *alg)
{
	struct nlattr *tb[NFSEC_ALG_A_MAX + 1];
	bool icv = type != NFSEC_SA_A_ENC;
	int ret;

	ret = nfsec_nest_parse(h, op, sa_names[type], nest, tb, NFSEC_ALG_A_MAX, alg_policy);
	if (ret < 0)
		return ret;
	if (tb[NFSEC_ALG_A_KEY])
		return nfsec_seterr(h, -EBADMSG, "%s: reply has %s in %s: keys are never given "
				    "back", op, alg_names[NFSEC_ALG_A_KEY], sa_names[type]);
	if (!tb[NFSEC_ALG_A_NAME] || (icv && !tb[NFSEC_ALG_A_ICV_BITS]))
		return nfsec_seterr(h, -EBADMSG, "%s: reply lacks %s in %s", op,
				    alg_names[tb[NFSEC_ALG_A_NAME] ? NFSEC_ALG_A_ICV_BITS :
					      NFSEC_ALG_A_NAME], sa_names[type]);
	if (!icv && tb[NFSEC_ALG_A_ICV_BITS])
		return nfsec_seterr(h, -EBADMSG, "%s: reply has %s in %s", op,
				    alg_names[NFSEC_ALG_A_ICV_BITS], sa_names[type]);
	memset(alg, 0, sizeof(*alg));
	nla_strlcpy(alg->name, tb[NFSEC_ALG_A_NAME], sizeof(alg->name));
	if (!alg->name[0])
		return nfsec_seterr(h, -EBADMSG, "%s: reply has an empty %s in %s", op,
				    alg_names[NFSEC_ALG_A_NAME], sa_names[type]);
	if (icv)
		alg->icv_bits = nla_get_u32(tb[NFSEC_ALG_A_ICV_BITS]);
	return 0;
}

/* An AEAD alone, or encryption and authentication together. */
static int algs_decode(struct nfsec_handle *h, const char *op, struct nlattr **tb,
		       struct nfsec_sa *sa)
{
	int ret;

	if (tb[NFSEC_SA_A_AEAD] && (tb[NFSEC_SA_A_ENC] || tb[NFSEC_SA_A_AUTH]))
		return nfsec_seterr(h, -EBADMSG, "%s: reply has %s beside %s", op,
				    sa_names[NFSEC_SA_A_AEAD],
				    sa_names[tb[NFSEC_SA_A_ENC] ? NFSEC_SA_A_ENC :
					     NFSEC_SA_A_AUTH]);
	if (tb[NFSEC_SA_A_AEAD])
		return alg_decode(h, op, tb[NFSEC_SA_A_AEAD], NFSEC_SA_A_AEAD, &sa->aead);
	if (!tb[NFSEC_SA_A_ENC] && !tb[NFSEC_SA_A_AUTH])
		return nfsec_seterr(h, -EBADMSG, "%s: reply lacks %s, or %s and %s", op,
				    sa_names[NFSEC_SA_A_AEAD], sa_names[NFSEC_SA_A_ENC],
				    sa_names[NFSEC_SA_A_AUTH]);
	if (!tb[NFSEC_SA_A_ENC] || !tb[NFSEC_SA_A_AUTH])
		return nfsec_seterr(h, -EBADMSG, "%s: reply lacks %s", op,
				    sa_names[tb[NFSEC_SA_A_ENC] ? NFSEC_SA_A_AUTH :
					     NFSEC_SA_A_ENC]);
	ret = alg_decode(h, op, tb[NFSEC_SA_A_ENC], NFSEC_SA_A_ENC, &sa->enc);
	if (!ret)
		ret = alg_decode(h, op, tb[NFSEC_SA_A_AUTH], NFSEC_SA_A_AUTH, &sa->auth);
	return ret;
}

static int lifetime_decode(struct nfsec_handle *h, const char *op, struct nlattr *nest,
			   struct nfsec_sa *sa)
{
	struct nlattr *tb[NFSEC_LT_A_MAX + 1];
	struct nfsec_lifetime *lt = &sa->lifetime;
	int ret;

	ret = nfsec_nest_parse_padded(h, op, sa_names[NFSEC_SA_A_LIFETIME], nest, tb,
				      NFSEC_LT_A_MAX, lt_policy, NFSEC_LT_A_PAD);
	if (!ret)
		ret = nfsec_need(h, op, tb, lt_required, ARRAY_SIZE(lt_required), lt_names);
	if (ret < 0)
		return ret;
	lt->soft_bytes = nla_get_u64(tb[NFSEC_LT_A_SOFT_BYTES]);
	lt->hard_bytes = nla_get_u64(tb[NFSEC_LT_A_HARD_BYTES]);
	lt->soft_packets = nla_get_u64(tb[NFSEC_LT_A_SOFT_PACKETS]);
	lt->hard_packets = nla_get_u64(tb[NFSEC_LT_A_HARD_PACKETS]);
	lt->soft_seconds = nla_get_u64(tb[NFSEC_LT_A_SOFT_SECONDS]);
	lt->hard_seconds = nla_get_u64(tb[NFSEC_LT_A_HARD_SECONDS]);
	sa->bytes = nla_get_u64(tb[NFSEC_LT_A_BYTES]);
	sa->packets = nla_get_u64(tb[NFSEC_LT_A_PACKETS]);
	sa->age_seconds = nla_get_u64(tb[NFSEC_LT_A_AGE_SECONDS]);
	return 0;
}

/* The fields with a value this version must know, and the outer addresses. */
static int sa_values(struct nfsec_handle *h, const char *op, struct nlattr **tb,
		     struct nfsec_sa *sa)
{
	int ret;

	sa->spi = nla_get_u32(tb[NFSEC_SA_A_SPI]);
	sa->dir = nla_get_u8(tb[NFSEC_SA_A_DIR]);
	sa->family = nla_get_u16(tb[NFSEC_SA_A_FAMILY]);
	sa->proto = nla_get_u8(tb[NFSEC_SA_A_PROTO]);
	sa->mode = nla_get_u8(tb[NFSEC_SA_A_MODE]);
	sa->reqid = nla_get_u32(tb[NFSEC_SA_A_REQID]);
	sa->seq = nla_get_u64(tb[NFSEC_SA_A_SEQ]);
	sa->esn = tb[NFSEC_SA_A_ESN] != NULL;
	if (sa->dir > NFSEC_SA_DIR_MAX)
		return nfsec_seterr(h, -EBADMSG, "%s: reply has direction %u, unknown here", op,
				    sa->dir);
	if (sa->mode > NFSEC_MODE_MAX)
		return nfsec_seterr(h, -EBADMSG, "%s: reply has mode %u, unknown here", op,
				    sa->mode);
	if (sa->family != AF_INET && sa->family != AF_INET6)
		return nfsec_seterr(h, -EBADMSG, "%s: reply has address family %u", op,
				    sa->family);
	ret = nfsec_addr_get(h, op, tb[NFSEC_SA_A_SRC], sa_names[NFSEC_SA_A_SRC], sa->family,
			     sa->src);
	if (!ret)
		ret = nfsec_addr_get(h, op, tb[NFSEC_SA_A_DST], sa_names[NFSEC_SA_A_DST],
				     sa->family, sa->dst);
	return ret;
}

/* The one type this version knows, both ports, neither 0. */
static int encap_decode(struct nfsec_handle *h, const char *op, struct nlattr *nest,
			struct nfsec_sa *sa)
{
	struct nlattr *tb[NFSEC_ENCAP_A_MAX + 1];
	uint8_t type;
	int ret;

	ret = nfsec_nest_parse(h, op, sa_names[NFSEC_SA_A_ENCAP], nest, tb, NFSEC_ENCAP_A_MAX,
			       encap_policy);
	if (!ret)
		ret = nfsec_need(h, op, tb, encap_required, ARRAY_SIZE(encap_required),
				 encap_names);
	if (ret < 0)
		return ret;
	type = nla_get_u8(tb[NFSEC_ENCAP_A_TYPE]);
	if (type != NFSEC_ENCAP_ESPINUDP)
		return nfsec_seterr(h, -EBADMSG, "%s: reply has encapsulation type %u, unknown "
				    "here", op, type);
	sa->encap = true;
	sa->encap_sport = nla_get_u16(tb[NFSEC_ENCAP_A_SPORT]);
	sa->encap_dport = nla_get_u16(tb[NFSEC_ENCAP_A_DPORT]);
	if (!sa->encap_sport || !sa->encap_dport)
		return nfsec_seterr(h, -EBADMSG, "%s: reply has port 0 in %s", op,
				    sa_names[NFSEC_SA_A_ENCAP]);
	return 0;
}

/* Inbound SAs always have a replay window; an outbound one may be given one too. */
static int replay_window_decode(struct nfsec_handle *h, const char *op, struct nlattr **tb,
				struct nfsec_sa *sa)
{
	if (!tb[NFSEC_SA_A_REPLAY_WINDOW] && sa->dir == NFSEC_SA_DIR_IN)
		return nfsec_seterr(h, -EBADMSG, "%s: reply lacks %s for an inbound SA", op,
				    sa_names[NFSEC_SA_A_REPLAY_WINDOW]);
	if (tb[NFSEC_SA_A_REPLAY_WINDOW])
		sa->replay_window = nla_get_u32(tb[NFSEC_SA_A_REPLAY_WINDOW]);
	return 0;
}

int nfsec_sa_decode(struct nfsec_handle *h, const char *op, struct nlattr *nest,
		    struct nfsec_sa *out)
{
	struct nlattr *tb[NFSEC_SA_A_MAX + 1];
	struct nfsec_sa sa;
	int ret;

	ret = nfsec_nest_parse_padded(h, op, "NFSEC_A_SA", nest, tb, NFSEC_SA_A_MAX, sa_policy,
				      NFSEC_SA_A_PAD);
	if (!ret)
		ret = nfsec_need(h, op, tb, sa_required, ARRAY_SIZE(sa_required), sa_names);
	if (ret < 0)
		return ret;

	memset(&sa, 0, sizeof(sa));
	ret = sa_values(h, op, tb, &sa);
	if (!ret)
		ret = replay_window_decode(h, op, tb, &sa);
	if (!ret)
		ret = algs_decode(h, op, tb, &sa);
	if (!ret)
		ret = lifetime_decode(h, op, tb[NFSEC_SA_A_LIFETIME], &sa);
	if (!ret)
		ret = drops_decode(h, op, tb[NFSEC_SA_A_DROPS], &sa);
	if (!ret && tb[NFSEC_SA_A_SELECTOR]) {
		sa.has_selector = true;
		ret = nfsec_selector_decode(h, op, sa_names[NFSEC_SA_A_SELECTOR],
					    tb[NFSEC_SA_A_SELECTOR], &sa.sel);
	}
	if (!ret && tb[NFSEC_SA_A_ENCAP])
		ret = encap_decode(h, op, tb[NFSEC_SA_A_ENCAP], &sa);
	if (ret < 0)
		return ret;
	*out = sa;
	return 0;
}

int nfsec_sa_add(struct nfsec_handle *h, const struct nfsec_sa *sa)
{
	struct nl_msg *msg;
	int ret;

	ret = nfsec_sa_new_msg(h, sa, &msg);
	if (ret < 0)
		return ret;
	return nfsec_request(h, add_op, msg, NULL, NULL);
}

int nfsec_sa_del(struct nfsec_handle *h, uint32_t spi, uint16_t family, const uint8_t *dst,
		 uint8_t proto)
{
	struct nl_msg *msg;
	int ret;

	ret = nfsec_sa_id_msg(h, NFSEC_CMD_SA_DEL, spi, family, dst, proto, &msg);
	if (ret < 0)
		return ret;
	return nfsec_request(h, del_op, msg, NULL, NULL);
}

/* The SA the kernel answered with must be the one asked for. */
static int same_sa(struct nfsec_handle *h, const struct nfsec_sa *sa, uint32_t spi,
		   uint16_t family, const uint8_t *dst, uint8_t proto)
{
	if (sa->spi != spi || sa->proto != proto)
		return nfsec_seterr(h, -EBADMSG, "%s: the kernel answered with SPI 0x%x protocol "
				    "%u for SPI 0x%x protocol %u", get_op, sa->spi, sa->proto,
				    spi, proto);
	if (sa->family != family || memcmp(sa->dst, dst, nfsec_addr_len(family)))
		return nfsec_seterr(h, -EBADMSG, "%s: the kernel answered with another "
				    "destination for SPI 0x%x", get_op, spi);
	return 0;
}

int nfsec_sa_get(struct nfsec_handle *h, uint32_t spi, uint16_t family, const uint8_t *dst,
		 uint8_t proto, struct nfsec_sa *out)
{
	struct nfsec_sa sa;
	struct nl_msg *msg;
	int ret;

	ret = nfsec_sa_id_msg(h, NFSEC_CMD_SA_GET, spi, family, dst, proto, &msg);
	if (ret < 0)
		return ret;
	ret = nfsec_request_one(h, get_op, msg, NFSEC_REPLY_SA, &sa);
	if (ret < 0)
		return ret;
	ret = same_sa(h, &sa, spi, family, dst, proto);
	if (ret < 0)
		return ret;
	*out = sa;
	return 0;
}

int nfsec_sa_dump(struct nfsec_handle *h, nfsec_sa_fn cb, void *arg)
{
	struct nfsec_reply reply = {
		.op = dump_op, .object = NFSEC_REPLY_SA, .cb.sa = cb, .arg = arg,
	};
	struct nl_msg *msg;
	int ret;

	ret = nfsec_msg_new(h, dump_op, NFSEC_CMD_SA_GET, NLM_F_DUMP, &msg);
	if (ret < 0)
		return ret;
	return nfsec_request(h, dump_op, msg, nfsec_reply_parse, &reply);
}

int nfsec_sa_flush(struct nfsec_handle *h)
{
	struct nl_msg *msg;
	int ret;

	ret = nfsec_msg_new(h, flush_op, NFSEC_CMD_SA_FLUSH, 0, &msg);
	if (ret < 0)
		return ret;
	return nfsec_request(h, flush_op, msg, NULL, NULL);
}

const struct nfsec_alg_alias *nfsec_alg_alias(const char *word)
{
	static const struct nfsec_alg_alias aliases[] = {
		{ "gcm-aes", "rfc4106(gcm(aes))", NFSEC_ALG_AEAD },
		{ "chacha20-poly1305", "rfc7539esp(chacha20,poly1305)", NFSEC_ALG_AEAD },
		{ "aes-cbc", "cbc(aes)", NFSEC_ALG_ENC },
		{ "null", "ecb(cipher_null)", NFSEC_ALG_ENC },
		{ "sha1", "hmac(sha1)", NFSEC_ALG_AUTH },
		{ "sha256", "hmac(sha256)", NFSEC_ALG_AUTH },
		{ "sha384", "hmac(sha384)", NFSEC_ALG_AUTH },
		{ "sha512", "hmac(sha512)", NFSEC_ALG_AUTH },
	};

	for (size_t i = 0; word && i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(aliases[i].word, word))
			return &aliases[i];
	return NULL;
}
