/*
 * pipeline: a finished fetch becomes stored items, feed state and
 * alerts; see pipeline.h for the stages and what this file owns.
 * Outputs and the alert log are written once per batch, not per feed.
 */
#include <malloc.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "daemon/alert.h"
#include "daemon/feedd.h"
#include "daemon/metrics.h"
#include "daemon/output.h"
#include "daemon/pace.h"
#include "daemon/pipeline.h"
#include "daemon/status.h"
#include "feeds/coding.h"
#include "feeds/date.h"
#include "feeds/parse.h"
#include "storage/store.h"
#include "util/hash.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define PARSE_BACKLOG	16	/* bodies parsing or waiting to */
/*
 * A parsed document and its prep take about this many bytes for each
 * byte of the (decoded) body: a 9.8 MB feed of 56,578 short items took
 * 37 MB, a feed of the realistic corpus some 2.5 times its size.
 */
#define DOC_BYTES_PER_BYTE	4
#define BODY_FREED_EARLY	(1 << 20)	/* parse_work */
#define BATCH_FEEDS	1600	/* fetched feeds per store commit ... */
#define BATCH_ITEMS	8000	/* ... or new items ... */
#define BATCH_MS	1000	/* ... or this long after the first (once) */
#define BLAME_WINDOW_MS	(15 * 60 * 1000)	/* a server answered lately */
#define TRIM_MS		1000	/* free memory back at most this often */
#define FLUSH_RETRY_MAX_MS (10 * 60 * 1000) /* a failed flush: longest wait */

/*
 * One fetch on its way through the pipeline: the HTTP result and, for a
 * body, what the parse made of it.
 */
struct result {
	struct pipeline	*p;
	struct feed_state *fs;
	struct fetch_result *http;	/* its outcome and error become the
					 * parser's when the body is no feed */
	int		 prep_flags;	/* a first body: PREP_BODIES, and
					 * PREP_HEADLINES with grouping on */
	int64_t		 max_size;	/* bound on the document once decoded */
	uint64_t	 prev_hash;	/* the body stored last time's, */
	int		 has_prev_hash;	/* when there is one */
	char		 body_hash[17];	/* this body's, or "" */
	struct feed_doc	*doc;
	struct store_prep *prep;
	size_t		 held_bytes;	/* its share of doc_bytes */
	size_t		 parsed_bytes;	/* the worker's guess at doc and
					 * prep (DOC_BYTES_PER_BYTE) */
	uv_work_t	 work;
	int		 abandoned;	/* a stop's grace ended before its
					 * parse began (pipeline_abandon) */
	struct result	*next;		/* in a struct results, or to_free */
};

/* Results in the order they came (first out first). */
struct results {
	struct result	*head, *tail;
};

static void
results_push(struct results *q, struct result *r)
{
	r->next = NULL;
	if (q->tail != NULL)
		q->tail->next = r;
	else
		q->head = r;
	q->tail = r;
}

static struct result *
results_pop(struct results *q)
{
	struct result *r = q->head;

	if (r != NULL && (q->head = r->next) == NULL)
		q->tail = NULL;
	return r;
}

struct pipeline {
	struct feedd	*d;		/* the top-level handles */
	uv_timer_t	 commit_timer;	/* ends the open store batch */
	size_t		 parsing;	/* results on the worker pool */
	atomic_int	 abandon;	/* a stop: parses not begun skipped */
	/* fetched bodies the parse worker has not been given (parse_next),
	 * and their bytes */
	struct results	 unparsed;
	size_t		 unparsed_bytes;
	size_t		 doc_bytes;	/* of the documents parsing or parsed
					 * and not stored (a guess each) */
	uint64_t	 rng;
	/* store batch */
	int		 in_batch;
	int		 batch_feeds;	/* feeds saved in it */
	struct cycle	 batch_start;	/* the counts when it began */
	/* network-failure verdicts */
	struct result	**netfails;	/* judged at the end of the batch */
	size_t		 nnetfails;
	int		 batch_response;	/* a server answered this batch */
	int		 net_down;	/* said so; quiet until a server answers */
	int64_t		 last_response_ms;
	/* flush policy */
	int		 dirty;		/* store changed since the last flush */
	int		 unmatched;	/* items wait for the alert rules */
	struct pace	 match_pace;	/* items the rules check in a step */
	int		 rendered;	/* outputs written at least once */
	int64_t		 last_flush_ms;
	uint64_t	 retry_ms;	/* a failed flush's next try; 0: none */
	int64_t		 last_trim_ms;
	struct cycle	 cycle;
	/* parsed results, stored one a loop turn (parse_done) */
	uv_idle_t	 store_idle;
	struct results	 ready;
	/* stored documents the parse worker frees (result_release) */
	uv_mutex_t	 free_mu;
	struct result	*to_free;
};

static void
result_free(struct result *r)
{
	if (r == NULL)
		return;
	store_prep_free(r->prep);
	feed_doc_free(r->doc);
	fetch_result_free(r->http);
	free(r);
}

/* r's document (parsing or parsed) now counts bytes. */
static void
doc_bytes_set(struct pipeline *p, struct result *r, size_t bytes)
{
	p->doc_bytes -= r->held_bytes;
	p->doc_bytes += bytes;
	r->held_bytes = bytes;
}

