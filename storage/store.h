/*
 * store: feedd's SQLite database, the one place that knows its schema.
 * WAL mode, busy_timeout, foreign keys; versioned migrations; prepared
 * statements; the daemon's writes grouped in batches of many fetched
 * feeds per transaction (store_batch_begin).  Other processes (the
 * query commands) read while the daemon writes.
 *
 * Model: a feed (one per [feed] section) has items; an item is one entry
 * of one feed, identified within the feed by a key (sane guid, else the
 * canonical link, else a hash of title and date).  Items with the same
 * canonical URL, from any feed, belong to one story; with grouping on,
 * so do items of other feeds that report the same event (group.h).
 * Outputs and alerts work on stories.  Full-text tables: see
 * config/match.h and storage/match_sql.c.
 *
 * All returned rows and strings are owned by the caller and released
 * with the matching _cleanup / _free function.
 */
#ifndef FEEDD_STORE_H
#define FEEDD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "feeds/feed.h"

struct store;
struct sqlite3;

enum store_mode {
	STORE_READWRITE,	/* creates and migrates the database */
	STORE_READONLY,		/* fails when it does not exist */
};

/*
 * 0, or -1 with *errstr ("PATH: reason"; caller frees).  A store is
 * used by one thread at a time (SQLite's per-call mutex is off).
 */
int	 store_open(const char *path, enum store_mode mode,
	    struct store **out, char **errstr);
/*
 * store_open that calls busy(arg) while it brings the schema up to
 * date: once when an upgrade starts, then about once a second (a large
 * database can take minutes: the daemon tells systemd it is still
 * starting).
 */
typedef void (*store_busy_fn)(void *arg);
int	 store_open_busy(const char *path, enum store_mode mode,
	    store_busy_fn busy, void *arg, struct store **out, char **errstr);
void	 store_close(struct store *st);			/* NULL ok */
/*
 * What is committed goes into the database file now, beside the
 * caller, not in store_close after it: before the last reads of a run
 * that is about to close the store.
 */
void	 store_checkpoint_soon(struct store *st);
struct sqlite3 *store_sqlite(struct store *st);
/* The last SQLite error message of this connection. */
const char *store_errmsg(struct store *st);
/* Whether an error reported since the store was opened said its file
 * is damaged (it stays so: only `feedd repair` mends it). */
int	 store_damaged(const struct store *st);
/*
 * 1 when the database's path no longer names the file open here
 * (deleted, renamed, replaced), checked now; it stays 1.  A writer's
 * transactions then fail: their writes would be lost with the process.
 */
int	 store_moved(struct store *st);

/*
 * Groups the store_* writes that follow into one transaction, committed
 * by store_batch_commit: one commit (WAL append, checkpoint) per many
 * fetched feeds instead of one per feed.  Commit before anything leaves
 * the process on the strength of the batch (alert log lines, outputs).
 * A kill before the commit, or a store_* call failing inside the batch
 * (which rolls the whole batch back; the calls after it commit one by
 * one), loses the batch whole, feed state included: those feeds' next
 * fetch is unconditional and stores their items again.  Nothing a
 * commit reported stored is lost.  store_batch_commit: 0, or -1 when
 * the batch (or part of it) was rolled back.
 */
int	 store_batch_begin(struct store *st);
int	 store_batch_commit(struct store *st);

/*
 * Story grouping (storage/group.h): with on, a new item whose link is
 * new to feedd joins the story of an item from another feed, first
 * seen within window seconds, that reports the same event.  Off by
 * default.
 */
void	 store_set_grouping(struct store *st, int on, int64_t window);

/* ---- feeds ---- */

struct feed_row {
	int64_t	 id;
	char	*name;
	char	*url;
	int	 active;		/* still in the config */
	/* conditional GET */
	char	*etag;
	char	*last_modified;
	char	*body_hash;		/* of the last 200 body */
	/* status */
	int	 last_status;		/* HTTP status, 0 for none/transport error */
	char	*last_error;		/* NULL when the last fetch succeeded */
	int64_t	 last_fetch;		/* Unix seconds; 0 never */
	int64_t	 last_success;
	int64_t	 next_due;
	int	 consecutive_errors;
	int	 gone;			/* 410: no longer polled */
	char	*redirect_url;		/* last permanent redirect target */
	int64_t	 fetches;
	int64_t	 not_modified;		/* 304 answers among fetches */
	int64_t	 items;			/* stored items (read-only) */
	/* from the document */
	char	*title;
	char	*link;
	/* next_due came from the server (Retry-After, max-age) or backoff */
	int	 due_by_server;
};

