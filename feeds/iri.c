/*
 * iri: ids and links made valid for the writers (see iri.h).  The
 * character rules are those of RFC 3986 section 2 as the W3C feed
 * validator applies them; whether a link is http(s) with a host is
 * curl's URL API's call (feeds/url.c).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/xmalloc.h"
#include "feeds/entry.h"
#include "util/buf.h"
#include "feeds/iri.h"
#include "feeds/url.h"

#define IRI_MAX	8192		/* bytes of a source's id or link */

/* Unreserved and reserved characters, "[" and "]" aside. */
static int
uri_char(unsigned char c)
{
	return isalnum(c) || (c != '\0' && strchr(";/?:@&=+$.-_!~*'(),#", c));
}

static int
is_escape(const unsigned char *p)
{
	return p[0] == '%' && isxdigit(p[1]) && isxdigit(p[2]);
}

/* uri_char's ASCII letters, digits and marks, as a table for the scan. */
#define URI_MARK(c)	[c] = 1
static const unsigned char uri_ascii[128] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	URI_MARK(';'), URI_MARK('/'), URI_MARK('?'), URI_MARK(':'),
	URI_MARK('@'), URI_MARK('&'), URI_MARK('='), URI_MARK('+'),
	URI_MARK('$'), URI_MARK('.'), URI_MARK('-'), URI_MARK('_'),
	URI_MARK('!'), URI_MARK('~'), URI_MARK('*'), URI_MARK('\''),
	URI_MARK('('), URI_MARK(')'), URI_MARK(','),
};

/*
 * Whether iri_encode would give s back as it is, by one scan: ASCII
 * that uri_char keeps, "%" only starting an escape, one "#" at most,
 * and no longer than the cap.  Most links and ids are; they skip the
 * copy, the cleaning and the second encode (iri_id_ok) that the
 * render would otherwise pay three or four times per entry.
 */
static int
iri_plain(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int	 hashes = 0;

	for (; *p != '\0'; p++) {
		if (*p < 128 && uri_ascii[*p])
			continue;
		if (*p == '#' && hashes++ == 0)
			continue;
		if (*p == '%' && is_escape(p))
			continue;
		return 0;
	}
	return (size_t)(p - (const unsigned char *)s) <= IRI_MAX;
}

/* The bytes of a bracketed IPv6 host: "//[" ... "]" before the path. */
static size_t
host_brackets(const unsigned char *s, const unsigned char *p)
{
	const unsigned char *close;

	if (p - s < 3 || p[-1] != '/' || p[-2] != '/' || p[0] != '[')
		return 0;
	if ((close = (const unsigned char *)strchr((const char *)p, ']')) ==
	    NULL)
		return 0;
	for (const unsigned char *q = p + 1; q < close; q++)
		if (!isxdigit(*q) && *q != ':' && *q != '.')
			return 0;
	return (size_t)(close - p) + 1;
}

char *
iri_encode(const char *s)
{
	const unsigned char *p, *u;
	char	*clean;
	struct buf b;
	int	 hashes = 0;
	size_t	 keep;

	if (s != NULL && iri_plain(s))
		return xstrdup(s);
	if ((clean = entry_clean_text(s, IRI_MAX, 0)) == NULL)
		return NULL;
	u = (const unsigned char *)clean;
	buf_init(&b, 0);
	buf_puts(&b, "");
	for (p = u; *p != '\0'; p++) {
		const unsigned char *run = p;

		/* a run of characters kept as they are, in one append */
		while (*run != '\0' && *run != '#' && uri_char(*run))
			run++;
		if (run > p) {
			buf_append(&b, p, (size_t)(run - p));
			p = run - 1;
			continue;
		}
		if (*p == '[' && (keep = host_brackets(u, p)) > 0) {
			buf_append(&b, p, keep);
			p += keep - 1;
			continue;
		}
		if ((*p == '#' && ++hashes > 1) || !uri_char(*p)) {
			if (*p == '%' && is_escape(p))
				buf_putc(&b, '%');
			else
				buf_printf(&b, "%%%02X", *p);
		} else
			buf_putc(&b, (char)*p);
	}
	free(clean);
	return buf_detach(&b);
}

static int
scheme_len(const char *s)
{
	size_t	 n = 0;

	if (!isalpha((unsigned char)s[0]))
		return 0;
	while (isalnum((unsigned char)s[n]) || (s[n] != '\0' &&
	    strchr("+.-", s[n]) != NULL))
		n++;
	return s[n] == ':' ? (int)n : 0;
}

