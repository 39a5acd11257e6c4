/*
 * handshake.h: RFC 6455 4.2.1 checks of an opening handshake.  Pure code:
 * the caller says what the request held, handshake_check() says whether
 * it may go on and, if not, with which HTTP status it is refused.
 */
#ifndef WSGATE_HANDSHAKE_H
#define WSGATE_HANDSHAKE_H

/*
 * What the request said.  Header values are as received, NUL-terminated,
 * several header lines of one name joined by commas (the caller may pass
 * only the first line); NULL when absent.  All borrowed.
 */
struct handshake_req {
	int		 hr_get;	/* the method is GET */
	const char	*hr_http;	/* the request line's "HTTP/1.1" */
	int		 hr_host;	/* a Host header is present */
	const char	*hr_connection;
	const char	*hr_upgrade;
	const char	*hr_key;	/* Sec-WebSocket-Key; NULL: too long */
	int		 hr_nkeys;	/* how many Sec-WebSocket-Key lines */
	const char	*hr_version;	/* Sec-WebSocket-Version */
};

/* Why a request is refused. */
struct handshake_refusal {
	int		 hf_status;	/* 400 or 426 */
	const char	*hf_reason;	/* static, for the log */
	int		 hf_version;	/* add "Sec-WebSocket-Version: 13" */
};

/*
 * Check R: 0 when the handshake may go on, else the HTTP status to refuse
 * it with, also in HF with the reason and whether the response must name
 * the version wsgated speaks (RFC 6455 4.4).  The first failed check
 * decides, in the order of RFC 6455 4.2.1.
 */
int	 handshake_check(const struct handshake_req *r,
	    struct handshake_refusal *hf);

#endif
