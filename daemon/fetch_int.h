/*
 * fetch_int: what fetch.c (the queue and the curl/libuv glue) and
 * fetch_xfer.c (one transfer: options, headers, body, result) share.
 * Private to the fetch module.
 */
#ifndef FEEDD_FETCH_INT_H
#define FEEDD_FETCH_INT_H

#include <curl/curl.h>

#include "daemon/fetch.h"
#include "feeds/buf.h"
#include "feeds/parse.h"

struct host;

struct fetch {
	struct fetcher	*fr;
	struct host	*host;
	struct fetch	*next, *prev;	/* host queue, then in-flight list */
	CURL		*easy;
	struct curl_slist *hdrs;
	char		*url;
	char		*etag, *last_modified, *prev_hash;
	void		*arg;
	int		 is_file;
	uint64_t	 started_ns;
	/* response state */
	int		 body_started, accept, discard, too_big;
	int		 hop_status, perm_chain;
	char		*cur_url;
	char		*conf_host;	/* of the configured URL */
	int		 host_local;	/* it names a local host itself */
	char		*refused;	/* why the address policy said no */
	/* the 2xx body, parsed on a worker thread once complete */
	struct buf	 body;
	char		*base_url, *charset;
	int		 needs_parse, prep_full;
	struct feed_doc	*wdoc;		/* the worker's result ... */
	char		*werr;		/* ... or its error */
	uv_work_t	 work;
	uint64_t	 hash;
	struct fetch_result res;
	char		 errbuf[CURL_ERROR_SIZE];
};

/* fetch.c */
const struct fetch_opts *fetcher_opts(const struct fetcher *fr);
/* The preparation set by fetcher_set_prep (NULL: none). */
fetch_prep_fn fetcher_prep(const struct fetcher *fr);
void	 fetcher_prep_free(const struct fetcher *fr, void *prep);

/* fetch_xfer.c */
struct fetch *fetch_new(struct fetcher *fr, const struct fetch_req *req);
void	 fetch_free(struct fetch *f);		/* NULL ok */
/* Makes the easy handle; -1 with res.error set. */
int	 fetch_setup(struct fetch *f, const struct fetch_opts *o);
/* Fills f->res from the finished transfer; f->needs_parse: not yet all. */
void	 fetch_finish(struct fetch *f, CURLcode code);
/* Worker thread: parses the body (and prepares the document). */
void	 fetch_parse(struct fetch *f);
/* Loop thread, after fetch_parse: the outcome of the parse. */
void	 fetch_parsed(struct fetch *f);

#endif
