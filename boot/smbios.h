/* The machine's name from SMBIOS (DMTF DSP0134), for the boot report and bug reports. */
#ifndef UMBRA_BOOT_SMBIOS_H
#define UMBRA_BOOT_SMBIOS_H

#include <stddef.h>
#include <stdint.h>

#define SMBIOS_STR_MAX		48

struct smbios_info {
	char bios_vendor[SMBIOS_STR_MAX], bios_version[SMBIOS_STR_MAX], bios_date[SMBIOS_STR_MAX];
	char maker[SMBIOS_STR_MAX], product[SMBIOS_STR_MAX];
};

/* Reads the structure table (len bytes): type 0 (BIOS) and type 1 (system) strings; absent
 * ones stay "". Never reads past len. */
void smbios_describe(const uint8_t *table, size_t len, struct smbios_info *out);

/*
 * Finds the structure table from an entry point: "_SM3_" (3.x, 64-bit address) or "_SM_"
 * (2.x, 32-bit address) (DSP0134 5.2). Returns 0 with *table and *len, or -1.
 */
int smbios_entry_table(const uint8_t *entry, uint64_t *table, size_t *len);

/* The entry point: from the EFI system table's configuration table (SMBIOS3 GUID first,
 * UEFI 2.10 spec 4.6), or on a BIOS in the F segment 0xF0000-0xFFFFF (DSP0134 5.2.1). */
const uint8_t *smbios_find_entry_efi(const uint8_t *efi_system_table);
const uint8_t *smbios_find_entry_bios(const uint8_t *f_segment, size_t len);

#endif
