/* Smoke tests for the guest page-table walker (mm/walk.c): hand-picked cases, explicit answers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "mm/mmu.h"
#include "mm/walk.h"

#define RAM_SIZE	(64 * 4096)
#define MAX_WRITES	16

#define P	(1ull << 0)
#define RW	(1ull << 1)
#define US	(1ull << 2)
#define A	(1ull << 5)
#define D	(1ull << 6)
#define PS	(1ull << 7)
#define G	(1ull << 8)
#define XD	(1ull << 63)

#define PFEC_NONE	0u

/* Guest RAM is [0, RAM_SIZE); every write is logged. */
struct fake_mem {
	uint8_t ram[RAM_SIZE];
	struct {
		uint64_t gpa;
		unsigned len;
		uint64_t val;
	} writes[MAX_WRITES];
	unsigned nwrites;
};

static bool fake_read(void *ctx, uint64_t gpa, void *buf, unsigned len)
{
	struct fake_mem *m = ctx;

	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return false;
	memcpy(buf, m->ram + gpa, len);
	return true;
}

static bool fake_write(void *ctx, uint64_t gpa, const void *buf, unsigned len)
{
	struct fake_mem *m = ctx;
	uint64_t v = 0;

	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return false;
	memcpy(m->ram + gpa, buf, len);
	memcpy(&v, buf, len);
	assert_true(m->nwrites < MAX_WRITES);
	m->writes[m->nwrites].gpa = gpa;
	m->writes[m->nwrites].len = len;
	m->writes[m->nwrites].val = v;
	m->nwrites++;
	return true;
}

static struct fake_mem *fm;
static struct walk_mem wm;

static int setup(void **state)
{
	(void)state;
	fm = calloc(1, sizeof(*fm));
	wm.read = fake_read;
	wm.write = fake_write;
	wm.ctx = fm;
	return fm ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(fm);
	return 0;
}

static void set32(uint64_t gpa, uint32_t v)
{
	memcpy(fm->ram + gpa, &v, 4);
}

static void set64(uint64_t gpa, uint64_t v)
{
	memcpy(fm->ram + gpa, &v, 8);
}

static uint32_t get32(uint64_t gpa)
{
	uint32_t v;

	memcpy(&v, fm->ram + gpa, 4);
	return v;
}

static uint64_t get64(uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, fm->ram + gpa, 8);
	return v;
}

#define CR0_ON	(CR0_PG | CR0_PE | CR0_WP)

static struct walk_request req32(uint64_t addr, uint32_t access)
{
	struct walk_request r = {
		.ps = { .cr0 = CR0_ON, .cr3 = 0x1000, .cr4 = CR4_PSE, .efer = 0 },
		.addr = addr, .access = access, .maxphyaddr = 36, .set_ad = true,
	};
	return r;
}

static struct walk_request req_pae(uint64_t addr, uint32_t access)
{
	struct walk_request r = {
		.ps = { .cr0 = CR0_ON, .cr3 = 0x1000, .cr4 = CR4_PAE, .efer = EFER_NXE },
		.pdptes = { 0x2000 | P, 0, 0x3000 | P, 0 },
		.addr = addr, .access = access, .maxphyaddr = 36, .set_ad = true,
	};
	return r;
}

static struct walk_request req_4l(uint64_t addr, uint32_t access)
{
	struct walk_request r = {
		.ps = { .cr0 = CR0_ON, .cr3 = 0x1000, .cr4 = CR4_PAE,
			.efer = EFER_LME | EFER_LMA | EFER_NXE },
		.addr = addr, .access = access, .maxphyaddr = 46, .gb_pages = true, .set_ad = true,
	};
	return r;
}

static struct walk_result run(const struct walk_request *r)
{
	struct walk_result out;

	memset(&out, 0xa5, sizeof(out));
	fm->nwrites = 0;
	walk_guest(r, &wm, &out);
	return out;
}

