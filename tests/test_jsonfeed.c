/*
 * test_jsonfeed: JSON Feed 1.0 and 1.1 documents written by hand, the
 * not-a-feed and truncated cases, wrongly typed fields, deep nesting.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "feeds/jsonfeed.h"
#include "util/buf.h"
#include "tests/helpers.h"

static struct feed_doc *
parse_ok(const char *json, const char *base)
{
	char *err = NULL;
	struct feed_doc *doc = jsonfeed_parse(json, strlen(json), base, 0, &err);

	cr_assert_not_null(doc, "failed: %s", err ? err : "(no message)");
	cr_assert_null(err);
	return doc;
}

static void
expect_fail_len(const char *json, size_t len, const char *msg_part)
{
	char *err = NULL;
	struct feed_doc *doc = jsonfeed_parse(json, len, NULL, 0, &err);

	cr_assert_null(doc);
	cr_assert_not_null(err);
	cr_assert(strstr(err, msg_part) != NULL, "message: %s", err);
	free(err);
}

static const char feed11[] =
    "{\"version\": \"https://jsonfeed.org/version/1.1\",\n"
    " \"title\": \"My Example Feed\",\n"
    " \"home_page_url\": \"https://example.org/\",\n"
    " \"feed_url\": \"https://example.org/feed.json\",\n"
    " \"description\": \"About things\",\n"
    " \"language\": \"en-GB\",\n"
    " \"authors\": [{\"name\": \"Feed Author\"}],\n"
    " \"items\": [\n"
    "  {\"id\": \"2\", \"content_text\": \"a < b & c\",\n"
    "   \"url\": \"https://example.org/second-item\",\n"
    "   \"title\": \"Second\", \"summary\": \"Short & sweet\",\n"
    "   \"date_published\": \"2020-08-07T11:44:36-05:00\",\n"
    "   \"date_modified\": \"2020-08-08T00:00:00Z\",\n"
    "   \"authors\": [{\"name\": \"Ann\"}, {\"url\": \"x\"}, {\"name\": \"Bob\"}],\n"
    "   \"tags\": [\"one\", 2, \"two\"],\n"
    "   \"attachments\": [{\"url\": \"/ep2.mp3\", \"mime_type\": \"audio/mpeg\",\n"
    "     \"size_in_bytes\": 89970236}, {\"mime_type\": \"x/no-url\"}]},\n"
    "  {\"id\": \"1\", \"content_html\": \"<p>Hello, world!</p>\",\n"
    "   \"url\": \"first-item\"}\n"
    " ]\n"
    "}\n";

static void
expect_fail(const char *json, const char *msg_part)
{
	expect_fail_len(json, strlen(json), msg_part);
}

Test(jsonfeed, version_1_1_feed_fields)
{
	struct feed_doc *doc = parse_ok(feed11, NULL);

	cr_assert_eq(doc->format, FEED_FORMAT_JSON11);
	cr_assert_str_eq(doc->title, "My Example Feed");
	cr_assert_str_eq(doc->link, "https://example.org/");
	cr_assert_str_eq(doc->id, "https://example.org/feed.json");
	cr_assert_str_eq(doc->description, "About things");
	cr_assert_str_eq(doc->language, "en-GB");
	cr_assert_eq(doc->updated, FEED_TIME_NONE);
	cr_assert_eq(doc->nitems, 2);
	cr_assert_eq(doc->nerrors, 0);
	feed_doc_free(doc);
}

Test(jsonfeed, version_1_1_item_fields)
{
	struct feed_doc *doc = parse_ok(feed11, NULL);
	struct feed_item *it = &doc->items[0];

	cr_assert_str_eq(it->id, "2");
	cr_assert_str_eq(it->title, "Second");
	cr_assert_str_eq(it->link, "https://example.org/second-item");
	/* content_text and summary are plain text: escaped into HTML. */
	cr_assert_str_eq(it->content, "a &lt; b &amp; c");
	cr_assert_str_eq(it->summary, "Short &amp; sweet");
	/* 11:44:36 at -05:00 is 16:44:36 UTC. */
	cr_assert_eq(it->published, 1596818676);
	cr_assert_eq(it->updated, 1596844800);
	cr_assert_str_eq(it->author, "Ann, Bob");
	cr_assert_eq(it->ncategories, 2);
	cr_assert_str_eq(it->categories[0], "one");
	cr_assert_str_eq(it->categories[1], "two");
	cr_assert_eq(it->nenclosures, 1);
	/* Relative to feed_url, as the spec says, when no base is given. */
	cr_assert_str_eq(it->enclosures[0].url, "https://example.org/ep2.mp3");
	cr_assert_str_eq(it->enclosures[0].type, "audio/mpeg");
	cr_assert_eq(it->enclosures[0].length, 89970236);
	feed_doc_free(doc);
}

