/* Guest kernel image parser: validates an untrusted Multiboot (v1) image and plans its loading. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/loader/guest_bootinfo.h"
#include "guest/loader/guest_image.h"
#include "guest/loader/multiboot1.h"
#include "lib/format.h"
#include "lib/string.h"

#define FOUR_GIB	(1ull << 32)

/* A program header of either class, widened. */
struct elf_phdr {
	uint32_t type;
	uint32_t flags;
	uint64_t offset;
	uint64_t vaddr;
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
};

/* The file header fields the parser uses, of either class, widened. */
struct elf_ehdr {
	unsigned bits;			/* 32 or 64 */
	uint16_t type;
	uint16_t machine;
	uint32_t version;
	uint64_t entry;
	uint64_t phoff;
	uint16_t phentsize;
	uint16_t phnum;
};

/* The state of one parse: the image, the results, and facts kept about each segment. */
struct gi_parser {
	const uint8_t *img;
	uint64_t size;
	uint64_t ram_size;
	struct guest_image *out;
	char *err;
	size_t errlen;
	char what[40];				/* names the piece being checked, for messages */
	bool seg_exec[GUEST_IMAGE_MAX_SEGMENTS];
	uint64_t seg_vaddr[GUEST_IMAGE_MAX_SEGMENTS];
};

/* Writes a one-line reason into the parse's error buffer; always returns -1. */
#define fail(ps, ...)	error_line((ps)->err, (ps)->errlen, __VA_ARGS__)

/* Returns true if the file range [off, off + len) lies within the image. */
static bool in_file(const struct gi_parser *ps, uint64_t off, uint64_t len)
{
	return off <= ps->size && len <= ps->size - off;
}

/* Returns true if [a, a + alen) and [b, b + blen) share a byte; neither range wraps. */
static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* Finds the first aligned magic with a valid checksum in the first 8 KiB; records its flags. */
static int find_header(struct gi_parser *ps)
{
	uint64_t limit = ps->size < MB1_HEADER_SEARCH_LIMIT ? ps->size : MB1_HEADER_SEARCH_LIMIT;
	struct mb1_header h;
	bool bad_sum = false;
	uint32_t bad_off = 0, bad_total = 0;
	uint32_t off;

	for (off = 0; off + sizeof(h) <= limit; off += MB1_HEADER_ALIGN) {
		memcpy(&h, ps->img + off, sizeof(h));
		if (h.magic != MB1_HEADER_MAGIC)
			continue;
		if ((uint32_t)(h.magic + h.flags + h.checksum) == 0) {
			ps->out->header_offset = off;
			ps->out->header_flags = h.flags;
			return 0;
		}
		if (!bad_sum) {
			bad_sum = true;
			bad_off = off;
			bad_total = h.magic + h.flags + h.checksum;
		}
	}
	if (bad_sum)
		return fail(ps, "multiboot header at offset %u has a bad checksum "
			    "(magic + flags + checksum = 0x%x, not 0)", bad_off, bad_total);
	return fail(ps, "no multiboot header (magic 0x%x, 4-byte aligned) in the first %u bytes",
		    MB1_HEADER_MAGIC, MB1_HEADER_SEARCH_LIMIT);
}

/* Refuses unknown required features and records the ones the caller must act on. */
static int check_flags(struct gi_parser *ps)
{
	uint32_t flags = ps->out->header_flags;
	uint32_t unknown = flags & MB1_HF_REQUIRED_MASK & ~MB1_HF_REQUIRED_KNOWN;

	if (unknown)
		return fail(ps, "multiboot header asks for unsupported required features "
			    "(flags 0x%x, unknown bits 0x%x)", flags, unknown);
	ps->out->wants_aligned_modules = flags & MB1_HF_PAGE_ALIGN;
	ps->out->wants_mem_info = flags & MB1_HF_MEMORY_INFO;
	ps->out->wants_video_mode = flags & MB1_HF_VIDEO_MODE;
	ps->out->aout_kludge = flags & MB1_HF_AOUT_KLUDGE;
	return 0;
}

