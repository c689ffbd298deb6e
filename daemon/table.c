/*
 * table: the three output modes of the query commands and the aligned
 * table printed on a terminal (see table.h).  The first TABLE_WINDOW
 * rows are kept and measured, the columns fitted to them; the rows after
 * print as they come in those widths.
 */
#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "daemon/table.h"
#include "util/xmalloc.h"
#include "util/buf.h"
#include "feeds/date.h"
#include "feeds/feed.h"
#include "util/termtext.h"

#define GAP		2	/* spaces between columns */
#define FLEX_MIN	12	/* a cut column keeps at least this much ... */
#define FLEX_FLOOR	3	/* ... unless the terminal is narrower still */
/*
 * Rows measured before the table prints: a few screens.  Kept whole,
 * 100,000 feeds took 108 MB of a `feedd feeds` on a terminal.  A later
 * cell wider than its column is cut when the column may be (a title, a
 * URL), else printed whole, its row then out of line: a number is never
 * cut.
 */
#define TABLE_WINDOW	2000

struct row {
	char	**cells;
	const char **colours;
	char	*note;
};

struct table {
	const struct out *o;
	const struct table_cols *cols;
	struct row *rows;
	size_t	 nrows;
	size_t	 filled;	/* cells of the last row */
	size_t	*w;		/* the widths, once the header is out */
};

static size_t
terminal_width(void)
{
	struct winsize ws;
	const char *c = getenv("COLUMNS");

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (c != NULL && atoi(c) > 0)
		return (size_t)atoi(c);
	return 80;
}

void
out_init(struct out *o, int json)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
	int tty = isatty(STDOUT_FILENO);

	memset(o, 0, sizeof(*o));
	o->now = (int64_t)time(NULL);
	o->mode = json ? OUT_JSON : tty ? OUT_TABLE : OUT_TSV;
	/* https://no-color.org: set and not empty means no colour */
	o->colour = tty && !json && (nc == NULL || *nc == '\0') &&
	    (term == NULL || strcmp(term, "dumb") != 0);
	o->width = o->mode == OUT_TABLE ? terminal_width() : 0;
	/* widths of wide characters need a UTF-8 LC_CTYPE */
	if (o->mode == OUT_TABLE &&
	    (setlocale(LC_CTYPE, "") == NULL || MB_CUR_MAX == 1))
		(void)setlocale(LC_CTYPE, "C.UTF-8");
}

const char *
out_age(const struct out *o, int64_t t, char *buf, size_t len)
{
	int64_t d = o->now - t, a = d < 0 ? -d : d;
	const char *unit;
	int64_t v;

	if (t <= 0 || t == FEED_TIME_NONE) {
		snprintf(buf, len, "-");
		return buf;
	}
	if (a < 45) {
		snprintf(buf, len, "just now");
		return buf;
	}
	if (a >= 30 * 86400) {
		/* older than a month: the date says more than "812 d ago" */
		char day[DATE_RFC3339_LEN];

		snprintf(buf, len, "%.10s",
		    date_format_rfc3339(t, day, sizeof(day)));
		return buf;
	}
	if (a < 90 * 60)
		v = (a + 30) / 60, unit = "min";
	else if (a < 48 * 3600)
		v = (a + 1800) / 3600, unit = "h";
	else
		v = (a + 43200) / 86400, unit = "d";
	if (d >= 0)
		snprintf(buf, len, "%lld %s ago", (long long)v, unit);
	else
		snprintf(buf, len, "in %lld %s", (long long)v, unit);
	return buf;
}

cJSON *
out_json_time(int64_t t)
{
	char buf[DATE_RFC3339_LEN];

	if (t <= 0 || t == FEED_TIME_NONE)
		return cJSON_CreateNull();
	return cJSON_CreateString(date_format_rfc3339(t, buf, sizeof(buf)));
}

