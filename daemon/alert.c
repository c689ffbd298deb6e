/*
 * alert: the alert log file.  Pending alerts come from the store; each
 * becomes one line, appended with one write() on an O_APPEND descriptor,
 * fsync'd, then marked written in the store.  After an open (or a
 * failure) the log's tail is read first, so a line that reached the
 * file before a crash is marked written instead of appended twice.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/alert.h"
#include "util/fs.h"
#include "util/hash.h"
#include "util/xmalloc.h"
#include "feeds/atom_out.h"
#include "util/buf.h"
#include "util/termtext.h"
#include "feeds/date.h"
#include "feeds/json_out.h"
#include "util/utf8.h"

#define ALERT_TAIL_MAX		(1024 * 1024)
#define ALERT_READ_MAX		((off_t)64 * 1024 * 1024) /* read back, at most */
#define ALERT_TITLE_MAX		2000	/* bytes */

struct alert_log {
	char	*path;
	enum alert_format format;
	int	 fd;
	int	 verify;	/* compare pending alerts with the tail */
	int	 unknown_read;	/* unknown and nunknown hold the log's */
	uint64_t *unknown;	/* keys of the lines the database does not
				 * know it wrote, sorted */
	size_t	 nunknown, unknown_cap;
	struct metrics *metrics;
};

/*
 * Text-format field: one line, whatever s holds.  Invalid UTF-8 becomes
 * U+FFFD; C0, DEL, C1, U+2028 and U+2029 become spaces; with quote set,
 * `"` and `\` are escaped with a backslash.
 */
static void
put_field(struct buf *b, const char *s, int quote, size_t max)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t	 len = strlen((const char *)p), n, start = b->len;
	uint32_t c;

	while (len > 0 && (max == 0 || b->len - start < max)) {
		if ((n = utf8_decode(p, len, &c)) == 0) {
			buf_puts(b, "\xef\xbf\xbd");
			p++, len--;
			continue;
		}
		if (term_unsafe(c))
			buf_putc(b, ' ');
		else if (quote && (c == '"' || c == '\\')) {
			buf_putc(b, '\\');
			buf_putc(b, (char)c);
		} else
			buf_append(b, p, n);
		p += n, len -= n;
	}
}

/* A rule name is one word in the text format: blanks become '_'. */
static void
put_rule(struct buf *b, const char *rule)
{
	size_t	 start = b->len, i;

	put_field(b, rule, 0, 200);
	for (i = start; i < b->len; i++)
		if (b->data[i] == ' ')
			b->data[i] = '_';
}

char *
alert_rule_word(const char *rule)
{
	struct buf b;

	buf_init(&b, 0);
	put_rule(&b, rule);
	return buf_detach(&b);
}

/*
 * A link between < and >: what cannot be in a URL is percent-encoded,
 * C1 controls and U+2028/U+2029 (raw before) included.
 */
static void
put_link(struct buf *b, const char *link)
{
	term_url(b, link);
}

static void
format_text(struct buf *b, const struct alert_row *a)
{
	char	 d[DATE_RFC3339_LEN];

	buf_puts(b, date_format_rfc3339(a->fired_at, d, sizeof(d)));
	buf_putc(b, ' ');
	put_rule(b, a->rule);
	buf_puts(b, " \"");
	put_field(b, a->title, 1, ALERT_TITLE_MAX);
	buf_puts(b, "\" <");
	put_link(b, a->link);
	buf_puts(b, "> (");
	put_field(b, a->feed, 0, ALERT_TITLE_MAX);
	buf_puts(b, ")\n");
}

static void
format_json(struct buf *b, const struct alert_row *a)
{
	char	 d[DATE_RFC3339_LEN];

	buf_puts(b, "{\"time\":");
	json_put_string(b, date_format_rfc3339(a->fired_at, d, sizeof(d)));
	buf_puts(b, ",\"rule\":");
	json_put_string(b, a->rule);
	buf_puts(b, ",\"title\":");
	json_put_string(b, a->title ? a->title : "");
	buf_puts(b, ",\"link\":");
	json_put_string(b, a->link);
	buf_puts(b, ",\"feed\":");
	json_put_string(b, a->feed);
	buf_puts(b, ",\"published\":");
	json_put_string(b, a->published == FEED_TIME_NONE ? NULL :
	    date_format_rfc3339(a->published, d, sizeof(d)));
	buf_puts(b, "}\n");
}

/*
 * A link someone may click in a terminal or a log viewer is http(s):
 * a javascript: or data: item link is left out.
 */
