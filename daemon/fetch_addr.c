/*
 * fetch_addr: which addresses a feed may connect to (see fetch_addr.h).
 * The ranges are IANA's special-purpose registries (RFC 6890 and
 * successors) less the global ones, plus the metadata addresses clouds
 * put inside them.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/fetch.h"
#include "daemon/fetch_addr.h"
#include "util/xmalloc.h"

struct range4 {
	uint32_t	 net;
	int		 bits;
	const char	*what;
};

#define IP4(a, b, c, d)	(((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))

static const struct range4 ranges4[] = {
	{ IP4(0, 0, 0, 0), 8, "\"this network\"" },
	{ IP4(10, 0, 0, 0), 8, "private" },
	{ IP4(100, 64, 0, 0), 10, "CGNAT (shared)" },	/* 100.100.100.200: Alibaba metadata */
	{ IP4(127, 0, 0, 0), 8, "loopback" },
	{ IP4(169, 254, 0, 0), 16, "link-local (cloud metadata)" },
	{ IP4(172, 16, 0, 0), 12, "private" },
	{ IP4(192, 0, 0, 0), 24, "IETF protocol" },
	{ IP4(192, 0, 2, 0), 24, "documentation" },
	{ IP4(192, 88, 99, 0), 24, "6to4 relay" },
	{ IP4(192, 168, 0, 0), 16, "private" },
	{ IP4(198, 18, 0, 0), 15, "benchmarking" },
	{ IP4(198, 51, 100, 0), 24, "documentation" },
	{ IP4(203, 0, 113, 0), 24, "documentation" },
	{ IP4(224, 0, 0, 0), 4, "multicast" },
	{ IP4(240, 0, 0, 0), 4, "reserved" },
};

static const char *
range4(uint32_t a)
{
	for (size_t i = 0; i < sizeof(ranges4) / sizeof(ranges4[0]); i++) {
		uint32_t mask = ranges4[i].bits == 0 ? 0 :
		    0xffffffffu << (32 - ranges4[i].bits);

		if ((a & mask) == ranges4[i].net)
			return ranges4[i].what;
	}
	return NULL;
}

static uint32_t
v4_at(const unsigned char *p)
{
	return IP4(p[0], p[1], p[2], p[3]);
}

static const char *
range6(const unsigned char *a)
{
	static const unsigned char zero[16];
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };
	static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b };

	if (memcmp(a, zero, 15) == 0)
		return a[15] == 1 ? "loopback" : "unspecified";
	/* addresses that carry an IPv4 one are judged by it */
	if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0 ||
	    memcmp(a, zero, 12) == 0)
		return range4(v4_at(a + 12));
	if (a[0] == 0x20 && a[1] == 0x02)		/* 2002::/16 6to4 */
		return range4(v4_at(a + 2));
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return "link-local";
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0)
		return "site-local";
	if ((a[0] & 0xfe) == 0xfc)	/* fd00:ec2::254: AWS metadata */
		return "unique local (private)";
	if (a[0] == 0xff)
		return "multicast";
	if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8)
		return "documentation";
	if (a[0] == 0x01 && memcmp(a + 1, zero, 7) == 0)	/* 100::/64 */
		return "discard";
	return NULL;
}

const char *
addr_private_range(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		return range4(ntohl(in->sin_addr.s_addr));
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		return range6(in6->sin6_addr.s6_addr);
	}
	return "not an internet";
}

static int
ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len > n && s[len - n - 1] == '.' &&
	    strncasecmp(s + len - n, suffix, n) == 0;
}

int
addr_host_is_local(const char *host)
{
	static const char *const suffixes[] = { "localhost", "local",
	    "internal", "lan", "home.arpa" };
	unsigned char a[16];
	char v6[64];
	size_t len = strlen(host);

	if (len > 0 && host[len - 1] == '.')	/* the root label */
		len--;
	if (len == 0)
		return 0;
	if (host[0] == '[' && len < sizeof(v6) + 1 && host[len - 1] == ']') {
		memcpy(v6, host + 1, len - 2);
		v6[len - 2] = '\0';
		if (strchr(v6, '%'))		/* a zone: link-local */
			*strchr(v6, '%') = '\0';
		return inet_pton(AF_INET6, v6, a) == 1 && range6(a) != NULL;
	}
	if (inet_pton(AF_INET, host, a) == 1)
		return range4(v4_at(a)) != NULL;
	if (len == 9 && strncasecmp(host, "localhost", 9) == 0)
		return 1;
	if (memchr(host, '.', len) == NULL)
		return 1;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (ends_with(host, len, suffixes[i]))
			return 1;
	return 0;
}

