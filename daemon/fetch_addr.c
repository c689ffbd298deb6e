/*
 * fetch_addr: which addresses a feed may connect to (see fetch_addr.h).
 * The ranges are IANA's special-purpose registries (RFC 6890 and
 * successors) less the global ones, plus the metadata addresses clouds
 * put inside them.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "daemon/fetch_addr.h"

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
