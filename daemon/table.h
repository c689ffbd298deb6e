/*
 * table: how the query commands print, decided once per run.  On a
 * terminal: an aligned table with a header, ages relative to now, cut
 * to the terminal's width, colour unless NO_COLOR is set.  Piped: the
 * tab-separated lines scripts already read (the commands print those
 * themselves).  With --json: JSON Lines, one object per row.
 */
#ifndef FEEDD_TABLE_H
#define FEEDD_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

enum out_mode {
	OUT_TSV,
	OUT_TABLE,
	OUT_JSON,
};

struct out {
	enum out_mode mode;
	int	 colour;	/* ANSI colour allowed */
	size_t	 width;		/* terminal columns */
	int64_t	 now;
};

/* Colours a cell may take. */
#define C_NONE	NULL
#define C_RED	"31"
#define C_GREEN	"32"
#define C_YELLOW "33"
#define C_DIM	"2"
#define C_BOLD	"1"

/* Mode from json and stdout; sets the locale's LC_CTYPE for widths. */
void	 out_init(struct out *o, int json);

/*
 * "12 min ago", "in 3 h", "just now"; the date (2026-11-27) beyond 30
 * days; "-" for t <= 0.  Into buf,
 * which is returned.
 */
const char *out_age(const struct out *o, int64_t t, char *buf, size_t len);
/* RFC 3339 string or JSON null for t <= 0 / FEED_TIME_NONE. */
cJSON	*out_json_time(int64_t t);
/* cJSON string, or null for NULL. */
cJSON	*out_json_str(const char *s);
/*
 * Prints obj as one line and frees it.  U+0080-U+009F, U+2028 and
 * U+2029 are written as \u escapes (cJSON escapes only C0), so a line
 * is safe for a terminal and for JavaScript alike.
 */
void	 out_json_line(FILE *fp, cJSON *obj);

struct table;

/*
 * A table of ncols columns with these headers.  flex: bit i set when
 * column i may be cut to fit the width (titles, URLs); right: bit i
 * set when column i is right-aligned (numbers).
 */
struct table *table_new(const struct out *o, const char *const *headers,
	    size_t ncols, unsigned flex, unsigned right);
void	 table_free(struct table *t);			/* NULL ok */
/* Adds the next cell (cleaned of controls), left to right; colour may be NULL. */
void	 table_cell(struct table *t, const char *text, const char *colour);
void	 table_cellf(struct table *t, const char *colour, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* A line printed under the current row, indented (a search snippet). */
void	 table_note(struct table *t, const char *text);
/* Prints header and rows to fp, fitted to the width. */
void	 table_print(struct table *t, FILE *fp);

#endif
