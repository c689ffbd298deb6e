/*
 * httpget: one blocking HTTP(S) GET for the commands that run outside
 * the daemon (`add`), with the daemon's limits: the config's timeout,
 * max_size (decoded bytes), user agent, at most 5 redirects, http and
 * https only.
 */
#ifndef FEEDD_HTTPGET_H
#define FEEDD_HTTPGET_H

#include <stddef.h>
#include <stdint.h>

struct http_page {
	long	 status;		/* final HTTP status */
	char	*body;			/* NUL-terminated */
	size_t	 len;
	char	*url;			/* after redirects */
	char	*charset;		/* Content-Type's charset=, or NULL */
};

struct http_limits {
	int64_t	 timeout;		/* seconds, whole transfer */
	int64_t	 max_size;		/* bytes */
	const char *user_agent;
	int	 allow_private;		/* [daemon] allow_private */
	const char *origin;		/* the URL the user typed: its host
					 * alone may be a private one */
};

/*
 * 0 with *page filled (any status), or -1 with *errstr ("URL: why";
 * caller frees).  page is cleaned up with http_page_cleanup.
 */
int	 http_get(const char *url, const struct http_limits *lim,
	    struct http_page *page, char **errstr);
void	 http_page_cleanup(struct http_page *page);

/* charset=NAME of a Content-Type header value, or NULL; caller frees. */
char	*http_content_charset(const char *content_type);

#endif
