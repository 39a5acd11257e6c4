/*
 * session.pml: one wsgated session and the world around it, for spin
 * (scripts/model-check).
 *
 * The transition table comes from src/fsm.c through tools/fsm2promela
 * (fsm.pml); this file models only what the table does not decide: what
 * the client, the backend, libwebsockets and the timers may do, and what
 * the actions do to the messages in flight.  Every event is handled to
 * the end, with the events its actions raise, in one indivisible step,
 * as session_dispatch() does.
 *
 * The world:
 *  - The client sends up to NC messages after the handshake, then a close
 *    frame or a TCP drop.  While it reads, libwebsockets reports it
 *    writeable after each WANT_WRITEABLE.  What wsgated sends it arrives
 *    in order (libwebsockets writes in order and reports writeable only
 *    once earlier output is out), so "before the close frame" is "sent
 *    before SEND_CLOSE".
 *  - The backend writes up to NB messages, then EOF or a close message
 *    (then EOF), or is killed: a reset, and what it wrote and wsgated had
 *    not read is lost.  It reads what wsgated queued for it; the kernel
 *    keeps that before the EOF of shutdown(SHUT_WR), which wsgated does
 *    only once its own queue is written (session_flush()).
 *  - libwebsockets: ESTABLISHED once; CLIENT_GONE after the client's
 *    close frame or drop and after DROP_CLIENT.  A handshake held for a
 *    TCP connect gets ESTABLISHED only from ACCEPT_UPGRADE, and its
 *    writeable callback whenever one is wanted (the client has read
 *    nothing yet, so nothing of ours can be in its way).
 *  - A TCP connect completes, fails or is refused at any time while it
 *    is under way; its timer fires at any time after it is armed, also
 *    after the connect ended (a stale timer the table ignores).
 *  - The close timer fires at any time after it is armed.  Every other
 *    timer, libwebsockets' verdicts on client messages (too big, bad
 *    UTF-8) and the framing faults of backend messages happen at any time
 *    (ONCE_MAX of them in all, when defined): more behaviours than the
 *    real ones.
 *  - Unless NORETIRE is defined, the client and the backend may stop
 *    doing anything at any time (a client that neither reads nor answers,
 *    a backend that neither reads nor writes): no progress may depend on
 *    them.  With NORETIRE, a state in which nothing can happen any more
 *    is a deadlock unless the session is released.
 *
 * Asserted: no state x event pair without a row; no action after RELEASE
 * and RELEASE only into RELEASED; at most one close frame, always with a
 * code, and after an orderly end of the backend (1000, or its own code)
 * only once every message it wrote was sent (none pending, none dropped);
 * no message to the client after the close frame; SHUT_BACKEND_WR at
 * most once, nothing queued for the backend after it or after the
 * client's close message; when the client ended the session from OPEN
 * (close frame or TCP drop), every message it sent was queued for the
 * backend before the EOF.
 */
#include "fsm.pml"

#define NC	2	/* client messages */
#define NB	2	/* backend messages */

byte	st;		/* the session's state */
bool	released;
bool	held;		/* the handshake waits for a TCP connect */
bool	connecting;	/* that connect has no outcome yet */
bool	connect_armed;
short	code;		/* close code of the close frame, as the rows say */
bool	close_armed;
bool	ww;		/* a writeable callback is wanted */
bool	closes;		/* a close frame was sent */

/* The client. */
bool	established, c_ended, gone, killed;
bool	lws_closing;	/* lws sent its own close frame: the client broke
			   the protocol */
bool	c_ended_open;	/* it ended the session while OPEN */
bool	c_lost;		/* a client message was not forwarded */
byte	c_sent;

/* The backend. */
bool	fd_open = 1;	/* wsgated holds the backend socket */
byte	b_sent, b_pending;	/* written; not yet read by wsgated */
byte	b_end;		/* after its messages: 0 more to come, 1 EOF,
			   2 a close message, then EOF */
bool	b_crash;
bool	b_lost;		/* a backend message was not forwarded */
byte	q;		/* client messages not yet read by the backend */
bool	shuts, shut_pending;
bool	fwd_close;	/* the client's close message is queued */

hidden byte	nx, ev;
hidden int	act;
hidden short	rc;
chan	pq = [QUEUE_MAX] of { byte };	/* events raised by actions */

