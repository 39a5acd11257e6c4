/*
 * bufq.h: the bounded queue of client messages on their way to a backend.
 *
 * Chunks of an unfinished message wait apart from complete ones and are
 * written only once the message is complete, so a message that turns out
 * too big, or whose client goes away, never reaches the backend in part.
 * No socket knowledge beyond sendmsg(); no libwebsockets.
 */
#ifndef WSGATE_BUFQ_H
#define WSGATE_BUFQ_H

#include <sys/types.h>

#include <stddef.h>

struct bufq_chunk {
	struct bufq_chunk *bc_next;
	size_t		 bc_len;
	size_t		 bc_off;	/* bytes of it already written */
	int		 bc_eom;	/* the last chunk of a message */
	unsigned char	 bc_data[];
};

struct bufq {
	struct bufq_chunk *bq_head, *bq_tail;	/* owned; complete messages */
	struct bufq_chunk *bq_part, *bq_part_tail;	/* owned; unfinished */
	size_t		 bq_bytes;	/* unwritten bytes of complete ones */
	size_t		 bq_part_bytes;
};

/* Copy LEN bytes onto the unfinished message.  0, or -1 (ENOMEM). */
int	 bufq_append(struct bufq *, const void *, size_t);
/*
 * Complete the unfinished message: PRE goes before it and POST after it
 * (the framing's header and terminator).  0, or -1 (ENOMEM).
 */
int	 bufq_commit(struct bufq *, const void *pre, size_t npre,
	    const void *post, size_t npost);
/* Drop the unfinished message; returns its size. */
size_t	 bufq_drop_partial(struct bufq *);
/* Drop everything; returns the bytes dropped. */
size_t	 bufq_clear(struct bufq *);
/* Drop the first complete message (one the socket refused); its size. */
size_t	 bufq_drop_first(struct bufq *);
/*
 * Write complete messages to FD until the queue is empty or the socket is
 * full; with ONE_PER_SEND (seqpacket) each sendmsg() carries exactly one
 * message.  Returns the bytes written, or -1 with errno (EAGAIN when
 * nothing could be written).
 */
ssize_t	 bufq_flush(struct bufq *, int fd, int one_per_send);
int	 bufq_empty(const struct bufq *);

#endif
