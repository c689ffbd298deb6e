/*
 * store_int: what the storage/ files share and nobody else sees: the
 * struct store, its cache of prepared statements, transaction helpers
 * and column readers.
 */
#ifndef FEEDD_STORE_INT_H
#define FEEDD_STORE_INT_H

#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/itemkey.h"
#include "storage/store.h"

/* One slot per cached statement; the SQL lives where it is used. */
enum store_stmt_id {
	SQ_BEGIN, SQ_READ_BEGIN, SQ_COMMIT, SQ_GEN_GET, SQ_GEN_BUMP,
	SQ_FEED_BY_NAME, SQ_FEED_GET, SQ_FEED_INSERT, SQ_FEED_URL, SQ_FEED_ACTIVE,
	SQ_FEED_DEACTIVATE, SQ_FEED_RENAME, SQ_FEED_SAVE, SQ_FEED_MODE_GET,
	SQ_FEED_MODE_SET, SQ_FEED_DOC,
	SQ_ITEM_BY_KEY, SQ_ITEM_BY_CANON, SQ_ITEM_BY_TEXT, SQ_ITEM_TEXTS,
	SQ_ITEM_REKEY,
	SQ_ITEM_INSERT, SQ_STORY_REORDER, SQ_ITEM_STORY_REORDER, SQ_ITEM_NEXT_ID,
	SQ_ITEM_UPDATE, SQ_STORY_INSERT, SQ_STORY_BY_KEY,
	SQ_STORY_ALIAS,
	SQ_FTS_DEL, SQ_FTS_INS, SQ_TRI_DEL, SQ_TRI_INS,
	SQ_STORY_FILL, SQ_STORY_LIST, SQ_STORY_ITEMS, SQ_STORY_MORE, SQ_STORY_FILL_KEPT, SQ_STORY_FILL_RENDER,
	SQ_FEED_RENDER,
	SQ_HTML_CONTENT, SQ_STORY_CLAIM_ID,
	SQ_STORY_RAW, SQ_STORY_COUNT_EST, SQ_RULE_ALERTS_UPTO,
	SQ_FEED_ITEMS_UPTO, SQ_ALERT_COUNT_EST,
	SQ_HTML_PUT, SQ_HTML_SLOTS,
	SQ_ALERT_INSERT, SQ_ALERT_FIRST, SQ_ALERT_NEWEST, SQ_ALERT_CHECKED, SQ_ALERT_PENDING, SQ_ALERT_WRITTEN,
	SQ_RECENT_ITEMS, SQ_RECENT_ALERTS,
	SQ_HOLD_SET, SQ_HOLD_LIST,
	SQ_NSTMT
};

struct store_ckpt;
struct group_index;

/* An SQLite error kept past the reset or ROLLBACK that clears it. */
struct store_error {
	int	 code;			/* extended; SQLITE_OK: none */
	char	 msg[256];
};

struct store {
	sqlite3	*db;
	char	*path;
	enum store_mode mode;
	store_busy_fn busy;		/* while migrating (store_open_busy) */
	void	*busy_arg;
	int64_t	 busy_at;		/* its last call, monotonic ms; 0 none */
	int	 depth;			/* store_begin calls not yet ended */
	int	 damaged;		/* an error said the file is damaged */
	int	 moved;			/* its path names another file now */
	int64_t	 busy_since;		/* writer_busy: monotonic ms */
	int64_t	 locked_out_until;
	int	 lost;			/* the open batch was rolled back */
	struct store_error lost_by;	/* store_batch_commit reports it,
					 * not a later call's OK */
	sqlite3_stmt *stmt[SQ_NSTMT];
	struct store_ckpt *ckpt;	/* NULL: SQLite checkpoints inline */
	/* story grouping (group.c): off unless store_set_grouping */
	int	 group_on;
	int64_t	 group_window;
	struct group_index *grp;	/* NULL: built on next use */
	/* the items a rule's condition is asked about (feedd_match_lo
	 * and _hi in match_sql's subqueries); all but while matching */
	int64_t	 match_lo, match_hi;
	char	 errtext[512];		/* store_errmsg's answer */
	/* why the last rolled-back transaction (or a step whose
	 * statement was reset since: store_keep_error) failed: ROLLBACK
	 * and resets clear SQLite's error, and store_errmsg is asked
	 * after them */
	struct store_error rb;
	int	 io_errno;		/* a temporary file of the store's
					 * own failed: store_errmsg says so,
					 * once */
};

