/*
 * atom_out: turns story rows into clean entries and writes them as an
 * Atom 1.0 feed.  Whatever a source feed holds, the output is
 * well-formed: text is cleaned to what XML allows before it is escaped.
 * The store and the writers' callers (daemon/output.c) own the rest.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/xmalloc.h"
#include "feeds/atom_out.h"
#include "util/buf.h"
#include "feeds/date.h"
#include "feeds/html.h"
#include "util/hash.h"
#include "util/utf8.h"

#define ATOM_MAX_CATEGORIES	32
#define ATOM_CATEGORY_MAX	400

/* Characters XML 1.0 allows (the decoder already refuses surrogates). */
static int
xml_char_ok(uint32_t c)
{
	if (c < 0x20)
		return c == '\t' || c == '\n' || c == '\r';
	return c != 0xfffe && c != 0xffff;
}

static int
is_fold_space(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == 0x85 || c == 0xa0 || c == 0x2028 || c == 0x2029;
}

char *
atom_clean_text(const char *s, size_t max, int fold)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t	 len, n;
	uint32_t c;
	struct buf b;
	int	 pending_space = 0;

	if (s == NULL)
		return NULL;
	len = strlen(s);
	buf_init(&b, 0);
	buf_puts(&b, "");
	while (len > 0) {
		if ((n = utf8_decode(p, len, &c)) == 0) {
			p++, len--;		/* invalid byte: dropped */
			continue;
		}
		if (fold && is_fold_space(c)) {
			pending_space = b.len > 0;
			p += n, len -= n;
			continue;
		}
		if (xml_char_ok(c)) {
			if (max > 0 && b.len + n + (size_t)pending_space > max)
				break;
			if (pending_space)
				buf_putc(&b, ' ');
			pending_space = 0;
			buf_append(&b, p, n);
		}
		p += n, len -= n;
	}
	return buf_detach(&b);
}

/* Writes clean text escaped for an element or an attribute. */
static void
xml_put(FILE *fp, const char *s)
{
	const char *run = s;

	for (; *s != '\0'; s++) {
		const char *rep;

		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		case '\r': rep = "&#13;"; break;	/* kept through parsing */
		case '\t': rep = "&#9;"; break;	/* kept in attributes */
		case '\n': rep = "&#10;"; break;
		default: continue;
		}
		fwrite(run, 1, (size_t)(s - run), fp);
		fputs(rep, fp);
		run = s + 1;
	}
	fputs(run, fp);
}

static int
hexval(int c)
{
	return isxdigit(c) != 0;
}

/* The shape validate-feed and readers check, minus percent-escapes. */
static int
iri_scheme_ok(const char *s, const char **rest)
{
	const char *p = s;

	if (!isalpha((unsigned char)*p))
		return 0;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '.' ||
	    *p == '-')
		p++;
	if (*p != ':')
		return 0;
	*rest = p + 1;
	return 1;
}

static int
iri_authority_ok(const char *s, const char *rest)
{
	size_t	 n;

	if (strncasecmp(s, "http:", 5) == 0 || strncasecmp(s, "https:", 6) == 0) {
		if (strncmp(rest, "//", 2) != 0)
			return 0;
		n = strcspn(rest + 2, "/?#");
		if (n == 0 || rest[2 + n - 1] == '@')
			return 0;
	}
	if (strncasecmp(s, "tag:", 4) == 0) {
		const char *comma = strchr(rest, ',');

		if (comma == NULL || comma == rest || !isdigit((unsigned char)comma[1]))
			return 0;
	}
	if (strncasecmp(s, "urn:", 4) == 0)
		return strchr(rest, ':') != NULL && rest[0] != ':';
	return *rest != '\0';
}

int
atom_is_iri(const char *s)
{
	const unsigned char *p;
	const char *rest;
	int	 hashes = 0;

	if (s == NULL || !iri_scheme_ok(s, &rest))
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p <= 0x20 || *p == 0x7f || strchr("<>\"{}|\\^`", *p))
			return 0;
		if (*p == 0xc2 && (p[1] == 0x85 || p[1] == 0xa0))
			return 0;		/* U+0085, U+00A0: white space */
		if (*p == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))
			return 0;
		if (*p == '%' && !(hexval(p[1]) && hexval(p[2])))
			return 0;
		if (*p == '#' && ++hashes > 1)
			return 0;
	}
	return iri_authority_ok(s, rest);
}

