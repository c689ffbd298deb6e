/*
 * test_store: the SQLite store: schema and migrations, feed rows, items
 * new / unchanged / changed in place, the indexed text, generation,
 * readers beside a writer, retention.
 */
#include <sys/stat.h>

#include "storage/store_int.h"
#include "tests/store_fixture.h"
#include "tests/ts_helpers.h"
#include "util/buf.h"

#define T0 1790000000	/* 2026-09-21T14:13:20Z */

Test(store, migrates_empty_db_and_reopens_idempotently)
{
	struct fx fx;
	struct store *again;
	char *err = NULL;

	fx_open_new(&fx);
	cr_assert_eq(fx_count(&fx, "PRAGMA user_version"), 13);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM sqlite_master"
	    " WHERE name IN ('feeds','items','stories','alerts','items_fts',"
	    "'items_tri','meta')"), 7);
	/* version 10: the word index merges eight segments at a time */
	cr_assert_eq(fx_count(&fx, "SELECT v FROM items_fts_config"
	    " WHERE k = 'automerge'"), 8);
	fx_feed(&fx, "a");
	store_close(fx.st);
	cr_assert_eq(store_open(fx.path, STORE_READWRITE, &again, &err), 0,
	    "%s", err);
	fx.st = again;
	cr_assert_eq(fx_count(&fx, "PRAGMA user_version"), 13);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM feeds"), 1);
	fx_close(&fx);
}

/* Version 4 to 5 (host holds, due_by_server) keeps the feeds' state. */
Test(store, version_4_database_gains_holds_and_keeps_its_feeds)
{
	struct fx fx;
	char *err = NULL;

	fx_open(&fx);
	fx_feed(&fx, "a");
	cr_assert_eq(sqlite3_exec(store_sqlite(fx.st),
	    "UPDATE feeds SET next_due = 4242, etag = 'e1';", NULL, NULL,
	    NULL), SQLITE_OK);
	fx_downgrade_v4(&fx);
	store_close(fx.st);
	cr_assert_eq(store_open(fx.path, STORE_READWRITE, &fx.st, &err), 0,
	    "%s", err);
	cr_assert_eq(fx_count(&fx, "PRAGMA user_version"), 13);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM feeds WHERE"
	    " next_due = 4242 AND etag = 'e1' AND due_by_server = 0"), 1);
	cr_assert_eq(store_host_hold_set(fx.st, "example.com", 99), 0);
	cr_assert_eq(fx_count(&fx, "SELECT until FROM host_holds"), 99);
	fx_close(&fx);
}

/*
 * A reader (the listing commands) opens only a database of its own
 * schema, and says which way it differs: an older one is the daemon's
 * to upgrade, a newer one (an older feedd installed over it) is not.
 */
Test(store, a_reader_names_which_way_the_schema_differs)
{
	struct fx fx;
	struct store *ro = NULL;
	char *err = NULL;

	fx_open(&fx);
	cr_assert_eq(sqlite3_exec(store_sqlite(fx.st), "PRAGMA user_version"
	    " = 99;", NULL, NULL, NULL), SQLITE_OK);
	cr_assert_eq(store_open(fx.path, STORE_READONLY, &ro, &err), -1);
	cr_assert(strstr(err, "schema version 99 is newer than this feedd")
	    != NULL, "%s", err);
	cr_assert(strstr(err, "upgrade") == NULL, "%s", err);
	free(err);
	err = NULL;
	cr_assert_eq(sqlite3_exec(store_sqlite(fx.st), "PRAGMA user_version"
	    " = 3;", NULL, NULL, NULL), SQLITE_OK);
	cr_assert_eq(store_open(fx.path, STORE_READONLY, &ro, &err), -1);
	cr_assert(strstr(err, "schema version 3, this feedd reads") != NULL &&
	    strstr(err, "run the daemon to upgrade") != NULL, "%s", err);
	free(err);
	cr_assert_eq(sqlite3_exec(store_sqlite(fx.st), "PRAGMA user_version"
	    " = 13;", NULL, NULL, NULL), SQLITE_OK);
	fx_close(&fx);
}

