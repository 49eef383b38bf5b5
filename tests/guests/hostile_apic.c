/*
 * hostile_apic: the local APIC misused. An MMIO access by an instruction Umbra does not
 * emulate gets #GP(0) (Umbra's documented policy); writes to read-only registers and reserved
 * bits change nothing; an illegal vector sets the ESR bit SDM Vol. 3A 11.5.3 names; reserved
 * IA32_APIC_BASE and x2APIC bits raise #GP(0); and an APIC timer with an initial count of 1
 * (an interrupt storm) leaves Umbra's console answering: the harness opens the monitor while
 * the storm runs, then types a key that ends it.
 */
#include "apic_io.h"
#include "arch/uart16550.h"

#define V_STORM		0x40
#define V_ERROR		0xfe

static volatile unsigned storm_hits, error_hits;
static volatile bool storm_stopped;

/* The storm's handler: EOI, and a key on COM1 ends the storm. */
__attribute__((interrupt)) static void isr_storm(struct interrupt_frame *f)
{
	(void)f;
	storm_hits++;
	if (inb(COM1_BASE + UART_LSR) & UART_LSR_DR) {
		(void)inb(COM1_BASE + UART_RBR);
		apic_w(APIC_REG_LVT_TIMER, APIC_LVT_MASKED | V_STORM);
		apic_w(APIC_REG_TIMER_INIT, 0);
		storm_stopped = true;
	}
	apic_w(APIC_REG_EOI, 0);
}

__attribute__((interrupt)) static void isr_error(struct interrupt_frame *f)
{
	(void)f;
	error_hits++;
	apic_w(APIC_REG_EOI, 0);
}

static void test_apic_version(void *arg)
{
	(void)arg;
	/* test [FEE00030H], eax: a read Umbra's emulator does not perform. */
	__asm__ volatile("testl %%eax, (%0)" : : "r"(APIC_DEFAULT_BASE + APIC_REG_VERSION)
			 : "memory", "cc");
}

static void sse_like(void *arg)
{
	(void)arg;
	/* cmp eax, [FEE00020H] */
	__asm__ volatile("cmpl (%0), %%eax" : : "r"(APIC_DEFAULT_BASE + APIC_REG_ID), "a"(0)
			 : "memory", "cc");
}

static void check_unsupported_insn(void)
{
	CHECK_FAULT(try_call(test_apic_version, NULL), EXC_GP, 0,
		    "TEST on an APIC register: #GP(0) (not emulated)");
	CHECK_FAULT(try_call(sse_like, NULL), EXC_GP, 0,
		    "CMP with an APIC register: #GP(0) (not emulated)");
	CHECK_EQ(apic_r(APIC_REG_VERSION) & 0xff, APIC_VERSION_INTEGRATED,
		 "the APIC still answers plain MOVs");
}

static void check_read_only_and_reserved(void)
{
	uint32_t ver = apic_r(APIC_REG_VERSION);
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	apic_w(APIC_REG_VERSION, 0);
	apic_w(APIC_REG_PPR, 0xff);
	apic_w(APIC_REG_ISR, 0xffffffff);
	apic_w(APIC_REG_IRR + 0x70, 0xffffffff);
	apic_w(APIC_REG_TIMER_CUR, 1234);
	CHECK_EQ(apic_r(APIC_REG_VERSION), ver, "a write to the version register is ignored");
	CHECK_EQ(apic_r(APIC_REG_PPR), 0, "a write to PPR is ignored");
	CHECK_EQ(apic_r(APIC_REG_ISR), 0, "a write to ISR is ignored");
	CHECK_EQ(apic_r(APIC_REG_IRR + 0x70), 0, "a write to IRR is ignored");
	CHECK_EQ(apic_r(APIC_REG_TIMER_CUR), 0, "a write to the current count is ignored");
	apic_w(APIC_REG_LVT_LINT0, 0xffffffff);
	CHECK_EQ(apic_r(APIC_REG_LVT_LINT0), 0x1a7ff,
		 "LVT LINT0 keeps its defined bits only (0x%x)", apic_r(APIC_REG_LVT_LINT0));
	apic_w(APIC_REG_LVT_LINT0, APIC_LVT_MASKED);
	apic_w(APIC_REG_TPR, 0xffffff30);
	CHECK_EQ(apic_r(APIC_REG_TPR), 0x30, "TPR keeps bits 7:0");
	apic_w(APIC_REG_TPR, 0);
	/* Narrow writes are not APIC writes: dropped. */
	*(volatile uint8_t *)(uintptr_t)(APIC_DEFAULT_BASE + APIC_REG_TPR) = 0x40;
	CHECK_EQ(apic_r(APIC_REG_TPR), 0, "a byte write to TPR is dropped");
	CHECK_FAULT(wrmsr_safe(MSR_IA32_APIC_BASE, base | 1), EXC_GP, 0,
		    "IA32_APIC_BASE bit 0 is reserved: #GP(0)");
	CHECK_FAULT(wrmsr_safe(MSR_IA32_APIC_BASE, base | (1ull << 63)), EXC_GP, 0,
		    "IA32_APIC_BASE above MAXPHYADDR is reserved: #GP(0)");
	CHECK_FAULT(wrmsr_safe(MSR_IA32_APIC_BASE, (base & ~(uint64_t)APIC_BASE_EN) |
			       APIC_BASE_EXTD), EXC_GP, 0, "EXTD without EN: #GP(0)");
	wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EXTD);
	CHECK_FAULT(wrmsr_safe(x2apic_msr(APIC_REG_TPR), 0x100), EXC_GP, 0,
		    "x2APIC TPR bit 8 is reserved: #GP(0)");
	CHECK_FAULT(wrmsr_safe(x2apic_msr(APIC_REG_VERSION), 0), EXC_GP, 0,
		    "x2APIC version is read-only: #GP(0)");
	CHECK_FAULT(wrmsr_safe(x2apic_msr(APIC_REG_PPR), 0), EXC_GP, 0,
		    "x2APIC PPR is read-only: #GP(0)");
	wrmsr(MSR_IA32_APIC_BASE, base & ~(uint64_t)APIC_BASE_EN);
	wrmsr(MSR_IA32_APIC_BASE, base);
	apic_w(APIC_REG_SPIV, APIC_SPIV_ENABLE | 0xff);
}

