/*
 * items_db: store_put_doc, one fetched document into the items,
 * stories and full-text tables in one transaction.  An unchanged item
 * costs one indexed lookup and no write.  A new item joins a story by
 * canonical link first, then (grouping on) by likeness to an item of
 * another feed, through the index of store_group.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "config/match.h"
#include "feeds/headline.h"
#include "feeds/html.h"
#include "storage/group.h"
#include "util/buf.h"
#include "storage/itemkey.h"
#include "storage/store_int.h"
#include "util/hash.h"

/* A stored item of the feed by the fingerprint of its text (find_by_text). */
struct text_ref {
	uint64_t fp;
	int64_t	 id;
	int	 taken;
};

/* find_by_text's, for one document */
struct text_index {
	struct text_ref *ref;	/* sorted by fp, newest id first */
	size_t	 n;
};

/* What one put_doc call knows. */
struct put {
	struct store *st;
	int64_t	 feed_id;
	int64_t	 now;
	struct store_put_result *res;
	struct store_prep *prep;
	int	 stored;		/* the feed had items before this doc */
	int64_t	 next_id;		/* the next new item's id; <= 0: not read */
	const struct feed_doc *doc;
	struct text_index texts;	/* find_by_text's, once read */
	int	 texts_read;
};

/* A stored item found by key: id and content hash. */
struct found {
	int64_t	 id;
	char	 hash[17];
};

/* Steps s (id, hash) into f, its id 0 when there is no row: 0 or -1. */
static int
step_found(sqlite3_stmt *s, struct found *f)
{
	int rc;

	f->id = 0;
	if (s == NULL)
		return -1;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		f->id = sqlite3_column_int64(s, 0);
		snprintf(f->hash, sizeof(f->hash), "%s",
		    (const char *)sqlite3_column_text(s, 1));
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int
lookup(struct put *p, enum store_stmt_id slot, const char *sql,
    const char *v, struct found *f)
{
	return step_found(store_query(p->st, slot, sql, "Is", p->feed_id, v),
	    f);
}

/* The canonical link items.canon holds for k, or NULL. */
static const char *
stored_canon(const struct item_keys *k)
{
	return k->linkkey ? k->linkkey + 2 : NULL;
}

static int
find_by_key(struct put *p, const char *key, struct found *f)
{
	return lookup(p, SQ_ITEM_BY_KEY,
	    "SELECT id, hash FROM items WHERE feed_id = ? AND key = ?", key, f);
}

static int
find_by_canon(struct put *p, const char *canon, struct found *f)
{
	return lookup(p, SQ_ITEM_BY_CANON, "SELECT id, hash FROM items"
	    " WHERE feed_id = ? AND canon = ? ORDER BY id LIMIT 1", canon, f);
}

/*
 * In the hash mode an item's key holds its date.  A feed left in that
 * mode by ids that change on every fetch and one link for all its
 * entries, whose dates move on every fetch too (a page made on
 * request), stored each fetch's entries again: new stories, each
 * alerting again.  Such an entry is a stored item of the same feed,
 * link, title and text.  An item with neither title nor text is
 * matched by nothing: no text tells two apart.
 *
 * The feed's newest items are read once a document, as fingerprints
 * of those four (at most twice the document's items: the ones it
 * carried last time are among them), and each entry looks there:
 * a query per entry scanning the items that share its link took a
 * document of n entries n * n row reads.  A fingerprint found is
 * checked against the row.  Each stored item answers one entry of the
 * document, so two entries of the same text keep their two items.
 */
static uint64_t
text_fp(const char *canon, const char *title, const char *summary,
    const char *content)
{
	const char *v[4] = { canon, title, summary, content };
	uint64_t h = HASH_INIT;

	if (title == NULL && summary == NULL && content == NULL)
		return 0;
	for (int i = 0; i < 4; i++)
		h = v[i] != NULL ? hash_add(hash_add(h, v[i], strlen(v[i])),
		    "\x1f", 1) : hash_add(h, "\x01\x1f", 2);
	return h | 1;		/* 0 is "no text" */
}

static int
text_ref_cmp(const void *a, const void *b)
{
	const struct text_ref *x = a, *y = b;

	if (x->fp != y->fp)
		return x->fp < y->fp ? -1 : 1;
	return x->id > y->id ? -1 : x->id < y->id;
}

static int
text_index_build(struct put *p, size_t nitems, struct text_index *ti)
{
	sqlite3_stmt *s = store_query(p->st, SQ_ITEM_TEXTS, "SELECT id, canon,"
	    " title, summary, content FROM items WHERE feed_id = ?"
	    " ORDER BY id DESC LIMIT ?", "Il", p->feed_id,
	    (int)(2 * nitems + 16));	/* nitems <= FEED_MAX_ITEMS */
	size_t cap = 0;
	int rc;

	ti->ref = NULL;
	ti->n = 0;
	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *c[4];
		uint64_t fp;

		for (int i = 0; i < 4; i++)
			c[i] = (const char *)sqlite3_column_text(s, i + 1);
		if ((fp = text_fp(c[0], c[1], c[2], c[3])) == 0)
			continue;
		if (ti->n == cap) {
			cap = cap ? 2 * cap : 64;
			ti->ref = xreallocarray(ti->ref, cap, sizeof(*ti->ref));
		}
		ti->ref[ti->n].fp = fp;
		ti->ref[ti->n].id = sqlite3_column_int64(s, 0);
		ti->ref[ti->n++].taken = 0;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		free(ti->ref);
		ti->ref = NULL;
		return -1;
	}
	if (ti->n > 0)
		qsort(ti->ref, ti->n, sizeof(*ti->ref), text_ref_cmp);
	return 0;
}

