/*
 * signals.c: the signalfd.
 */
#include <sys/epoll.h>
#include <sys/signalfd.h>

#include <signal.h>
#include <unistd.h>

#include "loop.h"
#include "signals.h"

static int		 signals_fd = -1;
static signals_cb	*signals_handler;

static void
signals_read_cb(int fd, uint32_t events, void *arg)
{
	struct signalfd_siginfo	 si;

	(void)events;
	(void)arg;
	while (read(fd, &si, sizeof(si)) == sizeof(si))
		signals_handler((int)si.ssi_signo);
}

int
signals_init(signals_cb *cb)
{
	sigset_t	 set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		return (-1);
	signals_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (signals_fd == -1)
		return (-1);
	signals_handler = cb;
	return (loop_add(signals_fd, EPOLLIN, signals_read_cb, NULL));
}

void
signals_done(void)
{
	if (signals_fd != -1) {
		loop_del(signals_fd);
		close(signals_fd);
	}
	signals_fd = -1;
}
