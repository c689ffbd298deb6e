/*
 * fetch_addr: which addresses a feed may connect to (see fetch_addr.h).
 * The blocks are data, in special_addresses.tsv.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/fetch.h"
#include "daemon/fetch_addr.h"
#include "util/xmalloc.h"

struct special_block {
	const char	*cidr;			/* "10.0.0.0/8", "fe80::/10" */
	const char	*what;
};

static const struct special_block special_blocks[] = {
#include "special_addresses.inc"	/* made from special_addresses.tsv */
};

/* IPv4 addresses are compared as IPv4-mapped IPv6 ones, ::ffff:a.b.c.d. */
static const unsigned char v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0xff, 0xff };

static void
v4_to_mapped(unsigned char out[16], const unsigned char *v4)
{
	memcpy(out, v4_mapped, 12);
	memcpy(out + 12, v4, 4);
}

static int
prefix_equal(const unsigned char *a, const unsigned char *b, int bits)
{
	int bytes = bits / 8, rest = bits % 8;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));

	return memcmp(a, b, (size_t)bytes) == 0 &&
	    (rest == 0 || ((a[bytes] ^ b[bytes]) & mask) == 0);
}

/* The table is compiled in: a block that does not parse is a build bug. */
static int
in_block(const unsigned char a[16], const char *cidr)
{
	unsigned char net[16];
	char text[INET6_ADDRSTRLEN];
	const char *slash = strchr(cidr, '/');
	size_t len = slash ? (size_t)(slash - cidr) : sizeof(text);
	int bits = slash ? atoi(slash + 1) : -1, ok;

	if (len >= sizeof(text) || bits < 0)
		abort();
	memcpy(text, cidr, len);
	text[len] = '\0';
	if (strchr(text, ':') != NULL) {
		ok = inet_pton(AF_INET6, text, net) == 1 && bits <= 128;
	} else {
		memcpy(net, v4_mapped, 12);
		ok = inet_pton(AF_INET, text, net + 12) == 1 && bits <= 32;
		bits += 96;
	}
	if (!ok)
		abort();
	return prefix_equal(a, net, bits);
}

static const char *
special_block_of(const unsigned char a[16])
{
	for (size_t i = 0; i < sizeof(special_blocks) /
	    sizeof(special_blocks[0]); i++)
		if (in_block(a, special_blocks[i].cidr))
			return special_blocks[i].what;
	return NULL;
}

/* a: 16 bytes, IPv4 as IPv4-mapped. */
static const char *
special_range(const unsigned char a[16])
{
	static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b };
	static const unsigned char compat[12];
	const char *what = special_block_of(a);
	unsigned char v4[16];

	if (what != NULL)
		return what;
	/* addresses that carry an IPv4 one are judged by it */
	if (memcmp(a, nat64, 12) == 0 || memcmp(a, compat, 12) == 0)
		v4_to_mapped(v4, a + 12);
	else if (a[0] == 0x20 && a[1] == 0x02)		/* 2002::/16 6to4 */
		v4_to_mapped(v4, a + 2);
	else
		return NULL;
	return special_block_of(v4);
}

const char *
addr_private_range(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		unsigned char a[16];

		v4_to_mapped(a, (const unsigned char *)&in->sin_addr);
		return special_range(a);
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		return special_range(in6->sin6_addr.s6_addr);
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
		return inet_pton(AF_INET6, v6, a) == 1 &&
		    special_range(a) != NULL;
	}
	if (inet_pton(AF_INET, host, a + 12) == 1) {
		memcpy(a, v4_mapped, 12);
		return special_range(a) != NULL;
	}
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

char *
fetch_url_shown(const char *url)
{
	CURLU *u = curl_url();
	char *user = NULL, *shown = NULL, *out;

	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_USER, NULL, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) == CURLUE_OK)
		curl_url_get(u, CURLUPART_URL, &shown, 0);
	out = xstrdup(shown ? shown : url);
	curl_free(user);
	curl_free(shown);
	curl_url_cleanup(u);
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
