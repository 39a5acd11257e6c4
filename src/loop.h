/*
 * loop.h: the one epoll set and the timers of wsgated.
 *
 * File descriptors are registered with a callback; events are level- or
 * edge-triggered as the caller asks.  Timers are millisecond deadlines in a
 * binary heap.  The loop knows nothing of sessions or libwebsockets: those
 * join through the callbacks and the two hooks of loop_run().
 */
#ifndef WSGATE_LOOP_H
#define WSGATE_LOOP_H

#include <stddef.h>
#include <stdint.h>

typedef void loop_io_cb(int fd, uint32_t events, void *arg);
typedef void loop_timer_cb(void *arg);

struct loop_timer {
	uint64_t	 lt_due;	/* loop_now() time it fires at */
	size_t		 lt_slot;	/* heap index + 1; 0: not armed */
	loop_timer_cb	*lt_cb;
	void		*lt_arg;
};

/* Called before each wait with the wait in ms; returns the wait to use. */
typedef int loop_prepare_cb(int timeout_ms);
/* Called after each batch of events and due timers. */
typedef void loop_after_cb(void);

int		 loop_init(void);
void		 loop_done(void);
int		 loop_add(int fd, uint32_t events, loop_io_cb *, void *arg);
int		 loop_mod(int fd, uint32_t events);
void		 loop_del(int fd);
int		 loop_has(int fd);
uint32_t	 loop_events(int fd);	/* what fd was registered for */
loop_io_cb	*loop_handler(int fd);	/* its callback, or NULL */

void		 loop_timer_init(struct loop_timer *, loop_timer_cb *, void *);
void		 loop_timer_arm(struct loop_timer *, uint64_t after_ms);
void		 loop_timer_cancel(struct loop_timer *);
int		 loop_timer_armed(const struct loop_timer *);
uint64_t	 loop_now(void);	/* monotonic ms, once per iteration */

/* Runs until loop_stop(); returns 0, or -1 if epoll failed. */
int		 loop_run(loop_prepare_cb *, loop_after_cb *);
void		 loop_stop(void);

#endif
