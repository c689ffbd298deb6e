/*
 * match: alert and search expressions.  Words, "quoted phrases", AND,
 * OR, NOT, parentheses and prefix*, case-insensitive on whole words.
 * An expression is parsed here and compiled once (at config load, by
 * storage/match_sql.c, next to the schema it names) into an SQL
 * condition that SQLite FTS5 evaluates; FTS5 does the matching.
 *
 * The SQL contract with storage/: the condition is evaluated where
 * `rowid` is an items.id, and may use two FTS5 tables keyed by that id:
 *   items_fts  -- word index (unicode61, remove_diacritics 2) over
 *                 columns title, body (body = summary + content as text)
 *   items_tri  -- trigram index over one column, text (title + body),
 *                 for text written without spaces (Chinese, Japanese)
 * Its subqueries ask only about the items whose ids lie between the
 * SQL functions feedd_match_lo() and feedd_match_hi(), which storage
 * defines (every item, but the new ones while the rules run).
 * Parameters are positional (?) and bound in order from params[].
 *
 * Evaluate the condition where bare `rowid` can mean only items.id:
 *   SELECT id FROM items WHERE (<match_sql>) AND ...
 * (items.id INTEGER PRIMARY KEY aliases rowid), or inside a subquery
 * `x.id IN (SELECT id FROM items WHERE (<match_sql>))` when joining;
 * never directly in a join, where `rowid` would be ambiguous.  The
 * condition's `?` are numbered in text order: bind params[i] to
 * offset + i + 1, offset being the `?` written before it.
 *
 * Grammar: only upper-case AND, OR, NOT are operators; terms side by
 * side are ANDed; `a NOT b` is `a AND NOT b`; NOT > AND > OR.  A word
 * is tokenized as unicode61 does, so `open-source` is the phrase
 * "open source"; a change of script is a word boundary in the indexed
 * text (match_split_scripts).  feed:NAME and tag:TAG test the item's
 * feed (feeds.name, feeds.tags), so the condition may also use the
 * items column feed_id.  A term with Han, kana, Thai, Lao, Khmer or Myanmar
 * letters is a substring test on items_tri (a MATCH phrase from three
 * characters, else LIKE '%term%').  Bounds: 4096 bytes, 64 levels of
 * nesting, 256 terms.
 */
#ifndef FEEDD_MATCH_H
#define FEEDD_MATCH_H

#include <stddef.h>

struct match_expr;

/* NULL with *errstr set (caller frees) on a syntax error. */
struct match_expr *match_compile(const char *text, char **errstr);
void	 match_free(struct match_expr *expr);		/* NULL ok */
/* Calls fn with each feed:NAME term's NAME, in the order written. */
void	 match_each_feed(const struct match_expr *expr,
	    void (*fn)(const char *name, void *arg), void *arg);

/* The SQL condition, e.g. "rowid IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)". */
const char *match_sql(const struct match_expr *expr);
size_t	 match_nparams(const struct match_expr *expr);
const char *match_param(const struct match_expr *expr, size_t i);

/*
 * The whole expression as one FTS5 MATCH string over items_fts, for
 * ranking search hits with bm25(); NULL when it cannot be written so
 * (a term without spaces between words, a leading NOT).
 */
const char *match_fts5(const struct match_expr *expr);

/*
 * Whether text (UTF-8) has a letter of a script written without spaces
 * (the characters that make a term a trigram test).  Storage indexes in
 * items_tri only the items where this holds: a trigram term can match
 * no other text.
 */
int	 match_text_spaceless(const char *text);

/*
 * text with a space wherever a letter of a spaceless script meets a
 * letter or digit of another ("接入DeepSeek-V4" -> "接入 DeepSeek-V4"),
 * so that the word index sees "DeepSeek" as the word a reader sees.
 * Storage indexes this in items_fts.  NULL in, NULL out; caller frees.
 */
char	*match_split_scripts(const char *text);

/*
 * text without the spaces that have a letter of a spaceless script on
 * either side ("AI 模型" -> "AI模型", "中国 人工" -> "中国人工"): a
 * phrase as such text is written, since a change of script is already
 * a word boundary.  NULL when there is no such space.  Caller frees.
 */
char	*match_join_scripts(const char *text);

#endif
