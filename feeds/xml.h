/*
 * xml: the libxml2 SAX2 push parser, made safe for hostile feeds, and
 * turned into element events for the feed builder (feeds/build.h).
 * Owns the parser context, the xml:base stack, text capture (with the
 * markup of child elements serialized back into the text), HTML named
 * entities, libxml2's error messages and the depth bound.
 */
#ifndef FEEDD_XML_H
#define FEEDD_XML_H

#include <stddef.h>

#include "util/buf.h"
#include "feeds/feed.h"

/*
 * The namespaces feeds use, spelled once: build.c classes elements by
 * them, and the reader gives them to prefixes a document uses without
 * declaring.
 */
#define XML_NS_XML	"http://www.w3.org/XML/1998/namespace"
#define XML_NS_ATOM	"http://www.w3.org/2005/Atom"
#define XML_NS_RDF	"http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define XML_NS_CONTENT	"http://purl.org/rss/1.0/modules/content/"
#define XML_NS_DC	"http://purl.org/dc/elements/1.1/"
#define XML_NS_DCTERMS	"http://purl.org/dc/terms/"
#define XML_NS_MEDIA	"http://search.yahoo.com/mrss/"
#define XML_NS_ITUNES	"http://www.itunes.com/dtds/podcast-1.0.dtd"
#define XML_NS_XHTML	"http://www.w3.org/1999/xhtml"

#define XML_MAX_DEPTH	256		/* elements nested */
/* bytes of an element's base: no longer than a link the outputs keep
 * (feeds/iri.c), and each of the XML_MAX_DEPTH elements holds one */
#define XML_MAX_BASE	8192

/* What builder_start asks the reader to do with an element's content. */
#define XML_CAPTURE_TEXT	0x1	/* collect its text (and child markup) */
#define XML_CAPTURE_ESCAPE	0x2	/* HTML-escape the text as collected */
#define XML_CAPTURE_SKIPDIV	0x4	/* drop a wrapping xhtml <div> */
#define XML_CAPTURE_PERSON	0x8	/* a person: its <name> child, else its
					 * text without child markup */

struct xml_reader;

struct xml_elem {
	struct xml_reader *reader;
	const char	*local;		/* local name */
	const char	*uri;		/* namespace URI, or NULL */
	const char	*base;		/* in-scope base URL, or NULL */
	long		 line;
	int		 depth;		/* 1 for the root element */
	int		 nattrs;
	const unsigned char **attrs;	/* libxml2's 5-tuples */
};

/* Value of the attribute uri:local (uri NULL: unqualified), or NULL.
 * References decoded, valid UTF-8, caller frees. */
char	*xml_elem_attr(const struct xml_elem *e, const char *uri,
	    const char *local);

struct builder;

/* base_url: the document's URL (may be NULL).  Errors go to doc. */
struct xml_reader *xml_reader_new(struct builder *b, struct feed_doc *doc,
	    const char *base_url);
void	 xml_reader_free(struct xml_reader *r);		/* NULL ok */
/* Line numbers in errors are shifted by this (junk dropped before). */
void	 xml_reader_set_line_offset(struct xml_reader *r, int lines);
/* Parses UTF-8.  0, or -1 once the builder refused the document. */
int	 xml_reader_push(struct xml_reader *r, const char *data, size_t len,
	    int final);
/*
 * Why the input is not XML at all: the first fatal libxml2 message when
 * no element was seen, for "not a feed: not XML (...)"; else NULL.
 */
const char *xml_reader_not_xml(const struct xml_reader *r);
/* Whether an end tag closed an element of another name (libxml2's
 * recovery then closes one element per end tag, and what follows nests
 * one level too deep: an HTML <br> left open in RSS text). */
int	 xml_reader_mismatched(const struct xml_reader *r);
/* Why xml_reader_push refused the document itself (a tag of too many
 * attributes), or NULL (the builder's refusal, if any). */
const char *xml_reader_refusal(const struct xml_reader *r);

#endif
