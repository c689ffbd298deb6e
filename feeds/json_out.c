/*
 * json_out: the JSON string escaper every writer shares, and the
 * `feedd parse` document of INTERFACE.md.  Strings are copied in runs of
 * bytes that need no escaping (valid UTF-8 included), because this is on
 * the hot path of `feedd parse`.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "feeds/date.h"
#include "feeds/json_out.h"
#include "util/utf8.h"

/* 0: copy as is; 1: escape; 2: first byte of a UTF-8 sequence to check. */
static const unsigned char jclass[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/*
 * Output staged in a local array: a string with many escapes would
 * otherwise cost one buf_append per run and per escape.
 */
struct jstage {
	struct buf *b;
	size_t	 n;
	int	 rc;
	char	 tmp[4096];
};

static void
js_flush(struct jstage *st)
{
	if (st->n > 0 && buf_append(st->b, st->tmp, st->n) < 0)
		st->rc = -1;
	st->n = 0;
}

static inline void
js_put(struct jstage *st, const void *p, size_t len)
{
	if (len > sizeof(st->tmp) - st->n) {
		js_flush(st);
		if (len >= sizeof(st->tmp) / 2) {
			if (buf_append(st->b, p, len) < 0)
				st->rc = -1;
			return;
		}
	}
	memcpy(st->tmp + st->n, p, len);
	st->n += len;
}

static void
put_escape(struct jstage *st, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

	switch (c) {
	case '"':	js_put(st, "\\\"", 2); break;
	case '\\':	js_put(st, "\\\\", 2); break;
	case '\n':	js_put(st, "\\n", 2); break;
	case '\r':	js_put(st, "\\r", 2); break;
	case '\t':	js_put(st, "\\t", 2); break;
	case '\b':	js_put(st, "\\b", 2); break;
	case '\f':	js_put(st, "\\f", 2); break;
	default:	js_put(st, esc, 6); break;
	}
}

/* The escape for a sequence at s that cannot be copied; its length. */
static size_t
put_special(struct jstage *st, const unsigned char *s)
{
	size_t n;

	if (jclass[s[0]] == 1) {
		put_escape(st, s[0]);
		return 1;
	}
	if ((n = utf8_len(s)) == 0) {
		js_put(st, "\xef\xbf\xbd", 3);	/* U+FFFD */
		return 1;
	}
	/* C1 controls: a terminal obeys U+009B as CSI */
	if (s[0] == 0xc2) {
		put_escape(st, s[1]);
		return n;
	}
	/* U+2028 and U+2029 end lines in JavaScript. */
	js_put(st, s[2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
	return n;
}

#define ONES	0x0101010101010101ull
#define HIGHS	0x8080808080808080ull

/* Nonzero when one of the 8 bytes of w is < 0x20, >= 0x80, '"', '\\'
 * or DEL (the classic SWAR zero-byte tests; exact for bytes below
 * 0x80). */
static inline uint64_t
word_special(uint64_t w)
{
	uint64_t q = w ^ (ONES * '"'), bs = w ^ (ONES * '\\');
	uint64_t del = w ^ (ONES * 0x7f);

	return (w | (w - ONES * 0x20) | (q - ONES) | (bs - ONES) |
	    (del - ONES)) & HIGHS;
}

/*
 * Index of the first byte of a word loaded with memcpy whose high bit is
 * set in m.  The lowest flag of the tests above is always a true one (a
 * borrow only runs upwards from a flagged byte); on a big-endian machine
 * the answer 0 lets the byte loop find it.
 */
static inline size_t
first_flagged(uint64_t m)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (size_t)__builtin_ctzll(m) >> 3;
#else
	(void)m;
	return 0;
#endif
}

/* Bytes from s that are plain printable ASCII other than '"' and '\\',
 * eight at a time; s has at least end - s bytes. */
static const unsigned char *
skip_plain(const unsigned char *s, const unsigned char *end)
{
	uint64_t w;

#ifdef __SSE2__
	/* sixteen at a time: as signed bytes, >= 0x80 is below 0x20 too */
	const __m128i sp = _mm_set1_epi8(0x20), q = _mm_set1_epi8('"');
	const __m128i bs = _mm_set1_epi8('\\'), del = _mm_set1_epi8(0x7f);

	while (end - s >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
		int m = _mm_movemask_epi8(_mm_or_si128(_mm_cmplt_epi8(v, sp),
		    _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, q),
		    _mm_cmpeq_epi8(v, bs)), _mm_cmpeq_epi8(v, del))));

		if (m != 0)
			return s + __builtin_ctz((unsigned int)m);
		s += 16;
	}
