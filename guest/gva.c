/* The guest's binding of the emulated-access path: its paging, its RAM, its shadow MMU. */
#include "guest/gva.h"
#include "guest/guest.h"
#include "guest/mode.h"
#include "arch/cr.h"
#include "arch/msr.h"
#include "arch/rflags.h"
#include "arch/trap.h"
#include "lib/string.h"

uint8_t guest_cpl(struct guest *g)
{
	struct vcpu *v = &g->vcpu;
	struct segment ss;

	if (!(v->cr0 & CR0_PE))
		return 0;
	if (v->rflags & RFLAGS_VM)
		return 3;
	v->ops->get_segment(v, SEG_SS, &ss);
	return ss.dpl;
}

struct emu_who guest_emu_who(struct guest *g)
{
	struct vcpu *v = &g->vcpu;
	struct segment cs;

	v->ops->get_segment(v, SEG_CS, &cs);
	return (struct emu_who){
		.cpl = guest_cpl(g),
		.rflags_ac = v->rflags & RFLAGS_AC,
		.cr0_am = v->cr0 & CR0_AM,
		.mode64 = (v->efer & EFER_LMA) && cs.l,	/* 64-bit mode, not compatibility mode */
	};
}

/* With paging off, linear is physical (32 bits: long mode needs paging, SDM Vol. 3A 4.1.1). */
static int gva_translate(void *ctx, uint64_t linear, uint32_t access, uint64_t *gpa,
			 uint32_t *pfec)
{
	struct guest *g = ctx;
	struct paging_state ps;

	if (!(g->vcpu.cr0 & CR0_PG)) {
		*gpa = linear & 0xffffffffULL;
		return 0;
	}
	ps = guest_paging_state(g);
	return mmu_translate(&g->mmu, &ps, linear, access, gpa, pfec);
}

/* An access to an MMIO window goes to the device bus: as one access of its width when that is
 * a register width (1, 2, 4 or 8 bytes), else byte by byte (a 16-byte CMPXCHG16B operand, or
 * the part of a page-crossing access on this page). Devices see little-endian values. */
static bool gva_mmio(struct guest *g, uint64_t gpa, uint8_t *buf, unsigned len, bool write)
{
	uint64_t v = 0;

	if (len == 1 || len == 2 || len == 4 || len == 8) {
		if (write) {
			memcpy(&v, buf, len);
			bus_write(&g->bus, BUS_MMIO, gpa, len, v);
		} else {
			bus_read(&g->bus, BUS_MMIO, gpa, len, &v);
			memcpy(buf, &v, len);
		}
		return true;
	}
	for (unsigned i = 0; i < len; i++)
		gva_mmio(g, gpa + i, buf + i, 1, write);
	return true;
}

static bool gva_read(void *ctx, uint64_t gpa, void *buf, unsigned len)
{
	struct guest *g = ctx;

	if (guest_mem_is_mmio(&g->mem, gpa))
		return gva_mmio(g, gpa, buf, len, false);
	return guest_mem_read(&g->mem, gpa, buf, len);
}

static bool gva_write(void *ctx, uint64_t gpa, const void *buf, unsigned len)
{
	struct guest *g = ctx;

	if (guest_mem_is_mmio(&g->mem, gpa))
		return gva_mmio(g, gpa, (uint8_t *)buf, len, true);
	return guest_mem_write(&g->mem, gpa, buf, len);
}

static bool gva_fetch(void *ctx, uint64_t gpa, void *buf, unsigned len)
{
	return guest_mem_read(&((struct guest *)ctx)->mem, gpa, buf, len);
}

static void gva_wrote(void *ctx, uint64_t gpa, unsigned len)
{
	mmu_guest_wrote(&((struct guest *)ctx)->mmu, gpa, len);
}

struct emu_mem_ops guest_emu_ops(struct guest *g)
{
	return (struct emu_mem_ops){ gva_translate, gva_read, gva_write, gva_wrote, g, gva_fetch };
}

enum emu_mem_status guest_emu_read(struct guest *g, const struct emu_who *who, uint64_t linear,
				   void *dst, unsigned len, struct x86_fault *f)
{
	struct emu_mem_ops ops = guest_emu_ops(g);

	return emu_mem_read(&ops, who, linear, dst, len, f);
}

enum emu_mem_status guest_emu_write(struct guest *g, const struct emu_who *who, uint64_t linear,
				    const void *src, unsigned len, struct x86_fault *f)
{
	struct emu_mem_ops ops = guest_emu_ops(g);

	return emu_mem_write(&ops, who, linear, src, len, f);
}

void guest_queue_fault(struct guest *g, const struct x86_fault *f)
{
	if (f->vector == EXC_PF)
		vcpu_queue_page_fault(&g->vcpu, f->error_code, f->cr2);
	else
		vcpu_queue_exception(&g->vcpu, f->vector, f->has_error_code, f->error_code);
}
