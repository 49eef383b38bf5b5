/*
 * pt_insn: live PTEs modified with every instruction Umbra's write emulator supports: MOV
 * (register and immediate), XCHG, CMPXCHG (succeeding and failing), CMPXCHG8B, CMPXCHG16B,
 * LOCK OR, LOCK AND, XOR, LOCK XOR, ADD, SUB, ADC, SBB, BTS, BTR (register bit offset beyond
 * the operand), BTC, REP STOS and REP MOVS. From 32-bit code with 32-bit and PAE paging, and
 * from 64-bit code (64-bit operands) with 4-level paging.
 *
 * Each step maps its pages, reads them (the page table is in use, so Umbra write-protects it),
 * reloads CR3 and runs the instruction without touching the pages in between: the next access
 * must see the new translation at once (Umbra keeps shadow entries across CR3 reloads, so a
 * stale one would show). Checked as well: the instruction's result (registers, ZF/CF) and the
 * entry in memory, and under Umbra that the write was emulated (no fallback).
 */
#include "guest.h"
#include "paging.h"
#include "ptw.h"
#include "guest/umbra_abi.h"

#define VA0		0x41000000u	/* pages VA0 + j * 4 KiB, PT indexes j = 0 .. 7 */
#define PAGES		8
#define PF_P		0x1u
#define PF_W		0x2u
#define RO_LEAF		(PTE_P | PTE_A | PTE_D)

static struct {
	enum pg_mode mode;
	const char *name;
	uint32_t pt;
	unsigned int size;
	bool b64, umbra;
	struct pg_space as;
	uint64_t writes0, fallbacks0;
} c;

static struct ptw_req req;

static uint32_t va(unsigned int j)
{
	return VA0 + j * 4096;
}

static uint32_t pte(unsigned int j)
{
	return c.pt + j * c.size;
}

static uint64_t leaf(unsigned int k)
{
	return PTW_FRAME(k) | PTW_LEAF;
}

static void set(unsigned int j, uint64_t v)
{
	pg_write_pte(c.mode, pte(j), v);
}

static uint64_t get(unsigned int j)
{
	return pg_read_pte(c.mode, pte(j));
}

/* Pages j0 .. j1-1 in use (each read gives the frame its PTE names), then a CR3 reload. */
static void prime(unsigned int j0, unsigned int j1)
{
	pg_flush();	/* the entries may have been rewritten since the last use */
	for (unsigned int j = j0; j < j1; j++) {
		uint64_t e = get(j);
		struct pg_result r = pg_probe(va(j), PG_READ, false, 0);

		if (r.faulted || r.value != *(volatile uint32_t *)(uint32_t)(e & 0xfffff000u))
			CHECK(false, "%s: page %u in use before the instruction", c.name, j);
	}
	pg_flush();
	if (c.umbra) {
		c.writes0 = ptw_counter(UMBRA_CTR_PT_WRITES);
		c.fallbacks0 = ptw_counter(UMBRA_CTR_PT_FALLBACKS);
	}
}

/* Runs fn (the 32-bit or 64-bit snippet) with the memory operand at the PTE of page j. */
static bool exec(const char *what, char *fn32, char *fn64, unsigned int j)
{
	req.fn = (uint32_t)(c.b64 ? fn64 : fn32);
	req.addr = pte(j);
	if (c.b64)
		ptw_run64(&req);
	else
		ptw_run32(&req);
	if (c.umbra) {
		uint64_t w = ptw_counter(UMBRA_CTR_PT_WRITES) - c.writes0;
		uint64_t fb = ptw_counter(UMBRA_CTR_PT_FALLBACKS) - c.fallbacks0;

		if (!CHECK(w >= 1 && fb == 0, "%s: %s: emulated", c.name, what))
			gprintf("  pt writes %llu, fallbacks %llu\n", (unsigned long long)w,
				(unsigned long long)fb);
	}
	return CHECK(req.done, "%s: %s: ran without a fault", c.name, what);
}

static void regs(uint64_t ax, uint64_t bx, uint64_t cx, uint64_t dx, uint64_t si, uint64_t di)
{
	req.ax = ax;
	req.bx = bx;
	req.cx = cx;
	req.dx = dx;
	req.si = si;
	req.di = di;
}

static void expect_pte(const char *what, unsigned int j, uint64_t v)
{
	CHECK_EQ(get(j), v, "%s: %s: PTE %u in memory", c.name, what, j);
}

static void expect_map(const char *what, unsigned int j, unsigned int k)
{
	pg_check_read(va(j), PTW_MARK(k), "%s: %s: page %u maps frame %u at once", c.name, what,
		      j, k);
}

