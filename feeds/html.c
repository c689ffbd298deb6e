/*
 * html: HTML from feeds, through libxml2's HTML parser.  Plain text for
 * titles and the search index (a fast path skips the parser for text
 * without markup), and an allowlist sanitizer whose serializer writes
 * well-formed, XML-safe markup that the Atom and JSON writers can embed.
 */
#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/xmalloc.h"
#include "util/buf.h"
#include "util/hash.h"
#include "feeds/html.h"
#include "feeds/url.h"
#include "util/utf8.h"

#define HTML_OPTS (HTML_PARSE_NONET | HTML_PARSE_NOERROR | \
	HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER)
#define HTML_MAX_DEPTH 200	/* deeper markup is dropped, not recursed */

/* Elements removed with everything inside them. */
static const char *const drop_elems[] = {
	"applet", "base", "button", "canvas", "dialog", "embed",
	"frame", "frameset", "head", "iframe", "input", "link", "math",
	"meta", "noembed", "noframes", "object", "option", "param",
	"plaintext", "script", "select", "style", "svg", "template",
	"textarea", "title", "xmp",
};

/* Elements kept by the sanitizer (others are unwrapped). */
static const char *const keep_elems[] = {
	"a", "abbr", "audio", "b", "blockquote", "br", "caption",
	"cite", "code", "col", "colgroup", "dd", "del", "details",
	"dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1",
	"h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd",
	"li", "mark", "ol", "p", "picture", "pre", "q", "s", "samp",
	"small", "source", "span", "strong", "sub", "summary", "sup",
	"table", "tbody", "td", "tfoot", "th", "thead", "time", "tr",
	"u", "ul", "var", "video", "wbr",
};

static const char *const void_elems[] = {
	"br", "col", "hr", "img", "source", "wbr",
};

/* Elements that do not break words in html_to_text. */
static const char *const inline_elems[] = {
	"a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data",
	"del", "dfn", "em", "font", "i", "ins", "kbd", "mark", "q", "s",
	"samp", "small", "span", "strike", "strong", "sub", "sup",
	"time", "tt", "u", "var", "wbr",
};

/* Attributes kept (at most 32: a bit each while serializing). */
static const char *const keep_attrs[] = {
	"alt", "cite", "colspan", "controls", "datetime", "dir",
	"height", "href", "lang", "open", "poster", "reversed",
	"rowspan", "scope", "span", "src", "start", "title", "type",
	"width",
};

/*
 * The index of name in list, or -1.  The lists above are sorted (strcmp
 * order): this runs for every element of every item's HTML, and a scan
 * of them was a sixth of html_to_text.
 */
static int
in_list(const char *const *list, size_t n, const char *name)
{
	size_t lo = 0, hi = n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(name, list[mid])) == 0)
			return (int)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

#define IN(list, name) in_list(list, sizeof(list) / sizeof(list[0]), name)

static int
is_url_attr(const char *name)
{
	return strcmp(name, "href") == 0 || strcmp(name, "src") == 0 ||
	    strcmp(name, "cite") == 0 || strcmp(name, "poster") == 0;
}

static int
is_bool_attr(const char *name)
{
	return strcmp(name, "controls") == 0 || strcmp(name, "open") == 0 ||
	    strcmp(name, "reversed") == 0;
}

/*
 * Attributes a start tag keeps for the parser.  libxml2 (2.9) checks
 * each attribute of a tag against all the tag's earlier ones: a <p> of
 * 40,000 attributes took 8 s to sanitize, on the loop thread, and an
 * item of 1 MB of them minutes (a feed's whole poll, the watchdog's
 * minute).  No element the sanitizer keeps has a tenth as many.
 */
#define HTML_MAX_ATTRS	64

static int
is_html_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Past the attribute value at p (after its '='), or NULL when a quote
 * is not closed (the parser reads to the end then: nothing to cut). */
static const char *
skip_value(const char *p, const char *end)
{
	while (p < end && is_html_blank(*p))
		p++;
	if (p < end && (*p == '"' || *p == '\'')) {
		const char *q = memchr(p + 1, *p, (size_t)(end - p - 1));

		return q != NULL ? q + 1 : NULL;
	}
	while (p < end && !is_html_blank(*p) && *p != '>')
		p++;
	return p;
}

