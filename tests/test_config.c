/*
 * test_config: config_load (defaults, every key, paths, units, every
 * error with its FILE:LINE, long lines, feeds.d, the shipped example),
 * the NAME.conf/NAME.err pairs in tests/data/config, and the real
 * `feedd check-config`.
 */
#include <criterion/criterion.h>
#include <sys/resource.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "util/log.h"
#include "util/buf.h"
#include "util/xmalloc.h"
#include "tests/helpers.h"

#define DATA	"tests/data/config"

/* Writes text to dir/name; returns the path (caller frees). */
static char *
put(const char *dir, const char *name, const char *text)
{
	char *path = th_path(dir, name);

	cr_assert_eq(th_write_file(path, text, strlen(text)), 0, "%s", path);
	return path;
}

static struct config *
load_ok(const char *path)
{
	struct config_errors errs = { NULL, 0 };
	struct config *cfg = config_load(path, &errs);

	cr_assert_not_null(cfg, "%s: %zu errors, first: %s", path, errs.n,
	    errs.n ? errs.msgs[0] : "-");
	cr_assert_eq(errs.n, 0);
	return cfg;
}

/* The problems of a config that must fail, one per line. */
static char *
load_errors(const char *path)
{
	struct config_errors errs = { NULL, 0 };
	struct config *cfg = config_load(path, &errs);
	struct buf b;

	cr_assert_null(cfg, "%s loaded", path);
	cr_assert_gt(errs.n, 0);
	buf_init(&b, 0);
	for (size_t i = 0; i < errs.n; i++)
		buf_printf(&b, "%s\n", errs.msgs[i]);
	config_errors_cleanup(&errs);
	return buf_detach(&b);
}

static char *
real(const char *dir)
{
	char *r = realpath(dir, NULL);

	cr_assert_not_null(r);
	return r;
}

Test(config, defaults)
{
	char *dir = th_tmpdir(), *path = put(dir, "feedd.conf", "; empty\n");
	struct config *cfg = load_ok(path);
	char *rdir = real(dir);

	cr_expect_str_eq(cfg->path, path);
	cr_expect_str_eq(cfg->dir, rdir);
	cr_expect_str_eq(cfg->state_dir, "/var/lib/feedd");
	cr_expect_str_eq(cfg->database, "/var/lib/feedd/feedd.db");
	cr_expect_eq(cfg->interval, 30 * 60);
	cr_expect_eq(cfg->concurrency, 16);
	cr_expect_eq(cfg->per_host, 2);
	cr_expect_eq(cfg->timeout, 30);
	cr_expect_eq(cfg->max_size, 10 * 1024 * 1024);
	cr_expect_str_eq(cfg->user_agent,
	    "feedd/" FEEDD_VERSION " (+https://example.org/feedd)");
	cr_expect_eq(cfg->log_level, LOG_LEVEL_INFO);
	cr_expect_eq(cfg->retention, 90 * 86400);
	cr_expect_str_eq(cfg->atom_path, "/var/lib/feedd/feed.xml");
	cr_expect_null(cfg->json_path);
	cr_expect_str_eq(cfg->title, "feedd");
	cr_expect_eq(cfg->max_entries, 200);
	cr_expect_null(cfg->alert_feeds_dir);
	cr_expect_null(cfg->listen);
	cr_expect_str_eq(cfg->alert_log, "/var/lib/feedd/alerts.log");
	cr_expect_eq(cfg->alert_format, ALERT_FORMAT_TEXT);
	cr_expect_eq(cfg->alert_max_age, 48 * 3600);
	cr_expect_eq(cfg->nfeeds, 0);
	cr_expect_eq(cfg->nrules, 0);
	config_free(cfg);
	free(rdir);
	free(path);
	th_rmdir(dir);
	free(dir);
}

