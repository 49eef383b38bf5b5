/* Host unit tests for the guest kernel image parser (guest/loader/guest_image.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/loader/guest_image.h"

#define KiB		(1ull << 10)
#define MiB		(1ull << 20)
#define GiB		(1ull << 30)
#define RAM		(64 * MiB)
#define IMG_CAP		(3 * 8192)

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Spec values written out here, independently of the headers under test. */
#define T_MB_MAGIC	0x1BADB002u
#define T_MB_PAGE_ALIGN	0x1u
#define T_MB_MEM	0x2u
#define T_MB_VIDEO	0x4u
#define T_MB_AOUT	0x10000u
#define T_ET_EXEC	2
#define T_ET_DYN	3
#define T_EM_386	3
#define T_EM_X86_64	62
#define T_PT_LOAD	1u
#define T_PT_NOTE	4u
#define T_PT_GNU_STACK	0x6474e551u
#define T_PF_X		1u
#define T_PF_W		2u
#define T_PF_R		4u

/* ELF file header field offsets (gABI); the 32- and 64-bit layouts part after e_entry. */
#define E_TYPE		16
#define E_MACHINE	18
#define E_VERSION	20
#define E_ENTRY		24
#define E32_PHOFF	28
#define E32_PHENTSIZE	42
#define E32_PHNUM	44
#define E64_PHOFF	32
#define E64_PHENTSIZE	54
#define E64_PHNUM	56

/* The standard images' layout. */
#define STD_MB_OFF	0x1000u		/* multiboot header in the ELF images, start of text */
#define STD_ELF_LEN	0x1300u
#define STD_AOUT_HDR	0x40u
#define STD_AOUT_LEN	0x900u

/* An image under construction. */
struct img {
	uint8_t b[IMG_CAP];
	size_t len;
};

/* A program header before it is written, in the widest form. */
struct seg {
	uint32_t type;
	uint32_t flags;
	uint64_t offset;
	uint64_t vaddr;
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
};

/* Writes n little-endian bytes of v at off and extends the image to cover them. */
static void put(struct img *im, size_t off, uint64_t v, unsigned n)
{
	unsigned i;

	assert_true(off + n <= IMG_CAP);
	for (i = 0; i < n; i++)
		im->b[off + i] = (uint8_t)(v >> (8 * i));
	if (im->len < off + n)
		im->len = off + n;
}

static void put16(struct img *im, size_t off, uint64_t v) { put(im, off, v, 2); }
static void put32(struct img *im, size_t off, uint64_t v) { put(im, off, v, 4); }
static void put64(struct img *im, size_t off, uint64_t v) { put(im, off, v, 8); }

/* Starts an image of len filler bytes (0xcc: int3, never part of a magic). */
static void img_init(struct img *im, size_t len)
{
	memset(im->b, 0xcc, sizeof(im->b));
	im->len = len;
}

/* Writes a multiboot header with a correct checksum at off. */
static void mb_put(struct img *im, size_t off, uint32_t flags)
{
	put32(im, off, T_MB_MAGIC);
	put32(im, off + 4, flags);
	put32(im, off + 8, (uint32_t)-(T_MB_MAGIC + flags));
}

/* Writes the five a.out-kludge address fields of the header at off. */
static void mb_put_aout(struct img *im, size_t off, uint32_t header_addr, uint32_t load_addr,
			uint32_t load_end, uint32_t bss_end, uint32_t entry)
{
	put32(im, off + 12, header_addr);
	put32(im, off + 16, load_addr);
	put32(im, off + 20, load_end);
	put32(im, off + 24, bss_end);
	put32(im, off + 28, entry);
}

/* Returns the size of the ELF file header / of one program header for a class. */
static size_t ehsize(unsigned bits) { return bits == 32 ? 52 : 64; }
static size_t phsize(unsigned bits) { return bits == 32 ? 32 : 56; }

/* Writes program header s at file offset at. */
static void phdr_put(struct img *im, unsigned bits, size_t at, const struct seg *s)
{
	if (bits == 32) {
		put32(im, at + 0, s->type);
		put32(im, at + 4, s->offset);
		put32(im, at + 8, s->vaddr);
		put32(im, at + 12, s->paddr);
		put32(im, at + 16, s->filesz);
		put32(im, at + 20, s->memsz);
		put32(im, at + 24, s->flags);
		put32(im, at + 28, 0x1000);
	} else {
		put32(im, at + 0, s->type);
		put32(im, at + 4, s->flags);
		put64(im, at + 8, s->offset);
		put64(im, at + 16, s->vaddr);
		put64(im, at + 24, s->paddr);
		put64(im, at + 32, s->filesz);
		put64(im, at + 40, s->memsz);
		put64(im, at + 48, 0x1000);
	}
}

/*
 * Builds an ELF image of len bytes: file header, n program headers right after it, and a
 * multiboot header with mb_flags at STD_MB_OFF.
 */
static void build_elf(struct img *im, unsigned bits, uint64_t entry, const struct seg *segs,
		      unsigned n, uint32_t mb_flags, size_t len)
{
	unsigned i;

	img_init(im, len);
	memset(im->b, 0, ehsize(bits));
	memcpy(im->b, "\177ELF", 4);
	im->b[4] = bits == 32 ? 1 : 2;
	im->b[5] = 1;
	im->b[6] = 1;
	put16(im, E_TYPE, T_ET_EXEC);
	put16(im, E_MACHINE, bits == 32 ? T_EM_386 : T_EM_X86_64);
	put32(im, E_VERSION, 1);
	if (bits == 32) {
		put32(im, E_ENTRY, entry);
		put32(im, E32_PHOFF, ehsize(bits));
		put16(im, 40, ehsize(bits));
		put16(im, E32_PHENTSIZE, phsize(bits));
		put16(im, E32_PHNUM, n);
	} else {
		put64(im, E_ENTRY, entry);
		put64(im, E64_PHOFF, ehsize(bits));
		put16(im, 52, ehsize(bits));
		put16(im, E64_PHENTSIZE, phsize(bits));
		put16(im, E64_PHNUM, n);
	}
	for (i = 0; i < n; i++)
		phdr_put(im, bits, ehsize(bits) + i * phsize(bits), &segs[i]);
	mb_put(im, STD_MB_OFF, mb_flags);
	assert_true(im->len == len);
}

/* The standard ELF image's program headers: text, data with bss, and a note. */
static const struct seg std_segs[3] = {
	{ T_PT_LOAD, T_PF_R | T_PF_X, 0x1000, 0x100000, 0x100000, 0x200, 0x200 },
	{ T_PT_LOAD, T_PF_R | T_PF_W, 0x1200, 0x101000, 0x101000, 0x100, 0x3000 },
	{ T_PT_NOTE, T_PF_R, 0x1280, 0, 0, 0x10, 0x10 },
};

/* Builds the standard ELF image of a class: entry 0x100010, flags MEM | PAGE_ALIGN. */
static void std_elf(struct img *im, unsigned bits)
{
	build_elf(im, bits, 0x100010, std_segs, 3, T_MB_MEM | T_MB_PAGE_ALIGN, STD_ELF_LEN);
}

/* Builds the standard a.out-kludge image: loads [0, 0x800) at 1 MiB, bss to 0x102000. */
static void std_aout(struct img *im)
{
	img_init(im, STD_AOUT_LEN);
	mb_put(im, STD_AOUT_HDR, T_MB_AOUT | T_MB_MEM);
	mb_put_aout(im, STD_AOUT_HDR, 0x100000 + STD_AOUT_HDR, 0x100000, 0x100800, 0x102000,
		    0x100080);
}

