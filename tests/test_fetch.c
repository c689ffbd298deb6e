/*
 * test_fetch: the fetcher seen from outside: `feedd once` against
 * build/testsrv on 127.0.0.1, asserting through the server's request
 * log and the database.  Conditional GET, compression, redirects,
 * HTTP errors, slow and silent servers, size caps, odd bodies.
 */
#include <uv.h>

#include "daemon/fetch.h"
#include "daemon/fetch_pool.h"
#include "tests/ts_helpers.h"

/* Two items; titles, links and guids as written here. */
static const char RSS2[] =
    "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>\n"
    "<title>Fixture</title><link>http://example.com/</link>\n"
    "<item><title>First story</title><link>http://example.com/a</link>"
    "<guid>a-1</guid></item>\n"
    "<item><title>Second story</title><link>http://example.com/b</link>"
    "<guid>b-2</guid></item>\n</channel></rss>\n";

static struct ts T;

static void
setup(void)
{
	ts_start(&T);
	ts_put(&T, "f.xml", RSS2);
}

static void
teardown(void)
{
	ts_stop(&T);
}

/* One feed NAME at PATHQ (plus extra [daemon] lines), run once. */
static char *
one_feed(const char *name, const char *pathq, const char *daemon_extra)
{
	char *f = ts_feed(&T, name, pathq);
	char *conf = ts_config(&T, daemon_extra, f);

	free(f);
	ts_once_quiet(conf);
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

static char *
feed_str(const char *name, const char *col)
{
	char *sql = xasprintf("SELECT %s FROM feeds WHERE name = '%s'", col, name);
	char *v = ts_db_str(&T, sql);

	free(sql);
	return v;
}

TestSuite(fetch, .init = setup, .fini = teardown, .timeout = 120);

Test(fetch, etag_200_then_304)
{
	char *conf = one_feed("e", "/f.xml?etag=v1", "");

	cr_assert_eq(ts_items_of(&T, "e"), 2);
	ts_once_quiet(conf);
	cr_assert_eq(ts_count(&T, "/f.xml?etag=v1", "inm=-"), 1);
	cr_assert_eq(ts_count(&T, "/f.xml?etag=v1", "inm=\"v1\""), 1,
	    "the second request carries If-None-Match");
	cr_assert_eq(feed_int("e", "last_status"), 304);
	cr_assert_eq(feed_int("e", "not_modified"), 1);
	cr_assert_eq(ts_items_of(&T, "e"), 2);
	free(conf);
}

Test(fetch, last_modified_200_then_304)
{
	/* 1700000000 is Tue, 14 Nov 2023 22:13:20 GMT */
	char *conf = one_feed("m", "/f.xml?lastmod=1700000000", "");

	ts_once_quiet(conf);
	cr_assert_eq(ts_count(&T, "lastmod=1700000000",
	    "ims=Tue, 14 Nov 2023 22:13:20 GMT"), 1);
	cr_assert_eq(feed_int("m", "last_status"), 304);
	free(conf);
}

Test(fetch, same_body_again_is_not_modified)
{
	char *conf = one_feed("s", "/f.xml", "");

	ts_once_quiet(conf);
	cr_assert_eq(ts_count(&T, "/f.xml", NULL), 2);
	cr_assert_eq(feed_int("s", "last_status"), 200);
	cr_assert_eq(feed_int("s", "not_modified"), 1, "same hash, no write");
	free(conf);
}

Test(fetch, gzip_body_is_decoded)
{
	free(one_feed("z", "/f.xml?gzip=1", ""));
	cr_assert_eq(ts_items_of(&T, "z"), 2);
}

/*
 * The fetcher offers the codings a parse worker undoes (feeds/coding.h),
 * and a worker undoes deflate as a zlib stream and as the raw deflate
 * some servers send under that name.
 */
Test(fetch, deflate_bodies_are_decoded)
{
	free(one_feed("dz", "/f.xml?deflate=zlib", ""));
	free(one_feed("dr", "/f.xml?deflate=raw", ""));
	cr_assert_eq(ts_items_of(&T, "dz"), 2);
	cr_assert_eq(ts_items_of(&T, "dr"), 2);
	cr_assert_eq(ts_count(&T, "/f.xml?deflate=zlib",
	    "ae=gzip, deflate"), 1);
}

/*
 * A server that sends a coding feedd did not ask for (it ignores
 * Accept-Encoding) is asked once more, libcurl undoing what it knows:
 * the parse workers undo only the codings asked for.  zstd here, as
 * libcurl reads it whatever its build (a frame of stored blocks).
 */
Test(fetch, a_coding_not_asked_for_is_fetched_again_decoded)
{
	char *err;

	free(one_feed("z", "/f.xml?zstd=1", ""));
	err = feed_str("z", "last_error");
	cr_assert_null(err, "%s", err);
	cr_assert_eq(ts_items_of(&T, "z"), 2);
	cr_assert_eq(ts_count(&T, "/f.xml?zstd=1", NULL), 2);
	cr_assert_eq(ts_count(&T, "/f.xml?zstd=1", "ae=gzip, deflate"), 1);
	cr_assert_eq(ts_count(&T, "/f.xml?zstd=1", ", zstd"), 1,
	    "the second request is libcurl's, which lists zstd");
}

/*
 * The second transfer has what is left of the fetch's timeout, not a
 * timeout of its own: each answer waits 1.5 s, then sends its body over
 * 2 s (far faster than the low-speed limit), so the first leaves 2.5 s
 * of 4 and the second, 3.5 s long, runs out (it had ended with 4 s).
 */
Test(fetch, a_fetch_made_again_decoded_keeps_within_its_timeout)
{
	const char *q = "/zt.xml?zstd=1&delay_ms=1500&slow_body_ms=2000";
	char *doc = th_rss_of_items(200), *err;

	/* some 40 KB: past the silence, well over 64 bytes a second */
	ts_put(&T, "zt.xml", doc);
	free(doc);
	free(one_feed("zt", q, "timeout = 4s"));
	err = feed_str("zt", "last_error");
	cr_assert(err && strstr(err, "timed out"), "%s", err);
	cr_assert_eq(ts_items_of(&T, "zt"), 0);
	cr_assert_eq(ts_count(&T, q, NULL), 2);
	free(err);
}

/* A coding neither feedd nor libcurl knows fails with libcurl's list
 * of those it does. */
Test(fetch, a_coding_no_one_knows_is_named)
{
	char *err;

	free(one_feed("u", "/f.xml?ce=utf-8", ""));
	err = feed_str("u", "last_error");
	cr_assert(err && strstr(err, "Unrecognized content encoding"), "%s",
	    err);
	cr_assert_eq(ts_items_of(&T, "u"), 0);
	free(err);
}

Test(fetch, permanent_redirect_is_recorded)
{
	char *want = xasprintf("http://127.0.0.1:%d/f.xml", T.port);
	char *got;

	free(one_feed("r", "/old.xml?redirect=/f.xml", ""));
	got = feed_str("r", "redirect_url");
	cr_assert_str_eq(got ? got : "(null)", want);
	cr_assert_eq(ts_items_of(&T, "r"), 2);
	free(got);
	free(want);
}

Test(fetch, temporary_redirect_is_not_recorded)
{
	free(one_feed("t", "/old.xml?redirect=/f.xml&status=302", ""));
	cr_assert_null(feed_str("t", "redirect_url"));
	cr_assert_eq(ts_items_of(&T, "t"), 2);
}

/* A relative link resolves against the URL the body came from. */
Test(fetch, relative_link_resolves_against_the_last_hop)
{
	char *dir = th_path(T.www, "sub");
	char *want = xasprintf("http://127.0.0.1:%d/sub/post-1", T.port);
	char *got;

	cr_assert_eq(mkdir(dir, 0755), 0);
	ts_put(&T, "sub/rel.xml", "<rss version=\"2.0\"><channel><title>R"
	    "</title><item><title>One</title><link>post-1</link></item>"
	    "</channel></rss>");
	free(one_feed("rel", "/old.xml?redirect=/sub/rel.xml&status=302", ""));
	got = ts_db_str(&T, "SELECT link FROM items");
	cr_assert_str_eq(got ? got : "(null)", want);
	free(got);
	free(want);
	free(dir);
}

/* The charset of Content-Type decodes a body that names none itself. */
Test(fetch, http_charset_decodes_the_body)
{
	char *got;

	/* "Привет" in KOI8-R; read as windows-1252 it would be "ðÒÉ×ÅÔ" */
	ts_put(&T, "koi.xml", "<rss version=\"2.0\"><channel><title>K</title>"
	    "<item><title>\xf0\xd2\xc9\xd7\xc5\xd4</title>"
	    "<link>http://example.com/k</link></item></channel></rss>");
	free(one_feed("koi", "/koi.xml?type=text/xml%3B%20charset%3DKOI8-R", ""));
	got = ts_db_str(&T, "SELECT title FROM items");
	cr_assert_str_eq(got ? got : "(null)", "Привет");
	free(got);
}

Test(fetch, redirect_loop_stops_after_five)
{
	char *err;

	free(one_feed("l", "/f.xml?loop=1", ""));
	cr_assert_leq(ts_count(&T, "loop=1", NULL), 6);
	err = feed_str("l", "last_error");
	cr_assert(err && strstr(err, "redirect"), "got %s", err);
	free(err);
}

Test(fetch, redirect_to_file_is_refused)
{
	char *err;

	free(one_feed("p", "/f.xml?redirect=file:///etc/passwd", ""));
	err = feed_str("p", "last_error");
	cr_assert_not_null(err);
	cr_assert_eq(ts_items_of(&T, "p"), 0);
	free(err);
}

Test(fetch, not_found_counts_an_error)
{
	free(one_feed("n", "/missing.xml", ""));
	cr_assert_eq(feed_int("n", "last_status"), 404);
	cr_assert_eq(feed_int("n", "consecutive_errors"), 1);
}

Test(fetch, gone_stops_polling)
{
	char *conf = one_feed("g", "/f.xml?status=410", "");

	cr_assert_eq(feed_int("g", "gone"), 1);
	ts_once_quiet(conf);
	cr_assert_eq(ts_count(&T, "status=410", NULL), 1, "no second request");
	free(conf);
}

/*
 * A 206 to a request that asked for no range is a part of the feed:
 * its half an item must not be stored as a story of its own.
 */
Test(fetch, partial_content_unasked_is_an_error)
{
	free(one_feed("p", "/f.xml?status=206", ""));
	cr_assert_eq(feed_int("p", "consecutive_errors"), 1);
	cr_assert_eq(ts_db_int(&T, "SELECT count(*) FROM items"), 0);
	cr_assert_eq(ts_db_int(&T, "SELECT last_error LIKE 'HTTP 206 %' "
	    "FROM feeds WHERE name = 'p'"), 1);
}

Test(fetch, server_error_backs_off)
{
	/* interval 10 min; one error doubles it, jitter at most 10% */
	free(one_feed("b", "/f.xml?status=500", "interval = 10m"));
	cr_assert_eq(feed_int("b", "consecutive_errors"), 1);
	cr_assert_geq(feed_int("b", "next_due - last_fetch"), 1200 * 9 / 10);
}

Test(fetch, retry_after_is_honoured_and_holds_the_host)
{
	char *f1 = ts_feed(&T, "a429", "/f.xml?status=429&retry_after=200000");
	char *f2 = ts_feed(&T, "b-same-host", "/f.xml?second=1");
	char *rest = xasprintf("%s%s", f1, f2);
	char *conf = ts_config(&T, "concurrency = 1\nper_host = 1", rest);

	ts_once_quiet(conf);
	/* beyond 24 h: Retry-After wins over the backoff cap */
	cr_assert_geq(feed_int("a429", "next_due - last_fetch"), 200000);
	cr_assert_eq(ts_count(&T, "second=1", NULL), 0,
	    "the other feed of the host waits");
	free(f1);
	free(f2);
	free(rest);
	free(conf);
}

Test(fetch, silent_server_times_out_others_go_on)
{
	char *f1 = ts_feed(&T, "hang", "/f.xml?hang=1");
	char *f2 = ts_feed(&T, "ok", "/f.xml");
	char *rest = xasprintf("%s%s", f1, f2);
	char *conf = ts_config(&T, "timeout = 2s", rest);
	char *err;

	ts_once_quiet(conf);
	err = feed_str("hang", "last_error");
	cr_assert_not_null(err);
	cr_assert_eq(ts_items_of(&T, "ok"), 2);
	free(err);
	free(f1);
	free(f2);
	free(rest);
	free(conf);
}

Test(fetch, dripping_server_is_dropped)
{
	char *err;

	/* a byte a second: dropped after the shortest low-speed time */
	setenv("FEEDD_TEST_LOW_SPEED_SECS", "1", 1);
	free(one_feed("d", "/f.xml?drip=1", "timeout = 30s"));
	err = feed_str("d", "last_error");
	cr_assert(err && strstr(err, "slow"), "got %s", err);
	free(err);
}

Test(fetch, body_over_max_size)
{
	char *err;

	free(one_feed("big", "/f.xml?bytes=300000", "max_size = 100KB"));
	err = feed_str("big", "last_error");
	cr_assert(err && strstr(err, "max_size"), "got %s", err);
	free(err);
}

/*
 * A gzip bomb stops at max_size twice over: a parse worker inflates no
 * more than max_size (16 MB of zeros come as 16 KB), and the body as
 * sent is kept to max_size too (2 GB of zeros past 64 KB of it).
 */
Test(fetch, gzip_bomb_stops_at_the_cap)
{
	char *err;

	free(one_feed("bomb", "/f.xml?bomb=16", "max_size = 1MB"));
	err = feed_str("bomb", "last_error");
	cr_assert(err && strstr(err, "over max_size (1 MB) once inflated"),
	    "got %s", err);
	free(err);
	free(one_feed("big", "/f.xml?bomb=2048", "max_size = 64KB"));
	err = feed_str("big", "last_error");
	cr_assert(err && strstr(err, "body over max_size"), "got %s", err);
	free(err);
}

Test(fetch, truncated_feed_keeps_what_parsed)
{
	/* cut inside the second item: the first is complete */
	char *q = xasprintf("/f.xml?truncate=%zu",
	    (size_t)(strstr(RSS2, "<guid>b-2") - RSS2));

	free(one_feed("cut", q, ""));
	cr_assert_geq(ts_items_of(&T, "cut"), 1);
	free(q);
}

Test(fetch, html_content_type_that_is_rss_parses)
{
	free(one_feed("html", "/f.xml?type=text/html", ""));
	cr_assert_eq(ts_items_of(&T, "html"), 2);
}

Test(fetch, malformed_feed_keeps_earlier_items)
{
	char *conf = one_feed("mal", "/feed2.xml", ""), *err;

	ts_put(&T, "feed2.xml", RSS2);
	ts_once_quiet(conf);
	cr_assert_eq(ts_items_of(&T, "mal"), 2);
	ts_put(&T, "feed2.xml", "<html><body>gateway error</body></html>");
	ts_once_quiet(conf);
	cr_assert_eq(ts_items_of(&T, "mal"), 2, "nothing stored before is lost");
	err = feed_str("mal", "last_error");
	cr_assert_not_null(err);
	free(err);
	free(conf);
}

Test(fetch, file_url_works_only_when_configured)
{
	char *p = th_path(T.www, "f.xml");
	char *f = xasprintf("[feed \"file\"]\nurl = file://%s\n", p);
	char *conf = ts_config(&T, "", f);

	ts_once_quiet(conf);
	cr_assert_eq(ts_items_of(&T, "file"), 2);
	free(p);
	free(f);
	free(conf);
}

/* The fetcher itself, on a loop of its own: requests by index. */
struct hosts_run {
	char	*url[5];
	int	 drop;		/* this index's request is dropped */
	int	 done;
};

static int
hosts_req(void *arg, struct fetch_req *req, void *cbarg)
{
	struct hosts_run *c = cbarg;
	int i = (int)(intptr_t)arg;

	if (i == c->drop)
		return -1;
	req->url = xstrdup(c->url[i]);
	return 0;
}

static void
hosts_done(struct fetch_result *res, void *cbarg)
{
	struct hosts_run *c = cbarg;

	c->done++;
	fetch_result_free(res);
}

/*
 * The fetcher forgets a host once nothing of it is queued, in flight or
 * held: hosts of feeds a reload removed, or of one cycle over many
 * hosts, do not stay for the life of the daemon.  One whose only
 * request was dropped goes too; a host held by a 429 stays for the
 * hold.
 */
Test(fetch, hosts_are_forgotten_when_idle)
{
	struct fetch_opts o = { .concurrency = 4, .per_host = 1,
	    .timeout = 20, .max_size = 1 << 20, .user_agent = "feedd-test",
	    .allow_private = 1 };
	struct hosts_run c = { .drop = 3 };
	const char *host[] = { "127.0.0.1", "localhost", "127.0.0.1",
	    "127.0.0.3", "127.0.0.1" };
	const char *path[] = { "/f.xml", "/f.xml", "/f.xml?again=1",
	    "/f.xml", "/f.xml?status=429&retry_after=300" };
	struct fetcher *fr;
	uv_loop_t loop;

	for (int i = 0; i < 5; i++)
		c.url[i] = xasprintf("http://%s:%d%s", host[i], T.port,
		    path[i]);
	cr_assert_eq(uv_loop_init(&loop), 0);
	fr = fetcher_new(&loop, &o, hosts_req, hosts_done, &c);
	for (intptr_t i = 0; i < 4; i++)
		fetcher_add(fr, c.url[i], (void *)i);
	cr_assert_eq(fetcher_hosts(fr), 3);
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert_eq(c.done, 3, "the dropped request has no result");
	cr_assert_eq(ts_count(&T, "again=1", NULL), 1);
	cr_assert_eq(fetcher_hosts(fr), 0, "%zu hosts left",
	    fetcher_hosts(fr));
	fetcher_add(fr, c.url[4], (void *)(intptr_t)4);
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert_eq(c.done, 4);
	cr_assert_eq(fetcher_hosts(fr), 1, "the held host stays");
	fetcher_close(fr);
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert_eq(uv_loop_close(&loop), 0);
	for (int i = 0; i < 5; i++)
		free(c.url[i]);
}

/* Requests by index on one host, started in the order req_cb saw. */
struct order_run {
	struct fetcher *fr;
	char	*url;
	int	 started[32];
	int	 nstarted;
	int	 next;		/* the next index to add */
	int	 done;
};

static int
order_req(void *arg, struct fetch_req *req, void *cbarg)
{
	struct order_run *c = cbarg;

	c->started[c->nstarted++] = (int)(intptr_t)arg;
	/* two more for each started: the queue grows while its head moves */
	for (int k = 0; k < 2 && c->next < 32; k++, c->next++)
		fetcher_add(c->fr, c->url, (void *)(intptr_t)c->next);
	req->url = xstrdup(c->url);
	return 0;
}

static void
order_done(struct fetch_result *res, void *cbarg)
{
	((struct order_run *)cbarg)->done++;
	fetch_result_free(res);
}

/*
 * A host's queued requests start in the order they were added, while
 * more are added as they start (the queue is a ring that grows; its
 * head moves on as it does), and each starts once.
 */
Test(fetch, one_hosts_requests_start_in_the_order_added)
{
	struct fetch_opts o = { .concurrency = 1, .per_host = 1,
	    .timeout = 20, .max_size = 1 << 20, .user_agent = "feedd-test",
	    .allow_private = 1 };
	struct order_run c = { 0 };
	uv_loop_t loop;

	c.url = xasprintf("http://127.0.0.1:%d/f.xml", T.port);
	cr_assert_eq(uv_loop_init(&loop), 0);
	c.fr = fetcher_new(&loop, &o, order_req, order_done, &c);
	for (c.next = 0; c.next < 3; c.next++)
		fetcher_add(c.fr, c.url, (void *)(intptr_t)c.next);
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert_eq(c.nstarted, 32);
	cr_assert_eq(c.done, 32);
	for (int i = 0; i < 32; i++)
		cr_assert_eq(c.started[i], i, "request %d started %dth",
		    c.started[i], i);
	cr_assert_eq(fetcher_hosts(c.fr), 0);
	fetcher_close(c.fr);
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert_eq(uv_loop_close(&loop), 0);
	free(c.url);
}

/* Requests by index, each start noting how many were in flight. */
struct budget_run {
	struct fetcher *fr;
	char	*url[2];	/* small, big */
	int	 big_from;	/* indexes from here ask for the big body */
	int	 in_flight[32];	/* at each start, in the order started */
	int	 nstarted;
	int	 done;
};

static int
budget_req(void *arg, struct fetch_req *req, void *cbarg)
{
	struct budget_run *c = cbarg;
	int i = (int)(intptr_t)arg;

	c->in_flight[c->nstarted++] = (int)(fetcher_busy(c->fr) -
	    fetcher_waiting(c->fr));
	req->url = xstrdup(c->url[i >= c->big_from]);
	return 0;
}

static void
budget_done(struct fetch_result *res, void *cbarg)
{
	struct budget_run *c = cbarg;

	cr_assert_eq(res->outcome, FETCH_OUTCOME_OK, "%s",
	    res->error ? res->error : "");
	c->done++;
	fetch_result_free(res);
}

static int
budget_max_in_flight(const struct budget_run *c, int from, int to)
{
	int m = 0;

	for (int i = from; i < to; i++)
		m = c->in_flight[i] > m ? c->in_flight[i] : m;
	return m;
}

/*
 * fetch_opts.body_budget, as transfers start: small bodies within it go
 * as many at a time as concurrency allows; once the bodies came big
 * (the recent ones guess the next), one at a time.  Counted by number
 * alone, sixteen feeds of 10 MB each began together.  (What the
 * consumer holds: transfers_past_the_budget_wait_and_come_whole.)
 */
Test(fetch, big_bodies_start_one_at_a_time_once_seen)
{
	struct fetch_opts o = { .concurrency = 4, .per_host = 4,
	    .timeout = 20, .max_size = 1 << 20, .user_agent = "feedd-test",
	    .allow_private = 1, .body_budget = 64 << 10 };
	struct budget_run c = { .big_from = 12 };
	uv_loop_t loop;
	intptr_t i = 0;

	c.url[0] = xasprintf("http://127.0.0.1:%d/f.xml", T.port);
	c.url[1] = xasprintf("http://127.0.0.1:%d/f.xml?bytes=200000",
	    T.port);
	cr_assert_eq(uv_loop_init(&loop), 0);
	c.fr = fetcher_new(&loop, &o, budget_req, budget_done, &c);
	for (; i < 12; i++)
		fetcher_add(c.fr, c.url[0], (void *)i);
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert_eq(c.done, 12);
	cr_assert_eq(budget_max_in_flight(&c, 0, 12), 3,
	    "small bodies within the budget go %d at a time, not 4",
	    budget_max_in_flight(&c, 0, 12) + 1);
	for (; i < 24; i++)
		fetcher_add(c.fr, c.url[1], (void *)i);
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert_eq(c.done, 24);
	cr_assert_geq(budget_max_in_flight(&c, 12, 16), 1,
	    "the first big ones were guessed small");
	cr_assert_eq(budget_max_in_flight(&c, 18, 24), 0,
	    "big bodies went together past the budget");
	fetcher_close(c.fr);
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert_eq(uv_loop_close(&loop), 0);
	free(c.url[0]);
	free(c.url[1]);
}

/* Big bodies, started together, the consumer holding some until all of
 * them wait for room. */
struct pause_run {
	struct fetcher *fr;
	char	*url;
	uv_check_t check;
	size_t	 most_paused;
	int	 released;
	int	 done, whole;
};

static int
pause_req(void *arg, struct fetch_req *req, void *cbarg)
{
	(void)arg;
	req->url = xstrdup(((struct pause_run *)cbarg)->url);
	return 0;
}

static void
pause_done(struct fetch_result *res, void *cbarg)
{
	struct pause_run *c = cbarg;
	size_t	 i = 0;

	cr_assert_eq(res->outcome, FETCH_OUTCOME_OK, "%s",
	    res->error ? res->error : "");
	while (i < res->body_len && res->body[i] == 'x')
		i++;
	c->whole += res->body_len == 200000 && i == res->body_len;
	c->done++;
	fetch_result_free(res);
}

/* After each turn's I/O: once every transfer waits, the consumer lets
 * go of what it held. */
static void
pause_check(uv_check_t *h)
{
	struct pause_run *c = h->data;
	size_t	 n = fetcher_paused(c->fr);

	c->most_paused = n > c->most_paused ? n : c->most_paused;
	if (!c->released && n == 4) {
		c->released = 1;
		fetcher_backlog(c->fr, 0);
	}
	if (c->done == 4)
		uv_close((uv_handle_t *)h, NULL);
}

/*
 * Past fetch_opts.body_budget a transfer in flight waits (libcurl holds
 * what it read and reads no more): all of them while the consumer holds
 * bodies, else all but the one furthest along.  Each body still comes
 * whole, byte for byte, and every transfer ends.
 */
Test(fetch, transfers_past_the_budget_wait_and_come_whole)
{
	struct fetch_opts o = { .concurrency = 4, .per_host = 4,
	    .timeout = 20, .max_size = 1 << 20, .user_agent = "feedd-test",
	    .allow_private = 1, .body_budget = 64 << 10 };
	struct pause_run c = { 0 };
	uv_loop_t loop;

	c.url = xasprintf("http://127.0.0.1:%d/f.xml?bytes=200000", T.port);
	cr_assert_eq(uv_loop_init(&loop), 0);
	c.fr = fetcher_new(&loop, &o, pause_req, pause_done, &c);
	uv_check_init(&loop, &c.check);
	c.check.data = &c;
	uv_check_start(&c.check, pause_check);
	fetcher_backlog(c.fr, 1);	/* held: none may go past the budget */
	for (intptr_t i = 0; i < 4; i++)
		fetcher_add(c.fr, c.url, (void *)i);
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert_eq(c.most_paused, 4, "at most %zu waited at once",
	    c.most_paused);
	cr_assert_eq(c.done, 4);
	cr_assert_eq(c.whole, 4, "a body came cut or changed");
	cr_assert_eq(fetcher_paused(c.fr), 0);
	fetcher_close(c.fr);
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert_eq(uv_loop_close(&loop), 0);
	free(c.url);
}

/* Two transfers: [0] a slow server ahead, [1] one that waits for it. */
struct overdue_run {
	char	*url[2];
	int	 ok[2], whole[2], done;
};

static int
overdue_req(void *arg, struct fetch_req *req, void *cbarg)
{
	req->url = xstrdup(((struct overdue_run *)cbarg)->url[(intptr_t)arg]);
	return 0;
}

static void
overdue_done(struct fetch_result *res, void *cbarg)
{
	struct overdue_run *c = cbarg;
	int	 i = (int)(intptr_t)res->arg;

	c->ok[i] = res->outcome == FETCH_OUTCOME_OK;
	c->whole[i] = c->ok[i] && res->body_len == 200000;
	c->done++;
	fetch_result_free(res);
}

/*
 * A transfer waits for room behind the one furthest along, but not for
 * ever: that one may be a server sending 64 KB every 2 s, and the one
 * behind it would time out waiting.  After a quarter of its timeout it
 * goes on, room or not.
 */
Test(fetch, a_transfer_behind_a_slow_one_waits_only_so_long)
{
	struct fetch_opts o = { .concurrency = 4, .per_host = 4,
	    .timeout = 6, .max_size = 1 << 20, .user_agent = "feedd-test",
	    .allow_private = 1, .body_budget = 64 << 10 };
	struct overdue_run c = { 0 };
	struct fetcher *fr;
	uv_loop_t loop;

	c.url[0] = xasprintf("http://127.0.0.1:%d/f.xml?bytes=640000&"
	    "slow_body_ms=20000", T.port);
	c.url[1] = xasprintf("http://127.0.0.1:%d/f.xml?bytes=200000&"
	    "delay_ms=2000", T.port);
	cr_assert_eq(uv_loop_init(&loop), 0);
	fr = fetcher_new(&loop, &o, overdue_req, overdue_done, &c);
	fetcher_add(fr, c.url[0], (void *)0);
	fetcher_add(fr, c.url[1], (void *)1);
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert_eq(c.done, 2);
	cr_assert(c.whole[1], "the transfer behind waited out its timeout");
	cr_assert(!c.ok[0], "the slow one was not cut by its timeout");
	fetcher_close(fr);
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert_eq(uv_loop_close(&loop), 0);
	free(c.url[0]);
	free(c.url[1]);
}

/* Requests for url[i], with i the request's arg; counts the 200s. */
struct pooled_run {
	char	**url;
	int	 done, ok;
};

static int
pooled_req(void *arg, struct fetch_req *req, void *cbarg)
{
	struct pooled_run *c = cbarg;

	req->url = xstrdup(c->url[(intptr_t)arg]);
	return 0;
}

static void
pooled_done(struct fetch_result *res, void *cbarg)
{
	struct pooled_run *c = cbarg;

	c->done++;
	c->ok += res->status == 200;
	fetch_result_free(res);
}

/* The testsrv connection that served the request logged with needle. */
static unsigned int
conn_of(const char *needle)
{
	char *log = th_read_file(T.log, NULL), *line, *conn;
	unsigned int id = 0;

	cr_assert_not_null(log);
	if ((line = strstr(log, needle)) != NULL &&
	    (conn = strstr(line, " conn=")) != NULL)
		id = (unsigned int)strtoul(conn + 6, NULL, 10);
	free(log);
	return id;
}

/*
 * Connections are kept alive in a pool that is replaced once it has met
 * FETCH_POOL_HOSTS hosts (daemon/fetch_pool.c: libcurl 7.88 walks every
 * host it ever met after each transfer).  A host's requests share its
 * connection; transfers go on, four at a time, while pools are
 * replaced under those still running.
 */
Test(fetch, connections_are_kept_in_pools_of_bounded_hosts)
{
	enum { HOSTS = FETCH_POOL_HOSTS + 44 };
	struct fetch_opts o = { .concurrency = 4, .per_host = 1,
	    .timeout = 20, .max_size = 1 << 20, .user_agent = "feedd-test",
	    .allow_private = 1 };
	struct pooled_run c = { 0 };
	struct fetcher *fr;
	uv_loop_t loop;

	c.url = xcalloc(HOSTS + 2, sizeof(*c.url));
	for (int i = 0; i < 2; i++)
		c.url[i] = xasprintf("http://a.localhost:%d/f.xml?n=%d",
		    T.port, i);
	for (int i = 0; i < HOSTS; i++)
		c.url[2 + i] = xasprintf("http://h%d.localhost:%d/f.xml?h=%d",
		    i, T.port, i);
	cr_assert_eq(uv_loop_init(&loop), 0);
	fr = fetcher_new(&loop, &o, pooled_req, pooled_done, &c);
	fetcher_add(fr, c.url[0], (void *)0);
	fetcher_add(fr, c.url[1], (void *)1);
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert_eq(c.ok, 2);
	cr_assert_neq(conn_of("?n=0 "), 0);
	cr_assert_eq(conn_of("?n=0 "), conn_of("?n=1 "),
	    "a host's second request did not reuse its connection");
	for (intptr_t i = 2; i < HOSTS + 2; i++)
		fetcher_add(fr, c.url[i], (void *)i);
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert_eq(c.done, HOSTS + 2);
	cr_assert_eq(c.ok, HOSTS + 2, "%d of %d answered", c.ok, HOSTS + 2);
	cr_assert_eq(ts_count(&T, "?h=", NULL), HOSTS);
	fetcher_close(fr);
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert_eq(uv_loop_close(&loop), 0);
	for (int i = 0; i < HOSTS + 2; i++)
		free(c.url[i]);
	free(c.url);
}
