/*
 * check: whether the database file is sound, and mending it (see
 * store.h, "A damaged database").  What is derived from the tables (the
 * indexes, the full-text indexes, the kept HTML) is rebuilt in place;
 * when the tables themselves are damaged, their readable rows are
 * copied into a new file made by the migrations, and the derived parts
 * are made again there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "storage/store_int.h"
#include "util/buf.h"
#include "util/xmalloc.h"

static const char *const fts_tables[] = { "items_fts", "items_tri" };

/* The tables that hold what feedd learned, in an order that keeps the
 * foreign keys (a row's parents first). */
static const char *const source_tables[] = { "meta", "feeds", "stories",
    "items", "story_alias", "alerts", "host_holds" };

static int
is_damage(int code)
{
	return (code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB;
}

/* A row of integrity_check may hold several lines, under a heading. */
static int
each_line(const char *msg, store_problem_fn fn, void *arg)
{
	char *copy = xstrdup(msg), *line, *save = NULL;
	int n = 0;

	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "*** in database ", 16) == 0)
			continue;
		fn(line, arg);
		n++;
	}
	free(copy);
	return n;
}

static int
check_integrity(struct store *st, store_problem_fn fn, void *arg)
{
	sqlite3_stmt *s;
	int n = 0, rc;

	/* 20 problems at the most: more say no more about what to do */
	if (sqlite3_prepare_v2(st->db, "PRAGMA integrity_check(20)", -1, &s,
	    NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *msg = (const char *)sqlite3_column_text(s, 0);

		if (msg != NULL && strcmp(msg, "ok") != 0)
			n += each_line(msg, fn, arg);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? n : -1;
}

/*
 * FTS5's own check, against the items it indexes (rank 1): 0, 1 when it
 * found damage, -1 when it could not run (another process writing the
 * file, say).
 */
static int
check_fts(struct store *st, const char *table, store_problem_fn fn,
    void *arg)
{
	char *sql = xasprintf("INSERT INTO %s (%s, rank) VALUES"
	    " ('integrity-check', 1)", table, table);
	char *msg;
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	free(sql);
	if (rc == SQLITE_OK)
		return 0;
	if (!is_damage(sqlite3_extended_errcode(st->db)))
		return -1;
	msg = xasprintf("full-text index %s: %s", table,
	    sqlite3_errmsg(st->db));
	fn(msg, arg);
	free(msg);
	return 1;
}

/*
 * The outputs' order kept in stories against what their items say
 * (STORY_ORDER_SET): 0, 1 when some differ (rows written behind the
 * store's back), -1 when it could not run.
 */
static int
check_story_order(struct store *st, store_problem_fn fn, void *arg)
{
	sqlite3_stmt *s;
	int64_t stale = -1;
	char *msg;

	if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM stories WHERE "
	    STORY_ORDER_COLS " IS NOT " STORY_ORDER_NOW, -1, &s, NULL) !=
	    SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		stale = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (stale <= 0)
		return stale == 0 ? 0 : -1;
	msg = xasprintf("story order: %lld stories out of date with their"
	    " items", (long long)stale);
	fn(msg, arg);
	free(msg);
	return 1;
}

int
store_check(struct store *st, store_problem_fn fn, void *arg)
{
	int n = check_integrity(st, fn, arg), found;

	/* a file SQLite cannot walk: the indexes' checks would say no more */
	if (n != 0)
		return n;
	for (size_t i = 0; i < sizeof(fts_tables) / sizeof(fts_tables[0]); i++) {
		if ((found = check_fts(st, fts_tables[i], fn, arg)) == -1)
			return -1;
		n += found;
	}
	if ((found = check_story_order(st, fn, arg)) == -1)
		return -1;
	return n + found;
}

int
store_file_damaged(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int rc = -1, step;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK) {
		if (sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &s,
		    NULL) != SQLITE_OK)
			rc = is_damage(sqlite3_errcode(db)) ? 1 : -1;
		else if ((step = sqlite3_step(s)) == SQLITE_ROW)
			rc = strcmp((const char *)sqlite3_column_text(s, 0),
			    "ok") != 0;
		else
			rc = is_damage(step) ? 1 : -1;
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return rc;
}

int
store_rebuild_derived(struct store *st)
{
	static const char sql[] =
	    "REINDEX;"
	    "INSERT INTO items_fts (items_fts) VALUES ('rebuild');"
	    "INSERT INTO items_tri (items_tri) VALUES ('rebuild');"
	    "DELETE FROM item_html;"
	    "UPDATE stories SET" STORY_ORDER_SET ";";

	if (store_begin(st) == -1)
		return is_damage(sqlite3_extended_errcode(st->db)) ? 1 : -1;
	if (store_exec(st, sql) == 0 && store_commit(st) == 0)
		return 0;
	store_rollback(st);		/* keeps the cause in st->rb */
	return is_damage(st->rb.code) ? 1 : -1;
}

/* ---- salvage ---- */

/* "\"a\", \"b\"": table's columns in db (the damaged file has the
 * same ones: the same schema version). */
