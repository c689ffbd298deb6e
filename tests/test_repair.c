/*
 * test_repair: a damaged database file (storage/check.c) and `feedd
 * repair` through the real binary.  The damage is done as a disk does
 * it: bytes of one b-tree page overwritten in the file.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <time.h>
#include <sys/file.h>
#include <unistd.h>

#include <curl/curl.h>

#include "tests/store_fixture.h"
#include "tests/ts_helpers.h"

#include "config/config.h"
#include "util/buf.h"

#define T0	1790000000	/* 2026-09-21T14:13:20Z */
#define NITEMS	300

struct rfx {
	char	*dir;
	char	*conf;
	char	*db;
};

/* A paragraph of about 1.5 KB that names item i, so its page is its own. */
static char *
paragraph(int i)
{
	struct buf b;

	buf_init(&b, 0);
	buf_printf(&b, "<p>Report %d on the quarry of Zeltwick.</p>", i);
	for (int k = 0; k < 30; k++)
		buf_printf(&b, " <p>Line %d of report %d about pumps.</p>", k, i);
	return buf_detach(&b);
}

static void
populate(struct rfx *r)
{
	struct config *cfg;
	struct feed_doc *doc = feed_doc_new();
	struct feed_row f;
	struct store *st = fx_config_store(r->conf, "news", &cfg, &f);
	char *err = NULL;
	for (int i = 0; i < NITEMS; i++) {
		struct feed_item *it = feed_doc_add_item(doc);

		it->id = xasprintf("item-%d", i);
		it->title = xasprintf("Pump report %d", i);
		it->link = xasprintf("https://news.example/%d", i);
		it->published = T0 + i * 60;
		it->summary = paragraph(i);
	}
	cr_assert_eq(store_put_doc(st, f.id, doc, T0 + NITEMS * 60, NULL,
	    &err), 0, "%s", err);
	f.etag = xstrdup("\"v1\"");
	cr_assert_eq(store_feed_save_state(st, &f), 0);
	feed_row_cleanup(&f);
	feed_doc_free(doc);
	store_close(st);		/* checkpoints: the pages are in the file */
	config_free(cfg);
}

static void
rfx_init(struct rfx *r)
{
	char *text;

	r->dir = th_tmpdir();
	r->conf = th_path(r->dir, "feedd.conf");
	r->db = th_path(r->dir, "feedd.db");
	text = xasprintf("[daemon]\nstate_dir = %s\n\n"
	    "[feed \"news\"]\nurl = https://news.example/rss\n", r->dir);
	cr_assert_eq(th_write_file(r->conf, text, strlen(text)), 0);
	free(text);
	populate(r);
}

static void
rfx_done(struct rfx *r)
{
	th_rmdir(r->dir);
	free(r->dir);
	free(r->conf);
	free(r->db);
}

