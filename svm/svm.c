/* The AMD SVM backend: struct vcpu_ops over one VMCB per vCPU (AMD APM Vol. 2 chapter 15). */
#include "svm/svm.h"
#include "svm/svm_vcpu.h"
#include "arch/rflags.h"
#include "svm/vmcb.h"
#include "arch/cpu.h"
#include "arch/cpu_info.h"
#include "arch/cpuid.h"
#include "arch/cr.h"
#include "arch/debugreg.h"
#include "arch/msr.h"
#include "arch/trap.h"
#include "mm/hostmap.h"
#include "mm/page.h"
#include "mm/pmm.h"
#include "lib/format.h"
#include "lib/printk.h"
#include "lib/string.h"

/* The one guest's ASID: 0 belongs to the host (APM 15.16 "TLB Control"). */
#define SVM_GUEST_ASID	1

/* Real CR0 bits taken from the guest's view; PE, PG, WP and ET are forced on. */
#define SVM_CR0_GUEST_BITS (CR0_MP | CR0_EM | CR0_TS | CR0_NE | CR0_AM | CR0_NW | CR0_CD)
/* Real CR4 bits taken from the guest's view: those that change instruction behaviour, not
 * paging. PAE is forced on (the shadow tables are PAE or 4-level); PSE, PGE, PCIDE, LA57 and
 * PKE stay off because they would describe the guest's tables, not Umbra's shadow. */
#define SVM_CR4_GUEST_BITS (CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_MCE | CR4_PCE | \
			    CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_UMIP | CR4_FSGSBASE | \
			    CR4_OSXSAVE)
/* SMEP and SMAP reach the processor only while the guest pages: with guest paging off, Umbra's
 * direct map is all user pages, and the guest's CR4 bits have no effect (SDM 4.6). */
#define SVM_CR4_PAGING_BITS (CR4_SMEP | CR4_SMAP)

_Static_assert(sizeof(struct svm_vcpu) <= PAGE_SIZE, "struct svm_vcpu fits its page");

/* This CPU's SVM state (Umbra runs one guest on one CPU). */
static struct {
	bool enabled;
	struct svm_caps caps;
	uint64_t hsave_pa;	/* VM_HSAVE_PA: where VMRUN keeps host state (APM 15.30.4) */
	uint64_t host_vmcb_pa;	/* VMSAVE/VMLOAD of Umbra's own FS/GS/TR/LDTR and MSRs */
} svm_host;

/* The backend state of v (set by svm_vcpu_create). */
static struct svm_vcpu *to_svm(const struct vcpu *v)
{
	return v->arch;
}

/* ------------------------------------------------------------------------------------------ */
/* Enabling SVM */

/* Reads the SVM feature leaf and the NX bit into caps. */
static void svm_read_caps(const struct cpu_info *ci, struct svm_caps *caps)
{
	caps->nasid = ci->svm_ebx;
	caps->nrips = cpu_has(ci->svm_edx, CPUID_SVM_EDX_NRIPS);
	caps->flush_by_asid = cpu_has(ci->svm_edx, SVM_CPUID_EDX_FLUSH_BY_ASID);
	caps->decode_assists = cpu_has(ci->svm_edx, SVM_CPUID_EDX_DECODE_ASSISTS);
	caps->vmcb_clean = cpu_has(ci->svm_edx, SVM_CPUID_EDX_VMCB_CLEAN);
	caps->nx = cpu_has(ci->ext1_edx, CPUID_80000001_EDX_NX);
	caps->np = cpu_has(ci->svm_edx, CPUID_SVM_EDX_NP);
}

/* "yes" or "no", for the capability line. */
static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

/* Turns SVM on: EFER.SVME, then the host save area. Returns false, saying why, if it cannot. */
static bool svm_hw_enable(const struct cpu_info *ci, struct pmm *pmm)
{
	struct svm_caps *caps = &svm_host.caps;

	/* The caller picked this backend because svm_probe() found it usable (it runs once). */
	svm_read_caps(ci, caps);
	if (caps->nasid <= SVM_GUEST_ASID) {
		pr_err("umbra: svm: CPUID 8000000Ah:EBX reports %u ASID%s; the guest needs ASID %u\n",
		       caps->nasid, caps->nasid == 1 ? "" : "s", SVM_GUEST_ASID);
		return false;
	}
	svm_host.hsave_pa = hostmap_alloc_zeroed_page(pmm, UINT64_MAX);
	svm_host.host_vmcb_pa = hostmap_alloc_zeroed_page(pmm, UINT64_MAX);
	if (!svm_host.hsave_pa || !svm_host.host_vmcb_pa) {
		pr_err("umbra: svm: out of memory for the host save area\n");
		return false;
	}
	/* APM 15.4: EFER.SVME makes VMRUN, VMLOAD, VMSAVE, CLGI, STGI and SKINIT legal. */
	wrmsr(MSR_IA32_EFER, rdmsr(MSR_IA32_EFER) | EFER_SVME);
	/* APM 15.30.4: VMRUN saves host state at VM_HSAVE_PA, a 4 KiB-aligned page software
	 * must not touch while SVM is on. */
	wrmsr(MSR_VM_HSAVE_PA, svm_host.hsave_pa);
	svm_host.enabled = true;
	pr_info("umbra: svm: enabled, %u ASIDs, NRIP save %s, flush by ASID %s, "
		"decode assists %s, VMCB clean bits %s\n", caps->nasid, yes_no(caps->nrips),
		yes_no(caps->flush_by_asid), yes_no(caps->decode_assists), yes_no(caps->vmcb_clean));
	return true;
}

