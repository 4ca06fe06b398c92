/* Unit tests of kernel/cmdline.c. */
#include "kernel/cmdline.h"

#include "check.h"

#include <stdlib.h>

/* Parses a copy, since the parser writes into its buffer; the result points
 * into the copy and stays valid until the next call. */
static int parse(const char *text, struct cmdline *c)
{
	static char buf[8192];

	if (strlen(text) >= sizeof buf)
		abort();
	strcpy(buf, text);
	return cmdline_parse(buf, c);
}

static void test_empty(void)
{
	struct cmdline c;

	CHECK_INT(parse("", &c), 0);
	CHECK_INT(c.argc, 1);
	CHECK_STR(c.argv[0], "app");
	CHECK(c.argv[1] == NULL);
	CHECK_INT(c.envc, 0);
	CHECK(c.envp[0] == NULL);
	CHECK_INT(c.loglevel, LOG_INFO);
	CHECK(!c.quiet);
	CHECK_INT(c.net_count, 0);
	CHECK(c.dns == NULL);

	CHECK_INT(parse("  \t ", &c), 0);
	CHECK_STR(c.argv[0], "app");
	CHECK_INT(cmdline_parse(NULL, &c), 0);
	CHECK_STR(c.argv[0], "app");
}

static void test_argv0_only(void)
{
	struct cmdline c;

	CHECK_INT(parse("/boot/hello.elf", &c), 0);
	CHECK_INT(c.argc, 1);
	CHECK_STR(c.argv[0], "/boot/hello.elf");
	CHECK(c.argv[1] == NULL);
	CHECK_INT(parse("  hello.elf  ", &c), 0);
	CHECK_STR(c.argv[0], "hello.elf");
}

static void test_options_env_args(void)
{
	struct cmdline c;

	CHECK_INT(parse("k loglevel=7 ip=dhcp ip=10.0.2.15::10.0.2.2:255.255.255.0 "
	                "dns=10.0.2.3 HOME=/ _X1= -- --port 8080", &c), 0);
	CHECK_INT(c.loglevel, LOG_DEBUG);
	CHECK_INT(c.net_count, 2);
	CHECK_STR(c.net[0], "dhcp");
	CHECK_STR(c.net[1], "10.0.2.15::10.0.2.2:255.255.255.0");
	CHECK_STR(c.dns, "10.0.2.3");
	CHECK_INT(c.envc, 2);
	CHECK_STR(c.envp[0], "HOME=/");
	CHECK_STR(c.envp[1], "_X1=");
	CHECK(c.envp[2] == NULL);
	CHECK_INT(c.argc, 3);
	CHECK_STR(c.argv[0], "k");
	CHECK_STR(c.argv[1], "--port");
	CHECK_STR(c.argv[2], "8080");
	CHECK(c.argv[3] == NULL);
}

/* After `--` nothing is an option, not even another `--`. */
static void test_after_dashes(void)
{
	struct cmdline c;

	CHECK_INT(parse("k -- loglevel=0 quiet FOO=bar nosmp -- \"\"", &c), 0);
	CHECK_INT(c.loglevel, LOG_INFO);
	CHECK(!c.quiet);
	CHECK_INT(c.envc, 0);
	CHECK_INT(c.argc, 7);
	CHECK_STR(c.argv[1], "loglevel=0");
	CHECK_STR(c.argv[2], "quiet");
	CHECK_STR(c.argv[3], "FOO=bar");
	CHECK_STR(c.argv[4], "nosmp");
	CHECK_STR(c.argv[5], "--");
	CHECK_STR(c.argv[6], "");

	CHECK_INT(parse("k --", &c), 0);
	CHECK_INT(c.argc, 1);
}

static void test_quotes(void)
{
	struct cmdline c;

	CHECK_INT(parse("k MSG=\"hello world\" -- \"a b\"  c\"d e\"f \"\" x", &c), 0);
	CHECK_INT(c.envc, 1);
	CHECK_STR(c.envp[0], "MSG=hello world");
	CHECK_INT(c.argc, 5);
	CHECK_STR(c.argv[1], "a b");
	CHECK_STR(c.argv[2], "cd ef");
	CHECK_STR(c.argv[3], "");
	CHECK_STR(c.argv[4], "x");

	CHECK_INT(parse("k -- \"open  ended", &c), 1);
	CHECK_INT(c.warnings[0].problem, CMDLINE_UNTERMINATED_QUOTE);
	CHECK_STR(c.warnings[0].word, "open  ended");
	CHECK_INT(c.argc, 2);
	CHECK_STR(c.argv[1], "open  ended");
}

