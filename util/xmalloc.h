/*
 * xmalloc: allocators that never return NULL.  Running out of memory is
 * not a condition feedd recovers from, so call sites never check.
 */
#ifndef FEEDD_XMALLOC_H
#define FEEDD_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void	*xmalloc(size_t size);
void	*xcalloc(size_t nmemb, size_t size);
void	*xrealloc(void *ptr, size_t size);
void	*xreallocarray(void *ptr, size_t nmemb, size_t size);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);
/* xstrdup(s) or NULL when s is NULL. */
char	*xstrdup_or_null(const char *s);
/*
 * ptr, an array of n elements of size bytes with room for *cap, grown
 * (doubling, from 16) so that element n fits.
 */
void	*xgrow(void *ptr, size_t n, size_t *cap, size_t size);
/* Frees the n strings of v, then v. */
void	 strv_free(char **v, size_t n);
/* The n strings of v joined by sep, newly allocated ("" when n is 0). */
char	*strv_join(char *const *v, size_t n, const char *sep);
char	*xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char	*xvasprintf(const char *fmt, va_list ap)
	    __attribute__((format(printf, 1, 0)));

#endif
