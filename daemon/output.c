/*
 * output: renders the configured outputs from the store (Atom, JSON
 * Feed, one Atom feed per alert rule).  Each file is streamed to a
 * temporary file beside it, checked, fsync'd and renamed; a file whose
 * bytes would not change is left alone.  The writers live in feeds/.
 *
 * The files are written only when they would change: the database
 * keeps the store generation they were written at and a fingerprint
 * of what else shapes them (meta 'output_gen', 'output_conf'), so a
 * `feedd once` or a restart with nothing new reads two numbers and
 * writes nothing, as a running daemon does between changes.
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
#include "daemon/xmalloc.h"
#include "feeds/atom_out.h"
#include "feeds/buf.h"
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
	struct atom_entry *entries;
	size_t	 n;
};

typedef int (*output_write_fn)(FILE *, const struct output_doc *);

#define MARK_GEN	"output_gen"
#define MARK_CONF	"output_conf"

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

/* mkdir -p; 0 or -1 with errno. */
static int
make_dirs(const char *dir)
{
	char	*p = xstrdup(dir), *s;
	int	 rc = 0;

	for (s = p + 1; rc == 0; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, 0755) == -1 && errno != EEXIST)
			rc = -1;
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return rc;
}

/* Whether the files at a and b hold the same bytes. */
static int
same_bytes(const char *a, const char *b)
{
	FILE	*fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	char	 ba[65536], bb[65536];
	size_t	 na, nb;
	int	 same = fa != NULL && fb != NULL;

	while (same) {
		na = fread(ba, 1, sizeof(ba), fa);
		nb = fread(bb, 1, sizeof(bb), fb);
		if (na != nb || memcmp(ba, bb, na) != 0)
			same = 0;
		else if (na == 0)
			break;
	}
	if (fa != NULL)
		fclose(fa);
	if (fb != NULL)
		fclose(fb);
	return same;
}

static void
sync_dir(const char *dir)
{
	int	 fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd != -1) {
		fsync(fd);
		close(fd);
	}
}

/* Streams fn's output to a temporary file, then into place at path. */
static int
write_atomic(const char *path, output_write_fn fn, const struct output_doc *d,
    char **errstr)
{
	char	*dcopy = xstrdup(path), *dir = dirname(dcopy), *tmp;
	FILE	*fp = NULL;
	int	 fd, rc = -1;

	tmp = xasprintf("%s/.%s.XXXXXX", dir, strrchr(path, '/') ?
	    strrchr(path, '/') + 1 : path);
	if (make_dirs(dir) == -1 || (fd = mkstemp(tmp)) == -1) {
		*errstr = xasprintf("%s: %s", path, strerror(errno));
		goto out;
	}
	fchmod(fd, 0644);
	if ((fp = fdopen(fd, "w")) == NULL)
		close(fd);
	if (fp == NULL || fn(fp, d) == -1 || fflush(fp) != 0 || ferror(fp) ||
	    fsync(fileno(fp)) == -1) {
		*errstr = xasprintf("%s: writing %s: %s", path, tmp,
		    strerror(errno));
		goto out;
	}
	if (same_bytes(tmp, path))
		rc = 0;			/* left untouched */
	else if (rename(tmp, path) == -1)
		*errstr = xasprintf("%s: %s", path, strerror(errno));
	else {
		sync_dir(dir);
		rc = 0;
	}
out:
	if (fp != NULL)
		fclose(fp);
	unlink(tmp);		/* ENOENT once renamed */
	free(tmp);
	free(dcopy);
	return rc;
}

static int
write_atom(FILE *fp, const struct output_doc *d)
{
	struct atom_meta meta = {
		.id = d->id, .title = d->title, .self = d->self,
		.alternate = NULL, .updated = 0,
	};

	return atom_write(fp, &meta, d->entries, d->n);
}

