/*
 * fetch_pool: where the fetcher's transfers keep their connections.
 *
 * libcurl 7.88 (Debian 12's) keeps a bundle per host in a connection
 * cache and walks every bundle after each transfer, to find the oldest
 * idle connection and to close connect-only ones.  When it evicts a
 * host's last connection that way it leaves the empty bundle behind
 * (Curl_conncache_extract_oldest), so the walk grows with every host
 * ever met: an all-304 cycle over 20,000 feeds on as many hosts took
 * 5.1 s, 61% of it in those walks, where 10,000 feeds on 4 hosts took
 * 0.44 s.  The connections therefore live in a share that is replaced
 * once it has met FETCH_POOL_HOSTS hosts; a replaced share is cleaned
 * up, with its bundles and idle connections, when its last transfer
 * ends.  A host's connection is not reused across a replacement.
 */
#include <stdlib.h>
#include <sys/queue.h>

#include "daemon/fetch_pool.h"
#include "util/xmalloc.h"

struct fetch_pool {
	CURLSH	*share;
	unsigned int gen;		/* the hosts' mark for this pool */
	unsigned int hosts;		/* met through it */
	unsigned int users;		/* easy handles in it */
	LIST_ENTRY(fetch_pool) link;	/* retired, while in use */
};

struct fetch_pools {
	struct fetch_pool *current;
	unsigned int	 gen;
	LIST_HEAD(, fetch_pool) retired;
};

static struct fetch_pool *
pool_new(struct fetch_pools *ps)
{
	struct fetch_pool *p;
	CURLSH *sh = curl_share_init();

	if (sh == NULL || curl_share_setopt(sh, CURLSHOPT_SHARE,
	    CURL_LOCK_DATA_CONNECT) != CURLSHE_OK) {
		curl_share_cleanup(sh);
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	p->share = sh;
	if (++ps->gen == 0)	/* 0 marks a host no pool has met */
		ps->gen = 1;
	p->gen = ps->gen;
	return p;
}

/* Its idle connections are closed with it. */
static void
pool_free(struct fetch_pool *p)
{
	curl_share_cleanup(p->share);
	free(p);
}

struct fetch_pools *
fetch_pools_new(void)
{
	struct fetch_pools *ps = xcalloc(1, sizeof(*ps));

	LIST_INIT(&ps->retired);
	return ps;
}

void
fetch_pools_free(struct fetch_pools *ps)
{
	struct fetch_pool *p;

	if (ps == NULL)
		return;
	while ((p = LIST_FIRST(&ps->retired)) != NULL) {
		LIST_REMOVE(p, link);
		pool_free(p);
	}
	if (ps->current != NULL)
		pool_free(ps->current);
	free(ps);
}

/* A new current pool; the old one goes when no transfer uses it. */
static struct fetch_pool *
replace(struct fetch_pools *ps)
{
	struct fetch_pool *p = ps->current;

	if (p != NULL && p->users == 0)
		pool_free(p);
	else if (p != NULL)
		LIST_INSERT_HEAD(&ps->retired, p, link);
	return ps->current = pool_new(ps);
}

struct fetch_pool *
fetch_pools_join(struct fetch_pools *ps, CURL *easy, unsigned int *host_gen)
{
	struct fetch_pool *p = ps->current;

	if (p == NULL ||
	    (*host_gen != p->gen && p->hosts >= FETCH_POOL_HOSTS))
		p = replace(ps);
	if (p == NULL ||
	    curl_easy_setopt(easy, CURLOPT_SHARE, p->share) != CURLE_OK)
		return NULL;
	if (*host_gen != p->gen) {
		*host_gen = p->gen;
		p->hosts++;
	}
	p->users++;
	return p;
}

void
fetch_pools_leave(struct fetch_pools *ps, struct fetch_pool *p)
{
	if (p == NULL || --p->users > 0 || p == ps->current)
		return;
	LIST_REMOVE(p, link);
	pool_free(p);
}

size_t
fetch_pools_count(const struct fetch_pools *ps)
{
	const struct fetch_pool *p;
	size_t n = ps->current != NULL;

	LIST_FOREACH(p, &ps->retired, link)
		n++;
	return n;
}