static void expect_flag(const char *what, const char *flag, uint32_t bit, bool set_)
{
	CHECK(!!(req.flags & bit) == set_, "%s: %s: %s=%d", c.name, what, flag, set_);
}

/* A write that must fault (read-only, CR0.WP) or succeed; it stores the page's mark back. */
static void expect_write(const char *what, unsigned int j, unsigned int k, bool ok)
{
	if (ok)
		CHECK_NO_FAULT(pg_fault(pg_probe(va(j), PG_WRITE, false, PTW_MARK(k))),
			       "%s: %s: page %u writable at once", c.name, what, j);
	else
		pg_check_fault(va(j), PG_WRITE, false, PF_P | PF_W,
			       "%s: %s: page %u read-only at once", c.name, what, j);
}

static void steps(void)
{
	const char *w;
	uint64_t wide = c.b64 ? ~0ull : 0xffffffffull;

	/* MOV r/m, r */
	w = c.b64 ? "MOV r64" : "MOV r32";
	set(0, leaf(0));
	prime(0, 1);
	regs(leaf(1), 0, 0, 0, 0, 0);
	if (exec(w, ptw32_mov_r, ptw64_mov_r, 0)) {
		expect_pte(w, 0, leaf(1));
		expect_map(w, 0, 1);
	}
	/* MOV r/m, imm32 (sign-extended to 64 bits in 64-bit code) */
	w = c.b64 ? "MOV r/m64, imm32" : "MOV r/m32, imm32";
	prime(0, 1);
	if (exec(w, ptw32_mov_i, ptw64_mov_i, 0)) {
		expect_pte(w, 0, PTW_IMM32);
		expect_map(w, 0, 2);
	}
	if (c.b64) {
		w = "MOV r/m32, r32 from 64-bit code";
		prime(0, 1);
		regs(leaf(3), 0, 0, 0, 0, 0);
		if (exec(w, ptw32_mov_r, ptw64_mov_r32, 0)) {
			expect_pte(w, 0, leaf(3));
			expect_map(w, 0, 3);
		}
	}
	/* XCHG */
	w = "XCHG";
	set(0, leaf(0));
	prime(0, 1);
	regs(leaf(4), 0, 0, 0, 0, 0);
	if (exec(w, ptw32_xchg, ptw64_xchg, 0)) {
		CHECK_EQ(req.ax & wide, leaf(0), "%s: XCHG: the register gets the old PTE", c.name);
		expect_pte(w, 0, leaf(4));
		expect_map(w, 0, 4);
	}
	/* CMPXCHG, succeeding and failing */
	w = "LOCK CMPXCHG succeeding";
	prime(0, 1);
	regs(leaf(4), 0, leaf(5), 0, 0, 0);
	if (exec(w, ptw32_cmpxchg, ptw64_cmpxchg, 0)) {
		expect_flag(w, "ZF", RFLAGS_ZF, true);
		expect_pte(w, 0, leaf(5));
		expect_map(w, 0, 5);
	}
	w = "LOCK CMPXCHG failing";
	prime(0, 1);
	regs(leaf(7), 0, leaf(6), 0, 0, 0);
	if (exec(w, ptw32_cmpxchg, ptw64_cmpxchg, 0)) {
		expect_flag(w, "ZF", RFLAGS_ZF, false);
		CHECK_EQ(req.ax & wide, leaf(5), "%s: %s: the accumulator gets the PTE", c.name, w);
		expect_pte(w, 0, leaf(5));
		expect_map(w, 0, 5);
	}
	/* CMPXCHG8B: two PTEs with 32-bit paging, one otherwise */
	w = "LOCK CMPXCHG8B succeeding";
	set(0, leaf(0));
	set(1, leaf(1));
	prime(0, 2);
	if (c.mode == PG_32) {
		regs(leaf(0), leaf(8), leaf(9), leaf(1), 0, 0);
		if (exec(w, ptw32_cmpxchg8b, ptw64_cmpxchg8b, 0)) {
			expect_flag(w, "ZF", RFLAGS_ZF, true);
			expect_pte(w, 0, leaf(8));
			expect_pte(w, 1, leaf(9));
			expect_map(w, 0, 8);
			expect_map(w, 1, 9);
		}
	} else {
		regs(leaf(0), leaf(8), 0, 0, 0, 0);
		if (exec(w, ptw32_cmpxchg8b, ptw64_cmpxchg8b, 0)) {
			expect_flag(w, "ZF", RFLAGS_ZF, true);
			expect_pte(w, 0, leaf(8));
			expect_map(w, 0, 8);
			expect_map(w, 1, 1);
		}
	}
	w = "LOCK CMPXCHG8B failing";
	prime(0, 2);
	regs(leaf(3), leaf(10), 0, 0, 0, 0);
	if (exec(w, ptw32_cmpxchg8b, ptw64_cmpxchg8b, 0)) {
		expect_flag(w, "ZF", RFLAGS_ZF, false);
		CHECK_EQ((req.ax & 0xffffffffu) | (req.dx << 32), c.mode == PG_32 ?
			 leaf(8) | (leaf(9) << 32) : leaf(8),
			 "%s: %s: EDX:EAX get the memory", c.name, w);
		expect_map(w, 0, 8);
	}
	/* CMPXCHG16B: two PTEs */
	if (c.b64) {
		w = "LOCK CMPXCHG16B";
		if (!(cpuid(1, 0).ecx & (1u << 13))) {
			SKIP("%s: %s: no CMPXCHG16B", c.name, w);
		} else {
			set(0, leaf(0));
			set(1, leaf(1));
			prime(0, 2);
			regs(leaf(0), leaf(10), leaf(11), leaf(1), 0, 0);
			if (exec(w, ptw32_cmpxchg8b, ptw64_cmpxchg16b, 0)) {
				expect_flag(w, "ZF", RFLAGS_ZF, true);
				expect_pte(w, 0, leaf(10));
				expect_pte(w, 1, leaf(11));
				expect_map(w, 0, 10);
				expect_map(w, 1, 11);
			}
			w = "LOCK CMPXCHG16B failing";
			prime(0, 2);
			regs(leaf(0), leaf(12), leaf(13), leaf(1), 0, 0);
			if (exec(w, ptw32_cmpxchg8b, ptw64_cmpxchg16b, 0)) {
				expect_flag(w, "ZF", RFLAGS_ZF, false);
				CHECK(req.ax == leaf(10) && req.dx == leaf(11),
				      "%s: %s: RDX:RAX get the memory", c.name, w);
				expect_map(w, 0, 10);
				expect_map(w, 1, 11);
			}
		}
	}
	/* LOCK OR sets R/W; LOCK AND clears it (CR0.WP is on) */
	w = "LOCK OR (R/W on)";
	set(0, PTW_FRAME(0) | RO_LEAF);
	prime(0, 1);
	expect_write("before LOCK OR", 0, 0, false);
	pg_flush();
	if (exec(w, ptw32_lock_or, ptw64_lock_or, 0)) {
		expect_pte(w, 0, leaf(0));
		expect_write(w, 0, 0, true);
	}
	w = "LOCK AND (R/W off)";
	prime(0, 1);
	expect_write("before LOCK AND", 0, 0, true);
	pg_flush();
	if (exec(w, ptw32_lock_and, ptw64_lock_and, 0)) {
		expect_pte(w, 0, PTW_FRAME(0) | RO_LEAF);
		expect_write(w, 0, 0, false);
	}
	/* XOR, LOCK XOR, ADD, SUB, ADC, SBB move the frame */
	w = "XOR";
	set(0, leaf(12));
	prime(0, 1);
	regs(PTW_FRAME(12) ^ PTW_FRAME(13), 0, 0, 0, 0, 0);
	if (exec(w, ptw32_xor, ptw64_xor, 0)) {
		expect_pte(w, 0, leaf(13));
		expect_map(w, 0, 13);
	}
	w = "LOCK XOR";
	prime(0, 1);
	regs(PTW_FRAME(13) ^ PTW_FRAME(14), 0, 0, 0, 0, 0);
	if (exec(w, ptw32_lock_xor, ptw64_lock_xor, 0)) {
		expect_pte(w, 0, leaf(14));
		expect_map(w, 0, 14);
	}
	w = "ADD imm32";
	prime(0, 1);
	if (exec(w, ptw32_add, ptw64_add, 0)) {
		expect_pte(w, 0, leaf(15));
		expect_map(w, 0, 15);
	}
	w = "SUB r";
	prime(0, 1);
	regs(0x2000, 0, 0, 0, 0, 0);
	if (exec(w, ptw32_sub, ptw64_sub, 0)) {
		expect_pte(w, 0, leaf(13));
		expect_map(w, 0, 13);
	}
	w = "STC, ADC imm32";
	prime(0, 1);
	if (exec(w, ptw32_adc, ptw64_adc, 0)) {
		expect_flag(w, "CF", RFLAGS_CF, false);
		expect_pte(w, 0, leaf(14));
		expect_map(w, 0, 14);
	}
	w = "STC, SBB imm32";
	prime(0, 1);
	if (exec(w, ptw32_sbb, ptw64_sbb, 0)) {
		expect_flag(w, "CF", RFLAGS_CF, false);
		expect_pte(w, 0, leaf(13));
		expect_map(w, 0, 13);
	}
	/* BTS sets R/W; BTR with a register offset clears P of the next PTE; BTC moves the frame */
	w = "LOCK BTS imm (R/W)";
	set(0, PTW_FRAME(0) | RO_LEAF);
	prime(0, 1);
	if (exec(w, ptw32_bts, ptw64_bts, 0)) {
		expect_flag(w, "CF", RFLAGS_CF, false);
		expect_pte(w, 0, leaf(0));
		expect_write(w, 0, 0, true);
	}
	w = "BTR r (P of the next PTE)";
	set(0, leaf(0));
	set(1, leaf(1));
	prime(0, 2);
	regs(8 * c.size, 0, 0, 0, 0, 0);	/* bit 0 of the next entry */
	if (exec(w, ptw32_btr_r, ptw64_btr_r, 0)) {
		expect_flag(w, "CF", RFLAGS_CF, true);
		expect_pte(w, 0, leaf(0));
		expect_pte(w, 1, leaf(1) & ~PTE_P);
		expect_map(w, 0, 0);
		pg_check_fault(va(1), PG_READ, false, 0, "%s: %s: page 1 not present at once",
			       c.name, w);
	}
	w = "BTC imm (address bit 12)";
	set(0, leaf(18));
	prime(0, 1);
	if (exec(w, ptw32_btc, ptw64_btc, 0)) {
		expect_flag(w, "CF", RFLAGS_CF, false);
		expect_pte(w, 0, leaf(19));
		expect_map(w, 0, 19);
	}
	/* REP STOS clears PTEs 0-3 (not 4); REP MOVS copies four PTEs from another table */
	w = "REP STOS";
	for (unsigned int j = 0; j < 5; j++)
		set(j, leaf(20 + j));
	prime(0, 5);
	regs(0, 0, 4 * c.size / (c.b64 ? 8 : 4), 0, 0, pte(0));
	if (exec(w, ptw32_rep_stos, ptw64_rep_stos, 0)) {
		CHECK(req.cx == 0 && req.di == pte(4), "%s: %s: CX 0, DI past the entries", c.name,
		      w);
		for (unsigned int j = 0; j < 4; j++)
			pg_check_fault(va(j), PG_READ, false, 0,
				       "%s: %s: page %u not present at once", c.name, w, j);
		expect_map(w, 4, 24);
	}
	w = "REP MOVS";
	{
		uint32_t src = pg_alloc();

		for (unsigned int j = 0; j < 4; j++) {
			pg_write_pte(c.mode, src + j * c.size, leaf(25 + j));
			set(j, leaf(20 + j));
		}
		prime(0, 5);
		regs(0, 0, 4 * c.size / (c.b64 ? 8 : 4), 0, src, pte(0));
		if (exec(w, ptw32_rep_movs, ptw64_rep_movs, 0)) {
			CHECK(req.cx == 0 && req.di == pte(4) && req.si == src + 4 * c.size,
			      "%s: %s: CX 0, SI and DI past the entries", c.name, w);
			for (unsigned int j = 0; j < 4; j++)
				expect_map(w, j, 25 + j);
			expect_map(w, 4, 24);
		}
	}
}

static void run(enum pg_mode mode, bool umbra)
{
	c.mode = mode;
	c.name = mode == PG_LM ? "64-bit code, 4-level" :
		 mode == PG_PAE ? "32-bit code, PAE" : "32-bit code, 32-bit";
	c.size = mode == PG_32 ? 4 : 8;
	c.b64 = mode == PG_LM;
	c.umbra = umbra;
	pg_space_init(&c.as, mode);
	for (unsigned int j = 0; j < PAGES; j++)
		pg_map(&c.as, va(j), PTW_FRAME(j), 1, PTW_LEAF);
	c.pt = pg_entry_pa(&c.as, VA0, 1, false);
	pg_activate(&c.as);
	write_cr0(read_cr0() | CR0_WP);
	steps();
	pg_deactivate();
}

void guest_main(void)
{
	bool umbra;

	pg_init();
	ptw_frames_init();
	umbra = ptw_umbra();
	gprintf("running under Umbra: %s\n", umbra ? "yes" : "no");
	run(PG_32, umbra);
	run(PG_PAE, umbra);
	if (pg_cpu.lm)
		run(PG_LM, umbra);
	else
		SKIP("64-bit code: no long mode");
}
