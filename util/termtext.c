/*
 * termtext: cleaning stored text for terminals and line-based output,
 * and measuring it in terminal columns (see termtext.h).  Widths come
 * from wcwidth(3) on the decoded code point, so they follow the C
 * library's Unicode tables rather than a copy of them here; decoding
 * is util/utf8.c's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "util/xmalloc.h"
#include "util/termtext.h"
#include "util/utf8.h"

/*
 * One character at s (NUL-terminated): its length, and its code point
 * in *cp; an ill-formed byte is 1 long with *cp = U+FFFD.
 */
static size_t
utf8_next(const unsigned char *s, uint32_t *cp)
{
	size_t n = utf8_decode(s, strnlen((const char *)s, 4), cp);

	if (n == 0) {
		*cp = 0xFFFD;
		return 1;
	}
	return n;
}


void
term_clean(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (p != NULL && *p != '\0') {
		uint32_t cp;
		size_t n = utf8_next(p, &cp);

		/* an invalid byte is kept as it was: it is no control */
		if (term_unsafe(cp) && !(n == 1 && cp == 0xFFFD))
			buf_putc(b, ' ');
		else
			buf_append(b, p, n);
		p += n;
	}
}

char *
term_cleaned(const char *s)
{
	struct buf b;

	buf_init(&b, 0);
	term_clean(&b, s);
	return buf_detach(&b);
}

void
term_put(FILE *fp, const char *s)
{
	char *c = term_cleaned(s);

	fputs(c, fp);
	free(c);
}

static size_t
cp_width(uint32_t cp)
{
	int w = wcwidth((wchar_t)cp);

	/* unknown to wcwidth (or not a UTF-8 locale): one column */
	return w < 0 ? 1 : (size_t)w;
}

size_t
term_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t w = 0;

	while (p != NULL && *p != '\0') {
		uint32_t cp;

		p += utf8_next(p, &cp);
		w += cp_width(cp);
	}
	return w;
}

char *
term_cut(const char *s, size_t cols)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t w = 0, keep = 0;

	if (term_width(s) <= cols)
		return xstrdup(s);
	/* room for the ellipsis, one column */
	while (*p != '\0') {
		uint32_t cp;
		size_t n = utf8_next(p, &cp), cw = cp_width(cp);

		if (w + cw > cols - 1)
			break;
		w += cw;
		p += n;
		keep += n;
	}
	return xasprintf("%.*s\xe2\x80\xa6", (int)keep, s);
}

/* ---- escaped forms: errors that quote input, URLs ---- */

/*
 * The safe form of the character at p (len bytes there) into piece:
 * its length; *used: the bytes of p it stands for.
 */
static size_t
piece_of(const unsigned char *p, size_t len, enum term_mode mode,
    char piece[16], size_t *used)
{
	uint32_t c;
	size_t n = utf8_decode(p, len, &c);

	*used = n ? n : 1;
	if (n == 0)
		return (size_t)(mode == TERM_ESCAPE ?
		    snprintf(piece, 16, "\\x%02x", *p) :
		    snprintf(piece, 16, "\xef\xbf\xbd"));
	if (!term_unsafe(c)) {
		memcpy(piece, p, n);
		return n;
	}
	if (mode == TERM_SPACE) {
		piece[0] = ' ';
		return 1;
	}
	if (c == '\n' || c == '\r' || c == '\t')
		return (size_t)snprintf(piece, 16, "\\%c",
		    c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
	return (size_t)(c < 0x80 ? snprintf(piece, 16, "\\x%02x", (unsigned)c) :
	    snprintf(piece, 16, "\\u%04x", (unsigned)c));
}

void
term_append(struct buf *b, const char *s, size_t len, enum term_mode mode)
{
	const unsigned char *p = (const unsigned char *)s;
	char piece[16];
	size_t plen, used;

	while (len > 0) {
		plen = piece_of(p, len, mode, piece, &used);
		buf_append(b, piece, plen);
		p += used, len -= used;
	}
}

void
term_copy(char *out, size_t size, const char *s, size_t len,
    enum term_mode mode)
{
	const unsigned char *p = (const unsigned char *)s;
	char piece[16];
	size_t at = 0, plen, used;

	if (size == 0)
		return;
	while (len > 0) {
		plen = piece_of(p, len, mode, piece, &used);
		if (at + plen + 1 > size)
			break;
		memcpy(out + at, piece, plen);
		at += plen;
		p += used, len -= used;
	}
	out[at] = '\0';
}

char *
term_str(const char *s, enum term_mode mode)
{
	struct buf b;

	buf_init(&b, 0);
	if (s != NULL)
		term_append(&b, s, strlen(s), mode);
	return buf_detach(&b);
}

void
term_url(struct buf *b, const char *url)
{
	const unsigned char *p = (const unsigned char *)(url ? url : "");
	size_t len = strlen((const char *)p), n;
	uint32_t c;

	while (len > 0) {
		n = utf8_decode(p, len, &c);
		if (n == 0 || term_unsafe(c) || c == ' ' || c == '<' ||
		    c == '>') {
			for (size_t k = 0; k < (n ? n : 1); k++)
				buf_printf(b, "%%%02X", p[k]);
			n = n ? n : 1;
		} else
			buf_append(b, p, n);
		p += n, len -= n;
	}
}
