/*
 * pipeline: what happens to a feed between the scheduler and the
 * outputs, stage by stage (file, thread):
 *
 *   pipeline_start  queues the feed for fetch.c             loop
 *   pipeline_fetch_req  as it starts: its validators
 *                   from the store                         loop
 *   fetch.c         the HTTP transfer                      loop (curl multi)
 *   parse_work      body -> feed_doc (feeds/parse.c), then
 *                   store_prepare_doc (keys, index text)   libuv worker pool
 *   save_result     store the document, save the feed's
 *                   state, reschedule it                   loop
 *   pipeline_flush  commit, alert rules, alert log,
 *                   Atom/JSON outputs                      loop
 *
 * The pipeline owns what those stages share: the open store batch, the
 * network-failure verdicts (a DNS/connect failure is judged at the end
 * of its batch: when no server answered, our network is down and the
 * feed is not blamed), the flush policy (outputs at most every few
 * seconds while busy) and the figures of the current cycle.  It uses
 * the daemon's top-level handles (store, config, scheduler, fetcher,
 * metrics, alert log, outputs) and never frees them.
 */
#ifndef FEEDD_PIPELINE_H
#define FEEDD_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/fetch.h"
#include "daemon/sched.h"

struct feedd;
struct feed_state;
struct pipeline;

/*
 * What bodies and the documents made of them may take at once
 * (fetch_opts.body_budget): 16 MB, past which the fetcher starts no
 * new transfer while one is in flight.  A realistic feed's document is
 * some 200 KB; 32 feeds of 10 MB (max_size) each peaked at 1.2 GB
 * without it.
 */
#define PIPELINE_BODY_BUDGET	((size_t)16 << 20)

/* Figures of the current `once` run, or the last cycle of `run`. */
struct cycle {
	int	 total, done;
	int	 ok, not_modified, failed;
	int	 held;		/* not asked: their host's Retry-After */
	int	 new_items;
	int	 not_stored;	/* feeds whose results a failed write lost */
	int	 outputs_failed;	/* an output or the alert log not written */
};

struct pipeline *pipeline_new(struct feedd *d);
/* Commits what is open and closes the pipeline's handles. */
void	 pipeline_close(struct pipeline *p);
/* A stop's grace is over: the bodies no parse has begun are dropped
 * (fetched again next time), as aborted transfers are; parses already
 * running end, and what was parsed is stored. */
void	 pipeline_abandon(struct pipeline *p);
/* After the loop has run out (parses and handles done). NULL ok. */
void	 pipeline_free(struct pipeline *p);

/* Queues a fetch of fs now. */
void	 pipeline_start(struct pipeline *p, struct feed_state *fs);
/* sched's due callback (arg: the pipeline). */
void	 pipeline_due(struct sched_entry *e, void *arg);
/* fetch's req callback (cbarg: the pipeline, arg: the feed_state). */
int	 pipeline_fetch_req(void *arg, struct fetch_req *req, void *cbarg);
/* fetch's done callback (arg: the pipeline). */
void	 pipeline_fetch_done(struct fetch_result *res, void *arg);
/* Feeds being fetched or parsed. */
size_t	 pipeline_busy(const struct pipeline *p);

/* End of a batch (nothing busy): deferred connect failures get their
 * verdict. */
void	 pipeline_batch_end(struct pipeline *p);
/* Commits, runs the alert rules, writes the alert log and, when
 * anything changed, the outputs. */
void	 pipeline_flush(struct pipeline *p);
/* What the outputs show changed outside the pipeline (prune), or may
 * have (reload: output_forget). */
void	 pipeline_outputs_stale(struct pipeline *p, int reloaded);

const struct cycle *pipeline_cycle(const struct pipeline *p);
void	 pipeline_cycle_reset(struct pipeline *p);

#endif
