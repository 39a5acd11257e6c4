/*
 * tls.h: the server certificate, its key and the client CA, read and
 * checked with mbedTLS when the configuration is loaded, and handed to
 * libwebsockets' TLS vhost from memory.
 */
#ifndef WSGATE_TLS_H
#define WSGATE_TLS_H

#include <stdio.h>

struct config;
struct lws_context;
struct lws_context_creation_info;
struct tls_pem;

/*
 * Read and check the tls_cert, tls_key and tls_ca files CF names: each
 * parses, the chain is in order, the key is the first certificate's.
 * Every error goes to ERRS as "FILE:LINE: message" (LINE is the key's).
 * Returns the number of errors; on 0, *OUT holds the PEMs (the caller
 * frees them with tls_free()), or NULL when CF names no certificate.
 */
int		 tls_load(const struct config *cf, struct tls_pem **out,
		    FILE *errs);
void		 tls_free(struct tls_pem *);
/* 1 when A and B ask for the same client CA, or both for none (NULL). */
int		 tls_same_ca(const struct tls_pem *a, const struct tls_pem *b);

/*
 * Make INFO a TLS vhost serving TP, which must outlive the call only.
 * TP NULL: no certificate until tls_cert_update().
 */
void		 tls_vhost_info(struct lws_context_creation_info *info,
		    const struct tls_pem *tp);
/* New handshakes on every TLS vhost of CX use TP's certificate and key. */
void		 tls_cert_update(struct lws_context *cx,
		    const struct tls_pem *tp);

/* "Mbed TLS 3.6.6" */
const char	*tls_version(void);

#endif
