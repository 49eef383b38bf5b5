/* What the firmware knows of the platform: the ACPI RSDP and the GOP framebuffer. */
#include "boot/efi/uefi_loader.h"

/* UEFI 2.10 spec 4.6 (EFI_CONFIGURATION_TABLE): ACPI 2.0+ RSDP first, the 1.0 one otherwise. */
void efi_find_acpi(struct mb2b_input *in)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
	void *rsdp = NULL;

	in->rsdp = NULL;
	in->rsdp_v2 = false;
	if (!EFI_ERROR(LibGetSystemConfigurationTable(&acpi20, &rsdp)) && rsdp) {
		in->rsdp = rsdp;
		in->rsdp_v2 = true;
	} else if (!EFI_ERROR(LibGetSystemConfigurationTable(&acpi10, &rsdp)) && rsdp) {
		in->rsdp = rsdp;
	}
	if (in->rsdp)
		uefi_say("ACPI RSDP at %llx (%s table)\n", (unsigned long long)(UINTN)in->rsdp,
			 in->rsdp_v2 ? "ACPI 2.0" : "ACPI 1.0");
	else
		uefi_say("no ACPI RSDP in the configuration table\n");
}

/* The lowest set bit and the number of set bits of a channel mask (12.9.1, PixelBitMask). */
static void mask_field(UINT32 mask, uint8_t *pos, uint8_t *size)
{
	*pos = *size = 0;
	if (!mask)
		return;
	while (!(mask & 1)) {
		mask >>= 1;
		(*pos)++;
	}
	while (mask & 1) {
		mask >>= 1;
		(*size)++;
	}
}

/* UEFI 2.10 spec 12.9 (Graphics Output Protocol): the current mode's linear framebuffer. */
void efi_find_framebuffer(struct mb2b_input *in)
{
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = NULL;
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *mi;
	struct mb2b_framebuffer *fb = &in->fb;

	in->have_framebuffer = false;
	if (EFI_ERROR(LibLocateProtocol(&gEfiGraphicsOutputProtocolGuid, (void **)&gop)) || !gop ||
	    !gop->Mode || !gop->Mode->Info) {
		uefi_say("no GOP framebuffer\n");
		return;
	}
	mi = gop->Mode->Info;
	fb->addr = gop->Mode->FrameBufferBase;
	fb->width = mi->HorizontalResolution;
	fb->height = mi->VerticalResolution;
	fb->bpp = 32;
	fb->pitch = mi->PixelsPerScanLine * 4;
	switch (mi->PixelFormat) {
	case PixelRedGreenBlueReserved8BitPerColor:	/* byte 0 red, 1 green, 2 blue */
		mask_field(0x0000ff, &fb->red_pos, &fb->red_size);
		mask_field(0x00ff00, &fb->green_pos, &fb->green_size);
		mask_field(0xff0000, &fb->blue_pos, &fb->blue_size);
		break;
	case PixelBlueGreenRedReserved8BitPerColor:	/* byte 0 blue, 1 green, 2 red */
		mask_field(0xff0000, &fb->red_pos, &fb->red_size);
		mask_field(0x00ff00, &fb->green_pos, &fb->green_size);
		mask_field(0x0000ff, &fb->blue_pos, &fb->blue_size);
		break;
	case PixelBitMask:
		mask_field(mi->PixelInformation.RedMask, &fb->red_pos, &fb->red_size);
		mask_field(mi->PixelInformation.GreenMask, &fb->green_pos, &fb->green_size);
		mask_field(mi->PixelInformation.BlueMask, &fb->blue_pos, &fb->blue_size);
		break;
	default:
		uefi_say("GOP mode %u has no linear framebuffer (Blt only)\n", gop->Mode->Mode);
		return;
	}
	in->have_framebuffer = true;
	uefi_say("framebuffer %ux%u, %u bytes a line, at %llx (GOP mode %u)\n", fb->width,
		 fb->height, fb->pitch, (unsigned long long)fb->addr, gop->Mode->Mode);
}
