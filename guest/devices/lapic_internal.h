/* What the local APIC's register interface (lapic_regs.c) uses of its core (lapic.c). Not for
 * other users: they go through lapic.h. */
#ifndef UMBRA_GUEST_DEVICES_LAPIC_INTERNAL_H
#define UMBRA_GUEST_DEVICES_LAPIC_INTERNAL_H

#include <stdint.h>

struct lapic;

/* LVT bits a write keeps, per entry (SDM 11.5.1 figure 11-8). */
extern const uint32_t lapic_lvt_writable[];	/* by enum lapic_lvt */

uint64_t lapic_now(const struct lapic *l);
/* ns for ticks of an hz clock, rounded up. */
uint64_t lapic_ns_of_ticks(uint64_t ticks, uint64_t hz);
/* One full count of the timer in ns. */
uint64_t lapic_timer_period_ns(const struct lapic *l);
/* (Re)starts the count from the initial count at now. */
void lapic_timer_start(struct lapic *l, uint64_t now);
/* Arms the timer at the TSC deadline (none for 0). */
void lapic_timer_arm_deadline(struct lapic *l);
/* An error the APIC detects: ESR bit, and the error LVT's interrupt (SDM 11.5.3). */
void lapic_error(struct lapic *l, uint32_t bit);
/* EOI: retires the highest ISR vector (SDM 11.8.5). */
void lapic_eoi(struct lapic *l);
/* The registers at power-on, ID and base aside (SDM 11.4.7.1). */
void lapic_reset_registers(struct lapic *l);

#endif
