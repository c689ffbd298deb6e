/*
 * test_group: story grouping.  Headline tokens (feeds/headline.c), the
 * pair rule on labelled pairs from real AI news (tests/data/
 * group-pairs.tsv), the index (window, other feeds only), and the
 * store: items of several feeds joining one story, link dedupe first,
 * the migration of an existing database (version 3 to 4).
 */
#include "tests/store_fixture.h"

#include "feeds/entry.h"
#include "feeds/headline.h"
#include "storage/group.h"

#define T0 1790000000	/* 2026-09-21T14:13:20Z */

/* Whether hl has the token text, of kind (-1: any). */
static int
has(const struct headline *hl, const char *text, int kind)
{
	for (size_t i = 0; i < hl->ntok; i++)
		if (strcmp(hl_text(hl, &hl->tok[i]), text) == 0)
			return kind < 0 || hl->tok[i].kind == kind;
	return 0;
}

Test(group, headline_words_names_and_entities)
{
	struct headline *hl = headline_new("Alibaba's Qwen3-Coder beats "
	    "DeepSeek V3.1 and Kimi K2 on open-source coding tests in the U.K.");

	cr_assert(has(hl, "alibaba", HL_WORD), "possessive gone");
	cr_assert(has(hl, "qwen3-coder", HL_ENTITY));
	cr_assert(has(hl, "qwen3", -1) && !has(hl, "qwen3", HL_ENTITY),
	    "a part is no entity");
	cr_assert(has(hl, "deepseek-v3.1", HL_ENTITY), "name and version");
	cr_assert(has(hl, "kimi-k2", HL_ENTITY), "name and model letter");
	cr_assert(has(hl, "deepseek", HL_NAME), "capital inside a sentence");
	cr_assert(has(hl, "uk", -1), "U.K.");
	cr_assert(has(hl, "open", -1) && !has(hl, "open-source", -1), "parts");
	cr_assert(has(hl, "test", -1), "plural");
	cr_assert(has(hl, "cod", -1), "coding, stemmed");
	cr_assert(!has(hl, "the", -1) && !has(hl, "in", -1) &&
	    !has(hl, "and", -1), "function words");
	headline_free(hl);
}

Test(group, headline_title_case_has_no_names_and_dates_drop)
{
	struct headline *hl = headline_new("Stocks Slip On Weak China Data "
	    "March 10, 2014");

	for (size_t i = 0; i < hl->ntok; i++)
		cr_assert_neq(hl->tok[i].kind, HL_NAME, "%s",
		    hl_text(hl, &hl->tok[i]));
	cr_assert(!has(hl, "march", -1) && !has(hl, "10", -1) &&
	    !has(hl, "2014", -1));
	cr_assert(has(hl, "stock", -1) && has(hl, "china", -1));
	headline_free(hl);
}

Test(group, headline_cjk_bigrams)
{
	struct headline *hl = headline_new("阿里开源Qwen3-Coder，最强代码模型");

	cr_assert(hl->cjk);
	cr_assert(has(hl, "阿里", HL_CJK) && has(hl, "里开", HL_CJK) &&
	    has(hl, "开源", HL_CJK));
	cr_assert(has(hl, "代码", HL_CJK) && has(hl, "模型", HL_CJK));
	cr_assert(!has(hl, "源q", -1), "scripts apart");
	cr_assert(has(hl, "qwen3-coder", HL_ENTITY));
	headline_free(hl);
}

Test(group, entity_conflicts_keep_near_misses_apart)
{
	static const char *const pairs[][3] = {
		/* a, b, conflict */
		{ "Alibaba releases Qwen3", "Alibaba releases Qwen3-Coder", "1" },
		{ "DeepSeek-V3 is out", "DeepSeek V4 is out", "1" },
		{ "Moonshot releases Kimi K2", "Moonshot releases Kimi-VL", "1" },
		{ "DeepSeek-V3 is out", "DeepSeek V3 is out", "0" },
		{ "Qwen3-Coder, built on Qwen3", "Qwen3-Coder is out", "0" },
		{ "Nvidia H20 sales resume", "Nvidia says H20 sales resume", "0" },
	};

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct headline *a = headline_new(pairs[i][0]);
		struct headline *b = headline_new(pairs[i][1]);

		cr_assert_eq(headline_conflict(a, b), pairs[i][2][0] == '1',
		    "%s | %s", pairs[i][0], pairs[i][1]);
		cr_assert_eq(headline_conflict(b, a), headline_conflict(a, b));
		headline_free(a);
		headline_free(b);
	}
}

