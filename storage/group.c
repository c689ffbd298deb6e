/*
 * group: the index of recent items and the rule that joins a new item
 * to a story (see group.h).  Entries live in one array in the order they
 * were added, numbered by a sequence that only grows; expiry drops a
 * prefix, so every posting list's dead entries are a prefix too and are
 * cut when next read.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/group.h"
#include "util/buf.h"
#include "util/xmalloc.h"

struct gentry {
	int64_t	 item_id, feed_id, story_id, time, seen;
	uint32_t first;			/* seq of its story's first entry */
	uint32_t stamp;			/* last query that reached it */
	uint32_t hits;			/* tokens read that it shares */
	double	 acc;			/* their IDF */
	int	 entity_hit;
	struct headline *hl;
};

struct gtok {
	uint64_t h;			/* 0: empty slot */
	uint32_t df;			/* live entries with the token */
	uint32_t n, cap;		/* postings: entry seqs, growing */
	uint32_t *post;
};

struct gstory {
	int64_t	 id;			/* 0: empty slot */
	uint32_t first;
};

#define LOGTAB	512
#define TOKCAP_MIN 1024			/* slots of the word table */

struct group_index {
	struct group_params p;
	double	 logtab[LOGTAB];	/* ln(k + 1) */
	struct gentry *e;		/* e[seq - off] */
	struct gstory *st;		/* story id -> its first entry */
	size_t	 nst, stcap;
	size_t	 n, cap;		/* entries in e, dead prefix included */
	uint32_t off;			/* seq of e[0] */
	uint32_t live;			/* seq of the first live entry */
	struct gtok *tok;		/* open addressing, power of two */
	size_t	 ntok, tokcap;
	uint32_t query;			/* stamp of the current match */
	uint32_t *cand;			/* seqs reached by the current match */
	size_t	 ncand, candcap;
	struct rare *rare;		/* the current match's rare tokens */
	size_t	 rarecap;
	double	*qidf;			/* its tokens' IDF */
	size_t	 qidfcap;
};

void
group_params_default(struct group_params *p)
{
	p->window = 48 * 3600;
	p->max_items = GROUP_MAX_ITEMS;
	p->threshold = 0.6;
	p->first_threshold = 0.3;
	p->time_penalty = 0.25;
	p->name_boost = 2.0;
	p->evidence = 1.2;
	p->entity_threshold = 0.45;
	p->prior = 100;
}

struct group_index *
group_index_new(const struct group_params *p)
{
	struct group_index *gi = xcalloc(1, sizeof(*gi));

	gi->p = *p;
	for (int k = 0; k < LOGTAB; k++)
		gi->logtab[k] = log(k + 1.0);
	gi->tokcap = TOKCAP_MIN;
	gi->tok = xcalloc(gi->tokcap, sizeof(*gi->tok));
	gi->stcap = 256;
	gi->st = xcalloc(gi->stcap, sizeof(*gi->st));
	return gi;
}

void
group_index_free(struct group_index *gi)
{
	if (gi == NULL)
		return;
	for (size_t i = 0; i < gi->n; i++)
		headline_free(gi->e[i].hl);
	free(gi->e);
	for (size_t i = 0; i < gi->tokcap; i++)
		free(gi->tok[i].post);
	free(gi->tok);
	free(gi->st);
	free(gi->cand);
	free(gi->rare);
	free(gi->qidf);
	free(gi);
}

size_t
group_index_size(const struct group_index *gi)
{
	return gi->off + gi->n - gi->live;
}

static struct gentry *
entry(const struct group_index *gi, uint32_t seq)
{
	return &gi->e[seq - gi->off];
}

static uint32_t
next_seq(const struct group_index *gi)
{
	return gi->off + (uint32_t)gi->n;
}

/* The slot of h: its own, or the empty one where it would go. */
static struct gtok *
tok_slot(const struct group_index *gi, uint64_t h)
{
	size_t mask = gi->tokcap - 1, i;

	if (h == 0)
		h = 1;
	for (i = (size_t)(h ^ (h >> 29)) & mask;; i = (i + 1) & mask)
		if (gi->tok[i].h == h || gi->tok[i].h == 0)
			return &gi->tok[i];
}

static void
tok_grow(struct group_index *gi)
{
	struct gtok *old = gi->tok;
	size_t oldcap = gi->tokcap;

	gi->tokcap *= 2;
	gi->tok = xcalloc(gi->tokcap, sizeof(*gi->tok));
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].h != 0)
			*tok_slot(gi, old[i].h) = old[i];
	free(old);
}

