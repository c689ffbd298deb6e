/*
 * test_match: alert expressions, run for real against the schema the
 * store migrates (items_fts, items_tri, keyed by items.id) and the rows
 * store_put_doc indexes, so each test asserts which stored items an
 * expression finds.
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/match.h"
#include "tests/store_fixture.h"
#include "util/buf.h"

struct row {
	int	 id;
	const char *title, *body;
};

static const struct row rows[] = {
	{ 1, "AI beats humans at Go", "a board game result" },
	{ 2, "He said nothing", "a quiet day, she said" },
	{ 3, "Open-Source model released", "the weights are public" },
	{ 4, "China unveils DeepSeek successor", "a lab in Hangzhou" },
	{ 5, "China trade talks", "tariffs and soybeans" },
	{ 6, "Caf\xc3\xa9 culture", "new caf\xc3\xa9s open in town" },
	{ 7, "\xe4\xb8\xad\xe5\x9b\xbd\xe4\xba\xba\xe5\xb7\xa5\xe6\x99\xba"
	    "\xe8\x83\xbd\xe4\xba\xa7\xe4\xb8\x9a\xe5\xbf\xab\xe9\x80\x9f"
	    "\xe5\x8f\x91\xe5\xb1\x95", "\xe6\x8a\xa5\xe5\x91\x8a" },
	{ 8, "Qwen 3 release from Alibaba in China", "open weights" },
	{ 9, "\xe4\xb8\xad\xe5\x9b\xbd" "AI\xe8\x8a\xaf\xe7\x89\x87",
	    "DeepSeek" },
	{ 10, "Open Source Summit", "keynotes" },
	{ 11, "Everything is a graph", "transformer architecture" },
	{ 12, "\xe3\x83\x87\xe3\x83\xbc\xe3\x82\xbf\xe3\x82\xbb\xe3\x83\xb3"
	    "\xe3\x82\xbf\xe3\x83\xbc\xe3\x81\xae\xe9\x9b\xbb\xe5\x8a\x9b",
	    "power use" },
};

/*
 * A store migrated by storage itself, holding rows[] as items (one
 * document each, so items.id follows rows[].id): the tables and the
 * indexing (what goes into items_fts and items_tri) are the real ones.
 * Criterion forks per test, so each test builds it once.
 */
static struct fx fx;

static sqlite3 *
db_open(void)
{
	int64_t feed;

	if (fx.st != NULL)
		return store_sqlite(fx.st);
	fx_open(&fx);
	feed = fx_feed(&fx, "news");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct feed_doc *doc = feed_doc_new();
		struct feed_item *it;
		char id[16];

		snprintf(id, sizeof(id), "row-%d", rows[i].id);
		it = fx_item(doc, id, rows[i].title, NULL, 1700000000 + i);
		it->summary = xstrdup(rows[i].body);
		fx_put(&fx, feed, doc, 1700000100);
		feed_doc_free(doc);
		cr_assert_eq(fx_count(&fx, "SELECT max(id) FROM items"),
		    rows[i].id, "items.id follows rows[].id");
	}
	return store_sqlite(fx.st);
}

/* Each test runs in its own process; its store goes with it. */
static void
db_close(void)
{
	if (fx.st != NULL)
		fx_close(&fx);
}

TestSuite(match, .fini = db_close);

/* The ids (comma-separated, ascending) an SQL statement returns. */
static char *
ids_of(sqlite3 *db, const char *sql, const struct match_expr *m,
    const char *only_param)
{
	sqlite3_stmt *st;
	struct buf out;
	int rc;

	buf_init(&out, 0);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK,
	    "%s: %s", sql, sqlite3_errmsg(db));
	if (only_param != NULL)
		sqlite3_bind_text(st, 1, only_param, -1, SQLITE_STATIC);
	else
		for (size_t i = 0; i < match_nparams(m); i++)
			sqlite3_bind_text(st, (int)i + 1, match_param(m, i), -1,
			    SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		buf_printf(&out, "%s%d", out.len ? "," : "",
		    sqlite3_column_int(st, 0));
	cr_assert_eq(rc, SQLITE_DONE, "%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return buf_detach(&out);
}

/* Which rows an expression matches, through match_sql as storage runs it. */
static char *
matches(const char *expr)
{
	sqlite3 *db = db_open();
	struct match_expr *m;
	char *err = NULL, *sql, *ids;

	m = match_compile(expr, &err);
	cr_assert_not_null(m, "%s: %s", expr, err);
	sql = malloc(strlen(match_sql(m)) + 64);
	sprintf(sql, "SELECT id FROM items WHERE %s ORDER BY id", match_sql(m));
	ids = ids_of(db, sql, m, NULL);
	free(sql);
	match_free(m);
	return ids;
}

#define EXPECT(expr, want) do { \
	char *got_ = matches(expr); \
	cr_expect_str_eq(got_, want, "%s", expr); \
	free(got_); \
} while (0)

