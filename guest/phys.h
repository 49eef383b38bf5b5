/*
 * What a guest-physical address is (RAM, a device's MMIO range, nothing), and what an access
 * there that the TDP tables do not map becomes. The one place that decides RAM against not-RAM
 * for TDP faults; the MMIO branch is where device emulation plugs in.
 */
#ifndef UMBRA_GUEST_PHYS_H
#define UMBRA_GUEST_PHYS_H

#include <stdbool.h>
#include <stdint.h>

struct guest;

enum phys_kind {
	PHYS_RAM,		/* a guest RAM slot */
	PHYS_MMIO,		/* a BUS_MMIO range of the device bus */
	PHYS_NONE,		/* neither: reads see all-ones, writes stop the guest */
};

enum phys_kind guest_phys_kind(const struct guest *g, uint64_t gpa);
/* Whether [gpa, gpa + len) meets an MMIO range of the device bus. */
bool guest_phys_mmio_meets(const struct guest *g, uint64_t gpa, uint64_t len);
/*
 * An access of kind access (TDP_READ/WRITE/FETCH) at gpa that exited through a TDP fault. RAM
 * is mapped (2 MiB at a time where it can be) and the guest retries; other memory reads as
 * all-ones (a read-only page of 0xff is mapped), and a write there stops the guest, as under
 * the shadow MMU; MMIO is never mapped and goes to guest_mmio_access().
 */
void guest_phys_access(struct guest *g, uint64_t gpa, unsigned access);

#endif
