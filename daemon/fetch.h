/*
 * fetch: HTTP(S) transfers on libcurl's multi interface driven by the
 * libuv loop (the multi-uv.c pattern).  Owns feedd's transfer queue
 * (concurrency, per-host limit, host hold-off after 429/503), the
 * conditional GET headers and the decoded-size cap.  It hands back an
 * HTTP result: status, the headers feedd uses, the 2xx body and
 * timings.  What the body means is the pipeline's
 * business: fetch knows nothing of feeds or storage.
 */
#ifndef FEEDD_FETCH_H
#define FEEDD_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

/* How a fetch ended, as the metrics count it. */
enum fetch_outcome {
	FETCH_OUTCOME_OK,		/* 2xx with a new body */
	FETCH_OUTCOME_NOT_MODIFIED,	/* 304 or same body */
	FETCH_OUTCOME_HTTP_ERROR,	/* 4xx/5xx */
	FETCH_OUTCOME_NETWORK_ERROR,	/* DNS, connect, timeout, TLS */
	FETCH_OUTCOME_PARSE_ERROR,	/* body over max_size; or (set by
					 * the pipeline) not a feed */
	FETCH_OUTCOME_COUNT
};

struct fetcher;

struct fetch_opts {
	int	 concurrency;		/* transfers in flight at once */
	int	 per_host;		/* in flight per host */
	int64_t	 timeout;		/* seconds, whole transfer */
	int64_t	 max_size;		/* decoded body bytes */
	long	 low_speed_secs;	/* under 64 B/s this long: dropped
					 * (0: 10 s) */
	const char *user_agent;		/* copied */
	int	 allow_private;		/* no address policy (fetch_addr.h) */
	/* the codings to ask for, the body then handed over as sent with
	 * them in fetch_result.coding (kept, not copied); NULL: any that
	 * libcurl knows, undone by it, on the loop thread */
	const char *accept_encoding;
	/* with accept_encoding: whether the caller undoes the codings a
	 * Content-Encoding value of len bytes lists; a 2xx in others is
	 * fetched again, libcurl undoing what it knows */
	int	(*undoes)(const char *value, size_t len);
	/*
	 * Bytes of bodies the process may hold at once, the consumer's
	 * (fetcher_backlog) and those in flight; a transfer not started
	 * counts as big as the recent bodies were.  Past it nothing new
	 * starts while another transfer is in flight, and a transfer in
	 * flight waits for room (fetch_int.h, fetcher_body_room), a
	 * quarter of timeout at most.  0: no bound.
	 */
	size_t	 body_budget;
};

/* What a request sends; its strings are the fetcher's once handed over. */
struct fetch_req {
	char	*url;
	char	*etag;			/* sent as If-None-Match; may be NULL */
	char	*last_modified;		/* sent as If-Modified-Since; may be NULL */
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
	char	*effective_url;		/* the last hop's (the body's base) */
	char	*perm_redirect;		/* target of 301/308 chain from the start */
	int64_t	 retry_after;		/* seconds from now; -1 when none */
	int64_t	 hint;			/* max-age / Expires, seconds; -1 */
	size_t	 body_bytes;
	/* FETCH_OUTCOME_OK only: the body, NUL-terminated, and what the
	 * server said about it */
	char	*body;
	size_t	 body_len;
	char	*charset;		/* of Content-Type; NULL when none */
	char	*coding;		/* Content-Encoding, still to undo
					 * (fetch_opts.accept_encoding);
					 * NULL: none */
	double	 seconds;		/* from start to the last byte */
};

/*
 * Called from the loop when a queued request (its arg) may start: fills
 * req and returns 0, or returns -1 to drop it, unheard of (no result).
 * What a request sends is read then, not when it is queued: a first
 * cycle queues every feed at once, and keeping each one's URL and
 * headers meanwhile was a third of the memory of 100,000 feeds.
 */
typedef int (*fetch_req_cb)(void *arg, struct fetch_req *req, void *cbarg);
/* Called from the loop once per request that was not dropped; res is
 * the callee's, to free with fetch_result_free. */
typedef void (*fetch_done_cb)(struct fetch_result *res, void *cbarg);

struct fetcher *fetcher_new(uv_loop_t *loop, const struct fetch_opts *o,
	    fetch_req_cb req_cb, fetch_done_cb done_cb, void *cbarg);
void	 fetch_result_free(struct fetch_result *res);	/* NULL ok */
/* New limits apply to transfers started from now on (SIGHUP). */
void	 fetcher_set_opts(struct fetcher *fr, const struct fetch_opts *o);
/* Holds host (as fetch_url_host names it) until Unix seconds until. */
void	 fetcher_hold_host(struct fetcher *fr, const char *host, int64_t until);
/* Queues a request for url's host (url is not kept); it starts when the
 * limits allow, sending what req_cb says then. */
void	 fetcher_add(struct fetcher *fr, const char *url, void *arg);
/* Transfers queued or in flight. */
size_t	 fetcher_busy(const struct fetcher *fr);
/* Transfers queued: waiting for a slot, their host or the store. */
size_t	 fetcher_waiting(const struct fetcher *fr);
/* Hosts it knows: with a transfer queued or in flight, or held. */
size_t	 fetcher_hosts(const struct fetcher *fr);
/*
 * Backpressure from the consumer: while held, transfers in flight go on
 * but no queued one starts.
 */
void	 fetcher_hold(struct fetcher *fr, int hold);
/* The bytes of bodies the consumer was given and still holds as they
 * came (o.body_budget); a smaller figure lets waiting transfers go. */
void	 fetcher_backlog(struct fetcher *fr, size_t bytes);
/* Transfers in flight that wait for room in o.body_budget. */
size_t	 fetcher_paused(const struct fetcher *fr);
/* Completes every queued (not started) request as aborted. */
void	 fetcher_drop_queue(struct fetcher *fr);
/*
 * Drops the queue and aborts every transfer in flight; each gets its
 * callback with res->aborted set.
 */
void	 fetcher_abort(struct fetcher *fr);
/* Aborts, then closes every handle; memory goes when the loop runs. */
void	 fetcher_close(struct fetcher *fr);

/*
 * Host part of a URL as curl names it, lowercased, "" when it has none
 * (or url is NULL): per-host limits and the address guard.  Caller frees.
 */
char	*fetch_url_host(const char *url);
/* url as a log line may show it: without a user or password. */
char	*fetch_url_shown(const char *url);
/* Parses Retry-After (delta seconds or HTTP date) into seconds; -1. */
int64_t	 fetch_parse_retry_after(const char *value, int64_t now);
/*
 * How long one feed's 429 or 503 with Retry-After holds the other feeds
 * of its host, at most: the feed itself waits as long as the server
 * asked (up to a week), but a host serves many publishers' feeds, and
 * a week's Retry-After from one of them silenced them all.  Past the
 * hour, a host still refusing answers the next request with another.
 */
#define FETCH_HOST_HOLD_MAX	3600

/* How long a Retry-After of retry_after seconds holds the host. */
static inline int64_t
fetch_host_hold_secs(int64_t retry_after)
{
	return retry_after < FETCH_HOST_HOLD_MAX ? retry_after :
	    FETCH_HOST_HOLD_MAX;
}

#endif