/*
 * The table anew without the words no live item has: over months the
 * words seen once would otherwise grow it without end.
 */
static void
tok_drop_unused(struct group_index *gi)
{
	struct gtok *old = gi->tok;
	size_t oldcap = gi->tokcap, live = 0;

	for (size_t i = 0; i < oldcap; i++)
		live += old[i].h != 0 && old[i].df > 0;
	while (gi->tokcap > TOKCAP_MIN && (live + 1) * 4 <= gi->tokcap)
		gi->tokcap /= 2;
	gi->tok = xcalloc(gi->tokcap, sizeof(*gi->tok));
	gi->ntok = 0;
	for (size_t i = 0; i < oldcap; i++) {
		if (old[i].h == 0)
			continue;
		if (old[i].df == 0) {
			free(old[i].post);
			continue;
		}
		*tok_slot(gi, old[i].h) = old[i];
		gi->ntok++;
	}
	free(old);
}

static const struct gtok *
tok_find(const struct group_index *gi, uint64_t h)
{
	const struct gtok *t = tok_slot(gi, h);

	return t->h != 0 ? t : NULL;
}

/* Cuts the postings of entries no longer live (always a prefix). */
static void
tok_trim(const struct group_index *gi, struct gtok *t)
{
	uint32_t k = 0;

	while (k < t->n && t->post[k] < gi->live)
		k++;
	if (k == 0)
		return;
	memmove(t->post, t->post + k, (t->n - k) * sizeof(*t->post));
	t->n -= k;
}

/* Trims, and gives back what a shrunken posting list no longer needs. */
static void
tok_shrink(const struct group_index *gi, struct gtok *t)
{
	tok_trim(gi, t);
	if (t->cap > 8 && t->n * 4 <= t->cap) {
		t->cap = t->n * 2 > 4 ? t->n * 2 : 4;
		t->post = xreallocarray(t->post, t->cap, sizeof(*t->post));
	}
}

/*
 * The documents IDF counts: the items of the window and a prior of
 * unseen ones, so that a fresh database with a handful of items still
 * weighs a word they share as rare rather than as common to all.
 */
static double
docs(const struct group_index *gi)
{
	return (double)group_index_size(gi) + gi->p.prior;
}

/* ln(df + 1), from the table for the usual small counts. */
static double
log_df1(const struct group_index *gi, uint32_t df)
{
	return df < LOGTAB ? gi->logtab[df] : log(df + 1.0);
}

static double
boost(const struct group_index *gi, int kind)
{
	return kind >= HL_NAME ? gi->p.name_boost : 1.0;
}

/*
 * A headline being matched, with what every comparison needs of it:
 * ln(documents), the IDF of each of its tokens and their weight.
 */
struct query {
	const struct headline *hl;
	double	 logdocs;
	double	*idf;			/* per token of hl */
	double	 w;
};

static void
query_init(struct group_index *gi, const struct headline *hl,
    struct query *q)
{
	q->hl = hl;
	q->logdocs = log(docs(gi));
	if (gi->qidfcap < hl->ntok + 1) {
		gi->qidfcap = hl->ntok + 1;
		gi->qidf = xreallocarray(gi->qidf, gi->qidfcap, sizeof(double));
	}
	q->idf = gi->qidf;
	q->w = 0;
	for (size_t i = 0; i < hl->ntok; i++) {
		const struct gtok *t = tok_find(gi, hl->tok[i].h);

		q->idf[i] = q->logdocs - log_df1(gi, t ? t->df : 0);
		q->w += q->idf[i] * boost(gi, hl->tok[i].kind);
	}
}

/* The weight of hl's tokens against the query's documents. */
static double
weight(const struct group_index *gi, const struct query *q,
    const struct headline *hl)
{
	double w = 0;

	for (size_t i = 0; i < hl->ntok; i++) {
		const struct gtok *t = tok_find(gi, hl->tok[i].h);

		w += (q->logdocs - log_df1(gi, t ? t->df : 0)) *
		    boost(gi, hl->tok[i].kind);
	}
	return w;
}

/* What a and b share: weight, count, entities; *why lists the tokens. */
struct shared {
	double	 w;
	double	 idf;			/* without boosts */
	int	 n;
	int	 entities;
};

