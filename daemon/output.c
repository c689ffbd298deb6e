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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon/output.h"
#include "daemon/serve.h"
#include "util/fs.h"
#include "util/hash.h"
#include "util/spillset.h"
#include "util/xmalloc.h"
#include "feeds/atom_out.h"
#include "feeds/iri.h"
#include "util/buf.h"
#include "feeds/jsonfeed_out.h"

struct output {
	int64_t	 generation;
	int	 rendered;	/* generation is what the files show */
};

/*
 * One output file being written (util/fs.h): a temporary file beside
 * path, put in place by sink_close when its bytes differ from what is
 * there.
 */
struct sink {
	const char *path;
	struct fs_atomic *a;
	FILE	*fp;
	int	 json;		/* JSON Feed, else Atom */
	struct atom_meta am;
	struct jsonfeed_meta jm;
	struct buf text;	/* entries not yet handed to fp */
};

/*
 * Entries go to stdio in runs of up to this many bytes: text is a
 * window of this size that drains when full, within an entry too, so a
 * 1 MB content does not leave it at 2 MB for the rest of the render.
 */
#define SINK_RUN	(1 << 16)

/* buf_drain_fn: the sink's entries so far, to its file (fs_flush
 * tells a failed write at the end). */
static void
sink_write(const char *data, size_t len, void *arg)
{
	fwrite(data, 1, len, arg);
}

/*
 * What one pass over the stories writes to one or more sinks.  Entries
 * are prepared and written one at a time, where the whole list of rows
 * and entries once took ~10 KB per entry; the links and ids seen (two
 * or three keys an entry) are in a spillset, whose memory stays the
 * same (~70 KB) past some 1,000 entries (a table in memory grew to
 * 3 MB at 100,000).
 */
struct stream {
	struct store *st;		/* keeps the HTML made (render cache) */
	struct sink *sinks;
	size_t	 nsinks;
	struct spillset *seen;	/* links and ids (hash_of) */
	int	 seen_errno;	/* why seen failed, else 0 */
	size_t	 n;
	int	 head;		/* the heads are written */
	int64_t	 now;		/* of the whole pass (entry dates) */
};

#define MARK_GEN	"output_gen"
#define MARK_CONF	"output_conf"
#define MARK_FAILED	"output_failed"	/* first failure since a success */

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

static char *home_url(const struct config *cfg);

static int
sink_open(struct sink *k, char **errstr)
{
	/* an output linked into a web root stays linked */
	if ((k->a = fs_atomic_open(k->path, FS_MKDIR | FS_KEEP_SAME |
	    FS_FOLLOW_LINK, errstr)) == NULL)
		return -1;
	k->fp = fs_atomic_fp(k->a);
	buf_set_drain(&k->text, SINK_RUN, sink_write, k->fp);
	return 0;
}

/* ok: every write went well; the file goes in place unless unchanged. */
static int
sink_close(struct sink *k, int ok, char **errstr)
{
	int	 rc;

	if (k->a == NULL)
		return -1;
	rc = fs_atomic_close(k->a, ok, errstr);
	k->a = NULL;
	k->fp = NULL;
	return rc;
}

/*
 * A link's or an id's key in the one set both share: the same string
 * as a link and as an id are different keys.  A 64-bit hash stands for
 * the string: two different links or ids colliding (odds ~n^2 / 2^64)
 * would only drop or retag one entry.
 */
enum seen_kind { SEEN_LINK, SEEN_ID };

static uint64_t
hash_of(enum seen_kind kind, const char *s)
{
	uint64_t h = hash_str(s);

	return kind == SEEN_ID ? hash_add(h, "\001", 1) : h;
}

/* Adds s's key to the seen set: 1 when it was there already, 0 when
 * not, -1 when the set failed (w->seen_errno). */
static int
seen_add(struct stream *w, enum seen_kind kind, const char *s)
{
	int	 rc = spillset_add(w->seen, hash_of(kind, s));

	if (rc == -1)
		w->seen_errno = errno;
	return rc;
}

static void
write_heads(struct stream *w, int64_t updated)
{
	for (size_t i = 0; i < w->nsinks; i++) {
		struct sink *k = &w->sinks[i];

		if (k->json)
			jsonfeed_write_head(k->fp, &k->jm);
		else
			atom_write_head(k->fp, &k->am, updated);
	}
	w->head = 1;
}

/*
 * The entry of a row read from the render cache whose kept HTML does
 * not fit (the sanitizer or the entry's base changed): made again from
 * the item's own HTML.
 */
static int
remake(struct stream *w, const struct story_row *r, struct entry *e,
    struct story_html *made)
{
	struct story_row full = *r;	/* shallow: only the HTML differs */
	int	 rc;

	full.html.row_kept = 0;
	/* r's, not full's: entry_prepare takes only HTML that fits */
	full.html.content = full.html.summary = full.html.summary_text = NULL;
	if (store_story_raw(w->st, r->item_id, &full.summary,
	    &full.content, &full.content_base) == -1)
		return -1;
	rc = entry_prepare(e, &full, w->now, made);
	free(full.summary);
	free(full.content);
	free(full.content_base);
	return rc;
}