static void expect_ok(const struct walk_result *o, uint64_t gpa)
{
	assert_false(o->not_ram);
	if (o->fault)
		fail_msg("unexpected fault pfec %#x", o->pfec);
	assert_int_equal(o->gpa, gpa);
}

static void expect_fault(const struct walk_result *o, uint32_t pfec)
{
	assert_false(o->not_ram);
	assert_true(o->fault);
	assert_int_equal(o->pfec, pfec);
	assert_int_equal(fm->nwrites, 0);
}

/* ---- paging off ---- */

static void test_off(void **state)
{
	struct walk_request r = req32(0x123456789abcull, WALK_WRITE | WALK_USER | WALK_FETCH);
	struct walk_result o;

	(void)state;
	r.ps.cr0 = CR0_PE;
	o = run(&r);
	expect_ok(&o, 0x56789abc);
	assert_int_equal(o.levels, 0);
	assert_int_equal(o.access, ACC_ALL);
	assert_int_equal(fm->nwrites, 0);
	r.ps.efer = EFER_LMA;
	r.ps.cr4 = CR4_SMEP | CR4_SMAP;
	o = run(&r);
	expect_ok(&o, 0x123456789abcull);
}

/* ---- 32-bit paging ---- */

/* 0x00403123: PDE 1 at 0x1004 -> PT 0x2000, PTE 3 at 0x200c -> frame 0x5000. */
static void build32(uint32_t pde_flags, uint32_t pte_flags)
{
	set32(0x1004, 0x2000 | pde_flags);
	set32(0x200c, 0x5000 | pte_flags);
}

static void test_32_4k(void **state)
{
	struct walk_request r = req32(0xabc00000ull | 0x00403123, 0);
	struct walk_result o;

	(void)state;
	r.addr = 0x00403123;
	build32(P | RW | US, P | RW | US | G);
	o = run(&r);
	expect_ok(&o, 0x5123);
	assert_int_equal(o.levels, 2);
	assert_int_equal(o.leaf_level, 1);
	assert_int_equal(o.page_size, 4096);
	assert_int_equal(o.pte_size, 4);
	assert_int_equal(o.pte[2], 0x2000 | P | RW | US);
	assert_int_equal(o.pte[1], 0x5000 | P | RW | US | G);
	assert_int_equal(o.pte_gpa[2], 0x1004);
	assert_int_equal(o.pte_gpa[1], 0x200c);
	assert_int_equal(o.access, ACC_ALL);
	assert_true(o.global);
	assert_false(o.dirty);
	/* A written in both entries, 4 bytes each, top first. */
	assert_int_equal(fm->nwrites, 2);
	assert_int_equal(fm->writes[0].gpa, 0x1004);
	assert_int_equal(fm->writes[0].len, 4);
	assert_int_equal(fm->writes[1].gpa, 0x200c);
	assert_int_equal(fm->writes[1].len, 4);
	assert_int_equal(get32(0x1004), 0x2000 | P | RW | US | A);
	assert_int_equal(get32(0x200c), 0x5000 | P | RW | US | G | A);

	/* A write: only the leaf changes (A already set everywhere): D. */
	r.access = WALK_WRITE | WALK_USER;
	o = run(&r);
	expect_ok(&o, 0x5123);
	assert_true(o.dirty);
	assert_int_equal(o.pte[1], 0x5000 | P | RW | US | G | A);
	assert_int_equal(fm->nwrites, 1);
	assert_int_equal(fm->writes[0].gpa, 0x200c);
	assert_int_equal(fm->writes[0].len, 4);
	assert_int_equal(get32(0x200c), 0x5000 | P | RW | US | G | A | D);

	/* Nothing changes any more: nothing written. */
	o = run(&r);
	expect_ok(&o, 0x5123);
	assert_int_equal(fm->nwrites, 0);

	/* No reserved bits in 4 KiB entries; no XD in 32-bit paging; bit 7 is PAT. */
	set32(0x200c, 0xfffff000u | P | RW | US | PS);
	r.access = WALK_FETCH | WALK_USER;
	r.ps.efer = EFER_NXE;
	o = run(&r);
	expect_ok(&o, 0xfffff123ull);
	assert_int_equal(o.access, ACC_ALL);

	/* set_ad = false writes nothing. */
	set32(0x200c, 0x5000 | P | RW | US);
	r.set_ad = false;
	r.access = WALK_WRITE;
	o = run(&r);
	expect_ok(&o, 0x5123);
	assert_false(o.dirty);
	assert_int_equal(fm->nwrites, 0);
}

