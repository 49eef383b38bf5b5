/* What the EFI system table says of the firmware, read by Umbra after ExitBootServices(). */
#ifndef UMBRA_BOOT_EFI_FIRMWARE_H
#define UMBRA_BOOT_EFI_FIRMWARE_H

#include <stddef.h>
#include <stdint.h>

/* EFI_SYSTEM_TABLE (UEFI 2.10 spec 4.3.1) after its EFI_TABLE_HEADER (4.2.1). */
#define EFI_SYSTEM_TABLE_SIGNATURE	0x5453595320494249ull	/* "IBI SYST" */
#define EFI_ST_REVISION_OFF		8
#define EFI_ST_HEADER_SIZE_OFF		12
#define EFI_ST_VENDOR_OFF		24	/* CHAR16 *FirmwareVendor */
#define EFI_ST_FW_REVISION_OFF		32	/* UINT32 FirmwareRevision */
#define EFI_ST_MIN_SIZE			120	/* up to and with ConfigurationTable */
#define EFI_VENDOR_MAX			48	/* characters of the vendor string kept */

struct efi_firmware {
	uint32_t uefi_revision;			/* major << 16 | minor, e.g. 0x00020046 = 2.70 */
	uint32_t firmware_revision;
	char vendor[EFI_VENDOR_MAX + 1];	/* ASCII; other characters become '?' */
};

/*
 * Reads the 64-bit system table at st (identity mapped). Returns 0, or -1 with why when its
 * signature or header size is wrong. A vendor pointer of 0 gives "".
 */
int efi_firmware_read(const uint8_t *st, struct efi_firmware *out, char *why, size_t whylen);

#endif