/*
 * The entry's id is the one the outputs gave its story first: readers
 * know an entry by it, and one that changed showed the story twice.
 * A story shown for the first time keeps the id worked out now, unless
 * an earlier story shows it (the same source id in two stories): then
 * an id of its own.  Where it cannot be kept (a read-only or full
 * database) the id is the one worked out, as the seen set allows.
 */
static void
entry_keep_id(struct stream *w, const struct story_row *r, struct entry *e)
{
	if (r->shown_id != NULL) {
		free(e->id);
		e->id = xstrdup(r->shown_id);
		return;
	}
	if (store_story_claim_id(w->st, r->story_id, e->id) == 1) {
		entry_retag(e, r->story_id);
		(void)store_story_claim_id(w->st, r->story_id, e->id);
	}
}

/*
 * store_story_fn: one story into every sink, as entries_prepare makes
 * it: the same id twice gets an id of its own; a link an earlier entry
 * has is link_shared.  As the stories come newest first (by the date
 * the entry shows), the first entry's date is the feed's.
 */
static int
stream_story(struct story_row *r, void *arg)
{
	struct stream *w = arg;
	struct entry e;
	struct story_html made;
	int	 rc;

	if (entry_prepare(&e, r, w->now, &made) == -1 &&
	    remake(w, r, &e, &made) == -1)
		return -1;
	/* kept for the next render; one not kept is made again then */
	if (made.key != 0)
		(void)store_html_put(w->st, r, &made);
	story_html_cleanup(&made);
	entry_keep_id(w, r, &e);
	if ((rc = seen_add(w, SEEN_ID, e.id)) == 1) {
		entry_retag(&e, r->story_id);
		rc = seen_add(w, SEEN_ID, e.id);
	}
	if (rc != -1 && e.link != NULL &&
	    (rc = seen_add(w, SEEN_LINK, e.link)) == 1)
		e.link_shared = 1;
	if (rc == -1) {
		entry_cleanup(&e);
		return -1;
	}
	if (!w->head)
		write_heads(w, e.updated);
	for (size_t i = 0; i < w->nsinks; i++) {
		struct sink *k = &w->sinks[i];

		if (k->json)
			jsonfeed_put_item(&k->text, &e, w->n);
		else
			atom_put_entry(&k->text, &e);
	}
	w->n++;
	entry_cleanup(&e);
	return 0;
}

/*
 * Writes the stories (rule: those that alerted on it; NULL: all) to
 * every sink in one pass over the store.
 */
static int
stream_all(struct store *st, const struct config *cfg, const char *rule,
    struct sink *sinks, size_t nsinks, char **errstr)
{
	struct stream w = { st, sinks, nsinks, spillset_new(0), 0, 0, 0,
	    (int64_t)time(NULL) };
	size_t	 i, opened = 0;
	int	 ok = 1, rc = 0;

