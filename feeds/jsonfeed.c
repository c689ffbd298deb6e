/*
 * jsonfeed: JSON Feed 1.0 and 1.1 into the document model, on cJSON.
 * Wrongly typed fields are skipped with a note in the document's errors;
 * only JSON that is not JSON, or not a JSON Feed, fails the whole parse.
 * Plain-text fields (content_text, summary) are HTML-escaped so that
 * summary and content always hold HTML, as feed.h says.
 */
#include <cJSON.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "feeds/entry.h"
#include "util/buf.h"
#include "util/hex.h"
#include "feeds/date.h"
#include "feeds/html.h"
#include "feeds/jsonfeed.h"
#include "feeds/url.h"

/*
 * cJSON's tree costs a 64-byte node (plus malloc's overhead) per value:
 * "[0,0,0,...]" grows 40-fold.  Its allocations while one document is
 * parsed are charged to a budget of JSON_TREE_FACTOR times the
 * document's size; past it the parse fails.  The budget is per thread
 * (parses run on libuv's workers) and the hooks are set once.
 */
#define JSON_TREE_FACTOR	12
#define JSON_TREE_MIN		(1024 * 1024)
#define JSON_ALLOC_OVERHEAD	16

struct tree_budget {
	size_t	 left;
	int	 over;
};

static _Thread_local struct tree_budget *tl_budget;
static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

static void *
budget_malloc(size_t n)
{
	struct tree_budget *b = tl_budget;

	if (b != NULL) {
		if (b->over || n + JSON_ALLOC_OVERHEAD > b->left) {
			b->over = 1;
			return NULL;
		}
		b->left -= n + JSON_ALLOC_OVERHEAD;
	}
	return malloc(n);
}

static void
budget_free(void *p)
{
	free(p);
}

static void
hooks_init(void)
{
	cJSON_Hooks h = { budget_malloc, budget_free };

	cJSON_InitHooks(&h);
}

struct jf {
	struct feed_doc *doc;
	const char *base;		/* what relative URLs resolve against */
	char	*feed_authors;		/* top-level authors, the fallback */
	const cJSON *root;		/* the feed object */
	unsigned flags;			/* FEED_PARSE_* */
};

/* The string at obj.key; a note in errors when present but not a string. */
static const char *
get_str(struct jf *jf, const cJSON *obj, const char *key, const char *where)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (v == NULL || cJSON_IsNull(v))
		return NULL;
	if (!cJSON_IsString(v)) {
		feed_doc_add_error(jf->doc, "%s: \"%s\" is not a string", where,
		    key);
		return NULL;
	}
	return v->valuestring[0] != '\0' ? v->valuestring : NULL;
}

static char *
resolve(struct jf *jf, const char *url)
{
	return url != NULL ? url_resolve(jf->base, url) : NULL;
}

/* An author object's key ("name" or "url"), or NULL when empty. */
static const char *
author_field(const cJSON *a, const char *key)
{
	const char *v;

	if (!cJSON_IsObject(a))
		return NULL;
	v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, key));
	return v != NULL && *v != '\0' ? v : NULL;
}

/* The name the feed's authors (feed: an object with "authors" or
 * "author", or NULL) give the url, else the url itself. */
static const char *
name_of_url(const cJSON *feed, const char *url)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(feed, "authors");
	const cJSON *one = cJSON_GetObjectItemCaseSensitive(feed, "author");
	const cJSON *a;
	const char *v;
	int	 seen = 0;

	if (cJSON_IsArray(list))
		cJSON_ArrayForEach(a, list) {
			if (seen++ == FEED_MAX_AUTHORS)
				break;
			if ((v = author_field(a, "url")) != NULL &&
			    strcmp(v, url) == 0 && author_field(a, "name"))
				return author_field(a, "name");
		}
	if ((v = author_field(one, "url")) != NULL && strcmp(v, url) == 0 &&
	    author_field(one, "name"))
		return author_field(one, "name");
	return url;
}

/* The authors' key values joined ("Ann, Bob") into b, the first
 * FEED_MAX_AUTHORS and while they fit FEED_AUTHORS_MAX_LEN (as XML's);
 * a url named by the feed's authors as that name. */
