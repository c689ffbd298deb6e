/*
 * test_opml: the OPML reader and writer (feeds/opml.c) on the corpus and
 * on hand-written documents, and `feedd import-opml` / `export-opml`
 * end to end against a temporary config.
 */
#include <criterion/criterion.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/config.h"
#include "daemon/feedsd.h"
#include "feeds/opml.h"
#include "tests/helpers.h"
#include "util/buf.h"
#include "util/xmalloc.h"

static struct opml_doc *
parse_str(const char *s, char **err)
{
	return opml_parse(s, strlen(s), err);
}

static struct opml_doc *
parse_corpus(const char *rel)
{
	char *path = th_path(th_shared(), rel), *data, *err = NULL;
	struct opml_doc *doc;
	size_t len;

	data = th_read_file(path, &len);
	cr_assert_not_null(data, "cannot read %s", path);
	doc = opml_parse(data, len, &err);
	cr_assert_not_null(doc, "%s: %s", rel, err ? err : "");
	free(data);
	free(path);
	return doc;
}

static const struct opml_feed *
find_url(const struct opml_doc *doc, const char *url)
{
	for (size_t i = 0; i < doc->nfeeds; i++)
		if (strcmp(doc->feeds[i].xml_url, url) == 0)
			return &doc->feeds[i];
	cr_assert_fail("no feed with url %s", url);
	return NULL;
}

static void
assert_tags(const struct opml_feed *f, size_t n, const char *const *want)
{
	cr_assert_eq(f->ntags, n, "%s: %zu tags, want %zu", f->xml_url,
	    f->ntags, n);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(f->tags[i], want[i]);
}

Test(opml, newsboat_example_flattens_folders_into_tags)
{
	struct opml_doc *doc = parse_corpus("corpus/newsboat_newsboat/example.opml");
	const struct opml_feed *f;

	/* Seven outlines carry an xmlUrl; three are folders. */
	cr_assert_eq(doc->nfeeds, 7);
	cr_assert_str_eq(doc->title, "Example OPML file for Newsboat tests");
	f = find_url(doc, "https://example.com/feed.xml");
	cr_assert_str_eq(f->title, "example.com website");
	assert_tags(f, 0, NULL);
	/* The folder's text wins over its title ("should be ignored"). */
	f = find_url(doc, "https://blogs.example.com/~john/posts.rss");
	assert_tags(f, 1, (const char *[]){ "Blogs" });
	f = find_url(doc, "https://blogs.example.com/~mike/.rss");
	cr_assert_str_eq(f->title, "Notes by Mike");
	assert_tags(f, 2, (const char *[]){ "Blogs", "friends" });
	f = find_url(doc, "https://fred.example.com/writing/index.php?type=rss");
	assert_tags(f, 1, (const char *[]){ "eloquent" });
	opml_doc_free(doc);
}

Test(opml, newsboat_category_attribute_becomes_tags)
{
	struct opml_doc *doc = parse_corpus("corpus/newsboat_newsboat/category.opml");

	cr_assert_eq(doc->nfeeds, 1);
	/* title="" and no text: no name from the document. */
	cr_assert_null(doc->feeds[0].title);
	assert_tags(&doc->feeds[0], 3,
	    (const char *[]){ "tag one", "tag_two", "tag/three" });
	opml_doc_free(doc);
}

/* Old Safari and reader exports name feeds with the feed scheme. */
Test(opml, feed_scheme_outlines_are_http)
{
	char	*err = NULL;
	struct opml_doc *doc = parse_str("<opml version=\"1.0\"><body>"
	    "<outline text=\"a\" xmlUrl=\"feed://example.org/rss\"/>"
	    "<outline text=\"b\" xmlUrl=\"feed:https://example.org/atom\"/>"
	    "</body></opml>", &err);

	cr_assert_not_null(doc, "%s", err);
	cr_assert_eq(doc->nfeeds, 2);
	cr_expect_str_eq(doc->feeds[0].xml_url, "http://example.org/rss");
	cr_expect_str_eq(doc->feeds[1].xml_url, "https://example.org/atom");
	opml_doc_free(doc);
}

/*
 * Feed outlines nested under a feed outline, xmlUrl in any case, and an
 * empty xmlUrl: the first two were dropped and the last taken for a
 * folder, all without a word (OPML review D3, D5).  The empty one is a
 * feed whose URL the importer then refuses, on a line of its own.
 */
Test(opml, every_feed_outline_is_read)
{
	char	*err = NULL;
	struct opml_doc *doc = parse_str("<opml version=\"2.0\"><body>"
	    "<outline text=\"Tech\"><outline text=\"Parent\" xmlUrl=\""
	    "https://p.example/feed\"><outline text=\"Child\" xmlUrl=\""
	    "https://c.example/feed\"/></outline></outline>"
	    "<outline text=\"Upper\" XMLURL=\"https://u.example/feed\"/>"
	    "<outline text=\"Empty\" xmlUrl=\" \"><outline text=\"Inner\" "
	    "xmlUrl=\"https://i.example/feed\"/></outline>"
	    "</body></opml>", &err);

	cr_assert_not_null(doc, "%s", err);
	cr_assert_eq(doc->nfeeds, 5);
	cr_expect_str_eq(doc->feeds[1].title, "Child");
	cr_expect_str_eq(doc->feeds[1].xml_url, "https://c.example/feed");
	cr_assert_eq(doc->feeds[1].ntags, 1, "Tech, not Parent");
	cr_expect_str_eq(doc->feeds[1].tags[0], "Tech");
	cr_expect_str_eq(doc->feeds[2].xml_url, "https://u.example/feed");
	cr_expect_str_eq(doc->feeds[3].title, "Empty");
	cr_expect_str_eq(doc->feeds[3].xml_url, "");
	cr_assert_eq(doc->feeds[4].ntags, 0, "no folder named Empty");
	opml_doc_free(doc);
}

