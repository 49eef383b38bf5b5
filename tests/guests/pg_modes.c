/* pg_modes: paging off -> 32-bit -> off -> PAE -> off -> 4-level -> off, and again, with a
 * translation check in every mode. */
#include "guest.h"
#include "paging.h"

#define ALIAS_VA	0x50000000ull		/* below 4 GiB: every mode maps it */
#define HIGH_VA		0xffff800012345000ull	/* 4-level only: a canonical high address */

static struct pg_space spaces[4];
static uint32_t frames[4];

static uint32_t pattern(enum pg_mode mode)
{
	return 0xa5a50000u | (uint32_t)mode;
}

static void check_state(enum pg_mode mode)
{
	unsigned long cr0 = read_cr0(), cr4 = read_cr4();
	uint64_t efer = pg_cpu.lm ? rdmsr(MSR_IA32_EFER) : 0;
	const char *name = pg_mode_name(mode);

	CHECK_EQ(!!(cr0 & CR0_PG), mode != PG_OFF, "%s: CR0.PG", name);
	CHECK_EQ(!!(cr4 & CR4_PAE), mode == PG_PAE || mode == PG_LM, "%s: CR4.PAE", name);
	if (pg_cpu.lm) {
		CHECK_EQ(!!(efer & EFER_LME), mode == PG_LM, "%s: EFER.LME", name);
		CHECK_EQ(!!(efer & EFER_LMA), mode == PG_LM, "%s: EFER.LMA", name);
	}
	if (mode == PG_OFF) {
		struct pg_result r = pg_probe(frames[PG_32], PG_READ, false, 0);

		CHECK(!r.faulted && r.value == pattern(PG_32),
		      "off: physical 0x%x reads 0x%x", frames[PG_32], pattern(PG_32));
		return;
	}
	CHECK_EQ(read_cr3(), spaces[mode].root, "%s: CR3 is the root", name);
	struct pg_result r = pg_probe(ALIAS_VA, PG_READ, false, 0);

	CHECK(!r.faulted && r.value == pattern(mode), "%s: 0x%llx reads 0x%x", name, ALIAS_VA,
	      pattern(mode));
	r = pg_probe(ALIAS_VA + 4, PG_WRITE, false, pattern(mode) + 0x100);
	CHECK(!r.faulted && ((volatile uint32_t *)frames[mode])[1] == pattern(mode) + 0x100,
	      "%s: a write to 0x%llx lands in frame 0x%x", name, ALIAS_VA + 4, frames[mode]);
	r = pg_probe(ALIAS_VA + 0x2000, PG_READ, false, 0);
	CHECK_FAULT(pg_fault(r), EXC_PF, 0, "%s: unmapped 0x%llx raises #PF(0)", name, ALIAS_VA + 0x2000);
	CHECK_EQ(r.cr2, ALIAS_VA + 0x2000, "%s: CR2 is the unmapped address", name);
	if (mode == PG_LM) {
		r = pg_probe(HIGH_VA, PG_READ, false, 0);
		CHECK(!r.faulted && r.value == pattern(mode), "%s: 0x%llx reads 0x%x", name,
		      HIGH_VA, pattern(mode));
	}
}

static void go(enum pg_mode mode)
{
	if (mode == PG_OFF)
		pg_deactivate();
	else
		pg_activate(&spaces[mode]);
	check_state(mode);
}

void guest_main(void)
{
	static const enum pg_mode order[] = {
		PG_OFF, PG_32, PG_OFF, PG_PAE, PG_OFF, PG_LM, PG_OFF,
		PG_LM, PG_PAE, PG_32, PG_LM, PG_32, PG_PAE, PG_OFF,
	};

	pg_init();
	for (enum pg_mode m = PG_32; m <= PG_LM; m++) {
		if ((m == PG_PAE && !pg_cpu.pae) || (m == PG_LM && !pg_cpu.lm))
			continue;
		frames[m] = pg_alloc();
		*(volatile uint32_t *)frames[m] = pattern(m);
		pg_space_init(&spaces[m], m);
		pg_map(&spaces[m], ALIAS_VA, frames[m], 1, PTE_P | PTE_W);
		if (m == PG_LM)
			pg_map(&spaces[m], HIGH_VA, frames[m], 1, PTE_P | PTE_W);
	}
	for (unsigned int i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		enum pg_mode m = order[i];

		if ((m == PG_PAE && !pg_cpu.pae) || (m == PG_LM && !pg_cpu.lm)) {
			SKIP("%s: not supported", pg_mode_name(m));
			continue;
		}
		gprintf("step %u: to %s\n", i, pg_mode_name(m));
		go(m);
	}
}