static void
authors_join(struct buf *b, const cJSON *list, const cJSON *one,
    const char *key, const cJSON *feed)
{
	const cJSON *a;
	const char *v;
	int	 seen = 0;

	if (cJSON_IsArray(list))
		cJSON_ArrayForEach(a, list) {
			if (seen++ == FEED_MAX_AUTHORS)
				break;
			if ((v = author_field(a, key)) == NULL)
				continue;
			v = feed ? name_of_url(feed, v) : v;
			if (b->len > 0 && b->len + 2 + strlen(v) >
			    FEED_AUTHORS_MAX_LEN)
				break;
			buf_printf(b, "%s%s", b->len ? ", " : "", v);
		}
	if (b->len == 0 && (v = author_field(one, key)) != NULL)
		buf_puts(b, feed ? name_of_url(feed, v) : v);
}

/*
 * Names of a 1.1 "authors" array or a 1.0 "author" object, ", " joined.
 * Only when none has a name, their urls (as the feed's authors name
 * them, given feed): an item whose authors give only a url has authors
 * all the same, and the feed's are not theirs (the top-level authors
 * apply "if not specified in an item", jsonfeed.org 1.1).
 */
static char *
get_authors(const cJSON *obj, const cJSON *feed)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(obj, "authors");
	const cJSON *one = cJSON_GetObjectItemCaseSensitive(obj, "author");
	struct buf b;

	buf_init(&b, 0);
	authors_join(&b, list, one, "name", NULL);
	if (b.len == 0)
		authors_join(&b, list, one, "url", feed);
	if (b.len == 0) {
		buf_cleanup(&b);
		return NULL;
	}
	return buf_detach(&b);
}

/* A string id as given, a number as its shortest decimal form. */
static char *
get_id(const cJSON *item)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, "id");
	double d;

	if (cJSON_IsString(v) && v->valuestring[0] != '\0')
		return xstrdup(v->valuestring);
	if (!cJSON_IsNumber(v))
		return NULL;
	d = v->valuedouble;
	if (d == (double)(long long)d && d > -9e15 && d < 9e15)
		return xasprintf("%lld", (long long)d);
	return xasprintf("%.15g", d);
}

static int64_t
get_date(struct jf *jf, const cJSON *item, const char *key, size_t n)
{
	char where[32];
	const char *s;
	int64_t t;

	snprintf(where, sizeof(where), "item %zu", n + 1);
	if ((s = get_str(jf, item, key, where)) == NULL)
		return FEED_TIME_NONE;
	if (date_parse(s, &t) == 0)
		return t;
	feed_doc_add_error(jf->doc, "%s: unparseable %s \"%.80s\"", where, key,
	    s);
	return FEED_TIME_NONE;
}

static void
get_attachments(struct jf *jf, const cJSON *item, struct feed_item *it)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(item,
	    "attachments");
	const cJSON *a, *size;
	const char *url, *type;
	int64_t len;

	if (!cJSON_IsArray(list))
		return;
	cJSON_ArrayForEach(a, list) {
		url = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(a, "url"));
		if (!cJSON_IsObject(a) || url == NULL || *url == '\0')
			continue;
		type = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(a, "mime_type"));
		size = cJSON_GetObjectItemCaseSensitive(a, "size_in_bytes");
		len = -1;
		if (cJSON_IsNumber(size) && size->valuedouble >= 0 &&
		    size->valuedouble < 9e18)
			len = (int64_t)size->valuedouble;
		feed_item_add_enclosure(it, resolve(jf, url),
		    type != NULL && *type != '\0' ? xstrdup(type) : NULL, len);
	}
}

static void
get_tags(const cJSON *item, struct feed_item *it)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(item, "tags");
	const cJSON *t;

	if (!cJSON_IsArray(list))
		return;
	cJSON_ArrayForEach(t, list)
		if (cJSON_IsString(t) && t->valuestring[0] != '\0')
			feed_item_add_category(it, t->valuestring);
}

static void
get_item(struct jf *jf, const cJSON *item, size_t n)
{
	struct feed_item *it = feed_doc_add_item(jf->doc);
	const char *s, *html;
	char where[32];

	snprintf(where, sizeof(where), "item %zu", n + 1);
	it->id = get_id(item);
	if ((s = get_str(jf, item, "title", where)) != NULL)
		it->title = html_title_text(s);
	if ((s = get_str(jf, item, "url", where)) == NULL)
		s = get_str(jf, item, "external_url", where);
	it->link = resolve(jf, s);
	html = get_str(jf, item, "content_html", where);
	s = get_str(jf, item, "content_text", where);
	/* relative URLs as in RSS and Atom content (INTERFACE.md) */
	if (html != NULL && (jf->flags & FEED_PARSE_KEEP_REFS)) {
		it->content = xstrdup(html);
		if (jf->base != NULL && html_has_relative(html))
			it->content_base = xstrdup(jf->base);
	} else if (html != NULL &&
	    (it->content = html_resolve(html, jf->base)) == NULL)
		it->content = xstrdup(html);
	else if (html == NULL)
		it->content = html_escape_text(s);
	it->summary = html_escape_text(get_str(jf, item, "summary", where));
	it->published = get_date(jf, item, "date_published", n);
	it->updated = get_date(jf, item, "date_modified", n);
	if ((it->author = get_authors(item, jf->root)) == NULL)
		it->author = xstrdup_or_null(jf->feed_authors);
	get_tags(item, it);
	get_attachments(jf, item, it);
}

