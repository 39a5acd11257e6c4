/*
 * check_fsm.c: unit tests of the session state machine (src/fsm.c).
 *
 * The table is data, and so are these tests: every state x event pair must
 * have a row; rules drawn from design.md ("When a session ends"), RFC 6455
 * and the comment at the top of fsm.c are checked on every row; whole
 * sessions, one per row of the design's close table, are walked from tables
 * of expected steps; and the graph of (state, history) pairs is explored
 * exhaustively for what must happen at most once per session.  No sockets,
 * no clock, no allocation: fsm.c is pure, so nothing here is stubbed.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check_suites.h"
#include "fsm.h"

#define NPAIRS		(FSM_ST__COUNT * FSM_EV__COUNT)
#define ALL_ACTIONS	((1u << FSM_A__COUNT) - 1)

/* Short names, so that the expected walks below fit in 80 columns. */
#define LOG_CLOSE	FSM_A_RECORD_CLOSE
#define FWD_C		FSM_A_FORWARD_CLIENT
#define FWD_CLOSE	FSM_A_FORWARD_CLOSE
#define RX_OFF		FSM_A_PAUSE_CLIENT_RX
#define RESUME		FSM_A_RESUME_CLIENT_RX
#define STALL_OK	FSM_A_STOP_STALL_TIMER
#define RX_ON		(RESUME | STALL_OK)
#define DROP_C		FSM_A_DISCARD_CLIENT
#define TRUNC		FSM_A_TRUNCATE_MESSAGE
#define FWD_B		FSM_A_FORWARD_BACKEND
#define DROP_B		FSM_A_DISCARD_BACKEND
#define PING		FSM_A_QUEUE_PING
#define PONG_OK		FSM_A_CANCEL_PONG_TIMER
#define SEND_OK		FSM_A_STOP_SEND_TIMER
#define T_SEND		FSM_A_START_SEND_TIMER
#define T_SEND_AGAIN	FSM_A_RESTART_SEND_TIMER
#define T_STALL		FSM_A_ARM_STALL_TIMER
#define T_IDLE		FSM_A_ARM_IDLE_TIMER
#define T_PING		FSM_A_ARM_PING_TIMER
#define T_PONG		FSM_A_ARM_PONG_TIMER
#define T_CLOSE		FSM_A_ARM_CLOSE_TIMER
#define CLOSE		FSM_A_SEND_CLOSE
#define KILL		FSM_A_DROP_CLIENT
#define SHUT_B		FSM_A_SHUT_BACKEND_WR
#define CLOSE_B		FSM_A_CLOSE_BACKEND
#define WW		FSM_A_WANT_WRITEABLE
#define T_DRAIN		FSM_A_ARM_DRAIN_TIMER
#define T_CONNECT	FSM_A_ARM_CONNECT_TIMER
#define ACCEPT		FSM_A_ACCEPT_UPGRADE
#define REFUSE		FSM_A_REFUSE_UPGRADE
#define FREE		FSM_A_RELEASE

/* Everything that puts bytes on the client connection or asks to. */
#define CLIENT_OUTPUT	(FWD_B | PING | CLOSE | WW | ACCEPT | REFUSE)
/* Everything that touches the backend socket. */
#define BACKEND_IO	(FWD_C | FWD_CLOSE | FWD_B | DROP_B | SHUT_B | CLOSE_B)

/*
 * What each state says about the backend socket.  A new state must be
 * classified here, or test_state_classes fails.
 */
enum be {
	BE_MAYBE = 1,	/* not known yet: START */
	BE_READ,	/* fd open, the backend may still send */
	BE_EOF,		/* fd open, the backend sent EOF */
	BE_NONE,	/* no fd: never connected, or closed */
};

static const enum be state_backend[FSM_ST__COUNT] = {
	[FSM_ST_START] = BE_MAYBE,
	[FSM_ST_CONNECTING] = BE_READ,
	[FSM_ST_ACCEPTING] = BE_READ,
	[FSM_ST_ACCEPTING_DOWN] = BE_NONE,
	[FSM_ST_REJECTING] = BE_NONE,
	[FSM_ST_HANDSHAKE] = BE_READ,
	[FSM_ST_REFUSING] = BE_NONE,
	[FSM_ST_OPEN] = BE_READ,
	[FSM_ST_CLOSING] = BE_READ,
	[FSM_ST_CLOSING_EOF] = BE_EOF,
	[FSM_ST_CLOSING_DEAD] = BE_NONE,
	[FSM_ST_CLOSE_SENT] = BE_READ,
	[FSM_ST_CLOSE_SENT_EOF] = BE_EOF,
	[FSM_ST_CLOSE_SENT_DEAD] = BE_NONE,
	[FSM_ST_SHUTTING] = BE_READ,
	[FSM_ST_LINGER] = BE_READ,
	[FSM_ST_FLUSHING] = BE_EOF,
	[FSM_ST_RELEASED] = BE_NONE,
};

/*
 * The side each event comes from, for "who ended the session": a row
 * that ends it names this side (but REFUSING + ESTABLISHED: the backend
 * was missing).
 */
static const enum fsm_side event_side[FSM_EV__COUNT] = {
	[FSM_EV_BACKEND_UP] = FSM_SIDE_BACKEND,
	[FSM_EV_BACKEND_DOWN] = FSM_SIDE_BACKEND,
	[FSM_EV_BACKEND_CONNECTING] = FSM_SIDE_BACKEND,
	[FSM_EV_CONNECT_TIMEOUT] = FSM_SIDE_GATEWAY,	/* our timer */
	[FSM_EV_CLIENT_WRITE_ERROR] = FSM_SIDE_CLIENT,
	[FSM_EV_CLIENT_BEHIND] = FSM_SIDE_CLIENT,
	[FSM_EV_BACKEND_QUEUE_FULL] = FSM_SIDE_BACKEND,
	[FSM_EV_BACKEND_QUEUE_ROOM] = FSM_SIDE_BACKEND,
	[FSM_EV_BACKEND_PROGRESS] = FSM_SIDE_BACKEND,
	[FSM_EV_ESTABLISHED] = FSM_SIDE_CLIENT,
	[FSM_EV_CLIENT_DATA] = FSM_SIDE_CLIENT,
	[FSM_EV_CLIENT_TOO_BIG] = FSM_SIDE_GATEWAY,
	[FSM_EV_CLIENT_UNACCEPTABLE] = FSM_SIDE_GATEWAY,
	[FSM_EV_CLIENT_CLOSE] = FSM_SIDE_CLIENT,
	[FSM_EV_CLIENT_GONE] = FSM_SIDE_CLIENT,
	[FSM_EV_CLIENT_PROTOCOL_ERROR] = FSM_SIDE_CLIENT,
	[FSM_EV_CLIENT_WRITEABLE] = FSM_SIDE_CLIENT,
	[FSM_EV_PONG] = FSM_SIDE_CLIENT,
	[FSM_EV_BACKEND_READABLE] = FSM_SIDE_BACKEND,
	[FSM_EV_BACKEND_READABLE_CLIENT_READY] = FSM_SIDE_BACKEND,
	[FSM_EV_BACKEND_EOF] = FSM_SIDE_BACKEND,
	[FSM_EV_BACKEND_CLOSE] = FSM_SIDE_BACKEND,	/* its own close */
	[FSM_EV_BACKEND_TOO_BIG] = FSM_SIDE_GATEWAY,	/* our limit */
	[FSM_EV_BACKEND_BAD_FRAME] = FSM_SIDE_GATEWAY,
	[FSM_EV_BACKEND_ERROR] = FSM_SIDE_BACKEND,
	[FSM_EV_BACKEND_STALLED] = FSM_SIDE_GATEWAY,	/* our timer */
	[FSM_EV_BACKEND_WR_CLOSED] = FSM_SIDE_BACKEND,
	[FSM_EV_IDLE_TIMEOUT] = FSM_SIDE_GATEWAY,
	[FSM_EV_PING_DUE] = FSM_SIDE_GATEWAY,
	[FSM_EV_PONG_TIMEOUT] = FSM_SIDE_GATEWAY,
	[FSM_EV_CLOSE_TIMEOUT] = FSM_SIDE_GATEWAY,
	[FSM_EV_SEND_TIMEOUT] = FSM_SIDE_GATEWAY,
	[FSM_EV_DRAIN] = FSM_SIDE_GATEWAY,
	[FSM_EV_DRAIN_SPREAD] = FSM_SIDE_GATEWAY,
};

#define EVBIT(e)	(UINT64_C(1) << FSM_EV_##e)

/*
 * Actions that only make sense as the answer to one kind of event: data
 * is forwarded or dropped when it arrives, a ping goes out when it is due.
 */
static const struct {
	unsigned int	 action;
	uint64_t	 events;
} action_events[] = {
	{ LOG_CLOSE,	EVBIT(CLIENT_CLOSE) },
	{ FWD_C,	EVBIT(CLIENT_DATA) },
	{ FWD_CLOSE,	EVBIT(CLIENT_CLOSE) },
	{ DROP_C,	EVBIT(CLIENT_DATA) | EVBIT(CLIENT_TOO_BIG) |
	    EVBIT(CLIENT_UNACCEPTABLE) },
	{ TRUNC,	EVBIT(CLIENT_TOO_BIG) | EVBIT(CLIENT_UNACCEPTABLE) },
	/* Only when nothing waits in front: ordered, one write at a time. */
	{ FWD_B,	EVBIT(CLIENT_WRITEABLE) |
	    EVBIT(BACKEND_READABLE_CLIENT_READY) },
	/* Leaving OPEN also reads once: the edge may have been left there. */
	{ DROP_B,	EVBIT(BACKEND_READABLE) |
	    EVBIT(BACKEND_READABLE_CLIENT_READY) | EVBIT(CLIENT_CLOSE) |
	    EVBIT(CLIENT_GONE) | EVBIT(CLIENT_PROTOCOL_ERROR) |
	    EVBIT(CLIENT_WRITE_ERROR) | EVBIT(CLIENT_TOO_BIG) |
	    EVBIT(CLIENT_UNACCEPTABLE) | EVBIT(IDLE_TIMEOUT) |
	    EVBIT(PONG_TIMEOUT) | EVBIT(SEND_TIMEOUT) | EVBIT(DRAIN) },
	{ T_SEND,	EVBIT(BACKEND_READABLE) },
	{ T_SEND_AGAIN,	EVBIT(CLIENT_BEHIND) },
	{ RX_OFF,	EVBIT(BACKEND_QUEUE_FULL) },
	{ T_STALL,	EVBIT(BACKEND_QUEUE_FULL) | EVBIT(BACKEND_PROGRESS) },
	{ SEND_OK,	EVBIT(CLIENT_WRITEABLE) |
	    EVBIT(BACKEND_READABLE_CLIENT_READY) },
	{ PING,		EVBIT(PING_DUE) },
	{ PONG_OK,	EVBIT(PONG) },
	{ CLOSE,	EVBIT(CLIENT_WRITEABLE) },
	/* A spread drain only defers DRAIN. */
	{ T_DRAIN,	EVBIT(DRAIN_SPREAD) },
	/* The held handshake is answered from the writeable callback. */
	{ ACCEPT,	EVBIT(CLIENT_WRITEABLE) },
	{ REFUSE,	EVBIT(CLIENT_WRITEABLE) },
	{ T_CONNECT,	EVBIT(BACKEND_CONNECTING) },
};

static int
is_closing(enum fsm_state st)
{
	return (st == FSM_ST_CLOSING || st == FSM_ST_CLOSING_EOF ||
	    st == FSM_ST_CLOSING_DEAD);
}

static int
is_close_sent(enum fsm_state st)
{
	return (st == FSM_ST_CLOSE_SENT || st == FSM_ST_CLOSE_SENT_EOF ||
	    st == FSM_ST_CLOSE_SENT_DEAD);
}

