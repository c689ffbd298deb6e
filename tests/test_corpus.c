/*
 * test_corpus: the whole of $FEEDD_SHARED/corpus (MANIFEST.tsv), the
 * suite's longest tests, so that criterion (suites in name order) starts
 * them early and the short ones fill the cores around them:
 *  - `feedd once` over every document, the output read beside its
 *    sources as python3-feedparser reads them, and the output as sfeed
 *    reads it beside what it says (tests/corpus_faithful.py);
 *  - every document stored as its own feed, one item of every class it
 *    holds (item_class), rendered, and the Atom and JSON Feed files
 *    validated by validate-feed;
 *  - `feedd parse` (the real binary, FEEDD_BIN: the ASan one under
 *    `make asan`) over every row: no crash or hang; non-feeds exit 1 with
 *    one `feedd:` line; feeds exit 0 with the MANIFEST's format and item
 *    count.
 */
#include <cJSON.h>
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/output.h"
#include "feeds/parse.h"
#include "util/buf.h"
#include "util/xmalloc.h"
#include "tests/helpers.h"

/* Rows whose MANIFEST count cannot be matched, and why. */
static const struct {
	const char *file;
	int	 items;		/* what a correct parse gives */
	const char *why;
} count_exceptions[] = {
	{ "danmactough_node-feedparser/illegally-nested.xml", 10,
	    "each of the 10 items holds an empty <item/> child; a strict "
	    "count sees 20 elements, but an item's own child is no item" },
	{ "rowanmanning_sample-feeds/b9a3aa1b3f1d9c9446bf7166ef1f1aa8__feed.xml",
	    1, "the file has one <item> start tag; the rough count of ~2 "
	    "comes from a stray </media:content> closing it early" },
};

/* Rows that exit 1 today although they are feeds: to be fixed.  The
 * list ends with a NULL file (it may be empty). */
static const struct {
	const char *file;
	const char *why;
} known_failures[] = {
	{ NULL, NULL },
};

struct row {
	char	*file, *format, *note;
};

/* Splits one MANIFEST line in place; 0, or -1 when it has too few fields. */
static int
row_split(char *line, struct row *r)
{
	char *f[7];
	int n = 0;

	for (char *s = line; n < 7 && s; n++) {
		f[n] = s;
		if ((s = strchr(s, '\t')) != NULL)
			*s++ = '\0';
	}
	if (n < 7)
		return -1;
	r->file = f[0];
	r->format = f[5];
	r->note = f[6];
	return 0;
}

/* The format feedd must print for a MANIFEST format. */
static const char *
expected_format(const char *f)
{
	if (strcmp(f, "rss093") == 0)
		return "rss092";
	if (strcmp(f, "rss094") == 0 || strcmp(f, "rss20+gzip") == 0)
		return "rss20";
	if (strcmp(f, "atom10-entry") == 0)
		return "atom10";
	return f;
}

/* "[N items" or "[~N items" in the note: N, *rough set; -1 if absent. */
static int
expected_items(const char *note, int *rough)
{
	const char *p = strchr(note, '[');

	if (p == NULL || strstr(p, " items") == NULL)
		return -1;
	*rough = p[1] == '~';
	return atoi(p + 1 + *rough);
}

static int
exception_for(const char *file)
{
	for (size_t i = 0; i < sizeof(count_exceptions) /
	    sizeof(*count_exceptions); i++)
		if (strcmp(file, count_exceptions[i].file) == 0)
			return count_exceptions[i].items;
	return -1;
}

static int
known_failure(const char *file)
{
	for (size_t i = 0; known_failures[i].file != NULL; i++)
		if (strcmp(file, known_failures[i].file) == 0)
			return 1;
	return 0;
}

