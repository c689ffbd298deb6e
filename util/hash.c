/*
 * hash: FNV-1a over strings (see hash.h).
 */
#include <string.h>

#include "util/hash.h"

uint64_t
hash_str(const char *s)
{
	return hash_add(HASH_INIT, s, strlen(s));
}
