/*
 * The guest's XCR0: which state components Umbra lets it enable, and the checks of XSETBV
 * (Intel SDM Vol. 2C "XSETBV", Vol. 1 13.3). Pure: host-tested, and what the exit handler
 * decides before it executes XSETBV on the host.
 */
#ifndef UMBRA_GUEST_EXITS_XCR0_POLICY_H
#define UMBRA_GUEST_EXITS_XCR0_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/xsave.h"

/*
 * The components a guest may enable: user state that lives in registers Umbra never touches
 * (it is built -mgeneral-regs-only), so the guest's XCR0 can stay loaded across exits. Hidden:
 * MPX (IA32_BNDCFGS is neither switched nor modelled), PKRU (protection keys are not
 * shadowed), APX (Umbra's decoder knows no REX2 and its exits save no R16-R31), and every
 * IA32_XSS component (XSAVES is hidden).
 */
#define XCR0_GUEST_ALLOWED	(XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_AVX512 | XCR0_AMX)

/* What the guest's CPUID.(EAX=0DH,ECX=0):EDX:EAX offers, given the host's. */
static inline uint64_t xcr0_guest_supported(uint64_t host_supported)
{
	return host_supported & XCR0_GUEST_ALLOWED;
}

/* One XSETBV as the guest executed it, with the state its checks depend on. */
struct xsetbv_request {
	unsigned cpl;		/* 3 in virtual-8086 mode */
	bool xsave;		/* the guest's CPUID.1:ECX.XSAVE */
	bool osxsave;		/* the guest's CR4.OSXSAVE */
	uint32_t xcr;		/* ECX */
	uint64_t value;		/* EDX:EAX */
	uint64_t supported;	/* xcr0_guest_supported() of the host */
};

enum xsetbv_verdict {
	XSETBV_LOAD,		/* valid: load the value into XCR0 */
	XSETBV_UD,		/* #UD */
	XSETBV_GP,		/* #GP(0) */
};

/* True when value obeys the XCR0 combination rules and enables only supported components. */
bool xcr0_valid(uint64_t value, uint64_t supported);
/* The fault XSETBV raises for r, or XSETBV_LOAD when it loads XCR0. */
enum xsetbv_verdict xsetbv_check(const struct xsetbv_request *r);

#endif