Test(store, runs_in_wal_mode_with_foreign_keys)
{
	struct fx fx;
	sqlite3_stmt *s;

	fx_open_new(&fx);
	cr_assert_eq(sqlite3_prepare_v2(store_sqlite(fx.st),
	    "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(s), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	cr_assert_eq(fx_count(&fx, "PRAGMA foreign_keys"), 1);
	cr_assert_eq(fx_count(&fx, "PRAGMA synchronous"), 1);	/* NORMAL */
	/* set before WAL, or a new database silently keeps 4 KB pages */
	cr_assert_eq(fx_count(&fx, "PRAGMA page_size"), 16384);
	/* 4 MB: more only added to the peak RSS (db.c) */
	cr_assert_eq(fx_count(&fx, "PRAGMA cache_size"), -4096);
	fx_close(&fx);
}

/* Feeds in the database file itself, the WAL ignored (immutable). */
static int64_t
feeds_in_file(const char *path)
{
	char *uri = xasprintf("file:%s?immutable=1", path);
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	int64_t n = -1;

	if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
	    NULL) == SQLITE_OK && sqlite3_prepare_v2(db,
	    "SELECT count(*) FROM feeds", -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	free(uri);
	return n;
}

static int
file_has_the_feed(void *path)
{
	return feeds_in_file(path) == 1;
}

/*
 * A commit too small for a checkpoint of its own stays in the WAL until
 * store_checkpoint_soon has the checkpoint thread copy it into the file
 * (the last flush of a run, while the outputs render).
 */
Test(store, checkpoint_soon_copies_the_wal_into_the_file)
{
	struct fx fx;

	fx_open(&fx);
	fx_feed(&fx, "a");
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM feeds"), 1);
	cr_assert_eq(feeds_in_file(fx.path), 0, "in the WAL only, so far");
	store_checkpoint_soon(fx.st);
	/* the checkpoint thread writes the file: each write, a test */
	cr_assert_eq(ts_wait_dir(fx.dir, file_has_the_feed, fx.path, 10), 0,
	    "the file itself holds the feed");
	fx_close(&fx);
}

Test(store, unopenable_path_reports_path_and_reason)
{
	struct store *st = NULL;
	char *err = NULL;

	cr_assert_eq(store_open("/nonexistent/dir/x.db", STORE_READWRITE, &st,
	    &err), -1);
	cr_assert_null(st);
	cr_assert(strncmp(err, "/nonexistent/dir/x.db: ", 23) == 0, "%s", err);
	free(err);
	err = NULL;
	cr_assert_eq(store_open("/tmp/feedd-no-such.db", STORE_READONLY, &st,
	    &err), -1);
	cr_assert(strstr(err, "No such file") != NULL, "%s", err);
	free(err);
}

Test(store, sync_feeds_adds_updates_and_deactivates)
{
	struct fx fx;
	struct feed_conf fc[2] = {
		{ .def = { .name = "a" }, .url = "https://a.example/rss" },
		{ .def = { .name = "b" }, .url = "https://b.example/rss" },
	};
	struct config cfg = { .feeds = fc, .nfeeds = 2 };
	struct feed_row row;

	fx_open(&fx);
	cr_assert_eq(store_sync_feeds(fx.st, &cfg), 0);
	cr_assert_eq(store_feed_get(fx.st, "a", &row), 0);
	cr_assert_eq(row.next_due, 0);
	cr_assert_eq(row.active, 1);
	free(row.etag);
	row.etag = xstrdup("\"v1\"");
	row.consecutive_errors = 3;
	row.next_due = T0;
	cr_assert_eq(store_feed_save_state(fx.st, &row), 0);
	feed_row_cleanup(&row);

	fc[0].url = "https://a.example/new";	/* moved */
	cfg.nfeeds = 1;				/* b removed */
	cr_assert_eq(store_sync_feeds(fx.st, &cfg), 0);
	cr_assert_eq(store_feed_get(fx.st, "a", &row), 0);
	cr_assert_str_eq(row.url, "https://a.example/new");
	cr_assert_null(row.etag);
	cr_assert_eq(row.consecutive_errors, 0);
	feed_row_cleanup(&row);
	cr_assert_eq(store_feed_get(fx.st, "b", &row), 0);
	cr_assert_eq(row.active, 0);
	feed_row_cleanup(&row);
	cr_assert_eq(store_feed_get(fx.st, "c", &row), 1);
	fx_close(&fx);
}

/*
 * A name new to the database looks for an inactive feed of its URL (a
 * renamed section): by index, not by reading every feed.  Without
 * feeds_url (schema version 12) a first start with 10,000 feeds spent
 * 1.25 s there, and the time grew with the square of the feeds.
 */
Test(store, new_feeds_look_for_their_url_without_reading_every_feed)
{
	struct fx fx;
	struct feed_conf *fc = xcalloc(2000, sizeof(*fc));
	struct config cfg = { .feeds = fc, .nfeeds = 2000 };
	sqlite3_stmt *rename;

	for (size_t i = 0; i < cfg.nfeeds; i++) {
		fc[i].def.name = xasprintf("feed %zu", i);
		fc[i].url = xasprintf("https://f%zu.example/rss", i);
	}
	fx_open(&fx);
	cr_assert_eq(store_sync_feeds(fx.st, &cfg), 0);
	rename = fx.st->stmt[SQ_FEED_RENAME];
	cr_assert_not_null(rename, "no feed was looked for");
	cr_assert_eq(sqlite3_stmt_status(rename,
	    SQLITE_STMTSTATUS_FULLSCAN_STEP, 0), 0);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM feeds"), 2000);
	fx_close(&fx);
	for (size_t i = 0; i < cfg.nfeeds; i++) {
		free(fc[i].def.name);
		free(fc[i].url);
	}
	free(fc);
}

/*
 * The outputs show each entry's feed: a feed renamed or moved to a new
 * URL moves the generation, so a restart or a reload that found the
 * files current does not keep showing the old name.  A config that
 * changed nothing they show leaves it alone.
 */
Test(store, a_renamed_or_moved_feed_moves_the_generation)
{
	struct fx fx;
	struct feed_conf fc[2] = {
		{ .def = { .name = "one" }, .url = "https://a.example/rss" },
		{ .def = { .name = "two" }, .url = "https://b.example/rss" },
	};
	struct config cfg = { .feeds = fc, .nfeeds = 2 };
	int64_t gen;

	fx_open(&fx);
	cr_assert_eq(store_sync_feeds(fx.st, &cfg), 0);
	gen = store_generation(fx.st);
	cr_assert_eq(store_sync_feeds(fx.st, &cfg), 0);
	cr_assert_eq(store_generation(fx.st), gen, "nothing changed");
	fc[1].def.name = "two renamed";
	cr_assert_eq(store_sync_feeds(fx.st, &cfg), 0);
	cr_assert_neq(store_generation(fx.st), gen, "a rename");
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM feeds"), 2);
	gen = store_generation(fx.st);
	fc[0].url = "https://a.example/feed.xml";
	cr_assert_eq(store_sync_feeds(fx.st, &cfg), 0);
	cr_assert_neq(store_generation(fx.st), gen, "a new URL");
	fx_close(&fx);
}

/* feedd_body, counted: how many item texts a statement made. */
static int body_calls;

static void
counted_body(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	body_calls++;
	sqlite3_result_text(ctx, store_body_text(
	    (const char *)sqlite3_value_text(argv[0]),
	    (const char *)sqlite3_value_text(argv[1])), -1, free);
}

/*
 * A snippet makes its item's text again from the stored HTML: a search
 * makes it for the hits it shows, not for every item that matches (a
 * common word on a 10,000-feed store: 13,222 texts for 20 hits, 1.3 s).
 */
Test(store, search_makes_snippets_for_the_hits_it_shows)
{
	struct fx fx;
	struct feed_doc *doc = feed_doc_new();
	struct search_hit *hits;
	size_t nhits;
	char *err = NULL;
	int64_t feed;

	fx_open(&fx);
	feed = fx_feed(&fx, "a");
	for (int i = 0; i < 60; i++) {
		char *id = xasprintf("%d", i), *link = xasprintf(
		    "https://a.example/%d", i), *title = xasprintf(
		    "Story %d", i);
		struct feed_item *it = fx_item(doc, id, title, link, T0 - i);

		it->content = xasprintf("<p>An <b>open</b> model, number %d,"
		    " and %s words</p>", i, i % 3 ? "other" : "rarer");
		free(id);
		free(link);
		free(title);
	}
	fx_put(&fx, feed, doc, T0);
	feed_doc_free(doc);
	cr_assert_eq(sqlite3_create_function(store_sqlite(fx.st), "feedd_body",
	    2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, counted_body, NULL,
	    NULL), SQLITE_OK);
	for (int fts = 0; fts < 2; fts++) {
		body_calls = 0;
		cr_assert_eq(store_search(fx.st, fts ? "open" : "NOT rarer", 3,
		    &hits, &nhits, &err), 0, "%s", err ? err : "?");
		cr_assert_eq(nhits, 3);
		cr_assert(strstr(hits[0].snippet, "open") != NULL, "%s",
		    hits[0].snippet);
		cr_assert_leq(body_calls, 2 * 3, "%d texts made for 3 hits of"
		    " %d matches", body_calls, fts ? 60 : 40);
		search_hits_free(hits, nhits);
	}
	fx_close(&fx);
}

static int
count_match_runs(unsigned type, void *ctx, void *stmt, void *sql)
{
	(void)type;
	(void)stmt;
	if (strstr(sql, "MATCH") != NULL)
		(*(int *)ctx)++;
	return 0;
}

/*
 * A prefix's snippets come from one MATCH over the hits, not one per
 * hit: each made FTS5 expand the prefix over the whole index again
 * ("a*" took 220 ms a hit on a 10,000-feed store).  Each hit still gets
 * its own item's snippet.
 */
Test(store, search_matches_a_prefix_once_for_all_its_snippets)
{
	struct fx fx;
	struct feed_doc *doc = feed_doc_new();
	struct search_hit *hits;
	size_t nhits;
	char *err = NULL;
	int64_t feed;
	int runs = 0;

	fx_open(&fx);
	feed = fx_feed(&fx, "a");
	for (int i = 0; i < 40; i++) {
		char *id = xasprintf("%d", i), *link = xasprintf(
		    "https://a.example/%d", i), *title = xasprintf(
		    "Story %d", i);
		struct feed_item *it = fx_item(doc, id, title, link, T0 - i);

		it->content = xasprintf("<p>The alphaword%d model</p>", i);
		free(id);
		free(link);
		free(title);
	}
	fx_put(&fx, feed, doc, T0);
	feed_doc_free(doc);
	sqlite3_trace_v2(store_sqlite(fx.st), SQLITE_TRACE_STMT,
	    count_match_runs, &runs);
	cr_assert_eq(store_search(fx.st, "alphaw*", 10, &hits, &nhits, &err),
	    0, "%s", err ? err : "?");
	cr_assert_eq(nhits, 10);
	cr_assert_leq(runs, 2, "%d MATCH runs for 10 hits", runs);
	for (size_t i = 0; i < nhits; i++) {
		char *want = xasprintf("alphaword%s",
		    hits[i].story.title + strlen("Story "));

		cr_assert(hits[i].snippet != NULL &&
		    strstr(hits[i].snippet, want) != NULL, "hit %s: %s",
		    hits[i].story.title, hits[i].snippet);
		free(want);
	}
	sqlite3_trace_v2(store_sqlite(fx.st), 0, NULL, NULL);
	search_hits_free(hits, nhits);
	fx_close(&fx);
}

/* Feed "big": n items, item i a story of its own, newest first. */
static void
put_big_feed(struct fx *fx, int n)
{
	struct feed_doc *doc = feed_doc_new();

	for (int i = 0; i < n; i++) {
		char *id = xasprintf("%d", i), *link = xasprintf(
		    "https://big.example/%d", i), *title = xasprintf(
		    "Big story %d", i);

		fx_item(doc, id, title, link, T0 - 7 * i);
		free(id);
		free(link);
		free(title);
	}
	fx_put(fx, fx_feed(fx, "big"), doc, T0);
	feed_doc_free(doc);
}

/* A listing's callback that deletes item gone at its first row. */
struct vanish {
	struct store *st;
	int64_t	 gone;
	size_t	 rows;
	int	 seen_gone;
};

static int
vanish_row(struct story_row *r, void *arg)
{
	struct vanish *v = arg;
	char *sql;

	if (v->rows++ == 0) {
		/* no read transaction is open here: the delete commits */
		sql = xasprintf("DELETE FROM items WHERE id = %lld",
		    (long long)v->gone);
		cr_assert_eq(sqlite3_exec(store_sqlite(v->st), sql, NULL,
		    NULL, NULL), SQLITE_OK, "%s",
		    sqlite3_errmsg(store_sqlite(v->st)));
		free(sql);
	}
	v->seen_gone |= r->item_id == v->gone;
	return 0;
}

/*
 * A listing reads its rows' ids, then the rows 256 at a time, with no
 * transaction open while it hands them on: an item deleted meanwhile
 * (the daemon's prune) is passed over, not an error.
 */
Test(store, a_listing_passes_over_an_item_gone_between_its_passes)
{
	struct vanish v = { 0 };
	struct story_row *all;
	size_t nall;
	struct fx fx;

	fx_open(&fx);
	put_big_feed(&fx, 600);
	cr_assert_eq(store_items_newest(fx.st, NULL, 0, &all, &nall), 0);
	cr_assert_eq(nall, 600);
	v.st = fx.st;
	v.gone = all[500].item_id;	/* in the walk's second chunk */
	cr_assert_eq(store_items_newest_each(fx.st, NULL, 0, vanish_row,
	    &v), 0, "%s", store_errmsg(fx.st));
	cr_assert_eq(v.rows, 599);
	cr_assert(!v.seen_gone);
	story_rows_free(all, nall);
	fx_close(&fx);
}

/*
 * The item ids of all's rows whose story has an item of feed, up to
 * limit (0: all) into want; how many.
 */
static size_t
items_of_feed(const struct story_row *all, size_t n, const char *feed,
    int limit, int64_t *want)
{
	size_t k = 0;

	for (size_t i = 0; i < n && (limit == 0 || k < (size_t)limit); i++)
		for (size_t j = 0; j < n; j++)
			if (all[j].story_id == all[i].story_id &&
			    strcmp(all[j].feed_name, feed) == 0) {
				want[k++] = all[i].item_id;
				break;
			}
	return k;
}

/*
 * items --feed lists the items of the stories a feed reported, newest
 * story first, found from the feed's items when it has few: walking
 * every story for them, a feed of few items on a 10,000-feed store took
 * 0.7 s.  A feed with many is found walking the stories newest first,
 * which stops at the limit.  Either way the order and the rows are
 * those of the whole list, restricted to the feed's stories.
 */
Test(store, a_feed_with_few_items_lists_them_without_walking_every_story)
{
	static int64_t want[2010];
	const char *feeds[] = { "small", "big" };
	struct feed_doc *doc = feed_doc_new();
	struct story_row *all, *rows;
	size_t nall, n;
	struct fx fx;
	struct fx_steps steps = { "SELECT i.id FROM stories", 0 };

	fx_open(&fx);
	put_big_feed(&fx, 2000);
	/* two of big's stories, and one of its own */
	fx_item(doc, "s1", "Small on big 100", "https://big.example/100",
	    T0 - 600);
	fx_item(doc, "s2", "Small on big 1500", "https://big.example/1500",
	    T0 - 7 * 1500);
	fx_item(doc, "s3", "Small's own", "https://small.example/3", T0 - 5);
	fx_put(&fx, fx_feed(&fx, "small"), doc, T0 + 60);
	feed_doc_free(doc);
	cr_assert_eq(store_items_newest(fx.st, NULL, 0, &all, &nall), 0);
	cr_assert_eq(nall, 2003);
	fx_trace_steps(&fx, &steps);
	for (int f = 0; f < 2; f++)
		for (int limit = 0; limit <= 40; limit += 40) {
			size_t nwant = items_of_feed(all, nall, feeds[f],
			    limit, want);

			steps.steps = 0;
			cr_assert_eq(store_items_newest(fx.st, feeds[f], limit,
			    &rows, &n), 0, "%s", store_errmsg(fx.st));
			cr_assert_eq(n, nwant, "%s, limit %d: %zu rows",
			    feeds[f], limit, n);
			for (size_t i = 0; i < n; i++)
				cr_assert_eq(rows[i].item_id, want[i], "%s,"
				    " limit %d, row %zu", feeds[f], limit, i);
			story_rows_free(rows, n);
			if (f == 0)
				cr_assert_lt(steps.steps, 1000, "small, limit"
				    " %d: %d VM steps", limit, steps.steps);
		}
	cr_assert_eq(items_of_feed(all, nall, "small", 0, want), 5);
	sqlite3_trace_v2(store_sqlite(fx.st), 0, NULL, NULL);
	story_rows_free(all, nall);
	fx_close(&fx);
}

Test(store, put_doc_new_unchanged_and_changed_in_place)
{
	struct fx fx;
	struct feed_doc *doc = feed_doc_new();
	struct store_put_result r;
	int64_t feed, gen;

	fx_open(&fx);
	feed = fx_feed(&fx, "a");
	fx_item(doc, "1", "One", "https://a.example/1", T0);
	fx_item(doc, "2", "Two", "https://a.example/2", T0 + 60);
	r = fx_put(&fx, feed, doc, T0 + 100);
	cr_assert_eq(r.new_items, 2);
	cr_assert_eq(r.new_stories, 2);
	gen = store_generation(fx.st);

	r = fx_put(&fx, feed, doc, T0 + 200);
	cr_assert_eq(r.new_items + r.updated_items, 0);
	cr_assert_eq(store_generation(fx.st), gen, "unchanged doc moved gen");

	free(doc->items[1].title);
	doc->items[1].title = xstrdup("Two, corrected");
	r = fx_put(&fx, feed, doc, T0 + 300);
	cr_assert_eq(r.new_items, 0);
	cr_assert_eq(r.updated_items, 1);
	cr_assert_neq(store_generation(fx.st), gen);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items"), 2);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items_fts"
	    " WHERE items_fts MATCH 'corrected'"), 1);
	cr_assert_eq(fx_count(&fx, "SELECT first_seen FROM items"
	    " WHERE title = 'Two, corrected'"), T0 + 100);
	feed_doc_free(doc);
	fx_close(&fx);
}