#define closing	(st != S_HANDSHAKE && st != S_REFUSING && st != S_OPEN && \
		    st != S_RELEASED && st != S_START && st != S_CONNECTING && \
		    st != S_ACCEPTING && st != S_ACCEPTING_DOWN)

inline run_actions()
{
	if
	:: act & A_FORWARD_CLIENT ->
		assert(!shuts && !fwd_close);
		q++
	:: else
	fi;
	if
	:: act & A_FORWARD_CLOSE ->
		assert(!shuts && !fwd_close);
		fwd_close = 1
	:: else
	fi;
	/* Read one message from the backend and send it to the client. */
	if
	:: act & A_FORWARD_BACKEND ->
		assert(!closes && !lws_closing);
		if
		:: !fd_open
		:: fd_open && b_crash -> pq!E_BACKEND_ERROR
		:: fd_open && !b_crash && b_pending > 0 ->
			b_pending--;
			if
			:: b_pending > 0 || b_end != 0 -> pq!E_CLIENT_BEHIND
			:: else
			fi
		/* The write to the client fails: its connection broke. */
		:: fd_open && !b_crash && b_pending > 0 ->
			b_pending--; b_lost = 1;
			pq!E_CLIENT_WRITE_ERROR
		:: fd_open && !b_crash && b_pending == 0 && b_end == 1 ->
			pq!E_BACKEND_EOF
		:: fd_open && !b_crash && b_pending == 0 && b_end == 2 ->
			b_end = 1;
			pq!E_BACKEND_CLOSE
		:: fd_open && !b_crash && b_pending == 0 && b_end == 0
		fi
	:: else
	fi;
	/* Read and drop all there is; a close message is bytes like others. */
	if
	:: act & A_DISCARD_BACKEND ->
		if
		:: !fd_open
		:: fd_open && b_crash -> pq!E_BACKEND_ERROR
		:: fd_open && !b_crash ->
			if
			:: b_pending > 0 -> b_lost = 1; b_pending = 0
			:: else
			fi;
			if
			:: b_end != 0 -> b_end = 1; pq!E_BACKEND_EOF
			:: else
			fi
		fi
	:: else
	fi;
	if
	:: act & A_ARM_CLOSE_TIMER -> close_armed = 1
	:: else
	fi;
	/*
	 * The close frame follows, in libwebsockets' order, every message
	 * forwarded before it; after an orderly end of the backend (1000,
	 * or its own code) those must be all it wrote.
	 */
	if
	:: act & A_SEND_CLOSE ->
		assert(!closes && !lws_closing && code != 0 &&
		    code != CODE_CLIENT && code != CODE_LWS);
		assert(code != 1000 && code != CODE_BACKEND ||
		    b_pending == 0 && !b_lost);
		closes = 1
	:: else
	fi;
	if
	:: act & A_DROP_CLIENT && !gone -> killed = 1
	:: else
	fi;
	if
	:: act & A_SHUT_BACKEND_WR ->
		assert(!shuts);
		shuts = 1;
		shut_pending = 1
	:: else
	fi;
	if
	:: act & A_CLOSE_BACKEND ->
		fd_open = 0;
		b_sent = 0; b_pending = 0; b_end = 0; b_crash = 0; q = 0;
		shut_pending = 0
	:: else
	fi;
	if
	:: act & A_WANT_WRITEABLE -> ww = 1
	:: else
	fi;
	if
	:: act & A_ARM_CONNECT_TIMER -> connect_armed = 1
	:: else
	fi;
	/* libwebsockets sends the 101 and reports it before returning. */
	if
	:: act & A_ACCEPT_UPGRADE ->
		assert(held && !established && !gone);
		held = 0;
		established = 1;
		pq!E_ESTABLISHED
	:: else
	fi;
	/* The refusal, then the connection is closed: no backend behind. */
	if
	:: act & A_REFUSE_UPGRADE ->
		assert(held && !established && !fd_open && nx == S_RELEASED);
		held = 0
	:: else
	fi;
	/* Forget what no longer matters: fewer states, same behaviours. */
	if
	:: act & A_RELEASE ->
		assert(!released && nx == S_RELEASED);
		released = 1;
		code = 0; close_armed = 0; ww = 0; closes = 0;
		held = 0; connecting = 0; connect_armed = 0;
		established = 0; c_ended = 0; gone = 0; killed = 0;
		lws_closing = 0;
		c_ended_open = 0; c_lost = 0; c_sent = 0; fwd_close = 0;
		shuts = 0; b_lost = 0
	:: else
	fi
}

