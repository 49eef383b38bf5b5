/*
 * Host unit tests for the firmware table builders (guest/firmware/acpi_tables.c, mptable.c)
 * and the DSDT iasl compiled: the tables are built into a buffer standing for the BIOS area,
 * then read back by a small reader written here from the specifications (ACPI 6.0 chapter 5,
 * MP spec 1.4 chapter 4), the way an OS finds and walks them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "guest/firmware/acpi.h"
#include "guest/firmware/acpi_info.h"
#include "guest/firmware/dsdt_aml.h"
#include "guest/firmware/mptable.h"

#define AREA_GPA	ACPI_AREA_GPA
#define AREA_SIZE	ACPI_AREA_SIZE

/* The area as guest memory: reads by guest-physical address, NULL outside. */
static uint8_t area[AREA_SIZE];

static const void *at(uint64_t gpa, size_t len)
{
	if (gpa < AREA_GPA || gpa + len > AREA_GPA + AREA_SIZE || gpa + len < gpa)
		return NULL;
	return area + (gpa - AREA_GPA);
}

static uint8_t sum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (len--)
		s += *b++;
	return s;
}

static uint32_t rd32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t rd64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* Builds the ACPI tables and, after them, the MP tables, as the loader does. */
static void build(struct acpi_layout *l, struct mp_layout *mp)
{
	struct acpi_build_params p = { acpi_dsdt_aml, acpi_dsdt_aml_len, true };
	uint32_t mp_at;

	memset(area, 0, sizeof(area));
	assert_true(acpi_tables_build(area, AREA_SIZE, AREA_GPA, &p, l));
	mp_at = (l->end + 15) & ~15u;
	assert_true(mptable_build(area + (mp_at - AREA_GPA), AREA_SIZE - (mp_at - AREA_GPA), mp_at,
				  mp));
}

/* 5.2.5.1: "RSD PTR " on a 16-byte boundary with a valid checksum. */
static uint64_t find_rsdp(void)
{
	for (uint64_t a = AREA_GPA; a + sizeof(struct acpi_rsdp) <= AREA_GPA + AREA_SIZE; a += 16) {
		const uint8_t *p = at(a, 20);

		if (!memcmp(p, "RSD PTR ", 8) && sum(p, 20) == 0)
			return a;
	}
	return 0;
}

/* A table at gpa whose signature is sig and whose checksum is right; its length. */
static uint32_t check_table(uint64_t gpa, const char *sig)
{
	const uint8_t *h = at(gpa, 36);
	uint32_t len;

	assert_non_null(h);
	assert_memory_equal(h, sig, 4);
	len = rd32(h + 4);
	assert_true(len >= 36);
	assert_non_null(at(gpa, len));
	assert_int_equal(sum(at(gpa, len), len), 0);
	assert_memory_equal(h + 10, "UMBRA", 5);		/* OEM ID */
	return len;
}

/* Walks the XSDT; returns the address of the table with signature sig (0 if none), and
 * checks the RSDT lists the same tables in the same order. */
static uint64_t find_table(const char *sig)
{
	uint64_t r = find_rsdp(), xsdt, rsdt, found = 0;
	const uint8_t *rp = at(r, 36);
	uint32_t xlen, rlen;

	assert_int_not_equal(r, 0);
	xsdt = rd64(rp + 24);
	rsdt = rd32(rp + 16);
	xlen = check_table(xsdt, "XSDT");
	rlen = check_table(rsdt, "RSDT");
	assert_int_equal((xlen - 36) / 8, (rlen - 36) / 4);
	for (uint32_t i = 0; i < (xlen - 36) / 8; i++) {
		uint64_t t = rd64((const uint8_t *)at(xsdt, xlen) + 36 + 8 * i);

		assert_int_equal(t, rd32((const uint8_t *)at(rsdt, rlen) + 36 + 4 * i));
		if (!memcmp(at(t, 4), sig, 4))
			found = t;
	}
	return found;
}

/* 5.2.5.3: revision 2, 36 bytes, both checksums, 16-byte aligned in the scanned area. */
static void test_rsdp(void **state)
{
	struct acpi_layout l;
	struct mp_layout mp;
	const uint8_t *r;

	(void)state;
	build(&l, &mp);
	assert_int_equal(find_rsdp(), l.rsdp);
	assert_int_equal(l.rsdp % 16, 0);
	assert_true(l.rsdp >= ACPI_RSDP_SCAN_START && l.end <= ACPI_RSDP_SCAN_END);
	r = at(l.rsdp, 36);
	assert_int_equal(r[15], 2);			/* revision */
	assert_int_equal(rd32(r + 20), 36);		/* length */
	assert_int_equal(sum(r, 36), 0);		/* extended checksum */
	assert_int_equal(rd32(r + 16), l.rsdt);
	assert_int_equal(rd64(r + 24), l.xsdt);
}

