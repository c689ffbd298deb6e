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
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <utmp.h>

#include "util/buf.h"
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

static void
www_mkdir(struct ts *t, const char *name)
{
	char *p = th_path(t->www, name);

	cr_assert_eq(mkdir(p, 0755), 0, "%s", p);
	free(p);
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
	www_mkdir(t, "site");
	ts_put(t, "site/index.html", "<!DOCTYPE html><html><head>"
	    "<title>Site</title>"
	    "<link rel=\"alternate\" type=\"application/rss+xml\""
	    " title=\"Site &raquo; Comments Feed\" href=\"comments/feed.xml\">"
	    "<link rel=\"alternate\" type=\"application/rss+xml\""
	    " title=\"Site &raquo; Feed\" href=\"feed.xml\">"
	    "<link rel=\"alternate\" type=\"application/feed+json\""
	    " title=\"JSON Feed\" href=\"/site/feed.json\">"
	    "</head><body><p>Hello</body></html>");
	www_mkdir(t, "site/comments");
	put_corpus(t, "site/comments/feed.xml",
	    "Ranchero-Software_RSParser/monkeydom.rss");
	put_corpus(t, "site/feed.xml", "Ranchero-Software_RSParser/manton.rss");
	put_corpus(t, "site/feed.json",
	    "Ranchero-Software_RSParser/inessential.json");
}

/* A browser's subscribe link: feed://h/p is http://h/p. */
Test(terminal, add_takes_a_feed_scheme_link)
{
	struct ts t;
	struct th_result r;
	char *conf, *text, *want, *link;

	ts_start(&t);
	put_corpus(&t, "f.xml", "Ranchero-Software_RSParser/manton.rss");
	link = xasprintf("feed://127.0.0.1:%d/f.xml", t.port);
	conf = ts_config(&t, "", "");
	add(&r, conf, link);
	cr_assert_eq(r.status, 0, "%s", r.err);
	text = added_conf(&t);
	cr_assert_not_null(text);
	want = xasprintf("url = http://127.0.0.1:%d/f.xml\n", t.port);
	cr_expect(strstr(text, want), "%s", text);
	free(text);
	free(want);
	free(link);
	free(conf);
	th_result_cleanup(&r);
	ts_stop(&t);
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
	cr_assert(strstr(r.out, "no daemon runs on"), "%s", r.out);
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

/* `add` ignored the HTTP charset that the daemon honours. */
Test(terminal, add_decodes_by_the_http_charset)
{
	struct ts t;
	struct th_result r;
	char *conf, *url, *text;

	ts_start(&t);
	/* "Привет" in KOI8-R; read as windows-1252 it would be "ðÒÉ×ÅÔ" */
	ts_put(&t, "koi.xml", "<rss version=\"2.0\"><channel>"
	    "<title>\xf0\xd2\xc9\xd7\xc5\xd4</title><item><title>a</title>"
	    "<link>http://example.com/k</link></item></channel></rss>");
	conf = ts_config(&t, "", "");
	url = url_of(&t, "/koi.xml?type=text/xml%3B%20charset%3DKOI8-R");
	add(&r, conf, url);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "\"Привет\""), "%s", r.out);
	text = added_conf(&t);
	cr_assert(text && strstr(text, "[feed \"Привет\"]"), "%s", text);
	free(text);
	th_result_cleanup(&r);
	free(url);
	free(conf);
	ts_stop(&t);
}

Test(terminal, add_resolves_relative_and_base_hrefs_after_a_redirect)
{
	struct ts t;
	struct th_result r;
	char *conf, *text, *want, *page;

	ts_start(&t);
	www_mkdir(&t, "blog");
	www_mkdir(&t, "feeds");
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
	/* a name already taken is a duplicate refused too: 1, as feedd(8)
	 * says (it was 2; interface review 7) */
	dup = xasprintf("%s?other", url);
	cr_assert_eq(th_feedd_run(&r, 60, "add", "-c", conf, "--name", "DF",
	    dup, NULL), 0);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert(strstr(r.err, "a feed named \"DF\" exists ("), "%s", r.err);
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
	/* a comment the user wrote above the second section stays with it */
	text = added_conf(&t);
	{
		char *at = strstr(text, "\n[feed \"Rubenerd"), *edited, *p;

		cr_assert_not_null(at, "%s", text);
		edited = xasprintf("%.*s\n; mine: keep\n%s", (int)(at - text),
		    text, at + 1);
		p = xasprintf("%s/feeds.d/added.conf", t.dir);
		cr_assert_eq(th_write_file(p, edited, strlen(edited)), 0);
		free(p);
		free(edited);
	}
	free(text);
	cr_assert_eq(th_feedd_run(&r, 10, "remove", "-c", conf, "Manton Reece",
	    NULL), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "removed \"Manton Reece\""), "%s", r.out);
	th_result_cleanup(&r);
	text = added_conf(&t);
	cr_assert(strstr(text, "; mine: keep\n[feed \"Rubenerd"), "%s", text);
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