/*
 * Real kernels, made once with the host toolchain (binutils 2.40) and kept here as bytes
 * so the test needs nothing at run time.
 *
 * kernel32: `gcc -m32 -c k.S && ld -m elf_i386 -n -s -Ttext=0x100000 -e _start k.o`, k.S:
 *	.text; .globl _start; .align 4
 *	mbh: .long 0x1BADB002, 0x3, -(0x1BADB002 + 0x3)
 *	_start: movl $stack_top, %esp; pushl %ebx; pushl %eax; 1: hlt; jmp 1b
 *	.bss; .align 16; .space 4096; stack_top:
 *
 * kernel64: higher half, `gcc -m64 -c k64.S && ld -m elf_x86_64 -n -s -T k64.ld k64.o`:
 *	k64.S: .text; .globl _start; .align 4
 *	       mbh: .long 0x1BADB002, 0x2, -(0x1BADB002 + 0x2)
 *	       .code32; _start: movl $0x2badb002, %ecx; 1: hlt; jmp 1b
 *	       .data; .quad 0x1122334455667788; .bss; .space 8192
 *	k64.ld: ENTRY(_start) PHDRS { text PT_LOAD FLAGS(5); data PT_LOAD FLAGS(6); }
 *	       SECTIONS { . = 0xffffffff80100000; .text : AT(0x100000) { *(.text) } :text
 *	       . = ALIGN(0x1000);
 *	       .data : AT(ADDR(.data) - 0xffffffff80000000) { *(.data) } :data
 *	       .bss : { *(.bss) } :data }
 * Both pass `grub-file --is-x86-multiboot`.
 */
static const uint8_t kernel32[] = {
	0x7f, 0x45, 0x4c, 0x46, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x0c, 0x00, 0x10, 0x00, 0x34, 0x00, 0x00, 0x00, 0x8c, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x34, 0x00, 0x20, 0x00, 0x01, 0x00, 0x28, 0x00,
	0x04, 0x00, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x60, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x10, 0x00, 0x16, 0x00, 0x00, 0x00,
	0x20, 0x20, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x02, 0xb0, 0xad, 0x1b, 0x03, 0x00, 0x00, 0x00, 0xfb, 0x4f, 0x52, 0xe4,
	0xbc, 0x20, 0x20, 0x10, 0x00, 0x53, 0x50, 0xf4, 0xeb, 0xfd, 0x00, 0x2e,
	0x73, 0x68, 0x73, 0x74, 0x72, 0x74, 0x61, 0x62, 0x00, 0x2e, 0x74, 0x65,
	0x78, 0x74, 0x00, 0x2e, 0x62, 0x73, 0x73, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x0b, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x10, 0x00, 0x60, 0x00, 0x00, 0x00, 0x16, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x11, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00,
	0x03, 0x00, 0x00, 0x00, 0x20, 0x10, 0x10, 0x00, 0x76, 0x00, 0x00, 0x00,
	0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x76, 0x00, 0x00, 0x00, 0x16, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
};

static const uint8_t kernel64[] = {
	0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x3e, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x0c, 0x00, 0x10, 0x80, 0xff, 0xff, 0xff, 0xff, 0x40, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xe8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x38, 0x00, 0x02, 0x00, 0x40, 0x00,
	0x05, 0x00, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,
	0xb0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x80,
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0xc4, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x10, 0x80, 0xff, 0xff, 0xff, 0xff,
	0x00, 0x10, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x08, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xb0, 0xad, 0x1b,
	0x02, 0x00, 0x00, 0x00, 0xfc, 0x4f, 0x52, 0xe4, 0xb9, 0x02, 0xb0, 0xad,
	0x2b, 0xf4, 0xeb, 0xfd, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
	0x00, 0x2e, 0x73, 0x68, 0x73, 0x74, 0x72, 0x74, 0x61, 0x62, 0x00, 0x2e,
	0x74, 0x65, 0x78, 0x74, 0x00, 0x2e, 0x64, 0x61, 0x74, 0x61, 0x00, 0x2e,
	0x62, 0x73, 0x73, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x10, 0x80, 0xff, 0xff, 0xff, 0xff, 0xb0, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x11, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x10, 0x80, 0xff, 0xff, 0xff, 0xff,
	0xc4, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00,
	0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x10, 0x10, 0x80,
	0xff, 0xff, 0xff, 0xff, 0xcc, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xcc, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
};

/* Copies an image into an img. */
static void img_from(struct img *im, const uint8_t *bytes, size_t len)
{
	img_init(im, len);
	memcpy(im->b, bytes, len);
}

/* Parses the first len bytes of im from an exact-size heap copy, so ASan sees any over-read. */
static int parse_len(const struct img *im, size_t len, uint64_t ram, struct guest_image *gi,
		     char *err, size_t errlen)
{
	uint8_t *p = malloc(len ? len : 1);
	int rc;

	assert_non_null(p);
	memcpy(p, im->b, len);
	rc = guest_image_parse(p, len, ram, gi, err, errlen);
	free(p);
	return rc;
}

/* Checks everything a successful parse promises about im's first len bytes. */
static void check_invariants(const struct img *im, size_t len, uint64_t ram,
			     const struct guest_image *gi)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	bool entry_in = false;
	uint32_t magic, flags;
	unsigned i, j;

	assert_true(gi->nseg >= 1 && gi->nseg <= GUEST_IMAGE_MAX_SEGMENTS);
	assert_true(gi->header_offset % 4 == 0);
	assert_true(gi->header_offset + 12 <= len && gi->header_offset + 12 <= 8192);
	memcpy(&magic, im->b + gi->header_offset, 4);
	memcpy(&flags, im->b + gi->header_offset + 4, 4);
	assert_int_equal(magic, T_MB_MAGIC);
	assert_int_equal(flags, gi->header_flags);
	assert_int_equal(gi->aout_kludge, !!(flags & T_MB_AOUT));
	if (gi->aout_kludge)
		assert_int_equal(gi->elf_class, 0);
	else
		assert_true(gi->elf_class == 32 || gi->elf_class == 64);
	assert_int_equal(gi->wants_aligned_modules, !!(flags & T_MB_PAGE_ALIGN));
	assert_int_equal(gi->wants_mem_info, !!(flags & T_MB_MEM));
	assert_int_equal(gi->wants_video_mode, !!(flags & T_MB_VIDEO));
	assert_int_equal(flags & 0xfff8u, 0);
	for (i = 0; i < gi->nseg; i++) {
		const struct guest_segment *s = &gi->seg[i];
		uint64_t end = s->gpa + s->memsz;

		assert_true(s->memsz > 0 && s->filesz <= s->memsz);
		assert_true(s->filesz == 0 ||
			    (s->file_offset <= len && s->filesz <= len - s->file_offset));
		assert_true(end > s->gpa && end <= 4 * GiB && end <= ram);
		assert_true(s->gpa >= 0x1000);
		assert_true(end <= 0xA0000 || s->gpa >= 0x100000);
		for (j = 0; j < i; j++)
			assert_true(end <= gi->seg[j].gpa ||
				    gi->seg[j].gpa + gi->seg[j].memsz <= s->gpa);
		if (gi->entry >= s->gpa && gi->entry < end)
			entry_in = true;
		lo = s->gpa < lo ? s->gpa : lo;
		hi = end > hi ? end : hi;
	}
	assert_true(entry_in);
	assert_int_equal(gi->lowest_gpa, lo);
	assert_int_equal(gi->highest_gpa, hi);
}

/* Expects im to parse with ram bytes of RAM; checks the invariants and the cleared error. */
static void expect_ok_ram(const struct img *im, uint64_t ram, struct guest_image *gi)
{
	char err[256] = "unset";

	if (parse_len(im, im->len, ram, gi, err, sizeof(err)) != 0)
		fail_msg("rejected: %s", err);
	assert_string_equal(err, "");
	check_invariants(im, im->len, ram, gi);
}

