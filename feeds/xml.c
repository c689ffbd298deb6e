/*
 * xml: libxml2 SAX2 push parsing for feeds.  No DTD is loaded, no
 * entity declared in a DTD is ever expanded (so no XXE and no billion
 * laughs), no network; only XML's five entities and HTML's named ones
 * are known.  Element events go to the builder; text is collected only
 * while the builder captures a field.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/entities.h>
#include <libxml/hash.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>

#include "util/log.h"
#include "util/xmalloc.h"
#include "feeds/build.h"
#include "feeds/encoding.h"
#include "feeds/html.h"
#include "feeds/url.h"
#include "feeds/xml.h"

#define XML_NS_XML "http://www.w3.org/XML/1998/namespace"

struct xml_frame {
	char	*base;			/* in-scope base */
	int	 base_owned;
	int	 skipped;		/* a wrapping div not serialized */
};

struct xml_reader {
	xmlParserCtxtPtr ctxt;
	struct builder	*b;
	struct feed_doc	*doc;
	char		*base_url;
	struct xml_frame stack[XML_MAX_DEPTH + 1];
	int		 depth;
	int		 capture_depth;	/* depth of the capturing element */
	int		 capture_flags;
	int		 text_overflow;
	struct buf	 text;
	xmlHashTablePtr	 entities;	/* HTML entities handed out */
	int		 refused;
	int		 saw_root;
	int		 line_offset;
	char		*first_error;
};

/* Elements HTML writes without an end tag. */
static const char *const void_elements[] = {
	"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
	"meta", "param", "source", "track", "wbr",
};

static int
is_void_element(const char *name)
{
	for (size_t i = 0; i < sizeof(void_elements) / sizeof(*void_elements);
	    i++)
		if (strcmp(name, void_elements[i]) == 0)
			return 1;
	return 0;
}

/* Appends s[0..n) HTML-escaped; quotes too when attr. */
static int
put_escaped(struct buf *b, const char *s, size_t n, int attr)
{
	size_t span = 0;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		const char *rep;

		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = attr ? "&quot;" : NULL; break;
		default: rep = NULL; break;
		}
		if (rep == NULL)
			continue;
		rc |= buf_append(b, s + span, i - span);
		rc |= buf_puts(b, rep);
		span = i + 1;
	}
	rc |= buf_append(b, s + span, n - span);
	return rc;
}

/*
 * Past the cap, the text keeps what fits, cut at a character: a run
 * longer than the cap (one big push of a 5 MB title) must not lose the
 * whole field.  Escaping grows a byte to 5 at most (&amp;).
 */
static void
capture_fill(struct xml_reader *r, const char *s, size_t n, int escape)
{
	size_t room = r->text.max > r->text.len ? r->text.max - r->text.len : 0;

	if (escape)
		room /= 5;
	if (room >= n)
		room = n;
	else
		while (room > 0 && (s[room] & 0xC0) == 0x80)
			room--;
	if (escape)
		put_escaped(&r->text, s, room, 0);
	else
		buf_append(&r->text, s, room);
}

static void
capture_append(struct xml_reader *r, const char *s, size_t n, int escape)
{
	size_t before = r->text.len;

	if (r->text_overflow)
		return;
	if ((escape ? put_escaped(&r->text, s, n, 0) :
	    buf_append(&r->text, s, n)) == -1) {
		r->text.len = before;
		r->text.data[before] = '\0';
		r->text_overflow = 1;
		capture_fill(r, s, n, escape);
	}
}

char *
xml_elem_attr(const struct xml_elem *e, const char *uri, const char *local)
{
	for (int i = 0; i < e->nattrs; i++) {
		const unsigned char **a = e->attrs + 5 * i;
		const unsigned char *run, *p;
		const char *auri = (const char *)a[2];
		struct buf b;

		if (strcmp((const char *)a[0], local) != 0)
			continue;
		if ((uri == NULL) != (auri == NULL) ||
		    (uri != NULL && strcmp(uri, auri) != 0))
			continue;
		/* libxml2 copies one byte of a multibyte entity in an
		 * attribute: keep the value valid UTF-8 regardless.  Valid
		 * bytes are copied in runs. */
		buf_init(&b, 0);
		run = p = a[3];
		while (p < a[4]) {
			size_t n = (size_t)(a[4] - p), k = 1;

			if (*p < 0x80) {
				p++;
				continue;
			}
			while (k < n && k < 4 && (p[k] & 0xC0) == 0x80)
				k++;
			if ((k == 2 && *p >= 0xC2 && *p < 0xE0) ||
			    (k == 3 && (*p & 0xF0) == 0xE0) ||
			    (k == 4 && (*p & 0xF8) == 0xF0)) {
				p += k;
				continue;
			}
			buf_append(&b, run, (size_t)(p - run));
			run = p += k;
		}
		buf_append(&b, run, (size_t)(p - run));
		return buf_detach(&b);
	}
	return NULL;
}

