/*
 * Creating the guest: memory, the kernel image and its modules, and the boot protocol's machine
 * state: Multiboot 0.6.96 section 3.2 for a multiboot kernel, the Linux boot protocol (the
 * kernel's Documentation/arch/x86/boot.rst) for a bzImage.
 */
#include "guest/loader/loader.h"
#include "guest/cpu_reset.h"
#include "guest/guest.h"
#include "guest/loader/guest_bootinfo.h"
#include "guest/loader/guest_firmware.h"
#include "guest/loader/guest_image.h"
#include "guest/loader/linux.h"
#include "guest/mode.h"
#include "guest/platform.h"
#include "arch/rflags.h"
#include "arch/cpu_info.h"
#include "arch/cpuid.h"
#include "arch/cr.h"
#include "arch/tsc.h"
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

/* 32-bit protected mode with flat 4 GiB segments (code selector cs, data selectors ds), paging
 * and interrupts off, every general register 0: the state both boot protocols start from. */
static void guest_flat_state(struct vcpu *v, uint32_t entry, uint16_t cs, uint16_t ds)
{
	memset(v->gpr, 0, sizeof(v->gpr));
	v->rip = entry;
	v->rflags = RFLAGS_RESERVED1;
	v->cr0 = CR0_PE | CR0_ET;
	v->cr2 = v->cr3 = v->cr4 = v->efer = v->cr8 = 0;
	v->xcr0 = 1;			/* x87 state only: the reset value (SDM Vol. 1 13.3) */
	for (int s = SEG_ES; s <= SEG_GS; s++)
		v->seg[s] = flat_segment(ds, 0x3);	/* data, read/write, accessed */
	v->seg[SEG_CS] = flat_segment(cs, 0xb);		/* code, execute/read, accessed */
	v->seg[SEG_LDTR] = (struct segment){ .unusable = true, .type = 0x2 };
	/* A busy 32-bit TSS: VM entry demands a usable TR even if the guest never uses it. */
	v->seg[SEG_TR] = (struct segment){ .limit = 0x67, .type = 0xb, .present = true };
	v->gdtr = (struct desc_table){ 0, 0 };
	v->idtr = (struct desc_table){ 0, 0 };
	v->pending_event.pending = false;
	v->single_step_trap = false;
}

/* Multiboot 0.6.96 3.2: the flat state, EAX = magic, EBX = the information block. GDTR and
 * IDTR are the guest's job. */
static void guest_initial_state(struct vcpu *v, uint32_t entry, uint32_t mbi)
{
	guest_flat_state(v, entry, 0x08, 0x10);
	v->gpr[GPR_RAX] = MULTIBOOT1_BOOTLOADER_MAGIC;
	v->gpr[GPR_RBX] = mbi;
}

/* Puts the image, its modules and the information block into (zeroed) guest RAM and the vCPU
 * in the multiboot entry state. */
