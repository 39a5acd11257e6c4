/*
 * allow.h: allow_targets, the targets a token map may name: CIDRs with
 * an optional port or port range, and UNIX path globs.  Pure.
 */
#ifndef WSGATE_ALLOW_H
#define WSGATE_ALLOW_H

#include <stddef.h>

#include "target.h"

struct allow_rule {
	enum target_family ar_family;
	unsigned char	 ar_addr[16];	/* the network, host bits zero */
	unsigned int	 ar_bits;	/* prefix length */
	unsigned int	 ar_lo, ar_hi;	/* ports: 1-65535 unless given */
	char		 ar_glob[TARGET_PATH_MAX + 1];	/* TARGET_UNIX */
};

struct allow {
	struct allow_rule *al_rules;	/* owned */
	size_t		 al_n;
};

/*
 * TEXT: blank-separated items, each "A.B.C.D[/N][:PORT|:LOW-HIGH]",
 * "[V6][/N][:PORT|:LOW-HIGH]" (also "[V6/N]") or "unix:GLOB" (fnmatch(3)
 * with FNM_PATHNAME).  0 and AL filled (allow_free() it), or -1 with the
 * reason in ERR.
 */
int	 allow_parse(const char *text, struct allow *al, char *err,
	    size_t errlen);
/* 1 if some rule of AL names TG. */
int	 allow_match(const struct allow *al, const struct target *tg);
void	 allow_free(struct allow *al);

#endif
