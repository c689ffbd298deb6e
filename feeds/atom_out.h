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

/* One entry as every writer prints it; every string is clean text. */
struct atom_entry {
	char	*id;		/* absolute IRI, unique in the feed */
	char	*link;		/* absolute IRI, unique in the feed, or NULL */
	char	*title;		/* never empty */
	char	*author;	/* or NULL */
	char	*summary;	/* sanitized HTML, or NULL */
	char	*content;	/* sanitized HTML, or NULL */
	char	**categories;
	size_t	 ncategories;
	int64_t	 published;	/* FEED_TIME_NONE when unknown */
	int64_t	 updated;	/* always set */
	/* atom:source */
	char	*src_id;	/* absolute IRI or NULL */
	char	*src_title;	/* never empty */
	char	*src_link;	/* absolute IRI or NULL */
	int64_t	 src_updated;	/* FEED_TIME_NONE when unknown */
};

/*
 * Prepares rows (newest first) for output.  Rows whose link repeats an
 * earlier row's are left out.  Returns the entries (caller frees with
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
 * Clean text: valid UTF-8, without the characters XML 1.0 forbids (C0
 * controls but tab, LF, CR; U+FFFE, U+FFFF; surrogates; invalid bytes)
 * and at most max bytes (cut at a character boundary; 0: no cap).
 * fold: whitespace runs become one space and the ends are trimmed.
 * NULL in, NULL out.
 */
char	*atom_clean_text(const char *s, size_t max, int fold);
/* Whether s is an absolute IRI as Atom readers accept it. */
int	 atom_is_iri(const char *s);
/* tag:feedd,2026:PREFIX-HASH for key; caller frees. */
char	*atom_tag_uri(const char *prefix, const char *key);

#endif
