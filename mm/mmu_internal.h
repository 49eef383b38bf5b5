/* What the shadow MMU's own files share with one another (not part of its interface). */
#ifndef UMBRA_MM_MMU_INTERNAL_H
#define UMBRA_MM_MMU_INTERNAL_H

#include <stdint.h>

#include "mm/mmu.h"

/* The leaf shadow entry for guest entry gpte of the level-1 shadow page sp, or 0 when none
 * may be installed (not present, not accessed, a reserved bit, not RAM). Writable only when
 * the guest entry and the upper levels allow writes, D = 1 and the frame is no shadowed
 * guest table. */
uint64_t mmu_spte_from_gpte(struct mmu *m, const struct shadow_page *sp, uint64_t gpte);

/* Fills the not-present neighbours of entry index in the level-1, non-direct shadow page sp
 * from the guest table sp shadows (mm/prefetch.c). */
void mmu_prefetch(struct mmu *m, struct shadow_page *sp, unsigned index);

#endif
