FUZZ_TARGETS += bzimage
FUZZ_SRCS_bzimage := guest/loader/bzimage.c guest/loader/linux.c lib/format.c
