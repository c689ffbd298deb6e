/*
 * test_discover: finding feeds in web pages (daemon/discover.c), on the
 * platform pages in tests/data/discover (hand-written after each
 * platform's real markup: see the README there) and on URL rules
 * alone.  No network: what the candidates are, in which order.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/discover.h"
#include "util/xmalloc.h"
#include "tests/helpers.h"
#include "util/buf.h"

struct found {
	struct candidates c;
	struct page_hints h;
};

static void
from_page(struct found *f, const char *file, const char *url)
{
	char *path = xasprintf("tests/data/discover/%s", file);
	size_t len;
	char *html = th_read_file(path, &len);

	cr_assert_not_null(html, "%s", path);
	memset(f, 0, sizeof(*f));
	discover_html(html, len, url, &f->c, &f->h);
	discover_platform(url, &f->h, &f->c);
	free(html);
	free(path);
}

static void
from_url(struct found *f, const char *url)
{
	memset(f, 0, sizeof(*f));
	discover_platform(url, NULL, &f->c);
}

static void
found_done(struct found *f)
{
	candidates_cleanup(&f->c);
	page_hints_cleanup(&f->h);
}

static void
expect(const struct found *f, size_t i, const char *url,
    enum cand_source src)
{
	cr_assert_gt(f->c.n, i, "only %zu candidates", f->c.n);
	cr_assert_str_eq(f->c.v[i].url, url);
	cr_assert_eq(f->c.v[i].source, src, "%s: source %d", url,
	    f->c.v[i].source);
}

Test(discover, wordpress_feed_then_comments_no_oembed)
{
	struct found f;

	from_page(&f, "wordpress.html", "https://fieldnotes.example.org/");
	expect(&f, 0, "https://fieldnotes.example.org/feed/", CAND_LINK);
	cr_assert_str_eq(f.c.v[0].title, "Field Notes \xc2\xbb Feed");
	cr_assert_not(candidate_is_comments(&f.c.v[0]));
	expect(&f, 1, "https://fieldnotes.example.org/comments/feed/",
	    CAND_LINK);
	cr_assert(candidate_is_comments(&f.c.v[1]));
	/* the WordPress rule's /feed/ is the same URL: not repeated */
	cr_assert_eq(f.c.n, 2, "%zu", f.c.n);
	cr_assert(f.h.wordpress);
	cr_assert_str_eq(f.h.generator, "WordPress 6.4.3");
	found_done(&f);
}

Test(discover, blogger_atom_and_rss_not_service_post)
{
	struct found f;

	from_page(&f, "blogger.html", "https://ridgewalks.blogspot.com/");
	expect(&f, 0, "https://ridgewalks.blogspot.com/feeds/posts/default",
	    CAND_LINK);
	expect(&f, 1,
	    "https://ridgewalks.blogspot.com/feeds/posts/default?alt=rss",
	    CAND_LINK);
	cr_assert_eq(f.c.n, 2, "%zu", f.c.n);
	cr_assert(f.h.blogger);
	found_done(&f);
}

Test(discover, substack_feed)
{
	struct found f;

	from_page(&f, "substack.html", "https://weeklyloom.substack.com/");
	expect(&f, 0, "https://weeklyloom.substack.com/feed", CAND_LINK);
	cr_assert_eq(f.c.n, 1);
	cr_assert(f.h.substack);
	found_done(&f);
}

Test(discover, medium_profile_feed_not_app_link)
{
	struct found f;

	from_page(&f, "medium.html", "https://medium.com/@adaquill");
	expect(&f, 0, "https://medium.com/feed/@adaquill", CAND_LINK);
	cr_assert_eq(f.c.n, 1, "%zu", f.c.n);
	found_done(&f);
}

Test(discover, github_repo_without_alternates_gets_releases_commits)
{
	struct found f;

	from_page(&f, "github-repo.html", "https://github.com/tinyorg/tinyfeed");
	expect(&f, 0, "https://github.com/tinyorg/tinyfeed/releases.atom",
	    CAND_PLATFORM);
	expect(&f, 1, "https://github.com/tinyorg/tinyfeed/commits.atom",
	    CAND_PLATFORM);
	expect(&f, 2, "https://github.com/tinyorg/tinyfeed/tags.atom",
	    CAND_PLATFORM);
	found_done(&f);
}

