/* Multiboot2 information parser: validates the loader's block and fills a struct boot_info. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/boot_info.h"
#include "boot/multiboot2.h"
#include "lib/format.h"
#include "lib/string.h"

_Static_assert(MEM_USABLE == MB2_MEMORY_AVAILABLE, "mem_type follows Multiboot2");
_Static_assert(MEM_RESERVED == MB2_MEMORY_RESERVED, "mem_type follows Multiboot2");
_Static_assert(MEM_ACPI_RECLAIMABLE == MB2_MEMORY_ACPI_RECLAIMABLE, "mem_type follows Multiboot2");
_Static_assert(MEM_ACPI_NVS == MB2_MEMORY_NVS, "mem_type follows Multiboot2");
_Static_assert(MEM_BAD == MB2_MEMORY_BADRAM, "mem_type follows Multiboot2");
_Static_assert(MB2_TAG_LAST_DEFINED < 32, "seen mask holds one bit per tag type");

/* The state of one parse: the block, where results go, and where a failure is reported. */
struct mb2_parser {
	const uint8_t *base;
	uint32_t total;
	struct boot_info *out;
	char *err;
	size_t errlen;
	uint32_t seen;			/* bit n: a tag of type n was interpreted */
	uint32_t off;			/* offset of the tag being parsed, for messages */
};

/* Puts out into the state that describes an empty information block. */
static void boot_info_reset(struct boot_info *out)
{
	memset(out, 0, sizeof(*out));
	out->cmdline = "";
	out->loader_name = "";
}

/* Returns the smallest size a tag of this type may have, or 8 for types we do not interpret. */
static uint32_t tag_min_size(uint32_t type)
{
	switch (type) {
	case MB2_TAG_CMDLINE:
	case MB2_TAG_LOADER_NAME:
		return sizeof(struct mb2_tag_string) + 1;
	case MB2_TAG_MODULE:
		return sizeof(struct mb2_tag_module) + 1;
	case MB2_TAG_BASIC_MEMINFO:
		return sizeof(struct mb2_tag_basic_meminfo);
	case MB2_TAG_MMAP:
		return sizeof(struct mb2_tag_mmap);
	case MB2_TAG_FRAMEBUFFER:
		return sizeof(struct mb2_tag_framebuffer);
	case MB2_TAG_EFI32:
	case MB2_TAG_EFI32_IH:
		return sizeof(struct mb2_tag_efi32);
	case MB2_TAG_EFI64:
	case MB2_TAG_EFI64_IH:
		return sizeof(struct mb2_tag_efi64);
	case MB2_TAG_ACPI_OLD:
		return sizeof(struct mb2_tag) + MB2_RSDP_V1_SIZE;
	case MB2_TAG_ACPI_NEW:
		return sizeof(struct mb2_tag) + MB2_RSDP_V2_SIZE;
	case MB2_TAG_EFI_MMAP:
		return sizeof(struct mb2_tag_efi_mmap);
	default:
		return sizeof(struct mb2_tag);
	}
}

/* Returns the slot in the seen mask that guards a tag type against repetition, or -1 if none. */
static int tag_unique_slot(uint32_t type)
{
	switch (type) {
	case MB2_TAG_MODULE:
		return -1;
	case MB2_TAG_EFI64:
		return MB2_TAG_EFI32;		/* one system table, whatever its width */
	case MB2_TAG_EFI64_IH:
		return MB2_TAG_EFI32_IH;	/* one image handle, whatever its width */
	default:
		return type <= MB2_TAG_LAST_DEFINED ? (int)type : -1;
	}
}

/* Returns the tag's string field at offset start, or NULL if no NUL ends it within the tag. */
static const char *tag_string(const uint8_t *tag, uint32_t size, uint32_t start)
{
	const char *s = (const char *)tag + start;

	if (strnlen(s, size - start) == size - start)
		return NULL;
	return s;
}

