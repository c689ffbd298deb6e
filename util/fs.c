/*
 * fs: mkdir -p and atomic replacement of a file (see fs.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/xmalloc.h"

int
fs_mkdir_p(const char *path)
{
	char	*p = xstrdup(path), *s;
	int	 rc = 0;

	for (s = p + 1; rc == 0; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		/* A folder made here is 0755 whatever the umask: it holds
		 * outputs that are public (alerts/); a folder already there
		 * keeps its mode. */
		if (mkdir(p, 0755) == 0)
			chmod(p, 0755);
		else if (errno != EEXIST)
			rc = -1;
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return rc;
}

void
fs_sync_dir(const char *dir)
{
	int	 fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd != -1) {
		fsync(fd);
		close(fd);
	}
}

struct fs_atomic {
	char	*path;
	char	*tmp;
	FILE	*fp;		/* writes to fd through tmp_write */
	int	 fd;
	int	 flags;
	FILE	*old;		/* FS_KEEP_SAME: the file there, or NULL */
	int	 same;		/* every byte so far is old's */
	off_t	 held;		/* bytes that are, not written to tmp yet */
	char	*obuf;
	char	*wbuf;		/* fp's buffer */
};

#define CHUNK	(1 << 16)

int
fs_write_all(int fd, const void *data, size_t n)
{
	const char *buf = data;
	size_t	 off;
	ssize_t	 w;

	for (off = 0; off < n; off += (size_t)w)
		if ((w = write(fd, buf + off, n - off)) == -1) {
			if (errno != EINTR)
				return -1;
			w = 0;
		}
	return 0;
}

/*
 * The first held bytes of the old file into the temporary one (which
 * has nothing yet): the new bytes were the same up to there.  In the
 * kernel where it can (copy_file_range), else through obuf.
 */
static int
copy_held(struct fs_atomic *a)
{
	int	 in = fileno(a->old);
	off_t	 off = 0;

	while (off < a->held) {
		ssize_t n = copy_file_range(in, &off, a->fd, NULL,
		    (size_t)(a->held - off), 0);

		if (n > 0)
			continue;
		if (n == 0 || (errno != ENOSYS && errno != EXDEV &&
		    errno != EINVAL && errno != EOPNOTSUPP))
			return -1;
		break;
	}
	while (off < a->held) {
		size_t	 k = a->held - off < CHUNK ? (size_t)(a->held - off) :
		    CHUNK;
		ssize_t	 n = pread(in, a->obuf, k, off);

		if (n <= 0 || fs_write_all(a->fd, a->obuf, (size_t)n) == -1)
			return -1;
		off += n;
	}
	a->held = 0;
	return 0;
}

/*
 * fopencookie's write: n bytes to the temporary file.  With
 * FS_KEEP_SAME, while they are the old file's next bytes they are only
 * compared, not written: a file that does not change costs one read of
 * the old file, not that and a write of the new.  At the first
 * difference the bytes held back are copied from the old file.
 */
static ssize_t
tmp_write(void *cookie, const char *buf, size_t n)
{
	struct fs_atomic *a = cookie;
	size_t	 off;

	for (off = 0; a->same && off < n; off += CHUNK) {
		size_t	 k = n - off < CHUNK ? n - off : CHUNK;

		a->same = fread(a->obuf, 1, k, a->old) == k &&
		    memcmp(a->obuf, buf + off, k) == 0;
	}
	if (a->same) {
		a->held += (off_t)n;
		return (ssize_t)n;
	}
	if ((a->held > 0 && copy_held(a) == -1) ||
	    fs_write_all(a->fd, buf, n) == -1)
		return -1;
	return (ssize_t)n;
}

static int
tmp_close(void *cookie)
{
	struct fs_atomic *a = cookie;

	return close(a->fd);
}

/*
 * Non-blocking: a FIFO put there would block the open until a writer
 * came.  O_NONBLOCK changes nothing for reading a regular file.
 */
FILE *
fs_open_regular(const char *path, const char **why)
{
	struct stat st;
	FILE	*fp;
	int	 fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	*why = NULL;
	if (fd == -1) {
		*why = strerror(errno);
		return NULL;
	}
	if (fstat(fd, &st) == -1)
		*why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		*why = "not a regular file";
	else if ((fp = fdopen(fd, "rb")) == NULL)
		*why = strerror(errno);
	else
		return fp;
	close(fd);
	return NULL;
}

