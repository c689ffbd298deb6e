/*
 * test_json_out: the JSON string escaper (controls, quotes, U+2028/9,
 * invalid UTF-8) and the exact `feedd parse` object for a small document
 * built by hand, compact and pretty.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "feeds/json_out.h"

static void
expect_json(const char *in, const char *want)
{
	struct buf b;

	buf_init(&b, 0);
	cr_assert_eq(json_put_string(&b, in), 0);
	cr_assert_str_eq(buf_str(&b), want, "got %s want %s", buf_str(&b), want);
	buf_cleanup(&b);
}

Test(json_out, plain_and_null)
{
	expect_json("hello", "\"hello\"");
	expect_json("", "\"\"");
	expect_json(NULL, "null");
	expect_json("a/b <c> & 'd'", "\"a/b <c> & 'd'\"");
}

Test(json_out, quote_and_backslash)
{
	expect_json("say \"hi\"", "\"say \\\"hi\\\"\"");
	expect_json("C:\\dir\\", "\"C:\\\\dir\\\\\"");
}

Test(json_out, control_characters)
{
	expect_json("a\nb\tc\rd", "\"a\\nb\\tc\\rd\"");
	expect_json("\b\f", "\"\\b\\f\"");
	expect_json("\x01\x1f", "\"\\u0001\\u001f\"");
	expect_json("x\x1b[0m", "\"x\\u001b[0m\"");
	/* DEL and C1 as the terminal-safe printers drop them: escaped */
	expect_json("\x7f", "\"\\u007f\"");
}

Test(json_out, utf8_kept)
{
	expect_json("caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80",
	    "\"caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80\"");
	/* U+FEFF and U+FFFD are ordinary characters. */
	expect_json("\xef\xbb\xbf\xef\xbf\xbd", "\"\xef\xbb\xbf\xef\xbf\xbd\"");
}

Test(json_out, line_separators_escaped)
{
	expect_json("a\xe2\x80\xa8" "b\xe2\x80\xa9" "c",
	    "\"a\\u2028b\\u2029c\"");
	/* U+2027 and U+202A are left alone. */
	expect_json("\xe2\x80\xa7\xe2\x80\xaa", "\"\xe2\x80\xa7\xe2\x80\xaa\"");
}

Test(json_out, invalid_utf8_replaced)
{
	expect_json("a\xff" "b", "\"a\xef\xbf\xbd" "b\"");
	expect_json("\x80", "\"\xef\xbf\xbd\"");
	/* Overlong "/" and a lone surrogate (ED A0 80). */
	expect_json("\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\"");
	expect_json("\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
	/* Truncated sequences at the end of the string. */
	expect_json("x\xc3", "\"x\xef\xbf\xbd\"");
	expect_json("x\xe2\x82", "\"x\xef\xbf\xbd\xef\xbf\xbd\"");
	/* Past U+10FFFF. */
	expect_json("\xf4\x90\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbd\"");
}

Test(json_out, long_string_in_runs)
{
	struct buf b;
	char *s = xmalloc(100001);

	memset(s, 'a', 100000);
	s[100000] = '\0';
	s[50000] = '"';
	buf_init(&b, 0);
	cr_assert_eq(json_put_string(&b, s), 0);
	cr_assert_eq(b.len, 100000 + 2 + 1);
	cr_assert_eq(memcmp(b.data + 50001, "\\\"", 2), 0);
	buf_cleanup(&b);
	free(s);
}

Test(json_out, cap_is_reported)
{
	struct buf b;

	buf_init(&b, 8);
	cr_assert_eq(json_put_string(&b, "this is far too long"), -1);
	buf_cleanup(&b);
}

/* A document with one full item and one empty one. */
static struct feed_doc *
small_doc(void)
{
	struct feed_doc *doc = feed_doc_new();
	struct feed_item *it;

	doc->format = FEED_FORMAT_RSS20;
	doc->title = xstrdup("T \"q\"");
	doc->link = xstrdup("https://example.com/");
	doc->language = xstrdup("en");
	doc->updated = 1795749266;	/* 2026-11-27T03:14:26Z */
	it = feed_doc_add_item(doc);
	it->id = xstrdup("1");
	it->title = xstrdup("One");
	it->link = xstrdup("https://example.com/1");
	it->published = 0;
	it->content = xstrdup("<p>x</p>\n");
	feed_item_add_category(it, "a");
	feed_item_add_category(it, "b");
	feed_item_add_enclosure(it, xstrdup("https://example.com/a.mp3"),
	    xstrdup("audio/mpeg"), 123);
	feed_item_add_enclosure(it, xstrdup("https://example.com/b.mp3"),
	    NULL, -1);
	feed_doc_add_item(doc);
	feed_doc_add_error(doc, "line 3: bad date");
	return doc;
}

static char *
write_doc(const struct feed_doc *doc, int pretty)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	cr_assert_eq(json_write_doc(f, doc, pretty), 0);
	fclose(f);
	return out;
}