static void expect_ok(const struct img *im, struct guest_image *gi)
{
	expect_ok_ram(im, RAM, gi);
}

/* Expects im to be refused with a one-line message containing needle and a zeroed result. */
static void expect_fail_ram(const struct img *im, uint64_t ram, const char *needle)
{
	static const struct guest_image zero;
	struct guest_image gi;
	char err[256] = "";

	memset(&gi, 0x5a, sizeof(gi));
	assert_int_equal(parse_len(im, im->len, ram, &gi, err, sizeof(err)), -1);
	if (!strstr(err, needle))
		fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
	assert_null(strchr(err, '\n'));
	assert_memory_equal(&gi, &zero, sizeof(gi));
}

static void expect_fail(const struct img *im, const char *needle)
{
	expect_fail_ram(im, RAM, needle);
}

/* ---------------------------------------------------------------------------------------- */

/* The standard ELF32 image: both PT_LOAD segments, the note ignored, all fields as built. */
static void test_elf32_valid(void **state)
{
	struct guest_image gi;
	struct img im;

	(void)state;
	std_elf(&im, 32);
	expect_ok(&im, &gi);
	assert_int_equal(gi.elf_class, 32);
	assert_false(gi.aout_kludge);
	assert_int_equal(gi.entry, 0x100010);
	assert_int_equal(gi.header_offset, STD_MB_OFF);
	assert_int_equal(gi.header_flags, T_MB_MEM | T_MB_PAGE_ALIGN);
	assert_true(gi.wants_mem_info);
	assert_true(gi.wants_aligned_modules);
	assert_false(gi.wants_video_mode);
	assert_int_equal(gi.nseg, 2);
	assert_int_equal(gi.seg[0].gpa, 0x100000);
	assert_int_equal(gi.seg[0].memsz, 0x200);
	assert_int_equal(gi.seg[0].file_offset, 0x1000);
	assert_int_equal(gi.seg[0].filesz, 0x200);
	assert_int_equal(gi.seg[1].gpa, 0x101000);
	assert_int_equal(gi.seg[1].memsz, 0x3000);
	assert_int_equal(gi.seg[1].file_offset, 0x1200);
	assert_int_equal(gi.seg[1].filesz, 0x100);
	assert_int_equal(gi.lowest_gpa, 0x100000);
	assert_int_equal(gi.highest_gpa, 0x104000);
}

/* The standard ELF64 image gives the same plan. */
static void test_elf64_valid(void **state)
{
	struct guest_image gi;
	struct img im;

	(void)state;
	std_elf(&im, 64);
	expect_ok(&im, &gi);
	assert_int_equal(gi.elf_class, 64);
	assert_int_equal(gi.entry, 0x100010);
	assert_int_equal(gi.nseg, 2);
	assert_int_equal(gi.seg[1].gpa, 0x101000);
	assert_int_equal(gi.seg[1].memsz, 0x3000);
	assert_int_equal(gi.seg[1].file_offset, 0x1200);
	assert_int_equal(gi.seg[1].filesz, 0x100);
	assert_int_equal(gi.highest_gpa, 0x104000);
}

/* The a.out kludge: one range from the file start, bss after it, entry from the header. */
static void test_aout_valid(void **state)
{
	struct guest_image gi;
	struct img im;

	(void)state;
	std_aout(&im);
	expect_ok(&im, &gi);
	assert_true(gi.aout_kludge);
	assert_int_equal(gi.elf_class, 0);
	assert_int_equal(gi.header_offset, STD_AOUT_HDR);
	assert_int_equal(gi.entry, 0x100080);
	assert_int_equal(gi.nseg, 1);
	assert_int_equal(gi.seg[0].gpa, 0x100000);
	assert_int_equal(gi.seg[0].file_offset, 0);
	assert_int_equal(gi.seg[0].filesz, 0x800);
	assert_int_equal(gi.seg[0].memsz, 0x2000);
	assert_int_equal(gi.lowest_gpa, 0x100000);
	assert_int_equal(gi.highest_gpa, 0x102000);
}

/* load_addr above the file start: the load begins at header_offset - (header_addr - load_addr). */
static void test_aout_file_offset(void **state)
{
	struct guest_image gi;
	struct img im;

	(void)state;
	img_init(&im, 0x400);
	mb_put(&im, 0x100, T_MB_AOUT);
	mb_put_aout(&im, 0x100, 0x200010, 0x200000, 0x200200, 0, 0x200000);
	expect_ok(&im, &gi);
	assert_int_equal(gi.seg[0].file_offset, 0xf0);
	assert_int_equal(gi.seg[0].filesz, 0x200);
	assert_int_equal(gi.seg[0].memsz, 0x200);	/* bss_end_addr 0: no bss */
	assert_int_equal(gi.entry, 0x200000);
}

/* load_end_addr 0 loads to the end of the file; bss_end_addr may equal the end of the data. */
static void test_aout_load_to_end(void **state)
{
	struct guest_image gi;
	struct img im;

	(void)state;
	img_init(&im, 0x1234);
	mb_put(&im, 0x20, T_MB_AOUT);
	mb_put_aout(&im, 0x20, 0x100020, 0x100000, 0, 0x101234, 0x101233);
	expect_ok(&im, &gi);
	assert_int_equal(gi.seg[0].file_offset, 0);
	assert_int_equal(gi.seg[0].filesz, 0x1234);
	assert_int_equal(gi.seg[0].memsz, 0x1234);
	assert_int_equal(gi.entry, 0x101233);
}

/* Flag 16 in an ELF file: the header's addresses win over the program headers. */
static void test_aout_overrides_elf(void **state)
{
	struct guest_image gi;
	struct img im;

	(void)state;
	std_elf(&im, 32);
	mb_put(&im, STD_MB_OFF, T_MB_AOUT);
	mb_put_aout(&im, STD_MB_OFF, 0x301000, 0x300000, 0x301300, 0x310000, 0x301020);
	expect_ok(&im, &gi);
	assert_true(gi.aout_kludge);
	assert_int_equal(gi.elf_class, 0);
	assert_int_equal(gi.nseg, 1);
	assert_int_equal(gi.seg[0].gpa, 0x300000);
	assert_int_equal(gi.seg[0].file_offset, 0);
	assert_int_equal(gi.seg[0].filesz, 0x1300);
	assert_int_equal(gi.seg[0].memsz, 0x10000);
	assert_int_equal(gi.entry, 0x301020);

	/* The same with a broken ELF header: it is not looked at. */
	put16(&im, E_MACHINE, 0x1234);
	expect_ok(&im, &gi);
}

/* Higher-half kernels: e_entry is virtual and is translated through its segment. */
static void test_elf_virtual_entry(void **state)
{
	const struct seg s32[2] = {
		{ T_PT_LOAD, T_PF_R | T_PF_X, 0x1000, 0xC0100000, 0x100000, 0x200, 0x200 },
		{ T_PT_LOAD, T_PF_R | T_PF_W, 0x1200, 0xC0101000, 0x101000, 0x100, 0x1000 },
	};
	const struct seg s64[1] = {
		{ T_PT_LOAD, T_PF_R | T_PF_X, 0x1000, 0xffffffff80100000ull, 0x100000, 0x300, 0x300 },
	};
	struct guest_image gi;
	struct img im;

	(void)state;
	build_elf(&im, 32, 0xC0100020, s32, 2, 0, STD_ELF_LEN);
	expect_ok(&im, &gi);
	assert_int_equal(gi.entry, 0x100020);

	/* A virtual entry inside the data segment's virtual range is still refused. */
	build_elf(&im, 32, 0xC0101000, s32, 2, 0, STD_ELF_LEN);
	expect_fail(&im, "entry point 0xc0101000 is not inside an executable loadable segment");

	build_elf(&im, 64, 0xffffffff801002ffull, s64, 1, 0, STD_ELF_LEN);
	expect_ok(&im, &gi);
	assert_int_equal(gi.entry, 0x1002ff);
	build_elf(&im, 64, 0xffffffff80100300ull, s64, 1, 0, STD_ELF_LEN);
	expect_fail(&im, "entry point 0xffffffff80100300 is not inside");
}