/* Why the last call failed, the cause named ("disk full"); no path. */
const char *store_cause(struct store *st);

/*
 * store_group.c: the grouping index of st in *out, built from the
 * items of the window on first use and aged to now; NULL when grouping
 * is off.  -1 when it could not be read.
 * store_group_drop forgets it (a rollback or a prune changed what it
 * mirrors): it is built again when next needed.
 */
int	 store_group_index(struct store *st, int64_t now,
	    struct group_index **out);
void	 store_group_drop(struct store *st);

/*
 * The cached statement for slot id, prepared from sql on first use,
 * reset and unbound; NULL on a prepare error (store_errmsg says why).
 */
sqlite3_stmt *store_stmt(struct store *st, enum store_stmt_id id,
	    const char *sql);
/* Runs a cached statement that returns no rows: 0 or -1 (also for NULL). */
int	 store_step_done(sqlite3_stmt *s);
/* Runs a cached statement for one integer (its first column; -1 for no
 * row, an error or NULL) and resets it. */
int64_t	 store_step_int64(sqlite3_stmt *s);
/* Counts the rows of a filter (key: the rule's or feed's name) up to
 * upto: at most upto, or -1 on an error. */
typedef int64_t (*store_count_fn)(struct store *st, const char *key,
	    int64_t upto);
/*
 * Whether walking total rows in display order, testing each for a
 * filter, finds the first limit it keeps sooner than reading each row
 * it keeps and sorting them: a walk tests about limit * total / kept
 * rows, at most total, reading them costs kept, so 1 (walk) when kept^2
 * >= limit * total or kept >= total / 2, give or take a factor of two
 * (kept_upto counts them only that far), else 0; -1 on an error (total
 * too).  0 for limit <= 0: no walk stops early.  Always walking, a rule
 * with 3 alerts on a 10,000-feed store tested all 276,000 stories, 1.1
 * s at each write of the outputs.
 */
int	 store_walk_is_shorter(struct store *st, int64_t total, int limit,
	    store_count_fn kept_upto, const char *key);
/* store_count_fn for a rule's alerts (alerts_db.c). */
int64_t	 store_rule_alerts_upto(struct store *st, const char *rule,
	    int64_t upto);
/*
 * Binds the parameters of s from ?1 on, one a letter of fmt, each the
 * next argument: 'i' int, 'I' int64_t, 's' const char * (NULL binds
 * NULL; not copied: valid until the step), 't' int64_t time
 * (FEED_TIME_NONE binds NULL), 'l' int LIMIT (<= 0: none).  0, or -1 at
 * the first bind that fails.
 */
int	 store_bind(sqlite3_stmt *s, const char *fmt, ...);
int	 store_bindv(sqlite3_stmt *s, const char *fmt, va_list ap);
/* store_stmt, then store_bind: the statement to step, or NULL. */
sqlite3_stmt *store_query(struct store *st, enum store_stmt_id id,
	    const char *sql, const char *fmt, ...);
/*
 * store_query, then store_step_done (no rows wanted): 0 or -1.  A macro:
 * a function would repeat store_query's va_list handling.
 */
#define store_run(st, id, sql, ...) \
	store_step_done(store_query((st), (id), (sql), __VA_ARGS__))
/* Runs ad-hoc SQL (no rows): 0 or -1. */
int	 store_exec(struct store *st, const char *sql);

/* Keeps -wal and -shm when the connection closes (db.c says why). */
void	 store_persist_wal(sqlite3 *db);

/* BEGIN IMMEDIATE, or one level more inside an open transaction. */
int	 store_begin(struct store *st);
int	 store_commit(struct store *st);
void	 store_rollback(struct store *st);
/* Keeps the connection's error for store_errmsg before a reset of
 * another statement clears it. */
void	 store_keep_error(struct store *st);
/* Ends a transaction: commits when rc is 0, else rolls back; 0 or -1. */
int	 store_end(struct store *st, int rc);
/*
 * Cleans each of the n elements of size bytes at rows (cleanup, given
 * arg), then frees rows.
 */
