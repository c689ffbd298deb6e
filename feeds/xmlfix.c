/*
 * xmlfix: bare ampersands, bare '<' and "&#X" mended before libxml2 (see
 * xmlfix.h).
 * One state is followed: inside a CDATA section '&' is literal.  Anywhere
 * else (text, attribute values, the internal subset) a '&' must start a
 * reference.  Comments and processing instructions are not followed:
 * libxml2 drops them, so a '&' mended inside one changes nothing.  The
 * scan looks for '&' and '[' only (the '[' of "<![CDATA["), both rare
 * next to '<'.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "feeds/xmlfix.h"

#define NAME_MAX_LEN	64	/* longer "&name;" is taken as bare '&' */

enum { FIX_TEXT, FIX_CDATA, FIX_COMMENT };

void
xmlfix_init(struct xmlfix *f)
{
	memset(f, 0, sizeof(*f));
	buf_init(&f->out, 0);
	buf_init(&f->join, 0);
}

void
xmlfix_cleanup(struct xmlfix *f)
{
	buf_cleanup(&f->out);
	buf_cleanup(&f->join);
}

/*
 * 1 when c may follow '<' in markup: a name's first character, '/' or
 * '?' ('!' stops the scan: a comment's '<' is text).  Bytes >= 0x80
 * count as letters.
 */
static int
opens_markup(unsigned char c)
{
	return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c >= 0x80 ||
	    c == '_' || c == ':' || c == '/' || c == '?';
}

#ifdef __SSE2__
/* The bytes of v that are '<' with no opens_markup byte after (in w):
 * bare, or "<!". */
static unsigned int
bare_lt(__m128i v, __m128i w)
{
	const __m128i lower = _mm_or_si128(w, _mm_set1_epi8(0x20));
	__m128i ok = _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)),
	    _mm_cmplt_epi8(lower, _mm_set1_epi8('z' + 1)));

	ok = _mm_or_si128(ok, _mm_cmplt_epi8(w, _mm_setzero_si128()));
	ok = _mm_or_si128(ok, _mm_cmpeq_epi8(w, _mm_set1_epi8('_')));
	ok = _mm_or_si128(ok, _mm_cmpeq_epi8(w, _mm_set1_epi8(':')));
	ok = _mm_or_si128(ok, _mm_cmpeq_epi8(w, _mm_set1_epi8('/')));
	ok = _mm_or_si128(ok, _mm_cmpeq_epi8(w, _mm_set1_epi8('?')));
	return (unsigned int)_mm_movemask_epi8(_mm_andnot_si128(ok,
	    _mm_cmpeq_epi8(v, _mm_set1_epi8('<'))));
}
#endif

/* Offset of the next '&', '[' or bare '<' in s[i..n), or n; a '<' last
 * in s counts (its next byte is not known yet). */
static size_t
scan(const char *s, size_t i, size_t n)
{
#ifdef __SSE2__
	const __m128i amp = _mm_set1_epi8('&'), br = _mm_set1_epi8('[');

	while (i + 33 <= n) {
		__m128i a = _mm_loadu_si128((const __m128i *)(const void *)
		    (s + i));
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)
		    (s + i + 16));
		__m128i a1 = _mm_loadu_si128((const __m128i *)(const void *)
		    (s + i + 1));
		__m128i b1 = _mm_loadu_si128((const __m128i *)(const void *)
		    (s + i + 17));
		unsigned int m = ((unsigned int)_mm_movemask_epi8(_mm_or_si128(
		    _mm_cmpeq_epi8(a, amp), _mm_cmpeq_epi8(a, br))) |
		    bare_lt(a, a1)) |
		    ((unsigned int)_mm_movemask_epi8(_mm_or_si128(
		    _mm_cmpeq_epi8(b, amp), _mm_cmpeq_epi8(b, br))) |
		    bare_lt(b, b1)) << 16;

		if (m != 0)
			return i + (size_t)__builtin_ctz(m);
		i += 32;
	}
#endif
	for (; i < n; i++)
		if (s[i] == '&' || s[i] == '[' || (s[i] == '<' &&
		    (i + 1 == n || !opens_markup((unsigned char)s[i + 1]))))
			break;
	return i;
}

/* XML name characters, as far as a reference needs them: 1 may start a
 * name, 2 may follow.  Bytes >= 0x80 count as letters. */
static const unsigned char name_class[256] = {
	['A' ... 'Z'] = 1, ['a' ... 'z'] = 1, ['_'] = 1, [':'] = 1,
	[0x80 ... 0xFF] = 1, ['0' ... '9'] = 2, ['-'] = 2, ['.'] = 2,
};

#define is_name_start(c)	(name_class[(unsigned char)(c)] == 1)
#define is_name_char(c)		(name_class[(unsigned char)(c)] != 0)

static int
is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

