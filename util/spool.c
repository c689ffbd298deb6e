/*
 * spool: records written, then read back in order, in bounded memory
 * (see spool.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/spool.h"
#include "util/xmalloc.h"

struct spool {
	size_t	 recsize;
	size_t	 max;		/* records the buffer may hold */
	char	*buf;
	size_t	 cap;		/* records it has room for now */
	size_t	 n;		/* records in it */
	size_t	 at;		/* reading: the next one in it */
	int	 fd;		/* -1 until the buffer first fills */
	off_t	 off;		/* reading: the file's next bytes */
};

struct spool *
spool_new(size_t recsize, size_t maxmem)
{
	struct spool *sp = xcalloc(1, sizeof(*sp));

	sp->recsize = recsize;
	sp->max = maxmem / recsize > 0 ? maxmem / recsize : 1;
	sp->fd = -1;
	return sp;
}

void
spool_free(struct spool *sp)
{
	if (sp == NULL)
		return;
	if (sp->fd != -1)
		close(sp->fd);
	free(sp->buf);
	free(sp);
}

int
spool_spilled(const struct spool *sp)
{
	return sp->fd != -1;
}

/* The buffer's records to the file, made the first time. */
static int
spool_flush(struct spool *sp)
{
	if (sp->fd == -1 && (sp->fd = fs_tmpfd()) == -1)
		return -1;
	if (fs_write_all(sp->fd, sp->buf, sp->n * sp->recsize) == -1)
		return -1;
	sp->n = 0;
	return 0;
}

int
spool_put(struct spool *sp, const void *rec)
{
	if (sp->n == sp->cap) {
		if (sp->cap < sp->max) {
			sp->cap = sp->cap == 0 ? 16 : sp->cap * 2;
			if (sp->cap > sp->max)
				sp->cap = sp->max;
			sp->buf = xreallocarray(sp->buf, sp->cap, sp->recsize);
		} else if (spool_flush(sp) == -1)
			return -1;
	}
	memcpy(sp->buf + sp->n++ * sp->recsize, rec, sp->recsize);
	return 0;
}

/*
 * The records read back from the file at a time: reading takes no
 * bigger buffer than this, whatever writing took (the memory goes back
 * before the caller's next step, which may need it: the render reads
 * its rows then).
 */
#define SPOOL_READ_BYTES	4096

int
spool_rewind(struct spool *sp)
{
	size_t	 rcap = SPOOL_READ_BYTES / sp->recsize;

	sp->at = 0;
	sp->off = 0;
	if (sp->fd == -1)
		return 0;
	/* in the file, all of them: the buffer is read from it again */
	if (sp->n > 0 && spool_flush(sp) == -1)
		return -1;
	if (rcap == 0)
		rcap = 1;
	if (rcap < sp->cap) {
		sp->cap = rcap;
		sp->buf = xreallocarray(sp->buf, sp->cap, sp->recsize);
	}
	return 0;
}

/* The buffer refilled from the file: 0 (none left: n is 0), or -1. */
static int
spool_fill(struct spool *sp)
{
	size_t	 want = sp->cap * sp->recsize, got = 0;
	ssize_t	 r;

	while (got < want) {
		r = pread(sp->fd, sp->buf + got, want - got, sp->off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
		sp->off += r;
	}
	if (got % sp->recsize != 0) {
		errno = EIO;		/* a record cut short */
		return -1;
	}
	sp->n = got / sp->recsize;
	sp->at = 0;
	return 0;
}

int
spool_get(struct spool *sp, void *rec)
{
	if (sp->at == sp->n) {
		if (sp->fd == -1)
			return 0;
		if (spool_fill(sp) == -1)
			return -1;
		if (sp->n == 0)
			return 0;
	}
	memcpy(rec, sp->buf + sp->at++ * sp->recsize, sp->recsize);
	return 1;
}
