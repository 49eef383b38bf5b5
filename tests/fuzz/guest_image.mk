FUZZ_TARGETS += guest_image
FUZZ_SRCS_guest_image := guest/loader/guest_image.c lib/format.c
