/*
 * status: the line `systemctl status feedd` shows (sd_notify STATUS=):
 * feeds total, ok and failing; items stored and alerts written in the
 * last 24 h; the next poll.  Built from the feed health counts, the
 * scheduler and the database, so it is true from the first second of
 * a run, before any feed is polled.
 */
#ifndef FEEDD_STATUS_H
#define FEEDD_STATUS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct feedd;

#define STATUS_WINDOW	(24 * 3600)	/* seconds the item/alert counts cover */

struct status_figures {
	int	 feeds;			/* configured */
	int	 ok, failing, gone;	/* the rest were never polled */
	int64_t	 items, alerts;		/* in STATUS_WINDOW; -1 unknown */
	int	 polling;		/* transfers in flight or queued */
	int64_t	 next_poll;		/* Unix seconds; 0: none queued */
};

/*
 * The line for f, at now (local time), e.g.
 * "7 feeds: 6 ok, 1 failing; 240 items and 3 alerts in 24 h; next poll 14:05:09".
 */
void	 status_format(char *buf, size_t n, const struct status_figures *f,
	    time_t now);
/* run: gathers the figures and sends the line when it changed. */
void	 status_update(struct feedd *d);
/* run: status_update within a second, once for many calls. */
void	 status_soon(struct feedd *d);
/* run: starts the refresh timer (the 24 h window moves) and sends the line. */
void	 status_start(struct feedd *d);

#endif
