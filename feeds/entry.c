/*
 * entry: story rows become clean entries, the one list every writer
 * (atom_out.c, jsonfeed_out.c) serializes: one entry per story (stories
 * sharing a link all kept, the older ones naming it as related), ids
 * valid IRIs or minted tags, links http(s) and percent-encoded
 * (feeds/iri.h), the story's other sources (related links and an "Also
 * reported by" line), dates readers can trust, author, enclosures, language
 * and atom:source filled from the row, text cleaned to what XML allows
 * (so any output is well-formed), HTML capped, sanitized and made
 * absolute, and the list sorted by updated.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "feeds/entry.h"
#include "feeds/html.h"
#include "feeds/iri.h"
#include "util/buf.h"
#include "util/hash.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#define ENTRY_MAX_CATEGORIES	32
#define ENTRY_CATEGORY_MAX	400
#define ENTRY_MAX_ENCLOSURES	16

/*
 * Characters XML 1.0 allows and readers show (the decoder already
 * refuses surrogates): no C0 controls but tab, LF, CR; no C1 controls
 * (mojibake, never text); no noncharacters (U+FDD0..U+FDEF, U+xFFFE,
 * U+xFFFF), which XML 1.0 discourages and validators flag.
 */
static int
xml_char_ok(uint32_t c)
{
	if (c < 0x20)
		return c == '\t' || c == '\n' || c == '\r';
	if (c >= 0x80 && c <= 0x9f)
		return 0;
	if (c >= 0xfdd0 && c <= 0xfdef)
		return 0;
	return (c & 0xfffe) != 0xfffe;
}

static int
is_fold_space(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == 0x85 || c == 0xa0 || c == 0x2028 || c == 0x2029;
}

char *
entry_clean_text(const char *s, size_t max, int fold)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t	 len, n, o = 0;
	uint32_t c;
	char	*out;
	int	 pending_space = 0;

	if (s == NULL)
		return NULL;
	len = strlen(s);
	/*
	 * The text only shrinks (a run of spaces becomes one): one buffer
	 * of the input's size, written in place.  Growing a buffer a
	 * character at a time was a fifth of rendering the outputs.
	 */
	out = xmalloc(len + 1);
	while (len > 0) {
		if (*p >= 0x20 && *p < 0x7f) {
			c = *p;		/* printable ASCII: always kept */
			n = 1;
		} else if ((n = utf8_decode(p, len, &c)) == 0) {
			p++, len--;		/* invalid byte: dropped */
			continue;
		}
		if (fold && is_fold_space(c)) {
			pending_space = o > 0;
			p += n, len -= n;
			continue;
		}
		if (xml_char_ok(c)) {
			if (max > 0 && o + n + (size_t)pending_space > max)
				break;
			if (pending_space)
				out[o++] = ' ';
			pending_space = 0;
			memcpy(out + o, p, n);
			o += n;
		}
		p += n, len -= n;
	}
	out[o] = '\0';
	return out;
}

int
entry_is_iri(const char *s)
{
	return iri_id_ok(s);
}

char *
entry_tag_uri(const char *prefix, const char *key)
{
	return xasprintf("tag:feedd,2026:%s-%016llx", prefix,
	    (unsigned long long)hash_str(key));
}

static int
nonempty(const char *s)
{
	return s != NULL && *s != '\0';
}

/* Clean, folded text, or NULL when nothing is left. */
static char *
clean_or_null(const char *s, size_t max)
{
	char	*t = entry_clean_text(s, max, 1);

	if (t != NULL && *t == '\0') {
		free(t);
		t = NULL;
	}
	return t;
}

/*
 * HTML for output: capped before sanitizing so the markup stays whole.
 * inner: the base its relative URLs were left for (story_row), or NULL.
 */
static char *
prepare_html(const char *html, const char *inner, const char *base)
{
	char	*capped, *safe, *clean;

	if (!nonempty(html))
		return NULL;
	capped = entry_clean_text(html, ENTRY_CONTENT_MAX, 0);
	safe = html_sanitize_within(capped, inner, base);
	free(capped);
	clean = entry_clean_text(safe, 4 * ENTRY_CONTENT_MAX, 0);
	free(safe);
	if (clean != NULL && clean[strspn(clean, " \t\r\n")] == '\0') {
		free(clean);
		clean = NULL;
	}
	return clean;
}

