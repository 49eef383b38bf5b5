/*
 * The Intel VMX backend: VMXON, the VMCS of the one vCPU, entry and exit. Every control comes
 * from the (TRUE_) capability MSRs; a required control the CPU lacks fails with its name.
 */
#include "vmx/vmx.h"
#include "vmx/vmx_caps.h"
#include "vmx/vmx_ept.h"
#include "vmx/vmx_exit.h"
#include "vmx/vmx_ops.h"
#include "arch/debugreg.h"
#include "arch/rflags.h"
#include "arch/cpu.h"
#include "arch/cpu_info.h"
#include "arch/cpuid.h"
#include "arch/cr.h"
#include "arch/desc.h"
#include "arch/msr.h"
#include "arch/panic.h"
#include "arch/pfec.h"
#include "arch/segment.h"
#include "arch/trap.h"
#include "arch/tsc.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/hostmap.h"
#include "mm/page.h"
#include "mm/pmm.h"

#define FOUR_GIB		(1ULL << 32)
#define VMX_BASIC_32BIT_ADDR	(1ULL << 48)	/* VMXON region and VMCS must be below 4 GiB (A.1) */
#define VMX_BASIC_INS_OUTS_INFO	(1ULL << 54)	/* exit instruction info describes INS/OUTS */
#define DR7_RESET		0x400
#define GUEST_VPID		1

/* Control bits Umbra cannot run without, and those it uses when the CPU has them. */
#define PIN_REQUIRED	(PIN_EXT_INTR_EXITING | PIN_NMI_EXITING)
#define PIN_OPTIONAL	(PIN_PREEMPTION_TIMER)
/* The preemption timer's period in TSC ticks: about 1.5 ms at 3 GHz, and a few million guest
 * instructions on emulators whose TSC follows the instruction count. */
#define PREEMPTION_TSC_TICKS	(1ULL << 22)
/* MONITOR/MWAIT are hidden by CPUID and RDPMC would read the host's counters: all three exit
 * (task switches always do, SDM Vol. 3C 26.4.2). */
#define PROC_REQUIRED	(PROC_HLT_EXITING | PROC_INVLPG_EXITING | PROC_CR3_LOAD_EXITING | \
			 PROC_CR3_STORE_EXITING | PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING | \
			 PROC_UNCOND_IO_EXITING | PROC_USE_MSR_BITMAPS | PROC_MWAIT_EXITING | \
			 PROC_MONITOR_EXITING | PROC_RDPMC_EXITING)
#define PROC_OPTIONAL	(PROC_SECONDARY_CONTROLS | PROC_USE_TSC_OFFSETTING)
/* Interrupt-window exiting is switched on only while an interrupt waits; every CPU with VMX
 * allows it (SDM 25.6.2), and it is checked like the others. */
#define PROC_REQUIRED_TOO (PROC_INTR_WINDOW_EXITING)
#define PROC2_OPTIONAL	(PROC2_ENABLE_VPID | PROC2_ENABLE_RDTSCP)
#define EXIT_REQUIRED	(EXIT_HOST_ADDR_SPACE_SIZE | EXIT_SAVE_IA32_EFER | EXIT_LOAD_IA32_EFER | \
			 EXIT_ACK_INTR_ON_EXIT)
#define ENTRY_REQUIRED	(ENTRY_LOAD_IA32_EFER)

/* CR0/CR4 bits of the guest that reach the real registers; the rest Umbra decides. */
#define CR0_GUEST_BITS	(CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_AM)
#define CR4_GUEST_BITS	(CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_MCE | CR4_PCE | CR4_OSFXSR | \
			 CR4_OSXMMEXCPT | CR4_UMIP | CR4_FSGSBASE | CR4_OSXSAVE)
#define CR4_PAGING_BITS	(CR4_SMEP | CR4_SMAP)
/* TDP: the exits that only shadow paging needs. The guest owns its CR3 and its TLB (SDM Vol. 3C
 * 25.6.2: CR3-load/store and INVLPG exiting), where the capability MSR lets them be 0. */
#define PROC_SHADOW_ONLY	(PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING | \
				 PROC_INVLPG_EXITING)
/* TDP: EPT and, so that a guest with paging or protection off runs as it is, unrestricted
 * guest (25.6.2, table 25-7; 26.3.1.1 exempts CR0.PE/PG from FIXED0 with it). */
#define PROC2_TDP		(PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST)
/* TDP: CR0/CR4 bits the guest writes without an exit (25.6.6: a bit clear in the guest/host
 * mask belongs to the guest). They change neither the paging mode nor anything Umbra checks;
 * every other bit stays Umbra's, so its write exits and is checked as before. CR4.PGE is here
 * because kernels toggle it to flush global pages. */
#define CR0_TDP_GUEST_OWNED	(CR0_MP | CR0_EM | CR0_TS | CR0_WP | CR0_AM)
#define CR4_TDP_GUEST_OWNED	(CR4_TSD | CR4_DE | CR4_PSE | CR4_MCE | CR4_PGE | CR4_PCE | \
				 CR4_OSFXSR | CR4_OSXMMEXCPT)

