/*
 * The firmware tables and the ACPI fixed hardware as an OS finds them under Umbra: the RSDP by
 * a scan of 0xE0000-0xFFFFF (ACPI 6.0 5.2.5.1), every checksum, the XSDT and what it lists, the
 * FADT's fields, FACS and DSDT (its \_S5 package read from the AML), the MADT's entries, the MP
 * floating pointer and configuration table (MP spec 1.4 chapter 4) when Umbra writes them (only
 * when its device bus has an I/O APIC: an MP-table kernel programs it), the memory map's reserved
 * BIOS area, the PM timer against PIT channel 2 and the TSC, and finally the S5 power-off
 * through PM1a_CNT, which must end the run with Umbra's "power off" stop.
 *
 * The reader here is written from the specifications with byte offsets, not from Umbra's
 * structures, so it does not share the builder's mistakes.
 */
#include "guest.h"
#include "x86.h"

#include "lib/string.h"

/* What Umbra's README promises (the virtual platform table). */
#define PM1A_EVT	0x600
#define PM1A_CNT	0x604
#define PM_TMR		0x608
#define SCI_IRQ		9
#define LAPIC_ADDR	0xfee00000u
#define IOAPIC_ADDR	0xfec00000u
#define IOAPIC_ID	1
#define BIOS_AREA	0xf0000u

#define PM_TIMER_HZ	3579545u	/* ACPI 6.0 4.8.2.1 */
#define PIT_HZ		1193182u
#define PIT_CH2		0x42
#define PIT_CTRL	0x43
#define PORT_B		0x61
#define SCI_EN		(1u << 0)	/* PM1_CNT, ACPI 6.0 4.8.3.2.1 */
#define SLP_EN		(1u << 13)
#define SLP_TYP_SHIFT	10

static const uint8_t *phys(uint32_t a)
{
	return (const uint8_t *)(uintptr_t)a;
}

