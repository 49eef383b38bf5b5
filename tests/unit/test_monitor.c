/* Unit tests for the console escape keys (guest/console/console_mux.c) and the monitor (guest/console/monitor.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/console/console_mux.h"
#include "guest/console/monitor.h"

/* ---- output capture and fake ops ---- */

struct capture {
	char *buf;
	size_t len, cap;
	size_t writes;
};

static void capture_write(void *ctx, const char *s, size_t n)
{
	struct capture *c = ctx;

	assert_non_null(s);
	assert_true(n > 0);
	if (c->len + n + 1 > c->cap) {
		c->cap = (c->len + n + 1) * 2;
		c->buf = realloc(c->buf, c->cap);
		assert_non_null(c->buf);
	}
	memcpy(c->buf + c->len, s, n);
	c->len += n;
	c->buf[c->len] = '\0';
	c->writes++;
}

static const char *captured(struct capture *c)
{
	return c->buf ? c->buf : "";
}

static void reset_capture(struct capture *c)
{
	c->len = 0;
	if (c->buf)
		c->buf[0] = '\0';
}

/* What the fake ops saw. */
struct fake {
	char last[32];
	unsigned calls;
	uint64_t addr;
	unsigned n;
	int ret;
};

static int record(struct fake *f, const char *name, uint64_t addr, unsigned n,
		  struct monitor_out *out)
{
	snprintf(f->last, sizeof(f->last), "%s", name);
	f->calls++;
	f->addr = addr;
	f->n = n;
	monitor_printf(out, "<%s %#llx %u>\n", name, (unsigned long long)addr, n);
	return f->ret;
}

static int fake_info_cpu(void *ctx, struct monitor_out *out)
{
	return record(ctx, "info_cpu", 0, 0, out);
}

static int fake_info_mmu(void *ctx, struct monitor_out *out)
{
	return record(ctx, "info_mmu", 0, 0, out);
}

static int fake_info_exits(void *ctx, struct monitor_out *out)
{
	return record(ctx, "info_exits", 0, 0, out);
}

static int fake_info_devices(void *ctx, struct monitor_out *out)
{
	return record(ctx, "info_devices", 0, 0, out);
}

static int fake_info_acpi(void *ctx, struct monitor_out *out)
{
	return record(ctx, "info_acpi", 0, 0, out);
}

static int fake_walk(void *ctx, uint64_t gva, struct monitor_out *out)
{
	return record(ctx, "walk", gva, 0, out);
}

static int fake_x(void *ctx, uint64_t gva, unsigned n, struct monitor_out *out)
{
	return record(ctx, "x", gva, n, out);
}

static int fake_xp(void *ctx, uint64_t gpa, unsigned n, struct monitor_out *out)
{
	return record(ctx, "xp", gpa, n, out);
}

static int fake_audit(void *ctx, struct monitor_out *out)
{
	return record(ctx, "audit", 0, 0, out);
}

static int fake_reset(void *ctx, struct monitor_out *out)
{
	return record(ctx, "reset", 0, 0, out);
}

struct rig {
	struct capture cap;
	struct fake fake;
	struct monitor_commands ops;
	struct monitor mon;
	struct console_mux mux;
};

static int rig_setup(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));
	struct monitor_out out;

	assert_non_null(r);
	r->ops = (struct monitor_commands){
		.ctx = &r->fake,
		.info_cpu = fake_info_cpu, .info_mmu = fake_info_mmu,
		.info_exits = fake_info_exits, .info_devices = fake_info_devices,
		.info_acpi = fake_info_acpi,
		.walk = fake_walk, .x = fake_x, .xp = fake_xp, .audit = fake_audit, .reset = fake_reset,
	};
	out.write = capture_write;
	out.ctx = &r->cap;
	monitor_init(&r->mon, &r->ops, &out);
	console_mux_init(&r->mux, &r->mon, &out);
	*state = r;
	return 0;
}

static int rig_teardown(void **state)
{
	struct rig *r = *state;

	free(r->cap.buf);
	free(r);
	return 0;
}

/* Feeds bytes to the mux; returns the bytes it routed to the guest (NUL-terminated, static). */
static const char *feed_n(struct rig *r, const char *s, size_t n)
{
	static char guest[4096];
	size_t g = 0;

	for (size_t i = 0; i < n; i++) {
		enum mux_action a = console_mux_input(&r->mux, (uint8_t)s[i]);

		if (a == MUX_GUEST && g < sizeof(guest) - 1)
			guest[g++] = s[i];
		if (a == MUX_POWEROFF && g < sizeof(guest) - 1)
			guest[g++] = '!';
	}
	guest[g] = '\0';
	return guest;
}

static const char *feed(struct rig *r, const char *s)
{
	return feed_n(r, s, strlen(s));
}

/* Types a line into the monitor directly and returns the output it produced. */
static const char *type(struct rig *r, const char *s)
{
	reset_capture(&r->cap);
	for (size_t i = 0; s[i]; i++)
		monitor_input(&r->mon, (uint8_t)s[i]);
	return captured(&r->cap);
}

/* Runs one command line without the editor and returns its output. */
static const char *run(struct rig *r, const char *line, int expect)
{
	reset_capture(&r->cap);
	assert_int_equal(monitor_execute(&r->mon, line), expect);
	return captured(&r->cap);
}

