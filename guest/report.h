/* What Umbra prints when the guest stops. */
#ifndef UMBRA_GUEST_REPORT_H
#define UMBRA_GUEST_REPORT_H

struct guest;

/* Prints why the guest stopped, its registers when the stop was not its own choice, and the
 * exit counters. */
void guest_report_stop(struct guest *g);
/* Prints the guest's registers and control state. */
void guest_report_registers(struct guest *g);
/* Checks the shadow MMU against the guest (mm/mmu_audit.c), or in TDP mode the TDP tables
 * against guest RAM and the device bus (mm/tdp.c), and prints each violation. */
void guest_audit(struct guest *g);
/* Prints the exit counters and the shadow MMU's counters. */
void guest_report_counters(struct guest *g);
/* Prints which MMU runs the guest (shadow or TDP) and, for TDP, its counters. */
void guest_report_mmu_mode(struct guest *g);

#endif