/* Every table the XSDT lists, and those the FADT points at, have the right checksums. */
static void test_walk(void **state)
{
	struct acpi_layout l;
	struct mp_layout mp;

	(void)state;
	build(&l, &mp);
	assert_int_equal(find_table("FACP"), l.fadt);
	assert_int_equal(find_table("APIC"), l.madt);
	assert_int_equal(find_table("DSDT"), 0);	/* the DSDT hangs off the FADT only */
	check_table(l.fadt, "FACP");
	check_table(l.madt, "APIC");
	check_table(l.dsdt, "DSDT");
}

/* The FADT: revision 6, 276 bytes, the PM blocks and their X_ twins, no SMI_CMD, the SCI on 9,
 * the DSDT in both the 32- and 64-bit fields, the FACS (64-byte aligned) in the 32-bit one
 * only, flags. */
static void test_fadt(void **state)
{
	struct acpi_layout l;
	struct mp_layout mp;
	struct acpi_fadt f;
	const uint8_t *facs;

	(void)state;
	build(&l, &mp);
	assert_int_equal(check_table(l.fadt, "FACP"), 276);
	memcpy(&f, at(l.fadt, sizeof(f)), sizeof(f));
	assert_int_equal(f.header.revision, 6);
	assert_int_equal(f.sci_int, 9);
	assert_int_equal(f.smi_cmd, 0);
	assert_int_equal(f.acpi_enable | f.acpi_disable, 0);
	assert_int_equal(f.pm1a_evt_blk, 0x600);
	assert_int_equal(f.pm1_evt_len, 4);
	assert_int_equal(f.pm1a_cnt_blk, 0x604);
	assert_int_equal(f.pm1_cnt_len, 2);
	assert_int_equal(f.pm_tmr_blk, 0x608);
	assert_int_equal(f.pm_tmr_len, 4);
	assert_int_equal(f.pm1b_evt_blk | f.pm1b_cnt_blk | f.pm2_cnt_blk | f.gpe0_blk | f.gpe1_blk, 0);
	assert_int_equal(f.x_pm1a_evt_blk.space_id, ACPI_GAS_SYSTEM_IO);
	assert_int_equal(f.x_pm1a_evt_blk.address, 0x600);
	assert_int_equal(f.x_pm1a_evt_blk.bit_width, 32);
	assert_int_equal(f.x_pm1a_cnt_blk.address, 0x604);
	assert_int_equal(f.x_pm1a_cnt_blk.bit_width, 16);
	assert_int_equal(f.x_pm_tmr_blk.address, 0x608);
	assert_int_equal(f.x_pm_tmr_blk.bit_width, 32);
	assert_int_equal(f.x_pm_tmr_blk.access_size, ACPI_GAS_ACCESS_DWORD);
	assert_true(f.flags & ACPI_FADT_WBINVD);
	assert_true(f.flags & ACPI_FADT_TMR_VAL_EXT);
	assert_false(f.flags & ACPI_FADT_HW_REDUCED_ACPI);
	assert_true(f.iapc_boot_arch & ACPI_IAPC_8042);
	assert_int_equal(f.century, 0x32);
	assert_int_equal(f.dsdt, l.dsdt);
	assert_int_equal(f.x_dsdt, l.dsdt);
	assert_int_equal(f.firmware_ctrl, l.facs);
	assert_int_equal(f.x_firmware_ctrl, 0);		/* 5.2.9: zero when FIRMWARE_CTRL is set */
	assert_int_equal(l.facs % 64, 0);
	facs = at(l.facs, 64);
	assert_memory_equal(facs, "FACS", 4);
	assert_int_equal(rd32(facs + 4), 64);
	assert_int_equal(facs[32], 2);			/* version */
}

/* Without TMR_VAL_EXT the flag is clear; nothing else changes. */
static void test_fadt_24bit_timer(void **state)
{
	struct acpi_build_params p = { acpi_dsdt_aml, acpi_dsdt_aml_len, false };
	struct acpi_layout l;
	struct acpi_fadt f;

	(void)state;
	memset(area, 0, sizeof(area));
	assert_true(acpi_tables_build(area, AREA_SIZE, AREA_GPA, &p, &l));
	memcpy(&f, at(l.fadt, sizeof(f)), sizeof(f));
	assert_false(f.flags & ACPI_FADT_TMR_VAL_EXT);
	check_table(l.fadt, "FACP");
}