/* A physical match wins over a virtual one. */
static void test_elf_entry_physical_first(void **state)
{
	const struct seg s[2] = {
		{ T_PT_LOAD, T_PF_R | T_PF_X, 0x1000, 0x100000, 0x200000, 0x100, 0x100 },
		{ T_PT_LOAD, T_PF_R | T_PF_X, 0x1100, 0xC0000000, 0x100000, 0x100, 0x100 },
	};
	struct guest_image gi;
	struct img im;

	(void)state;
	build_elf(&im, 32, 0x100010, s, 2, 0, STD_ELF_LEN);
	expect_ok(&im, &gi);
	assert_int_equal(gi.entry, 0x100010);
	build_elf(&im, 32, 0xC0000010, s, 2, 0, STD_ELF_LEN);
	expect_ok(&im, &gi);
	assert_int_equal(gi.entry, 0x100010);
}

/* Entry point rules: executable segment only, bss part allowed, end excluded. */
static void test_elf_entry_rules(void **state)
{
	struct guest_image gi;
	struct img im;

	(void)state;
	build_elf(&im, 32, 0x1001ff, std_segs, 3, 0, STD_ELF_LEN);
	expect_ok(&im, &gi);
	assert_int_equal(gi.entry, 0x1001ff);
	build_elf(&im, 32, 0x100200, std_segs, 3, 0, STD_ELF_LEN);
	expect_fail(&im, "entry point 0x100200 is not inside an executable loadable segment");
	build_elf(&im, 64, 0x101000, std_segs, 3, 0, STD_ELF_LEN);	/* data: not PF_X */
	expect_fail(&im, "ELF64: entry point 0x101000 is not inside");
	build_elf(&im, 32, 0, std_segs, 3, 0, STD_ELF_LEN);
	expect_fail(&im, "entry point 0x0 is not inside");
	build_elf(&im, 64, 0x100000100010ull, std_segs, 3, 0, STD_ELF_LEN);
	expect_fail(&im, "entry point 0x100000100010 is not inside");

	/* An executable segment's zero-filled tail counts as loaded. */
	{
		const struct seg s[1] = {
			{ T_PT_LOAD, T_PF_R | T_PF_X, 0x1000, 0x100000, 0x100000, 0x100, 0x2000 },
		};

		build_elf(&im, 32, 0x101fff, s, 1, 0, STD_ELF_LEN);
		expect_ok(&im, &gi);
		assert_int_equal(gi.entry, 0x101fff);
	}
}

/* Non-PT_LOAD headers are ignored whatever they hold; empty PT_LOADs are dropped. */
static void test_elf_ignored_headers(void **state)
{
	const struct seg s[5] = {
		{ T_PT_GNU_STACK, T_PF_R | T_PF_W, 0xffffffff, 0xffffffff, 0, 0xffffffff, 0 },
		{ T_PT_NOTE, T_PF_R, 0x7fffffff, 0, 0x10, 0x7fffffff, 0x1 },
		{ T_PT_LOAD, T_PF_R, 0xfffffff0, 0x10, 0x10, 0, 0 },	/* empty, offset ignored */
		{ T_PT_LOAD, T_PF_R | T_PF_X, 0x1000, 0x100000, 0x100000, 0x100, 0x100 },
		{ T_PT_LOAD, T_PF_R, 0x1100, 0x200000, 0x200000, 0, 0x1000 },	/* pure bss */
	};
	struct guest_image gi;
	struct img im;

	(void)state;
	build_elf(&im, 32, 0x100000, s, 5, 0, STD_ELF_LEN);
	expect_ok(&im, &gi);
	assert_int_equal(gi.nseg, 2);
	assert_int_equal(gi.seg[1].gpa, 0x200000);
	assert_int_equal(gi.seg[1].filesz, 0);
	assert_int_equal(gi.highest_gpa, 0x201000);
	build_elf(&im, 64, 0x100000, s, 5, 0, STD_ELF_LEN);
	expect_ok(&im, &gi);
	assert_int_equal(gi.nseg, 2);

	/* A pure-bss segment with p_offset beyond the file is fine: nothing is read. */
	{
		const struct seg t[2] = {
			{ T_PT_LOAD, T_PF_R | T_PF_X, 0x1000, 0x100000, 0x100000, 0x100, 0x100 },
			{ T_PT_LOAD, T_PF_R, 0x99999, 0x200000, 0x200000, 0, 0x1000 },
		};

		build_elf(&im, 32, 0x100000, t, 2, 0, STD_ELF_LEN);
		expect_ok(&im, &gi);
	}
}

/* Header flags: known required bits and any optional bit are accepted, and reported. */
static void test_flags_accepted(void **state)
{
	static const uint32_t ok_flags[] = {
		0, T_MB_PAGE_ALIGN, T_MB_MEM, T_MB_VIDEO, 0x7, 0x20000, 0x80000000u, 0xfffe0007u,
	};
	struct guest_image gi;
	struct img im;
	unsigned i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(ok_flags); i++) {
		std_elf(&im, 32);
		mb_put(&im, STD_MB_OFF, ok_flags[i]);
		expect_ok(&im, &gi);
		assert_int_equal(gi.header_flags, ok_flags[i]);
		assert_int_equal(gi.wants_video_mode, !!(ok_flags[i] & T_MB_VIDEO));
	}
}

/* Header flags: every undefined required bit (3-15) is refused. */
static void test_flags_unknown_required(void **state)
{
	char needle[64];
	struct img im;
	unsigned bit;

	(void)state;
	for (bit = 3; bit < 16; bit++) {
		std_elf(&im, 32);
		mb_put(&im, STD_MB_OFF, T_MB_MEM | (1u << bit));
		snprintf(needle, sizeof(needle), "unknown bits 0x%x", 1u << bit);
		expect_fail(&im, "unsupported required features");
		expect_fail(&im, needle);
	}
	std_aout(&im);
	mb_put(&im, STD_AOUT_HDR, T_MB_AOUT | 0xfff8u);
	expect_fail(&im, "unsupported required features (flags 0x1fff8, unknown bits 0xfff8)");
}

/* The search: 4-byte aligned, whole 12 bytes within the first 8 KiB and the file. */
static void test_header_search(void **state)
{
	struct guest_image gi;
	struct img im;

	(void)state;
	/* Last position: [8180, 8192). */
	std_elf(&im, 32);
	put32(&im, STD_MB_OFF, 0);		/* no header at 0x1000 any more */
	im.len = 8192 + 64;
	mb_put(&im, 8180, T_MB_MEM);
	expect_ok(&im, &gi);
	assert_int_equal(gi.header_offset, 8180);

	/* One step further is out of reach, even though the file goes on. */
	put32(&im, 8180, 0);
	mb_put(&im, 8184, T_MB_MEM);
	expect_fail(&im, "no multiboot header (magic 0x1badb002, 4-byte aligned) in the first "
		    "8192 bytes");

	/* Unaligned copies do not count. */
	std_elf(&im, 32);
	put32(&im, STD_MB_OFF, 0);
	mb_put(&im, STD_MB_OFF + 2, T_MB_MEM);
	expect_fail(&im, "no multiboot header");

	/* A header cut by the end of the file does not count. */
	img_init(&im, 0x108);
	mb_put(&im, 0x100, T_MB_AOUT);
	im.len = 0x108;
	expect_fail(&im, "no multiboot header");

	/* Empty and tiny files. */
	img_init(&im, 0);
	expect_fail(&im, "no multiboot header");
	img_init(&im, 11);
	expect_fail(&im, "no multiboot header");
}

