/* EPT on VMX: what the capability MSRs allow, the EPT pointer, and EPT-violation decoding.
 * Pure functions, host-tested. */
#ifndef UMBRA_VMX_VMX_EPT_H
#define UMBRA_VMX_VMX_EPT_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/vm_exit.h"
#include "mm/tdp.h"

/* How Umbra uses EPT on this CPU. */
struct vmx_ept {
	struct tdp_caps caps;
	unsigned invept_type;		/* INVEPT_SINGLE_CONTEXT or INVEPT_ALL_CONTEXTS */
};

/*
 * Decides whether EPT can run the guest: proc2_cap is IA32_VMX_PROCBASED_CTLS2 (0 when the
 * secondary controls cannot be enabled), ept_cap IA32_VMX_EPT_VPID_CAP (read only when proc2
 * allows EPT, SDM Vol. 3C A.10). Umbra needs "enable EPT" and "unrestricted guest" allowed-1
 * (A.3.3), a page-walk length of 4, write-back EPTP memory and INVEPT of some type (A.10).
 * Returns false with a one-line reason in why.
 */
bool vmx_ept_check(uint64_t proc2_cap, uint64_t ept_cap, struct vmx_ept *out, char *why,
		   unsigned whylen);
/* The EPT pointer of the tables at root (SDM Vol. 3C 25.6.11). */
uint64_t vmx_eptp(const struct vmx_ept *e, uint64_t root);
/* An EPT violation: qualification qual (table 28-7), guest-physical address gpa and the
 * guest-linear address gla into exit->tdp (kind EXIT_TDP_FAULT). */
void vmx_decode_ept_violation(uint64_t qual, uint64_t gpa, uint64_t gla, struct vm_exit *exit);

#endif