static void
check_feed(const struct row *r, const struct th_result *res)
{
	cJSON *doc = cJSON_Parse(res->out), *fmt, *items;
	int want, rough = 0, got, exc;

	cr_expect_eq(res->status, 0, "%s: exit %d: %s", r->file, res->status,
	    res->err);
	if (res->status != 0 || doc == NULL) {
		cr_expect(res->status != 0, "%s: output is not JSON", r->file);
		cJSON_Delete(doc);
		return;
	}
	fmt = cJSON_GetObjectItem(doc, "format");
	items = cJSON_GetObjectItem(doc, "items");
	cr_expect(cJSON_IsString(fmt) && strcmp(fmt->valuestring,
	    expected_format(r->format)) == 0, "%s: format %s, want %s",
	    r->file, cJSON_IsString(fmt) ? fmt->valuestring : "?",
	    expected_format(r->format));
	got = cJSON_GetArraySize(items);
	want = expected_items(r->note, &rough);
	if ((exc = exception_for(r->file)) != -1) {
		want = exc;
		rough = 0;
	}
	if (want >= 0 && !rough)
		cr_expect_eq(got, want, "%s: %d items, want %d", r->file, got,
		    want);
	else if (want >= 0)
		cr_expect(abs(got - want) <= 2 + want / 5,
		    "%s: %d items, want about %d", r->file, got, want);
	cJSON_Delete(doc);
}

/* The checks on one row's `feedd parse` result (status, out, err). */
static void
check_result(const struct row *r, const struct th_result *res)
{
	cr_expect_lt(res->status, 128, "%s: killed by signal %d (or hung)",
	    r->file, res->status - 128);
	if (strcmp(r->format, "notfeed") == 0 ||
	    strcmp(r->format, "opml") == 0) {
		cr_expect_eq(res->status, 1, "%s: exit %d", r->file,
		    res->status);
		cr_expect(strncmp(res->err, "feedd: ", 7) == 0 &&
		    strchr(res->err, '\n') == res->err + res->errlen - 1,
		    "%s: stderr '%s'", r->file, res->err);
	} else if (strstr(r->note, "truncated JSON") != NULL ||
	    (known_failure(r->file) && res->status == 1)) {
		/* may exit 1, but never crash: checked above */
	} else
		check_feed(r, res);
	if (strstr(r->file, "xxe") != NULL)
		cr_expect(strstr(res->out, "root:x:0:0") == NULL,
		    "%s: /etc/passwd leaked", r->file);
}

/* `feedd parse PATH` alone, checked. */
static void
check_alone(const struct row *r, const char *path)
{
	char *argv[] = { (char *)(uintptr_t)th_feedd(), "parse", (char *)
	    (uintptr_t)path, NULL };
	struct th_result res;

	cr_assert_eq(th_run(argv, NULL, 60, &res), 0);
	check_result(r, &res);
	th_result_cleanup(&res);
}

/* The manifest's rows (split in place in its text) and their paths. */
struct rows {
	struct row *row;
	char	**path;
	size_t	 n;
};

static void
rows_read(char *text, const char *dir, struct rows *rs)
{
	char	*line, *save = NULL;
	size_t	 cap = 1024;

	rs->row = xcalloc(cap, sizeof(*rs->row));
	rs->path = xcalloc(cap, sizeof(*rs->path));
	rs->n = 0;
	line = strtok_r(text, "\n", &save);	/* header */
	while ((line = strtok_r(NULL, "\n", &save)) != NULL && rs->n < cap) {
		if (row_split(line, &rs->row[rs->n]) == -1)
			continue;
		rs->path[rs->n] = th_path(dir, rs->row[rs->n].file);
		rs->n++;
	}
}

static void
rows_free(struct rows *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		free(rs->path[i]);
	free(rs->path);
	free(rs->row);
}

/* The next line of *text, newline kept (a copy), or NULL at its end. */
static char *
next_line(const char **text)
{
	const char *line = *text, *nl;

	if (line == NULL || *line == '\0')
		return NULL;
	if ((nl = strchr(line, '\n')) == NULL)
		nl = line + strlen(line) - 1;
	*text = nl + 1;
	return xstrndup(line, (size_t)(nl + 1 - line));
}

/*
 * The share of row i in the output of one `feedd parse` of every row:
 * its "feedd: PATH: why" lines on stderr (then it exits 1, no JSON),
 * else the next JSON line of *out.  What its lone run would print, for
 * the same checks.  -1 when there is no line left for it.
 */