#define OPEN_TEXT	"\n[umbra] monitor (type help; Ctrl-A c returns to the guest)\n(umbra) "
#define CLOSE_TEXT	"\n[umbra] guest console\n"

/* ---- the escape keys ---- */

static void test_mux_routes_to_guest(void **state)
{
	struct rig *r = *state;

	assert_string_equal(feed(r, "hello\r\n"), "hello\r\n");
	assert_int_equal(r->cap.len, 0);
	assert_false(r->mux.monitor_open);
}

static void test_mux_toggle_monitor(void **state)
{
	struct rig *r = *state;

	assert_string_equal(feed(r, "a\x01" "cb"), "a");
	assert_true(r->mux.monitor_open);
	assert_string_equal(captured(&r->cap), OPEN_TEXT "b");
	reset_capture(&r->cap);
	assert_string_equal(feed(r, "\x01" "Cz"), "z");
	assert_false(r->mux.monitor_open);
	assert_string_equal(captured(&r->cap), CLOSE_TEXT);
	/* The half-typed line is still there when the monitor opens again. */
	reset_capture(&r->cap);
	feed(r, "\x01" "c");
	assert_string_equal(captured(&r->cap), OPEN_TEXT "b");
}

static void test_mux_escape_split_across_calls(void **state)
{
	struct rig *r = *state;

	assert_int_equal(console_mux_input(&r->mux, 0x01), MUX_NONE);
	assert_true(r->mux.escape);
	assert_int_equal(r->cap.len, 0);
	assert_int_equal(console_mux_input(&r->mux, 'c'), MUX_NONE);
	assert_true(r->mux.monitor_open);
	assert_false(r->mux.escape);
	/* Ctrl-A as the very last byte: nothing happens until the next one. */
	assert_string_equal(feed(r, "\x01"), "");
	assert_true(r->mux.monitor_open);
	assert_string_equal(feed(r, "c"), "");
	assert_false(r->mux.monitor_open);
}

static void test_mux_literal_ctrl_a(void **state)
{
	struct rig *r = *state;

	assert_string_equal(feed(r, "\x01\x01"), "\x01");
	assert_int_equal(r->cap.len, 0);
	assert_string_equal(feed(r, "\x01\x01\x01\x01x"), "\x01\x01x");
	/* In the monitor the literal Ctrl-A goes to the editor, which ignores it. */
	feed(r, "\x01" "c");
	reset_capture(&r->cap);
	assert_int_equal(console_mux_input(&r->mux, 0x01), MUX_NONE);
	assert_int_equal(console_mux_input(&r->mux, 0x01), MUX_MONITOR);
	assert_int_equal(r->cap.len, 0);
	assert_int_equal(r->mon.len, 0);
}

static void test_mux_unknown_key(void **state)
{
	struct rig *r = *state;

	assert_string_equal(feed(r, "\x01yq"), "q");
	assert_string_equal(captured(&r->cap),
			    "\n[umbra] Ctrl-A y: no such key (Ctrl-A h lists them)\n");
	reset_capture(&r->cap);
	assert_string_equal(feed(r, "\x01\x05"), "");
	assert_string_equal(captured(&r->cap),
			    "\n[umbra] Ctrl-A 0x05: no such key (Ctrl-A h lists them)\n");
	reset_capture(&r->cap);
	assert_string_equal(feed_n(r, "\x01\xff\x01 ", 4), "");
	assert_string_equal(captured(&r->cap),
			    "\n[umbra] Ctrl-A 0xff: no such key (Ctrl-A h lists them)\n"
			    "\n[umbra] Ctrl-A 0x20: no such key (Ctrl-A h lists them)\n");
	/* In the monitor, the prompt and the typed text come back after the message. */
	feed(r, "\x01" "cab");
	reset_capture(&r->cap);
	feed(r, "\x01" "y");
	assert_string_equal(captured(&r->cap),
			    "\n[umbra] Ctrl-A y: no such key (Ctrl-A h lists them)\n(umbra) ab");
}

static void test_mux_poweroff(void **state)
{
	struct rig *r = *state;

	assert_int_equal(console_mux_input(&r->mux, 0x01), MUX_NONE);
	assert_int_equal(console_mux_input(&r->mux, 'x'), MUX_POWEROFF);
	assert_string_equal(captured(&r->cap), "\n[umbra] power off\n");
	feed(r, "\x01" "c");
	assert_string_equal(feed(r, "\x01X"), "!");
}

#define KEY_HELP "\n" \
	"[umbra] Ctrl-A c       switch between the guest console and the monitor\n" \
	"[umbra] Ctrl-A x       power off\n" \
	"[umbra] Ctrl-A h       show these keys\n" \
	"[umbra] Ctrl-A Ctrl-A  send Ctrl-A\n"

static void test_mux_key_help(void **state)
{
	struct rig *r = *state;

	assert_string_equal(feed(r, "\x01h"), "");
	assert_string_equal(captured(&r->cap), KEY_HELP);
	feed(r, "\x01" "c");
	reset_capture(&r->cap);
	feed(r, "\x01H");
	assert_string_equal(captured(&r->cap), KEY_HELP "(umbra) ");
}

static void test_mux_guest_output_passthrough(void **state)
{
	struct rig *r = *state;

	console_mux_guest_output(&r->mux, "boot\n", 5);
	console_mux_guest_tx(&r->mux, 'A');
	assert_string_equal(captured(&r->cap), "boot\nA");
}

