/*
 * spillset: an exact set of 64-bit keys in bounded memory (see
 * spillset.h).  The table is open addressing (0 marks a free slot),
 * grown at 4/5 full up to its largest size; when that is full its keys
 * are sorted and merged with the file's into a new file, the whole file
 * rewritten: one sorted file keeps a key that is there at one block
 * read, where runs kept apart would take one read per run.  The keys go
 * into the Bloom filter as they leave the table, so a key the filter
 * rules out is not in the file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/spillset.h"
#include "util/xmalloc.h"

/* Keys in a block of the file (4 KB): one pread finds a key there. */
#define BLOCK_KEYS	512

/*
 * The filter's bits a slot of the table at its largest.  With 64 (not
 * 128), a 100,000-entry render of the 10,000-feed bench reads 33,000
 * blocks more (pread calls, its SQLite's included: 120,855, not 87,376)
 * for 0.1-0.5 us an entry, and the filter takes 32 KB less.
 */
#define BLOOM_BITS	64

struct spillset {
	uint64_t *slot;		/* the table */
	size_t	 n, cap, maxcap;
	int	 fd;		/* the file; -1 until the first spill */
	size_t	 nfile;		/* keys in it, sorted */
	uint64_t *fence;	/* the first key of each of its blocks */
	size_t	 nfence;
	uint64_t *bloom;	/* BLOOM_BITS a slot of maxcap, k = 2 */
	uint64_t bloom_mask;
	uint64_t *blk;		/* a block read back or being written */
	size_t	 spills;
};

struct spillset *
spillset_new(size_t slots)
{
	struct spillset *set = xcalloc(1, sizeof(*set));

	if (slots == 0)
		slots = SPILLSET_SLOTS;
	set->maxcap = slots < 16 ? 16 : slots;
	set->cap = set->maxcap < 256 ? set->maxcap : 256;
	set->slot = xcalloc(set->cap, sizeof(uint64_t));
	set->fd = -1;
	return set;
}

void
spillset_free(struct spillset *set)
{
	if (set == NULL)
		return;
	if (set->fd != -1)
		close(set->fd);
	free(set->slot);
	free(set->fence);
	free(set->bloom);
	free(set->blk);
	free(set);
}

size_t
spillset_spills(const struct spillset *set)
{
	return set->spills;
}

