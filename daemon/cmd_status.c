/*
 * cmd_status: `feedd status`, the state at a glance: is a daemon
 * running on this database and since when; feeds ok, failing (named,
 * with why) and gone; last and next poll; items and alerts in 24 h;
 * database size; the outputs and their URLs when served.  Exit 1 when
 * something needs attention, so monitoring can run it as a check.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/cmd.h"
#include "daemon/lockinfo.h"
#include "daemon/output.h"
#include "daemon/query.h"
#include "daemon/table.h"
#include "util/xmalloc.h"
#include "util/buf.h"
#include "feeds/date.h"
#include "util/termtext.h"

#define DAY	86400
/* A flush writes its alerts within seconds; older ones wait on a log
 * that cannot be written. */
#define ALERT_LAG 120

struct status {
	const struct config *cfg;
	const struct out *o;
	struct lock_info lock;
	int	 db_ok;
	char	*db_err;	/* why the database there did not open */
	struct store *st;	/* the database, when it opened */
	size_t	 nknown;		/* stored feeds the config has */
	size_t	 nok, nfailing, ngone, nnever, ninactive;
	int64_t	 last_poll, next_poll;
	int64_t	 items_24h, alerts_24h;	/* store_recent_counts */
	int64_t	 alerts_waiting, alerts_waiting_since;
	int64_t	 outputs_failing_since;	/* output_failing_since */
	char	*attention[8];	/* what needs attention, one phrase each */
	size_t	 nattention;
};

static void __attribute__((format(printf, 2, 3)))
attention(struct status *s, const char *fmt, ...)
{
	va_list ap;

	if (s->nattention == sizeof(s->attention) / sizeof(s->attention[0]))
		return;
	va_start(ap, fmt);
	s->attention[s->nattention++] = xvasprintf(fmt, ap);
	va_end(ap);
}

/*
 * A stored feed counts when the config has it now: a daemon that has
 * not reloaded yet may still list one that was removed.
 */
static int
configured(const struct status *s, const struct feed_row *f)
{
	return f->active && config_find_feed(s->cfg, f->name) != NULL;
}

/* store_feed_fn: f into the counts.  Feeds are read a row at a time:
 * 100,000 feeds listed whole took 43 MB of a `feedd status`. */
static int
count_feed(struct feed_row *f, void *arg)
{
	struct status *s = arg;
	const char *st = feed_state(f);

	if (!configured(s, f)) {
		s->ninactive++;
		return 0;
	}
	s->nknown++;
	if (strcmp(st, "gone") == 0)
		s->ngone++;
	else if (strcmp(st, "never") == 0)
		s->nnever++;
	else if (strcmp(st, "error") == 0)
		s->nfailing++;
	else
		s->nok++;
	if (f->last_fetch > s->last_poll)
		s->last_poll = f->last_fetch;
	if (!f->gone && f->next_due > 0 &&
	    (s->next_poll == 0 || f->next_due < s->next_poll))
		s->next_poll = f->next_due;
	return 0;
}

static int
count_feeds(struct status *s)
{
	if (s->st != NULL && store_feeds_each(s->st, count_feed, s) == -1)
		return -1;
	/* configured, not stored yet: added since the last poll */
	if (s->cfg->nfeeds > s->nknown)
		s->nnever += s->cfg->nfeeds - s->nknown;
	return 0;
}

/* The longest poll interval among the feeds: what "stale" is measured by. */
static int64_t
longest_interval(const struct config *cfg)
{
	int64_t max = cfg->interval;

	for (size_t i = 0; i < cfg->nfeeds; i++)
		if (cfg->feeds[i].interval > max)
			max = cfg->feeds[i].interval;
	return max;
}