static void test_32_errors(void **state)
{
	struct walk_request r = req32(0x00403123, 0);
	struct walk_result o;

	(void)state;
	/* Not-present PDE, read, write, user write. */
	set32(0x1004, 0x2000 | RW | US);
	o = run(&r);
	expect_fault(&o, PFEC_NONE);
	r.access = WALK_WRITE;
	o = run(&r);
	expect_fault(&o, PFEC_W);
	r.access = WALK_WRITE | WALK_USER;
	o = run(&r);
	expect_fault(&o, PFEC_W | PFEC_U);
	/* Not-present PTE, user read. */
	build32(P | RW | US, RW | US);
	r.access = WALK_USER;
	o = run(&r);
	expect_fault(&o, PFEC_U);
	assert_int_equal(o.pte_gpa[1], 0x200c);
	/* User read of supervisor page; user write to read-only page. */
	build32(P | RW, P | RW | US);
	o = run(&r);
	expect_fault(&o, PFEC_P | PFEC_U);
	assert_int_equal(o.access, ACC_EXEC | ACC_WRITE);
	build32(P | RW | US, P | US);
	r.access = WALK_USER | WALK_WRITE;
	o = run(&r);
	expect_fault(&o, PFEC_P | PFEC_W | PFEC_U);
	/* Supervisor write to read-only page: WP=1 faults, WP=0 does not. */
	r.access = WALK_WRITE;
	build32(P | RW, P);
	o = run(&r);
	expect_fault(&o, PFEC_P | PFEC_W);
	r.ps.cr0 &= ~CR0_WP;
	o = run(&r);
	expect_ok(&o, 0x5123);
	assert_true(o.dirty);
	assert_int_equal(o.access, ACC_EXEC);
	/* Fetch fault without SMEP in 32-bit paging: no I bit even with NXE. */
	r.ps.efer = EFER_NXE;
	r.access = WALK_FETCH | WALK_USER;
	o = run(&r);
	expect_fault(&o, PFEC_P | PFEC_U);
	/* SMEP in 32-bit paging: I bit set. */
	build32(P | RW | US, P | RW | US);
	r.ps.cr4 |= CR4_SMEP;
	r.access = WALK_FETCH;
	o = run(&r);
	expect_fault(&o, PFEC_P | PFEC_I);
}

