/*
 * headline: what story grouping compares of an item (normalize stage):
 * its headline cut into tokens, each kept as a 64-bit hash with the
 * token's text and kind.  Pure functions of the text: no database, no
 * corpus, safe on any thread.
 *
 * Latin-script words are lowercased, stripped of possessives and of a
 * plural -s, and dropped when they are function words, headline filler,
 * dates or short numbers.  A word with a capital inside a headline that
 * is not written in title case is a name.  A token with letters and
 * digits ("Qwen3", "GPT-4o", "H100"), or a name followed by a version
 * ("DeepSeek V3.1", "iPhone 6"), is an entity: "deepseek-v3.1".  Text
 * in scripts written without spaces (Han, kana, Thai...) becomes
 * character bigrams.  See storage/group.h for how they are compared.
 */
#ifndef FEEDD_HEADLINE_H
#define FEEDD_HEADLINE_H

#include <stddef.h>
#include <stdint.h>

enum hl_kind {
	HL_WORD,		/* an ordinary word */
	HL_CJK,			/* a character bigram */
	HL_NAME,		/* capitalised inside the headline */
	HL_ENTITY,		/* letters and digits: model, product, version */
};

struct hl_token {
	uint64_t h;		/* hash of its text; the array is sorted by it */
	uint32_t base;		/* HL_ENTITY: hash of its leading letters */
	uint16_t text;		/* its text: the offset in the arena */
	uint8_t	 kind;
	uint8_t	 base_len;	/* HL_ENTITY: its leading letters, else 0 */
};

struct headline {
	struct hl_token *tok;	/* sorted by h, unique */
	size_t	 ntok;
	int	 cjk;		/* has HL_CJK tokens */
	int	 entities;	/* has entities with a family (base_len >= 2) */
	char	*arena;		/* the tokens' texts (in the same block) */
};

/* The features of a title (NULL: none; its first 64 words); never NULL. */
struct headline *headline_new(const char *title);
void	 headline_free(struct headline *hl);		/* NULL ok */

/* The text of a token of hl. */
static inline const char *
hl_text(const struct headline *hl, const struct hl_token *t)
{
	return hl->arena + t->text;
}

/* The token with hash h, or NULL. */
const struct hl_token *headline_find(const struct headline *hl, uint64_t h);

/*
 * Whether the two name different things of one family: an entity of
 * each with the same leading letters, neither of which the other
 * headline has ("Qwen3" / "Qwen3-Coder", "DeepSeek-V3" / "DeepSeek
 * V4").  Such headlines are never grouped.
 */
int	 headline_conflict(const struct headline *a, const struct headline *b);

#endif