/* A bad checksum is reported unless a later header is valid, which is then used. */
static void test_header_checksum(void **state)
{
	struct guest_image gi;
	struct img im;

	(void)state;
	std_elf(&im, 32);
	put32(&im, STD_MB_OFF + 8, 0);
	expect_fail(&im, "multiboot header at offset 4096 has a bad checksum");
	expect_fail(&im, "(magic + flags + checksum = 0x1badb005, not 0)");

	/* Flags changed after the checksum was computed. */
	std_elf(&im, 32);
	put32(&im, STD_MB_OFF + 4, T_MB_MEM | T_MB_VIDEO);
	expect_fail(&im, "bad checksum");

	/* A second, valid header further on is found. */
	std_elf(&im, 32);
	put32(&im, STD_MB_OFF + 8, 0);
	mb_put(&im, STD_MB_OFF + 0x20, T_MB_MEM);
	expect_ok(&im, &gi);
	assert_int_equal(gi.header_offset, STD_MB_OFF + 0x20);
	assert_int_equal(gi.header_flags, T_MB_MEM);
}

/* No ELF magic and no flag 16: nothing says where to load. */
static void test_not_elf_no_kludge(void **state)
{
	struct img im;

	(void)state;
	std_aout(&im);
	mb_put(&im, STD_AOUT_HDR, T_MB_MEM);
	expect_fail(&im, "not an ELF file, and the multiboot header has no a.out kludge");
	std_elf(&im, 32);
	im.b[3] = 'f';
	expect_fail(&im, "not an ELF file");
}

/* Each inconsistency of the a.out-kludge fields has its message. */
static void test_aout_errors(void **state)
{
	struct img im;

	(void)state;
	std_aout(&im);
	mb_put_aout(&im, STD_AOUT_HDR, 0x0fffff, 0x100000, 0x100800, 0x102000, 0x100080);
	expect_fail(&im, "a.out kludge: header_addr 0xfffff is below load_addr 0x100000");

	std_aout(&im);
	mb_put_aout(&im, STD_AOUT_HDR, 0x100040, 0xfffff0, 0x100800, 0x102000, 0x100080);
	expect_fail(&im, "header_addr 0x100040 is below load_addr 0xfffff0");

	std_aout(&im);		/* header_addr - load_addr = 0x44 > header offset 0x40 */
	mb_put_aout(&im, STD_AOUT_HDR, 0x100040, 0x0ffffc, 0x100800, 0x102000, 0x100080);
	expect_fail(&im, "load_addr 0xffffc would start loading 4 bytes before the file");

	std_aout(&im);
	mb_put_aout(&im, STD_AOUT_HDR, 0x100040, 0x100000, 0x0ff000, 0x102000, 0x100080);
	expect_fail(&im, "a.out kludge: load_end_addr 0xff000 is below load_addr 0x100000");

	std_aout(&im);		/* the file is 0x900 bytes */
	mb_put_aout(&im, STD_AOUT_HDR, 0x100040, 0x100000, 0x100901, 0x102000, 0x100080);
	expect_fail(&im, "a.out kludge: load_end_addr 0x100901 is past the end of the file");
	mb_put_aout(&im, STD_AOUT_HDR, 0x100040, 0x100000, 0x100900, 0, 0x100080);
	{
		struct guest_image gi;

		expect_ok(&im, &gi);	/* exactly to the end is fine */
		assert_int_equal(gi.seg[0].memsz, 0x900);
	}

	std_aout(&im);
	mb_put_aout(&im, STD_AOUT_HDR, 0x100040, 0x100000, 0x100800, 0x1007ff, 0x100080);
	expect_fail(&im, "a.out kludge: bss_end_addr 0x1007ff is below the end of the loaded "
		    "data 0x100800");

	std_aout(&im);		/* load_end_addr 0: the data ends with the file at 0x100900 */
	mb_put_aout(&im, STD_AOUT_HDR, 0x100040, 0x100000, 0, 0x100800, 0x100080);
	expect_fail(&im, "bss_end_addr 0x100800 is below the end of the loaded data 0x100900");

	std_aout(&im);
	mb_put_aout(&im, STD_AOUT_HDR, 0x100040, 0x100000, 0x100800, 0x102000, 0x102000);
	expect_fail(&im, "a.out kludge: entry_addr 0x102000 is outside the loaded range "
		    "[0x100000, 0x102000)");
	mb_put_aout(&im, STD_AOUT_HDR, 0x100040, 0x100000, 0x100800, 0x102000, 0xfffff);
	expect_fail(&im, "entry_addr 0xfffff is outside the loaded range");
	mb_put_aout(&im, STD_AOUT_HDR, 0x100040, 0x100000, 0x100800, 0, 0x100800);
	expect_fail(&im, "entry_addr 0x100800 is outside the loaded range [0x100000, 0x100800)");

	/* Loading starts at the header, but no data and no bss: nothing to load. */
	std_aout(&im);
	mb_put_aout(&im, STD_AOUT_HDR, 0x100040, 0x100040, 0x100040, 0, 0x100040);
	expect_fail(&im, "a.out kludge: nothing to load");
}

/* The address fields must lie within the file and the first 8 KiB too. */
static void test_aout_fields_cut(void **state)
{
	struct guest_image gi;
	struct img im;

	(void)state;
	img_init(&im, 0x100 + 31);
	mb_put(&im, 0x100, T_MB_AOUT);
	im.len = 0x100 + 31;
	expect_fail(&im, "multiboot header at offset 256: a.out kludge fields end at 288, past "
		    "the file (287 bytes) or the first 8192 bytes");

	img_init(&im, 3 * 4096);
	mb_put(&im, 8164, T_MB_AOUT);
	mb_put_aout(&im, 8164, 0x100000 + 8164, 0x100000, 0, 0, 0x100000);
	expect_fail(&im, "a.out kludge fields end at 8196, past the file (12288 bytes) or the "
		    "first 8192 bytes");

	img_init(&im, 3 * 4096);	/* the last position that fits: fields end at 8192 */
	mb_put(&im, 8160, T_MB_AOUT);
	mb_put_aout(&im, 8160, 0x100000 + 8160, 0x100000, 0, 0, 0x100000);
	expect_ok(&im, &gi);
	assert_int_equal(gi.seg[0].filesz, 3 * 4096);
}

/* ELF identification errors. */
static void test_elf_ident_errors(void **state)
{
	struct img im;

	(void)state;
	std_elf(&im, 32);
	im.b[4] = 0;
	expect_fail(&im, "ELF: unknown class 0 (neither ELFCLASS32 nor ELFCLASS64)");
	im.b[4] = 3;
	expect_fail(&im, "ELF: unknown class 3");
	std_elf(&im, 64);
	im.b[5] = 2;
	expect_fail(&im, "ELF: not little-endian (EI_DATA 2)");
	std_elf(&im, 32);
	im.b[6] = 0;
	expect_fail(&im, "ELF: bad identification version 0");

	/* An ELF64 file cut inside its file header (the multiboot header fits after e_ident). */
	std_elf(&im, 64);
	mb_put(&im, 16, 0);
	im.len = 40;
	expect_fail(&im, "ELF64: truncated file header (40 bytes, needs 64)");
}