static void test_mux_guest_output_held(void **state)
{
	struct rig *r = *state;

	console_mux_guest_output(&r->mux, "1", 1);
	feed(r, "\x01" "c");
	reset_capture(&r->cap);
	console_mux_guest_output(&r->mux, "while open\n", 11);
	console_mux_guest_tx(&r->mux, 'Z');
	assert_int_equal(r->cap.len, 0);
	feed(r, "\x01" "c");
	assert_string_equal(captured(&r->cap), CLOSE_TEXT "while open\nZ");
	/* Nothing is held twice. */
	feed(r, "\x01" "c");
	reset_capture(&r->cap);
	feed(r, "\x01" "c");
	assert_string_equal(captured(&r->cap), CLOSE_TEXT);
}

static void test_mux_guest_output_overflow(void **state)
{
	struct rig *r = *state;
	const size_t total = MUX_RING_SIZE * 2 + 1234;
	const size_t kept_from = total - MUX_RING_SIZE;
	char head[128];
	size_t hl;

	assert_int_not_equal(kept_from % 113, 0);	/* else a ring that lost its place could pass */
	feed(r, "\x01" "c");
	/* Uneven chunk sizes so the ring wraps at odd places. */
	for (size_t i = 0; i < total;) {
		char chunk[97];
		size_t n = 1 + i % 97;

		if (n > total - i)
			n = total - i;
		for (size_t j = 0; j < n; j++)
			chunk[j] = (char)('a' + (i + j) % 113);
		console_mux_guest_output(&r->mux, chunk, n);
		i += n;
	}
	assert_int_equal(r->mux.ring_len, MUX_RING_SIZE);
	reset_capture(&r->cap);
	feed(r, "\x01" "c");
	hl = (size_t)snprintf(head, sizeof(head),
			      CLOSE_TEXT "[umbra] %zu bytes of guest output were dropped\n",
			      kept_from);
	assert_int_equal(r->cap.len, hl + MUX_RING_SIZE);
	assert_memory_equal(r->cap.buf, head, hl);
	for (size_t i = 0; i < MUX_RING_SIZE; i++)
		assert_int_equal((unsigned char)r->cap.buf[hl + i], 'a' + (kept_from + i) % 113);
	/* The count starts over. */
	feed(r, "\x01" "c");
	console_mux_guest_output(&r->mux, "x", 1);
	reset_capture(&r->cap);
	feed(r, "\x01" "c");
	assert_string_equal(captured(&r->cap), CLOSE_TEXT "x");
}

static void test_mux_exact_ring_size_drops_nothing(void **state)
{
	struct rig *r = *state;
	static char block[MUX_RING_SIZE];

	memset(block, 'q', sizeof(block));
	feed(r, "\x01" "c");
	console_mux_guest_output(&r->mux, block, sizeof(block));
	reset_capture(&r->cap);
	feed(r, "\x01" "c");
	assert_int_equal(r->cap.len, strlen(CLOSE_TEXT) + MUX_RING_SIZE);
	assert_null(strstr(captured(&r->cap), "dropped"));
}

static void test_mux_quit_command_closes(void **state)
{
	struct rig *r = *state;

	feed(r, "\x01" "c");
	console_mux_guest_output(&r->mux, "later", 5);
	reset_capture(&r->cap);
	assert_string_equal(feed(r, "quit\rab"), "ab");
	assert_false(r->mux.monitor_open);
	assert_string_equal(captured(&r->cap), "quit\n" CLOSE_TEXT "later");
	/* The LF of the CR LF that ended "quit" went to the guest: the editor is gone. */
	assert_string_equal(feed(r, "\n"), "\n");
}

static void test_mux_without_monitor(void **state)
{
	struct console_mux *m = malloc(sizeof(*m));
	struct capture cap = { 0 };
	struct monitor_out out = { capture_write, &cap };

	(void)state;
	assert_non_null(m);
	console_mux_init(m, NULL, &out);
	assert_int_equal(console_mux_input(m, 0x01), MUX_NONE);
	assert_int_equal(console_mux_input(m, 'c'), MUX_NONE);
	assert_int_equal(console_mux_input(m, 'k'), MUX_MONITOR);
	console_mux_set_monitor(m, true);	/* already open: nothing */
	console_mux_set_monitor(m, false);
	assert_string_equal(cap.buf,
			    "\n[umbra] monitor (type help; Ctrl-A c returns to the guest)\n"
			    CLOSE_TEXT);
	free(cap.buf);
	free(m);
}

/* ---- the line editor ---- */

static void test_edit_echo_and_submit(void **state)
{
	struct rig *r = *state;

	assert_string_equal(type(r, "walk 0x10\r"), "walk 0x10\n<walk 0x10 0>\n(umbra) ");
	assert_int_equal(r->fake.calls, 1);
	/* The LF of CR LF is not a second Enter. */
	assert_string_equal(type(r, "\n"), "");
	/* A lone LF is Enter; LF LF is two of them; so is CR CR. */
	assert_string_equal(type(r, "audit\n"), "audit\n<audit 0 0>\n(umbra) ");
	assert_string_equal(type(r, "\n\n"), "\n(umbra) \n(umbra) ");
	assert_string_equal(type(r, "\r\r"), "\n(umbra) \n(umbra) ");
	assert_string_equal(type(r, "\r\n\r\n"), "\n(umbra) \n(umbra) ");
	/* Only an LF right after CR is swallowed. */
	assert_string_equal(type(r, "\ra\n"), "\n(umbra) a\nunknown command \"a\" (type help)\n(umbra) ");
}

