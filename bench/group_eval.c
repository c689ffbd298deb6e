/*
 * group_eval: story grouping (storage/group.c) run directly over a
 * labelled headline set, for tuning; bench/group.sh runs the real
 * pipeline over the same data.
 *
 *   group_eval [-o time|feed] [-s SEED] [-T] [-t THRESHOLD] [-v] FILE.tsv
 *
 * FILE.tsv: title, url, publisher, story, timestamp_ms (with a header),
 * as in ../shared/data/news-stories.  Items arrive in timestamp order
 * (-o time) or publisher by publisher in a shuffled order (-o feed, as
 * `feedd once` stores them).  -T gives every item the same date: the
 * set's timestamps are per-story collection times, so a time gap would
 * read the labels.  Prints purity and coverage; -v lists wrong merges.
 *
 *   group_eval -p PAIRS.tsv [-B FILE.tsv] [-v]
 *
 * PAIRS.tsv: same (1/0), gap in hours, headline A, headline B, note
 * (tests/data/group-pairs.tsv).  Document frequencies come from every
 * headline of the pairs, plus FILE.tsv's titles as background news.
 * Prints precision and recall of the pair rule; -v every pair.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/xmalloc.h"
#include "storage/group.h"

struct row {
	char	*title, *publisher, *story;
	int64_t	 time;
	int64_t	 feed, label, group;
};

static int
cmp_time(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	return x->time < y->time ? -1 : x->time > y->time;
}

static uint64_t
mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static uint64_t seed = 1;

static int
cmp_feed(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	uint64_t hx = mix((uint64_t)x->feed + seed), hy = mix((uint64_t)y->feed + seed);

	if (hx != hy)
		return hx < hy ? -1 : 1;
	return cmp_time(a, b);
}

/* Interns s among names: its index. */
static int64_t
intern(char ***names, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*names)[i], s) == 0)
			return (int64_t)i;
	*names = xreallocarray(*names, *n + 1, sizeof(char *));
	(*names)[*n] = xstrdup(s);
	return (int64_t)(*n)++;
}

static size_t
load(const char *path, struct row **rows, size_t *nlabels)
{
	FILE *f = fopen(path, "r");
	char line[4096], **pubs = NULL, **labels = NULL;
	size_t n = 0, npub = 0;

	*nlabels = 0;
	if (f == NULL) {
		perror(path);
		exit(1);
	}
	*rows = NULL;
	fgets(line, sizeof(line), f);	/* header */
	while (fgets(line, sizeof(line), f) != NULL) {
		char *col[5], *p = line;
		struct row *r;

		for (int i = 0; i < 5; i++)
			col[i] = strsep(&p, "\t\n");
		if (col[4] == NULL)
			continue;
		*rows = xreallocarray(*rows, n + 1, sizeof(**rows));
		r = &(*rows)[n++];
		r->title = xstrdup(col[0]);
		r->feed = intern(&pubs, &npub, col[2]);
		r->label = intern(&labels, nlabels, col[3]);
		r->time = strtoll(col[4], NULL, 10) / 1000;
	}
	fclose(f);
	return n;
}

struct pair {
	int	 same;
	int64_t	 gap;
	char	*a, *b, *note;
};

static size_t
load_pairs(const char *path, struct pair **pairs)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	size_t n = 0;
	int header = 1;

	if (f == NULL) {
		perror(path);
		exit(1);
	}
	*pairs = NULL;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *col[5], *p = line;
		struct pair *r;

		if (line[0] == '#')
			continue;
		if (header) {
			header = 0;
			continue;
		}
		for (int i = 0; i < 5; i++)
			col[i] = strsep(&p, "\t\n");
		if (col[4] == NULL)
			continue;
		*pairs = xreallocarray(*pairs, n + 1, sizeof(**pairs));
		r = &(*pairs)[n++];
		r->same = atoi(col[0]);
		r->gap = (int64_t)(atof(col[1]) * 3600);
		r->a = xstrdup(col[2]);
		r->b = xstrdup(col[3]);
		r->note = xstrdup(col[4]);
	}
	fclose(f);
	return n;
}

