/*
 * Fuzz target: the serial console's escape keys and the monitor's line editor and command
 * parser (guest/console/console_mux.c, guest/console/monitor.c).
 *
 * Input: a NUL-terminated string first, parsed as a number and compared with a reference
 * parser written here from monitor.h's contract; then the rest as bytes typed on the console,
 * where 0xFF L followed by L bytes is guest output arriving instead. Checks:
 *  - monitor_parse_number agrees with the reference on status and value;
 *  - the commands reach the guest's operations only with the arguments monitor.h promises
 *    (1 <= n <= MONITOR_DUMP_MAX, addr + n * 8 does not wrap);
 *  - the line editor and the output ring stay within their bounds; every write has bytes.
 */
#include "tests/fuzz/fuzz.h"

#include "guest/console/console_mux.h"
#include "guest/console/monitor.h"

/* ---- the reference number parser ---- */

static int ref_digit(char c, unsigned base)
{
	static const char digits[] = "0123456789abcdef";
	char lc = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;

	for (unsigned i = 0; i < base; i++)
		if (digits[i] == lc)
			return (int)i;
	return -1;
}

static enum monitor_num_err ref_parse(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	static const char suffixes[] = "kmgt";
	unsigned base = 10, ndigits = 0, shift = 0;
	unsigned __int128 v = 0;
	bool overflow = false;

	if (s[0] == '-')
		return ref_digit(s[1], 10) >= 0 ? MONITOR_NUM_NEGATIVE : MONITOR_NUM_SYNTAX;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	/* Digits, with single '_' separators that have a digit on both sides. */
	for (;; s++) {
		int d = ref_digit(*s, base);

		if (d >= 0) {
			v = v * base + (unsigned)d;
			if (v > UINT64_MAX)
				overflow = true, v = UINT64_MAX;
			ndigits++;
		} else if (!(*s == '_' && ndigits && ref_digit(s[1], base) >= 0)) {
			break;
		}
	}
	if (!ndigits)
		return MONITOR_NUM_SYNTAX;
	if (*s) {
		char lc = (*s >= 'A' && *s <= 'Z') ? (char)(*s - 'A' + 'a') : *s;
		const char *p = lc ? strchr(suffixes, lc) : NULL;

		if (!p || s[1])
			return MONITOR_NUM_SYNTAX;
		shift = 10 * (unsigned)(p - suffixes + 1);
	}
	if (overflow || (v << shift) > UINT64_MAX)
		return MONITOR_NUM_OVERFLOW;
	v <<= shift;
	if (v < min || v > max)
		return MONITOR_NUM_RANGE;
	*out = (uint64_t)v;
	return MONITOR_NUM_OK;
}

/* ---- the guest's operations, checking what they are given ---- */

static unsigned long op_calls;

static int op_plain(void *ctx, struct monitor_out *out)
{
	(void)ctx;
	op_calls++;
	monitor_puts(out, "<op>\n");
	return (op_calls & 3) == 0 ? -1 : 0;
}

static int op_walk(void *ctx, uint64_t gva, struct monitor_out *out)
{
	(void)ctx;
	op_calls++;
	monitor_printf(out, "<walk %#llx>\n", (unsigned long long)gva);
	return 0;
}

static int op_dump(void *ctx, uint64_t addr, unsigned n, struct monitor_out *out)
{
	(void)ctx;
	FUZZ_CHECK(n >= 1 && n <= MONITOR_DUMP_MAX, "dump of %u units", n);
	FUZZ_CHECK(addr <= UINT64_MAX - ((uint64_t)n * 8 - 1), "dump %#llx + %u*8 wraps",
		   (unsigned long long)addr, n);
	op_calls++;
	monitor_printf(out, "<dump %#llx %u>\n", (unsigned long long)addr, n);
	return 0;
}

static const struct monitor_commands ops = {
	.info_cpu = op_plain, .info_mmu = op_plain, .info_exits = op_plain,
	.info_devices = op_plain, .walk = op_walk, .x = op_dump, .xp = op_dump,
	.audit = op_plain, .reset = op_plain,
};

static const struct monitor_commands no_ops;	/* every command "not available" */

static volatile unsigned char out_sink;

static void out_write(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	FUZZ_CHECK(s != NULL || n == 0, "write of %zu bytes from NULL", n);
	/* Touch every byte, so ASan checks the whole range handed out. */
	for (size_t i = 0; i < n; i++)
		out_sink = (unsigned char)s[i];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct console_mux mux;
	static struct monitor mon;
	const struct monitor_out out = { .write = out_write };
	struct fuzz_in in = { data, size };
	char num[64];
	size_t n = 0;

	/* The number: at most 63 bytes up to the first NUL; min and max from the next bytes. */
	while (n < sizeof(num) - 1 && n < in.n && in.p[n])
		n++;
	memcpy(num, in.p, n);
	num[n] = '\0';
	in.p += n, in.n -= n;
	if (in.n)
		in.p++, in.n--;	/* the NUL */
	{
		uint64_t min = fuzz_u8(&in) & 1 ? fuzz_u64(&in) : 0;
		uint64_t max = fuzz_u8(&in) & 1 ? fuzz_u64(&in) : UINT64_MAX;
		uint64_t got = 0xdead, want = 0xdead;
		enum monitor_num_err e = monitor_parse_number(num, min, max, &got);
		enum monitor_num_err r = ref_parse(num, min, max, &want);

		FUZZ_CHECK(e == r, "\"%s\" in %llu..%llu: status %d, reference %d", num,
			   (unsigned long long)min, (unsigned long long)max, e, r);
		FUZZ_CHECK(e != MONITOR_NUM_OK || got == want, "\"%s\": %#llx, reference %#llx", num,
			   (unsigned long long)got, (unsigned long long)want);
	}

	/* The keystrokes. */
	monitor_init(&mon, fuzz_u8(&in) == 0x55 ? &no_ops : &ops, &out);
	console_mux_init(&mux, &mon, &out);
	while (in.n) {
		uint8_t c = fuzz_u8(&in);

		if (c == 0xff) {
			char guest[256];
			size_t len = fuzz_bytes(&in, guest, fuzz_u8(&in));

			console_mux_guest_output(&mux, guest, len);
		} else {
			enum mux_action a = console_mux_input(&mux, c);

			FUZZ_CHECK(a >= MUX_NONE && a <= MUX_POWEROFF, "action %d", a);
		}
		FUZZ_CHECK(mon.len <= MONITOR_LINE_MAX, "line length %u", mon.len);
		FUZZ_CHECK(mux.ring_len <= MUX_RING_SIZE && mux.ring_head < MUX_RING_SIZE,
			   "ring %zu at %zu", mux.ring_len, mux.ring_head);
		FUZZ_CHECK(mux.monitor_open || mux.ring_len == 0, "guest output held while closed");
	}
	return 0;
}
