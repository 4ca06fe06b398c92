/* HTTP/1.x request-head parser and response-head formatter (see http.h). */
#include "http.h"

#include <string.h>

/* Which header a line (and its obs-fold continuations) belongs to. */
enum header_kind { H_OTHER, H_CONTENT_LENGTH, H_TRANSFER_ENCODING, H_CONNECTION, H_HOST };

/* What the header lines said, gathered before the final verdict. */
struct head_state {
	enum header_kind last; /* kind of the previous header line, for folds */
	int seen_header;
	int conn_close, conn_keep_alive;
	int host_count;
	int transfer_encoding;
};

static int is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Field-value characters: HTAB, SP, VCHAR and obs-text. */
static int is_value_char(unsigned char c)
{
	return c == '\t' || (c >= ' ' && c != 0x7f);
}

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive comparison of s[0..n) with the lower-case word w. */
static int equals_word(const char *s, size_t n, const char *w)
{
	if (strlen(w) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (lower(s[i]) != w[i])
			return 0;
	return 1;
}

/* Finds the line starting at pos. Sets *end to where its content ends (the
 * CR of a CRLF, or the LF) and *next to the byte after the LF. Returns 0 when
 * no LF is in buf[pos..len). */
static int next_line(const char *buf, size_t pos, size_t len, size_t *end, size_t *next)
{
	const char *nl = memchr(buf + pos, '\n', len - pos);

	if (nl == NULL)
		return 0;
	*next = (size_t)(nl - buf) + 1;
	*end = (size_t)(nl - buf);
	if (*end > pos && buf[*end - 1] == '\r')
		(*end)--;
	return 1;
}

/* method SP request-target SP HTTP/DIGIT.DIGIT */
static int parse_request_line(const char *s, size_t n, struct http_request *req)
{
	size_t i = 0, t;

	while (i < n && is_tchar((unsigned char)s[i]))
		i++;
	if (i == 0 || i >= n || s[i] != ' ')
		return -400;
	req->method_name = s;
	req->method_len = i;
	if (i == 3 && memcmp(s, "GET", 3) == 0)
		req->method = HTTP_METHOD_GET;
	else if (i == 4 && memcmp(s, "HEAD", 4) == 0)
		req->method = HTTP_METHOD_HEAD;
	else
		req->method = HTTP_METHOD_OTHER;

	t = ++i;
	while (i < n && (unsigned char)s[i] > ' ' && (unsigned char)s[i] < 0x7f)
		i++;
	if (i == t || i >= n || s[i] != ' ')
		return -400;
	req->target = s + t;
	req->target_len = i - t;
	const char *q = memchr(req->target, '?', req->target_len);
	req->path_len = q ? (size_t)(q - req->target) : req->target_len;

	s += i + 1;
	n -= i + 1;
	if (n != 8 || memcmp(s, "HTTP/", 5) != 0 || s[6] != '.' || s[5] < '0' || s[5] > '9' ||
	    s[7] < '0' || s[7] > '9')
		return -400;
	if (s[5] != '1')
		return -505;
	req->version_minor = s[7] == '0' ? 0 : 1;
	return 0;
}

/* Content-Length: 1*DIGIT. A repeat must carry the same value. */
static int parse_content_length(const char *v, size_t n, struct http_request *req)
{
	unsigned long long value = 0;

	if (n == 0)
		return -400;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -400;
		unsigned digit = (unsigned)(v[i] - '0');
		if (value > (~0ULL - digit) / 10)
			return -413;
		value = value * 10 + digit;
	}
	if (req->has_content_length && req->content_length != value)
		return -400;
	req->has_content_length = 1;
	req->content_length = value;
	return 0;
}

/* Connection: a comma-separated list of tokens; close and keep-alive count. */
static void parse_connection(const char *v, size_t n, struct head_state *st)
{
	size_t i = 0;

	while (i < n) {
		while (i < n && (is_ows(v[i]) || v[i] == ','))
			i++;
		size_t start = i;
		while (i < n && !is_ows(v[i]) && v[i] != ',')
			i++;
		if (equals_word(v + start, i - start, "close"))
			st->conn_close = 1;
		else if (equals_word(v + start, i - start, "keep-alive"))
			st->conn_keep_alive = 1;
	}
}

