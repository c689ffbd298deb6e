/*
 * fs: the filesystem helpers every writer shares: mkdir -p, and a file
 * replaced atomically (temporary file in the same folder, fsync, rename,
 * fsync of the folder), so a reader or a crash sees the old file or the
 * new one, never half of one; full writes; a nameless temporary file.
 */
#ifndef FEEDD_FS_H
#define FEEDD_FS_H

#include <stdio.h>
#include <sys/types.h>

/* mkdir -p; the folders it makes are 0755 whatever the umask: 0, or -1
 * with errno. */
int	 fs_mkdir_p(const char *path);
/* A rename is durable once the folder holding it is synced: fsyncs dir
 * (errors ignored: there is nothing left to undo). */
void	 fs_sync_dir(const char *dir);

/* Flushes fp: 0, or -1 when the flush or any write before it failed. */
int	 fs_flush(FILE *fp);

/* Streams a file's content to fp: 0, or -1 (errno set). */
typedef int (*fs_write_fn)(FILE *fp, const void *arg);

/* How fs_write_atomic treats a file already there. */
enum fs_write_flags {
	FS_MKDIR	= 1 << 0,	/* create the folder (mkdir -p) first */
	FS_KEEP_SAME	= 1 << 1,	/* leave a file with the same bytes
					 * untouched (its mtime, ETags) */
	FS_KEEP_MODE	= 1 << 2,	/* a file there keeps its mode and
					 * owner, and must be writable */
	FS_FOLLOW_LINK	= 1 << 3,	/* a link there that this user (or
					 * root) owns is followed: its target
					 * is replaced, the link kept */
};

/*
 * 1 when path is a symbolic link neither this user nor root made: in a
 * folder others may write, one planted there would aim a write or a
 * read with this user's rights at any file (FS_FOLLOW_LINK, the HTTP
 * server).
 */
int	 fs_foreign_link(const char *path);

/*
 * Replaces path by what fn writes, readable by all (0644, whatever the
 * umask; FS_KEEP_MODE: the old file's).  0, or -1 with one line in *errstr naming the file and the
 * reason (the caller frees it).
 */
int	 fs_write_atomic(const char *path, fs_write_fn fn, const void *arg,
	    int flags, char **errstr);
/*
 * fs_write_atomic in steps, for writers that fill several files at
 * once: open (NULL and *errstr on failure), write to the FILE, close
 * with ok = every write went well (else the temporary file is only
 * removed).  close frees a and returns 0, or -1 with *errstr (set only
 * if it was NULL).
 */
struct fs_atomic;
struct fs_atomic *fs_atomic_open(const char *path, int flags,
	    char **errstr);
FILE	*fs_atomic_fp(struct fs_atomic *a);
int	 fs_atomic_close(struct fs_atomic *a, int ok, char **errstr);

/* The same for len bytes at data. */
int	 fs_write_file(const char *path, const void *data, size_t len,
	    int flags, char **errstr);

/*
 * path opened for reading if it is a regular file, else NULL with *why
 * saying why (strerror, or "not a regular file").  The open does not
 * block: a FIFO in a file's place cannot hold the caller.
 */
FILE	*fs_open_regular(const char *path, const char **why);

/* Writes all n bytes at data to fd (again after EINTR): 0, or -1 with
 * errno. */
int	 fs_write_all(int fd, const void *data, size_t n);

/* A temporary file with no name, read-write, in the first of $TMPDIR,
 * /var/tmp and /tmp that takes one: gone when closed.  The descriptor,
 * or -1 with errno. */
int	 fs_tmpfd(void);
/* Where fs_tmpfd looks, for errors about its files. */
#define FS_TMP_WHERE	"$TMPDIR, /var/tmp, /tmp"

#endif
