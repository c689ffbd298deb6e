/*
 * config_keys: the key table and its typed setters.  Defaults are
 * written as a user would write them and go through the same setters,
 * so a default can never be out of its own bounds unnoticed.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config_keys.h"
#include "config/units.h"
#include "util/termtext.h"
#include "util/xmalloc.h"

#define OFF(f)	offsetof(struct config, f)
#define FOFF(f)	offsetof(struct feed_conf, f)
#define ROFF(f)	offsetof(struct rule_conf, f)
#define DAY	86400LL
#define KB	1024LL

static const char *const log_levels[] = {
	"debug", "info", "warning", "error", NULL,	/* enum log_level */
};
static const char *const no_yes[] = {
	"no", "yes", NULL,				/* int 0 / 1 */
};
static const char *const alert_formats[] = {
	"text", "json", NULL,				/* enum alert_format */
};

const struct config_key config_keys[CONFIG_NKEYS] = {
	{ SCOPE_DAEMON, "state_dir", KT_PATH, 0, 0, NULL, "/var/lib/feedd",
	    OFF(state_dir), NULL },
	{ SCOPE_DAEMON, "database", KT_PATH, 0, 0, NULL, "feedd.db",
	    OFF(database), NULL },
	{ SCOPE_DAEMON, "interval", KT_DURATION, 60, 30 * DAY, "1m to 30d",
	    "30m", OFF(interval), NULL },
	{ SCOPE_DAEMON, "concurrency", KT_INT, 1, 1024, "1 to 1024", "16",
	    OFF(concurrency), NULL },
	{ SCOPE_DAEMON, "per_host", KT_INT, 1, 64, "1 to 64", "2",
	    OFF(per_host), NULL },
	{ SCOPE_DAEMON, "timeout", KT_DURATION, 1, 3600, "1s to 1h", "30s",
	    OFF(timeout), NULL },
	{ SCOPE_DAEMON, "max_size", KT_SIZE, KB, 1024 * KB * KB,
	    "1KB to 1GB", "10MB", OFF(max_size), NULL },
	{ SCOPE_DAEMON, "user_agent", KT_STRING, 0, 0, NULL,
	    "feedd/" FEEDD_VERSION " (+https://example.org/feedd)",
	    OFF(user_agent), NULL },
	{ SCOPE_DAEMON, "log_level", KT_ENUM, 0, 0, NULL, "info",
	    OFF(log_level), log_levels },
	{ SCOPE_DAEMON, "retention", KT_DURATION, DAY, 36500 * DAY,
	    "1d to 36500d", "90d", OFF(retention), NULL },
	{ SCOPE_DAEMON, "group_stories", KT_BOOL, 0, 0, NULL, "on",
	    OFF(group_stories), NULL },
	{ SCOPE_DAEMON, "group_window", KT_DURATION, 3600, 30 * DAY,
	    "1h to 30d", "48h", OFF(group_window), NULL },
	{ SCOPE_DAEMON, "allow_private", KT_ENUM, 0, 0, NULL, "no",
	    OFF(allow_private), no_yes },

	{ SCOPE_OUTPUT, "atom", KT_PATH, 0, 0, NULL, "feed.xml",
	    OFF(atom_path), NULL },
	{ SCOPE_OUTPUT, "json", KT_PATH, 0, 0, NULL, NULL, OFF(json_path),
	    NULL },
	{ SCOPE_OUTPUT, "title", KT_STRING, 0, 0, NULL, "feedd", OFF(title),
	    NULL },
	{ SCOPE_OUTPUT, "max_entries", KT_INT, 1, 100000, "1 to 100000",
	    "200", OFF(max_entries), NULL },
	{ SCOPE_OUTPUT, "alert_feeds", KT_PATH, 0, 0, NULL, NULL,
	    OFF(alert_feeds_dir), NULL },
	{ SCOPE_OUTPUT, "listen", KT_LISTEN, 0, 0, NULL, NULL, OFF(listen),
	    NULL },
	{ SCOPE_OUTPUT, "url", KT_URL, 0, 0, NULL, NULL, OFF(output_url),
	    NULL },

	{ SCOPE_ALERTS, "log", KT_PATH, 0, 0, NULL, "alerts.log",
	    OFF(alert_log), NULL },
	{ SCOPE_ALERTS, "format", KT_ENUM, 0, 0, NULL, "text",
	    OFF(alert_format), alert_formats },
	{ SCOPE_ALERTS, "max_age", KT_DURATION, 60, 36500 * DAY,
	    "1m to 36500d", "48h", OFF(alert_max_age), NULL },

	{ SCOPE_FEED, "url", KT_URL, 0, 0, NULL, NULL, FOFF(url), NULL },
	{ SCOPE_FEED, "interval", KT_DURATION, 60, 30 * DAY, "1m to 30d",
	    NULL, FOFF(interval), NULL },
	{ SCOPE_FEED, "tags", KT_STRING, 0, 0, NULL, NULL, FOFF(tags), NULL },

	{ SCOPE_ALERT, "match", KT_MATCH, 0, 0, NULL, NULL, ROFF(match),
	    NULL },
	{ SCOPE_NONE, NULL, 0, 0, 0, NULL, NULL, 0, NULL },
};

