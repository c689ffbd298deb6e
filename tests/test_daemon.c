/*
 * test_daemon: feedd as a whole against build/testsrv: `once` summary
 * and exit statuses, stories deduped across feeds, a dead network that
 * blames no feed (and says so in one line), `run` with SIGTERM, SIGHUP
 * and kill -9, and its /metrics (alerts by rule, feed states).
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include <curl/curl.h>

#include "util/buf.h"
#include "tests/ts_helpers.h"

static struct ts T;

static void
setup(void)
{
	ts_start(&T);
}

static void
teardown(void)
{
	ts_stop(&T);
}

TestSuite(daemon, .init = setup, .fini = teardown, .timeout = 120);

/* An RSS document with n items whose links carry suffix. */
static char *
rss_items(int n, const char *guid_prefix, const char *link_suffix)
{
	char *doc = xstrdup("<?xml version=\"1.0\"?><rss version=\"2.0\">"
	    "<channel><title>Gen</title><link>http://example.com/</link>");

	for (int i = 0; i < n; i++) {
		char *next = xasprintf("%s<item><title>Story number %d</title>"
		    "<link>http://example.com/s/%d%s</link><guid>%s%d</guid>"
		    "<description>Body of story %d.</description></item>",
		    doc, i, i, link_suffix, guid_prefix, i, i);

		free(doc);
		doc = next;
	}
	char *out = xasprintf("%s</channel></rss>\n", doc);
	free(doc);
	return out;
}

static long long
q(const char *sql)
{
	return ts_db_int(&T, sql);
}

Test(daemon, once_prints_a_summary_line)
{
	char *doc = rss_items(3, "g", "");
	char *f1 = ts_feed(&T, "good", "/a.xml");
	char *f2 = ts_feed(&T, "bad", "/missing.xml");
	char *rest = xasprintf("%s%s", f1, f2);
	char *conf;
	struct th_result r;

	ts_put(&T, "a.xml", doc);
	conf = ts_config(&T, "", rest);
	ts_once(conf, &r);
	cr_assert(strstr(r.out, "2 feeds") && strstr(r.out, "1 ok") &&
	    strstr(r.out, "1 failed") && strstr(r.out, "3 new items"),
	    "got: %s", r.out);
	cr_assert_eq(strchr(r.out, '\n') - r.out + 1, (long)r.outlen,
	    "one line");
	cr_assert_null(strchr(r.err, '\r'), "no progress off a terminal");
	th_result_cleanup(&r);
	free(doc);
	free(f1);
	free(f2);
	free(rest);
	free(conf);
}

/* `feedd once` (again: with the feeds due) and its summary line. */
static void
once_says(const char *conf, int again, const char *want)
{
	struct th_result r;

	if (again)
		ts_db_exec(&T, "UPDATE feeds SET next_due = 0");
	ts_once(conf, &r);
	cr_assert(strstr(r.out, want) != NULL, "want \"%s\", got: %s", want,
	    r.out);
	th_result_cleanup(&r);
}

/*
 * A server that sends no validators sends the same body again: the
 * hash of the body stored last time (feeds.body_hash, kept by the
 * feed's state between its fetches) says it is not modified, and it is
 * not parsed again.  A stored hash in another form (an older version's)
 * only has the body parsed once more, and then stored in this form.
 */
Test(daemon, the_same_body_without_validators_is_not_modified)
{
	char *doc = rss_items(2, "same", ""), *more = rss_items(3, "same", "");
	char *conf = ts_conf_one(&T, "same", "/same.xml", "");
	char *hash;

	ts_put(&T, "same.xml", doc);
	once_says(conf, 0, "1 ok, 0 not modified, 0 failed; 2 new items");
	hash = ts_db_str(&T, "SELECT body_hash FROM feeds");
	cr_assert(hash != NULL && strlen(hash) == 16 &&
	    strspn(hash, "0123456789abcdef") == 16, "%s", hash);
	once_says(conf, 1, "0 ok, 1 not modified, 0 failed; 0 new items");
	ts_put(&T, "same.xml", more);
	once_says(conf, 1, "1 ok, 0 not modified, 0 failed; 1 new items");
	once_says(conf, 1, "0 ok, 1 not modified, 0 failed; 0 new items");
	ts_db_exec(&T, "UPDATE feeds SET body_hash = upper(body_hash)");
	once_says(conf, 1, "1 ok, 0 not modified, 0 failed; 0 new items");
	cr_assert_eq(q("SELECT count(*) FROM feeds WHERE body_hash ="
	    " lower(body_hash)"), 1);
	once_says(conf, 1, "0 ok, 1 not modified, 0 failed; 0 new items");
	cr_assert_eq(ts_count(&T, "/same.xml", NULL), 6);
	cr_assert_eq(q("SELECT count(*) FROM items"), 3);
	free(hash);
	free(doc);
	free(more);
	free(conf);
}

/*
 * The daemon stores content's relative URLs as written, with the base
 * they resolve against (the document's URL here), and its feed.xml
 * shows them resolved against that base, not the entry's link.
 */
Test(daemon, content_links_are_stored_as_written_and_shown_resolved)
{
	static const char doc[] = "<rss version=\"2.0\" xmlns:content="
	    "\"http://purl.org/rss/1.0/modules/content/\"><channel><title>t"
	    "</title><item><title>Relative</title><link>https://elsewhere."
	    "example/post/1</link><content:encoded><![CDATA[<a href=\""
	    "notes/1\">notes</a>]]></content:encoded></item></channel></rss>";
	char *conf = ts_conf_one(&T, "rel", "/rel.xml", "");
	char *base = xasprintf("http://127.0.0.1:%d/rel.xml", T.port);
	char *want = xasprintf("href=&quot;http://127.0.0.1:%d/notes/1&quot;",
	    T.port);
	char *got, *xml, *path;

	ts_put(&T, "rel.xml", doc);
	ts_once_quiet(conf);
	got = ts_db_str(&T, "SELECT content FROM items");
	cr_assert_str_eq(got, "<a href=\"notes/1\">notes</a>");
	free(got);
	got = ts_db_str(&T, "SELECT content_base FROM items");
	cr_assert_str_eq(got, base);
	path = th_path(T.dir, "state/feed.xml");
	xml = th_read_file(path, NULL);
	cr_assert(xml != NULL && strstr(xml, want) != NULL, "%s", xml);
	free(xml);
	free(path);
	free(want);
	free(base);
	free(conf);
}