/* 0x00c12345: PDE 3 at 0x100c. */
static void test_32_4m(void **state)
{
	struct walk_request r = req32(0x00c12345, WALK_WRITE);
	struct walk_result o;

	(void)state;
	set32(0x100c, 0x00800000 | P | RW | PS | G);
	o = run(&r);
	expect_ok(&o, 0x00812345);
	assert_int_equal(o.leaf_level, 2);
	assert_int_equal(o.page_size, 4u << 20);
	assert_true(o.global);
	assert_true(o.dirty);
	assert_int_equal(fm->nwrites, 1);
	assert_int_equal(fm->writes[0].len, 4);
	assert_int_equal(get32(0x100c), 0x00800000 | P | RW | PS | G | A | D);

	/* PAT (bit 12) is not reserved and not part of the address. */
	set32(0x100c, 0x00800000 | (1u << 12) | P | RW | PS);
	o = run(&r);
	expect_ok(&o, 0x00812345);

	/* PSE-36: bits 20:13 = 0x05 give PA bits 39:32 (MAXPHYADDR 36). */
	r.pse36 = true;
	set32(0x100c, 0x00800000 | (0x05u << 13) | P | RW | PS);
	o = run(&r);
	expect_ok(&o, 0x500812345ull);
	/* PA bit 36 (PDE bit 17) is above MAXPHYADDR 36: RSVD. */
	set32(0x100c, 0x00800000 | (0x10u << 13) | P | RW | PS);
	o = run(&r);
	expect_fault(&o, PFEC_P | PFEC_W | PFEC_RSVD);
	/* ... but fine with MAXPHYADDR 40 (PA bits 39:32 all usable). */
	r.maxphyaddr = 46;
	set32(0x100c, 0x00800000 | (0xffu << 13) | P | RW | PS);
	o = run(&r);
	expect_ok(&o, 0xff00812345ull);
	/* Bit 21 is always reserved. */
	set32(0x100c, 0x00800000 | (1u << 21) | P | RW | PS);
	o = run(&r);
	expect_fault(&o, PFEC_P | PFEC_W | PFEC_RSVD);
	/* Without PSE-36, bits 20:13 are reserved. */
	r.pse36 = false;
	set32(0x100c, 0x00800000 | (1u << 13) | P | RW | PS);
	o = run(&r);
	expect_fault(&o, PFEC_P | PFEC_W | PFEC_RSVD);

	/* CR4.PSE = 0: PS is ignored, the PDE points to a page table. */
	r.ps.cr4 = 0;
	set32(0x100c, 0x2000 | P | RW | PS);
	set32(0x2000 + 0x12 * 4, 0x7000 | P | RW);
	o = run(&r);
	expect_ok(&o, 0x7345);
	assert_int_equal(o.leaf_level, 1);
	assert_int_equal(o.page_size, 4096);
}

/* ---- PAE paging ---- */

