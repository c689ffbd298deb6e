/*
 * test_units: durations and sizes as config files write them.
 */
#include <criterion/criterion.h>
#include <stdint.h>

#include "config/units.h"

struct ok {
	const char *text;
	int64_t	 want;
};

Test(units, durations)
{
	static const struct ok ok[] = {
		{ "0", 0 }, { "90", 90 }, { "30s", 30 }, { "10m", 600 },
		{ "2h", 7200 }, { "90d", 90 * 86400 }, { "1 d", 86400 },
		{ "48h", 172800 },
	};
	int64_t v;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		v = -1;
		cr_expect_eq(units_parse_duration(ok[i].text, &v), 0, "%s",
		    ok[i].text);
		cr_expect_eq(v, ok[i].want, "%s: %lld", ok[i].text,
		    (long long)v);
	}
}

Test(units, bad_durations)
{
	static const char *const bad[] = {
		"", "s", "-5m", "+5m", "1.5h", "10x", "10 mins", "10M", "5ms",
		"m10", "1w", "9223372036854775807d", "99999999999999999999",
	};
	int64_t v;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(units_parse_duration(bad[i], &v), -1, "%s",
		    bad[i]);
}

Test(units, sizes)
{
	static const struct ok ok[] = {
		{ "512", 512 }, { "512B", 512 }, { "64KB", 65536 },
		{ "10MB", 10485760 }, { "1GB", 1073741824 }, { "10mb", 10485760 },
		{ "2 KB", 2048 },
	};
	int64_t v;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		v = -1;
		cr_expect_eq(units_parse_size(ok[i].text, &v), 0, "%s",
		    ok[i].text);
		cr_expect_eq(v, ok[i].want, "%s: %lld", ok[i].text,
		    (long long)v);
	}
}

Test(units, bad_sizes)
{
	static const char *const bad[] = {
		"", "KB", "-1KB", "1.5MB", "10TB", "10 M", "10MiB", "1e3",
		"9223372036854775807GB",
	};
	int64_t v;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(units_parse_size(bad[i], &v), -1, "%s", bad[i]);
}
