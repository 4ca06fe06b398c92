/* Kernel command line parser; the contract is in cmdline.h. */
#include "cmdline.h"

#include <string.h>

/* argv[0] when the loader passed nothing at all; static because argv
 * entries must outlive the call, and writable because argv is char *. */
static char default_argv0[] = "app";

static const char *const level_names[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Cuts the next word out of *cursor and removes its quotes. Removing quotes
 * only ever shortens the word, so it is done in place with a write pointer
 * trailing the read pointer; the NUL lands where the separator was. */
static char *next_word(char **cursor, bool *unterminated)
{
	char *r = *cursor, *w, *word;
	bool quoted = false;

	while (is_blank(*r))
		r++;
	if (*r == '\0')
		return NULL;
	word = w = r;
	for (; *r != '\0'; r++) {
		if (*r == '\\' && (r[1] == '"' || r[1] == '\\')) {
			*w++ = *++r;    /* \" and \\ stand for themselves */
		} else if (*r == '"') {
			quoted = !quoted;
		} else if (!quoted && is_blank(*r)) {
			r++;
			break;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	*cursor = r;
	*unterminated = quoted;
	return word;
}

static void warn(struct cmdline *c, enum cmdline_problem problem, const char *word)
{
	if (c->warning_count < CMDLINE_MAX_WARNINGS) {
		c->warnings[c->warning_count].problem = problem;
		c->warnings[c->warning_count].word = word;
	}
	c->warning_count++;
}

/* A decimal 0-7 or a level name; -1 for anything else. */
static int parse_loglevel(const char *v)
{
	int level = 0;

	for (int i = 0; i <= LOG_DEBUG; i++)
		if (strcmp(v, level_names[i]) == 0)
			return i;
	if (*v == '\0')
		return -1;
	for (; *v != '\0'; v++) {
		if (*v < '0' || *v > '9')
			return -1;
		level = level * 10 + (*v - '0');
		if (level > LOG_DEBUG)  /* also stops overflow on long digit runs */
			return -1;
	}
	return level;
}

/* Option handlers get the value after '=' (NULL when there is none) and the
 * whole word for warnings. */
static void opt_quiet(struct cmdline *c, const char *val, const char *word)
{
	if (val != NULL) {
		warn(c, CMDLINE_MALFORMED, word);
		return;
	}
	c->quiet = true;
	c->loglevel = LOG_WARNING;
}

static void opt_loglevel(struct cmdline *c, const char *val, const char *word)
{
	int level = val != NULL ? parse_loglevel(val) : -1;

	if (level < 0)
		warn(c, CMDLINE_MALFORMED, word);
	else
		c->loglevel = level;
}

/* ip= is kept raw: its Linux syntax is the network layer's to interpret. */
static void opt_ip(struct cmdline *c, const char *val, const char *word)
{
	if (val == NULL || *val == '\0')
		warn(c, CMDLINE_MALFORMED, word);
	else if (c->net_count == CMDLINE_MAX_NET)
		warn(c, CMDLINE_TOO_MANY, word);
	else
		c->net[c->net_count++] = val;
}

static void opt_dns(struct cmdline *c, const char *val, const char *word)
{
	if (val == NULL || *val == '\0')
		warn(c, CMDLINE_MALFORMED, word);
	else
		c->dns = val;
}

static void opt_mount(struct cmdline *c, const char *val, const char *word)
{
	if (val == NULL || *val == '\0')
		warn(c, CMDLINE_MALFORMED, word);
	else if (c->mount_count == CMDLINE_MAX_MOUNTS)
		warn(c, CMDLINE_TOO_MANY, word);
	else
		c->mounts[c->mount_count++] = val;
}

static void opt_console(struct cmdline *c, const char *val, const char *word)
{
	if (val != NULL && strcmp(val, "tagged") == 0)
		c->console_tagged = true;
	else if (val != NULL && strcmp(val, "plain") == 0)
		c->console_tagged = false;
	else
		warn(c, CMDLINE_MALFORMED, word);
}

static const struct {
	const char *name;
	void (*set)(struct cmdline *c, const char *val, const char *word);
} options[] = {
	{ "quiet", opt_quiet },
	{ "loglevel", opt_loglevel },
	{ "ip", opt_ip },
	{ "dns", opt_dns },
	{ "console", opt_console },
	{ "mount", opt_mount },
};

/* True when `word` names a kernel option; it is then consumed, possibly
 * with a warning about its value. */
static bool kernel_option(struct cmdline *c, const char *word)
{
	const char *eq = strchr(word, '=');
	size_t klen = eq != NULL ? (size_t)(eq - word) : strlen(word);

	for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
		if (strlen(options[i].name) == klen &&
		    memcmp(options[i].name, word, klen) == 0) {
			options[i].set(c, eq != NULL ? eq + 1 : NULL, word);
			return true;
		}
	}
	return false;
}

/* KEY=VALUE with KEY a C identifier, so the app's getenv() can find it. */
static bool is_env(const char *word)
{
	const char *p = word;

	if (!(*p == '_' || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
		return false;
	while (*p == '_' || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
	       (*p >= '0' && *p <= '9'))
		p++;
	return *p == '=';
}

static void add_arg(struct cmdline *c, char *word)
{
	if (c->argc == CMDLINE_MAX_ARGS)
		warn(c, CMDLINE_TOO_MANY, word);
	else
		c->argv[c->argc++] = word;
}

static void add_env(struct cmdline *c, char *word)
{
	if (c->envc == CMDLINE_MAX_ENV)
		warn(c, CMDLINE_TOO_MANY, word);
	else
		c->envp[c->envc++] = word;
}

int cmdline_parse(char *buf, struct cmdline *out)
{
	static char empty[1];
	char *cursor = buf != NULL ? buf : empty;
	char *word;
	bool unterminated, app_args = false;

	memset(out, 0, sizeof *out);
	out->loglevel = LOG_INFO;
	while ((word = next_word(&cursor, &unterminated)) != NULL) {
		if (unterminated)
			warn(out, CMDLINE_UNTERMINATED_QUOTE, word);
		if (out->argc == 0)
			out->argv[out->argc++] = word;  /* the image path */
		else if (app_args)
			add_arg(out, word);
		else if (strcmp(word, "--") == 0)
			app_args = true;
		else if (kernel_option(out, word))
			;
		else if (is_env(word))
			add_env(out, word);
		else
			warn(out, CMDLINE_UNKNOWN_OPTION, word);
	}
	if (out->argc == 0)
		out->argv[out->argc++] = default_argv0;
	out->argv[out->argc] = NULL;
	out->envp[out->envc] = NULL;
	return out->warning_count;
}

const char *cmdline_problem_text(enum cmdline_problem problem)
{
	switch (problem) {
	case CMDLINE_UNKNOWN_OPTION:
		return "unknown kernel option";
	case CMDLINE_MALFORMED:
		return "malformed kernel option";
	case CMDLINE_TOO_MANY:
		return "too many words, dropped";
	case CMDLINE_UNTERMINATED_QUOTE:
		return "unterminated quote";
	}
	return "unknown problem";
}
