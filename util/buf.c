/*
 * buf: capped growable buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "util/buf.h"
#include "util/utf8.h"

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max;
	b->drain = NULL;
	b->drain_arg = NULL;
	b->run = 0;
}

void
buf_cleanup(struct buf *b)
{
	free(b->data);
	buf_init(b, b->max);	/* a drain's writer is gone too */
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

/* Room for extra more bytes: exactly, or doubling (appends). */
static int
grow(struct buf *b, size_t extra, int exact)
{
	size_t need, cap;

	if (b->drain != NULL && b->len > 0 && b->len + extra > b->run)
		buf_drain(b);
	need = b->len + extra + 1;
	if (need < b->len || (b->max && b->len + extra > b->max))
		return -1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need && !exact)
		cap *= 2;
	if (exact)
		cap = need;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
	return 0;
}

void
buf_set_drain(struct buf *b, size_t run, buf_drain_fn *fn, void *arg)
{
	b->drain = fn;
	b->drain_arg = arg;
	b->run = run;
	b->max = 0;
	/* the window's one allocation: no write needs more room */
	grow(b, run, 1);
}

void
buf_drain(struct buf *b)
{
	if (b->drain != NULL && b->len > 0)
		b->drain(b->data, b->len, b->drain_arg);
	buf_reset(b);
}

int
buf_reserve(struct buf *b, size_t extra)
{
	return grow(b, extra, 0);
}

int
buf_reserve_exact(struct buf *b, size_t extra)
{
	return grow(b, extra, 1);
}

int
buf_append(struct buf *b, const void *data, size_t len)
{
	if (b->drain != NULL && len > b->run) {
		buf_drain(b);
		b->drain(data, len, b->drain_arg);
		return 0;
	}
	if (grow(b, len, 0) == -1)
		return -1;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int
buf_putc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(b, (size_t)n, 0) == -1)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

char *
buf_detach(struct buf *b)
{
	char *s = b->data ? b->data : xstrdup("");

	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

const char *
buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}

int
buf_put_utf8(struct buf *b, unsigned int cp)
{
	char	 u[4];

	return buf_append(b, u, utf8_encode(cp, u));
}

int
buf_put_escaped(struct buf *b, const char *s, const char *const esc[256])
{
	const unsigned char *p = (const unsigned char *)s;

	for (;;) {
		const unsigned char *run = p;

		while (*p != '\0' && esc[*p] == NULL)
			p++;
		if (p > run && buf_append(b, run, (size_t)(p - run)) == -1)
			return -1;
		if (*p == '\0')
			return 0;
		if (buf_puts(b, esc[*p++]) == -1)
			return -1;
	}
}
