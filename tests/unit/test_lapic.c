/*
 * Host unit tests of the local APIC model (guest/devices/lapic.c) and the I/O APIC
 * (guest/devices/ioapic.c) with a clock moved by hand: priorities and PPR (SDM Vol. 3A
 * 11.8.3.1), IRR/ISR/EOI ordering, TPR masking and CR8, the timer in one-shot, periodic and
 * TSC-deadline mode with the divide table, ESR, self-IPIs, APIC_BASE transitions, x2APIC, and
 * the I/O APIC's routing, masking and remote IRR (82093AA 3.2.4).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "guest/devices/ioapic.h"
#include "guest/devices/lapic.h"

#define BUS_HZ	100000000ULL		/* 100 MHz: 10 ns a tick */

static uint64_t now;

static uint64_t clock_now(void *c)
{
	(void)c;
	return now;
}

/* The test's TSC runs at 1 GHz from 0: TSC value = ns. */
static uint64_t clock_tsc(void *c, uint64_t tsc)
{
	(void)c;
	return tsc;
}

static struct lapic l;

static void mmio_w(unsigned reg, uint32_t v)
{
	lapic_mmio_write(&l, reg, 4, v);
}

static uint32_t mmio_r(unsigned reg)
{
	return (uint32_t)lapic_mmio_read(&l, reg, 4);
}

static void fresh(void)
{
	struct lapic_clock c = { clock_now, clock_tsc, NULL, BUS_HZ };

	now = 1000;
	lapic_init(&l, &c, 0, true, 36);
	mmio_w(APIC_REG_SPIV, APIC_SPIV_ENABLE | 0xff);
}

static void test_power_on(void **s)
{
	(void)s;
	fresh();
	lapic_init(&l, &l.clock, 0, true, 36);
	assert_int_equal(l.base, APIC_DEFAULT_BASE | APIC_BASE_EN | APIC_BASE_BSP);
	assert_int_equal(mmio_r(APIC_REG_SPIV), 0xff);
	assert_false(lapic_sw_enabled(&l));
	assert_int_equal(mmio_r(APIC_REG_LVT_TIMER), APIC_LVT_MASKED);
	assert_int_equal(mmio_r(APIC_REG_VERSION), 0x50014);
	assert_int_equal(mmio_r(APIC_REG_DFR), 0xffffffff);
	/* Software disabled: the 8259 goes straight to INTR. */
	assert_true(lapic_extint_open(&l));
	/* LVT mask bits stay set while software disabled (11.4.7.2). */
	mmio_w(APIC_REG_LVT_LINT0, APIC_DM_EXTINT << 8);
	assert_true(mmio_r(APIC_REG_LVT_LINT0) & APIC_LVT_MASKED);
}

/* 11.8.3.1 and 11.8.4: the highest class above PPR goes first; an ISR blocks its class and
 * below; EOI retires the highest ISR, nested priorities unwind in order. */
static void test_priority_and_eoi(void **s)
{
	(void)s;
	fresh();
	lapic_deliver(&l, APIC_DM_FIXED, 0x31, false);
	lapic_deliver(&l, APIC_DM_FIXED, 0x52, false);
	lapic_deliver(&l, APIC_DM_FIXED, 0x55, false);
	assert_int_equal(lapic_acknowledge(&l), 0x55);
	assert_int_equal(lapic_ppr(&l), 0x50);
	assert_int_equal(lapic_pending(&l), -1);		/* 0x52 is in the same class */
	lapic_deliver(&l, APIC_DM_FIXED, 0x61, false);
	assert_int_equal(lapic_acknowledge(&l), 0x61);		/* nests above 0x55 */
	mmio_w(APIC_REG_EOI, 0);
	assert_int_equal(lapic_highest(l.isr), 0x55);
	mmio_w(APIC_REG_EOI, 0);
	assert_int_equal(lapic_acknowledge(&l), 0x52);
	mmio_w(APIC_REG_EOI, 0);
	assert_int_equal(lapic_acknowledge(&l), 0x31);
	mmio_w(APIC_REG_EOI, 0);
	assert_int_equal(lapic_highest(l.isr), -1);
	assert_int_equal(mmio_r(APIC_REG_IRR + 0x10), 0);
	/* IRR and ISR read as the 8 registers of 11.8.4. */
	lapic_deliver(&l, APIC_DM_FIXED, 0x41, false);
	assert_int_equal(mmio_r(APIC_REG_IRR + 0x20), 1u << 1);
}