/* Row id, when it has exactly k's link, title and text (its content
 * as given), into f. */
static int
text_check(struct put *p, int64_t id, const struct item_keys *k,
    const char *content, struct found *f)
{
	const struct feed_item *it = k->it;

	return step_found(store_query(p->st, SQ_ITEM_BY_TEXT, "SELECT id,"
	    " hash FROM items WHERE id = ? AND canon IS ? AND title IS ? AND"
	    " summary IS ? AND content IS ?", "Issss", id, stored_canon(k),
	    it->title, it->summary, content), f);
}

static int
find_by_text_as(struct put *p, const struct item_keys *k, const char *content,
    struct found *f)
{
	const struct feed_item *it = k->it;
	struct text_index *ti = &p->texts;
	uint64_t fp = text_fp(stored_canon(k), it->title, it->summary,
	    content);
	size_t lo = 0, hi;

	f->id = 0;
	if (fp == 0)
		return 0;
	if (!p->texts_read) {
		if (text_index_build(p, p->doc->nitems, ti) == -1)
			return -1;
		p->texts_read = 1;
	}
	for (hi = ti->n; lo < hi; ) {
		size_t mid = lo + (hi - lo) / 2;

		if (ti->ref[mid].fp < fp)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ti->n && ti->ref[lo].fp == fp; lo++) {
		if (ti->ref[lo].taken)
			continue;
		if (text_check(p, ti->ref[lo].id, k, content, f) == -1)
			return -1;
		if (f->id != 0) {
			ti->ref[lo].taken = 1;
			return 0;
		}
	}
	return 0;
}

/*
 * The stored item of k's text.  One stored before schema 13 has its
 * content's links resolved (migrate.c): looked for that way too, or
 * the first fetch after an upgrade stored it again, a new story.
 */
static int
find_by_text(struct put *p, const struct item_keys *k, struct found *f)
{
	const struct feed_item *it = k->it;
	char *resolved;
	int rc;

	if (find_by_text_as(p, k, it->content, f) == -1)
		return -1;
	if (f->id != 0 || it->content_base == NULL ||
	    (resolved = html_resolve(it->content, it->content_base)) == NULL)
		return 0;
	rc = find_by_text_as(p, k, resolved, f);
	free(resolved);
	return rc;
}

/*
 * Ids that change on every fetch: most items with a link are unknown
 * by id but known by canonical link.
 */