Test(daemon, config_error_exits_2_with_file_and_line)
{
	char *conf = ts_config(&T, "frobnicate = 1", "");
	struct th_result r;

	cr_assert_eq(th_feedd_run(&r, 30, "once", "-c", conf, NULL), 0);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "feedd.conf:") != NULL, "got: %s", r.err);
	th_result_cleanup(&r);
	free(conf);
}

Test(daemon, unopenable_database_exits_1)
{
	char *f = ts_feed(&T, "a", "/a.xml");
	char *conf = ts_config(&T, "database = /proc/nonexistent/feedd.db", f);
	struct th_result r;

	cr_assert_eq(th_feedd_run(&r, 30, "once", "-c", conf, NULL), 0);
	cr_assert_eq(r.status, 1, "got %d: %s", r.status, r.err);
	th_result_cleanup(&r);
	free(f);
	free(conf);
}

Test(daemon, one_story_from_three_feeds_with_tracking_variants)
{
	static const char *suffix[] = { "", "?utm_source=rss&utm_medium=feed",
	    "?utm_campaign=x" };
	char *rest = xstrdup("");

	for (int i = 0; i < 3; i++) {
		char *doc = rss_items(1, suffix[i][0] ? "x" : "y", suffix[i]);
		char *path = xasprintf("f%d.xml", i), *pq = xasprintf("/%s", path);
		char *name = xasprintf("feed%d", i), *f = ts_feed(&T, name, pq);
		char *next = xasprintf("%s%s", rest, f);

		ts_put(&T, path, doc);
		free(rest);
		rest = next;
		free(doc);
		free(path);
		free(pq);
		free(name);
		free(f);
	}
	char *conf = ts_config(&T, "", rest);
	ts_once_quiet(conf);
	cr_assert_eq(q("SELECT count(*) FROM items"), 3);
	cr_assert_eq(q("SELECT count(*) FROM stories"), 1);
	free(rest);
	free(conf);
}

Test(daemon, changing_guids_do_not_duplicate_stories)
{
	char *d1 = rss_items(4, "run1-", ""), *d2 = rss_items(4, "run2-", "");
	char *f = ts_feed(&T, "churn", "/c.xml"), *conf = ts_config(&T, "", f);

	ts_put(&T, "c.xml", d1);
	ts_once_quiet(conf);
	ts_put(&T, "c.xml", d2);
	ts_once_quiet(conf);
	cr_assert_eq(q("SELECT count(*) FROM stories"), 4);
	free(d1);
	free(d2);
	free(f);
	free(conf);
}

Test(daemon, dead_network_blames_no_feed)
{
	char *rest = xstrdup("");

	/* nothing listens on port 1: every connect is refused */
	for (int i = 0; i < 3; i++) {
		char *next = xasprintf("%s[feed \"down%d\"]\nurl = "
		    "http://127.0.0.1:1/f%d.xml\n\n", rest, i, i);

		free(rest);
		rest = next;
	}
	char *conf = ts_config(&T, "", rest);
	ts_once_quiet(conf);
	cr_assert_eq(q("SELECT count(*) FROM feeds WHERE last_error IS NULL"), 0);
	cr_assert_eq(q("SELECT max(consecutive_errors) FROM feeds"), 0);
	free(rest);
	free(conf);
}