Test(discover, youtube_handle_page_gives_channel_feed)
{
	struct found f;

	from_page(&f, "youtube-channel.html", "https://www.youtube.com/@lathehours");
	expect(&f, 0, "https://www.youtube.com/feeds/videos.xml?"
	    "channel_id=UCq5X3aYtV0mQm1n8cT2kP7w", CAND_LINK);
	cr_assert_str_eq(f.h.yt_channel, "UCq5X3aYtV0mQm1n8cT2kP7w");
	/* the rule derives the same URL from the page: no second copy */
	cr_assert_eq(f.c.n, 1, "%zu", f.c.n);
	found_done(&f);
}

Test(discover, reddit_and_hacker_news_relative_href)
{
	struct found f;

	from_page(&f, "reddit-old.html", "https://old.reddit.com/r/knitting/");
	expect(&f, 0, "https://old.reddit.com/r/knitting/.rss", CAND_LINK);
	found_done(&f);
	from_page(&f, "hackernews.html", "https://news.ycombinator.com/");
	expect(&f, 0, "https://news.ycombinator.com/rss", CAND_LINK);
	cr_assert_eq(f.c.n, 1, "%zu", f.c.n);
	found_done(&f);
}

Test(discover, platform_rules_from_urls_alone)
{
	struct found f;

	from_url(&f, "https://www.youtube.com/channel/UCabc");
	expect(&f, 0, "https://www.youtube.com/feeds/videos.xml?channel_id=UCabc",
	    CAND_PLATFORM);
	found_done(&f);
	from_url(&f, "https://www.youtube.com/playlist?list=PL123&si=x");
	expect(&f, 0, "https://www.youtube.com/feeds/videos.xml?"
	    "playlist_id=PL123", CAND_PLATFORM);
	found_done(&f);
	from_url(&f, "https://www.reddit.com/r/rust/");
	expect(&f, 0, "https://www.reddit.com/r/rust/.rss", CAND_PLATFORM);
	found_done(&f);
	from_url(&f, "https://news.ycombinator.com/item?id=1");
	expect(&f, 0, "https://news.ycombinator.com/rss", CAND_PLATFORM);
	found_done(&f);
	from_url(&f, "https://medium.com/@ada/some-post-123");
	expect(&f, 0, "https://medium.com/feed/@ada", CAND_PLATFORM);
	found_done(&f);
	from_url(&f, "https://ada.medium.com/");
	expect(&f, 0, "https://ada.medium.com/feed", CAND_PLATFORM);
	found_done(&f);
	from_url(&f, "https://github.com/torvalds");
	expect(&f, 0, "https://github.com/torvalds.atom", CAND_PLATFORM);
	found_done(&f);
	from_url(&f, "https://x.substack.com/p/a-post");
	expect(&f, 0, "https://x.substack.com/feed", CAND_PLATFORM);
	found_done(&f);
	from_url(&f, "https://x.blogspot.com/2024/01/p.html");
	expect(&f, 0, "https://x.blogspot.com/feeds/posts/default",
	    CAND_PLATFORM);
	found_done(&f);
	from_url(&f, "https://example.org/blog/");
	cr_assert_eq(f.c.n, 0);
	found_done(&f);
}

