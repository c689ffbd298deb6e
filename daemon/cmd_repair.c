/*
 * cmd_repair: `feedd repair [--check]` checks the database file and
 * mends it, with the daemon stopped (it takes the writers' lock).
 * First what is derived from the tables is rebuilt in place; when the
 * tables themselves are damaged, what can still be read of them goes
 * into a new file (storage/check.c), which takes the old one's place;
 * the old one is kept beside it as DATABASE.damaged-TIME.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "daemon/cmd.h"
#include "daemon/lockinfo.h"
#include "storage/store.h"
#include "util/fs.h"
#include "util/termtext.h"
#include "util/xmalloc.h"

struct repair {
	const char *db;			/* the database's path */
	int	 check_only;
};

/*
 * "feedd: repair: PATH: what" on stdout, what made safe for a terminal:
 * the report (findings, steps, outcome); failures go to stderr.
 */
static void
say(const struct repair *r, const char *what)
{
	char *p = term_str(r->db, TERM_ESCAPE), *w = term_str(what,
	    TERM_ESCAPE);

	printf("feedd: repair: %s: %s\n", p, w);
	fflush(stdout);
	free(p);
	free(w);
}

/* A failure, on stderr as every command's: err names its file
 * ("PATH: why"). */
static void
say_error(const char *err)
{
	char *e = term_str(err, TERM_ESCAPE);

	fprintf(stderr, "feedd: repair: %s\n", e);
	free(e);
}

static void
on_problem(const char *problem, void *arg)
{
	struct repair *r = arg;
	char *s = xasprintf("damaged: %s", problem);

	say(r, s);
	free(s);
}

/* The problems store_check finds: their number, -1 when it could not
 * run (then said). */
static int
check(struct repair *r, struct store *st)
{
	int n;

	if ((n = store_check(st, on_problem, r)) == -1)
		say_error(store_errmsg(st));
	return n;
}

/* path's -wal beside it moves with it; its -shm is only an index. */
static int
move_db(const char *from, const char *to)
{
	char *fw = xasprintf("%s-wal", from), *tw = xasprintf("%s-wal", to);
	char *fs = xasprintf("%s-shm", from);
	int rc = rename(from, to);

	if (rc == 0 && rename(fw, tw) == -1 && errno != ENOENT)
		rc = -1;
	if (rc == 0)
		unlink(fs);
	free(fw);
	free(tw);
	free(fs);
	return rc;
}

static void
remove_db(const char *path)
{
	char *w = xasprintf("%s-wal", path), *s = xasprintf("%s-shm", path);

	unlink(path);
	unlink(w);
	unlink(s);
	free(w);
	free(s);
}

/*
 * Root mending the daemon's files (its user may be systemd's dynamic
 * one): whatever this process made or replaced beside the database
 * goes back to the database's owner and mode, or the daemon could no
 * longer write it.
 */
static void
own_like(const char *db, const struct stat *sb)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", ".lock" };

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		char *p = xasprintf("%s%s", db, suffixes[i]);

		if (chown(p, sb->st_uid, sb->st_gid) == 0)
			(void)chmod(p, sb->st_mode & 0666);
		free(p);
	}
}

static const char *
dropped_note(int64_t dropped, char *buf, size_t len)
{
	if (dropped <= 0)
		return "";
	snprintf(buf, len, ", %lld dropped with the row they belong to",
	    (long long)dropped);
	return buf;
}

static void
say_salvaged(const struct repair *r, const struct store_salvaged *t,
    size_t n)
{
	char buf[96];

	for (size_t i = 0; i < n; i++) {
		char *s = t[i].unreadable ?
		    xasprintf("salvage: %s: nothing could be read", t[i].table) :
		    xasprintf("salvage: %s: %lld rows kept, %lld unreadable%s",
		    t[i].table, (long long)(t[i].kept - t[i].dropped),
		    (long long)t[i].lost, dropped_note(t[i].dropped, buf,
		    sizeof(buf)));

		say(r, s);
		free(s);
	}
}

/* DATABASE.damaged-20261204T054100Z: an earlier repair's is kept too. */
static char *
kept_name(const char *db)
{
	char stamp[32];
	time_t now = time(NULL);

	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", gmtime(&now));
	return xasprintf("%s.damaged-%s", db, stamp);
}

