/*
 * The local APIC and the I/O APIC as a guest programs them under Umbra (32-bit, paging off):
 * CPUID and IA32_APIC_BASE, the timer in one-shot, periodic and TSC-deadline mode (periods
 * measured against the TSC: ordering and ratios, never absolute times), TPR masking, EOI
 * ordering with nested priorities, self-IPIs, LINT0 virtual wire, APIC_BASE disable,
 * re-enable and relocation, the x2APIC switch, and the I/O APIC routing the PIT (pin 2, not
 * pin 0) and the UART (pin 4, level triggered, remote IRR until EOI).
 */
#include "apic_io.h"

#define V_TIMER		0x40
#define V_LOW		0x60
#define V_HIGH		0x90
#define V_LOWER		0x50
#define V_MASKED	0x45
#define V_X2		0x66
#define V_PIT_PIN2	0x70
#define V_PIT_PIN0	0x71
#define V_UART		0x74
#define V_PIC_IRQ0	0x20
#define SPIV_ON		(APIC_SPIV_ENABLE | 0xff)

static uint64_t tsc_hz;
static volatile unsigned timer_hits, pit2_hits, pit0_hits, uart_hits, pic_hits, x2_hits;
static volatile uint64_t timer_tsc[16];
static volatile uint32_t uart_remote_irr_in_handler;
static char order[16];
static volatile unsigned norder;

static void log_order(char c)
{
	if (norder < sizeof(order) - 1)
		order[norder++] = c;
}

__attribute__((interrupt)) static void isr_timer(struct interrupt_frame *f)
{
	(void)f;
	if (timer_hits < 16)
		timer_tsc[timer_hits] = rdtsc();
	timer_hits++;
	apic_w(APIC_REG_EOI, 0);
}

/* The low-priority handler: with interrupts on, a higher self-IPI nests inside it, and a
 * lower one waits until its EOI. */
__attribute__((interrupt)) static void isr_low(struct interrupt_frame *f)
{
	(void)f;
	log_order('L');
	apic_w(APIC_REG_ICR_LO, (APIC_SHORTHAND_SELF << APIC_ICR_SHORTHAND_SHIFT) | V_LOWER);
	apic_w(APIC_REG_ICR_LO, (APIC_SHORTHAND_SELF << APIC_ICR_SHORTHAND_SHIFT) | V_HIGH);
	__asm__ volatile("sti; nop; nop; cli");
	log_order('l');
	apic_w(APIC_REG_EOI, 0);
}

__attribute__((interrupt)) static void isr_high(struct interrupt_frame *f)
{
	(void)f;
	log_order('H');
	apic_w(APIC_REG_EOI, 0);
}

__attribute__((interrupt)) static void isr_lower(struct interrupt_frame *f)
{
	(void)f;
	log_order('W');
	apic_w(APIC_REG_EOI, 0);
}

__attribute__((interrupt)) static void isr_masked(struct interrupt_frame *f)
{
	(void)f;
	log_order('M');
	apic_w(APIC_REG_EOI, 0);
}

__attribute__((interrupt)) static void isr_x2(struct interrupt_frame *f)
{
	(void)f;
	x2_hits++;
	wrmsr(x2apic_msr(APIC_REG_EOI), 0);
}

__attribute__((interrupt)) static void isr_pit2(struct interrupt_frame *f)
{
	(void)f;
	pit2_hits++;
	apic_w(APIC_REG_EOI, 0);
}

__attribute__((interrupt)) static void isr_pit0(struct interrupt_frame *f)
{
	(void)f;
	pit0_hits++;
	apic_w(APIC_REG_EOI, 0);
}

/* UART THRE on pin 4, level triggered: the line stays high until IER is cleared, and remote
 * IRR holds the pin until the EOI (82093AA 3.2.4). */
__attribute__((interrupt)) static void isr_uart(struct interrupt_frame *f)
{
	(void)f;
	uart_hits++;
	outb(0x3f9, 0);				/* IER off: the line falls */
	uart_remote_irr_in_handler = ioapic_r(IOAPIC_REG_REDIR + 2 * 4) & IOAPIC_REDIR_REMOTE_IRR;
	apic_w(APIC_REG_EOI, 0);
}

__attribute__((interrupt)) static void isr_pic(struct interrupt_frame *f)
{
	(void)f;
	pic_hits++;
	outb(0x20, 0x20);
}