static char *
column_list(sqlite3 *db, const char *table, int *ncols)
{
	char *sql, *out = NULL;
	sqlite3_stmt *s;

	sql = sqlite3_mprintf("SELECT group_concat('\"' || name || '\"',"
	    " ', '), count(*) FROM pragma_table_info(%Q)", table);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0)) {
			out = xstrdup((const char *)sqlite3_column_text(s, 0));
			*ncols = sqlite3_column_int(s, 1);
		}
		sqlite3_finalize(s);
	}
	sqlite3_free(sql);
	return out;
}

/*
 * One table's copy: rows read on the damaged file's own connection, so
 * its errors (SQLite may end a transaction on SQLITE_CORRUPT) never
 * touch the new file's transaction.
 */
struct copier {
	sqlite3	*to;
	sqlite3_stmt *read;		/* row ?1 of the damaged table */
	sqlite3_stmt *write;		/* one row into the new one */
	int	 ncols;
	int64_t	 kept, lost;
};

/* What read finds into write: SQLITE_DONE, the read's error, or -1
 * when the new file failed. */
static int
copy_rows(struct copier *c)
{
	int rc;

	while ((rc = sqlite3_step(c->read)) == SQLITE_ROW) {
		sqlite3_reset(c->write);
		for (int i = 0; i < c->ncols; i++)
			sqlite3_bind_value(c->write, i + 1,
			    sqlite3_column_value(c->read, i));
		if (sqlite3_step(c->write) != SQLITE_DONE)
			return -1;
		c->kept += sqlite3_changes(c->to);
	}
	return rc;
}

/* Copies row id; a row that cannot be read is lost. */
static int
copy_row(struct copier *c, int64_t id)
{
	int rc;

	sqlite3_reset(c->read);
	sqlite3_bind_int64(c->read, 1, id);
	rc = copy_rows(c);
	sqlite3_reset(c->read);
	if (rc == -1)
		return -1;
	if (rc != SQLITE_DONE)
		c->lost++;
	return 0;
}

struct rowids {
	int64_t	*v;
	size_t	 n, cap;
};

