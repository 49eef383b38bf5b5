/* The emulated guest-memory path (guest/emu_mem.c) over a fake guest: rights at the CPL, fault
 * order and CR2, alignment check, 32-bit wrap, canonical checks, MMU notification, fetch. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "guest/emu_mem.h"
#include "arch/pfec.h"
#include "arch/trap.h"
#include "mm/walk.h"

#define RAM_PAGES	16
#define MAX_MAPS	8
#define MAX_LOG		8

/* A fake guest: a few linear pages mapped to RAM frames with U and W rights (CR0.WP=1). */
struct fake {
	uint8_t ram[RAM_PAGES * 4096];
	struct { uint64_t lpage, gpa; bool present, user, write; } map[MAX_MAPS];
	unsigned nmaps;
	uint32_t last_access;		/* the walker bits of the last translation */
	unsigned translations;
	struct { uint64_t gpa; unsigned len; } wrote[MAX_LOG];
	unsigned nwrote;
};

static struct fake fk;

static void fake_map(uint64_t linear, uint64_t gpa, bool present, bool user, bool write)
{
	fk.map[fk.nmaps].lpage = linear >> 12;
	fk.map[fk.nmaps].gpa = gpa;
	fk.map[fk.nmaps].present = present;
	fk.map[fk.nmaps].user = user;
	fk.map[fk.nmaps].write = write;
	fk.nmaps++;
}

static int fake_translate(void *ctx, uint64_t linear, uint32_t access, uint64_t *gpa,
			  uint32_t *pfec)
{
	bool user = access & WALK_USER, write = access & WALK_WRITE;

	(void)ctx;
	fk.last_access = access;
	fk.translations++;
	for (unsigned i = 0; i < fk.nmaps; i++) {
		if (fk.map[i].lpage != linear >> 12)
			continue;
		if (fk.map[i].gpa >= sizeof(fk.ram))
			return -1;
		*pfec = (write ? PFEC_W : 0) | (user ? PFEC_U : 0) | (access & WALK_FETCH ? PFEC_I : 0);
		if (!fk.map[i].present)
			return 1;
		*pfec |= PFEC_P;
		if ((user && !fk.map[i].user) || (write && !fk.map[i].write))
			return 1;
		*gpa = fk.map[i].gpa + (linear & 0xfff);
		return 0;
	}
	*pfec = (write ? PFEC_W : 0) | (user ? PFEC_U : 0);
	return 1;
}

static bool fake_read(void *ctx, uint64_t gpa, void *buf, unsigned len)
{
	(void)ctx;
	memcpy(buf, fk.ram + gpa, len);
	return true;
}

static bool fake_write(void *ctx, uint64_t gpa, const void *buf, unsigned len)
{
	(void)ctx;
	memcpy(fk.ram + gpa, buf, len);
	return true;
}

static void fake_wrote(void *ctx, uint64_t gpa, unsigned len)
{
	(void)ctx;
	assert_true(fk.nwrote < MAX_LOG);
	fk.wrote[fk.nwrote].gpa = gpa;
	fk.wrote[fk.nwrote].len = len;
	fk.nwrote++;
}

static const struct emu_mem_ops ops = { fake_translate, fake_read, fake_write, fake_wrote, NULL,
					NULL };
static const struct emu_who cpl0 = { .cpl = 0 };
static const struct emu_who cpl3 = { .cpl = 3 };

static int setup(void **state)
{
	(void)state;
	memset(&fk, 0, sizeof(fk));
	fake_map(0x10000, 0x1000, true, false, true);	/* supervisor, writable */
	fake_map(0x11000, 0x2000, true, true, true);	/* user, writable */
	fake_map(0x12000, 0x3000, true, true, false);	/* user, read-only */
	fake_map(0x13000, 0x4000, false, true, true);	/* not present */
	fake_map(0xfffff000, 0x5000, true, true, true);	/* the top page of 4 GiB */
	fake_map(0x0, 0x6000, true, true, true);	/* and page 0 */
	fake_map(0x20000, 0x100000, true, true, true);	/* a frame outside RAM */
	return 0;
}

