/* The ACPI table builder (see acpi.h): RSDP, RSDT, XSDT, FACS, FADT, MADT and the DSDT. */
#include "guest/firmware/acpi.h"
#include "lib/string.h"

uint8_t acpi_sum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

uint8_t acpi_checksum(const void *p, size_t len)
{
	return (uint8_t)-acpi_sum(p, len);
}

/* A bump allocator over the buffer: the next table's offset, aligned. */
struct acpi_place {
	uint8_t *buf;
	size_t size, at;
	uint32_t gpa;
};

/* Reserves len bytes aligned to align (a power of two) and zeroes them; returns their offset
 * in the buffer, or SIZE_MAX when they do not fit. */
static size_t place(struct acpi_place *pl, size_t len, size_t align)
{
	size_t at = (pl->at + align - 1) & ~(align - 1);

	if (at > pl->size || len > pl->size - at)
		return SIZE_MAX;
	memset(pl->buf + at, 0, len);
	pl->at = at + len;
	return at;
}

/* 5.2.6: the header of a table of length bytes; the checksum is set once the body is there. */
static struct acpi_header header(const char *sig, uint32_t length, uint8_t revision)
{
	struct acpi_header h = { .length = length, .revision = revision,
				 .oem_revision = ACPI_OEM_REVISION,
				 .creator_revision = ACPI_CREATOR_REVISION };

	memcpy(h.signature, sig, 4);
	memcpy(h.oem_id, ACPI_OEM_ID, 6);
	memcpy(h.oem_table_id, ACPI_OEM_TABLE_ID, 8);
	memcpy(h.creator_id, ACPI_CREATOR_ID, 4);
	return h;
}

/* Sets the checksum of the table at offset at of the buffer (5.2.6: the whole table sums to 0). */
static void seal(struct acpi_place *pl, size_t at)
{
	struct acpi_header *h = (struct acpi_header *)(pl->buf + at);

	h->checksum = 0;
	h->checksum = acpi_checksum(h, h->length);
}

/* Writes a table of len bytes from src; returns its guest-physical address, or 0. */
static uint32_t put(struct acpi_place *pl, const void *src, size_t len, size_t align)
{
	size_t at = place(pl, len, align);

	if (at == SIZE_MAX)
		return 0;
	memcpy(pl->buf + at, src, len);
	return pl->gpa + (uint32_t)at;
}

/* Writes a table with a 5.2.6 header from src, 16-byte aligned, and sets its checksum. */
static uint32_t put_sealed(struct acpi_place *pl, const void *src, size_t len)
{
	size_t at = place(pl, len, 16);

	if (at == SIZE_MAX)
		return 0;
	memcpy(pl->buf + at, src, len);
	seal(pl, at);
	return pl->gpa + (uint32_t)at;
}

/* A system I/O register of bits bits at port, accessed access_size at a time (5.2.3.2). */
static struct acpi_gas io_gas(uint16_t port, uint8_t bits, uint8_t access_size)
{
	return (struct acpi_gas){ .space_id = ACPI_GAS_SYSTEM_IO, .bit_width = bits,
				  .access_size = access_size, .address = port };
}

/* 5.2.10: version 2, no waking vector (S4/S3 are not offered), no global lock owner. */
static uint32_t build_facs(struct acpi_place *pl)
{
	struct acpi_facs f = { .length = sizeof(f), .version = ACPI_FACS_VERSION };

	memcpy(f.signature, ACPI_SIG_FACS, 4);
	return put(pl, &f, sizeof(f), ACPI_FACS_ALIGN);
}

/*
 * 5.2.9: the fixed hardware of acpi_platform.h. SMI_CMD is 0: the platform has no SMM, so
 * there is no mode to switch, it is always in ACPI mode, and ACPI_ENABLE/ACPI_DISABLE are 0
 * (5.2.9 SMI_CMD; 4.8.3.1.2 speaks of "ACPI-only platforms (where SCI_EN is always set)").
 * No GPE blocks, no PM2 block, no reset register, no C2/C3. Each legacy block and its X_ twin
 * say the same port and size, and so do DSDT and X_DSDT. The FACS is in FIRMWARE_CTRL only:
 * 5.2.9 wants X_FIRMWARE_CTRL zero when FIRMWARE_CTRL is not (an OS that honours both would
 * see the FACS twice).
 */
