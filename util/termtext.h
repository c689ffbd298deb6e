/*
 * termtext: stored text made safe for a terminal or a line-based file.
 * Every command that prints text that came from a feed (titles, links,
 * errors, names) passes it through here, so no feed can move the
 * cursor, change colours or split a line: C0 controls, DEL, C1
 * controls (U+0080-U+009F; U+009B is CSI to some terminals) and the
 * Unicode line and paragraph separators (U+2028, U+2029) each become
 * one space.  Error messages that quote input escape them instead
 * (TERM_ESCAPE: \n \x1b \u009b \u2028), and URLs percent-encode them.
 * Also measures and cuts text by terminal columns.  The one place for
 * all of it: the log, the alert log, command output, OPML, errors.
 */
#ifndef FEEDD_TERMTEXT_H
#define FEEDD_TERMTEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/buf.h"

/* Appends s, cleaned, to b.  s NULL appends nothing. */
void	 term_clean(struct buf *b, const char *s);
/* s cleaned, as a new string (caller frees); "" for NULL. */
char	*term_cleaned(const char *s);
/* Writes s cleaned to fp. */
void	 term_put(FILE *fp, const char *s);

/*
 * Terminal columns s (UTF-8, already clean) takes: wide (CJK, emoji)
 * characters count 2, combining marks 0, invalid bytes 1.
 */
size_t	 term_width(const char *s);
/*
 * s cut to at most cols columns, ending in "…" when something was cut
 * (cols >= 1).  Never splits a UTF-8 sequence.  Caller frees.
 */
char	*term_cut(const char *s, size_t cols);

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
