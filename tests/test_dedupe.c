/*
 * test_dedupe: one story, many sources: items whose canonical URLs
 * agree are one story across feeds; the first seen represents it.
 */
#include "tests/store_fixture.h"

#define T0 1790000000

static void
put_one(struct fx *fx, const char *feed, const char *id, const char *title,
    const char *link, int64_t now)
{
	struct feed_doc *doc = feed_doc_new();

	fx_item(doc, id, title, link, T0);
	fx_put(fx, fx_feed(fx, feed), doc, now);
	feed_doc_free(doc);
}

Test(dedupe, same_story_in_three_feeds_is_one_story_three_sources)
{
	struct fx fx;
	struct story_row *rows;
	size_t n;

	fx_open(&fx);
	put_one(&fx, "hn", "h1", "Story (HN)",
	    "https://example.com/post/42", T0 + 10);
	put_one(&fx, "lobsters", "l1", "Story (lobsters)",
	    "http://www.example.com/post/42?utm_source=lobsters&utm_medium=rss",
	    T0 + 20);
	put_one(&fx, "blog", "b1", "Story (blog)",
	    "https://EXAMPLE.com/post/42/#comments", T0 + 30);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM stories"), 1);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items"), 3);
	cr_assert_eq(store_stories_newest(fx.st, NULL, NULL, 10, &rows, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(rows[0].nsources, 3);
	cr_assert_str_eq(rows[0].title, "Story (HN)");	/* first seen */
	cr_assert_str_eq(rows[0].feed_name, "hn");
	cr_assert_eq(rows[0].first_seen, T0 + 10);
	story_rows_free(rows, n);
	/* filtered by a later source, the story is still found */
	cr_assert_eq(store_stories_newest(fx.st, "blog", NULL, 10, &rows, &n),
	    0);
	cr_assert_eq(n, 1);
	story_rows_free(rows, n);
	fx_close(&fx);
}

Test(dedupe, new_story_counts_only_for_the_first_source)
{
	struct fx fx;
	struct feed_doc *doc = feed_doc_new();
	struct store_put_result r;

	fx_open(&fx);
	fx_item(doc, "1", "S", "https://example.com/s", T0);
	r = fx_put(&fx, fx_feed(&fx, "a"), doc, T0);
	cr_assert_eq(r.new_stories, 1);
	r = fx_put(&fx, fx_feed(&fx, "b"), doc, T0);
	cr_assert_eq(r.new_items, 1);
	cr_assert_eq(r.new_stories, 0);
	feed_doc_free(doc);
	fx_close(&fx);
}

Test(dedupe, items_without_link_are_their_own_story)
{
	struct fx fx;

	fx_open(&fx);
	put_one(&fx, "a", "1", "Same title", NULL, T0);
	put_one(&fx, "b", "1", "Same title", NULL, T0);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM stories"), 2);
	fx_close(&fx);
}

Test(dedupe, different_urls_are_different_stories)
{
	struct fx fx;

	fx_open(&fx);
	put_one(&fx, "a", "1", "One", "https://example.com/1", T0);
	put_one(&fx, "b", "1", "Two", "https://example.com/2", T0);
	put_one(&fx, "b", "2", "Three", "https://example.com/2?page=2", T0);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM stories"), 3);
	fx_close(&fx);
}

Test(dedupe, guid_churn_with_tracking_links_keeps_one_item)
{
	struct fx fx;
	int64_t feed;

	fx_open(&fx);
	feed = fx_feed(&fx, "a");
	for (int fetch = 0; fetch < 3; fetch++) {
		struct feed_doc *doc = feed_doc_new();
		char id[32];

		snprintf(id, sizeof(id), "urn:uuid:%d", fetch);
		fx_item(doc, id, "Only post", "https://example.com/only", T0);
		fx_put(&fx, feed, doc, T0 + fetch * 600);
		feed_doc_free(doc);
	}
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items"), 1);
	cr_assert_eq(fx_count(&fx, "SELECT id_mode FROM feeds"), 1);
	fx_close(&fx);
}

Test(dedupe, links_repeated_on_different_titles_fall_back_to_hash)
{
	struct fx fx;
	struct feed_doc *doc = feed_doc_new();
	struct store_put_result r;
	int64_t feed;

	fx_open(&fx);
	feed = fx_feed(&fx, "a");
	/* no ids, and every item links to the home page */
	fx_item(doc, NULL, "Monday notes", "https://example.com/", T0);
	fx_item(doc, NULL, "Tuesday notes", "https://example.com/", T0 + 86400);
	r = fx_put(&fx, feed, doc, T0 + 90000);
	cr_assert_eq(r.new_items, 2);
	r = fx_put(&fx, feed, doc, T0 + 99000);
	cr_assert_eq(r.new_items + r.updated_items, 0);
	cr_assert_eq(fx_count(&fx, "SELECT id_mode FROM feeds"), 2);
	feed_doc_free(doc);
	fx_close(&fx);
}

Test(dedupe, entries_sharing_the_home_page_link_stay_apart)
{
	struct fx fx;
	struct feed_doc *doc = feed_doc_new();
	struct feed_doc *other = feed_doc_new();
	static const char *titles[] = { "Mon", "Tue", "Wed", "Thu", "Fri" };
	char id[16];

	fx_open(&fx);
	doc->link = xstrdup("https://example.net/");
	for (int i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "d%d", i);
		fx_item(doc, id, titles[i], "https://example.net/", T0 + i);
	}
	fx_put(&fx, fx_feed(&fx, "daily"), doc, T0 + 10);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM stories"), 5,
	    "five entries with one link were folded together");
	/* a link that names one story still joins its sources */
	put_one(&fx, "a", "a1", "Article", "https://example.org/x", T0 + 30);
	fx_item(other, "o1", "Article (mirror)",
	    "https://www.example.org/x?utm_medium=rss", T0);
	fx_put(&fx, fx_feed(&fx, "mirror"), other, T0 + 40);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM stories"), 6);
	feed_doc_free(doc);
	feed_doc_free(other);
	fx_close(&fx);
}

