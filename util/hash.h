/*
 * hash: the one string hash, 64-bit FNV-1a.  A stable name, a change
 * detector or a table slot; never a secret or a MAC.  Values end up in
 * databases and ETags, so the function must never change.
 */
#ifndef FEEDD_HASH_H
#define FEEDD_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_INIT	0xcbf29ce484222325ULL

/* Continues hash h over n bytes at p (start from HASH_INIT). */
static inline uint64_t
hash_add(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	while (n-- > 0)
		h = (h ^ *s++) * 0x100000001b3ULL;
	return h;
}

/* The hash of a NUL-terminated string. */
uint64_t hash_str(const char *s);

/*
 * A change detector for whole documents (a fetched body, feeds.body_hash):
 * XXH3-64, some 20 times faster than FNV-1a's byte at a time, which cost
 * a cold cycle's parse worker a tenth of its time.  Its values may change
 * with the library: a feed whose stored value no longer matches is only
 * parsed once more.  Never for names, slots or ETags (hash_add is).
 */
uint64_t hash_body(const void *p, size_t n);

#endif
