/* Guest instruction fetch and decode through the guest's own translation, at its CPL. */
#include "guest/insn.h"
#include "guest/guest.h"
#include "guest/gva.h"
#include "arch/msr.h"
#include "mm/page.h"

enum x86_mode guest_x86_mode(struct guest *g)
{
	struct vcpu *v = &g->vcpu;
	struct segment cs;

	v->ops->get_segment(v, SEG_CS, &cs);
	if ((v->efer & EFER_LMA) && cs.l)
		return X86_MODE_64;
	return cs.db ? X86_MODE_32 : X86_MODE_16;
}

/* The width of the instruction pointer in mode (SDM Vol. 1 3.5: IP, EIP, RIP). */
static uint64_t ip_mask_of(enum x86_mode mode)
{
	return mode == X86_MODE_64 ? ~0ULL : mode == X86_MODE_32 ? 0xffffffffULL : 0xffffULL;
}

size_t guest_fetch_insn(struct guest *g, uint8_t *buf, enum emu_mem_status *st,
			struct x86_fault *f)
{
	struct vcpu *v = &g->vcpu;
	struct emu_who who = guest_emu_who(g);
	struct emu_mem_ops ops = guest_emu_ops(g);
	enum x86_mode mode = guest_x86_mode(g);
	struct segment cs;

	/* In 64-bit mode the CS base counts as 0 (SDM Vol. 3A 3.4.4). */
	v->ops->get_segment(v, SEG_CS, &cs);
	return emu_mem_fetch(&ops, &who, mode == X86_MODE_64 ? 0 : cs.base, v->rip,
			     ip_mask_of(mode), buf, X86_MAX_INSN_LEN, st, f);
}

bool guest_decode_at_rip(struct guest *g, struct x86_insn *insn)
{
	uint8_t bytes[X86_MAX_INSN_LEN];
	enum emu_mem_status fetch = EMU_MEM_OK;
	struct x86_fault f;
	size_t n = guest_fetch_insn(g, bytes, &fetch, &f);
	enum x86_decode_status st = n ? x86_decode(bytes, n, guest_x86_mode(g), insn)
				      : X86_TRUNCATED;

	/* The instruction needs a byte the guest may not fetch: the guest's fault, as the
	 * processor's own fetch would have raised it. */
	if (st == X86_TRUNCATED && fetch == EMU_MEM_FAULT) {
		guest_queue_fault(g, &f);
		return false;
	}
	if (st == X86_TRUNCATED && fetch != EMU_MEM_OK) {
		guest_stop(g, GUEST_STOP_FATAL, "cannot read the instruction at rip %llx",
			   (unsigned long long)g->vcpu.rip);
		return false;
	}
	if (st != X86_OK) {
		guest_stop(g, GUEST_STOP_FATAL,
			   "cannot decode the instruction at rip %llx (%02x %02x %02x %02x, status %d)",
			   (unsigned long long)g->vcpu.rip, bytes[0], n > 1 ? bytes[1] : 0,
			   n > 2 ? bytes[2] : 0, n > 3 ? bytes[3] : 0, st);
		return false;
	}
	return true;
}

bool guest_complete_insn_len(struct guest *g, struct vm_exit *e)
{
	struct x86_insn insn;

	if (e->insn_len)
		return true;
	if (!guest_decode_at_rip(g, &insn))
		return false;
	e->insn_len = insn.len;
	return true;
}

/* Only the increment wraps: a 16-bit code segment entered at an EIP above 0xffff (a far jump
 * with a 32-bit offset) keeps it. */
void guest_wrap_rip(struct guest *g, uint64_t old_rip)
{
	struct vcpu *v = &g->vcpu;
	enum x86_mode mode;

	if (v->rip <= 0xffff || (v->rip <= 0xffffffffULL && old_rip > 0xffff))
		return;		/* nothing that could have wrapped */
	mode = guest_x86_mode(g);
	if (mode == X86_MODE_32 || (mode == X86_MODE_16 && old_rip > 0xffff))
		v->rip &= 0xffffffffULL;
	else if (mode == X86_MODE_16)
		v->rip &= 0xffffULL;
}
