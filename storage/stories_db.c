/*
 * stories_db: reading stories (one row per story: its first-seen item,
 * the feed that brought it, how many feeds did) and retention.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/spool.h"
#include "util/xmalloc.h"
#include "util/hash.h"
#include "storage/store_int.h"

void
story_html_cleanup(struct story_html *html)
{
	free(html->content);
	free(html->summary);
	free(html->summary_text);
	memset(html, 0, sizeof(*html));
}

static void
story_cleanup(void *elem, void *arg)
{
	(void)arg;
	store_story_cleanup(elem);
}

void
story_rows_free(struct story_row *rows, size_t n)
{
	store_rows_free(rows, n, sizeof(*rows), story_cleanup, NULL);
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

/*
 * STORY_FILL's columns, in order, into a struct story_row; the
 * categories and enclosures come after them, packed (items_db.c).
 */
static const struct store_col story_col[] = {
	STORE_COL(struct story_row, story_id),
	STORE_COL(struct story_row, entry_id),
	STORE_COL(struct story_row, title),
	STORE_COL(struct story_row, link),
	STORE_COL(struct story_row, author),
	STORE_COL(struct story_row, summary),
	STORE_COL(struct story_row, content),
	STORE_COL(struct story_row, content_base),
	STORE_COL_TIME(struct story_row, published),
	STORE_COL_TIME(struct story_row, updated),
	STORE_COL(struct story_row, first_seen),
	STORE_COL(struct story_row, feed_name),
	STORE_COL(struct story_row, feed_title),
	STORE_COL(struct story_row, feed_link),
	STORE_COL(struct story_row, feed_url),
	STORE_COL_TIME(struct story_row, feed_updated),
	STORE_COL(struct story_row, nsources),
	STORE_COL(struct story_row, sort_time),
	STORE_COL(struct story_row, feed_doc_id),
	STORE_COL(struct story_row, feed_author),
	STORE_COL(struct story_row, feed_language),
	STORE_COL(struct story_row, nitems),
	STORE_COL(struct story_row, last_seen),
	STORE_COL(struct story_row, why),
};
static const struct store_cols story_cols = STORE_COLS(story_col);
#define STORY_CATEGORIES	24
#define STORY_ENCLOSURES	25

void
store_story_cleanup(struct story_row *r)
{
	store_cols_free(r, &story_cols);
	strv_free(r->categories, r->ncategories);
	feed_enclosures_free(r->enclosures, r->nenclosures);
	for (size_t i = 0; i < r->nothers; i++) {
		free(r->others[i].feed_name);
		free(r->others[i].feed_title);
		free(r->others[i].link);
	}
	free(r->others);
	free(r->shown_id);
	story_html_cleanup(&r->html);
}

/*
 * The SQL of STORY_FILL's columns, item i of feed f; the statement
 * binds the item's id as ?1.  What needs the story's other items comes
 * from the STORY_*_MORE subqueries (of the story whose id is sid), or
 * from expressions a caller who knows it already gives
 * (STORY_COLS_GIVEN).
 */
#define STORY_AUTHOR_MORE(sid) \
	"(SELECT author FROM items WHERE story_id = " sid " AND" \
	" author IS NOT NULL ORDER BY id LIMIT 1)"
#define STORY_NSOURCES_MORE(sid) \
	"(SELECT count(DISTINCT feed_id) FROM items WHERE story_id = " sid ")"
/* each packed list once, the first 64: an entry shows 16 enclosures
 * (feeds/entry.c), and a podcast a thousand feeds carry must not make
 * a thousand copies */
#define STORY_ENCL_MORE(sid) \
	"(SELECT group_concat(enclosures, char(30)) FROM (SELECT enclosures" \
	" FROM items WHERE story_id = " sid " AND enclosures IS NOT NULL" \
	" GROUP BY enclosures ORDER BY min(id) LIMIT 64))"
#define STORY_NITEMS_MORE(sid) \
	"(SELECT count(*) FROM items WHERE story_id = " sid ")"
#define STORY_LAST_MORE(sid) \
	"(SELECT first_seen FROM items WHERE story_id = " sid \
	" ORDER BY id DESC LIMIT 1)"
#define STORY_COLS_GIVEN(html, author, nsources, encl, sort, nitems, \
	    last, feed_a, feed_b) \
	"SELECT i.story_id, i.entry_id, i.title, i.link, coalesce(i.author," \
	" " author "), " html ", i.published, i.updated, i.first_seen, " \
	feed_a ", " nsources ", " sort ", " feed_b ", " nitems ", " last \
	", i.story_why, i.categories, " encl
/* The feed's columns, joined as f (the render reads them apart). */
#define STORY_FEED_A	"f.name, f.title, f.link, f.url, f.updated"
#define STORY_FEED_B	"f.doc_id, f.author, f.language"
/* The item's and its feed's: the story's come from a story_more. */
#define STORY_COLS STORY_COLS_GIVEN("i.summary, i.content, i.content_base", \
	"NULL", "0", "NULL", "0", "0", "0", STORY_FEED_A, STORY_FEED_B)
#define STORY_NCOLS		26
#define STORY_FROM " FROM items i JOIN feeds f ON f.id = i.feed_id"
/*
 * STORY_LISTED's: the same but the item's HTML, which no listing prints.
 * Read from their overflow pages into every row, summary and content
 * were most of `items --limit 300000`'s time on the 10,000-feed bench
 * store, and of the memory a batch of search hits takes.
 */
#define STORY_LIST_COLS STORY_COLS_GIVEN("NULL, NULL, NULL", "NULL", "0", \
	"NULL", "0", "0", "0", STORY_FEED_A, STORY_FEED_B)

/*
 * What a story row takes from its story's other items, read once a
 * story and kept for the next row of the same story.  Read for each
 * row, reading the k items of a story (`feedd stories`, `feedd items`)
 * cost k^2: 4,000 feeds posting one link took 4.8 s to list.
 */
struct story_more {
	int64_t	 story_id;	/* 0: nothing read yet */
	char	*author;	/* the first of its items' authors */
	char	*encl;		/* every item's enclosures, packed */
	int	 nsources;
	int	 nitems;
	int64_t	 sort_time;
	int64_t	 last_seen;
};

