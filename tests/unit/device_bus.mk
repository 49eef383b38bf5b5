UNIT_TESTS += device_bus
UNIT_SRCS_device_bus := guest/devices/bus.c guest/devices/vpic.c guest/devices/vuart.c