/* tests/data/group-pairs.tsv: same, gap_h, a, b, note. */
struct lpair {
	int	 same;
	int64_t	 gap;
	char	*a, *b;
};

static size_t
read_pairs(struct lpair **out)
{
	char *text = th_read_file("tests/data/group-pairs.tsv", NULL);
	char *line, *save = NULL;
	size_t n = 0;
	int header = 1;

	cr_assert_not_null(text);
	*out = NULL;
	for (line = strtok_r(text, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save)) {
		char *col[4], *p = line;

		if (line[0] == '#')
			continue;
		if (header) {
			header = 0;
			continue;
		}
		for (int i = 0; i < 4; i++)
			col[i] = strsep(&p, "\t");
		cr_assert_not_null(col[3]);
		*out = xreallocarray(*out, n + 1, sizeof(**out));
		(*out)[n].same = atoi(col[0]);
		(*out)[n].gap = (int64_t)(atof(col[1]) * 3600);
		(*out)[n].a = xstrdup(col[2]);
		(*out)[n].b = xstrdup(col[3]);
		n++;
	}
	free(text);
	return n;
}

/*
 * Precision first: no near-miss is grouped; most same-event pairs are
 * (English and Chinese included).  The figures: bench/group_eval -p.
 */
Test(group, labelled_ai_pairs_precision_and_recall)
{
	struct group_params gp;
	struct group_index *gi;
	struct lpair *p;
	size_t n = read_pairs(&p), tp = 0, fp = 0, same = 0, cross = 0;

	group_params_default(&gp);
	gi = group_index_new(&gp);
	for (size_t i = 0; i < n; i++) {
		group_index_add(gi, (int64_t)i * 2, 1, (int64_t)i * 2, 0, 0,
		    headline_new(p[i].a));
		group_index_add(gi, (int64_t)i * 2 + 1, 2, (int64_t)i * 2 + 1,
		    0, 0, headline_new(p[i].b));
	}
	for (size_t i = 0; i < n; i++) {
		struct headline *a = headline_new(p[i].a);
		struct headline *b = headline_new(p[i].b);
		double s;
		int got = group_pair(gi, a, b, p[i].gap, &s);

		cr_assert(!got || p[i].same, "wrongly grouped (%.2f): %s | %s",
		    s, p[i].a, p[i].b);
		same += p[i].same;
		tp += got && p[i].same;
		fp += got && !p[i].same;
		cross += got && a->cjk != b->cjk;
		headline_free(a);
		headline_free(b);
		free(p[i].a);
		free(p[i].b);
	}
	free(p);
	group_index_free(gi);
	cr_assert_geq(n, 50);
	cr_assert_eq(fp, 0);
	cr_assert_geq(tp * 4, same * 3, "recall %zu of %zu", tp, same);
	cr_assert_geq(cross, 6, "English and Chinese headlines match");
}

/* An index with the window's default and a few unrelated headlines. */
static struct group_index *
index_with_background(void)
{
	static const char *const bg[] = {
		"Apple unveils new iPad with faster chip",
		"Oil prices rise after OPEC output cut",
		"Tesla recalls Model Y over seat belt issue",
		"Fed holds interest rates steady",
		"Microsoft earnings beat estimates on cloud growth",
		"SpaceX launches Starship on its fifth test flight",
	};
	struct group_params gp;
	struct group_index *gi;

	group_params_default(&gp);
	gi = group_index_new(&gp);
	for (size_t i = 0; i < sizeof(bg) / sizeof(bg[0]); i++)
		group_index_add(gi, 100 + (int64_t)i, 9, 100 + (int64_t)i, T0,
		    T0, headline_new(bg[i]));
	return gi;
}

