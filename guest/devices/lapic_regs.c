/* The local APIC's register interface (xAPIC page, x2APIC and APIC MSRs: lapic_regs.c) on top
 * of its core (lapic.c); see lapic.h. SDM Vol. 3A chapter 11. */
#include "guest/devices/lapic.h"
#include "guest/devices/lapic_internal.h"

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
		*value = lapic_timer_current(l, lapic_now(l));
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
	uint32_t keep = l->lvt[i] & ~lapic_lvt_writable[i];
	unsigned old_mode = lapic_timer_mode(l);

	value &= lapic_lvt_writable[i];
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
		uint64_t now = lapic_now(l);

		if (lapic_timer_mode(l) == APIC_TIMER_PERIODIC && l->timer_next == LAPIC_NEVER)
			lapic_timer_start(l, now);
	}
}

/* A new divisor takes effect from the current count on (the count already made stays). */
static void lapic_write_divide(struct lapic *l, uint32_t value)
{
	uint64_t now = lapic_now(l);
	uint32_t current = lapic_timer_current(l, now);
	bool counting = l->timer_next != LAPIC_NEVER && lapic_timer_mode(l) != APIC_TIMER_TSC_DEADLINE;

	l->timer_div = value & APIC_TIMER_DIV_BITS;
	if (!counting || !current)
		return;
	l->timer_start = now - lapic_ns_of_ticks((uint64_t)(l->timer_init - current) *
					   lapic_divisor(l->timer_div), l->clock.bus_hz);
	if (l->timer_start > now)
		l->timer_start = now;
	l->timer_next = l->timer_start + lapic_timer_period_ns(l);
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
			lapic_timer_start(l, lapic_now(l));
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
		return lapic_lvt_writable[lvt];
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
			lapic_timer_arm_deadline(l);
		}
		return true;
	}
	if (!x2apic_ok || msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST || !lapic_x2apic(l))
		return false;
	if (value & ~x2apic_writable(reg))
		return false;
	return reg_write(l, reg, value);
}
