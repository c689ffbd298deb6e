/*
 * alert: placeholder until the real alert log lands.
 */
#include <stdlib.h>

#include "daemon/alert.h"
#include "daemon/xmalloc.h"

struct alert_log *
alert_log_open(const char *path, enum alert_format format, char **errstr)
{
	(void)path; (void)format;
	*errstr = xstrdup("alert log: not built yet");
	return NULL;
}

void
alert_log_close(struct alert_log *log)
{
	(void)log;
}

int
alert_log_reopen(struct alert_log *log, char **errstr)
{
	(void)log;
	*errstr = xstrdup("alert log: not built yet");
	return -1;
}

int
alert_log_flush(struct alert_log *log, struct store *st, char **errstr)
{
	(void)log; (void)st;
	*errstr = xstrdup("alert log: not built yet");
	return -1;
}

char *
alert_format_line(const struct alert_row *a, enum alert_format format)
{
	(void)a; (void)format;
	return xstrdup("");
}
