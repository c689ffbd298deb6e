/*
 * test_alerts_db: alert matching in the store: once per (rule, story)
 * however often or from however many feeds it comes, never for old
 * items or items joining a known story; pending until written.
 */
#include "tests/store_fixture.h"
#include "util/utf8.h"

#define NOW 1790000000

struct rules {
	struct rule_conf r[2];
	size_t	 n;
};

static void
rules_init(struct rules *rs, const char *name, const char *expr)
{
	char *err = NULL;

	memset(rs, 0, sizeof(*rs));
	rs->r[0].def.name = (char *)name;
	rs->r[0].expr = match_compile(expr, &err);
	cr_assert_not_null(rs->r[0].expr, "%s: %s", expr, err ? err : "?");
	rs->n = 1;
}

static void
rules_add(struct rules *rs, const char *name, const char *expr)
{
	char *err = NULL;

	rs->r[rs->n].def.name = (char *)name;
	rs->r[rs->n].expr = match_compile(expr, &err);
	cr_assert_not_null(rs->r[rs->n].expr, "%s", err ? err : "?");
	rs->n++;
}

static void
rules_free(struct rules *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		match_free(rs->r[i].expr);
}

static int
run_rules(struct fx *fx, struct rules *rs, int64_t now)
{
	int fired = -1;

	cr_assert_eq(store_alerts_match(fx->st, rs->r, rs->n, 48 * 3600, now, 0,
	    &fired), 0, "%s", store_errmsg(fx->st));
	return fired;
}

static void
put_one(struct fx *fx, const char *feed, const char *id, const char *title,
    const char *link, int64_t published, int64_t now)
{
	struct feed_doc *doc = feed_doc_new();

	fx_item(doc, id, title, link, published);
	fx_put(fx, fx_feed(fx, feed), doc, now);
	feed_doc_free(doc);
}