/* ------------------------------------------------------------------------------------------ */
/* Creating a vCPU */

/* Allocates npages contiguous pages filled with 0xff (everything intercepted); 0 on failure. */
static uint64_t svm_alloc_map(struct pmm *pmm, uint64_t npages)
{
	uint64_t pa = pmm_alloc(pmm, npages, PAGE_SIZE, UINT64_MAX);

	if (pa)
		memset(phys_to_virt(pa), 0xff, npages * PAGE_SIZE);
	return pa;
}

/* Lets the guest read and/or write msr directly: clears its MSRPM bits (APM 15.11, bit 2n
 * intercepts RDMSR and bit 2n+1 WRMSR of the n-th MSR of a range). */
static void svm_msrpm_allow(uint8_t *msrpm, uint32_t msr, bool read, bool write)
{
	static const uint32_t range_base[] = {
		SVM_MSRPM_RANGE0_BASE, SVM_MSRPM_RANGE1_BASE, SVM_MSRPM_RANGE2_BASE,
	};

	for (unsigned i = 0; i < sizeof(range_base) / sizeof(range_base[0]); i++) {
		uint32_t bit, n;
		uint8_t *byte;

		if (msr < range_base[i] || msr - range_base[i] >= SVM_MSRPM_RANGE_MSRS)
			continue;
		n = msr - range_base[i];
		bit = 2 * n;
		byte = msrpm + i * SVM_MSRPM_RANGE_BYTES + bit / 8;
		if (read)
			*byte &= ~(1u << (bit % 8));
		if (write)
			*byte &= ~(2u << (bit % 8));
		return;
	}
}

/* The MSRs whose guest values VMLOAD/VMSAVE switch pass through; EFER, PAT and everything
 * else exit; TSC reads pass (they see TSC_OFFSET), TSC writes exit. */
static void svm_msrpm_init(uint8_t *msrpm)
{
	static const uint32_t passed[] = {
		MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR, MSR_CSTAR,
		MSR_SFMASK, MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
	};

	for (unsigned i = 0; i < sizeof(passed) / sizeof(passed[0]); i++)
		svm_msrpm_allow(msrpm, passed[i], true, true);
	svm_msrpm_allow(msrpm, MSR_IA32_TSC, true, false);
}

/* Fills the VMCB control area: intercepts, permission maps, ASID, virtual interrupts. */
static void svm_control_init(struct svm_vcpu *sv)
{
	struct vmcb_control *c = &sv->vmcb->control;

	/* SVM has no CR read shadows: the guest's CR0/CR3/CR4 live in struct vcpu, so reads and
	 * writes both exit. CR8 does not: with V_INTR_MASKING its writes go to V_TPR (15.21.2). */
	c->intercept_cr = SVM_INTERCEPT_CR_READ(0) | SVM_INTERCEPT_CR_READ(3) |
			  SVM_INTERCEPT_CR_READ(4) | SVM_INTERCEPT_CR_WRITE(0) |
			  SVM_INTERCEPT_CR_WRITE(3) | SVM_INTERCEPT_CR_WRITE(4);
	/* Shadow paging: every guest #PF goes to the shadow MMU first (APM 15.12). #DB and #AC
	 * exit too, only to be given back: an exception whose delivery raises it again would
	 * otherwise keep the processor inside the guest for good (see guest/exits/exception.c). */
	c->intercept_exceptions = SVM_INTERCEPT_EXCEPTION(EXC_PF) | SVM_INTERCEPT_EXCEPTION(EXC_DB) |
				  SVM_INTERCEPT_EXCEPTION(EXC_AC);
	/* Physical INTR, NMI and INIT belong to the host (APM 15.13); SHUTDOWN stops the guest
	 * instead of resetting the machine; I/O and MSRs go through the maps below. RDPMC would
	 * read the host's counters, a task switch would load CR3 and the rest behind the shadow
	 * MMU (APM 15.14): both exit. */
	c->intercept_misc1 = SVM_INTERCEPT_INTR | SVM_INTERCEPT_NMI | SVM_INTERCEPT_INIT |
			     SVM_INTERCEPT_CPUID | SVM_INTERCEPT_INVD | SVM_INTERCEPT_HLT |
			     SVM_INTERCEPT_INVLPG | SVM_INTERCEPT_INVLPGA |
			     SVM_INTERCEPT_IOIO_PROT | SVM_INTERCEPT_MSR_PROT |
			     SVM_INTERCEPT_SHUTDOWN | SVM_INTERCEPT_RDPMC | SVM_INTERCEPT_TASK_SWITCH;
	/* The VMRUN intercept is mandatory (APM 15.5.1); the guest sees no SVM at all. MONITOR
	 * and MWAIT are hidden by CPUID and would otherwise run (MWAIT could sleep the host's
	 * CPU): both exit, armed or not. */
	c->intercept_misc2 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL | SVM_INTERCEPT_VMLOAD |
			     SVM_INTERCEPT_VMSAVE | SVM_INTERCEPT_STGI | SVM_INTERCEPT_CLGI |
			     SVM_INTERCEPT_SKINIT | SVM_INTERCEPT_XSETBV | SVM_INTERCEPT_MONITOR |
			     SVM_INTERCEPT_MWAIT | SVM_INTERCEPT_MWAIT_ARMED;
	c->iopm_base_pa = sv->iopm_pa;
	c->msrpm_base_pa = sv->msrpm_pa;
	c->guest_asid = SVM_GUEST_ASID;		/* must not be 0 (APM 15.5.1) */
	c->tlb_control = SVM_TLB_CONTROL_FLUSH_ALL;	/* nothing stale from an earlier owner */
	/* V_INTR_MASKING: guest RFLAGS.IF and CR8 affect only virtual interrupts; the host's IF
	 * keeps masking physical ones (APM 15.21.1). */
	c->vintr = SVM_VINTR_MASKING;
	c->np_control = 0;			/* shadow paging */
	c->clean = SVM_CLEAN_NONE;
}