/* An IPI with vector 3 is illegal: ESR bit 5 after the next ESR write, and the error LVT's
 * interrupt (SDM Vol. 3A 11.5.3). */
static void check_esr(void)
{
	uint32_t esr;

	apic_w(APIC_REG_LVT_ERROR, V_ERROR);
	apic_w(APIC_REG_ESR, 0);
	apic_w(APIC_REG_ICR_LO, (APIC_SHORTHAND_SELF << APIC_ICR_SHORTHAND_SHIFT) | 0x03);
	__asm__ volatile("sti; nop; nop; cli");
	apic_w(APIC_REG_ESR, 0);
	esr = apic_r(APIC_REG_ESR);
	CHECK_EQ(esr, APIC_ESR_SEND_ILLEGAL_VECTOR, "illegal IPI vector: ESR bit 5 (0x%x)", esr);
	CHECK_EQ(error_hits, 1, "the error LVT raised its interrupt");
	CHECK_EQ(apic_r(APIC_REG_IRR), 0, "vector 3 was not accepted");
	apic_w(APIC_REG_ESR, 0);
	CHECK_EQ(apic_r(APIC_REG_ESR), 0, "the next ESR write clears it");
}

/* Initial count 1, divide by 1, periodic: as many interrupts as Umbra can give. */
static void storm(void)
{
	uint64_t start = rdtsc();

	apic_w(APIC_REG_TIMER_DIV, 0xb);
	apic_w(APIC_REG_LVT_TIMER, (APIC_TIMER_PERIODIC << APIC_LVT_TIMER_MODE_SHIFT) | V_STORM);
	apic_w(APIC_REG_TIMER_INIT, 1);
	gprintf("hostile: apic timer storm running\n");
	/* The storm ends when the harness types a key (or after a bounded time, so a broken
	 * harness cannot hang the run). */
	while (!storm_stopped && rdtsc() - start < 300ull * 1000 * 1000 * 1000)
		__asm__ volatile("sti; nop; cli");
	if (!storm_stopped) {
		apic_w(APIC_REG_LVT_TIMER, APIC_LVT_MASKED | V_STORM);
		apic_w(APIC_REG_TIMER_INIT, 0);
	}
	gprintf("hostile: apic timer storm: %u interrupts\n", storm_hits);
	CHECK(storm_stopped, "the storm ended by a key typed during it: the console answered");
	CHECK(storm_hits > 10, "the storm delivered interrupts (%u)", storm_hits);
}

void guest_main(void)
{
	idt_take_over();
	idt_gate(V_STORM, isr_storm);
	idt_gate(V_ERROR, isr_error);
	apic_w(APIC_REG_SPIV, APIC_SPIV_ENABLE | 0xff);
	check_unsupported_insn();
	check_read_only_and_reserved();
	check_esr();
	storm();
	guest_finish_after_console_check();
}
