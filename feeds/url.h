/*
 * url: URL resolution and canonical form, on curl's URL API (curl_url).
 */
#ifndef FEEDD_URL_H
#define FEEDD_URL_H

/*
 * Resolves ref against base (either may be NULL).  Returns a new string
 * (caller frees): the absolute URL, or a copy of ref as given when it
 * cannot be resolved.  NULL only when ref is NULL.  Never invents a URL.
 */
char	*url_resolve(const char *base, const char *ref);

/*
 * The key under which one story is recognised across feeds: scheme
 * dropped (http == https), host lowercased without "www.", default port,
 * fragment, trailing slash and tracking parameters (utm_*, fbclid,
 * gclid, mc_cid, mc_eid, ref, ...) removed, remaining query sorted.
 * NULL when url is not an absolute http(s) URL.  Caller frees.
 */
char	*url_canonical(const char *url);

/* 1 when url is absolute with a scheme among http, https. */
int	 url_is_http(const char *url);

/*
 * The http(s) URL behind the informal "feed" scheme that browsers' and
 * old readers' subscribe links use: "feed://h/p" is "http://h/p",
 * "feed:https://h/p" is "https://h/p".  Any other url as it is.  New
 * string; NULL for NULL.
 */
char	*url_from_feed_scheme(const char *url);

/* Lowercased host of an absolute URL, or NULL.  Caller frees. */
char	*url_host(const char *url);

#endif
