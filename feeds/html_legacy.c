/*
 * html_legacy: character references that browsers read in HTML5's
 * legacy ways, where libxml2's HTML parser (HTML 4) does not:
 * - named ones without their ';' (13.2.5.73: the Latin-1 names, amp,
 *   lt, gt, quot, and six in capitals): a feed's excerpt cut at "&nbsp"
 *   shows a space in a browser, and showed "&nbsp" in our outputs;
 * - numeric ones for 0x80-0x9F (13.2.5.80): "&#146;" is windows-1252's
 *   right quote to a browser, and was the C1 control U+0092 here;
 * - "&lang;" and "&rang;", which HTML5 moved to U+27E8 and U+27E9.
 * They are rewritten as libxml2 reads them, before it parses.
 */
#include <libxml/HTMLparser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feeds/html.h"
#include "util/buf.h"

#define LEGACY_NAME_MAX	6	/* "frac12", "middot", "plusmn"... */
#define REF_NAME_MAX	32	/* longer than any reference's name */

/* HTML5's legacy names in capitals, and what libxml2 knows them as */
static const char *const capitals[][2] = {
	{ "AMP", "amp" }, { "COPY", "copy" }, { "GT", "gt" }, { "LT", "lt" },
	{ "QUOT", "quot" }, { "REG", "reg" },
};

/* 13.2.5.80's table: what &#x80; to &#x9F; stand for (0: themselves) */
static const unsigned short c1_table[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

static int
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static const char *
capital_name(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(capitals) / sizeof(capitals[0]); i++)
		if (strlen(capitals[i][0]) == n &&
		    memcmp(s, capitals[i][0], n) == 0)
			return capitals[i][1];
	return NULL;
}

/* 1 when the name s (n bytes) is decoded without ';' */
static int
legacy_name(const char *s, size_t n)
{
	const htmlEntityDesc *e;
	char	 name[LEGACY_NAME_MAX + 1];

	if (capital_name(s, n) != NULL)
		return 1;
	memcpy(name, s, n);
	name[n] = '\0';
	if ((e = htmlEntityLookup((const xmlChar *)name)) == NULL)
		return 0;
	return (e->value >= 160 && e->value <= 255) || e->value == '&' ||
	    e->value == '<' || e->value == '>' || e->value == '"';
}

/*
 * "&name" at s: the legacy name the spec decodes there (the longest,
 * as it matches), with its ';' and in libxml2's spelling, appended to
 * out (when not NULL); the bytes it replaces, or 0.  A whole reference
 * libxml2 knows stays ("&notin;" is not "&not" "in;"); in an attribute
 * a name before an alphanumeric or '=' stays ("?a=1&copy=2").
 */
static size_t
named_fix(const char *s, int in_tag, struct buf *out)
{
	char	 name[REF_NAME_MAX + 1];
	const char *lower;
	size_t run = 0, best = 0;

	while (run < REF_NAME_MAX && is_alnum(s[1 + run]))
		run++;
	memcpy(name, s + 1, run);
	name[run] = '\0';
	if (s[1 + run] == ';' && (strcmp(name, "lang") == 0 ||
	    strcmp(name, "rang") == 0)) {
		if (out != NULL)
			buf_puts(out, name[0] == 'l' ? "&#x27e8;" : "&#x27e9;");
		return run + 2;
	}
	if (s[1 + run] == ';' && html_entity_codepoint(name) != 0)
		return 0;
	for (size_t n = 2; n <= run && n <= LEGACY_NAME_MAX; n++)
		if (legacy_name(s + 1, n))
			best = n;
	if (best == 0 || (in_tag && (is_alnum(s[1 + best]) ||
	    s[1 + best] == '=')))
		return 0;
	if (out != NULL) {
		lower = capital_name(s + 1, best);
		buf_putc(out, '&');
		if (lower != NULL)
			buf_puts(out, lower);
		else
			buf_append(out, s + 1, best);
		buf_putc(out, ';');
	}
	/* "&QUOT;": the ';' written is the one there */
	return 1 + best + (s[1 + best] == ';');
}

/* "&#..." at s, for 0x80-0x9F: as named_fix, with its code point. */
static size_t
numeric_fix(const char *s, struct buf *out)
{
	int	 hex = s[2] == 'x' || s[2] == 'X';
	const char *d = s + 2 + hex;
	char	*end;
	unsigned long v;
	unsigned short cp;

	if (*d == '\0' || strchr(hex ? "0123456789abcdefABCDEF" :
	    "0123456789", *d) == NULL)
		return 0;
	v = strtoul(d, &end, hex ? 16 : 10);
	if (v < 0x80 || v > 0x9f || end - d > 8 ||
	    (cp = c1_table[v - 0x80]) == 0)
		return 0;
	if (out != NULL)
		buf_printf(out, "&#%u;", (unsigned)cp);
	return (size_t)(end - s) + (*end == ';');
}

static size_t
ref_fix(const char *s, int in_tag, struct buf *out)
{
	return s[1] == '#' ? numeric_fix(s, out) : named_fix(s, in_tag, out);
}

/* Where a tag ends or a quoted value in it opens or closes. */
static int
tag_state(int state, char c, const char *next)
{
	if (state == '<')
		return c == '>' ? 0 : c == '"' || c == '\'' ? c : '<';
	if (state != 0)		/* inside a quoted attribute value */
		return c == state ? '<' : state;
	if (c == '<' && (is_alnum(*next) || *next == '/' || *next == '!'))
		return '<';
	return 0;
}

char *
html_legacy_refs(const char *html)
{
	struct buf b;
	const char *amp;
	int	 state = 0, changed = 0;
	size_t	 done = 0, n, len;

	/* most HTML has none: one look at each '&' before copying */
	for (amp = strchr(html, '&'); amp != NULL; amp = strchr(amp + 1, '&'))
		if (ref_fix(amp, 0, NULL) > 0)
			break;
	if (amp == NULL)
		return NULL;
	n = strlen(html);
	buf_init(&b, 0);
	for (size_t i = 0; i < n; i++) {
		if (html[i] == '&') {
			buf_append(&b, html + done, i - done);
			done = i;
			if ((len = ref_fix(html + i, state, &b)) > 0) {
				done = i + len;
				changed = 1;
				i = done - 1;	/* '&', alphanumerics, ';' */
				continue;
			}
		}
		state = tag_state(state, html[i], html + i + 1);
	}
	if (!changed) {
		buf_cleanup(&b);
		return NULL;
	}
	buf_append(&b, html + done, n - done);
	return buf_detach(&b);
}
