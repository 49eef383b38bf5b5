/*
 * The PC's timers and small devices as a guest sees them under Umbra: the TSC calibrated against
 * PIT channel 2 through port 0x61 the way Linux does it, periodic and one-shot interrupts of
 * channel 0 on IRQ 0 across HLT (the rate measured against that TSC), the 8259A's poll command
 * and auto-EOI, the CMOS RTC, the i8042's self-tests, and ports 0x80, 0x92 and the ELCR.
 */
#include "guest.h"
#include "x86.h"

#include "lib/string.h"

#define PIT_HZ		1193182u	/* Intel 8254 input clock on the PC */
#define PIT_CH0		0x40
#define PIT_CH2		0x42
#define PIT_CTRL	0x43
#define PORT_B		0x61
#define PIC1_CMD	0x20
#define PIC1_DATA	0x21
#define PIC2_CMD	0xa0
#define PIC2_DATA	0xa1
#define PIT_VECTOR	0x20		/* master PIC remapped to 0x20: IRQ 0 */
#define IDT_ENTRIES	256
#define HZ		100		/* channel 0's periodic rate */
#define MEASURE_MS	500

struct interrupt_frame;

static uint64_t idt[IDT_ENTRIES] __attribute__((aligned(8)));
static volatile unsigned ticks;
static volatile bool eoi_in_handler = true;
static uint64_t tsc_hz;

__attribute__((interrupt)) static void pit_isr(struct interrupt_frame *frame)
{
	(void)frame;
	ticks++;
	if (eoi_in_handler)
		outb(PIC1_CMD, 0x20);	/* 8259A OCW2: non-specific EOI */
}

/* A copy of the runtime's IDT (vectors 0-31) with the timer's gate added. */
static void idt_install(void)
{
	struct desc_ptr32 idtr;
	uint32_t handler = (uint32_t)(uintptr_t)pit_isr;

	__asm__ volatile("sidt %0" : "=m"(idtr));
	memcpy(idt, (const void *)(uintptr_t)idtr.base, idtr.limit + 1u);
	/* 32-bit interrupt gate, present, DPL 0, selector 0x08 (SDM Vol. 3A 6.11). */
	idt[PIT_VECTOR] = (handler & 0xffff) | (0x08u << 16) |
			  ((uint64_t)((handler & 0xffff0000u) | 0x8e00) << 32);
	idtr.limit = sizeof(idt) - 1;
	idtr.base = (uint32_t)(uintptr_t)idt;
	lidt(&idtr);
}

/* ICW1-4 for both chips (vectors 0x20 and 0x28), ICW4 of the master as given (0x01: 8086
 * mode, 0x03: also auto-EOI), then only IRQ 0 unmasked. */
static void pic_setup(uint8_t master_icw4)
{
	outb(PIC1_CMD, 0x11);
	outb(PIC1_DATA, 0x20);
	outb(PIC1_DATA, 0x04);
	outb(PIC1_DATA, master_icw4);
	outb(PIC2_CMD, 0x11);
	outb(PIC2_DATA, 0x28);
	outb(PIC2_DATA, 0x02);
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, 0xfe);
	outb(PIC2_DATA, 0xff);
}

static uint64_t ms_to_tsc(unsigned ms)
{
	return tsc_hz / 1000 * ms;
}

static uint16_t pit_latch_read(unsigned ch)
{
	uint8_t lo, hi;

	outb(PIT_CTRL, (uint8_t)(ch << 6));	/* counter latch command */
	lo = inb(PIT_CH0 + ch);
	hi = inb(PIT_CH0 + ch);
	return (uint16_t)(lo | hi << 8);
}

/* Channel 2 in mode 0 with count latch, gate high and speaker off through port 0x61. */
static void channel2_start(uint32_t latch)
{
	outb(PORT_B, (inb(PORT_B) & ~0x02) | 0x01);
	outb(PIT_CTRL, 0xb0);			/* channel 2, LSB then MSB, mode 0, binary */
	outb(PIT_CH2, latch & 0xff);
	outb(PIT_CH2, latch >> 8);
}

