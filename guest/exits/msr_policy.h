/*
 * The guest's MSRs that exit to Umbra: one table (msr_policy.c) gives each its name, the CPUID
 * feature that makes it exist, and how it reads and writes. An MSR not in the table, or whose
 * feature the guest's CPUID does not show, raises #GP(0), as on a processor without it.
 * Pure: host-tested; exits/msr_access.c applies the results to the vCPU and the hardware.
 *
 * The MSRs whose guest values the hardware switches or that Umbra never uses itself (FS/GS
 * bases, KERNEL_GS_BASE, SYSENTER, STAR/LSTAR/CSTAR/SFMASK, and reads of the TSC) are passed
 * through by the backends (vmx_build_msr_bitmap, svm_msrpm_init) and never reach this table:
 * the processor makes WRMSR's own checks on them in the guest, canonical addresses included
 * (SDM Vol. 2B "WRMSR"), and Umbra executes no WRMSR of them for the guest.
 */
#ifndef UMBRA_GUEST_EXITS_MSR_POLICY_H
#define UMBRA_GUEST_EXITS_MSR_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/msr.h"

struct lapic;

/* What the guest's CPUID shows, as far as MSRs go: filled from the CPUID policy's answers
 * (guest/cpu_reset.c), so an MSR exists exactly when the guest's CPUID says it does. */
struct msr_features {
	bool intel, amd;		/* the vendor string */
	uint32_t leaf1_ecx, leaf1_edx;
	uint32_t leaf7_ecx;		/* leaf 7, subleaf 0 */
	uint32_t ext1_edx;		/* leaf 8000_0001h */
	uint8_t linear_bits;		/* the guest's linear-address width (canonical checks) */
};

/* The guest's values of the MSRs Umbra models in software. */
struct msr_state {
	struct msr_features cpu;
	uint64_t pat;			/* kept, not applied: shadow entries carry Umbra's types */
	uint64_t tsc_aux;		/* also in the real IA32_TSC_AUX (RDTSCP runs natively) */
	uint64_t misc_enable;
	uint64_t mcg_status;
	uint64_t ds_area;		/* kept: BTS and PEBS are unavailable */
	uint64_t amd_evtsel[MSR_AMD_PERF_LEGACY_COUNT];	/* kept; the counters never count */
	uint64_t amd_ctr[MSR_AMD_PERF_LEGACY_COUNT];
};

/* One RDMSR or WRMSR: the state it uses and the vCPU values it needs. */
struct msr_ctx {
	struct msr_state *s;
	uint64_t efer;			/* in: the guest's EFER; out: its value after the write */
	uint64_t cr0;			/* the guest's CR0 */
	uint64_t tsc;			/* the guest's TSC at this instruction */
	const char *note;		/* out: worth saying once (a write that has no effect) */
	struct lapic *lapic;		/* the vCPU's local APIC (its MSRs); NULL: they #GP */
	bool apic_base_changed;		/* out: IA32_APIC_BASE changed from apic_base_old */
	uint64_t apic_base_old;
};

/* The CPUID feature that makes an MSR exist. */
enum msr_needs {
	MSR_NEEDS_NOTHING,		/* every x86-64 processor */
	MSR_NEEDS_TSC,			/* CPUID.1:EDX.TSC */
	MSR_NEEDS_PAT,			/* CPUID.1:EDX.PAT */
	MSR_NEEDS_MCA,			/* CPUID.1:EDX.MCA */
	MSR_NEEDS_INTEL,		/* an Intel processor */
	MSR_NEEDS_INTEL_DS,		/* an Intel processor with CPUID.1:EDX.DS */
	MSR_NEEDS_TSC_AUX,		/* CPUID 8000_0001h:EDX.RDTSCP or 7:ECX.RDPID */
	MSR_NEEDS_AMD,			/* an AMD processor */
	MSR_NEEDS_APIC,			/* CPUID.1:EDX.APIC (at reset) */
	MSR_NEEDS_X2APIC,		/* CPUID.1:ECX.x2APIC */
	MSR_NEEDS_TSC_DEADLINE,		/* CPUID.1:ECX.TSC_DEADLINE */
};

/* One row of the table: MSRs index .. index + count - 1. A handler returns false for #GP(0). */
struct msr_entry {
	uint32_t index, count;
	const char *name;
	enum msr_needs needs;
	bool (*read)(struct msr_ctx *c, uint32_t index, uint64_t *value);
	bool (*write)(struct msr_ctx *c, uint32_t index, uint64_t value);
	bool real;			/* an accepted write is also loaded into the real MSR, which
					 * holds the guest's value (Umbra never uses it itself) */
};

extern const struct msr_entry msr_policy_table[];
extern const unsigned msr_policy_count;

/* The entry of index if that MSR exists for this guest; NULL means #GP(0). */
const struct msr_entry *msr_policy_find(const struct msr_state *s, uint32_t index);
/* Whether the guest's CPUID shows the feature. */
bool msr_policy_has(const struct msr_features *cpu, enum msr_needs needs);
/* Power-on values of every modelled MSR, for a guest whose CPUID is cpu. */
void msr_policy_reset(struct msr_state *s, const struct msr_features *cpu);

#endif