Test(opml, body_element_missing_is_rejected)
{
	char *path = th_path(th_shared(),
	    "corpus/newsboat_newsboat/body-element-missing.opml");
	char *data = th_read_file(path, NULL), *err = NULL;

	cr_assert_not_null(data);
	cr_assert_null(opml_parse(data, strlen(data), &err));
	cr_assert(err && strstr(err, "body"), "err: %s", err ? err : "");
	free(err);
	free(data);
	free(path);
}

/*
 * What a user is told: an empty file is empty (it read "not XML: line
 * 0: parse error"), and a file nested too deep is not told to pass
 * libxml2's XML_PARSE_HUGE.
 */
Test(opml, empty_and_too_deep_are_said_plainly)
{
	struct buf b;
	char *err = NULL;

	cr_assert_null(opml_parse(" \n\t", 3, &err));
	cr_assert_str_eq(err, "empty: no OPML in it");
	free(err);
	err = NULL;
	buf_init(&b, 0);
	buf_puts(&b, "<opml version=\"2.0\"><body>");
	for (int i = 0; i < 300; i++)
		buf_puts(&b, "<outline text=\"x\">");
	cr_assert_null(opml_parse(b.data, b.len, &err));
	cr_assert(err && strstr(err, "nested too deep") &&
	    !strstr(err, "XML_PARSE_HUGE"), "%s", err ? err : "");
	free(err);
	buf_cleanup(&b);
}

/* A port past 65535 is no missing host. */
Test(opml, a_port_out_of_range_is_named)
{
	cr_assert_str_eq(feedsd_url_refusal("http://127.0.0.1:99999/"),
	    "URL with a port out of range");
	cr_assert_str_eq(feedsd_url_refusal("http://?x"), "URL without a host");
	cr_assert_null(feedsd_url_refusal("http://127.0.0.1:8080/f"));
}

Test(opml, not_xml_and_not_opml_are_rejected)
{
	char *err = NULL;

	cr_assert_null(parse_str("this is not < xml", &err));
	cr_assert_not_null(err);
	free(err);
	err = NULL;
	cr_assert_null(parse_str("<rss version=\"2.0\"><channel/></rss>", &err));
	cr_assert(err && strstr(err, "opml"), "err: %s", err ? err : "");
	free(err);
}

/*
 * The feed's URL is its xmlUrl in no namespace, whatever another
 * namespace's xmlUrl beside it says (the tree read it from the first of
 * either); an outline with only that one is a folder.  Outlines under
 * other elements are not read, as before.
 */
Test(opml, xmlurl_of_another_namespace_is_not_the_feeds)
{
	const char *src = "<opml xmlns:x=\"urn:x\"><head><title>T <b>bold"
	    "</b></title></head><body><outline text=\"A\" x:xmlUrl=\""
	    "https://other.example/\" xmlUrl=\"https://a.example/f\"/>"
	    "<outline x:xmlUrl=\"https://only.example/\" text=\"Folder\">"
	    "<outline text=\"B\" xmlUrl=\"https://b.example/f\"/></outline>"
	    "<div><outline text=\"C\" xmlUrl=\"https://c.example/f\"/></div>"
	    "</body></opml>";
	char *err = NULL;
	struct opml_doc *doc = parse_str(src, &err);

	cr_assert_not_null(doc, "%s", err ? err : "");
	cr_assert_str_eq(doc->title, "T bold");
	cr_assert_eq(doc->nfeeds, 2);
	cr_assert_str_eq(doc->feeds[0].xml_url, "https://a.example/f");
	cr_assert_str_eq(doc->feeds[1].xml_url, "https://b.example/f");
	cr_assert_eq(doc->feeds[1].ntags, 1);
	cr_assert_str_eq(doc->feeds[1].tags[0], "Folder");
	opml_doc_free(doc);
}

Test(opml, atoma_iso_8859_1_list)
{
	struct opml_doc *doc = parse_corpus("corpus/NicolasLM_atoma/subscription-list.xml");

	cr_assert_eq(doc->nfeeds, 2);
	cr_assert_str_eq(doc->feeds[0].title, "CNET News.com");
	cr_assert_str_eq(doc->feeds[0].xml_url, "http://news.com.com/2547-1_3-0-5.xml");
	cr_assert_str_eq(doc->feeds[0].html_url, "http://news.com.com/");
	cr_assert_str_eq(doc->feeds[1].title, "washingtonpost.com - Politics");
	opml_doc_free(doc);
}

Test(opml, latin1_bytes_come_out_as_utf8)
{
	const char *src = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
	    "<opml version=\"1.0\"><body><outline text=\"Caf\xe9 M\xfcller\" "
	    "xmlUrl=\"http://x.example/f\"/></body></opml>";
	char *err = NULL;
	struct opml_doc *doc = parse_str(src, &err);

	cr_assert_not_null(doc, "%s", err ? err : "");
	cr_assert_str_eq(doc->feeds[0].title, "Caf\xc3\xa9 M\xc3\xbcller");
	opml_doc_free(doc);
}

Test(opml, netnewswire_export_every_xmlurl_is_a_feed)
{
	const char *rel = "corpus/Ranchero-Software_RSParser/Subs.opml";
	char *path = th_path(th_shared(), rel), *data = th_read_file(path, NULL);
	struct opml_doc *doc = parse_corpus(rel);
	size_t want = 0;

	for (const char *p = data; (p = strstr(p, "xmlUrl=\"")) != NULL; p++)
		want++;
	cr_assert_gt(want, 100);
	cr_assert_eq(doc->nfeeds, want);
	/* &amp; decoded. */
	cr_assert_str_eq(find_url(doc, "http://corinnekrych.blogspot.com/feeds/posts/default")->title,
	    "chat & code");
	opml_doc_free(doc);
	free(data);
	free(path);
}