/* Checks [gpa, gpa + memsz) against 4 GiB, page 0, the non-RAM hole and the end of RAM. */
static int check_placement(struct gi_parser *ps, uint64_t gpa, uint64_t memsz)
{
	uint64_t end = gpa + memsz;

	if (memsz > UINT64_MAX - gpa)
		return fail(ps, "%s: address 0x%llx + size 0x%llx overflows", ps->what,
			    (unsigned long long)gpa, (unsigned long long)memsz);
	if (end > FOUR_GIB)
		return fail(ps, "%s: [0x%llx, 0x%llx) is not below 4 GiB "
			    "(the guest starts in 32-bit mode)", ps->what,
			    (unsigned long long)gpa, (unsigned long long)end);
	if (gpa < GUEST_IMAGE_MIN_GPA)
		return fail(ps, "%s: starts at 0x%llx, below 0x%llx", ps->what,
			    (unsigned long long)gpa, GUEST_IMAGE_MIN_GPA);
	if (ranges_overlap(gpa, memsz, GUEST_LOW_RAM_END, GUEST_HIGH_RAM_START - GUEST_LOW_RAM_END))
		return fail(ps, "%s: [0x%llx, 0x%llx) overlaps [0x%llx, 0x%llx), "
			    "which is not RAM in the guest", ps->what, (unsigned long long)gpa,
			    (unsigned long long)end, GUEST_LOW_RAM_END, GUEST_HIGH_RAM_START);
	if (end > ps->ram_size)
		return fail(ps, "%s: [0x%llx, 0x%llx) ends past guest RAM (0x%llx bytes)", ps->what,
			    (unsigned long long)gpa, (unsigned long long)end,
			    (unsigned long long)ps->ram_size);
	return 0;
}

/* Validates one piece to load and appends it; a piece with memsz 0 is dropped. */
static int add_segment(struct gi_parser *ps, const struct guest_segment *s, bool exec,
		       uint64_t vaddr)
{
	struct guest_image *out = ps->out;
	unsigned i;

	if (s->filesz && !in_file(ps, s->file_offset, s->filesz))
		return fail(ps, "%s: file range [0x%llx, +0x%llx) is outside the file (%llu bytes)",
			    ps->what, (unsigned long long)s->file_offset,
			    (unsigned long long)s->filesz, (unsigned long long)ps->size);
	if (s->filesz > s->memsz)
		return fail(ps, "%s: file size 0x%llx exceeds memory size 0x%llx", ps->what,
			    (unsigned long long)s->filesz, (unsigned long long)s->memsz);
	if (!s->memsz)
		return 0;
	if (check_placement(ps, s->gpa, s->memsz))
		return -1;
	for (i = 0; i < out->nseg; i++)
		if (ranges_overlap(s->gpa, s->memsz, out->seg[i].gpa, out->seg[i].memsz))
			return fail(ps, "%s: [0x%llx, 0x%llx) overlaps loaded range "
				    "[0x%llx, 0x%llx)", ps->what, (unsigned long long)s->gpa,
				    (unsigned long long)(s->gpa + s->memsz),
				    (unsigned long long)out->seg[i].gpa,
				    (unsigned long long)(out->seg[i].gpa + out->seg[i].memsz));
	if (out->nseg == GUEST_IMAGE_MAX_SEGMENTS)
		return fail(ps, "more than %u loadable segments", GUEST_IMAGE_MAX_SEGMENTS);
	ps->seg_exec[out->nseg] = exec;
	ps->seg_vaddr[out->nseg] = vaddr;
	out->seg[out->nseg++] = *s;
	return 0;
}

/* Reads the a.out-kludge address fields, which must lie within the file and the first 8 KiB. */
static int read_aout_fields(struct gi_parser *ps, struct mb1_header_addr *a)
{
	uint64_t off = (uint64_t)ps->out->header_offset + sizeof(struct mb1_header);
	uint64_t end = off + sizeof(*a);

	if (end > ps->size || end > MB1_HEADER_SEARCH_LIMIT)
		return fail(ps, "multiboot header at offset %u: a.out kludge fields end at %llu, "
			    "past the file (%llu bytes) or the first %u bytes",
			    ps->out->header_offset, (unsigned long long)end,
			    (unsigned long long)ps->size, MB1_HEADER_SEARCH_LIMIT);
	memcpy(a, ps->img + off, sizeof(*a));
	return 0;
}

/* Works out the file range the a.out kludge loads at load_addr; fills s->file_offset, filesz. */
static int aout_file_range(struct gi_parser *ps, const struct mb1_header_addr *a,
			   struct guest_segment *s)
{
	uint32_t hoff = ps->out->header_offset;
	uint32_t delta;

