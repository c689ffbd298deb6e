/*
 * discover: candidate feed URLs from a page and its URL (discover.h).
 * The HTML is read with libxml2's HTML parser (recovering, no network);
 * URLs are taken apart and put together with curl's URL API.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "daemon/discover.h"
#include "feeds/html.h"
#include "util/xmalloc.h"
#include "feeds/url.h"

/* The types a feed link may carry (RSS 1.0 is RDF). */
static const char *const feed_types[] = {
	"application/rss+xml", "application/atom+xml", "application/feed+json",
	"application/rdf+xml", "application/x-rss+xml", "application/x-atom+xml",
	"application/json", "text/xml", "application/xml",
};

/* DISCOVER_GUESS_PATHS says them in messages: the same, in order. */
static const char *const common_paths[] = {
	"/feed", "/rss.xml", "/atom.xml", "/index.xml", "/feed.json",
	"/feed.xml", "/rss", "/index.rss",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
_Static_assert(NELEM(common_paths) == DISCOVER_NGUESSES,
    "DISCOVER_GUESS_PATHS names every common path");

void
candidates_add(struct candidates *c, const char *url, const char *title,
    const char *type, enum cand_source source)
{
	char *key;
	struct candidate *n;

	if (source == CAND_LINK && c->nlinks >= DISCOVER_MAX_LINKS)
		return;
	key = url_canonical(url);
	for (size_t i = 0; key != NULL && i < c->n; i++)
		if (c->v[i].key != NULL && strcmp(c->v[i].key, key) == 0) {
			free(key);
			return;
		}
	c->v = xreallocarray(c->v, c->n + 1, sizeof(*c->v));
	n = &c->v[c->n++];
	n->url = xstrdup(url);
	n->title = title && *title ? xstrdup(title) : NULL;
	n->type = type ? xstrdup(type) : NULL;
	n->key = key;
	n->source = source;
	c->nlinks += source == CAND_LINK;
}

void
candidates_cleanup(struct candidates *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].url);
		free(c->v[i].title);
		free(c->v[i].type);
		free(c->v[i].key);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

void
page_hints_cleanup(struct page_hints *h)
{
	free(h->generator);
	free(h->yt_channel);
	memset(h, 0, sizeof(*h));
}

int
candidate_is_comments(const struct candidate *cand)
{
	return (cand->title && strcasestr(cand->title, "comment")) ||
	    strstr(cand->url, "/comments/feed") ||
	    strstr(cand->url, "/comments/default");
}

/* ---- HTML ---- */

static int
has_token(const char *list, const char *word)
{
	size_t wl = strlen(word);

	for (const char *p = list; p && *p; ) {
		size_t n;

		p += strspn(p, " \t\r\n");
		n = strcspn(p, " \t\r\n");
		if (n == wl && strncasecmp(p, word, n) == 0)
			return 1;
		p += n;
	}
	return 0;
}

static int
is_feed_type(const char *type)
{
	size_t n = type ? strcspn(type, ";") : 0;

	for (size_t i = 0; type && i < NELEM(feed_types); i++)
		if (strlen(feed_types[i]) == n &&
		    strncasecmp(type, feed_types[i], n) == 0)
			return 1;
	return 0;
}

/*
 * n's attribute name, or NULL.  The HTML parser keeps each value as one
 * text node (or none, for a bare attribute), so it is read in place,
 * valid as long as the document.
 */
static const char *
attr(xmlNode *n, const char *name)
{
	xmlAttr *a = xmlHasProp(n, (const xmlChar *)name);

	if (a == NULL || a->type != XML_ATTRIBUTE_NODE)
		return NULL;
	if (a->children == NULL)
		return "";
	if (a->children->type != XML_TEXT_NODE || a->children->next != NULL)
		return NULL;
	return (const char *)a->children->content;
}
struct walk {
	const char *page_url;
	char	*base;		/* <base href>, resolved */
	struct candidates *c;
	struct page_hints *h;
};

static void
on_link(struct walk *w, xmlNode *n)
{
	const char *rel = attr(n, "rel"), *type = attr(n, "type");
	const char *href = attr(n, "href"), *title = attr(n, "title");

	if (href && *href && has_token(rel, "alternate") && is_feed_type(type) &&
	    /* a plain JSON alternate is an API, unless it says feed */
	    (strncasecmp(type, "application/json", 16) != 0 ||
	    (title && strcasestr(title, "feed")))) {
		char *abs = url_resolve(w->base ? w->base : w->page_url, href);

		if (url_is_http(abs))
			candidates_add(w->c, abs, title, type, CAND_LINK);
		free(abs);
	}
	if (href && has_token(rel, "canonical") &&
	    strstr(href, "youtube.com/channel/UC") && w->h->yt_channel == NULL)
		w->h->yt_channel = xstrndup(strstr(href, "/UC") + 1, 24);
}