/* TPR masks classes at or below it; PPR[3:0] follows the TPR's when its class wins; CR8 is
 * TPR[7:4]. */
static void test_tpr(void **s)
{
	(void)s;
	fresh();
	mmio_w(APIC_REG_TPR, 0x47);
	assert_int_equal(lapic_ppr(&l), 0x47);
	assert_int_equal(lapic_cr8(&l), 4);
	lapic_deliver(&l, APIC_DM_FIXED, 0x45, false);
	assert_int_equal(lapic_pending(&l), -1);
	lapic_set_cr8(&l, 3);
	assert_int_equal(mmio_r(APIC_REG_TPR), 0x30);
	assert_int_equal(lapic_pending(&l), 0x45);
	assert_int_equal(lapic_acknowledge(&l), 0x45);
	assert_int_equal(lapic_ppr(&l), 0x40);			/* ISR class wins, low bits 0 */
}

static void test_divide_table(void **s)
{
	static const struct { uint32_t cfg; unsigned div; } t[] = {
		{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
		{ 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
	};

	(void)s;
	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(lapic_divisor(t[i].cfg), t[i].div);
	fresh();
	mmio_w(APIC_REG_TIMER_DIV, 0xff);
	assert_int_equal(mmio_r(APIC_REG_TIMER_DIV), 0xb);	/* only bits 0, 1 and 3 */
}

/* One-shot: counts down at bus / divisor, fires once, reads 0 after. */
static void test_timer_oneshot(void **s)
{
	(void)s;
	fresh();
	mmio_w(APIC_REG_TIMER_DIV, 0x0);			/* /2: 20 ns a count */
	mmio_w(APIC_REG_LVT_TIMER, 0x40);
	mmio_w(APIC_REG_TIMER_INIT, 1000);			/* 20 us */
	assert_int_equal(lapic_next_timer(&l), 1000 + 20000);
	now += 10000;
	assert_int_equal(mmio_r(APIC_REG_TIMER_CUR), 500);
	lapic_update(&l, now);
	assert_int_equal(lapic_pending(&l), -1);
	now += 10000;
	lapic_update(&l, now);
	assert_int_equal(lapic_pending(&l), 0x40);
	assert_int_equal(mmio_r(APIC_REG_TIMER_CUR), 0);
	assert_int_equal(lapic_next_timer(&l), LAPIC_NEVER);
	/* A masked timer counts but raises nothing. */
	lapic_acknowledge(&l);
	mmio_w(APIC_REG_EOI, 0);
	mmio_w(APIC_REG_LVT_TIMER, 0x40 | APIC_LVT_MASKED);
	mmio_w(APIC_REG_TIMER_INIT, 10);
	now += 1000;
	lapic_update(&l, now);
	assert_int_equal(lapic_pending(&l), -1);
}

/* Periodic: reloads; periods that passed unseen coalesce into one IRR bit; a new divisor
 * keeps the count made. */
static void test_timer_periodic(void **s)
{
	(void)s;
	fresh();
	mmio_w(APIC_REG_TIMER_DIV, 0xb);			/* /1: 10 ns a count */
	mmio_w(APIC_REG_LVT_TIMER, (APIC_TIMER_PERIODIC << 17) | 0x40);
	mmio_w(APIC_REG_TIMER_INIT, 100);			/* 1 us period */
	for (int i = 1; i <= 3; i++) {
		now = 1000 + i * 1000;
		lapic_update(&l, now);
		assert_int_equal(lapic_acknowledge(&l), 0x40);
		mmio_w(APIC_REG_EOI, 0);
	}
	assert_int_equal(l.stats.timer_fires, 3);
	now += 10500;						/* ten periods and a half */
	lapic_update(&l, now);
	assert_int_equal(l.stats.timer_coalesced, 9);
	assert_int_equal(l.timer_next, 1000 + 14000);
	assert_int_equal(lapic_next_timer(&l), LAPIC_NEVER);	/* its vector waits in IRR */
	assert_int_equal(lapic_acknowledge(&l), 0x40);
	assert_int_equal(lapic_next_timer(&l), 1000 + 14000);
	assert_int_equal(mmio_r(APIC_REG_TIMER_CUR), 50);
	mmio_w(APIC_REG_TIMER_DIV, 0x0);			/* /2 from here: 50 counts = 1 us */
	assert_int_equal(mmio_r(APIC_REG_TIMER_CUR), 50);
	assert_int_equal(lapic_next_timer(&l), now + 1000);
	mmio_w(APIC_REG_LVT_TIMER, APIC_LVT_MASKED | (APIC_TIMER_PERIODIC << 17) | 0x40);
	assert_int_equal(lapic_next_timer(&l), LAPIC_NEVER);	/* masked: nothing to raise */
}

/* TSC deadline (11.5.4.1): fires at the deadline, the MSR then reads 0; the count registers
 * are unused; a switch of mode disarms. */
static void test_timer_tsc_deadline(void **s)
{
	(void)s;
	fresh();
	assert_true(lapic_msr_write(&l, MSR_IA32_TSC_DEADLINE, true, true, 5000));
	assert_int_equal(l.tsc_deadline, 0);			/* ignored outside the mode */
	mmio_w(APIC_REG_LVT_TIMER, (APIC_TIMER_TSC_DEADLINE << 17) | 0x40);
	mmio_w(APIC_REG_TIMER_INIT, 10);			/* ignored in the mode */
	assert_int_equal(mmio_r(APIC_REG_TIMER_INIT), 0);
	assert_true(lapic_msr_write(&l, MSR_IA32_TSC_DEADLINE, true, true, 5000));
	assert_int_equal(lapic_next_timer(&l), 5000);
	now = 4999;
	lapic_update(&l, now);
	assert_int_equal(lapic_pending(&l), -1);
	now = 5000;
	lapic_update(&l, now);
	assert_int_equal(lapic_pending(&l), 0x40);
	uint64_t v = 1;
	assert_true(lapic_msr_read(&l, MSR_IA32_TSC_DEADLINE, true, true, &v));
	assert_int_equal(v, 0);
	assert_true(lapic_msr_write(&l, MSR_IA32_TSC_DEADLINE, true, true, 9000));
	mmio_w(APIC_REG_LVT_TIMER, 0x40);			/* back to one-shot: disarmed */
	assert_int_equal(lapic_next_timer(&l), LAPIC_NEVER);
	assert_false(lapic_msr_write(&l, MSR_IA32_TSC_DEADLINE, true, false, 1));
}

/* ESR: illegal vectors (11.5.3) latch on the next ESR write; the error LVT fires. */
static void test_esr(void **s)
{
	(void)s;
	fresh();
	mmio_w(APIC_REG_LVT_ERROR, 0xfe);
	mmio_w(APIC_REG_ICR_LO, (APIC_SHORTHAND_SELF << 18) | 0x05);	/* illegal vector */
	lapic_deliver(&l, APIC_DM_FIXED, 0x03, false);
	assert_int_equal(mmio_r(APIC_REG_ESR), 0);		/* not latched yet */
	mmio_w(APIC_REG_ESR, 0);
	assert_int_equal(mmio_r(APIC_REG_ESR),
			 APIC_ESR_SEND_ILLEGAL_VECTOR | APIC_ESR_RECV_ILLEGAL_VECTOR);
	assert_int_equal(lapic_pending(&l), 0xfe);
	mmio_w(APIC_REG_ESR, 0);
	assert_int_equal(mmio_r(APIC_REG_ESR), 0);
	/* Read-only registers keep their value. */
	mmio_w(APIC_REG_VERSION, 0);
	mmio_w(APIC_REG_PPR, 0xff);
	assert_int_equal(mmio_r(APIC_REG_VERSION), 0x50014);
	assert_int_equal(mmio_r(APIC_REG_PPR), 0);
	/* A narrow or misaligned write is dropped. */
	lapic_mmio_write(&l, APIC_REG_TPR, 1, 0x20);
	lapic_mmio_write(&l, APIC_REG_TPR + 1, 4, 0x20);
	assert_int_equal(mmio_r(APIC_REG_TPR), 0);
}

/* ICR: self-IPIs by shorthand and by destination, NMI, INIT/SIPI counted. */
static void test_icr(void **s)
{
	(void)s;
	fresh();
	mmio_w(APIC_REG_ICR_LO, (APIC_SHORTHAND_SELF << 18) | 0x80);
	assert_int_equal(lapic_pending(&l), 0x80);
	mmio_w(APIC_REG_ICR_HI, 0u << 24);			/* physical destination 0: us */
	mmio_w(APIC_REG_ICR_LO, 0x90);
	assert_int_equal(lapic_pending(&l), 0x90);
	mmio_w(APIC_REG_ICR_HI, 5u << 24);			/* another APIC: nobody */
	mmio_w(APIC_REG_ICR_LO, 0xa0);
	assert_int_equal(lapic_pending(&l), 0x90);
	mmio_w(APIC_REG_ICR_LO, (APIC_SHORTHAND_OTHERS << 18) | 0xa0);
	assert_int_equal(lapic_pending(&l), 0x90);
	mmio_w(APIC_REG_ICR_LO, (APIC_SHORTHAND_SELF << 18) | (APIC_DM_NMI << 8));
	assert_true(lapic_take_nmi(&l));
	mmio_w(APIC_REG_ICR_LO, (APIC_SHORTHAND_OTHERS << 18) | (APIC_DM_INIT << 8) |
				APIC_ICR_LEVEL_ASSERT);
	mmio_w(APIC_REG_ICR_LO, (APIC_SHORTHAND_OTHERS << 18) | (APIC_DM_STARTUP << 8) | 0x10);
	assert_int_equal(l.stats.init_ipis, 1);
	assert_int_equal(l.stats.startup_ipis, 1);
	/* Logical flat: LDR bit 0 set, destination bit 0. */
	mmio_w(APIC_REG_LDR, 1u << 24);
	assert_true(lapic_match_dest(&l, 0x01, true));
	assert_false(lapic_match_dest(&l, 0x02, true));
	assert_true(lapic_match_dest(&l, 0xff, false));
}

/* IA32_APIC_BASE transitions (11.4.3, 11.12.5) and the x2APIC registers. */
static void test_apic_base_and_x2apic(void **s)
{
	uint64_t v;

	(void)s;
	fresh();
	mmio_w(APIC_REG_TPR, 0x20);
	/* Relocation. */
	assert_true(lapic_msr_write(&l, MSR_IA32_APIC_BASE, true, true,
				    0xfe000000 | APIC_BASE_EN));
	assert_int_equal(lapic_mmio_base(&l), 0xfe000000);
	assert_true(l.base & APIC_BASE_BSP);			/* read-only */
	/* Reserved bits, disabled to x2APIC, EXTD without EN: #GP. */
	assert_false(lapic_msr_write(&l, MSR_IA32_APIC_BASE, true, true, APIC_DEFAULT_BASE | 1));
	assert_false(lapic_msr_write(&l, MSR_IA32_APIC_BASE, true, true,
				     APIC_DEFAULT_BASE | APIC_BASE_EXTD));
	/* Global disable: as no APIC, the registers back at power-on; then re-enable. */
	assert_true(lapic_msr_write(&l, MSR_IA32_APIC_BASE, true, true, APIC_DEFAULT_BASE));
	assert_false(lapic_enabled(&l));
	assert_true(lapic_extint_open(&l));
	assert_int_equal(lapic_mmio_read(&l, APIC_REG_VERSION, 4), ~0ULL);
	lapic_deliver(&l, APIC_DM_FIXED, 0x40, false);
	assert_int_equal(lapic_pending(&l), -1);
	assert_false(lapic_msr_write(&l, MSR_IA32_APIC_BASE, true, true,
				     APIC_DEFAULT_BASE | APIC_BASE_EN | APIC_BASE_EXTD));
	assert_true(lapic_msr_write(&l, MSR_IA32_APIC_BASE, true, true,
				    APIC_DEFAULT_BASE | APIC_BASE_EN));
	assert_int_equal(mmio_r(APIC_REG_TPR), 0);
	assert_int_equal(mmio_r(APIC_REG_SPIV), 0xff);
	/* x2APIC: MMIO gone, MSRs there; LDR derived, ID read-only, SELF IPI, EOI must be 0. */
	assert_false(lapic_msr_read(&l, MSR_X2APIC_FIRST + 2, true, true, &v));
	assert_true(lapic_msr_write(&l, MSR_IA32_APIC_BASE, true, true,
				    APIC_DEFAULT_BASE | APIC_BASE_EN | APIC_BASE_EXTD));
	assert_int_equal(lapic_mmio_read(&l, APIC_REG_VERSION, 4), ~0ULL);
	assert_true(lapic_msr_read(&l, MSR_X2APIC_FIRST + (APIC_REG_LDR >> 4), true, true, &v));
	assert_int_equal(v, 1);
	assert_false(lapic_msr_write(&l, MSR_X2APIC_FIRST + (APIC_REG_ID >> 4), true, true, 3));
	assert_true(lapic_msr_write(&l, MSR_X2APIC_FIRST + (APIC_REG_SPIV >> 4), true, true,
				    0x1ff));
	assert_false(lapic_msr_write(&l, MSR_X2APIC_FIRST + (APIC_REG_TPR >> 4), true, true,
				     0x100));			/* reserved bit */
	assert_true(lapic_msr_write(&l, MSR_X2APIC_FIRST + (APIC_REG_SELF_IPI >> 4), true, true,
				    0x66));
	assert_int_equal(lapic_acknowledge(&l), 0x66);
	assert_false(lapic_msr_write(&l, MSR_X2APIC_FIRST + (APIC_REG_EOI >> 4), true, true, 1));
	assert_true(lapic_msr_write(&l, MSR_X2APIC_FIRST + (APIC_REG_EOI >> 4), true, true, 0));
	assert_int_equal(lapic_highest(l.isr), -1);
	assert_true(lapic_msr_write(&l, MSR_X2APIC_FIRST + (APIC_REG_ICR_LO >> 4), true, true,
				    0x71));			/* 64-bit ICR, destination 0 */
	assert_int_equal(lapic_pending(&l), 0x71);
	assert_false(lapic_msr_read(&l, MSR_X2APIC_FIRST + (APIC_REG_DFR >> 4), true, true, &v));
	/* x2APIC to xAPIC directly is #GP; through disabled it works. */
	assert_false(lapic_msr_write(&l, MSR_IA32_APIC_BASE, true, true,
				     APIC_DEFAULT_BASE | APIC_BASE_EN));
	assert_true(lapic_msr_write(&l, MSR_IA32_APIC_BASE, true, true, APIC_DEFAULT_BASE));
	assert_true(lapic_msr_write(&l, MSR_IA32_APIC_BASE, true, true,
				    APIC_DEFAULT_BASE | APIC_BASE_EN));
	/* Without the CPUID feature EXTD is reserved. */
	assert_false(lapic_msr_write(&l, MSR_IA32_APIC_BASE, false, true,
				     APIC_DEFAULT_BASE | APIC_BASE_EN | APIC_BASE_EXTD));
}

/* ---- I/O APIC ---- */

static struct ioapic io;
static struct ioapic_msg sent[8];
static unsigned nsent;
static bool accept = true;

static bool io_send(void *c, const struct ioapic_msg *m)
{
	(void)c;
	assert_true(nsent < 8);
	sent[nsent++] = *m;
	return accept;
}

static void io_w(uint8_t reg, uint32_t v)
{
	ioapic_mmio_write(&io, IOAPIC_IOREGSEL, 4, reg);
	ioapic_mmio_write(&io, IOAPIC_IOWIN, 4, v);
}

static uint32_t io_r(uint8_t reg)
{
	ioapic_mmio_write(&io, IOAPIC_IOREGSEL, 4, reg);
	return (uint32_t)ioapic_mmio_read(&io, IOAPIC_IOWIN, 4);
}

static void io_fresh(void)
{
	ioapic_init(&io, io_send, NULL);
	nsent = 0;
	accept = true;
}

static void test_ioapic_registers(void **s)
{
	(void)s;
	io_fresh();
	assert_int_equal(io_r(IOAPIC_REG_VERSION), 0x170011);
	io_w(IOAPIC_REG_ID, 0x0f000000 | 0xff);
	assert_int_equal(io_r(IOAPIC_REG_ID), 0x0f000000);
	assert_int_equal(io_r(IOAPIC_REG_ARB), 0x0f000000);
	io_w(IOAPIC_REG_VERSION, 0);
	assert_int_equal(io_r(IOAPIC_REG_VERSION), 0x170011);
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++)
		assert_int_equal(io_r(IOAPIC_REG_REDIR + 2 * pin), IOAPIC_REDIR_MASKED);
	io_w(IOAPIC_REG_REDIR + 2 * 5, 0xffffffff);		/* RO and reserved bits stay 0 */
	assert_int_equal(io_r(IOAPIC_REG_REDIR + 2 * 5), 0x1afff);
	io_w(IOAPIC_REG_REDIR + 2 * 5 + 1, 0xab000000);
	assert_int_equal(io_r(IOAPIC_REG_REDIR + 2 * 5 + 1), 0xab000000);
}

/* Edge: one message per rising edge, none while masked (lost). */
static void test_ioapic_edge(void **s)
{
	(void)s;
	io_fresh();
	ioapic_set_line(&io, 2, true);				/* masked: lost */
	ioapic_set_line(&io, 2, false);
	assert_int_equal(nsent, 0);
	io_w(IOAPIC_REG_REDIR + 4, 0x30);			/* pin 2: vector 0x30, edge, fixed */
	io_w(IOAPIC_REG_REDIR + 5, 0);
	ioapic_set_line(&io, 2, true);
	ioapic_set_line(&io, 2, true);				/* no new edge */
	ioapic_set_line(&io, 2, false);
	assert_int_equal(nsent, 1);
	assert_int_equal(sent[0].vector, 0x30);
	assert_false(sent[0].level);
	assert_false(io_r(IOAPIC_REG_REDIR + 4) & IOAPIC_REDIR_REMOTE_IRR);
	/* Active low: the edge is the line's fall. */
	io_w(IOAPIC_REG_REDIR + 4, 0x30 | IOAPIC_REDIR_POLARITY);
	nsent = 0;
	ioapic_set_line(&io, 2, true);
	ioapic_set_line(&io, 2, false);
	assert_int_equal(nsent, 1);
}

/* Level: remote IRR set on delivery, cleared by the EOI of its vector; a line still high
 * sends again; a message nobody accepts leaves remote IRR clear. */
static void test_ioapic_level(void **s)
{
	(void)s;
	io_fresh();
	io_w(IOAPIC_REG_REDIR + 8, 0x41 | IOAPIC_REDIR_LEVEL | IOAPIC_REDIR_DEST_LOGICAL);
	io_w(IOAPIC_REG_REDIR + 9, 0x01000000);
	ioapic_set_line(&io, 4, true);
	assert_int_equal(nsent, 1);
	assert_true(sent[0].level && sent[0].logical);
	assert_int_equal(sent[0].dest, 1);
	assert_true(io_r(IOAPIC_REG_REDIR + 8) & IOAPIC_REDIR_REMOTE_IRR);
	ioapic_set_line(&io, 4, true);				/* still high: waits for EOI */
	assert_int_equal(nsent, 1);
	ioapic_eoi(&io, 0x42);					/* another vector */
	assert_int_equal(nsent, 1);
	ioapic_eoi(&io, 0x41);
	assert_int_equal(nsent, 2);				/* still high: again */
	ioapic_set_line(&io, 4, false);
	ioapic_eoi(&io, 0x41);
	assert_false(io_r(IOAPIC_REG_REDIR + 8) & IOAPIC_REDIR_REMOTE_IRR);
	assert_int_equal(nsent, 2);
	/* Masked while high, then unmasked: sent. */
	io_w(IOAPIC_REG_REDIR + 8, 0x41 | IOAPIC_REDIR_LEVEL | IOAPIC_REDIR_MASKED);
	ioapic_set_line(&io, 4, true);
	assert_int_equal(nsent, 2);
	io_w(IOAPIC_REG_REDIR + 8, 0x41 | IOAPIC_REDIR_LEVEL);
	assert_int_equal(nsent, 3);
	ioapic_set_line(&io, 4, false);
	ioapic_eoi(&io, 0x41);
	accept = false;
	ioapic_set_line(&io, 4, true);
	assert_false(io_r(IOAPIC_REG_REDIR + 8) & IOAPIC_REDIR_REMOTE_IRR);
}

/* The pair together: a level message into the LAPIC, its EOI back to the I/O APIC. */
static bool to_lapic(void *c, const struct ioapic_msg *m)
{
	(void)c;
	if (!lapic_match_dest(&l, m->dest, m->logical))
		return false;
	lapic_deliver(&l, m->delivery, m->vector, m->level);
	return true;
}

static void eoi_to_io(void *c, uint8_t v)
{
	(void)c;
	ioapic_eoi(&io, v);
}

static void test_ioapic_to_lapic(void **s)
{
	(void)s;
	fresh();
	ioapic_init(&io, to_lapic, NULL);
	lapic_set_eoi_callback(&l, eoi_to_io, NULL);
	io_w(IOAPIC_REG_REDIR + 2, 0x51 | IOAPIC_REDIR_LEVEL);	/* pin 1, physical dest 0 */
	ioapic_set_line(&io, 1, true);
	assert_int_equal(mmio_r(APIC_REG_TMR + 0x20), 1u << 17);
	assert_int_equal(lapic_acknowledge(&l), 0x51);
	ioapic_set_line(&io, 1, false);
	assert_true(io_r(IOAPIC_REG_REDIR + 2) & IOAPIC_REDIR_REMOTE_IRR);
	mmio_w(APIC_REG_EOI, 0);
	assert_false(io_r(IOAPIC_REG_REDIR + 2) & IOAPIC_REDIR_REMOTE_IRR);
	/* Physical destination 3 is not this APIC. */
	io_w(IOAPIC_REG_REDIR + 3, 3u << 24);
	io_w(IOAPIC_REG_REDIR + 2, 0x52);
	ioapic_set_line(&io, 1, true);
	assert_int_equal(lapic_pending(&l), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_power_on),
		cmocka_unit_test(test_priority_and_eoi),
		cmocka_unit_test(test_tpr),
		cmocka_unit_test(test_divide_table),
		cmocka_unit_test(test_timer_oneshot),
		cmocka_unit_test(test_timer_periodic),
		cmocka_unit_test(test_timer_tsc_deadline),
		cmocka_unit_test(test_esr),
		cmocka_unit_test(test_icr),
		cmocka_unit_test(test_apic_base_and_x2apic),
		cmocka_unit_test(test_ioapic_registers),
		cmocka_unit_test(test_ioapic_edge),
		cmocka_unit_test(test_ioapic_level),
		cmocka_unit_test(test_ioapic_to_lapic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