/*
 * The start tag whose name ends at p: where its attributes past
 * HTML_MAX_ATTRS begin (*cut) and where its '>' or "/>" is (returned),
 * *cut NULL when it has no more; NULL when it does not end.
 */
static const char *
tag_attrs(const char *p, const char *end, const char **cut)
{
	size_t	 nattr = 0;

	*cut = NULL;
	for (;;) {
		const char *before = p, *name;

		while (p < end && (is_html_blank(*p) || (*p == '/' &&
		    (p + 1 >= end || p[1] != '>'))))
			p++;
		if (p >= end)
			return NULL;
		if (*p == '>' || *p == '/')
			return p;
		if (++nattr > HTML_MAX_ATTRS && *cut == NULL)
			*cut = before;
		/* a name: a '=' may be its first character, as in HTML */
		for (name = p; p < end && !is_html_blank(*p) && *p != '>' &&
		    *p != '/' && (*p != '=' || p == name); p++)
			;
		while (p < end && is_html_blank(*p))
			p++;
		if (p < end && *p == '=' && (p = skip_value(p + 1, end)) ==
		    NULL)
			return NULL;
	}
}

/*
 * html (n bytes) into dst with each start tag's attributes past
 * HTML_MAX_ATTRS left out; the bytes written.  What a '<' starts is
 * judged as the parser does (a letter: a tag), so text and other
 * markup are copied as they are.
 */
static size_t
copy_capped(char *dst, const char *html, size_t n)
{
	const char *from = html, *scan = html, *end = html + n;
	const char *lt, *name, *close, *cut;
	char	*d = dst;

	while ((lt = memchr(scan, '<', (size_t)(end - scan))) != NULL) {
		name = lt + 1;
		if (name >= end || (*name | 0x20) < 'a' || (*name | 0x20) > 'z') {
			scan = name;
			continue;
		}
		while (name < end && !is_html_blank(*name) && *name != '>' &&
		    *name != '/')
			name++;
		if ((close = tag_attrs(name, end, &cut)) == NULL)
			break;
		if (cut != NULL) {
			memcpy(d, from, (size_t)(cut - from));
			d += cut - from;
			from = close;
		}
		scan = close;
	}
	memcpy(d, from, (size_t)(end - from));
	d += end - from;
	return (size_t)(d - dst);
}

char *
html_cap_attrs(const char *html, size_t n, size_t *outn)
{
	char	*s = xmalloc(n + 1);

	*outn = copy_capped(s, html, n);
	s[*outn] = '\0';
	return s;
}

/*
 * html with "<!-->" and "<!--->" written "<!---->": HTML5 reads both as
 * an empty comment, libxml2 as a comment's start, and everything after
 * was lost.  NULL when html has neither.
 */
static char *
empty_comments(const char *html)
{
	const char *p = html, *c;
	struct buf b;

	if (strstr(html, "<!-->") == NULL && strstr(html, "<!--->") == NULL)
		return NULL;
	buf_init(&b, 0);
	while ((c = strstr(p, "<!--")) != NULL) {
		size_t	 dash = c[4] == '-' ? 1 : 0;

		buf_append(&b, p, (size_t)(c - p));
		if (c[4 + dash] == '>') {
			buf_puts(&b, "<!---->");
			p = c + 5 + dash;
		} else {
			/* a comment: as it is, to its end */
			const char *end = strstr(c + 4, "-->");

			p = end != NULL ? end + 3 : c + strlen(c);
			buf_append(&b, c, (size_t)(p - c));
		}
	}
	buf_puts(&b, p);
	return buf_detach(&b);
}

char *
html_body_wrap(const char *html, int browser_refs, size_t *n)
{
	char	*fixed = browser_refs ? html_legacy_refs(html) : NULL, *s;
	char	*comments = NULL;

	if (fixed != NULL)
		html = fixed;
	/* not for html_to_text: its text never changes (storage/prep.c) */
	if (browser_refs && (comments = empty_comments(html)) != NULL)
		html = comments;
	*n = strnlen(html, 256 * 1024 * 1024);
	s = xmalloc(*n + 7);
	memcpy(s, "<body>", 6);
	*n = copy_capped(s + 6, html, *n);
	s[*n + 6] = '\0';
	free(fixed);
	free(comments);
	return s;
}

