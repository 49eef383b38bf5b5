/* Umbra's monitor: a line editor and a table-driven command parser over a byte stream. */
#ifndef UMBRA_GUEST_CONSOLE_MONITOR_H
#define UMBRA_GUEST_CONSOLE_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MONITOR_PROMPT		"(umbra) "
#define MONITOR_LINE_MAX	120	/* characters of one command line */
#define MONITOR_ARGS_MAX	8	/* words of one command line, command included */
#define MONITOR_PRINTF_MAX	256	/* longest monitor_printf output; longer is cut */
#define MONITOR_DUMP_DEFAULT	8	/* 8-byte units that x and xp show by default */
#define MONITOR_DUMP_MAX	256	/* most 8-byte units one x or xp may show */

/* Where the monitor's text goes (the serial console); write gets ctx back. */
struct monitor_out {
	void (*write)(void *ctx, const char *s, size_t n);
	void *ctx;
};

void monitor_write(struct monitor_out *out, const char *s, size_t n);
void monitor_puts(struct monitor_out *out, const char *s);
/* Formats with vsnprintk (at most MONITOR_PRINTF_MAX - 1 bytes) and writes the result. */
int monitor_printf(struct monitor_out *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * What the commands do to the guest, supplied by the caller. Arguments are
 * already validated: addresses are any 64-bit value, addr + n * 8 does not
 * wrap, and 1 <= n <= MONITOR_DUMP_MAX. Each returns 0, or a negative value
 * after printing its own one-line error. A NULL entry makes the command
 * print "NAME: not available".
 */
struct monitor_commands {
	void *ctx;
	int (*info_cpu)(void *ctx, struct monitor_out *out);	/* also "info registers" */
	int (*info_mmu)(void *ctx, struct monitor_out *out);
	int (*info_exits)(void *ctx, struct monitor_out *out);
	int (*info_devices)(void *ctx, struct monitor_out *out);
	int (*info_acpi)(void *ctx, struct monitor_out *out);
	int (*walk)(void *ctx, uint64_t gva, struct monitor_out *out);
	int (*x)(void *ctx, uint64_t gva, unsigned n, struct monitor_out *out);
	int (*xp)(void *ctx, uint64_t gpa, unsigned n, struct monitor_out *out);
	int (*audit)(void *ctx, struct monitor_out *out);
	int (*reset)(void *ctx, struct monitor_out *out);
};

/* Results of monitor_execute and of the table's handlers. */
enum {
	MONITOR_ERROR = -1,	/* bad command or argument, or the operation failed */
	MONITOR_DONE = 0,
	MONITOR_QUIT = 1,	/* "quit": go back to the guest console */
};

/* One command: argv[0] is the command itself (argv[1] too for "info" items). */
struct monitor_cmd {
	const char *name;
	const char *sub;	/* second word ("info cpu"), or NULL */
	const char *args;	/* argument syntax for usage lines, "" for none */
	const char *help;	/* one line */
	unsigned min_args, max_args;	/* arguments after the name (and sub) */
	/* ctx is the struct monitor; argv holds the arguments only. */
	int (*fn)(void *ctx, int argc, const char *argv[], struct monitor_out *out);
};

/* The line editor's state; the caller owns it. */
struct monitor {
	const struct monitor_commands *cmds;
	struct monitor_out out;
	char line[MONITOR_LINE_MAX + 1];
	unsigned len;
	bool after_cr;		/* the last byte was CR, so a following LF is part of it */
	unsigned char esc;	/* state of a terminal escape sequence (arrow keys) being skipped */
};

void monitor_init(struct monitor *mon, const struct monitor_commands *cmds,
		  const struct monitor_out *out);
/* Prints the prompt and whatever is already typed (after the monitor opens, or a message). */
void monitor_prompt(struct monitor *mon);
/* Takes one typed byte; returns MONITOR_QUIT when a "quit" was submitted, else MONITOR_DONE. */
int monitor_input(struct monitor *mon, uint8_t c);
/* Runs one command line (without prompt or echo); returns MONITOR_ERROR, _DONE or _QUIT. */
int monitor_execute(struct monitor *mon, const char *line);

/* The command table, for tests and for listing. */
const struct monitor_cmd *monitor_command_table(size_t *count);

/* Why a number did not parse. */
enum monitor_num_err {
	MONITOR_NUM_OK,
	MONITOR_NUM_SYNTAX,	/* empty, stray characters, bad suffix */
	MONITOR_NUM_NEGATIVE,
	MONITOR_NUM_OVERFLOW,	/* does not fit in 64 bits */
	MONITOR_NUM_RANGE,	/* outside the caller's min..max */
};

/*
 * Parses decimal or 0x hexadecimal, with '_' allowed between digits and an
 * optional binary size suffix K, M, G or T (case-insensitive), into a value
 * in min..max.
 */
enum monitor_num_err monitor_parse_number(const char *s, uint64_t min, uint64_t max,
					  uint64_t *out);
const char *monitor_num_strerror(enum monitor_num_err err);

#endif
