UNIT_TESTS += guest_image
UNIT_SRCS_guest_image := guest/loader/guest_image.c lib/format.c
