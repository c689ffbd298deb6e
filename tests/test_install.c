/*
 * test_install: `make install` / `make uninstall` into a DESTDIR (files,
 * modes, the config kept when changed, the unit's paths rewritten and
 * scored by score-unit, the feedd user and log folder for sysusers.d
 * and tmpfiles.d), and the man pages linted by mandoc.
 */
#include <criterion/criterion.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/helpers.h"
#include "util/xmalloc.h"

/* The BUILD folder the suite runs against, so make does not rebuild. */
static char *
build_dir(void)
{
	char *bin = strdup(th_feedd());
	char *dir = strdup(dirname(bin));

	free(bin);
	return dir;
}

/* A make without the parent make's jobserver and flags. */
static int
make(struct th_result *r, const char *target, const char *destdir,
    const char *extra1, const char *extra2)
{
	char *build = build_dir();
	char *bopt = malloc(strlen(build) + 8), *dopt;
	int rc;

	sprintf(bopt, "BUILD=%s", build);
	dopt = malloc(strlen(destdir) + 16);
	sprintf(dopt, "DESTDIR=%s", destdir);
	char *argv[] = { "/usr/bin/env", "-u", "MAKEFLAGS", "-u", "MFLAGS",
	    "-u", "MAKELEVEL", "make", "--no-print-directory", (char *)target,
	    dopt, bopt, (char *)extra1, (char *)extra2, NULL };
	cr_assert_eq(th_run(argv, NULL, 300, r), 0);
	rc = r->status;
	free(dopt);
	free(bopt);
	free(build);
	return rc;
}

static int
mode_of(const char *root, const char *rel)
{
	char *p = th_path(root, rel);
	struct stat st;
	int m = -1;

	if (stat(p, &st) == 0)
		m = (int)(st.st_mode & 07777);
	free(p);
	return m;
}

static char *
read_rel(const char *root, const char *rel)
{
	char *p = th_path(root, rel), *s = th_read_file(p, NULL);

	free(p);
	return s;
}

static const char *const installed[] = {
	"usr/local/bin/feedd",
	"usr/local/share/man/man8/feedd.8",
	"usr/local/share/man/man5/feedd.conf.5",
	"usr/local/share/doc/feedd/feedd.conf.example",
	"usr/local/lib/systemd/system/feedd.service",
	"usr/local/lib/sysusers.d/feedd.conf",
	"usr/local/lib/tmpfiles.d/feedd.conf",
	"etc/logrotate.d/feedd",
	"etc/feedd/feedd.conf",		/* last: an admin's edit keeps it */
};
#define NINSTALLED (sizeof(installed) / sizeof(installed[0]))

Test(install, files_modes_and_unit_paths, .timeout = 300)
{
	struct th_result r;
	char *root, *unit, *conf, *example;

	root = th_tmpdir();
	cr_assert_eq(make(&r, "install", root, "PREFIX=/usr/local", NULL), 0,
	    "make install: %s%s", r.out, r.err);
	th_result_cleanup(&r);
	cr_assert_eq(mode_of(root, installed[0]), 0755);
	for (size_t i = 1; i < NINSTALLED; i++)
		cr_assert_eq(mode_of(root, installed[i]), 0644, "%s: mode %o",
		    installed[i], mode_of(root, installed[i]));
	conf = read_rel(root, "etc/feedd/feedd.conf");
	example = read_rel(root, "usr/local/share/doc/feedd/feedd.conf.example");
	cr_assert_str_eq(conf, example);
	/* installed for systemd, the alert log is where group adm reads it */
	cr_assert(strstr(conf, "\nlog         = /var/log/feedd/alerts.log ;"),
	    "%s", conf);
	unit = read_rel(root, "usr/local/lib/systemd/system/feedd.service");
	cr_assert(strstr(unit, "\nExecStart=/usr/local/bin/feedd run -c "
	    "/etc/feedd/feedd.conf\n"), "%s", unit);
	cr_assert(strstr(unit, "\nType=notify\n"));
	free(unit);
	free(conf);
	free(example);
	th_rmdir(root);
	free(root);
}

