/*
 * feedd: the daemon's lifetime.  Opens the config, the store and every
 * module around one libuv loop; starts the feeds (all now for `once`,
 * on their schedule for `run`); handles SIGTERM/SIGINT (stop starting,
 * finish or abort within 5 s, flush, exit) and SIGHUP (a complete new
 * config or the old one kept); runs the hourly prune and the heartbeat
 * (systemd's watchdog, /healthz).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "daemon/alert.h"
#include "daemon/cmd.h"
#include "daemon/feedd.h"
#include "daemon/lockinfo.h"
#include "util/log.h"
#include "daemon/metrics.h"
#include "daemon/notify.h"
#include "daemon/output.h"
#include "daemon/pipeline.h"
#include "daemon/serve.h"
#include "daemon/status.h"
#include "daemon/timing.h"
#include "feeds/coding.h"
#include "util/fs.h"
#include "util/xmalloc.h"
#include "storage/store.h"

#define PRUNE_EVERY_MS	(3600 * 1000)
#define PRUNE_STEP	2000	/* items a prune transaction deletes */
#define STORE_BUSY_EXTEND_SECS	30	/* start timeout after each sign of life */

void
feedd_fetch_opts(const struct feedd *d, const struct config *cfg,
    struct fetch_opts *o)
{
	o->low_speed_secs = (long)d->timing.low_speed_secs;
	o->concurrency = cfg->concurrency;
	o->per_host = cfg->per_host;
	o->timeout = cfg->timeout;
	o->max_size = cfg->max_size;
	o->user_agent = cfg->user_agent;
	o->allow_private = cfg->allow_private;
	o->accept_encoding = CODING_ACCEPT;	/* parse_work undoes them */
	o->undoes = coding_undoes;
	o->body_budget = PIPELINE_BODY_BUDGET;
}

/* ---- feed states ---- */

void
feed_state_free(struct feed_state *fs)
{
	if (fs == NULL)
		return;
	if (fs->owned) {
		free((char *)fs->name);
		free((char *)fs->url);
	}
	free(fs);
}

void
feedd_set_health(struct feedd *d, struct feed_state *fs, enum feed_health h)
{
	d->nhealth[fs->health]--;
	d->nhealth[h]++;
	fs->health = h;
}

enum feed_health
feed_row_health(const struct feed_row *row)
{
	if (row->gone)
		return FEED_GONE;
	if (row->last_error != NULL && row->consecutive_errors > 0)
		return FEED_FAILING;
	return row->last_fetch > 0 ? FEED_OK : FEED_UNKNOWN;
}

static int
feed_cmp(const void *a, const void *b)
{
	const struct feed_state *x = *(struct feed_state *const *)a;
	const struct feed_state *y = *(struct feed_state *const *)b;

	return strcmp(x->name, y->name);
}

static void
build_feeds(const struct config *cfg, struct feed_state ***out, size_t *n)
{
	struct feed_state **v = xcalloc(cfg->nfeeds + 1, sizeof(*v));

	for (size_t i = 0; i < cfg->nfeeds; i++) {
		const struct feed_conf *fc = &cfg->feeds[i];

		v[i] = xcalloc(1, sizeof(*v[i]));
		v[i]->name = fc->def.name;
		v[i]->url = fc->url;
		v[i]->interval = fc->interval > 0 ? fc->interval : cfg->interval;
	}
	qsort(v, cfg->nfeeds, sizeof(*v), feed_cmp);
	*out = v;
	*n = cfg->nfeeds;
}

struct feed_state *
feedd_find_feed(struct feedd *d, const char *name)
{
	struct feed_state key, *kp = &key, **hit;

	key.name = (char *)name;
	hit = bsearch(&kp, d->feeds, d->nfeeds, sizeof(*d->feeds), feed_cmp);
	return hit ? *hit : NULL;
}

/* run: queues fs at its saved next-due time (now when never fetched). */
static void
schedule_from_row(struct feedd *d, struct feed_state *fs)
{
	struct feed_row row;
	int64_t due;

	if (store_feed_get(d->st, fs->name, &row) != 0)
		return;
	if (fs->health == FEED_UNKNOWN)
		feedd_set_health(d, fs, feed_row_health(&row));
	due = sched_due(row.next_due, row.last_fetch, fs->interval,
	    row.due_by_server);
	if (!row.gone)
		sched_set(d->sched, &fs->ent, due > 0 ? due * 1000 :
		    sched_now_ms());
	feed_row_cleanup(&row);
}

