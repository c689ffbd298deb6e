/*
 * migrate: the schema, as an ordered list of migrations.  The database
 * records how many it has applied in PRAGMA user_version; each pending
 * one runs in its own transaction together with the version bump, so a
 * crash leaves the schema at a version boundary.  Append, never edit.
 */
#include <stdlib.h>

#include "util/clock.h"
#include "util/xmalloc.h"
#include "storage/store_int.h"

/*
 * Version 1.
 * feeds.id_mode: how items of this feed are keyed (0 entry id, 1 link,
 * 2 hash of title and date); it only ever moves up.
 * stories.key: the canonical URL, or "item:FEEDID:ITEMKEY" for an item
 * without a usable link.  stories.sort_time: published (else first
 * seen, and never later than first seen) of the item that created it.
 * items.canon: the canonical link, else the link as given (finds an
 * item whose id changed).  items.story_new: 1 when this item created
 * its story (0 joined by its link, 2 by likeness); the alert rules
 * look at every new item, whichever.
 * alerts carry a copy of what they announced and the story key, not a
 * reference: pruning stories never loses or repeats an alert.
 */
static const char *const migrations[] = {
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
	"INSERT INTO meta VALUES ('generation', 1);"
	"CREATE TABLE feeds ("
	" id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	" url TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1,"
	" etag TEXT, last_modified TEXT, body_hash TEXT,"
	" last_status INTEGER NOT NULL DEFAULT 0, last_error TEXT,"
	" last_fetch INTEGER NOT NULL DEFAULT 0,"
	" last_success INTEGER NOT NULL DEFAULT 0,"
	" next_due INTEGER NOT NULL DEFAULT 0,"
	" consecutive_errors INTEGER NOT NULL DEFAULT 0,"
	" gone INTEGER NOT NULL DEFAULT 0, redirect_url TEXT,"
	" fetches INTEGER NOT NULL DEFAULT 0,"
	" not_modified INTEGER NOT NULL DEFAULT 0,"
	" title TEXT, link TEXT, updated INTEGER,"
	" id_mode INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE stories ("
	" id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE,"
	" first_seen INTEGER NOT NULL, sort_time INTEGER NOT NULL);"
	"CREATE INDEX stories_newest ON stories (sort_time DESC, id DESC);"
	"CREATE TABLE items ("
	" id INTEGER PRIMARY KEY,"
	" feed_id INTEGER NOT NULL REFERENCES feeds (id),"
	" story_id INTEGER NOT NULL REFERENCES stories (id),"
	" key TEXT NOT NULL, hash TEXT NOT NULL, canon TEXT,"
	" entry_id TEXT, title TEXT, link TEXT, author TEXT,"
	" summary TEXT, content TEXT, categories TEXT,"
	" published INTEGER, updated INTEGER,"
	" first_seen INTEGER NOT NULL,"
	" story_new INTEGER NOT NULL DEFAULT 0,"
	" alert_checked INTEGER NOT NULL DEFAULT 0,"
	" UNIQUE (feed_id, key));"
	"CREATE INDEX items_story ON items (story_id, id);"
	"CREATE INDEX items_feed_canon ON items (feed_id, canon);"
	"CREATE INDEX items_first_seen ON items (first_seen);"
	"CREATE INDEX items_unchecked ON items (id) WHERE alert_checked = 0;"
	"CREATE VIRTUAL TABLE items_fts USING fts5 (title, body,"
	" tokenize = 'unicode61 remove_diacritics 2');"
	"CREATE VIRTUAL TABLE items_tri USING fts5 (text,"
	" tokenize = 'trigram');"
	"CREATE TABLE alerts ("
	" id INTEGER PRIMARY KEY, rule TEXT NOT NULL,"
	" story_key TEXT NOT NULL, item_id INTEGER,"
	" title TEXT, link TEXT, feed TEXT, published INTEGER,"
	" fired_at INTEGER NOT NULL, written INTEGER NOT NULL DEFAULT 0,"
	" UNIQUE (rule, story_key));"
	"CREATE INDEX alerts_newest ON alerts (fired_at DESC, id DESC);"
	"CREATE INDEX alerts_pending ON alerts (id) WHERE written = 0;",
	/*
	 * Version 2.  meta 'alert_mark': every item with a higher id waits
	 * for the alert rules, every other one was checked (items take ids
	 * above it, see items_db.c).  Marking a batch checked is then one
	 * meta update instead of rewriting each item row (alert_checked is
	 * no longer used).  Items left unchecked count from the first one.
	 */
	"INSERT INTO meta VALUES ('alert_mark', coalesce((SELECT min(id) - 1"
	" FROM items WHERE alert_checked = 0), (SELECT max(id) FROM items), 0));"
	"DROP INDEX items_unchecked;",
	/*
	 * Version 3.  What the outputs need from a source to be faithful
	 * to it: items.enclosures (URL, type, length; see items_db.c for
	 * the encoding); the feed's own id, author and language; feeds.tags
	 * from the config (",a,b,", for tag: terms in rules).  Stories
	 * of undated items were sorted at first seen; the feed's date, when
	 * it is older, is the better guess (they are old stories of a feed
	 * fetched for the first time).
	 */
	"ALTER TABLE items ADD COLUMN enclosures TEXT;"
	"ALTER TABLE feeds ADD COLUMN doc_id TEXT;"
	"ALTER TABLE feeds ADD COLUMN author TEXT;"
	"ALTER TABLE feeds ADD COLUMN language TEXT;"
	"ALTER TABLE feeds ADD COLUMN tags TEXT;"
	"UPDATE stories SET sort_time = (SELECT f.updated FROM items i"
	" JOIN feeds f ON f.id = i.feed_id WHERE i.story_id = stories.id"
	" ORDER BY i.id LIMIT 1) WHERE (SELECT i.published IS NULL AND"
	" i.updated IS NULL AND f.updated < stories.sort_time FROM items i"
	" JOIN feeds f ON f.id = i.feed_id WHERE i.story_id = stories.id"
	" ORDER BY i.id LIMIT 1);"
	/*
	 * A change of script is a word boundary (config/match.h): the
	 * word index of items with letters of a spaceless script is
	 * rebuilt with spaces at those changes (feedd_split_scripts is
	 * registered on every connection, storage/db.c).
	 */
	"CREATE TEMP TABLE m3_fts AS SELECT rowid AS id, title, body"
	" FROM items_fts WHERE rowid IN (SELECT rowid FROM items_tri);"
	"DELETE FROM items_fts WHERE rowid IN (SELECT id FROM temp.m3_fts);"
	"INSERT INTO items_fts (rowid, title, body) SELECT id,"
	" feedd_split_scripts(title), feedd_split_scripts(body)"
	" FROM temp.m3_fts;"
	"DROP TABLE temp.m3_fts;",
	/*
	 * Version 4.  The text is kept once: items_fts and items_tri become
	 * external-content tables that read it from items through the views
	 * items_text and items_tri_text, whose feedd_body() (storage/db.c)
	 * computes the indexed text from the stored HTML again; before, FTS5
	 * kept its own copy of every item's text and items_tri another of
	 * the spaceless ones.  items.tri marks the items items_tri holds
	 * (text written without spaces, see items_db.c), so that deleting
	 * an item's trigram terms finds the text they came from.  Both
	 * indexes are rebuilt from the items themselves, so they agree with
	 * the views exactly.  As in version 3, the word index sees the
	 * text of those items split where the script changes.
	 */
	"ALTER TABLE items ADD COLUMN tri INTEGER NOT NULL DEFAULT 0;"
	"UPDATE items SET tri = 1 WHERE id IN (SELECT rowid FROM items_tri);"
	"CREATE INDEX items_tri_ids ON items (id) WHERE tri = 1;"
	"DROP TABLE items_fts;"
	"DROP TABLE items_tri;"
	"CREATE VIEW items_text AS SELECT id, CASE WHEN tri THEN"
	" feedd_split_scripts(coalesce(title, '')) ELSE coalesce(title, '')"
	" END AS title, CASE WHEN tri THEN"
	" feedd_split_scripts(feedd_body(summary, content)) ELSE"
	" feedd_body(summary, content) END AS body FROM items;"
	"CREATE VIEW items_tri_text AS SELECT id, coalesce(title, '') || ' '"
	" || feedd_body(summary, content) AS text FROM items WHERE tri = 1;"
	"CREATE VIRTUAL TABLE items_fts USING fts5 (title, body,"
	" content = 'items_text', content_rowid = 'id',"
	" tokenize = 'unicode61 remove_diacritics 2');"
	"CREATE VIRTUAL TABLE items_tri USING fts5 (text,"
	" content = 'items_tri_text', content_rowid = 'id',"
	" tokenize = 'trigram');"
	"INSERT INTO items_fts (items_fts) VALUES ('rebuild');"
	"INSERT INTO items_tri (items_tri) VALUES ('rebuild');",
	/*
	 * Version 5.  What a server asked for outlives the process (feedd
	 * once from cron): host_holds keeps a 429/503 Retry-After hold on a
	 * host until its end; feeds.due_by_server says next_due came from
	 * the server (Retry-After, Cache-Control) or from backoff, so a
	 * lowered interval does not pull it earlier.
	 */
	"CREATE TABLE IF NOT EXISTS host_holds (host TEXT PRIMARY KEY,"
	" until INTEGER NOT NULL);"
	"ALTER TABLE feeds ADD COLUMN due_by_server INTEGER NOT NULL DEFAULT 0;",
	/*
	 * Version 6: stories across outlets (storage/group.c).  An item
	 * may join a story because it reports the same event; its
	 * canonical key then names that story in story_alias (keyed by
	 * the key's FNV-1a hash, a rowid: cheap to insert; a colliding
	 * key is simply not aliased), so canonical-link dedupe still
	 * finds it first (when a source last
	 * joined is its newest item's first_seen).  items.story_why: why
	 * an item joined by likeness (score and shared tokens), NULL
	 * otherwise.  items.story_new is 2 for such an item.
	 */
	"ALTER TABLE items ADD COLUMN story_why TEXT;"
	"CREATE TABLE story_alias (hash INTEGER PRIMARY KEY, key TEXT NOT NULL,"
	" story_id INTEGER NOT NULL REFERENCES stories (id));"
	"CREATE INDEX story_alias_story ON story_alias (story_id);",
	/*
	 * Version 7: the render cache (storage/stories_db.c).  item_html
	 * keeps what the outputs read of an item: its columns and its HTML
	 * as shown (sanitized, made absolute; key names what it was made
	 * with, feeds/entry.c entry_html_key), written when the item is
	 * first rendered.  Its rowid (pos) follows its story's sort time,
	 * so the outputs, which list stories about in that order, read
	 * neighbours from one page and not the items' large rows.  A row
	 * goes with its item, and when any column it copies changes.
	 * items_story_dates replaces items_story: the outputs order
	 * stories by their items' dates from the index alone.
	 */
	"CREATE TABLE item_html (pos INTEGER PRIMARY KEY,"
	" id INTEGER NOT NULL UNIQUE, story_id INTEGER NOT NULL,"
	" feed_id INTEGER NOT NULL, entry_id TEXT, title TEXT, link TEXT,"
	" author TEXT, categories TEXT, published INTEGER, updated INTEGER,"
	" first_seen INTEGER NOT NULL, enclosures TEXT, story_why TEXT,"
	" key INTEGER NOT NULL, html_content TEXT, html_summary TEXT,"
	" html_text TEXT);"
	"CREATE TRIGGER item_html_gone AFTER DELETE ON items"
	" BEGIN DELETE FROM item_html WHERE id = old.id; END;"
	"CREATE TRIGGER item_html_stale AFTER UPDATE OF feed_id, story_id,"
	" entry_id, title, link, author, summary, content, categories,"
	" published, updated, first_seen, enclosures, story_why ON items"
	" BEGIN DELETE FROM item_html WHERE id = old.id; END;"
	"CREATE INDEX items_story_dates ON items (story_id, id, first_seen,"
	" published, updated);"
	"DROP INDEX items_story;",
	/*
	 * Version 8: story_alias rows get a rowid in the order they are
	 * written, and the hash a unique index of its own.  Keyed by the
	 * hash, every alias went to a random page of a table that holds
	 * the keys' text: past the page cache (some 200,000 aliases at
	 * 10,000 feeds) each insert read a page and wrote it back, half
	 * the I/O of a first fetch.  The index of hashes is a fifth of
	 * that size and stays in the cache; the rows are appended.
	 */
	"CREATE TABLE story_alias_v8 (id INTEGER PRIMARY KEY,"
	" hash INTEGER NOT NULL, key TEXT NOT NULL,"
	" story_id INTEGER NOT NULL REFERENCES stories (id));"
	"INSERT INTO story_alias_v8 (hash, key, story_id)"
	" SELECT hash, key, story_id FROM story_alias ORDER BY story_id, hash;"
	"DROP TABLE story_alias;"
	"ALTER TABLE story_alias_v8 RENAME TO story_alias;"
	"CREATE UNIQUE INDEX story_alias_hash ON story_alias (hash);"
	"CREATE INDEX story_alias_story ON story_alias (story_id);",
	/*
	 * Version 9: each story keeps its place in the outputs' order
	 * (STORY_ORDER_SET, store_int.h), so that the
	 * outputs walk stories_shown instead of sorting every story they
	 * list: their memory no longer grows with max_entries (the index
	 * holds all they read, and it is read in order).  The few
	 * whose first item's updated is ahead of the clock are found by
	 * stories_early.  The code that adds, changes or deletes items
	 * sets it again (items_db.c, the prune), not triggers: an INSERT
	 * with a trigger that writes takes a statement journal, and a cold
	 * store cost 2.3 times as much (2,000 feeds: 106 us an item, not
	 * 46).  A story's sort time only changes in version 3's migration.
	 */
	"ALTER TABLE stories ADD COLUMN first_item INTEGER;"
	"ALTER TABLE stories ADD COLUMN nitems INTEGER;"
	"ALTER TABLE stories ADD COLUMN newest_seen INTEGER;"
	"ALTER TABLE stories ADD COLUMN shown_at INTEGER;"
	"ALTER TABLE stories ADD COLUMN shown_at_early INTEGER;"
	"ALTER TABLE stories ADD COLUMN early_until INTEGER;"
	"UPDATE stories SET" STORY_ORDER_SET ";"
	"CREATE INDEX stories_shown ON stories (shown_at DESC, sort_time DESC,"
	" id DESC, early_until, first_item, nitems, newest_seen);"
	"CREATE INDEX stories_early ON stories (early_until)"
	" WHERE early_until IS NOT NULL;",
	/*
	 * Version 10: the word index merges its segments eight at a time,
	 * not four (FTS5's automerge, kept in items_fts_config).  Merging
	 * is most of what an insert costs once the index is large: on
	 * 200,000 items of the realistic corpus a bare FTS5 insert took 49
	 * us an item at 4, 40 at 8, and grew from 34 to 49 us an item
	 * between 10,000 and 200,000 items at 4, from 33 to 40 at 8.
	 * Queries read up to seven segments a level instead of three: the
	 * bench's phrase, AND and ranked queries took 0.6 ms, not 0.5.
	 * Crisis merges stay at 16 segments, as before.
	 */
	"INSERT INTO items_fts (items_fts, rank) VALUES ('automerge', 8);",
	/*
	 * Version 11: the id the outputs first gave a story's entry, kept
	 * (shown_id; store_story_claim_id).  Worked out again at each
	 * render, it changed under readers who had the entry: when a
	 * newer story came with the same source id (the newer took it,
	 * the older was given another), when a known item's id changed
	 * (a site moving to https) and when a feed's URL changed.  The
	 * hash of each id kept is unique: the first story to show an id
	 * keeps it.  Set by the render, for the stories it shows.
	 */
	"ALTER TABLE stories ADD COLUMN shown_id TEXT;"
	"ALTER TABLE stories ADD COLUMN shown_id_hash INTEGER;"
	"CREATE UNIQUE INDEX stories_shown_id ON stories (shown_id_hash)"
	" WHERE shown_id_hash IS NOT NULL;",
	/*
	 * Version 12: feeds by URL.  A feed of a name new to the database
	 * looks for an inactive feed of its URL (feeds_db.c, add_one); with
	 * no index each such look read the whole table, so a first start
	 * with 10,000 feeds spent 1.25 s of its CPU there, before fetching
	 * anything, and the time grew with the square of the feeds.
	 */
	"CREATE INDEX feeds_url ON feeds (url);",
	/*
	 * Version 13: content keeps its relative URLs, with the base they
	 * resolve against in content_base (feeds/feed.h); the outputs
	 * resolve them as they sanitize.  Resolving them at the fetch
	 * parsed every such item's HTML into a tree and wrote it out
	 * again, a tenth of a first fetch's CPU, for markup the outputs
	 * parse again anyway.  Items stored before keep their content as
	 * it was, absolute, and content_base NULL.  A new base makes the
	 * kept HTML stale, as new content does.
	 */
	"ALTER TABLE items ADD COLUMN content_base TEXT;"
	"DROP TRIGGER item_html_stale;"
	"CREATE TRIGGER item_html_stale AFTER UPDATE OF feed_id, story_id,"
	" entry_id, title, link, author, summary, content, content_base,"
	" categories, published, updated, first_seen, enclosures, story_why"
	" ON items BEGIN DELETE FROM item_html WHERE id = old.id; END;",
};
#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