Test(alerts_db, fires_once_per_rule_and_story_across_refetches)
{
	struct fx fx;
	struct rules rs;
	struct alert_row *rows;
	size_t n;

	fx_open(&fx);
	rules_init(&rs, "china-ai", "China AND (AI OR DeepSeek)");
	rules_add(&rs, "gpu", "GPU");
	put_one(&fx, "hn", "1", "China ships a DeepSeek model",
	    "https://x.example/1", NOW - 60, NOW);
	put_one(&fx, "hn", "2", "Weather in Paris", "https://x.example/2",
	    NOW - 60, NOW);
	cr_assert_eq(run_rules(&fx, &rs, NOW), 1);
	/* the same doc again, and a content change: no second alert */
	put_one(&fx, "hn", "1", "China ships a DeepSeek model",
	    "https://x.example/1", NOW - 60, NOW + 60);
	put_one(&fx, "hn", "1", "China ships a DeepSeek model (update)",
	    "https://x.example/1", NOW - 60, NOW + 120);
	cr_assert_eq(run_rules(&fx, &rs, NOW + 180), 0);
	cr_assert_eq(store_alerts_list(fx.st, NULL, 10, &rows, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(rows[0].rule, "china-ai");
	cr_assert_str_eq(rows[0].title, "China ships a DeepSeek model");
	cr_assert_str_eq(rows[0].feed, "hn");
	cr_assert_eq(rows[0].published, NOW - 60);
	cr_assert_eq(rows[0].fired_at, NOW);
	cr_assert_neq(rows[0].story_id, 0);
	alert_rows_free(rows, n);
	rules_free(&rs);
	fx_close(&fx);
}

Test(alerts_db, whole_words_only)
{
	struct fx fx;
	struct rules rs;

	fx_open(&fx);
	rules_init(&rs, "ai", "AI");
	put_one(&fx, "a", "1", "He said nothing", "https://x.example/1",
	    NOW, NOW);
	cr_assert_eq(run_rules(&fx, &rs, NOW), 0);
	put_one(&fx, "a", "2", "New AI lab", "https://x.example/2", NOW, NOW);
	cr_assert_eq(run_rules(&fx, &rs, NOW), 1);
	rules_free(&rs);
	fx_close(&fx);
}

Test(alerts_db, matches_summary_and_content_text)
{
	struct fx fx;
	struct rules rs;
	struct feed_doc *doc = feed_doc_new();
	struct feed_item *it;

	fx_open(&fx);
	rules_init(&rs, "os", "\"open weights\"");
	it = fx_item(doc, "1", "A release", "https://x.example/1", NOW);
	it->content = xstrdup("<p>The model has <b>open weights</b>.</p>");
	fx_put(&fx, fx_feed(&fx, "a"), doc, NOW);
	cr_assert_eq(run_rules(&fx, &rs, NOW), 1);
	feed_doc_free(doc);
	rules_free(&rs);
	fx_close(&fx);
}

/*
 * Microblog feeds (Mastodon's RSS) give no item a title: the alert
 * names the item by the start of its text, on one line, cut at a word.
 */
Test(alerts_db, untitled_item_alerts_under_the_start_of_its_text)
{
	struct fx fx;
	struct rules rs;
	struct feed_doc *doc = feed_doc_new();
	struct feed_item *it;
	struct alert_row *rows;
	size_t n;

	fx_open(&fx);
	rules_init(&rs, "os", "\"open source\"");
	it = fx_item(doc, "https://m.example/@lab/1", NULL,
	    "https://m.example/@lab/1", NOW);
	it->summary = xstrdup("<p>We are releasing our new\n  model as "
	    "<b>open source</b> today, weights and training code included, "
	    "under the Apache license; details in the thread below.</p>");
	it = fx_item(doc, "https://m.example/@lab/2", "",
	    "https://m.example/@lab/2", NOW);
	it->summary = xstrdup("<p>More <i>open source</i> tools</p>");
	/* 35 three-byte characters fit; the 36th is cut in two at 120 */
	it = fx_item(doc, "https://m.example/@lab/3", NULL,
	    "https://m.example/@lab/3", NOW);
	it->summary = xstrdup("<p>\"open source\" \xe6\xa8\xa1\xe5\x9e\x8b"
	    "\xe4\xbb\x8a\xe5\xa4\xa9\xe5\x8f\x91\xe5\xb8\x83\xe6\x9d\x83"
	    "\xe9\x87\x8d\xe5\x92\x8c\xe4\xbb\xa3\xe7\xa0\x81\xe5\x85\xa8"
	    "\xe9\x83\xa8\xe5\xbc\x80\xe6\x94\xbe\xe6\xac\xa2\xe8\xbf\x8e"
	    "\xe5\xa4\xa7\xe5\xae\xb6\xe8\xaf\x95\xe7\x94\xa8\xe5\xb9\xb6"
	    "\xe5\x8f\x8d\xe9\xa6\x88\xe6\x84\x8f\xe8\xa7\x81\xe8\xb0\xa2"
	    "\xe8\xb0\xa2\xe5\xa4\xa7\xe5\xae\xb6\xe7\x9a\x84\xe6\x94\xaf"
	    "\xe6\x8c\x81\xe6\x88\x91\xe4\xbb\xac\xe4\xbc\x9a\xe7\xbb\xa7"
	    "\xe7\xbb\xad\xe5\x8a\xaa\xe5\x8a\x9b</p>");
	fx_put(&fx, fx_feed(&fx, "lab"), doc, NOW);
	cr_assert_eq(run_rules(&fx, &rs, NOW), 3);
	cr_assert_eq(store_alerts_list(fx.st, NULL, 10, &rows, &n), 0);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(rows[1].title, "More open source tools");
	cr_assert_str_eq(rows[2].title, "We are releasing our new model as "
	    "open source today, weights and training code included, under "
	    "the Apache license;\xe2\x80\xa6");
	cr_assert_leq(strlen(rows[2].title), 120 + 3);
	/* cut after 119 bytes: "\"open source\" " and 35 characters */
	cr_assert_eq(strlen(rows[0].title), 119 + 3, "%s", rows[0].title);
	cr_assert(utf8_valid(rows[0].title, strlen(rows[0].title)));
	cr_assert_str_eq(rows[0].title + 119, "\xe2\x80\xa6");
	alert_rows_free(rows, n);
	feed_doc_free(doc);
	rules_free(&rs);
	fx_close(&fx);
}

Test(alerts_db, old_items_never_alert_future_dates_count_as_now)
{
	struct fx fx;
	struct rules rs;

	fx_open(&fx);
	rules_init(&rs, "ai", "AI");
	put_one(&fx, "a", "1", "Old AI news", "https://x.example/1",
	    NOW - 49 * 3600, NOW);
	put_one(&fx, "a", "2", "Future AI news", "https://x.example/2",
	    NOW + 30 * 86400, NOW);
	put_one(&fx, "a", "3", "Undated AI news", "https://x.example/3",
	    FEED_TIME_NONE, NOW);
	cr_assert_eq(run_rules(&fx, &rs, NOW), 2);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM alerts"
	    " WHERE title LIKE 'Old%'"), 0);
	/* checked once: a later run does not reconsider them */
	cr_assert_eq(run_rules(&fx, &rs, NOW), 0);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items WHERE id >"
	    " (SELECT value FROM meta WHERE key = 'alert_mark')"), 0);
	rules_free(&rs);
	fx_close(&fx);
}

