/*
 * pipeline: what happens to a finished fetch.  The parsed document goes
 * to the store (one transaction), new items are matched against the
 * alert rules, the feed's fetch state (validators, status, error streak,
 * next due) is saved, and the feed is rescheduled.  Outputs and the
 * alert log are written once per batch, not per feed.  A DNS/connect
 * failure is judged at the end of its batch: when no server at all
 * answered, our network is down and the feed is not blamed.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/alert.h"
#include "daemon/feedd.h"
#include "daemon/log.h"
#include "daemon/metrics.h"
#include "daemon/output.h"
#include "daemon/xmalloc.h"
#include "storage/store.h"

#define FLUSH_DELAY_MS	5000
#define BATCH_FEEDS	400	/* fetched feeds per store commit ... */
#define BATCH_MS	1000	/* ... or this long after the first */
#define BLAME_WINDOW_MS	(15 * 60 * 1000)	/* a server answered lately */

void
feed_state_free(struct feed_state *fs)
{
	if (fs == NULL)
		return;
	free(fs->name);
	free(fs->url);
	free(fs);
}

/* fetch_prep_fn: the store's CPU-only part, on a worker thread. */
void *
pipeline_prep(const struct feed_doc *doc, int full)
{
	return store_prepare_doc(doc, full);
}

void
pipeline_prep_free(void *prep)
{
	store_prep_free(prep);
}

void
pipeline_due(struct sched_entry *e, void *arg)
{
	struct feed_state *fs = (struct feed_state *)
	    ((char *)e - offsetof(struct feed_state, ent));

	pipeline_start(arg, fs);
}

void
pipeline_start(struct feedd *d, struct feed_state *fs)
{
	struct feed_row row;
	struct fetch_req req;

	if (d->stopping || fs->in_flight || fs->deferred)
		return;
	if (store_feed_get(d->st, fs->name, &row) != 0) {
		log_warnx("feed \"%s\": not in the database: %s", fs->name,
		    store_errmsg(d->st));
		return;
	}
	if (fs->health == FEED_UNKNOWN)
		pipeline_set_health(d, fs, pipeline_row_health(&row));
	if (!row.gone) {
		memset(&req, 0, sizeof(req));
		req.url = fs->url;
		req.etag = row.etag;
		req.last_modified = row.last_modified;
		req.body_hash = row.body_hash;
		req.arg = fs;
		/* a first document is all new: index all of it off the loop */
		req.prep_full = row.body_hash == NULL;
		fs->in_flight = 1;
		d->cycle.total++;
		fetcher_add(d->fetcher, &req);
	}
	feed_row_cleanup(&row);
}

/* ---- feed state ---- */

static void
set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup_or_null(v);
}

void
pipeline_set_health(struct feedd *d, struct feed_state *fs,
    enum feed_health h)
{
	d->nhealth[fs->health]--;
	d->nhealth[h]++;
	fs->health = h;
}

enum feed_health
pipeline_row_health(const struct feed_row *row)
{
	if (row->gone)
		return FEED_GONE;
	if (row->last_error != NULL && row->consecutive_errors > 0)
		return FEED_FAILING;
	return row->last_fetch > 0 ? FEED_OK : FEED_UNKNOWN;
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
	int was = fs->health;

	if (row->gone) {
		pipeline_set_health(d, fs, FEED_GONE);
		return;
	}
	if (cur == NULL) {
		if (was == FEED_FAILING)
			log_info("feed \"%s\": ok again", fs->name);
		pipeline_set_health(d, fs, FEED_OK);
		return;
	}
	if (!blamed)
		return;
	if (was != FEED_FAILING)
		log_warnx("feed \"%s\": failing: %s", fs->name, cur);
	else if (prev == NULL || strcmp(prev, cur) != 0)
		log_warnx("feed \"%s\": %s", fs->name, cur);
	pipeline_set_health(d, fs, FEED_FAILING);
}