void	 store_rows_free(void *rows, size_t n, size_t size,
	    void (*cleanup)(void *elem, void *arg), void *arg);
/*
 * Steps q to its end, or limit rows (<= 0: all), each into a zeroed
 * element of size bytes that read fills (0, or -1 to fail).  0 with the
 * array (NULL when empty) in *rows and its length in *n; or -1 with the
 * elements read so far cleaned up (cleanup) and freed.  Both are given
 * arg.
 */
int	 store_read_rows(sqlite3_stmt *q, int limit, size_t size,
	    int (*read)(sqlite3_stmt *q, void *elem, void *arg), void *arg,
	    void (*cleanup)(void *elem, void *arg), void **rows, size_t *n);
/* PRAGMA user_version: the migrations applied, or -1. */
int	 store_user_version(struct store *st);
/* Moves the generation counter; call inside the changing transaction. */
int	 store_bump_generation(struct store *st);

/* Column readers: NULL / FEED_TIME_NONE for SQL NULL. */
char	*store_col_str(sqlite3_stmt *s, int col);
int64_t	 store_col_time(sqlite3_stmt *s, int col);
/*
 * A result column read into a row struct's member, by the member's type
 * (char *: store_col_str; int64_t, int: as SQLite gives them);
 * STORE_COL_TIME reads an int64_t with store_col_time.
 */
enum store_col_kind {
	STORE_COL_STR,
	STORE_COL_I64,
	STORE_COL_INT,
	STORE_COL_T,
};

struct store_col {
	enum store_col_kind kind;
	size_t	 off;
};

#define STORE_COL(type, member) { _Generic(((type *)0)->member, \
	char *: STORE_COL_STR, int64_t: STORE_COL_I64, int: STORE_COL_INT), \
	offsetof(type, member) }
#define STORE_COL_TIME(type, member) { _Generic(((type *)0)->member, \
	int64_t: STORE_COL_T), offsetof(type, member) }
/* A table of them: STORE_COLS(array). */
struct store_cols {
	const struct store_col *col;
	size_t	 n;
};

#define STORE_COLS(a)	{ a, sizeof(a) / sizeof((a)[0]) }

/* Reads c's columns, from first on in order, into row's members. */
void	 store_cols_read(sqlite3_stmt *s, int first, void *row,
	    const struct store_cols *c);
/*
 * Frees row's string members in c: the table that says which columns
 * a row's strings come from also says what its cleanup frees.
 */
void	 store_cols_free(void *row, const struct store_cols *c);
/*
 * store_read_rows' read and cleanup for rows that are their columns:
 * arg is c.
 */
int	 store_cols_fill(sqlite3_stmt *q, void *elem, void *arg);
void	 store_cols_clear(void *elem, void *arg);
/* Binds row's members in c, in order, to the parameters from first on. */
void	 store_cols_bind(sqlite3_stmt *s, int first, const void *row,
	    const struct store_cols *c);
/*
 * Newest stories first (s: the stories table), the order of the
 * stories_newest index: the listings, the outputs and retention agree.
 */
#define STORY_NEWEST	"s.sort_time DESC, s.id DESC"

/*
 * The outputs' order of a story, kept in its row (schema version 9) so
 * that they read it from an index, with no sort: SET clause of an
 * UPDATE of stories.  From the story's items, by id: first_item, their
 * number, newest_seen (the newest's first_seen), and shown_at, the date
 * the outputs sort it by, which is feeds/entry.c's prepare_dates and
 * prepare_related in SQL: the first item's published, no later than it
 * was first seen; its updated, never before published; else the
 * story's sort time (its first seen when 0); then moved to newest_seen
 * if that item joined STORE_JOIN_LATER or more after the first.  An
 * updated still ahead of the render's clock counts as first seen: while
 * it is (the render's now < early_until), shown_at_early is the date
 * (early_until is NULL when that makes no difference).  A story with
 * no items gets NULLs.  It is set again whenever an item comes or
 * changes (store_story_joined; items_db.c), and by the prune for the
 * stories it took items from.
 */
