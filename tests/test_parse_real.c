/*
 * test_parse_real: what real feeds write that the specs allow or that
 * readers must survive (issue 9), one test per class: references and
 * escaping, encodings, links and ids, versions and elements, fallbacks.
 * Small documents are written from the spec named in each test; real
 * ones are in tests/data/parse/real (sources in its README.md).  Where
 * feedparser reads a case differently and feedd is right, the comment
 * says why.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feeds/date.h"
#include "feeds/html.h"
#include "feeds/parse.h"
#include "tests/helpers.h"
#include "util/buf.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

static struct feed_doc *
parse_len(const char *xml, size_t len, const char *base, const char *charset)
{
	char *err = NULL;
	struct feed_doc *doc = feed_parse_buffer(xml, len, base, charset,
	    &err);

	cr_assert_not_null(doc, "parse failed: %s", err ? err : "?");
	free(err);
	return doc;
}

static struct feed_doc *
parse(const char *xml)
{
	return parse_len(xml, strlen(xml), NULL, NULL);
}

static struct feed_doc *
parse_real(const char *name)
{
	char path[256];
	size_t len;
	char *xml;
	struct feed_doc *doc;

	snprintf(path, sizeof(path), "tests/data/parse/real/%s", name);
	xml = th_read_file(path, &len);
	cr_assert_not_null(xml, "cannot read %s", path);
	doc = parse_len(xml, len, NULL, NULL);
	free(xml);
	return doc;
}

static int
has_error(const struct feed_doc *doc, const char *needle)
{
	for (size_t i = 0; i < doc->nerrors; i++)
		if (strstr(doc->errors[i], needle))
			return 1;
	return 0;
}

static char *
rfc3339(int64_t t, char *buf)
{
	return date_format_rfc3339(t, buf, DATE_RFC3339_LEN);
}

#define ATOM "<feed xmlns=\"http://www.w3.org/2005/Atom\">"
#define RSS "<rss version=\"2.0\"><channel><title>c</title>"

/* ---- references and escaping (XML 1.0 sections 4.1, 4.4) ---- */

Test(real, attribute_references_are_decoded)
{
	/* XML 1.0 3.3.3: references in attribute values are replaced, so
	 * href="?x=1&amp;y=2" is ?x=1&y=2 (it used to read &#38;). */
	struct feed_doc *doc = parse(ATOM "<entry><link href=\"https://e.org/"
	    "a?x=1&amp;y=2&#38;z=3&#x26;w=&eacute;\"/><category term=\"A &amp; "
	    "B\"/></entry></feed>");

	cr_assert_str_eq(doc->items[0].link,
	    "https://e.org/a?x=1&y=2&z=3&w=\xc3\xa9");
	cr_assert_str_eq(doc->items[0].categories[0], "A & B");
	feed_doc_free(doc);
	/* the same in a real document (National Weather Service) */
	doc = parse_real("AtomFeedWithSpacesAroundEquals.xml");
	cr_assert_str_eq(doc->link,
	    "http://alerts.weather.gov/cap/wwaatmget.php?x=MEC015&y=0");
	feed_doc_free(doc);
}

Test(real, bare_ampersand_is_kept_as_written)
{
	/* Not a reference (XML 1.0 4.1 needs a name and ';'): a literal
	 * '&', as browsers read it; libxml2 alone drops it, and in an
	 * attribute the name after it. */
	struct feed_doc *doc = parse(RSS "<item><title>Q&A: 1 & 2</title>"
	    "<link>http://e.org/?a=1&b=2&c</link><enclosure url=\"http://e.org/"
	    "f.mp3?a=1&b=2&c\" type=\"audio/mpeg\"/></item></channel></rss>");

	cr_assert_str_eq(doc->items[0].title, "Q&A: 1 & 2");
	cr_assert_str_eq(doc->items[0].link, "http://e.org/?a=1&b=2&c");
	cr_assert_str_eq(doc->items[0].enclosures[0].url,
	    "http://e.org/f.mp3?a=1&b=2&c");
	cr_assert(has_error(doc, "'&' starting no reference read as text"));
	feed_doc_free(doc);
	/* gofeed's issue 305 */
	doc = parse_real("issue_305_bare_ampersand.xml");
	cr_assert_str_eq(doc->title, "Fish & Chips & more <3");
	feed_doc_free(doc);
}

Test(real, legacy_entity_prefix_is_not_a_reference)
{
	/* gofeed's issue 320: "&copy=2" has no ';', so it is no reference
	 * (XML 1.0 4.1).  feedparser applies HTML's legacy rule and reads
	 * "©=2"; in XML the text is what was written. */
	struct feed_doc *doc = parse_real("issue_320_legacy_entity_prefix.xml");

	cr_assert_str_eq(doc->title, "?page=1&copy=2;mode=x & done");
	feed_doc_free(doc);
}

