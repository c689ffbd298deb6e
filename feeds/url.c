/*
 * url: relative references resolved and URLs normalised through curl's
 * URL API, and the canonical "story key" that recognises one article
 * across feeds (no scheme, no www., no tracking parameters).  Never
 * fetches and never invents: what curl cannot parse comes back as given.
 */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/hex.h"
#include "util/xmalloc.h"
#include "util/buf.h"
#include "feeds/url.h"

#define URL_FLAGS (CURLU_NON_SUPPORT_SCHEME | CURLU_ALLOW_SPACE)

/* Query parameters that only say where a click came from. */
static const char *const tracking[] = {
	"fbclid", "gclid", "gclsrc", "dclid", "msclkid", "mc_cid", "mc_eid",
	"ref", "ref_src", "ref_url", "igshid", "_hsenc", "_hsmi", "__hssc",
	"__hstc", "__hsfp", "hsctatracking", "yclid", "_ga", "_gl",
	"mkt_tok", "oly_anon_id", "oly_enc_id", "rb_clickid", "s_cid",
	"vero_id", "vero_conv", "wickedid", "twclid", "ttclid", "li_fat_id",
	"ncid", "sr_share", "at_medium", "at_campaign", "cmpid", "_openstat",
};

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

/* Length of "scheme:" at the start of s (colon included), or 0. */
static size_t
scheme_len(const char *s)
{
	size_t i = 0;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
	    (s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '-' ||
	    s[i] == '.')
		i++;
	return s[i] == ':' ? i + 1 : 0;
}

static int
is_http_scheme(const char *s)
{
	size_t n = scheme_len(s);

	return (n == 5 && strncasecmp(s, "http:", 5) == 0) ||
	    (n == 6 && strncasecmp(s, "https:", 6) == 0);
}

static char *
trim_copy(const char *s)
{
	size_t n;

	while (is_space(*s))
		s++;
	for (n = strlen(s); n > 0 && is_space(s[n - 1]); n--)
		;
	return xstrndup(s, n);
}

/*
 * 1 when s is an absolute http(s) URL already in the form curl's parse
 * and print would give back unchanged: lowercase scheme and host name
 * (not an IPv4 address, which curl rewrites), no userinfo or port, a
 * path with no dot segments, and only characters curl leaves alone.
 * Most feed links are, and resolving them through curl costs more than
 * parsing the rest of their item.
 */
/* RFC 3986 unreserved, sub-delims, ':', '@', '%' */
static int
is_plain_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("-._~!$&'()*+,;=:@%", c) != NULL);
}

/* Past "http://" or "https://" at the start of s, or NULL. */
static const char *
http_authority(const char *s)
{
	if (strncmp(s, "https://", 8) == 0)
		return s + 8;
	if (strncmp(s, "http://", 7) == 0)
		return s + 7;
	return NULL;
}

static int
is_name_char(int c, int anycase)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    c == '-' || c == '.' || (anycase && c >= 'A' && c <= 'Z');
}

/*
 * The end of the host name at h: letters (lowercase unless anycase),
 * digits, '-' and non-empty labels, the last starting with a letter (a
 * name, not 127.1 or 0x7f.1, which curl reads as IPv4); NULL when
 * there is none or a port, userinfo or anything but '/' follows it.
 */
static const char *
plain_name(const char *h, int anycase)
{
	const char *s, *seg;

	for (s = h; is_name_char(*s, anycase); s++)
		if (*s == '.' && (s == h || s[-1] == '.'))
			return NULL;
	for (seg = s; seg > h && seg[-1] != '.'; seg--)
		;
	if (s == h || *s != '/' || !((*seg >= 'a' && *seg <= 'z') ||
	    (anycase && *seg >= 'A' && *seg <= 'Z')))
		return NULL;
	return s;
}

/*
 * 1 when s, from the '/' after the host on, is a path with no dot
 * segments, a query and a fragment that are not empty, in characters
 * curl leaves alone.
 */
static int
plain_rest(const char *s)
{
	const char *seg;

	for (seg = s; *s != '\0' && *s != '?' && *s != '#'; s++) {
		if (*s == '/') {
			if ((s - seg == 2 && seg[1] == '.') ||
			    (s - seg == 3 && seg[1] == '.' && seg[2] == '.'))
				return 0;
			seg = s;
		} else if (!is_plain_char(*s))
			return 0;
	}
	if ((s - seg == 2 && seg[1] == '.') ||
	    (s - seg == 3 && seg[1] == '.' && seg[2] == '.'))
		return 0;
	/* curl drops an empty query or fragment */
	if (*s == '?' && (s[1] == '\0' || s[1] == '#'))
		return 0;
	for (; *s != '\0'; s++)
		if (*s == '#' && (s[1] == '\0' || strchr(s + 1, '#')))
			return 0;
		else if (!is_plain_char(*s) && *s != '/' && *s != '?' &&
		    *s != '#')
			return 0;
	return 1;
}