/* A host a 429/503 Retry-After held off, until Unix seconds. */
struct host_hold {
	char	*host;
	int64_t	 until;
};

void	 feed_row_cleanup(struct feed_row *row);
void	 feed_rows_free(struct feed_row *rows, size_t n);

/*
 * Makes the feeds table follow the config: new names are added (due
 * now), changed URLs updated (conditional-GET state reset), names no
 * longer configured marked inactive (their items are kept).
 */
int	 store_sync_feeds(struct store *st, const struct config *cfg);
/* 0 found, 1 not found, -1 error. */
int	 store_feed_get(struct store *st, const char *name, struct feed_row *out);
/*
 * Every feed, a row at a time, by name, in memory that does not grow
 * with the feeds: fn gets each (freed after it; it may take strings out
 * of it) and returns 0 to go on, -1 to stop (the call then returns -1,
 * as on an error).
 */
typedef int (*store_feed_fn)(struct feed_row *row, void *arg);
int	 store_feeds_each(struct store *st, store_feed_fn fn, void *arg);
/* Holds host (fetch_url_host) until then, for every later process. */
int	 store_host_hold_set(struct store *st, const char *host, int64_t until);
/* The holds still running at now (caller frees with host_holds_free). */
int	 store_host_holds(struct store *st, int64_t now, struct host_hold **v,
	    size_t *n);
void	 host_holds_free(struct host_hold *v, size_t n);
/* Writes the fetch-state columns of row (by row->id). */
int	 store_feed_save_state(struct store *st, const struct feed_row *row);

/* ---- items and stories ---- */

struct store_put_result {
	int	 new_items;		/* items this feed had not stored */
	int	 updated_items;		/* stored, content changed */
	int	 new_stories;		/* of the new items, stories new to feedd */
};

/*
 * Stores a parsed document for feed_id in one transaction (or inside
 * the open batch, whose commit makes it durable): picks item
 * keys (falling back when the feed's ids repeat or change every fetch),
 * inserts new items, updates changed ones in place, joins items to
 * stories by canonical URL, indexes text, takes the document's title
 * and link.  New items wait for alert matching (store_alerts_match).
 */
int	 store_put_doc(struct store *st, int64_t feed_id,
	    const struct feed_doc *doc, int64_t now,
	    struct store_put_result *res, char **errstr);

/*
 * store_put_doc in two steps.  store_prepare_doc does the part that
 * needs no database (item keys; with PREP_BODIES, the full text of
 * every item, which a first fetch indexes whole; with PREP_HEADLINES,
 * what story grouping compares of each title, for a first fetch with
 * grouping on): it only reads doc and is safe on any thread, so the
 * daemon runs it off its loop.  The prep belongs to doc (it points
 * into it) and serves one store_put_prepared, which takes its
 * headlines into the grouping index.
 */
struct store_prep;
enum { PREP_BODIES = 1, PREP_HEADLINES = 2 };
struct store_prep *store_prepare_doc(const struct feed_doc *doc, int flags);
void	 store_prep_free(struct store_prep *prep);		/* NULL ok */
/* Item i's full-text body, when prepared with bodies (else NULL). */
const char *store_prep_body(const struct store_prep *prep, size_t i);
int	 store_put_prepared(struct store *st, int64_t feed_id,
	    const struct feed_doc *doc, struct store_prep *prep,
	    int64_t now, struct store_put_result *res, char **errstr);

/*
 * A story's entry shows a later date when its newest item joined this
 * many seconds or more after its first (a later poll: one poll's items
 * arrive within a minute): feeds/entry.c and store_stories_each's order.
 */
#define STORE_JOIN_LATER	60

/* Another item of a story: where it came from (for the outputs). */
struct story_source {
	char	*feed_name;
	char	*feed_title;
	char	*link;
};