Test(opml, external_entities_are_not_loaded)
{
	const char *src = "<?xml version=\"1.0\"?>"
	    "<!DOCTYPE opml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
	    "<opml version=\"2.0\"><body><outline text=\"a&x;\" "
	    "xmlUrl=\"http://x.example/f\"/></body></opml>";
	char *err = NULL;
	struct opml_doc *doc = parse_str(src, &err);

	if (doc != NULL) {
		cr_assert(doc->nfeeds == 0 || doc->feeds[0].title == NULL ||
		    strstr(doc->feeds[0].title, "root:") == NULL);
		opml_doc_free(doc);
	}
	free(err);
}

/*
 * An entity of 50 KB referred to 50,000 times in one attribute passes
 * libxml2's own limits; reading it took minutes and a gigabyte (OPML
 * review D1).  Entities an OPML file declares are refused at once.
 */
Test(opml, declared_entities_are_refused_at_once)
{
	struct buf b;
	char	*err = NULL, *big = xmalloc(50001);
	struct opml_doc *doc;
	clock_t	 t0 = clock();

	memset(big, 'A', 50000);
	big[50000] = '\0';
	buf_init(&b, 0);
	buf_printf(&b, "<?xml version=\"1.0\"?><!DOCTYPE opml [<!ENTITY e "
	    "\"%s\">]><opml version=\"2.0\"><body><outline text=\"", big);
	for (int i = 0; i < 50000; i++)
		buf_puts(&b, "&e;");
	buf_puts(&b, "\" xmlUrl=\"http://x.example/f\"/></body></opml>");
	doc = parse_str(buf_str(&b), &err);
	cr_assert_null(doc);
	cr_assert_not_null(err);
	cr_expect_not_null(strstr(err, "declares its own entities"), "%s",
	    err);
	cr_expect_lt((double)(clock() - t0) / CLOCKS_PER_SEC, 2.0);
	free(err);
	free(big);
	buf_cleanup(&b);
}

Test(opml, date_is_rfc822_gmt)
{
	char d[OPML_DATE_LEN];

	opml_format_date(0, d);
	cr_assert_str_eq(d, "Thu, 01 Jan 1970 00:00:00 GMT");
	opml_format_date(951782400, d);		/* 2000-02-29 00:00:00 UTC */
	cr_assert_str_eq(d, "Tue, 29 Feb 2000 00:00:00 GMT");
}

/* A full disk: the cause, not only that writing failed. */
Test(opml, writer_on_a_full_disk_says_why)
{
	struct opml_feed in[] = {
		{ "A", "https://a.example/rss", NULL, NULL, 0 },
	};
	FILE *fp = fopen("/dev/full", "w");
	char *err = NULL;

	cr_assert_not_null(fp);
	cr_assert_eq(opml_write(fp, "My list", 0, in, 1, &err), -1);
	cr_assert_str_eq(err, "write error: No space left on device");
	free(err);
	fclose(fp);
}

Test(opml, writer_output_reads_back_with_folders)
{
	char *t1[] = { "AI", "news" }, *t2[] = { "AI" };
	struct opml_feed in[] = {
		{ "Plain <&> \"feed\"", "https://a.example/rss", NULL, NULL, 0 },
		{ "Deep", "https://b.example/atom?x=1&y=2", NULL, t1, 2 },
		{ "Mind", "https://c.example/feed", "https://c.example/", t2, 1 },
	};
	char *out = NULL, *err = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);
	struct opml_doc *doc;

	cr_assert_eq(opml_write(fp, "My list", 0, in, 3, &err), 0);
	fclose(fp);
	cr_assert(strstr(out, "<opml version=\"2.0\">"), "%s", out);
	cr_assert(strstr(out, "<dateCreated>Thu, 01 Jan 1970 00:00:00 GMT</dateCreated>"));
	cr_assert(strstr(out, "type=\"rss\""));
	doc = opml_parse(out, len, &err);
	cr_assert_not_null(doc, "%s", err ? err : "");
	cr_assert_str_eq(doc->title, "My list");
	cr_assert_eq(doc->nfeeds, 3);
	cr_assert_str_eq(find_url(doc, "https://a.example/rss")->title,
	    "Plain <&> \"feed\"");
	assert_tags(find_url(doc, "https://b.example/atom?x=1&y=2"), 2,
	    (const char *[]){ "AI", "news" });
	assert_tags(find_url(doc, "https://c.example/feed"), 1,
	    (const char *[]){ "AI" });
	cr_assert_str_eq(find_url(doc, "https://c.example/feed")->html_url,
	    "https://c.example/");
	opml_doc_free(doc);
	free(out);
}

#define MANY_FEEDS	30000
#define MANY_FOLDERS	15000

/* The index a many_folders feed's URL carries. */
static long
url_index(const struct opml_feed *f)
{
	long i = -1;

	cr_assert_eq(sscanf(f->xml_url, "https://f%ld.example/rss", &i), 1,
	    "%s", f->xml_url);
	return i;
}

/*
 * Feed i of many_folders: every 7th untagged, the others in folder
 * i % MANY_FOLDERS, named so that sorting them by name is not the
 * order they first appear in.
 */
static void
many_feed(struct opml_feed *f, size_t i)
{
	f->title = xasprintf("Feed %zu", i);
	f->xml_url = xasprintf("https://f%zu.example/rss", i);
	if (i % 7 == 3)
		return;
	f->ntags = 2;
	f->tags = xcalloc(2, sizeof(char *));
	f->tags[0] = xasprintf("folder %05zu",
	    (i % MANY_FOLDERS) * 7919 % MANY_FOLDERS);
	f->tags[1] = xstrdup("all");
}

static void
many_free(struct opml_feed *in)
{
	for (size_t i = 0; i < MANY_FEEDS; i++) {
		free(in[i].title);
		free(in[i].xml_url);
		strv_free(in[i].tags, in[i].ntags);
	}
	free(in);
}

/* The first feed of folder m in many_feed's list. */
static long
first_in_folder(long m)
{
	return m % 7 == 3 ? m + MANY_FOLDERS : m;
}

