/* Booting Linux: the placement of a bzImage and its boot_params (see guest/loader/linux.h). */
#include "guest/loader/guest_bootinfo.h"
#include "guest/loader/linux.h"
#include "lib/format.h"
#include "lib/string.h"

#define FOUR_GIB	(1ull << 32)
#define PAGE		0x1000ull
#define MiB		(1ull << 20)

/* The command-line area ends where the EBDA of a PC would start. */
#define LINUX_CMDLINE_END	0x9f000ull

/* True when the command line has a word starting with key (e.g. "root="). */
static bool cmdline_has_word(const char *line, const char *key)
{
	size_t n = strlen(key);

	for (const char *s = line; *s; s++)
		if ((s == line || s[-1] == ' ' || s[-1] == '\t') && !strncmp(s, key, n))
			return true;
	return false;
}

bool linux_cmdline_needs_initrd(const char *cmdline)
{
	return cmdline_has_word(cmdline, "rdinit=") || !cmdline_has_word(cmdline, "root=");
}

bool linux_cmdline_compose(char *out, size_t outlen, const char *cmdline, uint64_t tsc_hz)
{
	size_t len = strlen(cmdline);
	int n;

	if (!outlen)
		return false;
	if (len >= outlen) {
		out[0] = 0;
		return false;
	}
	memcpy(out, cmdline, len + 1);
	if (!tsc_hz || cmdline_has_word(cmdline, "tsc_early_khz="))
		return false;
	n = snprintk(out + len, outlen - len, "%stsc_early_khz=%llu", len ? " " : "",
		     (unsigned long long)((tsc_hz + 500) / 1000));
	if (n < 0 || (size_t)n >= outlen - len) {
		out[len] = 0;
		return false;
	}
	return true;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* The load address and the end of the memory the kernel owns at first. */
static int plan_kernel(const struct bzimage *bz, uint64_t ram_size, struct linux_layout *out,
		       char *err, size_t errlen)
{
	uint64_t at = bz->pref_address, size;
	uint64_t top = ram_size < FOUR_GIB ? ram_size : FOUR_GIB;

	if (bz->relocatable)
		at = align_up(at, bz->kernel_alignment);
	size = bz->init_size > bz->kernel_size ? bz->init_size : bz->kernel_size;
	if (at < GUEST_HIGH_RAM_START)
		return error_line(err, errlen, "Linux: the kernel wants to run at 0x%llx, below 1 MiB",
			    (unsigned long long)at);
	if (at + size > top)
		return error_line(err, errlen, "Linux: the kernel needs [0x%llx, 0x%llx) (pref_address + "
			    "init_size) but guest RAM ends at 0x%llx: give guest_mem=%lluM or more",
			    (unsigned long long)at, (unsigned long long)(at + size),
			    (unsigned long long)ram_size,
			    (unsigned long long)((at + size + MiB - 1) / MiB));
	out->kernel_gpa = at;
	out->kernel_end = at + size;
	return 0;
}

/* The highest page-aligned place for the initramfs above the kernel. */
static int plan_initrd(const struct bzimage *bz, uint64_t ram_size, uint64_t size,
		       struct linux_layout *out, char *err, size_t errlen)
{
	uint64_t top = ram_size < FOUR_GIB ? ram_size : FOUR_GIB;
	uint64_t lowest = align_up(out->kernel_end, PAGE);

	if ((uint64_t)bz->initrd_addr_max + 1 < top)
		top = (uint64_t)bz->initrd_addr_max + 1;
	if (size > top || ((top - size) & ~(PAGE - 1)) < lowest)
		return error_line(err, errlen, "Linux: the initramfs (%llu bytes) does not fit between the "
			    "kernel's end 0x%llx and 0x%llx (guest RAM or initrd_addr_max): give "
			    "guest_mem=%lluM or more", (unsigned long long)size,
			    (unsigned long long)lowest, (unsigned long long)top,
			    (unsigned long long)((lowest + size + MiB - 1) / MiB));
	out->initrd_gpa = (top - size) & ~(PAGE - 1);
	out->initrd_size = size;
	return 0;
}

int linux_plan(const struct bzimage *bz, uint64_t ram_size, const char *cmdline,
	       uint64_t initrd_size, struct linux_layout *out, char *err, size_t errlen)
{
	struct linux_layout l = { .cmdline_len = strlen(cmdline) };

	memset(out, 0, sizeof(*out));
	if (l.cmdline_len > bz->cmdline_size)
		return error_line(err, errlen, "Linux: the command line is %zu bytes, the kernel takes at most "
			    "%u (cmdline_size)", l.cmdline_len, bz->cmdline_size);
	if (l.cmdline_len >= LINUX_CMDLINE_END - LINUX_CMDLINE_GPA)
		return error_line(err, errlen, "Linux: the command line is %zu bytes, too long", l.cmdline_len);
	if (plan_kernel(bz, ram_size, &l, err, errlen) ||
	    (initrd_size && plan_initrd(bz, ram_size, initrd_size, &l, err, errlen)))
		return -1;
	*out = l;
	return 0;
}

unsigned linux_e820_map(struct linux_e820 *map, unsigned max, uint64_t ram_size)
{
	const struct linux_e820 all[] = {
		{ 0, GUEST_LOW_RAM_END, E820_RAM },
		{ GUEST_LOW_RAM_END, GUEST_HIGH_RAM_START - GUEST_LOW_RAM_END, E820_RESERVED },
		{ GUEST_HIGH_RAM_START,
		  ram_size > GUEST_HIGH_RAM_START ? ram_size - GUEST_HIGH_RAM_START : 0, E820_RAM },
	};
	unsigned n = 0;

	for (unsigned i = 0; i < sizeof(all) / sizeof(all[0]) && n < max; i++)
		if (all[i].size)
			map[n++] = all[i];
	return n;
}

static void put16(uint8_t *zp, unsigned off, uint16_t v)
{
	memcpy(zp + off, &v, sizeof(v));
}

static void put32(uint8_t *zp, unsigned off, uint32_t v)
{
	memcpy(zp + off, &v, sizeof(v));
}

/* The header fields a boot loader writes ("Details of Header Fields", each field's entry). */
static void fill_header(uint8_t *zp, const struct bzimage *bz, const struct linux_layout *l)
{
	uint8_t flags = (uint8_t)((bz->loadflags | BZ_CAN_USE_HEAP) &
				  ~(BZ_KEEP_SEGMENTS | BZ_QUIET_FLAG | BZ_KASLR_FLAG));

	zp[BZ_TYPE_OF_LOADER] = LINUX_TYPE_OF_LOADER;
	zp[BZ_EXT_LOADER_VER] = 0;
	zp[BZ_EXT_LOADER_TYPE] = 0;
	zp[BZ_LOADFLAGS] = flags;
	put16(zp, BZ_HEAP_END_PTR, LINUX_HEAP_END_PTR);
	put16(zp, BZ_VID_MODE, 0xffff);
	put32(zp, BZ_CODE32_START, (uint32_t)l->kernel_gpa);
	put32(zp, BZ_CMD_LINE_PTR, (uint32_t)LINUX_CMDLINE_GPA);
	put32(zp, ZP_EXT_CMD_LINE_PTR, (uint32_t)(LINUX_CMDLINE_GPA >> 32));
	put32(zp, BZ_RAMDISK_IMAGE, (uint32_t)l->initrd_gpa);
	put32(zp, BZ_RAMDISK_SIZE, (uint32_t)l->initrd_size);
	put32(zp, ZP_EXT_RAMDISK_IMAGE, (uint32_t)(l->initrd_gpa >> 32));
	put32(zp, ZP_EXT_RAMDISK_SIZE, (uint32_t)(l->initrd_size >> 32));
}

void linux_build_zero_page(uint8_t zp[LINUX_ZERO_PAGE_SIZE], const uint8_t *image,
			   const struct bzimage *bz, const struct linux_layout *l, uint64_t ram_size)
{
	struct linux_e820 map[3];
	uint64_t ext_kib = ram_size > GUEST_HIGH_RAM_START ? (ram_size - GUEST_HIGH_RAM_START) >> 10 : 0;
	unsigned n;

	memset(zp, 0, LINUX_ZERO_PAGE_SIZE);
	memcpy(zp + BZ_HDR_START, image + BZ_HDR_START, bz->header_end - BZ_HDR_START);
	fill_header(zp, bz, l);
	/* alt_mem_k: KiB of memory above 1 MiB, the fallback when no e820 map is usable. */
	put32(zp, ZP_ALT_MEM_K, ext_kib > UINT32_MAX ? UINT32_MAX : (uint32_t)ext_kib);
	n = linux_e820_map(map, sizeof(map) / sizeof(map[0]), ram_size);
	zp[ZP_E820_ENTRIES] = (uint8_t)n;
	memcpy(zp + ZP_E820_TABLE, map, n * sizeof(map[0]));
}

/* A flat 4 GiB descriptor: base 0, limit 0xfffff pages (G), 32-bit (D/B), present, DPL 0, a
 * code or data segment (S) of the given 4-bit type with its accessed bit already set, so the
 * processor never writes the table (SDM Vol. 3A 3.4.5). */
static uint64_t flat_descriptor(unsigned type)
{
	return 0x00cf00000000ffffull | (uint64_t)(0x90 | type) << 40;
}

void linux_build_gdt(uint64_t gdt[LINUX_GDT_ENTRIES])
{
	gdt[0] = 0;
	gdt[1] = 0;
	gdt[LINUX_BOOT_CS / 8] = flat_descriptor(0xb);	/* execute/read, accessed */
	gdt[LINUX_BOOT_DS / 8] = flat_descriptor(0x3);	/* read/write, accessed */
}