/* ELF file header errors: type, machine, version, program header table. */
static void test_elf_header_errors(void **state)
{
	struct img im;

	(void)state;
	std_elf(&im, 32);
	put16(&im, E_TYPE, T_ET_DYN);
	expect_fail(&im, "ELF32: not an executable (e_type 3, want ET_EXEC 2)");
	std_elf(&im, 64);
	put16(&im, E_TYPE, 1);
	expect_fail(&im, "ELF64: not an executable (e_type 1");

	std_elf(&im, 32);
	put16(&im, E_MACHINE, T_EM_X86_64);
	expect_fail(&im, "ELF32: wrong machine 62 (want EM_386 3)");
	std_elf(&im, 64);
	put16(&im, E_MACHINE, T_EM_386);
	expect_fail(&im, "ELF64: wrong machine 3 (want EM_X86_64 62)");

	std_elf(&im, 32);
	put32(&im, E_VERSION, 0);
	expect_fail(&im, "ELF32: bad version 0");

	std_elf(&im, 32);
	put16(&im, E32_PHNUM, 0xffff);
	expect_fail(&im, "ELF32: extended program header numbering (PN_XNUM) is not supported");
	std_elf(&im, 64);
	put16(&im, E64_PHNUM, 0);
	expect_fail(&im, "ELF64: no program headers");

	std_elf(&im, 32);
	put16(&im, E32_PHENTSIZE, 31);
	expect_fail(&im, "ELF32: e_phentsize 31 is below 32");
	std_elf(&im, 64);
	put16(&im, E64_PHENTSIZE, 55);
	expect_fail(&im, "ELF64: e_phentsize 55 is below 56");

	std_elf(&im, 32);	/* 3 headers of 32 bytes from 0x12a0 end at 0x1300 + 0x20 */
	put32(&im, E32_PHOFF, 0x12c0);
	expect_fail(&im, "ELF32: program header table [0x12c0, +0x60) is outside the file "
		    "(4864 bytes)");
	std_elf(&im, 64);
	put64(&im, E64_PHOFF, 0xffffffffffffffc0ull);
	expect_fail(&im, "ELF64: program header table [0xffffffffffffffc0, +0xa8) is outside");
	std_elf(&im, 64);
	put16(&im, E64_PHNUM, 0xfffe);
	expect_fail(&im, "program header table [0x40, +0x37ff90) is outside the file");
}

/* A larger e_phentsize is honoured: headers are found at the stride it gives. */
static void test_elf_large_phentsize(void **state)
{
	struct guest_image gi;
	struct img im;
	unsigned i;

	(void)state;
	std_elf(&im, 64);
	memset(im.b + 64, 0xcc, 3 * 56);
	put16(&im, E64_PHENTSIZE, 64);
	for (i = 0; i < 3; i++)
		phdr_put(&im, 64, 64 + i * 64, &std_segs[i]);
	expect_ok(&im, &gi);
	assert_int_equal(gi.nseg, 2);
	assert_int_equal(gi.seg[1].memsz, 0x3000);
}

/* Builds an ELF of class bits: the standard text segment plus one segment to test. */
static void elf_with(struct img *im, unsigned bits, const struct seg *extra)
{
	struct seg s[2] = { std_segs[0], *extra };

	build_elf(im, bits, 0x100010, s, 2, 0, STD_ELF_LEN);
}

/* Segment file ranges and sizes. */
static void test_segment_file_errors(void **state)
{
	struct seg s = { T_PT_LOAD, T_PF_R, 0x1200, 0x200000, 0x200000, 0x101, 0x1000 };
	struct img im;

	(void)state;
	elf_with(&im, 32, &s);
	expect_fail(&im, "ELF32 program header 1: file range [0x1200, +0x101) is outside the "
		    "file (4864 bytes)");
	s.offset = 0x1301;
	s.filesz = 1;
	elf_with(&im, 64, &s);
	expect_fail(&im, "ELF64 program header 1: file range [0x1301, +0x1) is outside");
	s.offset = 0xfffffffffffffff0ull;
	s.filesz = 0x20;
	elf_with(&im, 64, &s);
	expect_fail(&im, "file range [0xfffffffffffffff0, +0x20) is outside the file");

	s.offset = 0x1200;
	s.filesz = 0x100;
	s.memsz = 0xff;
	elf_with(&im, 32, &s);
	expect_fail(&im, "ELF32 program header 1: file size 0x100 exceeds memory size 0xff");
	s.memsz = 0;
	elf_with(&im, 64, &s);
	expect_fail(&im, "file size 0x100 exceeds memory size 0x0");
}

/* Segment placement: overflow, 4 GiB, page 0, the hole, the end of RAM. */
static void test_segment_placement_errors(void **state)
{
	struct seg s = { T_PT_LOAD, T_PF_R, 0x1200, 0, 0, 0x10, 0x1000 };
	struct guest_image gi;
	struct img im;

	(void)state;
	s.paddr = 0xfffffffffffff000ull;
	s.memsz = 0x2000;
	elf_with(&im, 64, &s);
	expect_fail(&im, "ELF64 program header 1: address 0xfffffffffffff000 + size 0x2000 "
		    "overflows");
	s.paddr = 0x100000000ull;
	s.memsz = 0x1000;
	elf_with(&im, 64, &s);
	expect_fail_ram(&im, 8 * GiB, "[0x100000000, 0x100001000) is not below 4 GiB");
	s.paddr = 0xfffff000;
	s.memsz = 0x2000;
	elf_with(&im, 32, &s);
	expect_fail_ram(&im, 8 * GiB, "ELF32 program header 1: [0xfffff000, 0x100001000) is not "
			"below 4 GiB");
	s.memsz = 0x1001;
	elf_with(&im, 32, &s);
	expect_fail_ram(&im, 8 * GiB, "[0xfffff000, 0x100000001) is not below 4 GiB");
	s.memsz = 0x1000;	/* ends exactly at 4 GiB */
	elf_with(&im, 32, &s);
	expect_ok_ram(&im, 8 * GiB, &gi);
	assert_int_equal(gi.highest_gpa, 4 * GiB);

	s.paddr = 0xfff;
	s.memsz = 0x10;
	elf_with(&im, 32, &s);
	expect_fail(&im, "ELF32 program header 1: starts at 0xfff, below 0x1000");
	s.paddr = 0x1000;
	elf_with(&im, 32, &s);
	expect_ok(&im, &gi);
	assert_int_equal(gi.lowest_gpa, 0x1000);

	s.paddr = 0x9f000;
	s.memsz = 0x1001;
	elf_with(&im, 32, &s);
	expect_fail(&im, "[0x9f000, 0xa0001) overlaps [0xa0000, 0x100000), which is not RAM in "
		    "the guest");
	s.memsz = 0x1000;
	elf_with(&im, 32, &s);
	expect_ok(&im, &gi);
	s.paddr = 0xb8000;
	elf_with(&im, 64, &s);
	expect_fail(&im, "[0xb8000, 0xb9000) overlaps [0xa0000, 0x100000)");
	s.paddr = 0xfffff;
	s.memsz = 0x10;
	elf_with(&im, 32, &s);
	expect_fail(&im, "[0xfffff, 0x10000f) overlaps [0xa0000, 0x100000)");
	s.paddr = 0x80000;
	s.memsz = 0x100000;
	elf_with(&im, 32, &s);
	expect_fail(&im, "[0x80000, 0x180000) overlaps [0xa0000, 0x100000)");

	s.paddr = 0x3ff000;
	s.memsz = 0x1001;
	elf_with(&im, 32, &s);
	expect_fail_ram(&im, 4 * MiB, "ELF32 program header 1: [0x3ff000, 0x400001) ends past "
			"guest RAM (0x400000 bytes)");
	s.memsz = 0x1000;
	elf_with(&im, 32, &s);
	expect_ok_ram(&im, 4 * MiB, &gi);
	assert_int_equal(gi.highest_gpa, 4 * MiB);

	/* The text segment itself against tiny RAM. */
	std_elf(&im, 32);
	expect_fail_ram(&im, 0x100100, "ELF32 program header 0: [0x100000, 0x100200) ends past "
			"guest RAM");
	expect_fail_ram(&im, 0, "ends past guest RAM (0x0 bytes)");
}