/*
 * The fetcher is told of the bodies waiting for a parse thread
 * (fetch_opts.body_budget), not of the documents: with a document
 * waiting for the store it went on reading the next body, one at a
 * time, where with the documents counted it waited, and 32 feeds of
 * 9.5 MB each took 8.1 s, not 5.7.
 */
static void
unparsed_told(struct pipeline *p)
{
	if (p->d->fetcher != NULL)
		fetcher_backlog(p->d->fetcher, p->unparsed_bytes);
}

/* Frees the documents result_release left for it; on any thread. */
static void
free_parsed(struct pipeline *p)
{
	struct result *r, *next;

	uv_mutex_lock(&p->free_mu);
	r = p->to_free;
	p->to_free = NULL;
	uv_mutex_unlock(&p->free_mu);
	for (; r != NULL; r = next) {
		next = r->next;
		result_free(r);
	}
}

/*
 * A stored document and its prep are freed by the thread that made
 * them, the parse worker, before its next parse; the HTTP result and
 * the body (parse_done) by the loop, which made them.  Freed across,
 * each block went back to the other thread's heap under that heap's
 * lock, and the two threads waited for each other on it: ~150 lock
 * waits in a cold 300-feed run, ~20 now.  With no parse pending none
 * would come for the documents: the loop frees what is left.
 */
static void
result_release(struct pipeline *p, struct result *r)
{
	if (r == NULL)
		return;
	if (r->doc == NULL && r->prep == NULL) {
		result_free(r);
		return;
	}
	fetch_result_free(r->http);
	r->http = NULL;
	if (p->parsing == 0) {
		free_parsed(p);
		result_free(r);
		return;
	}
	uv_mutex_lock(&p->free_mu);
	r->next = p->to_free;
	p->to_free = r;
	uv_mutex_unlock(&p->free_mu);
}

struct pipeline *
pipeline_new(struct feedd *d)
{
	struct pipeline *p = xcalloc(1, sizeof(*p));

	xmlInitParser();	/* before any worker thread parses */
	p->d = d;
	uv_mutex_init(&p->free_mu);
	uv_idle_init(&d->loop, &p->store_idle);
	p->store_idle.data = p;
	uv_timer_init(&d->loop, &p->commit_timer);
	p->commit_timer.data = p;
	p->rng = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	p->unmatched = 1;	/* items a killed run stored unchecked */
	pace_init(&p->match_pace);
	return p;
}

static void pipeline_commit(struct pipeline *p);
static void store_ready(struct pipeline *p);
static void result_drop(struct pipeline *p, struct result *r);
static void parse_next(struct pipeline *p);
static void parse_done(uv_work_t *w, int status);
static uint64_t flush_delay(const struct pipeline *p, int64_t now);

/* What was parsed before the close is stored, as it was fetched. */
void
pipeline_close(struct pipeline *p)
{
	struct result *r;

	while ((r = results_pop(&p->unparsed)) != NULL) {
		p->unparsed_bytes -= r->http->body_len;
		result_drop(p, r);
	}
	while (p->ready.head != NULL)
		store_ready(p);
	pipeline_commit(p);
	uv_close((uv_handle_t *)&p->commit_timer, NULL);
	uv_close((uv_handle_t *)&p->store_idle, NULL);
}

void
pipeline_abandon(struct pipeline *p)
{
	struct result *r;

	/* those queued on the pool are dropped as each comes back */
	atomic_store(&p->abandon, 1);
	while ((r = results_pop(&p->unparsed)) != NULL) {
		p->unparsed_bytes -= r->http->body_len;
		result_drop(p, r);
	}
}

void
pipeline_free(struct pipeline *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->nnetfails; i++)
		result_free(p->netfails[i]);
	free(p->netfails);
	free_parsed(p);
	uv_mutex_destroy(&p->free_mu);
	free(p);
}

size_t
pipeline_busy(const struct pipeline *p)
{
	return (p->d->fetcher ? fetcher_busy(p->d->fetcher) : 0) + p->parsing;
}

const struct cycle *
pipeline_cycle(const struct pipeline *p)
{
	return &p->cycle;
}

void
pipeline_cycle_reset(struct pipeline *p)
{
	memset(&p->cycle, 0, sizeof(p->cycle));
}

void
pipeline_outputs_stale(struct pipeline *p, int reloaded)
{
	p->dirty = 1;
	if (reloaded) {
		p->rendered = 0;
		output_forget(p->d->out);
	}
}

void
pipeline_due(struct sched_entry *e, void *arg)
{
	struct feed_state *fs = (struct feed_state *)
	    ((char *)e - offsetof(struct feed_state, ent));

	pipeline_start(arg, fs);
}

void
pipeline_start(struct pipeline *p, struct feed_state *fs)
{
	struct feedd *d = p->d;

	if (d->stopping || fs->in_flight || fs->deferred)
		return;
	fs->in_flight = 1;
	p->cycle.total++;
	fetcher_add(d->fetcher, fs->url, fs);
	status_soon(d);
}

/* A queued fetch of fs that is not made after all: as if never queued. */
static int
start_dropped(struct pipeline *p, struct feed_state *fs)
{
	fs->in_flight = 0;
	p->cycle.total--;
	if (fs->removed && !fs->deferred)
		feed_state_free(fs);
	status_soon(p->d);
	if (pipeline_busy(p) == 0)
		feedd_flush_soon(p->d, flush_delay(p, sched_now_ms()));
	return -1;
}

/*
 * feeds.body_hash as the pipeline writes it (result's body_hash: 16
 * lowercase hex digits) into *h: 1; 0 for NULL or anything else, which
 * only has the next body parsed once more.
 */