/* The summary as plain text, capped; NULL when no text is left. */
static char *
prepare_summary_text(const char *summary)
{
	char	*text, *clean;

	if (summary == NULL)
		return NULL;
	text = html_to_text(summary);
	clean = clean_or_null(text, ENTRY_SUMMARY_TEXT_MAX);
	free(text);
	return clean;
}

static char *
prepare_title(const struct story_row *r, const char *link)
{
	char	*t = clean_or_null(r->title, ENTRY_TITLE_MAX);

	if (t != NULL)
		return t;
	return xstrdup(link != NULL ? link : "(untitled)");
}

/*
 * The entry's own id when it is a valid IRI, else a tag derived from it
 * (stable: the same feed and id always give the same tag).
 */
static char *
prepare_id(const struct story_row *r, const char *link)
{
	char	*key, *id;

	if (strlen(r->entry_id ? r->entry_id : "") < 2048 &&
	    iri_id_ok(r->entry_id))
		return xstrdup(r->entry_id);
	if (nonempty(r->entry_id))
		key = xasprintf("%s\n%s", r->feed_url ? r->feed_url : "",
		    r->entry_id);
	else if (link != NULL)
		key = iri_http_link_as_written(r->link);	/* ids never change */
	else
		key = xasprintf("story\n%lld", (long long)r->story_id);
	id = entry_tag_uri("entry", key);
	free(key);
	return id;
}

/*
 * Each term once: a source that repeats one ("music" twice, "nc" as
 * both network and region) would otherwise read as two categories in
 * some readers and one in others (feedparser, python and node, keep one).
 */
static int
has_category(const struct entry *e, const char *c)
{
	for (size_t j = 0; j < e->ncategories; j++)
		if (strcmp(e->categories[j], c) == 0)
			return 1;
	return 0;
}

static void
prepare_categories(struct entry *e, const struct story_row *r)
{
	size_t	 i;

	e->categories = xcalloc(r->ncategories + 1, sizeof(char *));
	for (i = 0; i < r->ncategories &&
	    e->ncategories < ENTRY_MAX_CATEGORIES; i++) {
		char *c = clean_or_null(r->categories[i], ENTRY_CATEGORY_MAX);

		if (c != NULL && has_category(e, c))
			free(c);
		else if (c != NULL)
			e->categories[e->ncategories++] = c;
	}
}

/* A MIME type as Atom and JSON Feed want it (type/subtype), or NULL. */
static char *
media_type(const char *s)
{
	size_t	 a, b;

	if (s == NULL)
		return NULL;
	s += strspn(s, " \t");
	a = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789!#$&^_.+-");
	if (a == 0 || s[a] != '/')
		return NULL;
	b = strspn(s + a + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRST"
	    "UVWXYZ0123456789!#$&^_.+-");
	if (b == 0 || a + 1 + b > 127)
		return NULL;
	return xstrndup(s, a + 1 + b);
}

static void
prepare_enclosures(struct entry *e, const struct story_row *r)
{
	e->enclosures = xcalloc(r->nenclosures + 1, sizeof(*e->enclosures));
	for (size_t i = 0; i < r->nenclosures &&
	    e->nenclosures < ENTRY_MAX_ENCLOSURES; i++) {
		struct feed_enclosure *x = &e->enclosures[e->nenclosures];
		char *url = iri_http_link(r->enclosures[i].url);
		size_t j;

		for (j = 0; url != NULL && j < e->nenclosures; j++)
			if (strcmp(e->enclosures[j].url, url) == 0)
				break;
		if (url == NULL || j < e->nenclosures) {
			free(url);
			continue;
		}
		x->url = url;
		x->type = media_type(r->enclosures[i].type);
		x->length = r->enclosures[i].length;
		e->nenclosures++;
	}
}

/*
 * An addr-spec as readers and validators take one: a dot-atom local
 * part, "@", then host labels (letters, digits, "-") with a dot between;
 * not "a@b.example?subject=x".
 */
static int
is_email(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n), *p;
	int	 dots = 0;

	if (at == NULL || at == s || at == s + n - 1)
		return 0;
	for (p = s; p < at; p++)
		if (!isalnum((unsigned char)*p) &&
		    strchr("._+-'!#$%&*/=?^`{|}~", *p) == NULL)
			return 0;
	for (p = at + 1; p < s + n; p++) {
		if (*p == '.') {
			if (p == at + 1 || p[-1] == '.' || p == s + n - 1)
				return 0;
			dots++;
		} else if (!isalnum((unsigned char)*p) && *p != '-')
			return 0;
	}
	return dots > 0;
}

