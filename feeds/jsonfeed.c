/*
 * jsonfeed: placeholder until the cJSON based reader lands.
 */
#include <stdlib.h>

#include "daemon/xmalloc.h"
#include "feeds/jsonfeed.h"

struct feed_doc *
jsonfeed_parse(const char *data, size_t len, const char *base_url,
    char **errstr)
{
	(void)data;
	(void)len;
	(void)base_url;
	if (errstr != NULL)
		*errstr = xstrdup("JSON Feed reader not built yet");
	return NULL;
}