static void
share(const struct group_index *gi, const struct query *q,
    const struct headline *b, int without_cjk, struct shared *sh,
    struct buf *why)
{
	const struct headline *a = q->hl;
	size_t i = 0, j = 0;

	memset(sh, 0, sizeof(*sh));
	while (i < a->ntok && j < b->ntok) {
		const struct hl_token *x = &a->tok[i], *y = &b->tok[j];
		int kind;

		if (x->h != y->h) {
			if (x->h < y->h)
				i++;
			else
				j++;
			continue;
		}
		i++, j++;
		if (without_cjk && x->kind == HL_CJK)
			continue;
		kind = x->kind > y->kind ? x->kind : y->kind;
		sh->idf += q->idf[i - 1];
		sh->w += q->idf[i - 1] * boost(gi, kind);
		sh->n++;
		sh->entities += x->kind == HL_ENTITY && y->kind == HL_ENTITY;
		if (why != NULL) {
			buf_putc(why, ' ');
			buf_puts(why, hl_text(a, x));
		}
	}
}

/* The same entities, one at least: all of a's are b's and back. */
static int
same_entities(const struct headline *a, const struct headline *b)
{
	size_t na = 0, nb = 0;

	for (size_t i = 0; i < a->ntok; i++) {
		const struct hl_token *t;

		if (a->tok[i].kind != HL_ENTITY)
			continue;
		na++;
		if ((t = headline_find(b, a->tok[i].h)) == NULL ||
		    t->kind != HL_ENTITY)
			return 0;
	}
	for (size_t i = 0; i < b->ntok; i++)
		nb += b->tok[i].kind == HL_ENTITY;
	return na > 0 && na == nb;
}

/*
 * The score of a against b at gap seconds: 0 when the rule forbids the
 * pair whatever the score (conflict, one shared token, no entity across
 * scripts).
 */
static double
score(const struct group_index *gi, const struct query *q,
    const struct headline *b, int64_t gap, double floor, struct buf *why)
{
	const struct headline *a = q->hl;
	int cross = a->cjk != b->cjk;
	struct shared sh;
	double wb, s, k = 1.0;

	if (gap < 0)
		gap = -gap;
	if (gap > gi->p.window || headline_conflict(a, b))
		return 0;
	if (gi->p.window > 0)
		k = 1.0 - gi->p.time_penalty * (double)gap /
		    (double)gi->p.window;
	share(gi, q, b, cross, &sh, why);
	if (cross)	/* across scripts only names compare: the same entities */
		return sh.entities > 0 && same_entities(a, b) ? k : 0;
	if (sh.n < 2)
		return 0;
	/* a few common words are no evidence, whatever their share */
	if (sh.idf < gi->p.evidence * q->logdocs || q->w <= 0)
		return 0;
	/* a shared model or product name with its version */
	if (sh.entities > 0)
		k *= gi->p.threshold / gi->p.entity_threshold;
	/*
	 * b weighs at least what it shares: when even that bound is below
	 * floor (what the caller needs), b's own weight is not looked up
	 */
	if (k * sh.w / sqrt(q->w * sh.idf) < floor)
		return 0;
	if ((wb = weight(gi, q, b)) <= 0)
		return 0;
	s = sh.w / sqrt(q->w * wb);
	return s * k;
}

int
group_pair(struct group_index *gi, const struct headline *a,
    const struct headline *b, int64_t gap, double *s)
{
	struct query q;

	query_init(gi, a, &q);
	*s = score(gi, &q, b, gap, 0, NULL);
	return *s >= gi->p.threshold;
}

static struct gstory *
story_slot(const struct group_index *gi, int64_t id)
{
	size_t mask = gi->stcap - 1;
	uint64_t h = (uint64_t)id * 0x9e3779b97f4a7c15ULL;

	for (size_t i = (size_t)(h >> 32) & mask;; i = (i + 1) & mask)
		if (gi->st[i].id == id || gi->st[i].id == 0)
			return &gi->st[i];
}

/* The story map anew, from the live entries (grown or cleaned). */
static void
story_rebuild(struct group_index *gi, size_t cap)
{
	free(gi->st);
	gi->stcap = cap;
	gi->st = xcalloc(cap, sizeof(*gi->st));
	gi->nst = 0;
	for (uint32_t seq = gi->live; seq < next_seq(gi); seq++) {
		struct gentry *e = entry(gi, seq);
		struct gstory *s = story_slot(gi, e->story_id);

		if (s->id == 0) {
			s->id = e->story_id;
			s->first = e->first;
			gi->nst++;
		}
	}
}

