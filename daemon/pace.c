/*
 * pace: the size of the next step of a task cut into steps on the
 * loop, from the time the last ones took (see pace.h).
 */
#include "daemon/pace.h"

#define MS	1000000LL

void
pace_init(struct pace *pc)
{
	pc->step = PACE_FIRST;
	pc->fixed_ns = -1;
	pc->sized_step = 0;
	pc->sized_ns = 0;
}

static int64_t
clamp(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Items that make a step of about the target, at per_item ns each. */
static int64_t
sized(const struct pace *pc, double per_item)
{
	int64_t target = PACE_STEP_MS * MS;

	if (2 * pc->fixed_ns > target)
		target = 2 * pc->fixed_ns;
	if (per_item < 1)
		per_item = 1;
	return (int64_t)((double)(target - pc->fixed_ns) / per_item);
}

void
pace_done(struct pace *pc, int64_t ns, int more)
{
	int64_t last = pc->step;

	if (!more) {
		if (pc->fixed_ns < 0 && last == 1)	/* the probe ended it */
			pc->step = pc->sized_step;
		pc->fixed_ns = -1;
		return;
	}
	if (pc->fixed_ns < 0 && last > 1) {
		/* measure F: the next step takes one item */
		pc->sized_step = last;
		pc->sized_ns = ns;
		pc->step = 1;
		return;
	}
	if (pc->fixed_ns < 0) {
		pc->fixed_ns = ns;
		last = pc->sized_step;
		ns = pc->sized_ns;
	}
	/* within a factor of four of the last, as the items' cost varies */
	pc->step = clamp(sized(pc, (double)(ns - pc->fixed_ns) /
	    (double)last), last / 4, last * 4);
	pc->step = clamp(pc->step, PACE_MIN, PACE_MAX);
}
