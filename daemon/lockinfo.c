/*
 * lockinfo: writing and reading the line in DATABASE.lock, and asking
 * the kernel's lock table whether anyone holds it (see lockinfo.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "daemon/lockinfo.h"
#include "util/xmalloc.h"

int
lock_info_write(int fd, const char *mode)
{
	char line[96];
	int n = snprintf(line, sizeof(line), "%ld %lld %s\n", (long)getpid(),
	    (long long)time(NULL), mode);

	if (ftruncate(fd, 0) == -1 || pwrite(fd, line, (size_t)n, 0) != n)
		return -1;
	return 0;
}

int
lock_take(const char *database, const char *mode, char **err, char **warn)
{
	char *path = xasprintf("%s.lock", database);
	int fd;

	*err = *warn = NULL;
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1)
		*err = xasprintf("%s: %s", path, strerror(errno));
	else if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		*err = xasprintf("%s: %s", path, errno == EWOULDBLOCK ?
		    "another feedd run or once (or repair) is using this "
		    "database" :
		    strerror(errno));
		close(fd);
		fd = -1;
	} else if (lock_info_write(fd, mode) == -1)
		*warn = xasprintf("%s: %s", path, strerror(errno));
	free(path);
	return fd;
}

int
lock_keep(int *fd, const char *database, const char *mode, char **msg)
{
	char *path = xasprintf("%s.lock", database), *err, *warn;
	struct stat held, now;
	int nfd;

	*msg = NULL;
	if (fstat(*fd, &held) == 0 && stat(path, &now) == 0 &&
	    held.st_dev == now.st_dev && held.st_ino == now.st_ino) {
		free(path);
		return 0;
	}
	if ((nfd = lock_take(database, mode, &err, &warn)) == -1) {
		*msg = xasprintf("%s (the lock file was deleted or replaced "
		    "under this process)", err);
		free(err);
		free(path);
		return -1;
	}
	free(warn);
	close(*fd);
	*fd = nfd;
	*msg = xasprintf("%s: the lock file was deleted or replaced; "
	    "taken again", path);
	free(path);
	return 1;
}

/*
 * The pid holding an flock on (dev, ino) per /proc/locks, 0 when none,
 * -1 when the table cannot be read.  Lines read
 * "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF".
 */
static pid_t
flock_holder(dev_t dev, ino_t ino)
{
	FILE *fp = fopen("/proc/locks", "r");
	char line[256];
	pid_t holder = 0;

	if (fp == NULL)
		return -1;
	while (holder == 0 && fgets(line, sizeof(line), fp) != NULL) {
		char type[16], adv[16], rw[16];
		unsigned int maj, min;
		unsigned long long inode;
		long pid;
		char *p = strchr(line, ':');

		/* "->" lines are waiters, blocked on a holder */
		if (p == NULL || strstr(line, "->") != NULL)
			continue;
		if (sscanf(p + 1, "%15s %15s %15s %ld %x:%x:%llu", type, adv,
		    rw, &pid, &maj, &min, &inode) == 7 &&
		    strcmp(type, "FLOCK") == 0 && inode == (unsigned long long)ino &&
		    makedev(maj, min) == dev)
			holder = (pid_t)pid;
	}
	fclose(fp);
	return holder;
}

int
lock_info_read(const char *database, struct lock_info *li)
{
	char *path = xasprintf("%s.lock", database), line[96] = "";
	struct stat st;
	pid_t holder;
	FILE *fp;
	long pid = 0;
	long long started = 0;

	memset(li, 0, sizeof(*li));
	if ((fp = fopen(path, "r")) == NULL) {
		free(path);
		return errno == ENOENT ? 0 : -1;	/* never run */
	}
	free(path);
	if (fgets(line, sizeof(line), fp) != NULL)
		(void)sscanf(line, "%ld %lld %15s", &pid, &started, li->mode);
	holder = fstat(fileno(fp), &st) == 0 ?
	    flock_holder(st.st_dev, st.st_ino) : -1;
	fclose(fp);
	if (holder == -1) {
		/* no lock table: trust a line whose process still lives */
		li->held = pid > 0 && (kill((pid_t)pid, 0) == 0 ||
		    errno == EPERM);
		if (!li->held)
			return -1;
	} else
		li->held = holder > 0;
	if (li->held) {
		li->pid = holder > 0 ? holder : (pid_t)pid;
		/* the line is the holder's only when its pid matches */
		li->started = li->pid == (pid_t)pid ? started : 0;
		if (li->pid != (pid_t)pid)
			li->mode[0] = '\0';
	}
	return 0;
}
