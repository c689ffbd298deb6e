/*
 * test_hostile: the real binary against servers, feeds, configs and
 * command lines that misbehave on purpose (build/testsrv on 127.0.0.1).
 * Each test is the regression test of one finding: no crash, no hang,
 * a clear `feedd: ` line, the right exit status, nothing stored lost.
 */
#include <fcntl.h>
#include <sys/file.h>
#include <time.h>

#include "tests/ts_helpers.h"

static const char RSS[] =
    "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>\n"
    "<title>Fixture</title><link>http://example.com/</link>\n"
    "<item><title>First story</title><link>http://example.com/a</link>"
    "<guid>a-1</guid></item>\n</channel></rss>\n";

static struct ts T;

static void
setup(void)
{
	ts_start(&T);
	ts_put(&T, "f.xml", RSS);
}

static void
teardown(void)
{
	ts_stop(&T);
}

TestSuite(hostile, .init = setup, .fini = teardown, .timeout = 120);

/* Config with one feed NAME at PATHQ (plus [daemon] lines); caller frees. */
static char *
conf_one(const char *name, const char *pathq, const char *daemon_extra)
{
	char *f = ts_feed(&T, name, pathq);
	char *conf = ts_config(&T, daemon_extra, f);

	free(f);
	return conf;
}

static long long
feed_int(const char *name, const char *col)
{
	char *sql = xasprintf("SELECT %s FROM feeds WHERE name = '%s'", col, name);
	long long v = ts_db_int(&T, sql);

	free(sql);
	return v;
}

static long long
items_of(const char *name)
{
	char *sql = xasprintf("SELECT count(*) FROM items JOIN feeds ON "
	    "feeds.id = items.feed_id WHERE feeds.name = '%s'", name);
	long long v = ts_db_int(&T, sql);

	free(sql);
	return v;
}

/*
 * A server that closes a kept-alive connection (here: right after a
 * redirect, not reading the next request) resets it; curl must retry on
 * a new connection, not fail with "select/poll returned error".
 */
Test(hostile, redirect_on_a_connection_the_server_closes)
{
	char *conf = conf_one("r", "/x?redirect=/f.xml&status=302&close_ms=300",
	    "");

	ts_once_quiet(conf);
	cr_assert_eq(items_of("r"), 1);
	cr_assert_eq(feed_int("r", "consecutive_errors"), 0);
	free(conf);
}

/* Retry-After beyond int64 must not overflow next_due (held a week at most). */
Test(hostile, huge_retry_after_is_capped)
{
	char *conf = conf_one("h",
	    "/f.xml?status=429&retry_after=99999999999999999999", "");
	long long wait;

	ts_once_quiet(conf);
	wait = feed_int("h", "next_due - last_fetch");
	cr_assert_gt(wait, 3600, "Retry-After honoured: %lld", wait);
	cr_assert_leq(wait, 7 * 86400, "capped: %lld", wait);
	free(conf);
}

/* last_error of feed NAME; caller frees (NULL when none). */
static char *
feed_error(const char *name)
{
	char *sql = xasprintf("SELECT last_error FROM feeds WHERE name = '%s'",
	    name);
	char *v = ts_db_str(&T, sql);

	free(sql);
	return v;
}

/*
 * curl opens file: URLs with blocking calls on the loop: a FIFO hung
 * `feedd once` for good (SIGTERM too); a directory read as "empty".
 */
Test(hostile, file_url_to_fifo_or_directory_fails_fast)
{
	char *fifo = th_path(T.dir, "fifo"), *err;
	char *f = xasprintf("[feed \"fifo\"]\nurl = file://%s\n\n"
	    "[feed \"dir\"]\nurl = file://%s\n\n"
	    "[feed \"zero\"]\nurl = file:///dev/zero\n\n"
	    "[feed \"ok\"]\nurl = file://%s/f.xml\n", fifo, T.www, T.www);
	char *conf = ts_config(&T, "timeout = 3s", f);
	struct th_result r;

	cr_assert_eq(mkfifo(fifo, 0644), 0);
	cr_assert_eq(th_feedd_run(&r, 20, "once", "-c", conf, NULL), 0);
	cr_assert_eq(r.status, 0, "exit %d (124+: hung): %s", r.status, r.err);
	th_result_cleanup(&r);
	cr_assert_eq(items_of("ok"), 1);
	err = feed_error("fifo");
	cr_assert(err && strstr(err, "not a regular file"), "%s", err);
	free(err);
	err = feed_error("dir");
	cr_assert(err && strstr(err, "directory"), "%s", err);
	free(err);
	err = feed_error("zero");
	cr_assert_not_null(err);
	free(err);
	free(fifo);
	free(f);
	free(conf);
}