#endif
	while (end - s >= 8) {
		memcpy(&w, s, 8);
		if ((w = word_special(w)) != 0)
			return s + first_flagged(w);
		s += 8;
	}
	return s;
}

int
json_put_string(struct buf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str, *run, *end;
	struct jstage st;
	size_t n;

	if (str == NULL)
		return buf_append(b, "null", 4);
	st.b = b;
	st.n = 0;
	st.rc = 0;
	js_put(&st, "\"", 1);
	end = s + strlen(str);
	for (;;) {
		for (run = s;; s += n) {
			n = 1;
			s = skip_plain(s, end);
			if (jclass[*s] == 0)
				continue;
			if (jclass[*s] == 1 || (n = utf8_len(s)) == 0 ||
			    (s[0] == 0xc2 && s[1] < 0xa0) ||
			    (s[0] == 0xe2 && s[1] == 0x80 &&
			    (s[2] == 0xa8 || s[2] == 0xa9)))
				break;
		}
		if (s > run)
			js_put(&st, run, (size_t)(s - run));
		if (*s == '\0')
			break;
		s += put_special(&st, s);
	}
	js_put(&st, "\"", 1);
	js_flush(&st);
	return st.rc;
}

/* A small writer that knows where commas and (when pretty) newlines go. */
struct jw {
	struct buf *b;
	int	 pretty;
	int	 depth;
	int	 first[8];
};

static void
jw_newline(struct jw *w)
{
	int i;

	buf_putc(w->b, '\n');
	for (i = 0; i < w->depth; i++)
		buf_append(w->b, "  ", 2);
}

static void
jw_open(struct jw *w, char c)
{
	buf_putc(w->b, c);
	w->first[++w->depth] = 1;
}

static void
jw_close(struct jw *w, char c)
{
	int empty = w->first[w->depth--];

	if (w->pretty && !empty)
		jw_newline(w);
	buf_putc(w->b, c);
}

/* Before a value or key: the comma, and the line break when pretty. */
static void
jw_sep(struct jw *w)
{
	if (!w->first[w->depth])
		buf_putc(w->b, ',');
	w->first[w->depth] = 0;
	if (w->pretty)
		jw_newline(w);
}

static void
jw_key(struct jw *w, const char *key)
{
	char k[32];
	size_t n = strlen(key);

	jw_sep(w);
	if (n + 4 > sizeof(k)) {
		json_put_string(w->b, key);
		buf_append(w->b, w->pretty ? ": " : ":", w->pretty ? 2 : 1);
		return;
	}
	/* Our keys are plain ASCII names: no escaping to look for. */
	k[0] = '"';
	memcpy(k + 1, key, n);
	memcpy(k + 1 + n, "\": ", 3);
	buf_append(w->b, k, n + (w->pretty ? 4 : 3));
}

static void
jw_str(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	json_put_string(w->b, s);
}

static void
jw_date(struct jw *w, const char *key, int64_t t)
{
	char d[DATE_RFC3339_LEN];

	jw_key(w, key);
	if (t == FEED_TIME_NONE) {
		buf_append(w->b, "null", 4);
		return;
	}
	d[0] = '"';
	date_format_rfc3339(t, d + 1, sizeof(d) - 2);
	d[21] = '"';
	buf_append(w->b, d, 22);
}

static void
jw_strings(struct jw *w, const char *key, char *const *v, size_t n)
{
	size_t i;

	jw_key(w, key);
	jw_open(w, '[');
	for (i = 0; i < n; i++) {
		jw_sep(w);
		json_put_string(w->b, v[i]);
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
			buf_append(w->b, "null", 4);
		else
			buf_printf(w->b, "%lld", (long long)e->length);
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

void
json_put_doc(struct buf *b, const struct feed_doc *doc, int pretty)
{
	struct jw w = { .b = b, .pretty = pretty };
	size_t i;

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
	buf_putc(b, '\n');
}

int
json_write_doc(FILE *out, const struct feed_doc *doc, int pretty)
{
	struct buf b;
	int rc = 0;

	buf_init(&b, 0);
	json_put_doc(&b, doc, pretty);
	if (fwrite(b.data, 1, b.len, out) != b.len || ferror(out))
		rc = -1;
	buf_cleanup(&b);
	return rc;
}
