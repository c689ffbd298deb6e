/*
 * match: alert and search expressions: the tokenizer and the
 * recursive-descent parser building the tree that match_sql.c writes
 * as SQL.  Precedence NOT > AND > OR; terms side by side are ANDed; only
 * upper-case AND, OR, NOT are operators.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/match.h"
#include "config/match_int.h"
#include "util/buf.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#define MATCH_MAX_LEN	4096
#define MATCH_MAX_DEPTH	64
#define MATCH_MAX_TERMS	256

enum tok_type { T_END, T_LPAREN, T_RPAREN, T_AND, T_OR, T_NOT, T_TERM };

struct parser {
	const char *p;
	enum tok_type tok;
	char	*text;		/* T_TERM */
	int	 prefix, phrase;
	int	 depth;
	size_t	 nterms;
	char	*err;
};

static const char *const tok_names[] = {
	[T_AND] = "AND", [T_OR] = "OR", [T_NOT] = "NOT",
};

static void
node_free(struct node *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n->text);
	free(n);
}

/* Adds kid (NULL after a parse error: nothing to add) to n. */
static void
node_add(struct node *n, struct node *kid)
{
	if (kid == NULL)
		return;
	/* (a AND b) AND c is one AND of three: fewer, larger FTS5 groups */
	if (kid->type == n->type && kid->type != N_NOT) {
		for (size_t i = 0; i < kid->nkids; i++)
			node_add(n, kid->kids[i]);
		kid->nkids = 0;
		node_free(kid);
		return;
	}
	n->kids = xreallocarray(n->kids, n->nkids + 1, sizeof(*n->kids));
	n->kids[n->nkids++] = kid;
}

static struct node *
node_new(enum node_type type)
{
	struct node *n = xcalloc(1, sizeof(*n));

	n->type = type;
	return n;
}

/* The code point at *s, which moves past it; a byte that starts no
 * well-formed sequence stands for itself. */
uint32_t
match_utf8_next(const char **s)
{
	const unsigned char *p = (const unsigned char *)*s;
	uint32_t c = p[0];
	size_t n = utf8_decode(p, SIZE_MAX, &c);

	*s += n > 0 ? n : 1;
	return c;
}

/* Scripts written without spaces, which unicode61 cannot split in words. */
static int
is_spaceless(uint32_t c)
{
	return (c >= 0x0e00 && c <= 0x0eff) ||	/* Thai, Lao */
	    (c >= 0x1000 && c <= 0x109f) ||	/* Myanmar */
	    (c >= 0x1780 && c <= 0x17ff) ||	/* Khmer */
	    (c >= 0x3040 && c <= 0x30ff) ||	/* Hiragana, Katakana */
	    (c >= 0x31f0 && c <= 0x31ff) ||
	    (c >= 0x3400 && c <= 0x4dbf) ||	/* Han */
	    (c >= 0x4e00 && c <= 0x9fff) ||
	    (c >= 0xf900 && c <= 0xfaff) ||
	    (c >= 0xff66 && c <= 0xff9f) ||	/* halfwidth Katakana */
	    (c >= 0x20000 && c <= 0x3ffff);
}

int
match_text_spaceless(const char *text)
{
	const char *s = text;

	while (*s != '\0') {
		/* every such letter is 3 or 4 bytes in UTF-8 */
		if ((unsigned char)*s < 0xe0) {
			s++;
			continue;
		}
		if (is_spaceless(match_utf8_next(&s)))
			return 1;
	}
	return 0;
}

static int is_token_char(uint32_t c);

char *
match_split_scripts(const char *text)
{
	const char *s = text, *start;
	struct buf b;
	int prev = 0;	/* 0 none, 1 spaceless letter, 2 other token char */

	if (text == NULL)
		return NULL;
	buf_init(&b, 0);
	buf_puts(&b, "");
	while (*s != '\0') {
		uint32_t c;
		int cls;

		start = s;
		c = match_utf8_next(&s);
		cls = is_spaceless(c) ? 1 : is_token_char(c) ? 2 : 0;
		if (cls != 0 && prev != 0 && cls != prev)
			buf_putc(&b, ' ');
		prev = cls;
		buf_append(&b, start, (size_t)(s - start));
	}
	return buf_detach(&b);
}

/* The code point that starts at s, or 0 at the end. */
static uint32_t
peek_cp(const char *s)
{
	return *s != '\0' ? match_utf8_next(&s) : 0;
}

char *
match_join_scripts(const char *text)
{
	const char *s = text, *start;
	uint32_t prev = 0;
	struct buf b;
	int joined = 0;

	buf_init(&b, 0);
	buf_puts(&b, "");
	while (*s != '\0') {
		uint32_t c;

		start = s;
		c = match_utf8_next(&s);
		if (c == ' ' && (is_spaceless(prev) ||
		    is_spaceless(peek_cp(s)))) {
			joined = 1;
			continue;	/* prev stays: "中 国" has two sides */
		}
		prev = c;
		buf_append(&b, start, (size_t)(s - start));
	}
	if (!joined) {
		buf_cleanup(&b);
		return NULL;
	}
	return buf_detach(&b);
}