#define STORE_SQL_STR_(x)	#x
#define STORE_SQL_STR(x)	STORE_SQL_STR_(x)
#define STORE_JOIN_LATER_SQL	STORE_SQL_STR(STORE_JOIN_LATER)
/* A published date no later than first seen (fs). */
#define STORY_ORDER_PUB(pub, fs) \
	"CASE WHEN " pub " > " fs " THEN " fs " ELSE " pub " END"
#define STORY_ORDER_DATE(upd) \
	"coalesce(CASE WHEN " upd " < pub THEN pub ELSE " upd " END, pub," \
	" CASE WHEN st != 0 THEN st ELSE fs END)"
#define STORY_ORDER_KEY(d) \
	"CASE WHEN nf >= fs + " STORE_JOIN_LATER_SQL " AND nf > " d \
	" THEN nf ELSE " d " END"
/* From base's row (iid, fs, pub, upd, st, n, nf): the six columns. */
#define STORY_ORDER_FROM(base) \
	"SELECT iid, n, nf, k, ke, CASE WHEN k IS NOT ke THEN upd END FROM" \
	" (SELECT iid, n, nf, upd, " STORY_ORDER_KEY("d") " AS k, " \
	STORY_ORDER_KEY("de") " AS ke FROM (SELECT iid, n, nf, fs, upd, " \
	STORY_ORDER_DATE("upd") " AS d, " STORY_ORDER_DATE("fs") " AS de" \
	" FROM (" base ")))"
#define STORY_ORDER_COLS \
	"(first_item, nitems, newest_seen, shown_at, shown_at_early," \
	" early_until)"
/* A story's six columns as its items say now, its number of items n. */
#define STORY_ORDER_WITH(n) \
	"(" STORY_ORDER_FROM("SELECT f.id AS iid," \
	" f.first_seen AS fs, " STORY_ORDER_PUB("f.published", "f.first_seen") \
	" AS pub, f.updated AS upd," \
	" stories.sort_time AS st," \
	" " n " AS n," \
	" (SELECT l.first_seen FROM items l WHERE l.story_id = f.story_id" \
	" ORDER BY l.id DESC LIMIT 1) AS nf FROM items f" \
	" WHERE f.story_id = stories.id ORDER BY f.id LIMIT 1") ")"
#define STORY_ORDER_COUNT \
	"(SELECT count(*) FROM items c WHERE c.story_id = f.story_id)"
#define STORY_ORDER_NOW STORY_ORDER_WITH(STORY_ORDER_COUNT)
#define STORY_ORDER_SET " " STORY_ORDER_COLS " = " STORY_ORDER_NOW
/*
 * STORY_ORDER_SET for a story with d items more (the SQL of a number)
 * than its row says: the count kept, not counted again, unless none is
 * kept.  Counted, each item that joined a story of k items stepped
 * over k index entries: `once` of 8,000 feeds posting one link took
 * 1.38 s, 0.51 s with the count kept.
 */
#define STORY_ORDER_SET_ADDED(d) " " STORY_ORDER_COLS " = " \
	STORY_ORDER_WITH("coalesce(stories.nitems + " d ", " \
	STORY_ORDER_COUNT ")")
/*
 * A new story of one item, in its place: key ?1, first seen ?2, sort
 * time ?3; the item's id ?4, published ?5, updated ?6.  As
 * STORY_ORDER_SET would set it once the item is in, without an UPDATE
 * (a cold cycle spent 8% more CPU with it).  One row of VALUES: an
 * INSERT ... SELECT may write several rows, so SQLite gives it a
 * statement journal, which cost more than the UPDATE did.
 */
#define STORY_INSERT_ONE \
	"WITH o (iid, n, nf, k, ke, eu) AS (" STORY_ORDER_FROM("SELECT" \
	" ?4 AS iid, ?2 AS fs, " STORY_ORDER_PUB("?5", "?2") " AS pub," \
	" ?6 AS upd, ?3 AS st, 1 AS n, ?2 AS nf") ")" \
	" INSERT INTO stories (key, first_seen, sort_time, first_item," \
	" nitems, newest_seen, shown_at, shown_at_early, early_until)" \
	" VALUES (?1, ?2, ?3, ?4, 1, ?2, (SELECT k FROM o)," \
	" (SELECT ke FROM o), (SELECT eu FROM o))"

