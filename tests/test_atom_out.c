/*
 * test_atom_out: the Atom and JSON Feed writers on hand-built story
 * rows: hostile text stays well-formed XML, ids are stable and unique,
 * order and atom:source are kept, and validate-feed accepts the result.
 */
#include <criterion/criterion.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feeds/atom_out.h"
#include "feeds/iri.h"
#include "feeds/json_out.h"
#include "feeds/jsonfeed_out.h"
#include "tests/helpers.h"
#include "util/xmalloc.h"

static void
row_init(struct story_row *r, int64_t id, const char *title, const char *link)
{
	memset(r, 0, sizeof(*r));
	r->story_id = id;
	r->title = (char *)title;
	r->link = (char *)link;
	r->published = 1795000000 - id * 3600;
	r->updated = FEED_TIME_NONE;
	r->first_seen = 1795000000;
	r->feed_name = (char *)"Example";
	r->feed_title = (char *)"Example Feed";
	r->feed_link = (char *)"https://example.org/";
	r->feed_url = (char *)"https://example.org/feed.xml";
	r->feed_updated = 1795000000;
	r->nsources = 1;
}

static const struct atom_meta test_meta = {
	.id = "tag:feedd,2026:test",
	.title = "Test <feed> & co",
	.self = "http://127.0.0.1:8787/feed.xml",
	.alternate = NULL,
	.updated = 0,
};

/* The Atom (or with json, JSON Feed) document for rows, NUL-terminated. */
static char *
render_doc(const struct story_row *rows, size_t n, size_t *len, int json)
{
	struct jsonfeed_meta jm = { "t", NULL, NULL };
	struct entry *e;
	size_t	 ne;
	char	*out = NULL;
	FILE	*fp;

	fp = open_memstream(&out, len);
	cr_assert_not_null(fp);
	e = entries_prepare(rows, n, &ne);
	cr_assert_eq(json ? jsonfeed_write(fp, &jm, e, ne) :
	    atom_write(fp, &test_meta, e, ne), 0);
	fclose(fp);
	entries_free(e, ne);
	return out;
}

static char *
render(const struct story_row *rows, size_t n, size_t *len)
{
	return render_doc(rows, n, len, 0);
}

static char *
render_json(const struct story_row *rows, size_t n, size_t *len)
{
	return render_doc(rows, n, len, 1);
}

static xmlDocPtr
parse_strict(const char *xml, size_t len)
{
	xmlDocPtr doc;

	doc = xmlReadMemory(xml, (int)len, "feed.xml", NULL, XML_PARSE_NONET);
	cr_assert_not_null(doc, "output is not well-formed XML");
	return doc;
}

/* Runs validate-feed on data, written to a file called name. */
static void
validate(const char *data, size_t len, const char *name)
{
	char	*dir = th_tmpdir(), *path = th_path(dir, name);
	const char *p = path;

	cr_assert_eq(th_write_file(path, data, len), 0);
	th_validate_feeds(&p, 1);
	th_rmdir(dir);
	free(dir);
	free(path);
}