/* 0x80403123: PDPTE 2 (0x3000), PDE 2 at 0x3010 -> PT 0x4000, PTE 3 at 0x4018. */
static void test_pae(void **state)
{
	struct walk_request r = req_pae(0x80403123, WALK_WRITE | WALK_USER);
	struct walk_result o;

	(void)state;
	set64(0x3010, 0x4000 | P | RW | US);
	set64(0x4018, 0x9000 | P | RW | US);
	o = run(&r);
	expect_ok(&o, 0x9123);
	assert_int_equal(o.levels, 3);
	assert_int_equal(o.pte_size, 8);
	assert_int_equal(o.pte[3], 0x3000 | P);
	assert_int_equal(o.pte_gpa[3], 0);
	assert_int_equal(o.pte_gpa[2], 0x3010);
	assert_int_equal(o.pte_gpa[1], 0x4018);
	assert_int_equal(o.access, ACC_ALL);
	/* PDPTE not written; PDE A and PTE A|D, 8 bytes each. */
	assert_int_equal(fm->nwrites, 2);
	assert_int_equal(fm->writes[0].gpa, 0x3010);
	assert_int_equal(fm->writes[0].len, 8);
	assert_int_equal(fm->writes[1].gpa, 0x4018);
	assert_int_equal(fm->writes[1].len, 8);
	assert_int_equal(get64(0x4018), 0x9000 | P | RW | US | A | D);

	/* 2 MiB page: 0x80603123 is PDE 3 at 0x3018. */
	r.addr = 0x80603123;
	set64(0x3018, 0x00a00000 | (1ull << 12) | P | RW | US | PS);
	o = run(&r);
	expect_ok(&o, 0x00a03123);
	assert_int_equal(o.leaf_level, 2);
	assert_int_equal(o.page_size, 2u << 20);
	/* Bits 20:13 of a 2 MiB PDE reserved. */
	set64(0x3018, 0x00a00000 | (1ull << 13) | P | RW | US | PS);
	o = run(&r);
	expect_fault(&o, PFEC_P | PFEC_W | PFEC_U | PFEC_RSVD);
	/* Bits 62:MAXPHYADDR reserved (bit 36, bit 62). */
	set64(0x3018, 0x00a00000 | (1ull << 36) | P | RW | US | PS);
	o = run(&r);
	expect_fault(&o, PFEC_P | PFEC_W | PFEC_U | PFEC_RSVD);
	set64(0x3018, 0x00a00000 | (1ull << 62) | P | RW | US | PS);
	o = run(&r);
	expect_fault(&o, PFEC_P | PFEC_W | PFEC_U | PFEC_RSVD);
	/* Bit 35 is a valid address bit with MAXPHYADDR 36. */
	set64(0x3018, 0x800a00000ull | P | RW | US | PS);
	o = run(&r);
	expect_ok(&o, 0x800a03123ull);
	/* XD: allowed with NXE for reads, fetch faults with I; reserved without NXE. */
	set64(0x3018, 0x00a00000 | XD | P | RW | US | PS);
	r.access = WALK_USER;
	o = run(&r);
	expect_ok(&o, 0x00a03123);
	assert_int_equal(o.access, ACC_WRITE | ACC_USER);
	r.access = WALK_USER | WALK_FETCH;
	o = run(&r);
	expect_fault(&o, PFEC_P | PFEC_U | PFEC_I);
	r.ps.efer = 0;
	o = run(&r);
	expect_fault(&o, PFEC_P | PFEC_U | PFEC_RSVD);

	/* Not-present PDPTE 1: P = 0, and I without NXE/SMEP is clear. */
	r.addr = 0x40000000;
	o = run(&r);
	expect_fault(&o, PFEC_U);
	assert_int_equal(o.pte_gpa[3], 0);
	/* Not-present PDE with NXE: fetch gets I. */
	r.ps.efer = EFER_NXE;
	r.addr = 0x80803000;
	o = run(&r);
	expect_fault(&o, PFEC_U | PFEC_I);
	/* Not-present PTE bit 63 in 4K PTE without NXE: still only not-present. */
	r.ps.efer = 0;
	set64(0x3010, 0x4000 | P | RW | US);
	set64(0x4018, XD | RW | US);
	r.addr = 0x80403123;
	r.access = WALK_USER;
	o = run(&r);
	expect_fault(&o, PFEC_U);
	/* Present 4 KiB PTE with bit 63 without NXE: RSVD. */
	set64(0x4018, 0x9000 | XD | P | RW | US);
	o = run(&r);
	expect_fault(&o, PFEC_P | PFEC_U | PFEC_RSVD);
}

/* ---- 4-level paging ---- */

/*
 * 0x0000_7f80_4060_3123 = PML4 255, PDPT 2, PD 3, PT 3.
 * PML4E at 0x1000 + 255*8, PDPT 0x2000, PDPTE at 0x2010, PD 0x3000, PDE 0x3018, PT 0x4000.
 */
#define LA4	0x00007f8080603123ull

static void build4(uint64_t f4, uint64_t f3, uint64_t f2, uint64_t f1)
{
	set64(0x1000 + 255 * 8, 0x2000 | f4);
	set64(0x2010, 0x3000 | f3);
	set64(0x3018, 0x4000 | f2);
	set64(0x4018, 0xb000 | f1);
}

