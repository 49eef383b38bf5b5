/*
 * The hand-off: the final memory map, the multiboot2 information, ExitBootServices() and the
 * jump into Umbra through the trampoline. Between GetMemoryMap() and ExitBootServices() nothing
 * may allocate or print (either can change the map and so its key): the buffers are made first.
 */
#include "boot/efi/trampoline.h"
#include "boot/efi/uefi_loader.h"

/* The buffers the hand-off needs, all allocated before the final map is taken. */
struct handoff {
	void *map;
	UINTN map_cap, desc_size;
	void *mbi;
	UINTN mbi_cap;
	void *tramp;
};

static size_t strings_size(const struct mb2b_input *in)
{
	size_t n = 0;
	const char *s;

	for (s = in->cmdline; *s; s++)
		n++;
	n += sizeof(UEFI_LOADER_NAME) + 1;
	for (unsigned i = 0; i < in->module_count; i++) {
		for (s = in->modules[i].string; *s; s++)
			n++;
		n++;
	}
	return n;
}

/* 7.2.3: a first call with no buffer says how big the map is, and the descriptor size. */
static EFI_STATUS handoff_alloc(struct handoff *h, const struct mb2b_input *in)
{
	EFI_PHYSICAL_ADDRESS addr;
	UINTN size = 0, key;
	UINT32 version;
	EFI_STATUS st;

	st = uefi_call_wrapper(BS->GetMemoryMap, 5, &size, NULL, &key, &h->desc_size, &version);
	if (st != EFI_BUFFER_TOO_SMALL || !h->desc_size)
		return uefi_fail(st == EFI_SUCCESS ? EFI_DEVICE_ERROR : st,
				 "GetMemoryMap() did not give the map's size (%s)\n",
				 uefi_status_name(st));
	h->map_cap = size + MMAP_SLACK_DESCS * h->desc_size;
	st = uefi_call_wrapper(BS->AllocatePool, 3, EfiLoaderData, h->map_cap, &h->map);
	if (EFI_ERROR(st))
		return uefi_fail(st, "no memory for the memory map (%s)\n", uefi_status_name(st));

	h->mbi_cap = mb2b_size_bound(h->map_cap / h->desc_size, h->desc_size, strings_size(in));
	addr = BELOW_4G;
	st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiLoaderData,
			       uefi_pages(h->mbi_cap), &addr);
	if (EFI_ERROR(st))
		return uefi_fail(st, "no memory below 4 GiB for the multiboot2 information (%s)\n",
				 uefi_status_name(st));
	h->mbi = (void *)(UINTN)addr;

	/* Code, not data: the firmware may map data pages non-executable. */
	addr = BELOW_4G;
	st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiLoaderCode, 1, &addr);
	if (EFI_ERROR(st))
		return uefi_fail(st, "no memory below 4 GiB for the trampoline (%s)\n",
				 uefi_status_name(st));
	h->tramp = (void *)(UINTN)addr;
	CopyMem(h->tramp, (void *)uefi_trampoline_start,
		(UINTN)(uefi_trampoline_end - uefi_trampoline_start));
	return EFI_SUCCESS;
}

EFI_STATUS efi_exit_and_enter(EFI_HANDLE image, struct mb2b_input *in, uint32_t entry)
{
	struct handoff h;
	char err[UCFG_ERR_MAX];
	EFI_STATUS st;

	st = handoff_alloc(&h, in);
	if (EFI_ERROR(st))
		return st;
	in->loader_name = UEFI_LOADER_NAME;
	in->efi_system_table = (uint64_t)(UINTN)ST;
	uefi_say("exiting boot services; entering Umbra at %x with the multiboot2 information "
		 "at %llx\n", entry, (unsigned long long)(UINTN)h.mbi);

	/*
	 * UEFI 2.10 spec 7.4.6: ExitBootServices() fails with EFI_INVALID_PARAMETER when the map
	 * changed since MapKey was read; the loader then calls GetMemoryMap() and tries again.
	 * After a failed call only GetMemoryMap() and ExitBootServices() may be used, so the
	 * loop neither allocates nor prints until it gives up.
	 */
	for (unsigned attempt = 0; attempt < EBS_TRIES; attempt++) {
		UINTN size = h.map_cap, key, desc_size;
		UINT32 version;

		st = uefi_call_wrapper(BS->GetMemoryMap, 5, &size, h.map, &key, &desc_size, &version);
		if (EFI_ERROR(st))
			return uefi_fail(st, "GetMemoryMap() failed (%s)\n", uefi_status_name(st));
		in->efi_map = h.map;
		in->efi_map_size = size;
		in->efi_desc_size = desc_size;
		in->efi_desc_version = version;
		if (!mb2b_build(h.mbi, h.mbi_cap, in, err, sizeof(err)))
			return uefi_fail(EFI_BUFFER_TOO_SMALL, "%s\n", err);
		st = uefi_call_wrapper(BS->ExitBootServices, 2, image, key);
		if (st == EFI_SUCCESS)
			((uefi_trampoline_fn)h.tramp)(entry, (uint32_t)(UINTN)h.mbi);
		if (st != EFI_INVALID_PARAMETER)
			break;
	}
	return uefi_fail(st, "ExitBootServices() failed %u times (%s)\n", EBS_TRIES,
			 uefi_status_name(st));
}
