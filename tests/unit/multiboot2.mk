UNIT_TESTS += multiboot2
UNIT_SRCS_multiboot2 := boot/multiboot2.c lib/format.c