Test(group, index_joins_other_feeds_only_within_the_window)
{
	struct group_index *gi = index_with_background();
	struct headline *hl;
	struct group_match m;

	group_index_add(gi, 1, 1, 11, T0, T0, headline_new("Alibaba "
	    "launches Qwen3-Coder, its most powerful open agentic coding model"));
	hl = headline_new("Qwen3-Coder: Alibaba's new open agentic coding "
	    "model takes aim at Claude");
	cr_assert_eq(group_index_match(gi, hl, 1, T0, &m), 0,
	    "the same feed's items never join");
	cr_assert_eq(group_index_match(gi, hl, 2, T0 + 3600, &m), 1);
	cr_assert_eq(m.story_id, 11);
	cr_assert_eq(m.item_id, 1);
	cr_assert_not_null(strstr(m.why, "qwen3-coder"), "%s", m.why);
	free(m.why);
	cr_assert_eq(group_index_match(gi, hl, 2, T0 + 49 * 3600, &m), 0,
	    "a gap beyond the window");
	/* aged out: the window counts from first seen */
	group_index_expire(gi, T0 + 49 * 3600);
	cr_assert_eq(group_index_size(gi), 0);
	cr_assert_eq(group_index_match(gi, hl, 2, T0, &m), 0);
	headline_free(hl);
	group_index_free(gi);
}

/* A cold start of thousands of feeds: memory bounded, newest kept. */
Test(group, index_keeps_the_newest_max_items)
{
	struct group_params gp;
	struct group_index *gi;
	struct headline *hl;
	struct group_match m;
	char title[128];

	group_params_default(&gp);
	gp.max_items = 64;
	gi = group_index_new(&gp);
	group_index_add(gi, 1, 1, 11, T0, T0, headline_new("Alibaba "
	    "launches Qwen3-Coder, its most powerful open agentic coding model"));
	for (int i = 0; i < 1000; i++) {
		snprintf(title, sizeof(title), "Filler story %d about topic%d "
		    "and subject%d", i, i, i * 7);
		group_index_add(gi, 100 + i, 3 + i % 5, 100 + i, T0, T0,
		    headline_new(title));
		cr_assert_leq(group_index_size(gi), 64);
	}
	cr_assert_eq(group_index_size(gi), 64);
	hl = headline_new("Qwen3-Coder: Alibaba's new open agentic coding "
	    "model takes aim at Claude");
	cr_assert_eq(group_index_match(gi, hl, 2, T0, &m), 0,
	    "the oldest item left the index");
	group_index_add(gi, 2, 1, 12, T0, T0, headline_new("Alibaba "
	    "launches Qwen3-Coder, its most powerful open agentic coding model"));
	cr_assert_eq(group_index_match(gi, hl, 2, T0, &m), 1,
	    "a new one joins as before");
	cr_assert_eq(m.story_id, 12);
	free(m.why);
	headline_free(hl);
	group_index_free(gi);
}

Test(group, index_candidates_come_from_rare_tokens_not_a_scan)
{
	struct group_params gp;
	struct group_index *gi;
	struct headline *hl;
	struct group_match m;
	char title[128];

	/* 5000 headlines that all share "market": never candidates */
	group_params_default(&gp);
	gi = group_index_new(&gp);
	for (int i = 0; i < 5000; i++) {
		snprintf(title, sizeof(title), "market story w%dx about z%dq",
		    i, i * 7);
		group_index_add(gi, i, i % 50, i, T0, T0, headline_new(title));
	}
	hl = headline_new("market story w17x about z119q");
	cr_assert_eq(group_index_match(gi, hl, 99, T0, &m), 1);
	cr_assert_eq(m.item_id, 17);
	free(m.why);
	headline_free(hl);
	group_index_free(gi);
}

/* One RSS-like document of one item. */
static void
put_item(struct fx *fx, const char *feed, const char *id, const char *title,
    const char *link, int64_t now)
{
	struct feed_doc *doc = feed_doc_new();

	fx_item(doc, id, title, link, now - 600);
	fx_put(fx, fx_feed(fx, feed), doc, now);
	feed_doc_free(doc);
}

static int64_t
story_of(struct fx *fx, const char *link)
{
	char *sql = xasprintf("SELECT story_id FROM items WHERE link = '%s'",
	    link);
	int64_t v = fx_count(fx, sql);

	free(sql);
	return v;
}