static int
body_hash_parse(const char *s, uint64_t *h)
{
	uint64_t v = 0;
	int i, d;

	*h = 0;
	if (s == NULL)
		return 0;
	for (i = 0; i < 16; i++) {
		if ((d = hex_digit((unsigned char)s[i])) == -1 ||
		    (s[i] >= 'A' && s[i] <= 'F'))
			return 0;
		v = v << 4 | (uint64_t)d;
	}
	if (s[16] != '\0')
		return 0;
	*h = v;
	return 1;
}

int
pipeline_fetch_req(void *arg, struct fetch_req *req, void *cbarg)
{
	struct pipeline *p = cbarg;
	struct feed_state *fs = arg;
	struct feedd *d = p->d;
	struct feed_row row;

	if (fs->removed)
		return start_dropped(p, fs);
	if (store_feed_get(d->st, fs->name, &row) != 0) {
		log_warnx("feed \"%s\": not in the database: %s", fs->name,
		    store_errmsg(d->st));
		return start_dropped(p, fs);
	}
	if (fs->health == FEED_UNKNOWN)
		feedd_set_health(d, fs, feed_row_health(&row));
	if (row.gone) {
		feed_row_cleanup(&row);
		return start_dropped(p, fs);
	}
	fs->has_body_hash = body_hash_parse(row.body_hash, &fs->body_hash);
	/* a first document is all new: index all of it off the loop */
	fs->first_body = row.body_hash == NULL;
	req->url = xstrdup(fs->url);
	req->etag = row.etag;
	req->last_modified = row.last_modified;
	row.etag = row.last_modified = NULL;
	feed_row_cleanup(&row);
	return 0;
}

/* ---- feed state ---- */

static void
set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup_or_null(v);
}

/*
 * Logs a feed's own state changes and moves its health.  A failure not
 * blamed on the feed (the network was down: one line said so) changes
 * neither its health nor the log.
 */
static void
log_transition(struct feedd *d, struct feed_state *fs, const char *prev,
    const struct feed_row *row, int blamed)
{
	const char *cur = row->last_error;
	char	*url;
	int was = fs->health;

	if (row->gone) {
		feedd_set_health(d, fs, FEED_GONE);
		return;
	}
	if (cur == NULL) {
		if (was == FEED_FAILING)
			log_info("feed \"%s\": ok again", fs->name);
		feedd_set_health(d, fs, FEED_OK);
		return;
	}
	if (!blamed)
		return;
	/* the URL last: what went wrong stays where it always was */
	url = fetch_url_shown(fs->url);
	if (was != FEED_FAILING)
		log_warnx("feed \"%s\": failing: %s (%s)", fs->name, cur, url);
	else if (prev == NULL || strcmp(prev, cur) != 0)
		log_warnx("feed \"%s\": %s (%s)", fs->name, cur, url);
	free(url);
	feedd_set_health(d, fs, FEED_FAILING);
}

static void
set_success(struct pipeline *p, struct feed_row *row, const struct result *r,
    int64_t now)
{
	const struct fetch_result *res = r->http;
	int64_t hint = res->hint;
	int full = res->status != 304;	/* a 304 may omit its validators */

	if (full || res->etag)
		set_str(&row->etag, res->etag);
	if (full || res->last_modified)
		set_str(&row->last_modified, res->last_modified);
	if (r->body_hash[0])
		set_str(&row->body_hash, r->body_hash);
	set_str(&row->last_error, NULL);
	set_str(&row->redirect_url, res->perm_redirect);
	row->consecutive_errors = 0;
	row->last_success = now;
	if (r->doc && r->doc->ttl > 0 && r->doc->ttl * 60 > hint)
		hint = (int64_t)r->doc->ttl * 60;
	row->next_due = now + sched_next_interval(r->fs->interval, hint,
	    sched_rand(&p->rng));
	row->due_by_server = hint > r->fs->interval;
	if (res->outcome == FETCH_OUTCOME_OK)
		p->cycle.ok++;
	else {
		p->cycle.not_modified++;
		row->not_modified++;
	}
}

/*
 * A Retry-After holds the host (FETCH_HOST_HOLD_MAX at most) for the
 * processes that come after too.  Said once a hold: the host gets no
 * request again before it ends.
 */
static void
hold_host(struct pipeline *p, struct feed_state *fs, int status,
    int64_t now, int64_t wait)
{
	char *host = fetch_url_host(fs->url), when[32];
	int64_t until = now + fetch_host_hold_secs(wait);

	log_warnx("host %s: HTTP %d with Retry-After to feed \"%s\": the"
	    " host's other feeds wait until %s", host, status, fs->name,
	    date_format_rfc3339(until, when, sizeof(when)));
	if (store_host_hold_set(p->d->st, host, until) == -1)
		log_warnx("host %s: cannot save its hold: %s", host,
		    store_errmsg(p->d->st));
	free(host);
}

