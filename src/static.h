/*
 * static.h: the [static] sections wsgated started with, as libwebsockets
 * mounts for its vhosts.  libwebsockets serves the files itself.
 */
#ifndef WSGATE_STATIC_H
#define WSGATE_STATIC_H

struct config;
struct lws_http_mount;

/*
 * Copy CF's [static] sections, before ws_init() makes the vhosts.  0, or
 * -1 when out of memory.
 */
int		 static_init(const struct config *);
/* The list every vhost mounts (NULL: none); valid until static_done(). */
const struct lws_http_mount *static_mounts(void);
/* 1 when a mount in use covers request PATH, as libwebsockets matches. */
int		 static_covers(const char *path);
/* 1 when libwebsockets would cut the file path for PATH short. */
int		 static_too_long(const char *path);
/* 1 when CF's [static] sections (paths and roots) are those in use. */
int		 static_same(const struct config *);
void		 static_done(void);

#endif
