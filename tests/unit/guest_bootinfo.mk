UNIT_TESTS += guest_bootinfo
UNIT_SRCS_guest_bootinfo := guest/loader/guest_bootinfo.c