/*
 * Parses a fragment for the sanitizer, with the references browsers
 * decode without ';' given theirs (not for html_to_text: see
 * storage/prep.c on why its text never changes).
 */
static htmlDocPtr
html_parse(const char *html)
{
	size_t n;
	char *s = html_body_wrap(html, 1, &n);
	htmlDocPtr doc;

	doc = htmlReadMemory(s, (int)(n + 6), NULL, "UTF-8", HTML_OPTS);
	free(s);
	return doc;
}

/*
 * Appends s escaped for XML text (and attribute values when attr):
 * markup characters as entities; C0 controls, U+FFFE, U+FFFF and
 * ill-formed UTF-8 removed, since XML 1.0 forbids them.
 */
static void
put_xml_text(struct buf *b, const char *str, int attr)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	for (; *s != '\0'; s += n ? n : 1) {
		n = utf8_len(s);
		if (*s == '&')
			buf_append(b, "&amp;", 5);
		else if (*s == '<')
			buf_append(b, "&lt;", 4);
		else if (*s == '>')
			buf_append(b, "&gt;", 4);
		else if (*s == '"' && attr)
			buf_append(b, "&quot;", 6);
		else if (*s < 0x20 && *s != '\t' && *s != '\n' && *s != '\r')
			continue;
		else if (n == 3 && s[0] == 0xef && s[1] == 0xbf && s[2] >= 0xbe)
			continue;
		else if (n != 0)
			buf_append(b, s, n);
	}
}

static int
is_fold_space(const char *s)
{
	return (unsigned char)*s <= 0x20 || *s == 0x7f;
}

/*
 * Text with ASCII whitespace and control runs folded to one space and
 * trimmed.  U+00A0 is kept: an author's no-break space means something.
 * Written to out, which may be s itself (the text only shrinks); the
 * new length.  In place, byte by byte: with a growing buffer and a copy
 * per word it cost a parse worker 7% of a cold cycle.
 */
static size_t
fold_into(char *out, const char *s, size_t len)
{
	const char *end = s + len;
	char *o = out;
	int space = 0;

	while (s < end) {
		if (is_fold_space(s)) {
			space = 1;
			s++;
			continue;
		}
		if (space && o > out)
			*o++ = ' ';
		space = 0;
		while (s < end && !is_fold_space(s))
			*o++ = *s++;
	}
	*o = '\0';
	return (size_t)(o - out);
}

static char *
fold_space(const char *s, size_t len)
{
	char *out = xmalloc(len + 1);

	fold_into(out, s, len);
	return out;
}

/* b's text folded (fold_into), as a string of its own; b is emptied. */
static char *
fold_buf(struct buf *b)
{
	if (b->data != NULL)
		b->len = fold_into(b->data, b->data, b->len);
	return buf_detach(b);
}

/* The code point of "&...;" at s (its length in *used), or 0. */
static unsigned int
entity_at(const char *s, size_t *used)
{
	char name[40];
	const char *semi = memchr(s + 1, ';', strnlen(s + 1, sizeof(name)));
	size_t n = semi != NULL ? (size_t)(semi - s - 1) : 0;
	unsigned long cp;
	const char *digits;
	char *end;
	int hex;

	if (n == 0 || n >= sizeof(name))
		return 0;
	memcpy(name, s + 1, n);
	name[n] = '\0';
	*used = n + 2;
	if (name[0] != '#')
		return html_entity_codepoint(name);
	hex = name[1] == 'x' || name[1] == 'X';
	digits = name + 1 + hex;
	if (strspn(digits, hex ? "0123456789abcdefABCDEF" : "0123456789") !=
	    strlen(digits) || *digits == '\0' || strlen(digits) > 8)
		return 0;
	cp = strtoul(digits, &end, hex ? 16 : 10);
	return cp > 0x10ffff || cp == 0 ? 0xfffd : (unsigned int)cp;
}

/* html_to_text without the parser: text that has entities but no tags. */
static char *
text_decode(const char *s)
{
	struct buf b;
	unsigned int cp;
	size_t used;

	buf_init(&b, 0);
	while (*s != '\0') {
		if (*s == '&' && (cp = entity_at(s, &used)) != 0) {
			buf_put_utf8(&b, cp);
			s += used;
		} else {
			buf_putc(&b, *s++);
		}
	}
	return fold_buf(&b);
}

