UNIT_TESTS += uefi_mmap
UNIT_SRCS_uefi_mmap := boot/efi/uefi_mmap.c boot/efi/mb2_build.c boot/multiboot2.c lib/format.c
