/*
 * The vCPU's local APIC (Intel SDM Vol. 3A chapter 11): xAPIC registers in a 4 KiB MMIO page at
 * IA32_APIC_BASE, the same registers as x2APIC MSRs 800H-8FFH, the IRR/ISR/TMR and the priority
 * rules of 11.8, the LVT (timer, thermal, perf, LINT0, LINT1, error), the timer in one-shot,
 * periodic and TSC-deadline mode, ESR, and the ICR for interrupts to this vCPU.
 *
 * Pure: time comes from struct lapic_clock, interrupts leave through the return values of
 * lapic_pending()/lapic_acknowledge() and the EOI callback, so the host unit tests drive it with
 * a clock they move by hand (tests/unit/test_lapic.c). One struct lapic per vCPU.
 */
#ifndef UMBRA_GUEST_DEVICES_LAPIC_H
#define UMBRA_GUEST_DEVICES_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/apic.h"

#define LAPIC_NEVER	UINT64_MAX

/* Indices of the LVT entries Umbra's APIC has (version register: max LVT entry 5). */
enum lapic_lvt {
	LAPIC_LVT_TIMER,
	LAPIC_LVT_THERMAL,
	LAPIC_LVT_PERF,
	LAPIC_LVT_LINT0,
	LAPIC_LVT_LINT1,
	LAPIC_LVT_ERROR,
	LAPIC_LVT_COUNT,
};

/* The time the APIC reads. */
struct lapic_clock {
	uint64_t (*now_ns)(void *ctx);			/* guest ns since power-on */
	uint64_t (*tsc_to_ns)(void *ctx, uint64_t tsc);	/* the guest ns at guest TSC value tsc */
	void *ctx;
	uint64_t bus_hz;	/* the timer's input clock before the divider (CPUID 15H's crystal) */
};

/* A level-triggered vector was EOIed (SDM 11.8.5: the EOI goes to the I/O APICs). */
typedef void (*lapic_eoi_fn)(void *ctx, uint8_t vector);

struct lapic_stats {
	uint64_t accepted;		/* fixed interrupts set in IRR */
	uint64_t coalesced;		/* ... that found their IRR bit already set */
	uint64_t timer_fires;
	uint64_t timer_coalesced;	/* periods that ended before the last one was raised */
	uint64_t illegal_vectors;	/* ESR send/receive illegal vector */
	uint64_t bad_accesses;		/* MMIO writes not 32 bits at a register, illegal registers */
	uint64_t init_ipis, startup_ipis, smi_ipis;	/* reported, not acted on */
	uint64_t nmis;
};

struct lapic {
	struct lapic_clock clock;
	uint8_t maxphyaddr;
	uint64_t base;			/* IA32_APIC_BASE */
	uint32_t id;			/* the x2APIC ID; the xAPIC ID is its low 8 bits */
	uint32_t tpr, ldr, dfr, spiv;
	uint32_t esr, esr_pending;	/* ESR as read, and errors since its last write */
	uint32_t icr_lo, icr_hi;
	uint32_t lvt[LAPIC_LVT_COUNT];
	uint32_t irr[8], isr[8], tmr[8];	/* bit v % 32 of word v / 32 is vector v */
	uint32_t timer_init, timer_div;
	uint64_t timer_start;		/* ns: when the count last started from timer_init */
	uint64_t timer_next;		/* ns of the next expiry, LAPIC_NEVER */
	uint64_t tsc_deadline;		/* IA32_TSC_DEADLINE; 0 when disarmed */
	bool nmi_pending;
	lapic_eoi_fn eoi;
	void *eoi_ctx;
	struct lapic_stats stats;
};

/* Power-on: IA32_APIC_BASE = FEE00000H with EN (and BSP), xAPIC mode, every LVT masked, SPIV
 * FFH (software disabled), as SDM 11.4.7.1 says. */
void lapic_init(struct lapic *l, const struct lapic_clock *clock, uint32_t id, bool bsp,
		uint8_t maxphyaddr);
void lapic_set_eoi_callback(struct lapic *l, lapic_eoi_fn fn, void *ctx);