static int
count(const char *hay, const char *needle)
{
	int	 n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

Test(atom_out, hostile_text_stays_well_formed)
{
	struct story_row r[6];
	char	*big, *xml;
	char	*cats[] = { "a\"b<c>", "\x01\x02", "ok" };
	size_t	 len;
	xmlDocPtr doc;

	big = malloc(5 * 1024 * 1024 + 1);
	memset(big, 'x', 5 * 1024 * 1024);
	big[5 * 1024 * 1024] = '\0';
	row_init(&r[0], 1, "]]> </title> <script>alert(1)</script>",
	    "https://example.org/a?x=1&y=2");
	r[0].content = "<p>hi ]]> <script>evil()</script></p>";
	r[0].summary = "bell\x07 nul-ish \x1b[31m esc";
	r[0].categories = cats;
	r[0].ncategories = 3;
	row_init(&r[1], 2, "lone &#xD800; ref \xed\xa0\x80 surrogate bytes",
	    "https://example.org/b");
	r[1].author = "\xff\xfe bad utf-8 \xc0\xaf overlong";
	row_init(&r[2], 3, big, "https://example.org/c");
	r[2].content = big;
	row_init(&r[3], 4, "\x01\x02\x03", "https://example.org/d");
	row_init(&r[4], 5, "U+FFFE \xef\xbf\xbe U+FFFF \xef\xbf\xbf",
	    "https://example.org/e e");
	row_init(&r[5], 6, "no link", NULL);
	r[5].entry_id = "not an iri";
	r[5].feed_title = "\x01";
	xml = render(r, 6, &len);
	doc = parse_strict(xml, len);
	xmlFreeDoc(doc);
	cr_expect_eq(strstr(xml, "<script>"), NULL, "raw <script> in output");
	cr_expect_lt(len, 3 * 1024 * 1024, "5 MB title and content not capped");
	cr_expect_neq(strstr(xml, "<title type=\"text\">https://example.org/d</title>"),
	    NULL, "an empty title falls back to the link");
	cr_expect_neq(strstr(xml, "href=\"https://example.org/e%20e\""), NULL,
	    "a space in a link is percent-encoded");
	validate(xml, len, "hostile.xml");
	free(xml);
	free(big);
}

Test(atom_out, ids_stable_and_unique)
{
	struct story_row r[3];
	char	*a, *b;
	size_t	 la, lb;

	row_init(&r[0], 1, "one", "https://example.org/1");
	r[0].entry_id = "https://example.org/1";
	row_init(&r[1], 2, "two", "https://example.org/2");
	r[1].entry_id = "42";
	row_init(&r[2], 3, "three", "https://example.org/3");
	r[2].entry_id = "https://example.org/1";	/* reused by the feed */
	a = render(r, 3, &la);
	b = render(r, 3, &lb);
	cr_assert_eq(la, lb);
	cr_assert(memcmp(a, b, la) == 0, "same rows, different bytes");
	cr_expect_eq(count(a, "<id>https://example.org/1</id>"), 1);
	cr_expect_eq(count(a, "<id>tag:feedd,2026:entry-"), 2,
	    "\"42\" and the duplicate id become tag: URIs");
	validate(a, la, "ids.xml");
	free(a);
	free(b);
}

Test(atom_out, order_source_and_duplicate_links)
{
	struct story_row r[3];
	char	*xml, *p1, *p2;
	size_t	 len;

	row_init(&r[0], 1, "newest", "https://example.org/n");
	row_init(&r[1], 2, "older", "https://example.org/o");
	row_init(&r[2], 3, "same story again", "https://example.org/n");
	xml = render(r, 3, &len);
	p1 = strstr(xml, "newest");
	p2 = strstr(xml, "older");
	cr_assert(p1 != NULL && p2 != NULL && p1 < p2, "store order not kept");
	free(xml);
	/* an edit makes an entry newer: atom:updated must still fall */
	r[1].updated = 1795000000 + 60;
	xml = render(r, 3, &len);
	p1 = strstr(xml, "newest");
	p2 = strstr(xml, "older");
	cr_assert(p1 != NULL && p2 != NULL && p2 < p1,
	    "the entry updated last is not first");
	cr_expect_neq(strstr(xml, "same story again"), NULL,
	    "a story sharing another's link was dropped");
	cr_expect_eq(count(xml, "<link rel=\"alternate\" href=\"https://example.org/n\"/>"),
	    1, "two entries claim one page");
	cr_expect_eq(count(xml, "<link rel=\"related\" href=\"https://example.org/n\"/>"),
	    1, "the older story lost the shared link");
	cr_expect_eq(count(xml, "<source>"), 3);
	cr_expect_eq(count(xml, "<title type=\"text\">Example Feed</title>"), 3);
	cr_expect_eq(count(xml, "<published>"), 3);
	cr_expect_neq(strstr(xml, "<link rel=\"self\""), NULL);
	validate(xml, len, "order.xml");
	free(xml);
}

Test(atom_out, empty_feed_is_valid)
{
	char	*xml;
	size_t	 len;
	xmlDocPtr doc;

	xml = render(NULL, 0, &len);
	doc = parse_strict(xml, len);
	xmlFreeDoc(doc);
	cr_expect_eq(count(xml, "<entry>"), 0);
	validate(xml, len, "empty.xml");
	free(xml);
}

Test(atom_out, clean_text_rules)
{
	char	*s;

	s = entry_clean_text("a\x01" "b\x7f" "c\xef\xbf\xbf" "d\xed\xa0\x80" "e\xff", 0, 0);
	cr_expect_str_eq(s, "ab\x7f" "cde");
	free(s);
	s = entry_clean_text("  one\n\t two  \xe2\x80\xa8 three ", 0, 1);
	cr_expect_str_eq(s, "one two three");
	free(s);
	s = entry_clean_text("\xc3\xa9\xc3\xa9\xc3\xa9", 5, 0);
	cr_expect_str_eq(s, "\xc3\xa9\xc3\xa9", "cut inside a character");
	free(s);
	cr_expect_null(entry_clean_text(NULL, 0, 0));
}

Test(atom_out, iri_check)
{
	cr_expect(entry_is_iri("https://example.org/a#b"));
	cr_expect(entry_is_iri("urn:uuid:0b7e2a54-8d1c-4c5e-9f3a-2b1c0d9e8f7a"));
	cr_expect(!entry_is_iri("urn:uuid:1234"), "not a UUID");
	cr_expect(!entry_is_iri("https://example.org/a[1]"), "[ ] unescaped");
	cr_expect(!entry_is_iri("source:42"), "not a registered scheme");
	cr_expect(!entry_is_iri("https://example.org/\xff"), "invalid UTF-8");
	cr_expect(entry_is_iri("tag:example.org,2026:x"));
	cr_expect(!entry_is_iri("42"));
	cr_expect(!entry_is_iri("https://exa mple.org/"));
	cr_expect(!entry_is_iri("https:///path"));
	cr_expect(!entry_is_iri("http://x/a#b#c"));
	cr_expect(!entry_is_iri("http://x/%zz"));
	cr_expect(!entry_is_iri("tag:nodate:x"));
	cr_expect(!entry_is_iri(""));
}

Test(atom_out, json_feed_items_match)
{
	struct story_row r[2];
	struct entry *e;
	struct jsonfeed_meta meta = { "T", "http://127.0.0.1:1/feed.json", NULL };
	size_t	 ne, len;
	char	*out = NULL;
	FILE	*fp;

	row_init(&r[0], 1, "one \"quoted\"\n", "https://example.org/1");
	r[0].content = "<p>x</p>";
	row_init(&r[1], 2, "two", "https://example.org/1");
	e = entries_prepare(r, 2, &ne);
	cr_assert_eq(ne, 2, "two stories sharing a link are two items");
	fp = open_memstream(&out, &len);
	cr_assert_eq(jsonfeed_write(fp, &meta, e, ne), 0);
	fclose(fp);
	cr_expect_neq(strstr(out, "\"version\": \"https://jsonfeed.org/version/1.1\""),
	    NULL);
	cr_expect_eq(count(out, "\"id\":"), 2);
	cr_expect_eq(count(out, "\"url\": \"https://example.org/1\""), 1);
	cr_expect_eq(count(out, "\"external_url\": \"https://example.org/1\""),
	    1, "the older item names the shared page as external_url");
	validate(out, len, "feed.json");
	entries_free(e, ne);
	free(out);
}

/*
 * A story from three outlets: one entry, the others as related links
 * named by their feeds and "Also reported by" closing the content; its
 * updated moves to when the last source joined; JSON Feed lists the
 * sources in "_feedd"; both stay valid.
 */
Test(atom_out, grouped_story_names_its_sources)
{
	struct story_source others[] = {
		{ (char *)"verge", (char *)"The Verge",
		    (char *)"https://verge.example/k2" },
		{ (char *)"kr", (char *)"36氪 <AI>",
		    (char *)"https://36kr.example/k2" },
		{ (char *)"dup", (char *)"Example Feed",
		    (char *)"https://tc.example/k2" },
	};
	struct story_row r;
	size_t	 len, jlen;
	char	*xml, *json = NULL;

	row_init(&r, 1, "Moonshot AI releases Kimi K2", "https://tc.example/k2");
	r.content = (char *)"<p>Text.</p>";
	r.others = others;
	r.nothers = 3;
	r.nitems = 4;
	r.last_seen = 1795000000 + 1300;	/* the newest item, "dup" */
	xml = render(&r, 1, &len);
	cr_assert_not_null(strstr(xml, "<link rel=\"related\" href=\""
	    "https://verge.example/k2\" title=\"The Verge\"/>"), "%s", xml);
	cr_assert_not_null(strstr(xml, "<link rel=\"related\" href=\""
	    "https://36kr.example/k2\" title=\"36氪 &lt;AI&gt;\"/>"), "%s", xml);
	cr_assert_null(strstr(xml, "related\" href=\"https://tc.example/k2"),
	    "the entry's own page is not related to itself");
	cr_assert_not_null(strstr(xml, "Also reported by: &lt;a href=&quot;"
	    "https://verge.example/k2&quot;&gt;The Verge&lt;/a&gt;, "), "%s", xml);
	cr_assert_not_null(strstr(xml, "<updated>2026-11-18T11:28:20Z</updated>"),
	    "updated moves to the last join: %s", xml);
	free(xml);
	/* joined in the same poll (under a minute): the date stays */
	r.last_seen = 1795000000 + 59;
	xml = render(&r, 1, &len);
	cr_assert_not_null(strstr(xml, "<updated>2026-11-18T10:06:40Z</updated>"),
	    "%s", xml);
	cr_assert_null(strstr(xml, "11:07:39"), "%s", xml);
	validate(xml, len, "feed.xml");
	json = render_json(&r, 1, &jlen);
	cr_assert_not_null(strstr(json, "\"_feedd\": {\"sources\": [{\"feed\": "
	    "\"Example Feed\", \"url\": \"https://tc.example/k2\"}, {\"feed\": "
	    "\"The Verge\", \"url\": \"https://verge.example/k2\"}"), "%s", json);
	validate(json, jlen, "feed.json");
	free(json);
	free(xml);
}

/*
 * What readers read from feedd's whole-corpus output differed from the
 * document in these (bench/readers/compare.py); each test is one fix.
 */

/*
 * A term the source repeats is one atom:category and one tag: python's
 * and node's feedparser keep one of two equal terms, gofeed, sfeed and
 * the rest keep both, so the same entry had different categories.
 */
Test(atom_out, repeated_category_written_once)
{
	char	*cats[] = { "music", "ireland", "music", " music ", "nc", "nc" };
	struct story_row r;
	size_t	 len, jlen;
	char	*xml, *json = NULL;

	row_init(&r, 1, "Willie Clancy week", "https://example.org/wc");
	r.categories = cats;
	r.ncategories = 6;
	xml = render(&r, 1, &len);
	cr_expect_eq(count(xml, "<category term=\"music\"/>"), 1,
	    "a repeated term is two categories");
	cr_expect_eq(count(xml, "<category term=\"nc\"/>"), 1);
	cr_expect_eq(count(xml, "<category "), 3);
	json = render_json(&r, 1, &jlen);
	cr_expect_neq(strstr(json, "\"tags\": [\"music\", \"ireland\", \"nc\"]"),
	    NULL, "JSON Feed tags repeat a term: %s", json);
	validate(xml, len, "categories.xml");
	free(json);
	free(xml);
}

/*
 * "'" in a double-quoted attribute needs no reference (XML 1.0 2.3,
 * AttValue); @rowanmanning/feed-parser reads term="Children&#39;s TV"
 * as the literal text "Children&#39;s TV".  The text is the same for an
 * XML parser either way.
 */
Test(atom_out, apostrophe_in_attribute_is_literal)
{
	char	*cats[] = { "Children's TV", "\"quoted\" & <b>" };
	struct story_row r;
	size_t	 len;
	char	*xml;
	xmlDocPtr doc;
	xmlNodePtr n;
	int	 seen = 0;

	row_init(&r, 1, "Dodger's prequel", "https://example.org/it's");
	r.categories = cats;
	r.ncategories = 2;
	xml = render(&r, 1, &len);
	cr_expect_neq(strstr(xml, "<category term=\"Children's TV\"/>"), NULL,
	    "%s", xml);
	cr_expect_neq(strstr(xml,
	    "<category term=\"&quot;quoted&quot; &amp; &lt;b&gt;\"/>"), NULL);
	cr_expect_eq(strstr(xml, "&#39;"), NULL, "an apostrophe as a reference");
	doc = parse_strict(xml, len);
	n = xmlDocGetRootElement(doc)->children;
	for (; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)n->name, "entry") == 0)
			break;
	cr_assert_not_null(n);
	for (n = n->children; n != NULL; n = n->next) {
		xmlChar *t;

		if (n->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)n->name, "category") != 0)
			continue;
		t = xmlGetProp(n, (const xmlChar *)"term");
		cr_expect_str_eq((const char *)t,
		    seen++ == 0 ? "Children's TV" : "\"quoted\" & <b>");
		xmlFree(t);
	}
	cr_expect_eq(seen, 2);
	xmlFreeDoc(doc);
	validate(xml, len, "apostrophe.xml");
	free(xml);
}

