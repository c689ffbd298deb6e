/*
 * test_query: `feedd feeds|items|search|alerts` through the real binary,
 * over a database filled with the store API beside a temp config.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/store_fixture.h"

#include "config/config.h"
#include "daemon/alert.h"

#define T0 1790000000	/* 2026-09-21T14:13:20Z */

struct qfx {
	char	*dir;
	char	*conf;
};

static const char conf_text[] =
    "[daemon]\nstate_dir = %s\n\n"
    "[feed \"hn\"]\nurl = https://news.example/rss\n\n"
    "[feed \"blog\"]\nurl = https://blog.example/feed\n\n"
    "[alert \"china-ai\"]\nmatch = China AND AI\n";

static void
put(struct store *st, const struct feed_row *f, const char *id,
    const char *title, const char *link, int64_t pub, const char *sum)
{
	struct feed_doc *doc = feed_doc_new();
	struct feed_item *it = feed_doc_add_item(doc);
	char *err = NULL;

	it->id = xstrdup(id);
	it->title = xstrdup(title);
	it->link = xstrdup(link);
	it->published = pub;
	it->summary = sum ? xstrdup(sum) : NULL;
	cr_assert_eq(store_put_doc(st, f->id, doc, T0 + 100, NULL, &err), 0,
	    "%s", err);
	feed_doc_free(doc);
}

/* Two feeds, three stories, one alert; hn fetched once with 200. */
static void
populate(struct qfx *q)
{
	struct config *cfg;
	struct feed_row hn, blog;
	struct store *st = fx_config_store(q->conf, "hn", &cfg, &hn);
	int fired;

	cr_assert_eq(store_feed_get(st, "blog", &blog), 0);
	put(st, &hn, "1", "China trains an AI\tmodel", "https://n.example/1",
	    T0, "<p>A big <b>model</b> from Beijing.</p>");
	put(st, &hn, "2", "Gardening tips", "https://n.example/2", T0 + 60,
	    "Tomatoes and compost.");
	put(st, &blog, "b", "Compost deep dive", "https://blog.example/c",
	    T0 + 120, "All about compost heaps.");
	hn.last_status = 200;
	hn.last_fetch = T0;
	hn.next_due = T0 + 3600;
	hn.fetches = 4;
	hn.not_modified = 3;
	cr_assert_eq(store_feed_save_state(st, &hn), 0);
	cr_assert_eq(store_alerts_match(st, cfg->rules, cfg->nrules,
	    cfg->alert_max_age, T0 + 100, 0, &fired), 0);
	cr_assert_eq(fired, 1);
	feed_row_cleanup(&hn);
	feed_row_cleanup(&blog);
	store_close(st);
	config_free(cfg);
}

static void
qfx_init(struct qfx *q, int fill)
{
	char *text;

	q->dir = th_tmpdir();
	q->conf = th_path(q->dir, "feedd.conf");
	text = xasprintf(conf_text, q->dir);
	cr_assert_eq(th_write_file(q->conf, text, strlen(text)), 0);
	free(text);
	if (fill)
		populate(q);
}

static void
qfx_done(struct qfx *q)
{
	th_rmdir(q->dir);
	free(q->dir);
	free(q->conf);
}

Test(query, feeds_lists_state_per_feed)
{
	struct qfx q;
	struct th_result r;

	qfx_init(&q, 1);
	cr_assert_eq(th_feedd_run(&r, 10, "-c", q.conf, "feeds", NULL), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "hn\thttps://news.example/rss\t200\t"
	    "2026-09-21T14:13:20Z\t2026-09-21T15:13:20Z\t2\t0\t304:75%\n"),
	    "got: %s", r.out);
	cr_assert(strstr(r.out, "blog\thttps://blog.example/feed\tnever\t-\t"
	    "-\t1\t0\t304:-\n"), "got: %s", r.out);
	th_result_cleanup(&r);
	qfx_done(&q);
}

/*
 * `feeds` before the first poll: it failed with "feedd.db: No such file
 * or directory" right after `import-opml` (OPML review D10).  The
 * configured feeds are listed as never fetched; once there is a
 * database, one added to the config since is listed too.
 */
