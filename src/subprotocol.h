/*
 * subprotocol.h: choosing a Sec-WebSocket-Protocol.  Pure code.
 */
#ifndef WSGATE_SUBPROTOCOL_H
#define WSGATE_SUBPROTOCOL_H

#include <stddef.h>

/*
 * The first name in REQUESTED (the client's header: names separated by
 * commas and blanks) that OFFERED (names separated by blanks) holds,
 * copied into OUT of SIZE bytes.  Returns OUT, or NULL when none is.
 */
const char	*subprotocol_pick(const char *offered, const char *requested,
		    char *out, size_t size);

#endif
