/*
 * The numbers of Umbra's virtual platform that its ACPI and MP tables describe, written once:
 * the C builders, the PM device and the DSDT's ASL (guest/firmware/dsdt.asl, through iasl's
 * preprocessor) all include this file, so it holds plain #defines and comments only.
 */
#ifndef UMBRA_GUEST_FIRMWARE_ACPI_PLATFORM_H
#define UMBRA_GUEST_FIRMWARE_ACPI_PLATFORM_H

/* Where the tables live: the top 64 KiB of the first MiB, the BIOS area an OS scans for the
 * RSDP (ACPI 6.0 5.2.5.1) and the MP floating pointer (MP spec 1.4 4.0), reserved in both
 * memory maps Umbra gives (e820, multiboot). */
#define ACPI_AREA_GPA		0xF0000
#define ACPI_AREA_SIZE		0x10000

/* The ACPI fixed hardware on I/O ports (ACPI 6.0 4.8.3): PM1a event block (PM1_STS, PM1_EN),
 * PM1a control block, PM timer. 0x600-0x60b is free on Umbra's device bus. */
#define ACPI_PM_BASE		0x600
#define ACPI_PM1A_EVT_BLK	0x600		/* PM1a_STS at +0, PM1a_EN at +2 */
#define ACPI_PM1_EVT_LEN	4
#define ACPI_PM1A_CNT_BLK	0x604
#define ACPI_PM1_CNT_LEN	2
#define ACPI_PM_TMR_BLK		0x608
#define ACPI_PM_TMR_LEN		4
#define ACPI_PM_PORTS		12		/* 0x600-0x60b */
/* The PM timer's width: 32 bits, which the FADT says with TMR_VAL_EXT (24 without it). */
#define ACPI_PM_TMR_BITS	32

/* The SCI: ISA IRQ 9, level-triggered, active high (the MADT's override says so). */
#define ACPI_SCI_IRQ		9

/* SLP_TYP values of PM1a_CNT for the sleep states \_S0 and \_S5 of the DSDT (ACPI 6.0 7.3.4).
 * Only S0 (working) and S5 (soft off) exist. */
#define ACPI_SLP_TYP_S0		0
#define ACPI_SLP_TYP_S5		5

/* The interrupt controllers the MADT and the MP table describe (the APIC devices own the
 * registers; these are their addresses and identities). */
#define ACPI_LAPIC_GPA		0xFEE00000
#define ACPI_LAPIC_ID		0
#define ACPI_CPU_UID		0		/* ACPI processor UID of the one CPU (the DSDT's \_SB.CPU0) */
#define ACPI_IOAPIC_GPA		0xFEC00000
#define ACPI_IOAPIC_ID		1
#define ACPI_IOAPIC_GSI_BASE	0
#define ACPI_IOAPIC_PINS	24
#define ACPI_IOAPIC_VERSION	0x11		/* 82093AA: what the MP table reports */
#define ACPI_LAPIC_VERSION	0x14		/* integrated xAPIC: what the MP table reports */

/* The CMOS RTC's century byte (guest/devices/vrtc.c), named in the FADT's CENTURY field. */
#define ACPI_RTC_CENTURY_INDEX	0x32

#endif