/* What VMXON found out about this CPU; one per CPU (Umbra runs on one). */
static struct vmx_host {
	uint32_t revision;
	bool below_4g;
	bool ins_outs_info;
	uint32_t pin, proc, proc2, exit, entry;
	uint64_t entry_cap;		/* to check IA-32e mode guest is allowed */
	uint64_t proc_cap;		/* the (TRUE_) processor-based capability MSR */
	uint64_t proc2_cap;		/* IA32_VMX_PROCBASED_CTLS2, 0 without secondary controls */
	struct vmx_ept ept;		/* valid after a successful vmx_tdp_probe() */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	bool vpid;
	unsigned invvpid_type;
	uint64_t vmxon_region;
	uint32_t preemption_value;	/* loaded before each entry when the timer is on */
	unsigned preemption_rate;	/* the timer counts every 2^rate TSC ticks */
	bool host_nx;			/* the real EFER.NXE may be set for the guest */
} vmx_host;

struct vmx_vcpu {
	uint64_t exit_rip;		/* RIP at the last exit, to see whether Umbra moved it */
	uint64_t vmcs;
	uint64_t msr_bitmap;
	bool launched;
	uint32_t entry_controls;
	uint32_t proc, proc2;		/* this vCPU's processor-based controls */
	bool tdp;			/* EPT runs the guest's paging */
	bool np_direct;			/* #PF with P = 0 go to the guest (vcpu.np_faults_direct) */
	uint64_t eptp;
	uint64_t cr0_mask, cr4_mask;	/* the bits Umbra owns (25.6.6) */
};

extern int vmx_enter(uint64_t *gpr, int launched);
extern char vmx_exit_entry[];

/* Picks a control value, reporting a missing required bit by name of its group. */
static bool vmx_controls(const char *name, uint32_t msr, uint32_t true_msr, bool use_true,
			 uint32_t required, uint32_t optional, uint32_t *out, uint64_t *cap_out)
{
	uint64_t cap = rdmsr(use_true ? true_msr : msr);
	uint32_t missing;

	if (cap_out)
		*cap_out = cap;
	if (vmx_control_value(cap, required, optional, out, &missing))
		return true;
	pr_err("umbra: vmx: the CPU lacks required %s controls 0x%x (capability MSR 0x%x = %llx)\n",
	       name, missing, use_true ? true_msr : msr, (unsigned long long)cap);
	return false;
}

static bool vmx_compute_controls(struct vmx_host *h, uint64_t basic)
{
	bool t = basic & VMX_BASIC_TRUE_CTLS;
	uint32_t missing;

	if (!vmx_controls("pin-based", MSR_IA32_VMX_PINBASED_CTLS, MSR_IA32_VMX_TRUE_PINBASED_CTLS,
			  t, PIN_REQUIRED, PIN_OPTIONAL, &h->pin, NULL) ||
	    !vmx_controls("processor-based", MSR_IA32_VMX_PROCBASED_CTLS,
			  MSR_IA32_VMX_TRUE_PROCBASED_CTLS, t, PROC_REQUIRED | PROC_REQUIRED_TOO,
			  PROC_OPTIONAL, &h->proc, &h->proc_cap) ||
	    !vmx_controls("VM-exit", MSR_IA32_VMX_EXIT_CTLS, MSR_IA32_VMX_TRUE_EXIT_CTLS, t,
			  EXIT_REQUIRED, 0, &h->exit, NULL) ||
	    !vmx_controls("VM-entry", MSR_IA32_VMX_ENTRY_CTLS, MSR_IA32_VMX_TRUE_ENTRY_CTLS, t,
			  ENTRY_REQUIRED, 0, &h->entry, &h->entry_cap))
		return false;
	h->proc2 = 0;
	h->proc2_cap = 0;
	if (h->proc & PROC_SECONDARY_CONTROLS) {
		h->proc2_cap = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
		vmx_control_value(h->proc2_cap, 0, PROC2_OPTIONAL, &h->proc2, &missing);
	}
	/* SDM Vol. 3C A.10: IA32_VMX_EPT_VPID_CAP exists only if EPT or VPID can be enabled. */
	if (h->proc2 & PROC2_ENABLE_VPID) {
		uint64_t cap = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);

		if ((cap & VPID_CAP_INVVPID) && (cap & VPID_CAP_INVVPID_SINGLE))
			h->invvpid_type = INVVPID_SINGLE_CONTEXT;
		else if ((cap & VPID_CAP_INVVPID) && (cap & VPID_CAP_INVVPID_ALL))
			h->invvpid_type = INVVPID_ALL_CONTEXTS;
		else
			h->proc2 &= ~PROC2_ENABLE_VPID;	/* no way to flush: do without */
	}
	h->vpid = h->proc2 & PROC2_ENABLE_VPID;
	h->proc &= ~PROC_INTR_WINDOW_EXITING;	/* off until an interrupt waits */
	/* SDM Vol. 3C 25.5.1: the timer counts down at the TSC rate divided by 2^X, X from
	 * IA32_VMX_MISC[4:0]; it gives Umbra control back from a guest that never exits. */
	if (h->pin & PIN_PREEMPTION_TIMER) {
		h->preemption_rate = rdmsr(MSR_IA32_VMX_MISC) & VMX_MISC_PREEMPTION_RATE;
		h->preemption_value = (uint32_t)(PREEMPTION_TSC_TICKS >> h->preemption_rate);
	}
	if (!h->proc2)
		h->proc &= ~PROC_SECONDARY_CONTROLS;
	return true;
}