static uint32_t build_fadt(struct acpi_place *pl, uint32_t facs, uint32_t dsdt, bool tmr_val_ext)
{
	struct acpi_fadt f = {
		.header = header(ACPI_SIG_FADT, sizeof(f), ACPI_FADT_REVISION),
		.firmware_ctrl = facs, .dsdt = dsdt,
		.sci_int = ACPI_SCI_IRQ,
		.pm1a_evt_blk = ACPI_PM1A_EVT_BLK, .pm1a_cnt_blk = ACPI_PM1A_CNT_BLK,
		.pm_tmr_blk = ACPI_PM_TMR_BLK,
		.pm1_evt_len = ACPI_PM1_EVT_LEN, .pm1_cnt_len = ACPI_PM1_CNT_LEN,
		.pm_tmr_len = ACPI_PM_TMR_LEN,
		.p_lvl2_lat = ACPI_FADT_NO_C2_LATENCY, .p_lvl3_lat = ACPI_FADT_NO_C3_LATENCY,
		.century = ACPI_RTC_CENTURY_INDEX,
		.iapc_boot_arch = ACPI_IAPC_LEGACY_DEVICES | ACPI_IAPC_8042 |
				  ACPI_IAPC_VGA_NOT_PRESENT | ACPI_IAPC_MSI_NOT_SUPPORTED,
		.flags = ACPI_FADT_WBINVD | ACPI_FADT_PROC_C1 | ACPI_FADT_PWR_BUTTON |
			 ACPI_FADT_SLP_BUTTON | ACPI_FADT_FIX_RTC |
			 (tmr_val_ext ? ACPI_FADT_TMR_VAL_EXT : 0),
		.minor_version = ACPI_FADT_MINOR_REVISION,
		.x_dsdt = dsdt,
		.x_pm1a_evt_blk = io_gas(ACPI_PM1A_EVT_BLK, 8 * ACPI_PM1_EVT_LEN, ACPI_GAS_ACCESS_WORD),
		.x_pm1a_cnt_blk = io_gas(ACPI_PM1A_CNT_BLK, 8 * ACPI_PM1_CNT_LEN, ACPI_GAS_ACCESS_WORD),
		.x_pm_tmr_blk = io_gas(ACPI_PM_TMR_BLK, 8 * ACPI_PM_TMR_LEN, ACPI_GAS_ACCESS_DWORD),
	};

	return put_sealed(pl, &f, sizeof(f));
}

/* 5.2.12.5: an ISA IRQ that reaches the I/O APIC on another pin or with other flags. */
static struct acpi_madt_override isa_override(uint8_t irq, uint32_t gsi, uint16_t flags)
{
	return (struct acpi_madt_override){ .type = ACPI_MADT_INT_OVERRIDE,
					    .length = sizeof(struct acpi_madt_override),
					    .source = irq, .gsi = gsi, .flags = flags };
}

/*
 * 5.2.12: the one processor's local APIC, the I/O APIC, and the PC's two ISA IRQs that do not
 * reach the pin of their number with ISA's edge/high: the PIT's IRQ 0 on pin 2 (the 8259
 * cascade takes pin 0's place), and the SCI on IRQ 9, level-triggered active high. LINT1 of
 * every processor is NMI. PCAT_COMPAT: the 8259 pair is there too.
 */
static uint32_t build_madt(struct acpi_place *pl)
{
	struct {
		struct acpi_madt madt;
		struct acpi_madt_local_apic lapic;
		struct acpi_madt_io_apic ioapic;
		struct acpi_madt_override irq0, sci;
		struct acpi_madt_lapic_nmi nmi;
	} __attribute__((packed)) t = {
		.madt = { header(ACPI_SIG_MADT, sizeof(t), ACPI_MADT_REVISION), ACPI_LAPIC_GPA,
			  ACPI_MADT_PCAT_COMPAT },
		.lapic = { ACPI_MADT_LOCAL_APIC, sizeof(t.lapic), ACPI_CPU_UID, ACPI_LAPIC_ID,
			   ACPI_MADT_ENABLED },
		.ioapic = { ACPI_MADT_IO_APIC, sizeof(t.ioapic), ACPI_IOAPIC_ID, 0, ACPI_IOAPIC_GPA,
			    ACPI_IOAPIC_GSI_BASE },
		.irq0 = isa_override(0, 2, ACPI_INTI_POLARITY_HIGH | ACPI_INTI_TRIGGER_EDGE),
		.sci = isa_override(ACPI_SCI_IRQ, ACPI_SCI_IRQ,
				    ACPI_INTI_POLARITY_HIGH | ACPI_INTI_TRIGGER_LEVEL),
		.nmi = { ACPI_MADT_LOCAL_APIC_NMI, sizeof(t.nmi), ACPI_MADT_ALL_PROCESSORS,
			 ACPI_INTI_POLARITY_HIGH | ACPI_INTI_TRIGGER_EDGE, 1 },
	};

	return put_sealed(pl, &t, sizeof(t));
}

