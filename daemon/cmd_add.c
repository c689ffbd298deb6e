/*
 * cmd_add: `feedd add URL`.  Fetches URL; a feed is checked to parse,
 * a web page has its feeds discovered (discover.c) and each candidate
 * fetched and parsed, the best one is chosen; a duplicate (by canonical
 * URL) of a configured feed is refused.  The section goes to
 * feeds.d/added.conf (feedsd.c: atomic, checked, rolled back).  Then a
 * running daemon is told to reload (cmd_notify_daemon, which `remove`
 * shares), or the user how.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config.h"
#include "config/config_keys.h"
#include "config/units.h"
#include "daemon/cmd.h"
#include "daemon/discover.h"
#include "daemon/feedsd.h"
#include "daemon/httpget.h"
#include "daemon/lockinfo.h"
#include "util/xmalloc.h"
#include "util/buf.h"
#include "feeds/parse.h"
#include "feeds/url.h"
#include "util/termtext.h"

#define MAX_TRIES	12	/* candidate fetches, at most */
#define STR_(x)	#x
#define STR(x)	STR_(x)
#define ADDED_FILE	"added.conf"

struct add_opts {
	const char *url;
	const char *name;
	const char *tags;
	const char *interval;
	int	 list;		/* --list: show the feeds found, add none */
};

/* A candidate that was fetched and parsed. */
struct found {
	const struct candidate *cand;
	char	*title;
	const char *format;
	size_t	 nitems;
};

struct add {
	const char *cmd;
	const struct add_opts *opt;
	struct config *cfg;
	struct http_limits lim;
	struct found *found;
	size_t	 nfound;
};

static const struct option add_longopts[] = {
	{ "name", required_argument, NULL, 'N' },
	{ "tags", required_argument, NULL, 'T' },
	{ "interval", required_argument, NULL, 'I' },
	{ "list", no_argument, NULL, 'L' },
	{ NULL, 0, NULL, 0 },
};

static int
add_parse_opts(int argc, char **argv, struct add_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", add_longopts, NULL)) != -1) {
		if (cmd_opt_check(argv, c) == -1)
			return -1;
		if (c == 'N')
			o->name = optarg;
		else if (c == 'T')
			o->tags = optarg;
		else if (c == 'I')
			o->interval = optarg;
		else
			o->list = 1;
	}
	if (optind + 1 != argc)
		return -1;
	o->url = argv[optind];
	return 0;
}

/* The configured feed whose URL is the same as url, or NULL. */
static const struct feed_conf *
same_url(const struct config *cfg, const char *url)
{
	char *key = feedsd_url_key(url);
	const struct feed_conf *hit = NULL;

	for (size_t i = 0; hit == NULL && i < cfg->nfeeds; i++) {
		char *k = feedsd_url_key(cfg->feeds[i].url);

		if (strcmp(k, key) == 0)
			hit = &cfg->feeds[i];
		free(k);
	}
	free(key);
	return hit;
}

static int
refuse_duplicate(const struct add *a, const char *url)
{
	const struct feed_conf *f = same_url(a->cfg, url);

	if (f == NULL)
		return 0;
	cmd_error(a->cmd, "%s is already configured as feed \"%s\" (%s:%d)",
	    url, f->def.name, f->def.file, f->def.line);
	return -1;
}

/* Fetches and parses url; the document, or NULL with *why. */
static struct feed_doc *
fetch_feed(const struct add *a, const char *url, struct http_page *page,
    char **why)
{
	struct feed_doc *doc;

	*why = NULL;
	if (http_get(url, &a->lim, page, why) == -1)
		return NULL;
	/* 206: a part of the feed (nothing asked for a range) */
	if (page->status < 200 || page->status > 299 || page->status == 206) {
		*why = xasprintf("%s: HTTP %ld", url, page->status);
		return NULL;
	}
	doc = feed_parse_buffer(page->body, page->len, page->url,
	    page->charset, why);
	return doc;
}

static void
found_add(struct add *a, const struct candidate *cand,
    const struct feed_doc *doc)
{
	struct found *f;

	a->found = xreallocarray(a->found, a->nfound + 1, sizeof(*a->found));
	f = &a->found[a->nfound++];
	f->cand = cand;
	f->title = doc->title ? xstrdup(doc->title) : NULL;
	f->format = feed_format_name(doc->format);
	f->nitems = doc->nitems;
}

