/*
 * daemon/cmd_opml.c: `import-opml` appends the feeds of an OPML file to
 * feeds.d/imported.conf beside the config (through feedsd.c: atomic,
 * rolled back when the result does not load); `export-opml` prints the
 * configured feeds as OPML 2.0.  The OPML itself is feeds/opml.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libxml/hash.h>

#include "config/config.h"
#include "daemon/cmd.h"
#include "daemon/feedsd.h"
#include "util/xmalloc.h"
#include "util/buf.h"
#include "util/termtext.h"
#include "daemon/fetch.h"
#include "daemon/fetch_addr.h"
#include "feeds/opml.h"
#include "feeds/url.h"

#define NAME_MAX_LEN	FEEDSD_NAME_MAX
#define TAGS_MAX_LEN	FEEDSD_TAGS_MAX

struct import {
	const char *cmd;
	xmlHashTable *names;	/* name -> (unused) */
	xmlHashTable *urls;	/* canonical url -> name holding it */
	xmlHashTable *suffix;	/* name -> the next " (N)" to try (int *) */
	struct buf out;		/* the sections to append */
	size_t	 imported;
	size_t	 skipped;
	int	 allow_private;	/* [daemon] allow_private = yes */
};

/* The URL's host, for feeds the OPML gives no name. */
static char *
url_name(const char *url)
{
	const char *h = strstr(url, "://");

	h = h ? h + 3 : url;
	return xstrndup(h, strcspn(h, "/?#"));
}

static void
free_payload(void *payload, const xmlChar *name)
{
	(void)name;
	free(payload);
}

static void
import_remember(struct import *im, const char *name, const char *url)
{
	char *key = feedsd_url_key(url);
	char *holder = xstrdup(name);

	(void)xmlHashAddEntry(im->names, (const xmlChar *)name, im);
	/* The first holder of a URL stays the one named in reports. */
	if (xmlHashAddEntry(im->urls, (const xmlChar *)key, holder) != 0)
		free(holder);
	free(key);
}

/*
 * name, or "name (2)", "name (3)", ... whichever is not taken yet.  The
 * next N to try is kept per name: counting up from 2 each time, 20,000
 * outlines of one title took 25 s and 100,000 some ten minutes.
 */
static char *
import_unique_name(struct import *im, const char *name)
{
	int *next = xmlHashLookup(im->suffix, (const xmlChar *)name);
	char *n;

	if (!xmlHashLookup(im->names, (const xmlChar *)name))
		return xstrdup(name);
	if (next == NULL) {
		next = xmalloc(sizeof(*next));
		*next = 2;
		(void)xmlHashAddEntry(im->suffix, (const xmlChar *)name, next);
	}
	for (n = NULL; n == NULL || xmlHashLookup(im->names,
	    (const xmlChar *)n); (*next)++) {
		free(n);
		n = xasprintf("%s (%d)", name, *next);
	}
	return n;
}

static void
import_tags(struct buf *out, const struct opml_feed *f)
{
	size_t start = out->len, line;
	int first = 1;

	buf_puts(out, "tags = ");
	line = out->len;
	for (size_t i = 0; i < f->ntags; i++) {
		char *t = feedsd_clean(f->tags[i], 1, 60);

		if (*t != '\0' && out->len - line + strlen(t) + 2 <= TAGS_MAX_LEN) {
			buf_printf(out, "%s%s", first ? "" : ", ", t);
			first = 0;
		}
		free(t);
	}
	if (first)
		out->len = start, out->data[start] = '\0';
	else
		buf_putc(out, '\n');
}

/* Columns of a URL a "skipped" line quotes: a 70 KB one made a 70 KB
 * line. */
#define SKIP_URL_COLS	200

/* "skipped" line: name and URL escaped, so no input forges a line. */
static void
report_skip(const struct import *im, const char *name, const char *url,
    const char *why, const char *holder)
{
	char *n = term_str(name, TERM_ESCAPE), *e = term_str(url, TERM_ESCAPE);
	char *u = term_cut(e, SKIP_URL_COLS);
	char *h = holder ? term_str(holder, TERM_ESCAPE) : NULL;

	if (h != NULL)
		fprintf(stderr, "feedd: %s: skipped \"%s\" <%s>: same URL as "
		    "\"%s\"\n", im->cmd, n, u, h);
	else
		fprintf(stderr, "feedd: %s: skipped \"%s\" <%s>: %s\n", im->cmd,
		    n, u, why);
	free(n);
	free(e);
	free(u);
	free(h);
}

/*
 * Why a URL naming a local host is not imported, or NULL.  A configured
 * feed may reach the private address its own host names (fetch_addr.h),
 * so a list from elsewhere could point the daemon at the metadata
 * service or an intranet page and publish it in feed.xml.  Typed with
 * `add`, or with allow_private = yes, such a feed is the admin's choice.
 */
static const char *
local_refusal(const struct import *im, const char *url)
{
	char	*host;
	int	 local;

	if (im->allow_private)
		return NULL;
	host = fetch_url_host(url);
	local = host != NULL && addr_host_is_local(host);
	free(host);
	return local ? "a local address: `feedd add` it if it is yours, or "
	    "set allow_private = yes" : NULL;
}

