/* kprintf and klog: a small printf for the kernel (see log.h for why). */
#include <stdint.h>

#include "kernel/arch.h"
#include "kernel/console.h"
#include "kernel/log.h"

int log_threshold = LOG_INFO;

struct out {
	char *buf;
	size_t size, len;       /* len counts every byte, even ones cut off */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_number(struct out *o, uint64_t v, unsigned base, int negative,
		       int width, char pad)
{
	char digits[24];
	int n = 0;
	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (negative)
		digits[n++] = '-';
	for (int i = n; i < width; i++)
		put(o, pad);
	while (n)
		put(o, digits[--n]);
}

static uint64_t take_unsigned(va_list *ap, int longs)
{
	if (longs >= 1)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned int);
}

static int64_t take_signed(va_list *ap, int longs)
{
	if (longs >= 1)
		return va_arg(*ap, long);
	return va_arg(*ap, int);
}

static void put_string(struct out *o, const char *s, int width)
{
	int n = 0;
	if (!s)
		s = "(null)";
	for (const char *p = s; *p; p++)
		n++;
	for (; n < width; n++)
		put(o, ' ');
	while (*s)
		put(o, *s++);
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
	struct out o = { buf, size, 0 };
	va_list ap;
	va_copy(ap, ap_in);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			put(&o, *p);
			continue;
		}
		char pad = ' ';
		int width = 0, longs = 0;
		if (*++p == '0')
			pad = '0';
		while (*p >= '0' && *p <= '9')
			width = width * 10 + (*p++ - '0');
		while (*p == 'l' || *p == 'z') {
			longs++;        /* long, long long and size_t are 64-bit */
			p++;
		}
		switch (*p) {
		case 'd': case 'i': {
			int64_t v = take_signed(&ap, longs);
			put_number(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0, width, pad);
			break;
		}
		case 'u': put_number(&o, take_unsigned(&ap, longs), 10, 0, width, pad); break;
		case 'x': put_number(&o, take_unsigned(&ap, longs), 16, 0, width, pad); break;
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_number(&o, (uintptr_t)va_arg(ap, void *), 16, 0, 16, '0');
			break;
		case 'c': put(&o, (char)va_arg(ap, int)); break;
		case 's': put_string(&o, va_arg(ap, const char *), width); break;
		case '%': put(&o, '%'); break;
		case '\0': p--; break;  /* a lone % at the end */
		default: put(&o, '%'); put(&o, *p); break;
		}
	}
	va_end(ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void kname_end(struct kname *n, const struct out *o)
{
	n->len = o->len;
	if (n->size)
		n->buf[o->len < n->size ? o->len : n->size - 1] = '\0';
}

void kname_text(struct kname *n, const char *s)
{
	struct out o = { n->buf, n->size, n->len };
	while (*s)
		put(&o, *s++);
	kname_end(n, &o);
}

void kname_number(struct kname *n, unsigned long v, unsigned base)
{
	struct out o = { n->buf, n->size, n->len };
	put_number(&o, v, base, 0, 0, ' ');
	kname_end(n, &o);
}

static void vprint(const char *fmt, va_list ap)
{
	char line[256];
	int n = kvsnprintf(line, sizeof(line), fmt, ap);
	if (n >= (int)sizeof(line))
		n = sizeof(line) - 1;
	console_write(CONSOLE_KERNEL, line, (size_t)n);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
}

void klog(int level, const char *fmt, ...)
{
	if (level > log_threshold)
		return;
	va_list ap;
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
}
