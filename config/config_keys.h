/*
 * config_keys: the one table of configuration keys (section, key, type,
 * bounds, default, where it is stored) and the typed setters that read
 * a value into a struct config, feed_conf or rule_conf.  Private to
 * config/.
 */
#ifndef FEEDD_CONFIG_KEYS_H
#define FEEDD_CONFIG_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

enum key_scope {
	SCOPE_NONE,	/* before any section */
	SCOPE_INVALID,	/* a section already reported as wrong */
	SCOPE_DAEMON,	/* [daemon], [output], [alerts]: in this order */
	SCOPE_OUTPUT,
	SCOPE_ALERTS,
	SCOPE_FEED,	/* [feed "NAME"] -> struct feed_conf */
	SCOPE_ALERT,	/* [alert "NAME"] -> struct rule_conf */
};

enum key_type {
	KT_DURATION,	/* int64_t seconds */
	KT_SIZE,	/* int64_t bytes */
	KT_INT,		/* int */
	KT_STRING,	/* char * */
	KT_PATH,	/* char *, made absolute after load */
	KT_ENUM,	/* int, index into names */
	KT_URL,		/* char *: http, https or file */
	KT_LISTEN,	/* char *: HOST:PORT */
	KT_MATCH,	/* rule_conf match + expr */
	KT_BOOL,	/* int 0 or 1: on/off, yes/no, true/false */
};

struct config_key {
	enum key_scope scope;
	const char *name;
	enum key_type type;
	int64_t	 min, max;	/* for durations, sizes and ints */
	const char *range;	/* the bounds as a user writes them */
	const char *def;	/* default as written in a file; NULL: unset */
	size_t	 off;		/* into the scope's struct */
	const char *const *names;	/* KT_ENUM values, NULL-terminated */
};

extern const struct config_key config_keys[];
#define CONFIG_NKEYS	28

const struct config_key *config_key_find(enum key_scope scope,
	    const char *name);
/* Parses value into base + k->off.  -1 with *errstr (caller frees). */
int	 config_key_set(const struct config_key *k, void *base,
	    const char *value, char **errstr);
/* Every [daemon], [output] and [alerts] default into cfg. */
void	 config_keys_defaults(struct config *cfg);
/*
 * Frees what the keys of scope stored in base: a struct config for
 * [daemon], [output] or [alerts], else the section's feed_conf or
 * rule_conf.
 */
void	 config_keys_free(enum key_scope scope, void *base);

#endif