static void
import_one(struct import *im, const struct opml_feed *f)
{
	const char *why, *holder;
	char *clean, *name, *key;

	clean = feedsd_clean(f->title ? f->title : "", 0, NAME_MAX_LEN);
	if (*clean == '\0') {
		char *host = url_name(f->xml_url);

		free(clean);
		clean = feedsd_clean(host, 0, NAME_MAX_LEN);
		free(host);
	}
	if ((why = feedsd_url_refusal(f->xml_url)) != NULL ||
	    (why = local_refusal(im, f->xml_url)) != NULL) {
		report_skip(im, clean, f->xml_url, why, NULL);
		im->skipped++;
		free(clean);
		return;
	}
	key = feedsd_url_key(f->xml_url);
	if ((holder = xmlHashLookup(im->urls, (const xmlChar *)key)) != NULL) {
		report_skip(im, clean, f->xml_url, NULL, holder);
		im->skipped++;
		goto out;
	}
	name = import_unique_name(im, clean);
	buf_printf(&im->out, "\n[feed \"%s\"]\nurl = %s\n", name, f->xml_url);
	import_tags(&im->out, f);
	import_remember(im, name, f->xml_url);
	im->imported++;
	free(name);
out:
	free(key);
	free(clean);
}

static void
import_init(struct import *im, const char *cmd, const struct config *cfg)
{
	memset(im, 0, sizeof(*im));
	im->cmd = cmd;
	im->allow_private = cfg->allow_private;
	im->names = xmlHashCreate(0);
	im->urls = xmlHashCreate(0);
	im->suffix = xmlHashCreate(0);
	buf_init(&im->out, 0);
	for (size_t i = 0; i < cfg->nfeeds; i++)
		import_remember(im, cfg->feeds[i].def.name, cfg->feeds[i].url);
}

/* The names and URLs it compared with, once every feed is through. */
static void
import_forget(struct import *im)
{
	xmlHashFree(im->names, NULL);
	xmlHashFree(im->urls, free_payload);
	xmlHashFree(im->suffix, free_payload);
	im->names = im->urls = im->suffix = NULL;
}

static void
import_cleanup(struct import *im)
{
	import_forget(im);
	buf_cleanup(&im->out);
}

int
cmd_import_opml(int argc, char **argv, const char *config_path)
{
	struct config_errors errs = { NULL, 0 };
	struct config *cfg = NULL;
	struct opml_doc *doc = NULL;
	struct import im;
	char *data = NULL, *err = NULL;
	size_t len;
	int rc = EXIT_RUNTIME, lock;

	if (argc != 2 || (argv[1][0] == '-' && argv[1][1] != '\0'))
		return cmd_usage(cmd_find(argv[0]));
	lock = feedsd_lock(argv[0], config_path);
	if ((cfg = config_load(config_path, &errs)) == NULL) {
		feedsd_print_errors(argv[0], &errs);
		feedsd_unlock(lock);
		return EXIT_USAGE;
	}
	config_errors_cleanup(&errs);
	if ((data = feedsd_read(argv[1], &len, &err)) == NULL ||
	    (doc = opml_parse(data, len, &err)) == NULL) {
		cmd_error(argv[0], "%s%s%s", data ? argv[1] : "",
		    data ? ": " : "", err);
		goto out;
	}
	import_init(&im, argv[0], cfg);
	for (size_t i = 0; i < doc->nfeeds; i++)
		import_one(&im, &doc->feeds[i]);
	/* gone before the appended file's check loads the whole config:
	 * 100,000 feeds' list and names held 45 MB of it */
	opml_doc_free(doc);
	doc = NULL;
	free(data);
	data = NULL;
	import_forget(&im);
	if (im.imported == 0 || feedsd_append(argv[0], config_path, cfg->dir,
	    "imported.conf", "; Feeds added by `feedd import-opml`; "
	    "edit or remove them freely.\n", buf_str(&im.out)) == 0) {
		printf("imported %zu feed%s, skipped %zu\n", im.imported,
		    im.imported == 1 ? "" : "s", im.skipped);
		rc = EXIT_OK;
	}
	import_cleanup(&im);
out:
	opml_doc_free(doc);
	config_free(cfg);
	feedsd_unlock(lock);
	free(data);
	free(err);
	return rc;
}

/* Splits "a, b,c" into trimmed, non-empty tags. */
static void
export_tags(struct opml_feed *f, const char *tags)
{
	const char *p = tags;

	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, ",");
		const char *s = p, *e = p + n;

		while (s < e && *s == ' ')
			s++;
		while (e > s && e[-1] == ' ')
			e--;
		if (e > s) {
			f->tags = xreallocarray(f->tags, f->ntags + 1,
			    sizeof(char *));
			f->tags[f->ntags++] = xstrndup(s, (size_t)(e - s));
		}
		p = p[n] ? p + n + 1 : NULL;
	}
}

int
cmd_export_opml(int argc, char **argv, const char *config_path)
{
	struct config_errors errs = { NULL, 0 };
	struct opml_feed *feeds;
	struct config *cfg;
	char *err = NULL;
	int rc = EXIT_OK;

	if (argc != 1)
		return cmd_usage(cmd_find(argv[0]));
	if ((cfg = config_load(config_path, &errs)) == NULL) {
		feedsd_print_errors(argv[0], &errs);
		return EXIT_USAGE;
	}
	config_errors_cleanup(&errs);
	/* names and URLs are the config's, borrowed; the tags are split */
	feeds = xcalloc(cfg->nfeeds + 1, sizeof(*feeds));
	for (size_t i = 0; i < cfg->nfeeds; i++) {
		feeds[i].title = cfg->feeds[i].def.name;
		feeds[i].xml_url = cfg->feeds[i].url;
		export_tags(&feeds[i], cfg->feeds[i].tags);
	}
	if (opml_write(stdout, cfg->title, time(NULL), feeds, cfg->nfeeds,
	    &err) == -1) {
		cmd_error(argv[0], "%s", err);
		rc = EXIT_RUNTIME;
	}
	free(err);
	for (size_t i = 0; i < cfg->nfeeds; i++)
		strv_free(feeds[i].tags, feeds[i].ntags);
	free(feeds);
	config_free(cfg);
	return rc;
}
