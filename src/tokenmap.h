/*
 * tokenmap.h: a route's targets = FILE (or directory of such files):
 * websockify's TokenFile format, one "token: target" per line.  Parsing
 * is pure; loading reads the files; nothing here connects or resolves.
 */
#ifndef WSGATE_TOKENMAP_H
#define WSGATE_TOKENMAP_H

#include <stdint.h>
#include <stdio.h>

#include "target.h"

struct tokenmap_entry {
	char		*te_token;	/* owned */
	struct target	 te_target;
};

struct tokenmap {
	struct tokenmap_entry *tm_v;	/* owned; sorted by token */
	size_t		 tm_n;
	uint64_t	 tm_stamp;	/* tokenmap_stamp() of what was read */
	uint64_t	 tm_checked;	/* loop time of the last stamp check */
};

/*
 * Add the lines of TEXT (from file NAME) to TM: "token: target" (one
 * ": " separates them, as websockify splits), blank lines and lines
 * starting with '#' skipped, target as target_parse() reads it.  Every
 * error goes to ERRS as "NAME:LINE: message"; returns how many.
 */
int	 tokenmap_parse(const char *name, const char *text,
	    struct tokenmap *tm, FILE *errs);
/*
 * PATH, a file or a directory whose files (not those starting with '.')
 * are read in name order, into a new *TM.  Returns the error count
 * (0: *TM is ready, free it with tokenmap_free()), each on ERRS.
 */
int	 tokenmap_load(const char *path, struct tokenmap *tm, FILE *errs);
/* A hash of what tokenmap_load() would read: mtimes, sizes, inodes. */
uint64_t tokenmap_stamp(const char *path);
/*
 * At most once a second (NOW: loop time in ms): reread PATH into TM if
 * its files changed.  Errors are logged and TM stays; -1 then.
 */
int	 tokenmap_refresh(struct tokenmap *tm, const char *path,
	    uint64_t now);
/* The target of TOKEN, or NULL. */
const struct target *tokenmap_lookup(const struct tokenmap *,
	    const char *token);
void	 tokenmap_free(struct tokenmap *);

#endif
