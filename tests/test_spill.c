/*
 * test_spill: the bounded render and the alert log's fsync through the
 * real binary.  A render of more stories than its memory holds keeps
 * their order, and the links and ids written, in temporary files; when
 * none can be made (a seccomp filter refuses unnamed files, as a
 * read-only file system does) the render fails on one line,
 * the old outputs stay and the items are stored.  When they can, every
 * entry is there once, newest first.  An alert log whose fsync fails
 * (a seccomp filter: fsync returns EIO, as a failing disk's does), or
 * that became a folder, leaves its alerts pending, written once by a
 * later run.
 */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "tests/ts_helpers.h"
#include "util/buf.h"

static struct ts T;
static pid_t daemon_pid;	/* a `feedd run` a failed test left */

static void
setup(void)
{
	ts_start(&T);
}

static void
teardown(void)
{
	if (daemon_pid > 0) {
		kill(daemon_pid, SIGKILL);
		waitpid(daemon_pid, NULL, 0);
	}
	ts_stop(&T);
}

TestSuite(spill, .init = setup, .fini = teardown, .timeout = 60);

/* ---- what the child runs in ---- */

#if defined(__x86_64__)
#define T_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define T_ARCH	AUDIT_ARCH_AARCH64
#endif

/*
 * A seccomp filter on this process: system call nr fails with err; when
 * bits is not 0, only a call whose argument arg has one of them set
 * (its low word, little-endian).
 */
static int
refuse_syscall(int nr, int arg, uint32_t bits, int err)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, T_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, args[arg])),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, bits, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (uint32_t)err),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	if (bits == 0)			/* every call: straight to the errno */
		f[5] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, 1, 0, 0);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/*
 * No temporary file can be made: every unnamed one (O_TMPFILE, what
 * util/fs.c fs_tmpfd makes) is refused as by a read-only file system.
 * Not a mount namespace with read-only folders: a chroot (a fresh
 * machine's tests run in one) cannot make one.  SQLite's own temporary
 * files, which have names, are not touched.
 */
static int
no_temporary_files(void)
{
	return refuse_syscall(__NR_openat, 2, O_TMPFILE & ~O_DIRECTORY, EROFS);
}

/* fsync(2) fails with EIO, as on a disk that lost the writes. */
static int
fsync_fails(void)
{
	return refuse_syscall(__NR_fsync, 0, 0, EIO);
}

/*
 * Starts feedd CMD -c conf after env() (NULL: none) in the child;
 * stdout and stderr to T.dir/out, T.dir/err (stderr appended).  The
 * child exits 126 when env() failed.
 */
static pid_t
start_in(int (*env)(void), const char *cmd, const char *conf)
{
	char *out = th_path(T.dir, "out"), *err = th_path(T.dir, "err");
	pid_t pid = fork();

	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err, O_WRONLY | O_CREAT | O_APPEND, 0644);
		int null = open("/dev/null", O_RDONLY);

		if (env != NULL && env() == -1) {
			/* "outputs: " too: a test waiting for one stops */
			dprintf(e, "test: setup: %s (outputs: none)\n",
			    strerror(errno));
			_exit(126);
		}
		dup2(null, 0);
		dup2(o, 1);
		dup2(e, 2);
		execl(th_feedd(), th_feedd(), cmd, "-c", conf, (char *)NULL);
		_exit(127);
	}
	free(out);
	free(err);
	return pid;
}

/* `feedd once` in env(): its exit status; stderr in *err (caller frees,
 * the file is emptied). */
static int
once_in(int (*env)(void), const char *conf, char **err)
{
	char *path = th_path(T.dir, "err");
	int rc;

	unlink(path);
	rc = ts_wait_exit(start_in(env, "once", conf), 30);
	*err = th_read_file(path, NULL);
	cr_assert_not_null(*err);
	cr_assert_neq(rc, 126, "the child's setup failed: %s", *err);
	free(path);
	return rc;
}

/* Config: the one feed m.xml, Atom and JSON Feed, max_entries 5000,
 * plus rest; caller frees. */
