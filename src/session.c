/*
 * session.c: the session object and the execution of fsm actions.
 *
 * Nothing here decides how a session ends; fsm.c does.  This file turns
 * backend socket readiness and timers into events, and runs the actions
 * the table returns: it moves bytes, arms timers, asks ws.c to send or
 * close, and releases the session.  A released session is unlinked and
 * freed by session_reap() at the end of the loop iteration, when no
 * callback can still hold it.
 */
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <linux/sockios.h>

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "config.h"
#include "framing.h"
#include "log.h"
#include "metrics.h"
#include "session.h"
#include "ws.h"

static struct session	*session_live;	/* owned list */
static struct session	*session_released;	/* owned; freed by reap */
static unsigned int	 session_nlive;
static unsigned int	 session_lastid;

static void	session_backend_cb(int, uint32_t, void *);
static void	session_idle_cb(void *);
static void	session_ping_cb(void *);
static void	session_pong_cb(void *);
static void	session_send_cb(void *);
static void	session_stall_cb(void *);
static long	session_outq(struct session *);
static void	session_close_cb(void *);
static void	session_connect_cb(void *);

static void
session_link(struct session **head, struct session *s)
{
	s->se_prev = NULL;
	s->se_next = *head;
	if (*head != NULL)
		(*head)->se_prev = s;
	*head = s;
}

static void
session_unlink(struct session **head, struct session *s)
{
	if (s->se_prev != NULL)
		s->se_prev->se_next = s->se_next;
	else
		*head = s->se_next;
	if (s->se_next != NULL)
		s->se_next->se_prev = s->se_prev;
	s->se_prev = s->se_next = NULL;
}

struct session *
session_new(struct route *rt, struct lws *wsi, int fd, int connecting,
    const struct session_peer *peer, const void *meta, size_t metalen)
{
	enum fsm_event	 ev;

	struct session	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		goto fail;
	if (fd != -1 && metalen > 0 &&
	    (bufq_append(&s->se_tobackend, meta, metalen) == -1 ||
	    bufq_commit(&s->se_tobackend, NULL, 0, NULL, 0) == -1))
		goto fail;
	if (iplimit_add(rt, peer->sp_key, peer->sp_keylen) == -1)
		goto fail;
	if (fd != -1 && loop_add(fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP |
	    EPOLLET, session_backend_cb, s) == -1) {
		iplimit_del(rt, peer->sp_key, peer->sp_keylen);
		goto fail;
	}
	s->se_fd = fd;
	memcpy(s->se_ipkey, peer->sp_key, peer->sp_keylen);
	s->se_ipkeylen = peer->sp_keylen;
	s->se_id = ++session_lastid;
	s->se_state = FSM_ST_START;
	s->se_route = rt;
	s->se_wsi = wsi;
	memcpy(s->se_peer, peer->sp_text, sizeof(s->se_peer));
	s->se_start = s->se_active = loop_now();
	loop_timer_init(&s->se_idle, session_idle_cb, s);
	loop_timer_init(&s->se_ping, session_ping_cb, s);
	loop_timer_init(&s->se_pong, session_pong_cb, s);
	loop_timer_init(&s->se_send, session_send_cb, s);
	loop_timer_init(&s->se_stall, session_stall_cb, s);
	loop_timer_init(&s->se_close, session_close_cb, s);
	loop_timer_init(&s->se_connect, session_connect_cb, s);
	s->se_connecting = connecting != 0;
	rt->rt_sessions++;
	metrics_session_start(rt);
	session_nlive++;
	session_link(&session_live, s);
	log_debug("session %u: %s %s -> %s", s->se_id, s->se_peer,
	    rt->rt_path, fd != -1 ? rt->rt_backend : "(backend down)");
	if (fd == -1)
		ev = FSM_EV_BACKEND_DOWN;
	else
		ev = connecting ? FSM_EV_BACKEND_CONNECTING : FSM_EV_BACKEND_UP;
	session_dispatch(s, ev);
	return (s);

 fail:
	if (s != NULL)
		bufq_clear(&s->se_tobackend);
	free(s);
	if (fd != -1)
		close(fd);
	return (NULL);
}

unsigned int
session_count(void)
{
	return (session_nlive);
}

/*
 * Raise an event from inside an action: it runs after the actions.  Only
 * the events fsm_action_raises() names for the running action, so the
 * queue cannot overflow (check_fsm derives FSM_QUEUE_MAX from the table).
 * Outside a dispatch (a flush on EPOLLOUT) the event runs at once.
 */
static void
session_raise(struct session *s, enum fsm_event ev)
{
	if (!s->se_dispatching) {
		session_dispatch(s, ev);
		return;
	}
	assert(fsm_action_raises(s->se_acting).events &
	    (UINT64_C(1) << ev));
	assert(s->se_npending < FSM_QUEUE_MAX);
	s->se_pending[s->se_npending++] = (uint8_t)ev;
}

/*
 * Write what the backend queue holds; once it is empty and an EOF was
 * asked for, shut the write side.  Raises at most one event: a datagram
 * too big, an error, room for a paused client (half the budget free), or
 * the shutdown's outcome.
 */
