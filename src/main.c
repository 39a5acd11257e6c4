/*
 * main.c: options, start-up order, drain and exit.
 */
#include <sys/resource.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "health.h"
#include "listen.h"
#include "log.h"
#include "loop.h"
#include "metrics.h"
#include "proxy.h"
#include "reload.h"
#include "sdnotify.h"
#include "session.h"
#include "signals.h"
#include "static.h"
#include "tls.h"
#include "ws.h"

#ifndef WSGATE_CONF
#define WSGATE_CONF	"/etc/wsgate/wsgate.ini"
#endif

static const char	*main_file = WSGATE_CONF;
static struct config	*main_conf;
static struct loop_timer main_shutdown;
static struct loop_timer main_drain_delay;
/*
 * 1 from the first SIGTERM: the health check answers 503 and the
 * listeners stay open for drain_delay; 2 once they are closed and the
 * sessions are told to end.
 */
static int		 main_draining;
static int		 main_reload_failed;	/* the last one */

static void
usage(FILE *f)
{
	fprintf(f, "usage: wsgated [-dhtV] [-c file]\n"
	    "  -c file  configuration (default %s)\n"
	    "  -t       check the configuration and exit\n"
	    "  -d       debug logging\n"
	    "  -V       print versions and exit\n"
	    "  -h       this help\n", WSGATE_CONF);
}

/* systemd's STATUS= line. */
static void
main_status(char *buf, unsigned int size)
{
	snprintf(buf, size, "%s%s%u sessions, %zu routes",
	    main_reload_failed ? "reload failed, see the log; " : "",
	    main_draining ? "draining: " : "", session_count(),
	    main_conf->cf_nroutes);
}

static void
main_shutdown_cb(void *arg)
{
	(void)arg;
	log_warnx("shutdown_timeout: %u sessions still open, exiting",
	    session_count());
	loop_stop();
}

/* drain_delay is over, or was 0: stop accepting, end every session. */
static void
main_drain_cb(void *arg)
{
	(void)arg;
	main_draining = 2;
	log_info("draining %u sessions%s", session_count(),
	    main_conf->cf_drain_spread > 0 ? " over drain_spread" : "");
	listen_close();
	session_drain_all(main_conf->cf_drain_spread);
	if (main_conf->cf_shutdown_timeout > 0)
		loop_timer_arm(&main_shutdown, main_conf->cf_shutdown_timeout);
}

static void
main_signal(int signo)
{
	if (signo == SIGHUP) {
		/*
		 * Draining, or about to: the listeners close (or are
		 * closed) and must stay so.
		 */
		if (main_draining) {
			log_warnx("SIGHUP while draining: ignored");
			return;
		}
		sdnotify_reloading();
		main_reload_failed = reload_run(main_file, &main_conf) == -1;
		sdnotify_ready();
		return;
	}
	if (main_draining) {
		log_warnx("second signal: exiting now");
		loop_stop();
		return;
	}
	main_draining = 1;
	sdnotify_stopping();
	health_drain();
	log_info("%s: %u sessions; the health check answers 503%s",
	    strsignal(signo), session_count(), main_conf->cf_drain_delay > 0 ?
	    ", still serving for drain_delay" : "");
	if (main_conf->cf_drain_delay > 0)
		loop_timer_arm(&main_drain_delay, main_conf->cf_drain_delay);
	else
		main_drain_cb(NULL);
}

/* End of each loop iteration: free released sessions, maybe stop. */
static void
main_after(void)
{
	ws_after();
	session_reap();
	reload_reap();
	if (main_draining == 2 && session_count() == 0)
		loop_stop();
}

/* Every session needs two descriptors: take what the hard limit allows. */
static void
main_raise_nofile(void)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
main(int argc, char *argv[])
{
	struct tls_pem	*tls;
	int		 ch, check = 0, debug = 0;

	while ((ch = getopt(argc, argv, "c:dhtV")) != -1) {
		switch (ch) {
		case 'c':
			main_file = optarg;
			break;
		case 'd':
			debug = 1;
			break;
		case 't':
			check = 1;
			break;
		case 'V':
			printf("wsgated %s (libwebsockets %s, %s, %s)\n",
			    PACKAGE_VERSION, ws_version(), tls_version(),
			    sdnotify_enabled() ? "systemd" : "no systemd");
			return (0);
		case 'h':
			usage(stdout);
			return (0);
		default:
			usage(stderr);
			return (1);
		}
	}
	if (optind != argc) {
		usage(stderr);
		return (1);
	}
	log_init(debug);
	if (config_load(main_file, &main_conf, stderr) != 0)
		return (1);
	if (tls_load(main_conf, &tls, stderr) != 0) {
		config_free(main_conf);
		return (1);
	}
	log_set_level(main_conf->cf_log_level);
	if (check) {
		tls_free(tls);
		config_free(main_conf);
		return (0);
	}
	main_raise_nofile();
	if (loop_init() == -1)
		fatal("event loop");
	if (signals_init(main_signal) == -1)
		fatal("signals");
	loop_timer_init(&main_shutdown, main_shutdown_cb, NULL);
	loop_timer_init(&main_drain_delay, main_drain_cb, NULL);
	proxy_reconfigure(main_conf);
	health_reconfigure(main_conf);
	sdnotify_init(main_status);
	if (static_init(main_conf) == -1)
		fatal("static files");
	if (ws_init(main_conf, tls) == -1)
		fatalx("cannot create the libwebsockets context");
	if (listen_open(main_conf) == -1)
		return (1);
	metrics_init();
	if (metrics_prepare(main_conf) == -1)
		return (1);
	metrics_commit(main_conf);
	log_info("wsgated %s started, %zu routes", PACKAGE_VERSION,
	    main_conf->cf_nroutes);
	sdnotify_ready();
	if (loop_run(ws_prepare, main_after) == -1)
		fatal("epoll_wait");
	loop_timer_cancel(&main_drain_delay);
	listen_close();
	proxy_done();
	sdnotify_done();
	ws_done();
	static_done();
	session_reap();
	metrics_done();
	reload_done();
	signals_done();
	loop_done();
	config_free(main_conf);
	log_info("exiting");
	return (0);
}