/* A name without markup: tags dropped and references decoded. */
static char *
plain_name(const char *s, size_t n)
{
	char	*raw = xstrndup(s, n), *text, *clean;

	if (strpbrk(raw, "<&") == NULL)
		text = raw;
	else {
		text = html_to_text(raw);
		free(raw);
	}
	clean = clean_or_null(text, ENTRY_TITLE_MAX);
	free(text);
	if (clean != NULL)
		clean[strcspn(clean, "<>")] = '\0';	/* left after a bad tag */
	if (clean != NULL && *clean == '\0') {
		free(clean);
		clean = NULL;
	}
	return clean;
}

/*
 * The item's author, else its feed's.  RSS gives "email (Name)", some
 * feeds "Name <email>" or a bare address; the name loses any markup.
 */
static void
prepare_author(struct entry *e, const struct story_row *r)
{
	char	*a = clean_or_null(nonempty(r->author) ? r->author :
	    r->feed_author, ENTRY_TITLE_MAX);
	size_t	 n, sp;
	char	*lt;

	if (a == NULL)
		return;
	n = strlen(a);
	sp = strcspn(a, " ");
	if (a[n - 1] == ')' && a[sp] == ' ' && a[sp + 1] == '(' &&
	    is_email(a, sp)) {
		e->author_email = xstrndup(a, sp);
		e->author = plain_name(a + sp + 2, n - sp - 3);
	} else if (a[n - 1] == '>' && (lt = strrchr(a, '<')) != NULL &&
	    is_email(lt + 1, (size_t)(a + n - 1 - (lt + 1)))) {
		e->author_email = xstrndup(lt + 1, (size_t)(a + n - 2 - lt));
		e->author = plain_name(a, (size_t)(lt - a));
	} else if (is_email(a, n)) {
		e->author_email = xstrdup(a);
	} else
		e->author = plain_name(a, n);
	if (e->author == NULL && e->author_email != NULL)
		e->author = xstrdup(e->author_email);
	free(a);
}

/*
 * An xml:lang value: an ISO 639 code of 2 or 3 letters, then subtags of
 * up to 8 letters or digits ("en_US" taken as "en-US"); NULL for
 * anything else ("English"), which readers would not understand.
 */
static char *
prepare_lang(const char *s)
{
	char	*t, *p;
	size_t	 run = 0, first;

	if ((t = clean_or_null(s, 64)) == NULL)
		return NULL;
	for (p = t; *p != '\0'; p++)
		if (*p == '_')
			*p = '-';
	first = strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
	if (first < 2 || first > 3 || (t[first] != '\0' && t[first] != '-'))
		goto bad;
	for (p = t + first; *p != '\0'; p++) {
		if (*p == '-') {
			if (p[1] == '\0' || p[1] == '-')
				goto bad;
			run = 0;
		} else if (!isalnum((unsigned char)*p) || ++run > 8)
			goto bad;
	}
	return t;
bad:
	free(t);
	return NULL;
}

static void
prepare_source(struct entry *e, const struct story_row *r)
{
	char	*t;

	e->src_self = iri_http_link(r->feed_url);
	if (iri_id_ok(r->feed_doc_id) && strlen(r->feed_doc_id) < 2048)
		e->src_id = xstrdup(r->feed_doc_id);
	else if (e->src_self != NULL)
		e->src_id = iri_http_link_as_written(r->feed_url);
	else
		e->src_id = entry_tag_uri("source", r->feed_url ? r->feed_url :
		    r->feed_name ? r->feed_name : "");
	e->src_link = iri_http_link(r->feed_link);
	e->src_updated = r->feed_updated != FEED_TIME_NONE &&
	    r->feed_updated <= r->first_seen ? r->feed_updated : e->updated;
	t = clean_or_null(r->feed_title, ENTRY_TITLE_MAX);
	if (t == NULL)
		t = clean_or_null(r->feed_name, ENTRY_TITLE_MAX);
	if (t == NULL)
		t = xstrdup(e->src_link ? e->src_link : "(unnamed feed)");
	e->src_title = t;
}

/*
 * Dates readers can trust: a date after the story was first seen is a
 * clock or a promise, not news, and becomes first seen; an undated item
 * takes the story's date (its feed's date, else first seen).
 */