Test(store, repeated_guids_within_a_doc_fall_back_to_links)
{
	struct fx fx;
	struct feed_doc *doc = feed_doc_new();
	struct store_put_result r;
	struct feed_row row;
	int64_t feed;

	fx_open(&fx);
	feed = fx_feed(&fx, "a");
	/* one constant "guid" on three different stories */
	fx_item(doc, "same", "One", "https://a.example/1", T0);
	fx_item(doc, "same", "Two", "https://a.example/2", T0);
	fx_item(doc, "same", "Three", "https://a.example/3", T0);
	r = fx_put(&fx, feed, doc, T0);
	cr_assert_eq(r.new_items, 3);
	r = fx_put(&fx, feed, doc, T0 + 60);
	cr_assert_eq(r.new_items, 0);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items"), 3);
	cr_assert_eq(fx_count(&fx, "SELECT id_mode FROM feeds"), 1);
	cr_assert_eq(store_feed_get(fx.st, "a", &row), 0);
	cr_assert_eq(row.items, 3);
	feed_row_cleanup(&row);
	feed_doc_free(doc);
	fx_close(&fx);
}

Test(store, guids_changing_every_fetch_make_no_duplicates)
{
	struct fx fx;
	int64_t feed;
	char id[32];

	fx_open(&fx);
	feed = fx_feed(&fx, "a");
	for (int fetch = 0; fetch < 4; fetch++) {
		struct feed_doc *doc = feed_doc_new();

		for (int i = 0; i < 5; i++) {
			char link[64];

			snprintf(id, sizeof(id), "tag:%d-%d", fetch, i);
			snprintf(link, sizeof(link), "https://a.example/p/%d", i);
			fx_item(doc, id, "Post", link, T0 + i);
			doc->items[i].title[0] = (char)('A' + i);
		}
		fx_put(&fx, feed, doc, T0 + 1000 * fetch);
		feed_doc_free(doc);
	}
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items"), 5);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM stories"), 5);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items_fts"), 5);
	fx_close(&fx);
}