/* States before 101: the handshake is unanswered or being answered. */
static int
is_pre_ws(enum fsm_state st)
{
	return (st == FSM_ST_START || st == FSM_ST_CONNECTING ||
	    st == FSM_ST_ACCEPTING || st == FSM_ST_ACCEPTING_DOWN ||
	    st == FSM_ST_REJECTING || st == FSM_ST_HANDSHAKE ||
	    st == FSM_ST_REFUSING);
}

/* States where the client is a WebSocket peer: after 101, not yet freed. */
static int
is_ws_up(enum fsm_state st)
{
	return (!is_pre_ws(st) && st != FSM_ST_RELEASED);
}

/* States before anything ended the session. */
static int
is_live(enum fsm_state st)
{
	return ((is_pre_ws(st) && st != FSM_ST_REJECTING) ||
	    st == FSM_ST_OPEN);
}

/* Does the writeable callback in ST write something to the client? */
static int
writes_on_writeable(enum fsm_state st)
{
	return ((fsm_next(st, FSM_EV_CLIENT_WRITEABLE).actions &
	    (FWD_B | CLOSE | ACCEPT | REFUSE)) != 0);
}

/*
 * A close frame from the client, or lws's own for a protocol error, cannot
 * come before 101 is sent: there is no WebSocket framing yet.  START sees
 * only the backend's fate, which session_new() dispatches at once, and
 * only START sees it.  The exploring tests skip those pairs.
 */
static int
impossible(enum fsm_state st, enum fsm_event ev)
{
	int	 fate = ev == FSM_EV_BACKEND_UP || ev == FSM_EV_BACKEND_DOWN;

	if (st == FSM_ST_START)
		return (!fate && ev != FSM_EV_BACKEND_CONNECTING);
	if (ev == FSM_EV_BACKEND_CONNECTING)
		return (1);
	/* A connect's outcome: once, while it is under way. */
	if (fate || ev == FSM_EV_CONNECT_TIMEOUT)
		return (st != FSM_ST_CONNECTING);
	return ((ev == FSM_EV_CLIENT_CLOSE ||
	    ev == FSM_EV_CLIENT_PROTOCOL_ERROR) && is_pre_ws(st));
}

/* A code that is not wsgated's own: the backend's, the client's, lws's. */
static int
is_foreign_code(unsigned int c)
{
	return (c == FSM_CODE_BACKEND || c == FSM_CODE_CLIENT ||
	    c == FSM_CODE_LWS);
}

/* "A|B|C" for an action set, for failure messages. */
static const char *
acts(unsigned int a, char *buf, size_t len)
{
	unsigned int	 k;
	size_t		 n = 0;

	buf[0] = '\0';
	if (a == 0)
		return ("(none)");
	for (k = 0; k < 32; k++) {
		if ((a & (1u << k)) == 0)
			continue;
		n += snprintf(buf + n, n < len ? len - n : 0, "%s%s",
		    n > 0 ? "|" : "", fsm_action_name(1u << k));
	}
	return (buf);
}

/* The row for loop index I, with its state and event. */
static struct fsm_step
row(int i, enum fsm_state *st, enum fsm_event *ev)
{
	*st = (enum fsm_state)(i / FSM_EV__COUNT);
	*ev = (enum fsm_event)(i % FSM_EV__COUNT);
	return (fsm_next(*st, *ev));
}

#define ROW_FMT		"%s + %s -> %s [%s] code %u: "
#define ROW_ARGS(st, ev, s, b)						\
	fsm_state_name(st), fsm_event_name(ev), fsm_state_name((s).next), \
	acts((s).actions, (b), sizeof(b)), (unsigned int)(s).close_code

/*
 * Completeness.
 */

START_TEST(test_row_defined)
{
	enum fsm_state	 st;
	enum fsm_event	 ev;
	struct fsm_step	 s;
	char		 b[512];

	s = row(_i, &st, &ev);
	ck_assert_msg(s.defined == 1, "%s + %s: no row in the table",
	    fsm_state_name(st), fsm_event_name(ev));
	ck_assert_msg((unsigned int)s.next < FSM_ST__COUNT,
	    "%s + %s: next state %d out of range", fsm_state_name(st),
	    fsm_event_name(ev), (int)s.next);
	ck_assert_msg((s.actions & ~ALL_ACTIONS) == 0,
	    ROW_FMT "undeclared action bits 0x%x", ROW_ARGS(st, ev, s, b),
	    s.actions & ~ALL_ACTIONS);
}
END_TEST

/* A pair outside the table is a hole: defined 0, same state, nothing. */
START_TEST(test_out_of_range)
{
	struct fsm_step	 s;

	s = fsm_next(FSM_ST__COUNT, FSM_EV_CLIENT_DATA);
	ck_assert_int_eq(s.defined, 0);
	ck_assert_int_eq(s.actions, 0);
	ck_assert_int_eq(s.close_code, 0);
	ck_assert_ptr_null(s.reason);
	s = fsm_next(FSM_ST_OPEN, FSM_EV__COUNT);
	ck_assert_int_eq(s.defined, 0);
	ck_assert_int_eq(s.next, FSM_ST_OPEN);
	ck_assert_int_eq(s.actions, 0);
	ck_assert_int_eq(s.close_code, 0);
}
END_TEST

START_TEST(test_state_classes)
{
	ck_assert_msg(state_backend[_i] != 0,
	    "state %s has no backend class in check_fsm.c",
	    fsm_state_name((enum fsm_state)_i));
}
END_TEST

/*
 * Invariants, checked on every row.  Each rule returns what is wrong with
 * the row, or NULL; test_row_invariants reports every broken rule of a row.
 */
typedef const char *inv_fn(enum fsm_state, enum fsm_event, struct fsm_step);

/*
 * A held handshake is answered once, from the writeable callback: 101
 * toward the WebSocket states, the refusal (with the status a row set on
 * entering REJECTING) toward RELEASED.
 */
static const char *
inv_held_handshake(enum fsm_state st, enum fsm_event ev, struct fsm_step s)
{
	if ((s.actions & (ACCEPT | REFUSE)) &&
	    ev != FSM_EV_CLIENT_WRITEABLE)
		return ("ACCEPT_UPGRADE or REFUSE_UPGRADE outside "
		    "CLIENT_WRITEABLE");
	if ((s.actions & ACCEPT) && !(st == FSM_ST_ACCEPTING ||
	    st == FSM_ST_ACCEPTING_DOWN))
		return ("ACCEPT_UPGRADE without a held handshake");
	if ((s.actions & REFUSE) && (st != FSM_ST_REJECTING ||
	    s.next != FSM_ST_RELEASED))
		return ("REFUSE_UPGRADE outside REJECTING -> RELEASED");
	if ((s.http_status != 0) != (s.next == FSM_ST_REJECTING &&
	    st != FSM_ST_REJECTING))
		return ("an HTTP status must be exactly on entering REJECTING");
	if (s.http_status != 0 && s.http_status != 502 &&
	    s.http_status != 504)
		return ("an HTTP status other than 502 or 504");
	if ((s.actions & T_CONNECT) && s.next != FSM_ST_CONNECTING)
		return ("ARM_CONNECT_TIMER not entering CONNECTING");
	if (s.next == FSM_ST_CONNECTING && st != FSM_ST_CONNECTING &&
	    (s.actions & T_CONNECT) == 0)
		return ("a connect that is not timed");
	return (NULL);
}

/* Writes happen only in the writeable callback (libwebsockets' rule). */
static const char *
inv_send_close(enum fsm_state st, enum fsm_event ev, struct fsm_step s)
{
	(void)st;
	if ((s.actions & CLOSE) == 0)
		return (NULL);
	if (ev != FSM_EV_CLIENT_WRITEABLE)
		return ("SEND_CLOSE outside CLIENT_WRITEABLE");
	if (!is_close_sent(s.next))
		return ("SEND_CLOSE must lead to a CLOSE_SENT state");
	/* design.md: an unanswered close ends the TCP after close_timeout. */
	if ((s.actions & T_CLOSE) == 0)
		return ("SEND_CLOSE without ARM_CLOSE_TIMER");
	return (NULL);
}

/*
 * RFC 6455 7.4.1 and design.md: never 1004-1006 or 1015 on the wire.
 * FSM_CODE_BACKEND stands for the code of the backend's close message,
 * which framing.c has checked: only the row that receives one may use
 * it, and that row must (the backend's code crosses the gateway).
 */
static const char *
inv_close_code(enum fsm_state st, enum fsm_event ev, struct fsm_step s)
{
	unsigned int	 c = s.close_code;

	if (c == FSM_CODE_BACKEND)
		return (ev == FSM_EV_BACKEND_CLOSE ? NULL :
		    "FSM_CODE_BACKEND on a row that is not BACKEND_CLOSE");
	if (ev == FSM_EV_BACKEND_CLOSE && c != 0)
		return ("BACKEND_CLOSE with a code of our own");
	/* lws echoes a client's close unless ours went out first. */
	if ((c == FSM_CODE_CLIENT) != (ev == FSM_EV_CLIENT_CLOSE &&
	    (st == FSM_ST_OPEN || is_closing(st))))
		return ("FSM_CODE_CLIENT must be exactly on CLIENT_CLOSE in "
		    "OPEN and CLOSING*");
	/* lws's own close frame is the one sent, wherever it comes. */
	if ((c == FSM_CODE_LWS) != (ev == FSM_EV_CLIENT_PROTOCOL_ERROR &&
	    (st == FSM_ST_OPEN || is_closing(st) || is_close_sent(st))))
		return ("FSM_CODE_LWS must be exactly on CLIENT_PROTOCOL_ERROR "
		    "while the client is there");
	if (is_foreign_code(c))
		return (NULL);
	if (c == 0)
		return (NULL);
	if (c == 1004 || c == 1005 || c == 1006 || c == 1015)
		return ("a reserved close code");
	if (!((c >= 1000 && c <= 1014) || (c >= 3000 && c <= 4999)))
		return ("a close code out of the sendable ranges");
	return (NULL);
}

/*
 * A code is the reason for a close frame sent later, on writeable: it
 * belongs to the row that decides to close (entering CLOSING*), never to
 * the row that sends or drops, and every such decision has one.
 */
static const char *
inv_code_placement(enum fsm_state st, enum fsm_event ev, struct fsm_step s)
{
	int	 entering;

	(void)ev;
	entering = is_closing(s.next) && !is_closing(st);
	if (s.close_code == FSM_CODE_CLIENT || s.close_code == FSM_CODE_LWS)
		return (NULL);
	if (s.close_code != 0 && (s.actions & (CLOSE | KILL)))
		return ("a close code with SEND_CLOSE or DROP_CLIENT");
	if (s.close_code != 0 && !entering)
		return ("a close code on a row not entering CLOSING*");
	if (entering && s.close_code == 0)
		return ("entering CLOSING* without a close code");
	return (NULL);
}

/* A close reason fits a control frame (RFC 6455 5.5) and is ASCII. */
static const char *
inv_reason(enum fsm_state st, enum fsm_event ev, struct fsm_step s)
{
	const char	*p;

	(void)st;
	(void)ev;
	/* design.md: 1013 comes with a reason the page can show. */
	if (s.close_code == 1013 && (s.reason == NULL || s.reason[0] == '\0'))
		return ("1013 without a reason");
	if (s.reason == NULL)
		return (s.http_status != 0 ? "an HTTP refusal without a "
		    "reason" : NULL);
	if (s.close_code == 0 && s.http_status == 0)
		return ("a reason without a close code or HTTP status");
	if (is_foreign_code(s.close_code))
		return ("a reason of our own for a code not ours");
	if (strlen(s.reason) > 123)
		return ("a reason longer than 123 bytes");
	for (p = s.reason; *p != '\0'; p++)
		if (*p < 0x20 || *p >= 0x7f)
			return ("a reason that is not printable ASCII");
	return (NULL);
}

