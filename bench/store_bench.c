/*
 * store_bench DIR: times storing the feeds DIR/feed-*.xml (the realistic
 * corpus of bench/realfeeds.py), cold (every item new) and warm (the
 * same documents again, unchanged), on a fresh database in a temporary
 * folder, as the daemon does it: documents prepared first
 * (store_prepare_doc, on worker threads there; timed apart), stored in
 * batches of BATCH feeds.  In the same run, the floor: a bare FTS5 table
 * (same tokenizer) given the same title and body text in one
 * transaction.  CPU seconds of this process (the machine is shared);
 * prints figures and the ratio, not a test.  BENCH_KEEP_DB=1 keeps the
 * database (its path is printed).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "feeds/parse.h"
#include "util/xmalloc.h"
#include "storage/store.h"

#define BATCH 400	/* daemon/pipeline.c BATCH_FEEDS */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct feed_doc *
load_doc(const char *dir, int f)
{
	char *path = xasprintf("%s/feed-%d.xml", dir, f), *err = NULL;
	/* each feed on a host of its own, as on the web: relative links
	 * resolved against 127.0.0.1 made every fifth link one curl's
	 * parser had to check in the render bench */
	char *url = xasprintf("http://feed-%d.example.org/feed.xml", f);
	struct feed_doc *doc = NULL;
	struct feed_parser *parser;
	FILE *fp = fopen(path, "rb");
	struct stat sb;
	char *buf;

	if (fp == NULL || fstat(fileno(fp), &sb) == -1) {
		fprintf(stderr, "store_bench: %s: cannot read\n", path);
		exit(1);
	}
	buf = xmalloc((size_t)sb.st_size + 1);
	if (fread(buf, 1, (size_t)sb.st_size, fp) != (size_t)sb.st_size)
		exit(1);
	fclose(fp);
	/* as the daemon parses (daemon/pipeline.c): content's relative
	 * links left for the render */
	parser = feed_parser_new(url, NULL);
	feed_parser_set_flags(parser, FEED_PARSE_KEEP_REFS);
	if (feed_parser_push_whole(parser, buf, (size_t)sb.st_size,
	    &err) == 0)
		doc = feed_parser_finish(parser, &err);
	feed_parser_free(parser);
	if (doc == NULL) {
		fprintf(stderr, "store_bench: %s: %s\n", path, err);
		free(err);
		doc = feed_doc_new();
	}
	free(buf);
	free(path);
	free(url);
	return doc;
}

/* The floor: the same title and body text into a bare FTS5 table. */
static double
bare_fts(const char *dir, struct feed_doc **docs, struct store_prep **preps,
    int n, long *nitems)
{
	char *path = xasprintf("%s/bare.db", dir);
	sqlite3 *db;
	sqlite3_stmt *s;
	double t0;

	*nitems = 0;
	if (sqlite3_open(path, &db) != SQLITE_OK || sqlite3_exec(db,
	    "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL;"
	    " PRAGMA synchronous = NORMAL;"
	    " CREATE VIRTUAL TABLE t USING fts5 (title, body,"
	    " tokenize = 'unicode61 remove_diacritics 2');", NULL, NULL,
	    NULL) != SQLITE_OK || sqlite3_prepare_v2(db, "INSERT INTO t"
	    " (title, body) VALUES (?, ?)", -1, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "bare: %s\n", sqlite3_errmsg(db));
		exit(1);
	}
	t0 = now_s();
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (int f = 0; f < n; f++)
		for (size_t i = 0; i < docs[f]->nitems; i++) {
			const char *title = docs[f]->items[i].title, *body;

			sqlite3_bind_text(s, 1, title ? title : "", -1,
			    SQLITE_STATIC);
			body = store_prep_body(preps[f], i);
			sqlite3_bind_text(s, 2, body ? body : "", -1,
			    SQLITE_STATIC);
			if (sqlite3_step(s) != SQLITE_DONE)
				exit(1);
			sqlite3_reset(s);
			(*nitems)++;
		}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	t0 = now_s() - t0;
	sqlite3_finalize(s);
	sqlite3_close(db);
	unlink(path);
	free(path);
	return t0;
}

static double
put_all(struct store *st, struct feed_doc **docs, struct store_prep **preps,
    const int64_t *ids, int n, int64_t now, long *newitems)
{
	double t0 = now_s();

	*newitems = 0;
	for (int f = 0; f < n; f++) {
		struct store_put_result r;
		char *err = NULL;

		if (f % BATCH == 0 && store_batch_begin(st) == -1)
			exit(1);
		if (store_put_prepared(st, ids[f], docs[f], preps[f], now, &r,
		    &err) == -1) {
			fprintf(stderr, "put_doc: %s\n", err);
			exit(1);
		}
		*newitems += r.new_items;
		if ((f % BATCH == BATCH - 1 || f == n - 1) &&
		    store_batch_commit(st) == -1)
			exit(1);
	}
	return now_s() - t0;
}