/*
 * html_to_text runs libxml2's HTML parser in SAX mode: no tree, only
 * the events.  skip is the depth of the dropped element being skipped
 * (0: none); element depths count from 1 here, where the tree walk of
 * html_sanitize counts from 0, hence HTML_MAX_DEPTH + 1.
 */
struct text_sax {
	struct buf *b;
	int	 depth;
	int	 skip;
};

/* "dc:title" is a title: the name after a prefix, as in the tree. */
static const char *
local_name(const xmlChar *name)
{
	const char *n = (const char *)name, *c = strchr(n, ':');

	return c != NULL && c != n && c[1] != '\0' ? c + 1 : n;
}

static void
text_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
	struct text_sax *t = ((htmlParserCtxtPtr)ctx)->_private;
	const char *n = local_name(name);

	(void)atts;
	t->depth++;
	if (t->skip)
		return;
	if (t->depth > HTML_MAX_DEPTH || IN(drop_elems, n) >= 0)
		t->skip = t->depth;
	else if (IN(inline_elems, n) < 0)
		buf_putc(t->b, ' ');
}

static void
text_end(void *ctx, const xmlChar *name)
{
	struct text_sax *t = ((htmlParserCtxtPtr)ctx)->_private;

	if (t->skip == t->depth)
		t->skip = 0;
	else if (!t->skip && IN(inline_elems, local_name(name)) < 0)
		buf_putc(t->b, ' ');
	if (t->depth > 0)
		t->depth--;
}

static void
text_chars(void *ctx, const xmlChar *ch, int len)
{
	struct text_sax *t = ((htmlParserCtxtPtr)ctx)->_private;

	if (!t->skip && len > 0)
		buf_append(t->b, ch, (size_t)len);
}

/* Whitespace the parser calls ignorable still separates words. */
static void
text_blank(void *ctx, const xmlChar *ch, int len)
{
	struct text_sax *t = ((htmlParserCtxtPtr)ctx)->_private;

	(void)ch;
	if (!t->skip && len > 0)
		buf_putc(t->b, ' ');
}

static void
text_parse(struct buf *b, const char *html)
{
	static const htmlSAXHandler sax = {
		.startElement = text_start,
		.endElement = text_end,
		.characters = text_chars,
		.cdataBlock = text_chars,
		.ignorableWhitespace = text_blank,
	};
	size_t n;
	struct text_sax t = { b, 0, 0 };
	htmlParserCtxtPtr ctxt;
	char *s = html_body_wrap(html, 0, &n);

	if (!utf8_valid(html, n)) {
		/* the converter's way with bad bytes, as html_parse has it */
		if ((ctxt = htmlNewParserCtxt()) != NULL) {
			memcpy(ctxt->sax, &sax, sizeof(sax));
			ctxt->_private = &t;
			htmlCtxtReadMemory(ctxt, s, (int)(n + 6), NULL, "UTF-8",
			    HTML_OPTS);
			htmlFreeParserCtxt(ctxt);
		}
	} else if ((ctxt = htmlCreateMemoryParserCtxt(s, (int)(n + 6))) !=
	    NULL) {
		/*
		 * Valid UTF-8 needs no converter (a tenth of the parse):
		 * the parser reads it as it is, and ignores any <meta>
		 * charset, as it does when told "UTF-8".
		 */
		memcpy(ctxt->sax, &sax, sizeof(sax));
		ctxt->_private = &t;
		htmlCtxtUseOptions(ctxt, HTML_OPTS | HTML_PARSE_IGNORE_ENC);
		xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8);
		htmlParseDocument(ctxt);
		htmlFreeParserCtxt(ctxt);
	}
	free(s);
}

char *
html_to_text(const char *html)
{
	struct buf b;

	if (html == NULL)
		return NULL;
	if (strchr(html, '<') == NULL)
		return strchr(html, '&') == NULL ?
		    fold_space(html, strlen(html)) : text_decode(html);
	buf_init(&b, 0);
	text_parse(&b, html);
	return fold_buf(&b);
}