static void
set_success(struct feedd *d, struct feed_state *fs, struct feed_row *row,
    const struct fetch_result *res, int64_t now)
{
	int64_t hint = res->hint;
	int full = res->status != 304;	/* a 304 may omit its validators */

	if (full || res->etag)
		set_str(&row->etag, res->etag);
	if (full || res->last_modified)
		set_str(&row->last_modified, res->last_modified);
	if (res->body_hash[0])
		set_str(&row->body_hash, res->body_hash);
	set_str(&row->last_error, NULL);
	set_str(&row->redirect_url, res->perm_redirect);
	row->consecutive_errors = 0;
	row->last_success = now;
	if (res->doc && res->doc->ttl > 0 && res->doc->ttl * 60 > hint)
		hint = (int64_t)res->doc->ttl * 60;
	row->next_due = now + sched_next_interval(fs->interval, hint,
	    sched_rand(&d->rng));
	row->due_by_server = hint > fs->interval;
	if (res->outcome == FETCH_OUTCOME_OK)
		d->cycle.ok++;
	else {
		d->cycle.not_modified++;
		row->not_modified++;
	}
}

/* A Retry-After holds the host for the processes that come after too. */
static void
hold_host(struct feedd *d, struct feed_state *fs, int64_t until)
{
	char *host = fetch_url_host(fs->url);

	if (store_host_hold_set(d->st, host, until) == -1)
		log_warnx("host %s: cannot save its hold: %s", host,
		    store_errmsg(d->st));
	free(host);
}

static void
set_failure(struct feedd *d, struct feed_state *fs, struct feed_row *row,
    const struct fetch_result *res, const char *msg, int blame, int64_t now)
{
	int64_t next;

	set_str(&row->last_error, msg);
	if (res->status == 410 && !row->gone) {
		row->gone = 1;
		log_warnx("feed \"%s\": 410 Gone: no longer polled", fs->name);
	}
	if (blame)
		row->consecutive_errors++;
	next = blame ? sched_backoff(row->consecutive_errors, fs->interval,
	    sched_rand(&d->rng)) :
	    sched_next_interval(fs->interval, 0, sched_rand(&d->rng));
	row->due_by_server = blame;
	if ((res->status == 429 || res->status == 503) && res->retry_after > 0) {
		next = res->retry_after;
		row->due_by_server = 1;
		hold_host(d, fs, now + next);
	}
	row->next_due = now + next;
	d->cycle.failed++;
}

/* Stores the document; NULL on success, else the error (caller frees). */
static char *
store_doc(struct feedd *d, struct feed_row *row,
    const struct fetch_result *res, int64_t now)
{
	struct store_put_result pr;
	char *err = NULL, *msg;

	memset(&pr, 0, sizeof(pr));
	if ((res->prep ? store_put_prepared(d->st, row->id, res->doc,
	    res->prep, now, &pr, &err) : store_put_doc(d->st, row->id,
	    res->doc, now, &pr, &err)) == -1) {
		msg = xasprintf("store: %s", err ? err : store_errmsg(d->st));
		free(err);
		return msg;
	}
	d->cycle.new_items += pr.new_items;
	metrics_items_stored(d->metrics, pr.new_items);
	if (pr.new_items > 0 || pr.updated_items > 0)
		d->dirty = 1;
	if (pr.new_items > 0)
		d->unmatched = 1;
	return NULL;
}

/* ---- store batches ---- */

void
pipeline_commit(struct feedd *d)
{
	if (!d->in_batch)
		return;
	d->in_batch = 0;
	uv_timer_stop(&d->commit_timer);
	if (store_batch_commit(d->st) == -1)
		log_warnx("store: commit: %s (those feeds are fetched again)",
		    store_errmsg(d->st));
}

static void
on_commit_timer(uv_timer_t *t)
{
	pipeline_commit(t->data);
}

/*
 * Results are saved in batches of up to BATCH_FEEDS feeds or BATCH_MS:
 * a commit (WAL append, checkpoints) costs more than storing a feed.
 * Without a batch (it could not start), each call commits on its own.
 */
