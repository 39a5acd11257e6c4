/*
 * reload.c: SIGHUP.  The file is parsed into a new configuration, which
 * replaces the current one for new handshakes only if it loads without
 * error and its new listen addresses can be bound; otherwise nothing
 * changes.  Sessions keep the route they started on, so the configuration
 * they borrow it from is retired, not freed: each route counts its live
 * sessions (rt_sessions), and reload_reap() frees a retired configuration
 * once none is left on any of its routes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "listen.h"
#include "log.h"
#include "metrics.h"
#include "reload.h"
#include "health.h"
#include "proxy.h"
#include "static.h"
#include "tls.h"
#include "ws.h"

struct retired {
	struct config	*re_cf;		/* owned */
	struct retired	*re_next;
};

static struct retired	*reload_retired;	/* owned list */

static unsigned int
reload_sessions(const struct config *cf)
{
	unsigned int	 n = 0;
	size_t		 i;

	for (i = 0; i < cf->cf_nroutes; i++)
		n += cf->cf_routes[i].rt_sessions;
	return (n);
}

/*
 * Parse FILE and read the TLS files it names into *TP; every error goes
 * to the log as FILE:LINE: message.
 */
static struct config *
reload_parse(const char *file, struct tls_pem **tp)
{
	struct config	*cf;
	FILE		*errs;
	char		*msgs = NULL, *line, *next;
	size_t		 len;
	int		 nerr;

	if ((errs = open_memstream(&msgs, &len)) == NULL) {
		log_warn("reload");
		return (NULL);
	}
	nerr = config_load(file, &cf, errs);
	if (nerr == 0 && (nerr = tls_load(cf, tp, errs)) > 0) {
		config_free(cf);
		cf = NULL;
	}
	fclose(errs);
	for (line = msgs; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		log_errx("reload: %s", line);
	}
	free(msgs);
	if (nerr > 0)
		log_errx("reload: %d error%s in %s; the configuration in "
		    "use stays", nerr, nerr == 1 ? "" : "s", file);
	return (cf);
}

static void
reload_retire(struct config *cf)
{
	struct retired	*re;
	unsigned int	 n;

	if ((n = reload_sessions(cf)) == 0) {
		config_free(cf);
		return;
	}
	/* Without memory to track it, keeping it forever is still safe. */
	if ((re = malloc(sizeof(*re))) == NULL) {
		log_warn("reload: the previous configuration is never freed");
		return;
	}
	re->re_cf = cf;
	re->re_next = reload_retired;
	reload_retired = re;
	log_info("reload: %u sessions go on with the previous configuration",
	    n);
}

int
reload_run(const char *file, struct config **cur)
{
	struct config	*cf;
	struct tls_pem	*tp = NULL;

	log_info("reload: reading %s", file);
	if ((cf = reload_parse(file, &tp)) == NULL) {
		metrics_reload(0);
		return (-1);
	}
	if (!ws_tls_can_use(tp)) {
		log_errx("reload: %s: tls_ca differs from the one in use, "
		    "and a new client CA takes a restart; the configuration "
		    "in use stays", file);
		tls_free(tp);
		config_free(cf);
		metrics_reload(0);
		return (-1);
	}
	/* The vhosts keep the mounts they were made with (static.c). */
	if (!static_same(cf)) {
		log_errx("reload: %s: the [static] sections differ from those "
		    "in use, and they take a restart; the configuration in "
		    "use stays", file);
		tls_free(tp);
		config_free(cf);
		metrics_reload(0);
		return (-1);
	}
	if (metrics_prepare(cf) == -1 || listen_update(cf) == -1) {
		log_errx("reload: cannot listen as %s asks; the "
		    "configuration in use stays", file);
		metrics_abort();
		tls_free(tp);
		config_free(cf);
		metrics_reload(0);
		return (-1);
	}
	metrics_commit(cf);
	metrics_reload(1);
	ws_reconfigure(cf);
	proxy_reconfigure(cf);
	health_reconfigure(cf);
	/* Certificates go to new handshakes; open sessions keep theirs. */
	ws_tls(tp);
	log_set_level(cf->cf_log_level);
	ws_log_level();
	reload_retire(*cur);
	*cur = cf;
	log_info("reload: done, %zu routes", cf->cf_nroutes);
	return (0);
}

void
reload_reap(void)
{
	struct retired	**rp, *re;

	for (rp = &reload_retired; (re = *rp) != NULL; ) {
		if (reload_sessions(re->re_cf) > 0) {
			rp = &re->re_next;
			continue;
		}
		*rp = re->re_next;
		log_debug("reload: last session of a previous configuration "
		    "ended");
		config_free(re->re_cf);
		free(re);
	}
}

void
reload_done(void)
{
	struct retired	*re;

	while ((re = reload_retired) != NULL) {
		reload_retired = re->re_next;
		config_free(re->re_cf);
		free(re);
	}
}
