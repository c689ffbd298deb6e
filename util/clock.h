/*
 * clock: the one monotonic clock in milliseconds, for deadlines and
 * intervals that a change of the wall clock must not move.  (Schedules
 * that are kept in the database use wall time: sched_now_ms.)
 */
#ifndef FEEDD_CLOCK_H
#define FEEDD_CLOCK_H

#include <stdint.h>

int64_t	 clock_monotonic_ms(void);

#endif
