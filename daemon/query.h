/*
 * query: what the read-only commands (feeds, items, search, alerts,
 * status) share: the config and a read-only database, and their
 * options.
 */
#ifndef FEEDD_QUERY_H
#define FEEDD_QUERY_H

#include "config/config.h"
#include "daemon/table.h"
#include "storage/store.h"

struct qopts {
	const char *feed;	/* --feed */
	const char *rule;	/* --rule */
	const char *test;	/* --test */
	int	 limit;		/* --limit; DEFAULT_LIMIT */
	int	 json;		/* --json */
};

struct query {
	const char *cmd;	/* the command's name, for messages */
	struct config *cfg;
	struct store *st;
	struct qopts opt;
	struct out out;		/* out_init'ed from opt.json */
	char	**words;	/* the operands after the options */
	int	 nwords;
};

enum query_db {
	QUERY_NO_DB,		/* the config only */
	QUERY_DB,		/* and the database, which must exist */
	QUERY_DB_OPTIONAL,	/* and the database when there is one */
};

/*
 * Loads the config and opens its database read-only, as db says.
 * EXIT_OK, or the exit status with the reasons printed.
 */
int	 query_open(const char *cmd, const char *config_path, struct query *q,
	    enum query_db db);
void	 query_close(struct query *q);

#define QUERY_DEFAULT_LIMIT 20

/*
 * Parses argv with the options named in allowed ('f' feed, 'r' rule,
 * 'n' limit, 't' test, 'j' json) into o; optind is left at the first
 * operand.  -1 (message printed) on a bad option.
 */
int	 query_parse_opts(int argc, char **argv, const char *allowed,
	    struct qopts *o);

struct cmd;

/*
 * What every query command is: its options (cmd->opts), its words
 * (cmd->flags) and the store, then cmd->query,
 * which prints and returns the exit status.
 */
int	 query_run(int argc, char **argv, const char *config_path,
	    const struct cmd *cmd);
/* Says the store's last error for q's command; EXIT_RUNTIME. */
int	 query_fail(const struct query *q);

/* "ok", "never", "gone" or "error": a feed's state in one word. */
const char *feed_state(const struct feed_row *f);

#endif