Test(real, undefined_entity_is_kept_as_text)
{
	struct feed_doc *doc = parse(RSS "<item><title>a &foo; b &hellip;"
	    "</title><link>http://e.org/?x=&bar;</link></item>"
	    "</channel></rss>");

	cr_assert_str_eq(doc->items[0].title, "a &foo; b \xe2\x80\xa6");
	cr_assert_str_eq(doc->items[0].link, "http://e.org/?x=&bar;");
	cr_assert(has_error(doc, "entity 'foo' unknown or external"));
	feed_doc_free(doc);
}

Test(real, upper_case_hex_character_reference)
{
	/* "&#X41;" is not XML (4.1 says 'x'), but HTML and feeds write it */
	struct feed_doc *doc = parse(RSS "<item><title>&#X41;&#x42;&#67;"
	    "</title><link>http://e.org/&#X41;</link></item></channel></rss>");

	cr_assert_str_eq(doc->items[0].title, "ABC");
	cr_assert_str_eq(doc->items[0].link, "http://e.org/A");
	feed_doc_free(doc);
}

Test(real, internal_subset_entities_expand_bounded_never_external)
{
	/* XML 1.0 4.2.1: internal entities, in text and attributes; markup
	 * in one is parsed where it is used */
	struct feed_doc *doc = parse("<?xml version=\"1.0\"?><!DOCTYPE rss ["
	    "<!ENTITY at \"AT&amp;T\"><!ENTITY b \"<b>&at;</b>\">"
	    "<!ENTITY ext SYSTEM \"file:///etc/passwd\">]>" RSS
	    "<item><title>&at; &ext;</title><link>http://e.org/?q=&at;</link>"
	    "<description>x &b; y</description></item></channel></rss>");

	cr_assert_str_eq(doc->items[0].title, "AT&T &ext;");
	cr_assert_str_eq(doc->items[0].link, "http://e.org/?q=AT&T");
	cr_assert_str_eq(doc->items[0].summary, "x <b>AT&T</b> y");
	feed_doc_free(doc);
	/* laminas' XXE probe: never loaded, the reference stays */
	doc = parse_real("xxe-atom10.xml");
	cr_assert_str_eq(doc->title, "info:&discloseInfo;");
	feed_doc_free(doc);
}

Test(real, entity_expansion_has_a_document_budget)
{
	/* 200 references to a 16 kB entity would be 3.2 MB: past 1 MB of
	 * expansion the rest stay as written */
	size_t n = 0, cap = 64 * 1024;
	char *xml = malloc(cap);
	struct feed_doc *doc;

	n += (size_t)snprintf(xml + n, cap - n, "<!DOCTYPE rss [<!ENTITY "
	    "k \"");
	for (int i = 0; i < 16000; i++)
		xml[n++] = 'k';
	n += (size_t)snprintf(xml + n, cap - n, "\">]>" RSS "<item><title>");
	for (int i = 0; i < 200; i++)
		n += (size_t)snprintf(xml + n, cap - n, "&k;");
	n += (size_t)snprintf(xml + n, cap - n, "</title></item></channel>"
	    "</rss>");
	doc = parse_len(xml, n, NULL, NULL);
	cr_assert_lt(strlen(doc->items[0].title), 1100000);
	cr_assert_not_null(strstr(doc->items[0].title, "&k;"));
	cr_assert(has_error(doc, "entities expand past"));
	feed_doc_free(doc);
	free(xml);
}

/* ---- encodings (XML 1.0 4.3.3 and appendix F, RFC 7303) ---- */

Test(real, c1_controls_read_as_windows_1252)
{
	/* U+0080-U+009F mean nothing in feeds: a character reference
	 * &#150; or the UTF-8 of U+0096 is windows-1252's en dash, as
	 * browsers read it; raw 0x93/0x94 in a Latin-1 document likewise */
	struct feed_doc *doc = parse(RSS "<item><title>a&#150;b \xc2\x93q"
	    "\xc2\x94</title></item></channel></rss>");

	cr_assert_str_eq(doc->items[0].title,
	    "a\xe2\x80\x93" "b \xe2\x80\x9cq\xe2\x80\x9d");
	feed_doc_free(doc);
	doc = parse("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" RSS
	    "<item><title>\x93q\x94 \x80</title></item></channel></rss>");
	cr_assert_str_eq(doc->items[0].title,
	    "\xe2\x80\x9cq\xe2\x80\x9d \xe2\x82\xac");
	feed_doc_free(doc);
}