Test(config, every_key)
{
	static const char text[] =
	    "[daemon]\n"
	    "state_dir = /srv/feedd\n"
	    "database = /srv/db/news.db\n"
	    "interval = 2h\n"
	    "concurrency = 64\n"
	    "per_host = 4\n"
	    "timeout = 1m\n"
	    "max_size = 512KB\n"
	    "user_agent = mybot/VERSION (+https://example.com)\n"
	    "log_level = debug\n"
	    "retention = 365d\n"
	    "[output]\n"
	    "atom = out/all.xml\n"
	    "json = out/all.json\n"
	    "title = AI and tech news\n"
	    "max_entries = 50\n"
	    "alert_feeds = alerts\n"
	    "listen = 127.0.0.1:8787\n"
	    "[alerts]\n"
	    "log = /var/log/feedd/alerts.log\n"
	    "format = json\n"
	    "max_age = 3d\n"
	    "[feed \"Hacker News\"]\n"
	    "url = https://news.ycombinator.com/rss\n"
	    "interval = 10m\n"
	    "tags = Tech, Community\n"
	    "[feed \"Lobsters\"]\n"
	    "url = https://lobste.rs/rss\n"
	    "[alert \"china-ai\"]\n"
	    "match = China AND (AI OR DeepSeek OR Qwen)\n";
	char *dir = th_tmpdir(), *path = put(dir, "feedd.conf", text);
	struct config *cfg = load_ok(path);
	const struct feed_conf *f;

	cr_expect_str_eq(cfg->state_dir, "/srv/feedd");
	cr_expect_str_eq(cfg->database, "/srv/db/news.db");
	cr_expect_eq(cfg->interval, 7200);
	cr_expect_eq(cfg->concurrency, 64);
	cr_expect_eq(cfg->per_host, 4);
	cr_expect_eq(cfg->timeout, 60);
	cr_expect_eq(cfg->max_size, 512 * 1024);
	cr_expect_str_eq(cfg->user_agent,
	    "mybot/" FEEDD_VERSION " (+https://example.com)");
	cr_expect_eq(cfg->log_level, LOG_LEVEL_DEBUG);
	cr_expect_eq(cfg->retention, 365 * 86400);
	cr_expect_str_eq(cfg->atom_path, "/srv/feedd/out/all.xml");
	cr_expect_str_eq(cfg->json_path, "/srv/feedd/out/all.json");
	cr_expect_str_eq(cfg->title, "AI and tech news");
	cr_expect_eq(cfg->max_entries, 50);
	cr_expect_str_eq(cfg->alert_feeds_dir, "/srv/feedd/alerts");
	cr_expect_str_eq(cfg->listen, "127.0.0.1:8787");
	cr_expect_str_eq(cfg->alert_log, "/var/log/feedd/alerts.log");
	cr_expect_eq(cfg->alert_format, ALERT_FORMAT_JSON);
	cr_expect_eq(cfg->alert_max_age, 3 * 86400);
	cr_assert_eq(cfg->nfeeds, 2);
	f = config_find_feed(cfg, "Hacker News");
	cr_assert_not_null(f);
	cr_expect_str_eq(f->url, "https://news.ycombinator.com/rss");
	cr_expect_eq(f->interval, 600);
	cr_expect_str_eq(f->tags, "Tech, Community");
	cr_expect_str_eq(f->def.file, path);
	cr_expect_eq(f->def.line, 23);
	f = config_find_feed(cfg, "Lobsters");
	cr_assert_not_null(f);
	cr_expect_eq(f->interval, 7200);	/* [daemon] interval */
	cr_expect_null(f->tags);
	cr_expect_null(config_find_feed(cfg, "lobsters"));
	cr_assert_eq(cfg->nrules, 1);
	cr_expect_str_eq(cfg->rules[0].def.name, "china-ai");
	cr_expect_str_eq(cfg->rules[0].match,
	    "China AND (AI OR DeepSeek OR Qwen)");
	cr_expect_not_null(cfg->rules[0].expr);
	cr_expect_eq(cfg->rules[0].def.line, 29);
	/* what output writes alerts/ by */
	cr_expect_str_eq(cfg->rules[0].feed_file, "china-ai.xml");
	config_free(cfg);
	free(path);
	th_rmdir(dir);
	free(dir);
}

/* dir + "/" + rel, in a static buffer (one use per expression). */
static const char *
under(const char *dir, const char *rel)
{
	static char out[4][2 * PATH_MAX + 2];
	static int n;
	char *p = out[n++ % 4];

	snprintf(p, sizeof(out[0]), "%s/%s", dir, rel);
	return p;
}

/*
 * A kept feed's name and url are one allocation, the url after the
 * name's NUL (a feed costs malloc's overhead once for both, for as long
 * as it is configured); each reads back whole, with the feed's other
 * keys.  Sections reported (a duplicate, one without a url) are freed
 * as they were read: ASan's build checks that nothing leaks or is
 * freed twice.
 */
Test(config, a_feeds_name_and_url_are_one_allocation)
{
	char *dir = th_tmpdir(), *path, *errs;
	struct config *cfg;

	path = put(dir, "feedd.conf", "[feed \"Hacker News\"]\n"
	    "url = https://news.ycombinator.com/rss\ntags = tech, hn\n"
	    "interval = 5m\n[feed \"\u4e2d\u6587\"]\nurl = https://cn.example"
	    "/\u65b0\u95fb.xml\n");
	cfg = load_ok(path);
	cr_assert_eq(cfg->nfeeds, 2);
	for (size_t i = 0; i < cfg->nfeeds; i++) {
		const struct feed_conf *f = &cfg->feeds[i];

		cr_assert(f->def.name_holds_url);
		cr_assert_eq(f->url, f->def.name + strlen(f->def.name) + 1);
	}
	cr_assert_str_eq(cfg->feeds[0].def.name, "Hacker News");
	cr_assert_str_eq(cfg->feeds[0].url,
	    "https://news.ycombinator.com/rss");
	cr_assert_str_eq(cfg->feeds[0].tags, "tech, hn");
	cr_assert_eq(cfg->feeds[0].interval, 300);
	cr_assert_str_eq(config_find_feed(cfg, "\u4e2d\u6587")->url,
	    "https://cn.example/\u65b0\u95fb.xml");
	config_free(cfg);
	free(path);
	path = put(dir, "feedd.conf", "[feed \"a\"]\nurl = https://a.example/"
	    "\n[feed \"a\"]\nurl = https://b.example/\n[feed \"c\"]\n"
	    "tags = x\n");
	errs = load_errors(path);
	cr_assert(strstr(errs, "duplicate feed \"a\"") != NULL, "%s", errs);
	cr_assert(strstr(errs, "feed \"c\" has no url") != NULL, "%s", errs);
	free(errs);
	free(path);
	th_rmdir(dir);
	free(dir);
}