Test(query, feeds_lists_the_configured_ones_before_any_poll)
{
	char	*dir = th_tmpdir(), *conf = th_path(dir, "feedd.conf");
	static const char text[] = "[daemon]\nstate_dir = .\n\n"
	    "[feed \"b\"]\nurl = https://b.example/feed\n\n"
	    "[feed \"a\"]\nurl = https://a.example/feed\n";
	struct th_result r;

	cr_assert_eq(th_write_file(conf, text, strlen(text)), 0);
	cr_assert_eq(th_feedd_run(&r, 10, "-c", conf, "feeds", NULL), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "a\thttps://a.example/feed\tnever\t-\t-\t0"
	    "\t0\t304:-\nb\thttps://b.example/feed\tnever\t-\t-\t0\t0\t"
	    "304:-\n");
	th_result_cleanup(&r);
	cr_assert_eq(th_feedd_run(&r, 10, "-c", conf, "feeds", "--json",
	    NULL), 0);
	cr_assert(strstr(r.out, "\"name\":\"a\",\"url\":\"https://"
	    "a.example/feed\",\"active\":true,\"status\":\"never\""),
	    "%s", r.out);
	th_result_cleanup(&r);
	th_rmdir(dir);
	free(conf);
	free(dir);
}

/* One the config gained after the last run is listed; one it lost
 * reads inactive, before the daemon runs again. */
Test(query, feeds_follow_the_config_between_runs)
{
	struct qfx q;
	struct th_result r;
	char	*text;

	qfx_init(&q, 1);
	text = xasprintf("[daemon]\nstate_dir = %s\n\n[feed \"hn\"]\n"
	    "url = https://news.example/rss\n\n[feed \"zz new\"]\nurl = "
	    "https://new.example/feed\n", q.dir);
	cr_assert_eq(th_write_file(q.conf, text, strlen(text)), 0);
	cr_assert_eq(th_feedd_run(&r, 10, "-c", q.conf, "feeds", NULL), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "hn\thttps://news.example/rss\t200\t"),
	    "got: %s", r.out);
	cr_assert(strstr(r.out, "\nzz new\thttps://new.example/feed\tnever\t"),
	    "got: %s", r.out);
	cr_assert(strstr(r.out, "\nblog\thttps://blog.example/feed\tnever\t"
	    "-\t-\t1\t0\t304:-\tinactive\n"), "got: %s", r.out);
	th_result_cleanup(&r);
	free(text);
	qfx_done(&q);
}

/* Output that cannot be written (a full disk) fails the command, named. */
Test(query, output_to_a_full_disk_exits_1)
{
	static const char *const cmds[] = { "feeds", "items", "stories",
	    "alerts", "check-config" };
	struct qfx q;
	struct th_result r;

	qfx_init(&q, 1);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char *const argv[] = { "/bin/sh", "-c",
		    "exec \"$0\" -c \"$1\" \"$2\" > /dev/full",
		    (char *)th_feedd(), q.conf, (char *)cmds[i], NULL };
		char *want = xasprintf("feedd: %s: standard output: No space "
		    "left on device\n", cmds[i]);

		cr_assert_eq(th_run(argv, NULL, 10, &r), 0);
		cr_assert_eq(r.status, 1, "%s: exit %d: %s", cmds[i], r.status,
		    r.err);
		cr_assert_str_eq(r.err, want);
		free(want);
		th_result_cleanup(&r);
	}
	qfx_done(&q);
}

Test(query, items_newest_first_flattened_with_limit_and_feed)
{
	struct qfx q;
	struct th_result r;

	qfx_init(&q, 1);
	cr_assert_eq(th_feedd_run(&r, 10, "-c", q.conf, "items", NULL), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out,
	    "2026-09-21T14:15:20Z\tblog\tCompost deep dive\t"
	    "https://blog.example/c\n"
	    "2026-09-21T14:14:20Z\thn\tGardening tips\thttps://n.example/2\n"
	    "2026-09-21T14:13:20Z\thn\tChina trains an AI model\t"
	    "https://n.example/1\n");
	th_result_cleanup(&r);
	cr_assert_eq(th_feedd_run(&r, 10, "-c", q.conf, "items", "--feed",
	    "hn", "--limit", "1", NULL), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out,
	    "2026-09-21T14:14:20Z\thn\tGardening tips\thttps://n.example/2\n");
	th_result_cleanup(&r);
	qfx_done(&q);
}

Test(query, search_ranks_hits_with_snippets)
{
	struct qfx q;
	struct th_result r;

	qfx_init(&q, 1);
	cr_assert_eq(th_feedd_run(&r, 10, "-c", q.conf, "search", "compost",
	    NULL), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "\tCompost deep dive\t") != NULL, "%s", r.out);
	cr_assert(strstr(r.out, "\tGardening tips\t") != NULL, "%s", r.out);
	cr_assert(strstr(r.out, "\n    ") != NULL, "no snippet: %s", r.out);
	cr_assert(strstr(r.out, "China") == NULL, "%s", r.out);
	th_result_cleanup(&r);
	cr_assert_eq(th_feedd_run(&r, 10, "-c", q.conf, "search", "china",
	    "AND", "model", NULL), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strncmp(r.out, "2026-09-21T14:13:20Z\thn\tChina", 29) == 0,
	    "%s", r.out);
	th_result_cleanup(&r);
	qfx_done(&q);
}