/* Handles tags 1 and 2: points *dst at the string inside the tag. */
static int parse_string(struct mb2_parser *ps, const uint8_t *tag, uint32_t size, const char **dst)
{
	const char *s = tag_string(tag, size, sizeof(struct mb2_tag_string));

	if (!s) {
		snprintk(ps->err, ps->errlen, "string tag at offset %u is not NUL-terminated",
			 ps->off);
		return -1;
	}
	*dst = s;
	return 0;
}

/* Handles tag 3: appends one module, or marks the list truncated when it is full. */
static int parse_module(struct mb2_parser *ps, const uint8_t *tag, uint32_t size)
{
	struct boot_info *out = ps->out;
	struct mb2_tag_module m;
	const char *s;

	memcpy(&m, tag, sizeof(m));
	if (m.mod_start > m.mod_end) {
		snprintk(ps->err, ps->errlen,
			 "module at offset %u ends (0x%x) before it starts (0x%x)",
			 ps->off, m.mod_end, m.mod_start);
		return -1;
	}
	s = tag_string(tag, size, sizeof(m));
	if (!s) {
		snprintk(ps->err, ps->errlen, "module string at offset %u is not NUL-terminated",
			 ps->off);
		return -1;
	}
	if (out->module_count == BOOT_MAX_MODULES) {
		out->modules_truncated = true;
		return 0;
	}
	out->modules[out->module_count].start = m.mod_start;
	out->modules[out->module_count].end = m.mod_end;
	out->modules[out->module_count].string = s;
	out->module_count++;
	return 0;
}

/* Handles tag 4: records lower and upper memory sizes. */
static int parse_basic_meminfo(struct mb2_parser *ps, const uint8_t *tag)
{
	struct mb2_tag_basic_meminfo m;

	memcpy(&m, tag, sizeof(m));
	ps->out->have_basic_meminfo = true;
	ps->out->mem_lower_kib = m.mem_lower;
	ps->out->mem_upper_kib = m.mem_upper;
	return 0;
}

/* Handles tag 6: copies entries (stride entry_size) until mem[] is full, then marks truncation. */
static int parse_mmap(struct mb2_parser *ps, const uint8_t *tag, uint32_t size)
{
	struct boot_info *out = ps->out;
	struct mb2_tag_mmap m;
	struct mb2_mmap_entry e;
	uint32_t pos;

	memcpy(&m, tag, sizeof(m));
	if (m.entry_size < sizeof(e) || m.entry_size % 8 != 0) {
		snprintk(ps->err, ps->errlen, "memory map at offset %u has bad entry_size %u",
			 ps->off, m.entry_size);
		return -1;
	}
	if ((size - sizeof(m)) % m.entry_size != 0) {
		snprintk(ps->err, ps->errlen,
			 "memory map at offset %u: size %u ends in a partial %u-byte entry",
			 ps->off, size, m.entry_size);
		return -1;
	}
	for (pos = sizeof(m); pos < size; pos += m.entry_size) {
		if (out->mem_count == BOOT_MAX_MEM_RANGES) {
			out->mem_truncated = true;
			break;
		}
		memcpy(&e, tag + pos, sizeof(e));
		out->mem[out->mem_count].base = e.base_addr;
		out->mem[out->mem_count].length = e.length;
		out->mem[out->mem_count].type = e.type;
		out->mem_count++;
	}
	return 0;
}

/* Handles tag 8: the framebuffer's place and layout; the colour fields only for direct RGB. */
static void parse_framebuffer(struct mb2_parser *ps, const uint8_t *tag, uint32_t size)
{
	struct boot_info *out = ps->out;
	struct mb2_tag_framebuffer f;
	struct mb2_framebuffer_rgb rgb;

	memcpy(&f, tag, sizeof(f));
	out->have_framebuffer = true;
	out->framebuffer_type = f.fb_type;
	out->framebuffer.addr = f.addr;
	out->framebuffer.pitch = f.pitch;
	out->framebuffer.width = f.width;
	out->framebuffer.height = f.height;
	out->framebuffer.bpp = f.bpp;
	if (f.fb_type != MB2_FRAMEBUFFER_RGB || size < sizeof(f) + sizeof(rgb))
		return;
	memcpy(&rgb, tag + sizeof(f), sizeof(rgb));
	out->framebuffer.red_pos = rgb.red_pos;
	out->framebuffer.red_size = rgb.red_size;
	out->framebuffer.green_pos = rgb.green_pos;
	out->framebuffer.green_size = rgb.green_size;
	out->framebuffer.blue_pos = rgb.blue_pos;
	out->framebuffer.blue_size = rgb.blue_size;
}

