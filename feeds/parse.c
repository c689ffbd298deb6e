/*
 * parse: the feed document pipeline.  Chunks go through gzip (when the
 * bytes say so), then the format sniff: JSON is buffered for
 * jsonfeed_parse, XML streams through feeds/encoding.c (to UTF-8),
 * feeds/xml.c (libxml2) and feeds/build.c (the document model).
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "util/xmalloc.h"
#include "feeds/build.h"
#include "feeds/encoding.h"
#include "feeds/jsonfeed.h"
#include "feeds/parse.h"
#include "feeds/xml.h"
#include "feeds/xmlfix.h"

/* The bound when the caller sets none (feedd parse): max_size's default. */
#define PARSE_MAX_DEFAULT	(64ull * 1024 * 1024)

enum sniff {
	SNIFF_UNDECIDED,
	SNIFF_XML,
	SNIFF_JSON,
};

struct feed_parser {
	char		*base_url;
	enum sniff	 sniff;
	int		 gzip;		/* -1 undecided, 0 no, 1 inflating */
	int		 gzip_done;
	z_stream	 z;
	unsigned long long inflated;
	unsigned long long decoded;	/* bytes handed to the XML reader */
	unsigned long long max;		/* bound on inflated and decoded */
	struct buf	 head;		/* bytes held while sniffing */
	struct buf	 json;
	struct buf	 utf8;		/* decoder output, reused */
	struct enc_decoder *dec;
	struct builder	*b;
	struct xml_reader *r;
	struct feed_doc	*doc;
	char		*fail;		/* set once not a feed */
	char		*charset;
	struct buf	 kept;		/* the (inflated) input, for a second
					 * parse (retry_closing_voids) */
	int		 keep;		/* kept holds all of it so far */
	unsigned	 flags;		/* FEED_PARSE_* */
	const char	*whole;		/* or the caller's, all of it */
	size_t		 nwhole;
};

struct feed_parser *
feed_parser_new(const char *base_url, const char *charset)
{
	struct feed_parser *p = xcalloc(1, sizeof(*p));

	p->base_url = base_url ? xstrdup(base_url) : NULL;
	p->gzip = -1;
	p->max = PARSE_MAX_DEFAULT;
	buf_init(&p->head, 0);
	buf_init(&p->json, PARSE_MAX_DEFAULT);
	buf_init(&p->utf8, 0);
	p->dec = enc_decoder_new(charset);
	p->charset = charset ? xstrdup(charset) : NULL;
	buf_init(&p->kept, 0);
	p->keep = 1;
	p->doc = feed_doc_new();
	p->b = builder_new(p->doc);
	p->r = xml_reader_new(p->b, p->doc, base_url);
	return p;
}

void
feed_parser_set_flags(struct feed_parser *p, unsigned flags)
{
	p->flags = flags;
	builder_set_flags(p->b, flags);
}

void
feed_parser_set_max(struct feed_parser *p, unsigned long long max)
{
	if (max == 0)
		return;
	p->max = max;
	p->json.max = (size_t)max;
}

char *
feed_size_words(unsigned long long n)
{
	if (n >= 1024 * 1024 && n % (1024 * 1024) == 0)
		return xasprintf("%llu MB", n / (1024 * 1024));
	if (n >= 1024 && n % 1024 == 0)
		return xasprintf("%llu kB", n / 1024);
	return xasprintf("%llu bytes", n);
}

static void
fail_over_max(struct feed_parser *p, const char *what)
{
	char *w = feed_size_words(p->max);

	if (p->fail == NULL)
		p->fail = xasprintf("document over max_size (%s) %s", w, what);
	free(w);
}

void
feed_parser_free(struct feed_parser *p)
{
	if (p == NULL)
		return;
	if (p->gzip == 1)
		inflateEnd(&p->z);
	xml_reader_free(p->r);
	builder_free(p->b);
	enc_decoder_free(p->dec);
	feed_doc_free(p->doc);
	buf_cleanup(&p->head);
	buf_cleanup(&p->json);
	buf_cleanup(&p->utf8);
	buf_cleanup(&p->kept);
	free(p->base_url);
	free(p->charset);
	free(p->fail);
	free(p);
}

static void
xml_feed(struct feed_parser *p, const char *data, size_t len, int final)
{
	const char *u;
	size_t ulen;

	buf_reset(&p->utf8);
	enc_decoder_view(p->dec, data, len, final, &p->utf8, &u, &ulen);
	/* A charset conversion may grow the text too: bounded the same. */
	if ((p->decoded += ulen) > p->max) {
		fail_over_max(p, "once decoded");
		return;
	}
	xml_reader_set_line_offset(p->r, enc_decoder_lines_skipped(p->dec));
	if (xml_reader_push(p->r, u, ulen, final) == -1)	/* refused */
		p->fail = xstrdup(xml_reader_refusal(p->r) != NULL ?
		    xml_reader_refusal(p->r) : builder_refusal(p->b));
}