static void test_too_many(void)
{
	struct cmdline c;
	char text[4096] = "k --";

	for (int i = 0; i < CMDLINE_MAX_ARGS + 2; i++)
		sprintf(text + strlen(text), " a%d", i);
	CHECK_INT(parse(text, &c), 3);
	CHECK_INT(c.argc, CMDLINE_MAX_ARGS);
	CHECK(c.argv[CMDLINE_MAX_ARGS] == NULL);
	CHECK_STR(c.argv[CMDLINE_MAX_ARGS - 1], "a62");
	CHECK_INT(c.warnings[0].problem, CMDLINE_TOO_MANY);
	CHECK_STR(c.warnings[0].word, "a63");
	CHECK_STR(c.warnings[2].word, "a65");

	strcpy(text, "k");
	for (int i = 0; i < CMDLINE_MAX_ENV + 1; i++)
		sprintf(text + strlen(text), " V%d=1", i);
	CHECK_INT(parse(text, &c), 1);
	CHECK_INT(c.envc, CMDLINE_MAX_ENV);
	CHECK(c.envp[CMDLINE_MAX_ENV] == NULL);
	CHECK_STR(c.warnings[0].word, "V64=1");

	CHECK_INT(parse("k ip=a ip=b ip=c ip=d ip=e", &c), 1);
	CHECK_INT(c.net_count, CMDLINE_MAX_NET);
	CHECK_INT(c.warnings[0].problem, CMDLINE_TOO_MANY);
	CHECK_STR(c.warnings[0].word, "ip=e");
}

static void test_warnings(void)
{
	struct cmdline c;

	CHECK_INT(parse("k loglevel=abc nosmp loglevel=9 loglevel= loglevel quiet=1 "
	                "ip= dns 1X=2 =v -- ok", &c), 10);
	CHECK_INT(c.warnings[0].problem, CMDLINE_MALFORMED);
	CHECK_STR(c.warnings[0].word, "loglevel=abc");
	CHECK_INT(c.warnings[1].problem, CMDLINE_UNKNOWN_OPTION);
	CHECK_STR(c.warnings[1].word, "nosmp");
	CHECK_INT(c.warnings[2].problem, CMDLINE_MALFORMED);
	CHECK_STR(c.warnings[2].word, "loglevel=9");
	CHECK_STR(c.warnings[3].word, "loglevel=");
	CHECK_STR(c.warnings[4].word, "loglevel");
	CHECK_STR(c.warnings[5].word, "quiet=1");
	CHECK_STR(c.warnings[6].word, "ip=");
	CHECK_STR(c.warnings[7].word, "dns");
	CHECK_INT(c.warning_count, 10);  /* the last two are counted, not kept */
	CHECK_INT(c.loglevel, LOG_INFO);
	CHECK(!c.quiet);
	CHECK_INT(c.envc, 0);
	CHECK_INT(c.argc, 2);
	CHECK_STR(c.argv[1], "ok");

	CHECK_STR(cmdline_problem_text(CMDLINE_UNKNOWN_OPTION), "unknown kernel option");
	CHECK(strlen(cmdline_problem_text(CMDLINE_MALFORMED)) > 0);
	CHECK(strlen(cmdline_problem_text(CMDLINE_TOO_MANY)) > 0);
	CHECK(strlen(cmdline_problem_text(CMDLINE_UNTERMINATED_QUOTE)) > 0);
}

static void test_loglevel(void)
{
	static const char *const names[] = {
		"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
	};
	struct cmdline c;
	char text[64];

	for (int i = 0; i < 8; i++) {
		sprintf(text, "k loglevel=%s", names[i]);
		CHECK_INT(parse(text, &c), 0);
		CHECK_INT(c.loglevel, i);
		sprintf(text, "k loglevel=%d", i);
		CHECK_INT(parse(text, &c), 0);
		CHECK_INT(c.loglevel, i);
	}
	CHECK_INT(parse("k loglevel=Debug", &c), 1);
	CHECK_INT(parse("k loglevel=-1", &c), 1);
	CHECK_INT(parse("k loglevel=99999999999999999999", &c), 1);
	CHECK_INT(c.loglevel, LOG_INFO);
}

