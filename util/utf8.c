/*
 * utf8: decoding, validating and encoding UTF-8 (see utf8.h).
 */
#include <string.h>

#include "util/utf8.h"

size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	int len;
	uint32_t c;

	if (n == 0 || (len = utf8_seq_len(s, n)) <= 0)
		return 0;
	if (len == 1) {
		*cp = s[0];
		return 1;
	}
	c = s[0] & (0x7f >> len);
	for (int i = 1; i < len; i++)
		c = (c << 6) | (s[i] & 0x3f);
	*cp = c;
	return (size_t)len;
}

/*
 * Eight bytes at a time while they are ASCII: every HTML text is checked
 * before the parser reads it, and most of it is ASCII.
 */
int
utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	uint64_t w;
	int len;

	while (i < n) {
		if (n - i >= sizeof(w)) {
			memcpy(&w, s + i, sizeof(w));
			if ((w & 0x8080808080808080ULL) == 0) {
				i += sizeof(w);
				continue;
			}
		}
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((len = utf8_seq_len(s + i, n - i)) <= 0)
			return 0;
		i += (size_t)len;
	}
	return 1;
}

size_t
utf8_encode(uint32_t cp, char out[4])
{
	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}
