/*
 * testsrv: the HTTP/1.1 fixture server of the integration tests.
 * `testsrv DIR [LOG]` listens on 127.0.0.1 (port printed on stdout's
 * first line), serves files from DIR shaped by query parameters, logs
 * each request (with its conditional headers and the number of its
 * connection) to LOG, and runs until killed or until its standard input
 * (when a pipe) closes.  One thread per connection, blocking I/O: a
 * test tool, not a server.
 *
 * Parameters: status=N etag=E lastmod=UNIXSECS delay_ms=N drip=1 gzip=1
 * redirect=URL loop=1 retry_after=V truncate=N bytes=N type=T cache=N
 * hang=1 bomb=MB (gzip of MB megabytes of zeros, made on the fly)
 * ce=NAME (a Content-Encoding header, the body left as it is)
 * deflate=zlib|raw (Content-Encoding: deflate, as a zlib stream or, as
 * some servers send it, raw)
 * gzbody=1 (the body gzipped with no Content-Encoding: gzip in the body)
 * zstd=1 (Content-Encoding: zstd, whatever the request accepts, as some
 * servers do: a zstd frame of raw blocks, which any decoder reads)
 * slow_body_ms=N (the body in ten pieces over N ms)
 * close_ms=N (after the answer, wait N ms and close without reading:
 * a next request already sent on the connection gets a reset).
 * Without type=, the Content-Type follows the file name: .html is
 * text/html, .json application/feed+json, .atom application/atom+xml,
 * anything else application/rss+xml; a path ending in "/" serves its
 * index.html (web pages for `feedd add`'s discovery).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "util/xmalloc.h"
#include "util/buf.h"
#include "tests/zip_helper.h"

#define MAX_HEAD	16384
#define MAX_PARAMS	24

struct srv {
	const char	*dir;
	int		 logfd;
};

struct req {
	char	 method[16];
	char	 target[2048];
	char	 path[1024];
	char	*inm, *ims, *ua, *ae;
	char	*pk[MAX_PARAMS], *pv[MAX_PARAMS];
	int	 np;
};

struct conn {
	struct srv *srv;
	int	 fd;
	unsigned int id;	/* in the log: which requests shared one */
};

int main(int, char **);

static const char *
param(const struct req *r, const char *name)
{
	for (int i = 0; i < r->np; i++)
		if (strcmp(r->pk[i], name) == 0)
			return r->pv[i];
	return NULL;
}

static long long
param_num(const struct req *r, const char *name, long long dflt)
{
	const char *v = param(r, name);

	return v ? atoll(v) : dflt;
}

static char *
url_decode(const char *s, size_t len)
{
	char *out = xmalloc(len + 1), *o = out;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len && isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			char hex[3] = { s[i + 1], s[i + 2], 0 };

			*o++ = (char)strtol(hex, NULL, 16);
			i += 2;
		} else
			*o++ = s[i] == '+' ? ' ' : s[i];
	}
	*o = '\0';
	return out;
}

static void
parse_query(struct req *r, const char *q)
{
	while (*q && r->np < MAX_PARAMS) {
		size_t len = strcspn(q, "&");
		const char *eq = memchr(q, '=', len);

		if (eq) {
			r->pk[r->np] = url_decode(q, (size_t)(eq - q));
			r->pv[r->np++] = url_decode(eq + 1, len - (size_t)(eq - q) - 1);
		}
		q += len;
		if (*q == '&')
			q++;
	}
}

static char *
header_value(const char *head, const char *name)
{
	size_t nlen = strlen(name);

	for (const char *l = strstr(head, "\r\n"); l; l = strstr(l + 2, "\r\n")) {
		const char *p = l + 2;

		if (strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
			p += nlen + 1;
			while (*p == ' ')
				p++;
			return xstrndup(p, strcspn(p, "\r\n"));
		}
	}
	return NULL;
}

static void
req_cleanup(struct req *r)
{
	free(r->inm);
	free(r->ims);
	free(r->ua);
	free(r->ae);
	for (int i = 0; i < r->np; i++) {
		free(r->pk[i]);
		free(r->pv[i]);
	}
	memset(r, 0, sizeof(*r));
}

static int
req_parse(struct req *r, const char *head)
{
	char *q;

	memset(r, 0, sizeof(*r));
	if (sscanf(head, "%15s %2047s", r->method, r->target) != 2)
		return -1;
	snprintf(r->path, sizeof(r->path), "%.*s%s",
	    (int)strcspn(r->target, "?"), r->target,
	    r->target[strcspn(r->target, "?") - 1] == '/' ? "index.html" : "");
	if ((q = strchr(r->target, '?')) != NULL)
		parse_query(r, q + 1);
	r->inm = header_value(head, "If-None-Match");
	r->ims = header_value(head, "If-Modified-Since");
	r->ua = header_value(head, "User-Agent");
	r->ae = header_value(head, "Accept-Encoding");
	return 0;
}

