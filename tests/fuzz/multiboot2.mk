FUZZ_TARGETS += multiboot2
FUZZ_SRCS_multiboot2 := boot/multiboot2.c lib/format.c
