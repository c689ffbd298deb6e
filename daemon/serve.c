/*
 * serve: the optional read-only HTTP server on libmicrohttpd, in its
 * own internal thread so the event loop is not involved.  Serves the
 * output files, /metrics and /healthz, with ETag/If-None-Match (and
 * Last-Modified/If-Modified-Since for the files), gzip
 * and keep-alive.  Each file version (the daemon replaces them by
 * rename, so a new inode) is read, gzipped and hashed once, on the
 * first request that sees it; every later request only stat()s it and
 * queues the prepared response.  Files over SERVE_CACHE_MAX go out
 * from their descriptor unprepared (no gzip), never as 404.
 * Hostile clients: poll mode (libmicrohttpd's epoll mode stalls at its
 * connection limit), a total and a per-address connection limit, an
 * idle timeout and a per-connection memory cap.  No HTTP is parsed
 * here; libmicrohttpd owns the protocol.
 */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>
#include <zlib.h>

#include "daemon/serve.h"
#include "daemon/timing.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/hex.h"
#include "util/xmalloc.h"
#include "util/buf.h"
#include "util/hash.h"

#define SERVE_MAX_CONNECTIONS	512
#define SERVE_PER_IP		64	/* a load balancer or wrk -c64 */
#define SERVE_MEMORY		(32 * 1024)	/* per connection */
#define SERVE_CACHE_MAX		(16 * 1024 * 1024)	/* prepared in memory */
#define SERVE_CACHE_FILES	64	/* feed.xml, feed.json, alert feeds */
/* The loop beats every 10 s at most (feedd.c); a render of 100,000
 * entries holds it about a second. */
#define SERVE_LOOP_STALLED_MS	60000
/* A request head still coming in after this many idle timeouts is
 * cut: a client sending a byte now and then is never idle. */
#define SERVE_HEAD_IDLES	3

/* One file version, prepared: responses are shared by every request. */
struct prepared {
	char	*path;
	dev_t	 dev;
	ino_t	 ino;
	off_t	 size;
	struct timespec mtime;
	char	 etag[48], etag_gz[48];
	char	 last_modified[32];	/* mtime as an HTTP-date */
	struct MHD_Response *plain, *gz, *nm, *nm_gz;	/* gz: NULL if none */
};

/* The files served, as the config in force names them. */
struct paths {
	char	*atom;
	char	*json;
	char	*alerts_dir;
	char	**rule_files;	/* the NAME.xml the rules' feeds are */
	size_t	 nrules;
};

/* A connection, watched for a request head that never ends. */
struct conn_watch {
	int	 fd;
	int64_t	 head_since;	/* monotonic ms a head began; 0: none */
	struct conn_watch *prev, *next;
};

struct server {
	struct MHD_Daemon *mhd;
	pthread_mutex_t	 watch_lock;	/* watches: MHD's thread and the
					 * loop's server_reap */
	struct conn_watch *watches;
	int64_t		 head_ms;	/* longest a head may take */
	pthread_mutex_t	 lock;		/* paths: the loop swaps them on a
					 * reload while requests read them */
	struct paths	 paths;
	struct metrics	*metrics;
	pthread_mutex_t	 cache_lock;	/* the prepared files */
	struct prepared	 cache[SERVE_CACHE_FILES];
	size_t		 ncache;
};

static void
paths_set(struct paths *p, const struct config *cfg)
{
	p->atom = xstrdup_or_null(cfg->atom_path);
	p->json = xstrdup_or_null(cfg->json_path);
	p->alerts_dir = xstrdup_or_null(cfg->alert_feeds_dir);
	p->rule_files = xreallocarray(NULL, cfg->nrules + 1,
	    sizeof(*p->rule_files));
	p->nrules = cfg->nrules;
	for (size_t i = 0; i < cfg->nrules; i++)
		p->rule_files[i] = xstrdup(cfg->rules[i].feed_file);
}

