/*
 * backend.h: the connection to a backend's UNIX stream socket.
 */
#ifndef WSGATE_BACKEND_H
#define WSGATE_BACKEND_H

enum backend_status {
	BACKEND_OK,
	BACKEND_DOWN,		/* missing, refusing, not a socket: 502 */
	BACKEND_BUSY,		/* listen backlog full: 503 */
};

/*
 * Connect to the stream (or, with SEQPACKET, seqpacket) socket at PATH
 * without blocking: a UNIX connect either completes at once or fails at
 * once.  On BACKEND_OK *FD is the new non-blocking socket; otherwise errno
 * says why.
 */
enum backend_status	 backend_connect(const char *path, int seqpacket,
			    int *fd);

#endif
