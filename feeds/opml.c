/*
 * feeds/opml.c: OPML read (xmlTextReader, a node at a time) and write
 * (xmlTextWriter, straight to the file).  Parsing never touches the network nor loads a
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
#include <libxml/xmlreader.h>
#include <libxml/xmlwriter.h>

#include "feeds/entry.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/termtext.h"
#include "util/xmalloc.h"
#include "feeds/opml.h"
#include "feeds/url.h"

/* Deeper folder trees than this are ignored: they are no real lists. */
#define OPML_MAX_DEPTH	64
/* libxml2 stops a document nested deeper (without XML_PARSE_HUGE). */
#define XML_MAX_NESTING	256

/* What an open element is to the reader (enum of struct opml_read). */
enum opml_elem {
	E_OTHER,		/* its content is not read */
	E_ROOT,			/* <opml> */
	E_HEAD,			/* the first <head> in it */
	E_TITLE,		/* the first <title> in that: its text */
	E_TITLE_IN,		/* an element inside that title */
	E_BODY,			/* the first <body> of <opml> */
	E_FEED,			/* an outline with an xmlUrl */
	E_FOLDER,		/* an outline without: a folder, named */
	E_DEEP,			/* a folder past OPML_MAX_DEPTH */
};

/*
 * The document read a node at a time (xmlTextReader): a tree of it
 * took 155 MB for a list of 100,000 feeds.  open[d] is what the open
 * element at depth d is; folders the names of the open folders.
 */
struct opml_read {
	xmlTextReader *r;
	struct opml_doc *doc;
	unsigned char open[XML_MAX_NESTING + 2];
	char	*folders[OPML_MAX_DEPTH];
	size_t	 nfolders;
	int	 seen_root, not_opml, seen_head, seen_title, seen_body;
	int	 entities;	/* the document declares its own */
	struct buf title;
};