static void
on_meta(struct walk *w, xmlNode *n)
{
	const char *name = attr(n, "name"), *itemprop = attr(n, "itemprop");
	const char *content = attr(n, "content");

	if (name && content && strcasecmp(name, "generator") == 0 &&
	    w->h->generator == NULL) {
		w->h->generator = xstrdup(content);
		if (strcasestr(content, "wordpress"))
			w->h->wordpress = 1;
		if (strcasestr(content, "blogger"))
			w->h->blogger = 1;
		if (strcasestr(content, "substack"))
			w->h->substack = 1;
	}
	if (itemprop && content && (strcmp(itemprop, "channelId") == 0 ||
	    strcmp(itemprop, "identifier") == 0) &&
	    strncmp(content, "UC", 2) == 0 && w->h->yt_channel == NULL)
		w->h->yt_channel = xstrdup(content);
}

/* Scripts and stylesheets give platforms away when no generator does. */
static void
on_asset(struct walk *w, xmlNode *n)
{
	const char *src = attr(n, "src"), *href = attr(n, "href");
	const char *u = src ? src : href;

	if (u && strstr(u, "/wp-content/"))
		w->h->wordpress = 1;
	if (u && strstr(u, "substackcdn.com"))
		w->h->substack = 1;
	if (u && (strstr(u, "blogger.com/static") ||
	    strstr(u, "www.blogger.com/dyn-css")))
		w->h->blogger = 1;
}

static void
walk_tree(struct walk *w, xmlNode *n)
{
	for (; n != NULL; n = n->next) {
		const char *name = (const char *)n->name;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (strcasecmp(name, "base") == 0 && w->base == NULL) {
			const char *href = attr(n, "href");

			if (href)
				w->base = url_resolve(w->page_url, href);
		} else if (strcasecmp(name, "link") == 0) {
			on_link(w, n);
			on_asset(w, n);
		} else if (strcasecmp(name, "meta") == 0)
			on_meta(w, n);
		else if (strcasecmp(name, "script") == 0 ||
		    strcasecmp(name, "img") == 0)
			on_asset(w, n);
		walk_tree(w, n->children);
	}
}

void
discover_html(const char *html, size_t len, const char *page_url,
    struct candidates *c, struct page_hints *h)
{
	struct walk w = { page_url, NULL, c, h };
	htmlDocPtr doc;
	char	*capped;
	size_t	 n;

	if (len > (size_t)INT32_MAX)
		return;
	capped = html_cap_attrs(html, len, &n);
	doc = htmlReadMemory(capped, (int)n, page_url, NULL,
	    HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	    HTML_PARSE_NONET | HTML_PARSE_NOBLANKS);
	free(capped);
	if (doc == NULL)
		return;
	walk_tree(&w, xmlDocGetRootElement(doc));
	free(w.base);
	xmlFreeDoc(doc);
}

/* ---- URLs ---- */

struct parts {
	char	*host, *path, *query;
};

static int
parts_get(const char *url, struct parts *p)
{
	CURLU *u = curl_url();
	int rc = -1;

	memset(p, 0, sizeof(*p));
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &p->host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PATH, &p->path, 0) == CURLUE_OK) {
		(void)curl_url_get(u, CURLUPART_QUERY, &p->query, 0);
		for (char *s = p->host; *s; s++)
			*s = (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
		rc = 0;
	}
	curl_url_cleanup(u);
	return rc;
}

static void
parts_cleanup(struct parts *p)
{
	curl_free(p->host);
	curl_free(p->path);
	curl_free(p->query);
}

/* scheme://host[:port] of url; caller frees. */
static char *
origin(const char *url)
{
	const char *h = strstr(url, "://");
	size_t n;

	if (h == NULL)
		return xstrdup(url);
	n = (size_t)(h + 3 - url) + strcspn(h + 3, "/?#");
	return xstrndup(url, n);
}

static int
host_is(const char *host, const char *domain)
{
	size_t hl = strlen(host), dl = strlen(domain);

	return strcmp(host, domain) == 0 || (hl > dl &&
	    strcmp(host + hl - dl, domain) == 0 && host[hl - dl - 1] == '.');
}

/* The n-th path segment (0-based) into out (size len); 0 or -1. */
static int
segment(const char *path, int n, char *out, size_t len)
{
	const char *p = path;

	for (int i = 0; ; i++) {
		size_t sl;

		while (*p == '/')
			p++;
		sl = strcspn(p, "/");
		if (sl == 0)
			return -1;
		if (i == n) {
			if (sl >= len)
				return -1;
			memcpy(out, p, sl);
			out[sl] = '\0';
			return 0;
		}
		p += sl;
	}
}

