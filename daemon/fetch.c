/*
 * fetch: feedd's transfer queue and the curl multi <-> libuv glue
 * (after curl's docs/examples/multi-uv.c).  Requests wait in per-host
 * FIFOs; a round-robin list of hosts that may start one feeds libcurl
 * only transfers that can run now, so waiting never counts against
 * CURLOPT_TIMEOUT.  A 429/503 with Retry-After holds its whole host.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/fetch_int.h"
#include "daemon/fetch_pool.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "util/hash.h"

#define HOST_BUCKETS	1024
#define WAIT_MAX_MS	5000	/* wait_max_ms */

struct host {
	char		*name;
	struct host	*hnext;		/* hash chain */
	STAILQ_ENTRY(host) rlink;	/* ready list */
	int		 in_ready;
	int		 active;
	int64_t		 hold_until;	/* Unix seconds; 0 none */
	unsigned int	 pool_gen;	/* fetch_pools_join's mark */
	/*
	 * The queued requests' args, oldest at head, in a ring: 8 bytes a
	 * feed, where a list node took 32 (100,000 feeds of a first cycle,
	 * all queued at once: 3.2 MB).  It starts at one slot (most hosts
	 * have one feed) and is freed when it empties.
	 */
	void		**queue;
	uint32_t	 qhead, qlen, qcap;
};

struct sock_ctx {
	uv_poll_t	 poll;
	curl_socket_t	 fd;
	int		 events;	/* what curl asked to watch */
	int		 closed;	/* CURL_POLL_REMOVE seen */
	struct fetcher	*fr;
	LIST_ENTRY(sock_ctx) link;
};

struct fetcher {
	uv_loop_t	*loop;
	CURLM		*multi;
	struct fetch_pools *pools;	/* the connections kept alive */
	uv_timer_t	 timer;		/* curl's timeout */
	uv_idle_t	 now;		/* curl's timeout of 0: after this turn's I/O */
	uv_timer_t	 kick;		/* runs the queue on the next turn */
	uv_timer_t	 overdue;	/* a transfer waited long enough */
	struct fetch_opts o;
	fetch_req_cb	 req_cb;
	fetch_done_cb	 cb;
	void		*cbarg;
	struct host	*hosts[HOST_BUCKETS];
	size_t		 nhosts;
	STAILQ_HEAD(, host) ready;
	TAILQ_HEAD(, fetch) flying;	/* in flight */
	LIST_HEAD(, sock_ctx) socks;	/* polled sockets */
	int		 active;
	size_t		 queued;
	int		 closing;
	int		 held;		/* fetcher_hold: start nothing new */
	size_t		 backlog;	/* fetcher_backlog */
	size_t		 body_guess;	/* the recent bodies' size (an
					 * average, each weighing 1/8) */
};

static void dispatch(struct fetcher *fr);
static void resume_paused(struct fetcher *fr);
static uint64_t wait_max_ms(const struct fetcher *fr);
static void on_overdue(uv_timer_t *t);
static void check_multi_info(struct fetcher *fr);

const struct fetch_opts *
fetcher_opts(const struct fetcher *fr)
{
	return &fr->o;
}

/* ---- hosts and the ready list ---- */

static struct host *
host_get(struct fetcher *fr, const char *url)
{
	char *name = fetch_url_host(url);
	struct host **slot, *ho;

	slot = &fr->hosts[hash_str(name) % HOST_BUCKETS];
	for (ho = *slot; ho; ho = ho->hnext)
		if (strcmp(ho->name, name) == 0) {
			free(name);
			return ho;
		}
	ho = xcalloc(1, sizeof(*ho));
	ho->name = name;
	ho->hnext = *slot;
	*slot = ho;
	fr->nhosts++;
	return ho;
}

/*
 * A host with nothing queued, in flight or held is forgotten: else the
 * hosts of feeds a reload removed, or of a first cycle over 100,000
 * hosts, would stay for the life of the daemon.  Not while the queue or
 * the hosts are being walked (fetcher_drop_queue, fetcher_abort).
 */
static void
host_release(struct fetcher *fr, struct host *h)
{
	struct host **slot;

	if (fr->closing || h->active > 0 || h->in_ready || h->qlen > 0 ||
	    h->hold_until > (int64_t)time(NULL))
		return;
	slot = &fr->hosts[hash_str(h->name) % HOST_BUCKETS];
	while (*slot != h)
		slot = &(*slot)->hnext;
	*slot = h->hnext;
	fr->nhosts--;
	free(h->name);
	free(h);
}

