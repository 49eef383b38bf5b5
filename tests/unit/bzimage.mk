UNIT_TESTS += bzimage
UNIT_SRCS_bzimage := guest/loader/bzimage.c lib/format.c
