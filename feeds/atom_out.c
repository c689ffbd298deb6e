/*
 * atom_out: writes prepared entries (feeds/entry.h) as an Atom 1.0 feed
 * (RFC 4287), streaming to a FILE through a small escaper; it builds no
 * tree and decides nothing about what an entry holds.
 */
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "feeds/atom_out.h"
#include "feeds/date.h"
#include "util/buf.h"
#include "util/fs.h"

static int
nonempty(const char *s)
{
	return s != NULL && *s != '\0';
}

/*
 * What each byte becomes, NULL for itself.  A table, because content is
 * mostly HTML whose every tag needs escaping: the scan is the render's
 * hottest loop.  "'" is written as itself: every attribute here is in
 * double quotes, and @rowanmanning/feed-parser leaves "&#39;" undecoded
 * in attribute values (a category "Children&#39;s TV").
 */
static const char *const xml_escape_of[256] = {
	['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;",
	['\r'] = "&#13;",	/* kept through parsing */
	['\t'] = "&#9;",	/* kept in attributes */
	['\n'] = "&#10;",
};

#define XML_ESCAPE_MAX	6	/* bytes of the longest escape */
#define XML_BLOCK	1024	/* bytes of text escaped per reserve */

/*
 * Bytes from s up to end that need no escape, sixteen at a time: clean
 * text has no C0 control but tab, LF and CR, all escaped, so every byte
 * below 0x20 is one.
 */
static const unsigned char *
xml_skip_plain(const unsigned char *s, const unsigned char *end)
{
#ifdef __SSE2__
	const __m128i ctl = _mm_set1_epi8(0x1f), amp = _mm_set1_epi8('&');
	const __m128i lt = _mm_set1_epi8('<'), gt = _mm_set1_epi8('>');
	const __m128i q = _mm_set1_epi8('"');

	while (end - s >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
		__m128i m = _mm_or_si128(
		    _mm_cmpeq_epi8(_mm_min_epu8(v, ctl), v),
		    _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, amp),
		    _mm_cmpeq_epi8(v, lt)), _mm_or_si128(_mm_cmpeq_epi8(v, gt),
		    _mm_cmpeq_epi8(v, q))));
		int bits = _mm_movemask_epi8(m);

		if (bits != 0)
			return s + __builtin_ctz((unsigned int)bits);
		s += 16;
	}
#endif
	while (s < end && xml_escape_of[*s] == NULL)
		s++;
	return s;
}

/*
 * Appends clean text escaped for an element or an attribute, written
 * in place a block at a time (room for every byte escaped), not one
 * append per run and per escape.
 */
static void
xml_put(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + strlen(s);

	while (p < end) {
		const unsigned char *stop = end - p > XML_BLOCK ?
		    p + XML_BLOCK : end;
		char	*o;

		if (buf_reserve(b, (size_t)(stop - p) * XML_ESCAPE_MAX) == -1)
			return;
		o = b->data + b->len;
		while (p < stop) {
			const unsigned char *run = xml_skip_plain(p, stop);
			const char *rep;
			size_t	 n;

			memcpy(o, p, (size_t)(run - p));
			o += run - p;
			if ((p = run) == stop)
				break;
			rep = xml_escape_of[*p++];
			n = strlen(rep);
			memcpy(o, rep, n);
			o += n;
		}
		b->len = (size_t)(o - b->data);
		*o = '\0';
	}
}

/* <name>text</name> on its own line, indented. */
static void
put_elem(struct buf *b, const char *indent, const char *name,
    const char *attrs, const char *text)
{
	buf_puts(b, indent);
	buf_putc(b, '<');
	buf_puts(b, name);
	buf_puts(b, attrs);
	buf_putc(b, '>');
	xml_put(b, text);
	buf_puts(b, "</");
	buf_puts(b, name);
	buf_puts(b, ">\n");
}

static void
put_date(struct buf *b, const char *indent, const char *name, int64_t t)
{
	char	 d[DATE_RFC3339_LEN];

	put_elem(b, indent, name, "", date_format_rfc3339(t, d, sizeof(d)));
}

/* name="value", escaped, after a space: one way to write every attribute. */
static void
put_attr(struct buf *b, const char *name, const char *value)
{
	buf_putc(b, ' ');
	buf_puts(b, name);
	buf_puts(b, "=\"");
	xml_put(b, value);
	buf_putc(b, '"');
}

static void
put_link(struct buf *b, const char *indent, const char *rel,
    const char *type, const char *href)
{
	buf_puts(b, indent);
	buf_puts(b, "<link");
	put_attr(b, "rel", rel);
	if (type != NULL)
		put_attr(b, "type", type);
	put_attr(b, "href", href);
	buf_puts(b, "/>\n");
}

static void
put_source(struct buf *b, const struct entry *e)
{
	buf_puts(b, "    <source>\n");
	put_elem(b, "      ", "id", "", e->src_id);
	put_elem(b, "      ", "title", " type=\"text\"", e->src_title);
	if (e->src_link != NULL)
		put_link(b, "      ", "alternate", NULL, e->src_link);
	if (e->src_self != NULL)
		put_link(b, "      ", "self", NULL, e->src_self);
	put_date(b, "      ", "updated", e->src_updated);
	buf_puts(b, "    </source>\n");
}

