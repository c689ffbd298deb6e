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
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "daemon/output.h"
#include "util/xmalloc.h"
#include "util/buf.h"
#include "feeds/json_out.h"
#include "feeds/parse.h"
#include "tests/helpers.h"

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
	cr_assert_eq(store_alerts_match(fx.st, &fx.rule, 1, 48 * 3600, now,
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
	fx.feed = (struct feed_conf){ .name = "Example",
	    .url = "https://news.example/rss", .interval = 600 };
	fx.cfg.feeds = &fx.feed;
	fx.cfg.nfeeds = 1;
	fx.rule = (struct rule_conf){ .name = "china-ai",
	    .match = "China AND AI" };
	fx.rule.expr = match_compile(fx.rule.match, &err);
	cr_assert_not_null(fx.rule.expr, "%s", err);
	fx.cfg.rules = &fx.rule;
	fx.cfg.nrules = 1;
	db = th_path(fx.dir, "feedd.db");
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

static void
validate(const char *path)
{
	struct th_result r;
	char	*vf = th_path(th_shared(), "tools/validate-feed");
	char	*probe[] = { "/bin/sh", "-c", "command -v xmllint && "
	    "command -v newsboat && /usr/bin/python3 -c 'import feedparser'",
	    NULL };
	char	*argv[] = { vf, (char *)path, NULL };

	cr_assert_eq(th_run(probe, NULL, 30, &r), 0);
	if (r.status == 0) {
		th_result_cleanup(&r);
		cr_assert_eq(th_run(argv, NULL, 120, &r), 0);
		cr_expect_eq(r.status, 0, "validate-feed %s:\n%s%s", path,
		    r.out, r.err);
	} else
		cr_log_info("validate-feed tools missing; not validating %s", path);
	th_result_cleanup(&r);
	free(vf);
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
	validate(fx.cfg.atom_path);
	alerts = th_path(fx.cfg.alert_feeds_dir, "china-ai.xml");
	free(atom);
	atom = th_read_file(alerts, NULL);
	cr_assert_not_null(atom, "no alert feed");
	cr_expect_eq(count(atom, "<entry>"), 3);
	cr_expect_neq(strstr(atom, "feedd alerts: china-ai"), NULL);
	cr_expect_eq(strstr(atom, "Rust"), NULL);
	validate(alerts);
	json = th_read_file(fx.cfg.json_path, NULL);
	cr_assert_not_null(json);
	if (json_built()) {
		cJSON *j = cJSON_Parse(json);

		cr_assert_not_null(j, "JSON Feed does not parse");
		cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "items")), 5);
		cJSON_Delete(j);
		validate(fx.cfg.json_path);
	}
	free(json);
	free(atom);
	free(alerts);
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

	s = output_rule_filename("../etc/passwd");
	cr_expect_str_eq(s, "_._etc_passwd.xml");
	cr_expect_eq(strchr(s, 0x2f), NULL);
	free(s);
	s = output_rule_filename("china-ai");
	cr_expect_str_eq(s, "china-ai.xml");
	free(s);
	s = output_rule_filename("");
	cr_expect_str_eq(s, "_.xml");
	free(s);
}

/* Every corpus document, stored as its own feed, rendered and validated. */
Test(output, corpus_renders_valid_outputs)
{
	char	*manifest = th_path(th_shared(), "corpus/MANIFEST.tsv");
	char	*text = th_read_file(manifest, NULL), *line, *save = NULL;
	struct config cfg = fx.cfg;
	struct feed_conf *fcs = xcalloc(400, sizeof(*fcs));
	struct output *out = output_new();
	size_t	 n = 0, stored = 0;
	char	*err = NULL;

	if (text == NULL)
		cr_skip("no corpus at %s", manifest);
	for (line = strtok_r(text, "\n", &save); line != NULL && n < 400;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "file\t", 5) == 0 || strchr(line, '\t') == NULL)
			continue;
		fcs[n].name = xstrndup(line, strcspn(line, "\t"));
		fcs[n].url = xasprintf("https://corpus.example/%s", fcs[n].name);
		fcs[n].interval = 600;
		n++;
	}
	cfg.feeds = fcs;
	cfg.nfeeds = n;
	cfg.max_entries = 2000;
	cr_assert_eq(store_sync_feeds(fx.st, &cfg), 0);
	for (size_t i = 0; i < n; i++) {
		char *rel = xasprintf("corpus/%s", fcs[i].name);
		char *path = th_path(th_shared(), rel), *data;
		struct feed_doc *doc;
		struct feed_row fr;
		struct store_put_result res;
		size_t len;

		if ((data = th_read_file(path, &len)) != NULL &&
		    (doc = feed_parse_buffer(data, len, fcs[i].url, NULL,
		    &err)) != NULL) {
			cr_assert_eq(store_feed_get(fx.st, fcs[i].name, &fr), 0);
			if (store_put_doc(fx.st, fr.id, doc, time(NULL), &res,
			    &err) == 0)
				stored++;
			feed_row_cleanup(&fr);
			feed_doc_free(doc);
		}
		free(err);
		err = NULL;
		free(data);
		free(path);
		free(rel);
	}
	cr_log_info("corpus: %zu of %zu documents stored", stored, n);
	cr_assert_gt(stored, n / 2);
	cr_assert_eq(output_render(out, fx.st, &cfg, 1, &err), 0, "%s", err);
	validate(cfg.atom_path);
	if (json_built())
		validate(cfg.json_path);
	output_free(out);
	for (size_t i = 0; i < n; i++) {
		free(fcs[i].name);
		free(fcs[i].url);
	}
	free(fcs);
	free(text);
	free(manifest);
}
