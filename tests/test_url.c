/*
 * test_url: url_resolve against RFC 3986 section 5.4, the canonical
 * story key (tracking parameters, www., ports, case, slashes, schemes),
 * url_host and url_is_http.
 */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feeds/url.h"

#define RFC_BASE "http://a/b/c/d;p?q"

static void
expect_resolve(const char *base, const char *ref, const char *want)
{
	char *got = url_resolve(base, ref);

	cr_assert_not_null(got);
	cr_assert_str_eq(got, want, "resolve(%s, \"%s\") = %s, want %s",
	    base ? base : "NULL", ref, got, want);
	free(got);
}

static void
expect_key(const char *url, const char *want)
{
	char *got = url_canonical(url);

	if (want == NULL) {
		cr_assert_null(got, "canonical(%s) = %s, want NULL", url, got);
		return;
	}
	cr_assert_not_null(got, "canonical(%s) = NULL", url);
	cr_assert_str_eq(got, want, "canonical(%s) = %s, want %s", url, got,
	    want);
	free(got);
}

static void
expect_same_key(const char *a, const char *b)
{
	char *ka = url_canonical(a), *kb = url_canonical(b);

	cr_assert_not_null(ka);
	cr_assert_not_null(kb);
	cr_assert_str_eq(ka, kb, "%s -> %s but %s -> %s", a, ka, b, kb);
	free(ka);
	free(kb);
}

Test(url, rfc3986_normal_examples)
{
	/* RFC 3986 5.4.1; "//g" gains the root path curl always writes. */
	expect_resolve(RFC_BASE, "g:h", "g:h");
	expect_resolve(RFC_BASE, "g", "http://a/b/c/g");
	expect_resolve(RFC_BASE, "./g", "http://a/b/c/g");
	expect_resolve(RFC_BASE, "g/", "http://a/b/c/g/");
	expect_resolve(RFC_BASE, "/g", "http://a/g");
	expect_resolve(RFC_BASE, "//g", "http://g/");
	expect_resolve(RFC_BASE, "?y", "http://a/b/c/d;p?y");
	expect_resolve(RFC_BASE, "g?y", "http://a/b/c/g?y");
	expect_resolve(RFC_BASE, "#s", "http://a/b/c/d;p?q#s");
	expect_resolve(RFC_BASE, "g#s", "http://a/b/c/g#s");
	expect_resolve(RFC_BASE, "g?y#s", "http://a/b/c/g?y#s");
	expect_resolve(RFC_BASE, ";x", "http://a/b/c/;x");
	expect_resolve(RFC_BASE, "g;x", "http://a/b/c/g;x");
	expect_resolve(RFC_BASE, "g;x?y#s", "http://a/b/c/g;x?y#s");
	expect_resolve(RFC_BASE, ".", "http://a/b/c/");
	expect_resolve(RFC_BASE, "./", "http://a/b/c/");
	expect_resolve(RFC_BASE, "..", "http://a/b/");
	expect_resolve(RFC_BASE, "../", "http://a/b/");
	expect_resolve(RFC_BASE, "../g", "http://a/b/g");
	expect_resolve(RFC_BASE, "../..", "http://a/");
	expect_resolve(RFC_BASE, "../../", "http://a/");
	expect_resolve(RFC_BASE, "../../g", "http://a/g");
}

