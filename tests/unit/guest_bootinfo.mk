UNIT_TESTS += guest_bootinfo
UNIT_SRCS_guest_bootinfo := guest/guest_bootinfo.c