/*
 * After terminal count in mode 0 the counter wraps to 0xffff and counts on (8254 data sheet,
 * mode 0): a read less than 0x10000 - latch clocks after OUT2 rose gives 0 (at terminal count
 * itself) or a value above the count written. The TSC bounds how late the read was: from
 * before the last poll that still saw OUT2 low to after the read. A loaded host can make a
 * read later than that, which proves nothing: such a sample is taken again, at most 8 times.
 * Returns false when no sample was prompt enough.
 */
static bool channel2_read_after_wrap(uint32_t latch, uint16_t *value)
{
	for (unsigned attempt = 0; attempt < 8; attempt++) {
		uint64_t before_low_poll = rdtsc(), now, clocks;

		channel2_start(latch);
		for (;;) {
			now = rdtsc();
			if (inb(PORT_B) & 0x20)
				break;
			before_low_poll = now;
		}
		*value = pit_latch_read(2);
		clocks = (rdtsc() - before_low_poll) * PIT_HZ / tsc_hz;
		if (clocks + 2 < 0x10000 - latch)
			return true;
	}
	return false;
}

/* Linux's pit_calibrate_tsc(): channel 2 in mode 0 for 50 ms, poll OUT2 (port 0x61 bit 5)
 * and count TSC ticks meanwhile. */
static void pit_calibrate_tsc(void)
{
	const uint32_t latch = PIT_HZ / 20;
	uint16_t first, last;
	uint64_t t0, t1;
	unsigned polls = 0;
	bool prompt;

	channel2_start(latch);
	t0 = rdtsc();
	first = pit_latch_read(2);
	while (!(inb(PORT_B) & 0x20))
		polls++;
	t1 = rdtsc();
	tsc_hz = (t1 - t0) * PIT_HZ / (latch + 1);
	gprintf("tsc: %u kHz by PIT channel 2 (%u polls of port 0x61 in 50 ms)\n",
		(unsigned)(tsc_hz / 1000), polls);
	CHECK(polls > 0, "OUT2 is low after the count is written and rises later");
	CHECK(first <= latch && first > latch / 2, "channel 2 counts down from its count (0x%x)",
	      first);
	CHECK(tsc_hz > 1000000, "the TSC runs (%u kHz)", (unsigned)(tsc_hz / 1000));
	/* Before terminal count the counter never exceeds the count written; just after it, it
	 * has wrapped to 0xffff and counts on. */
	prompt = channel2_read_after_wrap(latch, &last);
	CHECK(prompt, "a read of channel 2 within %u clocks of terminal count (8 tries)",
	      (unsigned)(0x10000 - latch));
	CHECK(!prompt || last == 0 || last > latch, "channel 2 wraps past zero in mode 0 (0x%x)",
	      last);
	CHECK(inb(PORT_B) & 0x20, "OUT2 stays high after terminal count in mode 0");
}

/* Channel 0 in mode 2 at HZ; interrupts counted across HLTs for MEASURE_MS of TSC time. */
static void pit_periodic(void)
{
	const uint32_t count = (PIT_HZ + HZ / 2) / HZ;
	const unsigned expected = HZ * MEASURE_MS / 1000;
	unsigned got, halts = 0;
	uint64_t start;

	outb(PIT_CTRL, 0x34);			/* channel 0, LSB then MSB, mode 2 */
	outb(PIT_CH0, count & 0xff);
	outb(PIT_CH0, count >> 8);
	outb(PIT_CTRL, 0xe2);			/* read-back: status of channel 0 */
	CHECK_EQ(inb(PIT_CH0) & 0x3f, 0x34, "read-back status says channel 0 is LSB/MSB, mode 2");
	ticks = 0;
	start = rdtsc();
	while (rdtsc() - start < ms_to_tsc(MEASURE_MS)) {
		__asm__ volatile("sti; hlt; cli");
		halts++;
	}
	got = ticks;
	gprintf("pit: %u interrupts in %u ms of TSC time at %u Hz (expected %u), %u HLTs\n", got,
		MEASURE_MS, HZ, expected, halts);
	CHECK(got >= expected / 2 && got <= expected * 3 / 2,
	      "IRQ 0 comes at the programmed rate within 50%% (%u of %u)", got, expected);
	CHECK(halts <= got + 1, "each HLT waited for an interrupt (%u HLTs)", halts);
}