/* SDM Vol. 3C 24.7: IA32_FEATURE_CONTROL must allow VMX outside SMX; if the firmware left it
 * unlocked, Umbra enables VMX and locks it, as firmware would. */
static bool vmx_feature_control(void)
{
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);

	if (!(fc & FEATURE_CONTROL_LOCKED)) {
		fc |= FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMX_OUTSIDE_SMX;
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc);
	}
	return fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX;
}

static bool vmx_hw_enable(const struct cpu_info *ci, struct pmm *pmm)
{
	struct vmx_host *h = &vmx_host;
	uint64_t basic;

	/* The caller picked this backend because vmx_probe() found it usable (it runs once). */
	if (!vmx_feature_control()) {
		pr_err("umbra: vmx: IA32_FEATURE_CONTROL does not allow VMX outside SMX\n");
		return false;
	}
	h->host_nx = cpu_has(ci->ext1_edx, CPUID_80000001_EDX_NX);
	basic = rdmsr(MSR_IA32_VMX_BASIC);
	h->revision = basic & 0x7fffffff;
	h->below_4g = basic & VMX_BASIC_32BIT_ADDR;
	h->ins_outs_info = basic & VMX_BASIC_INS_OUTS_INFO;
	if (!vmx_compute_controls(h, basic))
		return false;

	/* SDM Vol. 3C 24.8: CR0 and CR4 must respect the FIXED MSRs in VMX operation (CR0.NE,
	 * CR4.VMXE at least). */
	h->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	h->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	h->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	h->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	write_cr0(vmx_cr_fixed(read_cr0(), h->cr0_fixed0, h->cr0_fixed1));
	write_cr4(vmx_cr_fixed(read_cr4() | CR4_VMXE, h->cr4_fixed0, h->cr4_fixed1));

	h->vmxon_region = hostmap_alloc_zeroed_page(pmm, h->below_4g ? FOUR_GIB : UINT64_MAX);
	if (!h->vmxon_region)
		return false;
	*(uint32_t *)phys_to_virt(h->vmxon_region) = h->revision;
	if (!vmx_on(h->vmxon_region)) {
		pr_err("umbra: vmx: VMXON failed\n");
		return false;
	}
	pr_info("umbra: vmx: on; revision 0x%x, controls pin %x proc %x proc2 %x exit %x entry %x, "
		"VPID %s, preemption timer %s\n", h->revision, h->pin, h->proc, h->proc2, h->exit,
		h->entry, h->vpid ? "yes" : "no", h->preemption_value ? "yes" : "no");
	return true;
}

/* SDM Vol. 3C 25.6.9: the bitmap has four 1 KiB parts: read low (MSRs 0-1FFFh), read high
 * (C0000000h-C0001FFFh), then the same two for writes. A set bit makes the access exit. */
static void msr_bitmap_pass(uint8_t *bitmap, uint32_t msr, bool read, bool write)
{
	unsigned base = (msr >= 0xc0000000) ? 1024 : 0;
	uint32_t bit = msr & 0x1fff;

	if (read)
		bitmap[base + bit / 8] &= ~(1u << (bit % 8));
	if (write)
		bitmap[2048 + base + bit / 8] &= ~(1u << (bit % 8));
}

/* MSRs whose guest values the VMCS switches (SYSENTER, FS/GS bases) or that Umbra never uses
 * itself (SYSCALL state, KERNEL_GS_BASE) go straight to the hardware. */
static void vmx_build_msr_bitmap(uint8_t *bitmap)
{
	static const uint32_t pass[] = {
		0x174, 0x175, 0x176,			/* SYSENTER_CS/ESP/EIP */
		0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084,	/* STAR LSTAR CSTAR SFMASK */
		MSR_FS_BASE, MSR_GS_BASE, 0xc0000102,	/* KERNEL_GS_BASE */
	};

	memset(bitmap, 0xff, PAGE_SIZE);
	for (unsigned i = 0; i < sizeof(pass) / sizeof(pass[0]); i++)
		msr_bitmap_pass(bitmap, pass[i], true, true);
	msr_bitmap_pass(bitmap, 0x10, true, false);	/* RDMSR of the TSC, as RDTSC */
}