/* Fetches candidates in order, keeping those that parse. */
static void
verify(struct add *a, const struct candidates *c, size_t *tries)
{
	for (size_t i = 0; i < c->n && *tries < MAX_TRIES; i++) {
		struct http_page page;
		struct feed_doc *doc;
		char *why = NULL;

		/* one the config could not hold is no candidate: the next is */
		if (feedsd_url_refusal(c->v[i].url) != NULL)
			continue;
		(*tries)++;
		if ((doc = fetch_feed(a, c->v[i].url, &page, &why)) != NULL)
			found_add(a, &c->v[i], doc);
		feed_doc_free(doc);
		http_page_cleanup(&page);
		free(why);
	}
}

/* Index of the best found feed: the site's own before comments. */
static size_t
best(const struct add *a)
{
	for (size_t i = 0; i < a->nfound; i++)
		if (!candidate_is_comments(a->found[i].cand))
			return i;
	return 0;
}

static const struct feed_conf *same_url(const struct config *, const char *);

static void
print_found(const struct add *a, const struct found *f, const char *lead)
{
	const struct feed_conf *have = same_url(a->cfg, f->cand->url);

	printf("%s", lead);
	term_put(stdout, f->cand->url);
	printf("  (%s, %zu items", f->format, f->nitems);
	if (f->title) {
		fputs(", \"", stdout);
		term_put(stdout, f->title);
		fputc('"', stdout);
	}
	printf(")");
	if (have) {
		fputs(" configured as \"", stdout);
		term_put(stdout, have->def.name);
		fputc('"', stdout);
	}
	putchar('\n');
}

/* A name not taken yet: wanted, else "wanted (2)", ... */
static char *
unique_name(const struct config *cfg, const char *wanted)
{
	char *n = xstrdup(wanted);

	for (int i = 2; config_find_feed(cfg, n) != NULL; i++) {
		free(n);
		n = xasprintf("%s (%d)", wanted, i);
	}
	return n;
}

static char *
pick_name(const struct add *a, const char *url, const char *title)
{
	char *clean, *name;

	if (a->opt->name)
		return feedsd_clean(a->opt->name, 0, FEEDSD_NAME_MAX);
	clean = feedsd_clean(title ? title : "", 0, FEEDSD_NAME_MAX);
	if (*clean == '\0') {
		free(clean);
		clean = url_host(url);
		if (clean == NULL)
			clean = xstrdup("feed");
	}
	name = unique_name(a->cfg, clean);
	free(clean);
	return name;
}

/* "a, b" cleaned tag by tag. */
static char *
clean_tags(const char *tags)
{
	struct buf b;
	const char *p = tags;

	buf_init(&b, 0);
	while (p && *p) {
		size_t n = strcspn(p, ",");
		char *one = xstrndup(p, n), *t = feedsd_clean(one, 1, 60);

		if (*t && b.len + strlen(t) + 2 <= FEEDSD_TAGS_MAX)
			buf_printf(&b, "%s%s", b.len ? ", " : "", t);
		free(t);
		free(one);
		p = p[n] ? p + n + 1 : NULL;
	}
	return buf_detach(&b);
}

/*
 * Tells a `feedd run` on this database to reload, or says how.  A
 * `once` run reads the config at its start: the next one sees it.
 */
void
cmd_notify_daemon(const struct config *cfg)
{
	struct lock_info li;

	if (lock_info_read(cfg->database, &li) == -1 || !li.held) {
		printf("no daemon runs on %s:\n  `feedd once` polls it now, "
		    "`feedd run` (or systemctl start feedd) on its schedule\n",
		    cfg->database);
		return;
	}
	if (strcmp(li.mode, "run") != 0 || li.pid <= 0) {
		printf("a feedd %s (pid %ld) is using the database; the next "
		    "run reads the new config\n", li.mode[0] ? li.mode : "process",
		    (long)li.pid);
		return;
	}
	if (kill(li.pid, SIGHUP) == 0)
		printf("told the running daemon (pid %ld) to reload: SIGHUP "
		    "sent\n", (long)li.pid);
	else
		printf("a daemon runs (pid %ld) but could not be signalled "
		    "(%s): run `systemctl reload feedd` or `kill -HUP %ld`\n",
		    (long)li.pid, strerror(errno), (long)li.pid);
}

static int
write_section(const struct add *a, const char *name, const char *url)
{
	struct buf b;
	int rc;

	buf_init(&b, 0);
	buf_printf(&b, "\n[feed \"%s\"]\nurl = %s\n", name, url);
	if (a->opt->tags) {
		char *t = clean_tags(a->opt->tags);

		if (*t)
			buf_printf(&b, "tags = %s\n", t);
		free(t);
	}
	if (a->opt->interval)
		buf_printf(&b, "interval = %s\n", a->opt->interval);
	rc = feedsd_append(a->cmd, a->cfg->path, a->cfg->dir, ADDED_FILE,
	    "; Feeds added by `feedd add`; edit or remove them freely.\n",
	    buf_str(&b));
	buf_cleanup(&b);
	return rc;
}

