/*
 * encoding: raw feed bytes to valid UTF-8, chunk by chunk, before
 * libxml2 sees them.  Owns the charset decision, the UTF-8 repair, the
 * iconv path for legacy charsets and the dropping of what XML forbids.
 */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#define HAVE_SSE2	1
#else
#define HAVE_SSE2	0
#endif

#include "util/xmalloc.h"
#include "feeds/encoding.h"
#include "feeds/feed.h"
#include "util/utf8.h"

#define ENC_HEAD_MAX	4096	/* bytes held to decide the charset */

enum enc_mode {
	ENC_SNIFF,
	ENC_UTF8,
	ENC_CP1252,
	ENC_ICONV,
};

struct enc_decoder {
	enum enc_mode	 mode;
	char		*http;		/* charset from HTTP, or NULL */
	struct buf	 head;		/* bytes held while sniffing */
	uint8_t		 pend[8];	/* incomplete sequence carried over */
	size_t		 npend;
	iconv_t		 cd;
	char		 name[48];	/* charset in use */
	int		 started;	/* the first '<' went out */
	int		 skipped_lines;
	const char	*warning;
	size_t		 replaced;
};

/* windows-1252 0x80-0x9F; the five holes map to themselves (WHATWG). */
static const uint16_t cp1252_high[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

/* Charset labels browsers read differently from their name. */
static const struct {
	const char *label;
	const char *use;		/* "" = UTF-8 path, "1252" = cp1252 */
} enc_aliases[] = {
	{ "utf-8", "" }, { "utf8", "" }, { "us-ascii", "" }, { "ascii", "" },
	{ "unicode-1-1-utf-8", "" },
	{ "iso-8859-1", "1252" }, { "iso8859-1", "1252" },
	{ "iso_8859-1", "1252" }, { "latin1", "1252" }, { "l1", "1252" },
	{ "windows-1252", "1252" }, { "cp1252", "1252" },
	{ "x-cp1252", "1252" },
	{ "gb2312", "GB18030" }, { "gbk", "GB18030" }, { "x-gbk", "GB18030" },
	{ "gb_2312-80", "GB18030" }, { "csgb2312", "GB18030" },
	{ "shift_jis", "CP932" }, { "sjis", "CP932" }, { "x-sjis", "CP932" },
	{ "windows-31j", "CP932" }, { "ms_kanji", "CP932" },
	{ "euc-kr", "CP949" }, { "ks_c_5601-1987", "CP949" },
};

static unsigned int
cp1252_codepoint(uint8_t c)
{
	return c >= 0x80 && c < 0xA0 ? cp1252_high[c - 0x80] : c;
}

struct enc_decoder *
enc_decoder_new(const char *http_charset)
{
	struct enc_decoder *d = xcalloc(1, sizeof(*d));

	d->mode = ENC_SNIFF;
	d->http = http_charset && *http_charset ? xstrdup(http_charset) : NULL;
	d->cd = (iconv_t)-1;
	buf_init(&d->head, 0);
	return d;
}

void
enc_decoder_free(struct enc_decoder *d)
{
	if (d == NULL)
		return;
	if (d->cd != (iconv_t)-1)
		iconv_close(d->cd);
	buf_cleanup(&d->head);
	free(d->http);
	free(d);
}

/*
 * utf8_seq_len, less U+FFFE and U+FFFF: they are not XML characters, so
 * they are repaired like ill-formed bytes.
 */
static inline int
xml_seq_len(const uint8_t *s, size_t n)
{
	int len = utf8_seq_len(s, n);

	if (len == 3 && s[0] == 0xEF && s[1] == 0xBF && s[2] >= 0xBE)
		return 0;
	return len;
}

/*
 * Bytes at the start of s (n bytes) that need no repair: printable ASCII,
 * tab, LF, CR and whole valid UTF-8 sequences.  Stops at the first byte
 * that needs repair or at a sequence cut by the end of s.
 */
static size_t
utf8_valid_prefix(const uint8_t *s, size_t n)
{
	size_t i = 0;
	int len;

	while (i < n) {
		uint8_t c;

#ifdef __SSE2__
		/* Sixteen at a time: as signed bytes, none below 0x20 (so
		 * none >= 0x80 either); the first flagged byte is exact. */
		while (i + 16 <= n) {
			__m128i v = _mm_loadu_si128((const __m128i *)
			    (const void *)(s + i));
			int m = _mm_movemask_epi8(_mm_cmplt_epi8(v,
			    _mm_set1_epi8(0x20)));

			if (m != 0) {
				i += (size_t)__builtin_ctz((unsigned int)m);
				break;
			}
			i += 16;
		}
#endif
		/* Eight plain ASCII bytes at a time: none >= 0x80 or < 0x20
		 * (with SSE2, only the tail the loop above left). */
		while (i + 8 <= n && (!HAVE_SSE2 || i + 16 > n)) {
			uint64_t w;

			memcpy(&w, s + i, 8);
			if ((w = (w | (w - 0x2020202020202020ull)) &
			    0x8080808080808080ull) != 0) {
				/* the lowest flag is a true one: go there */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
				i += (size_t)__builtin_ctzll(w) >> 3;
#endif
				break;
			}
			i += 8;
		}
		if (i >= n)
			break;
		c = s[i];
		if ((c >= 0x20 && c < 0x80) || c == '\n' || c == '\t' ||
		    c == '\r')
			i++;
		else if (c >= 0x80 && (len = xml_seq_len(s + i, n - i)) > 0)
			i += (size_t)len;
		else
			break;
	}
	return i;
}

/*
 * Copies valid UTF-8 from s to out, dropping C0 controls other than tab,
 * LF, CR and reading each invalid byte as windows-1252.  Returns the
 * bytes consumed: an incomplete sequence at the end stays unconsumed
 * unless final.
 */
static size_t
utf8_repair(struct enc_decoder *d, const uint8_t *s, size_t n, int final,
    struct buf *out)
{
	size_t i = 0, span = 0;

	while (i < n) {
		uint8_t c;

		if ((i += utf8_valid_prefix(s + i, n - i)) >= n)
			break;
		c = s[i];
		if (c >= 0x80 && !final && xml_seq_len(s + i, n - i) == -1)
			break;
		buf_append(out, s + span, i - span);
		if (c >= 0x80) {
			buf_put_utf8(out, cp1252_codepoint(c));
			d->replaced++;
		}
		span = ++i;
	}
	buf_append(out, s + span, i - span);
	return i;
}

static void
cp1252_decode(const uint8_t *s, size_t n, struct buf *out)
{
	size_t i = 0, span = 0;

	for (; i < n; i++) {
		uint8_t c = s[i];

		if ((c >= 0x20 && c < 0x80) || c == '\n' || c == '\t' ||
		    c == '\r')
			continue;
		buf_append(out, s + span, i - span);
		if (c >= 0x80)
			buf_put_utf8(out, cp1252_codepoint(c));
		span = i + 1;
	}
	buf_append(out, s + span, i - span);
}

/* Returns bytes consumed; an incomplete tail stays unless final. */
static size_t
iconv_decode(struct enc_decoder *d, const uint8_t *s, size_t n, int final,
    struct buf *out)
{
	char tmp[8192], *in = (char *)(uintptr_t)s, *o;
	size_t inleft = n, oleft;

	while (inleft > 0) {
		size_t r;

		o = tmp;
		oleft = sizeof(tmp);
		r = iconv(d->cd, &in, &inleft, &o, &oleft);
		utf8_repair(d, (uint8_t *)tmp, (size_t)(o - tmp), 1, out);
		if (r != (size_t)-1 || errno == E2BIG)
			continue;
		if (errno == EINVAL && !final)
			break;
		/* EILSEQ, or a truncated sequence at the end. */
		buf_put_utf8(out, 0xFFFD);
		d->replaced++;
		in++;
		inleft--;
		iconv(d->cd, NULL, NULL, NULL, NULL);
	}
	return n - inleft;
}

/* The encoding="..." of an XML declaration at the start of head. */
static char *
sniff_declared(const char *s, size_t n)
{
	const char *end, *p, *q;
	size_t i = 0;

	while (i < n && strchr(" \t\r\n", s[i]) != NULL && s[i] != '\0')
		i++;
	if (n - i < 5 || memcmp(s + i, "<?xml", 5) != 0)
		return NULL;
	if ((end = memmem(s + i, n - i, "?>", 2)) == NULL)
		return NULL;
	if ((p = memmem(s + i, (size_t)(end - s - i), "encoding", 8)) == NULL)
		return NULL;
	p += 8;
	while (p < end && (*p == ' ' || *p == '=' || *p == '\t'))
		p++;
	if (p >= end || (*p != '"' && *p != '\''))
		return NULL;
	q = memchr(p + 1, *p, (size_t)(end - p - 1));
	if (q == NULL || q - p - 1 > 40)
		return NULL;
	return xstrndup(p + 1, (size_t)(q - p - 1));
}

/*
 * 1 when the held bytes have non-ASCII text and all of it is valid
 * UTF-8.  Latin-1 text almost never forms valid UTF-8 sequences, so a
 * document labelled Latin-1 that does is UTF-8 mislabelled (a common
 * server default); reading it as UTF-8 still repairs stray bytes.
 */
static int
head_is_utf8(const uint8_t *s, size_t n)
{
	size_t i = 0;
	int multi = 0, len;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((len = xml_seq_len(s + i, n - i)) == -1)
			break;		/* cut by the end of the head */
		if (len == 0)
			return 0;
		multi = 1;
		i += (size_t)len;
	}
	return multi;
}

