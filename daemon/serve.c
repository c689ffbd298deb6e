/*
 * serve: the optional read-only HTTP server on libmicrohttpd, in its
 * own internal thread so the event loop is not involved.  Serves the
 * output files (read fresh per request: they are replaced by rename),
 * /metrics and /healthz, with ETag/If-None-Match and gzip.  No HTTP is
 * parsed here; libmicrohttpd owns the protocol.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "daemon/serve.h"
#include "util/xmalloc.h"
#include "util/buf.h"
#include "util/hash.h"

#define SERVE_MAX_CONNECTIONS	64
#define SERVE_PER_IP		16
#define SERVE_TIMEOUT		30		/* seconds idle */
#define SERVE_MEMORY		(64 * 1024)	/* per connection */
#define SERVE_FILE_MAX		(64 * 1024 * 1024)

/* The files served, as the config in force names them. */
struct paths {
	char	*atom;
	char	*json;
	char	*alerts_dir;
};

struct server {
	struct MHD_Daemon *mhd;
	pthread_mutex_t	 lock;		/* paths: the loop swaps them on a
					 * reload while requests read them */
	struct paths	 paths;
	struct metrics	*metrics;
};

static void
paths_set(struct paths *p, const struct config *cfg)
{
	p->atom = xstrdup_or_null(cfg->atom_path);
	p->json = xstrdup_or_null(cfg->json_path);
	p->alerts_dir = xstrdup_or_null(cfg->alert_feeds_dir);
}

static void
paths_cleanup(struct paths *p)
{
	free(p->atom);
	free(p->json);
	free(p->alerts_dir);
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

/* The whole file, or NULL (errno set). */
static char *
read_file(const char *path, size_t *len)
{
	struct stat st;
	char	*data;
	size_t	 off = 0;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > SERVE_FILE_MAX) {
		close(fd);
		errno = ENOENT;
		return NULL;
	}
	data = xmalloc((size_t)st.st_size + 1);
	while (off < (size_t)st.st_size) {
		ssize_t r = read(fd, data + off, (size_t)st.st_size - off);

		if (r <= 0)
			break;
		off += (size_t)r;
	}
	close(fd);
	*len = off;
	return data;
}

/* Whether the client takes gzip (a "gzip" token not given q=0). */
static int
accepts_gzip(const char *ae)
{
	const char *p;

	for (p = ae; p != NULL && (p = strcasestr(p, "gzip")) != NULL; p += 4) {
		const char *q = p + 4;

		if ((p != ae && (isalnum((unsigned char)p[-1]) || p[-1] == '-')) ||
		    (isalnum((unsigned char)*q) || *q == '-'))
			continue;
		while (*q == ' ')
			q++;
		if (*q == ';') {
			const char *qv = strstr(q, "q=");

			if (qv != NULL && strtod(qv + 2, NULL) == 0)
				return 0;
		}
		return 1;
	}
	return 0;
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

static void
reply_file(struct reply *r, const char *path, const char *type)
{
	if (path == NULL || (r->body = read_file(path, &r->len)) == NULL) {
		reply_text(r, MHD_HTTP_NOT_FOUND, "not found\n");
		return;
	}
	r->status = MHD_HTTP_OK;
	r->type = type;
	r->cacheable = 1;
}

/* /alerts/NAME.xml, NAME as output_rule_filename makes it. */
static void
reply_alert_feed(struct server *srv, struct reply *r, const char *name)
{
	size_t	 n = strlen(name);
	char	*dir = path_copy(srv, offsetof(struct paths, alerts_dir));
	char	*path;

	if (dir == NULL || n < 5 || name[0] == '.' ||
	    strcmp(name + n - 4, ".xml") != 0 ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789._-") != n) {
		reply_text(r, MHD_HTTP_NOT_FOUND, "not found\n");
		free(dir);
		return;
	}
	path = xasprintf("%s/%s", dir, name);
	reply_file(r, path, "application/atom+xml");
	free(path);
	free(dir);
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

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct server *srv = cls;
	struct reply r = { 0 };
	char	*path;

	(void)version, (void)upload, (void)upload_size, (void)con_cls;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		reply_text(&r, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
	else if (strcmp(url, "/healthz") == 0)
		reply_text(&r, MHD_HTTP_OK, "ok\n");
	else if (strcmp(url, "/metrics") == 0)
		reply_metrics(srv, &r);
	else if (strcmp(url, "/feed.xml") == 0) {
		path = path_copy(srv, offsetof(struct paths, atom));
		reply_file(&r, path, "application/atom+xml");
		free(path);
	} else if (strcmp(url, "/feed.json") == 0) {
		path = path_copy(srv, offsetof(struct paths, json));
		reply_file(&r, path, "application/feed+json");
		free(path);
	} else if (strncmp(url, "/alerts/", 8) == 0)
		reply_alert_feed(srv, &r, url + 8);
	else
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
	unsigned int flags = MHD_USE_AUTO_INTERNAL_THREAD;

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
	paths_set(&srv->paths, cfg);
	srv->metrics = m;
	srv->mhd = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL,
	    on_request, srv,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)SERVE_MAX_CONNECTIONS,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)SERVE_PER_IP,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)SERVE_TIMEOUT,
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
	paths_cleanup(&srv->paths);
	pthread_mutex_destroy(&srv->lock);
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
