/*
 * Linux bzImage parser: the setup header of the x86 boot protocol, validated against the image.
 *
 * References are to the kernel's Documentation/arch/x86/boot.rst, sections "The Real-Mode
 * Kernel Header" (the field table) and "Details of Header Fields" (what each field means).
 * The parser is pure: it reads the image bytes only, and never decides where the kernel goes
 * (guest/loader/linux.h does).
 */
#ifndef UMBRA_GUEST_BZIMAGE_H
#define UMBRA_GUEST_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Offsets in the image (and, from BZ_HDR_START on, in boot_params: the header is copied). */
#define BZ_SETUP_SECTS		0x1f1	/* u8: setup size in 512-byte sectors, 0 means 4 */
#define BZ_SYSSIZE		0x1f4	/* u32: protected-mode code size in 16-byte paragraphs */
#define BZ_VID_MODE		0x1fa	/* u16: video mode control */
#define BZ_BOOT_FLAG		0x1fe	/* u16: 0xAA55 */
#define BZ_JUMP			0x200	/* u8 0xEB, then u8: the header ends at 0x202 + this */
#define BZ_HEADER		0x202	/* u32: "HdrS" */
#define BZ_VERSION		0x206	/* u16: protocol version, major << 8 | minor */
#define BZ_TYPE_OF_LOADER	0x210	/* u8 */
#define BZ_LOADFLAGS		0x211	/* u8 */
#define BZ_CODE32_START		0x214	/* u32: the 32-bit entry point */
#define BZ_RAMDISK_IMAGE	0x218	/* u32 */
#define BZ_RAMDISK_SIZE		0x21c	/* u32 */
#define BZ_HEAP_END_PTR		0x224	/* u16 */
#define BZ_EXT_LOADER_VER	0x226	/* u8 */
#define BZ_EXT_LOADER_TYPE	0x227	/* u8 */
#define BZ_CMD_LINE_PTR		0x228	/* u32 */
#define BZ_INITRD_ADDR_MAX	0x22c	/* u32: highest address the initrd may occupy (2.03+) */
#define BZ_KERNEL_ALIGNMENT	0x230	/* u32 (2.05+) */
#define BZ_RELOCATABLE		0x234	/* u8 (2.05+) */
#define BZ_MIN_ALIGNMENT	0x235	/* u8: log2 (2.10+) */
#define BZ_XLOADFLAGS		0x236	/* u16 (2.12+) */
#define BZ_CMDLINE_SIZE		0x238	/* u32: longest command line, without its NUL (2.06+) */
#define BZ_HARDWARE_SUBARCH	0x23c	/* u32 (2.07+) */
#define BZ_PAYLOAD_OFFSET	0x248	/* u32: from the start of the protected-mode code (2.08+) */
#define BZ_PAYLOAD_LENGTH	0x24c	/* u32 (2.08+) */
#define BZ_SETUP_DATA		0x250	/* u64 (2.09+) */
#define BZ_PREF_ADDRESS		0x258	/* u64 (2.10+) */
#define BZ_INIT_SIZE		0x260	/* u32 (2.10+) */

#define BZ_HDR_START		BZ_SETUP_SECTS
/* boot_params holds the setup header in [0x1f1, 0x290) (zero-page.rst): no longer header fits. */
#define BZ_HDR_MAX_END		0x290

#define BZ_BOOT_FLAG_MAGIC	0xaa55
#define BZ_JUMP_OPCODE		0xeb	/* a short JMP over the header */
#define BZ_HEADER_MAGIC		0x53726448u	/* "HdrS" read as a little-endian u32 */
#define BZ_SECTOR		512u
#define BZ_DEFAULT_SETUP_SECTS	4u	/* "Details of Header Fields", setup_sects */
#define BZ_MIN_VERSION		0x0206	/* cmdline_size exists from 2.06 */
#define BZ_LOW_LOAD_ADDR	0x100000u	/* a bzImage's load address before pref_address */

