/*
 * alerts_db: running the rules over items not yet checked, and the
 * alerts table, where a (rule, story) pair fires once, ever: the alert
 * rows and the items' checked flags change in one transaction.
 */
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "storage/store_int.h"

/* Records the alert of rule for item id; *fired counts new rows. */
static int
fire(struct store *st, const char *rule, int64_t item, int64_t now,
    int *fired)
{
	if (store_run(st, SQ_ALERT_INSERT,
	    "INSERT INTO alerts (rule, story_key, item_id, title, link, feed,"
	    " published, fired_at) SELECT ?1, s.key, i.id,"
	    " coalesce(nullif(i.title, ''), feedd_gist(i.summary, i.content)),"
	    " i.link,"
	    " f.name, coalesce(i.published, i.updated), ?3 FROM items i"
	    " JOIN stories s ON s.id = i.story_id"
	    " JOIN feeds f ON f.id = i.feed_id WHERE i.id = ?2"
	    " ON CONFLICT (rule, story_key) DO NOTHING", "sII", rule, item,
	    now) == -1)
		return -1;
	*fired += sqlite3_changes(st->db);
	return 0;
}

/*
 * The rule's query, over the items first to last.  A rule FTS5 can take
 * whole (match_fts5) is asked of items_fts with rowid in that range:
 * FTS5 seeks its doclists to it, so the cost is that of the new items,
 * not of every stored one (match_sql's "rowid IN (SELECT ... MATCH ?)"
 * makes SQLite compute the match over the whole table on every call,
 * which made cold runs quadratic).  Other rules (terms without spaces,
 * a leading NOT) take match_sql as it is.
 */
static char *
rule_sql(const struct match_expr *e)
{
	if (match_fts5(e) != NULL)
		return xstrdup("SELECT id FROM items WHERE id IN (SELECT rowid"
		    " FROM items_fts WHERE items_fts MATCH ? AND rowid"
		    " BETWEEN ? AND ?) AND id BETWEEN ? AND ?"
		    " AND min(coalesce(published, updated, first_seen), ?) >= ?");
	return xasprintf("SELECT id FROM items WHERE (%s)"
	    " AND id BETWEEN ? AND ?"
	    " AND min(coalesce(published, updated, first_seen), ?) >= ?",
	    match_sql(e));
}

/* The items a step checks: ids first to last, and now's horizon. */
struct match_span {
	int64_t	 first, last, now, max_age;
};

static int
bind_rule(sqlite3_stmt *q, const struct match_expr *e,
    const struct match_span *sp)
{
	int i = 0;

	if (match_fts5(e) != NULL) {
		sqlite3_bind_text(q, ++i, match_fts5(e), -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, ++i, sp->first);
		sqlite3_bind_int64(q, ++i, sp->last);
	} else
		for (size_t k = 0; k < match_nparams(e); k++)
			sqlite3_bind_text(q, ++i, match_param(e, k), -1,
			    SQLITE_STATIC);
	sqlite3_bind_int64(q, ++i, sp->first);
	sqlite3_bind_int64(q, ++i, sp->last);
	sqlite3_bind_int64(q, ++i, sp->now);
	return sqlite3_bind_int64(q, ++i, sp->now - sp->max_age);
}

/*
 * One rule over the span's items that are recent: the date (published,
 * else updated, else first seen; future dates count as now) no older
 * than max_age.  An item that joined a stored story is one of them: a
 * story first seen from a feed whose item did not match (a news
 * aggregator's bare headline) alerts when the lab's own item joins it,
 * once per rule and story (fire's ON CONFLICT), whichever item matched
 * first.
 */
static int
match_rule(struct store *st, const struct rule_conf *r,
    const struct match_span *sp, int *fired)
{
	char *sql = rule_sql(r->expr);
	sqlite3_stmt *q = NULL;
	int rc = -1, step;

	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		goto out;
	bind_rule(q, r->expr, sp);
	st->match_lo = sp->first;
	st->match_hi = sp->last;
	while ((step = sqlite3_step(q)) == SQLITE_ROW)
		if (fire(st, r->def.name, sqlite3_column_int64(q, 0), sp->now,
		    fired) == -1)
			goto out;
	rc = step == SQLITE_DONE ? 0 : -1;
out:
	st->match_lo = INT64_MIN;
	st->match_hi = INT64_MAX;
	sqlite3_finalize(q);
	free(sql);
	return rc;
}

