/*
 * headline: a title cut into the tokens story grouping compares (see
 * headline.h for the rules).  One pass splits the text into runs of
 * word characters (kept with their joiners '-', '.', '_' and
 * apostrophes) and runs of spaceless-script letters; a second turns
 * each run into tokens.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feeds/headline.h"
#include "util/hash.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

/* Function words and headline filler: they say nothing of the event. */
static const char *const stopwords[] = {
	"a", "about", "after", "again", "against", "ago", "all", "also", "am",
	"amid", "an", "and", "any", "are", "around", "as", "at", "back", "be",
	"because", "been", "before", "being", "between", "but", "by", "can",
	"could", "day", "did", "do", "does", "done", "down", "during", "each",
	"even", "ever", "every", "few", "first", "for", "from", "get", "gets",
	"got", "had", "has", "have", "he", "her", "here", "him", "his", "how",
	"i", "if", "in", "into", "is", "it", "its", "just", "last", "latest",
	"like", "live", "make", "makes", "many", "may", "me", "might", "more",
	"most", "much", "must", "my", "new", "news", "next", "no", "not", "now",
	"of", "off", "on", "one", "only", "or", "other", "our", "out", "over",
	"photo", "photos", "pictures", "report", "reported", "reports", "said",
	"say", "says", "see", "set", "she", "should", "since", "so", "some",
	"still", "than", "that", "the", "their", "them", "then", "there",
	"these", "they", "this", "those", "three", "through", "to", "today",
	"too", "two", "under", "up", "update", "updated", "us", "very", "via",
	"video", "vs", "was", "watch", "way", "we", "week", "were", "what",
	"when", "where", "which", "while", "who", "why", "will", "with",
	"would", "year", "years", "yet", "you", "your",
};

