/*
 * build: element events of an RSS 0.9x/1.0/2.0 or Atom 0.3/1.0 document
 * into a struct feed_doc.  Owns format detection by root element, the
 * table from (namespace, element) to document field, and the priority
 * among elements giving the same field.  Driven by feeds/xml.c.
 */
#ifndef FEEDD_BUILD_H
#define FEEDD_BUILD_H

#include "util/buf.h"
#include "feeds/feed.h"
#include "feeds/xml.h"

#define BUILD_MAX_ITEMS	FEED_MAX_ITEMS

struct builder;

/* Fills doc (owned by the caller). */
struct builder *builder_new(struct feed_doc *doc);
void	 builder_free(struct builder *b);		/* NULL ok */
/* FEED_PARSE_* (feeds/feed.h), before the first element. */
void	 builder_set_flags(struct builder *b, unsigned flags);

/*
 * An element opens.  Returns XML_CAPTURE_* flags for its content, or -1
 * when the root element shows the document is not a feed.
 */
int	 builder_start(struct builder *b, const struct xml_elem *e);
/* An element closes; text is its captured content (or NULL). */
void	 builder_end(struct builder *b, const struct xml_elem *e,
	    struct buf *text);
/*
 * The document ended (maybe truncated: open items are closed).  0, or
 * -1 with *errstr ("not a feed: ...") when no feed root was seen.
 */
int	 builder_finish(struct builder *b, char **errstr);
/* Why builder_start refused the root ("not a feed: root element <x>");
 * set whenever it did. */
const char *builder_refusal(const struct builder *b);

#endif