/* Everything but the log line is the example of the source tree. */
Test(install, config_is_the_example_with_the_log_in_var_log, .timeout = 300)
{
	struct th_result r;
	char *root, *conf, *example, *p;
	const char *from = "log         = alerts.log        ;";
	const char *to = "log         = /var/log/feedd/alerts.log ;";

	root = th_tmpdir();
	cr_assert_eq(make(&r, "install", root, NULL, NULL), 0, "%s", r.err);
	th_result_cleanup(&r);
	conf = read_rel(root, "etc/feedd/feedd.conf");
	example = th_read_file("config/feedd.conf.example", NULL);
	cr_assert_not_null(p = strstr(example, from));
	cr_assert_eq(strncmp(conf, example, (size_t)(p - example)), 0);
	cr_assert_eq(strncmp(conf + (p - example), to, strlen(to)), 0);
	cr_assert_str_eq(conf + (p - example) + strlen(to), p + strlen(from));
	free(conf);
	free(example);
	th_rmdir(root);
	free(root);
}

/*
 * The unit runs as the static user feedd that sysusers.d creates, its
 * state folder and files readable by group feedd, the log folder
 * (tmpfiles.d) by group adm; exit 2 is not restarted; a reload checks
 * the config before the signal.
 */
Test(install, feedd_user_groups_and_unit_policy, .timeout = 300)
{
	struct th_result r;
	char *root, *unit, *users, *tmpfiles;
	const char *want[] = {
		"\nUser=feedd\n", "\nGroup=feedd\n", "\nStateDirectory=feedd\n",
		"\nStateDirectoryMode=0755\n", "\nUMask=0027\n",
		"\nReadWritePaths=-/var/log/feedd\n",
		"\nRestartPreventExitStatus=2\n",
		"\nExecReload=/usr/local/bin/feedd check-config -c "
		    "/etc/feedd/feedd.conf\nExecReload=/bin/kill -HUP $MAINPID\n",
	};

	root = th_tmpdir();
	cr_assert_eq(make(&r, "install", root, NULL, NULL), 0, "%s", r.err);
	/* a staging root (DESTDIR) gets files, the machine no users */
	cr_assert_null(strstr(r.out, "systemd-sysusers"), "%s", r.out);
	th_result_cleanup(&r);
	unit = read_rel(root, "usr/local/lib/systemd/system/feedd.service");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_assert(strstr(unit, want[i]), "unit lacks %s", want[i]);
	cr_assert_null(strstr(unit, "\nDynamicUser="), "%s", unit);
	cr_assert_null(strstr(unit, "\nLogsDirectory="), "%s", unit);
	users = read_rel(root, "usr/local/lib/sysusers.d/feedd.conf");
	cr_assert(strstr(users, "\nu feedd - \"feedd feed aggregator\" "
	    "/var/lib/feedd\n"), "%s", users);
	tmpfiles = read_rel(root, "usr/local/lib/tmpfiles.d/feedd.conf");
	cr_assert(strstr(tmpfiles, "\nd /var/log/feedd 2755 feedd adm -\n"),
	    "%s", tmpfiles);
	free(tmpfiles);
	free(users);
	free(unit);
	th_rmdir(root);
	free(root);
}

Test(install, other_prefix_rewrites_exec_start, .timeout = 300)
{
	struct th_result r;
	char *root, *unit;

	root = th_tmpdir();
	cr_assert_eq(make(&r, "install", root, "PREFIX=/opt/feedd",
	    "SYSCONFDIR=/opt/etc"), 0, "make install: %s%s", r.out, r.err);
	th_result_cleanup(&r);
	cr_assert_eq(mode_of(root, "opt/feedd/bin/feedd"), 0755);
	cr_assert_eq(mode_of(root, "opt/etc/feedd/feedd.conf"), 0644);
	unit = read_rel(root, "opt/feedd/lib/systemd/system/feedd.service");
	cr_assert_not_null(unit);
	cr_assert(strstr(unit, "\nExecStart=/opt/feedd/bin/feedd run -c "
	    "/opt/etc/feedd/feedd.conf\n"), "%s", unit);
	cr_assert(strstr(unit, "\nExecReload=/opt/feedd/bin/feedd check-config "
	    "-c /opt/etc/feedd/feedd.conf\n"), "%s", unit);
	cr_assert_eq(mode_of(root, "opt/feedd/lib/sysusers.d/feedd.conf"), 0644);
	cr_assert_eq(mode_of(root, "opt/feedd/lib/tmpfiles.d/feedd.conf"), 0644);
	free(unit);
	th_rmdir(root);
	free(root);
}

