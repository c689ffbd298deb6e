/*
 * match: placeholder; alert expressions are compiled here once built.
 */
#include <stddef.h>

#include "config/match.h"
#include "daemon/xmalloc.h"

struct match_expr *
match_compile(const char *text, char **errstr)
{
	(void)text;
	*errstr = xstrdup("match expressions: not built yet");
	return NULL;
}

void
match_free(struct match_expr *expr)
{
	(void)expr;
}

const char *
match_sql(const struct match_expr *expr)
{
	(void)expr;
	return "0";
}

size_t
match_nparams(const struct match_expr *expr)
{
	(void)expr;
	return 0;
}

const char *
match_param(const struct match_expr *expr, size_t i)
{
	(void)expr;
	(void)i;
	return NULL;
}

const char *
match_fts5(const struct match_expr *expr)
{
	(void)expr;
	return NULL;
}
