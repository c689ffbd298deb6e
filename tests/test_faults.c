/*
 * test_faults: fault injection against the real binary: a disk that
 * fills up, a database that cannot be written (an immutable file, a
 * read-only mount, permission denied as user nobody), and kill -9 in
 * the middle of a store.  Each must lose nothing and exit with the
 * right status.  Needs root (tmpfs mounts, chattr, setuid).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/wait.h>

#include "feeds/feed.h"
#include "tests/ts_helpers.h"
#include "util/buf.h"

static struct ts T;

static void
setup(void)
{
	ts_start(&T);
	ts_put(&T, "f.xml", "<?xml version=\"1.0\"?>\n<rss version=\"2.0\">"
	    "<channel><title>Fixture</title><link>http://example.com/</link>"
	    "<item><title>First story</title><link>http://example.com/a</link>"
	    "<guid>a-1</guid></item></channel></rss>\n");
}

static void
teardown(void)
{
	char *state = th_path(T.dir, "state");

	umount2(state, MNT_DETACH);	/* a test's tmpfs, if any */
	free(state);
	ts_stop(&T);
}

TestSuite(faults, .init = setup, .fini = teardown, .timeout = 120);

/* One feed NAME at PATHQ (plus [daemon] lines); caller frees. */
static char *
conf_one(const char *name, const char *pathq, const char *daemon_extra)
{
	return ts_conf_one(&T, name, pathq, daemon_extra);
}

/* Mounts a tmpfs of opts on T.dir/state (the database's folder). */
static char *
state_on_tmpfs(const char *opts)
{
	char *state = th_path(T.dir, "state");

	mkdir(state, 0755);
	cr_assert_eq(mount("tmpfs", state, "tmpfs", 0, opts), 0,
	    "mount a tmpfs (needs root): %s", strerror(errno));
	return state;
}

/* The tmpfs at state shrunk to what it holds and 256 kB more. */
static void
fill_up(const char *state)
{
	struct statvfs vfs;
	char *opts;

	cr_assert_eq(statvfs(state, &vfs), 0);
	opts = xasprintf("size=%llu", (unsigned long long)(vfs.f_blocks -
	    vfs.f_bfree) * vfs.f_frsize + 256 * 1024);
	cr_assert_eq(mount("tmpfs", state, "tmpfs", MS_REMOUNT, opts), 0,
	    "%s: %s", opts, strerror(errno));
	free(opts);
}

static void
once_status(const char *conf, int want, struct th_result *r)
{
	cr_assert_eq(th_feedd_run(r, 60, "once", "-c", conf, NULL), 0);
	cr_assert_eq(r->status, want, "once exit %d, want %d: %s%s", r->status,
	    want, r->out, r->err);
}

/*
 * With a full disk `once` said "ok, 1500 new items" and exited 0 while
 * nothing was stored.  Now: exit 1, the cause and the path on one line,
 * and once the disk has room again every item arrives.
 */
Test(faults, full_disk_fails_once_and_loses_nothing)
{
	char *doc = th_rss_of_items(3000), *small = th_rss_of_items(10), *conf;
	char *state, *ok;
	struct th_result r;

	ts_put(&T, "m.xml", small);
	conf = conf_one("m", "/m.xml", "");
	state = state_on_tmpfs("size=64m");
	once_status(conf, 0, &r);
	th_result_cleanup(&r);
	/* the disk fills up: room for 256 kB more, 3,000 new items arrive */
	fill_up(state);
	ts_put(&T, "m.xml", doc);
	once_status(conf, 1, &r);
	cr_assert(strstr(r.out, "0 ok") && strstr(r.out, "1 failed"), "%s%s",
	    r.out, r.err);
	cr_assert(strstr(r.err, "/state/feedd.db: disk full"), "%s", r.err);
	cr_assert(strstr(r.err, "1 feed not stored (exit 1)"), "%s", r.err);
	cr_assert_null(strstr(r.err, "not an error"), "%s", r.err);
	th_result_cleanup(&r);
	cr_assert_eq(mount("tmpfs", state, "tmpfs", MS_REMOUNT, "size=64m"), 0);
	once_status(conf, 0, &r);
	th_result_cleanup(&r);
	cr_assert_eq(ts_items_of(&T, "m"), 3000, "nothing lost");
	free(small);
	ok = ts_db_str(&T, "PRAGMA integrity_check");
	cr_assert_str_eq(ok, "ok");
	free(ok);
	cr_assert_eq(umount(state), 0);
	free(state);
	free(conf);
	free(doc);
}

/*
 * Two feeds, one of them with 40,000 new items, on a disk that fills:
 * `once` said "3 feeds not stored" (the failed feed counted twice, once
 * for its store, once with its batch) and named the feed by its row id
 * ("store: feed 2: disk full").  Each feed counts once, and the line
 * says the database's path.
 */