static void test_edit_backspace(void **state)
{
	struct rig *r = *state;

	assert_string_equal(type(r, "\b\x7f\b"), "");
	assert_int_equal(r->mon.len, 0);
	assert_string_equal(type(r, "ab\bc\x7f\x7f"), "ab\b \bc\b \b\b \b");
	assert_int_equal(r->mon.len, 0);
	assert_string_equal(type(r, "\x7f"), "");
	assert_string_equal(type(r, "auditt\b\r"), "auditt\b \b\n<audit 0 0>\n(umbra) ");
}

static void test_edit_ctrl_u_and_ctrl_c(void **state)
{
	struct rig *r = *state;

	assert_string_equal(type(r, "abc\x15"), "abc\b \b\b \b\b \b");
	assert_int_equal(r->mon.len, 0);
	assert_string_equal(type(r, "\x15"), "");
	assert_string_equal(type(r, "xy\x03"), "xy^C\n(umbra) ");
	assert_int_equal(r->mon.len, 0);
	assert_int_equal(r->fake.calls, 0);
}

static void test_edit_control_bytes_ignored(void **state)
{
	struct rig *r = *state;
	const char in[] = "au\0d\x02i\x7\x80\xfft\t\r";

	reset_capture(&r->cap);
	for (size_t i = 0; i < sizeof(in) - 1; i++)
		monitor_input(&r->mon, (uint8_t)in[i]);
	assert_string_equal(captured(&r->cap), "audit\n<audit 0 0>\n(umbra) ");
}

static void test_edit_escape_sequences(void **state)
{
	struct rig *r = *state;

	/* Arrow keys, a modified arrow, SS3 keys and Alt-x leave nothing behind. */
	assert_string_equal(type(r, "au\x1b[Adi\x1b[1;5Ct\x1bOP\x1bx\r"),
			    "audit\n<audit 0 0>\n(umbra) ");
	/* A control byte ends an unfinished sequence and still works. */
	assert_string_equal(type(r, "\x1b[12\rab\x15"), "\n(umbra) ab\b \b\b \b");
	assert_string_equal(type(r, "\x1b\bcd\x15"), "cd\b \b\b \b");
	assert_string_equal(type(r, "\x1b\x1b[Bq"), "q");
}