static int
share_of(const struct rows *rs, size_t i, char *const *errs, size_t nerrs,
    const char **out, size_t *owned, struct th_result *one)
{
	char	*prefix = xasprintf("feedd: %s: ", rs->path[i]);
	struct buf err;

	memset(one, 0, sizeof(*one));
	buf_init(&err, 0);
	for (size_t j = 0; j < nerrs; j++)
		if (strncmp(errs[j], prefix, strlen(prefix)) == 0) {
			buf_puts(&err, errs[j]);
			(*owned)++;
		}
	free(prefix);
	one->errlen = err.len;
	one->err = buf_detach(&err);
	one->status = one->errlen > 0;
	one->out = one->status ? xstrdup("") : next_line(out);
	if (one->out == NULL) {
		th_result_cleanup(one);
		return -1;
	}
	one->outlen = strlen(one->out);
	return 0;
}

/*
 * Every row in one `feedd parse` (JSON Lines, one per document), each
 * row's share checked as its lone run would be: one process, not 297
 * (a feedd start costs 10 ms of CPU, more under ASan).  0, or -1 when
 * the run went wrong as a whole (a crash, a hang, lines owned by no
 * row, rows with no line): that fails the test, and the caller runs
 * each row alone to name it.
 */
static int
check_together(const struct rows *rs)
{
	char	**argv = xcalloc(rs->n + 3, sizeof(*argv)), **errs = NULL, *l;
	const char *e, *out;
	size_t	 nerrs = 0, owned = 0, i;
	struct th_result all, one;
	int	 failed = 0, rc = -1;

	argv[0] = (char *)(uintptr_t)th_feedd();
	argv[1] = "parse";
	for (i = 0; i < rs->n; i++)
		argv[i + 2] = rs->path[i];
	cr_assert_eq(th_run(argv, NULL, 600, &all), 0);
	free(argv);
	for (e = all.err; (l = next_line(&e)) != NULL; nerrs++) {
		errs = xreallocarray(errs, nerrs + 1, sizeof(*errs));
		errs[nerrs] = l;
	}
	out = all.out;
	for (i = 0; all.status < 128 && i < rs->n; i++) {
		if (share_of(rs, i, errs, nerrs, &out, &owned, &one) == -1)
			break;
		check_result(&rs->row[i], &one);
		failed |= one.status;
		th_result_cleanup(&one);
	}
	if (i == rs->n && owned == nerrs && *out == '\0') {
		cr_expect_eq(all.status, failed, "feedd parse: exit %d",
		    all.status);
		rc = 0;
	} else
		cr_expect_fail("feedd parse of every row: exit %d, %zu of %zu "
		    "rows, %zu stderr lines of no row, %s stdout left; each "
		    "alone now:\n%s", all.status, i, rs->n, nerrs - owned,
		    *out != '\0' ? "some" : "no", all.err);
	for (i = 0; i < nerrs; i++)
		free(errs[i]);
	free(errs);
	th_result_cleanup(&all);
	return rc;
}

Test(corpus, parse_every_manifest_row, .timeout = 1800)
{
	char	*dir = th_path(th_shared(), "corpus");
	char	*manifest = th_path(dir, "MANIFEST.tsv");
	char	*text = th_read_file(manifest, NULL);
	struct rows rs;

	cr_assert_not_null(text, "cannot read %s", manifest);
	rows_read(text, dir, &rs);
	cr_assert_gt(rs.n, 250, "only %zu rows", rs.n);
	if (check_together(&rs) == -1)
		for (size_t i = 0; i < rs.n; i++)
			check_alone(&rs.row[i], rs.path[i]);
	rows_free(&rs);
	free(text);
	free(manifest);
	free(dir);
}

/*
 * The whole corpus through `feedd once` (file:// feeds, max_entries =
 * 100000), the sources read by python3-feedparser, the output beside them:
 * every story present with its link, enclosures and author, no entry
 * dated after the run, no relative URL in content.  See the script.
 */