int
fs_foreign_link(const char *path)
{
	struct stat ls;

	return lstat(path, &ls) == 0 && S_ISLNK(ls.st_mode) &&
	    ls.st_uid != geteuid() && ls.st_uid != 0;
}

/*
 * Where the link at path leads (caller frees), or NULL: its target's
 * real path, or for a file not made yet, what the link says (resolved
 * against the link's folder).
 */
static char *
link_target(const char *path)
{
	char	 to[PATH_MAX], *dcopy, *out;
	ssize_t	 n;

	if ((out = realpath(path, NULL)) != NULL)
		return out;
	if ((n = readlink(path, to, sizeof(to) - 1)) <= 0)
		return NULL;
	to[n] = '\0';
	if (to[0] == '/')
		return xstrdup(to);
	dcopy = xstrdup(path);
	out = xasprintf("%s/%s", dirname(dcopy), to);
	free(dcopy);
	return out;
}

struct fs_atomic *
fs_atomic_open(const char *path, int flags, char **errstr)
{
	struct fs_atomic *a = xcalloc(1, sizeof(*a));
	char	*real = NULL, *dcopy, *dir;
	const char *base, *why;
	struct stat old, ls;
	int	 fd, have_old = 0;

	/*
	 * A link is the user's choice (an output linked into a web root, a
	 * config file kept elsewhere).  One another user planted, in a
	 * folder others may write, would aim the rename at any file this
	 * user can write: only this user's or root's links are followed.
	 */
	if ((flags & FS_FOLLOW_LINK) && lstat(path, &ls) == 0 &&
	    S_ISLNK(ls.st_mode) && !fs_foreign_link(path) &&
	    (real = link_target(path)) != NULL)
		path = real;
	/* a config file edited for the user: its mode and owner are the
	 * user's choice (a URL in it may hold a password) */
	if ((flags & FS_KEEP_MODE) && stat(path, &old) == 0) {
		if (access(path, W_OK) == -1) {
			*errstr = xasprintf("%s: %s", path, strerror(errno));
			free(real);
			free(a);
			return NULL;
		}
		have_old = 1;
	}
	a->path = xstrdup(path);
	free(real);
	path = a->path;
	dcopy = xstrdup(path);
	dir = dirname(dcopy);
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	a->flags = flags;
	a->tmp = xasprintf("%s/.%s.XXXXXX", dir, base);
	fd = -1;
	if (((flags & FS_MKDIR) && fs_mkdir_p(dir) == -1) ||
	    (fd = mkstemp(a->tmp)) == -1) {
		*errstr = xasprintf("%s: %s", path, strerror(errno));
		free(dcopy);
		free(a->tmp);
		a->tmp = NULL;
		fs_atomic_close(a, 0, errstr);
		return NULL;
	}
	free(dcopy);
	/* 0644 whatever the umask: the outputs are public (they are served
	 * over HTTP anyway), while the unit's UMask=0027 keeps the
	 * database group-only. */
	if (have_old) {
		fchmod(fd, old.st_mode & 07777);
		if (fchown(fd, old.st_uid, old.st_gid) == -1) {
			/* only root gives a file away: then it is ours */
		}
	} else
		fchmod(fd, 0644);
	a->fd = fd;
	/* the old file is compared only if it is a regular one; the
	 * rename replaces whatever is there */
	if ((flags & FS_KEEP_SAME) &&
	    (a->old = fs_open_regular(path, &why)) != NULL) {
		a->same = 1;
		a->obuf = xmalloc(CHUNK);
	}
	if ((a->fp = fopencookie(a, "w", (cookie_io_functions_t){
	    .write = tmp_write, .close = tmp_close })) == NULL) {
		*errstr = xasprintf("%s: %s", path, strerror(errno));
		close(fd);
		fs_atomic_close(a, 0, errstr);
		return NULL;
	}
	/*
	 * Outputs run to hundreds of MB in many small writes: 64 KB per
	 * write(2), not 8, and no lock per call (one thread owns the file).
	 * The buffer is given: glibc's setvbuf takes no size without one.
	 */
	a->wbuf = xmalloc(CHUNK);
	setvbuf(a->fp, a->wbuf, _IOFBF, CHUNK);
	__fsetlocking(a->fp, FSETLOCKING_BYCALLER);
	return a;
}

