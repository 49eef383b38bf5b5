/* Umbra's image at its fixed physical address, and the modules anywhere below 4 GiB. */
#include "boot/efi/elf64_image.h"
#include "boot/efi/uefi_loader.h"

/* Copies each segment to its physical address and zeroes its tail (ELF-64, PT_LOAD). */
static void place_segments(const struct elfi_image *img, const UINT8 *file)
{
	for (unsigned i = 0; i < img->count; i++) {
		const struct elfi_segment *s = &img->seg[i];
		UINT8 *dst = (UINT8 *)(UINTN)s->paddr;

		CopyMem(dst, (void *)(file + s->offset), (UINTN)s->filesz);
		SetMem(dst + s->filesz, (UINTN)(s->memsz - s->filesz), 0);
	}
}

EFI_STATUS efi_load_kernel(EFI_FILE_HANDLE root, const char *path, uint32_t *entry)
{
	char err[UCFG_ERR_MAX];
	struct elfi_image img;
	EFI_PHYSICAL_ADDRESS at;
	EFI_STATUS st;
	void *file;
	UINT64 size;

	st = efi_file_read(root, path, false, &file, &size);
	if (EFI_ERROR(st))
		return st;
	if (elfi_parse(file, (size_t)size, &img, err, sizeof(err))) {
		FreePool(file);
		return uefi_fail(EFI_LOAD_ERROR, "%s: %s\n", path, err);
	}
	/* UEFI 2.10 spec 7.2.1: AllocateAddress gets exactly these pages or fails. */
	at = img.lo;
	st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAddress, EfiLoaderData,
			       uefi_pages(img.hi - img.lo), &at);
	if (EFI_ERROR(st)) {
		FreePool(file);
		return uefi_fail(st, "%s: Umbra must be loaded at %llx-%llx, which the firmware "
				 "has in use (AllocatePages: %s)\n", path,
				 (unsigned long long)img.lo, (unsigned long long)img.hi - 1,
				 uefi_status_name(st));
	}
	place_segments(&img, file);
	FreePool(file);
	*entry = (uint32_t)img.entry;
	uefi_say("kernel %s: %llu bytes, loaded at %llx-%llx, entry %llx\n", path,
		 (unsigned long long)size, (unsigned long long)img.lo,
		 (unsigned long long)img.hi - 1, (unsigned long long)img.entry);
	return EFI_SUCCESS;
}

EFI_STATUS efi_load_modules(EFI_FILE_HANDLE root, const struct umbra_cfg *cfg,
			    struct mb2b_input *in)
{
	in->module_count = 0;
	for (unsigned i = 0; i < cfg->module_count; i++) {
		const struct ucfg_module *m = &cfg->modules[i];
		struct mb2b_module *mm = &in->modules[i];
		EFI_STATUS st;
		void *data;
		UINT64 size;

		st = efi_file_read(root, m->path, true, &data, &size);
		if (EFI_ERROR(st))
			return st;
		mm->start = (uint32_t)(UINTN)data;
		mm->end = (uint32_t)((UINTN)data + size);
		mm->string = m->string;
		in->module_count++;
		uefi_say("module %u: %s: %llu bytes at %x-%x \"%s\"\n", i, m->path,
			 (unsigned long long)size, mm->start, mm->end, m->string);
	}
	return EFI_SUCCESS;
}
