/*
 * cmd_feeds: `feeds`, one row per feed with its fetch state, as
 * tab-separated lines (piped), a table (terminal) or JSON Lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/hash.h>

#include "daemon/cmd.h"
#include "daemon/query.h"
#include "daemon/table.h"
#include "feeds/date.h"
#include "storage/store.h"
#include "util/termtext.h"
#include "util/xmalloc.h"

/* "ok", "never", "gone" or "error": the feed's state in one word. */
const char *
feed_state(const struct feed_row *f)
{
	if (f->gone)
		return "gone";
	if (f->last_fetch == 0)
		return "never";
	return f->last_error ? "error" : "ok";
}

static void
tsv_status(const struct feed_row *f)
{
	if (f->gone)
		fputs("gone", stdout);
	else if (f->last_fetch == 0)
		fputs("never", stdout);
	else if (f->last_error) {
		fputs("error: ", stdout);
		term_put(stdout, *f->last_error ? f->last_error : "?");
	} else if (f->last_status)
		printf("%d", f->last_status);
	else
		fputs("ok", stdout);
}

static int64_t
next_due(const struct feed_row *f)
{
	return f->gone || !f->active ? 0 : f->next_due;
}

static void
tsv_feed(const void *rows, size_t i)
{
	const struct feed_row *f = (const struct feed_row *)rows + i;

	out_put_text(f->name, "-");
	putchar('\t');
	out_put_text(f->url, "-");
	putchar('\t');
	tsv_status(f);
	putchar('\t');
	out_put_time(f->last_fetch);
	putchar('\t');
	out_put_time(next_due(f));
	printf("\t%lld\t%d\t", (long long)f->items, f->consecutive_errors);
	if (f->fetches > 0)
		printf("304:%lld%%", (long long)(f->not_modified * 100 /
		    f->fetches));
	else
		fputs("304:-", stdout);
	if (f->redirect_url) {
		fputs("\tmoved: ", stdout);
		term_put(stdout, f->redirect_url);
	}
	if (!f->active)
		fputs("\tinactive", stdout);
	putchar('\n');
}

static cJSON *
json_feed(const void *rows, size_t i)
{
	const struct feed_row *f = (const struct feed_row *)rows + i;
	cJSON *o = cJSON_CreateObject();

	cJSON_AddItemToObject(o, "name", out_json_str(f->name));
	cJSON_AddItemToObject(o, "url", out_json_str(f->url));
	cJSON_AddBoolToObject(o, "active", f->active);
	cJSON_AddStringToObject(o, "status", feed_state(f));
	if (f->last_status)
		cJSON_AddNumberToObject(o, "http_status", f->last_status);
	else
		cJSON_AddNullToObject(o, "http_status");
	cJSON_AddItemToObject(o, "error", out_json_str(f->last_error));
	cJSON_AddItemToObject(o, "last_fetch", out_json_time(f->last_fetch));
	cJSON_AddItemToObject(o, "last_success",
	    out_json_time(f->last_success));
	cJSON_AddItemToObject(o, "next_due", out_json_time(next_due(f)));
	cJSON_AddNumberToObject(o, "items", (double)f->items);
	cJSON_AddNumberToObject(o, "consecutive_errors",
	    f->consecutive_errors);
	cJSON_AddNumberToObject(o, "fetches", (double)f->fetches);
	cJSON_AddNumberToObject(o, "not_modified", (double)f->not_modified);
	cJSON_AddItemToObject(o, "redirect_url", out_json_str(f->redirect_url));
	cJSON_AddItemToObject(o, "title", out_json_str(f->title));
	cJSON_AddItemToObject(o, "link", out_json_str(f->link));
	return o;
}

static const char *const feed_headers[] = {
	"NAME", "STATUS", "LAST FETCH", "NEXT DUE", "ITEMS", "ERRORS",
	"304", "URL",
};

/* Inactive first: a name column cut to fit took a " (inactive)" with it. */
static void
table_status(struct table *t, const struct feed_row *f)
{
	if (!f->active)
		table_cell(t, "inactive", C_DIM);
	else if (f->gone)
		table_cell(t, "gone", C_YELLOW);
	else if (f->last_fetch == 0)
		table_cell(t, "never", C_DIM);
	else if (f->last_error)
		table_cellf(t, C_RED, "error: %s", f->last_error);
	else if (f->last_status)
		table_cellf(t, C_GREEN, "ok %d", f->last_status);
	else
		table_cell(t, "ok", C_GREEN);
}