Test(faults, full_disk_counts_each_feed_once)
{
	char *doc = th_rss_of_items(40000), *small = th_rss_of_items(10);
	char *fm = ts_feed(&T, "m", "/m.xml"), *fq = ts_feed(&T, "q", "/q.xml");
	char *both = xasprintf("%s%s", fm, fq), *conf, *state, *total;
	struct th_result r;
	int batch = 0;

	ts_put(&T, "m.xml", small);
	ts_put(&T, "q.xml", small);
	conf = ts_config(&T, "", both);
	state = state_on_tmpfs("size=64m");
	once_status(conf, 0, &r);
	th_result_cleanup(&r);
	fill_up(state);
	ts_put(&T, "m.xml", doc);
	once_status(conf, 1, &r);
	/* the large feed's own store fails first, then its batch */
	cr_assert(strstr(r.err, "feed \"m\": failing: store: ") &&
	    strstr(r.err, "/state/feedd.db: disk full ("), "%s", r.err);
	cr_assert_null(strstr(r.err, "store: feed "), "%s", r.err);
	/* the batch's feeds, the failed one among them, and no more */
	cr_assert_eq(sscanf(strstr(r.err, "feedd: store: ") ?
	    strstr(r.err, "feedd: store: ") : "", "feedd: store: %d",
	    &batch), 1, "%s", r.err);
	cr_assert(batch >= 1 && batch <= 2, "%s", r.err);
	total = xasprintf("\nfeedd: %d feed%s not stored (exit 1)", batch,
	    batch == 1 ? "" : "s");
	cr_assert(strstr(r.err, total), "want%s in:\n%s", total, r.err);
	free(total);
	th_result_cleanup(&r);
	cr_assert_eq(mount("tmpfs", state, "tmpfs", MS_REMOUNT, "size=64m"), 0);
	once_status(conf, 0, &r);
	th_result_cleanup(&r);
	cr_assert_eq(ts_items_of(&T, "m"), 40000, "nothing lost");
	cr_assert_eq(ts_items_of(&T, "q"), 10);
	cr_assert_eq(umount(state), 0);
	free(state);
	free(conf);
	free(both);
	free(fq);
	free(fm);
	free(small);
	free(doc);
}

/* Sets or clears the immutable flag (chattr +i) of path. */
static void
set_immutable(const char *path, int on)
{
	int fd = open(path, O_RDONLY), flags = 0;

	cr_assert_neq(fd, -1, "%s", path);
	cr_assert_eq(ioctl(fd, FS_IOC_GETFLAGS, &flags), 0);
	flags = on ? flags | FS_IMMUTABLE_FL : flags & ~FS_IMMUTABLE_FL;
	cr_assert_eq(ioctl(fd, FS_IOC_SETFLAGS, &flags), 0, "chattr: %s",
	    strerror(errno));
	close(fd);
}

/*
 * A read-only database was reported as "feedd.db: not an error".  A
 * file that cannot be written and a file system mounted read-only each
 * give one line naming the path and the cause, exit 1, and lose
 * nothing: the items arrive once it is writable again.
 */
Test(faults, read_only_database_fails_once_and_loses_nothing)
{
	char *doc = th_rss_of_items(300), *more = th_rss_of_items(320), *conf;
	char *state, *db;
	struct th_result r;

	ts_put(&T, "m.xml", doc);
	conf = conf_one("m", "/m.xml", "");
	state = state_on_tmpfs("size=64m");
	db = th_path(state, "feedd.db");
	once_status(conf, 0, &r);
	th_result_cleanup(&r);
	cr_assert_eq(ts_items_of(&T, "m"), 300);
	ts_put(&T, "m.xml", more);
	/* the file: immutable (root writes past mode bits) */
	set_immutable(db, 1);
	once_status(conf, 1, &r);
	set_immutable(db, 0);
	cr_assert(strstr(r.err, "/state/feedd.db: read-only database (file "
	    "not writable"), "%s", r.err);
	cr_assert_eq(th_nlines(r.err), 1, "one line: %s", r.err);
	th_result_cleanup(&r);
	/* the file system */
	cr_assert_eq(mount("tmpfs", state, "tmpfs", MS_REMOUNT | MS_RDONLY,
	    NULL), 0);
	once_status(conf, 1, &r);
	cr_assert(strstr(r.err, "/state/feedd.db.lock: Read-only file system"),
	    "%s", r.err);
	cr_assert_eq(th_nlines(r.err), 1, "one line: %s", r.err);
	th_result_cleanup(&r);
	cr_assert_eq(th_feedd_run(&r, 20, "feeds", "-c", conf, NULL), 0);
	cr_assert(r.status == 0 || strstr(r.err, "read-only database (file "
	    "system mounted read-only)"), "%s", r.err);
	th_result_cleanup(&r);
	cr_assert_eq(mount("tmpfs", state, "tmpfs", MS_REMOUNT, NULL), 0);
	once_status(conf, 0, &r);
	th_result_cleanup(&r);
	cr_assert_eq(ts_items_of(&T, "m"), 320, "nothing lost");
	cr_assert_eq(umount(state), 0);
	free(db);
	free(state);
	free(conf);
	free(more);
	free(doc);
}