/*
 * The readable rows into DATABASE.salvage, checked, then moved into
 * place (the damaged file to kept_name's).
 */
static int
salvage(struct repair *r)
{
	struct store_salvaged tables[STORE_SALVAGE_TABLES];
	char *fresh = xasprintf("%s.salvage", r->db);
	char *kept = kept_name(r->db), *err = NULL, *s;
	struct store *st = NULL;
	size_t n = 0;
	int rc = -1;

	remove_db(fresh);
	say(r, "its tables are damaged: copying what can be read into a new "
	    "file");
	if (store_salvage(r->db, fresh, tables, &n, &err) == -1) {
		say_salvaged(r, tables, n);
		goto out;
	}
	say_salvaged(r, tables, n);
	if (store_open(fresh, STORE_READWRITE, &st, &err) == -1)
		goto out;
	if (check(r, st) != 0) {
		err = xasprintf("%s: the new file is not sound either; "
		    "nothing was changed", fresh);
		goto out;
	}
	store_close(st);
	st = NULL;
	if (move_db(r->db, kept) == -1) {
		err = xasprintf("%s: %s", r->db, strerror(errno));
		goto out;
	}
	if (move_db(fresh, r->db) == -1) {
		err = xasprintf("%s: %s", r->db, strerror(errno));
		(void)move_db(kept, r->db);	/* the old one, back */
		goto out;
	}
	s = xstrdup(r->db);
	fs_sync_dir(dirname(s));
	free(s);
	s = xasprintf("repaired from what could be read; the damaged file is "
	    "kept as %s", kept);
	say(r, s);
	free(s);
	rc = 0;
out:
	if (err != NULL) {
		say_error(err);		/* "PATH: why" */
		free(err);
	}
	store_close(st);
	if (rc == -1)
		remove_db(fresh);
	free(fresh);
	free(kept);
	return rc;
}

/* Check, rebuild in place, check again; salvage when that is not enough. */
static int
repair(struct repair *r)
{
	struct store *st = NULL;
	char *err = NULL;
	int n = -1;

	if (store_open(r->db, STORE_READWRITE, &st, &err) == -1) {
		say_error(err);
		free(err);
		if (store_file_damaged(r->db) != 1)
			return EXIT_RUNTIME;	/* not a matter of damage */
	} else if ((n = check(r, st)) == 0) {
		say(r, "sound");
		store_close(st);
		return EXIT_OK;
	}
	/* a check that could not run for another reason than damage */
	if (r->check_only || (st != NULL && n == -1 && !store_damaged(st))) {
		store_close(st);
		return EXIT_RUNTIME;
	}
	if (n > 0) {
		say(r, "rebuilding its indexes, full-text indexes, kept HTML"
		    " and story order");
		if ((n = store_rebuild_derived(st)) == -1) {
			say_error(store_errmsg(st));	/* not the damage's doing */
			store_close(st);
			return EXIT_RUNTIME;
		}
		if (n == 0 && check(r, st) == 0) {
			say(r, "repaired");
			store_close(st);
			return EXIT_OK;
		}
	}
	store_close(st);
	return salvage(r) == 0 ? EXIT_OK : EXIT_RUNTIME;
}

int
cmd_repair(int argc, char **argv, const char *config_path)
{
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct repair r = { NULL, 0 };
	struct config *cfg;
	struct stat sb;
	char *err, *warn;
	int c, fd, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		if (cmd_opt_check(argv, c) == -1)
			return cmd_usage(cmd_find(argv[0]));
		r.check_only = 1;
	}
	if (optind != argc)
		return cmd_usage(cmd_find(argv[0]));
	if ((cfg = cmd_config_load("repair", config_path)) == NULL)
		return EXIT_USAGE;
	r.db = cfg->database;
	/* a missing one would be made, empty, by store_open */
	if (stat(r.db, &sb) == -1) {
		cmd_error("repair", "%s: %s", r.db, strerror(errno));
		config_free(cfg);
		return EXIT_RUNTIME;
	}
	if ((fd = lock_take(r.db, "repair", &err, &warn)) == -1) {
		cmd_error("repair", "%s", err);
		free(err);
		config_free(cfg);
		return EXIT_RUNTIME;
	}
	free(warn);
	rc = repair(&r);
	own_like(r.db, &sb);
	close(fd);
	config_free(cfg);
	return rc;
}