static void
set_failure(struct pipeline *p, struct feed_row *row, const struct result *r,
    const char *msg, int blame, int64_t now)
{
	const struct fetch_result *res = r->http;
	struct feed_state *fs = r->fs;
	int64_t next;

	set_str(&row->last_error, msg);
	if (res->status == 410 && !row->gone) {
		row->gone = 1;
		log_warnx("feed \"%s\": 410 Gone: no longer polled", fs->name);
	}
	if (blame)
		row->consecutive_errors++;
	next = blame ? sched_backoff(row->consecutive_errors, fs->interval,
	    sched_rand(&p->rng)) :
	    sched_next_interval(fs->interval, 0, sched_rand(&p->rng));
	row->due_by_server = blame;
	if ((res->status == 429 || res->status == 503) && res->retry_after > 0) {
		next = res->retry_after;
		row->due_by_server = 1;
		hold_host(p, fs, res->status, now, next);
	}
	row->next_due = now + next;
	p->cycle.failed++;
}

/* Stores the document; NULL on success, else the error (caller frees). */
static char *
store_doc(struct pipeline *p, struct feed_row *row, const struct result *r,
    int64_t now)
{
	struct store *st = p->d->st;
	struct store_put_result pr;
	char *err = NULL, *msg;

	memset(&pr, 0, sizeof(pr));
	if ((r->prep ? store_put_prepared(st, row->id, r->doc, r->prep, now,
	    &pr, &err) : store_put_doc(st, row->id, r->doc, now, &pr,
	    &err)) == -1) {
		msg = xasprintf("store: %s", err ? err : store_errmsg(st));
		free(err);
		return msg;
	}
	p->cycle.new_items += pr.new_items;
	metrics_items_stored(p->d->metrics, pr.new_items);
	if (pr.new_items > 0 || pr.updated_items > 0)
		p->dirty = 1;
	if (pr.new_items > 0)
		p->unmatched = 1;
	return NULL;
}

/* ---- store batches ---- */

/*
 * After a commit the batch's documents are gone, but malloc keeps what
 * they used in its arenas (the workers' one above all: documents are
 * built there and freed here), about 14 MB of a 10,000-feed first
 * fetch's 63 MB peak.  Handing free pages back once a second costs a
 * millisecond and the page faults of reusing them.
 */
static void
trim_memory(struct pipeline *p)
{
	int64_t now = sched_now_ms();

	if (now - p->last_trim_ms < TRIM_MS)
		return;
	p->last_trim_ms = now;
	malloc_trim(0);
}

/* Nothing is being fetched or parsed, and the process exits after this
 * flush (`once`, or a daemon stopping). */
static int
exiting(const struct pipeline *p)
{
	return pipeline_busy(p) == 0 &&
	    (p->d->mode != FEEDD_RUN || p->d->stopping);
}

/* Commits the open store batch, if any. */
static void
pipeline_commit(struct pipeline *p)
{
	const char *msg;
	int rc;

	if (!p->in_batch)
		return;
	p->in_batch = 0;
	uv_timer_stop(&p->commit_timer);
	rc = store_batch_commit(p->d->st);
	/*
	 * A batch of 304s freed nothing worth a trim's system calls, and
	 * the last commit before the process exits gives back nothing
	 * that anyone would get (5 ms of a cold `once`'s tail).
	 */
	if (p->cycle.new_items > p->batch_start.new_items && !exiting(p))
		trim_memory(p);
	if (rc == 0)
		return;
	/*
	 * Nothing of the batch was stored: its feeds count as failed, not
	 * as "ok, N new items" (a full disk said so and `once` exited 0).
	 */
	msg = store_errmsg(p->d->st);
	/* /healthz at once, not at the next beat (the heartbeat does the
	 * other stores' errors) */
	metrics_database_damaged(p->d->metrics, store_damaged(p->d->st));
	/* a moved database says so once, and stops the daemon */
	if (feedd_check_ground(p->d) == 0)
		log_errorx("store: %d feed%s not stored: %s (%s fetched "
		    "again)", p->batch_feeds, p->batch_feeds == 1 ? "" : "s",
		    msg, p->batch_feeds == 1 ? "it is" : "they are");
	p->cycle.failed += (p->cycle.ok - p->batch_start.ok) +
	    (p->cycle.not_modified - p->batch_start.not_modified);
	p->cycle.ok = p->batch_start.ok;
	p->cycle.not_modified = p->batch_start.not_modified;
	p->cycle.new_items = p->batch_start.new_items;
	/* all of them, those a failed store counted already too */
	p->cycle.not_stored = p->batch_start.not_stored + p->batch_feeds;
}

static void
on_commit_timer(uv_timer_t *t)
{
	pipeline_commit(t->data);
}

/*
 * Results are saved in batches of up to BATCH_FEEDS feeds, BATCH_ITEMS
 * new items or BATCH_MS: a commit (WAL append, checkpoints) costs more
 * than storing a feed.  The item bound keeps a first fetch from being
 * one transaction, so each commit's checkpoint runs on the checkpoint
 * thread while the next batch is stored (as one transaction, a 300-feed
 * cold run ended with the final commit of all its pages and then the
 * checkpoint of the whole database).  It is not smaller because the
 * stories' indexes by date (stories_shown, stories_newest) take new
 * stories all over themselves: at 10,000 feeds a commit of 2,000 items
 * wrote nearly every page of them again, 55 to 60 times each over the
 * first fetch, a third of the WAL.  At 8,000 a batch passes the
 * writer's cache and some pages spill before the commit, yet a cold
 * first fetch wrote 24% fewer bytes at 10,000 feeds and 15% fewer at
 * 2,000, for the same CPU at 300 and 2,000 feeds and less at 10,000.
 * Without a batch (it could not start), each call commits on its own.
 */
