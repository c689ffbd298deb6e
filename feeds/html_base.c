/*
 * html_base: relative URLs inside HTML content resolved against the base
 * in scope (XML Base applies inside content and summary too), with
 * libxml2's HTML parser and serializer and the curl URL API.  Markup is
 * otherwise kept; only href, src and their like change.
 */
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/xmlsave.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/xmalloc.h"
#include "feeds/html.h"
#include "feeds/url.h"

#define HB_OPTS (HTML_PARSE_NONET | HTML_PARSE_NOERROR | \
	HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER | HTML_PARSE_NODEFDTD)
#define HB_MAX_DEPTH 200

static const char *const url_attrs[] = { "href", "src", "poster", "cite",
	"background", "longdesc", "action", "data" };

int
html_url_attr(const char *name)
{
	for (size_t i = 0; i < sizeof(url_attrs) / sizeof(*url_attrs); i++)
		if (strcasecmp(name, url_attrs[i]) == 0)
			return 1;
	return 0;
}

/* 1 when v starts with a scheme ("https:", "mailto:"). */
int
html_has_scheme(const char *v, size_t n)
{
	size_t i = 0;

	while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == '\n'))
		i++;
	if (i >= n || !((v[i] | 0x20) >= 'a' && (v[i] | 0x20) <= 'z'))
		return 0;
	for (i++; i < n; i++) {
		char c = v[i];

		if (c == ':')
			return 1;
		if (!((c | 0x20) >= 'a' && (c | 0x20) <= 'z') &&
		    !(c >= '0' && c <= '9') && c != '+' && c != '-' &&
		    c != '.')
			return 0;
	}
	return 0;
}

/*
 * 1 when name (n bytes) ends at q and is a whole attribute name there:
 * what comes before it separates attributes.  "ref_src=" inside a
 * tweet's URL or "data-src=" is no src= (html_url_attr agrees), and
 * taking them for one cost a DOM round trip of the whole content.
 */
static int
attr_name_at(const char *s, const char *q, const char *name, size_t n)
{
	const char *start = q - n;

	if ((size_t)(q - s) < n || strncasecmp(start, name, n) != 0)
		return 0;
	return start == s || strchr(" \t\r\n\"'/", start[-1]) != NULL;
}

/* 1 when some href= or src= value in s is a relative reference. */
int
html_has_relative(const char *s)
{
	for (const char *p = s; (p = strchr(p, '=')) != NULL; p++) {
		const char *q = p, *v = p + 1, *end;
		char quote;

		while (q > s && (q[-1] == ' ' || q[-1] == '\t'))
			q--;
		if (!attr_name_at(s, q, "href", 4) &&
		    !attr_name_at(s, q, "src", 3))
			continue;
		while (*v == ' ' || *v == '\t')
			v++;
		quote = *v == '"' || *v == '\'' ? *v++ : '\0';
		end = quote ? strchr(v, quote) : v + strcspn(v, " \t\n>");
		if (end == NULL)
			end = v + strlen(v);
		if (end > v && !html_has_scheme(v, (size_t)(end - v)))
			return 1;
	}
	return 0;
}

static void
resolve_walk(xmlNode *n, const char *base, int depth)
{
	for (; n != NULL && depth < HB_MAX_DEPTH; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (xmlAttr *a = n->properties; a != NULL; a = a->next) {
			xmlChar *v;
			char *url;

			if (!html_url_attr((const char *)a->name))
				continue;
			v = xmlNodeGetContent((xmlNode *)a);
			if (v != NULL && *v != '\0' &&
			    !html_has_scheme((const char *)v, strlen((char *)v))) {
				url = url_resolve(base, (const char *)v);
				xmlSetProp(n, a->name, (const xmlChar *)url);
				free(url);
			}
			xmlFree(v);
		}
		resolve_walk(n->children, base, depth + 1);
	}
}

static xmlNode *
find_body(xmlNode *n, int depth)
{
	for (; n != NULL && depth < 3; n = n->next) {
		xmlNode *b;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp((const char *)n->name, "body") == 0)
			return n;
		if ((b = find_body(n->children, depth + 1)) != NULL)
			return b;
	}
	return NULL;
}

char *
html_resolve(const char *html, const char *base)
{
	xmlOutputBufferPtr out;
	xmlBufferPtr xb;
	htmlDocPtr doc;
	xmlNode *body;
	char *s, *res;
	size_t n;

	if (html == NULL || base == NULL || !html_has_relative(html))
		return NULL;
	/* written back by libxml2, "&nbsp" would become "&amp;nbsp" */
	s = html_body_wrap(html, 1, &n);
	if (n > 64 * 1024 * 1024) {
		free(s);
		return NULL;
	}
	doc = htmlReadMemory(s, (int)(n + 6), NULL, "UTF-8", HB_OPTS);
	free(s);
	if (doc == NULL)
		return NULL;
	if ((body = find_body(doc->children, 0)) == NULL) {
		xmlFreeDoc(doc);
		return NULL;
	}
	resolve_walk(body->children, base, 0);
	xb = xmlBufferCreate();
	out = xmlOutputBufferCreateBuffer(xb,
	    xmlFindCharEncodingHandler("UTF-8"));
	for (xmlNode *c = body->children; c != NULL; c = c->next)
		htmlNodeDumpFormatOutput(out, doc, c, "UTF-8", 0);
	xmlOutputBufferClose(out);
	res = xstrdup((const char *)xmlBufferContent(xb));
	xmlBufferFree(xb);
	xmlFreeDoc(doc);
	return res;
}
