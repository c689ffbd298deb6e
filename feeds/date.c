/*
 * date: placeholder until the real date parser lands.
 */
#include <stdio.h>

#include "feeds/date.h"

int
date_parse(const char *text, int64_t *out)
{
	(void)text;
	(void)out;
	return -1;	/* not built yet */
}

char *
date_format_rfc3339(int64_t t, char *buf, size_t len)
{
	(void)t;
	snprintf(buf, len, "1970-01-01T00:00:00Z");
	return buf;
}

char *
date_format_http(int64_t t, char *buf, size_t len)
{
	(void)t;
	snprintf(buf, len, "Thu, 01 Jan 1970 00:00:00 GMT");
	return buf;
}