/* Offset of the first character after a BOM and blanks; n when none. */
static size_t
sniff_skip(const unsigned char *s, size_t n)
{
	size_t i = 0;

	if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
		i = 3;
	while (i < n && strchr(" \t\r\n", s[i]) && s[i])
		i++;
	return i;
}

/* The bytes sniff_feed is handed, kept for retry_closing_voids (a
 * JSON document, or one past max, keeps none). */
static void
keep_input(struct feed_parser *p, const char *data, size_t len)
{
	if (p->keep && len > 0 && (p->sniff == SNIFF_JSON ||
	    p->kept.len + len > p->max ||
	    buf_append(&p->kept, data, len) == -1)) {
		p->keep = 0;
		buf_cleanup(&p->kept);
	}
}

/* JSON when the first character (after a BOM, blanks) is '{' or '['. */
static void
sniff_feed(struct feed_parser *p, const char *data, size_t len, int final)
{
	const unsigned char *s;
	size_t i, n;

	keep_input(p, data, len);
	if (p->sniff == SNIFF_UNDECIDED) {
		/* The first chunk is looked at where it is when it decides. */
		if (p->head.len == 0 && len > 0 &&
		    sniff_skip((const unsigned char *)data, len) < len) {
			s = (const unsigned char *)data;
			n = len;
		} else {
			buf_append(&p->head, data, len);
			s = (const unsigned char *)buf_str(&p->head);
			n = p->head.len;
		}
		i = sniff_skip(s, n);
		if (i == n && !final)
			return;
		p->sniff = i < n && (s[i] == '{' || s[i] == '[') ?
		    SNIFF_JSON : SNIFF_XML;
		if (i == n)
			p->sniff = SNIFF_UNDECIDED;	/* blank document */
		else if (p->sniff == SNIFF_JSON && n - i > 0)
			buf_append(&p->json, s + i, n - i);
		else
			xml_feed(p, (const char *)s, n, final);
		buf_cleanup(&p->head);
		return;
	}
	if (p->sniff == SNIFF_XML)
		xml_feed(p, data, len, final);
	else if (buf_append(&p->json, data, len) == -1)
		fail_over_max(p, "(JSON)");
}

static void
inflate_feed(struct feed_parser *p, const char *data, size_t len, int final)
{
	char out[65536];
	int rc = Z_OK;

	p->z.next_in = (Bytef *)(uintptr_t)data;
	p->z.avail_in = (uInt)len;
	while (!p->gzip_done && !p->fail && (p->z.avail_in > 0 || final)) {
		p->z.next_out = (Bytef *)out;
		p->z.avail_out = sizeof(out);
		rc = inflate(&p->z, Z_NO_FLUSH);
		p->inflated += sizeof(out) - p->z.avail_out;
		if (p->inflated > p->max) {
			/* a gzip bomb: the bound holds inflated bytes too */
			fail_over_max(p, "once inflated");
			break;
		}
		sniff_feed(p, out, sizeof(out) - p->z.avail_out, 0);
		if (rc == Z_STREAM_END)
			p->gzip_done = 1;
		else if (rc != Z_OK) {
			feed_doc_add_error(p->doc, "gzip: %s",
			    p->z.msg ? p->z.msg : "truncated");
			p->gzip_done = 1;
		} else if (p->z.avail_out != 0 && p->z.avail_in == 0)
			break;
	}
	if (final && p->fail == NULL)
		sniff_feed(p, NULL, 0, 1);
}

static void
parser_feed(struct feed_parser *p, const char *data, size_t len, int final)
{
	const unsigned char *s;

	if (p->gzip == -1 && p->head.len == 0 && len >= 2) {
		/* decided by the chunk itself: no copy */
		s = (const unsigned char *)data;
		p->gzip = s[0] == 0x1f && s[1] == 0x8b;
		if (p->gzip && inflateInit2(&p->z, 15 + 32) != Z_OK)
			p->gzip = 0;
	}
	if (p->gzip == -1) {
		buf_append(&p->head, data, len);
		if (p->head.len < 2 && !final)
			return;
		s = (const unsigned char *)buf_str(&p->head);
		p->gzip = p->head.len >= 2 && s[0] == 0x1f && s[1] == 0x8b;
		if (p->gzip && inflateInit2(&p->z, 15 + 32) != Z_OK)
			p->gzip = 0;
		if (p->gzip) {
			struct buf held = p->head;

			buf_init(&p->head, 0);
			inflate_feed(p, held.data, held.len, final);
			buf_cleanup(&held);
			return;
		}
		/* sniff_feed reuses head: hand it over. */
		keep_input(p, p->head.data, p->head.len);
		data = NULL;
		len = 0;
	}
	if (p->gzip)
		inflate_feed(p, data, len, final);
	else
		sniff_feed(p, data, len, final);
}