/*
 * A loaded config keeps its feeds' names hashed: `feedd status` looks
 * up each feed of the database, and a list searched for each one made
 * it quadratic (100,000 feeds: minutes).  Every name is found, names
 * differing by case or a character are not.
 */
Test(config, every_feed_is_found_by_name_through_the_kept_index)
{
	char *dir = th_tmpdir(), *path;
	struct config *cfg;
	struct buf b;

	buf_init(&b, 0);
	buf_puts(&b, "[daemon]\nstate_dir = .\n");
	for (int i = 0; i < 5000; i++)
		buf_printf(&b, "[feed \"feed %d\"]\nurl = https://f%d.example/"
		    "rss\n", i, i);
	path = put(dir, "feedd.conf", buf_str(&b));
	cfg = load_ok(path);
	cr_assert_eq(cfg->nfeeds, 5000);
	cr_assert_geq(cfg->feed_names.cap, 2 * cfg->nfeeds, "no index kept");
	for (int i = 0; i < 5000; i++) {
		char *name = xasprintf("feed %d", i);
		const struct feed_conf *f = config_find_feed(cfg, name);

		cr_assert_not_null(f, "%s", name);
		cr_assert_str_eq(f->def.name, name);
		free(name);
	}
	cr_assert_null(config_find_feed(cfg, "Feed 1"));
	cr_assert_null(config_find_feed(cfg, "feed 5000"));
	cr_assert_null(config_find_feed(cfg, "feed 1 "));
	config_free(cfg);
	buf_cleanup(&b);
	free(path);
	th_rmdir(dir);
	free(dir);
}

Test(config, relative_paths)
{
	char *dir = th_tmpdir(), *rdir = real(dir), *path;
	struct config *cfg;

	path = put(dir, "feedd.conf", "[daemon]\nstate_dir = ./state/\n"
	    "database = db/feedd.db\n[output]\natom = /abs/feed.xml\n"
	    "json = ./feed.json\nalert_feeds = alerts\n"
	    "[alerts]\nlog = logs/alerts.log\n");
	cfg = load_ok(path);
	cr_expect_str_eq(cfg->dir, rdir);
	cr_expect_str_eq(cfg->state_dir, under(rdir, "state"));
	cr_expect_str_eq(cfg->database, under(rdir, "state/db/feedd.db"));
	cr_expect_str_eq(cfg->atom_path, "/abs/feed.xml");
	cr_expect_str_eq(cfg->json_path, under(rdir, "state/feed.json"));
	cr_expect_str_eq(cfg->alert_feeds_dir, under(rdir, "state/alerts"));
	cr_expect_str_eq(cfg->alert_log, under(rdir, "state/logs/alerts.log"));
	config_free(cfg);
	free(path);
	free(rdir);
	th_rmdir(dir);
	free(dir);
}

Test(config, relative_config_path_gives_absolute_dir)
{
	char cwd[PATH_MAX];
	struct config *cfg;

	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	cfg = load_ok(DATA "/valid_layout.conf");	/* state_dir = . */
	cr_expect_str_eq(cfg->dir, under(cwd, DATA));
	cr_expect_str_eq(cfg->state_dir, under(cwd, DATA));
	cr_expect_str_eq(cfg->database, under(cwd, DATA "/feedd.db"));
	config_free(cfg);
}

Test(config, indented_lines_are_keys_not_continuations)
{
	struct config *cfg = load_ok(DATA "/valid_layout.conf");
	const struct feed_conf *f = config_find_feed(cfg, "Indented");

	cr_expect_eq(cfg->interval, 15 * 60);
	cr_expect_str_eq(cfg->title, "C# & Rust news   # '#' inside a value "
	    "is text");
	cr_assert_not_null(f);
	cr_expect_str_eq(f->url, "https://example.org/feed");
	cr_expect_eq(f->interval, 300);
	cr_expect_str_eq(f->tags, "AI, Research");
	cr_assert_eq(cfg->nrules, 1);
	cr_expect_str_eq(cfg->rules[0].match,
	    "\"open source\" OR (China AND NOT trade)");
	config_free(cfg);
}

Test(config, durations_and_sizes_in_keys)
{
	static const struct {
		const char *line;
		int64_t	 interval, max_size;
	} cases[] = {
		{ "interval = 90\nmax_size = 1024\n", 90, 1024 },
		{ "interval = 45m\nmax_size = 64KB\n", 2700, 65536 },
		{ "interval = 6h\nmax_size = 1GB\n", 21600, 1073741824 },
		{ "interval = 2d\nmax_size = 3MB\n", 172800, 3145728 },
	};
	char *dir = th_tmpdir();

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[200], *path;
		struct config *cfg;

		snprintf(text, sizeof(text), "[daemon]\n%s", cases[i].line);
		path = put(dir, "feedd.conf", text);
		cfg = load_ok(path);
		cr_expect_eq(cfg->interval, cases[i].interval, "%s",
		    cases[i].line);
		cr_expect_eq(cfg->max_size, cases[i].max_size, "%s",
		    cases[i].line);
		config_free(cfg);
		free(path);
	}
	th_rmdir(dir);
	free(dir);
}