Test(match, whole_words_only)
{
	EXPECT("AI", "1,9");		/* not "said" in 2 */
	EXPECT("said", "2");
	EXPECT("ai", "1,9");		/* 9: 中国AI芯片, a change of script */
}

Test(match, phrase_matches_across_punctuation_and_case)
{
	EXPECT("\"open source\"", "3,10");
	EXPECT("open-source", "3,10");	/* a word with '-' is the phrase */
	EXPECT("\"Open Source\" OR \"open weights\"", "3,8,10");
}

Test(match, and_or_precedence_and_parentheses)
{
	EXPECT("China AND (AI OR DeepSeek OR Qwen)", "4,8");
	EXPECT("China AND AI OR Qwen", "8");
	EXPECT("AI OR China AND trade", "1,5,9");
	EXPECT("(AI OR China) AND trade", "5");
	EXPECT("China Qwen", "8");	/* side by side is AND */
	EXPECT("china", "4,5,8");
}

Test(match, not_forms)
{
	EXPECT("China AND NOT trade", "4,8");
	EXPECT("China NOT trade", "4,8");
	EXPECT("China -trade", "5");	/* "-" is not NOT: "-trade" is trade */
	EXPECT("NOT China", "1,2,3,6,7,9,10,11,12");
	EXPECT("NOT NOT China", "4,5,8");
	EXPECT("AI OR NOT China", "1,2,3,6,7,9,10,11,12");
	EXPECT("China AND NOT (trade OR Qwen)", "4");
}

Test(match, prefix)
{
	EXPECT("transform*", "11");
	EXPECT("transformers", "");
	EXPECT("Dee*", "4,9");
	EXPECT("\"open wei\"*", "8");
}

Test(match, diacritics_fold)
{
	EXPECT("cafe", "6");
	EXPECT("caf\xc3\xa9", "6");
	EXPECT("CAFES", "6");
}

Test(match, cjk_terms_use_trigrams)
{
	/* 人工智能 inside 中国人工智能产业快速发展, one unicode61 token */
	EXPECT("\xe4\xba\xba\xe5\xb7\xa5\xe6\x99\xba\xe8\x83\xbd", "7");
	/* 中国: two characters, LIKE */
	EXPECT("\xe4\xb8\xad\xe5\x9b\xbd", "7,9");
	/* 芯: one character */
	EXPECT("\xe8\x8a\xaf", "9");
	/* センター (katakana) */
	EXPECT("\xe3\x82\xbb\xe3\x83\xb3\xe3\x82\xbf\xe3\x83\xbc", "12");
	/* 中国 AND DeepSeek: trigram and word index together */
	EXPECT("\xe4\xb8\xad\xe5\x9b\xbd AND DeepSeek", "9");
	EXPECT("\xe4\xb8\xad\xe5\x9b\xbd OR Qwen", "7,8,9");
	EXPECT("DeepSeek NOT \xe4\xb8\xad\xe5\x9b\xbd", "4");
	EXPECT("NOT \xe4\xb8\xad\xe5\x9b\xbd AND China", "4,5,8");
}

Test(match, like_wildcards_are_literal)
{
	struct match_expr *m;
	char *err = NULL;

	/* "中_" must not match "中国" (an unescaped _ would) */
	m = match_compile("\xe4\xb8\xad_", &err);
	cr_assert_not_null(m, "%s", err);
	cr_expect(strstr(match_param(m, 0), "\\_") != NULL);
	match_free(m);
	EXPECT("\xe4\xb8\xad_", "");
}

Test(match, user_text_only_in_parameters)
{
	struct match_expr *m;
	char *err = NULL;

	m = match_compile("x' OR 1=1 OR \xe4\xb8\xad\xe5\x9b\xbd", &err);
	cr_assert_not_null(m, "%s", err);
	cr_expect(strstr(match_sql(m), "1=1") == NULL);
	cr_expect(strstr(match_sql(m), "x'") == NULL);
	cr_expect_eq(match_nparams(m), 2);
	match_free(m);
}

Test(match, quotes_are_doubled_in_fts5_strings)
{
	struct match_expr *m;
	char *err = NULL;

	m = match_compile("O\"Brien\"", &err);	/* word O, phrase Brien */
	cr_assert_not_null(m, "%s", err);
	cr_expect_str_eq(match_fts5(m), "\"O\" AND \"Brien\"");
	match_free(m);
	m = match_compile("rock'n'roll", &err);
	cr_assert_not_null(m, "%s", err);
	cr_expect_str_eq(match_fts5(m), "\"rock'n'roll\"");
	match_free(m);
}