/*
 * Many items with long titles (ITEMS_N of 2 KB), each word its own but
 * "common", in one feed: nothing groups them, each is its own story.
 */
#define ITEMS_N	3000

static void
populate_many(struct qfx *q)
{
	struct config *cfg;
	struct feed_doc *doc = feed_doc_new();
	struct feed_row hn;
	struct store *st = fx_config_store(q->conf, "hn", &cfg, &hn);
	char *err = NULL;
	for (int i = 0; i < ITEMS_N; i++) {
		struct feed_item *it = feed_doc_add_item(doc);
		struct buf b;

		buf_init(&b, 0);
		buf_printf(&b, "common t%dx0", i);
		for (int k = 1; b.len < 2000; k++)
			buf_printf(&b, " t%dx%d", i, k);
		it->id = xasprintf("m%d", i);
		it->title = buf_detach(&b);
		it->link = xasprintf("https://m.example/%d", i);
		it->published = T0 - i;
	}
	cr_assert_eq(store_put_doc(st, hn.id, doc, T0 + 100, NULL, &err), 0,
	    "%s", err);
	feed_doc_free(doc);
	feed_row_cleanup(&hn);
	store_close(st);
	config_free(cfg);
}

/* feedd's output lines for args, and its peak RSS. */
static char *
run_listing(struct qfx *q, long *rss_kb, const char *cmd, const char *arg,
    const char *limit)
{
	struct th_result r;
	char *out;

	cr_assert_eq(th_feedd_run(&r, 60, "-c", q->conf, cmd, "--limit",
	    limit, arg, NULL), 0);
	cr_assert_eq(r.status, 0, "%s %s: %s", cmd, limit, r.err);
	*rss_kb = r.maxrss_kb;
	out = r.out;
	r.out = NULL;
	th_result_cleanup(&r);
	return out;
}

/*
 * Listings print rows as they read them: collected first, `items
 * --limit 300000` over the 10,000-feed bench store peaked at 750 MB.
 * Listing the ITEMS_N items takes no more memory than listing one,
 * give or take 1 MB (collected, 3.7 MB more than one).
 * ASan's quarantine is off: it would keep every row freed.
 */
Test(query, listings_do_not_hold_their_rows)
{
	const char *cmds[] = { "items", "stories" };
	char *asan = xasprintf("%s:quarantine_size_mb=0",
	    getenv("ASAN_OPTIONS") ? getenv("ASAN_OPTIONS") : "");
	struct qfx q;

	setenv("ASAN_OPTIONS", asan, 1);
	qfx_init(&q, 0);
	populate_many(&q);
	for (size_t c = 0; c < 2; c++) {
		long one, all;
		char *o1 = run_listing(&q, &one, cmds[c], NULL, "1");
		char *o2 = run_listing(&q, &all, cmds[c], NULL, "100000");

		cr_assert_eq(th_nlines(o1), 1, "%s", cmds[c]);
		cr_assert_eq(th_nlines(o2), ITEMS_N, "%s", cmds[c]);
		cr_assert(strstr(o2, "\tcommon t0x0 ") != NULL, "%s", cmds[c]);
		cr_assert(strstr(o2, "\tcommon t2999x0 ") != NULL, "%s",
		    cmds[c]);
		cr_assert_lt(all - one, 1024, "%s: %ld KB for 1 row, %ld KB"
		    " for %d", cmds[c], one, all, ITEMS_N);
		free(o1);
		free(o2);
	}
	qfx_done(&q);
	free(asan);
}

/* feedd args... with stdout into *out (a pipe nobody reads yet). */
static pid_t
spawn_piped(int *out, char *const argv[])
{
	int	 p[2];
	pid_t	 pid;

	cr_assert_eq(pipe(p), 0);
	cr_assert_neq(pid = fork(), -1);
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	*out = p[0];
	return pid;
}

/* Until the pipe at fd is full (its writer then blocks): 0, or -1
 * after 60 s. */
static int
wait_pipe_full(int fd)
{
	int	 size = fcntl(fd, F_GETPIPE_SZ), queued = 0;
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	for (int i = 0; i < 6000; i++) {
		if (ioctl(fd, FIONREAD, &queued) == 0 && queued >= size)
			return 0;
		nanosleep(&tick, NULL);
	}
	return -1;
}