Test(config, several_errors_in_one_pass_in_line_order)
{
	char *dir = th_tmpdir(), *path, *got, *want;
	struct buf b;

	path = put(dir, "feedd.conf", "[feed \"a\"]\n"	/* 1: no url */
	    "[daemon]\n"
	    "interval = soon\n"				/* 3 */
	    "nope = 1\n"				/* 4 */
	    "[alert \"r\"]\n"
	    "match = (x\n");				/* 6 */
	got = load_errors(path);
	buf_init(&b, 0);
	buf_printf(&b, "%s:1: feed \"a\" has no url\n", path);
	buf_printf(&b, "%s:3: bad value for interval: 'soon' (expected a "
	    "duration such as 90s, 30m, 2h or 1d)\n", path);
	buf_printf(&b, "%s:4: unknown key 'nope' in [daemon]\n", path);
	buf_printf(&b, "%s:6: bad match expression '(x': unbalanced "
	    "parentheses: missing ')'\n", path);
	want = buf_detach(&b);
	cr_expect_str_eq(got, want);
	free(want);
	free(got);
	free(path);
	th_rmdir(dir);
	free(dir);
}

/* A long expression's error keeps its reason: quoted whole, 1,000 terms
 * pushed it past the line's 4 KB (rules review D7). */
Test(config, a_long_bad_expression_keeps_its_reason)
{
	char	*dir = th_tmpdir(), *path, *got;
	struct buf b;

	buf_init(&b, 0);
	buf_puts(&b, "[alert \"r\"]\nmatch = w0");
	for (int i = 1; i < 1000; i++)
		buf_printf(&b, " OR w%d", i);
	buf_putc(&b, '\n');
	path = put(dir, "feedd.conf", buf_str(&b));
	got = load_errors(path);
	cr_assert_lt(strlen(got), 400, "%s", got);
	cr_assert_not_null(strstr(got, "w0 OR w1 OR"), "%s", got);
	cr_assert_not_null(strstr(got, "\xe2\x80\xa6': expression too long"),
	    "%s", got);
	buf_cleanup(&b);
	free(got);
	free(path);
	th_rmdir(dir);
	free(dir);
}

Test(config, long_lines_load_whole)
{
	char *dir = th_tmpdir(), *path, url[1001], name[301], expr[401];
	struct buf b;
	struct config *cfg;
	const struct feed_conf *f;

	/* a 1000-character URL, a 300-character feed name, a long rule */
	memcpy(url, "https://example.org/", 20);
	for (size_t i = 20; i < 1000; i++)
		url[i] = "abcdefghij/?=&"[i % 14];
	url[1000] = '\0';
	for (size_t i = 0; i < 300; i++)
		name[i] = "Long name "[i % 10];
	name[300] = '\0';
	strcpy(expr, "China AND (AI");
	for (size_t n = strlen(expr); n < 380; n = strlen(expr))
		strcat(expr, " OR Qwen");
	strcat(expr, ")");
	buf_init(&b, 0);
	buf_printf(&b, "[feed \"%s\"]\nurl = %s   ; a comment\n", name, url);
	buf_printf(&b, "[feed \"B\"]\n    url    =    %s\n", url);
	buf_printf(&b, "[alert \"long\"]\nmatch = %s\n", expr);
	path = put(dir, "feedd.conf", buf_str(&b));
	cfg = load_ok(path);
	cr_assert_eq(cfg->nfeeds, 2);
	cr_expect_str_eq(cfg->feeds[0].def.name, name);
	cr_expect_str_eq(cfg->feeds[0].url, url);
	cr_expect_eq(strlen(cfg->feeds[0].url), 1000);
	f = config_find_feed(cfg, "B");
	cr_assert_not_null(f);
	cr_expect_str_eq(f->url, url);
	cr_expect_str_eq(cfg->rules[0].match, expr);
	config_free(cfg);
	free(path);
	buf_cleanup(&b);
	th_rmdir(dir);
	free(dir);
}

/*
 * A config is read a line at a time with no bound, so `-c /dev/zero`
 * grew past 2 GB and a 300 MB title line was taken (890 MB of RSS).
 * Now a line past 64 KB is an error and reading stops past 16 MB.
 */
Test(config, huge_lines_and_files_are_refused_in_bounded_memory)
{
	char *dir = th_tmpdir(), *path, *errs;
	struct buf b;
	struct rusage ru;

	buf_init(&b, 0);
	buf_puts(&b, "[output]\ntitle = ");
	for (size_t i = 0; i < 300 * 1024; i++)
		buf_putc(&b, 'x');
	buf_puts(&b, "\n[daemon]\nstate_dir = .\n");
	path = put(dir, "feedd.conf", buf_str(&b));
	errs = load_errors(path);
	cr_assert(strstr(errs, ":2: line longer than 64 KB\n") != NULL, "%s",
	    errs);
	free(errs);
	errs = load_errors("/dev/zero");
	cr_assert(strstr(errs, "/dev/zero:1: the file is larger than 16 MB")
	    != NULL, "%s", errs);
	free(errs);
	getrusage(RUSAGE_SELF, &ru);
	cr_assert_lt(ru.ru_maxrss, 200 * 1024, "peak RSS %ld KB",
	    ru.ru_maxrss);
	free(path);
	buf_cleanup(&b);
	th_rmdir(dir);
	free(dir);
}

