/*
 * feeds_db: the feeds table: following the config, and the fetch state
 * (conditional GET, status, schedule, error streaks) the daemon saves.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xmalloc.h"
#include "storage/store_int.h"

#define FEED_COLS \
	"id, name, url, active, etag, last_modified, body_hash," \
	" last_status, last_error, last_fetch, last_success, next_due," \
	" consecutive_errors, gone, redirect_url, fetches, not_modified," \
	" due_by_server," \
	" (SELECT count(*) FROM items WHERE feed_id = feeds.id), title, link"

/*
 * FEED_COLS, in order, into a struct feed_row.  The fetch state the
 * daemon saves (store_feed_save_state) is the run from etag to
 * due_by_server.
 */
#define FEED_STATE_FIRST	4
#define FEED_STATE_N		14
static const struct store_col feed_col[] = {
	STORE_COL(struct feed_row, id),
	STORE_COL(struct feed_row, name),
	STORE_COL(struct feed_row, url),
	STORE_COL(struct feed_row, active),
	STORE_COL(struct feed_row, etag),
	STORE_COL(struct feed_row, last_modified),
	STORE_COL(struct feed_row, body_hash),
	STORE_COL(struct feed_row, last_status),
	STORE_COL(struct feed_row, last_error),
	STORE_COL(struct feed_row, last_fetch),
	STORE_COL(struct feed_row, last_success),
	STORE_COL(struct feed_row, next_due),
	STORE_COL(struct feed_row, consecutive_errors),
	STORE_COL(struct feed_row, gone),
	STORE_COL(struct feed_row, redirect_url),
	STORE_COL(struct feed_row, fetches),
	STORE_COL(struct feed_row, not_modified),
	STORE_COL(struct feed_row, due_by_server),
	STORE_COL(struct feed_row, items),
	STORE_COL(struct feed_row, title),
	STORE_COL(struct feed_row, link),
};
static const struct store_cols feed_cols = STORE_COLS(feed_col);
static const struct store_cols feed_state_cols = {
	feed_col + FEED_STATE_FIRST, FEED_STATE_N,
};
_Static_assert(FEED_STATE_FIRST + FEED_STATE_N <=
    sizeof(feed_col) / sizeof(feed_col[0]), "the state is in FEED_COLS");

/*
 * The daemon reads one feed by name twice per fetch: that must be one
 * index lookup (the UNIQUE name index), never a scan, so it has its own
 * statement; the item count is a covering-index range over that feed's
 * items (UNIQUE (feed_id, key)), a few dozen entries.
 */
static const char feed_get_sql[] =
    "SELECT " FEED_COLS " FROM feeds WHERE name = ?1";
static const char feed_each_sql[] =
    "SELECT " FEED_COLS " FROM feeds ORDER BY name";

void
feed_row_cleanup(struct feed_row *row)
{
	if (row == NULL)
		return;
	store_cols_free(row, &feed_cols);
	memset(row, 0, sizeof(*row));
}

void
feed_rows_free(struct feed_row *rows, size_t n)
{
	store_rows_free(rows, n, sizeof(*rows), store_cols_clear,
	    (void *)&feed_cols);
}

/* One configured feed: added, its URL followed, or marked active. */
/*
 * A feed's tags as rules look them up (tag:TAG, config/match.h):
 * lowercased, comma-separated and comma-enclosed (",tech,ai,"); NULL
 * for none.
 */
static char *
tags_key(const char *tags)
{
	struct buf b;
	const char *p = tags;

	if (tags == NULL)
		return NULL;
	buf_init(&b, 0);
	while (*p != '\0') {
		size_t n;

		p += strspn(p, ", \t");
		if ((n = strcspn(p, ", \t")) == 0)
			break;
		buf_putc(&b, ',');
		for (size_t i = 0; i < n; i++)
			buf_putc(&b, (char)tolower((unsigned char)p[i]));
		p += n;
	}
	if (b.len == 0) {
		buf_cleanup(&b);
		return NULL;
	}
	buf_putc(&b, ',');
	return buf_detach(&b);
}

/* fc's row made active, its URL and tags set: 0; 1 when the database
 * has no feed of its name; -1 on an error.  *moved: its URL changed. */
static int
sync_one(struct store *st, const struct feed_conf *fc, int *moved)
{
	sqlite3_stmt *s;
	int64_t id;
	int same, rc;
	char *tags = tags_key(fc->tags);

	if ((s = store_query(st, SQ_FEED_BY_NAME,
	    "SELECT id, url FROM feeds WHERE name = ?", "s", fc->def.name)) ==
	    NULL) {
		free(tags);
		return -1;
	}
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		free(tags);
		return 1;	/* a name new to the database */
	}
	id = sqlite3_column_int64(s, 0);
	same = strcmp((const char *)sqlite3_column_text(s, 1), fc->url) == 0;
	sqlite3_reset(s);
	if (same)
		rc = store_run(st, SQ_FEED_ACTIVE,
		    "UPDATE feeds SET active = 1, tags = ?3 WHERE id = ?1",
		    "Iss", id, fc->url, tags);
	else {
		/* A new URL is a new server: its validators mean nothing. */
		*moved = 1;
		rc = store_run(st, SQ_FEED_URL,
		    "UPDATE feeds SET url = ?2, active = 1, tags = ?3, etag = NULL,"
		    " last_modified = NULL, body_hash = NULL, gone = 0,"
		    " consecutive_errors = 0, redirect_url = NULL,"
		    " next_due = 0 WHERE id = ?1", "Iss", id, fc->url, tags);
	}
	free(tags);
	return rc;
}