static void
judge(struct status *s)
{
	int64_t stale = 2 * longest_interval(s->cfg) + s->cfg->timeout;
	char	 d[DATE_RFC3339_LEN];

	if (s->cfg->nfeeds == 0)
		attention(s, "no feeds configured");
	if (!s->db_ok && s->db_err != NULL) {
		attention(s, "%s", s->db_err);
		return;
	}
	if (!s->db_ok) {
		attention(s, "no database yet (run `feedd once` or "
		    "`feedd run`)");
		return;
	}
	if (s->nfailing > 0)
		attention(s, "%zu feed%s failing", s->nfailing,
		    s->nfailing == 1 ? "" : "s");
	if (s->ngone > 0)
		attention(s, "%zu feed%s gone (HTTP 410)", s->ngone,
		    s->ngone == 1 ? "" : "s");
	if (s->cfg->alert_log != NULL && s->alerts_waiting > 0 &&
	    s->o->now - s->alerts_waiting_since > ALERT_LAG)
		attention(s, "%lld alert%s not written to the alert log since %s"
		    " (the daemon's log says why)", (long long)s->alerts_waiting,
		    s->alerts_waiting == 1 ? "" : "s",
		    date_format_rfc3339(s->alerts_waiting_since, d, sizeof(d)));
	if (s->outputs_failing_since > 0)
		attention(s, "outputs not written since %s (the daemon's log "
		    "says why)", date_format_rfc3339(s->outputs_failing_since,
		    d, sizeof(d)));
	if (s->last_poll > 0 && s->o->now - s->last_poll > stale)
		attention(s, "no poll for longer than twice the interval");
	else if (s->last_poll == 0 && s->cfg->nfeeds > 0 && s->lock.held)
		;	/* first poll under way */
	else if (s->last_poll == 0 && s->cfg->nfeeds > 0)
		attention(s, "no feed polled yet");
}

static int
status_gather(struct status *s, struct query *q, const char *cmd)
{
	char *err = NULL;

	(void)lock_info_read(q->cfg->database, &s->lock);
	if (store_open(q->cfg->database, STORE_READONLY, &q->st, &err) == 0)
		s->db_ok = 1;
	else if (access(q->cfg->database, F_OK) == 0 || errno != ENOENT) {
		/* there, or its folder unreadable: damaged or forbidden,
		 * not "no database yet" */
		s->db_err = err;
		err = NULL;
	}
	free(err);
	if (s->db_ok)
		s->st = q->st;
	if (s->db_ok && (count_feeds(s) == -1 ||
	    store_recent_counts(q->st, s->o->now - DAY, &s->items_24h,
	    &s->alerts_24h) == -1 || store_alerts_waiting(q->st,
	    &s->alerts_waiting, &s->alerts_waiting_since) == -1)) {
		cmd_error(cmd, "%s", store_errmsg(q->st));
		return -1;
	}
	if (s->db_ok)
		s->outputs_failing_since = output_failing_since(q->st);
	else
		(void)count_feeds(s);	/* the config's alone */
	judge(s);
	return 0;
}

static int64_t
file_size(const char *path, int64_t *mtime)
{
	struct stat st;

	if (path == NULL || stat(path, &st) == -1)
		return errno == ENOENT || path == NULL ? -1 : -2;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;		/* a folder in a file's place */
		return -2;
	}
	if (mtime)
		*mtime = (int64_t)st.st_mtime;
	return (int64_t)st.st_size;
}

/* "12.3 MB" */
static const char *
human_size(int64_t n, char *buf, size_t len)
{
	if (n < 1024)
		snprintf(buf, len, "%lld B", (long long)n);
	else if (n < 1024 * 1024)
		snprintf(buf, len, "%.1f KB", n / 1024.0);
	else
		snprintf(buf, len, "%.1f MB", n / (1024.0 * 1024.0));
	return buf;
}

/* Outputs are served over HTTP only while `feedd run` runs. */
static int
served(const struct status *s)
{
	return s->cfg->listen != NULL && s->lock.held &&
	    strcmp(s->lock.mode, "once") != 0 &&
	    strcmp(s->lock.mode, "repair") != 0;
}

/* The URL an output is served at, or NULL (caller frees). */
static char *
served_url(const struct status *s, const char *path_in_url)
{
	if (!served(s))
		return NULL;
	return xasprintf("http://%s%s", s->cfg->listen, path_in_url);
}

/* ---- printing ---- */

static void
put_key_value(const struct status *s, const char *key, const char *colour,
    const char *v)
{
	char *c, *cut;

	if (s->o->mode != OUT_TABLE) {
		printf("%s\t", key);
		term_put(stdout, v);
		putchar('\n');
		return;
	}
	c = term_cleaned(v);
	cut = term_cut(c, s->o->width > 12 ? s->o->width - 11 : 1);
	if (s->o->colour)
		printf("\033[1m%-10s\033[0m \033[%sm%s\033[0m\n", key,
		    colour ? colour : "0", cut);
	else
		printf("%-10s %s\n", key, cut);
	free(cut);
	free(c);
}