const struct config_key *
config_key_find(enum key_scope scope, const char *name)
{
	for (const struct config_key *k = config_keys; k->name != NULL; k++)
		if (k->scope == scope && strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

static int
set_number(const struct config_key *k, void *field, const char *value,
    char **errstr)
{
	static const char *const expect[] = {
		[KT_DURATION] = "a duration such as 90s, 30m, 2h or 1d",
		[KT_SIZE] = "a size such as 512KB or 10MB",
		[KT_INT] = "a whole number",
	};
	int64_t n;
	int rc;
	char *end;

	if (k->type == KT_DURATION)
		rc = units_parse_duration(value, &n);
	else if (k->type == KT_SIZE)
		rc = units_parse_size(value, &n);
	else {
		errno = 0;
		n = strtoll(value, &end, 10);
		rc = (end == value || *end != '\0' || errno != 0) ? -1 : 0;
	}
	if (rc == -1) {
		*errstr = xasprintf("bad value for %s: '%s' (expected %s)",
		    k->name, value, expect[k->type]);
		return -1;
	}
	if (n < k->min || n > k->max) {
		*errstr = xasprintf("%s out of range: '%s' (allowed: %s)",
		    k->name, value, k->range);
		return -1;
	}
	if (k->type == KT_INT)
		*(int *)field = (int)n;
	else
		*(int64_t *)field = n;
	return 0;
}

static int
set_enum(const struct config_key *k, void *field, const char *value,
    char **errstr)
{
	size_t i;
	char *list;

	for (i = 0; k->names[i] != NULL; i++)
		if (strcasecmp(value, k->names[i]) == 0) {
			*(int *)field = (int)i;
			return 0;
		}
	list = xstrdup(k->names[0]);
	for (i = 1; k->names[i] != NULL; i++) {
		char *more = xasprintf("%s%s%s", list,
		    k->names[i + 1] == NULL ? " or " : ", ", k->names[i]);

		free(list);
		list = more;
	}
	*errstr = xasprintf("bad value for %s: '%s' (expected %s)", k->name,
	    value, list);
	free(list);
	return -1;
}

static int
set_bool(const struct config_key *k, void *field, const char *value,
    char **errstr)
{
	static const char *const names[] = {
		"off", "on", "no", "yes", "false", "true", "0", "1",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(value, names[i]) == 0) {
			*(int *)field = (int)(i & 1);
			return 0;
		}
	*errstr = xasprintf("bad value for %s: '%s' (expected on or off)",
	    k->name, value);
	return -1;
}

/* http://HOST..., https://HOST... or file:...; no blanks or controls. */
static int
url_ok(const char *url)
{
	for (const char *p = url; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return 0;
	/* a host, however short: "http://?x" has none */
	if (strncasecmp(url, "http://", 7) == 0)
		return strcspn(url + 7, "/?#") > 0;
	if (strncasecmp(url, "https://", 8) == 0)
		return strcspn(url + 8, "/?#") > 0;
	return strncasecmp(url, "file:", 5) == 0 && url[5] != '\0';
}

int
config_parse_listen(const char *listen, char **host, int *port)
{
	const char *colon, *p;
	char	*end;
	long	 v;

	if (listen[0] == '[') {
		if ((p = strchr(listen, ']')) == NULL || p[1] != ':')
			return -1;
		*host = xstrndup(listen + 1, (size_t)(p - listen - 1));
		colon = p + 1;
	} else if ((colon = strrchr(listen, ':')) == NULL) {
		*host = xstrdup("127.0.0.1");
		colon = listen - 1;
	} else if (memchr(listen, ':', (size_t)(colon - listen)) != NULL)
		return -1;		/* IPv6 without brackets */
	else
		*host = colon == listen ? xstrdup("127.0.0.1") :
		    xstrndup(listen, (size_t)(colon - listen));
	errno = 0;
	v = strtol(colon + 1, &end, 10);
	if (!isdigit((unsigned char)colon[1]) || *end != '\0' || errno != 0 ||
	    v < 0 || v > 65535 || **host == '\0') {
		free(*host);
		*host = NULL;
		return -1;
	}
	*port = (int)v;
	return 0;
}

static int
listen_ok(const char *s)
{
	char	*host;
	int	 port;

	if (config_parse_listen(s, &host, &port) == -1)
		return 0;
	free(host);
	return 1;
}

static int
set_text(const struct config_key *k, void *field, const char *value,
    char **errstr)
{
	char **slot = field;

	if (k->type == KT_URL && !url_ok(value)) {
		*errstr = xasprintf("bad value for url: '%s' (expected an "
		    "http://, https:// or file: URL)", value);
		return -1;
	}
	if (k->type == KT_LISTEN && !listen_ok(value)) {
		*errstr = xasprintf("bad value for listen: '%s' (expected "
		    "HOST:PORT such as 127.0.0.1:8787, or [V6]:PORT such as "
		    "[::1]:8787)", value);
		return -1;
	}
	free(*slot);
	*slot = xstrdup(value);
	return 0;
}

/* Columns of an expression an error quotes. */
#define MATCH_QUOTE_COLS	80

static int
set_match(void *base, const char *value, char **errstr)
{
	struct rule_conf *r = base;
	struct match_expr *expr;
	char *why = NULL;

	if ((expr = match_compile(value, &why)) == NULL) {
		/* the reason is what matters: a 1,000-term expression
		 * quoted whole pushed it past the error line's end */
		char *quoted = term_cut(value, MATCH_QUOTE_COLS);

		*errstr = xasprintf("bad match expression '%s': %s", quoted,
		    why ? why : "invalid");
		free(quoted);
		free(why);
		return -1;
	}
	match_free(r->expr);
	free(r->match);
	r->expr = expr;
	r->match = xstrdup(value);
	return 0;
}

int
config_key_set(const struct config_key *k, void *base, const char *value,
    char **errstr)
{
	void *field = (char *)base + k->off;

	if (*value == '\0') {
		if (k->def != NULL || k->scope >= SCOPE_FEED ||
		    k->type == KT_STRING) {
			*errstr = xasprintf("empty value for %s", k->name);
			return -1;
		}
		free(*(char **)field);	/* an optional path or address: unset */
		*(char **)field = NULL;
		return 0;
	}
	switch (k->type) {
	case KT_DURATION:
	case KT_SIZE:
	case KT_INT:
		return set_number(k, field, value, errstr);
	case KT_ENUM:
		return set_enum(k, field, value, errstr);
	case KT_BOOL:
		return set_bool(k, field, value, errstr);
	case KT_MATCH:
		return set_match(base, value, errstr);
	default:
		return set_text(k, field, value, errstr);
	}
}

void
config_keys_defaults(struct config *cfg)
{
	char *err = NULL;

	for (const struct config_key *k = config_keys; k->name != NULL; k++) {
		if (k->scope >= SCOPE_FEED || k->def == NULL)
			continue;
		if (config_key_set(k, cfg, k->def, &err) == -1)
			abort();	/* a default outside its own bounds */
	}
}

/* The struct a scope's keys are stored in: [daemon]'s for the three. */
static enum key_scope
key_struct(enum key_scope scope)
{
	return scope < SCOPE_FEED ? SCOPE_DAEMON : scope;
}

void
config_keys_free(enum key_scope scope, void *base)
{
	for (const struct config_key *k = config_keys; k->name != NULL; k++) {
		if (key_struct(k->scope) != key_struct(scope))
			continue;
		if (k->type == KT_STRING || k->type == KT_PATH ||
		    k->type == KT_LISTEN || k->type == KT_URL)
			free(*(char **)((char *)base + k->off));
		else if (k->type == KT_MATCH) {
			match_free(((struct rule_conf *)base)->expr);
			free(((struct rule_conf *)base)->match);
		}
	}
}
