/*
 * atom_out: writes prepared entries (feeds/entry.h) as an Atom 1.0 feed
 * (RFC 4287), streaming to a FILE through a small escaper; it builds no
 * tree and decides nothing about what an entry holds.
 */
#include <stdlib.h>
#include <string.h>

#include "feeds/atom_out.h"
#include "feeds/date.h"

static int
nonempty(const char *s)
{
	return s != NULL && *s != '\0';
}

/*
 * What each byte becomes, NULL for itself.  A table, because content is
 * mostly HTML whose every tag needs escaping: the scan is the render's
 * hottest loop.
 */
static const char *const xml_escape_of[256] = {
	['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;",
	['\''] = "&#39;",
	['\r'] = "&#13;",	/* kept through parsing */
	['\t'] = "&#9;",	/* kept in attributes */
	['\n'] = "&#10;",
};

/* Writes clean text escaped for an element or an attribute. */
static void
xml_put(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (;;) {
		const unsigned char *run = p;
		const char *rep;

		while (*p != '\0' && xml_escape_of[*p] == NULL)
			p++;
		if (p > run)
			fwrite(run, 1, (size_t)(p - run), fp);
		if (*p == '\0')
			return;
		rep = xml_escape_of[*p++];
		fwrite(rep, 1, strlen(rep), fp);
	}
}

/* <name>text</name> on its own line, indented. */
static void
put_elem(FILE *fp, const char *indent, const char *name, const char *attrs,
    const char *text)
{
	fputs(indent, fp);
	fputc('<', fp);
	fputs(name, fp);
	fputs(attrs, fp);
	fputc('>', fp);
	xml_put(fp, text);
	fputs("</", fp);
	fputs(name, fp);
	fputs(">\n", fp);
}

static void
put_date(FILE *fp, const char *indent, const char *name, int64_t t)
{
	char	 d[DATE_RFC3339_LEN];

	put_elem(fp, indent, name, "", date_format_rfc3339(t, d, sizeof(d)));
}

static void
put_link(FILE *fp, const char *indent, const char *rel, const char *type,
    const char *href)
{
	fprintf(fp, "%s<link rel=\"%s\"", indent, rel);
	if (type != NULL)
		fprintf(fp, " type=\"%s\"", type);
	fputs(" href=\"", fp);
	xml_put(fp, href);
	fputs("\"/>\n", fp);
}

static void
put_source(FILE *fp, const struct entry *e)
{
	fputs("    <source>\n", fp);
	put_elem(fp, "      ", "id", "", e->src_id);
	put_elem(fp, "      ", "title", " type=\"text\"", e->src_title);
	if (e->src_link != NULL)
		put_link(fp, "      ", "alternate", NULL, e->src_link);
	if (e->src_self != NULL)
		put_link(fp, "      ", "self", NULL, e->src_self);
	put_date(fp, "      ", "updated", e->src_updated);
	fputs("    </source>\n", fp);
}

static void
put_enclosure(FILE *fp, const struct feed_enclosure *x)
{
	fputs("    <link rel=\"enclosure\"", fp);
	if (x->type != NULL) {
		fputs(" type=\"", fp);
		xml_put(fp, x->type);
		fputc('"', fp);
	}
	if (x->length >= 0)
		fprintf(fp, " length=\"%lld\"", (long long)x->length);
	fputs(" href=\"", fp);
	xml_put(fp, x->url);
	fputs("\"/>\n", fp);
}

static void
put_author(FILE *fp, const struct entry *e)
{
	fputs("    <author>\n", fp);
	put_elem(fp, "      ", "name", "", e->author);
	if (e->author_email != NULL)
		put_elem(fp, "      ", "email", "", e->author_email);
	fputs("    </author>\n", fp);
}

/*
 * What the entry says in text: its content, else its summary; an entry
 * with no page of its own and no text says its title, so that every
 * entry has a link or content (RFC 4287 4.1.2) and none is empty.
 */
static void
put_text(FILE *fp, const struct entry *e)
{
	int	 own_page = e->link != NULL && !e->link_shared;

	if (e->content != NULL) {
		if (e->summary != NULL)
			put_elem(fp, "    ", "summary", " type=\"html\"",
			    e->summary);
		put_elem(fp, "    ", "content", " type=\"html\"", e->content);
	} else if (e->summary != NULL)
		put_elem(fp, "    ", own_page ? "summary" : "content",
		    " type=\"html\"", e->summary);
	else if (!own_page)
		put_elem(fp, "    ", "content", " type=\"text\"", e->title);
}

static void
put_entry(FILE *fp, const struct entry *e)
{
	size_t	 i;

	if (e->lang != NULL) {
		fputs("  <entry xml:lang=\"", fp);
		xml_put(fp, e->lang);
		fputs("\">\n", fp);
	} else
		fputs("  <entry>\n", fp);
	put_elem(fp, "    ", "id", "", e->id);
	put_elem(fp, "    ", "title", " type=\"text\"", e->title);
	if (e->link != NULL)
		put_link(fp, "    ", e->link_shared ? "related" : "alternate",
		    NULL, e->link);
	for (i = 0; i < e->nrelated; i++) {
		/* another outlet's report of the story, named by its feed */
		fputs("    <link rel=\"related\" href=\"", fp);
		xml_put(fp, e->related[i].href);
		fputs("\" title=\"", fp);
		xml_put(fp, e->related[i].title);
		fputs("\"/>\n", fp);
	}
	for (i = 0; i < e->nenclosures; i++)
		put_enclosure(fp, &e->enclosures[i]);
	if (e->published != FEED_TIME_NONE)
		put_date(fp, "    ", "published", e->published);
	put_date(fp, "    ", "updated", e->updated);
	if (e->author != NULL)
		put_author(fp, e);
	for (i = 0; i < e->ncategories; i++) {
		fputs("    <category term=\"", fp);
		xml_put(fp, e->categories[i]);
		fputs("\"/>\n", fp);
	}
	put_text(fp, e);
	put_source(fp, e);
	fputs("  </entry>\n", fp);
}

void
atom_write_head(FILE *fp, const struct atom_meta *meta, int64_t updated)
{
	char	*title;

	fputs("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n", fp);
	put_elem(fp, "  ", "id", "", meta->id);
	title = entry_clean_text(meta->title, ENTRY_TITLE_MAX, 1);
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
}

void
atom_write_entry(FILE *fp, const struct entry *e)
{
	put_entry(fp, e);
}

int
atom_write_tail(FILE *fp)
{
	fputs("</feed>\n", fp);
	if (fflush(fp) != 0 || ferror(fp))
		return -1;
	return 0;
}

int
atom_write(FILE *fp, const struct atom_meta *meta,
    const struct entry *e, size_t n)
{
	int64_t	 updated = meta->updated;
	size_t	 i;

	for (i = 0; i < n; i++)
		if (i == 0 || e[i].updated > updated)
			updated = e[i].updated;
	atom_write_head(fp, meta, updated);
	for (i = 0; i < n; i++)
		put_entry(fp, &e[i]);
	return atom_write_tail(fp);
}
