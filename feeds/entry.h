/*
 * entry: the entries every aggregated output lists, prepared once from
 * story rows (see entry.c) and serialized by atom_out and jsonfeed_out.
 * An entry holds clean text only and does not point into the rows.
 */
#ifndef FEEDD_ENTRY_H
#define FEEDD_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#include "feeds/feed.h"
#include "storage/store.h"

#define ENTRY_TITLE_MAX		4000		/* bytes; about 1,000 chars */
#define ENTRY_CONTENT_MAX	(512 * 1024)	/* bytes of HTML per entry */
#define ENTRY_SUMMARY_TEXT_MAX	2000		/* bytes of summary_text */
/* Bump with any change to how entry.c makes HTML (entry_html_key). */
#define ENTRY_HTML_REV		1

/* Another source of the entry's story: its page and its feed's name. */
struct entry_related {
	char	*href;		/* http(s) IRI */
	char	*title;		/* the feed's title, never empty */
};

/* One entry as every writer prints it; every string is clean text. */
struct entry {
	char	*id;		/* absolute IRI, unique in the feed */
	char	*link;		/* http(s) IRI as the source gave it, or NULL */
	int	 link_shared;	/* a newer entry has the same link */
	char	*title;		/* never empty */
	char	*author;	/* name (the item's, else the feed's), or NULL */
	char	*author_email;	/* or NULL; only with author */
	char	*lang;		/* the source's language tag, or NULL */
	char	*summary;	/* sanitized HTML, or NULL */
	char	*content;	/* sanitized HTML, or NULL */
	char	*summary_text;	/* summary as plain text (JSON Feed's
				   summary), capped; NULL when none */
	char	**categories;
	size_t	 ncategories;
	struct feed_enclosure *enclosures;	/* url: http(s) IRI; type:
					   type/subtype, or NULL */
	size_t	 nenclosures;
	struct entry_related *related;	/* the story's other sources */
	size_t	 nrelated;
	int64_t	 published;	/* FEED_TIME_NONE when unknown */
	int64_t	 updated;	/* always set, never after the story's newest
				   item was first seen (a source joining moves
				   it) */
	/* atom:source */
	char	*src_id;	/* the feed's own id if an IRI, else its URL */
	char	*src_title;	/* never empty */
	char	*src_link;	/* the feed's page, or NULL */
	char	*src_self;	/* the feed's http(s) URL, or NULL */
	int64_t	 src_updated;	/* always set */
};

/*
 * Prepares rows (newest first) for output: one entry per row, sorted by
 * atom:updated, newest first.  Returns the entries (caller frees with
 * entries_free) and their number in *n.
 */
struct entry *entries_prepare(const struct story_row *rows,
	    size_t nrows, size_t *n);
void	 entries_free(struct entry *e, size_t n);	/* NULL ok */

/*
 * One entry at a time, for outputs that stream (daemon/output.c): what
 * entries_prepare does for one row (now: the time of the whole pass),
 * without the checks across entries, which the caller makes (an id seen
 * before: entry_retag gives it one of its own; a link seen before:
 * link_shared).  The HTML is the row's kept copy (r->html) when that
 * was made from the same base by the same code; else it is made, and
 * made (when not NULL) receives a copy to keep (store_html_put; key 0:
 * nothing new to keep; free with story_html_cleanup).  -1 (e left
 * empty) when the row came from the cache (r->html.row_kept) without
 * the item's own HTML and what was kept does not fit: the caller reads
 * the item's HTML (store_story_raw) and asks again.  The kept HTML that
 * fits moves from r->html into e (no copy; r->html's strings NULL).
 */
int	 entry_prepare(struct entry *e, struct story_row *r,
	    int64_t now, struct story_html *made);
/*
 * What HTML made for an entry whose relative URLs resolve against base
 * is kept under (never 0): it changes with the sanitizer, the caps
 * and base.
 */
int64_t	 entry_html_key(const char *base);
void	 entry_retag(struct entry *e, int64_t story_id);
void	 entry_cleanup(struct entry *e);

/*
 * Clean text: valid UTF-8, without the characters XML 1.0 forbids or
 * discourages (C0 controls but tab, LF, CR; C1 controls; noncharacters
 * such as U+FFFE; surrogates; invalid bytes)
 * and at most max bytes (cut at a character boundary; 0: no cap).
 * fold: whitespace runs become one space and the ends are trimmed.
 * NULL in, NULL out.
 */
char	*entry_clean_text(const char *s, size_t max, int fold);
/* Whether s is an absolute IRI fit for an atom:id (iri_id_ok). */
int	 entry_is_iri(const char *s);
/* tag:feedd,2026:PREFIX-HASH for key; caller frees. */
char	*entry_tag_uri(const char *prefix, const char *key);

#endif
