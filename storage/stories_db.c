/*
 * stories_db: reading stories (one row per story: its first-seen item,
 * the feed that brought it, how many feeds did) and retention.
 */
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "storage/store_int.h"

void
store_story_cleanup(struct story_row *r)
{
	free(r->entry_id);
	free(r->title);
	free(r->link);
	free(r->author);
	free(r->summary);
	free(r->content);
	for (size_t i = 0; i < r->ncategories; i++)
		free(r->categories[i]);
	free(r->categories);
	free(r->feed_name);
	free(r->feed_title);
	free(r->feed_link);
	free(r->feed_url);
	free(r->feed_doc_id);
	free(r->feed_author);
	free(r->feed_language);
	for (size_t i = 0; i < r->nenclosures; i++) {
		free(r->enclosures[i].url);
		free(r->enclosures[i].type);
	}
	free(r->enclosures);
}

static void
story_cleanup(void *elem)
{
	store_story_cleanup(elem);
}

void
story_rows_free(struct story_row *rows, size_t n)
{
	store_rows_free(rows, n, sizeof(*rows), story_cleanup);
}

static void
split_categories(const char *cats, struct story_row *r)
{
	const char *p = cats;

	if (cats == NULL)
		return;
	for (;;) {
		size_t len = strcspn(p, "\x1f");

		r->categories = xreallocarray(r->categories,
		    r->ncategories + 1, sizeof(char *));
		r->categories[r->ncategories++] = xstrndup(p, len);
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
}

/* The enclosures column (items_db.c): URL \x1f TYPE \x1f LENGTH, \x1e. */
static void
split_enclosures(const char *s, struct story_row *r)
{
	while (s != NULL && *s != '\0') {
		size_t len = strcspn(s, "\x1e"), ulen = strcspn(s, "\x1f\x1e");
		const char *t = s + ulen;
		struct feed_enclosure *e;

		r->enclosures = xreallocarray(r->enclosures,
		    r->nenclosures + 1, sizeof(*r->enclosures));
		e = &r->enclosures[r->nenclosures++];
		e->url = xstrndup(s, ulen);
		e->type = NULL;
		e->length = -1;
		if (*t == '\x1f') {
			size_t tlen = strcspn(t + 1, "\x1f\x1e");

			if (tlen > 0)
				e->type = xstrndup(t + 1, tlen);
			if (t[1 + tlen] == '\x1f')
				e->length = strtoll(t + 2 + tlen, NULL, 10);
		}
		s += len;
		if (*s == '\x1e')
			s++;
	}
}

int
store_story_fill(struct store *st, int64_t item_id, struct story_row *r)
{
	sqlite3_stmt *s = store_stmt(st, SQ_STORY_FILL,
	    "SELECT i.story_id, i.entry_id, i.title, i.link, coalesce(i.author,"
	    " (SELECT author FROM items WHERE story_id = i.story_id AND"
	    " author IS NOT NULL ORDER BY id LIMIT 1)),"
	    " i.summary, i.content, i.categories, i.published, i.updated,"
	    " i.first_seen, f.name, f.title, f.link, f.url, f.updated,"
	    " (SELECT count(DISTINCT feed_id) FROM items"
	    "  WHERE story_id = i.story_id), (SELECT group_concat(enclosures,"
	    " char(30)) FROM (SELECT enclosures FROM items WHERE story_id ="
	    " i.story_id AND enclosures IS NOT NULL ORDER BY id)),"
	    " (SELECT sort_time FROM stories WHERE id = i.story_id),"
	    " f.doc_id, f.author, f.language"
	    " FROM items i JOIN feeds f ON f.id = i.feed_id WHERE i.id = ?");
	int rc;

	memset(r, 0, sizeof(*r));
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, item_id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		r->story_id = sqlite3_column_int64(s, 0);
		r->entry_id = store_col_str(s, 1);
		r->title = store_col_str(s, 2);
		r->link = store_col_str(s, 3);
		r->author = store_col_str(s, 4);
		r->summary = store_col_str(s, 5);
		r->content = store_col_str(s, 6);
		split_categories((const char *)sqlite3_column_text(s, 7), r);
		r->published = store_col_time(s, 8);
		r->updated = store_col_time(s, 9);
		r->first_seen = sqlite3_column_int64(s, 10);
		r->feed_name = store_col_str(s, 11);
		r->feed_title = store_col_str(s, 12);
		r->feed_link = store_col_str(s, 13);
		r->feed_url = store_col_str(s, 14);
		r->feed_updated = store_col_time(s, 15);
		r->nsources = sqlite3_column_int(s, 16);
		split_enclosures((const char *)sqlite3_column_text(s, 17), r);
		r->sort_time = sqlite3_column_int64(s, 18);
		r->feed_doc_id = store_col_str(s, 19);
		r->feed_author = store_col_str(s, 20);
		r->feed_language = store_col_str(s, 21);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

int64_t
store_story_rep(struct store *st, int64_t story_id)
{
	sqlite3_stmt *s = store_stmt(st, SQ_STORY_REP,
	    "SELECT min(id) FROM items WHERE story_id = ?");
	int64_t id = 0;

	if (s == NULL)
		return 0;
	sqlite3_bind_int64(s, 1, story_id);
	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return id;
}

/*
 * Runs q (rows of story ids, in order) and fills one row per story
 * from its representative item; at most limit rows (<= 0: no limit).
 */
static int
story_read(sqlite3_stmt *q, void *elem, void *arg)
{
	struct store *st = arg;
	int64_t rep = store_story_rep(st, sqlite3_column_int64(q, 0));

	return rep == 0 ? -1 : store_story_fill(st, rep, elem);
}

int
store_stories_collect(struct store *st, sqlite3_stmt *q, int limit,
    struct story_row **rows, size_t *n)
{
	void	*v;
	int	 rc = store_read_rows(q, limit, sizeof(**rows), story_read, st,
	    story_cleanup, &v, n);

	*rows = v;
	return rc;
}

int
store_stories_newest(struct store *st, const char *feed, const char *rule,
    int limit, struct story_row **rows, size_t *n)
{
	sqlite3_stmt *q;
	int rc;

	*rows = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT s.id FROM stories s WHERE"
	    " (?1 IS NULL OR EXISTS (SELECT 1 FROM items i JOIN feeds f"
	    "  ON f.id = i.feed_id WHERE i.story_id = s.id AND f.name = ?1))"
	    " AND (?2 IS NULL OR EXISTS (SELECT 1 FROM alerts a"
	    "  WHERE a.rule = ?2 AND a.story_key = s.key))"
	    " ORDER BY s.sort_time DESC, s.id DESC LIMIT ?3", -1, &q,
	    NULL) != SQLITE_OK)
		return -1;
	store_bind_str(q, 1, feed);
	store_bind_str(q, 2, rule);
	sqlite3_bind_int(q, 3, limit > 0 ? limit : -1);
	rc = store_stories_collect(st, q, limit, rows, n);
	sqlite3_finalize(q);
	return rc;
}

