FUZZ_TARGETS += devices
FUZZ_SRCS_devices := guest/devices/bus.c guest/devices/vpit.c guest/devices/port61.c \
	guest/devices/vrtc.c guest/devices/i8042.c guest/devices/vpic.c guest/devices/port92.c \
	lib/printk.c lib/format.c