Test(jsonfeed, content_html_and_author_fallback)
{
	struct feed_doc *doc = parse_ok(feed11, NULL);
	struct feed_item *it = &doc->items[1];

	cr_assert_str_eq(it->content, "<p>Hello, world!</p>");
	cr_assert_null(it->summary);
	cr_assert_str_eq(it->link, "https://example.org/first-item");
	cr_assert_str_eq(it->author, "Feed Author");
	cr_assert_eq(it->published, FEED_TIME_NONE);
	cr_assert_eq(it->ncategories, 0);
	cr_assert_eq(it->nenclosures, 0);
	feed_doc_free(doc);
}

Test(jsonfeed, base_url_argument_wins)
{
	struct feed_doc *doc = parse_ok(feed11, "https://mirror.example.net/f/");

	cr_assert_str_eq(doc->items[1].link,
	    "https://mirror.example.net/f/first-item");
	cr_assert_str_eq(doc->items[0].enclosures[0].url,
	    "https://mirror.example.net/ep2.mp3");
	feed_doc_free(doc);
}

Test(jsonfeed, version_1_0_feed)
{
	static const char json[] =
	    "{\"version\":\"https://jsonfeed.org/version/1\","
	    "\"title\":\"Old\",\"home_page_url\":\"/\",\"feed_url\":\"/feed.json\","
	    "\"author\":{\"name\":\"Someone\"},"
	    "\"items\":[{\"id\":42,\"external_url\":\"https://elsewhere.example/x\","
	    "\"content_text\":\"plain\",\"author\":{\"name\":\"Writer\"},"
	    "\"date_published\":\"Tue, 10 Jun 2003 04:00:00 GMT\"},"
	    "{\"id\":3.25,\"url\":\"/2020/08/07/post.html\"}]}";
	struct feed_doc *doc = parse_ok(json, NULL);

	cr_assert_eq(doc->format, FEED_FORMAT_JSON10);
	/* Relative feed_url with no base: left as given, never invented. */
	cr_assert_str_eq(doc->link, "/");
	cr_assert_str_eq(doc->id, "/feed.json");
	cr_assert_str_eq(doc->items[0].id, "42");
	cr_assert_str_eq(doc->items[0].link, "https://elsewhere.example/x");
	cr_assert_str_eq(doc->items[0].content, "plain");
	cr_assert_str_eq(doc->items[0].author, "Writer");
	cr_assert_eq(doc->items[0].published, 1055217600);
	cr_assert_str_eq(doc->items[1].id, "3.25");
	cr_assert_str_eq(doc->items[1].link, "/2020/08/07/post.html");
	cr_assert_str_eq(doc->items[1].author, "Someone");
	feed_doc_free(doc);
}

Test(jsonfeed, http_version_url_and_bom)
{
	static const char json[] = "\xef\xbb\xbf  {\"version\":"
	    "\"http://jsonfeed.org/version/1.1\",\"items\":[]}";
	struct feed_doc *doc = parse_ok(json, NULL);

	cr_assert_eq(doc->format, FEED_FORMAT_JSON11);
	cr_assert_eq(doc->nitems, 0);
	feed_doc_free(doc);
}