/* One way out: RELEASE exactly on the rows that enter RELEASED. */
static const char *
inv_release(enum fsm_state st, enum fsm_event ev, struct fsm_step s)
{
	int	 entering;

	(void)ev;
	entering = s.next == FSM_ST_RELEASED && st != FSM_ST_RELEASED;
	if ((s.actions & FREE) && !entering)
		return ("RELEASE not entering RELEASED");
	if (entering && (s.actions & FREE) == 0)
		return ("entering RELEASED without RELEASE");
	return (NULL);
}

/* Nothing happens to a released session: it is freed at loop end. */
static const char *
inv_released_absorbing(enum fsm_state st, enum fsm_event ev,
    struct fsm_step s)
{
	(void)ev;
	if (st == FSM_ST_RELEASED && (s.next != FSM_ST_RELEASED ||
	    s.actions != 0 || s.close_code != 0 || s.reason != NULL))
		return ("RELEASED must absorb every event");
	return (NULL);
}

/*
 * The client's close goes to the backend from the states where the
 * backend is still read and not yet shut, as a close message and then
 * EOF: FORWARD_CLOSE exactly on CLIENT_CLOSE rows of OPEN, CLOSING and
 * CLOSE_SENT, always with SHUT_BACKEND_WR (which runs after it, see
 * test_action_order).
 */
static const char *
inv_forward_close(enum fsm_state st, enum fsm_event ev, struct fsm_step s)
{
	int	 want;

	want = ev == FSM_EV_CLIENT_CLOSE && (st == FSM_ST_OPEN ||
	    st == FSM_ST_CLOSING || st == FSM_ST_CLOSE_SENT ||
	    st == FSM_ST_CLOSING_EOF || st == FSM_ST_CLOSE_SENT_EOF);
	if (((s.actions & FWD_CLOSE) != 0) != want)
		return ("FORWARD_CLOSE must be exactly on CLIENT_CLOSE in "
		    "OPEN, CLOSING*, CLOSE_SENT* with the backend open");
	if (ev == FSM_EV_CLIENT_CLOSE && is_ws_up(st) &&
	    (s.actions & LOG_CLOSE) == 0)
		return ("a client's close frame not recorded");
	if ((s.actions & FWD_CLOSE) && (s.actions & SHUT_B) == 0)
		return ("FORWARD_CLOSE without SHUT_BACKEND_WR after it");
	return (NULL);
}

/*
 * A paused client must hear the answer to our close frame: every row
 * that leaves OPEN to close the client resumes reading it, and no other
 * row needs to (reads are paused only in OPEN).
 */
static const char *
inv_resume_rx(enum fsm_state st, enum fsm_event ev, struct fsm_step s)
{
	int	 want;

	want = st == FSM_ST_OPEN && (is_closing(s.next) ||
	    ev == FSM_EV_BACKEND_QUEUE_ROOM);
	if (((s.actions & RESUME) != 0) != want)
		return ("RESUME_CLIENT_RX must be exactly on the rows leaving "
		    "OPEN for CLOSING*, and on BACKEND_QUEUE_ROOM in OPEN");
	if (((s.actions & RESUME) != 0) != ((s.actions & STALL_OK) != 0))
		return ("RESUME_CLIENT_RX without STOP_STALL_TIMER, or the "
		    "reverse");
	/* Paused only for a full queue, and then the backend is timed. */
	if (((s.actions & RX_OFF) != 0) != (st == FSM_ST_OPEN &&
	    ev == FSM_EV_BACKEND_QUEUE_FULL))
		return ("PAUSE_CLIENT_RX must be exactly on BACKEND_QUEUE_FULL "
		    "in OPEN");
	if ((s.actions & RX_OFF) && (s.actions & T_STALL) == 0)
		return ("PAUSE_CLIENT_RX without ARM_STALL_TIMER");
	return (NULL);
}

/*
 * Relaying happens in OPEN only; backend data only when the client can
 * take it (writeable, or nothing waiting for it).
 */
static const char *
inv_forward(enum fsm_state st, enum fsm_event ev, struct fsm_step s)
{
	if ((s.actions & FWD_C) &&
	    (st != FSM_ST_OPEN || s.next != FSM_ST_OPEN))
		return ("FORWARD_CLIENT outside OPEN");
	if ((s.actions & FWD_B) && (st != FSM_ST_OPEN ||
	    (ev != FSM_EV_CLIENT_WRITEABLE &&
	    ev != FSM_EV_BACKEND_READABLE_CLIENT_READY)))
		return ("FORWARD_BACKEND outside OPEN + CLIENT_WRITEABLE or "
		    "BACKEND_READABLE_CLIENT_READY");
	return (NULL);
}

/* EOF toward the backend is the start of SHUTTING or FLUSHING, bounded. */
static const char *
inv_shut_backend(enum fsm_state st, enum fsm_event ev, struct fsm_step s)
{
	(void)ev;
	if ((s.actions & SHUT_B) == 0)
		return (NULL);
	if (s.next != FSM_ST_SHUTTING && s.next != FSM_ST_FLUSHING)
		return ("SHUT_BACKEND_WR not entering SHUTTING or FLUSHING");
	if (st == FSM_ST_SHUTTING || st == FSM_ST_FLUSHING ||
	    st == FSM_ST_LINGER)
		return ("SHUT_BACKEND_WR after the backend was shut");
	/* fsm.c: the backend's EOF is awaited for close_timeout at most. */
	if ((s.actions & T_CLOSE) == 0)
		return ("SHUT_BACKEND_WR without ARM_CLOSE_TIMER");
	return (NULL);
}

/* Deciding to close asks for writeable and bounds the wait. */
static const char *
inv_closing_entry(enum fsm_state st, enum fsm_event ev, struct fsm_step s)
{
	(void)ev;
	if (is_closing(s.next) && !is_closing(st) &&
	    (s.actions & (T_CLOSE | WW)) != (T_CLOSE | WW))
		return ("entering CLOSING* without "
		    "ARM_CLOSE_TIMER|WANT_WRITEABLE");
	return (NULL);
}

/* CLOSE_SENT* means "close sent or TCP dropped": one of them got us here. */
static const char *
inv_close_sent_entry(enum fsm_state st, enum fsm_event ev, struct fsm_step s)
{
	(void)ev;
	if (is_close_sent(s.next) && !is_close_sent(st) &&
	    (s.actions & (CLOSE | KILL)) == 0)
		return ("entering CLOSE_SENT* without SEND_CLOSE or "
		    "DROP_CLIENT");
	/* The dropped client's CLIENT_GONE is awaited in CLOSE_SENT*. */
	if ((s.actions & KILL) && !is_close_sent(s.next))
		return ("DROP_CLIENT not leading to CLOSE_SENT*");
	return (NULL);
}

/*
 * WANT_WRITEABLE only toward a state whose writeable row writes; and a row
 * that makes writeable matter, from a state where it did not, asks for it
 * (otherwise the session waits for a callback nobody requested).
 */
static const char *
inv_want_writeable(enum fsm_state st, enum fsm_event ev, struct fsm_step s)
{
	(void)ev;
	if ((s.actions & WW) && !writes_on_writeable(s.next))
		return ("WANT_WRITEABLE toward a state that writes nothing");
	if (writes_on_writeable(s.next) && !writes_on_writeable(st) &&
	    (s.actions & WW) == 0)
		return ("a writing state entered without WANT_WRITEABLE");
	return (NULL);
}

static const char *
inv_action_event(enum fsm_state st, enum fsm_event ev, struct fsm_step s)
{
	size_t	 k;

	(void)st;
	for (k = 0; k < sizeof(action_events) / sizeof(action_events[0]);
	    k++)
		if ((s.actions & action_events[k].action) &&
		    (action_events[k].events & (UINT64_C(1) << ev)) == 0)
			return ("an action that does not answer this event");
	return (NULL);
}

/* Keepalive belongs to OPEN; a pong timer only with a ping. */
static const char *
inv_keepalive(enum fsm_state st, enum fsm_event ev, struct fsm_step s)
{
	(void)st;
	(void)ev;
	if ((s.actions & (T_IDLE | T_PING | T_PONG | PING)) &&
	    s.next != FSM_ST_OPEN)
		return ("keepalive timers or ping outside OPEN");
	if (((s.actions & T_PONG) != 0) != ((s.actions & PING) != 0))
		return ("ARM_PONG_TIMER without QUEUE_PING, or the reverse");
	return (NULL);
}

/*
 * Backend fd accounting: CLOSE_BACKEND exactly on the rows that go from a
 * state holding the fd to one without it, and no backend I/O without it.
 */
static const char *
inv_backend_fd(enum fsm_state st, enum fsm_event ev, struct fsm_step s)
{
	int	 had, has;

	(void)ev;
	if (state_backend[st] == BE_MAYBE)
		return ((s.actions & BACKEND_IO) ? "backend I/O in START" :
		    NULL);
	had = state_backend[st] != BE_NONE;
	has = state_backend[s.next] != BE_NONE;
	if (((s.actions & CLOSE_B) != 0) != (had && !has))
		return ("CLOSE_BACKEND must be exactly where the fd goes away");
	if ((s.actions & BACKEND_IO) && !had)
		return ("backend I/O without a backend");
	if (!had && has)
		return ("a backend fd appears from nowhere");
	return (NULL);
}

/*
 * fsm.c: the backend is read so that it never blocks.  Once OPEN, a
 * readable backend is read (when the client is writeable) or drained, and
 * its EOF moves the session on.  HANDSHAKE waits for OPEN to read.
 */
static const char *
inv_backend_input(enum fsm_state st, enum fsm_event ev, struct fsm_step s)
{
	if (state_backend[st] != BE_READ || is_pre_ws(st))
		return (NULL);
	if (ev == FSM_EV_BACKEND_READABLE && (s.actions & (WW | DROP_B)) == 0)
		return ("a readable backend is neither read nor drained");
	if (ev == FSM_EV_BACKEND_READABLE_CLIENT_READY &&
	    (s.actions & (FWD_B | DROP_B)) == 0)
		return ("a readable backend and an idle client, and neither "
		    "read nor drained");
	/* Sent at once only in OPEN: the same as the writeable callback. */
	if (ev == FSM_EV_BACKEND_READABLE_CLIENT_READY &&
	    fsm_next(st, FSM_EV_CLIENT_WRITEABLE).actions & FWD_B &&
	    (s.actions != fsm_next(st, FSM_EV_CLIENT_WRITEABLE).actions ||
	    s.next != st))
		return ("data for an idle client is not sent as on writeable");
	/* Elsewhere the client's readiness must not matter. */
	if (ev == FSM_EV_BACKEND_READABLE_CLIENT_READY && st != FSM_ST_OPEN &&
	    (s.actions != fsm_next(st, FSM_EV_BACKEND_READABLE).actions ||
	    s.next != fsm_next(st, FSM_EV_BACKEND_READABLE).next))
		return ("an idle client changes what a closing session does");
	if (ev == FSM_EV_BACKEND_EOF && state_backend[s.next] == BE_READ)
		return ("backend EOF leaves the session reading");
	/* Decoded only in OPEN: a close message ends what the backend says. */
	if (st == FSM_ST_OPEN && ev == FSM_EV_BACKEND_CLOSE &&
	    state_backend[s.next] != BE_EOF)
		return ("a backend close message does not end its output");
	/* A backend that broke the framing, or stalls, is not read on. */
	if (st == FSM_ST_OPEN && (ev == FSM_EV_BACKEND_TOO_BIG ||
	    ev == FSM_EV_BACKEND_BAD_FRAME || ev == FSM_EV_BACKEND_STALLED) &&
	    state_backend[s.next] != BE_NONE)
		return ("a backend fault leaves the backend open");
	/*
	 * OPEN leaves a readable edge to the next writeable: whatever leaves
	 * OPEN for a state that only drains must read once on the way.
	 */
	if (st == FSM_ST_OPEN && s.next != FSM_ST_OPEN &&
	    state_backend[s.next] == BE_READ && (s.actions & DROP_B) == 0)
		return ("leaving OPEN without reading the backend once");
	return (NULL);
}