Test(install, changed_config_survives_reinstall_and_uninstall, .timeout = 300)
{
	struct th_result r;
	char *root, *conf, *got;
	const char *mine = "[daemon]\nstate_dir = /srv/feedd\n";

	root = th_tmpdir();
	cr_assert_eq(make(&r, "install", root, NULL, NULL), 0, "%s", r.err);
	th_result_cleanup(&r);
	conf = th_path(root, "etc/feedd/feedd.conf");
	cr_assert_eq(th_write_file(conf, mine, strlen(mine)), 0);
	cr_assert_eq(make(&r, "install", root, NULL, NULL), 0, "%s", r.err);
	th_result_cleanup(&r);
	got = th_read_file(conf, NULL);
	cr_assert_str_eq(got, mine);
	free(got);
	cr_assert_eq(make(&r, "uninstall", root, NULL, NULL), 0, "%s", r.err);
	th_result_cleanup(&r);
	for (size_t i = 0; i + 1 < NINSTALLED; i++)
		cr_assert_eq(mode_of(root, installed[i]), -1, "%s left",
		    installed[i]);
	got = th_read_file(conf, NULL);
	cr_assert_not_null(got, "the admin's config was removed");
	cr_assert_str_eq(got, mine);
	free(got);
	free(conf);
	th_rmdir(root);
	free(root);
}

/*
 * The alert log is rotated out of the box, by a file logrotate itself
 * accepts, naming the log the installed config writes; an edited one
 * is kept by a reinstall and by uninstall, as the config is.
 */
Test(install, alert_log_rotation_is_installed_and_kept, .timeout = 300)
{
	struct th_result r;
	char *root, *path, *text, *tool;
	const char *mine = "/srv/alerts.log {\n\tdaily\n}\n";

	th_require_tool("logrotate");
	root = th_tmpdir();
	cr_assert_eq(make(&r, "install", root, NULL, NULL), 0, "%s", r.err);
	th_result_cleanup(&r);
	path = th_path(root, "etc/logrotate.d/feedd");
	text = th_read_file(path, NULL);
	cr_assert_not_null(text);
	cr_expect(strstr(text, "\n/var/log/feedd/alerts.log {\n"), "%s", text);
	cr_expect(strstr(text, "--signal=HUP"), "%s", text);
	free(text);
	text = read_rel(root, "etc/feedd/feedd.conf");
	cr_expect(strstr(text, "/var/log/feedd/alerts.log"), "%s", text);
	free(text);
	tool = xasprintf("PATH=$PATH:/usr/sbin logrotate --debug --state "
	    "/dev/null '%s'", path);
	char *argv[] = { "/bin/sh", "-c", tool, NULL };
	cr_assert_eq(th_run(argv, NULL, 60, &r), 0);
	cr_expect_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_expect_null(strstr(r.err, "error"), "%s", r.err);
	cr_expect(strstr(r.err, "rotating pattern: /var/log/feedd/alerts.log"),
	    "%s", r.err);
	th_result_cleanup(&r);
	cr_assert_eq(th_write_file(path, mine, strlen(mine)), 0);
	cr_assert_eq(make(&r, "install", root, NULL, NULL), 0, "%s", r.err);
	th_result_cleanup(&r);
	cr_assert_eq(make(&r, "uninstall", root, NULL, NULL), 0, "%s", r.err);
	th_result_cleanup(&r);
	text = th_read_file(path, NULL);
	cr_assert_not_null(text, "the admin's logrotate file was removed");
	cr_expect_str_eq(text, mine);
	free(text);
	free(tool);
	free(path);
	th_rmdir(root);
	free(root);
}