/*
 * A listing whose reader does not read (a pager left open) holds no
 * read transaction meanwhile: a writer's commit can be checkpointed
 * and the WAL started over (TRUNCATE).  Streamed from one statement,
 * the listing held its snapshot, and the daemon's WAL grew with every
 * commit until the pager was closed.
 */
Test(query, a_blocked_listing_leaves_the_wal_free)
{
	const char *cmds[] = { "items", "stories", "search" };
	struct qfx q;

	qfx_init(&q, 0);
	populate_many(&q);
	for (size_t c = 0; c < 3; c++) {
		char	*argv[] = { (char *)th_feedd(), "-c", q.conf,
		    (char *)cmds[c], "--limit", "100000",
		    c == 2 ? "common" : NULL, NULL };
		char	*db = th_path(q.dir, "feedd.db"), *sql;
		int	 out, st, log = -1, ckpt = -1;
		pid_t	 pid = spawn_piped(&out, argv);
		sqlite3	*w;

		cr_assert_eq(wait_pipe_full(out), 0, "%s never filled its pipe",
		    cmds[c]);
		cr_assert_eq(sqlite3_open(db, &w), SQLITE_OK);
		sql = xasprintf("INSERT OR REPLACE INTO meta VALUES ('t', %zu)",
		    c);
		cr_assert_eq(sqlite3_exec(w, sql, NULL, NULL, NULL), SQLITE_OK,
		    "%s", sqlite3_errmsg(w));
		cr_assert_eq(sqlite3_wal_checkpoint_v2(w, NULL,
		    SQLITE_CHECKPOINT_TRUNCATE, &log, &ckpt), SQLITE_OK,
		    "%s: the listing holds a read transaction (%s)", cmds[c],
		    sqlite3_errmsg(w));
		cr_assert_eq(log, 0, "%s: WAL not started over", cmds[c]);
		sqlite3_close(w);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		close(out);
		free(sql);
		free(db);
	}
	qfx_done(&q);
}

/*
 * A search hands its hits on in batches (256, then doubling), each
 * with its snippet: every one of ITEMS_N hits comes once, with its own.
 */
Test(query, a_search_of_many_hits_gives_each_once_with_its_snippet)
{
	static char seen[ITEMS_N];
	struct qfx q;
	long rss;
	char *out, *p;
	int n = 0, i;

	qfx_init(&q, 0);
	populate_many(&q);
	out = run_listing(&q, &rss, "search", "common", "100000");
	for (p = out; *p != '\0'; n++) {
		char *title = strchr(strchr(p, '\t') + 1, '\t') + 1;
		char want[32], *next = strchr(p, '\n') + 1;

		cr_assert_eq(sscanf(title, "common t%dx0 ", &i), 1, "hit %d:"
		    " %.40s", n, title);
		cr_assert(i >= 0 && i < ITEMS_N && !seen[i], "hit %d: item %d"
		    " again", n, i);
		seen[i] = 1;
		snprintf(want, sizeof(want), " t%dx1 ", i);
		cr_assert(strncmp(next, "    ", 4) == 0 &&
		    strstr(next, want) != NULL &&
		    strstr(next, want) < strchr(next, '\n'),
		    "hit %d (item %d): not its snippet", n, i);
		p = strchr(next, '\n') + 1;
	}
	cr_assert_eq(n, ITEMS_N);
	free(out);
	qfx_done(&q);
}

Test(query, search_invalid_query_is_usage_error)
{
	struct qfx q;
	struct th_result r;

	qfx_init(&q, 1);
	cr_assert_eq(th_feedd_run(&r, 10, "-c", q.conf, "search", "(China",
	    NULL), 0);
	cr_assert_eq(r.status, 2);
	cr_assert(strncmp(r.err, "feedd: search: ", 15) == 0, "%s", r.err);
	th_result_cleanup(&r);
	qfx_done(&q);
}

