/* Host exception reporting: a fault inside Umbra prints everything useful and stops cleanly. */
#include "arch/trap.h"
#include "arch/cpu.h"
#include "arch/debugreg.h"
#include "arch/rflags.h"
#include "arch/pic.h"
#include "arch/stop.h"
#include "lib/printk.h"

static const char *const exception_names[EXC_COUNT] = {
	[EXC_DE] = "#DE divide error",		[EXC_DB] = "#DB debug",
	[EXC_NMI] = "NMI",			[EXC_BP] = "#BP breakpoint",
	[EXC_OF] = "#OF overflow",		[EXC_BR] = "#BR bound range",
	[EXC_UD] = "#UD invalid opcode",	[EXC_NM] = "#NM device not available",
	[EXC_DF] = "#DF double fault",		[EXC_TS] = "#TS invalid TSS",
	[EXC_NP] = "#NP segment not present",	[EXC_SS] = "#SS stack fault",
	[EXC_GP] = "#GP general protection",	[EXC_PF] = "#PF page fault",
	[EXC_MF] = "#MF x87 error",		[EXC_AC] = "#AC alignment check",
	[EXC_MC] = "#MC machine check",		[EXC_XM] = "#XM SIMD error",
	[EXC_VE] = "#VE virtualization",	[EXC_CP] = "#CP control protection",
};

const char *exception_name(unsigned vector)
{
	if (vector < EXC_COUNT && exception_names[vector])
		return exception_names[vector];
	return vector < EXC_COUNT ? "reserved exception" : "unexpected interrupt";
}

static void trap_print_frame(const struct trap_frame *tf)
{
	pr_err("  rip %016lx  cs %04lx  rflags %016lx\n", tf->rip, tf->cs, tf->rflags);
	pr_err("  rsp %016lx  ss %04lx  cr2 %016lx\n", tf->rsp, tf->ss, read_cr2());
	pr_err("  cr0 %016lx  cr3 %016lx  cr4 %016lx\n", read_cr0(), read_cr3(), read_cr4());
	pr_err("  rax %016lx  rbx %016lx  rcx %016lx\n", tf->rax, tf->rbx, tf->rcx);
	pr_err("  rdx %016lx  rsi %016lx  rdi %016lx\n", tf->rdx, tf->rsi, tf->rdi);
	pr_err("  rbp %016lx  r8  %016lx  r9  %016lx\n", tf->rbp, tf->r8, tf->r9);
	pr_err("  r10 %016lx  r11 %016lx  r12 %016lx\n", tf->r10, tf->r11, tf->r12);
	pr_err("  r13 %016lx  r14 %016lx  r15 %016lx\n", tf->r13, tf->r14, tf->r15);
}

/*
 * Umbra never sets RFLAGS.TF, so a single-step #DB in Umbra (DR6.BS, SDM Vol. 3B 17.2.3) is
 * not its own: Bochs 2.7 with SVM delivers the single step of an intercepted guest instruction
 * that started with TF set after the #VMEXIT, in the host at the instruction after VMRUN (seen
 * with CPUID). The step belongs to the guest, which gets it from the guest layer
 * (guest/single_step.h); the host drops it, reported once.
 */
static bool trap_stray_single_step(const struct trap_frame *tf)
{
	static bool reported;
	uint64_t dr6;

	if (tf->vector != EXC_DB || (tf->rflags & RFLAGS_TF))
		return false;
	dr6 = read_dr6();
	if ((dr6 & (DR6_BS | DR6_BD | DR6_B0_B3)) != DR6_BS)
		return false;
	write_dr6(dr6 & ~(uint64_t)DR6_BS);
	if (!reported)
		pr_warn("umbra: a single-step #DB the host did not ask for at rip %016lx (the "
			"processor leaked a guest's single step): ignored (reported once)\n",
			tf->rip);
	reported = true;
	return true;
}

/* Umbra takes no exceptions by design, so every one is a hypervisor bug: report and stop.
 * Legacy IRQs (Umbra's own timer) are acknowledged and handed to irq_handle(). */
void trap_dispatch(struct trap_frame *tf)
{
	static int nesting;

	if (tf->vector >= IRQ_VECTOR_BASE && tf->vector < IRQ_VECTOR_BASE + IRQ_COUNT) {
		unsigned irq = tf->vector - IRQ_VECTOR_BASE;

		if (pic_eoi(irq))
			irq_handle(irq);
		return;
	}
	if (trap_stray_single_step(tf))
		return;

	if (nesting++) {
		/* Faulting while reporting a fault: print the bare minimum and stop. */
		pr_err("umbra: nested host exception, vector %lu at rip %016lx\n", tf->vector, tf->rip);
		machine_stop(UMBRA_EXIT_HOST_FAULT);
	}
	pr_err("umbra: HOST EXCEPTION vector %lu (%s), error code 0x%lx\n",
	       tf->vector, exception_name((unsigned)tf->vector), tf->error_code);
	trap_print_frame(tf);
	machine_stop(UMBRA_EXIT_HOST_FAULT);
}