/*
 * A row's others hold each link once, the first item with it, and at
 * most this many: an entry shows 32 (feeds/entry.c, after leaving out
 * links it cannot show), and a link a thousand feeds posted must not
 * cost the render a thousand rows held.
 */
#define STORE_SOURCES_MAX 128

/*
 * An item's HTML as the outputs show it, kept between renders (the
 * render cache, table item_html): feeds/entry.c makes it and says in
 * key what from (entry_html_key); the store drops it with its item
 * and when the item's HTML changes.
 */
struct story_html {
	int	 row_kept;		/* the row came from the cache: its
					   summary and content were not read */
	int64_t	 key;			/* 0: none kept */
	char	*content;		/* sanitized HTML, or NULL */
	char	*summary;		/* sanitized HTML, or NULL */
	char	*summary_text;		/* the summary as text, or NULL */
};

struct story_row {
	int64_t	 story_id;
	int64_t	 item_id;		/* the item this row shows */
	char	*entry_id;		/* the item's original id, or NULL */
	char	*title;
	char	*link;
	char	*author;
	char	*summary;
	char	*content;
	char	*content_base;		/* what content's relative URLs
					 * resolve against, or NULL */
	char	**categories;
	size_t	 ncategories;
	struct feed_enclosure *enclosures;	/* every item's of the story; length -1: not given */
	size_t	 nenclosures;
	int64_t	 published;		/* FEED_TIME_NONE when unknown */
	int64_t	 updated;		/* FEED_TIME_NONE when unknown */
	int64_t	 first_seen;
	/*
	 * The story's date: the item's (published, else updated), else
	 * its feed's when first seen, else first seen; never later than
	 * first seen.  Stories are ordered by it.
	 */
	int64_t	 sort_time;
	/* the feed it came from (the first source) */
	char	*feed_name;
	char	*feed_title;
	char	*feed_link;
	char	*feed_url;
	char	*feed_doc_id;		/* the id the document gives itself */
	char	*feed_author;
	char	*feed_language;
	int64_t	 feed_updated;
	int	 nsources;		/* feeds this story arrived from */
	int	 nitems;		/* items in the story */
	int64_t	 last_seen;		/* first seen of its newest item (by id) */
	char	*why;			/* why the item joined by likeness */
	/* the story's other items with a link, oldest first, each link
	 * once (STORE_SOURCES_MAX) */
	struct story_source *others;
	size_t	 nothers;
	struct story_html html;		/* kept HTML (store_stories_each) */
	char	*shown_id;		/* the entry id the outputs gave it
					 * first (store_stories_each), or NULL */
};

void	 story_rows_free(struct story_row *rows, size_t n);

/* A row given to fn, freed after it; fn returns 0 to go on, -1 to stop
 * (the call then returns -1).  fn may take strings out of row. */
typedef int (*store_story_fn)(struct story_row *row, void *arg);

/*
 * Newest stories first (published, else updated, else first seen; a
 * date later than first seen counts as first seen), at most limit
 * (<= 0: all).  Each row is the story's first-seen item.
 * feed: only stories with an item from that feed (NULL: all).
 * rule: only stories that alerted on that rule (NULL: all).
 * The _each form gives the rows to fn one at a time: its memory does
 * not grow with limit (the read commands use it); the other returns
 * them all.
 */
int	 store_stories_newest_each(struct store *st, const char *feed,
	    const char *rule, int limit, store_story_fn fn, void *arg);
/*
 * The same (no feed, no rule), each story with all its items, in the
 * order they arrived (store_story_items; items[0] is row's item), read
 * in the same transaction a few hundred stories at a time: one each
 * made `stories --limit 300000` half as slow again.  Freed after fn.
 */
typedef int (*store_story_items_fn)(struct story_row *row,
	    struct story_row *items, size_t nitems, void *arg);
int	 store_stories_items_each(struct store *st, int limit,
	    store_story_items_fn fn, void *arg);
int	 store_stories_newest(struct store *st, const char *feed,
	    const char *rule, int limit, struct story_row **rows, size_t *n);

/*
 * Items, story by story (newest stories first, as store_stories_newest;
 * within a story in the order they arrived), at most limit items (<= 0:
 * all).  feed: only stories with an item from that feed.  _each: as
 * store_stories_newest_each.
 */
int	 store_items_newest_each(struct store *st, const char *feed,
	    int limit, store_story_fn fn, void *arg);
