/* The guest's processor state as the instruction emulator takes and returns it. */
#include "guest/emu_cpu.h"
#include "guest/guest.h"
#include "guest/insn.h"
#include "arch/cpu_info.h"

void guest_x86_cpu_load(struct guest *g, struct x86_emu_cpu *cpu)
{
	struct vcpu *v = &g->vcpu;

	for (int s = SEG_ES; s <= SEG_GS; s++) {
		struct segment seg;

		v->ops->get_segment(v, s, &seg);
		cpu->seg_base[s] = seg.base;	/* enum seg_reg and x86_segment number alike */
	}
	for (int r = 0; r < GPR_COUNT; r++)
		cpu->gpr[r] = v->gpr[r];
	cpu->rip = v->rip;
	cpu->rflags = v->rflags;
	cpu->mode = guest_x86_mode(g);
	cpu->la57 = false;	/* 5-level paging is hidden from guests */
	/* The guest runs on the host's processor: emulated results must match its own. */
	cpu->vendor = cpu_is_amd(g->host_cpu) ? X86_VENDOR_AMD : X86_VENDOR_INTEL;
}

void guest_x86_cpu_store(struct guest *g, const struct x86_emu_cpu *cpu)
{
	struct vcpu *v = &g->vcpu;

	for (int r = 0; r < GPR_COUNT; r++)
		v->gpr[r] = cpu->gpr[r];
	v->rip = cpu->rip;
	v->rflags = cpu->rflags;
}
