/*
 * Creating the guest: memory, the kernel image and its modules, the multiboot information block,
 * and the machine state Multiboot 0.6.96 section 3.2 defines.
 */
#include "guest/loader/loader.h"
#include "guest/cpu_reset.h"
#include "guest/guest.h"
#include "guest/loader/guest_bootinfo.h"
#include "guest/loader/guest_image.h"
#include "guest/mode.h"
#include "guest/platform.h"
#include "arch/rflags.h"
#include "arch/cpu_info.h"
#include "arch/cpuid.h"
#include "arch/cr.h"
#include "mm/hostmap.h"
#include "mm/page.h"
#include "mm/pmm.h"
#include "lib/format.h"
#include "lib/printk.h"
#include "lib/string.h"

#define MULTIBOOT1_BOOTLOADER_MAGIC	0x2badb002	/* EAX at entry, Multiboot 0.6.96 3.2 */
#define GUEST_LOADER_NAME		"Umbra"
#define GUEST_MAX_MODULES		15

/* The words after "guest" in the module string are the guest's command line. */
static const char *guest_cmdline_of(const char *module_string)
{
	const char *s = module_string + 5;

	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Copies the image's segments into guest RAM, zeroing what the file does not cover. */
static bool guest_load_segments(struct guest *g, const uint8_t *image, const struct guest_image *gi)
{
	for (unsigned i = 0; i < gi->nseg; i++) {
		const struct guest_segment *s = &gi->seg[i];

		if ((s->filesz && !guest_mem_write(&g->mem, s->gpa, image + s->file_offset, s->filesz)) ||
		    !guest_mem_zero(&g->mem, s->gpa + s->filesz, s->memsz - s->filesz))
			return false;
	}
	return true;
}

/* Places the modules that follow the guest kernel above it, page aligned (multiboot flag 0
 * asks for that and it costs nothing). Returns the first free address after them, or 0. */
static uint64_t guest_load_modules(struct guest *g, const struct guest_load_params *lp,
				   uint64_t at, struct guest_boot_module *mods, unsigned *count)
{
	*count = 0;
	for (unsigned i = lp->module_index + 1; i < lp->module_count && *count < GUEST_MAX_MODULES;
	     i++) {
		const struct guest_module *m = &lp->modules[i];
		uint64_t size = m->end - m->start;

		at = page_align_up(at);
		if (at + size > g->mem.ram_size || at + size > (1ULL << 32) ||
		    !guest_mem_write(&g->mem, at, phys_to_virt(m->start), size))
			return 0;
		mods[*count] = (struct guest_boot_module){ (uint32_t)at, (uint32_t)(at + size), m->string };
		(*count)++;
		at += size;
	}
	return at;
}

/* Builds the information block in a scratch buffer and copies it to guest RAM at gpa. */
static bool guest_write_bootinfo(struct guest *g, struct pmm *pmm, uint64_t gpa,
				 const struct guest_boot_params *params)
{
	size_t size = guest_bootinfo_size(params);
	uint64_t pages = (size + PAGE_SIZE - 1) / PAGE_SIZE, scratch;
	bool ok;

	if (!size || gpa + size > g->mem.ram_size)
		return false;
	scratch = pmm_alloc(pmm, pages, PAGE_SIZE, UINT64_MAX);
	if (!scratch)
		return false;
	ok = guest_bootinfo_build(phys_to_virt(scratch), pages * PAGE_SIZE, (uint32_t)gpa, params) &&
	     guest_mem_write(&g->mem, gpa, phys_to_virt(scratch), size);
	pmm_free(pmm, scratch, pages);
	return ok;
}

static struct segment flat_segment(uint16_t selector, uint8_t type)
{
	return (struct segment){
		.selector = selector, .base = 0, .limit = 0xffffffff, .type = type, .s = true,
		.present = true, .db = true, .g = true,
	};
}

/* Multiboot 0.6.96 3.2: 32-bit protected mode, flat 4 GiB code and data segments, paging off,
 * interrupts off, EAX = magic, EBX = the information block. GDTR and IDTR are the guest's job. */
static void guest_initial_state(struct vcpu *v, uint32_t entry, uint32_t mbi)
{
	memset(v->gpr, 0, sizeof(v->gpr));
	v->gpr[GPR_RAX] = MULTIBOOT1_BOOTLOADER_MAGIC;
	v->gpr[GPR_RBX] = mbi;
	v->rip = entry;
	v->rflags = RFLAGS_RESERVED1;
	v->cr0 = CR0_PE | CR0_ET;
	v->cr2 = v->cr3 = v->cr4 = v->efer = v->cr8 = 0;
	v->xcr0 = 1;			/* x87 state only: the reset value (SDM Vol. 1 13.3) */
	for (int s = SEG_ES; s <= SEG_GS; s++)
		v->seg[s] = flat_segment(0x10, 0x3);	/* data, read/write, accessed */
	v->seg[SEG_CS] = flat_segment(0x08, 0xb);	/* code, execute/read, accessed */
	v->seg[SEG_LDTR] = (struct segment){ .unusable = true, .type = 0x2 };
	/* A busy 32-bit TSS: VM entry demands a usable TR even if the guest never uses it. */
	v->seg[SEG_TR] = (struct segment){ .limit = 0x67, .type = 0xb, .present = true };
	v->gdtr = (struct desc_table){ 0, 0 };
	v->idtr = (struct desc_table){ 0, 0 };
	v->pending_event.pending = false;
	v->single_step_trap = false;
}

/* Puts the image, its modules and the information block into (zeroed) guest RAM and the vCPU
 * in the multiboot entry state. */
static int guest_boot_image(struct guest *g, const struct guest_load_params *lp,
			    const struct guest_image *gi, char *err, size_t errlen)
{
	const struct guest_module *m = &lp->modules[lp->module_index];
	struct guest_boot_module mods[GUEST_MAX_MODULES];
	struct guest_boot_params params;
	unsigned nmods;
	uint64_t end;

	if (!guest_load_segments(g, phys_to_virt(m->start), gi)) {
		snprintk(err, errlen, "image segments do not fit in guest RAM");
		return -1;
	}
	/* Modules and the information block go above the kernel, and never below 1 MiB where the
	 * 640 KiB-1 MiB hole would split them. */
	end = guest_load_modules(g, lp,
				 gi->highest_gpa > GUEST_HIGH_RAM_START ? gi->highest_gpa : GUEST_HIGH_RAM_START,
				 mods, &nmods);
	params = (struct guest_boot_params){ lp->ram_size, guest_cmdline_of(m->string),
					     GUEST_LOADER_NAME, mods, nmods };
	end = page_align_up(end);
	if (!end || end >= (1ULL << 32) || !guest_write_bootinfo(g, lp->pmm, end, &params)) {
		snprintk(err, errlen, "modules and boot information do not fit in guest RAM");
		return -1;
	}
	guest_initial_state(&g->vcpu, gi->entry, (uint32_t)end);
	lp->ops->load_state(&g->vcpu);
	guest_cpu_reset(g);
	guest_paging_changed(g);
	pr_info("umbra: guest: %s image, entry %x, %u segment%s at %llx-%llx, %u module%s, "
		"%llu MiB RAM in %u slots, boot information at %llx\n",
		gi->aout_kludge ? "a.out-kludge" : gi->elf_class == 64 ? "ELF64" : "ELF32", gi->entry,
		gi->nseg, gi->nseg == 1 ? "" : "s", (unsigned long long)gi->lowest_gpa,
		(unsigned long long)gi->highest_gpa, nmods, nmods == 1 ? "" : "s",
		(unsigned long long)(lp->ram_size >> 20), g->mem.count, (unsigned long long)end);
	return 0;
}

/* The per-run state every start begins from: devices at power-on, nothing reported yet (the
 * MSRs get their power-on values in guest_cpu_reset()). */
static bool guest_power_on(struct guest *g, const struct guest_load_params *lp)
{
	g->host_cpu = lp->cpu;
	return guest_platform_init(g, lp->ram_size);
}

static int guest_parse(const struct guest_load_params *lp, struct guest_image *gi, char *err,
		       size_t errlen)
{
	const struct guest_module *m = &lp->modules[lp->module_index];

	return guest_image_parse(phys_to_virt(m->start), m->end - m->start, lp->ram_size, gi, err,
				 errlen);
}

int guest_load(struct guest *g, const struct guest_load_params *lp, char *err, size_t errlen)
{
	struct guest_image gi;

	memset(g, 0, sizeof(*g));
	if (!guest_power_on(g, lp)) {
		snprintk(err, errlen, "the virtual devices do not fit the device bus");
		return -1;
	}
	if (guest_parse(lp, &gi, err, errlen))
		return -1;
	if (!guest_mem_init(&g->mem, lp->pmm, lp->ram_size)) {
		snprintk(err, errlen, "cannot allocate %llu MiB of guest RAM",
			 (unsigned long long)(lp->ram_size >> 20));
		return -1;
	}
	if (gi.wants_video_mode)
		pr_warn("umbra: guest: the kernel asks for a video mode; it gets none (serial only)\n");
	if (!mmu_init(&g->mmu, &g->mem, lp->pmm, &(struct mmu_cpu){
			.maxphyaddr = lp->cpu->maxphyaddr,
			.pse36 = cpu_has(lp->cpu->leaf1_edx, CPUID_1_EDX_PSE36),
			.gb_pages = cpu_has(lp->cpu->ext1_edx, CPUID_80000001_EDX_PAGE1GB),
			.host_nx = cpu_has(lp->cpu->ext1_edx, CPUID_80000001_EDX_NX) })) {
		snprintk(err, errlen, "out of memory for the shadow MMU");
		return -1;
	}
	g->vcpu.ops = lp->ops;
	g->vcpu.guest = g;
	if (!lp->ops->vcpu_create(&g->vcpu, lp->pmm)) {
		snprintk(err, errlen, "the %s backend could not create the vCPU", lp->ops->name);
		return -1;
	}
	return guest_boot_image(g, lp, &gi, err, errlen);
}

/* Zeroes every slot of guest RAM, as a power cycle would leave it for the image. */
static bool guest_mem_clear(struct guest_mem *gm)
{
	for (unsigned i = 0; i < gm->count; i++)
		if (!guest_mem_zero(gm, gm->slots[i].gpa, gm->slots[i].size))
			return false;
	return true;
}

int guest_restart(struct guest *g, const struct guest_load_params *lp, char *err, size_t errlen)
{
	const struct vcpu_ops *ops = g->vcpu.ops;
	void *arch = g->vcpu.arch;
	uint16_t tag = g->vcpu.tag;
	bool own_timer = g->vcpu.own_timer, rdtscp_faults = g->vcpu.rdtscp_faults;
	struct guest_image gi;

	/* What the first load allocated stays: RAM, the MMU's pools, the backend's vCPU. The rest
	 * of struct guest, from bus on, is per-run state (guest/guest.h). */
	g->vcpu = (struct vcpu){ .ops = ops, .arch = arch, .guest = g, .tag = tag,
				 .own_timer = own_timer, .rdtscp_faults = rdtscp_faults };
	memset((char *)g + offsetof(struct guest, bus), 0, sizeof(*g) - offsetof(struct guest, bus));
	mmu_reset(&g->mmu);
	memset(&g->mmu.stats, 0, sizeof(g->mmu.stats));
	ops->set_interrupt_window(&g->vcpu, false);
	if (!guest_power_on(g, lp)) {
		snprintk(err, errlen, "the virtual devices do not fit the device bus");
		return -1;
	}
	if (guest_parse(lp, &gi, err, errlen))
		return -1;
	if (!guest_mem_clear(&g->mem)) {
		snprintk(err, errlen, "guest RAM could not be cleared");
		return -1;
	}
	return guest_boot_image(g, lp, &gi, err, errlen);
}

int guest_find_module(const struct guest_module *modules, unsigned count)
{
	for (unsigned i = 0; i < count; i++) {
		const char *s = modules[i].string;

		if (!strncmp(s, "guest", 5) && (s[5] == '\0' || s[5] == ' ' || s[5] == '\t'))
			return (int)i;
	}
	return -1;
}
