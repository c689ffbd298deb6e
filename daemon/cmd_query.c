/* daemon/cmd_query.c: placeholder until its capability is built. */
#include <stdio.h>

#include "daemon/cmd.h"

int
cmd_feeds(int argc, char **argv, const char *config_path)
{
	(void)argc;
	(void)config_path;
	cmd_error(argv[0], "not built yet");
	return EXIT_USAGE;
}

int
cmd_items(int argc, char **argv, const char *config_path)
{
	(void)argc;
	(void)config_path;
	cmd_error(argv[0], "not built yet");
	return EXIT_USAGE;
}

int
cmd_search(int argc, char **argv, const char *config_path)
{
	(void)argc;
	(void)config_path;
	cmd_error(argv[0], "not built yet");
	return EXIT_USAGE;
}

int
cmd_alerts(int argc, char **argv, const char *config_path)
{
	(void)argc;
	(void)config_path;
	cmd_error(argv[0], "not built yet");
	return EXIT_USAGE;
}