static void
story_more_cleanup(struct story_more *m)
{
	free(m->author);
	free(m->encl);
	memset(m, 0, sizeof(*m));
}

#define STORY_MORE_SQL "SELECT " STORY_AUTHOR_MORE("?1") ", " \
	STORY_ENCL_MORE("?1") ", " STORY_NSOURCES_MORE("?1") ", " \
	STORY_NITEMS_MORE("?1") ", (SELECT sort_time FROM stories" \
	" WHERE id = ?1), " STORY_LAST_MORE("?1")

/* m for story_id, read unless it holds that story already: 0 or -1. */
static int
story_more_read(struct store *st, int64_t story_id, struct story_more *m)
{
	sqlite3_stmt *s;
	int rc;

	if (m->story_id != 0 && m->story_id == story_id)
		return 0;
	story_more_cleanup(m);
	if ((s = store_query(st, SQ_STORY_MORE, STORY_MORE_SQL, "I",
	    story_id)) == NULL)
		return -1;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		m->story_id = story_id;
		m->author = store_col_str(s, 0);
		m->encl = store_col_str(s, 1);
		m->nsources = sqlite3_column_int(s, 2);
		m->nitems = sqlite3_column_int(s, 3);
		m->sort_time = sqlite3_column_int64(s, 4);
		m->last_seen = sqlite3_column_int64(s, 5);
	} else
		store_keep_error(st);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* Steps s (STORY_COLS and more) into r: 0; SQLITE_DONE when it has no
 * row; -1 on an error. */
static int
story_read_cols(sqlite3_stmt *s, int64_t item_id, struct story_row *r)
{
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = sqlite3_step(s)) != SQLITE_ROW)
		return rc == SQLITE_DONE ? SQLITE_DONE : -1;
	r->item_id = item_id;
	store_cols_read(s, 0, r, &story_cols);
	split_categories((const char *)sqlite3_column_text(s,
	    STORY_CATEGORIES), r);
	split_enclosures((const char *)sqlite3_column_text(s,
	    STORY_ENCLOSURES), r);
	return 0;
}

/* r's story columns from m (its story's). */
static void
story_more_put(const struct story_more *m, struct story_row *r)
{
	if (r->author == NULL)
		r->author = xstrdup_or_null(m->author);
	split_enclosures(m->encl, r);
	r->nsources = m->nsources;
	r->nitems = m->nitems;
	r->sort_time = m->sort_time;
	r->last_seen = m->last_seen;
}

/* store_story_fill, its story's columns from m (read when it holds
 * another story). */
static int
story_fill(struct store *st, int64_t item_id, enum story_detail detail,
    struct story_more *m, struct story_row *r)
{
	sqlite3_stmt *s = detail == STORY_LISTED ?
	    store_query(st, SQ_STORY_LIST, STORY_LIST_COLS STORY_FROM
	    " WHERE i.id = ?1", "I", item_id) :
	    store_query(st, SQ_STORY_FILL, STORY_COLS STORY_FROM
	    " WHERE i.id = ?1", "I", item_id);
	int rc;

	memset(r, 0, sizeof(*r));
	if (s == NULL)
		return -1;
	if ((rc = story_read_cols(s, item_id, r)) == -1)
		store_keep_error(st);	/* the caller resets its own query */
	sqlite3_reset(s);
	if (rc != 0)
		return rc == SQLITE_DONE ? 1 : -1;
	if (story_more_read(st, r->story_id, m) == -1) {
		store_story_cleanup(r);
		memset(r, 0, sizeof(*r));
		return -1;
	}
	story_more_put(m, r);
	return 0;
}

int
store_story_fill(struct store *st, int64_t item_id, enum story_detail detail,
    struct story_row *r)
{
	struct story_more m = { 0 };
	int rc = story_fill(st, item_id, detail, &m, r);

	story_more_cleanup(&m);
	return rc;
}

/*
 * Where item id's kept HTML lies in item_html, from its story's sort
 * time: rows of stories listed together share pages, and a render,
 * newest first, appends them in rowid order (pages filled, not split).
 * Two items of one second and the same low 16 bits of id (4,212 stories
 * of the 10,000-feed bench have one sort time) would take turns, each
 * render making both again: the later lies in the first free one of
 * HTML_TRIES positions in its second, strides apart (a run of ids of
 * one second fills the positions next to each other), and a reader
 * that does not find the id at the first looks at the others.
 */
#define HTML_TRIES	8

static int64_t
html_pos(int64_t sort, int64_t id, int k)
{
	return -sort * 65536 - ((id + (int64_t)k * 40503) & 65535);
}

/*
 * The render's story columns, from item i (items, or item_html with
 * its copy of them): what needs the story's other items is read only
 * when it has some (?3, from store_stories_each's order, as ?2 the
 * sort time and ?4 the newest item's first seen); the outputs do not
 * show how many feeds it came from, so that count is not made.  The
 * feed's columns come from a feed_memo: NULL here, and i.feed_id after
 * the columns each statement adds.
 */
#define RENDER_COLS(html) STORY_COLS_GIVEN(html, \
	"CASE WHEN ?3 > 1 THEN " STORY_AUTHOR_MORE("i.story_id") " END", \
	"0", "CASE WHEN ?3 > 1 THEN " STORY_ENCL_MORE("i.story_id") \
	" ELSE i.enclosures END", \
	"?2", "?3", "?4", "NULL, NULL, NULL, NULL, NULL", "NULL, NULL, NULL")

/*
 * The feed columns of the render's story rows, by feed id: joined for
 * every story they kept the feeds' pages (1.7 MB for 10,000 feeds) in
 * the page cache, or read them again for most stories when the cache
 * was smaller.  Direct-mapped, a slot per id modulo FEED_MEMO_SLOTS:
 * the stories of 100,000 entries of the 10,000-feed bench came from
 * 3,660 feeds, 83% of them found here (89% with 1,024 slots, for
 * 100 KB more and no CPU less that could be measured); at most some
 * 100 KB.
 */
#define FEED_MEMO_SLOTS	512

