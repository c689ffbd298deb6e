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
#include "storage/store.h"

struct alert_log;

/* NULL with *errstr when the log cannot be opened. */
struct alert_log *alert_log_open(const char *path, enum alert_format format,
	    char **errstr);
void	 alert_log_close(struct alert_log *log);	/* NULL ok */
/* Reopens the same path (SIGHUP, logrotate).  0 or -1 with *errstr. */
int	 alert_log_reopen(struct alert_log *log, char **errstr);
/*
 * Appends every pending alert of st and marks it written.  Returns the
 * number of lines written, or -1 with *errstr (pending alerts stay
 * pending and are written next time).
 */
int	 alert_log_flush(struct alert_log *log, struct store *st, char **errstr);

/* Formats one line (with its newline) as the log would; caller frees. */
char	*alert_format_line(const struct alert_row *a, enum alert_format format);

#endif