Test(install, uninstall_removes_everything_installed, .timeout = 300)
{
	struct th_result r;
	char *root;

	root = th_tmpdir();
	cr_assert_eq(make(&r, "install", root, NULL, NULL), 0, "%s", r.err);
	th_result_cleanup(&r);
	cr_assert_eq(make(&r, "uninstall", root, NULL, NULL), 0, "%s", r.err);
	th_result_cleanup(&r);
	for (size_t i = 0; i < NINSTALLED; i++)
		cr_assert_eq(mode_of(root, installed[i]), -1, "%s left",
		    installed[i]);
	cr_assert_eq(mode_of(root, "etc/feedd"), -1, "etc/feedd left");
	th_rmdir(root);
	free(root);
}

Test(install, installed_unit_scores_1_2_or_lower, .timeout = 300)
{
	struct th_result r;
	char *root, *unit, *tool;

	th_require_tool("systemd-analyze");
	root = th_tmpdir();
	cr_assert_eq(make(&r, "install", root, NULL, NULL), 0, "%s", r.err);
	th_result_cleanup(&r);
	unit = th_path(root, "usr/local/lib/systemd/system/feedd.service");
	tool = th_path(th_shared(), "tools/score-unit");
	/* ExecReload's /bin/kill belongs to the base system under the root. */
	char *cp[] = { "/usr/bin/install", "-D", "-m", "0755", "/bin/kill",
	    NULL, NULL };
	cp[5] = th_path(root, "bin/kill");
	cr_assert_eq(th_run(cp, NULL, 10, &r), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	th_result_cleanup(&r);
	free(cp[5]);
	char *argv[] = { tool, "--quiet", "--threshold", "1.2", "--root", root,
	    unit, NULL };
	cr_assert_eq(th_run(argv, NULL, 120, &r), 0);
	cr_assert_eq(r.status, 0, "score-unit: %s%s", r.out, r.err);
	cr_assert(strstr(r.out, "verify ok"), "%s", r.out);
	th_result_cleanup(&r);
	free(tool);
	free(unit);
	th_rmdir(root);
	free(root);
}

Test(install, committed_unit_scores_1_2_or_lower, .timeout = 120)
{
	struct th_result r;
	char *tool;

	th_require_tool("systemd-analyze");
	tool = th_path(th_shared(), "tools/score-unit");
	char *argv[] = { tool, "--quiet", "--threshold", "1.2",
	    "systemd/feedd.service", NULL };
	cr_assert_eq(th_run(argv, NULL, 120, &r), 0);
	cr_assert_eq(r.status, 0, "score-unit: %s%s", r.out, r.err);
	th_result_cleanup(&r);
	free(tool);
}

Test(man, pages_lint_clean, .timeout = 60)
{
	struct th_result r;
	char *argv[] = { "mandoc", "-T", "lint", "-W", "warning",
	    "daemon/feedd.8", "config/feedd.conf.5", NULL };

	th_require_tool("mandoc");
	argv[0] = "/usr/bin/mandoc";
	cr_assert_eq(th_run(argv, NULL, 60, &r), 0);
	cr_assert_eq(r.status, 0, "mandoc: %s%s", r.out, r.err);
	cr_assert_eq(r.outlen + r.errlen, 0, "mandoc: %s%s", r.out, r.err);
	th_result_cleanup(&r);
}

/* Every command in --help has an entry in feedd(8). */
Test(man, every_command_is_documented)
{
	struct th_result r;
	char *page = th_read_file("daemon/feedd.8", NULL), *line, *list;
	size_t n = 0;

	cr_assert_not_null(page);
	cr_assert_eq(th_feedd_run(&r, 10, "--help", NULL), 0);
	list = strstr(r.out, "Commands:\n");
	cr_assert_not_null(list, "%s", r.out);
	/* "  name   summary" lines, up to the blank line after the list */
	for (line = strchr(list, '\n') + 1; strncmp(line, "  ", 2) == 0;
	    line = strchr(line, '\n') + 1) {
		char name[64], want[80];

		if (sscanf(line, " %63s", name) != 1)
			break;
		snprintf(want, sizeof(want), "\n.It Cm %s", name);
		cr_assert(strstr(page, want), "feedd.8 lacks '%s'", want + 1);
		n++;
	}
	cr_assert_geq(n, 10, "%zu commands found in --help", n);
	th_result_cleanup(&r);
	free(page);
}
