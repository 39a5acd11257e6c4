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
	FSM_EV_PONG,
	FSM_EV_BACKEND_READABLE,	/* the client has output waiting */
	FSM_EV_BACKEND_READABLE_CLIENT_READY,	/* nothing waits for the
						   client: it can take more */
	FSM_EV_BACKEND_EOF,
	FSM_EV_BACKEND_CLOSE,	/* a close message: the backend's code */
	FSM_EV_BACKEND_TOO_BIG,	/* a message over max_message_size */
	FSM_EV_BACKEND_BAD_FRAME,	/* framing fault: bad type, length */
	FSM_EV_BACKEND_ERROR,	/* reset, I/O error, hang-up */
	FSM_EV_BACKEND_STALLED,	/* read nothing for send_timeout */
	FSM_EV_BACKEND_WR_CLOSED,	/* queue written, then SHUT_WR done */
	FSM_EV_IDLE_TIMEOUT,
	FSM_EV_PING_DUE,
	FSM_EV_PONG_TIMEOUT,
	FSM_EV_CLOSE_TIMEOUT,
	FSM_EV_SEND_TIMEOUT,	/* backend data waited too long for the client */
	FSM_EV_DRAIN,		/* the server is shutting down */
	FSM_EV__COUNT
};

/* Actions; the caller runs them in this bit order, FSM_A_RELEASE last. */
#define FSM_A_FORWARD_CLIENT	0x000001	/* client chunk to backend queue */
#define FSM_A_FORWARD_CLOSE	0x000002	/* client's close to the backend */
#define FSM_A_DISCARD_CLIENT	0x000004	/* count client chunk as dropped */
#define FSM_A_TRUNCATE_MESSAGE	0x000008	/* drop the unfinished message */
#define FSM_A_RESUME_CLIENT_RX	0x000010	/* read the client again */
#define FSM_A_FORWARD_BACKEND	0x000020	/* read backend, send a message */
#define FSM_A_DISCARD_BACKEND	0x000040	/* read backend, count as dropped */
#define FSM_A_QUEUE_PING	0x000080
#define FSM_A_CANCEL_PONG_TIMER	0x000100
#define FSM_A_CANCEL_SEND_TIMER	0x000200	/* the client took data: what
						   still waits is timed anew */
#define FSM_A_ARM_IDLE_TIMER	0x000400
#define FSM_A_ARM_PING_TIMER	0x000800
#define FSM_A_ARM_PONG_TIMER	0x001000
#define FSM_A_START_SEND_TIMER	0x002000	/* unless it is already running */
#define FSM_A_ARM_CLOSE_TIMER	0x004000
#define FSM_A_SEND_CLOSE	0x008000	/* only on CLIENT_WRITEABLE rows */
#define FSM_A_DROP_CLIENT	0x010000	/* TCP close, no close frame */
#define FSM_A_SHUT_BACKEND_WR	0x020000	/* EOF after the queued messages */
#define FSM_A_CLOSE_BACKEND	0x040000
#define FSM_A_WANT_WRITEABLE	0x080000
#define FSM_A_RELEASE		0x100000
#define FSM_A__COUNT		21

enum fsm_side {
	FSM_SIDE_NONE,
	FSM_SIDE_CLIENT,
	FSM_SIDE_BACKEND,
	FSM_SIDE_GATEWAY,
	FSM_SIDE__COUNT
};

/* As a row's close code: the code the backend's close message carried. */
#define FSM_CODE_BACKEND	1

struct fsm_step {
	enum fsm_state	 next;
	unsigned int	 actions;
	uint16_t	 close_code;	/* close frame to send; 0: none */
	const char	*reason;	/* its reason, or NULL */
	uint8_t		 defined;
};

struct fsm_step	 fsm_next(enum fsm_state, enum fsm_event);
enum fsm_side	 fsm_event_side(enum fsm_event);
const char	*fsm_state_name(enum fsm_state);
const char	*fsm_event_name(enum fsm_event);
const char	*fsm_action_name(unsigned int action);
const char	*fsm_side_name(enum fsm_side);

#endif