static void
session_flush(struct session *s)
{
	struct bufq	*q = &s->se_tobackend;
	int		 dgram = s->se_route->rt_framing == FRAMING_SEQPACKET;

	if (s->se_fd == -1)
		return;
	while (!bufq_empty(q) && !s->se_be_blocked) {
		if (bufq_flush(q, s->se_fd, dgram) != -1 || errno == EAGAIN) {
			if (!bufq_empty(q))
				s->se_be_blocked = 1;	/* until EPOLLOUT */
			break;
		}
		if (errno == EMSGSIZE) {
			/* A datagram the socket cannot carry: 1009. */
			s->se_c2b.sc_dropped += bufq_drop_first(q);
			session_raise(s, FSM_EV_CLIENT_TOO_BIG);
			return;
		}
		log_debug("session %u: backend write: %s", s->se_id,
		    strerror(errno));
		session_raise(s, FSM_EV_BACKEND_ERROR);
		return;
	}
	/* Once the client is done, its reads no longer matter. */
	if (s->se_rx_paused && !s->se_shut_pending &&
	    q->bq_bytes < s->se_route->rt_buffer_size / 2)
		session_raise(s, FSM_EV_BACKEND_QUEUE_ROOM);
	else if (bufq_empty(q) && s->se_shut_pending) {
		s->se_shut_pending = 0;
		if (shutdown(s->se_fd, SHUT_WR) == -1)
			session_raise(s, FSM_EV_BACKEND_ERROR);
		else
			session_raise(s, FSM_EV_BACKEND_WR_CLOSED);
	}
}

/*
 * A whole message that nothing waits in front of goes out in one
 * sendmsg() straight from libwebsockets' buffer; what the socket does not
 * take is copied into the queue.  Returns -1 on a socket error.
 */
static int
session_send_direct(struct session *s, const unsigned char *pre, size_t npre,
    const unsigned char *p, size_t len, const unsigned char *post,
    size_t npost)
{
	struct bufq	*q = &s->se_tobackend;
	struct iovec	 iov[3] = {
		{ (void *)pre, npre }, { (void *)p, len }, { (void *)post, npost }
	};
	struct msghdr	 msg;
	size_t		 sent, i;
	ssize_t		 n;

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = iov;
	msg.msg_iovlen = 3;
	n = sendmsg(s->se_fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n == -1 && errno != EAGAIN)
		return (-1);
	sent = n > 0 ? (size_t)n : 0;
	if (sent == npre + len + npost)
		return (0);
	/* Queue the rest: the part of each piece the socket did not take. */
	for (i = 0; i < 3; i++) {
		if (sent >= iov[i].iov_len) {
			sent -= iov[i].iov_len;
			iov[i].iov_len = 0;
			continue;
		}
		iov[i].iov_base = (char *)iov[i].iov_base + sent;
		iov[i].iov_len -= sent;
		sent = 0;
	}
	s->se_be_blocked = 1;
	if (bufq_append(q, iov[1].iov_base, iov[1].iov_len) == -1 ||
	    bufq_commit(q, iov[0].iov_base, iov[0].iov_len, iov[2].iov_base,
	    iov[2].iov_len) == -1) {
		errno = ENOMEM;
		return (-1);
	}
	return (0);
}

/*
 * FORWARD_CLIENT: a chunk of a client message to the backend, framed as
 * the route says once the message is complete.  A full queue is
 * BACKEND_QUEUE_FULL.
 */
static void
session_forward_client(struct session *s)
{
	struct route	*rt = s->se_route;
	struct bufq	*q = &s->se_tobackend;
	unsigned char	 pre[FRAMING_PREFIX_MAX], post[1];
	size_t		 npre, npost;
	int		 rc;

	s->se_c2b.sc_bytes += s->se_inlen;
	if (!s->se_in_final) {
		rc = bufq_append(q, s->se_in, s->se_inlen);
	} else {
		s->se_c2b.sc_msgs++;
		s->se_active = loop_now();
		npre = framing_wrap(rt->rt_framing, s->se_rx_binary ?
		    FRAMING_TYPE_BINARY : FRAMING_TYPE_TEXT, s->se_rx_msg, pre,
		    post, &npost);
		if (bufq_empty(q) && q->bq_part == NULL && !s->se_be_blocked)
			rc = session_send_direct(s, pre, npre, s->se_in,
			    s->se_inlen, post, npost);
		else
			rc = bufq_append(q, s->se_in, s->se_inlen) == -1 ||
			    bufq_commit(q, pre, npre, post, npost) == -1 ?
			    -1 : 0;
	}
	if (rc == -1) {
		if (errno == EMSGSIZE)	/* seqpacket: too big to send */
			session_raise(s, FSM_EV_CLIENT_TOO_BIG);
		else {
			log_debug("session %u: backend write: %s", s->se_id,
			    strerror(errno));
			session_raise(s, FSM_EV_BACKEND_ERROR);
		}
		return;
	}
	if (s->se_in_final)
		session_flush(s);
	if (!s->se_rx_paused && q->bq_bytes >= rt->rt_buffer_size)
		session_raise(s, FSM_EV_BACKEND_QUEUE_FULL);
}

