/*
 * daemon/cmd_opml.c: `import-opml` appends the feeds of an OPML file to
 * feeds.d/imported.conf beside the config (atomically, rolled back when
 * the result does not load); `export-opml` prints the configured feeds
 * as OPML 2.0.  The OPML itself is feeds/opml.c's business.
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
#include "util/fs.h"
#include "util/xmalloc.h"
#include "util/buf.h"
#include "feeds/opml.h"
#include "feeds/url.h"

#define OPML_MAX_FILE	(16 * 1024 * 1024)
/*
 * inih reads lines of at most 200 bytes (INI_MAX_LINE); these caps keep
 * every line written well inside it.
 */
#define NAME_MAX_LEN	120
#define URL_MAX_LEN	180
#define TAGS_MAX_LEN	180

struct import {
	const char *cmd;
	xmlHashTable *names;	/* name -> (unused) */
	xmlHashTable *urls;	/* canonical url -> name holding it */
	struct buf out;		/* the sections to append */
	size_t	 imported;
	size_t	 skipped;
};

static char *
read_input(const char *path, size_t *len, char **errstr)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	struct buf b;
	char chunk[8192];
	size_t n;

	*errstr = NULL;
	if (fp == NULL) {
		*errstr = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	buf_init(&b, OPML_MAX_FILE);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (buf_append(&b, chunk, n) == -1) {
			*errstr = xasprintf("%s: larger than 16 MB", path);
			break;
		}
	if (*errstr == NULL && ferror(fp))
		*errstr = xasprintf("%s: %s", path, strerror(errno));
	if (fp != stdin)
		fclose(fp);
	if (*errstr != NULL) {
		buf_cleanup(&b);
		return NULL;
	}
	*len = b.len;
	return buf_detach(&b);
}

/* Cuts s to at most max bytes without splitting a UTF-8 sequence. */
static void
utf8_cut(char *s, size_t max)
{
	size_t len = strlen(s);

	if (len <= max)
		return;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	s[max] = '\0';
	while (max > 0 && s[max - 1] == ' ')
		s[--max] = '\0';
}

/*
 * Makes s safe inside an INI line: inih would read " ;" as a comment,
 * "]" as the end of the section, a quote as the end of the name, and a
 * newline as the next line.  Those are replaced by look-alikes, white
 * space collapsed and trimmed.  In a tag, commas separate tags, so they
 * go too.  Returns a new string, maybe empty.
 */
static char *
ini_clean(const char *s, int is_tag, size_t max)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;
	int space = 1;	/* drops leading white space */

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f || c == ' ')
			c = ' ';
		else if (c == '"')
			c = '\'';
		else if (c == '[')
			c = '(';
		else if (c == ']')
			c = ')';
		else if (c == '\\')
			c = '/';
		else if (c == ';' || c == ',')
			c = is_tag ? ' ' : ',';
		if (c == ' ' && space)
			continue;
		space = c == ' ';
		*o++ = (char)c;
	}
	while (o > out && o[-1] == ' ')
		o--;
	*o = '\0';
	utf8_cut(out, max);
	return out;
}

/* NULL when url can go into the config, else why not. */
static const char *
url_refusal(const char *url)
{
	if (strncasecmp(url, "http://", 7) != 0 &&
	    strncasecmp(url, "https://", 8) != 0)
		return "not an http(s) URL";
	if (url[strcspn(url, ":") + 3] == '\0' ||
	    url[strcspn(url, ":") + 3] == '/')
		return "URL without a host";
	if (strlen(url) > URL_MAX_LEN)
		return "URL longer than 180 bytes";
	for (const char *p = url; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '"')
			return "URL with white space or control characters";
	return NULL;
}

/* The URL's host, for feeds the OPML gives no name. */
static char *
url_name(const char *url)
{
	const char *h = strstr(url, "://");

	h = h ? h + 3 : url;
	return xstrndup(h, strcspn(h, "/?#"));
}

static char *
url_key(const char *url)
{
	char *k = url_canonical(url);

	return k ? k : xstrdup(url);
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
	char *key = url_key(url);
	char *holder = xstrdup(name);

	(void)xmlHashAddEntry(im->names, (const xmlChar *)name, im);
	/* The first holder of a URL stays the one named in reports. */
	if (xmlHashAddEntry(im->urls, (const xmlChar *)key, holder) != 0)
		free(holder);
	free(key);
}

