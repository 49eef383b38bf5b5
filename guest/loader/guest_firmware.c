/* The firmware tables, placed in the guest's BIOS area (see guest_firmware.h). */
#include "guest/loader/guest_firmware.h"
#include "guest/firmware/acpi.h"
#include "guest/firmware/dsdt_aml.h"
#include "guest/firmware/mptable.h"
#include "guest/guest.h"
#include "mm/hostmap.h"
#include "mm/page.h"
#include "mm/pmm.h"
#include "lib/printk.h"
#include "lib/string.h"

/* The tables sit where an OS looks for them (ACPI 6.0 5.2.5.1: 0xE0000-0xFFFFF; MP spec 1.4
 * 4.1: 0xF0000-0xFFFFF) and where both memory maps say "reserved", in memory Umbra backs. */
_Static_assert(ACPI_AREA_GPA >= GUEST_BIOS_START && ACPI_AREA_GPA >= ACPI_RSDP_SCAN_START &&
	       ACPI_AREA_GPA + ACPI_AREA_SIZE <= GUEST_HIGH_RAM_START,
	       "the firmware tables lie in the backed, reserved BIOS area");
_Static_assert(ACPI_AREA_SIZE % PAGE_SIZE == 0, "the scratch buffer is whole pages");

/*
 * The MP tables describe the I/O APIC, and a kernel that reads them programs it, even when told
 * `noapic` (Linux writes its index register while registering it). So they are written only when
 * an I/O APIC answers on the device bus; without one, a guest that scans for them finds none and
 * stays with the 8259 pair. The MADT describes the I/O APIC in any case: an ACPI kernel honours
 * `noapic` before it touches it.
 */
static bool platform_has_ioapic(const struct guest *g)
{
	return bus_find(&g->bus, BUS_MMIO, ACPI_IOAPIC_GPA) != NULL;
}

/* Builds the ACPI tables, then the MP tables after them, into buf (the area at ACPI_AREA_GPA). */
static bool build_all(uint8_t *buf, bool mp_tables, struct acpi_layout *acpi, struct mp_layout *mp)
{
	const struct acpi_build_params p = { acpi_dsdt_aml, acpi_dsdt_aml_len,
					     ACPI_PM_TMR_BITS == 32 };
	uint32_t mp_at, off;

	*mp = (struct mp_layout){ 0 };
	if (!acpi_tables_build(buf, ACPI_AREA_SIZE, ACPI_AREA_GPA, &p, acpi))
		return false;
	if (!mp_tables)
		return true;
	mp_at = (acpi->end + MP_ALIGN - 1) & ~(uint32_t)(MP_ALIGN - 1);
	off = mp_at - ACPI_AREA_GPA;
	return off < ACPI_AREA_SIZE && mptable_build(buf + off, ACPI_AREA_SIZE - off, mp_at, mp);
}

bool guest_firmware_write(struct guest *g, struct pmm *pmm)
{
	uint64_t pages = ACPI_AREA_SIZE / PAGE_SIZE, scratch;
	bool mp_tables = platform_has_ioapic(g), ok;
	struct acpi_layout acpi;
	struct mp_layout mp;
	uint8_t *buf;

	scratch = pmm_alloc(pmm, pages, PAGE_SIZE, UINT64_MAX);
	if (!scratch)
		return false;
	buf = phys_to_virt(scratch);
	memset(buf, 0, ACPI_AREA_SIZE);
	ok = build_all(buf, mp_tables, &acpi, &mp) &&
	     guest_mem_write(&g->mem, ACPI_AREA_GPA, buf, ACPI_AREA_SIZE);
	pmm_free(pmm, scratch, pages);
	if (!ok)
		return false;
	pr_info("umbra: guest: ACPI tables at %x-%x (RSDP %x, XSDT %x, FADT %x, MADT %x, DSDT %x)\n",
		acpi.rsdp, acpi.end - 1, acpi.rsdp, acpi.xsdt, acpi.fadt, acpi.madt, acpi.dsdt);
	if (mp_tables)
		pr_info("umbra: guest: MP table at %x (configuration %x)\n", mp.fps, mp.config);
	else
		pr_info("umbra: guest: no MP table: no I/O APIC on the device bus\n");
	return true;
}
