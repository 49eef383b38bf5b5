/* The vCPU's local APIC core: time, IRR/ISR/TMR, priorities, delivery, the timer, reset (see
 * lapic.h; the register interface is lapic_regs.c). Section numbers: Intel SDM Vol. 3A ch. 11. */
#include "guest/devices/lapic.h"
#include "guest/devices/lapic_internal.h"
#include "lib/string.h"

#define NS_PER_S	1000000000ULL

/* LVT bits a write keeps, per entry (11.5.1 figure 11-8): the timer has no delivery mode, the
 * error entry neither; LINT0/1 have polarity and trigger; remote IRR and status are read-only. */
const uint32_t lapic_lvt_writable[LAPIC_LVT_COUNT] = {
	[LAPIC_LVT_TIMER] = APIC_LVT_VECTOR | APIC_LVT_MASKED | APIC_LVT_TIMER_MODE_MASK,
	[LAPIC_LVT_THERMAL] = APIC_LVT_VECTOR | APIC_LVT_DELIVERY_MASK | APIC_LVT_MASKED,
	[LAPIC_LVT_PERF] = APIC_LVT_VECTOR | APIC_LVT_DELIVERY_MASK | APIC_LVT_MASKED,
	[LAPIC_LVT_LINT0] = APIC_LVT_VECTOR | APIC_LVT_DELIVERY_MASK | APIC_LVT_POLARITY |
			    APIC_LVT_LEVEL | APIC_LVT_MASKED,
	[LAPIC_LVT_LINT1] = APIC_LVT_VECTOR | APIC_LVT_DELIVERY_MASK | APIC_LVT_POLARITY |
			    APIC_LVT_LEVEL | APIC_LVT_MASKED,
	[LAPIC_LVT_ERROR] = APIC_LVT_VECTOR | APIC_LVT_MASKED,
};

/* ---- time ---------------------------------------------------------------------------------- */

/* Ticks of an hz clock in ns, and back (rounded up, so an expiry is never early), without
 * overflow for any ns and hz below 2^34 (a few tens of GHz). */
static uint64_t ticks_of_ns(uint64_t ns, uint64_t hz)
{
	return ns / NS_PER_S * hz + ns % NS_PER_S * hz / NS_PER_S;
}

uint64_t lapic_ns_of_ticks(uint64_t ticks, uint64_t hz)
{
	return ticks / hz * NS_PER_S + (ticks % hz * NS_PER_S + hz - 1) / hz;
}

unsigned lapic_divisor(uint32_t divide_config)
{
	/* 11.5.4 figure 11-10: bits 3 and 1:0 form a 3-bit value v; 111b divides by 1, any other
	 * v by 2^(v+1). */
	unsigned v = ((divide_config >> 1) & 4) | (divide_config & 3);

	return v == 7 ? 1 : 2u << v;
}

uint64_t lapic_now(const struct lapic *l)
{
	return l->clock.now_ns(l->clock.ctx);
}

unsigned lapic_timer_mode(const struct lapic *l)
{
	return (l->lvt[LAPIC_LVT_TIMER] & APIC_LVT_TIMER_MODE_MASK) >> APIC_LVT_TIMER_MODE_SHIFT;
}

/* One full count in ns: timer_init decrements, each after divisor bus clocks. */
uint64_t lapic_timer_period_ns(const struct lapic *l)
{
	uint64_t ticks = (uint64_t)l->timer_init * lapic_divisor(l->timer_div);

	return lapic_ns_of_ticks(ticks, l->clock.bus_hz);
}

/* Counter decrements since the count started. */
static uint64_t timer_elapsed(const struct lapic *l, uint64_t now)
{
	if (now <= l->timer_start)
		return 0;
	return ticks_of_ns(now - l->timer_start, l->clock.bus_hz) / lapic_divisor(l->timer_div);
}

