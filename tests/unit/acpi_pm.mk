UNIT_TESTS += acpi_pm
UNIT_SRCS_acpi_pm := guest/devices/acpi_pm.c guest/devices/bus.c lib/printk.c lib/format.c
