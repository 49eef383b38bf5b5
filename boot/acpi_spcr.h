/* The ACPI Serial Port Console Redirection table: where the firmware's console UART is. */
#ifndef UMBRA_BOOT_ACPI_SPCR_H
#define UMBRA_BOOT_ACPI_SPCR_H

#include <stddef.h>
#include <stdint.h>

/* ACPI 6.5 spec 5.2.3.2 (Generic Address Structure) address space IDs. */
#define ACPI_GAS_MEMORY		0u
#define ACPI_GAS_IO		1u

/* SPCR Interface Type (Microsoft "Serial Port Console Redirection Table", rev. 2, and the
 * DBG2 port subtypes it refers to): the ones a 16550 driver can talk to. */
#define SPCR_16550		0x00u	/* full 16550 */
#define SPCR_16450		0x01u	/* 16450 subset of 16550 */
#define SPCR_16550_GAS		0x12u	/* 16550 compatible, parameters in the GAS */

struct spcr_uart {
	uint8_t interface_type;
	uint8_t space_id;		/* ACPI_GAS_IO or ACPI_GAS_MEMORY */
	uint64_t address;		/* I/O port or MMIO address */
	uint32_t baud;			/* 0: as the firmware left it */
};

/*
 * Finds the SPCR table through the RSDP copy (rsdp_len bytes: the XSDT for revision 2 and
 * up, else the RSDT), checking each table's signature, length and checksum (ACPI 6.5 spec
 * 5.2.5 - 5.2.8). Returns 0 with out filled, or -1 with why ("no SPCR table", "XSDT checksum
 * is wrong", ...). Tables are read at their physical addresses (identity mapped).
 */
int acpi_find_spcr(const uint8_t *rsdp, unsigned rsdp_len, struct spcr_uart *out, char *why,
		   size_t whylen);

/* True when a 16550 driver can use the UART (a 16450/16550 type at an I/O port). */
int spcr_is_16550_port(const struct spcr_uart *u);

#endif
