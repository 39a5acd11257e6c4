/*
 * fuzz_fsm: the session transition table driven by arbitrary event
 * sequences, with the invariants a session relies on asserted after
 * every step.
 *
 * Input: byte 0 picks the backend's fate (BACKEND_UP, BACKEND_DOWN:
 * on_backend_down = close, or BACKEND_CONNECTING: tcp:), byte 1 how the session is finished, then one
 * event per byte.  Checked on every step:
 *  - every state x event pair has a row;
 *  - SEND_CLOSE only on CLIENT_WRITEABLE rows, and at most once;
 *  - SHUT_BACKEND_WR at most once, RELEASE at most once, nothing after it;
 *  - nothing goes to the client after the close frame (FORWARD_BACKEND)
 *    nor to the backend after its EOF (FORWARD_CLIENT, FORWARD_CLOSE);
 *  - a row that picks a close code of wsgated's own also asks for a
 *    writeable callback, and a row that ends the session arms the close
 *    timer or releases it;
 *  - exactly one row says who ended the session, before RELEASE.
 * Then the session is finished, and must reach RELEASED: both sides end
 * (CLIENT_GONE and BACKEND_ERROR, in the order byte 1 says), or, once the
 * close timer runs, only timeouts and the CLIENT_GONE that libwebsockets
 * reports after each DROP_CLIENT.
 */
#include <assert.h>
#include <stdint.h>
#include <stddef.h>

#include "fsm.h"

struct sess {
	enum fsm_state	 st;
	int		 closes;	/* SEND_CLOSE */
	int		 shuts;		/* SHUT_BACKEND_WR */
	int		 released;
	int		 timer;		/* close timer armed */
	int		 dropped;	/* DROP_CLIENT since the last GONE */
	int		 ended;		/* a row said who ended it */
};

static void
step(struct sess *s, enum fsm_event ev)
{
	struct fsm_step	 st;
	unsigned int	 a;

	st = fsm_next(s->st, ev);
	assert(st.defined);
	a = st.actions;
	assert(st.next < FSM_ST__COUNT);
	assert(a < (1u << FSM_A__COUNT));
	if (s->released) {
		assert(a == 0 && st.next == FSM_ST_RELEASED);
		return;
	}
	if (a & FSM_A_SEND_CLOSE) {
		assert(ev == FSM_EV_CLIENT_WRITEABLE);
		assert(++s->closes == 1);
	}
	if (a & FSM_A_FORWARD_BACKEND)
		assert(s->closes == 0);
	if (a & (FSM_A_FORWARD_CLIENT | FSM_A_FORWARD_CLOSE))
		assert(s->shuts == 0);
	if (a & FSM_A_SHUT_BACKEND_WR)
		assert(++s->shuts == 1);
	if (st.close_code > FSM_CODE_LWS)
		assert(a & FSM_A_WANT_WRITEABLE);
	if (st.ended_by != FSM_SIDE_NONE) {
		assert(++s->ended == 1);
		assert(a & (FSM_A_ARM_CLOSE_TIMER | FSM_A_RELEASE));
	}
	if (a & FSM_A_ARM_CLOSE_TIMER)
		s->timer = 1;
	if (a & FSM_A_DROP_CLIENT)
		s->dropped = 1;
	if (ev == FSM_EV_CLIENT_GONE)
		s->dropped = 0;
	if (a & FSM_A_RELEASE) {
		assert(st.next == FSM_ST_RELEASED && s->ended == 1);
		s->released = 1;
	}
	assert((st.next == FSM_ST_RELEASED) == s->released);
	s->st = st.next;
}

/* Only the close timer and what follows its DROP_CLIENT. */
static void
finish_by_timers(struct sess *s)
{
	int	 i;

	for (i = 0; i < 4 && !s->released; i++) {
		step(s, FSM_EV_CLOSE_TIMEOUT);
		if (s->dropped)
			step(s, FSM_EV_CLIENT_GONE);
	}
	assert(s->released);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sess	 s = { 0 }, t;
	size_t		 i;

	if (size < 2)
		return (0);
	s.st = FSM_ST_START;
	step(&s, data[0] % 3 == 0 ? FSM_EV_BACKEND_UP : data[0] % 3 == 1 ?
	    FSM_EV_BACKEND_DOWN : FSM_EV_BACKEND_CONNECTING);
	for (i = 2; i < size; i++) {
		step(&s, (enum fsm_event)(data[i] % FSM_EV__COUNT));
		if (s.timer && s.ended) {
			t = s;
			finish_by_timers(&t);
		}
	}
	if (data[1] & 1) {
		step(&s, FSM_EV_BACKEND_ERROR);
		step(&s, FSM_EV_CLIENT_GONE);
	} else {
		step(&s, FSM_EV_CLIENT_GONE);
		step(&s, FSM_EV_BACKEND_ERROR);
	}
	assert(s.released);
	return (0);
}