static void test_edit_overlong_line(void **state)
{
	struct rig *r = *state;
	char line[MONITOR_LINE_MAX + 11];
	char expect[512];

	memset(line, 'w', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	type(r, line);
	assert_int_equal(r->mon.len, MONITOR_LINE_MAX);
	assert_int_equal(r->cap.len, MONITOR_LINE_MAX + 10);
	assert_memory_equal(r->cap.buf + MONITOR_LINE_MAX, "\a\a\a\a\a\a\a\a\a\a", 10);
	/* Erasing makes room again. */
	assert_string_equal(type(r, "\bz"), "\b \bz");
	line[MONITOR_LINE_MAX - 1] = 'z';
	line[MONITOR_LINE_MAX] = '\0';
	snprintf(expect, sizeof(expect), "\nunknown command \"%s\" (type help)\n(umbra) ", line);
	assert_string_equal(type(r, "\r"), expect);
}

static void test_execute_rejects_long_line(void **state)
{
	struct rig *r = *state;
	char line[300];

	memset(line, ' ', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	assert_string_equal(run(r, line, MONITOR_ERROR), "line too long (max 120 characters)\n");
	line[MONITOR_LINE_MAX] = '\0';
	assert_string_equal(run(r, line, MONITOR_DONE), "");
}

/* ---- commands ---- */

static void expect_call(struct rig *r, const char *line, const char *op, uint64_t addr,
			unsigned n)
{
	r->fake.calls = 0;
	run(r, line, MONITOR_DONE);
	assert_int_equal(r->fake.calls, 1);
	assert_string_equal(r->fake.last, op);
	assert_true(r->fake.addr == addr);
	assert_int_equal(r->fake.n, n);
}

static void test_commands_good(void **state)
{
	struct rig *r = *state;

	expect_call(r, "info cpu", "info_cpu", 0, 0);
	expect_call(r, "  info\tregisters  ", "info_cpu", 0, 0);
	expect_call(r, "info mmu", "info_mmu", 0, 0);
	expect_call(r, "info exits", "info_exits", 0, 0);
	expect_call(r, "info devices", "info_devices", 0, 0);
	expect_call(r, "info acpi", "info_acpi", 0, 0);
	expect_call(r, "walk 0xffff800000001000", "walk", 0xffff800000001000ull, 0);
	expect_call(r, "walk 0xFFFF_8000_0000_1000", "walk", 0xffff800000001000ull, 0);
	expect_call(r, "x 0x1000", "x", 0x1000, MONITOR_DUMP_DEFAULT);
	expect_call(r, "x 4096 1", "x", 4096, 1);
	expect_call(r, "x 0 256", "x", 0, 256);
	expect_call(r, "x 0x10 0x10", "x", 0x10, 16);
	expect_call(r, "xp 1M 3", "xp", 1 << 20, 3);
	expect_call(r, "xp 0xfffffffffffffff8 1", "xp", 0xfffffffffffffff8ull, 1);
	expect_call(r, "x 0xffffffffffffffc0", "x", 0xffffffffffffffc0ull, 8);
	expect_call(r, "audit", "audit", 0, 0);
	expect_call(r, "reset", "reset", 0, 0);
	assert_string_equal(run(r, "x 0x20 2", MONITOR_DONE), "<x 0x20 2>\n");
	r->fake.calls = 0;
	assert_string_equal(run(r, "quit", MONITOR_QUIT), "");
	assert_string_equal(run(r, "", MONITOR_DONE), "");
	assert_string_equal(run(r, " \t ", MONITOR_DONE), "");
	assert_int_equal(r->fake.calls, 0);
}

static void test_commands_op_failure(void **state)
{
	struct rig *r = *state;

	r->fake.ret = -5;
	assert_string_equal(run(r, "x 1", MONITOR_ERROR), "<x 0x1 8>\n");
	assert_string_equal(run(r, "audit", MONITOR_ERROR), "<audit 0 0>\n");
}

static void test_commands_not_available(void **state)
{
	struct rig *r = *state;

	memset(&r->ops, 0, sizeof(r->ops));
	assert_string_equal(run(r, "info cpu", MONITOR_ERROR), "info cpu: not available\n");
	assert_string_equal(run(r, "info registers", MONITOR_ERROR), "info cpu: not available\n");
	assert_string_equal(run(r, "info mmu", MONITOR_ERROR), "info mmu: not available\n");
	assert_string_equal(run(r, "info exits", MONITOR_ERROR), "info exits: not available\n");
	assert_string_equal(run(r, "info devices", MONITOR_ERROR), "info devices: not available\n");
	assert_string_equal(run(r, "info acpi", MONITOR_ERROR), "info acpi: not available\n");
	assert_string_equal(run(r, "walk 1", MONITOR_ERROR), "walk: not available\n");
	assert_string_equal(run(r, "x 1", MONITOR_ERROR), "x: not available\n");
	assert_string_equal(run(r, "xp 1 2", MONITOR_ERROR), "xp: not available\n");
	assert_string_equal(run(r, "audit", MONITOR_ERROR), "audit: not available\n");
	assert_string_equal(run(r, "reset", MONITOR_ERROR), "reset: not available\n");
	/* Arguments are still checked first. */
	assert_string_equal(run(r, "x q", MONITOR_ERROR), "x: bad ADDR \"q\": not a number\n");
	assert_string_equal(run(r, "quit", MONITOR_QUIT), "");
}

struct bad_case {
	const char *line;
	const char *output;
};

static const struct bad_case bad_cases[] = {
	{ "foo", "unknown command \"foo\" (type help)\n" },
	{ "X 1", "unknown command \"X\" (type help)\n" },
	{ "helpx", "unknown command \"helpx\" (type help)\n" },
	{ "info", "usage: info cpu|registers|mmu|exits|devices|acpi\n" },
	{ "info foo", "unknown command \"info foo\" (type help info)\n" },
	{ "info cpu 1", "usage: info cpu\n" },
	{ "info registers x", "usage: info registers\n" },
	{ "info mmu 1", "usage: info mmu\n" },
	{ "info exits now", "usage: info exits\n" },
	{ "info devices all", "usage: info devices\n" },
	{ "walk", "usage: walk ADDR\n" },
	{ "walk 1 2", "usage: walk ADDR\n" },
	{ "walk zz", "walk: bad ADDR \"zz\": not a number\n" },
	{ "walk 0x", "walk: bad ADDR \"0x\": not a number\n" },
	{ "walk -1", "walk: bad ADDR \"-1\": negative\n" },
	{ "walk -", "walk: bad ADDR \"-\": not a number\n" },
	{ "walk 0x10000000000000000", "walk: bad ADDR \"0x10000000000000000\": does not fit in 64 bits\n" },
	{ "walk 18446744073709551616", "walk: bad ADDR \"18446744073709551616\": does not fit in 64 bits\n" },
	{ "walk 99999999999999999999999", "walk: bad ADDR \"99999999999999999999999\": does not fit in 64 bits\n" },
	{ "walk 16777216T", "walk: bad ADDR \"16777216T\": does not fit in 64 bits\n" },
	{ "walk 12abc", "walk: bad ADDR \"12abc\": not a number\n" },
	{ "walk 1KB", "walk: bad ADDR \"1KB\": not a number\n" },
	{ "walk 1_", "walk: bad ADDR \"1_\": not a number\n" },
	{ "walk _1", "walk: bad ADDR \"_1\": not a number\n" },
	{ "walk 1__0", "walk: bad ADDR \"1__0\": not a number\n" },
	{ "walk 0x_1", "walk: bad ADDR \"0x_1\": not a number\n" },
	{ "walk +1", "walk: bad ADDR \"+1\": not a number\n" },
	{ "x", "usage: x ADDR [N]\n" },
	{ "x 1 2 3", "usage: x ADDR [N]\n" },
	{ "x 1 2 3 4 5 6 7 8 9 10 11", "usage: x ADDR [N]\n" },
	{ "x hello", "x: bad ADDR \"hello\": not a number\n" },
	{ "x 0x1000 many", "x: bad N \"many\": not a number\n" },
	{ "x 0x1000 0", "x: bad N \"0\": out of range 1..256\n" },
	{ "x 0x1000 257", "x: bad N \"257\": out of range 1..256\n" },
	{ "x 0x1000 -3", "x: bad N \"-3\": negative\n" },
	{ "x 0x1000 1K", "x: bad N \"1K\": out of range 1..256\n" },
	{ "x 0x1000 99999999999999999999", "x: bad N \"99999999999999999999\": does not fit in 64 bits\n" },
	{ "x 0x1000 4294967297", "x: bad N \"4294967297\": out of range 1..256\n" },
	{ "x 0xfffffffffffffff9 1", "x: ADDR + N*8 runs past the end of the address space\n" },
	{ "x 0xffffffffffffffc8", "x: ADDR + N*8 runs past the end of the address space\n" },
	{ "xp", "usage: xp ADDR [N]\n" },
	{ "xp 1 2 3", "usage: xp ADDR [N]\n" },
	{ "xp 0x1q", "xp: bad ADDR \"0x1q\": not a number\n" },
	{ "xp 1 1000", "xp: bad N \"1000\": out of range 1..256\n" },
	{ "xp 0xffffffffffffff00 256", "xp: ADDR + N*8 runs past the end of the address space\n" },
	{ "audit now", "usage: audit\n" },
	{ "reset 1", "usage: reset\n" },
	{ "quit now", "usage: quit\n" },
	{ "help a b c", "usage: help [CMD]\n" },
	{ "help nope", "unknown command \"nope\" (type help)\n" },
	{ "help info nope", "unknown command \"info nope\" (type help)\n" },
	{ "help x y", "unknown command \"x y\" (type help)\n" },
};

static void test_commands_bad(void **state)
{
	struct rig *r = *state;

	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const char *got;
		int ret;

		reset_capture(&r->cap);
		ret = monitor_execute(&r->mon, bad_cases[i].line);
		got = captured(&r->cap);
		if (ret != MONITOR_ERROR)
			fail_msg("\"%s\": returned %d", bad_cases[i].line, ret);

		if (strcmp(got, bad_cases[i].output))
			fail_msg("\"%s\": got \"%s\", want \"%s\"", bad_cases[i].line, got,
				 bad_cases[i].output);
	}
	assert_int_equal(r->fake.calls, 0);
}

/* An argument as long as a line still gives one whole error line. */
static void test_commands_long_argument(void **state)
{
	struct rig *r = *state;
	char line[MONITOR_LINE_MAX + 1], expect[300];
	const char *got;

	strcpy(line, "x ");
	memset(line + 2, '9', MONITOR_LINE_MAX - 2);
	line[MONITOR_LINE_MAX] = '\0';
	got = run(r, line, MONITOR_ERROR);
	snprintf(expect, sizeof(expect), "x: bad ADDR \"%s\": does not fit in 64 bits\n", line + 2);
	assert_string_equal(got, expect);
}

/* ---- help ---- */

static void test_help_lists_everything(void **state)
{
	struct rig *r = *state;
	const char *got = run(r, "help", MONITOR_DONE);

	assert_string_equal(got,
		"commands (Ctrl-A h lists the console keys):\n"
		"  help [CMD]       list the commands, or show how to use CMD\n"
		"  info cpu         show the guest's registers and control state\n"
		"  info registers   same as info cpu\n"
		"  info mmu         show the guest's paging mode and the shadow MMU\n"
		"  info exits       show VM-exit counts by reason\n"
		"  info devices     list the guest's devices and the ports they answer\n"
		"  info acpi        list the ACPI and MP tables in guest memory, with their checksums\n"
		"  walk ADDR        walk the guest page tables for virtual address ADDR\n"
		"  x ADDR [N]       dump N 8-byte words of guest-virtual memory (N: 8, max 256)\n"
		"  xp ADDR [N]      dump N 8-byte words of guest-physical memory (N: 8, max 256)\n"
		"  audit            check the shadow page tables against the guest's\n"
		"  reset            reset the guest\n"
		"  quit             close the monitor and return to the guest console\n");
}

static void test_help_each_command(void **state)
{
	struct rig *r = *state;
	size_t count;
	const struct monitor_cmd *t = monitor_command_table(&count);

	assert_int_equal(count, 13);
	for (size_t i = 0; i < count; i++) {
		char line[64], expect[256];

		snprintf(line, sizeof(line), "help %s%s%s", t[i].name, t[i].sub ? " " : "",
			 t[i].sub ? t[i].sub : "");
		snprintf(expect, sizeof(expect), "usage: %s%s%s%s%s\n  %s\n", t[i].name,
			 t[i].sub ? " " : "", t[i].sub ? t[i].sub : "", t[i].args[0] ? " " : "",
			 t[i].args, t[i].help);
		assert_string_equal(run(r, line, MONITOR_DONE), expect);
		assert_true(strlen(t[i].help) < 80);
	}
	assert_string_equal(run(r, "help x", MONITOR_DONE),
		"usage: x ADDR [N]\n"
		"  dump N 8-byte words of guest-virtual memory (N: 8, max 256)\n");
	assert_string_equal(run(r, "help info", MONITOR_DONE),
		"usage: info cpu\n  show the guest's registers and control state\n"
		"usage: info registers\n  same as info cpu\n"
		"usage: info mmu\n  show the guest's paging mode and the shadow MMU\n"
		"usage: info exits\n  show VM-exit counts by reason\n"
		"usage: info devices\n  list the guest's devices and the ports they answer\n"
		"usage: info acpi\n  list the ACPI and MP tables in guest memory, with their checksums\n");
}

/* ---- numbers and printf ---- */

static void test_parse_number(void **state)
{
	uint64_t v = 7;

	(void)state;
	assert_int_equal(monitor_parse_number("0", 0, UINT64_MAX, &v), MONITOR_NUM_OK);
	assert_true(v == 0);
	assert_int_equal(monitor_parse_number("18446744073709551615", 0, UINT64_MAX, &v),
			 MONITOR_NUM_OK);
	assert_true(v == UINT64_MAX);
	assert_int_equal(monitor_parse_number("0XfFfFfFfFfFfFfFfF", 0, UINT64_MAX, &v),
			 MONITOR_NUM_OK);
	assert_true(v == UINT64_MAX);
	assert_int_equal(monitor_parse_number("0x0000000000000000001", 0, UINT64_MAX, &v),
			 MONITOR_NUM_OK);
	assert_true(v == 1);
	assert_int_equal(monitor_parse_number("4k", 0, UINT64_MAX, &v), MONITOR_NUM_OK);
	assert_true(v == 4096);
	assert_int_equal(monitor_parse_number("0x10M", 0, UINT64_MAX, &v), MONITOR_NUM_OK);
	assert_true(v == 16ull << 20);
	assert_int_equal(monitor_parse_number("2g", 0, UINT64_MAX, &v), MONITOR_NUM_OK);
	assert_true(v == 2ull << 30);
	assert_int_equal(monitor_parse_number("16777215T", 0, UINT64_MAX, &v), MONITOR_NUM_OK);
	assert_true(v == 16777215ull << 40);
	assert_int_equal(monitor_parse_number("0x1g", 0, UINT64_MAX, &v), MONITOR_NUM_OK);
	assert_true(v == 1ull << 30);
	assert_int_equal(monitor_parse_number("1_000", 0, UINT64_MAX, &v), MONITOR_NUM_OK);
	assert_true(v == 1000);
	v = 7;
	assert_int_equal(monitor_parse_number("", 0, UINT64_MAX, &v), MONITOR_NUM_SYNTAX);
	assert_int_equal(monitor_parse_number(NULL, 0, UINT64_MAX, &v), MONITOR_NUM_SYNTAX);
	assert_int_equal(monitor_parse_number("k", 0, UINT64_MAX, &v), MONITOR_NUM_SYNTAX);
	assert_int_equal(monitor_parse_number("1 ", 0, UINT64_MAX, &v), MONITOR_NUM_SYNTAX);
	assert_int_equal(monitor_parse_number("0b101", 0, UINT64_MAX, &v), MONITOR_NUM_SYNTAX);
	assert_int_equal(monitor_parse_number("1kk", 0, UINT64_MAX, &v), MONITOR_NUM_SYNTAX);
	assert_int_equal(monitor_parse_number("-0", 0, UINT64_MAX, &v), MONITOR_NUM_NEGATIVE);
	assert_int_equal(monitor_parse_number("18446744073709551616", 0, UINT64_MAX, &v),
			 MONITOR_NUM_OVERFLOW);
	assert_int_equal(monitor_parse_number("0x8000000000000000k", 0, UINT64_MAX, &v),
			 MONITOR_NUM_OVERFLOW);
	assert_int_equal(monitor_parse_number("5", 6, 9, &v), MONITOR_NUM_RANGE);
	assert_int_equal(monitor_parse_number("10", 6, 9, &v), MONITOR_NUM_RANGE);
	assert_true(v == 7);	/* untouched on failure */
	assert_int_equal(monitor_parse_number("9", 6, 9, &v), MONITOR_NUM_OK);
	assert_true(v == 9);
	assert_string_equal(monitor_num_strerror(MONITOR_NUM_OVERFLOW), "does not fit in 64 bits");
}

static void test_printf_truncates(void **state)
{
	struct capture cap = { 0 };
	struct monitor_out out = { capture_write, &cap };
	struct monitor_out none = { NULL, NULL };
	char big[600];

	(void)state;
	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(monitor_printf(&out, "%s", big), MONITOR_PRINTF_MAX - 1);
	assert_int_equal(cap.len, MONITOR_PRINTF_MAX - 1);
	assert_int_equal(monitor_printf(&out, "%d-%s", 42, "x"), 4);
	assert_string_equal(cap.buf + MONITOR_PRINTF_MAX - 1, "42-x");
	/* Empty output writes nothing; an out without a writer is harmless. */
	cap.writes = 0;
	monitor_printf(&out, "%s", "");
	assert_int_equal(cap.writes, 0);
	monitor_printf(&none, "dropped %d", 1);
	monitor_puts(NULL, "nothing");
	free(cap.buf);
}

/* ---- fuzzing ---- */

static uint64_t rng_state;

static uint32_t rng(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng_state >> 33);
}