static void
table_feed(struct table *t, const struct out *o, const void *rows, size_t i)
{
	const struct feed_row *f = (const struct feed_row *)rows + i;
	char a[32];

	table_cell(t, f->name, f->active ? C_NONE : C_DIM);
	table_status(t, f);
	table_cell(t, out_age(o, f->last_fetch, a, sizeof(a)), C_NONE);
	if (next_due(f) > 0 && next_due(f) <= o->now)
		table_cell(t, "now", C_NONE);
	else
		table_cell(t, out_age(o, next_due(f), a, sizeof(a)), C_NONE);
	table_cellf(t, C_NONE, "%lld", (long long)f->items);
	table_cellf(t, f->consecutive_errors ? C_RED : C_NONE, "%d",
	    f->consecutive_errors);
	if (f->fetches > 0)
		table_cellf(t, C_NONE, "%lld%%",
		    (long long)(f->not_modified * 100 / f->fetches));
	else
		table_cell(t, "-", C_NONE);
	if (f->redirect_url)
		table_cellf(t, C_NONE, "%s -> %s", f->url, f->redirect_url);
	else
		table_cell(t, f->url, C_NONE);
}

static const struct table_cols feed_cols = TABLE_COLS(feed_headers, 0x83,
    0x70);

static const struct out_rows feed_out = {
	&feed_cols, json_feed, table_feed, tsv_feed,
};

/* Active first, then by name: the database's order (feed_list_sql). */
static int
row_order(const void *a, const void *b)
{
	const struct feed_row *x = a, *y = b;

	if (x->active != y->active)
		return y->active - x->active;
	return strcmp(x->name, y->name);
}

/* The names of n rows, or of the configured feeds (rows NULL), as a
 * set: a lookup each, where 10,000 feeds compared pairwise were 10^8. */
static xmlHashTablePtr
name_set(const struct feed_row *rows, const struct config *cfg, size_t n)
{
	xmlHashTablePtr h = xmlHashCreate((int)(n < 64 ? 64 : n));

	for (size_t i = 0; i < n; i++)
		xmlHashAddEntry(h, (const xmlChar *)(rows ? rows[i].name :
		    cfg->feeds[i].def.name), (void *)1);
	return h;
}

/*
 * The rows as the configuration has them now: a feed is active when it
 * is configured, and one the database does not know yet (a config just
 * edited, `import-opml` before the first poll, no database at all) is
 * listed as never fetched.  The daemon writes both at its next start.
 */
static void
follow_config(const struct config *cfg, struct feed_row **rows, size_t *n)
{
	xmlHashTablePtr stored = name_set(*rows, NULL, *n);
	xmlHashTablePtr conf = name_set(NULL, cfg, cfg->nfeeds);
	size_t	 cap = *n + cfg->nfeeds;

	for (size_t i = 0; i < *n; i++)
		(*rows)[i].active = xmlHashLookup(conf,
		    (const xmlChar *)(*rows)[i].name) != NULL;
	*rows = xreallocarray(*rows, cap ? cap : 1, sizeof(**rows));
	for (size_t i = 0; i < cfg->nfeeds; i++) {
		struct feed_row *r;

		if (xmlHashLookup(stored, (const xmlChar *)
		    cfg->feeds[i].def.name) != NULL)
			continue;
		r = &(*rows)[(*n)++];
		memset(r, 0, sizeof(*r));
		r->name = xstrdup(cfg->feeds[i].def.name);
		r->url = xstrdup(cfg->feeds[i].url);
		r->active = 1;
	}
	xmlHashFree(stored, NULL);
	xmlHashFree(conf, NULL);
	qsort(*rows, *n, sizeof(**rows), row_order);
}

int
cmd_feeds(struct query *q)
{
	struct feed_row *rows = NULL;
	size_t n = 0;

	if (q->st != NULL && store_feeds_list(q->st, &rows, &n) == -1)
		return query_fail(q);
	follow_config(q->cfg, &rows, &n);
	out_print_rows(&q->out, &feed_out, rows, n);
	feed_rows_free(rows, n);
	return EXIT_OK;
}