static int
named(const xmlChar *name, const char *want)
{
	return name != NULL && xmlStrcasecmp(name, (const xmlChar *)want) == 0;
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

/* A value with surrounding white space trimmed; NULL when empty. */
static char *
trimmed(const xmlChar *v)
{
	const char *s = (const char *)v, *e;

	if (s == NULL)
		return NULL;
	s += strspn(s, " \t\n\r");
	e = s + strlen(s);
	while (e > s && strchr(" \t\n\r", e[-1]) != NULL)
		e--;
	return e > s ? xstrndup(s, (size_t)(e - s)) : NULL;
}

/* The attributes of an outline the reader is on, the first of each. */
struct outline {
	char	*text, *title, *html_url, *category;
	char	*url;		/* xmlUrl in any case (older tools wrote
				 * xmlurl or XMLURL); "" when empty: a feed
				 * outline all the same, skipped and said
				 * so, not a folder.  NULL when absent. */
};

static void
keep_first(char **to, const xmlChar *v)
{
	if (*to == NULL)
		*to = trimmed(v);
}

static void
outline_read(xmlTextReader *r, struct outline *o)
{
	memset(o, 0, sizeof(*o));
	while (xmlTextReaderMoveToNextAttribute(r) == 1) {
		const xmlChar *name = xmlTextReaderConstLocalName(r);
		const xmlChar *v = xmlTextReaderConstValue(r);

		if (name == NULL)
			continue;
		if (xmlTextReaderConstNamespaceUri(r) == NULL &&
		    named(name, "xmlurl") && o->url == NULL) {
			o->url = trimmed(v);
			if (o->url == NULL)
				o->url = xstrdup("");
		} else if (xmlStrEqual(name, (const xmlChar *)"text"))
			keep_first(&o->text, v);
		else if (xmlStrEqual(name, (const xmlChar *)"title"))
			keep_first(&o->title, v);
		else if (xmlStrEqual(name, (const xmlChar *)"htmlUrl"))
			keep_first(&o->html_url, v);
		else if (xmlStrEqual(name, (const xmlChar *)"category"))
			keep_first(&o->category, v);
	}
	xmlTextReaderMoveToElement(r);
}

/* A feed outline (o->url set), in the open folders; takes o's strings. */
static void
add_feed(struct opml_read *rd, struct outline *o)
{
	struct opml_doc *doc = rd->doc;
	struct opml_feed *f;

	/* by doubling: one more each time copied the whole list under an
	 * allocator that cannot grow a block in place (30,000 outlines: 11 s
	 * under ASan) */
	doc->feeds = xgrow(doc->feeds, doc->nfeeds, &doc->feedcap,
	    sizeof(*doc->feeds));
	f = &doc->feeds[doc->nfeeds++];
	memset(f, 0, sizeof(*f));
	f->xml_url = url_from_feed_scheme(o->url);
	free(o->url);
	f->title = o->text != NULL ? o->text : o->title;
	free(o->text != NULL ? o->title : NULL);
	f->html_url = o->html_url;
	for (size_t i = 0; i < rd->nfolders; i++)	/* NULL: unnamed */
		if (rd->folders[i] != NULL)
			tags_add(f, rd->folders[i], strlen(rd->folders[i]));
	if (o->category != NULL)
		tags_add_category(f, o->category);
	free(o->category);
}

/*
 * An outline in the body or in another outline: a feed (its own
 * outlines read too: tools nest a blog's comment feed under it, in the
 * same folders), else a folder.
 */
static enum opml_elem
outline_open(struct opml_read *rd)
{
	struct outline o;

	outline_read(rd->r, &o);
	if (o.url != NULL) {
		add_feed(rd, &o);
		return E_FEED;
	}
	if (rd->nfolders >= OPML_MAX_DEPTH) {
		free(o.text);
		free(o.title);
		free(o.html_url);
		free(o.category);
		return E_DEEP;
	}
	rd->folders[rd->nfolders++] = o.text != NULL ? o.text : o.title;
	free(o.text != NULL ? o.title : NULL);
	free(o.html_url);
	free(o.category);
	return E_FOLDER;
}

/* What an element opening in one that is parent is. */
static enum opml_elem
elem_open(struct opml_read *rd, enum opml_elem parent, int depth)
{
	const xmlChar *name = xmlTextReaderConstLocalName(rd->r);

	if (depth == 0) {
		rd->seen_root = 1;
		rd->not_opml = !named(name, "opml");
		return rd->not_opml ? E_OTHER : E_ROOT;
	}
	switch (parent) {
	case E_ROOT:
		if (named(name, "head") && !rd->seen_head++)
			return E_HEAD;
		if (named(name, "body") && !rd->seen_body++)
			return E_BODY;
		return E_OTHER;
	case E_HEAD:
		return named(name, "title") && !rd->seen_title++ ? E_TITLE :
		    E_OTHER;
	case E_TITLE:
	case E_TITLE_IN:
		return E_TITLE_IN;
	case E_BODY:
	case E_FEED:
	case E_FOLDER:
		return named(name, "outline") ? outline_open(rd) : E_OTHER;
	default:
		return E_OTHER;
	}
}

static void
elem_close(struct opml_read *rd, enum opml_elem e)
{
	if (e == E_FOLDER)
		free(rd->folders[--rd->nfolders]);
}

/*
 * Whether the document type the reader is on declares entities.  OPML
 * files declare none; libxml2 bounds the ones a document nests, not one
 * of 50 KB referred to 50,000 times in an attribute: reading it took
 * minutes and a gigabyte.  (The node, not xmlTextReaderCurrentDoc,
 * which has the reader keep every node it passes.)
 */
static int
declares_entities(xmlTextReader *r)
{
	const xmlNode *n = xmlTextReaderCurrentNode(r);
	const xmlDtd *dtd = (const xmlDtd *)n;

	return n != NULL && n->type == XML_DTD_NODE && dtd->entities != NULL &&
	    xmlHashSize(dtd->entities) > 0;
}

/* One node: 0 to go on, 1 when the document is refused (entities). */
static int
node(struct opml_read *rd)
{
	int	 type = xmlTextReaderNodeType(rd->r);
	int	 depth = xmlTextReaderDepth(rd->r);
	enum opml_elem parent;

	if (depth < 0 || depth > XML_MAX_NESTING)
		return 0;	/* libxml2 ends such a document itself */
	parent = depth > 0 ? rd->open[depth - 1] : E_OTHER;
	if (type == XML_READER_TYPE_DOCUMENT_TYPE)
		return (rd->entities = declares_entities(rd->r));
	if (type == XML_READER_TYPE_ELEMENT) {
		rd->open[depth] = (unsigned char)elem_open(rd, parent, depth);
		if (xmlTextReaderIsEmptyElement(rd->r))
			elem_close(rd, rd->open[depth]);
	} else if (type == XML_READER_TYPE_END_ELEMENT)
		elem_close(rd, rd->open[depth]);
	else if ((parent == E_TITLE || parent == E_TITLE_IN) &&
	    (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
	    type == XML_READER_TYPE_WHITESPACE ||
	    type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE))
		buf_puts(&rd->title, (const char *)xmlTextReaderConstValue(rd->r));
	return 0;
}

/* Why libxml2 stopped reading, in a user's words. */
static char *
not_xml(void)
{
	const xmlError *e = xmlGetLastError();

	/* libxml2 tells a program to pass XML_PARSE_HUGE: not the user */
	if (e != NULL && e->message != NULL &&
	    strstr(e->message, "XML_PARSE_HUGE") != NULL)
		return xasprintf("not XML: line %d: elements nested too deep"
		    " or a value too long", e->line);
	return xasprintf("not XML: line %d: %.*s", e ? e->line : 0,
	    e && e->message ? (int)strcspn(e->message, "\n") : 11,
	    e && e->message ? e->message : "parse error");
}

/* rd's verdict once read to the end (rc: the last xmlTextReaderRead). */
static char *
verdict(const struct opml_read *rd, int rc)
{
	if (rd->entities)
		return xstrdup("declares its own entities (<!ENTITY>), "
		    "which OPML does not use: not imported");
	if (rc != 0 || !rd->seen_root)
		return not_xml();
	if (rd->not_opml)
		return xstrdup("not OPML: the root element is not <opml>");
	if (!rd->seen_body)
		return xstrdup("invalid OPML: no <body> element");
	return NULL;
}

struct opml_doc *
opml_parse(const char *data, size_t len, char **errstr)
{
	struct opml_read rd;
	size_t	 i;
	int	 rc;

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
	memset(&rd, 0, sizeof(rd));
	buf_init(&rd.title, 0);
	rd.doc = xcalloc(1, sizeof(*rd.doc));
	xmlResetLastError();
	rd.r = xmlReaderForMemory(data, (int)len, NULL, NULL, XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (rd.r == NULL) {
		opml_doc_free(rd.doc);
		*errstr = xstrdup("cannot create the XML reader");
		return NULL;
	}
	while ((rc = xmlTextReaderRead(rd.r)) == 1 && node(&rd) == 0)
		;
	*errstr = verdict(&rd, rc == 1 ? 0 : rc);
	xmlFreeTextReader(rd.r);
	while (rd.nfolders > 0)
		free(rd.folders[--rd.nfolders]);
	if (*errstr != NULL) {
		buf_cleanup(&rd.title);
		opml_doc_free(rd.doc);
		return NULL;
	}
	rd.doc->title = rd.title.len > 0 ? buf_detach(&rd.title) : NULL;
	buf_cleanup(&rd.title);
	return rd.doc;
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
