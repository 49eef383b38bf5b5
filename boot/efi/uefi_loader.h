/* umbra.efi's own constants and the pieces its files share (UEFI side only, not host-tested). */
#ifndef UMBRA_BOOT_EFI_UEFI_LOADER_H
#define UMBRA_BOOT_EFI_UEFI_LOADER_H

#include <efi.h>
#include <efilib.h>
#include <stdbool.h>
#include <stdint.h>

#include "boot/efi/mb2_build.h"
#include "boot/efi/uefi_cfg.h"

/* The boot loader name tag (Multiboot2 spec 3.6.9): Umbra's boot report prints it. */
#define UEFI_LOADER_NAME	"umbra.efi"

/* Everything Umbra is handed lies below 4 GiB: its entry runs in 32-bit mode without paging. */
#define BELOW_4G		0xffffffffull

/* ExitBootServices() attempts before giving up (UEFI 2.10 spec 7.4.6: retry on a stale key). */
#define EBS_TRIES		8

/*
 * Room added to the memory map buffer: the allocations made after sizing it (the buffer
 * itself, the information block) may each split a descriptor (UEFI 2.10 spec 7.2.3 suggests
 * "a little larger" than the size returned; we take a generous margin).
 */
#define MMAP_SLACK_DESCS	32u

/* The entry gnu-efi's crt0 calls once it has relocated the image (System V ABI). */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab);

/* Prints "umbra.efi: ..." on the UEFI console (ConOut): printf format, LF becomes CR LF. */
void uefi_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "umbra.efi: error: ..." and returns status, for `return uefi_fail(...)`. */
EFI_STATUS uefi_fail(EFI_STATUS status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A short name for an EFI status ("EFI_NOT_FOUND"), or "status 0x..." for the others. */
const char *uefi_status_name(EFI_STATUS status);

/* Pages (4 KiB, UEFI 2.10 spec 7.2.1) that hold n bytes. */
static inline UINTN uefi_pages(UINT64 n)
{
	return (UINTN)((n + 4095) / 4096);
}

/* boot/efi/efi_file.c: reads a whole file of the boot volume (path in ASCII, '\' separated). */
EFI_STATUS efi_file_read(EFI_FILE_HANDLE root, const char *path, bool below_4g, void **data,
			 UINT64 *size);

/* boot/efi/efi_load.c: Umbra's image at its fixed physical address; returns its entry. */
EFI_STATUS efi_load_kernel(EFI_FILE_HANDLE root, const char *path, uint32_t *entry);
/* Each module of cfg into pages below 4 GiB, described in in->modules. */
EFI_STATUS efi_load_modules(EFI_FILE_HANDLE root, const struct umbra_cfg *cfg,
			    struct mb2b_input *in);

/* boot/efi/efi_platform.c: the ACPI RSDP and the GOP framebuffer, into in. */
void efi_find_acpi(struct mb2b_input *in);
void efi_find_framebuffer(struct mb2b_input *in);

/*
 * boot/efi/efi_exit.c: gets the final memory map, builds the multiboot2 information from in,
 * exits boot services and enters Umbra at entry. Returns only on failure, with boot services
 * still running.
 */
EFI_STATUS efi_exit_and_enter(EFI_HANDLE image, struct mb2b_input *in, uint32_t entry);

#endif
