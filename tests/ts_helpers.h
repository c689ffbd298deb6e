/*
 * ts_helpers: what the fetch, daemon and hostile suites share: starting
 * build/testsrv (FEEDD_TESTSRV) on 127.0.0.1, reading its request log,
 * writing a config beside a temporary state_dir, running feedd, and
 * reading the database read-only, running `feedd run` in the background.
 * static inline: each suite takes what
 * it uses.
 */
#ifndef FEEDD_TS_HELPERS_H
#define FEEDD_TS_HELPERS_H

#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/xmalloc.h"
#include "tests/helpers.h"

struct ts {
	pid_t	 pid;
	int	 in;		/* its stdin: closing it stops the server */
	int	 port;
	char	*dir;		/* temp root: www/, log, feedd.conf, state/ */
	char	*www;
	char	*log;
};

static inline const char *
ts_bin(void)
{
	const char *p = getenv("FEEDD_TESTSRV");

	return p && *p ? p : "build/testsrv";
}

static inline void
ts_start(struct ts *t)
{
	int pin[2], pout[2];
	char line[32] = "";
	FILE *fp;

	memset(t, 0, sizeof(*t));
	t->dir = th_tmpdir();
	t->www = th_path(t->dir, "www");
	t->log = th_path(t->dir, "requests.log");
	mkdir(t->www, 0755);
	cr_assert_eq(pipe(pin), 0);
	cr_assert_eq(pipe(pout), 0);
	signal(SIGPIPE, SIG_IGN);
	if ((t->pid = fork()) == 0) {
		dup2(pin[0], 0);
		dup2(pout[1], 1);
		close(pin[1]);
		close(pout[0]);
		execl(ts_bin(), ts_bin(), t->www, t->log, (char *)NULL);
		_exit(127);
	}
	close(pin[0]);
	close(pout[1]);
	t->in = pin[1];
	fp = fdopen(pout[0], "r");
	cr_assert(fgets(line, sizeof(line), fp) != NULL, "testsrv did not start");
	fclose(fp);
	t->port = atoi(line);
	cr_assert_gt(t->port, 0);
}

static inline void
ts_stop(struct ts *t)
{
	close(t->in);
	kill(t->pid, SIGTERM);
	waitpid(t->pid, NULL, 0);
	th_rmdir(t->dir);
	free(t->dir);
	free(t->www);
	free(t->log);
}

/* Writes www/NAME. */
static inline void
ts_put(struct ts *t, const char *name, const char *body)
{
	char *p = th_path(t->www, name);

	cr_assert_eq(th_write_file(p, body, strlen(body)), 0);
	free(p);
}

/* Lines of the request log containing every needle given (NULL-ended). */
static inline int
ts_count(struct ts *t, const char *needle, const char *needle2)
{
	char *log = th_read_file(t->log, NULL), *line, *save = NULL;
	int n = 0;

	if (log == NULL)
		return 0;
	for (line = strtok_r(log, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save))
		if (strstr(line, needle) && (!needle2 || strstr(line, needle2)))
			n++;
	free(log);
	return n;
}

/* Config at DIR/feedd.conf: test defaults (a timeout and a log_level
 * unless daemon_extra sets them), then extra text (feeds ...). */
static inline char *
ts_config(struct ts *t, const char *daemon_extra, const char *rest)
{
	char *path = th_path(t->dir, "feedd.conf");
	char *text = xasprintf("[daemon]\nstate_dir = state\n%s%s"
	    "%s\n[output]\natom = feed.xml\n\n"
	    "[alerts]\nlog = alerts.log\n\n%s",
	    strstr(daemon_extra, "timeout") ? "" : "timeout = 4s\n",
	    strstr(daemon_extra, "log_level") ? "" : "log_level = info\n",
	    daemon_extra, rest);

	cr_assert_eq(th_write_file(path, text, strlen(text)), 0);
	free(text);
	return path;
}

static inline char *
ts_feed(struct ts *t, const char *name, const char *pathq)
{
	return xasprintf("[feed \"%s\"]\nurl = http://127.0.0.1:%d%s\n\n", name,
	    t->port, pathq);
}

/* Config with one feed NAME at PATHQ (plus [daemon] lines); caller frees. */
static inline char *
ts_conf_one(struct ts *t, const char *name, const char *pathq,
    const char *daemon_extra)
{
	char *f = ts_feed(t, name, pathq);
	char *conf = ts_config(t, daemon_extra, f);

	free(f);
	return conf;
}

static inline sqlite3 *
ts_db(struct ts *t)
{
	char *p = xasprintf("file:%s/state/feedd.db?mode=ro", t->dir);
	sqlite3 *db = NULL;

	cr_assert_eq(sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_URI, NULL), SQLITE_OK, "%s", p);
	sqlite3_busy_timeout(db, 5000);
	free(p);
	return db;
}

/* Runs sql on the database read-write (a test setting state up). */
static inline void
ts_db_exec(struct ts *t, const char *sql)
{
	char *p = xasprintf("%s/state/feedd.db", t->dir);
	sqlite3 *db = NULL;

	cr_assert_eq(sqlite3_open(p, &db), SQLITE_OK, "%s", p);
	sqlite3_busy_timeout(db, 5000);
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK,
	    "%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
	free(p);
}

