/* Guest runtime: the C entry, COM1 output, the check counters and the exits. */
#include <stdarg.h>
#include "arch/stop.h"
#include "arch/uart16550.h"
#include "desc.h"
#include "entry.h"
#include "guest.h"
#include "lib/format.h"

#define SERIAL_TX_SPINS	100000	/* then send anyway: output must never hang a guest */

uint32_t boot_magic;
const struct mb1_info *boot_info;
uint32_t boot_eflags;
uint32_t boot_cr0;

static unsigned int checks_passed, checks_failed;

static void serial_putc(char c)
{
	for (int i = 0; i < SERIAL_TX_SPINS; i++)
		if (inb(COM1_BASE + UART_LSR) & UART_LSR_THRE)
			break;
	outb(COM1_BASE + UART_THR, (uint8_t)c);
}

/* \n becomes \r\n so the output reads right on a bare terminal too. */
void gputs(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			serial_putc('\r');
		serial_putc(*s);
	}
}

static void vgprintf(const char *fmt, va_list ap)
{
	char buf[512];

	vsnprintk(buf, sizeof(buf), fmt, ap);
	gputs(buf);
}

void gprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vgprintf(fmt, ap);
	va_end(ap);
}

void guest_exit(uint8_t status)
{
	outb(QEMU_DEBUG_EXIT_PORT, status);
	for (;;) {
		cli();
		hlt();
	}
}

bool guest_summary(void)
{
	gprintf("%u passed, %u failed\n", checks_passed, checks_failed);
	return checks_failed == 0 && checks_passed > 0;
}

void guest_finish(void)
{
	guest_exit(guest_summary() ? GUEST_EXIT_PASS : GUEST_EXIT_FAIL);
}

/* Prints "ok: WHAT" or "FAIL: WHAT (DETAIL)" as one line and counts it. */
static bool report(bool ok, const char *detail, const char *fmt, va_list ap)
{
	char what[256];

	vsnprintk(what, sizeof(what), fmt, ap);
	if (ok) {
		checks_passed++;
		gprintf("ok: %s\n", what);
	} else {
		checks_failed++;
		gprintf("FAIL: %s (%s)\n", what, detail);
	}
	return ok;
}

bool check_true(bool ok, const char *file, int line, const char *expr, const char *fmt, ...)
{
	char detail[160];
	va_list ap;

	snprintk(detail, sizeof(detail), "%s:%d: %s", file, line, expr);
	va_start(ap, fmt);
	ok = report(ok, detail, fmt, ap);
	va_end(ap);
	return ok;
}

bool check_eq(uint64_t actual, uint64_t expected, const char *fmt, ...)
{
	char detail[80];
	va_list ap;
	bool ok;

	snprintk(detail, sizeof(detail), "got 0x%llx, expected 0x%llx",
		 (unsigned long long)actual, (unsigned long long)expected);
	va_start(ap, fmt);
	ok = report(actual == expected, detail, fmt, ap);
	va_end(ap);
	return ok;
}

/* What went wrong when fault f is not the one expected (vector -1: none expected). */
static void fault_detail(char *buf, size_t size, struct fault f, int vector, uint32_t error)
{
	if (!f.faulted)
		snprintk(buf, size, "no exception, expected %s error code 0x%x",
			 vector_name((unsigned int)vector), error);
	else if (vector < 0)
		snprintk(buf, size, "%s error code 0x%x at eip 0x%08x, expected none",
			 vector_name(f.vector), f.error, f.eip);
	else
		snprintk(buf, size, "%s error code 0x%x at eip 0x%08x, expected %s error code 0x%x",
			 vector_name(f.vector), f.error, f.eip,
			 vector_name((unsigned int)vector), error);
}

bool check_fault(struct fault f, int vector, uint32_t error, const char *fmt, ...)
{
	char detail[128];
	va_list ap;
	bool ok;

	if (vector < 0)
		ok = !f.faulted;
	else
		ok = f.faulted && f.vector == vector && f.error == error;
	fault_detail(detail, sizeof(detail), f, vector, error);
	va_start(ap, fmt);
	ok = report(ok, detail, fmt, ap);
	va_end(ap);
	return ok;
}

void skip(const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintk(what, sizeof(what), fmt, ap);
	va_end(ap);
	gprintf("skipped: %s\n", what);
}

void guest_start(uint32_t magic, uint32_t mbi)
{
	boot_magic = magic;
	boot_info = (const struct mb1_info *)mbi;
	gdt_init();
	idt_init();
	if (magic != MB1_BOOTLOADER_MAGIC) {
		/* Without the magic EBX means nothing: no check can be trusted. */
		gprintf("FAIL: not started by a multiboot loader (EAX 0x%08x)\n", magic);
		guest_exit(GUEST_EXIT_FAIL);
	}
	guest_main();
	guest_finish();
}