/* splitmix64's finalizer: the filter's bits from any bits of the key. */
static uint64_t
mix(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static void
bloom_add(struct spillset *set, uint64_t key)
{
	uint64_t x = mix(key), a = x & set->bloom_mask,
	    b = (x >> 32) & set->bloom_mask;

	set->bloom[a >> 6] |= 1ULL << (a & 63);
	set->bloom[b >> 6] |= 1ULL << (b & 63);
}

static int
bloom_maybe(const struct spillset *set, uint64_t key)
{
	uint64_t x = mix(key), a = x & set->bloom_mask,
	    b = (x >> 32) & set->bloom_mask;

	return (set->bloom[a >> 6] >> (a & 63) & 1) &&
	    (set->bloom[b >> 6] >> (b & 63) & 1);
}

/* 1 when key is in the table, else 0 and *at is the free slot for it. */
static int
table_find(const struct spillset *set, uint64_t key, size_t *at)
{
	size_t	 i;

	for (i = key & (set->cap - 1); set->slot[i] != 0;
	    i = (i + 1) & (set->cap - 1))
		if (set->slot[i] == key)
			return 1;
	*at = i;
	return 0;
}

static void
table_grow(struct spillset *set)
{
	uint64_t *old = set->slot;
	size_t	 oldcap = set->cap, at = 0;

	set->cap *= 2;
	set->slot = xcalloc(set->cap, sizeof(uint64_t));
	for (size_t i = 0; i < oldcap; i++)
		if (old[i] != 0) {
			(void)table_find(set, old[i], &at);
			set->slot[at] = old[i];
		}
	free(old);
}

/* n keys of block b of the file into set->blk: 0, or -1 (errno). */
static int
read_block(const struct spillset *set, size_t b, size_t n)
{
	size_t	 len = n * sizeof(uint64_t), got = 0;
	off_t	 off = (off_t)(b * BLOCK_KEYS * sizeof(uint64_t));
	ssize_t	 r;

	while (got < len) {
		r = pread(set->fd, (char *)set->blk + got, len - got,
		    off + (off_t)got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;	/* the file is shorter */
			return -1;
		}
		got += (size_t)r;
	}
	return 0;
}

static int
key_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* 1 when key is in the file, 0 when not, -1 (errno) on a read error. */
static int
file_has(const struct spillset *set, uint64_t key)
{
	size_t	 lo = 0, hi = set->nfence, b, n;

	if (set->fd == -1 || !bloom_maybe(set, key) || key < set->fence[0])
		return 0;
	while (hi - lo > 1) {	/* the last block starting <= key */
		size_t mid = lo + (hi - lo) / 2;

		if (set->fence[mid] <= key)
			lo = mid;
		else
			hi = mid;
	}
	b = lo;
	n = set->nfile - b * BLOCK_KEYS;
	if (n > BLOCK_KEYS)
		n = BLOCK_KEYS;
	if (read_block(set, b, n) == -1)
		return -1;
	return bsearch(&key, set->blk, n, sizeof(uint64_t), key_cmp) != NULL;
}

/*
 * A merge's output: keys into out, a block at a time to fd, with the
 * first key of every block in fence.
 */
struct merge_out {
	int	 fd;
	uint64_t *out;
	size_t	 nout, nkeys;
	uint64_t *fence;
	size_t	 nfence;
};

static int
merge_put(struct merge_out *m, uint64_t key)
{
	if (m->nout == 0)
		m->fence[m->nfence++] = key;
	m->out[m->nout++] = key;
	m->nkeys++;
	if (m->nout < BLOCK_KEYS)
		return 0;
	m->nout = 0;
	return fs_write_all(m->fd, m->out, BLOCK_KEYS * sizeof(uint64_t));
}

/*
 * The table's n keys, sorted at its start, merged with the file's into
 * m; the file is read a block at a time into set->blk.
 */
static int
merge(struct spillset *set, struct merge_out *m)
{
	size_t	 i = 0, j = 0, next = 0;	/* next: block to read */

	while (i < set->n || j < set->nfile) {
		if (j < set->nfile && j == next * BLOCK_KEYS) {
			size_t n = set->nfile - j;

			if (read_block(set, next++, n < BLOCK_KEYS ? n :
			    BLOCK_KEYS) == -1)
				return -1;
		}
		if (j < set->nfile && (i == set->n ||
		    set->blk[j % BLOCK_KEYS] < set->slot[i])) {
			if (merge_put(m, set->blk[j++ % BLOCK_KEYS]) == -1)
				return -1;
		} else if (merge_put(m, set->slot[i++]) == -1)
			return -1;
	}
	return m->nout > 0 ? fs_write_all(m->fd, m->out,
	    m->nout * sizeof(uint64_t)) : 0;
}

/*
 * The table's keys into the file (a new one: the old merged with
 * them) and the filter; the table is then empty.  0, or -1 (errno) and
 * the set can only be freed.
 */
static int
spill(struct spillset *set)
{
	struct merge_out m = { -1, NULL, 0, 0, NULL, 0 };
	size_t	 j = 0, total = set->nfile + set->n;
	int	 rc, saved;

	if (set->bloom == NULL) {
		size_t bits = set->maxcap * BLOOM_BITS;

		set->bloom = xcalloc(bits / 64, sizeof(uint64_t));
		set->bloom_mask = bits - 1;
		set->blk = xcalloc(BLOCK_KEYS, sizeof(uint64_t));
	}
	for (size_t i = 0; i < set->cap; i++)
		if (set->slot[i] != 0) {
			bloom_add(set, set->slot[i]);
			set->slot[j++] = set->slot[i];
		}
	qsort(set->slot, set->n, sizeof(uint64_t), key_cmp);
	if ((m.fd = fs_tmpfd()) == -1)
		return -1;
	m.out = xcalloc(BLOCK_KEYS, sizeof(uint64_t));
	m.fence = xcalloc(total / BLOCK_KEYS + 1, sizeof(uint64_t));
	rc = merge(set, &m);
	saved = errno;
	free(m.out);
	if (rc == -1) {
		close(m.fd);
		free(m.fence);
		errno = saved;
		return -1;
	}
	if (set->fd != -1)
		close(set->fd);
	set->fd = m.fd;
	free(set->fence);
	set->fence = m.fence;
	set->nfence = m.nfence;
	set->nfile = m.nkeys;
	memset(set->slot, 0, set->cap * sizeof(uint64_t));
	set->n = 0;
	set->spills++;
	return 0;
}

int
spillset_add(struct spillset *set, uint64_t key)
{
	size_t	 at;
	int	 rc;

	key += key == 0;		/* 0 marks a free slot */
	if (table_find(set, key, &at))
		return 1;
	if ((rc = file_has(set, key)) != 0)
		return rc;
	if ((set->n + 1) * 5 > set->cap * 4) {
		if (set->cap < set->maxcap)
			table_grow(set);
		else if (spill(set) == -1)
			return -1;
		(void)table_find(set, key, &at);
	}
	set->slot[at] = key;
	set->n++;
	return 0;
}