/* Some generators write the bare version number; with an items array
 * the object is a JSON Feed of that version. */
Test(jsonfeed, bare_version_number)
{
	struct feed_doc *doc;

	doc = parse_ok("{\"version\":\"1.1\",\"title\":\"T\",\"items\":"
	    "[{\"id\":\"a\",\"content_text\":\"x\"}]}", NULL);
	cr_assert_eq(doc->format, FEED_FORMAT_JSON11);
	cr_assert_eq(doc->nitems, 1);
	cr_assert_str_eq(doc->title, "T");
	feed_doc_free(doc);
	doc = parse_ok("{\"version\":\"1\",\"items\":[]}", NULL);
	cr_assert_eq(doc->format, FEED_FORMAT_JSON10);
	feed_doc_free(doc);
	doc = parse_ok("{\"version\":\"1.0\",\"items\":[]}", NULL);
	cr_assert_eq(doc->format, FEED_FORMAT_JSON10);
	feed_doc_free(doc);
	/* without items, or another number: some other JSON */
	expect_fail("{\"version\":\"1.1\",\"title\":\"T\"}",
	    "jsonfeed.org version");
	expect_fail("{\"version\":\"1.1\",\"items\":{}}",
	    "jsonfeed.org version");
	expect_fail("{\"version\":\"2.0\",\"items\":[]}",
	    "jsonfeed.org version");
	expect_fail("{\"version\":\"1.10\",\"items\":[]}",
	    "jsonfeed.org version");
}

Test(jsonfeed, bad_dates_and_types_become_errors)
{
	static const char json[] =
	    "{\"version\":\"https://jsonfeed.org/version/1.1\","
	    "\"title\":[\"x\"],\"items\":[{\"id\":\"a\","
	    "\"date_published\":\"not a date\",\"date_modified\":{},"
	    "\"title\":1000,\"url\":1.2,\"tags\":\"no\",\"attachments\":{}},"
	    "\"not an object\"]}";
	struct feed_doc *doc = parse_ok(json, NULL);

	cr_assert_null(doc->title);
	cr_assert_eq(doc->nitems, 1);
	cr_assert_eq(doc->items[0].published, FEED_TIME_NONE);
	cr_assert_eq(doc->items[0].updated, FEED_TIME_NONE);
	cr_assert_null(doc->items[0].title);
	cr_assert_null(doc->items[0].link);
	cr_assert(th_doc_errors(doc, "not a date"));
	cr_assert_geq(doc->nerrors, 5);
	feed_doc_free(doc);
}

Test(jsonfeed, not_a_feed)
{
	static const char rss_in_json[] = "{\"rss\":{\"version\":\"2.0\","
	    "\"channel\":{\"title\":\"Scripting News\",\"item\":[]}}}";

	expect_fail(rss_in_json, "not a feed");
	expect_fail("[1,2,3]", "jsonfeed.org version");
	expect_fail("\"https://jsonfeed.org/version/1\"", "not a feed");
	expect_fail("{\"version\":\"https://example.com/version/1\"}",
	    "jsonfeed.org version");
	expect_fail("{\"version\":\"https://jsonfeed.org/version/2\"}",
	    "jsonfeed.org version");
}

Test(jsonfeed, truncated_and_invalid)
{
	static const char cut[] = "{\"version\":\"https://jsonfeed.org/version/1"
	    "\",\"items\":[{\"id\":\"1\",\"content_html\":\"<p>If you wr";

	expect_fail(cut, "truncated");
	expect_fail_len(feed11, 100, "truncated");
	expect_fail("", "truncated");
	expect_fail("{\"a\" 1}", "invalid JSON");
	expect_fail("<rss></rss>", "not a feed");
}