Test(store, items_without_guid_use_link_then_hash)
{
	struct fx fx;
	struct feed_doc *doc = feed_doc_new();
	struct store_put_result r;
	int64_t feed;

	fx_open(&fx);
	feed = fx_feed(&fx, "a");
	fx_item(doc, NULL, "Linked", "https://a.example/x", T0);
	fx_item(doc, NULL, "No link, dated", NULL, T0);
	fx_item(doc, NULL, "No link, no date", NULL, FEED_TIME_NONE);
	doc->items[2].summary = xstrdup("<p>body one</p>");
	fx_item(doc, NULL, "No link, no date", NULL, FEED_TIME_NONE);
	doc->items[3].summary = xstrdup("<p>body two</p>");
	r = fx_put(&fx, feed, doc, T0);
	cr_assert_eq(r.new_items, 4);
	r = fx_put(&fx, feed, doc, T0 + 60);
	cr_assert_eq(r.new_items + r.updated_items, 0);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items"), 4);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items"
	    " WHERE key LIKE 'h:%'"), 3);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM stories"), 4);
	feed_doc_free(doc);
	fx_close(&fx);
}

Test(store, exact_duplicate_entries_in_one_doc_are_stored_once)
{
	struct fx fx;
	struct feed_doc *doc = feed_doc_new();
	struct store_put_result r;

	fx_open(&fx);
	fx_item(doc, "1", "One", "https://a.example/1", T0);
	fx_item(doc, "1", "One", "https://a.example/1", T0);
	r = fx_put(&fx, fx_feed(&fx, "a"), doc, T0);
	cr_assert_eq(r.new_items, 1);
	cr_assert_eq(fx_count(&fx, "SELECT id_mode FROM feeds"), 0);
	feed_doc_free(doc);
	fx_close(&fx);
}

Test(store, stories_newest_first_with_limit_and_feed_filter)
{
	struct fx fx;
	struct feed_doc *a = feed_doc_new(), *b = feed_doc_new();
	struct story_row *rows;
	size_t n;

	fx_open(&fx);
	fx_item(a, "1", "Oldest", "https://a.example/1", T0);
	fx_item(a, "2", "Newest", "https://a.example/2", T0 + 300);
	fx_item(b, "3", "Middle", "https://b.example/3", T0 + 200);
	fx_item(b, "4", "Undated", "https://b.example/4", FEED_TIME_NONE);
	a->title = xstrdup("Feed A");
	fx_put(&fx, fx_feed(&fx, "a"), a, T0 + 400);
	fx_put(&fx, fx_feed(&fx, "b"), b, T0 + 250);
	cr_assert_eq(store_stories_newest(fx.st, NULL, NULL, 3, &rows, &n), 0);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(rows[0].title, "Newest");
	cr_assert_str_eq(rows[0].feed_name, "a");
	cr_assert_str_eq(rows[0].feed_title, "Feed A");
	cr_assert_eq(rows[0].nsources, 1);
	/* undated: first seen T0+250 sorts between Newest and Middle */
	cr_assert_str_eq(rows[1].title, "Undated");
	cr_assert_eq(rows[1].published, FEED_TIME_NONE);
	cr_assert_str_eq(rows[2].title, "Middle");
	story_rows_free(rows, n);
	cr_assert_eq(store_stories_newest(fx.st, "a", NULL, 10, &rows, &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(rows[1].title, "Oldest");
	story_rows_free(rows, n);
	feed_doc_free(a);
	feed_doc_free(b);
	fx_close(&fx);
}

/* Adds the VM steps of each statement run while it traces (ctx: int64_t). */
static int
count_vm_steps(unsigned type, void *ctx, void *stmt, void *x)
{
	(void)type;
	(void)x;
	*(int64_t *)ctx += sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_VM_STEP,
	    1);
	return 0;
}

/* Counts into *steps the VM steps of the statements run from now on:
 * the cached ones' counts of earlier runs are cleared first. */
static void
vm_steps_start(struct fx *fx, int64_t *steps)
{
	sqlite3 *db = store_sqlite(fx->st);

	*steps = 0;
	for (sqlite3_stmt *s = sqlite3_next_stmt(db, NULL); s != NULL;
	    s = sqlite3_next_stmt(db, s))
		sqlite3_stmt_status(s, SQLITE_STMTSTATUS_VM_STEP, 1);
	sqlite3_trace_v2(db, SQLITE_TRACE_PROFILE, count_vm_steps, steps);
}

static void
vm_steps_stop(struct fx *fx)
{
	sqlite3_trace_v2(store_sqlite(fx->st), 0, NULL, NULL);
}

/*
 * Feeds "s FROM" to "s TO-1" each bring one item of one link, joining
 * one story (the item of feed 7 has an author, the others none); now:
 * T0 + the feed's number.  The VM steps of the last put.
 */
static int64_t
grow_story(struct fx *fx, int from, int to)
{
	int64_t steps = 0;

	for (int i = from; i < to; i++) {
		struct feed_doc *doc = feed_doc_new();
		struct feed_item *it = fx_item(doc, "g", "One event",
		    "https://news.example/event", T0);
		char *sql = xasprintf("INSERT INTO feeds (name, url) VALUES"
		    " ('s %d', 'https://s%d.example/feed')", i, i);

		if (i == 7)
			it->author = xstrdup("Ann");
		cr_assert_eq(sqlite3_exec(store_sqlite(fx->st), sql, NULL,
		    NULL, NULL), SQLITE_OK);
		free(sql);
		if (i == to - 1)
			vm_steps_start(fx, &steps);
		fx_put(fx, sqlite3_last_insert_rowid(store_sqlite(fx->st)),
		    doc, T0 + i);
		vm_steps_stop(fx);
		feed_doc_free(doc);
	}
	return steps;
}

/*
 * The VM steps of reading every item of story 1, which has k of them
 * from k feeds; each row checked against the story's columns.
 */
static int64_t
story_read_steps(struct fx *fx, int k)
{
	struct story_row *rows;
	size_t n;
	int64_t steps;

	vm_steps_start(fx, &steps);
	cr_assert_eq(store_story_items(fx->st, 1, &rows, &n), 0);
	vm_steps_stop(fx);
	cr_assert_eq(n, (size_t)k);
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(rows[i].nitems, k);
		cr_assert_eq(rows[i].nsources, k);
		cr_assert_eq(rows[i].last_seen, T0 + k - 1);
		cr_assert_str_eq(rows[i].author, "Ann");
	}
	story_rows_free(rows, n);
	return steps;
}

