UNIT_TESTS += smbios
UNIT_SRCS_smbios := boot/smbios.c