static void
ready_push(struct fetcher *fr, struct host *h)
{
	if (h->in_ready || h->qlen == 0 || h->active >= fr->o.per_host)
		return;
	h->in_ready = 1;
	STAILQ_INSERT_TAIL(&fr->ready, h, rlink);
}

static struct host *
ready_pop(struct fetcher *fr)
{
	struct host *h = STAILQ_FIRST(&fr->ready);

	if (h == NULL)
		return NULL;
	STAILQ_REMOVE_HEAD(&fr->ready, rlink);
	h->in_ready = 0;
	return h;
}

static void
host_enqueue(struct fetcher *fr, struct host *h, void *arg)
{
	if (h->qlen == h->qcap) {
		uint32_t cap = h->qcap ? h->qcap * 2 : 1;
		void **q = xreallocarray(NULL, cap, sizeof(*q));

		/* unrolled from head, so the ring starts at 0 again */
		for (uint32_t i = 0; i < h->qlen; i++)
			q[i] = h->queue[(h->qhead + i) % h->qcap];
		free(h->queue);
		h->queue = q;
		h->qhead = 0;
		h->qcap = cap;
	}
	h->queue[(h->qhead + h->qlen++) % h->qcap] = arg;
	fr->queued++;
}

/* The oldest queued request's arg, taken off the queue: 1; 0: none. */
static int
host_dequeue(struct fetcher *fr, struct host *h, void **arg)
{
	if (h->qlen == 0)
		return 0;
	*arg = h->queue[h->qhead];
	h->qhead = (h->qhead + 1) % h->qcap;
	if (--h->qlen == 0) {
		free(h->queue);
		h->queue = NULL;
		h->qhead = h->qcap = 0;
	}
	fr->queued--;
	return 1;
}

/* ---- completion ---- */

static void
complete(struct fetcher *fr, struct fetch *f)
{
	struct fetch_pool *pool = f->pool;

	if (f->started_ns)
		fr->body_guess += f->res.body_bytes / 8 - fr->body_guess / 8;
	f->res.seconds = f->started_ns ?
	    (double)(uv_hrtime() - f->started_ns) / 1e9 : 0;
	fr->cb(fetch_take_result(f), fr->cbarg);
	fetch_free(f);
	fetch_pools_leave(fr->pools, pool);	/* after its easy handle */
}

static void
flying_unlink(struct fetcher *fr, struct fetch *f)
{
	TAILQ_REMOVE(&fr->flying, f, link);
	fr->active--;
	f->host->active--;
	ready_push(fr, f->host);
}

static void
hold_host(struct fetch *f)
{
	int st = f->res.status;

	if ((st == 429 || st == 503) && f->res.retry_after > 0)
		f->host->hold_until = (int64_t)time(NULL) +
		    fetch_host_hold_secs(f->res.retry_after);
}

void
fetcher_hold_host(struct fetcher *fr, const char *host, int64_t until)
{
	char *url = xasprintf("http://%s/", host);
	struct host *h = host_get(fr, url);

	free(url);
	if (until > h->hold_until)
		h->hold_until = until;
}

static void
complete_held(struct fetcher *fr, struct host *h, void *arg, int64_t now)
{
	struct fetch_result *res = fetch_result_new(arg);

	res->held = 1;
	res->outcome = FETCH_OUTCOME_HTTP_ERROR;
	res->retry_after = h->hold_until - now;
	res->error = xasprintf("host %s held off for %lld s (Retry-After)",
	    h->name, (long long)res->retry_after);
	fr->cb(res, fr->cbarg);
}

static void
set_aborted(struct fetch_result *res)
{
	res->aborted = 1;
	res->outcome = FETCH_OUTCOME_NETWORK_ERROR;
	res->error = xstrdup("aborted at shutdown");
}

static void
complete_aborted(struct fetcher *fr, struct fetch *f)
{
	set_aborted(&f->res);
	complete(fr, f);
}

/* A queued request's result: it ends without a transfer. */
static void
complete_aborted_wait(struct fetcher *fr, void *arg)
{
	struct fetch_result *res = fetch_result_new(arg);

	set_aborted(res);
	fr->cb(res, fr->cbarg);
}