/*
 * run: as long as the outputs wait between rewrites (flush_delay_ms),
 * since nothing stored shows before then.  Feeds fall due one by one,
 * so a commit a second held a feed or two each, and each commit wrote
 * its own copy of the pages they share (feeds' rows, index leaves,
 * FTS5's new segment, merged again later).
 */
static uint64_t
batch_ms(const struct pipeline *p)
{
	uint64_t flush = p->d->timing.flush_delay_ms;

	return p->d->mode == FEEDD_RUN && flush > BATCH_MS ? flush : BATCH_MS;
}

static void
batch_enter(struct pipeline *p)
{
	if (p->in_batch || p->d->closed)
		return;
	if (store_batch_begin(p->d->st) == -1) {
		log_warnx("store: begin: %s", store_errmsg(p->d->st));
		return;
	}
	p->in_batch = 1;
	p->batch_feeds = 0;
	p->batch_start = p->cycle;
	uv_timer_start(&p->commit_timer, on_commit_timer, batch_ms(p), 0);
}

static void
batch_leave(struct pipeline *p)
{
	if (p->in_batch && (++p->batch_feeds >= BATCH_FEEDS ||
	    p->cycle.new_items - p->batch_start.new_items >= BATCH_ITEMS))
		pipeline_commit(p);
}

/*
 * Turns one result into the feed's saved state and next due time;
 * blame: a failure counts against the feed.
 */
static void
save_result(struct pipeline *p, const struct result *r, int blame)
{
	struct feedd *d = p->d;
	const struct fetch_result *res = r->http;
	struct feed_state *fs = r->fs;
	int64_t now = (int64_t)time(NULL);
	struct feed_row row;
	char *prev, *err = NULL;

	batch_enter(p);
	if (store_feed_get(d->st, fs->name, &row) != 0)
		return;
	prev = xstrdup_or_null(row.last_error);
	/* not asked, so no fetch, no error: only when to ask */
	if (res->held) {
		row.next_due = now + res->retry_after;
		row.due_by_server = 1;
		p->cycle.held++;
		goto save;
	}
	row.last_fetch = now;
	row.fetches++;
	row.last_status = res->status;
	if (res->outcome == FETCH_OUTCOME_OK)
		err = store_doc(p, &row, r, now);
	if (err == NULL && (res->outcome == FETCH_OUTCOME_OK ||
	    res->outcome == FETCH_OUTCOME_NOT_MODIFIED))
		set_success(p, &row, r, now);
	else
		set_failure(p, &row, r, err ? err : res->error,
		    blame && err == NULL, now);
	log_transition(d, fs, prev, &row, blame || err != NULL);
save:
	if (err != NULL)
		p->cycle.not_stored++;
	if (store_feed_save_state(d->st, &row) == -1) {
		log_warnx("feed \"%s\": cannot save state: %s", fs->name,
		    store_errmsg(d->st));
		p->cycle.not_stored += err == NULL;
	}
	if (d->mode == FEEDD_RUN && !row.gone && !fs->removed)
		sched_set(d->sched, &fs->ent, row.next_due * 1000);
	batch_leave(p);
	free(prev);
	free(err);
	feed_row_cleanup(&row);
}

/* A connect failure waits for the batch's verdict (pipeline_batch_end). */
static void
defer_verdict(struct pipeline *p, struct result *r)
{
	p->netfails = xreallocarray(p->netfails, p->nnetfails + 1,
	    sizeof(*p->netfails));
	p->netfails[p->nnetfails++] = r;
	r->fs->deferred = 1;
}

static void
show_progress(struct pipeline *p)
{
	if (!p->d->progress)
		return;
	fprintf(stderr, "\r%d/%d feeds, %d new items", p->cycle.done,
	    p->cycle.total, p->cycle.new_items);
	fflush(stderr);
}

/* run: batches can be one feed each; outputs are rewritten at most every
 * flush_delay_ms.  once and stopping: at once. */
static uint64_t
flush_delay(const struct pipeline *p, int64_t now)
{
	int64_t next = p->last_flush_ms +
	    (int64_t)p->d->timing.flush_delay_ms;

	if (p->d->mode != FEEDD_RUN || p->d->stopping || next <= now)
		return 0;
	return (uint64_t)(next - now);
}

/* A fetch (and its parse) is over: save it, or keep it for the verdict. */
static void
result_done(struct pipeline *p, struct result *r)
{
	struct feedd *d = p->d;
	struct feed_state *fs = r->fs;
	const struct fetch_result *res = r->http;
	int64_t now = sched_now_ms();

	fs->in_flight = 0;
	if (res->got_response) {
		p->batch_response = 1;
		p->last_response_ms = now;
		if (p->net_down)
			log_info("a server answered: the network is back");
		p->net_down = 0;
	}
	/*
	 * A transfer that fails while the daemon stops (the stop's grace
	 * lets it run on, and a slow server times out in it) was cut short
	 * by the stop, not by its server: abandoned, as those still in
	 * flight at the end are, not counted against the feed.
	 */
	if (fs->removed || res->aborted || (d->stopping &&
	    res->outcome != FETCH_OUTCOME_OK &&
	    res->outcome != FETCH_OUTCOME_NOT_MODIFIED)) {
		if (fs->removed && !fs->deferred)
			feed_state_free(fs);
	} else {
		p->cycle.done++;
		/* a held feed was not asked: no fetch to count or time */
		if (!res->held)
			metrics_fetch_done(d->metrics, res->outcome,
			    res->seconds);
		if (res->net_down_suspect && !p->batch_response &&
		    now - p->last_response_ms > BLAME_WINDOW_MS) {
			defer_verdict(p, r);
			r = NULL;
		} else
			save_result(p, r, 1);
		show_progress(p);
	}
	result_release(p, r);
	status_soon(d);
	/*
	 * Polling keeps up while nothing waits for its turn.  A slow
	 * server's transfer, running until its timeout, says nothing of
	 * that, and with a few always in flight the batch's end (below)
	 * may not come for minutes.
	 */
	if (d->mode == FEEDD_RUN && d->fetcher != NULL &&
	    fetcher_waiting(d->fetcher) == 0)
		metrics_cycle_done(d->metrics, (int64_t)time(NULL));
	/* idle: the batch is over; busy: flush at most every few seconds */
	if (pipeline_busy(p) == 0)
		feedd_flush_soon(d, flush_delay(p, now));
	else if (p->dirty && !uv_is_active((uv_handle_t *)&d->flush_timer))
		feedd_flush_soon(d, d->timing.flush_delay_ms);
}