/* FORWARD_CLOSE: the client's close code and reason, as a close message. */
static void
session_forward_close(struct session *s)
{
	unsigned char	 msg[FRAMING_CLOSE_MAX];
	size_t		 n;

	/* se_in is the reason, borrowed for the CLIENT_CLOSE dispatch. */
	n = framing_close(s->se_route->rt_framing, s->se_code_recv,
	    s->se_in, s->se_inlen, msg);
	if (n == 0)
		return;
	s->se_c2b.sc_dropped += bufq_drop_partial(&s->se_tobackend);
	if (bufq_append(&s->se_tobackend, msg, n) == -1 ||
	    bufq_commit(&s->se_tobackend, NULL, 0, NULL, 0) == -1) {
		session_raise(s, FSM_EV_BACKEND_ERROR);
		return;
	}
	session_flush(s);
}

/*
 * After a write to the client (RC: its result): a failed write, or more
 * backend data waiting, is an event.
 */
static void
session_sent(struct session *s, int rc)
{
	if (rc == -1)
		session_raise(s, FSM_EV_CLIENT_WRITE_ERROR);
	else if (s->se_be_readable || s->se_fb_len > s->se_fb_off)
		session_raise(s, FSM_EV_CLIENT_BEHIND);
}

/*
 * Where raw backend data is read: the shared buffer, so that a raw
 * session holds none of its own, unless libwebsockets compresses it:
 * zlib then reads from it until the client is writeable again, and the
 * next session's read would overwrite the shared one.  NULL when out of
 * memory.
 */
static unsigned char *
session_raw_buffer(struct session *s, size_t *size)
{
	unsigned char	*buf = ws_tx_buffer(size);

	if (!s->se_deflate)
		return (buf);
	if (s->se_fb == NULL &&
	    (s->se_fb = malloc(ws_headroom() + *size)) == NULL)
		return (NULL);
	return (s->se_fb + ws_headroom());
}

/*
 * Raw: one read from the backend, sent as one message.  In text mode a
 * UTF-8 character split by the read waits for the next one.
 */
static void
session_forward_raw(struct session *s)
{
	struct route	*rt = s->se_route;
	unsigned char	*buf;
	size_t		 size, have, hold;
	ssize_t		 n;

	if (!s->se_be_readable)
		return;
	if ((buf = session_raw_buffer(s, &size)) == NULL) {
		session_raise(s, FSM_EV_BACKEND_ERROR);
		return;
	}
	if (size > rt->rt_buffer_size)
		size = rt->rt_buffer_size;
	memcpy(buf, s->se_utf8, s->se_utf8len);
	n = recv(s->se_fd, buf + s->se_utf8len, size - s->se_utf8len,
	    MSG_DONTWAIT);
	if (n == 0) {
		s->se_b2c.sc_dropped += s->se_utf8len;
		session_raise(s, FSM_EV_BACKEND_EOF);
		return;
	}
	if (n == -1) {
		if (errno == EAGAIN || errno == EINTR) {
			s->se_be_readable = errno == EINTR;
			return;
		}
		log_debug("session %u: backend read: %s", s->se_id,
		    strerror(errno));
		session_raise(s, FSM_EV_BACKEND_ERROR);
		return;
	}
	/*
	 * Edge-triggered: a short read emptied the socket, and new data will
	 * raise a new edge.  After a hang-up no edge comes, so read on until
	 * the EOF.
	 */
	if ((size_t)n < size - s->se_utf8len && !s->se_be_hup)
		s->se_be_readable = 0;
	have = s->se_utf8len + (size_t)n;
	hold = rt->rt_text ? framing_utf8_incomplete(buf, have) : 0;
	s->se_utf8len = hold;
	memcpy(s->se_utf8, buf + have - hold, hold);
	if (have > hold) {
		s->se_b2c.sc_msgs++;
		s->se_b2c.sc_bytes += have - hold;
		s->se_active = loop_now();
	}
	return (session_sent(s, have == hold ? 0 :
	    ws_send(s->se_wsi, buf, have - hold, rt->rt_text)));
}

/*
 * Make room for at least WANT more bytes in the framed-mode buffer, which
 * never holds more than one message (max_message_size and its framing)
 * plus one read.  Returns the free space, or 0 when memory ran out.
 */
static size_t
session_fb_room(struct session *s, size_t want)
{
	size_t		 pre = ws_headroom(), need, cap;
	unsigned char	*nb;

	if (s->se_fb_off > 0) {
		memmove(s->se_fb + pre, s->se_fb + pre + s->se_fb_off,
		    s->se_fb_len - s->se_fb_off);
		s->se_fb_len -= s->se_fb_off;
		s->se_fb_off = 0;
	}
	need = s->se_fb_len + want;
	if (need > s->se_fb_cap) {
		cap = s->se_fb_cap ? s->se_fb_cap : 4096;
		while (cap < need)
			cap *= 2;
		if ((nb = realloc(s->se_fb, pre + cap)) == NULL)
			return (0);
		s->se_fb = nb;
		s->se_fb_cap = cap;
	}
	return (s->se_fb_cap - s->se_fb_len);
}

