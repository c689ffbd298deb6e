/*
 * test_terminal: everyday use from the terminal, through the real
 * binary against testsrv on 127.0.0.1: `add` (a feed, a page with
 * several alternates, relative and <base> hrefs, a redirect, a page
 * without feeds, common paths, duplicates), `remove`, `status` and
 * its exit status, SIGHUP to a running daemon, every --json output
 * checked against the fields feedd(8) documents, and the tables a
 * terminal gets (through a pseudo-terminal).
 */
#include <cjson/cJSON.h>
#include <pty.h>
#include <sys/ioctl.h>

#include "tests/ts_helpers.h"

/* www/NAME from a corpus file. */
static void
put_corpus(struct ts *t, const char *name, const char *corpus_file)
{
	char *src = xasprintf("%s/corpus/%s", th_shared(), corpus_file);
	char *data = th_read_file(src, NULL);

	cr_assert_not_null(data, "%s", src);
	ts_put(t, name, data);
	free(data);
	free(src);
}

static char *
added_conf(struct ts *t)
{
	char *p = xasprintf("%s/feeds.d/added.conf", t->dir);
	char *text = th_read_file(p, NULL);

	free(p);
	return text;
}

static void
add(struct th_result *r, const char *conf, const char *url)
{
	cr_assert_eq(th_feedd_run(r, 60, "add", "-c", conf, url, NULL), 0);
}

static char *
url_of(struct ts *t, const char *path)
{
	return xasprintf("http://127.0.0.1:%d%s", t->port, path);
}

/* A WordPress-like site: main feed, comments feed, JSON Feed. */
static void
put_site(struct ts *t)
{
	mkdir(th_path(t->www, "site"), 0755);
	ts_put(t, "site/index.html", "<!DOCTYPE html><html><head>"
	    "<title>Site</title>"
	    "<link rel=\"alternate\" type=\"application/rss+xml\""
	    " title=\"Site &raquo; Comments Feed\" href=\"comments/feed.xml\">"
	    "<link rel=\"alternate\" type=\"application/rss+xml\""
	    " title=\"Site &raquo; Feed\" href=\"feed.xml\">"
	    "<link rel=\"alternate\" type=\"application/feed+json\""
	    " title=\"JSON Feed\" href=\"/site/feed.json\">"
	    "</head><body><p>Hello</body></html>");
	mkdir(th_path(t->www, "site/comments"), 0755);
	put_corpus(t, "site/comments/feed.xml",
	    "Ranchero-Software_RSParser/monkeydom.rss");
	put_corpus(t, "site/feed.xml", "Ranchero-Software_RSParser/manton.rss");
	put_corpus(t, "site/feed.json",
	    "Ranchero-Software_RSParser/inessential.json");
}

Test(terminal, add_page_with_several_alternates_takes_the_site_feed)
{
	struct ts t;
	struct th_result r;
	char *conf, *text, *want, *page;

	ts_start(&t);
	put_site(&t);
	conf = ts_config(&t, "", "");
	page = url_of(&t, "/site/");
	add(&r, conf, page);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "found 3 feeds"), "%s", r.out);
	want = xasprintf("* http://127.0.0.1:%d/site/feed.xml  (rss20, 10 items,"
	    " \"Manton Reece\")", t.port);
	cr_assert(strstr(r.out, want), "%s", r.out);
	cr_assert(strstr(r.out, "(json10, 20 items"), "%s", r.out);
	cr_assert(strstr(r.out, "no daemon is running"), "%s", r.out);
	text = added_conf(&t);
	cr_assert_not_null(text);
	free(want);
	want = xasprintf("[feed \"Manton Reece\"]\nurl = http://127.0.0.1:%d"
	    "/site/feed.xml\n", t.port);
	cr_assert(strstr(text, want), "%s", text);
	cr_assert_null(strstr(text, "comments"), "%s", text);
	free(text);
	th_result_cleanup(&r);
	/* --list shows the same choice and adds nothing */
	cr_assert_eq(th_feedd_run(&r, 60, "add", "--list", "-c", conf, page,
	    NULL), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	free(want);
	want = xasprintf("* http://127.0.0.1:%d/site/feed.xml  (rss20, 10 items,"
	    " \"Manton Reece\") configured as \"Manton Reece\"\n", t.port);
	cr_assert(strstr(r.out, want), "%s", r.out);
	text = added_conf(&t);
	cr_assert_eq(strstr(text, "[feed"), strrchr(text, '['), "%s", text);
	free(text);
	th_result_cleanup(&r);
	free(want);
	free(page);
	free(conf);
	ts_stop(&t);
}

