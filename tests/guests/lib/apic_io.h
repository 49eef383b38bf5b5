/* The test guests' view of the APICs (paging off: guest-physical addresses are linear): the
 * local APIC's xAPIC page and x2APIC MSRs, the I/O APIC's index/window pair, IDT gates for
 * interrupt handlers, and a TSC calibrated against PIT channel 2. */
#ifndef GUEST_APIC_IO_H
#define GUEST_APIC_IO_H

#include <stdint.h>

#include "arch/apic.h"
#include "guest.h"
#include "lib/string.h"
#include "x86.h"

#define PIT_HZ		1193182u	/* the 8254's input clock on the PC */

static uint32_t apic_page = APIC_DEFAULT_BASE;

static inline uint32_t apic_r(unsigned reg)
{
	return *(volatile uint32_t *)(uintptr_t)(apic_page + reg);
}

static inline void apic_w(unsigned reg, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(apic_page + reg) = v;
}

static inline uint32_t ioapic_r(uint8_t reg)
{
	*(volatile uint32_t *)(uintptr_t)(IOAPIC_DEFAULT_BASE + IOAPIC_IOREGSEL) = reg;
	return *(volatile uint32_t *)(uintptr_t)(IOAPIC_DEFAULT_BASE + IOAPIC_IOWIN);
}

static inline void ioapic_w(uint8_t reg, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(IOAPIC_DEFAULT_BASE + IOAPIC_IOREGSEL) = reg;
	*(volatile uint32_t *)(uintptr_t)(IOAPIC_DEFAULT_BASE + IOAPIC_IOWIN) = v;
}

static inline uint32_t x2apic_msr(unsigned reg)
{
	return MSR_X2APIC_FIRST + (reg >> 4);
}

struct interrupt_frame;
typedef void (*isr_fn)(struct interrupt_frame *);

static uint64_t guest_idt[256] __attribute__((aligned(8)));

/* A copy of the runtime's IDT (vectors 0-31) so that gates can be added to it. */
static inline void idt_take_over(void)
{
	struct desc_ptr32 idtr;

	__asm__ volatile("sidt %0" : "=m"(idtr));
	memcpy(guest_idt, (const void *)(uintptr_t)idtr.base, idtr.limit + 1u);
	idtr.limit = sizeof(guest_idt) - 1;
	idtr.base = (uint32_t)(uintptr_t)guest_idt;
	lidt(&idtr);
}

/* 32-bit interrupt gate, present, DPL 0, selector 0x08 (SDM Vol. 3A 6.11). */
static inline void idt_gate(unsigned vector, isr_fn fn)
{
	uint32_t h = (uint32_t)(uintptr_t)fn;

	guest_idt[vector] = (h & 0xffff) | (0x08u << 16) |
			    ((uint64_t)((h & 0xffff0000u) | 0x8e00) << 32);
}

/* The TSC's rate by PIT channel 2 in mode 0 for 50 ms, as Linux's pit_calibrate_tsc(). */
static inline uint64_t tsc_calibrate(void)
{
	const uint32_t latch = PIT_HZ / 20;
	uint64_t t0, t1;
	unsigned polls = 0;

	outb(0x61, (inb(0x61) & ~0x02) | 0x01);
	outb(0x43, 0xb0);
	outb(0x42, latch & 0xff);
	outb(0x42, latch >> 8);
	t0 = rdtsc();
	while (!(inb(0x61) & 0x20) && polls < 100000000u)
		polls++;
	t1 = rdtsc();
	return (t1 - t0) * PIT_HZ / (latch + 1);
}

/* Both 8259As initialised (vectors 0x20 and 0x28), every input masked but mask. */
static inline void pic_setup(uint8_t master_mask)
{
	outb(0x20, 0x11);
	outb(0x21, 0x20);
	outb(0x21, 0x04);
	outb(0x21, 0x01);
	outb(0xa0, 0x11);
	outb(0xa1, 0x28);
	outb(0xa1, 0x02);
	outb(0xa1, 0x01);
	outb(0x21, master_mask);
	outb(0xa1, 0xff);
}

#endif
