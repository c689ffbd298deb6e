/*
 * test_output: output_render against a real store in a temporary
 * folder: the Atom, JSON Feed and per-rule files appear, parse and
 * validate; an unchanged store leaves them untouched; a change replaces
 * them by rename with nothing left behind.
 */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <libxml/parser.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon/alert.h"
#include "daemon/output.h"
#include "util/xmalloc.h"
#include "util/buf.h"
#include "feeds/json_out.h"
#include "feeds/parse.h"
#include "storage/store_int.h"
#include "tests/helpers.h"
#include "util/fs.h"

struct fixture {
	char	*dir;
	struct config cfg;
	struct feed_conf feed;
	struct rule_conf rule;
	struct store *st;
	int64_t	 feed_id;
	int	 nitems;
};

static struct fixture fx;

static void
add_items(int n, const char *words)
{
	struct feed_doc *doc = feed_doc_new();
	struct store_put_result res;
	int64_t	 now = time(NULL);
	char	*err = NULL;
	int	 fired = 0;

	doc->title = xstrdup("Example News");
	doc->link = xstrdup("https://news.example/");
	for (int i = 0; i < n; i++, fx.nitems++) {
		struct feed_item *it = feed_doc_add_item(doc);

		it->title = xasprintf("%s story %d", words, fx.nitems);
		it->link = xasprintf("https://news.example/item/%d", fx.nitems);
		it->summary = xasprintf("<p>About <b>%s</b> %d</p>", words,
		    fx.nitems);
		it->published = now - 3600 + fx.nitems;
	}
	cr_assert_eq(store_put_doc(fx.st, fx.feed_id, doc, now, &res, &err), 0,
	    "%s", err);
	feed_doc_free(doc);
	cr_assert_eq(store_alerts_match(fx.st, &fx.rule, 1, 48 * 3600, now, 0,
	    &fired), 0);
}

static void
setup(void)
{
	struct feed_row fr;
	char	*err = NULL, *db;

	memset(&fx, 0, sizeof(fx));
	fx.dir = th_tmpdir();
	fx.cfg.state_dir = fx.dir;
	fx.cfg.atom_path = th_path(fx.dir, "out/feed.xml");
	fx.cfg.json_path = th_path(fx.dir, "out/feed.json");
	fx.cfg.alert_feeds_dir = th_path(fx.dir, "alerts");
	fx.cfg.title = "AI and tech news";
	fx.cfg.max_entries = 200;
	fx.cfg.interval = 600;
	fx.feed = (struct feed_conf){ .def = { .name = "Example" },
	    .url = "https://news.example/rss", .interval = 600 };
	fx.cfg.feeds = &fx.feed;
	fx.cfg.nfeeds = 1;
	fx.rule = (struct rule_conf){ .def = { .name = "china-ai" },
	    .match = "China AND AI", .feed_file = "china-ai.xml" };
	fx.rule.expr = match_compile(fx.rule.match, &err);
	cr_assert_not_null(fx.rule.expr, "%s", err);
	fx.cfg.rules = &fx.rule;
	fx.cfg.nrules = 1;
	db = th_path(fx.dir, "feedd.db");
	th_db_new(db);
	cr_assert_eq(store_open(db, STORE_READWRITE, &fx.st, &err), 0, "%s", err);
	free(db);
	cr_assert_eq(store_sync_feeds(fx.st, &fx.cfg), 0);
	cr_assert_eq(store_feed_get(fx.st, "Example", &fr), 0);
	fx.feed_id = fr.id;
	feed_row_cleanup(&fr);
	add_items(3, "China AI");
	add_items(2, "Rust compiler");
}

static void
teardown(void)
{
	store_close(fx.st);
	match_free(fx.rule.expr);
	th_rmdir(fx.dir);
	free(fx.cfg.atom_path);
	free(fx.cfg.json_path);
	free(fx.cfg.alert_feeds_dir);
	free(fx.dir);
}

TestSuite(output, .init = setup, .fini = teardown);

static void
render_ok(struct output *out, int force)
{
	char	*err = NULL;

	cr_assert_eq(output_render(out, fx.st, &fx.cfg, force, &err), 0,
	    "%s", err);
}

