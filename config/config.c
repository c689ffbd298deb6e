/*
 * config: placeholder; the INI loader replaces it.
 */
#include <stdlib.h>

#include "config/config.h"
#include "daemon/xmalloc.h"

struct config *
config_load(const char *path, struct config_errors *errs)
{
	errs->msgs = xreallocarray(errs->msgs, errs->n + 1, sizeof(char *));
	errs->msgs[errs->n++] = xasprintf("%s:0: config loader not built yet",
	    path);
	return NULL;
}

void
config_free(struct config *cfg)
{
	free(cfg);
}

void
config_errors_cleanup(struct config_errors *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		free(errs->msgs[i]);
	free(errs->msgs);
	errs->msgs = NULL;
	errs->n = 0;
}

const char *
config_default_path(void)
{
	const char *p = getenv("FEEDD_CONFIG");

	return p && *p ? p : "/etc/feedd/feedd.conf";
}

const struct feed_conf *
config_find_feed(const struct config *cfg, const char *name)
{
	(void)cfg;
	(void)name;
	return NULL;
}
