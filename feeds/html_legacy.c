/*
 * html_legacy: the named references that browsers decode without their
 * ';' (HTML5 13.2.5.73: the Latin-1 ones, amp, lt, gt and quot, and six
 * in capitals).  A feed's excerpt cut at "&nbsp" shows a space in a
 * browser; libxml2's HTML parser keeps "&nbsp" as text, which the
 * sanitizer would then escape, so a reader showed "&nbsp".  They get
 * their ';' here, before the parser sees them.
 */
#include <libxml/HTMLparser.h>
#include <string.h>

#include "feeds/html.h"
#include "util/buf.h"

#define LEGACY_NAME_MAX	6	/* "frac12", "middot", "plusmn"... */
#define REF_NAME_MAX	32	/* longer than any reference's name */

static int
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* HTML5's legacy names in capitals, and what libxml2 knows them as */
static const char *const capitals[][2] = {
	{ "AMP", "amp" }, { "COPY", "copy" }, { "GT", "gt" }, { "LT", "lt" },
	{ "QUOT", "quot" }, { "REG", "reg" },
};

static const char *
capital_name(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(capitals) / sizeof(capitals[0]); i++)
		if (strlen(capitals[i][0]) == n &&
		    memcmp(s, capitals[i][0], n) == 0)
			return capitals[i][1];
	return NULL;
}

/* 1 when name (n bytes) is decoded without ';' */
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
 * The length of the legacy name that "&" at s starts and the spec
 * decodes without ';' (the longest, as the spec matches), or 0: none,
 * or a whole reference with its ';' ("&notin;" is not "&not" "in;").
 */
static size_t
legacy_at(const char *s, int in_tag)
{
	char	 name[REF_NAME_MAX + 1];
	size_t run = 0, best = 0;

	while (run < REF_NAME_MAX && is_alnum(s[1 + run]))
		run++;
	if (s[1 + run] == ';') {
		memcpy(name, s + 1, run);
		name[run] = '\0';
		if (html_entity_codepoint(name) != 0)
			return 0;
	}
	for (size_t n = 2; n <= run && n <= LEGACY_NAME_MAX; n++)
		if (legacy_name(s + 1, n))
			best = n;
	/* in an attribute, "?a=1&copy=2" is a query string, not "©=2" */
	if (best > 0 && in_tag && (is_alnum(s[1 + best]) ||
	    s[1 + best] == '='))
		return 0;
	return best;
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
	size_t	 done = 0, n;

	/* most HTML has none: one look at each '&' before copying */
	for (amp = strchr(html, '&'); amp != NULL; amp = strchr(amp + 1, '&'))
		if (legacy_at(amp, 0) > 0)
			break;
	if (amp == NULL)
		return NULL;
	n = strlen(html);
	buf_init(&b, 0);
	for (size_t i = 0; i < n; i++) {
		size_t len;

		if (html[i] == '&' && (len = legacy_at(html + i, state)) > 0) {
			const char *lower = capital_name(html + i + 1, len);

			buf_append(&b, html + done, i + 1 - done);
			if (lower != NULL)
				buf_puts(&b, lower);
			else
				buf_append(&b, html + i + 1, len);
			buf_putc(&b, ';');
			done = i + 1 + len;
			changed = 1;
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