/* The first live entry of story id: its seq, or the one given. */
static uint32_t
story_first(struct group_index *gi, int64_t id, uint32_t seq)
{
	struct gstory *s;

	if ((gi->nst + 1) * 2 > gi->stcap)
		story_rebuild(gi, gi->stcap * 2);
	s = story_slot(gi, id);
	if (s->id == 0) {
		s->id = id;
		gi->nst++;
	} else if (s->first >= gi->live)
		return s->first;
	s->first = seq;
	return seq;
}

/* The oldest live entry leaves the index. */
static void
expire_first(struct group_index *gi)
{
	struct gentry *e = entry(gi, gi->live);

	gi->live++;
	for (size_t i = 0; i < e->hl->ntok; i++) {
		struct gtok *t = tok_slot(gi, e->hl->tok[i].h);

		if (t->h == 0 || t->df == 0)
			continue;
		t->df--;
		/*
		 * A common word's postings are seldom read, so reads alone
		 * would never cut them: cut once half are dead.
		 */
		if ((t->n - t->df) * 2 >= t->n)
			tok_shrink(gi, t);
	}
	headline_free(e->hl);
	e->hl = NULL;
}

/* The dead prefix goes once it is half the array. */
static void
compact(struct group_index *gi)
{
	size_t dead = gi->live - gi->off;

	if (dead > 0 && dead * 2 >= gi->n) {
		memmove(gi->e, gi->e + dead, (gi->n - dead) * sizeof(*gi->e));
		gi->n -= dead;
		gi->off = gi->live;
		story_rebuild(gi, gi->stcap);
		tok_drop_unused(gi);
	}
}

void
group_index_add(struct group_index *gi, int64_t item_id, int64_t feed_id,
    int64_t story_id, int64_t time, int64_t seen, struct headline *hl)
{
	uint32_t seq;
	struct gentry *e;

	/*
	 * A first fetch of thousands of feeds puts every item in the window
	 * at once: past max_items the oldest go, so memory is bounded
	 * whatever the number of feeds.
	 */
	if (group_index_size(gi) >= gi->p.max_items) {
		expire_first(gi);
		compact(gi);
	}
	seq = next_seq(gi);
	if (gi->n == gi->cap) {
		gi->cap = gi->cap ? gi->cap * 2 : 256;
		gi->e = xreallocarray(gi->e, gi->cap, sizeof(*gi->e));
	}
	e = &gi->e[gi->n++];
	memset(e, 0, sizeof(*e));
	e->item_id = item_id;
	e->feed_id = feed_id;
	e->story_id = story_id;
	e->time = time;
	e->seen = seen;
	e->hl = hl;
	e->first = story_first(gi, story_id, seq);
	for (size_t i = 0; i < hl->ntok; i++) {
		struct gtok *t;

		if ((gi->ntok + 1) * 2 > gi->tokcap)
			tok_grow(gi);
		t = tok_slot(gi, hl->tok[i].h);
		if (t->h == 0) {
			t->h = hl->tok[i].h ? hl->tok[i].h : 1;
			gi->ntok++;
		}
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 4;
			t->post = xreallocarray(t->post, t->cap,
			    sizeof(*t->post));
		}
		t->post[t->n++] = seq;
		t->df++;
	}
}

void
group_index_expire(struct group_index *gi, int64_t now)
{
	int64_t cut = now - gi->p.window;

	while (gi->live < next_seq(gi) && entry(gi, gi->live)->seen < cut)
		expire_first(gi);
	compact(gi);
}

/* One token of a query found in the index: its entry, place and IDF. */
struct rare {
	struct gtok *t;
	size_t	 i;
	double	 idf;
};