static int
count(const char *hay, const char *needle)
{
	int	 n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

static int
json_built(void)
{
	struct buf b;
	int	 ok;

	buf_init(&b, 0);
	json_put_string(&b, "x");
	ok = strcmp(buf_str(&b), "\"x\"") == 0;
	buf_cleanup(&b);
	return ok;
}

Test(output, writes_every_configured_file)
{
	struct output *out = output_new();
	char	*atom, *json, *alerts;
	size_t	 len;
	xmlDocPtr doc;

	render_ok(out, 0);
	atom = th_read_file(fx.cfg.atom_path, &len);
	cr_assert_not_null(atom);
	doc = xmlReadMemory(atom, (int)len, "feed.xml", NULL, XML_PARSE_NONET);
	cr_assert_not_null(doc, "not well-formed");
	xmlFreeDoc(doc);
	cr_expect_eq(count(atom, "<entry>"), 5);
	cr_expect_eq(count(atom, "<source>"), 5);
	cr_expect_lt(strstr(atom, "Rust compiler story 4"),
	    strstr(atom, "China AI story 0"), "not newest first");
	alerts = th_path(fx.cfg.alert_feeds_dir, "china-ai.xml");
	free(atom);
	atom = th_read_file(alerts, NULL);
	cr_assert_not_null(atom, "no alert feed");
	cr_expect_eq(count(atom, "<entry>"), 3);
	cr_expect_neq(strstr(atom, "feedd alerts: china-ai"), NULL);
	cr_expect_eq(strstr(atom, "Rust"), NULL);
	json = th_read_file(fx.cfg.json_path, NULL);
	cr_assert_not_null(json);
	if (json_built()) {
		cJSON *j = cJSON_Parse(json);

		cr_assert_not_null(j, "JSON Feed does not parse");
		cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "items")), 5);
		cJSON_Delete(j);
	}
	{
		const char *paths[] = { fx.cfg.atom_path, alerts,
		    fx.cfg.json_path };

		th_validate_feeds(paths, json_built() ? 3 : 2);
	}
	free(json);
	free(atom);
	free(alerts);
	output_free(out);
}

/*
 * A feed.xml that cannot be written (here a folder in its place) kept
 * the rules' feeds from being written too.  Each file is on its own; the
 * error names the one that failed.
 */
Test(output, one_file_that_fails_keeps_no_other_from_being_written)
{
	struct output *out = output_new();
	char	*err = NULL, *rule;

	cr_assert_eq(fs_mkdir_p(fx.cfg.atom_path), 0);
	cr_assert_eq(output_render(out, fx.st, &fx.cfg, 1, &err), -1);
	cr_assert(err && strstr(err, "feed.xml"), "%s", err ? err : "");
	free(err);
	rule = th_path(fx.cfg.alert_feeds_dir, "china-ai.xml");
	cr_assert_eq(access(rule, F_OK), 0, "the rule's feed was not written");
	free(rule);
	output_free(out);
}

/*
 * Under the unit's UMask=0027 the outputs stay public: feed.xml,
 * feed.json and alerts/RULE.xml 0644, the alerts/ folder 0755, so any
 * user reads what HTTP serves anyway (the database stays 0640).
 */
Test(output, public_under_the_units_umask)
{
	struct output *out = output_new();
	char	*rule;
	struct stat sb;

	umask(027);
	render_ok(out, 0);
	rule = th_path(fx.cfg.alert_feeds_dir, "china-ai.xml");
	cr_assert_eq(stat(fx.cfg.atom_path, &sb), 0);
	cr_expect_eq(sb.st_mode & 07777, 0644, "feed.xml %o", sb.st_mode & 07777);
	cr_assert_eq(stat(fx.cfg.json_path, &sb), 0);
	cr_expect_eq(sb.st_mode & 07777, 0644, "feed.json %o", sb.st_mode & 07777);
	cr_assert_eq(stat(fx.cfg.alert_feeds_dir, &sb), 0);
	cr_expect_eq(sb.st_mode & 07777, 0755, "alerts/ %o", sb.st_mode & 07777);
	cr_assert_eq(stat(rule, &sb), 0);
	cr_expect_eq(sb.st_mode & 07777, 0644, "alerts/china-ai.xml %o",
	    sb.st_mode & 07777);
	free(rule);
	output_free(out);
}

/*
 * An output linked into a web root was replaced by a plain file at the
 * link's place: the web root went stale.  The link's target is written,
 * made when it is not there yet, and the link stays.
 */
Test(output, a_linked_output_writes_its_target_and_stays_a_link)
{
	struct output *out = output_new();
	char	*www = th_path(fx.dir, "www"), *target, *text;
	struct stat sb;

	target = th_path(www, "feed.xml");
	cr_assert_eq(mkdir(www, 0755), 0);
	cr_assert_eq(fs_mkdir_p(fx.cfg.atom_path), 0);
	cr_assert_eq(rmdir(fx.cfg.atom_path), 0);	/* out/ stays */
	cr_assert_eq(symlink("../www/feed.xml", fx.cfg.atom_path), 0,
	    "%s", strerror(errno));
	render_ok(out, 1);
	cr_assert_eq(lstat(fx.cfg.atom_path, &sb), 0);
	cr_assert(S_ISLNK(sb.st_mode), "the link was replaced");
	cr_assert_not_null(text = th_read_file(target, NULL), "no target");
	cr_assert(strstr(text, "<feed") != NULL);
	free(text);
	/* a second write goes to the same file, through the link */
	cr_assert_eq(stat(target, &sb), 0);
	render_ok(out, 1);
	cr_assert_eq(lstat(fx.cfg.atom_path, &sb), 0);
	cr_assert(S_ISLNK(sb.st_mode), "the link was replaced");
	free(target);
	free(www);
	output_free(out);
}

