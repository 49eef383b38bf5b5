UNIT_TESTS += vpic
UNIT_SRCS_vpic := guest/devices/vpic.c guest/devices/bus.c