/*
 * Nested paging (APM 15.25): the processor walks the guest's own tables, then Umbra's nested
 * tables at nCR3 for every guest-physical address. The guest's CR3, INVLPG and #PF are its own
 * business then (15.25.3: no intercept is needed for them); CR0 and CR4 still exit, as SVM has
 * no read shadows and Umbra checks every write. The guest's PAT (g_pat, 15.25.8) starts at its
 * power-on value in svm_load_state().
 */
static void svm_control_init_tdp(struct svm_vcpu *sv, uint64_t root)
{
	struct vmcb_control *c = &sv->vmcb->control;

	c->intercept_cr &= ~(SVM_INTERCEPT_CR_READ(3) | SVM_INTERCEPT_CR_WRITE(3));
	c->intercept_exceptions &= ~SVM_INTERCEPT_EXCEPTION(EXC_PF);
	c->intercept_misc1 &= ~SVM_INTERCEPT_INVLPG;
	c->np_control = SVM_NP_ENABLE;
	c->n_cr3 = root;
	sv->tdp = true;
}

/* Allocates the VMCB and the permission maps of v. */
static bool svm_vcpu_create(struct vcpu *v, struct pmm *pmm)
{
	uint64_t sv_pa;
	struct svm_vcpu *sv;

	if (!svm_host.enabled) {
		pr_err("umbra: svm: vCPU created before hw_enable\n");
		return false;
	}
	/* The #PF intercept is bit 14 of the exception intercepts, all or nothing: SVM has no
	 * error-code filter (APM Vol. 2 15.12), so a guest-not-present fault still exits and is
	 * reflected (2 exits per demand fault; the marker makes none worse). */
	v->np_faults_direct = false;
	sv_pa = hostmap_alloc_zeroed_page(pmm, UINT64_MAX);
	if (!sv_pa)
		goto oom;
	sv = phys_to_virt(sv_pa);
	sv->caps = svm_host.caps;
	sv->vmcb_pa = hostmap_alloc_zeroed_page(pmm, UINT64_MAX);
	sv->iopm_pa = svm_alloc_map(pmm, SVM_IOPM_PAGES);
	sv->msrpm_pa = svm_alloc_map(pmm, SVM_MSRPM_PAGES);
	if (!sv->vmcb_pa || !sv->iopm_pa || !sv->msrpm_pa)
		goto oom;
	sv->vmcb = phys_to_virt(sv->vmcb_pa);
	svm_msrpm_init(phys_to_virt(sv->msrpm_pa));
	svm_control_init(sv);
	if (v->tdp_root)
		svm_control_init_tdp(sv, v->tdp_root);
	v->arch = sv;
	v->tag = SVM_GUEST_ASID;
	return true;
oom:
	pr_err("umbra: svm: out of memory for the VMCB and permission maps\n");
	return false;
}

/* ------------------------------------------------------------------------------------------ */
/* Guest state */

/* The state-save-area slot of a segment register (APM table B-2). */
static struct vmcb_seg *svm_seg(struct vmcb_save *s, enum seg_reg seg)
{
	switch (seg) {
	case SEG_ES: return &s->es;
	case SEG_CS: return &s->cs;
	case SEG_SS: return &s->ss;
	case SEG_DS: return &s->ds;
	case SEG_FS: return &s->fs;
	case SEG_GS: return &s->gs;
	case SEG_LDTR: return &s->ldtr;
	case SEG_TR: return &s->tr;
	case SEG_COUNT: break;
	}
	return &s->ds;	/* not reached: callers pass a valid register */
}

