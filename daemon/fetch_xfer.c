/*
 * fetch_xfer: one HTTP transfer: its curl options, the response headers
 * it keeps (validators, cache hints, Retry-After, permanent redirects),
 * the body kept under the max_size cap (as the server coded it, when
 * the caller undoes its Content-Encoding), its parse on a worker
 * thread, and the result it hands back.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "daemon/fetch_addr.h"
#include "daemon/fetch_int.h"
#include "daemon/httpget.h"
#include "util/xmalloc.h"

#define LOW_SPEED_BYTES	64	/* below this many bytes/s for
				 * fetch_opts.low_speed_secs: dropped */
#define CONNECT_SECS	15
#define PRESIZE_MAX	(4 << 20)	/* a larger body grows as it comes */
#define RETRY_AFTER_MAX	(7 * 86400)	/* a longer wait is a server's mistake */
/*
 * curl's DNS cache (60 s by default) is walked whole after every
 * transfer (libcurl 7.88): a first cycle over 20,000 hosts took 15.9 s,
 * 7.0 s without it (5 s: 10.5 s).  A cycle reuses each host's
 * connections for its feeds, so a name is looked up about once anyway.
 */
#define DNS_CACHE_SECS	0L
#define ACCEPT_TYPES	"application/rss+xml, application/atom+xml, " \
			"application/feed+json, application/xml;q=0.9, " \
			"text/xml;q=0.9, */*;q=0.8"

static void
add_header(struct fetch *f, const char *name, const char *value)
{
	char *h;

	if (value == NULL || *value == '\0')
		return;
	h = xasprintf("%s: %s", name, value);
	f->hdrs = curl_slist_append(f->hdrs, h);
	free(h);
}

struct fetch *
fetch_new(struct fetcher *fr, struct fetch_req *req, void *arg)
{
	struct fetch *f = xcalloc(1, sizeof(*f));

	f->fr = fr;
	f->url = req->url;
	/* the validators go straight into the request's headers */
	add_header(f, "If-None-Match", req->etag);
	add_header(f, "If-Modified-Since", req->last_modified);
	f->conditional = f->hdrs != NULL;
	free(req->etag);
	free(req->last_modified);
	memset(req, 0, sizeof(*req));
	f->arg = arg;
	buf_init(&f->body, 0);
	f->is_file = strncasecmp(f->url, "file:", 5) == 0;
	f->perm_chain = 1;
	f->res.arg = arg;
	f->res.retry_after = -1;
	f->res.hint = -1;
	return f;
}

struct fetch_result *
fetch_result_new(void *arg)
{
	struct fetch_result *r = xcalloc(1, sizeof(*r));

	r->arg = arg;
	r->retry_after = -1;
	r->hint = -1;
	return r;
}

static void
result_cleanup(struct fetch_result *r)
{
	free(r->error);
	free(r->etag);
	free(r->last_modified);
	free(r->effective_url);
	free(r->perm_redirect);
	free(r->body);
	free(r->charset);
	free(r->coding);
}

void
fetch_result_free(struct fetch_result *r)
{
	if (r == NULL)
		return;
	result_cleanup(r);
	free(r);
}

struct fetch_result *
fetch_take_result(struct fetch *f)
{
	struct fetch_result *r = xmalloc(sizeof(*r));

	*r = f->res;
	memset(&f->res, 0, sizeof(f->res));
	return r;
}

void
fetch_free(struct fetch *f)
{
	if (f == NULL)
		return;
	if (f->easy)
		curl_easy_cleanup(f->easy);
	curl_slist_free_all(f->hdrs);
	buf_cleanup(&f->body);
	result_cleanup(&f->res);
	free(f->url);
	free(f->cur_url);
	free(f->errbuf);
	addr_guard_cleanup(&f->guard);
	free(f);
}

/* ---- response headers ---- */

static void
set_str(char **dst, const char *v, size_t len)
{
	free(*dst);
	*dst = xstrndup(v, len);
}

/* Resolves a Location against the URL of the hop that sent it. */
static char *
resolve_location(const char *base, const char *loc)
{
	CURLU *u = curl_url();
	char *out = NULL, *s = NULL;

	if (curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, loc, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK)
		out = xstrdup(s);
	curl_free(s);
	curl_url_cleanup(u);
	return out ? out : xstrdup(loc);
}

static void
on_location(struct fetch *f, const char *v, size_t len)
{
	char *loc = xstrndup(v, len), *abs;

	if (f->hop_status < 300 || f->hop_status > 399) {
		free(loc);
		return;
	}
	abs = resolve_location(f->cur_url, loc);
	free(loc);
	if (f->perm_chain && (f->hop_status == 301 || f->hop_status == 308))
		set_str(&f->res.perm_redirect, abs, strlen(abs));
	else
		f->perm_chain = 0;
	free(f->cur_url);
	f->cur_url = abs;
}

