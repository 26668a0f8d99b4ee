/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the IKE fuzz targets (phase1, quick, info) share: a CHECK that still speaks when
 * the target's stderr is closed (-close_fd_mask=2 keeps ike.c's state lines out of the
 * log), random bytes that repeat from one input to the next, the fuzzer's input taken
 * from the front, tunnels from words, and messages made of a header, payloads kept from
 * a genuine message and a payload chain from the fuzzer, encrypted as the receiver
 * expects. conf_fuzz and control_fuzz use the CHECK alone.
 */
#ifndef NFSEC_FUZZ_HARNESS_H
#define NFSEC_FUZZ_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike.h"
#include "isakmp.h"
#include "tunnel.h"

void fuzz_check_failed(const char *file, int line, const char *what)
	__attribute__((noreturn));

#define CHECK(cond)								\
	do {									\
		if (!(cond))							\
			fuzz_check_failed(__FILE__, __LINE__, #cond);		\
	} while (0)

/*
 * From LLVMFuzzerInitialize(), before libFuzzer closes stderr: CHECK writes to a copy.
 * Also makes getrandom() deterministic (see fuzz_random_reset()).
 */
void fuzz_init(void);

/*
 * getrandom() (cookies, nonces, message IDs; not OpenSSL's DH keys) gives the same bytes
 * after each reset: the targets reset it per input, so a reproducer replays the same
 * exchange as far as our own randomness goes.
 */
void fuzz_random_reset(void);

/* The fuzzer's bytes, consumed from the front; what runs out reads as zeros. */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

uint8_t fuzz_u8(struct fuzz_in *in);
uint16_t fuzz_u16(struct fuzz_in *in);
/* The next len bytes (fewer if fewer are left: *len says how many). */
const uint8_t *fuzz_take(struct fuzz_in *in, size_t *len);

/* A tunnel from its words, NAME first; aborts if tunnel_deserialize() refuses them. */
void fuzz_tunnel(struct tunnel *t, const char *words);

/* Phase 1 between a (initiating) and b, run to ESTABLISHED on both sides, or aborts. */
void fuzz_phase1(const struct tunnel *a, const struct tunnel *b, struct ike_sa **i,
		 struct ike_sa **r);

/* msg over buf[0..len-1] with its header parsed: false if isakmp_hdr_parse() refused it. */
bool fuzz_msg(struct ike_msg *msg, const uint8_t *buf, size_t len);

/*
 * A payload chain from the fuzzer: first type, then the rest of the input as the bytes
 * (generic headers and bodies, or anything). Appended raw after what b holds, linked from
 * the payload before it (or from the header).
 */
void fuzz_put_chain(struct isakmp_buf *b, uint8_t first, const uint8_t *p, size_t len);

/* The payloads of chain whose bit is set in keep (payload i: bit i), appended to b. */
void fuzz_put_kept(struct isakmp_buf *b, const struct isakmp_chain *chain, uint32_t keep,
		   bool skip_first);

/*
 * The body of a message decrypted (when key is not NULL, with iv) into plain, and its
 * payloads into chain: false if it does not decrypt or parse.
 */
bool fuzz_open(const struct ike_msg *msg, const struct ike_secret *key, const uint8_t *iv,
	       uint8_t *plain, struct isakmp_chain *chain);

/*
 * Ends the message in b: its length written and, with a key, its body padded and
 * encrypted with iv in place. The message's length, or 0 if it does not fit.
 */
size_t fuzz_seal(struct isakmp_buf *b, const struct ike_secret *key, const uint8_t *iv);

/*
 * Ends a phase-2 message of p1 in b whose HASH payload (zeros) is at offset h: the hash is
 * prf(SKEYID_a, pre... | the payloads after it) when rest, of pre alone when not; then
 * the body encrypted with iv. The length, or 0.
 */
size_t fuzz_seal_p2(const struct ike_sa *p1, struct isakmp_buf *b, size_t h,
		    const struct ike_chunk *pre, unsigned int npre, bool rest, const uint8_t *iv);

#endif /* NFSEC_FUZZ_HARNESS_H */