Test(terminal, add_resolves_relative_and_base_hrefs_after_a_redirect)
{
	struct ts t;
	struct th_result r;
	char *conf, *text, *want, *page;

	ts_start(&t);
	mkdir(th_path(t.www, "blog"), 0755);
	mkdir(th_path(t.www, "feeds"), 0755);
	/* relative to /blog/ (where the redirect lands), not /old */
	ts_put(&t, "blog/index.html", "<html><head><link rel=alternate "
	    "type=application/atom+xml href=\"atom.xml\"></head></html>");
	put_corpus(&t, "blog/atom.xml", "Ranchero-Software_RSParser/russcox.atom");
	page = xasprintf("http://127.0.0.1:%d/old?redirect=http://127.0.0.1:%d"
	    "/blog/", t.port, t.port);
	conf = ts_config(&t, "", "");
	add(&r, conf, page);
	cr_assert_eq(r.status, 0, "%s", r.err);
	want = xasprintf("url = http://127.0.0.1:%d/blog/atom.xml\n", t.port);
	text = added_conf(&t);
	cr_assert(text && strstr(text, want), "%s", text);
	cr_assert(strstr(r.out, "atom10, 19 items"), "%s", r.out);
	free(text);
	free(want);
	th_result_cleanup(&r);
	/* <base href> wins over the page's URL */
	ts_put(&t, "blog/based.html", "<html><head><base href=\"/feeds/\">"
	    "<link rel=\"alternate\" type=\"application/rss+xml\""
	    " href=\"main.xml\"></head><body></body></html>");
	put_corpus(&t, "feeds/main.xml", "Ranchero-Software_RSParser/rubenerd.rss");
	free(page);
	page = url_of(&t, "/blog/based.html");
	add(&r, conf, page);
	cr_assert_eq(r.status, 0, "%s", r.err);
	want = xasprintf("url = http://127.0.0.1:%d/feeds/main.xml\n", t.port);
	text = added_conf(&t);
	cr_assert(text && strstr(text, want), "%s", text);
	free(text);
	free(want);
	th_result_cleanup(&r);
	free(page);
	free(conf);
	ts_stop(&t);
}

Test(terminal, add_page_without_feeds_says_so_and_tries_common_paths)
{
	struct ts t;
	struct th_result r;
	char *conf, *page, *text;

	ts_start(&t);
	ts_put(&t, "plain.html", "<html><head><title>No feeds</title></head>"
	    "<body>nothing</body></html>");
	conf = ts_config(&t, "", "");
	page = url_of(&t, "/plain.html");
	add(&r, conf, page);
	cr_assert_eq(r.status, 1, "%s", r.out);
	cr_assert(strncmp(r.err, "feedd: add: no feed found at ", 29) == 0,
	    "%s", r.err);
	cr_assert(strstr(r.err, "names no feed"), "%s", r.err);
	cr_assert(strchr(r.err, '\n') == strrchr(r.err, '\n'), "one line: %s",
	    r.err);
	cr_assert_eq(ts_count(&t, "/rss.xml", NULL), 1);
	cr_assert_eq(ts_count(&t, "/feed.json", NULL), 1);
	cr_assert_null(added_conf(&t));
	th_result_cleanup(&r);
	/* the same page once the site has /index.xml */
	put_corpus(&t, "index.xml", "Ranchero-Software_RSParser/monkeydom.rss");
	add(&r, conf, page);
	cr_assert_eq(r.status, 0, "%s", r.err);
	text = added_conf(&t);
	cr_assert(text && strstr(text, "/index.xml\n"), "%s", text);
	free(text);
	th_result_cleanup(&r);
	free(page);
	free(conf);
	ts_stop(&t);
}

