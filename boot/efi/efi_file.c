/* Reads whole files from the boot volume (UEFI 2.10 spec 13.5, EFI_FILE_PROTOCOL). */
#include "boot/efi/uefi_loader.h"

/* The path in UCS-2 for Open() (13.5.2); paths come from umbra.cfg, at most UCFG_PATH_MAX. */
static void path_to_wide(const char *path, CHAR16 *wide, unsigned cap)
{
	unsigned i;

	for (i = 0; path[i] && i < cap - 1; i++)
		wide[i] = (CHAR16)(unsigned char)path[i];
	wide[i] = 0;
}

/* Allocates size bytes (at least a page): pool memory, or pages below 4 GiB, page aligned. */
static EFI_STATUS file_buffer(UINT64 size, bool below_4g, void **data)
{
	EFI_PHYSICAL_ADDRESS addr = BELOW_4G;
	EFI_STATUS st;

	if (!below_4g)
		return uefi_call_wrapper(BS->AllocatePool, 3, EfiLoaderData, (UINTN)(size ? size : 1),
					 data);
	/* 7.2.1: AllocateMaxAddress returns pages that end at or below *Memory. */
	st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiLoaderData,
			       uefi_pages(size ? size : 1), &addr);
	*data = (void *)(UINTN)addr;
	return st;
}

static EFI_STATUS read_all(EFI_FILE_HANDLE fh, void *data, UINT64 size)
{
	UINT64 done = 0;

	while (done < size) {
		UINTN n = (UINTN)(size - done);
		EFI_STATUS st = uefi_call_wrapper(fh->Read, 3, fh, &n, (UINT8 *)data + done);

		if (EFI_ERROR(st))
			return st;
		if (n == 0)
			return EFI_END_OF_FILE;	/* shorter than its EFI_FILE_INFO said */
		done += n;
	}
	return EFI_SUCCESS;
}

EFI_STATUS efi_file_read(EFI_FILE_HANDLE root, const char *path, bool below_4g, void **data,
			 UINT64 *size)
{
	CHAR16 wide[UCFG_PATH_MAX];
	EFI_FILE_HANDLE fh;
	EFI_FILE_INFO *info;
	EFI_STATUS st;

	path_to_wide(path, wide, UCFG_PATH_MAX);
	st = uefi_call_wrapper(root->Open, 5, root, &fh, wide, EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(st))
		return uefi_fail(st, "%s: cannot open (%s)\n", path, uefi_status_name(st));
	/* 13.5.13 GetInfo() with EFI_FILE_INFO_ID: the size, and whether it is a directory. */
	info = LibFileInfo(fh);
	if (!info) {
		uefi_call_wrapper(fh->Close, 1, fh);
		return uefi_fail(EFI_DEVICE_ERROR, "%s: cannot read its file information\n", path);
	}
	*size = info->FileSize;
	st = (info->Attribute & EFI_FILE_DIRECTORY) ? EFI_INVALID_PARAMETER : EFI_SUCCESS;
	FreePool(info);
	if (EFI_ERROR(st)) {
		uefi_call_wrapper(fh->Close, 1, fh);
		return uefi_fail(st, "%s: is a directory, not a file\n", path);
	}
	st = file_buffer(*size, below_4g, data);
	if (EFI_ERROR(st)) {
		uefi_call_wrapper(fh->Close, 1, fh);
		return uefi_fail(st, "%s: no memory%s for its %llu bytes (%s)\n", path,
				 below_4g ? " below 4 GiB" : "", (unsigned long long)*size,
				 uefi_status_name(st));
	}
	st = read_all(fh, *data, *size);
	uefi_call_wrapper(fh->Close, 1, fh);
	if (EFI_ERROR(st))
		return uefi_fail(st, "%s: read failed (%s)\n", path, uefi_status_name(st));
	return EFI_SUCCESS;
}
