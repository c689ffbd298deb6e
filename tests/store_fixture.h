/*
 * store_fixture: what the storage suites share (header-only, static):
 * a temporary database and documents built item by item.
 */
#ifndef FEEDD_STORE_FIXTURE_H
#define FEEDD_STORE_FIXTURE_H

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "config/config.h"
#include "feeds/feed.h"
#include "feeds/url.h"
#include "storage/store.h"
#include "tests/helpers.h"

struct fx {
	char	*dir;
	char	*path;
	struct store *st;
};

/* A store on an empty file: store_open migrates it from nothing. */
static inline void
fx_open_new(struct fx *fx)
{
	char *err = NULL;

	fx->dir = th_tmpdir();
	fx->path = th_path(fx->dir, "feedd.db");
	cr_assert_eq(store_open(fx->path, STORE_READWRITE, &fx->st, &err), 0,
	    "open: %s", err ? err : "?");
}

/* A store on a new database (th_db_new: migrated once per run). */
static inline void
fx_open(struct fx *fx)
{
	char *err = NULL;

	fx->dir = th_tmpdir();
	fx->path = th_path(fx->dir, "feedd.db");
	th_db_new(fx->path);
	cr_assert_eq(store_open(fx->path, STORE_READWRITE, &fx->st, &err), 0,
	    "open: %s", err ? err : "?");
}

static inline void
fx_close(struct fx *fx)
{
	store_close(fx->st);
	th_rmdir(fx->dir);
	free(fx->dir);
	free(fx->path);
}

/*
 * The new database of the config at conf (which the real binary then
 * reads), with its feeds: the config in *cfg, feed's row in *f.
 */
static inline struct store *
fx_config_store(const char *conf, const char *feed, struct config **cfg,
    struct feed_row *f)
{
	struct config_errors errs = { 0 };
	struct store *st;
	char *err = NULL;

	*cfg = config_load(conf, &errs);
	cr_assert_not_null(*cfg, "%s", errs.n ? errs.msgs[0] : "?");
	th_db_new((*cfg)->database);
	cr_assert_eq(store_open((*cfg)->database, STORE_READWRITE, &st,
	    &err), 0, "open: %s", err ? err : "?");
	cr_assert_eq(store_sync_feeds(st, *cfg), 0);
	cr_assert_eq(store_feed_get(st, feed, f), 0);
	return st;
}

/* store_feed_fn: a stored feed into the config fx_feed makes (its
 * name and URL taken). */
static inline int
fx_keep_feed(struct feed_row *row, void *arg)
{
	struct config *cfg = arg;
	struct feed_conf *fc;

	cfg->feeds = xreallocarray(cfg->feeds, cfg->nfeeds + 2,
	    sizeof(*cfg->feeds));
	fc = &cfg->feeds[cfg->nfeeds++];
	memset(fc, 0, sizeof(*fc));
	fc->def.name = row->name;
	fc->url = row->url;
	row->name = row->url = NULL;
	return 0;
}

/* Adds (or finds) feed NAME by syncing a one-off config; its id. */
static inline int64_t
fx_feed(struct fx *fx, const char *name)
{
	struct feed_row row;
	int64_t id;

	if (store_feed_get(fx->st, name, &row) != 0) {
		struct config cfg;
		struct feed_conf *fc;
		size_t n;

		/* keep the feeds already there active: list them too */
		memset(&cfg, 0, sizeof(cfg));
		cr_assert_eq(store_feeds_each(fx->st, fx_keep_feed, &cfg), 0);
		n = cfg.nfeeds;
		cfg.feeds = xreallocarray(cfg.feeds, n + 1, sizeof(*cfg.feeds));
		fc = cfg.feeds;
		memset(&fc[n], 0, sizeof(fc[n]));
		fc[n].def.name = (char *)name;
		fc[n].url = xasprintf("https://%s.example/feed", name);
		cfg.nfeeds = n + 1;
		cr_assert_eq(store_sync_feeds(fx->st, &cfg), 0, "%s",
		    store_errmsg(fx->st));
		for (size_t i = 0; i < n; i++)
			free(fc[i].def.name);
		for (size_t i = 0; i <= n; i++)
			free(fc[i].url);
		free(fc);
		cr_assert_eq(store_feed_get(fx->st, name, &row), 0);
	}
	id = row.id;
	feed_row_cleanup(&row);
	return id;
}