int
store_stories_each(struct store *st, const char *rule, int limit,
    int64_t now, store_story_fn fn, void *arg)
{
	sqlite3_stmt *q;
	struct story_row row;
	int rc;

	/*
	 * The sorter holds (item id, date) per story, not the rows.  The
	 * date is feeds/entry.c's prepare_dates in SQL: published no later
	 * than first seen; updated, first seen when in the future, never
	 * before published; else published, else the story's sort time.
	 */
	if (sqlite3_prepare_v2(st->db, "WITH t AS (SELECT s.id AS sid,"
	    " s.sort_time AS st FROM stories s WHERE (?1 IS NULL OR EXISTS"
	    "  (SELECT 1 FROM alerts a WHERE a.rule = ?1 AND"
	    "  a.story_key = s.key))"
	    " ORDER BY s.sort_time DESC, s.id DESC LIMIT ?2),"
	    " r AS (SELECT t.sid, t.st, i.id AS iid, i.first_seen AS fs,"
	    "  CASE WHEN i.published > i.first_seen THEN i.first_seen"
	    "  ELSE i.published END AS pub,"
	    "  CASE WHEN i.updated > ?3 THEN i.first_seen"
	    "  ELSE i.updated END AS upd FROM t"
	    "  JOIN items i ON i.id = (SELECT min(id) FROM items"
	    "  WHERE story_id = t.sid))"
	    " SELECT iid FROM r ORDER BY coalesce(CASE WHEN upd < pub"
	    " THEN pub ELSE upd END, pub, CASE WHEN st != 0 THEN st ELSE fs"
	    " END) DESC, st DESC, sid DESC", -1, &q, NULL) != SQLITE_OK)
		return -1;
	store_bind_str(q, 1, rule);
	sqlite3_bind_int(q, 2, limit > 0 ? limit : -1);
	sqlite3_bind_int64(q, 3, now);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (store_story_fill(st, sqlite3_column_int64(q, 0), &row) == -1)
			break;
		rc = fn(&row, arg);
		store_story_cleanup(&row);
		if (rc == -1)
			break;
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Items first seen before ?1 outside the newest ?2 stories. */
#define PRUNE_SET \
	"SELECT id FROM items WHERE first_seen < ?1 AND story_id NOT IN" \
	" (SELECT id FROM stories ORDER BY sort_time DESC, id DESC LIMIT ?2)"

int
store_prune(struct store *st, int64_t before, int keep_newest)
{
	static const char *const steps[] = {
		"CREATE TEMP TABLE IF NOT EXISTS prune_ids"
		" (id INTEGER PRIMARY KEY)",
		"CREATE TEMP TABLE IF NOT EXISTS prune_stories"
		" (id INTEGER PRIMARY KEY)",
		"DELETE FROM temp.prune_ids",
		"DELETE FROM temp.prune_stories",
		"INSERT INTO temp.prune_ids " PRUNE_SET,
		/* only their stories can be left empty: no scan of all */
		"INSERT OR IGNORE INTO temp.prune_stories SELECT story_id"
		" FROM items WHERE id IN temp.prune_ids",
		/* external content: the terms go with the text they came
		 * from, before the rows (items_db.c fts_exec) */
		"INSERT INTO items_fts (items_fts, rowid, title, body)"
		" SELECT 'delete', id, title, body FROM items_text"
		" WHERE id IN temp.prune_ids",
		"INSERT INTO items_tri (items_tri, rowid, text)"
		" SELECT 'delete', id, text FROM items_tri_text"
		" WHERE id IN temp.prune_ids",
		"DELETE FROM items WHERE id IN temp.prune_ids",
		"DELETE FROM stories WHERE id IN temp.prune_stories AND NOT"
		" EXISTS (SELECT 1 FROM items WHERE story_id = stories.id)",
	};
	const size_t del_items = 8;	/* the step that says what changed */
	int changed = 0;

	if (store_begin(st) == -1)
		return -1;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		sqlite3_stmt *s;
		int rc;

		if (sqlite3_prepare_v2(st->db, steps[i], -1, &s, NULL) !=
		    SQLITE_OK)
			goto fail;
		sqlite3_bind_int64(s, 1, before);
		sqlite3_bind_int(s, 2, keep_newest > 0 ? keep_newest : 0);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE)
			goto fail;
		if (i == del_items)
			changed = sqlite3_changes(st->db) > 0;
	}
	return store_end(st, changed ? store_bump_generation(st) : 0);
fail:
	store_rollback(st);
	return -1;
}
