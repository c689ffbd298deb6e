/*
 * store_group: the store's side of story grouping.  The index
 * (group.c) lives in memory; it is built from the items first seen
 * within the window when first needed (the daemon's first store, every
 * `feedd once`), then kept in step by items_db.c, and dropped whenever
 * the database moves under it (a rollback, a prune).
 */
#include <stdlib.h>

#include "feeds/headline.h"
#include "storage/group.h"
#include "storage/store_int.h"

void
store_set_grouping(struct store *st, int on, int64_t window)
{
	if (st->group_on != on || st->group_window != window)
		store_group_drop(st);
	st->group_on = on;
	st->group_window = window;
}

void
store_group_drop(struct store *st)
{
	group_index_free(st->grp);
	st->grp = NULL;
}

/* Adds the items first seen since `since`, oldest first. */
static int
load(struct store *st, struct group_index *gi, int64_t since)
{
	sqlite3_stmt *q;
	int rc;

	/* the newest max_items, the most the index keeps */
	if (sqlite3_prepare_v2(st->db, "SELECT * FROM (SELECT id, feed_id,"
	    " story_id, title,"
	    " min(coalesce(published, updated, first_seen), first_seen) AS t,"
	    " first_seen FROM items WHERE first_seen >= ?1 ORDER BY id DESC"
	    " LIMIT ?2) ORDER BY id", -1, &q, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(q, 1, since);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)GROUP_MAX_ITEMS);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		group_index_add(gi, sqlite3_column_int64(q, 0),
		    sqlite3_column_int64(q, 1), sqlite3_column_int64(q, 2),
		    sqlite3_column_int64(q, 4), sqlite3_column_int64(q, 5),
		    headline_new((const char *)sqlite3_column_text(q, 3)));
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_group_index(struct store *st, int64_t now, struct group_index **out)
{
	struct group_params p;

	*out = NULL;
	if (!st->group_on)
		return 0;
	if (st->grp == NULL) {
		group_params_default(&p);
		p.window = st->group_window;
		st->grp = group_index_new(&p);
		if (load(st, st->grp, now - p.window) == -1) {
			store_group_drop(st);
			return -1;
		}
	}
	group_index_expire(st->grp, now);
	*out = st->grp;
	return 0;
}
