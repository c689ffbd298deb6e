/*
 * parse: turns the bytes of one feed document into a struct feed_doc.
 * The parser is a push parser: a caller may hand it chunks as they
 * arrive (`feedd parse` reads a file so).  The daemon's pipeline hands it
 * the whole body once fetched (bounded by max_size), on a worker thread.
 * JSON Feed is buffered and parsed at finish.
 * Sniffs the format from the content (XML root element or JSON), never
 * from a file name or Content-Type.  No network, no DTDs, no external
 * entities; nesting depth and field sizes are bounded.
 */
#ifndef FEEDD_PARSE_H
#define FEEDD_PARSE_H

#include <stddef.h>

#include "feeds/feed.h"

struct feed_parser;

/*
 * base_url: the document's own URL (resolves relative links; may be NULL).
 * charset: from HTTP Content-Type or --charset (may be NULL).
 */
struct feed_parser *feed_parser_new(const char *base_url, const char *charset);
void	 feed_parser_free(struct feed_parser *p);		/* NULL ok */

/*
 * Bounds the bytes the document may cost once inflated (gzip inside the
 * body) and decoded to UTF-8 (0: keep the default, 64 MB).  Past it the
 * parse fails: "document over max_size (10 MB) once inflated".  The
 * daemon passes max_size, so no stage holds more than max_size of text.
 */
void	 feed_parser_set_max(struct feed_parser *p, unsigned long long max);
/* "N bytes", "N kB" or "N MB", for the errors that name the bound. */
char	*feed_size_words(unsigned long long n);
/* FEED_PARSE_* (feeds/feed.h), before the first push. */
void	 feed_parser_set_flags(struct feed_parser *p, unsigned flags);

/*
 * Feeds one chunk.  0 to go on; -1 when the document can no longer
 * become a feed (errstr set, caller frees).  Recoverable damage is
 * recorded in the document's errors and returns 0.
 */
int	 feed_parser_push(struct feed_parser *p, const char *data, size_t len,
	    char **errstr);
/*
 * The whole document in one push, data left in place until the finish:
 * a second reading (a damaged document) reads it there instead of from
 * a copy the parser keeps of what it is pushed.
 */
int	 feed_parser_push_whole(struct feed_parser *p, const char *data,
	    size_t len, char **errstr);

/*
 * Ends the document.  Returns the document (caller owns it; free with
 * feed_doc_free), or NULL with *errstr set when the input was not a feed
 * ("not a feed: root element <html>", "not a feed: empty document", ...).
 * A document that is a feed but damaged comes back with what was parsed
 * before the damage and the damage listed in doc->errors.
 */
struct feed_doc *feed_parser_finish(struct feed_parser *p, char **errstr);

/* One-shot convenience over the three calls above. */
struct feed_doc *feed_parse_buffer(const char *data, size_t len,
	    const char *base_url, const char *charset, char **errstr);

#endif
