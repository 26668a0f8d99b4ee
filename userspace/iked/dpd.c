// SPDX-License-Identifier: GPL-2.0
/* Dead peer detection's state machine: see dpd.h. */

#include "dpd.h"

void dpd_start(struct dpd *d, const struct tunnel *conf, uint64_t now_ms, uint32_t seq,
	       uint64_t in, uint64_t out)
{
	*d = (struct dpd){
		.delay_ms = conf->dpd * 1000,
		.timeout_ms = conf->dpd_timeout * 1000,
		.periodic = conf->dpd_periodic,
		.heard_ms = now_ms,
		.seq = seq,
		.in = in,
		.out = out,
	};
}

/* The question stays open until its answer or the next tick: an ACK on its way counts. */
void dpd_heard(struct dpd *d, uint64_t now_ms)
{
	d->heard_ms = now_ms;
}

bool dpd_ack(struct dpd *d, uint32_t seq, uint64_t now_ms)
{
	/* first..seq, counted modulo 2^32 as the numbers wrap */
	if (!d->asked_ms || seq - d->first > d->seq - d->first)
		return false;
	d->heard_ms = now_ms;
	d->asked_ms = 0;
	return true;
}

enum dpd_verdict dpd_tick(struct dpd *d, uint64_t now_ms, uint64_t in, uint64_t out)
{
	bool sent = out != d->out;

	if (in != d->in)
		dpd_heard(d, now_ms);
	d->in = in;
	d->out = out;
	if (d->asked_ms && d->heard_ms >= d->asked_ms)
		d->asked_ms = 0;		/* alive since it was asked */
	if (d->asked_ms) {
		if (now_ms - d->asked_ms >= d->timeout_ms)
			return DPD_DEAD;
		d->seq++;
		return DPD_ASK;
	}
	if (now_ms - d->heard_ms < d->delay_ms || (!d->periodic && !sent))
		return DPD_WAIT;
	d->asked_ms = now_ms;
	d->first = ++d->seq;
	return DPD_ASK;
}

uint64_t dpd_next_ms(const struct dpd *d)
{
	if (d->asked_ms && d->delay_ms > DPD_RETRY_MS)
		return DPD_RETRY_MS;
	return d->delay_ms;
}

uint32_t dpd_silent_s(const struct dpd *d, uint64_t now_ms)
{
	return (uint32_t)((now_ms - (d->asked_ms ? d->asked_ms : d->heard_ms)) / 1000);
}