/* With interrupts enabled and no exit of its own, the guest still gets its ticks: Umbra takes
 * control back when the timer is due. */
static void pit_while_spinning(void)
{
	const unsigned ms = 200;
	uint64_t start = rdtsc();
	unsigned got;

	ticks = 0;
	__asm__ volatile("sti");
	while (rdtsc() - start < ms_to_tsc(ms))
		;
	cli();
	got = ticks;
	gprintf("pit: %u interrupts while spinning %u ms without exits (%u expected)\n", got, ms,
		HZ * ms / 1000);
}

/* Linux's one-shot clock event: channel 0 in mode 4 gives one interrupt per count written. */
static void pit_oneshot(void)
{
	uint64_t start;

	outb(PIT_CTRL, 0x38);			/* channel 0, LSB then MSB, mode 4 */
	pic_setup(0x01);			/* drops a request the periodic run left */
	outb(PIT_CH0, (PIT_HZ / 200) & 0xff);	/* 5 ms */
	outb(PIT_CH0, (PIT_HZ / 200) >> 8);
	ticks = 0;
	__asm__ volatile("sti; hlt; cli");	/* the one interrupt ends this HLT */
	start = rdtsc();
	__asm__ volatile("sti");
	while (rdtsc() - start < ms_to_tsc(30))
		;
	cli();
	CHECK_EQ(ticks, 1, "mode 4 raises IRQ 0 once per count");
}

/* The 8259A's poll command (OCW3 P=1) with interrupts off: the read says the IRQ and takes it. */
static void pic_poll(void)
{
	uint64_t start;
	uint8_t word;

	outb(PIT_CTRL, 0x30);			/* channel 0, LSB then MSB, mode 0 */
	outb(PIT_CH0, 0x00);
	outb(PIT_CH0, 0x10);			/* 4096 clocks: 3.4 ms */
	start = rdtsc();
	while (rdtsc() - start < ms_to_tsc(10))
		;
	outb(PIC1_CMD, 0x0c);			/* OCW3: poll */
	word = inb(PIC1_CMD);
	CHECK_EQ(word, 0x80, "poll command reports IRQ 0 pending (0x%x)", word);
	outb(PIC1_CMD, 0x0b);			/* OCW3: read ISR */
	CHECK_EQ(inb(PIC1_CMD), 0x01, "the polled IRQ 0 is in service");
	outb(PIC1_CMD, 0x20);
	CHECK_EQ(inb(PIC1_CMD), 0x00, "EOI ends it");
	outb(PIC1_CMD, 0x0a);
}

/* Auto-EOI (ICW4 AEOI): the handler sends no EOI and IRQ 0 keeps coming. */
static void pic_auto_eoi(void)
{
	uint64_t start;

	pic_setup(0x03);
	eoi_in_handler = false;
	outb(PIT_CTRL, 0x34);
	outb(PIT_CH0, (PIT_HZ / HZ) & 0xff);
	outb(PIT_CH0, (PIT_HZ / HZ) >> 8);
	ticks = 0;
	start = rdtsc();
	while (rdtsc() - start < ms_to_tsc(100))
		__asm__ volatile("sti; hlt; cli");
	outb(PIC1_CMD, 0x0b);
	CHECK(ticks >= 3, "auto-EOI: IRQ 0 keeps coming without EOI (%u in 100 ms)", ticks);
	CHECK_EQ(inb(PIC1_CMD), 0x00, "auto-EOI leaves nothing in service");
	outb(PIC1_CMD, 0x0a);
	outb(PIT_CTRL, 0x30);			/* stop: mode 0, count never written */
	eoi_in_handler = true;
	pic_setup(0x01);
}

static uint8_t cmos(uint8_t index)
{
	outb(0x70, index);
	return inb(0x71);
}

static void cmos_set(uint8_t index, uint8_t v)
{
	outb(0x70, index);
	outb(0x71, v);
}

static bool bcd_ok(uint8_t v)
{
	return (v & 0xf) <= 9 && (v >> 4) <= 9;
}

static unsigned bcd(uint8_t v)
{
	return (v >> 4) * 10u + (v & 0xf);
}