static void
paths_cleanup(struct paths *p)
{
	free(p->atom);
	free(p->json);
	free(p->alerts_dir);
	strv_free(p->rule_files, p->nrules);
}

/* A copy of one of srv's paths (NULL when unset), for this request. */
static char *
path_copy(struct server *srv, size_t off)
{
	char	*p;

	pthread_mutex_lock(&srv->lock);
	p = xstrdup_or_null(*(char **)((char *)&srv->paths + off));
	pthread_mutex_unlock(&srv->lock);
	return p;
}

/* A body about to be sent. */
struct reply {
	unsigned int status;
	const char *type;
	char	*body;
	size_t	 len;
	int	 cacheable;	/* ETag and gzip apply */
};

/* The whole file (st.st_size bytes), or NULL. */
static char *
read_file(int fd, size_t size, size_t *len)
{
	char	*data = xmalloc(size + 1);
	size_t	 off = 0;

	while (off < size) {
		ssize_t r = read(fd, data + off, size - off);

		if (r <= 0)
			break;
		off += (size_t)r;
	}
	*len = off;
	return data;
}

/* Whether the client takes gzip: "gzip" (or "*") not given q=0. */
static int
accepts_gzip(const char *ae)
{
	double	 gzip = -1, star = -1;

	/* RFC 9110 12.5.3: "coding;q=x" items; gzip by name, else "*" */
	while (*ae != '\0') {
		size_t	 n = strcspn(ae, ",;"), len = n;
		const char *name = ae, *end;
		double	 q = 1;

		while (len > 0 && (*name == ' ' || *name == '\t'))
			name++, len--;
		while (len > 0 && (name[len - 1] == ' ' || name[len - 1] == '\t'))
			len--;
		ae += n;
		if (*ae == ';') {
			end = ae + strcspn(ae, ",");
			for (const char *p = ae; p < end; p++)
				if ((p[0] == 'q' || p[0] == 'Q') && p[1] == '=')
					q = strtod(p + 2, NULL);
			ae = end;
		}
		if ((len == 4 && strncasecmp(name, "gzip", 4) == 0) ||
		    (len == 6 && strncasecmp(name, "x-gzip", 6) == 0))
			gzip = q;
		else if (len == 1 && *name == '*')
			star = q;
		if (*ae == ',')
			ae++;
	}
	return gzip >= 0 ? gzip > 0 : star > 0;
}

/* gzip of data; NULL on failure. */
static char *
gzip_body(const char *data, size_t len, size_t *outlen)
{
	z_stream z;
	char	*out;
	size_t	 cap;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	cap = deflateBound(&z, len) + 64;
	out = xmalloc(cap);
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		free(out);
		return NULL;
	}
	*outlen = z.total_out;
	deflateEnd(&z);
	return out;
}

/* Whether If-None-Match names etag (or is "*"). */
static int
etag_matches(const char *inm, const char *etag)
{
	if (inm == NULL)
		return 0;
	return strstr(inm, etag) != NULL || strcmp(inm, "*") == 0;
}

/* t as an HTTP-date (RFC 9110 5.6.7); LC_TIME is never set: "C". */
static void
http_date(char *out, size_t n, time_t t)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, n, "%a, %d %b %Y %H:%M:%S GMT", &tm) == 0)
		*out = '\0';
}

/*
 * Whether If-Match (strong: a W/ tag never matches), else
 * If-Unmodified-Since, says the client's version is not this one (RFC
 * 9110 13.1.1, 13.1.4, 13.2.2): 412, where a 200 was sent.
 */
static int
precondition_failed(struct MHD_Connection *c, const char *etag,
    time_t mtime)
{
	const char *im = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_IF_MATCH), *ius, *at;
	time_t	 since;

	if (im != NULL) {
		if (strcmp(im, "*") == 0)
			return 0;
		for (at = im; (at = strstr(at, etag)) != NULL; at++)
			if (at < im + 2 || at[-1] != '/')
				return 0;
		return 1;
	}
	ius = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_IF_UNMODIFIED_SINCE);
	if (ius == NULL || (since = curl_getdate(ius, NULL)) == -1)
		return 0;
	return mtime > since;
}