static uint64_t ms_tsc(unsigned ms)
{
	return tsc_hz / 1000 * ms;
}

/* Interrupts on for ms of TSC time, in HLTs (each one ends at an interrupt or Umbra's tick). */
static void wait_hlt(unsigned ms)
{
	uint64_t start = rdtsc();

	while (rdtsc() - start < ms_tsc(ms))
		__asm__ volatile("sti; hlt; cli");
}

static void wait_spin(unsigned ms)
{
	uint64_t start = rdtsc();

	__asm__ volatile("sti");
	while (rdtsc() - start < ms_tsc(ms))
		;
	cli();
}

static void check_cpuid_and_base(void)
{
	struct cpuid_regs l1 = cpuid(1, 0);
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	CHECK(l1.edx & CPUID_1_EDX_APIC, "CPUID.1:EDX.APIC[9] is set");
	CHECK(l1.ecx & CPUID_1_ECX_X2APIC, "CPUID.1:ECX.x2APIC[21] is set");
	CHECK(l1.ecx & CPUID_1_ECX_TSC_DEADLINE, "CPUID.1:ECX.TSC_DEADLINE[24] is set");
	CHECK_EQ(base, APIC_DEFAULT_BASE | APIC_BASE_EN | APIC_BASE_BSP,
		 "IA32_APIC_BASE is FEE00000H, enabled, BSP (0x%llx)", (unsigned long long)base);
	CHECK_EQ(apic_r(APIC_REG_VERSION) & 0xff, APIC_VERSION_INTEGRATED,
		 "the version register says an integrated APIC");
	CHECK_EQ(apic_r(APIC_REG_SPIV), 0xff, "SPIV is FFH at power-on (software disabled)");
	CHECK_EQ(apic_r(APIC_REG_ID) >> 24, l1.ebx >> 24, "the APIC ID is CPUID.1:EBX[31:24]");
}

/* The PIC's IRQ 0 reaches the processor while the APIC is software disabled, through LINT0
 * as ExtINT once it is enabled, and not with LINT0 masked. */
static void check_virtual_wire(void)
{
	pic_setup(0xfe);
	outb(0x43, 0x34);				/* PIT channel 0, mode 2, 100 Hz */
	outb(0x40, (PIT_HZ / 100) & 0xff);
	outb(0x40, (PIT_HZ / 100) >> 8);
	pic_hits = 0;
	wait_hlt(50);
	CHECK(pic_hits > 0, "software disabled APIC: the 8259 reaches INTR (%u IRQ 0s)", pic_hits);
	apic_w(APIC_REG_SPIV, SPIV_ON);
	apic_w(APIC_REG_LVT_LINT0, APIC_LVT_MASKED | (APIC_DM_EXTINT << 8));
	wait_spin(5);
	pic_hits = 0;
	wait_spin(50);
	CHECK_EQ(pic_hits, 0, "LINT0 masked: the 8259 is cut off");
	apic_w(APIC_REG_LVT_LINT0, APIC_DM_EXTINT << 8);
	wait_hlt(50);
	CHECK(pic_hits > 0, "LINT0 ExtINT (virtual wire): the 8259 reaches the CPU (%u)", pic_hits);
	outb(0x43, 0x30);				/* stop channel 0 */
	apic_w(APIC_REG_LVT_LINT0, APIC_LVT_MASKED | (APIC_DM_EXTINT << 8));
	outb(0x21, 0xff);
}

/*
 * The timer's input clock, measured by its current count over 20 ms of TSC. Each count read is
 * an exit that a loaded host can stretch, so each is bracketed by TSC reads: the outer interval
 * gives a rate no higher than the true one, the inner one a rate no lower. The inner one is
 * returned: counts computed from it can only make the timer late, never early.
 */
