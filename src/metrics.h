/*
 * metrics.h: counters and the Prometheus endpoint (metrics_listen).
 *
 * Counters are kept per route name (its path, with a trailing star for a
 * prefix), not per struct route, so that they go on across reloads.  The
 * endpoint is a minimal HTTP/1.0 responder on its own listener in the
 * loop: GET /metrics only.
 */
#ifndef WSGATE_METRICS_H
#define WSGATE_METRICS_H

struct config;
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

#endif