static int
ids_churn(struct put *p, const struct item_keys *k, size_t n, int *churn)
{
	size_t known = 0, moved = 0;
	struct found f;

	for (size_t i = 0; i < n; i++) {
		if (k[i].idkey == NULL || k[i].linkkey == NULL)
			continue;
		if (find_by_key(p, k[i].idkey, &f) == -1)
			return -1;
		if (f.id) {
			known++;
			continue;
		}
		if (find_by_canon(p, k[i].linkkey + 2, &f) == -1)
			return -1;
		moved += f.id != 0;
	}
	*churn = moved > 0 && moved * 2 > known + moved;
	return 0;
}

/*
 * The feed's key mode after this document; saved when it moved.  A feed
 * with nothing stored yet (its first fetch) has no ids to churn: the
 * two lookups per item of ids_churn are skipped.
 */
static int
decide_mode(struct put *p, const struct item_keys *k, size_t n, int *mode)
{
	sqlite3_stmt *s = store_query(p->st, SQ_FEED_MODE_GET,
	    "SELECT id_mode, EXISTS (SELECT 1 FROM items WHERE feed_id = ?1)"
	    " FROM feeds WHERE id = ?1", "I", p->feed_id);
	int old = -1, churn = 0, stored = 0;

	if (s == NULL)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		old = sqlite3_column_int(s, 0);
		stored = sqlite3_column_int(s, 1);
	}
	sqlite3_reset(s);
	if (old < 0 || old > ID_MODE_HASH)
		return -1;
	p->stored = stored;
	*mode = p->prep->per_mode ? p->prep->mode_after[old] :
	    itemkey_doc_mode(k, n, old);
	if (*mode == ID_MODE_ENTRY_ID && stored &&
	    ids_churn(p, k, n, &churn) == -1)
		return -1;
	if (churn)
		*mode = p->prep->per_mode ? p->prep->mode_after[ID_MODE_LINK] :
		    itemkey_doc_mode(k, n, ID_MODE_LINK);
	if (*mode == old)
		return 0;
	return store_run(p->st, SQ_FEED_MODE_SET,
	    "UPDATE feeds SET id_mode = ? WHERE id = ?", "iI", *mode,
	    p->feed_id);
}

/*
 * Enclosures as one column: "URL\x1fTYPE\x1fLENGTH" joined by \x1e
 * (controls no clean URL or MIME type holds; any such byte is dropped).
 */
static void
put_field(struct buf *b, const char *s)
{
	while (s != NULL && *s != '\0') {
		size_t n = strcspn(s, "\x1e\x1f");

		buf_append(b, s, n);
		s += n + (s[n] != '\0');
	}
}

static size_t
field_len(const char *s)
{
	return s != NULL ? strlen(s) : 0;
}

/*
 * Sized once and written in runs, on the loop thread for every new item
 * with enclosures: byte by byte, with a printf per length, and growing
 * the buffer (realloc takes the allocator's lock) it cost ~1% of a cold
 * run's loop thread.
 */
static char *
join_enclosures(const struct feed_item *it)
{
	size_t need = 0;
	char num[24];
	struct buf b;

	if (it->nenclosures == 0)
		return NULL;
	for (size_t i = 0; i < it->nenclosures; i++)
		need += field_len(it->enclosures[i].url) +
		    field_len(it->enclosures[i].type) + 3 + sizeof(num);
	buf_init(&b, 0);
	buf_reserve_exact(&b, need);
	for (size_t i = 0; i < it->nenclosures; i++) {
		const struct feed_enclosure *e = &it->enclosures[i];

		if (i > 0)
			buf_putc(&b, '\x1e');
		put_field(&b, e->url);
		buf_putc(&b, '\x1f');
		put_field(&b, e->type);
		buf_append(&b, num, (size_t)snprintf(num, sizeof(num),
		    "\x1f%lld", (long long)e->length));
	}
	return buf_detach(&b);
}

/* The categories as one column, \x1f between them; NULL for none. */
static char *
join_categories(const struct feed_item *it)
{
	if (it->ncategories == 0)
		return NULL;
	return strv_join(it->categories, it->ncategories, "\x1f");
}