/* Waits (bounded by the TSC) until status A's UIP is as asked, as Linux's mc146818_get_time()
 * waits for it to fall; returns whether it got there. */
static bool rtc_wait_uip(bool set, unsigned ms)
{
	uint64_t start = rdtsc();

	while (!!(cmos(0x0a) & 0x80) != set)
		if (rdtsc() - start > ms_to_tsc(ms))
			return false;
	return true;
}

/* The seconds right after the next update: UIP rises, then falls. UIP is up for 2.2 ms a
 * second, so a guest whose port reads are slow (an emulator, a loaded host) may miss a few. */
static int rtc_seconds_after_update(void)
{
	if (!rtc_wait_uip(true, 3000) || !rtc_wait_uip(false, 10))
		return -1;
	return cmos(0x00);
}

/* The CMOS clock: 2020-01-01 plus guest time, BCD and 24 hours by default, binary and 12 hours
 * on request, an update every second with UIP just before it. */
static void rtc_time(void)
{
	uint8_t sec, min, hour, mday, mon, year, century;
	int first, second;
	uint64_t start;

	CHECK(rtc_wait_uip(false, 10), "RTC status A: UIP falls within 10 ms");
	sec = cmos(0x00);
	min = cmos(0x02);
	hour = cmos(0x04);
	mday = cmos(0x07);
	mon = cmos(0x08);
	year = cmos(0x09);
	century = cmos(0x32);
	gprintf("rtc: %02x%02x-%02x-%02x %02x:%02x:%02x (BCD), status A %02x B %02x D %02x\n",
		century, year, mon, mday, hour, min, sec, cmos(0x0a), cmos(0x0b), cmos(0x0d));
	CHECK(bcd_ok(sec) && bcd_ok(min) && bcd_ok(hour) && bcd_ok(mday) && bcd_ok(mon) &&
	      bcd_ok(year) && bcd_ok(century), "the RTC's time and date are BCD");
	CHECK(century == 0x20 && year == 0x20 && mon == 0x01 && mday == 0x01 && hour == 0x00 &&
	      min == 0x00, "the RTC starts on 2020-01-01 at 00:00");
	CHECK_EQ(cmos(0x0b), 0x02, "status B: 24 hours, BCD, no interrupts");
	CHECK_EQ(cmos(0x0d), 0x80, "status D: VRT set");
	/* Just after an update, then 1.5 s of TSC later: exactly one more update. */
	first = rtc_seconds_after_update();
	CHECK(first >= 0, "UIP rises and falls around an update");
	start = rdtsc();
	while (rdtsc() - start < ms_to_tsc(1500))
		;
	CHECK(rtc_wait_uip(false, 10), "UIP is clear or falls within 10 ms");
	second = cmos(0x00);
	CHECK_EQ(bcd((uint8_t)second), (bcd((uint8_t)first) + 1) % 60, "the seconds advance by one "
		 "in 1.5 s after an update (%02x then %02x)", first, second);
	/* Binary, then 12 hours: 00:xx is 12 AM. */
	cmos_set(0x0b, 0x06);
	CHECK_EQ(cmos(0x09), 20, "DM=1: the year reads in binary");
	cmos_set(0x0b, 0x00);
	CHECK_EQ(cmos(0x04), 0x12, "12-hour mode: midnight reads 12 with PM clear");
	cmos_set(0x0b, 0x02);
	/* Without a periodic rate (A.RS=0) nothing but the once-a-second update sets a flag. */
	cmos_set(0x0a, 0x20);
	(void)cmos(0x0c);
	CHECK_EQ(cmos(0x0c), 0x00, "status C clears on read");
	cmos_set(0x0a, 0x26);
}

