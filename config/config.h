/*
 * config: the typed configuration.  config_load reads the INI file with
 * inih, through one table of keys, and reports every problem in one pass
 * as "FILE:LINE: message".  A struct config is complete and valid or not
 * returned at all.
 *
 * Besides the file itself, every `*.conf` file in the folder `feeds.d`
 * beside it is read, in name order; those files hold only
 * [feed "NAME"] sections (`feedd import-opml` appends to
 * feeds.d/imported.conf, `feedd add` to feeds.d/added.conf).  A feed name must be unique across all files.
 */
#ifndef FEEDD_CONFIG_H
#define FEEDD_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "config/match.h"

enum alert_format {
	ALERT_FORMAT_TEXT,
	ALERT_FORMAT_JSON,
};

/* A [feed "NAME"] or [alert "NAME"] section: its name and where it is. */
struct conf_def {
	char	*name;
	const char *file;	/* one of the config's files */
	int	 line;
	int	 name_holds_url;	/* a feed's url lies in name's block */
};

struct feed_conf {
	struct conf_def def;
	char	*url;
	int64_t	 interval;	/* seconds; the [daemon] interval when unset */
	char	*tags;		/* comma-separated, or NULL */
};

struct rule_conf {
	struct conf_def def;
	char	*match;		/* the expression as written */
	struct match_expr *expr;	/* compiled at load */
	char	*feed_file;	/* its alert feed's file name, unique */
};

struct config {
	char	*path;		/* the config file as given */
	char	*dir;		/* its folder, absolute */

	/* [daemon]; every path here is absolute after load */
	char	*state_dir;
	char	*database;
	int64_t	 interval;	/* seconds */
	int	 concurrency;
	int	 per_host;
	int64_t	 timeout;	/* seconds */
	int64_t	 max_size;	/* bytes */
	char	*user_agent;
	int	 log_level;	/* enum log_level */
	int64_t	 retention;	/* seconds */
	int	 group_stories;	/* group items of one event across feeds */
	int64_t	 group_window;	/* seconds: how far back a story is open */
	int	 allow_private;	/* fetch from private addresses too */

	/* [output] */
	char	*atom_path;	/* NULL when unset */
	char	*json_path;	/* NULL when unset */
	char	*title;
	int	 max_entries;
	char	*alert_feeds_dir;	/* NULL when unset */
	char	*listen;	/* "127.0.0.1:8787", or NULL */
	char	*output_url;	/* public URL of the Atom feed, or NULL */

	/* [alerts] */
	char	*alert_log;	/* NULL when unset */
	enum alert_format alert_format;
	int64_t	 alert_max_age;	/* seconds */

	struct feed_conf *feeds;
	size_t	 nfeeds;
	/* feeds by name, hashed (config.c; empty in a config made by hand) */
	struct feed_name_index {
		uint32_t *slot;		/* feed index + 1; 0 is empty: 4 bytes
					 * a slot, not 8, at two slots or more
					 * a feed (100,000 feeds: 1 MB) */
		size_t	 cap;		/* a power of two */
	} feed_names;
	struct rule_conf *rules;
	size_t	 nrules;
	/* the files read, in order: feeds and rules name theirs from here */
	char	**files;
	size_t	 nfiles;
};

/* Collected problems, each "FILE:LINE: message". */
struct config_errors {
	char	**msgs;
	size_t	 n;
};

/*
 * Loads path.  Returns the config (caller frees with config_free), or
 * NULL with every problem appended to errs.  errs is filled in either
 * case only with errors; warnings are not errors.
 */
struct config *config_load(const char *path, struct config_errors *errs);
/*
 * The file name of a rule's alert feed ("china-ai.xml", "大模型.xml") in
 * [output] alert_feeds: each character but letters and digits of any
 * script, '-', '_' (and '.' but as the first) becomes one '_'.  Two
 * rules with one file name are refused at load; a rule keeps its own as
 * feed_file.  Caller frees.
 */
char	*config_rule_filename(const char *rule);
void	 config_free(struct config *cfg);			/* NULL ok */
void	 config_errors_cleanup(struct config_errors *errs);

/* Default path: $FEEDD_CONFIG, else /etc/feedd/feedd.conf. */
const char *config_default_path(void);
/*
 * The one parser of [output] listen: "HOST:PORT", "[V6]:PORT", ":PORT"
 * or "PORT" (no host: 127.0.0.1); an IPv6 address needs its brackets.
 * *host is the address without brackets (caller frees).  0, or -1 when
 * it is not of that shape or the port is not 0-65535.
 */
int	 config_parse_listen(const char *listen, char **host, int *port);

/* Looks a feed up by name (hashed: `status` looks up each of its
 * feeds); NULL when absent. */
const struct feed_conf *config_find_feed(const struct config *cfg,
	    const char *name);

#endif