/* First column of the first row of sql as an integer (-1: no row). */
static inline long long
ts_db_int(struct ts *t, const char *sql)
{
	sqlite3 *db = ts_db(t);
	sqlite3_stmt *s;
	long long v = -1;

	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK,
	    "%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* ... as a string (caller frees; NULL for no row or NULL). */
static inline char *
ts_db_str(struct ts *t, const char *sql)
{
	sqlite3 *db = ts_db(t);
	sqlite3_stmt *s;
	char *v = NULL;

	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK,
	    "%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		v = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* `feedd once -c CONF`; asserts exit 0 and returns the result. */
static inline void
ts_once(const char *conf, struct th_result *r)
{
	cr_assert_eq(th_feedd_run(r, 60, "once", "-c", conf, NULL), 0);
	cr_assert_eq(r->status, 0, "once exit %d: %s", r->status, r->err);
	cr_assert_null(strstr(r->err, "internal:"), "%s", r->err);
}

static inline void
ts_once_quiet(const char *conf)
{
	struct th_result r;

	ts_once(conf, &r);
	th_result_cleanup(&r);
}

/* Items stored for the feed called name. */
static inline long long
ts_items_of(struct ts *t, const char *name)
{
	char *sql = xasprintf("SELECT count(*) FROM items JOIN feeds ON "
	    "feeds.id = items.feed_id WHERE feeds.name = '%s'", name);
	long long v = ts_db_int(t, sql);

	free(sql);
	return v;
}

/* ---- feedd run ---- */

/* Starts `feedd run -c conf`, stderr appended to errfile. */
static inline pid_t
ts_run_start(const char *conf, const char *errfile)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(errfile, O_WRONLY | O_CREAT | O_APPEND, 0644);
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(fd, 2);
		execl(th_feedd(), th_feedd(), "run", "-c", conf, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static inline void
ts_nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * Waits until done(arg) holds, testing it again whenever a file in the
 * folder dir is created, written or renamed there (inotify): an event,
 * not a period.  0, or -1 when seconds passed first.
 */
static inline int
ts_wait_dir(const char *dir, int (*done)(void *), void *arg, int seconds)
{
	int64_t deadline = clock_monotonic_ms() + (int64_t)seconds * 1000;
	int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK), rc = -1;
	char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	cr_assert_geq(fd, 0, "inotify_init1: %s", strerror(errno));
	cr_assert_geq(inotify_add_watch(fd, dir, IN_CREATE | IN_MODIFY |
	    IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE), 0, "watch %s: %s", dir,
	    strerror(errno));
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		int64_t left;

		/* after the watch is in place: nothing is missed between */
		if (done(arg)) {
			rc = 0;
			break;
		}
		if ((left = deadline - clock_monotonic_ms()) <= 0)
			break;
		if (poll(&p, 1, (int)left) > 0)
			while (read(fd, ev, sizeof(ev)) > 0)
				;
	}
	close(fd);
	return rc;
}

struct ts_log_want {
	struct ts *t;
	const char *needle;
	int	 n;
};

static inline int
ts_log_has(void *arg)
{
	struct ts_log_want *w = arg;

	return ts_count(w->t, w->needle, NULL) >= w->n;
}

/* Waits until the request log has n lines with needle; 0 or -1. */
static inline int
ts_wait_count(struct ts *t, const char *needle, int n, int seconds)
{
	struct ts_log_want w = { t, needle, n };

	return ts_wait_dir(t->dir, ts_log_has, &w, seconds);
}

/* Waits until t's request log has a line with needle; 0 or -1. */
static inline int
ts_wait_request(struct ts *t, const char *needle, int seconds)
{
	return ts_wait_count(t, needle, 1, seconds);
}

struct ts_file_want {
	const char *path;
	const char *needle;
};

static inline int
ts_file_holds(void *arg)
{
	struct ts_file_want *w = arg;
	char *text = th_read_file(w->path, NULL);
	int found = text != NULL && strstr(text, w->needle) != NULL;

	free(text);
	return found;
}

/* Waits until the file at path holds needle; 0 or -1. */
static inline int
ts_wait_file_has(const char *path, const char *needle, int seconds)
{
	struct ts_file_want w = { path, needle };
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int rc;

	if (slash != NULL)
		*slash = '\0';
	rc = ts_wait_dir(slash != NULL ? dir : ".", ts_file_holds, &w,
	    seconds);
	free(dir);
	return rc;
}

/*
 * Exit status of pid within seconds (its pidfd polled: woken by the
 * exit itself), or -1 (then it is killed, or was no child to wait for).
 */
static inline int
ts_wait_exit(pid_t pid, int seconds)
{
	int fd = pidfd_open(pid, 0), st;
	struct pollfd p = { fd, POLLIN, 0 };

	if (fd < 0)		/* reaped already, or never ours */
		return -1;
	if (poll(&p, 1, seconds * 1000) <= 0)
		kill(pid, SIGKILL);
	close(fd);
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	if (p.revents == 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

#endif