/*
 * One story reported by many feeds (one link posted by thousands):
 * its columns (how many items and feeds, its first author, ...) are
 * read once for its rows, not for each.  Read for each of its k rows,
 * listing a story of 4,000 items took 4.8 s, of 8,000 26 s.  Each row
 * still has its own story's columns.
 */
Test(store, a_story_of_many_items_is_read_in_steps_linear_in_them)
{
	struct fx fx;
	struct feed_doc *doc = feed_doc_new();
	struct story_row *rows;
	size_t n;
	int64_t read100, read400;

	fx_open(&fx);
	grow_story(&fx, 0, 100);
	read100 = story_read_steps(&fx, 100);
	grow_story(&fx, 100, 400);
	read400 = story_read_steps(&fx, 400);
	cr_assert_lt(read400, 5 * read100, "%lld VM steps for 100 items,"
	    " %lld for 400", (long long)read100, (long long)read400);
	/* rows of two stories in one read */
	fx_item(doc, "h", "Another", "https://news.example/other", T0 + 500);
	fx_put(&fx, fx_count(&fx, "SELECT id FROM feeds WHERE name = 's 3'"),
	    doc, T0 + 600);
	feed_doc_free(doc);
	cr_assert_eq(store_items_newest(fx.st, NULL, 0, &rows, &n), 0);
	cr_assert_eq(n, 401);
	cr_assert_eq(rows[0].nitems, 1);
	cr_assert_eq(rows[0].nsources, 1);
	cr_assert_null(rows[0].author);
	cr_assert_eq(rows[0].last_seen, T0 + 600);
	cr_assert_eq(rows[1].nitems, 400);
	cr_assert_str_eq(rows[1].author, "Ann");
	cr_assert_eq(rows[400].nsources, 400);
	story_rows_free(rows, n);
	fx_close(&fx);
}

/*
 * An item that joins a story keeps the story's count of items: counted
 * again at each join, storing one link from 8,000 feeds stepped over
 * 32 million index entries (1.38 s for `once`, 0.51 s now).
 */
Test(store, an_item_joining_a_story_does_not_count_its_items_again)
{
	struct fx fx;
	int64_t put100, put400;

	fx_open(&fx);
	put100 = grow_story(&fx, 0, 100);
	put400 = grow_story(&fx, 100, 400);
	cr_assert_lt(put400, put100 + 100, "the 100th item's put: %lld VM"
	    " steps, the 400th's %lld", (long long)put100, (long long)put400);
	cr_assert_eq(fx_count(&fx, "SELECT nitems FROM stories"), 400);
	fx_close(&fx);
}

/*
 * Version 9 keeps each story's place in the outputs' order: a version 8
 * database gets it for the stories it has, and the outputs list them
 * as before (a story whose newest item joined later first, by that
 * date; then by the first item's date).
 */
Test(store, version_8_database_gets_its_stories_order)
{
	struct fx fx;
	struct feed_doc *a = feed_doc_new(), *b = feed_doc_new();
	struct story_row *rows;
	size_t n;
	char *err = NULL;

	fx_open(&fx);
	fx_item(a, "1", "Oldest", "https://a.example/1", T0);
	fx_item(a, "2", "Middle", "https://a.example/2", T0 + 300);
	fx_put(&fx, fx_feed(&fx, "a"), a, T0 + 400);
	/* the oldest story again, from b an hour later */
	fx_item(b, "9", "Oldest", "https://a.example/1", T0 + 3600);
	fx_put(&fx, fx_feed(&fx, "b"), b, T0 + 4000);
	fx_downgrade_v8(&fx);
	store_close(fx.st);
	cr_assert_eq(store_open(fx.path, STORE_READWRITE, &fx.st, &err), 0,
	    "%s", err);
	cr_assert_eq(fx_count(&fx, "PRAGMA user_version"), 13);
	cr_assert_eq(fx_count(&fx, "SELECT v FROM items_fts_config"
	    " WHERE k = 'automerge'"), 8);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM stories WHERE"
	    " first_item IS NULL OR shown_at IS NULL"), 0);
	cr_assert_eq(fx_count(&fx, "SELECT shown_at FROM stories WHERE"
	    " nitems = 2"), T0 + 4000);
	cr_assert_eq(store_stories_newest(fx.st, NULL, NULL, 10, &rows, &n),
	    0);
	cr_assert_eq(n, 2);
	story_rows_free(rows, n);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM sqlite_schema WHERE"
	    " name IN ('stories_shown', 'stories_early')"), 2);
	feed_doc_free(a);
	feed_doc_free(b);
	fx_close(&fx);
}

static void
count_busy(void *arg)
{
	(*(int *)arg)++;
}

/*
 * store_open_busy calls back while it upgrades an existing database
 * (the daemon tells systemd it is still starting), not when it makes a
 * new one nor when there is nothing to upgrade.
 */
Test(store, upgrade_says_it_is_busy)
{
	struct fx fx;
	int busy = 0;
	char *err = NULL;

	fx.dir = th_tmpdir();
	fx.path = th_path(fx.dir, "feedd.db");
	cr_assert_eq(store_open_busy(fx.path, STORE_READWRITE, count_busy,
	    &busy, &fx.st, &err), 0, "%s", err);
	cr_assert_eq(busy, 0, "a new database");
	store_close(fx.st);
	cr_assert_eq(store_open_busy(fx.path, STORE_READWRITE, count_busy,
	    &busy, &fx.st, &err), 0, "%s", err);
	cr_assert_eq(busy, 0, "nothing to upgrade");
	fx_downgrade_v8(&fx);
	store_close(fx.st);
	cr_assert_eq(store_open_busy(fx.path, STORE_READWRITE, count_busy,
	    &busy, &fx.st, &err), 0, "%s", err);
	cr_assert_geq(busy, 1, "an upgrade");
	cr_assert_eq(fx_count(&fx, "PRAGMA user_version"), 13);
	fx_close(&fx);
}

