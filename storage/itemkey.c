/*
 * itemkey: item keys and content hashes, and the decision which key a
 * feed's items get (see itemkey.h).  Pure functions: no database.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "feeds/url.h"
#include "storage/itemkey.h"
#include "util/hash.h"

/* FNV-1a over s and a separator: a change detector and a fallback
 * key, not a MAC. */
static uint64_t
fnv_add(uint64_t h, const char *s)
{
	if (s == NULL)
		s = "\x01";	/* absent differs from empty */
	return hash_add(hash_add(h, s, strlen(s)), "\x1f", 1);
}

static uint64_t
fnv_time(uint64_t h, int64_t t)
{
	char num[32];

	snprintf(num, sizeof(num), "%" PRId64, t);
	return fnv_add(h, t == FEED_TIME_NONE ? NULL : num);
}

int64_t
itemkey_date(const struct feed_item *it)
{
	return it->published != FEED_TIME_NONE ? it->published : it->updated;
}

static void
keys_fill(struct item_keys *k, const struct feed_item *it)
{
	uint64_t h = HASH_INIT;
	int64_t date = itemkey_date(it);

	k->it = it;
	if (it->id && it->id[strspn(it->id, " \t\r\n")] != '\0')
		k->idkey = xasprintf("g:%s", it->id);
	if (it->link && *it->link) {
		k->canon = url_canonical(it->link);
		k->linkkey = xasprintf("l:%s", k->canon ? k->canon : it->link);
	}
	h = fnv_time(fnv_add(h, it->title), date);
	if (date == FEED_TIME_NONE)
		h = fnv_add(h, it->summary);
	k->hashkey = xasprintf("h:%016" PRIx64, h);
	h = fnv_add(fnv_add(HASH_INIT, it->title), it->summary);
	h = fnv_add(fnv_add(fnv_add(h, it->content), it->link), it->author);
	/* only when set: the hash of every item without one stays as it was */
	if (it->content_base != NULL)
		h = fnv_add(h, it->content_base);
	h = fnv_time(fnv_time(h, it->published), it->updated);
	for (size_t i = 0; i < it->ncategories; i++)
		h = fnv_add(h, it->categories[i]);
	snprintf(k->hash, sizeof(k->hash), "%016" PRIx64, h);
}

static int
cmp_canon(const void *a, const void *b)
{
	const struct item_keys *x = *(struct item_keys *const *)a;
	const struct item_keys *y = *(struct item_keys *const *)b;

	return strcmp(x->canon, y->canon);
}

static int
same_entry(const struct item_keys *a, const struct item_keys *b)
{
	const char *ta = a->it->title ? a->it->title : "";
	const char *tb = b->it->title ? b->it->title : "";

	if (a->idkey && b->idkey && strcmp(a->idkey, b->idkey) != 0)
		return 0;
	return strcmp(ta, tb) == 0;
}

/*
 * A link is a story's identity only when it names one story: a feed
 * whose different entries all point at one page (its home page, a
 * "read more" landing page) must not fold them into one story.
 */
static void
mark_shared_links(struct item_keys *k, size_t n, const char *home)
{
	struct item_keys **v = xcalloc(n ? n : 1, sizeof(*v));
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		if (k[i].canon != NULL) {
			if (home != NULL && strcmp(k[i].canon, home) == 0)
				k[i].link_shared = 1;
			v[m++] = &k[i];
		}
	qsort(v, m, sizeof(*v), cmp_canon);
	for (size_t i = 0, j; i < m; i = j) {
		int shared = 0;

		for (j = i + 1; j < m && strcmp(v[i]->canon, v[j]->canon) == 0;
		    j++)
			shared |= !same_entry(v[i], v[j]);
		for (size_t x = i; shared && x < j; x++)
			v[x]->link_shared = 1;
	}
	free(v);
}