static void
serialize_start(struct xml_reader *r, const struct xml_elem *e)
{
	struct buf *t = &r->text;

	if ((r->capture_flags & XML_CAPTURE_SKIPDIV) &&
	    e->depth == r->capture_depth + 1 && strcmp(e->local, "div") == 0) {
		r->stack[e->depth].skipped = 1;
		return;
	}
	capture_append(r, "<", 1, 0);
	capture_append(r, e->local, strlen(e->local), 0);
	for (int i = 0; i < e->nattrs && !r->text_overflow; i++) {
		const unsigned char **a = e->attrs + 5 * i;
		size_t before = t->len;

		if (buf_putc(t, ' ') || buf_puts(t, (const char *)a[0]) ||
		    buf_puts(t, "=\"") || put_escaped(t, (const char *)a[3],
		    (size_t)(a[4] - a[3]), 1) || buf_putc(t, '"')) {
			t->len = before;
			t->data[before] = '\0';
			r->text_overflow = 1;
		}
	}
	capture_append(r, is_void_element(e->local) ? "/>" : ">",
	    is_void_element(e->local) ? 2 : 1, 0);
}

static void
serialize_end(struct xml_reader *r, const char *local, int depth)
{
	if (r->stack[depth].skipped || is_void_element(local))
		return;
	capture_append(r, "</", 2, 0);
	capture_append(r, local, strlen(local), 0);
	capture_append(r, ">", 1, 0);
}

/* The base of a new element: its xml:base resolved against the parent's. */
static void
frame_push(struct xml_reader *r, struct xml_elem *e)
{
	struct xml_frame *f = &r->stack[e->depth];
	const char *parent = e->depth > 1 ? r->stack[e->depth - 1].base :
	    r->base_url;
	char *xb = xml_elem_attr(e, XML_NS_XML, "base");

	f->skipped = 0;
	f->base_owned = 0;
	f->base = (char *)(uintptr_t)parent;
	if (xb != NULL) {
		f->base = url_resolve(parent, xb);
		f->base_owned = 1;
		free(xb);
	}
	e->base = f->base;
}

static void
frame_pop(struct xml_reader *r, int depth)
{
	struct xml_frame *f = &r->stack[depth];

	if (f->base_owned)
		free(f->base);
	f->base = NULL;
	f->base_owned = 0;
}

static void
sax_start(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattrs,
    int ndefaulted, const xmlChar **attrs)
{
	struct xml_reader *r = ctx;
	struct xml_elem e;
	int flags;

	(void)prefix;
	(void)nns;
	(void)ns;
	(void)ndefaulted;
	r->ctxt->wellFormed = 1;	/* see sax_get_entity */
	if (r->depth >= XML_MAX_DEPTH) {
		feed_doc_add_error(r->doc, "line %d: elements nested deeper "
		    "than %d, rest ignored", xmlSAX2GetLineNumber(r->ctxt) +
		    r->line_offset, XML_MAX_DEPTH);
		xmlStopParser(r->ctxt);
		return;
	}
	r->saw_root = 1;
	e.local = (const char *)local;
	e.uri = (const char *)uri;
	e.line = xmlSAX2GetLineNumber(r->ctxt) + r->line_offset;
	e.depth = ++r->depth;
	e.nattrs = nattrs;
	e.attrs = (const unsigned char **)attrs;
	frame_push(r, &e);
	if (r->capture_depth) {
		serialize_start(r, &e);
		return;
	}
	if ((flags = builder_start(r->b, &e)) == -1) {
		r->refused = 1;
		xmlStopParser(r->ctxt);
		return;
	}
	if (flags & XML_CAPTURE_TEXT) {
		r->capture_depth = e.depth;
		r->capture_flags = flags;
		r->text_overflow = 0;
		buf_reset(&r->text);
	}
}

