/*
 * test_serve: the HTTP server on 127.0.0.1 (port 0), asked with libcurl:
 * files, HEAD, ETag/304, 404, 405, gzip, /metrics and /healthz.
 */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "daemon/metrics.h"
#include "daemon/serve.h"
#include "util/xmalloc.h"
#include "util/buf.h"
#include "tests/helpers.h"

static const char feed_body[] = "<?xml version=\"1.0\"?>\n"
    "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title></feed>\n";

struct fixture {
	char	*dir;
	struct config cfg;
	struct metrics *m;
	struct server *srv;
	int	 port;
};

static struct fixture fx;

static void
setup(void)
{
	char	*err = NULL, *alerts, *a;

	memset(&fx, 0, sizeof(fx));
	fx.dir = th_tmpdir();
	fx.cfg.atom_path = th_path(fx.dir, "feed.xml");
	alerts = th_path(fx.dir, "alerts");
	cr_assert_eq(mkdir(alerts, 0755), 0);
	a = th_path(alerts, "china-ai.xml");
	th_write_file(a, feed_body, strlen(feed_body));
	free(a);
	fx.cfg.alert_feeds_dir = alerts;
	fx.cfg.listen = "127.0.0.1:0";
	th_write_file(fx.cfg.atom_path, feed_body, strlen(feed_body));
	fx.m = metrics_new();
	metrics_alert_fired(fx.m, "china-ai");
	fx.srv = server_start(&fx.cfg, fx.m, &err);
	cr_assert_not_null(fx.srv, "%s", err);
	fx.port = server_port(fx.srv);
	cr_assert_gt(fx.port, 0);
}

static void
teardown(void)
{
	server_stop(fx.srv);
	metrics_free(fx.m);
	th_rmdir(fx.dir);
	free(fx.dir);
	free(fx.cfg.atom_path);
	free(fx.cfg.alert_feeds_dir);
}

struct answer {
	long	 status;
	struct buf body;
	struct buf head;
};

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	buf_append(arg, p, size * n);
	return size * n;
}

/* One request; extra is a header line or NULL. */
static void
ask(const char *method, const char *path, const char *extra,
    struct answer *a)
{
	CURL	*c = curl_easy_init();
	struct curl_slist *h = NULL;
	char	*url = xasprintf("http://127.0.0.1:%d%s", fx.port, path);

	buf_init(&a->body, 0);
	buf_init(&a->head, 0);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &a->body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &a->head);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "POST") == 0)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "x=1");
	if (extra != NULL) {
		h = curl_slist_append(h, extra);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	}
	cr_assert_eq(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	free(url);
}

static void
answer_cleanup(struct answer *a)
{
	buf_cleanup(&a->body);
	buf_cleanup(&a->head);
}

/* The value of header name in a (case-insensitive), or NULL; caller frees. */
static char *
header(const struct answer *a, const char *name)
{
	const char *p = buf_str(&a->head);
	size_t	 n = strlen(name);

	for (; p != NULL && *p != '\0'; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncasecmp(p, name, n) == 0 && p[n] == ':')
			return xstrndup(p + n + 2, strcspn(p + n + 2, "\r\n"));
	return NULL;
}

TestSuite(serve, .init = setup, .fini = teardown);

Test(serve, get_feed_then_304_with_etag)
{
	struct answer a, b;
	char	*etag, *ct, *inm;

	ask("GET", "/feed.xml", NULL, &a);
	cr_expect_eq(a.status, 200);
	cr_expect_str_eq(buf_str(&a.body), feed_body);
	ct = header(&a, "Content-Type");
	cr_expect_str_eq(ct, "application/atom+xml");
	etag = header(&a, "ETag");
	cr_assert_not_null(etag);
	inm = xasprintf("If-None-Match: %s", etag);
	ask("GET", "/feed.xml", inm, &b);
	cr_expect_eq(b.status, 304);
	cr_expect_eq(b.body.len, 0);
	answer_cleanup(&b);
	ask("GET", "/feed.xml", "If-None-Match: \"other\"", &b);
	cr_expect_eq(b.status, 200);
	answer_cleanup(&b);
	free(inm);
	free(etag);
	free(ct);
	answer_cleanup(&a);
}

Test(serve, head_has_length_but_no_body)
{
	struct answer a;
	char	*len;

	ask("HEAD", "/feed.xml", NULL, &a);
	cr_expect_eq(a.status, 200);
	cr_expect_eq(a.body.len, 0);
	len = header(&a, "Content-Length");
	cr_assert_not_null(len);
	cr_expect_eq(strtol(len, NULL, 10), (long)strlen(feed_body));
	free(len);
	answer_cleanup(&a);
}