static enum MHD_Result
queue_412(struct MHD_Connection *c)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL,
	    MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (r == NULL)
		return MHD_NO;
	ret = MHD_queue_response(c, MHD_HTTP_PRECONDITION_FAILED, r);
	MHD_destroy_response(r);
	return ret;
}

/*
 * Whether the request's validators say the client has this version:
 * If-None-Match when sent, else If-Modified-Since against the file's
 * mtime (RFC 9110 13.2.2), for readers that send only the date.
 */
static int
not_modified(struct MHD_Connection *c, const char *etag, time_t mtime)
{
	const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_IF_NONE_MATCH);
	const char *ims;
	time_t	 since;

	if (inm != NULL)
		return etag_matches(inm, etag);
	ims = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
	if (ims == NULL || (since = curl_getdate(ims, NULL)) == -1)
		return 0;
	return mtime <= since;
}

/*
 * Every answer: a browser that opens a feed is to take it as the type
 * it says and run nothing in it.  Nothing the outputs hold is live
 * (the sanitizer sees to that); these hold should that ever fail.
 */
static void
add_safety_headers(struct MHD_Response *r)
{
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Content-Security-Policy",
	    "default-src 'none'; sandbox");
}

static enum MHD_Result
send_reply(struct MHD_Connection *c, struct reply *r)
{
	struct MHD_Response *resp;
	const char *inm, *ae;
	char	 etag[48];
	int	 gz = 0;
	enum MHD_Result ret;

	if (r->cacheable) {
		ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_ACCEPT_ENCODING);
		gz = ae != NULL && accepts_gzip(ae);
		snprintf(etag, sizeof(etag), "\"%016llx%s\"",
		    (unsigned long long)hash_add(HASH_INIT, r->body, r->len),
		    gz ? "-gz" : "");
		inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_IF_NONE_MATCH);
		if (etag_matches(inm, etag)) {
			r->status = MHD_HTTP_NOT_MODIFIED;
			r->len = 0;
		} else if (gz) {
			size_t zlen;
			char *z = gzip_body(r->body, r->len, &zlen);

			if (z == NULL)
				gz = 0;
			else {
				free(r->body);
				r->body = z;
				r->len = zlen;
			}
		}
	}
	resp = MHD_create_response_from_buffer(r->len, r->body,
	    MHD_RESPMEM_MUST_FREE);
	r->body = NULL;
	if (resp == NULL)
		return MHD_NO;
	add_safety_headers(resp);
	if (r->status != MHD_HTTP_NOT_MODIFIED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		    r->type);
	if (r->cacheable) {
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY,
		    MHD_HTTP_HEADER_ACCEPT_ENCODING);
		if (gz && r->status == MHD_HTTP_OK)
			MHD_add_response_header(resp,
			    MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	}
	if (r->status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void
reply_text(struct reply *r, unsigned int status, const char *text)
{
	r->status = status;
	r->type = "text/plain; charset=utf-8";
	r->body = xstrdup(text);
	r->len = strlen(text);
	r->cacheable = 0;
}

/* ---- files, prepared once per version ---- */

static void
prepared_clear(struct prepared *p)
{
	struct MHD_Response **rs[] = { &p->plain, &p->gz, &p->nm, &p->nm_gz };

	/* MHD counts references: a response still being sent lives on. */
	for (size_t i = 0; i < sizeof(rs) / sizeof(rs[0]); i++)
		if (*rs[i] != NULL) {
			MHD_destroy_response(*rs[i]);
			*rs[i] = NULL;
		}
	free(p->path);
	p->path = NULL;
}

/*
 * A file's Last-Modified, or "" while the second it was written in goes
 * on: a second version written in the same second would have the same
 * date, and If-Modified-Since would keep a reader on the first.  Once
 * the second is over no version can share it.
 */
static void
lm_date(char *buf, size_t len, const struct stat *st)
{
	if (time(NULL) <= st->st_mtim.tv_sec)
		buf[0] = '\0';
	else
		http_date(buf, len, st->st_mtim.tv_sec);
}

/* The prepared version is the file's, with its date once it may have
 * one (lm_date). */
static int
same_version(const struct prepared *p, const struct stat *st)
{
	return p->dev == st->st_dev && p->ino == st->st_ino &&
	    p->size == st->st_size &&
	    p->mtime.tv_sec == st->st_mtim.tv_sec &&
	    p->mtime.tv_nsec == st->st_mtim.tv_nsec &&
	    (p->last_modified[0] != '\0' || time(NULL) <= st->st_mtim.tv_sec);
}

static void
add_cache_headers(struct MHD_Response *r, const char *etag,
    const char *last_modified, const char *type, int gz)
{
	add_safety_headers(r);
	MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
	if (*last_modified != '\0')
		MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED,
		    last_modified);
	MHD_add_response_header(r, MHD_HTTP_HEADER_VARY,
	    MHD_HTTP_HEADER_ACCEPT_ENCODING);
	if (type != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (gz && type != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING,
		    "gzip");
}

/* The four responses of one file version (body read from fd). */
static int
prepare(struct prepared *p, const char *path, int fd, const struct stat *st,
    const char *type)
{
	size_t len, zlen;
	char *body = read_file(fd, (size_t)st->st_size, &len), *z;
	uint64_t h = hash_add(HASH_INIT, body, len);

	memset(p, 0, sizeof(*p));
	p->dev = st->st_dev;
	p->ino = st->st_ino;
	p->size = st->st_size;
	p->mtime = st->st_mtim;
	snprintf(p->etag, sizeof(p->etag), "\"%016llx\"", (unsigned long long)h);
	snprintf(p->etag_gz, sizeof(p->etag_gz), "\"%016llx-gz\"",
	    (unsigned long long)h);
	lm_date(p->last_modified, sizeof(p->last_modified), st);
	if ((z = gzip_body(body, len, &zlen)) != NULL &&
	    (p->gz = MHD_create_response_from_buffer_with_free_callback(zlen,
	    z, free)) == NULL)
		free(z);
	p->plain = MHD_create_response_from_buffer_with_free_callback(len,
	    body, free);
	if (p->plain == NULL)
		free(body);
	p->nm = MHD_create_response_from_buffer(0, NULL,
	    MHD_RESPMEM_PERSISTENT);
	p->nm_gz = MHD_create_response_from_buffer(0, NULL,
	    MHD_RESPMEM_PERSISTENT);
	if (p->plain == NULL || p->nm == NULL || p->nm_gz == NULL) {
		prepared_clear(p);
		return -1;
	}
	add_cache_headers(p->plain, p->etag, p->last_modified, type, 0);
	add_cache_headers(p->nm, p->etag, p->last_modified, NULL, 0);
	add_cache_headers(p->nm_gz, p->etag_gz, p->last_modified, NULL, 1);
	if (p->gz != NULL)
		add_cache_headers(p->gz, p->etag_gz, p->last_modified, type,
		    1);
	p->path = xstrdup(path);
	return 0;
}

/* The cache slot of path: its own, a free one, or NULL when full. */
static struct prepared *
cache_slot(struct server *srv, const char *path)
{
	for (size_t i = 0; i < srv->ncache; i++)
		if (srv->cache[i].path && strcmp(srv->cache[i].path, path) == 0)
			return &srv->cache[i];
	for (size_t i = 0; i < srv->ncache; i++)
		if (srv->cache[i].path == NULL)
			return &srv->cache[i];
	if (srv->ncache < SERVE_CACHE_FILES)
		return &srv->cache[srv->ncache++];
	return NULL;
}

static enum MHD_Result
queue_prepared(struct MHD_Connection *c, const struct prepared *p)
{
	const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_ACCEPT_ENCODING);
	int gz = p->gz != NULL && ae != NULL && accepts_gzip(ae);

	if (precondition_failed(c, gz ? p->etag_gz : p->etag, p->mtime.tv_sec))
		return queue_412(c);
	if (not_modified(c, gz ? p->etag_gz : p->etag, p->mtime.tv_sec))
		return MHD_queue_response(c, MHD_HTTP_NOT_MODIFIED,
		    gz ? p->nm_gz : p->nm);
	return MHD_queue_response(c, MHD_HTTP_OK, gz ? p->gz : p->plain);
}

