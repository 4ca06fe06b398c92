/* Unit tests of apps/httpd/http.c: the request-head parser and the
 * response-head formatter. */
#include "apps/httpd/http.h"

#include "check.h"

#include <stdlib.h>

#define MAX HTTP_MAX_HEAD_DEFAULT

/* Parses text from an exact-size heap copy, so ASan catches any read past
 * the bytes the parser was given. */
static int parse_n(const char *text, size_t len, size_t max, struct http_request *req)
{
	char *copy = malloc(len ? len : 1);
	int r;

	memcpy(copy, text, len);
	r = http_parse_request(copy, len, max, req);
	/* Pointers into the copy must not outlive it. */
	req->method_name = req->target = NULL;
	free(copy);
	return r;
}

static int parse(const char *text, struct http_request *req)
{
	return parse_n(text, strlen(text), MAX, req);
}

static int status_of(const char *text)
{
	struct http_request req;

	return parse(text, &req);
}

static void test_complete(void)
{
	const char *t = "GET /index.html?x=1 HTTP/1.1\r\nHost: example\r\nAccept: */*\r\n\r\n";
	struct http_request req;

	CHECK_INT(http_parse_request(t, strlen(t), MAX, &req), 1);
	CHECK_INT(req.method, HTTP_METHOD_GET);
	CHECK_INT(req.method_len, 3);
	CHECK(req.method_name == t);
	CHECK_INT(req.target_len, strlen("/index.html?x=1"));
	CHECK(req.target == t + 4);
	CHECK_INT(req.path_len, strlen("/index.html"));
	CHECK_INT(req.version_minor, 1);
	CHECK_INT(req.keep_alive, 1);
	CHECK_INT(req.has_content_length, 0);
	CHECK_INT(req.content_length, 0);
	CHECK_INT(req.head_len, strlen(t));

	CHECK_INT(parse("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n", &req), 1);
	CHECK_INT(req.method, HTTP_METHOD_HEAD);
	CHECK_INT(req.path_len, 1);
	/* Methods are case-sensitive tokens: unknown ones parse, as OTHER. */
	CHECK_INT(parse("get / HTTP/1.1\r\nHost: a\r\n\r\n", &req), 1);
	CHECK_INT(req.method, HTTP_METHOD_OTHER);
	CHECK_INT(parse("M-SEARCH * HTTP/1.1\r\nHost: a\r\n\r\n", &req), 1);
	CHECK_INT(req.method, HTTP_METHOD_OTHER);
	CHECK_INT(req.method_len, 8);
	CHECK_INT(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", &req), 1);
	CHECK_INT(req.method, HTTP_METHOD_OTHER);
	CHECK_INT(req.head_len, strlen("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n"));
	/* Bare LF line ends, and empty lines before the request line. */
	CHECK_INT(parse("GET / HTTP/1.1\nHost: a\n\n", &req), 1);
	CHECK_INT(req.head_len, 24);
	CHECK_INT(parse("\r\n\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", &req), 1);
	CHECK_INT(req.head_len, 3 + 27);
	/* Minor versions above 1 are read as 1.1. */
	CHECK_INT(parse("GET / HTTP/1.9\r\nHost: a\r\n\r\n", &req), 1);
	CHECK_INT(req.version_minor, 1);
}

/* Every proper prefix of a valid head needs more; the whole parses. */
static void check_prefixes(const char *t)
{
	struct http_request req;
	size_t n = strlen(t);
	int bad = 0;

	for (size_t i = 0; i < n; i++)
		if (parse_n(t, i, MAX, &req) != 0) {
			fprintf(stderr, "    prefix %zu of \"%s\" did not need more\n", i, t);
			bad = 1;
		}
	CHECK(!bad);
	CHECK_INT(parse_n(t, n, MAX, &req), 1);
	CHECK_INT(req.head_len, n);
}

static void test_partial(void)
{
	check_prefixes("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n");
	check_prefixes("HEAD /x?y HTTP/1.0\r\n\r\n");
	check_prefixes("GET / HTTP/1.1\nHost: a\n\n");
	check_prefixes("\r\nGET / HTTP/1.1\r\nHost: a\r\nX: y\r\n  folded\r\n\r\n");
	check_prefixes("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n\r\n");
	/* A head is complete without its body. */
	struct http_request req;
	CHECK_INT(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nabc", &req), 1);
	CHECK_INT(req.content_length, 100);
}

static void test_pipelined(void)
{
	const char *t = "GET /a HTTP/1.1\r\nHost: a\r\n\r\n"
	                "HEAD /b HTTP/1.1\r\nHost: a\r\n\r\n"
	                "POST /c HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nxyz"
	                "GET /d HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
	                "GET /e HTT";
	const char *paths = "abcd";
	const enum http_method methods[] = {HTTP_METHOD_GET, HTTP_METHOD_HEAD, HTTP_METHOD_OTHER,
	                                    HTTP_METHOD_GET};
	struct http_request req;
	size_t pos = 0, len = strlen(t);

	for (int i = 0; i < 4; i++) {
		CHECK_INT(http_parse_request(t + pos, len - pos, MAX, &req), 1);
		CHECK_INT(req.method, methods[i]);
		CHECK_INT(req.target_len, 2);
		CHECK(req.target[1] == paths[i]);
		CHECK_INT(req.keep_alive, i != 3);
		pos += req.head_len + req.content_length;
	}
	CHECK_INT(http_parse_request(t + pos, len - pos, MAX, &req), 0);
}

static void test_whitespace_and_folding(void)
{
	struct http_request req;

	/* OWS around values, tabs, empty values. */
	CHECK_INT(parse("GET / HTTP/1.1\r\nHost:a\r\nX-Empty:\r\nX-Tab:\t v \t\r\n\r\n", &req), 1);
	CHECK_INT(parse("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: \t 7 \r\n\r\n", &req), 1);
	CHECK_INT(req.content_length, 7);
	/* obs-fold on an ordinary header is accepted. */
	CHECK_INT(parse("GET / HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n two\r\n\tthree\r\n\r\n", &req),
	          1);
	/* A fold continues Connection's token list. */
	CHECK_INT(parse("GET / HTTP/1.0\r\nConnection: foo,\r\n keep-alive\r\n\r\n", &req), 1);
	CHECK_INT(req.keep_alive, 1);
	/* Folds are refused where they could change message framing or Host. */
	CHECK_INT(status_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n 2\r\n\r\n"), -400);
	CHECK_INT(status_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n 2\r\n\r\n"), -400);
	CHECK_INT(status_of("GET / HTTP/1.1\r\nHost: a\r\n b\r\n\r\n"), -400);
	/* A fold of only whitespace changes nothing. */
	CHECK_INT(parse("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n  \r\n\r\n", &req), 1);
	CHECK_INT(req.content_length, 4);
	/* Whitespace before the first header or before a colon is an error. */
	CHECK_INT(status_of("GET / HTTP/1.1\r\n Host: a\r\n\r\n"), -400);
	CHECK_INT(status_of("GET / HTTP/1.1\r\nHost : a\r\n\r\n"), -400);
	CHECK_INT(status_of("GET / HTTP/1.1\r\nHost\t: a\r\n\r\n"), -400);
	/* Header names are case-insensitive. */
	CHECK_INT(parse("GET / HTTP/1.1\r\nhOsT: a\r\ncontent-LENGTH: 2\r\n\r\n", &req), 1);
	CHECK_INT(req.content_length, 2);
}

static void test_bad_request_lines(void)
{
	static const char *const bad[] = {
		"GET\r\n\r\n",
		"GET /\r\n\r\n",                    /* no version (HTTP/0.9) */
		"GET / \r\n\r\n",
		"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", /* two spaces */
		"GET / HTTP/1.1 \r\nHost: a\r\n\r\n",
		" GET / HTTP/1.1\r\nHost: a\r\n\r\n",
		"G@T / HTTP/1.1\r\nHost: a\r\n\r\n", /* not a token */
		"G(T / HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET / http/1.1\r\nHost: a\r\n\r\n",
		"GET / HTTP/1.1x\r\nHost: a\r\n\r\n",
		"GET / HTTP/11\r\nHost: a\r\n\r\n",
		"GET / HTTP/a.1\r\nHost: a\r\n\r\n",
		"GET / HTTP/1.\r\nHost: a\r\n\r\n",
		"GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n", /* control in target */
		"GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", /* raw non-ASCII */
		"GET / HTTP/1.1\rHost: a\r\n\r\n",          /* lone CR */
		"GET / HTTP/1.1\r\r\nHost: a\r\n\r\n",
		"GET /\rx", /* refused before the line is complete */
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int r = status_of(bad[i]);
		if (!check_result(r == -400, __FILE__, __LINE__, "bad request line gives -400"))
			fprintf(stderr, "    \"%s\" gave %d\n", bad[i], r);
	}
	CHECK_INT(status_of("GET / HTTP/2.0\r\nHost: a\r\n\r\n"), -505);
	CHECK_INT(status_of("GET / HTTP/0.9\r\n\r\n"), -505);
	/* An error in a complete line is reported without waiting for more. */
	CHECK_INT(status_of("G@T / HTTP/1.1\r\n"), -400);
	CHECK_INT(status_of("GET / HTTP/1.1\r\nBad Header\r\n"), -400);
}

static void test_bad_headers(void)
{
	static const char *const bad[] = {
		"GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\n: empty-name\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nBad@Name: v\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nX: a\x01z\r\n\r\n", /* control in value */
		"GET / HTTP/1.1\r\nHost: a\r\nX: a\x7fz\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nX: a\rz\r\n\r\n",
		"GET / HTTP/1.1\r\n\r\n", /* 1.1 without Host */
		"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
		"GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int r = status_of(bad[i]);
		if (!check_result(r == -400, __FILE__, __LINE__, "bad header gives -400"))
			fprintf(stderr, "    \"%s\" gave %d\n", bad[i], r);
	}
	/* obs-text (bytes >= 0x80) is allowed in values; HTTP/1.0 needs no Host. */
	CHECK_INT(status_of("GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9\r\n\r\n"), 1);
	CHECK_INT(status_of("GET / HTTP/1.0\r\n\r\n"), 1);
}

static void test_content_length(void)
{
	struct http_request req;

	CHECK_INT(parse("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", &req), 1);
	CHECK_INT(req.has_content_length, 1);
	CHECK_INT(req.content_length, 0);
	CHECK_INT(parse("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0042\r\n\r\n", &req), 1);
	CHECK_INT(req.content_length, 42);
	CHECK_INT(parse("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551615\r\n\r\n",
	                &req),
	          1);
	CHECK(req.content_length == 18446744073709551615ULL);
	/* Repeats with the same value are allowed, different ones are not. */
	CHECK_INT(parse("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
	                &req),
	          1);
	CHECK_INT(req.content_length, 5);
	CHECK_INT(status_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"),
	          -400);
	CHECK_INT(status_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n"), -400);
	CHECK_INT(status_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n"), -400);
	CHECK_INT(status_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"), -400);
	CHECK_INT(status_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: +1\r\n\r\n"), -400);
	CHECK_INT(status_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\n"), -400);
	CHECK_INT(status_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n"), -400);
	CHECK_INT(status_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n"), -400);
	/* Too large to represent: refused as too large, not as malformed. */
	CHECK_INT(status_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551616\r\n\r\n"),
	          -413);
	CHECK_INT(status_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n"),
	          -413);
	/* Bodies sized by a transfer coding are not supported. */
	CHECK_INT(status_of("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"), -501);
	CHECK_INT(status_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
	                    "Transfer-Encoding: chunked\r\n\r\n"),
	          -501);
}

static void test_keep_alive(void)
{
	static const struct {
		const char *head;
		int keep_alive;
	} cases[] = {
		{"GET / HTTP/1.1\r\nHost: a\r\n\r\n", 1},
		{"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 0},
		{"GET / HTTP/1.1\r\nHost: a\r\nConnection: CLOSE\r\n\r\n", 0},
		{"GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, close\r\n\r\n", 0},
		{"GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n", 1},
		{"GET / HTTP/1.1\r\nHost: a\r\nConnection: closed\r\n\r\n", 1},
		{"GET / HTTP/1.0\r\n\r\n", 0},
		{"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 1},
		{"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", 1},
		{"GET / HTTP/1.0\r\nConnection: te,keep-alive\r\n\r\n", 1},
		{"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", 0},
		{"GET / HTTP/1.0\r\nX-Connection: keep-alive\r\n\r\n", 0},
		{"GET / HTTP/1.0\r\nConnection: keep-alive-ish\r\n\r\n", 0},
	};
	struct http_request req;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int r = parse(cases[i].head, &req);
		int ok = r == 1 && req.keep_alive == cases[i].keep_alive;
		if (!check_result(ok, __FILE__, __LINE__, "keep-alive semantics"))
			fprintf(stderr, "    \"%s\": r=%d keep_alive=%d\n", cases[i].head, r,
			        req.keep_alive);
	}
	CHECK_INT(parse("GET / HTTP/1.0\r\n\r\n", &req), 1);
	CHECK_INT(req.version_minor, 0);
}

static void test_oversized(void)
{
	static char big[3 * MAX];
	struct http_request req;
	const char *start = "GET / HTTP/1.1\r\nHost: a\r\nX-Big: ";
	size_t n = strlen(start);

	memcpy(big, start, n);
	memset(big + n, 'x', sizeof big - n);
	/* Short of the limit, an unfinished head needs more... */
	CHECK_INT(parse_n(big, MAX - 1, MAX, &req), 0);
	/* ...at the limit without its end, it is too large. */
	CHECK_INT(parse_n(big, MAX, MAX, &req), -413);
	CHECK_INT(parse_n(big, sizeof big, MAX, &req), -413);
	/* A head of exactly max bytes fits; one byte more does not. */
	memcpy(big + MAX - 4, "\r\n\r\n", 4);
	CHECK_INT(parse_n(big, MAX, MAX, &req), 1);
	CHECK_INT(req.head_len, MAX);
	CHECK_INT(parse_n(big, sizeof big, MAX, &req), 1);
	CHECK_INT(parse_n(big, MAX + 1, MAX - 1, &req), -413);
	/* A request line alone over the limit. */
	memset(big, 'a', sizeof big);
	memcpy(big, "GET /", 5);
	CHECK_INT(parse_n(big, sizeof big, MAX, &req), -413);
	/* Small limits work too. */
	CHECK_INT(parse_n("GET / HTTP/1.0\r\n\r\n", 18, 18, &req), 1);
	CHECK_INT(parse_n("GET / HTTP/1.0\r\n\r\n", 18, 17, &req), -413);
	CHECK_INT(parse_n("", 0, MAX, &req), 0);
}

static void test_format(void)
{
	char out[256];
	size_t n;

	n = http_format_head(out, sizeof out, 200, "text/plain", 24, NULL, 1, 1);
	CHECK_STR(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 24\r\n\r\n");
	CHECK_INT(n, strlen(out));
	http_format_head(out, sizeof out, 200, "text/plain", 24, NULL, 1, 0);
	CHECK_STR(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 24\r\n"
	               "Connection: keep-alive\r\n\r\n");
	http_format_head(out, sizeof out, 405, NULL, 0, "Allow: GET, HEAD\r\n", 0, 1);
	CHECK_STR(out, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n"
	               "Allow: GET, HEAD\r\nConnection: close\r\n\r\n");
	CHECK_INT(http_format_head(out, 20, 200, "text/plain", 24, NULL, 1, 1), 0);
	CHECK_STR(http_reason(404), "Not Found");
	CHECK_STR(http_reason(408), "Request Timeout");
	CHECK_STR(http_reason(413), "Content Too Large");
	CHECK_STR(http_reason(299), "Unknown");
}

int main(void)
{
	test_complete();
	test_partial();
	test_pipelined();
	test_whitespace_and_folding();
	test_bad_request_lines();
	test_bad_headers();
	test_content_length();
	test_keep_alive();
	test_oversized();
	test_format();
	return check_report();
}
