/* Kernel command line parser.
 *
 * Grammar (docs/ARCHITECTURE.md): `[kernel options] [KEY=VALUE ...] -- [app args]`.
 * The first word is the image path the loader passes (QEMU and GRUB both
 * prepend it); it becomes argv[0]. Words are separated by blanks; a pair of
 * double quotes groups blanks into one word ("a b" -> `a b`) and is removed;
 * inside or outside quotes, `\"` is a literal double quote and `\\` a literal
 * backslash (a backslash before anything else is kept as it is), so any
 * value can be passed: `skiff run` writes every backslash and quote so.
 * Before `--`, a recognised kernel option is consumed, any other KEY=VALUE word
 * whose KEY is a C identifier becomes an environ entry, and anything else
 * (a bare word, an option with a bad value) is recorded as a warning. After
 * `--`, every word is an app argument, whatever it looks like.
 *
 * Kernel options: `loglevel=N` (0-7 or emerg, alert, crit, err, warning,
 * notice, info, debug), `quiet`, `ip=...` (raw text, once per NIC),
 * `dns=...`, `console=plain|tagged` (kernel/console.h), `mount=...` (raw
 * text, once per mount, fs/mountspec.h). They apply in order, so `quiet loglevel=7` ends at 7. A word
 * with an unterminated quote is still used (as if the quote closed at the
 * end) and also warned about. Boot paths whose loader does not prepend an
 * image path (e.g. a device tree's bootargs) must prepend one themselves.
 *
 * Pure logic: no allocation and no I/O, so host unit tests drive it. It parses
 * in place: the caller's buffer is split into NUL-terminated words and the
 * argv/envp pointers point into it, so the buffer must outlive them.
 */
#ifndef SKIFF_KERNEL_CMDLINE_H
#define SKIFF_KERNEL_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#define CMDLINE_MAX_ARGS 64     /* argv entries incl. argv[0] */
#define CMDLINE_MAX_ENV 64      /* environ entries */
#define CMDLINE_MAX_WARNINGS 8  /* further warnings are counted, not kept */
#define CMDLINE_MAX_NET 4       /* ip= options, one per NIC in order */
#define CMDLINE_MAX_MOUNTS 8    /* mount= options, applied in order */

/* Log levels, as the Linux kernel numbers them. */
enum log_level {
	LOG_EMERG = 0, LOG_ALERT, LOG_CRIT, LOG_ERR,
	LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG,
};

enum cmdline_problem {
	CMDLINE_UNKNOWN_OPTION, /* word is neither an option nor KEY=VALUE */
	CMDLINE_MALFORMED,      /* a known option with a bad value */
	CMDLINE_TOO_MANY,       /* argv, environ or ip= list full: word dropped */
	CMDLINE_UNTERMINATED_QUOTE, /* word ran to the end inside "..." */
};

struct cmdline_warning {
	enum cmdline_problem problem;
	const char *word;       /* the offending word, as written (quotes removed) */
};

struct cmdline {
	int loglevel;           /* print messages of this level and more severe
	                         * (lower numbers); default LOG_INFO; `quiet`
	                         * sets LOG_WARNING */
	bool quiet;
	int argc;
	char *argv[CMDLINE_MAX_ARGS + 1];  /* NULL-terminated */
	int envc;
	char *envp[CMDLINE_MAX_ENV + 1];   /* NULL-terminated */
	int net_count;                     /* ip= values in order (raw text) */
	const char *net[CMDLINE_MAX_NET];
	const char *dns;                   /* dns= value, NULL when absent */
	bool console_tagged;               /* console=tagged (console.h) */
	int mount_count;                   /* mount= values in order (raw text, */
	const char *mounts[CMDLINE_MAX_MOUNTS]; /* fs/mountspec.h reads them) */
	int warning_count;                 /* all problems, kept or not */
	struct cmdline_warning warnings[CMDLINE_MAX_WARNINGS];
};

/* Parses `buf` (modified in place) into `out`. Always fills `out` with what
 * it could use; returns 0 when there were no warnings, else the number of
 * problems found. argv[0] is "app" when `buf` is empty. */
int cmdline_parse(char *buf, struct cmdline *out);

/* A short human phrase for a problem ("unknown kernel option"). */
const char *cmdline_problem_text(enum cmdline_problem problem);

#endif
