/* Umbra's monitor: line editor, command table, argument checks, dispatch to the caller's ops. */
#include "guest/console/monitor.h"
#include "lib/format.h"
#include "lib/string.h"

#include <stdarg.h>

#define CTRL_C	0x03
#define CTRL_U	0x15
#define ESC	0x1b
#define DEL	0x7f

#define SYNTAX_MAX	40	/* "info registers", "xp ADDR [N]" and the like */
#define HELP_COLUMN	16

/* Escape-sequence states: none, just saw ESC, inside "ESC [" or "ESC O". */
enum { ESC_NONE, ESC_START, ESC_BODY };

void monitor_write(struct monitor_out *out, const char *s, size_t n)
{
	if (out && out->write && n)
		out->write(out->ctx, s, n);
}

void monitor_puts(struct monitor_out *out, const char *s)
{
	monitor_write(out, s, strlen(s));
}

int monitor_printf(struct monitor_out *out, const char *fmt, ...)
{
	char buf[MONITOR_PRINTF_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintk(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return n;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	monitor_write(out, buf, (size_t)n);
	return n;
}

/* ---- numbers ---- */

static int digit_value(char c, unsigned base)
{
	int d;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	else
		return -1;
	return d < (int)base ? d : -1;
}

/* The shift of a size suffix K M G T, or -1. */
static int suffix_shift(char c)
{
	switch (c) {
	case 'k': case 'K': return 10;
	case 'm': case 'M': return 20;
	case 'g': case 'G': return 30;
	case 't': case 'T': return 40;
	}
	return -1;
}

/* Accumulates digits (and '_' between digits) from *sp; false when none. */
static bool parse_digits(const char **sp, unsigned base, uint64_t *v, bool *overflow)
{
	const char *s = *sp;
	bool any = false;
	int d;

	for (;; s++) {
		if (*s == '_' && any && digit_value(s[1], base) >= 0)
			continue;
		d = digit_value(*s, base);
		if (d < 0)
			break;
		if (*v > (UINT64_MAX - (uint64_t)d) / base)
			*overflow = true;
		else
			*v = *v * base + (uint64_t)d;
		any = true;
	}
	*sp = s;
	return any;
}

enum monitor_num_err monitor_parse_number(const char *s, uint64_t min, uint64_t max,
					  uint64_t *out)
{
	unsigned base = 10;
	bool overflow = false;
	uint64_t v = 0;
	int shift = 0;

	if (!s)
		return MONITOR_NUM_SYNTAX;
	if (s[0] == '-')
		return digit_value(s[1], 10) >= 0 ? MONITOR_NUM_NEGATIVE : MONITOR_NUM_SYNTAX;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!parse_digits(&s, base, &v, &overflow))
		return MONITOR_NUM_SYNTAX;
	if (*s) {
		shift = suffix_shift(*s);
		if (shift < 0 || s[1])
			return MONITOR_NUM_SYNTAX;
	}
	if (overflow || v > (UINT64_MAX >> shift))
		return MONITOR_NUM_OVERFLOW;
	v <<= shift;
	if (v < min || v > max)
		return MONITOR_NUM_RANGE;
	*out = v;
	return MONITOR_NUM_OK;
}

const char *monitor_num_strerror(enum monitor_num_err err)
{
	switch (err) {
	case MONITOR_NUM_OK:
		return "ok";
	case MONITOR_NUM_SYNTAX:
		return "not a number";
	case MONITOR_NUM_NEGATIVE:
		return "negative";
	case MONITOR_NUM_OVERFLOW:
		return "does not fit in 64 bits";
	case MONITOR_NUM_RANGE:
		return "out of range";
	}
	return "bad number";
}

/* Parses one argument; prints "CMD: bad WHAT \"s\": why" and returns false when it is bad. */
static bool parse_arg(struct monitor_out *out, const char *cmd, const char *what,
		      const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	enum monitor_num_err err = monitor_parse_number(s, min, max, v);

	if (err == MONITOR_NUM_OK)
		return true;
	if (err == MONITOR_NUM_RANGE)
		monitor_printf(out, "%s: bad %s \"%s\": out of range %llu..%llu\n", cmd, what, s,
			       (unsigned long long)min, (unsigned long long)max);
	else
		monitor_printf(out, "%s: bad %s \"%s\": %s\n", cmd, what, s,
			       monitor_num_strerror(err));
	return false;
}

/* ---- the command table ---- */

static void cmd_syntax(const struct monitor_cmd *c, char *buf, size_t size)
{
	snprintk(buf, size, "%s%s%s%s%s", c->name, c->sub ? " " : "", c->sub ? c->sub : "",
		 c->args[0] ? " " : "", c->args);
}

static void print_usage(struct monitor_out *out, const struct monitor_cmd *c)
{
	char syntax[SYNTAX_MAX];

	cmd_syntax(c, syntax, sizeof(syntax));
	monitor_printf(out, "usage: %s\n", syntax);
}

static int not_available(struct monitor_out *out, const char *name)
{
	monitor_printf(out, "%s: not available\n", name);
	return MONITOR_ERROR;
}

static int op_result(int r)
{
	return r < 0 ? MONITOR_ERROR : MONITOR_DONE;
}

typedef int (*plain_op)(void *ctx, struct monitor_out *out);

static int run_plain(void *ctx, plain_op op, const char *name, struct monitor_out *out)
{
	struct monitor *mon = ctx;

	if (!op)
		return not_available(out, name);
	return op_result(op(mon->cmds->ctx, out));
}

static const struct monitor_commands *ops_of(void *ctx)
{
	return ((struct monitor *)ctx)->cmds;
}

static int cmd_info_cpu(void *ctx, int argc, const char *argv[], struct monitor_out *out)
{
	(void)argc, (void)argv;
	return run_plain(ctx, ops_of(ctx)->info_cpu, "info cpu", out);
}

static int cmd_info_mmu(void *ctx, int argc, const char *argv[], struct monitor_out *out)
{
	(void)argc, (void)argv;
	return run_plain(ctx, ops_of(ctx)->info_mmu, "info mmu", out);
}

static int cmd_info_exits(void *ctx, int argc, const char *argv[], struct monitor_out *out)
{
	(void)argc, (void)argv;
	return run_plain(ctx, ops_of(ctx)->info_exits, "info exits", out);
}

static int cmd_info_devices(void *ctx, int argc, const char *argv[], struct monitor_out *out)
{
	(void)argc, (void)argv;
	return run_plain(ctx, ops_of(ctx)->info_devices, "info devices", out);
}

static int cmd_info_acpi(void *ctx, int argc, const char *argv[], struct monitor_out *out)
{
	(void)argc, (void)argv;
	return run_plain(ctx, ops_of(ctx)->info_acpi, "info acpi", out);
}

static int cmd_audit(void *ctx, int argc, const char *argv[], struct monitor_out *out)
{
	(void)argc, (void)argv;
	return run_plain(ctx, ops_of(ctx)->audit, "audit", out);
}

static int cmd_reset(void *ctx, int argc, const char *argv[], struct monitor_out *out)
{
	(void)argc, (void)argv;
	return run_plain(ctx, ops_of(ctx)->reset, "reset", out);
}

static int cmd_quit(void *ctx, int argc, const char *argv[], struct monitor_out *out)
{
	(void)ctx, (void)argc, (void)argv, (void)out;
	return MONITOR_QUIT;
}

static int cmd_walk(void *ctx, int argc, const char *argv[], struct monitor_out *out)
{
	const struct monitor_commands *ops = ops_of(ctx);
	uint64_t addr;

	(void)argc;
	if (!parse_arg(out, "walk", "ADDR", argv[0], 0, UINT64_MAX, &addr))
		return MONITOR_ERROR;
	if (!ops->walk)
		return not_available(out, "walk");
	return op_result(ops->walk(ops->ctx, addr, out));
}

typedef int (*dump_op)(void *ctx, uint64_t addr, unsigned n, struct monitor_out *out);

/* x and xp: ADDR, then N units of 8 bytes that must not run past 2^64. */
static int run_dump(void *ctx, dump_op op, const char *name, int argc, const char *argv[],
		    struct monitor_out *out)
{
	uint64_t addr, n = MONITOR_DUMP_DEFAULT;

	if (!parse_arg(out, name, "ADDR", argv[0], 0, UINT64_MAX, &addr))
		return MONITOR_ERROR;
	if (argc > 1 && !parse_arg(out, name, "N", argv[1], 1, MONITOR_DUMP_MAX, &n))
		return MONITOR_ERROR;
	if (addr > UINT64_MAX - (n * 8 - 1)) {
		monitor_printf(out, "%s: ADDR + N*8 runs past the end of the address space\n", name);
		return MONITOR_ERROR;
	}
	if (!op)
		return not_available(out, name);
	return op_result(op(ops_of(ctx)->ctx, addr, (unsigned)n, out));
}

static int cmd_x(void *ctx, int argc, const char *argv[], struct monitor_out *out)
{
	return run_dump(ctx, ops_of(ctx)->x, "x", argc, argv, out);
}

static int cmd_xp(void *ctx, int argc, const char *argv[], struct monitor_out *out)
{
	return run_dump(ctx, ops_of(ctx)->xp, "xp", argc, argv, out);
}

static int cmd_help(void *ctx, int argc, const char *argv[], struct monitor_out *out);

static const struct monitor_cmd command_table[] = {
	{ "help", NULL, "[CMD]", "list the commands, or show how to use CMD",
	  0, 2, cmd_help },
	{ "info", "cpu", "", "show the guest's registers and control state",
	  0, 0, cmd_info_cpu },
	{ "info", "registers", "", "same as info cpu",
	  0, 0, cmd_info_cpu },
	{ "info", "mmu", "", "show the guest's paging mode and the shadow MMU",
	  0, 0, cmd_info_mmu },
	{ "info", "exits", "", "show VM-exit counts by reason",
	  0, 0, cmd_info_exits },
	{ "info", "devices", "", "list the guest's devices and the ports they answer",
	  0, 0, cmd_info_devices },
	{ "info", "acpi", "", "list the ACPI and MP tables in guest memory, with their checksums",
	  0, 0, cmd_info_acpi },
	{ "walk", NULL, "ADDR", "walk the guest page tables for virtual address ADDR",
	  1, 1, cmd_walk },
	{ "x", NULL, "ADDR [N]", "dump N 8-byte words of guest-virtual memory (N: 8, max 256)",
	  1, 2, cmd_x },
	{ "xp", NULL, "ADDR [N]", "dump N 8-byte words of guest-physical memory (N: 8, max 256)",
	  1, 2, cmd_xp },
	{ "audit", NULL, "", "check the shadow page tables against the guest's",
	  0, 0, cmd_audit },
	{ "reset", NULL, "", "reset the guest",
	  0, 0, cmd_reset },
	{ "quit", NULL, "", "close the monitor and return to the guest console",
	  0, 0, cmd_quit },
};

static const size_t command_count = sizeof(command_table) / sizeof(command_table[0]);

static void help_list(struct monitor_out *out)
{
	char syntax[SYNTAX_MAX];

	monitor_puts(out, "commands (Ctrl-A h lists the console keys):\n");
	for (size_t i = 0; i < command_count; i++) {
		cmd_syntax(&command_table[i], syntax, sizeof(syntax));
		monitor_printf(out, "  %-*s %s\n", HELP_COLUMN, syntax, command_table[i].help);
	}
}

static int cmd_help(void *ctx, int argc, const char *argv[], struct monitor_out *out)
{
	bool found = false;

	(void)ctx;
	if (argc == 0) {
		help_list(out);
		return MONITOR_DONE;
	}
	for (size_t i = 0; i < command_count; i++) {
		const struct monitor_cmd *c = &command_table[i];

		if (strcmp(c->name, argv[0]))
			continue;
		if (argc > 1 && (!c->sub || strcmp(c->sub, argv[1])))
			continue;
		print_usage(out, c);
		monitor_printf(out, "  %s\n", c->help);
		found = true;
	}
	if (found)
		return MONITOR_DONE;
	monitor_printf(out, "unknown command \"%s%s%s\" (type help)\n", argv[0],
		       argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
	return MONITOR_ERROR;
}

const struct monitor_cmd *monitor_command_table(size_t *count)
{
	*count = command_count;
	return command_table;
}

/* ---- parsing and dispatch ---- */

/* Splits line in place at blanks; stores at most max words but counts them all. */
static int split_words(char *line, const char *argv[], int max)
{
	int argc = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return argc;
		if (argc < max)
			argv[argc] = p;
		argc++;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
	}
}

/* "usage: info cpu|registers|mmu|exits|devices" for a word that only has sub-commands. */
static void print_sub_usage(struct monitor_out *out, const char *name)
{
	const char *sep = "";

	monitor_printf(out, "usage: %s ", name);
	for (size_t i = 0; i < command_count; i++) {
		if (!strcmp(command_table[i].name, name)) {
			monitor_printf(out, "%s%s", sep, command_table[i].sub);
			sep = "|";
		}
	}
	monitor_puts(out, "\n");
}

/* Finds the entry for argv; *words is how many words name it. *name_seen: argv[0] is known. */
static const struct monitor_cmd *find_command(int argc, const char *argv[], int *words,
					      bool *name_seen)
{
	*name_seen = false;
	for (size_t i = 0; i < command_count; i++) {
		const struct monitor_cmd *c = &command_table[i];

		if (strcmp(c->name, argv[0]))
			continue;
		*name_seen = true;
		if (!c->sub) {
			*words = 1;
			return c;
		}
		if (argc > 1 && !strcmp(c->sub, argv[1])) {
			*words = 2;
			return c;
		}
	}
	return NULL;
}

static int unknown_command(struct monitor_out *out, int argc, const char *argv[],
			   bool name_seen)
{
	if (!name_seen) {
		monitor_printf(out, "unknown command \"%s\" (type help)\n", argv[0]);
	} else if (argc < 2) {
		print_sub_usage(out, argv[0]);
	} else {
		monitor_printf(out, "unknown command \"%s %s\" (type help %s)\n", argv[0], argv[1],
			       argv[0]);
	}
	return MONITOR_ERROR;
}

static int dispatch(struct monitor *mon, int argc, const char *argv[])
{
	const struct monitor_cmd *c;
	bool name_seen;
	int words = 0, nargs;

	c = find_command(argc, argv, &words, &name_seen);
	if (!c)
		return unknown_command(&mon->out, argc, argv, name_seen);
	nargs = argc - words;
	if (argc > MONITOR_ARGS_MAX || nargs < (int)c->min_args || nargs > (int)c->max_args) {
		print_usage(&mon->out, c);
		return MONITOR_ERROR;
	}
	return c->fn(mon, nargs, argv + words, &mon->out);
}

int monitor_execute(struct monitor *mon, const char *line)
{
	char buf[MONITOR_LINE_MAX + 1];
	const char *argv[MONITOR_ARGS_MAX];
	size_t len = strnlen(line, sizeof(buf));
	int argc;

	if (len > MONITOR_LINE_MAX) {
		monitor_printf(&mon->out, "line too long (max %d characters)\n", MONITOR_LINE_MAX);
		return MONITOR_ERROR;
	}
	memcpy(buf, line, len);
	buf[len] = '\0';
	argc = split_words(buf, argv, MONITOR_ARGS_MAX);
	if (argc == 0)
		return MONITOR_DONE;
	return dispatch(mon, argc, argv);
}

/* ---- the line editor ---- */

void monitor_init(struct monitor *mon, const struct monitor_commands *cmds,
		  const struct monitor_out *out)
{
	memset(mon, 0, sizeof(*mon));
	mon->cmds = cmds;
	mon->out = *out;
}

void monitor_prompt(struct monitor *mon)
{
	monitor_puts(&mon->out, MONITOR_PROMPT);
	monitor_write(&mon->out, mon->line, mon->len);
}

static void erase_char(struct monitor *mon)
{
	if (!mon->len)
		return;
	mon->len--;
	monitor_write(&mon->out, "\b \b", 3);
}

static void erase_line(struct monitor *mon)
{
	while (mon->len)
		erase_char(mon);
}

static void insert_char(struct monitor *mon, char c)
{
	if (mon->len >= MONITOR_LINE_MAX) {
		monitor_write(&mon->out, "\a", 1);
		return;
	}
	mon->line[mon->len++] = c;
	monitor_write(&mon->out, &c, 1);
}

static int submit(struct monitor *mon)
{
	int r;

	monitor_write(&mon->out, "\n", 1);
	mon->line[mon->len] = '\0';
	mon->len = 0;
	r = monitor_execute(mon, mon->line);
	if (r == MONITOR_QUIT)
		return MONITOR_QUIT;
	monitor_prompt(mon);
	return MONITOR_DONE;
}

/* Skips the rest of a terminal escape sequence (arrow keys...); true when c was part of it. */
static bool skip_escape(struct monitor *mon, uint8_t c)
{
	if (c < 0x20 || c >= DEL) {
		mon->esc = ESC_NONE;	/* a control byte ends it and is handled as usual */
		return false;
	}
	if (mon->esc == ESC_START) {
		mon->esc = (c == '[' || c == 'O') ? ESC_BODY : ESC_NONE;
		return true;
	}
	if (c >= 0x40)
		mon->esc = ESC_NONE;	/* the final byte */
	return true;
}

int monitor_input(struct monitor *mon, uint8_t c)
{
	bool after_cr = mon->after_cr;

	mon->after_cr = false;
	if (mon->esc != ESC_NONE && skip_escape(mon, c))
		return MONITOR_DONE;
	switch (c) {
	case '\r':
		mon->after_cr = true;
		return submit(mon);
	case '\n':
		return after_cr ? MONITOR_DONE : submit(mon);
	case '\b':
	case DEL:
		erase_char(mon);
		break;
	case CTRL_U:
		erase_line(mon);
		break;
	case CTRL_C:
		mon->len = 0;
		monitor_puts(&mon->out, "^C\n");
		monitor_prompt(mon);
		break;
	case ESC:
		mon->esc = ESC_START;
		break;
	default:
		if (c >= 0x20 && c < DEL)
			insert_char(mon, (char)c);
		break;
	}
	return MONITOR_DONE;
}