int
main(int argc, char **argv)
{
	const char *src = argc > 1 ? argv[1] : "build/bench/real-300";
	int nfeeds = 0;
	long nitems = 0, bare_items;
	double bare;
	struct stat sb;
	char dir[] = "/tmp/feedd-bench-XXXXXX", *path;
	struct feed_doc **docs;
	struct store_prep **preps;
	int64_t *ids;
	struct config cfg = { 0 };
	struct store *st;
	char *err = NULL;
	long newitems, coldnew;
	double cold, warm, prep;

	for (;; nfeeds++) {
		char *p = xasprintf("%s/feed-%d.xml", src, nfeeds);
		int ok = stat(p, &sb) == 0;

		free(p);
		if (!ok)
			break;
	}
	docs = xcalloc(nfeeds + 1, sizeof(*docs));
	preps = xcalloc(nfeeds + 1, sizeof(*preps));
	ids = xcalloc(nfeeds + 1, sizeof(*ids));
	if (mkdtemp(dir) == NULL)
		return 1;
	path = xasprintf("%s/feedd.db", dir);
	if (store_open(path, STORE_READWRITE, &st, &err) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	cfg.nfeeds = nfeeds;
	cfg.feeds = xcalloc(nfeeds, sizeof(*cfg.feeds));
	for (int f = 0; f < nfeeds; f++) {
		cfg.feeds[f].def.name = xasprintf("feed%d", f);
		cfg.feeds[f].url = xasprintf("https://feed%d.example/rss", f);
		docs[f] = load_doc(src, f);
		nitems += (long)docs[f]->nitems;
	}
	store_sync_feeds(st, &cfg);
	for (int f = 0; f < nfeeds; f++) {
		struct feed_row row;

		store_feed_get(st, cfg.feeds[f].def.name, &row);
		ids[f] = row.id;
		feed_row_cleanup(&row);
	}
	prep = now_s();
	for (int f = 0; f < nfeeds; f++)
		preps[f] = store_prepare_doc(docs[f],
		    PREP_BODIES | PREP_HEADLINES);
	prep = now_s() - prep;
	printf("%s: %d feeds, %ld items; CPU seconds of this process\n",
	    src, nfeeds, nitems);
	printf("prepare (worker threads in the daemon): %.2f s (%.1f us/item)\n",
	    prep, prep * 1e6 / (double)nitems);
	bare = bare_fts(dir, docs, preps, nfeeds, &bare_items);
	cold = put_all(st, docs, preps, ids, nfeeds, 1790000000, &newitems);
	printf("bare FTS5 insert, same text, one transaction: %.2f s "
	    "(%.1f us/item)\n", bare, bare * 1e6 / (double)bare_items);
	printf("store cold: %.2f s (%ld new items, %.1f us/item)\n", cold,
	    newitems, cold * 1e6 / (double)nitems);
	coldnew = newitems;
	printf("store+index / bare FTS5 per item: %.2f  [<= 2]\n",
	    (cold / (double)(newitems ? newitems : 1)) /
	    (bare / (double)(bare_items ? bare_items : 1)));
	for (int f = 0; f < nfeeds; f++) {	/* one put per prep */
		store_prep_free(preps[f]);
		preps[f] = store_prepare_doc(docs[f],
		    PREP_BODIES | PREP_HEADLINES);
	}
	warm = put_all(st, docs, preps, ids, nfeeds, 1790000600, &newitems);
	printf("store warm (unchanged): %.3f s (%ld new items, %.1f us/item, "
	    "%.2f ms/feed)\n", warm, newitems,
	    warm * 1e6 / (double)nitems, warm * 1e3 / nfeeds);
	store_close(st);
	if (stat(path, &sb) == 0)
		printf("database: %.1f MB, %.2f KB per stored item  [<= 5]\n",
		    sb.st_size / 1048576.0, sb.st_size / 1024.0 /
		    (double)(coldnew ? coldnew : 1));
	for (int f = 0; f < nfeeds; f++) {
		feed_doc_free(docs[f]);
		store_prep_free(preps[f]);
		free(cfg.feeds[f].def.name);
		free(cfg.feeds[f].url);
	}
	free(cfg.feeds);
	free(docs);
	free(preps);
	free(ids);
	if (getenv("BENCH_KEEP_DB") != NULL) {	/* for a look inside */
		printf("kept %s\n", path);
		free(path);
		return 0;
	}
	unlink(path);
	free(path);
	path = xasprintf("rm -rf %s", dir);
	if (system(path) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(path);
	return 0;
}