static void
log_request(struct srv *s, const struct req *r, unsigned int conn)
{
	char *line;

	if (s->logfd < 0)
		return;
	line = xasprintf("%s %s inm=%s ims=%s ua=%s ae=%s conn=%u\n",
	    r->method, r->target, r->inm ? r->inm : "-",
	    r->ims ? r->ims : "-", r->ua ? r->ua : "-", r->ae ? r->ae : "-",
	    conn);
	if (write(s->logfd, line, strlen(line)) < 0)
		perror("testsrv: log");
	free(line);
}

static int
send_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void
http_date(time_t t, char *out, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, len, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static int
gzip_buf(const char *in, size_t len, struct buf *out)
{
	return th_zip(in, len, 15 + 16, out);
}

/* Streams gzip of mb megabytes of zeros; stops when the client goes. */
static void
send_bomb(int fd, long long mb)
{
	static const unsigned char zeros[65536];
	unsigned char out[65536];
	z_stream z;
	long long left = mb * 1024 * 1024;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		return;
	do {
		size_t n = left > (long long)sizeof(zeros) ? sizeof(zeros) : (size_t)left;

		left -= (long long)n;
		z.next_in = (unsigned char *)zeros;
		z.avail_in = (uInt)n;
		do {
			z.next_out = out;
			z.avail_out = sizeof(out);
			deflate(&z, left ? Z_NO_FLUSH : Z_FINISH);
			if (send_all(fd, out, sizeof(out) - z.avail_out) == -1)
				left = -1;
		} while (left >= 0 && z.avail_out == 0);
	} while (left > 0);
	deflateEnd(&z);
}

/* Blocks until the peer closes (never-answer, drip's end). */
static void
wait_close(int fd)
{
	char c[512];

	while (recv(fd, c, sizeof(c), 0) > 0)
		;
}

static void
load_body(struct srv *s, const struct req *r, struct buf *body, int *found)
{
	char *path, *data;
	long long bytes = param_num(r, "bytes", -1), trunc;
	size_t len = 0;
	FILE *fp;

	*found = 1;
	if (bytes >= 0) {
		for (long long i = 0; i < bytes; i++)
			buf_putc(body, 'x');
		return;
	}
	path = xasprintf("%s/%s", s->dir, r->path + 1);
	if (strstr(r->path, "..") || (fp = fopen(path, "rb")) == NULL) {
		*found = 0;
		free(path);
		return;
	}
	data = xmalloc(1 << 20);
	while ((len = fread(data, 1, 1 << 20, fp)) > 0)
		buf_append(body, data, len);
	fclose(fp);
	free(data);
	free(path);
	trunc = param_num(r, "truncate", -1);
	if (trunc >= 0 && (size_t)trunc < body->len)
		body->len = (size_t)trunc;
}

static int
not_modified(const struct req *r)
{
	const char *etag = param(r, "etag"), *lm = param(r, "lastmod");
	char date[64], quoted[256];

	if (etag && r->inm) {
		snprintf(quoted, sizeof(quoted), "\"%s\"", etag);
		return strstr(r->inm, quoted) != NULL;
	}
	if (lm && r->ims) {
		http_date((time_t)atoll(lm), date, sizeof(date));
		return strcmp(date, r->ims) == 0;
	}
	return 0;
}

static void
add_validators(const struct req *r, struct buf *h)
{
	const char *v;
	char date[64];

	if ((v = param(r, "etag")) != NULL)
		buf_printf(h, "ETag: \"%s\"\r\n", v);
	if ((v = param(r, "lastmod")) != NULL) {
		http_date((time_t)atoll(v), date, sizeof(date));
		buf_printf(h, "Last-Modified: %s\r\n", date);
	}
	if ((v = param(r, "retry_after")) != NULL)
		buf_printf(h, "Retry-After: %s\r\n", v);
	if ((v = param(r, "cache")) != NULL)
		buf_printf(h, "Cache-Control: max-age=%s\r\n", v);
	if ((v = param(r, "ce")) != NULL)
		buf_printf(h, "Content-Encoding: %s\r\n", v);
}

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 404: return "Not Found";
	case 410: return "Gone";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

/* slow_body_ms=N: the body in ten pieces, N/10 ms apart (a small body
 * still faster than a client's low-speed limit). */
static int
send_slowly(int fd, const struct buf *body, long long ms)
{
	size_t	 piece = body->len / 10 + 1;
	int	 rc = 0;

	for (size_t at = 0; rc == 0 && at < body->len; at += piece) {
		rc = send_all(fd, body->data + at, body->len - at < piece ?
		    body->len - at : piece);
		usleep((useconds_t)(ms / 10 * 1000));
	}
	return rc;
}

static int
send_response(int fd, int status, struct buf *h, const struct buf *body,
    const struct req *r)
{
	char *head = xasprintf("HTTP/1.1 %d %s\r\n%sContent-Length: %zu\r\n\r\n",
	    status, reason(status), buf_str(h), body->len);
	int rc = send_all(fd, head, strlen(head));
	int drip = r != NULL && param(r, "drip") != NULL;
	long long slow = r != NULL ? param_num(r, "slow_body_ms", 0) : 0;

	free(head);
	if (rc == -1 || body->len == 0)
		return rc;
	if (slow > 0)
		return send_slowly(fd, body, slow);
	if (!drip)
		return send_all(fd, body->data, body->len);
	for (size_t i = 0; i < body->len; i++) {
		if (send_all(fd, body->data + i, 1) == -1)
			return -1;
		sleep(1);
	}
	return 0;
}

static int
respond_redirect(int fd, const struct req *r, struct buf *h)
{
	const char *to = param(r, "redirect");
	int status = (int)param_num(r, "status", 301);
	struct buf none;

	buf_init(&none, 0);
	if (param(r, "loop"))
		buf_printf(h, "Location: %s\r\n", r->target);
	else
		buf_printf(h, "Location: %s\r\n", to);
	return send_response(fd, param(r, "loop") ? 302 : status, h, &none,
	    NULL);
}

/* close_ms: the connection ends (-1) after a pause, whatever comes. */
static int
close_after(const struct req *r, int rc)
{
	if (param(r, "close_ms") == NULL)
		return rc;
	usleep((useconds_t)param_num(r, "close_ms", 0) * 1000);
	return -1;
}

static const char *
type_of(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot && (strcmp(dot, ".html") == 0 || strcmp(dot, ".htm") == 0))
		return "text/html; charset=utf-8";
	if (dot && strcmp(dot, ".json") == 0)
		return "application/feed+json";
	if (dot && strcmp(dot, ".atom") == 0)
		return "application/atom+xml";
	return "application/rss+xml";
}

