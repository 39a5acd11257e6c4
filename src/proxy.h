/*
 * proxy.h: connections accepted on a "proxy" listener, before
 * libwebsockets sees them: the peer must be in trusted_proxies and send a
 * PROXY header within handshake_timeout; then the connection goes to
 * ws_adopt(), and the header's addresses are kept by descriptor for ws.c.
 */
#ifndef WSGATE_PROXY_H
#define WSGATE_PROXY_H

#include <sys/socket.h>

#include "proxy_header.h"

struct config;

/* What new connections are judged by; CF is borrowed until the next. */
void	 proxy_reconfigure(const struct config *);
/*
 * FD, accepted from PEER on a proxy listener: it is ws_adopt()ed (as TLS
 * when TLS) once its header is read, or closed and counted.
 */
void	 proxy_accept(int fd, int tls, const struct sockaddr_storage *peer);
/* FD was accepted on a listener without "proxy": no header for it. */
void	 proxy_forget(int fd);
/*
 * The client the PROXY header of FD's connection named: 0 with *PH, or
 * -1 when there is none (not a proxy listener, LOCAL or UNKNOWN).
 */
int	 proxy_client(int fd, struct proxy_header *ph);
/* Close the connections still waiting for their header. */
void	 proxy_done(void);

#endif