static inline struct feed_item *
fx_item(struct feed_doc *doc, const char *id, const char *title,
    const char *link, int64_t published)
{
	struct feed_item *it = feed_doc_add_item(doc);

	it->id = id ? xstrdup(id) : NULL;
	it->title = title ? xstrdup(title) : NULL;
	it->link = link ? xstrdup(link) : NULL;
	it->published = published;
	return it;
}

static inline struct store_put_result
fx_put(struct fx *fx, int64_t feed, const struct feed_doc *doc, int64_t now)
{
	struct store_put_result res;
	char *err = NULL;

	cr_assert_eq(store_put_doc(fx->st, feed, doc, now, &res, &err), 0,
	    "put_doc: %s", err ? err : "?");
	return res;
}

/* Runs the SQL that takes the open store's database back a version. */
static inline void
fx_downgrade_sql(struct fx *fx, const char *sql)
{
	char *err = NULL;

	cr_assert_eq(sqlite3_exec(store_sqlite(fx->st), sql, NULL, NULL, &err),
	    SQLITE_OK, "downgrade: %s", err ? err : "?");
}

/*
 * Back to schema version 8: items without content_base, the render
 * cache's trigger as before (version 13), feeds without their index by
 * URL (version 12), stories without the ids the outputs gave them (version 11), the
 * word index with FTS5's own automerge (version 10), and stories
 * without their kept place in the outputs' order, nor its indexes
 * (version 9).
 */
#define FX_DOWNGRADE_V8_SQL \
	"DROP TRIGGER item_html_stale;" \
	"ALTER TABLE items DROP COLUMN content_base;" \
	"CREATE TRIGGER item_html_stale AFTER UPDATE OF feed_id, story_id," \
	" entry_id, title, link, author, summary, content, categories," \
	" published, updated, first_seen, enclosures, story_why ON items" \
	" BEGIN DELETE FROM item_html WHERE id = old.id; END;" \
	"DROP INDEX feeds_url;" \
	"DROP INDEX stories_shown_id;" \
	"ALTER TABLE stories DROP COLUMN shown_id;" \
	"ALTER TABLE stories DROP COLUMN shown_id_hash;" \
	"DELETE FROM items_fts_config WHERE k = 'automerge';" \
	"DROP INDEX stories_shown; DROP INDEX stories_early;" \
	"ALTER TABLE stories DROP COLUMN first_item;" \
	"ALTER TABLE stories DROP COLUMN nitems;" \
	"ALTER TABLE stories DROP COLUMN newest_seen;" \
	"ALTER TABLE stories DROP COLUMN shown_at;" \
	"ALTER TABLE stories DROP COLUMN shown_at_early;" \
	"ALTER TABLE stories DROP COLUMN early_until;" \
	"PRAGMA user_version = 8;"

static inline void
fx_downgrade_v8(struct fx *fx)
{
	fx_downgrade_sql(fx, FX_DOWNGRADE_V8_SQL);
}

/*
 * Back to schema version 7: story_alias keyed by the hash as its rowid
 * (version 8 appends its rows and indexes the hash), same aliases.
 */
static inline void
fx_downgrade_v7(struct fx *fx)
{
	fx_downgrade_v8(fx);
	fx_downgrade_sql(fx,
	    "CREATE TABLE story_alias_v7 (hash INTEGER PRIMARY KEY,"
	    " key TEXT NOT NULL, story_id INTEGER NOT NULL"
	    " REFERENCES stories (id));"
	    "INSERT INTO story_alias_v7 SELECT hash, key, story_id"
	    " FROM story_alias;"
	    "DROP TABLE story_alias;"
	    "ALTER TABLE story_alias_v7 RENAME TO story_alias;"
	    "CREATE INDEX story_alias_story ON story_alias (story_id);"
	    "PRAGMA user_version = 7;");
}

/*
 * Back to schema version 6: no render cache (item_html and its
 * triggers) and items_story instead of items_story_dates (version 7).
 */