static int
is_plain_http(const char *s)
{
	const char *h = http_authority(s);

	return h != NULL && (h = plain_name(h, 0)) != NULL && plain_rest(h);
}

/*
 * 1 when s is an absolute http(s) URL curl's parse accepts for certain,
 * though it may print it otherwise: as is_plain_http, or with capitals
 * in the host name.  One such link in a render (a real feed's
 * "http://f9881-www.Dicas-L.com.br/...") took curl's URL code in, 0.3 MB
 * of memory, for the whole render.
 */
static int
is_parsable_http(const char *s)
{
	const char *h = http_authority(s);

	return h != NULL && (h = plain_name(h, 1)) != NULL && plain_rest(h);
}

/* A part of h as a string of ours, or NULL when absent. */
static char *
part_dup(CURLU *h, CURLUPart what, unsigned int flags)
{
	char *s = NULL, *r;

	if (curl_url_get(h, what, &s, flags) != CURLUE_OK)
		return NULL;
	r = xstrdup(s);
	curl_free(s);
	return r;
}

/* curl's parse of url (and of ref against it, when ref is given). */
static CURLU *
url_parse(const char *url, const char *ref)
{
	CURLU *h = curl_url();

	if (h == NULL)
		return NULL;
	if (curl_url_set(h, CURLUPART_URL, url, URL_FLAGS) != CURLUE_OK ||
	    (ref != NULL &&
	    curl_url_set(h, CURLUPART_URL, ref, URL_FLAGS) != CURLUE_OK)) {
		curl_url_cleanup(h);
		return NULL;
	}
	return h;
}

/* base (fragment dropped) followed by a "#fragment" reference. */
static char *
resolve_fragment(const char *base, const char *ref)
{
	CURLU *h = url_parse(base, NULL);
	char *b, *r;

	if (h == NULL)
		return NULL;
	curl_url_set(h, CURLUPART_FRAGMENT, NULL, 0);
	b = part_dup(h, CURLUPART_URL, 0);
	curl_url_cleanup(h);
	if (b == NULL)
		return NULL;
	r = xasprintf("%s%s", b, ref);
	free(b);
	return r;
}

char *
url_resolve(const char *base, const char *ref)
{
	CURLU *h = NULL;
	char *t, *r = NULL;

	if (ref == NULL)
		return NULL;
	t = trim_copy(ref);
	if (*t == '\0' || is_plain_http(t))
		return t;	/* empty stays empty: callers treat it as absent */
	if (scheme_len(t) != 0) {
		/* Other schemes (mailto:, tag:, urn:) are not ours to touch. */
		if (is_http_scheme(t))
			h = url_parse(t, NULL);
	} else if (base != NULL && scheme_len(base) != 0) {
		if (t[0] == '#')
			r = resolve_fragment(base, t);
		else
			h = url_parse(base, t);
	}
	if (h != NULL) {
		r = part_dup(h, CURLUPART_URL, 0);
		curl_url_cleanup(h);
	}
	if (r == NULL)
		return t;
	free(t);
	return r;
}

static int
is_unreserved(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/* Appends s[0..n) with %xx uppercased and unreserved octets decoded. */
static void
put_pct_normal(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && (hi = hex_digit(s[i + 1])) >= 0 &&
		    (lo = hex_digit(s[i + 2])) >= 0) {
			int c = hi * 16 + lo;

			if (is_unreserved(c)) {
				buf_putc(b, (char)c);
			} else {
				char esc[3] = { '%', hex[hi], hex[lo] };

				buf_append(b, esc, 3);
			}
			i += 2;
		} else {
			buf_putc(b, s[i]);
		}
	}
}

static int
is_tracking(const char *p, size_t n)
{
	size_t i;

	if (n >= 4 && strncasecmp(p, "utm_", 4) == 0)
		return 1;
	/* Medium and others tag feed links with source=rss-... */
	if (n == 6 && strncasecmp(p, "source", 6) == 0 &&
	    strncasecmp(p + 6, "=rss", 4) == 0)
		return 1;
	for (i = 0; i < sizeof(tracking) / sizeof(tracking[0]); i++)
		if (strlen(tracking[i]) == n &&
		    strncasecmp(tracking[i], p, n) == 0)
			return 1;
	return 0;
}