static char *
conf_max(int max_entries, const char *rest)
{
	char *f = ts_feed(&T, "m", "/m.xml");
	char *all = xasprintf("%s[output]\njson = feed.json\n"
	    "max_entries = %d\n\n%s", f, max_entries, rest);
	char *conf = ts_config(&T, "", all);

	free(all);
	free(f);
	return conf;
}

static char *
conf_with(const char *rest)
{
	return conf_max(5000, rest);
}

/* A file of the state folder (outputs, alert log). */
static char *
out_path(const char *name)
{
	char *state = th_path(T.dir, "state"), *p = th_path(state, name);

	free(state);
	return p;
}

/* ---- a render that must spill, with nowhere to spill ---- */

/*
 * `once` without temporary files: exit 1, the cause on one line (want,
 * after "outputs: " and the state folder), and the summary line `once`
 * ends with when an output was not written.
 */
static void
once_fails_on(const char *conf, const char *want)
{
	char *err, *line;
	int rc = once_in(no_temporary_files, conf, &err);

	cr_assert_eq(rc, 1, "exit %d: %s", rc, err);
	cr_assert_not_null(line = strstr(err, "feedd: outputs: "), "%s", err);
	line = strchr(line, '\n');
	cr_assert(line - strlen(want) + 1 >= err &&
	    strncmp(line - strlen(want) + 1, want, strlen(want)) == 0,
	    "want ...%s in %s", want, err);
	cr_assert_eq(th_nlines(err), 2, "%s", err);
	cr_assert(strstr(err, "feedd: outputs or alert log not written "
	    "(exit 1)\n"), "%s", err);
	free(err);
}

/* feed.xml and feed.json are as they were. */
static void
same_outputs(const char *a0, size_t alen0, const char *j0, size_t jlen0)
{
	char *atom = out_path("feed.xml"), *json = out_path("feed.json");
	size_t alen, jlen;
	char *a = th_read_file(atom, &alen), *j = th_read_file(json, &jlen);

	cr_assert(a && alen == alen0 && memcmp(a, a0, alen) == 0,
	    "feed.xml changed");
	cr_assert(j && jlen == jlen0 && memcmp(j, j0, jlen) == 0,
	    "feed.json changed");
	free(a);
	free(j);
	free(atom);
	free(json);
}

/*
 * 3,000 new stories: more than the order kept in memory (2,048), so the
 * render needs a temporary file and cannot have one.  `once` names the
 * output and the cause on one line, exits 1 as it does for any output
 * not written ("outputs or alert log not written (exit 1)"), leaves the
 * old outputs as they were and stores every item; the next `once`,
 * with a temporary folder, writes them.
 */
Test(spill, render_without_a_temporary_file_fails_and_loses_nothing)
{
	char *small = th_rss_of_items(10), *big = th_rss_of_items(3000);
	char *mid = th_rss_of_items(2000), *conf = conf_with(""), *err;
	char *atom = out_path("feed.xml"), *json = out_path("feed.json");
	char *a0, *j0, *a1;
	size_t alen0, jlen0;
	int rc;

	ts_put(&T, "m.xml", small);
	rc = once_in(NULL, conf, &err);
	cr_assert_eq(rc, 0, "exit %d: %s", rc, err);
	free(err);
	a0 = th_read_file(atom, &alen0);
	j0 = th_read_file(json, &jlen0);
	cr_assert(a0 && j0);

	/* 2,000: the order fits in memory, its 4,000 links and ids do not */
	ts_put(&T, "m.xml", mid);
	once_fails_on(conf, "/state/feed.xml: the written links and ids' "
	    "temporary file ($TMPDIR, /var/tmp, /tmp): Read-only file "
	    "system\n");
	same_outputs(a0, alen0, j0, jlen0);
	cr_assert_eq(ts_items_of(&T, "m"), 2000, "the items are stored");
	/* 3,000: the order does not fit (2,048) */
	ts_put(&T, "m.xml", big);
	once_fails_on(conf, "/state/feed.xml: reading stories: the story "
	    "order's temporary file ($TMPDIR, /var/tmp, /tmp): Read-only file "
	    "system\n");
	same_outputs(a0, alen0, j0, jlen0);
	cr_assert_eq(ts_items_of(&T, "m"), 3000, "the items are stored");

	rc = once_in(NULL, conf, &err);
	cr_assert_eq(rc, 0, "exit %d: %s", rc, err);
	free(err);
	a1 = th_read_file(atom, NULL);
	cr_assert_eq(th_count_of(a1, "<entry>"), 3000);
	cr_assert(strstr(a1, ">Story 2999</title>") &&
	    strstr(a1, ">Story 0</title>"));
	free(a1);
	free(a0);
	free(j0);
	free(json);
	free(atom);
	free(conf);
	free(big);
	free(mid);
	free(small);
}