/*
 * Read from the backend into the framed-mode buffer: a stream as much as
 * fits, a seqpacket socket exactly one datagram.  Returns the bytes read,
 * 0 at EOF, -1 with errno.
 */
static ssize_t
session_fb_read(struct session *s)
{
	struct route	*rt = s->se_route;
	size_t		 room, limit;
	ssize_t		 n;

	/* At most one message and its framing, and a read's worth more. */
	limit = rt->rt_max_message_size + FRAMING_PREFIX_MAX + 1;
	if (rt->rt_framing == FRAMING_SEQPACKET) {
		n = recv(s->se_fd, NULL, 0, MSG_PEEK | MSG_TRUNC |
		    MSG_DONTWAIT);
		if (n == -1 || (n == 0 && s->se_be_hup))
			return (n);	/* error, or EOF */
		if (n == 0) {
			/* An empty datagram, not an EOF: a framing fault. */
			recv(s->se_fd, NULL, 0, MSG_DONTWAIT);
			errno = EBADMSG;
			return (-1);
		}
		/* A longer datagram is cut here and judged too big. */
		room = (size_t)n < limit ? (size_t)n : limit;
		if (session_fb_room(s, room) == 0) {
			errno = ENOMEM;
			return (-1);
		}
		n = recv(s->se_fd, s->se_fb + ws_headroom() + s->se_fb_len,
		    room, MSG_DONTWAIT);
		if (n > (ssize_t)room)
			n = (ssize_t)room;
	} else {
		room = s->se_fb_len < limit ? limit - s->se_fb_len : 0;
		if (room > 65536)
			room = 65536;
		if ((room = session_fb_room(s, room)) == 0) {
			errno = ENOMEM;
			return (-1);
		}
		n = recv(s->se_fd, s->se_fb + ws_headroom() + s->se_fb_len,
		    room, MSG_DONTWAIT);
		/* Edge-triggered: see session_forward_raw(). */
		if (n > 0 && (size_t)n < room && !s->se_be_hup)
			s->se_be_readable = 0;
	}
	if (n > 0)
		s->se_fb_len += (size_t)n;
	return (n);
}

/*
 * Framed modes: send the next whole message from the buffer, reading
 * from the backend only as far as it takes to complete one.  A close
 * message, a message that is too big or a framing fault becomes the
 * matching event.
 */
static void
session_forward_framed(struct session *s)
{
	struct route		*rt = s->se_route;
	struct framing_msg	 m;
	unsigned char		*base;
	ssize_t			 n;
	enum framing_result	 r;

	for (;;) {
		r = FRAMING_NEED_MORE;
		if (s->se_fb_len > s->se_fb_off) {
			base = s->se_fb + ws_headroom() + s->se_fb_off;
			r = framing_decode(rt->rt_framing, base,
			    s->se_fb_len - s->se_fb_off,
			    rt->rt_max_message_size, rt->rt_text, &m);
		}
		if (r != FRAMING_NEED_MORE)
			break;
		if (!s->se_be_readable)
			return;
		if (rt->rt_framing == FRAMING_SEQPACKET)
			s->se_fb_off = s->se_fb_len = 0;
		n = session_fb_read(s);
		if (n == 0) {
			s->se_b2c.sc_dropped += s->se_fb_len - s->se_fb_off;
			session_raise(s, FSM_EV_BACKEND_EOF);
			return;
		}
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR) {
				s->se_be_readable = errno == EINTR;
				continue;
			}
			if (errno == EBADMSG) {
				log_warnx("session %u: %s: empty datagram",
				    s->se_id, rt->rt_path);
				session_raise(s, FSM_EV_BACKEND_BAD_FRAME);
				return;
			}
			log_debug("session %u: backend read: %s", s->se_id,
			    strerror(errno));
			session_raise(s, FSM_EV_BACKEND_ERROR);
			return;
		}
	}
	s->se_fb_off += m.fm_used;
	if (s->se_fb_off == s->se_fb_len)
		s->se_fb_off = s->se_fb_len = 0;
	switch (r) {
	case FRAMING_MESSAGE:
		s->se_b2c.sc_msgs++;
		s->se_b2c.sc_bytes += m.fm_len;
		s->se_active = loop_now();
		session_sent(s, ws_send(s->se_wsi, base + m.fm_off, m.fm_len,
		    m.fm_text));
		break;
	case FRAMING_CLOSE:
		s->se_be_code = m.fm_code;
		memcpy(s->se_be_reason, base + m.fm_off, m.fm_len);
		s->se_be_reason[m.fm_len] = '\0';
		session_raise(s, FSM_EV_BACKEND_CLOSE);
		break;
	case FRAMING_TOO_BIG:
	case FRAMING_BAD:
		log_warnx("session %u: %s: %s", s->se_id, rt->rt_path,
		    m.fm_fault);
		session_raise(s, r == FRAMING_TOO_BIG ?
		    FSM_EV_BACKEND_TOO_BIG : FSM_EV_BACKEND_BAD_FRAME);
		break;
	case FRAMING_NEED_MORE:
		break;
	}
}