void
addr_format(const struct sockaddr *sa, char *out, size_t len)
{
	const void *a = sa->sa_family == AF_INET6 ?
	    (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr :
	    (const void *)&((const struct sockaddr_in *)sa)->sin_addr;

	if (inet_ntop(sa->sa_family, a, out, (socklen_t)len) == NULL)
		snprintf(out, len, "?");
}

/* ---- the guard on a curl handle ---- */

char *
fetch_url_host(const char *url)
{
	CURLU *u = curl_url();
	char *h = NULL, *out;

	if (url != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK)
		curl_url_get(u, CURLUPART_HOST, &h, 0);
	out = xstrdup(h ? h : "");
	curl_free(h);
	curl_url_cleanup(u);
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return out;
}

void
addr_guard_init(struct addr_guard *g, const char *origin, int allow_private)
{
	memset(g, 0, sizeof(*g));
	g->origin_host = fetch_url_host(origin);
	g->origin_local = addr_host_is_local(g->origin_host);
	g->allow_all = allow_private;
}

void
addr_guard_cleanup(struct addr_guard *g)
{
	free(g->origin_host);
	free(g->refused);
	g->origin_host = g->refused = NULL;
}

/*
 * 0 when the handle may talk to sa; else -1 with g->refused set.  The
 * hop's host is the effective URL's: curl sets it to a redirect's
 * target before it connects there.
 */
static int
guard_check(struct addr_guard *g, const struct sockaddr *sa)
{
	const char *range;
	char addr[INET6_ADDRSTRLEN], *eff = NULL, *hop;
	int same;

	if (g->allow_all || (range = addr_private_range(sa)) == NULL)
		return 0;
	curl_easy_getinfo(g->easy, CURLINFO_EFFECTIVE_URL, &eff);
	hop = fetch_url_host(eff);
	same = strcmp(hop, g->origin_host) == 0;
	free(hop);
	if (g->origin_local && same)
		return 0;
	addr_format(sa, addr, sizeof(addr));
	free(g->refused);
	g->refused = xasprintf("address %s refused: %s (allow_private = yes "
	    "permits it)", addr, range);
	return -1;
}

/* A new connection: refused before it is made. */
static curl_socket_t
on_open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct addr_guard *g = arg;

	if (purpose == CURLSOCKTYPE_IPCXN && guard_check(g, &a->addr) == -1)
		return CURL_SOCKET_BAD;
	return socket(a->family, a->socktype, a->protocol);
}

/* Every request, on a new or a reused connection (the pool is shared). */
static int
on_prereq(void *arg, char *ip, char *local_ip, int port, int local_port)
{
	struct addr_guard *g = arg;
	struct sockaddr_in6 in6;
	struct sockaddr_in in;

	(void)local_ip, (void)port, (void)local_port;
	memset(&in, 0, sizeof(in));
	memset(&in6, 0, sizeof(in6));
	if (inet_pton(AF_INET, ip, &in.sin_addr) == 1) {
		in.sin_family = AF_INET;
		return guard_check(g, (struct sockaddr *)&in) == -1 ?
		    CURL_PREREQFUNC_ABORT : CURL_PREREQFUNC_OK;
	}
	if (inet_pton(AF_INET6, ip, &in6.sin6_addr) == 1) {
		in6.sin6_family = AF_INET6;
		return guard_check(g, (struct sockaddr *)&in6) == -1 ?
		    CURL_PREREQFUNC_ABORT : CURL_PREREQFUNC_OK;
	}
	return CURL_PREREQFUNC_OK;	/* a proxy's or a Unix socket's */
}

void
addr_guard_attach(struct addr_guard *g, CURL *easy)
{
	g->easy = easy;
	curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
	curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, g);
	curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, on_prereq);
	curl_easy_setopt(easy, CURLOPT_PREREQDATA, g);
}