/*
 * RFC 3986 6.2.2.1: scheme and host are case-insensitive and normalize
 * to lower case.  newsboat, node's feedparser, @rowanmanning/feed-parser
 * and feed-extractor read "http://www.Dicas-L.com.br/..." (a real corpus
 * link) in lower case, the others as written; the path, query and
 * userinfo are case-sensitive and stay.
 */
Test(atom_out, link_scheme_and_host_lower_case)
{
	struct feed_enclosure encl = { (char *)"HTTPS://Media.Example.ORG/A.mp3",
	    (char *)"audio/mpeg", 10 };
	struct story_row r;
	size_t	 len;
	char	*xml;

	char	*id, *want;

	row_init(&r, 1, "Dicas-L", "HTTP://www.Dicas-L.com.br/Dicas-L/20200406.php?Q=A#X");
	r.enclosures = &encl;
	r.nenclosures = 1;
	r.feed_url = (char *)"https://Feeds.Example.ORG/dicas.xml";
	xml = render(&r, 1, &len);
	cr_expect_neq(strstr(xml, "<link rel=\"alternate\" "
	    "href=\"http://www.dicas-l.com.br/Dicas-L/20200406.php?Q=A#X\"/>"),
	    NULL, "%s", xml);
	cr_expect_neq(strstr(xml, "href=\"https://media.example.org/A.mp3\""),
	    NULL, "enclosure link");
	cr_expect_neq(strstr(xml, "<link rel=\"self\" "
	    "href=\"https://feeds.example.org/dicas.xml\"/>"), NULL, "source link");
	/* ids minted from the link and the feed's URL are those of before */
	want = entry_tag_uri("entry",
	    "HTTP://www.Dicas-L.com.br/Dicas-L/20200406.php?Q=A#X");
	id = xasprintf("<id>%s</id>", want);
	cr_expect_neq(strstr(xml, id), NULL, "the entry's id changed: %s", xml);
	cr_expect_neq(strstr(xml,
	    "<id>https://Feeds.Example.ORG/dicas.xml</id>"), NULL,
	    "the source's id changed");
	free(id);
	free(want);
	free(xml);
	xml = iri_http_link("http://User:Pw@Example.COM:8080/P");
	cr_expect_str_eq(xml, "http://User:Pw@example.com:8080/P");
	free(xml);
	xml = iri_http_link("https://[2001:DB8::1]/X");
	cr_expect_str_eq(xml, "https://[2001:db8::1]/X");
	free(xml);
}

