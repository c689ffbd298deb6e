/*
 * test_fetch_pool: the pools that hold the fetcher's connections
 * (daemon/fetch_pool.c): a pool takes FETCH_POOL_HOSTS hosts, counting
 * each once; then a new one takes over, and the old one goes with its
 * last transfer.
 */
#include <criterion/criterion.h>

#include "daemon/fetch_pool.h"

enum { H = FETCH_POOL_HOSTS };

Test(fetch_pool, a_pool_counts_each_host_once_and_is_replaced_after_its_hosts)
{
	struct fetch_pools *ps = fetch_pools_new();
	unsigned int mark[H + 1] = { 0 };
	CURL *easy[H + 2];
	struct fetch_pool *first = NULL, *next;

	for (int i = 0; i < H; i++) {
		struct fetch_pool *p;

		easy[i] = curl_easy_init();
		p = fetch_pools_join(ps, easy[i], &mark[i]);
		cr_assert_not_null(p);
		first = first ? first : p;
		cr_assert_eq(p, first, "host %d of %d moved pools", i, H);
	}
	easy[H] = curl_easy_init();
	cr_assert_eq(fetch_pools_join(ps, easy[H], &mark[0]), first,
	    "a host met twice counted twice");
	easy[H + 1] = curl_easy_init();
	next = fetch_pools_join(ps, easy[H + 1], &mark[H]);
	cr_assert_not_null(next);
	cr_assert_neq(next, first, "pool kept past %d hosts", H);
	cr_assert_eq(fetch_pools_count(ps), 2, "the old one is still in use");
	for (int i = 0; i <= H; i++) {
		cr_assert_eq(fetch_pools_count(ps), 2);
		curl_easy_cleanup(easy[i]);
		fetch_pools_leave(ps, first);
	}
	cr_assert_eq(fetch_pools_count(ps), 1, "the old one outlived its use");
	curl_easy_cleanup(easy[H + 1]);
	fetch_pools_leave(ps, next);
	cr_assert_eq(fetch_pools_count(ps), 1, "the current one stays");
	fetch_pools_free(ps);
}

/* As the fetcher does: a transfer leaves its pool once cleaned up. */
static struct fetch_pool *
join_and_leave(struct fetch_pools *ps, unsigned int *mark)
{
	CURL *easy = curl_easy_init();
	struct fetch_pool *p = fetch_pools_join(ps, easy, mark);

	curl_easy_cleanup(easy);
	fetch_pools_leave(ps, p);
	return p;
}

Test(fetch_pool, a_host_met_again_counts_in_the_new_pool)
{
	struct fetch_pools *ps = fetch_pools_new();
	unsigned int mark[H + 1] = { 0 }, seen;
	struct fetch_pool *p = NULL;

	for (int i = 0; i <= H; i++)
		p = join_and_leave(ps, &mark[i]);
	cr_assert_eq(fetch_pools_count(ps), 1,
	    "a pool no transfer used was kept when replaced");
	seen = mark[0];
	cr_assert_eq(join_and_leave(ps, &mark[0]), p);
	cr_assert_neq(mark[0], seen, "the host kept the old pool's mark");
	fetch_pools_free(ps);
}