/* tag:AUTHORITY,DATE:SPECIFIC as RFC 4151 (and the validator) have it. */
static int
tag_ok(const char *s)
{
	const char *p = s + 4, *comma = strchr(p, ','), *q;
	int	 digits = 0;

	if (comma == NULL || comma == p)
		return 0;
	for (q = p; q < comma; q++)
		if (!(islower((unsigned char)*q) || isdigit((unsigned char)*q) ||
		    strchr("-._@", *q)))
			return 0;
	for (q = comma + 1; isdigit((unsigned char)*q); q++)
		digits++;
	if (digits != 4)
		return 0;
	for (int part = 0; part < 2 && *q == '-'; part++) {
		if (!isdigit((unsigned char)q[1]) ||
		    !isdigit((unsigned char)q[2]))
			return 0;
		q += 3;
	}
	return *q == ':';
}

static int
urn_ok(const char *s)
{
	const char *p = s + 4;
	size_t	 nid = 0;

	if (strncasecmp(p, "uuid:", 5) == 0) {
		p += 5;
		for (int i = 0; i < 36; i++) {
			int dash = i == 8 || i == 13 || i == 18 || i == 23;

			if (dash ? p[i] != '-' : !isxdigit((unsigned char)p[i]))
				return 0;
		}
		return p[36] == '\0';
	}
	while (isalnum((unsigned char)p[nid]) || (nid > 0 && p[nid] == '-'))
		nid++;
	if (nid < 2 || nid > 32 || p[nid] != ':' || p[nid + 1] == '\0')
		return 0;
	for (p += nid + 1; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && !strchr("()+,.:=@;$_!*'-%", *p))
			return 0;
	return 1;
}

int
iri_id_ok(const char *s)
{
	char	*enc;
	int	 same, n;

	if (s == NULL || (n = scheme_len(s)) == 0)
		return 0;
	if (!iri_plain(s)) {
		enc = iri_encode(s);
		same = strcmp(enc, s) == 0;
		free(enc);
		if (!same)
			return 0;
	}
	if ((n == 4 && strncasecmp(s, "http", 4) == 0) ||
	    (n == 5 && strncasecmp(s, "https", 5) == 0) ||
	    (n == 3 && strncasecmp(s, "ftp", 3) == 0)) {
		const char *h = s + n + 1;
		size_t len;

		if (strncmp(h, "//", 2) != 0)
			return 0;
		len = strcspn(h + 2, "/?#");
		return len > 0 && h[2 + len - 1] != '@' && h[2] != '@';
	}
	if (n == 3 && strncmp(s, "tag", 3) == 0)
		return tag_ok(s);
	if (n == 3 && strncasecmp(s, "urn", 3) == 0)
		return urn_ok(s);
	return 0;
}

/*
 * The scheme and host in lower case (RFC 3986 6.2.2.1: they are
 * case-insensitive and normalize to lower case), as newsboat, feedparser
 * (node), @rowanmanning/feed-parser and feed-extractor read them anyway:
 * one spelling of a link for every reader.  The userinfo before "@" is
 * case-sensitive and kept; so are percent-escapes' hex digits.
 */
static void
lower_scheme_host(char *s)
{
	char	*p = strstr(s, "://"), *host, *end, *at;

	if (p == NULL)
		return;
	for (char *q = s; q < p; q++)
		*q = (char)tolower((unsigned char)*q);
	host = p + 3;
	end = host + strcspn(host, "/?#");
	for (at = host; at < end; at++)
		if (*at == '@')
			host = at + 1;
	for (; host < end; host++) {
		if (*host == '%' && end - host >= 3)
			host += 2;
		else
			*host = (char)tolower((unsigned char)*host);
	}
}

char *
iri_http_link_as_written(const char *s)
{
	char	*enc;

	if (s == NULL || (enc = iri_encode(s)) == NULL)
		return NULL;
	if (!url_is_http(enc) || !iri_id_ok(enc)) {
		free(enc);
		return NULL;
	}
	return enc;
}

char *
iri_http_link(const char *s)
{
	char	*enc = iri_http_link_as_written(s);

	if (enc != NULL)
		lower_scheme_host(enc);
	return enc;
}
