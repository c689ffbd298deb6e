/*
 * itemkey: how an item is recognised within its feed (storage/ only).
 * Keys are "g:ID" (the entry's id), "l:URL" (canonical link, else the
 * link as given) or "h:HEX" (hash of title and date, plus summary when
 * there is no date); a feed's id_mode says which it trusts.
 */
#ifndef FEEDD_ITEMKEY_H
#define FEEDD_ITEMKEY_H

#include <stddef.h>
#include <stdint.h>

#include "feeds/feed.h"

enum id_mode {
	ID_MODE_ENTRY_ID = 0,	/* ids are sane */
	ID_MODE_LINK = 1,	/* ids repeat or change every fetch */
	ID_MODE_HASH = 2,	/* links repeat too */
};

struct item_keys {
	const struct feed_item *it;
	char	*idkey;		/* NULL when the item has no id */
	char	*canon;		/* url_canonical(link), or NULL */
	char	*linkkey;	/* NULL when the item has no link */
	char	*hashkey;
	char	 hash[17];	/* of the content: changed means update */
	const char *key;	/* the one chosen (points into the above) */
	int	 dup;		/* same key as an earlier item of the doc */
	int	 link_shared;	/* canon names no one story: use the item key */
};

/* Fills keys for every item of doc (array of doc->nitems). */
struct item_keys *itemkey_compute(const struct feed_doc *doc);
void	 itemkey_free(struct item_keys *k, size_t n);

/*
 * The mode the document itself demands, from mode: ids repeated on
 * different items (or all missing) move to LINK, links repeated on
 * different titles move to HASH.  Never moves down.
 */
int	 itemkey_doc_mode(const struct item_keys *k, size_t n, int mode);
/* Sets ->key by mode (falling back per item) and marks ->dup. */
void	 itemkey_choose(struct item_keys *k, size_t n, int mode);

/* The item's date for ordering and alerts: published, else updated. */
int64_t	 itemkey_date(const struct feed_item *it);

#endif