/* res failed on the worker: why (taken), and no redirect to follow to
 * what is not a feed. */
static void
parse_failed(struct fetch_result *res, char *why)
{
	res->outcome = FETCH_OUTCOME_PARSE_ERROR;
	free(res->error);
	res->error = why;
	free(res->perm_redirect);
	res->perm_redirect = NULL;
}

/*
 * The body made plain of its Content-Encoding here, bounded by max_size:
 * libcurl would inflate it on the loop thread, the one that stores, for
 * an eighth of that thread's CPU in a cold cycle of gzipped feeds.  0,
 * or -1 when it is not in its coding (res says why).
 */
static int
undo_coding(struct result *r)
{
	struct fetch_result *res = r->http;
	char	*plain, *err = NULL;
	size_t	 n;

	if (coding_undo(res->coding, res->body ? res->body : "",
	    res->body_len, (unsigned long long)r->max_size, &plain, &n,
	    &err) == -1) {
		parse_failed(res, err);
		return -1;
	}
	if (plain != NULL) {
		free(res->body);
		res->body = plain;
		res->body_len = n;
	}
	free(res->coding);	/* the body is plain now */
	res->coding = NULL;
	return 0;
}

/* Worker thread: the body becomes a document, and the store's CPU-only
 * part of saving it is done here too. */
static void
parse_work(uv_work_t *w)
{
	struct result *r = w->data;
	struct fetch_result *res = r->http;
	struct feed_parser *fp;
	uint64_t hash;
	char *err = NULL;

	free_parsed(r->p);
	if (atomic_load(&r->p->abandon)) {
		r->abandoned = 1;
		return;
	}
	if (undo_coding(r) == -1)
		return;
	/*
	 * The body's hash, here rather than as it arrives: a byte at a time
	 * on the loop thread it was 3% of a cold cycle.  The same body as
	 * last time is not parsed again: nothing in it can be new.
	 */
	hash = hash_body(res->body, res->body_len);
	snprintf(r->body_hash, sizeof(r->body_hash), "%016llx",
	    (unsigned long long)hash);
	if (r->has_prev_hash && hash == r->prev_hash) {
		res->outcome = FETCH_OUTCOME_NOT_MODIFIED;
		return;
	}
	/* gzip inside the body and charset growth stay within max_size */
	fp = feed_parser_new(res->effective_url, res->charset);
	feed_parser_set_max(fp, (unsigned long long)r->max_size);
	/* the outputs resolve content's links (storage/migrate.c, v13) */
	feed_parser_set_flags(fp, FEED_PARSE_KEEP_REFS);
	if (feed_parser_push_whole(fp, res->body ? res->body : "",
	    res->body_len, &err) == 0)
		r->doc = feed_parser_finish(fp, &err);
	feed_parser_free(fp);
	if (r->doc == NULL) {
		parse_failed(res, err ? err : xstrdup("not a feed"));
		return;
	}
	/* a big body goes before the prep, not after it: one block freed
	 * across threads (result_release) costs nothing beside its size */
	if (res->body_len >= BODY_FREED_EARLY) {
		free(res->body);
		res->body = NULL;
	}
	r->prep = store_prepare_doc(r->doc, r->prep_flags);
	r->parsed_bytes = res->body_len * DOC_BYTES_PER_BYTE;
}

/* The oldest parsed result: stored (its parse no longer pending). */
static void
store_ready(struct pipeline *p)
{
	struct result *r = results_pop(&p->ready);

	p->parsing--;
	doc_bytes_set(p, r, 0);
	if (!p->d->closed && p->parsing < PARSE_BACKLOG && p->d->fetcher)
		fetcher_hold(p->d->fetcher, 0);
	parse_next(p);
	result_done(p, r);
}

static void
on_store_idle(uv_idle_t *h)
{
	struct pipeline *p = h->data;

	if (p->ready.head != NULL)
		store_ready(p);
	if (p->ready.head == NULL)
		uv_idle_stop(h);
}

/* A result the close overtook: aborted transfers save nothing; neither
 * does this. */
static void
result_drop(struct pipeline *p, struct result *r)
{
	p->parsing--;
	doc_bytes_set(p, r, 0);
	r->fs->in_flight = 0;
	if (r->fs->removed && !r->fs->deferred)
		feed_state_free(r->fs);
	result_free(r);
}