Test(dedupe, one_link_repeated_by_the_same_entry_is_one_story)
{
	struct fx fx;
	struct feed_doc *doc = feed_doc_new();

	fx_open(&fx);
	fx_item(doc, "a", "Same", "https://example.com/p", T0);
	fx_item(doc, "a", "Same", "https://example.com/p?utm_source=x", T0);
	fx_put(&fx, fx_feed(&fx, "f"), doc, T0 + 10);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM stories"), 1);
	feed_doc_free(doc);
	fx_close(&fx);
}

/*
 * A feed whose entries all link to its home page, whose ids change on
 * every fetch and whose dates move on every fetch (a page rendered on
 * request) ends in the hash key mode, whose keys hold the date: each
 * fetch stored its entries again, as new stories, and each alerted
 * again.  An entry of the same feed, link, title and text is the one
 * stored.  One whose text changed is a new item, as before.
 */
Test(dedupe, churning_ids_and_dates_with_one_link_keep_their_items)
{
	struct fx fx;
	struct store_put_result r;
	static const char *titles[] = { "Mon", "Tue", "Wed" };
	int64_t feed;

	fx_open(&fx);
	feed = fx_feed(&fx, "daily");
	for (int fetch = 0; fetch < 4; fetch++) {
		struct feed_doc *doc = feed_doc_new();
		char id[32];

		doc->link = xstrdup("https://example.net/");
		for (int i = 0; i < 3; i++) {
			struct feed_item *it;

			snprintf(id, sizeof(id), "urn:uuid:%d-%d", fetch, i);
			it = fx_item(doc, id, titles[i], "https://example.net/",
			    T0 + fetch * 3600 + i);
			it->summary = xstrdup(fetch == 3 && i == 2 ?
			    "<p>Edited text</p>" : "<p>The same text</p>");
		}
		r = fx_put(&fx, feed, doc, T0 + fetch * 3600 + 10);
		if (fetch == 0)
			cr_assert_eq(r.new_items, 3);
		else if (fetch < 3)
			cr_assert_eq(r.new_items, 0, "fetch %d: %d new",
			    fetch, r.new_items);
		else
			cr_assert_eq(r.new_items, 1, "only the edited one");
		feed_doc_free(doc);
	}
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items"), 4);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM stories"), 4);
	fx_close(&fx);
}

