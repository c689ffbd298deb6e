/*
 * textfix: double-encoded UTF-8 and C1 controls in text fields (see
 * textfix.h).  Most fields are ASCII: they cost one scan.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "util/buf.h"
#include "util/utf8.h"
#include "feeds/textfix.h"

/* windows-1252 0x80-0x9F; its five holes stay what they are. */
static const uint16_t cp1252_c1[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

/*
 * 1 when every byte from i on is ASCII or a C2/C3 pair: characters below
 * U+0100 only, which double-encoded UTF-8 is made of; and the pattern of
 * a re-encoded lead byte (U+00C2-U+00F4, "C3 82".."C3 B4") then a
 * re-encoded continuation byte (U+0080-U+00BF, "C2 80".."C2 BF") is
 * there.  Real Latin-1 text almost never has the pair.
 */
static int
latin1_only(const unsigned char *s, size_t i, size_t n)
{
	const unsigned char *p = s + i, *end = s + n;

	while ((p = memchr(p, 0xC3, (size_t)(end - p))) != NULL &&
	    !(end - p >= 4 && p[1] >= 0x82 && p[1] <= 0xB4 &&
	    p[2] == 0xC2 && p[3] >= 0x80 && p[3] <= 0xBF))
		p++;
	if (p == NULL)
		return 0;
	while (i < n) {
		if (s[i] < 0x80)
			i++;
		else if ((s[i] == 0xC2 || s[i] == 0xC3) && i + 1 < n &&
		    (s[i + 1] & 0xC0) == 0x80)
			i += 2;
		else
			return 0;
	}
	return 1;
}

/*
 * The Latin-1 bytes of s when every character is below U+0100, some is
 * not ASCII, and those bytes are valid UTF-8; else NULL.
 */
static char *
undouble(const unsigned char *s, size_t n)
{
	unsigned char *out = xmalloc(n + 1);
	size_t o = 0, i = 0;

	while (i < n) {
		if (s[i] < 0x80)
			out[o++] = s[i++];
		else if ((s[i] == 0xC2 || s[i] == 0xC3) && i + 1 < n &&
		    (s[i + 1] & 0xC0) == 0x80) {
			out[o++] = (unsigned char)(((s[i] & 3) << 6) |
			    (s[i + 1] & 0x3F));
			i += 2;
		} else
			goto no;
	}
	for (i = 0; i < o; ) {
		int k;

		if (out[i] < 0x80)
			i++;
		else if ((k = utf8_seq_len(out + i, o - i)) <= 0)
			goto no;
		else
			i += (size_t)k;
	}
	out[o] = '\0';
	return (char *)out;
no:
	free(out);
	return NULL;
}

/* s with U+0080-U+009F as windows-1252 characters, or NULL if none. */
static char *
c1_to_cp1252(const unsigned char *s, size_t n)
{
	const unsigned char *p = s, *end = s + n;
	struct buf b;
	size_t span = 0;
	int found = 0;

	while ((p = memchr(p, 0xC2, (size_t)(end - p))) != NULL &&
	    p + 1 < end) {
		size_t i = (size_t)(p - s);

		if (p[1] < 0x80 || p[1] > 0x9F) {
			p++;
			continue;
		}
		if (!found) {
			buf_init(&b, 0);
			found = 1;
		}
		buf_append(&b, s + span, i - span);
		buf_put_utf8(&b, cp1252_c1[p[1] - 0x80]);
		span = i + 2;
		p += 2;
	}
	if (!found)
		return NULL;
	buf_append(&b, s + span, n - span);
	return buf_detach(&b);
}

char *
textfix(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	char *u, *c;

	/* Both repairs need a 0xC2 byte (U+0080-U+00BF): most text has
	 * none, and memchr finds that out fastest. */
	if (memchr(s, 0xC2, n) == NULL)
		return NULL;
	if (latin1_only(s, 0, n) && (u = undouble(s, n)) != NULL) {
		c = c1_to_cp1252((const unsigned char *)u, strlen(u));
		if (c != NULL) {
			free(u);
			return c;
		}
		return u;
	}
	return c1_to_cp1252(s, n);
}