Test(jsonfeed, deep_nesting_fails_cleanly)
{
	size_t n = 100000, i;
	char *s = xmalloc(2 * n + 1);
	char *err = NULL;

	for (i = 0; i < n; i++) {
		s[i] = '[';
		s[n + i] = ']';
	}
	s[2 * n] = '\0';
	cr_assert_null(jsonfeed_parse(s, 2 * n, NULL, 0, &err));
	cr_assert_not_null(err);
	/* said as what it is, not as a byte that is valid JSON */
	cr_assert_not_null(strstr(err, "nested deeper than 1000"), "%s", err);
	free(err);
	free(s);
	/* brackets inside a string are no nesting */
	expect_fail("{\"a\": \"[[[{{\\\"[\", \"b\" 1}", "invalid JSON");
}

Test(jsonfeed, length_is_respected)
{
	/* The bytes after len are not part of the document. */
	static const char json[] = "{\"version\":\"https://jsonfeed.org/version/1"
	    "\",\"items\":[]}GARBAGE";
	char *err = NULL;
	struct feed_doc *doc = jsonfeed_parse(json, strlen(json) - 7, NULL, 0,
	    &err);

	cr_assert_not_null(doc, "%s", err);
	feed_doc_free(doc);
}

Test(jsonfeed, titles_are_plain_text)
{
	/* Publishers put HTML entities in titles (InfluxData's &#8211;). */
	static const char json[] = "{\"version\":\"https://jsonfeed.org/version/"
	    "1.1\",\"title\":\"A &amp; B\",\"items\":[{\"id\":\"1\","
	    "\"title\":\"Telegraf &#8211; part  2\"}]}";
	struct feed_doc *doc = parse_ok(json, NULL);

	cr_assert_str_eq(doc->title, "A & B");
	cr_assert_str_eq(doc->items[0].title, "Telegraf \xe2\x80\x93 part 2");
	feed_doc_free(doc);
}

/* JSON Feed titles are plain text: "Why <script> tags" stays whole. */
Test(jsonfeed, plain_titles_keep_their_angle_brackets)
{
	struct feed_doc *doc = parse_ok("{\"version\": \"https://jsonfeed.org/"
	    "version/1.1\", \"title\": \"The <canvas> feed\", \"items\": ["
	    "{\"id\": \"1\", \"title\": \"Why <script> tags block\"},"
	    "{\"id\": \"2\", \"title\": \"<b>Bold</b> &amp; more\"}]}", NULL);

	cr_assert_str_eq(doc->title, "The <canvas> feed");
	cr_assert_str_eq(doc->items[0].title, "Why <script> tags block");
	cr_assert_str_eq(doc->items[1].title, "Bold & more");
	feed_doc_free(doc);
}

/*
 * A number id is read as a string (jsonfeed.org 1.1), its digits kept:
 * snowflake ids past 2^53 came out as "1.794e+18" and two items shared
 * one id.  Only ids: a long number elsewhere, or "id" inside a string,
 * is left as it is.
 */
Test(jsonfeed, long_numeric_ids_keep_their_digits)
{
	struct feed_doc *doc = parse_ok("{\"version\": \"https://jsonfeed.org/"
	    "version/1.1\", \"title\": \"say \\\"id\\\": 12345678901234567\","
	    " \"items\": ["
	    "{\"id\" : 1794000000000000001, \"content_text\": \"a\"},"
	    "{\"id\":1794000000000000002, \"content_text\": \"b\","
	    " \"attachments\": [{\"url\": \"https://x.example/a.mp3\","
	    " \"mime_type\": \"audio/mpeg\", \"size_in_bytes\":"
	    " 12345678901234567}]},"
	    "{\"id\": 1234567, \"content_text\": \"c\"},"
	    "{\"id\": -9007199254740993, \"content_text\": \"d\"}]}", NULL);

	cr_assert_str_eq(doc->title, "say \"id\": 12345678901234567");
	cr_assert_eq(doc->nitems, 4);
	cr_assert_str_eq(doc->items[0].id, "1794000000000000001");
	cr_assert_str_eq(doc->items[1].id, "1794000000000000002");
	cr_assert_str_eq(doc->items[2].id, "1234567");
	cr_assert_str_eq(doc->items[3].id, "-9007199254740993");
	cr_assert_eq(doc->items[1].nenclosures, 1);
	feed_doc_free(doc);
}