/* ---- --json against feedd(8) ---- */

/* The field names feedd(8) lists after the marker `.\" json: NAME`. */
static cJSON *
documented_fields(const char *name)
{
	char *man = th_read_file("daemon/feedd.8", NULL);
	char *marker = xasprintf(".\\\" json: %s\n", name), *p, *end;
	cJSON *names = cJSON_CreateArray();

	cr_assert_not_null(man);
	p = strstr(man, marker);
	cr_assert_not_null(p, "feedd.8 has no %s", marker);
	end = strstr(p, "\n.El\n");
	cr_assert_not_null(end);
	for (; p && p < end; p = strchr(p + 1, '\n')) {
		if (strncmp(p, "\n.It Li ", 8) == 0) {
			char *n = xstrndup(p + 8, strcspn(p + 8, " \n"));

			cJSON_AddItemToArray(names, cJSON_CreateString(n));
			free(n);
		}
	}
	cr_assert_gt(cJSON_GetArraySize(names), 0, "%s", name);
	free(marker);
	free(man);
	return names;
}

static int
in_list(const cJSON *list, const char *key)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, list)
		if (strcmp(e->valuestring, key) == 0)
			return 1;
	return 0;
}

/*
 * Every line of out is a JSON object whose keys are exactly the
 * documented fields of doc (and of doc2 when given).  Returns the
 * number of lines.
 */
static int
check_json_lines(const char *out, const char *doc, const char *doc2)
{
	cJSON *fields = documented_fields(doc);
	cJSON *more = doc2 ? documented_fields(doc2) : cJSON_CreateArray();
	int lines = 0;

	for (const char *p = out; *p; lines++) {
		size_t len = strcspn(p, "\n");
		char *line = xstrndup(p, len);
		cJSON *o = cJSON_Parse(line), *k;

		cr_assert(o && cJSON_IsObject(o), "not a JSON object: %s", line);
		cJSON_ArrayForEach(k, o)
			cr_assert(in_list(fields, k->string) ||
			    in_list(more, k->string), "%s: field %s is not "
			    "documented in feedd(8)", doc, k->string);
		cJSON_ArrayForEach(k, fields)
			cr_assert(cJSON_HasObjectItem(o, k->valuestring),
			    "%s: documented field %s missing: %s", doc,
			    k->valuestring, line);
		cJSON_ArrayForEach(k, more)
			cr_assert(cJSON_HasObjectItem(o, k->valuestring),
			    "%s: field %s missing", doc2, k->valuestring);
		cJSON_Delete(o);
		free(line);
		p += len;
		if (*p == '\n')
			p++;
	}
	cJSON_Delete(fields);
	cJSON_Delete(more);
	return lines;
}

static const char json_rules[] =
    "[alert \"tls\"]\nmatch = TLS OR certificate*\n\n";

