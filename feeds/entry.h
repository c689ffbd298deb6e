/*
 * entry: the entries every aggregated output lists, prepared once from
 * story rows (see entry.c) and serialized by atom_out and jsonfeed_out.
 * An entry holds clean text only and does not point into the rows.
 */
#ifndef FEEDD_ENTRY_H
#define FEEDD_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#include "storage/store.h"

#define ENTRY_TITLE_MAX		4000		/* bytes; about 1,000 chars */
#define ENTRY_CONTENT_MAX	(512 * 1024)	/* bytes of HTML per entry */

/* One entry as every writer prints it; every string is clean text. */
struct entry {
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
 * entries_free) and their number in *n.
 */
struct entry *entries_prepare(const struct story_row *rows,
	    size_t nrows, size_t *n);
void	 entries_free(struct entry *e, size_t n);	/* NULL ok */

/*
 * Clean text: valid UTF-8, without the characters XML 1.0 forbids (C0
 * controls but tab, LF, CR; U+FFFE, U+FFFF; surrogates; invalid bytes)
 * and at most max bytes (cut at a character boundary; 0: no cap).
 * fold: whitespace runs become one space and the ends are trimmed.
 * NULL in, NULL out.
 */
char	*entry_clean_text(const char *s, size_t max, int fold);
/* Whether s is an absolute IRI as Atom readers accept it. */
int	 entry_is_iri(const char *s);
/* tag:feedd,2026:PREFIX-HASH for key; caller frees. */
char	*entry_tag_uri(const char *prefix, const char *key);

#endif
