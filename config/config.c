/*
 * config: loads feedd.conf (and every feeds.d file ending in .conf) with inih through one
 * table of keys.  Every problem is collected as "FILE:LINE: message" in
 * one pass; a struct config is returned only when there were none.
 * Line counting and over-long lines are ini_src.c's job.
 */
#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wctype.h>
#include <locale.h>

#include "config/config.h"
#include "config/config_keys.h"
#include "config/ini_src.h"
#include "util/fs.h"
#include "util/termtext.h"
#include "util/utf8.h"
#include "util/buf.h"
#include "util/xmalloc.h"
#include "util/hash.h"

struct problem {
	int	 file;		/* order of the file read */
	int	 line;
	size_t	 seq;
	char	*msg;
};

struct loader {
	struct config *cfg;
	struct problem *probs;
	size_t	 nprobs, probcap;
	size_t	 feedcap, rulecap, filecap;
	const char *file;	/* being read, as named in messages */
	int	 fileno;
	int	 feeds_only;	/* a feeds.d file */
	struct ini_src src;

	enum key_scope scope;	/* of the current section */
	char	*sect;		/* its text, for messages */
	int	 sect_line;
	/* the current [feed] or [alert] section, added at its end if kept */
	struct feed_conf feed;
	struct rule_conf rule;
	int	 keep;		/* 0: a duplicate or a bad name: dropped */
	/* line each key was set on: in this feed or rule, else the file */
	int	 seen[CONFIG_NKEYS];
};

