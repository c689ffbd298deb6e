/*
 * term: the terminal-safe forms of text (see term.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/term.h"
#include "util/utf8.h"

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