inline step(e)
{
	fsm_next(st, e);
	assert(act != A_INVALID);
	assert(!released || (act == 0 && nx == S_RELEASED));
	assert(nx != S_RELEASED || released || (act & A_RELEASE));
	if
	:: rc != 0 -> code = rc
	:: else
	fi;
	if
	:: st == S_OPEN && (e == E_CLIENT_CLOSE || e == E_CLIENT_GONE) ->
		c_ended_open = 1
	:: else
	fi;
	if
	:: e == E_CLIENT_DATA && !(act & A_FORWARD_CLIENT) -> c_lost = 1
	:: else
	fi;
	st = nx;
	run_actions()
}

/* session_lws_closing(): lws's close frame, not ours, to a client there. */
#define LWS_CLOSING	(lws_closing && !closes && !gone)

inline dispatch(e)
{
	step(e);
	do
	:: nempty(pq) -> pq?ev; step(ev)
	:: empty(pq) -> break
	od;
	skip	/* a d_step must not end in a loop's exit */
}

/*
 * Up to NC messages, then a close frame or a drop.  It reads what
 * wsgated sends (so libwebsockets reports it writeable), and may answer
 * a close frame.
 */
proctype Client()
{
	do
	:: d_step { established && !c_ended && !gone && !lws_closing &&
	    c_sent < NC -> c_sent++; dispatch(E_CLIENT_DATA) }
	:: d_step { established && !c_ended && !gone && !lws_closing ->
		c_ended = 1; dispatch(E_CLIENT_CLOSE) }
	:: d_step { !c_ended && !gone ->
		c_ended = 1; gone = 1; dispatch(E_CLIENT_GONE) }
	:: d_step { ww && established && !gone && !held ->
		ww = 0;
		if
		:: LWS_CLOSING -> dispatch(E_CLIENT_PROTOCOL_ERROR)
		:: else -> dispatch(E_CLIENT_WRITEABLE)
		fi }
#ifndef NORETIRE
	:: break
#endif
	:: released -> break
	od
}

/*
 * Up to NB messages, then EOF, a close message or a reset; reads what
 * wsgated queued for it.  Each readable edge comes as BACKEND_READABLE,
 * or, when no writeable callback is wanted (so libwebsockets holds
 * nothing for the client), possibly as BACKEND_READABLE_CLIENT_READY.
 */
#define CLIENT_IDLE	(!ww && !gone)

/* As session_backend_cb(): lws's own close frame is noticed first. */
inline readable(e)
{
	if
	:: LWS_CLOSING -> dispatch(E_CLIENT_PROTOCOL_ERROR)
	:: else
	fi;
	dispatch(e)
}

proctype Backend()
{
	do
	:: d_step { fd_open && !b_crash && b_end == 0 && b_sent < NB ->
		b_sent++; b_pending++; readable(E_BACKEND_READABLE) }
	:: d_step { fd_open && !b_crash && b_end == 0 && b_sent < NB &&
	    CLIENT_IDLE -> b_sent++; b_pending++;
		readable(E_BACKEND_READABLE_CLIENT_READY) }
	:: d_step { fd_open && !b_crash && b_end == 0 ->
		b_end = 1; readable(E_BACKEND_READABLE) }
	:: d_step { fd_open && !b_crash && b_end == 0 && CLIENT_IDLE ->
		b_end = 1; readable(E_BACKEND_READABLE_CLIENT_READY) }
	:: d_step { fd_open && !b_crash && b_end == 0 ->
		b_end = 2; readable(E_BACKEND_READABLE) }
	:: d_step { fd_open && !b_crash && b_end == 0 && CLIENT_IDLE ->
		b_end = 2; readable(E_BACKEND_READABLE_CLIENT_READY) }
	:: d_step { fd_open && !b_crash ->
		if
		:: b_pending > 0 -> b_lost = 1
		:: else
		fi;
		b_crash = 1; b_pending = 0; readable(E_BACKEND_READABLE) }
	:: d_step { fd_open && !b_crash && q > 0 -> q-- }
#ifndef NORETIRE
	:: break
#endif
	:: released -> break
	od
}

/*
 * wsgated's writes toward the backend, then shutdown(SHUT_WR) once they
 * are all out: when the client ended the session from OPEN, every
 * message it sent was forwarded.
 */