/*
 * A link as readers accept it: characters an IRI cannot hold are
 * percent-encoded.  NULL when it is not absolute.
 */
static char *
fix_link(const char *raw)
{
	const unsigned char *p;
	char	*clean, *out;
	struct buf b;
	int	 hashes = 0;

	if ((clean = atom_clean_text(raw, 8192, 0)) == NULL)
		return NULL;
	buf_init(&b, 0);
	buf_puts(&b, "");
	for (p = (const unsigned char *)clean; *p != '\0'; p++) {
		int esc = *p <= 0x20 || *p == 0x7f || strchr("<>\"{}|\\^`", *p) ||
		    (*p == '%' && !(hexval(p[1]) && hexval(p[2]))) ||
		    (*p == '#' && ++hashes > 1);

		if (esc)
			buf_printf(&b, "%%%02X", *p);
		else
			buf_putc(&b, (char)*p);
	}
	free(clean);
	out = buf_detach(&b);
	if (!atom_is_iri(out)) {
		free(out);
		return NULL;
	}
	return out;
}

char *
atom_tag_uri(const char *prefix, const char *key)
{
	return xasprintf("tag:feedd,2026:%s-%016llx", prefix,
	    (unsigned long long)hash_str(key));
}

static int
nonempty(const char *s)
{
	return s != NULL && *s != '\0';
}

/* HTML for output: capped before sanitizing so the markup stays whole. */
static char *
prepare_html(const char *html, const char *base)
{
	char	*capped, *safe, *clean;

	if (!nonempty(html))
		return NULL;
	capped = atom_clean_text(html, ATOM_CONTENT_MAX, 0);
	safe = html_sanitize(capped, base);
	free(capped);
	clean = atom_clean_text(safe, 4 * ATOM_CONTENT_MAX, 0);
	free(safe);
	if (clean != NULL && clean[strspn(clean, " \t\r\n")] == '\0') {
		free(clean);
		clean = NULL;
	}
	return clean;
}

static char *
prepare_title(const struct story_row *r, const char *link)
{
	char	*t = atom_clean_text(r->title, ATOM_TITLE_MAX, 1);

	if (t != NULL && *t != '\0')
		return t;
	free(t);
	return xstrdup(link != NULL ? link : "(untitled)");
}

/* The entry's own id when it is an IRI, else a tag derived from it. */
static char *
prepare_id(const struct story_row *r, const char *link)
{
	char	*key, *id;

	if (atom_is_iri(r->entry_id) && strlen(r->entry_id) < 2048)
		return xstrdup(r->entry_id);
	if (nonempty(r->entry_id))
		key = xasprintf("%s\n%s", r->feed_url ? r->feed_url : "",
		    r->entry_id);
	else if (link != NULL)
		key = xstrdup(link);
	else
		key = xasprintf("story\n%lld", (long long)r->story_id);
	id = atom_tag_uri("entry", key);
	free(key);
	return id;
}

static void
prepare_categories(struct atom_entry *e, const struct story_row *r)
{
	size_t	 i;

	e->categories = xcalloc(r->ncategories + 1, sizeof(char *));
	for (i = 0; i < r->ncategories &&
	    e->ncategories < ATOM_MAX_CATEGORIES; i++) {
		char *c = atom_clean_text(r->categories[i], ATOM_CATEGORY_MAX, 1);

		if (c != NULL && *c != '\0')
			e->categories[e->ncategories++] = c;
		else
			free(c);
	}
}

static void
prepare_source(struct atom_entry *e, const struct story_row *r)
{
	char	*t;

	e->src_id = fix_link(r->feed_url);
	e->src_link = fix_link(r->feed_link);
	e->src_updated = r->feed_updated;
	t = atom_clean_text(r->feed_title, ATOM_TITLE_MAX, 1);
	if (t == NULL || *t == '\0') {
		free(t);
		t = atom_clean_text(r->feed_name, ATOM_TITLE_MAX, 1);
	}
	if (t == NULL || *t == '\0') {
		free(t);
		t = xstrdup(e->src_link ? e->src_link : "(unnamed feed)");
	}
	e->src_title = t;
}