/*
 * kill -9 in the middle of storing 20,000 items (the WAL growing): the
 * next `once` finds an intact database and stores each item once.
 */
/* The WAL at arg has grown past 256 KB: a store is under way. */
static int
wal_grown(void *arg)
{
	struct stat st;

	return stat(arg, &st) == 0 && st.st_size > 256 * 1024;
}

Test(faults, kill_9_during_a_store_loses_and_duplicates_nothing)
{
	char *doc = th_rss_of_items(20000), *conf, *wal, *ok, *errf, *state;
	struct th_result r;
	pid_t pid;
	int seen;

	ts_put(&T, "m.xml", doc);
	conf = conf_one("m", "/m.xml", "");
	state = th_path(T.dir, "state");
	cr_assert_eq(mkdir(state, 0755), 0);	/* watched before feedd starts */
	wal = th_path(state, "feedd.db-wal");
	errf = th_path(T.dir, "err");
	if ((pid = fork()) == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 1);
		dup2(null, 2);
		execl(th_feedd(), th_feedd(), "once", "-c", conf, (char *)NULL);
		_exit(127);
	}
	seen = ts_wait_dir(state, wal_grown, wal, 10) == 0;
	kill(pid, SIGKILL);
	cr_assert_eq(ts_wait_exit(pid, 10), 128 + SIGKILL, "killed mid-store");
	cr_assert(seen, "the store never started");
	ok = ts_db_str(&T, "PRAGMA integrity_check");
	cr_assert_str_eq(ok, "ok");
	free(ok);
	once_status(conf, 0, &r);
	th_result_cleanup(&r);
	cr_assert_eq(ts_items_of(&T, "m"), 20000);
	cr_assert_eq(ts_db_int(&T, "SELECT count(*) FROM (SELECT feed_id, key "
	    "FROM items GROUP BY 1, 2 HAVING count(*) > 1)"), 0);
	ok = ts_db_str(&T, "PRAGMA integrity_check");
	cr_assert_str_eq(ok, "ok");
	free(ok);
	free(errf);
	free(wal);
	free(state);
	free(conf);
	free(doc);
}

/*
 * Runs `feedd once -c conf` as user nobody (root passes every mode
 * check); its exit status, stderr in *err (caller frees).
 */
static int
once_as_nobody(const char *conf, char **err)
{
	char *errf = th_path(T.dir, "nobody.err");
	pid_t pid = fork();
	int rc;

	if (pid == 0) {
		int fd = open(errf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(fd, 2);
		if (setgid(65534) == -1 || setuid(65534) == -1)
			_exit(126);
		execl(th_feedd(), th_feedd(), "once", "-c", conf, (char *)NULL);
		_exit(127);
	}
	rc = ts_wait_exit(pid, 30);
	*err = th_read_file(errf, NULL);
	free(errf);
	return rc;
}

/*
 * Permission denied: one line naming the file, exit 1.  First the lock
 * file cannot be made in the state folder, then (the lock file open to
 * all) the database cannot be written.
 */
Test(faults, permission_denied_names_the_file)
{
	char *conf = conf_one("m", "/f.xml", ""), *err, *lock;
	struct th_result r;
	int rc;

	once_status(conf, 0, &r);
	th_result_cleanup(&r);
	lock = th_path(T.dir, "state/feedd.db.lock");
	cr_assert_eq(chmod(T.dir, 0755), 0);
	cr_assert_eq(chmod(conf, 0644), 0);
	rc = once_as_nobody(conf, &err);
	cr_assert_eq(rc, 1, "exit %d: %s", rc, err);
	cr_assert(err && strstr(err, "/state/feedd.db.lock: Permission denied"),
	    "%s", err);
	cr_assert_eq(th_nlines(err), 1, "one line: %s", err);
	free(err);
	cr_assert_eq(chmod(lock, 0666), 0);
	rc = once_as_nobody(conf, &err);
	cr_assert_eq(rc, 1, "exit %d: %s", rc, err);
	cr_assert(err && strstr(err, "/state/feedd.db: read-only database "
	    "(file not writable: Permission denied)"), "%s", err);
	cr_assert_eq(th_nlines(err), 1, "one line: %s", err);
	free(err);
	free(lock);
	free(conf);
}