/*
 * FORWARD_BACKEND, on CLIENT_WRITEABLE: one write per callback, a queued
 * ping first.
 */
static void
session_forward_backend(struct session *s)
{
	if (s->se_ping_pending) {
		s->se_ping_pending = 0;
		session_sent(s, ws_send_ping(s->se_wsi));
	} else if (s->se_route->rt_framing == FRAMING_RAW)
		session_forward_raw(s);
	else
		session_forward_framed(s);
}

/* DISCARD_BACKEND: the client is closing; read to keep the backend going. */
static void
session_discard_backend(struct session *s)
{
	unsigned char	*buf;
	size_t		 size;
	ssize_t		 n;

	buf = ws_tx_buffer(&size);
	for (;;) {
		n = recv(s->se_fd, buf, size, MSG_DONTWAIT);
		if (n > 0) {
			s->se_b2c.sc_dropped += (size_t)n;
			continue;
		}
		if (n == 0)
			session_raise(s, FSM_EV_BACKEND_EOF);
		else if (errno == EINTR)
			continue;
		else if (errno != EAGAIN)
			session_raise(s, FSM_EV_BACKEND_ERROR);
		break;
	}
	s->se_be_readable = 0;
}

static void
session_close_backend(struct session *s)
{
	if (s->se_fd != -1) {
		loop_del(s->se_fd);
		close(s->se_fd);
		s->se_fd = -1;
	}
	s->se_c2b.sc_dropped += bufq_clear(&s->se_tobackend);
}

static const char *
session_code(char *buf, size_t size, uint16_t code, const char *reason)
{
	if (code == 0)
		snprintf(buf, size, "none");
	else
		snprintf(buf, size, "%u \"%s\"", code, reason);
	return (buf);
}

/* RELEASE: the one exit of every session, with its summary line. */
static void
session_release(struct session *s)
{
	char		 sent[SESSION_REASON_MAX + 16];
	char		 recvd[SESSION_REASON_MAX + 16];
	char		 why[SESSION_REASON_MAX];
	char		 recvd_why[SESSION_REASON_MAX];
	uint64_t	 ms = loop_now() - s->se_start;

	loop_timer_cancel(&s->se_idle);
	loop_timer_cancel(&s->se_ping);
	loop_timer_cancel(&s->se_pong);
	loop_timer_cancel(&s->se_send);
	loop_timer_cancel(&s->se_stall);
	loop_timer_cancel(&s->se_close);
	loop_timer_cancel(&s->se_connect);
	free(s->se_fb);
	s->se_fb = NULL;
	session_close_backend(s);
	if (s->se_wsi != NULL) {
		ws_detach(s->se_wsi);
		s->se_wsi = NULL;
	}
	/* Escaped only now: an idle session holds no copy of it. */
	log_escape(recvd_why, sizeof(recvd_why), s->se_reason_recv,
	    s->se_reason_recvlen);
	if (s->se_close_reason == (const char *)s->se_reason_recv)
		memcpy(why, recvd_why, sizeof(why));
	else if (s->se_close_reason != NULL)
		log_escape(why, sizeof(why), s->se_close_reason,
		    strlen(s->se_close_reason));
	else
		why[0] = '\0';
	log_info("session %u: end route %s peer %s duration %" PRIu64
	    ".%03" PRIu64 "s ended-by %s close-sent %s close-received %s"
	    " client->backend %" PRIu64 " msgs %" PRIu64 " bytes %" PRIu64
	    " dropped backend->client %" PRIu64 " msgs %" PRIu64 " bytes %"
	    PRIu64 " dropped", s->se_id, s->se_route->rt_path, s->se_peer,
	    ms / 1000, ms % 1000, fsm_side_name(s->se_ended_by),
	    session_code(sent, sizeof(sent), s->se_code_sent, why),
	    session_code(recvd, sizeof(recvd),
	    s->se_code_recv, recvd_why), s->se_c2b.sc_msgs,
	    s->se_c2b.sc_bytes, s->se_c2b.sc_dropped, s->se_b2c.sc_msgs,
	    s->se_b2c.sc_bytes, s->se_b2c.sc_dropped);
	iplimit_del(s->se_route, s->se_ipkey, s->se_ipkeylen);
	metrics_session_end(s);
	s->se_route->rt_sessions--;
	session_nlive--;
	session_unlink(&session_live, s);
	session_link(&session_released, s);
}

static void
session_arm(struct loop_timer *t, uint64_t ms)
{
	if (ms > 0)
		loop_timer_arm(t, ms);
}