static void
problem_add(struct loader *l, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * A message quotes what the file holds, which may be binary: it leaves
 * as one printable line of at most MSG_MAX bytes, with controls (C0,
 * DEL, C1) and bytes that are not UTF-8 shown as '?'.
 */
#define MSG_MAX 4096

static void
msg_clean(char *s)
{
	unsigned char *p = (unsigned char *)s;
	size_t len = strlen(s), i, n, k;

	if (len > MSG_MAX)
		p[len = MSG_MAX] = '\0';
	for (i = 0; i < len; i += n) {
		n = p[i] < 0x80 ? 1 : p[i] >= 0xc2 && p[i] < 0xe0 ? 2 :
		    p[i] >= 0xe0 && p[i] < 0xf0 ? 3 :
		    p[i] >= 0xf0 && p[i] < 0xf5 ? 4 : 0;
		for (k = 1; k < n; k++)
			if (i + k >= len || (p[i + k] & 0xc0) != 0x80)
				n = 0;
		if (n == 0 || p[i] < 0x20 || p[i] == 0x7f ||
		    (p[i] == 0xc2 && p[i + 1] < 0xa0)) {
			memset(p + i, '?', n ? n : 1);
			n = n ? n : 1;
		}
	}
}

static void
problem_add(struct loader *l, int line, const char *fmt, ...)
{
	struct problem *p;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	msg_clean(msg);
	l->probs = xgrow(l->probs, l->nprobs, &l->probcap, sizeof(*l->probs));
	p = &l->probs[l->nprobs];
	p->file = l->fileno;
	p->line = line;
	p->seq = l->nprobs++;
	{
		/* the file's name is input too: a path may hold an ESC */
		char *file = term_str(l->file, TERM_ESCAPE);

		if (line > 0)
			p->msg = xasprintf("%s:%d: %s", file, line, msg);
		else
			p->msg = xasprintf("%s: %s", file, msg);
		free(file);
	}
	free(msg);
}

static int
problem_cmp(const void *a, const void *b)
{
	const struct problem *x = a, *y = b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Hands the problems, in file and line order, to errs. */
static void
problems_move(struct loader *l, struct config_errors *errs)
{
	qsort(l->probs, l->nprobs, sizeof(*l->probs), problem_cmp);
	errs->msgs = xreallocarray(errs->msgs, errs->n + l->nprobs + 1,
	    sizeof(char *));
	for (size_t i = 0; i < l->nprobs; i++)
		errs->msgs[errs->n++] = l->probs[i].msg;
	free(l->probs);
	l->probs = NULL;
	l->nprobs = 0;
}

static void
feed_conf_clear(struct feed_conf *f)
{
	if (f->def.name_holds_url)
		f->url = NULL;
	free(f->def.name);
	config_keys_free(SCOPE_FEED, f);
	memset(f, 0, sizeof(*f));
}

static void
rule_conf_clear(struct rule_conf *r)
{
	free(r->def.name);
	free(r->feed_file);
	config_keys_free(SCOPE_ALERT, r);
	memset(r, 0, sizeof(*r));
}

/* The struct the current section's keys are stored into. */
static void *
loader_target(struct loader *l)
{
	switch (l->scope) {
	case SCOPE_FEED:
		return &l->feed;
	case SCOPE_ALERT:
		return &l->rule;
	default:
		return l->cfg;
	}
}

/* Whether the section set the key (even to a bad value, reported). */
static int
key_seen(const struct loader *l, const char *name)
{
	return l->seen[config_key_find(l->scope, name) - config_keys] != 0;
}

/* "feed "NAME"" -> NAME (allocated), or NULL when not of that shape. */
static char *
section_name(const char *text, const char *kind)
{
	size_t klen = strlen(kind), len;
	const char *p = text + klen;

	if (strncmp(text, kind, klen) != 0 || (*p != ' ' && *p != '\t'))
		return NULL;
	while (*p == ' ' || *p == '\t')
		p++;
	len = strlen(p);
	if (len < 2 || p[0] != '"' || p[len - 1] != '"')
		return NULL;
	return xstrndup(p + 1, len - 2);
}

static int
name_ok(struct loader *l, const char *name, const char *kind, int line)
{
	if (*name == '\0') {
		problem_add(l, line, "empty %s name", kind);
		return 0;
	}
	for (const char *p = name; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			problem_add(l, line, "%s name with a control character",
			    kind);
			return 0;
		}
	return 1;
}

/* The name of the feed a (full) slot holds. */
static const char *
slot_name(const struct config *cfg, uint32_t slot)
{
	return cfg->feeds[slot - 1].def.name;
}

/*
 * The feeds' names, hashed (cfg->feed_names): a duplicate section costs
 * O(1) to find while loading, and so does config_find_feed after.
 * The slot holding name, or the empty slot where it would go.
 */
static uint32_t *
name_slot(const struct feed_name_index *ix, const struct config *cfg,
    const char *name)
{
	size_t i = (size_t)hash_str(name) & (ix->cap - 1);

	while (ix->slot[i] != 0 &&
	    strcmp(slot_name(cfg, ix->slot[i]), name) != 0)
		i = (i + 1) & (ix->cap - 1);
	return &ix->slot[i];
}

/* Records feed number idx; keeps the table at most half full. */
static void
name_index_add(struct feed_name_index *ix, const struct config *cfg,
    size_t idx)
{
	if (2 * (cfg->nfeeds + 1) > ix->cap) {
		struct feed_name_index big = { NULL,
		    ix->cap ? ix->cap * 2 : 64 };

		big.slot = xcalloc(big.cap, sizeof(*big.slot));
		for (size_t i = 0; i < ix->cap; i++)
			if (ix->slot[i] != 0)
				*name_slot(&big, cfg,
				    slot_name(cfg, ix->slot[i])) = ix->slot[i];
		free(ix->slot);
		*ix = big;
	}
	*name_slot(ix, cfg, cfg->feeds[idx].def.name) = (uint32_t)idx + 1;
}

static const struct feed_conf *
name_index_find(const struct feed_name_index *ix, const struct config *cfg,
    const char *name)
{
	uint32_t *slot;

	if (ix->cap == 0)
		return NULL;
	slot = name_slot(ix, cfg, name);
	return *slot ? &cfg->feeds[*slot - 1] : NULL;
}

/*
 * Opens a [KIND "NAME"] section at line into d.  1 when it is kept; 0
 * when it is reported: a duplicate of dup (NULL: none) or a bad name.
 */
static int
def_open(struct loader *l, struct conf_def *d, const char *kind, char *name,
    int line, const struct conf_def *dup)
{
	*d = (struct conf_def){ name, l->file, line, 0 };
	if (dup != NULL) {
		problem_add(l, line, "duplicate %s \"%s\" (first defined at "
		    "%s:%d)", kind, name, dup->file, dup->line);
		return 0;
	}
	return name_ok(l, name, kind, line);
}

static void
feed_open(struct loader *l, char *name, int line)
{
	const struct feed_conf *dup = name_index_find(&l->cfg->feed_names,
	    l->cfg, name);

	l->scope = SCOPE_FEED;
	l->keep = def_open(l, &l->feed.def, "feed", name, line,
	    dup != NULL ? &dup->def : NULL);
}

/*
 * Whether the character of k bytes at s stays in a file name: an ASCII
 * letter or digit, '-', '_', a '.' not first; beyond ASCII a letter or
 * digit of any script, as glibc's C.UTF-8 tables class it (a rule named
 * 大模型 and one named 机器人 had one file, every byte made '_').
 */
static int
file_name_char(const unsigned char *s, size_t k, int first, locale_t loc)
{
	uint32_t cp;

	if (k == 1)
		return isalnum(*s) || *s == '-' || *s == '_' ||
		    (*s == '.' && !first);
	return loc != (locale_t)0 && utf8_decode(s, k, &cp) == k &&
	    iswalnum_l((wint_t)cp, loc);
}

char *
config_rule_filename(const char *rule)
{
	const unsigned char *s = (const unsigned char *)(rule[0] != '\0' ?
	    rule : "_");
	locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	struct buf b;

	buf_init(&b, 0);
	for (size_t i = 0; s[i] != '\0';) {
		size_t k = utf8_len(s + i);

		if (k == 0)
			k = 1;		/* a stray byte: one character */
		if (file_name_char(s + i, k, i == 0, loc))
			buf_append(&b, s + i, k);
		else
			buf_putc(&b, '_');
		i += k;
	}
	buf_puts(&b, ".xml");
	if (loc != (locale_t)0)
		freelocale(loc);
	return buf_detach(&b);
}

/*
 * The rule whose alert feed is file, or NULL.  The rules kept have
 * unique files, so this also finds a rule of the same name.
 */
static const struct rule_conf *
find_rule_file(const struct config *cfg, const char *file)
{
	for (size_t i = 0; i < cfg->nrules; i++)
		if (strcmp(cfg->rules[i].feed_file, file) == 0)
			return &cfg->rules[i];
	return NULL;
}

static void
rule_open(struct loader *l, char *name, int line)
{
	char *file = config_rule_filename(name);
	const struct rule_conf *dup = find_rule_file(l->cfg, file);

	l->scope = SCOPE_ALERT;
	l->rule.feed_file = file;
	if (dup != NULL && strcmp(dup->def.name, name) != 0) {
		/* "china ai" and "china_ai" would write one alert feed */
		problem_add(l, line, "alert \"%s\" has the alert feed file "
		    "%s of alert \"%s\" (%s:%d): rename one", name, file,
		    dup->def.name, dup->def.file, dup->def.line);
		l->rule.def = (struct conf_def){ name, l->file, line, 0 };
		l->keep = 0;
	} else
		l->keep = def_open(l, &l->rule.def, "alert", name, line,
		    dup != NULL ? &dup->def : NULL);
}

/*
 * A kept feed's name and url in one allocation, "name\0url": two small
 * ones cost malloc's overhead twice, some 30 bytes a feed of the ~230
 * each takes for as long as it is configured.
 */
static void
feed_conf_pack(struct feed_conf *f)
{
	size_t n = strlen(f->def.name) + 1, u;
	char *block;

	if (f->url == NULL || f->def.name_holds_url)
		return;
	u = strlen(f->url) + 1;
	block = xmalloc(n + u);
	memcpy(block, f->def.name, n);
	memcpy(block + n, f->url, u);
	free(f->def.name);
	free(f->url);
	f->def.name = block;
	f->url = block + n;
	f->def.name_holds_url = 1;
}

/* The checks a section gets once all its keys are in; a kept one is added. */
static void
section_close(struct loader *l)
{
	struct config *cfg = l->cfg;

	if (l->scope == SCOPE_FEED) {
		if (!key_seen(l, "url"))
			problem_add(l, l->sect_line, "feed \"%s\" has no url",
			    l->feed.def.name);
		if (l->keep) {
			feed_conf_pack(&l->feed);
			cfg->feeds = xgrow(cfg->feeds, cfg->nfeeds, &l->feedcap,
			    sizeof(*cfg->feeds));
			cfg->feeds[cfg->nfeeds] = l->feed;
			name_index_add(&cfg->feed_names, cfg, cfg->nfeeds++);
		} else
			feed_conf_clear(&l->feed);
	} else if (l->scope == SCOPE_ALERT) {
		if (!key_seen(l, "match"))
			problem_add(l, l->sect_line,
			    "alert \"%s\" has no match", l->rule.def.name);
		if (l->keep) {
			cfg->rules = xgrow(cfg->rules, cfg->nrules, &l->rulecap,
			    sizeof(*cfg->rules));
			cfg->rules[cfg->nrules++] = l->rule;
		} else
			rule_conf_clear(&l->rule);
	}
	/* what the section held now belongs to cfg, or was freed */
	memset(&l->feed, 0, sizeof(l->feed));
	memset(&l->rule, 0, sizeof(l->rule));
	free(l->sect);
	l->sect = NULL;
	l->scope = SCOPE_NONE;
	/*
	 * Each feed and rule is a section of its own; [daemon], [output]
	 * and [alerts] may come back, but a key set twice across them is
	 * the same duplicate as within one (the later won, silently).
	 */
	for (size_t i = 0; i < CONFIG_NKEYS; i++)
		if (config_keys[i].scope == SCOPE_FEED ||
		    config_keys[i].scope == SCOPE_ALERT)
			l->seen[i] = 0;
}

/* ini_src callback: a "[...]" line; text NULL when it was malformed. */
static void
on_section(void *ctx, const char *text, int line)
{
	struct loader *l = ctx;
	static const char *const plain[] = { "daemon", "output", "alerts" };
	char *name;
	size_t len;

	section_close(l);
	l->scope = SCOPE_INVALID;
	if (text == NULL)
		return;		/* a broken header, reported: skip its keys */
	l->sect = xstrdup(text);
	l->sect_line = line;
	if ((name = section_name(text, "feed")) != NULL) {
		feed_open(l, name, line);
		return;
	}
	if (l->feeds_only) {
		problem_add(l, line, "only [feed \"NAME\"] sections are allowed "
		    "in feeds.d, not [%s]", text);
		return;
	}
	if ((name = section_name(text, "alert")) != NULL) {
		rule_open(l, name, line);
		return;
	}
	for (size_t i = 0; i < 3; i++)
		if (strcmp(text, plain[i]) == 0) {
			l->scope = SCOPE_DAEMON + (int)i;
			return;
		}
	len = strcspn(text, " \t");
	if ((len == 4 && strncmp(text, "feed", 4) == 0) ||
	    (len == 5 && strncmp(text, "alert", 5) == 0))
		problem_add(l, line, "bad section [%s]: the name must be quoted, "
		    "as in [%s \"NAME\"]", text, text[0] == 'f' ? "feed" :
		    "alert");
	else
		problem_add(l, line, "unknown section [%s]", text);
}

/* ini_src callback: a line inih cannot use. */
static void
on_error(void *ctx, int line, const char *msg)
{
	problem_add(ctx, line, "%s", msg);
}

/* The inih handler: one key = value of the current section. */
static int
on_key(void *user, const char *section, const char *name, const char *value)
{
	struct loader *l = user;
	const struct config_key *k;
	int line = l->src.lineno;
	char *err = NULL;

	(void)section;	/* ours, from on_section, is complete and checked */
	value = ini_src_value(&l->src, value);
	if (l->scope == SCOPE_INVALID)
		return 1;	/* the section was reported already */
	if (l->scope == SCOPE_NONE) {
		problem_add(l, line, "key '%s' outside any section", name);
		return 1;
	}
	if (*name == '\0') {
		problem_add(l, line, "syntax error: no key before '='");
		return 1;
	}
	if ((k = config_key_find(l->scope, name)) == NULL) {
		problem_add(l, line, "unknown key '%s' in [%s]", name, l->sect);
		return 1;
	}
	if (l->seen[k - config_keys] != 0) {
		problem_add(l, line, "duplicate key '%s' (first set at line %d)",
		    name, l->seen[k - config_keys]);
		return 1;
	}
	l->seen[k - config_keys] = line;
	if (config_key_set(k, loader_target(l), value, &err) == -1) {
		problem_add(l, line, "%s", err);
		free(err);
	}
	return 1;
}

/* Reads one file; problems are collected.  -1 when it cannot be opened. */
static int
loader_read(struct loader *l, const char *path, int feeds_only)
{
	struct config *cfg = l->cfg;
	const char *why;
	int rc;

	cfg->files = xgrow(cfg->files, cfg->nfiles, &l->filecap,
	    sizeof(*cfg->files));
	l->file = cfg->files[cfg->nfiles++] = xstrdup(path);
	l->feeds_only = feeds_only;
	l->fileno++;
	memset(&l->src, 0, sizeof(l->src));
	/*
	 * A feeds.d file must be a regular one: a FIFO there would hold
	 * check-config and every start for good.  The config file itself
	 * may be a pipe (-c <(...)): it was named on purpose.
	 */
	if (feeds_only)
		l->src.fp = fs_open_regular(path, &why);
	else if ((l->src.fp = fopen(path, "r")) == NULL)
		why = strerror(errno);
	if (l->src.fp == NULL) {
		problem_add(l, 0, "%s", why);
		return -1;
	}
	l->src.on_section = on_section;
	l->src.on_error = on_error;
	l->src.ctx = l;
	rc = ini_parse_stream(ini_src_read, &l->src, on_key, l);
	ini_src_finish(&l->src);
	section_close(l);
	if (ferror(l->src.fp))
		problem_add(l, 0, "read error: %s", strerror(errno));
	fclose(l->src.fp);
	/* A line inih refused that ini_src did not notice: still an error. */
	if (rc > 0) {
		for (size_t i = 0; i < l->nprobs; i++)
			if (l->probs[i].file == l->fileno &&
			    l->probs[i].line == rc)
				return 0;
		problem_add(l, rc, "syntax error");
	} else if (rc < 0)
		problem_add(l, 0, "cannot parse (inih error %d)", rc);
	return 0;
}

static int
conf_filter(const struct dirent *d)
{
	size_t len = strlen(d->d_name);

	return d->d_name[0] != '.' && len > 5 &&
	    strcmp(d->d_name + len - 5, ".conf") == 0;
}

/* Every feeds.d/ *.conf beside the config file, in name order. */
static void
loader_read_feeds_d(struct loader *l, const char *confdir)
{
	char *dir = xasprintf("%s/feeds.d", confdir);
	struct dirent **names = NULL;
	int n;

	if ((n = scandir(dir, &names, conf_filter, alphasort)) == -1) {
		if (errno != ENOENT && errno != ENOTDIR) {
			l->file = dir;
			problem_add(l, 0, "%s", strerror(errno));
		}
		free(dir);
		return;
	}
	for (int i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]->d_name);

		(void)loader_read(l, path, 1);
		free(path);
		free(names[i]);
	}
	free(names);
	free(dir);
}

