/* Checks and describes Umbra's ELF64 image for umbra.efi (System V ABI gABI, ELF-64 format). */
#include "boot/efi/elf64_image.h"
#include "boot/multiboot2.h"
#include "lib/format.h"

/* ELF-64 Object File Format 1.5: the identification bytes and the fields read here. */
#define EI_CLASS	4
#define EI_DATA		5
#define ELFCLASS64	2
#define ELFDATA2LSB	1
#define ET_EXEC		2
#define EM_X86_64	62
#define PT_LOAD		1
#define PAGE_SIZE	4096ull

struct elf64_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header layout");

struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header layout");

static void get(void *dst, const uint8_t *src, size_t n)
{
	uint8_t *d = dst;

	for (size_t i = 0; i < n; i++)
		d[i] = src[i];
}

/* Multiboot2 spec 3.1.1-3.1.2: magic, architecture, header length, and the checksum. */
static int find_mb2_header(const uint8_t *f, size_t size)
{
	size_t end = size < MB2_HEADER_SEARCH ? size : MB2_HEADER_SEARCH;

	for (size_t off = 0; off + 16 <= end; off += MB2_INFO_ALIGN) {
		uint32_t h[4];

		get(h, f + off, sizeof(h));
		if (h[0] == MB2_HEADER_MAGIC && (uint32_t)(h[0] + h[1] + h[2] + h[3]) == 0)
			return h[1] == MB2_ARCH_I386 ? 0 : -2;
	}
	return -1;
}

static int add_segment(struct elfi_image *out, const struct elf64_phdr *ph, size_t size,
		       unsigned index, char *err, size_t errlen)
{
	struct elfi_segment *s = &out->seg[out->count];
	uint64_t lo, hi;

	if (ph->offset > size || ph->filesz > size - ph->offset || ph->filesz > ph->memsz)
		return snprintk(err, errlen, "segment %u lies outside the file", index), -1;
	if (ph->paddr >= ELFI_LIMIT || ph->memsz > ELFI_LIMIT - ph->paddr)
		return snprintk(err, errlen, "segment %u at 0x%llx is not below 4 GiB", index,
				(unsigned long long)ph->paddr), -1;
	if (out->count == ELFI_MAX_SEGMENTS)
		return snprintk(err, errlen, "more than %u loadable segments", ELFI_MAX_SEGMENTS), -1;
	s->paddr = ph->paddr;
	s->offset = ph->offset;
	s->filesz = ph->filesz;
	s->memsz = ph->memsz;
	lo = ph->paddr & ~(PAGE_SIZE - 1);
	hi = (ph->paddr + ph->memsz + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (!out->count || lo < out->lo)
		out->lo = lo;
	if (!out->count || hi > out->hi)
		out->hi = hi;
	out->count++;
	return 0;
}

static bool entry_loaded(const struct elfi_image *out)
{
	for (unsigned i = 0; i < out->count; i++)
		if (out->entry >= out->seg[i].paddr &&
		    out->entry < out->seg[i].paddr + out->seg[i].filesz)
			return true;
	return false;
}

int elfi_parse(const void *file, size_t size, struct elfi_image *out, char *err, size_t errlen)
{
	const uint8_t *f = file;
	struct elf64_ehdr eh;
	int mb2;

	out->count = 0;
	out->lo = out->hi = 0;
	if (size < sizeof(eh) || f[0] != 0x7f || f[1] != 'E' || f[2] != 'L' || f[3] != 'F')
		return snprintk(err, errlen, "not an ELF file"), -1;
	get(&eh, f, sizeof(eh));
	if (eh.ident[EI_CLASS] != ELFCLASS64 || eh.ident[EI_DATA] != ELFDATA2LSB ||
	    eh.machine != EM_X86_64 || eh.type != ET_EXEC)
		return snprintk(err, errlen, "not an x86-64 ELF executable"), -1;
	mb2 = find_mb2_header(f, size);
	if (mb2 == -1)
		return snprintk(err, errlen, "no multiboot2 header in the first %u bytes",
				MB2_HEADER_SEARCH), -1;
	if (mb2 == -2)
		return snprintk(err, errlen, "the multiboot2 header is not for i386"), -1;
	if (eh.phentsize < sizeof(struct elf64_phdr) || eh.phoff > size ||
	    (uint64_t)eh.phnum * eh.phentsize > size - eh.phoff)
		return snprintk(err, errlen, "the program headers lie outside the file"), -1;
	out->entry = eh.entry;
	for (unsigned i = 0; i < eh.phnum; i++) {
		struct elf64_phdr ph;

		get(&ph, f + eh.phoff + (uint64_t)i * eh.phentsize, sizeof(ph));
		if (ph.type == PT_LOAD && ph.memsz && add_segment(out, &ph, size, i, err, errlen))
			return -1;
	}
	if (!out->count)
		return snprintk(err, errlen, "no loadable segment"), -1;
	if (!entry_loaded(out))
		return snprintk(err, errlen, "entry point 0x%llx is not in a loaded segment",
				(unsigned long long)out->entry), -1;
	return 0;
}
