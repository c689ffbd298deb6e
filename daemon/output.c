/*
 * output: placeholder until the real renderer lands.
 */
#include "daemon/output.h"
#include <stdlib.h>

#include "daemon/xmalloc.h"

struct output {
	int64_t	 generation;
};

struct output *
output_new(void)
{
	return xcalloc(1, sizeof(struct output));
}

void
output_free(struct output *out)
{
	free(out);
}

int
output_render(struct output *out, struct store *st, const struct config *cfg,
    int force, char **errstr)
{
	(void)out; (void)st; (void)cfg; (void)force;
	*errstr = xstrdup("output: not built yet");
	return -1;
}