struct file_count {
	const char *path;
	const char *needle;
	int	 n;
	pid_t	 pid;		/* stop waiting when it exits */
};

static int
file_counts(void *arg)
{
	struct file_count *w = arg;
	char *text = th_read_file(w->path, NULL);
	int ok = text != NULL && th_count_of(text, w->needle) >= w->n;
	siginfo_t si = { 0 };

	free(text);
	if (!ok && waitid(P_PID, w->pid, &si, WEXITED | WNOHANG |
	    WNOWAIT) == 0 && si.si_pid == w->pid)
		ok = 1;			/* the daemon exited */
	return ok;
}

/*
 * The daemon: a render without a temporary file is logged and the
 * daemon runs on; once the render no longer needs one (max_entries
 * 500: the order and the links and ids fit in memory), the next render,
 * which the reload asks for, writes.
 */
Test(spill, daemon_runs_on_and_renders_once_it_can)
{
	char *big = th_rss_of_items(3000), *conf = conf_with("");
	char *small = th_rss_of_items(10);
	char *errf = th_path(T.dir, "err"), *atom = out_path("feed.xml");
	char *state = th_path(T.dir, "state");
	char *err;
	struct file_count want_err = { errf, "outputs: ", 1, 0 };
	struct file_count want_all = { atom, "<entry>", 500, 0 };
	pid_t pid;
	int rc;

	/*
	 * The database made first, as a daemon finds it (a migration on a
	 * new one may need a temporary file of SQLite's own), by another
	 * feed: m is new to the daemon, fetched at once.
	 */
	ts_put(&T, "w.xml", small);
	free(conf);
	conf = ts_conf_one(&T, "w", "/w.xml", "");
	ts_once_quiet(conf);
	free(conf);
	conf = conf_with("");
	ts_put(&T, "m.xml", big);
	daemon_pid = pid = start_in(no_temporary_files, "run", conf);
	want_err.pid = want_all.pid = pid;
	rc = ts_wait_dir(T.dir, file_counts, &want_err, 20);
	err = th_read_file(errf, NULL);
	cr_assert_eq(rc, 0, "no render failed: %s", err);
	cr_assert_null(strstr(err, "test: "), "the child's setup: %s", err);
	cr_assert(strstr(err, "temporary file") && strstr(err,
	    "Read-only file system"), "%s", err);
	free(err);
	cr_assert_eq(kill(pid, 0), 0, "the daemon runs on");
	cr_assert_eq(ts_items_of(&T, "m"), 3000);

	free(conf);
	conf = conf_max(500, "");
	cr_assert_eq(kill(pid, SIGHUP), 0);
	cr_assert_eq(ts_wait_dir(state, file_counts, &want_all, 20), 0,
	    "no render after the reload");
	{
		char *doc = th_read_file(atom, NULL);

		cr_assert_eq(th_count_of(doc, "<entry>"), 500, "exited?");
		cr_assert(strstr(doc, ">Story 2999</title>"), "newest first");
		free(doc);
	}
	kill(pid, SIGTERM);
	rc = ts_wait_exit(pid, 20);
	daemon_pid = 0;
	cr_assert_eq(rc, 0);
	err = th_read_file(errf, NULL);
	cr_assert_eq(th_count_of(err, "outputs: "), 1, "%s", err);
	free(err);
	free(state);
	free(atom);
	free(errf);
	free(conf);
	free(small);
	free(big);
}

/* ---- a render that spills ---- */

/*
 * Two feeds of n items each, dated a minute apart, interleaved: A's
 * item i is 2i minutes old, B's 2i+1.  Every tenth B item has the link
 * of A's item of the same number (one story of two sources); every
 * tenth A item, from the sixth, links to one landing page (stories of
 * their own sharing a link: the newest shows it as its own, the others
 * as related).
 */
