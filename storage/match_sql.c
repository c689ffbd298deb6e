/*
 * match_sql: storage's rule-to-SQL compiler.  It lives next to the schema
 * (migrate.c) because it names the schema's FTS tables: it writes an
 * expression config/match.c parsed as one SQL condition.  Every
 * maximal part made of ordinary words is a single FTS5 MATCH over
 * items_fts; terms in scripts written without spaces (Chinese,
 * Japanese, Thai...) are trigram substring tests over items_tri.  User
 * text only ever reaches SQLite as a bound parameter.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config/match.h"
#include "config/match_int.h"
#include "util/xmalloc.h"
#include "util/buf.h"

/*
 * Each subquery asks only about the items feedd_match_lo() to _hi()
 * (the store's: every item, but the new ones when the rules run).
 * SQLite makes each IN list once per statement, over every item: a
 * rule with a two-character Chinese term (LIKE over every item's text)
 * or a common word cost 180 ms at each run of the rules on a
 * 10,000-feed store, for the few items new to it.
 */
#define IN_RANGE " AND rowid BETWEEN feedd_match_lo() AND feedd_match_hi())"
#define SQL_FTS	"rowid IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?" \
		IN_RANGE
#define SQL_TRI	"rowid IN (SELECT rowid FROM items_tri WHERE items_tri MATCH ?" \
		IN_RANGE
#define SQL_FEED "feed_id IN (SELECT id FROM feeds WHERE name = ?)"
#define SQL_TAG	"feed_id IN (SELECT id FROM feeds WHERE instr(tags, ?) > 0)"
#define SQL_LIKE "rowid IN (SELECT rowid FROM items_tri WHERE text LIKE ? " \
		"ESCAPE '\\'" IN_RANGE

/* Marks each node that FTS5 can evaluate alone (see fts_write). */
static int
mark_fts(struct node *n)
{
	int pos = 0, ok = 1;

	for (size_t i = 0; i < n->nkids; i++)
		mark_fts(n->kids[i]);
	switch (n->type) {
	case N_TERM:
		return n->fts = !n->spaceless && !n->source;
	case N_NOT:
		return n->fts = 0;	/* FTS5 has no NOT without a left side */
	case N_OR:
		for (size_t i = 0; i < n->nkids; i++)
			ok &= n->kids[i]->fts;
		return n->fts = ok;
	case N_AND:
		for (size_t i = 0; i < n->nkids; i++) {
			struct node *k = n->kids[i];

			pos |= k->fts;
			ok &= k->fts || (k->type == N_NOT && k->kids[0]->fts);
		}
		return n->fts = ok && pos;
	}
	return 0;
}

/* "text" with embedded quotes doubled, as FTS5 wants a string. */
static void
fts_quote(struct buf *b, const char *text)
{
	buf_putc(b, '"');
	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '"')
			buf_putc(b, '"');
		buf_putc(b, *p);
	}
	buf_putc(b, '"');
}

static void fts_write(struct buf *, const struct node *);

static void
fts_sub(struct buf *b, const struct node *n)
{
	if (n->type == N_TERM) {
		fts_write(b, n);
		return;
	}
	buf_putc(b, '(');
	fts_write(b, n);
	buf_putc(b, ')');
}

/*
 * FTS5 syntax: an AND's positive kids first, then "NOT x" for each
 * negated one (FTS5's NOT is binary: "a NOT b").
 */
static void
fts_write(struct buf *b, const struct node *n)
{
	size_t npos = 0, written = 0;

	if (n->type == N_TERM) {
		fts_quote(b, n->text);
		if (n->prefix)
			buf_putc(b, '*');
		return;
	}
	for (size_t i = 0; i < n->nkids; i++)
		npos += n->kids[i]->type != N_NOT;
	if (n->type == N_AND && npos > 1 && npos < n->nkids)
		buf_putc(b, '(');
	for (size_t i = 0; i < n->nkids; i++) {
		if (n->kids[i]->type == N_NOT)
			continue;
		if (written++ > 0)
			buf_puts(b, n->type == N_AND ? " AND " : " OR ");
		fts_sub(b, n->kids[i]);
	}
	if (n->type == N_AND && npos > 1 && npos < n->nkids)
		buf_putc(b, ')');
	for (size_t i = 0; i < n->nkids; i++)
		if (n->kids[i]->type == N_NOT) {
			buf_puts(b, " NOT ");
			fts_sub(b, n->kids[i]->kids[0]);
		}
}

static void
param_add(struct match_expr *m, char *param)
{
	m->params = xreallocarray(m->params, m->nparams + 1, sizeof(char *));
	m->params[m->nparams++] = param;
}

static void
sql_fts(struct match_expr *m, struct buf *sql, const struct node *n)
{
	struct buf q;

	buf_init(&q, 0);
	fts_write(&q, n);
	param_add(m, buf_detach(&q));
	buf_puts(sql, SQL_FTS);
}

