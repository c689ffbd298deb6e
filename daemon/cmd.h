/*
 * cmd: the subcommand table.  Each command is one function taking its
 * own arguments (argv[0] is the command name, `-c FILE` already taken
 * out by main) and the config path, and returning the exit status; a
 * read-only query command is a function of the opened query instead
 * (query.h), its options named in the table.
 */
#ifndef FEEDD_CMD_H
#define FEEDD_CMD_H

/* Exit statuses, INTERFACE.md. */
#define EXIT_OK		0
#define EXIT_RUNTIME	1
#define EXIT_USAGE	2

struct config;
struct query;

struct cmd {
	const char *name;
	const char *usage;	/* arguments after the name */
	const char *summary;	/* one line for --help */
	int	  (*exec)(int argc, char **argv, const char *config_path);
	const char *help;	/* columns, options, an example; or NULL */
	/*
	 * A read-only query command has query instead of exec: query_run
	 * parses its options (opts, as query_parse_opts names them) and
	 * its words (QUERY_WORDS: one or more, else none), then calls it.
	 */
	int	  (*query)(struct query *q);
	const char *opts;
	int	  flags;
};

#define QUERY_WORDS	0x1	/* one or more operands */
#define QUERY_DB_IF_ANY	0x2	/* runs before there is a database (q->st
				 * NULL): `feeds` lists the configured ones */

/* Finds a command by name; NULL when unknown. */
const struct cmd *cmd_find(const char *name);
/* Prints "usage: feedd NAME USAGE" to stderr and returns EXIT_USAGE. */
int	 cmd_usage(const struct cmd *cmd);
/* "feedd: CMD: message" on stderr. */
void	 cmd_error(const char *cmd, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * After getopt_long(argc, argv, ":", ...) with opterr 0 returned c:
 * for a missing value (':') or an unknown option ('?') prints which
 * and returns -1; else 0.
 */
int	 cmd_opt_check(char **argv, int c);

/*
 * The config at config_path, or NULL with its problems printed (the
 * command then exits EXIT_USAGE).
 */
struct config *cmd_config_load(const char *cmd, const char *config_path);

/* After a config change: SIGHUP to a running `feedd run`, or how to. */
void	 cmd_notify_daemon(const struct config *cfg);

int	 cmd_run(int, char **, const char *);
int	 cmd_once(int, char **, const char *);
int	 cmd_parse(int, char **, const char *);
int	 cmd_check_config(int, char **, const char *);
int	 cmd_feeds(struct query *);
int	 cmd_items(struct query *);
int	 cmd_stories(struct query *);
int	 cmd_search(struct query *);
int	 cmd_alerts(struct query *);
int	 cmd_status(int, char **, const char *);
int	 cmd_add(int, char **, const char *);
int	 cmd_remove(int, char **, const char *);
int	 cmd_repair(int, char **, const char *);
int	 cmd_import_opml(int, char **, const char *);
int	 cmd_export_opml(int, char **, const char *);

#endif