Test(corpus, output_is_faithful_to_sources, .timeout = 600)
{
	char	*dir = th_tmpdir();
	char	*argv[] = { "/usr/bin/python3", "tests/corpus_faithful.py",
	    (char *)(uintptr_t)th_feedd(), (char *)(uintptr_t)th_shared(), dir,
	    NULL };
	struct th_result r;

	cr_assert_eq(th_run(argv, NULL, 580, &r), 0);
	cr_log_info("%s", r.out);
	cr_expect_eq(r.status, 0, "corpus_faithful:\n%s%s", r.out, r.err);
	th_result_cleanup(&r);
	th_rmdir(dir);
	free(dir);
}

/* MANIFEST rows as feeds named by their file, at https://corpus.example/. */
static size_t
corpus_feeds(char *text, struct feed_conf *fcs, size_t max)
{
	char	*line, *save = NULL;
	size_t	 n = 0;

	for (line = strtok_r(text, "\n", &save); line != NULL && n < max;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "file\t", 5) == 0 || strchr(line, '\t') == NULL)
			continue;
		fcs[n].def.name = xstrndup(line, strcspn(line, "\t"));
		fcs[n].url = xasprintf("https://corpus.example/%s",
		    fcs[n].def.name);
		fcs[n].interval = 600;
		n++;
	}
	return n;
}

/*
 * What decides how the writers render an item: the fields it has, and
 * for its texts whether they hold markup, entities or non-ASCII bytes,
 * and whether the longest runs past 8 KB.  *size: the bytes of its texts.
 */
static unsigned
item_class(const struct feed_item *it, size_t *size)
{
	const char *field[] = { it->id, it->link, it->author, it->title,
	    it->summary, it->content };
	size_t	 nfields = sizeof(field) / sizeof(*field), longest = 0;
	unsigned c = 0, bit = 0;

	*size = 0;
	for (size_t i = 0; i < nfields; i++, bit += 4) {
		const char *s = field[i];
		size_t	 len;

		if (s == NULL)
			continue;
		len = strlen(s);
		*size += len;
		if (len > longest)
			longest = len;
		c |= 1u << bit;
		c |= (strchr(s, '<') != NULL) << (bit + 1);
		c |= (strchr(s, '&') != NULL) << (bit + 2);
		for (; *s != '\0'; s++)
			if ((unsigned char)*s >= 0x80) {
				c |= 1u << (bit + 3);
				break;
			}
	}
	c |= (it->published != FEED_TIME_NONE) << bit++;
	c |= (it->updated != FEED_TIME_NONE) << bit++;
	c |= (it->ncategories > 0) << bit++;
	c |= (it->nenclosures > 0) << bit++;
	c |= (longest > 8192) << bit++;
	return c;
}

/*
 * Moves to the front of doc, in document order, one item of every class
 * (item_class) it holds, the shortest; returns how many that is.
 */
static size_t
keep_item_classes(struct feed_doc *doc)
{
	struct { unsigned class; size_t size, item; } *rep;
	char	*keep = xcalloc(doc->nitems + 1, 1);
	size_t	 nrep = 0, kept = 0;

	rep = xcalloc(doc->nitems + 1, sizeof(*rep));
	for (size_t i = 0; i < doc->nitems; i++) {
		size_t	 size, j;
		unsigned c = item_class(&doc->items[i], &size);

		for (j = 0; j < nrep && rep[j].class != c; j++)
			;
		if (j == nrep)
			nrep++;
		else if (rep[j].size <= size)
			continue;
		rep[j].class = c;
		rep[j].size = size;
		rep[j].item = i;
	}
	for (size_t j = 0; j < nrep; j++)
		keep[rep[j].item] = 1;
	for (size_t i = 0; i < doc->nitems; i++) {
		struct feed_item it = doc->items[i];

		if (!keep[i])
			continue;
		memmove(&doc->items[kept + 1], &doc->items[kept],
		    (i - kept) * sizeof(*doc->items));
		doc->items[kept++] = it;
	}
	free(rep);
	free(keep);
	return kept;
}