/* Over SERVE_CACHE_MAX: from the descriptor (sendfile), validated by stat. */
static enum MHD_Result
queue_big(struct MHD_Connection *c, int fd, const struct stat *st,
    const char *type)
{
	struct MHD_Response *r;
	char etag[64], last_modified[32];
	enum MHD_Result ret;
	int nm;

	snprintf(etag, sizeof(etag), "\"%llx-%llx-%llx\"",
	    (unsigned long long)st->st_ino, (unsigned long long)st->st_size,
	    (unsigned long long)st->st_mtim.tv_sec * 1000000000ULL +
	    (unsigned long long)st->st_mtim.tv_nsec);
	lm_date(last_modified, sizeof(last_modified), st);
	if (precondition_failed(c, etag, st->st_mtim.tv_sec)) {
		close(fd);
		return queue_412(c);
	}
	nm = not_modified(c, etag, st->st_mtim.tv_sec);
	if (nm) {
		close(fd);
		r = MHD_create_response_from_buffer(0, NULL,
		    MHD_RESPMEM_PERSISTENT);
	} else
		r = MHD_create_response_from_fd((size_t)st->st_size, fd);
	if (r == NULL) {
		if (!nm)
			close(fd);
		return MHD_NO;
	}
	add_cache_headers(r, etag, last_modified, nm ? NULL : type, 0);
	ret = MHD_queue_response(c, nm ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* The queued response, or -1 when path is no regular file (404). */
static int
serve_file(struct server *srv, struct MHD_Connection *c, const char *path,
    const char *type)
{
	struct prepared *p, tmp;
	struct stat st;
	int ret, fd;

	/* another user's link in a shared folder (alerts/apple.xml ->
	 * /etc/shadow) would be served with the daemon's rights */
	if (path == NULL || fs_foreign_link(path) || stat(path, &st) == -1 ||
	    !S_ISREG(st.st_mode))
		return -1;	/* not found: the caller's 404 */
	pthread_mutex_lock(&srv->cache_lock);
	p = cache_slot(srv, path);
	if (p != NULL && p->path != NULL && same_version(p, &st)) {
		ret = queue_prepared(c, p);
		pthread_mutex_unlock(&srv->cache_lock);
		return ret;
	}
	/* a new version: open it once, judge it by its own fstat (not
	 * blocking: a FIFO put there since the stat would hold the lock) */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		if (fd != -1)
			close(fd);
		pthread_mutex_unlock(&srv->cache_lock);
		return -1;
	}
	if (st.st_size > SERVE_CACHE_MAX) {
		pthread_mutex_unlock(&srv->cache_lock);
		return queue_big(c, fd, &st, type);
	}
	if (p == NULL)
		p = &tmp;		/* cache full: prepared for this request */
	else if (p->path != NULL)
		prepared_clear(p);
	if (prepare(p, path, fd, &st, type) == -1) {
		close(fd);
		pthread_mutex_unlock(&srv->cache_lock);
		return MHD_NO;
	}
	close(fd);
	ret = queue_prepared(c, p);
	if (p == &tmp)
		prepared_clear(p);
	pthread_mutex_unlock(&srv->cache_lock);
	return ret;
}

/* The file of /alerts/NAME.xml (NAME as config_rule_filename makes it). */
static char *
alert_feed_path(struct server *srv, const char *name)
{
	size_t	 n = strlen(name);
	char	*dir, *path;

	if (n < 5 || name[0] == '.' || strcmp(name + n - 4, ".xml") != 0 ||
	    strchr(name, '/') != NULL)
		return NULL;
	/* a rule's feed, not any file in a folder others may write to,
	 * nor the feed of a rule a reload removed */
	path = dir = NULL;
	pthread_mutex_lock(&srv->lock);
	for (size_t i = 0; i < srv->paths.nrules && dir == NULL; i++)
		if (strcmp(srv->paths.rule_files[i], name) == 0)
			dir = xstrdup_or_null(srv->paths.alerts_dir);
	pthread_mutex_unlock(&srv->lock);
	if (dir != NULL)
		path = xasprintf("%s/%s", dir, name);
	free(dir);
	return path;
}

/* ok, unless the daemon's loop has not run for SERVE_LOOP_STALLED_MS */
static void
reply_health(struct server *srv, struct reply *r)
{
	struct metrics_health h;
	char	 text[80];

	metrics_health(srv->metrics, (int64_t)(uv_hrtime() / 1000000), &h);
	if (h.silence_ms < SERVE_LOOP_STALLED_MS) {
		if (h.database_damaged)
			reply_text(r, MHD_HTTP_SERVICE_UNAVAILABLE, "damaged: the "
			    "database file is damaged (stop feedd, run `feedd "
			    "repair`, start it again)\n");
		else
			reply_text(r, MHD_HTTP_OK, "ok\n");
		return;
	}
	snprintf(text, sizeof(text), "stalled: the event loop has not run "
	    "for %lld s\n", (long long)(h.silence_ms / 1000));
	reply_text(r, MHD_HTTP_SERVICE_UNAVAILABLE, text);
}

static void
reply_metrics(struct server *srv, struct reply *r)
{
	struct buf b;

	buf_init(&b, 0);
	metrics_render(srv->metrics, &b);
	r->status = MHD_HTTP_OK;
	r->type = "text/plain; version=0.0.4; charset=utf-8";
	r->len = b.len;
	r->body = buf_detach(&b);
	r->cacheable = 1;
}

/*
 * The request target decoded in place, but for "%00": decoded, it cut
 * the path short ("/feed.xml%00.txt" was /feed.xml), so it stays as
 * written and names no file.  Returns the new length.
 */
static size_t
unescape_target(void *cls, struct MHD_Connection *c, char *uri)
{
	char	*w = uri;
	int	 hi, lo;

	(void)cls, (void)c;
	for (const char *r = uri; *r != '\0';) {
		if (r[0] == '%' && (hi = hex_digit(r[1])) >= 0 &&
		    (lo = hex_digit(r[2])) >= 0 && (hi | lo) != 0) {
			*w++ = (char)(hi << 4 | lo);
			r += 3;
		} else
			*w++ = *r++;
	}
	*w = '\0';
	return (size_t)(w - uri);
}

/* An absolute-form target ("http://host/feed.xml", RFC 9112 3.2.2) as
 * its path. */
static const char *
target_path(const char *url)
{
	const char *p;

	if (strncasecmp(url, "http://", 7) != 0 &&
	    strncasecmp(url, "https://", 8) != 0)
		return url;
	p = strchr(url + 7 + (url[4] == 's' || url[4] == 'S'), '/');
	return p != NULL ? p : "/";
}

struct host_count {
	int	 n;
	int	 bad;
};

static enum MHD_Result
count_host(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct host_count *h = cls;

	(void)kind;
	if (strcasecmp(key, MHD_HTTP_HEADER_HOST) != 0)
		return MHD_YES;
	h->n++;
	/* uri-host [":" port] (RFC 3986): no blank, slash, '@', '?' */
	if (value == NULL || *value == '\0' || strspn(value,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	    ".-_~!$&'()*+,;=%:[]") != strlen(value))
		h->bad = 1;
	return MHD_YES;
}

/*
 * RFC 9112 3.2: an HTTP/1.1 request without a Host, with two, or with
 * one that is no host is answered 400 (a cache in front could take such
 * a request for another resource).
 */
static int
bad_host(struct MHD_Connection *c, const char *version)
{
	struct host_count h = { 0, 0 };

	MHD_get_connection_values(c, MHD_HEADER_KIND, count_host, &h);
	return h.n > 1 || h.bad ||
	    (h.n == 0 && strcmp(version, MHD_HTTP_VERSION_1_1) == 0);
}

static struct conn_watch *
watch_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
	    MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}

