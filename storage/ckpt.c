/*
 * ckpt: WAL checkpoints on a thread of their own.  SQLite checkpoints
 * in the committing thread by default: the copy of the WAL into the
 * database and its fsyncs stalled the daemon's loop (fetching and
 * storing) for a tenth of a cold run.  A second connection checkpoints
 * PASSIVE, beside the writer, whenever a commit leaves the WAL long.
 *
 * SQLite starts the WAL over only when a write transaction begins with
 * every frame checkpointed, and the daemon begins its next batch right
 * after a commit, while the checkpoint of that commit runs: the WAL
 * would grow for the whole of a first fetch.  So past CKPT_LIMIT frames
 * store_ckpt_wait (before a transaction begins) waits for the running
 * checkpoint, and the WAL starts over.
 */
#include <pthread.h>
#include <stdlib.h>

#include "util/xmalloc.h"
#include "storage/store_int.h"

/* WAL frames (16 KB pages) after a commit that ask for a checkpoint. */
#define CKPT_FRAMES 1000
#define CKPT_LIMIT (4 * CKPT_FRAMES)	/* and that wait for it */

struct store_ckpt {
	sqlite3	*db;			/* used by the thread only */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int	 pending;		/* a commit asked for a checkpoint */
	int	 busy;			/* one is running */
	int	 frames;		/* in the WAL after the last commit */
	int	 stop;
};

static void *
ckpt_main(void *arg)
{
	struct store_ckpt *c = arg;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (!c->pending && !c->stop)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->stop)
			break;
		c->pending = 0;
		c->busy = 1;
		pthread_mutex_unlock(&c->mu);
		/*
		 * Errors (SQLITE_BUSY, I/O) leave frames in the WAL for the
		 * next checkpoint, or the one store_close runs.
		 */
		sqlite3_wal_checkpoint_v2(c->db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&c->mu);
		c->busy = 0;
		pthread_cond_broadcast(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* sqlite3_wal_hook: runs in the writer after each commit. */
static int
ckpt_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct store_ckpt *c = arg;

	(void)db;
	(void)name;
	pthread_mutex_lock(&c->mu);
	c->frames = frames;
	if (frames >= CKPT_FRAMES) {
		c->pending = 1;
		pthread_cond_broadcast(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);
	return SQLITE_OK;
}

struct store_ckpt *
store_ckpt_start(struct store *st)
{
	struct store_ckpt *c = xcalloc(1, sizeof(*c));

	if (sqlite3_open_v2(st->path, &c->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(c->db, 1000);
	store_persist_wal(c->db);
	/* a connection reads the database (and finds the WAL) lazily */
	if (sqlite3_exec(c->db, "SELECT 1 FROM sqlite_schema LIMIT 1", NULL,
	    NULL, NULL) != SQLITE_OK)
		goto fail;
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	if (pthread_create(&c->thread, NULL, ckpt_main, c) != 0) {
		pthread_cond_destroy(&c->cv);
		pthread_mutex_destroy(&c->mu);
		goto fail;
	}
	/* replaces the writer's own automatic checkpoints */
	sqlite3_wal_hook(st->db, ckpt_hook, c);
	return c;
fail:
	sqlite3_close(c->db);
	free(c);
	return NULL;
}

void
store_ckpt_wait(struct store_ckpt *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	if (c->frames >= CKPT_LIMIT) {
		while (c->pending || c->busy)
			pthread_cond_wait(&c->cv, &c->mu);
		c->frames = 0;
	}
	pthread_mutex_unlock(&c->mu);
}

/* A checkpoint of whatever the WAL holds, however little. */
void
store_ckpt_kick(struct store_ckpt *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	if (c->frames > 0) {
		c->pending = 1;
		pthread_cond_broadcast(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);
}

void
store_ckpt_stop(struct store *st, struct store_ckpt *c)
{
	if (c == NULL)
		return;
	sqlite3_wal_hook(st->db, NULL, NULL);
	sqlite3_wal_autocheckpoint(st->db, CKPT_FRAMES);
	pthread_mutex_lock(&c->mu);
	c->stop = 1;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	sqlite3_close(c->db);
	free(c);
}