/* Handles tags 14 and 15: points at the RSDP copy; the new-RSDP tag wins over the old one. */
static int parse_acpi(struct mb2_parser *ps, const uint8_t *tag, uint32_t size, uint8_t revision)
{
	struct boot_info *out = ps->out;

	if (out->acpi_revision_tag > revision)
		return 0;
	out->acpi_rsdp = tag + sizeof(struct mb2_tag);
	out->acpi_rsdp_len = size - sizeof(struct mb2_tag);
	out->acpi_revision_tag = revision;
	return 0;
}

/* Returns the 32- or 64-bit pointer carried by an EFI pointer tag (11, 12, 19 or 20). */
static uint64_t read_efi_pointer(const uint8_t *tag, unsigned bits)
{
	struct mb2_tag_efi32 t32;
	struct mb2_tag_efi64 t64;

	if (bits == 32) {
		memcpy(&t32, tag, sizeof(t32));
		return t32.pointer;
	}
	memcpy(&t64, tag, sizeof(t64));
	return t64.pointer;
}

/* Interprets one tag whose header and type-specific minimum size are already validated. */
static int parse_tag(struct mb2_parser *ps, const uint8_t *tag, uint32_t type, uint32_t size)
{
	struct boot_info *out = ps->out;

	switch (type) {
	case MB2_TAG_CMDLINE:
		return parse_string(ps, tag, size, &out->cmdline);
	case MB2_TAG_LOADER_NAME:
		return parse_string(ps, tag, size, &out->loader_name);
	case MB2_TAG_MODULE:
		return parse_module(ps, tag, size);
	case MB2_TAG_BASIC_MEMINFO:
		return parse_basic_meminfo(ps, tag);
	case MB2_TAG_MMAP:
		return parse_mmap(ps, tag, size);
	case MB2_TAG_FRAMEBUFFER:
		parse_framebuffer(ps, tag, size);
		return 0;
	case MB2_TAG_EFI32:
	case MB2_TAG_EFI64:
		out->efi_bits = type == MB2_TAG_EFI32 ? 32 : 64;
		out->efi_system_table = read_efi_pointer(tag, out->efi_bits);
		return 0;
	case MB2_TAG_EFI32_IH:
	case MB2_TAG_EFI64_IH:
		out->efi_image_handle = read_efi_pointer(tag, type == MB2_TAG_EFI32_IH ? 32 : 64);
		return 0;
	case MB2_TAG_ACPI_OLD:
		return parse_acpi(ps, tag, size, 1);
	case MB2_TAG_ACPI_NEW:
		return parse_acpi(ps, tag, size, 2);
	case MB2_TAG_EFI_MMAP:
		out->have_efi_memory_map = true;
		return 0;
	case MB2_TAG_EFI_BS:
		out->efi_boot_services_active = true;
		return 0;
	default:
		if (type > MB2_TAG_LAST_DEFINED)
			out->unknown_tags++;
		return 0;
	}
}

/* Checks a tag's size against its type and rejects a second copy of a once-only tag. */
static int check_tag(struct mb2_parser *ps, uint32_t type, uint32_t size)
{
	int slot = tag_unique_slot(type);

	if (size < tag_min_size(type)) {
		snprintk(ps->err, ps->errlen, "tag %u at offset %u: size %u below minimum %u",
			 type, ps->off, size, tag_min_size(type));
		return -1;
	}
	if (slot >= 0) {
		if (ps->seen & (1u << slot)) {
			snprintk(ps->err, ps->errlen, "tag %u at offset %u: duplicate", type,
				 ps->off);
			return -1;
		}
		ps->seen |= 1u << slot;
	}
	return 0;
}

