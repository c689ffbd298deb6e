/*
 * atom_out: the aggregated Atom 1.0 writer (RFC 4287).  It serializes
 * entries prepared by feeds/entry.h and decides nothing about them.
 */
#ifndef FEEDD_ATOM_OUT_H
#define FEEDD_ATOM_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "feeds/entry.h"
#include "util/buf.h"

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
	    const struct entry *e, size_t n);
/*
 * atom_write in three steps: the head (updated: the newest entry's, or
 * meta->updated when there is none), each entry in order (appended to
 * b, which the caller writes out: one write per entry, b reused), the
 * tail.  The caller checks fp at the end (fs_flush).
 */
void	 atom_write_head(FILE *fp, const struct atom_meta *meta,
	    int64_t updated);
void	 atom_put_entry(struct buf *b, const struct entry *e);
void	 atom_write_tail(FILE *fp);

#endif
