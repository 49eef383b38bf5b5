/*
 * The guest's APICs wired into the rest of the guest: the local APIC's MMIO page follows
 * IA32_APIC_BASE (device bus range and guest_mem MMIO window), its TPR is CR8, the I/O APIC's
 * messages reach it and its EOIs of level-triggered vectors go back to the I/O APIC.
 */
#ifndef UMBRA_GUEST_APIC_WIRING_H
#define UMBRA_GUEST_APIC_WIRING_H

#include <stdbool.h>
#include <stdint.h>

struct guest;

/* Platform power-on: resets the I/O APIC and puts both APIC pages on the bus. */
bool guest_apic_attach(struct guest *g);
/* Processor reset (guest memory and the shadow MMU exist): the local APIC at power-on, its
 * page back at FEE00000H, and the MMIO windows made from the bus (guest/mmio_windows.h). */
void guest_apic_reset(struct guest *g);
/* After a write to IA32_APIC_BASE that changed it from old: the xAPIC page moves. */
void guest_apic_base_written(struct guest *g, uint64_t old);
/* Before an entry: a guest MOV to CR8 since the last entry sets the TPR (SDM Vol. 3A 11.8.6.1),
 * then CR8 is given the TPR's class, whoever wrote it last. */
void guest_apic_sync_cr8(struct guest *g);

#endif