proctype Flush()
{
	do
	:: d_step { fd_open && q > 0 && b_crash -> q = 0;
		dispatch(E_BACKEND_ERROR) }
	:: d_step { fd_open && q == 0 && shut_pending ->
		shut_pending = 0;
		if
		:: b_crash -> dispatch(E_BACKEND_ERROR)
		:: else ->
			assert(!c_ended_open || !c_lost);
			dispatch(E_BACKEND_WR_CLOSED)
		fi }
	:: released -> break
	od
}

/*
 * ESTABLISHED once; a close frame of its own when the client breaks the
 * protocol (it tells no one); CLIENT_GONE after a close, a drop,
 * DROP_CLIENT or its own close.
 */
proctype Lws()
{
	do
	:: d_step { !established && !gone && !held ->
		established = 1; dispatch(E_ESTABLISHED) }
	:: d_step { ww && held && !gone -> ww = 0; dispatch(E_CLIENT_WRITEABLE) }
	:: d_step { established && !gone && !c_ended && !closes &&
	    !lws_closing -> lws_closing = 1 }
	:: d_step { (killed || c_ended || lws_closing) && !gone ->
		c_ended = 1; gone = 1; ww = 0; killed = 0;
		dispatch(E_CLIENT_GONE) }
	:: released -> break
	od
}

/* The TCP connect's outcome, once, and its timer. */
proctype Connect()
{
	do
	:: d_step { connecting && !released -> connecting = 0;
		dispatch(E_BACKEND_UP) }
	:: d_step { connecting && !released -> connecting = 0;
		dispatch(E_BACKEND_ERROR) }
	:: d_step { connecting && !released -> connecting = 0;
		dispatch(E_BACKEND_DOWN) }	/* on_backend_down = close */
	:: d_step { connect_armed && !released -> connect_armed = 0;
		if
		:: connecting -> connecting = 0; dispatch(E_CONNECT_TIMEOUT)
		:: connecting -> connecting = 0; dispatch(E_BACKEND_DOWN)
		:: !connecting -> dispatch(E_CONNECT_TIMEOUT)
		fi }
	:: released -> break
	od
}

proctype CloseTimer()
{
	do
	:: d_step { close_armed && !released ->
		close_armed = 0; dispatch(E_CLOSE_TIMEOUT) }
	:: released -> break
	od
}

/*
 * Timers, libwebsockets' verdicts and framing faults, at any time their
 * side is there.  ONCE_MAX bounds how many a run has, when defined.
 */
#ifdef ONCE_MAX
byte	once;
#define ONCE(cond, e)							\
	:: d_step { once < ONCE_MAX && !released && (cond) ->		\
		once++; dispatch(e) }
#else
#define ONCE(cond, e)							\
	:: d_step { !released && (cond) -> dispatch(e) }
#endif

proctype Once()
{
	do
	ONCE(established && !gone, E_CLIENT_TOO_BIG)
	ONCE(established && !gone, E_CLIENT_UNACCEPTABLE)
	ONCE(established && !gone, E_PONG)
	ONCE(fd_open, E_BACKEND_TOO_BIG)
	ONCE(fd_open, E_BACKEND_BAD_FRAME)
	ONCE(fd_open, E_BACKEND_STALLED)
	ONCE(fd_open, E_BACKEND_QUEUE_FULL)
	ONCE(fd_open, E_BACKEND_QUEUE_ROOM)
	ONCE(fd_open, E_BACKEND_PROGRESS)
	ONCE(true, E_IDLE_TIMEOUT)
	ONCE(true, E_PING_DUE)
	ONCE(true, E_PONG_TIMEOUT)
	ONCE(true, E_SEND_TIMEOUT)
	ONCE(true, E_DRAIN)
	ONCE(true, E_DRAIN_SPREAD)
	:: released -> break
#ifndef NORETIRE
	:: break
#endif
	od
}

init
{
	/* No backend with on_backend_down = close: 1013 after the
	 * handshake. */
	atomic {
		d_step { fsm_init() };
		st = S_START;
		if
		:: d_step { dispatch(E_BACKEND_UP) }
		:: d_step { fd_open = 0; dispatch(E_BACKEND_DOWN) }
		:: d_step { held = 1; connecting = 1;
			dispatch(E_BACKEND_CONNECTING) }
		fi;
		run Client(); run Backend(); run Flush(); run Lws();
		run CloseTimer(); run Connect(); run Once()
	}
}

/* A session that started to close is released, whatever its peers do. */
ltl ends { [] (closing -> <> released) }