Test(url, rfc3986_abnormal_examples)
{
	/* RFC 3986 5.4.2. */
	expect_resolve(RFC_BASE, "../../../g", "http://a/g");
	expect_resolve(RFC_BASE, "../../../../g", "http://a/g");
	expect_resolve(RFC_BASE, "/./g", "http://a/g");
	expect_resolve(RFC_BASE, "/../g", "http://a/g");
	expect_resolve(RFC_BASE, "g.", "http://a/b/c/g.");
	expect_resolve(RFC_BASE, ".g", "http://a/b/c/.g");
	expect_resolve(RFC_BASE, "g..", "http://a/b/c/g..");
	expect_resolve(RFC_BASE, "..g", "http://a/b/c/..g");
	expect_resolve(RFC_BASE, "./../g", "http://a/b/g");
	expect_resolve(RFC_BASE, "./g/.", "http://a/b/c/g/");
	expect_resolve(RFC_BASE, "g/./h", "http://a/b/c/g/h");
	expect_resolve(RFC_BASE, "g/../h", "http://a/b/c/h");
	expect_resolve(RFC_BASE, "g;x=1/./y", "http://a/b/c/g;x=1/y");
	expect_resolve(RFC_BASE, "g;x=1/../y", "http://a/b/c/y");
	expect_resolve(RFC_BASE, "g?y/./x", "http://a/b/c/g?y/./x");
	expect_resolve(RFC_BASE, "g?y/../x", "http://a/b/c/g?y/../x");
	expect_resolve(RFC_BASE, "g#s/./x", "http://a/b/c/g#s/./x");
	expect_resolve(RFC_BASE, "g#s/../x", "http://a/b/c/g#s/../x");
	/* Strict parsers keep "http:g" as given (5.4.2). */
	expect_resolve(RFC_BASE, "http:g", "http:g");
}

Test(url, resolve_feed_cases)
{
	expect_resolve("https://example.com/feed.xml", "//cdn.example.net/a.mp3",
	    "https://cdn.example.net/a.mp3");
	expect_resolve("https://example.com/blog/feed/", "post-1",
	    "https://example.com/blog/feed/post-1");
	expect_resolve("https://example.com/blog/feed/", "/post-1",
	    "https://example.com/post-1");
	expect_resolve("https://example.com/a#top", "b",
	    "https://example.com/b");
	expect_resolve("https://example.com/a#top", "#new",
	    "https://example.com/a#new");
	expect_resolve("https://example.com/", "  \n /x \t",
	    "https://example.com/x");
	expect_resolve("https://example.com/", "a b", "https://example.com/a%20b");
}

Test(url, resolve_absolute_is_kept)
{
	expect_resolve(RFC_BASE, "https://other.org/x?y=1#z",
	    "https://other.org/x?y=1#z");
	expect_resolve(NULL, "https://other.org/x/../y",
	    "https://other.org/y");
	expect_resolve(NULL, "http://x.com", "http://x.com/");
}

Test(url, resolve_other_schemes_untouched)
{
	expect_resolve(RFC_BASE, "mailto:Someone@Example.com",
	    "mailto:Someone@Example.com");
	expect_resolve(RFC_BASE, "tag:example.com,2005:/x/../y",
	    "tag:example.com,2005:/x/../y");
	expect_resolve(RFC_BASE, "urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6",
	    "urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6");
	expect_resolve(RFC_BASE, "javascript:alert(1)", "javascript:alert(1)");
}

Test(url, resolve_without_base_returns_ref)
{
	expect_resolve(NULL, "/relative/path", "/relative/path");
	expect_resolve("not/absolute", "x", "x");
	expect_resolve("", " x ", "x");
	expect_resolve(RFC_BASE, "", "");
	expect_resolve(RFC_BASE, "   ", "");
	cr_assert_null(url_resolve(RFC_BASE, NULL));
	/* A bad absolute URL is returned as given, not invented. */
	expect_resolve(RFC_BASE, "http://bad host/", "http://bad host/");
}

Test(url, canonical_basic)
{
	expect_key("https://example.com/a/b?x=1", "example.com/a/b?x=1");
	expect_key("http://example.com/", "example.com");
	expect_key("http://example.com", "example.com");
	expect_key("https://Example.COM/Path/Case", "example.com/Path/Case");
	expect_key("https://www.example.com/a", "example.com/a");
	expect_key("https://WWW.Example.com/a", "example.com/a");
	expect_key("https://www2.example.com/a", "www2.example.com/a");
	expect_key("https://example.com./a", "example.com/a");
	expect_key("https://example.com/a/", "example.com/a");
	expect_key("https://example.com/a//", "example.com/a");
	expect_key("https://example.com/a#section", "example.com/a");
	expect_key("https://user:pw@example.com/a", "example.com/a");
	expect_key("  https://example.com/a  ", "example.com/a");
}

