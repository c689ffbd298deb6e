/*
 * test_serve: the HTTP server on 127.0.0.1 (port 0), asked with libcurl:
 * files, HEAD, ETag/304, 404, 405, gzip, /metrics and /healthz.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include <utime.h>
#include <uv.h>

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
	struct rule_conf rule;
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
	fx.rule.def.name = "china-ai";
	fx.rule.feed_file = "china-ai.xml";
	fx.cfg.rules = &fx.rule;
	fx.cfg.nrules = 1;
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
	char	*url = xasprintf("http://127.0.0.1:%d%s", fx.port,
	    strcmp(method, "TARGET") == 0 ? "/" : path);

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
	else if (strcmp(method, "TARGET") == 0)	/* path: the whole target */
		curl_easy_setopt(c, CURLOPT_REQUEST_TARGET, path);
	else if (strcmp(method, "GETBODY") == 0) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "x=1");
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "GET");
	}
	/* extra: header lines, separated by '\n' */
	for (const char *l = extra; l != NULL && *l != '\0';) {
		size_t	 n = strcspn(l, "\n");
		char	*line = xasprintf("%.*s", (int)n, l);

		h = curl_slist_append(h, line);
		free(line);
		l += n + (l[n] == '\n');
	}
	if (h != NULL)
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
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

/*
 * Readers that keep only the date (RFC 9110 13.1.3): Last-Modified is
 * the file's mtime, If-Modified-Since answers 304 from it, and an
 * If-None-Match, when sent, decides alone.
 */
Test(serve, get_feed_then_304_with_if_modified_since)
{
	struct answer a, b;
	struct utimbuf when = { 1700000000, 1700000000 };	/* 2023-11-14 22:13:20 */
	char	*lm;

	cr_assert_eq(utime(fx.cfg.atom_path, &when), 0);
	ask("GET", "/feed.xml", NULL, &a);
	cr_expect_eq(a.status, 200);
	lm = header(&a, "Last-Modified");
	cr_assert_not_null(lm);
	cr_expect_str_eq(lm, "Tue, 14 Nov 2023 22:13:20 GMT");
	ask("GET", "/feed.xml",
	    "If-Modified-Since: Tue, 14 Nov 2023 22:13:20 GMT", &b);
	cr_expect_eq(b.status, 304);
	answer_cleanup(&b);
	ask("GET", "/feed.xml",
	    "If-Modified-Since: Tuesday, 14-Nov-23 23:00:00 GMT", &b);
	cr_expect_eq(b.status, 304, "RFC 850 form, later");
	answer_cleanup(&b);
	ask("GET", "/feed.xml",
	    "If-Modified-Since: Tue, 14 Nov 2023 22:13:19 GMT", &b);
	cr_expect_eq(b.status, 200, "a second older than the file");
	answer_cleanup(&b);
	ask("GET", "/feed.xml", "If-Modified-Since: yesterday-ish", &b);
	cr_expect_eq(b.status, 200, "not a date");
	answer_cleanup(&b);
	ask("GET", "/feed.xml", "If-None-Match: \"other\"\n"
	    "If-Modified-Since: Tue, 14 Nov 2023 22:13:20 GMT", &b);
	cr_expect_eq(b.status, 200, "If-None-Match decides");
	answer_cleanup(&b);
	free(lm);
	answer_cleanup(&a);
}

/*
 * Two versions written within one second had one Last-Modified, and an
 * If-Modified-Since from the first was answered 304 after the second.
 * While the second a file was written in goes on it has no date (the
 * ETag validates it); later it has, and the next request gets it.
 */
Test(serve, a_file_written_this_second_has_no_date_yet)
{
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { 0, 0 } };
	struct answer a;
	char	*lm;

	ts[1].tv_sec = time(NULL) + 2;	/* still going on after the ask */
	cr_assert_eq(utimensat(AT_FDCWD, fx.cfg.atom_path, ts, 0), 0);
	ask("GET", "/feed.xml", NULL, &a);
	cr_expect_eq(a.status, 200);
	lm = header(&a, "Last-Modified");
	cr_expect_null(lm, "dated while its second goes on: %s", lm);
	free(lm);
	cr_expect_not_null(lm = header(&a, "ETag"));
	free(lm);
	answer_cleanup(&a);
	ts[1].tv_sec = time(NULL) - 5;
	cr_assert_eq(utimensat(AT_FDCWD, fx.cfg.atom_path, ts, 0), 0);
	ask("GET", "/feed.xml", NULL, &a);
	cr_expect_not_null(lm = header(&a, "Last-Modified"));
	free(lm);
	answer_cleanup(&a);
}

