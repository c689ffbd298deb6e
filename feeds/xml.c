/*
 * xml: libxml2 SAX2 push parsing for feeds.  No external DTD or entity
 * is ever loaded (no XXE), no network.  Known entities: XML's five,
 * HTML's named ones, and the general entities a DOCTYPE's internal
 * subset declares, expanded with bounds (no billion laughs).  Any other
 * reference is kept as written, as text.  Element events go to the
 * builder; text is collected only while the builder captures a field.
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
#include "feeds/xmlfix.h"

#define ENT_MAX_DECLS	1000		/* entities one DTD may declare */
#define ENT_MAX_SIZE	(16 * 1024)	/* bytes one entity may expand to */
#define ENT_MAX_TOTAL	(1024 * 1024)	/* bytes expanded per document */
#define ENT_MAX_DEPTH	8		/* entities within entities */

/* An entity the internal subset declared, with its expanded size. */
struct decl {
	xmlEntity	 ent;		/* first: handed to libxml2 */
	size_t		 size;
};

struct xml_frame {
	char	*base;			/* in-scope base */
	int	 base_owned;
	int	 skipped;		/* a wrapping div not serialized */
	int	 person_name;		/* the <name> of a person captured */
	int	 nns;			/* namespaces it declares */
};

/*
 * Namespaces declared in scope at once.  libxml2 (2.9) looks each
 * prefixed name up through all of them: 37,500 declared on ten
 * wrappers of 500,000 prefixed elements (5 MB) held a parse worker
 * for 4.4 s.  A real feed declares a few (the corpus's most: 11).
 */
#define XML_MAX_NS	256

/*
 * Attributes a start tag may have.  libxml2 (2.9) checks each attribute
 * of a tag against all the tag's earlier ones: an <item> of 160,000
 * attributes held a parse worker for 5 s, and a 10 MB document of them
 * would hold it for minutes.  A document with a tag of more is refused
 * before libxml2 reads it; a real feed's tags have a few (the corpus's
 * most: 26).
 */
#define XML_MAX_ATTRS	4096

/* The scan of the bytes pushed that counts a start tag's attributes
 * (its '='s outside quoted values), across pushes. */
struct attr_scan {
	int	 state;
	char	 quote;
	size_t	 nattr;
};

enum { AS_TEXT, AS_LT, AS_TAG, AS_QUOTE };

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
	size_t		 name_from, name_to;	/* a person's <name> in text */
	int		 name_found;
	xmlHashTablePtr	 entities;	/* stand-ins handed out in text */
	xmlHashTablePtr	 attr_entities;	/* ... and in attribute values */
	xmlHashTablePtr	 declared;	/* struct decl by name */
	int		 ndeclared;
	size_t		 expanded;	/* bytes of declared entities used */
	int		 over_budget;
	struct xmlfix	 fix;
	struct attr_scan attrs;		/* what counts attributes */
	const char	*refusal;	/* why refused here, or NULL */
	int		 refused;
	int		 saw_root;
	int		 line_offset;
	char		*first_error;
	int		 mismatched;	/* an end tag closed another element */
	int		 base_cut;	/* an xml:base was left out */
	int		 ns_in_scope;	/* the frames' nns, summed */
};

/* The line of the whole document the parser is at. */
static int
reader_line(const struct xml_reader *r)
{
	return xmlSAX2GetLineNumber(r->ctxt) + r->line_offset;
}

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
		if (r->text.data != NULL)	/* a first piece past the cap */
			r->text.data[before] = '\0';
		r->text_overflow = 1;
		capture_fill(r, s, n, escape);
	}
}

/* A character reference's code point ("38", "x26"), 0 when invalid. */
static unsigned int
charref(const char *s)
{
	int hex = *s == 'x' || *s == 'X';
	char *end;
	unsigned long cp;

	if (s[hex] == '\0' || strlen(s) > 10)
		return 0;
	cp = strtoul(s + hex, &end, hex ? 16 : 10);
	if (*end != '\0' || cp == 0 || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp < 0xE000))
		return 0;
	return (unsigned int)cp;
}

/*
 * Appends s[0..n) with its references decoded: character references,
 * XML's and HTML's named entities and the declared ones (expanded to
 * ENT_MAX_DEPTH, while out holds less than ENT_MAX_SIZE and the document
 * has expanded less than ENT_MAX_TOTAL: an entity that names itself, or
 * one declared after it, was sized without them).
 * Any other "&name;" stays as written.
 */
