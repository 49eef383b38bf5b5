/* Reads the firmware's name and revisions from the EFI system table (UEFI 2.10 spec 4.3). */
#include "boot/efi_firmware.h"
#include "lib/format.h"
#include "lib/string.h"

int efi_firmware_read(const uint8_t *st, struct efi_firmware *out, char *why, size_t whylen)
{
	uint64_t sig, vendor;
	uint32_t hsize;
	unsigned n = 0;

	memcpy(&sig, st, 8);
	memcpy(&hsize, st + EFI_ST_HEADER_SIZE_OFF, 4);
	if (sig != EFI_SYSTEM_TABLE_SIGNATURE || hsize < EFI_ST_MIN_SIZE) {
		snprintk(why, whylen, "the EFI system table has a bad signature or size");
		return -1;
	}
	memcpy(&out->uefi_revision, st + EFI_ST_REVISION_OFF, 4);
	memcpy(&out->firmware_revision, st + EFI_ST_FW_REVISION_OFF, 4);
	memcpy(&vendor, st + EFI_ST_VENDOR_OFF, 8);
	for (const uint16_t *v = (const uint16_t *)(uintptr_t)vendor; v && v[n] && n < EFI_VENDOR_MAX; n++)
		out->vendor[n] = v[n] >= 0x20 && v[n] < 0x7f ? (char)v[n] : '?';
	out->vendor[n] = '\0';
	return 0;
}