Test(group, store_groups_one_event_from_several_feeds)
{
	struct fx fx;

	fx_open(&fx);
	store_set_grouping(fx.st, 1, 48 * 3600);
	put_item(&fx, "tc", "1", "Apple unveils new iPad with faster chip",
	    "https://tc.example/ipad", T0);
	put_item(&fx, "tc", "2", "DeepSeek releases DeepSeek-V3, a "
	    "671B-parameter open-weights model", "https://tc.example/v3", T0);
	put_item(&fx, "verge", "a", "DeepSeek-V3 is a 671B open model that "
	    "rivals GPT-4o at a fraction of the cost",
	    "https://verge.example/v3", T0 + 60);
	put_item(&fx, "36kr", "x", "DeepSeek发布DeepSeek-V3，671B参数开源模型",
	    "https://36kr.example/v3", T0 + 120);
	put_item(&fx, "hn", "h", "DeepSeek releases DeepSeek-V4, a "
	    "1.2T-parameter open-weights model", "https://hn.example/v4",
	    T0 + 180);
	put_item(&fx, "tc", "3", "DeepSeek-V3 is a 671B open model, part two",
	    "https://tc.example/v3b", T0 + 240);
	cr_assert_eq(story_of(&fx, "https://verge.example/v3"),
	    story_of(&fx, "https://tc.example/v3"));
	cr_assert_eq(story_of(&fx, "https://36kr.example/v3"),
	    story_of(&fx, "https://tc.example/v3"), "Chinese joins English");
	cr_assert_neq(story_of(&fx, "https://hn.example/v4"),
	    story_of(&fx, "https://tc.example/v3"), "V4 is another release");
	cr_assert_neq(story_of(&fx, "https://tc.example/ipad"),
	    story_of(&fx, "https://tc.example/v3"));
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM stories"), 3,
	    "ipad, v3 (4 items), v4");
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items WHERE"
	    " story_new = 2 AND story_why IS NOT NULL"), 3);
	fx_close(&fx);
}

/*
 * A story an item joined by likeness has an alias that references it.
 * Pruning its last item drops the alias with the story; pruning one of
 * its items keeps both.  (The aliases went after the stories: the
 * foreign key failed every prune whose stories had one, so the database
 * of a daemon with grouping on grew past its retention.)
 */
Test(group, prune_drops_a_joined_story_with_its_alias)
{
	struct fx fx;

	fx_open(&fx);
	store_set_grouping(fx.st, 1, 48 * 3600);
	put_item(&fx, "a", "1", "Moonshot AI releases Kimi K2, a "
	    "trillion-parameter open model", "https://a.example/k2", T0);
	put_item(&fx, "b", "1", "Kimi K2: Moonshot's open-weights "
	    "trillion-parameter model beats GPT-4.1 on coding",
	    "https://b.example/k2", T0 + 60);
	cr_assert_eq(story_of(&fx, "https://b.example/k2"),
	    story_of(&fx, "https://a.example/k2"));
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM story_alias"), 1);
	/* a's item only: the story and b's alias stay */
	cr_assert_eq(store_prune(fx.st, T0 + 30, 0, 0), 1, "%s",
	    store_errmsg(fx.st));
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items"), 1);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM stories"), 1);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM story_alias"), 1);
	/* all of it */
	cr_assert_eq(store_prune(fx.st, T0 + 1000, 0, 0), 1, "%s",
	    store_errmsg(fx.st));
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items"), 0);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM stories"), 0);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM story_alias"), 0);
	fx_close(&fx);
}

Test(group, store_keeps_link_dedupe_first_and_joined_links_too)
{
	struct fx fx;
	int64_t s;

	fx_open(&fx);
	store_set_grouping(fx.st, 1, 48 * 3600);
	put_item(&fx, "a", "1", "Moonshot AI releases Kimi K2, a "
	    "trillion-parameter open model", "https://a.example/k2", T0);
	put_item(&fx, "b", "1", "Kimi K2: Moonshot's open-weights "
	    "trillion-parameter model beats GPT-4.1 on coding",
	    "https://b.example/k2", T0 + 60);
	s = story_of(&fx, "https://a.example/k2");
	cr_assert_eq(story_of(&fx, "https://b.example/k2"), s);
	/* a third feed links b's article under another headline */
	put_item(&fx, "c", "1", "Worth reading", "https://b.example/k2",
	    T0 + 120);
	cr_assert_eq(fx_count(&fx, "SELECT count(DISTINCT story_id) FROM"
	    " items"), 1, "b's link names the story b joined");
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items WHERE"
	    " story_new = 0"), 1, "a link duplicate created no story");
	fx_close(&fx);
}