Test(store, reader_reads_while_writer_holds_a_transaction)
{
	struct fx fx;
	struct feed_doc *doc = feed_doc_new();
	struct store *ro;
	struct story_row *rows;
	size_t n;
	char *err = NULL;

	fx_open(&fx);
	fx_item(doc, "1", "Committed", "https://a.example/1", T0);
	fx_put(&fx, fx_feed(&fx, "a"), doc, T0);
	cr_assert_eq(sqlite3_exec(store_sqlite(fx.st), "BEGIN IMMEDIATE;"
	    "UPDATE items SET title = 'uncommitted';", NULL, NULL, NULL),
	    SQLITE_OK);
	cr_assert_eq(store_open(fx.path, STORE_READONLY, &ro, &err), 0, "%s",
	    err);
	cr_assert_eq(store_stories_newest(ro, NULL, NULL, 10, &rows, &n), 0,
	    "%s", store_errmsg(ro));
	cr_assert_eq(n, 1);
	cr_assert_str_eq(rows[0].title, "Committed");
	story_rows_free(rows, n);
	store_close(ro);
	sqlite3_exec(store_sqlite(fx.st), "ROLLBACK", NULL, NULL, NULL);
	feed_doc_free(doc);
	fx_close(&fx);
}

Test(store, prune_keeps_the_outputs_newest_stories)
{
	struct fx fx;
	struct feed_doc *doc = feed_doc_new();
	int64_t feed, gen;

	fx_open(&fx);
	feed = fx_feed(&fx, "a");
	for (int i = 0; i < 6; i++) {
		char id[16], link[64];

		snprintf(id, sizeof(id), "%d", i);
		snprintf(link, sizeof(link), "https://a.example/%d", i);
		fx_item(doc, id, "Story", link, T0 + i * 10);
	}
	fx_put(&fx, feed, doc, T0 + 100);
	gen = store_generation(fx.st);
	/* all first seen before the cutoff; the 2 newest stay */
	cr_assert_eq(store_prune(fx.st, T0 + 1000, 2, 0), 4);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items"), 2);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items"
	    " WHERE entry_id IN ('4', '5')"), 2);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM stories"), 2);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items_fts"), 2);
	/* English text: never in the trigram table (see index_item) */
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items_tri"), 0);
	cr_assert_neq(store_generation(fx.st), gen);
	gen = store_generation(fx.st);
	cr_assert_eq(store_prune(fx.st, T0 + 1000, 2, 0), 0);
	cr_assert_eq(store_generation(fx.st), gen, "nothing pruned, gen moved");
	feed_doc_free(doc);
	fx_close(&fx);
}

/* A failed prune rolls back, and says why: not "unknown error", which
 * is all SQLite has left after the ROLLBACK. */
Test(store, failed_prune_names_its_cause)
{
	struct fx fx;
	struct feed_doc *doc = feed_doc_new();

	fx_open(&fx);
	fx_item(doc, "1", "Story", "https://a.example/1", T0);
	fx_put(&fx, fx_feed(&fx, "a"), doc, T0);
	cr_assert_eq(sqlite3_exec(store_sqlite(fx.st), "CREATE TRIGGER keep"
	    " BEFORE DELETE ON items BEGIN SELECT RAISE(ABORT, 'items are"
	    " kept'); END", NULL, NULL, NULL), SQLITE_OK);
	cr_assert_eq(store_prune(fx.st, T0 + 1000, 0, 0), -1);
	cr_assert(strstr(store_errmsg(fx.st), "items are kept") != NULL,
	    "%s", store_errmsg(fx.st));
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items"), 1);
	feed_doc_free(doc);
	fx_close(&fx);
}

/* A limit takes the oldest first and says how many went. */
Test(store, prune_in_steps_takes_the_oldest_first)
{
	struct fx fx;
	int64_t feed;

	fx_open(&fx);
	feed = fx_feed(&fx, "a");
	for (int i = 0; i < 5; i++) {
		char id[16], link[64];
		struct feed_doc *one = feed_doc_new();

		snprintf(id, sizeof(id), "%d", i);
		snprintf(link, sizeof(link), "https://a.example/%d", i);
		fx_item(one, id, "Story", link, T0 + i * 10);
		fx_put(&fx, feed, one, T0 + i);	/* first seen T0 + i */
		feed_doc_free(one);
	}
	cr_assert_eq(store_prune(fx.st, T0 + 1000, 0, 2), 2);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items"
	    " WHERE entry_id IN ('0', '1')"), 0, "the oldest go first");
	cr_assert_eq(store_prune(fx.st, T0 + 1000, 0, 2), 2);
	cr_assert_eq(store_prune(fx.st, T0 + 1000, 0, 2), 1);
	cr_assert_eq(store_prune(fx.st, T0 + 1000, 0, 2), 0);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM stories"), 0);
	fx_close(&fx);
}

Test(store, batch_commits_many_puts_at_once)
{
	struct fx fx;
	struct feed_doc *doc = feed_doc_new();
	struct store *ro;
	int64_t a, b;
	char *err = NULL;

	fx_open(&fx);
	a = fx_feed(&fx, "a");
	b = fx_feed(&fx, "b");
	fx_item(doc, "1", "One", "https://a.example/1", T0);
	cr_assert_eq(store_open(fx.path, STORE_READONLY, &ro, &err), 0);
	cr_assert_eq(store_batch_begin(fx.st), 0);
	fx_put(&fx, a, doc, T0 + 10);
	fx_put(&fx, b, doc, T0 + 10);
	/* another connection sees nothing before the commit */
	cr_assert_eq(sqlite3_exec(store_sqlite(ro), "SELECT 1 FROM items",
	    NULL, NULL, NULL), SQLITE_OK);
	{
		struct story_row *rows;
		size_t n;

		cr_assert_eq(store_stories_newest(ro, NULL, NULL, 0, &rows,
		    &n), 0);
		cr_assert_eq(n, 0);
		story_rows_free(rows, n);
		cr_assert_eq(store_batch_commit(fx.st), 0);
		cr_assert_eq(store_stories_newest(ro, NULL, NULL, 0, &rows,
		    &n), 0);
		cr_assert_eq(n, 1, "one story from two feeds");
		story_rows_free(rows, n);
	}
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items"), 2);
	store_close(ro);
	feed_doc_free(doc);
	fx_close(&fx);
}

Test(store, failing_call_in_a_batch_rolls_the_batch_back)
{
	struct fx fx;
	struct feed_doc *doc = feed_doc_new();
	struct store_put_result res;
	int64_t a;
	char *err = NULL;

	fx_open(&fx);
	a = fx_feed(&fx, "a");
	fx_item(doc, "1", "One", "https://a.example/1", T0);
	cr_assert_eq(store_batch_begin(fx.st), 0);
	fx_put(&fx, a, doc, T0 + 10);
	/* no such feed: the put fails, and with it the batch */
	cr_assert_eq(store_put_doc(fx.st, a + 1000, doc, T0 + 10, &res, &err),
	    -1);
	free(err);
	cr_assert_eq(store_batch_commit(fx.st), -1);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items"), 0);
	/* and the store works on: the next put commits alone */
	fx_put(&fx, a, doc, T0 + 20);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items"), 1);
	feed_doc_free(doc);
	fx_close(&fx);
}

/* The text a store indexes for an item (items_fts body), by its title,
 * is want. */