/* The first unchecked item id (above meta alert_mark); -1 on error. */
static int64_t
first_unchecked(struct store *st)
{
	return store_step_int64(store_stmt(st, SQ_ALERT_FIRST,
	    "SELECT value + 1 FROM meta WHERE key = 'alert_mark'"));
}

/*
 * The step's span: the unchecked items, step of them at most (all when
 * step is 0).  Whether items are left after it: 0 or 1; -1 on error.
 */
static int
step_span(struct store *st, int64_t step, struct match_span *sp)
{
	int64_t newest;

	if ((sp->first = first_unchecked(st)) == -1 ||
	    (newest = store_step_int64(store_stmt(st, SQ_ALERT_NEWEST,
	    "SELECT coalesce(max(id), 0) FROM items"))) == -1)
		return -1;
	sp->last = newest;
	if (step > 0 && newest - sp->first >= step) {
		sp->last = sp->first + step - 1;
		return 1;
	}
	return 0;
}

int
store_alerts_match(struct store *st, const struct rule_conf *rules,
    size_t nrules, int64_t max_age, int64_t now, int64_t step, int *fired)
{
	struct match_span sp = { .now = now, .max_age = max_age };
	int more;

	*fired = 0;
	if (store_begin(st) == -1)
		return -1;
	if ((more = step_span(st, step, &sp)) == -1)
		goto fail;
	for (size_t i = 0; i < nrules; i++)
		if (rules[i].expr && match_rule(st, &rules[i], &sp,
		    fired) == -1)
			goto fail;
	if (store_run(st, SQ_ALERT_CHECKED, "UPDATE meta SET value ="
	    " max(value, ?) WHERE key = 'alert_mark'", "I", sp.last) == -1)
		goto fail;
	if (store_end(st, *fired > 0 ? store_bump_generation(st) : 0) == 0)
		return more;
	*fired = 0;
	return -1;
fail:
	store_rollback(st);
	*fired = 0;
	return -1;
}

/* The columns of alerts a (from: the table, as the FROM clause names
 * it) and their stories. */
#define ALERT_COLS_FROM(from) \
	"a.id, a.rule, coalesce(s.id, 0), a.title, a.link, a.feed," \
	" a.published, a.fired_at, a.written FROM " from \
	" LEFT JOIN stories s ON s.key = a.story_key"
#define ALERT_COLS	ALERT_COLS_FROM("alerts a")

/* ALERT_COLS, in order, into a struct alert_row. */
static const struct store_col alert_col[] = {
	STORE_COL(struct alert_row, id),
	STORE_COL(struct alert_row, rule),
	STORE_COL(struct alert_row, story_id),
	STORE_COL(struct alert_row, title),
	STORE_COL(struct alert_row, link),
	STORE_COL(struct alert_row, feed),
	STORE_COL_TIME(struct alert_row, published),
	STORE_COL(struct alert_row, fired_at),
	STORE_COL(struct alert_row, written),
};
static const struct store_cols alert_cols = STORE_COLS(alert_col);

void
alert_rows_free(struct alert_row *rows, size_t n)
{
	store_rows_free(rows, n, sizeof(*rows), store_cols_clear,
	    (void *)&alert_cols);
}

static int
alerts_read(sqlite3_stmt *q, int limit, struct alert_row **rows, size_t *n)
{
	void	*v;
	int	 rc = store_read_rows(q, limit, sizeof(**rows), store_cols_fill,
	    (void *)&alert_cols, store_cols_clear, &v, n);

	*rows = v;
	return rc;
}

int
store_alerts_pending(struct store *st, int64_t after, int limit,
    struct alert_row **rows, size_t *n)
{
	sqlite3_stmt *q = store_query(st, SQ_ALERT_PENDING,
	    "SELECT " ALERT_COLS " WHERE a.written = 0 AND a.id > ?"
	    " ORDER BY a.id", "I", after);

