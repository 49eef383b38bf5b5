/* portio: the virtual 16550 at COM1, all-ones reads from unemulated ports, string I/O. */
#include "arch/uart16550.h"
#include "guest.h"
#include "lib/string.h"

#define COM1(reg)	(COM1_BASE + (reg))

/*
 * Ports no PC chipset decodes, so Umbra emulates none of them (and reports each once). Reads
 * return all ones at any width, as on an ISA bus with nothing to answer.
 */
#define UNKNOWN_PORT8	0x5e0
#define UNKNOWN_PORT16	0x5e2
#define UNKNOWN_PORT32	0x5e4

/* Register values to write and read back; the interrupt enables are harmless with IF=0. */
#define TEST_IER	(UART_IER_RDA | UART_IER_RLS)
#define TEST_LCR	0x1b	/* 8 bits, even parity: LCR bits 0-1 word length, 3 PEN, 4 EPS */
#define TEST_MCR	(UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2)	/* not LOOP: keep output */
#define TEST_DLL	0x0c
#define TEST_DLM	0x01

#define PAGE_SIZE	4096

/* Two pages, so string I/O can cross a page boundary in guest memory. */
static uint8_t pages[2 * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t *const boundary = pages + PAGE_SIZE;

struct uart_readback {
	uint8_t ier, lcr, mcr;
	uint8_t dll, dlm;		/* with DLAB set */
	uint8_t ier_after_dlab;		/* IER again once DLAB is clear */
};

static void check_lsr_and_scratch(void)
{
	uint8_t a, b;

	CHECK_EQ(inb(COM1(UART_LSR)), UART_LSR_THRE | UART_LSR_TEMT,
		 "COM1 LSR reads THRE|TEMT (0x60)");
	outb(COM1(UART_SCR), 0xa5);
	a = inb(COM1(UART_SCR));
	outb(COM1(UART_SCR), 0x5a);
	b = inb(COM1(UART_SCR));
	CHECK(a == 0xa5 && b == 0x5a, "COM1 scratch register keeps 0xa5 and 0x5a (read 0x%x, 0x%x)",
	      a, b);
}

/* Writes the registers, reads them back, restores them; prints nothing while they are odd. */
static struct uart_readback uart_exercise(void)
{
	uint8_t ier = inb(COM1(UART_IER)), lcr = inb(COM1(UART_LCR)), mcr = inb(COM1(UART_MCR));
	struct uart_readback r;
	uint8_t dll, dlm;

	outb(COM1(UART_IER), TEST_IER);
	r.ier = inb(COM1(UART_IER));
	outb(COM1(UART_LCR), TEST_LCR);
	r.lcr = inb(COM1(UART_LCR));
	outb(COM1(UART_MCR), TEST_MCR);
	r.mcr = inb(COM1(UART_MCR));

	outb(COM1(UART_LCR), UART_LCR_DLAB | UART_LCR_8N1);
	dll = inb(COM1(UART_DLL));
	dlm = inb(COM1(UART_DLM));
	outb(COM1(UART_DLL), TEST_DLL);
	outb(COM1(UART_DLM), TEST_DLM);
	r.dll = inb(COM1(UART_DLL));
	r.dlm = inb(COM1(UART_DLM));
	outb(COM1(UART_DLL), dll);
	outb(COM1(UART_DLM), dlm);
	outb(COM1(UART_LCR), lcr);

	r.ier_after_dlab = inb(COM1(UART_IER));
	outb(COM1(UART_IER), ier);
	outb(COM1(UART_MCR), mcr);
	return r;
}

static void check_uart_registers(void)
{
	struct uart_readback r = uart_exercise();

	CHECK_EQ(r.ier, TEST_IER, "COM1 IER reads back 0x%x", TEST_IER);
	CHECK_EQ(r.lcr, TEST_LCR, "COM1 LCR reads back 0x%x", TEST_LCR);
	CHECK_EQ(r.mcr, TEST_MCR, "COM1 MCR reads back 0x%x", TEST_MCR);
	CHECK_EQ(r.dll, TEST_DLL, "COM1 divisor latch low reads back 0x%x with DLAB set", TEST_DLL);
	CHECK_EQ(r.dlm, TEST_DLM, "COM1 divisor latch high reads back 0x%x with DLAB set (not IER)",
		 TEST_DLM);
	CHECK_EQ(r.ier_after_dlab, TEST_IER, "COM1 IER is back once DLAB is clear");
}

static void check_unknown_ports(void)
{
	uint8_t b;
	uint16_t w;
	uint32_t l;

	/* Writes first: they must be dropped, not remembered. */
	outb(UNKNOWN_PORT8, 0x12);
	outw(UNKNOWN_PORT16, 0x1234);
	outl(UNKNOWN_PORT32, 0x12345678);
	b = inb(UNKNOWN_PORT8);
	w = inw(UNKNOWN_PORT16);
	l = inl(UNKNOWN_PORT32);
	CHECK_EQ(b, 0xff, "inb from unknown port 0x%x reads 0xff", UNKNOWN_PORT8);
	CHECK_EQ(w, 0xffff, "inw from unknown port 0x%x reads 0xffff", UNKNOWN_PORT16);
	CHECK_EQ(l, 0xffffffff, "inl from unknown port 0x%x reads 0xffffffff", UNKNOWN_PORT32);
	CHECK_EQ(inb(UNKNOWN_PORT8), 0xff, "a second inb from port 0x%x reads 0xff", UNKNOWN_PORT8);
}

/* REP OUTSB/INS*: the registers as the instruction left them (SDM Vol. 2B "OUTS", "INS"). */
struct string_io {
	uintptr_t ptr;		/* ESI or EDI */
	uint32_t count;		/* ECX */
};

static struct string_io rep_outsb(uint16_t port, const void *src, uint32_t n)
{
	__asm__ volatile("rep outsb" : "+S"(src), "+c"(n) : "d"(port) : "memory");
	return (struct string_io){ (uintptr_t)src, n };
}

static void outsb_once(uint16_t port, const void *src)
{
	__asm__ volatile("outsb" : "+S"(src) : "d"(port) : "memory");
}

#define DEFINE_REP_INS(name, insn)						\
static struct string_io name(uint16_t port, void *dst, uint32_t n)		\
{										\
	__asm__ volatile(insn : "+D"(dst), "+c"(n) : "d"(port) : "memory");	\
	return (struct string_io){ (uintptr_t)dst, n };				\
}
DEFINE_REP_INS(rep_insb, "rep insb")
DEFINE_REP_INS(rep_insw, "rep insw")
DEFINE_REP_INS(rep_insl, "rep insl")
/* With DF set the string is filled downwards, from dst to dst - n + 1. */
DEFINE_REP_INS(rep_insb_down, "std; rep insb; cld")
#undef DEFINE_REP_INS

static void check_rep_outsb(void)
{
	static const char line[] = "rep outsb: a line across a page boundary";
	uint8_t *src = boundary - 10;
	struct string_io r;

	memcpy(src, line, sizeof(line) - 1);
	r = rep_outsb(COM1(UART_THR), src, sizeof(line) - 1);
	outsb_once(COM1(UART_THR), "\r");
	outsb_once(COM1(UART_THR), "\n");
	CHECK(r.count == 0 && r.ptr == (uintptr_t)src + sizeof(line) - 1,
	      "rep outsb to COM1 leaves ECX 0 and ESI past the string (ECX %u, ESI +%d)",
	      r.count, (int)(r.ptr - (uintptr_t)src));
}

/* True if bytes [from, to) of buf are all v. */
static bool all_bytes(const uint8_t *from, const uint8_t *to, uint8_t v)
{
	for (; from < to; from++)
		if (*from != v)
			return false;
	return true;
}

/* The 16 bytes around a string must stay untouched: guards on both sides. */
#define GUARD	8

static void check_rep_ins(void)
{
	uint8_t *dst = boundary - 6;	/* 16 bytes, crossing the boundary */
	struct string_io r;

	memset(dst - GUARD, 0, 16 + 2 * GUARD);
	r = rep_insb(UNKNOWN_PORT8, dst, 16);
	CHECK(all_bytes(dst, dst + 16, 0xff) && r.count == 0 && r.ptr == (uintptr_t)dst + 16,
	      "rep insb from port 0x%x fills 16 bytes with 0xff across a page boundary",
	      UNKNOWN_PORT8);
	CHECK(all_bytes(dst - GUARD, dst, 0) && all_bytes(dst + 16, dst + 16 + GUARD, 0),
	      "rep insb writes nothing outside its string");

	memset(dst - GUARD, 0, 16 + 2 * GUARD);
	r = rep_insw(UNKNOWN_PORT16, dst, 8);
	CHECK(all_bytes(dst - GUARD, dst, 0) && all_bytes(dst, dst + 16, 0xff) &&
	      all_bytes(dst + 16, dst + 16 + GUARD, 0) && r.ptr == (uintptr_t)dst + 16,
	      "rep insw from port 0x%x fills 8 words with 0xffff", UNKNOWN_PORT16);

	memset(dst - GUARD, 0, 16 + 2 * GUARD);
	r = rep_insl(UNKNOWN_PORT32, dst, 4);
	CHECK(all_bytes(dst - GUARD, dst, 0) && all_bytes(dst, dst + 16, 0xff) &&
	      all_bytes(dst + 16, dst + 16 + GUARD, 0) && r.ptr == (uintptr_t)dst + 16,
	      "rep insl from port 0x%x fills 4 dwords with 0xffffffff", UNKNOWN_PORT32);

	memset(dst - GUARD, 0, 16 + 2 * GUARD);
	r = rep_insb_down(UNKNOWN_PORT8, dst + 15, 16);
	CHECK(all_bytes(dst - GUARD, dst, 0) && all_bytes(dst, dst + 16, 0xff) &&
	      all_bytes(dst + 16, dst + 16 + GUARD, 0) && r.count == 0 &&
	      r.ptr == (uintptr_t)dst - 1,
	      "rep insb with DF=1 fills 16 bytes downwards and leaves EDI below them");
}

void guest_main(void)
{
	check_lsr_and_scratch();
	check_uart_registers();
	check_rep_outsb();
	check_unknown_ports();
	check_rep_ins();
}