/*
 * lws's own close frame (a protocol error) ends the client's part as its
 * leaving does: the same step wherever it can come.
 */
static const char *
inv_protocol_error(enum fsm_state st, enum fsm_event ev, struct fsm_step s)
{
	struct fsm_step	 gone = fsm_next(st, FSM_EV_CLIENT_GONE);

	if (ev != FSM_EV_CLIENT_PROTOCOL_ERROR || impossible(st, ev))
		return (NULL);
	if (s.next != gone.next || s.actions != gone.actions)
		return ("CLIENT_PROTOCOL_ERROR does not end the client's part "
		    "as CLIENT_GONE does");
	return (NULL);
}

/* design.md: client data is forwarded, or dropped and counted. */
static const char *
inv_client_input(enum fsm_state st, enum fsm_event ev, struct fsm_step s)
{
	unsigned int	 a;

	if (!is_ws_up(st) || (ev != FSM_EV_CLIENT_DATA &&
	    ev != FSM_EV_CLIENT_TOO_BIG && ev != FSM_EV_CLIENT_UNACCEPTABLE))
		return (NULL);
	a = s.actions & (FWD_C | DROP_C | TRUNC);
	if (a != FWD_C && a != DROP_C && a != TRUNC)
		return ("client data must be forwarded or counted as dropped, "
		    "exactly once");
	return (NULL);
}

/*
 * Who ended the session is the output of exactly the rows that leave the
 * live states (START, HANDSHAKE, REFUSING, OPEN): the side the event
 * comes from, but for REFUSING + ESTABLISHED, where the missing backend
 * did.
 */
static const char *
inv_ended_by(enum fsm_state st, enum fsm_event ev, struct fsm_step s)
{
	enum fsm_side	 want = event_side[ev];

	if (st == FSM_ST_REFUSING && ev == FSM_EV_ESTABLISHED)
		want = FSM_SIDE_BACKEND;
	if (!is_live(st) || is_live(s.next))
		return (s.ended_by != FSM_SIDE_NONE ?
		    "ENDED_BY on a row that does not end the session" : NULL);
	if (s.ended_by != want)
		return ("a row ending the session names the wrong side");
	return (NULL);
}

/* A write that failed to the client: it is dropped, nothing more goes. */
static const char *
inv_write_error(enum fsm_state st, enum fsm_event ev, struct fsm_step s)
{
	if (ev != FSM_EV_CLIENT_WRITE_ERROR || !is_ws_up(st) ||
	    is_close_sent(st) || st == FSM_ST_SHUTTING ||
	    st == FSM_ST_LINGER || st == FSM_ST_FLUSHING)
		return (NULL);
	if ((s.actions & KILL) == 0 || (s.actions & CLIENT_OUTPUT))
		return ("a failed write does not drop the client");
	return (NULL);
}

static inv_fn *const invariants[] = {
	inv_held_handshake,
	inv_ended_by,
	inv_write_error,
	inv_send_close,
	inv_close_code,
	inv_code_placement,
	inv_reason,
	inv_release,
	inv_released_absorbing,
	inv_forward,
	inv_forward_close,
	inv_resume_rx,
	inv_shut_backend,
	inv_closing_entry,
	inv_close_sent_entry,
	inv_want_writeable,
	inv_action_event,
	inv_keepalive,
	inv_backend_fd,
	inv_backend_input,
	inv_client_input,
	inv_protocol_error,
};
#define NINVARIANTS	(sizeof(invariants) / sizeof(invariants[0]))

START_TEST(test_row_invariants)
{
	enum fsm_state	 st;
	enum fsm_event	 ev;
	struct fsm_step	 s;
	const char	*why;
	size_t		 k, n = 0;
	int		 nbad = 0;
	char		 msg[1024], b[512];

	s = row(_i, &st, &ev);
	msg[0] = '\0';
	for (k = 0; k < NINVARIANTS; k++) {
		if ((why = invariants[k](st, ev, s)) == NULL)
			continue;
		nbad++;
		n += snprintf(msg + n, n < sizeof(msg) ? sizeof(msg) - n : 0,
		    "%s%s", n > 0 ? "; " : "", why);
	}
	ck_assert_msg(nbad == 0, ROW_FMT "%s", ROW_ARGS(st, ev, s, b), msg);
}
END_TEST

/*
 * Names: a switch without default in fsm.c, so every value has one.
 */

START_TEST(test_state_name)
{
	const char	*n;
	int		 j;

	n = fsm_state_name((enum fsm_state)_i);
	ck_assert_msg(n != NULL && strcmp(n, "?") != 0,
	    "state %d has no name", _i);
	for (j = 0; j < _i; j++)
		ck_assert_msg(strcmp(n, fsm_state_name((enum fsm_state)j)),
		    "states %d and %d are both named %s", j, _i, n);
}
END_TEST

START_TEST(test_event_name)
{
	const char	*n;
	int		 j;

	n = fsm_event_name((enum fsm_event)_i);
	ck_assert_msg(n != NULL && strcmp(n, "?") != 0,
	    "event %d has no name", _i);
	for (j = 0; j < _i; j++)
		ck_assert_msg(strcmp(n, fsm_event_name((enum fsm_event)j)),
		    "events %d and %d are both named %s", j, _i, n);
}
END_TEST

START_TEST(test_action_name)
{
	const char	*n;
	int		 j;

	n = fsm_action_name(1u << _i);
	ck_assert_msg(n != NULL && strcmp(n, "?") != 0,
	    "action bit %d has no name", _i);
	for (j = 0; j < _i; j++)
		ck_assert_msg(strcmp(n, fsm_action_name(1u << j)),
		    "action bits %d and %d are both named %s", j, _i, n);
}
END_TEST

START_TEST(test_side_name)
{
	const char	*n;
	int		 j;

	n = fsm_side_name((enum fsm_side)_i);
	ck_assert_msg(n != NULL && strcmp(n, "?") != 0,
	    "side %d has no name", _i);
	for (j = 0; j < _i; j++)
		ck_assert_msg(strcmp(n, fsm_side_name((enum fsm_side)j)),
		    "sides %d and %d are both named %s", j, _i, n);
}
END_TEST

/* Sentinels and non-values are "?"; FSM_A__COUNT covers every bit. */
START_TEST(test_name_sentinels)
{
	ck_assert_str_eq(fsm_state_name(FSM_ST__COUNT), "?");
	ck_assert_str_eq(fsm_event_name(FSM_EV__COUNT), "?");
	ck_assert_str_eq(fsm_action_name(0), "?");
	ck_assert_str_eq(fsm_action_name(FWD_C | DROP_C), "?");
	ck_assert_str_eq(fsm_action_name(1u << FSM_A__COUNT), "?");
}
END_TEST

/* Every event has a side in event_side[] (the spec of inv_ended_by). */
START_TEST(test_event_side)
{
	ck_assert_msg(event_side[_i] != FSM_SIDE_NONE, "%s has no side in "
	    "check_fsm.c", fsm_event_name((enum fsm_event)_i));
}
END_TEST

/*
 * The event queue: an event's step runs its actions, each of which may
 * raise up to fsm_action_raises().count of its events, each run after
 * the step with the same rule, in any state.  queue_need(ev) is the most
 * events one dispatch of EV queues; it must be finite (no cycle) and fit
 * FSM_QUEUE_MAX.
 */
static int
queue_need(enum fsm_event ev, int depth)
{
	struct fsm_raise r;
	struct fsm_step	 s;
	unsigned int	 a;
	int		 st, e, worst = 0, sum, most, n;

	if (depth > FSM_EV__COUNT)
		return (1000);		/* a cycle: unbounded */
	for (st = 0; st < FSM_ST__COUNT; st++) {
		s = fsm_next((enum fsm_state)st, ev);
		sum = 0;
		for (a = 1; a <= FREE; a <<= 1) {
			if ((s.actions & a) == 0)
				continue;
			r = fsm_action_raises(a);
			most = 0;
			for (e = 0; e < FSM_EV__COUNT; e++)
				if (r.events & (UINT64_C(1) << e) &&
				    (n = 1 + queue_need((enum fsm_event)e,
				    depth + 1)) > most)
					most = n;
			sum += (int)r.count * most;
		}
		if (sum > worst)
			worst = sum;
	}
	return (worst);
}

START_TEST(test_queue_bound)
{
	int	 need = queue_need((enum fsm_event)_i, 0);

	ck_assert_msg(need <= FSM_QUEUE_MAX, "%s may queue %d events, "
	    "FSM_QUEUE_MAX is %d", fsm_event_name((enum fsm_event)_i), need,
	    FSM_QUEUE_MAX);
}
END_TEST

/* Only the actions that read or write a socket raise anything. */
START_TEST(test_raises)
{
	struct fsm_raise r = fsm_action_raises(1u << _i);
	unsigned int	 a = 1u << _i;

	if (a & (FWD_C | FWD_CLOSE | FWD_B | DROP_B | SHUT_B | ACCEPT))
		ck_assert_msg(r.events != 0 && r.count > 0, "%s raises "
		    "nothing", fsm_action_name(a));
	else
		ck_assert_msg(r.events == 0 && r.count == 0, "%s raises",
		    fsm_action_name(a));
}
END_TEST

/*
 * The caller runs a row's actions in bit order (fsm.h), so the order of
 * the bits is part of the table: a client's close message goes before
 * the EOF that follows it, and RELEASE is last of all.
 */
static const struct {
	unsigned int	 first;
	unsigned int	 then;
} action_order[] = {
	{ LOG_CLOSE,	FWD_CLOSE },	/* the code it forwards */
	{ FWD_CLOSE,	SHUT_B },
	{ FWD_CLOSE,	CLOSE_B },
	{ FWD_C,	SHUT_B },
	{ TRUNC,	SHUT_B },	/* no half message before EOF */
	{ SHUT_B,	CLOSE_B },
	{ CLOSE_B,	FREE },
};

START_TEST(test_action_order)
{
	char	 b1[64], b2[64];
	size_t	 k;

	for (k = 0; k < sizeof(action_order) / sizeof(action_order[0]); k++)
		ck_assert_msg(action_order[k].first < action_order[k].then,
		    "%s must run before %s",
		    acts(action_order[k].first, b1, sizeof(b1)),
		    acts(action_order[k].then, b2, sizeof(b2)));
	ck_assert_uint_eq(FREE, 1u << (FSM_A__COUNT - 1));
}
END_TEST

/*
 * The close codes and reasons the client sees (design.md's close table,
 * the "backend stalled"): wsgated(8) documents these texts.
 */
static const struct {
	enum fsm_state	 st;
	enum fsm_event	 ev;
	unsigned int	 code;
	const char	*reason;
} reasons[] = {
	{ FSM_ST_REFUSING, FSM_EV_ESTABLISHED, 1013, "backend unavailable" },
	{ FSM_ST_OPEN, FSM_EV_CLIENT_TOO_BIG, 1009, "message too big" },
	{ FSM_ST_OPEN, FSM_EV_CLIENT_UNACCEPTABLE, 1003,
	    "newline in message" },
	{ FSM_ST_OPEN, FSM_EV_BACKEND_EOF, 1000, NULL },
	{ FSM_ST_OPEN, FSM_EV_BACKEND_CLOSE, FSM_CODE_BACKEND, NULL },
	{ FSM_ST_OPEN, FSM_EV_BACKEND_TOO_BIG, 1009,
	    "backend message too big" },
	{ FSM_ST_OPEN, FSM_EV_BACKEND_BAD_FRAME, 1011,
	    "bad frame from backend" },
	{ FSM_ST_OPEN, FSM_EV_BACKEND_ERROR, 1011, "backend error" },
	{ FSM_ST_OPEN, FSM_EV_BACKEND_STALLED, 1011, "backend stalled" },
	{ FSM_ST_OPEN, FSM_EV_IDLE_TIMEOUT, 1001, "idle timeout" },
	{ FSM_ST_OPEN, FSM_EV_SEND_TIMEOUT, 1008, "slow consumer" },
	{ FSM_ST_OPEN, FSM_EV_DRAIN, 1001, "server shutting down" },
};

