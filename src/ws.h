/*
 * ws.h: everything wsgated asks of libwebsockets.  Only ws.c includes
 * libwebsockets.h; the rest of the daemon sees a client as a struct lws *.
 */
#ifndef WSGATE_WS_H
#define WSGATE_WS_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct lws;
struct tls_pem;

/* TP (NULL: no certificate yet) is owned by ws.c from now on. */
int		 ws_init(struct config *, struct tls_pem *tp);
/* 1 if ws_tls() can take TP: it asks for the client CA in use. */
int		 ws_tls_can_use(const struct tls_pem *tp);
/* Reload: new TLS handshakes use TP (owned from now on); NULL: no change. */
void		 ws_tls(struct tls_pem *tp);
void		 ws_reconfigure(struct config *);
/* Map log_get_level() onto libwebsockets' own log. */
void		 ws_log_level(void);
const char	*ws_version(void);
void		 ws_done(void);
/*
 * Hand an accepted client socket to libwebsockets (which then owns it),
 * to the TLS vhost if TLS.
 */
void		 ws_adopt(int fd, int tls);
/* loop_run() hooks: lws timers and forced service. */
int		 ws_prepare(int timeout_ms);
void		 ws_after(void);

/*
 * From the writeable callback of a handshake held for a TCP connect:
 * answer it with 101 (ESTABLISHED comes before this returns), or refuse
 * it with STATUS and WHY.  -1: the callback must return -1.
 */
int		 ws_accept(struct lws *);
int		 ws_refuse_held(struct lws *, const char *peer, const char *path,
		    int status, const char *why);
void		 ws_want_writeable(struct lws *);
/* No output waits for the client: ws_send() may be called now. */
int		 ws_idle_output(struct lws *);
/* The code of a close frame queued or sent, ours or lws's own; 0: none. */
uint16_t	 ws_close_code(struct lws *);
void		 ws_rx_flow(struct lws *, int enable);
/* A frame header that takes a message past MAX is failed with 1009. */
void		 ws_limit_message(struct lws *, size_t max);
void		 ws_drop(struct lws *);
void		 ws_detach(struct lws *);
/* The bytes ws_send() needs writable in front of a message (LWS_PRE). */
size_t		 ws_headroom(void);
/* The buffer backend data is read into: ws_send() needs its headroom. */
unsigned char	*ws_tx_buffer(size_t *size);
/*
 * From CLIENT_WRITEABLE, or when ws_idle_output(): send one message or
 * ping; 0 or -1.
 */
int		 ws_send(struct lws *, unsigned char *, size_t, int text);
int		 ws_send_ping(struct lws *);
/* From CLIENT_WRITEABLE only: the callback must then return -1. */
void		 ws_send_close(struct lws *, uint16_t code, const char *reason);

#endif
