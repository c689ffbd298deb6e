/*
 * feed: the document model every stage reads.  A parser fills a
 * struct feed_doc; normalize, store, alert and render read it.  Plain,
 * documented data: every string is owned by the struct that holds it,
 * UTF-8, NUL-terminated, and NULL when absent.  feed_doc_free frees it all.
 */
#ifndef FEEDD_FEED_H
#define FEEDD_FEED_H

#include <stddef.h>
#include <stdint.h>

/* A date that the document did not give (or that did not parse). */
#define FEED_TIME_NONE INT64_MIN

enum feed_format {
	FEED_FORMAT_UNKNOWN,
	FEED_FORMAT_RSS090,
	FEED_FORMAT_RSS091,
	FEED_FORMAT_RSS092,
	FEED_FORMAT_RSS10,
	FEED_FORMAT_RSS20,
	FEED_FORMAT_ATOM03,
	FEED_FORMAT_ATOM10,
	FEED_FORMAT_JSON10,
	FEED_FORMAT_JSON11,
};

struct feed_enclosure {
	char	*url;
	char	*type;
	int64_t	 length;		/* bytes; -1 when not given */
};

/* Bytes of one text field, whatever the format (feeds/xml.c cuts what it
 * captures, jsonfeed.c every string). */
#define FEED_MAX_TEXT	(1024 * 1024)
/* Items kept from one document, whatever its format (feeds/build.c, jsonfeed.c). */
#define FEED_MAX_ITEMS	100000
/* Categories kept per item: 476,000 <category/> in one item took 12 s. */
#define FEED_MAX_CATEGORIES	256
/* Enclosures kept per item: 50,000 <media:content> in one took 2.7 s
 * (each compared with those before it), a 10 MB feed's worth ~45 s. */
#define FEED_MAX_ENCLOSURES	256
/* An item's or feed's authors, joined ("Ann, Bob"): bytes at most. */
#define FEED_AUTHORS_MAX_LEN	500
/* JSON Feed authors read from one list: the feed's list named each
 * url-only author of each item, and 3 MB of them took 50 s. */
#define FEED_MAX_AUTHORS	64

struct feed_item {
	char	*id;			/* guid / atom:id / JSON id, as given */
	char	*title;			/* plain text */
	char	*link;			/* absolute where it could be resolved */
	char	*author;
	char	*summary;		/* HTML kept as a string */
	char	*content;		/* HTML kept as a string */
	/*
	 * What content's relative references resolve against, when the
	 * parser was told to leave them (FEED_PARSE_KEEP_REFS) and it has
	 * some; else NULL, and every reference in content is absolute.
	 */
	char	*content_base;
	int64_t	 published;		/* Unix seconds UTC, or FEED_TIME_NONE */
	int64_t	 updated;		/* Unix seconds UTC, or FEED_TIME_NONE */
	char	**categories;
	size_t	 ncategories;
	struct feed_enclosure *enclosures;
	size_t	 nenclosures;
};

struct feed_doc {
	enum feed_format format;
	char	*title;
	char	*link;
	char	*id;
	char	*description;
	char	*language;
	char	*author;		/* the feed's own, for items without one */
	int64_t	 updated;		/* or FEED_TIME_NONE */
	int	 ttl;			/* RSS <ttl> in minutes; -1 when absent */
	struct feed_item *items;
	size_t	 nitems;
	size_t	 itemcap;
	char	**errors;		/* recoverable problems, "line N: ..." */
	size_t	 nerrors;
};

/*
 * A parser flag: content's relative URLs are left as written, with
 * content_base set (the daemon, whose outputs resolve them as they
 * sanitize); without it they are resolved (`feedd parse`).
 */
#define FEED_PARSE_KEEP_REFS	0x1

struct feed_doc *feed_doc_new(void);
void	 feed_doc_free(struct feed_doc *doc);		/* NULL is a no-op */
/* Appends a zeroed item (dates FEED_TIME_NONE) and returns it. */
struct feed_item *feed_doc_add_item(struct feed_doc *doc);
void	 feed_doc_add_error(struct feed_doc *doc, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 feed_item_add_category(struct feed_item *item, const char *cat);
/* Consumes url and type (both may be NULL: no enclosure is added). */
void	 feed_item_add_enclosure(struct feed_item *item, char *url,
	    char *type, int64_t length);
void	 feed_item_cleanup(struct feed_item *item);
/* Frees the n enclosures of e and e. */
void	 feed_enclosures_free(struct feed_enclosure *e, size_t n);

/* "rss20", "atom10", ... ; "unknown" for FEED_FORMAT_UNKNOWN. */
const char *feed_format_name(enum feed_format format);

#endif
