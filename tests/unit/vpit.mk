UNIT_TESTS += vpit
UNIT_SRCS_vpit := guest/devices/vpit.c guest/devices/port61.c guest/devices/bus.c lib/printk.c lib/format.c
