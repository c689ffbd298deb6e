/*
 * timing: production waits and their test-only overrides (timing.h).
 */
#include <stdlib.h>

#include "daemon/timing.h"

#define STOP_GRACE_MS	5000
#define FLUSH_DELAY_MS	5000
#define FLUSH_RETRY_MS	30000
#define LOW_SPEED_SECS	10
#define SERVE_IDLE_SECS	10
#define STATUS_SOON_MS	1000

/* $name as a positive number, else dflt. */
static long long
env_num(const char *name, long long dflt)
{
	const char *v = getenv(name);
	char	*end;
	long long n;

	if (v == NULL || *v == '\0')
		return dflt;
	n = strtoll(v, &end, 10);
	return *end == '\0' && n > 0 ? n : dflt;
}

void
timing_load(struct timing *t)
{
	t->stop_grace_ms = (uint64_t)env_num("FEEDD_TEST_STOP_GRACE_MS",
	    STOP_GRACE_MS);
	t->flush_delay_ms = (uint64_t)env_num("FEEDD_TEST_FLUSH_DELAY_MS",
	    FLUSH_DELAY_MS);
	t->flush_retry_ms = (uint64_t)env_num("FEEDD_TEST_FLUSH_RETRY_MS",
	    FLUSH_RETRY_MS);
	t->low_speed_secs = (long)env_num("FEEDD_TEST_LOW_SPEED_SECS",
	    LOW_SPEED_SECS);
	t->serve_idle_secs = (unsigned)env_num("FEEDD_TEST_SERVE_IDLE_SECS",
	    SERVE_IDLE_SECS);
	t->status_soon_ms = (uint64_t)env_num("FEEDD_TEST_STATUS_SOON_MS",
	    STATUS_SOON_MS);
}