START_TEST(test_close_reason)
{
	struct fsm_step	 s;

	s = fsm_next(reasons[_i].st, reasons[_i].ev);
	ck_assert_msg(s.close_code == reasons[_i].code, "%s + %s: code %u, "
	    "expected %u", fsm_state_name(reasons[_i].st),
	    fsm_event_name(reasons[_i].ev), (unsigned int)s.close_code,
	    reasons[_i].code);
	if (reasons[_i].reason == NULL)
		ck_assert_ptr_null(s.reason);
	else {
		ck_assert_ptr_nonnull(s.reason);
		ck_assert_str_eq(s.reason, reasons[_i].reason);
	}
}
END_TEST

/* The HTTP refusals of a held handshake (wsgated(8) lists them). */
static const struct {
	enum fsm_state	 st;
	enum fsm_event	 ev;
	unsigned int	 status;
	const char	*reason;
} refusals[] = {
	{ FSM_ST_CONNECTING, FSM_EV_BACKEND_ERROR, 502, "backend unavailable" },
	{ FSM_ST_CONNECTING, FSM_EV_CONNECT_TIMEOUT, 504,
	    "backend timed out" },
	{ FSM_ST_ACCEPTING, FSM_EV_BACKEND_ERROR, 502, "backend unavailable" },
};

START_TEST(test_http_refusal)
{
	struct fsm_step	 s;

	s = fsm_next(refusals[_i].st, refusals[_i].ev);
	ck_assert_uint_eq(s.http_status, refusals[_i].status);
	ck_assert_uint_eq(s.close_code, 0);
	ck_assert_ptr_nonnull(s.reason);
	ck_assert_str_eq(s.reason, refusals[_i].reason);
	ck_assert_int_eq(s.next, FSM_ST_REJECTING);
}
END_TEST

/*
 * Termination.
 */

/* The world goes away, in each order: no state may outlive it. */
static const enum fsm_event world_gone[][3] = {
	{ FSM_EV_CLOSE_TIMEOUT, FSM_EV_CLIENT_GONE, FSM_EV_BACKEND_ERROR },
	{ FSM_EV_CLOSE_TIMEOUT, FSM_EV_BACKEND_ERROR, FSM_EV_CLIENT_GONE },
	{ FSM_EV_CLIENT_GONE, FSM_EV_CLOSE_TIMEOUT, FSM_EV_BACKEND_ERROR },
	{ FSM_EV_CLIENT_GONE, FSM_EV_BACKEND_ERROR, FSM_EV_CLOSE_TIMEOUT },
	{ FSM_EV_BACKEND_ERROR, FSM_EV_CLOSE_TIMEOUT, FSM_EV_CLIENT_GONE },
	{ FSM_EV_BACKEND_ERROR, FSM_EV_CLIENT_GONE, FSM_EV_CLOSE_TIMEOUT },
};
#define NORDERS		(int)(sizeof(world_gone) / sizeof(world_gone[0]))
#define TERM_BOUND	10

START_TEST(test_world_gone)
{
	enum fsm_state	 start, st;
	const enum fsm_event *ord;
	int		 j, k;

	start = (enum fsm_state)_i;
	for (j = 0; j < NORDERS; j++) {
		ord = world_gone[j];
		st = start;
		for (k = 0; k < TERM_BOUND && st != FSM_ST_RELEASED; k++)
			st = fsm_next(st, ord[k % 3]).next;
		ck_assert_msg(st == FSM_ST_RELEASED,
		    "from %s, %s/%s/%s repeated: still %s after %d steps",
		    fsm_state_name(start), fsm_event_name(ord[0]),
		    fsm_event_name(ord[1]), fsm_event_name(ord[2]),
		    fsm_state_name(st), TERM_BOUND);
	}
}
END_TEST

/* States reachable from SEEDS (a bit set) over every event. */
static unsigned int
reach(unsigned int seeds)
{
	enum fsm_state	 q[FSM_ST__COUNT], st, nx;
	unsigned int	 seen = seeds;
	int		 head = 0, tail = 0, e;

	for (st = 0; st < FSM_ST__COUNT; st++)
		if (seeds & (1u << st))
			q[tail++] = st;
	while (head < tail) {
		st = q[head++];
		for (e = 0; e < FSM_EV__COUNT; e++) {
			nx = fsm_next(st, (enum fsm_event)e).next;
			if (seen & (1u << nx))
				continue;
			seen |= 1u << nx;
			q[tail++] = nx;
		}
	}
	return (seen);
}

#define STARTS	(1u << FSM_ST_START)

START_TEST(test_all_states_reachable)
{
	unsigned int	 seen;
	int		 st;

	seen = reach(STARTS);
	for (st = 0; st < FSM_ST__COUNT; st++)
		ck_assert_msg(seen & (1u << st),
		    "%s cannot be reached from START",
		    fsm_state_name((enum fsm_state)st));
}
END_TEST

START_TEST(test_all_states_end)
{
	unsigned int	 seen;
	int		 st;

	seen = reach(STARTS);
	for (st = 0; st < FSM_ST__COUNT; st++) {
		if ((seen & (1u << st)) == 0)
			continue;
		ck_assert_msg(reach(1u << st) & (1u << FSM_ST_RELEASED),
		    "%s is reachable but can never reach RELEASED",
		    fsm_state_name((enum fsm_state)st));
	}
}
END_TEST

/*
 * After the client closed or left, nothing is written to it and nothing
 * more of it is forwarded; and close_timeout alone ends the session, so a
 * backend that never answers cannot keep it.
 */
START_TEST(test_after_client_gone)
{
	unsigned int	 seeds = 0, seen;
	struct fsm_step	 s;
	enum fsm_state	 st, t;
	int		 e, k;
	char		 b[512];

	for (st = 0; st < FSM_ST__COUNT; st++) {
		seeds |= 1u << fsm_next(st, FSM_EV_CLIENT_GONE).next;
		if (!impossible(st, FSM_EV_CLIENT_CLOSE))
			seeds |= 1u << fsm_next(st, FSM_EV_CLIENT_CLOSE).next;
	}
	seen = reach(seeds);
	for (st = 0; st < FSM_ST__COUNT; st++) {
		if ((seen & (1u << st)) == 0)
			continue;
		for (e = 0; e < FSM_EV__COUNT; e++) {
			s = fsm_next(st, (enum fsm_event)e);
			ck_assert_msg((s.actions & (CLOSE | FWD_C)) == 0 &&
			    s.close_code == 0,
			    ROW_FMT "sends a close or forwards client data "
			    "after the client left",
			    ROW_ARGS(st, (enum fsm_event)e, s, b));
		}
		for (t = st, k = 0; k < 2 && t != FSM_ST_RELEASED; k++)
			t = fsm_next(t, FSM_EV_CLOSE_TIMEOUT).next;
		ck_assert_msg(t == FSM_ST_RELEASED,
		    "client gone, in %s: CLOSE_TIMEOUT does not end the "
		    "session (still %s)", fsm_state_name(st),
		    fsm_state_name(t));
	}
}
END_TEST

/*
 * Scenario walks, as data: each row of design.md's close table that the
 * machine decides (the HTTP refusals happen before a session exists).  A
 * step is the event, then the exact next state, action set and close code,
 * and whether a reason must come with the code.  libwebsockets' own 1002 /
 * 1007 closes reach the machine as CLIENT_GONE, as a TCP drop does.
 * FSM_CODE_BACKEND as a code: the backend's own, from its close message.
 */
struct walk_step {
	enum fsm_event	 ev;
	enum fsm_state	 next;
	unsigned int	 actions;
	unsigned int	 code;
	int		 reason;	/* 1: non-NULL reason, 0: NULL */
};

#define WALK_MAX	12
struct walk {
	const char	*name;
	enum fsm_state	 start;
	struct walk_step steps[WALK_MAX];
};

#define S(e, n, a, c, r)	{ FSM_EV_##e, FSM_ST_##n, (a), (c), (r) }
#define END			{ FSM_EV__COUNT, FSM_ST__COUNT, 0, 0, 0 }
#define OPENED			S(ESTABLISHED, OPEN, T_IDLE | T_PING | WW, 0, 0)

