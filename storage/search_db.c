/*
 * search_db: full-text search and `alerts --test`, with the same
 * expression language as the alert rules (config/match.h): ranked by
 * bm25 when the expression has an FTS5 form, one hit per story.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

/* A hit's snippet (?2: its item): its words around what matched the
 * FTS5 form of the expression (?1), else the start of its text. */
static sqlite3_stmt *
snippet_query(struct store *st, const struct match_expr *e)
{
	const char *fts = match_fts5(e);
	sqlite3_stmt *q;

	if (sqlite3_prepare_v2(st->db, fts ? "SELECT snippet(items_fts, -1,"
	    " '', '', '...', " SNIPPET_WORDS ") FROM items_fts WHERE"
	    " items_fts MATCH ?1 AND rowid = ?2" : "SELECT substr(body, 1,"
	    " 200) FROM items_fts WHERE rowid = ?2", -1, &q, NULL) !=
	    SQLITE_OK)
		return NULL;
	if (fts)
		sqlite3_bind_text(q, 1, fts, -1, SQLITE_STATIC);
	return q;
}

/* Item id's snippet (NULL when it has none): 0, or -1. */
static int
hit_snippet(sqlite3_stmt *snip, int64_t id, char **out)
{
	int rc;

	sqlite3_bind_int64(snip, 2, id);
	*out = (rc = sqlite3_step(snip)) == SQLITE_ROW ?
	    store_col_str(snip, 0) : NULL;
	sqlite3_reset(snip);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/*
 * The best-ranked item of each story, up to limit.  The stories
 * already hit are a spillset: a list searched for each match made a
 * search of every match of a common word quadratic.
 */
static int
collect_hits(struct store *st, sqlite3_stmt *q, sqlite3_stmt *snip,
    int limit, struct search_hit **hits, size_t *n)
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
		if (store_story_fill(st, id, &h->story) == -1 ||
		    hit_snippet(snip, id, &h->snippet) == -1)
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
	sqlite3_stmt *q = NULL, *snip = NULL;
	int rc = -1;

	*hits = NULL;
	*n = 0;
	if ((e = match_compile(query, errstr)) == NULL)
		return -1;
	if ((q = search_query(st, e)) == NULL ||
	    (snip = snippet_query(st, e)) == NULL ||
	    collect_hits(st, q, snip, limit, hits, n) == -1) {
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
	sqlite3_finalize(snip);
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
