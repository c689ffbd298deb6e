/*
 * feedd: the daemon's context: its top-level handles (the loop, the
 * config, the store, the fetcher, the scheduler, the pipeline, the alert
 * log, the outputs, the HTTP server, the metrics, the signal and
 * housekeeping timers) and the configured feeds' states.  feedd.c runs
 * its lifetime (open, signals, reload, stop); the pipeline (pipeline.h)
 * owns what happens to a feed from fetch to outputs.
 */
#ifndef FEEDD_FEEDD_H
#define FEEDD_FEEDD_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "config/config.h"
#include "daemon/fetch.h"
#include "daemon/sched.h"
#include "daemon/timing.h"
#include "storage/store.h"

enum feedd_mode {
	FEEDD_ONCE,		/* every feed now, then exit */
	FEEDD_RUN,		/* on schedule until SIGTERM */
};

/* What a feed counts as in the metrics, kept as results come in. */
enum feed_health {
	FEED_UNKNOWN,		/* never fetched, or removed */
	FEED_OK,
	FEED_FAILING,		/* its own fault: error streak > 0 */
	FEED_GONE,		/* 410: no longer polled */
	FEED_NHEALTH
};

/*
 * One configured feed as the scheduler sees it, kept as long as it is
 * configured: small (56 bytes, a 64-byte malloc chunk; with the hash
 * as 17 characters it took 80), since 100,000 of them must fit.
 */
struct feed_state {
	struct sched_entry ent;
	/* the config's strings (d->cfg); copies once a reload removed the
	 * feed in flight, which outlives that config (owned) */
	const char *name;
	const char *url;
	int64_t	 interval;		/* seconds */
	uint64_t body_hash;		/* of the last 200 body stored, when
					 * has_body_hash (feeds.body_hash) */
	unsigned char health;		/* enum feed_health, counted in
					 * feedd.nhealth */
	unsigned int in_flight : 1;	/* fetched or parsed now */
	unsigned int first_body : 1;	/* never stored: index all of it */
	unsigned int deferred : 1;	/* failure waiting for the batch's verdict */
	unsigned int removed : 1;	/* gone from the config; freed when idle */
	unsigned int mark : 1;		/* reload: still configured */
	unsigned int owned : 1;		/* name and url are copies */
	unsigned int has_body_hash : 1;
};
_Static_assert(sizeof(struct feed_state) <= 56,
    "a feed's state fits glibc's 64-byte chunk");

struct feedd {
	uv_loop_t	 loop;
	enum feedd_mode	 mode;
	char		*config_path;
	struct config	*cfg;
	struct store	*st;
	struct fetcher	*fetcher;
	struct sched	*sched;
	struct pipeline	*pipe;
	struct alert_log *alog;
	struct output	*out;
	struct server	*srv;
	struct metrics	*metrics;
	int		 lock_fd;	/* flock'd DATABASE.lock; -1 none */
	struct timing	 timing;	/* the fixed waits (tests shorten) */

	struct feed_state **feeds;	/* sorted by name */
	size_t		 nfeeds;

	uv_signal_t	 sig_term, sig_int, sig_hup;
	uv_timer_t	 flush_timer;	/* outputs + alert log, coalesced */
	uv_timer_t	 prune_timer;	/* retention, hourly */
	uv_timer_t	 heartbeat_timer;	/* watchdog, /healthz */
	uv_timer_t	 stop_timer;	/* aborts transfers late in a stop */
	uv_timer_t	 status_timer;	/* status.c: refreshes STATUS= */
	int		 status_soon;	/* a refresh is on its way */
	char		 status_line[256];	/* the STATUS= last sent */

	int		 watched;	/* by systemd's watchdog */
	int		 stopping;
	int		 lost_ground;	/* stopped: its database or lock moved
					 * (exit 1) */
	int		 closed;
	int		 progress;	/* `once` on a terminal */
	int		 nhealth[FEED_NHEALTH];	/* feeds in each state */
};

/*
 * Loads the config, opens the store and everything else.  Returns an
 * exit status: 0, EXIT_RUNTIME (store), EXIT_USAGE (config; each error
 * printed as FILE:LINE).  On failure d is closed already.
 */
int	 feedd_open(struct feedd *d, const char *config_path,
	    enum feedd_mode mode);
/* Starts the feeds (all now, or on schedule) and runs the loop until done. */
void	 feedd_main(struct feedd *d);
/* Frees everything feedd_open made (after feedd_main returned). */
void	 feedd_close(struct feedd *d);
/* Stops starting transfers; finishes (or after 5 s aborts) the rest. */
void	 feedd_stop(struct feedd *d);
/* SIGHUP: a complete new config or the old one kept. */
void	 feedd_reload(struct feedd *d);
/* Runs the batch-end work (flush, stop when done) in ms milliseconds. */
void	 feedd_flush_soon(struct feedd *d, uint64_t ms);
/*
 * A timer's callback that restarts it to go on at the loop's next turn
 * waits this long: libuv before 1.48 (Debian 12 has 1.44) runs a timer
 * restarted at 0 from its own callback again in the same turn, so a
 * task cut into steps ran every step before any I/O or the watchdog.
 */
#define NEXT_TURN_MS	1
/* Stops the daemon (exit 1) when its database file or lock file is no
 * longer the one its path names; 0 when they still are. */
int	 feedd_check_ground(struct feedd *d);
/*
 * Opens the configured alert log when it is not open (it could not be
 * before: a folder, permissions): 0 when it is, or none is configured;
 * -1 with *errstr.
 */
int	 feedd_alert_log(struct feedd *d, char **errstr);
/* Finds a feed state by name; NULL when absent. */
struct feed_state *feedd_find_feed(struct feedd *d, const char *name);
/* Fetch options from a config. */
void	 feedd_fetch_opts(const struct feedd *d, const struct config *cfg,
	    struct fetch_opts *o);

/* Moves fs to health h in the counts. */
void	 feedd_set_health(struct feedd *d, struct feed_state *fs,
	    enum feed_health h);
/* The health a saved feed row says (for feeds not fetched yet). */
enum feed_health feed_row_health(const struct feed_row *row);
void	 feed_state_free(struct feed_state *fs);		/* NULL ok */

#endif
