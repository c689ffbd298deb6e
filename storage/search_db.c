/*
 * search_db: full-text search and `alerts --test`, with the same
 * expression language as the alert rules (config/match.h): ranked by
 * bm25 when the expression has an FTS5 form, one hit per story.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/spillset.h"
#include "util/xmalloc.h"
#include "storage/store_int.h"

#define SNIPPET_WORDS "24"

void
search_hits_free(struct search_hit *hits, size_t n)
{
	for (size_t i = 0; hits && i < n; i++) {
		store_story_cleanup(&hits[i].story);
		free(hits[i].snippet);
	}
	free(hits);
}

static void
bind_params(sqlite3_stmt *q, const struct match_expr *e)
{
	for (size_t i = 0; i < match_nparams(e); i++)
		sqlite3_bind_text(q, (int)i + 1, match_param(e, i), -1,
		    SQLITE_STATIC);
}

/*
 * The matching items' ids and stories, ranked when FTS5 can take the
 * whole expression, else newest first.  Of equal rank and date, the
 * first item: a story's first stands for it, as in `stories`, and two
 * runs agree.  Without their snippets: a snippet makes the item's text
 * again from its HTML (feedd_body), and asked for here it was made for
 * every match before the sort, not for the hits kept ("open" on a
 * 10,000-feed store, 13,222 matches, took 1.3 s for 20 hits).
 */
static sqlite3_stmt *
search_query(struct store *st, const struct match_expr *e)
{
	const char *fts = match_fts5(e);
	sqlite3_stmt *q = NULL;
	char *sql;

	if (fts)
		sql = xstrdup("SELECT i.id, i.story_id FROM items_fts"
		    " JOIN items i ON i.id = items_fts.rowid"
		    " WHERE items_fts MATCH ? ORDER BY bm25(items_fts),"
		    " coalesce(i.published, i.updated, i.first_seen) DESC,"
		    " i.id");
	else
		sql = xasprintf("SELECT id, story_id FROM items WHERE (%s)"
		    " ORDER BY coalesce(published, updated, first_seen) DESC,"
		    " id DESC", match_sql(e));
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		q = NULL;
	else if (fts)
		sqlite3_bind_text(q, 1, fts, -1, SQLITE_STATIC);
	else
		bind_params(q, e);
	free(sql);
	return q;
}

/*
 * The hits' snippets: their words around what matched the FTS5 form of
 * the expression, in one statement over the hits' rows.  A statement
 * per hit (MATCH ? AND rowid = ?) made FTS5 expand a prefix over the
 * whole index for each: "a*" cost 220 ms a hit on a 10,000-feed store.
 * The + keeps the IN list from FTS5, which would run once per id.
 */
