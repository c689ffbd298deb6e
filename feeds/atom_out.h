/*
 * atom_out: the aggregated Atom 1.0 writer (RFC 4287), and the entry
 * preparation it shares with the JSON Feed writer: story rows become
 * clean entries (valid UTF-8 without characters XML forbids, capped,
 * sanitized HTML, absolute ids and links, no duplicate id or link).
 * Writers stream to a FILE through small escapers and build no tree.
 */
#ifndef FEEDD_ATOM_OUT_H
#define FEEDD_ATOM_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "storage/store.h"

#define ATOM_TITLE_MAX		4000		/* bytes; about 1,000 chars */
#define ATOM_CONTENT_MAX	(512 * 1024)	/* bytes of HTML per entry */

struct atom_enclosure {
	char	*url;		/* http(s) IRI */
	char	*type;		/* type/subtype, or NULL */
	int64_t	 length;	/* bytes; -1 when not given */
};

/* One entry as every writer prints it; every string is clean text. */
struct atom_entry {
	char	*id;		/* absolute IRI, unique in the feed */
	char	*link;		/* http(s) IRI as the source gave it, or NULL */
	int	 link_shared;	/* a newer entry has the same link */
	char	*title;		/* never empty */
	char	*author;	/* name (the item's, else the feed's), or NULL */
	char	*author_email;	/* or NULL; only with author */
	char	*lang;		/* the source's language tag, or NULL */
	char	*summary;	/* sanitized HTML, or NULL */
	char	*content;	/* sanitized HTML, or NULL */
	char	**categories;
	size_t	 ncategories;
	struct atom_enclosure *enclosures;
	size_t	 nenclosures;
	int64_t	 published;	/* FEED_TIME_NONE when unknown */
	int64_t	 updated;	/* always set, never after first seen */
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
 * atom_entries_free) and their number in *n.
 */
struct atom_entry *atom_entries_prepare(const struct story_row *rows,
	    size_t nrows, size_t *n);
void	 atom_entries_free(struct atom_entry *e, size_t n);	/* NULL ok */

/* What the feed says about itself. */
struct atom_meta {
	const char *id;		/* absolute IRI */
	const char *title;
	const char *self;	/* URL of this document */
	const char *alternate;	/* a page for humans, or NULL */
	int64_t	 updated;	/* used when there are no entries */
};

/*
 * Writes the Atom document.  feed updated = the newest entry's updated,
 * so the same entries always give the same bytes.  0, or -1 when the
 * stream reports an error.
 */
int	 atom_write(FILE *fp, const struct atom_meta *meta,
	    const struct atom_entry *e, size_t n);

/*
 * Clean text: valid UTF-8, without the characters XML 1.0 forbids or
 * discourages (C0 controls but tab, LF, CR; C1 controls; noncharacters
 * such as U+FFFE; surrogates; invalid bytes)
 * and at most max bytes (cut at a character boundary; 0: no cap).
 * fold: whitespace runs become one space and the ends are trimmed.
 * NULL in, NULL out.
 */
char	*atom_clean_text(const char *s, size_t max, int fold);
/* Whether s is an absolute IRI fit for an atom:id (iri_id_ok). */
int	 atom_is_iri(const char *s);
/* tag:feedd,2026:PREFIX-HASH for key; caller frees. */
char	*atom_tag_uri(const char *prefix, const char *key);

#endif
