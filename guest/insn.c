/* Guest instruction fetch and decode through the guest's own translation. */
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

size_t guest_fetch_insn(struct guest *g, uint8_t *buf)
{
	struct vcpu *v = &g->vcpu;
	struct segment cs;
	uint64_t linear;
	size_t first;
	uint32_t pfec;

	v->ops->get_segment(v, SEG_CS, &cs);
	linear = (guest_x86_mode(g) == X86_MODE_64 ? 0 : cs.base) + v->rip;
	first = PAGE_SIZE - (linear & (PAGE_SIZE - 1));
	if (first > X86_MAX_INSN_LEN)
		first = X86_MAX_INSN_LEN;
	if (guest_read_linear(g, linear, buf, first, PFEC_I, &pfec) != GVA_OK)
		return 0;
	if (first == X86_MAX_INSN_LEN ||
	    guest_read_linear(g, linear + first, buf + first, X86_MAX_INSN_LEN - first, PFEC_I,
			      &pfec) != GVA_OK)
		return first;
	return X86_MAX_INSN_LEN;
}

bool guest_decode_at_rip(struct guest *g, struct x86_insn *insn)
{
	uint8_t bytes[X86_MAX_INSN_LEN];
	size_t n = guest_fetch_insn(g, bytes);
	enum x86_decode_status st;

	if (!n) {
		guest_stop(g, GUEST_STOP_FATAL, "cannot read the instruction at rip %llx",
			   (unsigned long long)g->vcpu.rip);
		return false;
	}
	st = x86_decode(bytes, n, guest_x86_mode(g), insn);
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