static inline void
fx_downgrade_v6(struct fx *fx)
{
	fx_downgrade_v7(fx);
	fx_downgrade_sql(fx,
	    "DROP TRIGGER item_html_gone; DROP TRIGGER item_html_stale;"
	    "DROP TABLE item_html; DROP INDEX items_story_dates;"
	    "CREATE INDEX items_story ON items (story_id, id);"
	    "PRAGMA user_version = 6;");
}

/*
 * Turns the open store's current database back into what schema
 * version 5 had: no story_why, no story_alias (version 6, story
 * grouping), with the same items.
 */
static inline void
fx_downgrade_v5(struct fx *fx)
{
	fx_downgrade_v6(fx);
	fx_downgrade_sql(fx,
	    "ALTER TABLE items DROP COLUMN story_why;"
	    "DROP TABLE story_alias;"
	    "PRAGMA user_version = 5;");
}

/*
 * Back to schema version 4: nor host_holds or feeds.due_by_server
 * (version 5), with the same feeds and items.
 */
static inline void
fx_downgrade_v4(struct fx *fx)
{
	fx_downgrade_v5(fx);
	fx_downgrade_sql(fx,
	    "DROP TABLE host_holds;"
	    "ALTER TABLE feeds DROP COLUMN due_by_server;"
	    "PRAGMA user_version = 4;");
}

/*
 * Turns the open store's current database back into what schema
 * version 3 had (its own copies of the text in items_fts, split where
 * the script changes for spaceless items, and in items_tri; no
 * items.tri), with the same items: a real old database to migrate.
 */
static inline void
fx_downgrade_v3(struct fx *fx)
{
	fx_downgrade_v4(fx);
	fx_downgrade_sql(fx,
	    "CREATE TEMP TABLE tri_ids AS SELECT id FROM items WHERE tri = 1;"
	    "DROP TABLE items_fts; DROP TABLE items_tri;"
	    "DROP VIEW items_text; DROP VIEW items_tri_text;"
	    "DROP INDEX items_tri_ids; ALTER TABLE items DROP COLUMN tri;"
	    "CREATE VIRTUAL TABLE items_fts USING fts5 (title, body,"
	    " tokenize = 'unicode61 remove_diacritics 2');"
	    "CREATE VIRTUAL TABLE items_tri USING fts5 (text,"
	    " tokenize = 'trigram');"
	    "INSERT INTO items_fts (rowid, title, body) SELECT id,"
	    " coalesce(title, ''), feedd_body(summary, content) FROM items"
	    " WHERE id NOT IN temp.tri_ids;"
	    "INSERT INTO items_fts (rowid, title, body) SELECT id,"
	    " feedd_split_scripts(coalesce(title, '')),"
	    " feedd_split_scripts(feedd_body(summary, content)) FROM items"
	    " WHERE id IN temp.tri_ids;"
	    "INSERT INTO items_tri (rowid, text) SELECT id, coalesce(title, '')"
	    " || ' ' || feedd_body(summary, content) FROM items"
	    " WHERE id IN temp.tri_ids;"
	    "DROP TABLE temp.tri_ids;"
	    "PRAGMA user_version = 3;");
}

/* A number from one SQL query over the store. */
static inline int64_t
fx_count(struct fx *fx, const char *sql)
{
	sqlite3_stmt *s;
	int64_t v = -1;

	cr_assert_eq(sqlite3_prepare_v2(store_sqlite(fx->st), sql, -1, &s,
	    NULL), SQLITE_OK, "%s", sql);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* The VM steps of the statements whose SQL starts with prefix, counted
 * while fx_trace_steps traces. */
struct fx_steps {
	const char *prefix;
	int	 steps;
};

static inline int
fx_prefix_steps(unsigned mask, void *arg, void *p, void *x)
{
	struct fx_steps *c = arg;
	sqlite3_stmt *q = p;

	(void)mask;
	(void)x;
	if (strncmp(sqlite3_sql(q), c->prefix, strlen(c->prefix)) == 0)
		c->steps += sqlite3_stmt_status(q, SQLITE_STMTSTATUS_VM_STEP,
		    0);
	return 0;
}

/* Traces c's statements (NULL: stops tracing). */
static inline void
fx_trace_steps(struct fx *fx, struct fx_steps *c)
{
	sqlite3_trace_v2(store_sqlite(fx->st), c ? SQLITE_TRACE_PROFILE : 0,
	    c ? fx_prefix_steps : NULL, c);
}
#endif