static void
put_interleaved(int n)
{
	time_t base = time(NULL) - 3600;
	struct buf a, b;

	buf_init(&a, 0);
	buf_init(&b, 0);
	buf_puts(&a, "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>"
	    "<title>Apples</title><link>http://a.example/</link>\n");
	buf_puts(&b, "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>"
	    "<title>Zebras</title><link>http://b.example/</link>\n");
	for (int i = 0; i < n; i++) {
		char da[64], db[64];
		time_t ta = base - 120 * i, tb = ta - 60;

		strftime(da, sizeof(da), "%a, %d %b %Y %H:%M:%S +0000",
		    gmtime(&ta));
		strftime(db, sizeof(db), "%a, %d %b %Y %H:%M:%S +0000",
		    gmtime(&tb));
		if (i % 10 == 5)
			buf_printf(&a, "<item><title>Apple tidings %d</title>"
			    "<link>http://a.example/landing</link><guid>"
			    "urn:x-test:a%d</guid><pubDate>%s</pubDate>"
			    "</item>\n", i, i, da);
		else
			buf_printf(&a, "<item><title>Apple tidings %d</title>"
			    "<link>http://a.example/%d</link><guid>"
			    "urn:x-test:a%d</guid><pubDate>%s</pubDate>"
			    "</item>\n", i, i, i, da);
		buf_printf(&b, "<item><title>Zebra notes %d</title><link>"
		    "http://%s.example/%d</link><guid>urn:x-test:b%d</guid>"
		    "<pubDate>%s"
		    "</pubDate></item>\n", i, i % 10 == 0 ? "a" : "b", i, i,
		    db);
	}
	buf_puts(&a, "</channel></rss>\n");
	buf_puts(&b, "</channel></rss>\n");
	ts_put(&T, "a.xml", buf_str(&a));
	ts_put(&T, "b.xml", buf_str(&b));
	buf_cleanup(&a);
	buf_cleanup(&b);
}

/* The text of the element <tag> that follows at, or NULL. */
static char *
next_text(const char *at, const char *tag, const char **end)
{
	char *open = xasprintf("<%s", tag), *close = xasprintf("</%s>", tag);
	const char *s = strstr(at, open), *e;
	char *v = NULL;

	if (s != NULL && (s = strchr(s, '>')) != NULL &&
	    (e = strstr(s, close)) != NULL) {
		s++;
		v = xstrndup(s, (size_t)(e - s));
		*end = e;
	}
	free(open);
	free(close);
	return v;
}

/* Whether the entry at goes on to hold needle before it ends. */
static int
entry_has(const char *at, const char *needle)
{
	const char *end = strstr(at, "</entry>"), *hit = strstr(at, needle);

	return hit != NULL && (end == NULL || hit < end);
}

/*
 * 4,750 stories (5,000 items; 250 stories of two), far past the order
 * kept in memory and the links and ids kept in memory (4,096): each
 * story once, newest first, no two ids alike, no link taken for
 * another's (a false "seen" would show as rel="related" or a retagged
 * id), and the one link that 250 stories share, first written in the
 * sixth entry, is known as written in every later one (a "seen" lost in
 * a spill would show as rel="alternate").
 */