int	 store_items_newest(struct store *st, const char *feed, int limit,
	    struct story_row **rows, size_t *n);
/* Every item of a story, in the order they arrived. */
int	 store_story_items(struct store *st, int64_t story_id,
	    struct story_row **rows, size_t *n);

/*
 * The stories of store_stories_newest (no feed filter), one row at a
 * time in the order the outputs list them: by the updated date the
 * entry shows (feeds/entry.c, prepare_dates, as of now), newest first,
 * ties in store_stories_newest's order; each row with its others
 * when the story has more than one item.
 * Memory does not grow with limit.
 * A row the outputs showed before comes from the render cache
 * (store_html_put): html.row_kept, with the HTML as shown and without
 * the item's own summary and content (store_story_raw).
 */
int	 store_stories_each(struct store *st, const char *rule, int limit,
	    int64_t now, store_story_fn fn, void *arg);
/*
 * Keeps html (key non-zero) as row's item's render cache, for the rows
 * store_stories_each gives later.  Within store_stories_each (from
 * fn), it joins the pass's one transaction.  -1 when it could not be
 * written (the next render makes it again).
 */
int	 store_html_put(struct store *st, const struct story_row *row,
	    const struct story_html *html);

/*
 * Keeps id as the one the outputs show for story_id from now on, unless
 * another story shows it: 0, 1 when another does (the caller gives this
 * one an id of its own and claims that), -1 on an error or a read-only
 * store (the id is then not kept; the render goes on).
 */
int	 store_story_claim_id(struct store *st, int64_t story_id,
	    const char *id);
void	 story_html_cleanup(struct story_html *html);	/* frees, zeroes */
/* The item's own HTML, for a row read from the cache (html.row_kept),
 * and its content's base (story_row.content_base). */
int	 store_story_raw(struct store *st, int64_t item_id, char **summary,
	    char **content, char **content_base);

/*
 * Ranked full-text search (bm25, newest first on ties), query in the
 * alert language (config/match.h); one hit per story, the best item of
 * it, with a plain-text snippet.  -1 with *errstr on a bad query; -2
 * when the database fails (*errstr: store_errmsg, path and cause).
 */
struct search_hit {
	struct story_row story;
	char	*snippet;
};
void	 search_hits_free(struct search_hit *hits, size_t n);
/* A hit given to fn, freed after it: as store_story_fn. */
typedef int (*store_hit_fn)(struct search_hit *hit, void *arg);
/*
 * _each gives fn the hits a few hundred at a time (its memory does not
 * grow with the matches); the other returns them all.  -1: query is
 * not a valid expression; -2: the database failed, or fn stopped.
 */
int	 store_search_each(struct store *st, const char *query, int limit,
	    store_hit_fn fn, void *arg, char **errstr);
int	 store_search(struct store *st, const char *query, int limit,
	    struct search_hit **hits, size_t *n, char **errstr);

/* Stories whose items match a compiled expression, newest first; _each
 * as store_stories_newest_each. */
int	 store_match_test_each(struct store *st,
	    const struct match_expr *expr, int limit, store_story_fn fn,
	    void *arg);
int	 store_match_test(struct store *st, const struct match_expr *expr,
	    int limit, struct story_row **rows, size_t *n);

/*
 * A number that changes whenever the stored stories (or alerts) change;
 * outputs compare it to skip rewriting what did not change.
 */
int64_t	 store_generation(struct store *st);

/*
 * A number kept in the database under key (meta table) for a caller
 * outside storage/, e.g. the generation the outputs were written at.
 * get: 0 and *v, 1 when there is none, -1 on error.
 */
int	 store_mark_get(struct store *st, const char *key, int64_t *v);
int	 store_mark_set(struct store *st, const char *key, int64_t v);

/*
 * Deletes items first seen before `before`, except the stories among
 * the newest keep_newest (so the output never loses an entry), with
 * their full-text rows and the stories left without items.  Alert rows
 * stay: they are keyed by the story's canonical key, so a pruned story
 * that comes back never alerts twice on a rule.  At most limit items,
 * the oldest, in one transaction (0: all): a backlog goes in steps.
 * The number deleted, or -1.
 */
int	 store_prune(struct store *st, int64_t before, int keep_newest,
	    int limit);

