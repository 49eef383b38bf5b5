/* Builds the Multiboot (v1) information block, and all it points to, that the guest gets in EBX. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/loader/guest_bootinfo.h"
#include "guest/loader/multiboot1.h"
#include "lib/string.h"

_Static_assert(GUEST_LOW_RAM_END == MB1_LOWER_MEMORY_MAX, "low RAM is all of lower memory");
_Static_assert(GUEST_HIGH_RAM_START == MB1_UPPER_MEMORY_START, "high RAM is upper memory");

/* One memory map entry before it is written. */
struct bootinfo_range {
	uint64_t base;
	uint64_t length;
	uint32_t type;
};

/* Where each part of the block goes, as offsets from its start. */
struct bootinfo_layout {
	struct bootinfo_range mmap[GUEST_BOOTINFO_MMAP_ENTRIES];
	unsigned mmap_count;
	size_t mmap_off;
	size_t mods_off;
	size_t cmdline_off;
	size_t name_off;
	size_t mod_strings_off;		/* the module strings follow one another from here */
	size_t total;
};

/* Returns s, or "" for NULL. */
static const char *str_or_empty(const char *s)
{
	return s ? s : "";
}

/* Rounds n up to GUEST_BOOTINFO_ALIGN; false if that overflows. */
static bool align_up(size_t *n)
{
	size_t a = GUEST_BOOTINFO_ALIGN;

	if (*n > (size_t)-1 - (a - 1))
		return false;
	*n = (*n + a - 1) & ~(a - 1);
	return true;
}

/* Adds n to *acc; false if that overflows. */
static bool add_size(size_t *acc, size_t n)
{
	if (n > (size_t)-1 - *acc)
		return false;
	*acc += n;
	return true;
}

/* Appends the range [base, end) to the layout's memory map unless it is empty. */
static void add_range(struct bootinfo_layout *l, uint64_t base, uint64_t end, uint32_t type)
{
	if (end <= base)
		return;
	l->mmap[l->mmap_count].base = base;
	l->mmap[l->mmap_count].length = end - base;
	l->mmap[l->mmap_count].type = type;
	l->mmap_count++;
}

/* Fills the memory map that describes ram_size bytes of guest RAM. */
static void plan_mmap(struct bootinfo_layout *l, uint64_t ram_size)
{
	uint64_t low_end = ram_size < GUEST_LOW_RAM_END ? ram_size : GUEST_LOW_RAM_END;

	l->mmap_count = 0;
	add_range(l, 0, low_end, MB1_MEMORY_AVAILABLE);
	add_range(l, GUEST_BIOS_START, GUEST_HIGH_RAM_START, MB1_MEMORY_RESERVED);
	add_range(l, GUEST_HIGH_RAM_START, ram_size, MB1_MEMORY_AVAILABLE);
}

/* Returns true if p can be described: non-NULL, modules present when counted, ranges ordered. */
static bool params_valid(const struct guest_boot_params *p)
{
	unsigned i;

	if (!p || (p->module_count && !p->modules))
		return false;
	for (i = 0; i < p->module_count; i++)
		if (p->modules[i].gpa_end < p->modules[i].gpa_start)
			return false;
	return true;
}

/* Sums the module strings (with their NULs) into *acc; false if that overflows. */
static bool add_module_strings(size_t *acc, const struct guest_boot_params *p)
{
	unsigned i;

	for (i = 0; i < p->module_count; i++)
		if (!add_size(acc, strlen(str_or_empty(p->modules[i].string)) + 1))
			return false;
	return true;
}

/* Computes the layout for p; returns false if p is invalid or the sizes overflow. */
static bool plan_layout(struct bootinfo_layout *l, const struct guest_boot_params *p)
{
	size_t off = sizeof(struct mb1_info);

	if (!params_valid(p))
		return false;
	plan_mmap(l, p->ram_size);
	if (!align_up(&off))
		return false;
	l->mmap_off = off;
	off += l->mmap_count * sizeof(struct mb1_mmap_entry);
	l->mods_off = off;
	if ((size_t)p->module_count > ((size_t)-1 - off) / sizeof(struct mb1_module))
		return false;
	off += (size_t)p->module_count * sizeof(struct mb1_module);
	l->cmdline_off = off;
	if (!add_size(&off, strlen(str_or_empty(p->cmdline)) + 1))
		return false;
	l->name_off = off;
	if (!add_size(&off, strlen(str_or_empty(p->loader_name)) + 1))
		return false;
	l->mod_strings_off = off;
	if (!add_module_strings(&off, p) || !align_up(&off))
		return false;
	l->total = off;
	return true;
}