Test(spill, spilled_render_has_every_story_once_newest_first)
{
	const int n = 2500;
	char *fa = ts_feed(&T, "a", "/a.xml"), *fb = ts_feed(&T, "b", "/b.xml");
	char *rest = xasprintf("%s%s[output]\njson = feed.json\n"
	    "max_entries = 6000\n", fa, fb);
	char *conf = ts_config(&T, "", rest), *atom = out_path("feed.xml");
	char *doc, *title, *id;
	const char *at, *end;
	struct th_result r;
	int entries = 0;

	put_interleaved(n);
	ts_once(conf, &r);
	th_result_cleanup(&r);
	cr_assert_eq(ts_db_int(&T, "SELECT count(*) FROM stories"), 2 * n -
	    n / 10);
	doc = th_read_file(atom, NULL);
	cr_assert_not_null(doc);
	cr_assert_eq(th_count_of(doc, "<entry>"), 2 * n - n / 10);
	cr_assert_eq(th_count_of(doc, "rel=\"related\""), n / 10 - 1);
	at = strstr(doc, "<entry>");
	for (int i = 0; i < n; i++)
		for (int k = 0; k < 2; k++) {
			char *want;

			if (k == 1 && i % 10 == 0)
				continue;	/* in A's story */
			want = xasprintf(k == 0 ? "Apple tidings %d" :
			    "Zebra notes %d", i);
			cr_assert_not_null(at, "entry %d missing", entries);
			id = next_text(at, "id", &end);
			title = next_text(end, "title", &end);
			/* a story of two shows the item stored first */
			if (i % 10 == 0 && strncmp(title, "Zebra", 5) == 0) {
				free(want);
				want = xasprintf("Zebra notes %d", i);
			}
			cr_assert_str_eq(title, want, "entry %d", entries);
			/* the landing page: its own only in the newest */
			cr_assert_eq(entry_has(end, "rel=\"related\""),
			    k == 0 && i % 10 == 5 && i > 5, "entry %d",
			    entries);
			/* its own id (a URN), not one made for a second */
			free(want);
			want = xasprintf("urn:x-test:%c%d", title[0] == 'A' ?
			    'a' : 'b', i);
			cr_assert_str_eq(id, want, "entry %d", entries);
			free(id);
			free(title);
			free(want);
			entries++;
			at = strstr(end, "<entry>");
		}
	cr_assert_null(at, "more entries than stories");
	free(doc);
	free(atom);
	atom = out_path("feed.json");
	doc = th_read_file(atom, NULL);
	cr_assert_eq(th_count_of(doc, "\"external_url\""), n / 10 - 1);
	free(doc);
	free(atom);
	free(conf);
	free(rest);
	free(fa);
	free(fb);
}

/* ---- the alert log's fsync ---- */

/* A feed of n items, each with "hello" in its title (new ones first). */
static void
put_hello(int first, int n)
{
	struct buf b;

	buf_init(&b, 0);
	buf_puts(&b, "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>"
	    "<title>Hellos</title><link>http://h.example/</link>\n");
	for (int i = first + n - 1; i >= 0; i--)
		buf_printf(&b, "<item><title>hello number %d</title><link>"
		    "http://h.example/%d</link><guid>h%d</guid></item>\n", i, i,
		    i);
	buf_puts(&b, "</channel></rss>\n");
	ts_put(&T, "m.xml", buf_str(&b));
	buf_cleanup(&b);
}

/* The alert log at logp has n lines: "hello number 0" to n - 1, once each. */
static void
expect_each_hello_once(const char *logp, int n)
{
	char *log = th_read_file(logp, NULL);

	cr_assert_eq(th_nlines(log), n, "%s", log);
	for (int i = 0; i < n; i++) {
		char *t = xasprintf("\"hello number %d\"", i);

		cr_assert_eq(th_count_of(log, t), 1, "%s in %s", t, log);
		free(t);
	}
	free(log);
}

/*
 * fsync fails (EIO): `once` says so for the alert log on one line and
 * exits 1; the alerts stay pending (not marked written).  The next run,
 * whose fsync works, leaves them in the log once each: they were
 * appended before the fsync failed, and are not appended again.
 */
Test(spill, alert_log_fsync_failure_leaves_alerts_pending)
{
	char *conf = conf_with("[alert \"h\"]\nmatch = hello\n\n");
	char *logp = out_path("alerts.log"), *err, *line;
	int rc;

	put_hello(0, 3);
	rc = once_in(NULL, conf, &err);
	cr_assert_eq(rc, 0, "exit %d: %s", rc, err);
	free(err);
	cr_assert_eq(ts_db_int(&T, "SELECT count(*) FROM alerts WHERE "
	    "written = 1"), 3);

	put_hello(0, 8);
	rc = once_in(fsync_fails, conf, &err);
	cr_assert_eq(rc, 1, "exit %d: %s", rc, err);
	line = strstr(err, "alert log: ");
	cr_assert_not_null(line, "%s", err);
	cr_assert(strstr(line, "/alerts.log: fsync: Input/output error\n"),
	    "%s", err);
	cr_assert_eq(ts_items_of(&T, "m"), 8, "the items are stored");
	cr_assert_eq(ts_db_int(&T, "SELECT count(*) FROM alerts WHERE "
	    "written = 0"), 5, "not marked written: %s", err);
	free(err);

	rc = once_in(NULL, conf, &err);
	cr_assert_eq(rc, 0, "exit %d: %s", rc, err);
	free(err);
	cr_assert_eq(ts_db_int(&T, "SELECT count(*) FROM alerts WHERE "
	    "written = 0"), 0);
	expect_each_hello_once(logp, 8);
	free(logp);
	free(conf);
}