/* The corpus file of feed fc, parsed; NULL when it is not a feed. */
static struct feed_doc *
corpus_doc(const struct feed_conf *fc)
{
	char	*rel = xasprintf("corpus/%s", fc->def.name);
	char	*path = th_path(th_shared(), rel), *data, *err = NULL;
	struct feed_doc *doc = NULL;
	size_t	 len;

	if ((data = th_read_file(path, &len)) != NULL)
		doc = feed_parse_buffer(data, len, fc->url, NULL, &err);
	free(err);
	free(data);
	free(path);
	free(rel);
	return doc;
}

/* Stores doc as feed fc's, first seen at now: the store's verdict. */
static int
store_corpus_put(struct store *st, const struct feed_conf *fc,
    const struct feed_doc *doc, int64_t now)
{
	struct store_put_result res;
	struct feed_row fr;
	char	*err = NULL;
	int	 rc;

	cr_assert_eq(store_feed_get(st, fc->def.name, &fr), 0);
	rc = store_put_doc(st, fr.id, doc, now, &res, &err);
	cr_assert(rc == 0 || err != NULL);
	feed_row_cleanup(&fr);
	free(err);
	return rc;
}

/* Parses and stores the corpus file of feed fc; 1 when stored. */
static int
store_corpus_doc(struct store *st, const struct feed_conf *fc, size_t *nkept)
{
	struct feed_doc *doc = corpus_doc(fc);
	size_t	 nitems;
	int	 stored;

	if (doc == NULL)
		return 0;
	nitems = doc->nitems;
	doc->nitems = keep_item_classes(doc);
	*nkept += doc->nitems;
	stored = store_corpus_put(st, fc, doc, time(NULL)) == 0;
	doc->nitems = nitems;
	feed_doc_free(doc);
	return stored;
}

/*
 * Every corpus document, stored as its own feed, rendered and validated:
 * one item of every class in each document (keep_item_classes), all of
 * them in the files.  The validators' cost grows with the bytes; this
 * shows them every document (250 sources in the Atom file) in 3 MB,
 * where the 2,000 newest of all items (4.6 MB) came from 116.
 */
Test(corpus, output_renders_valid_files, .timeout = 600)
{
	char	*manifest = th_path(th_shared(), "corpus/MANIFEST.tsv");
	char	*text = th_read_file(manifest, NULL), *dir = th_tmpdir();
	char	*db = th_path(dir, "feedd.db"), *err = NULL;
	struct feed_conf *fcs = xcalloc(400, sizeof(*fcs));
	struct config cfg = { .state_dir = dir, .title = "AI and tech news",
	    .max_entries = 2000, .interval = 600, .feeds = fcs };
	struct output *out = output_new();
	struct store *st;
	size_t	 stored = 0, nkept = 0;

	cr_assert_not_null(text, "no corpus at %s", manifest);
	cfg.atom_path = th_path(dir, "out/feed.xml");
	cfg.json_path = th_path(dir, "out/feed.json");
	cfg.nfeeds = corpus_feeds(text, fcs, 400);
	cr_assert_eq(store_open(db, STORE_READWRITE, &st, &err), 0, "%s", err);
	cr_assert_eq(store_sync_feeds(st, &cfg), 0);
	for (size_t i = 0; i < cfg.nfeeds; i++)
		stored += (size_t)store_corpus_doc(st, &fcs[i], &nkept);
	cr_log_info("corpus: %zu of %zu documents stored, %zu items", stored,
	    cfg.nfeeds, nkept);
	cr_assert_gt(stored, cfg.nfeeds / 2);
	cr_assert_eq(output_render(out, st, &cfg, 1, &err), 0, "%s", err);
	{
		const char *paths[] = { cfg.atom_path, cfg.json_path };

		th_validate_feeds(paths, 2);
	}
	output_free(out);
	store_close(st);
	for (size_t i = 0; i < cfg.nfeeds; i++) {
		free(fcs[i].def.name);
		free(fcs[i].url);
	}
	free(fcs);
	free(cfg.atom_path);
	free(cfg.json_path);
	th_rmdir(dir);
	free(db);
	free(dir);
	free(text);
	free(manifest);
}

/*
 * The outputs' order as schema version 8 computed it at each render
 * (before the stories kept their dates, STORY_ORDER_SET): the
 * reference the kept order must give back exactly.
 */