#define REF_BARE	0	/* no reference: a literal '&' */
#define REF_MORE	(-1)	/* cannot tell before more bytes */
#define REF_UPPER_X	(-2)	/* "&#X...;" */

/* What the '&' at p (n bytes there) starts: its length when a
 * reference, else one of REF_*. */
static int
ref_kind(const unsigned char *p, size_t n)
{
	size_t k;

	if (n < 2)
		return REF_MORE;
	if (p[1] == '#') {
		int hex;

		if (n < 3)
			return REF_MORE;
		hex = p[2] == 'x' || p[2] == 'X';
		for (k = 2 + (size_t)hex; k < n && k < 16 &&
		    (hex ? is_hex(p[k]) : p[k] >= '0' && p[k] <= '9'); k++)
			;
		if (k == n)
			return REF_MORE;
		if (k == 2 + (size_t)hex || p[k] != ';')
			return REF_BARE;
		return p[2] == 'X' ? REF_UPPER_X : (int)k + 1;
	}
	if (!is_name_start(p[1]))
		return REF_BARE;
	for (k = 2; k < n && k <= NAME_MAX_LEN && is_name_char(p[k]); k++)
		;
	if (k == n)
		return REF_MORE;
	return p[k] == ';' ? (int)k + 1 : REF_BARE;
}

struct run {
	struct xmlfix	*f;
	const char	*s;
	size_t		 n;
	size_t		 copied;	/* s[0..copied) is in f->out */
	int		 mending;	/* f->out holds the output */
};

/* Copies s[copied..to) and then rep (may be NULL) to the output. */
static void
emit(struct run *r, size_t to, const char *rep)
{
	if (!r->mending) {
		buf_reset(&r->f->out);
		r->mending = 1;
	}
	buf_append(&r->f->out, r->s + r->copied, to - r->copied);
	if (rep != NULL)
		buf_puts(&r->f->out, rep);
	r->copied = to;
}

/*
 * Skips to the end of a CDATA section ("]]>") or a comment ("-->"): the
 * byte c twice, then '>'.  Returns where scanning goes on, or n.  An
 * end cut by the end of a chunk is remembered (tmatch), not held: CDATA
 * is most of a feed's bytes, and holding would copy every next chunk.
 */
static size_t
skip_section(struct xmlfix *f, const char *s, size_t i, size_t n, char c)
{
	const char *p, *stop = s + n;

	while (f->tmatch > 0 && i < n) {
		if (f->tmatch == 2 && s[i] == '>') {
			f->state = FIX_TEXT;
			f->tmatch = 0;
			return i + 1;
		}
		if (s[i] == c) {
			f->tmatch = 2;
			i++;
		} else
			f->tmatch = 0;
	}
	/* memchr on ']' or '-', which text seldom has */
	for (p = s + i; (p = memchr(p, c, (size_t)(stop - p))) != NULL; p++)
		if (stop - p >= 3 && p[1] == c && p[2] == '>') {
			f->state = FIX_TEXT;
			return (size_t)(p - s) + 3;
		}
	if (n > i)
		f->tmatch = n - i >= 2 && s[n - 2] == c && s[n - 1] == c ?
		    2 : s[n - 1] == c;
	return n;
}

/* 1 when the '[' at s[j] ends "<![CDATA" (earlier bytes in f->tail). */
static int
cdata_opens(const struct xmlfix *f, const char *s, size_t j)
{
	static const char open[] = "<![CDATA";
	char before[8];

	if (j >= 8)
		return memcmp(s + j - 8, open, 8) == 0;
	memcpy(before, f->tail + j, 8 - j);
	memcpy(before + 8 - j, s, j);
	return memcmp(before, open, 8) == 0;
}

