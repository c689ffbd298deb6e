/*
 * test_hostile: the real binary against servers, feeds, configs and
 * command lines that misbehave on purpose (build/testsrv on 127.0.0.1).
 * Each test is the regression test of one finding: no crash, no hang,
 * a clear `feedd: ` line, the right exit status, nothing stored lost.
 */
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>

#include "util/buf.h"
#include "feeds/parse.h"
#include "feeds/xml.h"
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
	cr_assert_eq(ts_items_of(&T, "r"), 1);
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
	cr_assert_eq(ts_items_of(&T, "ok"), 1);
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

/*
 * The daemon pushes a fetched body in one piece: a title over the 1 MB
 * field cap arrived in one text callback and was dropped whole, where
 * `feedd parse` (reading in chunks) kept its first megabyte.
 */
Test(hostile, title_over_the_cap_in_one_push_is_cut_not_lost)
{
	size_t tlen = 3 * XML_MAX_TEXT;
	char *title = xmalloc(tlen + 1), *doc, *err = NULL;
	struct feed_parser *p = feed_parser_new("http://example.com/", NULL);
	struct feed_doc *d = NULL;

	memset(title, 'A', tlen);
	title[tlen] = '\0';
	doc = xasprintf("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<rss version=\"2.0\"><channel><title>c</title>"
	    "<item><title>%s</title><guid>g</guid></item></channel></rss>",
	    title);
	cr_assert_eq(feed_parser_push(p, doc, strlen(doc), &err), 0, "%s", err);
	d = feed_parser_finish(p, &err);
	cr_assert_not_null(d, "%s", err);
	cr_assert_eq(d->nitems, 1);
	cr_assert_not_null(d->items[0].title);
	cr_assert_eq(strlen(d->items[0].title), XML_MAX_TEXT);
	cr_assert_not_null(d->errors && d->nerrors == 1 ?
	    strstr(d->errors[0], "cut") : NULL);
	feed_doc_free(d);
	feed_parser_free(p);
	free(doc);
	free(title);
}

/* `feedd items` printed U+009B (CSI, C1) raw: a terminal obeys it. */
Test(hostile, items_output_carries_no_terminal_controls)
{
	char *conf = conf_one("esc", "/esc.xml", "");
	struct th_result r;

	ts_put(&T, "esc.xml", "<rss version=\"2.0\"><channel><title>c</title>"
	    "<item><title>A&#x1b;[2J B&#x9b;2J C&#x85;D\xc2\x9b" "E</title>"
	    "<link>http://example.com/&#x1b;x</link><guid>e</guid></item>"
	    "</channel></rss>");
	ts_once_quiet(conf);
	cr_assert_eq(th_feedd_run(&r, 20, "items", "-c", conf, NULL), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_not_null(strstr(r.out, "esc\t"), "%s", r.out);
	for (size_t i = 0; i < r.outlen; i++) {
		unsigned char c = (unsigned char)r.out[i];

		cr_assert(c >= 0x20 || c == '\t' || c == '\n', "C0 %#x", c);
		cr_assert(c != 0x7f);
		cr_assert(!(c == 0xc2 && i + 1 < r.outlen &&
		    (unsigned char)r.out[i + 1] >= 0x80 &&
		    (unsigned char)r.out[i + 1] <= 0x9f), "C1 at %zu", i);
	}
	cr_assert_eq(strchr(r.out, '\n') - r.out + 1, (long)r.outlen,
	    "one line: %s", r.out);
	th_result_cleanup(&r);
	free(conf);
}


static int
lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Runs feedd CMD -c conf; asserts it refuses as a second writer. */
static void
assert_refused(const char *cmd, const char *conf)
{
	struct th_result r;

	cr_assert_eq(th_feedd_run(&r, 20, cmd, "-c", conf, NULL), 0);
	cr_assert_eq(r.status, 1, "%s: exit %d: %s", cmd, r.status, r.err);
	cr_assert_not_null(strstr(r.err, "feedd: "), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "feedd.db.lock"), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "another feedd"), "%s", r.err);
	cr_assert_eq(lines(r.err), 1, "one line: %s", r.err);
	th_result_cleanup(&r);
}

