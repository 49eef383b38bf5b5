/*
 * umbra.efi: Umbra's UEFI loader. Reads \EFI\umbra\umbra.cfg from its own volume, loads Umbra
 * and its modules, and enters Umbra through its multiboot2 entry with the same information a
 * multiboot2 loader gives, so that everything after boot/ is shared with the GRUB path.
 * Any failure before ExitBootServices() is printed and returned to the firmware.
 */
#include "boot/efi/uefi_loader.h"

static struct umbra_cfg cfg;
static struct mb2b_input handoff;

/* UEFI 2.10 spec 9.1 (Loaded Image) and 13.4 (Simple File System): the volume we came from. */
static EFI_STATUS open_boot_volume(EFI_HANDLE image, EFI_FILE_HANDLE *root)
{
	EFI_LOADED_IMAGE *li;
	EFI_STATUS st;

	st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &gEfiLoadedImageProtocolGuid,
			       (void **)&li);
	if (EFI_ERROR(st))
		return uefi_fail(st, "no Loaded Image protocol on our own handle (%s)\n",
				 uefi_status_name(st));
	*root = LibOpenRoot(li->DeviceHandle);
	if (!*root)
		return uefi_fail(EFI_UNSUPPORTED, "cannot open the volume umbra.efi was started "
				 "from (no Simple File System on its device)\n");
	return EFI_SUCCESS;
}

static EFI_STATUS read_config(EFI_FILE_HANDLE root)
{
	char err[UCFG_ERR_MAX];
	EFI_STATUS st;
	void *text;
	UINT64 size;

	st = efi_file_read(root, UCFG_FILE_PATH, false, &text, &size);
	if (EFI_ERROR(st))
		return st;
	if (ucfg_parse(text, (size_t)size, &cfg, err, sizeof(err))) {
		FreePool(text);
		return uefi_fail(EFI_INVALID_PARAMETER, "%s\n", err);
	}
	FreePool(text);
	uefi_say("config %s: kernel %s, %u module%s, cmdline \"%s\"\n", UCFG_FILE_PATH, cfg.kernel,
		 cfg.module_count, cfg.module_count == 1 ? "" : "s", cfg.cmdline);
	if (!cfg.have_guest)
		uefi_say("warning: umbra.cfg names no guest line: Umbra will have nothing to run\n");
	return EFI_SUCCESS;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	EFI_FILE_HANDLE root;
	EFI_STATUS st;
	uint32_t entry;

	InitializeLib(image, systab);
	uefi_say("Umbra's UEFI loader on UEFI %u.%u firmware\n", ST->Hdr.Revision >> 16,
		 (ST->Hdr.Revision & 0xffff) / 10);
	st = open_boot_volume(image, &root);
	if (EFI_ERROR(st))
		return st;
	st = read_config(root);
	if (EFI_ERROR(st))
		return st;
	st = efi_load_kernel(root, cfg.kernel, &entry);
	if (EFI_ERROR(st))
		return st;
	st = efi_load_modules(root, &cfg, &handoff);
	if (EFI_ERROR(st))
		return st;
	handoff.cmdline = cfg.cmdline;
	efi_find_acpi(&handoff);
	efi_find_framebuffer(&handoff);
	return efi_exit_and_enter(image, &handoff, entry);
}