static int
cmp_rowid(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Sorted, once each: the sources mostly list the same rows, so this
 * after each keeps memory near 8 bytes a row. */
static void
rowids_unique(struct rowids *ids)
{
	size_t k = 0;

	if (ids->n > 0)
		qsort(ids->v, ids->n, sizeof(*ids->v), cmp_rowid);
	for (size_t i = 0; i < ids->n; i++)
		if (k == 0 || ids->v[i] != ids->v[k - 1])
			ids->v[k++] = ids->v[i];
	ids->n = k;
}

/* The rowids sql lists, until the end or the first error. */
static void
rowids_add(sqlite3 *db, const char *sql, struct rowids *ids)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return;		/* a partial index cannot be scanned whole */
	while (sqlite3_step(s) == SQLITE_ROW) {
		ids->v = xgrow(ids->v, ids->n, &ids->cap, sizeof(*ids->v));
		ids->v[ids->n++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	rowids_unique(ids);
}

/*
 * Every rowid of table that the table itself or any of its indexes
 * still lists, sorted, once each (rowids_add).  A scan of the table stops (or reads
 * on past rows it never returns) at a damaged page; an index is other
 * pages, which name the rows on and after it.
 */
static void
rowids_collect(sqlite3 *db, const char *table, struct rowids *ids)
{
	char *sql = sqlite3_mprintf("SELECT rowid FROM \"%w\"", table);
	sqlite3_stmt *idx;

	rowids_add(db, sql, ids);
	sqlite3_free(sql);
	sql = sqlite3_mprintf("SELECT name FROM pragma_index_list(%Q)", table);
	if (sqlite3_prepare_v2(db, sql, -1, &idx, NULL) == SQLITE_OK) {
		while (sqlite3_step(idx) == SQLITE_ROW) {
			char *scan = sqlite3_mprintf("SELECT rowid FROM \"%w\""
			    " INDEXED BY \"%w\"", table,
			    (const char *)sqlite3_column_text(idx, 0));

			rowids_add(db, scan, ids);
			sqlite3_free(scan);
		}
		sqlite3_finalize(idx);
	}
	sqlite3_free(sql);
}

static int
copy_table(struct copier *c, sqlite3 *from, const char *table,
    struct store_salvaged *out)
{
	struct rowids ids = { NULL, 0, 0 };
	int rc = 0;

	rowids_collect(from, table, &ids);
	for (size_t i = 0; rc == 0 && i < ids.n; i++)
		rc = copy_row(c, ids.v[i]);
	out->kept = c->kept;
	out->lost = c->lost;
	free(ids.v);
	return rc;
}

/* table from the damaged file (from) into the new one (to's store). */
static int
salvage_table(struct store *to, sqlite3 *from, const char *table,
    struct store_salvaged *out)
{
	struct copier c = { to->db, NULL, NULL, 0, 0, 0 };
	char *cols = column_list(to->db, table, &c.ncols), *rsql, *wsql;
	char *marks;
	struct buf b;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	out->table = table;
	if (cols == NULL)
		return -1;
	buf_init(&b, 0);
	for (int i = 0; i < c.ncols; i++)
		buf_puts(&b, i ? ", ?" : "?");
	marks = buf_detach(&b);
	rsql = sqlite3_mprintf("SELECT %s FROM \"%w\" WHERE rowid = ?1", cols,
	    table);
	wsql = sqlite3_mprintf("INSERT OR IGNORE INTO \"%w\" (%s) VALUES"
	    " (%s)", table, cols, marks);
	if (sqlite3_prepare_v2(to->db, wsql, -1, &c.write, NULL) !=
	    SQLITE_OK)
		goto out;
	if (sqlite3_prepare_v2(from, rsql, -1, &c.read, NULL) != SQLITE_OK) {
		/* its schema row is unreadable or gone: nothing to copy */
		out->unreadable = 1;
		rc = 0;
		goto out;
	}
	rc = copy_table(&c, from, table, out);
out:
	sqlite3_finalize(c.read);
	sqlite3_finalize(c.write);
	sqlite3_free(rsql);
	sqlite3_free(wsql);
	free(marks);
	free(cols);
	return rc;
}

/*
 * Items whose story row was lost get one again, keyed as story_for
 * keys a new story (their first item's canonical link, else its
 * "item:FEED:KEY"), dated by that item; rows whose parent is still
 * missing go, or they would fail the foreign keys.  Every feed is then
 * fetched in full at the next poll (no validators, no body hash, due
 * now), so what their documents still carry of lost items is stored
 * again.
 */
#define SALVAGE_STORY(key) \
	"INSERT OR IGNORE INTO stories (id, key, first_seen, sort_time)" \
	" SELECT story_id, " key ", first_seen, CASE WHEN" \
	" coalesce(published, updated, first_seen) > first_seen THEN" \
	" first_seen ELSE coalesce(published, updated, first_seen) END" \
	" FROM (SELECT story_id, min(id), canon, feed_id, key, first_seen," \
	" published, updated FROM items WHERE story_id NOT IN" \
	" (SELECT id FROM stories) GROUP BY story_id);"

static const char salvage_finish_sql[] =
    SALVAGE_STORY("coalesce(canon, 'item:' || feed_id || ':' || key)")
    SALVAGE_STORY("'item:' || feed_id || ':' || key")
    "DELETE FROM items WHERE feed_id NOT IN (SELECT id FROM feeds)"
    " OR story_id NOT IN (SELECT id FROM stories);"
    "DELETE FROM story_alias WHERE story_id NOT IN (SELECT id FROM stories);"
    "DELETE FROM stories WHERE id NOT IN (SELECT story_id FROM items);"
    "UPDATE stories SET" STORY_ORDER_SET ";"
    "UPDATE feeds SET etag = NULL, last_modified = NULL, body_hash = NULL,"
    " next_due = 0;";

static int64_t
table_rows(sqlite3 *db, const char *table)
{
	char *sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\"", table);
	sqlite3_stmt *s;
	int64_t n = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			n = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_free(sql);
	return n;
}

static int
salvage_all(struct store *st, sqlite3 *from, struct store_salvaged *tables,
    size_t *ntables)
{
	if (store_begin(st) == -1)
		return -1;
	if (store_exec(st, "DELETE FROM meta") == -1)
		goto fail;
	for (size_t i = 0; i < sizeof(source_tables) /
	    sizeof(source_tables[0]); i++) {
		if (salvage_table(st, from, source_tables[i], &tables[i]) == -1)
			goto fail;
		(*ntables)++;
	}
	if (store_exec(st, salvage_finish_sql) == -1)
		goto fail;
	for (size_t i = 0; i < *ntables; i++)
		tables[i].dropped = tables[i].kept -
		    table_rows(st->db, tables[i].table);
	if (store_commit(st) == 0)
		return 0;
fail:
	store_rollback(st);
	return -1;
}

int
store_salvage(const char *damaged, const char *fresh,
    struct store_salvaged *tables, size_t *ntables, char **errstr)
{
	struct store *st;
	sqlite3 *from = NULL;
	int rc = -1;

	*ntables = 0;
	if (sqlite3_open_v2(damaged, &from, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		*errstr = xasprintf("%s: %s", damaged, from ?
		    sqlite3_errmsg(from) : "out of memory");
		sqlite3_close(from);
		return -1;
	}
	if (store_open(fresh, STORE_READWRITE, &st, errstr) == -1) {
		sqlite3_close(from);
		return -1;
	}
	if (store_exec(st, "PRAGMA foreign_keys = OFF") == 0 &&
	    salvage_all(st, from, tables, ntables) == 0 &&
	    store_exec(st, "PRAGMA foreign_keys = ON") == 0 &&
	    store_rebuild_derived(st) == 0)
		rc = 0;
	if (rc == -1)
		*errstr = xstrdup(store_errmsg(st));
	store_close(st);
	sqlite3_close(from);
	return rc;
}