static int64_t
parse_max_age(const char *v, size_t len)
{
	char *s = xstrndup(v, len), *p;
	int64_t age = -1;

	for (p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (strstr(s, "no-store") == NULL && strstr(s, "no-cache") == NULL &&
	    (p = strstr(s, "max-age=")) != NULL)
		age = strtoll(p + 8, NULL, 10);
	free(s);
	return age;
}

static void
on_status_line(struct fetch *f, const char *line)
{
	const char *sp = strchr(line, ' ');

	f->hop_status = sp ? atoi(sp + 1) : 0;
	if (f->hop_status >= 100 && f->hop_status < 200)
		return;
	/* Only the final answer's headers count. */
	free(f->res.etag);
	free(f->res.last_modified);
	free(f->res.coding);
	f->res.etag = f->res.last_modified = f->res.coding = NULL;
	f->res.retry_after = f->res.hint = -1;
	f->redo_decoded = 0;
}

/*
 * Content-Encoding, over as many fields as the server sent, when the
 * body is handed over as sent.  A coding the caller does not undo (br
 * or zstd from a server that ignores Accept-Encoding) asks for the
 * transfer again with libcurl undoing it, as before the worker did it.
 */
static void
add_coding(struct fetch *f, const char *v, size_t vlen)
{
	const struct fetch_opts *o = fetcher_opts(f->fr);
	char	*was = f->res.coding;

	if (o->accept_encoding == NULL || f->curl_decodes)
		return;
	/* a 304's or an error page's body is not read */
	if (f->hop_status >= 200 && f->hop_status < 300 &&
	    (o->undoes == NULL || !o->undoes(v, vlen)))
		f->redo_decoded = 1;
	f->res.coding = was ? xasprintf("%s, %.*s", was, (int)vlen, v) :
	    xstrndup(v, vlen);
	free(was);
}

static void
on_field(struct fetch *f, const char *name, size_t nlen, const char *v,
    size_t vlen)
{
	char *s;

#define IS(n) (nlen == sizeof(n) - 1 && strncasecmp(name, n, nlen) == 0)
	if (IS("etag"))
		set_str(&f->res.etag, v, vlen);
	else if (IS("last-modified"))
		set_str(&f->res.last_modified, v, vlen);
	else if (IS("location"))
		on_location(f, v, vlen);
	else if (IS("content-encoding"))
		add_coding(f, v, vlen);
	else if (IS("cache-control"))
		f->res.hint = parse_max_age(v, vlen);
	else if (IS("expires") && f->res.hint < 0) {
		time_t t;

		s = xstrndup(v, vlen);
		if ((t = curl_getdate(s, NULL)) > 0 && t > time(NULL))
			f->res.hint = (int64_t)(t - time(NULL));
		free(s);
	} else if (IS("retry-after")) {
		s = xstrndup(v, vlen);
		f->res.retry_after = fetch_parse_retry_after(s, time(NULL));
		free(s);
	}
#undef IS
}

static size_t
on_header(char *buf, size_t size, size_t n, void *arg)
{
	struct fetch *f = arg;
	size_t len = size * n, nlen, vlen;
	const char *colon, *v;

	if (len >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
		char line[64];

		snprintf(line, sizeof(line), "%.*s", (int)(len < 63 ? len : 63), buf);
		on_status_line(f, line);
		return len;
	}
	if ((colon = memchr(buf, ':', len)) == NULL)
		return len;
	nlen = (size_t)(colon - buf);
	v = colon + 1;
	vlen = len - nlen - 1;
	while (vlen > 0 && (*v == ' ' || *v == '\t'))
		v++, vlen--;
	while (vlen > 0 && isspace((unsigned char)v[vlen - 1]))
		vlen--;
	on_field(f, buf, nlen, v, vlen);
	return len;
}

/* ---- body ---- */

static void
body_start(struct fetch *f)
{
	const struct fetch_opts *o = fetcher_opts(f->fr);
	long status = 0;
	curl_off_t clen = -1;

	f->body_started = 1;
	curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &status);
	/* 206: a part, where feedd asks for no range (finish_transfer) */
	f->accept = f->is_file || (status >= 200 && status < 300 &&
	    status != 206);
	if (!f->accept)
		return;
	/*
	 * Room for the announced length at once: doubling from 64 bytes
	 * copied the body a dozen times and left it in a buffer up to twice
	 * its size while it waited for a parser.  (Compressed, the length
	 * is the encoded one: the buffer grows from there.)
	 */
	curl_easy_getinfo(f->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &clen);
	if (clen > 0 && clen <= PRESIZE_MAX &&
	    (o->max_size <= 0 || clen <= o->max_size))
		buf_reserve_exact(&f->body, (size_t)clen);
}