/* testsrv with two good feeds and one missing; once run. */
static char *
status_setup(struct ts *t, int with_missing)
{
	char *f1, *f2, *f3, *rest, *conf;
	struct th_result r;

	ts_start(t);
	put_corpus(t, "rsc.atom", "Ranchero-Software_RSParser/russcox.atom");
	put_corpus(t, "df.json", "Ranchero-Software_RSParser/DaringFireball.json");
	f1 = ts_feed(t, "rsc", "/rsc.atom");
	f2 = ts_feed(t, "df", "/df.json");
	f3 = ts_feed(t, "missing", "/missing.xml");
	rest = xasprintf("[alerts]\nmax_age = 36500d\n\n%s%s%s%s", json_rules,
	    f1, f2, with_missing ? f3 : "");
	conf = ts_config(t, "", "");
	/* ts_config's [alerts] comes first; max_age must sit in it */
	free(rest);
	rest = xasprintf("[daemon]\nstate_dir = state\ntimeout = 4s\n\n"
	    "[output]\natom = feed.xml\n\n[alerts]\nlog = alerts.log\n"
	    "max_age = 36500d\n\n%s%s%s%s", json_rules, f1, f2,
	    with_missing ? f3 : "");
	cr_assert_eq(th_write_file(conf, rest, strlen(rest)), 0);
	ts_once(conf, &r);
	th_result_cleanup(&r);
	free(f1);
	free(f2);
	free(f3);
	free(rest);
	return conf;
}

