/*
 * feed: constructors and destructors for the document model.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "feeds/feed.h"

/* A hostile document could report errors without end. */
#define FEED_MAX_ERRORS 100

struct feed_doc *
feed_doc_new(void)
{
	struct feed_doc *doc = xcalloc(1, sizeof(*doc));

	doc->updated = FEED_TIME_NONE;
	doc->ttl = -1;
	return doc;
}

void
feed_item_cleanup(struct feed_item *item)
{
	free(item->id);
	free(item->title);
	free(item->link);
	free(item->author);
	free(item->summary);
	free(item->content);
	free(item->content_base);
	strv_free(item->categories, item->ncategories);
	feed_enclosures_free(item->enclosures, item->nenclosures);
	memset(item, 0, sizeof(*item));
}

void
feed_enclosures_free(struct feed_enclosure *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].url);
		free(e[i].type);
	}
	free(e);
}

void
feed_doc_free(struct feed_doc *doc)
{
	if (doc == NULL)
		return;
	free(doc->title);
	free(doc->link);
	free(doc->id);
	free(doc->description);
	free(doc->language);
	free(doc->author);
	for (size_t i = 0; i < doc->nitems; i++)
		feed_item_cleanup(&doc->items[i]);
	free(doc->items);
	strv_free(doc->errors, doc->nerrors);
	free(doc);
}

struct feed_item *
feed_doc_add_item(struct feed_doc *doc)
{
	struct feed_item *item;

	doc->items = xgrow(doc->items, doc->nitems, &doc->itemcap,
	    sizeof(*doc->items));
	item = &doc->items[doc->nitems++];
	memset(item, 0, sizeof(*item));
	item->published = FEED_TIME_NONE;
	item->updated = FEED_TIME_NONE;
	return item;
}

void
feed_doc_add_error(struct feed_doc *doc, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (doc->nerrors >= FEED_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	doc->errors = xreallocarray(doc->errors, doc->nerrors + 1,
	    sizeof(*doc->errors));
	doc->errors[doc->nerrors++] = msg;
}

void
feed_item_add_category(struct feed_item *item, const char *cat)
{
	if (item->ncategories >= FEED_MAX_CATEGORIES)
		return;		/* the rest are dropped, like items */
	item->categories = xreallocarray(item->categories,
	    item->ncategories + 1, sizeof(*item->categories));
	item->categories[item->ncategories++] = xstrdup(cat);
}

void
feed_item_add_enclosure(struct feed_item *item, char *url, char *type,
    int64_t length)
{
	struct feed_enclosure *e;

	if (url == NULL || item->nenclosures >= FEED_MAX_ENCLOSURES) {
		free(url);	/* the rest are dropped, like categories */
		free(type);
		return;
	}
	item->enclosures = xreallocarray(item->enclosures,
	    item->nenclosures + 1, sizeof(*item->enclosures));
	e = &item->enclosures[item->nenclosures++];
	e->url = url;
	e->type = type;
	e->length = length;
}

const char *
feed_format_name(enum feed_format format)
{
	static const char *names[] = {
		[FEED_FORMAT_UNKNOWN] = "unknown",
		[FEED_FORMAT_RSS090] = "rss090",
		[FEED_FORMAT_RSS091] = "rss091",
		[FEED_FORMAT_RSS092] = "rss092",
		[FEED_FORMAT_RSS10] = "rss10",
		[FEED_FORMAT_RSS20] = "rss20",
		[FEED_FORMAT_ATOM03] = "atom03",
		[FEED_FORMAT_ATOM10] = "atom10",
		[FEED_FORMAT_JSON10] = "json10",
		[FEED_FORMAT_JSON11] = "json11",
	};

	if ((size_t)format >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[format];
}
