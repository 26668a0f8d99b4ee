/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Walking the attributes of a request libnfsec built, one expected attribute at a time,
 * and building the replies it parses; for the policy, SA and stats tests.
 */
#ifndef NFSEC_TEST_NLWALK_H
#define NFSEC_TEST_NLWALK_H

#include <stdint.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

/* The generic netlink id the tests give the nfsec family. */
enum { TEST_FAMILY = 0x42 };

/* The genl header of msg: TEST_FAMILY, cmd, the family version, and these nlmsg flags. */
void expect_header(struct nl_msg *msg, uint8_t cmd, int flags);

struct walk {
	struct nlattr *pos;
	int rem;
};

struct walk walk_msg(struct nl_msg *msg);
struct walk walk_nest(struct nlattr *nest);

/*
 * The next attribute must have this raw type, flags included, and this payload length
 * (-1: any); returns it.
 */
struct nlattr *next_attr(struct walk *w, uint16_t type, int len);

/* No attribute left. */
void walk_end(const struct walk *w);

void next_u8(struct walk *w, uint16_t type, uint8_t value);
void next_u16(struct walk *w, uint16_t type, uint16_t value);
void next_u32(struct walk *w, uint16_t type, uint32_t value);
void next_u64(struct walk *w, uint16_t type, uint64_t value);

/* An address attribute of len bytes (4 or 16) holding text's address. */
void next_addr(struct walk *w, uint16_t type, const char *text, int len);

/* A reply of TEST_FAMILY for cmd, as the kernel sends a dump's part. */
struct nl_msg *reply_new(uint8_t cmd);

#endif /* NFSEC_TEST_NLWALK_H */
