/* The guest's processor state as the instruction emulator takes and returns it. */
#include "guest/emu_cpu.h"
#include "guest/guest.h"
#include "guest/gva.h"
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

enum guest_emulation_start guest_emulation_start(struct guest *g, struct guest_emulation *e)
{
	e->len = guest_fetch_insn(g, e->bytes, &e->fetch, &e->fetch_fault);
	if (!e->len && e->fetch == EMU_MEM_FAULT) {
		guest_queue_fault(g, &e->fetch_fault);
		return GUEST_EMULATION_FETCH_FAULTED;
	}
	if (!e->len)
		return GUEST_EMULATION_NO_BYTES;
	guest_x86_cpu_load(g, &e->cpu);
	return GUEST_EMULATION_READY;
}

bool guest_emulation_fetch_fault(struct guest *g, struct guest_emulation *e)
{
	struct x86_insn in;

	if (e->fetch != EMU_MEM_FAULT ||
	    x86_decode(e->bytes, e->len, e->cpu.mode, &in) != X86_TRUNCATED)
		return false;
	guest_queue_fault(g, &e->fetch_fault);
	return true;
}
