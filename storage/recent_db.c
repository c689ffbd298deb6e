/*
 * recent_db: what the store holds of the last hours, for the daemon's
 * status line: items first seen and alerts written since a time.  Both
 * are index range counts (items_first_seen, alerts_newest).
 */
#include "storage/store_int.h"

static int
count_since(struct store *st, enum store_stmt_id id, const char *sql,
    int64_t since, int64_t *out)
{
	sqlite3_stmt *s = store_query(st, id, sql, "I", since);
	int rc = -1;

	if (s == NULL)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		rc = 0;
	}
	sqlite3_reset(s);
	return rc;
}

int
store_recent_counts(struct store *st, int64_t since, int64_t *items,
    int64_t *alerts)
{
	if (count_since(st, SQ_RECENT_ITEMS, "SELECT count(*) FROM items"
	    " WHERE first_seen >= ?1", since, items) == -1)
		return -1;
	return count_since(st, SQ_RECENT_ALERTS, "SELECT count(*) FROM alerts"
	    " WHERE fired_at >= ?1 AND written = 1", since, alerts);
}