static void
add_fmt(struct candidates *c, const char *title, const char *fmt,
    const char *a, const char *b)
{
	char *u = xasprintf(fmt, a, b);

	candidates_add(c, u, title, NULL, CAND_PLATFORM);
	free(u);
}

static void
rule_github(const struct parts *p, struct candidates *c)
{
	char owner[128], repo[128];

	if (segment(p->path, 0, owner, sizeof(owner)) == -1)
		return;
	if (segment(p->path, 1, repo, sizeof(repo)) == -1) {
		add_fmt(c, "GitHub user activity", "https://github.com/%s.atom%s",
		    owner, "");
		return;
	}
	add_fmt(c, "GitHub releases", "https://github.com/%s/%s/releases.atom",
	    owner, repo);
	add_fmt(c, "GitHub commits", "https://github.com/%s/%s/commits.atom",
	    owner, repo);
	add_fmt(c, "GitHub tags", "https://github.com/%s/%s/tags.atom", owner,
	    repo);
}

static void
rule_youtube(const struct parts *p, const struct page_hints *h,
    struct candidates *c)
{
	const char *yt = "https://www.youtube.com/feeds/videos.xml?%s=%s";
	char s0[128], s1[128];
	const char *list;

	if (segment(p->path, 0, s0, sizeof(s0)) == -1)
		return;
	if (strcmp(s0, "channel") == 0 &&
	    segment(p->path, 1, s1, sizeof(s1)) == 0)
		add_fmt(c, "YouTube channel", yt, "channel_id", s1);
	else if (strcmp(s0, "user") == 0 &&
	    segment(p->path, 1, s1, sizeof(s1)) == 0)
		add_fmt(c, "YouTube user", yt, "user", s1);
	else if (strcmp(s0, "playlist") == 0 && p->query &&
	    (list = strstr(p->query, "list=")) != NULL) {
		char *id = xstrndup(list + 5, strcspn(list + 5, "&"));

		add_fmt(c, "YouTube playlist", yt, "playlist_id", id);
		free(id);
	}
	/* @handle, /c/NAME: only the page knows the channel id */
	if (h && h->yt_channel)
		add_fmt(c, "YouTube channel", yt, "channel_id", h->yt_channel);
}

static void
rule_reddit(const struct parts *p, struct candidates *c)
{
	size_t n = strlen(p->path);

	while (n > 0 && p->path[n - 1] == '/')
		n--;
	{
		char *path = xstrndup(p->path, n);

		add_fmt(c, "Reddit", "https://www.reddit.com%s/.rss%s", path, "");
		free(path);
	}
}

static void
rule_medium(const struct parts *p, struct candidates *c)
{
	char s0[128];

	if (strcmp(p->host, "medium.com") != 0) {
		add_fmt(c, "Medium", "https://%s/feed%s", p->host, "");
		return;
	}
	if (segment(p->path, 0, s0, sizeof(s0)) == 0 && strcmp(s0, "feed") != 0)
		add_fmt(c, "Medium", "https://medium.com/feed/%s%s", s0, "");
}

void
discover_platform(const char *page_url, const struct page_hints *h,
    struct candidates *c)
{
	struct parts p;
	char *o;

	if (parts_get(page_url, &p) == -1)
		return;
	o = origin(page_url);
	if (host_is(p.host, "github.com"))
		rule_github(&p, c);
	else if (host_is(p.host, "youtube.com"))
		rule_youtube(&p, h, c);
	else if (host_is(p.host, "reddit.com"))
		rule_reddit(&p, c);
	else if (strcmp(p.host, "news.ycombinator.com") == 0)
		add_fmt(c, "Hacker News front page",
		    "https://news.ycombinator.com/rss%s%s", "", "");
	else if (host_is(p.host, "medium.com"))
		rule_medium(&p, c);
	else if (host_is(p.host, "substack.com") || (h && h->substack))
		add_fmt(c, "Substack", "%s/feed%s", o, "");
	else if (host_is(p.host, "blogspot.com") || (h && h->blogger)) {
		add_fmt(c, "Blogger posts (Atom)", "%s/feeds/posts/default%s",
		    o, "");
		add_fmt(c, "Blogger posts (RSS)",
		    "%s/feeds/posts/default?alt=rss%s", o, "");
	} else if (host_is(p.host, "wordpress.com") || (h && h->wordpress))
		add_fmt(c, "WordPress posts", "%s/feed/%s", o, "");
	free(o);
	parts_cleanup(&p);
}

void
discover_guesses(const char *page_url, struct candidates *c)
{
	char *o = origin(page_url);

	for (size_t i = 0; i < NELEM(common_paths); i++) {
		char *u = xasprintf("%s%s", o, common_paths[i]);

		candidates_add(c, u, NULL, NULL, CAND_GUESS);
		free(u);
	}
	free(o);
}