Test(group, store_rebuilds_its_index_from_the_database)
{
	struct fx fx;
	char *err = NULL;

	fx_open(&fx);
	store_set_grouping(fx.st, 1, 48 * 3600);
	put_item(&fx, "a", "1", "Zhipu AI open-sources GLM-4.5, an agentic "
	    "model for coding and reasoning", "https://a.example/glm", T0);
	store_close(fx.st);
	cr_assert_eq(store_open(fx.path, STORE_READWRITE, &fx.st, &err), 0);
	store_set_grouping(fx.st, 1, 48 * 3600);
	put_item(&fx, "b", "1", "GLM-4.5 from Zhipu tops open models on "
	    "agent benchmarks", "https://b.example/glm", T0 + 3600);
	cr_assert_eq(story_of(&fx, "https://b.example/glm"),
	    story_of(&fx, "https://a.example/glm"));
	/* off: every new link is a story of its own */
	store_set_grouping(fx.st, 0, 48 * 3600);
	put_item(&fx, "c", "1", "Zhipu open-sources GLM-4.5 agentic model",
	    "https://c.example/glm", T0 + 7200);
	cr_assert_neq(story_of(&fx, "https://c.example/glm"),
	    story_of(&fx, "https://a.example/glm"));
	fx_close(&fx);
}

struct streamed {
	int64_t	 updated[4];
	size_t	 nothers[4];
	char	*related[4];	/* the first related link */
	int	 also[4];	/* "Also reported by" closes the HTML */
	size_t	 n;
	int64_t	 now;
};

static int
collect_streamed(struct story_row *r, void *arg)
{
	struct streamed *c = arg;
	struct entry e;

	cr_assert_lt(c->n, 4);
	entry_prepare(&e, r, c->now, NULL);
	c->updated[c->n] = e.updated;
	c->nothers[c->n] = r->nothers;
	c->related[c->n] = e.nrelated ? xstrdup(e.related[0].href) : NULL;
	c->also[c->n] = e.content != NULL &&
	    strstr(e.content, "Also reported by") != NULL;
	c->n++;
	entry_cleanup(&e);
	return 0;
}

/*
 * The outputs stream stories from the store (store_stories_each): a
 * story's row carries its other sources, and a source joining an hour
 * later moves the story up, in the order the stream gives as in the
 * date the entry shows, and moves the generation the outputs are
 * written at.
 */
Test(group, streamed_stories_carry_sources_and_move_on_join)
{
	struct streamed c = { .now = T0 + 4000 };
	struct fx fx;
	int64_t gen;

	fx_open(&fx);
	store_set_grouping(fx.st, 1, 48 * 3600);
	put_item(&fx, "tc", "1", "DeepSeek releases DeepSeek-V3, a "
	    "671B-parameter open-weights model", "https://tc.example/v3", T0);
	put_item(&fx, "hn", "1", "Apple unveils new iPad with faster chip",
	    "https://hn.example/ipad", T0 + 300);
	gen = store_generation(fx.st);
	put_item(&fx, "verge", "a", "DeepSeek-V3 is a 671B open model that "
	    "rivals GPT-4o at a fraction of the cost",
	    "https://verge.example/v3", T0 + 3600);
	cr_assert_gt(store_generation(fx.st), gen, "a join is a change");
	cr_assert_eq(store_stories_each(fx.st, NULL, 0, c.now,
	    collect_streamed, &c), 0);
	cr_assert_eq(c.n, 2);
	cr_assert_eq(c.nothers[0], 1, "the grown story comes first");
	cr_assert_str_eq(c.related[0], "https://verge.example/v3");
	cr_assert(c.also[0]);
	cr_assert_eq(c.updated[0], T0 + 3600, "dated when verge joined");
	cr_assert_eq(c.nothers[1], 0);
	cr_assert_null(c.related[1]);
	cr_assert_lt(c.updated[1], c.updated[0]);
	for (size_t i = 0; i < c.n; i++)
		free(c.related[i]);
	fx_close(&fx);
}

struct wide {
	size_t	 n, nothers, nrelated, nenclosures, shown_enclosures;
	char	*related[2];
};

/* put_item's, the item carrying one enclosure, url. */
static void
put_item_enclosed(struct fx *fx, const char *feed, const char *title,
    const char *link, const char *url, int64_t now)
{
	struct feed_doc *doc = feed_doc_new();

	feed_item_add_enclosure(fx_item(doc, "1", title, link, now - 600),
	    xstrdup(url), xstrdup("audio/mpeg"), 1000);
	fx_put(fx, fx_feed(fx, feed), doc, now);
	feed_doc_free(doc);
}

