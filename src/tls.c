/*
 * tls.c: the TLS side of the configuration.  tls_load() reads the PEM
 * files once, checks them with mbedTLS (so a bad file is a FILE:LINE
 * error at start-up or reload, not a failed vhost or a handshake error
 * later), and keeps them in memory; tls_vhost_info() and
 * tls_cert_update() hand those bytes to libwebsockets.  No sockets here.
 *
 * Why memory, not paths: libwebsockets 4.3 on mbedTLS converts a
 * certificate file to one DER blob and so serves only the leaf.  Given a
 * buffer whose first byte is neither '-' nor 0x30, it passes the buffer
 * to mbedTLS's PEM parser instead, which keeps every certificate: the
 * chain is served whole.  lws takes that path only when its cert and key
 * paths do not exist, hence placeholders that cannot exist.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#include "config.h"
#include "tls.h"

/* A path under a character device: nobody can create it. */
#define TLS_CERT_PLACEHOLDER	"/dev/null/wsgate-tls-cert"
#define TLS_KEY_PLACEHOLDER	"/dev/null/wsgate-tls-key"

/* Bigger than any sane chain or CA bundle (Debian's whole is 220k). */
#define TLS_FILE_MAX		(4 * 1024 * 1024)

struct tls_pem {
	char		*tp_cert;	/* '\n' + the tls_cert file; owned */
	size_t		 tp_cert_len;	/* without the NUL */
	char		*tp_key;	/* the private key's PEM block; owned */
	size_t		 tp_key_len;
	char		*tp_ca;		/* '\n' + the tls_ca file, or NULL */
	size_t		 tp_ca_len;
};

/* The state of one tls_load(): where errors go and how many there were. */
struct tls_check {
	const struct config	*tc_cf;
	FILE			*tc_errs;
	int			 tc_nerr;
	mbedtls_entropy_context	 tc_entropy;
	mbedtls_ctr_drbg_context tc_drbg;	/* pk parsing and pair checks */
};

static void	 tls_err(struct tls_check *, int, const char *, ...)
		    __attribute__((__format__ (printf, 3, 4)));

static void
tls_err(struct tls_check *tc, int line, const char *fmt, ...)
{
	va_list	 ap;

	fprintf(tc->tc_errs, "%s:%d: ", tc->tc_cf->cf_file, line);
	va_start(ap, fmt);
	vfprintf(tc->tc_errs, fmt, ap);
	va_end(ap);
	fputc('\n', tc->tc_errs);
	tc->tc_nerr++;
}

/* mbedTLS's words for RET, after what the caller says. */
static void
tls_err_mbedtls(struct tls_check *tc, int line, const char *what, int ret)
{
	char	 buf[160];

	mbedtls_strerror(ret, buf, sizeof(buf));
	tls_err(tc, line, "%s: %s", what, buf);
}

/*
 * The whole of PATH after one '\n', NUL-terminated (mbedTLS's PEM parser
 * wants the NUL counted in its length).  NULL after reporting why.
 */
static char *
tls_read(struct tls_check *tc, const char *key, const char *path, int line,
    size_t *lenp)
{
	FILE	*fp;
	char	*buf;
	size_t	 len;

	if ((fp = fopen(path, "r")) == NULL) {
		tls_err(tc, line, "%s: cannot open %s: %s", key, path,
		    strerror(errno));
		return (NULL);
	}
	setvbuf(fp, NULL, _IONBF, 0);	/* no copy of a key in stdio's buffer */
	if ((buf = malloc(TLS_FILE_MAX + 2)) == NULL) {
		fclose(fp);
		tls_err(tc, line, "%s: out of memory", key);
		return (NULL);
	}
	buf[0] = '\n';
	len = 1 + fread(buf + 1, 1, TLS_FILE_MAX + 1, fp);
	if (ferror(fp) || len > TLS_FILE_MAX + 1) {
		tls_err(tc, line, "%s: cannot read %s: %s", key, path,
		    ferror(fp) ? strerror(errno) : "larger than 4M");
		fclose(fp);
		free(buf);
		return (NULL);
	}
	fclose(fp);
	buf[len] = '\0';
	*lenp = len;
	return (buf);
}

/*
 * Every certificate of a PEM file, all valid: lws's mbedTLS layer fails
 * the whole vhost if one does not parse.
 */
static int
tls_parse_certs(struct tls_check *tc, const char *key, const char *path,
    int line, const char *buf, size_t len, mbedtls_x509_crt *crt)
{
	int	 ret;

	if (strstr(buf, "-----BEGIN CERTIFICATE-----") == NULL) {
		tls_err(tc, line, "%s: %s holds no PEM certificate", key, path);
		return (-1);
	}
	ret = mbedtls_x509_crt_parse(crt, (const unsigned char *)buf,
	    len + 1);
	if (ret > 0) {
		tls_err(tc, line, "%s: %s: %d certificate%s could not be "
		    "parsed", key, path, ret, ret == 1 ? "" : "s");
		return (-1);
	}
	if (ret < 0) {
		tls_err_mbedtls(tc, line, key, ret);
		return (-1);
	}
	return (0);
}