/* Validates the fixed part: alignment and a plausible total_size. */
static int check_header(struct mb2_parser *ps, const void *mbi)
{
	struct mb2_info_header hdr;

	if (!mbi) {
		snprintk(ps->err, ps->errlen, "no boot information (NULL)");
		return -1;
	}
	if ((uintptr_t)mbi % MB2_INFO_ALIGN != 0) {
		snprintk(ps->err, ps->errlen, "boot information at 0x%lx is not 8-byte aligned",
			 (unsigned long)(uintptr_t)mbi);
		return -1;
	}
	memcpy(&hdr, mbi, sizeof(hdr));
	if (hdr.total_size < sizeof(hdr) + sizeof(struct mb2_tag)) {
		snprintk(ps->err, ps->errlen, "total_size %u too small", hdr.total_size);
		return -1;
	}
	if (hdr.total_size > MB2_MAX_INFO_SIZE) {
		snprintk(ps->err, ps->errlen, "total_size %u implausibly large", hdr.total_size);
		return -1;
	}
	ps->total = hdr.total_size;
	return 0;
}

/* Walks the tags from the fixed part to the end tag; bytes after the end tag are ignored. */
static int walk_tags(struct mb2_parser *ps)
{
	struct mb2_tag tag;
	uint32_t off = sizeof(struct mb2_info_header);

	for (;;) {
		ps->off = off;
		if (off > ps->total || ps->total - off < sizeof(tag)) {
			snprintk(ps->err, ps->errlen, "no end tag within total_size %u", ps->total);
			return -1;
		}
		memcpy(&tag, ps->base + off, sizeof(tag));
		if (tag.size < sizeof(tag) || tag.size > ps->total - off) {
			snprintk(ps->err, ps->errlen,
				 "tag %u at offset %u: size %u invalid (%u bytes left)",
				 tag.type, off, tag.size, ps->total - off);
			return -1;
		}
		if (tag.type == MB2_TAG_END) {
			if (tag.size != sizeof(tag)) {
				snprintk(ps->err, ps->errlen, "end tag at offset %u has size %u",
					 off, tag.size);
				return -1;
			}
			return 0;
		}
		if (check_tag(ps, tag.type, tag.size))
			return -1;
		if (parse_tag(ps, ps->base + off, tag.type, tag.size))
			return -1;
		off += (tag.size + MB2_INFO_ALIGN - 1) & ~(MB2_INFO_ALIGN - 1);
	}
}

/* Parses and validates the information block at mbi into out; see boot/boot_info.h. */
int mb2_parse(const void *mbi, struct boot_info *out, char *err, size_t errlen)
{
	struct mb2_parser ps = {
		.base = mbi,
		.out = out,
		.err = err,
		.errlen = err ? errlen : 0,
	};

	boot_info_reset(out);
	if (check_header(&ps, mbi) || walk_tags(&ps)) {
		boot_info_reset(out);
		return -1;
	}
	out->mbi_start = (uintptr_t)mbi;
	out->mbi_end = (uintptr_t)mbi + ps.total;
	if (ps.errlen)
		err[0] = '\0';
	return 0;
}

/* Returns a short name for a memory range type; unknown values are reserved memory. */
const char *mem_type_name(uint32_t type)
{
	switch (type) {
	case MEM_USABLE:
		return "usable";
	case MEM_RESERVED:
		return "reserved";
	case MEM_ACPI_RECLAIMABLE:
		return "ACPI reclaimable";
	case MEM_ACPI_NVS:
		return "ACPI NVS";
	case MEM_BAD:
		return "bad";
	default:
		return "reserved (other)";
	}
}