/*
 * in as a zstd frame (RFC 8878) of stored blocks: the magic number, a
 * single-segment frame header with a 4-byte content size, then blocks
 * of at most 128 KB, each a 3-byte header (size, type 0, last bit).
 */
static void
zstd_stored(const char *in, size_t len, struct buf *out)
{
	static const unsigned char magic[] = { 0x28, 0xb5, 0x2f, 0xfd, 0xa0 };
	unsigned char le[4];
	size_t	 at = 0;

	buf_append(out, (const char *)magic, sizeof(magic));
	for (int i = 0; i < 4; i++)
		le[i] = (unsigned char)(len >> (8 * i));
	buf_append(out, (const char *)le, 4);
	do {
		size_t n = len - at > 128 * 1024 ? 128 * 1024 : len - at;
		uint32_t head = (uint32_t)(n << 3) | (at + n == len);

		for (int i = 0; i < 3; i++)
			le[i] = (unsigned char)(head >> (8 * i));
		buf_append(out, (const char *)le, 3);
		buf_append(out, in + at, n);
		at += n;
	} while (at < len);
}

/*
 * body in the coding the request's parameters name (gzip=1, zstd=1,
 * deflate=zlib|raw), into out: the coding's name, or NULL to send the
 * body as it is.
 */
static const char *
coded_body(const struct req *r, const struct buf *body, struct buf *out)
{
	const char *deflate_as = param(r, "deflate");

	if (body->len == 0)
		return NULL;
	if (param(r, "gzip") && gzip_buf(body->data, body->len, out) == 0)
		return "gzip";
	if (param(r, "zstd")) {
		zstd_stored(body->data, body->len, out);
		return "zstd";
	}
	if (deflate_as != NULL && th_zip(body->data, body->len,
	    strcmp(deflate_as, "raw") == 0 ? -15 : 15, out) == 0)
		return "deflate";
	return NULL;
}

