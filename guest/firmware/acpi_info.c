/* The firmware tables described from guest memory (see acpi_info.h). */
#include "guest/firmware/acpi_info.h"
#include "guest/firmware/acpi.h"
#include "guest/firmware/mptable.h"
#include "lib/format.h"
#include "lib/string.h"

#define SUM_CHUNK	256

struct reader {
	const struct acpi_info_io *io;
	unsigned bad;
};

static void say(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct reader *r, const char *fmt, ...)
{
	char line[ACPI_INFO_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintk(line, sizeof(line), fmt, ap);
	va_end(ap);
	r->io->line(r->io->line_ctx, line);
}

static bool rd(struct reader *r, uint64_t gpa, void *buf, size_t len)
{
	return r->io->read(r->io->read_ctx, gpa, buf, len);
}

/* The 8-bit sum of [gpa, gpa + len), read in chunks; false when it leaves memory. */
static bool sum_range(struct reader *r, uint64_t gpa, uint64_t len, uint8_t *sum)
{
	uint8_t chunk[SUM_CHUNK];

	*sum = 0;
	while (len) {
		size_t n = len < SUM_CHUNK ? (size_t)len : SUM_CHUNK;

		if (!rd(r, gpa, chunk, n))
			return false;
		*sum += acpi_sum(chunk, n);
		gpa += n;
		len -= n;
	}
	return true;
}

/* "ok", "bad" (counted), or why it could not be summed. */
static const char *verdict(struct reader *r, uint64_t gpa, uint64_t len)
{
	uint8_t s;

	if (len > ACPI_INFO_MAX_LENGTH)
		return "not summed (length too large)";
	if (!sum_range(r, gpa, len, &s))
		return "not summed (outside memory)";
	if (s) {
		r->bad++;
		return "bad";
	}
	return "ok";
}

/* A fixed-size string field as printable text. */
static void text(char *dst, const char *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '.';
	dst[n] = '\0';
}

/* One table with a 5.2.6 header at gpa; fills *h (zeroed when unreadable). */
static bool table(struct reader *r, uint64_t gpa, struct acpi_header *h)
{
	char sig[5], oem[7], oem_table[9];

	if (!gpa || !rd(r, gpa, h, sizeof(*h))) {
		memset(h, 0, sizeof(*h));
		say(r, "  table at %llx: not in memory", (unsigned long long)gpa);
		return false;
	}
	text(sig, h->signature, 4);
	text(oem, h->oem_id, 6);
	text(oem_table, h->oem_table_id, 8);
	say(r, "%s %8llx len %6u rev %u oem \"%s\" \"%s\" checksum %s", sig,
	    (unsigned long long)gpa, h->length, h->revision, oem, oem_table,
	    h->length < sizeof(*h) ? "bad (length below the header)" : verdict(r, gpa, h->length));
	if (h->length < sizeof(*h))
		r->bad++;
	return true;
}

/* 5.2.10: no header and no checksum: the signature, length and version. */
static void facs(struct reader *r, uint64_t gpa)
{
	struct acpi_facs f;
	char sig[5];

	if (!rd(r, gpa, &f, sizeof(f))) {
		say(r, "  FACS at %llx: not in memory", (unsigned long long)gpa);
		return;
	}
	text(sig, f.signature, 4);
	say(r, "%s %8llx len %6u version %u (no checksum)", sig, (unsigned long long)gpa, f.length,
	    f.version);
}

/* The FADT's DSDT and FACS: the 64-bit fields when set (5.2.9: they win), else the 32-bit. */
static void fadt_children(struct reader *r, uint64_t gpa, const struct acpi_header *h)
{
	struct acpi_fadt f = { 0 };
	size_t n = h->length < sizeof(f) ? h->length : sizeof(f);
	uint64_t dsdt, fw;
	struct acpi_header d;

	if (!rd(r, gpa, &f, n))
		return;
	dsdt = n >= offsetof(struct acpi_fadt, x_dsdt) + 8 && f.x_dsdt ? f.x_dsdt : f.dsdt;
	fw = n >= offsetof(struct acpi_fadt, x_firmware_ctrl) + 8 && f.x_firmware_ctrl ?
	     f.x_firmware_ctrl : f.firmware_ctrl;
	if (dsdt)
		table(r, dsdt, &d);
	if (fw)
		facs(r, fw);
	say(r, "  FADT: SCI %u, PM1a_EVT %x, PM1a_CNT %x, PM_TMR %x (%s bits), SMI_CMD %x", f.sci_int,
	    f.pm1a_evt_blk, f.pm1a_cnt_blk, f.pm_tmr_blk, f.flags & ACPI_FADT_TMR_VAL_EXT ? "32" : "24",
	    f.smi_cmd);
}

/* The tables an RSDT (entry 4 bytes) or XSDT (8) lists; the FADT's children after it. */
static void sdt_entries(struct reader *r, uint64_t gpa, const struct acpi_header *h, unsigned esize,
			bool follow)
{
	unsigned n = h->length > sizeof(*h) ? (h->length - sizeof(*h)) / esize : 0;

	if (!follow)
		return;
	if (n > ACPI_INFO_MAX_ENTRIES) {
		say(r, "  %u entries; the first %u follow", n, ACPI_INFO_MAX_ENTRIES);
		n = ACPI_INFO_MAX_ENTRIES;
	}
	for (unsigned i = 0; i < n; i++) {
		uint64_t e = 0;
		struct acpi_header t;

		if (!rd(r, gpa + sizeof(*h) + (uint64_t)i * esize, &e, esize))
			return;
		if (table(r, e, &t) && !memcmp(t.signature, ACPI_SIG_FADT, 4))
			fadt_children(r, e, &t);
	}
}

/* 5.2.5.1: the first "RSD PTR " on a 16-byte boundary of the BIOS area whose checksum is
 * right; 0 when there is none. */
static uint64_t find_rsdp(struct reader *r)
{
	for (uint64_t a = ACPI_RSDP_SCAN_START; a < ACPI_RSDP_SCAN_END; a += ACPI_RSDP_ALIGN) {
		uint8_t b[ACPI_RSDP_V1_LENGTH];

		if (rd(r, a, b, sizeof(b)) && !memcmp(b, ACPI_RSDP_SIGNATURE, 8) &&
		    !acpi_sum(b, sizeof(b)))
			return a;
	}
	return 0;
}

static void describe_acpi(struct reader *r)
{
	uint64_t at = find_rsdp(r);
	struct acpi_rsdp p = { 0 };
	struct acpi_header h;
	char oem[7];

	if (!at || !rd(r, at, &p, sizeof(p))) {
		say(r, "ACPI: no RSDP in %x-%x", ACPI_RSDP_SCAN_START, ACPI_RSDP_SCAN_END - 1);
		return;
	}
	text(oem, p.oem_id, 6);
	say(r, "RSDP %8llx len %6u rev %u oem \"%s\" RSDT %x XSDT %llx checksum ok, extended %s",
	    (unsigned long long)at, p.revision >= 2 ? p.length : ACPI_RSDP_V1_LENGTH, p.revision,
	    oem, p.rsdt_address, (unsigned long long)p.xsdt_address,
	    p.revision < 2 ? "none (revision 1)" :
	    verdict(r, at, p.length < sizeof(p) || p.length > 4096 ? sizeof(p) : p.length));
	/* An OS takes the XSDT when there is one (5.2.5.3); the RSDT is only described. */
	if (p.revision >= 2 && p.xsdt_address && table(r, p.xsdt_address, &h))
		sdt_entries(r, p.xsdt_address, &h, 8, true);
	if (p.rsdt_address && table(r, p.rsdt_address, &h))
		sdt_entries(r, p.rsdt_address, &h, 4, !(p.revision >= 2 && p.xsdt_address));
}

/* MP spec 1.4 4.1: "_MP_" on a 16-byte boundary of 0xF0000-0xFFFFF with a good checksum. */
static void describe_mp(struct reader *r)
{
	struct mp_fps f;
	struct mp_config c;

	for (uint64_t a = ACPI_AREA_GPA; a < ACPI_RSDP_SCAN_END; a += MP_ALIGN) {
		if (!rd(r, a, &f, sizeof(f)) || memcmp(f.signature, MP_FPS_SIGNATURE, 4) ||
		    acpi_sum(&f, sizeof(f)))
			continue;
		say(r, "MP   %8llx len %6u spec 1.%u configuration %x checksum ok",
		    (unsigned long long)a, f.length * 16u, f.spec_rev, f.config_table);
		if (!f.config_table || !rd(r, f.config_table, &c, sizeof(c))) {
			say(r, "  MP configuration table: not in memory");
			return;
		}
		say(r, "PCMP %8x len %6u spec 1.%u, %u entries, local APIC %x checksum %s",
		    f.config_table, c.base_length, c.spec_rev, c.entry_count, c.local_apic,
		    verdict(r, f.config_table, c.base_length));
		return;
	}
	say(r, "MP: no floating pointer in %x-%x", ACPI_AREA_GPA, ACPI_RSDP_SCAN_END - 1);
}

unsigned acpi_info_describe(const struct acpi_info_io *io)
{
	struct reader r = { io, 0 };

	describe_acpi(&r);
	describe_mp(&r);
	return r.bad;
}