Test(real, double_encoded_utf8_is_repaired)
{
	/* Le Figaro's feed: UTF-8 read as Latin-1 and encoded again
	 * ("CinÃ©ma"); every reader shows "Cinéma" */
	struct feed_doc *doc = parse_real("Rss20LeFigaro.xml");

	cr_assert_not_null(strstr(doc->title, "Cin\xc3\xa9ma, th\xc3\xa9\xc3"
	    "\xa2tre"), "%s", doc->title);
	feed_doc_free(doc);
	/* genuine Latin-1 text is left alone */
	doc = parse(RSS "<item><title>\xc3\x83 la carte, \xc3\xa9t\xc3\xa9"
	    "</title></item></channel></rss>");
	cr_assert_str_eq(doc->items[0].title, "\xc3\x83 la carte, "
	    "\xc3\xa9t\xc3\xa9");
	feed_doc_free(doc);
}

#define TITLE "\xe6\x97\xa5\xe2\x82\xac\xf0\x9f\x98\x80"
#define TITLE_DOC "<?xml version=\"1.0\"?><rss><channel><title>" TITLE \
	"</title></channel></rss>"

/* utf8 as UTF-16 (unit 2) or UTF-32 (unit 4), big-endian or not, with a
 * BOM or not; *n: its length.  Caller frees. */
static char *
to_wide(const char *utf8, int unit, int be, int bom, size_t *n)
{
	const unsigned char *s = (const unsigned char *)utf8;
	size_t len = strlen(utf8), o = 0;
	unsigned char *out = malloc((len + 1) * 4 * 2);

	for (size_t i = 0; i <= len; ) {
		uint32_t cp, units[2];
		int nu = 1;

		if (i == 0 && bom) {
			cp = 0xFEFF;
		} else {
			size_t k = i == len ? 0 : utf8_decode(s + i, len - i, &cp);

			if (k == 0)
				break;
			i += k;
		}
		units[0] = cp;
		if (unit == 2 && cp > 0xFFFF) {
			units[0] = 0xD800 + ((cp - 0x10000) >> 10);
			units[1] = 0xDC00 + ((cp - 0x10000) & 0x3FF);
			nu = 2;
		}
		for (int u = 0; u < nu; u++)
			for (int b = 0; b < unit; b++)
				out[o++] = (unsigned char)(units[u] >>
				    (8 * (be ? unit - 1 - b : b)));
		bom = 0;	/* after the BOM, the text from its start */
	}
	*n = o;
	return (char *)out;
}

Test(real, utf16_and_utf32_with_or_without_bom)
{
	size_t n;
	/* SimplePie's BOM-less UTF-16 documents (appendix F: the zero
	 * bytes around '<' say it) */
	static const char *const files[] = { "feed-utf16le.xml",
	    "feed-utf16be.xml" };
	struct feed_doc *doc;

	for (size_t i = 0; i < 2; i++) {
		doc = parse_real(files[i]);
		cr_assert_str_eq(doc->title, "Test feed", "%s", files[i]);
		cr_assert_str_eq(doc->items[0].title, "Test feed title 1");
		feed_doc_free(doc);
	}
	/* "日€😀" (an astral one too) in each width, order and BOM */
	for (int unit = 2; unit <= 4; unit += 2)
		for (int be = 0; be <= 1; be++)
			for (int bom = 0; bom <= 1; bom++) {
				char *w = to_wide(TITLE_DOC, unit, be, bom, &n);

				doc = parse_len(w, n, NULL, NULL);
				cr_assert_str_eq(doc->title, TITLE, "UTF-%d%s%s",
				    unit * 8, be ? "BE" : "LE",
				    bom ? " BOM" : "");
				feed_doc_free(doc);
				free(w);
			}
	/* a UTF-16 label on ASCII bytes is a lie: the bytes decide */
	doc = parse("<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss><channel>"
	    "<title>ok</title></channel></rss>");
	cr_assert_str_eq(doc->title, "ok");
	feed_doc_free(doc);
}

Test(real, rfc7303_charset_order)
{
	size_t n;
	char *wide;
	/* RFC 7303 3.2: the HTTP charset beats the XML declaration ... */
	static const char decl[] = "<?xml version=\"1.0\" encoding="
	    "\"ISO-8859-5\"?><rss><channel><title>\xc3\xa9</title></channel>"
	    "</rss>";
	struct feed_doc *doc = parse_len(decl, sizeof(decl) - 1, NULL, "utf-8");

	cr_assert_str_eq(doc->title, "\xc3\xa9");
	feed_doc_free(doc);
	/* ... a BOM beats both (RFC 7303 3.3, XML 1.0 appendix F) */
	wide = to_wide("<rss><channel><title>\xc3\xa9</title></channel></rss>",
	    2, 1, 1, &n);
	doc = parse_len(wide, n, NULL, "iso-8859-1");
	cr_assert_str_eq(doc->title, "\xc3\xa9");
	feed_doc_free(doc);
	free(wide);
	/* Without HTTP, the declaration, unless the bytes prove it wrong:
	 * miniflux's "windows-1252" document whose bytes are UTF-8 reads
	 * "Euro €" (feedparser follows the label: "Euro â‚¬"). */
	doc = parse_real("windows-1252-incorrect-prolog.xml");
	cr_assert_str_eq(doc->title, "Euro \xe2\x82\xac");
	feed_doc_free(doc);
}

