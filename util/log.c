/*
 * log: levelled one-line messages to stderr.  The level and the journal
 * flag are process-wide by nature (stderr is), so they live here rather
 * than in the daemon context.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/termtext.h"

static enum log_level log_threshold = LOG_LEVEL_INFO;
static int log_to_journal;

void
log_init(enum log_level level)
{
	log_threshold = level;
	log_to_journal = getenv("JOURNAL_STREAM") != NULL;
}

void
log_set_level(enum log_level level)
{
	log_threshold = level;
}

int
log_journal(void)
{
	return log_to_journal;
}

static void
log_vwrite(enum log_level level, int with_errno, const char *fmt, va_list ap)
{
	/* syslog priorities: debug 7, info 6, warning 4, error 3 */
	static const int prio[] = { 7, 6, 4, 3 };
	char msg[4096], safe[8192];
	int saved = errno, n;

	if (level < log_threshold)
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	/*
	 * One event is one line, whatever the message quoted: a URL or a
	 * server's text with an encoded newline or ESC shows escaped.
	 */
	term_copy(safe, sizeof(safe), msg, n < 0 ? 0 : (size_t)n < sizeof(msg) ?
	    (size_t)n : sizeof(msg) - 1, TERM_ESCAPE);
	if (log_to_journal)
		fprintf(stderr, "<%d>", prio[level]);
	else
		fputs("feedd: ", stderr);
	if (with_errno)
		fprintf(stderr, "%s: %s\n", safe, strerror(saved));
	else
		fprintf(stderr, "%s\n", safe);
	errno = saved;
}

#define LOG_FN(name, level, with_errno)			\
void							\
name(const char *fmt, ...)				\
{							\
	va_list ap;					\
	va_start(ap, fmt);				\
	log_vwrite(level, with_errno, fmt, ap);		\
	va_end(ap);					\
}

LOG_FN(log_debug, LOG_LEVEL_DEBUG, 0)
LOG_FN(log_info, LOG_LEVEL_INFO, 0)
LOG_FN(log_warn, LOG_LEVEL_WARNING, 1)
LOG_FN(log_warnx, LOG_LEVEL_WARNING, 0)
LOG_FN(log_error, LOG_LEVEL_ERROR, 1)
LOG_FN(log_errorx, LOG_LEVEL_ERROR, 0)

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERROR, 0, fmt, ap);
	va_end(ap);
	abort();
}
