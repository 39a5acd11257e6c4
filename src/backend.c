/*
 * backend.c: non-blocking connect to a backend's UNIX stream socket.
 * Reading and writing belong to the session that owns the socket.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"

enum backend_status
backend_connect(const char *path, int seqpacket, int *fd)
{
	struct sockaddr_un	 sun;
	int			 s, saved;

	*fd = -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return (BACKEND_DOWN);
	}
	strcpy(sun.sun_path, path);
	s = socket(AF_UNIX, (seqpacket ? SOCK_SEQPACKET : SOCK_STREAM) |
	    SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s == -1)
		return (BACKEND_BUSY);	/* out of descriptors: try later */
	if (connect(s, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		*fd = s;
		return (BACKEND_OK);
	}
	saved = errno;
	close(s);
	errno = saved;
	/* Linux says EAGAIN when the listener's backlog is full. */
	return (saved == EAGAIN ? BACKEND_BUSY : BACKEND_DOWN);
}