Test(terminal, add_feed_url_checks_it_and_refuses_duplicates)
{
	struct ts t;
	struct th_result r;
	char *conf, *url, *feeds, *dup, *want;

	ts_start(&t);
	put_corpus(&t, "df.atom", "Ranchero-Software_RSParser/DaringFireball.atom");
	ts_put(&t, "broken.xml", "<rss><channel><title>x</title>");
	feeds = ts_feed(&t, "Main", "/main.xml");
	conf = ts_config(&t, "", feeds);
	url = url_of(&t, "/df.atom");
	cr_assert_eq(th_feedd_run(&r, 60, "add", "-c", conf, "--name", "DF",
	    "--tags", "apple, blogs", "--interval", "2h", url, NULL), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "added \"DF\""), "%s", r.out);
	cr_assert(strstr(r.out, "atom10, 48 items, \"Daring Fireball\""), "%s",
	    r.out);
	th_result_cleanup(&r);
	/* the same URL in another spelling: tracking parameter, slash */
	dup = xasprintf("%s?utm_source=x", url);
	add(&r, conf, dup);
	cr_assert_eq(r.status, 1);
	want = xasprintf("feedd: add: %s is already configured as feed \"DF\" "
	    "(%s/feeds.d/added.conf:3)\n", dup, t.dir);
	cr_assert_str_eq(r.err, want);
	th_result_cleanup(&r);
	free(want);
	free(dup);
	/* one in the main config is named with its line */
	dup = url_of(&t, "/main.xml");
	add(&r, conf, dup);
	cr_assert_eq(r.status, 1);
	cr_assert(strstr(r.err, "as feed \"Main\" (") && strstr(r.err,
	    "feedd.conf:"), "%s", r.err);
	th_result_cleanup(&r);
	free(dup);
	/* a document that is no feed and no page with feeds */
	dup = url_of(&t, "/nothing-here.xml");
	add(&r, conf, dup);
	cr_assert_eq(r.status, 1);
	cr_assert(strstr(r.err, "HTTP 404"), "%s", r.err);
	th_result_cleanup(&r);
	free(dup);
	cr_assert_eq(th_feedd_run(&r, 10, "check-config", "-c", conf, NULL), 0);
	cr_assert_eq(r.status, 0, "%s", r.out);
	th_result_cleanup(&r);
	free(url);
	free(feeds);
	free(conf);
	ts_stop(&t);
}

Test(terminal, remove_takes_a_feeds_d_section_and_names_main_config_lines)
{
	struct ts t;
	struct th_result r;
	char *conf, *feeds, *text, *u1, *u2;

	ts_start(&t);
	put_corpus(&t, "a.xml", "Ranchero-Software_RSParser/manton.rss");
	put_corpus(&t, "b.xml", "Ranchero-Software_RSParser/rubenerd.rss");
	feeds = ts_feed(&t, "Main", "/main.xml");
	conf = ts_config(&t, "", feeds);
	u1 = url_of(&t, "/a.xml");
	u2 = url_of(&t, "/b.xml");
	add(&r, conf, u1);
	th_result_cleanup(&r);
	add(&r, conf, u2);
	th_result_cleanup(&r);
	cr_assert_eq(th_feedd_run(&r, 10, "remove", "-c", conf, "Manton Reece",
	    NULL), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "removed \"Manton Reece\""), "%s", r.out);
	th_result_cleanup(&r);
	text = added_conf(&t);
	cr_assert_null(strstr(text, "Manton"), "%s", text);
	cr_assert_null(strstr(text, "/a.xml"), "%s", text);
	cr_assert(strstr(text, "/b.xml"), "%s", text);
	free(text);
	cr_assert_eq(th_feedd_run(&r, 10, "remove", "-c", conf, "Main", NULL), 0);
	cr_assert_eq(r.status, 1);
	cr_assert(strstr(r.err, "is in the main config") &&
	    strstr(r.err, "feedd.conf:"), "%s", r.err);
	th_result_cleanup(&r);
	cr_assert_eq(th_feedd_run(&r, 10, "remove", "-c", conf, "Nope", NULL), 0);
	cr_assert_eq(r.status, 2);
	th_result_cleanup(&r);
	free(u1);
	free(u2);
	free(feeds);
	free(conf);
	ts_stop(&t);
}