static int
collect_wide(struct story_row *r, void *arg)
{
	struct wide *w = arg;
	struct entry e;

	entry_prepare(&e, r, T0 + 7200, NULL);
	w->n++;
	w->nothers = r->nothers;
	w->nrelated = e.nrelated;
	w->nenclosures = r->nenclosures;
	w->shown_enclosures = e.nenclosures;
	for (size_t i = 0; i < 2 && i < e.nrelated; i++)
		w->related[i] = xstrdup(e.related[i].href);
	entry_cleanup(&e);
	return 0;
}

/*
 * A page that 300 feeds linked to with its podcast, then 150 other
 * pages of the same story, the last with a podcast of its own: the
 * render holds each link once and no more than STORE_SOURCES_MAX of
 * them, and each enclosure once, and the entry still names the other
 * pages (the 300 copies of its own link are no source to show) and
 * carries both podcasts.
 */
Test(group, a_story_of_many_feeds_holds_each_link_once)
{
	struct wide w = { 0 };
	struct fx fx;
	char	 feed[32], link[64];
	const char *title = "Moonshot AI open-sources Kimi K2, a "
	    "trillion-parameter agentic model";

	fx_open(&fx);
	store_set_grouping(fx.st, 1, 48 * 3600);
	put_item(&fx, "moonshot", "1", title, "https://moonshot.example/k2",
	    T0);
	/* the same page under each feed's own words: it joins by its link */
	for (int k = 1; k < 300; k++) {
		char	 own[64];

		snprintf(feed, sizeof(feed), "same%d", k);
		snprintf(own, sizeof(own), "Link of the day %d", k);
		put_item_enclosed(&fx, feed, own, "https://moonshot.example/k2",
		    "https://moonshot.example/k2.mp3", T0 + k);
	}
	for (int k = 0; k < 150; k++) {
		snprintf(feed, sizeof(feed), "other%d", k);
		snprintf(link, sizeof(link), "https://o%d.example/k2", k);
		if (k == 149)
			put_item_enclosed(&fx, feed, title, link,
			    "https://o149.example/k2.mp3", T0 + 3600 + k);
		else
			put_item(&fx, feed, "1", title, link, T0 + 3600 + k);
	}
	cr_assert_eq(fx_count(&fx, "SELECT count(DISTINCT story_id) FROM "
	    "items"), 1, "one story");
	cr_assert_eq(store_stories_each(fx.st, NULL, 0, T0 + 7200,
	    collect_wide, &w), 0);
	cr_assert_eq(w.n, 1);
	cr_assert_eq(w.nothers, STORE_SOURCES_MAX, "its own link once, "
	    "then other pages up to the bound");
	cr_assert_eq(w.nrelated, 32);
	cr_assert_str_eq(w.related[0], "https://o0.example/k2");
	cr_assert_str_eq(w.related[1], "https://o1.example/k2");
	cr_assert_eq(w.nenclosures, 2, "each packed enclosure once, not 299 "
	    "copies of one");
	cr_assert_eq(w.shown_enclosures, 2);
	free(w.related[0]);
	free(w.related[1]);
	fx_close(&fx);
}

/* From version 5 (the version before grouping) and from version 3. */
static void
upgrades_keeping_its_items(int from)
{
	struct fx fx;
	char *err = NULL;

	fx_open(&fx);
	put_item(&fx, "a", "1", "Tencent releases Hunyuan-A13B open-source "
	    "MoE model", "https://a.example/h", T0);
	if (from == 5)
		fx_downgrade_v5(&fx);
	else
		fx_downgrade_v3(&fx);
	cr_assert_eq(fx_count(&fx, "PRAGMA user_version"), from);
	store_close(fx.st);
	cr_assert_eq(store_open(fx.path, STORE_READWRITE, &fx.st, &err), 0,
	    "%s", err);
	cr_assert_eq(fx_count(&fx, "PRAGMA user_version"), 13);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items_fts"
	    " WHERE items_fts MATCH 'hunyuan'"), 1);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM items"), 1);
	store_set_grouping(fx.st, 1, 48 * 3600);
	put_item(&fx, "b", "1", "Tencent's Hunyuan-A13B model activates 13B "
	    "parameters out of 80B", "https://b.example/h", T0 + 60);
	cr_assert_eq(story_of(&fx, "https://b.example/h"),
	    story_of(&fx, "https://a.example/h"));
	fx_close(&fx);
}