static void
refs_decode(const struct xml_reader *r, const char *s, size_t n, int depth,
    struct buf *out)
{
	const char *end = s + n, *amp, *semi;

	while (s < end && (amp = memchr(s, '&', (size_t)(end - s))) != NULL) {
		const struct decl *d;
		xmlEntityPtr pre;
		char name[72];
		size_t len = (size_t)(end - amp);
		unsigned int cp;

		buf_append(out, s, (size_t)(amp - s));
		semi = memchr(amp, ';', len < sizeof(name) ? len : sizeof(name));
		if (semi == NULL || semi == amp + 1) {
			buf_putc(out, '&');
			s = amp + 1;
			continue;
		}
		len = (size_t)(semi - amp - 1);
		memcpy(name, amp + 1, len);
		name[len] = '\0';
		s = semi + 1;
		if (name[0] == '#')
			cp = charref(name + 1);
		else if ((pre = xmlGetPredefinedEntity((xmlChar *)name))) {
			buf_puts(out, (const char *)pre->content);
			continue;
		} else if (r != NULL && depth < ENT_MAX_DEPTH &&
		    out->len < ENT_MAX_SIZE && r->expanded < ENT_MAX_TOTAL &&
		    (d = xmlHashLookup(r->declared, (xmlChar *)name)) &&
		    d->size <= ENT_MAX_SIZE) {
			refs_decode(r, (const char *)d->ent.content,
			    (size_t)d->ent.length, depth + 1, out);
			continue;
		} else
			cp = html_entity_codepoint(name);
		if (cp != 0)
			buf_put_utf8(out, cp);
		else
			buf_append(out, amp, (size_t)(s - amp));
	}
	if (s < end)
		buf_append(out, s, (size_t)(end - s));
}

/*
 * An attribute's value as text.  libxml2 (entities not substituted)
 * leaves "&#38;" for an ampersand and "&name;" for a general entity in
 * attribute values: they are decoded here, so href="?a=1&amp;b=2" reads
 * "?a=1&b=2".  Invalid UTF-8 is dropped, valid bytes copied in runs.
 */