/* The VMCB attribute word of a segment: descriptor bits 47:40 and 55:52 packed into 11:0
 * (APM 15.5.1, appendix B "segment attributes"). An unusable register is a not-present one. */
static uint16_t svm_attrib_of(const struct segment *in)
{
	uint16_t a = (in->type & SVM_ATTR_TYPE_MASK) | ((in->dpl & 3u) << SVM_ATTR_DPL_SHIFT);

	a |= (in->s ? SVM_ATTR_S : 0) | (in->present && !in->unusable ? SVM_ATTR_P : 0);
	a |= (in->avl ? SVM_ATTR_AVL : 0) | (in->l ? SVM_ATTR_L : 0);
	a |= (in->db ? SVM_ATTR_DB : 0) | (in->g ? SVM_ATTR_G : 0);
	return a;
}

/* Converts a neutral segment into its VMCB form. */
static void svm_seg_store(struct vmcb_seg *out, const struct segment *in)
{
	out->selector = in->selector;
	out->attrib = svm_attrib_of(in);
	out->limit = in->limit;		/* the VMCB holds the byte-granular limit, like struct segment */
	out->base = in->base;
}

/* Converts a VMCB segment back into neutral form. */
static void svm_seg_read(struct segment *out, const struct vmcb_seg *in)
{
	uint16_t a = in->attrib;

	out->selector = in->selector;
	out->base = in->base;
	out->limit = in->limit;
	out->type = a & SVM_ATTR_TYPE_MASK;
	out->s = a & SVM_ATTR_S;
	out->dpl = (a & SVM_ATTR_DPL_MASK) >> SVM_ATTR_DPL_SHIFT;
	out->present = a & SVM_ATTR_P;
	out->avl = a & SVM_ATTR_AVL;
	out->l = a & SVM_ATTR_L;
	out->db = a & SVM_ATTR_DB;
	out->g = a & SVM_ATTR_G;
	out->unusable = !out->present;	/* SVM has no separate "unusable" bit */
}

/* Real CR0: paging, protection and WP always on, since the guest always runs on Umbra's
 * shadow tables, even when it believes paging is off (APM 15.19 "Paged Real Mode" for the
 * idea). CD = 0 with NW = 1 is illegal guest state (APM 15.5.1). */
static uint64_t svm_real_cr0(const struct vcpu *v)
{
	/* 32-bit arithmetic: CR0_PG is the int 1 << 31, which would sign-extend, and CR0
	 * bits 63:32 must be zero (APM 15.5.1). */
	uint32_t cr0 = ((uint32_t)v->cr0 & SVM_CR0_GUEST_BITS) | CR0_PE | CR0_PG | CR0_WP | CR0_ET;

	if (!(cr0 & CR0_CD))
		cr0 &= ~(uint32_t)CR0_NW;
	return cr0;
}

/* Real CR4: the guest's instruction-behaviour bits, with PAE for the shadow tables. */
static uint64_t svm_real_cr4(const struct vcpu *v)
{
	uint64_t cr4 = (v->cr4 & SVM_CR4_GUEST_BITS) | CR4_PAE;

	if (v->cr0 & CR0_PG)
		cr4 |= v->cr4 & SVM_CR4_PAGING_BITS;
	return cr4;
}

/* Real EFER: SVME must be set in the guest's EFER too (APM 15.5.1). Long mode only when the
 * guest runs paged in long mode; otherwise the shadow is PAE. */
static uint64_t svm_real_efer(const struct vcpu *v, const struct svm_caps *caps)
{
	uint64_t efer = EFER_SVME | (v->efer & EFER_SCE);

	if (caps->nx)
		efer |= EFER_NXE;
	if ((v->cr0 & CR0_PG) && (v->efer & EFER_LME))
		efer |= EFER_LME | EFER_LMA;
	return efer;
}

/* Flushes the guest's TLB entries at the next VMRUN only (APM 15.16): its own ASID when the
 * CPU can (FlushByAsid), every ASID otherwise; TLB_CONTROL 3 is reserved without it. */
static void svm_flush_tlb(struct vcpu *v)
{
	struct svm_vcpu *sv = to_svm(v);

	sv->vmcb->control.tlb_control = sv->caps.flush_by_asid ? SVM_TLB_CONTROL_FLUSH_ASID :
								 SVM_TLB_CONTROL_FLUSH_ALL;
}

/*
 * Nested paging: the real control registers are the guest's (APM 15.25.3), with ET set and NW
 * only with CD (15.5.1), EFER.SVME kept (15.5.1), the guest's NXE. Umbra only writes them
 * at the guest's CR0/CR4 and EFER writes, or at reset, each of which flushes the guest's TLB
 * as the instruction would (SDM Vol. 3A 4.10.4.1; VMRUN itself does not, 15.16).
 */