/*
 * Gives the parse worker the next fetched bodies, in order, while the
 * documents parsing or waiting for the store would stay within
 * PIPELINE_BODY_BUDGET (one always goes).  A body waits as its bytes; a
 * document takes DOC_BYTES_PER_BYTE times as many: parsed ahead of the
 * store, 16 feeds of 10 MB each held 600 MB of documents.
 */
static void
parse_next(struct pipeline *p)
{
	struct result *r;

	while ((r = p->unparsed.head) != NULL) {
		size_t guess = r->http->body_len * DOC_BYTES_PER_BYTE;

		if (p->doc_bytes > 0 &&
		    p->doc_bytes + guess > PIPELINE_BODY_BUDGET)
			break;
		(void)results_pop(&p->unparsed);
		p->unparsed_bytes -= r->http->body_len;
		doc_bytes_set(p, r, guess);
		uv_queue_work(&p->d->loop, &r->work, parse_work, parse_done);
	}
	unparsed_told(p);
}

/*
 * libuv runs the callbacks of every parse that finished in one go:
 * storing each there kept the loop from its sockets for the whole
 * burst, no body reached the parse worker meanwhile, and it ran dry.
 * The results wait in order instead and are stored one a loop turn
 * (an idle handle: the turn polls the sockets without blocking), so
 * transfers go on between stores.  They count as parsing until then:
 * the documents in memory are bounded as before.
 */
static void
parse_done(uv_work_t *w, int status)
{
	struct result *r = w->data;
	struct pipeline *p = r->p;

	(void)status;
	/* made on this thread, freed here (result_release) */
	free(r->http->body);
	r->http->body = NULL;
	if (p->d->closed || r->abandoned) {
		result_drop(p, r);
		return;
	}
	doc_bytes_set(p, r, r->parsed_bytes);
	results_push(&p->ready, r);
	uv_idle_start(&p->store_idle, on_store_idle);
}

/*
 * fetch_done_cb.  A body is parsed on libuv's worker pool: on two cores
 * it overlaps the loop's transfers and stores.
 *
 * Backpressure: a fetched body waits for the parse workers, and its
 * parsed document for the loop to store it.  When those fall behind the
 * transfers (a cold start: everything new, and storing is the slow
 * part), the fetcher starts nothing new while PARSE_BACKLOG bodies are
 * waiting, so the documents in memory at once are at most concurrency +
 * PARSE_BACKLOG, whatever the number of feeds.  (Without it the peak
 * RSS of a cold start grew with the feeds: 56 MB at 300, 117 at 2,000.)
 * The backlog must outlast a burst of stores: the loop stores every
 * parse that finished in one go, fetching nothing meanwhile, so with
 * 4 the worker ran dry during each burst and the loop then waited for
 * it (at 300 feeds the loop idled 0.19 s and the worker 0.28 s of a
 * 0.66 s cold run); 16 cut that by a third for 2 MB more (63 MB at
 * 2,000 feeds).
 */
void
pipeline_fetch_done(struct fetch_result *res, void *arg)
{
	struct pipeline *p = arg;
	struct result *r = xcalloc(1, sizeof(*r));

	r->p = p;
	r->http = res;
	r->fs = res->arg;
	/* a first body is all new: its index text and headlines, there */
	if (r->fs->first_body)
		r->prep_flags = PREP_BODIES |
		    (p->d->cfg->group_stories ? PREP_HEADLINES : 0);
	r->max_size = p->d->cfg->max_size;	/* the worker must not read cfg */
	/* the worker compares it: it must not read the feed's state */
	r->prev_hash = r->fs->body_hash;
	r->has_prev_hash = r->fs->has_body_hash;
	if (res->outcome != FETCH_OUTCOME_OK || res->aborted ||
	    r->fs->removed) {
		result_done(p, r);
		return;
	}
	if (++p->parsing >= PARSE_BACKLOG)
		fetcher_hold(p->d->fetcher, 1);
	r->work.data = r;
	results_push(&p->unparsed, r);
	p->unparsed_bytes += res->body_len;
	parse_next(p);
}

/* End of a batch: the deferred connect failures get their verdict. */
void
pipeline_batch_end(struct pipeline *p)
{
	int blame = p->batch_response;

	/* one line per outage, not per feed nor per retry */
	if (!blame && p->nnetfails > 0 && !p->net_down) {
		log_warnx("no server answered: %zu feed%s could not connect; "
		    "the network looks down, not counted against them",
		    p->nnetfails, p->nnetfails == 1 ? "" : "s");
		p->net_down = 1;
	}
	for (size_t i = 0; i < p->nnetfails; i++) {
		struct result *r = p->netfails[i];

		r->fs->deferred = 0;
		if (r->fs->removed)
			feed_state_free(r->fs);
		else
			save_result(p, r, blame);
		result_free(r);
	}
	free(p->netfails);
	p->netfails = NULL;
	p->nnetfails = 0;
	p->batch_response = 0;
}

/*
 * The rules run over the items stored since the last flush, once per
 * flush rather than once per fetch: the new items wait unchecked in the
 * store (above its alert mark), so a kill before this point loses nothing,
 * and one pass over a batch's items costs far less than one per feed.
 * In `run` a step takes about PACE_STEP_MS (pace.h) and the rest waits
 * for the loop's next turn: a rule every item matched held the loop
 * 1.1 s at the end of a cold 2,000-feed cycle (54,000 alerts at once).
 * `once` and a stop check all at once.  Returns whether items are left.
 */
