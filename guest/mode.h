/* Changes of the guest's control state that affect paging: the one place that tells the MMU. */
#ifndef UMBRA_GUEST_MODE_H
#define UMBRA_GUEST_MODE_H

#include <stdint.h>

struct guest;

/* Each setter stores the guest's new value (already checked by the caller), updates EFER.LMA as
 * the processor does, and re-derives the shadow root and the real control registers. */
void guest_set_cr0(struct guest *g, uint64_t value);
void guest_set_cr3(struct guest *g, uint64_t value);
void guest_set_cr4(struct guest *g, uint64_t value);
void guest_set_efer(struct guest *g, uint64_t value);
/* Re-derives the shadow root and real paging state from the guest's current view. */
void guest_paging_changed(struct guest *g);

#endif