/* Sets story_id's place in the outputs' order again, once an item
 * joined it: 0, else -1. */
int	 store_story_joined(struct store *st, int64_t story_id);

/* Binds LIMIT ?col: limit, or none (-1) when limit <= 0. */
int	 store_bind_limit(sqlite3_stmt *s, int col, int limit);
/* Binds a time, FEED_TIME_NONE as NULL. */
int	 store_bind_time(sqlite3_stmt *s, int col, int64_t t);
/* Binds a string or NULL, without copying (valid until the step). */
int	 store_bind_str(sqlite3_stmt *s, int col, const char *v);

/*
 * ckpt.c: checkpoints on a thread with its own connection, for a
 * writer (NULL when that cannot start: checkpoints stay inline).
 * store_ckpt_wait runs before a transaction begins.
 */
struct store_ckpt *store_ckpt_start(struct store *st);
void	 store_ckpt_wait(struct store_ckpt *c);
void	 store_ckpt_kick(struct store_ckpt *c);
void	 store_ckpt_stop(struct store *st, struct store_ckpt *c);

/*
 * store_prepare_doc's work: keys and, when asked, full-text bodies.
 * On a worker thread it also works out, for each mode the feed may be
 * in, the mode the document moves it to and each item's key and
 * duplicate flag (quadratic string compares, a few percent of the
 * loop's time when every feed is new).
 */
struct store_prep {
	struct item_keys *k;
	char	**bodies;		/* NULL: computed when needed */
	unsigned char *tri;		/* with bodies: items_tri wants it */
	struct headline **hl;		/* NULL: made when needed; an item's
					 * is taken (NULLed) by the index */
	int	 per_mode;		/* the three below are filled */
	int	 mode_after[ID_MODE_HASH + 1];
	const char **key[ID_MODE_HASH + 1];
	unsigned char *dup[ID_MODE_HASH + 1];
	size_t	 n;
};

/* prep.c: flags as store_prepare_doc's; with per_mode, the
 * mode_after/key/dup tables are filled. */
struct store_prep *store_prep_new(const struct feed_doc *doc, int flags,
	    int per_mode);
/* The full-text body of an item (see prep.c); caller frees. */
char	*store_item_body(const struct feed_item *it);
/* The same from the stored summary and content HTML (either NULL). */
char	*store_body_text(const char *summary, const char *content);
/* Its start, a name for an untitled item (NULL: no text); caller frees. */
char	*store_body_gist(const char *summary, const char *content);

/* migrate.c: brings the schema to the current version. */
#define STORE_SCHEMA_VERSION 13
int	 store_migrate(struct store *st, char **errstr);

/*
 * A read transaction for several statements (one each cost a listing
 * 40% more), unless one is open already: whether it began one, for
 * store_read_end, which ends it.
 */
int	 store_read_begin(struct store *st);
void	 store_read_end(struct store *st, int began);

/*
 * A story row's columns: all of them, or those a listing (items,
 * stories, search, alerts --test) prints: without the item's summary,
 * content and content base.
 */
enum story_detail {
	STORY_WHOLE,
	STORY_LISTED,
};

/* stories_db.c: fills row from item item_id (the story's nsources). */
int	 store_story_fill(struct store *st, int64_t item_id,
	    enum story_detail detail, struct story_row *row);
void	 store_story_cleanup(struct story_row *row);
/* SQL: the representative (first seen) item of story s, NULL when none. */
#define STORY_REP(s)	"(SELECT min(id) FROM items WHERE story_id = " s ".id)"
/*
 * Steps q (first column: item ids, in order; a story's: STORY_REP) and
 * fills one row per item (of that detail), at most limit (<= 0: all),
 * given to fn and freed after it (store_story_fn); resets q.  The
 * story's columns are read once for a run of rows of one story.
 * store_stories_collect returns the rows (whole) instead.
 */
int	 store_stories_walk(struct store *st, sqlite3_stmt *q, int limit,
	    enum story_detail detail, store_story_fn fn, void *arg);
int	 store_stories_collect(struct store *st, sqlite3_stmt *q, int limit,
	    struct story_row **rows, size_t *n);

#endif