static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
	struct fetch *f = arg;
	size_t len = size * n;
	const struct fetch_opts *o = fetcher_opts(f->fr);

	if (!f->body_started)
		body_start(f);
	if (!f->accept) {
		f->discard = 1;		/* an error page: its status says it all */
		return 0;
	}
	if (f->redo_decoded)
		return 0;		/* not kept: it comes again decoded */
	if (o->max_size > 0 && f->res.body_bytes + len > (uint64_t)o->max_size) {
		f->too_big = 1;
		return 0;
	}
	if (!fetcher_body_room(f->fr, f, len))
		return CURL_WRITEFUNC_PAUSE;	/* the same bytes come again */
	f->res.body_bytes += len;
	buf_append(&f->body, data, len);
	return len;
}

/* ---- the easy handle ---- */

/*
 * curl reads file: URLs with blocking calls on the loop's thread: a
 * FIFO would stall every feed forever, a directory reads as nothing.
 * Only regular files go to curl (/dev/zero and the like stop at the
 * size cap anyway, but are no feeds).  NULL when fine, else the error.
 */
static char *
file_url_problem(const char *url)
{
	CURLU *u = curl_url();
	char *path = NULL, *err = NULL;
	struct stat st;

	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &path, CURLU_URLDECODE) != CURLUE_OK)
		err = xstrdup("malformed file: URL");
	else if (stat(path, &st) == -1)
		err = xasprintf("%s: %s", path, strerror(errno));
	else if (S_ISDIR(st.st_mode))
		err = xasprintf("%s: is a directory", path);
	else if (!S_ISREG(st.st_mode))
		err = xasprintf("%s: not a regular file", path);
	curl_free(path);
	curl_url_cleanup(u);
	return err;
}

int
fetch_setup(struct fetch *f, const struct fetch_opts *o)
{
	CURL *e = f->easy = curl_easy_init();
	long low_time = o->timeout / 2 < o->low_speed_secs ?
	    (long)(o->timeout / 2) : o->low_speed_secs;

	if (e == NULL) {
		f->res.error = xstrdup("cannot create a transfer");
		return -1;
	}
	f->errbuf = xcalloc(1, CURL_ERROR_SIZE);
	f->cur_url = xstrdup(f->url);
	add_header(f, "Accept", ACCEPT_TYPES);	/* the same for all */
	if (f->is_file && (f->res.error = file_url_problem(f->url)) != NULL)
		return -1;
	curl_easy_setopt(e, CURLOPT_URL, f->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, f);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, f->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, f->hdrs);
	curl_easy_setopt(e, CURLOPT_USERAGENT, o->user_agent);
	/* the body as sent: the caller's worker inflates it, not the loop */
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, o->accept_encoding ?
	    o->accept_encoding : "");
	if (o->accept_encoding != NULL)
		curl_easy_setopt(e, CURLOPT_HTTP_CONTENT_DECODING, 0L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(e, CURLOPT_DNS_CACHE_TIMEOUT, DNS_CACHE_SECS);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR,
	    f->is_file ? "http,https,file" : "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)o->timeout);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT,
	    (long)(o->timeout < CONNECT_SECS ? o->timeout : CONNECT_SECS));
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, (long)LOW_SPEED_BYTES);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, low_time < 1 ? 1L : low_time);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, f);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, f);
	if (!f->is_file) {
		addr_guard_init(&f->guard, f->url, o->allow_private);
		addr_guard_attach(&f->guard, e);
	}
	return 0;
}