static uint64_t timer_rate(void)
{
	uint32_t c0, c1;
	uint64_t t0, t0_after, t1_before, t1, hz_low, hz;
	struct cpuid_regs l0 = cpuid(0, 0), l15;

	apic_w(APIC_REG_TIMER_DIV, 0xb);		/* divide by 1 */
	apic_w(APIC_REG_LVT_TIMER, APIC_LVT_MASKED | V_TIMER);
	apic_w(APIC_REG_TIMER_INIT, 0xffffffff);
	t0 = rdtsc();
	c0 = apic_r(APIC_REG_TIMER_CUR);
	t0_after = rdtsc();
	while (rdtsc() - t0 < ms_tsc(20))
		;
	t1_before = rdtsc();
	c1 = apic_r(APIC_REG_TIMER_CUR);
	t1 = rdtsc();
	apic_w(APIC_REG_TIMER_INIT, 0);
	hz_low = (uint64_t)(c0 - c1) * tsc_hz / (t1 - t0);
	hz = (uint64_t)(c0 - c1) * tsc_hz / (t1_before - t0_after);
	gprintf("apic: timer clock %u kHz (TSC %u kHz)\n", (unsigned)(hz / 1000),
		(unsigned)(tsc_hz / 1000));
	CHECK(c1 < c0, "the current count counts down (%u then %u)", c0, c1);
	CHECK(hz > 1000000, "the timer runs at more than 1 MHz");
	if (l0.eax >= 0x15 && (l15 = cpuid(0x15, 0)).ecx) {
		/* What a kernel takes from CPUID 15H must be the rate the timer runs at. */
		CHECK(hz > l15.ecx / 10 * 9 && hz_low < l15.ecx / 10 * 11,
		      "the timer runs at CPUID 15H's crystal clock (%u kHz) within 10%%",
		      l15.ecx / 1000);
	}
	return hz;
}

/* One-shot: count, interrupt, wait; returns the TSC ticks from the write to the interrupt. */
static uint64_t oneshot(uint32_t count, uint32_t div)
{
	uint64_t start, limit = ms_tsc(2000);

	timer_hits = 0;
	apic_w(APIC_REG_TIMER_DIV, div);
	apic_w(APIC_REG_LVT_TIMER, V_TIMER);
	start = rdtsc();
	apic_w(APIC_REG_TIMER_INIT, count);
	while (!timer_hits && rdtsc() - start < limit)
		__asm__ volatile("sti; hlt; cli");
	return timer_hits ? timer_tsc[0] - start : 0;
}

/* Latency on a loaded host only ever makes an interrupt late: each count is checked for
 * never being early, and the counts and divisors for the order of their times. */
static void check_timer_oneshot(uint64_t hz)
{
	uint32_t count = (uint32_t)(hz / 100);		/* 10 ms at divide 1 */
	uint64_t t1 = oneshot(count, 0xb), t4 = oneshot(count * 4, 0xb), t2d = oneshot(count, 0x0);
	uint64_t expect = ms_tsc(10) / 10 * 9;

	gprintf("apic: one-shot 10 ms: %u us, 40 ms: %u us, 10 ms / 2: %u us\n",
		(unsigned)(t1 * 1000000 / tsc_hz), (unsigned)(t4 * 1000000 / tsc_hz),
		(unsigned)(t2d * 1000000 / tsc_hz));
	CHECK(t1 && t4 && t2d, "one-shot: each count ends in one interrupt");
	CHECK(t1 >= expect && t4 >= expect * 4 && t2d >= expect * 2, "one-shot: never early");
	CHECK(t1 < t2d && t2d < t4, "one-shot: 10 ms < 10 ms at divide 2 < 40 ms");
	timer_hits = 0;
	wait_spin(30);
	CHECK_EQ(timer_hits, 0, "one-shot: no second interrupt");
	CHECK_EQ(apic_r(APIC_REG_TIMER_CUR), 0, "one-shot: the current count stays 0");
}

static void check_timer_periodic(uint64_t hz)
{
	uint32_t count = (uint32_t)(hz / 500);		/* 2 ms */
	uint64_t start = rdtsc(), avg;
	uint32_t cur;

	timer_hits = 0;
	apic_w(APIC_REG_TIMER_DIV, 0xb);
	apic_w(APIC_REG_LVT_TIMER, (APIC_TIMER_PERIODIC << APIC_LVT_TIMER_MODE_SHIFT) | V_TIMER);
	apic_w(APIC_REG_TIMER_INIT, count);
	while (timer_hits < 11 && rdtsc() - start < ms_tsc(3000))
		__asm__ volatile("sti; hlt; cli");
	cur = apic_r(APIC_REG_TIMER_CUR);
	apic_w(APIC_REG_LVT_TIMER, APIC_LVT_MASKED | V_TIMER);
	apic_w(APIC_REG_TIMER_INIT, 0);
	CHECK(timer_hits >= 11, "periodic: interrupts keep coming (%u)", timer_hits);
	avg = (timer_tsc[10] - timer_tsc[0]) / 10;
	gprintf("apic: periodic 2 ms: %u us average over 10 periods\n",
		(unsigned)(avg * 1000000 / tsc_hz));
	CHECK(avg >= ms_tsc(2) / 10 * 9, "periodic: the period is never short");
	CHECK(cur <= count, "periodic: the current count stays within the initial count");
}

