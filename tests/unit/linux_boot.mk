UNIT_TESTS += linux_boot
UNIT_SRCS_linux_boot := guest/loader/linux.c guest/loader/bzimage.c lib/format.c
