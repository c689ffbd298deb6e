/*
 * test_sched: the scheduler's pure parts: error backoff (growth, cap,
 * jitter, reset), the next-due interval with cache hints and its
 * bounds, the runq's ordering, and the timer on a real loop.
 */
#include <criterion/criterion.h>
#include <stdint.h>

#include "daemon/feedd.h"
#include "daemon/sched.h"

#define H 3600

Test(sched, backoff_grows_and_is_capped_at_a_day)
{
	int64_t prev = 0;

	/* rnd % 201 == 100 means no jitter at all */
	for (int e = 1; e <= 6; e++) {
		int64_t d = sched_backoff(e, 600, 100);

		cr_assert_eq(d, 600LL << e, "errors %d: %lld", e, (long long)d);
		cr_assert_gt(d, prev);
		prev = d;
	}
	cr_assert_eq(sched_backoff(8, 600, 100), 24 * H);	/* 600*256 > 1 day */
	cr_assert_eq(sched_backoff(50, 600, 100), 24 * H);
	cr_assert_eq(sched_backoff(1000, 1800, 0), 24 * H * 9 / 10);
}

Test(sched, backoff_jitter_stays_within_ten_percent)
{
	uint64_t st = 42;

	for (int i = 0; i < 2000; i++) {
		int64_t d = sched_backoff(3, 1000, sched_rand(&st));

		cr_assert_geq(d, 7200);		/* 8000 - 10% */
		cr_assert_leq(d, 8800);		/* 8000 + 10% */
	}
	for (int i = 0; i < 2000; i++)
		cr_assert_leq(sched_backoff(30, 1000, sched_rand(&st)), 24 * H);
}

Test(sched, backoff_reset_is_the_plain_interval)
{
	cr_assert_eq(sched_backoff(0, 1800, 100), 1800);
	cr_assert_eq(sched_backoff(-1, 1800, 100), 1800);
}

Test(sched, interval_longer_than_a_day_is_its_own_cap)
{
	cr_assert_eq(sched_backoff(5, 2 * 24 * H, 100), 2 * 24 * H);
}

Test(sched, hints_stretch_within_bounds)
{
	/* no hint, or one shorter than the interval: the interval */
	cr_assert_eq(sched_next_interval(1800, -1, 100), 1800);
	cr_assert_eq(sched_next_interval(1800, 60, 100), 1800);
	/* a longer hint stretches ... */
	cr_assert_eq(sched_next_interval(1800, 3600, 100), 3600);
	/* ... up to four times the interval */
	cr_assert_eq(sched_next_interval(1800, 10 * H, 100), 4 * 1800);
	/* ... and never beyond a day */
	cr_assert_eq(sched_next_interval(12 * H, 7 * 24 * H, 100), 24 * H);
	/* an interval above a day stays as configured */
	cr_assert_eq(sched_next_interval(48 * H, 7 * 24 * H, 100), 48 * H);
}

Test(sched, interval_jitter_is_ten_percent_both_ways)
{
	uint64_t st = 7;
	int below = 0, above = 0;

	for (int i = 0; i < 2000; i++) {
		int64_t d = sched_next_interval(1000, 0, sched_rand(&st));

		cr_assert_geq(d, 900);
		cr_assert_leq(d, 1100);
		below += d < 1000;
		above += d > 1000;
	}
	cr_assert(below > 100 && above > 100, "jitter spreads both ways");
}

Test(sched, runq_pops_in_due_order)
{
	struct sched_entry e[6];
	int64_t due[6] = { 50, 10, 40, 30, 20, 60 };
	struct runq q;
	int64_t last = 0;

	runq_init(&q);
	for (int i = 0; i < 6; i++) {
		e[i].pos = 0;
		runq_set(&q, &e[i], due[i]);
	}
	runq_set(&q, &e[5], 5);		/* move one to the front */
	runq_remove(&q, &e[2]);		/* and take one out */
	cr_assert_eq(runq_pop_due(&q, 4), NULL, "nothing due before 5");
	for (int n = 0; n < 5; n++) {
		struct sched_entry *x = runq_pop_due(&q, 1000);

		cr_assert_not_null(x);
		cr_assert_geq(x->due, last);
		cr_assert_neq(x, &e[2]);
		cr_assert_eq(x->pos, 0);
		last = x->due;
	}
	cr_assert_eq(runq_peek(&q), NULL);
	cr_assert_eq(e[5].due, 5);
	runq_cleanup(&q);
}