/* A head is in (head_since 0) or a response was sent (the next head's
 * clock starts). */
static void
watch_mark(struct server *srv, struct MHD_Connection *c, int64_t since)
{
	struct conn_watch *w = watch_of(c);

	if (w == NULL)
		return;
	pthread_mutex_lock(&srv->watch_lock);
	w->head_since = since;
	pthread_mutex_unlock(&srv->watch_lock);
}

static void
on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	struct server *srv = cls;
	struct conn_watch *w = *socket_context;
	const union MHD_ConnectionInfo *ci;

	pthread_mutex_lock(&srv->watch_lock);
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(c,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		w = xcalloc(1, sizeof(*w));
		w->fd = ci != NULL ? ci->connect_fd : -1;
		w->head_since = clock_monotonic_ms();
		if ((w->next = srv->watches) != NULL)
			w->next->prev = w;
		srv->watches = w;
		*socket_context = w;
	} else if (w != NULL) {
		/* before libmicrohttpd closes the fd: server_reap never
		 * shuts down a number reused by the next connection */
		if (w->prev != NULL)
			w->prev->next = w->next;
		else
			srv->watches = w->next;
		if (w->next != NULL)
			w->next->prev = w->prev;
		free(w);
		*socket_context = NULL;
	}
	pthread_mutex_unlock(&srv->watch_lock);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	(void)con_cls, (void)toe;
	watch_mark(cls, c, clock_monotonic_ms());
}