Test(json_out, compact_doc_exact)
{
	struct feed_doc *doc = small_doc();
	char *out = write_doc(doc, 0);

	cr_assert_str_eq(out,
	    "{\"format\":\"rss20\",\"title\":\"T \\\"q\\\"\","
	    "\"link\":\"https://example.com/\",\"id\":null,"
	    "\"description\":null,\"language\":\"en\","
	    "\"updated\":\"2026-11-27T03:14:26Z\",\"items\":["
	    "{\"id\":\"1\",\"title\":\"One\",\"link\":\"https://example.com/1\","
	    "\"published\":\"1970-01-01T00:00:00Z\",\"updated\":null,"
	    "\"author\":null,\"summary\":null,\"content\":\"<p>x</p>\\n\","
	    "\"categories\":[\"a\",\"b\"],\"enclosures\":["
	    "{\"url\":\"https://example.com/a.mp3\",\"type\":\"audio/mpeg\","
	    "\"length\":123},{\"url\":\"https://example.com/b.mp3\","
	    "\"type\":null,\"length\":null}]},"
	    "{\"id\":null,\"title\":null,\"link\":null,\"published\":null,"
	    "\"updated\":null,\"author\":null,\"summary\":null,"
	    "\"content\":null,\"categories\":[],\"enclosures\":[]}],"
	    "\"errors\":[\"line 3: bad date\"]}\n");
	free(out);
	feed_doc_free(doc);
}

Test(json_out, pretty_doc_exact)
{
	struct feed_doc *doc = feed_doc_new();
	struct feed_item *it;
	char *out;

	doc->format = FEED_FORMAT_ATOM10;
	it = feed_doc_add_item(doc);
	it->title = xstrdup("x");
	feed_item_add_category(it, "c");
	out = write_doc(doc, 1);
	cr_assert_str_eq(out,
	    "{\n"
	    "  \"format\": \"atom10\",\n"
	    "  \"title\": null,\n"
	    "  \"link\": null,\n"
	    "  \"id\": null,\n"
	    "  \"description\": null,\n"
	    "  \"language\": null,\n"
	    "  \"updated\": null,\n"
	    "  \"items\": [\n"
	    "    {\n"
	    "      \"id\": null,\n"
	    "      \"title\": \"x\",\n"
	    "      \"link\": null,\n"
	    "      \"published\": null,\n"
	    "      \"updated\": null,\n"
	    "      \"author\": null,\n"
	    "      \"summary\": null,\n"
	    "      \"content\": null,\n"
	    "      \"categories\": [\n"
	    "        \"c\"\n"
	    "      ],\n"
	    "      \"enclosures\": []\n"
	    "    }\n"
	    "  ],\n"
	    "  \"errors\": []\n"
	    "}\n");
	free(out);
	feed_doc_free(doc);
}

Test(json_out, empty_doc_is_one_line)
{
	struct feed_doc *doc = feed_doc_new();
	char *out = write_doc(doc, 0);

	cr_assert_str_eq(out, "{\"format\":\"unknown\",\"title\":null,"
	    "\"link\":null,\"id\":null,\"description\":null,\"language\":null,"
	    "\"updated\":null,\"items\":[],\"errors\":[]}\n");
	free(out);
	feed_doc_free(doc);
}

Test(json_out, write_error_reported)
{
	struct feed_doc *doc = small_doc();
	FILE *f = fopen("/dev/full", "w");
	int rc;

	cr_assert_not_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	rc = json_write_doc(f, doc, 0);
	fclose(f);
	cr_assert_eq(rc, -1);
	feed_doc_free(doc);
}

/* Plain runs are skipped eight bytes at a time: a byte to escape must be
 * caught wherever it falls in a word. */
Test(json_out, escapes_at_every_word_offset)
{
	static const char *const special[][2] = {
		{ "\"", "\\\"" }, { "\\", "\\\\" }, { "\x01", "\\u0001" },
		{ "\x1f", "\\u001f" }, { "\n", "\\n" }, { "\xe2\x80\xa8", "\\u2028" },
		{ "\xff", "\xef\xbf\xbd" }, { "\xc3\xa9", "\xc3\xa9" },
		{ " ", " " }, { "~", "~" }, { "\x7f", "\\u007f" },
	};
	char in[64], want[80];

	for (size_t k = 0; k < sizeof(special) / sizeof(*special); k++)
		for (int pos = 0; pos < 20; pos++) {
			struct buf b;

			snprintf(in, sizeof(in), "%.*s%s%s", pos,
			    "abcdefghijklmnopqrstuvwxyz", special[k][0],
			    "0123456789");
			snprintf(want, sizeof(want), "\"%.*s%s%s\"", pos,
			    "abcdefghijklmnopqrstuvwxyz", special[k][1],
			    "0123456789");
			buf_init(&b, 0);
			json_put_string(&b, in);
			cr_expect_str_eq(buf_str(&b), want, "case %zu at %d",
			    k, pos);
			buf_cleanup(&b);
		}
}
