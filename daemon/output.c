/*
 * output: renders the configured outputs from the store (Atom, JSON
 * Feed, one Atom feed per alert rule).  Each file is streamed to a
 * temporary file beside it, checked, fsync'd and renamed; a file whose
 * bytes would not change is left alone.  The writers live in feeds/.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/output.h"
#include "daemon/serve.h"
#include "util/fs.h"
#include "util/xmalloc.h"
#include "feeds/atom_out.h"
#include "util/buf.h"
#include "feeds/jsonfeed_out.h"

struct output {
	int64_t	 generation;
	int	 rendered;	/* generation is what the files show */
};

/* What one output file is made of. */
struct output_doc {
	const struct config *cfg;
	const char *title;
	const char *id;
	const char *self;
	struct entry *entries;
	size_t	 n;
};

struct output *
output_new(void)
{
	return xcalloc(1, sizeof(struct output));
}

void
output_free(struct output *out)
{
	free(out);
}

char *
output_rule_filename(const char *rule)
{
	char	*s = xasprintf("%s.xml", rule[0] != '\0' ? rule : "_");
	size_t	 i, n = strlen(s) - 4;

	for (i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '-' ||
		    s[i] == '_' || (s[i] == '.' && i > 0)))
			s[i] = '_';
	return s;
}

static int
write_atom(FILE *fp, const void *arg)
{
	const struct output_doc *d = arg;
	struct atom_meta meta = {
		.id = d->id, .title = d->title, .self = d->self,
		.alternate = NULL, .updated = 0,
	};

	return atom_write(fp, &meta, d->entries, d->n);
}

static char *home_url(const struct config *cfg);

static int
write_json(FILE *fp, const void *arg)
{
	const struct output_doc *d = arg;
	char	*home = home_url(d->cfg);
	struct jsonfeed_meta meta = {
		.title = d->title, .feed_url = d->self, .home_page_url = home,
	};
	int	 rc = jsonfeed_write(fp, &meta, d->entries, d->n);

	free(home);
	return rc;
}

/* file:///path, percent-encoded. */
static char *
file_url(const char *path)
{
	struct buf b;
	const unsigned char *p;

	buf_init(&b, 0);
	buf_puts(&b, "file://");
	for (p = (const unsigned char *)path; *p != '\0'; p++) {
		if (isalnum(*p) || strchr("/-._~", *p))
			buf_putc(&b, (char)*p);
		else
			buf_printf(&b, "%%%02X", *p);
	}
	return buf_detach(&b);
}

/*
 * The public address of the Atom feed: [output] url, else the HTTP
 * server's /feed.xml when it runs; NULL when neither is set.
 */
static char *
public_url(const struct config *cfg)
{
	char	*host = NULL, *url;
	int	 port;

	if (cfg->output_url != NULL)
		return xstrdup(cfg->output_url);
	if (cfg->listen == NULL ||
	    config_parse_listen(cfg->listen, &host, &port) == -1)
		return NULL;
	url = xasprintf(strchr(host, ':') ? "http://[%s]:%d/feed.xml" :
	    "http://%s:%d/feed.xml", host, port);
	free(host);
	return url;
}

/*
 * Where readers find a file: urlpath ("/feed.xml", "/alerts/x.xml")
 * beside the public Atom URL, whose last segment it replaces; the
 * file: URL of the file when nothing is public.
 */
static char *
self_url(const struct config *cfg, const char *urlpath, const char *file)
{
	char	*pub = public_url(cfg), *url, *slash;

	if (pub == NULL)
		return file_url(file);
	if (strcmp(urlpath, "/feed.xml") == 0)
		return pub;
	slash = strrchr(pub, '/');
	*slash = '\0';		/* url_ok: there is one after the scheme */
	url = xasprintf("%s%s", pub, urlpath);
	free(pub);
	return url;
}

/* The folder of the public URL, for JSON Feed's home_page_url. */
static char *
home_url(const struct config *cfg)
{
	char	*pub = public_url(cfg);

	if (pub != NULL)
		strrchr(pub, '/')[1] = '\0';
	return pub;
}

static int
load_entries(struct store *st, const struct config *cfg, const char *rule,
    struct output_doc *d, char **errstr)
{
	struct story_row *rows = NULL;
	size_t	 nrows = 0;

	if (store_stories_newest(st, NULL, rule, cfg->max_entries, &rows,
	    &nrows) == -1) {
		*errstr = xasprintf("reading stories: %s", store_errmsg(st));
		return -1;
	}
	d->entries = entries_prepare(rows, nrows, &d->n);
	story_rows_free(rows, nrows);
	return 0;
}

static int
render_main(struct store *st, const struct config *cfg, char **errstr)
{
	struct output_doc d = { .cfg = cfg, .title = cfg->title };
	char	*id, *self;
	int	 rc;

	if (load_entries(st, cfg, NULL, &d, errstr) == -1)
		return -1;
	id = entry_tag_uri("feed", cfg->atom_path ? cfg->atom_path :
	    cfg->json_path);
	d.id = id;
	rc = 0;
	if (cfg->atom_path != NULL) {
		d.self = self = self_url(cfg, "/feed.xml", cfg->atom_path);
		rc = fs_write_atomic(cfg->atom_path, write_atom, &d,
		    FS_MKDIR | FS_KEEP_SAME, errstr);
		free(self);
	}
	if (rc == 0 && cfg->json_path != NULL) {
		d.self = self = self_url(cfg, "/feed.json", cfg->json_path);
		rc = fs_write_atomic(cfg->json_path, write_json, &d,
		    FS_MKDIR | FS_KEEP_SAME, errstr);
		free(self);
	}
	free(id);
	entries_free(d.entries, d.n);
	return rc;
}

static int
render_rule(struct store *st, const struct config *cfg,
    const struct rule_conf *rule, char **errstr)
{
	struct output_doc d = { .cfg = cfg };
	char	*name, *path, *urlpath, *title;
	int	 rc;

	if (load_entries(st, cfg, rule->name, &d, errstr) == -1)
		return -1;
	name = output_rule_filename(rule->name);
	path = xasprintf("%s/%s", cfg->alert_feeds_dir, name);
	urlpath = xasprintf("/alerts/%s", name);
	d.title = title = xasprintf("feedd alerts: %s", rule->name);
	d.self = self_url(cfg, urlpath, path);
	d.id = entry_tag_uri("alerts", rule->name);
	rc = fs_write_atomic(path, write_atom, &d,
		    FS_MKDIR | FS_KEEP_SAME, errstr);
	free((char *)d.self);
	free((char *)d.id);
	free(title);
	free(urlpath);
	free(path);
	free(name);
	entries_free(d.entries, d.n);
	return rc;
}

int
output_render(struct output *out, struct store *st, const struct config *cfg,
    int force, char **errstr)
{
	int64_t	 gen = store_generation(st);
	size_t	 i;

	if (!force && out->rendered && gen == out->generation)
		return 0;
	out->rendered = 0;
	if ((cfg->atom_path != NULL || cfg->json_path != NULL) &&
	    render_main(st, cfg, errstr) == -1)
		return -1;
	if (cfg->alert_feeds_dir != NULL) {
		if (fs_mkdir_p(cfg->alert_feeds_dir) == -1) {
			*errstr = xasprintf("%s: %s", cfg->alert_feeds_dir,
			    strerror(errno));
			return -1;
		}
		for (i = 0; i < cfg->nrules; i++)
			if (render_rule(st, cfg, &cfg->rules[i], errstr) == -1)
				return -1;
	}
	out->generation = gen;
	out->rendered = 1;
	return 0;
}