Test(query, alerts_list_and_test)
{
	const char *want = "2026-09-21T14:15:00Z china-ai \"China trains an AI";
	struct qfx q;
	struct th_result r;

	qfx_init(&q, 1);
	cr_assert_eq(th_feedd_run(&r, 10, "-c", q.conf, "alerts", NULL), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strncmp(r.out, want, strlen(want)) == 0, "%s", r.out);
	cr_assert(strstr(r.out, "<https://n.example/1> (hn)\n"), "%s", r.out);
	cr_assert(strstr(r.out, "Gardening") == NULL, "%s", r.out);
	th_result_cleanup(&r);
	cr_assert_eq(th_feedd_run(&r, 10, "-c", q.conf, "alerts", "--rule",
	    "other", NULL), 0);
	cr_assert_eq(r.status, 0);
	cr_assert_str_eq(r.out, "");
	th_result_cleanup(&r);
	cr_assert_eq(th_feedd_run(&r, 10, "-c", q.conf, "alerts", "--test",
	    "compost OR tomatoes", NULL), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out,
	    "2026-09-21T14:15:20Z\tblog\tCompost deep dive\t"
	    "https://blog.example/c\n"
	    "2026-09-21T14:14:20Z\thn\tGardening tips\thttps://n.example/2\n");
	th_result_cleanup(&r);
	cr_assert_eq(th_feedd_run(&r, 10, "-c", q.conf, "alerts", "--test",
	    "AND AND", NULL), 0);
	cr_assert_eq(r.status, 2);
	th_result_cleanup(&r);
	qfx_done(&q);
}

Test(query, missing_database_is_runtime_error)
{
	struct qfx q;
	struct th_result r;

	qfx_init(&q, 0);
	cr_assert_eq(th_feedd_run(&r, 10, "-c", q.conf, "items", NULL), 0);
	cr_assert_eq(r.status, 1);
	cr_assert(strncmp(r.err, "feedd: ", 7) == 0, "%s", r.err);
	cr_assert(strstr(r.err, "feedd.db") != NULL, "%s", r.err);
	th_result_cleanup(&r);
	qfx_done(&q);
}

Test(query, bad_options_are_usage_errors)
{
	struct qfx q;
	struct th_result r;

	qfx_init(&q, 1);
	cr_assert_eq(th_feedd_run(&r, 10, "-c", q.conf, "items", "--limit",
	    "zero", NULL), 0);
	cr_assert_eq(r.status, 2);
	th_result_cleanup(&r);
	cr_assert_eq(th_feedd_run(&r, 10, "-c", q.conf, "feeds", "--bogus",
	    NULL), 0);
	cr_assert_eq(r.status, 2);
	th_result_cleanup(&r);
	cr_assert_eq(th_feedd_run(&r, 10, "-c", q.conf, "search", NULL), 0);
	cr_assert_eq(r.status, 2);
	th_result_cleanup(&r);
	qfx_done(&q);
}

/*
 * A feed section renamed with its URL kept is the same feed: its items,
 * validators and counts stay with it under the new name.  Inserted as a
 * new feed, its next fetch stored every item again as a second source
 * of its own stories, and readers were shown them all again (readers
 * review 4).  A feed of another URL is still a new one.
 */
Test(query, a_renamed_feed_keeps_its_items)
{
	struct qfx q;
	struct config_errors errs = { 0 };
	struct config *cfg;
	struct feed_row fr, old;
	struct store *st;
	char	*text, *err = NULL;

	qfx_init(&q, 1);
	text = xasprintf("[daemon]\nstate_dir = %s\n\n[feed \"Hacker News\"]\n"
	    "url = https://news.example/rss\n\n[feed \"other\"]\nurl = "
	    "https://blog.example/feed2\n", q.dir);
	cr_assert_eq(th_write_file(q.conf, text, strlen(text)), 0);
	cfg = config_load(q.conf, &errs);
	cr_assert_not_null(cfg, "%s", errs.n ? errs.msgs[0] : "?");
	cr_assert_eq(store_open(cfg->database, STORE_READWRITE, &st, &err), 0);
	cr_assert_eq(store_feed_get(st, "hn", &old), 0);
	cr_assert_eq(store_sync_feeds(st, cfg), 0);
	cr_assert_eq(store_feed_get(st, "hn", &fr), 1, "hn is renamed");
	cr_assert_eq(store_feed_get(st, "Hacker News", &fr), 0);
	cr_assert_eq(fr.id, old.id);
	cr_assert_eq(fr.fetches, 4);
	feed_row_cleanup(&fr);
	cr_assert_eq(store_feed_get(st, "other", &fr), 0);
	cr_assert_neq(fr.id, old.id);
	feed_row_cleanup(&fr);
	/* blog's URL is another: blog stays, inactive */
	cr_assert_eq(store_feed_get(st, "blog", &fr), 0);
	cr_assert_eq(fr.active, 0);
	feed_row_cleanup(&fr);
	feed_row_cleanup(&old);
	store_close(st);
	config_free(cfg);
	free(text);
	qfx_done(&q);
}
