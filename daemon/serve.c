/*
 * serve: placeholder until the real HTTP server lands.
 */
#include <stdlib.h>

#include "daemon/serve.h"
#include "daemon/xmalloc.h"

struct server *
server_start(const struct config *cfg, struct metrics *m, char **errstr)
{
	(void)cfg; (void)m;
	*errstr = xstrdup("http server: not built yet");
	return NULL;
}

void
server_stop(struct server *srv)
{
	(void)srv;
}

int
server_port(const struct server *srv)
{
	(void)srv;
	return -1;
}
