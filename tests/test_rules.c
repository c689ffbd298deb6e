/*
 * test_rules: the alert rules shipped in config/feedd.conf.example on
 * the real headlines of tests/data/headlines.tsv: each rule matches the
 * headlines listed for it and no other.
 */
#include "tests/store_fixture.h"

#include "config/config.h"

#define NOW 1790000000

/* Whether the stored story titled title is among rows. */
static int
has_title(const struct story_row *rows, size_t n, const char *title)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].title != NULL && strcmp(rows[i].title, title) == 0)
			return 1;
	return 0;
}

Test(rules, example_rules_on_real_headlines)
{
	struct config_errors errs = { 0 };
	struct config *cfg = config_load("config/feedd.conf.example", &errs);
	char	*text = th_read_file("tests/data/headlines.tsv", NULL);
	char	*line, *save = NULL;
	struct feed_doc *doc = feed_doc_new();
	struct fx fx;
	int	 id = 0, checked = 0;

	cr_assert_not_null(cfg, "the example config does not load");
	cr_assert_not_null(text, "tests/data/headlines.tsv is missing");
	cr_assert_geq(cfg->nrules, 2);
	fx_open(&fx);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *link;

		if (line[0] == '#')
			continue;
		line[strcspn(line, "\t")] = '\0';
		link = xasprintf("https://headline.example/%d", ++id);
		fx_item(doc, link, line, link, NOW);
		free(link);
	}
	fx_put(&fx, fx_feed(&fx, "headlines"), doc, NOW);
	free(text);
	text = th_read_file("tests/data/headlines.tsv", NULL);
	for (size_t r = 0; r < cfg->nrules; r++) {
		struct story_row *rows;
		size_t n;
		char *copy = xstrdup(text);

		cr_assert_eq(store_match_test(fx.st, cfg->rules[r].expr, 0, &rows,
		    &n), 0, "%s", store_errmsg(fx.st));
		save = NULL;
		for (line = strtok_r(copy, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save)) {
			char *title, *src, *want;
			int expect;

			if (line[0] == '#')
				continue;
			title = line;
			src = strchr(title, '\t');
			cr_assert_not_null(src);
			*src++ = '\0';
			want = strchr(src, '\t');
			cr_assert_not_null(want);
			*want++ = '\0';
			expect = strstr(want, cfg->rules[r].def.name) != NULL;
			cr_expect_eq(has_title(rows, n, title), expect,
			    "rule %s %s \"%s\"", cfg->rules[r].def.name,
			    expect ? "misses" : "matches", title);
			checked++;
		}
		story_rows_free(rows, n);
		free(copy);
	}
	cr_expect_geq(checked, 2 * 16);
	free(text);
	feed_doc_free(doc);
	fx_close(&fx);
	config_free(cfg);
	config_errors_cleanup(&errs);
}
