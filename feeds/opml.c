/*
 * feeds/opml.c: OPML read (DOM, since subscription lists are small) and
 * write (xmlTextWriter).  Parsing never touches the network nor loads a
 * DTD; the declared encoding (ISO-8859-1 and friends) is honoured by
 * libxml2, so every string handed out is UTF-8.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/hash.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

#include "feeds/entry.h"
#include "util/fs.h"
#include "util/termtext.h"
#include "util/xmalloc.h"
#include "feeds/opml.h"
#include "feeds/url.h"

/* Deeper folder trees than this are ignored: they are no real lists. */
#define OPML_MAX_DEPTH	64

struct tagstack {
	char	**v;
	size_t	 n;
};

static int
is_element(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	    xmlStrcasecmp(n->name, (const xmlChar *)name) == 0;
}

/* The attribute with surrounding white space trimmed; NULL when empty. */
static char *
attr(const xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	const char *s, *e;
	char *out = NULL;

	if (v == NULL)
		return NULL;
	s = (const char *)v;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		e--;
	if (e > s)
		out = xstrndup(s, (size_t)(e - s));
	xmlFree(v);
	return out;
}

static void
tags_add(struct opml_feed *f, const char *tag, size_t len)
{
	while (len > 0 && (*tag == ' ' || *tag == '/')) {
		tag++;
		len--;
	}
	while (len > 0 && tag[len - 1] == ' ')
		len--;
	if (len == 0)
		return;
	for (size_t i = 0; i < f->ntags; i++)
		if (strlen(f->tags[i]) == len &&
		    memcmp(f->tags[i], tag, len) == 0)
			return;
	f->tags = xreallocarray(f->tags, f->ntags + 1, sizeof(char *));
	f->tags[f->ntags++] = xstrndup(tag, len);
}

/* OPML 2.0's category: comma-separated, each maybe a "/path". */
static void
tags_add_category(struct opml_feed *f, const char *cat)
{
	const char *p = cat, *comma;

	while (p != NULL && *p != '\0') {
		comma = strchr(p, ',');
		tags_add(f, p, comma ? (size_t)(comma - p) : strlen(p));
		p = comma ? comma + 1 : NULL;
	}
}

static void
add_feed(struct opml_doc *doc, const xmlNode *n, char *url,
    const struct tagstack *folders)
{
	struct opml_feed *f;
	char *cat;

	/* by doubling: one more each time copied the whole list under an
	 * allocator that cannot grow a block in place (30,000 outlines: 11 s
	 * under ASan) */
	doc->feeds = xgrow(doc->feeds, doc->nfeeds, &doc->feedcap,
	    sizeof(*doc->feeds));
	f = &doc->feeds[doc->nfeeds++];
	memset(f, 0, sizeof(*f));
	f->xml_url = url;
	if ((f->title = attr(n, "text")) == NULL)
		f->title = attr(n, "title");
	f->html_url = attr(n, "htmlUrl");
	for (size_t i = 0; i < folders->n; i++)	/* NULL: unnamed folder */
		if (folders->v[i] != NULL)
			tags_add(f, folders->v[i], strlen(folders->v[i]));
	if ((cat = attr(n, "category")) != NULL)
		tags_add_category(f, cat);
	free(cat);
}

/*
 * The outline's xmlUrl, its name in any case (older tools wrote xmlurl
 * or XMLURL); "" when it is there but empty: a feed outline all the
 * same, skipped and said so, not a folder.  NULL when absent.
 */
static char *
feed_url(const xmlNode *n)
{
	for (const xmlAttr *a = n->properties; a != NULL; a = a->next)
		if (a->ns == NULL &&
		    strcasecmp((const char *)a->name, "xmlurl") == 0) {
			char *v = attr(n, (const char *)a->name);

			return v != NULL ? v : xstrdup("");
		}
	return NULL;
}

/* The feeds under parent: a feed outline's own children too (tools
 * nest a blog's comment feed under it), in the same folders. */