static void vmx_write_host_state(void)
{
	struct desc_ptr idtr;

	__asm__ volatile("sidt %0" : "=m"(idtr));
	vmcs_writenat(VMCS_HOST_CR0, read_cr0());
	vmcs_writenat(VMCS_HOST_CR3, read_cr3());
	vmcs_writenat(VMCS_HOST_CR4, read_cr4());
	vmcs_write16(VMCS_HOST_CS_SEL, SEL_CODE64);
	vmcs_write16(VMCS_HOST_SS_SEL, SEL_DATA);
	vmcs_write16(VMCS_HOST_DS_SEL, SEL_DATA);
	vmcs_write16(VMCS_HOST_ES_SEL, SEL_DATA);
	vmcs_write16(VMCS_HOST_FS_SEL, 0);
	vmcs_write16(VMCS_HOST_GS_SEL, 0);
	vmcs_write16(VMCS_HOST_TR_SEL, SEL_TSS);
	vmcs_writenat(VMCS_HOST_FS_BASE, rdmsr(MSR_FS_BASE));
	vmcs_writenat(VMCS_HOST_GS_BASE, rdmsr(MSR_GS_BASE));
	vmcs_writenat(VMCS_HOST_TR_BASE, tss_base());
	vmcs_writenat(VMCS_HOST_GDTR_BASE, gdt_base());
	vmcs_writenat(VMCS_HOST_IDTR_BASE, idtr.base);
	vmcs_write32(VMCS_HOST_SYSENTER_CS, 0);
	vmcs_writenat(VMCS_HOST_SYSENTER_ESP, 0);
	vmcs_writenat(VMCS_HOST_SYSENTER_EIP, 0);
	vmcs_write64(VMCS_HOST_IA32_EFER, rdmsr(MSR_IA32_EFER));
	vmcs_writenat(VMCS_HOST_RIP, (uint64_t)vmx_exit_entry);
}

/*
 * The processor-based controls of x: Umbra's, and with TDP, EPT and unrestricted guest on and
 * the shadow-only exits off where the capability MSR allows 0 (its low half says which bits
 * must stay 1, A.3.2). Secondary controls are on with TDP: vmx_tdp_probe() saw them allowed.
 */
static void vmx_pick_controls(struct vmx_vcpu *x)
{
	const struct vmx_host *h = &vmx_host;

	x->proc = h->proc;
	x->proc2 = h->proc2;
	x->cr0_mask = ~0ULL;
	x->cr4_mask = ~0ULL;
	if (!x->tdp)
		return;
	x->proc = (h->proc & ~PROC_SHADOW_ONLY) | ((uint32_t)h->proc_cap & PROC_SHADOW_ONLY) |
		  PROC_SECONDARY_CONTROLS;
	x->proc2 = h->proc2 | PROC2_TDP;
	x->cr0_mask = ~(uint64_t)CR0_TDP_GUEST_OWNED;
	x->cr4_mask = ~(uint64_t)CR4_TDP_GUEST_OWNED;
}