static void check_timer_deadline(void)
{
	uint64_t deadline, start, v;

	timer_hits = 0;
	apic_w(APIC_REG_LVT_TIMER, (APIC_TIMER_TSC_DEADLINE << APIC_LVT_TIMER_MODE_SHIFT) | V_TIMER);
	deadline = rdtsc() + ms_tsc(5);
	wrmsr(MSR_IA32_TSC_DEADLINE, deadline);
	CHECK_EQ(rdmsr(MSR_IA32_TSC_DEADLINE), deadline, "IA32_TSC_DEADLINE reads back when armed");
	start = rdtsc();
	while (!timer_hits && rdtsc() - start < ms_tsc(2000))
		__asm__ volatile("sti; hlt; cli");
	CHECK_EQ(timer_hits, 1, "TSC deadline: one interrupt");
	CHECK(timer_tsc[0] >= deadline, "TSC deadline: not before the deadline");
	v = rdmsr(MSR_IA32_TSC_DEADLINE);
	CHECK_EQ(v, 0, "TSC deadline: the MSR reads 0 once it fired");
	apic_w(APIC_REG_TIMER_INIT, 1000);
	CHECK_EQ(apic_r(APIC_REG_TIMER_INIT), 0, "TSC deadline: the initial count is ignored");
	apic_w(APIC_REG_LVT_TIMER, APIC_LVT_MASKED | V_TIMER);
}

/* TPR 5xH holds vector 45H in IRR; TPR 3xH lets it through. */
static void check_tpr(void)
{
	norder = 0;
	apic_w(APIC_REG_TPR, 0x50);
	CHECK_EQ(apic_r(APIC_REG_PPR), 0x50, "PPR follows TPR");
	apic_w(APIC_REG_ICR_LO, (APIC_SHORTHAND_SELF << APIC_ICR_SHORTHAND_SHIFT) | V_MASKED);
	wait_spin(5);
	CHECK_EQ(norder, 0, "TPR 50H masks vector 45H");
	CHECK(apic_r(APIC_REG_IRR + 0x20) & (1u << (V_MASKED & 31)), "vector 45H waits in IRR");
	apic_w(APIC_REG_TPR, 0x30);
	wait_spin(1);
	CHECK(norder == 1 && order[0] == 'M', "TPR 30H lets it in");
	CHECK_EQ(apic_r(APIC_REG_ISR + 0x20), 0, "and its EOI leaves nothing in service");
}

/* Nested priorities: inside 60H's handler a self-IPI 90H nests at once, 50H waits for the
 * EOI of 60H (SDM Vol. 3A 11.8.3). */
static void check_eoi_order(void)
{
	norder = 0;
	apic_w(APIC_REG_ICR_LO, (APIC_SHORTHAND_SELF << APIC_ICR_SHORTHAND_SHIFT) | V_LOW);
	wait_spin(5);
	order[norder] = 0;
	gprintf("apic: handler order %s\n", order);
	CHECK(!strcmp(order, "LHlW"), "EOI ordering: 90H nests inside 60H, 50H waits for its EOI");
	/* Physical destination 0 (this APIC), no shorthand. */
	norder = 0;
	apic_w(APIC_REG_ICR_HI, 0u << APIC_ICR_XAPIC_DEST_SHIFT);
	apic_w(APIC_REG_ICR_LO, V_HIGH);
	wait_spin(2);
	CHECK(norder == 1 && order[0] == 'H', "a fixed IPI to APIC ID 0 is a self-IPI");
	CHECK_EQ(apic_r(APIC_REG_ICR_LO) & APIC_ICR_STATUS, 0, "the ICR is never send-pending");
}

/* Global disable: no APIC in CPUID, the page is not the APIC's; re-enabled, the registers are
 * at power-on and it works again; relocated, it answers at its new base only. */
