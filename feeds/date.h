/*
 * date: the dates feeds carry, to and from Unix seconds UTC.
 */
#ifndef FEEDD_DATE_H
#define FEEDD_DATE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parses RFC 822/1123 and real-world variants (zone names, missing
 * seconds, two-digit years, localised day and month names), RFC 3339 /
 * ISO 8601 with or without zone (none means UTC), and the other forms
 * seen in real feeds.  0 and *out set on success, -1 when unparseable
 * (never "now", never a garbage year).
 */
int	 date_parse(const char *text, int64_t *out);

/* Writes "2026-11-27T03:14:26Z"; buf needs DATE_RFC3339_LEN bytes. */
#define DATE_RFC3339_LEN 32
char	*date_format_rfc3339(int64_t t, char *buf, size_t len);
/* HTTP date "Fri, 27 Nov 2026 03:14:26 GMT" (If-Modified-Since etc.). */
char	*date_format_http(int64_t t, char *buf, size_t len);

#endif
