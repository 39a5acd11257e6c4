/*
 * reload.h: SIGHUP reloads the configuration without ending any session.
 */
#ifndef WSGATE_RELOAD_H
#define WSGATE_RELOAD_H

struct config;

/*
 * Load FILE; if it is valid and its listen addresses can be opened, it
 * replaces *CUR for new handshakes and *CUR is retired until its last
 * session ends.  0, or -1 after logging every error; *CUR is then
 * unchanged.
 */
int	 reload_run(const char *file, struct config **cur);
/* Free the retired configurations no session uses any more. */
void	 reload_reap(void);
/* At exit: free every retired configuration. */
void	 reload_done(void);

#endif