Test(config, long_bad_lines_keep_their_line_numbers)
{
	char *dir = th_tmpdir(), *path, *got, long_word[600];
	struct buf b, want;

	memset(long_word, 'x', sizeof(long_word) - 1);
	long_word[sizeof(long_word) - 1] = '\0';
	buf_init(&b, 0);
	buf_printf(&b, "[daemon]\n");
	buf_printf(&b, "; %s\n", long_word);		/* 2: a comment */
	buf_printf(&b, "%s\n", long_word);		/* 3: no '=' */
	buf_printf(&b, "title = %s\n", long_word);	/* 4: not in [daemon] */
	buf_printf(&b, "interval = %s\n", long_word);	/* 5 */
	buf_printf(&b, "[output]\ntitle = %s\n", long_word);	/* 7: fine */
	buf_printf(&b, "max_entries = 0\n");		/* 8 */
	path = put(dir, "feedd.conf", buf_str(&b));
	got = load_errors(path);
	buf_init(&want, 0);
	buf_printf(&want, "%s:3: syntax error: expected 'key = value' or "
	    "'[section]'\n", path);
	buf_printf(&want, "%s:4: unknown key 'title' in [daemon]\n", path);
	buf_printf(&want, "%s:5: bad value for interval: '%s' (expected a "
	    "duration such as 90s, 30m, 2h or 1d)\n", path, long_word);
	buf_printf(&want, "%s:8: max_entries out of range: '0' (allowed: 1 to "
	    "100000)\n", path);
	cr_expect_str_eq(got, buf_str(&want));
	free(got);
	buf_cleanup(&want);
	buf_cleanup(&b);
	free(path);
	th_rmdir(dir);
	free(dir);
}

Test(config, crlf_and_bom)
{
	char *dir = th_tmpdir(), *path;
	struct config *cfg;

	path = put(dir, "feedd.conf", "\xEF\xBB\xBF[output]\r\n"
	    "title = Windows news\r\n\r\n[feed \"w\"]\r\nurl = http://e.org/\r\n");
	cfg = load_ok(path);
	cr_expect_str_eq(cfg->title, "Windows news");
	cr_expect_str_eq(cfg->feeds[0].url, "http://e.org/");
	config_free(cfg);
	free(path);
	th_rmdir(dir);
	free(dir);
}

Test(config, feeds_d_is_read_in_name_order)
{
	char *dir = th_tmpdir(), *fdir = th_path(dir, "feeds.d"), *path;
	char *p1, *p2, *p3;
	struct config *cfg;

	cr_assert_eq(mkdir(fdir, 0700), 0);
	path = put(dir, "feedd.conf", "[feed \"main\"]\nurl = https://m.org/\n"
	    "[alert \"r\"]\nmatch = AI\n");
	p2 = put(fdir, "20-b.conf", "[feed \"b\"]\nurl = https://b.org/\n");
	p1 = put(fdir, "10-a.conf", "; imported\n[feed \"a\"]\n"
	    "url = https://a.org/\ntags = X\n");
	p3 = put(fdir, "notes.txt", "[daemon]\nthis is not read\n");
	cfg = load_ok(path);
	cr_assert_eq(cfg->nfeeds, 3);
	cr_expect_str_eq(cfg->feeds[0].def.name, "main");
	cr_expect_str_eq(cfg->feeds[1].def.name, "a");
	cr_expect_str_eq(cfg->feeds[1].def.file, p1);
	cr_expect_eq(cfg->feeds[1].def.line, 2);
	cr_expect_str_eq(cfg->feeds[2].def.name, "b");
	cr_expect_str_eq(cfg->feeds[2].def.file, p2);
	cr_expect_eq(cfg->nrules, 1);
	config_free(cfg);
	free(p1);
	free(p2);
	free(p3);
	free(path);
	free(fdir);
	th_rmdir(dir);
	free(dir);
}

/* A FIFO named like a feeds.d file is refused at once, not read (which
 * waits for a writer that never comes). */
Test(config, feeds_d_fifo_is_refused_not_read, .timeout = 10)
{
	char *dir = th_tmpdir(), *fdir = th_path(dir, "feeds.d"), *path;
	char *fifo = th_path(fdir, "10-pipe.conf"), *got, *want;

	cr_assert_eq(mkdir(fdir, 0700), 0);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	path = put(dir, "feedd.conf", "[feed \"main\"]\nurl = https://m.org/\n");
	got = load_errors(path);
	want = xasprintf("%s: not a regular file\n", fifo);
	cr_expect_str_eq(got, want);
	free(want);
	free(got);
	free(path);
	unlink(fifo);
	free(fifo);
	free(fdir);
	th_rmdir(dir);
	free(dir);
}