/* Adds url (a checked feed) under a fitting name; prints what it did. */
static int
add_feed(struct add *a, const char *url, const char *title,
    const char *format, size_t nitems)
{
	const struct feed_conf *f;
	const char *why;
	char *name;
	int rc = EXIT_RUNTIME;

	if ((why = feedsd_url_refusal(url)) != NULL) {
		cmd_error(a->cmd, "%s: %s", url, why);
		return EXIT_RUNTIME;
	}
	if (refuse_duplicate(a, url) == -1)
		return EXIT_RUNTIME;
	name = pick_name(a, url, title);
	if (*name == '\0') {
		cmd_error(a->cmd, "--name: empty name");
		free(name);
		return EXIT_USAGE;
	}
	if (a->opt->name && (f = config_find_feed(a->cfg, name)) != NULL) {
		/* a duplicate refused, as a URL already there is: 1 */
		cmd_error(a->cmd, "a feed named \"%s\" exists (%s:%d); "
		    "choose another --name", name, f->def.file, f->def.line);
		free(name);
		return EXIT_RUNTIME;
	}
	if (write_section(a, name, url) == 0) {
		char *path = feedsd_path(a->cfg->dir, ADDED_FILE);

		printf("added \"");
		term_put(stdout, name);
		printf("\" to %s\n  ", path);
		term_put(stdout, url);
		printf("\n  %s, %zu items%s", format, nitems, title ? ", \"" : "");
		if (title) {
			term_put(stdout, title);
			putchar('"');
		}
		putchar('\n');
		cmd_notify_daemon(a->cfg);
		free(path);
		rc = EXIT_OK;
	}
	free(name);
	return rc;
}

/*
 * Fetches the page's own candidates, then, when none was a feed, the
 * common paths.  How many candidates the page itself gave.
 */
static size_t
find_feeds(struct add *a, const struct http_page *page,
    struct candidates *c, struct page_hints *h)
{
	size_t tries = 0, guessed = 0, had;
	struct candidates rest;

	discover_html(page->body, page->len, page->url, c, h);
	discover_platform(page->url, h, c);
	verify(a, c, &tries);
	had = c->n;
	/* the common paths have tries of their own, after a dozen dead links */
	if (a->nfound == 0) {
		discover_guesses(page->url, c);
		rest.v = c->v + had;
		rest.n = c->n - had;
		verify(a, &rest, &guessed);
	}
	return had;
}

/* The page was no feed: find, verify and add (or list) its feeds. */
static int
add_discovered(struct add *a, const struct http_page *page)
{
	struct candidates c = { NULL, 0, 0 };
	struct page_hints h = { 0 };
	size_t had = find_feeds(a, page, &c, &h), pick;
	int rc = EXIT_OK;

	if (a->nfound == 0) {
		cmd_error(a->cmd, "no feed found at %s: %s%s, and none of "
		    DISCOVER_GUESS_PATHS " answered with one; give the feed's "
		    "own URL", page->url, had == 0 ? "the page names no feed "
		    "(<link rel=\"alternate\">)" : "none of the feeds the page "
		    "names could be read", had > MAX_TRIES ? " (the first "
		    STR(MAX_TRIES) " tried)" : "");
		rc = EXIT_RUNTIME;
		goto out;
	}
	pick = best(a);
	if (a->nfound > 1 && !a->opt->list)
		printf("found %zu feeds; taking the first marked *\n", a->nfound);
	for (size_t i = 0; i < a->nfound && (a->nfound > 1 || a->opt->list); i++)
		print_found(a, &a->found[i], i == pick ? "* " : "  ");
	if (a->opt->list)
		goto out;
	if (a->nfound > 1)
		printf("(feedd add --list URL shows them; feedd add FEED-URL "
		    "takes another)\n");
	rc = add_feed(a, a->found[pick].cand->url, a->found[pick].title,
	    a->found[pick].format, a->found[pick].nitems);
out:
	page_hints_cleanup(&h);
	candidates_cleanup(&c);
	return rc;
}