	if (a->header_addr < a->load_addr)
		return fail(ps, "a.out kludge: header_addr 0x%x is below load_addr 0x%x",
			    a->header_addr, a->load_addr);
	delta = a->header_addr - a->load_addr;
	if (delta > hoff)
		return fail(ps, "a.out kludge: load_addr 0x%x would start loading %u bytes before "
			    "the file (header at offset %u, header_addr 0x%x)", a->load_addr,
			    delta - hoff, hoff, a->header_addr);
	s->file_offset = hoff - delta;
	if (!a->load_end_addr) {
		s->filesz = ps->size - s->file_offset;
		return 0;
	}
	if (a->load_end_addr < a->load_addr)
		return fail(ps, "a.out kludge: load_end_addr 0x%x is below load_addr 0x%x",
			    a->load_end_addr, a->load_addr);
	s->filesz = a->load_end_addr - a->load_addr;
	if (!in_file(ps, s->file_offset, s->filesz))
		return fail(ps, "a.out kludge: load_end_addr 0x%x is past the end of the file "
			    "(0x%llx bytes from offset %llu, file has %llu)", a->load_end_addr,
			    (unsigned long long)s->filesz, (unsigned long long)s->file_offset,
			    (unsigned long long)ps->size);
	return 0;
}

/* Plans the load from the header's address fields (flag 16, spec 3.1 address fields). */
static int load_aout(struct gi_parser *ps)
{
	struct mb1_header_addr a;
	struct guest_segment s;
	uint64_t load_end;

	if (read_aout_fields(ps, &a) || aout_file_range(ps, &a, &s))
		return -1;
	s.gpa = a.load_addr;
	load_end = s.gpa + s.filesz;
	if (a.bss_end_addr && a.bss_end_addr < load_end)
		return fail(ps, "a.out kludge: bss_end_addr 0x%x is below the end of the loaded "
			    "data 0x%llx", a.bss_end_addr, (unsigned long long)load_end);
	s.memsz = a.bss_end_addr ? a.bss_end_addr - s.gpa : s.filesz;
	if (!s.memsz)
		return fail(ps, "a.out kludge: nothing to load (load_addr 0x%x, empty range)",
			    a.load_addr);
	snprintk(ps->what, sizeof(ps->what), "a.out kludge load range");
	if (add_segment(ps, &s, true, s.gpa))
		return -1;
	if (a.entry_addr < s.gpa || a.entry_addr - s.gpa >= s.memsz)
		return fail(ps, "a.out kludge: entry_addr 0x%x is outside the loaded range "
			    "[0x%llx, 0x%llx)", a.entry_addr, (unsigned long long)s.gpa,
			    (unsigned long long)(s.gpa + s.memsz));
	ps->out->entry = a.entry_addr;
	ps->out->elf_class = 0;
	return 0;
}

/* Checks e_ident: class, byte order and version; sets eh->bits. */
static int check_elf_ident(struct gi_parser *ps, struct elf_ehdr *eh)
{
	const uint8_t *id = ps->img;

	if (ps->size < ELF_EI_NIDENT)
		return fail(ps, "ELF: truncated identification (%llu bytes)",
			    (unsigned long long)ps->size);
	if (id[ELF_EI_CLASS] != ELF_CLASS32 && id[ELF_EI_CLASS] != ELF_CLASS64)
		return fail(ps, "ELF: unknown class %u (neither ELFCLASS32 nor ELFCLASS64)",
			    id[ELF_EI_CLASS]);
	if (id[ELF_EI_DATA] != ELF_DATA2LSB)
		return fail(ps, "ELF: not little-endian (EI_DATA %u)", id[ELF_EI_DATA]);
	if (id[ELF_EI_VERSION] != ELF_EV_CURRENT)
		return fail(ps, "ELF: bad identification version %u", id[ELF_EI_VERSION]);
	eh->bits = id[ELF_EI_CLASS] == ELF_CLASS32 ? 32 : 64;
	return 0;
}

