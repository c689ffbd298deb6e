/*
 * timing: production waits and their test-only overrides (timing.h).
 */
#include <stddef.h>
#include <stdlib.h>

#include "daemon/timing.h"

/* One wait: its override's name (after FEEDD_TEST_), value, field. */
struct wait {
	const char *env;
	uint64_t value;
	size_t	 field;
};

#define WAIT(env, value, field) \
	{ "FEEDD_TEST_" env, value, offsetof(struct timing, field) }

static const struct wait waits[] = {
	WAIT("STOP_GRACE_MS", 5000, stop_grace_ms),
	WAIT("FLUSH_DELAY_MS", 5000, flush_delay_ms),
	WAIT("FLUSH_RETRY_MS", 30000, flush_retry_ms),
	WAIT("LOW_SPEED_SECS", 10, low_speed_secs),
	WAIT("SERVE_IDLE_SECS", 10, serve_idle_secs),
	WAIT("STATUS_SOON_MS", 1000, status_soon_ms),
	WAIT("HEARTBEAT_MS", 10000, heartbeat_ms),
};

/* $name as a positive number, else dflt. */
static uint64_t
env_num(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);
	char	*end;
	long long n;

	if (v == NULL || *v == '\0')
		return dflt;
	n = strtoll(v, &end, 10);
	return *end == '\0' && n > 0 ? (uint64_t)n : dflt;
}

void
timing_load(struct timing *t)
{
	for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++)
		*(uint64_t *)((char *)t + waits[i].field) =
		    env_num(waits[i].env, waits[i].value);
}
