/*
 * test_timing: the daemon's fixed waits keep their production values
 * unless a test sets FEEDD_TEST_*; the rest of the suite runs with them
 * set (tests/helpers.c).
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "daemon/timing.h"

static void
unset_all(void)
{
	unsetenv("FEEDD_TEST_STOP_GRACE_MS");
	unsetenv("FEEDD_TEST_FLUSH_DELAY_MS");
	unsetenv("FEEDD_TEST_LOW_SPEED_SECS");
	unsetenv("FEEDD_TEST_SERVE_IDLE_SECS");
	unsetenv("FEEDD_TEST_STATUS_SOON_MS");
	unsetenv("FEEDD_TEST_FLUSH_RETRY_MS");
}

Test(timing, production_values_without_overrides)
{
	struct timing t;

	unset_all();
	timing_load(&t);
	cr_expect_eq(t.stop_grace_ms, 5000);
	cr_expect_eq(t.flush_delay_ms, 5000);
	cr_expect_eq(t.flush_retry_ms, 30000);
	cr_expect_eq(t.low_speed_secs, 10);
	cr_expect_eq(t.serve_idle_secs, 10);
	cr_expect_eq(t.status_soon_ms, 1000);
}

Test(timing, overrides_and_junk)
{
	struct timing t;

	unset_all();
	setenv("FEEDD_TEST_STOP_GRACE_MS", "300", 1);
	setenv("FEEDD_TEST_FLUSH_DELAY_MS", "-4", 1);	/* junk: default */
	setenv("FEEDD_TEST_LOW_SPEED_SECS", "2s", 1);	/* junk: default */
	setenv("FEEDD_TEST_SERVE_IDLE_SECS", "2", 1);
	setenv("FEEDD_TEST_STATUS_SOON_MS", "50", 1);
	setenv("FEEDD_TEST_FLUSH_RETRY_MS", "70", 1);
	timing_load(&t);
	cr_expect_eq(t.stop_grace_ms, 300);
	cr_expect_eq(t.flush_delay_ms, 5000);
	cr_expect_eq(t.low_speed_secs, 10);
	cr_expect_eq(t.serve_idle_secs, 2);
	cr_expect_eq(t.status_soon_ms, 50);
	cr_expect_eq(t.flush_retry_ms, 70);
}