static void
expect_indexed_body(struct fx *fx, const char *title, const char *want)
{
	sqlite3_stmt *s;
	char *body = NULL;

	cr_assert_eq(sqlite3_prepare_v2(store_sqlite(fx->st), "SELECT body"
	    " FROM items_fts WHERE title = ?", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, title, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		body = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	cr_assert_not_null(body, "no index row for %s", title);
	cr_assert_str_eq(body, want);
	free(body);
}

Test(store, full_text_has_a_repeated_summary_once_and_a_capped_body)
{
	struct fx fx;
	struct feed_doc *doc = feed_doc_new();
	struct feed_item *it;
	size_t words = 14000;	/* "word " x 14000: 70,000 bytes of text */
	char *big = xmalloc(words * 5 + 32);

	fx_open(&fx);
	it = fx_item(doc, "1", "Repeats", "https://a.example/1", T0);
	it->summary = xstrdup("<p>alpha beta</p>");
	it->content = xstrdup("<div><p>alpha beta</p><p>gamma</p></div>");
	it = fx_item(doc, "2", "Differs", "https://a.example/2", T0);
	it->summary = xstrdup("<p>teaser</p>");
	it->content = xstrdup("<p>full story</p>");
	it = fx_item(doc, "4", "Teaser only", "https://a.example/4", T0);
	it->summary = xstrdup("<p>just the teaser</p>");
	fx_item(doc, "5", "Title only", "https://a.example/5", T0);
	it = fx_item(doc, "3", "Long", "https://a.example/3", T0);
	memcpy(big, "<p>", 3);
	for (size_t i = 0; i < words; i++)
		memcpy(big + 3 + i * 5, "word ", 5);
	strcpy(big + 3 + words * 5, "tailword</p>");
	it->content = big;
	fx_put(&fx, fx_feed(&fx, "a"), doc, T0 + 100);

	expect_indexed_body(&fx, "Repeats", "alpha beta gamma");
	expect_indexed_body(&fx, "Differs", "teaser full story");
	expect_indexed_body(&fx, "Teaser only", "just the teaser");
	expect_indexed_body(&fx, "Title only", "");
	cr_assert_eq(fx_count(&fx, "SELECT length(body) <= 65536 FROM"
	    " items_fts WHERE title = 'Long'"), 1);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items_fts"
	    " WHERE items_fts MATCH 'word'"), 1);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items_fts"
	    " WHERE items_fts MATCH 'tailword'"), 0, "text past the cap");
	feed_doc_free(doc);
	fx_close(&fx);
}

/*
 * An item's enclosures are one column: "URL\x1fTYPE\x1fLENGTH" joined by
 * \x1e, those two bytes dropped from the fields; long fields and many
 * enclosures fit (the column is sized before it is written).
 */
Test(store, enclosures_are_one_column_without_the_separators)
{
	struct fx fx;
	struct feed_doc *doc = feed_doc_new();
	struct feed_item *it;
	struct buf want, url;
	sqlite3_stmt *s;

	fx_open(&fx);
	it = fx_item(doc, "1", "Episode", "https://a.example/1", T0);
	feed_item_add_enclosure(it, xstrdup("https://a.example/a\x1e.mp3"),
	    xstrdup("audio/\x1fmpeg"), 89970236);
	feed_item_add_enclosure(it, xstrdup("https://a.example/b.ogg"), NULL,
	    -1);
	buf_init(&url, 0);
	buf_puts(&url, "https://a.example/");
	for (int i = 0; i < 300; i++)
		buf_puts(&url, "long/");
	feed_item_add_enclosure(it, xstrdup(url.data), xstrdup("video/mp4"),
	    INT64_MAX);
	fx_put(&fx, fx_feed(&fx, "a"), doc, T0 + 100);

	buf_init(&want, 0);
	buf_printf(&want, "https://a.example/a.mp3\x1f" "audio/mpeg\x1f"
	    "89970236\x1e" "https://a.example/b.ogg\x1f\x1f-1\x1e" "%s\x1f"
	    "video/mp4\x1f%lld", url.data, (long long)INT64_MAX);
	cr_assert_eq(sqlite3_prepare_v2(store_sqlite(fx.st), "SELECT"
	    " enclosures FROM items", -1, &s, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(s), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(s, 0), want.data);
	sqlite3_finalize(s);
	buf_cleanup(&want);
	buf_cleanup(&url);
	feed_doc_free(doc);
	fx_close(&fx);
}

/* fx_put through store_prepare_doc, as the daemon stores documents. */
static struct store_put_result
put_prepared(struct fx *fx, int64_t feed, const struct feed_doc *doc,
    int64_t now)
{
	struct store_prep *prep = store_prepare_doc(doc,
	    PREP_BODIES | PREP_HEADLINES);
	struct store_put_result res;
	char *err = NULL;

	cr_assert_eq(store_put_prepared(fx->st, feed, doc, prep, now, &res,
	    &err), 0, "put_prepared: %s", err ? err : "?");
	store_prep_free(prep);
	return res;
}

Test(store, prepared_docs_pick_keys_as_put_doc_does)
{
	struct fx fx;
	struct feed_doc *doc = feed_doc_new();
	struct store_put_result r;
	int64_t a, b;
	char id[32];

	fx_open(&fx);
	a = fx_feed(&fx, "a");
	b = fx_feed(&fx, "b");
	/* a: one "guid" on three stories, an exact duplicate, no guid */
	fx_item(doc, "same", "One", "https://a.example/1", T0);
	fx_item(doc, "same", "Two", "https://a.example/2", T0);
	fx_item(doc, "same", "Two", "https://a.example/2", T0);
	fx_item(doc, NULL, "Three", NULL, T0);
	r = put_prepared(&fx, a, doc, T0);
	cr_assert_eq(r.new_items, 3);
	r = put_prepared(&fx, a, doc, T0 + 60);
	cr_assert_eq(r.new_items + r.updated_items, 0);
	cr_assert_eq(fx_count(&fx, "SELECT id_mode FROM feeds"
	    " WHERE name = 'a'"), 1);
	feed_doc_free(doc);
	/* b: ids that change on every fetch, links that do not */
	for (int fetch = 0; fetch < 3; fetch++) {
		doc = feed_doc_new();
		for (int i = 0; i < 4; i++) {
			char link[64];

			snprintf(id, sizeof(id), "tag:%d-%d", fetch, i);
			snprintf(link, sizeof(link), "https://b.example/%d", i);
			fx_item(doc, id, "Post", link, T0 + i);
			doc->items[i].title[0] = (char)('A' + i);
		}
		put_prepared(&fx, b, doc, T0 + 1000 * fetch);
		feed_doc_free(doc);
	}
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items"
	    " WHERE feed_id = (SELECT id FROM feeds WHERE name = 'b')"), 4);
	cr_assert_eq(fx_count(&fx, "SELECT id_mode FROM feeds"
	    " WHERE name = 'b'"), 1);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items_fts"), 7);
	fx_close(&fx);
}

/* The size of the open database in bytes (after a checkpoint). */
static int64_t
db_bytes(struct fx *fx)
{
	sqlite3_exec(store_sqlite(fx->st), "PRAGMA wal_checkpoint(TRUNCATE)",
	    NULL, NULL, NULL);
	return fx_count(fx, "SELECT page_count * page_size"
	    " FROM pragma_page_count, pragma_page_size");
}

/*
 * Version 4 keeps the text once: a version 3 database (FTS5's own copy
 * of every item's text, another in items_tri) is converted in place
 * with nothing lost: the same items, found by the same words, with
 * snippets; trigram terms still find the spaceless items; the indexes
 * agree with the items (FTS5 integrity-check); and an item changed or
 * pruned afterwards leaves no stale terms behind.
 */