/*
 * FEED_FORMAT_JSON10 / JSON11 from "version", or UNKNOWN.  Some
 * generators write the bare number ("1.1"); that is taken as the
 * version only when the object also has the items array every JSON
 * Feed has, so that other JSON with a version field stays "not a feed".
 */
static enum feed_format
get_version(const cJSON *root)
{
	const char *v = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(root, "version"));
	const char *rest;

	if (v == NULL)
		return FEED_FORMAT_UNKNOWN;
	if (strncmp(v, "https://jsonfeed.org/version/", 29) == 0)
		rest = v + 29;
	else if (strncmp(v, "http://jsonfeed.org/version/", 28) == 0)
		rest = v + 28;
	else if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root,
	    "items")) && (strcmp(v, "1") == 0 || strcmp(v, "1.0") == 0))
		return FEED_FORMAT_JSON10;
	else if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root,
	    "items")) && strcmp(v, "1.1") == 0)
		return FEED_FORMAT_JSON11;
	else
		return FEED_FORMAT_UNKNOWN;
	if (strcmp(rest, "1") == 0 || strcmp(rest, "1/") == 0)
		return FEED_FORMAT_JSON10;
	return rest[0] == '1' ? FEED_FORMAT_JSON11 : FEED_FORMAT_UNKNOWN;
}

static void
get_feed(struct jf *jf, const cJSON *root, const char *base_url)
{
	struct feed_doc *doc = jf->doc;
	const cJSON *items, *item;
	const char *s;
	size_t n = 0;

	doc->id = url_resolve(base_url, get_str(jf, root, "feed_url", "feed"));
	jf->base = base_url;
	if (jf->base == NULL && doc->id != NULL && url_is_http(doc->id))
		jf->base = doc->id;
	if ((s = get_str(jf, root, "title", "feed")) != NULL)
		doc->title = html_title_text(s);
	doc->link = resolve(jf, get_str(jf, root, "home_page_url", "feed"));
	doc->description = xstrdup_or_null(get_str(jf, root, "description",
	    "feed"));
	doc->language = xstrdup_or_null(get_str(jf, root, "language", "feed"));
	jf->root = root;
	jf->feed_authors = get_authors(root, NULL);
	doc->author = xstrdup_or_null(jf->feed_authors);
	items = cJSON_GetObjectItemCaseSensitive(root, "items");
	if (items != NULL && !cJSON_IsArray(items)) {
		feed_doc_add_error(doc, "feed: \"items\" is not an array");
		items = NULL;
	}
	cJSON_ArrayForEach(item, items) {
		if (n >= FEED_MAX_ITEMS) {
			feed_doc_add_error(doc, "more than %d items: %d ignored",
			    FEED_MAX_ITEMS, cJSON_GetArraySize(items) -
			    FEED_MAX_ITEMS);
			break;
		}
		if (cJSON_IsObject(item))
			get_item(jf, item, n);
		else
			feed_doc_add_error(doc, "item %zu: not an object", n + 1);
		n++;
	}
}

/* Digits an integer keeps through cJSON's double exactly. */
#define JSON_EXACT_DIGITS 15

/*
 * The end of the integer at p (before end) with more digits than a
 * double keeps, or NULL: "-?[0-9]{16,}" not followed by '.', 'e', 'E'.
 */
static const char *
long_integer(const char *p, const char *end)
{
	const char *q = p + (p < end && *p == '-');
	const char *d = q;

	while (q < end && *q >= '0' && *q <= '9')
		q++;
	if (q - d <= JSON_EXACT_DIGITS || (q < end && (*q == '.' ||
	    *q == 'e' || *q == 'E')))
		return NULL;
	return q;
}

