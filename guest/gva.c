/* Guest-linear memory access, page by page through the guest's translation. */
#include "guest/gva.h"
#include "guest/guest.h"
#include "guest/mode.h"
#include "mm/page.h"

/* Translates one linear address. With paging off, linear is physical (truncated to 32 bits
 * outside long mode, SDM Vol. 3A 4.1.1). */
static enum gva_status guest_translate(struct guest *g, uint64_t linear, uint32_t access,
				       uint64_t *gpa, uint32_t *pfec)
{
	struct vcpu *v = &g->vcpu;
	struct paging_state ps;

	if (!(v->cr0 & CR0_PG)) {
		*gpa = linear & 0xffffffffULL;
		return GVA_OK;
	}
	ps = guest_paging_state(g);
	switch (mmu_translate(&g->mmu, &ps, (v->efer & EFER_LMA) ? linear : (uint32_t)linear,
			      access, gpa, pfec)) {
	case 0:
		return GVA_OK;
	case 1:
		return GVA_PAGE_FAULT;
	default:
		return GVA_NOT_RAM;
	}
}

/* Runs one page-bounded piece at a time so each piece has a single translation. */
static enum gva_status guest_access_linear(struct guest *g, uint64_t linear, uint8_t *buf,
					   size_t len, uint32_t access, uint32_t *pfec, bool write)
{
	while (len) {
		size_t n = PAGE_SIZE - (linear & (PAGE_SIZE - 1));
		enum gva_status st;
		uint64_t gpa;
		bool ok;

		if (n > len)
			n = len;
		st = guest_translate(g, linear, access, &gpa, pfec);
		if (st != GVA_OK)
			return st;
		ok = write ? guest_mem_write(&g->mem, gpa, buf, n) : guest_mem_read(&g->mem, gpa, buf, n);
		if (!ok)
			return GVA_NOT_RAM;
		linear += n;
		buf += n;
		len -= n;
	}
	return GVA_OK;
}

enum gva_status guest_read_linear(struct guest *g, uint64_t linear, void *dst, size_t len,
				  uint32_t access, uint32_t *pfec)
{
	return guest_access_linear(g, linear, dst, len, access, pfec, false);
}

enum gva_status guest_write_linear(struct guest *g, uint64_t linear, const void *src, size_t len,
				   uint32_t access, uint32_t *pfec)
{
	return guest_access_linear(g, linear, (uint8_t *)src, len, access | PFEC_W, pfec, true);
}
