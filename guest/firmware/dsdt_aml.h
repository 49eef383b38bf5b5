/* The DSDT's AML: guest/firmware/dsdt.asl compiled by iasl at build time (the Makefile writes
 * build/gen/dsdt_aml.c from it), header and checksum included. */
#ifndef UMBRA_GUEST_FIRMWARE_DSDT_AML_H
#define UMBRA_GUEST_FIRMWARE_DSDT_AML_H

#include <stddef.h>
#include <stdint.h>

extern const uint8_t acpi_dsdt_aml[];
extern const size_t acpi_dsdt_aml_len;

#endif