/* name, or "name (2)", "name (3)", ... whichever is not taken yet. */
static char *
import_unique_name(struct import *im, const char *name)
{
	char *n = xstrdup(name);

	for (int i = 2; xmlHashLookup(im->names, (const xmlChar *)n); i++) {
		free(n);
		n = xasprintf("%s (%d)", name, i);
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
		char *t = ini_clean(f->tags[i], 1, 60);

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

static void
import_one(struct import *im, const struct opml_feed *f)
{
	const char *why, *holder;
	char *clean, *name, *key;

	clean = ini_clean(f->title ? f->title : "", 0, NAME_MAX_LEN);
	if (*clean == '\0') {
		char *host = url_name(f->xml_url);

		free(clean);
		clean = ini_clean(host, 0, NAME_MAX_LEN);
		free(host);
	}
	if ((why = url_refusal(f->xml_url)) != NULL) {
		fprintf(stderr, "feedd: %s: skipped \"%s\" <%s>: %s\n",
		    im->cmd, clean, f->xml_url, why);
		im->skipped++;
		free(clean);
		return;
	}
	key = url_key(f->xml_url);
	if ((holder = xmlHashLookup(im->urls, (const xmlChar *)key)) != NULL) {
		fprintf(stderr, "feedd: %s: skipped \"%s\" <%s>: "
		    "same URL as \"%s\"\n", im->cmd, clean, f->xml_url, holder);
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
print_config_errors(const char *cmd, struct config_errors *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		fprintf(stderr, "feedd: %s: %s\n", cmd, errs->msgs[i]);
	config_errors_cleanup(errs);
}

static void
import_init(struct import *im, const char *cmd, const struct config *cfg)
{
	memset(im, 0, sizeof(*im));
	im->cmd = cmd;
	im->names = xmlHashCreate(0);
	im->urls = xmlHashCreate(0);
	buf_init(&im->out, 0);
	for (size_t i = 0; i < cfg->nfeeds; i++)
		import_remember(im, cfg->feeds[i].name, cfg->feeds[i].url);
}

static void
import_cleanup(struct import *im)
{
	xmlHashFree(im->names, NULL);
	xmlHashFree(im->urls, free_payload);
	buf_cleanup(&im->out);
}

/*
 * The old imported.conf (NULL when there is none; *len set) into *old,
 * and the new text, old + im's sections, into b.  0, or -1 when the
 * old one cannot be read.
 */
static int
import_compose(struct import *im, const char *path, char **old,
    size_t *len, struct buf *b)
{
	char *err = NULL;

	*old = NULL;
	if (access(path, F_OK) == 0 &&
	    (*old = read_input(path, len, &err)) == NULL) {
		fprintf(stderr, "feedd: %s: %s\n", im->cmd, err);
		free(err);
		return -1;
	}
	if (*old != NULL) {
		buf_append(b, *old, *len);
		if (b->len > 0 && b->data[b->len - 1] != '\n')
			buf_putc(b, '\n');
	} else
		buf_puts(b, "; Feeds added by `feedd import-opml`; "
		    "edit or remove them freely.\n");
	buf_puts(b, buf_str(&im->out));
	return 0;
}

/*
 * Appends im's sections to feeds.d/imported.conf, then loads the config
 * again; when that fails the old file comes back.  0, or -1 with the
 * reasons printed.
 */
static int
import_commit(struct import *im, const char *config_path, const char *dir)
{
	char *fdir = xasprintf("%s/feeds.d", dir);
	char *path = xasprintf("%s/imported.conf", fdir), *err = NULL;
	char *old = NULL;
	size_t oldlen = 0;
	struct config_errors errs = { NULL, 0 };
	struct config *cfg;
	struct buf b;
	int rc = -1;

	buf_init(&b, 0);
	if (import_compose(im, path, &old, &oldlen, &b) == -1)
		goto out;
	if (fs_write_file(path, b.data, b.len, FS_MKDIR, &err) == -1) {
		fprintf(stderr, "feedd: %s: %s\n", im->cmd,
		    err ? err : strerror(errno));
		goto out;
	}
	if ((cfg = config_load(config_path, &errs)) == NULL) {
		print_config_errors(im->cmd, &errs);
		fprintf(stderr, "feedd: %s: the result does not load; "
		    "%s left as it was\n", im->cmd, path);
		if (old != NULL)
			(void)fs_write_file(path, old, oldlen, 0, &err);
		else
			(void)unlink(path);
		goto out;
	}
	config_free(cfg);
	config_errors_cleanup(&errs);
	rc = 0;
out:
	buf_cleanup(&b);
	free(err);
	free(old);
	free(path);
	free(fdir);
	return rc;
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
	int rc = EXIT_RUNTIME;

	if (argc != 2 || (argv[1][0] == '-' && argv[1][1] != '\0'))
		return cmd_usage(cmd_find(argv[0]));
	if ((cfg = config_load(config_path, &errs)) == NULL) {
		print_config_errors(argv[0], &errs);
		return EXIT_USAGE;
	}
	config_errors_cleanup(&errs);
	if ((data = read_input(argv[1], &len, &err)) == NULL ||
	    (doc = opml_parse(data, len, &err)) == NULL) {
		cmd_error(argv[0], "%s%s%s", data ? argv[1] : "",
		    data ? ": " : "", err);
		goto out;
	}
	import_init(&im, argv[0], cfg);
	for (size_t i = 0; i < doc->nfeeds; i++)
		import_one(&im, &doc->feeds[i]);
	if (im.imported == 0 ||
	    import_commit(&im, config_path, cfg->dir) == 0) {
		printf("imported %zu feed%s, skipped %zu\n", im.imported,
		    im.imported == 1 ? "" : "s", im.skipped);
		rc = EXIT_OK;
	}
	import_cleanup(&im);
out:
	opml_doc_free(doc);
	config_free(cfg);
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
	struct opml_doc *doc;
	struct config *cfg;
	char *err = NULL;
	int rc = EXIT_OK;

	if (argc != 1)
		return cmd_usage(cmd_find(argv[0]));
	if ((cfg = config_load(config_path, &errs)) == NULL) {
		print_config_errors(argv[0], &errs);
		return EXIT_USAGE;
	}
	config_errors_cleanup(&errs);
	doc = xcalloc(1, sizeof(*doc));
	doc->feeds = xcalloc(cfg->nfeeds + 1, sizeof(*doc->feeds));
	for (size_t i = 0; i < cfg->nfeeds; i++, doc->nfeeds++) {
		doc->feeds[i].title = xstrdup(cfg->feeds[i].name);
		doc->feeds[i].xml_url = xstrdup(cfg->feeds[i].url);
		export_tags(&doc->feeds[i], cfg->feeds[i].tags);
	}
	if (opml_write(stdout, cfg->title, time(NULL), doc->feeds,
	    doc->nfeeds, &err) == -1) {
		cmd_error(argv[0], "%s", err);
		rc = EXIT_RUNTIME;
	}
	free(err);
	opml_doc_free(doc);
	config_free(cfg);
	return rc;
}