static int
cmp_rare(const void *a, const void *b)
{
	const struct rare *x = a, *y = b;

	if (x->idf != y->idf)
		return x->idf > y->idf ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Adds the entries of one posting list to the candidates. */
static void
scan(struct group_index *gi, const struct rare *r, int entity,
    int64_t feed_id)
{
	struct gtok *t = r->t;

	tok_trim(gi, t);
	for (uint32_t k = 0; k < t->n; k++) {
		struct gentry *e = entry(gi, t->post[k]);

		if (e->feed_id == feed_id)
			continue;
		if (e->stamp != gi->query) {
			e->stamp = gi->query;
			e->hits = 0;
			e->acc = 0;
			e->entity_hit = 0;
			if (gi->ncand == gi->candcap) {
				gi->candcap = gi->candcap ? gi->candcap * 2 : 64;
				gi->cand = xreallocarray(gi->cand, gi->candcap,
				    sizeof(*gi->cand));
			}
			gi->cand[gi->ncand++] = t->post[k];
		}
		e->hits++;
		e->acc += r->idf;
		e->entity_hit |= entity;
	}
}

/*
 * Collects the live entries of other feeds that may pass the rule with
 * hl, through the inverted index, reading only the lists of its rarest
 * tokens (prefix filtering): tokens in IDF order, a list is read while
 * the tokens from it on could still give the evidence the rule asks
 * for, so an item sharing none of the lists read cannot pass.  Entity
 * lists are always read (across scripts one entity may do).  *rest: the
 * IDF and count of the tokens not read, for the bound in match.
 */
static void
candidates(struct group_index *gi, const struct query *q, int64_t feed_id,
    double *rest, size_t *nrest)
{
	const struct headline *hl = q->hl;
	double need = gi->p.evidence * q->logdocs, left = 0;
	size_t m = 0, j;
	struct rare *r;

	gi->query++;
	gi->ncand = 0;
	if (gi->rarecap < hl->ntok + 1) {
		gi->rarecap = hl->ntok + 1;
		gi->rare = xreallocarray(gi->rare, gi->rarecap,
		    sizeof(*gi->rare));
	}
	r = gi->rare;
	for (size_t i = 0; i < hl->ntok; i++) {
		struct gtok *t = (struct gtok *)tok_find(gi, hl->tok[i].h);

		if (t != NULL && t->df > 0) {
			r[m].t = t;
			r[m].i = i;
			r[m].idf = q->idf[i];
			left += r[m++].idf;
		}
	}
	qsort(r, m, sizeof(*r), cmp_rare);
	for (j = 0; j < m && left >= need; j++) {
		scan(gi, &r[j], hl->tok[r[j].i].kind == HL_ENTITY, feed_id);
		left -= r[j].idf;
	}
	*rest = left > 0 ? left : 0;
	*nrest = m - j;
	for (; j < m; j++)
		if (hl->tok[r[j].i].kind == HL_ENTITY)
			scan(gi, &r[j], 1, feed_id);
}

int
group_index_match(struct group_index *gi, const struct headline *hl,
    int64_t feed_id, int64_t time, struct group_match *m)
{
	struct query q;
	uint32_t best = 0;
	double bs = 0, rest;
	size_t nrest;
	int found = 0;

	memset(m, 0, sizeof(*m));
	query_init(gi, hl, &q);
	candidates(gi, &q, feed_id, &rest, &nrest);
	for (size_t i = 0; i < gi->ncand; i++) {
		uint32_t seq = gi->cand[i];
		struct gentry *e = entry(gi, seq), *f;
		int64_t gap = time > e->time ? time - e->time : e->time - time;
		double s;

		/* at best it shares every token not read too */
		if (!e->entity_hit && (e->hits + nrest < 2 ||
		    e->acc + rest < gi->p.evidence * q.logdocs))
			continue;
		/*
		 * Too far apart (score would say 0), known without reading its
		 * headline, a cache miss once the window is large.  A first
		 * fetch puts items of months and years into the window: on the
		 * 300-feed bench corpus this drops 87% of the candidates.
		 */
		if (gap > gi->p.window)
			continue;
		s = score(gi, &q, e->hl, time - e->time,
		    found ? bs : gi->p.threshold, NULL);
		if (s < gi->p.threshold || (found && s <= bs))
			continue;
		/* the story's first item must agree too (in one script) */
		f = e->first >= gi->live ? entry(gi, e->first) : NULL;
		if (f != NULL && f != e && f->hl->cjk == hl->cjk &&
		    score(gi, &q, f->hl, time - f->time,
		    gi->p.first_threshold, NULL) < gi->p.first_threshold)
			continue;
		best = seq;
		bs = s;
		found = 1;
	}
	if (found) {
		struct gentry *e = entry(gi, best);
		struct buf why;

		buf_init(&why, 0);
		buf_printf(&why, "%.2f", bs);
		score(gi, &q, e->hl, time - e->time, 0, &why);
		m->story_id = e->story_id;
		m->item_id = e->item_id;
		m->score = bs;
		m->why = buf_detach(&why);
	}
	return found;
}