/* Bytes biased toward the interesting ones: Ctrl-A, keys, digits, command words. */
static uint8_t fuzz_byte(void)
{
	static const char pick[] = "\x01\x01\x01" "cxh\r\n\b\x7f\x15\x03\x1b[ 0x123456789abcdefKMG-_"
				   "helpinfocpummuexitsdeviceswalkxpauditresetquit";
	uint32_t r = rng();

	if (r % 4 == 0)
		return (uint8_t)(r >> 8);
	return (uint8_t)pick[(r >> 8) % (sizeof(pick) - 1)];
}

static const char *const fuzz_lines[] = {
	"\x01" "c", "audit\r", "x 0x1000 3\r", "walk 5\n", "info mmu\r\n", "help\r",
};

static void test_fuzz(void **state)
{
	struct rig *r = *state;
	size_t guest = 0, monitor = 0, poweroff = 0;

	for (unsigned seed = 1; seed <= 40; seed++) {
		rng_state = seed;
		for (unsigned i = 0; i < 20000; i++) {
			uint8_t c = fuzz_byte();
			size_t before = r->cap.len;
			enum mux_action a;

			if (rng() % 64 == 0)
				feed(r, fuzz_lines[rng() % 6]);
			a = console_mux_input(&r->mux, c);

			guest += a == MUX_GUEST;
			monitor += a == MUX_MONITOR;
			poweroff += a == MUX_POWEROFF;
			assert_true(a >= MUX_NONE && a <= MUX_POWEROFF);
			if (a == MUX_GUEST)
				assert_false(r->mux.monitor_open);
			if (i % 7 == 0)
				console_mux_guest_tx(&r->mux, c);
			assert_true(r->mon.len <= MONITOR_LINE_MAX);
			assert_true(r->mux.ring_len <= MUX_RING_SIZE);
			/* One key never prints more than help does, or a flush of the ring. */
			assert_true(r->cap.len - before <= 2048 + MUX_RING_SIZE + 128);
			if (r->cap.len > (1u << 20))
				reset_capture(&r->cap);
		}
	}
	/* The fuzzer reached every kind of outcome. */
	assert_true(guest > 0 && monitor > 0 && poweroff > 0);
	assert_true(r->fake.calls > 0);
}