/* One spaceless text: trigram phrase, or LIKE below three characters. */
static void
sql_trigram_text(struct match_expr *m, struct buf *sql, const char *text)
{
	struct buf q;
	size_t nchars = 0;

	for (const char *p = text; *p != '\0'; nchars++)
		(void)match_utf8_next(&p);
	buf_init(&q, 0);
	if (nchars >= 3) {
		fts_quote(&q, text);
		buf_puts(sql, SQL_TRI);
	} else {
		buf_putc(&q, '%');
		for (const char *p = text; *p != '\0'; p++) {
			if (*p == '%' || *p == '_' || *p == '\\')
				buf_putc(&q, '\\');
			buf_putc(&q, *p);
		}
		buf_putc(&q, '%');
		buf_puts(sql, SQL_LIKE);
	}
	param_add(m, buf_detach(&q));
}

/*
 * A spaceless term, as written or, when it has a space beside a letter
 * of such a script, without it: "AI 模型" also finds "AI模型发布会",
 * where nothing but the change of script parts the words.
 */
static void
sql_trigram(struct match_expr *m, struct buf *sql, const struct node *n)
{
	char	*joined = match_join_scripts(n->text);

	if (joined == NULL) {
		sql_trigram_text(m, sql, n->text);
		return;
	}
	buf_putc(sql, '(');
	sql_trigram_text(m, sql, n->text);
	buf_puts(sql, " OR ");
	sql_trigram_text(m, sql, joined);
	buf_putc(sql, ')');
	free(joined);
}

/*
 * feed:NAME, an item of the feed configured as NAME; tag:TAG, an item
 * of a feed whose tags include TAG (feeds.tags is ",a,b,", lowercased
 * by storage/feeds_db.c).
 */
static void
sql_source(struct match_expr *m, struct buf *sql, const struct node *n)
{
	if (n->source == SRC_FEED) {
		buf_puts(sql, SQL_FEED);
		param_add(m, xstrdup(n->text));
		return;
	}
	buf_puts(sql, SQL_TAG);
	param_add(m, xasprintf(",%s,", n->text));
	for (char *p = m->params[m->nparams - 1]; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
}

static void sql_write(struct match_expr *, struct buf *, const struct node *);

/* Whether kid k of n goes into n's one FTS5 MATCH (pos: n has an FTS5 kid). */
static int
in_fts_group(const struct node *n, const struct node *k, int pos)
{
	return k->fts || (pos && n->type == N_AND && k->type == N_NOT &&
	    k->kids[0]->fts);
}

/*
 * An AND or OR that FTS5 cannot take whole: its FTS5-able kids still
 * go as one MATCH (for AND, with the negated ones it can take too), and
 * the rest are combined in SQL.
 */
static void
sql_split(struct match_expr *m, struct buf *sql, const struct node *n)
{
	struct node group = { .type = n->type };
	size_t written = 0;
	int pos = 0;

	group.kids = xreallocarray(NULL, n->nkids, sizeof(*group.kids));
	for (size_t i = 0; i < n->nkids; i++)
		pos |= n->kids[i]->fts;
	for (size_t i = 0; i < n->nkids; i++)
		if (in_fts_group(n, n->kids[i], pos))
			group.kids[group.nkids++] = n->kids[i];
	buf_putc(sql, '(');
	if (group.nkids > 0) {
		sql_fts(m, sql, group.nkids == 1 ? group.kids[0] : &group);
		written++;
	}
	for (size_t i = 0; i < n->nkids; i++) {
		if (in_fts_group(n, n->kids[i], pos))
			continue;
		if (written++ > 0)
			buf_puts(sql, n->type == N_AND ? " AND " : " OR ");
		sql_write(m, sql, n->kids[i]);
	}
	buf_putc(sql, ')');
	free(group.kids);
}

static void
sql_write(struct match_expr *m, struct buf *sql, const struct node *n)
{
	if (n->fts) {
		sql_fts(m, sql, n);
		return;
	}
	switch (n->type) {
	case N_TERM:
		if (n->source)
			sql_source(m, sql, n);
		else
			sql_trigram(m, sql, n);
		break;
	case N_NOT:
		buf_puts(sql, "NOT (");
		sql_write(m, sql, n->kids[0]);
		buf_putc(sql, ')');
		break;
	default:
		sql_split(m, sql, n);
		break;
	}
}

void
match_emit(struct match_expr *m)
{
	struct buf sql, q;

	mark_fts(m->root);
	buf_init(&sql, 0);
	sql_write(m, &sql, m->root);
	m->sql = buf_detach(&sql);
	if (m->root->fts) {
		buf_init(&q, 0);
		fts_write(&q, m->root);
		m->fts5 = buf_detach(&q);
	}
}