uint32_t lapic_timer_current(const struct lapic *l, uint64_t now)
{
	uint64_t elapsed;

	/* 11.5.4.1: in TSC-deadline mode the count registers read 0. */
	if (!l->timer_init || lapic_timer_mode(l) == APIC_TIMER_TSC_DEADLINE)
		return 0;
	elapsed = timer_elapsed(l, now);
	if (lapic_timer_mode(l) == APIC_TIMER_PERIODIC)
		return l->timer_init - (uint32_t)(elapsed % l->timer_init);
	return elapsed >= l->timer_init ? 0 : l->timer_init - (uint32_t)elapsed;
}

/* (Re)starts the count from timer_init at now (a write of the initial count, 11.5.4). */
void lapic_timer_start(struct lapic *l, uint64_t now)
{
	l->timer_start = now;
	l->timer_next = l->timer_init ? now + lapic_timer_period_ns(l) : LAPIC_NEVER;
}

void lapic_timer_arm_deadline(struct lapic *l)
{
	l->timer_next = l->tsc_deadline ? l->clock.tsc_to_ns(l->clock.ctx, l->tsc_deadline)
					: LAPIC_NEVER;
}

/* ---- interrupt registers ------------------------------------------------------------------- */

static bool reg_test(const uint32_t r[8], unsigned v)
{
	return r[v / 32] & (1u << (v % 32));
}

static void reg_set(uint32_t r[8], unsigned v)
{
	r[v / 32] |= 1u << (v % 32);
}

static void reg_clear(uint32_t r[8], unsigned v)
{
	r[v / 32] &= ~(1u << (v % 32));
}

uint64_t lapic_next_timer(const struct lapic *l)
{
	uint32_t lvt = l->lvt[LAPIC_LVT_TIMER];

	/* An expiry that can change nothing is no reason to take control back: a masked timer
	 * raises nothing (its count is computed from time when read), and one whose vector waits
	 * in IRR would only coalesce into it. lapic_update() catches up at the next look; this
	 * keeps a timer of a few nanoseconds from costing an exit per period. */
	if (!lapic_enabled(l) || (lvt & APIC_LVT_MASKED) || reg_test(l->irr, lvt & APIC_LVT_VECTOR))
		return LAPIC_NEVER;
	return l->timer_next;
}

int lapic_highest(const uint32_t reg[8])
{
	for (int i = 7; i >= 0; i--)
		if (reg[i])
			return i * 32 + 31 - __builtin_clz(reg[i]);
	return -1;
}

/* 11.8.3.1: PPR[7:4] is the higher of TPR[7:4] and the in-service class; PPR[3:0] is TPR[3:0]
 * when the TPR's class wins, else 0. */
uint8_t lapic_ppr(const struct lapic *l)
{
	int isrv = lapic_highest(l->isr);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;

	return (uint8_t)((l->tpr & 0xf0) >= isr_class ? l->tpr & 0xff : isr_class);
}

/* An error the APIC detects (11.5.3): recorded for the next ESR write, and the LVT error
 * entry's interrupt unless masked. The error vector itself is not checked again, so an
 * illegal error vector cannot recurse. */
void lapic_error(struct lapic *l, uint32_t bit)
{
	uint32_t lvt = l->lvt[LAPIC_LVT_ERROR];
	uint8_t v = lvt & APIC_LVT_VECTOR;

	l->esr_pending |= bit;
	if (!(lvt & APIC_LVT_MASKED) && v >= APIC_FIRST_LEGAL_VECTOR) {
		reg_set(l->irr, v);
		reg_clear(l->tmr, v);
	}
}

/* 11.8.3: the interrupt is accepted into IRR; TMR records its trigger mode. */
static void lapic_accept(struct lapic *l, uint8_t vector, bool level)
{
	if (vector < APIC_FIRST_LEGAL_VECTOR) {
		l->stats.illegal_vectors++;
		lapic_error(l, APIC_ESR_RECV_ILLEGAL_VECTOR);
		return;
	}
	if (reg_test(l->irr, vector))
		l->stats.coalesced++;
	l->stats.accepted++;
	reg_set(l->irr, vector);
	if (level)
		reg_set(l->tmr, vector);
	else
		reg_clear(l->tmr, vector);
}

