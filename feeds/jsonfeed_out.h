/*
 * jsonfeed_out: the aggregated JSON Feed 1.1 writer, over the same
 * prepared entries as the Atom writer (feeds/entry.h), so both
 * outputs list the same stories with the same ids.
 */
#ifndef FEEDD_JSONFEED_OUT_H
#define FEEDD_JSONFEED_OUT_H

#include <stddef.h>
#include <stdio.h>

#include "feeds/entry.h"
#include "util/buf.h"

struct jsonfeed_meta {
	const char *title;
	const char *feed_url;		/* URL of this document, or NULL */
	const char *home_page_url;	/* or NULL */
};

/*
 * Writes the JSON Feed document (https://jsonfeed.org/version/1.1),
 * items in the given order.  0, or -1 when the stream reports an error.
 */
int	 jsonfeed_write(FILE *fp, const struct jsonfeed_meta *meta,
	    const struct entry *e, size_t n);
/*
 * The same in three steps: head, item i (from 0, in order; appended to
 * b, which the caller writes out), tail.  The caller checks fp at the
 * end (fs_flush).
 */
void	 jsonfeed_write_head(FILE *fp, const struct jsonfeed_meta *meta);
void	 jsonfeed_put_item(struct buf *b, const struct entry *e, size_t i);
void	 jsonfeed_write_tail(FILE *fp, size_t n);

#endif
