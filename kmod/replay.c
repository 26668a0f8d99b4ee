// SPDX-License-Identifier: GPL-2.0
/*
 * Anti-replay window: a ring of bits indexed by sequence number, as large as the window
 * rounded up to a power of two, so that sliding it forward only clears the bits it passes.
 */

#include <linux/bitmap.h>
#include <linux/err.h>
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "nfsec.h"
#include "replay.h"

struct nfsec_replay *nfsec_replay_new(u32 size, bool esn, gfp_t gfp)
{
	struct nfsec_replay *r;
	u32 nbits;

	if (!size || size > NFSEC_REPLAY_MAX)
		return ERR_PTR(-EINVAL);
	nbits = roundup_pow_of_two(max_t(u32, size, BITS_PER_LONG));
	r = kzalloc(struct_size(r, bits, BITS_TO_LONGS(nbits)), gfp);
	if (!r)
		return ERR_PTR(-ENOMEM);
	r->size = size;
	r->mask = nbits - 1;
	r->esn = esn;
	return r;
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_replay_new);

void nfsec_replay_free(struct nfsec_replay *r)
{
	kfree(r);
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_replay_free);

/*
 * The full sequence number of a packet that carries only its low 32 bits (RFC 4303
 * appendix A2.2): the one that puts it inside or ahead of the window. Without ESN the
 * high half is always zero. A number from before sequence space 0 infers as 0 (invalid).
 */
static u64 infer_at(const struct nfsec_replay *r, u64 top, u32 seq_lo)
{
	u32 top_lo = lower_32_bits(top), top_hi = upper_32_bits(top);
	u32 bottom = top_lo - r->size + 1;	/* low bits of the window's bottom, mod 2^32 */

	if (!r->esn)
		return seq_lo;
	if (top_lo >= r->size - 1) {
		/* Case A: the window lies in one sequence space. */
		if (seq_lo < bottom)
			top_hi++;
	} else if (seq_lo >= bottom) {
		/* Case B: the window straddles two; this is the top of the older space. */
		if (!top_hi)
			return 0;
		top_hi--;
	}
	return (u64)top_hi << 32 | seq_lo;
}

u64 nfsec_replay_infer(const struct nfsec_replay *r, u32 seq_lo)
{
	return infer_at(r, r->top, seq_lo);
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_replay_infer);

/*
 * The first look at a packet that carries @seq_lo while packets before it are still in
 * crypto, their numbers at most *@ahead (0: none are): its number as the window is now
 * into *@seq, and *@ahead raised to the highest it can be once they have left. False
 * when they decide it: accepted, they move the window's top up to *@ahead, where an ESN
 * packet behind the window infers as the next block's. Its number is then to be inferred
 * again when they are gone, as a packet that came after them. (The inferred number rises
 * with the top: where two tops agree, every top between them does too.)
 */
bool nfsec_replay_infer_ahead(const struct nfsec_replay *r, u32 seq_lo, u64 *ahead, u64 *seq)
{
	u64 highest = infer_at(r, max(r->top, *ahead), seq_lo);

	*seq = nfsec_replay_infer(r, seq_lo);
	*ahead = max(*ahead, highest);
	return *seq == highest;
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_replay_infer_ahead);

enum nfsec_replay_verdict nfsec_replay_check(const struct nfsec_replay *r, u64 seq)
{
	if (!seq)
		return NFSEC_REPLAY_OLD;
	if (seq > r->top)
		return NFSEC_REPLAY_OK;
	if (r->top - seq >= r->size)
		return NFSEC_REPLAY_OLD;
	if (test_bit(seq & r->mask, r->bits))
		return NFSEC_REPLAY_DUP;
	return NFSEC_REPLAY_OK;
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_replay_check);

/* Clears the bits of the numbers from @from to @from + @count - 1, around the ring. */
static void clear_range(struct nfsec_replay *r, u64 from, u32 count)
{
	u32 start = from & r->mask, first = min(count, r->mask + 1 - start);

	bitmap_clear(r->bits, start, first);
	if (count > first)
		bitmap_clear(r->bits, 0, count - first);
}

/* Records @seq, which nfsec_replay_check() accepted, sliding the window if it is ahead. */
void nfsec_replay_advance(struct nfsec_replay *r, u64 seq)
{
	if (seq > r->top) {
		u64 ahead = seq - r->top;

		if (ahead > r->mask)
			bitmap_zero(r->bits, r->mask + 1);
		else
			clear_range(r, r->top + 1, ahead);
		r->top = seq;
	}
	__set_bit(seq & r->mask, r->bits);
}
EXPORT_SYMBOL_IF_NFSEC_KUNIT(nfsec_replay_advance);
