/*
 * json_out: the JSON string escaper every writer shares, and the
 * `feedd parse` document of INTERFACE.md.  Strings are copied in runs of
 * bytes that need no escaping (valid UTF-8 included), because this is on
 * the hot path of `feedd parse`.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "feeds/date.h"
#include "feeds/json_out.h"

/* 0: copy as is; 1: escape; 2: first byte of a UTF-8 sequence to check. */
static const unsigned char jclass[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

static int
is_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/*
 * Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF), or 0 when ill-formed.
 */
static size_t
utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];

	if (c >= 0xc2 && c <= 0xdf)
		return is_cont(s[1]) ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f))
			return 0;
		return is_cont(s[1]) && is_cont(s[2]) ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
			return 0;
		return is_cont(s[1]) && is_cont(s[2]) && is_cont(s[3]) ? 4 : 0;
	}
	return 0;
}

static int
put_escape(struct buf *b, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

	switch (c) {
	case '"':	return buf_append(b, "\\\"", 2);
	case '\\':	return buf_append(b, "\\\\", 2);
	case '\n':	return buf_append(b, "\\n", 2);
	case '\r':	return buf_append(b, "\\r", 2);
	case '\t':	return buf_append(b, "\\t", 2);
	case '\b':	return buf_append(b, "\\b", 2);
	case '\f':	return buf_append(b, "\\f", 2);
	default:	return buf_append(b, esc, 6);
	}
}

