/*
 * Booting Linux: where a bzImage, its command line and initramfs go in guest RAM, and the
 * boot_params ("zero page") and GDT the 32-bit boot protocol hands the kernel.
 *
 * References: the kernel's Documentation/arch/x86/boot.rst ("Details of Header Fields",
 * "The Kernel Command Line", "Loading The Rest of The Kernel", "32-bit Boot Protocol") and
 * Documentation/arch/x86/zero-page.rst (the boot_params offsets). Everything here is pure:
 * guest/loader/loader.c copies the results into guest RAM and sets the vCPU.
 *
 * Guest-physical layout (all below 640 KiB except the kernel and the initramfs):
 *
 *   0x00000-0x00fff  page 0, left zero: no BIOS data area (with no EBDA pointer there, Linux
 *                    reserves 0x9f000-1 MiB by itself)
 *   0x0f000          the GDT: __BOOT_CS (0x10) and __BOOT_DS (0x18), flat 4 GiB
 *   0x10000          boot_params (4 KiB); the setup heap it describes ends at 0x1e000
 *   0x20000          the command line, NUL-terminated
 *   pref_address     the protected-mode code (16 MiB for Debian's kernels), then init_size
 *                    bytes the kernel owns until it has read the e820 map
 *   top of RAM       the initramfs, as high as initrd_addr_max and guest RAM allow
 */
#ifndef UMBRA_GUEST_LINUX_H
#define UMBRA_GUEST_LINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/loader/bzimage.h"

#define LINUX_GDT_GPA		0xf000ull
#define LINUX_ZERO_PAGE_GPA	0x10000ull
#define LINUX_CMDLINE_GPA	0x20000ull
#define LINUX_ZERO_PAGE_SIZE	4096u
#define LINUX_GDT_ENTRIES	4u

/* boot.rst "32-bit Boot Protocol": the segments the kernel expects at its 32-bit entry. */
#define LINUX_BOOT_CS		0x10
#define LINUX_BOOT_DS		0x18

/*
 * type_of_loader: 0xFF is boot.rst's "undefined" boot loader ID ("Details of Header Fields",
 * type_of_loader). Umbra has no assigned ID, and claiming another loader's would be wrong.
 */
#define LINUX_TYPE_OF_LOADER	0xff

/*
 * heap_end_ptr: the setup heap/stack ends 0xe000 bytes after the start of the real-mode code,
 * minus 0x200 as "Details of Header Fields" says to write it. Umbra never runs the real-mode
 * setup code (it enters at the 32-bit entry), but keeps [0x10000, 0x1e000) free for it and puts
 * the command line above, where "The Kernel Command Line" wants it (past the heap).
 */
#define LINUX_HEAP_END_PTR	(0xe000u - 0x200u)

/* boot_params offsets (zero-page.rst). */
#define ZP_EXT_RAMDISK_IMAGE	0x0c0
#define ZP_EXT_RAMDISK_SIZE	0x0c4
#define ZP_EXT_CMD_LINE_PTR	0x0c8
#define ZP_ALT_MEM_K		0x1e0
#define ZP_E820_ENTRIES		0x1e8
#define ZP_SENTINEL		0x1ef
#define ZP_E820_TABLE		0x2d0
#define ZP_E820_MAX		128u

/* An e820 entry as boot_params holds it: 20 packed bytes. */
struct linux_e820 {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));
_Static_assert(sizeof(struct linux_e820) == 20, "e820 entry size");

#define E820_RAM		1
#define E820_RESERVED		2

/* Where things go: the result of linux_plan(). */
struct linux_layout {
	uint64_t kernel_gpa;	/* the protected-mode code's load address, also the entry point */
	uint64_t kernel_end;	/* kernel_gpa + max(code size, init_size) */
	uint64_t initrd_gpa;	/* 0 when there is no initramfs */
	uint64_t initrd_size;
	size_t cmdline_len;	/* without the NUL */
};

/* True when Linux cannot start without an initramfs for this command line: it names an init in
 * the initramfs (rdinit=) or no root file system (no root=). */
