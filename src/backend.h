/*
 * backend.h: the connection to a backend: a UNIX stream or seqpacket
 * socket, or TCP.
 */
#ifndef WSGATE_BACKEND_H
#define WSGATE_BACKEND_H

struct target;

enum backend_status {
	BACKEND_OK,
	BACKEND_DOWN,		/* missing, refusing, not a socket: 502 */
	BACKEND_BUSY,		/* listen backlog full: 503 */
	BACKEND_CONNECTING,	/* TCP: EPOLLOUT tells, backend_connected() */
};

/*
 * Connect to TG (a SOCK_SEQPACKET socket if SEQPACKET) without blocking: a UNIX connect either
 * completes at once or fails at once; a TCP connect may take time.  On
 * BACKEND_OK and BACKEND_CONNECTING *FD is the new non-blocking socket;
 * otherwise errno says why.
 */
enum backend_status	 backend_connect(const struct target *tg,
			    int seqpacket, int *fd);
/* Once a connecting FD is writable: 0 if connected, else -1 and errno. */
int			 backend_connected(int fd);

#endif