static void
batch_enter(struct feedd *d)
{
	if (d->in_batch || d->closed)
		return;
	if (store_batch_begin(d->st) == -1) {
		log_warnx("store: begin: %s", store_errmsg(d->st));
		return;
	}
	d->in_batch = 1;
	d->batch_feeds = 0;
	uv_timer_start(&d->commit_timer, on_commit_timer, BATCH_MS, 0);
}

static void
batch_leave(struct feedd *d)
{
	if (d->in_batch && ++d->batch_feeds >= BATCH_FEEDS)
		pipeline_commit(d);
}

/* Turns one result into the feed's saved state and next due time. */
static void
apply(struct feedd *d, struct feed_state *fs, const struct fetch_result *res,
    int blame)
{
	int64_t now = (int64_t)time(NULL);
	struct feed_row row;
	char *prev, *err = NULL;

	batch_enter(d);
	if (store_feed_get(d->st, fs->name, &row) != 0)
		return;
	prev = xstrdup_or_null(row.last_error);
	row.last_fetch = now;
	row.fetches++;
	if (res->held) {
		row.next_due = now + res->retry_after;
		row.due_by_server = 1;
		d->cycle.failed++;
		goto save;
	}
	row.last_status = res->status;
	if (res->outcome == FETCH_OUTCOME_OK)
		err = store_doc(d, &row, res, now);
	if (err == NULL && (res->outcome == FETCH_OUTCOME_OK ||
	    res->outcome == FETCH_OUTCOME_NOT_MODIFIED))
		set_success(d, fs, &row, res, now);
	else
		set_failure(d, fs, &row, res, err ? err : res->error,
		    blame && err == NULL, now);
	log_transition(d, fs, prev, &row, blame || err != NULL);
save:
	if (store_feed_save_state(d->st, &row) == -1)
		log_warnx("feed \"%s\": cannot save state: %s", fs->name,
		    store_errmsg(d->st));
	if (d->mode == FEEDD_RUN && !row.gone && !fs->removed)
		sched_set(d->sched, &fs->ent, row.next_due * 1000);
	batch_leave(d);
	free(prev);
	free(err);
	feed_row_cleanup(&row);
}

static void
defer(struct feedd *d, struct feed_state *fs, const struct fetch_result *res)
{
	struct netfail *nf;

	d->netfails = xreallocarray(d->netfails, d->nnetfails + 1,
	    sizeof(*d->netfails));
	nf = &d->netfails[d->nnetfails++];
	memset(nf, 0, sizeof(*nf));
	nf->fs = fs;
	nf->res.outcome = res->outcome;
	nf->res.status = res->status;
	nf->res.error = xstrdup_or_null(res->error);
	nf->res.retry_after = nf->res.hint = -1;
	fs->deferred = 1;
}

static void
show_progress(struct feedd *d)
{
	if (!d->progress)
		return;
	fprintf(stderr, "\r%d/%d feeds, %d new items", d->cycle.done,
	    d->cycle.total, d->cycle.new_items);
	fflush(stderr);
}

/* run: batches can be one feed each; outputs are rewritten at most every
 * FLUSH_DELAY_MS.  once and stopping: at once. */
static uint64_t
flush_delay(const struct feedd *d, int64_t now)
{
	int64_t next = d->last_flush_ms + FLUSH_DELAY_MS;

	if (d->mode != FEEDD_RUN || d->stopping || next <= now)
		return 0;
	return (uint64_t)(next - now);
}

