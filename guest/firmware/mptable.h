/*
 * The Intel MultiProcessor Specification 1.4 tables (chapter 4): the MP floating pointer
 * structure and the MP configuration table for Umbra's one processor, the ISA bus, the I/O
 * APIC and the PC's interrupt wiring, for kernels that do not read ACPI (Linux `acpi=off`).
 * The builder is pure, like the ACPI one (acpi.h).
 */
#ifndef UMBRA_GUEST_FIRMWARE_MPTABLE_H
#define UMBRA_GUEST_FIRMWARE_MPTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 4.1 MP Floating Pointer Structure: 16 bytes on a 16-byte boundary (in the BIOS ROM area
 * 0xF0000-0xFFFFF, one of the places 4.1 lists). */
struct mp_fps {
	char signature[4];		/* "_MP_" */
	uint32_t config_table;		/* physical address of the configuration table */
	uint8_t length;			/* in 16-byte units: 1 */
	uint8_t spec_rev;		/* 4: version 1.4 */
	uint8_t checksum;		/* all 16 bytes sum to 0 */
	uint8_t feature[5];		/* byte 1: 0 = a configuration table is present; byte 2
					 * bit 7 (IMCRP) 0 = virtual wire mode, no IMCR */
} __attribute__((packed));
_Static_assert(sizeof(struct mp_fps) == 16, "MP spec 1.4 4.1");

#define MP_FPS_SIGNATURE	"_MP_"
#define MP_SPEC_REV_1_4		4
#define MP_ALIGN		16

/* 4.2 MP Configuration Table Header. */
struct mp_config {
	char signature[4];		/* "PCMP" */
	uint16_t base_length;		/* header and base entries, bytes */
	uint8_t spec_rev;
	uint8_t checksum;		/* the base table sums to 0 */
	char oem_id[8];
	char product_id[12];
	uint32_t oem_table;
	uint16_t oem_table_size;
	uint16_t entry_count;
	uint32_t local_apic;
	uint16_t extended_length;
	uint8_t extended_checksum;
	uint8_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct mp_config) == 44, "MP spec 1.4 4.2");

#define MP_CONFIG_SIGNATURE	"PCMP"
#define MP_OEM_ID		"UMBRA   "	/* 8 characters */
#define MP_PRODUCT_ID		"UMBRAVM     "	/* 12 characters */

/* Entry types (4.3, Table 4-3), in the order the table must list them. */
#define MP_ENTRY_PROCESSOR	0
#define MP_ENTRY_BUS		1
#define MP_ENTRY_IOAPIC		2
#define MP_ENTRY_IO_INTERRUPT	3
#define MP_ENTRY_LOCAL_INTERRUPT 4

struct mp_processor {			/* 4.3.1 */
	uint8_t type;
	uint8_t apic_id;
	uint8_t apic_version;
	uint8_t flags;			/* MP_CPU_EN, MP_CPU_BP */
	uint32_t signature;		/* CPUID family/model/stepping; 0: see the CPU's CPUID */
	uint32_t features;		/* CPUID.1 EDX; 0 likewise */
	uint32_t reserved[2];
} __attribute__((packed));
_Static_assert(sizeof(struct mp_processor) == 20, "MP spec 1.4 4.3.1");
#define MP_CPU_EN		(1u << 0)
#define MP_CPU_BP		(1u << 1)	/* the bootstrap processor */

struct mp_bus {				/* 4.3.2 */
	uint8_t type;
	uint8_t bus_id;
	char bus_type[6];		/* "ISA   " (Table 4-8) */
} __attribute__((packed));
_Static_assert(sizeof(struct mp_bus) == 8, "MP spec 1.4 4.3.2");
#define MP_BUS_ISA		"ISA   "
#define MP_ISA_BUS_ID		0

struct mp_ioapic {			/* 4.3.3 */
	uint8_t type;
	uint8_t apic_id;
	uint8_t apic_version;
	uint8_t flags;			/* MP_IOAPIC_EN */
	uint32_t address;
} __attribute__((packed));
_Static_assert(sizeof(struct mp_ioapic) == 8, "MP spec 1.4 4.3.3");
#define MP_IOAPIC_EN		(1u << 0)

/* 4.3.4 I/O and 4.3.5 local interrupt assignment entries share one layout. */
struct mp_interrupt {
	uint8_t type;
	uint8_t int_type;		/* MP_INT_* */
	uint16_t flags;			/* polarity bits 1:0, trigger bits 3:2; 0 = conforms to the bus */
	uint8_t src_bus;
	uint8_t src_irq;
	uint8_t dst_apic;		/* I/O APIC ID, or local APIC ID (0xFF: all) */
	uint8_t dst_pin;		/* INTIN# or LINTIN# */
} __attribute__((packed));
_Static_assert(sizeof(struct mp_interrupt) == 8, "MP spec 1.4 4.3.4");
#define MP_INT_INT		0	/* vectored, from the APIC's redirection entry */
#define MP_INT_NMI		1
#define MP_INT_SMI		2
#define MP_INT_EXTINT		3	/* the 8259's vector */
#define MP_FLAGS_CONFORM	0
#define MP_ALL_LOCAL_APICS	0xff

/* ISA IRQs 0-15 on the I/O APIC (IRQ 2 is the cascade and has no entry), plus the 8259's
 * ExtINT on pin 0; and the local APIC's LINT0 (ExtINT) and LINT1 (NMI). */
#define MP_IO_INTERRUPTS	16
#define MP_LOCAL_INTERRUPTS	2
#define MP_ENTRIES		(1 + 1 + 1 + MP_IO_INTERRUPTS + MP_LOCAL_INTERRUPTS)

struct mp_layout {
	uint32_t fps, config;		/* guest-physical addresses */
	uint32_t end;			/* the first byte after them */
};

/* Writes the floating pointer at gpa (16-byte aligned) and the configuration table after it
 * into buf, which stands for guest memory [gpa, gpa + size). False when they do not fit. */
bool mptable_build(uint8_t *buf, size_t size, uint32_t gpa, struct mp_layout *l);

#endif
