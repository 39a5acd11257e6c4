/*
 * static.c: the [static] sections as libwebsockets mounts.  lws takes the
 * mounts when a vhost is made and has no call to change them, so they are
 * built once, at start, on copies of the paths that outlive whatever
 * configuration a reload retires.  lws opens and sends the files; this
 * file does no I/O.
 */
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "config.h"
#include "static.h"

/* lws answers a file of a type it does not know with 415: send bytes. */
static const struct lws_protocol_vhost_options static_any_type = {
	NULL, NULL, "*", "application/octet-stream"
};

static struct lws_http_mount	*static_mnt;	/* owned array */
static struct static_dir	*static_dirs;	/* owned copies */
static size_t			 static_n;

int
static_init(const struct config *cf)
{
	struct lws_http_mount	*m;
	size_t			 i;

	if (cf->cf_nstatics == 0)
		return (0);
	static_mnt = calloc(cf->cf_nstatics, sizeof(*static_mnt));
	static_dirs = calloc(cf->cf_nstatics, sizeof(*static_dirs));
	if (static_mnt == NULL || static_dirs == NULL)
		goto fail;
	for (; static_n < cf->cf_nstatics; static_n++) {
		i = static_n;
		if ((static_dirs[i].sd_path =
		    strdup(cf->cf_statics[i].sd_path)) == NULL ||
		    (static_dirs[i].sd_root =
		    strdup(cf->cf_statics[i].sd_root)) == NULL) {
			free(static_dirs[i].sd_path);
			goto fail;
		}
		m = &static_mnt[i];
		m->mount_next = i + 1 < cf->cf_nstatics ? m + 1 : NULL;
		m->mountpoint = static_dirs[i].sd_path;
		/* A line of the file is shorter than 256 bytes. */
		m->mountpoint_len = (unsigned char)strlen(m->mountpoint);
		m->origin = static_dirs[i].sd_root;
		m->def = "index.html";
		m->origin_protocol = LWSMPRO_FILE;
		m->extra_mimetypes = &static_any_type;
	}
	return (0);

 fail:
	static_done();
	return (-1);
}

const struct lws_http_mount *
static_mounts(void)
{
	return (static_n > 0 ? static_mnt : NULL);
}

/*
 * The mount lws serves PATH from: by lws_find_mount()'s rule, the longest
 * mountpoint that is PATH or a directory above it.  NULL: none.
 */
static const struct lws_http_mount *
static_find(const char *path)
{
	const struct lws_http_mount	*m, *best = NULL;
	size_t				 i, len;

	for (i = 0; i < static_n; i++) {
		m = &static_mnt[i];
		len = m->mountpoint_len;
		if (strncmp(path, m->mountpoint, len) == 0 &&
		    (len == 1 || path[len] == '\0' || path[len] == '/') &&
		    (best == NULL || len > best->mountpoint_len))
			best = m;
	}
	return (best);
}

int
static_covers(const char *path)
{
	return (static_find(path) != NULL);
}

/*
 * lws builds the file's path, "ROOT/REST" and then "/index.html" for a
 * directory, in 256 bytes and cuts what does not fit: a longer request
 * could get a file whose name is only the start of the one it asked for.
 */
int
static_too_long(const char *path)
{
	const struct lws_http_mount	*m;

	if ((m = static_find(path)) == NULL)
		return (0);
	return (strlen(m->origin) + sizeof("/") - 1 +
	    strlen(path + m->mountpoint_len) + sizeof("/index.html") > 255);
}

int
static_same(const struct config *cf)
{
	size_t	 i, j;

	if (cf->cf_nstatics != static_n)
		return (0);
	for (i = 0; i < cf->cf_nstatics; i++) {
		for (j = 0; j < static_n; j++)
			if (strcmp(cf->cf_statics[i].sd_path,
			    static_dirs[j].sd_path) == 0)
				break;
		if (j == static_n || strcmp(cf->cf_statics[i].sd_root,
		    static_dirs[j].sd_root) != 0)
			return (0);
	}
	return (1);
}

void
static_done(void)
{
	size_t	 i;

	for (i = 0; i < static_n; i++) {
		free(static_dirs[i].sd_path);
		free(static_dirs[i].sd_root);
	}
	free(static_dirs);
	free(static_mnt);
	static_dirs = NULL;
	static_mnt = NULL;
	static_n = 0;
}