/* Segments may touch but not overlap, in either order. */
static void test_segment_overlap(void **state)
{
	struct seg s = { T_PT_LOAD, T_PF_R, 0x1200, 0x100200, 0x100200, 0x10, 0x1000 };
	struct guest_image gi;
	struct img im;

	(void)state;
	elf_with(&im, 32, &s);		/* [0x100000, 0x100200) then [0x100200, 0x101200) */
	expect_ok(&im, &gi);
	s.paddr = 0x1001ff;
	elf_with(&im, 32, &s);
	expect_fail(&im, "ELF32 program header 1: [0x1001ff, 0x1011ff) overlaps loaded range "
		    "[0x100000, 0x100200)");
	s.paddr = 0x100100;		/* inside it */
	s.memsz = 0x10;
	elf_with(&im, 64, &s);
	expect_fail(&im, "[0x100100, 0x100110) overlaps loaded range [0x100000, 0x100200)");

	/* The larger one second: it covers the first entirely. */
	{
		const struct seg t[2] = {
			{ T_PT_LOAD, T_PF_R | T_PF_X, 0x1000, 0x100100, 0x100100, 0x10, 0x10 },
			{ T_PT_LOAD, T_PF_R, 0x1000, 0x100000, 0x100000, 0x100, 0x10000 },
		};

		build_elf(&im, 32, 0x100100, t, 2, 0, STD_ELF_LEN);
		expect_fail(&im, "ELF32 program header 1: [0x100000, 0x110000) overlaps loaded "
			    "range [0x100100, 0x100110)");
	}
}

/* Sixteen loadable segments are fine, seventeen are not; no PT_LOAD at all is refused. */
static void test_segment_count(void **state)
{
	struct seg s[18];
	struct guest_image gi;
	struct img im;
	unsigned i;

	(void)state;
	for (i = 0; i < 18; i++) {
		s[i] = (struct seg){ T_PT_LOAD, T_PF_R | T_PF_X, 0x1000, 0, 0, 0x10, 0x1000 };
		s[i].paddr = s[i].vaddr = 0x100000 + i * 0x1000;
	}
	build_elf(&im, 32, 0x100000, s, 16, 0, STD_ELF_LEN);
	expect_ok(&im, &gi);
	assert_int_equal(gi.nseg, 16);
	assert_int_equal(gi.highest_gpa, 0x110000);
	build_elf(&im, 64, 0x100000, s, 17, 0, STD_ELF_LEN);
	expect_fail(&im, "more than 16 loadable segments");

	/* Empty PT_LOADs do not count against the limit. */
	s[16].memsz = 0;
	s[16].filesz = 0;
	build_elf(&im, 64, 0x100000, s, 17, 0, STD_ELF_LEN);
	expect_ok(&im, &gi);

	for (i = 0; i < 3; i++)
		s[i].type = T_PT_NOTE;
	s[2].type = T_PT_LOAD;
	s[2].memsz = s[2].filesz = 0;
	build_elf(&im, 32, 0x100000, s, 3, 0, STD_ELF_LEN);
	expect_fail(&im, "ELF32: no loadable segments (PT_LOAD with p_memsz > 0)");
}

/* The a.out kludge range obeys the same placement rules. */
static void test_aout_placement(void **state)
{
	struct img im;

	(void)state;
	std_aout(&im);
	mb_put_aout(&im, STD_AOUT_HDR, 0x9f840, 0x9f800, 0xa0000, 0xa0001, 0x9f900);
	expect_fail(&im, "a.out kludge load range: [0x9f800, 0xa0001) overlaps [0xa0000, "
		    "0x100000)");
	mb_put_aout(&im, STD_AOUT_HDR, 0x840, 0x800, 0x1000, 0, 0x900);
	expect_fail(&im, "a.out kludge load range: starts at 0x800, below 0x1000");
	mb_put_aout(&im, STD_AOUT_HDR, 0x100040, 0x100000, 0x100800, 0x500000, 0x100080);
	expect_fail_ram(&im, 4 * MiB, "a.out kludge load range: [0x100000, 0x500000) ends past "
			"guest RAM");
	mb_put_aout(&im, STD_AOUT_HDR, 0xfffff840, 0xfffff800, 0, 0, 0xfffff900);
	expect_fail_ram(&im, 8 * GiB, "a.out kludge load range: [0xfffff800, 0x100000100) is not "
			"below 4 GiB");
}

