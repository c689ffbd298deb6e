/*
 * fetch_pool: the connections transfers keep alive and share, in a
 * libcurl share (CURLSH) that is replaced after it has met
 * FETCH_POOL_HOSTS hosts; see fetch_pool.c for why.  Private to the
 * fetch module.
 */
#ifndef FEEDD_FETCH_POOL_H
#define FEEDD_FETCH_POOL_H

#include <stddef.h>

#include <curl/curl.h>

#define FETCH_POOL_HOSTS	256

struct fetch_pool;		/* one share and the transfers using it */
struct fetch_pools;		/* the current pool and the retired ones */

struct fetch_pools *fetch_pools_new(void);
/* Frees them; every transfer must have left its pool. */
void	 fetch_pools_free(struct fetch_pools *ps);
/*
 * Puts easy (not yet in the multi) in the current pool and returns
 * that pool, or NULL when there is none (easy then uses the multi's own
 * connections).  *host_gen is the host's mark: a host whose mark is not
 * the current pool's counts as one more host met.
 */
struct fetch_pool *fetch_pools_join(struct fetch_pools *ps, CURL *easy,
	    unsigned int *host_gen);
/* After the easy handle that joined p was cleaned up; NULL is fine. */
void	 fetch_pools_leave(struct fetch_pools *ps, struct fetch_pool *p);
/* The pools alive: the current one and the retired still in use. */
size_t	 fetch_pools_count(const struct fetch_pools *ps);

#endif