/*
 * 1 when the held bytes, declared as nothing, are mostly not UTF-8:
 * more ill-formed bytes than well-formed multibyte sequences.  Such a
 * document is in a legacy charset its server did not name (often
 * Latin-1); read it as windows-1252 throughout, as browsers do, rather
 * than taking a Latin-1 "é\xa0»" for a CJK character.
 */
static int
head_is_latin1(const uint8_t *s, size_t n)
{
	size_t i = 0;
	int good = 0, bad = 0, len;

	if (n > ENC_HEAD_MAX)
		n = ENC_HEAD_MAX;	/* the same answer however it came */
	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((len = utf8_seq_len(s + i, n - i)) == -1)
			break;
		if (len == 0) {
			bad++;
			i++;
		} else {
			good++;
			i += (size_t)len;
		}
	}
	return bad > 0 && bad >= good;
}

static void
enc_open(struct enc_decoder *d, const char *label, const uint8_t *s,
    size_t n)
{
	const char *use = label;

	for (size_t i = 0; i < sizeof(enc_aliases) / sizeof(enc_aliases[0]);
	    i++)
		if (strcasecmp(label, enc_aliases[i].label) == 0)
			use = enc_aliases[i].use;
	if (*use == '\0' || strncasecmp(use, "utf-16", 6) == 0 ||
	    strncasecmp(use, "utf-32", 6) == 0 ||
	    (strcmp(use, "1252") == 0 && head_is_utf8(s, n))) {
		/* A UTF-16/32 label on ASCII-compatible bytes is a lie. */
		d->mode = ENC_UTF8;
		snprintf(d->name, sizeof(d->name), "UTF-8");
	} else if (strcmp(use, "1252") == 0) {
		d->mode = ENC_CP1252;
		snprintf(d->name, sizeof(d->name), "windows-1252");
	} else if ((d->cd = iconv_open("UTF-8", use)) != (iconv_t)-1) {
		d->mode = ENC_ICONV;
		snprintf(d->name, sizeof(d->name), "%s", use);
	} else {
		d->mode = ENC_UTF8;
		snprintf(d->name, sizeof(d->name), "UTF-8");
		d->warning = "unknown charset, read as UTF-8";
	}
}