/* Run one action; returns -1 when the lws callback must return -1. */
static int
session_act(struct session *s, unsigned int a)
{
	struct route	*rt = s->se_route;

	switch (a) {
	case FSM_A_RECORD_CLOSE:
		/* se_in is the reason, borrowed for the CLIENT_CLOSE dispatch. */
		s->se_code_recv = s->se_in_code;
		s->se_reason_recvlen = (uint8_t)(s->se_inlen <
		    sizeof(s->se_reason_recv) ? s->se_inlen :
		    sizeof(s->se_reason_recv));
		if (s->se_reason_recvlen > 0)
			memcpy(s->se_reason_recv, s->se_in,
			    s->se_reason_recvlen);
		break;
	case FSM_A_FORWARD_CLIENT:
		session_forward_client(s);
		break;
	case FSM_A_FORWARD_CLOSE:
		session_forward_close(s);
		break;
	case FSM_A_DISCARD_CLIENT:
		s->se_c2b.sc_dropped += s->se_inlen;
		break;
	case FSM_A_TRUNCATE_MESSAGE:
		s->se_c2b.sc_dropped += bufq_drop_partial(&s->se_tobackend) +
		    s->se_inlen;
		break;
	case FSM_A_PAUSE_CLIENT_RX:
		s->se_rx_paused = 1;
		metrics_pause(rt);
		ws_rx_flow(s->se_wsi, 0);
		break;
	case FSM_A_RESUME_CLIENT_RX:
		if (s->se_rx_paused && s->se_wsi != NULL)
			ws_rx_flow(s->se_wsi, 1);
		s->se_rx_paused = 0;
		break;
	case FSM_A_FORWARD_BACKEND:
		session_forward_backend(s);
		break;
	case FSM_A_DISCARD_BACKEND:
		session_discard_backend(s);
		break;
	case FSM_A_QUEUE_PING:
		s->se_ping_pending = 1;
		break;
	case FSM_A_CANCEL_PONG_TIMER:
		loop_timer_cancel(&s->se_pong);
		break;
	/*
	 * The send timer is stopped and started for every message toward
	 * the client: only a timestamp moves, and the heap sees one timer
	 * per send_timeout at most (as with the idle timer); it fires into
	 * session_send_cb(), which knows the wait from the timestamp.
	 */
	case FSM_A_STOP_SEND_TIMER:
		s->se_send_since = 0;
		break;
	case FSM_A_START_SEND_TIMER:
		if (s->se_send_since == 0)
			s->se_send_since = loop_now() + 1;
		if (!loop_timer_armed(&s->se_send))
			session_arm(&s->se_send, rt->rt_send_timeout);
		break;
	case FSM_A_RESTART_SEND_TIMER:
		s->se_send_since = loop_now() + 1;
		if (!loop_timer_armed(&s->se_send))
			session_arm(&s->se_send, rt->rt_send_timeout);
		break;
	case FSM_A_STOP_STALL_TIMER:
		loop_timer_cancel(&s->se_stall);
		break;
	case FSM_A_ARM_IDLE_TIMER:
		session_arm(&s->se_idle, rt->rt_idle_timeout);
		break;
	case FSM_A_ARM_PING_TIMER:
		session_arm(&s->se_ping, rt->rt_ping_interval);
		break;
	case FSM_A_ARM_PONG_TIMER:
		session_arm(&s->se_pong, rt->rt_ping_timeout);
		break;
	case FSM_A_ARM_STALL_TIMER:
		/* Progress is what the backend took from its socket since. */
		s->se_stall_outq = session_outq(s);
		session_arm(&s->se_stall, rt->rt_send_timeout);
		break;
	case FSM_A_ARM_CLOSE_TIMER:
		session_arm(&s->se_close, rt->rt_close_timeout);
		break;
	case FSM_A_SEND_CLOSE:
		s->se_close_queued = 1;
		ws_send_close(s->se_wsi, s->se_code_sent, s->se_close_reason);
		return (-1);
	case FSM_A_DROP_CLIENT:
		if (s->se_wsi != NULL)
			ws_drop(s->se_wsi);
		break;
	case FSM_A_SHUT_BACKEND_WR:
		s->se_c2b.sc_dropped += bufq_drop_partial(&s->se_tobackend);
		s->se_shut_pending = 1;
		session_flush(s);
		break;
	case FSM_A_CLOSE_BACKEND:
		session_close_backend(s);
		break;
	case FSM_A_WANT_WRITEABLE:
		if (s->se_wsi != NULL)
			ws_want_writeable(s->se_wsi);
		break;
	case FSM_A_ARM_CONNECT_TIMER:
		session_arm(&s->se_connect, rt->rt_connect_timeout);
		break;
	case FSM_A_ACCEPT_UPGRADE:
		return (ws_accept(s->se_wsi));
	case FSM_A_REFUSE_UPGRADE:
		return (ws_refuse_held(s->se_wsi, s->se_peer, rt->rt_path,
		    s->se_http_status, s->se_close_reason));
	case FSM_A_RELEASE:
		session_release(s);
		break;
	}
	return (0);
}