static void check_base_disable_relocate(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	apic_w(APIC_REG_TPR, 0x20);
	wrmsr(MSR_IA32_APIC_BASE, base & ~(uint64_t)APIC_BASE_EN);
	CHECK_EQ(cpuid(1, 0).edx & CPUID_1_EDX_APIC, 0, "globally disabled: CPUID hides the APIC");
	CHECK_EQ(apic_r(APIC_REG_VERSION), 0xffffffff, "globally disabled: the page reads all-ones");
	wrmsr(MSR_IA32_APIC_BASE, base);
	CHECK(cpuid(1, 0).edx & CPUID_1_EDX_APIC, "re-enabled: CPUID shows it again");
	CHECK_EQ(apic_r(APIC_REG_SPIV), 0xff, "re-enabled: SPIV is back at its power-on value");
	CHECK_EQ(apic_r(APIC_REG_TPR), 0, "re-enabled: TPR is back at 0");
	apic_w(APIC_REG_SPIV, SPIV_ON);
	norder = 0;
	apic_w(APIC_REG_ICR_LO, (APIC_SHORTHAND_SELF << APIC_ICR_SHORTHAND_SHIFT) | V_HIGH);
	wait_spin(2);
	CHECK_EQ(norder, 1, "re-enabled: a self-IPI is delivered");

	wrmsr(MSR_IA32_APIC_BASE, 0xfe000000ull | APIC_BASE_EN | APIC_BASE_BSP);
	CHECK_EQ(apic_r(APIC_REG_VERSION), 0xffffffff, "relocated: FEE00000H is no longer the APIC");
	apic_page = 0xfe000000;
	CHECK_EQ(apic_r(APIC_REG_VERSION) & 0xff, APIC_VERSION_INTEGRATED,
		 "relocated: the registers answer at FE000000H");
	wrmsr(MSR_IA32_APIC_BASE, base);
	apic_page = APIC_DEFAULT_BASE;
	CHECK_EQ(apic_r(APIC_REG_SPIV), SPIV_ON, "moved back: same state at FEE00000H");
}

/* x2APIC: MSR registers, self-IPI register, no MMIO; no way back to xAPIC but through
 * disabled (SDM Vol. 3A 11.12.5). */
static void check_x2apic(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE), v;
	struct fault f;

	CHECK_FAULT(rdmsr_safe(x2apic_msr(APIC_REG_VERSION), &v), EXC_GP, 0,
		    "xAPIC mode: x2APIC MSRs raise #GP(0)");
	wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EXTD);
	CHECK_EQ(rdmsr(x2apic_msr(APIC_REG_VERSION)) & 0xff, APIC_VERSION_INTEGRATED,
		 "x2APIC mode: the version register is MSR 803H");
	CHECK_EQ(rdmsr(x2apic_msr(APIC_REG_LDR)), 1, "x2APIC mode: the LDR is derived from ID 0");
	CHECK_EQ(apic_r(APIC_REG_VERSION), 0xffffffff, "x2APIC mode: the MMIO page is gone");
	x2_hits = 0;
	wrmsr(x2apic_msr(APIC_REG_SELF_IPI), V_X2);
	wait_spin(2);
	CHECK_EQ(x2_hits, 1, "x2APIC SELF IPI (MSR 83FH) delivers, EOI by MSR 80BH");
	wrmsr(x2apic_msr(APIC_REG_ICR_LO), V_X2);		/* 64-bit ICR, destination 0 */
	wait_spin(2);
	CHECK_EQ(x2_hits, 2, "x2APIC ICR to ID 0 delivers");
	f = wrmsr_safe(x2apic_msr(APIC_REG_EOI), 1);
	CHECK_FAULT(f, EXC_GP, 0, "x2APIC: a non-zero EOI write raises #GP(0)");
	f = wrmsr_safe(MSR_IA32_APIC_BASE, base);
	CHECK_FAULT(f, EXC_GP, 0, "x2APIC to xAPIC directly raises #GP(0)");
	wrmsr(MSR_IA32_APIC_BASE, base & ~(uint64_t)(APIC_BASE_EN | APIC_BASE_EXTD));
	wrmsr(MSR_IA32_APIC_BASE, base);
	CHECK_EQ(apic_r(APIC_REG_VERSION) & 0xff, APIC_VERSION_INTEGRATED,
		 "through disabled, back in xAPIC mode");
	apic_w(APIC_REG_SPIV, SPIV_ON);
}