/*
 * Decides the charset from the held head.  Order: a BOM (or the
 * zero-byte pattern of BOM-less UTF-16 XML), then the HTTP charset, then
 * the XML declaration, then UTF-8.  The bytes themselves are the surest
 * witness, so they come first; HTTP before the declaration follows RFC
 * 7303 section 3.2 and lets `--charset` override a wrong declaration,
 * which is the point of the option.  Returns bytes of head to skip.
 */
static size_t
enc_decide(struct enc_decoder *d, const uint8_t *s, size_t n)
{
	char *declared;

	const char *wide = NULL;
	size_t skip = 0;

	if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
		enc_open(d, "utf-8", s, n);
		return 3;
	}
	/* XML 1.0 appendix F: a BOM, else the zero bytes around "<". */
	if (n >= 4 && memcmp(s, "\xFF\xFE\0\0", 4) == 0)
		wide = "UTF-32LE", skip = 4;
	else if (n >= 4 && memcmp(s, "\0\0\xFE\xFF", 4) == 0)
		wide = "UTF-32BE", skip = 4;
	else if (n >= 2 && s[0] == 0xFF && s[1] == 0xFE)
		wide = "UTF-16LE", skip = 2;
	else if (n >= 2 && s[0] == 0xFE && s[1] == 0xFF)
		wide = "UTF-16BE", skip = 2;
	else if (n >= 4 && s[0] != 0 && s[1] == 0 && s[2] == 0 && s[3] == 0)
		wide = "UTF-32LE";
	else if (n >= 4 && s[0] == 0 && s[1] == 0 && s[2] == 0 && s[3] != 0)
		wide = "UTF-32BE";
	else if (n >= 2 && (s[0] == 0) != (s[1] == 0))
		wide = s[0] != 0 ? "UTF-16LE" : "UTF-16BE";
	if (wide != NULL) {
		/* The bytes say it: no label is asked (a UTF-16/32 label on
		 * ASCII-compatible bytes, in enc_open, is the lie). */
		if ((d->cd = iconv_open("UTF-8", wide)) != (iconv_t)-1) {
			d->mode = ENC_ICONV;
			snprintf(d->name, sizeof(d->name), "%s", wide);
			return skip;
		}
		enc_open(d, "utf-8", s, n);
		return skip;
	}
	if (d->http != NULL) {
		enc_open(d, d->http, s, n);
		return 0;
	}
	declared = sniff_declared((const char *)s, n);
	enc_open(d, declared ? declared : head_is_latin1(s, n) ?
	    "windows-1252" : "utf-8", s, n);
	free(declared);
	return 0;
}

