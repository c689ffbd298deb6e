/*
 * test_termtext: util/termtext.c, the cleaning of stored text before it
 * reaches a terminal, and its measuring in terminal columns.
 */
#include <criterion/criterion.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "util/termtext.h"

Test(termtext, controls_c1_and_line_separators_become_spaces)
{
	/* ESC [2J, CSI as C1 (U+009B), tab, newline, DEL, U+2028, U+2029 */
	char *c = term_cleaned("a\x1b[2Jb\xc2\x9b" "31mc\td\ne\x7f" "f"
	    "\xe2\x80\xa8g\xe2\x80\xa9h");

	cr_assert_str_eq(c, "a [2Jb 31mc d e f g h");
	free(c);
	/* other text, invalid bytes included, passes as it is */
	c = term_cleaned("caf\xc3\xa9 \xe4\xb8\xad \xff\xfe \xe2\x80\xa6");
	cr_assert_str_eq(c, "caf\xc3\xa9 \xe4\xb8\xad \xff\xfe \xe2\x80\xa6");
	free(c);
	c = term_cleaned(NULL);
	cr_assert_str_eq(c, "");
	free(c);
}

Test(termtext, widths_and_cuts_follow_columns_not_bytes)
{
	char *c;

	cr_assert_not_null(setlocale(LC_CTYPE, "C.UTF-8"));
	cr_assert_eq(term_width("abc"), 3);
	cr_assert_eq(term_width("caf\xc3\xa9"), 4);
	cr_assert_eq(term_width("\xe4\xb8\xad\xe6\x96\x87"), 4);	/* 中文 */
	c = term_cut("hello world", 8);
	cr_assert_str_eq(c, "hello w\xe2\x80\xa6");
	free(c);
	c = term_cut("short", 8);
	cr_assert_str_eq(c, "short");
	free(c);
	/* a wide character that does not fit is left out whole */
	c = term_cut("ab\xe4\xb8\xad\xe6\x96\x87", 4);
	cr_assert_str_eq(c, "ab\xe2\x80\xa6");
	cr_assert_leq(term_width(c), 4);
	free(c);
	c = term_cut("\xc3\xa9\xc3\xa9\xc3\xa9", 2);
	cr_assert_str_eq(c, "\xc3\xa9\xe2\x80\xa6");
	free(c);
}
