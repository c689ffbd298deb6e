/*
 * test_main: the command line itself: version, help, exit statuses.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/helpers.h"

Test(main, version_prints_name_and_exits_0)
{
	struct th_result r;

	cr_assert_eq(th_feedd_run(&r, 10, "--version", NULL), 0);
	cr_assert_eq(r.status, 0);
	cr_assert(strncmp(r.out, "feedd ", 6) == 0, "got: %s", r.out);
	th_result_cleanup(&r);
}

Test(main, unknown_command_is_usage_error)
{
	struct th_result r;

	cr_assert_eq(th_feedd_run(&r, 10, "frobnicate", NULL), 0);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "feedd: ") == r.err, "got: %s", r.err);
	th_result_cleanup(&r);
}

Test(main, no_command_is_usage_error)
{
	struct th_result r;

	cr_assert_eq(th_feedd_run(&r, 10, NULL), 0);
	cr_assert_eq(r.status, 2);
	th_result_cleanup(&r);
}

Test(main, command_help_exits_0_with_usage)
{
	struct th_result r;

	cr_assert_eq(th_feedd_run(&r, 10, "parse", "--help", NULL), 0);
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, "usage: feedd") != NULL, "got: %s", r.out);
	cr_assert(strstr(r.out, "--base") != NULL);
	th_result_cleanup(&r);
}

Test(main, config_option_missing_value_is_usage_error)
{
	struct th_result r;

	cr_assert_eq(th_feedd_run(&r, 10, "check-config", "-c", NULL), 0);
	cr_assert_eq(r.status, 2);
	th_result_cleanup(&r);
}