static void test_user_write_to_supervisor_page(void **state)
{
	uint32_t v = 0x11223344;
	struct x86_fault f;

	(void)state;
	assert_int_equal(emu_mem_write(&ops, &cpl3, 0x10010, &v, 4, &f), EMU_MEM_FAULT);
	assert_int_equal(f.vector, EXC_PF);
	assert_int_equal(f.error_code, PFEC_P | PFEC_W | PFEC_U);
	assert_int_equal(f.cr2, 0x10010);
	assert_int_equal(fk.ram[0x1010], 0);
	assert_int_equal(fk.nwrote, 0);
	assert_int_equal(fk.last_access, WALK_WRITE | WALK_USER);
}

static void test_supervisor_write_notifies(void **state)
{
	uint32_t v = 0x11223344;
	struct x86_fault f;

	(void)state;
	assert_int_equal(emu_mem_write(&ops, &cpl0, 0x10010, &v, 4, &f), EMU_MEM_OK);
	assert_memory_equal(fk.ram + 0x1010, &v, 4);
	assert_int_equal(fk.nwrote, 1);
	assert_int_equal(fk.wrote[0].gpa, 0x1010);
	assert_int_equal(fk.wrote[0].len, 4);
	assert_int_equal(fk.last_access, WALK_WRITE);
}

static void test_user_read_of_supervisor_page(void **state)
{
	uint8_t b;
	struct x86_fault f;

	(void)state;
	assert_int_equal(emu_mem_read(&ops, &cpl3, 0x10000, &b, 1, &f), EMU_MEM_FAULT);
	assert_int_equal(f.error_code, PFEC_P | PFEC_U);
	assert_int_equal(emu_mem_read(&ops, &cpl3, 0x12000, &b, 1, &f), EMU_MEM_OK);
}

/* A crossing write faulting on its second page: CR2 is that page, and nothing is written. */
static void test_crossing_fault_writes_nothing(void **state)
{
	uint32_t v = 0xaabbccdd;
	struct x86_fault f;

	(void)state;
	assert_int_equal(emu_mem_write(&ops, &cpl3, 0x11ffe, &v, 4, &f), EMU_MEM_FAULT);
	assert_int_equal(f.error_code, PFEC_P | PFEC_W | PFEC_U);
	assert_int_equal(f.cr2, 0x12000);
	assert_int_equal(fk.ram[0x2ffe], 0);
	assert_int_equal(fk.ram[0x2fff], 0);
	assert_int_equal(fk.nwrote, 0);

	assert_int_equal(emu_mem_write(&ops, &cpl3, 0x12ffe, &v, 4, &f), EMU_MEM_FAULT);
	assert_int_equal(f.cr2, 0x12ffe);	/* the first page faults first */
	assert_int_equal(emu_mem_write(&ops, &cpl0, 0x11ffe, &v, 4, &f), EMU_MEM_FAULT);
	assert_int_equal(f.error_code, PFEC_P | PFEC_W);	/* WP: supervisor too */
	assert_int_equal(emu_mem_read(&ops, &cpl3, 0x12ffe, &v, 4, &f), EMU_MEM_FAULT);
	assert_int_equal(f.error_code, PFEC_U);
	assert_int_equal(f.cr2, 0x13000);
}

static void test_crossing_write_split(void **state)
{
	uint8_t v[4] = { 1, 2, 3, 4 };
	struct x86_fault f;

	(void)state;
	fk.map[2].write = true;
	assert_int_equal(emu_mem_write(&ops, &cpl3, 0x11fff, v, 4, &f), EMU_MEM_OK);
	assert_int_equal(fk.ram[0x2fff], 1);
	assert_memory_equal(fk.ram + 0x3000, v + 1, 3);
	assert_int_equal(fk.nwrote, 2);
	assert_int_equal(fk.wrote[0].gpa, 0x2fff);
	assert_int_equal(fk.wrote[0].len, 1);
	assert_int_equal(fk.wrote[1].gpa, 0x3000);
	assert_int_equal(fk.wrote[1].len, 3);
}

