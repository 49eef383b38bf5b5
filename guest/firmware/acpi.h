/*
 * ACPI tables as the guest's firmware gives them (ACPI 6.0 chapter 5): the layouts, and the
 * builder that writes the RSDP, RSDT, XSDT, FADT, FACS, MADT and DSDT into a buffer that stands
 * for guest memory at a given guest-physical address. The builder is pure: it never sees
 * struct guest, so a host test builds the tables and parses them back.
 */
#ifndef UMBRA_GUEST_FIRMWARE_ACPI_H
#define UMBRA_GUEST_FIRMWARE_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/firmware/acpi_platform.h"

/* 5.2.5.3 Root System Description Pointer: revision 2 (ACPI 2.0 and later) has the XSDT and
 * the extended checksum over all 36 bytes; the checksum covers the first 20 (the ACPI 1.0
 * structure). 5.2.5.1: on IA-PC it sits on a 16-byte boundary in 0xE0000-0xFFFFF. */
struct acpi_rsdp {
	char signature[8];		/* "RSD PTR " */
	uint8_t checksum;		/* bytes 0-19 sum to 0 */
	char oem_id[6];
	uint8_t revision;		/* 2 */
	uint32_t rsdt_address;
	uint32_t length;		/* 36 */
	uint64_t xsdt_address;
	uint8_t extended_checksum;	/* bytes 0-35 sum to 0 */
	uint8_t reserved[3];
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_rsdp) == 36, "ACPI 6.0 5.2.5.3");

#define ACPI_RSDP_SIGNATURE	"RSD PTR "
#define ACPI_RSDP_V1_LENGTH	20	/* what the ACPI 1.0 checksum covers */
#define ACPI_RSDP_REVISION	2
#define ACPI_RSDP_ALIGN		16
#define ACPI_RSDP_SCAN_START	0xE0000	/* 5.2.5.1: the BIOS read-only area an OS scans */
#define ACPI_RSDP_SCAN_END	0x100000

/* 5.2.6 System Description Table Header: every table but the RSDP and the FACS. The whole
 * table, header included, sums to 0. */
struct acpi_header {
	char signature[4];
	uint32_t length;		/* of the whole table, header included */
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_header) == 36, "ACPI 6.0 5.2.6");

#define ACPI_OEM_ID		"UMBRA "	/* 6 characters */
#define ACPI_OEM_TABLE_ID	"UMBRAVM "	/* 8 characters; the DSDT's ASL says the same */
#define ACPI_OEM_REVISION	1
#define ACPI_CREATOR_ID		"UMBR"
#define ACPI_CREATOR_REVISION	1

/* Revisions of the tables Umbra writes (each table's section gives its current revision). */
#define ACPI_RSDT_REVISION	1	/* 5.2.7 */
#define ACPI_XSDT_REVISION	1	/* 5.2.8 */
#define ACPI_FADT_REVISION	6	/* 5.2.9: "6" for ACPI 6.0 */
#define ACPI_FADT_MINOR_REVISION 0
#define ACPI_MADT_REVISION	4	/* 5.2.12: "4" for ACPI 6.0 */
#define ACPI_FACS_VERSION	2	/* 5.2.10 */

/* 5.2.3.2 Generic Address Structure. */
struct acpi_gas {
	uint8_t space_id;		/* ACPI_GAS_SYSTEM_IO, ... */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;		/* ACPI_GAS_ACCESS_* */
	uint64_t address;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_gas) == 12, "ACPI 6.0 5.2.3.2");

#define ACPI_GAS_SYSTEM_MEMORY	0
#define ACPI_GAS_SYSTEM_IO	1
#define ACPI_GAS_ACCESS_BYTE	1
#define ACPI_GAS_ACCESS_WORD	2
#define ACPI_GAS_ACCESS_DWORD	3