/*
 * The next "id" member from p on whose value is an integer of more than
 * JSON_EXACT_DIGITS digits: its start, its end in *numend; or NULL.
 * Strings are skipped whole, escapes included.
 */
static const char *
next_long_id(const char *p, const char *end, const char **numend)
{
	while (p < end) {
		const char *s = memchr(p, '"', (size_t)(end - p)), *q, *num;

		if (s == NULL)
			return NULL;
		for (q = s + 1; q < end && *q != '"'; q++)
			if (*q == '\\')
				q++;
		if (q >= end)
			return NULL;
		p = q + 1;
		if (q - s != 3 || memcmp(s + 1, "id", 2) != 0)
			continue;
		for (num = p; num < end && strchr(" \t\r\n", *num); num++)
			;
		if (num >= end || *num != ':')
			continue;
		for (num++; num < end && strchr(" \t\r\n", *num); num++)
			;
		if ((*numend = long_integer(num, end)) != NULL)
			return num;
	}
	return NULL;
}

/*
 * A copy of data in which every "id" member that is an integer of more
 * than 15 digits is a string of those digits, or NULL when it has none.
 * Snowflake ids (1794000000000000001) lost their last digits in cJSON's
 * double, and two items became one id; the spec has a number id read
 * as a string.
 */
static char *
quote_long_ids(const char *data, size_t len, size_t *outlen)
{
	const char *p = data, *end = data + len, *num, *numend;
	struct buf b;

	if ((num = next_long_id(p, end, &numend)) == NULL)
		return NULL;
	buf_init(&b, 0);
	(void)buf_reserve(&b, len + 64);
	do {
		buf_append(&b, p, (size_t)(num - p));
		buf_putc(&b, '"');
		buf_append(&b, num, (size_t)(numend - num));
		buf_putc(&b, '"');
		p = numend;
	} while ((num = next_long_id(p, end, &numend)) != NULL);
	buf_append(&b, p, (size_t)(end - p));
	*outlen = b.len;
	return buf_detach(&b);
}