static void test_alignment_check(void **state)
{
	struct emu_who who = { .cpl = 3, .cr0_am = true, .rflags_ac = true };
	uint16_t v = 0;
	struct x86_fault f;

	(void)state;
	assert_int_equal(emu_mem_write(&ops, &who, 0x11001, &v, 2, &f), EMU_MEM_FAULT);
	assert_int_equal(f.vector, EXC_AC);
	assert_true(f.has_error_code);
	assert_int_equal(f.error_code, 0);
	assert_int_equal(fk.translations, 0);
	/* Before translation: a misaligned access to a page that is not present is #AC too. */
	assert_int_equal(emu_mem_write(&ops, &who, 0x13001, &v, 2, &f), EMU_MEM_FAULT);
	assert_int_equal(f.vector, EXC_AC);
	assert_int_equal(emu_mem_write(&ops, &who, 0x11002, &v, 2, &f), EMU_MEM_OK);
	assert_int_equal(emu_mem_write(&ops, &who, 0x11003, &v, 1, &f), EMU_MEM_OK);
	who.rflags_ac = false;
	assert_int_equal(emu_mem_write(&ops, &who, 0x11001, &v, 2, &f), EMU_MEM_OK);
	who = (struct emu_who){ .cpl = 0, .cr0_am = true, .rflags_ac = true };
	assert_int_equal(emu_mem_write(&ops, &who, 0x11001, &v, 2, &f), EMU_MEM_OK);
	assert_int_equal(fk.last_access, WALK_WRITE | WALK_RFLAGS_AC);	/* SMAP override */
	who = (struct emu_who){ .cpl = 3, .cr0_am = false, .rflags_ac = true };
	assert_int_equal(emu_mem_write(&ops, &who, 0x11005, &v, 2, &f), EMU_MEM_OK);
}

/* Outside 64-bit mode a linear address wraps at 4 GiB, also in the middle of an access. */
static void test_wrap_32(void **state)
{
	uint8_t v[2] = { 0x5a, 0xa5 };
	struct x86_fault f;

	(void)state;
	assert_int_equal(emu_mem_write(&ops, &cpl3, 0xffffffffULL, v, 2, &f), EMU_MEM_OK);
	assert_int_equal(fk.ram[0x5fff], 0x5a);
	assert_int_equal(fk.ram[0x6000], 0xa5);
	assert_int_equal(emu_mem_write(&ops, &cpl3, 0x100011000ULL, v, 1, &f), EMU_MEM_OK);
	assert_int_equal(fk.ram[0x2000], 0x5a);
}

static void test_canonical_64(void **state)
{
	struct emu_who who = { .cpl = 0, .mode64 = true };
	uint32_t v = 0;
	struct x86_fault f;

	(void)state;
	assert_int_equal(emu_mem_write(&ops, &who, 0x0000800000000000ULL, &v, 4, &f),
			 EMU_MEM_FAULT);
	assert_int_equal(f.vector, EXC_GP);
	assert_int_equal(f.error_code, 0);
	assert_int_equal(emu_mem_read(&ops, &who, 0x00007ffffffffffeULL, &v, 4, &f),
			 EMU_MEM_FAULT);
	assert_int_equal(f.vector, EXC_GP);
	who.via_ss = true;
	assert_int_equal(emu_mem_read(&ops, &who, 0x0000800000000000ULL, &v, 4, &f),
			 EMU_MEM_FAULT);
	assert_int_equal(f.vector, EXC_SS);
	assert_int_equal(fk.translations, 0);
}

static void test_not_ram(void **state)
{
	uint32_t v = 0;
	struct x86_fault f;

	(void)state;
	assert_int_equal(emu_mem_write(&ops, &cpl3, 0x20000, &v, 4, &f), EMU_MEM_NOT_RAM);
	assert_int_equal(fk.nwrote, 0);
}