Test(store, version_3_database_converts_to_text_kept_once)
{
	struct fx fx;
	struct feed_doc *doc = feed_doc_new();
	struct feed_item *it;
	struct search_hit *hits;
	size_t nhits;
	char *err = NULL;
	int64_t feed, before, after;

	fx_open(&fx);
	feed = fx_feed(&fx, "a");
	for (int i = 0; i < 40; i++) {
		char *id = xasprintf("%d", i), *link = xasprintf(
		    "https://a.example/%d", i), *title = xasprintf(
		    "Story %d about compost", i);

		it = fx_item(doc, id, title, link, T0 - i);
		it->content = xasprintf("<p>%s words, <b>gardens</b> and soil"
		    " number %d, repeated to give the index some weight: %s"
		    "</p>", i % 2 ? "Unusual" : "Ordinary", i,
		    "lorem ipsum dolor sit amet consectetur adipiscing elit");
		free(id);
		free(link);
		free(title);
	}
	it = fx_item(doc, "cn", "人工智能 新闻", "https://a.example/cn", T0);
	it->summary = xstrdup("<p>大模型 发布 open weights</p>");
	fx_put(&fx, feed, doc, T0);
	feed_doc_free(doc);
	fx_downgrade_v3(&fx);
	sqlite3_exec(store_sqlite(fx.st), "VACUUM", NULL, NULL, NULL);
	before = db_bytes(&fx);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items_tri"), 1);
	store_close(fx.st);

	cr_assert_eq(store_open(fx.path, STORE_READWRITE, &fx.st, &err), 0,
	    "%s", err ? err : "?");
	cr_assert_eq(fx_count(&fx, "PRAGMA user_version"), 13);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items"), 41);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items WHERE tri"), 1);
	cr_assert_eq(sqlite3_exec(store_sqlite(fx.st), "INSERT INTO items_fts"
	    " (items_fts) VALUES ('integrity-check'); INSERT INTO items_tri"
	    " (items_tri) VALUES ('integrity-check');", NULL, NULL, NULL),
	    SQLITE_OK, "%s", sqlite3_errmsg(store_sqlite(fx.st)));
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items_fts"
	    " WHERE items_fts MATCH 'unusual'"), 20);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items_tri"
	    " WHERE items_tri MATCH '\"大模型\"'"), 1);
	cr_assert_eq(store_search(fx.st, "unusual gardens", 5, &hits, &nhits,
	    &err), 0, "%s", err ? err : "?");
	cr_assert_eq(nhits, 5);
	cr_assert(strstr(hits[0].snippet, "Unusual") != NULL, "snippet: %s",
	    hits[0].snippet);
	search_hits_free(hits, nhits);
	sqlite3_exec(store_sqlite(fx.st), "VACUUM", NULL, NULL, NULL);
	/*
	 * without what versions 5 (host holds), 6 and 8 (story grouping),
	 * 7 (render cache), 9 (the stories' order), 11 (the ids shown) and
	 * 12 (feeds by URL) add: b-trees of a page or two, which a 41-item
	 * database cannot amortize
	 */
	after = db_bytes(&fx) - fx_count(&fx, "SELECT coalesce(sum(pgsize), 0)"
	    " FROM dbstat WHERE name IN ('story_alias', 'story_alias_story',"
	    " 'story_alias_hash',"
	    " 'host_holds', 'sqlite_autoindex_host_holds_1', 'item_html',"
	    " 'sqlite_autoindex_item_html_1', 'stories_shown',"
	    " 'stories_early', 'stories_shown_id', 'feeds_url')");
	cr_assert_lt(after, before, "text kept once: %lld < %lld bytes",
	    (long long)after, (long long)before);

	/* changed in place, then pruned: the old terms go with it */
	doc = feed_doc_new();
	it = fx_item(doc, "1", "Story 1 about compost", "https://a.example/1",
	    T0 - 1);
	it->content = xstrdup("<p>Rewritten entirely: turnips</p>");
	cr_assert_eq(fx_put(&fx, feed, doc, T0 + 10).updated_items, 1);
	feed_doc_free(doc);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items_fts"
	    " WHERE items_fts MATCH 'unusual'"), 19);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items_fts"
	    " WHERE items_fts MATCH 'turnips'"), 1);
	cr_assert_eq(store_prune(fx.st, T0 + 1000, 0, 0), 41);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items"), 0);
	cr_assert_eq(sqlite3_exec(store_sqlite(fx.st), "INSERT INTO items_fts"
	    " (items_fts) VALUES ('integrity-check'); INSERT INTO items_tri"
	    " (items_tri) VALUES ('integrity-check');", NULL, NULL, NULL),
	    SQLITE_OK, "%s", sqlite3_errmsg(store_sqlite(fx.st)));
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items_fts"
	    " WHERE items_fts MATCH 'compost OR turnips OR 人工智能'"), 0);
	fx_close(&fx);
}

/*
 * -wal and -shm outlive the writer (emptied), so a reader that may not
 * create files in the folder (group feedd under systemd) can still open
 * the database while the daemon is stopped.
 */
Test(store, wal_and_index_outlive_the_writer)
{
	struct fx fx;
	struct store *ro;
	struct stat sb;
	char *wal, *shm, *err = NULL;

	fx_open(&fx);
	fx_feed(&fx, "a");
	store_close(fx.st);
	wal = th_path(fx.dir, "feedd.db-wal");
	shm = th_path(fx.dir, "feedd.db-shm");
	cr_assert_eq(stat(wal, &sb), 0, "-wal deleted at close");
	cr_assert_eq(sb.st_size, 0, "-wal kept at %lld bytes", (long long)sb.st_size);
	cr_assert_eq(stat(shm, &sb), 0, "-shm deleted at close");
	cr_assert_eq(store_open(fx.path, STORE_READONLY, &ro, &err), 0, "%s", err);
	fx.st = ro;
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM feeds"), 1);
	free(wal);
	free(shm);
	fx_close(&fx);
}

/* The status line's counts: items by first seen, alerts once written. */
Test(store, recent_counts_items_and_written_alerts_since)
{
	struct fx fx;
	struct feed_doc *doc = feed_doc_new();
	int64_t feed, items = -1, alerts = -1;

	fx_open(&fx);
	feed = fx_feed(&fx, "a");
	fx_item(doc, "1", "One", "https://a.example/1", T0);
	fx_put(&fx, feed, doc, T0 + 100);
	fx_item(doc, "2", "Two", "https://a.example/2", T0);
	fx_put(&fx, feed, doc, T0 + 200);
	cr_assert_eq(store_recent_counts(fx.st, T0, &items, &alerts), 0);
	cr_assert_eq(items, 2);
	cr_assert_eq(alerts, 0);
	cr_assert_eq(store_recent_counts(fx.st, T0 + 150, &items, &alerts), 0);
	cr_assert_eq(items, 1);
	cr_assert_eq(sqlite3_exec(store_sqlite(fx.st), "INSERT INTO alerts (rule,"
	    " story_key, fired_at, written) VALUES ('r', 'k1', 1790000300, 1),"
	    " ('r', 'k2', 1790000300, 0), ('r', 'k3', 1789000000, 1)", NULL, NULL, NULL), SQLITE_OK);
	cr_assert_eq(store_recent_counts(fx.st, T0, &items, &alerts), 0);
	cr_assert_eq(alerts, 1, "pending or older alerts counted: %lld",
	    (long long)alerts);
	feed_doc_free(doc);
	fx_close(&fx);
}
