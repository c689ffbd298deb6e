/*
 * match_int: the expression tree shared by config/match.c (the parser)
 * and storage/match_sql.c (the SQL and FTS5 writer, which knows the
 * tables).  Private to those two files.
 */
#ifndef FEEDD_MATCH_INT_H
#define FEEDD_MATCH_INT_H

#include <stddef.h>
#include <stdint.h>

enum node_type { N_TERM, N_AND, N_OR, N_NOT };
enum { SRC_FEED = 1, SRC_TAG = 2 };

struct node {
	enum node_type type;
	char	*text;		/* N_TERM: the word or phrase, unquoted */
	int	 prefix;	/* N_TERM: written with a trailing '*' */
	int	 spaceless;	/* N_TERM: has Han, kana, Thai... */
	int	 source;	/* N_TERM: 0 text, SRC_FEED or SRC_TAG (text: name) */
	int	 fts;		/* expressible as one FTS5 query */
	struct node **kids;
	size_t	 nkids;
};

struct match_expr {
	struct node *root;
	char	*sql;
	char	**params;
	size_t	 nparams;
	char	*fts5;		/* NULL when not expressible */
};

/* Next code point of UTF-8 text; invalid bytes come back one at a time. */
uint32_t match_utf8_next(const char **s);
/* Fills m->sql, m->params and m->fts5 from m->root. */
void	 match_emit(struct match_expr *m);

#endif