/* One statement on the full-text tables: rowid id, then a and b. */
static int
fts_exec(struct put *p, enum store_stmt_id slot, int64_t id, const char *a,
    const char *b)
{
	/*
	 * External content (migrate.c, version 4): an item's terms are
	 * deleted with the text they were indexed from, which the views
	 * compute from the stored row, so before the row changes.  An item
	 * not in items_tri has no row in items_tri_text: nothing happens.
	 */
	static const char *const sql[] = {
		[SQ_FTS_DEL] = "INSERT INTO items_fts (items_fts, rowid, title,"
		    " body) SELECT 'delete', id, title, body FROM items_text"
		    " WHERE id = ?",
		[SQ_TRI_DEL] = "INSERT INTO items_tri (items_tri, rowid, text)"
		    " SELECT 'delete', id, text FROM items_tri_text WHERE id = ?",
		[SQ_FTS_INS] = "INSERT INTO items_fts (rowid, title, body)"
		    " VALUES (?, ?, ?)",
		[SQ_TRI_INS] = "INSERT INTO items_tri (rowid, text)"
		    " VALUES (?, ?)",
	};

	/* the deletes take id alone, the trigram insert id and a */
	return store_run(p->st, slot, sql[slot], b ? "Iss" : a ? "Is" : "I",
	    id, a, b);
}

/* The text item k is indexed by: prepared on a worker, or made here. */
struct item_text {
	const char *title;
	const char *body;
	char	*own;
	int	 tri;
};

static void
item_text(const struct put *p, const struct item_keys *k,
    struct item_text *t)
{
	const struct feed_item *it = k->it;

	t->title = it->title ? it->title : "";
	t->own = NULL;
	if (p->prep->bodies) {
		t->body = p->prep->bodies[k - p->prep->k];
		t->tri = p->prep->tri[k - p->prep->k];
	} else {
		t->body = t->own = store_item_body(it);
		t->tri = match_text_spaceless(t->title) ||
		    match_text_spaceless(t->body);
	}
}

/* Removes a stored item's terms (before its row changes). */
static int
unindex_item(struct put *p, int64_t id)
{
	if (fts_exec(p, SQ_FTS_DEL, id, NULL, NULL) == -1)
		return -1;
	return fts_exec(p, SQ_TRI_DEL, id, NULL, NULL);
}

/*
 * Indexes item id (its row written, with tri).  items_tri holds only
 * texts with a letter of a script written without spaces: a trigram
 * term (see config/match.h) has such a letter, so it can match no other
 * text, and most items skip the trigram index, its largest cost.  The
 * views the indexes read from (migrate.c, version 4) give the same
 * text: split where the script changes for the word index.
 */
static int
index_item(struct put *p, int64_t id, const struct item_text *t)
{
	char *text, *st, *sb;
	int rc;

	if (!t->tri)
		return fts_exec(p, SQ_FTS_INS, id, t->title, t->body);
	/* a change of script is a word boundary (config/match.h) */
	st = match_split_scripts(t->title);
	sb = match_split_scripts(t->body);
	rc = fts_exec(p, SQ_FTS_INS, id, st, sb);
	free(st);
	free(sb);
	if (rc == -1)
		return -1;
	text = xasprintf("%s %s", t->title, t->body);
	rc = fts_exec(p, SQ_TRI_INS, id, text, NULL);
	free(text);
	return rc;
}

/* Binds ?3..?13 and ?21: the item's own columns, shared by insert and
 * update. */
static void
bind_item(sqlite3_stmt *s, const struct item_keys *k, const char *cats)
{
	const struct feed_item *it = k->it;

	store_bind_str(s, 3, k->hash);
	store_bind_str(s, 4, stored_canon(k));
	store_bind_str(s, 5, it->id);
	store_bind_str(s, 6, it->title);
	store_bind_str(s, 7, it->link);
	store_bind_str(s, 8, it->author);
	store_bind_str(s, 9, it->summary);
	store_bind_str(s, 10, it->content);
	store_bind_str(s, 11, cats);
	store_bind_time(s, 12, it->published);
	store_bind_time(s, 13, it->updated);
	store_bind_str(s, 21, it->content_base);
}

/* Its dates may have moved its story (as many items as before) in the
 * outputs' order. */
