/*
 * A reader of the firmware tables as the guest's memory holds them now (the guest may have
 * changed them): it finds the RSDP and the MP floating pointer the way an OS does, walks the
 * tables and describes each one, a line a table, for the monitor's `info acpi`. Pure: memory
 * comes through a callback, lines go to another, and every length and count read from guest
 * memory is bounded.
 */
#ifndef UMBRA_GUEST_FIRMWARE_ACPI_INFO_H
#define UMBRA_GUEST_FIRMWARE_ACPI_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_INFO_MAX_ENTRIES	32		/* XSDT/RSDT entries described, at most */
#define ACPI_INFO_MAX_LENGTH	0x100000	/* a longer table is described, not summed */
#define ACPI_INFO_LINE_MAX	160

struct acpi_info_io {
	/* Copies len bytes of guest-physical memory at gpa; false when any is not memory. */
	bool (*read)(void *ctx, uint64_t gpa, void *buf, size_t len);
	void *read_ctx;
	void (*line)(void *ctx, const char *text);	/* one line, without its newline */
	void *line_ctx;
};

/* Describes the ACPI tables (RSDP, RSDT, XSDT, what they list, the FADT's DSDT and FACS) and
 * the MP tables. Returns the number of tables found with a bad checksum. */
unsigned acpi_info_describe(const struct acpi_info_io *io);

#endif
