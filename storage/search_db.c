/*
 * search_db: full-text search and `alerts --test`, with the same
 * expression language as the alert rules (config/match.h): ranked by
 * bm25 when the expression has an FTS5 form, one hit per story.
 */
#include <stdlib.h>
#include <string.h>

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
 * Ranked when FTS5 can take the whole expression, else newest first.
 * Of equal rank and date, the first item: a story's first stands for it,
 * as in `stories`, and two runs agree.
 */
static sqlite3_stmt *
search_query(struct store *st, const struct match_expr *e)
{
	const char *fts = match_fts5(e);
	sqlite3_stmt *q = NULL;
	char *sql;

	if (fts)
		sql = xstrdup("SELECT i.id, i.story_id, snippet(items_fts, -1,"
		    " '', '', '...', " SNIPPET_WORDS ") FROM items_fts"
		    " JOIN items i ON i.id = items_fts.rowid"
		    " WHERE items_fts MATCH ? ORDER BY bm25(items_fts),"
		    " coalesce(i.published, i.updated, i.first_seen) DESC,"
		    " i.id");
	else
		sql = xasprintf("SELECT id, story_id, (SELECT substr(body, 1,"
		    " 200) FROM items_fts WHERE rowid = items.id) FROM items"
		    " WHERE (%s) ORDER BY coalesce(published, updated,"
		    " first_seen) DESC, id DESC", match_sql(e));
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		q = NULL;
	else if (fts)
		sqlite3_bind_text(q, 1, fts, -1, SQLITE_STATIC);
	else
		bind_params(q, e);
	free(sql);
	return q;
}

static int
seen(const struct search_hit *hits, size_t n, int64_t story)
{
	for (size_t i = 0; i < n; i++)
		if (hits[i].story.story_id == story)
			return 1;
	return 0;
}

/* The best-ranked item of each story, up to limit. */
static int
collect_hits(struct store *st, sqlite3_stmt *q, int limit,
    struct search_hit **hits, size_t *n)
{
	size_t cap = 0;
	int rc;

	while ((limit <= 0 || *n < (size_t)limit) &&
	    (rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct search_hit *h;

		if (seen(*hits, *n, sqlite3_column_int64(q, 1)))
			continue;
		*hits = xgrow(*hits, *n, &cap, sizeof(**hits));
		h = &(*hits)[*n];
		if (store_story_fill(st, sqlite3_column_int64(q, 0),
		    &h->story) == -1)
			return -1;
		h->snippet = store_col_str(q, 2);
		(*n)++;
	}
	return limit > 0 && *n == (size_t)limit ? 0 :
	    rc == SQLITE_DONE ? 0 : -1;
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
	    collect_hits(st, q, limit, hits, n) == -1) {
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
