/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tunnel: what nfsec-iked negotiates with one peer, as a plain model. The same words
 * make it on the command line ("nfsec tunnel add NAME WORDS...") and in the daemon's
 * configuration file ("tunnel NAME WORDS...", one a line):
 *
 *   NAME local ADDR remote ADDR|%any local-ts TS[,TS...] remote-ts TS[,TS...]
 *        auth psk psk SECRET | auth cert cert PATH key PATH ca PATH
 *        [local-id ID] [remote-id ID] [ike PROPOSALS] [esp PROPOSALS] [pfs GROUP|no]
 *        [mode main|aggressive] [encap tunnel|transport] [ike-lifetime DURATION]
 *        [lifetime DURATION] [lifebytes SIZE] [rekey-margin DURATION]
 *        [auto trap|start|none] [weak-groups yes|no] [allow-sha1 yes|no] [reqid N]
 *
 *   TS       := PREFIX[[PROTO[/PORT]]], as 10.0.1.0/24[tcp/80]; PORT a number or %any
 *   SECRET   := 0xHEX | file:PATH | TEXT (the bytes of TEXT; write one that starts
 *               with 0x or file: in hex)
 *   ID       := ADDR | fqdn:NAME | @NAME | NAME (with a dot and a letter) | email:U@H |
 *               U@H | dn:DN | DN (with a '=') | keyid:HEX | %any (remote-id only)
 *   DURATION := N[s|m|h|d] (seconds without a suffix); SIZE := N[k|M|G] bytes, k = 1024
 *
 * Keywords come in any order, each once. "auth cert" needs a remote-id (%any accepts
 * any certificate the CA signed) and main mode. Left out: local-ts and remote-ts (encap
 * transport only) are the endpoints; with remote %any (encap tunnel), remote-ts is each
 * peer's own address, filled in per peer by the daemon; ids the endpoint addresses
 * (remote %any: any id; auth cert: our certificate's subject); ike
 * aes128-sha256-modp2048,aes256-sha256-modp2048; esp aes128gcm16,aes128-sha256; pfs no;
 * mode main; encap tunnel; ike-lifetime 8h; lifetime 1h; no lifebytes; rekey-margin 9m
 * (for both phases, below both lifetimes); auto trap (remote %any: none, the only one it
 * allows); weak-groups no; allow-sha1 no; reqid 0 (the daemon picks one). proposal.h has
 * the proposals and the PFS rule.
 *
 * Every local-ts is paired with every remote-ts of its family, each pair its own phase-2
 * SA; each must have a partner. Paths are absolute; the daemon reads the files.
 */
#ifndef NFSEC_COMMON_TUNNEL_H
#define NFSEC_COMMON_TUNNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "proposal.h"

enum {
	TUNNEL_NAME_MAX = 32,
	TUNNEL_TS_MAX = 8,		/* per side */
	TUNNEL_ID_MAX = 255,		/* bytes */
	TUNNEL_PSK_MAX = 128,
	TUNNEL_PATH_MAX = 255,
	/* nfsec-iked's pairs' request ids are the tunnel's times 256 plus the pair's number */
	TUNNEL_REQID_MAX = 0xffffff,
	TUNNEL_WORDS_MAX = 128,		/* of one tunnel */
	TUNNEL_LINE_MAX = 16384,	/* bytes of one tunnel in a file, continued lines too */
	TUNNEL_TEXT_MAX = 8192,		/* enough for tunnel_format() and tunnel_serialize() */
};

enum tunnel_auth {
	TUNNEL_AUTH_PSK = 1,
	TUNNEL_AUTH_CERT,
};

enum tunnel_auto {
	TUNNEL_AUTO_TRAP,		/* policies in place, negotiate on the first packet */
	TUNNEL_AUTO_START,		/* negotiate when loaded */
	TUNNEL_AUTO_NONE,		/* only on "nfsec tunnel up" (or as responder) */
};

/* What a tunnel does when dead peer detection declares its peer dead. */
enum tunnel_dpd_action {
	TUNNEL_DPD_CLEAR,		/* its SAs go; it waits for "tunnel up" or the peer */
	TUNNEL_DPD_HOLD,		/* its SAs go; its next packet negotiates again */
	TUNNEL_DPD_RESTART,		/* its SAs go and it negotiates again at once */
};

/* NAT traversal (RFC 3947): whether phase 1 looks for a NAT, and what it does then. */
enum tunnel_nat_t {
	TUNNEL_NAT_T_YES,		/* detected: IKE and ESP move to UDP 4500 */
	TUNNEL_NAT_T_NO,		/* never announced, the peer's ignored */
	TUNNEL_NAT_T_FORCE,		/* UDP 4500 and ESP in UDP even with no NAT */
};

/* IPsec DOI identification types (RFC 2407 4.6.2.1); ANY takes whatever the peer says. */
enum tunnel_id_type {
	TUNNEL_ID_ANY = 0,
	TUNNEL_ID_IPV4_ADDR = 1,
	TUNNEL_ID_FQDN = 2,
	TUNNEL_ID_USER_FQDN = 3,
	TUNNEL_ID_IPV6_ADDR = 5,
	TUNNEL_ID_DER_ASN1_DN = 9,	/* the text as given; the daemon encodes it */
	TUNNEL_ID_KEY_ID = 11,
};

struct tunnel_id {
	uint8_t type;			/* enum tunnel_id_type */
	uint16_t len;
	/* the address (4 or 16 bytes), the key id, or the text (NUL-terminated too) */
	uint8_t data[TUNNEL_ID_MAX + 1];
};

struct tunnel_addr {
	uint16_t family;		/* AF_INET, AF_INET6 */
	uint8_t addr[16];		/* zero beyond an IPv4 address */
};

struct tunnel_ts {
	uint16_t family;
	uint8_t addr[16];		/* masked to len */
	uint8_t len;
	uint8_t proto;			/* 0 for any */
	uint16_t port;			/* 0 for any */
};

struct tunnel {
	char name[TUNNEL_NAME_MAX + 1];
	struct tunnel_addr local, remote;
	bool remote_any;		/* responder only: remote.addr is all zero */
	/*
	 * remote %any without remote-ts: each peer's remote-ts is its own address. remote_ts[0]
	 * holds the family at full length, the address zero, until the daemon fills it in.
	 */
	bool remote_ts_peer;
	unsigned int local_ts_count, remote_ts_count;
	struct tunnel_ts local_ts[TUNNEL_TS_MAX], remote_ts[TUNNEL_TS_MAX];

	uint8_t auth;			/* enum tunnel_auth */
	/* auth psk: the secret in psk, or the file holding it in psk_file; never shown */
	uint16_t psk_len;
	uint8_t psk[TUNNEL_PSK_MAX];
	char psk_file[TUNNEL_PATH_MAX + 1];
	/* auth cert: PEM files */
	char cert[TUNNEL_PATH_MAX + 1], key[TUNNEL_PATH_MAX + 1], ca[TUNNEL_PATH_MAX + 1];
	struct tunnel_id local_id, remote_id;

	struct ike_proposals ike;
	struct esp_proposals esp;	/* each with the PFS group */
	uint16_t pfs;			/* the PFS group of every esp proposal, 0 for none */
	bool aggressive;		/* mode aggressive (the daemon warns with psk) */
	uint8_t encap;			/* NFSEC_MODE_TUNNEL or NFSEC_MODE_TRANSPORT */
	uint8_t auto_mode;		/* enum tunnel_auto */
	bool weak_groups, allow_sha1;
	uint32_t ike_lifetime, lifetime, rekey_margin;	/* seconds */
	uint64_t lifebytes;		/* phase 2, 0 for none */
	uint32_t reqid;			/* 0: the daemon picks one */
	/* dead peer detection (RFC 3706): every dpd seconds (0: off), answered in dpd_timeout */
	uint32_t dpd, dpd_timeout;
	bool dpd_periodic;		/* else on demand: only while we send and hear nothing */
	uint8_t dpd_action;		/* enum tunnel_dpd_action */
	uint8_t nat_t;			/* enum tunnel_nat_t */
	/* seconds between NAT keepalives from the side behind a NAT (RFC 3948 4), 0: none */
	uint32_t nat_keepalive;
};

/*
 * A tunnel's NAME as tunnel_parse() takes it: 0, or -EINVAL with "invalid tunnel name
 * \"N\": ..." in err. A name goes into a control socket request line as it is.
 */
int tunnel_name_check(const char *name, struct errmsg *err);

/* The word of a dpd-action (enum tunnel_dpd_action): "clear", "hold", "restart"; "?". */
const char *tunnel_dpd_action_name(unsigned int action);

/*
 * words[0..count-1], NAME first, into *t with every default filled in and checked
 * against each other. 0, or -EINVAL with a message in err naming the bad word (never
 * the secret); *t is untouched then.
 */
int tunnel_parse(char **words, int count, struct tunnel *t, char *err, size_t errlen);

/*
 * The words of one tunnel, copied out of its lines: a configuration file's (iked/conf.c),
 * or the one line of the control socket's "add".
 */
struct tunnel_words {
	int n;
	size_t used;
	char *words[TUNNEL_WORDS_MAX];
	char text[TUNNEL_LINE_MAX + 1];
};

#define TUNNEL_BLANKS " \t"	/* what separates words */

/*
 * The words of line appended to s; *continued when a backslash ends it. A word starting
 * with '#' starts a comment to the end of the line; double quotes keep blanks in a word
 * and are dropped. 0, or -EINVAL with err set ("a double quote left open", too many words,
 * too long).
 */
int tunnel_words_split(struct tunnel_words *s, const char *line, bool *continued,
		       struct errmsg *err);

/*
 * The words that make t, NAME first, as a line of the file would have them (quoted
 * where needed), into buf: the length, or -ENOSPC if it does not fit (TUNNEL_TEXT_MAX
 * does). tunnel_format() prints the secret as "psk <hidden>", which tunnel_parse()
 * refuses, for "nfsec tunnel show"; tunnel_serialize() writes it in hex, for the control
 * socket: wipe buf after use.
 */
int tunnel_format(const struct tunnel *t, char *buf, size_t len);

/* A traffic selector as the tunnel words write it: PREFIX, PREFIX[PROTO] or PREFIX[PROTO/PORT]. */
void tunnel_ts_format(char *buf, size_t len, const struct tunnel_ts *ts);
int tunnel_serialize(const struct tunnel *t, char *buf, size_t len);

/* tunnel_serialize()'s text (one line) back into *t, as tunnel_parse() does. */
int tunnel_deserialize(const char *text, struct tunnel *t, char *err, size_t errlen);

/* lifebytes in the kilobytes IKEv1 sends (RFC 2407 4.5), rounded up; 0 for none. */
uint64_t tunnel_lifebytes_kb(const struct tunnel *t);

/* Wipes *t, the secret with it. */
void tunnel_wipe(struct tunnel *t);

#endif /* NFSEC_COMMON_TUNNEL_H */
