/* Text <-> binary Internet addresses (<arpa/inet.h>). Pure code with no
 * skiff dependency, so the host unit test (test/unit/test_inet.c) runs it
 * as it is; behaviour follows glibc where POSIX leaves room (inet_pton
 * rejects leading zeros and short forms; inet_aton accepts both). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

const struct in6_addr in6addr_any = IN6ADDR_ANY_INIT;
const struct in6_addr in6addr_loopback = IN6ADDR_LOOPBACK_INIT;

static int digit_value(char c, int base)
{
	int v = c >= '0' && c <= '9' ? c - '0' :
		c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;
	return v < base ? v : -1;
}

/* One number of the classic notation: decimal, 0octal or 0xhex. */
static const char *classic_part(const char *p, unsigned long *out)
{
	int base = 10;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
		if (digit_value(*p, 16) < 0)
			return 0;
	} else if (p[0] == '0') {
		base = 8;
	}
	unsigned long v = 0;
	int d;
	if (digit_value(*p, base) < 0)
		return 0;
	for (; (d = digit_value(*p, base)) >= 0; p++) {
		v = v * (unsigned)base + (unsigned)d;
		if (v > 0xffffffffUL)
			return 0;
	}
	*out = v;
	return p;
}

/* a, a.b, a.b.c or a.b.c.d; the last part fills the remaining bytes. */
int inet_aton(const char *cp, struct in_addr *out)
{
	unsigned long part[4];
	int n = 0;
	for (;;) {
		if (!(cp = classic_part(cp, &part[n++])))
			return 0;
		if (*cp != '.')
			break;
		if (n == 4)
			return 0;
		cp++;
	}
	if (*cp && *cp != ' ')          /* glibc stops at a blank */
		return 0;
	unsigned long v = part[n - 1];
	if (v > (0xffffffffUL >> (8 * (n - 1))))
		return 0;
	for (int i = 0; i < n - 1; i++) {
		if (part[i] > 255)
			return 0;
		v |= part[i] << (24 - 8 * i);
	}
	if (out)
		out->s_addr = htonl((uint32_t)v);
	return 1;
}

in_addr_t inet_addr(const char *cp)
{
	struct in_addr a;
	return inet_aton(cp, &a) ? a.s_addr : INADDR_NONE;
}

char *inet_ntoa(struct in_addr in)
{
	static char buf[INET_ADDRSTRLEN];
	return (char *)inet_ntop(AF_INET, &in, buf, sizeof(buf));
}

/* Exactly four decimal parts 0-255, no leading zeros. */
static int pton4(const char *src, uint8_t out[4])
{
	for (int i = 0; i < 4; i++) {
		if (*src < '0' || *src > '9')
			return 0;
		unsigned v = 0;
		const char *start = src;
		while (*src >= '0' && *src <= '9') {
			v = v * 10 + (unsigned)(*src++ - '0');
			if (v > 255 || (src - start > 1 && *start == '0'))
				return 0;
		}
		out[i] = (uint8_t)v;
		if (*src != (i == 3 ? '\0' : '.'))
			return 0;
		src++;
	}
	return 1;
}

/* Up to eight groups of 1-4 hex digits, one "::" for a run of zero
 * groups, optionally ending in a dotted IPv4 address (two groups). */
static int pton6(const char *src, uint8_t out[16])
{
	uint8_t words[16] = { 0 };
	int n = 0, gap = -1;
	if (src[0] == ':' && src[1] != ':')
		return 0;
	if (src[0] == ':')
		src++;                  /* the first ':' of a leading "::" */
	while (*src) {
		if (*src == ':') {
			if (gap >= 0)
				return 0;       /* a second "::" */
			gap = n;
			src++;
			continue;
		}
		const char *start = src;
		unsigned v = 0;
		int d;
		while ((d = digit_value(*src, 16)) >= 0 && src - start < 4)
			v = v * 16 + (unsigned)d, src++;
		if (*src == '.' && n <= 12) {
			if (!pton4(start, &words[n]))
				return 0;
			n += 4;
			break;
		}
		if (src == start || n == 16 || digit_value(*src, 16) >= 0)
			return 0;
		words[n++] = (uint8_t)(v >> 8);
		words[n++] = (uint8_t)v;
		if (*src == ':' && *++src == '\0')
			return 0;       /* a trailing single ':' */
	}
	if ((gap < 0 && n != 16) || (gap >= 0 && n == 16))
		return 0;
	int tail = gap < 0 ? 0 : n - gap;
	memset(out, 0, 16);
	memcpy(out, words, (size_t)(n - tail));
	memcpy(out + 16 - tail, words + n - tail, (size_t)tail);
	return 1;
}

int inet_pton(int af, const char *src, void *dst)
{
	uint8_t buf[16];
	int ok;
	if (af == AF_INET)
		ok = pton4(src, buf);
	else if (af == AF_INET6)
		ok = pton6(src, buf);
	else {
		errno = EAFNOSUPPORT;
		return -1;
	}
	if (ok)
		memcpy(dst, buf, af == AF_INET ? 4 : 16);
	return ok;
}

static void ntop4(const uint8_t *a, char *buf)
{
	sprintf(buf, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

/* RFC 5952: the longest run of two or more zero groups (the first of equal
 * ones) becomes "::"; IPv4-mapped and -compatible addresses end dotted. */
static void ntop6(const uint8_t *a, char *buf)
{
	unsigned w[8];
	int best = -1, best_len = 0;
	for (int i = 0; i < 8; i++)
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	for (int i = 0, len; i < 8; i += len ? len : 1) {
		for (len = 0; i + len < 8 && w[i + len] == 0; len++)
			;
		if (len > best_len && len >= 2)
			best = i, best_len = len;
	}
	bool v4 = best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff));
	char *p = buf;
	for (int i = 0; i < (v4 ? 6 : 8); i++) {
		if (i == best) {
			p += sprintf(p, i == 0 ? "::" : ":");
			i += best_len - 1;
			continue;
		}
		p += sprintf(p, "%x%s", w[i], i < 7 ? ":" : "");
	}
	if (v4)
		ntop4(a + 12, p);
	else
		*p = '\0';
}

const char *inet_ntop(int af, const void *src, char *dst, socklen_t size)
{
	char buf[INET6_ADDRSTRLEN];
	if (af == AF_INET)
		ntop4(src, buf);
	else if (af == AF_INET6)
		ntop6(src, buf);
	else {
		errno = EAFNOSUPPORT;
		return 0;
	}
	if (strlen(buf) >= size) {
		errno = ENOSPC;
		return 0;
	}
	return strcpy(dst, buf);
}