Test(output, unchanged_store_leaves_files_alone)
{
	struct output *out = output_new(), *again = output_new();
	struct stat a, b;
	struct timespec pause = { 0, 20 * 1000 * 1000 };

	render_ok(out, 0);
	cr_assert_eq(stat(fx.cfg.atom_path, &a), 0);
	nanosleep(&pause, NULL);
	render_ok(out, 0);		/* same generation */
	render_ok(out, 1);		/* forced: same bytes */
	render_ok(again, 0);		/* a restarted daemon */
	cr_assert_eq(stat(fx.cfg.atom_path, &b), 0);
	cr_expect_eq(a.st_ino, b.st_ino, "file replaced");
	cr_expect_eq(a.st_mtim.tv_sec, b.st_mtim.tv_sec);
	cr_expect_eq(a.st_mtim.tv_nsec, b.st_mtim.tv_nsec, "file rewritten");
	output_free(out);
	output_free(again);
}

/* The output folder's mtime: any temporary file written there moves it. */
static struct timespec
dir_mtime(void)
{
	char	*dir = xstrdup(fx.cfg.atom_path);
	struct stat sb;

	*strrchr(dir, '/') = '\0';
	cr_assert_eq(stat(dir, &sb), 0);
	free(dir);
	return sb.st_mtim;
}

/*
 * A new process (feedd once, a restart) with nothing new in the store
 * writes nothing at all: not even a temporary file to compare.  A file
 * that went missing, or a configuration that shapes the files
 * differently, is written again.
 */
Test(output, new_process_with_nothing_new_writes_nothing)
{
	struct output *out = output_new(), *again = output_new(),
	    *third = output_new(), *fourth = output_new();
	struct timespec pause = { 0, 20 * 1000 * 1000 }, a, b;
	struct stat sb;
	char	*atom;

	render_ok(out, 0);
	a = dir_mtime();
	nanosleep(&pause, NULL);
	render_ok(again, 0);
	b = dir_mtime();
	cr_expect(a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec,
	    "a file was written for an unchanged store");

	cr_assert_eq(unlink(fx.cfg.json_path), 0);
	render_ok(third, 0);
	cr_expect_eq(stat(fx.cfg.json_path, &sb), 0, "missing file not made");

	fx.cfg.max_entries = 2;
	render_ok(fourth, 0);
	atom = th_read_file(fx.cfg.atom_path, NULL);
	cr_expect_eq(count(atom, "<entry>"), 2, "new max_entries not applied");
	free(atom);
	output_free(out);
	output_free(again);
	output_free(third);
	output_free(fourth);
}

Test(output, change_replaces_by_rename_and_leaves_no_temp)
{
	struct output *out = output_new();
	struct stat a, b;
	struct dirent *de;
	char	*atom, *outdir;
	DIR	*d;

	render_ok(out, 0);
	cr_assert_eq(stat(fx.cfg.atom_path, &a), 0);
	add_items(1, "Quantum");
	render_ok(out, 0);
	cr_assert_eq(stat(fx.cfg.atom_path, &b), 0);
	cr_expect_neq(a.st_ino, b.st_ino, "not replaced by rename");
	atom = th_read_file(fx.cfg.atom_path, NULL);
	cr_expect_neq(strstr(atom, "Quantum story 5"), NULL);
	free(atom);
	outdir = th_path(fx.dir, "out");
	d = opendir(outdir);
	cr_assert_not_null(d);
	while ((de = readdir(d)) != NULL)
		cr_expect(strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 || de->d_name[0] != '.',
		    "temporary file left: %s", de->d_name);
	closedir(d);
	free(outdir);
	output_free(out);
}

Test(output, rule_file_names_are_safe)
{
	char	*s;

	s = config_rule_filename("../etc/passwd");
	cr_expect_str_eq(s, "_._etc_passwd.xml");
	cr_expect_eq(strchr(s, 0x2f), NULL);
	free(s);
	s = config_rule_filename("china-ai");
	cr_expect_str_eq(s, "china-ai.xml");
	free(s);
	s = config_rule_filename("");
	cr_expect_str_eq(s, "_.xml");
	free(s);
}