/* base/rel, or rel itself when absolute; "." and "./x" read naturally. */
static char *
path_resolve(const char *base, const char *rel)
{
	size_t blen = strlen(base), len;
	char *out;

	while (rel[0] == '.' && rel[1] == '/')
		rel += 2;
	while (blen > 1 && base[blen - 1] == '/')
		blen--;
	if (rel[0] == '/')
		out = xstrdup(rel);
	else if (rel[0] == '\0' || strcmp(rel, ".") == 0)
		out = xstrndup(base, blen);
	else
		out = xasprintf("%.*s/%s", (int)blen, base, rel);
	len = strlen(out);
	while (len > 1 && out[len - 1] == '/')
		out[--len] = '\0';
	return out;
}

static void
path_fix(char **p, const char *base)
{
	char *abs;

	if (*p == NULL)
		return;
	abs = path_resolve(base, *p);
	free(*p);
	*p = abs;
}

/* "feedd/VERSION (...)" names this build's version, as the default does. */
static void
expand_version(char **ua)
{
	char *at, *out;

	while ((at = strstr(*ua, "VERSION")) != NULL) {
		out = xasprintf("%.*s%s%s", (int)(at - *ua), *ua, FEEDD_VERSION,
		    at + 7);
		free(*ua);
		*ua = out;
	}
}