/* 5.2.9 Fixed ACPI Description Table (signature "FACP"), revision 6: 276 bytes. */
struct acpi_fadt {
	struct acpi_header header;
	uint32_t firmware_ctrl;		/* the FACS */
	uint32_t dsdt;
	uint8_t reserved0;		/* ACPI 1.0 INT_MODEL */
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	uint32_t pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk, pm2_cnt_blk, pm_tmr_blk;
	uint32_t gpe0_blk, gpe1_blk;
	uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len, gpe0_blk_len, gpe1_blk_len;
	uint8_t gpe1_base, cst_cnt;
	uint16_t p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	uint8_t duty_offset, duty_width, day_alrm, mon_alrm, century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl, x_dsdt;
	struct acpi_gas x_pm1a_evt_blk, x_pm1b_evt_blk, x_pm1a_cnt_blk, x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk, x_pm_tmr_blk, x_gpe0_blk, x_gpe1_blk;
	struct acpi_gas sleep_control_reg, sleep_status_reg;
	uint64_t hypervisor_vendor_identity;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_fadt) == 276, "ACPI 6.0 5.2.9: FADT revision 6");
_Static_assert(offsetof(struct acpi_fadt, iapc_boot_arch) == 109, "5.2.9 IAPC_BOOT_ARCH");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "5.2.9 Flags");
_Static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "5.2.9 X_DSDT");
_Static_assert(offsetof(struct acpi_fadt, x_pm_tmr_blk) == 208, "5.2.9 X_PM_TMR_BLK");

/* FADT Flags (5.2.9, "Fixed ACPI Description Table Fixed Feature Flags"). */
#define ACPI_FADT_WBINVD	(1u << 0)	/* WBINVD flushes and invalidates caches */
#define ACPI_FADT_PROC_C1	(1u << 2)	/* C1 (HLT) works on every processor */
#define ACPI_FADT_PWR_BUTTON	(1u << 4)	/* no fixed-feature power button */
#define ACPI_FADT_SLP_BUTTON	(1u << 5)	/* no fixed-feature sleep button */
#define ACPI_FADT_FIX_RTC	(1u << 6)	/* no RTC wake status in the fixed registers */
#define ACPI_FADT_TMR_VAL_EXT	(1u << 8)	/* the PM timer has 32 bits, not 24 */
#define ACPI_FADT_HW_REDUCED_ACPI (1u << 20)	/* never set: Umbra has the fixed hardware */

/* IA-PC Boot Architecture Flags (5.2.9.3). */
#define ACPI_IAPC_LEGACY_DEVICES	(1u << 0)	/* ISA devices a DSDT does not list (PIT, RTC, COM1) */
#define ACPI_IAPC_8042			(1u << 1)	/* an 8042 at 0x60/0x64 */
#define ACPI_IAPC_VGA_NOT_PRESENT	(1u << 2)
#define ACPI_IAPC_MSI_NOT_SUPPORTED	(1u << 3)

/* 5.2.9 P_LVL2_LAT/P_LVL3_LAT: above 100 and 1000 us mean no C2 and no C3. */
#define ACPI_FADT_NO_C2_LATENCY	101
#define ACPI_FADT_NO_C3_LATENCY	1001

/* 5.2.10 Firmware ACPI Control Structure: no header and no checksum, 64-byte
 * aligned. */
struct acpi_facs {
	char signature[4];		/* "FACS" */
	uint32_t length;		/* 64 */
	uint32_t hardware_signature;
	uint32_t firmware_waking_vector;
	uint32_t global_lock;
	uint32_t flags;
	uint64_t x_firmware_waking_vector;
	uint8_t version;
	uint8_t reserved0[3];
	uint32_t ospm_flags;
	uint8_t reserved1[24];
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_facs) == 64, "ACPI 6.0 5.2.10");
#define ACPI_FACS_ALIGN		64

/* 5.2.12 Multiple APIC Description Table (signature "APIC"). */
struct acpi_madt {
	struct acpi_header header;
	uint32_t local_apic_address;
	uint32_t flags;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt) == 44, "ACPI 6.0 5.2.12");
