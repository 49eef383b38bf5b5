/* The vCPU's local APIC (see lapic.h); section numbers are Intel SDM Vol. 3A chapter 11. */
#include "guest/devices/lapic.h"
#include "lib/string.h"

#define NS_PER_S	1000000000ULL

/* LVT bits a write keeps, per entry (11.5.1 figure 11-8): the timer has no delivery mode, the
 * error entry neither; LINT0/1 have polarity and trigger; remote IRR and status are read-only. */
static const uint32_t lvt_writable[LAPIC_LVT_COUNT] = {
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

static uint64_t ns_of_ticks(uint64_t ticks, uint64_t hz)
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

static uint64_t now_ns(const struct lapic *l)
{
	return l->clock.now_ns(l->clock.ctx);
}

unsigned lapic_timer_mode(const struct lapic *l)
{
	return (l->lvt[LAPIC_LVT_TIMER] & APIC_LVT_TIMER_MODE_MASK) >> APIC_LVT_TIMER_MODE_SHIFT;
}

/* One full count in ns: timer_init decrements, each after divisor bus clocks. */
static uint64_t timer_period_ns(const struct lapic *l)
{
	uint64_t ticks = (uint64_t)l->timer_init * lapic_divisor(l->timer_div);

	return ns_of_ticks(ticks, l->clock.bus_hz);
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
static void timer_start(struct lapic *l, uint64_t now)
{
	l->timer_start = now;
	l->timer_next = l->timer_init ? now + timer_period_ns(l) : LAPIC_NEVER;
}

static void timer_arm_deadline(struct lapic *l)
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
static void lapic_error(struct lapic *l, uint32_t bit)
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
		period = timer_period_ns(l);
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
static void lapic_eoi(struct lapic *l)
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
static void lapic_reset_registers(struct lapic *l)
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

/* ---- register reads and writes, shared by MMIO and x2APIC MSRs ----------------------------- */

static int lvt_index(unsigned reg)
{
	switch (reg) {
	case APIC_REG_LVT_TIMER: return LAPIC_LVT_TIMER;
	case APIC_REG_LVT_THERMAL: return LAPIC_LVT_THERMAL;
	case APIC_REG_LVT_PERF: return LAPIC_LVT_PERF;
	case APIC_REG_LVT_LINT0: return LAPIC_LVT_LINT0;
	case APIC_REG_LVT_LINT1: return LAPIC_LVT_LINT1;
	case APIC_REG_LVT_ERROR: return LAPIC_LVT_ERROR;
	default: return -1;
	}
}

/* x2APIC's LDR is derived from the ID (11.12.10.2): cluster in 31:16, one bit of 15:0. */
static uint32_t x2apic_ldr(const struct lapic *l)
{
	return ((l->id >> 4) << 16) | (1u << (l->id & 0xf));
}

static uint32_t lapic_version(void)
{
	return APIC_VERSION_INTEGRATED | ((LAPIC_LVT_COUNT - 1u) << APIC_VERSION_MAX_LVT_SHIFT);
}

/* The value of register reg (a 16-byte-aligned offset), or false when reading it is illegal
 * (write-only or absent in this mode). */
static bool reg_read(struct lapic *l, unsigned reg, uint32_t *value)
{
	bool x2 = lapic_x2apic(l);
	int lvt = lvt_index(reg);

	if (lvt >= 0) {
		*value = l->lvt[lvt];
		return true;
	}
	if (reg >= APIC_REG_ISR && reg < APIC_REG_ISR + 0x80) {
		*value = l->isr[(reg - APIC_REG_ISR) >> 4];
		return true;
	}
	if (reg >= APIC_REG_TMR && reg < APIC_REG_TMR + 0x80) {
		*value = l->tmr[(reg - APIC_REG_TMR) >> 4];
		return true;
	}
	if (reg >= APIC_REG_IRR && reg < APIC_REG_IRR + 0x80) {
		*value = l->irr[(reg - APIC_REG_IRR) >> 4];
		return true;
	}
	switch (reg) {
	case APIC_REG_ID:
		*value = x2 ? l->id : (l->id & 0xff) << 24;	/* 11.4.6 figure 11-6 */
		return true;
	case APIC_REG_VERSION:
		*value = lapic_version();
		return true;
	case APIC_REG_TPR:
		*value = l->tpr;
		return true;
	case APIC_REG_APR:
		*value = 0;
		return !x2;
	case APIC_REG_PPR:
		*value = lapic_ppr(l);
		return true;
	case APIC_REG_LDR:
		*value = x2 ? x2apic_ldr(l) : l->ldr;
		return true;
	case APIC_REG_DFR:
		*value = l->dfr;
		return !x2;
	case APIC_REG_SPIV:
		*value = l->spiv;
		return true;
	case APIC_REG_ESR:
		*value = l->esr;
		return true;
	case APIC_REG_ICR_LO:
		*value = l->icr_lo & ~APIC_ICR_STATUS;	/* sent at once: never pending */
		return true;
	case APIC_REG_ICR_HI:
		*value = l->icr_hi;
		return !x2;
	case APIC_REG_TIMER_INIT:
		*value = l->timer_init;
		return true;
	case APIC_REG_TIMER_CUR:
		*value = lapic_timer_current(l, now_ns(l));
		return true;
	case APIC_REG_TIMER_DIV:
		*value = l->timer_div;
		return true;
	default:
		return false;	/* EOI and SELF IPI are write-only; the rest is reserved */
	}
}

/* ICR (11.6.1): an interrupt to the destinations it names; with one vCPU, only this APIC can be
 * one of them. Fixed and lowest-priority vectors 0-15 are illegal (ESR bit 5, nothing sent). */
static void lapic_send_ipi(struct lapic *l, uint32_t lo, uint32_t dest)
{
	unsigned dm = (lo >> APIC_ICR_DELIVERY_SHIFT) & 7;
	unsigned shorthand = (lo >> APIC_ICR_SHORTHAND_SHIFT) & 3;
	uint8_t vector = lo & APIC_ICR_VECTOR;
	bool to_self;

	if ((dm == APIC_DM_FIXED || dm == APIC_DM_LOWEST) && vector < APIC_FIRST_LEGAL_VECTOR) {
		l->stats.illegal_vectors++;
		lapic_error(l, APIC_ESR_SEND_ILLEGAL_VECTOR);
		return;
	}
	switch (shorthand) {
	case APIC_SHORTHAND_SELF:
	case APIC_SHORTHAND_ALL:
		to_self = true;
		break;
	case APIC_SHORTHAND_OTHERS:
		to_self = false;
		break;
	default:
		to_self = lapic_match_dest(l, dest, lo & APIC_ICR_DEST_LOGICAL);
		break;
	}
	if (dm == APIC_DM_INIT && !(lo & APIC_ICR_LEVEL_ASSERT))
		return;		/* INIT level de-assert: no effect since the P6 (11.6.1) */
	if (to_self)
		lapic_deliver(l, dm, vector, lo & APIC_ICR_LEVEL);
	else if (dm == APIC_DM_INIT || dm == APIC_DM_STARTUP)
		dm == APIC_DM_INIT ? l->stats.init_ipis++ : l->stats.startup_ipis++;
}

bool lapic_match_dest(const struct lapic *l, uint32_t dest, bool logical)
{
	bool x2 = lapic_x2apic(l);
	uint32_t ldr;

	if (!logical)	/* 11.6.2.1: the APIC ID, or the broadcast ID */
		return x2 ? dest == l->id || dest == 0xffffffffu
			  : (dest & 0xff) == (l->id & 0xff) || (dest & 0xff) == 0xff;
	if (x2) {	/* 11.12.10.2: cluster 31:16 equal, one of the bits 15:0 */
		ldr = x2apic_ldr(l);
		return dest == 0xffffffffu ||
		       ((dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff));
	}
	ldr = l->ldr >> 24;
	dest &= 0xff;
	if (dest == 0xff)
		return true;
	if ((l->dfr >> 28) == 0xf)	/* flat model: any common bit (11.6.2.2) */
		return dest & ldr;
	/* cluster model: cluster 7:4 equal, one of the members 3:0 */
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);
}

/* 11.4.7.2: clearing SPIV[8] masks every LVT entry, which stay masked until it is set again. */
static void lapic_write_spiv(struct lapic *l, uint32_t value)
{
	l->spiv = value & (APIC_SPIV_VECTOR | APIC_SPIV_ENABLE | APIC_SPIV_FOCUS_DISABLE);
	if (!(l->spiv & APIC_SPIV_ENABLE))
		for (unsigned i = 0; i < LAPIC_LVT_COUNT; i++)
			l->lvt[i] |= APIC_LVT_MASKED;
}

static void lapic_write_lvt(struct lapic *l, enum lapic_lvt i, uint32_t value)
{
	uint32_t keep = l->lvt[i] & ~lvt_writable[i];
	unsigned old_mode = lapic_timer_mode(l);

	value &= lvt_writable[i];
	if (!(l->spiv & APIC_SPIV_ENABLE))
		value |= APIC_LVT_MASKED;
	if (i == LAPIC_LVT_TIMER &&
	    ((value & APIC_LVT_TIMER_MODE_MASK) >> APIC_LVT_TIMER_MODE_SHIFT) == 3)
		value &= ~APIC_LVT_TIMER_MODE_MASK;	/* mode 11b is reserved: one-shot */
	l->lvt[i] = keep | value;
	if (i != LAPIC_LVT_TIMER || lapic_timer_mode(l) == old_mode)
		return;
	/* 11.5.4.1: a switch into or out of TSC-deadline mode disarms the timer. */
	if (old_mode == APIC_TIMER_TSC_DEADLINE || lapic_timer_mode(l) == APIC_TIMER_TSC_DEADLINE) {
		l->timer_init = 0;
		l->tsc_deadline = 0;
		l->timer_next = LAPIC_NEVER;
	} else if (l->timer_init) {
		/* one-shot <-> periodic: the count goes on; the next zero is where it was */
		uint64_t now = now_ns(l);

		if (lapic_timer_mode(l) == APIC_TIMER_PERIODIC && l->timer_next == LAPIC_NEVER)
			timer_start(l, now);
	}
}

/* A new divisor takes effect from the current count on (the count already made stays). */
static void lapic_write_divide(struct lapic *l, uint32_t value)
{
	uint64_t now = now_ns(l);
	uint32_t current = lapic_timer_current(l, now);
	bool counting = l->timer_next != LAPIC_NEVER && lapic_timer_mode(l) != APIC_TIMER_TSC_DEADLINE;

	l->timer_div = value & APIC_TIMER_DIV_BITS;
	if (!counting || !current)
		return;
	l->timer_start = now - ns_of_ticks((uint64_t)(l->timer_init - current) *
					   lapic_divisor(l->timer_div), l->clock.bus_hz);
	if (l->timer_start > now)
		l->timer_start = now;
	l->timer_next = l->timer_start + timer_period_ns(l);
}

/* Writes register reg; false when the write is illegal in this mode (read-only, reserved). */
static bool reg_write(struct lapic *l, unsigned reg, uint64_t value)
{
	bool x2 = lapic_x2apic(l);
	int lvt = lvt_index(reg);
	uint32_t v = (uint32_t)value;

	if (lvt >= 0) {
		lapic_write_lvt(l, (enum lapic_lvt)lvt, v);
		return true;
	}
	switch (reg) {
	case APIC_REG_ID:
		if (x2)
			return false;		/* read-only in x2APIC mode (11.12.5.1) */
		l->id = v >> 24;
		return true;
	case APIC_REG_TPR:
		l->tpr = v & 0xff;
		return true;
	case APIC_REG_EOI:
		lapic_eoi(l);
		return true;
	case APIC_REG_LDR:
		if (x2)
			return false;
		l->ldr = v & 0xff000000u;
		return true;
	case APIC_REG_DFR:
		if (x2)
			return false;
		l->dfr = v | APIC_DFR_CLUSTER;	/* bits 27:0 are reserved, read as 1s */
		return true;
	case APIC_REG_SPIV:
		lapic_write_spiv(l, v);
		return true;
	case APIC_REG_ESR:
		/* 11.5.3: a write latches the errors since the last write into the ESR. */
		l->esr = l->esr_pending;
		l->esr_pending = 0;
		return true;
	case APIC_REG_ICR_LO:
		if (x2) {
			l->icr_lo = v;
			l->icr_hi = (uint32_t)(value >> 32);
			lapic_send_ipi(l, v, l->icr_hi);
		} else {
			l->icr_lo = v;
			lapic_send_ipi(l, v, l->icr_hi >> APIC_ICR_XAPIC_DEST_SHIFT);
		}
		return true;
	case APIC_REG_ICR_HI:
		if (x2)
			return false;
		l->icr_hi = v & 0xff000000u;
		return true;
	case APIC_REG_TIMER_INIT:
		/* 11.5.4.1: ignored in TSC-deadline mode. */
		if (lapic_timer_mode(l) != APIC_TIMER_TSC_DEADLINE) {
			l->timer_init = v;
			timer_start(l, now_ns(l));
		}
		return true;
	case APIC_REG_TIMER_DIV:
		lapic_write_divide(l, v);
		return true;
	case APIC_REG_SELF_IPI:
		if (!x2)
			return false;
		lapic_send_ipi(l, (v & APIC_ICR_VECTOR) | (APIC_SHORTHAND_SELF << APIC_ICR_SHORTHAND_SHIFT),
			       0);
		return true;
	default:
		/* Read-only (version, PPR, ISR, TMR, IRR, current count, APR) or reserved. */
		return false;
	}
}

/* ---- the xAPIC page ------------------------------------------------------------------------ */

uint64_t lapic_mmio_read(struct lapic *l, uint64_t offset, unsigned size)
{
	unsigned reg = offset & 0xff0, in = offset & 0xf;
	uint32_t value = 0;

	if (!lapic_enabled(l) || lapic_x2apic(l))
		return ~0ULL;
	if (!reg_read(l, reg, &value) && reg != APIC_REG_EOI) {
		l->stats.bad_accesses++;
		lapic_error(l, APIC_ESR_ILLEGAL_REGISTER);	/* 11.5.3 bit 7 */
		return 0;
	}
	/* 11.4.1: registers are 32 bits at 16-byte boundaries; a narrower or offset read sees
	 * the bytes it covers, the other 12 bytes of each slot read 0. */
	if (in >= 4)
		return 0;
	return ((uint64_t)value >> (8 * in)) & (size >= 4 ? 0xffffffffULL : (1ULL << (8 * size)) - 1);
}

void lapic_mmio_write(struct lapic *l, uint64_t offset, unsigned size, uint64_t value)
{
	unsigned reg = offset & 0xff0;

	if (!lapic_enabled(l) || lapic_x2apic(l))
		return;
	/* 11.4.1: only 32-bit stores at a register's offset are defined; others are dropped
	 * (and counted). An 8-byte store at the offset writes the low 32 bits. */
	if ((offset & 0xf) || size < 4) {
		l->stats.bad_accesses++;
		return;
	}
	if (reg == APIC_REG_SELF_IPI || !reg_write(l, reg, (uint32_t)value)) {
		l->stats.bad_accesses++;
		if (lvt_index(reg) < 0 && reg != APIC_REG_VERSION && reg != APIC_REG_PPR &&
		    !(reg >= APIC_REG_ISR && reg < APIC_REG_IRR + 0x80) && reg != APIC_REG_APR &&
		    reg != APIC_REG_TIMER_CUR && reg != APIC_REG_RRD)
			lapic_error(l, APIC_ESR_ILLEGAL_REGISTER);
	}
}

/* ---- MSRs ---------------------------------------------------------------------------------- */

/* Bits of each x2APIC register a WRMSR may set; any other set bit is #GP(0) (11.12.1.3). */
static uint64_t x2apic_writable(unsigned reg)
{
	int lvt = lvt_index(reg);

	if (lvt >= 0)
		return lvt_writable[lvt];
	switch (reg) {
	case APIC_REG_TPR: return 0xff;
	case APIC_REG_EOI: return 0;	/* 11.12.1.3: a non-zero EOI write is #GP(0) */
	case APIC_REG_SPIV: return APIC_SPIV_VECTOR | APIC_SPIV_ENABLE | APIC_SPIV_FOCUS_DISABLE;
	case APIC_REG_ESR: return 0;
	case APIC_REG_ICR_LO: return 0xffffffff000cdfffULL;	/* 63:32 dest, no status bit */
	case APIC_REG_TIMER_INIT: return 0xffffffffu;
	case APIC_REG_TIMER_DIV: return APIC_TIMER_DIV_BITS;
	case APIC_REG_SELF_IPI: return APIC_ICR_VECTOR;
	default: return ~0ULL;		/* the register's own rules decide (read-only: #GP) */
	}
}

/* 11.4.4, 11.12.5: the transitions of IA32_APIC_BASE. Bits 7:0, 9 and above MAXPHYADDR are
 * reserved; BSP is read-only. EN=0 with EXTD=1 is invalid, and so are x2APIC to xAPIC and
 * disabled to x2APIC directly: each is #GP(0). A global disable resets the registers. */
static bool lapic_write_base(struct lapic *l, uint64_t value, bool x2apic_ok)
{
	uint64_t reserved = 0xffULL | (1ULL << 9) | ~((1ULL << l->maxphyaddr) - 1);
	bool en = value & APIC_BASE_EN, extd = value & APIC_BASE_EXTD;

	value = (value & ~(uint64_t)APIC_BASE_BSP) | (l->base & APIC_BASE_BSP);
	if (!x2apic_ok)
		reserved |= APIC_BASE_EXTD;
	if ((value & reserved) || (extd && !en))
		return false;
	if (lapic_x2apic(l) && en && !extd)
		return false;
	if (!lapic_enabled(l) && extd)
		return false;
	if (!en && lapic_enabled(l))
		lapic_reset_registers(l);
	l->base = value;
	return true;
}

bool lapic_msr_read(struct lapic *l, uint32_t msr, bool x2apic_ok, bool deadline_ok,
		    uint64_t *value)
{
	uint32_t v;
	unsigned reg = (msr - MSR_X2APIC_FIRST) << 4;

	if (msr == MSR_IA32_APIC_BASE) {
		*value = l->base;
		return true;
	}
	if (msr == MSR_IA32_TSC_DEADLINE) {
		*value = l->tsc_deadline;
		return deadline_ok;
	}
	if (!x2apic_ok || msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST || !lapic_x2apic(l))
		return false;	/* 11.12.1.2: x2APIC MSRs are #GP outside x2APIC mode */
	if (!reg_read(l, reg, &v))
		return false;
	*value = v;
	if (reg == APIC_REG_ICR_LO)
		*value |= (uint64_t)l->icr_hi << 32;
	return true;
}

bool lapic_msr_write(struct lapic *l, uint32_t msr, bool x2apic_ok, bool deadline_ok,
		     uint64_t value)
{
	unsigned reg = (msr - MSR_X2APIC_FIRST) << 4;

	if (msr == MSR_IA32_APIC_BASE)
		return lapic_write_base(l, value, x2apic_ok);
	if (msr == MSR_IA32_TSC_DEADLINE) {
		if (!deadline_ok)
			return false;
		/* 11.5.4.1: ignored outside TSC-deadline mode; 0 disarms. */
		if (lapic_enabled(l) && lapic_timer_mode(l) == APIC_TIMER_TSC_DEADLINE) {
			l->tsc_deadline = value;
			timer_arm_deadline(l);
		}
		return true;
	}
	if (!x2apic_ok || msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST || !lapic_x2apic(l))
		return false;
	if (value & ~x2apic_writable(reg))
		return false;
	return reg_write(l, reg, value);
}