static int
match_alerts(struct pipeline *p)
{
	struct feedd *d = p->d;
	int stepped = d->mode == FEEDD_RUN && !d->stopping;
	uint64_t t0 = uv_hrtime();
	int fired = 0, more;

	if (!p->unmatched)
		return 0;
	more = store_alerts_match(d->st, d->cfg->rules, d->cfg->nrules,
	    d->cfg->alert_max_age, (int64_t)time(NULL), stepped ?
	    p->match_pace.step : 0, &fired);
	if (more == -1) {
		log_warnx("alerts: %s", store_errmsg(d->st));
		return 0;
	}
	if (more)
		log_debug("alert rules: %lld items checked, more to check",
		    (long long)p->match_pace.step);
	if (stepped)
		pace_done(&p->match_pace, (int64_t)(uv_hrtime() - t0), more);
	p->unmatched = more;
	if (fired > 0)
		p->dirty = 1;
	return more;
}

/*
 * Without [alerts] log nothing would ever write the pending alerts:
 * they are marked written (and counted) as they fire, so they do not
 * pile up; `feedd alerts` and the per-rule feeds still show them.  With
 * a log that could not be opened they stay pending for the next open.
 */
static void
drain_alerts(struct feedd *d)
{
	struct alert_row *rows;
	int64_t	 ids[STORE_ALERTS_PAGE];
	size_t	 n;

	do {
		if (store_alerts_pending(d->st, 0, STORE_ALERTS_PAGE, &rows,
		    &n) == -1) {
			log_warnx("alerts: %s", store_errmsg(d->st));
			return;
		}
		for (size_t i = 0; i < n; i++) {
			ids[i] = rows[i].id;
			metrics_alert_fired(d->metrics, rows[i].rule);
		}
		alert_rows_free(rows, n);
		if (n > 0 && store_alerts_mark_written(d->st, ids, n) == -1) {
			log_warnx("alerts: %s", store_errmsg(d->st));
			return;
		}
	} while (n == STORE_ALERTS_PAGE);
}

/* The outputs, when anything they show changed. */
static void
render_outputs(struct pipeline *p)
{
	struct feedd *d = p->d;
	char *err = NULL;

	if (!p->dirty && p->rendered)
		return;
	if (output_render(d->out, d->st, d->cfg, 0, &err) == -1) {
		p->cycle.outputs_failed++;
		log_warnx("outputs: %s", err ? err : "cannot write");
		free(err);
		return;
	}
	p->dirty = 0;
	p->rendered = 1;
}

/*
 * A flush that could not write the outputs or the alert log is tried
 * again without waiting for a fetch (a feed polled every few hours, or
 * none answering): after flush_retry_ms, doubling up to FLUSH_RETRY_MAX_MS.
 */
static void
retry_flush(struct pipeline *p, int failed)
{
	struct feedd *d = p->d;

	if (!failed) {
		p->retry_ms = 0;
		return;
	}
	if (d->mode != FEEDD_RUN || d->stopping)
		return;
	p->retry_ms = p->retry_ms == 0 ? d->timing.flush_retry_ms :
	    p->retry_ms * 2 < FLUSH_RETRY_MAX_MS ? p->retry_ms * 2 :
	    FLUSH_RETRY_MAX_MS;
	if (!uv_is_active((uv_handle_t *)&d->flush_timer))
		feedd_flush_soon(d, p->retry_ms);
}

void
pipeline_flush(struct pipeline *p)
{
	struct feedd *d = p->d;
	struct alert_sync *sync = NULL;
	char *err = NULL;
	int failed = p->cycle.outputs_failed, more;

	/*
	 * The flush that first writes the outputs (at start, before any
	 * poll ended) does not start the wait before the next: it held the
	 * first poll's stories back for flush_delay_ms, and a reader of a
	 * new setup got an empty feed for those seconds.
	 */
	if (p->rendered)
		p->last_flush_ms = sched_now_ms();
	pipeline_commit(p);	/* nothing leaves before it is stored */
	if (d->lost_ground)
		return;		/* the file it would read from is gone */
	more = match_alerts(p);
	if (d->cfg->alert_log == NULL)
		drain_alerts(d);
	/*
	 * A log that could not be opened is tried again, and until it is
	 * its alerts wait, reported as any not written.  The outputs are
	 * written while the log's new lines are synced.
	 */
	if (feedd_alert_log(d, &err) == -1) {
		p->cycle.outputs_failed++;
		log_warnx("alert log: %s", err);
		free(err);
		err = NULL;
	}
	if (d->alog)
		sync = alert_log_begin(d->alog, d->st);
	/*
	 * The last flush before the store closes: what the cycle stored is
	 * copied into the database file while the outputs render, not after
	 * (a cold 300-feed `once` spent 25-45 ms in that close).
	 */
	if (d->mode != FEEDD_RUN || d->stopping)
		store_checkpoint_soon(d->st);
	if (!more)		/* written once, when every rule has run */
		render_outputs(p);
	if (d->alog && alert_log_end(d->alog, d->st, sync, &err) == -1) {
		p->cycle.outputs_failed++;
		log_warnx("alert log: %s", err ? err : "cannot write");
		free(err);
	}
	retry_flush(p, p->cycle.outputs_failed > failed);
	if (more)
		feedd_flush_soon(d, NEXT_TURN_MS);
	status_soon(d);		/* alerts written */
}
