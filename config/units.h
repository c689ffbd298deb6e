/*
 * units: durations ("90", "30s", "10m", "2h", "90d") and sizes ("512",
 * "64KB", "10MB") as the config writes them.
 */
#ifndef FEEDD_UNITS_H
#define FEEDD_UNITS_H

#include <stdint.h>

/* 0 and *seconds set, or -1 on a malformed or overflowing value. */
int	 units_parse_duration(const char *text, int64_t *seconds);
/* 0 and *bytes set, or -1. */
int	 units_parse_size(const char *text, int64_t *bytes);

#endif
