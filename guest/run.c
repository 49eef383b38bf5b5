/*
 * The guest's run loop and exit dispatch.
 *
 * Handler contract: a handler either completes the exiting instruction (advancing RIP), queues
 * the event the guest must receive instead, or stops the guest with guest_stop(). A handler
 * never leaves the guest to re-execute an instruction that would exit the same way for no
 * reason, and an exit kind without a handler stops the guest with a full report.
 */
#include "guest/run.h"
#include "guest/cr.h"
#include "guest/console.h"
#include "guest/cpuid_policy.h"
#include "guest/emulate.h"
#include "guest/guest.h"
#include "guest/insn.h"
#include "guest/io.h"
#include "guest/mode.h"
#include "guest/msr.h"
#include "guest/report.h"
#include "arch/irq.h"
#include "arch/trap.h"
#include "lib/format.h"
#include "lib/printk.h"

#define RFLAGS_IF (1u << 9)
#define RFLAGS_AC (1u << 18)

typedef void (*exit_handler)(struct guest *g, struct vm_exit *e);

void guest_stop(struct guest *g, enum guest_stop_reason why, const char *fmt, ...)
{
	va_list ap;

	if (g->stop != GUEST_RUNNING)
		return;		/* the first reason is the one that counts */
	g->stop = why;
	va_start(ap, fmt);
	vsnprintk(g->stop_detail, sizeof(g->stop_detail), fmt, ap);
	va_end(ap);
}

static void handle_cpuid(struct guest *g, struct vm_exit *e)
{
	struct vcpu *v = &g->vcpu;
	uint32_t leaf = v->gpr[GPR_RAX], subleaf = v->gpr[GPR_RCX];
	struct cpuid_regs r = { 0, 0, 0, 0 };

	if (!cpuid_is_hypervisor_leaf(leaf))
		r = cpuid(leaf, subleaf);
	cpuid_policy_apply(leaf, subleaf, v->cr4, &r);
	v->gpr[GPR_RAX] = r.eax;
	v->gpr[GPR_RBX] = r.ebx;
	v->gpr[GPR_RCX] = r.ecx;
	v->gpr[GPR_RDX] = r.edx;
	vcpu_skip_instruction(v, e);
}

/* Brings the PIC's inputs up to date with the devices (the UART is the only one so far). */
static void guest_update_irq_lines(struct guest *g)
{
	vpic_set_line(&g->pic, GUEST_UART_IRQ, vuart_irq_level(&g->uart));
}

/* HLT: with interrupts disabled nothing can wake the guest, so it is stopped. With IF=1 the
 * guest waits until its PIC has an interrupt to deliver (typed console input): Umbra polls the
 * console meanwhile, then completes the HLT and the interrupt is injected. */
static void handle_hlt(struct guest *g, struct vm_exit *e)
{
	if (!(g->vcpu.rflags & RFLAGS_IF)) {
		guest_stop(g, GUEST_STOP_HALTED, "halted with interrupts disabled");
		return;
	}
	for (;;) {
		guest_update_irq_lines(g);
		if (vpic_pending(&g->pic) >= 0)
			break;
		if (!console_poll()) {
			guest_stop(g, GUEST_STOP_POWEROFF, "power off from the console");
			return;
		}
		if (g->reset_requested || g->stop != GUEST_RUNNING)
			return;
		cpu_relax();
	}
	vcpu_skip_instruction(&g->vcpu, e);
}

/* The backend reports that the guest can take an interrupt: the loop injects it. */
static void handle_interrupt_window(struct guest *g, struct vm_exit *e)
{
	(void)e;
	g->vcpu.ops->set_interrupt_window(&g->vcpu, false);
	g->interrupt_window = false;
}

/* Before each entry: deliver the PIC's interrupt if the guest can take it now (RFLAGS.IF,
 * no STI/MOV SS shadow, no other event pending), else ask for an interrupt-window exit. */