/*
 * `once` whose alert log cannot be opened (why): the cause and the
 * summary line, exit 1; the feed's nitems stored, npending alerts wait.
 */
static void
once_cannot_log(const char *conf, const char *why, int nitems, int npending)
{
	char *err, *want = xasprintf("/state/alerts.log: %s\n", why);
	int rc = once_in(NULL, conf, &err);

	cr_assert_eq(rc, 1, "exit %d: %s", rc, err);
	cr_assert(strstr(err, "feedd: alert log: ") && strstr(err, want),
	    "%s", err);
	cr_assert_eq(th_nlines(err), 2, "the cause and the summary: %s", err);
	cr_assert_eq(ts_items_of(&T, "m"), nitems, "the items are stored");
	cr_assert_eq(ts_db_int(&T, "SELECT count(*) FROM alerts WHERE "
	    "written = 0"), npending);
	free(want);
	free(err);
}

/*
 * The alert log's path is a folder now (replaced between runs): one
 * line naming it, exit 1, the new alerts pending; once it is a file
 * again, each alert is in it once.
 */
Test(spill, alert_log_that_became_a_folder_keeps_alerts_pending)
{
	char *conf = conf_with("[alert \"h\"]\nmatch = hello\n\n");
	char *logp = out_path("alerts.log"), *err;
	char *away = out_path("alerts.log.1");
	int rc;

	put_hello(0, 2);
	rc = once_in(NULL, conf, &err);
	cr_assert_eq(rc, 0, "exit %d: %s", rc, err);
	free(err);
	cr_assert_eq(rename(logp, away), 0);
	cr_assert_eq(mkdir(logp, 0755), 0);

	put_hello(0, 5);
	once_cannot_log(conf, "Is a directory", 5, 3);

	cr_assert_eq(rmdir(logp), 0);
	cr_assert_eq(rename(away, logp), 0);
	rc = once_in(NULL, conf, &err);
	cr_assert_eq(rc, 0, "exit %d: %s", rc, err);
	free(err);
	expect_each_hello_once(logp, 5);
	free(away);
	free(logp);
	free(conf);
}

/*
 * The alert log's path is a FIFO no one reads: 1,000 alert lines are
 * more than a pipe holds, so appending would block the daemon past any
 * SIGTERM.  It is refused like a folder: one line naming it, exit 1,
 * the alerts pending; once it is a file, each alert is in it once.
 */
Test(spill, alert_log_that_is_a_fifo_is_refused)
{
	char *conf = conf_with("[alert \"h\"]\nmatch = hello\n\n");
	char *logp = out_path("alerts.log"), *err, *log, *state;
	int rc;

	state = th_path(T.dir, "state");
	cr_assert(mkdir(state, 0755) == 0 || errno == EEXIST);
	cr_assert_eq(mkfifo(logp, 0644), 0, "%s", strerror(errno));
	free(state);
	put_hello(0, 1000);
	once_cannot_log(conf, "not a regular file", 1000, 1000);

	cr_assert_eq(unlink(logp), 0);
	rc = once_in(NULL, conf, &err);
	cr_assert_eq(rc, 0, "exit %d: %s", rc, err);
	free(err);
	log = th_read_file(logp, NULL);
	cr_assert_eq(th_nlines(log), 1000);
	cr_assert_eq(th_count_of(log, "\"hello number 999\""), 1, "%s", log);
	free(log);
	free(logp);
	free(conf);
}

/*
 * The daemon, its alert log a folder, once it has said so nerr times:
 * the folder is gone then.  stderr is in the file "err".
 */
