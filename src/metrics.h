/*
 * metrics.h: counters and the Prometheus endpoint (metrics_listen).
 *
 * Counters are kept per route name (its path, with a trailing star for a
 * prefix), not per struct route, so that they go on across reloads.  The
 * endpoint is a minimal HTTP/1.0 responder on its own listener in the
 * loop: GET /metrics, and GET of the health path (health.h).
 */
#ifndef WSGATE_METRICS_H
#define WSGATE_METRICS_H

struct config;

/* What became of a PROXY header (proxy.c), as counted. */
enum metrics_proxy {
	METRICS_PROXY_ACCEPTED,
	METRICS_PROXY_LOCAL,	/* LOCAL / UNKNOWN: the balancer itself */
	METRICS_PROXY_UNTRUSTED,	/* peer not in trusted_proxies */
	METRICS_PROXY_MALFORMED,
	METRICS_PROXY_OVERSIZED,
	METRICS_PROXY_TIMEOUT,	/* incomplete after handshake_timeout */
	METRICS_PROXY_CLOSED,	/* the peer closed before its end */
	METRICS_PROXY__COUNT
};
struct route;
struct session;

void	 metrics_init(void);
void	 metrics_done(void);

/*
 * Open CF's metrics_listen if it differs from the one in use; -1 after
 * logging, and nothing changed.  metrics_commit() then closes the old
 * listener, serves on the new one and gives CF's routes their series (at
 * 0 until used); metrics_abort() forgets the new listener.
 */
int	 metrics_prepare(const struct config *);
void	 metrics_commit(const struct config *);
void	 metrics_abort(void);

/* A handshake refused with STATUS; RT is NULL when no route matched. */
void	 metrics_refused(const struct route *, int status);
void	 metrics_backend_error(const struct route *, int busy);
void	 metrics_session_start(const struct route *);
/* S ends: its counters move from the live sessions to the totals. */
void	 metrics_session_end(const struct session *);
/* The client was paused: its backend could not take more. */
void	 metrics_pause(const struct route *);
void	 metrics_reload(int ok);
void	 metrics_proxy(enum metrics_proxy);
/* A client address taken from X-Forwarded-For or Forwarded. */
void	 metrics_forwarded(void);

#endif