#define ACPI_MADT_PCAT_COMPAT	(1u << 0)	/* 5.2.12 MADT flags: 8259s present as well */

/* Interrupt controller structure types (5.2.12). */
#define ACPI_MADT_LOCAL_APIC		0
#define ACPI_MADT_IO_APIC		1
#define ACPI_MADT_INT_OVERRIDE		2
#define ACPI_MADT_LOCAL_APIC_NMI	4

struct acpi_madt_local_apic {		/* 5.2.12.2 */
	uint8_t type, length;		/* 0, 8 */
	uint8_t processor_uid;
	uint8_t apic_id;
	uint32_t flags;			/* ACPI_MADT_ENABLED */
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_local_apic) == 8, "5.2.12.2");
#define ACPI_MADT_ENABLED	(1u << 0)	/* 5.2.12.2 Local APIC flags */

struct acpi_madt_io_apic {		/* 5.2.12.3 */
	uint8_t type, length;		/* 1, 12 */
	uint8_t io_apic_id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_io_apic) == 12, "5.2.12.3");

struct acpi_madt_override {		/* 5.2.12.5 */
	uint8_t type, length;		/* 2, 10 */
	uint8_t bus;			/* 0: ISA */
	uint8_t source;			/* the ISA IRQ */
	uint32_t gsi;
	uint16_t flags;			/* MPS INTI flags (5.2.12.5) */
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_override) == 10, "5.2.12.5");

struct acpi_madt_lapic_nmi {		/* 5.2.12.7 */
	uint8_t type, length;		/* 4, 6 */
	uint8_t processor_uid;		/* 0xFF: every processor */
	uint16_t flags;			/* MPS INTI flags */
	uint8_t lint;			/* LINT0 or LINT1 */
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_lapic_nmi) == 6, "5.2.12.7");

/* MPS INTI flags, 5.2.12.5 (the same encoding as the MP spec's I/O interrupt flags). */
#define ACPI_INTI_POLARITY_HIGH	0x1	/* bits 1:0 = 01 active high */
#define ACPI_INTI_POLARITY_LOW	0x3
#define ACPI_INTI_TRIGGER_EDGE	0x4	/* bits 3:2 = 01 edge */
#define ACPI_INTI_TRIGGER_LEVEL	0xc	/* bits 3:2 = 11 level */
#define ACPI_MADT_ALL_PROCESSORS 0xff

/* The table signatures. */
#define ACPI_SIG_RSDT		"RSDT"
#define ACPI_SIG_XSDT		"XSDT"
#define ACPI_SIG_FADT		"FACP"
#define ACPI_SIG_FACS		"FACS"
#define ACPI_SIG_MADT		"APIC"
#define ACPI_SIG_DSDT		"DSDT"

/* Where the builder put each table: guest-physical addresses and the bytes used. */
struct acpi_layout {
	uint32_t rsdp, rsdt, xsdt, fadt, facs, madt, dsdt;
	uint32_t end;			/* first byte after the last table */
};

struct acpi_build_params {
	const uint8_t *dsdt_aml;	/* the DSDT as iasl wrote it, header and checksum included */
	size_t dsdt_len;
	bool tmr_val_ext;		/* the PM timer counts 32 bits (else 24) */
};

/* The byte that makes len bytes at p sum to 0 when stored in place of a 0 byte. */
uint8_t acpi_checksum(const void *p, size_t len);
/* The 8-bit sum of len bytes (0 for a table whose checksum is right). */
uint8_t acpi_sum(const void *p, size_t len);

/* Writes the ACPI tables into buf, which stands for guest memory [gpa, gpa + size): the RSDP
 * at gpa (which must be 16-byte aligned), then the other tables. Bytes of buf it does not
 * write are left as they were. Returns false, having filled *l only in part, when they do not
 * fit in size bytes or the DSDT is not one. */
bool acpi_tables_build(uint8_t *buf, size_t size, uint32_t gpa, const struct acpi_build_params *p,
		       struct acpi_layout *l);

#endif
