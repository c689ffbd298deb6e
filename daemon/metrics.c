/*
 * metrics: the daemon's counters and their Prometheus text exposition
 * (format 0.0.4).  One mutex guards everything: the loop updates while
 * the HTTP server's thread renders.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "daemon/metrics.h"
#include "util/buf.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

static const double metrics_buckets[] = {
	0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
};
#define METRICS_NBUCKETS (sizeof(metrics_buckets) / sizeof(metrics_buckets[0]))

static const char *const outcome_names[FETCH_OUTCOME_COUNT] = {
	[FETCH_OUTCOME_OK] = "ok",
	[FETCH_OUTCOME_NOT_MODIFIED] = "not_modified",
	[FETCH_OUTCOME_HTTP_ERROR] = "http_error",
	[FETCH_OUTCOME_NETWORK_ERROR] = "network_error",
	[FETCH_OUTCOME_PARSE_ERROR] = "parse_error",
};

struct metrics_rule {
	char	*rule;
	uint64_t n;
};

struct metrics {
	pthread_mutex_t mu;
	uint64_t fetches[FETCH_OUTCOME_COUNT];
	uint64_t items;
	struct metrics_rule *alerts;
	size_t	 nalerts;
	uint64_t buckets[METRICS_NBUCKETS];	/* not cumulative */
	uint64_t duration_count;
	double	 duration_sum;
	int	 feeds_ok, feeds_failing, feeds_gone;
	int64_t	 last_cycle;
	int64_t	 loop_beat_ms;
	int	 database_damaged;
};

struct metrics *
metrics_new(void)
{
	struct metrics *m = xcalloc(1, sizeof(*m));

	pthread_mutex_init(&m->mu, NULL);
	m->loop_beat_ms = (int64_t)(uv_hrtime() / 1000000);
	return m;
}

void
metrics_free(struct metrics *m)
{
	size_t	 i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nalerts; i++)
		free(m->alerts[i].rule);
	free(m->alerts);
	pthread_mutex_destroy(&m->mu);
	free(m);
}

void
metrics_fetch_done(struct metrics *m, enum fetch_outcome outcome,
    double seconds)
{
	size_t	 i;

	if ((unsigned)outcome >= FETCH_OUTCOME_COUNT)
		return;
	if (!(seconds >= 0))
		seconds = 0;		/* NaN or a clock step */
	pthread_mutex_lock(&m->mu);
	m->fetches[outcome]++;
	for (i = 0; i < METRICS_NBUCKETS; i++)
		if (seconds <= metrics_buckets[i]) {
			m->buckets[i]++;
			break;
		}
	m->duration_count++;
	m->duration_sum += seconds;
	pthread_mutex_unlock(&m->mu);
}

void
metrics_items_stored(struct metrics *m, int n)
{
	if (n <= 0)
		return;
	pthread_mutex_lock(&m->mu);
	m->items += (uint64_t)n;
	pthread_mutex_unlock(&m->mu);
}

void
metrics_alert_fired(struct metrics *m, const char *rule)
{
	size_t	 i;

	if (rule == NULL)
		rule = "";
	pthread_mutex_lock(&m->mu);
	for (i = 0; i < m->nalerts; i++)
		if (strcmp(m->alerts[i].rule, rule) == 0)
			break;
	if (i == m->nalerts) {
		m->alerts = xreallocarray(m->alerts, m->nalerts + 1,
		    sizeof(*m->alerts));
		m->alerts[i].rule = xstrdup(rule);
		m->alerts[i].n = 0;
		m->nalerts++;
	}
	m->alerts[i].n++;
	pthread_mutex_unlock(&m->mu);
}

void
metrics_feed_states(struct metrics *m, int ok, int failing, int gone)
{
	pthread_mutex_lock(&m->mu);
	m->feeds_ok = ok;
	m->feeds_failing = failing;
	m->feeds_gone = gone;
	pthread_mutex_unlock(&m->mu);
}

void
metrics_cycle_done(struct metrics *m, int64_t when)
{
	pthread_mutex_lock(&m->mu);
	m->last_cycle = when;
	pthread_mutex_unlock(&m->mu);
}

void
metrics_loop_beat(struct metrics *m, int64_t now_ms)
{
	pthread_mutex_lock(&m->mu);
	m->loop_beat_ms = now_ms;
	pthread_mutex_unlock(&m->mu);
}

void
metrics_database_damaged(struct metrics *m, int damaged)
{
	pthread_mutex_lock(&m->mu);
	m->database_damaged = damaged;
	pthread_mutex_unlock(&m->mu);
}

