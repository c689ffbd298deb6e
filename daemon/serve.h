/*
 * serve: the optional read-only HTTP server ([output] listen) on
 * libmicrohttpd: the output files, /metrics and /healthz.
 */
#ifndef FEEDD_SERVE_H
#define FEEDD_SERVE_H

#include "config/config.h"
#include "daemon/metrics.h"

struct server;

/*
 * Starts serving cfg's outputs on cfg->listen.  The server keeps its
 * own copies of what it needs from cfg; m must outlive it.  NULL with
 * *errstr when it cannot listen.
 */
struct server *server_start(const struct config *cfg, struct metrics *m,
	    char **errstr);
void	 server_stop(struct server *srv);		/* NULL ok */
/*
 * Splits [output] listen: "HOST:PORT", "[V6]:PORT", ":PORT" or "PORT"
 * (no host: 127.0.0.1).  *host is the address without brackets (caller
 * frees).  0, or -1 when it is not of that shape or the port is not
 * 0-65535.
 */
int	 serve_parse_listen(const char *listen, char **host, int *port);
/* The TCP port it listens on (useful with port 0 in tests); -1 if unknown. */
int	 server_port(const struct server *srv);

#endif