/* loadflags bits ("Details of Header Fields", loadflags). */
#define BZ_LOADED_HIGH		0x01	/* the protected-mode code is loaded at 0x100000 */
#define BZ_KASLR_FLAG		0x02	/* set by the kernel itself */
#define BZ_QUIET_FLAG		0x20
#define BZ_KEEP_SEGMENTS	0x40	/* obsolete */
#define BZ_CAN_USE_HEAP		0x80	/* heap_end_ptr is valid */

/* xloadflags bits ("Details of Header Fields", xloadflags). */
#define BZ_XLF_KERNEL_64		0x0001	/* a 64-bit entry point at load address + 0x200 */
#define BZ_XLF_CAN_BE_LOADED_ABOVE_4G	0x0002
#define BZ_XLF_EFI_HANDOVER_32		0x0004
#define BZ_XLF_EFI_HANDOVER_64		0x0008
#define BZ_XLF_EFI_KEXEC		0x0010

/* The payload's compression, from its first bytes (for the report only). */
enum bz_compression { BZ_COMP_UNKNOWN, BZ_COMP_GZIP, BZ_COMP_BZIP2, BZ_COMP_LZMA, BZ_COMP_XZ,
		      BZ_COMP_LZO, BZ_COMP_LZ4, BZ_COMP_ZSTD };

/* What bzimage_parse() found: every field checked, sizes in bytes. */
struct bzimage {
	uint16_t version;		/* >= BZ_MIN_VERSION */
	unsigned setup_sects;		/* as used: 0 in the header becomes 4 */
	uint64_t kernel_offset;		/* file offset of the protected-mode code: (setup_sects + 1) * 512 */
	uint64_t kernel_size;		/* syssize * 16 bytes, all inside the file */
	unsigned header_end;		/* boot_params copies [BZ_HDR_START, header_end) */
	uint8_t loadflags;		/* has BZ_LOADED_HIGH */
	uint32_t code32_start;
	uint32_t initrd_addr_max;
	uint32_t kernel_alignment;	/* a power of two when relocatable */
	bool relocatable;
	unsigned min_alignment;		/* log2; 0 before 2.10 */
	uint16_t xloadflags;		/* 0 before 2.12 */
	uint32_t cmdline_size;
	uint64_t pref_address;		/* BZ_LOW_LOAD_ADDR before 2.10 */
	uint64_t init_size;		/* >= kernel_size; kernel_size before 2.10 */
	uint32_t payload_offset, payload_length;	/* inside the protected-mode code */
	enum bz_compression compression;
};

/* True when the image carries the "HdrS" signature at 0x202: it claims to be a bzImage (and is
 * then parsed as one, never as a multiboot image). */
bool bzimage_detect(const void *image, size_t size);

/*
 * Parses the setup header of a bzImage of size bytes. Returns 0 with *out filled, or -1 with
 * *out zeroed and a one-line reason in err (err may be NULL when errlen is 0).
 *
 * Checked: the image holds the header; boot_flag 0xAA55, the JMP and "HdrS"; protocol 2.06 or
 * later; the setup code (setup_sects, 0 meaning 4) and the protected-mode code (syssize
 * paragraphs) both lie inside the file (the file may be longer: signed images carry a
 * signature after the code); the header (0x202 + the jump's offset byte) holds every field
 * of its protocol version (cmdline_size for 2.06, payload_* for 2.08, init_size for 2.10)
 * and ends at or below BZ_HDR_MAX_END;
 * LOADED_HIGH is set (a zImage loaded at 0x10000 is not supported); a relocatable kernel's
 * kernel_alignment is a power of two no smaller than 1 << min_alignment, min_alignment is
 * below 32; cmdline_size is non-zero; for 2.08+, payload_offset/length lie inside the
 * protected-mode code; for 2.10+, pref_address is below 4 GiB and init_size is at least the
 * protected-mode code's size.
 */
int bzimage_parse(const void *image, size_t size, struct bzimage *out, char *err, size_t errlen);

/* "gzip", "xz", ... for reports. */
const char *bzimage_compression_name(enum bz_compression c);

#endif