/* Random command lines straight into monitor_execute. */
static void test_fuzz_execute(void **state)
{
	struct rig *r = *state;
	static const char *const words[] = {
		"help", "info", "cpu", "registers", "mmu", "exits", "devices", "walk", "x", "xp", "audit",
		"reset", "quit", "0", "0x", "-1", "256", "257", "0xffffffffffffffff", "1K", "_",
		"18446744073709551616", "", " ", "\t", "zz", "1_0",
	};
	char line[MONITOR_LINE_MAX + 40];

	rng_state = 99;
	for (unsigned i = 0; i < 50000; i++) {
		size_t len = 0;
		unsigned n = rng() % 6;
		int ret;

		line[0] = '\0';
		for (unsigned w = 0; w < n; w++) {
			const char *word = words[rng() % (sizeof(words) / sizeof(words[0]))];

			len += (size_t)snprintf(line + len, sizeof(line) - len, "%s ", word);
			if (len >= sizeof(line))
				len = sizeof(line) - 1;
		}
		reset_capture(&r->cap);
		ret = monitor_execute(&r->mon, line);
		assert_true(ret == MONITOR_ERROR || ret == MONITOR_DONE || ret == MONITOR_QUIT);
		assert_true(r->cap.len <= 2048);
		if (ret == MONITOR_ERROR && r->cap.len && !strstr(r->cap.buf, "commands"))
			assert_non_null(strchr(r->cap.buf, '\n'));
	}
}

