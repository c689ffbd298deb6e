/*
 * config: placeholder; the INI loader replaces it.
 */
#include <stdlib.h>

#include "config/config.h"

const char *
config_default_path(void)
{
	const char *p = getenv("FEEDD_CONFIG");

	return p && *p ? p : "/etc/feedd/feedd.conf";
}