struct feed_memo {
	int64_t	 id;
	int	 used;
	int64_t	 updated;
	char	*block;		/* the strings, NUL-terminated */
	const char *col[7];	/* name, title, link, url, doc_id, author,
				 * language: in block, or NULL */
};

static void
feed_memo_free(struct feed_memo *memo)
{
	for (size_t i = 0; memo != NULL && i < FEED_MEMO_SLOTS; i++)
		free(memo[i].block);
	free(memo);
}

#define FEED_MEMO_SQL	"SELECT name, title, link, url, doc_id, author," \
	" language, updated FROM feeds WHERE id = ?"

/* Slot m from s (FEED_MEMO_SQL's columns), its strings in one block. */
static void
feed_memo_put(struct feed_memo *m, sqlite3_stmt *s, int64_t id)
{
	const unsigned char *text[7];
	size_t	 len[7], total = 0;
	char	*p;

	for (int c = 0; c < 7; c++) {
		text[c] = sqlite3_column_text(s, c);
		len[c] = (size_t)sqlite3_column_bytes(s, c);
		total += text[c] != NULL ? len[c] + 1 : 0;
	}
	free(m->block);
	p = m->block = xmalloc(total > 0 ? total : 1);
	for (int c = 0; c < 7; c++) {
		m->col[c] = NULL;
		if (text[c] == NULL)
			continue;
		memcpy(p, text[c], len[c]);
		p[len[c]] = '\0';
		m->col[c] = p;
		p += len[c] + 1;
	}
	m->id = id;
	m->used = 1;
	m->updated = store_col_time(s, 7);
}

/*
 * r's feed columns, from feed_id's slot, filled from feeds when it
 * holds another feed: 0, or -1 when there is no such feed (as the join
 * gave no row) or on an error.
 */
static int
feed_memo_fill(struct store *st, struct feed_memo *memo, int64_t feed_id,
    struct story_row *r)
{
	struct feed_memo *m = &memo[(uint64_t)feed_id % FEED_MEMO_SLOTS];
	char	**to[7] = { &r->feed_name, &r->feed_title, &r->feed_link,
	    &r->feed_url, &r->feed_doc_id, &r->feed_author,
	    &r->feed_language };

	if (!m->used || m->id != feed_id) {
		sqlite3_stmt *s = store_query(st, SQ_FEED_RENDER,
		    FEED_MEMO_SQL, "I", feed_id);
		int rc;

		if (s == NULL)
			return -1;
		if ((rc = sqlite3_step(s)) == SQLITE_ROW)
			feed_memo_put(m, s, feed_id);
		sqlite3_reset(s);
		if (rc != SQLITE_ROW)
			return -1;
	}
	for (int c = 0; c < 7; c++)
		*to[c] = xstrdup_or_null(m->col[c]);
	r->feed_updated = m->updated;
	return 0;
}

/*
 * What the render keeps from row to row: the feed memo, and a handle
 * that reads the kept content.  That column is read with the blob API
 * into a string of its own: read by a statement, a value is copied
 * twice (SQLite's buffer, kept at the size of the largest value the
 * statement has held, and the row's own), and at 100,000 entries the
 * largest kept content (64 KB) held 125 KB of the render's peak.
 */
struct render_reader {
	struct feed_memo *memo;
	sqlite3_blob *content;	/* item_html.html_content; NULL: none yet */
};

/*
 * item_html row pos's html_content into *out: 0, or -1 when it could
 * not be read that way (the caller reads it by a statement).
 */
static int
kept_content_read(struct store *st, struct render_reader *rd, int64_t pos,
    char **out)
{
	int n, rc;

	if (rd->content != NULL)
		rc = sqlite3_blob_reopen(rd->content, pos);
	else
		rc = sqlite3_blob_open(st->db, "main", "item_html",
		    "html_content", pos, 0, &rd->content);
	if (rc != SQLITE_OK || (n = sqlite3_blob_bytes(rd->content)) < 0)
		goto fail;
	*out = xmalloc((size_t)n + 1);
	if (sqlite3_blob_read(rd->content, *out, n, 0) != SQLITE_OK) {
		free(*out);
		goto fail;
	}
	(*out)[n] = '\0';
	return 0;
fail:
	*out = NULL;
	sqlite3_blob_close(rd->content);	/* a NULL handle is a no-op */
	rd->content = NULL;
	return -1;
}

/* The kept content of row pos by a statement: kept_content_read's
 * fallback.  0, or -1. */
