/*
 * session.h: one client, its backend connection, and the execution of what
 * the state machine (fsm.h) decides.
 *
 * ws.c and the backend socket callback turn what happened into
 * session_dispatch() calls; the session runs the actions of each step in
 * a fixed order.  Events raised while actions run (a read that finds EOF, a
 * flush that completes a shutdown) are queued and dispatched after them, so
 * a step's actions never interleave with the next step's.
 */
#ifndef WSGATE_SESSION_H
#define WSGATE_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "bufq.h"
#include "fsm.h"
#include "iplimit.h"
#include "loop.h"

struct lws;
struct route;

/* Who the client is, as ws.c found out. */
struct session_peer {
	char		 sp_text[64];	/* "addr:port", "[addr]:port" */
	char		 sp_addr[48];	/* the address alone */
	unsigned char	 sp_key[IPLIMIT_KEY_MAX];	/* max_connections_per_ip */
	size_t		 sp_keylen;
};

/* Close reasons as logged: escaped, so longer than RFC 6455's 123 bytes. */
#define SESSION_REASON_MAX	160

struct session_counters {
	uint64_t	 sc_msgs;
	uint64_t	 sc_bytes;
	uint64_t	 sc_dropped;	/* bytes */
};

struct session {
	unsigned int	 se_id;
	enum fsm_state	 se_state;
	struct route	*se_route;	/* borrowed from the configuration */
	struct lws	*se_wsi;	/* borrowed; NULL once the client is gone */
	int		 se_fd;		/* backend socket, -1 when closed */
	char		 se_peer[64];
	unsigned char	 se_ipkey[IPLIMIT_KEY_MAX];
	size_t		 se_ipkeylen;
	uint64_t	 se_start;
	uint64_t	 se_active;	/* last message either way */
	long		 se_stall_outq;	/* unread by the backend when the
					   stall timer was last armed */
	uint64_t	 se_send_since;	/* backend data waiting since this
					   time + 1; 0: nothing waits */

	struct bufq	 se_tobackend;	/* owned */
	size_t		 se_rx_msg;	/* bytes of the client message so far */
	int		 se_rx_binary;	/* its type */
	const void	*se_in;		/* borrowed for one CLIENT_DATA */
	size_t		 se_inlen;
	int		 se_in_final;
	unsigned char	 se_utf8[4];	/* raw text: a split character */
	size_t		 se_utf8len;
	/*
	 * Framed modes: backend bytes not yet sent as messages, with
	 * libwebsockets' LWS_PRE headroom before se_fb_data.  Owned;
	 * allocated on first use, at most one message plus one read.  Raw
	 * mode with se_deflate: the buffer each read goes into.
	 */
	unsigned char	*se_fb;
	size_t		 se_fb_cap, se_fb_off, se_fb_len;
	uint16_t	 se_be_code;	/* the backend's close message */
	char		 se_be_reason[124];

	/* What each flag means: the comment at the top of fsm.c. */
	unsigned int	 se_be_readable:1, se_be_hup:1, se_be_blocked:1,
			 se_shut_pending:1, se_rx_paused:1, se_ping_pending:1,
			 se_close_queued:1, se_ws_up:1, se_connecting:1,
			 se_deflate:1;	/* permessage-deflate taken */

	struct loop_timer se_idle, se_ping, se_pong, se_send, se_stall,
			 se_close, se_connect;

	uint8_t		 se_pending[FSM_QUEUE_MAX];	/* events raised
							   by actions */
	unsigned int	 se_npending;
	unsigned int	 se_acting;	/* the action running, if any */
	int		 se_dispatching;

	/* The outputs of the rows: who ended the session, the codes. */
	enum fsm_side	 se_ended_by;
	uint16_t	 se_code_sent, se_code_recv;
	uint16_t	 se_in_code;	/* the client's close, for one dispatch */
	uint16_t	 se_http_status;	/* a held handshake's refusal */
	const char	*se_close_reason;	/* borrowed: the row's,
						   se_be_reason or
						   se_reason_recv */
	unsigned char	 se_reason_recv[123];	/* as received */
	uint8_t		 se_reason_recvlen;
	struct session_counters se_c2b, se_b2c;

	struct session	*se_prev, *se_next;	/* live or released list */
};

/*
 * A session for WSI on ROUTE with backend socket FD (-1: none, the
 * route's on_backend_down = close), still CONNECTING (TCP) or not.  META
 * (METALEN bytes, already framed) goes to the backend before any client
 * message.  NULL if out of memory or the fd cannot be watched; FD is then
 * closed.
 */
struct session	*session_new(struct route *, struct lws *wsi, int fd,
		    int connecting, const struct session_peer *,
		    const void *meta, size_t metalen);
/*
 * Feed EV; returns -1 when the libwebsockets callback that raised it must
 * return -1 (a close frame was queued or a write failed), else 0.
 */
int		 session_dispatch(struct session *, enum fsm_event);
/* A chunk of a client message: sizes and checks it, then dispatches. */
int		 session_client_data(struct session *, const void *, size_t,
		    int first, int final, int binary);
/* The client's close frame: CODE (0: none) and its reason. */
int		 session_client_close(struct session *, uint16_t code,
		    const void *reason, size_t len);
/* The 101 is sent: the client speaks WebSocket now. */
int		 session_established(struct session *);
/* lws reports the client writeable. */
int		 session_client_writeable(struct session *);
/* libwebsockets is done with the client connection. */
void		 session_client_gone(struct session *);
/* Send DRAIN to every live session. */
void		 session_drain_all(void);
/* CB for every live session, which it must not end. */
void		 session_foreach(void (*cb)(const struct session *, void *),
		    void *);
/* Free released sessions: called when no callback holds one. */
void		 session_reap(void);
unsigned int	 session_count(void);

#endif