/* Returns the bytes consumed; the rest is held. */
static size_t
fix(struct run *r, int final)
{
	struct xmlfix *f = r->f;
	const char *s = r->s;
	size_t i = 0, n = r->n, j;
	int k;

	while (i < n) {
		if (f->state != FIX_TEXT) {
			if ((i = skip_section(f, s, i, n, f->state ==
			    FIX_CDATA ? ']' : '-')) >= n)
				return n;
			continue;
		}
		if ((j = scan(s, i, n)) >= n)
			return n;
		i = j + 1;
		if (s[j] == '<') {
			if (n - j < 4 && !final)
				return j;	/* "<!--" or not */
			if (n - j >= 4 && memcmp(s + j, "<!--", 4) == 0) {
				f->state = FIX_COMMENT;	/* '<' is text there */
				f->tmatch = 0;
				i = j + 4;
				continue;
			}
			if (j + 1 == n || s[j + 1] == '!')
				continue;
			/* "price < 5": no markup starts so; libxml2's push
			 * parser stopped there, dropping every item after */
			emit(r, j, "&lt;");
			r->copied = i;
			f->mended_lt++;
			continue;
		}
		if (s[j] == '[') {
			if (cdata_opens(f, s, j)) {
				f->state = FIX_CDATA;
				f->tmatch = 0;
			}
			continue;
		}
		/* the references escaped HTML is made of, without the walk */
		if (n - j >= 6) {
			const char *q = s + j + 1;

			if ((q[0] == 'l' || q[0] == 'g') && q[1] == 't' &&
			    q[2] == ';') {
				i = j + 4;
				continue;
			}
			if (memcmp(q, "amp;", 4) == 0) {
				i = j + 5;
				continue;
			}
			if (memcmp(q, "quot;", 5) == 0) {
				i = j + 6;
				continue;
			}
		}
		k = ref_kind((const unsigned char *)s + j, n - j);
		if (k == REF_MORE && !final && n - j < XMLFIX_HOLD)
			return j;
		if (k == REF_UPPER_X) {
			emit(r, j, "&#x");
			r->copied = i = j + 3;
			f->mended++;
		} else if (k <= 0) {
			emit(r, j, "&amp;");
			r->copied = i = j + 1;
			f->mended++;
		} else
			i = j + (size_t)k;
	}
	return n;
}

void
xmlfix_run(struct xmlfix *f, const char *in, size_t n, int final,
    const char **data, size_t *dlen)
{
	struct run r = { f, in, n, 0, 0 };
	size_t used;

	if (n == 0 && f->npend == 0) {	/* the final call: in may be NULL */
		*data = in;
		*dlen = 0;
		return;
	}
	if (f->npend > 0) {
		buf_reset(&f->join);
		buf_append(&f->join, f->pend, f->npend);
		if (n > 0)
			buf_append(&f->join, in, n);
		r.s = buf_str(&f->join);
		r.n = f->join.len;
		f->npend = 0;
	}
	used = fix(&r, final);
	if (r.n - used > sizeof(f->pend))	/* cannot happen; never lose */
		used = r.n;
	memcpy(f->pend, r.s + used, r.n - used);
	f->npend = r.n - used;
	/* the last 8 bytes handed on, for a "<![CDATA[" cut by a chunk */
	if (used >= 8)
		memcpy(f->tail, r.s + used - 8, 8);
	else if (used > 0) {
		memmove(f->tail, f->tail + used, 8 - used);
		memcpy(f->tail + 8 - used, r.s, used);
	}
	if (r.mending) {
		emit(&r, used, NULL);
		*data = buf_str(&f->out);
		*dlen = f->out.len;
	} else {
		*data = r.s;
		*dlen = used;
	}
}

/* HTML's void elements that feeds leave open in RSS text. */
static const char *const open_voids[] = { "br", "hr", "img", "wbr" };

/* The void element named at p (after '<'), its name's length; else 0. */
static size_t
void_at(const char *p, const char *end)
{
	for (size_t i = 0; i < sizeof(open_voids) / sizeof(*open_voids); i++) {
		size_t n = strlen(open_voids[i]);

		if ((size_t)(end - p) > n && strncasecmp(p, open_voids[i], n) ==
		    0 && (p[n] == '>' || p[n] == '/' || p[n] == ' ' ||
		    p[n] == '\t' || p[n] == '\r' || p[n] == '\n'))
			return n;
	}
	return 0;
}

/*
 * The '>' ending the tag that starts at p, quotes respected; or NULL,
 * also at a '<' (which XML has in no tag, quoted or not): scanning to
 * the end from each of 100,000 '<' that no '>' followed took 7 s.
 */
static const char *
tag_end(const char *p, const char *end)
{
	char q = 0;

	for (; p < end && *p != '<'; p++) {
		if (q != 0) {
			if (*p == q)
				q = 0;
		} else if (*p == '"' || *p == '\'')
			q = *p;
		else if (*p == '>')
			return p;
	}
	return NULL;
}

/* Where scanning goes on after the CDATA section, comment or document
 * type declaration (its internal subset's "]>") at lt; lt itself when
 * it starts none. */
static const char *
past_text_section(const char *lt, const char *end)
{
	const char *e = NULL, *gt, *sub;

	if (end - lt >= 9 && memcmp(lt, "<![CDATA[", 9) == 0)
		e = memmem(lt, (size_t)(end - lt), "]]>", 3);
	else if (end - lt >= 4 && memcmp(lt, "<!--", 4) == 0)
		e = memmem(lt, (size_t)(end - lt), "-->", 3);
	else if (end - lt >= 9 && memcmp(lt, "<!DOCTYPE", 9) == 0) {
		gt = memchr(lt, '>', (size_t)(end - lt));
		/* up to the '>' only: a '[' after it is another's */
		sub = memchr(lt, '[', (size_t)((gt != NULL ? gt : end) - lt));
		if (sub == NULL)
			return gt != NULL ? gt + 1 : end;
		e = memmem(sub, (size_t)(end - sub), "]>", 2);
		return e != NULL ? e + 2 : end;
	} else
		return lt;
	return e != NULL ? e + 3 : end;
}