/*
 * A story first seen without the keyword (an aggregator's bare
 * headline) alerts when an item of another feed that has it joins the
 * story by its link, and no rule fires twice for the story: before, only
 * the item that created a story was matched, and rules (feed:NAME among
 * them) missed every story another feed had carried first.
 */
Test(alerts_db, item_joining_a_known_story_alerts_rules_not_yet_fired)
{
	struct fx fx;
	struct rules rs;

	fx_open(&fx);
	rules_init(&rs, "ai", "AI");
	rules_add(&rs, "story", "story");
	put_one(&fx, "a", "1", "Boring story", "https://x.example/s",
	    NOW, NOW);
	cr_assert_eq(run_rules(&fx, &rs, NOW), 1, "story fires");
	/* another feed, same story, now with the keyword */
	put_one(&fx, "b", "9", "AI story", "https://www.x.example/s?utm_source=b",
	    NOW, NOW + 60);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM stories"), 1);
	cr_assert_eq(run_rules(&fx, &rs, NOW + 60), 1, "ai fires, story not");
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM alerts WHERE"
	    " rule = 'ai' AND title = 'AI story'"), 1);
	/* a third copy matches both: nothing more */
	put_one(&fx, "c", "3", "AI story too", "https://x.example/s/",
	    NOW, NOW + 120);
	cr_assert_eq(run_rules(&fx, &rs, NOW + 120), 0);
	rules_free(&rs);
	fx_close(&fx);
}

Test(alerts_db, same_story_from_several_feeds_in_one_batch_alerts_once)
{
	struct fx fx;
	struct rules rs;

	fx_open(&fx);
	rules_init(&rs, "ai", "AI");
	put_one(&fx, "a", "1", "AI story", "https://x.example/s", NOW, NOW);
	put_one(&fx, "b", "2", "AI story", "http://x.example/s/", NOW, NOW);
	put_one(&fx, "c", "3", "AI story", "https://www.x.example/s#top",
	    NOW, NOW);
	cr_assert_eq(run_rules(&fx, &rs, NOW), 1);
	rules_free(&rs);
	fx_close(&fx);
}

