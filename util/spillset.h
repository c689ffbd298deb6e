/*
 * spillset: an exact set of 64-bit keys (hashes) whose memory does not
 * grow with the number of keys: the newest keys in a small table; when
 * it is full they are merged into one sorted temporary file, of which
 * memory keeps only a Bloom filter and the first key of every block.
 * A key that is not there costs a read of one block only when the
 * filter cannot rule it out.
 */
#ifndef FEEDD_SPILLSET_H
#define FEEDD_SPILLSET_H

#include <stddef.h>
#include <stdint.h>

/* The table's slots by default: 32 KB, a Bloom filter of 32 KB. */
#define SPILLSET_SLOTS	4096

struct spillset;

/*
 * slots: the table's largest size (a power of two, 16 or more; 0: the
 * default); the table starts small and grows to it.  Keys 0 and 1 are
 * one key.
 */
struct spillset *spillset_new(size_t slots);
void	 spillset_free(struct spillset *set);

/* Adds key: 0 when it is new, 1 when it was there, -1 (errno set) when
 * the temporary file could not be made, written or read. */
int	 spillset_add(struct spillset *set, uint64_t key);

/* How many times the table was merged into the file (for tests). */
size_t	 spillset_spills(const struct spillset *set);

#endif