static char *
attr_value(struct xml_reader *r, const unsigned char *v,
    const unsigned char *vend)
{
	const unsigned char *run = v, *p = v;
	struct buf b, d;

	buf_init(&b, 0);
	while (p < vend) {
		size_t n = (size_t)(vend - p), k = 1;

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
	if (b.data == NULL || memchr(b.data, '&', b.len) == NULL)
		return buf_detach(&b);
	buf_init(&d, 0);
	refs_decode(r, b.data, b.len, 0, &d);
	if (r != NULL && d.len > b.len)
		r->expanded += d.len - b.len;
	buf_cleanup(&b);
	return buf_detach(&d);
}

char *
xml_elem_attr(const struct xml_elem *e, const char *uri, const char *local)
{
	for (int i = 0; i < e->nattrs; i++) {
		const unsigned char **a = e->attrs + 5 * i;
		const char *auri = (const char *)a[2];

		if (strcmp((const char *)a[0], local) != 0)
			continue;
		if ((uri == NULL) != (auri == NULL) ||
		    (uri != NULL && strcmp(uri, auri) != 0))
			continue;
		return attr_value(e->reader, a[3], a[4]);
	}
	return NULL;
}

/*
 * A child of a person (RSS author, dc:creator...) that wraps it as Atom
 * does, "<author><name>A</name><title>B</title></author>" (Google's
 * Cloud Blog): the name is the person; without one, the text, each
 * child's apart, and no markup.
 */
static void
person_start(struct xml_reader *r, const struct xml_elem *e)
{
	if (e->depth == r->capture_depth + 1 && !r->name_found &&
	    strcmp(e->local, "name") == 0) {
		r->stack[e->depth].person_name = 1;
		r->name_from = r->text.len;
	} else
		capture_append(r, " ", 1, 0);
}

/* The person's text: its <name>'s, when it has one. */
static void
person_finish(struct xml_reader *r)
{
	struct buf *t = &r->text;

	if (!(r->capture_flags & XML_CAPTURE_PERSON) || !r->name_found ||
	    r->name_to > t->len || r->name_from > r->name_to)
		return;	/* none, or cut short past the name */
	memmove(t->data, t->data + r->name_from, r->name_to - r->name_from);
	t->len = r->name_to - r->name_from;
	t->data[t->len] = '\0';
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
	if (r->capture_flags & XML_CAPTURE_PERSON) {
		person_start(r, e);
		return;
	}
	capture_append(r, "<", 1, 0);
	capture_append(r, e->local, strlen(e->local), 0);
	for (int i = 0; i < e->nattrs && !r->text_overflow; i++) {
		const unsigned char **a = e->attrs + 5 * i;
		size_t before = t->len;
		char *v, *url;

		if (a[2] != NULL && strcmp((const char *)a[2], XML_NS_XML) == 0)
			continue;	/* xml:base is applied, not copied */
		v = attr_value(r, a[3], a[4]);
		if (e->base != NULL && html_url_attr((const char *)a[0]) &&
		    *v != '\0' && !html_has_scheme(v, strlen(v))) {
			/* resolved against the innermost xml:base here */
			url = url_resolve(e->base, v);
			free(v);
			v = url;
		}

		if (buf_putc(t, ' ') || buf_puts(t, (const char *)a[0]) ||
		    buf_puts(t, "=\"") || put_escaped(t, v, strlen(v), 1) ||
		    buf_putc(t, '"')) {
			t->len = before;
			t->data[before] = '\0';
			r->text_overflow = 1;
		}
		free(v);
	}
	capture_append(r, is_void_element(e->local) ? "/>" : ">",
	    is_void_element(e->local) ? 2 : 1, 0);
}

static void
serialize_end(struct xml_reader *r, const char *local, int depth)
{
	if (r->capture_flags & XML_CAPTURE_PERSON) {
		if (r->stack[depth].person_name) {
			r->name_to = r->text.len;
			r->name_found = 1;
		} else
			capture_append(r, " ", 1, 0);
		return;
	}
	if (r->stack[depth].skipped || is_void_element(local))
		return;
	capture_append(r, "</", 2, 0);
	capture_append(r, local, strlen(local), 0);
	capture_append(r, ">", 1, 0);
}

/*
 * The namespace of a prefix the document uses without declaring it
 * ("content:encoded" with no xmlns:content): the one that prefix always
 * means in feeds, as feed readers take it.  NULL when unknown.
 */
static const char *
undeclared_ns(const xmlChar *prefix)
{
	static const struct {
		const char *prefix, *uri;
	} known[] = {
		{ "content", XML_NS_CONTENT },
		{ "dc", XML_NS_DC },
		{ "dcterms", XML_NS_DCTERMS },
		{ "media", XML_NS_MEDIA },
		{ "itunes", XML_NS_ITUNES },
		{ "atom", XML_NS_ATOM },
		{ "rdf", XML_NS_RDF },
		{ "xhtml", XML_NS_XHTML },
	};

	if (prefix == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++)
		if (strcmp((const char *)prefix, known[i].prefix) == 0)
			return known[i].uri;
	return NULL;
}

/*
 * The base of a new element: its xml:base resolved against the parent's.
 * One past XML_MAX_BASE is left out: nested relative bases each add to
 * the one before, and 250 of 39 KB took 900 MB.
 */
static void
frame_push(struct xml_reader *r, struct xml_elem *e)
{
	struct xml_frame *f = &r->stack[e->depth];
	const char *parent = e->depth > 1 ? r->stack[e->depth - 1].base :
	    r->base_url;
	char *xb = xml_elem_attr(e, XML_NS_XML, "base"), *resolved;

	f->skipped = 0;
	f->person_name = 0;
	f->base_owned = 0;
	f->base = (char *)(uintptr_t)parent;
	/* xml:base="" is the parent's base (RFC 3986 5.2.2: an empty
	 * reference is its base); it made every link in it relative */
	if (xb != NULL && xb[strspn(xb, " \t\r\n")] != '\0') {
		resolved = strlen(xb) <= XML_MAX_BASE ?
		    url_resolve(parent, xb) : NULL;
		if (resolved != NULL && strlen(resolved) <= XML_MAX_BASE) {
			f->base = resolved;
			f->base_owned = 1;
		} else {
			if (!r->base_cut++)
				feed_doc_add_error(r->doc, "line %ld: xml:base "
				    "longer than %d bytes, left out", e->line,
				    XML_MAX_BASE);
			free(resolved);
		}
	}
	free(xb);
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
	r->ns_in_scope -= f->nns;
	f->nns = 0;
}

static void
sax_start(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattrs,
    int ndefaulted, const xmlChar **attrs)
{
	struct xml_reader *r = ctx;
	struct xml_elem e;
	int flags;

	(void)ns;
	(void)ndefaulted;
	r->ctxt->wellFormed = 1;	/* see sax_get_entity */
	if (r->depth >= XML_MAX_DEPTH) {
		feed_doc_add_error(r->doc, "line %d: elements nested deeper "
		    "than %d, rest ignored", reader_line(r), XML_MAX_DEPTH);
		xmlStopParser(r->ctxt);
		return;
	}
	if (r->ns_in_scope + nns > XML_MAX_NS) {
		feed_doc_add_error(r->doc, "line %d: more than %d namespaces "
		    "declared in scope, rest ignored", reader_line(r),
		    XML_MAX_NS);
		xmlStopParser(r->ctxt);
		return;
	}
	r->saw_root = 1;
	e.local = (const char *)local;
	e.uri = uri ? (const char *)uri : undeclared_ns(prefix);
	e.reader = r;
	e.line = reader_line(r);
	e.depth = ++r->depth;
	e.nattrs = nattrs;
	e.attrs = (const unsigned char **)attrs;
	frame_push(r, &e);
	r->stack[e.depth].nns = nns;
	r->ns_in_scope += nns;
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
		r->name_found = 0;
		buf_reset(&r->text);
	}
}