/* Holds an earlier process saved (Retry-After) go on holding. */
static void
load_host_holds(struct feedd *d)
{
	struct host_hold *v;
	size_t n;

	if (store_host_holds(d->st, (int64_t)time(NULL), &v, &n) == -1) {
		log_warnx("host holds: %s", store_errmsg(d->st));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		log_debug("host %s held off until %lld (saved)", v[i].host,
		    (long long)v[i].until);
		fetcher_hold_host(d->fetcher, v[i].host, v[i].until);
	}
	host_holds_free(v, n);
}

/* ---- handles ---- */

static void
close_handles(struct feedd *d)
{
	if (d->closed)
		return;
	d->closed = 1;
	fetcher_close(d->fetcher);	/* aborted transfers save nothing */
	d->fetcher = NULL;
	pipeline_close(d->pipe);
	sched_close(d->sched);
	d->sched = NULL;
	uv_close((uv_handle_t *)&d->sig_term, NULL);
	uv_close((uv_handle_t *)&d->sig_int, NULL);
	uv_close((uv_handle_t *)&d->sig_hup, NULL);
	uv_close((uv_handle_t *)&d->flush_timer, NULL);
	uv_close((uv_handle_t *)&d->prune_timer, NULL);
	uv_close((uv_handle_t *)&d->heartbeat_timer, NULL);
	uv_close((uv_handle_t *)&d->stop_timer, NULL);
	uv_close((uv_handle_t *)&d->status_timer, NULL);
	server_stop(d->srv);
	d->srv = NULL;
}

static void
cycle_done(struct feedd *d)
{
	const struct cycle *c = pipeline_cycle(d->pipe);

	if (d->mode != FEEDD_RUN || c->done == 0)
		return;
	metrics_cycle_done(d->metrics, (int64_t)time(NULL));
	metrics_feed_states(d->metrics, d->nhealth[FEED_OK],
	    d->nhealth[FEED_FAILING], d->nhealth[FEED_GONE]);
	status_soon(d);
	log_debug("batch: %d ok, %d not modified, %d failed, %d held,"
	    " %d new items", c->ok, c->not_modified, c->failed, c->held,
	    c->new_items);
	pipeline_cycle_reset(d->pipe);
}

static void
on_flush(uv_timer_t *t)
{
	struct feedd *d = t->data;
	int idle = pipeline_busy(d->pipe) == 0;

	if (idle)
		pipeline_batch_end(d->pipe);
	pipeline_flush(d->pipe);
	if (!idle)
		return;
	cycle_done(d);
	if (d->mode == FEEDD_ONCE || d->stopping)
		close_handles(d);
}

void
feedd_flush_soon(struct feedd *d, uint64_t ms)
{
	if (!d->closed)
		uv_timer_start(&d->flush_timer, on_flush, ms, 0);
}

/*
 * Retention, PRUNE_STEP items a transaction: a backlog (months of
 * them, when a prune kept failing) goes one step per loop turn, so
 * fetches, the watchdog and a stop go on in between; `once` takes
 * every step before it fetches.
 */
static void
on_prune(uv_timer_t *t)
{
	struct feedd *d = t->data;
	int64_t before = (int64_t)time(NULL) - d->cfg->retention;
	int	 n;

	do {
		n = store_prune(d->st, before, d->cfg->max_entries,
		    PRUNE_STEP);
	} while (n == PRUNE_STEP && d->mode != FEEDD_RUN);
	if (n == -1) {
		log_warnx("prune: %s", store_errmsg(d->st));
		return;
	}
	pipeline_outputs_stale(d->pipe, 0);
	if (n == PRUNE_STEP && !d->stopping && !d->closed)
		uv_timer_start(&d->prune_timer, on_prune, NEXT_TURN_MS,
		    PRUNE_EVERY_MS);
}

/*
 * A database deleted or replaced under the daemon would take every
 * later write with it when the process ends, and a deleted lock file
 * lets a second writer in.  The first stops the daemon (exit 1: systemd
 * starts it again, on the file the path names now); the second takes
 * the new lock file, or stops when another process holds it.
 */
