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
	cr_assert_str_eq(r.err, "feedd: no command given (see feedd --help)\n");
	th_result_cleanup(&r);
}

/*
 * Errors are one line each, prefixed "feedd: " (INTERFACE.md), usage
 * errors too: an extra operand printed a bare "usage:" line (interface
 * review 6).
 */
Test(main, usage_errors_are_lines_of_feedd)
{
	static const char *const bad[][4] = {
		{ "items", "extra", NULL },
		{ "items", "--nope", NULL },
		{ "parse", "--base", NULL },
		{ "status", "x", NULL },
	};
	struct th_result r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(th_feedd_run(&r, 10, bad[i][0], bad[i][1], NULL),
		    0);
		cr_expect_eq(r.status, 2, "%s %s", bad[i][0], bad[i][1]);
		cr_expect_gt(strlen(r.err), 0);
		for (const char *l = r.err; *l != '\0';
		    l = strchr(l, '\n') + 1) {
			cr_expect_eq(strncmp(l, "feedd: ", 7), 0, "%s %s: %s",
			    bad[i][0], bad[i][1], r.err);
			if (strchr(l, '\n') == NULL)
				break;
		}
		th_result_cleanup(&r);
	}
	cr_assert_eq(th_feedd_run(&r, 10, "parse", "--base", NULL), 0);
	cr_expect_str_eq(r.err, "feedd: parse: option '--base' needs a value\n"
	    "feedd: usage: feedd [-c FILE] parse [--base URL] [--charset NAME]"
	    " FILE...|-\n");
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

/* --help and --version to a full disk said nothing and exited 0. */
Test(main, help_and_version_to_a_full_disk_exit_1)
{
	static const char *const args[][2] = { { "--help", "" },
	    { "--version", "" }, { "feeds", "--help" } };
	struct th_result r;

	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		char *const argv[] = { "/bin/sh", "-c",
		    "exec \"$0\" $1 $2 > /dev/full", (char *)th_feedd(),
		    (char *)args[i][0], (char *)args[i][1], NULL };

		cr_assert_eq(th_run(argv, NULL, 10, &r), 0);
		cr_assert_eq(r.status, 1, "%s: exit %d", args[i][0], r.status);
		cr_assert(strstr(r.err, "standard output: No space left on "
		    "device\n"), "%s: %s", args[i][0], r.err);
		th_result_cleanup(&r);
	}
}

/* "-alpha": the unknown option was named as the word before it. */
Test(main, an_unknown_letter_is_named_not_the_word_before)
{
	struct th_result r;

	cr_assert_eq(th_feedd_run(&r, 10, "search", "-alpha", NULL), 0);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "feedd: search: unknown option '-a'\n"),
	    "%s", r.err);
	th_result_cleanup(&r);
	cr_assert_eq(th_feedd_run(&r, 10, "items", "--json=x", NULL), 0);
	cr_assert(strstr(r.err, "feedd: items: unknown option '--json=x'\n"),
	    "%s", r.err);
	th_result_cleanup(&r);
}
