/* The guest's paging mode, derived from a snapshot of its control registers (SDM Vol. 3A 4.1.1). */
#ifndef UMBRA_MM_PAGING_MODE_H
#define UMBRA_MM_PAGING_MODE_H

#include <stdint.h>

#include "arch/cr.h"
#include "arch/msr.h"

/* The inputs that decide how the guest translates addresses, taken by value: mm/ never reaches
 * into a vCPU. pdptes are the PDPTE registers of PAE mode (SDM Vol. 3A 4.4.1), as last loaded. */
struct paging_state {
	uint64_t cr0, cr3, cr4, efer;
	uint64_t pdptes[4];
};

enum paging_mode {
	PAGING_OFF,	/* CR0.PG = 0: linear = physical */
	PAGING_32,	/* CR0.PG = 1, CR4.PAE = 0: two levels of 4-byte entries */
	PAGING_PAE,	/* CR0.PG = 1, CR4.PAE = 1, EFER.LMA = 0: PDPTEs, then two levels */
	PAGING_4LEVEL,	/* CR0.PG = 1, CR4.PAE = 1, EFER.LMA = 1 */
};

/* SDM Vol. 3A 4.1.1, table 4-1: the mode follows CR0.PG, CR4.PAE and IA32_EFER.LME/LMA. */
static inline enum paging_mode paging_mode_of(const struct paging_state *ps)
{
	if (!(ps->cr0 & CR0_PG))
		return PAGING_OFF;
	if (!(ps->cr4 & CR4_PAE))
		return PAGING_32;
	return (ps->efer & EFER_LMA) ? PAGING_4LEVEL : PAGING_PAE;
}

const char *paging_mode_name(enum paging_mode mode);

#endif
