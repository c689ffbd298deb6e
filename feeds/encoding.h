/*
 * encoding: the streaming layer between raw feed bytes and the XML
 * parser.  Picks the document's charset (BOM, HTTP charset, XML
 * declaration), converts chunk by chunk to UTF-8, repairs what browsers
 * repair (invalid UTF-8 bytes read as windows-1252), drops C0 controls
 * XML forbids and junk before the first '<'.  Its output is always
 * valid UTF-8, so libxml2 runs with XML_PARSE_IGNORE_ENC.
 */
#ifndef FEEDD_ENCODING_H
#define FEEDD_ENCODING_H

#include <stddef.h>

#include "util/buf.h"

struct enc_decoder;
struct feed_doc;

/* http_charset: from Content-Type or --charset; NULL when none. */
struct enc_decoder *enc_decoder_new(const char *http_charset);
void	 enc_decoder_free(struct enc_decoder *d);		/* NULL ok */

/*
 * Decodes one chunk, appending UTF-8 to out (which the caller resets).
 * final: no more input follows (flushes held bytes).  The first bytes
 * are held back until the charset can be decided.
 */
void	 enc_decoder_push(struct enc_decoder *d, const char *in, size_t len,
	    int final, struct buf *out);

/*
 * The same, without the copy when it can be spared: *data and *dlen are
 * the UTF-8 to hand on, either in (when that part of the chunk is
 * already valid UTF-8 with nothing to drop) or what was appended to out.
 * Valid until the next call or until in or out change.
 */
void	 enc_decoder_view(struct enc_decoder *d, const char *in, size_t len,
	    int final, struct buf *out, const char **data, size_t *dlen);

/* Newlines dropped with the junk before the first '<' (for line numbers). */
int	 enc_decoder_lines_skipped(const struct enc_decoder *d);
/*
 * Adds to doc's errors what the decoder had to mend: its warning
 * (unknown charset, ...) and the bytes not valid in the charset that
 * it replaced.
 */
void	 enc_decoder_note(const struct enc_decoder *d, struct feed_doc *doc);

/* Appends code point cp as UTF-8 (1-4 bytes). */

#endif