Test(sched, runq_keeps_heap_order_under_churn)
{
	enum { N = 500 };
	static struct sched_entry e[N];
	struct runq q;
	uint64_t st = 99;
	int64_t last = INT64_MIN;

	runq_init(&q);
	for (int i = 0; i < N; i++)
		runq_set(&q, &e[i], (int64_t)(sched_rand(&st) % 10000));
	for (int i = 0; i < N; i += 3)
		runq_set(&q, &e[i], (int64_t)(sched_rand(&st) % 10000));
	for (int i = 1; i < N; i += 7)
		runq_remove(&q, &e[i]);
	while (runq_peek(&q)) {
		struct sched_entry *x = runq_pop_due(&q, INT64_MAX);

		cr_assert_geq(x->due, last);
		last = x->due;
	}
	runq_cleanup(&q);
}

struct fired {
	struct sched_entry *order[3];
	int n;
};

static void
on_due(struct sched_entry *e, void *arg)
{
	struct fired *f = arg;

	f->order[f->n++] = e;
}

Test(sched, one_timer_fires_entries_in_order_and_loop_closes)
{
	uv_loop_t loop;
	struct sched_entry a = { 0, 0 }, b = { 0, 0 }, c = { 0, 0 };
	struct fired f = { { NULL }, 0 };
	struct sched *s;
	int64_t now = sched_now_ms();

	cr_assert_eq(uv_loop_init(&loop), 0);
	s = sched_new(&loop, on_due, &f);
	sched_set(s, &a, now + 60);
	sched_set(s, &b, now + 20);
	sched_set(s, &c, now + 40);
	cr_assert_eq(sched_pending(s), 3);
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert_eq(f.n, 3);
	cr_assert(f.order[0] == &b && f.order[1] == &c && f.order[2] == &a);
	sched_close(s);
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert_eq(uv_loop_close(&loop), 0);
}

/* A lowered interval takes effect at once, unless the server said later. */
Test(sched, due_is_never_past_last_fetch_plus_the_interval)
{
	cr_assert_eq(sched_due(0, 0, 60, 0), 0, "never fetched: due now");
	cr_assert_eq(sched_due(1000 + 1800, 1000, 60, 0), 1060);
	cr_assert_eq(sched_due(1000 + 30, 1000, 60, 0), 1030, "earlier stays");
	cr_assert_eq(sched_due(1000 + 3600, 1000, 60, 1), 4600,
	    "Retry-After, max-age or backoff keep theirs");
}

static void
restart_next_turn(uv_timer_t *t)
{
	int *runs = t->data;

	if (++*runs < 100)	/* bounded, should the loop not yield */
		uv_timer_start(t, restart_next_turn, NEXT_TURN_MS, 0);
}

/*
 * A task cut into steps (alert matching, retention) restarts its timer
 * from its callback to go on at the next turn.  libuv before 1.48 runs
 * a timer restarted at 0 again in the same turn, every step before any
 * I/O or the watchdog: NEXT_TURN_MS must give the loop its turn.
 */
Test(sched, a_timer_restarted_from_its_callback_waits_a_turn)
{
	uv_loop_t loop;
	uv_timer_t t;
	int runs = 0;

	cr_assert_eq(uv_loop_init(&loop), 0);
	uv_timer_init(&loop, &t);
	t.data = &runs;
	uv_timer_start(&t, restart_next_turn, 0, 0);
	uv_run(&loop, UV_RUN_NOWAIT);
	cr_assert_eq(runs, 1, "%d runs in one turn", runs);
	uv_close((uv_handle_t *)&t, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert_eq(uv_loop_close(&loop), 0);
}
