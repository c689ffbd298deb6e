/*
 * coding: Content-Encoding undone on a parse worker (feeds/coding.c):
 * gzip, deflate as zlib and as raw, codings stacked, the bound, and
 * the errors a body not in its coding gives.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "feeds/coding.h"
#include "util/buf.h"
#include "util/xmalloc.h"
#include "tests/zip_helper.h"

static const char DOC[] = "<?xml version=\"1.0\"?><rss version=\"2.0\">"
    "<channel><title>t</title><item><title>a</title></item></channel>"
    "</rss>";

/* in compressed onto out (th_zip's wbits), or the test fails. */
static void
zip(const char *in, size_t len, int wbits, struct buf *out)
{
	cr_assert_eq(th_zip(in, len, wbits, out), 0);
}

/* DOC coded with wbits, undone as coding: it comes back whole. */
static void
round_trip(int wbits, const char *coding)
{
	struct buf z;
	char *out, *err = NULL;
	size_t n;

	buf_init(&z, 0);
	zip(DOC, strlen(DOC), wbits, &z);
	cr_assert_eq(coding_undo(coding, z.data, z.len, 0, &out, &n, &err), 0,
	    "%s: %s", coding, err);
	cr_assert_not_null(out);
	cr_assert_eq(n, strlen(DOC), "%s", coding);
	cr_assert_str_eq(out, DOC);
	free(out);
	buf_cleanup(&z);
}

Test(coding, gzip_and_deflate_come_back_whole)
{
	round_trip(15 + 16, "gzip");
	round_trip(15 + 16, "x-gzip");
	round_trip(15 + 16, " GZip ");
	round_trip(15, "deflate");
	/* raw deflate under the name deflate: a common server mistake */
	round_trip(-15, "deflate");
}

Test(coding, no_coding_leaves_the_body_as_it_is)
{
	const char *none[] = { NULL, "", "identity", " identity , " };
	char *out = (char *)1, *err = NULL;
	size_t n = 1;

	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		cr_assert_eq(coding_undo(none[i], DOC, strlen(DOC), 0, &out,
		    &n, &err), 0);
		cr_assert_null(out);
		cr_assert_eq(n, 0);
	}
}

/* "deflate, gzip": deflate applied first, so gzip is undone first. */
Test(coding, stacked_codings_are_undone_last_first)
{
	struct buf inner, outer;
	char *out, *err = NULL;
	size_t n;

	buf_init(&inner, 0);
	buf_init(&outer, 0);
	zip(DOC, strlen(DOC), 15, &inner);
	zip(inner.data, inner.len, 15 + 16, &outer);
	cr_assert_eq(coding_undo("deflate, gzip", outer.data, outer.len, 0,
	    &out, &n, &err), 0, "%s", err);
	cr_assert_str_eq(out, DOC);
	free(out);
	cr_assert_eq(coding_undo("gzip, deflate", outer.data, outer.len, 0,
	    &out, &n, &err), -1, "undone in the wrong order");
	cr_assert(strstr(err, "does not match its Content-Encoding"), "%s",
	    err);
	free(err);
	err = NULL;
	cr_assert_eq(coding_undo("gzip, gzip, gzip, gzip, gzip", outer.data,
	    outer.len, 0, &out, &n, &err), -1);
	cr_assert(strstr(err, "more than 4"), "%s", err);
	free(err);
	buf_cleanup(&inner);
	buf_cleanup(&outer);
}

Test(coding, a_body_not_in_its_coding_is_named)
{
	const char *labels[] = { "gzip", "deflate" };
	char *out, *err = NULL;
	size_t n;

	for (size_t i = 0; i < 2; i++) {
		cr_assert_eq(coding_undo(labels[i], DOC, strlen(DOC), 0, &out,
		    &n, &err), -1, "%s", labels[i]);
		cr_assert(strstr(err, "does not match its Content-Encoding (")
		    != NULL, "%s", err);
		free(err);
		err = NULL;
	}
	/* a coding the fetcher never asks for */
	cr_assert_eq(coding_undo("br", DOC, strlen(DOC), 0, &out, &n, &err),
	    -1);
	cr_assert_str_eq(err, "body in Content-Encoding br, which feedd does"
	    " not ask for");
	free(err);
}

/* 8 MB of zeros gzip to some 8 KB: the bound holds the decoded size. */
Test(coding, a_bomb_stops_at_max)
{
	size_t big = 8 << 20;
	char *zeros = xcalloc(1, big), *out, *err = NULL;
	struct buf z;
	size_t n;

	buf_init(&z, 0);
	zip(zeros, big, 15 + 16, &z);
	cr_assert_lt(z.len, 64 * 1024);
	cr_assert_eq(coding_undo("gzip", z.data, z.len, 1 << 20, &out, &n,
	    &err), -1);
	cr_assert_str_eq(err, "document over max_size (1 MB) once inflated");
	free(err);
	cr_assert_eq(coding_undo("gzip", z.data, z.len, big, &out, &n, &err),
	    0, "%s", err);
	cr_assert_eq(n, big, "exactly max is within it");
	free(out);
	free(zeros);
	buf_cleanup(&z);
}

/* A stream cut short keeps what it gave, as a body cut short does. */
Test(coding, a_stream_cut_short_keeps_its_start)
{
	char *doc = xcalloc(1, 200000), *out, *err = NULL;
	struct buf z;
	size_t n;

	for (size_t i = 0; i < 199999; i++)
		doc[i] = (char)('a' + (i * 7919) % 26);
	buf_init(&z, 0);
	zip(doc, strlen(doc), 15 + 16, &z);
	cr_assert_eq(coding_undo("gzip", z.data, z.len / 2, 0, &out, &n,
	    &err), 0, "%s", err);
	cr_assert_gt(n, 0);
	cr_assert_lt(n, 199999);
	cr_assert_eq(memcmp(out, doc, n), 0);
	free(out);
	free(doc);
	buf_cleanup(&z);
}
