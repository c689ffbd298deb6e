/*
 * fuzz_html: html_to_text and html_sanitize on arbitrary bytes.  The
 * sanitized markup must always parse back as XML and never carry a
 * script element or an event handler attribute.
 */
#include <libxml/parser.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "feeds/html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_tree(xmlNode *n)
{
	xmlAttr *a;

	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp((const char *)n->name, "script") == 0 ||
		    strcmp((const char *)n->name, "style") == 0)
			abort();
		for (a = n->properties; a != NULL; a = a->next)
			if (strncmp((const char *)a->name, "on", 2) == 0 ||
			    strcmp((const char *)a->name, "style") == 0)
				abort();
		check_tree(n->children);
	}
}

static void
check_sanitized(const char *s)
{
	char *doc = xasprintf("<div>%s</div>", s);
	xmlDocPtr x = xmlReadMemory(doc, (int)strlen(doc), NULL, "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);

	if (x == NULL)
		abort();
	check_tree(xmlDocGetRootElement(x));
	xmlFreeDoc(x);
	free(doc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *out;

	if (size > 65536)
		return 0;
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	free(html_to_text(text));
	out = html_sanitize(text, "https://example.com/dir/");
	check_sanitized(out);
	free(out);
	free(text);
	return 0;
}
