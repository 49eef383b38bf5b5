/* Guest kernel parser: Multiboot (v1) header and load layout of an ELF or a.out-kludge image. */
#ifndef UMBRA_GUEST_GUEST_IMAGE_H
#define UMBRA_GUEST_GUEST_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Most loadable pieces a guest image may have; more is refused. */
#define GUEST_IMAGE_MAX_SEGMENTS	16

/* Lowest guest-physical address a segment may use: page 0 stays unloaded (ours). */
#define GUEST_IMAGE_MIN_GPA		0x1000ull

/* One piece to load: copy filesz bytes from image + file_offset to gpa, zero up to gpa + memsz. */
struct guest_segment {
	uint64_t gpa;
	uint64_t memsz;			/* > 0, >= filesz */
	uint64_t file_offset;
	uint64_t filesz;
};

/* What guest_image_parse() found; segments are in file order, pairwise disjoint. */
struct guest_image {
	uint32_t entry;			/* 32-bit physical entry point (Multiboot 3.2: protected mode, paging off) */
	uint32_t header_flags;		/* the Multiboot header's flags */
	uint32_t header_offset;		/* file offset of the Multiboot header */
	bool aout_kludge;		/* addresses came from the header (flag 16), not from ELF */
	unsigned elf_class;		/* 32, 64, or 0 for the a.out kludge */
	struct guest_segment seg[GUEST_IMAGE_MAX_SEGMENTS];
	unsigned nseg;			/* >= 1 */
	uint64_t lowest_gpa;		/* [lowest_gpa, highest_gpa) spans all segments */
	uint64_t highest_gpa;
	bool wants_aligned_modules;	/* flag 0: modules must start on 4 KiB pages */
	bool wants_mem_info;		/* flag 1: mem_* must be passed (the builder always does) */
	bool wants_video_mode;		/* flag 2: a video mode is asked for; none is given (report it) */
};

/*
 * Parses a guest kernel image of size bytes for a guest with RAM below ram_size (see the
 * memory map in guest/loader/guest_bootinfo.h). Returns 0 with *out filled, or -1 with *out zeroed
 * and a one-line reason in err (err may be NULL when errlen is 0; on success err is "").
 *
 * The Multiboot header (spec 3.1) is the first 4-byte aligned magic 0x1BADB002 within the
 * image's first 8192 bytes whose checksum holds; the image is refused if it asks for a
 * required feature (flags bits 0-15) other than bits 0-2. Bit 2 (video mode) is accepted
 * although no video mode is set up: the guest sees no video information in its block.
 *
 * Load addresses come from the header's a.out-kludge fields when flag 16 is set (even in an
 * ELF file, as 3.1 says), else from the ELF program headers: each PT_LOAD segment with
 * p_memsz > 0 is loaded at its physical address p_paddr. ELF32 must be EM_386 and ELF64
 * EM_X86_64, both little-endian ET_EXEC. The entry point is e_entry when it lies in an
 * executable (PF_X) segment's physical range, else e_entry translated from virtual to
 * physical through the executable segment whose virtual range holds it (higher-half
 * kernels); for the a.out kludge it is entry_addr, which must lie in the loaded range.
 *
 * Every segment must lie within the file (a segment with p_filesz 0 reads nothing, so its
 * p_offset is not checked), have filesz <= memsz, not wrap, end below 4 GiB (the guest
 * starts in 32-bit mode), start at or above GUEST_IMAGE_MIN_GPA, stay out of the non-RAM
 * hole [GUEST_LOW_RAM_END, GUEST_HIGH_RAM_START) = [0xA0000, 0x100000), end at or below
 * ram_size, and not overlap another segment.
 */
int guest_image_parse(const void *image, size_t size, uint64_t ram_size, struct guest_image *out,
		      char *err, size_t errlen);

/* --- ELF definitions the parser uses (System V gABI, "ELF Header" and "Program Header") --- */

/* e_ident indexes and values. */
#define ELF_EI_MAG0			0	/* 0x7f 'E' 'L' 'F' at 0..3 */
#define ELF_EI_CLASS			4
#define ELF_EI_DATA			5
#define ELF_EI_VERSION			6
#define ELF_EI_NIDENT			16
#define ELF_MAGIC			"\177ELF"
#define ELF_MAGIC_LEN			4
#define ELF_CLASS32			1
#define ELF_CLASS64			2
#define ELF_DATA2LSB			1
#define ELF_EV_CURRENT			1

/* e_type, e_machine (gABI; machine numbers from the psABI registry). */
#define ELF_ET_EXEC			2
#define ELF_EM_386			3
#define ELF_EM_X86_64			62

/* e_phnum value that moves the real count into section header 0 (gABI, "Sections"). */
#define ELF_PN_XNUM			0xffff

/* p_type, p_flags. */
#define ELF_PT_LOAD			1
#define ELF_PF_X			1u

/* ELF32 file header. */
struct elf32_ehdr {
	uint8_t e_ident[ELF_EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint32_t e_entry;
	uint32_t e_phoff;
	uint32_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
} __attribute__((packed));
_Static_assert(sizeof(struct elf32_ehdr) == 52, "elf32_ehdr size");

/* ELF64 file header. */
struct elf64_ehdr {
	uint8_t e_ident[ELF_EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
} __attribute__((packed));
_Static_assert(sizeof(struct elf64_ehdr) == 64, "elf64_ehdr size");

/* ELF32 program header. */
struct elf32_phdr {
	uint32_t p_type;
	uint32_t p_offset;
	uint32_t p_vaddr;
	uint32_t p_paddr;
	uint32_t p_filesz;
	uint32_t p_memsz;
	uint32_t p_flags;
	uint32_t p_align;
} __attribute__((packed));
_Static_assert(sizeof(struct elf32_phdr) == 32, "elf32_phdr size");

/* ELF64 program header (p_flags moves up beside p_type). */
struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
} __attribute__((packed));
_Static_assert(sizeof(struct elf64_phdr) == 56, "elf64_phdr size");

#endif