/*
 * An item whose source names no author (neither the item nor its feed)
 * is by its publication: without an <author> of its own the aggregate's
 * "feedd" applies to it (RFC 4287 4.2.1), and SimplePie (FreshRSS),
 * node's feedparser and @rowanmanning/feed-parser showed exactly that.
 * A named author is kept as it is.
 */
Test(atom_out, entry_without_author_is_by_its_feed)
{
	struct story_row r[2];
	size_t	 len, jlen;
	char	*xml, *json = NULL;

	row_init(&r[0], 1, "Unsigned", "https://example.org/u");
	row_init(&r[1], 2, "Signed", "https://example.org/s");
	r[1].author = (char *)"Ada Lovelace";
	xml = render(r, 2, &len);
	cr_expect_eq(count(xml, "<name>Example Feed</name>"), 1, "%s", xml);
	cr_expect_eq(count(xml, "<name>Ada Lovelace</name>"), 1, "%s", xml);
	/* every entry has an author: none inherits the feed's */
	cr_expect_eq(count(xml, "<author>"), 3, "%s", xml);
	json = render_json(r, 2, &jlen);
	cr_expect_neq(strstr(json, "\"name\": \"Example Feed\""), NULL, "%s",
	    json);
	validate(xml, len, "authors.xml");
	free(json);
	free(xml);
}