Test(real, undeclared_latin1_is_read_as_windows_1252)
{
	/* miniflux's Le Cercle Psy capture: no declaration, Latin-1 bytes.
	 * Read as UTF-8, "doué »" (E9 A0 BB) would be the CJK "頻"; a head
	 * that is mostly ill-formed UTF-8 is a legacy charset. */
	struct feed_doc *doc = parse_real("no_encoding_ISO-8859-1.xml");
	int found = 0;

	for (size_t i = 0; i < doc->nitems; i++) {
		const char *s = doc->items[i].summary;

		cr_assert(s == NULL || strstr(s, "\xe9\xa0\xbb") == NULL);
		found |= s != NULL && strstr(s, "dou\xc3\xa9\xc2\xa0\xc2\xbb");
	}
	cr_assert(found, "\"dou\xc3\xa9 \xc2\xbb\" read right");
	feed_doc_free(doc);
}

/* ---- links and ids (RSS 2.0, RSS 1.0, RFC 4287, XML Base) ---- */

Test(real, relative_permalink_guid_is_the_link)
{
	/* RSS 2.0: isPermaLink (default true) says the guid is a URL */
	static const char xml[] = RSS "<item><guid>/p/1</guid></item>"
	    "<item><guid isPermaLink=\"false\">/p/2</guid></item>"
	    "<item><guid>tag:e.org,2024:3</guid></item></channel></rss>";
	struct feed_doc *doc = parse_len(xml, sizeof(xml) - 1,
	    "https://e.org/feed", NULL);

	cr_assert_str_eq(doc->items[0].link, "https://e.org/p/1");
	cr_assert_str_eq(doc->items[0].id, "https://e.org/p/1");
	cr_assert_null(doc->items[1].link, "not a permalink");
	cr_assert_str_eq(doc->items[1].id, "/p/2", "opaque, kept");
	cr_assert_null(doc->items[2].link, "tag: is no link");
	feed_doc_free(doc);
}

Test(real, xml_base_inside_content_and_scoped)
{
	/* XML Base applies inside content: escaped HTML and xhtml, each
	 * against the innermost base */
	struct feed_doc *doc = parse(ATOM "<entry xml:base=\"http://e.org/a/\">"
	    "<summary type=\"html\">&lt;img src=\"p.png\"&gt;&lt;a href=\""
	    "http://x.org/\"&gt;x&lt;/a&gt;</summary><content type=\"xhtml\" "
	    "xml:base=\"/c/\"><div xmlns=\"http://www.w3.org/1999/xhtml\">"
	    "<img src=\"q.png\"/><p xml:base=\"d/\"><a href=\"r.html\">r</a>"
	    "</p></div></content></entry></feed>");

	cr_assert_str_eq(doc->items[0].summary,
	    "<img src=\"http://e.org/a/p.png\"><a href=\"http://x.org/\">x</a>");
	cr_assert_str_eq(doc->items[0].content,
	    "<img src=\"http://e.org/c/q.png\"/><p><a href=\""
	    "http://e.org/c/d/r.html\">r</a></p>");
	feed_doc_free(doc);
	/* node-feedparser's fixture: the first item's base is the first
	 * item's only.  feedparser carries it into the second item
	 * ("https://example.com/first/second"); XML Base scopes it to the
	 * element, and with no base the link stays as written. */
	doc = parse_real("rss-with-item-scoped-html-base.xml");
	cr_assert_str_eq(doc->items[0].link, "https://example.com/first/first");
	cr_assert_str_eq(doc->items[0].summary,
	    "<p><a href=\"https://example.com/first/post\">First</a></p>");
	cr_assert_str_eq(doc->items[1].link, "second");
	feed_doc_free(doc);
}

Test(real, link_rel_selection)
{
	/* RFC 4287 4.2.7.2: no rel means alternate; related, via, self and
	 * enclosure are never the entry's link, whatever the order */
	struct feed_doc *doc = parse(ATOM "<entry>"
	    "<link rel=\"related\" href=\"http://e.org/rel\"/>"
	    "<link rel=\"via\" href=\"http://e.org/via\"/>"
	    "<link rel=\"enclosure\" href=\"http://e.org/a.mp3\"/>"
	    "<link rel=\"http://www.iana.org/assignments/relation/alternate\" "
	    "href=\"http://e.org/alt\"/><link rel=\"self\" href=\"http://e.org/"
	    "self\"/></entry></feed>");

	cr_assert_str_eq(doc->items[0].link, "http://e.org/alt");
	cr_assert_str_eq(doc->items[0].enclosures[0].url, "http://e.org/a.mp3");
	feed_doc_free(doc);
	/* extractus' fixture: two rel-less links, then two alternates:
	 * the later wins, as every repeated element */
	doc = parse_real("atom-multilinks.xml");
	cr_assert_str_eq(doc->items[0].link,
	    "http://example.org/2005/04/02/some-other-alias");
	feed_doc_free(doc);
}

