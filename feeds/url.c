/*
 * url: placeholder until the curl_url based module lands.
 */
#include <stdlib.h>

#include "daemon/xmalloc.h"
#include "feeds/url.h"

char *
url_resolve(const char *base, const char *ref)
{
	(void)base;
	return xstrdup_or_null(ref);	/* not built yet */
}

char *
url_canonical(const char *url)
{
	(void)url;
	return NULL;	/* not built yet */
}

int
url_is_http(const char *url)
{
	(void)url;
	return 0;	/* not built yet */
}

char *
url_host(const char *url)
{
	(void)url;
	return NULL;	/* not built yet */
}
