/* mount_spec_parse (mountspec.h). */
#include <errno.h>
#include <string.h>

#include "fs/mountspec.h"

/* Copies the field [start, end) into out (size bytes); false when it does
 * not fit or is empty. */
static bool field(const char *start, const char *end, char *out, size_t size)
{
	size_t len = (size_t)(end - start);
	if (len == 0 || len >= size)
		return false;
	memcpy(out, start, len);
	out[len] = '\0';
	return true;
}

static bool is_options(const char *f, size_t len)
{
	return memchr(f, '=', len) || (len == 2 && (memcmp(f, "ro", 2) == 0 || memcmp(f, "rw", 2) == 0)) ||
	       memchr(f, ',', len);
}

static bool has_ro(const char *options)
{
	for (const char *p = options; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == 2 && memcmp(p, "ro", 2) == 0)
			return true;
		p = end ? end + 1 : p + len;
	}
	return false;
}

int mount_spec_parse(const char *text, struct mount_spec *out, const char **why)
{
	memset(out, 0, sizeof(*out));
	const char *c1 = strchr(text, ':');
	if (!c1 || !field(text, c1, out->source, sizeof(out->source))) {
		*why = "no SOURCE:TARGET";
		return -EINVAL;
	}
	const char *target = c1 + 1, *c2 = strchr(target, ':');
	/* 9p:TAG:TARGET[:OPTIONS], the and QEMU's order for shares. */
	if (strcmp(out->source, "9p") == 0 && *target != '/' && c2) {
		int err = mount_spec_parse(target, out, why);
		if (!err && out->type[0] && strcmp(out->type, "9p") != 0) {
			*why = "a 9p share has type 9p";
			return -EINVAL;
		}
		if (!err && !out->type[0])
			memcpy(out->type, "9p", 3);
		return err;
	}
	const char *tend = c2 ? c2 : target + strlen(target);
	if (!field(target, tend, out->target, sizeof(out->target)) || out->target[0] != '/') {
		*why = "the target must be an absolute path";
		return -EINVAL;
	}
	if (c2) {
		const char *third = c2 + 1, *c3 = strchr(third, ':');
		size_t len = c3 ? (size_t)(c3 - third) : strlen(third);
		if (len && !c3 && is_options(third, len)) {
			field(third, third + len, out->options, sizeof(out->options));
		} else if (!field(third, third + len, out->type, sizeof(out->type)) ||
			   (c3 && !field(c3 + 1, c3 + 1 + strlen(c3 + 1), out->options, sizeof(out->options)))) {
			*why = "an empty or too long TYPE or OPTIONS";
			return -EINVAL;
		}
	}
	out->read_only = has_ro(out->options);
	return 0;
}