static int
write_json(FILE *fp, const struct output_doc *d)
{
	struct jsonfeed_meta meta = {
		.title = d->title, .feed_url = d->self, .home_page_url = NULL,
	};

	return jsonfeed_write(fp, &meta, d->entries, d->n);
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

/* Where readers find the file: on the HTTP server when it runs. */
static char *
self_url(const struct config *cfg, const char *urlpath, const char *file)
{
	char	*host = NULL, *url;
	int	 port;

	if (cfg->listen == NULL ||
	    serve_parse_listen(cfg->listen, &host, &port) == -1)
		return file_url(file);
	url = xasprintf(strchr(host, ':') ? "http://[%s]:%d%s" :
	    "http://%s:%d%s", host, port, urlpath);
	free(host);
	return url;
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
	d->entries = atom_entries_prepare(rows, nrows, &d->n);
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
	id = atom_tag_uri("feed", cfg->atom_path ? cfg->atom_path :
	    cfg->json_path);
	d.id = id;
	rc = 0;
	if (cfg->atom_path != NULL) {
		d.self = self = self_url(cfg, "/feed.xml", cfg->atom_path);
		rc = write_atomic(cfg->atom_path, write_atom, &d, errstr);
		free(self);
	}
	if (rc == 0 && cfg->json_path != NULL) {
		d.self = self = self_url(cfg, "/feed.json", cfg->json_path);
		rc = write_atomic(cfg->json_path, write_json, &d, errstr);
		free(self);
	}
	free(id);
	atom_entries_free(d.entries, d.n);
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
	d.id = atom_tag_uri("alerts", rule->name);
	rc = write_atomic(path, write_atom, &d, errstr);
	free((char *)d.self);
	free((char *)d.id);
	free(title);
	free(urlpath);
	free(path);
	free(name);
	atom_entries_free(d.entries, d.n);
	return rc;
}

static void
fp_add(uint64_t *h, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "\x01");

	for (; *p; p++) {
		*h ^= *p;
		*h *= 0x100000001b3ULL;
	}
	*h ^= 0xff;			/* ends the field: "ab","c" != "a","bc" */
	*h *= 0x100000001b3ULL;
}

/* What shapes the files besides the stories (FNV-1a, as an int64). */
static int64_t
fingerprint(const struct config *cfg)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	char n[32];

	fp_add(&h, FEEDD_VERSION);	/* the writers may change */
	fp_add(&h, cfg->atom_path);
	fp_add(&h, cfg->json_path);
	fp_add(&h, cfg->title);
	fp_add(&h, cfg->listen);
	fp_add(&h, cfg->alert_feeds_dir);
	snprintf(n, sizeof(n), "%d", cfg->max_entries);
	fp_add(&h, n);
	for (size_t i = 0; cfg->alert_feeds_dir && i < cfg->nrules; i++)
		fp_add(&h, cfg->rules[i].name);
	return (int64_t)h;
}

static int
exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/* Whether every file is there as the database says it was written. */
static int
files_current(struct store *st, const struct config *cfg, int64_t gen)
{
	int64_t g, c;
	int ok;

	if (store_mark_get(st, MARK_GEN, &g) != 0 || g != gen ||
	    store_mark_get(st, MARK_CONF, &c) != 0 || c != fingerprint(cfg))
		return 0;
	ok = (cfg->atom_path == NULL || exists(cfg->atom_path)) &&
	    (cfg->json_path == NULL || exists(cfg->json_path));
	for (size_t i = 0; ok && cfg->alert_feeds_dir && i < cfg->nrules; i++) {
		char *name = output_rule_filename(cfg->rules[i].name);
		char *path = xasprintf("%s/%s", cfg->alert_feeds_dir, name);

		ok = exists(path);
		free(path);
		free(name);
	}
	return ok;
}

static int
render_all(struct store *st, const struct config *cfg, char **errstr)
{
	size_t	 i;

	if ((cfg->atom_path != NULL || cfg->json_path != NULL) &&
	    render_main(st, cfg, errstr) == -1)
		return -1;
	if (cfg->alert_feeds_dir != NULL) {
		if (make_dirs(cfg->alert_feeds_dir) == -1) {
			*errstr = xasprintf("%s: %s", cfg->alert_feeds_dir,
			    strerror(errno));
			return -1;
		}
		for (i = 0; i < cfg->nrules; i++)
			if (render_rule(st, cfg, &cfg->rules[i], errstr) == -1)
				return -1;
	}
	return 0;
}

int
output_render(struct output *out, struct store *st, const struct config *cfg,
    int force, char **errstr)
{
	int64_t	 gen = store_generation(st);

	if (!force && out->rendered && gen == out->generation)
		return 0;
	if (!force && !out->rendered && files_current(st, cfg, gen)) {
		out->generation = gen;
		out->rendered = 1;
		return 0;
	}
	out->rendered = 0;
	if (render_all(st, cfg, errstr) == -1)
		return -1;
	/* a mark that cannot be saved only costs a render next time */
	if (store_mark_set(st, MARK_GEN, gen) == -1 ||
	    store_mark_set(st, MARK_CONF, fingerprint(cfg)) == -1)
		store_mark_set(st, MARK_GEN, -1);
	out->generation = gen;
	out->rendered = 1;
	return 0;
}