static void
start_with_log_a_folder(const char *conf, int nerr)
{
	char *logp = out_path("alerts.log"), *state = th_path(T.dir, "state");
	char *errf = th_path(T.dir, "err"), *err;
	struct file_count want_err = { errf, "alert log: ", nerr, 0 };
	int rc;

	cr_assert_eq(mkdir(state, 0755), 0);
	cr_assert_eq(mkdir(logp, 0755), 0);
	daemon_pid = want_err.pid = start_in(NULL, "run", conf);
	rc = ts_wait_dir(T.dir, file_counts, &want_err, 20);
	err = th_read_file(errf, NULL);
	cr_assert_eq(rc, 0, "no alert log error: %s", err);
	cr_assert_geq(th_count_of(err, "/state/alerts.log: Is a directory\n"),
	    nerr, "%s", err);
	cr_assert_eq(rmdir(logp), 0);
	free(err);
	free(errf);
	free(state);
	free(logp);
}

/* The daemon writes n alerts to its log, then stops: none left pending. */
static void
log_written_then_stop(int n)
{
	char *logp = out_path("alerts.log"), *state = th_path(T.dir, "state");
	char *errf = th_path(T.dir, "err"), *err;
	struct file_count want_log = { logp, "hello number", n, daemon_pid };
	int rc = ts_wait_dir(state, file_counts, &want_log, 20);

	kill(daemon_pid, SIGTERM);
	cr_assert_eq(ts_wait_exit(daemon_pid, 20), 0);
	daemon_pid = 0;
	err = th_read_file(errf, NULL);
	cr_assert_eq(rc, 0, "the log was not written: %s", err);
	cr_assert_eq(ts_db_int(&T, "SELECT count(*) FROM alerts WHERE "
	    "written = 0"), 0, "%s", err);
	free(err);
	free(errf);
	free(state);
	free(logp);
}

/*
 * A flush that could not write is tried again on its own: the daemon
 * whose alert log is a folder at its only fetch (the feed is polled
 * every 30 minutes) says so at each retry, three times (a daemon that
 * does not retry says it twice at most: at the fetch's flush and at
 * the first prune's), and writes the alerts once the folder is gone,
 * with no fetch and no reload.
 */
Test(spill, daemon_retries_a_failed_flush_without_a_fetch)
{
	char *conf = conf_with("[alert \"h\"]\nmatch = hello\n\n");

	cr_assert_eq(setenv("FEEDD_TEST_FLUSH_RETRY_MS", "50", 1), 0);
	put_hello(0, 4);
	start_with_log_a_folder(conf, 3);
	log_written_then_stop(4);
	cr_assert_eq(ts_db_int(&T, "SELECT count(*) FROM items"), 4,
	    "one fetch");
	free(conf);
}

/*
 * The daemon whose alert log is a folder says so at its first flush
 * and, once the folder is gone, opens the log at the next one, with no
 * reload (it waited for a SIGHUP).  The feed is a FIFO the test server
 * reads only when the test writes it: the fetch ends after the folder
 * is gone.
 */
Test(spill, daemon_opens_the_alert_log_once_it_can)
{
	char *conf = conf_with("[alert \"h\"]\nmatch = hello\n\n");
	char *fifo = th_path(T.www, "m.xml");
	struct buf b;
	int fd;

	cr_assert_eq(mkfifo(fifo, 0644), 0);
	start_with_log_a_folder(conf, 1);
	buf_init(&b, 0);
	buf_puts(&b, "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>"
	    "<title>Hellos</title><link>http://h.example/</link>\n");
	for (int i = 0; i < 4; i++)
		buf_printf(&b, "<item><title>hello number %d</title><link>"
		    "http://h.example/%d</link><guid>h%d</guid></item>\n", i, i,
		    i);
	buf_puts(&b, "</channel></rss>\n");
	cr_assert_neq(fd = open(fifo, O_WRONLY), -1, "%s", strerror(errno));
	cr_assert_eq(write(fd, buf_str(&b), b.len), (ssize_t)b.len);
	close(fd);
	buf_cleanup(&b);
	log_written_then_stop(4);
	free(fifo);
	free(conf);
}