static int
kept_content_query(struct store *st, int64_t pos, char **out)
{
	sqlite3_stmt *s = store_query(st, SQ_HTML_CONTENT,
	    "SELECT html_content FROM item_html WHERE pos = ?", "I", pos);
	int rc;

	*out = NULL;
	if (s == NULL)
		return -1;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*out = store_col_str(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* The id the outputs gave the story of item i, when they have. */
#define SHOWN_ID_SQL "(SELECT shown_id FROM stories WHERE id = i.story_id)"

/*
 * A story row for the render; v (a row of store_stories_each's order)
 * gives the item's id, the story's sort time, how many items it has
 * and when the newest was first seen.  The item's kept copy
 * (store_html_put) when there is one: its columns and its HTML as
 * shown, not the item's own HTML (row.html.row_kept; store_story_raw
 * reads that); else the item.  The feed's columns from rd's memo.
 * 0; 1 when the item is not there; -1 on an error.
 */
static int
story_fill_render(struct store *st, const int64_t v[4],
    struct render_reader *rd, struct story_row *r)
{
	sqlite3_stmt *k = store_stmt(st, SQ_STORY_FILL_KEPT,
	    RENDER_COLS("NULL, NULL, NULL") ", i.key,"
	    " typeof(i.html_content) != 'null', i.html_summary, i.html_text,"
	    " i.feed_id, " SHOWN_ID_SQL " FROM item_html i"
	    " WHERE i.pos = ?5 AND +i.id = ?1");
	sqlite3_stmt *s;
	int64_t	 item_id = v[0], feed_id, pos = 0;
	int rc, found = 0, has_content;

	memset(r, 0, sizeof(*r));
	if (k == NULL)
		return -1;
	for (int c = 0; c < 4; c++)
		sqlite3_bind_int64(k, c + 1, v[c]);
	for (int t = 0; t < HTML_TRIES && !found; t++) {
		pos = html_pos(v[1], item_id, t);
		sqlite3_bind_int64(k, 5, pos);
		if (!(found = story_read_cols(k, item_id, r) == 0))
			sqlite3_reset(k);
	}
	if (found) {
		r->html.row_kept = 1;
		r->html.key = sqlite3_column_int64(k, STORY_NCOLS);
		has_content = sqlite3_column_int(k, STORY_NCOLS + 1);
		r->html.summary = store_col_str(k, STORY_NCOLS + 2);
		r->html.summary_text = store_col_str(k, STORY_NCOLS + 3);
		feed_id = sqlite3_column_int64(k, STORY_NCOLS + 4);
		r->shown_id = store_col_str(k, STORY_NCOLS + 5);
		sqlite3_reset(k);
		if (has_content && kept_content_read(st, rd, pos,
		    &r->html.content) == -1 &&
		    kept_content_query(st, pos, &r->html.content) == -1) {
			store_story_cleanup(r);
			return -1;
		}
		if (feed_memo_fill(st, rd->memo, feed_id, r) == 0)
			return 0;
		store_story_cleanup(r);	/* no feed: no row, as a join */
		memset(r, 0, sizeof(*r));
	}
	sqlite3_reset(k);
	if ((s = store_stmt(st, SQ_STORY_FILL_RENDER,
	    RENDER_COLS("i.summary, i.content, i.content_base") ", i.feed_id, "
	    SHOWN_ID_SQL
	    " FROM items i WHERE i.id = ?1")) == NULL)
		return -1;
	for (int c = 0; c < 4; c++)
		sqlite3_bind_int64(s, c + 1, v[c]);
	rc = story_read_cols(s, item_id, r);
	feed_id = rc == 0 ? sqlite3_column_int64(s, STORY_NCOLS) : 0;
	if (rc == 0)
		r->shown_id = store_col_str(s, STORY_NCOLS + 1);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return 1;
	if (rc == 0 && (rc = feed_memo_fill(st, rd->memo, feed_id, r)) == -1)
		store_story_cleanup(r);
	return rc;
}

int
store_story_raw(struct store *st, int64_t item_id, char **summary,
    char **content, char **content_base)
{
	sqlite3_stmt *s = store_query(st, SQ_STORY_RAW, "SELECT summary,"
	    " content, content_base FROM items WHERE id = ?", "I", item_id);
	int rc;

	*summary = *content = *content_base = NULL;
	if (s == NULL)
		return -1;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*summary = store_col_str(s, 0);
		*content = store_col_str(s, 1);
		*content_base = store_col_str(s, 2);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

/*
 * Where item_id's kept HTML goes (html_pos): the first of its tries
 * that is free or its own already, else its first.  0, or -1.
 */
static int
html_slot(struct store *st, int64_t item_id, int64_t sort, int64_t *pos)
{
	for (int t = 0; t < HTML_TRIES; t++) {
		sqlite3_stmt *s = store_query(st, SQ_HTML_SLOTS, "SELECT id"
		    " FROM item_html WHERE pos = ?", "I",
		    html_pos(sort, item_id, t));
		int	 rc;

		if (s == NULL)
			return -1;
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW && sqlite3_column_int64(s, 0) != item_id)
			rc = SQLITE_FULL;	/* another item's */
		sqlite3_reset(s);
		if (rc != SQLITE_FULL && rc != SQLITE_ROW && rc != SQLITE_DONE)
			return -1;
		if (rc != SQLITE_FULL) {
			*pos = html_pos(sort, item_id, t);
			return 0;
		}
	}
	*pos = html_pos(sort, item_id, 0);	/* they take turns there */
	return 0;
}

int
store_html_put(struct store *st, const struct story_row *row,
    const struct story_html *html)
{
	int64_t	 pos;

	if (html->key == 0 ||
	    html_slot(st, row->item_id, row->sort_time, &pos) == -1)
		return -1;
	return store_run(st, SQ_HTML_PUT,
	    "INSERT OR REPLACE INTO item_html (pos, id, story_id, feed_id,"
	    " entry_id, title, link, author, categories, published, updated,"
	    " first_seen, enclosures, story_why, key, html_content,"
	    " html_summary, html_text) SELECT ?2, id,"
	    " story_id, feed_id, entry_id, title, link, author, categories,"
	    " published, updated, first_seen, enclosures, story_why, ?3, ?4,"
	    " ?5, ?6 FROM items WHERE id = ?1", "IIIsss", row->item_id,
	    pos, html->key, html->content, html->summary,
	    html->summary_text);
}

int
store_story_claim_id(struct store *st, int64_t story_id, const char *id)
{
	int	 rc;

	if (st->mode != STORE_READWRITE)
		return -1;
	rc = store_run(st, SQ_STORY_CLAIM_ID, "UPDATE stories SET"
	    " shown_id = ?2, shown_id_hash = ?3 WHERE id = ?1",
	    "IsI", story_id, id, (int64_t)hash_str(id));
	if (rc == 0)
		return 0;
	/* the unique hash: another story shows this id */
	return (sqlite3_extended_errcode(st->db) & 0xff) ==
	    SQLITE_CONSTRAINT ? 1 : -1;
}

/* The rows a walk gave, for the calls that return them all at once. */
struct gather {
	struct story_row *rows;
	size_t	 n, cap;
};

static int
gather_row(struct story_row *r, void *arg)
{
	struct gather *g = arg;

	g->rows = xgrow(g->rows, g->n, &g->cap, sizeof(*g->rows));
	g->rows[g->n++] = *r;
	memset(r, 0, sizeof(*r));	/* the copy owns its strings */
	return 0;
}

/* rows and n from a walk: 0, or -1 with none (rc the walk's). */
static int
gather_done(struct gather *g, int rc, struct story_row **rows, size_t *n)
{
	if (rc == -1) {
		story_rows_free(g->rows, g->n);
		g->rows = NULL;
		g->n = 0;
	}
	*rows = g->rows;
	*n = g->n;
	return rc;
}

/* Every item of story_id, in the order they arrived, at detail. */
static int
story_items(struct store *st, int64_t story_id, enum story_detail detail,
    struct story_row **rows, size_t *n)
{
	struct gather g = { NULL, 0, 0 };
	sqlite3_stmt *q = store_query(st, SQ_STORY_ITEMS, "SELECT id FROM"
	    " items WHERE story_id = ? ORDER BY id", "I", story_id);

	return gather_done(&g, q != NULL ? store_stories_walk(st, q, 0,
	    detail, gather_row, &g) : -1, rows, n);
}

/* Rows read in one read transaction, then handed on after it. */
#define WALK_CHUNK	256

/* A row of a walk, with its story's items when they were asked for. */
struct walk_row {
	struct story_row row;
	struct story_row *items;
	size_t	 nitems;
};

static void
walk_row_cleanup(struct walk_row *w)
{
	store_story_cleanup(&w->row);
	story_rows_free(w->items, w->nitems);
	memset(w, 0, sizeof(*w));
}

/*
 * Reads the rows of ids into rows (up to WALK_CHUNK), each with its
 * story's items when with_items; *used: how many ids it took.  An item
 * gone since its id was read is passed over.
 */
static int
read_chunk(struct store *st, const int64_t *ids, size_t n,
    enum story_detail detail, int with_items, struct story_more *more,
    struct walk_row *rows, size_t *nrows, size_t *used)
{
	int	 began = store_read_begin(st), rc = 0;

	*nrows = 0;
	for (*used = 0; *used < n && *nrows < WALK_CHUNK && rc == 0;
	    (*used)++) {
		struct walk_row *w = &rows[*nrows];

		if ((rc = story_fill(st, ids[*used], detail, more,
		    &w->row)) == 1) {
			rc = 0;
			continue;
		}
		if (rc == 0 && with_items)
			rc = story_items(st, w->row.story_id, detail,
			    &w->items, &w->nitems);
		if (rc == 0)
			(*nrows)++;
		else
			walk_row_cleanup(w);
	}
	store_read_end(st, began);
	return rc;
}

/* The rows of items ids (n of them) to fn: 0, or -1 (an error, or fn
 * said stop). */
static int
walk_ids(struct store *st, const int64_t *ids, size_t n,
    enum story_detail detail, int with_items, store_story_items_fn fn,
    void *arg)
{
	struct story_more more = { 0 };	/* the story of the last row */
	struct walk_row *rows = xcalloc(WALK_CHUNK, sizeof(*rows));
	size_t	 nrows, used;
	int	 rc = 0;

	for (size_t k = 0; k < n && rc == 0; k += used) {
		rc = read_chunk(st, ids + k, n - k, detail, with_items, &more,
		    rows, &nrows, &used);
		for (size_t j = 0; j < nrows; j++) {
			if (rc == 0 && fn(&rows[j].row, rows[j].items,
			    rows[j].nitems, arg) != 0)
				rc = -1;
			walk_row_cleanup(&rows[j]);
		}
	}
	free(rows);
	story_more_cleanup(&more);
	return rc;
}

/* A store_story_fn under walk_ids. */
struct row_fn {
	store_story_fn fn;
	void	*arg;
};

static int
row_only(struct story_row *row, struct story_row *items, size_t nitems,
    void *arg)
{
	struct row_fn *r = arg;

	(void)items;
	(void)nitems;
	return r->fn(row, r->arg);
}

/* q's ids, up to limit, into *ids: 0, or -1.  Resets q. */
static int
read_ids(struct store *st, sqlite3_stmt *q, int limit, int64_t **ids,
    size_t *n)
{
	size_t	 cap = 0;
	int	 rc = SQLITE_DONE;

	*ids = NULL;
	*n = 0;
	while ((limit <= 0 || *n < (size_t)limit) &&
	    (rc = sqlite3_step(q)) == SQLITE_ROW) {
		*ids = xgrow(*ids, *n, &cap, sizeof(**ids));
		(*ids)[(*n)++] = sqlite3_column_int64(q, 0);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		store_keep_error(st);
	sqlite3_reset(q);
	/* ROW: at limit */
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/*
 * The ids first, then the rows, a chunk at a time: no read transaction
 * is open while fn has a row.  A listing piped to a pager that waits
 * for its reader would otherwise hold its snapshot meanwhile, and with
 * it the daemon's WAL, which no checkpoint can then finish nor start
 * over: it grows with every commit until the pager is closed.  8 bytes
 * a row are kept: 2.3 MB for 283,612 items.
 */
int
store_stories_walk(struct store *st, sqlite3_stmt *q, int limit,
    enum story_detail detail, store_story_fn fn, void *arg)
{
	struct row_fn r = { fn, arg };
	int64_t	*ids;
	size_t	 n;
	int	 rc = read_ids(st, q, limit, &ids, &n);

	if (rc == 0)
		rc = walk_ids(st, ids, n, detail, 0, row_only, &r);
	free(ids);
	return rc;
}

int
store_stories_collect(struct store *st, sqlite3_stmt *q, int limit,
    struct story_row **rows, size_t *n)
{
	struct gather g = { NULL, 0, 0 };

	return gather_done(&g, store_stories_walk(st, q, limit, STORY_WHOLE,
	    gather_row, &g), rows, n);
}

/* s has an item from the feed named ?1, or ?1 is NULL. */
#define STORY_FROM_FEED \
	"(?1 IS NULL OR EXISTS (SELECT 1 FROM items j JOIN feeds f" \
	" ON f.id = j.feed_id WHERE j.story_id = s.id AND f.name = ?1))"

/* The newest stories' first items (store_stories_newest): a statement
 * to step, or NULL. */
static sqlite3_stmt *
stories_newest_query(struct store *st, const char *feed, const char *rule,
    int limit)
{
	sqlite3_stmt *q;

	if (sqlite3_prepare_v2(st->db, "SELECT " STORY_REP("s")
	    " FROM stories s WHERE " STORY_FROM_FEED
	    " AND (?2 IS NULL OR EXISTS (SELECT 1 FROM alerts a"
	    "  WHERE a.rule = ?2 AND a.story_key = s.key))"
	    " ORDER BY " STORY_NEWEST " LIMIT ?3", -1, &q, NULL) != SQLITE_OK)
		return NULL;
	if (store_bind(q, "ssl", feed, rule, limit) == 0)
		return q;
	sqlite3_finalize(q);
	return NULL;
}

int
store_stories_newest_each(struct store *st, const char *feed,
    const char *rule, int limit, store_story_fn fn, void *arg)
{
	sqlite3_stmt *q = stories_newest_query(st, feed, rule, limit);
	int rc = q != NULL ? store_stories_walk(st, q, limit, STORY_LISTED,
	    fn, arg) : -1;

	sqlite3_finalize(q);
	return rc;
}

int
store_stories_items_each(struct store *st, int limit,
    store_story_items_fn fn, void *arg)
{
	sqlite3_stmt *q = stories_newest_query(st, NULL, NULL, limit);
	int64_t	*ids = NULL;
	size_t	 n = 0;
	int	 rc = q != NULL ? read_ids(st, q, limit, &ids, &n) : -1;

	sqlite3_finalize(q);
	if (rc == 0)
		rc = walk_ids(st, ids, n, STORY_LISTED, 1, fn, arg);
	free(ids);
	return rc;
}

int
store_stories_newest(struct store *st, const char *feed, const char *rule,
    int limit, struct story_row **rows, size_t *n)
{
	struct gather g = { NULL, 0, 0 };

	return gather_done(&g, store_stories_newest_each(st, feed, rule,
	    limit, gather_row, &g), rows, n);
}

/* About how many stories there are (the highest id); -1 on an error. */
static int64_t
stories_est(struct store *st)
{
	return store_step_int64(store_stmt(st, SQ_STORY_COUNT_EST,
	    "SELECT coalesce(max(id), 0) FROM stories"));
}

/* store_count_fn for the items of the feed named feed. */
static int64_t
feed_items_upto(struct store *st, const char *feed, int64_t upto)
{
	return store_step_int64(store_query(st, SQ_FEED_ITEMS_UPTO,
	    "SELECT count(*) FROM (SELECT 1 FROM items WHERE feed_id ="
	    " (SELECT id FROM feeds WHERE name = ?) LIMIT ?)", "sI", feed,
	    upto));
}

/*
 * The items of the newest stories, each story's by id; with a feed (?1)
 * those of the stories it reported, found one of two ways (items_sql
 * chooses): walking every story newest first, each tested for an item
 * of the feed, which stops at the ?2nd item; or from the feed's items,
 * sorted.  Always walking, a feed with few items tested every story of
 * a 10,000-feed store: 0.7 s.
 */
#define ITEMS_NEWEST_SQL(where) \
	"SELECT i.id FROM stories s JOIN items i ON i.story_id = s.id" \
	where " ORDER BY " STORY_NEWEST ", i.id LIMIT ?2"
static const char ITEMS_ALL_SQL[] = ITEMS_NEWEST_SQL("");
static const char ITEMS_WALK_SQL[] = ITEMS_NEWEST_SQL(" WHERE EXISTS"
    " (SELECT 1 FROM items j JOIN feeds f ON f.id = j.feed_id"
    " WHERE j.story_id = s.id AND f.name = ?1)");
static const char ITEMS_OF_FEED_SQL[] = ITEMS_NEWEST_SQL(" WHERE s.id IN"
    " (SELECT j.story_id FROM items j JOIN feeds f ON f.id = j.feed_id"
    " WHERE f.name = ?1)");

static const char *
items_sql(struct store *st, const char *feed, int limit)
{
	int walk;

	if (feed == NULL)
		return ITEMS_ALL_SQL;
	walk = store_walk_is_shorter(st, stories_est(st), limit,
	    feed_items_upto, feed);
	return walk == -1 ? NULL : walk ? ITEMS_WALK_SQL : ITEMS_OF_FEED_SQL;
}

int
store_items_newest_each(struct store *st, const char *feed, int limit,
    store_story_fn fn, void *arg)
{
	const char *sql = items_sql(st, feed, limit);
	sqlite3_stmt *q;
	int rc;

	if (sql == NULL || sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) !=
	    SQLITE_OK)
		return -1;
	rc = store_bind(q, "sl", feed, limit) == 0 ?
	    store_stories_walk(st, q, limit, STORY_LISTED, fn, arg) : -1;
	sqlite3_finalize(q);
	return rc;
}

int
store_items_newest(struct store *st, const char *feed, int limit,
    struct story_row **rows, size_t *n)
{
	struct gather g = { NULL, 0, 0 };

	return gather_done(&g, store_items_newest_each(st, feed, limit,
	    gather_row, &g), rows, n);
}

#define SOURCES_SQL \
	"SELECT f.name, f.title, i.link FROM items i" \
	" JOIN feeds f ON f.id = i.feed_id WHERE i.story_id = ? AND" \
	" i.id != ? AND i.link IS NOT NULL ORDER BY i.id"

static int
has_link(const struct story_row *r, const char *link)
{
	for (size_t i = 0; i < r->nothers; i++)
		if (strcmp(r->others[i].link, link) == 0)
			return 1;
	return 0;
}

/*
 * Fills r's others with q (SOURCES_SQL); SQLITE_DONE when all went well.
 * A later item with a link already held would only be left out by the
 * outputs, so it is not copied.
 */
static int
fill_sources(sqlite3_stmt *q, struct story_row *r)
{
	int rc = SQLITE_DONE;

	if (store_bind(q, "II", r->story_id, r->item_id) == -1)
		return SQLITE_ERROR;
	while (r->nothers < STORE_SOURCES_MAX &&
	    (rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *link = (const char *)sqlite3_column_text(q, 2);
		struct story_source *o;

		if (link == NULL || has_link(r, link))
			continue;
		r->others = xreallocarray(r->others, r->nothers + 1,
		    sizeof(*r->others));
		o = &r->others[r->nothers++];
		o->feed_name = store_col_str(q, 0);
		o->feed_title = store_col_str(q, 1);
		o->link = xstrdup(link);
	}
	if (r->nothers == STORE_SOURCES_MAX)
		rc = SQLITE_DONE;
	sqlite3_reset(q);
	return rc;
}

int
store_story_items(struct store *st, int64_t story_id,
    struct story_row **rows, size_t *n)
{
	return story_items(st, story_id, STORY_WHOLE, rows, n);
}

/*
 * The page cache while the order is read: the main outputs walk
 * stories_shown, which holds all they need, in order, so a small one
 * loses nothing; a rule's sorter keeps this much (no less than
 * SQLITE_CONFIG_PMASZ's 64 KB) and spill past it.  Then while the rows
 * are read: each is read once and the feeds' columns come from a
 * feed_memo, so the cache need only hold the b-trees' upper pages.
 * 320 KB: the 20 pages SQLite allocates in one block when it opens
 * the database (SQLITE_DEFAULT_PCACHE_INITSZ), so the render's cache
 * takes nothing past that block; at 512 KB its 11 pages more were
 * malloc'd beside it.  That lowers a render's peak RSS by some 0.2 MB
 * at every max_entries (200 fills the cache too), with no CPU cost that
 * 7 alternating runs could tell; 128 KB doubled the system time at
 * 100,000 entries (reads of pages it had let go).
 */
#define RENDER_ORDER_KB	64
#define RENDER_CACHE_KB	320
/* The order held in memory (32 bytes a story), the rest in a file. */
#define RENDER_SPOOL_BYTES	(64 * 1024)

/* PRAGMA cache_size (pages; negative: KB), and setting it. */
static int
store_cache_size(struct store *st)
{
	sqlite3_stmt *s;
	int v = -2000;

	if (sqlite3_prepare_v2(st->db, "PRAGMA cache_size", -1, &s, NULL) ==
	    SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void
store_set_cache_size(struct store *st, int v)
{
	char	 sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA cache_size = %d", v);
	sqlite3_exec(st->db, sql, NULL, NULL, NULL);
}

/*
 * q's rows (item id, sort time, items, newest first seen) into order,
 * then rewound for reading: SQLITE_DONE, else SQLite's error or
 * SQLITE_ERROR with st->io_errno.
 */
static int
order_spool(struct store *st, sqlite3_stmt *q, struct spool *order)
{
	int64_t	 v[4];
	int	 rc;

	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		for (int c = 0; c < 4; c++)
			v[c] = sqlite3_column_int64(q, c);
		if (spool_put(order, v) == -1)
			break;
	}
	if (rc == SQLITE_DONE && spool_rewind(order) == 0)
		return rc;
	if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		st->io_errno = errno;
		rc = SQLITE_ERROR;
	}
	return rc;
}

/*
 * A rule's outputs: the newest ?2 of its stories by sort time, in the
 * outputs' order from their kept dates (STORY_ORDER_SET), sorted.  The
 * stories are found one of two ways (rule_order chooses): walking them
 * newest first, each tested for the rule's alert, which stops at the
 * ?2nd found; or from the rule's alerts, each story looked up by key.
 */
#define RULE_ORDER_SQL(stories) \
    "SELECT first_item, sort_time, nitems, newest_seen FROM" \
    " (SELECT s.* FROM " stories " ORDER BY " STORY_NEWEST " LIMIT ?2)" \
    " WHERE first_item IS NOT NULL" \
    " ORDER BY CASE WHEN early_until > ?3 THEN shown_at_early" \
    " ELSE shown_at END DESC, sort_time DESC, id DESC"
static const char RULE_WALK_SQL[] = RULE_ORDER_SQL("stories s WHERE EXISTS"
    " (SELECT 1 FROM alerts a WHERE a.rule = ?1 AND a.story_key = s.key)");
/* CROSS JOIN: the alerts outside, whatever the planner would pick */
static const char RULE_ALERTS_SQL[] = RULE_ORDER_SQL("alerts a CROSS JOIN"
    " stories s ON s.key = a.story_key WHERE a.rule = ?1");

/*
 * The outputs' stories are the newest ?4 by sort time: those from
 * (?2, ?3) on (no bound: ?2 NULL).  Each story keeps its date
 * (STORY_ORDER_SET), so they come in order from stories_shown, merged
 * with the few whose date is another until early_until (sorted: those
 * of future-dated items).  No sorter over all of them: the memory is
 * the same at any max_entries.
 */
static const char SHOWN_ORDER_SQL[] =
    "SELECT first_item, sort_time, nitems, newest_seen, shown_at, id"
    " FROM stories INDEXED BY stories_shown WHERE first_item IS NOT NULL"
    " AND (early_until IS NULL OR early_until <= ?1)"
    " AND (?2 IS NULL OR (sort_time, id) >= (?2, ?3))"
    " UNION ALL SELECT first_item, sort_time, nitems, newest_seen,"
    " shown_at_early, id FROM stories INDEXED BY stories_early"
    " WHERE early_until > ?1 AND first_item IS NOT NULL"
    " AND (?2 IS NULL OR (sort_time, id) >= (?2, ?3))"
    " ORDER BY 5 DESC, 2 DESC, 6 DESC LIMIT ?4";

/*
 * The last story of the newest limit into sort_time and id: 1, 0 when
 * there are no more than limit (or no limit), -1 on an error.
 */
static int
shown_bound(struct store *st, int limit, int64_t *sort_time, int64_t *id)
{
	sqlite3_stmt *q;
	int rc;

	if (limit <= 0)
		return 0;
	if (sqlite3_prepare_v2(st->db, "SELECT s.sort_time, s.id FROM"
	    " stories s ORDER BY " STORY_NEWEST " LIMIT 1 OFFSET ?", -1, &q,
	    NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int(q, 1, limit - 1);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*sort_time = sqlite3_column_int64(q, 0);
		*id = sqlite3_column_int64(q, 1);
	}
	sqlite3_finalize(q);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static sqlite3_stmt *
shown_order(struct store *st, int limit, int64_t now)
{
	sqlite3_stmt *q;
	int64_t bst, bid;
	int bound = shown_bound(st, limit, &bst, &bid);

	if (bound == -1 || sqlite3_prepare_v2(st->db, SHOWN_ORDER_SQL, -1,
	    &q, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(q, 1, now);
	if (bound) {
		sqlite3_bind_int64(q, 2, bst);
		sqlite3_bind_int64(q, 3, bid);
	}
	if (store_bind_limit(q, 4, limit) != SQLITE_OK) {
		sqlite3_finalize(q);
		return NULL;
	}
	return q;
}

static sqlite3_stmt *
rule_order(struct store *st, const char *rule, int limit, int64_t now)
{
	sqlite3_stmt *q;
	int walk = store_walk_is_shorter(st, stories_est(st), limit,
	    store_rule_alerts_upto, rule);

	if (walk == -1 || sqlite3_prepare_v2(st->db, walk ? RULE_WALK_SQL :
	    RULE_ALERTS_SQL, -1, &q, NULL) != SQLITE_OK)
		return NULL;
	if (store_bind(q, "slI", rule, limit, now) == -1) {
		sqlite3_finalize(q);
		return NULL;
	}
	return q;
}

/*
 * The order of the stories to render, into a spool (see order_spool):
 * SQLITE_DONE, else an error code.  The statement is finalized before
 * the rows are read, so a rule's sorter's memory (RENDER_ORDER_KB, and
 * its merge's buffers) is gone by then.
 */
static int
render_order(struct store *st, const char *rule, int limit, int64_t now,
    struct spool *order)
{
	sqlite3_stmt *q;
	int rc;

	store_set_cache_size(st, -RENDER_ORDER_KB);
	q = rule != NULL ? rule_order(st, rule, limit, now) :
	    shown_order(st, limit, now);
	if (q == NULL)
		return SQLITE_ERROR;
	rc = order_spool(st, q, order);
	sqlite3_finalize(q);
	return rc;
}

/*
 * fn on each story of the order, read whole: SQLITE_DONE, else an
 * error.  Each row is read once, in an order unrelated to where it
 * lies: a cache would only fill (memory growing with limit) without
 * hits, so a small one (RENDER_CACHE_KB).
 */
static int
render_rows(struct store *st, struct spool *order, sqlite3_stmt *src,
    store_story_fn fn, void *arg)
{
	struct render_reader rd = { xcalloc(FEED_MEMO_SLOTS,
	    sizeof(struct feed_memo)), NULL };
	struct story_row row;
	int64_t	 v[4];		/* an order_spool row */
	int rc = SQLITE_DONE, got, filled;

	store_set_cache_size(st, -RENDER_CACHE_KB);
	while ((got = spool_get(order, v)) == 1) {
		rc = SQLITE_ERROR;
		if ((filled = story_fill_render(st, v, &rd, &row)) == -1)
			break;
		/* its first item is gone (written behind the store's
		 * back): the rest of the outputs still are */
		if (filled == 1) {
			rc = SQLITE_DONE;
			continue;
		}
		/* most stories have one item: no query for their sources */
		if (row.nitems > 1 && fill_sources(src, &row) != SQLITE_DONE) {
			store_story_cleanup(&row);
			break;
		}
		rc = fn(&row, arg) == -1 ? SQLITE_ERROR : SQLITE_DONE;
		store_story_cleanup(&row);
		if (rc != SQLITE_DONE)
			break;
	}
	if (got == -1) {
		st->io_errno = errno;
		rc = SQLITE_ERROR;
	}
	feed_memo_free(rd.memo);
	sqlite3_blob_close(rd.content);
	return rc;
}

int
store_stories_each(struct store *st, const char *rule, int limit,
    int64_t now, store_story_fn fn, void *arg)
{
	sqlite3_stmt *src;
	struct spool *order;
	int rc, txn, rtxn, cache;

	if (sqlite3_prepare_v2(st->db, SOURCES_SQL, -1, &src, NULL) !=
	    SQLITE_OK)
		return -1;
	/* one transaction for the pass and the HTML fn keeps */
	txn = st->mode == STORE_READWRITE && store_begin(st) == 0;
	/* else a read one: the order and the rows are of one snapshot */
	rtxn = !txn && sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) ==
	    SQLITE_OK;
	cache = store_cache_size(st);
	order = spool_new(sizeof(int64_t[4]), RENDER_SPOOL_BYTES);
	rc = render_order(st, rule, limit, now, order);
	if (rc == SQLITE_DONE)
		rc = render_rows(st, order, src, fn, arg);
	spool_free(order);
	sqlite3_finalize(src);
	store_set_cache_size(st, cache);
	/* what could not be kept is made again next time */
	if (txn)
		(void)store_end(st, 0);
	if (rtxn && sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) !=
	    SQLITE_OK)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_story_joined(struct store *st, int64_t story_id)
{
	return store_run(st, SQ_STORY_REORDER, "UPDATE stories SET"
	    STORY_ORDER_SET_ADDED("1") " WHERE id = ?", "I", story_id);
}

/* The oldest ?3 items first seen before ?1 outside the newest ?2
 * stories. */
#define PRUNE_SET \
	"SELECT id FROM items WHERE first_seen < ?1 AND story_id NOT IN" \
	" (SELECT s.id FROM stories s ORDER BY " STORY_NEWEST " LIMIT ?2)" \
	" ORDER BY first_seen LIMIT ?3"

int
store_prune(struct store *st, int64_t before, int keep_newest, int limit)
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
		/* an emptied story's aliases reference it: they go first,
		 * or the foreign key fails the whole prune, every hour */
		"DELETE FROM story_alias WHERE story_id IN temp.prune_stories"
		" AND NOT EXISTS (SELECT 1 FROM items"
		" WHERE story_id = story_alias.story_id)",
		"DELETE FROM stories WHERE id IN temp.prune_stories AND NOT"
		" EXISTS (SELECT 1 FROM items WHERE story_id = stories.id)",
		"UPDATE stories SET" STORY_ORDER_SET
		" WHERE id IN temp.prune_stories",
	};
	const size_t del_items = 8;	/* the step that says what changed */
	int pruned = 0;

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
		sqlite3_bind_int(s, 3, limit > 0 ? limit : -1);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE)
			goto fail;
		if (i == del_items)
			pruned = sqlite3_changes(st->db);
	}
	if (store_end(st, pruned > 0 ? store_bump_generation(st) : 0) == -1)
		return -1;
	if (pruned > 0)
		store_group_drop(st);	/* it may name pruned stories */
	return pruned;
fail:
	store_rollback(st);
	return -1;
}