/* The value of 4 hex digits at p, or -1. */
static int
hex4(const char *p)
{
	int v = 0, d;

	for (int i = 0; i < 4; i++) {
		if ((d = hex_digit(p[i])) < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

/*
 * data with each "\uD8xx"-"\uDFxx" escape that is no half of a pair,
 * and each "\u0000", written as "\uFFFD" (in place: the same length).
 * RFC 8259 8.2 has such strings grammatical, but cJSON refuses the
 * whole document for the one (a summary cut by a JavaScript substring()
 * in the middle of an emoji cost every item) and ends the string at
 * the other (a title or content_html lost all after it).  Escapes are
 * found after an odd run of backslashes.
 */
static void
mend_escapes(char *data, size_t len)
{
	char *p = data, *end = data + len;

	while ((p = memmem(p, (size_t)(end - p), "\\u", 2)) != NULL &&
	    end - p >= 6) {
		size_t run = 0;
		int v, w;

		while (p - run > data && p[-1 - (ptrdiff_t)run] == '\\')
			run++;
		if (run % 2 == 1 || (v = hex4(p + 2)) < 0 ||
		    (v != 0 && (v < 0xD800 || v > 0xDFFF))) {
			p += 2;
			continue;
		}
		if (v < 0xDC00 && end - p >= 12 && p[6] == '\\' &&
		    p[7] == 'u' && (w = hex4(p + 8)) >= 0xDC00 && w <= 0xDFFF) {
			p += 12;	/* a pair */
			continue;
		}
		memcpy(p + 2, "FFFD", 4);
		p += 6;
	}
}

/* How deep in arrays and objects byte at of data is (strings skipped):
 * cJSON gives up at CJSON_NESTING_LIMIT, and says only where. */
static int
json_depth_at(const char *data, size_t at)
{
	int	 depth = 0, in_string = 0;

	for (size_t i = 0; i < at; i++) {
		if (in_string) {
			if (data[i] == '\\')
				i++;
			else if (data[i] == '"')
				in_string = 0;
		} else if (data[i] == '"')
			in_string = 1;
		else if (data[i] == '[' || data[i] == '{')
			depth++;
		else if ((data[i] == ']' || data[i] == '}') && depth > 0)
			depth--;
	}
	return depth;
}

/* cJSON's tree of data, made within b's budget of left bytes. */
static cJSON *
parse_within(const char *data, size_t len, const char **end,
    struct tree_budget *b, size_t left)
{
	cJSON *root;

	b->left = left;
	tl_budget = b;
	root = cJSON_ParseWithLengthOpts(data, len, end, 0);
	tl_budget = NULL;
	return root;
}

/* Parses data into a cJSON tree, or NULL with the reason in *errstr. */
static cJSON *
parse_json(const char *data, size_t len, char **errstr)
{
	const char *end = NULL;
	cJSON *root;
	size_t n, at;
	struct tree_budget b = { 0, 0 };
	size_t budget, qlen = 0;
	char *quoted;

	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3;
		len -= 3;
	}
	pthread_once(&hooks_once, hooks_init);
	budget = len < JSON_TREE_MIN / JSON_TREE_FACTOR ? JSON_TREE_MIN :
	    len * JSON_TREE_FACTOR;
	if ((quoted = quote_long_ids(data, len, &qlen)) == NULL &&
	    memmem(data, len, "\\u", 2) != NULL) {
		quoted = xmalloc(len + 1);	/* a copy to mend */
		memcpy(quoted, data, len);
		quoted[len] = '\0';
		qlen = len;
	}
	if (quoted != NULL) {
		mend_escapes(quoted, qlen);
		root = parse_within(quoted, qlen, NULL, &b, budget);
	} else
		root = parse_within(data, len, &end, &b, budget);
	free(quoted);
	if (root != NULL)
		return root;
	if (b.over) {
		*errstr = xasprintf("not a feed: JSON of %zu bytes needs more "
		    "than %zu bytes of memory (too many values)", len, budget);
		return NULL;
	}
	if (quoted != NULL)	/* its error is found in the original */
		cJSON_Delete(parse_within(data, len, &end, &b, budget));
	/* cJSON points at the start of an unterminated string, not its end. */
	for (n = len; n > 0 && strchr(" \t\r\n", data[n - 1]) != NULL; n--)
		;
	at = end != NULL ? (size_t)(end - data) : n;
	if (json_depth_at(data, at) >= CJSON_NESTING_LIMIT)
		*errstr = xasprintf("not a feed: JSON nested deeper than %d "
		    "at byte %zu", CJSON_NESTING_LIMIT, at);
	else if (n == 0 || at + 1 >= n ||
	    (data[n - 1] != '}' && data[n - 1] != ']'))
		*errstr = xasprintf("not a feed: truncated JSON (%zu bytes, "
		    "invalid from byte %zu)", n, at);
	else
		*errstr = xasprintf("not a feed: invalid JSON at byte %zu", at);
	return NULL;
}

/*
 * JSON may carry what XML cannot (escaped controls, U+FFFE, lone
 * surrogates) and cJSON passes invalid UTF-8 through: every string is
 * cleaned the way XML text is, once, before any field is read.
 */
static size_t
clean_strings(cJSON *node)
{
	size_t	 cut = 0;

	for (; node != NULL; node = node->next) {
		if (cJSON_IsString(node) && node->valuestring != NULL) {
			char *clean = entry_clean_text(node->valuestring,
			    FEED_MAX_TEXT, 0);

			cut += strlen(node->valuestring) > FEED_MAX_TEXT;
			if (strcmp(clean, node->valuestring) != 0)
				strcpy(node->valuestring, clean); /* shorter */
			free(clean);
		}
		cut += clean_strings(node->child);
	}
	return cut;
}

struct feed_doc *
jsonfeed_parse(const char *data, size_t len, const char *base_url,
    unsigned flags, char **errstr)
{
	struct jf jf = { .flags = flags };
	cJSON *root;
	enum feed_format fmt;
	char *err = NULL;
	size_t	 cut;

	if ((root = parse_json(data, len, &err)) == NULL)
		goto out;
	cut = clean_strings(root);
	fmt = cJSON_IsObject(root) ? get_version(root) : FEED_FORMAT_UNKNOWN;
	if (fmt == FEED_FORMAT_UNKNOWN) {
		err = xstrdup("not a feed: JSON without a jsonfeed.org version");
		goto out;
	}
	jf.doc = feed_doc_new();
	jf.doc->format = fmt;
	if (cut > 0)
		feed_doc_add_error(jf.doc, "%zu string%s longer than %d bytes, "
		    "cut", cut, cut == 1 ? "" : "s", FEED_MAX_TEXT);
	get_feed(&jf, root, base_url);
out:
	cJSON_Delete(root);
	free(jf.feed_authors);
	if (errstr != NULL)
		*errstr = err;
	else
		free(err);
	return jf.doc;
}
