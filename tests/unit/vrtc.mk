UNIT_TESTS += vrtc
UNIT_SRCS_vrtc := guest/devices/vrtc.c guest/devices/bus.c
