UNIT_TESTS += lapic
UNIT_SRCS_lapic := guest/devices/lapic.c guest/devices/lapic_regs.c guest/devices/ioapic.c guest/devices/bus.c
