/*
 * json_out: JSON text out.  The escaper used by every JSON writer, and
 * the `feedd parse` document format of INTERFACE.md.
 */
#ifndef FEEDD_JSON_OUT_H
#define FEEDD_JSON_OUT_H

#include <stdio.h>

#include "util/buf.h"
#include "feeds/feed.h"

/*
 * Appends s as a JSON string literal, quotes included ("null" for NULL).
 * Escapes quote, backslash, U+0000-U+001F, DEL and the C1 controls,
 * U+2028/9; invalid UTF-8
 * becomes U+FFFD.  Returns buf_append's result.
 */
int	 json_put_string(struct buf *b, const char *s);

/*
 * Writes doc as the `feedd parse` object.  pretty: indented over lines;
 * otherwise one compact line.  Ends with a newline.  0, or -1 on a
 * write error.
 */
int	 json_write_doc(FILE *out, const struct feed_doc *doc, int pretty);
/* Appends the same object to b, which must have no cap (a caller that
 * prints many documents keeps one b and spares the regrowth). */
void	 json_put_doc(struct buf *b, const struct feed_doc *doc, int pretty);

#endif