static void svm_update_paging_tdp(struct vcpu *v)
{
	struct svm_vcpu *sv = to_svm(v);
	struct vmcb_save *s = &sv->vmcb->save;
	uint32_t cr0 = ((uint32_t)v->cr0 & (SVM_CR0_GUEST_BITS | CR0_PE | CR0_PG | CR0_WP)) |
		       CR0_ET;
	uint64_t efer = EFER_SVME | (v->efer & (EFER_SCE | EFER_NXE));

	if (!(cr0 & CR0_CD))
		cr0 &= ~(uint32_t)CR0_NW;
	/* LME reaches the processor with paging, as under shadow paging: the guest's EFER reads
	 * and writes exit, so it cannot tell, and QEMU 7.2 TCG runs a guest that has LME with
	 * paging off into a shutdown. */
	if ((v->cr0 & CR0_PG) && (v->efer & EFER_LME))
		efer |= EFER_LME | EFER_LMA;
	s->cr0 = cr0;
	s->cr3 = v->cr3;
	sv->shadow_cr3 = v->cr3;
	s->cr4 = v->cr4;
	s->efer = efer;
}

/* Nested paging: the CR3 the guest loaded since the last VMRUN. In PAE mode its PDPTEs are read
 * again for Umbra's own walks (guest/run.c): the VMCB has no PDPTE registers to copy. */
static void svm_read_back_paging_tdp(struct vcpu *v, const struct vmcb_save *s)
{
	if (s->cr3 == v->cr3)
		return;
	v->cr3 = s->cr3;
	v->pdptes_stale = true;
}

/* Writes the real CR0/CR3/CR4/EFER. VMRUN does not flush the TLB when it loads CR3 (APM
 * 15.16), so a change of what the translations mean flushes the guest's ASID. */
static void svm_update_paging(struct vcpu *v, uint64_t shadow_root)
{
	struct svm_vcpu *sv = to_svm(v);
	struct vmcb_save *s = &sv->vmcb->save;
	uint64_t cr0 = svm_real_cr0(v), cr4 = svm_real_cr4(v), efer = svm_real_efer(v, &sv->caps);

	if (sv->tdp) {
		svm_update_paging_tdp(v);
		return;
	}
	if (s->cr3 != shadow_root || ((s->cr0 ^ cr0) & CR0_WP) ||
	    ((s->cr4 ^ cr4) & (CR4_SMEP | CR4_SMAP)) || s->efer != efer)
		svm_flush_tlb(v);
	s->cr0 = cr0;
	s->cr3 = shadow_root;
	sv->shadow_cr3 = shadow_root;
	s->cr4 = cr4;
	s->efer = efer;
}

/* mmu=tdp: nested paging is CPUID 8000000Ah:EDX[0] (APM Vol. 2 15.25.1; Vol. 3 E.4.9). Nested
 * tables are long-mode tables, so 2 MiB pages always exist; the processor keeps their A/D bits
 * itself. */
static bool svm_tdp_probe(struct tdp_caps *caps, char *why, unsigned whylen)
{
	if (!svm_host.caps.np) {
		snprintk(why, whylen, "the CPU lacks NPT (CPUID 8000000Ah EDX[0] nested paging "
			 "is 0)");
		return false;
	}
	*caps = (struct tdp_caps){ .format = TDP_FORMAT_NPT, .large_2m = true, .ad_bits = false };
	return true;
}

/* The CPL VMRUN loads: SVM takes it from the VMCB, not from CS (APM 15.5.1); it is SS.DPL. */
static uint8_t svm_cpl_of(const struct vcpu *v)
{
	return v->seg[SEG_SS].dpl & 3;
}

/* Writes the whole reset state of v into the VMCB: segments, tables, GPRs in the VMCB, RIP,
 * RFLAGS, control and debug registers; the VMLOAD-switched MSRs start at 0. */
static void svm_load_state(struct vcpu *v)
{
	struct svm_vcpu *sv = to_svm(v);
	struct vmcb_save *s = &sv->vmcb->save;
	struct vmcb_control *c = &sv->vmcb->control;

	for (int seg = SEG_ES; seg < SEG_COUNT; seg++)
		svm_seg_store(svm_seg(s, seg), &v->seg[seg]);
	s->gdtr = (struct vmcb_seg){ .limit = v->gdtr.limit, .base = v->gdtr.base };
	s->idtr = (struct vmcb_seg){ .limit = v->idtr.limit, .base = v->idtr.base };
	s->cpl = svm_cpl_of(v);
	s->rip = v->rip;
	s->rsp = v->gpr[GPR_RSP];
	s->rax = v->gpr[GPR_RAX];
	s->rflags = v->rflags | RFLAGS_RESERVED1;
	s->cr2 = v->cr2;
	s->dr6 = SVM_DR6_INIT;
	s->dr7 = SVM_DR7_INIT;
	s->g_pat = SVM_PAT_INIT;
	s->star = s->lstar = s->cstar = s->sfmask = s->kernel_gs_base = 0;
	s->sysenter_cs = s->sysenter_esp = s->sysenter_eip = 0;
	s->dbgctl = 0;
	c->int_state = 0;
	c->event_inj = 0;
	c->vintr = SVM_VINTR_MASKING | (v->cr8 & SVM_VINTR_TPR_MASK);
	svm_update_paging(v, s->cr3);
	svm_flush_tlb(v);
}