static size_t
enc_convert(struct enc_decoder *d, const uint8_t *s, size_t n, int final,
    struct buf *out)
{
	if (n == 0)	/* the final call may pass no bytes, s NULL */
		return 0;
	switch (d->mode) {
	case ENC_UTF8:
		return utf8_repair(d, s, n, final, out);
	case ENC_CP1252:
		cp1252_decode(s, n, out);
		return n;
	case ENC_ICONV:
		return iconv_decode(d, s, n, final, out);
	case ENC_SNIFF:
		break;
	}
	return n;
}

/* Runs s through the converter, carrying an incomplete tail over. */
static void
enc_feed(struct enc_decoder *d, const uint8_t *s, size_t n, int final,
    struct buf *out)
{
	uint8_t *joined = NULL;
	size_t used;

	if (d->npend > 0) {
		joined = xmalloc(d->npend + n);
		memcpy(joined, d->pend, d->npend);
		if (n)
			memcpy(joined + d->npend, s, n);
		s = joined;
		n += d->npend;
		d->npend = 0;
	}
	used = enc_convert(d, s, n, final, out);
	if (n - used > sizeof(d->pend)) {
		/* Cannot happen for real charsets; never lose bytes silently. */
		enc_convert(d, s + used, n - used, 1, out);
	} else if (n > used) {
		memcpy(d->pend, s + used, n - used);
		d->npend = n - used;
	}
	free(joined);
}

