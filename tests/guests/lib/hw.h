/* Architectural constants the guests need beyond what Umbra's arch/ headers define (yet). */
#ifndef GUEST_HW_H
#define GUEST_HW_H

#include "arch/cpuid.h"
#include "arch/cr.h"
#include "arch/msr.h"
#include "arch/trap.h"

/*
 * Each name yields to arch/ once the hypervisor defines it there, so the guests never carry a
 * second, possibly different, definition. CPUID bits: Intel SDM Vol. 2A "CPUID", tables 3-10,
 * 3-11 and 3-8 (leaf 7); AMD APM Vol. 3 appendix E.
 */
#ifndef CPUID_1_ECX_MONITOR
#define  CPUID_1_ECX_MONITOR		(1u << 3)
#endif
#ifndef CPUID_1_ECX_X2APIC
#define  CPUID_1_ECX_X2APIC		(1u << 21)
#endif
#ifndef CPUID_1_ECX_TSC_DEADLINE
#define  CPUID_1_ECX_TSC_DEADLINE	(1u << 24)
#endif
#ifndef CPUID_7_EBX_INVPCID
#define  CPUID_7_EBX_INVPCID		(1u << 10)
#endif
#ifndef CPUID_7_ECX_PKU
#define  CPUID_7_ECX_PKU		(1u << 3)
#endif
#ifndef CPUID_7_ECX_OSPKE
#define  CPUID_7_ECX_OSPKE		(1u << 4)
#endif
#ifndef CPUID_7_ECX_LA57
#define  CPUID_7_ECX_LA57		(1u << 16)
#endif
#ifndef CPUID_LEAF_PERFMON
#define CPUID_LEAF_PERFMON		0x0000000a	/* architectural performance monitoring */
#endif
#ifndef CPUID_LEAF_XSAVE
#define CPUID_LEAF_XSAVE		0x0000000d	/* subleaf 0: EAX = XCR0 bits supported */
#endif

/*
 * Hypervisor leaves: 0x40000000-0x400000ff are reserved for hypervisors (SDM Vol. 2A "CPUID":
 * "No existing or future CPU will return processor identification or feature information if
 * the initial EAX value is in the range 40000000H to 4FFFFFFFH"). Umbra's layout is its own.
 */
#ifndef CPUID_LEAF_HV_BASE
#define CPUID_LEAF_HV_BASE		0x40000000	/* EAX max leaf, EBX:ECX:EDX signature */
#endif
#ifndef CPUID_LEAF_HV_INTERFACE
#define CPUID_LEAF_HV_INTERFACE		0x40000001	/* EAX interface version */
#endif

/* Time-stamp counter MSR (SDM Vol. 4 table 2-2). */
#ifndef MSR_IA32_TSC
#define MSR_IA32_TSC			0x00000010
#endif

/* XCR0, the XSAVE feature enable mask (SDM Vol. 1 13.3): x87 state can never be disabled. */
#define XCR_XFEATURE_ENABLED_MASK	0
#define  XCR0_X87			(1u << 0)
#define  XCR0_SSE			(1u << 1)

#endif