static int
count_substr(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

Test(daemon, dead_network_logs_one_line_not_one_per_feed)
{
	char *rest = xstrdup("");
	struct th_result r;

	for (int i = 0; i < 3; i++) {
		char *next = xasprintf("%s[feed \"down%d\"]\nurl = "
		    "http://127.0.0.1:1/f%d.xml\n\n", rest, i, i);

		free(rest);
		rest = next;
	}
	char *conf = ts_config(&T, "", rest);
	ts_once(conf, &r);
	cr_assert_eq(count_substr(r.err, "no server answered"), 1, "%s", r.err);
	cr_assert_eq(count_substr(r.err, "failing"), 0, "%s", r.err);
	th_result_cleanup(&r);
	/* the next run, still down, says it again (a new process) */
	ts_once(conf, &r);
	cr_assert_eq(count_substr(r.err, "failing"), 0, "%s", r.err);
	th_result_cleanup(&r);
	free(rest);
	free(conf);
}

Test(daemon, dead_host_among_live_ones_is_blamed)
{
	char *doc = rss_items(2, "g", "");
	char *f = ts_feed(&T, "live", "/a.xml");
	char *rest = xasprintf("%s[feed \"dead\"]\nurl = http://127.0.0.1:1/x\n",
	    f);
	char *conf = ts_config(&T, "", rest);

	ts_put(&T, "a.xml", doc);
	ts_once_quiet(conf);
	cr_assert_eq(q("SELECT consecutive_errors FROM feeds WHERE name='dead'"), 1);
	cr_assert_eq(q("SELECT consecutive_errors FROM feeds WHERE name='live'"), 0);
	free(doc);
	free(f);
	free(rest);
	free(conf);
}

/* ---- feedd run ---- */


Test(daemon, sigterm_exits_cleanly_with_a_transfer_in_flight)
{
	char *doc = rss_items(2, "g", "");
	char *f1 = ts_feed(&T, "ok", "/a.xml"), *f2 = ts_feed(&T, "hang", "/a.xml?hang=1");
	char *rest = xasprintf("%s%s", f1, f2);
	char *conf = ts_config(&T, "timeout = 60s", rest);
	char *errf = th_path(T.dir, "stderr"), *err;
	pid_t pid;

	ts_put(&T, "a.xml", doc);
	pid = ts_run_start(conf, errf);
	cr_assert_eq(ts_wait_request(&T, "hang=1", 20), 0);
	cr_assert_eq(ts_wait_request(&T, "GET /a.xml inm", 20), 0);
	kill(pid, SIGTERM);
	/* the grace for transfers, plus slack for a loaded machine */
	cr_assert_eq(ts_wait_exit(pid, 12), 0);
	err = th_read_file(errf, NULL);
	cr_assert_null(strstr(err, "internal:"), "%s", err);
	cr_assert_eq(q("SELECT count(*) FROM items"), 2);
	free(err);
	free(errf);
	free(doc);
	free(f1);
	free(f2);
	free(rest);
	free(conf);
}

Test(daemon, sighup_adds_a_feed_and_keeps_config_on_error)
{
	char *doc = rss_items(2, "g", "");
	char *f1 = ts_feed(&T, "first", "/a.xml?n=1");
	char *f2 = ts_feed(&T, "second", "/a.xml?n=2");
	char *both = xasprintf("%s%s", f1, f2);
	char *conf = ts_config(&T, "", f1);
	char *errf = th_path(T.dir, "stderr"), *err;
	pid_t pid;

	ts_put(&T, "a.xml", doc);
	pid = ts_run_start(conf, errf);
	cr_assert_eq(ts_wait_request(&T, "n=1", 20), 0);
	free(ts_config(&T, "", both));
	kill(pid, SIGHUP);
	cr_assert_eq(ts_wait_request(&T, "n=2", 20), 0, "the added feed is fetched");
	/* an invalid config: logged with its line, the old one kept */
	free(ts_config(&T, "bogus_key = 1", both));
	kill(pid, SIGHUP);
	cr_assert_eq(ts_wait_file_has(errf, "keeping the old configuration",
	    20), 0, "the failed reload is logged");
	cr_assert_eq(waitpid(pid, NULL, WNOHANG), 0, "still running");
	kill(pid, SIGTERM);
	cr_assert_eq(ts_wait_exit(pid, 12), 0);
	err = th_read_file(errf, NULL);
	cr_assert(strstr(err, "feedd.conf:") && strstr(err, "bogus_key"),
	    "got: %s", err);
	cr_assert_eq(q("SELECT count(*) FROM feeds WHERE active = 1"), 2);
	free(err);
	free(errf);
	free(doc);
	free(f1);
	free(f2);
	free(both);
	free(conf);
}

/*
 * A reload that changed the database's path moved the outputs and the
 * alert log but not the database or its lock: a second daemon could
 * start on the new path and fire the same alerts again.  It is refused.
 */
Test(daemon, reload_refuses_to_move_the_database)
{
	char *f1 = ts_feed(&T, "first", "/a.xml?n=1");
	char *conf = ts_config(&T, "", f1);
	char *errf = th_path(T.dir, "stderr"), *err, *moved;
	pid_t pid;

	ts_put(&T, "a.xml", "<rss version=\"2.0\"><channel><title>t</title>"
	    "</channel></rss>");
	pid = ts_run_start(conf, errf);
	cr_assert_eq(ts_wait_request(&T, "n=1", 20), 0);
	moved = th_path(T.dir, "state/moved.db");
	free(conf);
	conf = ts_config(&T, "database = moved.db\n", f1);
	kill(pid, SIGHUP);
	cr_assert_eq(ts_wait_file_has(errf, "keeping the old configuration",
	    20), 0, "the reload was not refused");
	err = th_read_file(errf, NULL);
	cr_assert(strstr(err, "only a restart moves it") != NULL, "got: %s",
	    err);
	cr_assert_neq(access(moved, F_OK), 0, "a database at the new path");
	cr_assert_eq(waitpid(pid, NULL, WNOHANG), 0, "still running");
	kill(pid, SIGTERM);
	cr_assert_eq(ts_wait_exit(pid, 12), 0);
	free(err);
	free(moved);
	free(errf);
	free(f1);
	free(conf);
}

/*
 * A queued fetch is made from what holds when it starts: a feed a
 * reload removed while it waited (one transfer at a time, the other
 * feed's taking 3 s) is never requested; the feed added by the same
 * reload, queued behind it, is.
 */
Test(daemon, reload_drops_a_queued_feed_it_removes)
{
	char *doc = rss_items(1, "g", "");
	char *fa = ts_feed(&T, "a", "/a.xml?delay_ms=3000&id=a");
	char *fb = ts_feed(&T, "b", "/a.xml?delay_ms=3000&id=b");
	char *fc = ts_feed(&T, "c", "/a.xml?id=c");
	char *both = xasprintf("%s%s", fa, fb);
	const char *lim = "concurrency = 1\nper_host = 1";
	char *conf = ts_config(&T, lim, both);
	char *errf = th_path(T.dir, "stderr"), *kept;
	const char *gone;
	pid_t pid;

	ts_put(&T, "a.xml", doc);
	pid = ts_run_start(conf, errf);
	cr_assert_eq(ts_wait_request(&T, "delay_ms=3000", 20), 0);
	/* the one not in flight waits in the queue */
	gone = ts_count(&T, "id=a", NULL) ? "id=b" : "id=a";
	kept = xasprintf("%s%s", strcmp(gone, "id=a") ? fa : fb, fc);
	free(ts_config(&T, lim, kept));
	kill(pid, SIGHUP);
	cr_assert_eq(ts_wait_request(&T, "id=c", 30), 0,
	    "the feed the reload added is fetched");
	cr_assert_eq(ts_count(&T, gone, NULL), 0,
	    "the queued feed the reload removed is not");
	kill(pid, SIGTERM);
	cr_assert_eq(ts_wait_exit(pid, 12), 0);
	free(doc);
	free(fa);
	free(fb);
	free(fc);
	free(both);
	free(kept);
	free(errf);
	free(conf);
}

/*
 * A feed a reload removes while its transfer runs: the answer that
 * comes after is not stored (its feed state outlives the config its
 * name and URL came from), and the daemon goes on with the feed the
 * reload added.
 */
Test(daemon, reload_removes_a_feed_in_flight)
{
	char *doc = rss_items(2, "g", "");
	char *fa = ts_feed(&T, "a", "/a.xml?delay_ms=2000&id=a");
	char *fc = ts_feed(&T, "c", "/a.xml?id=c");
	const char *lim = "concurrency = 1\nper_host = 1";
	char *conf = ts_config(&T, lim, fa);
	char *errf = th_path(T.dir, "stderr"), *err;
	pid_t pid;

	ts_put(&T, "a.xml", doc);
	pid = ts_run_start(conf, errf);
	cr_assert_eq(ts_wait_request(&T, "id=a", 20), 0);
	free(ts_config(&T, lim, fc));
	kill(pid, SIGHUP);
	cr_assert_eq(ts_wait_request(&T, "id=c", 30), 0,
	    "the feed the reload added is fetched");
	kill(pid, SIGTERM);
	cr_assert_eq(ts_wait_exit(pid, 12), 0);
	cr_assert_eq(ts_items_of(&T, "a"), 0, "nothing of the removed feed");
	cr_assert_eq(ts_items_of(&T, "c"), 2);
	err = th_read_file(errf, NULL);
	cr_assert_null(strstr(err, "internal:"), "%s", err);
	free(err);
	free(doc);
	free(fa);
	free(fc);
	free(errf);
	free(conf);
}

/*
 * A committed item in the database (read-only, beside the writer); the
 * query only once the WAL has frames, not on every write before.
 */
static int
some_items(void *arg)
{
	char *wal = xasprintf("%s/state/feedd.db-wal", T.dir);
	struct stat sb;
	int yes;

	(void)arg;
	yes = stat(wal, &sb) == 0 && sb.st_size > 0 &&
	    q("SELECT count(*) FROM items") > 0;
	free(wal);
	return yes;
}

Test(daemon, kill_9_loses_and_duplicates_nothing)
{
	char *rest = xstrdup("");
	char *errf = th_path(T.dir, "stderr"), *conf, *ok;
	char *state = th_path(T.dir, "state");
	long long before, after;
	pid_t pid;

	for (int i = 0; i < 40; i++) {
		char *doc = rss_items(30, "", "");
		char *path = xasprintf("k%d.xml", i);
		char *pq = xasprintf("/%s?delay_ms=%d", path, (i * 37) % 200);
		char *name = xasprintf("k%02d", i), *f = ts_feed(&T, name, pq);
		char *next = xasprintf("%s%s", rest, f);

		/* distinct stories per feed */
		for (char *p = doc; (p = strstr(p, "/s/")) != NULL; p += 3)
			p[1] = (char)('A' + i % 26);
		ts_put(&T, path, doc);
		free(rest);
		rest = next;
		free(doc);
		free(path);
		free(pq);
		free(name);
		free(f);
	}
	conf = ts_config(&T, "concurrency = 8\nper_host = 8", rest);
	pid = ts_run_start(conf, errf);
	cr_assert_eq(ts_wait_request(&T, "delay_ms=2", 20), 0);
	/* the first batch committed, later feeds still in flight */
	cr_assert_eq(ts_wait_dir(state, some_items, NULL, 20), 0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ok = ts_db_str(&T, "PRAGMA integrity_check");
	cr_assert_str_eq(ok, "ok");
	free(ok);
	before = q("SELECT count(*) FROM items");
	cr_assert_gt(before, 0, "killed before anything was stored");
	cr_assert_lt(before, 40 * 30, "killed after everything was stored");
	ts_once_quiet(conf);
	ok = ts_db_str(&T, "PRAGMA integrity_check");
	cr_assert_str_eq(ok, "ok");
	after = q("SELECT count(*) FROM items");
	cr_assert_geq(after, before, "nothing stored before is lost");
	cr_assert_eq(after, 40 * 30, "every item once");
	cr_assert_eq(q("SELECT count(*) FROM (SELECT feed_id, key FROM items "
	    "GROUP BY 1, 2 HAVING count(*) > 1)"), 0);
	free(ok);
	free(errf);
	free(state);
	free(rest);
	free(conf);
}

static size_t
metrics_body(char *data, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	buf_append(b, data, size * n);
	return size * n;
}

/* GET url into a new string, or NULL. */
static char *
http_get(const char *url)
{
	CURL *e = curl_easy_init();
	struct buf b;
	CURLcode rc;

	buf_init(&b, 0);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, metrics_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, 5L);
	rc = curl_easy_perform(e);
	curl_easy_cleanup(e);
	if (rc != CURLE_OK) {
		buf_cleanup(&b);
		return NULL;
	}
	return buf_detach(&b);
}

/* conf with "listen = ADDR" in [output], right after ts_config's atom = */
static void
conf_listen(const char *conf, const char *addr)
{
	static const char atom[] = "atom = feed.xml\n";
	char *text = th_read_file(conf, NULL), *at, *with;

	cr_assert_not_null(text);
	cr_assert_not_null(at = strstr(text, atom));
	at += strlen(atom);
	with = xasprintf("%.*slisten = %s\n%s", (int)(at - text), text, addr,
	    at);
	cr_assert_eq(th_write_file(conf, with, strlen(with)), 0);
	free(with);
	free(text);
}

Test(daemon, metrics_count_alerts_by_rule_and_feed_states)
{
	char *doc = rss_items(3, "g", "");
	int port = th_free_port();
	char *listen = xasprintf("127.0.0.1:%d", port);
	char *f1 = ts_feed(&T, "good", "/a.xml"), *f2 = ts_feed(&T, "bad",
	    "/missing.xml");
	/* items are "Story number N": one rule matches all 3, one none */
	char *rest = xasprintf("%s%s[alert \"story\"]\nmatch = story\n\n"
	    "[alert \"none\"]\nmatch = zebra\n\n", f1, f2);
	char *conf = ts_config(&T, "", rest), *url, *m = NULL;
	char *errf = th_path(T.dir, "stderr");
	pid_t pid;

	conf_listen(conf, listen);
	ts_put(&T, "a.xml", doc);
	pid = ts_run_start(conf, errf);
	url = xasprintf("http://%s/metrics", listen);
	for (int i = 0; i < 100; i++) {
		free(m);
		m = http_get(url);
		if (m && strstr(m, "feedd_alerts_total{rule=\"story\"} 3") &&
		    strstr(m, "feedd_feeds{state=\"failing\"} 1"))
			break;
		ts_nap_ms(100);
	}
	kill(pid, SIGTERM);
	cr_assert_eq(ts_wait_exit(pid, 12), 0);
	cr_assert_not_null(m, "no /metrics on %s", listen);
	cr_assert(strstr(m, "feedd_alerts_total{rule=\"story\"} 3"), "%s", m);
	cr_assert_null(strstr(m, "rule=\"none\""), "%s", m);
	cr_assert(strstr(m, "feedd_feeds{state=\"ok\"} 1"), "%s", m);
	cr_assert(strstr(m, "feedd_feeds{state=\"failing\"} 1"), "%s", m);
	free(m);
	free(url);
	free(errf);
	free(conf);
	free(rest);
	free(f1);
	free(f2);
	free(listen);
	free(doc);
}

/*
 * A log pipe whose reader is gone (`feedd run 2>&1 | logger` when the
 * logger stops) killed the daemon by SIGPIPE at its first line, before
 * it wrote anything.  It keeps running; its lines are lost, its work not.
 */
Test(daemon, run_outlives_a_log_pipe_with_no_reader)
{
	char *conf = ts_conf_one(&T, "a", "/a.xml", "");
	char *atom = th_path(T.dir, "state/feed.xml");
	int fds[2], status;
	pid_t pid;

	ts_put(&T, "a.xml", "<rss version=\"2.0\"><channel><title>t</title>"
	    "<item><title>One</title><link>http://e.org/1</link></item>"
	    "</channel></rss>");
	cr_assert_eq(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		int null = open("/dev/null", O_RDWR);

		close(fds[0]);
		dup2(null, 0);
		dup2(null, 1);
		dup2(fds[1], 2);
		signal(SIGPIPE, SIG_DFL);	/* as a shell starts it */
		execl(th_feedd(), th_feedd(), "run", "-c", conf, (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	close(fds[1]);
	for (int i = 0; i < 200 && access(atom, F_OK) != 0; i++)
		ts_nap_ms(50);	/* until the first flush writes feed.xml */
	cr_assert_eq(access(atom, F_OK), 0, "no feed.xml");
	cr_assert_eq(waitpid(pid, &status, WNOHANG), 0, "the daemon died: "
	    "signal %d", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	kill(pid, SIGTERM);
	cr_assert_eq(ts_wait_exit(pid, 12), 0);
	free(atom);
	free(conf);
}

/*
 * SIGTERM while a slow server held a transfer: the stop's grace let it
 * run on, it timed out, and the feed was saved as failing ("Operation too
 * slow"), counted against it and put back by its error backoff.  A
 * failure during the stop is abandoned like a transfer aborted at its end.
 */
Test(daemon, a_transfer_failing_during_the_stop_is_not_the_feeds_failure)
{
	/* "fast" answers first: a server answered, so the network is up */
	char *feeds = xasprintf("[feed \"fast\"]\nurl = http://127.0.0.1:%d"
	    "/s.xml\n\n[feed \"slow\"]\nurl = http://127.0.0.1:%d/s.xml?"
	    "delay_ms=20000\n\n", T.port, T.port);
	char *conf = ts_config(&T, "timeout = 10s\n", feeds);
	char *errf = th_path(T.dir, "stderr"), *err;
	pid_t pid;

	ts_put(&T, "s.xml", "<rss version=\"2.0\"><channel><title>t</title>"
	    "</channel></rss>");
	/* curl's low-speed limit ends the transfer within the stop's
	 * grace, as it did a slow server's */
	setenv("FEEDD_TEST_STOP_GRACE_MS", "8000", 1);
	setenv("FEEDD_TEST_LOW_SPEED_SECS", "2", 1);
	pid = ts_run_start(conf, errf);
	unsetenv("FEEDD_TEST_STOP_GRACE_MS");
	unsetenv("FEEDD_TEST_LOW_SPEED_SECS");
	for (int i = 0; i < 200 && ts_count(&T, "delay_ms", NULL) == 0; i++)
		ts_nap_ms(50);	/* until the server holds the request */
	cr_assert_eq(ts_count(&T, "delay_ms", NULL), 1, "not asked");
	kill(pid, SIGTERM);
	cr_assert_eq(ts_wait_exit(pid, 20), 0);
	err = th_read_file(errf, NULL);
	cr_assert(err && strstr(err, "stopping"), "%s", err ? err : "");
	cr_assert_null(strstr(err, "failing"), "%s", err);
	cr_assert_eq(ts_db_int(&T, "SELECT consecutive_errors FROM feeds"
	    " WHERE name = 'slow'"), 0);
	cr_assert_eq(ts_db_int(&T, "SELECT last_error IS NOT NULL FROM feeds"
	    " WHERE name = 'slow'"), 0);
	free(err);
	free(errf);
	free(conf);
	free(feeds);
}

/* GETs url until its body holds needle (10 s at most); the last body. */
static char *
http_wait_for(const char *url, const char *needle)
{
	char *m = NULL;

	for (int i = 0; i < 100; i++) {
		free(m);
		if ((m = http_get(url)) != NULL && strstr(m, needle) != NULL)
			break;
		ts_nap_ms(100);
	}
	return m;
}

/* GETs url while its body (m, the last one) holds needle, 10 s at most;
 * the last body. */
static char *
http_wait_gone(const char *url, char *m, const char *needle)
{
	for (int i = 0; i < 100 && m && strstr(m, needle); i++) {
		free(m);
		ts_nap_ms(100);
		m = http_get(url);
	}
	return m;
}

/*
 * A feed its host's Retry-After holds is not asked: /metrics counted it
 * as an http_error fetch all the same.  Here "busy" gets a 429 with an
 * hour's Retry-After (a once), then a daemon finds "other", on the same
 * host, held, and "near" (localhost: another host name) fetched.
 */
Test(daemon, metrics_count_no_fetch_for_a_held_feed)
{
	char *busy = ts_feed(&T, "busy", "/b.xml?status=429&retry_after=3600");
	char *other = ts_feed(&T, "other", "/a.xml");
	char *near = xasprintf("[feed \"near\"]\nurl = http://localhost:%d"
	    "/a.xml\n\n", T.port);
	int port = th_free_port();
	char *listen = xasprintf("127.0.0.1:%d", port);
	char *all = xasprintf("%s%s%s", busy, other, near);
	char *conf = ts_config(&T, "", busy), *m, *url;
	char *errf = th_path(T.dir, "stderr");
	pid_t pid;

	ts_put(&T, "a.xml", "<rss version=\"2.0\"><channel><title>t</title>"
	    "<item><title>One</title><link>http://e.org/1</link></item>"
	    "</channel></rss>");
	ts_once_quiet(conf);
	cr_assert_eq(ts_db_int(&T, "SELECT count(*) FROM host_holds"), 1);
	free(conf);
	conf = ts_config(&T, "", all);
	conf_listen(conf, listen);
	pid = ts_run_start(conf, errf);
	url = xasprintf("http://127.0.0.1:%d/metrics", port);
	/* the cycle over: nothing waiting or running, the held feed too */
	m = http_wait_for(url, "feedd_fetches_total{outcome=\"ok\"} 1\n");
	m = http_wait_gone(url, m, "feedd_last_cycle_timestamp_seconds 0\n");
	kill(pid, SIGTERM);
	cr_assert_eq(ts_wait_exit(pid, 12), 0);
	cr_assert(m && strstr(m, "feedd_fetches_total{outcome=\"ok\"} 1\n") &&
	    !strstr(m, "feedd_last_cycle_timestamp_seconds 0\n"), "%s",
	    m ? m : "(no answer)");
	cr_assert(strstr(m, "feedd_fetches_total{outcome=\"http_error\"} 0\n"),
	    "%s", m);
	cr_assert(strstr(m, "feedd_fetch_duration_seconds_count 1\n"), "%s",
	    m);
	cr_assert_eq(ts_count(&T, "/a.xml", NULL), 1, "other asked");
	free(m);
	free(url);
	free(errf);
	free(conf);
	free(all);
	free(listen);
	free(near);
	free(other);
	free(busy);
}

/*
 * Polling keeps up while no feed waits for its turn, whatever is still
 * in flight: a server that never answers holds its transfer until the
 * low-speed limit (15 s here), and feedd_last_cycle_timestamp_seconds waited
 * for it (with a few such servers always in flight, for good).  It
 * moves once the other feed is fetched, the hung transfer running.
 */
Test(daemon, metrics_say_polling_keeps_up_while_a_slow_server_runs)
{
	int port = th_free_port();
	char *listen = xasprintf("127.0.0.1:%d", port);
	char *hung = ts_feed(&T, "hung", "/h.xml?hang=1");
	char *good = ts_feed(&T, "good", "/a.xml");
	char *rest = xasprintf("%s%s", hung, good);
	char *conf = ts_config(&T, "timeout = 30s", rest), *url, *m;
	char *errf = th_path(T.dir, "stderr"), *doc = rss_items(1, "g", "");
	pid_t pid;

	ts_put(&T, "a.xml", doc);
	conf_listen(conf, listen);
	/* the test suite's 2 s would end the hung transfer: 20 s here */
	setenv("FEEDD_TEST_LOW_SPEED_SECS", "20", 1);
	pid = ts_run_start(conf, errf);
	url = xasprintf("http://%s/metrics", listen);
	m = http_wait_for(url, "feedd_fetch_duration_seconds_count 1\n");
	m = http_wait_gone(url, m, "feedd_last_cycle_timestamp_seconds 0\n");
	kill(pid, SIGTERM);
	cr_assert_eq(ts_wait_exit(pid, 12), 0);
	cr_assert(m && !strstr(m, "feedd_last_cycle_timestamp_seconds 0\n"),
	    "%s", m ? m : "(no answer)");
	/* the hung one was still running */
	cr_assert(strstr(m, "feedd_fetch_duration_seconds_count 1\n"), "%s",
	    m);
	cr_assert_eq(ts_count(&T, "/h.xml", NULL), 1);
	free(m);
	free(url);
	free(doc);
	free(errf);
	free(conf);
	free(rest);
	free(good);
	free(hung);
	free(listen);
}


/*
 * A reload that moves the Atom file: the HTTP server serves the new
 * file, not the one the old config named (it used to keep the old one).
 */
/* conf: one feed, the atom at NAME.xml titled TITLE, served on port. */
static void
write_served_conf(const char *conf, const char *name, const char *title,
    int port, const char *feed)
{
	char *text = xasprintf("[daemon]\nstate_dir = state\ntimeout = 4s\n"
	    "\n[output]\natom = %s.xml\ntitle = %s\nlisten = 127.0.0.1:%d\n\n"
	    "%s", name, title, port, feed);

	cr_assert_eq(th_write_file(conf, text, strlen(text)), 0);
	free(text);
}

Test(daemon, http_server_follows_a_reload)
{
	char *doc = rss_items(2, "g", ""), *feed = ts_feed(&T, "f", "/a.xml");
	char *conf = th_path(T.dir, "feedd.conf"), *errf = th_path(T.dir,
	    "stderr"), *url, *body;
	int port = th_free_port();
	pid_t pid;

	ts_put(&T, "a.xml", doc);
	write_served_conf(conf, "before", "Before", port, feed);
	pid = ts_run_start(conf, errf);
	url = xasprintf("http://127.0.0.1:%d/feed.xml", port);
	body = http_wait_for(url, "Story number 1");
	cr_assert(body && strstr(body, "<title type=\"text\">Before</title>"),
	    "first config: %s", body ? body : "(no answer)");
	free(body);
	write_served_conf(conf, "after", "After", port, feed);
	kill(pid, SIGHUP);
	body = http_wait_for(url, "<title type=\"text\">After</title>");
	kill(pid, SIGTERM);
	cr_assert_eq(ts_wait_exit(pid, 12), 0);
	cr_assert(body && strstr(body, "<title type=\"text\">After</title>"),
	    "after the reload /feed.xml is: %s", body ? body : "(no answer)");
	free(body);
	free(url);
	free(errf);
	free(conf);
	free(feed);
	free(doc);
}

/*
 * A reload to an address that cannot be bound (taken) stopped the old
 * server first and left none, while the log said "reloaded".  The old
 * one goes on, serving the new configuration's files, and the log says
 * where.
 */
Test(daemon, a_reload_to_a_taken_address_keeps_serving_the_old)
{
	char *doc = rss_items(2, "g", ""), *feed = ts_feed(&T, "f", "/a.xml");
	char *conf = th_path(T.dir, "feedd.conf"), *errf = th_path(T.dir,
	    "stderr"), *url, *body;
	int port = th_free_port(), taken = th_free_port(), one = 1, s;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	pid_t pid;

	cr_assert_geq(s = socket(AF_INET, SOCK_STREAM, 0), 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sin.sin_port = htons((uint16_t)taken);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(listen(s, 1), 0);
	ts_put(&T, "a.xml", doc);
	write_served_conf(conf, "before", "Before", port, feed);
	pid = ts_run_start(conf, errf);
	url = xasprintf("http://127.0.0.1:%d/feed.xml", port);
	body = http_wait_for(url, "Story number 1");
	cr_assert_not_null(body, "no first answer");
	free(body);
	write_served_conf(conf, "after", "After", taken, feed);
	kill(pid, SIGHUP);
	cr_assert_eq(ts_wait_file_has(errf, "still serving on", 20), 0,
	    "the reload did not say where it serves");
	body = http_wait_for(url, "<title type=\"text\">After</title>");
	kill(pid, SIGTERM);
	cr_assert_eq(ts_wait_exit(pid, 12), 0);
	close(s);
	cr_assert(body && strstr(body, "<title type=\"text\">After</title>"),
	    "the old address after the reload: %s", body ? body : "(none)");
	free(body);
	free(url);
	free(errf);
	free(conf);
	free(feed);
	free(doc);
}

/* `listen = ::1:8787` was accepted by check-config and refused by run:
 * now one parser decides for both, and says how to write it. */
Test(daemon, listen_is_judged_alike_by_check_config_and_run)
{
	char *conf = th_path(T.dir, "feedd.conf");
	static const char text[] = "[daemon]\nstate_dir = state\n\n"
	    "[output]\natom = feed.xml\nlisten = ::1:8787\n";
	struct th_result c, r;

	cr_assert_eq(th_write_file(conf, text, strlen(text)), 0);
	cr_assert_eq(th_feedd_run(&c, 10, "check-config", "-c", conf, NULL), 0);
	cr_assert_eq(th_feedd_run(&r, 10, "run", "-c", conf, NULL), 0);
	cr_expect_eq(c.status, 2, "check-config: %s", c.err);
	cr_expect_eq(r.status, c.status, "run: %s", r.err);
	cr_expect(strstr(c.err, "[::1]:8787") != NULL, "%s", c.err);
	/* the reason once, not "listen X: listen X: ..." */
	cr_expect_null(strstr(r.err, "listen ::1:8787: listen"), "%s", r.err);
	th_result_cleanup(&c);
	th_result_cleanup(&r);
	free(conf);
}

/* ---- retention ---- */

/* Config: feed "old" at /old.xml, retention 1d, 10 entries out. */
static char *
retention_conf(void)
{
	char *path = th_path(T.dir, "feedd.conf");
	char *text = xasprintf("[daemon]\nstate_dir = state\ntimeout = 4s\n"
	    "retention = 1d\nlog_level = info\n\n[output]\natom = feed.xml\n"
	    "max_entries = 10\n\n[feed \"old\"]\nurl = http://127.0.0.1:%d"
	    "/old.xml\n", T.port);

	cr_assert_eq(th_write_file(path, text, strlen(text)), 0);
	free(text);
	return path;
}

/* 2,500 items stored, then all made 200 days old: a backlog of more
 * than one prune step (PRUNE_STEP, 2,000). */
static char *
retention_backlog(void)
{
	char *doc = th_rss_of_items(2500), *conf = retention_conf();
	char *sql;

	ts_put(&T, "old.xml", doc);
	free(doc);
	ts_once_quiet(conf);
	cr_assert_eq(q("SELECT count(*) FROM items"), 2500);
	sql = xasprintf("UPDATE items SET first_seen = first_seen - %d",
	    200 * 86400);
	ts_db_exec(&T, sql);
	free(sql);
	return conf;
}

static int
only_ten_left(void *arg)
{
	(void)arg;
	return q("SELECT count(*) FROM items") == 10;
}

/* `once` prunes the whole backlog, in steps, keeping the output's 10. */
Test(daemon, once_prunes_a_backlog_past_retention)
{
	char *conf = retention_backlog();

	ts_once_quiet(conf);
	cr_assert_eq(q("SELECT count(*) FROM items"), 10);
	cr_assert_eq(q("SELECT count(*) FROM stories"), 10);
	cr_assert_eq(q("SELECT count(*) FROM items_fts_docsize"), 10);
	free(conf);
}

/* `run` takes a step a loop turn and goes on until the backlog is gone
 * (not one step, then an hour's wait), and still serves its feeds. */
Test(daemon, run_prunes_a_backlog_step_by_step)
{
	char *conf = retention_backlog();
	char *errf = th_path(T.dir, "stderr"), *state = th_path(T.dir,
	    "state"), *err;
	pid_t pid;

	pid = ts_run_start(conf, errf);
	cr_assert_eq(ts_wait_dir(state, only_ten_left, NULL, 60), 0,
	    "%lld items left", q("SELECT count(*) FROM items"));
	cr_assert_eq(ts_wait_request(&T, "GET /old.xml", 20), 0);
	kill(pid, SIGTERM);
	cr_assert_eq(ts_wait_exit(pid, 12), 0);
	err = th_read_file(errf, NULL);
	cr_assert_null(strstr(err, "prune:"), "%s", err);
	free(err);
	free(state);
	free(errf);
	free(conf);
}

/* The state folder made first: a wait on its files watches it. */
static void
ts_mkdir_state(struct ts *t)
{
	char *state = th_path(t->dir, "state");

	cr_assert_eq(mkdir(state, 0755), 0);
	free(state);
}

/*
 * `run` on one feed of one item, checking its files every 100 ms, once
 * its first flush wrote feed.xml: its pid.  conf and errf: the caller's.
 */
static pid_t
run_checked_often(char **conf, char **errf)
{
	char	*atom = th_path(T.dir, "state/feed.xml");
	pid_t	 pid;

	*conf = ts_conf_one(&T, "a", "/a.xml", "");
	*errf = th_path(T.dir, "stderr");
	ts_put(&T, "a.xml", "<rss version=\"2.0\"><channel><title>t</title>"
	    "<item><title>One</title><link>http://e.org/1</link></item>"
	    "</channel></rss>");
	ts_mkdir_state(&T);
	setenv("FEEDD_TEST_HEARTBEAT_MS", "100", 1);
	pid = ts_run_start(*conf, *errf);
	unsetenv("FEEDD_TEST_HEARTBEAT_MS");
	cr_assert_eq(ts_wait_file_has(atom, "One", 20), 0, "no first flush");
	free(atom);
	return pid;
}

/*
 * The database deleted under a running daemon: its writes went on into
 * the unlinked file, lost when it ended, and `status` said "no database
 * yet".  It stops at its next check (exit 1, so systemd starts it on a
 * new file) and says why in one line.
 */
Test(daemon, a_deleted_database_stops_the_daemon)
{
	char *db = th_path(T.dir, "state/feedd.db"), *conf, *errf, *err;
	pid_t pid = run_checked_often(&conf, &errf);

	cr_assert_eq(unlink(db), 0);
	cr_assert_eq(ts_wait_exit(pid, 20), 1, "it did not stop with 1");
	err = th_read_file(errf, NULL);
	cr_assert(strstr(err, "feedd.db: the file was deleted, renamed or "
	    "replaced while feedd had it open") != NULL, "stderr: %s", err);
	cr_assert(strstr(err, "stopping") != NULL, "stderr: %s", err);
	free(err);
	free(errf);
	free(db);
	free(conf);
}

/*
 * The lock file deleted under a running daemon let a second writer in.
 * The daemon takes the new file at its next check, and a second writer
 * is refused again.
 */
Test(daemon, a_deleted_lock_file_is_taken_again)
{
	char *lock = th_path(T.dir, "state/feedd.db.lock"), *conf, *errf;
	struct th_result r;
	pid_t pid = run_checked_often(&conf, &errf);

	cr_assert_eq(unlink(lock), 0);
	cr_assert_eq(ts_wait_file_has(errf, "taken again", 20), 0,
	    "the daemon did not take the lock again");
	cr_assert_eq(th_feedd_run(&r, 30, "once", "-c", conf, NULL), 0);
	cr_assert_eq(r.status, 1, "a second writer ran: %s", r.err);
	cr_assert(strstr(r.err, "another feedd") != NULL, "stderr: %s", r.err);
	th_result_cleanup(&r);
	kill(pid, SIGTERM);
	cr_assert_eq(ts_wait_exit(pid, 12), 0);
	free(errf);
	free(lock);
	free(conf);
}

/*
 * `once` whose standard output is a pipe nobody reads died by SIGPIPE at
 * its summary line (status 141), before closing the database.  It now
 * finishes and names standard output (exit 1), as other commands do.
 */
Test(daemon, once_to_a_closed_pipe_finishes_and_says_so)
{
	char *conf = ts_conf_one(&T, "a", "/a.xml", "");
	char *errf = th_path(T.dir, "stderr"), *err;
	int fds[2];
	pid_t pid;

	ts_put(&T, "a.xml", "<rss version=\"2.0\"><channel><title>t</title>"
	    "<item><title>One</title><link>http://e.org/1</link></item>"
	    "</channel></rss>");
	cr_assert_eq(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		int fd = open(errf, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		close(fds[0]);
		dup2(fds[1], 1);
		dup2(fd, 2);
		signal(SIGPIPE, SIG_DFL);	/* as a shell starts it */
		execl(th_feedd(), th_feedd(), "once", "-c", conf, (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	close(fds[1]);
	cr_assert_eq(ts_wait_exit(pid, 30), 1, "not exit 1");
	err = th_read_file(errf, NULL);
	cr_assert(strstr(err, "standard output") != NULL, "stderr: %s", err);
	cr_assert_eq(q("SELECT count(*) FROM items"), 1);
	free(err);
	free(errf);
	free(conf);
}

/*
 * Another process holding the database's write lock (a sqlite3 shell in
 * BEGIN IMMEDIATE) stalled the loop 5 s in each store call: a SIGTERM
 * took up to 27 s, and the error said only "database is locked".  The
 * writer waits half a second, then fails at once for a while; the
 * reload is refused naming the lock, and a stop takes seconds.
 */
Test(daemon, a_database_locked_by_another_process_stalls_nothing)
{
	char *db = th_path(T.dir, "state/feedd.db"), *conf, *errf;
	pid_t pid = run_checked_often(&conf, &errf);
	sqlite3 *h;
	int64_t t0;

	cr_assert_eq(sqlite3_open(db, &h), SQLITE_OK);
	/* the daemon may be in a write of its own just then */
	sqlite3_busy_timeout(h, 10000);
	cr_assert_eq(sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL),
	    SQLITE_OK, "%s", sqlite3_errmsg(h));
	kill(pid, SIGHUP);
	cr_assert_eq(ts_wait_file_has(errf, "locked by another process", 20),
	    0, "the reload did not name the lock");
	t0 = clock_monotonic_ms();
	kill(pid, SIGTERM);
	cr_assert_eq(ts_wait_exit(pid, 20), 0);
	cr_assert_lt(clock_monotonic_ms() - t0, 4000, "the stop took %lld ms",
	    (long long)(clock_monotonic_ms() - t0));
	sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(h);
	free(errf);
	free(db);
	free(conf);
}

/*
 * On a new setup the first poll's stories are written as soon as they
 * are stored: the flush that makes the outputs exist at start no longer
 * starts the wait between rewrites (readers review 7: a 0-entry
 * feed.xml for flush_delay_ms).  The wait is set to a minute here; the
 * test waits ten seconds at most.
 */
Test(daemon, the_first_poll_is_written_without_waiting)
{
	char *doc = rss_items(2, "g", ""), *f = ts_feed(&T, "f", "/a.xml");
	char *conf = ts_config(&T, "", f), *errf = th_path(T.dir, "stderr");
	char *atom = th_path(T.dir, "state/feed.xml");
	char *state = th_path(T.dir, "state");
	pid_t pid;
	int	 written;

	ts_put(&T, "a.xml", doc);
	cr_assert_eq(mkdir(state, 0700), 0);	/* watched from the start */
	setenv("FEEDD_TEST_FLUSH_DELAY_MS", "60000", 1);
	pid = ts_run_start(conf, errf);
	setenv("FEEDD_TEST_FLUSH_DELAY_MS", "200", 1);
	written = ts_wait_file_has(atom, "Story number 1", 10);
	kill(pid, SIGTERM);		/* before an assertion can end the test */
	cr_assert_eq(ts_wait_exit(pid, 12), 0);
	cr_assert_eq(written, 0,
	    "feed.xml did not get the first poll's stories in 10 s");
	free(state);
	free(atom);
	free(errf);
	free(conf);
	free(f);
	free(doc);
}

/*
 * A SIGHUP that changes nothing the outputs show writes nothing: the
 * database's marks say the files are current, as at a restart.  It
 * rendered every entry again (1.3 s on the loop at max_entries
 * 100,000).  A title changed behind the generation's back shows if the
 * outputs were rendered: they must not be.
 */
Test(daemon, a_reload_that_changes_nothing_shown_writes_no_output)
{
	char *conf, *errf, *atom = th_path(T.dir, "state/feed.xml"), *text;
	pid_t pid;

	pid = run_checked_often(&conf, &errf);
	ts_db_exec(&T, "UPDATE items SET title = 'Changed behind'");
	kill(pid, SIGHUP);
	cr_assert_eq(ts_wait_file_has(errf, "reloaded", 20), 0);
	kill(pid, SIGTERM);
	cr_assert_eq(ts_wait_exit(pid, 12), 0);
	text = th_read_file(atom, NULL);
	cr_assert(strstr(text, "One") && !strstr(text, "Changed behind"),
	    "the outputs were rendered again: %s", text);
	free(text);
	free(atom);
	free(errf);
	free(conf);
}

/*
 * A backlog of matches (a first poll of a big feed, a rule every item
 * matches) is checked in steps in `run`, the loop's turn between them,
 * and each story is alerted once: no item is checked twice or skipped
 * where one step ends and the next begins.
 */
Test(daemon, a_backlog_of_matches_is_alerted_once_in_steps)
{
	char *doc = th_rss_of_items(20000), *feed = ts_feed(&T, "many",
	    "/many.xml");
	char *rest = xasprintf("%s[alert \"all\"]\nmatch = story\n", feed);
	char *conf = ts_config(&T, "log_level = debug\n", rest);
	char *errf = th_path(T.dir, "stderr"), *alog = th_path(T.dir,
	    "state/alerts.log"), *err, *lines;
	pid_t pid;

	ts_put(&T, "many.xml", doc);
	ts_mkdir_state(&T);
	pid = ts_run_start(conf, errf);
	cr_assert_eq(ts_wait_file_has(alog, "\"Story 19999\"", 60), 0,
	    "the last item's alert");
	kill(pid, SIGTERM);
	cr_assert_eq(ts_wait_exit(pid, 12), 0);
	err = th_read_file(errf, NULL);
	cr_assert(strstr(err, "more to check") != NULL, "one step: %s", err);
	cr_assert_eq(q("SELECT count(*) FROM alerts"), 20000);
	cr_assert_eq(q("SELECT count(*) FROM alerts WHERE written = 0"), 0);
	lines = th_read_file(alog, NULL);
	cr_assert_eq(th_nlines(lines), 20000, "each story once");
	free(lines);
	free(err);
	free(alog);
	free(errf);
	free(conf);
	free(rest);
	free(feed);
	free(doc);
}