void
server_reap(struct server *srv)
{
	int64_t now = clock_monotonic_ms();

	if (srv == NULL)
		return;
	pthread_mutex_lock(&srv->watch_lock);
	for (struct conn_watch *w = srv->watches; w != NULL; w = w->next)
		if (w->head_since != 0 && now - w->head_since > srv->head_ms &&
		    w->fd != -1) {
			/* libmicrohttpd reads the end and closes it */
			(void)shutdown(w->fd, SHUT_RDWR);
			w->head_since = 0;
		}
	pthread_mutex_unlock(&srv->watch_lock);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct server *srv = cls;
	struct reply r = { 0 };
	char *path = NULL;
	int ret = -1;

	(void)upload;
	url = target_path(url);
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		/* at once: the body is not read, the connection closes */
		reply_text(&r, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
		return send_reply(c, &r);
	}
	/*
	 * The first call comes before libmicrohttpd knows the request has
	 * no body: a response queued then makes it discard the rest and
	 * close ("Connection: close" on every answer).  Answer on the next.
	 */
	if (*con_cls == NULL) {
		*con_cls = srv;
		watch_mark(srv, c, 0);		/* its head is in */
		if (bad_host(c, version)) {
			reply_text(&r, MHD_HTTP_BAD_REQUEST, "bad Host\n");
			return send_reply(c, &r);
		}
		return MHD_YES;
	}
	/* a GET's body means nothing (RFC 9110 9.3.1): read and dropped,
	 * where answering before it was read lost the connection */
	if (*upload_size > 0) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(url, "/healthz") == 0) {
		reply_health(srv, &r);
		return send_reply(c, &r);
	}
	if (strcmp(url, "/metrics") == 0) {
		reply_metrics(srv, &r);
		return send_reply(c, &r);
	}
	if (strcmp(url, "/feed.xml") == 0) {
		path = path_copy(srv, offsetof(struct paths, atom));
		ret = serve_file(srv, c, path, "application/atom+xml");
	} else if (strcmp(url, "/feed.json") == 0) {
		path = path_copy(srv, offsetof(struct paths, json));
		ret = serve_file(srv, c, path, "application/feed+json");
	} else if (strncmp(url, "/alerts/", 8) == 0 &&
	    (path = alert_feed_path(srv, url + 8)) != NULL)
		ret = serve_file(srv, c, path, "application/atom+xml");
	free(path);
	if (ret != -1)
		return (enum MHD_Result)ret;
	reply_text(&r, MHD_HTTP_NOT_FOUND, "not found\n");
	return send_reply(c, &r);
}