void
fetch_redo_decoded(struct fetch *f)
{
	const struct fetch_opts *o = fetcher_opts(f->fr);
	void	*arg = f->res.arg;
	int64_t	 spent_ms = (int64_t)((uv_hrtime() - f->started_ns) / 1000000);
	int64_t	 left_ms = o->timeout * 1000 - spent_ms;

	result_cleanup(&f->res);
	memset(&f->res, 0, sizeof(f->res));
	f->res.arg = arg;
	f->res.retry_after = f->res.hint = -1;
	buf_cleanup(&f->body);
	buf_init(&f->body, 0);
	f->body_started = f->accept = f->discard = f->too_big = 0;
	f->hop_status = 0;
	f->perm_chain = 1;
	free(f->cur_url);
	f->cur_url = xstrdup(f->url);
	f->errbuf[0] = '\0';
	f->redo_decoded = 0;
	f->curl_decodes = 1;
	/* "": every coding libcurl knows, which it undoes */
	curl_easy_setopt(f->easy, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(f->easy, CURLOPT_HTTP_CONTENT_DECODING, 1L);
	/* timeout bounds the fetch, both transfers */
	curl_easy_setopt(f->easy, CURLOPT_TIMEOUT_MS,
	    (long)(left_ms > 1000 ? left_ms : 1000));
}

/* ---- the result ---- */

static void
finish_error(struct fetch *f, enum fetch_outcome outcome, char *msg)
{
	f->res.outcome = outcome;
	free(f->res.error);
	f->res.error = msg;
	free(f->res.perm_redirect);
	f->res.perm_redirect = NULL;
}

static void
finish_transport(struct fetch *f, CURLcode code)
{
	const char *why = f->errbuf && f->errbuf[0] ? f->errbuf :
	    curl_easy_strerror(code);

	if (f->guard.refused != NULL) {
		finish_error(f, FETCH_OUTCOME_NETWORK_ERROR,
		    xstrdup(f->guard.refused));
		return;
	}
	f->res.net_down_suspect = code == CURLE_COULDNT_RESOLVE_HOST ||
	    code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_PROXY;
	if (code == CURLE_TOO_MANY_REDIRECTS)
		why = "too many redirects";
	else if (code == CURLE_BAD_CONTENT_ENCODING &&
	    strncmp(why, "Unrecognized content encoding", 29) == 0)
		;	/* a coding no one knows: libcurl names those it does */
	else if (code == CURLE_WRITE_ERROR || code == CURLE_BAD_CONTENT_ENCODING)
		/* on_body refused nothing (those cases end earlier): a
		 * decoder failed, and curl says "Failed writing received
		 * data to disk/application" for brotli */
		why = "body does not match its Content-Encoding";
	else if (code == CURLE_UNSUPPORTED_PROTOCOL && f->hop_status >= 300 &&
	    f->hop_status < 400)
		why = "redirect to a scheme other than http or https refused";
	else if (code == CURLE_OUT_OF_MEMORY && !f->body_started)
		/* libcurl 7.88 says only "Out of memory" when one header
		 * line passes its 100 KB (CURL_MAX_HTTP_HEADER) */
		why = "a response header line over 100 KB (or out of memory)";
	finish_error(f, FETCH_OUTCOME_NETWORK_ERROR, xstrdup(why));
}

static void
finish_body(struct fetch *f)
{
	struct fetch_result *r = &f->res;
	char *ct = NULL;

	/* no hop follows a 2xx: these are the body's own */
	curl_easy_getinfo(f->easy, CURLINFO_CONTENT_TYPE, &ct);
	r->outcome = FETCH_OUTCOME_OK;
	r->body_len = f->body.len;
	r->body = buf_detach(&f->body);
	r->charset = http_content_charset(ct);
}

void
fetch_finish(struct fetch *f, CURLcode code)
{
	struct fetch_result *r = &f->res;
	long status = 0;
	char *eff = NULL;

	curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(f->easy, CURLINFO_EFFECTIVE_URL, &eff);
	r->status = (int)status;
	r->got_response = status > 0;
	r->effective_url = xstrdup(eff ? eff : f->url);
	if (f->is_file && code == CURLE_OK)
		r->status = 200;
	if (f->too_big)
		finish_error(f, FETCH_OUTCOME_PARSE_ERROR,
		    xstrdup("body over max_size"));
	else if (code != CURLE_OK && !f->discard)
		finish_transport(f, code);
	else if (r->status == 304 && f->conditional)
		r->outcome = FETCH_OUTCOME_NOT_MODIFIED;
	else if (r->status == 304)	/* nothing it could be a copy of */
		finish_error(f, FETCH_OUTCOME_HTTP_ERROR, xstrdup("HTTP 304"
		    " to a request without If-None-Match or If-Modified-Since"));
	else if (r->status == 206)	/* half a feed read as a whole */
		finish_error(f, FETCH_OUTCOME_HTTP_ERROR, xstrdup("HTTP 206"
		    " (a part of the document) to a request for all of it"));
	else if (r->status >= 200 && r->status < 300)
		finish_body(f);
	else
		finish_error(f, FETCH_OUTCOME_HTTP_ERROR,
		    xasprintf("HTTP %d", r->status));
}

/* ---- helpers ---- */

int64_t
fetch_parse_retry_after(const char *value, int64_t now)
{
	char *end;
	long long secs;
	time_t t;

	while (*value == ' ')
		value++;
	if (isdigit((unsigned char)*value)) {
		secs = strtoll(value, &end, 10);
		if (*end != '\0' && !isspace((unsigned char)*end))
			return -1;
		return secs > RETRY_AFTER_MAX ? RETRY_AFTER_MAX : secs;
	}
	if ((t = curl_getdate(value, NULL)) <= 0)
		return -1;
	if (t <= now)
		return 0;
	return (int64_t)t - now > RETRY_AFTER_MAX ? RETRY_AFTER_MAX :
	    (int64_t)t - now;
}
