/*
 * listen.h: wsgated's own listening sockets.  Accepted connections are
 * handed to libwebsockets (ws_adopt()), which owns them from then on.
 */
#ifndef WSGATE_LISTEN_H
#define WSGATE_LISTEN_H

struct config;

/* Open every listen address; 0, or -1 after logging which failed. */
int	 listen_open(const struct config *);
/*
 * Reload: open the addresses new in CF, then close those it lacks.  On
 * -1 (logged) nothing changed.
 */
int	 listen_update(const struct config *);
/* Stop accepting: close every listening socket. */
void	 listen_close(void);

#endif
