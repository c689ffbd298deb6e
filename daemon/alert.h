/*
 * alert: the alert log.  Appends pending alerts from the store, one
 * write() per line, fsync'd, then marks them written; so an alert is
 * logged exactly once even across kill -9 (on open it compares the
 * pending alerts with the log's tail).  Text or JSON Lines per
 * INTERFACE.md; titles cannot break or forge a line.
 */
#ifndef FEEDD_ALERT_H
#define FEEDD_ALERT_H

#include "config/config.h"
#include "daemon/metrics.h"
#include "storage/store.h"

struct alert_log;

/* A rule's name as the text log writes it: one word (blanks, controls
 * '_'), 200 bytes at most.  Caller frees. */
char	*alert_rule_word(const char *rule);
/* NULL with *errstr when the log cannot be opened. */
struct alert_log *alert_log_open(const char *path, enum alert_format format,
	    char **errstr);
void	 alert_log_close(struct alert_log *log);	/* NULL ok */
/* Reopens the same path (SIGHUP, logrotate).  0 or -1 with *errstr. */
int	 alert_log_reopen(struct alert_log *log, char **errstr);
/*
 * Counts each line it writes with metrics_alert_fired(m, rule) from now
 * on (m may be NULL: no counting).  The daemon does not count alerts
 * itself when it sets this.
 */
void	 alert_log_set_metrics(struct alert_log *log, struct metrics *m);
/*
 * Appends every pending alert of st and marks it written.  Follows a
 * rotation first (the path now names another file, or none: reopen).
 * Returns the number of lines written, or -1 with *errstr (what was not
 * marked stays pending and is written next time, never twice: after an
 * open or a failure, a pending alert whose exact line is already in the
 * last MB of the log is only marked).
 */
int	 alert_log_flush(struct alert_log *log, struct store *st, char **errstr);
/*
 * alert_log_flush in two halves, so that the caller's work overlaps the
 * log's fsync: begin appends the lines and starts their fsync on a
 * thread (NULL: nothing was pending); end waits for it, marks the
 * alerts written if it succeeded, and returns what alert_log_flush
 * would.  Nothing may close or reopen log in between.
 */
struct alert_sync;
struct alert_sync *alert_log_begin(struct alert_log *log, struct store *st);
int	 alert_log_end(struct alert_log *log, struct store *st,
	    struct alert_sync *s, char **errstr);

/*
 * Formats one line (with its newline) as the log would; caller frees.
 * The same row always gives the same bytes (time is fired_at).
 *
 * Text: `TIME RULE "TITLE" <LINK> (FEED)`.  In every field, C0 controls,
 * DEL, C1 controls, U+2028 and U+2029 become spaces and invalid UTF-8
 * becomes U+FFFD, so a line never breaks.  In TITLE, `"` and `\` are
 * escaped as `\"` and `\\`, so the closing quote is unambiguous; titles
 * and feed names are cut at 2000 bytes.  RULE has blanks replaced by
 * `_`.  LINK has spaces, controls, `<` and `>` percent-encoded; a
 * missing link prints `<>`, a missing feed `()`.
 * JSON: {"time","rule","title","link","feed","published"}, link and
 * published null when unknown, escaped by json_put_string.
 */
char	*alert_format_line(const struct alert_row *a, enum alert_format format);

#endif