/* Calendar words: a date is shared by every story of that day. */
static const char *const calendar[] = {
	"apr", "april", "aug", "august", "dec", "december", "feb", "february",
	"fri", "friday", "jan", "january", "jul", "july", "jun", "june", "mar",
	"march", "mon", "monday", "nov", "november", "oct", "october", "sat",
	"saturday", "sep", "sept", "september", "sun", "sunday", "thu",
	"thursday", "tue", "tuesday", "wed", "wednesday",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Whether w is in the sorted list: a binary search, after a length
 * test (no listed word is longer than 9 bytes), as it runs per word.
 */
static int
in_list(const char *w, size_t len, const char *const *list, size_t n)
{
	size_t lo = 0, hi = n;

	if (len > 9)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = (unsigned char)w[0] - (unsigned char)list[mid][0];

		if (c == 0)
			c = strcmp(w + 1, list[mid] + 1);

		if (c == 0)
			return 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

/* A function word or a calendar word. */
static int
is_filler(const char *w, size_t len)
{
	return in_list(w, len, stopwords, NELEM(stopwords)) ||
	    in_list(w, len, calendar, NELEM(calendar));
}


static uint64_t
fnv1a(const char *s, size_t len)
{
	return hash_add(HASH_INIT, s, len);
}

/* The code point at *s, advancing past it; an invalid byte alone. */
static uint32_t
utf8_next(const char **s)
{
	uint32_t c;
	size_t n = utf8_decode((const unsigned char *)*s, SIZE_MAX, &c);

	if (n == 0) {
		c = (unsigned char)**s;
		n = 1;
	}
	*s += n;
	return c;
}

/* Letters of scripts written without spaces. */
static int
is_spaceless(uint32_t c)
{
	return (c >= 0x0e00 && c <= 0x0eff) || (c >= 0x1000 && c <= 0x109f) ||
	    (c >= 0x1780 && c <= 0x17ff) || (c >= 0x3040 && c <= 0x30ff) ||
	    (c >= 0x31f0 && c <= 0x31ff) || (c >= 0x3400 && c <= 0x4dbf) ||
	    (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af) ||
	    (c >= 0xf900 && c <= 0xfaff) || (c >= 0xff66 && c <= 0xff9f) ||
	    (c >= 0x20000 && c <= 0x3ffff);
}

/* Non-ASCII characters that separate words: punctuation, spaces. */
static int
is_separator(uint32_t c)
{
	return c <= 0xbf || c == 0xd7 || c == 0xf7 ||
	    (c >= 0x2000 && c <= 0x2bff) || (c >= 0x3000 && c <= 0x303f) ||
	    (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff0f) ||
	    (c >= 0xff1a && c <= 0xff20) || (c >= 0xff3b && c <= 0xff40) ||
	    (c >= 0xff5b && c <= 0xff65) || c == 0xfeff;
}

/*
 * The tokens being collected, deduplicated at the end, and their texts
 * (a token's text is its offset in text, then in the arena).  A headline has
 * far fewer; what does not fit is left out.
 */
#define MAX_TOKENS	160
#define MAX_TEXT	4096
#define MAX_WORDS	64

struct toks {
	struct hl_token v[MAX_TOKENS];
	size_t	 n;
	char	 text[MAX_TEXT];
	size_t	 len;
};

static void
add_token(struct toks *t, const char *text, size_t len, enum hl_kind kind)
{
	struct hl_token *k;

	if (t->n == MAX_TOKENS || t->len + len + 1 > MAX_TEXT)
		return;	/* MAX_TEXT fits the 16-bit offsets */
	k = &t->v[t->n++];
	memset(k, 0, sizeof(*k));
	k->h = fnv1a(text, len);
	k->kind = kind;
	k->text = (uint16_t)t->len;
	memcpy(t->text + t->len, text, len);
	t->text[t->len + len] = '\0';
	t->len += len + 1;
	if (kind == HL_ENTITY) {
		size_t b = 0;

		while (b < len && isalpha((unsigned char)text[b]))
			b++;
		k->base_len = b > 255 ? 255 : b;
		k->base = (uint32_t)fnv1a(text, b);
	}
}

static int
has_digit(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (isdigit((unsigned char)s[i]))
			return 1;
	return 0;
}

static int
has_alpha(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (isalpha((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80)
			return 1;
	return 0;
}

/* One word run of the title, as found and as normalised. */
struct word {
	char	 w[64];		/* lowercased, possessive and apostrophes gone */
	size_t	 len;
	int	 cap;		/* began with a capital */
	int	 allcaps;
	int	 inner_cap;	/* a capital after a joiner: "Kimi-VL" */
	const char *end;	/* where it ended in the title */
	const char *start;
};

static int
ends(const char *w, size_t len, const char *suf)
{
	size_t n = strlen(suf);

	return len > n && memcmp(w + len - n, suf, n) == 0;
}

/*
 * A light English stemmer, for matching only: plural -s, -ies, and
 * -ing / -ed on longer words ("recalls", "recalled", "recalling" are
 * one).  Writes into w; returns the new length.
 */
static size_t
stem(char *w, size_t len)
{
	if (len > 4 && ends(w, len, "ies")) {
		w[len - 3] = 'y';
		return len - 2;
	}
	if (len > 3 && w[len - 1] == 's' && w[len - 2] != 's' &&
	    w[len - 2] != 'u' && w[len - 2] != 'i')
		len--;
	if (len > 5 && ends(w, len, "ing"))
		len -= 3;
	else if (len > 5 && ends(w, len, "ed"))
		len -= ends(w, len, "eed") ? 0 : 2;
	/* "tapered"/"taper", "fined"/"fine": drop a trailing e as well */
	if (len > 4 && w[len - 1] == 'e')
		len--;
	return len;
}

/* An ordinary word: filtered, plural -s dropped; kind decided by caller. */
static void
add_word(struct toks *t, const char *w, size_t len, enum hl_kind kind)
{
	char tmp[64];

	if (len < 2 || len >= sizeof(tmp))
		return;
	memcpy(tmp, w, len);
	tmp[len] = '\0';
	if (is_filler(tmp, len))
		return;
	if (!has_alpha(tmp, len)) {
		/* short numbers and years are shared by unrelated stories */
		if (len <= 2 || (len == 4 && (tmp[0] == '1' || tmp[0] == '2')))
			return;
		add_token(t, tmp, len, HL_WORD);
		return;
	}
	if (!has_digit(tmp, len))
		len = stem(tmp, len);
	add_token(t, tmp, len, kind);
}

/*
 * A run of word characters and joiners.  With a digit and a letter, or
 * a capital after a hyphen ("Kimi-VL"), it is an entity, whole, and its
 * parts are words too; another joined run is only its parts
 * ("open-source" is "open source").
 */
static void
add_run(struct toks *t, const struct word *wd, int name)
{
	const char *w = wd->w;
	size_t len = wd->len, i = 0;
	enum hl_kind kind = name ? HL_NAME : HL_WORD;
	int joined = strcspn(w, "-_.") < len;

	if (((has_digit(w, len) && has_alpha(w, len) && len >= 3) ||
	    (joined && wd->inner_cap)) && isalpha((unsigned char)w[0])) {
		add_token(t, w, len, HL_ENTITY);
		if (!joined)
			return;
	} else if (!joined) {
		add_word(t, w, len, kind);
		return;
	}
	while (i < len) {
		size_t n = strcspn(w + i, "-_");

		if (n > len - i)
			n = len - i;
		if (memchr(w + i, '.', n) != NULL && !has_digit(w + i, n)) {
			/* "U.S." is "us" */
			char tmp[64];
			size_t m = 0;

			for (size_t j = 0; j < n; j++)
				if (w[i + j] != '.')
					tmp[m++] = w[i + j];
			add_word(t, tmp, m, kind);
		} else
			/* a part is no entity: "Qwen3-Coder" is not "Qwen3" */
			add_word(t, w + i, n, kind);
		i += n + 1;
	}
}

/* "v3", "3.1", "4o": what follows a name to make a version of it. */
static int
is_version(const struct word *v, int after_name)
{
	const char *s = v->w;
	size_t i = 0, digits = 0;

	if (s[0] == 'v' && v->len > 1 && isdigit((unsigned char)s[1]))
		return 1;
	while (i < v->len && (isdigit((unsigned char)s[i]) || s[i] == '.'))
		digits += isdigit((unsigned char)s[i++]) != 0;
	if (digits == 0)
		return 0;
	if (strchr(s, '.') != NULL && i == v->len)
		return 1;
	/* "iPhone 6", "Llama 4", "GPT 5o": a short number after a name */
	return after_name && digits <= 3 && (i == v->len ||
	    (i + 1 == v->len && isalpha((unsigned char)s[i])));
}

/* "K2", "R1", "S5": a letter and a short number after a name. */
static int
is_model_letter(const struct word *v)
{
	const char *s = v->w;

	if (v->len < 2 || v->len > 4 || !isalpha((unsigned char)s[0]))
		return 0;
	for (size_t i = 1; i < v->len; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return v->cap;
}

/* A name and the version after it, as one entity: "deepseek-v3". */
static void
join_version(struct toks *t, const struct word *name, const struct word *v)
{
	char tmp[130];
	size_t n;

	if (!is_version(v, name->cap) && !(name->cap && is_model_letter(v)))
		return;
	if (name->len < 2 || has_digit(name->w, name->len) ||
	    strcspn(name->w, "-_.") < name->len ||
	    is_filler(name->w, name->len))
		return;
	/* only spaces between them */
	for (const char *p = name->end; p < v->start; p++)
		if (*p != ' ')
			return;
	n = (size_t)snprintf(tmp, sizeof(tmp), "%s-%s", name->w, v->w);
	if (n < sizeof(tmp))
		add_token(t, tmp, n, HL_ENTITY);
}

static int
is_word_byte(const char *p)
{
	const char *q = p;
	uint32_t c;

	if ((unsigned char)*p < 0x80)
		return isalnum((unsigned char)*p);
	c = utf8_next(&q);
	return !is_separator(c) && !is_spaceless(c);
}

/* Reads the word run at *s into wd; *s moves past it. */
static void
read_word(const char **s, struct word *wd)
{
	const char *p = *s;

	memset(wd, 0, sizeof(*wd));
	wd->start = p;
	wd->cap = isupper((unsigned char)*p);
	wd->allcaps = 1;
	for (;;) {
		if (is_word_byte(p)) {
			const char *q = p;

			if ((unsigned char)*p < 0x80) {
				if (islower((unsigned char)*p))
					wd->allcaps = 0;
				q++;
			} else
				utf8_next(&q);
			for (; p < q; p++)
				if (wd->len + 1 < sizeof(wd->w))
					wd->w[wd->len++] =
					    (char)tolower((unsigned char)*p);
			continue;
		}
		/* a joiner between two word characters stays */
		if ((*p == '-' || *p == '.' || *p == '_' || *p == '\'') &&
		    p > wd->start && is_word_byte(p + 1)) {
			if (*p == '\'' && (p[1] == 's' || p[1] == 'S') &&
			    !is_word_byte(p + 2)) {
				p += 2;		/* possessive */
				break;
			}
			if (*p != '\'' && wd->len + 1 < sizeof(wd->w))
				wd->w[wd->len++] = *p;
			if (*p == '-' && isupper((unsigned char)p[1]))
				wd->inner_cap = 1;
			p++;
			continue;
		}
		/* U+2019 RIGHT SINGLE QUOTATION MARK as an apostrophe */
		if (strncmp(p, "\xe2\x80\x99", 3) == 0 && is_word_byte(p + 3)) {
			if ((p[3] == 's' || p[3] == 'S') && !is_word_byte(p + 4)) {
				p += 4;
				break;
			}
			p += 3;
			continue;
		}
		break;
	}
	wd->w[wd->len] = '\0';
	wd->end = p;
	*s = p;
}

/* Bigrams of a run of spaceless-script letters (a lone letter alone). */
static void
read_cjk(const char **s, struct toks *t)
{
	const char *prev = NULL, *p = *s;

	for (;;) {
		const char *q = p;

		if (*p == '\0' || (unsigned char)*p < 0x80 ||
		    !is_spaceless(utf8_next(&q)))
			break;
		if (prev != NULL)
			add_token(t, prev, (size_t)(q - prev), HL_CJK);
		prev = p;
		p = q;
	}
	if (prev == *s)
		add_token(t, prev, (size_t)(p - prev), HL_CJK);
	*s = p;
}

/*
 * Title case ("Stocks Slip On Weak Data") says nothing of names: every
 * longer word after the first is capitalised.
 */
static int
title_case(const struct word *w, size_t n)
{
	size_t longer = 0;

	for (size_t i = 1; i < n; i++) {
		if (w[i].len < 4 || !isalpha((unsigned char)w[i].w[0]))
			continue;
		if (!w[i].cap)
			return 0;
		longer++;
	}
	return longer >= 1;
}

static int
cmp_tok(const void *a, const void *b)
{
	const struct hl_token *x = a, *y = b;

	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return (int)y->kind - (int)x->kind;	/* strongest kind first */
}

/* The headline in one block: the struct, its tokens, their texts. */
static struct headline *
finish(struct toks *t)
{
	struct headline *hl;
	size_t n = 0;

	/* insertion sort: a headline has a few dozen tokens at most */
	for (size_t i = 1; i < t->n; i++) {
		struct hl_token x = t->v[i];
		size_t j = i;

		for (; j > 0 && cmp_tok(&t->v[j - 1], &x) > 0; j--)
			t->v[j] = t->v[j - 1];
		t->v[j] = x;
	}
	for (size_t i = 0; i < t->n; i++)
		if (n == 0 || t->v[n - 1].h != t->v[i].h)
			t->v[n++] = t->v[i];
	hl = xmalloc(sizeof(*hl) + n * sizeof(*hl->tok) + t->len + 1);
	memset(hl, 0, sizeof(*hl));
	hl->tok = (struct hl_token *)(hl + 1);
	hl->arena = (char *)(hl->tok + n);
	memcpy(hl->arena, t->text, t->len);
	hl->arena[t->len] = '\0';
	hl->ntok = n;
	for (size_t i = 0; i < n; i++) {
		hl->tok[i] = t->v[i];
		hl->cjk |= t->v[i].kind == HL_CJK;
		hl->entities |= t->v[i].kind == HL_ENTITY &&
		    t->v[i].base_len >= 2;
	}
	return hl;
}

struct headline *
headline_new(const char *title)
{
	struct toks t;
	struct word w[MAX_WORDS];
	size_t nw = 0;
	const char *s = title ? title : "";
	int tc;

	t.n = t.len = 0;
	while (*s != '\0') {
		const char *q = s;
		uint32_t c = utf8_next(&q);

		if (is_word_byte(s)) {
			if (nw == MAX_WORDS)
				break;
			read_word(&s, &w[nw++]);
		} else if (c >= 0x80 && is_spaceless(c))
			read_cjk(&s, &t);
		else
			s = q;
	}
	tc = title_case(w, nw);
	for (size_t i = 0; i < nw; i++) {
		int name = i > 0 && !tc && w[i].cap && !w[i].allcaps;

		/* an acronym inside a sentence-case headline is a name too */
		name |= i > 0 && !tc && w[i].allcaps && w[i].len >= 2 &&
		    w[i].len <= 5 && isalpha((unsigned char)w[i].w[0]);
		add_run(&t, &w[i], name);
		if (i + 1 < nw)
			join_version(&t, &w[i], &w[i + 1]);
	}
	return finish(&t);
}

void
headline_free(struct headline *hl)
{
	free(hl);	/* one block */
}

const struct hl_token *
headline_find(const struct headline *hl, uint64_t h)
{
	size_t lo = 0, hi = hl->ntok;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (hl->tok[mid].h == h)
			return &hl->tok[mid];
		if (hl->tok[mid].h < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int
has_entity(const struct headline *hl, uint64_t h)
{
	const struct hl_token *t = headline_find(hl, h);

	return t != NULL && t->kind == HL_ENTITY;
}

/*
 * An entity of a that b lacks while b has another of its family that
 * a lacks: the test is symmetric.
 */
static int
conflict_one(const struct headline *a, const struct headline *b)
{
	for (size_t i = 0; i < a->ntok; i++) {
		const struct hl_token *x = &a->tok[i];

		if (x->kind != HL_ENTITY || x->base_len < 2 ||
		    has_entity(b, x->h))
			continue;
		for (size_t j = 0; j < b->ntok; j++) {
			const struct hl_token *y = &b->tok[j];

			if (y->kind == HL_ENTITY && y->base == x->base &&
			    y->base_len == x->base_len && !has_entity(a, y->h))
				return 1;
		}
	}
	return 0;
}

int
headline_conflict(const struct headline *a, const struct headline *b)
{
	if (!a->entities || !b->entities)
		return 0;
	return conflict_one(a, b);
}