static int guest_boot_multiboot(struct guest *g, const struct guest_load_params *lp,
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

/* boot.rst "32-bit Boot Protocol": the flat state with CS = __BOOT_CS and the data segments
 * = __BOOT_DS, described by a GDT in guest memory; ESI = boot_params; EBP, EDI, EBX = 0
 * (guest_flat_state zeroes every register). */
static void linux_initial_state(struct vcpu *v, uint32_t entry)
{
	guest_flat_state(v, entry, LINUX_BOOT_CS, LINUX_BOOT_DS);
	v->gpr[GPR_RSI] = LINUX_ZERO_PAGE_GPA;
	v->gdtr = (struct desc_table){ LINUX_GDT_GPA, LINUX_GDT_ENTRIES * 8 - 1 };
}

/* The module after the kernel is its initramfs; returns it, or NULL when there is none. */
static const struct guest_module *linux_initrd_module(const struct guest_load_params *lp)
{
	unsigned i = lp->module_index + 1;

	if (i >= lp->module_count)
		return NULL;
	if (i + 1 < lp->module_count)
		pr_warn("umbra: guest: Linux takes one initramfs; the %u module%s after it %s "
			"ignored\n", lp->module_count - i - 1, lp->module_count - i - 1 == 1 ? "" : "s",
			lp->module_count - i - 1 == 1 ? "is" : "are");
	return &lp->modules[i];
}

/* Builds boot_params in a scratch page and copies it, with the GDT and the command line, to
 * their places below 640 KiB. */
static bool linux_write_boot_data(struct guest *g, struct pmm *pmm, const uint8_t *image,
				  const struct bzimage *bz, const struct linux_layout *l,
				  const char *cmdline)
{
	uint64_t gdt[LINUX_GDT_ENTRIES];
	uint64_t scratch = pmm_alloc(pmm, 1, PAGE_SIZE, UINT64_MAX);
	bool ok;

	if (!scratch)
		return false;
	linux_build_zero_page(phys_to_virt(scratch), image, bz, l, g->mem.ram_size);
	linux_build_gdt(gdt);
	ok = guest_mem_write(&g->mem, LINUX_ZERO_PAGE_GPA, phys_to_virt(scratch),
			     LINUX_ZERO_PAGE_SIZE) &&
	     guest_mem_write(&g->mem, LINUX_GDT_GPA, gdt, sizeof(gdt)) &&
	     guest_mem_write(&g->mem, LINUX_CMDLINE_GPA, cmdline, l->cmdline_len + 1);
	pmm_free(pmm, scratch, 1);
	return ok;
}

/* Loads a bzImage as Linux: the protected-mode code, the initramfs (the next module), the
 * command line (the module string after "guest"), boot_params and the GDT, then the vCPU at
 * the 32-bit entry point (boot.rst, "Loading The Rest of The Kernel" and "32-bit Boot
 * Protocol"). The real-mode setup code is not loaded: it is never run. */
static int guest_boot_linux(struct guest *g, const struct guest_load_params *lp,
			    const struct bzimage *bz, char *err, size_t errlen)
{
	const struct guest_module *m = &lp->modules[lp->module_index];
	const struct guest_module *rd = linux_initrd_module(lp);
	const uint8_t *image = phys_to_virt(m->start);
	/* One guest at a time is loaded: the composed command line can live here. */
	static char cmdline[LINUX_CMDLINE_MAX];
	const char *given = guest_cmdline_of(m->string);
	uint64_t rd_size = rd ? rd->end - rd->start : 0;
	struct linux_layout l;
	bool tsc_added;

	if (!rd_size && linux_cmdline_needs_initrd(given)) {
		snprintk(err, errlen, "Linux: no initramfs module after the kernel, and the command "
			 "line needs one (rdinit=, or no root=)");
		return -1;
	}
	if (strlen(given) >= sizeof(cmdline)) {
		snprintk(err, errlen, "Linux: the command line is %zu bytes, too long (at most %u)",
			 strlen(given), LINUX_CMDLINE_MAX - 1);
		return -1;
	}
	tsc_added = linux_cmdline_compose(cmdline, sizeof(cmdline), given, tsc_hz());
	if (linux_plan(bz, lp->ram_size, cmdline, rd_size, &l, err, errlen))
		return -1;
	if (!guest_mem_write(&g->mem, l.kernel_gpa, image + bz->kernel_offset, bz->kernel_size) ||
	    (rd_size && !guest_mem_write(&g->mem, l.initrd_gpa, phys_to_virt(rd->start), rd_size)) ||
	    !linux_write_boot_data(g, lp->pmm, image, bz, &l, cmdline)) {
		snprintk(err, errlen, "Linux: the kernel or its boot data could not be written to "
			 "guest RAM");
		return -1;
	}
	linux_initial_state(&g->vcpu, (uint32_t)l.kernel_gpa);
	lp->ops->load_state(&g->vcpu);
	guest_cpu_reset(g);
	guest_paging_changed(g);
	pr_info("umbra: guest: Linux bzImage, boot protocol %u.%02u, %s kernel (%s), at %llx-%llx, "
		"initramfs %llu bytes at %llx, %llu MiB RAM in %u slots\n", bz->version >> 8,
		bz->version & 0xff, bz->xloadflags & BZ_XLF_KERNEL_64 ? "64-bit" : "32-bit",
		bzimage_compression_name(bz->compression), (unsigned long long)l.kernel_gpa,
		(unsigned long long)l.kernel_end, (unsigned long long)l.initrd_size,
		(unsigned long long)l.initrd_gpa, (unsigned long long)(lp->ram_size >> 20),
		g->mem.count);
	if (tsc_added)
		pr_info("umbra: guest: Linux command line + tsc_early_khz=%llu (the TSC rate Umbra "
			"measured; tsc_early_khz=0 lets Linux calibrate)\n",
			(unsigned long long)((tsc_hz() + 500) / 1000));
	return 0;
}

/* The per-run state every start begins from: devices at power-on, nothing reported yet (the
 * MSRs get their power-on values in guest_cpu_reset()). */
static bool guest_power_on(struct guest *g, const struct guest_load_params *lp)
{
	g->host_cpu = lp->cpu;
	return guest_platform_init(g, lp->ram_size);
}

/* The kernel module, parsed: a bzImage (Linux) or a multiboot image. */
struct guest_kernel {
	bool is_linux;
	struct guest_image mb;
	struct bzimage bz;
};

/* A module with the bzImage signature is Linux (and must parse as such); anything else must
 * be a multiboot kernel. */
static int guest_parse(const struct guest_load_params *lp, struct guest_kernel *k, char *err,
		       size_t errlen)
{
	const struct guest_module *m = &lp->modules[lp->module_index];
	const void *image = phys_to_virt(m->start);
	size_t size = m->end - m->start;

	k->is_linux = bzimage_detect(image, size);
	if (k->is_linux)
		return bzimage_parse(image, size, &k->bz, err, errlen);
	return guest_image_parse(image, size, lp->ram_size, &k->mb, err, errlen);
}

/* Both boot protocols get the firmware tables (ACPI and MP) in the BIOS area, then the
 * kernel and its boot data. */
static int guest_boot_image(struct guest *g, const struct guest_load_params *lp,
			    const struct guest_kernel *k, char *err, size_t errlen)
{
	if (!guest_firmware_write(g, lp->pmm)) {
		snprintk(err, errlen, "the ACPI and MP tables could not be written to guest memory");
		return -1;
	}
	if (k->is_linux)
		return guest_boot_linux(g, lp, &k->bz, err, errlen);
	return guest_boot_multiboot(g, lp, &k->mb, err, errlen);
}

/* The shadow MMU with its pool: shadow_mem= bytes, or the default from the host memory the
 * allocator had at boot (mm/shadow_pool.h). Returns 0, or -1 with the reason in err. */
static int guest_mmu_init(struct guest *g, const struct guest_load_params *lp, char *err,
			  size_t errlen)
{
	uint64_t bytes = lp->shadow_mem ? lp->shadow_mem :
			 shadow_mem_default(lp->pmm->total_pages * PAGE_SIZE);
	struct shadow_pool pool;

	if (!shadow_pool_from_bytes(bytes, &pool)) {
		snprintk(err, errlen, "shadow_mem=%lluK is too small: the shadow MMU needs %u shadow "
			 "pages or more", (unsigned long long)(bytes >> 10), SHADOW_POOL_MIN_PAGES);
		return -1;
	}
	if (!mmu_init_pool(&g->mmu, &g->mem, lp->pmm, &(struct mmu_cpu){
			.maxphyaddr = lp->cpu->maxphyaddr,
			.host_maxphyaddr = lp->cpu->maxphyaddr,
			.pse36 = cpu_has(lp->cpu->leaf1_edx, CPUID_1_EDX_PSE36),
			.gb_pages = cpu_has(lp->cpu->ext1_edx, CPUID_80000001_EDX_PAGE1GB),
			.host_nx = cpu_has(lp->cpu->ext1_edx, CPUID_80000001_EDX_NX) }, &pool)) {
		snprintk(err, errlen, "shadow_mem=%lluM does not fit in host memory (%llu MiB free "
			 "after guest RAM): give a smaller shadow_mem=",
			 (unsigned long long)(bytes >> 20),
			 (unsigned long long)(lp->pmm->free_pages * PAGE_SIZE >> 20));
		return -1;
	}
	pr_info("umbra: mmu: shadow pool of %llu KiB: %u shadow pages, %u reverse-map entries, "
		"%u parent links\n", (unsigned long long)(shadow_pool_bytes(&pool) >> 10),
		pool.pages, pool.rmap_entries, pool.links);
	return 0;
}

int guest_load(struct guest *g, const struct guest_load_params *lp, char *err, size_t errlen)
{
	struct guest_kernel k;

	memset(g, 0, sizeof(*g));
	if (!guest_power_on(g, lp)) {
		snprintk(err, errlen, "the virtual devices do not fit the device bus");
		return -1;
	}
	if (guest_parse(lp, &k, err, errlen))
		return -1;
	if (!guest_mem_init(&g->mem, lp->pmm, lp->ram_size)) {
		snprintk(err, errlen, "cannot allocate %llu MiB of guest RAM",
			 (unsigned long long)(lp->ram_size >> 20));
		return -1;
	}
	if (!k.is_linux && k.mb.wants_video_mode)
		pr_warn("umbra: guest: the kernel asks for a video mode; it gets none (serial only)\n");
	if (guest_mmu_init(g, lp, err, errlen))
		return -1;
	if (lp->tdp) {
		if (!tdp_init(&g->tdp, &g->mem, lp->pmm, lp->tdp)) {
			snprintk(err, errlen, "out of memory for the TDP tables");
			return -1;
		}
		g->vcpu.tdp_root = g->tdp.root;
	}
	/* mm/spte.h: with the marker, a #PF with P = 0 is a guest-not-present fault. */
	g->vcpu.np_faults_direct = !lp->tdp && g->mmu.trap;
	g->vcpu.ops = lp->ops;
	g->vcpu.guest = g;
	if (!lp->ops->vcpu_create(&g->vcpu, lp->pmm)) {
		snprintk(err, errlen, "the %s backend could not create the vCPU", lp->ops->name);
		return -1;
	}
	return guest_boot_image(g, lp, &k, err, errlen);
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
	uint64_t tdp_root = g->vcpu.tdp_root;
	bool own_timer = g->vcpu.own_timer, rdtscp_faults = g->vcpu.rdtscp_faults;
	bool np_faults_direct = g->vcpu.np_faults_direct;
	struct guest_kernel k;

	/* What the first load allocated stays: RAM, the MMU's pools, the backend's vCPU. The rest
	 * of struct guest, from bus on, is per-run state (guest/guest.h). */
	g->vcpu = (struct vcpu){ .ops = ops, .arch = arch, .guest = g, .tag = tag,
				 .own_timer = own_timer, .rdtscp_faults = rdtscp_faults,
				 .tdp_root = tdp_root, .np_faults_direct = np_faults_direct };
	memset((char *)g + offsetof(struct guest, bus), 0, sizeof(*g) - offsetof(struct guest, bus));
	mmu_reset(&g->mmu);
	memset(&g->mmu.stats, 0, sizeof(g->mmu.stats));
	if (tdp_root) {
		uint64_t pages;

		tdp_reset(&g->tdp);	/* the next entry flushes (tdp.need_flush) */
		pages = g->tdp.stats.table_pages;
		memset(&g->tdp.stats, 0, sizeof(g->tdp.stats));
		g->tdp.stats.table_pages = pages;
	}
	ops->set_interrupt_window(&g->vcpu, false);
	if (!guest_power_on(g, lp)) {
		snprintk(err, errlen, "the virtual devices do not fit the device bus");
		return -1;
	}
	if (guest_parse(lp, &k, err, errlen))
		return -1;
	if (!guest_mem_clear(&g->mem)) {
		snprintk(err, errlen, "guest RAM could not be cleared");
		return -1;
	}
	return guest_boot_image(g, lp, &k, err, errlen);
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
