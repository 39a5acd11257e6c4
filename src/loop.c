/*
 * loop.c: epoll, a table of fd callbacks and a heap of timers.
 *
 * An fd's slot carries a generation number that also travels in the epoll
 * event, so an event for an fd that was closed and reused earlier in the
 * same batch is recognised as stale and dropped.
 */
#include <sys/epoll.h>
#include <sys/resource.h>

#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

struct loop_fd {
	loop_io_cb	*lf_cb;		/* NULL: free slot */
	void		*lf_arg;	/* borrowed */
	uint32_t	 lf_events;
	uint32_t	 lf_gen;
};

static int		 loop_epfd = -1;
static struct loop_fd	*loop_fds;	/* owned, indexed by fd */
static size_t		 loop_nfds;
static struct loop_timer **loop_heap;	/* owned array of borrowed timers */
static size_t		 loop_nheap, loop_heapsize;	/* heap fill, capacity */
static uint64_t		 loop_clock;
static int		 loop_stopping;

static uint64_t
loop_clock_read(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

int
loop_init(void)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return (-1);
	loop_nfds = rl.rlim_cur == RLIM_INFINITY ? 65536 : rl.rlim_cur;
	if ((loop_fds = calloc(loop_nfds, sizeof(*loop_fds))) == NULL)
		return (-1);
	/*
	 * A session has at most six timers and two descriptors (or, with no
	 * backend, one descriptor and one timer armed), so
	 * this bound is never reached and arming never allocates.  calloc()
	 * keeps the untouched part out of the resident set.
	 */
	loop_heapsize = loop_nfds * 5 + 64;
	if ((loop_heap = calloc(loop_heapsize, sizeof(*loop_heap))) == NULL)
		return (-1);
	if ((loop_epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return (-1);
	loop_clock = loop_clock_read();
	return (0);
}

void
loop_done(void)
{
	if (loop_epfd != -1)
		close(loop_epfd);
	loop_epfd = -1;
	free(loop_fds);
	loop_fds = NULL;
	free(loop_heap);
	loop_heap = NULL;
	loop_nheap = loop_heapsize = 0;
}

static int
loop_ctl(int op, int fd, uint32_t events)
{
	struct epoll_event	 ev;

	ev.events = events;
	ev.data.u64 = (uint64_t)(unsigned int)fd |
	    (uint64_t)loop_fds[fd].lf_gen << 32;
	return (epoll_ctl(loop_epfd, op, fd, &ev));
}

int
loop_add(int fd, uint32_t events, loop_io_cb *cb, void *arg)
{
	if (fd < 0 || (size_t)fd >= loop_nfds) {
		errno = EMFILE;
		return (-1);
	}
	loop_fds[fd].lf_gen++;
	if (loop_ctl(EPOLL_CTL_ADD, fd, events) == -1)
		return (-1);
	loop_fds[fd].lf_cb = cb;
	loop_fds[fd].lf_arg = arg;
	loop_fds[fd].lf_events = events;
	return (0);
}

int
loop_mod(int fd, uint32_t events)
{
	if (!loop_has(fd))
		return (-1);
	if (loop_fds[fd].lf_events == events)
		return (0);
	if (loop_ctl(EPOLL_CTL_MOD, fd, events) == -1)
		return (-1);
	loop_fds[fd].lf_events = events;
	return (0);
}

/* Forget fd; harmless for an fd that is not registered. */
void
loop_del(int fd)
{
	if (!loop_has(fd))
		return;
	/* ENOENT/EBADF: the fd was already closed, epoll dropped it. */
	epoll_ctl(loop_epfd, EPOLL_CTL_DEL, fd, NULL);
	loop_fds[fd].lf_cb = NULL;
	loop_fds[fd].lf_arg = NULL;
	loop_fds[fd].lf_events = 0;
}

int
loop_has(int fd)
{
	return (fd >= 0 && (size_t)fd < loop_nfds &&
	    loop_fds[fd].lf_cb != NULL);
}

uint32_t
loop_events(int fd)
{
	return (loop_has(fd) ? loop_fds[fd].lf_events : 0);
}

loop_io_cb *
loop_handler(int fd)
{
	return (loop_has(fd) ? loop_fds[fd].lf_cb : NULL);
}

uint64_t
loop_now(void)
{
	return (loop_clock);
}

/* Timers: a binary min-heap on lt_due; lt_slot is the index + 1. */

static void
loop_heap_set(size_t i, struct loop_timer *t)
{
	loop_heap[i] = t;
	t->lt_slot = i + 1;
}

static void
loop_heap_up(size_t i)
{
	struct loop_timer	*t = loop_heap[i];

	while (i > 0 && loop_heap[(i - 1) / 2]->lt_due > t->lt_due) {
		loop_heap_set(i, loop_heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	loop_heap_set(i, t);
}

static void
loop_heap_down(size_t i)
{
	struct loop_timer	*t = loop_heap[i];
	size_t			 c;

	while ((c = 2 * i + 1) < loop_nheap) {
		if (c + 1 < loop_nheap &&
		    loop_heap[c + 1]->lt_due < loop_heap[c]->lt_due)
			c++;
		if (loop_heap[c]->lt_due >= t->lt_due)
			break;
		loop_heap_set(i, loop_heap[c]);
		i = c;
	}
	loop_heap_set(i, t);
}

void
loop_timer_init(struct loop_timer *t, loop_timer_cb *cb, void *arg)
{
	t->lt_due = 0;
	t->lt_slot = 0;
	t->lt_cb = cb;
	t->lt_arg = arg;
}

int
loop_timer_armed(const struct loop_timer *t)
{
	return (t->lt_slot != 0);
}

void
loop_timer_cancel(struct loop_timer *t)
{
	struct loop_timer	*last;
	size_t			 i;

	if (t->lt_slot == 0)
		return;
	i = t->lt_slot - 1;
	t->lt_slot = 0;
	if (i == --loop_nheap)
		return;
	last = loop_heap[loop_nheap];
	loop_heap_set(i, last);
	loop_heap_up(i);
	loop_heap_down(last->lt_slot - 1);
}

/* (Re)arm T to fire AFTER_MS from now. */
void
loop_timer_arm(struct loop_timer *t, uint64_t after_ms)
{
	loop_timer_cancel(t);
	/* A duration too long to add is "never" in practice. */
	t->lt_due = after_ms > UINT64_MAX - loop_clock ? UINT64_MAX :
	    loop_clock + after_ms;
	loop_heap_set(loop_nheap, t);
	loop_heap_up(loop_nheap++);
}

static int
loop_timeout(int cap_ms)
{
	uint64_t	 due;

	if (loop_nheap == 0)
		return (cap_ms);
	due = loop_heap[0]->lt_due;
	if (due <= loop_clock)
		return (0);
	if (due - loop_clock < (uint64_t)cap_ms)
		return ((int)(due - loop_clock));
	return (cap_ms);
}

static void
loop_run_timers(void)
{
	struct loop_timer	*t;

	while (loop_nheap > 0 && loop_heap[0]->lt_due <= loop_clock) {
		t = loop_heap[0];
		loop_timer_cancel(t);
		t->lt_cb(t->lt_arg);
	}
}

int
loop_run(loop_prepare_cb *prepare, loop_after_cb *after)
{
	struct epoll_event	 evs[256];
	struct loop_fd		*lf;
	int			 n, i, fd;

	loop_stopping = 0;
	while (!loop_stopping) {
		n = epoll_wait(loop_epfd, evs, (int)(sizeof(evs) /
		    sizeof(evs[0])), prepare(loop_timeout(1000)));
		if (n == -1 && errno != EINTR)
			return (-1);
		loop_clock = loop_clock_read();
		for (i = 0; i < n; i++) {
			fd = (int)(uint32_t)evs[i].data.u64;
			lf = &loop_fds[fd];
			if (lf->lf_cb == NULL ||
			    lf->lf_gen != (uint32_t)(evs[i].data.u64 >> 32))
				continue;	/* closed earlier in the batch */
			lf->lf_cb(fd, evs[i].events, lf->lf_arg);
		}
		loop_run_timers();
		after();
	}
	return (0);
}

void
loop_stop(void)
{
	loop_stopping = 1;
}