static sqlite3_stmt *
snippets_query(struct store *st, const char *fts, struct search_hit *hits,
    size_t n, char **ids)
{
	sqlite3_stmt *q;
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	struct buf b;

	buf_init(&b, 0);
	buf_putc(&b, '[');
	for (size_t i = 0; i < n; i++) {
		int64_t id = hits[i].story.item_id;

		buf_printf(&b, "%s%lld", i ? "," : "", (long long)id);
		lo = id < lo ? id : lo;
		hi = id > hi ? id : hi;
	}
	buf_putc(&b, ']');
	*ids = buf_detach(&b);
	if (sqlite3_prepare_v2(st->db, "SELECT rowid, snippet(items_fts, -1,"
	    " '', '', '...', " SNIPPET_WORDS ") FROM items_fts WHERE"
	    " items_fts MATCH ?1 AND rowid BETWEEN ?2 AND ?3 AND +rowid IN"
	    " (SELECT value FROM json_each(?4))", -1, &q, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(q, 1, fts, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, lo);
	sqlite3_bind_int64(q, 3, hi);
	sqlite3_bind_text(q, 4, *ids, -1, SQLITE_STATIC);
	return q;
}

static int
by_item_id(const void *a, const void *b)
{
	int64_t x = (*(struct search_hit *const *)a)->story.item_id;
	int64_t y = (*(struct search_hit *const *)b)->story.item_id;

	return (x > y) - (x < y);
}

/* Gives each of the n hits the snippet of the statement's row for its
 * item; hits are looked up by item id through a sorted index. */
static int
take_snippets(sqlite3_stmt *q, struct search_hit *hits, size_t n)
{
	struct search_hit **by_id = xreallocarray(NULL, n, sizeof(*by_id));
	int rc;

	for (size_t i = 0; i < n; i++)
		by_id[i] = &hits[i];
	qsort(by_id, n, sizeof(*by_id), by_item_id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct search_hit key, *keyp = &key, **h;

		key.story.item_id = sqlite3_column_int64(q, 0);
		h = bsearch(&keyp, by_id, n, sizeof(*by_id), by_item_id);
		if (h != NULL && (*h)->snippet == NULL)
			(*h)->snippet = store_col_str(q, 1);
	}
	free(by_id);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Without an FTS5 form: the start of each hit's text. */
static int
text_starts(struct store *st, struct search_hit *hits, size_t n)
{
	sqlite3_stmt *q;
	int rc = SQLITE_DONE;

	if (sqlite3_prepare_v2(st->db, "SELECT substr(body, 1, 200) FROM"
	    " items_fts WHERE rowid = ?", -1, &q, NULL) != SQLITE_OK)
		return -1;
	for (size_t i = 0; i < n && rc != SQLITE_ERROR; i++) {
		sqlite3_bind_int64(q, 1, hits[i].story.item_id);
		if ((rc = sqlite3_step(q)) == SQLITE_ROW)
			hits[i].snippet = store_col_str(q, 0);
		else if (rc != SQLITE_DONE)
			rc = SQLITE_ERROR;
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
	return rc == SQLITE_ERROR ? -1 : 0;
}

static int
fill_snippets(struct store *st, const struct match_expr *e,
    struct search_hit *hits, size_t n)
{
	const char *fts = match_fts5(e);
	sqlite3_stmt *q;
	char *ids = NULL;
	int rc;

	if (n == 0)
		return 0;
	if (fts == NULL)
		return text_starts(st, hits, n);
	q = snippets_query(st, fts, hits, n, &ids);
	rc = q ? take_snippets(q, hits, n) : -1;
	sqlite3_finalize(q);
	free(ids);
	return rc;
}

/*
 * The best-ranked item of each story, up to limit.  The stories
 * already hit are a spillset: a list searched for each match made a
 * search of every match of a common word quadratic.
 */
static int
collect_hits(struct store *st, sqlite3_stmt *q, int limit,
    struct search_hit **hits, size_t *n)
{
	struct spillset *stories = spillset_new(0);
	size_t cap = 0;
	int rc = SQLITE_DONE, fresh;

	while ((limit <= 0 || *n < (size_t)limit) &&
	    (rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(q, 0);
		struct search_hit *h;

		/* story ids are 1 and up: none is spillset's key 0 */
		fresh = spillset_add(stories,
		    (uint64_t)sqlite3_column_int64(q, 1));
		if (fresh == 1)
			continue;
		rc = SQLITE_ERROR;
		if (fresh == -1) {
			st->io_errno = errno;
			break;
		}
		*hits = xgrow(*hits, *n, &cap, sizeof(**hits));
		h = &(*hits)[*n];
		memset(h, 0, sizeof(*h));
		(*n)++;
		if (store_story_fill(st, id, &h->story) == -1)
			break;
		rc = SQLITE_ROW;
	}
	spillset_free(stories);
	/* ROW: the limit was reached */
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int
store_search(struct store *st, const char *query, int limit,
    struct search_hit **hits, size_t *n, char **errstr)
{
	struct match_expr *e;
	sqlite3_stmt *q = NULL;
	int rc = -1;

	*hits = NULL;
	*n = 0;
	if ((e = match_compile(query, errstr)) == NULL)
		return -1;
	if ((q = search_query(st, e)) == NULL ||
	    collect_hits(st, q, limit, hits, n) == -1 ||
	    fill_snippets(st, e, *hits, *n) == -1) {
		/* the query compiled: the database failed, not the words */
		*errstr = xstrdup(store_errmsg(st));
		rc = -2;
		search_hits_free(*hits, *n);
		*hits = NULL;
		*n = 0;
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(q);
	match_free(e);
	return rc;
}

int
store_match_test(struct store *st, const struct match_expr *e, int limit,
    struct story_row **rows, size_t *n)
{
	char *sql = xasprintf("SELECT " STORY_REP("s") " FROM stories s"
	    " WHERE s.id IN (SELECT story_id FROM items WHERE (%s))"
	    " ORDER BY " STORY_NEWEST, match_sql(e));
	sqlite3_stmt *q = NULL;
	int rc = -1;

	*rows = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		goto out;
	bind_params(q, e);
	rc = store_stories_collect(st, q, limit, rows, n);
out:
	sqlite3_finalize(q);
	free(sql);
	return rc;
}