static void test_quiet(void)
{
	struct cmdline c;

	CHECK_INT(parse("k quiet", &c), 0);
	CHECK(c.quiet);
	CHECK_INT(c.loglevel, LOG_WARNING);
	/* Options apply in order. */
	CHECK_INT(parse("k quiet loglevel=7", &c), 0);
	CHECK(c.quiet);
	CHECK_INT(c.loglevel, LOG_DEBUG);
	CHECK_INT(parse("k loglevel=7 quiet", &c), 0);
	CHECK_INT(c.loglevel, LOG_WARNING);
}

/* \" and \\ escape; a backslash before anything else is kept. */
static void test_escapes(void)
{
	struct cmdline c;

	CHECK_INT(parse("k \"V=say \\\"hi\\\"\" -- a\\\\b \\\" c\\d \"\\\\\" x\\", &c), 0);
	CHECK_INT(c.envc, 1);
	CHECK_STR(c.envp[0], "V=say \"hi\"");
	CHECK_INT(c.argc, 6);
	CHECK_STR(c.argv[1], "a\\b");
	CHECK_STR(c.argv[2], "\"");
	CHECK_STR(c.argv[3], "c\\d");
	CHECK_STR(c.argv[4], "\\");
	CHECK_STR(c.argv[5], "x\\");
	/* An escaped quote does not open a quoted word. */
	CHECK_INT(parse("k -- \\\"a b", &c), 0);
	CHECK_INT(c.argc, 3);
	CHECK_STR(c.argv[1], "\"a");
}

static void test_console(void)
{
	struct cmdline c;

	CHECK_INT(parse("k", &c), 0);
	CHECK(!c.console_tagged);
	CHECK_INT(parse("k console=tagged", &c), 0);
	CHECK(c.console_tagged);
	CHECK_INT(parse("k console=tagged console=plain", &c), 0);
	CHECK(!c.console_tagged);
	CHECK_INT(parse("k console=serial", &c), 1);
	CHECK_INT(c.warnings[0].problem, CMDLINE_MALFORMED);
	CHECK(!c.console_tagged);
}

/* `test_cmdline --parse`: the kernel's reading of the command line on
 * stdin, one line per word, so the host tests of the skiff command check
 * what it writes against this parser itself (test/cli/test_units.py). */
static int parse_stdin(void)
{
	static char buf[8192];
	struct cmdline c;
	size_t n = fread(buf, 1, sizeof buf - 1, stdin);

	buf[n] = '\0';
	cmdline_parse(buf, &c);
	printf("tagged %d quiet %d\n", c.console_tagged, c.quiet);
	for (int i = 0; i < c.envc; i++)
		printf("env %s\n", c.envp[i]);
	for (int i = 1; i < c.argc; i++)
		printf("arg %s\n", c.argv[i]);
	for (int i = 0; i < c.warning_count && i < CMDLINE_MAX_WARNINGS; i++)
		printf("warning %s\n", c.warnings[i].word);
	return 0;
}

static void test_mounts(void)
{
	struct cmdline c;

	CHECK_INT(parse("k mount=tmpfs:/tmp mount=vda:/data:ext4:rw -- mount=x", &c), 0);
	CHECK_INT(c.mount_count, 2);
	CHECK_STR(c.mounts[0], "tmpfs:/tmp");
	CHECK_STR(c.mounts[1], "vda:/data:ext4:rw");
	CHECK_STR(c.argv[1], "mount=x");
	CHECK_INT(parse("k mount= mount=a:/1 mount=a:/2 mount=a:/3 mount=a:/4 mount=a:/5 mount=a:/6 "
	                "mount=a:/7 mount=a:/8 mount=a:/9", &c), 2);
	CHECK_INT(c.mount_count, CMDLINE_MAX_MOUNTS);
	CHECK_INT(c.warnings[0].problem, CMDLINE_MALFORMED);
	CHECK_INT(c.warnings[1].problem, CMDLINE_TOO_MANY);
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--parse") == 0)
		return parse_stdin();
	test_escapes();
	test_console();
	test_mounts();
	test_empty();
	test_argv0_only();
	test_options_env_args();
	test_after_dashes();
	test_quotes();
	test_too_many();
	test_warnings();
	test_loglevel();
	test_quiet();
	return check_report();
}
