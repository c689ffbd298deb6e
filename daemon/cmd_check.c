/*
 * cmd_check: `feedd check-config`.  Loads the config the way `run` does
 * and prints every problem as "FILE:LINE: message" on stderr (exit 2),
 * or "FILE: ok (N feeds, M alerts)" on stdout (exit 0).  Under systemd
 * (the unit's ExecReload runs it before the SIGHUP) the problems go to
 * the journal at priority err, with a last line saying what it means
 * ("reload failed: keeping the old configuration", as the daemon says
 * when it refuses a SIGHUP itself).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/match.h"
#include "daemon/cmd.h"
#include "util/log.h"
#include "util/termtext.h"

/* A rule and its config, while its feed: terms are checked. */
struct feed_terms {
	const struct config *cfg;
	const struct rule_conf *rule;
};

/*
 * A feed:NAME naming no configured feed can never fire: a warning, not
 * an error, since `feedd remove` of the feed must still leave a config
 * that loads.  "alerts --rule" says as much of a rule name.
 */
static void
check_feed_term(const char *name, void *arg)
{
	const struct feed_terms *t = arg;
	char	*f, *r, *n;

	if (config_find_feed(t->cfg, name) != NULL)
		return;
	f = term_str(t->rule->def.file, TERM_ESCAPE);
	r = term_str(t->rule->def.name, TERM_ESCAPE);
	n = term_str(name, TERM_ESCAPE);
	if (log_journal())
		log_warnx("%s:%d: alert \"%s\": feed:%s names no configured "
		    "feed, so that part never matches", f, t->rule->def.line, r,
		    n);
	else
		fprintf(stderr, "%s:%d: warning: alert \"%s\": feed:%s names no "
		    "configured feed, so that part never matches\n", f,
		    t->rule->def.line, r, n);
	free(f);
	free(r);
	free(n);
}

int
cmd_check_config(int argc, char **argv, const char *config_path)
{
	struct config_errors errs = { NULL, 0 };
	struct config *cfg;
	FILE *fp;

	if (argc > 1)
		return cmd_usage(cmd_find(argv[0]));
	/* Not even a file to read: one plain error, as for any command. */
	if ((fp = fopen(config_path, "r")) == NULL ||
	    (getc(fp) == EOF && ferror(fp))) {
		const char *why = strerror(errno);
		char *s = term_str(config_path, TERM_ESCAPE);

		fprintf(stderr, "feedd: %s: %s\n", s, why);
		free(s);
		if (fp != NULL)
			fclose(fp);
		return EXIT_USAGE;
	}
	fclose(fp);
	if ((cfg = config_load(config_path, &errs)) == NULL) {
		for (size_t i = 0; i < errs.n; i++) {
			if (log_journal())
				log_errorx("%s", errs.msgs[i]);
			else
				fprintf(stderr, "%s\n", errs.msgs[i]);
		}
		/* The daemon's own words for a refused SIGHUP: one phrase
		 * to search the journal for, whichever refused it. */
		if (log_journal())
			log_errorx("%s: configuration refused; reload failed: "
			    "keeping the old configuration", config_path);
		config_errors_cleanup(&errs);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < cfg->nrules; i++) {
		struct feed_terms t = { cfg, &cfg->rules[i] };

		match_each_feed(cfg->rules[i].expr, check_feed_term, &t);
	}
	{
		char *s = term_str(config_path, TERM_ESCAPE);

		printf("%s: ok (%zu feeds, %zu alerts)\n", s, cfg->nfeeds,
		    cfg->nrules);
		free(s);
	}
	config_free(cfg);
	return EXIT_OK;
}
