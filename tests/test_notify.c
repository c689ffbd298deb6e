/*
 * test_notify: the systemd notify protocol.  notify.c is called directly
 * with NOTIFY_SOCKET pointing at a datagram socket the test reads; then
 * `feedd run` is started as systemd would start it and must say READY,
 * STATUS, WATCHDOG, RELOADING on SIGHUP and STOPPING on SIGTERM.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/notify.h"
#include "tests/helpers.h"

struct sock {
	char	*dir;
	char	*path;
	int	 fd;
};

static void
sock_open(struct sock *s)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	s->dir = th_tmpdir();
	s->path = th_path(s->dir, "notify");
	cr_assert_lt(strlen(s->path), sizeof(sun.sun_path));
	strcpy(sun.sun_path, s->path);
	s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(s->fd, 0);
	cr_assert_eq(bind(s->fd, (struct sockaddr *)&sun, sizeof(sun)), 0,
	    "bind: %s", strerror(errno));
	setenv("NOTIFY_SOCKET", s->path, 1);
}

static void
sock_close(struct sock *s)
{
	close(s->fd);
	th_rmdir(s->dir);
	free(s->path);
	free(s->dir);
}

/* The next datagram, or NULL when none came within wait_ms. */
static char *
sock_recv(struct sock *s, int wait_ms)
{
	struct pollfd p = { .fd = s->fd, .events = POLLIN };
	char buf[4096];
	ssize_t n;

	if (poll(&p, 1, wait_ms) <= 0)
		return NULL;
	if ((n = recv(s->fd, buf, sizeof(buf) - 1, 0)) < 0)
		return NULL;
	buf[n] = '\0';
	return strdup(buf);
}

static void
expect(struct sock *s, const char *want_prefix)
{
	char *m = sock_recv(s, 5000);

	cr_assert_not_null(m, "no datagram; wanted %s", want_prefix);
	cr_assert(strncmp(m, want_prefix, strlen(want_prefix)) == 0,
	    "got '%s', wanted '%s'", m, want_prefix);
	free(m);
}

Test(notify, each_call_sends_its_line)
{
	struct sock s;

	sock_open(&s);
	notify_ready();
	expect(&s, "READY=1");
	notify_status("polled %d feeds, %d new items", 12, 3);
	expect(&s, "STATUS=polled 12 feeds, 3 new items");
	notify_reloading();
	expect(&s, "RELOADING=1");
	notify_watchdog();
	expect(&s, "WATCHDOG=1");
	notify_extend_start(30, "upgrading the database");
	expect(&s, "EXTEND_TIMEOUT_USEC=30000000\nSTATUS=upgrading the "
	    "database");
	notify_stopping();
	expect(&s, "STOPPING=1");
	sock_close(&s);
}

Test(notify, nothing_sent_without_notify_socket)
{
	struct sock s;
	char *m;

	sock_open(&s);
	unsetenv("NOTIFY_SOCKET");
	notify_ready();
	notify_status("x");
	notify_reloading();
	notify_watchdog();
	notify_stopping();
	m = sock_recv(&s, 0);
	cr_assert_null(m, "got '%s'", m);
	sock_close(&s);
}

Test(notify, watchdog_interval_is_half_of_watchdog_usec)
{
	char pid[32];

	unsetenv("WATCHDOG_USEC");
	cr_assert_eq(notify_watchdog_interval(), 0);
	setenv("WATCHDOG_USEC", "60000000", 1);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	cr_assert_eq(notify_watchdog_interval(), 30000000);
	/* Meant for another process (say our parent): not ours to feed. */
	snprintf(pid, sizeof(pid), "%d", (int)getppid());
	setenv("WATCHDOG_PID", pid, 1);
	cr_assert_eq(notify_watchdog_interval(), 0);
	unsetenv("WATCHDOG_PID");
	cr_assert_eq(notify_watchdog_interval(), 30000000);
}

/* ---- feedd run under a pretend systemd ---- */

struct daemon {
	pid_t	 pid;
	char	*errpath;
	int	 exited;	/* reaped; status valid */
	int	 status;
};

