UNIT_TESTS += efi_firmware
UNIT_SRCS_efi_firmware := boot/efi_firmware.c lib/format.c
