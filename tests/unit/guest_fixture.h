/*
 * A whole guest on the host, for unit tests of the guest-facing cores (exit handlers, mode
 * changes, interrupt delivery): struct guest with real guest RAM and shadow MMU in an mmap'ed
 * buffer that stands in for physical memory (as in mmu_fixture.h), its devices on the bus, and
 * a fake backend that records what the cores ask of the hardware.
 */
#ifndef UMBRA_TESTS_GUEST_FIXTURE_H
#define UMBRA_TESTS_GUEST_FIXTURE_H

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "arch/cpu_info.h"
#include "arch/cpuid.h"
#include "arch/cr.h"
#include "arch/rflags.h"
#include "arch/trap.h"
#include "arch/uart16550.h"
#include "guest/devices/counter_port.h"
#include "guest/devices/debug_exit.h"
#include "guest/guest.h"
#include "guest/mode.h"
#include "mm/pmm.h"

#define GF_HOST_BYTES	(96ULL << 20)
#define GF_GUEST_RAM	(16ULL << 20)

/* What the fake backend saw, and what it answers. */
struct fake_hw {
	unsigned update_paging_calls, flush_calls;
	uint64_t shadow_root;
	bool interrupt_shadow;		/* answer of ops->interrupt_shadow */
	bool window_requested;		/* last ops->set_interrupt_window */
};

struct gfix {
	void *host;
	struct pmm pmm;
	struct cpu_info cpu;
	struct fake_hw hw;
	struct guest g;
};

static struct gfix *gfix_current;

static void fake_update_paging(struct vcpu *v, uint64_t root)
{
	(void)v;
	gfix_current->hw.update_paging_calls++;
	gfix_current->hw.shadow_root = root;
}

static void fake_flush_tlb(struct vcpu *v)
{
	(void)v;
	gfix_current->hw.flush_calls++;
}

static void fake_get_segment(struct vcpu *v, enum seg_reg seg, struct segment *out)
{
	*out = v->seg[seg];
}

static bool fake_interrupt_shadow(struct vcpu *v)
{
	(void)v;
	return gfix_current->hw.interrupt_shadow;
}

static void fake_set_interrupt_window(struct vcpu *v, bool on)
{
	(void)v;
	gfix_current->hw.window_requested = on;
}

static const struct vcpu_ops fake_ops = {
	.name = "fake", .update_paging = fake_update_paging, .flush_tlb = fake_flush_tlb,
	.get_segment = fake_get_segment, .interrupt_shadow = fake_interrupt_shadow,
	.set_interrupt_window = fake_set_interrupt_window,
};

static inline struct segment gf_flat(uint16_t sel, uint8_t type)
{
	return (struct segment){ .selector = sel, .limit = 0xffffffff, .type = type, .s = true,
				 .present = true, .db = true, .g = true };
}

/* A guest in 32-bit protected mode, paging off, CPL 0, as the multiboot entry leaves it. */
static inline struct gfix *gfix_new(void)
{
	struct gfix *f = calloc(1, sizeof(*f));
	struct guest *g = &f->g;
	struct mem_range r;

	gfix_current = f;
	f->host = mmap(NULL, GF_HOST_BYTES, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	assert_true(f->host != MAP_FAILED);
	r = (struct mem_range){ (uint64_t)(uintptr_t)f->host, GF_HOST_BYTES, MEM_USABLE };
	pmm_init(&f->pmm, &r, 1, NULL, 0);
	/* A processor with NX, 1 GiB pages, SMEP, SMAP and XSAVE; MAXPHYADDR 40. */
	f->cpu.maxphyaddr = 40;
	f->cpu.leaf1_ecx = CPUID_1_ECX_XSAVE;
	f->cpu.leaf1_edx = CPUID_1_EDX_PSE | CPUID_1_EDX_PAE | CPUID_1_EDX_PGE;
	f->cpu.leaf7_ebx = CPUID_7_EBX_SMEP | CPUID_7_EBX_SMAP;
	f->cpu.ext1_edx = CPUID_80000001_EDX_NX | CPUID_80000001_EDX_PAGE1GB |
			  CPUID_80000001_EDX_LM;
	g->host_cpu = &f->cpu;
	assert_true(guest_mem_init(&g->mem, &f->pmm, GF_GUEST_RAM));
	assert_true(mmu_init(&g->mmu, &g->mem, &f->pmm,
			     &(struct mmu_cpu){ .maxphyaddr = 40, .pse36 = true, .gb_pages = true,
						.host_nx = true }));
	bus_init(&g->bus);
	vpic_init(&g->pic);
	vuart_init(&g->uart, NULL, NULL);
	assert_true(vpic_attach(&g->pic, &g->bus) && vuart_attach(&g->uart, &g->bus, COM1_BASE) &&
		    debug_exit_attach(g, &g->bus) && counter_port_attach(g, &g->bus));
	g->vcpu.ops = &fake_ops;
	g->vcpu.guest = g;
	g->vcpu.cr0 = CR0_PE | CR0_ET;
	g->vcpu.rflags = RFLAGS_RESERVED1;
	g->vcpu.rip = 0x100000;
	for (int s = SEG_ES; s <= SEG_GS; s++)
		g->vcpu.seg[s] = gf_flat(0x10, 0x3);
	g->vcpu.seg[SEG_CS] = gf_flat(0x08, 0xb);
	guest_paging_changed(g);
	return f;
}

static inline void gfix_free(struct gfix *f)
{
	munmap(f->host, GF_HOST_BYTES);
	free(f);
	gfix_current = NULL;
}

/* The exception queued for the next entry, or -1. */
static inline int gf_pending_vector(const struct gfix *f)
{
	const struct event *e = &f->g.vcpu.pending_event;

	return e->pending && e->type == EVENT_HW_EXCEPTION ? e->vector : -1;
}

static inline void gf_clear_event(struct gfix *f)
{
	f->g.vcpu.pending_event.pending = false;
}

#endif