Test(real, rdf_about_is_the_item_id)
{
	/* RSS 1.0 5.5: rdf:about is the item's URI; dc:identifier (a DOI
	 * in bioRxiv's feed) is a fallback only */
	struct feed_doc *doc = parse_real("rss_1.0_biorxiv.xml");

	cr_assert_str_eq(doc->format == FEED_FORMAT_RSS10 ? "rss10" : "?",
	    "rss10");
	cr_assert_str_eq(doc->items[0].id,
	    "http://biorxiv.org/cgi/content/short/2023.12.16.571984v1?rss=1");
	feed_doc_free(doc);
}

Test(real, ids_resolved_when_relative_kept_when_absolute)
{
	struct feed_doc *doc = parse(ATOM "<entry xml:base=\"http://e.org/b/\">"
	    "<id>7</id></entry><entry><id>tag:E.org,2024:Ab</id></entry>"
	    "<entry><id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>"
	    "</entry></feed>");

	cr_assert_str_eq(doc->items[0].id, "http://e.org/b/7");
	cr_assert_str_eq(doc->items[1].id, "tag:E.org,2024:Ab", "byte-exact");
	cr_assert_str_eq(doc->items[2].id,
	    "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a");
	/* RFC 4287 4.2.6: an id identifies, it is no link; feedparser
	 * makes it the link of an entry without one */
	cr_assert_null(doc->items[2].link);
	feed_doc_free(doc);
}

/* ---- versions and elements ---- */

Test(real, namespace_variants)
{
	static const struct {
		const char *xml, *format;
	} docs[] = {
		{ "<rss version=\"2.0\" xmlns=\"http://backend.userland.com/"
		    "rss2\"><channel><title>t</title></channel></rss>", "rss20" },
		{ "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax"
		    "-ns#\" xmlns=\"http://my.netscape.com/rdf/simple/0.9/\">"
		    "<channel><title>t</title></channel></rdf:RDF>", "rss090" },
		{ "<feed xmlns=\"http://purl.org/atom/ns#draft-ietf-atompub-"
		    "format-08\"><title>t</title></feed>", "atom03" },
		{ "<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\">"
		    "<title>t</title></feed>", "atom03" },
		{ "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title>"
		    "</feed>", "atom10" },
	};

	for (size_t i = 0; i < sizeof(docs) / sizeof(*docs); i++) {
		struct feed_doc *doc = parse(docs[i].xml);

		cr_assert_str_eq(feed_format_name(doc->format), docs[i].format,
		    "%zu", i);
		cr_assert_str_eq(doc->title, "t", "%zu", i);
		feed_doc_free(doc);
	}
}

Test(real, atom03_base64_and_escaped)
{
	/* Atom 0.3 3.1.2: mode="base64" and mode="escaped" */
	struct feed_doc *doc = parse("<feed version=\"0.3\" xmlns=\"http://"
	    "purl.org/atom/ns#\"><entry><title mode=\"base64\">SGVsbG8gJmFtcDs="
	    "</title><summary type=\"text/html\" mode=\"escaped\">&lt;b&gt;hi"
	    "&lt;/b&gt;</summary><content type=\"text/html\" mode=\"base64\">"
	    "PHA+Ym9keTwvcD4=</content></entry></feed>");

	cr_assert_str_eq(doc->items[0].title, "Hello &amp;", "text/plain");
	cr_assert_str_eq(doc->items[0].summary, "<b>hi</b>");
	cr_assert_str_eq(doc->items[0].content, "<p>body</p>");
	feed_doc_free(doc);
}

Test(real, later_repeated_element_wins)
{
	struct feed_doc *doc = parse(RSS "<item><title>one</title>"
	    "<title>two</title><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate>"
	    "<pubDate>Tue, 02 Jan 2024 00:00:00 GMT</pubDate><title></title>"
	    "</item></channel></rss>");
	char buf[DATE_RFC3339_LEN];

	cr_assert_str_eq(doc->items[0].title, "two", "an empty one is none");
	cr_assert_str_eq(rfc3339(doc->items[0].published, buf),
	    "2024-01-02T00:00:00Z");
	feed_doc_free(doc);
}