bool linux_cmdline_needs_initrd(const char *cmdline);

/* Room for the command line Umbra hands Linux (Debian's kernels take at most 2047 bytes,
 * their cmdline_size; linux_plan checks the kernel's own limit). */
#define LINUX_CMDLINE_MAX	4096

/*
 * The command line Linux gets: cmdline, then " tsc_early_khz=N" with the TSC rate tsc_hz in
 * kHz, unless cmdline already has a tsc_early_khz= (tsc_early_khz=0 asks Linux to calibrate
 * by itself), tsc_hz is 0, or the result would not fit in outlen. Writes the NUL-terminated
 * line to out; returns true when the word was added.
 *
 * Why: Linux measures the TSC against the PIT (channel 2, gated by port 0x61), and refuses
 * the result unless it polled port 0x61 at least a thousand times in 10 ms with even gaps
 * between polls. Each poll is an I/O exit under Umbra: in an emulator (and on a loaded host)
 * the calibration fails, Linux marks the TSC unstable and keeps time by counting timer
 * ticks, which slow exits lose. The vCPU's TSC runs at the host's rate (an offset only, no
 * scaling: SDM Vol. 3C 26.6.5 for VMX, the VMCB's TSC_OFFSET for SVM), and Umbra measured
 * that rate at boot (arch/tsc.h).
 */
bool linux_cmdline_compose(char *out, size_t outlen, const char *cmdline, uint64_t tsc_hz);

/*
 * Places the kernel, the command line and an initramfs of initrd_size bytes (0: none) for a
 * guest with RAM below ram_size (guest/loader/guest_bootinfo.h's map). Returns 0 with *out
 * filled, or -1 with a one-line reason in err.
 *
 * The kernel goes to pref_address ("Details of Header Fields", pref_address), rounded up to
 * kernel_alignment when it is relocatable; a non-relocatable kernel must run at pref_address
 * exactly. Loading a relocatable kernel lower would save nothing: its decompressor never runs
 * below pref_address (its link-time address), so RAM must reach pref_address + init_size
 * anyway. [kernel_gpa, kernel_end) must lie in [1 MiB, ram_size) and below 4 GiB. The
 * command line must be at most cmdline_size bytes ("The Kernel Command Line"). The initramfs
 * goes as high as possible, page aligned, ending below initrd_addr_max + 1, ram_size and
 * 4 GiB, and above kernel_end ("Loading The Rest of The Kernel" asks for high placement).
 */
int linux_plan(const struct bzimage *bz, uint64_t ram_size, const char *cmdline,
	       uint64_t initrd_size, struct linux_layout *out, char *err, size_t errlen);

/* Writes the guest's e820 map for RAM below ram_size (at least 1 MiB: guest_mem= is at least
 * 4M): RAM [0, 640 KiB), reserved [640 KiB, 1 MiB), RAM [1 MiB, ram_size), exactly Umbra's
 * guest RAM (mm/guest_mem.h). Returns the number of entries written (at most max and 3). */
unsigned linux_e820_map(struct linux_e820 *map, unsigned max, uint64_t ram_size);

/*
 * Fills boot_params as "32-bit Boot Protocol" says: zeroed, then the image's setup header
 * [0x1f1, header_end) copied, then the loader's fields: type_of_loader, loadflags (the
 * image's, with CAN_USE_HEAP; KEEP_SEGMENTS and QUIET cleared), heap_end_ptr, vid_mode
 * (0xffff, "normal"), code32_start (the load address), cmd_line_ptr/ext_cmd_line_ptr,
 * ramdisk_image/size (and their ext_ halves), alt_mem_k, and the e820 map.
 */
void linux_build_zero_page(uint8_t zp[LINUX_ZERO_PAGE_SIZE], const uint8_t *image,
			   const struct bzimage *bz, const struct linux_layout *l, uint64_t ram_size);

/* The boot GDT: null, null, __BOOT_CS (execute/read), __BOOT_DS (read/write), all flat. */
void linux_build_gdt(uint64_t gdt[LINUX_GDT_ENTRIES]);

#endif
