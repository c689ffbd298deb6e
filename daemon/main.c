/*
 * main: global options (-c/--config, --version, --help), the subcommand
 * table, and the mapping of each command's result to an exit status.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "daemon/cmd.h"
#include "daemon/query.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/termtext.h"

static const struct cmd commands[] = {
	{ "run", "", "poll every feed on its schedule until SIGTERM", cmd_run,
	    NULL, NULL, NULL, 0 },
	{ "once", "", "poll every feed once, write outputs, exit", cmd_once,
	    NULL, NULL, NULL, 0 },
	{ "parse", "[--base URL] [--charset NAME] FILE...|-",
	    "parse feed documents and print them as JSON", cmd_parse, NULL,
	    NULL, NULL, 0 },
	{ "check-config", "", "validate the configuration", cmd_check_config,
	    NULL, NULL, NULL, 0 },
	{ "feeds", "[--json]", "list feeds and their fetch state", NULL,
	    "Columns, tab-separated when piped: NAME, URL, STATUS (the last HTTP\n"
	    "status, ok, never, gone, or \"error: why\"), LAST FETCH, NEXT DUE\n"
	    "(RFC 3339), ITEMS (stories stored), ERRORS (failures in a row),\n"
	    "304 SHARE (\"304:75%\": fetches answered Not Modified), then\n"
	    "\"moved: URL\" after a permanent redirect and \"inactive\".\n"
	    "On a terminal: a table with ages (\"12 min ago\").\n\n"
	    "Options:\n"
	    "  --json  JSON Lines: name url active status http_status error\n"
	    "          last_fetch last_success next_due items consecutive_errors\n"
	    "          fetches not_modified redirect_url title link\n\n"
	    "Example:\n"
	    "  feedd feeds --json | jq -r 'select(.status == \"error\") | .name'\n",
	    cmd_feeds, "j", QUERY_DB_IF_ANY },
	{ "items", "[--feed NAME] [--limit N] [--json]",
	    "newest stored items, story by story", NULL,
	    "Every item, newest stories first, the items of one story together.\n"
	    "Columns, tab-separated when piped: DATE (published, else first\n"
	    "seen; RFC 3339), FEED, TITLE, LINK.  On a terminal: AGE, FEED,\n"
	    "TITLE, LINK, a story's later items indented under its first.\n\n"
	    "Options:\n"
	    "  --feed NAME  only stories with an item from that feed\n"
	    "  --limit N    at most N items (default 20)\n"
	    "  --json       JSON Lines: time published updated feed title link\n"
	    "               author story story_size joined_by\n\n"
	    "Example:\n"
	    "  feedd items --json | jq -r 'select(.story_size > 1) | .title'\n",
	    cmd_items, "fnj", 0 },
	{ "stories", "[--limit N] [--json]",
	    "stories (one event, one or more feeds) with their sources",
	    NULL,
	    "Columns, tab-separated when piped: DATE, STORY, ITEMS, FEED, TITLE,\n"
	    "LINK (the story's first item), then one \"+ FEED TITLE LINK\" line\n"
	    "per other source.  On a terminal: AGE, STORY, ITEMS, FEED, TITLE,\n"
	    "LINK and a line naming the other sources' feeds.\n\n"
	    "Options:\n"
	    "  --limit N  at most N stories (default 20)\n"
	    "  --json     JSON Lines: story time updated published title link\n"
	    "             feed size sources (each as items --json prints it)\n\n"
	    "Example:\n"
	    "  feedd stories --json | jq -r 'select(.size > 2) | .title'\n",
	    cmd_stories, "nj", 0 },
	{ "search", "[--limit N] [--json] QUERY",
	    "full-text search over stored items", NULL,
	    "QUERY is in the alert language: words, \"phrases\", AND, OR, NOT,\n"
	    "parentheses, prefix*.  Columns as for items (DATE, FEED, TITLE,\n"
	    "LINK), each hit followed by an indented line of matching text.\n\n"
	    "Options:\n"
	    "  --limit N  at most N hits (default 20)\n"
	    "  --json     JSON Lines: the items fields and snippet\n\n"
	    "Example:\n"
	    "  feedd search '\"open source\" AND model*'\n",
	    cmd_search, "nj", QUERY_WORDS },
	{ "alerts", "[--rule NAME | --test EXPR] [--limit N] [--json]",
	    "alerts fired, or what an expression would match", NULL,
	    "Lines as in the alert log: TIME RULE \"TITLE\" <LINK> (FEED).  On a\n"
	    "terminal: FIRED, RULE, FEED, TITLE, LINK.  With --test, the\n"
	    "stories the expression would match, columns as for items.\n\n"
	    "Options:\n"
	    "  --rule NAME  only alerts of that rule\n"
	    "  --limit N    at most N (default 20)\n"
	    "  --test EXPR  try an expression on what is stored\n"
	    "  --json       JSON Lines: time rule title link feed published\n"
	    "               story (with --test: the items fields)\n\n"
	    "Example:\n"
	    "  feedd alerts --test 'China AND (AI OR DeepSeek)'\n",
	    cmd_alerts, "rntj", 0 },
	{ "add", "[--name NAME] [--tags T] [--interval D] [--list] URL",
	    "add a feed, finding it when URL is a web page", cmd_add,
	    "URL is a feed, or a web page whose feeds are found: its <link\n"
	    "rel=\"alternate\"> elements, the conventions of WordPress, Blogger,\n"
	    "Substack, Medium, GitHub, YouTube, Reddit and Hacker News, then\n"
	    "/feed, /rss.xml, /atom.xml, /index.xml, /feed.json.  The feed is\n"
	    "checked to parse, refused when its URL is configured already, and\n"
	    "appended to feeds.d/added.conf; a running daemon gets SIGHUP.\n\n"
	    "Options:\n"
	    "  --name NAME    the feed's name (default: its title)\n"
	    "  --tags T       comma-separated tags\n"
	    "  --interval D   its own poll interval (10m, 2h, 1d)\n"
	    "  --list         list the feeds found; add none\n\n"
	    "Example:\n"
	    "  feedd add --tags rust,news https://www.reddit.com/r/rust/\n",
	    NULL, NULL, 0 },
	{ "remove", "NAME", "remove a feed added under feeds.d/", cmd_remove,
	    "Takes the feed's section out of the feeds.d/ file that defines it\n"
	    "(atomically; a running daemon gets SIGHUP).  A feed in the main\n"
	    "config is left alone: the error names the FILE:LINE to edit.\n\n"
	    "Example:\n"
	    "  feedd remove 'Hacker News'\n",
	    NULL, NULL, 0 },
	{ "status", "[--json]", "the state at a glance; exit 1 when something "
	    "needs attention", cmd_status,
	    "Lines KEY value (KEY, tab, value when piped): config; daemon\n"
	    "(running, pid, since); feeds (ok, failing, gone, never fetched);\n"
	    "failing and gone (one line per feed, with why); last poll; next\n"
	    "poll; 24 h (items, alerts); database (path, size);\n"
	    "atom, json, alert log (path, size, written), \"served at\" URL\n"
	    "while feedd run serves them;\n"
	    "attention (one line per problem, or \"none\").\n"
	    "Exit status 1 when something needs attention, else 0.\n\n"
	    "Options:\n"
	    "  --json  one JSON object: config running mode pid since feeds\n"
	    "          last_poll next_poll items_24h alerts_24h\n"
	    "          database database_bytes outputs attention ok\n\n"
	    "Example:\n"
	    "  feedd status >/dev/null || echo 'feedd needs attention'\n",
	    NULL, NULL, 0 },
	{ "repair", "[--check]", "check the database file and mend it "
	    "(daemon stopped)", cmd_repair,
	    "Checks the database (SQLite's integrity check, then the full-text\n"
	    "indexes' own) and says what is damaged.  Then rebuilds what is\n"
	    "derived from the tables (indexes, full-text indexes, kept HTML);\n"
	    "when the tables themselves are damaged, copies every row that can\n"
	    "still be read into a new file that takes the database's place,\n"
	    "keeps the damaged file beside it as DATABASE.damaged-TIME, and has\n"
	    "every feed fetched in full at the next poll, so what the feeds still\n"
	    "carry of the lost rows is stored again.  Takes the lock `run` and\n"
	    "`once` take: stop the daemon first.\n"
	    "Exit status 0 when the database is sound (or was mended), 1 when\n"
	    "it is not.\n\n"
	    "Options:\n"
	    "  --check  only check; exit 1 when something is damaged\n\n"
	    "Example:\n"
	    "  systemctl stop feedd && feedd repair; systemctl start feedd\n",
	    NULL, NULL, 0 },
	{ "import-opml", "FILE", "add the feeds of an OPML file",
	    cmd_import_opml, NULL, NULL, NULL, 0 },
	{ "export-opml", "", "write the subscriptions as OPML 2.0",
	    cmd_export_opml, NULL, NULL, NULL, 0 },
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
	fprintf(stderr, "feedd: usage: feedd [-c FILE] %s%s%s\n", cmd->name,
	    cmd->usage[0] ? " " : "", cmd->usage);
	return EXIT_USAGE;
}

struct config *
cmd_config_load(const char *cmd, const char *config_path)
{
	struct config_errors errs = { NULL, 0 };
	struct config *cfg;

	if ((cfg = config_load(config_path, &errs)) == NULL) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "feedd: %s\n", errs.msgs[i]);
		if (errs.n == 0)
			cmd_error(cmd, "%s: cannot load", config_path);
	}
	config_errors_cleanup(&errs);
	return cfg;
}

void
cmd_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	char msg[4096], safe[8192];
	int n;

	/* what it quotes (a path, a name, a server's words) stays one line */
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	term_copy(safe, sizeof(safe), msg, n < 0 ? 0 : (size_t)n < sizeof(msg) ?
	    (size_t)n : sizeof(msg) - 1, TERM_ESCAPE);
	fprintf(stderr, "feedd: %s: %s\n", cmd, safe);
}