static int
add_run(struct add *a, char *url)
{
	struct http_page page;
	struct feed_doc *doc;
	char *why = NULL;
	int rc;

	if (refuse_duplicate(a, url) == -1)
		return EXIT_RUNTIME;
	doc = fetch_feed(a, url, &page, &why);
	if (doc != NULL) {
		if (a->opt->list) {
			struct candidate self = { url, NULL, NULL, NULL,
			    CAND_LINK };

			found_add(a, &self, doc);
			print_found(a, &a->found[0], "* ");
			rc = EXIT_OK;
		} else
			rc = add_feed(a, url, doc->title,
			    feed_format_name(doc->format), doc->nitems);
	} else if (page.body != NULL && page.status >= 200 &&
	    page.status <= 299)
		rc = add_discovered(a, &page);
	else {
		cmd_error(a->cmd, "%s", why ? why : url);
		rc = EXIT_RUNTIME;
	}
	feed_doc_free(doc);
	http_page_cleanup(&page);
	free(why);
	return rc;
}

/*
 * --interval within a feed's bounds, judged as the config will judge it:
 * checked after the fetch, a bad one cost a request and an exit 1.
 */
static int
interval_ok(const char *cmd, const char *value)
{
	const struct config_key *k = config_key_find(SCOPE_FEED, "interval");
	struct feed_conf fc;
	char	*err = NULL;

	memset(&fc, 0, sizeof(fc));
	if (k != NULL && config_key_set(k, &fc, value, &err) == 0)
		return 0;
	cmd_error(cmd, "--interval: %s", err ? err : value);
	free(err);
	return -1;
}

/*
 * "javascript:x", "data:...", "mailto:..." given as the URL: a scheme
 * other than a web one, said at once (it was taken for a host name,
 * "https://javascript:x", and asked of the network).  "host:8080/f" is
 * a host and port.
 */
static int
other_scheme(const char *arg)
{
	size_t n = strcspn(arg, ":/?#.");

	return arg[n] == ':' && n > 0 && !(arg[n + 1] >= '0' &&
	    arg[n + 1] <= '9') && strncasecmp(arg, "feed:", 5) != 0 &&
	    strncasecmp(arg, "http:", 5) != 0 &&
	    strncasecmp(arg, "https:", 6) != 0;
}

/* The URL given: a browser's subscribe link ("feed://h/p"), or "h/p". */
static char *
given_url(const char *arg)
{
	if (strstr(arg, "://") != NULL || strncasecmp(arg, "feed:", 5) == 0)
		return url_from_feed_scheme(arg);
	return xasprintf("https://%s", arg);
}

int
cmd_add(int argc, char **argv, const char *config_path)
{
	struct add_opts opt;
	struct add a;
	int64_t secs;
	char	*url;
	int rc, lock;

	if (add_parse_opts(argc, argv, &opt) == -1)
		return cmd_usage(cmd_find(argv[0]));
	if (opt.interval && units_parse_duration(opt.interval, &secs) == -1) {
		cmd_error(argv[0], "--interval: not a duration (30m, 2h, 1d): %s",
		    opt.interval);
		return EXIT_USAGE;
	}
	if (opt.interval && interval_ok(argv[0], opt.interval) == -1)
		return EXIT_USAGE;
	/* it was cut there without a word */
	if (opt.name && strlen(opt.name) > FEEDSD_NAME_MAX) {
		cmd_error(argv[0], "--name: longer than %d bytes",
		    FEEDSD_NAME_MAX);
		return EXIT_USAGE;
	}
	if (*opt.url == '\0' || strcmp(opt.url, "-") == 0 ||
	    other_scheme(opt.url)) {
		cmd_error(argv[0], "not a web page or feed URL: %s", opt.url);
		return EXIT_USAGE;
	}
	memset(&a, 0, sizeof(a));
	a.cmd = argv[0];
	a.opt = &opt;
	lock = opt.list ? -1 : feedsd_lock(argv[0], config_path);
	if ((a.cfg = cmd_config_load(argv[0], config_path)) == NULL) {
		feedsd_unlock(lock);
		return EXIT_USAGE;
	}
	a.lim.timeout = a.cfg->timeout;
	a.lim.max_size = a.cfg->max_size;
	a.lim.user_agent = a.cfg->user_agent;
	a.lim.allow_private = a.cfg->allow_private;
	url = given_url(opt.url);
	a.lim.origin = url;		/* found links are judged by it too */
	rc = add_run(&a, url);
	free(url);
	for (size_t i = 0; i < a.nfound; i++)
		free(a.found[i].title);
	free(a.found);
	config_free(a.cfg);
	feedsd_unlock(lock);
	return rc;
}
