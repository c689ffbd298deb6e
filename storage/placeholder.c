/*
 * placeholder: compile-able bodies for storage/store.h until the real
 * store lands; every call fails with "not built yet".
 */
#include <stdlib.h>

#include "daemon/xmalloc.h"
#include "storage/store.h"

int
store_open(const char *path, enum store_mode mode, struct store **out,
    char **errstr)
{
	(void)mode;
	*out = NULL;
	*errstr = xasprintf("%s: store not built yet", path);
	return -1;
}

void store_close(struct store *st) { (void)st; }
struct sqlite3 *store_sqlite(struct store *st) { (void)st; return NULL; }
const char *store_errmsg(struct store *st) { (void)st; return "not built yet"; }
void feed_row_cleanup(struct feed_row *row) { (void)row; }
void feed_rows_free(struct feed_row *rows, size_t n) { (void)n; free(rows); }
int store_sync_feeds(struct store *st, const struct config *cfg)
{ (void)st; (void)cfg; return -1; }
int store_feed_get(struct store *st, const char *name, struct feed_row *out)
{ (void)st; (void)name; (void)out; return -1; }
int store_feeds_list(struct store *st, struct feed_row **rows, size_t *n)
{ (void)st; *rows = NULL; *n = 0; return -1; }
int store_feed_save_state(struct store *st, const struct feed_row *row)
{ (void)st; (void)row; return -1; }

int
store_put_doc(struct store *st, int64_t feed_id, const struct feed_doc *doc,
    int64_t now, struct store_put_result *res, char **errstr)
{
	(void)st; (void)feed_id; (void)doc; (void)now; (void)res;
	*errstr = xstrdup("store not built yet");
	return -1;
}

void story_rows_free(struct story_row *rows, size_t n) { (void)n; free(rows); }
int store_stories_newest(struct store *st, const char *feed, const char *rule,
    int limit, struct story_row **rows, size_t *n)
{ (void)st; (void)feed; (void)rule; (void)limit; *rows = NULL; *n = 0; return -1; }
void search_hits_free(struct search_hit *hits, size_t n) { (void)n; free(hits); }
int store_search(struct store *st, const char *query, int limit,
    struct search_hit **hits, size_t *n, char **errstr)
{
	(void)st; (void)query; (void)limit; *hits = NULL; *n = 0;
	*errstr = xstrdup("store not built yet");
	return -1;
}
int store_match_test(struct store *st, const struct match_expr *expr,
    int limit, struct story_row **rows, size_t *n)
{ (void)st; (void)expr; (void)limit; *rows = NULL; *n = 0; return -1; }
int64_t store_generation(struct store *st) { (void)st; return 0; }
int store_prune(struct store *st, int64_t before, int keep_newest)
{ (void)st; (void)before; (void)keep_newest; return -1; }
void alert_rows_free(struct alert_row *rows, size_t n) { (void)n; free(rows); }
int store_alerts_match(struct store *st, const struct rule_conf *rules,
    size_t nrules, int64_t max_age, int64_t now, int *fired)
{ (void)st; (void)rules; (void)nrules; (void)max_age; (void)now; *fired = 0; return -1; }
int store_alerts_pending(struct store *st, struct alert_row **rows, size_t *n)
{ (void)st; *rows = NULL; *n = 0; return -1; }
int store_alerts_mark_written(struct store *st, const int64_t *ids, size_t n)
{ (void)st; (void)ids; (void)n; return -1; }
int store_alerts_list(struct store *st, const char *rule, int limit,
    struct alert_row **rows, size_t *n)
{ (void)st; (void)rule; (void)limit; *rows = NULL; *n = 0; return -1; }
