/*
 * html: placeholder until the libxml2 based module lands.
 */
#include <stdlib.h>

#include "daemon/xmalloc.h"
#include "feeds/html.h"

char *
html_to_text(const char *html)
{
	return xstrdup_or_null(html);	/* not built yet */
}

char *
html_sanitize(const char *html, const char *base)
{
	(void)html;
	(void)base;
	return xstrdup("");	/* not built yet: drop everything */
}

unsigned int
html_entity_codepoint(const char *name)
{
	(void)name;
	return 0;	/* not built yet */
}