Test(config, feeds_d_errors_name_both_places)
{
	char *dir = th_tmpdir(), *fdir = th_path(dir, "feeds.d"), *path, *p1;
	char *got;
	struct buf want;

	cr_assert_eq(mkdir(fdir, 0700), 0);
	path = put(dir, "feedd.conf", "[daemon]\ninterval = 1h\n\n"
	    "[feed \"dup\"]\nurl = https://m.org/\n");
	p1 = put(fdir, "imported.conf", "[feed \"ok\"]\nurl = https://o.org/\n"
	    "[feed \"dup\"]\nurl = https://d.org/\n[daemon]\ninterval = 2h\n"
	    "[alert \"x\"]\nmatch = AI\n[feed \"bad\"]\nurl = gopher://x\n");
	got = load_errors(path);
	buf_init(&want, 0);
	buf_printf(&want, "%s:3: duplicate feed \"dup\" (first defined at "
	    "%s:4)\n", p1, path);
	buf_printf(&want, "%s:5: only [feed \"NAME\"] sections are allowed in "
	    "feeds.d, not [daemon]\n", p1);
	buf_printf(&want, "%s:7: only [feed \"NAME\"] sections are allowed in "
	    "feeds.d, not [alert \"x\"]\n", p1);
	buf_printf(&want, "%s:10: bad value for url: 'gopher://x' (expected an "
	    "http://, https:// or file: URL)\n", p1);
	cr_expect_str_eq(got, buf_str(&want));
	buf_cleanup(&want);
	free(got);
	free(p1);
	free(path);
	free(fdir);
	th_rmdir(dir);
	free(dir);
}

/* Two alerts, one alert feed file: refused, as a second alert of one name. */
Test(config, alerts_with_one_feed_file_are_refused)
{
	char *dir = th_tmpdir(), *path, *got;
	struct buf want;

	path = put(dir, "feedd.conf", "[alert \"china ai\"]\nmatch = AI\n"
	    "[alert \"china_ai\"]\nmatch = AI\n[alert \"china ai\"]\n"
	    "match = AI\n[alert \"_\"]\nmatch = AI\n[alert \"\"]\n"
	    "match = AI\n");
	got = load_errors(path);
	buf_init(&want, 0);
	buf_printf(&want, "%s:3: alert \"china_ai\" has the alert feed file "
	    "china_ai.xml of alert \"china ai\" (%s:1): rename one\n", path,
	    path);
	buf_printf(&want, "%s:5: duplicate alert \"china ai\" (first defined "
	    "at %s:1)\n", path, path);
	buf_printf(&want, "%s:9: alert \"\" has the alert feed file _.xml of "
	    "alert \"_\" (%s:7): rename one\n", path, path);
	cr_expect_str_eq(got, buf_str(&want));
	buf_cleanup(&want);
	free(got);
	free(path);
	th_rmdir(dir);
	free(dir);
}

/*
 * Rule names in other scripts keep their letters in the file name: every
 * byte of 大模型 and of 机器人 was made '_', both rules had the file
 * _________.xml and the configuration was refused (rules review D5).
 * Each other character is one '_'.
 */
Test(config, rule_files_keep_letters_of_every_script)
{
	static const struct { const char *rule, *file; } cases[] = {
		{ "大模型", "大模型.xml" },
		{ "机器人", "机器人.xml" },
		{ "Кремль-ИИ", "Кремль-ИИ.xml" },
		{ "AI\u2014news", "AI_news.xml" },	/* an em dash */
		{ "AI\u3001新闻", "AI_新闻.xml" },	/* CJK comma */
		{ "china ai", "china_ai.xml" },
		{ "../x", "_._x.xml" },
		{ "bad\xff", "bad_.xml" },
	};
	char *dir = th_tmpdir(), *path;
	struct config *cfg;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *f = config_rule_filename(cases[i].rule);

		cr_expect_str_eq(f, cases[i].file, "%s", cases[i].rule);
		free(f);
	}
	path = put(dir, "feedd.conf", "[alert \"大模型\"]\nmatch = AI\n"
	    "[alert \"机器人\"]\nmatch = robot\n");
	cfg = load_ok(path);
	cr_assert_eq(cfg->nrules, 2);
	cr_expect_str_eq(cfg->rules[1].feed_file, "机器人.xml");
	config_free(cfg);
	free(path);
	th_rmdir(dir);
	free(dir);
}

Test(config, missing_file)
{
	struct config_errors errs = { NULL, 0 };

	cr_assert_null(config_load("/nonexistent/feedd.conf", &errs));
	cr_assert_eq(errs.n, 1);
	cr_expect_str_eq(errs.msgs[0],
	    "/nonexistent/feedd.conf: No such file or directory");
	config_errors_cleanup(&errs);
	cr_expect_eq(errs.n, 0);
	config_free(NULL);
}

Test(config, shipped_example_loads)
{
	struct config *cfg = load_ok("config/feedd.conf.example");
	const struct feed_conf *f;

	cr_expect_str_eq(cfg->state_dir, "/var/lib/feedd");
	cr_expect_str_eq(cfg->database, "/var/lib/feedd/feedd.db");
	cr_expect_str_eq(cfg->title, "AI and tech news");
	cr_expect_eq(cfg->interval, 1800);
	cr_expect_null(cfg->json_path);
	cr_expect_eq(cfg->nfeeds, 34);		/* the outlines of ai-tech.opml */
	cr_expect_eq(cfg->nrules, 2);
	f = config_find_feed(cfg, "arXiv cs.AI (Artificial Intelligence)");
	cr_assert_not_null(f);
	cr_expect_str_eq(f->url, "https://rss.arxiv.org/rss/cs.AI");
	cr_expect_str_eq(f->tags, "AI, Research");
	f = config_find_feed(cfg, "Synced \xe6\x9c\xba\xe5\x99\xa8\xe4\xb9\x8b"
	    "\xe5\xbf\x83");
	cr_assert_not_null(f);
	cr_expect_str_eq(f->url, "https://www.jiqizhixin.com/rss");
	cr_expect_str_eq(f->tags, "China, AI");
	/* what they match: tests/test_rules.c */
	cr_expect_str_eq(cfg->rules[0].def.name, "china-ai");
	cr_expect_eq(strncmp(cfg->rules[0].match, "DeepSeek OR Qwen OR ", 20),
	    0);
	cr_expect_str_eq(cfg->rules[1].def.name, "open-source");
	cr_expect_eq(strncmp(cfg->rules[1].match, "\"open sourc\"* OR ", 17),
	    0);
	config_free(cfg);
}

