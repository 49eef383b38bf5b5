/* The bench guests' phases, size and memory (bench.h). */
#include <stdarg.h>
#include "arch/uart16550.h"
#include "bench.h"
#include "cmdline.h"
#include "guest.h"
#include "guest/umbra_abi.h"
#include "lib/format.h"
#include "paging.h"

#define SIZE_TEXT_MAX	24	/* of a size= value quoted in a FAIL line */
#define RAM_LIMIT	0xfffff000u	/* the guests address physical memory below 4 GiB */

static const char *bench_name = "?";

void bench_init(const char *name)
{
	bench_name = name;
	/* 8 data bits: a firmware may leave COM1 at its reset word length (Bochs does), and a
	 * bad size is reported before pg_init() sets it. */
	outb(COM1_BASE + UART_LCR, 0x03);
}

void bench_fail(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintk(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	gprintf("bench: FAIL: %s\n", msg);
	guest_exit(GUEST_EXIT_FAIL);
}

uint32_t bench_size(uint32_t dflt, uint32_t max, const char *unit, const char *why)
{
	const char *v = guest_cmdline_value("size");
	char text[SIZE_TEXT_MAX + 1];
	uint64_t n = 0;
	unsigned int len = 0;
	bool digits = true;

	if (!v) {
		if (dflt > max)
			bench_fail("size=%u (the default): at most %u %s (%s)", dflt, max, unit,
				   why);
		return dflt;
	}
	for (; v[len] && v[len] != ' '; len++) {
		if (len < SIZE_TEXT_MAX)
			text[len] = v[len];
		if (v[len] < '0' || v[len] > '9')
			digits = false;
		else if (n <= 0xffffffffull)	/* beyond that it only has to stay too large */
			n = n * 10 + (uint64_t)(v[len] - '0');
	}
	text[len < SIZE_TEXT_MAX ? len : SIZE_TEXT_MAX] = '\0';
	if (!digits || len == 0)
		bench_fail("size=%s: not a decimal number", text);
	if (n == 0)
		bench_fail("size=%s: must be at least 1", text);
	if (n > max)
		bench_fail("size=%s: at most %u %s (%s)", text, max, unit, why);
	return (uint32_t)n;
}

/* Multiboot 0.6.96 3.3: mmap entries are (size, base_addr, length, type), size not counting
 * itself; type 1 is available RAM. */
uint32_t bench_ram_end(uint32_t pa)
{
	if (!boot_info)
		return 0;
	if (boot_info->flags & MB1_INFO_MEM_MAP) {
		uint32_t p = boot_info->mmap_addr, end = p + boot_info->mmap_length;

		while (p + sizeof(struct mb1_mmap_entry) <= end) {
			const struct mb1_mmap_entry *e = (const struct mb1_mmap_entry *)p;

			if (e->type == MB1_MEMORY_AVAILABLE && e->base_addr <= pa &&
			    pa < e->base_addr + e->length) {
				uint64_t top = (e->base_addr + e->length) & ~0xfffull;

				return top > RAM_LIMIT ? RAM_LIMIT : (uint32_t)top;
			}
			p += e->size + sizeof(e->size);
		}
		return 0;
	}
	if (boot_info->flags & MB1_INFO_MEMORY) {
		uint64_t top = 0x100000ull + (uint64_t)boot_info->mem_upper * 1024;

		if (pa < 0x100000 || pa >= top)
			return 0;
		return top > RAM_LIMIT ? RAM_LIMIT : (uint32_t)(top & ~0xfffull);
	}
	return 0;
}

void bench_phase(unsigned int k, const char *phase)
{
	/* The mark first: Umbra snapshots its counters at the start of the phase (the line that
	 * follows is the phase's own cost). Without Umbra nothing decodes the port. */
	outb(UMBRA_COUNTER_MARK_PORT, (uint8_t)k);
	gprintf("bench: phase %u %s at tsc=%llu\n", k, phase, (unsigned long long)rdtsc());
}

void bench_done(uint32_t size)
{
	bench_phase(BENCH_PHASE_END, "end");
	gprintf("bench: done %s size=%u\n", bench_name, size);
	guest_exit(GUEST_EXIT_PASS);
}

uint32_t bench_ram_units(uint32_t pa, uint32_t unit)
{
	uint32_t end = bench_ram_end(pa);

	return end > pa ? (end - pa) / unit : 0;
}

void bench_paging_init(void)
{
	pg_init();
	if (!pg_cpu.pae)
		bench_fail("no PAE paging");
}