void lapic_deliver(struct lapic *l, unsigned dm, uint8_t vector, bool level)
{
	if (!lapic_enabled(l))
		return;		/* 11.4.3: a disabled APIC is as no APIC */
	switch (dm) {
	case APIC_DM_FIXED:
	case APIC_DM_LOWEST:	/* one vCPU: it is the lowest-priority one */
		lapic_accept(l, vector, level);
		break;
	case APIC_DM_NMI:
		l->stats.nmis++;
		l->nmi_pending = true;
		break;
	case APIC_DM_INIT:
		l->stats.init_ipis++;
		break;
	case APIC_DM_STARTUP:
		l->stats.startup_ipis++;
		break;
	default:		/* SMI, ExtINT as a message, reserved */
		l->stats.smi_ipis++;
		break;
	}
}

/* An LVT entry fires (11.5.1): masked entries do nothing; the timer and error entries are
 * always fixed; LINT0/1 use their delivery mode (ExtINT is the 8259's path, lapic_extint_open). */
static void lvt_fire(struct lapic *l, enum lapic_lvt i)
{
	uint32_t lvt = l->lvt[i];
	unsigned dm = (lvt & APIC_LVT_DELIVERY_MASK) >> APIC_LVT_DELIVERY_SHIFT;

	if (lvt & APIC_LVT_MASKED)
		return;
	if (i == LAPIC_LVT_TIMER || i == LAPIC_LVT_ERROR)
		dm = APIC_DM_FIXED;
	if (dm == APIC_DM_EXTINT)
		return;
	lapic_deliver(l, dm, lvt & APIC_LVT_VECTOR, i >= LAPIC_LVT_LINT0 && (lvt & APIC_LVT_LEVEL));
}

void lapic_lint1(struct lapic *l)
{
	if (lapic_enabled(l))
		lvt_fire(l, LAPIC_LVT_LINT1);
}

void lapic_update(struct lapic *l, uint64_t now)
{
	uint64_t period, n;

	if (!lapic_enabled(l) || l->timer_next == LAPIC_NEVER || now < l->timer_next)
		return;
	l->stats.timer_fires++;
	lvt_fire(l, LAPIC_LVT_TIMER);
	switch (lapic_timer_mode(l)) {
	case APIC_TIMER_PERIODIC:
		/* The count reloads at each zero (11.5.4); periods that ended meanwhile are one
		 * interrupt: n whole periods passed since the count last started. */
		period = lapic_timer_period_ns(l);
		n = (now - l->timer_start) / period;
		l->stats.timer_coalesced += n - 1;
		l->timer_start += n * period;
		l->timer_next = l->timer_start + period;
		break;
	case APIC_TIMER_TSC_DEADLINE:
		l->tsc_deadline = 0;	/* 11.5.4.1: the MSR reads 0 once the timer fired */
		l->timer_next = LAPIC_NEVER;
		break;
	default:
		l->timer_next = LAPIC_NEVER;
		break;
	}
}

int lapic_pending(const struct lapic *l)
{
	int v = lapic_highest(l->irr);

	if (!lapic_enabled(l) || v < 0)
		return -1;
	/* 11.8.3.1: only a class above the PPR's reaches the processor. */
	return ((unsigned)v & 0xf0) > (lapic_ppr(l) & 0xf0u) ? v : -1;
}

int lapic_acknowledge(struct lapic *l)
{
	int v = lapic_pending(l);

	if (v < 0)
		return -1;
	/* 11.8.4: the highest IRR bit moves to ISR when the processor takes it. */
	reg_clear(l->irr, (unsigned)v);
	reg_set(l->isr, (unsigned)v);
	return v;
}