static void test_4l_4k(void **state)
{
	struct walk_request r = req_4l(LA4 | 0xffff000000000000ull, WALK_WRITE);
	struct walk_result o;
	uint64_t ign = 0x7ffull << 52;	/* bits 62:52 ignored */

	(void)state;
	build4(P | RW | US | A, P | RW | US, P | RW | US, P | RW | US | ign);
	o = run(&r);
	expect_ok(&o, 0xb123);
	assert_int_equal(o.levels, 4);
	assert_int_equal(o.leaf_level, 1);
	assert_int_equal(o.pte_gpa[4], 0x1000 + 255 * 8);
	assert_int_equal(o.pte_gpa[3], 0x2010);
	assert_int_equal(o.pte_gpa[2], 0x3018);
	assert_int_equal(o.pte_gpa[1], 0x4018);
	assert_int_equal(o.pte[1], 0xb000 | P | RW | US | ign);
	/* PML4E already accessed: three writes of 8 bytes. */
	assert_int_equal(fm->nwrites, 3);
	assert_int_equal(fm->writes[0].gpa, 0x2010);
	assert_int_equal(fm->writes[2].gpa, 0x4018);
	assert_int_equal(fm->writes[2].len, 8);
	assert_int_equal(get64(0x4018), 0xb000 | P | RW | US | A | D | ign);

	/* Bits 51:MAXPHYADDR (46) reserved. */
	build4(P | RW | US, P | RW | US, P | RW | US | (1ull << 51), P | RW | US);
	o = run(&r);
	expect_fault(&o, PFEC_P | PFEC_W | PFEC_RSVD);
	/* PML4E PS reserved. */
	build4(P | RW | US | PS, P | RW | US, P | RW | US, P | RW | US);
	o = run(&r);
	expect_fault(&o, PFEC_P | PFEC_W | PFEC_RSVD);
	/* Not-present wins over reserved bits at the same level. */
	build4(RW | US | PS, P | RW | US, P | RW | US, P | RW | US);
	o = run(&r);
	expect_fault(&o, PFEC_W);
	/* Upper-level reserved bit beats a lower not-present entry. */
	build4(P | RW | US | PS, P | RW | US, P | RW | US, 0);
	o = run(&r);
	expect_fault(&o, PFEC_P | PFEC_W | PFEC_RSVD);
	/* XD at an upper level: user fetch faults with I. */
	build4(P | RW | US, P | RW | US | XD, P | RW | US, P | RW | US);
	r.access = WALK_FETCH | WALK_USER;
	o = run(&r);
	expect_fault(&o, PFEC_P | PFEC_U | PFEC_I);
	assert_int_equal(o.access, ACC_WRITE | ACC_USER);
	/* Read-only upper level: user write faults; supervisor with WP=0 passes. */
	build4(P | RW | US, P | US, P | RW | US, P | RW | US);
	r.access = WALK_WRITE | WALK_USER;
	o = run(&r);
	expect_fault(&o, PFEC_P | PFEC_W | PFEC_U);
	r.access = WALK_WRITE;
	r.ps.cr0 &= ~CR0_WP;
	o = run(&r);
	expect_ok(&o, 0xb123);
	assert_int_equal(o.access, ACC_EXEC | ACC_USER);
}

static void test_4l_large(void **state)
{
	struct walk_request r = req_4l(LA4, 0);
	struct walk_result o;

	(void)state;
	/* 2 MiB page. */
	build4(P | RW, P | RW, P | RW | PS, 0);
	set64(0x3018, 0x40000000ull | (1ull << 12) | P | RW | PS | G);
	o = run(&r);
	expect_ok(&o, 0x40003123ull);
	assert_int_equal(o.leaf_level, 2);
	assert_int_equal(o.page_size, 2u << 20);
	assert_true(o.global);
	set64(0x3018, 0x40000000ull | (1ull << 20) | P | RW | PS);
	o = run(&r);
	expect_fault(&o, PFEC_P | PFEC_RSVD);

	/* 1 GiB page: offset bits 29:0 of the address = 0x00603123. */
	set64(0x2010, 0x1c0000000ull | (1ull << 12) | P | RW | PS);
	o = run(&r);
	expect_ok(&o, 0x1c0603123ull);
	assert_int_equal(o.leaf_level, 3);
	assert_int_equal(o.page_size, 1ull << 30);
	assert_int_equal(o.pte_gpa[2], 0);
	/* Bits 29:13 reserved. */
	set64(0x2010, 0x1c0000000ull | (1ull << 29) | P | RW | PS);
	o = run(&r);
	expect_fault(&o, PFEC_P | PFEC_RSVD);
	/* Without 1-GByte pages, PS is reserved. */
	set64(0x2010, 0x1c0000000ull | P | RW | PS);
	r.gb_pages = false;
	o = run(&r);
	expect_fault(&o, PFEC_P | PFEC_RSVD);
}

