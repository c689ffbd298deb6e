/*
 * test_corpus: `feedd parse` (the real binary, FEEDD_BIN: the ASan one
 * under `make asan`) over every row of $FEEDD_SHARED/corpus/MANIFEST.tsv:
 * no crash or hang; non-feeds exit 1 with one `feedd:` line; feeds exit
 * 0 with the MANIFEST's format and item count.
 */
#include <cJSON.h>
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void
check_row(const struct row *r, const char *path)
{
	char *argv[] = { (char *)(uintptr_t)th_feedd(), "parse", (char *)
	    (uintptr_t)path, NULL };
	struct th_result res;

	cr_assert_eq(th_run(argv, NULL, 60, &res), 0);
	cr_expect_lt(res.status, 128, "%s: killed by signal %d (or hung)",
	    r->file, res.status - 128);
	if (strcmp(r->format, "notfeed") == 0 ||
	    strcmp(r->format, "opml") == 0) {
		cr_expect_eq(res.status, 1, "%s: exit %d", r->file,
		    res.status);
		cr_expect(strncmp(res.err, "feedd: ", 7) == 0 &&
		    strchr(res.err, '\n') == res.err + res.errlen - 1,
		    "%s: stderr '%s'", r->file, res.err);
	} else if (strstr(r->note, "truncated JSON") != NULL ||
	    (known_failure(r->file) && res.status == 1)) {
		/* may exit 1, but never crash: checked above */
	} else
		check_feed(r, &res);
	if (strstr(r->file, "xxe") != NULL)
		cr_expect(strstr(res.out, "root:x:0:0") == NULL,
		    "%s: /etc/passwd leaked", r->file);
	th_result_cleanup(&res);
}

Test(corpus, every_manifest_row, .timeout = 1800)
{
	char *dir = th_path(th_shared(), "corpus");
	char *manifest = th_path(dir, "MANIFEST.tsv");
	char *text = th_read_file(manifest, NULL), *line, *save = NULL;
	int rows = 0;

	cr_assert_not_null(text, "cannot read %s", manifest);
	line = strtok_r(text, "\n", &save);	/* header */
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		struct row r;
		char *path;

		if (row_split(line, &r) == -1)
			continue;
		path = th_path(dir, r.file);
		check_row(&r, path);
		free(path);
		rows++;
	}
	cr_assert_gt(rows, 250, "only %d rows", rows);
	free(text);
	free(manifest);
	free(dir);
}
