/*
 * fetch_int: what fetch.c (the queue and the curl/libuv glue) and
 * fetch_xfer.c (one transfer: options, headers, body, result) share.
 * Private to the fetch module.
 */
#ifndef FEEDD_FETCH_INT_H
#define FEEDD_FETCH_INT_H

#include <sys/queue.h>

#include <curl/curl.h>

#include "daemon/fetch.h"
#include "daemon/fetch_addr.h"
#include "util/buf.h"

struct host;
struct fetch_pool;

struct fetch {
	struct fetcher	*fr;
	struct host	*host;
	TAILQ_ENTRY(fetch) link;	/* in-flight list */
	CURL		*easy;
	struct fetch_pool *pool;	/* its connections', once started */
	struct curl_slist *hdrs;	/* the request's, made with it */
	char		*url;
	void		*arg;
	int		 is_file;
	int		 conditional;	/* sent a validator */
	uint64_t	 started_ns;
	/* response state */
	int		 body_started, accept, discard, too_big;
	int		 hop_status, perm_chain;
	/* a coding not asked for came (a server that ignores
	 * Accept-Encoding): the transfer is made again, libcurl undoing
	 * whatever it knows (curl_decodes), as it once did for all */
	int		 redo_decoded, curl_decodes;
	int		 paused;	/* waits for room in o.body_budget */
	int		 overdue;	/* waited WAIT_MAX_MS: room or not */
	uint64_t	 waits_since;	/* uv_now when it first waited */
	char		*cur_url;
	struct addr_guard guard;	/* the address policy (fetch_addr.h) */
	/* the 2xx body, handed over in res once complete */
	struct buf	 body;
	struct fetch_result res;
	char		*errbuf;	/* CURL_ERROR_SIZE, once it starts */
};

/* fetch.c */
const struct fetch_opts *fetcher_opts(const struct fetcher *fr);
/* Whether f may take len more bytes of body now (o.body_budget); when
 * not, f is paused until the fetcher makes room. */
int	 fetcher_body_room(struct fetcher *fr, struct fetch *f, size_t len);

/* fetch_xfer.c */
/* Takes req's strings. */
struct fetch *fetch_new(struct fetcher *fr, struct fetch_req *req, void *arg);
/* The result of a request that never started. */
struct fetch_result *fetch_result_new(void *arg);
void	 fetch_free(struct fetch *f);		/* NULL ok */
/* Makes the easy handle; -1 with res.error set. */
int	 fetch_setup(struct fetch *f, const struct fetch_opts *o);
/* f made ready to go again with libcurl undoing the codings (after
 * redo_decoded), its easy handle out of the multi handle. */
void	 fetch_redo_decoded(struct fetch *f);
/* Fills f->res from the finished transfer. */
void	 fetch_finish(struct fetch *f, CURLcode code);
/* Hands f->res over (the caller frees it); f keeps an empty one. */
struct fetch_result *fetch_take_result(struct fetch *f);

#endif