/* One "KEY  value" line: aligned and coloured on a terminal, KEY\tvalue piped. */
static void __attribute__((format(printf, 4, 5)))
line(const struct status *s, const char *key, const char *colour,
    const char *fmt, ...)
{
	va_list ap;
	char *v;

	va_start(ap, fmt);
	v = xvasprintf(fmt, ap);
	va_end(ap);
	put_key_value(s, key, colour, v);
	free(v);
}

/* A time as an age on a terminal, RFC 3339 otherwise; into buf. */
static const char *
when(const struct status *s, int64_t t, char *buf, size_t len)
{
	char d[DATE_RFC3339_LEN];

	if (s->o->mode == OUT_TABLE)
		return out_age(s->o, t, buf, len);
	snprintf(buf, len, "%s", t > 0 ?
	    date_format_rfc3339(t, d, sizeof(d)) : "-");
	return buf;
}

static void
print_daemon(const struct status *s)
{
	char a[40];

	if (!s->lock.held) {
		line(s, "daemon", C_YELLOW, "not running");
		return;
	}
	line(s, "daemon", C_GREEN, "%s since %s (pid %ld)",
	    strcmp(s->lock.mode, "once") == 0 ? "feedd once running" :
	    strcmp(s->lock.mode, "repair") == 0 ? "feedd repair running" :
	    "running", s->lock.started ? when(s, s->lock.started, a,
	    sizeof(a)) : "?", (long)s->lock.pid);
}

/* store_feed_fn: f's line when it fails or is gone. */
static int
print_feed(struct feed_row *f, void *arg)
{
	const struct status *s = arg;
	char a[40];

	if (!configured(s, f))
		return 0;
	if (strcmp(feed_state(f), "error") == 0)
		line(s, "failing", C_RED, "%s: %s (%d in a row, last ok %s)",
		    f->name, f->last_error, f->consecutive_errors,
		    f->last_success ? when(s, f->last_success, a, sizeof(a)) :
		    "never");
	else if (f->gone)
		line(s, "gone", C_YELLOW, "%s: %s answers 410 Gone; remove it"
		    " from the config", f->name, f->url);
	return 0;
}

static void
print_feeds(const struct status *s)
{
	line(s, "feeds", s->nfailing || s->ngone ? C_RED : C_GREEN,
	    "%zu configured: %zu ok, %zu failing, %zu gone, %zu never "
	    "fetched%s", s->cfg->nfeeds, s->nok, s->nfailing, s->ngone,
	    s->nnever, s->ninactive ? " (+ old ones no longer configured)" :
	    "");
	/* its error was counted: the lines are what can still be read */
	if (s->st != NULL && (s->nfailing > 0 || s->ngone > 0))
		(void)store_feeds_each(s->st, print_feed, (void *)s);
}

static void
print_polls(const struct status *s)
{
	char a[40], b[40];

	line(s, "last poll", C_NONE, "%s", s->last_poll ?
	    when(s, s->last_poll, a, sizeof(a)) : "never");
	if (s->next_poll == 0)
		line(s, "next poll", C_NONE, "-");
	else if (s->next_poll <= s->o->now && s->o->mode == OUT_TABLE)
		line(s, "next poll", C_NONE, "due now%s", s->lock.held ? "" :
		    " (no daemon running: feedd run, or feedd once)");
	else
		line(s, "next poll", C_NONE, "%s", when(s, s->next_poll, b,
		    sizeof(b)));
}

static void
print_output(const struct status *s, const char *key, const char *path,
    const char *url_path)
{
	int64_t mtime = 0, size;
	char a[40], n[32], *url;
	int	 err;

	if (path == NULL)
		return;
	size = file_size(path, &mtime);
	err = errno;
	url = url_path ? served_url(s, url_path) : NULL;
	if (size == -2)
		line(s, key, C_YELLOW, "%s (%s)", path, strerror(err));
	else if (size < 0)
		line(s, key, C_DIM, "%s (not written yet)", path);
	else
		line(s, key, C_NONE, "%s (%s, written %s)", path,
		    human_size(size, n, sizeof(n)), when(s, mtime, a, sizeof(a)));
	if (url)
		line(s, "served at", C_NONE, "%s", url);
	free(url);
}