static void
walk(struct opml_doc *doc, const xmlNode *parent, struct tagstack *folders)
{
	for (const xmlNode *n = parent->children; n != NULL; n = n->next) {
		char *url, *name;

		if (!is_element(n, "outline"))
			continue;
		if ((url = feed_url(n)) != NULL) {
			char *http = url_from_feed_scheme(url);

			free(url);
			add_feed(doc, n, http, folders);
			walk(doc, n, folders);
			continue;
		}
		if (folders->n >= OPML_MAX_DEPTH)
			continue;
		if ((name = attr(n, "text")) == NULL)
			name = attr(n, "title");
		folders->v[folders->n++] = name;	/* NULL: no tag */
		walk(doc, n, folders);
		free(folders->v[--folders->n]);
	}
}

static const xmlNode *
child(const xmlNode *parent, const char *name)
{
	for (const xmlNode *n = parent->children; n != NULL; n = n->next)
		if (is_element(n, name))
			return n;
	return NULL;
}

static char *
head_title(const xmlNode *root)
{
	const xmlNode *head = child(root, "head"), *t;
	xmlChar *s;
	char *out = NULL;

	if (head == NULL || (t = child(head, "title")) == NULL)
		return NULL;
	if ((s = xmlNodeGetContent(t)) != NULL && s[0] != '\0')
		out = xstrdup((const char *)s);
	xmlFree(s);
	return out;
}