Test(terminal, json_outputs_have_the_documented_fields)
{
	struct ts t;
	struct th_result r;
	char *conf = status_setup(&t, 1);

	cr_assert_eq(th_feedd_run(&r, 10, "feeds", "--json", "-c", conf, NULL), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_eq(check_json_lines(r.out, "feeds", NULL), 3);
	cr_assert(strstr(r.out, "\"name\":\"missing\"") &&
	    strstr(r.out, "\"status\":\"error\"") &&
	    strstr(r.out, "\"http_status\":404"), "%s", r.out);
	th_result_cleanup(&r);
	cr_assert_eq(th_feedd_run(&r, 10, "items", "--json", "--limit", "7",
	    "-c", conf, NULL), 0);
	cr_assert_eq(check_json_lines(r.out, "items", NULL), 7);
	th_result_cleanup(&r);
	cr_assert_eq(th_feedd_run(&r, 10, "search", "--json", "TLS", "-c", conf,
	    NULL), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_gt(check_json_lines(r.out, "items", "search"), 0, "%s", r.out);
	th_result_cleanup(&r);
	cr_assert_eq(th_feedd_run(&r, 10, "alerts", "--json", "-c", conf, NULL), 0);
	cr_assert_gt(check_json_lines(r.out, "alerts", NULL), 0, "%s", r.out);
	th_result_cleanup(&r);
	cr_assert_eq(th_feedd_run(&r, 10, "alerts", "--json", "--test", "Apple",
	    "-c", conf, NULL), 0);
	cr_assert_gt(check_json_lines(r.out, "items", NULL), 0, "%s", r.out);
	th_result_cleanup(&r);
	cr_assert_eq(th_feedd_run(&r, 10, "status", "--json", "-c", conf, NULL), 0);
	cr_assert_eq(r.status, 1, "a feed fails: %s", r.out);
	cr_assert_eq(check_json_lines(r.out, "status", NULL), 1);
	cr_assert(strstr(r.out, "\"failing_feeds\":[{\"name\":\"missing\""),
	    "%s", r.out);
	cr_assert(strstr(r.out, "\"ok\":false"), "%s", r.out);
	th_result_cleanup(&r);
	free(conf);
	ts_stop(&t);
}

Test(terminal, status_names_failures_and_exits_by_attention)
{
	struct ts t;
	struct th_result r;
	char *conf = status_setup(&t, 1), *text;

	cr_assert_eq(th_feedd_run(&r, 10, "status", "-c", conf, NULL), 0);
	cr_assert_eq(r.status, 1, "%s", r.out);
	cr_assert(strstr(r.out, "daemon\tnot running\n"), "%s", r.out);
	cr_assert(strstr(r.out, "feeds\t3 configured: 2 ok, 1 failing, 0 gone"),
	    "%s", r.out);
	cr_assert(strstr(r.out, "\nfailing\tmissing: HTTP 404"), "%s", r.out);
	cr_assert(strstr(r.out, "\nattention\t1 feed failing\n"), "%s", r.out);
	cr_assert(strstr(r.out, "\n24 h\t"), "%s", r.out);
	cr_assert(strstr(r.out, "\natom\t"), "%s", r.out);
	th_result_cleanup(&r);
	/* without the failing feed all is well */
	text = th_read_file(conf, NULL);
	*strstr(text, "[feed \"missing\"]") = '\0';
	cr_assert_eq(th_write_file(conf, text, strlen(text)), 0);
	free(text);
	cr_assert_eq(th_feedd_run(&r, 10, "status", "-c", conf, NULL), 0);
	cr_assert_eq(r.status, 0, "%s", r.out);
	cr_assert(strstr(r.out, "\nattention\tnone: all well\n"), "%s", r.out);
	cr_assert(strstr(r.out, "feeds\t2 configured: 2 ok"), "%s", r.out);
	th_result_cleanup(&r);
	free(conf);
	ts_stop(&t);
}

Test(terminal, status_of_an_empty_setup_needs_attention)
{
	char *dir = th_tmpdir(), *conf = th_path(dir, "feedd.conf");
	const char *text = "[daemon]\nstate_dir = state\n";
	struct th_result r;

	cr_assert_eq(th_write_file(conf, text, strlen(text)), 0);
	cr_assert_eq(th_feedd_run(&r, 10, "status", "-c", conf, NULL), 0);
	cr_assert_eq(r.status, 1, "%s", r.out);
	cr_assert(strstr(r.out, "attention\tno feeds configured\n"), "%s", r.out);
	cr_assert(strstr(r.out, "attention\tno database yet"), "%s", r.out);
	/* the screen's lines are there all the same (interface review 5) */
	cr_assert(strstr(r.out, "feeds\t0 configured, none fetched yet\n"
	    "last poll\tnever\n24 h\t0 items, 0 alerts\n"), "%s", r.out);
	th_result_cleanup(&r);
	th_rmdir(dir);
	free(conf);
	free(dir);
}

/*
 * A database there that will not open is not "no database yet": status
 * told a damaged file's owner to run `feedd once`, and one that may not
 * read it that nothing existed.
 */
Test(terminal, status_names_a_damaged_or_forbidden_database)
{
	char *dir = th_tmpdir(), *conf = th_path(dir, "feedd.conf");
	char *state = th_path(dir, "state"), *db = th_path(state, "feedd.db");
	const char *text = "[daemon]\nstate_dir = state\n\n[feed \"a\"]\n"
	    "url = http://a.example/feed\n";
	char junk[8192];
	struct th_result r;

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 131 + 7);
	cr_assert_eq(th_write_file(conf, text, strlen(text)), 0);
	cr_assert_eq(mkdir(state, 0755), 0);
	cr_assert_eq(th_write_file(db, junk, sizeof(junk)), 0);
	cr_assert_eq(th_feedd_run(&r, 10, "status", "-c", conf, NULL), 0);
	cr_assert_eq(r.status, 1, "%s", r.out);
	cr_assert(strstr(r.out, "attention\t") && strstr(r.out, "feedd.db: "
	    "file is not a database: the file is damaged (stop feedd, run "
	    "`feedd repair`"), "%s", r.out);
	cr_assert_null(strstr(r.out, "no database yet"), "%s", r.out);
	th_result_cleanup(&r);
	th_rmdir(dir);
	free(db);
	free(state);
	free(conf);
	free(dir);
}

/*
 * status said "all well" while the alert log and the outputs could not
 * be written (a folder in their place): alerts waited in the database,
 * and the files showed what an older run wrote.
 */
Test(terminal, status_names_outputs_and_alerts_not_written)
{
	struct ts t;
	char *f1, *rest, *conf, *state, *alog, *atom, *db;
	struct th_result r;
	sqlite3 *h;

	ts_start(&t);
	put_corpus(&t, "rsc.atom", "Ranchero-Software_RSParser/russcox.atom");
	f1 = ts_feed(&t, "rsc", "/rsc.atom");
	conf = ts_config(&t, "", "");
	rest = xasprintf("[daemon]\nstate_dir = state\n\n[output]\n"
	    "atom = feed.xml\n\n[alerts]\nlog = alerts.log\n"
	    "max_age = 36500d\n\n%s%s", json_rules, f1);
	cr_assert_eq(th_write_file(conf, rest, strlen(rest)), 0);
	state = th_path(t.dir, "state");
	alog = th_path(state, "alerts.log");
	atom = th_path(state, "feed.xml");
	db = th_path(state, "feedd.db");
	cr_assert_eq(mkdir(state, 0755), 0);
	cr_assert_eq(mkdir(alog, 0755), 0);
	cr_assert_eq(mkdir(atom, 0755), 0);
	cr_assert_eq(th_feedd_run(&r, 30, "once", "-c", conf, NULL), 0);
	cr_assert_eq(r.status, 1, "%s", r.err);
	th_result_cleanup(&r);
	/* the flush that fired them is minutes old */
	cr_assert_eq(sqlite3_open(db, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(h, "UPDATE alerts SET fired_at = fired_at"
	    " - 600", NULL, NULL, NULL), SQLITE_OK);
	cr_assert_gt(sqlite3_changes(h), 0, "no alert fired");
	sqlite3_close(h);
	cr_assert_eq(th_feedd_run(&r, 10, "status", "-c", conf, NULL), 0);
	cr_assert_eq(r.status, 1, "%s", r.out);
	cr_assert(strstr(r.out, "not written to the alert log since"), "%s",
	    r.out);
	cr_assert(strstr(r.out, "outputs not written since"), "%s", r.out);
	cr_assert(strstr(r.out, "feed.xml (Is a directory)"), "%s", r.out);
	cr_assert_null(strstr(r.out, "all well"), "%s", r.out);
	th_result_cleanup(&r);
	/* mended: the next run writes both, and status has nothing to say */
	cr_assert_eq(rmdir(alog), 0);
	cr_assert_eq(rmdir(atom), 0);
	cr_assert_eq(th_feedd_run(&r, 30, "once", "-c", conf, NULL), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_result_cleanup(&r);
	cr_assert_eq(th_feedd_run(&r, 10, "status", "-c", conf, NULL), 0);
	cr_assert_null(strstr(r.out, "not written"), "%s", r.out);
	th_result_cleanup(&r);
	free(db);
	free(atom);
	free(alog);
	free(state);
	free(rest);
	free(f1);
	free(conf);
	ts_stop(&t);
}

/* `alerts --rule` with a name no rule has printed nothing, as if no
 * alert had fired yet: a typo is said on stderr (exit 0 still). */
Test(terminal, alerts_of_a_rule_the_config_lacks_are_said_so)
{
	struct ts t;
	char *conf = status_setup(&t, 0);
	struct th_result r;

	cr_assert_eq(th_feedd_run(&r, 10, "alerts", "-c", conf, "--rule",
	    "tsl", NULL), 0);
	cr_expect_eq(r.status, 0);
	cr_expect(strstr(r.err, "no alerts of rule 'tsl'") != NULL &&
	    strstr(r.err, "its rules: tls") != NULL, "%s", r.err);
	th_result_cleanup(&r);
	cr_assert_eq(th_feedd_run(&r, 10, "alerts", "-c", conf, "--rule",
	    "tls", NULL), 0);
	cr_expect_eq(r.status, 0);
	cr_expect_null(strstr(r.err, "no alerts of rule"), "%s", r.err);
	th_result_cleanup(&r);
	free(conf);
	ts_stop(&t);
}

/* A rule named with a blank is logged as one word ("every post" as
 * every_post); --rule takes that form too, as the log shows it (rules
 * review D9). */
Test(terminal, alerts_take_a_rule_by_its_logged_name)
{
	struct ts t;
	struct th_result r;
	char	*f, *conf, *text;

	ts_start(&t);
	put_corpus(&t, "rsc.atom", "Ranchero-Software_RSParser/russcox.atom");
	f = ts_feed(&t, "rsc", "/rsc.atom");
	conf = ts_config(&t, "", "");
	text = xasprintf("[daemon]\nstate_dir = state\n\n[alerts]\nlog = "
	    "alerts.log\nmax_age = 36500d\n\n[alert \"every post\"]\nmatch = "
	    "NOT zzqqxx\n\n%s", f);
	cr_assert_eq(th_write_file(conf, text, strlen(text)), 0);
	ts_once(conf, &r);
	th_result_cleanup(&r);
	cr_assert_eq(th_feedd_run(&r, 10, "alerts", "-c", conf, "--rule",
	    "every_post", NULL), 0);
	cr_expect_eq(r.status, 0);
	cr_expect_str_eq(r.err, "");
	cr_expect_not_null(strstr(r.out, "every_post"), "%s", r.out);
	th_result_cleanup(&r);
	free(text);
	free(conf);
	free(f);
	ts_stop(&t);
}

/* The daemon of the test below, stopped even when an assertion fails. */
static pid_t running_daemon;

static void
stop_daemon(void)
{
	if (running_daemon > 0) {
		kill(running_daemon, SIGTERM);
		(void)ts_wait_exit(running_daemon, 20);
		running_daemon = 0;
	}
}

Test(terminal, add_signals_a_running_daemon_which_polls_the_new_feed,
    .fini = stop_daemon)
{
	struct ts t;
	struct th_result r;
	char *conf, *feeds, *errf, *url, *want, *text;
	pid_t pid;
	int port;

	ts_start(&t);
	put_corpus(&t, "a.xml", "Ranchero-Software_RSParser/manton.rss");
	put_corpus(&t, "b.xml", "Ranchero-Software_RSParser/rubenerd.rss");
	feeds = ts_feed(&t, "A", "/a.xml");
	conf = ts_config(&t, "", "");
	port = th_free_port();	/* nothing listens there */
	text = xasprintf("[daemon]\nstate_dir = state\ntimeout = 4s\n\n"
	    "[output]\natom = feed.xml\nlisten = 127.0.0.1:%d\n\n%s", port,
	    feeds);
	cr_assert_eq(th_write_file(conf, text, strlen(text)), 0);
	free(text);
	errf = th_path(t.dir, "run.err");
	pid = running_daemon = ts_run_start(conf, errf);
	cr_assert_eq(ts_wait_request(&t, "/a.xml", 20), 0);
	cr_assert_eq(th_feedd_run(&r, 10, "status", "--json", "-c", conf, NULL), 0);
	want = xasprintf("\"running\":true,\"mode\":\"run\",\"pid\":%d,", pid);
	cr_assert(strstr(r.out, want), "%s", r.out);
	free(want);
	want = xasprintf("\"url\":\"http://127.0.0.1:%d/feed.xml\"", port);
	cr_assert(strstr(r.out, want), "%s", r.out);
	free(want);
	th_result_cleanup(&r);
	cr_assert_eq(th_feedd_run(&r, 10, "status", "-c", conf, NULL), 0);
	want = xasprintf("\nserved at\thttp://127.0.0.1:%d/feed.xml\n", port);
	cr_assert(strstr(r.out, want), "%s", r.out);
	cr_assert(strstr(r.out, "daemon\trunning since "), "%s", r.out);
	free(want);
	th_result_cleanup(&r);
	url = url_of(&t, "/b.xml");
	add(&r, conf, url);
	cr_assert_eq(r.status, 0, "%s", r.err);
	want = xasprintf("told the running daemon (pid %d) to reload", pid);
	cr_assert(strstr(r.out, want), "%s", r.out);
	th_result_cleanup(&r);
	cr_assert_eq(ts_wait_request(&t, "/b.xml", 20), 0, "the new feed was "
	    "never polled");
	kill(pid, SIGTERM);
	cr_assert_eq(ts_wait_exit(pid, 20), 0);
	running_daemon = 0;
	free(want);
	free(url);
	free(errf);
	free(feeds);
	free(conf);
	ts_stop(&t);
}

/* ---- a terminal ---- */

/*
 * A build root that binds /dev but not /dev/pts (a fresh chroot) hands out
 * ptys whose slaves it cannot see; as root, give it a devpts of its own.
 */
static void
pty_ensure(void)
{
	int fd = posix_openpt(O_RDWR | O_NOCTTY);
	int seen = 0;

	if (fd >= 0) {
		const char *slave = grantpt(fd) == 0 && unlockpt(fd) == 0 ?
		    ptsname(fd) : NULL;

		seen = slave != NULL && access(slave, F_OK) == 0;
		close(fd);
	}
	if (seen)
		return;
	cr_assert_eq(geteuid(), 0,
	    "no usable pseudo-terminal (/dev/pts not mounted here), and not root to mount one");
	(void)mkdir("/dev/pts", 0755);
	cr_assert_eq(mount("devpts", "/dev/pts", "devpts", 0,
	    "newinstance,ptmxmode=0666,mode=0620"), 0,
	    "mount devpts on /dev/pts: %s", strerror(errno));
}

#define PTY_END "\n\001feedd-test-end\n"

/*
 * Runs feedd ARGS on a pseudo-terminal cols wide; all it printed, \r dropped.
 * Reading until EIO lost the tail under load: Linux can report the slave
 * closed before its last bytes reach the master.  So the parent keeps the
 * slave open, and a middle process writes PTY_END once feedd has exited:
 * reading ends on that event, never on EIO or a timeout.
 */
static char *
run_on_pty(int cols, int colour, const char *conf, const char *cmd)
{
	struct winsize ws = { .ws_row = 40, .ws_col = (unsigned short)cols };
	struct buf out;
	char chunk[4096], *end;
	int master, slave, st;
	pid_t pid;

	pty_ensure();
	cr_assert_eq(openpty(&master, &slave, NULL, NULL, &ws), 0, "openpty: %s",
	    strerror(errno));
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		pid_t feedd;

		close(master);
		if (login_tty(slave) == -1)
			_exit(126);
		if (colour)
			unsetenv("NO_COLOR");
		else
			setenv("NO_COLOR", "1", 1);
		setenv("TERM", "xterm", 1);
		setenv("LC_ALL", "C.UTF-8", 1);
		if ((feedd = fork()) == 0) {
			execl(th_feedd(), th_feedd(), cmd, "-c", conf, (char *)NULL);
			_exit(127);
		}
		while (feedd > 0 && waitpid(feedd, &st, 0) == -1 && errno == EINTR)
			;
		if (write(1, PTY_END, strlen(PTY_END)) < 0)
			_exit(125);
		_exit(0);
	}
	buf_init(&out, 0);
	while ((end = strstr(buf_str(&out), PTY_END)) == NULL) {
		ssize_t n = read(master, chunk, sizeof(chunk));

		if (n == -1 && errno == EINTR)
			continue;
		cr_assert_gt(n, 0, "pty closed before feedd %s ended: %s", cmd,
		    buf_str(&out));
		for (ssize_t i = 0; i < n; i++)
			if (chunk[i] != '\r')
				buf_putc(&out, chunk[i]);
	}
	*end = '\0';
	close(slave);
	close(master);
	waitpid(pid, &st, 0);
	return buf_detach(&out);
}

/* Columns of the widest line: UTF-8 sequences count 1, escapes 0. */
static size_t
widest_line(const char *s)
{
	size_t w = 0, max = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\n') {
			max = w > max ? w : max;
			w = 0;
		} else if (*p == 0x1b) {
			while (*p && *p != 'm')
				p++;
		} else if ((*p & 0xC0) != 0x80)
			w++;
	}
	return w > max ? w : max;
}