static int
respond(struct srv *s, int fd, const struct req *r)
{
	struct buf h, body, gz;
	int status, found, rc = 0;
	long long bomb = param_num(r, "bomb", 0);
	const char *coding;

	if (param(r, "hang")) {
		wait_close(fd);
		return -1;
	}
	if (param(r, "delay_ms"))
		usleep((useconds_t)param_num(r, "delay_ms", 0) * 1000);
	buf_init(&h, 0);
	buf_init(&body, 0);
	buf_init(&gz, 0);
	add_validators(r, &h);
	if (param(r, "redirect") || param(r, "loop")) {
		rc = close_after(r, respond_redirect(fd, r, &h));
		goto out;
	}
	buf_printf(&h, "Content-Type: %s\r\n",
	    param(r, "type") ? param(r, "type") : type_of(r->path));
	if (bomb > 0) {
		char *head = xasprintf("HTTP/1.1 200 OK\r\n%sContent-Encoding: gzip\r\n"
		    "Connection: close\r\n\r\n", buf_str(&h));

		if (send_all(fd, head, strlen(head)) == 0)
			send_bomb(fd, bomb);
		free(head);
		rc = -1;
		goto out;
	}
	load_body(s, r, &body, &found);
	status = (int)param_num(r, "status", found ? 200 : 404);
	if (status == 200 && not_modified(r)) {
		buf_reset(&body);
		status = 304;
	} else if (status >= 400 && !found)
		buf_printf(&body, "error %d\n", status);
	if (param(r, "gzbody") && body.len && gzip_buf(body.data, body.len, &gz) == 0) {
		buf_reset(&body);
		buf_append(&body, gz.data, gz.len);
		buf_reset(&gz);
	}
	if ((coding = coded_body(r, &body, &gz)) != NULL)
		buf_printf(&h, "Content-Encoding: %s\r\n", coding);
	rc = send_response(fd, status, &h, coding != NULL ? &gz : &body, r);
	rc = close_after(r, rc);
out:
	buf_cleanup(&h);
	buf_cleanup(&body);
	buf_cleanup(&gz);
	return rc;
}

/* Reads one request head; -1 on EOF or error. */
static int
read_head(int fd, char *head, size_t cap, size_t *have)
{
	char *end;

	for (;;) {
		ssize_t n;

		head[*have] = '\0';
		if ((end = strstr(head, "\r\n\r\n")) != NULL) {
			size_t used = (size_t)(end + 4 - head);

			end[2] = '\0';
			return (int)used;
		}
		if (*have + 1 >= cap)
			return -1;
		n = recv(fd, head + *have, cap - 1 - *have, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		*have += (size_t)n;
	}
}

static void *
serve_conn(void *arg)
{
	struct conn *c = arg;
	char *head = xmalloc(MAX_HEAD);
	size_t have = 0;
	int used;

	while ((used = read_head(c->fd, head, MAX_HEAD, &have)) > 0) {
		struct req r;
		int rc;

		if (req_parse(&r, head) == -1)
			break;
		log_request(c->srv, &r, c->id);
		rc = respond(c->srv, c->fd, &r);
		req_cleanup(&r);
		if (rc == -1)
			break;
		/* a pipelined next request may already be in the buffer */
		memmove(head, head + used, have - (size_t)used);
		have -= (size_t)used;
	}
	close(c->fd);
	free(head);
	free(c);
	return NULL;
}

static void *
watch_stdin(void *arg)
{
	char c[256];

	(void)arg;
	while (read(0, c, sizeof(c)) > 0)
		;
	exit(0);
}

static int
listen_any(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(fd, 512) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) == -1) {
		perror("testsrv: listen");
		exit(1);
	}
	printf("%d\n", ntohs(sa.sin_port));
	fflush(stdout);
	return fd;
}

int
main(int argc, char **argv)
{
	struct srv s = { argc > 1 ? argv[1] : ".", -1 };
	struct stat st;
	pthread_t t;
	int lfd;

	signal(SIGPIPE, SIG_IGN);
	if (argc > 2 && (s.logfd = open(argv[2],
	    O_WRONLY | O_CREAT | O_APPEND, 0644)) == -1) {
		perror(argv[2]);
		return 1;
	}
	lfd = listen_any();
	if (fstat(0, &st) == 0 && S_ISFIFO(st.st_mode) &&
	    pthread_create(&t, NULL, watch_stdin, NULL) == 0)
		pthread_detach(t);
	for (unsigned int conns = 1;; conns++) {
		struct conn *c;
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			continue;
		c = xmalloc(sizeof(*c));
		c->srv = &s;
		c->fd = fd;
		c->id = conns;
		if (pthread_create(&t, NULL, serve_conn, c) == 0)
			pthread_detach(t);
		else {
			close(fd);
			free(c);
		}
	}
}
