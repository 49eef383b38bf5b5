UNIT_TESTS += firmware_tables
UNIT_SRCS_firmware_tables := guest/firmware/acpi_tables.c guest/firmware/mptable.c \
                             guest/firmware/acpi_info.c lib/format.c \
                             $(BUILD)/gen/dsdt_aml.c
