/*
 * tokenmap.c: websockify's token files, parsed, loaded and looked up.
 * A map is read at configuration load and when tokenmap_stamp() says the
 * files changed; a lookup is a binary search.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "tokenmap.h"

/* The longest line worth reading; a longer one is an error. */
#define TOKENMAP_LINE_MAX	1024

static int
tokenmap_cmp(const void *a, const void *b)
{
	return (strcmp(((const struct tokenmap_entry *)a)->te_token,
	    ((const struct tokenmap_entry *)b)->te_token));
}

/* One line, without its '\n': 0, or -1 with the reason in ERR. */
static int
tokenmap_line(char *line, struct tokenmap *tm, char *err, size_t errlen)
{
	struct tokenmap_entry	*v;
	struct target		 tg;
	char			*sep, *end, *target;

	while (*line == ' ' || *line == '\t' || *line == '\r')
		line++;
	end = line + strlen(line);
	while (end > line && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r'))
		*--end = '\0';
	if (*line == '\0' || *line == '#')
		return (0);
	if ((sep = strstr(line, ": ")) == NULL || sep == line ||
	    strstr(sep + 2, ": ") != NULL) {
		snprintf(err, errlen, "not 'token: target'");
		return (-1);
	}
	*sep = '\0';
	target = sep + 2 + strspn(sep + 2, " \t");
	if (target_parse(target, &tg, err, errlen) == -1)
		return (-1);
	if ((v = reallocarray(tm->tm_v, tm->tm_n + 1, sizeof(*v))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return (-1);
	}
	tm->tm_v = v;
	if ((v[tm->tm_n].te_token = strdup(line)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return (-1);
	}
	v[tm->tm_n++].te_target = tg;
	return (0);
}

int
tokenmap_parse(const char *name, const char *text, struct tokenmap *tm,
    FILE *errs)
{
	char		 buf[TOKENMAP_LINE_MAX + 1], err[160];
	const char	*p, *nl;
	size_t		 len;
	int		 lineno = 0, nerr = 0;

	for (p = text; *p != '\0'; p = *nl != '\0' ? nl + 1 : nl) {
		lineno++;
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		len = (size_t)(nl - p);
		if (len > TOKENMAP_LINE_MAX) {
			fprintf(errs, "%s:%d: a line longer than %d bytes\n",
			    name, lineno, TOKENMAP_LINE_MAX);
			nerr++;
			continue;
		}
		memcpy(buf, p, len);
		buf[len] = '\0';
		if (tokenmap_line(buf, tm, err, sizeof(err)) == -1) {
			fprintf(errs, "%s:%d: %s\n", name, lineno, err);
			nerr++;
		}
	}
	return (nerr);
}

/* The whole of regular file PATH as a string, or NULL (errno set). */
static char *
tokenmap_read(const char *path)
{
	FILE	*fp;
	char	*text = NULL;
	size_t	 len = 0, n;
	char	 chunk[4096];

	if ((fp = fopen(path, "re")) == NULL)
		return (NULL);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		char	*t;

		if (memchr(chunk, '\0', n) != NULL ||
		    (t = realloc(text, len + n + 1)) == NULL) {
			free(text);
			fclose(fp);
			errno = EINVAL;
			return (NULL);
		}
		text = t;
		memcpy(text + len, chunk, n);
		len += n;
	}
	fclose(fp);
	if (text == NULL && (text = malloc(1)) == NULL)
		return (NULL);
	text[len] = '\0';
	return (text);
}

static int
tokenmap_file(const char *path, struct tokenmap *tm, FILE *errs)
{
	char	*text;
	int	 n;

	if ((text = tokenmap_read(path)) == NULL) {
		fprintf(errs, "%s: %s\n", path, strerror(errno));
		return (1);
	}
	n = tokenmap_parse(path, text, tm, errs);
	free(text);
	return (n);
}

/* Each file of PATH (PATH itself when not a directory), to CB. */
static int
tokenmap_each(const char *path, int (*cb)(const char *, void *), void *arg)
{
	struct dirent	**names;
	struct stat	 st;
	char		 file[4096];
	int		 i, n, rc = 0;

	if (stat(path, &st) == -1 || !S_ISDIR(st.st_mode))
		return (cb(path, arg));
	if ((n = scandir(path, &names, NULL, alphasort)) == -1)
		return (cb(path, arg));
	for (i = 0; i < n; i++) {
		snprintf(file, sizeof(file), "%s/%s", path, names[i]->d_name);
		if (names[i]->d_name[0] != '.' && stat(file, &st) == 0 &&
		    S_ISREG(st.st_mode))
			rc += cb(file, arg);
		free(names[i]);
	}
	free(names);
	return (rc);
}

struct tokenmap_job {
	struct tokenmap	*tm;
	FILE		*errs;
};

static int
tokenmap_load_cb(const char *file, void *arg)
{
	struct tokenmap_job	*j = arg;

	return (tokenmap_file(file, j->tm, j->errs));
}

int
tokenmap_load(const char *path, struct tokenmap *tm, FILE *errs)
{
	struct tokenmap_job	 j = { tm, errs };
	size_t			 i;
	int			 nerr;

	memset(tm, 0, sizeof(*tm));
	tm->tm_stamp = tokenmap_stamp(path);
	nerr = tokenmap_each(path, tokenmap_load_cb, &j);
	if (tm->tm_n > 0)
		qsort(tm->tm_v, tm->tm_n, sizeof(*tm->tm_v), tokenmap_cmp);
	for (i = 1; i < tm->tm_n; i++)
		if (strcmp(tm->tm_v[i - 1].te_token, tm->tm_v[i].te_token) ==
		    0) {
			fprintf(errs, "%s: token '%s' is given twice\n", path,
			    tm->tm_v[i].te_token);
			nerr++;
		}
	if (nerr > 0)
		tokenmap_free(tm);
	return (nerr);
}

static int
tokenmap_stamp_cb(const char *file, void *arg)
{
	uint64_t	*h = arg;
	struct stat	 st;

	if (stat(file, &st) == -1)
		return (0);
	/* FNV-1a over what changes when a file is edited or replaced. */
	*h = (*h ^ (uint64_t)st.st_mtim.tv_sec) * 0x100000001b3ULL;
	*h = (*h ^ (uint64_t)st.st_mtim.tv_nsec) * 0x100000001b3ULL;
	*h = (*h ^ (uint64_t)st.st_size) * 0x100000001b3ULL;
	*h = (*h ^ (uint64_t)st.st_ino) * 0x100000001b3ULL;
	return (0);
}

uint64_t
tokenmap_stamp(const char *path)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;

	tokenmap_each(path, tokenmap_stamp_cb, &h);
	return (h);
}

int
tokenmap_refresh(struct tokenmap *tm, const char *path, uint64_t now)
{
	struct tokenmap	 fresh;
	uint64_t	 stamp;
	char		*errs = NULL, *line, *next;
	size_t		 len = 0;
	FILE		*ef;
	int		 nerr;

	if (tm->tm_checked != 0 && now - tm->tm_checked < 1000)
		return (0);
	tm->tm_checked = now;
	if ((stamp = tokenmap_stamp(path)) == tm->tm_stamp)
		return (0);
	if ((ef = open_memstream(&errs, &len)) == NULL)
		return (-1);
	nerr = tokenmap_load(path, &fresh, ef);
	fclose(ef);
	for (line = errs; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		log_warnx("%s", line);
	}
	free(errs);
	/* A broken edit is logged once; the map in use stays. */
	tm->tm_stamp = stamp;
	if (nerr > 0) {
		log_warnx("%s: the token map in use stays", path);
		return (-1);
	}
	tokenmap_free(tm);
	fresh.tm_checked = now;
	*tm = fresh;
	log_info("%s: token map reread, %zu tokens", path, tm->tm_n);
	return (0);
}

const struct target *
tokenmap_lookup(const struct tokenmap *tm, const char *token)
{
	struct tokenmap_entry	 key, *e;

	if (tm->tm_n == 0)
		return (NULL);
	key.te_token = (char *)token;
	e = bsearch(&key, tm->tm_v, tm->tm_n, sizeof(*tm->tm_v),
	    tokenmap_cmp);
	return (e != NULL ? &e->te_target : NULL);
}

void
tokenmap_free(struct tokenmap *tm)
{
	size_t	 i;

	for (i = 0; i < tm->tm_n; i++)
		free(tm->tm_v[i].te_token);
	free(tm->tm_v);
	tm->tm_v = NULL;
	tm->tm_n = 0;
}
