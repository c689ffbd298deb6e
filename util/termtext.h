/*
 * termtext: stored text made safe for a terminal or a line-based file.
 * Every command that prints text that came from a feed (titles, links,
 * errors, names) passes it through here, so no feed can move the
 * cursor, change colours or split a line: C0 controls, DEL, C1
 * controls (U+0080-U+009F; U+009B is CSI to some terminals) and the
 * Unicode line and paragraph separators (U+2028, U+2029) each become
 * one space.  Also measures and cuts text by terminal columns.
 */
#ifndef FEEDD_TERMTEXT_H
#define FEEDD_TERMTEXT_H

#include <stddef.h>
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

#endif
