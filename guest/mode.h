/* Changes of the guest's control state that affect paging: the one place that tells the MMU. */
#ifndef UMBRA_GUEST_MODE_H
#define UMBRA_GUEST_MODE_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/paging_mode.h"

struct guest;

/* Each setter stores the guest's new value (already checked by the caller), updates EFER.LMA as
 * the processor does, and re-derives the shadow root and the real control registers. */
void guest_set_cr0(struct guest *g, uint64_t value);
void guest_set_cr3(struct guest *g, uint64_t value);
void guest_set_cr4(struct guest *g, uint64_t value);
void guest_set_efer(struct guest *g, uint64_t value);
/* Re-derives the shadow root and real paging state from the guest's current view. */
void guest_paging_changed(struct guest *g);
/* Builds the shadow root again for the unchanged guest state (after the MMU dropped it). */
void guest_reload_root(struct guest *g);
/* The guest's paging state, as the shadow MMU takes it. */
struct paging_state guest_paging_state(const struct guest *g);
/* Loads the four PDPTEs from the 32-byte aligned table at cr3 (SDM Vol. 3A 4.4.1) into out.
 * Returns false, leaving out alone, when a present PDPTE has a reserved bit set (#GP(0)). */
bool guest_load_pdptes(struct guest *g, uint64_t cr3, uint64_t out[4]);
/* Whether PAE paging is in use with these values (CR0.PG, CR4.PAE, and not IA-32e mode). */
bool guest_pae_paging(uint64_t cr0, uint64_t cr4, uint64_t efer);

#endif
