/*
 * coding: a fetched body's HTTP content codings (Content-Encoding)
 * undone, on a parse worker.  libcurl would inflate on the loop thread,
 * the one that stores every item; the fetcher asks it for the body as
 * sent instead (daemon/fetch_xfer.c).  gzip and deflate, the codings
 * the fetcher asks for; the decoded body is bounded like the parser's
 * own gzip (max_size).
 */
#ifndef FEEDD_CODING_H
#define FEEDD_CODING_H

#include <stddef.h>

/* What the fetcher's Accept-Encoding offers: what coding_undo undoes. */
#define CODING_ACCEPT	"gzip, deflate"

/*
 * Undoes coding (a Content-Encoding value, codings applied in the order
 * listed; NULL, "" or "identity": none) on the len bytes of body: 0 with
 * the decoded body in *out (NUL-terminated, *outlen bytes), or *out NULL
 * when there was nothing to undo; -1 with *err: a coding it does not
 * know, a body that is not in its coding, or more than max bytes once
 * decoded (max 0: no bound).  A stream cut short keeps what it gave, as
 * a body cut short does.
 */
int	 coding_undo(const char *coding, const char *body, size_t len,
	    unsigned long long max, char **out, size_t *outlen, char **err);
/* Whether coding_undo knows every coding the len bytes of a
 * Content-Encoding value list (however many). */
int	 coding_undoes(const char *value, size_t len);

#endif
