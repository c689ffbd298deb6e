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
 * *errstr (the reason, without the address: the caller names it) when
 * it cannot listen.
 */
struct server *server_start(const struct config *cfg, struct metrics *m,
	    char **errstr);
void	 server_stop(struct server *srv);		/* NULL ok */
/*
 * Cuts the connections whose request head has been coming in for
 * longer than three idle timeouts (a byte now and then keeps one from
 * ever being idle: slowloris).  The daemon calls it on its heartbeat.
 * NULL ok.
 */
void	 server_reap(struct server *srv);
/* A reload: serve the files cfg names from now on.  NULL ok. */
void	 server_follow(struct server *srv, const struct config *cfg);
/* The TCP port it listens on (useful with port 0 in tests); -1 if unknown. */
int	 server_port(const struct server *srv);

#endif
