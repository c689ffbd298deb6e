/*
 * termtext: cleaning stored text for terminals and line-based output,
 * and measuring it in terminal columns (see termtext.h).  Widths come
 * from wcwidth(3) on the decoded code point, so they follow the C
 * library's Unicode tables rather than a copy of them here; decoding
 * is util/utf8.c's.
 */
#include <stdint.h>
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

static int
is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
	    cp == 0x2028 || cp == 0x2029;
}

void
term_clean(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (p != NULL && *p != '\0') {
		uint32_t cp;
		size_t n = utf8_next(p, &cp);

		/* an invalid byte is kept as it was: it is no control */
		if (is_control(cp) && !(n == 1 && cp == 0xFFFD))
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
