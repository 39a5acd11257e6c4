/*
 * health.c: what the health check answers.  No I/O: the listeners that
 * serve it write the response.
 */
#include <string.h>

#include "config.h"
#include "health.h"

static const struct config	*health_conf;	/* borrowed */
static int			 health_drained;

void
health_reconfigure(const struct config *cf)
{
	health_conf = cf;
}

int
health_is(const char *path, size_t len)
{
	const char	*hp;

	if (health_conf == NULL || (hp = health_conf->cf_health_path) == NULL)
		return (0);
	return (strlen(hp) == len && memcmp(hp, path, len) == 0);
}

void
health_drain(void)
{
	health_drained = 1;
}

int
health_draining(void)
{
	return (health_drained);
}

int
health_status(const char **text, const char **body)
{
	if (health_drained) {
		*text = "Service Unavailable";
		*body = "draining\n";
		return (503);
	}
	*text = "OK";
	*body = "ok\n";
	return (200);
}