/* The close code a row names, as sent from now on, with its reason. */
static void
session_close_code(struct session *s, const struct fsm_step *st)
{
	switch (st->close_code) {
	case 0:
		return;
	case FSM_CODE_BACKEND:
		s->se_code_sent = s->se_be_code;
		s->se_close_reason = s->se_be_reason;
		break;
	case FSM_CODE_CLIENT:
		s->se_code_sent = s->se_in_code;
		s->se_close_reason = (const char *)s->se_reason_recv;
		break;
	case FSM_CODE_LWS:
		s->se_code_sent = s->se_wsi != NULL ?
		    ws_close_code(s->se_wsi) : 0;
		s->se_close_reason = "";
		break;
	default:
		s->se_code_sent = st->close_code;
		s->se_close_reason = st->reason != NULL ? st->reason : "";
		break;
	}
}

static int
session_step(struct session *s, enum fsm_event ev)
{
	struct fsm_step	 st;
	unsigned int	 acts;
	int		 rc = 0;

	st = fsm_next(s->se_state, ev);
	if (st.next != s->se_state)
		log_debug("session %u: %s: %s -> %s", s->se_id,
		    fsm_event_name(ev), fsm_state_name(s->se_state),
		    fsm_state_name(st.next));
	if (st.ended_by != FSM_SIDE_NONE)
		s->se_ended_by = st.ended_by;
	s->se_state = st.next;
	session_close_code(s, &st);
	if (st.http_status != 0) {
		s->se_http_status = st.http_status;
		s->se_close_reason = st.reason;
	}
	/* The set bits only, lowest first: the fixed order of fsm.h. */
	for (acts = st.actions; acts != 0; acts &= acts - 1) {
		s->se_acting = acts & -acts;
		if (session_act(s, s->se_acting) == -1)
			rc = -1;
	}
	s->se_acting = 0;
	return (rc);
}

/*
 * Not re-entered: nothing an action calls in libwebsockets runs a
 * callback, and what actions find out is raised, not dispatched.
 */
int
session_dispatch(struct session *s, enum fsm_event ev)
{
	unsigned int	 i;
	int		 rc;

	assert(!s->se_dispatching);
	s->se_dispatching = 1;
	rc = session_step(s, ev);
	for (i = 0; i < s->se_npending; i++)
		if (session_step(s, s->se_pending[i]) == -1)
			rc = -1;
	s->se_npending = 0;
	s->se_dispatching = 0;
	return (rc);
}

int
session_client_data(struct session *s, const void *in, size_t len,
    int first, int final, int binary)
{
	struct route	*rt = s->se_route;
	enum fsm_event	 ev = FSM_EV_CLIENT_DATA;
	int		 rc;

	if (first) {
		s->se_rx_msg = 0;
		s->se_rx_binary = binary;
	}
	s->se_rx_msg += len;
	s->se_in = in;
	s->se_inlen = len;
	s->se_in_final = final;
	if (s->se_rx_msg > rt->rt_max_message_size)
		ev = FSM_EV_CLIENT_TOO_BIG;
	else if (rt->rt_framing == FRAMING_LINES && memchr(in, '\n', len))
		ev = FSM_EV_CLIENT_UNACCEPTABLE;	/* it would split */
	rc = session_dispatch(s, ev);
	s->se_in = NULL;
	s->se_inlen = 0;
	return (rc);
}

int
session_client_close(struct session *s, uint16_t code, const void *reason,
    size_t len)
{
	int	 rc;

	/* For RECORD_CLOSE, FORWARD_CLOSE and FSM_CODE_CLIENT. */
	s->se_in_code = code;
	s->se_in = reason;
	s->se_inlen = len;
	rc = session_dispatch(s, FSM_EV_CLIENT_CLOSE);
	s->se_in = NULL;
	s->se_inlen = 0;
	return (rc);
}

/*
 * lws closes the connection itself after a protocol error (1002, 1007):
 * it sent its close frame and tells no one until the connection is gone.
 * Seen as a close frame that is not ours.
 */
static int
session_lws_closing(struct session *s)
{
	return (s->se_wsi != NULL && s->se_ws_up && !s->se_close_queued &&
	    ws_close_code(s->se_wsi) != 0);
}

int
session_established(struct session *s)
{
	s->se_ws_up = 1;
	ws_limit_message(s->se_wsi, s->se_route->rt_max_message_size);
	/* A held handshake: ACCEPT_UPGRADE is running. */
	if (s->se_dispatching) {
		session_raise(s, FSM_EV_ESTABLISHED);
		return (0);
	}
	return (session_dispatch(s, FSM_EV_ESTABLISHED));
}

int
session_client_writeable(struct session *s)
{
	return (session_dispatch(s, session_lws_closing(s) ?
	    FSM_EV_CLIENT_PROTOCOL_ERROR : FSM_EV_CLIENT_WRITEABLE));
}

void
session_client_gone(struct session *s)
{
	/* lws failed the connection and closed it at once, unseen so far. */
	if (session_lws_closing(s))
		session_dispatch(s, FSM_EV_CLIENT_PROTOCOL_ERROR);
	s->se_wsi = NULL;
	session_dispatch(s, FSM_EV_CLIENT_GONE);
}