	*rows = NULL;
	*n = 0;
	return q ? alerts_read(q, limit, rows, n) : -1;
}

int
store_alerts_horizon(struct store *st, int64_t *t)
{
	sqlite3_stmt *q;
	int rc;

	*t = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT max(fired_at) FROM alerts"
	    " WHERE written = 1", -1, &q, NULL) != SQLITE_OK)
		return -1;
	if ((rc = sqlite3_step(q)) == SQLITE_ROW)
		*t = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
store_alerts_waiting(struct store *st, int64_t *n, int64_t *oldest)
{
	sqlite3_stmt *q;
	int rc;

	*n = *oldest = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT count(*), min(fired_at) FROM"
	    " alerts WHERE written = 0", -1, &q, NULL) != SQLITE_OK)
		return -1;
	if ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		*n = sqlite3_column_int64(q, 0);
		*oldest = sqlite3_column_int64(q, 1);
	}
	sqlite3_finalize(q);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
store_alerts_mark_written(struct store *st, const int64_t *ids, size_t n)
{
	int rc = 0;

	if (store_begin(st) == -1)
		return -1;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = store_run(st, SQ_ALERT_WRITTEN,
		    "UPDATE alerts SET written = 1 WHERE id = ?", "I", ids[i]);
	return store_end(st, rc);
}

int64_t
store_rule_alerts_upto(struct store *st, const char *rule, int64_t upto)
{
	return store_step_int64(store_query(st, SQ_RULE_ALERTS_UPTO,
	    "SELECT count(*) FROM (SELECT 1 FROM alerts WHERE rule = ?"
	    " LIMIT ?)", "sI", rule, upto));
}

/*
 * The newest ?2 alerts; with a rule (?1) its own, found one of two ways
 * (alerts_list_sql chooses): walking every alert newest first, which
 * stops at the ?2nd of the rule; or from the rule's (the UNIQUE
 * index), sorted.  Always walking, a rule with no alerts read the
 * 262,000 of a rule that fired on every story.
 */
#define ALERTS_NEWEST_SQL(from, where) \
	"SELECT " ALERT_COLS_FROM(from) where \
	" ORDER BY a.fired_at DESC, a.id DESC LIMIT ?2"
static const char ALERTS_ALL_SQL[] = ALERTS_NEWEST_SQL("alerts a", "");
static const char ALERTS_WALK_SQL[] = ALERTS_NEWEST_SQL(
    "alerts a INDEXED BY alerts_newest", " WHERE a.rule = ?1");
static const char ALERTS_OF_RULE_SQL[] = ALERTS_NEWEST_SQL(
    "alerts a INDEXED BY sqlite_autoindex_alerts_1", " WHERE a.rule = ?1");

/* About how many alerts there are (the highest id); -1 on an error. */
static int64_t
alerts_est(struct store *st)
{
	return store_step_int64(store_stmt(st, SQ_ALERT_COUNT_EST,
	    "SELECT coalesce(max(id), 0) FROM alerts"));
}

static const char *
alerts_list_sql(struct store *st, const char *rule, int limit)
{
	int walk;

	if (rule == NULL)
		return ALERTS_ALL_SQL;
	walk = store_walk_is_shorter(st, alerts_est(st), limit,
	    store_rule_alerts_upto, rule);
	return walk == -1 ? NULL : walk ? ALERTS_WALK_SQL : ALERTS_OF_RULE_SQL;
}

int
store_alerts_list(struct store *st, const char *rule, int limit,
    struct alert_row **rows, size_t *n)
{
	const char *sql = alerts_list_sql(st, rule, limit);
	sqlite3_stmt *q;
	int rc;

	*rows = NULL;
	*n = 0;
	if (sql == NULL || sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) !=
	    SQLITE_OK)
		return -1;
	rc = store_bind(q, "sl", rule, limit) == 0 ?
	    alerts_read(q, 0, rows, n) : -1;
	sqlite3_finalize(q);
	return rc;
}