static void guest_deliver_interrupts(struct guest *g)
{
	struct vcpu *v = &g->vcpu;
	int vector;

	guest_update_irq_lines(g);
	if (vpic_pending(&g->pic) < 0 || v->pending_event.pending)
		return;
	if ((v->rflags & RFLAGS_IF) && !v->ops->interrupt_shadow(v)) {
		vector = vpic_acknowledge(&g->pic);
		v->pending_event = (struct event){ .pending = true, .type = EVENT_EXT_INTERRUPT,
						   .vector = (uint8_t)vector };
	} else if (!g->interrupt_window) {
		v->ops->set_interrupt_window(v, true);
		g->interrupt_window = true;
	}
}

static void handle_page_fault(struct guest *g, struct vm_exit *e)
{
	struct vcpu *v = &g->vcpu;
	struct paging_state ps = guest_paging_state(g);
	struct mmu_outcome out;

	mmu_page_fault(&g->mmu, &ps, e->exception.cr2, e->exception.error_code,
		       v->rflags & RFLAGS_AC, &out);
	switch (out.action) {
	case MMU_RETRY:
		break;
	case MMU_INJECT_PF:
		vcpu_queue_page_fault(v, out.error_code, out.cr2);
		break;
	case MMU_EMULATE_WRITE:
		guest_emulate_pt_write(g, out.gpa);
		break;
	case MMU_GUEST_FATAL:
		guest_stop(g, GUEST_STOP_FATAL, "page fault at %llx: %s",
			   (unsigned long long)e->exception.cr2, out.why);
		break;
	}
}

/* An intercepted exception other than #PF goes back to the guest unchanged. */
static void handle_exception(struct guest *g, struct vm_exit *e)
{
	vcpu_queue_exception(&g->vcpu, e->exception.vector, e->exception.has_error_code,
			     e->exception.error_code);
}

static void handle_triple_fault(struct guest *g, struct vm_exit *e)
{
	(void)e;
	guest_stop(g, GUEST_STOP_TRIPLE_FAULT, "triple fault");
}

/* VMX and SVM instructions raise #UD on a CPU whose CPUID hides them; so do hypercalls until
 * Umbra defines some. */
static void handle_undefined(struct guest *g, struct vm_exit *e)
{
	(void)e;
	vcpu_queue_exception(&g->vcpu, EXC_UD, false, 0);
}

/* INVD would throw away dirty cache lines of memory Umbra shares; WBINVD is what it gets. */
static void handle_invd(struct guest *g, struct vm_exit *e)
{
	__asm__ volatile("wbinvd" ::: "memory");
	vcpu_skip_instruction(&g->vcpu, e);
}

/* INVLPG m (SDM Vol. 2A): the shadow translation of the address goes, and the TLB with it. */
static void handle_invlpg(struct guest *g, struct vm_exit *e)
{
	struct vcpu *v = &g->vcpu;
	struct paging_state ps = guest_paging_state(g);
	uint64_t linear = e->invlpg.linear;

	if (!e->invlpg.known) {
		struct x86_insn in;
		struct segment s;
		int seg;

		if (!guest_decode_at_rip(g, &in))
			return;
		seg = in.segment >= 0 ? in.segment : SEG_DS;
		v->ops->get_segment(v, seg, &s);
		linear = x86_effective_address(&in, v->gpr, v->rip + in.len);
		if (guest_x86_mode(g) != X86_MODE_64 || seg == SEG_FS || seg == SEG_GS)
			linear += s.base;
	}
	mmu_invlpg(&g->mmu, &ps, linear);
	v->ops->flush_tlb(v);
	g->mmu.need_flush = false;
	vcpu_skip_instruction(v, e);
}

static void handle_nothing(struct guest *g, struct vm_exit *e)
{
	(void)g;
	(void)e;
}

/* An interrupt of Umbra's own (the tick) made the exit: finish it; the loop then looks at the
 * console. */
static void handle_host_interrupt(struct guest *g, struct vm_exit *e)
{
	(void)g;
	if (e->interrupt.acknowledged)
		irq_complete_acknowledged(e->interrupt.vector);
	else
		irq_take_pending();
}

