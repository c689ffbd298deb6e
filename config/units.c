/*
 * units: durations ("90", "30s", "10m", "2h", "90d") and sizes ("512",
 * "64KB", "10MB", "1GB") as the config writes them.  Only whole numbers;
 * a bare number is seconds or bytes.  KB is 1024 bytes.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "config/units.h"

struct unit {
	const char *suffix;
	int64_t	 factor;
};

static const struct unit durations[] = {
	{ "", 1 }, { "s", 1 }, { "m", 60 }, { "h", 3600 }, { "d", 86400 },
	{ NULL, 0 },
};

static const struct unit sizes[] = {
	{ "", 1 }, { "B", 1 }, { "KB", 1024 }, { "MB", 1024 * 1024 },
	{ "GB", 1024 * 1024 * 1024 }, { NULL, 0 },
};

/*
 * Digits, optional blanks, then one of the table's suffixes (compared
 * case-insensitively when fold is set).  -1 on anything else or overflow.
 */
static int
units_parse(const char *text, const struct unit *units, int fold,
    int64_t *out)
{
	const char *p = text;
	int64_t n = 0;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (n > (INT64_MAX - (*p - '0')) / 10)
			return -1;
		n = n * 10 + (*p - '0');
	}
	while (*p == ' ' || *p == '\t')
		p++;
	for (const struct unit *u = units; u->suffix != NULL; u++) {
		if ((fold ? strcasecmp(p, u->suffix) : strcmp(p, u->suffix)) != 0)
			continue;
		if (n > INT64_MAX / u->factor)
			return -1;
		*out = n * u->factor;
		return 0;
	}
	return -1;
}

int
units_parse_duration(const char *text, int64_t *seconds)
{
	return units_parse(text, durations, 0, seconds);
}

int
units_parse_size(const char *text, int64_t *bytes)
{
	return units_parse(text, sizes, 1, bytes);
}