/* RFC 9110 13.1.1, 13.1.4: If-Match (strong) and If-Unmodified-Since
 * were ignored; a failed one is 412, a met one the file. */
Test(serve, if_match_and_if_unmodified_since_give_412)
{
	struct utimbuf when = { 1700000000, 1700000000 };
	struct answer a;
	char	*etag, *h;

	cr_assert_eq(utime(fx.cfg.atom_path, &when), 0);
	ask("GET", "/feed.xml", NULL, &a);
	cr_assert_not_null(etag = header(&a, "ETag"));
	answer_cleanup(&a);
	ask("GET", "/feed.xml", "If-Match: \"other\"", &a);
	cr_expect_eq(a.status, 412);
	answer_cleanup(&a);
	h = xasprintf("If-Match: \"x\", %s", etag);
	ask("GET", "/feed.xml", h, &a);
	cr_expect_eq(a.status, 200);
	answer_cleanup(&a);
	free(h);
	h = xasprintf("If-Match: W/%s", etag);
	ask("GET", "/feed.xml", h, &a);
	cr_expect_eq(a.status, 412, "a weak tag never matches If-Match");
	answer_cleanup(&a);
	free(h);
	ask("GET", "/feed.xml", "If-Match: *", &a);
	cr_expect_eq(a.status, 200);
	answer_cleanup(&a);
	ask("GET", "/feed.xml",
	    "If-Unmodified-Since: Tue, 14 Nov 2023 22:13:19 GMT", &a);
	cr_expect_eq(a.status, 412);
	answer_cleanup(&a);
	ask("GET", "/feed.xml",
	    "If-Unmodified-Since: Tue, 14 Nov 2023 22:13:20 GMT", &a);
	cr_expect_eq(a.status, 200);
	answer_cleanup(&a);
	free(etag);
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

/* A rule named in another script: its feed is served under its name,
 * percent-encoded as a reader's request has it. */
Test(serve, alert_feed_of_a_rule_in_another_script)
{
	struct rule_conf rules[2] = { fx.rule };
	struct config cfg = fx.cfg;
	char	*file = config_rule_filename("大模型");
	char	*path = th_path(fx.cfg.alert_feeds_dir, file);
	struct answer a;

	rules[1].def.name = "大模型";
	rules[1].feed_file = file;
	cfg.rules = rules;
	cfg.nrules = 2;
	th_write_file(path, feed_body, strlen(feed_body));
	server_follow(fx.srv, &cfg);
	ask("GET", "/alerts/%E5%A4%A7%E6%A8%A1%E5%9E%8B.xml", NULL, &a);
	cr_expect_eq(a.status, 200);
	cr_expect_str_eq(buf_str(&a.body), feed_body);
	answer_cleanup(&a);
	free(path);
	free(file);
}

/*
 * /alerts/NAME.xml served any NAME.xml in the folder, links another user
 * planted included (alert_feeds in a shared web root: db.xml ->
 * feedd.db, china-ai.xml -> /etc/shadow).  Only the rules' feeds, and a
 * link only when this user or root made it, as the writer follows.
 */
Test(serve, alerts_folder_serves_only_the_rules_feeds_and_own_links)
{
	char	*other = th_path(fx.cfg.alert_feeds_dir, "other.xml");
	char	*rule = th_path(fx.cfg.alert_feeds_dir, "china-ai.xml");
	char	*secret = th_path(fx.dir, "secret");
	struct answer a;

	th_write_file(other, feed_body, strlen(feed_body));
	th_write_file(secret, "secret\n", 7);
	ask("GET", "/alerts/other.xml", NULL, &a);
	cr_expect_eq(a.status, 404, "a file no rule writes");
	answer_cleanup(&a);
	cr_assert_eq(unlink(rule), 0);
	cr_assert_eq(symlink(secret, rule), 0);
	ask("GET", "/alerts/china-ai.xml", NULL, &a);
	cr_expect_eq(a.status, 200, "this user's own link is followed");
	answer_cleanup(&a);
	cr_assert_eq(lchown(rule, 65534, 65534), 0, "%s", strerror(errno));
	ask("GET", "/alerts/china-ai.xml", NULL, &a);
	cr_expect_eq(a.status, 404, "another user's link is not");
	cr_expect_null(strstr(buf_str(&a.body), "secret"));
	answer_cleanup(&a);
	free(secret);
	free(rule);
	free(other);
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

/* RFC 9110 12.5.3: "*" stands for gzip when gzip is not named;
 * "x-gzip" is gzip; q=0 refuses. */
Test(serve, gzip_by_star_and_by_its_old_name)
{
	static const struct { const char *ae; int gz; } cases[] = {
		{ "Accept-Encoding: *, identity;q=0", 1 },
		{ "Accept-Encoding: x-gzip", 1 },
		{ "Accept-Encoding: gzip;q=0, *", 0 },
		{ "Accept-Encoding: *;q=0", 0 },
		{ "Accept-Encoding: identity", 0 },
		{ "Accept-Encoding: br, deflate;q=0.5, GZIP;q=0.1", 1 },
	};
	struct answer a;
	char	*enc;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ask("GET", "/feed.xml", cases[i].ae, &a);
		enc = header(&a, "Content-Encoding");
		cr_expect_eq(enc != NULL, cases[i].gz, "%s", cases[i].ae);
		free(enc);
		answer_cleanup(&a);
	}
}

/*
 * "%00" decoded cut the path: "/feed.xml%00.txt" was /feed.xml (a filter
 * in front saw another resource).  It names no file now.  Other escapes
 * decode, and an absolute-form target (RFC 9112 3.2.2) is its path.
 */
Test(serve, targets_with_nul_escapes_and_absolute_form)
{
	struct answer a;
	char	*abs = xasprintf("http://127.0.0.1:%d/feed.xml", fx.port);

	ask("GET", "/feed.xml%00.txt", NULL, &a);
	cr_expect_eq(a.status, 404);
	answer_cleanup(&a);
	ask("GET", "/healthz%00", NULL, &a);
	cr_expect_eq(a.status, 404);
	answer_cleanup(&a);
	ask("GET", "/%66eed.xml", NULL, &a);
	cr_expect_eq(a.status, 200);
	answer_cleanup(&a);
	ask("TARGET", abs, NULL, &a);
	cr_expect_eq(a.status, 200);
	cr_expect_str_eq(buf_str(&a.body), feed_body);
	answer_cleanup(&a);
	free(abs);
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

/*
 * The server has a thread of its own: /healthz must not say ok for a
 * daemon whose loop stopped turning (the beat is in feedd.c).
 */
Test(serve, healthz_fails_when_the_loop_stops_beating)
{
	struct answer a;
	int64_t now = (int64_t)(uv_hrtime() / 1000000);

	metrics_loop_beat(fx.m, now - 125 * 1000);
	ask("GET", "/healthz", NULL, &a);
	cr_expect_eq(a.status, 503);
	cr_expect_str_eq(buf_str(&a.body),
	    "stalled: the event loop has not run for 125 s\n");
	answer_cleanup(&a);
	metrics_loop_beat(fx.m, now - 59 * 1000);
	ask("GET", "/healthz", NULL, &a);
	cr_expect_eq(a.status, 200, "59 s is within the limit");
	answer_cleanup(&a);
	metrics_loop_beat(fx.m, (int64_t)(uv_hrtime() / 1000000));
	ask("GET", "/healthz", NULL, &a);
	cr_expect_eq(a.status, 200);
	cr_expect_str_eq(buf_str(&a.body), "ok\n");
	answer_cleanup(&a);
}

Test(serve, healthz_fails_once_the_database_is_damaged)
{
	struct answer a;

	metrics_database_damaged(fx.m, 1);
	ask("GET", "/healthz", NULL, &a);
	cr_expect_eq(a.status, 503);
	cr_expect_str_eq(buf_str(&a.body), "damaged: the database file is "
	    "damaged (stop feedd, run `feedd repair`, start it again)\n");
	answer_cleanup(&a);
	metrics_database_damaged(fx.m, 0);
	ask("GET", "/healthz", NULL, &a);
	cr_expect_eq(a.status, 200);
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

/* ---- load and abuse ---- */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Seconds /healthz took from source address src (another address than
 * the attacker's: the per-address limit is the attacker's only), or a
 * big number when it failed.
 */
static double
healthz_seconds(const char *src)
{
	CURL *c = curl_easy_init();
	char *url = xasprintf("http://127.0.0.1:%d/healthz", fx.port);
	char *iface = xasprintf("host!%s", src);
	struct buf b;
	double t0 = now_s(), t;
	long status = 0;

	buf_init(&b, 0);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_INTERFACE, iface);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	t = status == 200 ? now_s() - t0 : 99;
	curl_easy_cleanup(c);
	buf_cleanup(&b);
	free(iface);
	free(url);
	return t;
}

/* A connected TCP socket from src to the server, or -1. */
static int
connect_from(const char *src)
{
	struct sockaddr_in a = { 0 }, l = { 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	l.sin_family = a.sin_family = AF_INET;
	inet_pton(AF_INET, src, &l.sin_addr);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	a.sin_port = htons((uint16_t)fx.port);
	if (fd == -1 || bind(fd, (struct sockaddr *)&l, sizeof(l)) == -1 ||
	    connect(fd, (struct sockaddr *)&a, sizeof(a)) == -1) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

static const char half_request[] = "GET /feed.xml HTTP/1.1\r\nHost: x\r\nUser-Ag";

/*
 * 1,000 connections that send half a request and close, 100 at a time
 * from 10 addresses (127.0.0.10-19): more than the old limits held.
 */
static void *
burst(void *arg)
{
	int *done = arg, fds[100];

	for (int round = 0; round < 10; round++) {
		for (int i = 0; i < 100; i++) {
			char src[24];

			snprintf(src, sizeof(src), "127.0.0.%d", 10 + i % 10);
			if ((fds[i] = connect_from(src)) != -1)
				(void)!write(fds[i], half_request,
				    sizeof(half_request) - 1);
		}
		for (int i = 0; i < 100; i++)
			if (fds[i] != -1)
				close(fds[i]);
	}
	__atomic_store_n(done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/*
 * A burst of 1,000 half requests stopped the server answering for 12 s
 * to minutes (epoll mode at its connection limit).  /healthz answers
 * within a second during the burst and right after it.
 */
Test(serve, healthz_answers_during_and_after_a_burst_of_half_requests,
    .timeout = 60)
{
	pthread_t t;
	int done = 0, asked = 0;
	double worst = 0, after;

	cr_assert_eq(pthread_create(&t, NULL, burst, &done), 0);
	while (!__atomic_load_n(&done, __ATOMIC_SEQ_CST)) {
		double s = healthz_seconds("127.0.0.1");

		worst = s > worst ? s : worst;
		asked++;
	}
	pthread_join(t, NULL);
	after = healthz_seconds("127.0.0.1");
	cr_assert_gt(asked, 0);
	cr_assert_lt(worst, 1.0, "during the burst: %.3f s (%d asked)", worst,
	    asked);
	cr_assert_lt(after, 1.0, "right after: %.3f s", after);
}

/*
 * Slowloris: connections that send part of a request and then nothing
 * (16 from one address, or 64 in all, blocked the server for good).
 * They fill only their own address's share, /healthz from elsewhere
 * answers at once, and the idle ones are dropped after the timeout.
 */
Test(serve, slowloris_neither_blocks_nor_stays, .timeout = 60)
{
	int fds[200], n = 0, closed = 0;
	double t0;
	char	*err = NULL;

	/* the server again, with the shortest idle timeout: waited out */
	server_stop(fx.srv);
	setenv("FEEDD_TEST_SERVE_IDLE_SECS", "1", 1);
	fx.srv = server_start(&fx.cfg, fx.m, &err);
	cr_assert_not_null(fx.srv, "%s", err);
	fx.port = server_port(fx.srv);

	for (int i = 0; i < 200; i++) {
		int fd = connect_from("127.0.0.4");

		if (fd == -1)
			continue;
		(void)!write(fd, half_request, sizeof(half_request) - 1);
		fds[n++] = fd;
	}
	cr_assert_gt(n, 64, "the attack got its connections: %d", n);
	cr_assert_lt(healthz_seconds("127.0.0.1"), 1.0, "during slowloris");
	cr_assert_lt(healthz_seconds("127.0.0.5"), 1.0, "during slowloris");
	/* every connection ends: refused at once, or timed out idle */
	t0 = now_s();
	while (closed < n && now_s() - t0 < 20) {
		struct pollfd p[200];

		for (int i = 0; i < n; i++) {
			p[i].fd = fds[i];
			p[i].events = POLLIN;
		}
		if (poll(p, (nfds_t)n, 1000) <= 0)
			continue;
		for (int i = 0; i < n; i++) {
			char c[64];

			if (fds[i] != -1 && (p[i].revents & (POLLIN | POLLHUP |
			    POLLERR)) && read(fds[i], c, sizeof(c)) <= 0) {
				close(fds[i]);
				fds[i] = -1;
				closed++;
			}
		}
	}
	for (int i = 0; i < n; i++)
		if (fds[i] != -1)
			close(fds[i]);
	cr_assert_eq(closed, n, "%d of %d still open after %.0f s", n - closed,
	    n, now_s() - t0);
	cr_assert_lt(now_s() - t0, 15.0);
}

/*
 * A client sending its request head a byte at a time is never idle: the
 * idle timeout never came, and 512 of them shut everyone out for as long
 * as they liked.  A head still coming after three idle timeouts is cut
 * (server_reap, on the daemon's heartbeat); a request answered and a
 * connection kept alive are not.
 */
Test(serve, a_head_sent_a_byte_at_a_time_is_cut, .timeout = 60)
{
	static const char head[] = "GET /feed.xml HTTP/1.1\r\nHost: x\r\n"
	    "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
	char	*err = NULL;
	int	 fd, closed = 0;
	size_t	 sent = 0;
	double	 t0;
	struct answer a;

	server_stop(fx.srv);
	setenv("FEEDD_TEST_SERVE_IDLE_SECS", "1", 1);
	fx.srv = server_start(&fx.cfg, fx.m, &err);
	unsetenv("FEEDD_TEST_SERVE_IDLE_SECS");
	cr_assert_not_null(fx.srv, "%s", err);
	fx.port = server_port(fx.srv);
	cr_assert_neq(fd = connect_from("127.0.0.6"), -1);
	t0 = now_s();
	while (!closed && now_s() - t0 < 20) {
		struct pollfd p = { fd, POLLIN, 0 };
		char	 c[256];

		if (sent < sizeof(head) - 1)	/* well inside the idle second */
			(void)!write(fd, head + sent++, 1);
		if (poll(&p, 1, 400) > 0 && read(fd, c, sizeof(c)) <= 0)
			closed = 1;
		server_reap(fx.srv);
	}
	close(fd);
	cr_assert(closed, "still open after %.0f s", now_s() - t0);
	cr_assert_geq(now_s() - t0, 2.5, "cut before three idle seconds");
	ask("GET", "/feed.xml", NULL, &a);	/* the others are served */
	cr_expect_eq(a.status, 200);
	answer_cleanup(&a);
}

/* A GET with a body (meaningless, RFC 9110 9.3.1) lost its connection
 * with no answer; the body is read and dropped. */
Test(serve, a_get_with_a_body_is_answered)
{
	struct answer a;

	ask("GETBODY", "/feed.xml", NULL, &a);
	cr_expect_eq(a.status, 200);
	cr_expect_str_eq(buf_str(&a.body), feed_body);
	answer_cleanup(&a);
}

/* The status code of one raw request sent from 127.0.0.1, or -1. */
static int
raw_status(const char *request)
{
	int	 fd = connect_from("127.0.0.1"), code = -1;
	char	 buf[256];
	ssize_t	 n;

	cr_assert_neq(fd, -1);
	cr_assert_eq(write(fd, request, strlen(request)),
	    (ssize_t)strlen(request));
	if ((n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		(void)sscanf(buf, "HTTP/1.%*d %d", &code);
	}
	close(fd);
	return code;
}

/* RFC 9112 3.2: an HTTP/1.1 request without a Host, with two, or with
 * one that is no host, is a 400; they were served. */
Test(serve, host_rules_of_http_1_1)
{
	cr_expect_eq(raw_status("GET /feed.xml HTTP/1.1\r\n\r\n"), 400);
	cr_expect_eq(raw_status("GET /feed.xml HTTP/1.1\r\nHost: a\r\n"
	    "Host: b\r\n\r\n"), 400);
	cr_expect_eq(raw_status("GET /feed.xml HTTP/1.1\r\nHost: a/b@c"
	    "\r\n\r\n"), 400);
	cr_expect_eq(raw_status("GET /feed.xml HTTP/1.1\r\nHost: "
	    "127.0.0.1:8787\r\nConnection: close\r\n\r\n"), 200);
	cr_expect_eq(raw_status("GET /feed.xml HTTP/1.1\r\nHost: [::1]:8787"
	    "\r\nConnection: close\r\n\r\n"), 200);
	cr_expect_eq(raw_status("GET /feed.xml HTTP/1.0\r\n\r\n"), 200,
	    "HTTP/1.0 needs no Host");
}

/* Connections are kept alive (every answer said "Connection: close"). */
Test(serve, connections_are_kept_alive)
{
	CURL *c = curl_easy_init();
	char *url = xasprintf("http://127.0.0.1:%d/feed.xml", fx.port);
	struct buf b;
	long conns = -1;

	buf_init(&b, 0);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(curl_easy_perform(c), CURLE_OK);
		curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &conns);
		if (i > 0)
			cr_assert_eq(conns, 0, "request %d opened a connection", i);
	}
	curl_easy_cleanup(c);
	buf_cleanup(&b);
	free(url);
}

/* A feed.xml over the old 64 MB limit was a 404 for every reader. */
Test(serve, a_file_too_big_to_prepare_is_still_served)
{
	size_t len = 20u * 1024 * 1024;		/* over SERVE_CACHE_MAX */
	char *big = xmalloc(len), *etag, *inm, *clen;
	struct answer a, b;

	memset(big, 'x', len);
	memcpy(big, "<feed>", 6);
	cr_assert_eq(th_write_file(fx.cfg.atom_path, big, len), 0);
	ask("GET", "/feed.xml", "Accept-Encoding: gzip", &a);
	cr_assert_eq(a.status, 200);
	cr_assert_eq(a.body.len, len);
	cr_assert_eq(memcmp(a.body.data, big, len), 0);
	etag = header(&a, "ETag");
	cr_assert_not_null(etag);
	inm = xasprintf("If-None-Match: %s", etag);
	ask("HEAD", "/feed.xml", inm, &b);
	cr_assert_eq(b.status, 304);
	answer_cleanup(&b);
	ask("HEAD", "/feed.xml", NULL, &b);
	clen = header(&b, "Content-Length");
	cr_assert(clen && strtoull(clen, NULL, 10) == len, "%s", clen);
	free(clen);
	answer_cleanup(&b);
	answer_cleanup(&a);
	free(inm);
	free(etag);
	free(big);
}

/* A new version of a file is prepared anew (same size, same second). */
Test(serve, a_rewritten_file_is_not_served_stale)
{
	struct answer a;
	char *tmp = th_path(fx.dir, "v.xml");

	ask("GET", "/feed.xml", NULL, &a);
	answer_cleanup(&a);
	for (int i = 0; i < 3; i++) {
		char body[32];

		snprintf(body, sizeof(body), "<feed>%d</feed>", i);
		th_write_file(tmp, body, strlen(body));
		cr_assert_eq(rename(tmp, fx.cfg.atom_path), 0);
		ask("GET", "/feed.xml", "Accept-Encoding: gzip", &a);
		answer_cleanup(&a);
		ask("GET", "/feed.xml", NULL, &a);
		cr_assert_str_eq(buf_str(&a.body), body);
		answer_cleanup(&a);
	}
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

/*
 * Every answer tells a browser to take it as the type it says and to
 * run nothing in it (XSS review 4): a feed, one gzipped, a 404 and the
 * health check.
 */
Test(serve, answers_carry_nosniff_and_a_sandbox)
{
	static const char *const asks[][2] = {
		{ "/feed.xml", NULL }, { "/feed.xml", "Accept-Encoding: gzip" },
		{ "/nothing-here", NULL }, { "/healthz", NULL },
	};

	for (size_t i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
		struct answer a;
		char	*v, *csp;

		ask("GET", asks[i][0], asks[i][1], &a);
		v = header(&a, "X-Content-Type-Options");
		csp = header(&a, "Content-Security-Policy");
		cr_expect(v != NULL && strcmp(v, "nosniff") == 0, "%s: %s",
		    asks[i][0], buf_str(&a.head));
		cr_expect(csp != NULL && strcmp(csp,
		    "default-src 'none'; sandbox") == 0, "%s: %s", asks[i][0],
		    buf_str(&a.head));
		free(v);
		free(csp);
		answer_cleanup(&a);
	}
}
