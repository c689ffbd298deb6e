/*
 * xmalloc: allocation wrappers that end the program on exhaustion.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

static void
oom(void)
{
	fputs("feedd: out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		oom();
	return xrealloc(ptr, nmemb * size);
}

void *
xgrow(void *ptr, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return ptr;
	*cap = *cap ? *cap * 2 : 16;
	return xreallocarray(ptr, *cap, size);
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		oom();
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (p == NULL)
		oom();
	return p;
}

char *
xstrdup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void
strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

char *
strv_join(char *const *v, size_t n, const char *sep)
{
	size_t len = 1, seplen = strlen(sep), off = 0;
	char *out;

	for (size_t i = 0; i < n; i++)
		len += strlen(v[i]) + seplen;
	out = xmalloc(len);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(v[i]);

		if (i > 0) {
			memcpy(out + off, sep, seplen);
			off += seplen;
		}
		memcpy(out + off, v[i], l);
		off += l;
	}
	out[off] = '\0';
	return out;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char *p;

	if (vasprintf(&p, fmt, ap) < 0)
		oom();
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}
