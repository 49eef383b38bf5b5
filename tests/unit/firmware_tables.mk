UNIT_TESTS += firmware_tables
UNIT_SRCS_firmware_tables := guest/firmware/acpi_tables.c guest/firmware/mptable.c \
                             $(BUILD)/gen/dsdt_aml.c