cJSON *
out_json_str(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

cJSON *
out_json_fields(cJSON *obj, const void *row, const struct out_field *f,
    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *m = (const char *)row + f[i].off;
		cJSON *v = NULL;

		switch (f[i].kind) {
		case OUT_STR:
			v = out_json_str(*(char *const *)(const void *)m);
			break;
		case OUT_I64:
			v = cJSON_CreateNumber(
			    (double)*(const int64_t *)(const void *)m);
			break;
		case OUT_INT:
			v = cJSON_CreateNumber(*(const int *)(const void *)m);
			break;
		case OUT_TIME:
			v = out_json_time(*(const int64_t *)(const void *)m);
			break;
		}
		cJSON_AddItemToObject(obj, f[i].key, v);
	}
	return obj;
}

void
out_put_time(int64_t t)
{
	char buf[DATE_RFC3339_LEN];

	fputs(t <= 0 || t == FEED_TIME_NONE ? "-" :
	    date_format_rfc3339(t, buf, sizeof(buf)), stdout);
}

void
out_put_text(const char *s, const char *absent)
{
	term_put(stdout, s == NULL || *s == '\0' ? absent : s);
}

void
out_json_line(FILE *fp, cJSON *obj)
{
	char *s = cJSON_PrintUnformatted(obj);
	const unsigned char *p = (const unsigned char *)s;

	for (; p != NULL && *p; p++) {
		if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) {
			fprintf(fp, "\\u%04x", p[1]);
			p++;
		} else if (p[0] == 0xE2 && p[1] == 0x80 &&
		    (p[2] == 0xA8 || p[2] == 0xA9)) {
			fprintf(fp, "\\u%04x", 0x2000 + p[2] - 0x80);
			p += 2;
		} else
			fputc(*p, fp);
	}
	fputc('\n', fp);
	free(s);
	cJSON_Delete(obj);
}

struct table *
table_new(const struct out *o, const struct table_cols *cols)
{
	struct table *t;

	if (o->mode != OUT_TABLE)
		return NULL;
	t = xcalloc(1, sizeof(*t));
	t->o = o;
	t->cols = cols;
	t->filled = cols->ncols;	/* the first cell starts a row */
	return t;
}

static void table_put_rows(struct table *t, FILE *fp);

void
table_cell(struct table *t, const char *text, const char *colour)
{
	struct row *r;

	if (t->filled == t->cols->ncols &&
	    (t->w != NULL || t->nrows == TABLE_WINDOW))
		table_put_rows(t, stdout);	/* the last row is whole */
	if (t->filled == t->cols->ncols) {
		t->rows = xreallocarray(t->rows, t->nrows + 1, sizeof(*t->rows));
		r = &t->rows[t->nrows++];
		r->cells = xcalloc(t->cols->ncols, sizeof(char *));
		r->colours = xcalloc(t->cols->ncols, sizeof(char *));
		r->note = NULL;
		t->filled = 0;
	}
	r = &t->rows[t->nrows - 1];
	r->cells[t->filled] = term_cleaned(text && *text ? text : "-");
	r->colours[t->filled++] = colour;
}

void
table_cellf(struct table *t, const char *colour, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	table_cell(t, s, colour);
	free(s);
}

void
table_note(struct table *t, const char *text)
{
	if (t->nrows == 0 || text == NULL || *text == '\0')
		return;
	free(t->rows[t->nrows - 1].note);
	t->rows[t->nrows - 1].note = term_cleaned(text);
}

/* Column widths, flexible ones narrowed until the row fits. */
static void
table_measure(const struct table *t, size_t *w)
{
	size_t total = 0;

	for (size_t c = 0; c < t->cols->ncols; c++) {
		w[c] = term_width(t->cols->headers[c]);
		for (size_t r = 0; r < t->nrows; r++) {
			size_t cw = term_width(t->rows[r].cells[c]);

			if (cw > w[c])
				w[c] = cw;
		}
		total += w[c] + (c > 0 ? GAP : 0);
	}
	for (size_t min = FLEX_MIN; total > t->o->width; ) {
		size_t widest = t->cols->ncols;

		for (size_t c = 0; c < t->cols->ncols; c++)
			if ((t->cols->flex & (1u << c)) && w[c] > min &&
			    (widest == t->cols->ncols || w[c] > w[widest]))
				widest = c;
		if (widest == t->cols->ncols && min > FLEX_FLOOR) {
			min = FLEX_FLOOR;
			continue;
		}
		if (widest == t->cols->ncols)
			break;	/* nothing left to cut: the terminal wraps */
		w[widest]--;
		total--;
	}
}