struct qparam {
	const char *p;
	size_t	 len;		/* whole "name=value" */
	size_t	 nlen;		/* name only */
	size_t	 pos;		/* original order, for a stable sort */
};

static int
qparam_cmp(const void *a, const void *b)
{
	const struct qparam *x = a, *y = b;
	size_t n = x->nlen < y->nlen ? x->nlen : y->nlen;
	int c = memcmp(x->p, y->p, n);

	if (c != 0)
		return c;
	if (x->nlen != y->nlen)
		return x->nlen < y->nlen ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* "?a=1&b=2" without tracking parameters, sorted by name; maybe nothing. */
static void
put_query(struct buf *b, const char *q)
{
	struct qparam *v = xcalloc(strlen(q) / 2 + 1, sizeof(*v));
	size_t n = 0, i, len;
	const char *eq;

	for (; *q != '\0'; q += len + (q[len] == '&')) {
		len = strcspn(q, "&");
		eq = memchr(q, '=', len);
		v[n] = (struct qparam){ q, len, eq ? (size_t)(eq - q) : len, n };
		if (len > 0 && !is_tracking(q, v[n].nlen))
			n++;
	}
	qsort(v, n, sizeof(*v), qparam_cmp);
	for (i = 0; i < n; i++) {
		buf_putc(b, i == 0 ? '?' : '&');
		put_pct_normal(b, v[i].p, v[i].len);
	}
	free(v);
}

/* host[:port]path[?query] of a parsed http(s) URL. */
static char *
canonical_of(CURLU *h)
{
	struct buf b;
	char *host, *port, *path, *query, *s;
	size_t n;

	host = part_dup(h, CURLUPART_HOST, 0);
	port = part_dup(h, CURLUPART_PORT, CURLU_NO_DEFAULT_PORT);
	path = part_dup(h, CURLUPART_PATH, 0);
	query = part_dup(h, CURLUPART_QUERY, 0);
	buf_init(&b, 0);
	for (s = host; s != NULL && *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s += 'a' - 'A';
	s = host != NULL && strncmp(host, "www.", 4) == 0 && host[4] != '\0' ?
	    host + 4 : host;
	n = s != NULL ? strlen(s) : 0;
	buf_append(&b, s != NULL ? s : "", n > 1 && s[n - 1] == '.' ? n - 1 : n);
	if (port != NULL)
		buf_printf(&b, ":%s", port);
	for (n = path != NULL ? strlen(path) : 0; n > 0 && path[n - 1] == '/';)
		n--;
	put_pct_normal(&b, path != NULL ? path : "", n);
	if (query != NULL)
		put_query(&b, query);
	free(host);
	free(port);
	free(path);
	free(query);
	return buf_detach(&b);
}

char *
url_canonical(const char *url)
{
	CURLU *h;
	char *key, *t;

	if (url == NULL)
		return NULL;
	t = trim_copy(url);
	h = is_http_scheme(t) ? url_parse(t, NULL) : NULL;
	free(t);
	if (h == NULL)
		return NULL;
	key = canonical_of(h);
	curl_url_cleanup(h);
	return key;
}

int
url_is_http(const char *url)
{
	CURLU *h;

	if (url == NULL || !is_http_scheme(url))
		return 0;
	if (is_parsable_http(url))
		return 1;
	if ((h = url_parse(url, NULL)) == NULL)
		return 0;
	curl_url_cleanup(h);
	return 1;
}

char *
url_host(const char *url)
{
	CURLU *h;
	char *host, *s;

	if (url == NULL || scheme_len(url) == 0 ||
	    (h = url_parse(url, NULL)) == NULL)
		return NULL;
	host = part_dup(h, CURLUPART_HOST, 0);
	curl_url_cleanup(h);
	for (s = host; s != NULL && *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s += 'a' - 'A';
	return host;
}

char *
url_from_feed_scheme(const char *url)
{
	if (url == NULL)
		return NULL;
	if (strncasecmp(url, "feed://", 7) == 0)
		return xasprintf("http://%s", url + 7);
	if (strncasecmp(url, "feed:", 5) == 0 &&
	    (strncasecmp(url + 5, "http://", 7) == 0 ||
	    strncasecmp(url + 5, "https://", 8) == 0))
		return xstrdup(url + 5);
	return xstrdup(url);
}