void
pipeline_fetch_done(struct fetch_result *res, void *arg)
{
	struct feedd *d = arg;
	struct feed_state *fs = res->arg;
	int64_t now = sched_now_ms();

	fs->in_flight = 0;
	if (res->got_response) {
		d->batch_response = 1;
		d->last_response_ms = now;
		if (d->net_down)
			log_info("a server answered: the network is back");
		d->net_down = 0;
	}
	if (fs->removed || res->aborted) {
		if (fs->removed && !fs->deferred)
			feed_state_free(fs);
	} else {
		d->cycle.done++;
		metrics_fetch_done(d->metrics, res->outcome, res->seconds);
		if (res->net_down_suspect && !d->batch_response &&
		    now - d->last_response_ms > BLAME_WINDOW_MS)
			defer(d, fs, res);
		else
			apply(d, fs, res, 1);
		show_progress(d);
	}
	/* idle: the batch is over; busy: flush at most every few seconds */
	if (fetcher_busy(d->fetcher) == 0)
		feedd_flush_soon(d, flush_delay(d, now));
	else if (d->dirty && !uv_is_active((uv_handle_t *)&d->flush_timer))
		feedd_flush_soon(d, FLUSH_DELAY_MS);
}

/* End of a batch: the deferred connect failures get their verdict. */
void
pipeline_batch_end(struct feedd *d)
{
	int blame = d->batch_response;

	/* one line per outage, not per feed nor per retry */
	if (!blame && d->nnetfails > 0 && !d->net_down) {
		log_warnx("no server answered: %zu feed%s could not connect; "
		    "the network looks down, not counted against them",
		    d->nnetfails, d->nnetfails == 1 ? "" : "s");
		d->net_down = 1;
	}
	for (size_t i = 0; i < d->nnetfails; i++) {
		struct netfail *nf = &d->netfails[i];

		nf->fs->deferred = 0;
		if (nf->fs->removed)
			feed_state_free(nf->fs);
		else
			apply(d, nf->fs, &nf->res, blame);
		free(nf->res.error);
	}
	free(d->netfails);
	d->netfails = NULL;
	d->nnetfails = 0;
	d->batch_response = 0;
}

/*
 * The rules run over the items stored since the last flush, once per
 * flush rather than once per fetch: the new items wait unchecked in the
 * store (above its alert mark), so a kill before this point loses nothing,
 * and one pass over a batch's items costs far less than one per feed.
 */
static void
match_alerts(struct feedd *d)
{
	int fired = 0;

	if (!d->unmatched)
		return;
	if (store_alerts_match(d->st, d->cfg->rules, d->cfg->nrules,
	    d->cfg->alert_max_age, (int64_t)time(NULL), &fired) == -1) {
		log_warnx("alerts: %s", store_errmsg(d->st));
		return;
	}
	d->unmatched = 0;
	if (fired > 0)
		d->dirty = 1;
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
	int64_t *ids;
	size_t n;

	if (store_alerts_pending(d->st, &rows, &n) == -1) {
		log_warnx("alerts: %s", store_errmsg(d->st));
		return;
	}
	ids = xreallocarray(NULL, n + 1, sizeof(*ids));
	for (size_t i = 0; i < n; i++) {
		ids[i] = rows[i].id;
		metrics_alert_fired(d->metrics, rows[i].rule);
	}
	if (n > 0 && store_alerts_mark_written(d->st, ids, n) == -1)
		log_warnx("alerts: %s", store_errmsg(d->st));
	free(ids);
	alert_rows_free(rows, n);
}

void
pipeline_flush(struct feedd *d)
{
	char *err = NULL;

	d->last_flush_ms = sched_now_ms();
	pipeline_commit(d);	/* nothing leaves before it is stored */
	match_alerts(d);
	if (d->cfg->alert_log == NULL)
		drain_alerts(d);
	if (d->alog && alert_log_flush(d->alog, d->st, &err) == -1) {
		log_warnx("alert log: %s", err ? err : "cannot write");
		free(err);
		err = NULL;
	}
	if (!d->dirty && d->rendered)
		return;
	if (output_render(d->out, d->st, d->cfg, !d->rendered, &err) == -1) {
		log_warnx("outputs: %s", err ? err : "cannot write");
		free(err);
		return;
	}
	d->dirty = 0;
	d->rendered = 1;
}