char *
alert_format_line(const struct alert_row *a, enum alert_format format)
{
	struct alert_row safe = *a;
	struct buf b;

	if (a->link != NULL && strncasecmp(a->link, "http://", 7) != 0 &&
	    strncasecmp(a->link, "https://", 8) != 0)
		safe.link = NULL;
	buf_init(&b, 0);
	if (format == ALERT_FORMAT_JSON)
		format_json(&b, &safe);
	else
		format_text(&b, &safe);
	return buf_detach(&b);
}

/*
 * A FIFO or a socket would block the loop at the first line no one
 * reads (SIGTERM included); a character device (/dev/null) never does.
 */
static int
appendable(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && (S_ISREG(st.st_mode) ||
	    S_ISCHR(st.st_mode));
}

/*
 * Read-write: the tail is read back to find lines written before a crash.
 * A log made here (the first one, or the next after a rotation) is 0644
 * whatever the umask: alerts are public headlines, and the README
 * promises `tail -f` to every user.  One already there keeps the mode
 * its admin gave it.
 */
/*
 * A link to a log not made yet (into a folder the admin chose): the file
 * it names is made.  The kernel's protected_symlinks keeps another
 * user's link in a shared folder from being followed.
 */
static int
open_through_link(const char *path)
{
	struct stat ls;
	int	 fd;

	if (lstat(path, &ls) == -1 || !S_ISLNK(ls.st_mode))
		return -1;
	if ((fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC,
	    0644)) != -1 && fstat(fd, &ls) == 0 && ls.st_size == 0)
		(void)fchmod(fd, 0644);
	return fd;
}

static int
open_fd(const char *path, char **errstr)
{
	int	 fd = -1;
	char	*dir = xstrdup(path);

	/* its folder is made, as the outputs' are */
	(void)fs_mkdir_p(dirname(dir));
	free(dir);

	for (int tries = 0; tries < 2; tries++) {
		fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_EXCL |
		    O_CLOEXEC, 0644);
		if (fd != -1) {
			(void)fchmod(fd, 0644);
			break;
		}
		if (errno != EEXIST)
			break;
		/* there, unless it was renamed away in between */
		if ((fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC)) != -1 ||
		    errno != ENOENT)
			break;
		if ((fd = open_through_link(path)) != -1)
			break;
	}
	if (fd == -1)
		*errstr = xasprintf("%s: %s", path, strerror(errno));
	else if (!appendable(fd)) {
		*errstr = xasprintf("%s: not a regular file", path);
		close(fd);
		fd = -1;
	}
	return fd;
}

struct alert_log *
alert_log_open(const char *path, enum alert_format format, char **errstr)
{
	struct alert_log *log;
	int	 fd;

	if ((fd = open_fd(path, errstr)) == -1)
		return NULL;
	log = xcalloc(1, sizeof(*log));
	log->path = xstrdup(path);
	log->format = format;
	log->fd = fd;
	log->verify = 1;
	return log;
}

void
alert_log_close(struct alert_log *log)
{
	if (log == NULL)
		return;
	if (log->fd != -1)
		close(log->fd);
	free(log->unknown);
	free(log->path);
	free(log);
}

void
alert_log_set_metrics(struct alert_log *log, struct metrics *m)
{
	log->metrics = m;
}

int
alert_log_reopen(struct alert_log *log, char **errstr)
{
	int	 fd;

	if ((fd = open_fd(log->path, errstr)) == -1)
		return -1;
	if (log->fd != -1)
		close(log->fd);
	log->fd = fd;
	log->verify = 1;
	return 0;
}

/* Reopens when the path no longer names the file we hold (rotated). */
static int
follow_rotation(struct alert_log *log, char **errstr)
{
	struct stat sp, sf;

	if (log->fd != -1 && stat(log->path, &sp) == 0 &&
	    fstat(log->fd, &sf) == 0 && sp.st_dev == sf.st_dev &&
	    sp.st_ino == sf.st_ino)
		return 0;
	return alert_log_reopen(log, errstr);
}

/* The last ALERT_TAIL_MAX bytes of the log, NUL-terminated. */
static char *
read_tail(int fd, size_t *len)
{
	struct stat st;
	off_t	 off;
	ssize_t	 r;
	char	*t;

	*len = 0;
	if (fstat(fd, &st) == -1 || st.st_size == 0)
		return NULL;
	off = st.st_size > ALERT_TAIL_MAX ? st.st_size - ALERT_TAIL_MAX : 0;
	t = xmalloc((size_t)(st.st_size - off) + 1);
	r = pread(fd, t, (size_t)(st.st_size - off), off);
	if (r < 0)
		r = 0;
	t[r] = '\0';
	*len = (size_t)r;
	return t;
}

