/*
 * spool: records of one size written in order, then read back in that
 * order, in bounded memory: past a buffer of a given size they go to a
 * nameless temporary file (util/fs.h fs_tmpfd), read back a buffer at
 * a time.
 */
#ifndef FEEDD_SPOOL_H
#define FEEDD_SPOOL_H

#include <stddef.h>

struct spool;

/* Records of recsize bytes; memory held: at most maxmem bytes (rounded
 * to whole records, one at least), grown as records come. */
struct spool *spool_new(size_t recsize, size_t maxmem);
void	 spool_free(struct spool *sp);

/* Appends a record: 0, or -1 (errno) when the file failed. */
int	 spool_put(struct spool *sp, const void *rec);

/* Ends the writing; spool_get then reads from the first record: 0, or
 * -1 (errno). */
int	 spool_rewind(struct spool *sp);

/* The next record into rec: 1, 0 after the last, -1 (errno). */
int	 spool_get(struct spool *sp, void *rec);

/* Whether the records went to a file (for tests). */
int	 spool_spilled(const struct spool *sp);

#endif
