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
 * One member of a row struct as a JSON field: its key, how it prints
 * and where it is.  OUT_FIELD takes the kind from the member's type
 * (char *: string or null; int64_t, int: number); OUT_TIME_FIELD
 * prints an int64_t as out_json_time does.
 */
enum out_kind {
	OUT_STR,
	OUT_I64,
	OUT_INT,
	OUT_TIME,
};

struct out_field {
	const char *key;
	enum out_kind kind;
	size_t	 off;
};

#define OUT_FIELD(key, type, member) { key, _Generic(((type *)0)->member, \
	char *: OUT_STR, int64_t: OUT_I64, int: OUT_INT), offsetof(type, member) }
#define OUT_TIME_FIELD(key, type, member) { key, _Generic(((type *)0)->member, \
	int64_t: OUT_TIME), offsetof(type, member) }
#define OUT_NFIELDS(a)	(sizeof(a) / sizeof((a)[0]))

/* Adds row's n fields to obj, in order; returns obj. */
cJSON	*out_json_fields(cJSON *obj, const void *row,
	    const struct out_field *f, size_t n);

/*
 * The piped forms: t in RFC 3339, "-" when unknown; s on one line
 * (controls as spaces), absent when s is NULL or empty.
 */
void	 out_put_time(int64_t t);
void	 out_put_text(const char *s, const char *absent);
/*
 * Prints obj as one line and frees it.  U+0080-U+009F, U+2028 and
 * U+2029 are written as \u escapes (cJSON escapes only C0), so a line
 * is safe for a terminal and for JavaScript alike.
 */
void	 out_json_line(FILE *fp, cJSON *obj);

struct table;

/*
 * A table's columns: their headers; flex: bit i set when column i may
 * be cut to fit the width (titles, URLs); right: bit i set when column
 * i is right-aligned (numbers).
 */
struct table_cols {
	const char *const *headers;
	size_t	 ncols;
	unsigned flex, right;
};

/* The columns of a headers array, as many as it has. */
#define TABLE_COLS(headers, flex, right)				\
	{ (headers), sizeof(headers) / sizeof(*(headers)), (flex), (right) }

/*
 * How one kind of row prints in each form: the table's columns, then
 * row i of rows as a JSON object, as a table's cells and as a piped
 * line.
 */
struct out_rows {
	const struct table_cols *cols;
	cJSON	*(*json)(const void *rows, size_t i);
	void	 (*cells)(struct table *t, const struct out *o,
		    const void *rows, size_t i);
	void	 (*line)(const void *rows, size_t i);
};

/* Prints n rows to stdout in o's form. */
void	 out_print_rows(const struct out *o, const struct out_rows *p,
	    const void *rows, size_t n);

/*
 * The same a row at a time, for rows read one by one: each is printed
 * as it comes, and the caller frees it.  Only a table (on a terminal)
 * keeps the cells it is given, to fit its columns to them all, until
 * out_stream_close.
 */
struct out_stream {
	const struct out *o;
	const struct out_rows *p;
	struct table *t;
};
void	 out_stream_open(struct out_stream *s, const struct out *o,
	    const struct out_rows *p);
void	 out_stream_row(struct out_stream *s, const void *rows, size_t i);
void	 out_stream_close(struct out_stream *s);

/* A table of these columns (kept: not copied) when o prints a table,
 * else NULL. */
struct table *table_new(const struct out *o, const struct table_cols *cols);
/* Adds the next cell (cleaned of controls), left to right; colour may be NULL. */
void	 table_cell(struct table *t, const char *text, const char *colour);
void	 table_cellf(struct table *t, const char *colour, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* A line printed under the current row, indented (a search snippet). */
void	 table_note(struct table *t, const char *text);
/* Prints header and rows to fp, fitted to the width, and frees t (NULL ok). */
void	 table_flush(struct table *t, FILE *fp);

#endif