/* The MADT: the local APIC address, PCAT_COMPAT, then each entry decoded by type. */
static void test_madt(void **state)
{
	unsigned lapics = 0, ioapics = 0, overrides = 0, nmis = 0;
	struct acpi_layout l;
	struct mp_layout mp;
	const uint8_t *m, *e, *end;
	uint32_t len;

	(void)state;
	build(&l, &mp);
	len = check_table(l.madt, "APIC");
	m = at(l.madt, len);
	assert_int_equal(m[8], 4);			/* revision */
	assert_int_equal(rd32(m + 36), 0xfee00000);
	assert_int_equal(rd32(m + 40), ACPI_MADT_PCAT_COMPAT);
	end = m + len;
	for (e = m + 44; e < end; e += e[1]) {
		assert_true(e[1] >= 2 && e + e[1] <= end);
		switch (e[0]) {
		case ACPI_MADT_LOCAL_APIC:
			assert_int_equal(e[1], 8);
			assert_int_equal(e[2], 0);	/* processor UID */
			assert_int_equal(e[3], 0);	/* APIC ID */
			assert_int_equal(rd32(e + 4), ACPI_MADT_ENABLED);
			lapics++;
			break;
		case ACPI_MADT_IO_APIC:
			assert_int_equal(e[1], 12);
			assert_int_equal(e[2], 1);
			assert_int_equal(rd32(e + 4), 0xfec00000);
			assert_int_equal(rd32(e + 8), 0);
			ioapics++;
			break;
		case ACPI_MADT_INT_OVERRIDE: {
			uint16_t flags = (uint16_t)(e[8] | e[9] << 8);

			assert_int_equal(e[1], 10);
			assert_int_equal(e[2], 0);	/* ISA */
			if (e[3] == 0) {
				assert_int_equal(rd32(e + 4), 2);
				assert_int_equal(flags, 0x5);	/* edge, active high */
			} else {
				assert_int_equal(e[3], 9);
				assert_int_equal(rd32(e + 4), 9);
				assert_int_equal(flags, 0xd);	/* level, active high */
			}
			overrides++;
			break;
		}
		case ACPI_MADT_LOCAL_APIC_NMI:
			assert_int_equal(e[1], 6);
			assert_int_equal(e[2], 0xff);
			assert_int_equal(e[5], 1);	/* LINT1 */
			nmis++;
			break;
		default:
			fail_msg("unexpected MADT entry type %u", e[0]);
		}
	}
	assert_ptr_equal(e, end);
	assert_int_equal(lapics, 1);
	assert_int_equal(ioapics, 1);
	assert_int_equal(overrides, 2);
	assert_int_equal(nmis, 1);
}

/* The AML iasl made: a DSDT (revision 2: 64-bit integers) with \_S5 as NameOp "_S5_"
 * PackageOp, four elements, SLP_TYPa = ACPI_SLP_TYP_S5 (ACPI 6.0 20.2.5.1 DefName, 20.2.5.4
 * DefPackage, 20.2.3 BytePrefix 0x0A for a constant above 1). */
static void test_dsdt_s5(void **state)
{
	const uint8_t *a = acpi_dsdt_aml;
	const uint8_t *s5 = NULL;

	(void)state;
	assert_true(acpi_dsdt_aml_len > 36);
	assert_memory_equal(a, "DSDT", 4);
	assert_int_equal(rd32(a + 4), acpi_dsdt_aml_len);
	assert_int_equal(a[8], 2);
	assert_int_equal(sum(a, acpi_dsdt_aml_len), 0);
	assert_memory_equal(a + 10, ACPI_OEM_ID, 6);		/* the same IDs as the C tables */
	assert_memory_equal(a + 16, ACPI_OEM_TABLE_ID, 8);
	for (size_t i = 36; i + 10 <= acpi_dsdt_aml_len; i++)
		if (a[i] == 0x08 && !memcmp(a + i + 1, "_S5_", 4))
			s5 = a + i + 5;
	assert_non_null(s5);
	assert_int_equal(s5[0], 0x12);			/* PackageOp */
	assert_int_equal(s5[2], 4);			/* NumElements */
	assert_int_equal(s5[3], 0x0a);			/* BytePrefix */
	assert_int_equal(s5[4], ACPI_SLP_TYP_S5);
}