/* content_html's relative URLs are resolved, as RSS and Atom content's
 * are: they were left relative, and broke in every reader. */
Test(jsonfeed, relative_urls_in_content_html_are_resolved)
{
	struct feed_doc *doc = parse_ok("{\"version\": \"https://jsonfeed.org/"
	    "version/1.1\", \"title\": \"t\", \"items\": [{\"id\": \"1\","
	    " \"content_html\": \"<a href=\\\"/posts/2\\\">two</a> <img "
	    "src=\\\"img/cat.png\\\">\"}]}", "https://example.org/feed.json");

	cr_assert_not_null(strstr(doc->items[0].content,
	    "href=\"https://example.org/posts/2\""), "%s", doc->items[0].content);
	cr_assert_not_null(strstr(doc->items[0].content,
	    "src=\"https://example.org/img/cat.png\""), "%s",
	    doc->items[0].content);
	feed_doc_free(doc);
}

/*
 * A lone surrogate escape ("\ud800", a summary cut in the middle of an
 * emoji by JavaScript) is grammatical JSON (RFC 8259 8.2) that cJSON
 * refuses: the whole feed was "invalid JSON".  It becomes U+FFFD; a
 * pair and an escaped backslash before "ud800" are left alone.
 */
Test(jsonfeed, lone_surrogates_are_replaced_not_fatal)
{
	struct feed_doc *doc = parse_ok("{\"version\": \"https://jsonfeed.org/"
	    "version/1.1\", \"title\": \"t\", \"items\": ["
	    "{\"id\": \"1\", \"title\": \"lone \\ud800 surrogate\"},"
	    "{\"id\": \"2\", \"title\": \"pair \\ud83d\\ude00 low \\udc00\"},"
	    "{\"id\": \"3\", \"title\": \"text \\\\ud800\"}]}", NULL);

	cr_assert_eq(doc->nitems, 3);
	cr_assert_str_eq(doc->items[0].title, "lone \xef\xbf\xbd surrogate");
	cr_assert_str_eq(doc->items[1].title,
	    "pair \xf0\x9f\x98\x80 low \xef\xbf\xbd");
	cr_assert_str_eq(doc->items[2].title, "text \\ud800");
	feed_doc_free(doc);
}

/* "\u0000" in a string is U+FFFD: cJSON ended the string there, and a
 * title or content_html lost all after it (XSS review 5). */
Test(jsonfeed, a_nul_escape_does_not_cut_a_string)
{
	struct feed_doc *doc = parse_ok("{\"version\": \"https://jsonfeed.org/"
	    "version/1.1\", \"title\": \"t\", \"items\": ["
	    "{\"id\": \"1\", \"title\": \"before \\u0000 after\","
	    " \"content_html\": \"<p>a\\u0000b</p>\"},"
	    "{\"id\": \"2\", \"title\": \"kept \\\\u0000\"}]}", NULL);

	cr_assert_eq(doc->nitems, 2);
	cr_assert_str_eq(doc->items[0].title, "before \xef\xbf\xbd after");
	cr_assert_str_eq(doc->items[0].content, "<p>a\xef\xbf\xbd" "b</p>");
	cr_assert_str_eq(doc->items[1].title, "kept \\u0000");
	feed_doc_free(doc);
}

/* An item whose authors give only a url has authors: the feed's were
 * put in their place (jsonfeed.org: the top-level authors apply only
 * "if not specified in an item").  The url stands for the name. */