Test(url, canonical_ports)
{
	expect_key("http://example.com:80/a", "example.com/a");
	expect_key("https://example.com:443/a", "example.com/a");
	expect_key("http://example.com:8080/a", "example.com:8080/a");
	expect_key("https://example.com:80/a", "example.com:80/a");
}

Test(url, canonical_tracking_parameters)
{
	static const char *const params[] = { "utm_source=rss",
	    "utm_medium=feed", "utm_campaign=x", "utm_term=y",
	    "utm_content=z", "utm_id=1", "UTM_Source=rss", "fbclid=abc",
	    "gclid=abc", "dclid=abc", "msclkid=abc", "mc_cid=abc",
	    "mc_eid=abc", "ref=hn", "ref_src=twsrc", "igshid=abc",
	    "_hsenc=abc", "_hsmi=abc", "yclid=abc", "source=rss----1" };
	size_t i;
	char url[256];

	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		snprintf(url, sizeof(url), "https://example.com/a?%s", params[i]);
		expect_key(url, "example.com/a");
		snprintf(url, sizeof(url), "https://example.com/a?id=7&%s&b=2",
		    params[i]);
		expect_key(url, "example.com/a?b=2&id=7");
	}
	/* Names that only look alike stay. */
	expect_key("https://example.com/a?reference=1", "example.com/a?reference=1");
	expect_key("https://example.com/a?source=web", "example.com/a?source=web");
}

Test(url, canonical_query_sorted_stably)
{
	expect_key("https://example.com/?b=2&a=1", "example.com?a=1&b=2");
	expect_key("https://example.com/p?z=1&a=2&a=1", "example.com/p?a=2&a=1&z=1");
	expect_key("https://example.com/p?a=1&&b=2&", "example.com/p?a=1&b=2");
	expect_key("https://example.com/p?", "example.com/p");
	expect_key("https://example.com/p?flag", "example.com/p?flag");
}

Test(url, canonical_percent_encoding)
{
	expect_key("https://example.com/a%2fb", "example.com/a%2Fb");
	expect_key("https://example.com/%7Euser", "example.com/~user");
	expect_key("https://example.com/%41bc", "example.com/Abc");
	expect_key("https://example.com/a?q=%e2%82%ac", "example.com/a?q=%E2%82%AC");
}

Test(url, canonical_variants_share_a_key)
{
	expect_same_key("http://example.com/story/1",
	    "https://www.example.com/story/1/?utm_source=rss#comments");
	expect_same_key("https://EXAMPLE.com:443/story/1?b=2&a=1",
	    "http://www.example.com/story/1?a=1&b=2&fbclid=xyz");
	expect_same_key("https://example.com/s/%7ex", "https://example.com/s/~x");
}

Test(url, canonical_rejects_non_http)
{
	expect_key("ftp://example.com/a", NULL);
	expect_key("mailto:a@example.com", NULL);
	expect_key("tag:example.com,2005:1", NULL);
	expect_key("/relative", NULL);
	expect_key("example.com/a", NULL);
	expect_key("", NULL);
	expect_key(NULL, NULL);
	expect_key("http://bad host/", NULL);
}

Test(url, host_and_is_http)
{
	char *h;

	h = url_host("https://WWW.Example.COM:8080/a?b");
	cr_assert_str_eq(h, "www.example.com");
	free(h);
	h = url_host("http://[::1]:8080/x");
	cr_assert_str_eq(h, "[::1]");
	free(h);
	cr_assert_null(url_host("/relative"));
	cr_assert_null(url_host(NULL));
	cr_assert_eq(url_is_http("http://a.example/"), 1);
	cr_assert_eq(url_is_http("HTTPS://a.example/"), 1);
	cr_assert_eq(url_is_http("ftp://a.example/"), 0);
	cr_assert_eq(url_is_http("mailto:x@y"), 0);
	cr_assert_eq(url_is_http("//a.example/"), 0);
	cr_assert_eq(url_is_http("http://bad host/"), 0);
	cr_assert_eq(url_is_http(NULL), 0);
}