void
metrics_health(struct metrics *m, int64_t now_ms, struct metrics_health *h)
{
	pthread_mutex_lock(&m->mu);
	h->silence_ms = now_ms > m->loop_beat_ms ? now_ms - m->loop_beat_ms : 0;
	h->database_damaged = m->database_damaged;
	pthread_mutex_unlock(&m->mu);
}

/* A label value: backslash, quote and newline escaped (0.0.4). */
static const char *const label_escape_of[256] = {
	['\\'] = "\\\\", ['"'] = "\\\"", ['\n'] = "\\n",
};

/*
 * A label value as the text format wants it: UTF-8 (a rule named in a
 * Latin-1 config made the whole scrape invalid), escaped.
 */
static void
put_label(struct buf *b, const char *s)
{
	char	*clean = NULL;
	size_t	 n = strlen(s);

	if (!utf8_valid(s, n)) {
		struct buf u;
		uint32_t cp;
		size_t	 k;

		buf_init(&u, 0);
		for (const unsigned char *p = (const unsigned char *)s;
		    n > 0; p += k, n -= k) {
			if ((k = utf8_decode(p, n, &cp)) == 0)
				k = 1, cp = 0xFFFD;
			buf_put_utf8(&u, cp);
		}
		s = clean = buf_detach(&u);
	}
	buf_put_escaped(b, s, label_escape_of);
	free(clean);
}

static void
head(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
render_fetches(struct metrics *m, struct buf *b)
{
	uint64_t cum = 0;
	size_t	 i;

	head(b, "feedd_fetches_total", "counter", "Feed fetches by outcome.");
	for (i = 0; i < FETCH_OUTCOME_COUNT; i++)
		buf_printf(b, "feedd_fetches_total{outcome=\"%s\"} %llu\n",
		    outcome_names[i], (unsigned long long)m->fetches[i]);
	head(b, "feedd_fetch_duration_seconds", "histogram",
	    "Time a fetch took, from start to done.");
	for (i = 0; i < METRICS_NBUCKETS; i++) {
		cum += m->buckets[i];
		buf_printf(b, "feedd_fetch_duration_seconds_bucket{le=\"%g\"} "
		    "%llu\n", metrics_buckets[i], (unsigned long long)cum);
	}
	buf_printf(b, "feedd_fetch_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
	    "feedd_fetch_duration_seconds_sum %.6f\n"
	    "feedd_fetch_duration_seconds_count %llu\n",
	    (unsigned long long)m->duration_count, m->duration_sum,
	    (unsigned long long)m->duration_count);
}

static void
render_rest(struct metrics *m, struct buf *b)
{
	size_t	 i;

	head(b, "feedd_items_stored_total", "counter", "New items stored.");
	buf_printf(b, "feedd_items_stored_total %llu\n",
	    (unsigned long long)m->items);
	head(b, "feedd_alerts_total", "counter", "Alerts written, by rule.");
	for (i = 0; i < m->nalerts; i++) {
		buf_puts(b, "feedd_alerts_total{rule=\"");
		put_label(b, m->alerts[i].rule);
		buf_printf(b, "\"} %llu\n", (unsigned long long)m->alerts[i].n);
	}
	head(b, "feedd_feeds", "gauge", "Configured feeds by state.");
	buf_printf(b, "feedd_feeds{state=\"ok\"} %d\n"
	    "feedd_feeds{state=\"failing\"} %d\n"
	    "feedd_feeds{state=\"gone\"} %d\n",
	    m->feeds_ok, m->feeds_failing, m->feeds_gone);
	head(b, "feedd_last_cycle_timestamp_seconds", "gauge",
	    "When no fetch was last waiting for its turn (Unix seconds).");
	buf_printf(b, "feedd_last_cycle_timestamp_seconds %lld\n",
	    (long long)m->last_cycle);
	head(b, "feedd_database_damaged", "gauge",
	    "1 when an error said the database file is damaged (feedd repair).");
	buf_printf(b, "feedd_database_damaged %d\n", m->database_damaged);
	head(b, "feedd_build_info", "gauge", "feedd version.");
	buf_puts(b, "feedd_build_info{version=\"" FEEDD_VERSION "\"} 1\n");
}

int
metrics_render(struct metrics *m, struct buf *out)
{
	size_t	 before = out->len;

	pthread_mutex_lock(&m->mu);
	render_fetches(m, out);
	render_rest(m, out);
	pthread_mutex_unlock(&m->mu);
	return out->len > before ? 0 : -1;
}
