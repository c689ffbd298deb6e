/*
 * timing: the daemon's fixed waits, in one place.  Each has its
 * production value; the test suite shortens them through FEEDD_TEST_*
 * environment variables (test-only, listed in feedd.8), read once when
 * the daemon opens, so a test waits on events rather than on these.
 */
#ifndef FEEDD_TIMING_H
#define FEEDD_TIMING_H

#include <stdint.h>

struct timing {
	uint64_t stop_grace_ms;	/* a stop lets transfers finish this long */
	uint64_t flush_delay_ms; /* run: outputs rewritten at most this often */
	uint64_t flush_retry_ms; /* run: a failed flush's first retry */
	uint64_t low_speed_secs; /* under 64 B/s this long: transfer dropped */
	uint64_t serve_idle_secs; /* HTTP server: idle connection closed */
	uint64_t status_soon_ms; /* run: STATUS= refreshed this long after a change */
	uint64_t heartbeat_ms;	/* run: watchdog, /healthz beat, files checked */
};

/* The production values, or the FEEDD_TEST_* overrides that are set. */
void	 timing_load(struct timing *t);

#endif