/*
 * Two writers on one database interleaved fetches, alerts and outputs.
 * While `run` holds the state, a second `run` and a `once` refuse with
 * one line and exit 1; once it has stopped, `once` works again.
 */
Test(hostile, second_writer_on_a_database_refuses)
{
	char *conf = conf_one("slow", "/f.xml?hang=1", "timeout = 30s");
	char *errf = th_path(T.dir, "stderr");
	struct th_result r;
	pid_t pid;

	pid = ts_run_start(conf, errf);
	cr_assert_eq(ts_wait_request(&T, "hang=1", 20), 0);
	assert_refused("run", conf);
	assert_refused("once", conf);
	cr_assert_eq(th_feedd_run(&r, 20, "items", "-c", conf, NULL), 0);
	cr_assert_eq(r.status, 0, "readers need no lock: %s", r.err);
	th_result_cleanup(&r);
	kill(pid, SIGTERM);
	cr_assert_eq(ts_wait_exit(pid, 15), 0);
	free(conf);
	conf = conf_one("ok", "/f.xml", "");
	ts_once_quiet(conf);
	cr_assert_eq(ts_items_of(&T, "ok"), 1);
	free(errf);
	free(conf);
}

/* Asserts s is printable UTF-8-ish text: no C0 but newline, no DEL, no C1. */
static void
assert_printable(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		cr_assert(c >= 0x20 || c == '\n', "C0 %#x at %zu: %s", c, i, s);
		cr_assert(c != 0x7f, "DEL at %zu", i);
		cr_assert(!(c == 0xc2 && i + 1 < len &&
		    (unsigned char)s[i + 1] < 0xa0), "C1 at %zu", i);
	}
}

/* check-config echoed binary junk and escape sequences to the terminal. */
Test(hostile, config_errors_quote_no_control_bytes)
{
	char *path = th_path(T.dir, "junk.conf");
	static const char junk[] = "[daemon]\nstate_dir = s\n"
	    "interval = 5\xc2\x9b" "2J\x1b[31m\x7f\xff\xfe\n"
	    "\x01\x02garbage\x1b]0;title\x07\n";
	char *longv = xmalloc(100000);
	struct th_result r;

	cr_assert_eq(th_write_file(path, junk, sizeof(junk) - 1), 0);
	cr_assert_eq(th_feedd_run(&r, 20, "check-config", "-c", path, NULL), 0);
	cr_assert_eq(r.status, 2, "%s", r.err);
	cr_assert_not_null(strstr(r.err, "junk.conf:3: "), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "junk.conf:4: "), "%s", r.err);
	assert_printable(r.err, r.errlen);
	th_result_cleanup(&r);
	/* a 100 kB bad value is quoted, not printed whole */
	memset(longv, 'x', 99999);
	longv[99999] = '\0';
	free(path);
	path = th_path(T.dir, "long.conf");
	{
		char *text = xasprintf("[daemon]\ninterval = %s\n", longv);

		cr_assert_eq(th_write_file(path, text, strlen(text)), 0);
		free(text);
	}
	cr_assert_eq(th_feedd_run(&r, 20, "check-config", "-c", path, NULL), 0);
	cr_assert_eq(r.status, 2, "%s", r.err);
	cr_assert_lt(r.errlen, 4096 + 200, "%zu bytes of error", r.errlen);
	th_result_cleanup(&r);
	free(longv);
	free(path);
}

/* database = a directory: SQLite said only "unable to open database file". */
Test(hostile, database_that_is_a_directory_is_named)
{
	char *conf = conf_one("d", "/f.xml", "database = dbdir");
	char *db = xasprintf("%s/state/dbdir", T.dir);
	char *state = th_path(T.dir, "state");
	struct th_result r;

	mkdir(state, 0755);
	cr_assert_eq(mkdir(db, 0755), 0);
	cr_assert_eq(th_feedd_run(&r, 20, "once", "-c", conf, NULL), 0);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_not_null(strstr(r.err, "dbdir: is a directory"), "%s", r.err);
	cr_assert_eq(lines(r.err), 1, "%s", r.err);
	th_result_cleanup(&r);
	free(state);
	free(db);
	free(conf);
}