Test(real, podcast_media_and_dublin_core_fallbacks)
{
	struct feed_doc *doc = parse("<rss version=\"2.0\" xmlns:itunes=\""
	    "http://www.itunes.com/DTDs/Podcast-1.0.dtd\" xmlns:media=\"http://"
	    "search.yahoo.com/mrss/\" xmlns:dc=\"http://purl.org/dc/elements/"
	    "1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\"><channel>"
	    "<item><itunes:subtitle>Sub</itunes:subtitle><itunes:author>Pod"
	    "</itunes:author><itunes:category text=\"Society &amp; Culture\">"
	    "<itunes:category text=\"History\"/></itunes:category>"
	    "<itunes:keywords>a, b ,c</itunes:keywords>"
	    "<dcterms:created>2020-01-02</dcterms:created>"
	    "<dcterms:modified>2020-01-03T00:00:00Z</dcterms:modified></item>"
	    "<item><media:group><media:title>MT</media:title><media:description>"
	    "MD</media:description><media:category>mc</media:category>"
	    "<media:content url=\"http://e.org/v.mp4\" type=\"video/mp4\" "
	    "fileSize=\"9\"/></media:group><dc:author>Ann</dc:author>"
	    "<dcterms:issued>2021-05-06</dcterms:issued></item>"
	    "</channel></rss>");
	const struct feed_item *a = &doc->items[0], *b = &doc->items[1];
	char buf[DATE_RFC3339_LEN];

	cr_assert_str_eq(a->summary, "Sub");
	cr_assert_str_eq(a->author, "Pod");
	cr_assert_eq(a->ncategories, 5);
	cr_assert_str_eq(a->categories[0], "Society & Culture");
	cr_assert_str_eq(a->categories[1], "History", "nested");
	cr_assert_str_eq(a->categories[4], "c");
	cr_assert_str_eq(rfc3339(a->published, buf), "2020-01-02T00:00:00Z");
	cr_assert_str_eq(rfc3339(a->updated, buf), "2020-01-03T00:00:00Z");
	cr_assert_str_eq(b->title, "MT");
	cr_assert_str_eq(b->summary, "MD");
	cr_assert_str_eq(b->categories[0], "mc");
	cr_assert_str_eq(b->enclosures[0].url, "http://e.org/v.mp4");
	cr_assert_eq(b->enclosures[0].length, 9);
	cr_assert_str_eq(b->author, "Ann");
	cr_assert_str_eq(rfc3339(b->published, buf), "2021-05-06T00:00:00Z");
	feed_doc_free(doc);
	/* feedjira's podcast: content:encoded with its prefix undeclared,
	 * itunes:keywords as categories */
	doc = parse_real("ITunesWithSingleQuotedAttributes.xml");
	cr_assert_str_eq(doc->items[0].content,
	    "<p><strong>TOPIC</strong>: Gooseneck Options</p>");
	cr_assert_eq(doc->items[0].ncategories, 4);
	cr_assert_str_eq(doc->items[0].categories[0], "salt");
	feed_doc_free(doc);
}

/*
 * Google's Cloud Blog (corpus: Ranchero-Software_RSParser/cloudblog.rss)
 * writes its RSS author as Atom does, in no namespace:
 * <author><name>Diane Chaleff</name><title>Product Manager...</title>
 * ...</author>.  The person is the name, as feedparser reads it; the
 * markup of the other children is no part of an author.  Without a
 * name, the children's text.
 */
Test(real, person_with_child_elements_is_its_name)
{
	struct feed_doc *doc = parse("<rss version=\"2.0\"><channel>"
	    "<item><author xmlns:author=\"http://www.w3.org/2005/Atom\">"
	    "<name>Diane Chaleff</name><title>Product Manager, Office of the"
	    " CTO</title><department></department><company></company>"
	    "</author></item>"
	    "<item><author><name>The Google Cloud blog team </name><title>"
	    "</title></author></item>"
	    "<item><author><email>a@example.org</email></author></item>"
	    "<item><author>a@example.org (Ann)</author></item>"
	    "</channel></rss>");

	cr_assert_eq(doc->nitems, 4);
	cr_assert_str_eq(doc->items[0].author, "Diane Chaleff");
	cr_assert_str_eq(doc->items[1].author, "The Google Cloud blog team");
	cr_assert_str_eq(doc->items[2].author, "a@example.org");
	cr_assert_str_eq(doc->items[3].author, "a@example.org (Ann)");
	feed_doc_free(doc);
}