/* Makes every path absolute and fills per-feed defaults. */
static void
config_finish(struct config *cfg)
{
	path_fix(&cfg->state_dir, cfg->dir);
	path_fix(&cfg->database, cfg->state_dir);
	path_fix(&cfg->atom_path, cfg->state_dir);
	path_fix(&cfg->json_path, cfg->state_dir);
	path_fix(&cfg->alert_feeds_dir, cfg->state_dir);
	path_fix(&cfg->alert_log, cfg->state_dir);
	expand_version(&cfg->user_agent);
	for (size_t i = 0; i < cfg->nfeeds; i++)
		if (cfg->feeds[i].interval == 0)
			cfg->feeds[i].interval = cfg->interval;
	/* it grew by doubling, and is kept as long as the daemon runs */
	if (cfg->nfeeds > 0)
		cfg->feeds = xreallocarray(cfg->feeds, cfg->nfeeds,
		    sizeof(*cfg->feeds));
}

/* The config file's folder, absolute: realpath of its dirname. */
static char *
config_dir(const char *path, char **given)
{
	char *copy = xstrdup(path), *d, *abs;

	d = dirname(copy);
	*given = xstrdup(d);
	abs = realpath(d, NULL);
	free(copy);
	return abs;
}

struct config *
config_load(const char *path, struct config_errors *errs)
{
	struct loader l;
	char *given_dir = NULL;

	memset(&l, 0, sizeof(l));
	l.cfg = xcalloc(1, sizeof(*l.cfg));
	l.cfg->path = xstrdup(path);
	config_keys_defaults(l.cfg);
	if (loader_read(&l, path, 0) == 0) {
		l.cfg->dir = config_dir(path, &given_dir);
		if (l.cfg->dir == NULL)
			problem_add(&l, 0, "%s", strerror(errno));
		else
			loader_read_feeds_d(&l, given_dir);
	}
	free(given_dir);
	if (l.nprobs > 0) {
		problems_move(&l, errs);
		config_free(l.cfg);
		return NULL;
	}
	free(l.probs);
	config_finish(l.cfg);
	return l.cfg;
}

void
config_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < cfg->nfeeds; i++)
		feed_conf_clear(&cfg->feeds[i]);
	for (size_t i = 0; i < cfg->nrules; i++)
		rule_conf_clear(&cfg->rules[i]);
	free(cfg->feeds);
	free(cfg->feed_names.slot);
	free(cfg->rules);
	strv_free(cfg->files, cfg->nfiles);
	config_keys_free(SCOPE_DAEMON, cfg);
	free(cfg->path);
	free(cfg->dir);
	free(cfg);
}

void
config_errors_cleanup(struct config_errors *errs)
{
	strv_free(errs->msgs, errs->n);
	errs->msgs = NULL;
	errs->n = 0;
}

const char *
config_default_path(void)
{
	const char *p = getenv("FEEDD_CONFIG");

	return p && *p ? p : "/etc/feedd/feedd.conf";
}

const struct feed_conf *
config_find_feed(const struct config *cfg, const char *name)
{
	if (cfg->feed_names.cap > 0)
		return name_index_find(&cfg->feed_names, cfg, name);
	for (size_t i = 0; i < cfg->nfeeds; i++)
		if (strcmp(cfg->feeds[i].def.name, name) == 0)
			return &cfg->feeds[i];
	return NULL;
}
