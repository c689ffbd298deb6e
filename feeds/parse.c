/*
 * parse: placeholder until the streaming parser lands.
 */
#include <stdlib.h>

#include "daemon/xmalloc.h"
#include "feeds/parse.h"

struct feed_parser {
	int	 unused;
};

struct feed_parser *
feed_parser_new(const char *base_url, const char *charset)
{
	(void)base_url;
	(void)charset;
	return xcalloc(1, sizeof(struct feed_parser));
}

void
feed_parser_free(struct feed_parser *p)
{
	free(p);
}

int
feed_parser_push(struct feed_parser *p, const char *data, size_t len,
    char **errstr)
{
	(void)p;
	(void)data;
	(void)len;
	*errstr = xstrdup("parser not built yet");
	return -1;
}

struct feed_doc *
feed_parser_finish(struct feed_parser *p, char **errstr)
{
	(void)p;
	*errstr = xstrdup("parser not built yet");
	return NULL;
}

struct feed_doc *
feed_parse_buffer(const char *data, size_t len, const char *base_url,
    const char *charset, char **errstr)
{
	struct feed_parser *p = feed_parser_new(base_url, charset);
	struct feed_doc *doc = NULL;

	if (feed_parser_push(p, data, len, errstr) == 0)
		doc = feed_parser_finish(p, errstr);
	feed_parser_free(p);
	return doc;
}