	for (i = 0; i < nsinks && ok; i++, opened++)
		ok = sink_open(&sinks[i], errstr) == 0;
	if (ok && store_stories_each(st, rule, cfg->max_entries, w.now,
	    stream_story, &w) == -1) {
		/* the file being written: a rule's, or the outputs' */
		*errstr = w.seen_errno != 0 ? xasprintf("%s: the written links"
		    " and ids' temporary file (" FS_TMP_WHERE "): %s",
		    sinks[0].path, strerror(w.seen_errno)) :
		    xasprintf("%s: reading stories: %s", sinks[0].path,
		    store_errmsg(st));
		ok = 0;
	}
	if (ok && !w.head)
		write_heads(&w, 0);
	for (i = 0; ok && i < nsinks; i++) {
		buf_drain(&sinks[i].text);
		if (sinks[i].json)
			jsonfeed_write_tail(sinks[i].fp, w.n);
		else
			atom_write_tail(sinks[i].fp);
		ok = fs_flush(sinks[i].fp) == 0;
	}
	for (i = 0; i < opened; i++)
		if (sink_close(&sinks[i], ok, errstr) == -1)
			rc = -1;
	spillset_free(w.seen);
	for (i = 0; i < nsinks; i++)
		buf_cleanup(&sinks[i].text);
	return ok ? rc : -1;
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
	pub = iri_encode(url);	/* a rule's name in another script */
	free(url);
	return pub;
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
render_main(struct store *st, const struct config *cfg, char **errstr)
{
	struct sink sinks[2];
	char	*id, *self[2] = { NULL, NULL }, *home = home_url(cfg);
	size_t	 n = 0;
	int	 rc;

	memset(sinks, 0, sizeof(sinks));
	id = entry_tag_uri("feed", cfg->atom_path ? cfg->atom_path :
	    cfg->json_path);
	if (cfg->atom_path != NULL) {
		self[n] = self_url(cfg, "/feed.xml", cfg->atom_path);
		sinks[n].path = cfg->atom_path;
		sinks[n].am = (struct atom_meta){ .id = id, .title = cfg->title,
		    .self = self[n], .alternate = NULL, .updated = 0 };
		n++;
	}
	if (cfg->json_path != NULL) {
		self[n] = self_url(cfg, "/feed.json", cfg->json_path);
		sinks[n].path = cfg->json_path;
		sinks[n].json = 1;
		sinks[n].jm = (struct jsonfeed_meta){ .title = cfg->title,
		    .feed_url = self[n], .home_page_url = home };
		n++;
	}
	rc = stream_all(st, cfg, NULL, sinks, n, errstr);
	free(home);
	free(self[0]);
	free(self[1]);
	free(id);
	return rc;
}

static int
render_rule(struct store *st, const struct config *cfg,
    const struct rule_conf *rule, char **errstr)
{
	struct sink k;
	char	*path, *urlpath, *title, *self, *id;
	int	 rc;

	memset(&k, 0, sizeof(k));
	path = xasprintf("%s/%s", cfg->alert_feeds_dir, rule->feed_file);
	urlpath = xasprintf("/alerts/%s", rule->feed_file);
	title = xasprintf("feedd alerts: %s", rule->def.name);
	self = self_url(cfg, urlpath, path);
	id = entry_tag_uri("alerts", rule->def.name);
	k.path = path;
	k.am = (struct atom_meta){ .id = id, .title = title, .self = self,
	    .alternate = NULL, .updated = 0 };
	rc = stream_all(st, cfg, rule->def.name, &k, 1, errstr);
	free(id);
	free(self);
	free(title);
	free(urlpath);
	free(path);
	return rc;
}

static void
fp_add(uint64_t *h, const char *s)
{
	s = s ? s : "\x01";		/* unset differs from "" */
	*h = hash_add(*h, s, strlen(s) + 1);	/* the NUL ends the field */
}

/* What shapes the files besides the stories (FNV-1a, as an int64). */
static int64_t
fingerprint(const struct config *cfg)
{
	uint64_t h = HASH_INIT;
	char n[32];

	fp_add(&h, FEEDD_VERSION);	/* the writers may change */
	fp_add(&h, cfg->atom_path);
	fp_add(&h, cfg->json_path);
	fp_add(&h, cfg->title);
	fp_add(&h, cfg->listen);
	fp_add(&h, cfg->output_url);
	fp_add(&h, cfg->alert_feeds_dir);
	snprintf(n, sizeof(n), "%d", cfg->max_entries);
	fp_add(&h, n);
	for (size_t i = 0; cfg->alert_feeds_dir && i < cfg->nrules; i++) {
		fp_add(&h, cfg->rules[i].def.name);
		fp_add(&h, cfg->rules[i].feed_file);
	}
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
		char *path = xasprintf("%s/%s", cfg->alert_feeds_dir,
		    cfg->rules[i].feed_file);

		ok = exists(path);
		free(path);
	}
	return ok;
}

/* Keeps the first of several errors in *errstr; -1. */
static int
first_error(char **errstr, char *err)
{
	if (*errstr == NULL)
		*errstr = err;
	else
		free(err);
	return -1;
}

/*
 * Each file on its own: a feed.xml that cannot be written (a folder in
 * its place, a read-only disk) kept every rule's feed from being
 * written too.  The first error is the one said; the rest are retried
 * with it.
 */
static int
render_all(struct store *st, const struct config *cfg, char **errstr)
{
	char	*err = NULL;
	int	 rc = 0;

	*errstr = NULL;
	if ((cfg->atom_path != NULL || cfg->json_path != NULL) &&
	    render_main(st, cfg, &err) == -1)
		rc = first_error(errstr, err);
	if (cfg->alert_feeds_dir == NULL)
		return rc;
	if (fs_mkdir_p(cfg->alert_feeds_dir) == -1)
		return first_error(errstr, xasprintf("%s: %s",
		    cfg->alert_feeds_dir, strerror(errno)));
	for (size_t i = 0; i < cfg->nrules; i++) {
		err = NULL;
		if (render_rule(st, cfg, &cfg->rules[i], &err) == -1)
			rc = first_error(errstr, err);
	}
	return rc;
}

int64_t
output_failing_since(struct store *st)
{
	int64_t t;

	return store_mark_get(st, MARK_FAILED, &t) == 0 ? t : 0;
}

void
output_forget(struct output *out)
{
	out->rendered = 0;
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
	if (render_all(st, cfg, errstr) == -1) {
		if (output_failing_since(st) == 0)
			store_mark_set(st, MARK_FAILED, (int64_t)time(NULL));
		return -1;
	}
	if (output_failing_since(st) != 0)
		store_mark_set(st, MARK_FAILED, 0);
	/* a mark that cannot be saved only costs a render next time */
	if (store_mark_set(st, MARK_GEN, gen) == -1 ||
	    store_mark_set(st, MARK_CONF, fingerprint(cfg)) == -1)
		store_mark_set(st, MARK_GEN, -1);
	out->generation = gen;
	out->rendered = 1;
	return 0;
}

