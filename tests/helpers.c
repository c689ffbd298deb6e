/*
 * helpers: process, folder and file helpers for the test suites.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <sqlite3.h>

#include "util/xmalloc.h"
#include "util/buf.h"
#include "util/clock.h"
#include "feeds/feed.h"
#include "storage/store.h"
#include "tests/helpers.h"

/*
 * The checkers the suites run (validate-feed, corpus_faithful.py: Python,
 * and jing: a JVM) start dozens of times; most of their CPU is start-up.
 * Python keeps the bytecode it compiles in BUILD/pycache (beside
 * FEEDD_BIN), so the W3C validator's 45 modules are not compiled again
 * on every run, and never written beside the shared sources; the JVM
 * compiles with C1 only, half jing's CPU for the same verdict.
 */
static void
checker_env(void)
{
	char	*bin = realpath(th_feedd(), NULL), *cache;

	setenv("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1", 0);
	if (bin == NULL || getenv("PYTHONPYCACHEPREFIX") != NULL) {
		free(bin);
		return;
	}
	*strrchr(bin, '/') = '\0';
	cache = th_path(bin, "pycache");
	setenv("PYTHONPYCACHEPREFIX", cache, 0);
	unsetenv("PYTHONDONTWRITEBYTECODE");
	free(cache);
	free(bin);
}

/*
 * Criterion starts suites in name order, a test as a worker frees.  The
 * suites that take longest start first (corpus; hostile, whose first
 * test stores 100,000 items; then the ones running validate-feed), so
 * that the hundreds of short tests fill the cores around them rather
 * than a long one starting last and running alone.
 */
static void
longest_first(struct criterion_test_set *set)
{
	static const char *const first[] = { "corpus", "hostile", "output",
	    "atom_out" };
	struct criterion_ordered_set_node *head = NULL, **tail = &head;

	for (size_t i = 0; i < sizeof(first) / sizeof(*first); i++) {
		struct criterion_ordered_set_node **pp = &set->suites->first;

		for (; *pp != NULL; pp = &(*pp)->next) {
			struct criterion_suite_set *s = (void *)(*pp + 1);
			struct criterion_ordered_set_node *n = *pp;

			if (strcmp(s->suite.name, first[i]) != 0)
				continue;
			*pp = n->next;
			n->next = NULL;
			*tail = n;
			tail = &n->next;
			break;
		}
	}
	*tail = set->suites->first;
	set->suites->first = head;
}

/*
 * A new database costs a test the migrations (10 ms of CPU, 30 ms or
 * more of fsyncs): the runner migrates one once, here, and th_db_new
 * copies it.  Made by this build's store_open on every run, so it is what
 * any test would get; the store suite still migrates an empty file.
 * The copy is the main file alone: its WAL is checkpointed into it.
 */
static char *db_template_dir;

static void
db_template_make(void)
{
	char	*path, *err = NULL;
	struct store *st;
	sqlite3	*db;

	if ((db_template_dir = th_tmpdir()) == NULL)
		return;
	path = th_path(db_template_dir, "template.db");
	if (store_open(path, STORE_READWRITE, &st, &err) != 0) {
		fprintf(stderr, "tests: template database: %s\n", err);
		free(err);
		free(path);
		return;
	}
	store_close(st);
	if (sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE);", NULL, NULL,
	    NULL) == SQLITE_OK)
		setenv("FEEDD_TEST_DB_TEMPLATE", path, 1);
	sqlite3_close(db);
	free(path);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	(void)stats;
	th_rmdir(db_template_dir);
	free(db_template_dir);
}

void
th_db_new(const char *path)
{
	const char *tpl = getenv("FEEDD_TEST_DB_TEMPLATE");
	char	*data;
	size_t	 len;

	cr_assert_not_null(tpl, "no template database (see the runner's "
	    "stderr)");
	cr_assert_not_null(data = th_read_file(tpl, &len), "%s: %s", tpl,
	    strerror(errno));
	cr_assert_eq(th_write_file(path, data, len), 0, "%s: %s", path,
	    strerror(errno));
	free(data);
}

/*
 * The daemon's fixed waits (daemon/timing.h), shortened for every feedd
 * a test starts, so that tests wait on events, not on those constants.
 * Set in the runner before any test forks; one already set wins.
 */
ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
	longest_first(set);
	db_template_make();
	setenv("FEEDD_TEST_STOP_GRACE_MS", "300", 0);
	setenv("FEEDD_TEST_FLUSH_DELAY_MS", "200", 0);
	setenv("FEEDD_TEST_LOW_SPEED_SECS", "2", 0);
	setenv("FEEDD_TEST_SERVE_IDLE_SECS", "2", 0);
	setenv("FEEDD_TEST_STATUS_SOON_MS", "50", 0);
	checker_env();
}

