/* Unit tests of libc-shim/net/inet.c: address text <-> binary. Built on the
 * host against glibc's headers, whose layouts and constants skiff's match;
 * the expected strings are what glibc gives for the same input. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>

#include "check.h"

static uint32_t v4(const char *s, int *ok)
{
	struct in_addr a = { 0 };
	*ok = inet_pton(AF_INET, s, &a);
	return ntohl(a.s_addr);
}

static void test_pton4(void)
{
	int ok;
	CHECK_INT(v4("0.0.0.0", &ok), 0);
	CHECK_INT(ok, 1);
	CHECK_INT(v4("255.255.255.255", &ok), 0xffffffff);
	CHECK_INT(ok, 1);
	CHECK_INT(v4("10.0.2.15", &ok), 0x0a00020f);
	CHECK_INT(ok, 1);
	const char *bad[] = { "", "1", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.04", "01.2.3.4",
			      "1..2.3", "1.2.3.4 ", " 1.2.3.4", "a.b.c.d", "1.2.3.-4", "0x1.2.3.4",
			      "1.2.3.", ".1.2.3" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v4(bad[i], &ok);
		if (!CHECK(ok == 0))
			fprintf(stderr, "    accepted \"%s\"\n", bad[i]);
	}
}

static void test_aton(void)
{
	struct in_addr a;
	CHECK_INT(inet_aton("127.1", &a), 1);
	CHECK_INT(ntohl(a.s_addr), 0x7f000001);
	CHECK_INT(inet_aton("10.258", &a), 1);            /* a.b: b fills 24 bits */
	CHECK_INT(ntohl(a.s_addr), 0x0a000102);
	CHECK_INT(inet_aton("0x7f.0.0.010", &a), 1);      /* hex and octal parts */
	CHECK_INT(ntohl(a.s_addr), 0x7f000008);
	CHECK_INT(inet_aton("3232235521", &a), 1);        /* one 32-bit number */
	CHECK_INT(ntohl(a.s_addr), 0xc0a80001);
	CHECK_INT(inet_aton("1.2.3.4 trailing", &a), 1);  /* glibc stops at a blank */
	CHECK_INT(inet_aton("1.256.3.4", &a), 0);
	CHECK_INT(inet_aton("1.2.65536", &a), 0);
	CHECK_INT(inet_aton("08", &a), 0);
	CHECK_INT(inet_aton("0x", &a), 0);
	CHECK_INT(inet_aton("4294967296", &a), 0);
	CHECK_INT(inet_aton("", &a), 0);
	CHECK_INT(inet_addr("192.168.0.1"), htonl(0xc0a80001));
	CHECK_INT(inet_addr("nope"), INADDR_NONE);
	a.s_addr = htonl(0x0a00020f);
	CHECK_STR(inet_ntoa(a), "10.0.2.15");
}

/* Parses `in` as IPv6 and prints it back: expect `out` (NULL: rejected). */
static void round6(const char *in, const char *out)
{
	unsigned char a[16];
	char buf[INET6_ADDRSTRLEN];
	int ok = inet_pton(AF_INET6, in, a);
	if (!out) {
		if (!CHECK(ok == 0))
			fprintf(stderr, "    accepted \"%s\"\n", in);
		return;
	}
	if (!CHECK(ok == 1)) {
		fprintf(stderr, "    rejected \"%s\"\n", in);
		return;
	}
	CHECK_STR(inet_ntop(AF_INET6, a, buf, sizeof(buf)), out);
}

static void test_ipv6(void)
{
	round6("::", "::");
	round6("::1", "::1");
	round6("1::", "1::");
	round6("fe80::1:2", "fe80::1:2");
	round6("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");     /* first longest run */
	round6("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1");
	round6("1:0:1:1:1:1:1:1", "1:0:1:1:1:1:1:1");            /* one zero: no "::" */
	round6("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8");
	round6("ABCD::EF", "abcd::ef");
	round6("::ffff:10.0.2.15", "::ffff:10.0.2.15");
	round6("::10.0.2.15", "::10.0.2.15");
	round6("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304");
	round6("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0");
	const char *bad[] = { "", ":", ":::", "1:2", "1::2::3", ":1::2", "1::2:", "12345::",
			      "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "g::", "::1.2.3",
			      "::1.2.3.4.5", "1:2:3:4:5:6:7:1.2.3.4" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		round6(bad[i], NULL);
}

static void test_ntop(void)
{
	char buf[INET_ADDRSTRLEN];
	struct in_addr a = { htonl(0xc0a80001) };
	CHECK_STR(inet_ntop(AF_INET, &a, buf, sizeof(buf)), "192.168.0.1");
	a.s_addr = htonl(0xffffffff);
	CHECK_STR(inet_ntop(AF_INET, &a, buf, sizeof(buf)), "255.255.255.255");
	errno = 0;
	CHECK(inet_ntop(AF_INET, &a, buf, 15) == NULL);   /* needs 16 with the NUL */
	CHECK_INT(errno, ENOSPC);
	errno = 0;
	CHECK(inet_ntop(12345, &a, buf, sizeof(buf)) == NULL);
	CHECK_INT(errno, EAFNOSUPPORT);
	errno = 0;
	CHECK_INT(inet_pton(12345, "1.2.3.4", &a), -1);
	CHECK_INT(errno, EAFNOSUPPORT);
}

int main(void)
{
	test_pton4();
	test_aton();
	test_ipv6();
	test_ntop();
	return check_report();
}