int
feedd_check_ground(struct feedd *d)
{
	char *msg = NULL;
	int rc;

	if (d->lost_ground)
		return -1;
	if (d->st != NULL && store_moved(d->st)) {
		log_errorx("%s; stopping", store_errmsg(d->st));
		d->lost_ground = 1;
	} else if (d->lock_fd != -1 && (rc = lock_keep(&d->lock_fd,
	    d->cfg->database, d->mode == FEEDD_RUN ? "run" : "once",
	    &msg)) != 0) {
		if (rc == 1)
			log_warnx("%s", msg);
		else {
			log_errorx("%s; stopping", msg);
			d->lost_ground = 1;
		}
	}
	free(msg);
	if (!d->lost_ground)
		return 0;
	feedd_stop(d);
	return -1;
}

/* The loop still turns: systemd's watchdog, when it watches, and /healthz */
static void
on_heartbeat(uv_timer_t *t)
{
	struct feedd *d = t->data;

	if (feedd_check_ground(d) == -1)
		return;
	if (d->watched)
		notify_watchdog();
	server_reap(d->srv);
	metrics_loop_beat(d->metrics, (int64_t)(uv_hrtime() / 1000000));
	if (d->st != NULL)
		metrics_database_damaged(d->metrics, store_damaged(d->st));
}

static void
on_stop_grace(uv_timer_t *t)
{
	struct feedd *d = t->data;

	log_info("aborting %zu transfers still in flight",
	    fetcher_busy(d->fetcher));
	fetcher_abort(d->fetcher);
	/* a queue of slow parses could outlast systemd's stop timeout */
	pipeline_abandon(d->pipe);
	feedd_flush_soon(d, 0);
}

void
feedd_stop(struct feedd *d)
{
	if (d->stopping || d->closed)
		return;
	d->stopping = 1;
	notify_stopping();
	log_info("stopping");
	sched_pause(d->sched);
	fetcher_drop_queue(d->fetcher);
	if (pipeline_busy(d->pipe) > 0)
		uv_timer_start(&d->stop_timer, on_stop_grace,
		    d->timing.stop_grace_ms, 0);
	else
		feedd_flush_soon(d, 0);
}

static void
on_signal(uv_signal_t *h, int signum)
{
	struct feedd *d = h->data;

	if (signum == SIGHUP) {
		if (d->mode == FEEDD_RUN)
			feedd_reload(d);
	} else
		feedd_stop(d);
}

/* ---- reload ---- */

/* Takes the feeds of cfg: keeps unchanged states, queues new or changed. */
static void
reconcile_feeds(struct feedd *d, const struct config *cfg)
{
	struct feed_state **v, *old;
	size_t n;
	int changed;

	build_feeds(cfg, &v, &n);
	for (size_t i = 0; i < d->nfeeds; i++)
		d->feeds[i]->mark = 0;
	for (size_t i = 0; i < n; i++) {
		if ((old = feedd_find_feed(d, v[i]->name)) == NULL) {
			schedule_from_row(d, v[i]);
			continue;
		}
		old->mark = 1;
		changed = strcmp(old->url, v[i]->url) != 0 ||
		    old->interval != v[i]->interval;
		/* the old config goes after this */
		old->name = v[i]->name;
		old->url = v[i]->url;
		if (changed) {
			old->interval = v[i]->interval;
			if (!old->in_flight && !old->deferred)
				schedule_from_row(d, old);
		}
		feed_state_free(v[i]);
		v[i] = old;
	}
	for (size_t i = 0; i < d->nfeeds; i++) {
		struct feed_state *fs = d->feeds[i];

		if (fs->mark)
			continue;
		sched_remove(d->sched, &fs->ent);
		feedd_set_health(d, fs, FEED_UNKNOWN);
		fs->removed = 1;
		if (!fs->in_flight && !fs->deferred) {
			feed_state_free(fs);
			continue;
		}
		fs->name = xstrdup(fs->name);
		fs->url = xstrdup(fs->url);
		fs->owned = 1;
	}
	free(d->feeds);
	d->feeds = v;
	d->nfeeds = n;
}