_Static_assert(NMIGRATIONS == STORE_SCHEMA_VERSION,
    "STORE_SCHEMA_VERSION counts the migrations");

int
store_user_version(struct store *st)
{
	sqlite3_stmt *s;
	int v = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s,
	    NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

static int
apply(struct store *st, int i, char **errstr)
{
	char *bump = xasprintf("PRAGMA user_version = %d;", i + 1);
	int rc = -1;

	if (store_exec(st, "BEGIN IMMEDIATE;") == -1)
		goto fail;
	if (store_exec(st, migrations[i]) == -1 || store_exec(st, bump) == -1 ||
	    store_exec(st, "COMMIT;") == -1)
		goto fail;
	rc = 0;
	goto out;
fail:
	*errstr = xasprintf("%s: migration %d: %s", st->path, i + 1,
	    store_cause(st));
	store_rollback(st);
out:
	free(bump);
	return rc;
}

/* SQLite VM steps between two looks at the clock while migrating. */
#define MIGRATE_PROGRESS_OPS	100000

/* SQLite's progress handler while migrating: st->busy about once a
 * second (0: go on). */
static int
migrate_progress(void *arg)
{
	struct store *st = arg;
	int64_t now = clock_monotonic_ms();

	if (now - st->busy_at >= 1000) {
		st->busy_at = now;
		st->busy(st->busy_arg);
	}
	return 0;
}

int
store_migrate(struct store *st, char **errstr)
{
	int v = store_user_version(st), rc = 0;

	if (v > NMIGRATIONS) {
		*errstr = xasprintf("%s: schema version %d is newer than this "
		    "feedd (%d)", st->path, v, NMIGRATIONS);
		return -1;
	}
	if (st->busy != NULL && v > 0 && v < NMIGRATIONS) {
		st->busy_at = clock_monotonic_ms();
		st->busy(st->busy_arg);
		sqlite3_progress_handler(st->db, MIGRATE_PROGRESS_OPS,
		    migrate_progress, st);
	}
	for (int i = v < 0 ? 0 : v; rc == 0 && i < NMIGRATIONS; i++)
		rc = apply(st, i, errstr);
	sqlite3_progress_handler(st->db, 0, NULL, NULL);
	return rc;
}
