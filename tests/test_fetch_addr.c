/*
 * test_fetch_addr: the address policy's ranges (daemon/fetch_addr.c).
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/fetch.h"
#include "daemon/fetch_addr.h"

/* The range of a textual address (v4 or v6), or NULL when public. */
static const char *
range_of(const char *text)
{
	struct sockaddr_in in = { 0 };
	struct sockaddr_in6 in6 = { 0 };

	if (inet_pton(AF_INET, text, &in.sin_addr) == 1) {
		in.sin_family = AF_INET;
		return addr_private_range((struct sockaddr *)&in);
	}
	cr_assert_eq(inet_pton(AF_INET6, text, &in6.sin6_addr), 1, "%s", text);
	in6.sin6_family = AF_INET6;
	return addr_private_range((struct sockaddr *)&in6);
}

Test(fetch_addr, refused_ranges)
{
	const char *bad[] = { "127.0.0.1", "127.255.1.2", "10.1.2.3",
	    "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
	    "100.64.0.1", "100.100.100.200", "0.0.0.0", "224.0.0.1",
	    "255.255.255.255", "198.18.0.1", "::1", "::", "fe80::1",
	    "fc00::1", "fd00:ec2::254", "ff02::1", "::ffff:127.0.0.1",
	    "::ffff:169.254.169.254", "64:ff9b::a00:1", "2002:7f00:1::1",
	    "fec0::1", "2001:db8::1", "100::1", "::a00:1", "ff0e::1" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_not_null(range_of(bad[i]), "%s is refused", bad[i]);
	cr_assert_str_eq(range_of("127.0.0.2"), "loopback");
	cr_assert_str_eq(range_of("::1"), "loopback");
	cr_assert_str_eq(range_of("100.72.1.1"), "CGNAT (shared)");
	cr_assert_str_eq(range_of("::ffff:10.9.8.7"), "private");
	cr_assert_str_eq(range_of("2002:c0a8:101::1"), "private");
	cr_assert_str_eq(range_of("fe80::1"), "link-local");
	cr_assert_str_eq(range_of("0.1.2.3"), "this network");
}

Test(fetch_addr, public_addresses_pass)
{
	const char *good[] = { "1.1.1.1", "8.8.8.8", "172.32.0.1",
	    "172.15.255.255", "100.63.255.255", "100.128.0.1", "192.169.0.1",
	    "169.255.0.1", "2606:4700::1111", "2a00:1450:4001::200e",
	    "::ffff:8.8.8.8", "2002:808:808::1", "64:ff9b::808:808",
	    "2001:db9::1", "100::1:0:0:0:1", "fbff::1", "fe7f::1" };

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		cr_assert_null(range_of(good[i]), "%s is public", good[i]);
}

Test(fetch_addr, hosts_that_name_a_local_thing)
{
	const char *local[] = { "127.0.0.1", "10.0.0.5", "[::1]",
	    "[fe80::1%25eth0]", "localhost", "LOCALHOST.", "nas", "printer.lan",
	    "a.localhost", "box.local", "svc.internal", "r.home.arpa" };
	const char *public[] = { "example.com", "8.8.8.8", "[2606:4700::1]",
	    "localhost.example.com", "lan.example.org", "" };

	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
		cr_assert(addr_host_is_local(local[i]), "%s", local[i]);
	for (size_t i = 0; i < sizeof(public) / sizeof(public[0]); i++)
		cr_assert_not(addr_host_is_local(public[i]), "%s", public[i]);
}

/*
 * Error lines end with the feed's URL; a private feed's user and
 * password (https://user:token@host/feed) must not go to the journal.
 */
Test(fetch_addr, url_shown_without_credentials)
{
	static const char *const cases[][2] = {
		{ "https://bob:hunter2@example.com/feed?a=1&b=2",
		  "https://example.com/feed?a=1&b=2" },
		{ "http://token@example.com:8080/rss", "http://example.com:8080/rss" },
		{ "https://example.com/feed.xml", "https://example.com/feed.xml" },
		{ "file:///var/lib/feeds/a.xml", "file:///var/lib/feeds/a.xml" },
		{ "not a url", "not a url" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = fetch_url_shown(cases[i][0]);

		cr_expect_str_eq(got, cases[i][1], "%s", cases[i][0]);
		free(got);
	}
}