/* 5.2.11.1: the AML iasl compiled, as it is (its checksum is iasl's); it must be a DSDT whose
 * header says its length. */
static uint32_t build_dsdt(struct acpi_place *pl, const uint8_t *aml, size_t len)
{
	struct acpi_header h;

	if (!aml || len < sizeof(h))
		return 0;
	memcpy(&h, aml, sizeof(h));
	if (memcmp(h.signature, ACPI_SIG_DSDT, 4) || h.length != len || acpi_sum(aml, len))
		return 0;
	return put(pl, aml, len, 16);
}

/* 5.2.7 and 5.2.8: the RSDT and the XSDT list the same tables (the FADT and the MADT; the FACS
 * and the DSDT hang off the FADT), 32-bit and 64-bit addresses. */
static bool build_sdts(struct acpi_place *pl, struct acpi_layout *l)
{
	const uint32_t entries[] = { l->fadt, l->madt };
	enum { N = sizeof(entries) / sizeof(entries[0]) };
	struct acpi_header rsdt = header(ACPI_SIG_RSDT, sizeof(rsdt) + 4 * N, ACPI_RSDT_REVISION);
	struct acpi_header xsdt = header(ACPI_SIG_XSDT, sizeof(xsdt) + 8 * N, ACPI_XSDT_REVISION);
	size_t r = place(pl, rsdt.length, 16), x = r == SIZE_MAX ? r : place(pl, xsdt.length, 16);

	if (x == SIZE_MAX)
		return false;
	memcpy(pl->buf + r, &rsdt, sizeof(rsdt));
	memcpy(pl->buf + x, &xsdt, sizeof(xsdt));
	for (unsigned i = 0; i < N; i++) {
		uint64_t e64 = entries[i];

		memcpy(pl->buf + r + sizeof(rsdt) + 4 * i, &entries[i], 4);
		memcpy(pl->buf + x + sizeof(xsdt) + 8 * i, &e64, 8);
	}
	seal(pl, r);
	seal(pl, x);
	l->rsdt = pl->gpa + (uint32_t)r;
	l->xsdt = pl->gpa + (uint32_t)x;
	return true;
}

/* 5.2.5.3: revision 2, both checksums. */
static void build_rsdp(struct acpi_place *pl, size_t at, const struct acpi_layout *l)
{
	struct acpi_rsdp r = { .revision = ACPI_RSDP_REVISION, .rsdt_address = l->rsdt,
			       .length = sizeof(r), .xsdt_address = l->xsdt };

	memcpy(r.signature, ACPI_RSDP_SIGNATURE, 8);
	memcpy(r.oem_id, ACPI_OEM_ID, 6);
	r.checksum = acpi_checksum(&r, ACPI_RSDP_V1_LENGTH);
	r.extended_checksum = acpi_checksum(&r, sizeof(r));
	memcpy(pl->buf + at, &r, sizeof(r));
}

bool acpi_tables_build(uint8_t *buf, size_t size, uint32_t gpa, const struct acpi_build_params *p,
		       struct acpi_layout *l)
{
	struct acpi_place pl = { buf, size, 0, gpa };
	size_t rsdp;

	*l = (struct acpi_layout){ 0 };
	if (gpa & (ACPI_RSDP_ALIGN - 1))
		return false;
	rsdp = place(&pl, sizeof(struct acpi_rsdp), ACPI_RSDP_ALIGN);
	if (rsdp == SIZE_MAX)
		return false;
	l->rsdp = gpa;
	l->facs = build_facs(&pl);
	l->dsdt = l->facs ? build_dsdt(&pl, p->dsdt_aml, p->dsdt_len) : 0;
	l->fadt = l->dsdt ? build_fadt(&pl, l->facs, l->dsdt, p->tmr_val_ext) : 0;
	l->madt = l->fadt ? build_madt(&pl) : 0;
	if (!l->madt || !build_sdts(&pl, l))
		return false;
	build_rsdp(&pl, rsdp, l);
	l->end = gpa + (uint32_t)pl.at;
	return true;
}