/* EVENTINJ type of a neutral event (APM 15.20). */
static uint64_t svm_event_type(enum event_type type)
{
	switch (type) {
	case EVENT_EXT_INTERRUPT: return SVM_EVENT_TYPE_INTR;
	case EVENT_NMI: return SVM_EVENT_TYPE_NMI;
	case EVENT_HW_EXCEPTION: return SVM_EVENT_TYPE_EXCEPTION;
	case EVENT_SW_INTERRUPT: return SVM_EVENT_TYPE_SOFT_INT;
	}
	return SVM_EVENT_TYPE_EXCEPTION;
}

/*
 * Hands v->pending_event to EVENTINJ (APM 15.20). The processor delivers it at VMRUN whatever
 * the guest's IF or interrupt shadow say: the guest layer decides when an interrupt may go.
 * An injected software interrupt returns to the VMCB RIP, or with NRIPS to next_rip; both are
 * v->rip, which the guest layer has already moved past the INTn.
 */
static void svm_inject_event(struct vcpu *v, struct vmcb_control *c)
{
	struct event *e = &v->pending_event;
	uint64_t type, inj;

	c->event_inj = 0;
	if (!e->pending)
		return;
	type = svm_event_type(e->type);
	inj = (e->type == EVENT_NMI ? EXC_NMI : e->vector) | SVM_EVENT_VALID |
	      (type << SVM_EVENT_TYPE_SHIFT);
	if (type == SVM_EVENT_TYPE_EXCEPTION && e->has_error_code)
		inj |= SVM_EVENT_EV | ((uint64_t)e->error_code << SVM_EVENT_ERROR_SHIFT);
	if (type == SVM_EVENT_TYPE_SOFT_INT)
		c->next_rip = v->rip;
	c->event_inj = inj;
	e->pending = false;
}

/*
 * APM 15.7.2: an exit in the middle of delivering an event (a #PF on the IDT or the stack,
 * an intercepted exception...) leaves the event in EXITINTINFO, undelivered. Put it back in
 * front of the queue so the next entry delivers it. INTn, INT3 and INTO are not re-queued:
 * the saved RIP is the instruction's own, and running it again raises the event again.
 */
static void svm_requeue_interrupted(struct vcpu *v, const struct vmcb_control *c)
{
	uint64_t info = c->exit_int_info;
	unsigned type = (info & SVM_EVENT_TYPE_MASK) >> SVM_EVENT_TYPE_SHIFT;
	uint8_t vector = info & SVM_EVENT_VECTOR_MASK;
	struct event *e = &v->pending_event;

	if (!(info & SVM_EVENT_VALID) || (uint32_t)c->exit_code == SVM_EXIT_INVALID)
		return;
	switch (type) {
	case SVM_EVENT_TYPE_INTR:
		e->type = EVENT_EXT_INTERRUPT;
		break;
	case SVM_EVENT_TYPE_NMI:
		e->type = EVENT_NMI;
		break;
	case SVM_EVENT_TYPE_EXCEPTION:
		if (vector == EXC_BP || vector == EXC_OF)
			return;
		e->type = EVENT_HW_EXCEPTION;
		break;
	default:
		return;		/* software interrupt: re-executed */
	}
	e->pending = true;
	e->vector = vector;
	e->has_error_code = info & SVM_EVENT_EV;
	e->error_code = info >> SVM_EVENT_ERROR_SHIFT;
}

/* Copies the registers struct vcpu owns between exits into the VMCB. */
static void svm_state_to_vmcb(struct vcpu *v, struct vmcb *vmcb)
{
	struct vmcb_save *s = &vmcb->save;
	struct vmcb_control *c = &vmcb->control;

	/* The guest layer completed the instruction that exited: any STI or MOV SS shadow it
	 * was under ends with it (APM 15.21 "Interrupt Shadows"). */
	if (s->rip != v->rip)
		c->int_state &= ~SVM_INT_STATE_SHADOW;
	s->rip = v->rip;
	s->rsp = v->gpr[GPR_RSP];
	s->rax = v->gpr[GPR_RAX];
	s->rflags = v->rflags | RFLAGS_RESERVED1;
	s->cr2 = v->cr2;
	c->vintr = (c->vintr & ~SVM_VINTR_TPR_MASK) | (v->cr8 & SVM_VINTR_TPR_MASK);
	c->tsc_offset = v->tsc_offset;
}