/* The CMOS bytes: memory sizes for 64 MiB of guest RAM, plain RAM, the NMI bit in the index. */
static void rtc_cmos_bytes(void)
{
	CHECK_EQ(cmos(0x15) | cmos(0x16) << 8, 640, "CMOS 0x15/0x16: 640 KiB base memory");
	CHECK_EQ(cmos(0x17) | cmos(0x18) << 8, 63 * 1024, "CMOS 0x17/0x18: 63 MiB above 1 MiB");
	CHECK_EQ(cmos(0x30) | cmos(0x31) << 8, 63 * 1024, "CMOS 0x30/0x31: 63 MiB above 1 MiB");
	CHECK_EQ(cmos(0x34) | cmos(0x35) << 8, 768, "CMOS 0x34/0x35: 48 MiB above 16 MiB");
	cmos_set(0x50, 0xa5);
	CHECK_EQ(cmos(0x50), 0xa5, "CMOS RAM byte 0x50 keeps what was written");
	outb(0x70, 0x80 | 0x0d);		/* NMI disabled, register D */
	CHECK_EQ(inb(0x71), 0x80, "index bit 7 (NMI disable) leaves the index alone");
	outb(0x70, 0x0d);
}

static bool kbd_wait(uint8_t mask, bool set)
{
	for (unsigned i = 0; i < 100000; i++)
		if (!!(inb(0x64) & mask) == set)
			return true;
	return false;
}

/* i8042 command with a one-byte answer, waiting as drivers do (IBF clear, then OBF set). */
static int kbd_ask(uint8_t cmd)
{
	if (!kbd_wait(0x02, false))
		return -1;
	outb(0x64, cmd);
	if (!kbd_wait(0x01, true))
		return -1;
	return inb(0x60);
}

static void i8042(void)
{
	int ctr, out;

	CHECK_EQ(kbd_ask(0xaa), 0x55, "i8042 self-test (0xAA) answers 0x55");
	CHECK(inb(0x64) & 0x04, "i8042 status: SYS flag set");
	CHECK(inb(0x64) & 0x08, "i8042 status: A2 says the last write was a command");
	CHECK_EQ(kbd_ask(0xab), 0x00, "i8042 keyboard interface test (0xAB) passes");
	CHECK_EQ(kbd_ask(0xa9), 0x00, "i8042 aux interface test (0xA9) passes");
	ctr = kbd_ask(0x20);
	gprintf("i8042: command byte 0x%x\n", ctr);
	outb(0x64, 0x60);
	outb(0x60, (uint8_t)(ctr & ~0x03));	/* no IRQ 1/12 while probing */
	CHECK_EQ(kbd_ask(0x20), ctr & ~0x03, "i8042 command byte reads back");
	outb(0x64, 0xad);
	CHECK(kbd_ask(0x20) & 0x10, "0xAD disables the keyboard port");
	outb(0x64, 0xae);
	CHECK(!(kbd_ask(0x20) & 0x10), "0xAE enables it");
	out = kbd_ask(0xd0);
	CHECK_EQ(out & 0x03, 0x03, "output port: reset line high, A20 on");
	CHECK_EQ(inb(0x60), out, "0x60 with nothing new reads the last byte again");
	outb(0x64, 0x60);
	outb(0x60, (uint8_t)ctr);
}

/* Ports the PC has besides its chips: the POST port, fast A20 and the ELCR. */
static void pc_ports(void)
{
	outb(0x80, 0x55);			/* I/O delay, as outb_p() does */
	CHECK_EQ(inb(0x92) & 0x03, 0x02, "port 0x92: A20 on, reset bit clear");
	outb(0x92, 0x00);
	CHECK_EQ(inb(0x92) & 0x02, 0x00, "port 0x92: A20 reads back off");
	outb(0x92, 0x02);
	outb(0x4d0, 0xff);
	outb(0x4d1, 0xff);
	CHECK_EQ(inb(0x4d0), 0xf8, "ELCR 0x4d0: IRQ 0-2 always edge");
	CHECK_EQ(inb(0x4d1), 0xde, "ELCR 0x4d1: IRQ 8 and 13 always edge");
	outb(0x4d0, 0x00);
	outb(0x4d1, 0x00);
}

void guest_main(void)
{
	idt_install();
	pic_setup(0x01);
	pit_calibrate_tsc();
	pit_periodic();
	pit_while_spinning();
	pit_oneshot();
	pic_poll();
	pic_auto_eoi();
	outb(PIC1_DATA, 0xff);
	rtc_time();
	rtc_cmos_bytes();
	i8042();
	pc_ports();
}
