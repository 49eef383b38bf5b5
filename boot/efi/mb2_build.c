/* Builds the Multiboot2 information block (Multiboot2 spec 3.6) from what umbra.efi gathered. */
#include "boot/efi/mb2_build.h"
#include "boot/efi/uefi_mmap.h"
#include "boot/multiboot2.h"
#include "lib/format.h"

#define KIB			1024u
#define LOWER_MEM_END		(640u * KIB)	/* conventional memory ends at 640 KiB (3.6.3) */
#define UPPER_MEM_START		(1024u * KIB)	/* upper memory starts at 1 MiB (3.6.3) */
#define RSDP_LENGTH_OFF		20u		/* ACPI 6.5 table 5.3: Length of the whole RSDP */
#define RSDP_MAX_COPY		64u		/* more than any RSDP revision needs */
#define FB_RGB_INFO_SIZE	6u		/* 3.6.12: position and size of red, green, blue */

/* The block being written: pos is the next tag's offset; fail is set once cap is exceeded. */
struct mb2b {
	uint8_t *buf;
	size_t cap, pos;
	bool fail;
};

static size_t align8(size_t n)
{
	return (n + MB2_INFO_ALIGN - 1) & ~(size_t)(MB2_INFO_ALIGN - 1);
}

static size_t str_size(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n + 1;
}

static void put_bytes(void *dst, const void *src, size_t n)
{
	const uint8_t *s = src;
	uint8_t *d = dst;

	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
}

/* Opens a tag of type and size at pos; returns its start, or NULL (and fail) when full. */
static uint8_t *tag_open(struct mb2b *b, uint32_t type, size_t size)
{
	uint8_t *t;
	struct mb2_tag hdr = { .type = type, .size = (uint32_t)size };

	if (b->fail || size > b->cap || b->pos > b->cap - align8(size)) {
		b->fail = true;
		return NULL;
	}
	t = b->buf + b->pos;
	for (size_t i = 0; i < align8(size); i++)
		t[i] = 0;
	put_bytes(t, &hdr, sizeof(hdr));
	b->pos += align8(size);
	return t;
}

static void tag_string(struct mb2b *b, uint32_t type, const char *s)
{
	size_t n = str_size(s);
	uint8_t *t = tag_open(b, type, sizeof(struct mb2_tag_string) + n);

	if (t)
		put_bytes(t + sizeof(struct mb2_tag_string), s, n);
}

static void tag_module(struct mb2b *b, const struct mb2b_module *m)
{
	size_t n = str_size(m->string);
	uint8_t *t = tag_open(b, MB2_TAG_MODULE, sizeof(struct mb2_tag_module) + n);
	struct mb2_tag_module mt = { .mod_start = m->start, .mod_end = m->end };

	if (!t)
		return;
	put_bytes(t + sizeof(struct mb2_tag), &mt.mod_start, 8);
	put_bytes(t + sizeof(struct mb2_tag_module), m->string, n);
}

/* Tag 4 from the converted map: usable KiB from 0 up to 640 KiB, and from 1 MiB on (3.6.3). */
static void tag_basic_meminfo(struct mb2b *b, const struct mb2_mmap_entry *e, unsigned n)
{
	struct mb2_tag_basic_meminfo mi = { .hdr = { MB2_TAG_BASIC_MEMINFO, sizeof(mi) } };
	uint8_t *t;

	for (unsigned i = 0; i < n; i++) {
		uint64_t end = e[i].base_addr + e[i].length;

		if (e[i].type != MB2_MEMORY_AVAILABLE)
			continue;
		if (e[i].base_addr == 0)
			mi.mem_lower = (uint32_t)((end < LOWER_MEM_END ? end : LOWER_MEM_END) / KIB);
		if (e[i].base_addr <= UPPER_MEM_START && end > UPPER_MEM_START) {
			uint64_t kib = (end - UPPER_MEM_START) / KIB;

			mi.mem_upper = kib > UINT32_MAX ? UINT32_MAX : (uint32_t)kib;
		}
	}
	t = tag_open(b, MB2_TAG_BASIC_MEMINFO, sizeof(mi));
	if (t)
		put_bytes(t, &mi, sizeof(mi));
}

/*
 * Tags 6 and 4: the map is converted straight into the tag (room for one entry per UEFI
 * descriptor), then the tag is shrunk to the entries left after coalescing.
 */
static int tag_mmap(struct mb2b *b, const struct mb2b_input *in, char *err, size_t errlen)
{
	size_t ndesc = in->efi_desc_size ? in->efi_map_size / in->efi_desc_size : 0;
	size_t room = sizeof(struct mb2_tag_mmap) + ndesc * sizeof(struct mb2_mmap_entry);
	size_t start = b->pos;
	uint8_t *t = tag_open(b, MB2_TAG_MMAP, room);
	struct mb2_tag_mmap hdr;
	struct mb2_mmap_entry *e;
	int n;

	if (!t)
		return 0;	/* b->fail reports it */
	e = (struct mb2_mmap_entry *)(t + sizeof(hdr));
	n = uefi_mmap_convert(in->efi_map, in->efi_map_size, in->efi_desc_size, e, (unsigned)ndesc);
	if (n <= 0) {
		snprintk(err, errlen, "the UEFI memory map is malformed (%zu bytes, descriptors of "
			 "%zu bytes)", in->efi_map_size, in->efi_desc_size);
		return -1;
	}
	hdr.hdr.type = MB2_TAG_MMAP;
	hdr.hdr.size = (uint32_t)(sizeof(hdr) + (size_t)n * sizeof(*e));
	hdr.entry_size = sizeof(*e);
	hdr.entry_version = 0;
	put_bytes(t, &hdr, sizeof(hdr));
	b->pos = start + align8(hdr.hdr.size);
	tag_basic_meminfo(b, e, (unsigned)n);
	return 0;
}