/* Whether unicode61 keeps the character in a token (roughly). */
static int
is_token_char(uint32_t c)
{
	if (c < 0x80)
		return isalnum((int)c);
	return !(c <= 0xbf || (c >= 0x2000 && c <= 0x206f) ||
	    (c >= 0x3000 && c <= 0x303f) || (c >= 0xff01 && c <= 0xff0f) ||
	    (c >= 0xff1a && c <= 0xff20) || (c >= 0xff3b && c <= 0xff40) ||
	    (c >= 0xff5b && c <= 0xff65));
}

/* Records the first error and ends the input, so every loop stops. */
static void
parse_fail(struct parser *ps, const char *msg)
{
	if (ps->err == NULL)
		ps->err = xstrdup(msg);
	ps->tok = T_END;
}

/* A word: up to a blank, a parenthesis or a quote. */
static void
lex_word(struct parser *ps)
{
	const char *s = ps->p, *end;
	size_t len = strcspn(s, " \t\r\n\v\f()\"");

	/* feed:"A name with spaces" */
	if (((len == 5 && strncmp(s, "feed:", 5) == 0) ||
	    (len == 4 && strncmp(s, "tag:", 4) == 0)) && s[len] == '"' &&
	    (end = strchr(s + len + 1, '"')) != NULL) {
		char *name = xstrndup(s + len + 1, (size_t)(end - s - len - 1));

		ps->tok = T_TERM;
		ps->text = xasprintf("%.*s%s", (int)len, s, name);
		free(name);
		ps->p = end + 1;
		return;
	}
	ps->p += len;
	for (size_t i = 0; i < 3; i++)
		if (tok_names[i + T_AND] != NULL &&
		    strlen(tok_names[i + T_AND]) == len &&
		    strncmp(s, tok_names[i + T_AND], len) == 0) {
			ps->tok = (enum tok_type)(i + T_AND);
			return;
		}
	ps->tok = T_TERM;
	if (len > 0 && s[len - 1] == '*') {
		ps->prefix = 1;
		len--;
	}
	if (len == 0)
		parse_fail(ps, "'*' must follow a word");
	else if (memchr(s, '*', len) != NULL)
		parse_fail(ps, "'*' is allowed only at the end of a word");
	ps->text = xstrndup(s, len);
}

static void
lex_phrase(struct parser *ps)
{
	const char *end = strchr(ps->p + 1, '"');

	if (end == NULL) {
		parse_fail(ps, "unterminated quote");
		ps->tok = T_END;
		return;
	}
	ps->tok = T_TERM;
	ps->phrase = 1;
	ps->text = xstrndup(ps->p + 1, (size_t)(end - ps->p - 1));
	ps->p = end + 1;
	if (*ps->p == '*') {
		ps->prefix = 1;
		ps->p++;
	}
	if (ps->text[0] == '\0')
		parse_fail(ps, "empty phrase \"\"");
}

static void
lex(struct parser *ps)
{
	free(ps->text);
	ps->text = NULL;
	ps->prefix = ps->phrase = 0;
	while (isspace((unsigned char)*ps->p))
		ps->p++;
	if (ps->err != NULL || *ps->p == '\0')
		ps->tok = T_END;
	else if (*ps->p == '(' || *ps->p == ')')
		ps->tok = *ps->p++ == '(' ? T_LPAREN : T_RPAREN;
	else if (*ps->p == '"')
		lex_phrase(ps);
	else
		lex_word(ps);
	if (ps->tok == T_TERM && ++ps->nterms > MATCH_MAX_TERMS)
		parse_fail(ps, "too many terms (more than 256)");
	if (ps->err != NULL)
		ps->tok = T_END;
}

static int
starts_term(enum tok_type t)
{
	return t == T_TERM || t == T_LPAREN || t == T_NOT;
}

static struct node *parse_or(struct parser *);

static struct node *
parse_term(struct parser *ps)
{
	struct node *n = node_new(N_TERM);
	const char *s = ps->text;
	int letters = 0;

	n->text = ps->text;
	n->prefix = ps->prefix;
	ps->text = NULL;
	if (!ps->phrase && (strncmp(s, "feed:", 5) == 0 ||
	    strncmp(s, "tag:", 4) == 0)) {
		size_t skip = s[0] == 'f' ? 5 : 4;

		n->source = s[0] == 'f' ? SRC_FEED : SRC_TAG;
		memmove(n->text, n->text + skip, strlen(n->text + skip) + 1);
		if (n->text[0] == '\0' || n->prefix)
			parse_fail(ps, n->source == SRC_FEED ?
			    "feed: needs a feed name (no '*')" :
			    "tag: needs a tag (no '*')");
		lex(ps);
		return n;
	}
	while (*s != '\0') {
		uint32_t c = match_utf8_next(&s);

		letters |= is_token_char(c);
		n->spaceless |= is_spaceless(c);
	}
	if (!letters) {
		char *msg = xasprintf("'%s' has no letters or digits", n->text);

		parse_fail(ps, msg);
		free(msg);
	}
	lex(ps);
	return n;
}