static void
put_enclosure(struct buf *b, const struct feed_enclosure *x)
{
	buf_puts(b, "    <link rel=\"enclosure\"");
	if (x->type != NULL)
		put_attr(b, "type", x->type);
	if (x->length >= 0)
		buf_printf(b, " length=\"%lld\"", (long long)x->length);
	put_attr(b, "href", x->url);
	buf_puts(b, "/>\n");
}

static void
put_author(struct buf *b, const struct entry *e)
{
	buf_puts(b, "    <author>\n");
	put_elem(b, "      ", "name", "", e->author);
	if (e->author_email != NULL)
		put_elem(b, "      ", "email", "", e->author_email);
	buf_puts(b, "    </author>\n");
}

/*
 * What the entry says in text: its content, else its summary; an entry
 * with no page of its own and no text says its title, so that every
 * entry has a link or content (RFC 4287 4.1.2) and none is empty.
 */
static void
put_text(struct buf *b, const struct entry *e)
{
	int	 own_page = e->link != NULL && !e->link_shared;

	if (e->content != NULL) {
		if (e->summary != NULL)
			put_elem(b, "    ", "summary", " type=\"html\"",
			    e->summary);
		put_elem(b, "    ", "content", " type=\"html\"", e->content);
	} else if (e->summary != NULL)
		put_elem(b, "    ", own_page ? "summary" : "content",
		    " type=\"html\"", e->summary);
	else if (!own_page)
		put_elem(b, "    ", "content", " type=\"text\"", e->title);
}

void
atom_put_entry(struct buf *b, const struct entry *e)
{
	size_t	 i;

	if (e->lang != NULL) {
		buf_puts(b, "  <entry");
		put_attr(b, "xml:lang", e->lang);
		buf_puts(b, ">\n");
	} else
		buf_puts(b, "  <entry>\n");
	put_elem(b, "    ", "id", "", e->id);
	put_elem(b, "    ", "title", " type=\"text\"", e->title);
	if (e->link != NULL)
		put_link(b, "    ", e->link_shared ? "related" : "alternate",
		    NULL, e->link);
	for (i = 0; i < e->nrelated; i++) {
		/* another outlet's report of the story, named by its feed */
		buf_puts(b, "    <link rel=\"related\"");
		put_attr(b, "href", e->related[i].href);
		put_attr(b, "title", e->related[i].title);
		buf_puts(b, "/>\n");
	}
	for (i = 0; i < e->nenclosures; i++)
		put_enclosure(b, &e->enclosures[i]);
	if (e->published != FEED_TIME_NONE)
		put_date(b, "    ", "published", e->published);
	put_date(b, "    ", "updated", e->updated);
	if (e->author != NULL)
		put_author(b, e);
	for (i = 0; i < e->ncategories; i++) {
		buf_puts(b, "    <category");
		put_attr(b, "term", e->categories[i]);
		buf_puts(b, "/>\n");
	}
	put_text(b, e);
	put_source(b, e);
	buf_puts(b, "  </entry>\n");
}

/* b to fp, and b emptied for the next part. */
static void
flush_to(struct buf *b, FILE *fp)
{
	if (b->len > 0)
		fwrite(b->data, 1, b->len, fp);
	buf_reset(b);
}

void
atom_write_head(FILE *fp, const struct atom_meta *meta, int64_t updated)
{
	struct buf b;
	char	*title;

	buf_init(&b, 0);
	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
	put_elem(&b, "  ", "id", "", meta->id);
	title = entry_clean_text(meta->title, ENTRY_TITLE_MAX, 1);
	put_elem(&b, "  ", "title", " type=\"text\"",
	    nonempty(title) ? title : "feedd");
	free(title);
	put_date(&b, "  ", "updated", updated);
	put_link(&b, "  ", "self", "application/atom+xml", meta->self);
	if (meta->alternate != NULL)
		put_link(&b, "  ", "alternate", NULL, meta->alternate);
	buf_puts(&b, "  <author>\n    <name>feedd</name>\n  </author>\n");
	buf_puts(&b, "  <generator version=\"" FEEDD_VERSION
	    "\">feedd</generator>\n");
	flush_to(&b, fp);
	buf_cleanup(&b);
}

void
atom_write_tail(FILE *fp)
{
	fputs("</feed>\n", fp);
}

int
atom_write(FILE *fp, const struct atom_meta *meta,
    const struct entry *e, size_t n)
{
	int64_t	 updated = meta->updated;
	struct buf b;
	size_t	 i;

	for (i = 0; i < n; i++)
		if (i == 0 || e[i].updated > updated)
			updated = e[i].updated;
	atom_write_head(fp, meta, updated);
	buf_init(&b, 0);
	for (i = 0; i < n; i++) {
		atom_put_entry(&b, &e[i]);
		flush_to(&b, fp);
	}
	buf_cleanup(&b);
	atom_write_tail(fp);
	return fs_flush(fp);
}
