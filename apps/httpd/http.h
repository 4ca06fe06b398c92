/* HTTP/1.x request heads in, response heads out.
 *
 * Pure functions over caller-owned buffers: no I/O, no allocation, no global
 * state, no errno. The same file builds into the unikernel image, into the
 * native httpd and into the host unit test (test/unit/test_http.c).
 *
 * What the parser accepts (RFC 9112, with the usual leniencies):
 *  - empty lines (CRLF or LF) before the request line are skipped;
 *  - lines end in CRLF or a bare LF; a CR anywhere else is an error;
 *  - request line: method SP request-target SP HTTP/1.x, single spaces,
 *    method a token (case-sensitive), target visible ASCII;
 *  - header lines: token ":" OWS value OWS; no space before the colon;
 *    obs-fold continuation lines are accepted except on Content-Length and
 *    Transfer-Encoding, whose values must be on one line;
 *  - an HTTP/1.1 request must carry exactly one Host header.
 */
#ifndef SKIFF_APPS_HTTP_H
#define SKIFF_APPS_HTTP_H

#include <stddef.h>

/* Largest request head httpd accepts unless told otherwise. */
#define HTTP_MAX_HEAD_DEFAULT 8192

enum http_method {
	HTTP_METHOD_OTHER, /* a well-formed token we do not serve */
	HTTP_METHOD_GET,
	HTTP_METHOD_HEAD,
};

/* One parsed request head. Pointers point into the caller's buffer and are
 * valid while it is. */
struct http_request {
	enum http_method method;
	const char *method_name; /* as sent, not NUL-terminated */
	size_t method_len;
	const char *target; /* request-target as sent, not NUL-terminated */
	size_t target_len;
	size_t path_len;             /* length of target before any '?' */
	int version_minor;           /* HTTP/1.<minor>; 2..9 are read as 1 */
	int keep_alive;              /* may the connection carry another request */
	int has_content_length;      /* a Content-Length header was present */
	unsigned long long content_length; /* 0 when absent */
	size_t head_len; /* bytes up to and including the blank line */
};

/* Parses the request head at the start of buf[0..len).
 * Returns 1 when a complete head is there (req filled, req->head_len bytes
 * used; a body of req->content_length bytes follows), 0 when more bytes are
 * needed, or minus an HTTP status when the request must be refused:
 *   -400 malformed request line or header, bad or conflicting Content-Length,
 *        missing or repeated Host in HTTP/1.1;
 *   -413 no complete head within max_head bytes, or a Content-Length too
 *        large to represent;
 *   -501 a Transfer-Encoding (request bodies are only sized by length);
 *   -505 an HTTP major version other than 1.
 * Errors in complete lines are reported as soon as those lines are there,
 * without waiting for the end of the head. */
int http_parse_request(const char *buf, size_t len, size_t max_head,
                       struct http_request *req);

/* The reason phrase for a status ("OK", "Not Found"...); "Unknown" for a
 * status this server never sends. */
const char *http_reason(int status);

/* Writes an HTTP/1.1 response head into out[0..cap): status line,
 * Content-Type (when content_type is not NULL), Content-Length, the lines in
 * extra (each ending in CRLF; may be NULL), a Connection header when needed
 * (close when !keep_alive; keep-alive when keep_alive on an HTTP/1.0
 * request), and the blank line, then a terminating NUL. Returns the length
 * written (without the NUL), or 0 when it does not fit (out is then
 * unspecified). */
size_t http_format_head(char *out, size_t cap, int status,
                        const char *content_type,
                        unsigned long long content_length, const char *extra,
                        int keep_alive, int version_minor);

/* Writes v in decimal (1 to 20 digits, no terminator) at out; returns the
 * number of digits. */
size_t http_decimal(char *out, unsigned long long v);

#endif