Test(terminal, a_terminal_gets_aligned_tables_cut_to_its_width)
{
	struct ts t;
	char *conf = status_setup(&t, 1), *out;

	out = run_on_pty(110, 0, conf, "feeds");
	cr_assert(strncmp(out, "NAME", 4) == 0, "%s", out);
	cr_assert(strstr(out, "STATUS") && strstr(out, "LAST FETCH") &&
	    strstr(out, "NEXT DUE"), "%s", out);
	cr_assert(strstr(out, "just now") || strstr(out, "min ago"), "%s", out);
	cr_assert(strstr(out, "error: HTTP 404"), "%s", out);
	cr_assert_null(strchr(out, '\t'), "%s", out);
	cr_assert_null(strchr(out, 0x1b), "NO_COLOR: %s", out);
	cr_assert_leq(widest_line(out), 110, "%s", out);
	free(out);
	out = run_on_pty(64, 0, conf, "feeds");
	cr_assert(strstr(out, "\xe2\x80\xa6"), "cut: %s", out);
	cr_assert_leq(widest_line(out), 64, "%s", out);
	free(out);
	out = run_on_pty(60, 0, conf, "items");
	cr_assert(strncmp(out, "AGE", 3) == 0, "%s", out);
	cr_assert(strstr(out, "TITLE"), "%s", out);
	cr_assert(strstr(out, "\xe2\x80\xa6"), "long titles are cut: %s", out);
	cr_assert_leq(widest_line(out), 60, "%s", out);
	free(out);
	out = run_on_pty(100, 1, conf, "status");
	cr_assert(strstr(out, "\033[1mattention"), "colour: %s", out);
	cr_assert(strstr(out, "failing"), "%s", out);
	free(out);
	out = run_on_pty(100, 1, conf, "alerts");
	cr_assert(strstr(out, "FIRED"), "%s", out);
	free(out);
	free(conf);
	ts_stop(&t);
}