/*
 * A feed of a name new to the database: the feed no longer configured
 * under its own name that has its URL, renamed (the latest fetched of
 * them), else a new one.  A section renamed in the configuration keeps
 * its feed's items and validators: inserted anew, its next fetch stored
 * every item again, each joining its own story as a second source and
 * moving its entry's updated, so readers showed them all again.
 */
static int
add_one(struct store *st, const struct feed_conf *fc, int *renamed)
{
	char	*tags = tags_key(fc->tags);
	int	 rc;

	rc = store_run(st, SQ_FEED_RENAME,
	    "UPDATE feeds SET name = ?1, active = 1, tags = ?3 WHERE id ="
	    " (SELECT id FROM feeds WHERE url = ?2 AND active = 0"
	    " ORDER BY last_fetch DESC, id DESC LIMIT 1)", "sss", fc->def.name,
	    fc->url, tags);
	if (rc == 0 && sqlite3_changes(st->db) > 0)
		*renamed = 1;
	else if (rc == 0)
		rc = store_run(st, SQ_FEED_INSERT,
		    "INSERT INTO feeds (name, url, tags) VALUES (?, ?, ?)",
		    "sss", fc->def.name, fc->url, tags);
	free(tags);
	return rc;
}

/*
 * A feed renamed or moved to a new URL shows so in the outputs (each
 * entry's source): the generation moves, or a restart or a reload found
 * the files current and kept the old name until the next story.
 */
int
store_sync_feeds(struct store *st, const struct config *cfg)
{
	int rc, shown = 0;
	char *added = xcalloc(cfg->nfeeds + 1, 1);

	if (store_begin(st) == -1) {
		free(added);
		return -1;
	}
	rc = store_run(st, SQ_FEED_DEACTIVATE,
	    "UPDATE feeds SET active = 0 WHERE active = 1", "");
	/* the names the database has first: what is left is not theirs */
	for (size_t i = 0; rc == 0 && i < cfg->nfeeds; i++)
		if ((rc = sync_one(st, &cfg->feeds[i], &shown)) == 1) {
			added[i] = 1;
			rc = 0;
		}
	for (size_t i = 0; rc == 0 && i < cfg->nfeeds; i++)
		if (added[i])
			rc = add_one(st, &cfg->feeds[i], &shown);
	free(added);
	if (rc == 0 && shown)
		rc = store_bump_generation(st);
	return store_end(st, rc);
}

int
store_feed_get(struct store *st, const char *name, struct feed_row *out)
{
	sqlite3_stmt *s = store_query(st, SQ_FEED_GET, feed_get_sql, "s", name);
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		store_cols_read(s, 0, out, &feed_cols);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int
store_feeds_each(struct store *st, store_feed_fn fn, void *arg)
{
	sqlite3_stmt *s;
	struct feed_row row;
	int	 rc;

	/* a statement of its own: fn may read the store too */
	if (sqlite3_prepare_v2(st->db, feed_each_sql, -1, &s, NULL) !=
	    SQLITE_OK) {
		store_keep_error(st);
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&row, 0, sizeof(row));
		store_cols_read(s, 0, &row, &feed_cols);
		rc = fn(&row, arg);
		feed_row_cleanup(&row);
		if (rc == -1)
			break;
	}
	if (rc != SQLITE_DONE && rc != -1)
		store_keep_error(st);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_feed_save_state(struct store *st, const struct feed_row *r)
{
	sqlite3_stmt *s = store_query(st, SQ_FEED_SAVE,
	    "UPDATE feeds SET etag = ?2, last_modified = ?3, body_hash = ?4,"
	    " last_status = ?5, last_error = ?6, last_fetch = ?7,"
	    " last_success = ?8, next_due = ?9, consecutive_errors = ?10,"
	    " gone = ?11, redirect_url = ?12, fetches = ?13,"
	    " not_modified = ?14, due_by_server = ?15 WHERE id = ?1", "I",
	    r->id);

	if (s == NULL)
		return -1;
	store_cols_bind(s, 2, r, &feed_state_cols);
	return store_step_done(s);
}

int
store_host_hold_set(struct store *st, const char *host, int64_t until)
{
	return store_run(st, SQ_HOLD_SET,
	    "INSERT INTO host_holds (host, until) VALUES (?1, ?2)"
	    " ON CONFLICT (host) DO UPDATE SET until = ?2", "sI", host, until);
}

int
store_host_holds(struct store *st, int64_t now, struct host_hold **out,
    size_t *n)
{
	sqlite3_stmt *s = store_query(st, SQ_HOLD_LIST,
	    "SELECT host, until FROM host_holds WHERE until > ?1 ORDER BY host",
	    "I", now);
	int rc;

	*out = NULL;
	*n = 0;
	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		(*out)[*n].host = store_col_str(s, 0);
		(*out)[(*n)++].until = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		host_holds_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

void
host_holds_free(struct host_hold *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i].host);
	free(v);
}