/* Whether "</name>" (k bytes of name at name) follows gt, blanks aside. */
static int
closed_after(const char *gt, const char *end, const char *name, size_t k)
{
	const char *p = gt + 1;

	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' ||
	    *p == '\t'))
		p++;
	return (size_t)(end - p) >= k + 3 && p[0] == '<' && p[1] == '/' &&
	    strncasecmp(p + 2, name, k) == 0;
}

/* The length of the element name at p, 0 when none starts there. */
static size_t
name_at(const char *p, const char *end)
{
	size_t k = 0;

	if (p < end && is_name_start(*p))
		for (k = 1; p + k < end && is_name_char(p[k]); k++)
			;
	return k;
}

#define BALANCE_DEPTH	256	/* libxml2's own limit */

/* The elements open at a point of the document: their names in it. */
struct open_elems {
	const char *name[BALANCE_DEPTH];
	size_t	 len[BALANCE_DEPTH];
	size_t	 n;
};

/* The open element "</name>" (k bytes) ends, nearest first; the same
 * name in another case when none has it exactly; -1: none. */
static long
open_find(const struct open_elems *o, const char *name, size_t k)
{
	for (size_t i = o->n; i-- > 0;)
		if (o->len[i] == k && memcmp(o->name[i], name, k) == 0)
			return (long)i;
	for (size_t i = o->n; i-- > 0;)
		if (o->len[i] == k && strncasecmp(o->name[i], name, k) == 0)
			return (long)i;
	return -1;
}

/* Writes the end tags of the open elements above depth to. */
static void
close_above(struct buf *b, struct open_elems *o, size_t to, size_t *count)
{
	while (o->n > to) {
		o->n--;
		buf_puts(b, "</");
		buf_append(b, o->name[o->n], o->len[o->n]);
		buf_putc(b, '>');
		(*count)++;
	}
}

/*
 * The end tag "</name ...>" from lt to gt: it ends the nearest open
 * element of that name, in that element's case, after end tags for
 * every element opened since; dropped when no element of that name is
 * open.  *count: what was mended.
 */
static void
balance_end(struct buf *b, struct open_elems *o, const char *lt,
    const char *gt, size_t *count)
{
	size_t	 n = name_at(lt + 2, gt), closed = 0;
	long	 i = open_find(o, lt + 2, n);
	int	 exact;

	if (i < 0) {
		(*count)++;
		return;
	}
	exact = memcmp(o->name[i], lt + 2, n) == 0;
	if (exact && (size_t)i + 1 == o->n) {
		o->n--;
		buf_append(b, lt, (size_t)(gt - lt + 1));
		return;
	}
	close_above(b, o, (size_t)i, &closed);
	*count += closed - exact;	/* its own end tag was there */
}

char *
xmlfix_balance(const char *s, size_t n, size_t *outlen, size_t *count)
{
	const char *p = s, *end = s + n, *copied = s, *lt, *gt, *next;
	struct open_elems o;
	struct buf b;
	size_t	 k;

	*count = 0;
	o.n = 0;
	buf_init(&b, 0);
	while ((lt = memchr(p, '<', (size_t)(end - p))) != NULL) {
		if ((next = past_text_section(lt, end)) != lt) {
			p = next;
			continue;
		}
		p = lt + 1;
		k = name_at(lt + (lt + 1 < end && lt[1] == '/' ? 2 : 1), end);
		if (k == 0 || (gt = tag_end(lt + 1, end)) == NULL)
			continue;	/* text, "<?", "<!" */
		buf_append(&b, copied, (size_t)(lt - copied));
		copied = p = gt + 1;
		if (lt[1] == '/')
			balance_end(&b, &o, lt, gt, count);
		else if (gt[-1] == '/')
			buf_append(&b, lt, (size_t)(gt - lt + 1));
		else if (void_at(lt + 1, end) == k &&
		    !closed_after(gt, end, lt + 1, k)) {
			buf_append(&b, lt, (size_t)(gt - lt));
			buf_puts(&b, "/>");
			(*count)++;
		} else if (o.n == BALANCE_DEPTH) {
			*count = 0;	/* deeper than libxml2 reads */
			break;
		} else {
			o.name[o.n] = lt + 1;
			o.len[o.n++] = k;
			buf_append(&b, lt, (size_t)(gt - lt + 1));
		}
	}
	if (*count > 0) {
		buf_append(&b, copied, (size_t)(end - copied));
		close_above(&b, &o, 0, count);	/* a document cut short */
	}
	if (*count == 0) {
		buf_cleanup(&b);
		return NULL;
	}
	*outlen = b.len;
	return buf_detach(&b);
}