/*
 * RFC 4287 4.1.2 allows "one or more atom:author"; Dublin Core repeats
 * dc:creator.  Each is an author, joined as JSON Feed's authors are:
 * "Alice, Bob".  feedparser's author is the last of its authors list
 * (corpus: cloudblog.rss, newsboat's atom10_1.xml and
 * atom10_feed_authors.xml, rowanmanning's 209824d0...__feed.xml,
 * rust-syndication's entry_with_non_standard_dates.xml): the others
 * were lost.  A name is not repeated; the joined names stop at 500
 * bytes.  An author of a higher rank (a name before an email) still
 * replaces one of a lower.
 */
Test(real, several_authors_are_all_named)
{
	struct buf many;
	struct feed_doc *doc = parse("<feed xmlns=\"http://www.w3.org/2005/"
	    "Atom\"><entry><id>1</id><author><name>Alice</name></author>"
	    "<author><name>Bob</name><email>bob@example.org</email></author>"
	    "<author><name>Alice</name></author></entry></feed>");

	cr_assert_str_eq(doc->items[0].author, "Alice, Bob");
	feed_doc_free(doc);
	doc = parse("<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/"
	    "elements/1.1/\"><channel><item><dc:creator>Alice</dc:creator>"
	    "<dc:creator>Bob</dc:creator><author>c@example.org</author>"
	    "</item></channel></rss>");
	cr_assert_str_eq(doc->items[0].author, "Alice, Bob");
	feed_doc_free(doc);
	buf_init(&many, 0);
	buf_puts(&many, "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/"
	    "elements/1.1/\"><channel><item>");
	for (int i = 0; i < 5000; i++)
		buf_printf(&many, "<dc:creator>Author number %d</dc:creator>", i);
	buf_puts(&many, "</item></channel></rss>");
	doc = parse(buf_str(&many));
	cr_assert_leq(strlen(doc->items[0].author), 500);
	cr_assert(strncmp(doc->items[0].author, "Author number 0, Author "
	    "number 1, ", 32) == 0, "%s", doc->items[0].author);
	feed_doc_free(doc);
	buf_cleanup(&many);
}

Test(real, summary_and_content_kept_apart)
{
	/* RSS: description is the summary, content:encoded the full text;
	 * xhtml:body is full text too (below content:encoded) */
	struct feed_doc *doc = parse("<rss version=\"2.0\" xmlns:content=\""
	    "http://purl.org/rss/1.0/modules/content/\" xmlns:xhtml=\"http://"
	    "www.w3.org/1999/xhtml\"><channel><item><description>S</description>"
	    "<xhtml:body><p>X</p></xhtml:body><content:encoded>&lt;p&gt;C"
	    "&lt;/p&gt;</content:encoded></item><item><xhtml:body><p>X</p>"
	    "</xhtml:body></item></channel></rss>");

	cr_assert_str_eq(doc->items[0].summary, "S");
	cr_assert_str_eq(doc->items[0].content, "<p>C</p>");
	cr_assert_null(doc->items[1].summary);
	cr_assert_not_null(strstr(doc->items[1].content, "X"));
	feed_doc_free(doc);
}

Test(real, language_is_bcp47)
{
	/* RFC 5646 2.1.1: language lower case, region upper, script title */
	static const char *const in[] = { "en_US", "EN-gb", "zh_hant_tw",
	    "de" };
	static const char *const want[] = { "en-US", "en-GB", "zh-Hant-TW",
	    "de" };

	for (size_t i = 0; i < 4; i++) {
		char xml[200];
		struct feed_doc *doc;

		snprintf(xml, sizeof(xml), "<rss><channel><language>%s"
		    "</language></channel></rss>", in[i]);
		doc = parse(xml);
		cr_assert_str_eq(doc->language, want[i]);
		feed_doc_free(doc);
	}
}

/* ---- dates in real documents (the forms: tests/test_date.c) ---- */

Test(real, dates_real_feeds_write)
{
	static const struct {
		const char *file, *published;
	} docs[] = {
		/* "Sat, Dec 16 2023 02:02:33 PM": feedparser drops the PM */
		{ "rss_2.0_nbcny.xml", "2023-12-16T14:02:33Z" },
		/* "Mon, 21 Jan 2008 8:56 am PST": feedparser drops the zone */
		{ "sunnyvale.xml", "2008-01-21T16:56:00Z" },
		/* Portuguese "Seg, 24 Set 2018 19:42:40 -0300": feedparser
		 * reads nothing */
		{ "uolNoticias.rss", "2018-09-24T22:42:40Z" },
		/* "2020/1/10 14:33:00": feedparser invents 2020-12-01 */
		{ "kc0011.rss", "2020-01-10T14:33:00Z" },
	};
	char buf[DATE_RFC3339_LEN];

	for (size_t i = 0; i < sizeof(docs) / sizeof(*docs); i++) {
		struct feed_doc *doc = parse_real(docs[i].file);

		cr_assert_str_eq(rfc3339(doc->items[0].published, buf),
		    docs[i].published, "%s", docs[i].file);
		feed_doc_free(doc);
	}
}

