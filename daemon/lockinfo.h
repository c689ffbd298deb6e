/*
 * lockinfo: who holds DATABASE.lock.  `run` and `once` flock it for
 * their lifetime and write "PID STARTED MODE" into it; `status` and
 * `add` read that back to say whether a daemon runs on this database,
 * since when, and which process to send SIGHUP.  The kernel's own lock
 * table (/proc/locks) decides whether the lock is really held, so a
 * crashed daemon's leftover line is never taken for a running one, and
 * reading it never takes the lock (a daemon starting meanwhile would
 * refuse to run).
 */
#ifndef FEEDD_LOCKINFO_H
#define FEEDD_LOCKINFO_H

#include <stdint.h>
#include <sys/types.h>

struct lock_info {
	int	 held;		/* a live process holds the lock */
	pid_t	 pid;		/* of the holder, 0 when unknown */
	int64_t	 started;	/* Unix seconds, 0 when unknown */
	char	 mode[16];	/* "run" or "once", "" when unknown */
};

/*
 * Takes DATABASE.lock for a writer (`run`, `once`, `repair`: mode) and
 * writes this process's line into it: the fd, held until closed, or -1
 * with *err ("PATH: why"; caller frees).  *warn is set (caller frees)
 * when only the line could not be written.
 */
int	 lock_take(const char *database, const char *mode, char **err,
	    char **warn);
/*
 * Whether *fd, taken by lock_take, is still the file DATABASE.lock
 * names: 0 when it is; 1 when the file was deleted or replaced and the
 * new one is now locked instead (*fd swapped, *msg says so); -1 when
 * another process holds the new one (*msg says so).  Deleting the file
 * would otherwise let a second writer in.
 */
int	 lock_keep(int *fd, const char *database, const char *mode,
	    char **msg);
/* Writes this process's line into the locked fd.  0 or -1 (errno). */
int	 lock_info_write(int fd, const char *mode);
/* Reads the lock beside database.  0, or -1 when /proc/locks and the
 * file cannot tell (held stays 0). */
int	 lock_info_read(const char *database, struct lock_info *li);

#endif