/* Elements a title written as HTML uses, besides keep_elems and
 * inline_elems (sorted). */
static const char *const title_elems[] = {
	"acronym", "address", "article", "aside", "big", "center", "font",
	"footer", "header", "main", "nav", "nobr", "section", "strike",
	"tt",
};

static int
is_word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

/* The [A-Za-z0-9_] run at s, lowercased into out (cut to n - 1). */
static size_t
word_at(const char *s, char *out, size_t n)
{
	size_t k = 0, i = 0;

	while (is_word_char((unsigned char)s[i])) {
		if (k < n - 1)
			out[k++] = (char)(s[i] | (s[i] >= 'A' && s[i] <= 'Z' ?
			    0x20 : 0));
		i++;
	}
	out[k] = '\0';
	return i;
}

static int
title_elem(const char *name)
{
#define N(l) (sizeof(l) / sizeof((l)[0]))
	return in_list(keep_elems, N(keep_elems), name) >= 0 ||
	    in_list(inline_elems, N(inline_elems), name) >= 0 ||
	    in_list(title_elems, N(title_elems), name) >= 0;
#undef N
}

/*
 * Whether text that is plain by its format (an RSS or JSON Feed title)
 * was written as HTML all the same, as feedparser judges it: it has a
 * closing tag or a reference, every tag is an element such text uses,
 * and every named reference is HTML's.  "The <canvas> element",
 * "List<String>" or "Why <script> blocks" stay as written, where the
 * HTML parser kept only "The", "List" and "Why".
 */
int
html_looks_like_html(const char *s)
{
	int	 closed = 0, ref = 0;
	char	 name[32];
	size_t	 n;

	for (const char *p = s; (p = strpbrk(p, "<&")) != NULL; p++) {
		if (*p == '<') {
			int end = p[1] == '/';

			if ((n = word_at(p + 1 + end, name, sizeof(name))) == 0)
				continue;
			if (!title_elem(name))
				return 0;
			closed |= end && p[1 + end + n] == '>';
		} else if (p[1] == '#') {
			n = word_at(p + 2, name, sizeof(name));
			ref |= n > 0 && p[2 + n] == ';';
		} else if ((n = word_at(p + 1, name, sizeof(name))) > 0 &&
		    p[1 + n] == ';') {
			if (n >= sizeof(name))
				return 0;
			memcpy(name, p + 1, n);		/* names have case */
			name[n] = '\0';
			if (html_entity_codepoint(name) == 0)
				return 0;
			ref = 1;
		}
	}
	return closed || ref;
}

char *
html_title_text(const char *s)
{
	if (s == NULL)
		return NULL;
	if (!html_looks_like_html(s))
		return fold_space(s, strlen(s));
	return html_to_text(s);
}

/*
 * 1 when v is relative or its scheme is http, https or mailto, as a
 * browser would read it: whitespace and controls inside are ignored, so
 * "java\tscript:" is still javascript.
 */
static int
url_scheme_ok(const char *v)
{
	char scheme[8];
	size_t n = 0;
	unsigned char c;

	for (; (c = (unsigned char)*v) != '\0' && c != ':'; v++) {
		if (c <= 0x20 || c == 0x7f)
			continue;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
			return 1;	/* not a scheme: a relative reference */
		if (n < sizeof(scheme))
			scheme[n] = (char)c;
		n++;
	}
	if (c != ':')
		return 1;
	if (n >= sizeof(scheme))
		return 0;
	scheme[n] = '\0';
	return strcasecmp(scheme, "http") == 0 ||
	    strcasecmp(scheme, "https") == 0 || strcasecmp(scheme, "mailto") == 0;
}

/*
 * What relative URLs resolve against: inner, when set, is the base in
 * scope where the HTML was written (storage keeps it with content whose
 * URLs were left relative), applied first as html_resolve would have;
 * what it leaves relative (a file: base) resolves against base.
 */
struct san_base {
	const char *inner;
	const char *base;
};