/*
 * Drops what precedes the first '<' of the document (junk, whitespace),
 * or its XML declaration when one comes later: a declaration is only
 * ever first, so what is before it is junk too (a PHP warning's
 * "<br />\n<b>Warning</b>: ..." printed ahead of the feed).
 */
static void
enc_strip_leading(struct enc_decoder *d, struct buf *out, size_t from)
{
	char *s, *lt, *decl;
	size_t n = out->len - from;

	if (d->started || n == 0)
		return;		/* (out->data may still be NULL) */
	s = out->data + from;
	lt = memchr(s, '<', n);
	if (lt != NULL && strncmp(lt, "<?xml", 5) != 0 &&
	    (decl = memmem(lt, n - (size_t)(lt - s), "<?xml ", 6)) != NULL)
		lt = decl;
	for (char *p = s; p < (lt ? lt : s + n); p++)
		if (*p == '\n')
			d->skipped_lines++;
	if (lt == NULL) {
		out->len = from;
		out->data[from] = '\0';
		return;
	}
	d->started = 1;
	memmove(s, lt, (size_t)(s + n - lt));
	out->len -= (size_t)(lt - s);
	out->data[out->len] = '\0';
}

void
enc_decoder_push(struct enc_decoder *d, const char *in, size_t len, int final,
    struct buf *out)
{
	size_t from = out->len, skip;

	if (d->mode == ENC_SNIFF) {
		buf_append(&d->head, in, len);
		if (!final && d->head.len < ENC_HEAD_MAX)
			return;
		skip = enc_decide(d, (const uint8_t *)buf_str(&d->head),
		    d->head.len);
		enc_feed(d, (const uint8_t *)buf_str(&d->head) + skip,
		    d->head.len - skip, final, out);
		buf_cleanup(&d->head);
	} else
		enc_feed(d, (const uint8_t *)in, len, final, out);
	enc_strip_leading(d, out, from);
}

void
enc_decoder_view(struct enc_decoder *d, const char *in, size_t len,
    int final, struct buf *out, const char **data, size_t *dlen)
{
	const uint8_t *s = (const uint8_t *)in;
	size_t from = out->len, k, rest;

	/* A first chunk that decides the charset by itself is not held. */
	if (d->mode == ENC_SNIFF && d->head.len == 0 && len > 0 &&
	    (len >= ENC_HEAD_MAX || final)) {
		k = enc_decide(d, s, len);
		s += k;
		len -= k;
		in += k;
		if (d->mode == ENC_UTF8 && len > 0 && s[0] == '<')
			d->started = 1;	/* nothing to strip before it */
		else {
			enc_feed(d, s, len, final, out);
			enc_strip_leading(d, out, from);
			*data = buf_str(out) + from;
			*dlen = out->len - from;
			return;
		}
	}
	if (d->mode != ENC_UTF8 || d->npend > 0 || !d->started) {
		enc_decoder_push(d, in, len, final, out);
		*data = buf_str(out) + from;
		*dlen = out->len - from;
		return;
	}
	k = utf8_valid_prefix(s, len);
	rest = len - k;
	if (rest == 0 || (!final && rest < sizeof(d->pend) &&
	    xml_seq_len(s + k, rest) == -1)) {
		/* all valid, maybe but for a sequence the next chunk ends */
		if (rest > 0)	/* in is NULL at the end */
			memcpy(d->pend, s + k, rest);
		d->npend = rest;
		*data = in;
		*dlen = k;
		return;
	}
	buf_append(out, in, k);
	enc_feed(d, s + k, rest, final, out);
	*data = buf_str(out) + from;
	*dlen = out->len - from;
}

int
enc_decoder_lines_skipped(const struct enc_decoder *d)
{
	return d->skipped_lines;
}

void
enc_decoder_note(const struct enc_decoder *d, struct feed_doc *doc)
{
	if (d->warning != NULL)
		feed_doc_add_error(doc, "%s", d->warning);
	if (d->replaced > 0)
		feed_doc_add_error(doc, "%zu bytes not valid %s replaced",
		    d->replaced, d->mode != ENC_SNIFF ? d->name : "UTF-8");
}