/* A whole line of the log's tail (with its newline), by hash. */
struct tail_line {
	uint64_t hash;
	const char *at;
	size_t	 len;
};

static int
tail_line_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct tail_line *)a)->hash;
	uint64_t y = ((const struct tail_line *)b)->hash;

	return x < y ? -1 : x > y;
}

/*
 * The tail's whole lines, sorted by hash.  Scanning the tail's megabyte
 * for each pending line was a third of a flood's flush: 10,000 alerts
 * at once stalled the loop for seconds.
 */
static struct tail_line *
index_tail(const char *tail, size_t tlen, size_t *n)
{
	const char *p = tail, *end = tail + tlen, *nl;
	struct tail_line *v = NULL;
	size_t	 cap = 0;

	*n = 0;
	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		v = xgrow(v, *n, &cap, sizeof(*v));
		v[*n].at = p;
		v[*n].len = (size_t)(nl + 1 - p);
		v[*n].hash = hash_add(HASH_INIT, p, v[*n].len);
		(*n)++;
		p = nl + 1;
	}
	if (*n > 1)
		qsort(v, *n, sizeof(*v), tail_line_cmp);
	return v;
}

/* Whether line (with its newline) is a whole line of the tail. */
static int
tail_has_line(const struct tail_line *v, size_t n, const char *line)
{
	size_t	 len = strlen(line), lo = 0, hi = n;
	uint64_t h = hash_add(HASH_INIT, line, len);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].hash < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && v[lo].hash == h; lo++)
		if (v[lo].len == len && memcmp(v[lo].at, line, len) == 0)
			return 1;
	return 0;
}

/*
 * A line's identity: the line but its time, all that changes in the line
 * of a story's alert fired again.  Text: after the first blank; JSON:
 * from "rule" on.
 */
static uint64_t
line_key(const char *line, size_t n)
{
	const char *end = line + n, *p;

	if (n > 0 && line[0] == '{')
		p = memmem(line, n, ",\"rule\":", 8);
	else
		p = memchr(line, ' ', n);
	if (p == NULL)
		p = line;
	if (end > p && end[-1] == '\n')
		end--;
	return hash_add(HASH_INIT, p, (size_t)(end - p));
}

/* The time a line starts with (text) or its "time" (JSON); 0: none. */
static int64_t
line_time(const char *line, size_t n)
{
	char	 d[40];
	size_t	 k = 0;
	int64_t	 t;

	if (n > 9 && memcmp(line, "{\"time\":\"", 9) == 0)
		line += 9, n -= 9;
	while (k < n && k < sizeof(d) - 1 && line[k] != ' ' && line[k] != '"')
		k++;
	memcpy(d, line, k);
	d[k] = '\0';
	return date_parse(d, &t) == 0 ? t : 0;
}

static int
key_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The keys of the whole lines in text (r bytes, the first a part of a
 * line when cut) written after horizon.  Returns 1 when a line at or
 * before horizon was there: nothing earlier needs reading.
 */
static int
keys_after(struct alert_log *log, const char *text, size_t r, int cut,
    int64_t horizon)
{
	const char *p = cut ? memchr(text, '\n', r) : text - 1, *nl;
	int	 reached = 0;

	for (; p != NULL && (nl = memchr(p + 1, '\n',
	    (size_t)(text + r - p - 1))) != NULL; p = nl) {
		size_t n = (size_t)(nl - p - 1);
		int64_t t = line_time(p + 1, n);

		if (t != 0 && t <= horizon) {
			reached = 1;
			continue;
		}
		log->unknown = xgrow(log->unknown, log->nunknown,
		    &log->unknown_cap, sizeof(*log->unknown));
		log->unknown[log->nunknown++] = line_key(p + 1, n);
	}
	return reached;
}

/*
 * Reads the lines at the log's end written after horizon, the time of
 * the newest alert the database knows was written: a megabyte at a
 * time, backwards, until a line at or before it, ALERT_READ_MAX at
 * most.  0, or -1 with errno.
 */
