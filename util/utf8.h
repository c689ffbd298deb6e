/*
 * utf8: the one UTF-8 decoder, validator and encoder (RFC 3629: no
 * overlong forms, no surrogates, nothing past U+10FFFF).  Every module
 * that looks at UTF-8 byte by byte uses these; what a caller then keeps
 * or drops (XML's forbidden characters, JSON's escapes) is its own rule.
 */
#ifndef FEEDD_UTF8_H
#define FEEDD_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Length of the well-formed sequence at s, n bytes there: 1 to 4; 0 when
 * ill-formed; -1 when n cuts it short and more bytes may complete it.
 * Reads byte by byte and stops at the first that does not fit, so a
 * NUL-terminated string may pass n = SIZE_MAX (see utf8_len).
 * Inline: the encoding decoder calls it per byte on whole documents.
 */
static inline int
utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	int need;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 1;
	else if (c >= 0xe0 && c <= 0xef)
		need = 2;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 3;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;		/* no overlong forms */
	else if (c == 0xed)
		hi = 0x9f;		/* no surrogates */
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;		/* nothing past U+10FFFF */
	for (int k = 1; k <= need; k++) {
		if ((size_t)k >= n)
			return -1;
		if (s[k] < lo || s[k] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return need + 1;
}

/* The same for a NUL-terminated string: 1 to 4, or 0 when ill-formed. */
static inline size_t
utf8_len(const unsigned char *s)
{
	int n = utf8_seq_len(s, SIZE_MAX);

	return n > 0 ? (size_t)n : 0;
}

/* Decodes the sequence at s (n bytes there) into *cp: its length, or 0
 * when ill-formed or cut short (nothing stored). */
size_t	 utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* Whether all n bytes at s are well-formed UTF-8. */
int	 utf8_valid(const char *s, size_t n);
/* Writes cp as UTF-8 to out: its length, 1 to 4.  A surrogate, 0 or a
 * value past U+10FFFF is written as U+FFFD. */
size_t	 utf8_encode(uint32_t cp, char out[4]);

#endif