static void
check_multi_info(struct fetcher *fr)
{
	CURLMsg *msg;
	struct host *h;
	int left;

	while ((msg = curl_multi_info_read(fr->multi, &left)) != NULL) {
		struct fetch *f = NULL;
		CURLcode code = msg->data.result;
		CURL *easy = msg->easy_handle;

		if (msg->msg != CURLMSG_DONE)
			continue;
		/* msg is invalid once the handle is removed */
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&f);
		curl_multi_remove_handle(fr->multi, easy);
		if (f->redo_decoded && !f->curl_decodes && !fr->closing) {
			fetch_redo_decoded(f);
			if (curl_multi_add_handle(fr->multi, easy) == CURLM_OK)
				continue;
			f->res.error = xstrdup("cannot start the transfer");
		}
		flying_unlink(fr, f);
		fetch_finish(f, code);
		hold_host(f);
		h = f->host;
		complete(fr, f);
		host_release(fr, h);
	}
	resume_paused(fr);
	dispatch(fr);
}

/* ---- curl <-> libuv ---- */

static void
on_poll(uv_poll_t *p, int status, int events)
{
	struct sock_ctx *c = p->data;
	struct fetcher *fr = c->fr;
	int flags = 0, running;

	/*
	 * An error (a reset, often a server closing an idle keep-alive
	 * connection) is left for curl to find by reading or writing: it
	 * then names it, and retries a reused connection, which
	 * CURL_CSELECT_ERR ("select/poll returned error") would not.
	 * libuv stops the handle on an error: watch again if curl still
	 * wants the socket.
	 */
	if (status < 0)
		flags = CURL_CSELECT_IN | CURL_CSELECT_OUT;
	if (!status && (events & UV_READABLE))
		flags |= CURL_CSELECT_IN;
	if (!status && (events & UV_WRITABLE))
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(fr->multi, c->fd, flags, &running);
	if (status < 0 && !c->closed)
		uv_poll_start(&c->poll, c->events, on_poll);
	check_multi_info(fr);
}

