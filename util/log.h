/*
 * log: one line per event on stderr, with a level.  Under systemd
 * (JOURNAL_STREAM set) lines carry the <N> priority prefix the journal
 * reads; otherwise they start with "feedd: ".  Owns nothing but the level.
 */
#ifndef FEEDD_LOG_H
#define FEEDD_LOG_H

enum log_level {
	LOG_LEVEL_DEBUG,
	LOG_LEVEL_INFO,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_ERROR,
};

/* Reads JOURNAL_STREAM once; call before logging (safe to call again). */
void	log_init(enum log_level level);
void	log_set_level(enum log_level level);
/* Whether lines go to the journal (log_init saw JOURNAL_STREAM). */
int	log_journal(void);

void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_warn and log_error append ": strerror(errno)"; the x forms do not. */
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_errorx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* For impossible states only: log and abort. */
void	fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