static void
prepare_one(struct atom_entry *e, const struct story_row *r, char *link)
{
	memset(e, 0, sizeof(*e));
	e->link = link;
	e->id = prepare_id(r, link);
	e->title = prepare_title(r, link);
	e->author = atom_clean_text(r->author, ATOM_TITLE_MAX, 1);
	if (e->author != NULL && *e->author == '\0') {
		free(e->author);
		e->author = NULL;
	}
	e->content = prepare_html(r->content, link);
	e->summary = prepare_html(r->summary, link);
	if (e->content != NULL && e->summary != NULL &&
	    strcmp(e->content, e->summary) == 0) {
		free(e->summary);
		e->summary = NULL;
	}
	prepare_categories(e, r);
	e->published = r->published;
	e->updated = r->updated != FEED_TIME_NONE ? r->updated :
	    r->published != FEED_TIME_NONE ? r->published : r->first_seen;
	prepare_source(e, r);
}

/* Whether s equals the field of one of the first n entries. */
static int
seen_before(const struct atom_entry *e, size_t n, size_t off, const char *s)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		const char *v = *(char *const *)((const char *)&e[i] + off);

		if (v != NULL && strcmp(v, s) == 0)
			return 1;
	}
	return 0;
}

/*
 * Readers and validators expect atom:updated to fall entry by entry; the
 * store orders by publication, which an edit can overtake.  The input is
 * nearly sorted already, so a stable insertion sort costs about n.
 */
static void
sort_by_updated(struct atom_entry *e, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct atom_entry tmp = e[i];
		size_t j = i;

		for (; j > 0 && e[j - 1].updated < tmp.updated; j--)
			e[j] = e[j - 1];
		e[j] = tmp;
	}
}

struct atom_entry *
atom_entries_prepare(const struct story_row *rows, size_t nrows, size_t *n)
{
	struct atom_entry *e;
	size_t	 i, k = 0;

	e = xcalloc(nrows + 1, sizeof(*e));
	for (i = 0; i < nrows; i++) {
		char *link = fix_link(rows[i].link);

		if (link != NULL &&
		    seen_before(e, k, offsetof(struct atom_entry, link), link)) {
			free(link);		/* the same story twice */
			continue;
		}
		prepare_one(&e[k], &rows[i], link);
		if (seen_before(e, k, offsetof(struct atom_entry, id), e[k].id)) {
			char *key = xasprintf("%s\n%lld", e[k].id,
			    (long long)rows[i].story_id);

			free(e[k].id);
			e[k].id = atom_tag_uri("entry", key);
			free(key);
		}
		k++;
	}
	sort_by_updated(e, k);
	*n = k;
	return e;
}

void
atom_entries_free(struct atom_entry *e, size_t n)
{
	size_t	 i, j;

	if (e == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(e[i].id);
		free(e[i].link);
		free(e[i].title);
		free(e[i].author);
		free(e[i].summary);
		free(e[i].content);
		for (j = 0; j < e[i].ncategories; j++)
			free(e[i].categories[j]);
		free(e[i].categories);
		free(e[i].src_id);
		free(e[i].src_title);
		free(e[i].src_link);
	}
	free(e);
}

/* <name>text</name> on its own line, indented. */
static void
put_elem(FILE *fp, const char *indent, const char *name, const char *attrs,
    const char *text)
{
	fprintf(fp, "%s<%s%s>", indent, name, attrs);
	xml_put(fp, text);
	fprintf(fp, "</%s>\n", name);
}

static void
put_date(FILE *fp, const char *indent, const char *name, int64_t t)
{
	char	 d[DATE_RFC3339_LEN];

	put_elem(fp, indent, name, "", date_format_rfc3339(t, d, sizeof(d)));
}

/*
 * An href as an IRI (RFC 3987): characters feeds leave in URLs that no
 * IRI may hold are percent-encoded ("item[1]" -> "item%5B1%5D"); '[' and
 * ']' stay in the authority, where an IPv6 literal needs them.
 */
