/*
 * cmd_run: `feedd run` (the daemon in the foreground) and `feedd once`
 * (every feed now, outputs written, a one-line summary on stdout).
 */
#include <signal.h>
#include <stdio.h>

#include "daemon/cmd.h"
#include "daemon/feedd.h"
#include "daemon/pipeline.h"
#include "util/log.h"

int
cmd_run(int argc, char **argv, const char *config_path)
{
	struct feedd d;
	int rc;

	if (argc > 1)
		return cmd_usage(cmd_find(argv[0]));
	/*
	 * A log pipe whose reader went away (`run 2>&1 | logger`, a log
	 * service restarting) killed the daemon by SIGPIPE at its next line;
	 * the write fails instead.  systemd ignores it for the unit anyway.
	 */
	signal(SIGPIPE, SIG_IGN);
	if ((rc = feedd_open(&d, config_path, FEEDD_RUN)) != EXIT_OK) {
		/*
		 * The unit does not restart on this status (exit 2): the
		 * journal's last word says why it stays down.
		 */
		if (rc == EXIT_USAGE)
			log_errorx("%s: configuration invalid, not starting "
			    "(fix it, then restart)", config_path);
		return rc;
	}
	feedd_main(&d);
	feedd_close(&d);
	return d.lost_ground ? EXIT_RUNTIME : EXIT_OK;
}

int
cmd_once(int argc, char **argv, const char *config_path)
{
	struct feedd d;
	const struct cycle *c;
	uint64_t t0;
	int rc;

	if (argc > 1)
		return cmd_usage(cmd_find(argv[0]));
	/*
	 * `once | head -0` (or a cron mailer gone): the summary is lost, not
	 * the run, which goes on to close the database as it should, and
	 * exits 1 naming standard output (main.c), as other commands do.
	 */
	signal(SIGPIPE, SIG_IGN);
	if ((rc = feedd_open(&d, config_path, FEEDD_ONCE)) != EXIT_OK)
		return rc;
	t0 = uv_hrtime();
	feedd_main(&d);
	c = pipeline_cycle(d.pipe);
	printf("%d feeds: %d ok, %d not modified, %d failed", c->total, c->ok,
	    c->not_modified, c->failed);
	if (c->held > 0)
		printf(", %d held (their host's Retry-After)", c->held);
	printf("; %d new items in %.2f s\n", c->new_items,
	    (double)(uv_hrtime() - t0) / 1e9);
	fflush(stdout);
	/* cron must see it: the run is not done when something is lost */
	if (c->not_stored > 0 || c->outputs_failed > 0 || d.lost_ground)
		rc = EXIT_RUNTIME;
	if (c->not_stored > 0)
		log_errorx("%d feed%s not stored (exit 1)", c->not_stored,
		    c->not_stored == 1 ? "" : "s");
	else if (c->outputs_failed > 0)
		log_errorx("outputs or alert log not written (exit 1)");
	feedd_close(&d);
	return rc;
}