struct opml_doc *
opml_parse(const char *data, size_t len, char **errstr)
{
	struct opml_doc *doc = NULL;
	struct tagstack folders = { NULL, 0 };
	const xmlNode *root, *body;
	const xmlError *e;
	xmlDoc *x;
	size_t	 i;

	*errstr = NULL;
	if (len > INT32_MAX) {
		*errstr = xstrdup("file too large");
		return NULL;
	}
	for (i = 0; i < len && strchr(" \t\r\n", data[i]) && data[i]; i++)
		;
	if (i == len) {
		*errstr = xstrdup("empty: no OPML in it");
		return NULL;
	}
	x = xmlReadMemory(data, (int)len, NULL, NULL, XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (x == NULL) {
		e = xmlGetLastError();
		/* libxml2 tells a program to pass XML_PARSE_HUGE: not the user */
		if (e != NULL && e->message != NULL &&
		    strstr(e->message, "XML_PARSE_HUGE") != NULL)
			*errstr = xasprintf("not XML: line %d: elements nested "
			    "too deep or a value too long", e->line);
		else
			*errstr = xasprintf("not XML: line %d: %.*s",
			    e ? e->line : 0, e && e->message ?
			    (int)strcspn(e->message, "\n") : 11,
			    e && e->message ? e->message : "parse error");
		return NULL;
	}
	/*
	 * OPML files declare no entities.  libxml2 bounds the ones a
	 * document nests, not one of 50 KB referred to 50,000 times in an
	 * attribute: reading it took minutes and a gigabyte.
	 */
	if (x->intSubset != NULL && x->intSubset->entities != NULL &&
	    xmlHashSize(x->intSubset->entities) > 0) {
		*errstr = xstrdup("declares its own entities (<!ENTITY>), "
		    "which OPML does not use: not imported");
		goto out;
	}
	if ((root = xmlDocGetRootElement(x)) == NULL ||
	    !is_element(root, "opml")) {
		*errstr = xstrdup("not OPML: the root element is not <opml>");
		goto out;
	}
	if ((body = child(root, "body")) == NULL) {
		*errstr = xstrdup("invalid OPML: no <body> element");
		goto out;
	}
	doc = xcalloc(1, sizeof(*doc));
	doc->title = head_title(root);
	folders.v = xcalloc(OPML_MAX_DEPTH, sizeof(char *));
	walk(doc, body, &folders);
	free(folders.v);
out:
	xmlFreeDoc(x);
	return doc;
}

void
opml_doc_free(struct opml_doc *doc)
{
	if (doc == NULL)
		return;
	for (size_t i = 0; i < doc->nfeeds; i++) {
		struct opml_feed *f = &doc->feeds[i];

		free(f->title);
		free(f->xml_url);
		free(f->html_url);
		strv_free(f->tags, f->ntags);
	}
	free(doc->feeds);
	free(doc->title);
	free(doc);
}

void
opml_format_date(time_t t, char buf[OPML_DATE_LEN])
{
	static const char *const days[7] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *const months[12] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	/* By hand: strftime's %a and %b follow the locale. */
	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	snprintf(buf, OPML_DATE_LEN, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	    days[(unsigned)tm.tm_wday % 7], tm.tm_mday, months[(unsigned)tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/*
 * s as text every XML parser and terminal takes, whatever the config
 * held: bytes that are not UTF-8 become U+FFFD, controls (C0, C1,
 * U+2028/9) spaces, or in a URL percent-encodes; U+FFFE/F go.
 */
static char *
clean(const char *s, int url)
{
	struct buf b;
	char *t, *out;

	if (url) {
		buf_init(&b, 0);
		term_url(&b, s);
		t = buf_detach(&b);
	} else
		t = term_str(s, TERM_SPACE);
	out = entry_clean_text(t, 0, 0);
	free(t);
	return out;
}

#define W_URL	1	/* the value is a URL */
#define W_ELEM	2	/* an element <name>value</name>, not an attribute */

/* An attribute (or element) holding value, cleaned; none for NULL. */
static int
write_text(xmlTextWriter *w, const char *name, const char *value, int how)
{
	char *v;
	int rc;

	if (value == NULL)
		return 0;
	v = clean(value, how & W_URL);
	rc = (how & W_ELEM ? xmlTextWriterWriteElement :
	    xmlTextWriterWriteAttribute)(w, (const xmlChar *)name,
	    (const xmlChar *)v) < 0 ? -1 : 0;
	free(v);
	return rc;
}

static int
write_attr(xmlTextWriter *w, const char *name, const char *value)
{
	return write_text(w, name, value, 0);
}

static int
write_feed(xmlTextWriter *w, const struct opml_feed *f)
{
	const char *title = f->title ? f->title : f->xml_url;
	char *cat = NULL;
	int rc = -1;

	if (f->ntags > 0)
		cat = strv_join(f->tags, f->ntags, ",");
	if (xmlTextWriterStartElement(w, (const xmlChar *)"outline") < 0 ||
	    write_attr(w, "text", title) < 0 ||
	    write_attr(w, "title", title) < 0 ||
	    write_attr(w, "type", "rss") < 0 ||
	    write_text(w, "xmlUrl", f->xml_url, W_URL) < 0 ||
	    write_text(w, "htmlUrl", f->html_url, W_URL) < 0 ||
	    write_attr(w, "category", cat) < 0 ||
	    xmlTextWriterEndElement(w) < 0)
		goto out;
	rc = 0;
out:
	free(cat);
	return rc;
}

/*
 * A feed with tags, placed: its folder (first tag), the first feed of
 * that folder and its own index.  Sorting by folder finds each folder's
 * first feed, sorting by first then groups the folders in order of
 * first appearance, each with its feeds in order: n log n, where
 * looking through the earlier feeds for each one's folder took 18 s for
 * 100,000 feeds in as many folders.
 */
struct placed {
	const char *folder;
	size_t	 first;
	size_t	 i;
};

static int
cmp_size(size_t a, size_t b)
{
	return (a > b) - (a < b);
}

static int
by_folder(const void *a, const void *b)
{
	const struct placed *x = a, *y = b;
	int c = strcmp(x->folder, y->folder);

	return c != 0 ? c : cmp_size(x->i, y->i);
}

static int
by_first(const void *a, const void *b)
{
	const struct placed *x = a, *y = b;
	int c = cmp_size(x->first, y->first);

	return c != 0 ? c : cmp_size(x->i, y->i);
}

/* The feeds with tags, in the order they are written; *np of them. */
static struct placed *
place_feeds(const struct opml_feed *feeds, size_t n, size_t *np)
{
	struct placed *p = xcalloc(n + 1, sizeof(*p));
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (feeds[i].ntags > 0)
			p[k++] = (struct placed){ feeds[i].tags[0], i, i };
	qsort(p, k, sizeof(*p), by_folder);
	for (size_t j = 1; j < k; j++)
		if (strcmp(p[j].folder, p[j - 1].folder) == 0)
			p[j].first = p[j - 1].first;
	qsort(p, k, sizeof(*p), by_first);
	*np = k;
	return p;
}

static int
start_folder(xmlTextWriter *w, const char *folder)
{
	if (xmlTextWriterStartElement(w, (const xmlChar *)"outline") < 0 ||
	    write_attr(w, "text", folder) < 0 ||
	    write_attr(w, "title", folder) < 0)
		return -1;
	return 0;
}

/* The k placed feeds, each folder an outline around its own. */
static int
write_folders(xmlTextWriter *w, const struct opml_feed *feeds,
    const struct placed *p, size_t k)
{
	for (size_t j = 0; j < k; j++) {
		int opens = j == 0 || p[j].first != p[j - 1].first;

		if (opens && j > 0 && xmlTextWriterEndElement(w) < 0)
			return -1;
		if (opens && start_folder(w, p[j].folder) < 0)
			return -1;
		if (write_feed(w, &feeds[p[j].i]) < 0)
			return -1;
	}
	return k > 0 && xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

static int
write_body(xmlTextWriter *w, const struct opml_feed *feeds, size_t n)
{
	struct placed *p;
	size_t k;
	int rc;

	for (size_t i = 0; i < n; i++)
		if (feeds[i].ntags == 0 && write_feed(w, &feeds[i]) < 0)
			return -1;
	p = place_feeds(feeds, n, &k);
	rc = write_folders(w, feeds, p, k);
	free(p);
	return rc;
}

static int
write_doc(xmlTextWriter *w, const char *title, time_t created,
    const struct opml_feed *feeds, size_t n)
{
	char date[OPML_DATE_LEN];

	opml_format_date(created, date);
	if (xmlTextWriterSetIndent(w, 1) < 0 ||
	    xmlTextWriterSetIndentString(w, (const xmlChar *)"  ") < 0 ||
	    xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElement(w, (const xmlChar *)"opml") < 0 ||
	    write_attr(w, "version", "2.0") < 0 ||
	    xmlTextWriterStartElement(w, (const xmlChar *)"head") < 0 ||
	    write_text(w, "title", title ? title : "feedd subscriptions",
	    W_ELEM) < 0 ||
	    xmlTextWriterWriteElement(w, (const xmlChar *)"dateCreated",
	    (const xmlChar *)date) < 0 ||
	    xmlTextWriterEndElement(w) < 0 ||
	    xmlTextWriterStartElement(w, (const xmlChar *)"body") < 0 ||
	    write_body(w, feeds, n) < 0 ||
	    xmlTextWriterEndDocument(w) < 0)
		return -1;
	return 0;
}

/* libxml2's report of a failed write: the caller says it once, from
 * errno, in feedd's words. */
static void
no_report(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

/* write_doc through libxml2's own words silenced: wrote or -1. */
static int
write_quietly(xmlTextWriter *w, const char *title, time_t created,
    const struct opml_feed *feeds, size_t nfeeds)
{
	xmlGenericErrorFunc was = xmlGenericError;
	void	*was_ctx = xmlGenericErrorContext;
	int	 wrote;

	xmlSetGenericErrorFunc(NULL, no_report);
	wrote = write_doc(w, title, created, feeds, nfeeds);
	xmlFreeTextWriter(w);	/* flushes into fp, which stays open */
	xmlSetGenericErrorFunc(was_ctx, was);
	return wrote;
}

int
opml_write(FILE *fp, const char *title, time_t created,
    const struct opml_feed *feeds, size_t nfeeds, char **errstr)
{
	xmlOutputBuffer *out = xmlOutputBufferCreateFile(fp, NULL);
	xmlTextWriter *w = out != NULL ? xmlNewTextWriter(out) : NULL;
	int wrote;

	*errstr = NULL;
	if (w == NULL) {
		if (out != NULL)
			xmlOutputBufferClose(out);
		*errstr = xstrdup("cannot create the XML writer");
		return -1;
	}
	/* through to fp as it goes: 100,000 feeds made whole in memory
	 * first took 16 MB of an export */
	wrote = write_quietly(w, title, created, feeds, nfeeds);
	if (fs_flush(fp) == -1 || ferror(fp)) {
		*errstr = xasprintf("write error: %s", strerror(errno));
		return -1;
	}
	if (wrote < 0) {
		*errstr = xstrdup("cannot write the OPML document");
		return -1;
	}
	return 0;
}