/* Tag 8, direct RGB colour (3.6.12): the common part, then the channels' positions and sizes. */
static void tag_framebuffer(struct mb2b *b, const struct mb2b_framebuffer *fb)
{
	struct mb2_tag_framebuffer ft = {
		.hdr = { MB2_TAG_FRAMEBUFFER, sizeof(ft) + FB_RGB_INFO_SIZE },
		.addr = fb->addr, .pitch = fb->pitch, .width = fb->width, .height = fb->height,
		.bpp = fb->bpp, .fb_type = MB2_FRAMEBUFFER_TYPE_RGB,
	};
	uint8_t rgb[FB_RGB_INFO_SIZE] = { fb->red_pos, fb->red_size, fb->green_pos,
					  fb->green_size, fb->blue_pos, fb->blue_size };
	uint8_t *t = tag_open(b, MB2_TAG_FRAMEBUFFER, ft.hdr.size);

	if (!t)
		return;
	put_bytes(t, &ft, sizeof(ft));
	put_bytes(t + sizeof(ft), rgb, sizeof(rgb));
}

/* Tags 14 and 15 (3.6.16, 3.6.17): the old tag always, the new one for an ACPI 2.0 RSDP. */
static void tag_acpi(struct mb2b *b, const struct mb2b_input *in)
{
	const uint8_t *r = in->rsdp;
	uint8_t *t;

	t = tag_open(b, MB2_TAG_ACPI_OLD, sizeof(struct mb2_tag) + MB2_RSDP_V1_SIZE);
	if (t)
		put_bytes(t + sizeof(struct mb2_tag), r, MB2_RSDP_V1_SIZE);
	if (in->rsdp_v2) {
		uint32_t len;

		put_bytes(&len, r + RSDP_LENGTH_OFF, sizeof(len));
		if (len < MB2_RSDP_V2_SIZE || len > RSDP_MAX_COPY)
			len = MB2_RSDP_V2_SIZE;
		t = tag_open(b, MB2_TAG_ACPI_NEW, sizeof(struct mb2_tag) + len);
		if (t)
			put_bytes(t + sizeof(struct mb2_tag), r, len);
	}
}

static void tag_efi64(struct mb2b *b, uint64_t st)
{
	uint8_t *t = tag_open(b, MB2_TAG_EFI64, sizeof(struct mb2_tag_efi64));

	if (t)
		put_bytes(t + sizeof(struct mb2_tag), &st, sizeof(st));
}

static void tag_efi_mmap(struct mb2b *b, const struct mb2b_input *in)
{
	uint8_t *t = tag_open(b, MB2_TAG_EFI_MMAP, sizeof(struct mb2_tag_efi_mmap) + in->efi_map_size);
	uint32_t ds = (uint32_t)in->efi_desc_size;

	if (!t)
		return;
	put_bytes(t + 8, &ds, 4);
	put_bytes(t + 12, &in->efi_desc_version, 4);
	put_bytes(t + sizeof(struct mb2_tag_efi_mmap), in->efi_map, in->efi_map_size);
}

size_t mb2b_size_bound(size_t n, size_t desc_size, size_t string_bytes)
{
	return sizeof(struct mb2_info_header) +
	       align8(sizeof(struct mb2_tag_mmap) + n * sizeof(struct mb2_mmap_entry)) +
	       align8(sizeof(struct mb2_tag_efi_mmap) + n * desc_size) +
	       (MB2B_MAX_MODULES + 2) * (sizeof(struct mb2_tag_module) + MB2_INFO_ALIGN) +
	       string_bytes + 512;	/* the fixed-size tags, with room to spare */
}

size_t mb2b_build(void *buf, size_t cap, const struct mb2b_input *in, char *err, size_t errlen)
{
	struct mb2b b = { .buf = buf, .cap = cap, .pos = sizeof(struct mb2_info_header) };
	struct mb2_info_header h = { 0, 0 };

	if (in->module_count > MB2B_MAX_MODULES) {
		snprintk(err, errlen, "%u modules: at most %u", in->module_count, MB2B_MAX_MODULES);
		return 0;
	}
	if (cap < b.pos)
		b.fail = true;
	tag_string(&b, MB2_TAG_CMDLINE, in->cmdline);
	tag_string(&b, MB2_TAG_LOADER_NAME, in->loader_name);
	for (unsigned i = 0; i < in->module_count; i++)
		tag_module(&b, &in->modules[i]);
	if (tag_mmap(&b, in, err, errlen))
		return 0;
	if (in->have_framebuffer)
		tag_framebuffer(&b, &in->fb);
	if (in->efi_system_table)
		tag_efi64(&b, in->efi_system_table);
	if (in->rsdp)
		tag_acpi(&b, in);
	tag_efi_mmap(&b, in);
	tag_open(&b, MB2_TAG_END, sizeof(struct mb2_tag));
	if (b.fail) {
		snprintk(err, errlen, "the multiboot2 information does not fit in %zu bytes", cap);
		return 0;
	}
	h.total_size = (uint32_t)b.pos;
	put_bytes(buf, &h, sizeof(h));
	return b.pos;
}