Test(alerts_db, pending_until_marked_written)
{
	struct fx fx;
	struct rules rs;
	struct alert_row *rows;
	size_t n;
	int64_t ids[2];

	fx_open(&fx);
	rules_init(&rs, "ai", "AI");
	put_one(&fx, "a", "1", "First AI", "https://x.example/1", NOW, NOW);
	put_one(&fx, "a", "2", "Second AI", "https://x.example/2", NOW, NOW);
	cr_assert_eq(run_rules(&fx, &rs, NOW), 2);
	cr_assert_eq(store_alerts_pending(fx.st, 0, 0, &rows, &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(rows[0].title, "First AI");	/* oldest first */
	cr_assert_eq(rows[0].written, 0);
	ids[0] = rows[0].id;
	ids[1] = rows[1].id;
	alert_rows_free(rows, n);
	cr_assert_eq(store_alerts_mark_written(fx.st, ids, 1), 0);
	cr_assert_eq(store_alerts_pending(fx.st, 0, 0, &rows, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(rows[0].id, ids[1]);
	alert_rows_free(rows, n);
	cr_assert_eq(store_alerts_mark_written(fx.st, ids + 1, 1), 0);
	cr_assert_eq(store_alerts_pending(fx.st, 0, 0, &rows, &n), 0);
	cr_assert_eq(n, 0);
	alert_rows_free(rows, n);
	rules_free(&rs);
	fx_close(&fx);
}

Test(alerts_db, pruned_story_that_returns_does_not_alert_again)
{
	struct fx fx;
	struct rules rs;

	fx_open(&fx);
	rules_init(&rs, "ai", "AI");
	put_one(&fx, "a", "1", "AI story", "https://x.example/1", NOW, NOW);
	cr_assert_eq(run_rules(&fx, &rs, NOW), 1);
	cr_assert_eq(store_prune(fx.st, NOW + 10, 0, 0), 1);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM stories"), 0);
	put_one(&fx, "a", "1", "AI story", "https://x.example/1", NOW,
	    NOW + 20);
	cr_assert_eq(run_rules(&fx, &rs, NOW + 20), 0);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM alerts"), 1);
	rules_free(&rs);
	fx_close(&fx);
}

Test(alerts_db, generation_moves_only_when_alerts_fire)
{
	struct fx fx;
	struct rules rs;
	int64_t gen;

	fx_open(&fx);
	rules_init(&rs, "ai", "AI");
	put_one(&fx, "a", "1", "Nothing here", "https://x.example/1", NOW, NOW);
	gen = store_generation(fx.st);
	cr_assert_eq(run_rules(&fx, &rs, NOW), 0);
	cr_assert_eq(store_generation(fx.st), gen);
	put_one(&fx, "a", "2", "AI here", "https://x.example/2", NOW, NOW);
	gen = store_generation(fx.st);
	cr_assert_eq(run_rules(&fx, &rs, NOW), 1);
	cr_assert_neq(store_generation(fx.st), gen);
	rules_free(&rs);
	fx_close(&fx);
}

Test(alerts_db, stories_filtered_by_rule)
{
	struct fx fx;
	struct rules rs;
	struct story_row *rows;
	size_t n;

	fx_open(&fx);
	rules_init(&rs, "ai", "AI");
	put_one(&fx, "a", "1", "AI here", "https://x.example/1", NOW, NOW);
	put_one(&fx, "a", "2", "Not here", "https://x.example/2", NOW, NOW);
	run_rules(&fx, &rs, NOW);
	cr_assert_eq(store_stories_newest(fx.st, NULL, "ai", 10, &rows, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(rows[0].title, "AI here");
	story_rows_free(rows, n);
	rules_free(&rs);
	fx_close(&fx);
}

Test(alerts_db, cjk_terms_match_and_only_cjk_text_is_trigram_indexed)
{
	struct fx fx;
	struct rules rs;

	fx_open(&fx);
	rules_init(&rs, "robot", "ロボット");	/* 4 characters: trigram MATCH */
	rules_add(&rs, "tokyo", "東京");	/* 2 characters: LIKE */
	put_one(&fx, "a", "1", "Robots in Tokyo", "https://x.example/1",
	    NOW, NOW);
	put_one(&fx, "a", "2", "東京でロボットの展示会", "https://x.example/2",
	    NOW, NOW);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items_tri"), 1);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items_tri WHERE"
	    " instr(text, '東京') > 0"), 1);
	cr_assert_eq(run_rules(&fx, &rs, NOW), 2, "both rules, item 2");
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM alerts"
	    " WHERE link = 'https://x.example/2'"), 2);
	rules_free(&rs);
	fx_close(&fx);
}

Test(alerts_db, mixed_word_and_cjk_rule_matches_new_items_only)
{
	struct fx fx;
	struct rules rs;

	fx_open(&fx);
	rules_init(&rs, "mixed", "agent AND ロボット");
	put_one(&fx, "a", "1", "agent ロボット one", "https://x.example/1",
	    NOW, NOW);
	cr_assert_eq(run_rules(&fx, &rs, NOW), 1);
	put_one(&fx, "a", "2", "agent only", "https://x.example/2", NOW, NOW);
	put_one(&fx, "a", "3", "ロボット only", "https://x.example/3", NOW,
	    NOW);
	cr_assert_eq(run_rules(&fx, &rs, NOW), 0);
	put_one(&fx, "a", "4", "ロボット agent two", "https://x.example/4", NOW,
	    NOW);
	cr_assert_eq(run_rules(&fx, &rs, NOW), 1);
	rules_free(&rs);
	fx_close(&fx);
}

Test(alerts_db, word_rule_sees_items_stored_since_the_last_run_only)
{
	struct fx fx;
	struct rules rs;

	fx_open(&fx);
	rules_init(&rs, "ai", "agent AND robotics");
	put_one(&fx, "a", "1", "agent robotics", "https://x.example/1", NOW,
	    NOW);
	put_one(&fx, "b", "1", "robotics and an agent", "https://y.example/1",
	    NOW, NOW);
	cr_assert_eq(run_rules(&fx, &rs, NOW), 2);
	cr_assert_eq(run_rules(&fx, &rs, NOW), 0);
	put_one(&fx, "a", "2", "agent robotics again", "https://x.example/2",
	    NOW, NOW);
	put_one(&fx, "a", "3", "robotics", "https://x.example/3", NOW, NOW);
	cr_assert_eq(run_rules(&fx, &rs, NOW), 1);
	rules_free(&rs);
	fx_close(&fx);
}

Test(alerts_db, version_1_database_keeps_its_unchecked_items)
{
	struct fx fx;
	struct rules rs;
	char *err = NULL;

	fx_open(&fx);
	rules_init(&rs, "ai", "AI");
	put_one(&fx, "a", "1", "AI one", "https://x.example/1", NOW, NOW);
	put_one(&fx, "a", "2", "AI two", "https://x.example/2", NOW, NOW);
	put_one(&fx, "a", "3", "AI three", "https://x.example/3", NOW, NOW);
	/* back to what version 1 had: item 1 checked, 2 and 3 not */
	fx_downgrade_v3(&fx);
	cr_assert_eq(sqlite3_exec(store_sqlite(fx.st),
	    "DELETE FROM meta WHERE key = 'alert_mark';"
	    "UPDATE items SET alert_checked = (id = 1);"
	    "CREATE INDEX items_unchecked ON items (id)"
	    " WHERE alert_checked = 0;"
	    /* what version 3 added */
	    "ALTER TABLE items DROP COLUMN enclosures;"
	    "ALTER TABLE feeds DROP COLUMN doc_id;"
	    "ALTER TABLE feeds DROP COLUMN author;"
	    "ALTER TABLE feeds DROP COLUMN language;"
	    "ALTER TABLE feeds DROP COLUMN tags;"
	    "PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK);
	store_close(fx.st);
	cr_assert_eq(store_open(fx.path, STORE_READWRITE, &fx.st, &err), 0,
	    "%s", err ? err : "");
	cr_assert_eq(fx_count(&fx, "PRAGMA user_version"), 13);
	cr_assert_eq(run_rules(&fx, &rs, NOW), 2, "items 2 and 3");
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM alerts"
	    " WHERE title = 'AI one'"), 0);
	rules_free(&rs);
	fx_close(&fx);
}

Test(alerts_db, pruned_newest_item_does_not_hide_the_next_one)
{
	struct fx fx;
	struct rules rs;

	fx_open(&fx);
	rules_init(&rs, "ai", "AI");
	put_one(&fx, "a", "1", "AI one", "https://x.example/1", NOW, NOW);
	cr_assert_eq(run_rules(&fx, &rs, NOW), 1);
	/* everything pruned: the next item could take id 1 again */
	cr_assert_eq(store_prune(fx.st, NOW + 1, 0, 0), 1);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items"), 0);
	put_one(&fx, "a", "2", "AI two", "https://x.example/2", NOW, NOW);
	cr_assert_eq(run_rules(&fx, &rs, NOW), 1);
	rules_free(&rs);
	fx_close(&fx);
}

/*
 * A change of script is a word boundary: real headlines (tests/data/
 * headlines.tsv) where a lab's name sits inside Chinese text.
 */
Test(alerts_db, script_change_is_a_word_boundary)
{
	struct fx fx;
	struct rules rs;
	struct alert_row *rows;
	size_t n;

	fx_open(&fx);
	rules_init(&rs, "deepseek", "DeepSeek");
	rules_add(&rs, "glm", "GLM");
	put_one(&fx, "a", "1", "\xe8\x8d\xa3\xe8\x80\x80YOYO\xe7\x8e\x87"
	    "\xe5\x85\x88\xe6\x8e\xa5\xe5\x85\xa5" "DeepSeek-V4",
	    "https://x.example/1", NOW, NOW);	/* 荣耀YOYO率先接入DeepSeek-V4 */
	put_one(&fx, "a", "2", "AI\xe6\x97\xa5\xe6\x8a\xa5\xef\xbc\x9a"
	    "DeepSeek\xe8\xaf\x86\xe5\x9b\xbe\xe6\xa8\xa1\xe5\xbc\x8f",
	    "https://x.example/2", NOW, NOW);	/* AI日报：DeepSeek识图模式 */
	put_one(&fx, "a", "3", "zai-org/GLM-4.7-Flash", "https://x.example/3",
	    NOW, NOW);
	put_one(&fx, "a", "4", "\xe6\x96\xb0" "DeepSeeker\xe5\x8f\x91\xe5\xb8\x83",
	    "https://x.example/4", NOW, NOW);	/* 新DeepSeeker发布: another word */
	cr_assert_eq(run_rules(&fx, &rs, NOW), 3);
	cr_assert_eq(store_alerts_list(fx.st, "deepseek", 10, &rows, &n), 0);
	cr_expect_eq(n, 2, "DeepSeek inside Chinese text, and not DeepSeeker");
	alert_rows_free(rows, n);
	rules_free(&rs);
	fx_close(&fx);
}

/*
 * A phrase across a change of script: "AI 模型" finds "AI模型发布会",
 * where nothing but the change of script parts the words, and still
 * "AI 模型" written with its space (rules review D6: it found neither
 * the first nor "DeepSeek模型识图" for "DeepSeek 模型").
 */
Test(alerts_db, a_phrase_across_a_change_of_script)
{
	struct fx fx;
	struct rules rs;
	struct alert_row *rows;
	size_t n;

	fx_open(&fx);
	rules_init(&rs, "ai-model", "\"AI \xe6\xa8\xa1\xe5\x9e\x8b\"");
	rules_add(&rs, "cn-ai", "\"\xe4\xb8\xad\xe5\x9b\xbd \xe4\xba\xba"
	    "\xe5\xb7\xa5\"");			/* "中国 人工" */
	put_one(&fx, "a", "1", "AI\xe6\xa8\xa1\xe5\x9e\x8b\xe5\x8f\x91"
	    "\xe5\xb8\x83\xe4\xbc\x9a", "https://x.example/1", NOW, NOW);
	put_one(&fx, "a", "2", "New AI \xe6\xa8\xa1\xe5\x9e\x8b today",
	    "https://x.example/2", NOW, NOW);
	put_one(&fx, "a", "3", "\xe4\xb8\xad\xe5\x9b\xbd\xe4\xba\xba\xe5"
	    "\xb7\xa5\xe6\x99\xba\xe8\x83\xbd\xe5\x85\xac\xe5\x8f\xb8",
	    "https://x.example/3", NOW, NOW);	/* 中国人工智能公司 */
	put_one(&fx, "a", "4", "AIs and \xe6\xa8\xa1\xe5\x9e\x8b apart",
	    "https://x.example/4", NOW, NOW);
	cr_assert_eq(run_rules(&fx, &rs, NOW), 3);
	cr_assert_eq(store_alerts_list(fx.st, "ai-model", 10, &rows, &n), 0);
	cr_expect_eq(n, 2, "AI模型发布会 and \"AI 模型\", not AIs ... 模型");
	alert_rows_free(rows, n);
	rules_free(&rs);
	fx_close(&fx);
}

Test(alerts_db, feed_and_tag_terms)
{
	struct fx fx;
	struct rules rs;
	struct alert_row *rows;
	size_t n;

	fx_open(&fx);
	fx_feed(&fx, "deepseek");
	fx_feed(&fx, "hn");
	cr_assert_eq(sqlite3_exec(store_sqlite(fx.st), "UPDATE feeds SET tags ="
	    " ',china-lab,ai,' WHERE name = 'deepseek'", NULL, NULL, NULL),
	    SQLITE_OK);
	rules_init(&rs, "lab", "feed:deepseek OR (China AND AI)");
	rules_add(&rs, "tagged", "tag:China-Lab AND NOT release");
	put_one(&fx, "deepseek", "1", "V4 technical report",
	    "https://x.example/1", NOW, NOW);
	put_one(&fx, "hn", "1", "China and AI chips", "https://x.example/2",
	    NOW, NOW);
	put_one(&fx, "hn", "2", "V4 technical report mirror",
	    "https://x.example/3", NOW, NOW);
	put_one(&fx, "deepseek", "2", "A release", "https://x.example/4", NOW,
	    NOW);
	cr_assert_eq(run_rules(&fx, &rs, NOW), 4);
	cr_assert_eq(store_alerts_list(fx.st, "lab", 10, &rows, &n), 0);
	cr_expect_eq(n, 3, "both deepseek items and the China AI one");
	alert_rows_free(rows, n);
	cr_assert_eq(store_alerts_list(fx.st, "tagged", 10, &rows, &n), 0);
	cr_expect_eq(n, 1);
	if (n == 1)
		cr_expect_str_eq(rows[0].title, "V4 technical report");
	alert_rows_free(rows, n);
	rules_free(&rs);
	fx_close(&fx);
}

static int
collect_story(struct story_row *r, void *arg)
{
	int64_t *ids = arg;

	ids[++ids[0]] = r->story_id;
	return 0;
}

/*
 * A rule's outputs are its newest stories, found from its alerts when
 * it has few (walking every story for them, a rule with 3 alerts on a
 * 10,000-feed store took 1.1 s at each write of the outputs) and by
 * walking the stories newest first when it has many.  Both give the
 * main outputs' order, restricted to the rule's stories.
 */
Test(alerts_db, a_rule_with_few_alerts_finds_its_stories_without_walking_all)
{
	static int64_t all[2002], got[2002];
	const char *rules[] = { "rare", "half" };
	struct feed_doc *doc = feed_doc_new();
	struct fx fx;
	struct fx_steps steps = { "SELECT first_item", 0 };

	fx_open(&fx);
	for (int i = 0; i < 2000; i++) {
		char *id = xasprintf("%d", i), *link = xasprintf(
		    "https://x.example/%d", i), *title = xasprintf(
		    "Story number %d of many", i);

		fx_item(doc, id, title, link, NOW - 7 * i);
		free(id);
		free(link);
		free(title);
	}
	fx_put(&fx, fx_feed(&fx, "a"), doc, NOW);
	feed_doc_free(doc);
	cr_assert_eq(sqlite3_exec(store_sqlite(fx.st), "INSERT INTO alerts"
	    " (rule, story_key, fired_at) SELECT 'rare', key, 0 FROM stories"
	    " WHERE id % 400 = 7; INSERT INTO alerts (rule, story_key,"
	    " fired_at) SELECT 'half', key, 0 FROM stories WHERE id % 2 = 0;",
	    NULL, NULL, NULL), SQLITE_OK);
	cr_assert_eq(store_stories_each(fx.st, NULL, 0, NOW, collect_story,
	    all), 0);
	cr_assert_eq(all[0], 2000);
	fx_trace_steps(&fx, &steps);
	for (int r = 0; r < 2; r++) {
		for (int limit = 0; limit <= 40; limit += 40) {
			int64_t k = 1, want = r ? (limit ? limit : 1000) : 5;

			steps.steps = 0;
			got[0] = 0;
			cr_assert_eq(store_stories_each(fx.st, rules[r], limit,
			    NOW, collect_story, got), 0);
			cr_assert_eq(got[0], want, "%s, limit %d: %lld",
			    rules[r], limit, (long long)got[0]);
			/* the main order, restricted to the rule's stories */
			for (int64_t i = 1; i <= all[0] && k <= got[0]; i++)
				if (all[i] % (r ? 2 : 400) == (r ? 0 : 7))
					cr_assert_eq(got[k++], all[i], "%s, limit"
					    " %d, entry %lld", rules[r], limit,
					    (long long)k - 1);
			cr_assert_eq(k, got[0] + 1);
			if (r == 0)
				cr_assert_lt(steps.steps, 1000, "rare, limit"
				    " %d: %d VM steps", limit, steps.steps);
		}
	}
	sqlite3_trace_v2(store_sqlite(fx.st), 0, NULL, NULL);
	fx_close(&fx);
}

/*
 * The rules check the unchecked items a step at a time: each step says
 * whether items are left, the steps together fire what one would, and
 * no item is checked twice or skipped.
 */
Test(alerts_db, rules_check_the_new_items_a_step_at_a_time)
{
	struct fx fx;
	struct rules rs;
	struct feed_doc *doc = feed_doc_new();
	int fired, total = 0, rc, steps = 0;

	fx_open(&fx);
	rules_init(&rs, "ai", "agent");
	rules_add(&rs, "not-cats", "NOT cats");
	for (int i = 0; i < 250; i++) {
		char *id = xasprintf("%d", i), *link = xasprintf(
		    "https://x.example/%d", i), *title = xasprintf(
		    "%s number %d", i % 5 ? "cats" : "an agent", i);

		fx_item(doc, id, title, link, NOW - i);
		free(id);
		free(link);
		free(title);
	}
	fx_put(&fx, fx_feed(&fx, "a"), doc, NOW);
	feed_doc_free(doc);
	do {
		rc = store_alerts_match(fx.st, rs.r, rs.n, 48 * 3600, NOW, 100,
		    &fired);
		cr_assert_neq(rc, -1, "%s", store_errmsg(fx.st));
		cr_assert_leq(fired, 2 * 100, "step %d fired %d", steps, fired);
		total += fired;
		steps++;
	} while (rc == 1);
	cr_assert_eq(steps, 3, "250 items in steps of 100");
	cr_assert_eq(total, 50 + 50, "each agent item twice, no other");
	cr_assert_eq(run_rules(&fx, &rs, NOW), 0, "nothing left unchecked");
	rules_free(&rs);
	fx_close(&fx);
}

/* The ids of all's alerts of rule, up to limit (0: all), into want. */
static size_t
alerts_of_rule(const struct alert_row *all, size_t n, const char *rule,
    int limit, int64_t *want)
{
	size_t k = 0;

	for (size_t i = 0; i < n && (limit == 0 || k < (size_t)limit); i++)
		if (strcmp(all[i].rule, rule) == 0)
			want[k++] = all[i].id;
	return k;
}

/*
 * alerts --rule lists a rule's alerts newest first, found from the
 * rule's own when it has few: walking every alert for them, a rule with
 * none read all 262,000 of a rule that fired on every story.  A rule
 * with many is found walking the alerts newest first, which stops at
 * the limit.  Either way the rows and their order are those of the
 * whole list, restricted to the rule.
 */
Test(alerts_db, a_rule_with_few_alerts_lists_them_without_walking_all)
{
	static int64_t want[2010];
	const char *rules[] = { "rare", "every", "none" };
	struct alert_row *all, *rows;
	size_t nall, n;
	struct fx fx;
	struct fx_steps steps = { "SELECT a.id, a.rule", 0 };

	fx_open(&fx);
	/* fired at 400 times, so that the id decides among equals */
	cr_assert_eq(sqlite3_exec(store_sqlite(fx.st), "WITH RECURSIVE"
	    " k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 1999)"
	    " INSERT INTO alerts (rule, story_key, fired_at) SELECT 'every',"
	    " 'story ' || i, 1790000000 + (i * 7919) % 400 FROM k;"
	    " INSERT INTO alerts (rule, story_key, fired_at) SELECT 'rare',"
	    " story_key, fired_at FROM alerts WHERE id % 400 = 7;",
	    NULL, NULL, NULL), SQLITE_OK);
	cr_assert_eq(store_alerts_list(fx.st, NULL, 0, &all, &nall), 0);
	cr_assert_eq(nall, 2005);
	fx_trace_steps(&fx, &steps);
	for (int r = 0; r < 3; r++)
		for (int limit = 0; limit <= 40; limit += 40) {
			size_t nwant = alerts_of_rule(all, nall, rules[r],
			    limit, want);

			steps.steps = 0;
			cr_assert_eq(store_alerts_list(fx.st, rules[r], limit,
			    &rows, &n), 0, "%s", store_errmsg(fx.st));
			cr_assert_eq(n, nwant, "%s, limit %d: %zu rows",
			    rules[r], limit, n);
			for (size_t i = 0; i < n; i++)
				cr_assert_eq(rows[i].id, want[i], "%s, limit"
				    " %d, row %zu", rules[r], limit, i);
			alert_rows_free(rows, n);
			if (r != 1)
				cr_assert_lt(steps.steps, 1000, "%s, limit"
				    " %d: %d VM steps", rules[r], limit,
				    steps.steps);
		}
	cr_assert_eq(alerts_of_rule(all, nall, "rare", 0, want), 5);
	sqlite3_trace_v2(store_sqlite(fx.st), 0, NULL, NULL);
	alert_rows_free(all, nall);
	fx_close(&fx);
}

/*
 * A rule SQLite evaluates (a two-character Chinese term: LIKE over the
 * text; a word beside it) asks its subqueries about the new items only.
 * SQLite made each IN list over every stored item at each run: 180 ms a
 * run of the shipped china-ai rule on a 10,000-feed store, for a poll's
 * few new items.
 */
Test(alerts_db, a_rule_sqlite_evaluates_reads_only_the_new_items)
{
	struct fx fx;
	struct rules rs;
	struct feed_doc *doc = feed_doc_new();
	struct fx_steps steps = { "SELECT id FROM items WHERE", 0 };

	fx_open(&fx);
	rules_init(&rs, "tokyo", "東京 OR robotics");
	for (int i = 0; i < 400; i++) {
		char *id = xasprintf("%d", i), *link = xasprintf(
		    "https://x.example/%d", i), *title = xasprintf(
		    "大阪のロボット展示会 %d robotics", i);

		fx_item(doc, id, title, link, NOW - 7200 - i);
		free(id);
		free(link);
		free(title);
	}
	fx_put(&fx, fx_feed(&fx, "a"), doc, NOW);
	feed_doc_free(doc);
	cr_assert_eq(run_rules(&fx, &rs, NOW), 400);
	put_one(&fx, "b", "1", "東京でロボットの展示会", "https://y.example/1",
	    NOW, NOW);
	fx_trace_steps(&fx, &steps);
	cr_assert_eq(run_rules(&fx, &rs, NOW), 1, "the new item");
	fx_trace_steps(&fx, NULL);
	cr_assert_lt(steps.steps, 400, "%d VM steps for one new item",
	    steps.steps);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM alerts"), 401);
	rules_free(&rs);
	fx_close(&fx);
}
