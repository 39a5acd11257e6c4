/*
 * config.h: the parsed, immutable configuration of wsgated.
 *
 * config.c reads an INI file with inih and validates every key where it is
 * read; route.c matches request paths against the routes.  Neither does any
 * socket I/O.  A reload builds a new struct config and swaps it only when it
 * loaded without error.
 */
#ifndef WSGATE_CONFIG_H
#define WSGATE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "allow.h"
#include "target.h"
#include "tokenmap.h"
#include <stdio.h>

#include "log.h"

enum route_framing {
	FRAMING_RAW,		/* a byte stream, no boundaries */
	FRAMING_LINES,		/* one message per '\n'-terminated line */
	FRAMING_LENGTH,		/* type byte, 32-bit length, payload */
	FRAMING_SEQPACKET,	/* seqpacket backend: type byte, payload */
};

enum route_metadata {
	METADATA_NONE,
	METADATA_PROXY_V2,	/* HAProxy PROXY protocol v2 header */
	METADATA_JSON,
};

enum route_backend_down {
	BACKEND_DOWN_HTTP,	/* refuse the handshake: 502 / 503 */
	BACKEND_DOWN_CLOSE,	/* accept, then close 1013 */
};

struct listen_addr {
	char		*la_host;	/* owned; "127.0.0.1", "::1", "0.0.0.0" */
	int		 la_port;
	int		 la_tls;	/* "HOST:PORT tls" */
	int		 la_line;	/* where it was configured */
};

/* Durations are milliseconds, sizes bytes; 0 turns a timeout off. */
struct route {
	char		*rt_path;	/* owned; without the trailing '*' */
	int		 rt_prefix;	/* 1: "PATH*" matches PATH and below */
	char		*rt_backend;	/* owned; UNIX socket path, or
					   tcp's HOST:PORT as written */
	int		 rt_seqpacket;	/* SOCK_SEQPACKET, not SOCK_STREAM */
	struct target	 rt_target;	/* the backend's address; tcp: names
					   resolved at load */
	char		*rt_targets;	/* owned; targets = FILE or DIR */
	struct tokenmap	 rt_tokenmap;	/* owned; its map, reread when the
					   files change */
	int		 rt_token_from_path;	/* token_from = path */
	struct allow	 rt_allow;	/* owned; allow_targets */
	enum route_framing rt_framing;	/* SEQPACKET iff rt_seqpacket */
	enum route_metadata rt_metadata;
	char		*rt_subprotocols;	/* owned; "a b c", or NULL */
	char		*rt_origins;	/* owned; allowlist "s://h[:p] ...", or
					   NULL: any origin */
	int		 rt_auth_token;	/* auth = token */
	char		*rt_token_secret;	/* owned; token_secret_file's */
	char		*rt_backend_owner;	/* owned; user name, or NULL */
	unsigned int	 rt_backend_uid;	/* its uid */
	unsigned int	 rt_max_per_ip;	/* max_connections_per_ip; 0: none */
	int		 rt_text;	/* backend data goes out as text */
	size_t		 rt_max_message_size;
	size_t		 rt_buffer_size;	/* per-direction budget */
	uint64_t	 rt_idle_timeout;
	uint64_t	 rt_ping_interval;
	uint64_t	 rt_ping_timeout;
	uint64_t	 rt_close_timeout;
	uint64_t	 rt_connect_timeout;	/* tcp: the held handshake */
	uint64_t	 rt_send_timeout;	/* slow consumer: 1008 */
	enum route_backend_down rt_on_backend_down;
	unsigned int	 rt_max_connections;	/* 0: no route limit */
	/* permessage-deflate (RFC 7692), negotiated by pmd.c */
	int		 rt_deflate;	/* compression = deflate */
	unsigned int	 rt_deflate_window_bits;	/* 9..15: the most
						   for either side */
	int		 rt_deflate_takeover;	/* context kept between
						   messages */
	int		 rt_line;	/* line of the [route] header */
	unsigned int	 rt_sessions;	/* live sessions; the only mutable field */
};

/*
 * [static PATH]: files under sd_root answer plain HTTP requests for PATH
 * and below (static.c hands them to libwebsockets as mounts).
 */
struct static_dir {
	char		*sd_path;	/* owned; "/" or without a trailing '/' */
	char		*sd_root;	/* owned; a directory, as written */
	int		 sd_line;	/* line of the [static] header */
};

struct config {
	char		*cf_file;	/* owned */
	struct listen_addr *cf_listen;	/* owned array */
	size_t		 cf_nlisten;
	struct route	*cf_routes;	/* owned array, longest path first */
	size_t		 cf_nroutes;
	struct static_dir *cf_statics;	/* owned array, in file order */
	size_t		 cf_nstatics;
	unsigned int	 cf_max_connections;	/* 0: no global limit */
	uint64_t	 cf_handshake_timeout;
	uint64_t	 cf_shutdown_timeout;
	int		 cf_reuse_port;	/* SO_REUSEPORT on the listeners */
	/* PEM files, checked and read by tls.c; NULL when not set. Owned. */
	char		*cf_tls_cert;	/* leaf, then intermediates */
	char		*cf_tls_key;
	char		*cf_tls_ca;	/* client certificates required */
	size_t		 cf_max_header_size;	/* whole request head */
	int		 cf_tls_cert_line;	/* of each key, for errors */
	int		 cf_tls_key_line;
	int		 cf_tls_ca_line;
	enum log_level	 cf_log_level;
	/* la_host: an IP literal, "unix:/PATH", or NULL: no metrics. */
	struct listen_addr cf_metrics;
};

/*
 * Parse FILE (or, for config_parse_string(), TEXT reported as NAME).
 * Every error is printed to ERRS as "FILE:LINE: message".  Returns the
 * number of errors; on 0, *OUT holds a new configuration the caller frees
 * with config_free(), otherwise *OUT is NULL.
 */
int		 config_load(const char *file, struct config **out, FILE *errs);
int		 config_parse_string(const char *name, const char *text,
		    struct config **out, FILE *errs);
void		 config_free(struct config *);

/* "250ms", "5s", "2m", "1h", "0" -> milliseconds. 0 ok, -1 on bad input. */
int		 config_parse_duration(const char *, uint64_t *);
/* "512", "64k", "1M", "2G" (powers of two) -> bytes. 0 ok, -1 bad. */
int		 config_parse_size(const char *, size_t *);

/*
 * The route for PATH (no query string): an exact route, else the longest
 * prefix route; NULL when none matches.
 */
struct route	*route_match(const struct config *, const char *path);

#endif
