/*
 * Umbra's DSDT (ACPI 6.0 5.2.11.1), compiled by iasl at build time into AML that Umbra embeds
 * and copies to guest memory. It holds what the fixed tables cannot say: the sleep states the
 * PM1a control block accepts, and the one processor.
 */
#include "guest/firmware/acpi_platform.h"

/* OEM ID and OEM table ID as the tables Umbra builds in C say them (acpi.h: ACPI_OEM_ID,
 * ACPI_OEM_TABLE_ID), padded with spaces; revision 2: integers are 64 bits (5.2.11.1). */
DefinitionBlock ("", "DSDT", 2, "UMBRA ", "UMBRAVM ", 1)
{
    /*
     * \_Sx (ACPI 6.0 7.3.4): a package of the SLP_TYP values for PM1a_CNT and PM1b_CNT, then
     * two reserved integers. OSPM writes SLP_TYPa with SLP_EN to enter the state; the virtual
     * PM1a control block stops the guest on the S5 value. There is no PM1b block (the FADT's
     * PM1b_CNT_BLK is 0), so its value is a placeholder.
     */
    Name (\_S0, Package (0x04) { ACPI_SLP_TYP_S0, ACPI_SLP_TYP_S0, Zero, Zero })
    Name (\_S5, Package (0x04) { ACPI_SLP_TYP_S5, ACPI_SLP_TYP_S5, Zero, Zero })

    Scope (\_SB)
    {
        /* The processor (ACPI 6.0 8.4: a Device with _HID ACPI0007); its _UID is the ACPI
         * Processor UID of the MADT's local APIC entry (5.2.12.2). */
        Device (CPU0)
        {
            Name (_HID, "ACPI0007")
            Name (_UID, ACPI_CPU_UID)
        }
    }
}
