/*
 * stats_db: counts for `feedd status`: items stored and alerts fired
 * since a time.  Read-only; prepared once per call (status runs once).
 */
#include <sqlite3.h>

#include "storage/store.h"

static int
count_since(struct store *st, const char *sql, int64_t since, int64_t *out)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*out = 0;
	if (sqlite3_prepare_v2(store_sqlite(st), sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, since);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
store_counts_since(struct store *st, int64_t since, struct store_counts *c)
{
	if (count_since(st, "SELECT count(*) FROM items WHERE first_seen >= ?",
	    since, &c->items) == -1 ||
	    count_since(st, "SELECT count(*) FROM stories WHERE first_seen >= ?",
	    since, &c->stories) == -1 ||
	    count_since(st, "SELECT count(*) FROM alerts WHERE fired_at >= ?",
	    since, &c->alerts) == -1)
		return -1;
	return 0;
}