static int
read_unknown(struct alert_log *log, int64_t horizon)
{
	struct stat st;
	off_t	 end, start;
	char	*text, *carry = NULL, *nl;
	size_t	 ncarry = 0, len;
	int	 reached = 0;

	log->unknown_read = 1;
	if (fstat(log->fd, &st) == -1)
		return -1;
	if (!S_ISREG(st.st_mode))
		return 0;
	for (end = st.st_size; end > 0 && !reached &&
	    st.st_size - end < ALERT_READ_MAX; end = start) {
		start = end > ALERT_TAIL_MAX ? end - ALERT_TAIL_MAX : 0;
		len = (size_t)(end - start);
		/* a line begun here and ended in the chunk after */
		text = xmalloc(len + ncarry);
		if (pread(log->fd, text, len, start) != (ssize_t)len) {
			free(text);
			free(carry);
			return -1;
		}
		if (ncarry > 0)
			memcpy(text + len, carry, ncarry);
		free(carry);
		len += ncarry;
		reached = keys_after(log, text, len, start > 0, horizon);
		nl = start > 0 ? memchr(text, '\n', len) : NULL;
		ncarry = nl != NULL ? (size_t)(nl - text + 1) : len;
		carry = text;		/* its first ncarry bytes */
	}
	free(carry);
	if (log->nunknown > 1)
		qsort(log->unknown, log->nunknown, sizeof(*log->unknown),
		    key_cmp);
	return 0;
}

/*
 * Whether the log has this alert's line but for its time, written after
 * the newest alert the database knows it wrote: the database was lost
 * or restored from an older copy, and fires again what the log has.
 * Two stories of one title and link (a daily digest) still alert once
 * each: the database knows the first one's line.
 */
static int
logged_unknown(const struct alert_log *log, const char *line)
{
	uint64_t key = line_key(line, strlen(line));

	return log->nunknown > 0 && bsearch(&key, log->unknown,
	    log->nunknown, sizeof(key), key_cmp) != NULL;
}

static int
write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w, n -= (size_t)w;
	}
	return 0;
}

/*
 * Appends one line, or nothing: a write cut short (ENOSPC, EFBIG) is
 * truncated away, so the next try does not glue a whole line to a
 * fragment.  The daemon is the log's only writer (its database lock).
 */
static int
write_line(int fd, const char *line)
{
	off_t	 end = lseek(fd, 0, SEEK_END);
	int	 saved;

	if (write_all(fd, line, strlen(line)) == 0)
		return 0;
	saved = errno;
	/* if this fails too, the tail check ends the fragment's line */
	if (end != (off_t)-1 && ftruncate(fd, end) == 0)
		(void)fsync(fd);
	errno = saved;
	return -1;
}

/*
 * Writes (or, when verifying, and the tail shows it was written before a
 * crash, only marks) each of rows.  ids collects what to mark written.
 * The number written, or -1 (errno).
 */
static int
append_rows(struct alert_log *log, const struct tail_line *lines,
    size_t nlines, const struct alert_row *rows, size_t n, int64_t *ids,
    size_t *nids)
{
	int	 written = 0;

	for (size_t i = 0; i < n; i++) {
		char *line = alert_format_line(&rows[i], log->format);
		int there = tail_has_line(lines, nlines, line);

		if (!there)
			there = logged_unknown(log, line);
		if (!there) {
			if (write_line(log->fd, line) == -1) {
				free(line);
				return -1;
			}
			written++;
			if (log->metrics != NULL)
				metrics_alert_fired(log->metrics, rows[i].rule);
		}
		free(line);
		ids[(*nids)++] = rows[i].id;
	}
	return written;
}

/*
 * A flush's appended lines on their way to the disk.  Their fsync runs
 * on a thread of its own while the caller goes on (the outputs: the
 * fsync was a fifth of a cold run's tail, on the loop); alert_log_end
 * waits for it and marks the alerts written only when it succeeded.
 */
struct alert_sync {
	pthread_t thread;
	int	 threaded;	/* else the fsync ran in alert_log_begin */
	int	 fd;
	int	 rc;		/* fsync's */
	int	 err;		/* its errno */
	int	 written;	/* append_pending's */
	char	*errstr;	/* append_pending's error, if any */
	int64_t	*ids;		/* to mark written once durable */
	size_t	 nids;
};

static void *
sync_main(void *arg)
{
	struct alert_sync *s = arg;

	s->rc = fsync(s->fd);
	s->err = errno;
	return NULL;
}