int
feedd_alert_log(struct feedd *d, char **errstr)
{
	const struct config *cfg = d->cfg;

	if (cfg->alert_log == NULL || d->alog != NULL)
		return 0;
	if ((d->alog = alert_log_open(cfg->alert_log, cfg->alert_format,
	    errstr)) == NULL)
		return -1;
	alert_log_set_metrics(d->alog, d->metrics);
	return 0;
}

/*
 * The alert log opened again (SIGHUP: rotation) or anew (another path
 * or format).  One that cannot be opened is the next flush's to report
 * (feedd_alert_log), which every caller is followed by.
 */
static void
reopen_alert_log(struct feedd *d, const struct config *old)
{
	const struct config *cfg = d->cfg;
	char *err = NULL;
	int same = old && old->alert_log && cfg->alert_log &&
	    strcmp(old->alert_log, cfg->alert_log) == 0 &&
	    old->alert_format == cfg->alert_format;

	if (same && d->alog && alert_log_reopen(d->alog, &err) == 0)
		return;
	alert_log_close(d->alog);
	d->alog = NULL;
	free(err);
	err = NULL;
	if (feedd_alert_log(d, &err) == -1)
		free(err);
}

/*
 * The server on the configuration's address.  On a reload (old set) the
 * new address is bound before the old one is let go, and when it
 * cannot be (taken, say) the old one goes on serving the new paths:
 * a reload left no server at all, and said "reloaded".
 */
static void
restart_server(struct feedd *d, const char *old_listen)
{
	struct config *cfg = d->cfg;
	struct server *srv = NULL;
	char *err = NULL;

	if (cfg->listen != NULL)
		srv = server_start(cfg, d->metrics, &err);
	if (srv == NULL && d->srv != NULL && cfg->listen != NULL) {
		/* the new address may overlap the old one (0.0.0.0:P) */
		server_stop(d->srv);
		d->srv = NULL;
		free(err);
		err = NULL;
		srv = server_start(cfg, d->metrics, &err);
	}
	if (srv == NULL && cfg->listen != NULL) {
		log_warnx("listen %s: %s%s%s", cfg->listen, err ? err : "failed",
		    old_listen ? "; still serving on " : "",
		    old_listen ? old_listen : "");
		free(err);
		err = NULL;
		if (d->srv == NULL && old_listen != NULL) {
			char *want = cfg->listen;

			cfg->listen = (char *)old_listen;
			d->srv = server_start(cfg, d->metrics, &err);
			cfg->listen = want;
			free(err);
		}
		server_follow(d->srv, cfg);
		return;
	}
	server_stop(d->srv);
	d->srv = srv;
}

/*
 * The database and its lock are opened once: a reload that moved only
 * the outputs and the alert log let a second daemon start on the new
 * database, writing the same files and firing the same alerts again.
 */
static int
database_moves(const struct config *old, const struct config *cfg)
{
	return strcmp(old->database, cfg->database) != 0;
}

void
feedd_reload(struct feedd *d)
{
	struct config_errors errs = { NULL, 0 };
	struct config *cfg, *old = d->cfg;
	struct fetch_opts o;

	notify_reloading();
	log_info("reloading %s", d->config_path);
	if ((cfg = config_load(d->config_path, &errs)) == NULL ||
	    database_moves(old, cfg) || store_sync_feeds(d->st, cfg) == -1) {
		for (size_t i = 0; i < errs.n; i++)
			log_errorx("%s", errs.msgs[i]);
		if (cfg && database_moves(old, cfg))
			log_errorx("reload: the database would move from %s to "
			    "%s: only a restart moves it", old->database,
			    cfg->database);
		else if (cfg)
			log_errorx("reload: %s", store_errmsg(d->st));
		log_errorx("reload failed: keeping the old configuration");
		config_free(cfg);
		config_errors_cleanup(&errs);
		reopen_alert_log(d, old);
		feedd_flush_soon(d, 0);		/* says if it could not */
		notify_ready();
		return;
	}
	config_errors_cleanup(&errs);
	d->cfg = cfg;
	store_set_grouping(d->st, cfg->group_stories, cfg->group_window);
	log_set_level((enum log_level)cfg->log_level);
	reconcile_feeds(d, cfg);
	/* after: a queued feed the config dropped is known as removed when
	 * the new limits start it */
	feedd_fetch_opts(d, cfg, &o);
	fetcher_set_opts(d->fetcher, &o);
	reopen_alert_log(d, old);
	if ((cfg->listen == NULL) != (old->listen == NULL) ||
	    (cfg->listen && strcmp(cfg->listen, old->listen) != 0))
		restart_server(d, old->listen);
	else
		server_follow(d->srv, cfg);	/* new paths, same address */
	config_free(old);
	/*
	 * The old configuration lies under the new one in the heap, which
	 * gives back only its top by itself: 100,000 feeds' reload left
	 * the daemon 13 MB larger for good.
	 */
	malloc_trim(0);
	/* title, paths, rules may have changed: the marks say if they did */
	pipeline_outputs_stale(d->pipe, 1);
	feedd_flush_soon(d, 0);
	log_info("reloaded: %zu feeds", d->nfeeds);
	status_update(d);
	notify_ready();
}

