/*
 * fetch_addr: the address policy of outgoing connections.  Loopback,
 * private, link-local, CGNAT, multicast, reserved and cloud-metadata
 * addresses (IPv4 and IPv6) are refused at connect time, so redirects
 * and DNS answers that change between lookups are covered too.  A feed
 * whose configured URL itself names such a host keeps reaching it.
 */
#ifndef FEEDD_FETCH_ADDR_H
#define FEEDD_FETCH_ADDR_H

#include <sys/socket.h>

#include <curl/curl.h>

/*
 * The range sa falls in when it is not a public address ("loopback",
 * "private", "link-local", ...), or NULL when it is public.
 */
const char *addr_private_range(const struct sockaddr *sa);

/*
 * Whether a URL's host names a local thing itself: an IP literal in a
 * refused range, "localhost", a name without a dot, or a name under
 * .localhost, .local, .internal, .lan or .home.arpa.  Only then may the
 * feed configured with it connect to a private address (and only while
 * the request stays on that host).
 */
int	 addr_host_is_local(const char *host);

/* "127.0.0.1" or "::1" of sa into out (INET6_ADDRSTRLEN). */
void	 addr_format(const struct sockaddr *sa, char *out, size_t len);

/*
 * The policy on one curl easy handle: every new connection (open-socket
 * callback) and every request on a reused one (prereq callback) is
 * checked against the address it goes to.  origin: the URL the user
 * configured or typed, whose host may be a local one (then private
 * addresses are allowed while the request stays on that host name).
 * Embedded in the transfer's struct; must outlive the handle's use.
 */
struct addr_guard {
	CURL	*easy;
	char	*origin_host;
	int	 origin_local;
	int	 allow_all;		/* allow_private = yes */
	char	*refused;		/* why a connection was refused */
};

void	 addr_guard_init(struct addr_guard *g, const char *origin,
	    int allow_private);
void	 addr_guard_attach(struct addr_guard *g, CURL *easy);
void	 addr_guard_cleanup(struct addr_guard *g);

#endif
