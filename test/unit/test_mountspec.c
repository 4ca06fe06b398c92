/* Unit tests of fs/mountspec.c: mount=SOURCE:TARGET[:TYPE][:OPTIONS]. */
#include "fs/mountspec.h"

#include "check.h"

#include <errno.h>

static struct mount_spec m;
static const char *why;

static void test_good(void)
{
	CHECK_INT(mount_spec_parse("tmpfs:/tmp", &m, &why), 0);
	CHECK_STR(m.source, "tmpfs");
	CHECK_STR(m.target, "/tmp");
	CHECK_STR(m.type, "");
	CHECK_STR(m.options, "");
	CHECK(!m.read_only);
	CHECK_INT(mount_spec_parse("tmpfs:/tmp:size=8M", &m, &why), 0);
	CHECK_STR(m.options, "size=8M");
	CHECK_STR(m.type, "");
	CHECK_INT(mount_spec_parse("vda:/data:ext4:rw", &m, &why), 0);
	CHECK_STR(m.source, "vda");
	CHECK_STR(m.type, "ext4");
	CHECK_STR(m.options, "rw");
	CHECK(!m.read_only);
	CHECK_INT(mount_spec_parse("tmpfs:/ro:ro", &m, &why), 0);
	CHECK(m.read_only);
	CHECK_INT(mount_spec_parse("tmpfs:/x:tmpfs:size=1M,ro", &m, &why), 0);
	CHECK(m.read_only);
	CHECK_STR(m.options, "size=1M,ro");
	CHECK_INT(mount_spec_parse("tmpfs:/x:mode=1777,rw", &m, &why), 0);
	CHECK(!m.read_only);
	CHECK_STR(m.type, "");
	CHECK_INT(mount_spec_parse("9p:hostdata:/srv:ro", &m, &why), 0);
	CHECK_STR(m.source, "hostdata");
	CHECK_STR(m.target, "/srv");
	CHECK_STR(m.type, "9p");
	CHECK(m.read_only);
	CHECK_INT(mount_spec_parse("share:/srv:9p", &m, &why), 0);
	CHECK_STR(m.source, "share");
	CHECK_STR(m.type, "9p");
	CHECK_INT(mount_spec_parse("9p:tag:/srv:ext4:rw", &m, &why), -EINVAL);
}

static void test_bad(void)
{
	const char *bad[] = {
		"tmpfs", ":/tmp", "tmpfs:", "tmpfs:tmp", "vda:/data::rw", "vda:/data:ext4:",
		"a-source-name-that-is-far-too-long-to-fit:/x",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why = NULL;
		CHECK_INT(mount_spec_parse(bad[i], &m, &why), -EINVAL);
		CHECK(why != NULL);
	}
}

int main(void)
{
	test_good();
	test_bad();
	return check_report();
}
