/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The words and the printing that policies, SAs and tunnels share: addresses, prefixes,
 * protocols, port ranges, whole selectors, modes. For the policy, sa and monitor commands
 * and the tunnel words (tunnel.c). Parsers never print: they name the bad word in err.
 */
#ifndef NFSEC_COMMON_WORDS_H
#define NFSEC_COMMON_WORDS_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <nfsec.h>

#include "encoding.h"
#include "json.h"
#include "utils.h"

/* An address with an optional prefix length, or "any". */
struct prefix {
	const char *word;	/* as given, for messages; NULL when not given */
	uint16_t family;	/* AF_INET, AF_INET6, or 0 for "any" */
	uint8_t addr[16];	/* masked to len */
	uint8_t len;
};

/* "ADDR[/LEN]" or "any" into *p, bits beyond LEN cleared; "invalid prefix \"W\"" else. */
int prefix_parse(const char *word, struct prefix *p, struct errmsg *err);

/*
 * A whole IPv4 or IPv6 address, no prefix, into *family and addr (16 bytes, zero beyond an
 * IPv4 one); what names it in the message: "invalid dst \"W\": not an IPv4 or IPv6 address".
 */
int addr_parse(const char *what, const char *word, uint16_t *family, uint8_t *addr,
	       struct errmsg *err);

/* A whole address given by a keyword, and the word as given, for later messages. */
struct endpoint {
	const char *word;
	uint16_t family;
	uint8_t addr[16];
};

/* addr_parse() into *e, named by what; keeps word in e->word. */
int endpoint_parse(const char *what, const char *word, struct endpoint *e,
		   struct errmsg *err);

struct proto {
	const char *name;
	uint8_t number;
	bool ports;		/* its packets have ports a selector can match */
};

/* What proto_parse() takes, for messages. */
extern const char proto_needs[];

/* A protocol's name, or a number 0..255, into *number: 0, or -EINVAL and no message. */
int proto_parse(const char *word, uint8_t *number);

/* The named protocol of that number, NULL for one without a name here. */
const struct proto *proto_find(uint8_t number);

/* "PORT" or "PORT-PORT" (inclusive) into range[0..1]; what names it in messages. */
int port_range_parse(const char *what, const char *word, uint16_t *range,
		     struct errmsg *err);

/*
 * port_range_parse() for the port keyword what ("sport"), and *first set to what unless
 * an earlier port keyword is there already: the one a "needs proto" message names.
 */
int ports_parse(const char *what, const char *word, uint16_t *range, const char **first,
		struct errmsg *err);

/* "IPv4" or "IPv6", and "inet" or "inet6", for AF_INET and AF_INET6. */
const char *family_version(uint16_t family);
const char *family_name(uint16_t family);

enum {
	ADDR_TEXT_LEN = INET6_ADDRSTRLEN,
	PREFIX_TEXT_LEN = INET6_ADDRSTRLEN + sizeof("/128"),
};

/* addr as text into buf (ADDR_TEXT_LEN), and with "/len" (PREFIX_TEXT_LEN). */
void addr_format(char *buf, uint16_t family, const uint8_t *addr);
void prefix_format(char *buf, uint16_t family, const uint8_t *addr, uint8_t len);

/*
 * " src PREFIX dst PREFIX [proto P] [sport P[-P]] [dport P[-P]]", every word behind pfx
 * ("sel-"): proto and the ports only when they do not match everything.
 */
void selector_print(FILE *out, const char *pfx, const struct nfsec_selector *sel);

/* The members "family", "src", "dst", "proto", "sport", "dport" of an open object. */
void selector_json_members(struct json *j, const struct nfsec_selector *sel);

/* "transport" or "tunnel" (enum nfsec_mode), "unknown" beyond; and back, -EINVAL. */
const char *mode_name(unsigned int mode);
int mode_parse(const char *word, uint8_t *mode);

/* What mode_parse() takes, for messages. */
extern const char mode_needs[];

#endif /* NFSEC_COMMON_WORDS_H */
