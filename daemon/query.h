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

/*
 * Loads the config and opens its database read-only.  EXIT_OK, or the
 * exit status with the reasons printed.  with_db 0: config only.
 */
int	 query_open(const char *cmd, const char *config_path, struct query *q,
	    int with_db);
void	 query_close(struct query *q);

#define QUERY_DEFAULT_LIMIT 20

/*
 * Parses argv with the options named in allowed ('f' feed, 'r' rule,
 * 'n' limit, 't' test, 'j' json) into o; optind is left at the first
 * operand.  -1 (message printed) on a bad option.
 */
int	 query_parse_opts(int argc, char **argv, const char *allowed,
	    struct qopts *o);

/*
 * What every query command is: its options (allowed), its words
 * (words: one or more, else none) and the store, then run, which
 * prints and returns the exit status.
 */
int	 query_run(int argc, char **argv, const char *config_path,
	    const char *allowed, int words, int (*run)(struct query *q));
/* Says the store's last error for q's command; EXIT_RUNTIME. */
int	 query_fail(const struct query *q);

/* "ok", "never", "gone" or "error": a feed's state in one word. */
const char *feed_state(const struct feed_row *f);

#endif
