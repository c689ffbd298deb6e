/*
 * units: placeholder; durations and sizes are parsed here once built.
 */
#include "config/units.h"

int
units_parse_duration(const char *text, int64_t *seconds)
{
	(void)text;
	(void)seconds;
	return -1;
}

int
units_parse_size(const char *text, int64_t *bytes)
{
	(void)text;
	(void)bytes;
	return -1;
}