/* iasl's own disassembler reads the embedded AML back as \_S5 with the S5 type. */
static void test_dsdt_disassembled(void **state)
{
	char dir[] = "/tmp/umbra-dsdt-XXXXXX", cmd[512], path[256], text[8192];
	FILE *f;
	size_t n;

	(void)state;
	if (system("command -v iasl >/dev/null 2>&1") != 0)
		fail_msg("iasl is missing (tools/setup.sh installs acpica-tools)");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/dsdt.aml", dir);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(acpi_dsdt_aml, 1, acpi_dsdt_aml_len, f), acpi_dsdt_aml_len);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cd %s && iasl -d dsdt.aml >iasl.log 2>&1", dir);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/dsdt.dsl", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	assert_non_null(strstr(text, "Name (_S5, Package (0x04)"));
	assert_non_null(strstr(strstr(text, "Name (_S5,"), "0x05"));
	assert_non_null(strstr(text, "Name (_S0, Package (0x04)"));
	assert_non_null(strstr(text, "\"ACPI0007\""));
}

/* Refusals: a buffer too small, a misaligned RSDP, a DSDT that is not one. */
static void test_refusals(void **state)
{
	struct acpi_build_params p = { acpi_dsdt_aml, acpi_dsdt_aml_len, true };
	uint8_t bad[256];
	struct acpi_layout l;
	struct mp_layout mp;

	(void)state;
	assert_false(acpi_tables_build(area, 300, AREA_GPA, &p, &l));
	assert_false(acpi_tables_build(area, AREA_SIZE, AREA_GPA + 8, &p, &l));
	memcpy(bad, acpi_dsdt_aml, acpi_dsdt_aml_len);
	bad[40] ^= 1;					/* checksum now wrong */
	p.dsdt_aml = bad;
	assert_false(acpi_tables_build(area, AREA_SIZE, AREA_GPA, &p, &l));
	p.dsdt_aml = acpi_dsdt_aml;
	p.dsdt_len = acpi_dsdt_aml_len - 1;		/* length disagrees with the header */
	assert_false(acpi_tables_build(area, AREA_SIZE, AREA_GPA, &p, &l));
	assert_false(mptable_build(area, 100, AREA_GPA, &mp));
	assert_false(mptable_build(area, AREA_SIZE, AREA_GPA + 4, &mp));
}

/* MP spec 4.1 and 4.2: the floating pointer found by a 16-byte scan of 0xF0000-0xFFFFF, its
 * checksum, then the configuration table's entries in type order, decoded. */
static void test_mptable(void **state)
{
	unsigned count[5] = { 0 }, last_type = 0, io_to_pin2 = 0, extint_pin0 = 0;
	struct acpi_layout l;
	struct mp_layout mp;
	const uint8_t *fps = NULL, *c, *e;
	uint16_t base_len, entries;

	(void)state;
	build(&l, &mp);
	for (uint64_t a = AREA_GPA; a + 16 <= AREA_GPA + AREA_SIZE; a += 16)
		if (!memcmp(at(a, 4), "_MP_", 4) && sum(at(a, 16), 16) == 0) {
			assert_int_equal(a, mp.fps);
			fps = at(a, 16);
		}
	assert_non_null(fps);
	assert_int_equal(fps[8], 1);			/* length, 16-byte units */
	assert_int_equal(fps[9], 4);			/* spec 1.4 */
	assert_int_equal(fps[11], 0);			/* a configuration table exists */
	assert_int_equal(rd32(fps + 4), mp.config);
	c = at(mp.config, 44);
	assert_non_null(c);
	assert_memory_equal(c, "PCMP", 4);
	base_len = (uint16_t)(c[4] | c[5] << 8);
	assert_non_null(at(mp.config, base_len));
	assert_int_equal(sum(c, base_len), 0);
	assert_int_equal(c[6], 4);
	assert_int_equal(rd32(c + 36), 0xfee00000);
	entries = (uint16_t)(c[34] | c[35] << 8);
	e = c + 44;
	for (unsigned i = 0; i < entries; i++) {
		assert_true(e[0] <= 4 && e[0] >= last_type);
		last_type = e[0];
		count[e[0]]++;
		if (e[0] == MP_ENTRY_PROCESSOR) {
			assert_int_equal(e[1], 0);
			assert_int_equal(e[3], MP_CPU_EN | MP_CPU_BP);
			e += 20;
			continue;
		}
		if (e[0] == MP_ENTRY_BUS)
			assert_memory_equal(e + 2, "ISA   ", 6);
		if (e[0] == MP_ENTRY_IOAPIC) {
			assert_int_equal(e[1], 1);
			assert_int_equal(e[3], MP_IOAPIC_EN);
			assert_int_equal(rd32(e + 4), 0xfec00000);
		}
		if (e[0] == MP_ENTRY_IO_INTERRUPT) {
			assert_int_equal(e[6], 1);	/* the I/O APIC's ID */
			if (e[1] == MP_INT_INT && e[5] == 0)
				io_to_pin2 += e[7] == 2;
			if (e[1] == MP_INT_EXTINT)
				extint_pin0 += e[7] == 0;
			if (e[1] == MP_INT_INT && e[5] != 0)
				assert_int_equal(e[7], e[5]);	/* IRQ n on pin n */
			assert_int_not_equal(e[5], 2);		/* the cascade has none */
		}
		if (e[0] == MP_ENTRY_LOCAL_INTERRUPT) {
			assert_int_equal(e[6], 0xff);
			assert_int_equal(e[7], e[1] == MP_INT_EXTINT ? 0 : 1);
		}
		e += 8;
	}
	assert_ptr_equal(e, c + base_len);
	assert_int_equal(count[0], 1);
	assert_int_equal(count[1], 1);
	assert_int_equal(count[2], 1);
	assert_int_equal(count[3], 16);
	assert_int_equal(count[4], 2);
	assert_int_equal(io_to_pin2, 1);
	assert_int_equal(extint_pin0, 1);
	assert_true(mp.end <= AREA_GPA + AREA_SIZE);
	assert_true(mp.fps >= l.end);
}