static void
daemon_start(struct daemon *d, const char *conf, const char *dir)
{
	d->errpath = th_path(dir, "stderr");
	d->exited = 0;
	if ((d->pid = fork()) == 0) {
		char pid[32];
		int fd = open(d->errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		/* A failed assertion must not leave a daemon behind. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (fd >= 0)
			dup2(fd, 2);
		snprintf(pid, sizeof(pid), "%d", (int)getpid());
		setenv("WATCHDOG_PID", pid, 1);
		setenv("WATCHDOG_USEC", "200000", 1);
		unsetenv("FEEDD_CONFIG");
		execl(th_feedd(), "feedd", "run", "-c", conf, (char *)NULL);
		_exit(127);
	}
	cr_assert_gt(d->pid, 0);
}

/*
 * Waits for a datagram holding the line want; the lines seen on the way
 * are checked for STATUS= and WATCHDOG=1.  0 when found, -1 when the
 * daemon went quiet.
 */
static int
wait_line(struct sock *s, struct daemon *d, const char *want,
    int *saw_status, int *saw_wd)
{
	for (int i = 0; i < 200; i++) {
		char *m = NULL, *line, *save = NULL;

		/* Ten seconds of silence, or the daemon gone, ends the wait. */
		for (int t = 0; m == NULL && t < 50; t++) {
			m = sock_recv(s, 200);
			if (m == NULL && !d->exited &&
			    waitpid(d->pid, &d->status, WNOHANG) == d->pid)
				d->exited = 1;
			if (m == NULL && d->exited)
				break;
		}
		int found = 0;

		if (m == NULL)
			return -1;
		for (line = strtok_r(m, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save)) {
			*saw_status |= strncmp(line, "STATUS=", 7) == 0;
			*saw_wd |= strcmp(line, "WATCHDOG=1") == 0;
			found |= strcmp(line, want) == 0;
		}
		free(m);
		if (found)
			return 0;
	}
	return -1;
}

static void
fail_without_ready(struct daemon *d)
{
	char *err = th_read_file(d->errpath, NULL);

	cr_assert_fail("no READY=1 from feedd run; stderr: %s", err ? err : "");
}

Test(notify, feedd_run_speaks_the_protocol, .timeout = 90)
{
	struct sock s;
	struct daemon d;
	char *conf, *rss, *xtext;
	const char *text;
	int saw_status = 0, saw_wd = 0;

	sock_open(&s);
	/* One local feed, so a poll cycle happens and STATUS reports it. */
	rss = th_path(s.dir, "f.xml");
	text = "<rss version=\"2.0\"><channel><title>t</title>"
	    "<item><title>one</title><link>https://x.example/1</link></item>"
	    "</channel></rss>";
	cr_assert_eq(th_write_file(rss, text, strlen(text)), 0);
	conf = th_path(s.dir, "feedd.conf");
	xtext = NULL;
	cr_assert_geq(asprintf(&xtext, "[daemon]\nstate_dir = .\n\n"
	    "[output]\natom = feed.xml\n\n[feed \"local\"]\nurl = file://%s\n",
	    rss), 0);
	cr_assert_eq(th_write_file(conf, xtext, strlen(xtext)), 0);
	daemon_start(&d, conf, s.dir);
	if (wait_line(&s, &d, "READY=1", &saw_status, &saw_wd) == -1)
		fail_without_ready(&d);
	/* Keep-alives every 100 ms (half of WATCHDOG_USEC). */
	while (!saw_wd)
		cr_assert_eq(wait_line(&s, &d, "WATCHDOG=1", &saw_status, &saw_wd),
		    0, "no WATCHDOG=1 keep-alive");
	cr_assert_eq(kill(d.pid, SIGHUP), 0);
	cr_assert_eq(wait_line(&s, &d, "RELOADING=1", &saw_status, &saw_wd), 0,
	    "no RELOADING=1 after SIGHUP");
	cr_assert_eq(wait_line(&s, &d, "READY=1", &saw_status, &saw_wd), 0,
	    "no READY=1 after the reload");
	cr_assert_eq(kill(d.pid, SIGTERM), 0);
	cr_assert_eq(wait_line(&s, &d, "STOPPING=1", &saw_status, &saw_wd), 0,
	    "no STOPPING=1 after SIGTERM");
	if (!d.exited)
		cr_assert_eq(waitpid(d.pid, &d.status, 0), d.pid);
	cr_assert(WIFEXITED(d.status) && WEXITSTATUS(d.status) == 0,
	    "status %#x", d.status);
	cr_assert(saw_status, "no STATUS= line");
	free(d.errpath);
	free(xtext);
	free(rss);
	free(conf);
	sock_close(&s);
}

/*
 * Reads datagrams until a STATUS= line holds needle (0), or the daemon
 * goes quiet (-1).  last keeps the latest STATUS= text; *ready_seen
 * is set when READY=1 goes by.
 */
static int
wait_status(struct sock *s, struct daemon *d, const char *needle,
    char *last, size_t lastsz, int *ready_seen)
{
	for (int i = 0; i < 400; i++) {
		char *m = NULL, *l, *save = NULL;
		int found = 0;

		for (int t = 0; m == NULL && t < 50; t++) {
			m = sock_recv(s, 200);
			if (m == NULL && !d->exited &&
			    waitpid(d->pid, &d->status, WNOHANG) == d->pid)
				d->exited = 1;
			if (m == NULL && d->exited)
				break;
		}
		if (m == NULL)
			return -1;
		for (l = strtok_r(m, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			if (strcmp(l, "READY=1") == 0)
				*ready_seen = 1;
			if (strncmp(l, "STATUS=", 7) != 0)
				continue;
			snprintf(last, lastsz, "%s", l + 7);
			found |= strstr(l + 7, needle) != NULL;
		}
		free(m);
		if (found)
			return 0;
	}
	return -1;
}

static void
daemon_stop(struct daemon *d)
{
	cr_assert_eq(kill(d->pid, SIGTERM), 0);
	if (!d->exited)
		cr_assert_eq(waitpid(d->pid, &d->status, 0), d->pid);
	cr_assert(WIFEXITED(d->status) && WEXITSTATUS(d->status) == 0,
	    "status %#x", d->status);
	free(d->errpath);
}

/*
 * The status line counts feeds ok and failing, items and alerts of the
 * last 24 h and names the next poll; after a restart its first line,
 * sent before READY=1, already has them all from the database.
 */
Test(notify, status_line_true_from_the_first_second, .timeout = 120)
{
	struct sock s;
	struct daemon d;
	char *conf, *rss, *xtext = NULL, last[512] = "";
	const char *text;
	const char *want = "2 feeds: 1 ok, 1 failing; 3 items and 1 alert "
	    "in 24 h; ";
	int ready = 0;

	sock_open(&s);
	rss = th_path(s.dir, "f.xml");
	text = "<rss version=\"2.0\"><channel><title>t</title>"
	    "<item><title>one quokka</title><link>https://x.example/1</link></item>"
	    "<item><title>two</title><link>https://x.example/2</link></item>"
	    "<item><title>three</title><link>https://x.example/3</link></item>"
	    "</channel></rss>";
	cr_assert_eq(th_write_file(rss, text, strlen(text)), 0);
	conf = th_path(s.dir, "feedd.conf");
	cr_assert_geq(asprintf(&xtext, "[daemon]\nstate_dir = .\ninterval = 1h\n"
	    "[output]\natom = feed.xml\n[alerts]\nlog = alerts.log\n"
	    "[alert \"q\"]\nmatch = quokka\n"
	    "[feed \"local\"]\nurl = file://%s\n"
	    "[feed \"missing\"]\nurl = file://%s/nope.xml\n", rss, s.dir), 0);
	cr_assert_eq(th_write_file(conf, xtext, strlen(xtext)), 0);

	/* First run: from nothing to the figures, without waiting for a
	 * poll cycle's end nor the minute timer. */
	daemon_start(&d, conf, s.dir);
	cr_assert_eq(wait_status(&s, &d, "not polled yet", last, sizeof(last),
	    &ready), 0, "first status: '%s'", last);
	cr_assert_eq(wait_status(&s, &d, want, last, sizeof(last), &ready), 0,
	    "status never reached '%s'; last '%s'", want, last);
	cr_assert(strstr(last, "; next poll "), "%s", last);
	daemon_stop(&d);

	/* Restart: the very first line has it all, before READY=1. */
	ready = 0;
	daemon_start(&d, conf, s.dir);
	cr_assert_eq(wait_status(&s, &d, "", last, sizeof(last), &ready), 0,
	    "no status after the restart");
	cr_assert_not(ready, "READY=1 came before the first STATUS=");
	cr_assert(strncmp(last, want, strlen(want)) == 0,
	    "first status after restart: '%s'", last);
	cr_assert(strstr(last, "; next poll "), "%s", last);
	daemon_stop(&d);
	free(xtext);
	free(rss);
	free(conf);
	sock_close(&s);
}