/*
 * A JSON Feed with invalid UTF-8, a noncharacter and controls in every
 * field, and javascript:/data: links: feed.xml and the per-rule feed
 * stay well-formed and valid, the JSON Feed valid, and no such link is
 * published as a link (Atom, JSON Feed, alert log line).
 */
Test(output, hostile_json_feed_gives_valid_outputs)
{
	static const char bad[] = "\xff\xfe \\u0001\\u0085 \xef\xbf\xbe \xc0\xaf";
	char	*json = xasprintf("{\"version\": \"https://jsonfeed.org/version/1.1\","
	    " \"title\": \"T%s\", \"home_page_url\": \"https://h.example/%s\","
	    " \"feed_url\": \"https://h.example/f%s.json\", \"language\": \"en%s\","
	    " \"authors\": [{\"name\": \"A%s\"}], \"items\": ["
	    "{\"id\": \"urn:uuid:%s\", \"url\": \"javascript:alert(1)\","
	    " \"title\": \"China AI %s\", \"content_html\": \"<p>x%s</p>\","
	    " \"summary\": \"s%s\", \"tags\": [\"t%s\"],"
	    " \"authors\": [{\"name\": \"N%s\"}], \"date_published\":"
	    " \"2026-01-01T00:00:00Z\", \"attachments\": [{\"url\":"
	    " \"data:audio/mpeg;base64,AAAA\", \"mime_type\": \"audio/mpeg%s\"},"
	    " {\"url\": \"https://h.example/a%s.mp3\", \"mime_type\": \"audio/mpeg\","
	    " \"size_in_bytes\": 12}]},"
	    "{\"id\": \"%s\", \"url\": \"data:text/html,<script>x</script>\","
	    " \"title\": \"China AI two\", \"content_text\": \"%s\"}]}",
	    bad, bad, bad, bad, bad, bad, bad, bad, bad, bad, bad, bad, bad,
	    bad, bad);
	struct feed_doc *doc;
	struct store_put_result res;
	struct output *out = output_new();
	struct alert_row a = { .rule = "china-ai", .title = "t",
	    .link = "javascript:alert(1)", .feed = "f", .published = 0 };
	char	*err = NULL, *atom, *jf, *line, *rulefeed;
	int	 fired = 0;
	xmlDocPtr x;

	doc = feed_parse_buffer(json, strlen(json), "https://h.example/f.json",
	    NULL, &err);
	cr_assert_not_null(doc, "%s", err);
	cr_assert_eq(store_put_doc(fx.st, fx.feed_id, doc, time(NULL), &res,
	    &err), 0, "%s", err);
	feed_doc_free(doc);
	cr_assert_eq(store_alerts_match(fx.st, &fx.rule, 1, 36500LL * 86400,
	    time(NULL), 0, &fired), 0);
	render_ok(out, 1);
	atom = th_read_file(fx.cfg.atom_path, NULL);
	jf = th_read_file(fx.cfg.json_path, NULL);
	cr_assert(atom != NULL && jf != NULL);
	x = xmlReadMemory(atom, (int)strlen(atom), "feed.xml", NULL,
	    XML_PARSE_NONET);
	cr_assert_not_null(x, "feed.xml is not well-formed");
	xmlFreeDoc(x);
	cr_expect_eq(strstr(atom, "javascript:"), NULL);
	cr_expect_eq(strstr(atom, "href=\"data:"), NULL);
	cr_expect_eq(strstr(jf, "javascript:"), NULL);
	cr_expect_eq(strstr(jf, "\"data:"), NULL);
	cr_expect_eq(strstr(atom, "\xef\xbf\xbe"), NULL, "U+FFFE written");
	cr_expect_neq(strstr(atom, "rel=\"enclosure\" type=\"audio/mpeg\""
	    " length=\"12\" href=\"https://h.example/a%20%20%20.mp3\""), NULL,
	    "the http attachment is kept, cleaned");
	cr_expect_eq(count(atom, "rel=\"enclosure\""), 1, "the data: one is not");
	rulefeed = th_path(fx.cfg.alert_feeds_dir, "china-ai.xml");
	{
		const char *paths[] = { fx.cfg.atom_path, rulefeed,
		    fx.cfg.json_path };

		th_validate_feeds(paths, json_built() ? 3 : 2);
	}
	line = alert_format_line(&a, ALERT_FORMAT_TEXT);
	cr_expect_eq(strstr(line, "javascript:"), NULL, "%s", line);
	free(line);
	line = alert_format_line(&a, ALERT_FORMAT_JSON);
	cr_expect_eq(strstr(line, "javascript:"), NULL, "%s", line);
	free(line);
	free(rulefeed);
	free(atom);
	free(jf);
	free(json);
	output_free(out);
}

