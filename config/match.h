/*
 * match: alert and search expressions.  Words, "quoted phrases", AND,
 * OR, NOT, parentheses and prefix*, case-insensitive on whole words.
 * An expression is compiled once (at config load) into an SQL condition
 * that SQLite FTS5 evaluates; FTS5 does the matching.
 *
 * The SQL contract with storage/: the condition is evaluated where
 * `rowid` is an items.id, and may use two FTS5 tables keyed by that id:
 *   items_fts  -- word index (unicode61, remove_diacritics 2) over
 *                 columns title, body (body = summary + content as text)
 *   items_tri  -- trigram index over one column, text (title + body),
 *                 for text written without spaces (Chinese, Japanese)
 * Parameters are positional (?) and bound in order from params[].
 */
#ifndef FEEDD_MATCH_H
#define FEEDD_MATCH_H

#include <stddef.h>

struct match_expr;

/* NULL with *errstr set (caller frees) on a syntax error. */
struct match_expr *match_compile(const char *text, char **errstr);
void	 match_free(struct match_expr *expr);		/* NULL ok */

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

#endif
