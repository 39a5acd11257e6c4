/*
 * bufq.c: a list of heap chunks, written with one sendmsg() per flush.
 */
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bufq.h"

#define BUFQ_IOV	1024	/* IOV_MAX on Linux: a datagram needs them all */

static void
bufq_free_list(struct bufq_chunk *c)
{
	struct bufq_chunk	*next;

	for (; c != NULL; c = next) {
		next = c->bc_next;
		free(c);
	}
}

static struct bufq_chunk *
bufq_chunk_new(const void *data, size_t len)
{
	struct bufq_chunk	*c;

	if ((c = malloc(sizeof(*c) + len)) == NULL)
		return (NULL);
	c->bc_next = NULL;
	c->bc_len = len;
	c->bc_off = 0;
	c->bc_eom = 0;
	memcpy(c->bc_data, data, len);
	return (c);
}

int
bufq_append(struct bufq *q, const void *data, size_t len)
{
	struct bufq_chunk	*c;

	if (len == 0)
		return (0);
	if ((c = bufq_chunk_new(data, len)) == NULL)
		return (-1);
	if (q->bq_part_tail != NULL)
		q->bq_part_tail->bc_next = c;
	else
		q->bq_part = c;
	q->bq_part_tail = c;
	q->bq_part_bytes += len;
	return (0);
}

int
bufq_commit(struct bufq *q, const void *pre, size_t npre, const void *post,
    size_t npost)
{
	struct bufq_chunk	*c;

	if (npre > 0) {
		if ((c = bufq_chunk_new(pre, npre)) == NULL)
			return (-1);
		c->bc_next = q->bq_part;
		q->bq_part = c;
		if (q->bq_part_tail == NULL)
			q->bq_part_tail = c;
		q->bq_part_bytes += npre;
	}
	if (npost > 0 && bufq_append(q, post, npost) == -1)
		return (-1);
	if (q->bq_part == NULL)
		return (0);	/* an empty message in a mode that adds nothing */
	q->bq_part_tail->bc_eom = 1;
	if (q->bq_tail != NULL)
		q->bq_tail->bc_next = q->bq_part;
	else
		q->bq_head = q->bq_part;
	q->bq_tail = q->bq_part_tail;
	q->bq_bytes += q->bq_part_bytes;
	q->bq_part = q->bq_part_tail = NULL;
	q->bq_part_bytes = 0;
	return (0);
}

size_t
bufq_drop_partial(struct bufq *q)
{
	size_t	 n = q->bq_part_bytes;

	bufq_free_list(q->bq_part);
	q->bq_part = q->bq_part_tail = NULL;
	q->bq_part_bytes = 0;
	return (n);
}

size_t
bufq_clear(struct bufq *q)
{
	size_t	 n = q->bq_bytes + bufq_drop_partial(q);

	bufq_free_list(q->bq_head);
	q->bq_head = q->bq_tail = NULL;
	q->bq_bytes = 0;
	return (n);
}

size_t
bufq_drop_first(struct bufq *q)
{
	struct bufq_chunk	*c;
	size_t			 n = 0;
	int			 eom = 0;

	while (!eom && (c = q->bq_head) != NULL) {
		eom = c->bc_eom;
		n += c->bc_len - c->bc_off;
		q->bq_head = c->bc_next;
		free(c);
	}
	if (q->bq_head == NULL)
		q->bq_tail = NULL;
	q->bq_bytes -= n;
	return (n);
}

int
bufq_empty(const struct bufq *q)
{
	return (q->bq_head == NULL);
}

ssize_t
bufq_flush(struct bufq *q, int fd, int one_per_send)
{
	struct iovec		 iov[BUFQ_IOV];
	struct msghdr		 msg;
	struct bufq_chunk	*c;
	size_t			 total = 0, left;
	ssize_t			 n;
	int			 i, whole;

	while (q->bq_head != NULL) {
		whole = 0;
		for (i = 0, c = q->bq_head; c != NULL && i < BUFQ_IOV;
		    c = c->bc_next) {
			iov[i].iov_base = c->bc_data + c->bc_off;
			iov[i++].iov_len = c->bc_len - c->bc_off;
			if (one_per_send && c->bc_eom) {
				whole = 1;
				break;
			}
		}
		/* A datagram longer than BUFQ_IOV chunks would be cut. */
		if (one_per_send && !whole) {
			errno = EMSGSIZE;
			return (-1);
		}
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = iov;
		msg.msg_iovlen = (size_t)i;
		/* MSG_NOSIGNAL: a backend gone away is EPIPE, not SIGPIPE. */
		n = sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return (total > 0 && errno == EAGAIN ?
			    (ssize_t)total : -1);
		}
		total += (size_t)n;
		q->bq_bytes -= (size_t)n;
		for (left = (size_t)n; left > 0;) {
			c = q->bq_head;
			if (left < c->bc_len - c->bc_off) {
				c->bc_off += left;
				break;
			}
			left -= c->bc_len - c->bc_off;
			q->bq_head = c->bc_next;
			free(c);
		}
		if (q->bq_head == NULL)
			q->bq_tail = NULL;
		else if (q->bq_head->bc_off > 0)
			break;	/* short write: the socket is full */
	}
	return ((ssize_t)total);
}