/* [output] url: the self links name where readers find the files. */
Test(output, public_url_names_the_self_links)
{
	struct output *out = output_new();
	char	*atom, *jf, *rule, *rulefeed;

	fx.cfg.output_url = "https://news.example.org/pub/feed.xml";
	render_ok(out, 1);
	atom = th_read_file(fx.cfg.atom_path, NULL);
	jf = th_read_file(fx.cfg.json_path, NULL);
	rulefeed = th_path(fx.cfg.alert_feeds_dir, "china-ai.xml");
	rule = th_read_file(rulefeed, NULL);
	cr_assert(atom != NULL && jf != NULL && rule != NULL);
	cr_expect_neq(strstr(atom, "<link rel=\"self\" type=\"application/atom+xml\""
	    " href=\"https://news.example.org/pub/feed.xml\"/>"), NULL);
	cr_expect_neq(strstr(jf, "\"feed_url\": "
	    "\"https://news.example.org/pub/feed.json\""), NULL, "%.300s", jf);
	cr_expect_neq(strstr(jf, "\"home_page_url\": "
	    "\"https://news.example.org/pub/\""), NULL);
	cr_expect_neq(strstr(rule, "href=\"https://news.example.org/pub/alerts/"
	    "china-ai.xml\""), NULL);
	{
		const char *paths[] = { fx.cfg.atom_path };

		th_validate_feeds(paths, 1);
	}
	fx.cfg.output_url = NULL;
	free(atom);
	free(jf);
	free(rule);
	free(rulefeed);
	output_free(out);
}

static int64_t
fx_count_db(const char *sql)
{
	sqlite3_stmt *s;
	int64_t	 v = -1;

	cr_assert_eq(sqlite3_prepare_v2(store_sqlite(fx.st), sql, -1, &s,
	    NULL), SQLITE_OK, "%s", sql);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void
exec_ok(const char *sql)
{
	char	*err = NULL;

	cr_assert_eq(sqlite3_exec(store_sqlite(fx.st), sql, NULL, NULL, &err),
	    SQLITE_OK, "%s: %s", sql, err ? err : "?");
}

/* The kept HTML of every entry changed in place: the next render shows
 * the kept copy, not the items' own HTML. */
static void
expect_kept_html_served(struct output *out)
{
	char	*now;

	exec_ok("UPDATE item_html SET html_summary = '<p>kept copy</p>',"
	    " html_text = 'kept copy'");
	render_ok(out, 1);
	now = th_read_file(fx.cfg.atom_path, NULL);
	cr_assert_eq(count(now, "&lt;p&gt;kept copy&lt;/p&gt;"), 5);
	free(now);
}

/*
 * Two items of one second whose ids share the low 16 bits want the
 * same place in the render cache: both are kept (the later a stride
 * away) and both found again, where they took turns, each render
 * sanitizing both.
 */
Test(output, kept_html_of_colliding_items_both_serve)
{
	struct output *out = output_new();

	exec_ok("UPDATE items SET id = (SELECT min(id) FROM items) + 65536"
	    " WHERE id = (SELECT max(id) FROM items)");
	exec_ok("UPDATE stories SET sort_time = 1700000000");
	/* written behind the store's back: their order is set again */
	exec_ok("UPDATE stories SET" STORY_ORDER_SET);
	cr_assert_eq(fx_count_db("SELECT count(DISTINCT id & 65535) FROM"
	    " items"), 4, "two ids share their low bits");
	render_ok(out, 1);
	cr_assert_eq(fx_count_db("SELECT count(*) FROM item_html"), 5);
	expect_kept_html_served(out);
	output_free(out);
}

/*
 * The render cache: a render keeps each entry's item columns and
 * sanitized HTML (item_html) and the next reads them from there; HTML
 * kept under another key (sanitizer, caps, base URL) is made again
 * from the item, and a row goes when a column it copies changes or
 * the item goes.
 */
/*
 * Kept content is read by the blob API, not by the statement that reads
 * the rest of the row (stories_db.c): one entry's of 100 KB (overflow
 * pages), one's of a few bytes, one's NULL (no content shown), one's a
 * number (which the blob API does not read: a statement does), each as
 * kept.
 */
Test(output, kept_content_of_any_size_is_served)
{
	struct output *out = output_new();
	char	*now;

	render_ok(out, 1);
	exec_ok("UPDATE item_html SET html_content = NULL");
	exec_ok("UPDATE item_html SET html_content = '<p>big ' ||"
	    " printf('%.*c', 100000, 'y') || ' end</p>'"
	    " WHERE id = (SELECT min(id) FROM item_html)");
	exec_ok("UPDATE item_html SET html_content = '<p>small kept</p>'"
	    " WHERE id = (SELECT max(id) FROM item_html)");
	exec_ok("UPDATE item_html SET html_content = 20261205"
	    " WHERE id = (SELECT min(id) + 1 FROM item_html)");
	render_ok(out, 1);
	now = th_read_file(fx.cfg.atom_path, NULL);
	cr_assert_eq(count(now, "<content"), 3, "the NULL ones show none");
	cr_assert_eq(count(now, ">20261205</content>"), 1);
	cr_assert_eq(count(now, "&lt;p&gt;small kept&lt;/p&gt;"), 1);
	cr_assert_not_null(strstr(now, "big yyyyyyyy"));
	cr_assert_not_null(strstr(now, "yyyy end&lt;/p&gt;"));
	free(now);
	output_free(out);
}

/* The id feed.json gives the entry titled title; caller frees. */
static char *
json_id_of(const char *title)
{
	char	*json = th_read_file(fx.cfg.json_path, NULL), *id = NULL;
	cJSON	*j, *e;

	cr_assert_not_null(json);
	j = cJSON_Parse(json);
	cr_assert_not_null(j);
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(j, "items")) {
		cJSON *t = cJSON_GetObjectItem(e, "title");

		if (cJSON_IsString(t) && strcmp(t->valuestring, title) == 0)
			id = xstrdup(cJSON_GetObjectItem(e, "id")->valuestring);
	}
	cJSON_Delete(j);
	free(json);
	cr_assert_not_null(id, "no entry titled %s", title);
	return id;
}

