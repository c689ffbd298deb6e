/*
 * pace: how many items the next step of a task cut into steps on the
 * loop (the alert rules over a backlog) takes.  A step costs a fixed
 * part F (a rule with a broad prefix expands it over the whole index
 * at each step) and a part per item.  The pacer measures F with a step
 * of one item, then sizes steps to take about PACE_STEP_MS, or 2 F
 * when F is more than half of that: cut smaller, the steps would spend
 * most of their time on F and the task would take many times as long.
 */
#ifndef FEEDD_PACE_H
#define FEEDD_PACE_H

#include <stdint.h>

#define PACE_STEP_MS	50
#define PACE_FIRST	4096	/* items, before anything is measured */
#define PACE_MIN	256
#define PACE_MAX	(1 << 20)

struct pace {
	int64_t	 step;		/* the next step's items */
	int64_t	 fixed_ns;	/* F; -1: not measured in this task */
	int64_t	 sized_step;	/* a full step before the probe ... */
	int64_t	 sized_ns;	/* ... and its time */
};

void	 pace_init(struct pace *pc);
/*
 * A step of pc->step items took ns.  more: the task has items left
 * (the step was full); when it has not, the next task measures F
 * again (the store it costs grows).
 */
void	 pace_done(struct pace *pc, int64_t ns, int more);

#endif
