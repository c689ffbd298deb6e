/*
 * prep: the CPU-only half of storing a document (store_prepare_doc),
 * which the daemon runs on its worker threads: item keys, the text the
 * full-text index gets (and its start, which names an untitled item in
 * its alerts), the headlines story grouping compares, and the
 * key decisions the loop would otherwise make for every document.
 */
#include <stdlib.h>
#include <string.h>

#include "config/match.h"
#include "util/xmalloc.h"
#include "feeds/entry.h"
#include "feeds/headline.h"
#include "feeds/html.h"
#include "storage/store_int.h"

/*
 * The indexed body of an item: summary and content as text, at most
 * BODY_MAX bytes.  Words past that (an item with more than ~10,000
 * words of text) are neither searchable nor seen by the alert rules:
 * a bound on what one item costs the index.  A summary whose text the
 * content repeats (most full-content feeds) is indexed once.
 *
 * The index keeps no copy of this text: SQL's feedd_body(summary,
 * content) (db.c) computes it again from the stored HTML when FTS5
 * needs it (snippets, deleting an item's terms).  So it must give the
 * same text for the same HTML forever: a change to it or to
 * html_to_text needs a migration that rebuilds items_fts and items_tri.
 */
#define BODY_MAX (64 * 1024)

/* Bytes of an untitled item's text that name it (store_body_gist). */
#define GIST_MAX 120

char *
store_body_text(const char *summary, const char *content)
{
	char *sum = summary ? html_to_text(summary) : NULL;
	char *con = content ? html_to_text(content) : NULL;
	char *body;
	size_t ns, nc, n;

	if (sum != NULL && con != NULL && (*sum == '\0' ||
	    strstr(con, sum) != NULL)) {
		free(sum);
		sum = NULL;
	}
	/* "summary content", either alone, or "" (no printf: per item) */
	ns = sum ? strlen(sum) : 0;
	nc = con ? strlen(con) : 0;
	n = ns + (sum && con) + nc;
	body = xmalloc(n + 1);
	memcpy(body, sum ? sum : "", ns);
	if (sum && con)
		body[ns] = ' ';
	memcpy(body + n - nc, con ? con : "", nc);
	body[n] = '\0';
	if (n > BODY_MAX) {
		n = BODY_MAX;
		while (n > 0 && ((unsigned char)body[n] & 0xc0) == 0x80)
			n--;		/* not inside a UTF-8 sequence */
		body[n] = '\0';
	}
	free(sum);
	free(con);
	return body;
}

char *
store_item_body(const struct feed_item *it)
{
	return store_body_text(it->summary, it->content);
}

/*
 * An untitled item's name where a title would stand (the alert log,
 * through SQL's feedd_gist): the start of its text on one line, cut at
 * a word, NULL when it has none.  Microblog feeds leave every item's
 * title out, and "" told the reader of an alert nothing.
 */
char *
store_body_gist(const char *summary, const char *content)
{
	char *body = store_body_text(summary, content), *gist, *cut;

	gist = entry_clean_text(body, 0, 1);
	free(body);
	if (gist == NULL || *gist == '\0') {
		free(gist);
		return NULL;
	}
	if (strlen(gist) <= GIST_MAX)
		return gist;
	gist[GIST_MAX] = '\0';
	cut = strrchr(gist, ' ');
	if (cut != NULL && cut - gist >= GIST_MAX / 2)
		*cut = '\0';
	/* else (no late space: Chinese) at a character: the one cut in two
	 * at GIST_MAX goes */
	cut = entry_clean_text(gist, 0, 0);
	free(gist);
	gist = xasprintf("%s\xe2\x80\xa6", cut);
	free(cut);
	return gist;
}

static void
prep_every_mode(struct store_prep *prep)
{
	size_t n = prep->n;

	prep->per_mode = 1;
	for (int m = ID_MODE_ENTRY_ID; m <= ID_MODE_HASH; m++) {
		prep->mode_after[m] = itemkey_doc_mode(prep->k, n, m);
		prep->key[m] = xcalloc(n + 1, sizeof(char *));
		prep->dup[m] = xcalloc(n + 1, 1);
		itemkey_choose(prep->k, n, m);
		for (size_t i = 0; i < n; i++) {
			prep->key[m][i] = prep->k[i].key;
			prep->dup[m][i] = (unsigned char)prep->k[i].dup;
		}
	}
}

struct store_prep *
store_prep_new(const struct feed_doc *doc, int flags, int per_mode)
{
	struct store_prep *prep = xcalloc(1, sizeof(*prep));
	const char *title;

	prep->n = doc->nitems;
	prep->k = itemkey_compute(doc);
	if (flags & PREP_HEADLINES) {
		prep->hl = xcalloc(doc->nitems + 1, sizeof(*prep->hl));
		for (size_t i = 0; i < doc->nitems; i++)
			prep->hl[i] = headline_new(doc->items[i].title);
	}
	if (flags & PREP_BODIES) {
		prep->bodies = xcalloc(doc->nitems + 1, sizeof(char *));
		prep->tri = xcalloc(doc->nitems + 1, 1);
		for (size_t i = 0; i < doc->nitems; i++) {
			prep->bodies[i] = store_item_body(&doc->items[i]);
			title = doc->items[i].title ? doc->items[i].title : "";
			prep->tri[i] = match_text_spaceless(title) ||
			    match_text_spaceless(prep->bodies[i]);
		}
	}
	if (per_mode)
		prep_every_mode(prep);
	return prep;
}

struct store_prep *
store_prepare_doc(const struct feed_doc *doc, int flags)
{
	return store_prep_new(doc, flags, 1);
}

const char *
store_prep_body(const struct store_prep *prep, size_t i)
{
	return prep->bodies && i < prep->n ? prep->bodies[i] : NULL;
}

void
store_prep_free(struct store_prep *prep)
{
	if (prep == NULL)
		return;
	itemkey_free(prep->k, prep->n);
	for (size_t i = 0; prep->bodies && i < prep->n; i++)
		free(prep->bodies[i]);
	free(prep->bodies);
	free(prep->tri);
	for (size_t i = 0; prep->hl && i < prep->n; i++)
		headline_free(prep->hl[i]);
	free(prep->hl);
	for (int m = ID_MODE_ENTRY_ID; m <= ID_MODE_HASH; m++) {
		free(prep->key[m]);
		free(prep->dup[m]);
	}
	free(prep);
}

