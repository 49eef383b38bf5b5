/* The boot report: one line per fact the loader gave us, in a stable format tests can match. */
#include "boot/boot_report.h"
#include "boot/efi_firmware.h"
#include "boot/smbios.h"
#include "lib/crc32.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/hostmap.h"

#define RSDP_V1_LEN	20	/* ACPI 6.5 table 5.3: checksum covers the first 20 bytes */
#define RSDP_OEMID_OFF	9
#define RSDP_REV_OFF	15

static void boot_report_memory(const struct boot_info *bi)
{
	uint64_t usable = 0;

	for (unsigned i = 0; i < bi->mem_count; i++) {
		const struct mem_range *r = &bi->mem[i];

		pr_info("umbra: mem: %016llx-%016llx %s\n", (unsigned long long)r->base,
			(unsigned long long)(r->base + r->length - 1), mem_type_name(r->type));
		if (r->type == MEM_USABLE)
			usable += r->length;
	}
	if (bi->mem_truncated)
		pr_warn("umbra: mem: the map has more than %u entries; the rest is ignored\n",
			BOOT_MAX_MEM_RANGES);
	pr_info("umbra: mem: %llu KiB usable in %u ranges\n", (unsigned long long)(usable >> 10),
		bi->mem_count);
}

static void boot_report_modules(const struct boot_info *bi)
{
	for (unsigned i = 0; i < bi->module_count; i++) {
		const struct boot_module *m = &bi->modules[i];
		uint64_t size = m->end - m->start;

		pr_info("umbra: module %u: %016llx-%016llx %llu bytes crc32 %08x \"%s\"\n", i,
			(unsigned long long)m->start, (unsigned long long)m->end,
			(unsigned long long)size, crc32(phys_to_virt(m->start), size), m->string);
	}
	if (bi->modules_truncated)
		pr_warn("umbra: more than %u modules; the rest are ignored\n", BOOT_MAX_MODULES);
	pr_info("umbra: %u module%s\n", bi->module_count, bi->module_count == 1 ? "" : "s");
}

/* The loader copies the RSDP into the tag; check its signature and checksum before trusting it. */
static void boot_report_acpi(const struct boot_info *bi)
{
	const uint8_t *rsdp = bi->acpi_rsdp;
	uint8_t sum = 0;
	char oem[7];

	if (!bi->acpi_revision_tag || bi->acpi_rsdp_len < RSDP_V1_LEN) {
		pr_info("umbra: acpi: no RSDP from the loader\n");
		return;
	}
	for (unsigned i = 0; i < RSDP_V1_LEN; i++)
		sum += rsdp[i];
	memcpy(oem, rsdp + RSDP_OEMID_OFF, 6);
	oem[6] = '\0';
	pr_info("umbra: acpi: RSDP revision %u (%s tag), OEM \"%s\", %s\n", rsdp[RSDP_REV_OFF],
		bi->acpi_revision_tag == 2 ? "new" : "old", oem,
		memcmp(rsdp, "RSD PTR ", 8) || sum ? "BAD signature or checksum" : "checksum ok");
}

/* The firmware's name and UEFI revision (for bug reports), from the system table, which lives
 * in runtime-services memory and so outlives ExitBootServices(). */
static void boot_report_efi_firmware(const struct boot_info *bi)
{
	struct efi_firmware fw;
	unsigned minor;
	char why[64];

	/* The boot map covers the first 4 GiB; firmware puts the table there. */
	if (bi->efi_bits != 64 || !bi->efi_system_table || bi->efi_system_table >= (1ull << 32) - 4096)
		return;
	if (efi_firmware_read(phys_to_virt(bi->efi_system_table), &fw, why, sizeof(why))) {
		pr_warn("umbra: efi: %s\n", why);
		return;
	}
	/* UEFI 2.10 spec 4.2.1: the minor revision is decimal, 2.3.1 being 31 and 2.70 being 70. */
	minor = fw.uefi_revision & 0xffff;
	pr_info("umbra: efi: firmware \"%s\" revision 0x%x, UEFI %u.%u%s%.0u\n", fw.vendor,
		fw.firmware_revision, fw.uefi_revision >> 16, minor / 10, minor % 10 ? "." : "",
		minor % 10);
}

static void boot_report_efi(const struct boot_info *bi)
{
	if (!bi->efi_bits) {
		pr_info("umbra: efi: none (BIOS boot)\n");
		return;
	}
	pr_info("umbra: efi: %u-bit system table at %016llx, boot services %s%s\n", bi->efi_bits,
		(unsigned long long)bi->efi_system_table,
		bi->efi_boot_services_active ? "still active" : "exited",
		bi->have_efi_memory_map ? ", EFI memory map present" : "");
	boot_report_efi_firmware(bi);
}

#define BIOS_F_SEGMENT		0xf0000u	/* DSP0134 5.2.1: where a BIOS puts the entry */
#define BIOS_F_SEGMENT_LEN	0x10000u
#define BOOT_MAP_END		(1ull << 32)	/* the boot page tables map the first 4 GiB */

/* The machine's maker, product and BIOS from SMBIOS: what a bug report needs first. */
static void boot_report_machine(const struct boot_info *bi)
{
	const uint8_t *entry = NULL;
	struct smbios_info in;
	struct efi_firmware fw;
	uint64_t table;
	size_t len;
	char why[64];

	if (bi->efi_bits == 64 && bi->efi_system_table &&
	    bi->efi_system_table < BOOT_MAP_END - 4096 &&
	    !efi_firmware_read(phys_to_virt(bi->efi_system_table), &fw, why, sizeof(why)))
		entry = smbios_find_entry_efi(phys_to_virt(bi->efi_system_table));
	else if (!bi->efi_bits)
		entry = smbios_find_entry_bios(phys_to_virt(BIOS_F_SEGMENT), BIOS_F_SEGMENT_LEN);
	if (!entry || (uint64_t)(uintptr_t)entry >= BOOT_MAP_END - 32 ||
	    smbios_entry_table(entry, &table, &len) || !len || table >= BOOT_MAP_END ||
	    len > BOOT_MAP_END - table) {
		pr_info("umbra: machine: no SMBIOS tables\n");
		return;
	}
	smbios_describe(phys_to_virt(table), len, &in);
	pr_info("umbra: machine: \"%s\" \"%s\", BIOS \"%s\" \"%s\" %s\n", in.maker, in.product,
		in.bios_vendor, in.bios_version, in.bios_date);
}

void boot_report(const struct boot_info *bi)
{
	pr_info("umbra: loader: \"%s\"\n", bi->loader_name);
	pr_info("umbra: cmdline: \"%s\"\n", bi->cmdline);
	pr_info("umbra: mbi: %016llx-%016llx\n", (unsigned long long)bi->mbi_start,
		(unsigned long long)bi->mbi_end);
	boot_report_memory(bi);
	boot_report_modules(bi);
	boot_report_acpi(bi);
	boot_report_efi(bi);
	boot_report_machine(bi);
}