/* Copies back what the guest may have changed among the registers struct vcpu owns. */
static void svm_state_from_vmcb(struct vcpu *v, const struct vmcb *vmcb)
{
	const struct vmcb_save *s = &vmcb->save;

	v->rip = s->rip;
	v->gpr[GPR_RSP] = s->rsp;
	v->gpr[GPR_RAX] = s->rax;
	v->rflags = s->rflags;
	v->cr2 = s->cr2;
	v->cr8 = vmcb->control.vintr & SVM_VINTR_TPR_MASK;
}

/* Remembers what this VMRUN is given, for svm_dump() after a failed entry. */
static void svm_note_entry(struct svm_vcpu *sv)
{
	const struct vmcb *vmcb = sv->vmcb;

	sv->entry = (struct svm_entry_state){
		.cr0 = vmcb->save.cr0, .cr3 = vmcb->save.cr3, .cr4 = vmcb->save.cr4,
		.efer = vmcb->save.efer, .dr6 = vmcb->save.dr6, .dr7 = vmcb->save.dr7,
		.rflags = vmcb->save.rflags, .event_inj = vmcb->control.event_inj,
		.asid = vmcb->control.guest_asid, .intercept_misc2 = vmcb->control.intercept_misc2,
		.cs_attrib = vmcb->save.cs.attrib,
	};
}

/*
 * After a #DB intercept: the processor has already written DR6 and DR7 into the VMCB as the
 * delivery would (APM 15.12), except that some leave DR7.GD set (Bochs 2.7). Every #DB clears
 * GD on the way to its handler (SDM Vol. 3A 18.2.4; APM Vol. 2 13.1.1.5), and the handler's
 * first MOV DR would fault again without that; clearing it changes nothing where the
 * processor did.
 */
static void svm_deliver_debug_state(struct vmcb_save *s)
{
	s->dr7 &= ~(uint64_t)DR7_GD;
}

/*
 * The single-step trap after an instruction Umbra completed (guest/single_step.h). SVM keeps
 * no pending debug exceptions, so the trap is injected as the #DB it is: RIP is already past
 * the instruction, as a trap's return address is, and the guest's DR6 and DR7 become what the
 * #DB's delivery makes them: BS set, the other status bits kept, since the processor never
 * clears them (APM Vol. 2 13.1.1.3), and GD cleared (13.1.1.5). The guest layer lets no other
 * event be queued while the trap is due; should one be, the trap waits for a later entry.
 */
static void svm_single_step_trap(struct vcpu *v, struct vmcb_save *s)
{
	if (v->pending_event.pending)
		return;
	v->single_step_trap = false;
	s->dr6 |= DR6_BS;
	s->dr7 &= ~(uint64_t)DR7_GD;
	v->pending_event = (struct event){ .pending = true, .type = EVENT_HW_EXCEPTION,
					   .vector = EXC_DB };
}

/* One VMRUN: state in, event in, run, state out, interrupted event back, exit decoded. */
static void svm_run(struct vcpu *v, struct vm_exit *exit)
{
	struct svm_vcpu *sv = to_svm(v);
	struct vmcb *vmcb = sv->vmcb;

	if (v->single_step_trap)
		svm_single_step_trap(v, &vmcb->save);
	svm_state_to_vmcb(v, vmcb);
	svm_inject_event(v, &vmcb->control);
	/* Umbra rewrites VMCB fields freely: nothing may be taken from a cache (APM 15.15). */
	vmcb->control.clean = SVM_CLEAN_NONE;
	svm_note_entry(sv);
	/* VMRUN loads CR2 from the VMCB (APM 15.5.1), but Bochs 2.7 does not: it reads the field
	 * and keeps the processor's CR2. Loading the register too makes both right; Umbra itself
	 * takes no page faults, so its own CR2 value means nothing. */
	write_cr2(v->cr2);
	svm_enter(v->gpr, sv->vmcb_pa, svm_host.host_vmcb_pa);
	vmcb->control.tlb_control = SVM_TLB_CONTROL_NONE;
	vmcb->control.event_inj = 0;
	svm_state_from_vmcb(v, vmcb);
	if (sv->tdp)
		svm_read_back_paging_tdp(v, &vmcb->save);
	svm_requeue_interrupted(v, &vmcb->control);
	svm_exit_translate(v, sv, exit);
	if (exit->kind == EXIT_DEBUG)
		svm_deliver_debug_state(&vmcb->save);
}

/* The guest's current segment register: the VMCB holds it after each exit (VMSAVE included). */
static void svm_get_segment(struct vcpu *v, enum seg_reg seg, struct segment *out)
{
	svm_seg_read(out, svm_seg(&to_svm(v)->vmcb->save, seg));
}

/* The guest's current GDTR and IDTR. */
static void svm_get_desc_tables(struct vcpu *v, struct desc_table *gdt, struct desc_table *idt)
{
	const struct vmcb_save *s = &to_svm(v)->vmcb->save;

	gdt->base = s->gdtr.base;
	gdt->limit = s->gdtr.limit;
	idt->base = s->idtr.base;
	idt->limit = s->idtr.limit;
}