/* Items with neither title nor text are not taken for one another. */
Test(dedupe, items_with_no_title_or_text_are_not_matched_by_text)
{
	struct fx fx;
	struct store_put_result r;
	int64_t feed;

	fx_open(&fx);
	feed = fx_feed(&fx, "bare");
	for (int fetch = 0; fetch < 2; fetch++) {
		struct feed_doc *doc = feed_doc_new();

		fx_item(doc, NULL, NULL, "https://example.net/", T0 + fetch);
		fx_item(doc, NULL, "Titled", "https://example.net/", T0 + fetch);
		r = fx_put(&fx, feed, doc, T0 + fetch * 3600 + 10);
		cr_assert_eq(r.new_items, fetch == 0 ? 2 : 1);
		feed_doc_free(doc);
	}
	fx_close(&fx);
}

/* Two entries of one text (two dates) keep their two items when both
 * dates move: each stored item answers one of them. */
Test(dedupe, two_entries_of_one_text_keep_two_items)
{
	struct fx fx;
	struct store_put_result r;
	int64_t feed;

	fx_open(&fx);
	feed = fx_feed(&fx, "repeats");
	for (int fetch = 0; fetch < 3; fetch++) {
		struct feed_doc *doc = feed_doc_new();

		for (int i = 0; i < 2; i++)
			fx_item(doc, NULL, "Same", "https://example.net/",
			    T0 + fetch * 3600 + i)->summary = xstrdup("text");
		/* a third with the link: LINK mode fails, HASH is left */
		fx_item(doc, NULL, "Other", "https://example.net/",
		    T0 + fetch * 3600);
		r = fx_put(&fx, feed, doc, T0 + fetch * 3600 + 10);
		cr_assert_eq(r.new_items, fetch == 0 ? 3 : 0, "fetch %d: %d",
		    fetch, r.new_items);
		feed_doc_free(doc);
	}
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items"), 3);
	cr_assert_eq(fx_count(&fx, "SELECT count(DISTINCT key) FROM items"),
	    3);
	fx_close(&fx);
}

/*
 * The same feed across an upgrade to schema 13: its entries were
 * stored with their content's links resolved at the fetch; the first
 * fetch after it gives them relative, with their base.  They are still
 * found by their text (the resolved form is looked for too): no new
 * story, so no alert again, and they take the new form.
 */
Test(dedupe, churning_ids_keep_their_items_across_content_kept_relative)
{
	struct fx fx;
	struct store_put_result r;
	int64_t feed;

	fx_open(&fx);
	feed = fx_feed(&fx, "daily");
	for (int fetch = 0; fetch < 4; fetch++) {
		struct feed_doc *doc = feed_doc_new();
		char id[48];

		doc->link = xstrdup("https://example.net/");
		for (int i = 0; i < 2; i++) {
			struct feed_item *it;

			snprintf(id, sizeof(id), "urn:uuid:%d-%d", fetch, i);
			it = fx_item(doc, id, i ? "Tue" : "Mon",
			    "https://example.net/", T0 + fetch * 3600 + i);
			it->content = xstrdup(fetch < 2 ? "<a href=\""
			    "https://example.net/day/1\">day</a>" :
			    "<a href=\"day/1\">day</a>");
			if (fetch >= 2)
				it->content_base = xstrdup(
				    "https://example.net/feed");
		}
		r = fx_put(&fx, feed, doc, T0 + fetch * 3600 + 10);
		cr_assert_eq(r.new_items, fetch == 0 ? 2 : 0, "fetch %d: %d new",
		    fetch, r.new_items);
		feed_doc_free(doc);
	}
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM stories"), 2);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items WHERE"
	    " content_base IS NOT NULL"), 2);
	fx_close(&fx);
}