static void
prepare_dates(struct entry *e, const struct story_row *r, int64_t now)
{
	int64_t	 fallback = r->sort_time != 0 ? r->sort_time : r->first_seen;

	e->published = r->published;
	if (e->published != FEED_TIME_NONE && e->published > r->first_seen)
		e->published = r->first_seen;
	e->updated = r->updated;
	if (e->updated != FEED_TIME_NONE && e->updated > now)
		e->updated = r->first_seen;
	if (e->updated != FEED_TIME_NONE && e->published != FEED_TIME_NONE &&
	    e->updated < e->published)
		e->updated = e->published;
	if (e->updated == FEED_TIME_NONE)
		e->updated = e->published != FEED_TIME_NONE ? e->published :
		    fallback;
}

/*
 * What relative URLs in the entry's HTML resolve against: its link,
 * else its id when that is an http(s) URL, else its feed's page, else
 * the feed's own URL, so that no relative reference is left.
 */
static char *
html_base(const char *link, const char *src_link, const struct story_row *r)
{
	char	*base;

	if (link != NULL)
		return xstrdup(link);
	if ((base = iri_http_link(r->entry_id)) != NULL)
		return base;
	if (src_link != NULL)
		return xstrdup(src_link);
	return xstrdup_or_null(r->feed_url);
}

/* The key of HTML made for the entry of r with link (see html_base). */
static int64_t
html_key_for(const struct story_row *r, const char *link)
{
	char	*src = link == NULL ? iri_http_link(r->feed_link) : NULL;
	char	*base = html_base(link, src, r);
	int64_t	 key = entry_html_key(base);

	free(base);
	free(src);
	return key;
}

#define ENTRY_MAX_RELATED	32

/* The name a source's feed goes by: its title, else its name. */
static char *
source_name(const char *title, const char *name)
{
	char	*t = clean_or_null(title, ENTRY_TITLE_MAX);

	return t != NULL ? t : clean_or_null(name, ENTRY_TITLE_MAX);
}

/*
 * The story's other sources (grouped items of other feeds, or the same
 * link from another feed), each page once and not the entry's own, and
 * the entry's date moved to when the newest one joined, so readers show
 * the entry again.
 */
static void
prepare_related(struct entry *e, const struct story_row *r)
{
	e->related = xcalloc(r->nothers + 1, sizeof(*e->related));
	for (size_t i = 0; i < r->nothers &&
	    e->nrelated < ENTRY_MAX_RELATED; i++) {
		const struct story_source *o = &r->others[i];
		char	*href = iri_http_link(o->link), *name;
		size_t	 j;

		for (j = 0; href != NULL && j < e->nrelated; j++)
			if (strcmp(e->related[j].href, href) == 0)
				break;
		if (href == NULL || j < e->nrelated ||
		    (e->link != NULL && strcmp(href, e->link) == 0) ||
		    (name = source_name(o->feed_title, o->feed_name)) == NULL) {
			free(href);
			continue;
		}
		e->related[e->nrelated].href = href;
		e->related[e->nrelated++].title = name;
	}
	/*
	 * the newest item joined a poll later than the story began (the
	 * shortest interval is a minute; one poll's items arrive within
	 * it): readers show the entry again.  store_stories_each orders
	 * by this same date, so the newest item counts even when its page
	 * is not listed (the entry's own link, or no http(s) link).
	 */
	if (r->last_seen >= r->first_seen + STORE_JOIN_LATER &&
	    r->last_seen > e->updated)
		e->updated = r->last_seen;
}

/*
 * "Also reported by: A, B" closes the entry's HTML (its content, else
 * its summary, else it becomes the content), each feed named once.
 */
static void
append_sources(struct entry *e)
{
	char	**html = e->content != NULL ? &e->content :
	    e->summary != NULL ? &e->summary : &e->content;
	struct buf b;
	size_t	 shown = 0;

	if (e->nrelated == 0)
		return;
	buf_init(&b, 0);
	buf_puts(&b, *html != NULL ? *html : "");
	buf_puts(&b, "<p>Also reported by: ");
	for (size_t i = 0; i < e->nrelated; i++) {
		size_t	 j;

		for (j = 0; j < i; j++)
			if (strcmp(e->related[j].title, e->related[i].title) == 0)
				break;
		if (j < i || strcmp(e->related[i].title, e->src_title) == 0)
			continue;
		buf_puts(&b, shown++ > 0 ? ", <a href=\"" : "<a href=\"");
		html_escape_into(&b, e->related[i].href, 1);
		buf_puts(&b, "\">");
		html_escape_into(&b, e->related[i].title, 1);
		buf_puts(&b, "</a>");
	}
	buf_puts(&b, "</p>");
	if (shown == 0) {
		buf_cleanup(&b);
		return;
	}
	free(*html);
	*html = buf_detach(&b);
	if (html == &e->summary) {
		free(e->summary_text);
		e->summary_text = prepare_summary_text(e->summary);
	}
}

