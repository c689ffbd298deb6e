/*
 * db: opening and closing the database (WAL, busy timeout, foreign
 * keys), the prepared-statement cache, transactions, the generation
 * counter and the small column helpers every storage/ file uses.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "config/match.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "storage/store_int.h"

#define BUSY_TIMEOUT_MS 5000	/* readers */
#define WRITER_BUSY_MS	500	/* the writer, once ... */
#define WRITER_LOCKOUT_MS 5000	/* ... then none for this long */

/*
 * The WAL and its index (-wal, -shm) outlive the writer: a reader that
 * may read the files but not write the folder (group feedd, for
 * `feedd feeds` under systemd) can open a WAL database only when they
 * exist, and SQLite deletes them when its last connection closes.
 * With a journal_size_limit (64 MB, ckpt.c's CKPT_LIMIT) the kept WAL
 * is truncated to nothing at that close instead.
 */
void
store_persist_wal(sqlite3 *db)
{
	int on = 1;

	(void)sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &on);
}

/*
 * page_size takes effect only on a new database (before WAL is on):
 * 16 KB pages made storing a cold run 15-20% cheaper than the default
 * 4 KB (fewer page splits and b-tree levels, fewer pages per item) at
 * 1,000 and 10,000 feeds; 32 KB was worse at 10,000.  The writer's
 * page cache is 4 MB.  It was 12: a first fetch of 10,000 feeds
 * inserts stories all over the stories_newest and key indexes, and
 * when storing was slower a 2 MB cache made reading back and spilling
 * pages half the cost of a story.  Measured again (stop 36, realistic
 * corpus, alternating cold runs): 2, 4 and 12 MB take the same CPU at
 * 300 feeds (0.60 s) and at 10,000 (23-26 s, the host's noise), write
 * the same bytes, and read nothing from disk (the kernel caches the
 * file); 12 MB only added its 9 MB to the peak RSS (57 MB at 10,000
 * feeds, 48 at 4 MB).  4 MB, not 2, keeps the indexes' inner pages
 * of a store ten times larger.  Readers keep 2 MB.
 * journal_size_limit: see store_persist_wal.
 */
/*
 * The writer's wait for a lock another process holds.  Its only other
 * writers would be a person's sqlite3 shell or a tool: another feedd
 * takes the flock first.  Waiting 5 s in each call stalled the daemon's
 * loop for minutes (a SIGTERM took 27 s) and failed each feed anyway.
 * It waits WRITER_BUSY_MS, then every call fails at once for
 * WRITER_LOCKOUT_MS: the batch is fetched again later, and the loop,
 * the watchdog and a stop go on.
 */
static int
writer_busy(void *arg, int count)
{
	struct store *st = arg;
	int64_t now = clock_monotonic_ms();

	if (count == 0)
		st->busy_since = now;
	if (now < st->locked_out_until)
		return 0;
	if (now - st->busy_since >= WRITER_BUSY_MS) {
		st->locked_out_until = now + WRITER_LOCKOUT_MS;
		return 0;
	}
	sqlite3_sleep(count < 5 ? 1 : 10);
	return 1;
}

static int
pragma_setup(struct store *st, char **errstr)
{
	const char *rw = "PRAGMA page_size = 16384;"
	    " PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
	    " PRAGMA cache_size = -4096; PRAGMA journal_size_limit = 67108864;";

	if (st->mode == STORE_READWRITE)
		sqlite3_busy_handler(st->db, writer_busy, st);
	else
		sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
	if (st->mode == STORE_READWRITE)
		store_persist_wal(st->db);
	if (store_exec(st, "PRAGMA foreign_keys = ON;") == -1 ||
	    (st->mode == STORE_READWRITE && store_exec(st, rw) == -1)) {
		*errstr = xstrdup(store_errmsg(st));
		return -1;
	}
	return 0;
}

/* A reader needs a database some writer already created and migrated. */
static int
check_version(struct store *st, char **errstr)
{
	int v = store_user_version(st);

	if (v == STORE_SCHEMA_VERSION)
		return 0;
	if (v == -1)
		*errstr = xstrdup(store_errmsg(st));
	else if (v == 0)
		*errstr = xasprintf("%s: not a feedd database (no schema)",
		    st->path);
	else if (v > STORE_SCHEMA_VERSION)
		/* an older feedd installed over a newer one's database */
		*errstr = xasprintf("%s: schema version %d is newer than this "
		    "feedd (%d): a newer feedd wrote it", st->path, v,
		    STORE_SCHEMA_VERSION);
	else
		*errstr = xasprintf("%s: schema version %d, this feedd reads "
		    "%d (run the daemon to upgrade)", st->path, v,
		    STORE_SCHEMA_VERSION);
	return -1;
}

