/*
 * test_pace: the step sizes of work cut into steps on the loop, against
 * a model of a step's cost: a fixed part plus a part per item.
 */
#include <criterion/criterion.h>

#include "daemon/pace.h"

#define MS	1000000LL

/* Runs a task of total items costing fixed + per_item * n ns a step;
 * the last full step's time in *last_ns.  Returns the steps taken. */
static int
run_task(struct pace *pc, int64_t total, int64_t fixed, int64_t per_item,
    int64_t *last_ns)
{
	int steps = 0;

	while (total > 0) {
		int64_t n = pc->step < total ? pc->step : total;
		int64_t ns = fixed + per_item * n;

		total -= n;
		if (total > 0)
			*last_ns = ns;
		pace_done(pc, ns, total > 0);
		steps++;
	}
	return steps;
}

/* A cheap fixed part: steps of about PACE_STEP_MS. */
Test(pace, steps_take_about_the_target_when_the_fixed_part_is_small)
{
	struct pace pc;
	int64_t last = 0;

	pace_init(&pc);
	run_task(&pc, 300000, 1 * MS, 10000, &last);
	cr_assert(last > 40 * MS && last < 60 * MS, "%lld ns a step",
	    (long long)last);
}

/*
 * A fixed part larger than the target (a broad prefix expanded at
 * every step): steps of twice it, so that it is at most half of the
 * task's time; steps of 50 ms would spend nearly all of it there.
 */
Test(pace, a_large_fixed_part_makes_steps_of_twice_it)
{
	struct pace pc;
	int64_t last = 0, total = 283000, fixed = 230 * MS, per = 10000;
	int steps;

	pace_init(&pc);
	steps = run_task(&pc, total, fixed, per, &last);
	cr_assert(last > 400 * MS && last < 520 * MS, "%lld ns a step",
	    (long long)last);
	/* about half the task's time, the first steps' and the probe's
	 * included; steps of PACE_MIN would make it 99% */
	cr_assert_leq((double)(steps * fixed), 0.6 * (double)(steps * fixed +
	    total * per), "%d steps: the fixed part outweighs the work",
	    steps);
}

/* F is measured with a step of one item after the first full step,
 * and again in the next task; a task the probe ended keeps its size. */
Test(pace, the_fixed_part_is_measured_once_a_task)
{
	struct pace pc;

	pace_init(&pc);
	cr_assert_eq(pc.step, PACE_FIRST);
	pace_done(&pc, 100 * MS, 1);
	cr_assert_eq(pc.step, 1, "the probe");
	pace_done(&pc, 20 * MS, 1);
	cr_assert_gt(pc.step, 1);
	cr_assert_eq(pc.fixed_ns, 20 * MS);
	pace_done(&pc, 50 * MS, 0);
	cr_assert_lt(pc.fixed_ns, 0, "the next task measures again");
	pace_done(&pc, 50 * MS, 1);
	cr_assert_eq(pc.step, 1);
	pace_done(&pc, 1 * MS, 0);
	cr_assert_gt(pc.step, 1, "the probe ended the task: size kept");
}
