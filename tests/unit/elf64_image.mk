UNIT_TESTS += elf64_image
UNIT_SRCS_elf64_image := boot/efi/elf64_image.c lib/format.c