static void vmx_write_controls(struct vmx_vcpu *x)
{
	const struct vmx_host *h = &vmx_host;

	vmx_pick_controls(x);
	vmcs_write32(VMCS_PIN_CONTROLS, h->pin);
	vmcs_write32(VMCS_PROC_CONTROLS, x->proc);
	if (x->proc & PROC_SECONDARY_CONTROLS)
		vmcs_write32(VMCS_PROC_CONTROLS2, x->proc2);
	if (x->tdp)
		vmcs_write64(VMCS_EPT_POINTER, x->eptp);
	vmcs_write32(VMCS_EXIT_CONTROLS, h->exit);
	x->entry_controls = h->entry;
	vmcs_write32(VMCS_ENTRY_CONTROLS, x->entry_controls);
	if (h->vpid)
		vmcs_write16(VMCS_VPID, GUEST_VPID);
	/* Shadow paging sees every #PF with P = 1 (SDM Vol. 3C 25.2: with exception-bitmap bit 14
	 * set, a #PF exits iff error code & PFEC_MASK == PFEC_MATCH; both P here): those with
	 * P = 0 meet a not-present guest entry (mm/spte.h) and go to the guest, with the error
	 * code its walk gives and CR2, without an exit. Without the marker (np_direct false)
	 * mask and match are 0: every #PF exits. With EPT the guest's #PF are its own. #DB and
	 * #AC exit only to be given back: an exception whose delivery raises it again would
	 * otherwise keep the processor inside the guest for good (see guest/exits/exception.c). */
	vmcs_write32(VMCS_EXCEPTION_BITMAP, (x->tdp ? 0 : (1u << EXC_PF)) | (1u << EXC_DB) |
		     (1u << EXC_AC));
	vmcs_write32(VMCS_PF_ERROR_MASK, x->np_direct ? PFEC_P : 0);
	vmcs_write32(VMCS_PF_ERROR_MATCH, x->np_direct ? PFEC_P : 0);
	vmcs_write32(VMCS_CR3_TARGET_COUNT, 0);
	/* Shadow paging: Umbra owns every CR0/CR4 bit: writes exit, reads see the read shadows
	 * (SDM 25.6.6). TDP: all but the guest-owned bits above. */
	vmcs_writenat(VMCS_CR0_MASK, x->cr0_mask);
	vmcs_writenat(VMCS_CR4_MASK, x->cr4_mask);
	vmcs_write64(VMCS_MSR_BITMAP, x->msr_bitmap);
	vmcs_write32(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write32(VMCS_ENTRY_INTR_INFO, 0);
	vmcs_write64(VMCS_LINK_POINTER, ~0ULL);	/* no shadow VMCS (SDM 26.3.1.5) */
}

static bool vmx_vcpu_create(struct vcpu *v, struct pmm *pmm)
{
	static struct vmx_vcpu vcpu0;	/* one guest, one vCPU */
	struct vmx_vcpu *x = &vcpu0;
	uint64_t limit = vmx_host.below_4g ? FOUR_GIB : UINT64_MAX;

	memset(x, 0, sizeof(*x));
	x->tdp = v->tdp_root != 0;
	x->np_direct = !x->tdp && v->np_faults_direct;
	v->np_faults_direct = x->np_direct;
	if (x->tdp)
		x->eptp = vmx_eptp(&vmx_host.ept, v->tdp_root);
	x->vmcs = hostmap_alloc_zeroed_page(pmm, limit);
	x->msr_bitmap = hostmap_alloc_zeroed_page(pmm, limit);
	if (!x->vmcs || !x->msr_bitmap)
		return false;
	*(uint32_t *)phys_to_virt(x->vmcs) = vmx_host.revision;
	vmx_build_msr_bitmap(phys_to_virt(x->msr_bitmap));
	if (!vmx_clear(x->vmcs) || !vmx_ptrld(x->vmcs)) {
		pr_err("umbra: vmx: VMCLEAR/VMPTRLD failed\n");
		return false;
	}
	vmx_write_controls(x);
	vmx_write_host_state();
	v->arch = x;
	v->tag = vmx_host.vpid ? GUEST_VPID : 0;
	v->own_timer = vmx_host.preemption_value != 0;
	/* SDM Vol. 3C 25.3: without "enable RDTSCP", RDTSCP and RDPID raise #UD in the guest. */
	v->rdtscp_faults = !(vmx_host.proc2 & PROC2_ENABLE_RDTSCP);
	return true;
}

/* Access rights as the VMCS holds them (SDM Vol. 3C 24.4.1, table 24-2). */
static uint32_t vmx_ar_of(const struct segment *s)
{
	if (s->unusable)
		return VMX_AR_UNUSABLE;
	return s->type | (uint32_t)s->s << 4 | (uint32_t)s->dpl << 5 | (uint32_t)s->present << 7 |
	       (uint32_t)s->avl << 12 | (uint32_t)s->l << 13 | (uint32_t)s->db << 14 |
	       (uint32_t)s->g << 15;
}

static void vmx_load_state(struct vcpu *v)
{
	struct vmx_vcpu *x = v->arch;

	/* A restart from the image enters with VMLAUNCH again, which fails on a launched VMCS
	 * (SDM Vol. 3C, VMLAUNCH/VMRESUME reference); VMCLEAR makes its launch state clear and
	 * leaves it not current, so it is loaded again (SDM Vol. 3C "Initializing a VMCS"). */
	if (x->launched && (!vmx_clear(x->vmcs) || !vmx_ptrld(x->vmcs)))
		panic("vmx: VMCLEAR/VMPTRLD of the guest's VMCS failed at restart");
	for (unsigned i = 0; i < SEG_COUNT; i++) {
		const struct segment *s = &v->seg[i];

		vmx_write_raw(VMCS_GUEST_ES_SEL + 2 * i, s->selector);
		vmx_write_raw(VMCS_GUEST_ES_LIMIT + 2 * i, s->limit);
		vmx_write_raw(VMCS_GUEST_ES_AR + 2 * i, vmx_ar_of(s));
		vmx_write_raw(VMCS_GUEST_ES_BASE + 2 * i, s->base);
	}
	vmcs_writenat(VMCS_GUEST_GDTR_BASE, v->gdtr.base);
	vmcs_write32(VMCS_GUEST_GDTR_LIMIT, v->gdtr.limit);
	vmcs_writenat(VMCS_GUEST_IDTR_BASE, v->idtr.base);
	vmcs_write32(VMCS_GUEST_IDTR_LIMIT, v->idtr.limit);
	vmcs_writenat(VMCS_GUEST_DR7, DR7_RESET);
	vmcs_writenat(VMCS_GUEST_PENDING_DBG, 0);
	vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write32(VMCS_GUEST_ACTIVITY_STATE, 0);
	vmcs_write32(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_writenat(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_writenat(VMCS_GUEST_SYSENTER_EIP, 0);
	vmcs_writenat(VMCS_GUEST_RFLAGS, v->rflags | RFLAGS_RESERVED1);
	x->launched = false;
}

/*
 * TDP: the real control registers are the guest's own, adjusted only where VMX or Umbra must:
 * the FIXED MSRs, except PE and PG under unrestricted guest (SDM Vol. 3C 26.3.1.1, A.7); CD
 * and NW stay clear, so the guest's memory stays cached as under shadow paging; VMXE stays
 * set (A.8; the read shadow shows the guest its own value). PAE paging loads the PDPTEs from
 * the VMCS at entry (26.3.2.4): they are the values Umbra loaded at the guest's MOV to CR0/CR4,
 * or the processor itself at a MOV to CR3 (saved at each exit, 28.3.4).
 */
static void vmx_update_paging_tdp(struct vcpu *v)
{
	const struct vmx_host *h = &vmx_host;
	struct vmx_vcpu *x = v->arch;
	bool lma = v->efer & EFER_LMA;
	uint64_t fixed0 = h->cr0_fixed0 & ~(uint64_t)(CR0_PE | CR0_PG);
	uint64_t cr0 = v->cr0 & ~(uint64_t)(CR0_CD | CR0_NW);
	uint64_t efer = v->efer & (EFER_SCE | EFER_NXE | EFER_LME | EFER_LMA);

	vmcs_writenat(VMCS_GUEST_CR0, vmx_cr_fixed(cr0, fixed0, h->cr0_fixed1));
	vmcs_writenat(VMCS_CR0_READ_SHADOW, v->cr0);
	vmcs_writenat(VMCS_GUEST_CR4,
		      vmx_cr_fixed(v->cr4 | CR4_VMXE, h->cr4_fixed0, h->cr4_fixed1));
	vmcs_writenat(VMCS_CR4_READ_SHADOW, v->cr4);
	vmcs_writenat(VMCS_GUEST_CR3, v->cr3);
	vmcs_write64(VMCS_GUEST_IA32_EFER, efer);
	if ((v->cr0 & CR0_PG) && (v->cr4 & CR4_PAE) && !lma)
		for (int i = 0; i < 4; i++)
			vmx_write_raw(VMCS_GUEST_PDPTE(i), v->pdptes[i]);
	x->entry_controls = lma ? (h->entry | ENTRY_IA32E_MODE_GUEST) : h->entry;
	vmcs_write32(VMCS_ENTRY_CONTROLS, x->entry_controls);
}

/* TDP: what the guest changed without an exit: its CR3, its own CR0/CR4 bits, and the PDPTEs
 * the processor loaded in PAE mode (saved at the exit with EPT, SDM Vol. 3C 28.3.4). */
static void vmx_read_back_paging_tdp(struct vcpu *v)
{
	const struct vmx_vcpu *x = v->arch;

	v->cr3 = vmcs_readnat(VMCS_GUEST_CR3);
	v->cr0 = (v->cr0 & x->cr0_mask) | (vmcs_readnat(VMCS_GUEST_CR0) & ~x->cr0_mask);
	v->cr4 = (v->cr4 & x->cr4_mask) | (vmcs_readnat(VMCS_GUEST_CR4) & ~x->cr4_mask);
	if ((v->cr0 & CR0_PG) && (v->cr4 & CR4_PAE) && !(v->efer & EFER_LMA))
		for (int i = 0; i < 4; i++)
			v->pdptes[i] = vmx_read_raw(VMCS_GUEST_PDPTE(i));
}

static void vmx_update_paging(struct vcpu *v, uint64_t shadow_root)
{
	const struct vmx_host *h = &vmx_host;
	struct vmx_vcpu *x = v->arch;
	bool lma = v->efer & EFER_LMA;
	uint64_t cr0, cr4, efer;

	if (x->tdp) {
		vmx_update_paging_tdp(v);
		return;
	}
	/* The processor always pages through Umbra's shadow tables; WP stays on so that read-only
	 * shadow entries hold for supervisor code too. */
	cr0 = (v->cr0 & CR0_GUEST_BITS) | CR0_PE | CR0_PG | CR0_WP | CR0_NE;
	cr4 = (v->cr4 & CR4_GUEST_BITS) | CR4_PAE | CR4_VMXE;
	if (v->cr0 & CR0_PG)
		cr4 |= v->cr4 & CR4_PAGING_BITS;
	/* Real LME/LMA only once the guest's long mode is active: with guest paging off the
	 * processor still pages (PAE), and LME=1 with PG=1 but LMA=0 fails VM entry (SDM 26.3.1.1). */
	efer = v->efer & (EFER_SCE | EFER_NXE);
	if (lma)
		efer |= EFER_LME | EFER_LMA;
	if (h->host_nx)
		efer |= EFER_NXE;
	vmcs_writenat(VMCS_GUEST_CR0, vmx_cr_fixed(cr0, h->cr0_fixed0, h->cr0_fixed1));
	vmcs_writenat(VMCS_CR0_READ_SHADOW, v->cr0);
	vmcs_writenat(VMCS_GUEST_CR4, vmx_cr_fixed(cr4, h->cr4_fixed0, h->cr4_fixed1));
	vmcs_writenat(VMCS_CR4_READ_SHADOW, v->cr4);
	vmcs_writenat(VMCS_GUEST_CR3, shadow_root);
	vmcs_write64(VMCS_GUEST_IA32_EFER, efer);
	/* SDM Vol. 3C 26.2.1.3: the IA-32e mode guest control must equal EFER.LMA. */
	x->entry_controls = lma ? (h->entry | ENTRY_IA32E_MODE_GUEST) : h->entry;
	vmcs_write32(VMCS_ENTRY_CONTROLS, x->entry_controls);
}

static void vmx_set_interrupt_window(struct vcpu *v, bool on)
{
	const struct vmx_vcpu *x = v->arch;

	vmcs_write32(VMCS_PROC_CONTROLS, x->proc | (on ? PROC_INTR_WINDOW_EXITING : 0));
}

/* EPT: Umbra's TDP tables dropped entries; flush the guest-physical and combined mappings of
 * the guest's EPTP (SDM Vol. 3C 29.4.3.4, 31.3 "INVEPT"), with the type the CPU supports. */
static void vmx_tdp_flush(struct vcpu *v)
{
	const struct vmx_vcpu *x = v->arch;

	if (x->tdp && !vmx_invept(vmx_host.ept.invept_type, x->eptp))
		panic("vmx: INVEPT type %u failed", vmx_host.ept.invept_type);
}

/* mmu=tdp: whether this CPU's VMX has the EPT Umbra needs (vmx/vmx_ept.c). IA32_VMX_EPT_VPID_CAP
 * may only be read when the secondary controls allow EPT or VPID (SDM Vol. 3C A.10). */
static bool vmx_tdp_probe(struct tdp_caps *caps, char *why, unsigned whylen)
{
	struct vmx_host *h = &vmx_host;
	uint64_t ept_cap = 0;

	/* proc2_cap is 0 when the secondary controls cannot be enabled (vmx_compute_controls). */
	if ((h->proc2_cap >> 32) & (PROC2_ENABLE_EPT | PROC2_ENABLE_VPID))
		ept_cap = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	if (!vmx_ept_check(h->proc2_cap, ept_cap, &h->ept, why, whylen))
		return false;
	*caps = h->ept.caps;
	return true;
}

static void vmx_flush_tlb(struct vcpu *v)
{
	/* Without VPID every VM entry and exit already flushes guest mappings (SDM 29.4.3.1). */
	if (vmx_host.vpid)
		vmx_invvpid(vmx_host.invvpid_type, v->tag);
}

static void vmx_inject_pending(struct vcpu *v)
{
	static const uint32_t types[] = {
		[EVENT_EXT_INTERRUPT] = INTR_TYPE_EXT_INTR, [EVENT_NMI] = INTR_TYPE_NMI,
		[EVENT_HW_EXCEPTION] = INTR_TYPE_HW_EXCEPTION, [EVENT_SW_INTERRUPT] = INTR_TYPE_SW_INTR,
	};
	struct event *e = &v->pending_event;
	uint32_t info;

	if (!e->pending)
		return;
	info = INTR_INFO_VALID | types[e->type] | e->vector;
	/* SDM Vol. 3C 26.2.1.3: only hardware exceptions deliver an error code, and only in
	 * protected mode. */
	if (e->has_error_code && e->type == EVENT_HW_EXCEPTION) {
		info |= INTR_INFO_ERROR_CODE;
		vmcs_write32(VMCS_ENTRY_EXCEPTION_ERROR, e->error_code);
	}
	vmcs_write32(VMCS_ENTRY_INTR_INFO, info);
	e->pending = false;
}

/* The preemption timer's start value: Umbra's regular slice, or less when a virtual device's
 * timer is due sooner (v->deadline_tsc, a host TSC value). */
static uint32_t vmx_preemption_value(const struct vcpu *v)
{
	uint64_t now, left;

	if (!v->deadline_tsc)
		return vmx_host.preemption_value;
	now = rdtsc();
	left = v->deadline_tsc > now ? (v->deadline_tsc - now) >> vmx_host.preemption_rate : 0;
	return left < vmx_host.preemption_value ? (uint32_t)left : vmx_host.preemption_value;
}

/*
 * The single-step trap after an instruction Umbra completed (guest/single_step.h). BS in the
 * guest's pending debug exceptions makes the processor deliver the #DB right after VM entry,
 * before any guest instruction runs (SDM Vol. 3C 26.7.3), as it would have after the
 * instruction; the #DB exits like any other (exit qualification BS) and is reflected. The
 * completed instruction (or REP iteration, between which events are taken) ends any STI /
 * MOV SS blocking it was under, so the entry checks that tie BS to TF under such blocking
 * (26.3.1.5) do not apply.
 */
static void vmx_single_step_trap(struct vcpu *v)
{
	v->single_step_trap = false;
	vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) &
		     ~(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
	vmcs_writenat(VMCS_GUEST_PENDING_DBG,
		      vmcs_readnat(VMCS_GUEST_PENDING_DBG) | PENDING_DBG_BS);
}

static void vmx_run(struct vcpu *v, struct vm_exit *exit)
{
	struct vmx_vcpu *x = v->arch;
	int failed;

	vmcs_writenat(VMCS_GUEST_RSP, v->gpr[GPR_RSP]);
	/* An instruction Umbra completed takes its STI / MOV SS shadow with it (SDM 26.6.1). */
	if (x->launched && v->rip != x->exit_rip)
		vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) &
			     ~(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
	if (v->single_step_trap)
		vmx_single_step_trap(v);
	vmcs_writenat(VMCS_GUEST_RIP, v->rip);
	vmcs_writenat(VMCS_GUEST_RFLAGS, v->rflags | RFLAGS_RESERVED1);
	vmx_inject_pending(v);
	if (vmx_host.preemption_value)
		vmcs_write32(VMCS_PREEMPTION_TIMER, vmx_preemption_value(v));
	/* SDM Vol. 3C 26.6.5: RDTSC, RDTSCP and RDMSR of IA32_TSC add the offset. */
	if (vmx_host.proc & PROC_USE_TSC_OFFSETTING)
		vmcs_write64(VMCS_TSC_OFFSET, v->tsc_offset);
	/* CR2 is not part of the VMCS: the guest's value must be in the register (SDM 27.3). */
	write_cr2(v->cr2);
	failed = vmx_enter(v->gpr, x->launched);
	v->cr2 = read_cr2();
	if (x->tdp)
		vmx_read_back_paging_tdp(v);
	if (failed) {
		memset(exit, 0, sizeof(*exit));
		exit->kind = EXIT_ENTRY_FAILED;
		exit->rip = v->rip;
		exit->entry.error = vmcs_read32(VMCS_INSN_ERROR);
		exit->raw_reason = ~0ULL;
		return;
	}
	x->launched = true;
	v->gpr[GPR_RSP] = vmcs_readnat(VMCS_GUEST_RSP);
	v->rip = vmcs_readnat(VMCS_GUEST_RIP);
	x->exit_rip = v->rip;
	v->rflags = vmcs_readnat(VMCS_GUEST_RFLAGS);
	vmx_decode_exit(v, exit, vmx_host.ins_outs_info);
}

static void vmx_get_segment(struct vcpu *v, enum seg_reg seg, struct segment *out)
{
	uint32_t ar = (uint32_t)vmx_read_raw(VMCS_GUEST_ES_AR + 2 * seg);

	(void)v;
	out->selector = (uint16_t)vmx_read_raw(VMCS_GUEST_ES_SEL + 2 * seg);
	out->base = vmx_read_raw(VMCS_GUEST_ES_BASE + 2 * seg);
	out->limit = (uint32_t)vmx_read_raw(VMCS_GUEST_ES_LIMIT + 2 * seg);
	out->type = ar & 0xf;
	out->s = ar >> 4 & 1;
	out->dpl = ar >> 5 & 3;
	out->present = ar >> 7 & 1;
	out->avl = ar >> 12 & 1;
	out->l = ar >> 13 & 1;
	out->db = ar >> 14 & 1;
	out->g = ar >> 15 & 1;
	out->unusable = ar >> 16 & 1;
}

static void vmx_get_desc_tables(struct vcpu *v, struct desc_table *gdt, struct desc_table *idt)
{
	(void)v;
	gdt->base = vmcs_readnat(VMCS_GUEST_GDTR_BASE);
	gdt->limit = vmcs_read32(VMCS_GUEST_GDTR_LIMIT);
	idt->base = vmcs_readnat(VMCS_GUEST_IDTR_BASE);
	idt->limit = vmcs_read32(VMCS_GUEST_IDTR_LIMIT);
}

static bool vmx_interrupt_shadow(struct vcpu *v)
{
	const struct vmx_vcpu *x = v->arch;

	/* An instruction Umbra completed (RIP moved) ends the shadow it was under. */
	if (v->rip != x->exit_rip)
		return false;
	return vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) &
	       (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS);
}

/* The fields that decide whether VM entry accepts the guest state (SDM Vol. 3C 26.3.1). */
static void vmx_dump(struct vcpu *v)
{
	struct vmx_vcpu *x = v->arch;

	pr_info("  vmx: exit reason %x qualification %llx, instruction error %u\n",
		vmcs_read32(VMCS_EXIT_REASON), (unsigned long long)vmcs_readnat(VMCS_EXIT_QUALIFICATION),
		vmcs_read32(VMCS_INSN_ERROR));
	pr_info("  vmx: real cr0 %llx cr3 %llx cr4 %llx efer %llx, entry controls %x\n",
		(unsigned long long)vmcs_readnat(VMCS_GUEST_CR0),
		(unsigned long long)vmcs_readnat(VMCS_GUEST_CR3),
		(unsigned long long)vmcs_readnat(VMCS_GUEST_CR4),
		(unsigned long long)vmcs_read64(VMCS_GUEST_IA32_EFER), x->entry_controls);
	pr_info("  vmx: cs ar %x limit %x, ss ar %x, tr ar %x limit %x, ldtr ar %x, activity %u, "
		"interruptibility %x\n", (uint32_t)vmx_read_raw(VMCS_GUEST_ES_AR + 2 * SEG_CS),
		(uint32_t)vmx_read_raw(VMCS_GUEST_ES_LIMIT + 2 * SEG_CS),
		(uint32_t)vmx_read_raw(VMCS_GUEST_ES_AR + 2 * SEG_SS),
		(uint32_t)vmx_read_raw(VMCS_GUEST_ES_AR + 2 * SEG_TR),
		(uint32_t)vmx_read_raw(VMCS_GUEST_ES_LIMIT + 2 * SEG_TR),
		(uint32_t)vmx_read_raw(VMCS_GUEST_ES_AR + 2 * SEG_LDTR),
		vmcs_read32(VMCS_GUEST_ACTIVITY_STATE), vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY));
	if (x->tdp)
		pr_info("  vmx: eptp %llx, proc %x proc2 %x, guest-physical %llx linear %llx\n",
			(unsigned long long)x->eptp, x->proc, x->proc2,
			(unsigned long long)vmcs_read64(VMCS_GUEST_PHYSICAL_ADDRESS),
			(unsigned long long)vmcs_readnat(VMCS_GUEST_LINEAR_ADDRESS));
}

const struct vcpu_ops vmx_ops = {
	.name = "vmx",
	.hw_enable = vmx_hw_enable,
	.vcpu_create = vmx_vcpu_create,
	.load_state = vmx_load_state,
	.run = vmx_run,
	.update_paging = vmx_update_paging,
	.flush_tlb = vmx_flush_tlb,
	.tdp_probe = vmx_tdp_probe,
	.tdp_flush = vmx_tdp_flush,
	.get_segment = vmx_get_segment,
	.get_desc_tables = vmx_get_desc_tables,
	.interrupt_shadow = vmx_interrupt_shadow,
	.set_interrupt_window = vmx_set_interrupt_window,
	.dump = vmx_dump,
};