/*
 * Version 8 moves story_alias to rows in write order: a version 7
 * database keeps its aliases, and canonical-link dedupe still finds the
 * story through them.
 */
Test(group, version_7_database_keeps_its_aliases)
{
	struct fx fx;
	char *err = NULL;
	int64_t story;

	fx_open(&fx);
	store_set_grouping(fx.st, 1, 48 * 3600);
	put_item(&fx, "a", "1", "Tencent releases Hunyuan-A13B open-source "
	    "MoE model", "https://a.example/h", T0);
	put_item(&fx, "b", "1", "Tencent's Hunyuan-A13B model activates 13B "
	    "parameters out of 80B", "https://b.example/h", T0 + 60);
	story = story_of(&fx, "https://a.example/h");
	cr_assert_eq(story_of(&fx, "https://b.example/h"), story);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM story_alias"), 1);
	fx_downgrade_v7(&fx);
	store_close(fx.st);
	cr_assert_eq(store_open(fx.path, STORE_READWRITE, &fx.st, &err), 0,
	    "%s", err);
	cr_assert_eq(fx_count(&fx, "PRAGMA user_version"), 13);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM story_alias"
	    " WHERE story_id = (SELECT story_id FROM items"
	    " WHERE link = 'https://b.example/h')"), 1);
	cr_assert_eq(fx_count(&fx, "SELECT count(*) FROM sqlite_schema"
	    " WHERE name IN ('story_alias_hash', 'story_alias_story')"), 2);
	/* the same canonical link in a third feed: found by its alias */
	store_set_grouping(fx.st, 1, 48 * 3600);
	put_item(&fx, "c", "1", "Something else entirely about gardens",
	    "https://b.example/h", T0 + 120);
	cr_assert_eq(fx_count(&fx, "SELECT count(DISTINCT story_id) FROM items"),
	    1);
	fx_close(&fx);
}

Test(group, version_5_database_upgrades_keeping_its_items)
{
	upgrades_keeping_its_items(5);
}

Test(group, version_3_database_upgrades_keeping_its_items)
{
	upgrades_keeping_its_items(3);
}

/* ---- end to end: feedd once over local feeds ---- */

#include <cJSON.h>

#include "tests/ts_helpers.h"

/* An RSS document of one item, dated now. */
static char *
rss_one(const char *title, const char *link)
{
	char date[64];
	time_t now = time(NULL);

	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT",
	    gmtime(&now));
	return xasprintf("<?xml version=\"1.0\"?><rss version=\"2.0\">"
	    "<channel><title>t</title><link>http://x.example/</link>"
	    "<item><title>%s</title><link>%s</link><guid>%s</guid>"
	    "<pubDate>%s</pubDate></item></channel></rss>\n", title, link,
	    link, date);
}

static void
serve(struct ts *t, const char *name, const char *title, const char *link)
{
	char *doc = rss_one(title, link);

	ts_put(t, name, doc);
	free(doc);
}

static int
log_lines(struct ts *t)
{
	char *p = th_path(t->dir, "state/alerts.log");
	char *log = th_read_file(p, NULL);
	int n = 0;

	for (char *c = log; c && *c; c++)
		n += *c == '\n';
	free(log);
	free(p);
	return n;
}