static int
reorder_item_story(struct put *p, int64_t id)
{
	return store_run(p->st, SQ_ITEM_STORY_REORDER, "UPDATE stories SET"
	    STORY_ORDER_SET_ADDED("0") " WHERE id = (SELECT story_id"
	    " FROM items WHERE id = ?)", "I", id);
}

static int
update_item(struct put *p, int64_t id, const struct item_keys *k)
{
	sqlite3_stmt *s = store_stmt(p->st, SQ_ITEM_UPDATE,
	    "UPDATE items SET key = ?2, hash = ?3, canon = ?4, entry_id = ?5,"
	    " title = ?6, link = ?7, author = ?8, summary = ?9,"
	    " content = ?10, categories = ?11, published = ?12,"
	    " updated = ?13, tri = ?14, enclosures = ?18, content_base = ?21"
	    " WHERE id = ?1");
	char *cats = join_categories(k->it), *encl = join_enclosures(k->it);
	struct item_text t;
	int rc = -1;

	item_text(p, k, &t);
	if (s == NULL || unindex_item(p, id) == -1)
		goto out;
	sqlite3_bind_int64(s, 1, id);
	store_bind_str(s, 2, k->key);
	bind_item(s, k, cats);
	sqlite3_bind_int(s, 14, t.tri);
	store_bind_str(s, 18, encl);
	if (store_step_done(s) == -1 || index_item(p, id, &t) == -1 ||
	    reorder_item_story(p, id) == -1)
		goto out;
	p->res->updated_items++;
	rc = 0;
out:
	free(t.own);
	free(cats);
	free(encl);
	return rc;
}

