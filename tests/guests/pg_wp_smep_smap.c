/*
 * pg_wp_smep_smap: CR0.WP = 0 together with SMEP and SMAP (SDM Vol. 3A 4.6.1). With WP = 0 a
 * supervisor write ignores R/W, so it may write a read-only user page; that changes nothing
 * else about the page:
 *   - it stays a user page for SMEP: a supervisor fetch from it faults (I/D and P);
 *   - it stays a user page for SMAP: a supervisor read or write with EFLAGS.AC = 0 faults, and
 *     one with AC = 1 goes through (the write too, R/W being ignored);
 *   - it stays read-only for user mode: a user write faults, a user read does not.
 * The page is read-only for user mode at the PTE and holds RET, so fetches from it return.
 */
#include "guest.h"
#include "paging.h"

#define VA	0x42000000ull

#define PF_P	0x1
#define PF_W	0x2
#define PF_U	0x4
#define PF_I	0x10

static uint32_t frame;

/* EFLAGS.AC, which CPL 0 may change with POPF (SDM Vol. 1 3.4.3.3). */
static void set_ac(bool on)
{
	unsigned long f = read_eflags();

	f = on ? f | RFLAGS_AC : f & ~(unsigned long)RFLAGS_AC;
	__asm__ volatile("push %0; popf" : : "r"(f) : "memory", "cc");
}

static void set_cr4_bit(unsigned long bit, bool on)
{
	unsigned long cr4 = read_cr4();

	write_cr4(on ? cr4 | bit : cr4 & ~bit);
}

static uint32_t frame_word(void)
{
	return *(volatile uint32_t *)frame;
}

/* A supervisor write with WP = 0 (AC as given) that must go through and reach the frame. */
static void check_sup_write(const char *name, const char *what, bool ac, uint32_t value)
{
	struct pg_result r;

	/* RET in the low byte, so the page still returns when fetched. */
	value = (value & ~0xffu) | 0xc3;
	set_ac(ac);
	r = pg_probe(VA, PG_WRITE, false, value);
	set_ac(false);
	CHECK_NO_FAULT(pg_fault(r), "%s: %s", name, what);
	CHECK_EQ(frame_word(), value, "%s: %s: the value reached the frame", name, what);
}

static void smep(enum pg_mode mode)
{
	const char *name = pg_mode_name(mode);

	set_cr4_bit(CR4_SMEP, true);
	check_sup_write(name, "SMEP, WP=0: supervisor write to a read-only user page", false, 0x1100);
	pg_check_fault(VA, PG_FETCH, false, PF_P | PF_I,
		       "%s: SMEP, WP=0: after the write, a supervisor fetch from it faults", name);
	pg_check_fault(VA, PG_WRITE, true, PF_P | PF_W | PF_U,
		       "%s: SMEP, WP=0: a user write faults", name);
	CHECK_NO_FAULT(pg_fault(pg_probe(VA, PG_FETCH, true, 0)),
		       "%s: SMEP, WP=0: a user fetch runs", name);
	check_sup_write(name, "SMEP, WP=0: a supervisor write after the user accesses", false, 0x1200);
	pg_check_fault(VA, PG_FETCH, false, PF_P | PF_I,
		       "%s: SMEP, WP=0: a supervisor fetch still faults", name);
	set_cr4_bit(CR4_SMEP, false);
	CHECK_NO_FAULT(pg_fault(pg_probe(VA, PG_FETCH, false, 0)),
		       "%s: SMEP cleared: a supervisor fetch runs", name);
}

static void smap(enum pg_mode mode)
{
	const char *name = pg_mode_name(mode);

	set_cr4_bit(CR4_SMAP, true);
	check_sup_write(name, "SMAP, WP=0, AC=1: supervisor write to a read-only user page", true,
			0x2100);
	pg_check_fault(VA, PG_READ, false, PF_P,
		       "%s: SMAP, WP=0: after the write, a supervisor read with AC=0 faults", name);
	pg_check_fault(VA, PG_WRITE, false, PF_P | PF_W,
		       "%s: SMAP, WP=0: a supervisor write with AC=0 faults", name);
	CHECK_EQ(frame_word(), 0x21c3, "%s: SMAP, WP=0: the faulting write left the frame alone",
		 name);
	CHECK_NO_FAULT(pg_fault(pg_probe(VA, PG_READ, true, 0)), "%s: SMAP, WP=0: a user read",
		       name);
	pg_check_fault(VA, PG_WRITE, true, PF_P | PF_W | PF_U,
		       "%s: SMAP, WP=0: a user write faults", name);
	check_sup_write(name, "SMAP, WP=0, AC=1: a supervisor write after the user accesses", true,
			0x2200);
	set_ac(true);
	CHECK_NO_FAULT(pg_fault(pg_probe(VA, PG_READ, false, 0)),
		       "%s: SMAP, WP=0: a supervisor read with AC=1", name);
	set_ac(false);
	if (pg_cpu.smep) {
		set_cr4_bit(CR4_SMEP, true);
		check_sup_write(name, "SMEP and SMAP, WP=0, AC=1: supervisor write", true, 0x2300);
		pg_check_fault(VA, PG_FETCH, false, PF_P | PF_I,
			       "%s: SMEP and SMAP, WP=0: a supervisor fetch faults", name);
		pg_check_fault(VA, PG_READ, false, PF_P,
			       "%s: SMEP and SMAP, WP=0: a supervisor read with AC=0 faults", name);
		set_cr4_bit(CR4_SMEP, false);
	}
	set_cr4_bit(CR4_SMAP, false);
}

static void run(enum pg_mode mode)
{
	struct pg_space as;
	unsigned long cr0;

	pg_space_init(&as, mode);
	pg_map(&as, VA, frame, 1, PTE_P | PTE_U);
	pg_activate(&as);
	cr0 = read_cr0();
	write_cr0(cr0 & ~(unsigned long)CR0_WP);
	if (pg_cpu.smep)
		smep(mode);
	else
		SKIP("%s: no SMEP", pg_mode_name(mode));
	if (pg_cpu.smap)
		smap(mode);
	else
		SKIP("%s: no SMAP", pg_mode_name(mode));
	write_cr0(cr0);
	pg_deactivate();
}

void guest_main(void)
{
	pg_init();
	frame = pg_alloc();
	for (unsigned int i = 0; i < 4096; i += 4)
		*(volatile uint32_t *)(frame + i) = 0xc3c3c3c3;
	run(PG_32);
	run(PG_PAE);
	if (pg_cpu.lm)
		run(PG_LM);
	else
		SKIP("no long mode");
	/* Without SMEP and SMAP there is nothing to check beyond the WP=0 write itself. */
	if (!pg_cpu.smep && !pg_cpu.smap) {
		const char *name = "PAE";
		struct pg_space as;
		unsigned long cr0;

		pg_space_init(&as, PG_PAE);
		pg_map(&as, VA, frame, 1, PTE_P | PTE_U);
		pg_activate(&as);
		cr0 = read_cr0();
		write_cr0(cr0 & ~(unsigned long)CR0_WP);
		check_sup_write(name, "WP=0: supervisor write to a read-only user page", false, 0x3100);
		pg_check_fault(VA, PG_WRITE, true, PF_P | PF_W | PF_U, "%s: WP=0: a user write faults",
			       name);
		write_cr0(cr0);
		pg_deactivate();
	}
}
