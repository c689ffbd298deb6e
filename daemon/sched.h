/*
 * sched: when each feed is polled next.  A runq (binary heap) of
 * entries ordered by due time, one uv_timer_t armed for the earliest,
 * and the pure functions that turn an interval, a feed's cache hints
 * or an error streak into a delay.  Entries are embedded in the
 * caller's objects, so the runq allocates nothing per feed; the due
 * callback gets its object back with offsetof (see pipeline_due).
 */
#ifndef FEEDD_SCHED_H
#define FEEDD_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#define SCHED_DAY		(24 * 3600)
#define SCHED_HINT_FACTOR	4	/* hints stretch an interval at most 4x */

struct sched_entry {
	int64_t	 due;		/* wall-clock milliseconds */
	size_t	 pos;		/* heap slot + 1; 0 when not queued */
};

struct sched;
/* Called from the loop for each entry that fell due (already removed). */
typedef void (*sched_due_cb)(struct sched_entry *e, void *arg);

struct sched *sched_new(uv_loop_t *loop, sched_due_cb cb, void *arg);
/* Closes the timer; the memory goes in its close callback.  NULL ok. */
void	 sched_close(struct sched *s);

/* Queues e (or moves it) to fall due at due_ms; re-arms the timer. */
void	 sched_set(struct sched *s, struct sched_entry *e, int64_t due_ms);
void	 sched_remove(struct sched *s, struct sched_entry *e);
size_t	 sched_pending(const struct sched *s);
/* The earliest queued due time (wall-clock ms); -1 when none is queued. */
int64_t	 sched_next_due(const struct sched *s);
/* Stops firing (shutdown); entries stay queued. */
void	 sched_pause(struct sched *s);

/* The pure runq, without the loop: what tests drive. */
struct runq {
	struct sched_entry **heap;
	size_t	 n, cap;
};
void	 runq_init(struct runq *q);
void	 runq_cleanup(struct runq *q);
void	 runq_set(struct runq *q, struct sched_entry *e, int64_t due_ms);
void	 runq_remove(struct runq *q, struct sched_entry *e);
struct sched_entry *runq_peek(const struct runq *q);
/* Removes and returns the earliest entry due at or before now; NULL if none. */
struct sched_entry *runq_pop_due(struct runq *q, int64_t now_ms);

/* Current wall clock in milliseconds. */
int64_t	 sched_now_ms(void);
/* Next value of a caller-held xorshift state (never 0 after seeding). */
uint64_t sched_rand(uint64_t *state);

/*
 * Seconds until the next poll of a healthy feed: interval, stretched to
 * the feed's hint (ttl, max-age, Expires; <= 0 for none) but never below
 * the interval nor above max(interval, min(4 x interval, 24 h)); then
 * +-10% jitter drawn from rnd.
 */
int64_t	 sched_next_interval(int64_t interval, int64_t hint, uint64_t rnd);
/*
 * Seconds until the retry of a feed after `errors` consecutive errors
 * (>= 1): interval x 2^errors, +-10% jitter, capped at 24 h (or at the
 * interval when that is longer).  errors <= 0 is a healthy feed:
 * sched_next_interval without hint.
 */
/*
 * When a feed saved with next_due is due now that its interval is
 * interval: never later than last_fetch + interval (a lowered interval
 * takes effect at once), unless the server or backoff set next_due
 * (by_server).  0 when never fetched (due now).
 */
int64_t	 sched_due(int64_t next_due, int64_t last_fetch, int64_t interval,
	    int by_server);
int64_t	 sched_backoff(int errors, int64_t interval, uint64_t rnd);

#endif