/* read_unknown from the database's horizon: 0, or -1 with *errstr. */
static int
know_log(struct alert_log *log, struct store *st, char **errstr)
{
	int64_t	 horizon;

	if (store_alerts_horizon(st, &horizon) == -1) {
		*errstr = xasprintf("pending alerts: %s", store_errmsg(st));
		return -1;
	}
	if (read_unknown(log, horizon) == -1) {
		*errstr = xasprintf("%s: %s", log->path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Appends rows (freed here) and the pending alerts after them, a page at
 * a time, into s; the tail is read once, before the first.  The number
 * written, or -1 with s->errstr.
 */
static int
append_pending(struct alert_log *log, struct store *st, int verify,
    struct alert_row *rows, size_t n, struct alert_sync *s)
{
	size_t	 tlen = 0, nlines = 0, cap = 0;
	char	*tail = verify ? read_tail(log->fd, &tlen) : NULL;
	struct tail_line *lines = tail ? index_tail(tail, tlen, &nlines) : NULL;
	int	 written = 0, w = 0, full;
	int64_t	 last;

	if (tail != NULL && tail[tlen - 1] != '\n' &&
	    write_all(log->fd, "\n", 1) == -1)	/* a line cut by a crash */
		w = -1;
	while (w != -1 && n > 0) {
		if (cap < s->nids + n) {
			cap = 2 * (s->nids + n);
			s->ids = xreallocarray(s->ids, cap, sizeof(*s->ids));
		}
		w = append_rows(log, lines, nlines, rows, n, s->ids, &s->nids);
		last = rows[n - 1].id;
		full = n == STORE_ALERTS_PAGE;
		alert_rows_free(rows, n);
		rows = NULL;
		n = 0;
		if (w == -1)
			break;
		written += w;
		if (full && store_alerts_pending(st, last, STORE_ALERTS_PAGE,
		    &rows, &n) == -1) {
			s->errstr = xasprintf("pending alerts: %s",
			    store_errmsg(st));
			written = -1;
			break;
		}
	}
	if (w == -1) {
		alert_rows_free(rows, n);
		s->errstr = xasprintf("%s: %s", log->path, strerror(errno));
		written = -1;
	}
	free(lines);
	free(tail);
	return written;
}

struct alert_sync *
alert_log_begin(struct alert_log *log, struct store *st)
{
	struct alert_sync *s = xcalloc(1, sizeof(*s));
	struct alert_row *rows = NULL;
	size_t	 n = 0;
	int	 verify;

	if (follow_rotation(log, &s->errstr) == -1) {
		s->written = -1;
		return s;
	}
	if (store_alerts_pending(st, 0, STORE_ALERTS_PAGE, &rows, &n) ==
	    -1) {
		s->errstr = xasprintf("pending alerts: %s", store_errmsg(st));
		s->written = -1;
		return s;
	}
	if (n == 0) {
		free(s);
		return NULL;
	}
	if (!log->unknown_read && know_log(log, st, &s->errstr) == -1) {
		s->written = -1;
		alert_rows_free(rows, n);
		return s;
	}
	s->fd = log->fd;
	/*
	 * Only lines not yet marked written can be in the log already:
	 * after an open or a failure.  Checked always, a second story of
	 * the same title and link fired in the same second lost its line.
	 */
	verify = log->verify;
	log->verify = 1;		/* until every line is marked */
	s->written = append_pending(log, st, verify, rows, n, s);
	if (s->nids > 0) {
		s->threaded = pthread_create(&s->thread, NULL, sync_main,
		    s) == 0;
		if (!s->threaded)
			sync_main(s);
	}
	return s;
}

int
alert_log_end(struct alert_log *log, struct store *st, struct alert_sync *s,
    char **errstr)
{
	int	 written;

	if (s == NULL)
		return 0;
	if (s->threaded)
		pthread_join(s->thread, NULL);
	written = s->written;
	*errstr = s->errstr;
	if (s->nids > 0 && s->rc == -1 && s->err != EINVAL) {
		if (written >= 0)
			*errstr = xasprintf("%s: fsync: %s", log->path,
			    strerror(s->err));
		written = -1;
	} else if (s->nids > 0 &&
	    store_alerts_mark_written(st, s->ids, s->nids) == -1) {
		if (written >= 0)
			*errstr = xasprintf("marking alerts written: %s",
			    store_errmsg(st));
		written = -1;
	}
	if (written >= 0)
		log->verify = 0;
	free(s->ids);
	free(s);
	return written;
}

int
alert_log_flush(struct alert_log *log, struct store *st, char **errstr)
{
	return alert_log_end(log, st, alert_log_begin(log, st), errstr);
}