static int
run_pairs(const struct group_params *gp, const char *path, const char *bg,
    int verbose)
{
	struct group_index *gi = group_index_new(gp);
	struct pair *pairs;
	size_t n = load_pairs(path, &pairs), tp = 0, fp = 0, fn = 0, tn = 0;
	int64_t id = 0;

	if (bg != NULL) {
		struct row *rows;
		size_t nr, nl;

		nr = load(bg, &rows, &nl);
		for (size_t i = 0; i < nr; i++, id++)
			group_index_add(gi, id, -1, id, 0, 0,
			    headline_new(rows[i].title));
	}
	for (size_t i = 0; i < n; i++, id += 2) {
		group_index_add(gi, id, -1, id, 0, 0,
		    headline_new(pairs[i].a));
		group_index_add(gi, id + 1, -1, id + 1, 0, 0,
		    headline_new(pairs[i].b));
	}
	for (size_t i = 0; i < n; i++) {
		struct headline *a = headline_new(pairs[i].a);
		struct headline *b = headline_new(pairs[i].b);
		double s;
		int got = group_pair(gi, a, b, pairs[i].gap, &s);

		tp += got && pairs[i].same;
		fp += got && !pairs[i].same;
		fn += !got && pairs[i].same;
		tn += !got && !pairs[i].same;
		if (verbose || got != pairs[i].same)
			printf("%s %d/%d %.2f %s | %s | %s\n",
			    got == pairs[i].same ? "ok  " : "MISS", pairs[i].same,
			    got, s, pairs[i].note, pairs[i].a, pairs[i].b);
		headline_free(a);
		headline_free(b);
	}
	printf("pairs %zu (same %zu) precision %.3f recall %.3f"
	    " (tp %zu fp %zu fn %zu tn %zu)\n", n, tp + fn,
	    tp + fp ? (double)tp / (double)(tp + fp) : 1.0,
	    tp + fn ? (double)tp / (double)(tp + fn) : 1.0, tp, fp, fn, tn);
	group_index_free(gi);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *pairs = NULL, *bg = NULL;
	struct group_params gp;
	struct group_index *gi;
	struct row *rows;
	size_t n, nl, pure = 0, grouped = 0, joins = 0;
	int same_time = 0, verbose = 0, by_feed = 0, c;
	int64_t *size, *maj;

	group_params_default(&gp);
	while ((c = getopt(argc, argv, "o:s:Tt:f:e:b:E:P:p:B:v")) != -1) {
		switch (c) {
		case 'o': by_feed = strcmp(optarg, "feed") == 0; break;
		case 's': seed = strtoull(optarg, NULL, 10); break;
		case 'T': same_time = 1; break;
		case 't': gp.threshold = atof(optarg); break;
		case 'f': gp.first_threshold = atof(optarg); break;
		case 'e': gp.evidence = atof(optarg); break;
		case 'b': gp.name_boost = atof(optarg); break;
		case 'E': gp.entity_threshold = atof(optarg); break;
		case 'P': gp.prior = atof(optarg); break;
		case 'p': pairs = optarg; break;
		case 'B': bg = optarg; break;
		case 'v': verbose = 1; break;
		default: return 2;
		}
	}
	if (pairs != NULL)
		return run_pairs(&gp, pairs, bg, verbose);
	if (optind >= argc)
		return 2;
	n = load(argv[optind], &rows, &nl);
	qsort(rows, n, sizeof(*rows), by_feed ? cmp_feed : cmp_time);
	gi = group_index_new(&gp);
	for (size_t i = 0; i < n; i++) {
		struct headline *hl = headline_new(rows[i].title);
		int64_t t = same_time ? 0 : rows[i].time;
		struct group_match m;

		rows[i].group = (int64_t)i;
		if (group_index_match(gi, hl, rows[i].feed, t, &m)) {
			rows[i].group = m.story_id;
			joins++;
			if (verbose && rows[m.item_id].label != rows[i].label)
				printf("WRONG %s | %s | %s\n", m.why,
				    rows[i].title, rows[m.item_id].title);
			free(m.why);
		}
		group_index_add(gi, (int64_t)i, rows[i].feed, rows[i].group,
		    t, 0, hl);
	}
	/* purity: items whose group's majority label is their own */
	size = xcalloc(n, sizeof(*size));
	maj = xcalloc(n, sizeof(*maj));
	for (size_t i = 0; i < n; i++)
		size[rows[i].group]++;
	{
		int64_t *cnt = xcalloc(n * nl, sizeof(*cnt));

		for (size_t i = 0; i < n; i++)
			cnt[rows[i].group * (int64_t)nl + rows[i].label]++;
		for (size_t g = 0; g < n; g++)
			for (size_t l = 0; l < nl; l++)
				if (cnt[g * nl + l] > maj[g])
					maj[g] = cnt[g * nl + l];
		free(cnt);
	}
	for (size_t g = 0; g < n; g++) {
		pure += (size_t)maj[g];
		if (size[g] > 1)
			grouped += (size_t)size[g];
	}
	printf("items %zu joins %zu purity %.3f coverage %.3f\n", n, joins,
	    (double)pure / (double)n, (double)grouped / (double)n);
	group_index_free(gi);
	return 0;
}