/* IA32_APIC_BASE[11]. */
bool lapic_enabled(const struct lapic *l);
/* x2APIC mode (EN and EXTD). */
bool lapic_x2apic(const struct lapic *l);
/* SPIV[8] (and the global enable). */
bool lapic_sw_enabled(const struct lapic *l);
/* The guest-physical base of the xAPIC page. */
uint64_t lapic_mmio_base(const struct lapic *l);
/* The priorities of 11.8.3.1. */
uint8_t lapic_ppr(const struct lapic *l);

/* xAPIC MMIO at offset (0-FFFH) of the page, size 1, 2, 4 or 8 bytes. Outside xAPIC mode the
 * page is not the APIC's: reads see all-ones, writes are dropped. */
uint64_t lapic_mmio_read(struct lapic *l, uint64_t offset, unsigned size);
void lapic_mmio_write(struct lapic *l, uint64_t offset, unsigned size, uint64_t value);

/* IA32_APIC_BASE, IA32_TSC_DEADLINE and the x2APIC MSRs; false is #GP(0). x2apic_ok and
 * deadline_ok say whether the guest's CPUID shows those features. */
bool lapic_msr_read(struct lapic *l, uint32_t msr, bool x2apic_ok, bool deadline_ok,
		    uint64_t *value);
bool lapic_msr_write(struct lapic *l, uint32_t msr, bool x2apic_ok, bool deadline_ok,
		     uint64_t value);

/* TPR as MOV CR8 sees it: CR8[3:0] = TPR[7:4] (SDM Vol. 3A 11.8.6). */
uint8_t lapic_cr8(const struct lapic *l);
void lapic_set_cr8(struct lapic *l, uint8_t cr8);

/* An interrupt message for this APIC (from the I/O APIC, the ICR, an LVT): delivery mode dm,
 * vector, level-triggered or not. Fixed and lowest priority set IRR (vectors 0-15 set ESR
 * instead); NMI makes nmi_pending; INIT, SIPI and SMI are counted. */
void lapic_deliver(struct lapic *l, unsigned dm, uint8_t vector, bool level);
/* Whether a message for destination dest in physical (logical = false) or logical mode is
 * for this APIC (SDM 11.6.2): x2 is a 32-bit x2APIC destination, else an 8-bit one. */
bool lapic_match_dest(const struct lapic *l, uint32_t dest, bool logical);

/* Brings the timer up to date at guest time now: a count that reached zero, or a TSC deadline
 * that passed, raises its LVT vector (periods coalesce into one IRR bit). */
void lapic_update(struct lapic *l, uint64_t now);
/* The guest time of the timer's next expiry that raises an interrupt, or LAPIC_NEVER (none,
 * masked, or its vector already waiting in IRR). */
uint64_t lapic_next_timer(const struct lapic *l);
/* The timer's current count at now (SDM 11.5.4). */
uint32_t lapic_timer_current(const struct lapic *l, uint64_t now);
/* The timer's mode from its LVT entry (APIC_TIMER_*). */
unsigned lapic_timer_mode(const struct lapic *l);
/* The divide configuration's divisor: 1, 2, 4, ... 128 (SDM 11.5.4 figure 11-10). */
unsigned lapic_divisor(uint32_t divide_config);

/* The vector the APIC would give the processor now (the highest IRR above PPR), or -1. */
int lapic_pending(const struct lapic *l);
/* The processor takes it: IRR to ISR. Returns the vector or -1. */
int lapic_acknowledge(struct lapic *l);
/* Takes a pending NMI (ICR or LINT1). */
bool lapic_take_nmi(struct lapic *l);
/* Whether the 8259's INTR reaches the processor: straight when the APIC is globally or
 * software disabled, through LINT0 when it is enabled (unmasked, ExtINT: virtual wire mode,
 * MultiProcessor Specification 3.6.2.2). */
bool lapic_extint_open(const struct lapic *l);
/* LINT1 was asserted (an NMI when its LVT says so). */
void lapic_lint1(struct lapic *l);

/* The highest set vector of a 256-bit register, or -1. */
int lapic_highest(const uint32_t reg[8]);

#endif