/* The escape for a sequence at s that cannot be copied, and its length. */
static int
put_special(struct buf *b, const unsigned char *s, size_t *used)
{
	size_t n;

	if (jclass[s[0]] == 1) {
		*used = 1;
		return put_escape(b, s[0]);
	}
	n = utf8_len(s);
	*used = n != 0 ? n : 1;
	if (n == 0)
		return buf_append(b, "\xef\xbf\xbd", 3);	/* U+FFFD */
	/* U+2028 and U+2029 end lines in JavaScript. */
	return buf_append(b, s[2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
}

#define ONES	0x0101010101010101ull
#define HIGHS	0x8080808080808080ull

/* Nonzero when one of the 8 bytes of w is < 0x20, >= 0x80, '"' or '\\'
 * (the classic SWAR zero-byte tests; exact for bytes below 0x80). */
static inline uint64_t
word_special(uint64_t w)
{
	uint64_t q = w ^ (ONES * '"'), bs = w ^ (ONES * '\\');

	return (w | (w - ONES * 0x20) | (q - ONES) | (bs - ONES)) & HIGHS;
}

/* Bytes from s that are plain printable ASCII other than '"' and '\\',
 * eight at a time; s has at least end - s bytes. */
static const unsigned char *
skip_plain(const unsigned char *s, const unsigned char *end)
{
	uint64_t w;

	while (end - s >= 8) {
		memcpy(&w, s, 8);
		if (word_special(w))
			break;
		s += 8;
	}
	return s;
}

int
json_put_string(struct buf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str, *run, *end;
	size_t n;

	if (str == NULL)
		return buf_append(b, "null", 4);
	if (buf_putc(b, '"') < 0)
		return -1;
	end = s + strlen(str);
	for (;;) {
		for (run = s;; s += n) {
			n = 1;
			s = skip_plain(s, end);
			if (jclass[*s] == 0)
				continue;
			if (jclass[*s] == 1 || (n = utf8_len(s)) == 0 ||
			    (s[0] == 0xe2 && s[1] == 0x80 &&
			    (s[2] == 0xa8 || s[2] == 0xa9)))
				break;
		}
		if (s > run && buf_append(b, run, (size_t)(s - run)) < 0)
			return -1;
		if (*s == '\0')
			break;
		if (put_special(b, s, &n) < 0)
			return -1;
		s += n;
	}
	return buf_putc(b, '"');
}

/* A small writer that knows where commas and (when pretty) newlines go. */
struct jw {
	struct buf b;
	int	 pretty;
	int	 depth;
	int	 first[8];
};

static void
jw_newline(struct jw *w)
{
	int i;

	buf_putc(&w->b, '\n');
	for (i = 0; i < w->depth; i++)
		buf_append(&w->b, "  ", 2);
}

static void
jw_open(struct jw *w, char c)
{
	buf_putc(&w->b, c);
	w->first[++w->depth] = 1;
}

static void
jw_close(struct jw *w, char c)
{
	int empty = w->first[w->depth--];

	if (w->pretty && !empty)
		jw_newline(w);
	buf_putc(&w->b, c);
}

/* Before a value or key: the comma, and the line break when pretty. */
static void
jw_sep(struct jw *w)
{
	if (!w->first[w->depth])
		buf_putc(&w->b, ',');
	w->first[w->depth] = 0;
	if (w->pretty)
		jw_newline(w);
}

static void
jw_key(struct jw *w, const char *key)
{
	jw_sep(w);
	json_put_string(&w->b, key);
	buf_append(&w->b, w->pretty ? ": " : ":", w->pretty ? 2 : 1);
}

static void
jw_str(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	json_put_string(&w->b, s);
}

static void
jw_date(struct jw *w, const char *key, int64_t t)
{
	char d[DATE_RFC3339_LEN];

	jw_key(w, key);
	if (t == FEED_TIME_NONE) {
		buf_append(&w->b, "null", 4);
		return;
	}
	d[0] = '"';
	date_format_rfc3339(t, d + 1, sizeof(d) - 2);
	d[21] = '"';
	buf_append(&w->b, d, 22);
}

static void
jw_strings(struct jw *w, const char *key, char *const *v, size_t n)
{
	size_t i;

	jw_key(w, key);
	jw_open(w, '[');
	for (i = 0; i < n; i++) {
		jw_sep(w);
		json_put_string(&w->b, v[i]);
	}
	jw_close(w, ']');
}

static void
jw_enclosures(struct jw *w, const struct feed_item *it)
{
	const struct feed_enclosure *e;
	size_t i;

	jw_key(w, "enclosures");
	jw_open(w, '[');
	for (i = 0; i < it->nenclosures; i++) {
		e = &it->enclosures[i];
		jw_sep(w);
		jw_open(w, '{');
		jw_str(w, "url", e->url);
		jw_str(w, "type", e->type);
		jw_key(w, "length");
		if (e->length < 0)
			buf_append(&w->b, "null", 4);
		else
			buf_printf(&w->b, "%lld", (long long)e->length);
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

static void
jw_item(struct jw *w, const struct feed_item *it)
{
	jw_sep(w);
	jw_open(w, '{');
	jw_str(w, "id", it->id);
	jw_str(w, "title", it->title);
	jw_str(w, "link", it->link);
	jw_date(w, "published", it->published);
	jw_date(w, "updated", it->updated);
	jw_str(w, "author", it->author);
	jw_str(w, "summary", it->summary);
	jw_str(w, "content", it->content);
	jw_strings(w, "categories", it->categories, it->ncategories);
	jw_enclosures(w, it);
	jw_close(w, '}');
}

int
json_write_doc(FILE *out, const struct feed_doc *doc, int pretty)
{
	struct jw w = { .pretty = pretty };
	size_t i;
	int rc = 0;

	buf_init(&w.b, 0);
	jw_open(&w, '{');
	jw_str(&w, "format", feed_format_name(doc->format));
	jw_str(&w, "title", doc->title);
	jw_str(&w, "link", doc->link);
	jw_str(&w, "id", doc->id);
	jw_str(&w, "description", doc->description);
	jw_str(&w, "language", doc->language);
	jw_date(&w, "updated", doc->updated);
	jw_key(&w, "items");
	jw_open(&w, '[');
	for (i = 0; i < doc->nitems; i++)
		jw_item(&w, &doc->items[i]);
	jw_close(&w, ']');
	jw_strings(&w, "errors", doc->errors, doc->nerrors);
	jw_close(&w, '}');
	buf_putc(&w.b, '\n');
	if (fwrite(w.b.data, 1, w.b.len, out) != w.b.len || ferror(out))
		rc = -1;
	buf_cleanup(&w.b);
	return rc;
}