/* ---- open, main, close ---- */

/*
 * One writer per database: `run` and `once` hold an flock on
 * DATABASE.lock for their lifetime (the kernel drops it when the
 * process dies, so a crash leaves nothing stale).  A second writer
 * refuses instead of interleaving its fetches, alerts and outputs with
 * the first's.  The read-only commands take no lock.
 */
static int
lock_database(struct feedd *d)
{
	char *err, *warn;

	d->lock_fd = lock_take(d->cfg->database,
	    d->mode == FEEDD_RUN ? "run" : "once", &err, &warn);
	if (d->lock_fd == -1)
		log_errorx("%s", err);
	else if (warn != NULL)		/* only `status` and `add` miss it */
		log_warnx("%s", warn);
	free(err);
	free(warn);
	return d->lock_fd == -1 ? -1 : 0;
}

struct store_wait {
	const char *path;
	int	 told;
};

/*
 * An upgrade of the schema runs before READY: systemd's start timeout
 * (90 s by default) would kill one that takes minutes on a large
 * database, and restart it into the same upgrade.
 */
static void
on_store_busy(void *arg)
{
	struct store_wait *w = arg;

	if (!w->told++)
		log_info("%s: upgrading the database (minutes on a large one)",
		    w->path);
	notify_extend_start(STORE_BUSY_EXTEND_SECS, "upgrading the database");
}

static int
open_store(struct feedd *d)
{
	struct store_wait w = { d->cfg->database, 0 };
	char *err = NULL;

	if (fs_mkdir_p(d->cfg->state_dir) == -1)
		log_warn("%s", d->cfg->state_dir);
	if (lock_database(d) == -1)
		return -1;
	if (store_open_busy(d->cfg->database, STORE_READWRITE, on_store_busy,
	    &w, &d->st, &err) == -1) {
		log_errorx("%s", err ? err : d->cfg->database);
		free(err);
		return -1;
	}
	if (store_sync_feeds(d->st, d->cfg) == -1) {
		log_errorx("%s", store_errmsg(d->st));	/* names the path */
		return -1;
	}
	store_set_grouping(d->st, d->cfg->group_stories, d->cfg->group_window);
	return 0;
}

static void
init_handles(struct feedd *d)
{
	uv_timer_t *timers[] = { &d->flush_timer, &d->prune_timer,
	    &d->heartbeat_timer, &d->stop_timer, &d->status_timer };
	uv_signal_t *sigs[] = { &d->sig_term, &d->sig_int, &d->sig_hup };
	struct fetch_opts o;

	for (size_t i = 0; i < sizeof(timers) / sizeof(timers[0]); i++) {
		uv_timer_init(&d->loop, timers[i]);
		timers[i]->data = d;
	}
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		uv_signal_init(&d->loop, sigs[i]);
		sigs[i]->data = d;
	}
	feedd_fetch_opts(d, d->cfg, &o);
	d->pipe = pipeline_new(d);
	d->fetcher = fetcher_new(&d->loop, &o, pipeline_fetch_req,
	    pipeline_fetch_done, d->pipe);
	d->sched = sched_new(&d->loop, pipeline_due, d->pipe);
	load_host_holds(d);
}