/* Every tests/data/config/NAME.conf gives exactly NAME.err on stderr. */
Test(config, data_pairs)
{
	DIR *d = opendir(DATA);
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		char conf[PATH_MAX], errf[PATH_MAX], *want;
		struct th_result r;

		if (len < 6 || strcmp(e->d_name + len - 5, ".conf") != 0)
			continue;
		snprintf(conf, sizeof(conf), DATA "/%s", e->d_name);
		snprintf(errf, sizeof(errf), DATA "/%.*s.err", (int)len - 5,
		    e->d_name);
		want = th_read_file(errf, NULL);
		cr_assert_not_null(want, "%s", errf);
		cr_assert_eq(th_feedd_run(&r, 10, "check-config", "-c", conf,
		    NULL), 0);
		cr_expect_str_eq(r.err, want, "%s", conf);
		cr_expect_eq(r.status, want[0] ? 2 : 0, "%s", conf);
		th_result_cleanup(&r);
		free(want);
		n++;
	}
	closedir(d);
	cr_expect_geq(n, 10);
}

/*
 * INTERFACE.md: errors are one line each, prefixed "feedd: ".  The list
 * commands and add/remove printed a bad config's FILE:LINE lines bare;
 * only check-config prints them so, as documented.
 */
Test(config, every_command_prefixes_a_bad_configs_lines)
{
	static const char *const cmds[] = { "feeds", "items", "status",
	    "stories", "alerts" };
	char *dir = th_tmpdir(), *path = put(dir, "feedd.conf",
	    "[daemon]\nstate_dir = .\nbogus = 1\n"), *want;
	struct th_result r;

	want = xasprintf("feedd: %s:3: unknown key 'bogus' in [daemon]\n",
	    path);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(*cmds); i++) {
		cr_assert_eq(th_feedd_run(&r, 10, cmds[i], "-c", path, NULL), 0);
		cr_expect_str_eq(r.err, want, "%s", cmds[i]);
		cr_expect_eq(r.status, 2, "%s", cmds[i]);
		th_result_cleanup(&r);
	}
	free(want);
	free(path);
	th_rmdir(dir);
	free(dir);
}

/*
 * "[daemon] interval = 10m", later "[daemon] interval = 20m": the second
 * won without a word, where the same key twice in one section is an
 * error.  A section may come back; its keys are still set once.
 */
Test(config, a_key_set_again_in_a_repeated_section_is_a_duplicate)
{
	char *dir = th_tmpdir(), *path, *errs;
	struct config *cfg;

	path = put(dir, "feedd.conf", "[daemon]\nstate_dir = s\n"
	    "interval = 10m\n[output]\ntitle = x\n[daemon]\n"
	    "interval = 20m\n");
	errs = load_errors(path);
	cr_assert(strstr(errs, ":7: duplicate key 'interval' (first set at "
	    "line 3)"), "%s", errs);
	free(errs);
	free(path);
	path = put(dir, "feedd.conf", "[daemon]\nstate_dir = s\n[output]\n"
	    "title = x\n[daemon]\ninterval = 20m\n[feed \"a\"]\nurl = "
	    "http://a.example/f\n[feed \"b\"]\nurl = http://b.example/f\n");
	cfg = load_ok(path);
	cr_assert_eq(cfg->interval, 20 * 60);
	cr_assert_eq(cfg->nfeeds, 2);
	config_free(cfg);
	free(path);
	th_rmdir(dir);
	free(dir);
}

/* A feed:NAME with a typo can never fire: check-config says so, and
 * the config still loads (rules review D8). */
Test(config, check_config_names_a_feed_term_no_feed_has)
{
	char	*dir = th_tmpdir(), *path;
	struct th_result r;
	char	*want;

	path = put(dir, "feedd.conf", "[feed \"lab\"]\nurl = https://x."
	    "example/f\n[alert \"x\"]\nmatch = feed:lbb OR feed:lab\n");
	cr_assert_eq(th_feedd_run(&r, 10, "-c", path, "check-config", NULL),
	    0);
	cr_expect_eq(r.status, 0);
	want = xasprintf("%s:3: warning: alert \"x\": feed:lbb names no "
	    "configured feed, so that part never matches\n", path);
	cr_expect_str_eq(r.err, want);
	th_result_cleanup(&r);
	free(want);
	free(path);
	th_rmdir(dir);
	free(dir);
}