/*
 * A feed no longer configured was marked by " (inactive)" after its name,
 * which a name column cut to the terminal's width took with it.  The
 * status column says it.
 */
Test(terminal, a_removed_feed_reads_inactive_on_a_narrow_terminal)
{
	struct ts t;
	char *conf = status_setup(&t, 1), *text, *cut, *out, *line;
	struct th_result r;

	text = th_read_file(conf, NULL);
	cr_assert_not_null(cut = strstr(text, "[feed \"missing\"]"));
	*cut = '\0';
	cr_assert_eq(th_write_file(conf, text, strlen(text)), 0);
	ts_once(conf, &r);
	th_result_cleanup(&r);
	out = run_on_pty(72, 0, conf, "feeds");
	cr_assert_not_null(line = strstr(out, "missing"), "%s", out);
	cr_assert(strstr(line, "inactive") != NULL &&
	    strstr(line, "inactive") < strchr(line, '\n'), "%s", out);
	cr_assert_leq(widest_line(out), 72, "%s", out);
	free(out);
	free(text);
	free(conf);
	ts_stop(&t);
}

Test(terminal, add_follows_platform_markup_when_a_page_has_no_alternates)
{
	struct ts t;
	struct th_result r;
	char *conf, *page, *text;

	ts_start(&t);
	/* WordPress gives itself away by its generator and /wp-content/ */
	ts_put(&t, "index.html", "<!DOCTYPE html><html><head>"
	    "<meta name=\"generator\" content=\"WordPress 6.4.3\" />"
	    "<link rel='stylesheet' href='/wp-content/themes/x/style.css' />"
	    "</head><body></body></html>");
	www_mkdir(&t, "feed");
	/* /feed/ is WordPress's feed; testsrv serves it as feed/index.html */
	put_corpus(&t, "feed/index.html",
	    "Ranchero-Software_RSParser/dcrainmaker.xml");
	conf = ts_config(&t, "", "");
	page = url_of(&t, "/");
	add(&r, conf, page);
	cr_assert_eq(r.status, 0, "%s", r.err);
	text = added_conf(&t);
	cr_assert(text && strstr(text, "/feed/\n"), "%s", text);
	/* the platform's URL was enough: no common path was tried */
	cr_assert_eq(ts_count(&t, "/rss.xml", NULL), 0);
	free(text);
	th_result_cleanup(&r);
	free(page);
	free(conf);
	ts_stop(&t);
}