/* The URL to write for an attribute value, or NULL to drop it. */
static char *
safe_url(const char *v, const struct san_base *sb)
{
	char *pre = NULL, *r;

	if (sb->inner != NULL && *v != '\0' &&
	    !html_has_scheme(v, strlen(v)) &&
	    (pre = url_resolve(sb->inner, v)) != NULL)
		v = pre;
	r = url_scheme_ok(v) ? url_resolve(sb->base, v) : NULL;
	free(pre);
	if (r != NULL && !url_scheme_ok(r)) {
		free(r);
		return NULL;
	}
	return r;
}

static void
put_attrs(struct buf *b, xmlNode *n, const struct san_base *base)
{
	unsigned int seen = 0;
	const char *name, *v;
	char *url;
	xmlAttr *a;
	int i;

	for (a = n->properties; a != NULL; a = a->next) {
		name = (const char *)a->name;
		if ((i = IN(keep_attrs, name)) < 0 || (seen & 1u << i))
			continue;
		seen |= 1u << i;
		v = a->children != NULL && a->children->content != NULL ?
		    (const char *)a->children->content : NULL;
		if (is_bool_attr(name) || v == NULL) {
			if (is_bool_attr(name))
				buf_printf(b, " %s=\"%s\"", name, name);
			continue;
		}
		url = NULL;
		if (is_url_attr(name) && (url = safe_url(v, base)) == NULL)
			continue;
		buf_printf(b, " %s=\"", name);
		put_xml_text(b, url != NULL ? url : v, 1);
		buf_putc(b, '"');
		free(url);
	}
}

static void
san_walk(struct buf *b, xmlNode *n, const struct san_base *base, int depth)
{
	const char *name;

	for (; n != NULL; n = n->next) {
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			put_xml_text(b, (const char *)n->content, 0);
			continue;
		}
		if (n->type != XML_ELEMENT_NODE || depth >= HTML_MAX_DEPTH)
			continue;
		name = (const char *)n->name;
		if (IN(drop_elems, name) >= 0)
			continue;
		if (IN(keep_elems, name) < 0) {
			san_walk(b, n->children, base, depth + 1);
			continue;
		}
		buf_printf(b, "<%s", name);
		put_attrs(b, n, base);
		if (IN(void_elems, name) >= 0) {
			/* libxml2 knows no <source>: what follows it is its
			 * children, as <picture>'s <img> */
			buf_puts(b, "/>");
			san_walk(b, n->children, base, depth + 1);
			continue;
		}
		buf_putc(b, '>');
		san_walk(b, n->children, base, depth + 1);
		buf_printf(b, "</%s>", name);
	}
}

uint64_t
html_sanitize_hash(uint64_t h)
{
	char	 rev[16];

	snprintf(rev, sizeof(rev), "%d", HTML_SANITIZE_REV);
	h = hash_add(h, rev, strlen(rev) + 1);
	return hash_add(h, xmlParserVersion, strlen(xmlParserVersion) + 1);
}

char *
html_sanitize_within(const char *html, const char *inner, const char *base)
{
	struct san_base sb = { inner, base };
	htmlDocPtr doc;
	struct buf b;

	if (html == NULL)
		return NULL;
	buf_init(&b, 0);
	buf_append(&b, "", 0);
	if (*html != '\0' && (doc = html_parse(html)) != NULL) {
		san_walk(&b, doc->children, &sb, 0);
		xmlFreeDoc(doc);
	}
	return buf_detach(&b);
}

char *
html_sanitize(const char *html, const char *base)
{
	return html_sanitize_within(html, NULL, base);
}

unsigned int
html_entity_codepoint(const char *name)
{
	const htmlEntityDesc *e;

	if (name == NULL)
		return 0;
	if (strcmp(name, "apos") == 0)
		return '\'';	/* XML's, missing from HTML 4's table */
	e = htmlEntityLookup((const xmlChar *)name);
	return e != NULL ? e->value : 0;
}

/* What each byte becomes in HTML text, then in an attribute too. */
static const char *const html_escape_of[2][256] = {
	{ ['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;" },
	{ ['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;" },
};

void
html_escape_into(struct buf *b, const char *s, int quotes)
{
	buf_put_escaped(b, s, html_escape_of[quotes != 0]);
}

char *
html_escape_text(const char *s)
{
	struct buf b;

	if (s == NULL)
		return NULL;
	buf_init(&b, 0);
	html_escape_into(&b, s, 0);
	return buf_detach(&b);
}
