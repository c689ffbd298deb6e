/*
 * metrics: counters the daemon keeps for /metrics (Prometheus text).
 * Safe to update from the loop while the HTTP server thread renders.
 */
#ifndef FEEDD_METRICS_H
#define FEEDD_METRICS_H

#include <stdint.h>

#include "daemon/fetch.h"
#include "util/buf.h"

struct metrics;

struct metrics *metrics_new(void);
void	 metrics_free(struct metrics *m);		/* NULL ok */
void	 metrics_fetch_done(struct metrics *m, enum fetch_outcome outcome,
	    double seconds);
void	 metrics_items_stored(struct metrics *m, int n);
void	 metrics_alert_fired(struct metrics *m, const char *rule);
void	 metrics_feed_states(struct metrics *m, int ok, int failing, int gone);
void	 metrics_cycle_done(struct metrics *m, int64_t when);
/*
 * The loop's heartbeat, for /healthz (the HTTP server runs on a thread
 * of its own and answers even when the loop is stuck).  Times are
 * milliseconds of one monotonic clock; a new struct counts as a beat.
 */
void	 metrics_loop_beat(struct metrics *m, int64_t now_ms);
/* Whether the database file was found damaged (store_damaged), for
 * /healthz and feedd_database_damaged. */
void	 metrics_database_damaged(struct metrics *m, int damaged);

/* What /healthz answers from. */
struct metrics_health {
	int64_t	 silence_ms;		/* since the loop's last beat */
	int	 database_damaged;
};
void	 metrics_health(struct metrics *m, int64_t now_ms,
	    struct metrics_health *h);
/* Appends the Prometheus text exposition; 0 or -1. */
int	 metrics_render(struct metrics *m, struct buf *out);

#endif