static void
expect_id(const char *title, const char *want)
{
	char	*id = json_id_of(title);

	cr_assert_str_eq(id, want, "%s", title);
	free(id);
}

/*
 * Readers know an entry by its id: it stays the one first shown when the
 * item's source id changes (a site moving to https), when the feed's
 * URL changes (source ids that are not IRIs are hashed with it), and
 * when a newer story comes with an id an older one shows, which the
 * newer does not take (it gets one of its own).
 */
Test(output, an_entry_keeps_the_id_it_was_first_shown_with)
{
	struct output *out = output_new();
	char	*tagged, *shared, *newer;

	exec_ok("UPDATE items SET entry_id = 'guid-' || id");
	exec_ok("UPDATE items SET entry_id = 'https://news.example/shared'"
	    " WHERE title = 'China AI story 0'");
	render_ok(out, 1);
	expect_id("China AI story 0", "https://news.example/shared");
	tagged = json_id_of("China AI story 1");
	cr_assert(strncmp(tagged, "tag:", 4) == 0, "%s", tagged);

	exec_ok("UPDATE feeds SET url = 'https://moved.example/rss'");
	exec_ok("UPDATE items SET entry_id = 'https://www.news.example/' ||"
	    " id WHERE title = 'China AI story 1'");
	render_ok(out, 1);
	expect_id("China AI story 1", tagged);
	expect_id("China AI story 0", "https://news.example/shared");

	add_items(1, "Newer");
	exec_ok("UPDATE items SET entry_id = 'https://news.example/shared'"
	    " WHERE title = 'Newer story 5'");
	render_ok(out, 1);
	expect_id("China AI story 0", "https://news.example/shared");
	newer = json_id_of("Newer story 5");
	shared = xstrdup("https://news.example/shared");
	cr_assert_str_neq(newer, shared);
	cr_assert(strncmp(newer, "tag:", 4) == 0, "%s", newer);
	/* and it keeps that one */
	render_ok(out, 1);
	expect_id("Newer story 5", newer);
	free(shared);
	free(newer);
	free(tagged);
	output_free(out);
}

/*
 * A story whose first item is gone from under the store (a row deleted
 * by hand: the store sets a story's order when it deletes its items)
 * is left out; the render writes the others instead of failing.
 */
Test(output, a_story_whose_item_is_gone_is_left_out)
{
	struct output *out = output_new();
	char	*atom;

	exec_ok("DELETE FROM items WHERE title = 'Rust compiler story 4'");
	render_ok(out, 1);
	atom = th_read_file(fx.cfg.atom_path, NULL);
	cr_assert_not_null(atom);
	cr_assert_eq(count(atom, "<entry>"), 4);
	cr_assert_null(strstr(atom, "Rust compiler story 4"));
	cr_assert_not_null(strstr(atom, "Rust compiler story 3"));
	free(atom);
	output_free(out);
}

