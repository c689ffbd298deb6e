/*
 * metrics: placeholder until the real counters land.
 */
#include <stdlib.h>

#include "daemon/metrics.h"
#include "daemon/xmalloc.h"

struct metrics {
	int	 unused;
};

struct metrics *
metrics_new(void)
{
	return xcalloc(1, sizeof(struct metrics));
}

void
metrics_free(struct metrics *m)
{
	free(m);
}

void
metrics_fetch_done(struct metrics *m, enum fetch_outcome outcome,
    double seconds)
{
	(void)m; (void)outcome; (void)seconds;
}

void
metrics_items_stored(struct metrics *m, int n)
{
	(void)m; (void)n;
}

void
metrics_alert_fired(struct metrics *m, const char *rule)
{
	(void)m; (void)rule;
}

void
metrics_feed_states(struct metrics *m, int ok, int failing, int gone)
{
	(void)m; (void)ok; (void)failing; (void)gone;
}

void
metrics_cycle_done(struct metrics *m, int64_t when)
{
	(void)m; (void)when;
}

int
metrics_render(struct metrics *m, struct buf *out)
{
	(void)m;
	return buf_puts(out, "# metrics: not built yet\n");
}