Test(real, dc_date_is_published_and_bad_dates_are_not_invented)
{
	/* An RSS 1.0 item's dc:date is when it was published (the DC
	 * module's use); feedparser files it under "updated" */
	struct feed_doc *doc = parse("<rdf:RDF xmlns:rdf=\"http://www.w3.org/"
	    "1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\" "
	    "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel rdf:about="
	    "\"http://e.org/\"><title>t</title></channel><item rdf:about=\""
	    "http://e.org/1\"><title>1</title><dc:date>2023-12-16</dc:date>"
	    "</item><item rdf:about=\"http://e.org/2\"><title>2</title>"
	    "<dc:date>someday</dc:date></item></rdf:RDF>");
	char buf[DATE_RFC3339_LEN];

	cr_assert_str_eq(rfc3339(doc->items[0].published, buf),
	    "2023-12-16T00:00:00Z");
	cr_assert_eq(doc->items[0].updated, FEED_TIME_NONE);
	cr_assert_eq(doc->items[1].published, FEED_TIME_NONE);
	cr_assert(has_error(doc, "unparseable date 'someday'"));
	feed_doc_free(doc);
}

/* s with every %XX in it decoded (in place). */
static char *
percent_decoded(char *s)
{
	char *w = s;

	for (const char *r = s; *r != '\0'; r++) {
		unsigned int c;

		if (r[0] == '%' && sscanf(r + 1, "%2x", &c) == 1 &&
		    strchr("0123456789abcdefABCDEF", r[2]) != NULL) {
			*w++ = (char)c;
			r += 2;
		} else
			*w++ = *r;
	}
	*w = '\0';
	return s;
}

/*
 * The daemon leaves content's relative URLs as written and the outputs
 * resolve them as they sanitize (FEED_PARSE_KEEP_REFS).  On every item
 * of the real corpus the entry they make is the one made from content
 * resolved at the fetch, but for what libxml2's serializer did to URLs
 * on that round trip: it %-escaped non-ASCII and brackets in them
 * (an IRI stays as written now; http://[2001:..]/ was broken).
 */
Test(real, content_kept_relative_renders_as_resolved_content)
{
	char *path = th_path(th_shared(), "corpus/MANIFEST.tsv");
	FILE *f = fopen(path, "r");
	char line[4096];
	int kept = 0, escaped = 0;

	cr_assert_not_null(f, "%s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *tab = strchr(line, '\t'), *file, *url, *xml, *err = NULL;
		struct feed_parser *p;
		struct feed_doc *a, *b = NULL;
		size_t len;

		if (tab == NULL || strncmp(line, "file\t", 5) == 0)
			continue;
		*tab = '\0';
		file = xasprintf("%s/corpus/%s", th_shared(), line);
		xml = th_read_file(file, &len);
		free(file);
		if (xml == NULL)
			continue;
		url = xasprintf("https://feeds.example/%s", line);
		a = feed_parse_buffer(xml, len, url, NULL, &err);
		free(err);
		err = NULL;
		p = feed_parser_new(url, NULL);
		feed_parser_set_flags(p, FEED_PARSE_KEEP_REFS);
		if (feed_parser_push_whole(p, xml, len, &err) == 0)
			b = feed_parser_finish(p, &err);
		feed_parser_free(p);
		free(err);
		cr_assert_eq(a == NULL, b == NULL, "%s", line);
		cr_assert(a == NULL || a->nitems == b->nitems, "%s", line);
		for (size_t i = 0; a != NULL && i < a->nitems; i++) {
			const struct feed_item *x = &a->items[i];
			const struct feed_item *y = &b->items[i];
			const char *link = x->link ? x->link : url;
			char *want, *got;

			if (y->content_base == NULL) {
				cr_assert_eq(x->content == NULL,
				    y->content == NULL, "%s %zu", line, i);
				if (x->content != NULL)
					cr_assert_str_eq(x->content, y->content,
					    "%s item %zu", line, i);
				continue;
			}
			kept++;
			want = html_sanitize(x->content, link);
			got = html_sanitize_within(y->content,
			    y->content_base, link);
			if (strcmp(want, got) != 0) {
				escaped++;
				cr_assert_str_eq(percent_decoded(want),
				    percent_decoded(got), "%s item %zu", line,
				    i);
			}
			free(want);
			free(got);
		}
		feed_doc_free(a);
		feed_doc_free(b);
		free(xml);
		free(url);
	}
	fclose(f);
	free(path);
	/* 125 items of 5,753 keep relative URLs; 4 had theirs %-escaped */
	cr_assert_gt(kept, 100, "items with relative URLs: %d", kept);
	cr_assert_lt(escaped, 10, "escaped: %d", escaped);
}