/*
 * Many folders: the untagged feeds first, in order, then one outline
 * per folder in order of first appearance, each holding its feeds in
 * order.  (Looking through the earlier feeds for each one's folder
 * took 18 s for 100,000 feeds in as many folders; the writer sorts.)
 */
Test(opml, many_folders_are_written_grouped_in_order_of_first_appearance)
{
	struct opml_feed *in = xcalloc(MANY_FEEDS, sizeof(*in));
	char *out = NULL, *err = NULL;
	size_t len = 0, k = 0;
	FILE *fp = open_memstream(&out, &len);
	struct opml_doc *doc;
	long last = -1, first = -1;

	for (size_t i = 0; i < MANY_FEEDS; i++)
		many_feed(&in[i], i);
	cr_assert_eq(opml_write(fp, "Many", 0, in, MANY_FEEDS, &err), 0);
	fclose(fp);
	doc = opml_parse(out, len, &err);
	cr_assert_not_null(doc, "%s", err ? err : "");
	cr_assert_eq(doc->nfeeds, MANY_FEEDS);
	for (; k < doc->nfeeds && doc->feeds[k].ntags == 0; k++) {
		cr_assert_gt(url_index(&doc->feeds[k]), last);
		last = url_index(&doc->feeds[k]);
		cr_assert_eq(last % 7, 3);
	}
	cr_assert_eq(k, (MANY_FEEDS + 3) / 7);
	for (size_t j = k; j < doc->nfeeds; j++) {
		const struct opml_feed *f = &doc->feeds[j];
		long i = url_index(f);
		int opens = j == k || strcmp(f->tags[0], f[-1].tags[0]) != 0;

		cr_assert_str_eq(f->tags[0], in[i].tags[0], "feed %ld", i);
		cr_assert_gt(i, opens ? first : last, "feed %ld", i);
		if (opens)	/* at the folder's first feed */
			cr_assert_eq(i, first_in_folder(i % MANY_FOLDERS));
		if (opens)
			first = i;
		last = i;
	}
	opml_doc_free(doc);
	many_free(in);
	free(out);
}

/* ---- import-opml / export-opml through the binary ---- */

struct env {
	char	*dir;
	char	*conf;
};
static void
env_init(struct env *e, const char *feeds)
{
	char *text;

	e->dir = th_tmpdir();
	e->conf = th_path(e->dir, "feedd.conf");
	text = malloc(strlen(feeds) + 64);
	sprintf(text, "[daemon]\nstate_dir = .\n\n%s", feeds);
	cr_assert_eq(th_write_file(e->conf, text, strlen(text)), 0);
	free(text);
}

static void
env_cleanup(struct env *e)
{
	th_rmdir(e->dir);
	free(e->dir);
	free(e->conf);
}

static char *
env_write(struct env *e, const char *name, const char *text)
{
	char *p = th_path(e->dir, name);

	cr_assert_eq(th_write_file(p, text, strlen(text)), 0);
	return p;
}

static struct config *
env_load(struct env *e)
{
	struct config_errors errs = { NULL, 0 };
	struct config *cfg = config_load(e->conf, &errs);

	cr_assert_not_null(cfg, "config does not load: %s",
	    errs.n ? errs.msgs[0] : "?");
	config_errors_cleanup(&errs);
	return cfg;
}

static int
import(struct env *e, const char *file, struct th_result *r)
{
	cr_assert_eq(th_feedd_run(r, 20, "-c", e->conf, "import-opml", file,
	    NULL), 0);
	return r->status;
}

/* tags as stored, with blanks around commas ignored */
static void
assert_conf_tags(const struct feed_conf *f, const char *want)
{
	char got[256] = "";
	size_t o = 0;

	for (const char *p = f->tags ? f->tags : ""; *p && o < 255; p++)
		if (!(*p == ' ' && (p[-1] == ',' || p[1] == ',')))
			got[o++] = *p;
	got[o] = '\0';
	cr_assert_str_eq(got, want, "%s: tags '%s'", f->def.name,
	    f->tags ? f->tags : "");
}

/*
 * Two edits of feeds.d at once each wrote back the file it had read, so
 * one's change was lost with both reported done (ten `add`s at once
 * kept six).  An edit now waits for the lock on the config's folder:
 * here the test holds it, the import says it waits, another edit lands
 * meanwhile, and the import then adds to that file, not over it.
 */

/*
 * The writer goes through to the file as it writes, so a disk that
 * fills in the middle fails it there: one error, feedd's, and not
 * libxml2's "I/O error" lines on stderr too.
 */
Test(opml, writer_filling_the_disk_midway_says_why_once)
{
	struct opml_feed *in = xcalloc(MANY_FEEDS, sizeof(*in));
	FILE *fp = fopen("/dev/full", "w");
	char *err = NULL, *said, tmpl[] = "/tmp/feedd-opml-XXXXXX";
	int fd = mkstemp(tmpl), saved = dup(STDERR_FILENO);
	size_t len;

	cr_assert(fp != NULL && fd != -1 && saved != -1);
	for (size_t i = 0; i < MANY_FEEDS; i++)
		many_feed(&in[i], i);
	dup2(fd, STDERR_FILENO);
	cr_assert_eq(opml_write(fp, "Many", 0, in, MANY_FEEDS, &err), -1);
	dup2(saved, STDERR_FILENO);
	cr_assert_str_eq(err, "write error: No space left on device");
	said = th_read_file(tmpl, &len);
	cr_assert_eq(len, 0, "stderr: %s", said);
	free(said);
	free(err);
	fclose(fp);
	close(fd);
	close(saved);
	unlink(tmpl);
	many_free(in);
}