/* The story named by key, as its own or as an alias; 0: none. */
static int
story_by_key(struct put *p, const char *key, int64_t *story)
{
	sqlite3_stmt *s = store_query(p->st, SQ_STORY_BY_KEY, "SELECT id FROM"
	    " stories WHERE key = ?1 UNION ALL SELECT story_id FROM"
	    " story_alias WHERE hash = ?2 AND key = ?1 LIMIT 1", "sI", key,
	    (int64_t)hash_str(key));
	int rc;

	*story = 0;
	if (s == NULL)
		return -1;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*story = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Records that key (an item that joined story by likeness) names story. */
static int
story_alias(struct put *p, int64_t story, const char *key)
{
	return store_run(p->st, SQ_STORY_ALIAS, "INSERT INTO"
	    " story_alias (hash, key, story_id) VALUES (?, ?, ?)"
	    " ON CONFLICT (hash) DO NOTHING", "IsI", (int64_t)hash_str(key),
	    key, story);
}

/* What story_for decided for a new item. */
struct story_pick {
	int64_t	 story;
	int64_t	 date;			/* the item's, never after now */
	int	 created;		/* 1 new story, 2 joined by likeness */
	char	*why;			/* likeness: score and shared tokens */
	struct headline *hl;		/* for the index, with grouping on */
};

/* Item k's headline: made on a worker (the prep's, taken), or here. */
static struct headline *
take_headline(struct put *p, const struct item_keys *k)
{
	struct headline *hl;
	size_t i = (size_t)(k - p->prep->k);

	if (p->prep->hl == NULL || p->prep->hl[i] == NULL)
		return headline_new(k->it->title);
	hl = p->prep->hl[i];
	p->prep->hl[i] = NULL;
	return hl;
}

/*
 * The story of a new item: found by key (its canonical link, or one an
 * item of it joined with), else the story of an item of another feed
 * that reports the same event (grouping on), else a new one.
 */
static int
story_for(struct put *p, const struct item_keys *k, struct story_pick *sp)
{
	char *key = k->canon && !k->link_shared ? xstrdup(k->canon) :
	    xasprintf("item:%lld:%s", (long long)p->feed_id, k->key);
	struct group_index *gi;
	struct group_match m;
	int rc = -1;

	memset(sp, 0, sizeof(*sp));
	/* an undated item is as old as its feed says; never in the future */
	sp->date = itemkey_date(k->it);
	if (sp->date == FEED_TIME_NONE)
		sp->date = p->doc->updated;
	if (sp->date == FEED_TIME_NONE || sp->date > p->now)
		sp->date = p->now;
	if (story_by_key(p, key, &sp->story) == -1 ||
	    store_group_index(p->st, p->now, &gi) == -1)
		goto out;
	if (gi != NULL)
		sp->hl = take_headline(p, k);
	if (sp->story != 0) {
		rc = 0;
		goto out;
	}
	if (gi != NULL && group_index_match(gi, sp->hl, p->feed_id, sp->date,
	    &m)) {
		sp->story = m.story_id;
		sp->created = 2;
		sp->why = m.why;
		rc = story_alias(p, sp->story, key);
		goto out;
	}
	if (store_run(p->st, SQ_STORY_INSERT, STORY_INSERT_ONE, "sIIItt", key,
	    p->now, sp->date, p->next_id, k->it->published,
	    k->it->updated) == -1)
		goto out;
	sp->story = sqlite3_last_insert_rowid(p->st->db);
	sp->created = 1;
	rc = 0;
out:
	free(key);
	return rc;
}

/*
 * A new item's id is above every stored one and above meta alert_mark
 * (which a pruned newest item could otherwise leave behind), so the
 * items waiting for the alert rules are exactly those above the mark.
 * Read once per document: the write lock keeps anyone else from
 * inserting until the commit.
 */
static int
next_item_id(struct put *p)
{
	if (p->next_id > 0)
		return 0;
	p->next_id = store_step_int64(store_stmt(p->st, SQ_ITEM_NEXT_ID,
	    "SELECT max(coalesce((SELECT max(id) FROM items), 0),"
	    " coalesce((SELECT value FROM meta WHERE key = 'alert_mark'), 0))"
	    " + 1"));
	return p->next_id > 0 ? 0 : -1;
}

static int
insert_item(struct put *p, const struct item_keys *k)
{
	sqlite3_stmt *s = store_stmt(p->st, SQ_ITEM_INSERT,
	    "INSERT INTO items (id, feed_id, key, hash, canon, entry_id, title,"
	    " link, author, summary, content, categories, published, updated,"
	    " story_id, first_seen, story_new, alert_checked, enclosures, tri,"
	    " story_why, content_base) VALUES (?17, ?1, ?2, ?3, ?4, ?5, ?6, ?7,"
	    " ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, 1, ?18, ?19, ?20,"
	    " ?21)");
	char *cats = join_categories(k->it), *encl = join_enclosures(k->it);
	struct story_pick sp;
	struct item_text t;
	int rc = -1;

	memset(&sp, 0, sizeof(sp));
	item_text(p, k, &t);
	if (s == NULL || next_item_id(p) == -1 || story_for(p, k, &sp) == -1)
		goto out;
	sqlite3_bind_int64(s, 1, p->feed_id);
	store_bind_str(s, 2, k->key);
	bind_item(s, k, cats);
	sqlite3_bind_int64(s, 14, sp.story);
	sqlite3_bind_int64(s, 15, p->now);
	sqlite3_bind_int(s, 16, sp.created);
	sqlite3_bind_int64(s, 17, p->next_id);
	sqlite3_bind_int(s, 19, t.tri);
	store_bind_str(s, 18, encl);
	store_bind_str(s, 20, sp.why);
	/* a new story was inserted in its place (STORY_INSERT_ONE) */
	if (store_step_done(s) == -1 || index_item(p, p->next_id, &t) == -1 ||
	    (sp.created != 1 && store_story_joined(p->st, sp.story) == -1))
		goto out;
	if (sp.hl != NULL && p->st->grp != NULL) {
		group_index_add(p->st->grp, p->next_id, p->feed_id, sp.story,
		    sp.date, p->now, sp.hl);
		sp.hl = NULL;
	}
	p->next_id++;
	p->res->new_items++;
	p->res->new_stories += sp.created == 1;
	rc = 0;
out:
	headline_free(sp.hl);
	free(sp.why);
	free(t.own);
	free(cats);
	free(encl);
	return rc;
}

static int
rekey_item(struct put *p, int64_t id, const char *key)
{
	return store_run(p->st, SQ_ITEM_REKEY,
	    "UPDATE items SET key = ? WHERE id = ?", "sI", key, id);
}

/*
 * One item: unchanged (nothing written), changed (updated in place),
 * or new.  Keyed by link, an item stored under an older key of the
 * same link (ids that changed) is the same item and takes the new key;
 * keyed by hash, one of the same text (find_by_text).
 */
static int
put_item(struct put *p, const struct item_keys *k, int mode)
{
	struct found f;
	int rekey = 0;

	if (!p->stored)		/* a first fetch: every item is new */
		return insert_item(p, k);
	if (find_by_key(p, k->key, &f) == -1)
		return -1;
	if (f.id == 0 && mode == ID_MODE_LINK && k->linkkey) {
		if (find_by_canon(p, k->linkkey + 2, &f) == -1)
			return -1;
		rekey = f.id != 0;
	}
	if (f.id == 0 && mode == ID_MODE_HASH) {
		if (find_by_text(p, k, &f) == -1)
			return -1;
		rekey = f.id != 0;
	}
	if (f.id == 0)
		return insert_item(p, k);
	if (strcmp(f.hash, k->hash) != 0)
		return update_item(p, f.id, k);
	return rekey ? rekey_item(p, f.id, k->key) : 0;
}

/* The document's own title and link; 1 when they changed. */
static int
put_feed_meta(struct put *p, const struct feed_doc *doc)
{
	if (store_run(p->st, SQ_FEED_DOC,
	    "UPDATE feeds SET title = ?2, link = ?3, updated = ?4, doc_id = ?5,"
	    " author = ?6, language = ?7 WHERE id = ?1 AND (title IS NOT ?2 OR"
	    " link IS NOT ?3 OR updated IS NOT ?4 OR doc_id IS NOT ?5 OR"
	    " author IS NOT ?6 OR language IS NOT ?7)", "Isstsss", p->feed_id,
	    doc->title, doc->link, doc->updated, doc->id, doc->author,
	    doc->language) == -1)
		return -1;
	return sqlite3_changes(p->st->db) > 0;
}

/* itemkey_choose, or what store_prepare_doc chose beforehand for mode. */
static void
choose(const struct store_prep *prep, struct item_keys *k, int mode)
{
	if (!prep->per_mode) {
		itemkey_choose(k, prep->n, mode);
		return;
	}
	for (size_t i = 0; i < prep->n; i++) {
		k[i].key = prep->key[mode][i];
		k[i].dup = prep->dup[mode][i];
	}
}

static int
put_all(struct put *p, const struct feed_doc *doc, struct item_keys *k)
{
	int mode, meta;

	if (decide_mode(p, k, doc->nitems, &mode) == -1)
		return -1;
	choose(p->prep, k, mode);
	for (size_t i = 0; i < doc->nitems; i++)
		if (!k[i].dup && put_item(p, &k[i], mode) == -1)
			return -1;
	if ((meta = put_feed_meta(p, doc)) == -1)
		return -1;
	if (meta || p->res->new_items || p->res->updated_items)
		return store_bump_generation(p->st);
	return 0;
}

int
store_put_prepared(struct store *st, int64_t feed_id,
    const struct feed_doc *doc, struct store_prep *prep, int64_t now,
    struct store_put_result *res, char **errstr)
{
	struct store_put_result dummy;
	struct put p = { st, feed_id, now, res ? res : &dummy, prep, 0, 0,
	    doc, { NULL, 0 }, 0 };

	memset(p.res, 0, sizeof(*p.res));
	/* the caller names the feed; this says where and why */
	if (store_begin(st) == -1) {
		*errstr = xstrdup(store_errmsg(st));
		return -1;
	}
	if (put_all(&p, doc, prep->k) == -1 || store_commit(st) == -1) {
		*errstr = xstrdup(store_errmsg(st));
		store_rollback(st);
		memset(p.res, 0, sizeof(*p.res));
		free(p.texts.ref);
		return -1;
	}
	free(p.texts.ref);
	return 0;
}

int
store_put_doc(struct store *st, int64_t feed_id, const struct feed_doc *doc,
    int64_t now, struct store_put_result *res, char **errstr)
{
	struct store_prep *prep = store_prep_new(doc, 0, 0); /* this thread */
	int rc;

	rc = store_put_prepared(st, feed_id, doc, prep, now, res, errstr);
	store_prep_free(prep);
	return rc;
}