static const char REFERENCE_ORDER_SQL[] =
    "WITH t AS (SELECT s.id AS sid, s.sort_time AS st FROM stories s"
    " ORDER BY s.sort_time DESC, s.id DESC LIMIT ?1),"
    " g AS (SELECT t.sid AS sid, t.st AS st, min(i.id) AS iid,"
    "  i.first_seen AS fs,"
    "  CASE WHEN i.published > i.first_seen THEN i.first_seen"
    "  ELSE i.published END AS pub,"
    "  CASE WHEN i.updated > ?2 THEN i.first_seen"
    "  ELSE i.updated END AS upd, count(*) AS n FROM t"
    "  CROSS JOIN items i ON i.story_id = t.sid GROUP BY t.sid),"
    " u AS (SELECT sid, st, iid, fs, n, coalesce(CASE WHEN upd < pub"
    "  THEN pub ELSE upd END, pub, CASE WHEN st != 0 THEN st ELSE fs"
    "  END) AS d, CASE WHEN n > 1 THEN (SELECT first_seen FROM items"
    "  WHERE story_id = g.sid ORDER BY id DESC LIMIT 1) ELSE fs END"
    "  AS nf FROM g)"
    " SELECT iid FROM u ORDER BY CASE WHEN nf >= fs + 60"
    " AND nf > d THEN nf ELSE d END DESC, st DESC, sid DESC";

struct id_list {
	int64_t	*id;
	size_t	 n, cap;
};

static void
id_list_add(struct id_list *l, int64_t id)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->id = xreallocarray(l->id, l->cap, sizeof(*l->id));
	}
	l->id[l->n++] = id;
}

static int
collect_item_id(struct story_row *r, void *arg)
{
	id_list_add(arg, r->item_id);
	return 0;
}

static void
assert_kept_order(struct store *st, int limit, int64_t now)
{
	struct id_list ref = { 0 }, kept = { 0 };
	sqlite3_stmt *q;

	cr_assert_eq(sqlite3_prepare_v2(store_sqlite(st), REFERENCE_ORDER_SQL,
	    -1, &q, NULL), SQLITE_OK);
	sqlite3_bind_int(q, 1, limit > 0 ? limit : -1);
	sqlite3_bind_int64(q, 2, now);
	while (sqlite3_step(q) == SQLITE_ROW)
		id_list_add(&ref, sqlite3_column_int64(q, 0));
	sqlite3_finalize(q);
	cr_assert_gt(ref.n, 0);
	/* the main outputs, and a rule's (rule "every" names them all) */
	for (int r = 0; r < 2; r++) {
		kept.n = 0;
		cr_assert_eq(store_stories_each(st, r ? "every" : NULL, limit,
		    now, collect_item_id, &kept), 0);
		cr_assert_eq(kept.n, ref.n, "rule %d, limit %d, now %lld: %zu"
		    " stories, not %zu", r, limit, (long long)now, kept.n,
		    ref.n);
		for (size_t i = 0; i < ref.n; i++)
			cr_assert_eq(kept.id[i], ref.id[i], "rule %d, limit %d,"
			    " now %lld: story %zu shows item %lld, not %lld",
			    r, limit, (long long)now, i,
			    (long long)kept.id[i], (long long)ref.id[i]);
	}
	free(ref.id);
	free(kept.id);
}