Test(opml_cmd, import_waits_for_another_edit_and_keeps_it)
{
	static const char other[] = "[feed \"B\"]\nurl = http://b.example/feed\n";
	struct env e;
	char *opml, *errf, *dir, *imported, *text = NULL;
	int dirfd, status;
	pid_t pid;

	env_init(&e, "");
	opml = env_write(&e, "in.opml", "<opml version=\"2.0\"><body>"
	    "<outline text=\"A\" xmlUrl=\"http://a.example/feed\"/>"
	    "</body></opml>");
	errf = th_path(e.dir, "stderr");
	dir = th_path(e.dir, "feeds.d");
	imported = th_path(dir, "imported.conf");
	cr_assert_geq(dirfd = open(e.dir, O_RDONLY | O_DIRECTORY), 0);
	cr_assert_eq(flock(dirfd, LOCK_EX), 0);
	if ((pid = fork()) == 0) {
		int fd = open(errf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int out = open("/dev/null", O_WRONLY);

		dup2(fd, 2);
		dup2(out, 1);
		execl(th_feedd(), "feedd", "-c", e.conf, "import-opml", opml,
		    (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 400 && text == NULL; i++) {
		text = th_read_file(errf, NULL);
		if (text != NULL && strstr(text, "waiting for another") == NULL) {
			free(text);
			text = NULL;
		}
		if (text == NULL)
			usleep(25000);	/* until the import says it waits */
	}
	cr_assert_not_null(text, "the import did not wait for the lock");
	free(text);
	cr_assert_eq(mkdir(dir, 0755), 0);
	cr_assert_eq(th_write_file(imported, other, strlen(other)), 0);
	cr_assert_eq(flock(dirfd, LOCK_UN), 0);
	close(dirfd);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	text = th_read_file(imported, NULL);
	cr_assert(text && strstr(text, "[feed \"B\"]") &&
	    strstr(text, "http://a.example/feed"), "%s", text ? text : "");
	free(text);
	free(imported);
	free(dir);
	free(errf);
	free(opml);
	env_cleanup(&e);
}

/*
 * Outlines of one title get "NAME (2)", "NAME (3)"..., a taken one
 * passed over.  The next N is kept per name: counting up from 2 for
 * each, 20,000 of them took 25 s and 100,000 some ten minutes (now 0.5 s;
 * a matter for benchmarks, so this checks the numbering, at a size the
 * sanitizers' build takes in a few seconds).
 */
Test(opml_cmd, many_outlines_of_one_name_are_numbered_in_order)
{
	struct env e;
	struct th_result r;
	struct buf b;
	char *file, *text, *path;

	env_init(&e, "[feed \"Same (3)\"]\nurl = http://taken.example/f\n");
	buf_init(&b, 0);
	buf_puts(&b, "<opml version=\"2.0\"><body>");
	for (int i = 0; i < 5000; i++)
		buf_printf(&b, "<outline text=\"Same\" xmlUrl=\"http://h%d."
		    "example/f\"/>", i);
	buf_puts(&b, "</body></opml>");
	file = env_write(&e, "same.opml", buf_str(&b));
	cr_assert_eq(import(&e, file, &r), 0, "%s", r.err);
	cr_assert(strstr(r.out, "imported 5000 feeds, skipped 0"), "%s",
	    r.out);
	th_result_cleanup(&r);
	path = th_path(e.dir, "feeds.d/imported.conf");
	text = th_read_file(path, NULL);
	free(path);
	cr_assert(text && strstr(text, "[feed \"Same\"]\nurl = http://h0."));
	cr_assert(strstr(text, "[feed \"Same (2)\"]\nurl = http://h1."));
	cr_assert(strstr(text, "[feed \"Same (4)\"]\nurl = http://h2."),
	    "a taken name skipped");
	cr_assert(strstr(text, "[feed \"Same (5001)\"]\nurl = http://h4999."));
	free(text);
	buf_cleanup(&b);
	free(file);
	env_cleanup(&e);
}

/*
 * feeds.d files are the user's: an edit replaced them by a new file,
 * 0644 and root's, and a link by a plain file (its target left stale),
 * where a URL may carry a password.  The file written keeps its mode
 * and owner, and a link is followed.
 */
Test(opml_cmd, an_edited_file_keeps_its_mode_owner_and_link)
{
	struct env e;
	struct th_result r;
	struct stat sb;
	char *file, *dir, *link, *target, *text;

	env_init(&e, "");
	dir = th_path(e.dir, "feeds.d");
	link = th_path(dir, "imported.conf");
	target = th_path(e.dir, "kept.conf");
	cr_assert_eq(mkdir(dir, 0755), 0);
	cr_assert_eq(th_write_file(target, "; mine\n", 7), 0);
	cr_assert_eq(chmod(target, 0600), 0);
	if (geteuid() == 0)
		cr_assert_eq(chown(target, 65534, 65534), 0);
	cr_assert_eq(symlink("../kept.conf", link), 0);
	file = env_write(&e, "in.opml", "<opml version=\"2.0\"><body>"
	    "<outline text=\"A\" xmlUrl=\"http://u:pw@a.example/feed\"/>"
	    "</body></opml>");
	cr_assert_eq(import(&e, file, &r), 0, "%s", r.err);
	th_result_cleanup(&r);
	cr_assert_eq(lstat(link, &sb), 0);
	cr_assert(S_ISLNK(sb.st_mode), "the link was replaced");
	cr_assert_eq(stat(target, &sb), 0);
	cr_assert_eq(sb.st_mode & 07777, 0600, "mode %o", sb.st_mode & 07777);
	if (geteuid() == 0)
		cr_assert(sb.st_uid == 65534 && sb.st_gid == 65534,
		    "owner %d:%d", (int)sb.st_uid, (int)sb.st_gid);
	text = th_read_file(target, NULL);
	cr_assert(text && strstr(text, "; mine\n") &&
	    strstr(text, "a.example/feed"), "%s", text ? text : "");
	free(text);
	free(file);
	free(target);
	free(link);
	free(dir);
	env_cleanup(&e);
}

Test(opml_cmd, import_example_then_again_skips_all)
{
	struct env e;
	struct th_result r;
	struct config *cfg;
	const struct feed_conf *f;
	char *src = th_path(th_shared(), "corpus/newsboat_newsboat/example.opml");

	env_init(&e, "");
	cr_assert_eq(import(&e, src, &r), 0, "stderr: %s", r.err);
	cr_assert(strstr(r.out, "imported 7 feeds, skipped 0"), "%s", r.out);
	th_result_cleanup(&r);
	cfg = env_load(&e);
	cr_assert_eq(cfg->nfeeds, 7);
	f = config_find_feed(cfg, "Notes by Mike");
	cr_assert_not_null(f);
	cr_assert_str_eq(f->url, "https://blogs.example.com/~mike/.rss");
	assert_conf_tags(f, "Blogs,friends");
	cr_assert_not_null(config_find_feed(cfg, "Distrowatch mirror"));
	config_free(cfg);

	cr_assert_eq(import(&e, src, &r), 0, "stderr: %s", r.err);
	cr_assert(strstr(r.out, "imported 0 feeds, skipped 7"), "%s", r.out);
	size_t lines = 0;
	for (const char *p = r.err; *p; p++)
		lines += *p == '\n';
	cr_assert_eq(lines, 7, "stderr: %s", r.err);
	th_result_cleanup(&r);
	free(src);
	env_cleanup(&e);
}

Test(opml_cmd, body_missing_exits_1_and_writes_nothing)
{
	struct env e;
	struct th_result r;
	char *src = th_path(th_shared(),
	    "corpus/newsboat_newsboat/body-element-missing.opml");
	char *out;

	env_init(&e, "");
	cr_assert_eq(import(&e, src, &r), 1, "stderr: %s", r.err);
	cr_assert(strncmp(r.err, "feedd: ", 7) == 0, "%s", r.err);
	cr_assert(strstr(r.err, "body"), "%s", r.err);
	out = th_path(e.dir, "feeds.d/imported.conf");
	cr_assert_neq(access(out, F_OK), 0);
	free(out);
	th_result_cleanup(&r);
	free(src);
	env_cleanup(&e);
}

Test(opml_cmd, name_clash_gets_suffix_same_url_is_skipped)
{
	struct env e;
	struct th_result r;
	struct config *cfg;
	char *src;

	env_init(&e, "[feed \"Julia Evans\"]\nurl = https://other.example/j\n\n"
	    "[feed \"Mine\"]\nurl = https://dup.example/rss\n");
	src = env_write(&e, "in.opml", "<opml version=\"2.0\"><body>"
	    "<outline text=\"Julia Evans\" xmlUrl=\"http://jvns.ca/atom.xml\"/>"
	    "<outline text=\"Copy\" xmlUrl=\"https://dup.example/rss\"/>"
	    "<outline text=\"Twice\" xmlUrl=\"https://t.example/f\"/>"
	    "<outline text=\"Twice again\" xmlUrl=\"https://t.example/f\"/>"
	    "</body></opml>");
	cr_assert_eq(import(&e, src, &r), 0, "stderr: %s", r.err);
	cr_assert(strstr(r.out, "imported 2 feeds, skipped 2"), "%s", r.out);
	cr_assert(strstr(r.err, "Copy"), "%s", r.err);
	cr_assert(strstr(r.err, "Twice again"), "%s", r.err);
	th_result_cleanup(&r);
	cfg = env_load(&e);
	cr_assert_eq(cfg->nfeeds, 4);
	cr_assert_str_eq(config_find_feed(cfg, "Julia Evans (2)")->url,
	    "http://jvns.ca/atom.xml");
	cr_assert_str_eq(config_find_feed(cfg, "Julia Evans")->url,
	    "https://other.example/j");
	config_free(cfg);
	free(src);
	env_cleanup(&e);
}

Test(opml_cmd, hostile_names_are_made_safe)
{
	struct env e;
	struct th_result r;
	struct config *cfg;
	char *src;

	env_init(&e, "");
	/* inih would cut at " ;", end the section at ']', the name at '"'. */
	src = env_write(&e, "in.opml", "<opml version=\"2.0\"><body>"
	    "<outline text=\"Semi ; colon &quot;quoted&quot; [x]&#10;next"
	    "&#x9b;31m\" xmlUrl=\"https://a.example/rss\"/>"
	    "<outline text=\"Folder; one\">"
	    "<outline text=\"  \" xmlUrl=\"https://b.example/rss;v=1\"/>"
	    "</outline>"
	    "<outline text=\"bad url\" xmlUrl=\"https://c.example/a b\"/>"
	    "<outline text=\"ftp\" xmlUrl=\"ftp://d.example/f\"/>"
	    "<outline text=\"no host\" xmlUrl=\"http:///f\"/>"
	    "</body></opml>");
	cr_assert_eq(import(&e, src, &r), 0, "stderr: %s", r.err);
	cr_assert(strstr(r.out, "imported 2 feeds, skipped 3"), "%s", r.out);
	th_result_cleanup(&r);
	cfg = env_load(&e);
	cr_assert_eq(cfg->nfeeds, 2);
	for (size_t i = 0; i < cfg->nfeeds; i++) {
		cr_assert_null(strpbrk(cfg->feeds[i].def.name, ";\"[]\n"),
		    "name: %s", cfg->feeds[i].def.name);
	}
	/* a C1 control (CSI here) is a blank, as listings show it: the
	 * name reads back as written (OPML review D7) */
	cr_assert_not_null(config_find_feed(cfg,
	    "Semi , colon 'quoted' (x) next 31m"));
	/* No name at all: the host names it; the ';' in the URL survives. */
	cr_assert_str_eq(config_find_feed(cfg, "b.example")->url,
	    "https://b.example/rss;v=1");
	assert_conf_tags(config_find_feed(cfg, "b.example"), "Folder one");
	config_free(cfg);
	free(src);
	env_cleanup(&e);
}

/*
 * A name written into feeds.d: bytes that are no UTF-8 went in raw
 * (`add --name`) and on to terminals; NEL, U+2028 and U+2029 stayed,
 * though feedd(8) says line breaks become blanks.
 */
Test(opml_cmd, names_are_utf8_on_one_line)
{
	char *n = feedsd_clean("nul\xc3(bad\xff \xe2\x80\xa8x\xc2\x85y "
	    "caf\xc3\xa9 \xe4\xba\xba", 0, FEEDSD_NAME_MAX);

	cr_assert_str_eq(n, "nul?(bad? x y caf\xc3\xa9 \xe4\xba\xba");
	free(n);
}

/*
 * `feedd -c ./feedd.conf remove NAME` took every feeds.d feed for one of
 * the main config's ("edit it there: ./feeds.d/x.conf:2"): the file's
 * relative name was compared with the absolute folder.
 */
Test(opml_cmd, remove_works_with_a_relative_config_path)
{
	struct env e;
	struct th_result r;
	char *file, *text, *path;

	env_init(&e, "");
	file = env_write(&e, "in.opml", "<opml version=\"2.0\"><body>"
	    "<outline text=\"A\" xmlUrl=\"http://a.example/feed\"/>"
	    "<outline text=\"B\" xmlUrl=\"http://b.example/feed\"/>"
	    "</body></opml>");
	cr_assert_eq(import(&e, file, &r), 0, "%s", r.err);
	th_result_cleanup(&r);
	{
		char *bin = realpath(th_feedd(), NULL);
		char *const argv[] = { "/bin/sh", "-c", "cd \"$1\" && exec "
		    "\"$0\" -c ./feedd.conf remove A", bin, e.dir, NULL };

		cr_assert_not_null(bin);
		cr_assert_eq(th_run(argv, NULL, 20, &r), 0);
		free(bin);
	}
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "removed \"A\" from ./feeds.d/imported.conf"),
	    "%s", r.out);
	th_result_cleanup(&r);
	path = th_path(e.dir, "feeds.d/imported.conf");
	text = th_read_file(path, NULL);
	cr_assert(text && !strstr(text, "a.example") &&
	    strstr(text, "b.example"), "%s", text ? text : "");
	free(text);
	free(path);
	free(file);
	env_cleanup(&e);
}

Test(opml_cmd, latin1_file_imports_as_utf8)
{
	struct env e;
	struct th_result r;
	struct config *cfg;
	char *src;

	env_init(&e, "");
	src = env_write(&e, "in.opml", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
	    "<opml version=\"1.0\"><body><outline text=\"Caf\xe9\" "
	    "xmlUrl=\"https://cafe.example/rss\"/></body></opml>");
	cr_assert_eq(import(&e, src, &r), 0, "stderr: %s", r.err);
	th_result_cleanup(&r);
	cfg = env_load(&e);
	cr_assert_not_null(config_find_feed(cfg, "Caf\xc3\xa9"));
	config_free(cfg);
	free(src);
	env_cleanup(&e);
}

Test(opml_cmd, export_then_import_round_trips)
{
	struct env a, b;
	struct th_result r;
	struct config *cfg;
	char *file;

	env_init(&a, "[feed \"Hacker News\"]\nurl = https://news.ycombinator.com/rss\n\n"
	    "[feed \"Sim & Co\"]\nurl = https://sim.example/feed?a=1&b=2\n"
	    "tags = AI, research\n\n"
	    "[feed \"Other\"]\nurl = https://o.example/atom\ntags = AI\n");
	cr_assert_eq(th_feedd_run(&r, 20, "-c", a.conf, "export-opml", NULL), 0);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert(strstr(r.out, "<opml version=\"2.0\">"), "%s", r.out);
	cr_assert(strstr(r.out, "<dateCreated>"), "%s", r.out);
	env_init(&b, "");
	file = env_write(&b, "out.opml", r.out);
	th_result_cleanup(&r);
	cr_assert_eq(import(&b, file, &r), 0, "stderr: %s", r.err);
	cr_assert(strstr(r.out, "imported 3 feeds, skipped 0"), "%s", r.out);
	th_result_cleanup(&r);
	cfg = env_load(&b);
	cr_assert_eq(cfg->nfeeds, 3);
	cr_assert_str_eq(config_find_feed(cfg, "Sim & Co")->url,
	    "https://sim.example/feed?a=1&b=2");
	assert_conf_tags(config_find_feed(cfg, "Sim & Co"), "AI,research");
	assert_conf_tags(config_find_feed(cfg, "Other"), "AI");
	assert_conf_tags(config_find_feed(cfg, "Hacker News"), "");
	config_free(cfg);
	free(file);
	env_cleanup(&a);
	env_cleanup(&b);
}

/*
 * One host-less outline ("http://?x") aborted the whole import, and a
 * refusal echoed the raw URL: an encoded newline forged a stderr line.
 * Now the bad outlines are skipped and named (escaped), the rest land.
 */
Test(opml_cmd, bad_outlines_are_skipped_and_reported_escaped)
{
	struct env e;
	struct th_result r;
	struct config *cfg;
	char *file;
	int lines = 0;

	env_init(&e, "");
	file = env_write(&e, "in.opml", "<?xml version=\"1.0\"?>\n"
	    "<opml version=\"2.0\"><head><title>t</title></head><body>\n"
	    "<outline text=\"Good\" xmlUrl=\"https://example.com/a.xml\"/>\n"
	    "<outline text=\"NoHost\" xmlUrl=\"http://?x\"/>\n"
	    "<outline text=\"Forge\" xmlUrl=\"https://example.com/&#10;"
	    "feedd: forged&#x9b;31m\"/>\n"
	    "<outline text=\"Good2\" xmlUrl=\"https://example.org/c.xml\"/>\n"
	    "</body></opml>\n");
	cr_assert_eq(import(&e, file, &r), 0, "stderr: %s", r.err);
	cr_assert(strstr(r.out, "imported 2 feeds, skipped 2"), "%s", r.out);
	cr_assert(strstr(r.err, "skipped \"NoHost\" <http://?x>: URL without "
	    "a host"), "%s", r.err);
	cr_assert(strstr(r.err, "<https://example.com/\\nfeedd: forged\\u009b31m>"),
	    "%s", r.err);
	for (const char *p = r.err; *p; p++)
		lines += *p == '\n';
	cr_assert_eq(lines, 2, "one line per skipped outline: %s", r.err);
	cr_assert_null(strstr(r.err, "\xc2\x9b"), "a raw CSI: %s", r.err);
	th_result_cleanup(&r);
	cfg = env_load(&e);
	cr_assert_eq(cfg->nfeeds, 2);
	config_free(cfg);
	free(file);
	env_cleanup(&e);
}

/*
 * A URL past 180 bytes (RSS-Bridge, search feeds) was refused though the
 * config holds it, so export then import lost it (OPML review D2); one
 * past 8,000 is skipped, its line quoting 200 columns of it, not 9 KB.
 */
Test(opml_cmd, long_urls_import_and_a_huge_one_is_quoted_short)
{
	struct env e;
	struct th_result r;
	struct config *cfg;
	char	*file, *src, *line;
	char	*a = xmalloc(9001);

	memset(a, 'a', 9000);
	a[9000] = '\0';
	env_init(&e, "");
	src = xasprintf("<opml version=\"2.0\"><body>"
	    "<outline text=\"Bridge\" xmlUrl=\"https://bridge.example/?action"
	    "=display&amp;bridge=FeedExpander&amp;url=%.260s\"/>"
	    "<outline text=\"Huge\" xmlUrl=\"https://x.example/?q=%s\"/>"
	    "</body></opml>", a, a);
	file = env_write(&e, "in.opml", src);
	cr_assert_eq(import(&e, file, &r), 0, "stderr: %s", r.err);
	cr_assert(strstr(r.out, "imported 1 feed, skipped 1"), "%s", r.out);
	line = strstr(r.err, "skipped \"Huge\"");
	cr_assert_not_null(line, "%s", r.err);
	cr_assert_lt(strlen(r.err), 400, "%zu", strlen(r.err));
	cr_assert(strstr(r.err, "URL longer than 8,000 bytes"), "%s", r.err);
	th_result_cleanup(&r);
	cfg = env_load(&e);
	cr_assert_eq(cfg->nfeeds, 1);
	cr_assert_gt(strlen(cfg->feeds[0].url), 300);
	config_free(cfg);
	free(src);
	free(file);
	free(a);
	env_cleanup(&e);
}

/*
 * A shared list naming the metadata service, a private or loopback
 * address or an intranet name: a configured feed may reach its own
 * host's private address, and the item of "Innocent AI blog" on
 * 127.0.0.1 was published in feed.xml (OPML review D4).  Such URLs are
 * skipped, each on a line that says how to add it; allow_private = yes
 * imports them.
 */
Test(opml_cmd, local_addresses_are_not_imported_unless_allowed)
{
	static const char src[] = "<opml version=\"2.0\"><body>"
	    "<outline text=\"Metadata\" xmlUrl=\"http://169.254.169.254/"
	    "latest/\"/><outline text=\"Innocent AI blog\" xmlUrl=\"http://"
	    "127.0.0.1:8787/metrics\"/><outline text=\"Intranet\" xmlUrl=\""
	    "http://gitlab.internal/feed.atom\"/><outline text=\"Public\" "
	    "xmlUrl=\"https://example.com/feed\"/></body></opml>";
	struct env e;
	struct th_result r;
	struct config *cfg;
	char	*file;

	env_init(&e, "");
	file = env_write(&e, "in.opml", src);
	cr_assert_eq(import(&e, file, &r), 0, "stderr: %s", r.err);
	cr_assert(strstr(r.out, "imported 1 feed, skipped 3"), "%s", r.out);
	cr_assert(strstr(r.err, "skipped \"Innocent AI blog\" <http://"
	    "127.0.0.1:8787/metrics>: a local address"), "%s", r.err);
	th_result_cleanup(&r);
	cfg = env_load(&e);
	cr_assert_eq(cfg->nfeeds, 1);
	cr_expect_str_eq(cfg->feeds[0].url, "https://example.com/feed");
	config_free(cfg);
	free(file);
	env_cleanup(&e);

	env_init(&e, "allow_private = yes\n");
	file = env_write(&e, "in.opml", src);
	cr_assert_eq(import(&e, file, &r), 0, "stderr: %s", r.err);
	cr_assert(strstr(r.out, "imported 4 feeds, skipped 0"), "%s", r.out);
	th_result_cleanup(&r);
	free(file);
	env_cleanup(&e);
}

/* export-opml copied controls and bad UTF-8 from the config: not XML. */
Test(opml_cmd, export_is_well_formed_whatever_the_config_holds)
{
	struct env e;
	struct th_result r;
	xmlDoc *doc;

	env_init(&e, "[output]\ntitle = T\x01it\xff\xfe le\x1b[31m\n\n"
	    "[feed \"a\xc2\x9bx\"]\nurl = https://example.com/\xff\xc2\x85?a=<\n"
	    "tags = x\x02y, \xc3(bad, \xef\xbf\xbe\n");
	cr_assert_eq(th_feedd_run(&r, 20, "-c", e.conf, "export-opml", NULL), 0);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	doc = xmlReadMemory(r.out, (int)strlen(r.out), "out.opml", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	cr_assert_not_null(doc, "not well-formed:\n%s", r.out);
	xmlFreeDoc(doc);
	for (const unsigned char *p = (const unsigned char *)r.out; *p; p++)
		cr_assert(*p >= 0x20 || *p == '\n', "control 0x%02x", *p);
	cr_assert_null(strstr(r.out, "\xc2\x9b"), "C1 CSI copied");
	cr_assert(strstr(r.out, "https://example.com/%FF%C2%85?a=%3C"), "%s",
	    r.out);
	th_result_cleanup(&r);
	env_cleanup(&e);
}