/* The error buffer: NULL, zero-sized and short buffers are all safe. */
static void test_error_buffer(void **state)
{
	struct guest_image gi;
	char err[8];
	struct img im;

	(void)state;
	std_elf(&im, 32);
	put16(&im, E_MACHINE, 0);
	assert_int_equal(parse_len(&im, im.len, RAM, &gi, NULL, 100), -1);
	memset(err, 'x', sizeof(err));
	assert_int_equal(parse_len(&im, im.len, RAM, &gi, err, 0), -1);
	assert_int_equal(err[0], 'x');
	assert_int_equal(parse_len(&im, im.len, RAM, &gi, err, sizeof(err)), -1);
	assert_string_equal(err, "ELF32: ");
	assert_int_equal(guest_image_parse(NULL, 100, RAM, &gi, err, sizeof(err)), -1);
	assert_string_equal(err, "no imag");
	assert_int_equal(parse_len(&im, im.len, RAM, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "no resu");

	std_elf(&im, 32);
	assert_int_equal(parse_len(&im, im.len, RAM, &gi, NULL, 0), 0);
	memset(err, 'x', sizeof(err));
	assert_int_equal(parse_len(&im, im.len, RAM, &gi, err, sizeof(err)), 0);
	assert_string_equal(err, "");
}

/* The two toolchain-made kernels parse as the linker laid them out. */
static void test_real_kernels(void **state)
{
	struct guest_image gi;
	struct img im;

	(void)state;
	img_from(&im, kernel32, sizeof(kernel32));
	expect_ok(&im, &gi);
	assert_int_equal(gi.elf_class, 32);
	assert_int_equal(gi.header_offset, 0x60);
	assert_int_equal(gi.header_flags, T_MB_PAGE_ALIGN | T_MB_MEM);
	assert_int_equal(gi.entry, 0x10000c);
	assert_int_equal(gi.nseg, 1);
	assert_int_equal(gi.seg[0].gpa, 0x100000);
	assert_int_equal(gi.seg[0].file_offset, 0x60);
	assert_int_equal(gi.seg[0].filesz, 0x16);
	assert_int_equal(gi.seg[0].memsz, 0x2020);

	img_from(&im, kernel64, sizeof(kernel64));
	expect_ok(&im, &gi);
	assert_int_equal(gi.elf_class, 64);
	assert_int_equal(gi.header_offset, 0xb0);
	assert_int_equal(gi.header_flags, T_MB_MEM);
	assert_int_equal(gi.entry, 0x10000c);		/* from 0xffffffff8010000c */
	assert_int_equal(gi.nseg, 2);
	assert_int_equal(gi.seg[0].gpa, 0x100000);
	assert_int_equal(gi.seg[0].file_offset, 0xb0);
	assert_int_equal(gi.seg[0].filesz, 0x14);
	assert_int_equal(gi.seg[0].memsz, 0x14);
	assert_int_equal(gi.seg[1].gpa, 0x101000);
	assert_int_equal(gi.seg[1].file_offset, 0xc4);
	assert_int_equal(gi.seg[1].filesz, 8);
	assert_int_equal(gi.seg[1].memsz, 0x2008);
	assert_int_equal(gi.lowest_gpa, 0x100000);
	assert_int_equal(gi.highest_gpa, 0x103008);
}

/* Parses im's first len bytes (exact-size copy); on success checks every invariant. */
static bool try_parse(const struct img *im, size_t len, uint64_t ram)
{
	struct guest_image gi;
	char err[256] = "";

	if (parse_len(im, len, ram, &gi, err, sizeof(err)) == 0) {
		check_invariants(im, len, ram, &gi);
		return true;
	}
	assert_true(err[0] != '\0');
	assert_null(strchr(err, '\n'));
	return false;
}

/* The standard and real images; min_ok is the shortest length that must still parse. */
struct sample {
	struct img im;
	size_t min_ok;
	size_t hot[2][2];		/* [start, end) of the header regions worth corrupting */
};

/* Fills the four samples: ELF32, ELF64, a.out kludge, and the two real kernels. */
static unsigned make_samples(struct sample *s)
{
	std_elf(&s[0].im, 32);
	s[0].min_ok = STD_ELF_LEN;
	s[0].hot[0][0] = 0;
	s[0].hot[0][1] = 52 + 3 * 32;
	s[0].hot[1][0] = STD_MB_OFF;
	s[0].hot[1][1] = STD_MB_OFF + 12;
	std_elf(&s[1].im, 64);
	s[1].min_ok = STD_ELF_LEN;
	s[1].hot[0][0] = 0;
	s[1].hot[0][1] = 64 + 3 * 56;
	s[1].hot[1][0] = STD_MB_OFF;
	s[1].hot[1][1] = STD_MB_OFF + 12;
	std_aout(&s[2].im);
	s[2].min_ok = 0x800;
	s[2].hot[0][0] = STD_AOUT_HDR;
	s[2].hot[0][1] = STD_AOUT_HDR + 32;
	s[2].hot[1][0] = s[2].hot[1][1] = 0;
	img_from(&s[3].im, kernel32, sizeof(kernel32));
	s[3].min_ok = 0x76;		/* the section headers after the text are not needed */
	s[3].hot[0][0] = 0;
	s[3].hot[0][1] = 0x60 + 12;
	s[3].hot[1][0] = s[3].hot[1][1] = 0;
	img_from(&s[4].im, kernel64, sizeof(kernel64));
	s[4].min_ok = 0xcc;		/* the section headers after the data are not needed */
	s[4].hot[0][0] = 0;
	s[4].hot[0][1] = 0xb0 + 12;
	s[4].hot[1][0] = s[4].hot[1][1] = 0;
	return 5;
}

/* Every truncation of each sample is handled: refused below the data it needs, else valid. */
static void test_truncations(void **state)
{
	struct sample *s = calloc(5, sizeof(*s));
	unsigned n, i;
	size_t len;

	(void)state;
	assert_non_null(s);
	n = make_samples(s);
	for (i = 0; i < n; i++)
		for (len = 0; len <= s[i].im.len; len++)
			assert_int_equal(try_parse(&s[i].im, len, RAM), len >= s[i].min_ok);
	free(s);
}

/* Every byte of the header regions set to a few values: never a crash, never a bad plan. */
static void test_fuzz_header_bytes(void **state)
{
	static const int vals[] = { 0x00, 0xff, 0x01, 0x80, 0x7f, 0x10, -1, -2, -3 };
	struct sample *s = calloc(5, sizeof(*s));
	unsigned n, i, r, v, accepted = 0, rejected = 0;
	struct img *m = malloc(sizeof(*m));
	size_t off;

	(void)state;
	assert_non_null(s);
	assert_non_null(m);
	n = make_samples(s);
	for (i = 0; i < n; i++)
		for (r = 0; r < 2; r++)
			for (off = s[i].hot[r][0]; off < s[i].hot[r][1]; off++)
				for (v = 0; v < ARRAY_SIZE(vals); v++) {
					uint8_t b = s[i].im.b[off];

					*m = s[i].im;
					m->b[off] = vals[v] == -1 ? b ^ 0x01 :
						    vals[v] == -2 ? b ^ 0x80 :
						    vals[v] == -3 ? (uint8_t)(b + 1) : (uint8_t)vals[v];
					if (try_parse(m, m->len, RAM))
						accepted++;
					else
						rejected++;
				}
	assert_true(accepted > 0);
	assert_true(rejected > 0);
	free(m);
	free(s);
}

/* Returns the next value of a fixed-seed generator (xorshift32). */
static uint32_t next_rand(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* Random corruptions of 1-4 bytes in the header regions, with random RAM sizes and lengths. */
static void test_fuzz_random(void **state)
{
	static const uint64_t rams[] = { 0, 0x100000, 0x101800, 4 * MiB, RAM, 4 * GiB, ~0ull };
	struct sample *s = calloc(5, sizeof(*s));
	struct img *m = malloc(sizeof(*m));
	uint32_t x = 0x2badb002;
	unsigned n, iter, k, accepted = 0;

	(void)state;
	assert_non_null(s);
	assert_non_null(m);
	n = make_samples(s);
	for (iter = 0; iter < 20000; iter++) {
		const struct sample *smp = &s[next_rand(&x) % n];
		unsigned nbytes = 1 + next_rand(&x) % 4;
		size_t len;

		*m = smp->im;
		for (k = 0; k < nbytes; k++) {
			unsigned r = next_rand(&x) % 2;
			size_t lo = smp->hot[r][0], hi = smp->hot[r][1];

			if (hi == lo) {
				lo = smp->hot[0][0];
				hi = smp->hot[0][1];
			}
			m->b[lo + next_rand(&x) % (hi - lo)] = (uint8_t)next_rand(&x);
		}
		len = next_rand(&x) % 8 ? m->len : next_rand(&x) % (m->len + 1);
		if (try_parse(m, len, rams[next_rand(&x) % ARRAY_SIZE(rams)]))
			accepted++;
	}
	assert_true(accepted > 0);
	free(m);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf32_valid),
		cmocka_unit_test(test_elf64_valid),
		cmocka_unit_test(test_aout_valid),
		cmocka_unit_test(test_aout_file_offset),
		cmocka_unit_test(test_aout_load_to_end),
		cmocka_unit_test(test_aout_overrides_elf),
		cmocka_unit_test(test_elf_virtual_entry),
		cmocka_unit_test(test_elf_entry_physical_first),
		cmocka_unit_test(test_elf_entry_rules),
		cmocka_unit_test(test_elf_ignored_headers),
		cmocka_unit_test(test_flags_accepted),
		cmocka_unit_test(test_flags_unknown_required),
		cmocka_unit_test(test_header_search),
		cmocka_unit_test(test_header_checksum),
		cmocka_unit_test(test_not_elf_no_kludge),
		cmocka_unit_test(test_aout_errors),
		cmocka_unit_test(test_aout_fields_cut),
		cmocka_unit_test(test_elf_ident_errors),
		cmocka_unit_test(test_elf_header_errors),
		cmocka_unit_test(test_elf_large_phentsize),
		cmocka_unit_test(test_segment_file_errors),
		cmocka_unit_test(test_segment_placement_errors),
		cmocka_unit_test(test_segment_overlap),
		cmocka_unit_test(test_segment_count),
		cmocka_unit_test(test_aout_placement),
		cmocka_unit_test(test_error_buffer),
		cmocka_unit_test(test_real_kernels),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_fuzz_header_bytes),
		cmocka_unit_test(test_fuzz_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