/*
 * Clients build the path from what we send, in order: each certificate
 * must be issued by the next one.
 */
static int
tls_check_chain(struct tls_check *tc, const mbedtls_x509_crt *crt)
{
	const struct config	*cf = tc->tc_cf;
	int			 n;

	for (n = 1; crt->next != NULL && crt->next->raw.p != NULL;
	    crt = crt->next, n++) {
		if (crt->issuer_raw.len == crt->next->subject_raw.len &&
		    memcmp(crt->issuer_raw.p, crt->next->subject_raw.p,
		    crt->issuer_raw.len) == 0)
			continue;
		tls_err(tc, cf->cf_tls_cert_line, "tls_cert: %s: certificate "
		    "%d did not issue certificate %d; put the leaf first, then "
		    "each issuer", cf->cf_tls_cert, n + 1, n);
		return (-1);
	}
	return (0);
}

/*
 * The private key's PEM block of BUF, into a buffer of its own: lws
 * decodes only the first block it is given, and openssl ecparam puts
 * the curve's parameters before the key.
 */
static char *
tls_key_block(const char *buf, size_t *lenp)
{
	const char	*s, *eol, *end;
	char		*key;
	size_t		 len;

	for (s = buf; (s = strstr(s, "-----BEGIN ")) != NULL; s = eol) {
		eol = s + strcspn(s, "\r\n");
		if (memmem(s, (size_t)(eol - s), "PRIVATE KEY-----", 16) ==
		    NULL)
			continue;
		if ((end = strstr(eol, "-----END ")) == NULL)
			return (NULL);
		end += strcspn(end, "\n");
		if (*end == '\n')
			end++;
		len = (size_t)(end - s);
		if ((key = malloc(len + 1)) == NULL)
			return (NULL);
		memcpy(key, s, len);
		key[len] = '\0';
		*lenp = len;
		return (key);
	}
	return (NULL);
}

static int
tls_load_key(struct tls_check *tc, struct tls_pem *tp,
    const mbedtls_x509_crt *leaf)
{
	const struct config	*cf = tc->tc_cf;
	mbedtls_pk_context	 pk;
	char			*buf;
	size_t			 len;
	int			 ret, rc = -1;

	if ((buf = tls_read(tc, "tls_key", cf->cf_tls_key, cf->cf_tls_key_line,
	    &len)) == NULL)
		return (-1);
	tp->tp_key = tls_key_block(buf, &tp->tp_key_len);
	mbedtls_platform_zeroize(buf, len);	/* as tls_free() does */
	free(buf);
	if (tp->tp_key == NULL) {
		tls_err(tc, cf->cf_tls_key_line, "tls_key: %s holds no PEM "
		    "private key", cf->cf_tls_key);
		return (-1);
	}
	mbedtls_pk_init(&pk);
	ret = mbedtls_pk_parse_key(&pk, (unsigned char *)tp->tp_key,
	    tp->tp_key_len + 1, NULL, 0, mbedtls_ctr_drbg_random,
	    &tc->tc_drbg);
	if (ret == MBEDTLS_ERR_PK_PASSWORD_REQUIRED)
		tls_err(tc, cf->cf_tls_key_line, "tls_key: %s is encrypted; "
		    "wsgated needs the key unencrypted", cf->cf_tls_key);
	else if (ret != 0)
		tls_err_mbedtls(tc, cf->cf_tls_key_line, "tls_key", ret);
	else if (leaf != NULL && mbedtls_pk_check_pair(&leaf->pk, &pk,
	    mbedtls_ctr_drbg_random, &tc->tc_drbg) != 0)
		tls_err(tc, cf->cf_tls_key_line, "tls_key: %s is not the key "
		    "of the first certificate in %s", cf->cf_tls_key,
		    cf->cf_tls_cert);
	else
		rc = 0;
	mbedtls_pk_free(&pk);
	return (rc);
}

static int
tls_load_ca(struct tls_check *tc, struct tls_pem *tp)
{
	const struct config	*cf = tc->tc_cf;
	mbedtls_x509_crt	 ca;
	int			 rc;

	if ((tp->tp_ca = tls_read(tc, "tls_ca", cf->cf_tls_ca,
	    cf->cf_tls_ca_line, &tp->tp_ca_len)) == NULL)
		return (-1);
	mbedtls_x509_crt_init(&ca);
	rc = tls_parse_certs(tc, "tls_ca", cf->cf_tls_ca, cf->cf_tls_ca_line,
	    tp->tp_ca, tp->tp_ca_len, &ca);
	mbedtls_x509_crt_free(&ca);
	return (rc);
}