/* The PIT through the I/O APIC: 8254 OUT0 on pin 2, nothing on pin 0; the 8259 masked. */
static void check_ioapic_pit(void)
{
	uint32_t ver = ioapic_r(IOAPIC_REG_VERSION);

	CHECK_EQ(ver, 0x170011, "I/O APIC version 11H with 24 entries (0x%x)", ver);
	CHECK_EQ(ioapic_r(IOAPIC_REG_REDIR + 4), IOAPIC_REDIR_MASKED, "entries start masked");
	outb(0x21, 0xff);
	ioapic_w(IOAPIC_REG_REDIR + 2 * 2 + 1, 0);
	ioapic_w(IOAPIC_REG_REDIR + 2 * 2, V_PIT_PIN2);
	ioapic_w(IOAPIC_REG_REDIR + 2 * 0 + 1, 0);
	ioapic_w(IOAPIC_REG_REDIR + 2 * 0, V_PIT_PIN0);
	pit2_hits = pit0_hits = 0;
	outb(0x43, 0x34);
	outb(0x40, (PIT_HZ / 100) & 0xff);
	outb(0x40, (PIT_HZ / 100) >> 8);
	wait_hlt(100);
	CHECK(pit2_hits >= 3, "the PIT reaches the CPU through I/O APIC pin 2 (%u)", pit2_hits);
	CHECK_EQ(pit0_hits, 0, "and not through pin 0");
	ioapic_w(IOAPIC_REG_REDIR + 2 * 2, IOAPIC_REDIR_MASKED | V_PIT_PIN2);
	wait_spin(5);
	pit2_hits = 0;
	wait_spin(50);
	CHECK_EQ(pit2_hits, 0, "masking pin 2 stops it");
	outb(0x43, 0x30);
	ioapic_w(IOAPIC_REG_REDIR + 2 * 0, IOAPIC_REDIR_MASKED | V_PIT_PIN0);
}

/* COM1's transmitter-empty interrupt on pin 4, level triggered. */
static void check_ioapic_uart(void)
{
	ioapic_w(IOAPIC_REG_REDIR + 2 * 4 + 1, 0);
	ioapic_w(IOAPIC_REG_REDIR + 2 * 4, IOAPIC_REDIR_LEVEL | V_UART);
	uart_hits = 0;
	outb(0x3fc, inb(0x3fc) | 0x08);			/* MCR OUT2: the PC's IRQ enable */
	outb(0x3f9, 0x02);				/* IER: THRE */
	wait_spin(5);
	CHECK_EQ(uart_hits, 1, "COM1 THRE reaches the CPU through pin 4, once");
	CHECK(uart_remote_irr_in_handler, "remote IRR is set while the level interrupt is served");
	CHECK_EQ(ioapic_r(IOAPIC_REG_REDIR + 2 * 4) & IOAPIC_REDIR_REMOTE_IRR, 0,
		 "the EOI cleared remote IRR");
	ioapic_w(IOAPIC_REG_REDIR + 2 * 4, IOAPIC_REDIR_MASKED | V_UART);
}

void guest_main(void)
{
	uint64_t hz;

	idt_take_over();
	idt_gate(V_TIMER, isr_timer);
	idt_gate(V_LOW, isr_low);
	idt_gate(V_HIGH, isr_high);
	idt_gate(V_LOWER, isr_lower);
	idt_gate(V_MASKED, isr_masked);
	idt_gate(V_X2, isr_x2);
	idt_gate(V_PIT_PIN2, isr_pit2);
	idt_gate(V_PIT_PIN0, isr_pit0);
	idt_gate(V_UART, isr_uart);
	idt_gate(V_PIC_IRQ0, isr_pic);
	tsc_hz = tsc_calibrate();
	gprintf("apic: tsc %u kHz\n", (unsigned)(tsc_hz / 1000));
	check_cpuid_and_base();
	check_virtual_wire();
	apic_w(APIC_REG_SPIV, SPIV_ON);
	hz = timer_rate();
	check_timer_oneshot(hz);
	check_timer_periodic(hz);
	check_timer_deadline();
	check_tpr();
	check_eoi_order();
	check_base_disable_relocate();
	check_x2apic();
	check_ioapic_pit();
	check_ioapic_uart();
}
