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
	struct buf b;
	size_t span = 0;

	buf_init(&b, 0);
	for (size_t i = 0; i + 1 < n; i++) {
		if (s[i] != 0xC2 || s[i + 1] < 0x80 || s[i + 1] > 0x9F)
			continue;
		buf_append(&b, s + span, i - span);
		buf_put_utf8(&b, cp1252_c1[s[i + 1] - 0x80]);
		span = ++i + 1;
	}
	if (span == 0) {
		buf_cleanup(&b);
		return NULL;
	}
	buf_append(&b, s + span, n - span);
	return buf_detach(&b);
}

char *
textfix(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = 0, high = 0;
	char *u, *c;

	for (; s[n] != '\0'; n++)
		high |= s[n] & 0x80;
	if (high == 0)
		return NULL;
	if ((u = undouble(s, n)) != NULL) {
		c = c1_to_cp1252((const unsigned char *)u, strlen(u));
		if (c != NULL) {
			free(u);
			return c;
		}
		return u;
	}
	return c1_to_cp1252(s, n);
}