const char *
th_feedd(void)
{
	const char *p = getenv("FEEDD_BIN");

	return p && *p ? p : "build/feedd";
}

const char *
th_shared(void)
{
	const char *p = getenv("FEEDD_SHARED");

	return p && *p ? p : "../shared";
}

/* Pumps stdin and both outputs until the child closes them or time runs out. */
static int
pump(int in, int out, int err, const char *stdin_data, struct buf *o,
    struct buf *e, int64_t deadline)
{
	size_t inlen = stdin_data ? strlen(stdin_data) : 0, inoff = 0;
	char chunk[65536];

	if (in >= 0 && inlen == 0) {
		close(in);
		in = -1;
	}
	while (out >= 0 || err >= 0) {
		struct pollfd p[3] = {
			{ out, POLLIN, 0 }, { err, POLLIN, 0 }, { in, POLLOUT, 0 },
		};
		int64_t left = deadline - clock_monotonic_ms();

		if (left <= 0)
			return -1;
		if (poll(p, 3, (int)left) < 0 && errno != EINTR)
			return -1;
		for (int i = 0; i < 2; i++) {
			int *fd = i == 0 ? &out : &err;
			ssize_t n;

			if (*fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(*fd, chunk, sizeof(chunk));
			if (n <= 0) {
				close(*fd);
				*fd = -1;
			} else
				buf_append(i == 0 ? o : e, chunk, (size_t)n);
		}
		if (in >= 0 && (p[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t n = write(in, stdin_data + inoff, inlen - inoff);

			if (n > 0)
				inoff += (size_t)n;
			if (n <= 0 || inoff == inlen) {
				close(in);
				in = -1;
			}
		}
	}
	if (in >= 0)
		close(in);
	return 0;
}

int
th_run(char *const argv[], const char *stdin_data, int timeout_s,
    struct th_result *res)
{
	int pin[2], pout[2], perr[2], st = 0, timed_out;
	struct rusage ru = { 0 };
	struct buf o, e;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	if (pipe(pin) || pipe(pout) || pipe(perr))
		return -1;
	signal(SIGPIPE, SIG_IGN);
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		dup2(pin[0], 0);
		dup2(pout[1], 1);
		dup2(perr[1], 2);
		close(pin[1]);
		close(pout[0]);
		close(perr[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	buf_init(&o, 0);
	buf_init(&e, 0);
	timed_out = pump(pin[1], pout[0], perr[0], stdin_data, &o, &e,
	    clock_monotonic_ms() + (int64_t)timeout_s * 1000) == -1;
	if (timed_out)
		kill(pid, SIGKILL);
	wait4(pid, &st, 0, &ru);	/* its own peak, not all children's */
	res->maxrss_kb = ru.ru_maxrss;
	res->outlen = o.len;
	res->out = buf_detach(&o);
	res->errlen = e.len;
	res->err = buf_detach(&e);
	res->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 0;
}

int
th_feedd_run(struct th_result *res, int timeout_s, ...)
{
	char *argv[64];
	int argc = 0;
	va_list ap;
	char *a;

	argv[argc++] = (char *)th_feedd();
	va_start(ap, timeout_s);
	while ((a = va_arg(ap, char *)) != NULL && argc < 63)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	return th_run(argv, NULL, timeout_s, res);
}

void
th_result_cleanup(struct th_result *res)
{
	free(res->out);
	free(res->err);
	memset(res, 0, sizeof(*res));
}

char *
th_tmpdir(void)
{
	char *p = xstrdup("/tmp/feedd-test.XXXXXX");

	if (mkdtemp(p) == NULL) {
		free(p);
		return NULL;
	}
	return p;
}

static int
rm_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if ((type == FTW_DP ? rmdir(path) : unlink(path)) == -1)
		fprintf(stderr, "th_rmdir: %s: %s\n", path, strerror(errno));
	return 0;
}

/* rm -rf, in this process: a shell and rm per test add up. */
void
th_rmdir(const char *path)
{
	struct stat sb;

	if (path == NULL || strncmp(path, "/tmp/feedd-test.", 16) != 0 ||
	    lstat(path, &sb) == -1)
		return;
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
th_count_of(const char *s, const char *needle)
{
	int n = 0;

	for (; (s = strstr(s, needle)) != NULL; s += strlen(needle))
		n++;
	return n;
}

int
th_nlines(const char *s)
{
	return th_count_of(s, "\n");
}

size_t
th_doc_errors(const struct feed_doc *doc, const char *needle)
{
	size_t	 n = 0;

	for (size_t i = 0; i < doc->nerrors; i++)
		n += strstr(doc->errors[i], needle) != NULL;
	return n;
}

char *
th_read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char chunk[65536];
	struct buf b;
	size_t n;

	if (fp == NULL)
		return NULL;
	buf_init(&b, 0);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_append(&b, chunk, n);
	fclose(fp);
	if (len)
		*len = b.len;
	return buf_detach(&b);
}

int
th_write_file(const char *path, const char *data, size_t len)
{
	FILE *fp = fopen(path, "wb");
	int rc = 0;

	if (fp == NULL)
		return -1;
	if (fwrite(data, 1, len, fp) != len)
		rc = -1;
	if (fclose(fp) != 0)
		rc = -1;
	return rc;
}

char *
th_path(const char *dir, const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

/*
 * validate-feed passes a file when a checker is missing: jing is then
 * "not installed" beside xmllint, and the W3C validator without its
 * modules "n/a".  Here that fails the test.  The only n/a taken is
 * feedparser's and newsboat's on JSON Feed, which they cannot read.
 */
static int
checker_missing(const char *out)
{
	const char *l;

	if (strstr(out, "jing not installed") != NULL)
		return 1;
	for (l = out; (l = strstr(l, "[n/a]")) != NULL; l++) {
		const char *eol = strchrnul(l, '\n');
		const char *json = strstr(l, "cannot read JSON Feed");

		if (json == NULL || json > eol)
			return 1;
	}
	return 0;
}

void
th_validate_feeds(const char *const *paths, size_t n)
{
	/*
	 * Debian's python3 runs it, the one with its modules (feedparser,
	 * lxml): a python3 first on PATH (pyenv's) costs a probe each.
	 * An Atom file's checks in two halves of about equal time: the W3C
	 * validator alone takes as long as all the others.
	 */
	static const char *const halves[] = { "--skip w3c",
	    "--skip wellformed,rng,rules,feedparser,newsboat" };
	char	*vf = th_path(th_shared(), "tools/validate-feed");
	char	*argv[] = { "/bin/sh", "-c", NULL, NULL };
	struct th_result r;
	struct buf cmd;
	size_t	 jobs = 0;

	buf_init(&cmd, 0);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(paths[i]);
		struct stat st;
		/* a second process costs a Python start: only for big files */
		int split = !(len > 5 && strcmp(paths[i] + len - 5, ".json") ==
		    0) && stat(paths[i], &st) == 0 && st.st_size > 256 * 1024;

		for (int h = 0; h < (split ? 2 : 1); h++)
			buf_printf(&cmd, "/usr/bin/python3 '%s' %s '%s' & "
			    "p%zu=$!\n", vf,
			    split ? halves[h] : "", paths[i], jobs++);
	}
	buf_puts(&cmd, "rc=0\n");
	for (size_t j = 0; j < jobs; j++)
		buf_printf(&cmd, "wait $p%zu || rc=1\n", j);
	buf_puts(&cmd, "exit $rc\n");
	argv[2] = cmd.data;
	cr_assert_eq(th_run(argv, NULL, 300, &r), 0);
	cr_expect_eq(r.status, 0, "validate-feed:\n%s%s", r.out, r.err);
	cr_expect(r.status != 0 || !checker_missing(r.out),
	    "validate-feed ran without a checker (scripts/install-deps "
	    "installs them):\n%s", r.out);
	th_result_cleanup(&r);
	buf_cleanup(&cmd);
	free(vf);
}

int
th_free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port;

	cr_assert_geq(fd, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

void
th_require_tool(const char *tool)
{
	char	*argv[] = { "/bin/sh", "-c", NULL, NULL };
	char	*cmd = xasprintf("command -v '%s' >/dev/null", tool);
	struct th_result r;

	argv[2] = cmd;
	cr_assert_eq(th_run(argv, NULL, 10, &r), 0);
	cr_assert_eq(r.status, 0, "%s is not installed (scripts/install-deps "
	    "installs it)", tool);
	th_result_cleanup(&r);
	free(cmd);
}

/* An RSS document of n small items (about 110 bytes each); caller frees. */
char *
th_rss_of_items(size_t n)
{
	struct buf b;

	buf_init(&b, 0);
	buf_puts(&b, "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>"
	    "<title>Many</title><link>http://example.com/</link>\n");
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "<item><title>Story %zu</title><link>"
		    "http://example.com/%zu</link><guid>g%zu</guid></item>\n",
		    i, i, i);
	buf_puts(&b, "</channel></rss>\n");
	return buf_detach(&b);
}