static void
status_print(const struct status *s)
{
	int64_t db = file_size(s->cfg->database, NULL), wal;
	int	 db_errno = errno;
	char *walpath = xasprintf("%s-wal", s->cfg->database), n[32], w[32];

	wal = file_size(walpath, NULL);
	free(walpath);
	line(s, "config", C_NONE, "%s", s->cfg->path);
	print_daemon(s);
	if (s->db_ok) {
		print_feeds(s);
		print_polls(s);
		line(s, "24 h", C_NONE, "%lld items, %lld alerts",
		    (long long)s->items_24h, (long long)s->alerts_24h);
	} else {
		/* the screen's lines all the same (INTERFACE.md) */
		line(s, "feeds", C_NONE, "%zu configured, none fetched yet",
		    s->cfg->nfeeds);
		line(s, "last poll", C_NONE, "never");
		line(s, "24 h", C_NONE, "0 items, 0 alerts");
	}
	if (db >= 0)
		line(s, "database", C_NONE, "%s, %s%s%s%s", s->cfg->database,
		    human_size(db, n, sizeof(n)), wal > 0 ? " (+ " : "",
		    wal > 0 ? human_size(wal, w, sizeof(w)) : "",
		    wal > 0 ? " write-ahead log)" : "");
	else if (db == -2)
		line(s, "database", C_YELLOW, "%s (%s)", s->cfg->database,
		    strerror(db_errno));
	else
		line(s, "database", C_YELLOW, "%s (does not exist yet)",
		    s->cfg->database);
	print_output(s, "atom", s->cfg->atom_path, "/feed.xml");
	print_output(s, "json", s->cfg->json_path, "/feed.json");
	print_output(s, "alert log", s->cfg->alert_log, NULL);
	if (s->cfg->alert_feeds_dir)
		line(s, "alert feeds", C_NONE, "%s/RULE.xml%s%s",
		    s->cfg->alert_feeds_dir, served(s) ?
		    ", served under /alerts/" : "", "");
	if (!served(s) && s->cfg->listen)
		line(s, "http", C_DIM, "%s (served only while feedd run runs)",
		    s->cfg->listen);
	for (size_t i = 0; i < s->nattention; i++)
		line(s, "attention", C_RED, "%s", s->attention[i]);
	if (s->nattention == 0)
		line(s, "attention", C_GREEN, "none: all well");
}

/* ---- JSON ---- */

/* What json_feed adds a failing or gone feed to. */
struct json_feeds {
	const struct status *s;
	cJSON	*failing, *gone;
};

/* store_feed_fn: f into the lists when it fails or is gone. */
static int
json_feed(struct feed_row *f, void *arg)
{
	struct json_feeds *jf = arg;
	cJSON	*j;

	if (!configured(jf->s, f))
		return 0;
	if (strcmp(feed_state(f), "error") == 0) {
		j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "name", f->name);
		cJSON_AddItemToObject(j, "error", out_json_str(f->last_error));
		cJSON_AddNumberToObject(j, "consecutive_errors",
		    f->consecutive_errors);
		cJSON_AddItemToObject(j, "last_success",
		    out_json_time(f->last_success));
		cJSON_AddItemToArray(jf->failing, j);
	} else if (f->gone)
		cJSON_AddItemToArray(jf->gone, cJSON_CreateString(f->name));
	return 0;
}

static cJSON *
status_json_feeds(const struct status *s)
{
	cJSON *o = cJSON_CreateObject();
	struct json_feeds jf = { s, cJSON_CreateArray(), cJSON_CreateArray() };

	cJSON_AddNumberToObject(o, "configured", (double)s->cfg->nfeeds);
	cJSON_AddNumberToObject(o, "ok", (double)s->nok);
	cJSON_AddNumberToObject(o, "failing", (double)s->nfailing);
	cJSON_AddNumberToObject(o, "gone", (double)s->ngone);
	cJSON_AddNumberToObject(o, "never", (double)s->nnever);
	if (s->st != NULL && (s->nfailing > 0 || s->ngone > 0))
		(void)store_feeds_each(s->st, json_feed, &jf);
	cJSON_AddItemToObject(o, "failing_feeds", jf.failing);
	cJSON_AddItemToObject(o, "gone_feeds", jf.gone);
	return o;
}