FILE *
fs_atomic_fp(struct fs_atomic *a)
{
	return a->fp;
}

int
fs_flush(FILE *fp)
{
	return fflush(fp) != 0 || ferror(fp) ? -1 : 0;
}

int
fs_atomic_close(struct fs_atomic *a, int ok, char **errstr)
{
	char	*dcopy, *dir;
	int	 rc = -1;

	if (a == NULL)
		return -1;
	dcopy = xstrdup(a->path);
	dir = dirname(dcopy);
	if (a->tmp == NULL || a->fp == NULL)
		goto out;
	if (!ok || fs_flush(a->fp) == -1) {
		if (*errstr == NULL)
			*errstr = xasprintf("%s: writing %s: %s", a->path,
			    a->tmp, strerror(errno));
		goto out;
	}
	if (a->old != NULL && a->same && fgetc(a->old) == EOF)
		rc = 0;			/* the same bytes: left untouched */
	else if ((a->held > 0 && copy_held(a) == -1) || fsync(a->fd) == -1) {
		if (*errstr == NULL)
			*errstr = xasprintf("%s: writing %s: %s", a->path,
			    a->tmp, strerror(errno));
	} else if (rename(a->tmp, a->path) == -1) {
		if (*errstr == NULL)
			*errstr = xasprintf("%s: %s", a->path,
			    strerror(errno));
	} else {
		fs_sync_dir(dir);
		rc = 0;
	}
out:
	if (a->fp != NULL)
		fclose(a->fp);
	if (a->old != NULL)
		fclose(a->old);
	free(a->obuf);
	free(a->wbuf);
	if (a->tmp != NULL)
		unlink(a->tmp);		/* ENOENT once renamed */
	free(a->tmp);
	free(a->path);
	free(a);
	free(dcopy);
	return rc;
}

int
fs_write_atomic(const char *path, fs_write_fn fn, const void *arg,
    int flags, char **errstr)
{
	struct fs_atomic *a = fs_atomic_open(path, flags, errstr);

	if (a == NULL)
		return -1;
	if (fn(a->fp, arg) == -1) {
		*errstr = xasprintf("%s: writing %s: %s", path, a->tmp,
		    strerror(errno));
		fs_atomic_close(a, 0, errstr);
		return -1;
	}
	return fs_atomic_close(a, 1, errstr);
}

struct bytes {
	const void *data;
	size_t	 len;
};

static int
write_bytes(FILE *fp, const void *arg)
{
	const struct bytes *b = arg;

	return b->len == 0 || fwrite(b->data, 1, b->len, fp) == b->len ? 0 : -1;
}

int
fs_write_file(const char *path, const void *data, size_t len, int flags,
    char **errstr)
{
	struct bytes b = { data, len };

	return fs_write_atomic(path, write_bytes, &b, flags, errstr);
}

/* A nameless temporary file in dir: the descriptor, or -1 (errno). */
static int
tmpfd_in(const char *dir)
{
	char	*path;
	int	 fd;

#ifdef O_TMPFILE
	if ((fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) != -1)
		return fd;
	/* a folder that refuses one (missing, read-only, full) refuses a
	 * named one too: only a kernel or filesystem without O_TMPFILE
	 * is asked again */
	if (errno != EOPNOTSUPP && errno != EISDIR)
		return -1;
#endif
	/* a filesystem without O_TMPFILE: a name, removed at once */
	path = xasprintf("%s/feedd.XXXXXX", dir);
	if ((fd = mkostemp(path, O_CLOEXEC)) != -1)
		unlink(path);
	free(path);
	return fd;
}

int
fs_tmpfd(void)
{
	const char *dirs[] = { getenv("TMPDIR"), "/var/tmp", "/tmp" };
	int	 fd = -1;

	/* SQLite's order for its own temporary files */
	for (size_t i = 0; i < 3 && fd == -1; i++)
		if (dirs[i] != NULL && *dirs[i] != '\0')
			fd = tmpfd_in(dirs[i]);
	return fd;
}
