/*
 * table: the aligned table the query commands print on a terminal
 * (daemon/table.c), fed directly, its stdout caught in a file.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/table.h"
#include "tests/helpers.h"
#include "util/xmalloc.h"

/* More rows than the table measures before it prints (TABLE_WINDOW). */
#define MANY_ROWS	10000

static const char *const headers[] = { "NAME", "ITEMS", "URL" };
static const struct table_cols cols = TABLE_COLS(headers, 0x5, 0x2);

/* Runs fill on a table of cols, 100 columns wide, without colour: what
 * it printed (caller frees). */
static char *
printed(void (*fill)(struct table *))
{
	struct out o = { OUT_TABLE, 0, 100, 0 };
	char	 tmpl[] = "/tmp/feedd-table-XXXXXX", *text;
	int	 fd = mkstemp(tmpl), saved = dup(STDOUT_FILENO);
	struct table *t;

	cr_assert(fd != -1 && saved != -1);
	fflush(stdout);
	dup2(fd, STDOUT_FILENO);
	t = table_new(&o, &cols);
	fill(t);
	table_flush(t, stdout);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(fd);
	text = th_read_file(tmpl, NULL);
	unlink(tmpl);
	cr_assert_not_null(text);
	return text;
}

/* Row i of a long listing; the last has a longer name and number than
 * any before it, as a late feed may. */
static void
fill_many(struct table *t)
{
	for (int i = 0; i < MANY_ROWS; i++) {
		int last = i == MANY_ROWS - 1;

		table_cellf(t, NULL, "feed %d%s", i, last ? " with a long name" :
		    "");
		table_cellf(t, NULL, "%d", last ? 123456789 : i % 100);
		table_cellf(t, NULL, "https://f%d.example/rss", i);
	}
}

static size_t
count(const char *s, const char *needle)
{
	size_t n = 0;

	for (; (s = strstr(s, needle)) != NULL; s += strlen(needle))
		n++;
	return n;
}

/*
 * Past the rows it measures the table prints each row as it comes, in
 * the widths it chose: a longer name is cut, as a name may be to fit
 * the terminal, but a number is never cut, only its row out of line.
 */
Test(table, rows_past_the_measured_ones_keep_their_numbers_whole)
{
	char *text = printed(fill_many), *last;

	cr_assert_eq(count(text, "\n"), MANY_ROWS + 1, "one line a row and "
	    "the header");
	cr_assert_eq(count(text, "NAME"), 1, "one header");
	cr_assert(strstr(text, "feed 0 ") == text + strcspn(text, "\n") + 1);
	last = strrchr(text, '\n');
	while (last > text && last[-1] != '\n')
		last--;
	cr_assert(strstr(last, "123456789"), "the number whole: %s", last);
	cr_assert(strstr(last, "https://f9999.example/rss"), "%s", last);
	cr_assert_null(strstr(last, "with a long name"),
	    "the name cut to its column: %s", last);
	free(text);
}

static void
fill_few(struct table *t)
{
	table_cell(t, "a feed with a long name", NULL);
	table_cell(t, "7", NULL);
	table_cell(t, "https://a.example/rss", NULL);
	table_note(t, "a note under it");
	table_cell(t, "b", NULL);
	table_cell(t, "12345", NULL);
	table_cell(t, "https://b.example/rss", NULL);
}

/* A short table is measured whole: every cell fits its column. */
Test(table, a_short_table_fits_its_columns_to_every_row)
{
	char *text = printed(fill_few);

	cr_assert_str_eq(text,
	    "NAME                     ITEMS  URL\n"
	    "a feed with a long name      7  https://a.example/rss\n"
	    "    a note under it\n"
	    "b                        12345  https://b.example/rss\n");
	free(text);
}
