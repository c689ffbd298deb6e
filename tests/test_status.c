/*
 * test_status: the STATUS= line's text (status_format): every figure
 * the issue asks for, singular and plural, feeds gone or never polled,
 * a poll in progress, and the next poll today or on another day.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <time.h>

#include "daemon/status.h"

static void
utc(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
}

/* 2026-12-03 09:00:00 UTC */
#define NOW ((time_t)1796288400)

static const char *
line(const struct status_figures *f)
{
	static char buf[256];

	status_format(buf, sizeof(buf), f, NOW);
	return buf;
}

Test(status, all_figures_at_a_glance, .init = utc)
{
	struct status_figures f = { .feeds = 7, .ok = 6, .failing = 1,
	    .items = 240, .alerts = 3, .next_poll = NOW + 3909 };

	cr_assert_str_eq(line(&f), "7 feeds: 6 ok, 1 failing; 240 items and "
	    "3 alerts in 24 h; next poll 10:05:09");
}

Test(status, singular_and_zero, .init = utc)
{
	struct status_figures f = { .feeds = 1, .ok = 1, .items = 1,
	    .alerts = 1, .next_poll = NOW + 60 };

	cr_assert_str_eq(line(&f), "1 feed: 1 ok, 0 failing; 1 item and "
	    "1 alert in 24 h; next poll 09:01:00");
	f.items = f.alerts = 0;
	cr_assert_str_eq(line(&f), "1 feed: 1 ok, 0 failing; 0 items and "
	    "0 alerts in 24 h; next poll 09:01:00");
}

Test(status, gone_and_never_polled_feeds_are_named, .init = utc)
{
	struct status_figures f = { .feeds = 10, .ok = 5, .failing = 2,
	    .gone = 1, .items = 9, .alerts = 0, .next_poll = NOW };

	cr_assert_str_eq(line(&f), "10 feeds: 5 ok, 2 failing, 1 gone, "
	    "2 not polled yet; 9 items and 0 alerts in 24 h; next poll 09:00:00");
}

Test(status, polling_in_progress, .init = utc)
{
	struct status_figures f = { .feeds = 3, .ok = 3, .items = 4,
	    .alerts = 2, .polling = 2, .next_poll = NOW + 10 };

	cr_assert_str_eq(line(&f), "3 feeds: 3 ok, 0 failing; 4 items and "
	    "2 alerts in 24 h; polling 2 feeds");
}

Test(status, next_poll_on_another_day_names_the_day, .init = utc)
{
	struct status_figures f = { .feeds = 2, .ok = 0, .failing = 2,
	    .next_poll = NOW + 20 * 3600 };

	cr_assert_str_eq(line(&f), "2 feeds: 0 ok, 2 failing; 0 items and "
	    "0 alerts in 24 h; next poll Dec 04 05:00");
}

Test(status, overdue_poll_reads_as_now_and_none_queued, .init = utc)
{
	struct status_figures f = { .feeds = 2, .ok = 2, .next_poll = NOW - 30 };

	cr_assert_str_eq(line(&f), "2 feeds: 2 ok, 0 failing; 0 items and "
	    "0 alerts in 24 h; next poll 09:00:00");
	f.next_poll = 0;
	f.feeds = f.ok = 0;
	cr_assert_str_eq(line(&f), "0 feeds: 0 ok, 0 failing; 0 items and "
	    "0 alerts in 24 h; no poll scheduled");
}

Test(status, unknown_counts_show_a_question_mark, .init = utc)
{
	struct status_figures f = { .feeds = 1, .ok = 1, .items = -1,
	    .alerts = -1, .next_poll = NOW + 1 };

	cr_assert_str_eq(line(&f), "1 feed: 1 ok, 0 failing; ? items and "
	    "? alerts in 24 h; next poll 09:00:01");
}