/* Strips OWS at both ends of s[0..*n) and checks the characters. */
static int trim_value(const char **s, size_t *n)
{
	while (*n > 0 && is_ows(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_ows((*s)[*n - 1]))
		(*n)--;
	for (size_t i = 0; i < *n; i++)
		if (!is_value_char((unsigned char)(*s)[i]))
			return -400;
	return 0;
}

/* A continuation line (obs-fold) adds to the previous header's value. */
static int parse_fold(const char *s, size_t n, struct head_state *st)
{
	if (!st->seen_header || trim_value(&s, &n) < 0)
		return -400;
	if (n == 0)
		return 0;
	if (st->last == H_CONTENT_LENGTH || st->last == H_TRANSFER_ENCODING ||
	    st->last == H_HOST)
		return -400;
	if (st->last == H_CONNECTION)
		parse_connection(s, n, st);
	return 0;
}

static int parse_header(const char *s, size_t n, struct http_request *req, struct head_state *st)
{
	size_t i = 0;

	if (n > 0 && is_ows(s[0]))
		return parse_fold(s, n, st);
	while (i < n && is_tchar((unsigned char)s[i]))
		i++;
	if (i == 0 || i >= n || s[i] != ':')
		return -400;

	const char *name = s, *v = s + i + 1;
	size_t name_len = i, vn = n - i - 1;
	if (trim_value(&v, &vn) < 0)
		return -400;
	st->seen_header = 1;
	st->last = H_OTHER;
	if (equals_word(name, name_len, "content-length")) {
		st->last = H_CONTENT_LENGTH;
		return parse_content_length(v, vn, req);
	}
	if (equals_word(name, name_len, "transfer-encoding")) {
		st->last = H_TRANSFER_ENCODING;
		st->transfer_encoding = 1;
	} else if (equals_word(name, name_len, "connection")) {
		st->last = H_CONNECTION;
		parse_connection(v, vn, st);
	} else if (equals_word(name, name_len, "host")) {
		st->last = H_HOST;
		st->host_count++;
	}
	return 0;
}

/* The verdict once the blank line is found. */
static int finish(const struct head_state *st, struct http_request *req)
{
	if (st->transfer_encoding)
		return -501;
	if (req->version_minor >= 1 && st->host_count != 1)
		return -400;
	if (st->host_count > 1)
		return -400;
	if (req->version_minor >= 1)
		req->keep_alive = !st->conn_close;
	else
		req->keep_alive = st->conn_keep_alive && !st->conn_close;
	return 1;
}

int http_parse_request(const char *buf, size_t len, size_t max_head, struct http_request *req)
{
	struct head_state st;
	size_t pos = 0, end, next, limit = len < max_head ? len : max_head;
	int seen_request_line = 0, r;

	memset(req, 0, sizeof *req);
	memset(&st, 0, sizeof st);
	while (next_line(buf, pos, limit, &end, &next)) {
		const char *line = buf + pos;
		size_t n = end - pos;

		pos = next;
		if (!seen_request_line) {
			if (n == 0)
				continue; /* empty lines before a request are allowed */
			r = parse_request_line(line, n, req);
			seen_request_line = 1;
		} else if (n == 0) {
			req->head_len = pos;
			return finish(&st, req);
		} else {
			r = parse_header(line, n, req, &st);
		}
		if (r < 0)
			return r;
	}
	/* A lone CR is only allowed as the first half of a line end. */
	for (size_t i = pos; i + 1 < limit; i++)
		if (buf[i] == '\r')
			return -400;
	return len >= max_head ? -413 : 0;
}

const char *http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

size_t http_decimal(char *out, unsigned long long v)
{
	char digits[20];
	size_t n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		out[i] = digits[n - 1 - i];
	return n;
}

/* Made of pieces copied in one loop rather than through snprintf: a head is
 * made for every response, and all of it is plain text but two numbers. */
size_t http_format_head(char *out, size_t cap, int status, const char *content_type,
                        unsigned long long content_length, const char *extra, int keep_alive,
                        int version_minor)
{
	char code[21], length[21];
	const char *piece[12];
	size_t pieces = 0, len = 0;

	code[http_decimal(code, (unsigned)status)] = '\0';
	length[http_decimal(length, content_length)] = '\0';
	piece[pieces++] = "HTTP/1.1 ";
	piece[pieces++] = code;
	piece[pieces++] = " ";
	piece[pieces++] = http_reason(status);
	piece[pieces++] = content_type ? "\r\nContent-Type: " : "";
	piece[pieces++] = content_type ? content_type : "";
	piece[pieces++] = "\r\nContent-Length: ";
	piece[pieces++] = length;
	piece[pieces++] = "\r\n";
	piece[pieces++] = extra ? extra : "";
	piece[pieces++] = !keep_alive ? "Connection: close\r\n"
	                  : version_minor == 0 ? "Connection: keep-alive\r\n" : "";
	piece[pieces++] = "\r\n";
	for (size_t i = 0; i < pieces; i++)
		for (const char *s = piece[i]; *s; s++) {
			if (len + 1 >= cap)
				return 0;       /* no room for it and the terminator */
			out[len++] = *s;
		}
	out[len] = '\0';
	return len;
}
