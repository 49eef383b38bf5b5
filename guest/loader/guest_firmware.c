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

bool guest_firmware_write(struct guest *g, struct pmm *pmm)
{
	const struct acpi_build_params p = { acpi_dsdt_aml, acpi_dsdt_aml_len,
					     ACPI_PM_TMR_BITS == 32 };
	uint64_t pages = ACPI_AREA_SIZE / PAGE_SIZE, scratch;
	struct acpi_layout acpi;
	struct mp_layout mp;
	uint32_t mp_at;
	uint8_t *buf;
	bool ok;

	scratch = pmm_alloc(pmm, pages, PAGE_SIZE, UINT64_MAX);
	if (!scratch)
		return false;
	buf = phys_to_virt(scratch);
	memset(buf, 0, ACPI_AREA_SIZE);
	ok = acpi_tables_build(buf, ACPI_AREA_SIZE, ACPI_AREA_GPA, &p, &acpi);
	mp_at = (acpi.end + MP_ALIGN - 1) & ~(uint32_t)(MP_ALIGN - 1);
	ok = ok && mptable_build(buf + (mp_at - ACPI_AREA_GPA), ACPI_AREA_SIZE - (mp_at - ACPI_AREA_GPA),
				 mp_at, &mp) &&
	     guest_mem_write(&g->mem, ACPI_AREA_GPA, buf, ACPI_AREA_SIZE);
	pmm_free(pmm, scratch, pages);
	if (ok)
		pr_info("umbra: guest: ACPI tables at %x-%x (RSDP %x, XSDT %x, FADT %x, MADT %x, "
			"DSDT %x), MP table at %x (configuration %x)\n", acpi.rsdp, acpi.end - 1,
			acpi.rsdp, acpi.xsdt, acpi.fadt, acpi.madt, acpi.dsdt, mp.fps, mp.config);
	return ok;
}
