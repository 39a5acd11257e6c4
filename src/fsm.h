/*
 * fsm.h: the session state machine, a pure transition table.
 *
 * A session is one WebSocket client and its backend connection.  Every
 * libwebsockets callback, backend event and timer becomes an fsm_event;
 * fsm_next() says which state follows and which actions the caller must run.
 * This is the only place where the order of closing is decided.  fsm.c does
 * no I/O, keeps no clock and allocates nothing.
 */
#ifndef WSGATE_FSM_H
#define WSGATE_FSM_H

#include <stdint.h>

enum fsm_state {
	FSM_ST_START,		/* session made; its backend not yet judged */
	FSM_ST_CONNECTING,	/* TCP connect under way; the handshake waits */
	FSM_ST_ACCEPTING,	/* connected: 101 goes out once writeable */
	FSM_ST_ACCEPTING_DOWN,	/* no backend (on_backend_down = close):
				   101 once writeable, then 1013 */
	FSM_ST_REJECTING,	/* no backend: an HTTP refusal once
				   writeable */
	FSM_ST_HANDSHAKE,	/* backend connected, 101 not sent yet */
	FSM_ST_REFUSING,	/* no backend (on_backend_down = close) */
	FSM_ST_OPEN,		/* relaying both ways */
	FSM_ST_CLOSING,		/* close frame wanted; backend open, unread */
	FSM_ST_CLOSING_EOF,	/* close frame wanted; backend sent EOF */
	FSM_ST_CLOSING_DEAD,	/* close frame wanted; backend closed */
	FSM_ST_CLOSE_SENT,	/* close sent or TCP dropped; backend open */
	FSM_ST_CLOSE_SENT_EOF,	/* same; backend sent EOF */
	FSM_ST_CLOSE_SENT_DEAD,	/* same; backend closed */
	FSM_ST_SHUTTING,	/* client done; its messages, then EOF, to
				   the backend */
	FSM_ST_LINGER,		/* EOF sent; waiting for the backend's EOF */
	FSM_ST_FLUSHING,	/* client done, backend sent EOF; our
				   messages and EOF still being written */
	FSM_ST_RELEASED,	/* both sides closed; freed at loop end */
	FSM_ST__COUNT
};

enum fsm_event {
	FSM_EV_BACKEND_UP,	/* the backend is connected */
	FSM_EV_BACKEND_DOWN,	/* no backend: on_backend_down = close */
	FSM_EV_BACKEND_CONNECTING,	/* a TCP connect is under way */
	FSM_EV_CONNECT_TIMEOUT,	/* it did not complete in connect_timeout */
	FSM_EV_ESTABLISHED,	/* 101 sent */
	FSM_EV_CLIENT_DATA,	/* a chunk of a client message */
	FSM_EV_CLIENT_TOO_BIG,	/* a message passed max_message_size, or
				   the backend socket refused its size */
	FSM_EV_CLIENT_UNACCEPTABLE,	/* lines: a message holding '\n' */
	FSM_EV_CLIENT_CLOSE,	/* close frame from the client */
	FSM_EV_CLIENT_GONE,	/* libwebsockets closed the connection */
	FSM_EV_CLIENT_PROTOCOL_ERROR,	/* libwebsockets sent its own close
					   frame (1002, 1007): the client
					   broke RFC 6455 */
	FSM_EV_CLIENT_WRITEABLE,	/* everything before is on the wire */
	FSM_EV_CLIENT_WRITE_ERROR,	/* a write to the client failed */
	FSM_EV_CLIENT_BEHIND,	/* the client took a message; more waits */
	FSM_EV_PONG,
	FSM_EV_BACKEND_READABLE,	/* the client has output waiting */
	FSM_EV_BACKEND_READABLE_CLIENT_READY,	/* nothing waits for the
						   client: it can take more */
	FSM_EV_BACKEND_EOF,
	FSM_EV_BACKEND_CLOSE,	/* a close message: the backend's code */
	FSM_EV_BACKEND_TOO_BIG,	/* a message over max_message_size */
	FSM_EV_BACKEND_BAD_FRAME,	/* framing fault: bad type, length */
	FSM_EV_BACKEND_ERROR,	/* reset, I/O error, hang-up */
	FSM_EV_BACKEND_QUEUE_FULL,	/* buffer_size queued for it */
	FSM_EV_BACKEND_QUEUE_ROOM,	/* it took half: read the client */
	FSM_EV_BACKEND_PROGRESS,	/* stall timer: it took something */
	FSM_EV_BACKEND_STALLED,	/* stall timer: it took nothing */
	FSM_EV_BACKEND_WR_CLOSED,	/* queue written, then SHUT_WR done */
	FSM_EV_IDLE_TIMEOUT,
	FSM_EV_PING_DUE,
	FSM_EV_PONG_TIMEOUT,
	FSM_EV_CLOSE_TIMEOUT,
	FSM_EV_SEND_TIMEOUT,	/* backend data waited too long for the client */
	FSM_EV_DRAIN,		/* the server is shutting down */
	FSM_EV_DRAIN_SPREAD,	/* the same, with drain_spread: this
				   session's DRAIN comes after its share */
	FSM_EV__COUNT
};