/* Reads the file header of either class into eh; eh->bits is already set. */
static int read_elf_header(struct gi_parser *ps, struct elf_ehdr *eh)
{
	size_t need = eh->bits == 32 ? sizeof(struct elf32_ehdr) : sizeof(struct elf64_ehdr);
	struct elf32_ehdr h32;
	struct elf64_ehdr h64;

	if (ps->size < need)
		return fail(ps, "ELF%u: truncated file header (%llu bytes, needs %zu)", eh->bits,
			    (unsigned long long)ps->size, need);
	if (eh->bits == 32) {
		memcpy(&h32, ps->img, sizeof(h32));
		eh->type = h32.e_type;
		eh->machine = h32.e_machine;
		eh->version = h32.e_version;
		eh->entry = h32.e_entry;
		eh->phoff = h32.e_phoff;
		eh->phentsize = h32.e_phentsize;
		eh->phnum = h32.e_phnum;
	} else {
		memcpy(&h64, ps->img, sizeof(h64));
		eh->type = h64.e_type;
		eh->machine = h64.e_machine;
		eh->version = h64.e_version;
		eh->entry = h64.e_entry;
		eh->phoff = h64.e_phoff;
		eh->phentsize = h64.e_phentsize;
		eh->phnum = h64.e_phnum;
	}
	return 0;
}

/* Checks type, machine, version and that the program header table lies within the file. */
static int check_elf_header(struct gi_parser *ps, const struct elf_ehdr *eh)
{
	unsigned want = eh->bits == 32 ? ELF_EM_386 : ELF_EM_X86_64;
	size_t min_ent = eh->bits == 32 ? sizeof(struct elf32_phdr) : sizeof(struct elf64_phdr);
	uint64_t table = (uint64_t)eh->phnum * eh->phentsize;

	if (eh->type != ELF_ET_EXEC)
		return fail(ps, "ELF%u: not an executable (e_type %u, want ET_EXEC %u)", eh->bits,
			    eh->type, ELF_ET_EXEC);
	if (eh->machine != want)
		return fail(ps, "ELF%u: wrong machine %u (want %s %u)", eh->bits, eh->machine,
			    eh->bits == 32 ? "EM_386" : "EM_X86_64", want);
	if (eh->version != ELF_EV_CURRENT)
		return fail(ps, "ELF%u: bad version %u", eh->bits, eh->version);
	if (eh->phnum == ELF_PN_XNUM)
		return fail(ps, "ELF%u: extended program header numbering (PN_XNUM) is not "
			    "supported", eh->bits);
	if (eh->phnum == 0)
		return fail(ps, "ELF%u: no program headers", eh->bits);
	if (eh->phentsize < min_ent)
		return fail(ps, "ELF%u: e_phentsize %u is below %zu", eh->bits, eh->phentsize,
			    min_ent);
	if (!in_file(ps, eh->phoff, table))
		return fail(ps, "ELF%u: program header table [0x%llx, +0x%llx) is outside the "
			    "file (%llu bytes)", eh->bits, (unsigned long long)eh->phoff,
			    (unsigned long long)table, (unsigned long long)ps->size);
	return 0;
}

/* Reads program header i of either class (the table is known to lie within the file). */
static void read_phdr(const struct gi_parser *ps, const struct elf_ehdr *eh, unsigned i,
		      struct elf_phdr *ph)
{
	const uint8_t *p = ps->img + eh->phoff + (uint64_t)i * eh->phentsize;
	struct elf32_phdr p32;
	struct elf64_phdr p64;

	if (eh->bits == 32) {
		memcpy(&p32, p, sizeof(p32));
		ph->type = p32.p_type;
		ph->flags = p32.p_flags;
		ph->offset = p32.p_offset;
		ph->vaddr = p32.p_vaddr;
		ph->paddr = p32.p_paddr;
		ph->filesz = p32.p_filesz;
		ph->memsz = p32.p_memsz;
	} else {
		memcpy(&p64, p, sizeof(p64));
		ph->type = p64.p_type;
		ph->flags = p64.p_flags;
		ph->offset = p64.p_offset;
		ph->vaddr = p64.p_vaddr;
		ph->paddr = p64.p_paddr;
		ph->filesz = p64.p_filesz;
		ph->memsz = p64.p_memsz;
	}
}

