/*
 * store_bench: times storing NFEEDS feeds of NITEMS items, cold (every
 * item new) and warm (the same documents again, unchanged), on a fresh
 * database in a temporary folder, as the daemon does it: documents
 * prepared first (store_prepare_doc, on worker threads there; timed
 * apart), stored in batches of BATCH feeds.  Not a test: prints figures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "util/xmalloc.h"
#include "storage/store.h"

#define BATCH 400	/* daemon/pipeline.c BATCH_FEEDS */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct feed_doc *
make_doc(int f, int nitems)
{
	struct feed_doc *doc = feed_doc_new();

	doc->title = xasprintf("Feed %d", f);
	for (int i = 0; i < nitems; i++) {
		struct feed_item *it = feed_doc_add_item(doc);

		it->id = xasprintf("tag:feed%d.example,2026:%d", f, i);
		it->title = xasprintf("Story %d of feed %d about things", i, f);
		it->link = xasprintf("https://feed%d.example/post/%d?utm_source=rss",
		    f, i);
		it->summary = xasprintf("<p>Summary of story <b>%d</b>, with "
		    "some words to index: open source, models, compost.</p>", i);
		it->published = 1790000000 - (int64_t)i * 3600;
	}
	return doc;
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
	int nfeeds = argc > 1 ? atoi(argv[1]) : 1000;
	int nitems = argc > 2 ? atoi(argv[2]) : 50;
	char dir[] = "/tmp/feedd-bench-XXXXXX", *path;
	struct feed_doc **docs = xcalloc(nfeeds, sizeof(*docs));
	struct store_prep **preps = xcalloc(nfeeds, sizeof(*preps));
	int64_t *ids = xcalloc(nfeeds, sizeof(*ids));
	struct config cfg = { 0 };
	struct store *st;
	char *err = NULL;
	long newitems;
	double cold, warm, prep;

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
		cfg.feeds[f].name = xasprintf("feed%d", f);
		cfg.feeds[f].url = xasprintf("https://feed%d.example/rss", f);
		docs[f] = make_doc(f, nitems);
	}
	store_sync_feeds(st, &cfg);
	for (int f = 0; f < nfeeds; f++) {
		struct feed_row row;

		store_feed_get(st, cfg.feeds[f].name, &row);
		ids[f] = row.id;
		feed_row_cleanup(&row);
	}
	prep = now_s();
	for (int f = 0; f < nfeeds; f++)
		preps[f] = store_prepare_doc(docs[f], 1);
	prep = now_s() - prep;
	printf("prepare: %.2f s (%.1f us/item)\n", prep,
	    prep * 1e6 / (nfeeds * (double)nitems));
	cold = put_all(st, docs, preps, ids, nfeeds, 1790000000, &newitems);
	printf("store cold: %d feeds x %d items: %.2f s (%ld new items, "
	    "%.1f us/item)\n", nfeeds, nitems, cold, newitems,
	    cold * 1e6 / (nfeeds * (double)nitems));
	for (int f = 0; f < nfeeds; f++) {	/* one put per prep */
		store_prep_free(preps[f]);
		preps[f] = store_prepare_doc(docs[f], 1);
	}
	warm = put_all(st, docs, preps, ids, nfeeds, 1790000600, &newitems);
	printf("store warm (unchanged): %.3f s (%ld new items, %.1f us/item, "
	    "%.2f ms/feed)\n", warm, newitems,
	    warm * 1e6 / (nfeeds * (double)nitems), warm * 1e3 / nfeeds);
	store_close(st);
	for (int f = 0; f < nfeeds; f++) {
		feed_doc_free(docs[f]);
		store_prep_free(preps[f]);
		free(cfg.feeds[f].name);
		free(cfg.feeds[f].url);
	}
	free(cfg.feeds);
	free(docs);
	free(preps);
	free(ids);
	unlink(path);
	free(path);
	path = xasprintf("rm -rf %s", dir);
	if (system(path) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(path);
	return 0;
}
