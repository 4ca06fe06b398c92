/* The kernel command line's `mount=SOURCE:TARGET[:TYPE][:OPTIONS]`
 * (DESIGN's storage convention), parsed; pure logic for host tests.
 *
 * SOURCE is `tmpfs` (a new tmpfs; TYPE may be left out) or a device or 9p
 * tag for the storage drivers to come. TARGET is an absolute path, made
 * when missing. The third field is TYPE unless it holds a '=' or is `ro`
 * or `rw` (then it is OPTIONS: `mount=tmpfs:/tmp:size=8M`). OPTIONS are
 * comma-separated; `ro` and `rw` are the mount's, the rest the file
 * system's. `9p:TAG:TARGET[:OPTIONS]` names a 9p share (SOURCE is then
 * the tag, TYPE "9p"), as does `TAG:TARGET:9p[:OPTIONS]`. */
#ifndef SKIFF_FS_MOUNTSPEC_H
#define SKIFF_FS_MOUNTSPEC_H

#include <stdbool.h>
#include <stddef.h>

struct mount_spec {
	char source[32];
	char target[256];
	char type[16];          /* "" when not given */
	char options[128];      /* as written, "" when none */
	bool read_only;         /* "ro" among the options */
};

/* Returns 0, or -EINVAL with a short reason in *why (a static string). */
int mount_spec_parse(const char *text, struct mount_spec *out, const char **why);

#endif