Test(output, kept_html_serves_renders_until_stale)
{
	struct output *out = output_new();
	char	*xml, *json, *now;
	int64_t	 id;

	render_ok(out, 1);
	xml = th_read_file(fx.cfg.atom_path, NULL);
	json = th_read_file(fx.cfg.json_path, NULL);
	cr_assert_eq(fx_count_db("SELECT count(*) FROM item_html"), 5);

	/* the next render shows what was kept, not the items' own HTML */
	expect_kept_html_served(out);
	now = th_read_file(fx.cfg.json_path, NULL);
	cr_assert_eq(count(now, "\"summary\": \"kept copy\""), 5);
	free(now);

	/* kept under another key: made again, same bytes as the first */
	exec_ok("UPDATE item_html SET key = key + 1");
	render_ok(out, 1);
	now = th_read_file(fx.cfg.atom_path, NULL);
	cr_assert_str_eq(now, xml);
	free(now);
	now = th_read_file(fx.cfg.json_path, NULL);
	cr_assert_str_eq(now, json);
	free(now);
	cr_assert_eq(fx_count_db("SELECT count(*) FROM item_html WHERE"
	    " html_summary LIKE '%kept copy%'"), 0);

	/* an item's HTML changing drops its row; the render shows the new */
	id = fx_count_db("SELECT min(id) FROM items");
	exec_ok("UPDATE items SET summary = '<p>Edited <i>text</i></p>'"
	    " WHERE id = (SELECT min(id) FROM items)");
	cr_assert_eq(fx_count_db("SELECT count(*) FROM item_html WHERE id ="
	    " (SELECT min(id) FROM items)"), 0);
	render_ok(out, 1);
	now = th_read_file(fx.cfg.atom_path, NULL);
	cr_assert_eq(count(now, "Edited &lt;i&gt;text&lt;/i&gt;"), 1);
	free(now);
	cr_assert_eq(fx_count_db("SELECT count(*) FROM item_html"), 5);

	/* so does any column the cache copies: a new title shows */
	exec_ok("UPDATE items SET title = 'Retitled story'"
	    " WHERE id = (SELECT max(id) FROM items)");
	cr_assert_eq(fx_count_db("SELECT count(*) FROM item_html"), 4);
	render_ok(out, 1);
	now = th_read_file(fx.cfg.atom_path, NULL);
	cr_assert_eq(count(now, "Retitled story"), 1);
	free(now);
	/* an update the outputs do not show keeps it */
	exec_ok("UPDATE items SET alert_checked = 1");
	cr_assert_eq(fx_count_db("SELECT count(*) FROM item_html"), 5);

	/* and its row goes with the item */
	exec_ok("DELETE FROM items WHERE id = (SELECT min(id) FROM items)");
	cr_assert_eq(fx_count_db("SELECT count(*) FROM item_html"), 4);
	cr_assert_gt(id, 0);
	free(xml);
	free(json);
	output_free(out);
}

/*
 * A content far larger than the sinks' 64 KB window (about 400 KB, with
 * characters to escape and long runs without) goes through it in
 * pieces, mid-entry: feed.xml and feed.json still parse, the content
 * comes back whole in both, and the entries around it are intact.
 */
