/*
 * sdnotify.c: the systemd notification protocol and socket activation,
 * through libsystemd.  A notification that cannot be sent is not an error:
 * the daemon serves the same with or without a service manager.
 */
#include <sys/socket.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "log.h"
#include "loop.h"
#include "sdnotify.h"

/* STATUS= is refreshed this often when it changed. */
#define SDNOTIFY_STATUS_MS	5000

static sdnotify_status_cb *sdnotify_status_fn;
static struct loop_timer sdnotify_timer;
static uint64_t		 sdnotify_period;	/* ms; 0: no timer */
static uint64_t		 sdnotify_watchdog;	/* ms; 0: no watchdog */
static uint64_t		 sdnotify_watchdog_last;
static char		 sdnotify_last[256];

#ifdef HAVE_LIBSYSTEMD
static void
sdnotify_send(const char *msg)
{
	int	 rc;

	if ((rc = sd_notify(0, msg)) < 0)
		log_debug("sd_notify: %s", strerror(-rc));
}

/* WATCHDOG_USEC in ms, or 0 when systemd watches nothing. */
static uint64_t
sdnotify_watchdog_ms(void)
{
	uint64_t	 usec;

	if (sd_watchdog_enabled(0, &usec) <= 0)
		return (0);
	return (usec < 2000 ? 2 : usec / 1000);
}

int
sdnotify_listen_fds(void)
{
	int	 n;

	/* 1: unset LISTEN_*, so nothing we start inherits them. */
	if ((n = sd_listen_fds(1)) < 0) {
		log_warnx("socket activation: %s", strerror(-n));
		return (-1);
	}
	return (n);
}

int
sdnotify_is_listener(int fd)
{
	return (sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1) > 0);
}

int
sdnotify_enabled(void)
{
	return (1);
}
#else
static void
sdnotify_send(const char *msg)
{
	(void)msg;
}

static uint64_t
sdnotify_watchdog_ms(void)
{
	return (0);
}

int
sdnotify_listen_fds(void)
{
	if (getenv("LISTEN_FDS") == NULL)
		return (0);
	log_warnx("socket activation: wsgated was built without libsystemd");
	return (-1);
}

int
sdnotify_is_listener(int fd)
{
	(void)fd;
	return (0);
}

int
sdnotify_enabled(void)
{
	return (0);
}
#endif

/* MSG followed by the current STATUS=, in one datagram. */
static void
sdnotify_with_status(const char *msg)
{
	char	 buf[512];

	sdnotify_status_fn(sdnotify_last, sizeof(sdnotify_last));
	snprintf(buf, sizeof(buf), "%s%sSTATUS=%s", msg, *msg ? "\n" : "",
	    sdnotify_last);
	sdnotify_send(buf);
}

static void
sdnotify_timer_cb(void *arg)
{
	char	 now[sizeof(sdnotify_last)];

	(void)arg;
	if (sdnotify_watchdog > 0 &&
	    loop_now() - sdnotify_watchdog_last >= sdnotify_watchdog / 2) {
		sdnotify_send("WATCHDOG=1");
		sdnotify_watchdog_last = loop_now();
	}
	sdnotify_status_fn(now, sizeof(now));
	if (strcmp(now, sdnotify_last) != 0)
		sdnotify_with_status("");
	loop_timer_arm(&sdnotify_timer, sdnotify_period);
}

void
sdnotify_init(sdnotify_status_cb *cb)
{
	sdnotify_status_fn = cb;
	loop_timer_init(&sdnotify_timer, sdnotify_timer_cb, NULL);
	if (getenv("NOTIFY_SOCKET") == NULL)
		return;
	/* Ping at half the interval, as sd_watchdog_enabled(3) asks. */
	sdnotify_watchdog = sdnotify_watchdog_ms();
	sdnotify_period = SDNOTIFY_STATUS_MS;
	if (sdnotify_watchdog > 0 && sdnotify_watchdog / 2 < sdnotify_period)
		sdnotify_period = sdnotify_watchdog / 2;
	sdnotify_watchdog_last = loop_now();
	loop_timer_arm(&sdnotify_timer, sdnotify_period);
}

void
sdnotify_done(void)
{
	loop_timer_cancel(&sdnotify_timer);
}

void
sdnotify_ready(void)
{
	sdnotify_with_status("READY=1");
}

/* systemd 253's Type=notify-reload wants the reload's start time. */
void
sdnotify_reloading(void)
{
	struct timespec	 ts;
	char		 buf[64];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(buf, sizeof(buf), "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000 +
	    (unsigned long long)ts.tv_nsec / 1000);
	sdnotify_send(buf);
}

void
sdnotify_stopping(void)
{
	sdnotify_with_status("STOPPING=1");
}
