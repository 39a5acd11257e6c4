/*
 * health.h: the health check (health_path) that a balancer polls: 200
 * while wsgated takes new clients, 503 from the moment a drain starts.
 * Served by ws.c on every listener and by metrics.c on its own.
 */
#ifndef WSGATE_HEALTH_H
#define WSGATE_HEALTH_H

#include <stddef.h>

struct config;

/* CF (borrowed until the next call) says which path it is. */
void	 health_reconfigure(const struct config *);
/* 1 when the LEN bytes at PATH (no query) are the health path. */
int	 health_is(const char *path, size_t len);
/* SIGTERM: answer 503 from now on. */
void	 health_drain(void);
int	 health_draining(void);
/* The status to answer, its reason phrase and body. */
int	 health_status(const char **text, const char **body);

#endif