/* ---- SMEP and SMAP ---- */

static void test_smep_smap(void **state)
{
	struct walk_request r = req_4l(LA4, WALK_FETCH);
	struct walk_result o;

	(void)state;
	build4(P | RW | US, P | RW | US, P | RW | US, P | US);
	/* Supervisor fetch from a user page: fine without SMEP, P|I with it. */
	o = run(&r);
	expect_ok(&o, 0xb123);
	r.ps.cr4 |= CR4_SMEP;
	o = run(&r);
	expect_fault(&o, PFEC_P | PFEC_I);
	/* ... not a user page when one level has U = 0. */
	set64(0x3018, 0x4000 | P | RW);
	o = run(&r);
	expect_ok(&o, 0xb123);
	/* User fetch with SMEP is fine. */
	set64(0x3018, 0x4000 | P | RW | US);
	r.access = WALK_FETCH | WALK_USER;
	o = run(&r);
	expect_ok(&o, 0xb123);
	/* SMEP does not apply to data reads. */
	r.access = 0;
	o = run(&r);
	expect_ok(&o, 0xb123);

	/* SMAP: supervisor read of a user page faults when AC = 0. */
	r.ps.cr4 = CR4_PAE | CR4_SMAP;
	o = run(&r);
	expect_fault(&o, PFEC_P);
	r.access = WALK_RFLAGS_AC;
	o = run(&r);
	expect_ok(&o, 0xb123);
	/* Implicit access faults even with AC = 1, and reports a supervisor access at CPL 3. */
	r.access = WALK_RFLAGS_AC | WALK_IMPLICIT | WALK_USER;
	o = run(&r);
	expect_fault(&o, PFEC_P);
	/* SMAP does not restrict fetches. */
	r.access = WALK_FETCH;
	o = run(&r);
	expect_ok(&o, 0xb123);
	/* WP = 0 supervisor write to a read-only user page: SMAP still faults with AC = 0. */
	r.ps.cr0 &= ~CR0_WP;
	r.access = WALK_WRITE;
	o = run(&r);
	expect_fault(&o, PFEC_P | PFEC_W);
	r.access = WALK_WRITE | WALK_RFLAGS_AC;
	o = run(&r);
	expect_ok(&o, 0xb123);
	assert_true(o.dirty);
	/* WP = 1 and AC = 1: the R/W check applies. */
	r.ps.cr0 |= CR0_WP;
	set64(0x4018, 0xb000 | P | US);
	o = run(&r);
	expect_fault(&o, PFEC_P | PFEC_W);
	/* SMAP/SMEP do not apply with paging off. */
	r.ps.cr0 = CR0_PE;
	r.ps.efer = 0;
	r.access = 0;
	o = run(&r);
	expect_ok(&o, (uint32_t)LA4);
}

/* ---- tables outside RAM ---- */

static void test_not_ram(void **state)
{
	struct walk_request r = req_4l(LA4, WALK_WRITE);
	struct walk_result o;

	(void)state;
	build4(P | RW, P | RW, P | RW, P | RW);
	set64(0x3018, 0x80000000ull | P | RW);	/* PT outside RAM */
	o = run(&r);
	assert_true(o.not_ram);
	assert_false(o.fault);
	assert_int_equal(o.pte_gpa[1], 0x80000000ull + 3 * 8);
	assert_int_equal(fm->nwrites, 0);

	r = req32(0x00403123, 0);
	r.ps.cr3 = 0xfff00000;
	o = run(&r);
	assert_true(o.not_ram);
	assert_false(o.fault);
	assert_int_equal(o.pte_gpa[2], 0xfff00004);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_32_4k, setup, teardown),
		cmocka_unit_test_setup_teardown(test_32_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_32_4m, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pae, setup, teardown),
		cmocka_unit_test_setup_teardown(test_4l_4k, setup, teardown),
		cmocka_unit_test_setup_teardown(test_4l_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_smep_smap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_ram, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
