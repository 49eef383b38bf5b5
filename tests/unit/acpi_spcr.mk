UNIT_TESTS += acpi_spcr
UNIT_SRCS_acpi_spcr := boot/acpi_spcr.c lib/format.c
