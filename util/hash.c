/*
 * hash: FNV-1a over strings, XXH3 over documents (see hash.h).
 */
#include <string.h>

/* header-only: nothing to link, and XXH3 inlined into its one caller */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "util/hash.h"

uint64_t
hash_str(const char *s)
{
	return hash_add(HASH_INIT, s, strlen(s));
}

uint64_t
hash_body(const void *p, size_t n)
{
	return XXH3_64bits(p, n);
}