static cJSON *
status_json_output(const struct status *s, const char *path,
    const char *url_path)
{
	cJSON *o = cJSON_CreateObject();
	int64_t mtime = 0, size = file_size(path, &mtime);
	char *url = url_path ? served_url(s, url_path) : NULL;

	cJSON_AddItemToObject(o, "path", out_json_str(path));
	if (size >= 0)
		cJSON_AddNumberToObject(o, "bytes", (double)size);
	else
		cJSON_AddNullToObject(o, "bytes");
	cJSON_AddItemToObject(o, "written", out_json_time(size >= 0 ? mtime : 0));
	cJSON_AddItemToObject(o, "url", out_json_str(url));
	free(url);
	return o;
}

static cJSON *
status_json(const struct status *s)
{
	cJSON *o = cJSON_CreateObject(), *att = cJSON_CreateArray();
	cJSON *outs = cJSON_CreateObject();
	char *walpath = xasprintf("%s-wal", s->cfg->database);
	int64_t db = file_size(s->cfg->database, NULL);
	int64_t wal = file_size(walpath, NULL);

	free(walpath);
	cJSON_AddStringToObject(o, "config", s->cfg->path);
	cJSON_AddBoolToObject(o, "running", s->lock.held);
	cJSON_AddItemToObject(o, "mode", out_json_str(s->lock.held &&
	    s->lock.mode[0] ? s->lock.mode : NULL));
	if (s->lock.held && s->lock.pid)
		cJSON_AddNumberToObject(o, "pid", s->lock.pid);
	else
		cJSON_AddNullToObject(o, "pid");
	cJSON_AddItemToObject(o, "since", out_json_time(s->lock.held ?
	    s->lock.started : 0));
	cJSON_AddItemToObject(o, "feeds", status_json_feeds(s));
	cJSON_AddItemToObject(o, "last_poll", out_json_time(s->last_poll));
	cJSON_AddItemToObject(o, "next_poll", out_json_time(s->next_poll));
	cJSON_AddNumberToObject(o, "items_24h", (double)s->items_24h);
	cJSON_AddNumberToObject(o, "alerts_24h", (double)s->alerts_24h);
	cJSON_AddStringToObject(o, "database", s->cfg->database);
	cJSON_AddNumberToObject(o, "database_bytes", (double)(db > 0 ? db : 0) +
	    (double)(wal > 0 ? wal : 0));
	if (s->cfg->atom_path)
		cJSON_AddItemToObject(outs, "atom",
		    status_json_output(s, s->cfg->atom_path, "/feed.xml"));
	if (s->cfg->json_path)
		cJSON_AddItemToObject(outs, "json",
		    status_json_output(s, s->cfg->json_path, "/feed.json"));
	if (s->cfg->alert_log)
		cJSON_AddItemToObject(outs, "alert_log",
		    status_json_output(s, s->cfg->alert_log, NULL));
	cJSON_AddItemToObject(o, "outputs", outs);
	for (size_t i = 0; i < s->nattention; i++)
		cJSON_AddItemToArray(att, cJSON_CreateString(s->attention[i]));
	cJSON_AddItemToObject(o, "attention", att);
	cJSON_AddBoolToObject(o, "ok", s->nattention == 0);
	return o;
}

int
cmd_status(int argc, char **argv, const char *config_path)
{
	struct status s;
	struct qopts opt;
	struct query q;
	struct out o;
	int rc;

	if (query_parse_opts(argc, argv, "j", &opt) == -1 || optind != argc)
		return cmd_usage(cmd_find(argv[0]));
	if ((rc = query_open(argv[0], config_path, &q, QUERY_NO_DB)) != EXIT_OK)
		return rc;
	memset(&s, 0, sizeof(s));
	out_init(&o, opt.json);
	s.cfg = q.cfg;
	s.o = &o;
	if (status_gather(&s, &q, argv[0]) == -1)
		rc = EXIT_RUNTIME;
	else {
		if (o.mode == OUT_JSON)
			out_json_line(stdout, status_json(&s));
		else
			status_print(&s);
		rc = s.nattention > 0 ? EXIT_RUNTIME : EXIT_OK;
	}
	free(s.db_err);
	for (size_t i = 0; i < s.nattention; i++)
		free(s.attention[i]);
	query_close(&q);
	return rc;
}