Test(serve, unknown_paths_404_and_post_405)
{
	struct answer a;
	char	*allow;

	ask("GET", "/nope", NULL, &a);
	cr_expect_eq(a.status, 404);
	answer_cleanup(&a);
	ask("GET", "/feed.json", NULL, &a);	/* json unset */
	cr_expect_eq(a.status, 404);
	answer_cleanup(&a);
	ask("GET", "/alerts/..%2Ffeed.xml", NULL, &a);
	cr_expect_eq(a.status, 404);
	answer_cleanup(&a);
	ask("POST", "/feed.xml", NULL, &a);
	cr_expect_eq(a.status, 405);
	allow = header(&a, "Allow");
	cr_assert_not_null(allow);
	cr_expect_neq(strstr(allow, "GET"), NULL);
	free(allow);
	answer_cleanup(&a);
}

Test(serve, alert_feed_served)
{
	struct answer a;

	ask("GET", "/alerts/china-ai.xml", NULL, &a);
	cr_expect_eq(a.status, 200);
	cr_expect_str_eq(buf_str(&a.body), feed_body);
	answer_cleanup(&a);
}

Test(serve, gzip_when_asked)
{
	struct answer a;
	char	*enc, *vary;

	ask("GET", "/feed.xml", "Accept-Encoding: gzip", &a);
	cr_expect_eq(a.status, 200);
	enc = header(&a, "Content-Encoding");
	vary = header(&a, "Vary");
	cr_assert_not_null(enc);
	cr_expect_str_eq(enc, "gzip");
	cr_assert_not_null(vary);
	cr_expect_str_eq(vary, "Accept-Encoding");
	cr_assert_geq(a.body.len, 2);
	cr_expect_eq((unsigned char)a.body.data[0], 0x1f, "gzip magic");
	cr_expect_eq((unsigned char)a.body.data[1], 0x8b, "gzip magic");
	free(enc);
	free(vary);
	answer_cleanup(&a);
	ask("GET", "/feed.xml", "Accept-Encoding: gzip;q=0, identity", &a);
	enc = header(&a, "Content-Encoding");
	cr_expect_null(enc, "gzip despite q=0");
	free(enc);
	answer_cleanup(&a);
}

Test(serve, metrics_and_healthz)
{
	struct answer a;
	char	*ct;

	ask("GET", "/metrics", NULL, &a);
	cr_expect_eq(a.status, 200);
	cr_expect_neq(strstr(buf_str(&a.body), "feedd_fetches_total{outcome=\"ok\"}"),
	    NULL);
	cr_expect_neq(strstr(buf_str(&a.body),
	    "feedd_alerts_total{rule=\"china-ai\"} 1"), NULL);
	ct = header(&a, "Content-Type");
	cr_assert_not_null(ct);
	cr_expect_neq(strstr(ct, "version=0.0.4"), NULL);
	free(ct);
	answer_cleanup(&a);
	ask("GET", "/healthz", NULL, &a);
	cr_expect_eq(a.status, 200);
	cr_expect_str_eq(buf_str(&a.body), "ok\n");
	answer_cleanup(&a);
}

Test(serve, file_read_fresh_after_rename)
{
	struct answer a;
	char	*tmp = th_path(fx.dir, "new.xml");

	th_write_file(tmp, "<feed/>\n", 8);
	cr_assert_eq(rename(tmp, fx.cfg.atom_path), 0);
	ask("GET", "/feed.xml", NULL, &a);
	cr_expect_str_eq(buf_str(&a.body), "<feed/>\n");
	answer_cleanup(&a);
	free(tmp);
}

Test(serve_listen, parses_listen_forms)
{
	char	*host;
	int	 port;

	cr_assert_eq(config_parse_listen("127.0.0.1:8787", &host, &port), 0);
	cr_expect_str_eq(host, "127.0.0.1");
	cr_expect_eq(port, 8787);
	free(host);
	cr_assert_eq(config_parse_listen("[::1]:80", &host, &port), 0);
	cr_expect_str_eq(host, "::1");
	cr_expect_eq(port, 80);
	free(host);
	cr_assert_eq(config_parse_listen(":8787", &host, &port), 0);
	cr_expect_str_eq(host, "127.0.0.1");
	free(host);
	cr_expect_eq(config_parse_listen("::1:80", &host, &port), -1);
	cr_expect_eq(config_parse_listen("host:99999", &host, &port), -1);
	cr_expect_eq(config_parse_listen("host:", &host, &port), -1);
}