static void
put_href(FILE *fp, const char *href)
{
	static const char bad[] = " \"<>\\^`{|}";
	const char *auth = strstr(href, "://"), *path;
	struct buf b;

	path = auth ? auth + 3 + strcspn(auth + 3, "/?#") : href;
	buf_init(&b, 0);
	for (const char *p = href; *p != '\0'; p++) {
		if ((strchr(bad, *p) != NULL) ||
		    (p >= path && (*p == '[' || *p == ']')))
			buf_printf(&b, "%%%02X", (unsigned char)*p);
		else
			buf_putc(&b, *p);
	}
	xml_put(fp, buf_str(&b));
	buf_cleanup(&b);
}

static void
put_link(FILE *fp, const char *indent, const char *rel, const char *type,
    const char *href)
{
	fprintf(fp, "%s<link rel=\"%s\"", indent, rel);
	if (type != NULL)
		fprintf(fp, " type=\"%s\"", type);
	fputs(" href=\"", fp);
	put_href(fp, href);
	fputs("\"/>\n", fp);
}

static void
put_source(FILE *fp, const struct atom_entry *e)
{
	fputs("    <source>\n", fp);
	if (e->src_id != NULL)
		put_elem(fp, "      ", "id", "", e->src_id);
	put_elem(fp, "      ", "title", " type=\"text\"", e->src_title);
	if (e->src_link != NULL)
		put_link(fp, "      ", "alternate", NULL, e->src_link);
	if (e->src_id != NULL)
		put_link(fp, "      ", "self", NULL, e->src_id);
	if (e->src_updated != FEED_TIME_NONE)
		put_date(fp, "      ", "updated", e->src_updated);
	fputs("    </source>\n", fp);
}

static void
put_entry(FILE *fp, const struct atom_entry *e)
{
	size_t	 i;

	fputs("  <entry>\n", fp);
	put_elem(fp, "    ", "id", "", e->id);
	put_elem(fp, "    ", "title", " type=\"text\"", e->title);
	if (e->link != NULL)
		put_link(fp, "    ", "alternate", NULL, e->link);
	if (e->published != FEED_TIME_NONE)
		put_date(fp, "    ", "published", e->published);
	put_date(fp, "    ", "updated", e->updated);
	if (e->author != NULL) {
		fputs("    <author>\n", fp);
		put_elem(fp, "      ", "name", "", e->author);
		fputs("    </author>\n", fp);
	}
	for (i = 0; i < e->ncategories; i++) {
		fputs("    <category term=\"", fp);
		xml_put(fp, e->categories[i]);
		fputs("\"/>\n", fp);
	}
	if (e->summary != NULL)
		put_elem(fp, "    ", "summary", " type=\"html\"", e->summary);
	if (e->content != NULL || e->link == NULL)
		put_elem(fp, "    ", "content", " type=\"html\"",
		    e->content != NULL ? e->content : "");
	put_source(fp, e);
	fputs("  </entry>\n", fp);
}

int
atom_write(FILE *fp, const struct atom_meta *meta,
    const struct atom_entry *e, size_t n)
{
	int64_t	 updated = meta->updated;
	char	*title;
	size_t	 i;

	for (i = 0; i < n; i++)
		if (i == 0 || e[i].updated > updated)
			updated = e[i].updated;
	fputs("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n", fp);
	put_elem(fp, "  ", "id", "", meta->id);
	title = atom_clean_text(meta->title, ATOM_TITLE_MAX, 1);
	put_elem(fp, "  ", "title", " type=\"text\"",
	    nonempty(title) ? title : "feedd");
	free(title);
	put_date(fp, "  ", "updated", updated);
	put_link(fp, "  ", "self", "application/atom+xml", meta->self);
	if (meta->alternate != NULL)
		put_link(fp, "  ", "alternate", NULL, meta->alternate);
	fputs("  <author>\n    <name>feedd</name>\n  </author>\n", fp);
	fputs("  <generator version=\"" FEEDD_VERSION "\">feedd</generator>\n",
	    fp);
	for (i = 0; i < n; i++)
		put_entry(fp, &e[i]);
	fputs("</feed>\n", fp);
	if (fflush(fp) != 0 || ferror(fp))
		return -1;
	return 0;
}