void
session_drain_all(void)
{
	struct session	*s, *next;

	for (s = session_live; s != NULL; s = next) {
		next = s->se_next;
		session_dispatch(s, FSM_EV_DRAIN);
	}
}

void
session_foreach(void (*cb)(const struct session *, void *), void *arg)
{
	struct session	*s;

	for (s = session_live; s != NULL; s = s->se_next)
		cb(s, arg);
}

void
session_reap(void)
{
	struct session	*s;

	while ((s = session_released) != NULL) {
		session_unlink(&session_released, s);
		free(s);
	}
}

/*
 * A connect that failed or timed out: with on_backend_down = close the
 * client is accepted and then told, as for a missing UNIX socket.
 */
static enum fsm_event
session_down_event(const struct session *s, enum fsm_event ev)
{
	return (s->se_route->rt_on_backend_down == BACKEND_DOWN_CLOSE ?
	    FSM_EV_BACKEND_DOWN : ev);
}

/* The first EPOLLOUT (or error) of a TCP connect: its outcome. */
static int
session_connect_done(struct session *s)
{
	struct route	*rt = s->se_route;

	s->se_connecting = 0;
	if (backend_connected(s->se_fd) == 0) {
		session_dispatch(s, FSM_EV_BACKEND_UP);
		return (0);
	}
	log_warn("%s: backend %s", rt->rt_path, rt->rt_backend);
	metrics_backend_error(rt, 0);
	session_dispatch(s, session_down_event(s, FSM_EV_BACKEND_ERROR));
	return (-1);
}

static void
session_backend_cb(int fd, uint32_t events, void *arg)
{
	struct session	*s = arg;
	enum fsm_event	 ev;

	(void)fd;
	if (s->se_connecting && ((events & (EPOLLOUT | EPOLLERR |
	    EPOLLHUP)) == 0 || session_connect_done(s) == -1))
		return;
	if (events & EPOLLOUT) {
		s->se_be_blocked = 0;
		session_flush(s);
	}
	/* Before anything goes to a client that lws is closing. */
	if (session_lws_closing(s))
		session_dispatch(s, FSM_EV_CLIENT_PROTOCOL_ERROR);
	if (s->se_fd == -1)
		return;
	if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		s->se_be_hup = 1;
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
		s->se_be_readable = 1;
		ev = s->se_wsi != NULL && ws_idle_output(s->se_wsi) ?
		    FSM_EV_BACKEND_READABLE_CLIENT_READY :
		    FSM_EV_BACKEND_READABLE;
		session_dispatch(s, ev);
	}
}

static void
session_idle_cb(void *arg)
{
	struct session	*s = arg;
	uint64_t	 idle = loop_now() - s->se_active;

	/* Re-armed lazily: activity only moves se_active. */
	if (idle < s->se_route->rt_idle_timeout)
		loop_timer_arm(&s->se_idle, s->se_route->rt_idle_timeout -
		    idle);
	else
		session_dispatch(s, FSM_EV_IDLE_TIMEOUT);
}

static void
session_ping_cb(void *arg)
{
	session_dispatch(arg, FSM_EV_PING_DUE);
}

static void
session_pong_cb(void *arg)
{
	session_dispatch(arg, FSM_EV_PONG_TIMEOUT);
}

static void
session_send_cb(void *arg)
{
	struct session	*s = arg;
	uint64_t	 waited;

	if (s->se_send_since == 0)
		return;		/* the client took what waited */
	waited = loop_now() + 1 - s->se_send_since;
	if (waited < s->se_route->rt_send_timeout)
		loop_timer_arm(&s->se_send, s->se_route->rt_send_timeout -
		    waited);
	else
		session_dispatch(s, FSM_EV_SEND_TIMEOUT);
}

/*
 * Backend data still in the socket, which the backend has not read; -1
 * if unknown.  The socket wakes a blocked writer only once it is three
 * quarters empty, so a slow reader shows its progress only here.
 */
static long
session_outq(struct session *s)
{
	int	 n;

	return (s->se_fd != -1 && ioctl(s->se_fd, SIOCOUTQ, &n) == 0 ? n : -1);
}

static void
session_stall_cb(void *arg)
{
	struct session	*s = arg;
	long		 outq = session_outq(s);

	session_dispatch(s, outq != -1 && outq < s->se_stall_outq ?
	    FSM_EV_BACKEND_PROGRESS : FSM_EV_BACKEND_STALLED);
}

static void
session_close_cb(void *arg)
{
	session_dispatch(arg, FSM_EV_CLOSE_TIMEOUT);
}

static void
session_connect_cb(void *arg)
{
	struct session	*s = arg;
	struct route	*rt = s->se_route;

	if (!s->se_connecting)
		return;		/* it completed or failed in time */
	s->se_connecting = 0;
	log_warnx("%s: backend %s: no connection within connect_timeout",
	    rt->rt_path, rt->rt_backend);
	metrics_backend_error(rt, 0);
	session_dispatch(s, session_down_event(s, FSM_EV_CONNECT_TIMEOUT));
}