/* Adds every PT_LOAD segment, loaded at its physical address p_paddr. */
static int load_elf_segments(struct gi_parser *ps, const struct elf_ehdr *eh)
{
	struct guest_segment s;
	struct elf_phdr ph;
	unsigned i;

	for (i = 0; i < eh->phnum; i++) {
		read_phdr(ps, eh, i, &ph);
		if (ph.type != ELF_PT_LOAD)
			continue;
		snprintk(ps->what, sizeof(ps->what), "ELF%u program header %u", eh->bits, i);
		s.gpa = ph.paddr;
		s.memsz = ph.memsz;
		s.file_offset = ph.offset;
		s.filesz = ph.filesz;
		if (add_segment(ps, &s, ph.flags & ELF_PF_X, ph.vaddr))
			return -1;
	}
	if (!ps->out->nseg)
		return fail(ps, "ELF%u: no loadable segments (PT_LOAD with p_memsz > 0)", eh->bits);
	return 0;
}

/* Sets the physical entry point from e_entry: a physical address, else a virtual one. */
static int find_elf_entry(struct gi_parser *ps, const struct elf_ehdr *eh)
{
	struct guest_image *out = ps->out;
	uint64_t e = eh->entry;
	unsigned i;

	for (i = 0; i < out->nseg; i++)
		if (ps->seg_exec[i] && e >= out->seg[i].gpa &&
		    e - out->seg[i].gpa < out->seg[i].memsz) {
			out->entry = (uint32_t)e;
			return 0;
		}
	for (i = 0; i < out->nseg; i++)
		if (ps->seg_exec[i] && e >= ps->seg_vaddr[i] &&
		    e - ps->seg_vaddr[i] < out->seg[i].memsz) {
			out->entry = (uint32_t)(out->seg[i].gpa + (e - ps->seg_vaddr[i]));
			return 0;
		}
	return fail(ps, "ELF%u: entry point 0x%llx is not inside an executable loadable segment",
		    eh->bits, (unsigned long long)e);
}

/* Plans the load from the ELF file and program headers. */
static int load_elf(struct gi_parser *ps)
{
	struct elf_ehdr eh = { 0 };

	if (check_elf_ident(ps, &eh) || read_elf_header(ps, &eh) || check_elf_header(ps, &eh) ||
	    load_elf_segments(ps, &eh) || find_elf_entry(ps, &eh))
		return -1;
	ps->out->elf_class = eh.bits;
	return 0;
}

/* Returns true if the image starts with the ELF magic. */
static bool is_elf(const struct gi_parser *ps)
{
	return ps->size >= ELF_MAGIC_LEN && memcmp(ps->img, ELF_MAGIC, ELF_MAGIC_LEN) == 0;
}

/* Sets lowest_gpa and highest_gpa from the segments (at least one). */
static void compute_span(struct guest_image *out)
{
	unsigned i;

	out->lowest_gpa = out->seg[0].gpa;
	out->highest_gpa = out->seg[0].gpa + out->seg[0].memsz;
	for (i = 1; i < out->nseg; i++) {
		if (out->seg[i].gpa < out->lowest_gpa)
			out->lowest_gpa = out->seg[i].gpa;
		if (out->seg[i].gpa + out->seg[i].memsz > out->highest_gpa)
			out->highest_gpa = out->seg[i].gpa + out->seg[i].memsz;
	}
}

/* Runs every step of the parse; see guest_image_parse(). */
static int parse(struct gi_parser *ps)
{
	if (!ps->img)
		return fail(ps, "no image (NULL)");
	if (find_header(ps) || check_flags(ps))
		return -1;
	if (ps->out->aout_kludge) {
		if (load_aout(ps))
			return -1;
	} else if (!is_elf(ps)) {
		return fail(ps, "not an ELF file, and the multiboot header has no a.out kludge "
			    "addresses (flag 16)");
	} else if (load_elf(ps)) {
		return -1;
	}
	compute_span(ps->out);
	return 0;
}

/* Parses and validates a guest kernel image; see guest/loader/guest_image.h. */
int guest_image_parse(const void *image, size_t size, uint64_t ram_size, struct guest_image *out,
		      char *err, size_t errlen)
{
	struct gi_parser ps = {
		.img = image,
		.size = size,
		.ram_size = ram_size,
		.out = out,
		.err = err,
		.errlen = err ? errlen : 0,
	};

	if (!out)
		return fail(&ps, "no result structure (NULL)");
	memset(out, 0, sizeof(*out));
	if (parse(&ps)) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	if (ps.errlen)
		err[0] = '\0';
	return 0;
}