struct item_keys *
itemkey_compute(const struct feed_doc *doc)
{
	struct item_keys *k = xcalloc(doc->nitems ? doc->nitems : 1,
	    sizeof(*k));
	char *home = doc->link ? url_canonical(doc->link) : NULL;

	for (size_t i = 0; i < doc->nitems; i++)
		keys_fill(&k[i], &doc->items[i]);
	mark_shared_links(k, doc->nitems, home);
	free(home);
	return k;
}

void
itemkey_free(struct item_keys *k, size_t n)
{
	for (size_t i = 0; k && i < n; i++) {
		free(k[i].idkey);
		free(k[i].canon);
		free(k[i].linkkey);
		free(k[i].hashkey);
	}
	free(k);
}

static int
streq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* Two items under one key that are not the same item. */
static int
conflict(const struct item_keys *a, const struct item_keys *b, int by_id)
{
	if (by_id)
		return !streq(a->linkkey, b->linkkey) ||
		    !streq(a->it->title, b->it->title);
	return !streq(a->it->title, b->it->title);
}

/* An item's key of one kind, with its index: sorted to find repeats. */
struct key_ref {
	const char *key;
	size_t	 i;
};

static int
key_ref_cmp(const void *a, const void *b)
{
	const struct key_ref *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c != 0 ? c : x->i < y->i ? -1 : x->i > y->i;
}

/*
 * The items' keys of one kind (idkey, linkkey or key: which 0, 1, 2),
 * the items without one left out, sorted by key then index; *m of them.
 * Sorting, not comparing every pair: a hostile feed holds 100,000 items
 * and the pairwise loops took minutes of the loop thread.
 */
static struct key_ref *
sorted_keys(const struct item_keys *k, size_t n, int which, size_t *m)
{
	struct key_ref *r = xcalloc(n + 1, sizeof(*r));

	*m = 0;
	for (size_t i = 0; i < n; i++) {
		const char *key = which == 0 ? k[i].idkey : which == 1 ?
		    k[i].linkkey : k[i].key;

		if (key != NULL) {
			r[*m].key = key;
			r[(*m)++].i = i;
		}
	}
	qsort(r, *m, sizeof(*r), key_ref_cmp);
	return r;
}

/*
 * Whether some key (idkey, or linkkey) is shared by items that differ.
 * "Differ" is an equivalence (equal link and title, or title), so a
 * group of one key conflicts when some member differs from its first.
 */
static int
repeats(const struct item_keys *k, size_t n, int by_id)
{
	size_t m, first = 0;
	struct key_ref *r = sorted_keys(k, n, by_id ? 0 : 1, &m);
	int found = 0;

	for (size_t j = 1; j < m && !found; j++) {
		if (strcmp(r[j].key, r[first].key) != 0)
			first = j;
		else
			found = conflict(&k[r[first].i], &k[r[j].i], by_id);
	}
	free(r);
	return found;
}

int
itemkey_doc_mode(const struct item_keys *k, size_t n, int mode)
{
	size_t withid = 0;

	for (size_t i = 0; i < n; i++)
		withid += k[i].idkey != NULL;
	if (mode == ID_MODE_ENTRY_ID && n > 0 &&
	    (withid == 0 || repeats(k, n, 1)))
		mode = ID_MODE_LINK;
	if (mode == ID_MODE_LINK && repeats(k, n, 0))
		mode = ID_MODE_HASH;
	return mode;
}

void
itemkey_choose(struct item_keys *k, size_t n, int mode)
{
	struct key_ref *r;
	size_t m;

	for (size_t i = 0; i < n; i++) {
		k[i].key = k[i].hashkey;
		if (mode <= ID_MODE_LINK && k[i].linkkey)
			k[i].key = k[i].linkkey;
		if (mode == ID_MODE_ENTRY_ID && k[i].idkey)
			k[i].key = k[i].idkey;
		k[i].dup = 0;
	}
	/* a dup: an earlier item has the same key (sorted: the one before) */
	r = sorted_keys(k, n, 2, &m);
	for (size_t j = 1; j < m; j++)
		k[r[j].i].dup = strcmp(r[j].key, r[j - 1].key) == 0;
	free(r);
}
