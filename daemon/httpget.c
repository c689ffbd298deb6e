/*
 * httpget: a blocking libcurl easy transfer with the daemon's limits
 * (see httpget.h).  The daemon's own transfers are fetch.c's; this one
 * serves one command run.
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "daemon/fetch_addr.h"
#include "daemon/httpget.h"
#include "util/xmalloc.h"
#include "util/buf.h"

#define CONNECT_SECS	15L
#define ACCEPT	"application/rss+xml, application/atom+xml, " \
	"application/feed+json, application/xml;q=0.9, text/xml;q=0.9, " \
	"text/html;q=0.8, */*;q=0.5"

struct sink {
	struct buf b;
	int	 too_big;
};

static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;

	if (buf_append(&s->b, data, size * n) == -1) {
		s->too_big = 1;
		return 0;
	}
	return size * n;
}

static CURL *
easy_new(const char *url, const struct http_limits *lim, struct sink *s,
    struct curl_slist *hdrs, char *errbuf)
{
	CURL *e = curl_easy_init();

	if (e == NULL)
		return NULL;
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(e, CURLOPT_USERAGENT, lim->user_agent);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)lim->timeout);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT,
	    lim->timeout < CONNECT_SECS ? (long)lim->timeout : CONNECT_SECS);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
	return e;
}

char *
http_content_charset(const char *content_type)
{
	const char *p;
	size_t len;

	if (content_type == NULL ||
	    (p = strcasestr(content_type, "charset=")) == NULL)
		return NULL;
	p += 8;
	if (*p == '"')
		p++;
	len = strcspn(p, "\"; \t");
	return len ? xstrndup(p, len) : NULL;
}

static void
take_info(CURL *e, struct http_page *page)
{
	char *url = NULL, *type = NULL;

	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &page->status);
	curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &url);
	curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &type);
	page->url = url ? xstrdup(url) : NULL;
	page->charset = http_content_charset(type);
}

int
http_get(const char *url, const struct http_limits *lim,
    struct http_page *page, char **errstr)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdrs = curl_slist_append(NULL, "Accept: " ACCEPT);
	struct sink s = { .too_big = 0 };
	struct addr_guard g;
	CURLcode code;
	CURL *e;

	memset(page, 0, sizeof(*page));
	buf_init(&s.b, (size_t)lim->max_size);
	if ((e = easy_new(url, lim, &s, hdrs, errbuf)) == NULL) {
		*errstr = xasprintf("%s: cannot create a transfer", url);
		curl_slist_free_all(hdrs);
		return -1;
	}
	/* a page or a link found on it must not lead into the LAN */
	addr_guard_init(&g, lim->origin ? lim->origin : url,
	    lim->allow_private);
	addr_guard_attach(&g, e);
	code = curl_easy_perform(e);
	if (code != CURLE_OK) {
		*errstr = s.too_big ? xasprintf("%s: larger than max_size "
		    "(%lld bytes)", url, (long long)lim->max_size) :
		    g.refused ? xasprintf("%s: %s", url, g.refused) :
		    xasprintf("%s: %s", url, errbuf[0] ? errbuf :
		    curl_easy_strerror(code));
		buf_cleanup(&s.b);
	} else {
		take_info(e, page);
		page->len = s.b.len;
		page->body = buf_detach(&s.b);
	}
	curl_easy_cleanup(e);
	addr_guard_cleanup(&g);
	curl_slist_free_all(hdrs);
	return code == CURLE_OK ? 0 : -1;
}

void
http_page_cleanup(struct http_page *page)
{
	free(page->body);
	free(page->url);
	free(page->charset);
	memset(page, 0, sizeof(*page));
}