int
cmd_opt_check(char **argv, int c)
{
	if (c != ':' && c != '?')
		return 0;
	const char *arg = argv[optind - 1];
	char	 opt[3] = { '-', (char)optopt, '\0' };

	/*
	 * An unknown letter in "-abc": getopt has not moved optind past
	 * the word yet, so argv[optind - 1] is the word before it.  (A long
	 * option given a value it takes none of, "--json=x", sets optopt
	 * too, and is that word.)
	 */
	if (c == '?' && optopt != 0 && !(strncmp(arg, "--", 2) == 0 &&
	    strchr(arg, '=') != NULL))
		arg = opt;
	cmd_error(argv[0], c == ':' ? "option '%s' needs a value" :
	    "unknown option '%s'", arg);
	return -1;
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

/*
 * What a command printed and could not get out (a full disk: a closed
 * pipe ends the process by SIGPIPE first) fails it, as a file would.
 * A command that failed has said why already.
 */
static int
stdout_done(const char *name, int rc)
{
	if (fs_flush(stdout) == 0 || rc != EXIT_OK)
		return rc;
	fprintf(stderr, "feedd: %s: standard output: %s\n", name,
	    strerror(errno));
	return EXIT_RUNTIME;
}

int
main(int argc, char **argv)
{
	const char *config_path = config_default_path();
	const struct cmd *cmd;
	int	 rc;

	log_init(LOG_LEVEL_INFO);
	if (take_config_option(&argc, argv, &config_path) == -1) {
		fprintf(stderr, "feedd: option -c needs a file name\n");
		return EXIT_USAGE;
	}
	if (argc < 2) {
		/* an error is one line (INTERFACE.md); the list is --help's */
		fprintf(stderr, "feedd: no command given (see feedd --help)\n");
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("feedd %s\n", FEEDD_VERSION);
		return stdout_done("--version", EXIT_OK);
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		print_help(stdout);
		return stdout_done("--help", EXIT_OK);
	}
	if ((cmd = cmd_find(argv[1])) == NULL) {
		char *s = term_str(argv[1], TERM_ESCAPE);

		fprintf(stderr, "feedd: unknown command '%s' (see feedd --help)\n",
		    s);
		free(s);
		return EXIT_USAGE;
	}
	if (wants_help(argc - 1, argv + 1)) {
		printf("usage: feedd [-c FILE] %s %s\n%s\n%s%s", cmd->name,
		    cmd->usage, cmd->summary, cmd->help ? "\n" : "",
		    cmd->help ? cmd->help : "");
		return stdout_done(cmd->name, EXIT_OK);
	}
	if (cmd->query != NULL)
		rc = query_run(argc - 1, argv + 1, config_path, cmd);
	else
		rc = cmd->exec(argc - 1, argv + 1, config_path);
	return stdout_done(cmd->name, rc);
}
