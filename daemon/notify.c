/*
 * daemon/notify.c: the systemd notify protocol (READY, RELOADING,
 * STOPPING, STATUS, WATCHDOG) through libsystemd's sd_notify.  Without
 * NOTIFY_SOCKET sd_notify returns 0 and sends nothing, so every call is
 * a no-op outside systemd.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "daemon/notify.h"

void
notify_ready(void)
{
	(void)sd_notify(0, "READY=1");
}

/*
 * systemd >= 253 wants MONOTONIC_USEC with RELOADING=1 for
 * Type=notify-reload; older ones ignore the extra field.
 */
void
notify_reloading(void)
{
	struct timespec ts;
	unsigned long long usec = 0;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0)
		usec = (unsigned long long)ts.tv_sec * 1000000ULL +
		    (unsigned long long)ts.tv_nsec / 1000ULL;
	(void)sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu", usec);
}

/*
 * Still starting: systemd's start timeout moves secs on from now (it
 * counts from the service's start, so a long upgrade needs this).
 */
void
notify_extend_start(unsigned secs, const char *status)
{
	(void)sd_notifyf(0, "EXTEND_TIMEOUT_USEC=%llu\nSTATUS=%s",
	    (unsigned long long)secs * 1000000ULL, status);
}

void
notify_stopping(void)
{
	(void)sd_notify(0, "STOPPING=1");
}

void
notify_status(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (getenv("NOTIFY_SOCKET") == NULL)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	(void)sd_notifyf(0, "STATUS=%s", msg);
}

/*
 * sd_watchdog_enabled honours WATCHDOG_PID: a child that inherited the
 * variables does not think it is watched.  Half the period leaves room
 * for one late cycle before systemd kills us.
 */
uint64_t
notify_watchdog_interval(void)
{
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) <= 0)
		return 0;
	return usec / 2;
}

void
notify_watchdog(void)
{
	(void)sd_notify(0, "WATCHDOG=1");
}
