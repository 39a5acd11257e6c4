/*
 * signals.h: signals arrive through a signalfd in the loop, never in a
 * handler, so nothing runs in signal context.
 */
#ifndef WSGATE_SIGNALS_H
#define WSGATE_SIGNALS_H

typedef void signals_cb(int signo);

/* Block TERM, INT and HUP and deliver them to CB; ignore PIPE. */
int	 signals_init(signals_cb *cb);
void	 signals_done(void);

#endif
