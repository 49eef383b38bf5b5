UNIT_TESTS += uefi_cfg
UNIT_SRCS_uefi_cfg := boot/efi/uefi_cfg.c lib/format.c