static void
sax_end(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct xml_reader *r = ctx;
	struct xml_elem e;

	r->ctxt->wellFormed = 1;
	if (r->depth == 0)
		return;
	if (r->capture_depth && r->depth > r->capture_depth) {
		serialize_end(r, (const char *)local, r->depth);
		frame_pop(r, r->depth--);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.reader = r;
	e.local = (const char *)local;
	e.uri = uri ? (const char *)uri : undeclared_ns(prefix);
	e.line = reader_line(r);
	e.depth = r->depth;
	e.base = r->stack[r->depth].base;
	if (r->capture_depth == r->depth) {
		if (r->text_overflow)
			feed_doc_add_error(r->doc, "line %ld: <%s> longer than "
			    "%d bytes, cut", e.line, e.local, FEED_MAX_TEXT);
		r->capture_depth = 0;
		person_finish(r);
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
	xmlFree(ent->orig);	/* libxml2 hangs the raw value on it */
	free(ent);	/* a struct decl starts with its entity */
}

static xmlEntityPtr
entity_new(size_t size, const xmlChar *name, xmlEntityType type,
    const char *content, size_t len)
{
	xmlEntityPtr ent = xcalloc(1, size);

	ent->type = XML_ENTITY_DECL;
	ent->etype = type;
	ent->name = xmlStrdup(name);
	ent->content = xmlStrndup((const xmlChar *)content, (int)len);
	ent->length = (int)len;
	/* "checked" (even: no '<' in it) spares libxml2 a trial parse */
	ent->checked = type == XML_INTERNAL_PREDEFINED_ENTITY ? 0 : 2;
	return ent;
}

/* Bytes the replacement text s expands to, declared entities included. */
static size_t
decl_size(const struct xml_reader *r, const char *s)
{
	size_t size = 0;

	for (const char *p = s; *p != '\0'; p++) {
		const char *semi;
		const struct decl *d;
		char name[72];
		size_t len;

		size++;
		if (*p != '&' || (semi = strchr(p, ';')) == NULL ||
		    (len = (size_t)(semi - p - 1)) >= sizeof(name))
			continue;
		memcpy(name, p + 1, len);
		name[len] = '\0';
		if ((d = xmlHashLookup(r->declared, (xmlChar *)name)) == NULL)
			continue;
		size += d->size > ENT_MAX_SIZE ? ENT_MAX_SIZE : d->size - 1;
		p = semi;
		if (size > ENT_MAX_SIZE)
			break;
	}
	return size;
}

/*
 * <!ENTITY name "value"> in the internal subset.  Only internal general
 * entities are kept: external ones are never loaded (a reference to one
 * stays as written) and parameter entities are not expanded.  An entity
 * that would expand past ENT_MAX_SIZE is refused the same way, and
 * ENT_MAX_DECLS entities at most are kept.
 */
static void
sax_entity_decl(void *ctx, const xmlChar *name, int type,
    const xmlChar *public_id, const xmlChar *system_id, xmlChar *content)
{
	struct xml_reader *r = ctx;
	struct decl *d;
	size_t size;

	(void)public_id;
	(void)system_id;
	if (type != XML_INTERNAL_GENERAL_ENTITY || content == NULL ||
	    xmlHashLookup(r->declared, name) != NULL)
		return;		/* the first declaration binds (XML 1.0 4.2) */
	if (r->ndeclared >= ENT_MAX_DECLS)
		return;
	/* A refused one stays declared, too big, so that entities using it
	 * are refused in turn. */
	if ((size = decl_size(r, (const char *)content)) > ENT_MAX_SIZE)
		feed_doc_add_error(r->doc, "line %d: entity '%.40s' not "
		    "expanded: more than %d bytes", reader_line(r),
		    (const char *)name, ENT_MAX_SIZE);
	d = (struct decl *)entity_new(sizeof(*d), name,
	    XML_INTERNAL_GENERAL_ENTITY, (const char *)content,
	    strlen((const char *)content));
	d->size = size;
	if (xmlHashAddEntry(r->declared, name, d) != 0)
		entity_free(d, NULL);
	else
		r->ndeclared++;
}

/*
 * What a reference that is neither XML's nor declared stands for: an
 * HTML named entity's character, else the reference itself as text.  In
 * text, a "predefined" entity, which libxml2 inlines as characters.  In
 * an attribute value libxml2 would copy only the first byte of one, so
 * there a general entity, which it leaves as "&name;" for attr_value.
 */
static xmlEntityPtr
stand_in(struct xml_reader *r, const xmlChar *name, int in_attr)
{
	xmlHashTablePtr cache = in_attr ? r->attr_entities : r->entities;
	const htmlEntityDesc *desc;
	xmlEntityPtr ent;
	unsigned int cp;
	struct buf b;

	if ((ent = xmlHashLookup(cache, name)) != NULL)
		return ent;
	buf_init(&b, 0);
	if (in_attr)
		buf_puts(&b, (const char *)name);
	else {
		desc = htmlEntityLookup(name);
		cp = desc ? desc->value :
		    html_entity_codepoint((const char *)name);
		if (cp != 0 && cp <= 0x10FFFF && (cp < 0xD800 || cp >= 0xE000))
			buf_put_utf8(&b, cp);
		else
			buf_printf(&b, "&%s;", (const char *)name);
	}
	ent = entity_new(sizeof(*ent), name, in_attr ?
	    XML_INTERNAL_GENERAL_ENTITY : XML_INTERNAL_PREDEFINED_ENTITY,
	    buf_str(&b), b.len);
	buf_cleanup(&b);
	if (xmlHashAddEntry(cache, name, ent) != 0) {
		entity_free(ent, NULL);
		return NULL;
	}
	return ent;
}

/*
 * Every reference that is not XML's comes here.  A declared entity is
 * handed to libxml2, which parses its replacement text in place (SAX
 * events as if it were written there), while the document's budget of
 * ENT_MAX_TOTAL expanded bytes lasts.  libxml2 drops every entity
 * reference once the document is not well-formed, so each callback
 * marks it well-formed again: errors are collected by sax_error instead.
 */
static xmlEntityPtr
sax_get_entity(void *ctx, const xmlChar *name)
{
	struct xml_reader *r = ctx;
	int in_attr = r->ctxt->instate == XML_PARSER_START_TAG ||
	    r->ctxt->instate == XML_PARSER_ATTRIBUTE_VALUE;
	struct decl *d;
	xmlEntityPtr ent;

	r->ctxt->wellFormed = 1;
	if ((ent = xmlGetPredefinedEntity(name)) != NULL)
		return ent;
	if (r->ctxt->inSubset) {
		/* libxml2 asks after each declaration (to keep its raw
		 * value): no expansion happens there */
		d = xmlHashLookup(r->declared, name);
		return d != NULL ? &d->ent : NULL;
	}
	if ((d = xmlHashLookup(r->declared, name)) != NULL &&
	    d->size <= ENT_MAX_SIZE) {
		if (in_attr)
			return &d->ent;
		if (r->expanded + d->size <= ENT_MAX_TOTAL) {
			r->expanded += d->size;
			return &d->ent;
		}
		if (!r->over_budget)
			feed_doc_add_error(r->doc, "line %d: entities expand "
			    "past %d bytes, the rest kept as written",
			    reader_line(r), ENT_MAX_TOTAL);
		r->over_budget = 1;
	} else if (d == NULL && !in_attr && htmlEntityLookup(name) == NULL &&
	    html_entity_codepoint((const char *)name) == 0)
		feed_doc_add_error(r->doc, "line %d: entity '%.40s' unknown "
		    "or external, kept as text", reader_line(r),
		    (const char *)name);
	return stand_in(r, name, in_attr);
}

static void
sax_error(void *ctx, xmlErrorPtr err)
{
	struct xml_reader *r = ctx;
	char *msg;
	size_t n;

	if (err == NULL || err->level == XML_ERR_WARNING || r->refused)
		return;
	if (err->code == XML_ERR_TAG_NAME_MISMATCH)
		r->mismatched = 1;
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
	sax.entityDecl = sax_entity_decl;
	sax.serror = sax_error;
	r->b = b;
	r->doc = doc;
	r->base_url = base_url ? xstrdup(base_url) : NULL;
	buf_init(&r->text, FEED_MAX_TEXT);
	r->entities = xmlHashCreate(16);
	r->attr_entities = xmlHashCreate(16);
	r->declared = xmlHashCreate(16);
	xmlfix_init(&r->fix);
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
	xmlHashFree(r->attr_entities, entity_free);
	xmlHashFree(r->declared, entity_free);
	xmlfix_cleanup(&r->fix);
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

/* The first '<' or c in p..end, or NULL. */
static const char *
lt_or(const char *p, const char *end, char c)
{
	const char *lt = memchr(p, '<', (size_t)(end - p));
	const char *q = memchr(p, c, (size_t)(lt != NULL ? lt - p : end - p));

	return q != NULL ? q : lt;
}

/*
 * -1 when a start tag in s (n bytes, the next of the document) has more
 * than XML_MAX_ATTRS attributes, else 0.  A '<' inside what looked
 * like a tag or a quoted value starts over there: XML has none there,
 * so a comment's "<b don't" cannot hide the tags after it.
 */
static int
attr_scan(struct attr_scan *a, const char *s, size_t n)
{
	const char *p = s, *end, *q;

	if (n == 0)	/* the final push passes s NULL */
		return 0;
	end = s + n;
	while (p < end) {
		switch (a->state) {
		case AS_TEXT:
			if ((p = memchr(p, '<', (size_t)(end - p))) == NULL)
				return 0;
			p++;
			a->state = AS_LT;
			break;
		case AS_LT:	/* a name's first character: a tag */
			a->state = ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') ||
			    *p == '_' || *p == ':' || (unsigned char)*p >= 0x80 ?
			    AS_TAG : AS_TEXT;
			a->nattr = 0;
			break;
		case AS_TAG:
			for (; p < end && a->state == AS_TAG; p++) {
				if (*p == '>')
					a->state = AS_TEXT;
				else if (*p == '<')
					a->state = AS_LT;
				else if (*p == '"' || *p == '\'') {
					a->quote = *p;
					a->state = AS_QUOTE;
				} else if (*p == '=' &&
				    ++a->nattr > XML_MAX_ATTRS)
					return -1;
			}
			break;
		case AS_QUOTE:
			if ((q = lt_or(p, end, a->quote)) == NULL)
				return 0;
			a->state = *q == '<' ? AS_LT : AS_TAG;
			p = q + 1;
			break;
		}
	}
	return 0;
}

#define XML_PIECE	(256 * 1024)	/* bytes to xmlParseChunk at once */

int
xml_reader_push(struct xml_reader *r, const char *data, size_t len, int final)
{
	xmlfix_run(&r->fix, data, len, final, &data, &len);
	if (!r->refused && attr_scan(&r->attrs, data, len) == -1) {
		r->refused = 1;
		r->refusal = "an element has more than 4096 attributes";
	}
	while (!r->refused && (len > 0 || final)) {
		/* a piece at a time: libxml2 copies what it is given into
		 * its own buffer (16 MB more for a 10 MB body at once) */
		int n = len > XML_PIECE ? XML_PIECE : (int)len;

		xmlParseChunk(r->ctxt, data, n, final && len == (size_t)n);
		if (len == (size_t)n)
			break;
		/* only here: the final push may pass data NULL, len 0 */
		data += n;
		len -= (size_t)n;
	}
	if (final && r->fix.mended > 0)
		feed_doc_add_error(r->doc, "%zu '&' starting no reference "
		    "read as text", r->fix.mended);
	if (final && r->fix.mended_lt > 0)
		feed_doc_add_error(r->doc, "%zu '<' starting no markup read "
		    "as text", r->fix.mended_lt);
	return r->refused ? -1 : 0;
}

const char *
xml_reader_refusal(const struct xml_reader *r)
{
	return r->refusal;
}

int
xml_reader_mismatched(const struct xml_reader *r)
{
	return r->mismatched;
}

const char *
xml_reader_not_xml(const struct xml_reader *r)
{
	return r->saw_root ? NULL : r->first_error;
}