static const struct walk walks[] = {
	{ "client sends close", FSM_ST_HANDSHAKE, {
		OPENED,
		S(CLIENT_DATA, OPEN, FWD_C, 0, 0),
		S(CLIENT_CLOSE, SHUTTING,
		    LOG_CLOSE | FWD_CLOSE | DROP_B | SHUT_B | T_CLOSE,
		    FSM_CODE_CLIENT, 0),
		S(CLIENT_GONE, SHUTTING, 0, 0, 0),
		S(BACKEND_WR_CLOSED, LINGER, 0, 0, 0),
		S(BACKEND_READABLE, LINGER, DROP_B, 0, 0),
		S(BACKEND_EOF, RELEASED, CLOSE_B | FREE, 0, 0),
		END } },
	{ "client TCP drops", FSM_ST_HANDSHAKE, {
		OPENED,
		S(CLIENT_DATA, OPEN, FWD_C, 0, 0),
		S(CLIENT_GONE, SHUTTING, DROP_B | SHUT_B | T_CLOSE, 0, 0),
		S(BACKEND_READABLE, SHUTTING, DROP_B, 0, 0),
		S(BACKEND_WR_CLOSED, LINGER, 0, 0, 0),
		S(BACKEND_EOF, RELEASED, CLOSE_B | FREE, 0, 0),
		END } },
	{ "client drops, backend EOF before ours", FSM_ST_HANDSHAKE, {
		OPENED,
		S(CLIENT_GONE, SHUTTING, DROP_B | SHUT_B | T_CLOSE, 0, 0),
		S(BACKEND_EOF, FLUSHING, 0, 0, 0),
		S(BACKEND_READABLE, FLUSHING, 0, 0, 0),
		S(BACKEND_WR_CLOSED, RELEASED, CLOSE_B | FREE, 0, 0),
		END } },
	{ "client gone, backend never answers", FSM_ST_OPEN, {
		S(CLIENT_GONE, SHUTTING, DROP_B | SHUT_B | T_CLOSE, 0, 0),
		S(BACKEND_WR_CLOSED, LINGER, 0, 0, 0),
		S(CLOSE_TIMEOUT, RELEASED, CLOSE_B | FREE, 0, 0),
		END } },
	{ "backend orderly EOF", FSM_ST_HANDSHAKE, {
		OPENED,
		S(BACKEND_READABLE, OPEN, WW | T_SEND, 0, 0),
		S(CLIENT_WRITEABLE, OPEN, FWD_B | SEND_OK, 0, 0),
		S(BACKEND_EOF, CLOSING_EOF, RX_ON | WW | T_CLOSE, 1000, 0),
		S(CLIENT_DATA, CLOSING_EOF, DROP_C, 0, 0),
		S(CLIENT_WRITEABLE, CLOSE_SENT_EOF, CLOSE | T_CLOSE, 0, 0),
		S(CLIENT_WRITEABLE, CLOSE_SENT_EOF, 0, 0, 0),
		S(CLIENT_CLOSE, FLUSHING, LOG_CLOSE | FWD_CLOSE | SHUT_B | T_CLOSE,
		    0, 0),
		S(BACKEND_WR_CLOSED, RELEASED, CLOSE_B | FREE, 0, 0),
		END } },
	{ "backend reset / I/O error", FSM_ST_HANDSHAKE, {
		OPENED,
		S(BACKEND_ERROR, CLOSING_DEAD, RX_ON | CLOSE_B | WW | T_CLOSE,
		    1011, 1),
		S(BACKEND_READABLE, CLOSING_DEAD, 0, 0, 0),
		S(CLIENT_DATA, CLOSING_DEAD, DROP_C, 0, 0),
		S(CLIENT_WRITEABLE, CLOSE_SENT_DEAD, CLOSE | T_CLOSE, 0, 0),
		S(CLIENT_GONE, RELEASED, FREE, 0, 0),
		END } },
	{ "backend error, client answers the close", FSM_ST_OPEN, {
		S(BACKEND_ERROR, CLOSING_DEAD, RX_ON | CLOSE_B | WW | T_CLOSE,
		    1011, 1),
		S(CLIENT_WRITEABLE, CLOSE_SENT_DEAD, CLOSE | T_CLOSE, 0, 0),
		S(CLIENT_CLOSE, RELEASED, LOG_CLOSE | FREE, 0, 0),
		S(CLIENT_GONE, RELEASED, 0, 0, 0),
		END } },
	{ "client message too big", FSM_ST_OPEN, {
		S(CLIENT_DATA, OPEN, FWD_C, 0, 0),
		S(CLIENT_TOO_BIG, CLOSING, TRUNC | RX_ON | DROP_B | WW | T_CLOSE,
		    1009, 1),
		S(CLIENT_DATA, CLOSING, DROP_C, 0, 0),
		S(CLIENT_TOO_BIG, CLOSING, DROP_C, 0, 0),
		S(BACKEND_READABLE, CLOSING, DROP_B, 0, 0),
		S(CLIENT_WRITEABLE, CLOSE_SENT, CLOSE | T_CLOSE, 0, 0),
		S(CLIENT_DATA, CLOSE_SENT, DROP_C, 0, 0),
		S(CLIENT_CLOSE, SHUTTING,
		    LOG_CLOSE | FWD_CLOSE | SHUT_B | T_CLOSE, 0, 0),
		S(BACKEND_WR_CLOSED, LINGER, 0, 0, 0),
		S(BACKEND_EOF, RELEASED, CLOSE_B | FREE, 0, 0),
		END } },
	{ "idle timeout", FSM_ST_OPEN, {
		S(IDLE_TIMEOUT, CLOSING, RX_ON | DROP_B | WW | T_CLOSE, 1001, 1),
		S(IDLE_TIMEOUT, CLOSING, 0, 0, 0),
		S(CLIENT_WRITEABLE, CLOSE_SENT, CLOSE | T_CLOSE, 0, 0),
		S(CLIENT_CLOSE, SHUTTING,
		    LOG_CLOSE | FWD_CLOSE | SHUT_B | T_CLOSE, 0, 0),
		S(BACKEND_EOF, FLUSHING, 0, 0, 0),
		S(BACKEND_WR_CLOSED, RELEASED, CLOSE_B | FREE, 0, 0),
		END } },
	{ "server drains", FSM_ST_OPEN, {
		S(DRAIN, CLOSING, RX_ON | DROP_B | WW | T_CLOSE, 1001, 1),
		S(DRAIN, CLOSING, 0, 0, 0),
		S(CLIENT_WRITEABLE, CLOSE_SENT, CLOSE | T_CLOSE, 0, 0),
		S(CLIENT_GONE, SHUTTING, SHUT_B | T_CLOSE, 0, 0),
		S(BACKEND_WR_CLOSED, LINGER, 0, 0, 0),
		S(CLOSE_TIMEOUT, RELEASED, CLOSE_B | FREE, 0, 0),
		END } },
	{ "server drains with drain_spread: 1001 at its turn", FSM_ST_OPEN, {
		S(DRAIN_SPREAD, OPEN, T_DRAIN, 0, 0),
		S(CLIENT_DATA, OPEN, FWD_C, 0, 0),
		S(DRAIN, CLOSING, RX_ON | DROP_B | WW | T_CLOSE, 1001, 1),
		S(DRAIN_SPREAD, CLOSING, 0, 0, 0),
		S(CLIENT_WRITEABLE, CLOSE_SENT, CLOSE | T_CLOSE, 0, 0),
		S(CLIENT_CLOSE, SHUTTING,
		    LOG_CLOSE | FWD_CLOSE | SHUT_B | T_CLOSE, 0, 0),
		S(BACKEND_WR_CLOSED, LINGER, 0, 0, 0),
		S(BACKEND_EOF, RELEASED, CLOSE_B | FREE, 0, 0),
		END } },
	{ "a spread drain during the handshake waits for OPEN",
	    FSM_ST_HANDSHAKE, {
		S(DRAIN_SPREAD, HANDSHAKE, T_DRAIN, 0, 0),
		OPENED,
		S(DRAIN, CLOSING, RX_ON | DROP_B | WW | T_CLOSE, 1001, 1),
		END } },
	{ "ping answered, then not", FSM_ST_OPEN, {
		S(PING_DUE, OPEN, PING | WW | T_PONG, 0, 0),
		S(PONG, OPEN, PONG_OK | T_PING, 0, 0),
		S(PING_DUE, OPEN, PING | WW | T_PONG, 0, 0),
		S(PONG_TIMEOUT, CLOSE_SENT, DROP_B | KILL | T_CLOSE, 0, 0),
		S(CLIENT_WRITEABLE, CLOSE_SENT, 0, 0, 0),
		S(CLIENT_GONE, SHUTTING, SHUT_B | T_CLOSE, 0, 0),
		S(BACKEND_WR_CLOSED, LINGER, 0, 0, 0),
		S(BACKEND_EOF, RELEASED, CLOSE_B | FREE, 0, 0),
		END } },
	{ "close never answered", FSM_ST_OPEN, {
		S(BACKEND_EOF, CLOSING_EOF, RX_ON | WW | T_CLOSE, 1000, 0),
		S(CLIENT_WRITEABLE, CLOSE_SENT_EOF, CLOSE | T_CLOSE, 0, 0),
		S(CLOSE_TIMEOUT, CLOSE_SENT_EOF, KILL | T_CLOSE, 0, 0),
		S(CLIENT_GONE, FLUSHING, SHUT_B | T_CLOSE, 0, 0),
		S(BACKEND_WR_CLOSED, RELEASED, CLOSE_B | FREE, 0, 0),
		END } },
	{ "close never answered, backend open", FSM_ST_OPEN, {
		S(IDLE_TIMEOUT, CLOSING, RX_ON | DROP_B | WW | T_CLOSE, 1001, 1),
		S(CLIENT_WRITEABLE, CLOSE_SENT, CLOSE | T_CLOSE, 0, 0),
		S(CLOSE_TIMEOUT, CLOSE_SENT, KILL | T_CLOSE, 0, 0),
		S(CLIENT_GONE, SHUTTING, SHUT_B | T_CLOSE, 0, 0),
		S(BACKEND_ERROR, RELEASED, CLOSE_B | FREE, 0, 0),
		END } },
	{ "client never writeable", FSM_ST_OPEN, {
		S(DRAIN, CLOSING, RX_ON | DROP_B | WW | T_CLOSE, 1001, 1),
		S(CLOSE_TIMEOUT, CLOSE_SENT, KILL | T_CLOSE, 0, 0),
		S(CLIENT_WRITEABLE, CLOSE_SENT, 0, 0, 0),
		S(CLIENT_GONE, SHUTTING, SHUT_B | T_CLOSE, 0, 0),
		S(BACKEND_WR_CLOSED, LINGER, 0, 0, 0),
		S(BACKEND_EOF, RELEASED, CLOSE_B | FREE, 0, 0),
		END } },
	{ "slow consumer", FSM_ST_OPEN, {
		S(BACKEND_READABLE, OPEN, WW | T_SEND, 0, 0),
		S(BACKEND_READABLE, OPEN, WW | T_SEND, 0, 0),
		S(SEND_TIMEOUT, CLOSING, RX_ON | DROP_B | WW | T_CLOSE, 1008, 1),
		S(CLOSE_TIMEOUT, CLOSE_SENT, KILL | T_CLOSE, 0, 0),
		S(CLIENT_GONE, SHUTTING, SHUT_B | T_CLOSE, 0, 0),
		S(BACKEND_WR_CLOSED, LINGER, 0, 0, 0),
		S(BACKEND_EOF, RELEASED, CLOSE_B | FREE, 0, 0),
		END } },
	{ "backend close message (length, seqpacket)", FSM_ST_HANDSHAKE, {
		OPENED,
		S(BACKEND_READABLE, OPEN, WW | T_SEND, 0, 0),
		S(CLIENT_WRITEABLE, OPEN, FWD_B | SEND_OK, 0, 0),
		S(BACKEND_CLOSE, CLOSING_EOF, RX_ON | WW | T_CLOSE,
		    FSM_CODE_BACKEND, 0),
		S(BACKEND_READABLE, CLOSING_EOF, 0, 0, 0),
		S(CLIENT_DATA, CLOSING_EOF, DROP_C, 0, 0),
		S(CLIENT_WRITEABLE, CLOSE_SENT_EOF, CLOSE | T_CLOSE, 0, 0),
		/* The client's answer reaches the backend, which still reads. */
		S(CLIENT_CLOSE, FLUSHING, LOG_CLOSE | FWD_CLOSE | SHUT_B | T_CLOSE,
		    0, 0),
		S(BACKEND_WR_CLOSED, RELEASED, CLOSE_B | FREE, 0, 0),
		END } },
	{ "backend close message, client never answers", FSM_ST_OPEN, {
		S(BACKEND_CLOSE, CLOSING_EOF, RX_ON | WW | T_CLOSE,
		    FSM_CODE_BACKEND, 0),
		S(CLIENT_WRITEABLE, CLOSE_SENT_EOF, CLOSE | T_CLOSE, 0, 0),
		S(CLOSE_TIMEOUT, CLOSE_SENT_EOF, KILL | T_CLOSE, 0, 0),
		S(CLIENT_GONE, FLUSHING, SHUT_B | T_CLOSE, 0, 0),
		S(CLOSE_TIMEOUT, RELEASED, CLOSE_B | FREE, 0, 0),
		END } },
	{ "backend message too big", FSM_ST_OPEN, {
		S(BACKEND_TOO_BIG, CLOSING_DEAD, RX_ON | CLOSE_B | WW | T_CLOSE,
		    1009, 1),
		S(BACKEND_READABLE, CLOSING_DEAD, 0, 0, 0),
		S(CLIENT_WRITEABLE, CLOSE_SENT_DEAD, CLOSE | T_CLOSE, 0, 0),
		S(CLIENT_CLOSE, RELEASED, LOG_CLOSE | FREE, 0, 0),
		END } },
	{ "bad frame from the backend", FSM_ST_OPEN, {
		S(CLIENT_DATA, OPEN, FWD_C, 0, 0),
		S(BACKEND_BAD_FRAME, CLOSING_DEAD,
		    RX_ON | CLOSE_B | WW | T_CLOSE, 1011, 1),
		S(BACKEND_BAD_FRAME, CLOSING_DEAD, 0, 0, 0),
		S(CLIENT_DATA, CLOSING_DEAD, DROP_C, 0, 0),
		S(CLIENT_WRITEABLE, CLOSE_SENT_DEAD, CLOSE | T_CLOSE, 0, 0),
		S(CLOSE_TIMEOUT, CLOSE_SENT_DEAD, KILL | T_CLOSE, 0, 0),
		S(CLIENT_GONE, RELEASED, FREE, 0, 0),
		END } },
	{ "lines: a newline in a client message", FSM_ST_OPEN, {
		S(CLIENT_DATA, OPEN, FWD_C, 0, 0),
		S(CLIENT_UNACCEPTABLE, CLOSING,
		    TRUNC | RX_ON | DROP_B | WW | T_CLOSE, 1003, 1),
		S(CLIENT_UNACCEPTABLE, CLOSING, DROP_C, 0, 0),
		S(CLIENT_WRITEABLE, CLOSE_SENT, CLOSE | T_CLOSE, 0, 0),
		S(CLIENT_UNACCEPTABLE, CLOSE_SENT, DROP_C, 0, 0),
		S(CLIENT_CLOSE, SHUTTING,
		    LOG_CLOSE | FWD_CLOSE | SHUT_B | T_CLOSE, 0, 0),
		S(BACKEND_WR_CLOSED, LINGER, 0, 0, 0),
		S(BACKEND_EOF, RELEASED, CLOSE_B | FREE, 0, 0),
		END } },
	{ "backend stalled while the client is paused", FSM_ST_OPEN, {
		S(CLIENT_DATA, OPEN, FWD_C, 0, 0),
		S(BACKEND_STALLED, CLOSING_DEAD,
		    RX_ON | CLOSE_B | WW | T_CLOSE, 1011, 1),
		S(BACKEND_STALLED, CLOSING_DEAD, 0, 0, 0),
		S(CLIENT_DATA, CLOSING_DEAD, DROP_C, 0, 0),
		S(CLIENT_WRITEABLE, CLOSE_SENT_DEAD, CLOSE | T_CLOSE, 0, 0),
		S(CLIENT_CLOSE, RELEASED, LOG_CLOSE | FREE, 0, 0),
		END } },
	{ "client closes while we close, before ours is out", FSM_ST_OPEN, {
		S(IDLE_TIMEOUT, CLOSING, RX_ON | DROP_B | WW | T_CLOSE, 1001, 1),
		/* lws echoes the client's code: that is the one sent. */
		S(CLIENT_CLOSE, SHUTTING,
		    LOG_CLOSE | FWD_CLOSE | SHUT_B | T_CLOSE, FSM_CODE_CLIENT, 0),
		S(CLIENT_WRITEABLE, SHUTTING, 0, 0, 0),
		S(BACKEND_EOF, FLUSHING, 0, 0, 0),
		S(BACKEND_WR_CLOSED, RELEASED, CLOSE_B | FREE, 0, 0),
		END } },
	{ "a client that reads in time stops the send timer", FSM_ST_OPEN, {
		S(BACKEND_READABLE, OPEN, WW | T_SEND, 0, 0),
		S(CLIENT_WRITEABLE, OPEN, FWD_B | SEND_OK, 0, 0),
		END } },
	{ "backend data for an idle client goes out at once", FSM_ST_OPEN, {
		S(BACKEND_READABLE_CLIENT_READY, OPEN, FWD_B | SEND_OK, 0, 0),
		S(BACKEND_READABLE_CLIENT_READY, OPEN, FWD_B | SEND_OK, 0, 0),
		S(BACKEND_READABLE, OPEN, WW | T_SEND, 0, 0),
		S(CLIENT_WRITEABLE, OPEN, FWD_B | SEND_OK, 0, 0),
		S(BACKEND_EOF, CLOSING_EOF, RX_ON | WW | T_CLOSE, 1000, 0),
		S(BACKEND_READABLE_CLIENT_READY, CLOSING_EOF, 0, 0, 0),
		S(CLIENT_WRITEABLE, CLOSE_SENT_EOF, CLOSE | T_CLOSE, 0, 0),
		S(CLIENT_CLOSE, FLUSHING, LOG_CLOSE | FWD_CLOSE | SHUT_B | T_CLOSE,
		    0, 0),
		S(BACKEND_WR_CLOSED, RELEASED, CLOSE_B | FREE, 0, 0),
		END } },
	{ "idle client, the session closing: drained, not sent",
	    FSM_ST_OPEN, {
		S(IDLE_TIMEOUT, CLOSING, RX_ON | DROP_B | WW | T_CLOSE, 1001, 1),
		S(BACKEND_READABLE_CLIENT_READY, CLOSING, DROP_B, 0, 0),
		S(CLIENT_GONE, SHUTTING, SHUT_B | T_CLOSE, 0, 0),
		S(BACKEND_READABLE_CLIENT_READY, SHUTTING, DROP_B, 0, 0),
		S(BACKEND_WR_CLOSED, LINGER, 0, 0, 0),
		S(BACKEND_READABLE_CLIENT_READY, LINGER, DROP_B, 0, 0),
		S(BACKEND_EOF, RELEASED, CLOSE_B | FREE, 0, 0),
		END } },
	{ "protocol error: lws's own close frame, then nothing", FSM_ST_OPEN, {
		S(CLIENT_DATA, OPEN, FWD_C, 0, 0),
		S(CLIENT_PROTOCOL_ERROR, SHUTTING, DROP_B | SHUT_B | T_CLOSE,
		    FSM_CODE_LWS, 0),
		S(BACKEND_READABLE_CLIENT_READY, SHUTTING, DROP_B, 0, 0),
		S(CLIENT_WRITEABLE, SHUTTING, 0, 0, 0),
		S(BACKEND_WR_CLOSED, LINGER, 0, 0, 0),
		S(CLIENT_GONE, LINGER, 0, 0, 0),
		S(BACKEND_EOF, RELEASED, CLOSE_B | FREE, 0, 0),
		END } },
	{ "protocol error while our close waits: ours never goes",
	    FSM_ST_OPEN, {
		S(BACKEND_ERROR, CLOSING_DEAD, RX_ON | CLOSE_B | WW | T_CLOSE,
		    1011, 1),
		S(CLIENT_PROTOCOL_ERROR, RELEASED, FREE, FSM_CODE_LWS, 0),
		S(CLIENT_GONE, RELEASED, 0, 0, 0),
		END } },
	{ "on_backend_down = close", FSM_ST_REFUSING, {
		S(ESTABLISHED, CLOSING_DEAD, WW | T_CLOSE, 1013, 1),
		S(CLIENT_DATA, CLOSING_DEAD, DROP_C, 0, 0),
		S(CLIENT_WRITEABLE, CLOSE_SENT_DEAD, CLOSE | T_CLOSE, 0, 0),
		S(CLIENT_GONE, RELEASED, FREE, 0, 0),
		END } },
	{ "on_backend_down = close, client leaves first", FSM_ST_REFUSING, {
		S(CLIENT_GONE, RELEASED, FREE, 0, 0),
		END } },
	{ "handshake abandoned", FSM_ST_HANDSHAKE, {
		S(BACKEND_READABLE, HANDSHAKE, 0, 0, 0),
		S(CLIENT_GONE, RELEASED, CLOSE_B | FREE, 0, 0),
		END } },
	{ "drain during the handshake", FSM_ST_HANDSHAKE, {
		S(DRAIN, CLOSE_SENT_DEAD, KILL | CLOSE_B | T_CLOSE, 0, 0),
		S(CLIENT_GONE, RELEASED, FREE, 0, 0),
		END } },
	{ "the backend's fate picks the first state", FSM_ST_START, {
		S(BACKEND_UP, HANDSHAKE, 0, 0, 0),
		OPENED,
		END } },
	{ "TCP: the connect completes, then 101", FSM_ST_START, {
		S(BACKEND_CONNECTING, CONNECTING, T_CONNECT, 0, 0),
		S(CLIENT_WRITEABLE, CONNECTING, 0, 0, 0),
		S(BACKEND_UP, ACCEPTING, WW, 0, 0),
		S(BACKEND_READABLE, ACCEPTING, 0, 0, 0),
		S(CLIENT_WRITEABLE, HANDSHAKE, ACCEPT, 0, 0),
		OPENED,
		S(CONNECT_TIMEOUT, OPEN, 0, 0, 0),
		END } },
	{ "TCP: the connect is refused: 502", FSM_ST_START, {
		S(BACKEND_CONNECTING, CONNECTING, T_CONNECT, 0, 0),
		S(BACKEND_ERROR, REJECTING, CLOSE_B | WW | T_CLOSE, 0, 1),
		S(CONNECT_TIMEOUT, REJECTING, 0, 0, 0),
		S(CLIENT_WRITEABLE, RELEASED, REFUSE | FREE, 0, 0),
		END } },
	{ "TCP: the connect times out: 504", FSM_ST_START, {
		S(BACKEND_CONNECTING, CONNECTING, T_CONNECT, 0, 0),
		S(CONNECT_TIMEOUT, REJECTING, CLOSE_B | WW | T_CLOSE, 0, 1),
		S(CLOSE_TIMEOUT, CLOSE_SENT_DEAD, KILL | T_CLOSE, 0, 0),
		S(CLIENT_GONE, RELEASED, FREE, 0, 0),
		END } },
	{ "TCP: the connect fails, on_backend_down = close", FSM_ST_START, {
		S(BACKEND_CONNECTING, CONNECTING, T_CONNECT, 0, 0),
		S(BACKEND_DOWN, ACCEPTING_DOWN, CLOSE_B | WW, 0, 0),
		S(CLIENT_WRITEABLE, REFUSING, ACCEPT, 0, 0),
		S(ESTABLISHED, CLOSING_DEAD, WW | T_CLOSE, 1013, 1),
		END } },
	{ "TCP: the client leaves while the connect is under way",
	    FSM_ST_START, {
		S(BACKEND_CONNECTING, CONNECTING, T_CONNECT, 0, 0),
		S(CLIENT_GONE, RELEASED, CLOSE_B | FREE, 0, 0),
		END } },
	{ "TCP: a drain while the connect is under way", FSM_ST_START, {
		S(BACKEND_CONNECTING, CONNECTING, T_CONNECT, 0, 0),
		S(DRAIN, CLOSE_SENT_DEAD, KILL | CLOSE_B | T_CLOSE, 0, 0),
		S(CLIENT_GONE, RELEASED, FREE, 0, 0),
		END } },
	{ "no backend: refusing from the start", FSM_ST_START, {
		S(BACKEND_DOWN, REFUSING, 0, 0, 0),
		S(ESTABLISHED, CLOSING_DEAD, WW | T_CLOSE, 1013, 1),
		END } },
	{ "backend EOF, then the client's own close reaches it",
	    FSM_ST_OPEN, {
		S(BACKEND_EOF, CLOSING_EOF, RX_ON | WW | T_CLOSE, 1000, 0),
		S(CLIENT_CLOSE, FLUSHING,
		    LOG_CLOSE | FWD_CLOSE | SHUT_B | T_CLOSE, FSM_CODE_CLIENT, 0),
		S(CLIENT_WRITEABLE, FLUSHING, 0, 0, 0),
		S(BACKEND_WR_CLOSED, RELEASED, CLOSE_B | FREE, 0, 0),
		END } },
	{ "a write to the client fails", FSM_ST_OPEN, {
		S(BACKEND_READABLE_CLIENT_READY, OPEN, FWD_B | SEND_OK, 0, 0),
		S(CLIENT_WRITE_ERROR, CLOSE_SENT,
		    DROP_B | KILL | T_CLOSE, 0, 0),
		S(CLIENT_GONE, SHUTTING, SHUT_B | T_CLOSE, 0, 0),
		S(BACKEND_WR_CLOSED, LINGER, 0, 0, 0),
		S(BACKEND_EOF, RELEASED, CLOSE_B | FREE, 0, 0),
		END } },
	{ "the client reads slower than the backend writes", FSM_ST_OPEN, {
		S(BACKEND_READABLE, OPEN, WW | T_SEND, 0, 0),
		S(CLIENT_WRITEABLE, OPEN, FWD_B | SEND_OK, 0, 0),
		S(CLIENT_BEHIND, OPEN, WW | T_SEND_AGAIN, 0, 0),
		S(CLIENT_WRITEABLE, OPEN, FWD_B | SEND_OK, 0, 0),
		S(BACKEND_READABLE, OPEN, WW | T_SEND, 0, 0),
		S(SEND_TIMEOUT, CLOSING, RX_ON | DROP_B | WW | T_CLOSE, 1008, 1),
		END } },
	{ "a full backend queue pauses the client until there is room",
	    FSM_ST_OPEN, {
		S(CLIENT_DATA, OPEN, FWD_C, 0, 0),
		S(BACKEND_QUEUE_FULL, OPEN, RX_OFF | T_STALL, 0, 0),
		S(BACKEND_PROGRESS, OPEN, T_STALL, 0, 0),
		S(BACKEND_QUEUE_ROOM, OPEN, RX_ON, 0, 0),
		S(CLIENT_DATA, OPEN, FWD_C, 0, 0),
		S(BACKEND_QUEUE_FULL, OPEN, RX_OFF | T_STALL, 0, 0),
		S(BACKEND_STALLED, CLOSING_DEAD,
		    RX_ON | CLOSE_B | WW | T_CLOSE, 1011, 1),
		S(BACKEND_QUEUE_ROOM, CLOSING_DEAD, 0, 0, 0),
		END } },
};
#define NWALKS		(int)(sizeof(walks) / sizeof(walks[0]))