/* curl's timeout is due, from the timer or the idle handle. */
static void
curl_timeout_due(struct fetcher *fr)
{
	int running;

	curl_multi_socket_action(fr->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_multi_info(fr);
}

static void
on_curl_timer(uv_timer_t *t)
{
	curl_timeout_due(t->data);
}

static void
on_curl_now(uv_idle_t *h)
{
	uv_idle_stop(h);
	curl_timeout_due(h->data);
}

/*
 * 0 is as soon as possible, but not from inside this callback, nor from
 * a 0 ms timer: libuv 1.44 runs one started by a timer's callback in
 * the same pass, and curl, asking again, would keep it from polling.
 * A 1 ms timer cost each step of a file: transfer a tick of the clock
 * (100,000 of them took 9.4 s for 4 s of CPU).
 */
static int
on_curl_timeout(CURLM *multi, long ms, void *arg)
{
	struct fetcher *fr = arg;

	(void)multi;
	uv_timer_stop(&fr->timer);
	uv_idle_stop(&fr->now);
	if (ms == 0)
		uv_idle_start(&fr->now, on_curl_now);
	else if (ms > 0)
		uv_timer_start(&fr->timer, on_curl_timer, (uint64_t)ms, 0);
	return 0;
}

static void
on_sock_closed(uv_handle_t *h)
{
	free(h->data);
}

static void
sock_close(struct sock_ctx *c)
{
	LIST_REMOVE(c, link);
	c->closed = 1;
	uv_poll_stop(&c->poll);
	uv_close((uv_handle_t *)&c->poll, on_sock_closed);
}

static int
on_curl_socket(CURL *easy, curl_socket_t s, int action, void *arg,
    void *sockp)
{
	struct fetcher *fr = arg;
	struct sock_ctx *c = sockp;
	int events = 0;

	(void)easy;
	if (action == CURL_POLL_REMOVE) {
		if (c) {
			sock_close(c);
			curl_multi_assign(fr->multi, s, NULL);
		}
		return 0;
	}
	if (c == NULL) {
		c = xcalloc(1, sizeof(*c));
		c->fd = s;
		c->fr = fr;
		uv_poll_init_socket(fr->loop, &c->poll, s);
		c->poll.data = c;
		LIST_INSERT_HEAD(&fr->socks, c, link);
		curl_multi_assign(fr->multi, s, c);
	}
	if (action != CURL_POLL_OUT)
		events |= UV_READABLE;
	if (action != CURL_POLL_IN)
		events |= UV_WRITABLE;
	c->events = events;
	uv_poll_start(&c->poll, events, on_poll);
	return 0;
}

/* ---- the queue ---- */

/* f set up, in the current connection pool and in the multi. */
static int
launch(struct fetcher *fr, struct fetch *f)
{
	if (fetch_setup(f, &fr->o) == -1)
		return -1;
	f->pool = fetch_pools_join(fr->pools, f->easy, &f->host->pool_gen);
	return curl_multi_add_handle(fr->multi, f->easy) == CURLM_OK ? 0 : -1;
}

/* arg's request, as req_cb says it now, on the wire; nothing if
 * dropped. */
static void
start(struct fetcher *fr, struct host *h, void *arg)
{
	struct fetch_req req = { NULL, NULL, NULL };
	struct fetch *f;

	if (fr->req_cb(arg, &req, fr->cbarg) == -1)
		return;
	f = fetch_new(fr, &req, arg);
	f->host = h;
	f->started_ns = uv_hrtime();
	if (launch(fr, f) == -1) {
		f->res.outcome = FETCH_OUTCOME_NETWORK_ERROR;
		if (f->res.error == NULL)
			f->res.error = xstrdup("cannot start the transfer");
		complete(fr, f);
		return;
	}
	TAILQ_INSERT_HEAD(&fr->flying, f, link);
	fr->active++;
	f->host->active++;
}

/*
 * Whether one more transfer fits o.body_budget.  Counted at the start,
 * a dozen feeds of 10 MB each began together and their documents took
 * over a gigabyte; a transfer's body is guessed from the recent ones
 * until it is bigger.  One always may go: a feed up to max_size is
 * read even past the budget.
 */
static int
budget_room(const struct fetcher *fr)
{
	const struct fetch *f;
	size_t	 bytes = fr->backlog + fr->body_guess;

	if (fr->o.body_budget == 0 || fr->active == 0)
		return 1;
	TAILQ_FOREACH(f, &fr->flying, link)
		bytes += f->res.body_bytes > fr->body_guess ?
		    f->res.body_bytes : fr->body_guess;
	return bytes <= fr->o.body_budget;
}

/* Whether a has more of its body than b (the older first when even). */
static int
further_along(const struct fetch *a, const struct fetch *b)
{
	return a->res.body_bytes > b->res.body_bytes ||
	    (a->res.body_bytes == b->res.body_bytes &&
	    a->started_ns < b->started_ns);
}

static void
resume(struct fetch *f)
{
	f->paused = 0;
	curl_easy_pause(f->easy, CURLPAUSE_CONT);
}

/*
 * fetch_int.h.  Past the budget a transfer waits (libcurl holds the
 * bytes it has read and reads no more of the socket), unless nothing
 * else frees room: the consumer holds nothing, and no transfer going
 * on has more of its body.  So the one furthest along finishes, then
 * the next.  Started together, 16 feeds of 10 MB each were all read
 * whole before the first was stored.  file: URLs are read at once.
 */
int
fetcher_body_room(struct fetcher *fr, struct fetch *f, size_t len)
{
	const struct fetch *g;
	size_t	 bytes = fr->backlog + len;
	int	 ahead = 0;

	if (fr->o.body_budget == 0 || f->is_file || f->overdue)
		return 1;
	TAILQ_FOREACH(g, &fr->flying, link) {
		bytes += g->res.body_bytes;
		ahead |= g != f && !g->paused && further_along(g, f);
	}
	f->paused = bytes > fr->o.body_budget && (fr->backlog > 0 || ahead);
	if (!f->paused) {
		f->waits_since = 0;
		return 1;
	}
	if (f->waits_since == 0)
		f->waits_since = uv_now(fr->loop);
	if (!uv_is_active((uv_handle_t *)&fr->overdue)) {
		uint64_t now = uv_now(fr->loop);
		uint64_t due = f->waits_since + wait_max_ms(fr);

		uv_timer_start(&fr->overdue, on_overdue, due > now ?
		    due - now : 0, 0);
	}
	return 0;
}

/*
 * How long a transfer may wait for room: the one ahead of it may be a
 * server sending a byte a second, and the others would time out behind
 * it.  A quarter of the timeout, at most WAIT_MAX_MS.
 */
static uint64_t
wait_max_ms(const struct fetcher *fr)
{
	uint64_t quarter = (uint64_t)fr->o.timeout * 250;

	return quarter < WAIT_MAX_MS ? quarter : WAIT_MAX_MS;
}

/* Those that waited long enough go on, room or not. */
static void
on_overdue(uv_timer_t *t)
{
	struct fetcher *fr = t->data;
	uint64_t now = uv_now(fr->loop), max = wait_max_ms(fr), next = 0;
	struct fetch *f;

	TAILQ_FOREACH(f, &fr->flying, link) {
		if (!f->paused || f->waits_since == 0)
			continue;
		if (now - f->waits_since >= max) {
			f->overdue = 1;
			resume(f);
		} else if (next == 0 || f->waits_since + max - now < next)
			next = f->waits_since + max - now;
	}
	if (next > 0)
		uv_timer_start(&fr->overdue, on_overdue, next, 0);
}

/*
 * Room may have been made: with some under the budget every paused
 * transfer asks again; with none, and nothing else going on to free
 * any, the one furthest along.  (Asking them all each time, each
 * handed its bytes back at once, cost 25% more CPU.)
 */
static void
resume_paused(struct fetcher *fr)
{
	struct fetch *f, *lead = NULL;
	size_t	 bytes = fr->backlog;
	int	 going = 0;

	TAILQ_FOREACH(f, &fr->flying, link) {
		bytes += f->res.body_bytes;
		going |= !f->paused;
		if (f->paused && (lead == NULL || further_along(f, lead)))
			lead = f;
	}
	if (lead != NULL && bytes < fr->o.body_budget) {
		TAILQ_FOREACH(f, &fr->flying, link)
			if (f->paused)
				resume(f);
	} else if (lead != NULL && fr->backlog == 0 && !going)
		resume(lead);
	if (fetcher_paused(fr) == 0)	/* else it keeps `once` waiting */
		uv_timer_stop(&fr->overdue);
}

static void
dispatch(struct fetcher *fr)
{
	int64_t now = (int64_t)time(NULL);
	struct host *h;
	void	*arg;

	while (!fr->closing && !fr->held && fr->active < fr->o.concurrency &&
	    budget_room(fr) && (h = ready_pop(fr)) != NULL) {
		if (h->hold_until > now) {
			while (host_dequeue(fr, h, &arg))
				complete_held(fr, h, arg, now);
			continue;
		}
		if (host_dequeue(fr, h, &arg))
			start(fr, h, arg);
		ready_push(fr, h);
		host_release(fr, h);	/* its last request was dropped */
	}
}

static void
on_kick(uv_timer_t *t)
{
	dispatch(t->data);
}

void
fetcher_add(struct fetcher *fr, const char *url, void *arg)
{
	struct host *h = host_get(fr, url);

	host_enqueue(fr, h, arg);
	ready_push(fr, h);
	if (!uv_is_active((uv_handle_t *)&fr->kick))
		uv_timer_start(&fr->kick, on_kick, 0, 0);
}

void
fetcher_hold(struct fetcher *fr, int hold)
{
	int was = fr->held;

	fr->held = hold;
	if (was && !hold && !uv_is_active((uv_handle_t *)&fr->kick))
		uv_timer_start(&fr->kick, on_kick, 0, 0);
}

void
fetcher_backlog(struct fetcher *fr, size_t bytes)
{
	int less = bytes < fr->backlog;

	fr->backlog = bytes;
	if (less)
		resume_paused(fr);
	if (less && !uv_is_active((uv_handle_t *)&fr->kick))
		uv_timer_start(&fr->kick, on_kick, 0, 0);
}

size_t
fetcher_paused(const struct fetcher *fr)
{
	const struct fetch *f;
	size_t	 n = 0;

	TAILQ_FOREACH(f, &fr->flying, link)
		n += f->paused != 0;
	return n;
}

size_t
fetcher_busy(const struct fetcher *fr)
{
	return fr->queued + (size_t)fr->active;
}

size_t
fetcher_waiting(const struct fetcher *fr)
{
	return fr->queued;
}

size_t
fetcher_hosts(const struct fetcher *fr)
{
	return fr->nhosts;
}

/* ---- lifetime ---- */

static void
opts_copy(struct fetch_opts *dst, const struct fetch_opts *src)
{
	char *ua = xstrdup(src->user_agent ? src->user_agent : "feedd");

	free((char *)dst->user_agent);
	*dst = *src;
	dst->user_agent = ua;
	if (dst->concurrency < 1)
		dst->concurrency = 1;
	if (dst->per_host < 1)
		dst->per_host = 1;
	if (dst->timeout < 1)
		dst->timeout = 1;
	if (dst->low_speed_secs < 1)
		dst->low_speed_secs = 10;
}

struct fetcher *
fetcher_new(uv_loop_t *loop, const struct fetch_opts *o, fetch_req_cb req_cb,
    fetch_done_cb cb, void *arg)
{
	struct fetcher *fr = xcalloc(1, sizeof(*fr));

	fr->loop = loop;
	STAILQ_INIT(&fr->ready);
	TAILQ_INIT(&fr->flying);
	LIST_INIT(&fr->socks);
	fr->req_cb = req_cb;
	fr->cb = cb;
	fr->cbarg = arg;
	opts_copy(&fr->o, o);
	fr->multi = curl_multi_init();
	if (fr->multi == NULL)
		fatalx("curl_multi_init failed");
	fr->pools = fetch_pools_new();
	curl_multi_setopt(fr->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
	curl_multi_setopt(fr->multi, CURLMOPT_SOCKETDATA, fr);
	curl_multi_setopt(fr->multi, CURLMOPT_TIMERFUNCTION, on_curl_timeout);
	curl_multi_setopt(fr->multi, CURLMOPT_TIMERDATA, fr);
	uv_timer_init(loop, &fr->timer);
	uv_timer_init(loop, &fr->kick);
	uv_timer_init(loop, &fr->overdue);
	uv_idle_init(loop, &fr->now);
	fr->timer.data = fr->kick.data = fr->now.data = fr->overdue.data = fr;
	return fr;
}

void
fetcher_set_opts(struct fetcher *fr, const struct fetch_opts *o)
{
	opts_copy(&fr->o, o);
	dispatch(fr);
}

void
fetcher_drop_queue(struct fetcher *fr)
{
	struct host *h;
	void	*arg;

	for (size_t i = 0; i < HOST_BUCKETS; i++)
		for (h = fr->hosts[i]; h; h = h->hnext)
			while (host_dequeue(fr, h, &arg))
				complete_aborted_wait(fr, arg);
}

void
fetcher_abort(struct fetcher *fr)
{
	struct fetch *f;
	struct host *h;

	fetcher_drop_queue(fr);
	while ((f = TAILQ_FIRST(&fr->flying)) != NULL) {
		curl_multi_remove_handle(fr->multi, f->easy);
		flying_unlink(fr, f);
		complete_aborted(fr, f);
	}
	STAILQ_INIT(&fr->ready);
	for (size_t i = 0; i < HOST_BUCKETS; i++)
		for (h = fr->hosts[i]; h; h = h->hnext)
			h->in_ready = 0;
}

static void
on_fetcher_closed(uv_handle_t *h)
{
	struct fetcher *fr = h->data;
	struct host *ho, *next;

	for (size_t i = 0; i < HOST_BUCKETS; i++)
		for (ho = fr->hosts[i]; ho; ho = next) {
			next = ho->hnext;
			free(ho->queue);
			free(ho->name);
			free(ho);
		}
	free((char *)fr->o.user_agent);
	free(fr);
}

void
fetcher_close(struct fetcher *fr)
{
	if (fr == NULL)
		return;
	fr->closing = 1;
	fetcher_abort(fr);
	curl_multi_cleanup(fr->multi);
	fetch_pools_free(fr->pools);
	while (!LIST_EMPTY(&fr->socks))
		sock_close(LIST_FIRST(&fr->socks));
	uv_close((uv_handle_t *)&fr->timer, NULL);
	uv_close((uv_handle_t *)&fr->overdue, NULL);
	uv_close((uv_handle_t *)&fr->now, NULL);
	uv_close((uv_handle_t *)&fr->kick, on_fetcher_closed);
}