/* getopt printed "items: unrecognized option" without "feedd: ". */
Test(hostile, bad_query_options_are_feedd_errors)
{
	char *conf = conf_one("q", "/f.xml", "");
	const char *cases[][3] = {
		{ "items", "--bogus", "feedd: items: unknown option '--bogus'" },
		{ "items", "--feed", "feedd: items: option '--feed' needs a value" },
		{ "items", "--rule=x", "feedd: items: unknown option '--rule'" },
		{ "alerts", "-x", "feedd: alerts: unknown option '-x'" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct th_result r;

		cr_assert_eq(th_feedd_run(&r, 20, cases[i][0], "-c", conf,
		    cases[i][1], NULL), 0);
		cr_assert_eq(r.status, 2, "%s %s: %d", cases[i][0], cases[i][1],
		    r.status);
		cr_assert_eq(strncmp(r.err, cases[i][2], strlen(cases[i][2])), 0,
		    "%s", r.err);
		th_result_cleanup(&r);
	}
	free(conf);
}

/* www/NAME: an RSS document of n items titled "hello item I". */
static void
put_many(const char *name, int n)
{
	struct buf b;

	buf_init(&b, 0);
	buf_puts(&b, "<rss version=\"2.0\"><channel><title>m</title>");
	for (int i = 0; i < n; i++)
		buf_printf(&b, "<item><title>hello item %d</title><link>"
		    "http://example.com/m%d</link><guid>m%d</guid></item>",
		    i, i, i);
	buf_puts(&b, "</channel></rss>");
	ts_put(&T, name, buf_str(&b));
	buf_cleanup(&b);
}

/*
 * A full disk cut an alert line in the middle; the retry later appended
 * the whole line after the fragment.  Needs root for a small tmpfs.
 */
Test(hostile, full_disk_leaves_no_alert_fragment)
{
	char *tiny = th_path(T.dir, "tiny"), *conf, *rest, *log, *f;
	size_t len;

	mkdir(tiny, 0755);
	if (mount("tmpfs", tiny, "tmpfs", 0, "size=16k") == -1) {
		free(tiny);
		cr_skip_test("cannot mount a tmpfs (not root)");
	}
	put_many("m.xml", 600);
	f = ts_feed(&T, "many", "/m.xml");
	rest = xasprintf("[alert \"h\"]\nmatch = hello\n\n%s", f);
	conf = ts_config(&T, "", rest);
	/* the alert log on the small disk: the last ts_config key wins */
	log = xasprintf("%s/alerts.log", tiny);
	{
		char *c = th_read_file(conf, NULL);
		char *c2 = xasprintf("%s\n[alerts]\nlog = %s\n", c, log);

		cr_assert_eq(th_write_file(conf, c2, strlen(c2)), 0);
		free(c);
		free(c2);
	}
	ts_once_quiet(conf);
	free(f);
	f = th_read_file(log, &len);
	umount(tiny);
	cr_assert_not_null(f);
	cr_assert_gt(len, 1000, "the disk took some lines");
	cr_assert_lt(len, 16 * 1024 + 1);
	cr_assert_eq(f[len - 1], '\n', "no fragment at the end: ...%s",
	    f + (len > 80 ? len - 80 : 0));
	free(f);
	free(log);
	free(rest);
	free(conf);
	free(tiny);
}

/* A brotli label on a plain body failed as "Failed writing received data". */
Test(hostile, body_not_in_its_content_encoding_is_named)
{
	const char *enc[] = { "br", "gzip", "deflate" };

	for (size_t i = 0; i < sizeof(enc) / sizeof(enc[0]); i++) {
		char *path = xasprintf("/f.xml?ce=%s", enc[i]);
		char *conf = conf_one(enc[i], path, "");
		char *err;

		ts_once_quiet(conf);
		err = feed_error(enc[i]);
		cr_assert(err && (strstr(err, "Content-Encoding") ||
		    strstr(err, "unencoding")), "%s: %s", enc[i], err);
		free(err);
		free(conf);
		free(path);
	}
}