/* items --json and stories --json after the run below. */
static void
check_commands(const char *conf)
{
	struct th_result r;
	cJSON *o, *src;
	char *line, *save = NULL;
	int n = 0, in_story = 0;

	cr_assert_eq(th_feedd_run(&r, 30, "items", "-c", conf, "--json",
	    NULL), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	for (line = strtok_r(r.out, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save), n++) {
		cr_assert_not_null(o = cJSON_Parse(line), "%s", line);
		cr_assert(cJSON_IsString(cJSON_GetObjectItem(o, "time")));
		cr_assert(cJSON_IsString(cJSON_GetObjectItem(o, "feed")));
		cr_assert(cJSON_IsString(cJSON_GetObjectItem(o, "link")));
		cr_assert(cJSON_IsString(cJSON_GetObjectItem(o, "published")));
		cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(o, "story")));
		if (cJSON_GetObjectItem(o, "story_size")->valueint == 4)
			in_story++;
		cJSON_Delete(o);
	}
	cr_assert_eq(n, 5, "one line per item");
	cr_assert_eq(in_story, 4, "four items in the Kimi K2 story");
	th_result_cleanup(&r);
	cr_assert_eq(th_feedd_run(&r, 30, "stories", "-c", conf, "--json",
	    NULL), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	line = strstr(r.out, "\"size\":4");
	cr_assert_not_null(line, "%s", r.out);
	while (line > r.out && line[-1] != '\n')
		line--;
	cr_assert_not_null(o = cJSON_ParseWithOpts(line, NULL, 0), "%s",
	    r.out);
	src = cJSON_GetObjectItem(o, "sources");
	cr_assert_eq(cJSON_GetArraySize(src), 4, "%s", r.out);
	cr_assert_eq(cJSON_GetObjectItem(o, "size")->valueint, 4);
	cr_assert(cJSON_IsString(cJSON_GetObjectItem(
	    cJSON_GetArrayItem(src, 1), "joined_by")), "explained");
	cJSON_Delete(o);
	th_result_cleanup(&r);
}

Test(group, alerts_once_per_story_end_to_end, .timeout = 60)
{
	static const char *const names[] = { "tc", "verge", "kr", "hn" };
	char *feeds = xstrdup(""), *conf, *rest, *xml, *atom;
	struct ts t;

	ts_start(&t);
	serve(&t, "tc.xml", "Moonshot AI releases Kimi K2, a "
	    "trillion-parameter open model", "https://tc.example/k2");
	serve(&t, "verge.xml", "Kimi K2: Moonshot's open-weights "
	    "trillion-parameter model tops coding benchmarks",
	    "https://verge.example/k2");
	serve(&t, "kr.xml", "月之暗面发布Kimi K2开源模型，总参数1万亿",
	    "https://36kr.example/k2");
	serve(&t, "hn.xml", "Apple releases OpenELM open language models",
	    "https://hn.example/elm");
	for (size_t i = 0; i < 4; i++) {
		char *path = xasprintf("/%s.xml", names[i]);
		char *f = ts_feed(&t, names[i], path);
		char *all = xasprintf("%s%s", feeds, f);

		free(feeds);
		free(f);
		free(path);
		feeds = all;
	}
	rest = xasprintf("%s[alert \"open\"]\nmatch = open OR 开源\n\n", feeds);
	atom = th_path(t.dir, "state/feed.xml");
	conf = ts_config(&t, "", rest);
	ts_once_quiet(conf);
	cr_assert_eq(ts_db_int(&t, "SELECT count(DISTINCT story_id) FROM"
	    " items"), 2, "Kimi K2 from three outlets, OpenELM");
	cr_assert_eq(log_lines(&t), 2, "one alert per story");
	xml = th_read_file(atom, NULL);
	cr_assert_not_null(xml);
	cr_assert_eq(th_count_of(xml, "<entry>"), 2, "one entry per story");
	cr_assert_eq(th_count_of(xml, "<link rel=\"related\""), 2, "%s", xml);
	cr_assert_null(strstr(xml, "https://hn.example/k2"));
	free(xml);
	/* the story grows: a fourth outlet, and Hacker News moves on */
	serve(&t, "hn.xml", "Moonshot AI open-sources Kimi K2, a "
	    "trillion-parameter model", "https://hn.example/k2");
	ts_once_quiet(conf);
	cr_assert_eq(ts_db_int(&t, "SELECT count(*) FROM items"), 5);
	cr_assert_eq(ts_db_int(&t, "SELECT count(DISTINCT story_id) FROM"
	    " items"), 2, "it joined the story");
	cr_assert_eq(log_lines(&t), 2, "a story that grows does not alert");
	cr_assert_eq(ts_db_int(&t, "SELECT count(*) FROM alerts"), 2);
	/* the join moved the generation: the output was written again */
	xml = th_read_file(atom, NULL);
	cr_assert_not_null(xml);
	cr_assert_eq(th_count_of(xml, "<entry>"), 2, "%s", xml);
	cr_assert_eq(th_count_of(xml, "<link rel=\"related\""), 3, "%s", xml);
	cr_assert_not_null(strstr(xml, "href=\"https://hn.example/k2\""),
	    "%s", xml);
	free(xml);
	check_commands(conf);
	free(atom);
	free(rest);
	free(feeds);
	free(conf);
	ts_stop(&t);
}