/* True while an STI or MOV SS shadow blocks interrupts (VMCB interrupt state, APM 15.21). */
static bool svm_interrupt_shadow(struct vcpu *v)
{
	const struct vmcb *vmcb = to_svm(v)->vmcb;

	/* An instruction Umbra completed (RIP moved) ends the shadow it was under. */
	if (vmcb->save.rip != v->rip)
		return false;
	return vmcb->control.int_state & SVM_INT_STATE_SHADOW;
}

/* Interrupt window (APM 15.21.4): a virtual interrupt request (V_IRQ) with the VINTR intercept
 * makes the processor exit when the guest could take it (IF=1, no shadow); Umbra then injects
 * the real vector through EVENTINJ. */
static void svm_set_interrupt_window(struct vcpu *v, bool on)
{
	struct vmcb_control *c = &to_svm(v)->vmcb->control;

	if (on) {
		c->vintr |= SVM_VINTR_IRQ | SVM_VINTR_IGN_TPR | SVM_VINTR_PRIO_MAX;
		c->intercept_misc1 |= SVM_INTERCEPT_VINTR;
	} else {
		c->vintr &= ~(SVM_VINTR_IRQ | SVM_VINTR_IGN_TPR | SVM_VINTR_PRIO_MAX);
		c->intercept_misc1 &= ~SVM_INTERCEPT_VINTR;
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Reports */

/* After a failed VMRUN: what it was given, and which rule that breaks if Umbra can tell. */
static void svm_dump_entry(const struct svm_entry_state *e)
{
	const char *why = svm_entry_violation(e);

	pr_info("  svm: entry state: cr0 %llx cr3 %llx cr4 %llx efer %llx dr6 %llx dr7 %llx "
		"rflags %llx cs attr %03x event_inj %llx\n", (unsigned long long)e->cr0,
		(unsigned long long)e->cr3, (unsigned long long)e->cr4, (unsigned long long)e->efer,
		(unsigned long long)e->dr6, (unsigned long long)e->dr7,
		(unsigned long long)e->rflags, e->cs_attrib, (unsigned long long)e->event_inj);
	pr_info("  svm: entry check: %s\n", why ? why : "no architectural rule Umbra checks is "
		"broken (a reserved CR3/CR4/EFER bit or a processor-specific check?)");
}

/* The SVM detail of a stop report: exit fields, real and guest control registers, CS/SS. */
static void svm_dump(struct vcpu *v)
{
	const struct svm_vcpu *sv = to_svm(v);
	const struct vmcb_control *c = &sv->vmcb->control;
	const struct vmcb_save *s = &sv->vmcb->save;

	if ((uint32_t)c->exit_code == SVM_EXIT_INVALID)
		svm_dump_entry(&sv->entry);

	pr_info("  svm: exit 0x%llx %s  exitinfo1 %llx  exitinfo2 %llx  exitintinfo %llx\n",
		(unsigned long long)c->exit_code, svm_exit_name(c->exit_code),
		(unsigned long long)c->exit_info1, (unsigned long long)c->exit_info2,
		(unsigned long long)c->exit_int_info);
	pr_info("  svm: vmcb cr0 %llx cr3 %llx cr4 %llx efer %llx; guest view cr0 %llx cr3 %llx "
		"cr4 %llx efer %llx\n", (unsigned long long)s->cr0, (unsigned long long)s->cr3,
		(unsigned long long)s->cr4, (unsigned long long)s->efer, (unsigned long long)v->cr0,
		(unsigned long long)v->cr3, (unsigned long long)v->cr4, (unsigned long long)v->efer);
	pr_info("  svm: cs %04x attr %03x base %llx limit %x  ss %04x attr %03x  cpl %u  "
		"rflags %llx  next_rip %llx\n", s->cs.selector, s->cs.attrib,
		(unsigned long long)s->cs.base, s->cs.limit, s->ss.selector, s->ss.attrib, s->cpl,
		(unsigned long long)s->rflags, (unsigned long long)c->next_rip);
	pr_info("  svm: asid %u  int_state %llx  vintr %llx  event_inj %llx  intercepts cr %08x "
		"exc %08x misc %08x %08x\n", c->guest_asid, (unsigned long long)c->int_state,
		(unsigned long long)c->vintr, (unsigned long long)c->event_inj, c->intercept_cr,
		c->intercept_exceptions, c->intercept_misc1, c->intercept_misc2);
}

const struct vcpu_ops svm_ops = {
	.name = "svm",
	.hw_enable = svm_hw_enable,
	.vcpu_create = svm_vcpu_create,
	.load_state = svm_load_state,
	.run = svm_run,
	.update_paging = svm_update_paging,
	.flush_tlb = svm_flush_tlb,
	.tdp_probe = svm_tdp_probe,
	.tdp_flush = svm_flush_tlb,	/* the ASID's TLB holds the nested translations too (15.16) */
	.get_segment = svm_get_segment,
	.get_desc_tables = svm_get_desc_tables,
	.interrupt_shadow = svm_interrupt_shadow,
	.set_interrupt_window = svm_set_interrupt_window,
	.dump = svm_dump,
};
