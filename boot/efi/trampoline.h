/* The way from umbra.efi's long mode into Umbra's 32-bit multiboot2 entry (trampoline.S). */
#ifndef UMBRA_BOOT_EFI_TRAMPOLINE_H
#define UMBRA_BOOT_EFI_TRAMPOLINE_H

/* Selectors of the trampoline's own GDT: 32-bit flat code and data (SDM Vol. 3A 3.4.5). */
#define TRAMP_SEL_CODE32	0x08
#define TRAMP_SEL_DATA32	0x10

#ifndef __ASSEMBLY__
#include <stdint.h>

/* The trampoline's code, position independent: copied to a page below 4 GiB and run there. */
extern const uint8_t uefi_trampoline_start[], uefi_trampoline_end[];

/* The copy's signature: (Umbra's 32-bit entry, the information block), both below 4 GiB. */
typedef void (*uefi_trampoline_fn)(uint32_t entry, uint32_t mbi) __attribute__((noreturn, sysv_abi));
#endif

#endif