/* Subscribe links as browsers and old OPML exports write them. */
Test(url, feed_scheme_is_http)
{
	const char *cases[][2] = {
		{ "feed://example.org/rss.xml", "http://example.org/rss.xml" },
		{ "FEED://example.org/a?b=1", "http://example.org/a?b=1" },
		{ "feed:https://example.org/atom", "https://example.org/atom" },
		{ "feed:http://example.org/atom", "http://example.org/atom" },
		{ "feed:example.org/x", "feed:example.org/x" },
		{ "https://example.org/feed://x", "https://example.org/feed://x" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = url_from_feed_scheme(cases[i][0]);

		cr_expect_str_eq(got, cases[i][1], "%s", cases[i][0]);
		free(got);
	}
	cr_expect_null(url_from_feed_scheme(NULL));
}

/* Links already in curl's form skip the parse; the others still go
 * through it and come back normalised the same way. */
Test(url, plain_links_and_their_near_misses)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "https://news.ex.org/2024/01/a-b_c~d/?p=1&q=%E2%80%99#top",
		  "https://news.ex.org/2024/01/a-b_c~d/?p=1&q=%E2%80%99#top" },
		{ "http://a.com", "http://a.com/" },
		{ "http://a.com/./x/../y", "http://a.com/y" },
		{ "http://a.com/x/..", "http://a.com/" },
		{ "http://127.1/x", "http://127.0.0.1/x" },
		{ "http://a.com/x?", "http://a.com/x" },
		{ "http://a.com/x#", "http://a.com/x" },
		{ "HTTP://a.com/x", "http://a.com/x" },
		{ "  http://a.com/x \n", "http://a.com/x" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *r = url_resolve("http://base.example/", cases[i].in);

		cr_expect_str_eq(r, cases[i].want, "%s", cases[i].in);
		free(r);
	}
	cr_expect(url_is_http("https://ex.org/a?b=c"));
	cr_expect(url_is_http("http://ex.org/x/../y"));
	cr_expect(!url_is_http("ftp://ex.org/"));
}

/* curl's verdict on url, which url_is_http must give, fast path or not. */
static int
curl_takes(const char *url)
{
	CURLU	*h = curl_url();
	int	 ok = curl_url_set(h, CURLUPART_URL, url,
	    CURLU_NON_SUPPORT_SCHEME | CURLU_ALLOW_SPACE) == CURLUE_OK;

	curl_url_cleanup(h);
	return ok;
}

/* Hosts in capitals skip curl, IPv4 hosts do not: the same verdicts. */
Test(url, is_http_without_curl_agrees_with_curl)
{
	static const char *const cases[] = {
		"http://127.0.0.1/blog", "https://10.0.255.1/a?b=c#d",
		"http://0.0.0.0/", "http://255.255.255.255/x",
		"http://256.1.1.1/x", "http://01.2.3.4/x", "http://1.2.3/x",
		"http://1.2.3.4.5/x", "http://1..2.3/x", "http://1.2.3.4:80/x",
		"http://1.2.3.4", "http://f9-www.Dicas-L.com.br/d/2020.php",
		"HTTP://WWW.EXAMPLE.COM/", "http://Ex.org/a/../b",
		"http://A.B./x", "http://.a.com/x", "http://a_b.com/x",
		"http://a.com:x/", "http://u@a.com/", "http://[::1]/x",
		"http://a b.com/", "http://1234/x", "http://0x7f.1/x",
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		cr_expect_eq(url_is_http(cases[i]), curl_takes(cases[i]), "%s",
		    cases[i]);
}
