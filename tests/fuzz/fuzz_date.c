/*
 * fuzz_date: date_parse on arbitrary bytes.  Whatever parses must lie in
 * the accepted range and survive format-then-parse unchanged, in both
 * the RFC 3339 and the HTTP form.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feeds/date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, buf[64];
	int64_t t, t2;

	if (size > 4096)
		return 0;
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	if (date_parse(text, &t) == 0) {
		/* 1970-01-01 .. 2200-12-31 only. */
		if (t < 0 || t >= 7289654400LL)
			abort();
		if (date_parse(date_format_rfc3339(t, buf, sizeof(buf)),
		    &t2) != 0 || t2 != t)
			abort();
		if (date_parse(date_format_http(t, buf, sizeof(buf)),
		    &t2) != 0 || t2 != t)
			abort();
	}
	free(text);
	return 0;
}
