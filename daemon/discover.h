/*
 * discover: finding a site's feeds from its page, without the network.
 * The caller fetches; these functions read an HTML page and URLs and
 * return candidate feed URLs, best first, for the caller to verify:
 *   1. <link rel="alternate"> of RSS, Atom, RDF or JSON Feed types;
 *   2. the conventions of platforms (WordPress, Blogger, Substack,
 *      Medium, GitHub, YouTube, Reddit, Hacker News), from the URL and
 *      the page's markup;
 *   3. common paths (/feed, /rss.xml, /atom.xml, /index.xml,
 *      /feed.json, ...) on the site's origin, when 1 and 2 found none.
 * Relative hrefs resolve against <base href>, else the page's URL.
 */
#ifndef FEEDD_DISCOVER_H
#define FEEDD_DISCOVER_H

#include <stddef.h>

enum cand_source {
	CAND_LINK,		/* the page's own <link rel="alternate"> */
	CAND_PLATFORM,		/* a platform's convention */
	CAND_GUESS,		/* a common path */
};

struct candidate {
	char	*url;
	char	*title;		/* from the link, or the rule's label; may be NULL */
	char	*type;		/* the link's type, or NULL */
	char	*key;		/* url_canonical(url), or NULL */
	enum cand_source source;
};

/*
 * A page's own links past this many are dropped: at most a dozen are
 * fetched, and a page with 140,000 <link>s took minutes when each new
 * one was compared with all the others.
 */
#define DISCOVER_MAX_LINKS	64

struct candidates {
	struct candidate *v;
	size_t	 n;
	size_t	 nlinks;	/* of source CAND_LINK */
};

/* The common paths discover_guesses tries, as one line for messages. */
#define DISCOVER_GUESS_PATHS "/feed, /rss.xml, /atom.xml, /index.xml, " \
	"/feed.json, /feed.xml, /rss, /index.rss"
#define DISCOVER_NGUESSES	8

/* What the page's markup says besides its links. */
struct page_hints {
	char	*generator;	/* <meta name="generator"> */
	char	*yt_channel;	/* a YouTube channel id (UC...) */
	int	 wordpress;	/* generator or /wp-content/ */
	int	 blogger;
	int	 substack;
};

/* Adds the page's alternates to c and fills h.  html need not be valid. */
void	 discover_html(const char *html, size_t len, const char *page_url,
	    struct candidates *c, struct page_hints *h);
/* Adds what the platform conventions give for page_url (h may be NULL). */
void	 discover_platform(const char *page_url, const struct page_hints *h,
	    struct candidates *c);
/* Adds the common feed paths on page_url's origin. */
void	 discover_guesses(const char *page_url, struct candidates *c);

/* Appends unless a candidate with the same canonical URL is there. */
void	 candidates_add(struct candidates *c, const char *url,
	    const char *title, const char *type, enum cand_source source);
void	 candidates_cleanup(struct candidates *c);
void	 page_hints_cleanup(struct page_hints *h);
/* 1 for a comments feed (ranked after the site's own). */
int	 candidate_is_comments(const struct candidate *cand);

#endif