static void
sax_end(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct xml_reader *r = ctx;
	struct xml_elem e;

	(void)prefix;
	r->ctxt->wellFormed = 1;
	if (r->depth == 0)
		return;
	if (r->capture_depth && r->depth > r->capture_depth) {
		serialize_end(r, (const char *)local, r->depth);
		frame_pop(r, r->depth--);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.local = (const char *)local;
	e.uri = (const char *)uri;
	e.line = xmlSAX2GetLineNumber(r->ctxt) + r->line_offset;
	e.depth = r->depth;
	e.base = r->stack[r->depth].base;
	if (r->capture_depth == r->depth) {
		if (r->text_overflow)
			feed_doc_add_error(r->doc, "line %ld: <%s> longer than "
			    "%d bytes, cut", e.line, e.local, XML_MAX_TEXT);
		r->capture_depth = 0;
		builder_end(r->b, &e, &r->text);
	} else
		builder_end(r->b, &e, NULL);
	frame_pop(r, r->depth--);
}

static void
sax_text(void *ctx, const xmlChar *ch, int len)
{
	struct xml_reader *r = ctx;

	r->ctxt->wellFormed = 1;
	if (r->capture_depth)
		capture_append(r, (const char *)ch, (size_t)len,
		    r->capture_flags & XML_CAPTURE_ESCAPE);
}

static void
entity_free(void *payload, const xmlChar *name)
{
	xmlEntityPtr ent = payload;

	(void)name;
	xmlFree((xmlChar *)(uintptr_t)ent->name);
	xmlFree(ent->content);
	free(ent);
}

/*
 * Only XML's five entities and HTML's named ones exist: entities
 * declared in a DTD are never stored (no entityDecl handler), so none is
 * expanded.  An HTML entity comes back as a "predefined" one, which
 * libxml2 inlines as plain characters.  libxml2 drops every entity
 * reference once the document is not well-formed, so each callback marks
 * it well-formed again: errors are collected by sax_error instead.
 */
static xmlEntityPtr
sax_get_entity(void *ctx, const xmlChar *name)
{
	struct xml_reader *r = ctx;
	const htmlEntityDesc *desc;
	xmlEntityPtr ent;
	unsigned int cp;
	struct buf b;

	r->ctxt->wellFormed = 1;
	if ((ent = xmlGetPredefinedEntity(name)) != NULL)
		return ent;
	if ((ent = xmlHashLookup(r->entities, name)) != NULL)
		return ent;
	desc = htmlEntityLookup(name);
	cp = desc ? desc->value : html_entity_codepoint((const char *)name);
	if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000))
		return NULL;
	buf_init(&b, 0);
	buf_put_utf8(&b, cp);
	ent = xcalloc(1, sizeof(*ent));
	ent->type = XML_ENTITY_DECL;
	ent->etype = XML_INTERNAL_PREDEFINED_ENTITY;
	ent->name = xmlStrdup(name);
	ent->content = xmlStrdup((const xmlChar *)buf_str(&b));
	ent->length = (int)b.len;
	buf_cleanup(&b);
	if (xmlHashAddEntry(r->entities, name, ent) != 0) {
		entity_free(ent, NULL);
		return NULL;
	}
	return ent;
}

static void
sax_error(void *ctx, xmlErrorPtr err)
{
	struct xml_reader *r = ctx;
	char *msg;
	size_t n;

	if (err == NULL || err->level == XML_ERR_WARNING || r->refused)
		return;
	msg = xstrdup(err->message ? err->message : "malformed XML");
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	if (r->first_error == NULL)
		r->first_error = xasprintf("line %d: %s",
		    err->line + r->line_offset, msg);
	feed_doc_add_error(r->doc, "line %d: %s", err->line + r->line_offset,
	    msg);
	free(msg);
}

struct xml_reader *
xml_reader_new(struct builder *b, struct feed_doc *doc, const char *base_url)
{
	struct xml_reader *r = xcalloc(1, sizeof(*r));
	xmlSAXHandler sax;

	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = sax_start;
	sax.endElementNs = sax_end;
	sax.characters = sax_text;
	sax.cdataBlock = sax_text;
	sax.ignorableWhitespace = sax_text;
	sax.getEntity = sax_get_entity;
	sax.serror = sax_error;
	r->b = b;
	r->doc = doc;
	r->base_url = base_url ? xstrdup(base_url) : NULL;
	buf_init(&r->text, XML_MAX_TEXT);
	r->entities = xmlHashCreate(16);
	r->ctxt = xmlCreatePushParserCtxt(&sax, r, NULL, 0, NULL);
	if (r->ctxt == NULL)
		fatalx("xml: cannot create a parser context");
	xmlCtxtUseOptions(r->ctxt, XML_PARSE_RECOVER | XML_PARSE_NONET |
	    XML_PARSE_IGNORE_ENC | XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
	xmlSwitchEncoding(r->ctxt, XML_CHAR_ENCODING_UTF8);
	return r;
}

void
xml_reader_free(struct xml_reader *r)
{
	if (r == NULL)
		return;
	while (r->depth > 0)
		frame_pop(r, r->depth--);
	/* libxml2 keeps DTD entity declarations in a stub document "for
	 * expat compatibility" even in SAX mode; they are never used. */
	if (r->ctxt->myDoc != NULL)
		xmlFreeDoc(r->ctxt->myDoc);
	xmlFreeParserCtxt(r->ctxt);
	xmlHashFree(r->entities, entity_free);
	buf_cleanup(&r->text);
	free(r->base_url);
	free(r->first_error);
	free(r);
}

void
xml_reader_set_line_offset(struct xml_reader *r, int lines)
{
	r->line_offset = lines;
}

int
xml_reader_push(struct xml_reader *r, const char *data, size_t len, int final)
{
	while (!r->refused && (len > 0 || final)) {
		/* xmlParseChunk takes an int length. */
		int n = len > (1 << 30) ? 1 << 30 : (int)len;

		data += n;
		len -= (size_t)n;
		xmlParseChunk(r->ctxt, data - n, n, final && len == 0);
		if (len == 0)
			break;
	}
	return r->refused ? -1 : 0;
}

int
xml_reader_saw_root(const struct xml_reader *r)
{
	return r->saw_root;
}

const char *
xml_reader_first_error(const struct xml_reader *r)
{
	return r->first_error;
}