START_TEST(test_walk)
{
	const struct walk	*w = &walks[_i];
	const struct walk_step	*x;
	struct fsm_step		 s;
	enum fsm_state		 st;
	int			 k;
	char			 b[512], bw[512];

	st = w->start;
	for (k = 0; k < WALK_MAX; k++) {
		x = &w->steps[k];
		if (x->ev == FSM_EV__COUNT)
			break;
		s = fsm_next(st, x->ev);
		ck_assert_msg(s.defined && s.next == x->next &&
		    s.actions == x->actions && s.close_code == x->code &&
		    (s.reason != NULL) == (x->reason != 0),
		    "%s, step %d: %s + %s -> %s [%s] code %u reason %s; "
		    "expected %s [%s] code %u reason %s", w->name, k + 1,
		    fsm_state_name(st), fsm_event_name(x->ev),
		    fsm_state_name(s.next), acts(s.actions, b, sizeof(b)),
		    (unsigned int)s.close_code, s.reason ? s.reason : "none",
		    fsm_state_name(x->next), acts(x->actions, bw, sizeof(bw)),
		    x->code, x->reason ? "any" : "none");
		st = s.next;
	}
	ck_assert_msg(k < WALK_MAX, "%s: no END in the walk", w->name);
}
END_TEST

/*
 * Once per session.  Breadth-first search over (state, history) where the
 * history is the set of flags below; this covers every event sequence of
 * any length, since the flags are all a check below depends on.
 */