static void handle_entry_failed(struct guest *g, struct vm_exit *e)
{
	guest_stop(g, GUEST_STOP_FATAL, "the processor refused the guest state (error 0x%x)",
		   e->entry.error);
}

static void handle_unknown(struct guest *g, struct vm_exit *e)
{
	guest_stop(g, GUEST_STOP_FATAL, "unhandled exit (vendor reason 0x%llx)",
		   (unsigned long long)e->raw_reason);
}

static const exit_handler exit_handlers[EXIT_KIND_COUNT] = {
	[EXIT_NONE] = handle_nothing,
	[EXIT_CPUID] = handle_cpuid,
	[EXIT_IO] = guest_handle_io,
	[EXIT_MSR_READ] = guest_handle_msr,
	[EXIT_MSR_WRITE] = guest_handle_msr,
	[EXIT_CR_ACCESS] = guest_handle_cr,
	[EXIT_HLT] = handle_hlt,
	[EXIT_INVLPG] = handle_invlpg,
	[EXIT_XSETBV] = guest_handle_xsetbv,
	[EXIT_PAGE_FAULT] = handle_page_fault,
	[EXIT_EXCEPTION] = handle_exception,
	[EXIT_TRIPLE_FAULT] = handle_triple_fault,
	[EXIT_HYPERCALL] = handle_undefined,
	[EXIT_VIRT_INSN] = handle_undefined,
	[EXIT_INVD] = handle_invd,
	[EXIT_EXTERNAL_INTERRUPT] = handle_host_interrupt,
	[EXIT_NMI] = handle_nothing,
	[EXIT_PREEMPT] = handle_nothing,
	[EXIT_INTERRUPT_WINDOW] = handle_interrupt_window,
	[EXIT_ENTRY_FAILED] = handle_entry_failed,
	[EXIT_UNKNOWN] = handle_unknown,
};

/* Exits whose handlers complete an instruction and so need its length. */
static bool exit_needs_length(enum exit_kind kind)
{
	switch (kind) {
	case EXIT_CPUID: case EXIT_IO: case EXIT_MSR_READ: case EXIT_MSR_WRITE:
	case EXIT_INVLPG: case EXIT_XSETBV: case EXIT_INVD: case EXIT_HLT:
		return true;
	default:
		return false;
	}
}

static void guest_dispatch(struct guest *g, struct vm_exit *e)
{
	struct vcpu *v = &g->vcpu;
	unsigned kind = e->kind;

	if (kind >= EXIT_KIND_COUNT || !exit_handlers[kind]) {
		handle_unknown(g, e);
		return;
	}
	v->stats.by_reason[kind]++;
	if (exit_needs_length(e->kind) && !guest_complete_insn_len(g, e))
		return;
	exit_handlers[kind](g, e);
}

void guest_run(struct guest *g)
{
	struct vcpu *v = &g->vcpu;
	struct vm_exit exit;

	while (g->stop == GUEST_RUNNING) {
		/* The shadow MMU may have dropped the root or entries since the last exit. */
		if (!g->mmu.root_valid)
			guest_reload_root(g);
		else if (g->mmu.need_flush) {
			v->ops->flush_tlb(v);
			g->mmu.need_flush = false;
		}
		if (g->stop != GUEST_RUNNING)
			break;
		guest_deliver_interrupts(g);
		v->ops->run(v, &exit);
		v->stats.exits++;
		guest_dispatch(g, &exit);
		/* Umbra's own exits (its tick) and the guest's port I/O are when the console is
		 * looked at: often enough for a prompt answer, rarely enough to cost nothing. */
		if ((exit.kind == EXIT_EXTERNAL_INTERRUPT || exit.kind == EXIT_PREEMPT ||
		     exit.kind == EXIT_IO || exit.kind == EXIT_HLT) && !console_poll())
			guest_stop(g, GUEST_STOP_POWEROFF, "power off from the console");
		if (g->stop != GUEST_RUNNING)
			g->last_exit = exit;
	}
	guest_report_stop(g);
}