/*
 * The loop thread does the fetching and all SQLite work; parse workers
 * beyond the cores that are left only take CPU from it.  libuv reads
 * the size when the pool first starts, and an admin's setting wins.
 */
static void
size_parse_pool(void)
{
	char n[16];
	unsigned int cores = uv_available_parallelism();

	snprintf(n, sizeof(n), "%u", cores > 1 ? cores - 1 : 1);
	setenv("UV_THREADPOOL_SIZE", n, 0);
}

int
feedd_open(struct feedd *d, const char *config_path, enum feedd_mode mode)
{
	struct config_errors errs = { NULL, 0 };

	memset(d, 0, sizeof(*d));
	d->mode = mode;
	d->lock_fd = -1;
	timing_load(&d->timing);
	if ((d->cfg = config_load(config_path, &errs)) == NULL) {
		for (size_t i = 0; i < errs.n; i++)
			log_errorx("%s", errs.msgs[i]);
		if (errs.n == 0)
			log_errorx("%s: cannot load", config_path);
		config_errors_cleanup(&errs);
		return EXIT_USAGE;
	}
	config_errors_cleanup(&errs);
	log_set_level((enum log_level)d->cfg->log_level);
	d->config_path = xstrdup(config_path);
	if (open_store(d) == -1) {
		store_close(d->st);
		if (d->lock_fd != -1)
			close(d->lock_fd);
		config_free(d->cfg);
		free(d->config_path);
		return EXIT_RUNTIME;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	size_parse_pool();
	uv_loop_init(&d->loop);
	d->metrics = metrics_new();
	d->out = output_new();
	reopen_alert_log(d, NULL);
	init_handles(d);
	build_feeds(d->cfg, &d->feeds, &d->nfeeds);
	d->progress = mode == FEEDD_ONCE && isatty(2);
	return EXIT_OK;
}

static void
start_run(struct feedd *d)
{
	uint64_t wd = notify_watchdog_interval() / 1000;
	uint64_t beat = d->timing.heartbeat_ms;

	uv_signal_start(&d->sig_hup, on_signal, SIGHUP);
	for (size_t i = 0; i < d->nfeeds; i++)
		schedule_from_row(d, d->feeds[i]);
	status_start(d);	/* the figures the database has, at once */
	metrics_feed_states(d->metrics, d->nhealth[FEED_OK],
	    d->nhealth[FEED_FAILING], d->nhealth[FEED_GONE]);
	uv_timer_start(&d->prune_timer, on_prune, 0, PRUNE_EVERY_MS);
	d->watched = wd > 0;
	if (wd > 0 && wd < beat)
		beat = wd;
	uv_timer_start(&d->heartbeat_timer, on_heartbeat, beat, beat);
	if (d->cfg->listen)
		restart_server(d, NULL);
	feedd_flush_soon(d, 0);		/* outputs exist from the start */
	log_info("running: %zu feeds", d->nfeeds);
	notify_ready();
}

void
feedd_main(struct feedd *d)
{
	uv_signal_start(&d->sig_term, on_signal, SIGTERM);
	uv_signal_start(&d->sig_int, on_signal, SIGINT);
	if (d->mode == FEEDD_RUN)
		start_run(d);
	else {
		on_prune(&d->prune_timer);
		for (size_t i = 0; i < d->nfeeds; i++)
			pipeline_start(d->pipe, d->feeds[i]);
		if (pipeline_busy(d->pipe) == 0)
			feedd_flush_soon(d, 0);
	}
	uv_run(&d->loop, UV_RUN_DEFAULT);
	if (d->progress)
		fputs("\r\033[K", stderr);
}

void
feedd_close(struct feedd *d)
{
	close_handles(d);
	uv_run(&d->loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&d->loop) != 0)
		log_errorx("internal: event loop closed with handles open");
	for (size_t i = 0; i < d->nfeeds; i++)
		feed_state_free(d->feeds[i]);
	free(d->feeds);
	pipeline_free(d->pipe);
	alert_log_close(d->alog);
	output_free(d->out);
	metrics_free(d->metrics);
	store_close(d->st);
	if (d->lock_fd != -1)
		close(d->lock_fd);	/* after the store: the lock covers it */
	config_free(d->cfg);
	free(d->config_path);
	curl_global_cleanup();
}