/* One statement on the file, outside feedd; the number it selects. */
static int64_t
sql_int(const char *db, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *s;
	int64_t v = -1;

	cr_assert_eq(sqlite3_open(db, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(h, sql, -1, &s, NULL), SQLITE_OK,
	    "%s: %s", sql, sqlite3_errmsg(h));
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(h);
	return v;
}

static void
sql_exec(const char *db, const char *sql)
{
	sqlite3 *h;

	cr_assert_eq(sqlite3_open(db, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK, "%s: %s",
	    sql, sqlite3_errmsg(h));
	sqlite3_close(h);
}

/* Overwrites 2 KB of a leaf page of b-tree name: its middle one, or
 * its last (where new rows go). */
static void
damage_leaf_at(const char *db, const char *name, int last)
{
	char sql[320], junk[2048];
	int64_t page, size = sql_int(db, "PRAGMA page_size");
	int fd;

	snprintf(sql, sizeof(sql), "SELECT pageno FROM dbstat WHERE name = "
	    "'%s' AND pagetype = 'leaf' ORDER BY %s LIMIT 1 OFFSET "
	    "(SELECT count(*) / %d FROM dbstat WHERE name = '%s' AND "
	    "pagetype = 'leaf')", name, last ? "path DESC" : "pageno",
	    last ? 1000000 : 2, name);
	page = sql_int(db, sql);
	cr_assert_gt(page, 1, "%s has leaf pages", name);
	memset(junk, 0xff, sizeof(junk));
	cr_assert_neq(fd = open(db, O_WRONLY), -1);
	/* the last page from its type byte on: every read of it fails */
	cr_assert_eq(pwrite(fd, junk, sizeof(junk), (page - 1) * size +
	    (last ? 0 : 8)), (ssize_t)sizeof(junk));
	close(fd);
}

static void
damage_leaf(const char *db, const char *name)
{
	damage_leaf_at(db, name, 0);
}

static void
repair(struct rfx *r, struct th_result *res, const char *opt)
{
	cr_assert_eq(th_feedd_run(res, 60, "-c", r->conf, "repair", opt,
	    NULL), 0);
}

/* `feedd repair [opt]` exits status, saying each of the NULL-ended
 * phrases that follow. */
static void
expect_repair(struct rfx *r, const char *opt, int status, ...)
{
	struct th_result res;
	const char *phrase;
	va_list ap;

	repair(r, &res, opt);
	cr_assert_eq(res.status, status, "%s%s", res.out, res.err);
	va_start(ap, status);
	while ((phrase = va_arg(ap, const char *)) != NULL)
		cr_assert_not_null(strstr(res.out, phrase), "\"%s\" in: %s",
		    phrase, res.out);
	va_end(ap);
	th_result_cleanup(&res);
}

static int
kept_damaged_files(const char *dir)
{
	char *cmd = xasprintf("ls %s | grep -c '^feedd.db.damaged-[0-9]*T"
	    "[0-9]*Z$'", dir);
	FILE *p = popen(cmd, "r");
	int n = -1;

	cr_assert_not_null(p);
	cr_assert_eq(fscanf(p, "%d", &n), 1);
	pclose(p);
	free(cmd);
	return n;
}

Test(repair, a_sound_database_is_said_sound)
{
	struct rfx r;

	rfx_init(&r);
	expect_repair(&r, "--check", 0, "feedd.db: sound\n", NULL);
	rfx_done(&r);
}

/*
 * The outputs' order kept in stories, written out of date by hand: the
 * check names it, and the repair sets it again from the items.
 */
Test(repair, a_story_order_out_of_date_is_set_again)
{
	struct rfx r;
	sqlite3 *h;

	rfx_init(&r);
	cr_assert_eq(sqlite3_open(r.db, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(h, "UPDATE stories SET shown_at = 0 WHERE"
	    " id IN (SELECT id FROM stories LIMIT 3)", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(h);
	expect_repair(&r, "--check", 1,
	    "story order: 3 stories out of date with their items", NULL);
	expect_repair(&r, NULL, 0, "rebuilding", "repaired", NULL);
	cr_assert_eq(sql_int(r.db, "SELECT count(*) FROM stories WHERE"
	    " shown_at = 0"), 0);
	expect_repair(&r, "--check", 0, "sound", NULL);
	rfx_done(&r);
}

Test(repair, a_damaged_full_text_index_is_rebuilt)
{
	struct rfx r;
	struct th_result res;

	rfx_init(&r);
	cr_assert_gt(sql_int(r.db, "SELECT count(*) FROM items_fts_data"
	    " WHERE id > 10"), 0);
	sql_exec(r.db, "DELETE FROM items_fts_data WHERE id > 10");
	expect_repair(&r, "--check", 1, "damaged: full-text index items_fts",
	    NULL);
	expect_repair(&r, NULL, 0, "feedd.db: repaired\n", NULL);
	cr_assert_eq(th_feedd_run(&res, 10, "-c", r.conf, "search", "--json",
	    "--limit", "500", "zeltwick", NULL), 0);
	cr_assert_eq(res.status, 0, "%s", res.err);
	cr_assert_eq(th_nlines(res.out), NITEMS, "every item found again");
	th_result_cleanup(&res);
	cr_assert_eq(kept_damaged_files(r.dir), 0, "nothing to salvage");
	rfx_done(&r);
}

/*
 * REINDEX mends an index in place when SQLite can free its pages; when
 * the damage is in their way too, the salvage does: no row is lost
 * either way.
 */
Test(repair, a_damaged_index_page_loses_no_row)
{
	struct rfx r;

	rfx_init(&r);
	damage_leaf(r.db, "items_story_dates");
	expect_repair(&r, NULL, 0, "damaged: ", "rebuilding its indexes",
	    "repaired", NULL);
	cr_assert_eq(sql_int(r.db, "SELECT count(*) FROM items"), NITEMS);
	cr_assert_eq(sql_int(r.db, "SELECT count(*) FROM stories"), NITEMS);
	expect_repair(&r, "--check", 0, "sound", NULL);
	rfx_done(&r);
}

Test(repair, damaged_tables_are_salvaged_and_fetched_again)
{
	struct rfx r;
	int64_t items;

	rfx_init(&r);
	damage_leaf(r.db, "items");
	expect_repair(&r, "--check", 1, "damaged: ", NULL);
	expect_repair(&r, NULL, 0, "its tables are damaged",
	    "salvage: feeds: 1 rows kept, 0 unreadable",
	    "repaired from what could be read", NULL);
	cr_assert_eq(kept_damaged_files(r.dir), 1);
	items = sql_int(r.db, "SELECT count(*) FROM items");
	cr_assert(items > NITEMS - 30 && items < NITEMS, "one page of %d "
	    "items lost, %lld kept", NITEMS, (long long)items);
	cr_assert_eq(sql_int(r.db, "SELECT count(*) FROM items_fts"
	    " WHERE items_fts MATCH 'zeltwick'"), items, "indexed again");
	cr_assert_eq(sql_int(r.db, "SELECT count(*) FROM feeds WHERE etag IS"
	    " NULL AND next_due = 0"), 1, "fetched in full at the next poll");
	expect_repair(&r, "--check", 0, "sound", NULL);
	rfx_done(&r);
}

Test(repair, items_whose_story_row_was_lost_get_it_again)
{
	struct rfx r;
	struct th_result res;

	rfx_init(&r);
	cr_assert_eq(sql_int(r.db, "SELECT count(*) FROM stories s JOIN items"
	    " i ON i.story_id = s.id WHERE s.key = i.canon"), NITEMS);
	damage_leaf(r.db, "stories");
	repair(&r, &res, NULL);
	cr_assert_eq(res.status, 0, "%s%s", res.out, res.err);
	cr_assert_not_null(strstr(res.out, "salvage: items: 300 rows kept, 0 "
	    "unreadable\n"), "%s", res.out);
	cr_assert_not_null(strstr(res.out, "salvage: stories: 300 rows kept"),
	    "%s", res.out);
	cr_assert_null(strstr(res.out, "salvage: stories: 300 rows kept, 0 "),
	    "the damaged page cost stories rows: %s", res.out);
	th_result_cleanup(&res);
	/* keyed as when they were made: alerts keyed by them still match */
	cr_assert_eq(sql_int(r.db, "SELECT count(*) FROM stories s JOIN items"
	    " i ON i.story_id = s.id WHERE s.key = i.canon"), NITEMS);
	expect_repair(&r, "--check", 0, "sound", NULL);
	rfx_done(&r);
}

/*
 * A damaged file of an older schema (version 8, before the stories kept
 * their order): repair brings it to version 9 first, its stories are
 * salvaged with their keys, and each gets its order.
 */
Test(repair, a_damaged_older_file_keeps_its_stories)
{
	struct rfx r;
	struct th_result res;
	long long kept, unreadable;
	const char *line;
	sqlite3 *h;

	rfx_init(&r);
	cr_assert_eq(sqlite3_open(r.db, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(h, FX_DOWNGRADE_V8_SQL, NULL, NULL, NULL),
	    SQLITE_OK, "%s", sqlite3_errmsg(h));
	sqlite3_close(h);
	damage_leaf(r.db, "items");
	repair(&r, &res, NULL);
	cr_assert_eq(res.status, 0, "%s%s", res.out, res.err);
	line = strstr(res.out, "salvage: stories: ");
	cr_assert(line != NULL && sscanf(line, "salvage: stories: %lld rows"
	    " kept, %lld unreadable", &kept, &unreadable) == 2, "%s",
	    res.out);
	cr_assert(kept > NITEMS - 30 && unreadable == 0, "%s", res.out);
	th_result_cleanup(&res);
	cr_assert_eq(sql_int(r.db, "PRAGMA user_version"), 13);
	cr_assert_eq(sql_int(r.db, "SELECT count(*) FROM stories"),
	    sql_int(r.db, "SELECT count(*) FROM items"));
	/* keyed as when they were made: alerts keyed by them still match */
	cr_assert_gt(sql_int(r.db, "SELECT count(*) FROM stories s JOIN items"
	    " i ON i.story_id = s.id WHERE s.key = i.canon"), NITEMS - 30);
	cr_assert_eq(sql_int(r.db, "SELECT count(*) FROM stories WHERE"
	    " first_item IS NULL OR shown_at IS NULL"), 0);
	expect_repair(&r, "--check", 0, "sound", NULL);
	rfx_done(&r);
}

Test(repair, the_daemon_names_the_remedy_for_a_damaged_file)
{
	struct rfx r;
	struct store *st;
	struct story_row *rows = NULL;
	char *err = NULL;
	size_t n = 0;

	rfx_init(&r);
	damage_leaf(r.db, "items");
	cr_assert_eq(store_open(r.db, STORE_READONLY, &st, &err), 0, "%s", err);
	cr_assert_not(store_damaged(st));
	cr_assert_eq(store_items_newest(st, NULL, NITEMS, &rows, &n), -1);
	cr_assert_not_null(strstr(store_errmsg(st), "feedd.db: database disk "
	    "image is malformed: the file is damaged (stop feedd, run `feedd "
	    "repair`"), "%s", store_errmsg(st));
	cr_assert(store_damaged(st), "said once, it stays");
	store_close(st);
	rfx_done(&r);
}

/*
 * search took a damaged file for a bad query: exit 2, SQLite's words,
 * no path and no remedy, where every other command says both.
 */
Test(repair, search_names_a_damaged_file_as_the_others_do)
{
	struct rfx r;
	struct th_result res;

	rfx_init(&r);
	damage_leaf(r.db, "items_fts_data");
	damage_leaf(r.db, "items");
	cr_assert_eq(th_feedd_run(&res, 30, "-c", r.conf, "search", "pump",
	    NULL), 0);
	cr_assert_eq(res.status, 1, "exit %d: %s", res.status, res.err);
	cr_assert(strstr(res.err, "feedd: search: ") == res.err &&
	    strstr(res.err, "feedd.db: ") && strstr(res.err, "the file is "
	    "damaged (stop feedd, run `feedd repair`"), "%s", res.err);
	th_result_cleanup(&res);
	rfx_done(&r);
}

/* A batch that a damaged page rolled back says why at its commit, though
 * the feeds stored after it began transactions of their own. */
Test(repair, a_lost_batch_names_the_damage)
{
	struct rfx r;
	struct store *st;
	struct feed_doc *doc = feed_doc_new();
	struct feed_item *it = feed_doc_add_item(doc);
	struct feed_row f;
	char *err = NULL;

	rfx_init(&r);
	damage_leaf_at(r.db, "items", 1);
	cr_assert_eq(store_open(r.db, STORE_READWRITE, &st, &err), 0, "%s", err);
	cr_assert_eq(store_feed_get(st, "news", &f), 0);
	it->id = xstrdup("new-1");
	it->title = xstrdup("Pump report, late");
	it->link = xstrdup("https://news.example/new-1");
	cr_assert_eq(store_batch_begin(st), 0);
	cr_assert_eq(store_put_doc(st, f.id, doc, T0 + 99999, NULL, &err), -1);
	cr_assert_not_null(strstr(err, "the file is damaged"), "%s", err);
	free(err);
	cr_assert_eq(store_feed_save_state(st, &f), 0, "later calls commit");
	cr_assert_eq(store_batch_commit(st), -1);
	cr_assert_not_null(strstr(store_errmsg(st), "database disk image is "
	    "malformed: the file is damaged"), "%s", store_errmsg(st));
	feed_row_cleanup(&f);
	feed_doc_free(doc);
	store_close(st);
	rfx_done(&r);
}

static size_t
keep_body(char *p, size_t size, size_t n, void *arg)
{
	buf_append(arg, p, size * n);
	return size * n;
}

/* GET http://127.0.0.1:port/path: the status, the body into b. */
static long
http_get(int port, const char *path, struct buf *b)
{
	CURL *c = curl_easy_init();
	char *url = xasprintf("http://127.0.0.1:%d%s", port, path);
	long status = 0;

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	free(url);
	return status;
}

/* `feedd run` on a file that fails its stores: /healthz turns 503 and
 * /metrics says so, for monitoring to see what the journal says. */
Test(repair, a_daemon_on_a_damaged_file_fails_its_health_check)
{
	struct rfx r;
	struct buf body;
	char *conf, *errs = NULL, *feed, *rss = th_rss_of_items(5);
	int port = th_free_port();
	pid_t pid;

	rfx_init(&r);
	feed = th_path(r.dir, "f.xml");
	cr_assert_eq(th_write_file(feed, rss, strlen(rss)), 0);
	conf = xasprintf("[daemon]\nstate_dir = %s\n\n[output]\nlisten = "
	    "127.0.0.1:%d\n\n[feed \"news\"]\nurl = file://%s\n", r.dir,
	    port, feed);
	cr_assert_eq(th_write_file(r.conf, conf, strlen(conf)), 0);
	damage_leaf_at(r.db, "items", 1);	/* where the new items go */
	errs = th_path(r.dir, "stderr");
	pid = ts_run_start(r.conf, errs);
	cr_assert_eq(ts_wait_file_has(errs, " not stored: ", 20), 0,
	    "the batch fails");
	buf_init(&body, 0);
	cr_assert_eq(http_get(port, "/healthz", &body), 503);
	cr_assert_not_null(strstr(buf_str(&body), "damaged: the database "
	    "file is damaged (stop feedd, run `feedd repair`"), "%s",
	    buf_str(&body));
	buf_reset(&body);
	cr_assert_eq(http_get(port, "/metrics", &body), 200);
	cr_assert_not_null(strstr(buf_str(&body), "\nfeedd_database_damaged "
	    "1\n"));
	buf_cleanup(&body);
	kill(pid, SIGTERM);
	cr_assert_eq(ts_wait_exit(pid, 10), 0);
	free(conf);
	free(errs);
	free(feed);
	free(rss);
	rfx_done(&r);
}

Test(repair, refuses_while_a_daemon_holds_the_database)
{
	struct rfx r;
	struct th_result res;
	char *lock;
	int fd;

	rfx_init(&r);
	lock = xasprintf("%s.lock", r.db);
	cr_assert_neq(fd = open(lock, O_RDWR | O_CREAT, 0644), -1);
	cr_assert_eq(flock(fd, LOCK_EX), 0);
	repair(&r, &res, NULL);
	cr_assert_eq(res.status, 1, "%s%s", res.out, res.err);
	cr_assert_not_null(strstr(res.err, "another feedd run or once"), "%s",
	    res.err);
	th_result_cleanup(&res);
	/* and while a repair holds it, status says which */
	dprintf(fd, "%ld %ld repair\n", (long)getpid(), (long)time(NULL));
	cr_assert_eq(th_feedd_run(&res, 10, "-c", r.conf, "status", NULL), 0);
	cr_assert_not_null(strstr(res.out, "feedd repair running since"), "%s",
	    res.out);
	th_result_cleanup(&res);
	close(fd);
	free(lock);
	rfx_done(&r);
}

Test(repair, a_missing_database_is_named_not_made)
{
	struct rfx r;
	struct th_result res;

	rfx_init(&r);
	cr_assert_eq(unlink(r.db), 0);
	repair(&r, &res, NULL);
	cr_assert_eq(res.status, 1, "%s%s", res.out, res.err);
	cr_assert_not_null(strstr(res.err, "feedd.db: No such file"), "%s",
	    res.err);
	cr_assert_eq(access(r.db, F_OK), -1, "not created");
	th_result_cleanup(&res);
	rfx_done(&r);
}
