/*
 * sdnotify.h: what wsgated tells systemd (sd_notify(3)) and the listening
 * sockets systemd passes it (sd_listen_fds(3)).  Without NOTIFY_SOCKET,
 * or built without libsystemd, the notifications do nothing.
 */
#ifndef WSGATE_SDNOTIFY_H
#define WSGATE_SDNOTIFY_H

#define SDNOTIFY_LISTEN_FDS_START	3

/* Writes the STATUS= text into BUF of SIZE bytes. */
typedef void sdnotify_status_cb(char *buf, unsigned int size);

/* Start the watchdog and the periodic STATUS= (with NOTIFY_SOCKET). */
void	 sdnotify_init(sdnotify_status_cb *);
void	 sdnotify_done(void);
int	 sdnotify_enabled(void);	/* built with libsystemd */
void	 sdnotify_ready(void);
void	 sdnotify_reloading(void);
void	 sdnotify_stopping(void);

/*
 * How many listening sockets systemd passed, from
 * SDNOTIFY_LISTEN_FDS_START on (0: none), or -1 after logging why.
 */
int	 sdnotify_listen_fds(void);
int	 sdnotify_is_listener(int fd);

#endif