/* ---- alerts ---- */

struct alert_row {
	int64_t	 id;
	char	*rule;
	int64_t	 story_id;
	char	*title;
	char	*link;
	char	*feed;			/* feed name */
	int64_t	 published;		/* FEED_TIME_NONE when unknown */
	int64_t	 fired_at;
	int	 written;		/* appended to the alert log */
};
void	 alert_rows_free(struct alert_row *rows, size_t n);

/*
 * Runs every rule over the items not yet checked, step of them at most
 * (0: all), in one transaction: an item alerts when it is new to feedd
 * (its story was first seen in this item) and published (or first seen)
 * within max_age of now.  A (rule, story) pair fires once, ever.  Marks
 * the items checked.  *fired counts new alert rows (pending: written =
 * 0).  Returns 1 when unchecked items are left, 0 when none, -1 on error.
 */
int	 store_alerts_match(struct store *st, const struct rule_conf *rules,
	    size_t nrules, int64_t max_age, int64_t now, int64_t step,
	    int *fired);
/*
 * What the daemon reads of the pending alerts at a time: read all at
 * once, 450,000 of them (8 feeds of 56,000 items, every title matching
 * a rule) took 80 MB.
 */
#define STORE_ALERTS_PAGE	1024
/* Alerts not yet appended to the log, oldest first: those after id
 * after, at most limit (<= 0: all). */
int	 store_alerts_pending(struct store *st, int64_t after, int limit,
	    struct alert_row **rows, size_t *n);
int	 store_alerts_mark_written(struct store *st, const int64_t *ids,
	    size_t n);
/* When the newest alert this database wrote to the log fired (Unix
 * seconds; 0 when none was): 0 or -1. */
int	 store_alerts_horizon(struct store *st, int64_t *t);
/* How many alerts wait for the log, and when the oldest fired (0 when
 * none): 0 or -1. */
int	 store_alerts_waiting(struct store *st, int64_t *n, int64_t *oldest);
/*
 * Items first seen, and alerts written to the log (or drained when
 * there is none), at or after since (Unix seconds): 0 or -1.
 */
int	 store_recent_counts(struct store *st, int64_t since, int64_t *items,
	    int64_t *alerts);
/* Fired alerts, newest first; rule may be NULL. */
int	 store_alerts_list(struct store *st, const char *rule, int limit,
	    struct alert_row **rows, size_t *n);

/*
 * A damaged database (a disk or a copy gone wrong; feedd(8), REPAIR).
 * store_check: the problems SQLite's integrity_check finds (at most 20)
 * and, when it finds none, those of the full-text indexes' own checks,
 * each passed to fn; returns their number, or -1 when the check could
 * not run (store_errmsg says why).  store_rebuild_derived makes again,
 * in one transaction, all that is derived from the tables: indexes,
 * full-text indexes, kept HTML: 0; 1 when damage was in its way (a
 * salvage may do what it could not); -1 when something else failed
 * (store_errmsg says what: a reader holding the file, a full disk).
 */
typedef void (*store_problem_fn)(const char *problem, void *arg);
/* Whether the file at path is damaged when store_open fails on it: 1,
 * 0 (sound: the failure is something else), -1 (it cannot be read). */
int	 store_file_damaged(const char *path);
int	 store_check(struct store *st, store_problem_fn fn, void *arg);
int	 store_rebuild_derived(struct store *st);

/*
 * store_salvage copies the rows that can still be read from the tables
 * of the damaged file (same schema version) into fresh, a new database
 * made by the migrations, drops rows whose parent row was lost, and
 * rebuilds the derived parts there.  tables (room for
 * STORE_SALVAGE_TABLES) says what each table kept and lost.  0, or -1
 * with *errstr.  The damaged file is only read.
 */
#define STORE_SALVAGE_TABLES 7
struct store_salvaged {
	const char *table;
	int64_t	 kept;			/* rows copied */
	int64_t	 lost;			/* rows listed but unreadable */
	int64_t	 dropped;		/* of kept: their parent was lost */
	int	 unreadable;		/* not even its schema row */
};
int	 store_salvage(const char *damaged, const char *fresh,
	    struct store_salvaged *tables, size_t *ntables, char **errstr);

#endif