Test(match, fts5_string_runs_alone_and_is_null_when_not_expressible)
{
	static const char *const none[] = {
		"NOT China", "\xe4\xb8\xad\xe5\x9b\xbd", "AI OR NOT China",
	};
	sqlite3 *db = db_open();
	struct match_expr *m;
	char *err = NULL, *ids;

	m = match_compile("China AND (AI OR DeepSeek OR Qwen) NOT trade", &err);
	cr_assert_not_null(m, "%s", err);
	cr_assert_not_null(match_fts5(m));
	ids = ids_of(db, "SELECT rowid FROM items_fts WHERE items_fts MATCH ?"
	    " ORDER BY rowid", m, match_fts5(m));
	cr_expect_str_eq(ids, "4,8");
	free(ids);
	match_free(m);
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		m = match_compile(none[i], &err);
		cr_assert_not_null(m, "%s", err);
		cr_expect_null(match_fts5(m), "%s", none[i]);
		match_free(m);
	}
}

Test(match, one_match_per_group_of_words)
{
	struct match_expr *m;
	char *err = NULL;

	m = match_compile("China AND AI AND \xe4\xb8\xad\xe5\x9b\xbd AND Qwen",
	    &err);
	cr_assert_not_null(m, "%s", err);
	cr_expect_eq(match_nparams(m), 2);
	cr_expect_str_eq(match_param(m, 0), "\"China\" AND \"AI\" AND \"Qwen\"");
	match_free(m);
}

struct bad {
	const char *expr, *msg;
};

Test(match, errors_say_what_is_wrong)
{
	static const struct bad bad[] = {
		{ "", "empty expression" },
		{ "   ", "empty expression" },
		{ "(AI OR China", "missing ')'" },
		{ "AI)", "unexpected ')'" },
		{ "\"open source", "unterminated quote" },
		{ "AI AND", "AND needs a term after it" },
		{ "AND AI", "AND needs a term before it" },
		{ "AI OR", "OR needs a term after it" },
		{ "AI OR OR China", "OR needs a term after it" },
		{ "AI NOT", "NOT needs a term after it" },
		{ "*", "'*' must follow a word" },
		{ "AI *", "'*' must follow a word" },
		{ "a*b", "only at the end of a word" },
		{ "\"\"", "empty phrase" },
		{ "()", "empty parentheses" },
		{ "AI AND --", "'--' has no letters or digits" },
		{ "\"...\"", "'...' has no letters or digits" },
	};
	struct match_expr *m;
	char *err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = NULL;
		m = match_compile(bad[i].expr, &err);
		cr_expect_null(m, "%s compiled", bad[i].expr);
		cr_assert_not_null(err, "%s", bad[i].expr);
		cr_expect(strstr(err, bad[i].msg) != NULL, "%s: got '%s'",
		    bad[i].expr, err);
		free(err);
		match_free(m);
	}
}

Test(match, limits)
{
	struct buf b;
	char *err = NULL;

	buf_init(&b, 0);
	for (int i = 0; i < 65; i++)
		buf_putc(&b, '(');
	buf_puts(&b, "AI");
	for (int i = 0; i < 65; i++)
		buf_putc(&b, ')');
	cr_expect_null(match_compile(buf_str(&b), &err));
	cr_expect(err && strstr(err, "too deeply"), "%s", err);
	free(err);
	buf_reset(&b);
	for (int i = 0; i < 257; i++)
		buf_printf(&b, "w%d ", i);
	cr_expect_null(match_compile(buf_str(&b), &err));
	cr_expect(err && strstr(err, "too many terms"), "%s", err);
	free(err);
	buf_reset(&b);
	for (int i = 0; i < 5000; i++)
		buf_putc(&b, 'a');
	cr_expect_null(match_compile(buf_str(&b), &err));
	cr_expect(err && strstr(err, "too long"), "%s", err);
	free(err);
	buf_reset(&b);
	for (int i = 0; i < 60; i++)
		buf_puts(&b, "NOT ");
	buf_puts(&b, "AI");		/* within bounds: compiles */
	struct match_expr *m = match_compile(buf_str(&b), &err);
	cr_expect_not_null(m, "%s", err);
	match_free(m);
	buf_cleanup(&b);
}

/* Found by fuzz_config: after a depth error the parser looped forever. */
Test(match, too_deep_then_more_terms_ends, .timeout = 10)
{
	static const char *const shapes[] = { "(", "NOT ", "(a ", "a AND (" };
	struct buf b;
	char *err;

	buf_init(&b, 0);
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		buf_reset(&b);
		for (int j = 0; j < 100; j++)
			buf_puts(&b, shapes[i]);
		buf_puts(&b, "a b c OR d");
		err = NULL;
		cr_expect_null(match_compile(buf_str(&b), &err), "%s", shapes[i]);
		cr_expect(err && strstr(err, "too deeply"), "%s: %s", shapes[i],
		    err);
		free(err);
	}
	buf_cleanup(&b);
}