int64_t
entry_html_key(const char *base)
{
	uint64_t h = html_sanitize_hash(HASH_INIT);
	char	 rev[64];

	snprintf(rev, sizeof(rev), "%d %d %d", ENTRY_HTML_REV,
	    ENTRY_CONTENT_MAX, ENTRY_SUMMARY_TEXT_MAX);
	h = hash_add(h, rev, strlen(rev) + 1);
	if (base != NULL)
		h = hash_add(h, base, strlen(base) + 1);
	return h == 0 ? 1 : (int64_t)h;	/* 0: nothing kept */
}

/*
 * The entry's HTML and its summary as text, before its sources are
 * added: the row's kept copy when it was made from the same base by
 * the same code, else made now (and a copy in *made, when asked, to be
 * kept).  Sanitizing is most of what an entry costs.
 */
static void
prepare_html_kept(struct entry *e, const struct story_row *r,
    struct story_html *take, const char *base, int64_t key,
    struct story_html *made)
{
	if (r->html.key == key && take != NULL) {
		/* the row's own strings: no copy of the entry's HTML */
		e->content = take->content;
		e->summary = take->summary;
		e->summary_text = take->summary_text;
		take->content = take->summary = take->summary_text = NULL;
		return;
	}
	if (r->html.key == key) {
		e->content = xstrdup_or_null(r->html.content);
		e->summary = xstrdup_or_null(r->html.summary);
		e->summary_text = xstrdup_or_null(r->html.summary_text);
		return;
	}
	e->content = prepare_html(r->content, r->content_base, base);
	e->summary = prepare_html(r->summary, NULL, base);
	if (e->content != NULL && e->summary != NULL &&
	    strcmp(e->content, e->summary) == 0) {
		free(e->summary);
		e->summary = NULL;
	}
	e->summary_text = prepare_summary_text(e->summary);
	if (made != NULL) {
		made->key = key;
		made->content = xstrdup_or_null(e->content);
		made->summary = xstrdup_or_null(e->summary);
		made->summary_text = xstrdup_or_null(e->summary_text);
	}
}

/*
 * key: what HTML made from the entry's base is kept under, when the
 * caller knows it; 0: worked out here.  take: r's kept HTML, which the
 * entry may take (NULL: copied).
 */
static void
prepare_one(struct entry *e, const struct story_row *r,
    struct story_html *take, char *link, int64_t now, int64_t key,
    struct story_html *made)
{
	char	*base;

	memset(e, 0, sizeof(*e));
	e->link = link;
	e->id = prepare_id(r, link);
	e->title = prepare_title(r, link);
	prepare_author(e, r);
	e->lang = prepare_lang(r->feed_language);
	prepare_categories(e, r);
	prepare_enclosures(e, r);
	prepare_dates(e, r, now);
	prepare_source(e, r);
	/*
	 * An entry with no author of its own is by its publication, as its
	 * feed is titled.  Without one, the aggregate's own <author>
	 * applies to it (RFC 4287 4.2.1): SimplePie (so FreshRSS), node's
	 * feedparser and others showed "feedd" as the author of a quarter
	 * of the corpus's entries.
	 */
	if (e->author == NULL)
		e->author = xstrdup(e->src_title);
	/* the kept copy fits: no base to resolve against */
	base = key != 0 && key == r->html.key ? NULL :
	    html_base(e->link, e->src_link, r);
	prepare_html_kept(e, r, take, base, key != 0 ? key :
	    entry_html_key(base), made);
	free(base);
	prepare_related(e, r);
	append_sources(e);
}

/*
 * A set of strings the caller owns (open addressing, FNV-1a): ids and
 * links are checked for repeats in time linear in the entries.
 */
struct strset {
	const char **slot;
	size_t	 cap;
};

