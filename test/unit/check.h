/* Minimal assertions for host unit tests. A failed check prints file:line and
 * the expression and the test goes on, so one run shows every failure;
 * check_report() prints the totals and gives main's exit status. */
#ifndef SKIFF_TEST_CHECK_H
#define SKIFF_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

static inline int check_result(int ok, const char *file, int line, const char *expr)
{
	if (ok) {
		check_passed++;
	} else {
		check_failed++;
		fprintf(stderr, "%s:%d: check failed: %s\n", file, line, expr);
	}
	return ok;
}

#define CHECK(expr) check_result((expr) ? 1 : 0, __FILE__, __LINE__, #expr)

/* Integers and strings also show both values, which is what one wants to
 * see first when such a check fails. */
#define CHECK_INT(a, b)                                                        \
	do {                                                                   \
		long long a_ = (a), b_ = (b);                                  \
		if (!check_result(a_ == b_, __FILE__, __LINE__, #a " == " #b)) \
			fprintf(stderr, "    %lld != %lld\n", a_, b_);         \
	} while (0)

#define CHECK_STR(a, b)                                                        \
	do {                                                                   \
		const char *a_ = (a), *b_ = (b);                               \
		int ok_ = a_ != NULL && b_ != NULL && strcmp(a_, b_) == 0;     \
		if (!check_result(ok_, __FILE__, __LINE__, #a " == " #b))      \
			fprintf(stderr, "    \"%s\" != \"%s\"\n",              \
			        a_ ? a_ : "(null)", b_ ? b_ : "(null)");       \
	} while (0)

static inline int check_report(void)
{
	printf("%d passed, %d failed\n", check_passed, check_failed);
	return check_failed != 0;
}

#endif