int
feed_parser_push(struct feed_parser *p, const char *data, size_t len,
    char **errstr)
{
	if (p->fail == NULL && len > 0)
		parser_feed(p, data, len, 0);
	if (p->fail != NULL) {
		*errstr = xstrdup(p->fail);
		return -1;
	}
	return 0;
}

int
feed_parser_push_whole(struct feed_parser *p, const char *data, size_t len,
    char **errstr)
{
	p->keep = 0;		/* no copy: data is there until the finish */
	buf_cleanup(&p->kept);
	p->whole = data;
	p->nwhole = len;
	return feed_parser_push(p, data, len, errstr);
}

static struct feed_doc *
xml_finish(struct feed_parser *p, char **errstr)
{
	struct feed_doc *doc;
	const char *xerr;

	if (builder_finish(p->b, errstr) == -1) {
		if ((xerr = xml_reader_not_xml(p->r)) != NULL) {
			free(*errstr);
			*errstr = xasprintf("not a feed: not XML (%s)", xerr);
		}
		return NULL;
	}
	enc_decoder_note(p->dec, p->doc);	/* after libxml2's problems */
	doc = p->doc;
	p->doc = NULL;
	return doc;
}

/*
 * A document in which an end tag closed an element of another name:
 * with raw HTML in RSS text, one <br> or <b> left open made libxml2
 * close the wrong element at each end tag after it, and the next items
 * nested inside the first were lost.  Parsed again with its tags
 * balanced (xmlfix_balance); the second reading is taken when it has
 * more items, or as many and its tags did balance.
 */
static struct feed_doc *
retry_balanced(struct feed_parser *p, struct feed_doc *doc)
{
	struct feed_parser *q;
	struct feed_doc *again = NULL;
	char	*mended, *err = NULL;
	size_t	 n, count;
	int	 whole = p->whole != NULL && p->gzip != 1;	/* not inflated */
	int	 balanced = 0;

	if ((!whole && !p->keep) || (mended = xmlfix_balance(whole ?
	    p->whole : p->kept.data, whole ? p->nwhole : p->kept.len, &n,
	    &count)) == NULL)
		return doc;
	q = feed_parser_new(p->base_url, p->charset);
	feed_parser_set_flags(q, p->flags);
	q->max = p->max;
	q->keep = 0;			/* once */
	if (feed_parser_push(q, mended, n, &err) == 0 &&
	    (again = feed_parser_finish(q, &err)) != NULL)
		balanced = q->r != NULL && !xml_reader_mismatched(q->r);
	feed_parser_free(q);
	free(mended);
	free(err);
	if (again == NULL || again->nitems < doc->nitems ||
	    (again->nitems == doc->nitems && !balanced)) {
		feed_doc_free(again);
		return doc;
	}
	feed_doc_add_error(again, "raw HTML in the text left elements open "
	    "or closed others (<br>, <b> ...): %zu tag%s mended", count,
	    count == 1 ? "" : "s");
	feed_doc_free(doc);
	return again;
}

struct feed_doc *
feed_parser_finish(struct feed_parser *p, char **errstr)
{
	struct feed_doc *doc;

	*errstr = NULL;
	if (p->fail == NULL)
		parser_feed(p, NULL, 0, 1);
	if (p->fail != NULL) {
		*errstr = xstrdup(p->fail);
		return NULL;
	}
	switch (p->sniff) {
	case SNIFF_JSON:
		return jsonfeed_parse(buf_str(&p->json), p->json.len,
		    p->base_url, p->flags, errstr);
	case SNIFF_XML:
		doc = xml_finish(p, errstr);
		if (doc != NULL && xml_reader_mismatched(p->r))
			doc = retry_balanced(p, doc);
		return doc;
	case SNIFF_UNDECIDED:
		break;
	}
	*errstr = xstrdup("not a feed: empty document");
	return NULL;
}

struct feed_doc *
feed_parse_buffer(const char *data, size_t len, const char *base_url,
    const char *charset, char **errstr)
{
	struct feed_parser *p = feed_parser_new(base_url, charset);
	struct feed_doc *doc = NULL;

	if (feed_parser_push_whole(p, data, len, errstr) == 0)
		doc = feed_parser_finish(p, errstr);
	feed_parser_free(p);
	return doc;
}
