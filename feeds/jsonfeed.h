/*
 * jsonfeed: JSON Feed 1.0 and 1.1 documents (https://jsonfeed.org) into
 * the document model, through cJSON.
 */
#ifndef FEEDD_JSONFEED_H
#define FEEDD_JSONFEED_H

#include <stddef.h>

#include "feeds/feed.h"

/*
 * Parses a whole JSON document.  Returns the doc (caller frees), or
 * NULL with *errstr (caller frees) when it is not JSON or not a JSON
 * Feed ("not a feed: JSON without a jsonfeed.org version").
 */
struct feed_doc *jsonfeed_parse(const char *data, size_t len,
	    const char *base_url, unsigned flags, char **errstr);

#endif
