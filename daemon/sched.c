/*
 * sched: the runq of feeds by due time (a binary heap of embedded
 * entries), the one timer armed for its head, and the delay functions
 * (hint stretching, jitter, error backoff).
 */
#include <stdlib.h>
#include <time.h>

#include "daemon/sched.h"
#include "util/xmalloc.h"

struct sched {
	uv_timer_t	 timer;
	struct runq	 q;
	sched_due_cb	 cb;
	void		*arg;
	int		 paused;
	int		 firing;	/* no re-arm from inside the callbacks */
};

/* ---- the heap ---- */

static void
heap_place(struct runq *q, size_t i, struct sched_entry *e)
{
	q->heap[i] = e;
	e->pos = i + 1;
}

static void
heap_up(struct runq *q, size_t i)
{
	struct sched_entry *e = q->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (q->heap[parent]->due <= e->due)
			break;
		heap_place(q, i, q->heap[parent]);
		i = parent;
	}
	heap_place(q, i, e);
}

static void
heap_down(struct runq *q, size_t i)
{
	struct sched_entry *e = q->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= q->n)
			break;
		if (c + 1 < q->n && q->heap[c + 1]->due < q->heap[c]->due)
			c++;
		if (e->due <= q->heap[c]->due)
			break;
		heap_place(q, i, q->heap[c]);
		i = c;
	}
	heap_place(q, i, e);
}

void
runq_init(struct runq *q)
{
	q->heap = NULL;
	q->n = q->cap = 0;
}

void
runq_cleanup(struct runq *q)
{
	for (size_t i = 0; i < q->n; i++)
		q->heap[i]->pos = 0;
	free(q->heap);
	runq_init(q);
}

void
runq_set(struct runq *q, struct sched_entry *e, int64_t due_ms)
{
	if (e->pos != 0) {
		e->due = due_ms;
		heap_up(q, e->pos - 1);
		heap_down(q, e->pos - 1);
		return;
	}
	q->heap = xgrow(q->heap, q->n, &q->cap, sizeof(*q->heap));
	e->due = due_ms;
	heap_place(q, q->n++, e);
	heap_up(q, q->n - 1);
}

void
runq_remove(struct runq *q, struct sched_entry *e)
{
	struct sched_entry *moved;
	size_t i;

	if (e->pos == 0)
		return;
	i = e->pos - 1;
	e->pos = 0;
	if (i == --q->n)
		return;
	moved = q->heap[q->n];
	heap_place(q, i, moved);
	heap_up(q, i);
	heap_down(q, moved->pos - 1);
}

struct sched_entry *
runq_peek(const struct runq *q)
{
	return q->n ? q->heap[0] : NULL;
}

struct sched_entry *
runq_pop_due(struct runq *q, int64_t now_ms)
{
	struct sched_entry *e = runq_peek(q);

	if (e == NULL || e->due > now_ms)
		return NULL;
	runq_remove(q, e);
	return e;
}

/* ---- the timer ---- */

static void sched_arm(struct sched *s);

static void
on_sched_timer(uv_timer_t *t)
{
	struct sched *s = t->data;
	int64_t now = sched_now_ms();
	struct sched_entry *e;

	s->firing = 1;
	while (!s->paused && (e = runq_pop_due(&s->q, now)) != NULL)
		s->cb(e, s->arg);
	s->firing = 0;
	sched_arm(s);
}

static void
sched_arm(struct sched *s)
{
	struct sched_entry *e = runq_peek(&s->q);
	int64_t delay;

	if (s->firing)
		return;
	uv_timer_stop(&s->timer);
	if (e == NULL || s->paused)
		return;
	delay = e->due - sched_now_ms();
	uv_timer_start(&s->timer, on_sched_timer,
	    (uint64_t)(delay < 0 ? 0 : delay), 0);
}

struct sched *
sched_new(uv_loop_t *loop, sched_due_cb cb, void *arg)
{
	struct sched *s = xcalloc(1, sizeof(*s));

	uv_timer_init(loop, &s->timer);
	s->timer.data = s;
	runq_init(&s->q);
	s->cb = cb;
	s->arg = arg;
	return s;
}

static void
on_sched_closed(uv_handle_t *h)
{
	struct sched *s = h->data;

	runq_cleanup(&s->q);
	free(s);
}

void
sched_close(struct sched *s)
{
	if (s == NULL)
		return;
	uv_close((uv_handle_t *)&s->timer, on_sched_closed);
}

void
sched_set(struct sched *s, struct sched_entry *e, int64_t due_ms)
{
	runq_set(&s->q, e, due_ms);
	sched_arm(s);
}

void
sched_remove(struct sched *s, struct sched_entry *e)
{
	runq_remove(&s->q, e);
	sched_arm(s);
}

size_t
sched_pending(const struct sched *s)
{
	return s->q.n;
}

int64_t
sched_next_due(const struct sched *s)
{
	const struct sched_entry *e = runq_peek(&s->q);

	return e ? e->due : -1;
}

void
sched_pause(struct sched *s)
{
	s->paused = 1;
	uv_timer_stop(&s->timer);
}

/* ---- delays ---- */

int64_t
sched_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t
sched_rand(uint64_t *state)
{
	uint64_t x = *state ? *state : 0x9e3779b97f4a7c15ULL;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

/* d scaled by a factor in [0.9, 1.1] drawn from rnd; at least 1 s. */
static int64_t
jitter(int64_t d, uint64_t rnd)
{
	int64_t permille = (int64_t)(rnd % 201) - 100;	/* -100..100 */
	int64_t j = d + d * permille / 1000;

	return j < 1 ? 1 : j;
}

int64_t
sched_next_interval(int64_t interval, int64_t hint, uint64_t rnd)
{
	int64_t hi, d = interval;

	if (interval < 1)
		interval = d = 1;
	hi = interval * SCHED_HINT_FACTOR;
	if (hi > SCHED_DAY)
		hi = SCHED_DAY;
	if (hi < interval)
		hi = interval;
	if (hint > d)
		d = hint < hi ? hint : hi;
	return jitter(d, rnd);
}

int64_t
sched_due(int64_t next_due, int64_t last_fetch, int64_t interval,
    int by_server)
{
	if (next_due <= 0)
		return 0;
	if (!by_server && last_fetch > 0 && next_due > last_fetch + interval)
		return last_fetch + interval;
	return next_due;
}

int64_t
sched_backoff(int errors, int64_t interval, uint64_t rnd)
{
	int64_t cap = interval > SCHED_DAY ? interval : SCHED_DAY, d;
	int shift = errors > 20 ? 20 : errors;

	if (errors <= 0)
		return sched_next_interval(interval, 0, rnd);
	if (interval < 1)
		interval = 1;
	d = interval > (cap >> shift) ? cap : interval << shift;
	d = jitter(d, rnd);
	return d > cap ? cap : d;
}