static void
put_cell(const struct table *t, FILE *fp, const char *text,
    const char *colour, size_t c, size_t width)
{
	char *cut = term_cut(text, width);
	size_t pad = width - term_width(cut);
	int last = c + 1 == t->cols->ncols, right = (t->cols->right >> c) & 1;

	if (c > 0)
		fprintf(fp, "%*s", GAP, "");
	if (right)
		fprintf(fp, "%*s", (int)pad, "");
	if (colour && t->o->colour)
		fprintf(fp, "\033[%sm%s\033[0m", colour, cut);
	else
		fputs(cut, fp);
	if (!right && !last)
		fprintf(fp, "%*s", (int)pad, "");
	free(cut);
}

/* The rows kept so far printed (the header first) and let go. */
static void
rows_free(struct table *t)
{
	for (size_t r = 0; r < t->nrows; r++) {
		strv_free(t->rows[r].cells, t->cols->ncols);
		free(t->rows[r].colours);
		free(t->rows[r].note);
	}
	free(t->rows);
	t->rows = NULL;
	t->nrows = 0;
}

static void
put_row(const struct table *t, FILE *fp, const struct row *row)
{
	for (size_t c = 0; c < t->cols->ncols; c++) {
		const char *text = row->cells[c] ? row->cells[c] : "";
		size_t	 w = t->w[c], tw;

		/* past the measured rows: only what may be cut is */
		if (!((t->cols->flex >> c) & 1) && (tw = term_width(text)) > w)
			w = tw;
		put_cell(t, fp, text, row->colours[c], c, w);
	}
	fputc('\n', fp);
	if (row->note) {
		char *cut = term_cut(row->note, t->o->width > 4 ?
		    t->o->width - 4 : 1);

		fprintf(fp, "    %s%s%s\n", t->o->colour ? "\033[2m" : "", cut,
		    t->o->colour ? "\033[0m" : "");
		free(cut);
	}
}

static void
table_put_rows(struct table *t, FILE *fp)
{
	if (t->w == NULL) {
		t->w = xcalloc(t->cols->ncols, sizeof(size_t));
		table_measure(t, t->w);
		for (size_t c = 0; c < t->cols->ncols; c++)
			put_cell(t, fp, t->cols->headers[c], C_BOLD, c, t->w[c]);
		fputc('\n', fp);
	}
	for (size_t r = 0; r < t->nrows; r++)
		put_row(t, fp, &t->rows[r]);
	rows_free(t);
}

void
table_flush(struct table *t, FILE *fp)
{
	if (t == NULL)
		return;
	table_put_rows(t, fp);
	free(t->w);
	free(t);
}

void
out_stream_open(struct out_stream *s, const struct out *o,
    const struct out_rows *p)
{
	s->o = o;
	s->p = p;
	s->t = table_new(o, p->cols);
}

void
out_stream_row(struct out_stream *s, const void *rows, size_t i)
{
	if (s->o->mode == OUT_JSON)
		out_json_line(stdout, s->p->json(rows, i));
	else if (s->t != NULL)
		s->p->cells(s->t, s->o, rows, i);
	else
		s->p->line(rows, i);
}

void
out_stream_close(struct out_stream *s)
{
	table_flush(s->t, stdout);
	s->t = NULL;
}

void
out_print_rows(const struct out *o, const struct out_rows *p,
    const void *rows, size_t n)
{
	struct out_stream s;

	out_stream_open(&s, o, p);
	for (size_t i = 0; i < n; i++)
		out_stream_row(&s, rows, i);
	out_stream_close(&s);
}
