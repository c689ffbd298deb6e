/*
 * status: the STATUS= line of `feedd run` (see status.h).  A change
 * (a fetch done or started, alerts written, a reload) asks for a
 * refresh within a second (timing.h); a timer refreshes every minute anyway,
 * as items and alerts leave the 24 h window and "next poll" moves.  The
 * two counts are index range queries, run at most once a second.
 */
#include <stdio.h>
#include <string.h>

#include "daemon/feedd.h"
#include "daemon/notify.h"
#include "daemon/pipeline.h"
#include "daemon/status.h"
#include "storage/store.h"
#include "util/log.h"

#define STATUS_EVERY_MS	(60 * 1000)

static const char *
plural(int64_t n)
{
	return n == 1 ? "" : "s";
}

/* "14:05:09" today, "Dec 04 14:05" on another day. */
static void
format_when(char *buf, size_t n, time_t when, time_t now)
{
	struct tm w, t;

	localtime_r(&when, &w);
	localtime_r(&now, &t);
	if (w.tm_year == t.tm_year && w.tm_yday == t.tm_yday)
		strftime(buf, n, "%H:%M:%S", &w);
	else
		strftime(buf, n, "%b %d %H:%M", &w);
}

static void
format_count(char *buf, size_t n, int64_t v, const char *what)
{
	if (v < 0)
		snprintf(buf, n, "? %ss", what);
	else
		snprintf(buf, n, "%lld %s%s", (long long)v, what, plural(v));
}

void
status_format(char *buf, size_t n, const struct status_figures *f,
    time_t now)
{
	char extra[64] = "", items[32], alerts[32], next[48], when[32];
	int never = f->feeds - f->ok - f->failing - f->gone;
	size_t len;

	if (f->gone > 0)
		snprintf(extra, sizeof(extra), ", %d gone", f->gone);
	if (never > 0) {
		len = strlen(extra);
		snprintf(extra + len, sizeof(extra) - len, ", %d not polled yet",
		    never);
	}
	format_count(items, sizeof(items), f->items, "item");
	format_count(alerts, sizeof(alerts), f->alerts, "alert");
	if (f->polling > 0)
		snprintf(next, sizeof(next), "polling %d feed%s", f->polling,
		    plural(f->polling));
	else if (f->next_poll > 0) {
		format_when(when, sizeof(when), (time_t)(f->next_poll > now ?
		    f->next_poll : now), now);
		snprintf(next, sizeof(next), "next poll %s", when);
	} else
		snprintf(next, sizeof(next), "no poll scheduled");
	snprintf(buf, n, "%d feed%s: %d ok, %d failing%s; %s and %s in 24 h; %s",
	    f->feeds, plural(f->feeds), f->ok, f->failing, extra, items,
	    alerts, next);
}

static void
gather(struct feedd *d, struct status_figures *f, time_t now)
{
	int64_t due = d->sched ? sched_next_due(d->sched) : -1;

	memset(f, 0, sizeof(*f));
	f->feeds = (int)d->nfeeds;
	f->ok = d->nhealth[FEED_OK];
	f->failing = d->nhealth[FEED_FAILING];
	f->gone = d->nhealth[FEED_GONE];
	f->polling = d->pipe ? (int)pipeline_busy(d->pipe) : 0;
	/* ceil: a poll due in 200 ms is not "now" a second early */
	f->next_poll = due < 0 ? 0 : (due + 999) / 1000;
	if (store_recent_counts(d->st, (int64_t)now - STATUS_WINDOW,
	    &f->items, &f->alerts) == -1) {
		log_warnx("status: %s", store_errmsg(d->st));
		f->items = f->alerts = -1;
	}
}

void
status_update(struct feedd *d)
{
	struct status_figures f;
	char line[sizeof(d->status_line)];
	time_t now = time(NULL);

	if (d->mode != FEEDD_RUN || d->closed)
		return;
	gather(d, &f, now);
	status_format(line, sizeof(line), &f, now);
	if (strcmp(line, d->status_line) == 0)
		return;
	memcpy(d->status_line, line, sizeof(line));
	notify_status("%s", line);
}

static void
on_status(uv_timer_t *t)
{
	struct feedd *d = t->data;

	d->status_soon = 0;
	status_update(d);
}

void
status_soon(struct feedd *d)
{
	if (d->mode != FEEDD_RUN || d->closed || d->status_soon)
		return;
	d->status_soon = 1;
	uv_timer_start(&d->status_timer, on_status, d->timing.status_soon_ms,
	    STATUS_EVERY_MS);
}

void
status_start(struct feedd *d)
{
	uv_timer_start(&d->status_timer, on_status, STATUS_EVERY_MS,
	    STATUS_EVERY_MS);
	status_update(d);
}