bool lapic_take_nmi(struct lapic *l)
{
	bool nmi = l->nmi_pending;

	l->nmi_pending = false;
	return nmi;
}

bool lapic_extint_open(const struct lapic *l)
{
	uint32_t lint0 = l->lvt[LAPIC_LVT_LINT0];

	if (!lapic_sw_enabled(l))
		return true;
	return !(lint0 & APIC_LVT_MASKED) &&
	       ((lint0 & APIC_LVT_DELIVERY_MASK) >> APIC_LVT_DELIVERY_SHIFT) == APIC_DM_EXTINT;
}

/* 11.8.5: EOI retires the highest in-service vector; a level-triggered one (TMR) is sent on to
 * the I/O APICs, which clear its remote IRR. */
void lapic_eoi(struct lapic *l)
{
	int v = lapic_highest(l->isr);

	if (v < 0)
		return;
	reg_clear(l->isr, (unsigned)v);
	if (reg_test(l->tmr, (unsigned)v)) {
		reg_clear(l->tmr, (unsigned)v);
		if (l->eoi)
			l->eoi(l->eoi_ctx, (uint8_t)v);
	}
}

/* ---- state --------------------------------------------------------------------------------- */

bool lapic_enabled(const struct lapic *l)
{
	return l->base & APIC_BASE_EN;
}

bool lapic_x2apic(const struct lapic *l)
{
	return lapic_enabled(l) && (l->base & APIC_BASE_EXTD);
}

bool lapic_sw_enabled(const struct lapic *l)
{
	return lapic_enabled(l) && (l->spiv & APIC_SPIV_ENABLE);
}

uint64_t lapic_mmio_base(const struct lapic *l)
{
	return l->base & ~0xfffULL & ((1ULL << l->maxphyaddr) - 1);
}

/* 11.4.7.1: the register state after power-up or reset (and a global disable, 11.4.3), the
 * APIC ID and base address aside. */
void lapic_reset_registers(struct lapic *l)
{
	l->tpr = l->ldr = l->esr = l->esr_pending = l->icr_lo = l->icr_hi = 0;
	l->dfr = APIC_DFR_FLAT;
	l->spiv = APIC_SPIV_VECTOR;
	for (unsigned i = 0; i < LAPIC_LVT_COUNT; i++)
		l->lvt[i] = APIC_LVT_MASKED;
	memset(l->irr, 0, sizeof(l->irr));
	memset(l->isr, 0, sizeof(l->isr));
	memset(l->tmr, 0, sizeof(l->tmr));
	l->timer_init = l->timer_div = 0;
	l->timer_start = 0;
	l->timer_next = LAPIC_NEVER;
	l->tsc_deadline = 0;
	l->nmi_pending = false;
}

void lapic_init(struct lapic *l, const struct lapic_clock *clock, uint32_t id, bool bsp,
		uint8_t maxphyaddr)
{
	memset(l, 0, sizeof(*l));
	l->clock = *clock;
	if (!l->clock.bus_hz)
		l->clock.bus_hz = NS_PER_S;
	l->maxphyaddr = maxphyaddr < 32 || maxphyaddr > 52 ? 36 : maxphyaddr;
	l->id = id;
	l->base = APIC_DEFAULT_BASE | APIC_BASE_EN | (bsp ? APIC_BASE_BSP : 0);
	lapic_reset_registers(l);
}

void lapic_set_eoi_callback(struct lapic *l, lapic_eoi_fn fn, void *ctx)
{
	l->eoi = fn;
	l->eoi_ctx = ctx;
}

uint8_t lapic_cr8(const struct lapic *l)
{
	return (uint8_t)((l->tpr >> 4) & 0xf);
}

/* 11.8.6.1: a MOV to CR8 sets TPR[7:4] from CR8[3:0] and clears TPR[3:0]. */
void lapic_set_cr8(struct lapic *l, uint8_t cr8)
{
	l->tpr = (uint32_t)(cr8 & 0xf) << 4;
}

