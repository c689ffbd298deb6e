/*
 * query: what the read-only commands (feeds, items, search, alerts,
 * status) share: the config and a read-only database, and their
 * options.
 */
#ifndef FEEDD_QUERY_H
#define FEEDD_QUERY_H

#include "config/config.h"
#include "storage/store.h"

struct query {
	struct config *cfg;
	struct store *st;
};

/*
 * Loads the config and opens its database read-only.  EXIT_OK, or the
 * exit status with the reasons printed.  with_db 0: config only.
 */
int	 query_open(const char *cmd, const char *config_path, struct query *q,
	    int with_db);
void	 query_close(struct query *q);

struct qopts {
	const char *feed;	/* --feed */
	const char *rule;	/* --rule */
	const char *test;	/* --test */
	int	 limit;		/* --limit; DEFAULT_LIMIT */
	int	 json;		/* --json */
};

#define QUERY_DEFAULT_LIMIT 20

/*
 * Parses argv with the options named in allowed ('f' feed, 'r' rule,
 * 'n' limit, 't' test, 'j' json) into o; optind is left at the first
 * operand.  -1 (message printed) on a bad option.
 */
int	 query_parse_opts(int argc, char **argv, const char *allowed,
	    struct qopts *o);

/*
 * What every query command starts with: its options (allowed), its
 * words (words: one or more, else none) and the store.  EXIT_OK, or
 * the exit status to return.
 */
int	 query_start(int argc, char **argv, const char *config_path,
	    const char *allowed, int words, struct qopts *o, struct query *q);

/* "ok", "never", "gone" or "error": a feed's state in one word. */
const char *feed_state(const struct feed_row *f);

#endif
