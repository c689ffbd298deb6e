/*
 * ini_src: hands inih one physical line per call and keeps the line
 * count, so the key handler knows its line (inih calls it right after
 * the reader returned that line).  Leading blanks are dropped, so an
 * indented line is a line of its own, never an inih continuation line.
 */
#include <ctype.h>
#include <stdio.h>
#include <sys/types.h>
#include <stdlib.h>
#include <string.h>

#include "config/ini_src.h"
#include "util/xmalloc.h"

/* Stands for an over-long value; no blank or ';', so inih keeps it whole. */
#define LONG_TOKEN	"\x1f" "feedd-long-value" "\x1f"
#define MAX_KEY		64

/* Where inih ends a value: a ';' that follows a blank starts a comment. */
static char *
comment_start(char *s)
{
	for (char *p = s; *p != '\0'; p++)
		if (*p == ';' && p > s && isspace((unsigned char)p[-1]))
			return p;
	return NULL;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* "[text]" with nothing but a comment after the ']'. */
static void
read_section(struct ini_src *src, char *line)
{
	char *end = strchr(line, ']'), *cmt = comment_start(line), *rest;

	if (end == NULL || (cmt != NULL && cmt < end)) {
		src->on_error(src->ctx, src->lineno,
		    "syntax error: section header without ']'");
		src->on_section(src->ctx, NULL, src->lineno);
		return;
	}
	*end = '\0';
	rest = trim(end + 1);
	if (*rest != '\0' && *rest != ';' && *rest != '#') {
		src->on_error(src->ctx, src->lineno,
		    "syntax error: text after ']'");
		src->on_section(src->ctx, NULL, src->lineno);
		return;
	}
	src->on_section(src->ctx, line + 1, src->lineno);
}

/*
 * A key line too long for inih's buffer: inih gets "KEY=TOKEN" and the
 * value, cut and trimmed as inih would, waits in long_value.
 */
static void
shorten_key_line(struct ini_src *src, char *line, char *out, size_t outsz)
{
	char *cmt = comment_start(line), *sep = strpbrk(line, "=:");
	size_t klen;

	if (sep == NULL || (cmt != NULL && cmt < sep)) {
		snprintf(out, outsz, "%s\n", LONG_TOKEN);	/* no '=': rejected */
		return;
	}
	if (cmt != NULL)
		*cmt = '\0';
	free(src->long_value);
	src->long_value = xstrdup(trim(sep + 1));
	klen = (size_t)(sep - line);
	snprintf(out, outsz, "%.*s=%s\n", (int)(klen > MAX_KEY ? MAX_KEY : klen),
	    line, LONG_TOKEN);
}

static void
check_handled(struct ini_src *src)
{
	if (src->is_key && !src->handled)
		src->on_error(src->ctx, src->lineno,
		    "syntax error: expected 'key = value' or '[section]'");
	src->is_key = src->handled = 0;
}

/*
 * The next line into src->buf, NUL-terminated, at most INI_SRC_MAX_LINE
 * bytes of it: its length, or -1 at the end or past INI_SRC_MAX_FILE
 * (said).  *over: the line was longer, the rest dropped.
 */
static ssize_t
read_line(struct ini_src *src, int *over)
{
	size_t	 n = 0;
	int	 c = EOF;

	*over = 0;
	while (src->total < INI_SRC_MAX_FILE && (c = getc(src->fp)) != EOF) {
		src->total++;
		if (n < INI_SRC_MAX_LINE) {
			if (n + 2 > src->cap) {
				src->cap = src->cap ? src->cap * 2 : 256;
				src->buf = xrealloc(src->buf, src->cap);
			}
			src->buf[n++] = (char)c;
		} else
			*over = 1;
		if (c == '\n')
			break;
	}
	if (src->total >= INI_SRC_MAX_FILE && c != '\n') {
		src->on_error(src->ctx, src->lineno + 1, "the file is larger "
		    "than 16 MB; the rest is not read");
		return -1;
	}
	if (n == 0 && c == EOF)
		return -1;
	src->buf[n] = '\0';
	return (ssize_t)n;
}

char *
ini_src_read(char *str, int num, void *stream)
{
	struct ini_src *src = stream;
	ssize_t n;
	char *line;
	int over;

	check_handled(src);
	free(src->long_value);
	src->long_value = NULL;
	if (num < (int)sizeof(LONG_TOKEN) + MAX_KEY + 4 ||
	    (n = read_line(src, &over)) == -1)
		return NULL;
	src->lineno++;
	line = src->buf;
	if (src->lineno == 1 && strncmp(line, "\xEF\xBB\xBF", 3) == 0)
		line += 3;
	if (memchr(src->buf, '\0', (size_t)n) != NULL) {
		src->on_error(src->ctx, src->lineno, "NUL byte in line");
		line = "";
	} else if (over) {
		src->on_error(src->ctx, src->lineno, "line longer than 64 KB");
		line = "";
	} else if (*(line = trim(line)) == '[') {
		read_section(src, line);
		line = "";
	} else if (*line != '\0' && *line != ';' && *line != '#') {
		src->is_key = 1;
		if (strlen(line) + 2 > (size_t)num) {
			shorten_key_line(src, line, str, (size_t)num);
			return str;
		}
	}
	snprintf(str, (size_t)num, "%s\n", line);
	return str;
}

const char *
ini_src_value(struct ini_src *src, const char *value)
{
	src->handled = 1;
	if (src->long_value != NULL && strcmp(value, LONG_TOKEN) == 0)
		return src->long_value;
	return value;
}

void
ini_src_finish(struct ini_src *src)
{
	check_handled(src);
	free(src->long_value);
	src->long_value = NULL;
	free(src->buf);
	src->buf = NULL;
	src->cap = 0;
}