Test(jsonfeed, an_author_with_only_a_url_is_the_items)
{
	struct feed_doc *doc = parse_ok("{\"version\": \"https://jsonfeed.org/"
	    "version/1.1\", \"title\": \"a\", \"authors\": [{\"name\": \"Feed "
	    "Owner\"}, {\"name\": \"Joe\", \"url\": \"mailto:joe@x.example\"}],"
	    " \"items\": [{\"id\": \"1\", \"content_text\": \"x\","
	    " \"authors\": [{\"url\": \"https://guest.example/\"}]},"
	    "{\"id\": \"2\", \"content_text\": \"y\"},"
	    "{\"id\": \"3\", \"content_text\": \"z\","
	    " \"authors\": [{\"url\": \"mailto:joe@x.example\"}]}]}", NULL);

	cr_assert_str_eq(doc->items[0].author, "https://guest.example/");
	cr_assert_str_eq(doc->items[1].author, "Feed Owner, Joe");
	cr_assert_str_eq(doc->items[2].author, "Joe", "the feed names the url");
	feed_doc_free(doc);
}

/* A string past FEED_MAX_TEXT is cut as an XML field is, and said. */
Test(jsonfeed, strings_are_cut_as_xml_fields)
{
	struct buf b;
	struct feed_doc *doc;

	buf_init(&b, 0);
	buf_puts(&b, "{\"version\": \"https://jsonfeed.org/version/1.1\", "
	    "\"title\": \"a\", \"items\": [{\"id\": \"1\", "
	    "\"content_text\": \"");
	for (int i = 0; i < 2 * 1024 * 1024 / 8; i++)
		buf_puts(&b, "\u00e9tude ");	/* 7 bytes of UTF-8 each */
	buf_puts(&b, "\"}]}");
	doc = parse_ok(b.data, NULL);
	cr_assert_leq(strlen(doc->items[0].content), 1024 * 1024);
	cr_assert_gt(strlen(doc->items[0].content), 1000 * 1000);
	cr_assert_eq(th_doc_errors(doc, "1 string longer than 1048576 bytes, "
	    "cut"), 1);
	feed_doc_free(doc);
	buf_cleanup(&b);
}

/*
 * Authors are read as XML's are joined: the first FEED_MAX_AUTHORS of
 * a list, while they fit FEED_AUTHORS_MAX_LEN.  Each url-only author
 * of each item was looked up through all of the feed's: 3 MB of them
 * took 50 s (fuzzing).  The feed's are read as far as FEED_MAX_AUTHORS
 * too.
 */
Test(jsonfeed, authors_are_bounded_as_xml_ones)
{
	struct buf b;
	struct feed_doc *doc;

	buf_init(&b, 0);
	buf_puts(&b, "{\"version\": \"https://jsonfeed.org/version/1.1\", "
	    "\"title\": \"a\", \"authors\": [");
	for (int i = 0; i < 5000; i++)
		buf_printf(&b, "%s{\"url\": \"https://authors.example/u%d\"}",
		    i ? "," : "", i);
	/* past the 64 read: not the name of u0 */
	buf_puts(&b, ",{\"name\": \"Last\", \"url\": "
	    "\"https://authors.example/u0\"}], \"items\": [");
	buf_puts(&b, "{\"id\": \"1\", \"content_text\": \"x\", "
	    "\"authors\": [");
	for (int k = 0; k < 5000; k++)
		buf_printf(&b, "%s{\"url\": \"https://authors.example/u%d\"}",
		    k ? "," : "", k);
	buf_puts(&b, "]}]}");
	doc = parse_ok(b.data, NULL);
	cr_assert_eq(doc->nitems, 1);
	cr_assert_leq(strlen(doc->items[0].author), 500);
	cr_assert(strncmp(doc->items[0].author, "https://authors.example/u0, "
	    "https://authors.example/u1, ", 56) == 0, "%s",
	    doc->items[0].author);
	feed_doc_free(doc);
	buf_cleanup(&b);
}