/* feedd_match_lo() and _hi(): the store's int64_t the function holds. */
static void
sql_int64_at(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	sqlite3_result_int64(ctx, *(const int64_t *)sqlite3_user_data(ctx));
}

/*
 * feedd_body(summary, content): the text items_fts indexes for an item
 * (store_body_text).  The full-text tables read their content through
 * it (migrate.c, version 4) instead of keeping a copy of the text.
 */
static void
sql_body(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char *body;

	(void)argc;
	body = store_body_text((const char *)sqlite3_value_text(argv[0]),
	    (const char *)sqlite3_value_text(argv[1]));
	sqlite3_result_text(ctx, body, -1, free);
}

/* feedd_gist(summary, content): store_body_gist as an SQL function. */
static void
sql_gist(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char *gist;

	(void)argc;
	gist = store_body_gist((const char *)sqlite3_value_text(argv[0]),
	    (const char *)sqlite3_value_text(argv[1]));
	if (gist == NULL)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_text(ctx, gist, -1, free);
}

/*
 * match_split_scripts as an SQL function: migration 3, and the word
 * index's view of items with spaceless text (migration 4).
 */
static void
sql_split_scripts(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *text = (const char *)sqlite3_value_text(argv[0]);
	char *out;

	(void)argc;
	if (text == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	out = match_split_scripts(text);
	sqlite3_result_text(ctx, out, -1, free);
}

static int
open_db(struct store *st, char **errstr)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, serr;
	struct stat sb;

	/* SQLite's "unable to open database file" hides the cause. */
	if (stat(st->path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		*errstr = xasprintf("%s: is a directory", st->path);
		return -1;
	}
	if (st->mode == STORE_READONLY) {
		if (stat(st->path, &sb) == -1) {
			*errstr = xasprintf("%s: %s", st->path, strerror(errno));
			return -1;
		}
		flags = SQLITE_OPEN_READONLY;
	}
	/*
	 * A store is used by one thread at a time: no mutex per call.  No
	 * allocation statistics either (a global mutex per malloc); the
	 * call fails harmlessly once SQLite is initialized.  Together they
	 * were a tenth of storing a cold run.
	 */
	flags |= SQLITE_OPEN_NOMUTEX;
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	/*
	 * A sorter keeps up to the page cache's size, but no less than
	 * this many pages (250 by default: 4 MB of 16 KB pages), in
	 * memory before it spills to a file: the outputs' order of up to
	 * 100,000 stories stays within the render's small cache
	 * (stories_db.c).
	 */
	sqlite3_config(SQLITE_CONFIG_PMASZ, 16);
	if (sqlite3_open_v2(st->path, &st->db, flags, NULL) != SQLITE_OK) {
		serr = st->db ? sqlite3_system_errno(st->db) : 0;
		if (serr == EACCES || serr == EPERM || serr == EROFS ||
		    serr == ENOSPC)
			*errstr = xstrdup(store_errmsg(st));
		else
			*errstr = xasprintf("%s: %s%s%s", st->path, st->db ?
			    sqlite3_errmsg(st->db) : "out of memory",
			    serr ? ": " : "", serr ? strerror(serr) : "");
		return -1;
	}
	sqlite3_extended_result_codes(st->db, 1);
	st->match_lo = INT64_MIN;
	st->match_hi = INT64_MAX;
	if (sqlite3_create_function(st->db, "feedd_match_lo", 0, SQLITE_UTF8,
	    &st->match_lo, sql_int64_at, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(st->db, "feedd_match_hi", 0, SQLITE_UTF8,
	    &st->match_hi, sql_int64_at, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(st->db, "feedd_body", 2, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL, sql_body, NULL,
	    NULL) != SQLITE_OK ||
	    sqlite3_create_function(st->db, "feedd_gist", 2, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL, sql_gist, NULL,
	    NULL) != SQLITE_OK ||
	    sqlite3_create_function(st->db, "feedd_split_scripts", 1,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_split_scripts, NULL,
	    NULL) != SQLITE_OK) {
		*errstr = xasprintf("%s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

int
store_open(const char *path, enum store_mode mode, struct store **out,
    char **errstr)
{
	return store_open_busy(path, mode, NULL, NULL, out, errstr);
}

int
store_open_busy(const char *path, enum store_mode mode, store_busy_fn busy,
    void *arg, struct store **out, char **errstr)
{
	struct store *st = xcalloc(1, sizeof(*st));

	*out = NULL;
	st->path = xstrdup(path);
	st->mode = mode;
	st->busy = busy;
	st->busy_arg = arg;
	if (open_db(st, errstr) == -1 || pragma_setup(st, errstr) == -1)
		goto fail;
	if (mode == STORE_READWRITE ? store_migrate(st, errstr) :
	    check_version(st, errstr))
		goto fail;
	if (mode == STORE_READWRITE)
		st->ckpt = store_ckpt_start(st);
	*out = st;
	return 0;
fail:
	store_close(st);
	return -1;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	store_ckpt_stop(st, st->ckpt);
	store_group_drop(st);
	for (int i = 0; i < SQ_NSTMT; i++)
		sqlite3_finalize(st->stmt[i]);
	/* analysis_limit: statistics from a sample, not a full scan */
	if (st->db && st->mode == STORE_READWRITE)
		sqlite3_exec(st->db, "PRAGMA analysis_limit = 400;"
		    " PRAGMA optimize;", NULL, NULL, NULL);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

void
store_checkpoint_soon(struct store *st)
{
	store_ckpt_kick(st->ckpt);
}

int
store_damaged(const struct store *st)
{
	return st->damaged;
}

/*
 * SQLite sees a moved file only in rollback-journal mode: in WAL mode
 * its writes go on into the unlinked inode, and a restart begins
 * another database, its alerts fired again.
 */
int
store_moved(struct store *st)
{
	int moved = 0;

	if (!st->moved && st->db != NULL && sqlite3_file_control(st->db,
	    "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK && moved)
		st->moved = 1;
	return st->moved;
}

struct sqlite3 *
store_sqlite(struct store *st)
{
	return st->db;
}

/* Why st's file cannot be written, or NULL when it can. */
static const char *
why_readonly(const char *path, char *buf, size_t n)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	struct statvfs vfs;
	const char *why = NULL;

	if (slash != NULL)
		*slash = '\0';
	if (statvfs(slash ? (*dir ? dir : "/") : ".", &vfs) == 0 &&
	    (vfs.f_flag & ST_RDONLY))
		why = "file system mounted read-only";
	else if (access(path, W_OK) == -1 && errno != ENOENT) {
		snprintf(buf, n, "file not writable: %s", strerror(errno));
		why = buf;
	} else if (access(slash ? (*dir ? dir : "/") : ".", W_OK) == -1) {
		snprintf(buf, n, "directory not writable: %s", strerror(errno));
		why = buf;
	}
	free(dir);
	return why;
}

/*
 * SQLite's words hide the cause: "database or disk is full", "attempt
 * to write a readonly database", "unable to open database file", and
 * after some failures "not an error".  The cause, named: disk full,
 * read-only (and why), permission denied, or the system's error.
 */
const char *
store_cause(struct store *st)
{
	int code = st->db ? sqlite3_extended_errcode(st->db) : SQLITE_NOMEM;
	int sys = st->db ? sqlite3_system_errno(st->db) : 0;
	int rolled = code == SQLITE_OK && st->rb.code != SQLITE_OK;
	char why[256];
	const char *ro;

	if (rolled)
		code = st->rb.code;	/* what the rollback reset */
	if (st->moved)
		return "the file was deleted, renamed or replaced while "
		    "feedd had it open; nothing more is written to it";

	switch (code & 0xff) {
	case SQLITE_FULL:
		return "disk full";
	case SQLITE_BUSY:
		return "locked by another process (a sqlite3 shell in a "
		    "transaction?)";
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		st->damaged = 1;
		snprintf(st->errtext, sizeof(st->errtext), "%s: the file is "
		    "damaged (stop feedd, run `feedd repair`, start it again)",
		    rolled ? st->rb.msg : sqlite3_errmsg(st->db));
		return st->errtext;
	case SQLITE_READONLY:
		ro = why_readonly(st->path, why, sizeof(why));
		snprintf(st->errtext, sizeof(st->errtext), "read-only database%s%s%s",
		    ro ? " (" : "", ro ? ro : "", ro ? ")" : "");
		return st->errtext;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return "permission denied";
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
		if (sys == ENOSPC)
			return "disk full";
		if (sys == EROFS)
			return "read-only database (file system mounted read-only)";
		if (sys == EACCES || sys == EPERM)
			return "permission denied";
		if ((ro = why_readonly(st->path, why, sizeof(why))) != NULL) {
			/* WAL's -shm cannot be made beside it, say */
			snprintf(st->errtext, sizeof(st->errtext),
			    "read-only database (%s)", ro);
			return st->errtext;
		}
		if (sys != 0) {
			snprintf(st->errtext, sizeof(st->errtext), "%s: %s",
			    sqlite3_errmsg(st->db), strerror(sys));
			return st->errtext;
		}
		break;
	case SQLITE_OK:
		/* the error was reset on the way: judge the file itself */
		if ((ro = why_readonly(st->path, why, sizeof(why))) != NULL) {
			snprintf(st->errtext, sizeof(st->errtext),
			    "read-only database (%s)", ro);
			return st->errtext;
		}
		return "unknown error";
	}
	if (rolled)
		return st->rb.msg;
	return st->db ? sqlite3_errmsg(st->db) : "out of memory";
}

const char *
store_errmsg(struct store *st)
{
	char tmp[sizeof(st->errtext)];

	if (st->io_errno != 0) {
		/* not the database's: the render's own (fs_tmpfd) */
		snprintf(tmp, sizeof(tmp), "the story order's temporary file"
		    " (" FS_TMP_WHERE "): %s", strerror(st->io_errno));
		st->io_errno = 0;
	} else
		snprintf(tmp, sizeof(tmp), "%s: %s", st->path, store_cause(st));
	memcpy(st->errtext, tmp, sizeof(tmp));
	return st->errtext;
}

sqlite3_stmt *
store_stmt(struct store *st, enum store_stmt_id id, const char *sql)
{
	sqlite3_stmt *s = st->stmt[id];

	if (s != NULL) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return s;
	}
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &s, NULL) != SQLITE_OK)
		return NULL;
	st->stmt[id] = s;
	return s;
}

int
store_step_done(sqlite3_stmt *s)
{
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

int64_t
store_step_int64(sqlite3_stmt *s)
{
	int64_t v = -1;

	if (s == NULL)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return v;
}

int
store_walk_is_shorter(struct store *st, int64_t total, int limit,
    store_count_fn kept_upto, const char *key)
{
	int64_t enough, kept;

	if (total < 0)
		return -1;
	if (limit <= 0)
		return 0;
	for (enough = 1; enough * enough < total * limit; enough *= 2)
		;
	if (enough > total / 2)		/* no walk tests more than total */
		enough = total / 2 > 0 ? total / 2 : 1;
	kept = kept_upto(st, key, enough);
	return kept < 0 ? -1 : kept >= enough;
}

int
store_bindv(sqlite3_stmt *s, const char *fmt, va_list ap)
{
	int col = 0, rc = SQLITE_OK;

	for (const char *f = fmt; *f != '\0' && rc == SQLITE_OK; f++) {
		col++;
		switch (*f) {
		case 'i':
			rc = sqlite3_bind_int(s, col, va_arg(ap, int));
			break;
		case 'I':
			rc = sqlite3_bind_int64(s, col, va_arg(ap, int64_t));
			break;
		case 's':
			rc = store_bind_str(s, col, va_arg(ap, const char *));
			break;
		case 't':
			rc = store_bind_time(s, col, va_arg(ap, int64_t));
			break;
		case 'l':
			rc = store_bind_limit(s, col, va_arg(ap, int));
			break;
		default:
			fatalx("store_bind: '%c' in \"%s\"", *f, fmt);
		}
	}
	return rc == SQLITE_OK ? 0 : -1;
}

int
store_bind(sqlite3_stmt *s, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = store_bindv(s, fmt, ap);
	va_end(ap);
	return rc;
}

sqlite3_stmt *
store_query(struct store *st, enum store_stmt_id id, const char *sql,
    const char *fmt, ...)
{
	sqlite3_stmt *s = store_stmt(st, id, sql);
	va_list ap;
	int rc;

	if (s == NULL)
		return NULL;
	va_start(ap, fmt);
	rc = store_bindv(s, fmt, ap);
	va_end(ap);
	return rc == 0 ? s : NULL;
}

int
store_exec(struct store *st, const char *sql)
{
	return sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK ?
	    0 : -1;
}

/*
 * Transactions nest: the outermost is BEGIN IMMEDIATE (the write lock
 * up front, so it never fails half way on a busy upgrade); an inner one
 * only counts.  Inner savepoints would keep a failing call from undoing
 * the rest of a batch, but FTS5 writes out its pending index data at
 * every savepoint, which cost a fifth of a cold run; a failure inside a
 * batch (disk full, I/O error: SQLite may roll those back whole anyway)
 * undoes the batch instead.  A statement error that made SQLite roll
 * back leaves autocommit on: depth follows it.
 */
int
store_begin(struct store *st)
{
	if (st->depth > 0 && sqlite3_get_autocommit(st->db)) {
		st->depth = 0;
		st->lost = 1;
	}
	if (st->depth == 0) {
		store_ckpt_wait(st->ckpt);
		if (st->mode == STORE_READWRITE && store_moved(st))
			return -1;
		if (store_run(st, SQ_BEGIN, "BEGIN IMMEDIATE", "") == -1)
			return -1;
		st->rb.code = SQLITE_OK;
	}
	st->depth++;
	return 0;
}

int
store_read_begin(struct store *st)
{
	return sqlite3_get_autocommit(st->db) &&
	    store_run(st, SQ_READ_BEGIN, "BEGIN", "") == 0;
}

void
store_read_end(struct store *st, int began)
{
	if (began)
		store_run(st, SQ_COMMIT, "COMMIT", "");
}

/* On failure the transaction stays open for store_rollback. */
int
store_commit(struct store *st)
{
	if (sqlite3_get_autocommit(st->db)) {
		st->lost |= st->depth > 1;
		st->depth = 0;
		return -1;		/* rolled back under us */
	}
	if (st->depth > 1) {
		st->depth--;
		return 0;
	}
	if (store_moved(st) ||
	    store_run(st, SQ_COMMIT, "COMMIT", "") == -1)
		return -1;
	st->depth = 0;
	return 0;
}

static void
error_keep(sqlite3 *db, struct store_error *e)
{
	e->code = sqlite3_extended_errcode(db);
	snprintf(e->msg, sizeof(e->msg), "%s", sqlite3_errmsg(db));
}

void
store_keep_error(struct store *st)
{
	if (sqlite3_errcode(st->db) != SQLITE_OK)
		error_keep(st->db, &st->rb);
}

void
store_rollback(struct store *st)
{
	if (st->depth > 1 && !st->lost)
		error_keep(st->db, &st->lost_by);
	st->lost |= st->depth > 1;
	st->depth = 0;
	store_group_drop(st);	/* it may hold rolled-back items */
	error_keep(st->db, &st->rb);
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

int
store_end(struct store *st, int rc)
{
	if (rc == 0 && store_commit(st) == 0)
		return 0;
	store_rollback(st);
	return -1;
}

void
store_rows_free(void *rows, size_t n, size_t size,
    void (*cleanup)(void *, void *), void *arg)
{
	for (size_t i = 0; rows != NULL && i < n; i++)
		cleanup((char *)rows + i * size, arg);
	free(rows);
}

int
store_read_rows(sqlite3_stmt *q, int limit, size_t size,
    int (*read)(sqlite3_stmt *q, void *elem, void *arg), void *arg,
    void (*cleanup)(void *elem, void *arg), void **rows, size_t *n)
{
	char	*v = NULL;
	size_t	 cap = 0, k = 0;
	int	 rc = SQLITE_DONE;

	while ((limit <= 0 || k < (size_t)limit) &&
	    (rc = sqlite3_step(q)) == SQLITE_ROW) {
		v = xgrow(v, k, &cap, size);
		memset(v + k * size, 0, size);
		if (read(q, v + k * size, arg) == -1) {
			rc = SQLITE_ERROR;
			break;
		}
		k++;
	}
	sqlite3_reset(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {	/* ROW: at limit */
		store_rows_free(v, k, size, cleanup, arg);
		v = NULL;
		k = 0;
		rc = -1;
	} else
		rc = 0;
	*rows = v;
	*n = k;
	return rc;
}

int
store_batch_begin(struct store *st)
{
	st->lost = 0;
	st->lost_by.code = SQLITE_OK;
	return store_begin(st);
}

int
store_batch_commit(struct store *st)
{
	int lost = st->lost;

	st->lost = 0;
	/* the calls since began and ended transactions of their own */
	if (lost && st->lost_by.code != SQLITE_OK)
		st->rb = st->lost_by;
	if (st->depth == 0)
		return lost ? -1 : 0;
	if (store_commit(st) == 0)
		return lost ? -1 : 0;
	store_rollback(st);
	st->lost = 0;
	return -1;
}

int
store_bump_generation(struct store *st)
{
	return store_run(st, SQ_GEN_BUMP,
	    "UPDATE meta SET value = value + 1 WHERE key = 'generation'", "");
}

int64_t
store_generation(struct store *st)
{
	sqlite3_stmt *s = store_stmt(st, SQ_GEN_GET,
	    "SELECT value FROM meta WHERE key = 'generation'");
	int64_t g = -1;

	if (s && sqlite3_step(s) == SQLITE_ROW)
		g = sqlite3_column_int64(s, 0);
	if (s)
		sqlite3_reset(s);
	return g;
}

int
store_mark_get(struct store *st, const char *key, int64_t *v)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = ?",
	    -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int
store_mark_set(struct store *st, const char *key, int64_t v)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO meta (key, value)"
	    " VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value ="
	    " excluded.value", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, v);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

char *
store_col_str(sqlite3_stmt *s, int col)
{
	const unsigned char *v = sqlite3_column_text(s, col);

	return v ? xstrdup((const char *)v) : NULL;
}

int64_t
store_col_time(sqlite3_stmt *s, int col)
{
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return FEED_TIME_NONE;
	return sqlite3_column_int64(s, col);
}

void
store_cols_read(sqlite3_stmt *s, int first, void *row,
    const struct store_cols *c)
{
	for (size_t i = 0; i < c->n; i++) {
		void *m = (char *)row + c->col[i].off;
		int col = first + (int)i;

		switch (c->col[i].kind) {
		case STORE_COL_STR:
			*(char **)m = store_col_str(s, col);
			break;
		case STORE_COL_I64:
			*(int64_t *)m = sqlite3_column_int64(s, col);
			break;
		case STORE_COL_INT:
			*(int *)m = sqlite3_column_int(s, col);
			break;
		case STORE_COL_T:
			*(int64_t *)m = store_col_time(s, col);
			break;
		}
	}
}

void
store_cols_free(void *row, const struct store_cols *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->col[i].kind == STORE_COL_STR)
			free(*(char **)((char *)row + c->col[i].off));
}

void
store_cols_bind(sqlite3_stmt *s, int first, const void *row,
    const struct store_cols *c)
{
	for (size_t i = 0; i < c->n; i++) {
		const void *m = (const char *)row + c->col[i].off;
		int p = first + (int)i;

		switch (c->col[i].kind) {
		case STORE_COL_STR:
			store_bind_str(s, p, *(char *const *)m);
			break;
		case STORE_COL_I64:
			sqlite3_bind_int64(s, p, *(const int64_t *)m);
			break;
		case STORE_COL_INT:
			sqlite3_bind_int(s, p, *(const int *)m);
			break;
		case STORE_COL_T:
			store_bind_time(s, p, *(const int64_t *)m);
			break;
		}
	}
}

int
store_cols_fill(sqlite3_stmt *q, void *elem, void *arg)
{
	store_cols_read(q, 0, elem, arg);
	return 0;
}

void
store_cols_clear(void *elem, void *arg)
{
	store_cols_free(elem, arg);
}

int
store_bind_limit(sqlite3_stmt *s, int col, int limit)
{
	return sqlite3_bind_int(s, col, limit > 0 ? limit : -1);
}

int
store_bind_time(sqlite3_stmt *s, int col, int64_t t)
{
	if (t == FEED_TIME_NONE)
		return sqlite3_bind_null(s, col);
	return sqlite3_bind_int64(s, col, t);
}

int
store_bind_str(sqlite3_stmt *s, int col, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(s, col);
	return sqlite3_bind_text(s, col, v, -1, SQLITE_STATIC);
}
