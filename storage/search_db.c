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

static void
hit_cleanup(struct search_hit *h)
{
	store_story_cleanup(&h->story);
	free(h->snippet);
	memset(h, 0, sizeof(*h));
}

void
search_hits_free(struct search_hit *hits, size_t n)
{
	for (size_t i = 0; hits && i < n; i++)
		hit_cleanup(&hits[i]);
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
 * The ids of the best-ranked item of each story, up to limit (<= 0:
 * all); resets q.  The stories already hit are a spillset: a list
 * searched for each match made a search of every match of a common
 * word quadratic.  Only ids, and q's read transaction over before the
 * hits are handed on: as store_stories_walk.
 */
static int
hit_ids(struct store *st, sqlite3_stmt *q, int limit, int64_t **ids,
    size_t *n)
{
	struct spillset *stories = spillset_new(0);
	size_t	 cap = 0;
	int	 rc = SQLITE_DONE, fresh;

	while ((limit <= 0 || *n < (size_t)limit) &&
	    (rc = sqlite3_step(q)) == SQLITE_ROW) {
		/* story ids are 1 and up: none is spillset's key 0 */
		fresh = spillset_add(stories,
		    (uint64_t)sqlite3_column_int64(q, 1));
		if (fresh == 1)
			continue;
		if (fresh == -1) {
			st->io_errno = errno;
			rc = SQLITE_ERROR;
			break;
		}
		*ids = xgrow(*ids, *n, &cap, sizeof(**ids));
		(*ids)[(*n)++] = sqlite3_column_int64(q, 0);
	}
	sqlite3_reset(q);
	spillset_free(stories);
	/* ROW: the limit was reached */
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Fills hits (zeroed) from ids, those still stored: 0 or -1. */
static int
fill_hits(struct store *st, const int64_t *ids, size_t nids,
    struct search_hit *hits, size_t *n)
{
	int rc = 0;

	*n = 0;
	for (size_t k = 0; k < nids && rc != -1; k++)
		if ((rc = store_story_fill(st, ids[k], STORY_LISTED,
		    &hits[*n].story)) == 0)
			(*n)++;
	return rc == -1 ? -1 : 0;
}

/*
 * Hits are filled, given their snippets (one statement for them all)
 * and handed on in batches: the memory of a search of a common word
 * does not grow with its matches (`search the` over the 10,000-feed
 * bench store, 310,000 hits, took 572 MB collected whole).  A batch's
 * snippet statement costs about as much as a whole one ("a*" expands
 * over the index each time: 0.12 s there), so batches double from
 * the first, which a short --limit fills, up to HIT_BATCH_MAX.
 */
#define HIT_BATCH_MIN	256
#define HIT_BATCH_MAX	16384

/* Hands hits to fn (none when NULL) and empties them: 0, or -1 when
 * fn stopped. */
static int
hand_hits(struct search_hit *hits, size_t n, store_hit_fn fn, void *arg)
{
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		if (rc == 0 && fn != NULL)
			rc = fn(&hits[i], arg);
		hit_cleanup(&hits[i]);
	}
	return rc;
}

/* store_search_each once e compiled: 0, or -1 (the database's error). */
static int
search_each(struct store *st, const struct match_expr *e, int limit,
    store_hit_fn fn, void *arg)
{
	struct search_hit *hits = NULL;
	sqlite3_stmt *q = search_query(st, e);
	int64_t	*ids = NULL;
	size_t	 nids = 0, n, done = 0, batch = 0;
	int	 rc = q != NULL ? hit_ids(st, q, limit, &ids, &nids) : -1, began;

	while (rc == 0 && done < nids) {
		batch = batch == 0 ? HIT_BATCH_MIN : batch < HIT_BATCH_MAX ?
		    batch * 2 : batch;
		if (batch > nids - done)
			batch = nids - done;
		hits = xreallocarray(hits, batch, sizeof(*hits));
		memset(hits, 0, batch * sizeof(*hits));
		began = store_read_begin(st);
		rc = fill_hits(st, ids + done, batch, hits, &n);
		if (rc == 0)
			rc = fill_snippets(st, e, hits, n);
		store_read_end(st, began);	/* before fn: store_stories_walk */
		done += batch;
		/* the hits filled before an error are freed unseen */
		if (hand_hits(hits, n, rc == 0 ? fn : NULL, arg) == -1)
			rc = -1;
	}
	free(hits);
	free(ids);
	sqlite3_finalize(q);
	return rc;
}

int
store_search_each(struct store *st, const char *query, int limit,
    store_hit_fn fn, void *arg, char **errstr)
{
	struct match_expr *e;
	int rc = 0;

	if ((e = match_compile(query, errstr)) == NULL)
		return -1;
	if (search_each(st, e, limit, fn, arg) == -1) {
		/* the query compiled: the database failed, not the words */
		*errstr = xstrdup(store_errmsg(st));
		rc = -2;
	}
	match_free(e);
	return rc;
}

/* The hits a search gave, for store_search. */
struct hit_list {
	struct search_hit *hits;
	size_t	 n, cap;
};

static int
keep_hit(struct search_hit *h, void *arg)
{
	struct hit_list *l = arg;

	l->hits = xgrow(l->hits, l->n, &l->cap, sizeof(*l->hits));
	l->hits[l->n++] = *h;
	memset(h, 0, sizeof(*h));	/* the copy owns its strings */
	return 0;
}

int
store_search(struct store *st, const char *query, int limit,
    struct search_hit **hits, size_t *n, char **errstr)
{
	struct hit_list l = { NULL, 0, 0 };
	int rc = store_search_each(st, query, limit, keep_hit, &l, errstr);

	if (rc < 0) {
		search_hits_free(l.hits, l.n);
		l.hits = NULL;
		l.n = 0;
	}
	*hits = l.hits;
	*n = l.n;
	return rc;
}

static sqlite3_stmt *
match_test_query(struct store *st, const struct match_expr *e)
{
	char *sql = xasprintf("SELECT " STORY_REP("s") " FROM stories s"
	    " WHERE s.id IN (SELECT story_id FROM items WHERE (%s))"
	    " ORDER BY " STORY_NEWEST, match_sql(e));
	sqlite3_stmt *q;

	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		q = NULL;
	else
		bind_params(q, e);
	free(sql);
	return q;
}

int
store_match_test_each(struct store *st, const struct match_expr *e,
    int limit, store_story_fn fn, void *arg)
{
	sqlite3_stmt *q = match_test_query(st, e);
	int rc = q != NULL ? store_stories_walk(st, q, limit, STORY_LISTED,
	    fn, arg) : -1;

	sqlite3_finalize(q);
	return rc;
}

int
store_match_test(struct store *st, const struct match_expr *e, int limit,
    struct story_row **rows, size_t *n)
{
	sqlite3_stmt *q = match_test_query(st, e);
	int rc = -1;

	*rows = NULL;
	*n = 0;
	if (q != NULL)
		rc = store_stories_collect(st, q, limit, rows, n);
	sqlite3_finalize(q);
	return rc;
}
