/*
 * notify: the systemd notify protocol through libsystemd's sd_notify.
 * Every call is a no-op when NOTIFY_SOCKET is unset, so feedd behaves
 * the same outside systemd.
 */
#ifndef FEEDD_NOTIFY_H
#define FEEDD_NOTIFY_H

#include <stdint.h>

void	 notify_ready(void);
void	 notify_reloading(void);	/* RELOADING=1 (ready_again follows) */
void	 notify_stopping(void);
/* EXTEND_TIMEOUT_USEC (secs from now) with a STATUS line. */
void	 notify_extend_start(unsigned secs, const char *status);
void	 notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Keep-alive interval in microseconds (half of WatchdogSec), 0 if none. */
uint64_t notify_watchdog_interval(void);
void	 notify_watchdog(void);

#endif