int
tls_load(const struct config *cf, struct tls_pem **out, FILE *errs)
{
	struct tls_check	 tc;
	struct tls_pem		*tp;
	mbedtls_x509_crt	 chain;
	int			 ret, leaf_ok = 0;

	*out = NULL;
	if (cf->cf_tls_cert == NULL)
		return (0);
	memset(&tc, 0, sizeof(tc));
	tc.tc_cf = cf;
	tc.tc_errs = errs;
	if ((tp = calloc(1, sizeof(*tp))) == NULL) {
		tls_err(&tc, cf->cf_tls_cert_line, "out of memory");
		return (tc.tc_nerr);
	}
	mbedtls_entropy_init(&tc.tc_entropy);
	mbedtls_ctr_drbg_init(&tc.tc_drbg);
	mbedtls_x509_crt_init(&chain);
	if ((ret = mbedtls_ctr_drbg_seed(&tc.tc_drbg, mbedtls_entropy_func,
	    &tc.tc_entropy, (const unsigned char *)"wsgate", 6)) != 0) {
		tls_err_mbedtls(&tc, cf->cf_tls_cert_line, "tls_cert", ret);
		goto done;
	}
	if ((tp->tp_cert = tls_read(&tc, "tls_cert", cf->cf_tls_cert,
	    cf->cf_tls_cert_line, &tp->tp_cert_len)) != NULL &&
	    tls_parse_certs(&tc, "tls_cert", cf->cf_tls_cert,
	    cf->cf_tls_cert_line, tp->tp_cert, tp->tp_cert_len, &chain) == 0 &&
	    tls_check_chain(&tc, &chain) == 0)
		leaf_ok = 1;
	/* The key is checked against the leaf only if the leaf is sound. */
	tls_load_key(&tc, tp, leaf_ok ? &chain : NULL);
	if (cf->cf_tls_ca != NULL)
		tls_load_ca(&tc, tp);

 done:
	mbedtls_x509_crt_free(&chain);
	mbedtls_ctr_drbg_free(&tc.tc_drbg);
	mbedtls_entropy_free(&tc.tc_entropy);
	if (tc.tc_nerr > 0)
		tls_free(tp);
	else
		*out = tp;
	return (tc.tc_nerr);
}

void
tls_free(struct tls_pem *tp)
{
	if (tp == NULL)
		return;
	free(tp->tp_cert);
	if (tp->tp_key != NULL)
		mbedtls_platform_zeroize(tp->tp_key, tp->tp_key_len);
	free(tp->tp_key);
	free(tp->tp_ca);
	free(tp);
}

int
tls_same_ca(const struct tls_pem *a, const struct tls_pem *b)
{
	if (a == NULL || a->tp_ca == NULL || b == NULL || b->tp_ca == NULL)
		return ((a == NULL || a->tp_ca == NULL) ==
		    (b == NULL || b->tp_ca == NULL));
	return (a->tp_ca_len == b->tp_ca_len &&
	    memcmp(a->tp_ca, b->tp_ca, a->tp_ca_len) == 0);
}

void
tls_vhost_info(struct lws_context_creation_info *info,
    const struct tls_pem *tp)
{
	/*
	 * The global-init option is read per vhost too: without it the vhost
	 * would silently run without TLS.
	 */
	info->options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT |
	    LWS_SERVER_OPTION_IGNORE_MISSING_CERT;
	info->ssl_cert_filepath = TLS_CERT_PLACEHOLDER;
	info->ssl_private_key_filepath = TLS_KEY_PLACEHOLDER;
	if (tp == NULL)
		return;
	info->server_ssl_cert_mem = tp->tp_cert;
	info->server_ssl_cert_mem_len = (unsigned int)tp->tp_cert_len;
	/* lws decodes the key itself: it must start with "-----". */
	info->server_ssl_private_key_mem = tp->tp_key;
	info->server_ssl_private_key_mem_len = (unsigned int)tp->tp_key_len;
	if (tp->tp_ca == NULL)
		return;
	/*
	 * lws hands a memory CA to mbedTLS's PEM parser as it is, so every
	 * certificate of a bundle is trusted.  Its mbedTLS layer maps
	 * OpenSSL's "fail if no peer certificate" to MBEDTLS_SSL_VERIFY_
	 * OPTIONAL, which lets any client through; "peer" maps to REQUIRED,
	 * which refuses a client without a certificate signed by the CA.
	 */
	info->options |= LWS_SERVER_OPTION_REQUIRE_VALID_OPENSSL_CLIENT_CERT |
	    LWS_SERVER_OPTION_PEER_CERT_NOT_REQUIRED;
	info->server_ssl_ca_mem = tp->tp_ca;
	info->server_ssl_ca_mem_len = (unsigned int)tp->tp_ca_len;
}

void
tls_cert_update(struct lws_context *cx, const struct tls_pem *tp)
{
	lws_tls_cert_updated(cx, TLS_CERT_PLACEHOLDER, TLS_KEY_PLACEHOLDER,
	    tp->tp_cert, tp->tp_cert_len, tp->tp_key, tp->tp_key_len);
}

const char *
tls_version(void)
{
	static char	 buf[32];

	mbedtls_version_get_string_full(buf);
	return (buf);
}
