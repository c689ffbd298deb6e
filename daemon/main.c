/*
 * main: global options (-c/--config, --version, --help), the subcommand
 * table, and the mapping of each command's result to an exit status.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "daemon/cmd.h"
#include "util/log.h"

static const struct cmd commands[] = {
	{ "run", "", "poll every feed on its schedule until SIGTERM", cmd_run },
	{ "once", "", "poll every feed once, write outputs, exit", cmd_once },
	{ "parse", "[--base URL] [--charset NAME] FILE...|-",
	    "parse feed documents and print them as JSON", cmd_parse },
	{ "check-config", "", "validate the configuration", cmd_check_config },
	{ "feeds", "", "list feeds and their fetch state", cmd_feeds },
	{ "items", "[--feed NAME] [--limit N]", "newest stored items",
	    cmd_items },
	{ "search", "QUERY", "full-text search over stored items", cmd_search },
	{ "alerts", "[--rule NAME] [--limit N] | --test EXPR",
	    "alerts fired, or what an expression would match", cmd_alerts },
	{ "import-opml", "FILE", "add the feeds of an OPML file",
	    cmd_import_opml },
	{ "export-opml", "", "write the subscriptions as OPML 2.0",
	    cmd_export_opml },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

const struct cmd *
cmd_find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int
cmd_usage(const struct cmd *cmd)
{
	fprintf(stderr, "usage: feedd [-c FILE] %s%s%s\n", cmd->name,
	    cmd->usage[0] ? " " : "", cmd->usage);
	return EXIT_USAGE;
}

void
cmd_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "feedd: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
print_help(FILE *fp)
{
	fprintf(fp, "usage: feedd [-c FILE] COMMAND [ARGS]\n"
	    "       feedd --version | --help | COMMAND --help\n\n"
	    "A feed aggregator daemon: polls RSS, Atom and JSON feeds, stores\n"
	    "each story once, writes one Atom feed and keyword alerts.\n\n"
	    "Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(fp, "  %-13s %s\n", commands[i].name,
		    commands[i].summary);
	fprintf(fp, "\nOptions:\n"
	    "  -c, --config FILE  configuration file (default: $FEEDD_CONFIG,\n"
	    "                     else /etc/feedd/feedd.conf)\n"
	    "\nSee feedd(8) and feedd.conf(5).\n");
}

/*
 * Takes -c/--config out of argv wherever it stands (before or after the
 * command name) and compacts the rest.  0, or -1 when its value is missing.
 */
static int
take_config_option(int *argc, char **argv, const char **config_path)
{
	int out = 1;

	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
			if (i + 1 >= *argc)
				return -1;
			*config_path = argv[++i];
		} else if (strncmp(a, "--config=", 9) == 0) {
			*config_path = a + 9;
		} else if (strncmp(a, "-c", 2) == 0 && a[2] != '\0' &&
		    out == 1) {
			*config_path = a + 2;
		} else
			argv[out++] = argv[i];
	}
	*argc = out;
	argv[out] = NULL;
	return 0;
}

static int
wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *config_path = config_default_path();
	const struct cmd *cmd;

	log_init(LOG_LEVEL_INFO);
	if (take_config_option(&argc, argv, &config_path) == -1) {
		fprintf(stderr, "feedd: option -c needs a file name\n");
		return EXIT_USAGE;
	}
	if (argc < 2) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("feedd %s\n", FEEDD_VERSION);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		print_help(stdout);
		return EXIT_OK;
	}
	if ((cmd = cmd_find(argv[1])) == NULL) {
		fprintf(stderr, "feedd: unknown command '%s' (see feedd --help)\n",
		    argv[1]);
		return EXIT_USAGE;
	}
	if (wants_help(argc - 1, argv + 1)) {
		printf("usage: feedd [-c FILE] %s %s\n%s\n", cmd->name,
		    cmd->usage, cmd->summary);
		return EXIT_OK;
	}
	return cmd->exec(argc - 1, argv + 1, config_path);
}
