/*
 * xmlfix: mends, in the UTF-8 stream before libxml2 sees it, the two
 * reference errors real feeds make, the way browsers and feed readers
 * read them.  A '&' that starts no reference ("?a=1&b=2", "Fish & Chips",
 * "&copy=2") is a literal ampersand: it becomes "&amp;" (libxml2 would
 * drop it, and the name after it in an attribute).  "&#X41;" (upper-case
 * X, which XML 1.0 does not allow) becomes "&#x41;".  A '<' that
 * starts no markup ("price < 5", "<3") becomes "&lt;": libxml2's push
 * parser stopped at it, and every item after was lost.  CDATA sections
 * and comments are left alone.  A chunk that
 * needs no mending is handed on as it came, without a copy.
 */
#ifndef FEEDD_XMLFIX_H
#define FEEDD_XMLFIX_H

#include <stddef.h>

#include "util/buf.h"

#define XMLFIX_HOLD	80	/* bytes held back for lookahead, at most */

struct xmlfix {
	int	 state;			/* text or CDATA */
	int	 tmatch;		/* "]]>" begun: bytes seen */
	char	 tail[8];		/* the last bytes handed on */
	struct buf out;			/* mended bytes, when any */
	struct buf join;		/* held bytes + the next chunk */
	char	 pend[XMLFIX_HOLD];
	size_t	 npend;
	size_t	 mended;		/* references mended so far */
	size_t	 mended_lt;		/* '<' starting no markup, so far */
};

void	 xmlfix_init(struct xmlfix *f);
void	 xmlfix_cleanup(struct xmlfix *f);
/*
 * Mends in[0..n).  *data, *dlen: what to parse now (in itself or a
 * buffer of f, valid until the next call).  Up to XMLFIX_HOLD bytes of
 * an unfinished construct at the end are held for the next call unless
 * final.
 */
void	 xmlfix_run(struct xmlfix *f, const char *in, size_t n, int final,
	    const char **data, size_t *dlen);

/*
 * A copy of a whole document (s, n bytes) whose tags balance, for a
 * second parse of one in which an end tag closed an element of another
 * name: RSS text with raw HTML in it.  Each of HTML's void elements
 * left open (<br>, <hr>, <img ...>, <wbr>: no "/>" and no end tag after
 * it) is closed, "<br/>"; an end tag ends the nearest open element of
 * its name (in another case when none has it exactly), after end tags
 * for the elements opened since ("<b>" left open in a title); one that
 * ends nothing open is dropped; what is open at the end is closed.
 * NULL when nothing needed mending, or the elements nest deeper than
 * libxml2 reads.  *count: the tags added, rewritten or dropped.  CDATA
 * sections, comments and the document type declaration are left alone.
 */
char	*xmlfix_balance(const char *s, size_t n, size_t *outlen,
	    size_t *count);

#endif