static struct node *
parse_primary(struct parser *ps)
{
	struct node *n;

	if (ps->tok == T_TERM)
		return parse_term(ps);
	if (ps->tok == T_RPAREN)
		parse_fail(ps, "unbalanced parentheses: unexpected ')'");
	else if (ps->tok == T_AND || ps->tok == T_OR)
		parse_fail(ps, ps->tok == T_AND ? "AND needs a term before it" :
		    "OR needs a term before it");
	if (ps->tok != T_LPAREN) {
		parse_fail(ps, "expected a term");
		return NULL;
	}
	lex(ps);
	if (ps->tok == T_RPAREN) {
		parse_fail(ps, "empty parentheses");
		return NULL;
	}
	n = parse_or(ps);
	if (ps->tok != T_RPAREN)
		parse_fail(ps, "unbalanced parentheses: missing ')'");
	lex(ps);
	return n;
}

static struct node *
parse_unary(struct parser *ps)
{
	struct node *n = NULL;

	if (ps->depth + 1 > MATCH_MAX_DEPTH) {
		parse_fail(ps, "expression nested too deeply (more than 64)");
		return NULL;
	}
	ps->depth++;
	if (ps->tok != T_NOT)
		n = parse_primary(ps);
	else {
		lex(ps);
		if (!starts_term(ps->tok))
			parse_fail(ps, "NOT needs a term after it");
		else {
			n = node_new(N_NOT);
			node_add(n, parse_unary(ps));
		}
	}
	ps->depth--;
	return n;
}

static int
list_goes_on(const struct parser *ps, enum tok_type op, int juxtapose)
{
	return ps->tok == op || (juxtapose && starts_term(ps->tok));
}

/*
 * One level of the grammar: sub (op sub)*, joined into a node of type.
 * With juxtapose, terms side by side join too (the implicit AND).
 */
static struct node *
parse_list(struct parser *ps, enum node_type type, enum tok_type op,
    int juxtapose, const char *need, struct node *(*sub)(struct parser *))
{
	struct node *first = sub(ps), *n;

	if (!list_goes_on(ps, op, juxtapose))
		return first;
	n = node_new(type);
	node_add(n, first);
	while (list_goes_on(ps, op, juxtapose)) {
		if (ps->tok == op) {
			lex(ps);
			if (!starts_term(ps->tok)) {
				parse_fail(ps, need);
				break;
			}
		}
		node_add(n, sub(ps));
	}
	return n;
}

/* Terms side by side, AND, or a binary NOT ("a NOT b" is a AND NOT b). */
static struct node *
parse_and(struct parser *ps)
{
	return parse_list(ps, N_AND, T_AND, 1, "AND needs a term after it",
	    parse_unary);
}

static struct node *
parse_or(struct parser *ps)
{
	return parse_list(ps, N_OR, T_OR, 0, "OR needs a term after it",
	    parse_and);
}

struct match_expr *
match_compile(const char *text, char **errstr)
{
	struct parser ps = { .p = text };
	struct match_expr *m;
	struct node *root;

	*errstr = NULL;
	if (strlen(text) > MATCH_MAX_LEN) {
		*errstr = xstrdup("expression too long (more than 4096 bytes)");
		return NULL;
	}
	lex(&ps);
	if (ps.tok == T_END && ps.err == NULL)
		parse_fail(&ps, "empty expression");
	root = parse_or(&ps);
	if (ps.tok == T_RPAREN)
		parse_fail(&ps, "unbalanced parentheses: unexpected ')'");
	free(ps.text);
	if (ps.err != NULL || root == NULL) {
		node_free(root);
		*errstr = ps.err ? ps.err : xstrdup("invalid expression");
		return NULL;
	}
	m = xcalloc(1, sizeof(*m));
	m->root = root;
	match_emit(m);
	return m;
}

void
match_free(struct match_expr *m)
{
	if (m == NULL)
		return;
	node_free(m->root);
	strv_free(m->params, m->nparams);
	free(m->sql);
	free(m->fts5);
	free(m);
}

const char *
match_sql(const struct match_expr *m)
{
	return m->sql;
}

size_t
match_nparams(const struct match_expr *m)
{
	return m->nparams;
}

const char *
match_param(const struct match_expr *m, size_t i)
{
	return i < m->nparams ? m->params[i] : NULL;
}

const char *
match_fts5(const struct match_expr *m)
{
	return m->fts5;
}

static void
each_feed(const struct node *n, void (*fn)(const char *, void *), void *arg)
{
	if (n->type == N_TERM && n->source == SRC_FEED)
		fn(n->text, arg);
	for (size_t i = 0; i < n->nkids; i++)
		each_feed(n->kids[i], fn, arg);
}

void
match_each_feed(const struct match_expr *expr,
    void (*fn)(const char *name, void *arg), void *arg)
{
	if (expr != NULL && expr->root != NULL)
		each_feed(expr->root, fn, arg);
}
