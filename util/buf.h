/*
 * buf: a growable byte buffer with an optional cap (curl dynbuf style).
 * Appending past the cap fails and leaves the buffer as it was, so a
 * caller can stop a transfer or a field cleanly.  The text is always
 * NUL-terminated.  Embedded: buf_init / buf_cleanup.  A buffer given a
 * drain (buf_set_drain) is a writer's instead: what it holds goes to
 * the drain whenever more would take it past its run, so its memory
 * stays near the run whatever one write is.
 */
#ifndef FEEDD_BUF_H
#define FEEDD_BUF_H

#include <stdarg.h>
#include <stddef.h>

/* Takes len bytes the buffer held or was given (buf_set_drain). */
typedef void buf_drain_fn(const char *data, size_t len, void *arg);

struct buf {
	char	*data;		/* NUL-terminated; NULL until first append */
	size_t	 len;
	size_t	 cap;		/* allocated */
	size_t	 max;		/* 0: no limit */
	buf_drain_fn *drain;	/* NULL: the buffer keeps everything */
	void	*drain_arg;
	size_t	 run;		/* bytes held before draining */
};

void	 buf_init(struct buf *b, size_t max);
void	 buf_cleanup(struct buf *b);
void	 buf_reset(struct buf *b);		/* len = 0, keeps memory */
/*
 * From now on an append or a reserve that would take len past run
 * first hands what b holds to fn (len = 0 after), and an append longer
 * than run goes to fn whole, never copied: b is a window that can be
 * written through, and data + len is only what came since the last
 * drain.  The cap (max) does not apply to a draining buffer.
 */
void	 buf_set_drain(struct buf *b, size_t run, buf_drain_fn *fn,
	    void *arg);
/* Hands what b holds to its drain now (the end of a write). */
void	 buf_drain(struct buf *b);
/*
 * Room for extra more bytes (and the NUL) at data + len, for a writer
 * that fills it in place and then sets len and the NUL itself: 0, or
 * -1 when the cap would be exceeded.
 */
int	 buf_reserve(struct buf *b, size_t extra);
/* The same, allocating exactly that room when it grows (a known size). */
int	 buf_reserve_exact(struct buf *b, size_t extra);
/* 0, or -1 when the cap would be exceeded (nothing appended). */
int	 buf_append(struct buf *b, const void *data, size_t len);
int	 buf_puts(struct buf *b, const char *s);
int	 buf_putc(struct buf *b, char c);
int	 buf_printf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Hands the text to the caller (never NULL) and resets the buffer. */
char	*buf_detach(struct buf *b);
const char *buf_str(const struct buf *b);	/* "" when empty */
/* Appends code point cp as UTF-8 (U+FFFD for 0, a surrogate or past
 * U+10FFFF). */
int	 buf_put_utf8(struct buf *b, unsigned int cp);
/*
 * Appends s with every byte c that esc[c] names replaced by esc[c] (an
 * escaping table: HTML, a metrics label); the runs between go in whole.
 */
int	 buf_put_escaped(struct buf *b, const char *s,
	    const char *const esc[256]);

#endif