static void
strset_init(struct strset *set, size_t n)
{
	set->cap = 16;
	while (set->cap < 2 * n + 16)
		set->cap *= 2;
	set->slot = xcalloc(set->cap, sizeof(*set->slot));
}

/* 1 when s was in the set already; else adds it. */
static int
strset_add(struct strset *set, const char *s)
{
	size_t	 i = (size_t)hash_str(s) & (set->cap - 1);

	for (; set->slot[i] != NULL; i = (i + 1) & (set->cap - 1))
		if (strcmp(set->slot[i], s) == 0)
			return 1;
	set->slot[i] = s;
	return 0;
}

/*
 * Readers and validators expect atom:updated to fall entry by entry; the
 * store orders by the story's date, which an edit can overtake.  Ties
 * keep the store's order, so the same rows always give the same bytes.
 */
struct order {
	int64_t	 updated;
	size_t	 i;
};

static int
order_cmp(const void *a, const void *b)
{
	const struct order *x = a, *y = b;

	if (x->updated != y->updated)
		return x->updated > y->updated ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static void
sort_by_updated(struct entry *e, size_t n)
{
	struct order *o = xcalloc(n + 1, sizeof(*o));
	struct entry *copy = xcalloc(n + 1, sizeof(*copy));

	for (size_t i = 0; i < n; i++)
		o[i] = (struct order){ e[i].updated, i };
	qsort(o, n, sizeof(*o), order_cmp);
	for (size_t i = 0; i < n; i++)
		copy[i] = e[o[i].i];
	memcpy(e, copy, n * sizeof(*e));
	free(copy);
	free(o);
}

/*
 * Stories that share a link (a podcast's episodes all pointing at the
 * show's page) are still different stories and all are written; the
 * newest names the page as its alternate link, the others as a related
 * one, so no two entries claim to be the same page.
 */
static void
mark_shared_links(struct entry *e, size_t n)
{
	struct strset seen;

	strset_init(&seen, n);
	for (size_t i = 0; i < n; i++)
		if (e[i].link != NULL && strset_add(&seen, e[i].link))
			e[i].link_shared = 1;
	free(seen.slot);
}

int
entry_prepare(struct entry *e, struct story_row *r, int64_t now,
    struct story_html *made)
{
	char	*link = iri_http_link(r->link);
	int64_t	 key = r->html.key != 0 ? html_key_for(r, link) : 0;

	if (made != NULL)
		memset(made, 0, sizeof(*made));
	if (r->html.row_kept && key != r->html.key) {
		free(link);
		memset(e, 0, sizeof(*e));
		return -1;
	}
	prepare_one(e, r, &r->html, link, now, key, made);
	return 0;
}

void
entry_retag(struct entry *e, int64_t story_id)
{
	char *key = xasprintf("%s\n%lld", e->id, (long long)story_id);

	free(e->id);
	e->id = entry_tag_uri("entry", key);
	free(key);
}

struct entry *
entries_prepare(const struct story_row *rows, size_t nrows, size_t *n)
{
	struct entry *e;
	int64_t	 now = (int64_t)time(NULL);
	size_t	 i;

	struct strset ids;

	e = xcalloc(nrows + 1, sizeof(*e));
	strset_init(&ids, 2 * nrows);
	for (i = 0; i < nrows; i++) {
		prepare_one(&e[i], &rows[i], NULL, iri_http_link(rows[i].link),
		    now, 0, NULL);
		if (strset_add(&ids, e[i].id)) {
			entry_retag(&e[i], rows[i].story_id);
			strset_add(&ids, e[i].id);
		}
	}
	free(ids.slot);
	sort_by_updated(e, nrows);
	mark_shared_links(e, nrows);
	*n = nrows;
	return e;
}

void
entry_cleanup(struct entry *e)
{
	free(e->id);
	free(e->link);
	free(e->title);
	free(e->author);
	free(e->author_email);
	free(e->lang);
	free(e->summary);
	free(e->content);
	free(e->summary_text);
	strv_free(e->categories, e->ncategories);
	feed_enclosures_free(e->enclosures, e->nenclosures);
	for (size_t j = 0; j < e->nrelated; j++) {
		free(e->related[j].href);
		free(e->related[j].title);
	}
	free(e->related);
	free(e->src_id);
	free(e->src_title);
	free(e->src_link);
	free(e->src_self);
	memset(e, 0, sizeof(*e));
}

void
entries_free(struct entry *e, size_t n)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		entry_cleanup(&e[i]);
	free(e);
}