/* A CPL 3 fetch is a user fetch; it stops at the first byte it may not fetch. */
static void test_fetch_at_cpl(void **state)
{
	uint8_t buf[15];
	enum emu_mem_status st;
	struct x86_fault f;
	size_t n;

	(void)state;
	memset(fk.ram + 0x2ff8, 0x90, 8);
	n = emu_mem_fetch(&ops, &cpl3, 0, 0x11ff8, ~0ULL, buf, sizeof(buf), &st, &f);
	assert_int_equal(n, 15);	/* into the user read-only page: fetch is not a write */
	assert_int_equal(st, EMU_MEM_OK);
	assert_int_equal(fk.last_access, WALK_FETCH | WALK_USER);

	n = emu_mem_fetch(&ops, &cpl3, 0, 0x10ff8, ~0ULL, buf, sizeof(buf), &st, &f);
	assert_int_equal(n, 0);
	assert_int_equal(st, EMU_MEM_FAULT);
	assert_int_equal(f.error_code, PFEC_P | PFEC_U | PFEC_I);
	assert_int_equal(f.cr2, 0x10ff8);

	fk.map[0].user = false;
	n = emu_mem_fetch(&ops, &cpl0, 0, 0x10ffa, ~0ULL, buf, sizeof(buf), &st, &f);
	assert_int_equal(n, 15);
	assert_int_equal(fk.last_access, WALK_FETCH);
	/* The user's page ends; the next is supervisor-only: 8 bytes, then #PF on that page. */
	fk.map[1].lpage = 0x0f;
	n = emu_mem_fetch(&ops, &cpl3, 0, 0xfff8, ~0ULL, buf, sizeof(buf), &st, &f);
	assert_int_equal(n, 8);
	assert_int_equal(st, EMU_MEM_FAULT);
	assert_int_equal(f.cr2, 0x10000);
}

/* IP wraps at 2^16 in 16-bit code, then the segment base is added. */
static void test_fetch_ip_wrap(void **state)
{
	uint8_t buf[4];
	enum emu_mem_status st;
	struct x86_fault f;

	(void)state;
	fake_map(0x1f000, 0x1000, true, false, true);	/* CS base 0x10000: IP 0xf000.. */
	fk.ram[0x1ffe] = 0xaa;
	fk.ram[0x1fff] = 0xbb;
	fk.ram[0x1000] = 0xcc;
	fk.ram[0x1001] = 0xdd;
	assert_int_equal(emu_mem_fetch(&ops, &cpl0, 0x10000, 0xfffe, 0xffff, buf, 4, &st, &f), 4);
	assert_int_equal(buf[0], 0xaa);
	assert_int_equal(buf[1], 0xbb);
	assert_int_equal(buf[2], 0xcc);
	assert_int_equal(buf[3], 0xdd);
	/* EIP wraps at 2^32: 0xffffffff, then 0. */
	fk.ram[0x5fff] = 0x11;
	fk.ram[0x6000] = 0x22;
	assert_int_equal(emu_mem_fetch(&ops, &cpl0, 0, 0xffffffff, 0xffffffff, buf, 2, &st, &f), 2);
	assert_int_equal(buf[0], 0x11);
	assert_int_equal(buf[1], 0x22);
}

/* The check-then-commit split INS uses: a failed check leaves memory and the MMU alone. */
static void test_check_then_commit(void **state)
{
	struct emu_mem_plan plan;
	struct x86_fault f;
	uint16_t v = 0xbeef;

	(void)state;
	assert_int_equal(emu_mem_check(&ops, &cpl3, 0x12000, 2, true, &plan, &f), EMU_MEM_FAULT);
	assert_int_equal(emu_mem_check(&ops, &cpl3, 0x11010, 2, true, &plan, &f), EMU_MEM_OK);
	assert_int_equal(fk.nwrote, 0);
	assert_int_equal(emu_mem_commit_write(&ops, &plan, &v), EMU_MEM_OK);
	assert_int_equal(fk.nwrote, 1);
	assert_int_equal(fk.ram[0x2010], 0xef);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_user_write_to_supervisor_page, setup),
		cmocka_unit_test_setup(test_supervisor_write_notifies, setup),
		cmocka_unit_test_setup(test_user_read_of_supervisor_page, setup),
		cmocka_unit_test_setup(test_crossing_fault_writes_nothing, setup),
		cmocka_unit_test_setup(test_crossing_write_split, setup),
		cmocka_unit_test_setup(test_alignment_check, setup),
		cmocka_unit_test_setup(test_wrap_32, setup),
		cmocka_unit_test_setup(test_canonical_64, setup),
		cmocka_unit_test_setup(test_not_ram, setup),
		cmocka_unit_test_setup(test_fetch_at_cpl, setup),
		cmocka_unit_test_setup(test_fetch_ip_wrap, setup),
		cmocka_unit_test_setup(test_check_then_commit, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