/* Returns the bytes guest_bootinfo_build() needs for p, or 0 if p is invalid. */
size_t guest_bootinfo_size(const struct guest_boot_params *p)
{
	struct bootinfo_layout l;

	if (!plan_layout(&l, p))
		return 0;
	return l.total;
}

/* Copies s and its NUL to buf + off; returns the offset just past it. */
static size_t put_string(uint8_t *buf, size_t off, const char *s)
{
	size_t n = strlen(s) + 1;

	memcpy(buf + off, s, n);
	return off + n;
}

/* Writes the memory map entries at l->mmap_off. */
static void write_mmap(uint8_t *buf, const struct bootinfo_layout *l)
{
	struct mb1_mmap_entry e;
	unsigned i;

	for (i = 0; i < l->mmap_count; i++) {
		e.size = MB1_MMAP_ENTRY_SIZE_FIELD;
		e.base_addr = l->mmap[i].base;
		e.length = l->mmap[i].length;
		e.type = l->mmap[i].type;
		memcpy(buf + l->mmap_off + i * sizeof(e), &e, sizeof(e));
	}
}

/* Writes the module list at l->mods_off and the module strings after l->mod_strings_off. */
static void write_modules(uint8_t *buf, uint32_t buf_gpa, const struct bootinfo_layout *l,
			  const struct guest_boot_params *p)
{
	struct mb1_module m;
	size_t str_off = l->mod_strings_off;
	unsigned i;

	for (i = 0; i < p->module_count; i++) {
		m.mod_start = p->modules[i].gpa_start;
		m.mod_end = p->modules[i].gpa_end;
		m.string = buf_gpa + (uint32_t)str_off;
		m.reserved = 0;
		memcpy(buf + l->mods_off + i * sizeof(m), &m, sizeof(m));
		str_off = put_string(buf, str_off, str_or_empty(p->modules[i].string));
	}
}

/* Returns KiB of RAM from 1 MiB up to ram_size, saturated to 32 bits (3.3, mem_upper). */
static uint32_t upper_kib(uint64_t ram_size)
{
	uint64_t kib;

	if (ram_size <= GUEST_HIGH_RAM_START)
		return 0;
	kib = (ram_size - GUEST_HIGH_RAM_START) / 1024;
	return kib > UINT32_MAX ? UINT32_MAX : (uint32_t)kib;
}

/* Writes the information block itself at offset 0. */
static void write_info(uint8_t *buf, uint32_t buf_gpa, const struct bootinfo_layout *l,
		       const struct guest_boot_params *p)
{
	uint64_t low_end = p->ram_size < GUEST_LOW_RAM_END ? p->ram_size : GUEST_LOW_RAM_END;
	struct mb1_info info;

	memset(&info, 0, sizeof(info));
	info.flags = MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MEM_MAP |
		     MB1_INFO_BOOT_LOADER_NAME;
	info.mem_lower = (uint32_t)(low_end / 1024);
	info.mem_upper = upper_kib(p->ram_size);
	info.cmdline = buf_gpa + (uint32_t)l->cmdline_off;
	info.mmap_length = (uint32_t)(l->mmap_count * sizeof(struct mb1_mmap_entry));
	info.mmap_addr = buf_gpa + (uint32_t)l->mmap_off;
	info.boot_loader_name = buf_gpa + (uint32_t)l->name_off;
	if (p->module_count) {
		info.flags |= MB1_INFO_MODS;
		info.mods_count = p->module_count;
		info.mods_addr = buf_gpa + (uint32_t)l->mods_off;
	}
	memcpy(buf, &info, sizeof(info));
}

/* Builds the information block for p in buf, to live at buf_gpa; see guest/loader/guest_bootinfo.h. */
size_t guest_bootinfo_build(void *buf, size_t bufsize, uint32_t buf_gpa,
			    const struct guest_boot_params *p)
{
	struct bootinfo_layout l;
	uint8_t *b = buf;

	if (!buf || buf_gpa % GUEST_BOOTINFO_ALIGN != 0 || !plan_layout(&l, p))
		return 0;
	if (l.total > bufsize || l.total > (uint64_t)UINT32_MAX + 1 - buf_gpa)
		return 0;
	memset(b, 0, l.total);
	write_info(b, buf_gpa, &l, p);
	write_mmap(b, &l);
	write_modules(b, buf_gpa, &l, p);
	put_string(b, l.cmdline_off, str_or_empty(p->cmdline));
	put_string(b, l.name_off, str_or_empty(p->loader_name));
	return l.total;
}