static int64_t
count_sql(struct store *st, const char *sql)
{
	sqlite3_stmt *q;
	int64_t v = -1;

	cr_assert_eq(sqlite3_prepare_v2(store_sqlite(st), sql, -1, &q, NULL),
	    SQLITE_OK, "%s", sql);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/*
 * Stores every item of the corpus file of feed fc, first seen at now,
 * with its dates moved by shift (changed items, when not 0).
 */
static void
store_corpus_whole(struct store *st, const struct feed_conf *fc,
    int64_t now, int64_t shift)
{
	struct feed_doc *doc = corpus_doc(fc);

	if (doc == NULL)
		return;
	for (size_t i = 0; shift != 0 && i < doc->nitems; i++) {
		struct feed_item *it = &doc->items[i];

		if (it->published != FEED_TIME_NONE)
			it->published += shift;
		if (it->updated != FEED_TIME_NONE)
			it->updated += shift;
	}
	cr_assert_eq(store_corpus_put(st, fc, doc, now), 0, "%s",
	    fc->def.name);
	feed_doc_free(doc);
}

/*
 * The order the outputs read from the stories' kept dates (schema
 * version 9) is the order version 8 computed at every render, on the
 * whole corpus: its documents a minute and a half apart (a third of
 * them first seen in 2015, before most were published), grouped into
 * stories across outlets (later joins move a story), at a clock ahead
 * of every item, at one in the middle of their updated dates (the
 * future-dated ones take their early date), before all of them; at
 * several max_entries, for the main outputs and a rule's; again after
 * retention deleted items, and after items changed their dates in
 * place.
 */
Test(corpus, kept_order_is_the_computed_order, .timeout = 600)
{
	char	*manifest = th_path(th_shared(), "corpus/MANIFEST.tsv");
	char	*text = th_read_file(manifest, NULL), *dir = th_tmpdir();
	char	*db = th_path(dir, "feedd.db"), *err = NULL;
	struct feed_conf *fcs = xcalloc(400, sizeof(*fcs));
	struct config cfg = { .state_dir = dir, .interval = 600,
	    .feeds = fcs };
	int64_t	 base = (int64_t)time(NULL) - 30 * 86400, nows[3];
	/* first seen before they were published: dated when first seen */
	int64_t	 early = 1420070400;	/* 2015-01-01 */
	const int limits[] = { 0, 100, 1000 };
	struct store *st;

	cr_assert_not_null(text, "no corpus at %s", manifest);
	cfg.nfeeds = corpus_feeds(text, fcs, 400);
	cr_assert_eq(store_open(db, STORE_READWRITE, &st, &err), 0, "%s", err);
	cr_assert_eq(store_sync_feeds(st, &cfg), 0);
	store_set_grouping(st, 1, 48 * 3600);
	for (size_t i = 0; i < cfg.nfeeds; i++)
		store_corpus_whole(st, &fcs[i], (i % 3 ? base : early) +
		    (int64_t)i * 90, 0);
	cr_assert_gt(count_sql(st, "SELECT count(*) FROM stories WHERE"
	    " newest_seen >= first_seen + 60"), 0, "no story joined later");
	nows[0] = (int64_t)time(NULL) + 86400 * 365 * 5;
	nows[1] = count_sql(st, "SELECT updated FROM items WHERE updated IS"
	    " NOT NULL ORDER BY updated LIMIT 1 OFFSET (SELECT count(updated)"
	    " / 2 FROM items)");
	nows[2] = base - 86400 * 365 * 30;
	cr_assert_gt(count_sql(st, "SELECT count(*) FROM stories WHERE"
	    " early_until IS NOT NULL"), 0);
	cr_assert_gt(count_sql(st, "SELECT count(*) FROM items WHERE"
	    " published > first_seen"), 0);
	for (int pass = 0; pass < 3; pass++) {
		cr_assert_eq(sqlite3_exec(store_sqlite(st), "INSERT OR IGNORE"
		    " INTO alerts (rule, story_key, fired_at) SELECT 'every',"
		    " key, 0 FROM stories", NULL, NULL, NULL), SQLITE_OK);
		for (size_t t = 0; t < 3; t++)
			for (size_t l = 0; l < 3; l++)
				assert_kept_order(st, limits[l], nows[t]);
		if (pass == 0)
			cr_assert_gt(store_prune(st, base + 100 * 90, 500,
			    1 << 30), 0, "nothing pruned");
		/* items changed in place: dates a week later */
		for (size_t i = 150; pass == 1 && i < 200 && i < cfg.nfeeds;
		    i++)
			store_corpus_whole(st, &fcs[i], base + 400 * 90,
			    7 * 86400);
	}
	store_close(st);
	for (size_t i = 0; i < cfg.nfeeds; i++) {
		free(fcs[i].def.name);
		free(fcs[i].url);
	}
	free(fcs);
	th_rmdir(dir);
	free(db);
	free(dir);
	free(text);
	free(manifest);
}