static uint32_t rd16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t rd32(const uint8_t *p)
{
	return rd16(p) | rd16(p + 2) << 16;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static uint8_t sum(const uint8_t *p, uint32_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

/* The multiboot memory map marks the BIOS area, where the tables are, reserved. */
static void check_memory_map(void)
{
	uint32_t at = boot_info->mmap_addr, end = at + boot_info->mmap_length;
	bool reserved = false;

	while (at < end) {
		const struct mb1_mmap_entry *e = (const void *)(uintptr_t)at;

		if (e->base_addr <= BIOS_AREA && e->base_addr + e->length >= 0x100000 &&
		    e->type != MB1_MEMORY_AVAILABLE)
			reserved = true;
		at += e->size + 4;
	}
	CHECK(reserved, "the memory map reserves %x-fffff, where the tables are", BIOS_AREA);
}

/* 5.2.5.1: "RSD PTR " on a 16-byte boundary of 0xE0000-0xFFFFF whose first 20 bytes sum to 0. */
static uint32_t find_rsdp(void)
{
	for (uint32_t a = 0xe0000; a < 0x100000; a += 16)
		if (!memcmp(phys(a), "RSD PTR ", 8) && sum(phys(a), 20) == 0)
			return a;
	return 0;
}

/* A table with a good checksum and the signature sig at a; its length, or 0. */
static uint32_t table_ok(uint32_t a, const char *sig)
{
	uint32_t len = a ? rd32(phys(a) + 4) : 0;

	if (!a || memcmp(phys(a), sig, 4) || len < 36 || len > 0x10000 || sum(phys(a), len)) {
		CHECK(false, "%s at %x has its signature and a good checksum", sig, a);
		return 0;
	}
	return len;
}

struct found {
	uint32_t fadt, madt, dsdt, facs;
	uint8_t s5;
};

/* 5.2.5.3, 5.2.7, 5.2.8: RSDP revision 2 with both checksums; the XSDT and the RSDT list the
 * same tables, each with a good checksum. */
static void walk_rsdp(struct found *f)
{
	uint32_t r = find_rsdp(), xsdt, rsdt, xlen, rlen;

	if (!CHECK(r, "the RSDP is found by scanning e0000-fffff"))
		return;
	gprintf("acpi: RSDP at %x, OEM \"%.6s\", revision %u\n", r, phys(r) + 9, phys(r)[15]);
	CHECK_EQ(phys(r)[15], 2, "RSDP revision 2");
	CHECK_EQ(rd32(phys(r) + 20), 36, "RSDP length 36");
	CHECK_EQ(sum(phys(r), 36), 0, "RSDP extended checksum");
	CHECK_EQ(rd64(phys(r) + 24) >> 32, 0, "the XSDT is below 4 GiB");
	xsdt = (uint32_t)rd64(phys(r) + 24);
	rsdt = rd32(phys(r) + 16);
	xlen = table_ok(xsdt, "XSDT");
	rlen = table_ok(rsdt, "RSDT");
	if (!xlen || !rlen)
		return;
	CHECK_EQ((xlen - 36) / 8, (rlen - 36) / 4, "XSDT and RSDT list as many tables");
	for (uint32_t i = 0; i < (xlen - 36) / 8; i++) {
		uint32_t t = (uint32_t)rd64(phys(xsdt) + 36 + 8 * i);

		CHECK_EQ(t, rd32(phys(rsdt) + 36 + 4 * i), "XSDT entry %u is RSDT entry %u", i, i);
		if (!table_ok(t, (const char *)phys(t)))
			continue;
		gprintf("acpi: %.4s at %x, length %u, revision %u, checksum ok\n", phys(t),
			t, rd32(phys(t) + 4), phys(t)[8]);
		if (!memcmp(phys(t), "FACP", 4))
			f->fadt = t;
		if (!memcmp(phys(t), "APIC", 4))
			f->madt = t;
	}
}

/* 5.2.9: the FADT's fields (byte offsets of its revision-6 layout). */
static void check_fadt(struct found *f)
{
	const uint8_t *p = phys(f->fadt);

	if (!CHECK(f->fadt, "the XSDT lists a FADT"))
		return;
	CHECK_EQ(rd32(p + 4), 276, "FADT length 276 (revision 6)");
	CHECK_EQ(p[8], 6, "FADT revision 6");
	CHECK_EQ(rd16(p + 46), SCI_IRQ, "SCI_INT %u", SCI_IRQ);
	CHECK_EQ(rd32(p + 48), 0, "SMI_CMD 0: always in ACPI mode");
	CHECK_EQ(rd32(p + 56), PM1A_EVT, "PM1a_EVT_BLK %x", PM1A_EVT);
	CHECK_EQ(rd32(p + 64), PM1A_CNT, "PM1a_CNT_BLK %x", PM1A_CNT);
	CHECK_EQ(rd32(p + 76), PM_TMR, "PM_TMR_BLK %x", PM_TMR);
	CHECK_EQ(p[88] | p[89] << 8 | p[91] << 16, 4 | 2 << 8 | 4 << 16,
		 "PM1_EVT_LEN 4, PM1_CNT_LEN 2, PM_TMR_LEN 4");
	CHECK(rd32(p + 112) & (1u << 0), "flags: WBINVD");
	CHECK(!(rd32(p + 112) & (1u << 20)), "flags: not HW_REDUCED_ACPI");
	/* X_ fields at 148, 172 and 208: GAS {space 1 = I/O, bit width, bit offset, access size,
	 * 64-bit address} (5.2.3.2). */
	CHECK(p[148] == 1 && p[149] == 32 && rd64(p + 152) == PM1A_EVT,
	      "X_PM1a_EVT_BLK: I/O %x, 32 bits", PM1A_EVT);
	CHECK(p[172] == 1 && p[173] == 16 && rd64(p + 176) == PM1A_CNT,
	      "X_PM1a_CNT_BLK: I/O %x, 16 bits", PM1A_CNT);
	CHECK(p[208] == 1 && p[209] == 32 && rd64(p + 212) == PM_TMR,
	      "X_PM_TMR_BLK: I/O %x, 32 bits", PM_TMR);
	f->dsdt = (uint32_t)rd64(p + 140);
	f->facs = rd32(p + 36);
	CHECK_EQ(f->dsdt, rd32(p + 40), "X_DSDT is DSDT");
	CHECK_EQ(rd64(p + 132), 0, "X_FIRMWARE_CTRL is 0, as FIRMWARE_CTRL is set");
	CHECK(f->facs && f->facs % 64 == 0 && !memcmp(phys(f->facs), "FACS", 4) &&
	      rd32(phys(f->facs) + 4) == 64, "the FACS at %x: 64-byte aligned, 64 bytes", f->facs);
}

/* 5.2.11.1: the DSDT, and its \_S5: NameOp (0x08) "_S5_" PackageOp (0x12) PkgLength
 * NumElements, then SLP_TYPa as an integer (ACPI 6.0 20.2.5.1, 20.2.5.4, 20.2.3). */
static void check_dsdt(struct found *f)
{
	uint32_t len = table_ok(f->dsdt, "DSDT");
	const uint8_t *p = phys(f->dsdt);

	f->s5 = 0xff;
	if (!len)
		return;
	gprintf("acpi: DSDT at %x, length %u, revision %u, checksum ok\n", f->dsdt, len, p[8]);
	for (uint32_t i = 36; i + 9 < len; i++) {
		if (p[i] != 0x08 || memcmp(p + i + 1, "_S5_", 4) || p[i + 5] != 0x12)
			continue;
		if (p[i + 8] == 0x0a)			/* BytePrefix */
			f->s5 = p[i + 9];
		else if (p[i + 8] <= 1)			/* ZeroOp, OneOp */
			f->s5 = p[i + 8];
	}
	CHECK(f->s5 < 8, "the DSDT has \\_S5 with SLP_TYPa %u", f->s5);
}

/* 5.2.12: the MADT, entry by entry. */
static void check_madt(struct found *f)
{
	uint32_t len = table_ok(f->madt, "APIC");
	unsigned lapic = 0, ioapic = 0, irq0 = 0, sci = 0, nmi = 0;
	const uint8_t *p = phys(f->madt), *e;

	if (!len)
		return;
	CHECK_EQ(rd32(p + 36), LAPIC_ADDR, "MADT local APIC address %x", LAPIC_ADDR);
	CHECK(rd32(p + 40) & 1, "MADT flags: PCAT_COMPAT");
	for (e = p + 44; e + 2 <= p + len && e[1] >= 2; e += e[1]) {
		if (e[0] == 0 && e[3] == 0 && (rd32(e + 4) & 1))
			lapic++;
		if (e[0] == 1 && e[2] == IOAPIC_ID && rd32(e + 4) == IOAPIC_ADDR && rd32(e + 8) == 0)
			ioapic++;
		if (e[0] == 2 && e[3] == 0 && rd32(e + 4) == 2 && rd16(e + 8) == 0x5)
			irq0++;
		if (e[0] == 2 && e[3] == SCI_IRQ && rd32(e + 4) == SCI_IRQ && rd16(e + 8) == 0xd)
			sci++;
		if (e[0] == 4 && e[2] == 0xff && e[5] == 1)
			nmi++;
	}
	CHECK(e == p + len, "the MADT's entries fill it exactly");
	CHECK_EQ(lapic, 1, "one enabled local APIC, ID 0");
	CHECK_EQ(ioapic, 1, "the I/O APIC: ID %u at %x, GSI base 0", IOAPIC_ID, IOAPIC_ADDR);
	CHECK_EQ(irq0, 1, "override: IRQ 0 -> GSI 2, edge, active high");
	CHECK_EQ(sci, 1, "override: IRQ 9 -> GSI 9, level, active high (the SCI)");
	CHECK_EQ(nmi, 1, "local APIC NMI on LINT1 of every processor");
}

/* MP spec 1.4 4.1, 4.2: the floating pointer in 0xF0000-0xFFFFF, the configuration table. */
static void check_mp(void)
{
	uint32_t fps = 0, cfg, len, n;
	const uint8_t *c, *e;
	unsigned cpus = 0, ioapics = 0, irq0_pin2 = 0;

	for (uint32_t a = BIOS_AREA; a < 0x100000 && !fps; a += 16)
		if (!memcmp(phys(a), "_MP_", 4) && sum(phys(a), 16) == 0)
			fps = a;
	if (!fps) {
		SKIP("the MP tables: there are none (Umbra writes them only with an I/O APIC)");
		return;
	}
	cfg = rd32(phys(fps) + 4);
	c = phys(cfg);
	len = rd16(c + 4);
	gprintf("mp: floating pointer at %x, spec 1.%u, configuration table at %x\n", fps,
		phys(fps)[9], cfg);
	if (!CHECK(!memcmp(c, "PCMP", 4) && len >= 44 && len < 0x1000 && sum(c, len) == 0,
		   "the MP configuration table has its signature and a good checksum"))
		return;
	n = rd16(c + 34);
	e = c + 44;
	for (uint32_t i = 0; i < n && e < c + len; i++) {
		if (e[0] == 0) {
			cpus += (e[3] & 3) == 3;
			e += 20;
			continue;
		}
		ioapics += e[0] == 2 && e[1] == IOAPIC_ID && rd32(e + 4) == IOAPIC_ADDR;
		irq0_pin2 += e[0] == 3 && e[1] == 0 && e[5] == 0 && e[7] == 2;
		e += 8;
	}
	CHECK(e == c + len, "the MP entries (%u) fill the base table", n);
	CHECK_EQ(cpus, 1, "one enabled bootstrap processor");
	CHECK_EQ(ioapics, 1, "the I/O APIC, ID %u at %x", IOAPIC_ID, IOAPIC_ADDR);
	CHECK_EQ(irq0_pin2, 1, "ISA IRQ 0 on I/O APIC pin 2");
}

/* CPUID leaf 0x15 (TSC/crystal ratio, the crystal's Hz) when the guest sees it, else 0. */
static uint64_t tsc_hz_from_cpuid(void)
{
	struct cpuid_regs r = cpuid(0, 0);

	if (r.eax < 0x15)
		return 0;
	r = cpuid(0x15, 0);
	return r.eax && r.ebx && r.ecx ? (uint64_t)r.ecx * r.ebx / r.eax : 0;
}

/*
 * The PM timer (4.8.2.1) counts while PIT channel 2 counts 50 ms down in mode 0 (gated by port
 * 0x61 bit 0, OUT2 on bit 5): it must have advanced by at least 50 ms of its 3.579545 MHz when
 * OUT2 rises (the host may be slow, so no upper bound but a sane one), and agree with the TSC
 * over the same window when CPUID tells the TSC's rate.
 */
static void check_pm_timer(void)
{
	const uint32_t count = PIT_HZ / 20, want = PM_TIMER_HZ / 20;
	uint32_t t0, t1, a, b, polls = 0;
	uint64_t tsc0, tsc1, tsc_hz = tsc_hz_from_cpuid();

	a = inl(PM_TMR);
	b = inl(PM_TMR);
	CHECK(b - a < PM_TIMER_HZ, "two PM timer reads in a row are ordered (%u, %u)", a, b);
	outb(PORT_B, (inb(PORT_B) & ~0x02) | 0x01);	/* gate 2 on, speaker off */
	outb(PIT_CTRL, 0xb0);				/* channel 2, LSB then MSB, mode 0 */
	outb(PIT_CH2, count & 0xff);
	t0 = inl(PM_TMR);
	tsc0 = rdtsc();
	outb(PIT_CH2, count >> 8);
	while (!(inb(PORT_B) & 0x20) && polls < 100000000u)
		polls++;
	t1 = inl(PM_TMR);
	tsc1 = rdtsc();
	gprintf("pm timer: %u clocks while PIT channel 2 counted 50 ms (expected %u), TSC %u kHz\n",
		t1 - t0, want, (unsigned)(tsc_hz / 1000));
	CHECK(t1 - t0 >= want - want / 100, "the PM timer ran at least 50 ms while the PIT did");
	CHECK(t1 - t0 < 20 * want, "and less than a second's worth more");
	if (!tsc_hz) {
		SKIP("the PM timer against the TSC: CPUID shows no leaf 0x15 here");
		return;
	}
	{
		uint64_t pm_us = (uint64_t)(t1 - t0) * 1000000 / PM_TIMER_HZ;
		uint64_t tsc_us = (tsc1 - tsc0) * 1000000 / tsc_hz;

		gprintf("pm timer: %u us, TSC %u us over the same window\n", (unsigned)pm_us,
			(unsigned)tsc_us);
		CHECK(pm_us * 100 >= tsc_us * 95 && pm_us * 100 <= tsc_us * 105,
		      "the PM timer keeps the TSC's time within 5%%");
	}
}

/* 4.8.3.1, 4.8.3.2: SCI_EN reads set; TMR_STS clears by writing 1. */
static void check_pm1(void)
{
	CHECK(inw(PM1A_CNT) & SCI_EN, "PM1a_CNT.SCI_EN reads 1 (ACPI mode)");
	outw(PM1A_EVT, 0x0001);
	CHECK_EQ(inw(PM1A_EVT) & 1, 0, "PM1a_STS.TMR_STS clears on a write of 1");
	outw(PM1A_EVT + 2, 0x0001);
	CHECK_EQ(inw(PM1A_EVT + 2), 0x0001, "PM1a_EN.TMR_EN reads back");
	outw(PM1A_EVT + 2, 0);
}

void guest_main(void)
{
	struct found f = { 0 };

	check_memory_map();
	walk_rsdp(&f);
	check_fadt(&f);
	check_dsdt(&f);
	check_madt(&f);
	check_mp();
	check_pm1();
	check_pm_timer();
	if (!guest_summary() || f.s5 >= 8)
		guest_exit(GUEST_EXIT_FAIL);
	/* The harness looks at the tables with the monitor's `info acpi` meanwhile. */
	gprintf("acpi: tables checked; waiting for q\n");
	guest_wait_for_q();
	/* 7.3.4, 4.8.3.2.1: SLP_TYPa of \_S5 with SLP_EN in PM1a_CNT. */
	gprintf("acpi: powering off: SLP_TYP %u with SLP_EN in PM1a_CNT\n", f.s5);
	outw(PM1A_CNT, (uint16_t)(f.s5 << SLP_TYP_SHIFT | SLP_EN));
	gprintf("FAIL: the guest still runs after S5\n");
	guest_exit(GUEST_EXIT_FAIL);
}