Test(config, check_config_command)
{
	struct th_result r;

	/* valid: exit 0, "FILE: ok" on stdout, -c before and after */
	cr_assert_eq(th_feedd_run(&r, 10, "-c", "config/feedd.conf.example",
	    "check-config", NULL), 0);
	cr_expect_eq(r.status, 0);
	cr_expect_str_eq(r.out,
	    "config/feedd.conf.example: ok (34 feeds, 2 alerts)\n");
	cr_expect_str_eq(r.err, "");
	th_result_cleanup(&r);
	cr_assert_eq(th_feedd_run(&r, 10, "check-config", "--config",
	    DATA "/out_of_range.conf", NULL), 0);
	cr_expect_eq(r.status, 2);
	cr_expect(strncmp(r.err, DATA "/out_of_range.conf:2: ",
	    strlen(DATA) + 21) == 0, "%s", r.err);
	cr_expect_str_eq(r.out, "");
	th_result_cleanup(&r);
	/* no such file: one "feedd: " line */
	cr_assert_eq(th_feedd_run(&r, 10, "check-config", "-c",
	    "/nonexistent.conf", NULL), 0);
	cr_expect_eq(r.status, 2);
	cr_expect_str_eq(r.err,
	    "feedd: /nonexistent.conf: No such file or directory\n");
	th_result_cleanup(&r);
	cr_assert_eq(th_feedd_run(&r, 10, "check-config", "-c", "tests",
	    NULL), 0);
	cr_expect_eq(r.status, 2);
	cr_expect_str_eq(r.err, "feedd: tests: Is a directory\n");
	th_result_cleanup(&r);
	/* stray argument: usage */
	cr_assert_eq(th_feedd_run(&r, 10, "check-config", "extra", NULL), 0);
	cr_expect_eq(r.status, 2);
	cr_expect(strstr(r.err, "usage: feedd") != NULL, "%s", r.err);
	th_result_cleanup(&r);
}

/*
 * Run by the unit's ExecReload (stderr is the journal): every problem at
 * priority err, then the daemon's own words for a refused reload, so
 * `journalctl -p err` finds the same phrase whichever refused it.
 */
Test(config, check_config_under_the_journal_says_reload_failed)
{
	char *argv[] = { "/usr/bin/env", "JOURNAL_STREAM=1:1",
	    (char *)th_feedd(), "check-config", "-c", DATA "/syntax.conf",
	    NULL };
	struct th_result r;
	char *last;

	cr_assert_eq(th_run(argv, NULL, 10, &r), 0);
	cr_expect_eq(r.status, 2);
	cr_expect(strncmp(r.err, "<3>" DATA "/syntax.conf:2: ",
	    strlen(DATA) + 19) == 0, "%s", r.err);
	cr_assert(strlen(r.err) > 1 && r.err[strlen(r.err) - 1] == '\n');
	r.err[strlen(r.err) - 1] = '\0';
	last = strrchr(r.err, '\n') ? strrchr(r.err, '\n') + 1 : r.err;
	cr_expect_str_eq(last, "<3>" DATA "/syntax.conf: configuration refused; "
	    "reload failed: keeping the old configuration");
	th_result_cleanup(&r);
}

Test(config, check_config_uses_feedd_config_env)
{
	char *argv[] = { "/usr/bin/env", "FEEDD_CONFIG=" DATA "/syntax.conf",
	    (char *)th_feedd(), "check-config", NULL };
	struct th_result r;

	cr_assert_eq(th_run(argv, NULL, 10, &r), 0);
	cr_expect_eq(r.status, 2);
	cr_expect(strncmp(r.err, DATA "/syntax.conf:2: ",
	    strlen(DATA) + 16) == 0, "%s", r.err);
	th_result_cleanup(&r);
	argv[1] = "FEEDD_CONFIG=/nonexistent/by-env.conf";
	cr_assert_eq(th_run(argv, NULL, 10, &r), 0);
	cr_expect_eq(r.status, 2);
	cr_expect(strstr(r.err, "/nonexistent/by-env.conf") != NULL, "%s",
	    r.err);
	th_result_cleanup(&r);
}

/*
 * "china ai" and "china_ai" both write alerts/china_ai.xml: one rule's
 * feed overwrote the other's and check-config said nothing.
 */
Test(config, rules_whose_alert_feeds_collide_are_refused)
{
	char *dir = th_tmpdir(), *got;
	char *path = put(dir, "c.conf", "[daemon]\nstate_dir = s\n\n"
	    "[feed \"a\"]\nurl = https://example.com/a.xml\n\n"
	    "[alert \"china ai\"]\nmatch = china\n\n"
	    "[alert \"china_ai\"]\nmatch = china\n\n"
	    "[alert \"china-ai\"]\nmatch = china\n");
	struct th_result r;

	got = load_errors(path);
	cr_assert(strstr(got, ":10: alert \"china_ai\" has the alert feed "
	    "file china_ai.xml of alert \"china ai\""), "%s", got);
	cr_assert_null(strstr(got, "china-ai"), "a distinct file: %s", got);
	cr_assert_eq(th_feedd_run(&r, 10, "check-config", "-c", path, NULL), 0);
	cr_assert_eq(r.status, 2, "%s", r.out);
	cr_assert(strstr(r.err, "china_ai.xml"), "%s", r.err);
	th_result_cleanup(&r);
	free(got);
	free(path);
	th_rmdir(dir);
	free(dir);
}
