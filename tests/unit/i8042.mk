UNIT_TESTS += i8042
UNIT_SRCS_i8042 := guest/devices/i8042.c guest/devices/bus.c
