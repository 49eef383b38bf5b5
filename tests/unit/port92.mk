UNIT_TESTS += port92
UNIT_SRCS_port92 := guest/devices/port92.c guest/devices/post_port.c guest/devices/bus.c
