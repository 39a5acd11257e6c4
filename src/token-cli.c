/*
 * wsgate-token: mint an access token for routes with auth = token.
 *
 *   wsgate-token -k SECRET_FILE -s SUBJECT -r ROUTE [-r ROUTE ...]
 *       [-e DURATION]
 *
 * prints the token.  ROUTE is a route's name as in its [route] header
 * (a prefix route keeps its trailing star); DURATION is how long it stays valid
 * (default 1h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "token.h"

#define MAX_ROUTES	32

static void
usage(void)
{
	fprintf(stderr, "usage: wsgate-token -k secret_file -s subject "
	    "-r route [-r route ...] [-e duration]\n");
	exit(1);
}

/* The secret as wsgated reads it: owner-only file, trailing newline cut. */
static size_t
read_secret(const char *file, char *buf, size_t size)
{
	struct stat	 st;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		fprintf(stderr, "wsgate-token: %s: %s\n", file, strerror(errno));
		exit(1);
	}
	if ((st.st_mode & 077) != 0) {
		fprintf(stderr, "wsgate-token: %s: must be readable by its "
		    "owner only (chmod 600)\n", file);
		exit(1);
	}
	n = read(fd, buf, size - 1);
	close(fd);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	if (n < 16) {
		fprintf(stderr, "wsgate-token: %s: use a text secret of at "
		    "least 16 bytes\n", file);
		exit(1);
	}
	buf[n] = '\0';
	return ((size_t)n);
}

int
main(int argc, char *argv[])
{
	const char	*routes[MAX_ROUTES], *file = NULL, *subject = NULL;
	char		 secret[1024], token[TOKEN_MAX];
	uint64_t	 ms = 3600 * 1000;
	size_t		 nroutes = 0, len;
	int		 ch;

	while ((ch = getopt(argc, argv, "e:k:r:s:")) != -1) {
		switch (ch) {
		case 'e':
			if (config_parse_duration(optarg, &ms) == -1 ||
			    ms == 0) {
				fprintf(stderr, "wsgate-token: -e %s: not a "
				    "duration (ms, s, m, h)\n", optarg);
				return (1);
			}
			break;
		case 'k':
			file = optarg;
			break;
		case 'r':
			if (nroutes == MAX_ROUTES)
				usage();
			routes[nroutes++] = optarg;
			break;
		case 's':
			subject = optarg;
			break;
		default:
			usage();
		}
	}
	if (file == NULL || subject == NULL || nroutes == 0 || optind != argc)
		usage();
	len = read_secret(file, secret, sizeof(secret));
	if (token_mint((unsigned char *)secret, len, subject,
	    time(NULL) + (time_t)((ms + 999) / 1000), routes, nroutes, token,
	    sizeof(token)) == -1) {
		fprintf(stderr, "wsgate-token: subject or routes too long\n");
		return (1);
	}
	explicit_bzero(secret, sizeof(secret));
	printf("%s\n", token);
	return (0);
}