/* The monitor's reader: guest memory is the area (the rest of 0xE0000-0xFFFFF is no memory);
 * the lines are kept in one text. */
static char described[4096];

static bool info_read(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	const void *p = at(gpa, len);

	(void)ctx;
	if (p)
		memcpy(buf, p, len);
	return p != NULL;
}

static void info_line(void *ctx, const char *text)
{
	(void)ctx;
	strncat(described, text, sizeof(described) - strlen(described) - 2);
	strcat(described, "\n");
}

static unsigned describe(void)
{
	struct acpi_info_io io = { info_read, NULL, info_line, NULL };

	described[0] = '\0';
	return acpi_info_describe(&io);
}

/* `info acpi`: every table with its address, length, revision, OEM and a good checksum; a
 * byte the guest changed makes that table's checksum bad; no RSDP is said so. */
static void test_info(void **state)
{
	struct acpi_layout l;
	struct mp_layout mp;
	char want[160];

	(void)state;
	build(&l, &mp);
	assert_int_equal(describe(), 0);
	snprintf(want, sizeof(want), "RSDP %8x len     36 rev 2 oem \"UMBRA \" RSDT %x XSDT %x "
		 "checksum ok, extended ok\n", l.rsdp, l.rsdt, l.xsdt);
	assert_non_null(strstr(described, want));
	snprintf(want, sizeof(want), "FACP %8x len    276 rev 6 oem \"UMBRA \" \"UMBRAVM \" "
		 "checksum ok\n", l.fadt);
	assert_non_null(strstr(described, want));
	snprintf(want, sizeof(want), "FACS %8x len     64 version 2 (no checksum)\n", l.facs);
	assert_non_null(strstr(described, want));
	assert_non_null(strstr(described, "XSDT "));
	assert_non_null(strstr(described, "RSDT "));
	assert_non_null(strstr(described, "APIC "));
	assert_non_null(strstr(described, "DSDT "));
	assert_non_null(strstr(described, "PM1a_CNT 604, PM_TMR 608 (32 bits), SMI_CMD 0"));
	snprintf(want, sizeof(want), "MP   %8x len     16 spec 1.4 configuration %x checksum ok\n",
		 mp.fps, mp.config);
	assert_non_null(strstr(described, want));
	assert_non_null(strstr(described, "PCMP "));
	assert_null(strstr(described, "bad"));

	area[l.madt - AREA_GPA + 40] ^= 0x80;		/* the guest wrote its MADT */
	assert_int_equal(describe(), 1);
	assert_non_null(strstr(described, "APIC ") &&
			strstr(strstr(described, "APIC "), "checksum bad\n"));
	memset(area, 0, sizeof(area));
	assert_int_equal(describe(), 0);
	assert_non_null(strstr(described, "ACPI: no RSDP in e0000-fffff\n"));
	assert_non_null(strstr(described, "MP: no floating pointer in f0000-fffff\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rsdp),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_fadt),
		cmocka_unit_test(test_fadt_24bit_timer),
		cmocka_unit_test(test_madt),
		cmocka_unit_test(test_dsdt_s5),
		cmocka_unit_test(test_dsdt_disassembled),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_mptable),
		cmocka_unit_test(test_info),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
