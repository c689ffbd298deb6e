/*
 * fetch: HTTP(S) transfers on libcurl's multi interface driven by the
 * libuv loop (the multi-uv.c pattern).  Owns feedd's transfer queue
 * (concurrency, per-host limit, host hold-off after 429/503), the
 * conditional GET headers, the decoded-size cap, and streams each 2xx
 * body into the push parser as it arrives, hashing it on the way.
 */
#ifndef FEEDD_FETCH_H
#define FEEDD_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "daemon/metrics.h"
#include "feeds/feed.h"

struct fetcher;

struct fetch_opts {
	int	 concurrency;		/* transfers in flight at once */
	int	 per_host;		/* in flight per host */
	int64_t	 timeout;		/* seconds, whole transfer */
	int64_t	 max_size;		/* decoded body bytes */
	const char *user_agent;		/* copied */
	int	 allow_private;		/* no address policy (fetch_addr.h) */
};

struct fetch_req {
	const char *url;		/* copied */
	const char *etag;		/* sent as If-None-Match; may be NULL */
	const char *last_modified;	/* sent as If-Modified-Since; may be NULL */
	const char *body_hash;		/* of the last 200 body; may be NULL */
	void	*arg;			/* handed back in the result */
	int	 prep_full;		/* passed to the fetch_prep_fn */
};

struct fetch_result {
	void	*arg;
	enum fetch_outcome outcome;
	int	 status;		/* final HTTP status; 0 when none */
	char	*error;			/* NULL on success */
	int	 net_down_suspect;	/* DNS or connect failure */
	int	 aborted;		/* shutdown, or cancelled: save nothing */
	int	 held;			/* not sent: host held off */
	int	 got_response;		/* some server answered */
	char	*etag;			/* of the answer, or NULL */
	char	*last_modified;
	char	*effective_url;
	char	*perm_redirect;		/* target of 301/308 chain from the start */
	int64_t	 retry_after;		/* seconds from now; -1 when none */
	int64_t	 hint;			/* max-age / Expires, seconds; -1 */
	char	 body_hash[17];		/* hex of the 2xx body; "" otherwise */
	size_t	 body_bytes;
	int	 same_body;		/* 2xx whose hash matched req body_hash */
	struct feed_doc *doc;		/* 2xx and parsed; callback may take it */
	void	*prep;			/* of doc (fetcher_set_prep); may take */
	double	 seconds;
};

/*
 * A 2xx body is parsed on a libuv worker thread once it is complete,
 * and fn, when set, prepares the document there too (CPU-only work that
 * needs no loop state: the daemon's is store_prepare_doc); the result
 * comes back in res->prep, freed with free_fn unless taken.
 */
typedef void *(*fetch_prep_fn)(const struct feed_doc *doc, int full);

/* Called from the loop once per request.  res is freed after return. */
typedef void (*fetch_done_cb)(struct fetch_result *res, void *arg);

struct fetcher *fetcher_new(uv_loop_t *loop, const struct fetch_opts *o,
	    fetch_done_cb cb, void *arg);
void	 fetcher_set_prep(struct fetcher *fr, fetch_prep_fn fn,
	    void (*free_fn)(void *));
/* New limits apply to transfers started from now on (SIGHUP). */
void	 fetcher_set_opts(struct fetcher *fr, const struct fetch_opts *o);
/* Holds host (as fetch_url_host names it) until Unix seconds until. */
void	 fetcher_hold_host(struct fetcher *fr, const char *host, int64_t until);
/* Queues a request; it starts when the limits allow. */
void	 fetcher_add(struct fetcher *fr, const struct fetch_req *req);
/* Transfers queued, in flight or being parsed. */
size_t	 fetcher_busy(const struct fetcher *fr);
/* Completes every queued (not started) request as aborted. */
void	 fetcher_drop_queue(struct fetcher *fr);
/*
 * Drops the queue and aborts every transfer in flight; each gets its
 * callback with res->aborted set.
 */
void	 fetcher_abort(struct fetcher *fr);
/* Aborts, then closes every handle; memory goes when the loop runs. */
void	 fetcher_close(struct fetcher *fr);

/* Host part of a URL, lowercased (for per-host limits); caller frees. */
char	*fetch_url_host(const char *url);
/* Parses Retry-After (delta seconds or HTTP date) into seconds; -1. */
int64_t	 fetch_parse_retry_after(const char *value, int64_t now);

#endif