#define RIG_TEST(fn) cmocka_unit_test_setup_teardown(fn, rig_setup, rig_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		RIG_TEST(test_mux_routes_to_guest),
		RIG_TEST(test_mux_toggle_monitor),
		RIG_TEST(test_mux_escape_split_across_calls),
		RIG_TEST(test_mux_literal_ctrl_a),
		RIG_TEST(test_mux_unknown_key),
		RIG_TEST(test_mux_poweroff),
		RIG_TEST(test_mux_key_help),
		RIG_TEST(test_mux_guest_output_passthrough),
		RIG_TEST(test_mux_guest_output_held),
		RIG_TEST(test_mux_guest_output_overflow),
		RIG_TEST(test_mux_exact_ring_size_drops_nothing),
		RIG_TEST(test_mux_quit_command_closes),
		cmocka_unit_test(test_mux_without_monitor),
		RIG_TEST(test_edit_echo_and_submit),
		RIG_TEST(test_edit_backspace),
		RIG_TEST(test_edit_ctrl_u_and_ctrl_c),
		RIG_TEST(test_edit_control_bytes_ignored),
		RIG_TEST(test_edit_escape_sequences),
		RIG_TEST(test_edit_overlong_line),
		RIG_TEST(test_execute_rejects_long_line),
		RIG_TEST(test_commands_good),
		RIG_TEST(test_commands_op_failure),
		RIG_TEST(test_commands_not_available),
		RIG_TEST(test_commands_bad),
		RIG_TEST(test_commands_long_argument),
		RIG_TEST(test_help_lists_everything),
		RIG_TEST(test_help_each_command),
		cmocka_unit_test(test_parse_number),
		cmocka_unit_test(test_printf_truncates),
		RIG_TEST(test_fuzz),
		RIG_TEST(test_fuzz_execute),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