Test(output, an_entry_larger_than_the_window_comes_out_whole)
{
	struct output *out = output_new();
	struct feed_doc *doc = feed_doc_new();
	struct feed_item *it;
	struct store_put_result res;
	struct buf body, want;
	char	*err = NULL, *atom, *json;
	size_t	 len;
	int64_t	 now = time(NULL);
	xmlDocPtr x;
	xmlChar	*text;
	const int reps = 10000;	/* ~400 KB: under ENTRY_CONTENT_MAX */

	buf_init(&body, 0);
	buf_init(&want, 0);	/* the HTML the outputs carry, in order */
	buf_puts(&body, "<p>");
	for (int i = 0; i < reps; i++) {
		buf_puts(&body, i % 2 ? "quick brown fox & co <i>jumps</i> " :
		    "plainrunofwordswithoutanythingtoescapeatall ");
		buf_puts(&want, i % 2 ? "quick brown fox &amp; co <i>jumps</i>"
		    " " : "plainrunofwordswithoutanythingtoescapeatall ");
	}
	buf_puts(&body, "</p>");
	want.data[--want.len] = '\0';
	doc->title = xstrdup("Example News");
	doc->link = xstrdup("https://news.example/");
	it = feed_doc_add_item(doc);
	it->title = xstrdup("The long one");
	it->link = xstrdup("https://news.example/long");
	it->content = buf_detach(&body);
	it->published = now - 60;
	cr_assert_eq(store_put_doc(fx.st, fx.feed_id, doc, now, &res, &err), 0,
	    "%s", err);
	feed_doc_free(doc);
	add_items(1, "After");
	render_ok(out, 1);

	atom = th_read_file(fx.cfg.atom_path, &len);
	cr_assert_not_null(atom);
	cr_assert_gt(len, 5 * 65536);
	x = xmlReadMemory(atom, (int)len, "feed.xml", NULL, XML_PARSE_NONET |
	    XML_PARSE_HUGE);
	cr_assert_not_null(x, "feed.xml not well-formed");
	text = xmlNodeGetContent(xmlDocGetRootElement(x));
	cr_expect(strstr((char *)text, want.data) != NULL,
	    "feed.xml: the long content, whole and in order");
	xmlFree(text);
	xmlFreeDoc(x);
	cr_expect_eq(count(atom, "<entry>"), 7);
	cr_expect_neq(strstr(atom, "After story 5"), NULL);
	cr_expect_neq(strstr(atom, "Rust compiler story 4"), NULL);
	cr_expect(strstr(atom, "</feed>") != NULL);
	json = th_read_file(fx.cfg.json_path, NULL);
	cr_assert_not_null(json);
	if (json_built()) {
		cJSON *j = cJSON_Parse(json), *items, *e;
		int found = 0;

		cr_assert_not_null(j, "feed.json does not parse");
		items = cJSON_GetObjectItem(j, "items");
		cr_expect_eq(cJSON_GetArraySize(items), 7);
		cJSON_ArrayForEach(e, items) {
			cJSON *h = cJSON_GetObjectItem(e, "content_html");

			if (cJSON_IsString(h) &&
			    strstr(h->valuestring, want.data) != NULL)
				found++;
		}
		cr_expect_eq(found, 1, "feed.json: the long content, whole"
		    " and in order, once");
		cJSON_Delete(j);
	}
	buf_cleanup(&want);
	free(json);
	free(atom);
	output_free(out);
}

/*
 * One item whose content has relative URLs, kept with base. The
 * caller's clock is used, so that a second passing between two puts
 * does not move the item's date and make it an update by itself.
 */
static struct store_put_result
put_relative(const char *base, time_t now)
{
	struct feed_doc *doc = feed_doc_new();
	struct feed_item *it = feed_doc_add_item(doc);
	struct store_put_result res;
	char	*err = NULL;

	doc->title = xstrdup("Example News");
	it->title = xstrdup("Relative story");
	it->link = xstrdup("https://news.example/2026/12/relative");
	it->content = xstrdup("<p><a href=\"notes/1\">notes</a> <img "
	    "src=\"/i/a.png\"></p>");
	it->content_base = xstrdup(base);
	it->published = now - 60;
	cr_assert_eq(store_put_doc(fx.st, fx.feed_id, doc, now, &res, &err),
	    0, "%s", err);
	feed_doc_free(doc);
	return res;
}

/*
 * Content stored with its relative URLs and their base (the daemon's
 * parse, FEED_PARSE_KEEP_REFS) comes out resolved against that base,
 * not the entry's link; the same content under a new base (the feed
 * moved) is an update, and the kept HTML made from the old base goes.
 */
Test(output, content_kept_relative_resolves_against_its_base)
{
	struct output *out = output_new();
	time_t	 now = time(NULL);
	char	*xml;

	cr_assert_eq(put_relative("https://a.example/blog/feed.xml", now)
	    .new_items, 1);
	render_ok(out, 1);
	xml = th_read_file(fx.cfg.atom_path, NULL);
	cr_assert_eq(count(xml, "href=&quot;https://a.example/blog/notes/1"
	    "&quot;"), 1, "%s", xml);
	cr_assert_eq(count(xml, "src=&quot;https://a.example/i/a.png&quot;"),
	    1);
	free(xml);
	cr_assert_eq(fx_count_db("SELECT count(*) FROM item_html i JOIN items"
	    " t ON t.id = i.id WHERE t.content_base IS NOT NULL"), 1);

	cr_assert_eq(put_relative("https://b.example/feed", now)
	    .updated_items, 1);
	cr_assert_eq(fx_count_db("SELECT count(*) FROM item_html i JOIN items"
	    " t ON t.id = i.id WHERE t.content_base IS NOT NULL"), 0);
	render_ok(out, 1);
	xml = th_read_file(fx.cfg.atom_path, NULL);
	cr_assert_eq(count(xml, "https://b.example/notes/1"), 1, "%s", xml);
	cr_assert_eq(count(xml, "a.example"), 0);
	free(xml);
	/* the same again changes nothing */
	cr_assert_eq(put_relative("https://b.example/feed", now)
	    .updated_items, 0);
	output_free(out);
}