/* Actions; the caller runs them in this bit order, FSM_A_RELEASE last. */
#define FSM_A_RECORD_CLOSE	0x0000001	/* log the client's close */
#define FSM_A_FORWARD_CLIENT	0x0000002	/* client chunk to backend queue */
#define FSM_A_FORWARD_CLOSE	0x0000004	/* client's close to the backend */
#define FSM_A_DISCARD_CLIENT	0x0000008	/* count client chunk as dropped */
#define FSM_A_TRUNCATE_MESSAGE	0x0000010	/* drop the unfinished message */
#define FSM_A_PAUSE_CLIENT_RX	0x0000020	/* stop reading the client */
#define FSM_A_RESUME_CLIENT_RX	0x0000040	/* read the client again */
#define FSM_A_FORWARD_BACKEND	0x0000080	/* read backend, send a message */
#define FSM_A_DISCARD_BACKEND	0x0000100	/* read backend, drop it */
#define FSM_A_QUEUE_PING	0x0000200
#define FSM_A_CANCEL_PONG_TIMER	0x0000400
#define FSM_A_STOP_SEND_TIMER	0x0000800	/* nothing waits for the client */
#define FSM_A_STOP_STALL_TIMER	0x0001000
#define FSM_A_ARM_IDLE_TIMER	0x0002000
#define FSM_A_ARM_PING_TIMER	0x0004000
#define FSM_A_ARM_PONG_TIMER	0x0008000
#define FSM_A_START_SEND_TIMER	0x0010000	/* unless it runs */
#define FSM_A_RESTART_SEND_TIMER 0x0020000	/* timed anew from now */
#define FSM_A_ARM_STALL_TIMER	0x0040000	/* watch the backend's progress */
#define FSM_A_ARM_CLOSE_TIMER	0x0080000
#define FSM_A_SEND_CLOSE	0x0100000	/* only on CLIENT_WRITEABLE rows */
#define FSM_A_DROP_CLIENT	0x0200000	/* TCP close, no close frame */
#define FSM_A_SHUT_BACKEND_WR	0x0400000	/* EOF after the queued messages */
#define FSM_A_CLOSE_BACKEND	0x0800000
#define FSM_A_WANT_WRITEABLE	0x1000000
#define FSM_A_ARM_DRAIN_TIMER	0x2000000	/* DRAIN at this session's
						   turn of drain_spread */
#define FSM_A_ARM_CONNECT_TIMER	0x4000000
#define FSM_A_ACCEPT_UPGRADE	0x8000000	/* 101 to a waiting handshake:
						   only on CLIENT_WRITEABLE */
#define FSM_A_REFUSE_UPGRADE	0x10000000	/* the row's HTTP status to
						   it: same */
#define FSM_A_RELEASE		0x20000000
#define FSM_A__COUNT		30

enum fsm_side {
	FSM_SIDE_NONE,
	FSM_SIDE_CLIENT,
	FSM_SIDE_BACKEND,
	FSM_SIDE_GATEWAY,
	FSM_SIDE__COUNT
};

/*
 * A row's close code, when it is not one of wsgated's own: the code of the
 * backend's close message; the client's, which libwebsockets echoes; the
 * one libwebsockets sent itself on failing the connection (1002, 1007,
 * 1009).
 */
#define FSM_CODE_BACKEND	1
#define FSM_CODE_CLIENT		2
#define FSM_CODE_LWS		3

struct fsm_step {
	enum fsm_state	 next;
	unsigned int	 actions;
	uint16_t	 close_code;	/* the close frame sent from now on,
					   or FSM_CODE_*; 0: unchanged */
	const char	*reason;	/* its reason, or NULL */
	enum fsm_side	 ended_by;	/* this row ends the session, for
					   this side; FSM_SIDE_NONE: not */
	uint8_t		 defined;
	uint16_t	 http_status;	/* the refusal REFUSE_UPGRADE sends
					   from now on, with REASON; 0: none */
};

/*
 * Events an action may raise while it runs, and how many at most: the
 * session queues them and runs them after the step.  FSM_QUEUE_MAX bounds
 * the queue for any one event and the events that follow from it; a unit
 * test derives the bound from the table and these masks.
 */
struct fsm_raise {
	uint64_t	 events;	/* 1 << event */
	unsigned int	 count;
};
#define FSM_QUEUE_MAX	8

struct fsm_step	 fsm_next(enum fsm_state, enum fsm_event);
struct fsm_raise fsm_action_raises(unsigned int action);
const char	*fsm_state_name(enum fsm_state);
const char	*fsm_event_name(enum fsm_event);
const char	*fsm_action_name(unsigned int action);
const char	*fsm_side_name(enum fsm_side);

#endif
