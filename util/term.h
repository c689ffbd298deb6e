/*
 * term: text made safe for a terminal and for one line, the one place
 * every printer (command output, the alert log, log and error lines that
 * quote input) takes it from.  Unsafe are the C0 controls, DEL, the C1
 * controls (U+0080-U+009F: U+009B is CSI, which terminals obey like
 * ESC [), U+2028 and U+2029 (line and paragraph separators), and bytes
 * that are not UTF-8.
 */
#ifndef FEEDD_TERM_H
#define FEEDD_TERM_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

enum term_mode {
	TERM_SPACE,	/* each unsafe character becomes a space (U+FFFD for
			 * a byte that is not UTF-8): listings, the alert log */
	TERM_ESCAPE,	/* it is shown escaped: \n \t \x1b \u009b \u2028, a
			 * bad byte \xff: error messages that quote input */
};

/* Whether code point c is unsafe on a terminal line. */
static inline int
term_unsafe(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x2028 ||
	    c == 0x2029;
}

/* Appends len bytes of s to b, safe as mode says. */
void	 term_append(struct buf *b, const char *s, size_t len,
	    enum term_mode mode);
/*
 * The same into out (size bytes, NUL-terminated, cut at a character):
 * no allocation, for the log that reports allocation failures too.
 */
void	 term_copy(char *out, size_t size, const char *s, size_t len,
	    enum term_mode mode);
/* A safe copy of s (NULL: ""), caller frees. */
char	*term_str(const char *s, enum term_mode mode);
/*
 * Appends a URL to b with every unsafe character, space, '<' and '>'
 * percent-encoded (byte by byte), so it stays one clickable token.
 */
void	 term_url(struct buf *b, const char *url);

#endif