#define F_BACKEND	0x01	/* a backend connection was made */
#define F_SENT		0x02	/* a close frame went out */
#define F_DROPPED	0x04	/* the client's TCP was dropped */
#define F_SHUT		0x08	/* SHUT_WR toward the backend */
#define F_BCLOSED	0x10	/* the backend fd was closed */
#define F_CDONE		0x20	/* the client closed or left */
#define F_RELEASED	0x40
#define F_ENDED		0x80	/* a row said who ended the session */
#define NFLAGS		0x100
#define NNODES		(FSM_ST__COUNT * NFLAGS)

/* What is wrong with taking step S on event EV with history F, or NULL. */
static const char *
once_problem(unsigned int f, enum fsm_event ev, struct fsm_step s)
{
	unsigned int	 a = s.actions;
	int		 client_end;

	/* After a protocol error lws ends the connection on its own. */
	client_end = ev == FSM_EV_CLIENT_CLOSE || ev == FSM_EV_CLIENT_GONE ||
	    ev == FSM_EV_CLIENT_PROTOCOL_ERROR;
	if (f & F_RELEASED)
		return ((a != 0 || s.next != FSM_ST_RELEASED) ?
		    "something happens after RELEASE" : NULL);
	if (s.ended_by != FSM_SIDE_NONE && (f & F_ENDED))
		return ("a second row says who ended the session");
	if ((a & FREE) && !(f & F_ENDED) && s.ended_by == FSM_SIDE_NONE)
		return ("released, and no row said who ended the session");
	/* Once our close frame is out, it is the code sent. */
	if ((f & F_SENT) && s.close_code != 0 &&
	    s.close_code != FSM_CODE_LWS)
		return ("a close code decided after the close frame went out");
	if ((a & CLOSE) && (f & F_SENT))
		return ("a second close frame");
	if ((a & CLOSE) && (f & F_DROPPED))
		return ("a close frame after the TCP drop");
	/* RFC 6455 5.5.1: no data frame after a close frame. */
	if ((a & (FWD_B | PING)) && (f & (F_SENT | F_DROPPED)))
		return ("data toward the client after its close or drop");
	if ((a & (CLIENT_OUTPUT | FWD_C | RX_ON)) && (f & F_CDONE))
		return ("writes to, reads or forwards from, a client that left");
	if ((a & FWD_CLOSE) && (f & (F_CDONE | F_SHUT)))
		return ("a client close message after the client left or "
		    "after EOF toward the backend");
	if ((a & SHUT_B) && (f & F_SHUT))
		return ("a second SHUT_BACKEND_WR");
	if ((a & CLOSE_B) && !(f & F_BACKEND))
		return ("CLOSE_BACKEND on a session that never had a backend");
	if ((a & CLOSE_B) && (f & F_BCLOSED))
		return ("a second CLOSE_BACKEND");
	if ((a & (FWD_C | FWD_CLOSE | FWD_B | DROP_B | SHUT_B)) &&
	    (!(f & F_BACKEND) || (f & F_BCLOSED)))
		return ("backend I/O without a backend");
	if ((a & FWD_C) && (f & F_SHUT))
		return ("client data toward the backend after its EOF");
	if ((a & FREE) == 0)
		return (s.next == FSM_ST_RELEASED ?
		    "RELEASED without RELEASE" : NULL);
	if (s.next != FSM_ST_RELEASED)
		return ("RELEASE without entering RELEASED");
	if ((f & F_BACKEND) && !(f & F_BCLOSED) && !(a & CLOSE_B))
		return ("released with the backend fd still open");
	/* A refusal ends the client's connection: the callback says so. */
	if (!(f & F_CDONE) && !client_end && !(a & REFUSE))
		return ("released while the client is still connected");
	return (NULL);
}

static unsigned int
once_flags(unsigned int f, enum fsm_event ev, struct fsm_step s)
{
	unsigned int	 a = s.actions;

	/* A connecting socket is a backend fd already. */
	if (ev == FSM_EV_BACKEND_UP || ev == FSM_EV_BACKEND_CONNECTING)
		f |= F_BACKEND;
	if (s.ended_by != FSM_SIDE_NONE)
		f |= F_ENDED;
	if (a & CLOSE)
		f |= F_SENT;
	if (a & KILL)
		f |= F_DROPPED;
	if (a & SHUT_B)
		f |= F_SHUT;
	if (a & CLOSE_B)
		f |= F_BCLOSED;
	if (a & FREE)
		f |= F_RELEASED;
	if (ev == FSM_EV_CLIENT_CLOSE || ev == FSM_EV_CLIENT_GONE ||
	    ev == FSM_EV_CLIENT_PROTOCOL_ERROR)
		f |= F_CDONE;
	return (f);
}

/* "HANDSHAKE -EV-> STATE -EV-> ..." for the path to node N. */
static void
once_path(const int *parent, const enum fsm_event *via, int n, char *buf,
    size_t len)
{
	int	 chain[NNODES], depth = 0, k;
	size_t	 o;

	for (; n >= 0 && depth < NNODES; n = parent[n])
		chain[depth++] = n;
	o = snprintf(buf, len, "%s",
	    fsm_state_name((enum fsm_state)(chain[depth - 1] / NFLAGS)));
	for (k = depth - 2; k >= 0 && o < len; k--)
		o += snprintf(buf + o, len - o, " -%s-> %s",
		    fsm_event_name(via[chain[k]]),
		    fsm_state_name((enum fsm_state)(chain[k] / NFLAGS)));
}

static const struct {
	enum fsm_state	 start;
	unsigned int	 flags;
} once_starts[] = {
	{ FSM_ST_START, 0 },
};

START_TEST(test_once_per_session)
{
	int		 parent[NNODES], q[NNODES], head = 0, tail = 0;
	enum fsm_event	 via[NNODES], ev;
	struct fsm_step	 s;
	enum fsm_state	 st;
	unsigned int	 f, nf;
	const char	*why;
	int		 n, m, e, nseen = 0, released = 0;
	char		 path[2048], b[512];

	for (n = 0; n < NNODES; n++)
		parent[n] = -2;		/* not seen */
	n = once_starts[_i].start * NFLAGS + once_starts[_i].flags;
	parent[n] = -1;
	q[tail++] = n;
	while (head < tail) {
		n = q[head++];
		nseen++;
		st = (enum fsm_state)(n / NFLAGS);
		f = n % NFLAGS;
		released |= (f & F_RELEASED) != 0;
		for (e = 0; e < FSM_EV__COUNT; e++) {
			ev = (enum fsm_event)e;
			if (impossible(st, ev))
				continue;
			s = fsm_next(st, ev);
			why = once_problem(f, ev, s);
			if (why != NULL) {
				once_path(parent, via, n, path, sizeof(path));
				ck_abort_msg("%s, then %s -> %s [%s]: %s", path,
				    fsm_event_name(ev), fsm_state_name(s.next),
				    acts(s.actions, b, sizeof(b)), why);
			}
			nf = once_flags(f, ev, s);
			m = s.next * NFLAGS + nf;
			if (parent[m] != -2)
				continue;
			parent[m] = n;
			via[m] = ev;
			q[tail++] = m;
		}
	}
	/* Guard against a search that silently explored nothing. */
	ck_assert_msg(released, "from %s, %d nodes explored and none released",
	    fsm_state_name(once_starts[_i].start), nseen);
}
END_TEST

Suite *
fsm_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("fsm");

	tc = tcase_create("table");
	tcase_add_loop_test(tc, test_row_defined, 0, NPAIRS);
	tcase_add_test(tc, test_out_of_range);
	tcase_add_loop_test(tc, test_state_classes, 0, FSM_ST__COUNT);
	suite_add_tcase(s, tc);

	tc = tcase_create("invariants");
	tcase_add_loop_test(tc, test_row_invariants, 0, NPAIRS);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_loop_test(tc, test_state_name, 0, FSM_ST__COUNT);
	tcase_add_loop_test(tc, test_event_name, 0, FSM_EV__COUNT);
	tcase_add_loop_test(tc, test_action_name, 0, FSM_A__COUNT);
	tcase_add_loop_test(tc, test_side_name, FSM_SIDE_NONE,
	    FSM_SIDE_GATEWAY + 1);
	tcase_add_test(tc, test_name_sentinels);
	tcase_add_loop_test(tc, test_event_side, 0, FSM_EV__COUNT);
	tcase_add_loop_test(tc, test_queue_bound, 0, FSM_EV__COUNT);
	tcase_add_loop_test(tc, test_raises, 0, FSM_A__COUNT);
	tcase_add_test(tc, test_action_order);
	tcase_add_loop_test(tc, test_close_reason, 0,
	    (int)(sizeof(reasons) / sizeof(reasons[0])));
	tcase_add_loop_test(tc, test_http_refusal, 0,
	    (int)(sizeof(refusals) / sizeof(refusals[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("termination");
	tcase_add_loop_test(tc, test_world_gone, 0, FSM_ST__COUNT);
	tcase_add_test(tc, test_all_states_reachable);
	tcase_add_test(tc, test_all_states_end);
	tcase_add_test(tc, test_after_client_gone);
	suite_add_tcase(s, tc);

	tc = tcase_create("walks");
	tcase_add_loop_test(tc, test_walk, 0, NWALKS);
	suite_add_tcase(s, tc);

	tc = tcase_create("once");
	tcase_add_loop_test(tc, test_once_per_session, 0,
	    (int)(sizeof(once_starts) / sizeof(once_starts[0])));
	suite_add_tcase(s, tc);

	return (s);
}