Test(discover, relative_and_base_hrefs_types_and_junk)
{
	const char *html = "<html><head><base href=\"/feeds/\">"
	    "<link rel=\"Alternate\" type=\"application/atom+xml\" href=\"main.atom\">"
	    "<link rel=\"alternate\" type=\"application/json\" title=\"JSON Feed\""
	    " href=\"../feed.json\">"
	    "<link rel=\"alternate\" type=\"application/json\" href=\"/api.json\">"
	    "<link rel=\"alternate stylesheet\" type=\"text/css\" href=\"a.css\">"
	    "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"javascript:x\">"
	    "<link rel=\"alternate\" type=\"application/rss+xml; charset=utf-8\""
	    " href=\"//cdn.example.net/r.xml\">"
	    "</head><body><p>unclosed";
	struct candidates c = { NULL, 0, 0 };
	struct page_hints h = { 0 };

	discover_html(html, strlen(html), "http://site.example/a/b.html", &c, &h);
	cr_assert_eq(c.n, 3, "%zu", c.n);
	cr_assert_str_eq(c.v[0].url, "http://site.example/feeds/main.atom");
	cr_assert_str_eq(c.v[1].url, "http://site.example/feed.json");
	cr_assert_str_eq(c.v[2].url, "http://cdn.example.net/r.xml");
	candidates_cleanup(&c);
	page_hints_cleanup(&h);
}

Test(discover, guesses_on_the_origin)
{
	struct candidates c = { NULL, 0, 0 };

	discover_guesses("https://site.example:8443/deep/page?q=1", &c);
	cr_assert_geq(c.n, 5);
	cr_assert_str_eq(c.v[0].url, "https://site.example:8443/feed");
	cr_assert_str_eq(c.v[1].url, "https://site.example:8443/rss.xml");
	cr_assert_str_eq(c.v[2].url, "https://site.example:8443/atom.xml");
	cr_assert_str_eq(c.v[3].url, "https://site.example:8443/index.xml");
	cr_assert_str_eq(c.v[4].url, "https://site.example:8443/feed.json");
	candidates_cleanup(&c);
}

/*
 * A page naming 140,000 feeds took minutes: each new link was put in
 * canonical form with every one before it.  Past DISCOVER_MAX_LINKS
 * they are dropped (at most a dozen are fetched); a platform's feed
 * still comes after them.
 */
Test(discover, a_page_of_many_links_keeps_the_first_in_linear_time,
    .timeout = 20)
{
	struct candidates c = { NULL, 0, 0 };
	struct page_hints h = { 0 };
	struct buf b;

	buf_init(&b, 0);
	buf_puts(&b, "<html><head>");
	for (int i = 0; i < 100000; i++)
		buf_printf(&b, "<link rel=\"alternate\" type=\"application/"
		    "rss+xml\" href=\"/f%d.xml\">", i);
	buf_puts(&b, "</head></html>");
	discover_html(b.data, b.len, "https://github.com/o/r", &c, &h);
	discover_platform("https://github.com/o/r", &h, &c);
	cr_assert_eq(c.nlinks, DISCOVER_MAX_LINKS);
	cr_assert_str_eq(c.v[0].url, "https://github.com/f0.xml");
	cr_assert_str_eq(c.v[DISCOVER_MAX_LINKS - 1].url,
	    "https://github.com/f63.xml");
	cr_assert_gt(c.n, DISCOVER_MAX_LINKS, "no platform feed after them");
	cr_assert_eq(c.v[DISCOVER_MAX_LINKS].source, CAND_PLATFORM);
	buf_cleanup(&b);
	candidates_cleanup(&c);
	page_hints_cleanup(&h);
}

/* A page whose <meta> has 100,000 attributes: its feed link is found
 * at once (libxml2 checks each attribute against all the tag's earlier
 * ones: `feedd add` of such a page ran for minutes). */
Test(discover, a_tag_of_many_attributes_costs_no_minutes, .timeout = 20)
{
	struct found f;
	struct buf b;

	buf_init(&b, 0);
	buf_puts(&b, "<html><head><meta");
	for (int k = 0; k < 100000; k++)
		buf_printf(&b, " a%d=1", k);
	buf_puts(&b, "><link rel=\"alternate\" type=\"application/rss+xml\""
	    " href=\"/feed.xml\"></head><body></body></html>");
	memset(&f, 0, sizeof(f));
	discover_html(buf_str(&b), b.len, "https://a.example/", &f.c, &f.h);
	expect(&f, 0, "https://a.example/feed.xml", CAND_LINK);
	found_done(&f);
	buf_cleanup(&b);
}