/* The address to bind, resolved without DNS for numeric hosts. */
static int
resolve(const char *host, int port, struct sockaddr_storage *ss,
    char **errstr)
{
	struct addrinfo hints = { 0 }, *res;
	char	 sport[16];
	int	 rc;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(sport, sizeof(sport), "%d", port);
	if ((rc = getaddrinfo(host, sport, &hints, &res)) != 0) {
		*errstr = xstrdup(gai_strerror(rc));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
}

struct server *
server_start(const struct config *cfg, struct metrics *m, char **errstr)
{
	struct sockaddr_storage ss = { 0 };
	struct server *srv;
	char	*host;
	int	 port;
	unsigned int flags = MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ITC;
	struct timing timing;

	if (cfg->listen == NULL ||
	    config_parse_listen(cfg->listen, &host, &port) == -1) {
		*errstr = xstrdup("not HOST:PORT");
		return NULL;
	}
	if (resolve(host, port, &ss, errstr) == -1) {
		free(host);
		return NULL;
	}
	free(host);
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	srv = xcalloc(1, sizeof(*srv));
	pthread_mutex_init(&srv->lock, NULL);
	pthread_mutex_init(&srv->cache_lock, NULL);
	pthread_mutex_init(&srv->watch_lock, NULL);
	paths_set(&srv->paths, cfg);
	srv->metrics = m;
	timing_load(&timing);
	srv->head_ms = (int64_t)timing.serve_idle_secs * 1000 *
	    SERVE_HEAD_IDLES;
	srv->mhd = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL,
	    on_request, srv,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
	    MHD_OPTION_UNESCAPE_CALLBACK, unescape_target, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)SERVE_MAX_CONNECTIONS,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)SERVE_PER_IP,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)timing.serve_idle_secs,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SERVE_MEMORY,
	    MHD_OPTION_END);
	if (srv->mhd == NULL) {
		*errstr = xstrdup("cannot start the HTTP server "
		    "(address in use?)");
		server_stop(srv);
		return NULL;
	}
	return srv;
}

void
server_stop(struct server *srv)
{
	if (srv == NULL)
		return;
	if (srv->mhd != NULL)
		MHD_stop_daemon(srv->mhd);
	for (size_t i = 0; i < srv->ncache; i++)
		if (srv->cache[i].path != NULL)
			prepared_clear(&srv->cache[i]);
	paths_cleanup(&srv->paths);
	pthread_mutex_destroy(&srv->cache_lock);
	pthread_mutex_destroy(&srv->lock);
	pthread_mutex_destroy(&srv->watch_lock);
	free(srv);
}

void
server_follow(struct server *srv, const struct config *cfg)
{
	struct paths old;

	if (srv == NULL)
		return;
	pthread_mutex_lock(&srv->lock);
	old = srv->paths;
	paths_set(&srv->paths, cfg);
	pthread_mutex_unlock(&srv->lock);
	paths_cleanup(&old);
}

int
server_port(const struct server *srv)
{
	const union MHD_DaemonInfo *info;

	if (srv == NULL || srv->mhd == NULL)
		return -1;
	info = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_BIND_PORT);
	return info != NULL ? (int)info->port : -1;
}