/* `feedd CMD --help` names what feedd(8) documents, and an example. */
static void
help_names_fields(const char *cmd, const char *doc)
{
	cJSON *fields = documented_fields(doc), *k;
	struct th_result r;

	cr_assert_eq(th_feedd_run(&r, 10, cmd, "--help", NULL), 0);
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, "--json"), "%s", r.out);
	cr_assert(strstr(r.out, "Example:\n  feedd "), "%s", r.out);
	cJSON_ArrayForEach(k, fields)
		cr_assert(strstr(r.out, k->valuestring), "feedd %s --help does "
		    "not name %s:\n%s", cmd, k->valuestring, r.out);
	th_result_cleanup(&r);
	cJSON_Delete(fields);
}

Test(terminal, help_names_every_documented_field_with_an_example)
{
	struct th_result r;

	help_names_fields("feeds", "feeds");
	help_names_fields("items", "items");
	help_names_fields("search", "search");
	help_names_fields("alerts", "alerts");
	help_names_fields("status", "status");
	cr_assert_eq(th_feedd_run(&r, 10, "add", "--help", NULL), 0);
	cr_assert(strstr(r.out, "--name") && strstr(r.out, "--tags") &&
	    strstr(r.out, "--interval") && strstr(r.out, "--list") &&
	    strstr(r.out, "Example:"), "%s", r.out);
	th_result_cleanup(&r);
}
